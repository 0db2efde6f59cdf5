"""Array and group metadata as zarr-python 3 shows it: ``a.metadata``, ``g.metadata``.

These are frozen dataclasses with zarr-python's fields (``ArrayV3Metadata(shape=...,
data_type=Float64(...), codecs=(BytesCodec(...), ...), ...)``), built from zarrc's own
:class:`zarrc.metadata.ArrayMetadata` / ``GroupMetadata`` plus the stored document, so
``to_dict()`` is that document exactly as read. Codecs are codec objects (``numcodecs.*``
entries as :mod:`zarrc.codecs.numcodecs` objects), data types :mod:`zarrc.dtype` objects.
Built by hand (``GroupMetadata()``), they describe nodes for :func:`zarrc.create_hierarchy`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np

from zarrc.codecs import ChunkSpec, Codec, get_codec
from zarrc.codecs.numcodecs import codec_for
from zarrc.dtype import ZDType, parse_dtype
from zarrc.metadata import ArrayMetadata, RegularChunkGrid
from zarrc.metadata import GroupMetadata as _GroupMeta
from zarrc.metadata.group import _entry_order
from zarrc.metadata.rectilinear import RectilinearChunkGrid

__all__ = [
    "ArrayV2Metadata",
    "ArrayV3Metadata",
    "ConsolidatedMetadata",
    "DefaultChunkKeyEncoding",
    "GroupMetadata",
    "RegularChunkGrid",
    "V2ChunkKeyEncoding",
    "codec_object",
    "codec_objects",
    "public_metadata",
]


@dataclass(frozen=True)
class _ChunkKeyEncoding:
    separator: str = "/"
    name = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "configuration": {"separator": self.separator}}


@dataclass(frozen=True)
class DefaultChunkKeyEncoding(_ChunkKeyEncoding):
    """v3 ``default`` chunk keys: ``c/0/1`` (or ``c.0.1``)."""

    separator: str = "/"
    name = "default"


@dataclass(frozen=True)
class V2ChunkKeyEncoding(_ChunkKeyEncoding):
    """v2 chunk keys: ``0.1`` (or ``0/1``)."""

    separator: str = "."
    name = "v2"


def codec_object(document: dict[str, Any]) -> Any:
    """A stored codec entry as an object: zarrc's codec, or a ``numcodecs.*`` description."""
    if isinstance(document, dict) and str(document.get("name", "")).startswith("numcodecs."):
        described = codec_for(document)
        if described is not None:
            return described
    return get_codec(document, 3 if isinstance(document, dict) and "name" in document else 2)


def codec_objects(documents: Iterable[dict[str, Any]], dtype: np.dtype[Any],
                  chunk_shape: tuple[int, ...]) -> tuple[Any, ...]:
    """Stored v3 codec entries as objects adapted to the chunks they see, as zarr-python
    shows them (blosc's typesize filled in, no ``endian`` for one-byte types)."""
    spec = ChunkSpec(chunk_shape, dtype)
    out: list[Any] = []
    for doc in documents:
        obj = codec_object(doc)
        if isinstance(obj, Codec):
            try:
                obj = obj.evolve(spec)
                spec = obj.resolve(spec)
            except ValueError:  # shown as stored; opening the array reports the problem
                pass
        out.append(obj)
    return tuple(out)


