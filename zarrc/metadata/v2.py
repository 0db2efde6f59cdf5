"""Parse Zarr v2 array metadata: a ``.zarray`` document plus its optional ``.zattrs``.

Spec: Zarr storage specification version 2, "Metadata". Required here, as zarr-python 3 requires
them: ``zarr_format`` (2), ``shape``, ``chunks``, ``dtype``, ``fill_value``, ``order``.
``compressor`` and ``filters`` may be absent (= ``null``); an empty ``filters`` list means
``null``; ``dimension_separator`` defaults to ``"."``. Other keys are ignored, as the spec says.
"""

from __future__ import annotations

import copy
from typing import Any

from zarrc.metadata._common import (
    describe,
    expect_object,
    expect_str,
    is_int,
    metadata_error,
    parse_attributes,
    require,
)
from zarrc.metadata.array import ArrayMetadata
from zarrc.metadata.chunk_grid import RegularChunkGrid, parse_chunk_shape, parse_shape
from zarrc.metadata.chunk_key import ChunkKeyEncoding
from zarrc.metadata.dtype import parse_dtype_v2
from zarrc.metadata.fill_value import parse_fill_value
from zarrc.metadata.keys import ZARRAY, ZATTRS, ZGROUP

__all__ = ["parse_array_metadata_v2", "parse_zarr_format", "attrs_key_for"]


def attrs_key_for(key: str | None) -> str | None:
    """The ``.zattrs`` key next to a ``.zarray``/``.zgroup`` key, for error messages; inside a
    consolidated document (``.zmetadata['a/.zarray']``) the entry next to it there."""
    if not key:
        return ZATTRS
    at = max(key.rfind(ZARRAY), key.rfind(ZGROUP))
    if at >= 0:
        return key[:at] + ZATTRS + key[at + len(ZARRAY):]
    head, _, _ = key.rpartition("/")
    return f"{head}/{ZATTRS}" if head else ZATTRS


def parse_zarr_format(doc: dict[str, Any], expected: int, key: str | None) -> int:
    """Check the ``zarr_format`` member of a document equals ``expected``."""
    value = require(doc, "zarr_format", key)
    if not is_int(value) or value != expected:
        raise metadata_error(key, "zarr_format", f"expected {expected}, got {describe(value)}")
    return value


def _parse_codec_config(obj: Any, field: str, key: str | None) -> dict[str, Any]:
    config = expect_object(obj, field, key)
    if "id" not in config:
        raise metadata_error(key, f"{field}.id", "required member is missing")
    expect_str(config["id"], f"{field}.id", key)
    return copy.deepcopy(config)


def _parse_filters(obj: Any, key: str | None) -> tuple[dict[str, Any], ...] | None:
    if obj is None:
        return None
    if not isinstance(obj, list):
        raise metadata_error(key, "filters", f"expected null or an array, got {describe(obj)}")
    filters = tuple(_parse_codec_config(f, f"filters[{i}]", key) for i, f in enumerate(obj))
    return filters or None


def parse_array_metadata_v2(
    zarray: Any, zattrs: Any | None = None, key: str | None = ZARRAY
) -> ArrayMetadata:
    """Validate a ``.zarray`` document (and ``.zattrs``, ``None`` meaning absent).

    Parameters
    ----------
    zarray : dict
        The decoded ``.zarray`` JSON object.
    zattrs : dict or None
        The decoded ``.zattrs`` JSON object, if the key exists.
    key : str
        Store key of the ``.zarray`` document, named in every error.

    Raises
    ------
    MetadataError
        Naming ``key`` and the offending field.
    """
    doc = expect_object(zarray, "(document)", key)
    parse_zarr_format(doc, 2, key)
    shape = parse_shape(require(doc, "shape", key), "shape", key)
    chunks = parse_chunk_shape(require(doc, "chunks", key), shape, "chunks", key)
    filters = _parse_filters(doc.get("filters"), key)
    dtype = parse_dtype_v2(require(doc, "dtype", key), key, filters)  # "|O": by its filter
    fill_value = parse_fill_value(require(doc, "fill_value", key), dtype, 2, key)
    order = require(doc, "order", key)
    if order not in ("C", "F"):
        raise metadata_error(key, "order", f"expected 'C' or 'F', got {describe(order)}")
    compressor = doc.get("compressor")
    if compressor is not None:
        compressor = _parse_codec_config(compressor, "compressor", key)
    separator = doc.get("dimension_separator", ".")
    if separator is None:
        separator = "."
    if separator not in (".", "/"):
        raise metadata_error(key, "dimension_separator",
                             f"expected '.' or '/', got {describe(separator)}")
    attributes = parse_attributes(copy.deepcopy(zattrs), "(document)", attrs_key_for(key))
    return ArrayMetadata(
        zarr_format=2,
        shape=shape,
        chunk_grid=RegularChunkGrid(chunks),
        dtype=dtype,
        fill_value=fill_value,
        order=order,
        chunk_key_encoding=ChunkKeyEncoding("v2", separator),
        filters=filters,
        compressor=compressor,
        attributes=attributes,
    )
