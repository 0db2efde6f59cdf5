"""Group metadata and consolidated metadata, v2 and v3.

v2: a group is ``.zgroup`` (``{"zarr_format": 2}``) plus ``.zattrs``; consolidated metadata is
the root's ``.zmetadata``: ``{"zarr_consolidated_format": 1, "metadata": {"a/.zarray": {...},
"a/.zattrs": {...}, ".zgroup": {...}, ...}}``.

v3: a group is a ``zarr.json`` with ``node_type: "group"``; zarr-python 3 stores consolidated
metadata inline in it (v3 core, "Additional fields")::

    "consolidated_metadata": {"kind": "inline", "must_understand": false,
                              "metadata": {"a": {...}, "sub": {...}, "sub/b": {...}}}

In both, entries are keyed by node path relative to the group; ``""`` is the group itself
(present in v2 ``.zmetadata`` only). Emitted entries are ordered as zarr-python orders them:
by depth, then by case-folded NFKC name.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zarrc.metadata._common import (
    describe,
    expect_object,
    metadata_error,
    parse_attributes,
)
from zarrc.metadata.array import ArrayMetadata
from zarrc.metadata.keys import ZARR_JSON, ZARRAY, ZATTRS, ZGROUP, ZMETADATA
from zarrc.metadata.v2 import attrs_key_for, parse_array_metadata_v2, parse_zarr_format
from zarrc.metadata.v3 import parse_array_metadata_v3, parse_extra_fields, parse_node_type

__all__ = [
    "GroupMetadata",
    "ConsolidatedMetadata",
    "NodeMetadata",
    "parse_group_metadata_v2",
    "parse_group_metadata_v3",
    "parse_node_metadata_v3",
    "parse_consolidated_v2",
    "consolidated_to_json_v2",
    "parse_consolidated_v3",
    "consolidated_to_json_v3",
]

_GROUP_FIELDS_V3 = frozenset({"zarr_format", "node_type", "attributes", "consolidated_metadata"})


def _entry_order(path: str) -> tuple[int, str]:
    """zarr-python's order of consolidated entries: shallow first, then case-folded name."""
    return path.count("/"), unicodedata.normalize("NFKC", path).casefold()


@dataclass(frozen=True)
class ConsolidatedMetadata:
    """The metadata of every node below a group, keyed by path relative to the group."""

    metadata: dict[str, Any] = field(default_factory=dict)
    kind: str = "inline"
    must_understand: bool = False

    def to_json(self) -> dict[str, Any]:
        """The v3 ``consolidated_metadata`` object (entries of v3 nodes)."""
        return consolidated_to_json_v3(self.metadata)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class GroupMetadata:
    """Metadata of a Zarr group (v2 ``.zgroup`` + ``.zattrs``, or a v3 ``zarr.json``)."""

    zarr_format: int = 3
    attributes: dict[str, Any] = field(default_factory=dict)
    consolidated_metadata: ConsolidatedMetadata | None = None
    extra_fields: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.zarr_format not in (2, 3):
            raise metadata_error(None, "zarr_format", f"must be 2 or 3, got {self.zarr_format!r}")
        if self.zarr_format == 2 and self.extra_fields:
            raise metadata_error(None, "extra_fields", "v2 groups have no extension fields")

    __hash__ = None  # type: ignore[assignment]

    def with_attributes(self, attributes: dict[str, Any]) -> GroupMetadata:
        """A copy with the user attributes replaced."""
        return GroupMetadata(self.zarr_format, dict(attributes), self.consolidated_metadata,
                             self.extra_fields)

    def with_consolidated(self, entries: Mapping[str, Any] | None) -> GroupMetadata:
        """A copy with consolidated metadata ``entries`` (``None`` drops it)."""
        cm = None if entries is None else ConsolidatedMetadata(dict(entries))
        return GroupMetadata(self.zarr_format, self.attributes, cm, self.extra_fields)

    def to_json(self) -> dict[str, Any]:
        """v2: the ``.zgroup`` document; v3: the full ``zarr.json`` (consolidated included)."""
        if self.zarr_format == 2:
            return {"zarr_format": 2}
        doc: dict[str, Any] = {"attributes": copy.deepcopy(self.attributes), "zarr_format": 3}
        if self.consolidated_metadata is not None:
            doc["consolidated_metadata"] = self.consolidated_metadata.to_json()
        doc["node_type"] = "group"
        doc.update(copy.deepcopy(self.extra_fields))
        return doc

    def to_documents(self) -> dict[str, dict[str, Any]]:
        """Every document of this group by key name; a v2 group with consolidated metadata
        also gets its ``.zmetadata``."""
        if self.zarr_format == 3:
            return {ZARR_JSON: self.to_json()}
        docs = {ZGROUP: self.to_json(), ZATTRS: copy.deepcopy(self.attributes)}
        if self.consolidated_metadata is not None:
            entries = {"": self, **self.consolidated_metadata.metadata}
            docs[ZMETADATA] = consolidated_to_json_v2(entries)
        return docs


