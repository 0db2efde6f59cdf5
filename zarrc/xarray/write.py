"""``zarrc.xarray.to_zarr``: write a Dataset (or DataTree) as xarray's zarr engine would.

The CF side is xarray's own: ``conventions.encode_dataset_coordinates`` (the ``coordinates``
attributes), then ``conventions.encode_cf_variable`` with the coder chain xarray's zarr engine
uses (times and timedeltas to numbers with ``units``/``calendar``, ``scale_factor`` /
``add_offset``, ``_FillValue`` masking, ``dtype``), and xarray's string coders. What this
module adds is the Zarr layout of :mod:`zarrc.xarray.conventions`: one array per variable,
dimension names, the fill value rule of each format, the zarr encodings of
:mod:`zarrc.xarray.encoding`, consolidated metadata at the root, and the writes into existing
groups of :mod:`zarrc.xarray.modes` (``mode="a"``, ``append_dim``, ``region``). All checks run
before anything is stored. Dask-backed variables are stored block by block with ``lock=False``;
blocks that would share a chunk are refused as xarray's engine refuses them
(``safe_chunks=True``), rechunked onto the chunks (``align_chunks=True``) or, with
``safe_chunks=False``, merged under zarrc's chunk locks (:mod:`zarrc.xarray.chunks`).
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr
from xarray import conventions
from xarray.backends.common import ensure_dtype_not_object
from xarray.coding import strings

import zarrc
from zarrc.errors import ContainsGroupError, NodeNotFoundError
from zarrc.storage import make_store
from zarrc.xarray.chunks import align_blocks, check_blocks, check_flag, write_grid
from zarrc.xarray.conventions import DIMENSION_KEY, encode_attribute, encode_fill_value
from zarrc.xarray.encoding import zarr_encoding
from zarrc.xarray.errors import ToZarrError
from zarrc.xarray.modes import (
    Region,
    choose_mode,
    conform_to_stored,
    resolve_region,
    stored_dimensions,
    stored_variables,
)

__all__ = ["to_zarr"]

# (values, array, where in the array): one variable's write, done by _store_data.
Pending = list[tuple[Any, zarrc.Array, tuple[slice, ...]]]


@dataclass(frozen=True)
class _Options:
    """The arguments of one ``to_zarr`` call that every group's write uses."""

    mode: str
    append_dim: Hashable | None
    region: Any
    write_empty_chunks: bool | None
    safe_chunks: bool = True
    align_chunks: bool = False


@dataclass
class _NewArray:
    """An array to create: everything checked and computed before the store is touched."""

    var: xr.Variable
    attrs: dict[str, Any]
    fill_value: Any
    create: dict[str, Any] = field(default_factory=dict)


def _cf_encode(var: xr.Variable, name: Hashable, zarr_format: int) -> xr.Variable:
    """``var`` CF-encoded exactly as xarray's zarr engine encodes it."""
    coders = getattr(conventions, "ZARR_CODERS", None)
    if coders is None:  # xarray before ZARR_CODERS: its zarr engine used the default chain
        var = conventions.encode_cf_variable(var, name=name)
    else:
        var = conventions.encode_cf_variable(var, name=name, coders=coders)
    var = ensure_dtype_not_object(var, name=name)
    if zarr_format == 3 and var.dtype.kind == "T":
        return var  # variable-length strings are native in v3
    coder = strings.EncodedStringCoder(allows_unicode=True)  # type: ignore[no-untyped-call, unused-ignore]
    var = coder.encode(var, name=name)
    return strings.ensure_fixed_length_bytes(var)


def _fill_value(var: xr.Variable, attrs: dict[str, Any], enc: dict[str, Any],
                zarr_format: int) -> Any:
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


