"""Parse Zarr v3 array metadata (one ``zarr.json`` with ``node_type: "array"``).

Spec: Zarr v3 core, "Array metadata" and "Extension definition". Required: ``zarr_format``
(3), ``node_type``, ``shape``, ``data_type``, ``chunk_grid``, ``chunk_key_encoding``,
``fill_value``, ``codecs``. Optional: ``attributes``, ``storage_transformers`` (must be empty
here), ``dimension_names``. Any other member must be an object with
``"must_understand": false``; it is kept in ``extra_fields`` and otherwise ignored.
"""

from __future__ import annotations

import copy
from typing import Any

from zarrc.metadata._common import (
    describe,
    expect_object,
    expect_str,
    metadata_error,
    parse_attributes,
    require,
)
from zarrc.metadata.array import ArrayMetadata
from zarrc.metadata.chunk_grid import parse_chunk_grid, parse_shape
from zarrc.metadata.chunk_key import parse_chunk_key_encoding
from zarrc.metadata.dtype import parse_dtype_v3
from zarrc.metadata.fill_value import parse_fill_value
from zarrc.metadata.keys import ZARR_JSON
from zarrc.metadata.v2 import parse_zarr_format

__all__ = [
    "parse_array_metadata_v3",
    "parse_codecs",
    "parse_extra_fields",
    "parse_node_type",
    "ARRAY_FIELDS_V3",
]

ARRAY_FIELDS_V3 = frozenset({
    "zarr_format", "node_type", "shape", "data_type", "chunk_grid", "chunk_key_encoding",
    "fill_value", "codecs", "attributes", "storage_transformers", "dimension_names",
})


def parse_node_type(doc: dict[str, Any], key: str | None) -> str:
    """Return ``node_type`` (``"array"`` or ``"group"``) of a v3 document."""
    node_type = require(doc, "node_type", key)
    if node_type not in ("array", "group"):
        raise metadata_error(key, "node_type",
                             f"expected 'array' or 'group', got {describe(node_type)}")
    return str(node_type)


def parse_extra_fields(
    doc: dict[str, Any], known: frozenset[str], key: str | None
) -> dict[str, Any]:
    """Collect unknown members; each must be an object with ``"must_understand": false``."""
    extra = {}
    for name in doc:
        if name in known:
            continue
        value = doc[name]
        if isinstance(value, dict) and value.get("must_understand") is False:
            extra[name] = copy.deepcopy(value)
        else:
            raise metadata_error(key, name, "unknown field (only objects with "
                                 "\"must_understand\": false may be ignored)")
    return extra


def _parse_codec(obj: Any, field: str, key: str | None) -> dict[str, Any]:
    if isinstance(obj, str):
        return {"name": obj}
    codec = expect_object(obj, field, key)
    if "name" not in codec:
        raise metadata_error(key, f"{field}.name", "required member is missing")
    expect_str(codec["name"], f"{field}.name", key)
    if "configuration" in codec:
        expect_object(codec["configuration"], f"{field}.configuration", key)
    if "must_understand" in codec and not isinstance(codec["must_understand"], bool):
        raise metadata_error(key, f"{field}.must_understand", "expected a boolean")
    extra = sorted(set(codec) - {"name", "configuration", "must_understand"})
    if extra:
        raise metadata_error(key, field, f"unexpected member(s) {extra}")
    return copy.deepcopy(codec)


def parse_codecs(obj: Any, key: str | None, field: str = "codecs") -> tuple[dict[str, Any], ...]:
    """Validate a v3 codec list: non-empty, each ``{"name", "configuration"?}`` or a name.

    Bare names are normalised to ``{"name": name}``. Codec names and configurations are not
    checked here; that is the codec registry's job.
    """
    if not isinstance(obj, list):
        raise metadata_error(key, field, f"expected an array of codecs, got {describe(obj)}")
    if not obj:
        raise metadata_error(key, field, "must contain at least one (array -> bytes) codec")
    return tuple(_parse_codec(c, f"{field}[{i}]", key) for i, c in enumerate(obj))


def _parse_dimension_names(obj: Any, ndim: int, key: str | None) -> tuple[Any, ...] | None:
    if obj is None:
        return None
    if not isinstance(obj, list) or not all(n is None or isinstance(n, str) for n in obj):
        raise metadata_error(key, "dimension_names", "expected an array of strings or nulls")
    if len(obj) != ndim:
        raise metadata_error(key, "dimension_names",
                             f"has {len(obj)} entries but the array has {ndim} dimensions")
    return tuple(obj)


def parse_array_metadata_v3(doc: Any, key: str | None = ZARR_JSON) -> ArrayMetadata:
    """Validate a v3 array ``zarr.json`` document.

    Raises
    ------
    MetadataError
        Naming ``key`` and the offending field: missing or mistyped fields, an unknown data
        type / chunk grid / chunk key encoding, an invalid fill value, an empty codec list,
        storage transformers, or an unknown field not marked ``"must_understand": false``.
    """
    doc = expect_object(doc, "(document)", key)
    parse_zarr_format(doc, 3, key)
    if parse_node_type(doc, key) != "array":
        raise metadata_error(key, "node_type", "expected 'array', got 'group'")
    shape = parse_shape(require(doc, "shape", key), "shape", key)
    dtype = parse_dtype_v3(require(doc, "data_type", key), key)
    grid = parse_chunk_grid(require(doc, "chunk_grid", key), len(shape), key, shape)
    encoding = parse_chunk_key_encoding(require(doc, "chunk_key_encoding", key), key)
    fill_value = parse_fill_value(require(doc, "fill_value", key), dtype, 3, key)
    codecs = parse_codecs(require(doc, "codecs", key), key)
    transformers = doc.get("storage_transformers")
    if transformers is not None:
        if not isinstance(transformers, list):
            raise metadata_error(key, "storage_transformers",
                                 f"expected an array, got {describe(transformers)}")
        if transformers:
            raise metadata_error(key, "storage_transformers",
                                 "storage transformers are not supported")
    names = _parse_dimension_names(doc.get("dimension_names"), len(shape), key)
    attributes = parse_attributes(copy.deepcopy(doc.get("attributes")), "attributes", key)
    extra = parse_extra_fields(doc, ARRAY_FIELDS_V3, key)
    return ArrayMetadata(
        zarr_format=3,
        shape=shape,
        chunk_grid=grid,
        dtype=dtype,
        fill_value=fill_value,
        chunk_key_encoding=encoding,
        codecs=codecs,
        dimension_names=names,
        attributes=attributes,
        extra_fields=extra,
    )