@dataclass(frozen=True)
class ArrayV3Metadata:
    """A v3 array's ``zarr.json`` with zarr-python's fields; ``to_dict()`` is the document."""

    shape: tuple[int, ...]
    data_type: ZDType
    chunk_grid: RegularChunkGrid | RectilinearChunkGrid
    chunk_key_encoding: DefaultChunkKeyEncoding | V2ChunkKeyEncoding
    fill_value: Any
    codecs: tuple[Any, ...]
    attributes: dict[str, Any] = field(default_factory=dict)
    dimension_names: tuple[Any, ...] | None = None
    zarr_format: int = 3
    node_type: str = "array"
    storage_transformers: tuple[Any, ...] = ()
    extra_fields: dict[str, Any] = field(default_factory=dict)
    _document: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def dtype(self) -> ZDType:
        return self.data_type

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def chunks(self) -> tuple[int, ...] | None:
        """The chunk shape of a regular grid (None for a rectilinear one)."""
        return self.chunk_grid.chunk_shape

    def to_dict(self) -> dict[str, Any]:
        """The ``zarr.json`` document."""
        if self._document is not None:
            return copy.deepcopy(self._document)
        doc: dict[str, Any] = {
            "shape": list(self.shape),
            "data_type": self.data_type.to_json(zarr_format=3),
            "chunk_grid": self.chunk_grid.to_json(),
            "chunk_key_encoding": self.chunk_key_encoding.to_dict(),
            "fill_value": self.data_type.to_json_scalar(self.fill_value, zarr_format=3),
            "codecs": [c.to_dict() for c in self.codecs],
            "attributes": copy.deepcopy(self.attributes),
        }
        if self.dimension_names is not None:
            doc["dimension_names"] = list(self.dimension_names)
        doc.update(zarr_format=3, node_type="array", storage_transformers=[],
                   **copy.deepcopy(self.extra_fields))
        return doc

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArrayV3Metadata:
        from zarrc.metadata import parse_array_metadata_v3

        meta = public_metadata(parse_array_metadata_v3(data, "zarr.json"), data)
        assert isinstance(meta, ArrayV3Metadata)  # parsed as v3
        return meta


@dataclass(frozen=True)
class ArrayV2Metadata:
    """A v2 array's ``.zarray`` (and ``.zattrs``) with zarr-python's fields."""

    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    dtype: ZDType
    fill_value: Any
    order: str = "C"
    filters: tuple[Any, ...] | None = None
    dimension_separator: str = "."
    compressor: Any = None
    attributes: dict[str, Any] = field(default_factory=dict)
    zarr_format: int = 2
    _document: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def data_type(self) -> ZDType:
        return self.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def to_dict(self) -> dict[str, Any]:
        """The ``.zarray`` document (attributes live in ``.zattrs``)."""
        if self._document is not None:
            return copy.deepcopy(self._document)
        dt = self.dtype
        return {
            "shape": list(self.shape), "chunks": list(self.chunks),
            "dtype": dt.to_json(zarr_format=2)["name"],
            "fill_value": None if self.fill_value is None
            else dt.to_json_scalar(self.fill_value, zarr_format=2),
            "order": self.order,
            "filters": None if self.filters is None else [f.get_config() for f in self.filters],
            "dimension_separator": self.dimension_separator,
            "compressor": None if self.compressor is None else self.compressor.get_config(),
            "zarr_format": 2,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArrayV2Metadata:
        from zarrc.metadata import parse_array_metadata_v2

        attributes = data.get("attributes")
        doc = {k: v for k, v in data.items() if k != "attributes"}
        meta = public_metadata(parse_array_metadata_v2(doc, attributes, ".zarray"), doc)
        assert isinstance(meta, ArrayV2Metadata)  # parsed as v2
        return meta


@dataclass(frozen=True)
class ConsolidatedMetadata:
    """The metadata of a group's descendants, nested as zarr-python nests it."""

    metadata: dict[str, Any] = field(default_factory=dict)
    kind: str = "inline"
    must_understand: bool = False

    @property
    def flattened_metadata(self) -> dict[str, Any]:
        """Every descendant by its path relative to the group."""
        out: dict[str, Any] = {}
        for name, node in self.metadata.items():
            out[name] = node
            if isinstance(node, GroupMetadata) and node.consolidated_metadata is not None:
                for sub, meta in node.consolidated_metadata.flattened_metadata.items():
                    out[f"{name}/{sub}"] = meta
        return out

    def to_dict(self) -> dict[str, Any]:
        flat = self.flattened_metadata
        return {"kind": self.kind, "must_understand": self.must_understand,
                "metadata": {k: flat[k].to_dict() for k in sorted(flat, key=_entry_order)}}


@dataclass(frozen=True)
class GroupMetadata:
    """A group's metadata with zarr-python's fields."""

    attributes: dict[str, Any] = field(default_factory=dict)
    zarr_format: int = 3
    consolidated_metadata: ConsolidatedMetadata | None = None
    node_type: str = "group"

    def __post_init__(self) -> None:
        if self.attributes is None:
            object.__setattr__(self, "attributes", {})

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"attributes": copy.deepcopy(self.attributes),
                               "zarr_format": self.zarr_format}
        if self.zarr_format == 3 and self.consolidated_metadata is not None:
            doc["consolidated_metadata"] = self.consolidated_metadata.to_dict()
        doc["node_type"] = "group"
        return doc

    def to_internal(self) -> _GroupMeta:
        """zarrc's own group metadata (consolidated entries dropped)."""
        return _GroupMeta(zarr_format=self.zarr_format, attributes=dict(self.attributes))


