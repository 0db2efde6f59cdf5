"""The xarray backend ``engine="zarrc"``: Datasets and DataTrees read lazily through zarrc.

Registered under the ``xarray.backends`` entry point group, so ``xr.open_dataset(path,
engine="zarrc")`` and ``xr.open_datatree(path, engine="zarrc")`` work once zarrc is installed.
A group's arrays become variables (:mod:`zarrc.xarray.conventions`), each wrapped in
:class:`ZarrcBackendArray`, which reads only what is indexed: xarray's basic, outer and
vectorized indexers go to zarrc's basic, ``oindex`` and ``vindex`` reads. Decoding (CF times,
``_FillValue``, ``scale_factor``, coordinates) is xarray's own, through its
``StoreBackendEntrypoint``, so a store written by xarray's zarr engine opens identically.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import numpy as np
import xarray as xr
from xarray.backends import (
    AbstractDataStore,
    BackendArray,
    BackendEntrypoint,
    StoreBackendEntrypoint,
)
from xarray.core import indexing

import zarrc
from zarrc.errors import BaseZarrError, ContainsArrayError, NodeNotFoundError
from zarrc.storage import Store, make_store
from zarrc.xarray.conventions import decode_fill_value, variable_dims_and_attrs
from zarrc.xarray.encoding import codec_json

__all__ = ["ZarrcBackendArray", "ZarrcBackendEntrypoint", "ZarrcDataStore", "codec_encoding"]


class ZarrcBackendArray(BackendArray):
    """One zarrc array as xarray's lazily indexed data: reads happen on indexing only."""

    def __init__(self, array: zarrc.Array) -> None:
        self.array = array
        self.shape = array.shape
        self.dtype = array.dtype

    def __getitem__(self, key: indexing.ExplicitIndexer) -> np.ndarray:
        read: Any
        if isinstance(key, indexing.VectorizedIndexer):
            # xarray hands over broadcast integer arrays (slices already made into ranges)
            read = self.array.get_coordinate_selection
        elif isinstance(key, indexing.OuterIndexer):
            read = self.array.get_orthogonal_selection
        else:
            read = self.array.get_basic_selection
        values: np.ndarray = indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.VECTORIZED, read)
        return values


class ZarrcDataStore(AbstractDataStore):
    """One zarrc group as an xarray data store: its arrays are the variables."""

    def __init__(self, group: zarrc.Group, *, use_zarr_fill_value_as_mask: bool | None = None,
                 close_store: bool = False, report_codecs: bool = True) -> None:
        self.group = group
        self._report_codecs = _check_report_codecs(report_codecs)
        if use_zarr_fill_value_as_mask is None:  # xarray's defaults: v2 masks, v3 does not
            use_zarr_fill_value_as_mask = group.zarr_format == 2
        self._mask_with_fill_value = use_zarr_fill_value_as_mask
        self._close_store = close_store

    def variable(self, array: zarrc.Array) -> xr.Variable:
        """The variable of one array: lazy data, decoded-to-be attributes, encodings."""
        dims, attrs = variable_dims_and_attrs(array)
        data = indexing.LazilyIndexedArray(ZarrcBackendArray(array))
        chunks = array.chunks
        grid = array.shards or chunks
        encoding: dict[str, Any] = {
            "chunks": chunks,
            "preferred_chunks": dict(zip(dims, grid)),  # one dask task per shard
            "shards": array.shards,
        }
        if self._report_codecs:
            encoding.update(codec_encoding(array))
        if array.dtype.kind == "T":
            encoding["dtype"] = array.dtype
        if self._mask_with_fill_value:
            if array.fill_value is not None:
                attrs["_FillValue"] = array.fill_value
        else:
            if array.zarr_format == 3:
                encoding["fill_value"] = array.fill_value
            if "_FillValue" in attrs:
                attrs["_FillValue"] = decode_fill_value(attrs["_FillValue"], array.dtype,
                                                        array.name)
        return xr.Variable(dims, data, attrs, encoding)

    def get_variables(self) -> dict[str, xr.Variable]:
        return {name: self.variable(a) for name, a in sorted(self.group.arrays())}

    def get_attrs(self) -> dict[str, Any]:
        return {k: v for k, v in self.group.attrs.items() if not k.lower().startswith("_nc")}

    def close(self) -> None:
        if self._close_store:
            self.group.store.close()


