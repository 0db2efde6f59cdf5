"""``to_zarr``'s writes into an existing group: the mode, ``append_dim`` and ``region`` rules.

xarray's zarr engine is the model, its validation messages mirrored: ``mode=None`` means
``"a"`` with ``append_dim``, ``"r+"`` with ``region`` and ``"w-"`` otherwise; ``append_dim``
needs ``"a"``/``"a-"``, ``region`` ``"a"``/``"a-"``/``"r+"``. A variable already stored is
written with the stored variable's encoding (its ``units``, ``dtype``, ``scale_factor``, ...),
its dimensions may come in another order (they are transposed) but must be the same, and its
sizes must be the stored ones except along ``append_dim`` (or inside ``region``). Every
violation is a :class:`~zarrc.xarray.errors.ToZarrError` naming the variable or argument.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped, unused-ignore]
import xarray as xr
from xarray import conventions

import zarrc
from zarrc.xarray.backend import ZarrcDataStore
from zarrc.xarray.conventions import variable_dims_and_attrs
from zarrc.xarray.errors import ToZarrError

__all__ = [
    "MODES",
    "Region",
    "choose_mode",
    "conform_to_stored",
    "resolve_region",
    "stored_dimensions",
    "stored_variables",
]

MODES = ("w", "w-", "a", "a-", "r+")
Region = dict[Hashable, slice]


def choose_mode(mode: str | None, append_dim: Hashable | None, region: Any) -> str:
    """The write mode for these arguments (see the module docstring)."""
    if mode is None:
        mode = "a" if append_dim is not None else "r+" if region is not None else "w-"
    if mode not in MODES:
        raise ToZarrError(f"to_zarr: the only supported options for mode are {MODES}, but "
                          f"mode={mode!r}")
    if append_dim is not None and mode not in ("a", "a-"):
        raise ToZarrError(f"to_zarr: cannot set append_dim unless mode='a', mode='a-' or "
                          f"mode=None, got mode={mode!r}")
    if region is not None and mode not in ("a", "a-", "r+"):
        raise ToZarrError(f"to_zarr: cannot set region unless mode='a', mode='a-', mode='r+' "
                          f"or mode=None, got mode={mode!r}")
    return mode


def stored_variables(group: zarrc.Group, arrays: Mapping[str, zarrc.Array],
                     names: list[str]) -> dict[str, xr.Variable]:
    """The stored variables ``names`` decoded as ``open_dataset`` decodes them (lazily: only
    their encodings, dims and dtypes are used)."""
    store = ZarrcDataStore(group)
    raw = {name: store.variable(arrays[name]) for name in names}
    decoded, _, _ = conventions.decode_cf_variables(raw, {})
    return dict(decoded)


def stored_dimensions(arrays: Mapping[str, zarrc.Array]) -> dict[str, int]:
    """Every dimension of the group's variables and its size."""
    sizes: dict[str, int] = {}
    for array in arrays.values():
        dims, _ = variable_dims_and_attrs(array)
        sizes.update(zip(dims, array.shape))
    return sizes


def _check_dtype(name: Hashable, stored: xr.Variable, new: xr.Variable) -> None:
    """Fixed-width strings must keep their width (a shorter stored type would truncate);
    numbers, times, booleans and objects convert (as xarray's engine allows)."""
    kind = new.dtype.kind
    if (np.issubdtype(new.dtype, np.number) or kind in "MmbO"
            or (kind in "SU" and stored.dtype.kind == "O")):
        return
    if new.dtype != stored.dtype:
        raise ToZarrError(f"mismatched dtypes for variable {name!r} between the Zarr store and "
                          f"the dataset to write: the store has {stored.dtype}, the dataset "
                          f"{new.dtype}")


