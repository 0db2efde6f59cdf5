"""The functions of SPEC.md: create, open, save and load arrays and groups.

Each takes a ``store`` argument in any form SPEC allows (a Store, a path, a URL or None) and
resolves it through :func:`zarrc.storage.make_store`.
"""

from __future__ import annotations

import numpy as np

from zarrc import nodes
from zarrc.array import Array, create_array_node
from zarrc.errors import ContainsArrayError, NodeNotFoundError, ReadOnlyError
from zarrc.group import Group, create_group_node, open_node
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
from zarrc.storage import Store, make_store

__all__ = [
    "create_array",
    "open_array",
    "open",
    "group",
    "open_group",
    "open_consolidated",
    "array",
    "zeros",
    "ones",
    "full",
    "empty",
    "save",
    "load",
    "consolidate_metadata",
]

_MODES = ("r", "r+", "a", "w", "w-")


def _store(store, mode: str, storage_options) -> Store:
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    return make_store(store, mode=mode, storage_options=storage_options)


def create_array(store=None, *, name=None, shape, dtype, chunks="auto", overwrite: bool = False,
                 write_empty_chunks: bool = False, storage_options=None, **create_kwargs) -> Array:
    """Create an array (SPEC.md); raises ContainsArrayError/ContainsGroupError if one exists."""
    st = _store(store, "a", storage_options)
    return create_array_node(st, nodes.normalize_path(name), shape=shape, dtype=dtype,
                             chunks=chunks, overwrite=overwrite,
                             write_empty_chunks=write_empty_chunks, **create_kwargs)


def open_array(store=None, *, mode: str = "r+", path=None, zarr_format=None,
               storage_options=None, write_empty_chunks: bool = False, **create_kwargs) -> Array:
    """Open an array, v2/v3 detected; modes ``w``, ``w-`` and ``a`` may create it."""
    st = _store(store, mode, storage_options)
    p = nodes.normalize_path(path)
    if mode in ("w", "w-") or (mode == "a" and nodes.node_kind(st, p) is None):
        if "shape" not in create_kwargs:
            if mode == "a":
                raise NodeNotFoundError(f"no array at path {p!r} of {st!r} and no shape to create one")
            raise TypeError(f"open_array(mode={mode!r}) creates an array: pass shape and dtype")
        if zarr_format is not None:
            create_kwargs["zarr_format"] = zarr_format
        create_kwargs.setdefault("dtype", "float64")
        return create_array_node(st, p, overwrite=mode == "w",
                                 write_empty_chunks=write_empty_chunks, **create_kwargs)
    meta, document = nodes.read_node(st, p, zarr_format)
    if not isinstance(meta, ArrayMetadata):
        raise NodeNotFoundError(f"no array at path {p!r} of {st!r}: a group is there")
    return Array(st, p, meta, read_only=mode == "r", write_empty_chunks=write_empty_chunks,
                 document=document)


def open_group(store=None, *, mode: str = "a", path=None, zarr_format=None, attributes=None,
               storage_options=None, use_consolidated: bool | None = None) -> Group:
    """Open a group, creating it in modes ``a`` (if absent), ``w`` and ``w-``."""
    st = _store(store, mode, storage_options)
    p = nodes.normalize_path(path)
    if mode in ("w", "w-") or (mode == "a" and nodes.node_kind(st, p) is None):
        return create_group_node(st, p, zarr_format=zarr_format or 3, attributes=attributes,
                                 overwrite=mode == "w")
    meta = nodes.read_node_metadata(st, p, zarr_format)
    if not isinstance(meta, GroupMetadata):
        raise NodeNotFoundError(f"no group at path {p!r} of {st!r}: an array is there")
    if use_consolidated is False:
        meta = meta.with_consolidated(None)
    elif meta.zarr_format == 2 and use_consolidated is not False:
        meta = _with_v2_consolidated(st, p, meta, required=bool(use_consolidated))
    elif use_consolidated and meta.consolidated_metadata is None:
        raise NodeNotFoundError(f"no consolidated metadata at path {p!r} of {st!r}")
    return Group(st, p, meta, read_only=mode == "r")


def _with_v2_consolidated(st, path: str, meta: GroupMetadata, required: bool) -> GroupMetadata:
    key = nodes.key_of(path, ZMETADATA)
    data = st.get(key)
    if data is None:
        if required:
            raise NodeNotFoundError(f"no consolidated metadata ({key}) in {st!r}")
        return meta
    entries = parse_consolidated_v2(parse_json(data, key), key)
    return meta.with_consolidated({k: v for k, v in entries.items() if k})


