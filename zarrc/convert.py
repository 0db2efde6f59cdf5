"""Conversion between Zarr formats and stores: copy a node tree, or upgrade v2 metadata in place.

:func:`convert` copies an array or a whole group tree to another store and/or format, chunk by
stored chunk, so memory holds one source chunk at a time and chunks that were never written
stay unwritten.  :func:`upgrade_v2_to_v3` rewrites only the metadata of a v2 node tree as v3
``zarr.json`` documents with the ``v2`` chunk key encoding, so every chunk file stays as it is.

Codec translation follows zarr-python 3's ``zarr.metadata.migrate_v3``: v2 ``order: "F"``
becomes a leading ``transpose`` codec (axes reversed), filters become ``numcodecs.<id>``
codecs, the v2 dtype's byte order becomes the ``bytes`` codec's ``endian``, and the compressor
becomes its v3 codec (``blosc``, ``zstd``, ``gzip`` by their core names, with blosc's
``typesize`` the item size of what v2 hands it: the filtered dtype's, 1 after a bytes-producing
filter; zarr-python takes the array's item size; others as ``numcodecs.<id>``).  v3 to v2 is
the reverse where v2 can say it; a sharded array becomes a v2 array of its inner chunks.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from zarrc import nodes
from zarrc import progress as progress_bars
from zarrc.api import consolidate_metadata
from zarrc.array import Array
from zarrc.codecs import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    ChunkSpec,
    Codec,
    get_codec,
    normalize_codecs,
)
from zarrc.errors import CodecError, MetadataError, NodeNotFoundError, ReadOnlyError
from zarrc.group import Group, open_node
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
    RegularChunkGrid,
    default_fill_value,
    dtype_to_v3,
    dump_json,
)
from zarrc.storage import Store, StoreLike, make_store

if TYPE_CHECKING:
    from zarrc.codecs.encoding import V2JSON, V3JSON

#: One node of a copy: the source, the destination path and the destination's metadata.
_CopyStep = tuple[Array, str, ArrayMetadata] | tuple[Group, str, GroupMetadata]
#: One node of an in-place upgrade: its path, its v3 metadata (None: only old documents to
#: remove) and its metadata before.
_UpgradeStep = tuple[str, NodeMetadata | None, NodeMetadata]

__all__ = ["convert", "upgrade_v2_to_v3"]

_BLOSC_SHUFFLE = {0: "noshuffle", 1: "shuffle", 2: "bitshuffle"}
_OBJECT_CODECS = ("vlen-utf8", "vlen-bytes")
_XARRAY_DIMENSIONS = "_ARRAY_DIMENSIONS"  # where xarray keeps dimension names in v2
_V2_DOCS = (ZARRAY, ZGROUP, ZATTRS, ZMETADATA)


def _error(key: str, field: str, message: str) -> MetadataError:
    return MetadataError(f"{key}: field {field!r}: {message}")


def _label(codec: Codec) -> str:
    return codec._label()


def _v2_chunks(meta: ArrayMetadata) -> tuple[int, ...]:
    """The chunk shape of a v2 array (v2 has regular grids only)."""
    shape = meta.chunk_grid.chunk_shape
    assert shape is not None
    return shape


def _key_encoding(meta: ArrayMetadata) -> ChunkKeyEncoding:
    """``meta``'s chunk key encoding (ArrayMetadata fills in the format's default when made)."""
    encoding = meta.chunk_key_encoding
    assert encoding is not None
    return encoding


# ------------------------------------------------------------------------ v2 -> v3 codecs


def _native(dtype: np.dtype) -> np.dtype:
    """``dtype`` in native byte order (v3 keeps byte order in the ``bytes`` codec)."""
    return dtype if dtype.byteorder in "=|" else dtype.newbyteorder("=")


def _endian(dtype: np.dtype) -> str | None:
    if dtype.byteorder == "|" or dtype.itemsize == 1:
        return None
    if dtype.byteorder == "=":
        return sys.byteorder
    return "big" if dtype.byteorder == ">" else "little"


def _v3_dtype(meta: ArrayMetadata, key: str) -> np.dtype:
    """The v3 data type of a v2 array, or a MetadataError naming ``dtype``."""
    native = _native(meta.dtype)
    try:
        dtype_to_v3(native)
    except MetadataError:
        raise _error(key, "dtype", f"{meta.dtype.str!r} has no Zarr v3 data type; the array "
                     "cannot be stored as zarr_format=3") from None
    return native


def _v2_codec(config: dict[str, Any], key: str, field: str) -> Codec:
    try:
        return get_codec(config, 2)
    except CodecError as exc:
        raise _error(key, field, str(exc)) from None


def _compressor_to_v3(config: dict[str, Any], itemsize: int, key: str) -> dict[str, Any]:
    """The v3 form of a v2 compressor; blosc gets as its typesize ``itemsize``, the item size
    of the buffer v2 hands it (what numcodecs' Blosc encodes with)."""
    codec = _v2_codec(config, key, "compressor")
    if not isinstance(codec, BytesBytesCodec):
        raise _error(key, "compressor", f"codec {config.get('id')!r} is not bytes→bytes")
    if config.get("id") == "blosc":
        shuffle = int(config.get("shuffle", 1))
        if shuffle == -1:
            shuffle = 2 if itemsize == 1 else 1
        v3 = {"name": "blosc", "configuration": {
            "typesize": itemsize,
            "cname": config.get("cname", "lz4"),
            "clevel": int(config.get("clevel", 5)),
            "shuffle": _BLOSC_SHUFFLE.get(shuffle, shuffle),
            "blocksize": int(config.get("blocksize", 0)),
        }}
        return get_codec(v3, 3).to_json_v3()
    return codec.to_json_v3()


def v2_codecs_to_v3(meta: ArrayMetadata, key: str) -> tuple[dict[str, Any], ...]:
    """The v3 ``codecs`` list that decodes the chunks of the v2 array ``meta`` unchanged.

    Raises MetadataError naming ``key`` and the field (``filters[i]``, ``compressor``) when a
    codec has no v3 place (an array→array filter after a bytes→bytes one, an unknown codec).
    """
    out: list[dict[str, Any]] = []
    if meta.order == "F" and meta.ndim > 0:  # 1-d too, as zarr-python (transpose [0])
        out.append({"name": "transpose",
                    "configuration": {"order": list(range(meta.ndim - 1, -1, -1))}})
    serializer: dict[str, Any] | None = None
    after_bytes: list[dict[str, Any]] = []
    spec = ChunkSpec(meta.chunk_grid.chunk_shape or (), meta.dtype)  # as the filters pass it on
    for i, config in enumerate(meta.filters or ()):
        field = f"filters[{i}]"
        codec = _v2_codec(config, key, field)
        if isinstance(codec, ArrayArrayCodec) and serializer is None and not after_bytes:
            out.append(codec.to_json_v3())
            spec = codec.resolve(spec)
        elif isinstance(codec, ArrayBytesCodec) and serializer is None and not after_bytes:
            serializer = codec.to_json_v3()  # e.g. vlen-utf8: the v3 array→bytes codec
        elif isinstance(codec, BytesBytesCodec):
            after_bytes.append(codec.to_json_v3())
        else:
            raise _error(key, field, f"filter {config.get('id')!r} ({codec.kind}) cannot follow "
                         "a bytes-producing filter in a Zarr v3 codec list")
    if serializer is None:
        endian = _endian(meta.dtype)
        serializer = ({"name": "bytes", "configuration": {"endian": endian}} if endian
                      else {"name": "bytes"})
    out.append(serializer)
    out.extend(after_bytes)
    if meta.compressor is not None:
        # v2 hands the compressor the filtered array, or bytes after a bytes-producing filter
        flat = spec.dtype.kind not in "OT" and serializer["name"] == "bytes" and not after_bytes
        itemsize = (spec.dtype.itemsize or 1) if flat else 1
        out.append(_compressor_to_v3(meta.compressor, itemsize, key))
    return tuple(out)


def _names_from_attributes(attrs: dict[str, Any], ndim: int) -> tuple[Any, ...] | None:
    """v2 -> v3: xarray's ``_ARRAY_DIMENSIONS`` attribute as ``dimension_names``, taken out of
    ``attrs`` (xarray's own v3 output has names and no such attribute)."""
    names = attrs.get(_XARRAY_DIMENSIONS)
    if isinstance(names, list) and len(names) == ndim and all(isinstance(n, str) for n in names):
        del attrs[_XARRAY_DIMENSIONS]
        return tuple(names)
    return None


def _names_to_attributes(src: ArrayMetadata, attrs: dict[str, Any], key: str) -> None:
    """v3 -> v2: ``dimension_names`` as xarray's ``_ARRAY_DIMENSIONS`` attribute (warning
    when they cannot be: an unnamed dimension, or the attribute already set otherwise)."""
    names = src.dimension_names
    if names is None:
        return
    if all(isinstance(n, str) for n in names) and attrs.get(_XARRAY_DIMENSIONS,
                                                             list(names)) == list(names):
        attrs[_XARRAY_DIMENSIONS] = list(names)
        return
    warnings.warn(f"{key}: dimension_names {list(names)} are dropped: Zarr v2 has no place "
                  f"for them (xarray's {_XARRAY_DIMENSIONS!r} attribute needs a name for "
                  "every dimension)", UserWarning, stacklevel=2)


def _v2_to_v3_metadata(meta: ArrayMetadata, key: str, codecs: tuple[dict[str, Any], ...],
                       encoding: ChunkKeyEncoding) -> ArrayMetadata:
    dtype = _v3_dtype(meta, key)
    fill = default_fill_value(dtype) if meta.fill_value is None else meta.fill_value
    attrs = dict(meta.attributes)
    names = _names_from_attributes(attrs, meta.ndim)
    return ArrayMetadata(zarr_format=3, shape=meta.shape, chunk_grid=meta.chunk_grid,
                         dtype=dtype, fill_value=np.asarray(fill).astype(dtype)[()],
                         chunk_key_encoding=encoding, codecs=codecs, dimension_names=names,
                         attributes=attrs)


# ------------------------------------------------------------------------ v3 -> v2 codecs


def _split(codecs: list[Codec], key: str
           ) -> tuple[list[ArrayArrayCodec], ArrayBytesCodec | None, list[BytesBytesCodec]]:
    aa: list[ArrayArrayCodec] = []
    ab: list[ArrayBytesCodec] = []
    bb: list[BytesBytesCodec] = []
    for i, codec in enumerate(codecs):
        bad = ((isinstance(codec, ArrayArrayCodec) and (ab or bb))
               or (isinstance(codec, ArrayBytesCodec) and (ab or bb)))
        if bad:
            raise _error(key, f"codecs[{i}]", f"codec {_label(codec)!r} is out of order")
        if isinstance(codec, ArrayArrayCodec):
            aa.append(codec)
        elif isinstance(codec, ArrayBytesCodec):
            ab.append(codec)
        else:
            bb.append(cast(BytesBytesCodec, codec))  # every codec is of one of the three kinds
    return aa, (ab[0] if ab else None), bb


def _codecs_to_v2(codecs: list[Codec], dtype: np.dtype, ndim: int, key: str) -> tuple[Any, ...]:
    """``(order, dtype, filters, compressor)`` of a v2 array storing what ``codecs`` store.

    A leading ``transpose`` that reverses the axes becomes ``order="F"``; the ``bytes``
    codec's ``endian`` becomes the dtype's byte order; the last bytes→bytes codec becomes the
    compressor and every other codec a filter.  Anything else raises MetadataError naming it.
    """
    aa, ab, bb = _split(codecs, key)
    object_codec = None  # v2 writes variable-length strings/bytes as |O with this first filter
    order = "C"
    if aa and _label(aa[0]) == "transpose":
        given = aa[0].get_config()["order"]
        reverse = list(range(ndim - 1, -1, -1))
        if isinstance(given, str):
            perm = list(range(ndim)) if given == "C" else reverse
        else:
            perm = list(given)
        if perm == reverse:  # for one dimension also the identity: keep a v2 order "F"
            order = "F"
        elif perm != list(range(ndim)):
            raise _error(key, "codecs[0]", f"transpose order {perm} has no Zarr v2 form (only "
                         "the full reversal, order 'F', has)")
        aa = aa[1:]
    if ab is not None and _label(ab) in _OBJECT_CODECS:
        if aa:
            raise _error(key, "codecs", f"codec {_label(aa[0])!r} before {_label(ab)!r} has no "
                         "Zarr v2 form (v2's object codec must come first)")
        object_codec = ab.to_json_v2()
    elif ab is not None:
        if _label(ab) not in ("bytes", "endian"):
            raise _error(key, "codecs", f"codec {_label(ab)!r} has no Zarr v2 form")
        endian = ab.get_config().get("endian")
        if endian and dtype.itemsize > 1 and dtype.byteorder != "|":
            dtype = dtype.newbyteorder(">" if endian == "big" else "<")
    stages: list[Codec] = [*aa, *bb]
    configs = []
    for codec in stages:
        if codec.codec_id is None:
            raise _error(key, "codecs", f"codec {_label(codec)!r} has no Zarr v2 form")
        configs.append(codec.to_json_v2())
    compressor = configs.pop() if bb else None
    if object_codec is not None:
        configs.insert(0, object_codec)
    filters, compressor = cast("V2JSON", normalize_codecs(  # as zarr-python writes them
        zarr_format=2, dtype=dtype, filters=configs or None, compressors=compressor))
    return order, dtype, filters, compressor


def _parse_v3_codecs(items: Iterable[Any], fmt: int, key: str) -> list[Codec]:
    try:
        return [get_codec(item, fmt) for item in items]
    except CodecError as exc:
        raise _error(key, "codecs", str(exc)) from None


# ------------------------------------------------------------------------ target metadata


def _sharding(meta: ArrayMetadata) -> dict[str, Any] | None:
    if meta.zarr_format == 3 and len(meta.codecs) == 1 \
            and meta.codecs[0].get("name") == "sharding_indexed":
        return meta.codecs[0].get("configuration") or {}
    return None


def _as_list(codecs: Any) -> list[Any]:
    if isinstance(codecs, (str, dict, Codec)):
        return [codecs]
    return list(codecs)


def target_metadata(src: ArrayMetadata, zarr_format: int, codecs: Any, key: str
                    ) -> ArrayMetadata:
    """The metadata of the converted copy of the array ``src`` (documented in :func:`convert`)."""
    attrs = dict(src.attributes)
    if zarr_format == 3:
        if src.zarr_format == 3:
            encoding, names, extra = src.chunk_key_encoding, src.dimension_names, src.extra_fields
            dtype, fill = src.dtype, src.fill_value
        else:
            encoding, extra = ChunkKeyEncoding("default"), {}
            names = _names_from_attributes(attrs, src.ndim)
            dtype = _v3_dtype(src, key)
            fill = default_fill_value(dtype) if src.fill_value is None else src.fill_value
        if codecs is not None:
            try:
                # A rectilinear grid has no one chunk shape: its codecs are checked when
                # the copy's pipeline is built (_plan_copy), as create_array does.
                stored = cast("V3JSON", normalize_codecs(
                    zarr_format=3, dtype=dtype, codecs=_as_list(codecs),
                    chunk_shape=src.chunk_grid.chunk_shape))  # None when rectilinear
            except (CodecError, ValueError) as exc:
                raise _error(key, "codecs", str(exc)) from None
        elif src.zarr_format == 3:
            stored = src.codecs
        else:
            stored = v2_codecs_to_v3(src, key)
        return ArrayMetadata(zarr_format=3, shape=src.shape, chunk_grid=src.chunk_grid,
                             dtype=dtype, fill_value=np.asarray(fill).astype(dtype)[()],
                             chunk_key_encoding=encoding, codecs=tuple(stored),
                             dimension_names=names, attributes=attrs, extra_fields=extra)
    if zarr_format != 2:
        raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    if src.zarr_format == 2 and codecs is None:
        return src
    if not isinstance(src.chunk_grid, RegularChunkGrid):
        raise _error(key, "chunk_grid", "a rectilinear chunk grid has no zarr v2 form")
    chunks, source_codecs = src.chunk_grid.chunk_shape, src.codecs
    shard = _sharding(src)
    if shard is not None:  # v2 has no shards: one v2 chunk per inner chunk
        chunks, source_codecs = tuple(shard.get("chunk_shape", chunks)), shard.get("codecs", ())
    _names_to_attributes(src, attrs, key)
    if codecs is not None:
        parsed = _parse_v3_codecs(_as_list(codecs), 2, key)
    else:
        parsed = _parse_v3_codecs(source_codecs, 3, key)
    order, dtype, filters, compressor = _codecs_to_v2(parsed, src.dtype, src.ndim, key)
    src_encoding = _key_encoding(src)
    separator = src_encoding.separator if src_encoding.name == "v2" else "."
    return ArrayMetadata(zarr_format=2, shape=src.shape, chunk_grid=RegularChunkGrid(chunks),
                         dtype=dtype, fill_value=src.fill_value, order=order,
                         chunk_key_encoding=ChunkKeyEncoding("v2", separator), filters=filters,
                         compressor=compressor, attributes=attrs)


# ------------------------------------------------------------------------ copying


def iter_stored_chunks(array: Array) -> Iterator[tuple[int, ...]]:
    """Grid coordinates of the chunks stored for ``array`` (one store listing, no reads)."""
    meta = array._metadata
    prefix = f"{array.path}/" if array.path else ""
    grid = meta.grid_shape
    encoding = _key_encoding(meta)
    for key in array.store.list_prefix(prefix):
        coords = encoding.decode(key[len(prefix):], meta.ndim)
        if coords is not None and all(c < g for c, g in zip(coords, grid)):
            yield coords


def copy_chunks(src: Array, dst: Array, progress: bool | None = None) -> int:
    """Copy every stored chunk of ``src`` into ``dst`` (same shape); how many were copied.

    Each stored source chunk is read on its own and written to the same region of ``dst``,
    whose chunks divide the source's, so memory holds one source chunk at a time and no
    destination chunk is read back. Unstored source chunks read as the fill value and are
    skipped. ``progress``: a bar over the chunks (see :func:`zarrc.progress.wanted`).
    """
    ctx = src._ctx
    count = 0
    stored = list(iter_stored_chunks(src))
    bar = progress_bars.open_bar(progress, len(stored), "chunks", f"copying {src.name}")
    try:
        for coords in stored:
            region = tuple(slice(s, min(s + c, n)) for s, c, n in
                           zip(ctx.chunk_start(coords), ctx.chunk_shape(coords), src.shape))
            dst[region] = src[region]
            count += 1
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return count


def _plan_copy(node: Array | Group, store: Store, path: str, zarr_format: int, codecs: Any,
               plan: list[_CopyStep]) -> None:
    """Append ``(source, destination path, destination metadata)`` for ``node`` and every node
    below it, parents first. Every array's metadata and codec pipeline is built here, so a
    node that cannot be converted fails before anything is written."""
    if isinstance(node, Array):
        key = nodes.key_of(node.path, ZARR_JSON if node.zarr_format == 3 else ZARRAY)
        meta = target_metadata(node._metadata, zarr_format, codecs, key)
        Array(store, path, meta)  # builds the codec pipeline (no I/O)
        plan.append((node, path, meta))
        return
    plan.append((node, path, GroupMetadata(zarr_format=zarr_format,
                                           attributes=dict(node._metadata.attributes))))
    for name, child in _members(node):
        _plan_copy(child, store, nodes.join_path(path, name), zarr_format, codecs, plan)


def _first_new_node(store: Store, path: str) -> str:
    """The shallowest node path on the way to ``path`` (``path`` included) with no node yet:
    what a failed copy to ``path`` removes (with the parents it created)."""
    parts = path.split("/") if path else []
    for depth in range(len(parts) + 1):
        prefix = "/".join(parts[:depth])
        if nodes.node_kind(store, prefix) is None:
            return prefix
    return path


def _remove_node_tree(store: Store, path: str) -> None:
    store.delete_prefix(f"{path}/" if path else "")


def _members(group: Group) -> tuple[tuple[str, Array | Group], ...]:
    """Members as listed in the store (never from possibly stale consolidated metadata)."""
    plain = Group(group.store, group.path, group._metadata.with_consolidated(None),
                  read_only=True)
    return plain.members()


def _has_consolidated(group: Group) -> bool:
    if group._metadata.consolidated_metadata is not None:
        return True
    return group.zarr_format == 2 and group.store.exists(nodes.key_of(group.path, ZMETADATA))


def _open_store(store_like: StoreLike, mode: str,
                storage_options: dict[str, Any] | None) -> Store:
    options = storage_options if isinstance(store_like, (str, os.PathLike)) else None
    return make_store(store_like, mode=mode, storage_options=options)


def _overlaps(a: str, b: str) -> bool:
    return not a or not b or a == b or a.startswith(b + "/") or b.startswith(a + "/")


def convert(source: Array | Group | StoreLike, dest: StoreLike, *, zarr_format: int = 3,
            codecs: Any = None, path: str | None = None, dest_path: str | None = None,
            overwrite: bool = False, storage_options: dict[str, Any] | None = None,
            progress: bool | None = None) -> Array | Group:
    """Copy an array or a whole group tree to ``dest`` in Zarr format ``zarr_format``.

    Parameters
    ----------
    source
        An open :class:`~zarrc.Array` / :class:`~zarrc.Group`, or anything SPEC's ``store``
        accepts (a Store, a path, a URL); ``path`` selects the node inside it.
    dest
        Where to write: anything SPEC's ``store`` accepts; ``dest_path`` is the node path.
    zarr_format : {3, 2}
        The format of the copy.
    codecs
        A codec list for every array of the copy (a v3 pipeline, in any form SPEC accepts a
        codec; for ``zarr_format=2`` it is translated to filters and a compressor). ``None``
        translates each array's own codecs (see the module docstring); a codec v2 cannot
        express (a transpose other than the full reversal, a non-``bytes`` serializer) raises
        MetadataError naming it.
    overwrite
        Replace a node already at ``dest_path``; otherwise that raises ContainsArrayError /
        ContainsGroupError.
    storage_options
        Options for ``source`` and ``dest`` when they are paths or URLs.
    progress
        ``True`` shows a progress bar per array (needs tqdm), ``None`` follows
        ``zarrc.config`` ``progress``.

    Returns
    -------
    Array or Group
        The copy, opened read/write.

    Notes
    -----
    Shape, dtype, chunk grid, fill value (v2 ``null`` becomes the dtype's default in v3) and
    attributes are kept. A v3 copy of a v3 array keeps its codecs, chunk key encoding,
    dimension names and extension fields; a v3 copy of a v2 array uses the ``default`` chunk
    key encoding and turns xarray's ``_ARRAY_DIMENSIONS`` attribute into ``dimension_names``
    (as xarray writes v3). A v2 copy stores dimension names as ``_ARRAY_DIMENSIONS`` (a
    ``UserWarning`` when one is unnamed: they are dropped), variable-length strings and bytes
    as v2 object arrays (``vlen-utf8`` / ``vlen-bytes`` first filter), and a sharded array's
    inner chunks as its v2 chunks. Only stored chunks are read, one at a time; chunks whose
    data equals the fill value are not written. Groups are recreated with their attributes;
    when the source group had consolidated metadata, the copy is consolidated.

    Every node is checked (metadata, codecs) before anything is written; if the copy fails
    later, what it wrote is removed again (with the destination directory or archive when it
    created it), so a failed conversion leaves no partial destination. With ``overwrite``
    the node that was at ``dest_path`` is gone either way.
    """
    if zarr_format not in (2, 3):
        raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    if isinstance(source, (Array, Group)):
        if path is not None:
            raise TypeError("convert: 'path' selects a node in a store; the source is already "
                            "an open node")
        node = source
    else:
        src_store = _open_store(source, "r", storage_options)
        node = open_node(src_store, nodes.normalize_path(path), read_only=True)
    dpath = nodes.normalize_path(dest_path)
    nodes.check_new_path(dpath)
    new_file = (os.fspath(dest) if isinstance(dest, (str, os.PathLike))
                and not os.path.exists(dest) else None)
    dst_store = _open_store(dest, "a", storage_options)
    try:
        progress_bars.wanted(progress)  # a bad value fails before anything is written
        plan, caught = _checked_plan(node, dst_store, dpath, zarr_format, codecs, overwrite)
    except BaseException:
        _discard(dst_store, None, new_file)
        raise
    for warning in caught:  # raised once, at the caller of convert
        warnings.warn(warning.message, warning.category, stacklevel=2)
    first_new = _first_new_node(dst_store, dpath)
    try:
        for i, step in enumerate(plan):
            nodes.create_node(dst_store, step[1], step[2], overwrite=overwrite and i == 0)
            if isinstance(step[0], Array):  # an array's step: (Array, path, ArrayMetadata)
                src, path, meta = step
                copy_chunks(src, Array(dst_store, path, meta), progress)
        result = open_node(dst_store, dpath)
        if isinstance(node, Group) and _has_consolidated(node):
            result = consolidate_metadata(dst_store, dpath)
    except BaseException:
        _discard(dst_store, first_new, new_file)
        raise
    return result


def _checked_plan(node: Array | Group, dst_store: Store, dpath: str, zarr_format: int,
                  codecs: Any, overwrite: bool
                  ) -> tuple[list[_CopyStep], list[warnings.WarningMessage]]:
    """The copy plan (:func:`_plan_copy`) and the warnings it raised, after the checks that
    need no write: a writable destination not overlapping the source, free unless
    ``overwrite``."""
    if dst_store.read_only:
        raise ReadOnlyError(f"cannot convert into read-only {dst_store!r}")
    same = node.store is dst_store or node.store == dst_store or \
        getattr(node.store, "wrapped", None) == dst_store
    if same and _overlaps(node.path, dpath):
        raise ValueError(f"convert: the destination {dpath or '/'!r} overlaps the source "
                         f"{node.path or '/'!r} in the same store")
    if not overwrite:
        nodes.refuse_existing(dst_store, dpath)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan: list[_CopyStep] = []
        _plan_copy(node, dst_store, dpath, zarr_format, codecs, plan)
    return plan, caught


def _discard(store: Store, first_new: str | None, new_file: str | None) -> None:
    """After a failed copy: remove what it wrote (the nodes from ``first_new`` down, if it
    wrote), and the destination itself when the copy created it (``new_file``: the path of a
    new directory or archive)."""
    try:
        if first_new is not None:
            _remove_node_tree(store, first_new)
        if new_file is None:
            return
        store.close()
        if os.path.isdir(new_file):
            shutil.rmtree(new_file, ignore_errors=True)
        elif os.path.isfile(new_file):
            os.unlink(new_file)
    except Exception:  # the original error matters more than a failed clean-up
        pass


# ------------------------------------------------------------------------ in-place upgrade


def _plan_upgrade(store: Store, path: str, plan: list[_UpgradeStep]) -> None:
    """Append ``(path, v3 metadata, old metadata)`` for every v2 node below (and at) ``path``,
    children before their parents, checking that each array's chunks can be kept; a v3 node
    that still has v2 documents gets ``(path, None, metadata)``: clean-up only."""
    meta = nodes.read_node_metadata(store, path)
    if isinstance(meta, GroupMetadata):
        prefix = f"{path}/" if path else ""
        for name in store.list_dir(prefix):
            if name in _V2_DOCS or name == ZARR_JSON:
                continue
            child = nodes.join_path(path, name)
            if nodes.node_kind(store, child) is not None:
                _plan_upgrade(store, child, plan)
        if meta.zarr_format == 2:
            plan.append((path, GroupMetadata(zarr_format=3, attributes=dict(meta.attributes)),
                         meta))
        elif any(store.exists(nodes.key_of(path, name)) for name in _V2_DOCS):
            plan.append((path, None, meta))
        return
    if meta.zarr_format == 3:
        if any(store.exists(nodes.key_of(path, name)) for name in _V2_DOCS):
            plan.append((path, None, meta))  # upgraded before a crash: finish the clean-up
        return
    key = nodes.key_of(path, ZARRAY)
    new = _v2_to_v3_metadata(meta, key, v2_codecs_to_v3(meta, key),
                             ChunkKeyEncoding("v2", _key_encoding(meta).separator))
    _check_same_decoding(store, path, meta, new, key)
    plan.append((path, new, meta))


def _check_same_decoding(store: Store, path: str, old: ArrayMetadata, new: ArrayMetadata,
                         key: str) -> None:
    """Decode one stored chunk with the v2 and the v3 metadata; refuse if they disagree."""
    try:
        after = Array(store, path, new, read_only=True)
    except (CodecError, MetadataError) as exc:
        raise _error(key, "codecs", f"the chunks cannot be kept: {exc}") from None
    before = Array(store, path, old, read_only=True)
    for coords in iter_stored_chunks(before):
        region = tuple(slice(i * c, min((i + 1) * c, n))
                       for i, c, n in zip(coords, _v2_chunks(old), old.shape))
        a, b = before[region], after[region]
        if a.tobytes() != b.astype(a.dtype).tobytes():
            raise _error(key, "codecs", "the chunks read differently through the translated "
                         f"v3 codecs {list(new.codecs)}; they cannot be kept")
        break


def upgrade_v2_to_v3(store: StoreLike, path: str | None = None, *,
                     storage_options: dict[str, Any] | None = None) -> Array | Group:
    """Upgrade a v2 array or group tree to v3 in place, rewriting metadata only.

    Each v2 node gets a ``zarr.json``: arrays with the ``v2`` chunk key encoding (their
    ``dimension_separator``) and their codecs translated as the module docstring says, so every
    chunk stays where and as it is; groups with their attributes, and a group that had a
    ``.zmetadata`` gets inline consolidated metadata. The new document is written before the old
    ``.zarray``/``.zgroup``/``.zattrs``/``.zmetadata`` are removed, so a crash leaves a readable
    node, and running it again finishes the job (v3 nodes are left as they are).

    Nothing is written unless every array of the tree can be upgraded: a dtype with no v3 form
    or a codec with no v3 place raises MetadataError naming the ``.zarray`` key and the field,
    and so does a stored chunk that the translated codecs would read differently.

    Returns
    -------
    Array or Group
        The upgraded node, opened read/write.
    """
    st = _open_store(store, "r+", storage_options)
    if st.read_only:
        raise ReadOnlyError(f"cannot upgrade metadata in read-only {st!r}")
    p = nodes.normalize_path(path)
    if nodes.node_kind(st, p) is None:
        raise NodeNotFoundError(f"no array or group at path {p!r} of {st!r}")
    plan: list[_UpgradeStep] = []
    _plan_upgrade(st, p, plan)
    for node_path, meta, old in plan:
        had_consolidated = isinstance(old, GroupMetadata) and st.exists(
            nodes.key_of(node_path, ZMETADATA))
        if meta is not None:
            st.set(nodes.key_of(node_path, ZARR_JSON), dump_json(meta.to_json()))
        if had_consolidated:
            consolidate_metadata(st, node_path, zarr_format=3)
        for name in _V2_DOCS:
            st.delete(nodes.key_of(node_path, name))
    return open_node(st, p)