def _plan_new(var: xr.Variable, name: Hashable, zarr_format: int, strict: bool,
              write_empty_chunks: bool | None) -> _NewArray:
    """How to create the array of new variable ``var`` (CF-encoded)."""
    attrs = dict(var.attrs)
    enc = zarr_encoding(var, name, zarr_format, strict)
    fill = _fill_value(var, attrs, enc, zarr_format)
    if write_empty_chunks is not None:
        if enc.get("write_empty_chunks", write_empty_chunks) != write_empty_chunks:
            raise ToZarrError(f"variable {name!r}: encoding['write_empty_chunks']="
                              f"{enc['write_empty_chunks']!r} differs from to_zarr's "
                              f"write_empty_chunks={write_empty_chunks!r}")
        enc["write_empty_chunks"] = write_empty_chunks
    json_attrs = {str(k): encode_attribute(v) for k, v in attrs.items()}
    dims = [str(d) for d in var.dims]
    if zarr_format == 3:
        enc["dimension_names"] = dims or None  # a scalar has none (as zarr-python writes)
    else:
        json_attrs[DIMENSION_KEY] = dims
    return _NewArray(var, json_attrs, fill, enc)


def _create(group: zarrc.Group, name: Hashable, plan: _NewArray) -> zarrc.Array:
    var = plan.var
    vlen = strings.check_vlen_dtype(var.dtype)  # type: ignore[no-untyped-call, unused-ignore]
    dtype: Any = str if vlen is str else var.dtype
    return group.create_array(str(name), shape=var.shape, dtype=dtype,
                              fill_value=plan.fill_value, attributes=plan.attrs,
                              zarr_format=group.zarr_format, **plan.create)


def _set_encodings(variables: dict[Hashable, xr.Variable],
                   encoding: Mapping[Hashable, Any] | None) -> set[Hashable]:
    """Put ``to_zarr(encoding=...)`` on the variables; the names it gives."""
    for name, enc in (encoding or {}).items():
        if name not in variables:
            raise ToZarrError(f"encoding given for {name!r}, which is not a variable of the "
                              f"dataset ({sorted(map(str, variables))})")
        if not isinstance(enc, Mapping):
            raise ToZarrError(f"encoding[{name!r}] must be a dict, got {type(enc).__name__}")
        variables[name].encoding = dict(enc)
    return set(encoding or {})


@dataclass
class _Write:
    """One variable to store: CF-encoded, into a stored array (``array``) or a new one
    (``new``), at ``where`` (per dimension); ``grow``: the axis along ``append_dim``, which
    the array grows along first."""

    name: Hashable
    var: xr.Variable
    array: zarrc.Array | None
    new: _NewArray | None
    where: dict[Hashable, slice]
    grow: int | None = None


@dataclass
class _GroupPlan:
    """What writing one Dataset into one group does, computed and checked beforehand."""

    path: str
    group: zarrc.Group | None  # the existing group to write into; None: create it
    zarr_format: int
    attrs: dict[str, Any] | None  # the group's new attributes (None: left alone)
    writes: list[_Write]


