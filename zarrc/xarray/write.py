"""``zarrc.xarray.to_zarr``: write a Dataset (or DataTree) as xarray's zarr engine would.

The CF side is xarray's own: ``conventions.encode_dataset_coordinates`` (the ``coordinates``
attributes), then ``conventions.encode_cf_variable`` with the coder chain xarray's zarr engine
uses (times and timedeltas to numbers with ``units``/``calendar``, ``scale_factor`` /
``add_offset``, ``_FillValue`` masking, ``dtype``), and xarray's string coders. What this
module adds is the Zarr layout of :mod:`zarrc.xarray.conventions`: one array per variable,
dimension names, the fill value rule of each format, zarr encodings (``chunks``, ``shards``,
``compressors``, ...), consolidated metadata at the root. Dask-backed variables are stored
block by block with ``lock=False``; blocks that do not line up with chunks are merged under
zarrc's chunk locks, so unlike xarray's engine no alignment is demanded.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import xarray as xr
from xarray import conventions
from xarray.backends.common import ensure_dtype_not_object
from xarray.coding import strings

import zarrc
from zarrc.storage import make_store
from zarrc.xarray.conventions import DIMENSION_KEY, encode_attribute, encode_fill_value

__all__ = ["to_zarr"]

# Encoding keys that configure the Zarr array (everything CF is consumed by the encoders).
_ZARR_ENCODINGS = frozenset({"chunks", "shards", "compressors", "filters", "serializer",
                             "write_empty_chunks", "chunk_key_encoding"})
_SAFE_TO_DROP = frozenset({"source", "original_shape", "preferred_chunks"})
_MODES = ("w", "w-")


def _cf_encode(var: xr.Variable, name: str, zarr_format: int) -> xr.Variable:
    """``var`` CF-encoded exactly as xarray's zarr engine encodes it."""
    coders = getattr(conventions, "ZARR_CODERS", None)
    if coders is None:  # xarray before ZARR_CODERS: its zarr engine used the default chain
        var = conventions.encode_cf_variable(var, name=name)
    else:
        var = conventions.encode_cf_variable(var, name=name, coders=coders)
    var = ensure_dtype_not_object(var, name=name)
    if zarr_format == 3 and var.dtype.kind == "T":
        return var  # variable-length strings are native in v3
    var = strings.EncodedStringCoder(allows_unicode=True).encode(var, name=name)
    return strings.ensure_fixed_length_bytes(var)


def _zarr_encoding(var: xr.Variable, name: str, zarr_format: int, strict: bool) -> dict[str, Any]:
    """The array-creation keywords from ``var.encoding`` (unknown keys refused if ``strict``:
    the caller passed them in ``encoding=``; otherwise dropped, as xarray does)."""
    allowed = _ZARR_ENCODINGS | ({"fill_value"} if zarr_format == 3 else set())
    enc = {k: v for k, v in var.encoding.items() if k not in _SAFE_TO_DROP}
    unknown = sorted(set(enc) - allowed)
    if strict and unknown:
        hint = " (use _FillValue for the v2 fill value)" if "fill_value" in unknown else ""
        raise ValueError(f"variable {name!r}: unexpected encoding for zarrc: {unknown}{hint}")
    enc = {k: v for k, v in enc.items() if k in allowed}
    if enc.get("chunks") is None:
        enc["chunks"] = _chunks_from_data(var)
    if enc.get("shards") is None:
        enc.pop("shards", None)
    return enc


def _chunks_from_data(var: xr.Variable):
    """Dask-backed data: its block shape (the largest block per dimension); else "auto"."""
    if var.chunks is None:
        return "auto"
    return tuple(max(1, max(c)) if c else 1 for c in var.chunks)


def _fill_value(var: xr.Variable, attrs: dict[str, Any], enc: dict[str, Any], zarr_format: int):
    """The Zarr fill value, updating ``attrs``: v2 stores ``_FillValue`` as the fill value
    (the reader masks with it); v3 keeps ``_FillValue`` as a JSON attribute and takes the fill
    value from the encoding (NaN for floats by default, as xarray)."""
    if zarr_format == 2:
        return attrs.pop("_FillValue", None)
    fill = enc.pop("fill_value", None)
    if fill is None and var.dtype.kind == "f":
        fill = np.nan
    if "_FillValue" in attrs:
        value = attrs.pop("_FillValue")
        if value is not None:
            attrs["_FillValue"] = encode_fill_value(value, var.dtype)
    return fill