def _nested(entries: dict[str, Any], nested_groups: bool) -> ConsolidatedMetadata:
    """Flat ``{path: metadata}`` as zarr-python's nested ConsolidatedMetadata."""
    top = {}
    for path in sorted((p for p in entries if p and "/" not in p), key=_entry_order):
        meta = entries[path]
        if isinstance(meta, _GroupMeta):
            prefix = path + "/"
            below = {k[len(prefix):]: v for k, v in entries.items() if k.startswith(prefix)}
            top[path] = GroupMetadata(dict(meta.attributes), meta.zarr_format,
                                      _nested(below, nested_groups) if nested_groups else None)
        else:
            top[path] = public_metadata(meta)
    return ConsolidatedMetadata(metadata=top)


def _key_encoding(meta: ArrayMetadata) -> tuple[str, str]:
    """The name and separator of ``meta``'s chunk key encoding (ArrayMetadata and
    ChunkKeyEncoding fill in the format's defaults when made)."""
    encoding = meta.chunk_key_encoding
    assert encoding is not None and encoding.separator is not None
    return encoding.name, encoding.separator


@overload
def public_metadata(meta: _GroupMeta, document: dict[str, Any] | None = None
                    ) -> GroupMetadata: ...
@overload
def public_metadata(meta: ArrayMetadata, document: dict[str, Any] | None = None
                    ) -> ArrayV2Metadata | ArrayV3Metadata: ...
@overload
def public_metadata(meta: ArrayMetadata | _GroupMeta, document: dict[str, Any] | None = None
                    ) -> ArrayV2Metadata | ArrayV3Metadata | GroupMetadata: ...
def public_metadata(meta: ArrayMetadata | _GroupMeta, document: dict[str, Any] | None = None
                    ) -> ArrayV2Metadata | ArrayV3Metadata | GroupMetadata:
    """zarr-python's metadata object for zarrc's array or group metadata."""
    if isinstance(meta, _GroupMeta):
        cm = meta.consolidated_metadata
        nested = None
        if cm is not None:
            nested = _nested(dict(cm.metadata), meta.zarr_format == 3)
        return GroupMetadata(dict(meta.attributes), meta.zarr_format, nested)
    assert isinstance(meta, ArrayMetadata)
    document = meta.to_json() if document is None else document
    chunks = meta.chunk_grid.chunk_shape  # None for a rectilinear grid (v3 only)
    if meta.zarr_format == 2:
        assert chunks is not None  # v2 has regular grids only
        return ArrayV2Metadata(
            shape=meta.shape, chunks=chunks, dtype=parse_dtype(meta.dtype, zarr_format=2),
            fill_value=meta.fill_value, order=meta.order,
            filters=None if meta.filters is None else tuple(codec_object(f)
                                                            for f in meta.filters),
            dimension_separator=_key_encoding(meta)[1],
            compressor=None if meta.compressor is None else codec_object(meta.compressor),
            attributes=dict(meta.attributes), _document=document)
    name, separator = _key_encoding(meta)
    encoding = (DefaultChunkKeyEncoding(separator) if name == "default"
                else V2ChunkKeyEncoding(separator))
    chunk_shape = chunks if chunks is not None else (1,) * len(meta.shape)
    return ArrayV3Metadata(
        shape=meta.shape, data_type=parse_dtype(meta.dtype, zarr_format=3),
        chunk_grid=meta.chunk_grid, chunk_key_encoding=encoding, fill_value=meta.fill_value,
        codecs=codec_objects(meta.codecs, meta.dtype, chunk_shape),
        attributes=dict(meta.attributes),
        dimension_names=meta.dimension_names, extra_fields=dict(meta.extra_fields),
        _document=document)