NodeMetadata = ArrayMetadata | GroupMetadata


# --------------------------------------------------------------------------- groups


def parse_group_metadata_v2(
    zgroup: Any, zattrs: Any | None = None, key: str | None = ZGROUP
) -> GroupMetadata:
    """Validate a ``.zgroup`` document (other members are ignored) and its ``.zattrs``."""
    doc = expect_object(zgroup, "(document)", key)
    parse_zarr_format(doc, 2, key)
    attributes = parse_attributes(copy.deepcopy(zattrs), "(document)", attrs_key_for(key))
    return GroupMetadata(zarr_format=2, attributes=attributes)


def parse_group_metadata_v3(doc: Any, key: str | None = ZARR_JSON) -> GroupMetadata:
    """Validate a v3 group ``zarr.json``, including inline consolidated metadata."""
    doc = expect_object(doc, "(document)", key)
    parse_zarr_format(doc, 3, key)
    if parse_node_type(doc, key) != "group":
        raise metadata_error(key, "node_type", "expected 'group', got 'array'")
    attributes = parse_attributes(copy.deepcopy(doc.get("attributes")), "attributes", key)
    consolidated = None
    raw = doc.get("consolidated_metadata")
    if raw is not None:
        consolidated = ConsolidatedMetadata(parse_consolidated_v3(raw, key))
    extra = parse_extra_fields(doc, _GROUP_FIELDS_V3, key)
    return GroupMetadata(3, attributes, consolidated, extra)


def parse_node_metadata_v3(doc: Any, key: str | None = ZARR_JSON) -> NodeMetadata:
    """Parse a v3 ``zarr.json`` as an array or a group, by its ``node_type``."""
    doc = expect_object(doc, "(document)", key)
    parse_zarr_format(doc, 3, key)
    if parse_node_type(doc, key) == "array":
        return parse_array_metadata_v3(doc, key)
    return parse_group_metadata_v3(doc, key)


# --------------------------------------------------------------------------- v3 consolidated


def parse_consolidated_v3(obj: Any, key: str | None = ZARR_JSON) -> dict[str, NodeMetadata]:
    """Parse the ``consolidated_metadata`` object of a v3 group into ``{path: metadata}``."""
    field_ = "consolidated_metadata"
    cm = expect_object(obj, field_, key)
    if cm.get("kind") != "inline":
        raise metadata_error(key, f"{field_}.kind",
                             f"expected 'inline', got {describe(cm.get('kind'))}")
    if cm.get("must_understand", False) is not False:
        raise metadata_error(key, f"{field_}.must_understand", "expected false")
    entries = expect_object(cm.get("metadata"), f"{field_}.metadata", key)
    out: dict[str, NodeMetadata] = {}
    for path, doc in entries.items():
        _check_path(path, f"{field_}.metadata", key)
        out[path] = parse_node_metadata_v3(doc, f"{key}[{field_}][{path!r}]")
    return out


