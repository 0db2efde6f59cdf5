"""Where nodes live in a store: paths, format detection, metadata read/write, node creation.

The one place that knows the key layout of a hierarchy (``zarr.json`` in v3; ``.zarray``,
``.zgroup``, ``.zattrs`` in v2) and turns ``create_array``'s keyword arguments into
:class:`~zarrc.metadata.ArrayMetadata`. Arrays, groups and the API build on it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import numpy as np
import numpy.typing as npt

from zarrc.attributes import Attributes, Change
from zarrc.codecs import normalize_codecs
from zarrc.engine.locks import key_lock
from zarrc.engine.update import Modify, update_key
from zarrc.errors import (
    CodecConfigError,
    CodecError,
    ContainsArrayError,
    ContainsGroupError,
    MetadataError,
    NodeNotFoundError,
    ReadOnlyError,
    UnknownCodecConfigError,
    UnknownCodecError,
)
from zarrc.metadata import (
    ZARR_JSON,
    ZARRAY,
    ZATTRS,
    ZGROUP,
    ZMETADATA,
    ArrayMetadata,
    ChunkKeyEncoding,
    GroupMetadata,
    NodeMetadata,
    RectilinearChunkGrid,
    RegularChunkGrid,
    default_fill_value,
    dump_json,
    guess_chunks,
    is_rectilinear_chunks,
    normalize_chunks,
    normalize_dtype,
    normalize_fill_value,
    normalize_shape,
    parse_array_metadata_v2,
    parse_array_metadata_v3,
    parse_chunk_key_encoding,
    parse_group_metadata_v2,
    parse_group_metadata_v3,
    parse_json,
)
from zarrc.storage.base import Store
from zarrc.storage.local import TEMP_PREFIX
from zarrc.storage.store_path import StorePath

if TYPE_CHECKING:
    from typing_extensions import Self

    from zarrc.codecs.encoding import V2JSON, V3JSON

__all__ = [
    "ChunkKeyEncodingLike",
    "Node",
    "ShapeLike",
    "normalize_path",
    "join_path",
    "key_of",
    "read_node",
    "read_node_metadata",
    "node_kind",
    "write_metadata",
    "write_node_document",
    "write_attributes",
    "document_key",
    "document_bytes",
    "update_document",
    "build_array_metadata",
    "check_new_path",
    "codec_config_error",
    "create_node",
    "make_parents",
    "node_lock",
    "refuse_existing",
]


#: A shape as the creating functions take it: one int (1-d) or one int per dimension.
ShapeLike: TypeAlias = int | Sequence[int]
#: A chunk key encoding as given: the object, its name, or its JSON form (also zarr-python's
#: shorthand ``{"name": ..., "separator": ...}``).
ChunkKeyEncodingLike: TypeAlias = ChunkKeyEncoding | str | Mapping[str, Any]


class Node:
    """What arrays and groups share: where they live, read-only state, attributes.

    Subclasses set ``_store``, ``_path``, ``_metadata`` and ``_read_only``, name themselves in
    ``_kind`` and may override ``_metadata_changed`` to drop state derived from metadata.
    """

    _kind = "node"
    _store: Store
    _path: str
    _metadata: NodeMetadata
    _read_only: bool

    @property
    def store(self) -> Store:
        return self._store

    @property
    def path(self) -> str:
        return self._path

    @property
    def name(self) -> str:
        return "/" + self._path

    @property
    def basename(self) -> str:
        return self._path.rsplit("/", 1)[-1]

    @property
    def zarr_format(self) -> int:
        return self._metadata.zarr_format

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def attrs(self) -> Attributes:
        """The attributes; every change is written to the store at once."""
        return Attributes(lambda: self._metadata.attributes, self._update_attributes,
                          self._read_only)

    @property
    def store_path(self) -> StorePath:
        """zarr-python's ``StorePath`` of the node: its store and path."""
        return StorePath(self._store, self._path)

    def update_attributes(self, new_attributes: dict[str, Any]) -> Self:
        """Merge ``new_attributes`` into the attributes (one write); returns the node."""
        self.attrs.update(new_attributes)
        return self

    def __eq__(self, other: object) -> bool:
        """Two handles on the same node (same kind, store, path and metadata) are equal."""
        if not isinstance(other, Node) or other._kind != self._kind:
            return NotImplemented
        return (other._store == self._store and other._path == self._path
                and other._metadata == self._metadata)

    def __hash__(self) -> int:
        return hash((self._kind, self._path))

    def _update_attributes(self, change: Change) -> None:
        """Apply ``change`` to the attributes as stored (:func:`update_document`), and adopt
        the stored metadata (so a change through an old handle undoes nothing done since)."""
        key = key_of(self._path, ZARR_JSON if self.zarr_format == 3 else ZATTRS)
        done: list[Any] = []

        def modify(data: bytes | None, exclusive: bool) -> bytes | None:
            meta, document = self._reread({key: data})
            meta = meta.with_attributes(change(dict(meta.attributes)))
            done[:] = [meta, document]
            if meta.zarr_format == 3:
                return document_bytes(meta)
            if meta.attributes or not exclusive:  # no conditional delete: an empty document
                return dump_json(dict(meta.attributes))
            return None

        with node_lock(self._store, self._path):
            update_document(self._store, key, modify)
        meta, document = done
        self._adopt(meta, document if meta.zarr_format == 2 else None)

    def _reread(
        self, known: dict[str, bytes | None] | None = None
    ) -> tuple[NodeMetadata, dict[str, Any]]:
        """``(metadata, document)`` of this node as stored now (call it under the node lock);
        ``known``: ``{key: bytes}`` of its documents already read (see :func:`read_node`)."""
        meta, document = read_node(self._store, self._path, self.zarr_format, known)
        if type(meta) is not type(self._metadata):
            kind = "an array" if isinstance(meta, ArrayMetadata) else "a group"
            raise NodeNotFoundError(f"{self._kind} {self.name!r} of {self._store!r} was "
                                    f"replaced by {kind}")
        return meta, document

    def _adopt(self, meta: NodeMetadata, document: dict[str, Any] | None = None) -> None:
        """Make ``meta`` (as stored) this handle's metadata."""
        self._metadata = meta
        self._metadata_changed()

    def _metadata_changed(self) -> None:
        """Hook: the node's metadata was replaced."""

    def _check_writable(self) -> None:
        if self._read_only:
            raise ReadOnlyError(f"{self._kind} {self.name!r} of {self._store!r} is read-only")