def _plan_group(ds: xr.Dataset, path: str, group: zarrc.Group | None, zarr_format: int,
                encoding: Mapping[Hashable, Any] | None, opts: _Options) -> _GroupPlan:
    """Check writing ``ds`` into ``group`` (None: a new group) and say how; stores nothing."""
    mode, append_dim = opts.mode, opts.append_dim
    arrays: dict[str, zarrc.Array] = {}
    if group is not None and mode != "w":
        arrays = dict(group.arrays())
    region: Region | None = None
    if opts.region is not None:
        if group is None:
            raise NodeNotFoundError(f"to_zarr(region=...): no group at {path or '/'!r} to "
                                    f"write a region into")
        ds, region = resolve_region(ds, group, arrays, opts.region, mode, append_dim)
    if encoding and mode != "w":
        if clash := sorted(set(map(str, encoding)) & set(arrays)):
            raise ToZarrError(f"variable {clash[0]!r} already exists, but encoding was "
                              f"provided; the stored encoding is used for existing variables")
    variables, attrs = conventions.encode_dataset_coordinates(ds)
    explicit = _set_encodings(variables, encoding)
    old = [k for k in variables if str(k) in arrays]
    new = [k for k in variables if str(k) not in arrays]
    if new and mode == "r+":
        raise ToZarrError(f"dataset contains non-pre-existing variables {new!r}, which is not "
                          f"allowed with mode='r+'; to allow writing new variables, set "
                          f"mode='a'")
    if new and region is not None:
        raise ToZarrError(f"variables {new!r} are not in the store; a region write only "
                          f"writes into existing variables")
    if append_dim is not None and str(append_dim) not in arrays:
        if append_dim not in (dims := stored_dimensions(arrays)):
            raise ToZarrError(f"append_dim={append_dim!r} does not match any existing "
                              f"dataset dimensions {dims}")
    encoded = {k: _cf_encode(variables[k], k, zarr_format) for k in new}
    if old:
        assert group is not None
        stored = stored_variables(group, arrays, [str(k) for k in old])
    for k in old:
        var = variables[k].copy(deep=False)
        var.encoding = dict(stored[str(k)].encoding)  # written as the stored values are
        encoded[k] = conform_to_stored(k, variables[k], _cf_encode(var, k, zarr_format),
                                       stored[str(k)], region, append_dim)
    if mode == "a-" and append_dim is not None:  # only new variables and those that grow
        encoded = {k: v for k, v in encoded.items() if k in new or append_dim in v.dims}
    writes = []
    for name, var in encoded.items():
        where = {dim: (region or {}).get(dim, slice(None)) for dim in var.dims}
        if name in new:
            plan = _plan_new(var, name, zarr_format, name in explicit, opts.write_empty_chunks)
            writes.append(_Write(name, var, None, plan, where))
        else:
            grow = var.dims.index(append_dim) if append_dim in var.dims else None
            writes.append(_Write(name, var, arrays[str(name)], None, where, grow))
    for w in writes:
        _fit_blocks(w, opts)
    json_attrs = None if mode == "r+" else {str(k): encode_attribute(v)
                                            for k, v in attrs.items()}
    return _GroupPlan(path, group, zarr_format, json_attrs, writes)


def _fit_blocks(w: _Write, opts: _Options) -> None:
    """Line ``w``'s dask blocks up with the chunks it is written into (``align_chunks``),
    or refuse blocks that would share a chunk (``safe_chunks``, as xarray's engine)."""
    var = w.var
    if var.chunks is None or not (opts.align_chunks or opts.safe_chunks):
        return
    if w.new is not None:
        grid = write_grid(w.new.create.get("chunks"), w.new.create.get("shards"), var.ndim)
        starts, sizes = [0] * var.ndim, list(var.shape)
    else:
        assert w.array is not None
        grid = write_grid(w.array.chunks, w.array.shards, var.ndim)
        starts, sizes = [], []
        for axis, (dim, n) in enumerate(zip(var.dims, w.array.shape)):
            grows = axis == w.grow  # appended after the stored n
            starts.append(n if grows else w.where[dim].indices(n)[0])
            sizes.append(n + var.shape[axis] if grows else n)
    if grid is None:
        return
    if opts.align_chunks:
        w.var = align_blocks(var, grid, starts)
        if w.new is not None:
            w.new.var = w.var
    else:
        check_blocks(w.name, var, grid, starts, sizes, partial_ok=opts.mode != "r+")


