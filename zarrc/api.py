"""The module functions: create, open, save, load and copy arrays and groups.

Names, parameters and defaults follow zarr-python 3.1.6's ``zarr.*`` functions (docs/api.md).
Each takes a ``store`` in any form zarr-python does (a Store, a ``StorePath``, a path, a URL, a
dict or None) and resolves it through :func:`zarrc.storage.make_store`. zarr-python's
parameters that have no meaning here (``chunk_store``, ``synchronizer``, ``cache_attrs``,
``meta_array``, ...) are accepted and ignored; ``zarr_version`` is ``zarr_format``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeAlias

import numpy as np
import numpy.typing as npt

from zarrc import config as _config
from zarrc import nodes
from zarrc.array import Array, create_array_node, like_kwargs
from zarrc.core.array_spec import ArrayConfig
from zarrc.errors import (
    ArrayNotFoundError,
    ContainsArrayError,
    GroupNotFoundError,
    NodeNotFoundError,
    ReadOnlyError,
)
from zarrc.group import Group, Tree, create_group_node, create_nodes, open_node
from zarrc.metadata import (
    ZARR_JSON,
    ZMETADATA,
    ArrayMetadata,
    GroupMetadata,
    consolidated_to_json_v2,
    dump_json,
    parse_consolidated_v2,
    parse_json,
)
from zarrc.nodes import ChunkKeyEncodingLike, ShapeLike
from zarrc.storage import Store, StoreLike, StorePath, make_store

__all__ = [
    "array",
    "consolidate_metadata",
    "copy",
    "copy_all",
    "create",
    "create_array",
    "create_group",
    "create_hierarchy",
    "empty",
    "empty_like",
    "from_array",
    "full",
    "full_like",
    "group",
    "load",
    "ones",
    "ones_like",
    "open",
    "open_array",
    "open_consolidated",
    "open_group",
    "open_like",
    "save",
    "save_array",
    "save_group",
    "tree",
    "zeros",
    "zeros_like",
]

_MODES = ("r", "r+", "a", "w", "w-")
#: An array's runtime settings as given: an ArrayConfig, a dict of its fields, or None.
ArrayConfigLike: TypeAlias = ArrayConfig | dict[str, Any] | None
#: Where copy() reports: a callable taking each line, a text file, or None.
Log: TypeAlias = Callable[[str], object] | IO[str] | None
# zarr-python parameters without a meaning in zarrc: accepted, ignored.
_IGNORED = ("chunk_store", "synchronizer", "cache_attrs", "cache_metadata", "meta_array",
            "object_codec", "read_only")


def _store(store: StoreLike, mode: str, storage_options: dict[str, Any] | None,
           path: str | None = None) -> tuple[Store, str]:
    """The store and the node path (a ``StorePath``'s path joined with ``path``)."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    if isinstance(store, StorePath):
        path = f"{store.path}/{path}" if store.path and path else (store.path or path)
        store = store.store
    return make_store(store, mode=mode, storage_options=storage_options), nodes.normalize_path(path)


def _format(zarr_format: int | None, zarr_version: int | None = None) -> int | None:
    if zarr_version is not None and zarr_format is not None and zarr_version != zarr_format:
        raise ValueError(f"zarr_format {zarr_format} does not match zarr_version {zarr_version}")
    return zarr_format if zarr_format is not None else zarr_version


def _drop_ignored(kwargs: dict[str, Any]) -> dict[str, Any]:
    for name in _IGNORED:
        kwargs.pop(name, None)
    return kwargs


# ------------------------------------------------------------------------------ creating arrays


def create_array(store: StoreLike = None, *, name: str | None = None,
                 shape: ShapeLike | None = None, dtype: npt.DTypeLike | None = None,
                 data: npt.ArrayLike | Array | None = None, chunks: Any = "auto",
                 shards: Any = None, filters: Any = "auto", compressors: Any = "auto",
                 serializer: Any = "auto", fill_value: Any = nodes._DEFAULT,
                 order: str | None = None, zarr_format: int = 3,
                 attributes: dict[str, Any] | None = None,
                 chunk_key_encoding: ChunkKeyEncodingLike | None = None,
                 dimension_names: Iterable[str | None] | None = None,
                 storage_options: dict[str, Any] | None = None, overwrite: bool = False,
                 config: ArrayConfigLike = None, write_data: bool = True,
                 write_empty_chunks: bool | None = None, **zarrc_kwargs: Any) -> Array:
    """Create an array (raises ContainsArrayError/ContainsGroupError if a node exists).

    zarr-python 3.1.6's parameters, plus zarrc's ``write_empty_chunks`` and, in
    ``zarrc_kwargs``, ``codecs`` (a whole v3 codec list) and ``dimension_separator``."""
    st, path = _store(store, "a", storage_options, name)
    if fill_value is not nodes._DEFAULT:
        zarrc_kwargs["fill_value"] = fill_value
    return create_array_node(st, path, shape=shape, dtype=dtype, data=data, chunks=chunks,
                             shards=shards, filters=filters, compressors=compressors,
                             serializer=serializer, order=order,
                             zarr_format=_format(zarr_format) or 3, attributes=attributes,
                             chunk_key_encoding=chunk_key_encoding,
                             dimension_names=dimension_names, overwrite=overwrite,
                             write_empty_chunks=write_empty_chunks, config=config,
                             write_data=write_data, **zarrc_kwargs)


def create(shape: ShapeLike, *, chunks: Any = None, dtype: npt.DTypeLike | None = None,
           compressor: Any = "auto", fill_value: Any = nodes._DEFAULT, order: str | None = None,
           store: StoreLike = None, synchronizer: Any = None, overwrite: bool = False,
           path: str | None = None, chunk_store: Any = None, filters: Any = None,
           cache_metadata: Any = None, cache_attrs: Any = None, read_only: Any = None,
           object_codec: Any = None, dimension_separator: str | None = None,
           write_empty_chunks: bool | None = None, zarr_version: int | None = None,
           zarr_format: int | None = None, meta_array: Any = None,
           attributes: dict[str, Any] | None = None, chunk_shape: Any = None,
           chunk_key_encoding: ChunkKeyEncodingLike | tuple[str, str] | None = None,
           codecs: Any = None, dimension_names: Iterable[str | None] | None = None,
           storage_options: dict[str, Any] | None = None, config: ArrayConfigLike = None,
           **kwargs: Any) -> Array:
    """zarr-python's ``zarr.create``: ``compressor``/``filters`` (v2) or ``codecs`` (v3);
    chunks default to ``auto``, ``dtype`` to float64. Other keywords go to
    :func:`create_array` (``compressors``, ``shards``, ...)."""
    _drop_ignored(kwargs)
    fmt = _format(zarr_format, zarr_version) or _config.get("default_zarr_format", 3)
    extra = {}
    if fill_value is not nodes._DEFAULT:
        extra["fill_value"] = fill_value
    if codecs is not None:
        extra["codecs"] = codecs
    if filters is not None:
        extra["filters"] = filters
    if compressor is None or not (isinstance(compressor, str) and compressor == "auto"):
        extra["compressors"] = compressor
    if isinstance(chunk_key_encoding, tuple):
        chunk_key_encoding = {"name": chunk_key_encoding[0], "separator": chunk_key_encoding[1]}
    chunks = chunk_shape if chunk_shape is not None else chunks
    return create_array(store, name=path, shape=shape, dtype=dtype or "float64",
                        chunks="auto" if chunks is None or chunks is True else chunks,
                        order=order, overwrite=overwrite, zarr_format=fmt,
                        dimension_separator=dimension_separator,
                        write_empty_chunks=write_empty_chunks, attributes=attributes,
                        chunk_key_encoding=chunk_key_encoding, dimension_names=dimension_names,
                        storage_options=storage_options, config=config, **extra, **kwargs)


def _create_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``kwargs`` without zarr-python's parameters that mean nothing here."""
    return _drop_ignored(dict(kwargs))


def array(data: npt.ArrayLike | Array, store: StoreLike = None, **kwargs: Any) -> Array:
    """An array holding ``data`` (its shape and dtype unless given), written at once."""
    if not isinstance(data, Array):
        data = np.asarray(data)
    kwargs = _create_kwargs(kwargs)
    kwargs.setdefault("dtype", data.dtype)
    kwargs.setdefault("chunks", data.chunks if isinstance(data, Array) else None)
    a = create(data.shape, store=kwargs.pop("store", store), **kwargs)
    a[...] = data[...] if isinstance(data, Array) else data
    return a


def full(shape: ShapeLike, fill_value: Any, store: StoreLike = None, **kwargs: Any) -> Array:
    """An array whose every element reads as ``fill_value`` (no chunk is written)."""
    kwargs = _create_kwargs(kwargs)
    kwargs.setdefault("dtype", np.asarray(fill_value).dtype)
    return create(shape, fill_value=fill_value, store=kwargs.pop("store", store), **kwargs)


def zeros(shape: ShapeLike, store: StoreLike = None, **kwargs: Any) -> Array:
    """An array reading as zeros (float64 unless ``dtype`` says otherwise)."""
    return full(shape, 0, store, **{"dtype": "float64", **kwargs})


def ones(shape: ShapeLike, store: StoreLike = None, **kwargs: Any) -> Array:
    """An array reading as ones (float64 unless ``dtype`` says otherwise)."""
    return full(shape, 1, store, **{"dtype": "float64", **kwargs})


def empty(shape: ShapeLike, store: StoreLike = None, **kwargs: Any) -> Array:
    """An array with unspecified contents: zarrc reads unwritten chunks as the fill value."""
    kwargs = _create_kwargs(kwargs)
    return create(shape, store=kwargs.pop("store", store), **kwargs)


def _like(a: Any, kwargs: dict[str, Any], fill: Any = nodes._DEFAULT) -> Array:
    merged = {**like_kwargs(a), **_create_kwargs(kwargs)}
    shape = merged.pop("shape")
    if "codecs" in merged and merged.get("zarr_format", 3) == 2:
        merged.pop("codecs")
    if fill is not nodes._DEFAULT:
        merged["fill_value"] = fill
    if "codecs" in merged:
        merged.pop("compressors", None)
        merged.pop("filters", None)
    return create(shape, compressor=merged.pop("compressors", "auto"), **merged)


def zeros_like(a: Any, **kwargs: Any) -> Array:
    return _like(a, kwargs, 0)


def ones_like(a: Any, **kwargs: Any) -> Array:
    return _like(a, kwargs, 1)


def full_like(a: Any, **kwargs: Any) -> Array:
    fill = kwargs.pop("fill_value", getattr(a, "fill_value", nodes._DEFAULT))
    return _like(a, kwargs, fill)


def empty_like(a: Any, **kwargs: Any) -> Array:
    return _like(a, kwargs)


def open_like(a: Any, path: str, **kwargs: Any) -> Array:
    """Open (creating if needed) an array at ``path`` shaped like ``a``."""
    merged = {**like_kwargs(a), **_create_kwargs(kwargs)}
    merged.pop("codecs", None)
    if isinstance(a, Array):
        merged.setdefault("fill_value", a.fill_value)
    return open_array(path, mode=merged.pop("mode", "a"), **merged)


def from_array(store: StoreLike, *, data: npt.ArrayLike | Array, write_data: bool = True,
               name: str | None = None, chunks: Any = "keep", shards: Any = "keep",
               filters: Any = "keep", compressors: Any = "keep", serializer: Any = "keep",
               fill_value: Any = nodes._DEFAULT, order: str | None = None,
               zarr_format: int | None = None, attributes: dict[str, Any] | None = None,
               chunk_key_encoding: ChunkKeyEncodingLike | None = None,
               dimension_names: Iterable[str | None] | None = None,
               storage_options: dict[str, Any] | None = None, overwrite: bool = False,
               config: ArrayConfigLike = None) -> Array:
    """A new array holding ``data`` (an Array or array-like). With an Array, ``"keep"``
    copies its chunks, shards, codecs, fill value, attributes and dimension names."""
    src = data
    kw: dict[str, Any] = {}
    if isinstance(src, Array):
        meta = src._metadata
        fmt = zarr_format or meta.zarr_format
        same = fmt == meta.zarr_format
        kw["chunks"] = src.chunks if chunks == "keep" else chunks
        if shards == "keep":
            shards = src.shards if fmt == 3 else None
        if same and meta.zarr_format == 3:
            if filters == "keep":
                filters = src.filters
            if compressors == "keep":
                compressors = src.compressors
            if serializer == "keep":
                serializer = src.serializer
        elif same:
            if filters == "keep":
                filters = list(meta.filters or ()) or None
            if compressors == "keep":
                compressors = meta.compressor
        if fill_value is nodes._DEFAULT:
            fill_value = meta.fill_value
        attributes = dict(src.attrs) if attributes is None else attributes
        if dimension_names is None and fmt == 3:
            dimension_names = meta.dimension_names
        order = order or (meta.order if meta.zarr_format == 2 else None)
        zarr_format = fmt
    else:
        src = np.asarray(src)
        kw["chunks"] = "auto" if chunks == "keep" else chunks
    for key, value, default in (("shards", shards, None), ("filters", filters, "auto"),
                                ("compressors", compressors, "auto"),
                                ("serializer", serializer, "auto")):
        kw[key] = default if isinstance(value, str) and value == "keep" else value
    if fill_value is not nodes._DEFAULT:
        kw["fill_value"] = fill_value
    if (zarr_format or 3) == 2:
        kw.pop("serializer")
        kw.pop("shards")
    a = create_array(store, name=name, shape=src.shape, dtype=src.dtype, order=order,
                     zarr_format=zarr_format or _config.get("default_zarr_format", 3),
                     attributes=attributes, chunk_key_encoding=chunk_key_encoding,
                     dimension_names=dimension_names, storage_options=storage_options,
                     overwrite=overwrite, config=config, **kw)
    if write_data:
        if isinstance(src, Array):
            for region, block in src.iter_chunks():
                a[region] = block
        else:
            a[...] = src
    return a


# ------------------------------------------------------------------------------ opening


def open_array(store: StoreLike = None, *, mode: str = "r+", path: str = "",
               zarr_format: int | None = None, zarr_version: int | None = None,
               storage_options: dict[str, Any] | None = None,
               write_empty_chunks: bool | None = None, config: ArrayConfigLike = None,
               **create_kwargs: Any) -> Array:
    """Open an array, v2/v3 detected; modes ``w``, ``w-`` and ``a`` may create it."""
    zarr_format = _format(zarr_format, zarr_version)
    _drop_ignored(create_kwargs)
    st, p = _store(store, mode, storage_options, path)
    if mode in ("w", "w-") or (mode == "a" and nodes.node_kind(st, p) is None):
        if "shape" not in create_kwargs:
            if mode == "a":
                raise ArrayNotFoundError(f"no array at path {p!r} of {st!r} and no shape to "
                                         "create one")
            raise TypeError(f"open_array(mode={mode!r}) creates an array: pass shape and dtype")
        if zarr_format is not None:
            create_kwargs["zarr_format"] = zarr_format
        create_kwargs.setdefault("dtype", "float64")
        return create_array_node(st, p, overwrite=mode == "w",
                                 write_empty_chunks=write_empty_chunks, config=config,
                                 **create_kwargs)
    try:
        meta, document = nodes.read_node(st, p, zarr_format)
    except NodeNotFoundError as exc:
        raise ArrayNotFoundError(str(exc)) from None
    if not isinstance(meta, ArrayMetadata):
        raise ArrayNotFoundError(f"no array at path {p!r} of {st!r}: a group is there")
    return Array(st, p, meta, read_only=mode == "r", write_empty_chunks=write_empty_chunks,
                 document=document, config=config)


def open_group(store: StoreLike = None, *, mode: str = "a", cache_attrs: Any = None,
               synchronizer: Any = None, path: str | None = None, chunk_store: Any = None,
               storage_options: dict[str, Any] | None = None, zarr_version: int | None = None,
               zarr_format: int | None = None, meta_array: Any = None,
               attributes: dict[str, Any] | None = None,
               use_consolidated: bool | str | None = None) -> Group:
    """Open a group, creating it in modes ``a`` (if absent), ``w`` and ``w-``."""
    zarr_format = _format(zarr_format, zarr_version)
    st, p = _store(store, mode, storage_options, path)
    if mode in ("w", "w-") or (mode == "a" and nodes.node_kind(st, p) is None):
        return create_group_node(st, p, attributes=attributes, overwrite=mode == "w",
                                 zarr_format=zarr_format or _config.get("default_zarr_format", 3))
    try:
        meta = nodes.read_node_metadata(st, p, zarr_format)
    except NodeNotFoundError as exc:
        raise GroupNotFoundError(str(exc)) from None
    if not isinstance(meta, GroupMetadata):
        raise GroupNotFoundError(f"no group at path {p!r} of {st!r}: an array is there")
    if use_consolidated is False:
        meta = meta.with_consolidated(None)
    elif meta.zarr_format == 2:
        meta = _with_v2_consolidated(st, p, meta, required=bool(use_consolidated))
    elif use_consolidated and meta.consolidated_metadata is None:
        raise NodeNotFoundError(f"no consolidated metadata at path {p!r} of {st!r}")
    return Group(st, p, meta, read_only=mode == "r")


def _with_v2_consolidated(st: Store, path: str, meta: GroupMetadata,
                          required: bool) -> GroupMetadata:
    key = nodes.key_of(path, ZMETADATA)
    data = st.get(key)
    if data is None:
        if required:
            raise NodeNotFoundError(f"no consolidated metadata ({key}) in {st!r}")
        return meta
    entries = parse_consolidated_v2(parse_json(data, key), key)
    return meta.with_consolidated({k: v for k, v in entries.items() if k})


def open_consolidated(store: StoreLike = None, *, mode: str = "r", path: str | None = None,
                      zarr_format: int | None = None,
                      storage_options: dict[str, Any] | None = None,
                      use_consolidated: bool | str | None = True, **kwargs: Any) -> Group:
    """Open a group through its consolidated metadata (which must exist); other keywords as
    :func:`open_group`."""
    return open_group(store, mode=mode, path=path, zarr_format=zarr_format,
                      storage_options=storage_options, use_consolidated=use_consolidated,
                      **kwargs)


def open(store: StoreLike = None, *, mode: str | None = None, zarr_version: int | None = None,
         zarr_format: int | None = None, path: str | None = None,
         storage_options: dict[str, Any] | None = None, **create_kwargs: Any) -> Array | Group:
    """Open the array or group at ``path``; in a creating mode, make an array if given a shape.
    ``mode`` None is ``"r"`` for a read-only store, else ``"a"``."""
    zarr_format = _format(zarr_format, zarr_version)
    if mode is None:
        mode = "r" if getattr(store, "read_only", False) else "a"
    st, p = _store(store, mode, storage_options, path)
    exists = nodes.node_kind(st, p) is not None
    if "shape" in create_kwargs or (mode in ("w", "w-") and create_kwargs):
        return open_array(st, mode=mode, path=p, zarr_format=zarr_format, **create_kwargs)
    if mode == "w" or (not exists and mode in ("a", "w-")):
        return open_group(st, mode=mode, path=p, zarr_format=zarr_format)
    return open_node(st, p, zarr_format=zarr_format, read_only=mode == "r")


# ------------------------------------------------------------------------------ groups


def group(store: StoreLike = None, *, overwrite: bool = False, chunk_store: Any = None,
          cache_attrs: Any = None, synchronizer: Any = None, path: str | None = None,
          zarr_version: int | None = None, zarr_format: int | None = None,
          meta_array: Any = None, attributes: dict[str, Any] | None = None,
          storage_options: dict[str, Any] | None = None) -> Group:
    """Create a group (or open the one there, unless ``overwrite``)."""
    return open_group(store, mode="w" if overwrite else "a", path=path,
                      zarr_format=_format(zarr_format, zarr_version), attributes=attributes,
                      storage_options=storage_options)


def create_group(store: StoreLike = None, *, path: str | None = None,
                 zarr_format: int | None = None, overwrite: bool = False,
                 attributes: dict[str, Any] | None = None,
                 storage_options: dict[str, Any] | None = None) -> Group:
    """Create a new group; an existing node there is an error unless ``overwrite``."""
    return open_group(store, mode="w" if overwrite else "w-", path=path,
                      zarr_format=zarr_format, attributes=attributes,
                      storage_options=storage_options)


def create_hierarchy(*, store: StoreLike, nodes: dict[str, Any],
                     overwrite: bool = False) -> Iterator[tuple[str, Array | Group]]:
    """Create the nodes ``{path: metadata}`` (``GroupMetadata()``, ``ArrayV3Metadata`` ...) and
    every missing group above them; yields ``(path, node)`` for each, parents first.

    Implicit parent groups take the format of the nodes given. An existing node at a given
    path is an error unless ``overwrite``; existing parent groups are kept."""
    st, _ = _store(store, "a", None)
    return iter(create_nodes(st, nodes, overwrite=overwrite))


# ------------------------------------------------------------------------------ save / load


def save(store: StoreLike, *args: Any, zarr_format: int | None = None,
         zarr_version: int | None = None, path: str | None = None, **kwargs: Any) -> None:
    """One array: :func:`save_array`; several, or named ones: :func:`save_group`. One array
    with keywords that are not arrays (``chunks=...``) passes them to ``save_array``."""
    if not args and not kwargs:
        raise ValueError("at least one array must be provided")
    if len(args) == 1 and not any(hasattr(v, "shape") for v in kwargs.values()):
        save_array(store, args[0], zarr_format=zarr_format, zarr_version=zarr_version,
                   path=path, **kwargs)
    else:
        save_group(store, *args, zarr_format=zarr_format, zarr_version=zarr_version,
                   path=path, **kwargs)


def save_array(store: StoreLike, arr: npt.ArrayLike, *, zarr_format: int | None = None,
               zarr_version: int | None = None, path: str | None = None,
               storage_options: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Store the array-like ``arr`` as a new array (replacing what is at ``path``)."""
    data = np.asarray(arr)
    fmt = _format(zarr_format, zarr_version) or _config.get("default_zarr_format", 3)
    create_array(store, name=path, data=data, zarr_format=fmt, overwrite=True,
                 storage_options=storage_options, **_create_kwargs(kwargs))


def save_group(store: StoreLike, *args: Any, zarr_format: int | None = None,
               zarr_version: int | None = None, path: str | None = None,
               storage_options: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Store arrays in a new group: positional ones as ``arr_0``, ``arr_1``, ... and keyword
    ones under their names."""
    if not args and not kwargs:
        raise ValueError("at least one array must be provided")
    arrays = {f"arr_{i}": a for i, a in enumerate(args)}
    arrays.update(kwargs)
    for name, value in arrays.items():
        if not hasattr(value, "shape") or not hasattr(value, "dtype"):
            raise TypeError(f"save_group: {name!r} must be a NumPy (or array-like) array")
    fmt = _format(zarr_format, zarr_version) or _config.get("default_zarr_format", 3)
    g = open_group(store, mode="w", path=path, zarr_format=fmt, storage_options=storage_options)
    for name, value in arrays.items():
        g.create_array(name, data=np.asarray(value))


def load(store: StoreLike, path: str | None = None, zarr_format: int | None = None,
         zarr_version: int | None = None, *, storage_options: dict[str, Any] | None = None
         ) -> npt.NDArray[Any] | dict[str, npt.NDArray[Any]]:
    """The stored array as an ndarray; a group gives ``{name: ndarray}`` of its arrays."""
    node = open(store, mode="r", path=path, zarr_format=_format(zarr_format, zarr_version),
                storage_options=storage_options)
    if isinstance(node, Array):
        return node[...]
    return {name: a[...] for name, a in node.arrays()}


def tree(grp: Group, expand: Any = None, level: int | None = None) -> Tree:
    """``grp.tree(level=...)``: the hierarchy as text."""
    return grp.tree(expand=expand, level=level)


# ------------------------------------------------------------------------------ copying


def _copy_attrs(src: Array | Group, dst: Array | Group, without_attrs: bool) -> None:
    if not without_attrs and len(src.attrs):
        dst.attrs.put(dict(src.attrs))


def copy(source: Array | Group, dest: Group, name: str | None = None, shallow: bool = False,
         without_attrs: bool = False, log: Log = None, if_exists: str = "raise",
         dry_run: bool = False, **create_kwargs: Any) -> tuple[int, ...]:
    """Copy the array or group ``source`` into the group ``dest`` as ``name`` (zarr-python 2's
    ``zarr.copy``; zarr-python 3 does not implement it). Returns ``(copied, skipped, bytes)``.

    ``if_exists``: ``"raise"``, ``"replace"`` or ``"skip"``. A group is copied with everything
    below it unless ``shallow``. Arrays keep their metadata (``create_kwargs`` override it)
    and are copied a chunk at a time."""
    if if_exists not in ("raise", "replace", "skip", "skip_initialized"):
        raise ValueError(f"if_exists must be 'raise', 'replace' or 'skip', got {if_exists!r}")
    if name is None:
        name = source.basename
        if not name:
            raise TypeError("copy: source has no name (the root); pass name=")
    counts = [0, 0, 0]
    _copy_node(source, dest, name, shallow, without_attrs, log, if_exists, dry_run,
               create_kwargs, counts, top=True)
    return tuple(counts)


def _say(log: Log, text: str) -> None:
    if callable(log):
        log(text)
    elif log is not None:
        print(text, file=log)


def _copy_node(source: Array | Group, dest: Group | None, name: str, shallow: bool,
               without_attrs: bool, log: Log, if_exists: str, dry_run: bool,
               kw: dict[str, Any], counts: list[int], top: bool) -> None:
    """Copy one node; ``dest`` is None below a group a dry run did not create."""
    exists = dest is not None and name in dest
    where = f"{dest.name if dest is not None else '(new)'}/{name}"
    if exists and if_exists == "raise":
        raise ContainsArrayError(f"copy: {name!r} already exists in {dest!r}; pass if_exists=")
    if isinstance(source, Array):
        if exists and if_exists in ("skip", "skip_initialized"):
            _say(log, f"skip {source.name} -> {where}")
            counts[1] += 1
            return
        _say(log, f"copy {source.name} -> {where}")
        counts[0] += 1
        if dry_run:
            return
        assert dest is not None  # only a dry run copies below a group it did not create
        meta = source._metadata
        assert meta.chunk_key_encoding is not None  # ArrayMetadata fills in the default
        create = {"shape": source.shape, "dtype": source.dtype, "chunks": meta.chunks,
                  "fill_value": meta.fill_value, "zarr_format": meta.zarr_format}
        if meta.zarr_format == 3:
            create["codecs"] = [dict(c) for c in meta.codecs]
            create["dimension_names"] = meta.dimension_names
            create["chunk_key_encoding"] = meta.chunk_key_encoding
        else:
            create.update(filters=list(meta.filters or ()) or None,
                          compressors=meta.compressor, order=meta.order,
                          dimension_separator=meta.chunk_key_encoding.separator)
        create.update(kw)
        if create.get("zarr_format") != meta.zarr_format:
            for key in ("codecs", "filters", "compressors", "chunk_key_encoding",
                        "dimension_separator", "dimension_names"):
                create.pop(key, None)
        copied = dest.create_array(name, overwrite=exists, **create)
        for region, block in source.iter_chunks():
            copied[region] = block
            counts[2] += block.nbytes
        _copy_attrs(source, copied, without_attrs)
        return
    found = dest.get(name) if exists and if_exists == "skip" and dest is not None else None
    target: Group | None
    if isinstance(found, Group):
        target = found
        counts[1] += 1
    else:
        _say(log, f"copy {source.name} -> {where}")
        counts[0] += 1
        target = None
        if not dry_run:
            assert dest is not None  # only a dry run copies below a group it did not create
            target = dest.create_group(name, overwrite=exists)
            _copy_attrs(source, target, without_attrs)
    if shallow and not top:
        return
    for child_name, child in source.members():
        _copy_node(child, target, child_name, shallow, without_attrs, log, if_exists,
                   dry_run, kw, counts, top=False)


def copy_all(source: Group, dest: Group, shallow: bool = False, without_attrs: bool = False,
             log: Log = None, if_exists: str = "raise", dry_run: bool = False,
             **create_kwargs: Any) -> tuple[int, ...]:
    """Copy every member of the group ``source`` (and its attributes) into the group ``dest``;
    ``(copied, skipped, bytes)``."""
    counts = [0, 0, 0]
    for child_name, child in source.members():
        c = copy(child, dest, child_name, shallow=shallow, without_attrs=without_attrs,
                 log=log, if_exists=if_exists, dry_run=dry_run, **create_kwargs)
        counts = [x + y for x, y in zip(counts, c)]
    if not dry_run:
        _copy_attrs(source, dest, without_attrs)
    return tuple(counts)


# ------------------------------------------------------------------------------ consolidation


def _walk(st: Store, path: str, zarr_format: int, base: str, out: dict[str, Any]) -> None:
    """Collect ``{relative path: metadata}`` of every node below ``path``."""
    prefix = f"{path}/" if path else ""
    for name in st.list_dir(prefix):
        child = nodes.join_path(path, name)
        try:
            meta = nodes.read_node_metadata(st, child, zarr_format)
        except (NodeNotFoundError, ValueError):
            continue
        rel = child[len(base) + 1:] if base else child
        out[rel] = meta
        if isinstance(meta, GroupMetadata):
            _walk(st, child, zarr_format, base, out)


def consolidate_metadata(store: StoreLike, path: str | None = None,
                         zarr_format: int | None = None, *,
                         storage_options: dict[str, Any] | None = None) -> Group:
    """Gather the metadata of every node below a group into one document (v2 ``.zmetadata``,
    v3 ``consolidated_metadata`` in the group's ``zarr.json``) and return the group."""
    st, p = _store(store, "r+", storage_options, path)
    if st.read_only:
        raise ReadOnlyError(f"cannot consolidate metadata in read-only {st!r}")
    with nodes.node_lock(st, p):  # the group's document is re-read and rewritten as a whole
        fmt = nodes.read_node_metadata(st, p, zarr_format).zarr_format
        key = nodes.key_of(p, ZMETADATA if fmt == 2 else ZARR_JSON)

        def consolidated(data: bytes | None, exclusive: bool) -> bytes:
            meta = nodes.read_node(st, p, fmt, {} if fmt == 2 else {key: data})[0]
            if not isinstance(meta, GroupMetadata):
                raise ContainsArrayError(f"path {p!r} of {st!r} is an array; consolidate a group")
            entries: dict[str, Any] = {}
            _walk(st, p, fmt, p, entries)
            entries = dict(sorted(entries.items()))
            if fmt == 2:
                return dump_json(consolidated_to_json_v2({"": meta, **entries}))
            return dump_json(meta.with_consolidated(entries).to_json())

        nodes.update_document(st, key, consolidated)
    return open_group(st, mode="r+", path=p, use_consolidated=fmt == 2 or None)