def normalize_path(path: str | None) -> str:
    """A node path as ``a/b/c`` ('' for the root); hostile paths raise ``ValueError``.

    Leading and trailing slashes are dropped; ``.``/``..`` segments, empty segments,
    backslashes and NUL bytes are refused so no node can point outside the store root.
    """
    if path is None:
        return ""
    if not isinstance(path, str):
        raise TypeError(f"a node path must be a str, got {type(path).__name__}")
    stripped = path.strip("/")
    if not stripped:
        return ""
    for bad in ("\\", "\x00"):
        if bad in stripped:
            raise ValueError(f"invalid node path {path!r}: contains {bad!r}")
    parts = stripped.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise ValueError(f"invalid node path {path!r}: segment {part!r} is not allowed")
    return "/".join(parts)


def join_path(parent: str, name: str) -> str:
    """``parent/name`` for normalized paths."""
    name = normalize_path(name)
    return f"{parent}/{name}" if parent and name else (parent or name)


def key_of(path: str, name: str) -> str:
    """The store key of metadata document ``name`` of the node at ``path``."""
    return f"{path}/{name}" if path else name


def node_lock(store: Store, path: str) -> contextlib.AbstractContextManager[None]:
    """The lock of every read-modify-write of the node at ``path``'s metadata (attributes,
    shape, creation, removal, consolidation), across threads and, where the store can lock,
    processes. One key per node whatever its format or kind: its ``zarr.json`` key."""
    return key_lock(store, key_of(path, ZARR_JSON), document=True)


def update_document(store: Store, key: str, modify: Modify) -> None:
    """Replace the metadata document ``key`` by ``modify(stored bytes, exclusive)``; call it
    holding the node's :func:`node_lock`.

    The one mechanism of chunk updates (:func:`zarrc.engine.update.update_key`): where the
    store has conditional writes (object stores, databases: no lock other processes see) the
    document is stored only if unchanged since it was read, else read and modified again, so
    concurrent updates from several processes lose nothing; elsewhere the node's lock (a file
    lock on a LocalStore) keeps other writers out while it is re-read and rewritten.
    """
    update_key(store, key, modify)


def _attrs(data: bytes | None, key: str) -> dict[str, Any]:
    if data is None:
        return {}
    return parse_json(data, key)