def codec_encoding(array: zarrc.Array) -> dict[str, Any]:
    """The codec encodings xarray's zarr engine reports, in their JSON form: v3
    ``compressors``, ``filters`` (tuples of ``{"name": ..., "configuration": {...}}``) and
    ``serializer`` (one such dict), inside the shards for a sharded array; v2 ``compressors``
    (the compressor, or none) and ``filters`` as numcodecs configurations (``{"id": ...}``).
    JSON rather than zarrc's codec objects because both writers take it: zarr-python (under
    xarray's own ``to_zarr``) takes only its own objects or JSON, :func:`zarrc.xarray.to_zarr`
    takes either."""
    fmt = array.zarr_format
    encoding: dict[str, Any] = {
        "compressors": tuple(codec_json(c, fmt) for c in array.compressors),
        "filters": tuple(codec_json(c, fmt) for c in array.filters),
    }
    if fmt == 3:
        serializer = array.serializer
        encoding["serializer"] = None if serializer is None else codec_json(serializer, fmt)
    return encoding


def _check_report_codecs(report_codecs: object) -> bool:
    """``report_codecs`` if it is a bool (a string such as "objects" would read as True)."""
    if not isinstance(report_codecs, bool):
        raise BaseZarrError(f"open_dataset(engine='zarrc'): report_codecs must be True "
                            f"(codecs as JSON) or False (none), got {report_codecs!r}")
    return report_codecs


def _group_path(group: object) -> str:
    return "" if group is None else str(group).strip("/")


def _open_group(filename_or_obj: Any, *, group: str | None = None,
                consolidated: bool | None = None, zarr_format: int | None = None,
                storage_options: dict[str, Any] | None = None) -> tuple[zarrc.Group, bool]:
    """The zarrc group to read and whether we opened its store (and so close it).

    ``filename_or_obj``: a path or URL (anything :func:`zarrc.storage.make_store` takes), a
    zarrc Store, or a zarrc Group. ``consolidated``: None uses consolidated metadata where the
    root has it, True requires it, False ignores it; consolidated metadata lives at the root,
    so the root is opened and ``group`` found through it.
    """
    if isinstance(filename_or_obj, zarrc.Group):
        path = _group_path(group)
        found = filename_or_obj[path] if path else filename_or_obj
        if not isinstance(found, zarrc.Group):
            raise ContainsArrayError(
                f"path {path!r} of {filename_or_obj!r} is an array, not a group")
        return found, False
    owned = not isinstance(filename_or_obj, Store)
    if isinstance(filename_or_obj, os.PathLike):
        filename_or_obj = os.fspath(filename_or_obj)
    store = make_store(filename_or_obj, mode="r", storage_options=storage_options)
    path = _group_path(group)
    node: zarrc.Array | zarrc.Group
    try:
        if consolidated is False:
            node = zarrc.open_group(store, mode="r", path=path, zarr_format=zarr_format,
                                    use_consolidated=False)
        else:
            try:
                root = zarrc.open_group(store, mode="r", zarr_format=zarr_format,
                                        use_consolidated=consolidated)
            except (NodeNotFoundError, ContainsArrayError):
                if consolidated or not path:
                    raise
                root = None  # no group at the root: open the group itself
            if root is None:
                node = zarrc.open_group(store, mode="r", path=path, zarr_format=zarr_format)
            else:
                node = root[path] if path else root
        if not isinstance(node, zarrc.Group):
            raise ContainsArrayError(f"path {path!r} of {store!r} is an array, not a group")
    except BaseException:
        if owned:
            store.close()
        raise
    return node, owned


def _iter_groups(group: zarrc.Group, path: str = "/") -> Iterable[tuple[str, zarrc.Group]]:
    yield path, group
    for name, child in sorted(group.groups()):
        yield from _iter_groups(child, f"{path.rstrip('/')}/{name}")