def _apply(plan: _GroupPlan, store: Any, opts: _Options) -> Pending:
    """Store the metadata ``plan`` says (the group, new arrays, grown shapes, attributes);
    the values still to write."""
    group = plan.group
    if group is None or opts.mode == "w":
        group = zarrc.open_group(store, mode="w" if opts.mode == "w" else "w-",
                                 path=plan.path, zarr_format=plan.zarr_format)
    if plan.attrs is not None:
        group.attrs.put(plan.attrs)
    pending: Pending = []
    for w in plan.writes:
        if w.new is not None:
            array = _create(group, w.name, w.new)
        else:
            assert w.array is not None
            array = w.array
            if opts.write_empty_chunks is not None:
                array = array.with_config({"write_empty_chunks": opts.write_empty_chunks})
            if w.grow is not None:
                shape = list(array.shape)
                w.where[w.var.dims[w.grow]] = slice(shape[w.grow],
                                                    shape[w.grow] + w.var.shape[w.grow])
                shape[w.grow] += w.var.shape[w.grow]
                array.resize(tuple(shape))
        box = tuple(slice(*w.where[d].indices(n)) for d, n in zip(w.var.dims, array.shape))
        pending.append((w.var.data, array, box))
    return pending


def _existing_group(store: Any, path: str, mode: str,
                    zarr_format: int | None) -> zarrc.Group | None:
    """The group at ``path`` the write goes into (opened without its consolidated metadata,
    which the write makes stale), or None when one is to be created; ``w-`` refuses an
    existing group, ``r+`` a missing one."""
    if mode == "w":
        return None
    try:
        group = zarrc.open_group(store, mode="r+", path=path, use_consolidated=False)
    except NodeNotFoundError:
        if mode == "r+":
            raise NodeNotFoundError(f"to_zarr(mode='r+'): no group at {path or '/'!r} of "
                                    f"{store!r} to write into") from None
        return None
    if mode == "w-":
        raise ContainsGroupError(f"to_zarr(mode='w-'): a group already exists at "
                                 f"{path or '/'!r} of {store!r}; mode='w' replaces it, "
                                 f"mode='a' adds to it")
    if zarr_format is not None and group.zarr_format != zarr_format:
        raise ToZarrError(f"to_zarr: the group at {path or '/'!r} is zarr v{group.zarr_format}, "
                          f"but zarr_format={zarr_format} was given")
    return group


def _store_data(pending: Pending, compute: bool) -> Any:
    """Write each variable's values: NumPy at once, dask blocks in one ``store`` call."""
    lazy = [p for p in pending if hasattr(p[0], "__dask_graph__")]
    for data, array, box in pending:
        if not hasattr(data, "__dask_graph__"):
            array[box if box else ...] = np.asarray(data)
    if not lazy:
        return None
    import dask.array as da

    return da.store([d for d, _, _ in lazy], [a for _, a, _ in lazy],
                    regions=[b for _, _, b in lazy], lock=False, compute=compute)


def _nodes(obj: Any, encoding: Mapping[Any, Any] | None, append_dim: Hashable | None
           ) -> list[tuple[str, xr.Dataset, Mapping[Hashable, Any] | None]]:
    """``(path relative to the target group, dataset, its encoding)`` for each group."""
    if isinstance(obj, xr.Dataset):
        return [(".", obj, encoding)]
    if not isinstance(obj, xr.DataTree):
        raise TypeError(f"to_zarr writes an xarray Dataset or DataTree, got {type(obj).__name__}")
    if append_dim is not None:
        raise ToZarrError("to_zarr: append_dim is not supported for a DataTree (nor by "
                          "xarray's DataTree.to_zarr)")
    encoding = dict(encoding or {})
    if unknown := set(encoding) - set(obj.groups):
        raise ToZarrError(f"to_zarr: encoding of a DataTree is keyed by group path "
                          f"({sorted(obj.groups)}); unexpected: {sorted(unknown)}")
    return [(node.relative_to(obj), node.to_dataset(inherit=False), encoding.get(node.path))
            for node in obj.subtree]