def read_node_metadata(store: Store, path: str, zarr_format: int | None = None) -> NodeMetadata:
    """The metadata of the node at ``path``: an ArrayMetadata or a GroupMetadata.

    With ``zarr_format=None`` the format is detected: ``zarr.json`` (v3) first, then v2.
    Raises NodeNotFoundError when there is no node, MetadataError when it is malformed.
    """
    return read_node(store, path, zarr_format)[0]


def read_node(store: Store, path: str, zarr_format: int | None = None,
              known: dict[str, bytes | None] | None = None) -> tuple[NodeMetadata, dict[str, Any]]:
    """``(metadata, stored document)`` of the node at ``path`` (see read_node_metadata).
    ``known``: ``{key: bytes or None}`` of documents already read (with their versions, for
    an update), used instead of reading them again."""
    if zarr_format not in (None, 2, 3):
        raise ValueError(f"zarr_format must be 2, 3 or None, got {zarr_format!r}")
    known = known or {}
    if zarr_format in (None, 3):
        key = key_of(path, ZARR_JSON)
        data = known[key] if key in known else store.get(key)
        if data is not None:
            doc = parse_json(data, key)
            kind = doc.get("node_type")
            if kind == "array":
                return parse_array_metadata_v3(doc, key), doc
            if kind == "group":
                return parse_group_metadata_v3(doc, key), doc
            raise MetadataError(f"{key}: field 'node_type' must be 'array' or 'group', got {kind!r}")
    if zarr_format in (None, 2):
        keys = [key_of(path, n) for n in (ZARRAY, ZGROUP, ZATTRS)]
        missing = [k for k in keys if k not in known]
        found = dict(zip(missing, store.get_many(missing)), **known)
        zarray, zgroup, zattrs = (found[k] for k in keys)
        if zarray is not None:
            doc = parse_json(zarray, keys[0])
            return parse_array_metadata_v2(doc, _attrs(zattrs, keys[2]), keys[0]), doc
        if zgroup is not None:
            doc = parse_json(zgroup, keys[1])
            return parse_group_metadata_v2(doc, _attrs(zattrs, keys[2]), keys[1]), doc
    where = f"path {path!r}" if path else "the store root"
    if zarr_format is None:
        raise NodeNotFoundError(f"no array or group at {where} of {store!r}")
    other = _other_format_node(store, path, zarr_format)
    there = f"; a Zarr v{5 - zarr_format} {other} is there (open it with zarr_format=" \
        f"{5 - zarr_format} or None)" if other else ""
    raise NodeNotFoundError(f"no Zarr v{zarr_format} array or group at {where} of "
                            f"{store!r}{there}")


def _other_format_node(store: Store, path: str, zarr_format: int) -> str | None:
    """'array' or 'group' when the other format has a node at ``path``, else None."""
    if zarr_format == 2:
        data = store.get(key_of(path, ZARR_JSON))
        try:
            kind = parse_json(data, ZARR_JSON).get("node_type") if data is not None else None
        except MetadataError:
            return None
        return kind if kind in ("array", "group") else None
    if store.exists(key_of(path, ZARRAY)):
        return "array"
    return "group" if store.exists(key_of(path, ZGROUP)) else None


def node_kind(store: Store, path: str) -> str | None:
    """'array', 'group' or None, reading as little as possible."""
    try:
        meta = read_node_metadata(store, path)
    except NodeNotFoundError:
        return None
    return "array" if isinstance(meta, ArrayMetadata) else "group"


def write_metadata(store: Store, path: str, meta: NodeMetadata) -> None:
    """Store a node's metadata document(s) (v2: attributes go to ``.zattrs``)."""
    write_node_document(store, path, meta)
    if meta.zarr_format == 2:
        write_attributes(store, path, meta)


def document_key(path: str, meta: NodeMetadata) -> str:
    """The key of the node's main document: ``zarr.json``, or v2's ``.zarray`` / ``.zgroup``."""
    if meta.zarr_format == 3:
        return key_of(path, ZARR_JSON)
    return key_of(path, ZARRAY if isinstance(meta, ArrayMetadata) else ZGROUP)


def document_bytes(meta: NodeMetadata) -> bytes:
    """The stored bytes of the node's main document (v2: without its attributes)."""
    return dump_json(meta.to_json())