def _create_arrays(group: zarrc.Group, variables: dict[str, Any], explicit: set[Any], zarr_format: int,
                   write_empty_chunks) -> list[Any]:
    """Create one array per encoded variable; ``[(data, array)]`` still to be written."""
    pending = []
    for name, var in variables.items():
        attrs = dict(var.attrs)
        enc = _zarr_encoding(var, name, zarr_format, name in explicit)
        fill = _fill_value(var, attrs, enc, zarr_format)
        if write_empty_chunks is not None:
            enc["write_empty_chunks"] = write_empty_chunks
        attrs = {k: encode_attribute(v) for k, v in attrs.items()}
        dims = list(var.dims)
        if zarr_format == 3:
            enc["dimension_names"] = dims or None  # a scalar has none (as zarr-python writes)
        else:
            attrs[DIMENSION_KEY] = dims
        dtype = str if strings.check_vlen_dtype(var.dtype) is str else var.dtype
        array = group.create_array(str(name), shape=var.shape, dtype=dtype, fill_value=fill,
                                   attributes=attrs, zarr_format=zarr_format, **enc)
        pending.append((var.data, array))
    return pending


def _write_group(ds: xr.Dataset, group: zarrc.Group, encoding: dict[str, Any] | None, zarr_format: int,
                 write_empty_chunks) -> list[Any]:
    variables, attrs = conventions.encode_dataset_coordinates(ds)
    explicit = set()
    for name, enc in (encoding or {}).items():
        if name not in variables:
            raise ValueError(f"encoding given for {name!r}, which is not a variable of the "
                             f"dataset ({sorted(map(str, variables))})")
        variables[name].encoding = dict(enc)
        explicit.add(name)
    variables = {k: _cf_encode(v, k, zarr_format) for k, v in variables.items()}
    group.attrs.update({str(k): encode_attribute(v) for k, v in attrs.items()})
    return _create_arrays(group, variables, explicit, zarr_format, write_empty_chunks)


def _store_data(pending: list[Any], compute: bool):
    """Write each variable's values: NumPy at once, dask blocks in one ``store`` call."""
    lazy = [(d, a) for d, a in pending if hasattr(d, "__dask_graph__")]
    for data, array in pending:
        if not hasattr(data, "__dask_graph__"):
            array[...] = np.asarray(data)
    if not lazy:
        return None
    import dask.array as da

    return da.store([d for d, _ in lazy], [a for _, a in lazy], lock=False, compute=compute)


def to_zarr(obj, store=None, *, group=None, mode: str = "w-", zarr_format: int = 3,
            consolidated: bool = True, encoding: dict[str, Any] | None = None, compute: bool = True,
            write_empty_chunks: bool | None = None, storage_options: dict[str, Any] | None = None):
    """Write ``obj`` (a Dataset or a DataTree) to ``store`` so xarray's zarr engine opens it
    identically; returns the zarrc Group written. With ``compute=False`` the metadata is
    written and ``(group, pending)`` returned: ``dask.compute(pending)`` writes the dask-backed
    values (``pending`` is None when there are none).

    Parameters
    ----------
    store
        A path, URL or zarrc Store (anything :func:`zarrc.storage.make_store` takes).
    group
        The group path inside the store (default: the root).
    mode
        ``"w-"`` (default) fails if a node exists there; ``"w"`` replaces it.
    zarr_format
        2 or 3.
    consolidated
        Write consolidated metadata at the store root, as xarray does by default.
    encoding
        Per variable: CF keys (``dtype``, ``units``, ``calendar``, ``_FillValue``,
        ``scale_factor``, ``add_offset``) and zarr keys (``chunks``, ``shards``,
        ``compressors``, ``filters``, ``serializer``, ``chunk_key_encoding``,
        ``write_empty_chunks``, v3 ``fill_value``); others raise ``ValueError``.
    compute
        Write dask-backed values now (default), or leave them to ``dask.compute(pending)``.
    write_empty_chunks
        Store chunks that hold only the fill value (default: zarrc's, which skips them).
    """
    if mode not in _MODES:
        raise ValueError(f"to_zarr: mode must be one of {_MODES}, got {mode!r}")
    if zarr_format not in (2, 3):
        raise ValueError(f"to_zarr: zarr_format must be 2 or 3, got {zarr_format!r}")
    if isinstance(store, os.PathLike):
        store = os.fspath(store)
    st = make_store(store, mode="a", storage_options=storage_options)
    base = "" if group is None else str(group).strip("/")
    if isinstance(obj, xr.DataTree):
        if encoding:
            raise ValueError("to_zarr: per-variable encoding is not supported for a DataTree; "
                             "set each variable's .encoding instead")
        nodes = [(node.relative_to(obj), node.to_dataset(inherit=False))
                 for node in obj.subtree]
    elif isinstance(obj, xr.Dataset):
        nodes = [(".", obj)]
    else:
        raise TypeError(f"to_zarr writes an xarray Dataset or DataTree, got {type(obj).__name__}")
    pending, root = [], None
    for rel, ds in nodes:
        path = base if rel == "." else "/".join(p for p in (base, rel) if p)
        node = zarrc.open_group(st, mode=mode if root is None else "w", path=path,
                                zarr_format=zarr_format)
        if root is None:
            root = node
        pending += _write_group(ds, node, encoding if rel == "." else None, zarr_format,
                                write_empty_chunks)
    if consolidated:
        zarrc.consolidate_metadata(st, zarr_format=zarr_format)
    stored = _store_data(pending, compute)
    return root if compute else (root, stored)