def consolidated_to_json_v3(entries: Mapping[str, NodeMetadata]) -> dict[str, Any]:
    """The v3 ``consolidated_metadata`` object for ``{path: metadata}`` (v3 nodes only)."""
    metadata = {}
    for path in sorted(entries, key=_entry_order):
        node = entries[path]
        if node.zarr_format != 3:
            raise ValueError(f"consolidated entry {path!r} is not a v3 node")
        metadata[path] = node.to_json()
    return {"kind": "inline", "must_understand": False, "metadata": metadata}


# --------------------------------------------------------------------------- v2 consolidated


def _check_path(path: str, field_: str, key: str | None) -> None:
    if path.startswith("/") or path.endswith("/") or "//" in path:
        raise metadata_error(key, field_, f"invalid node path {path!r}")


def _split_v2_key(name: str) -> tuple[str, str] | None:
    """``"a/b/.zarray"`` -> ``("a/b", ".zarray")``; ``".zgroup"`` -> ``("", ".zgroup")``."""
    path, _, base = name.rpartition("/")
    if base not in (ZARRAY, ZGROUP, ZATTRS):
        return None
    return path, base


def parse_consolidated_v2(doc: Any, key: str | None = ZMETADATA) -> dict[str, NodeMetadata]:
    """Parse a ``.zmetadata`` document into ``{path: metadata}`` (``""`` = the root group).

    Raises
    ------
    MetadataError
        If the format is not 1, an entry is not a metadata key, a path has both ``.zarray``
        and ``.zgroup`` or only ``.zattrs``, or any entry fails to parse.
    """
    doc = expect_object(doc, "(document)", key)
    fmt = doc.get("zarr_consolidated_format")
    if fmt != 1 or isinstance(fmt, bool):
        raise metadata_error(key, "zarr_consolidated_format", f"expected 1, got {describe(fmt)}")
    entries = expect_object(doc.get("metadata"), "metadata", key)
    by_path: dict[str, dict[str, Any]] = {}
    for name, value in entries.items():
        split = _split_v2_key(name)
        if split is None:
            raise metadata_error(key, "metadata", f"{name!r} is not a metadata key")
        path, base = split
        by_path.setdefault(path, {})[base] = value
    out: dict[str, NodeMetadata] = {}
    for path, docs in by_path.items():
        _check_path(path, "metadata", key)
        prefix = f"{path}/" if path else ""
        if ZARRAY in docs and ZGROUP in docs:
            raise metadata_error(key, "metadata", f"{path!r} is both an array and a group")
        if ZARRAY in docs:
            out[path] = parse_array_metadata_v2(docs[ZARRAY], docs.get(ZATTRS),
                                                f"{key}[{prefix + ZARRAY!r}]")
        elif ZGROUP in docs:
            out[path] = parse_group_metadata_v2(docs[ZGROUP], docs.get(ZATTRS),
                                                f"{key}[{prefix + ZGROUP!r}]")
        else:
            raise metadata_error(key, "metadata", f"{prefix + ZATTRS!r} has no .zarray or "
                                 ".zgroup next to it")
    return out


def consolidated_to_json_v2(entries: Mapping[str, NodeMetadata]) -> dict[str, Any]:
    """The ``.zmetadata`` document for ``{path: metadata}`` (v2 nodes; ``""`` = the root).

    Written like zarr-python 3: the root's ``.zgroup``/``.zattrs`` first, then per node
    ``.zattrs`` followed by ``.zarray`` or ``.zgroup``.
    """
    metadata: dict[str, Any] = {}
    for path in sorted(entries, key=lambda p: (p != "", _entry_order(p))):
        node = entries[path]
        if node.zarr_format != 2:
            raise ValueError(f"consolidated entry {path!r} is not a v2 node")
        prefix = f"{path}/" if path else ""
        own = ZARRAY if isinstance(node, ArrayMetadata) else ZGROUP
        if path == "":
            metadata[prefix + own] = node.to_json()
            metadata[prefix + ZATTRS] = copy.deepcopy(node.attributes)
        else:
            metadata[prefix + ZATTRS] = copy.deepcopy(node.attributes)
            metadata[prefix + own] = node.to_json()
    return {"metadata": metadata, "zarr_consolidated_format": 1}