def write_node_document(store: Store, path: str, meta: NodeMetadata) -> None:
    """Store the node's main document only: ``zarr.json`` (attributes included), or v2's
    ``.zarray`` / ``.zgroup`` (``.zattrs`` left as it is)."""
    store.set(document_key(path, meta), document_bytes(meta))


def write_attributes(store: Store, path: str, meta: NodeMetadata) -> None:
    """Persist ``meta.attributes`` (v2: ``.zattrs``, removed when empty; v3: ``zarr.json``)."""
    if meta.zarr_format == 3:
        store.set(key_of(path, ZARR_JSON), document_bytes(meta))
    elif meta.attributes:
        store.set(key_of(path, ZATTRS), dump_json(dict(meta.attributes)))
    else:
        store.delete(key_of(path, ZATTRS))


def codec_config_error(exc: CodecError, message: str) -> CodecConfigError:
    """The public error for metadata naming the codec ``exc`` complains about:
    :class:`UnknownCodecConfigError` for an unknown one, else :class:`CodecConfigError`."""
    cls = UnknownCodecConfigError if isinstance(exc, UnknownCodecError) else CodecConfigError
    return cls(message)


_RESERVED_NAMES = frozenset({ZARR_JSON, ZARRAY, ZATTRS, ZGROUP, ZMETADATA})


def check_new_path(path: str) -> None:
    """Refuse (ValueError) a node path with a segment that names a metadata document of
    either format or looks like one of zarrc's temporary files: such a node would collide with
    them (and readers would take its directory for a document)."""
    for segment in path.split("/") if path else ():
        if segment in _RESERVED_NAMES or segment.startswith(TEMP_PREFIX):
            raise ValueError(f"invalid node name {segment!r} in {path!r}: it is reserved "
                             f"(metadata documents {sorted(_RESERVED_NAMES)} and zarrc's "
                             f"temporary files {TEMP_PREFIX + '*'!r})")


def create_node(store: Store, path: str, meta: NodeMetadata, *, overwrite: bool) -> None:
    """Store a new node's metadata at ``path``: refuse, or clear, what is there.

    Raises ContainsArrayError / ContainsGroupError when a node exists and ``overwrite`` is
    false. Missing parent groups are created (as zarr-python does) so the hierarchy stays
    navigable. Each node is checked and written under its lock, parents first and one at a
    time (on a store with conditional writes, its document is stored only if still absent),
    so of two writers creating the same node one gets the error and nothing is lost.
    A reserved name (:func:`check_new_path`) raises ValueError before anything is written.
    """
    check_new_path(path)
    make_parents(store, path, meta.zarr_format)
    with node_lock(store, path):
        if overwrite:
            store.delete_prefix(f"{path}/" if path else "")  # the node's documents are under it
            write_metadata(store, path, meta)
            return

        def created(data: bytes | None, exclusive: bool) -> bytes:
            refuse_existing(store, path)  # stored only if the document is still absent
            return document_bytes(meta)

        update_document(store, document_key(path, meta), created)
        if meta.zarr_format == 2:  # .zattrs once the node exists (keeping what others set since)
            update_document(store, key_of(path, ZATTRS),
                            lambda data, exclusive: _new_attributes(meta, path, data, exclusive))


def _new_attributes(
    meta: NodeMetadata, path: str, data: bytes | None, exclusive: bool
) -> bytes | None:
    """The ``.zattrs`` of a v2 node just created with ``meta``: as :func:`write_attributes`
    when no one else can have written it, else merged under what others stored meanwhile."""
    if exclusive:
        return dump_json(dict(meta.attributes)) if meta.attributes else None
    if not meta.attributes:
        return data
    return dump_json({**meta.attributes, **_attrs(data, key_of(path, ZATTRS))})


def refuse_existing(store: Store, path: str) -> None:
    """Raise ContainsArrayError / ContainsGroupError if a node is at ``path``."""
    existing = node_kind(store, path)
    if existing is not None:
        cls = ContainsArrayError if existing == "array" else ContainsGroupError
        where = f"path {path!r}" if path else "the store root"
        article = "an" if existing == "array" else "a"
        raise cls(f"{article} {existing} already exists at {where} of {store!r}; "
                  "pass overwrite=True")


def make_parents(store: Store, path: str, zarr_format: int) -> None:
    """Create the missing groups above ``path`` (an array there is ContainsArrayError), each
    checked and written under its lock, shallowest first."""
    parts = path.split("/") if path else []
    for depth in range(len(parts)):
        _make_parent(store, "/".join(parts[:depth]), path, zarr_format)