class ZarrcBackendEntrypoint(BackendEntrypoint):
    """``engine="zarrc"``: open Zarr v2/v3 stores with zarrc (see the module docstring)."""

    description = "Open Zarr v2/v3 stores (.zarr, .zip) with zarrc"
    supports_groups = True
    open_dataset_parameters = (
        "filename_or_obj", "mask_and_scale", "decode_times", "concat_characters",
        "decode_coords", "drop_variables", "use_cftime", "decode_timedelta", "group",
        "consolidated", "zarr_format", "storage_options", "use_zarr_fill_value_as_mask",
        "report_codecs",
    )

    def guess_can_open(self, filename_or_obj: Any) -> bool:
        if isinstance(filename_or_obj, Store | zarrc.Group):
            return True
        if isinstance(filename_or_obj, str | os.PathLike):
            _, ext = os.path.splitext(os.fspath(filename_or_obj).rstrip("/"))
            return ext == ".zarr"
        return False

    def _decode(self, store: ZarrcDataStore, **decode: Any) -> xr.Dataset:
        try:
            return StoreBackendEntrypoint().open_dataset(store, **decode)
        except BaseException:
            store.close()
            raise

    def open_dataset(
            self, filename_or_obj: Any, *, mask_and_scale: bool = True,
            decode_times: Any = True, concat_characters: bool = True,
            decode_coords: Any = True, drop_variables: Any = None, use_cftime: Any = None,
            decode_timedelta: Any = None, group: str | None = None,
            consolidated: bool | None = None, zarr_format: int | None = None,
            storage_options: dict[str, Any] | None = None,
            use_zarr_fill_value_as_mask: bool | None = None,
            report_codecs: bool = True) -> xr.Dataset:
        _check_report_codecs(report_codecs)  # before the store is opened
        node, owned = _open_group(filename_or_obj, group=group, consolidated=consolidated,
                                 zarr_format=zarr_format, storage_options=storage_options)
        store = ZarrcDataStore(node, use_zarr_fill_value_as_mask=use_zarr_fill_value_as_mask,
                               close_store=owned, report_codecs=report_codecs)
        return self._decode(store, mask_and_scale=mask_and_scale, decode_times=decode_times,
                            concat_characters=concat_characters, decode_coords=decode_coords,
                            drop_variables=drop_variables, use_cftime=use_cftime,
                            decode_timedelta=decode_timedelta)

    def open_groups_as_dict(
            self, filename_or_obj: Any, *, mask_and_scale: bool = True,
            decode_times: Any = True, concat_characters: bool = True,
            decode_coords: Any = True, drop_variables: Any = None, use_cftime: Any = None,
            decode_timedelta: Any = None, group: str | None = None,
            consolidated: bool | None = None, zarr_format: int | None = None,
            storage_options: dict[str, Any] | None = None,
            use_zarr_fill_value_as_mask: bool | None = None,
            report_codecs: bool = True) -> dict[str, xr.Dataset]:
        _check_report_codecs(report_codecs)  # before the store is opened
        root, owned = _open_group(filename_or_obj, group=group, consolidated=consolidated,
                                 zarr_format=zarr_format, storage_options=storage_options)
        out: dict[str, xr.Dataset] = {}
        for i, (path, node) in enumerate(_iter_groups(root)):
            store = ZarrcDataStore(node, use_zarr_fill_value_as_mask=use_zarr_fill_value_as_mask,
                                   close_store=owned and i == 0,  # the root closes the store
                                   report_codecs=report_codecs)
            out[path] = self._decode(store, mask_and_scale=mask_and_scale,
                                     decode_times=decode_times,
                                     concat_characters=concat_characters,
                                     decode_coords=decode_coords, drop_variables=drop_variables,
                                     use_cftime=use_cftime, decode_timedelta=decode_timedelta)
        return out

    def open_datatree(
            self, filename_or_obj: Any, **kwargs: Any) -> xr.DataTree:
        groups = self.open_groups_as_dict(filename_or_obj, **kwargs)
        try:
            tree: xr.DataTree = xr.DataTree.from_dict(groups)
        except BaseException:
            groups["/"].close()
            raise
        tree.set_close(groups["/"].close)  # the root's dataset owns the store
        return tree