def conform_to_stored(name: Hashable, new: xr.Variable, encoded: xr.Variable,
                      stored: xr.Variable, region: Region | None,
                      append_dim: Hashable | None) -> xr.Variable:
    """``encoded`` (``new`` CF-encoded with ``stored``'s encoding) transposed to the stored
    dimension order, its sizes checked against the stored ones (inside ``region``, apart
    from ``append_dim``)."""
    _check_dtype(name, stored, new)
    if encoded.dims != stored.dims:
        if set(encoded.dims) != set(stored.dims):
            raise ToZarrError(f"variable {name!r} already exists with different dimension "
                              f"names {stored.dims} != {encoded.dims}, but changing variable "
                              f"dimensions is not supported by to_zarr()")
        encoded = encoded.transpose(*stored.dims)
    expected = {}
    for dim, size in stored.sizes.items():
        if region is not None and dim in region:
            start, stop, _ = region[dim].indices(size)
            size = max(0, stop - start)
        if dim != append_dim:
            expected[dim] = size
    got = {dim: size for dim, size in encoded.sizes.items() if dim != append_dim}
    if got != expected:
        raise ToZarrError(f"variable {name!r} already exists with different dimension sizes: "
                          f"{expected} != {got}. to_zarr() only changes dimension sizes when "
                          f"appending (append_dim={append_dim!r}); to write a part of the "
                          f"stored variables, use region=")
    return encoded


def resolve_region(ds: xr.Dataset, group: zarrc.Group, arrays: Mapping[str, zarrc.Array],
                   region: Any, mode: str,
                   append_dim: Hashable | None) -> tuple[xr.Dataset, Region]:
    """``region`` made explicit (``"auto"`` entries found from the stored coordinates) and
    validated, and ``ds`` without its indexes (a region write cannot change them)."""
    if isinstance(region, str) and region == "auto":
        region = dict.fromkeys(ds.dims, "auto")
    if not isinstance(region, Mapping):
        raise ToZarrError(f"to_zarr: region must be a dict or 'auto', got "
                          f"{type(region).__name__}")
    region = dict(region)
    for dim in region:
        if dim not in ds.dims:
            raise ToZarrError(f"to_zarr: all keys in region must be dimensions of the "
                              f"Dataset, got {list(region)} and {list(ds.dims)}")
    if any(isinstance(v, str) and v == "auto" for v in region.values()):
        if mode not in ("a", "a-", "r+"):  # choose_mode has ensured it; kept for clarity
            raise ToZarrError(f"to_zarr: mode must be 'r+' or 'a' when using region='auto', "
                              f"got {mode!r}")
        region = {dim: _auto_slice(ds, group, arrays, dim) if isinstance(v, str) and v == "auto"
                  else v for dim, v in region.items()}
    for dim, value in region.items():
        if not isinstance(value, slice):
            raise ToZarrError(f"to_zarr: all values in region must be slice objects, got "
                              f"region[{dim!r}]={value!r}")
        if value.step not in (1, None):
            raise ToZarrError(f"to_zarr: step on all slices in region must be 1 or None, got "
                              f"region[{dim!r}]={value!r}")
    unrelated = [k for k, v in ds.variables.items() if not set(region) & set(v.dims)]
    if region and unrelated:
        raise ToZarrError(f"to_zarr: with region, all variables of the dataset must have at "
                          f"least one dimension in common with the region's dimensions "
                          f"{list(region)}, but {unrelated} do not; drop them first: "
                          f".drop_vars({unrelated!r})")
    if append_dim is not None and append_dim in region:
        raise ToZarrError(f"to_zarr: cannot list the same dimension in both append_dim and "
                          f"region, got {append_dim!r} in both")
    return ds.drop_vars(list(ds.indexes)), region


def _auto_slice(ds: xr.Dataset, group: zarrc.Group, arrays: Mapping[str, zarrc.Array],
                dim: Hashable) -> slice:
    """Where ``ds``'s coordinate ``dim`` lies in the stored one: a contiguous slice, or an
    error. A dimension without a coordinate is written from 0."""
    if dim not in ds.variables:
        return slice(0, ds.sizes[dim])
    if str(dim) not in arrays:
        raise ToZarrError(f"to_zarr: region={{{dim!r}: 'auto'}} needs the coordinate {dim!r} "
                          f"in the store, which has none")
    stored = stored_variables(group, arrays, [str(dim)])[str(dim)]
    index = pd.Index(np.asarray(stored.values))
    where = index.get_indexer(np.asarray(ds[dim].values))
    if (where == -1).any():
        raise ToZarrError(f"to_zarr: not all values of coordinate {dim!r} in the new data were "
                          f"found in the store; writing a region requires that no dimensions "
                          f"or metadata are changed by the write")
    if where.size and (np.diff(where) != 1).any():
        raise ToZarrError(f"to_zarr: the auto-detected region of coordinate {dim!r} is not "
                          f"contiguous in the store; a region write needs the new data to be a "
                          f"contiguous part of what is stored")
    if not where.size:
        return slice(0, 0)
    return slice(int(where[0]), int(where[-1]) + 1)