def _make_parent(store: Store, parent: str, path: str, zarr_format: int) -> None:
    group = GroupMetadata(zarr_format=zarr_format, attributes={})

    def made(data: bytes | None, exclusive: bool) -> bytes | None:
        kind = node_kind(store, parent)
        if kind == "array":
            raise ContainsArrayError(f"cannot create {path!r}: {parent or 'the root'!r} is an array")
        return document_bytes(group) if kind is None else data

    with node_lock(store, parent):
        update_document(store, document_key(parent, group), made)


_DEFAULT = object()  # fill_value not given


def _chunk_key_encoding(
    zarr_format: int, chunk_key_encoding: ChunkKeyEncodingLike | None,
    dimension_separator: str | None,
) -> ChunkKeyEncoding:
    if zarr_format == 2:
        if chunk_key_encoding is not None:
            raise ValueError("chunk_key_encoding is a v3 setting; use dimension_separator for zarr_format=2")
        sep = "." if dimension_separator is None else dimension_separator
        return parse_chunk_key_encoding({"name": "v2", "configuration": {"separator": sep}}, "create_array")
    if dimension_separator is not None and chunk_key_encoding is not None:
        raise ValueError("pass either chunk_key_encoding or dimension_separator, not both")
    if isinstance(chunk_key_encoding, ChunkKeyEncoding):
        return chunk_key_encoding
    if chunk_key_encoding is None:
        sep = "/" if dimension_separator is None else dimension_separator
        return parse_chunk_key_encoding({"name": "default", "configuration": {"separator": sep}}, "create_array")
    if isinstance(chunk_key_encoding, str):
        chunk_key_encoding = {"name": chunk_key_encoding}
    cfg = dict(chunk_key_encoding)
    if "separator" in cfg:  # zarr-python's shorthand {"name": ..., "separator": ...}
        cfg = {"name": cfg["name"], "configuration": {"separator": cfg["separator"]}}
    return parse_chunk_key_encoding(cfg, "create_array")


def _rectilinear_grid(
    chunks: Any, shape: tuple[int, ...], zarr_format: int, shards: Any
) -> RectilinearChunkGrid:
    """A rectilinear grid from dask-style chunks: per dimension an int or edge lengths."""
    if zarr_format != 3:
        raise ValueError("rectilinear (irregular) chunks need zarr_format=3")
    if shards is not None:
        raise ValueError("rectilinear chunks cannot be combined with shards")
    if len(chunks) != len(shape):
        raise ValueError(f"chunks has {len(chunks)} entries for {len(shape)} dimensions")
    entries = tuple(entry if isinstance(entry, int) else tuple(entry) for entry in chunks)
    grid = RectilinearChunkGrid(entries)
    grid.check(shape)
    return grid