def to_zarr(obj: xr.Dataset | xr.DataTree, store: Any = None, *, group: str | None = None,
            mode: str | None = None, zarr_format: int | None = None,
            consolidated: bool | None = None, encoding: Mapping[Any, Any] | None = None,
            compute: bool = True, append_dim: Hashable | None = None, region: Any = None,
            write_empty_chunks: bool | None = None, safe_chunks: bool = True,
            align_chunks: bool = False,
            storage_options: dict[str, Any] | None = None) -> Any:
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
        ``"w-"`` fails if a node exists there; ``"w"`` replaces it; ``"a"`` adds variables
        and overwrites (or, along ``append_dim``, extends) those already stored; ``"a-"`` as
        ``"a"`` but leaves stored variables without ``append_dim`` alone; ``"r+"`` writes
        only into existing variables. Default: ``"a"`` with ``append_dim``, ``"r+"`` with
        ``region``, else ``"w-"``.
    zarr_format
        2 or 3 (default: the existing group's, 3 for a new one).
    consolidated
        Write consolidated metadata at the store root (default, as xarray; not in ``"r+"``,
        which changes no metadata); False leaves it alone.
    encoding
        Per variable (for a DataTree: per group path, then per variable): CF keys
        (``dtype``, ``units``, ``calendar``, ``_FillValue``, ``scale_factor``,
        ``add_offset``) and the zarr keys of :mod:`zarrc.xarray.encoding` (``chunks``,
        ``shards``, ``compressors``, ``filters``, ``serializer``, ...); others raise
        :class:`~zarrc.xarray.errors.ToZarrError`. Not for variables already stored.
    compute
        Write dask-backed values now (default), or leave them to ``dask.compute(pending)``.
    append_dim
        Extend the stored variables that have this dimension by the Dataset's values.
    region
        ``{dim: slice}`` (or ``"auto"`` per dimension, or ``"auto"``: found from the stored
        coordinates): write the Dataset into that part of the stored variables.
    write_empty_chunks
        Store chunks that hold only the fill value (default: zarrc's, which skips them).
    safe_chunks
        Refuse (:class:`~zarrc.xarray.errors.UnsafeChunksError`, a ``ValueError``) dask
        blocks of which two would write into one Zarr chunk (or shard), and in ``"r+"``
        blocks that write part of a chunk at the ends of the region, as xarray's engine
        does (default). False writes them: zarrc merges the blocks under its chunk locks,
        which hold across processes where the store has them (local directories).
    align_chunks
        Rechunk the dask blocks onto the Zarr chunks (or shards) before writing, so none
        share a chunk; ``safe_chunks`` is then not checked (as xarray). Default False.
    """
    mode = choose_mode(mode, append_dim, region)
    safe_chunks = check_flag("safe_chunks", safe_chunks)
    align_chunks = check_flag("align_chunks", align_chunks)
    if zarr_format not in (None, 2, 3):
        raise ToZarrError(f"to_zarr: zarr_format must be 2 or 3, got {zarr_format!r}")
    nodes = _nodes(obj, encoding, append_dim)
    if isinstance(store, os.PathLike):
        store = os.fspath(store)
    st = make_store(store, mode="r+" if mode == "r+" else "a", storage_options=storage_options)
    base = "" if group is None else str(group).strip("/")
    plans: list[tuple[_GroupPlan, _Options]] = []
    fmt = zarr_format
    for rel, ds, enc in nodes:
        path = base if rel == "." else "/".join(p for p in (base, rel) if p)
        # Below the first group, "w" and "w-" write into the new tree the first one makes.
        in_new_tree = bool(plans) and mode in ("w", "w-")
        existing = None if in_new_tree else _existing_group(st, path, mode, fmt)
        fmt = existing.zarr_format if existing is not None else fmt or 3
        opts = _Options("w" if in_new_tree else mode, append_dim, region, write_empty_chunks,
                        safe_chunks, align_chunks)
        plans.append((_plan_group(ds, path, existing, fmt, enc, opts), opts))
    # Everything is checked: now the store changes.
    pending: Pending = []
    for plan, opts in plans:
        pending += _apply(plan, st, opts)
    root = zarrc.open_group(st, mode="r+", path=base, use_consolidated=False)
    if consolidated is not False and mode != "r+":
        zarrc.consolidate_metadata(st, zarr_format=root.zarr_format)
    stored = _store_data(pending, compute)
    return root if compute else (root, stored)