def open_consolidated(store=None, *, mode: str = "r", path=None, zarr_format=None,
                      storage_options=None) -> Group:
    """Open a group through its consolidated metadata (which must exist)."""
    return open_group(store, mode=mode, path=path, zarr_format=zarr_format,
                      storage_options=storage_options, use_consolidated=True)


def open(store=None, *, mode: str = "a", path=None, zarr_format=None, storage_options=None,
         **create_kwargs):
    """Open the array or group at ``path``; in a creating mode, make an array if given a shape."""
    st = _store(store, mode, storage_options)
    p = nodes.normalize_path(path)
    exists = nodes.node_kind(st, p) is not None
    if "shape" in create_kwargs or (mode in ("w", "w-") and create_kwargs):
        return open_array(st, mode=mode, path=p, zarr_format=zarr_format, **create_kwargs)
    if mode == "w" or (not exists and mode in ("a", "w-")):
        return open_group(st, mode=mode, path=p, zarr_format=zarr_format)
    return open_node(st, p, zarr_format=zarr_format, read_only=mode == "r")


def group(store=None, *, zarr_format: int = 3, overwrite: bool = False, attributes=None,
          path=None, storage_options=None) -> Group:
    """Create a group (or open the one there, unless ``overwrite``)."""
    return open_group(store, mode="w" if overwrite else "a", path=path, zarr_format=zarr_format,
                      attributes=attributes, storage_options=storage_options)


def array(data, store=None, **create_kwargs) -> Array:
    """Create an array with ``data``'s shape and dtype, and write ``data`` into it."""
    data = np.asarray(data)
    create_kwargs.setdefault("dtype", data.dtype)
    a = create_array(store, shape=data.shape, **create_kwargs)
    a[...] = data
    return a


def full(shape, fill_value, store=None, **create_kwargs) -> Array:
    """An array whose every element reads as ``fill_value`` (no chunk is written)."""
    create_kwargs.setdefault("dtype", np.asarray(fill_value).dtype)
    return create_array(store, shape=shape, fill_value=fill_value, **create_kwargs)


def zeros(shape, store=None, **create_kwargs) -> Array:
    create_kwargs.setdefault("dtype", "float64")
    return full(shape, 0, store, **create_kwargs)


def ones(shape, store=None, **create_kwargs) -> Array:
    create_kwargs.setdefault("dtype", "float64")
    return full(shape, 1, store, **create_kwargs)


def empty(shape, store=None, **create_kwargs) -> Array:
    """An array with unspecified contents: zarrc reads unwritten chunks as the fill value."""
    create_kwargs.setdefault("dtype", "float64")
    return create_array(store, shape=shape, **create_kwargs)


def save(store, arr, *, path=None, **create_kwargs) -> Array:
    """Store ``arr`` as a new array (overwriting what is at ``path``)."""
    create_kwargs.setdefault("overwrite", True)
    return array(arr, store, name=path, **create_kwargs)


def load(store, path=None, *, zarr_format=None, storage_options=None):
    """The stored array as an ndarray; a group gives ``{name: ndarray}`` of its arrays."""
    node = open(store, mode="r", path=path, zarr_format=zarr_format,
                storage_options=storage_options)
    if isinstance(node, Array):
        return node[...]
    return {name: a[...] for name, a in node.arrays()}


def _walk(st, path: str, zarr_format: int, base: str, out: dict) -> None:
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


def consolidate_metadata(store, path=None, *, zarr_format=None, storage_options=None) -> Group:
    """Gather the metadata of every node below a group into one document (v2 ``.zmetadata``,
    v3 ``consolidated_metadata`` in the group's ``zarr.json``) and return the group."""
    st = _store(store, "r+", storage_options)
    if st.read_only:
        raise ReadOnlyError(f"cannot consolidate metadata in read-only {st!r}")
    p = nodes.normalize_path(path)
    with nodes.node_lock(st, p):  # the group's document is re-read and rewritten as a whole
        meta = nodes.read_node_metadata(st, p, zarr_format)
        if not isinstance(meta, GroupMetadata):
            raise ContainsArrayError(f"path {p!r} of {st!r} is an array; consolidate a group")
        entries: dict = {}
        _walk(st, p, meta.zarr_format, p, entries)
        entries = dict(sorted(entries.items()))
        if meta.zarr_format == 2:
            doc = consolidated_to_json_v2({"": meta, **entries})
            st.set(nodes.key_of(p, ZMETADATA), dump_json(doc))
        else:
            st.set(nodes.key_of(p, ZARR_JSON), dump_json(meta.with_consolidated(entries).to_json()))
    return open_group(st, mode="r+", path=p, use_consolidated=meta.zarr_format == 2 or None)