def _partition_shards(
    shards: Any, chunks: Any, shape: tuple[int, ...], itemsize: int
) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """``(shard_shape, inner_chunk_shape, index_location)`` as zarr-python 3.1.6 derives them.

    ``shards`` is a shape, ``"auto"`` (two chunks per shard along dimensions holding more than
    eight chunks) or ``{"shape": ..., "index_location": "start" | "end"}``.
    """
    if isinstance(chunks, str) and chunks == "auto":
        inner = guess_chunks(shape, itemsize, max_bytes=1024 * 1024)
    else:
        inner = normalize_chunks(chunks, shape, itemsize)
    location = "end"
    if isinstance(shards, str) and shards == "auto":
        outer = tuple(c * 2 if n // c > 8 else c for n, c in zip(shape, inner))
    else:
        if isinstance(shards, dict):
            location = shards.get("index_location", "end")
            if location not in ("start", "end"):
                raise ValueError(f"shards: index_location must be 'start' or 'end', "
                                 f"got {location!r}")
            shards = shards["shape"]
        outer = normalize_chunks(shards, shape, itemsize)
    if any(s % c for s, c in zip(outer, inner)):
        raise ValueError(f"the shard shape {outer} must be a multiple of the chunk shape "
                         f"{inner} in every dimension")
    return outer, inner, location


def build_array_metadata(
    *,
    shape: ShapeLike,
    dtype: npt.DTypeLike,
    chunks: Any = "auto",
    shards: Any = None,
    fill_value: Any = _DEFAULT,
    zarr_format: int = 3,
    filters: Any = "auto",
    compressors: Any = "auto",
    serializer: Any = "auto",
    codecs: Any = None,
    order: str = "C",
    attributes: dict[str, Any] | None = None,
    dimension_names: Iterable[str | None] | None = None,
    chunk_key_encoding: ChunkKeyEncodingLike | None = None,
    dimension_separator: str | None = None,
) -> ArrayMetadata:
    """The metadata ``create_array`` stores for these arguments (SPEC.md), validated."""
    if zarr_format not in (2, 3):
        raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    if shards is not None and zarr_format == 2:
        raise ValueError(f"zarr v2 arrays cannot be sharded; got shards={shards!r}")
    if order not in ("C", "F"):
        raise ValueError(f"order must be 'C' or 'F', got {order!r}")
    shape = normalize_shape(shape)
    dt = normalize_dtype(dtype, zarr_format)
    shard_shape, index_location, grid = None, "end", None
    if is_rectilinear_chunks(chunks):
        grid = _rectilinear_grid(chunks, shape, zarr_format, shards)
        chunk_shape = tuple(int(np.diff(grid.offsets(d, n))[0]) if n else 1
                            for d, n in enumerate(shape))  # the first chunk's shape
    elif shards is None:
        chunk_shape = normalize_chunks(chunks, shape, dt.itemsize)
    else:
        shard_shape, chunk_shape, index_location = _partition_shards(
            shards, chunks, shape, dt.itemsize)
    # As zarr-python 3: no fill_value given means the dtype's default in both formats; an
    # explicit None means the default in v3 and "fill_value": null in v2.
    fill = (default_fill_value(dt) if fill_value is _DEFAULT
            else normalize_fill_value(fill_value, dt, zarr_format))
    if dimension_names is not None:
        dimension_names = tuple(dimension_names)
        if len(dimension_names) != len(shape):
            raise ValueError(
                f"dimension_names has {len(dimension_names)} names for {len(shape)} dimensions"
            )
        if zarr_format == 2:
            raise ValueError("dimension_names are a v3 feature; zarr_format=2 cannot store them")
    try:
        stored_codecs = normalize_codecs(
            zarr_format=zarr_format, dtype=dt, filters=filters, compressors=compressors,
            serializer=serializer, codecs=codecs, order=order, chunk_shape=chunk_shape,
        )
    except CodecError as exc:  # a bad codec request is bad metadata; nothing is written yet
        raise codec_config_error(exc, str(exc)) from None
    # normalize_codecs answers in the format asked for: v2 (filters, compressor), v3 codecs
    v3_codecs: tuple[dict[str, Any], ...] = ()
    v2_filters: tuple[dict[str, Any], ...] | None = None
    compressor: dict[str, Any] | None = None
    if zarr_format == 2:
        v2_filters, compressor = cast("V2JSON", stored_codecs)
    else:
        v3_codecs = cast("V3JSON", stored_codecs)
    if shard_shape is not None:  # as zarr-python: one sharding codec wrapping the pipeline
        v3_codecs = ({"name": "sharding_indexed", "configuration": {
            "chunk_shape": list(chunk_shape),
            "codecs": [dict(c) for c in v3_codecs],
            "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                             {"name": "crc32c"}],
            "index_location": index_location,
        }},)
        chunk_shape = shard_shape
    common = dict(
        shape=shape,
        chunk_grid=grid if grid is not None else RegularChunkGrid(chunk_shape),
        dtype=dt,
        fill_value=fill,
        chunk_key_encoding=_chunk_key_encoding(zarr_format, chunk_key_encoding, dimension_separator),
        dimension_names=dimension_names,
        attributes=dict(attributes or {}),
        extra_fields={},
    )
    if zarr_format == 3:
        return ArrayMetadata(zarr_format=3, order="C", codecs=tuple(v3_codecs), filters=None,
                             compressor=None, **common)
    return ArrayMetadata(zarr_format=2, order=order, codecs=(), filters=v2_filters,
                         compressor=compressor, **common)


def fill_array(meta: ArrayMetadata) -> npt.NDArray[Any]:
    """The fill value as a 0-d array of the array's dtype (the dtype's default, e.g. 0 or
    b"", for a v2 ``null`` fill)."""
    out = np.empty((), dtype=meta.dtype)
    out[()] = default_fill_value(meta.dtype) if meta.fill_value is None else meta.fill_value
    return out
