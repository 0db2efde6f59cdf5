"""LazyArray: a selection of an Array that reads nothing until it is materialized.

``a.lazy[sel]`` records *which* elements of ``a`` a selection names, not their values. A view is
the base Array plus an *index map*: for every base dimension, how its position follows from a
position in the view (a constant, an affine ``start + step * v[k]`` of one view axis, or an
integer array broadcast over the view's axes). Selections on a view compose into a new map with
no I/O, so a view of a view is one view; reading or writing goes to the base once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

import numpy as np
import numpy.typing as npt

from zarrc.engine.read import check_out
from zarrc.engine.write import prepare_value
from zarrc.errors import ReadOnlyError
from zarrc.indexing import normalize_selection
from zarrc.indexing.selection import is_bool_scalar, parse_items, slice_dim

if TYPE_CHECKING:
    from zarrc.engine.context import ArrayContext

__all__ = ["LazyArray", "LazyIndexer", "dimension_selection"]


class _Selector(Protocol):
    """One selection mode of an array (``a.oindex``): reads and writes."""

    def __getitem__(self, selection: Any) -> npt.NDArray[Any]: ...
    def __setitem__(self, selection: Any, value: Any) -> None: ...


class ViewedArray(Protocol):
    """What a view uses of its :class:`zarrc.Array` (this module sits below zarrc.array)."""

    @property
    def _ctx(self) -> ArrayContext: ...
    @property
    def shape(self) -> tuple[int, ...]: ...
    @property
    def dtype(self) -> np.dtype[Any]: ...
    @property
    def dimension_names(self) -> tuple[str | None, ...] | None: ...
    @property
    def read_only(self) -> bool: ...
    @property
    def oindex(self) -> _Selector: ...
    def get_basic_selection(self, selection: Any = ..., *,
                            out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]: ...
    def __getitem__(self, selection: Any) -> npt.NDArray[Any]: ...
    def __setitem__(self, selection: Any, value: Any) -> None: ...


@dataclass(frozen=True)
class _Stride:
    """A base dimension that follows one view axis: ``start + step * v[dim]``."""

    dim: int
    start: int
    step: int


_Index = npt.NDArray[np.int64]
#: Per base dimension: a constant, an affine map of one view axis, or an index array broadcast
#: over the view's axes.
_Map = int | _Stride | _Index
#: How one view axis follows from the new view's axes: a constant ``("c", i)``, the affine
#: ``("s", new axis, start, step)`` or an index array broadcast over the new axes ``("a", arr)``.
_AxisMap = (tuple[Literal["c"], int] | tuple[Literal["s"], int, int, int]
            | tuple[Literal["a"], _Index])
#: A view: its shape, one map per base dimension, its dimension names, the one selection of
#: the base it is (None for a view of a view) and whether it is the whole base.
_State = tuple[tuple[int, ...], tuple[_Map, ...], tuple[str | None, ...],
               tuple[Any, ...] | None, bool]
_Composed = tuple[list[_AxisMap], tuple[int, ...], tuple[str | None, ...]]


def _is_advanced(item: Any) -> bool:
    return isinstance(item, np.ndarray) or is_bool_scalar(item)


def _slice_axis(item: slice, size: int) -> tuple[int, int, int]:
    d = slice_dim(item, size)
    return d.start, d.step, d.count


def _compose_axes(items: list[Any], shape: tuple[int, ...],
                  names: tuple[str | None, ...]) -> _Composed:
    """How each view axis follows from the new view's axes, for a NumPy selection ``items``.

    Returns ``(axis_maps, new_shape, new_names)`` where ``axis_maps[k]`` is ``("c", i)``,
    ``("s", p, start, step)`` or ``("a", array broadcast over the new axes)``.
    """
    if not any(_is_advanced(it) for it in items):
        return _compose_basic(items, shape, names)
    return _compose_advanced(items, shape, names)


def _compose_basic(items: list[Any], shape: tuple[int, ...],
                   names: tuple[str | None, ...]) -> _Composed:
    axis_maps: list[_AxisMap] = []
    new_shape: list[int] = []
    new_names: list[str | None] = []
    k = 0
    for item in items:
        if item is None:
            new_shape.append(1)
            new_names.append(None)
        elif isinstance(item, slice):
            start, step, count = _slice_axis(item, shape[k])
            axis_maps.append(("s", len(new_shape), start, step))
            new_shape.append(count)
            new_names.append(names[k])
            k += 1
        elif item is not Ellipsis:
            i = int(item)  # parse_items gives an integer index as an int
            axis_maps.append(("c", i + shape[k] if i < 0 else i))
            k += 1
    return axis_maps, tuple(new_shape), tuple(new_names)


#: A new view axis or group of axes in _compose_advanced: ``("new",)`` (a ``None``),
#: ``("slice", view axis, start, step, count)`` or ``("B",)`` (the advanced indices' block).
_Slot = (tuple[Literal["new"]] | tuple[Literal["slice"], int, int, int, int]
         | tuple[Literal["B"]])


def _compose_advanced(items: list[Any], shape: tuple[int, ...],
                      names: tuple[str | None, ...]) -> _Composed:
    """NumPy's advanced indexing: index arrays broadcast to one block ``B`` of new axes, placed
    where the advanced indices stand if they are adjacent, else first."""
    slots: list[_Slot] = []
    adv: list[tuple[int | None, _Index]] = []  # (view axis or None, int64 index array)
    positions: list[int] = []
    array_axes: list[tuple[int, int]] = []
    b_slot = None
    k = 0
    for pos, item in enumerate(items):
        if item is None:
            slots.append(("new",))
            continue
        if item is Ellipsis:  # an ``...`` of no axis: only separates advanced indices
            continue
        if isinstance(item, slice):
            start, step, count = _slice_axis(item, shape[k])
            slots.append(("slice", k, start, step, count))
            k += 1
            continue
        if b_slot is None:
            b_slot = len(slots)
        positions.append(pos)
        if is_bool_scalar(item):  # a 0-d boolean: a length 1 (True) or 0 (False) index
            adv.append((None, np.zeros(int(bool(item)), dtype=np.int64)))
        elif isinstance(item, np.ndarray) and item.dtype.kind == "b":
            for j, idx in enumerate(np.nonzero(item)):
                adv.append((k + j, idx.astype(np.int64)))
            array_axes.append((k, item.ndim))
            k += item.ndim
        elif isinstance(item, np.ndarray):
            arr = item.astype(np.int64)
            adv.append((k, np.where(arr < 0, arr + shape[k], arr)))
            array_axes.append((k, arr.ndim))
            k += 1
        else:
            i = int(item)  # parse_items gives an integer index as an int
            adv.append((k, np.array(i + shape[k] if i < 0 else i, dtype=np.int64)))
            k += 1
    block = np.broadcast_shapes(*[a.shape for _, a in adv])
    assert b_slot is not None  # _compose_axes calls this for items with an advanced index
    adjacent = positions[-1] - positions[0] + 1 == len(positions)
    slots.insert(b_slot if adjacent else 0, ("B",))
    new_shape: list[int] = []
    new_names: list[str | None] = []
    axis_maps: list[_AxisMap | None] = [None] * len(shape)
    b0 = 0
    for slot in slots:
        if slot[0] == "B":
            b0 = len(new_shape)
            new_shape.extend(block)
            one = len(block) == 1 and len(array_axes) == 1 and array_axes[0][1] == 1
            new_names.extend([names[array_axes[0][0]] if one else None] * len(block))
        elif slot[0] == "new":
            new_shape.append(1)
            new_names.append(None)
        else:
            _, axis, start, step, count = slot
            axis_maps[axis] = ("s", len(new_shape), start, step)
            new_shape.append(count)
            new_names.append(names[axis])
    after = len(new_shape) - b0 - len(block)
    for ax, arr in adv:
        if ax is not None:
            lead = (1,) * (b0 + len(block) - arr.ndim)
            axis_maps[ax] = ("a", arr.reshape(lead + arr.shape + (1,) * after))
    # Every view axis is a slice's or an index array's (a 0-d boolean consumes none).
    return cast(list[_AxisMap], axis_maps), tuple(new_shape), tuple(new_names)


def _axis_values(axis_map: _AxisMap, new_shape: tuple[int, ...]) -> _Index:
    """One view axis's positions as an int64 array broadcastable over the new view."""
    ones = (1,) * len(new_shape)
    if axis_map[0] == "c":
        return np.full(ones, axis_map[1], dtype=np.int64)
    if axis_map[0] == "s":
        _, p, start, step = axis_map
        shp = list(ones)
        shp[p] = new_shape[p]
        return (start + step * np.arange(new_shape[p], dtype=np.int64)).reshape(shp)
    return axis_map[1]


def _simplify(arr: npt.ArrayLike) -> int | _Index:
    """An index array that names one position everywhere becomes a constant."""
    arr = np.asarray(arr, dtype=np.int64)
    return int(arr.reshape(-1)[0]) if arr.size == 1 else arr


def _compose_maps(maps: tuple[_Map, ...], axis_maps: list[_AxisMap],
                  new_shape: tuple[int, ...]) -> tuple[_Map, ...]:
    """The base's index map after the view's axes are replaced by ``axis_maps``."""
    out: list[_Map] = []
    for mp in maps:
        if isinstance(mp, int):
            out.append(mp)
        elif isinstance(mp, _Stride):
            f = axis_maps[mp.dim]
            if f[0] == "c":
                out.append(mp.start + mp.step * f[1])
            elif f[0] == "s":
                out.append(_Stride(f[1], mp.start + mp.step * f[2], mp.step * f[3]))
            else:
                out.append(_simplify(mp.start + mp.step * f[1]))
        else:
            zero = np.zeros((1,) * len(new_shape), dtype=np.int64)
            idx = tuple(zero if n == 1 else _axis_values(axis_maps[d], new_shape)
                        for d, n in enumerate(mp.shape))
            out.append(_simplify(mp[idx]))
    return tuple(out)


def dimension_selection(names: tuple[str | None, ...] | None, dims: dict[str, Any],
                        what: str = "array") -> tuple[Any, ...]:
    """The positional selection for ``isel(**dims)``: per named dimension, unnamed ones full."""
    if names is None or all(n is None for n in names):
        raise KeyError(f"{what} has no dimension_names: select by position instead of "
                       f"by name ({', '.join(map(repr, dims))})")
    known = [n for n in names if n is not None]
    sel = [slice(None)] * len(names)
    for name, value in dims.items():
        if name not in known:
            raise KeyError(f"{what} has no dimension named {name!r}; its dimensions are "
                           f"{', '.join(map(repr, known))}")
        if known.count(name) > 1:
            raise KeyError(f"{what} has several dimensions named {name!r}: select by position")
        sel[names.index(name)] = value
    return tuple(sel)


def _box_parts(maps: tuple[_Map, ...], shape: tuple[int, ...]
               ) -> tuple[tuple[int | slice | _Index, ...], tuple[npt.NDArray[np.intp], ...]]:
    """The orthogonal box of base positions a map touches, and the gather from it to the view.

    ``box_sel`` holds per base dimension an int, a slice or sorted unique positions (for
    ``oindex``); ``post`` is one index array per box axis, broadcast over the view's axes.
    """
    ndim = len(shape)
    box_sel: list[int | slice | _Index] = []
    post: list[npt.NDArray[np.intp]] = []
    for mp in maps:
        if isinstance(mp, int):
            box_sel.append(mp)
        elif isinstance(mp, _Stride):
            count = shape[mp.dim]
            stop = mp.start + mp.step * count
            box_sel.append(slice(mp.start, None if stop < 0 else stop, mp.step))
            shp = [1] * ndim
            shp[mp.dim] = count
            post.append(np.arange(count, dtype=np.intp).reshape(shp))
        else:
            uniq = np.unique(mp)
            box_sel.append(uniq)
            post.append(np.searchsorted(uniq, mp))
    return tuple(box_sel), tuple(post)


class LazyArray:
    """A selection of an :class:`~zarrc.Array` that reads nothing until materialized.

    Make one with ``a.lazy[sel]``; ``view.lazy[sel]`` composes (a view of a view is one view,
    computed with no I/O: basic selections in O(ndim), advanced ones by mapping the view's
    index arrays). ``view[sel]``, ``view.read()`` and ``np.asarray(view)`` read; ``view[sel] = v``
    writes through to the array with NumPy's broadcasting, casting and last-write-wins.

    Results are exactly NumPy's: ``a.lazy[s1].lazy[s2][s3]`` equals ``x[s1][s2][s3]`` for
    ``x = np.asarray(a)``, and a write through a view sets the elements of ``a`` the view names,
    as if every selection were a basic one (NumPy itself would copy at an advanced selection).

    A view is the base plus, per base dimension, a constant, ``start + step * v[k]`` along one
    view axis, or an integer array broadcast over the view axes (after advanced selections).
    A view made by one selection of the whole array reads and writes with that selection
    directly. Other views with index arrays read the orthogonal box of base positions they
    touch (as ``a[sel]`` does for advanced selections) and gather from it in memory; a write
    reads that box, updates it, and writes it back. Nothing falls back to reading the whole
    array. Dimension names follow the view: dropped axes disappear, new axes (``None``) and
    the axes of a multi-array advanced selection are unnamed.
    """

    def __init__(self, array: ViewedArray, *, _state: _State | None = None) -> None:
        self._base = array
        if _state is None:
            shape = tuple(array.shape)
            names = array.dimension_names or (None,) * len(shape)
            _state = (shape, tuple(_Stride(d, 0, 1) for d in range(len(shape))),
                      tuple(names), (Ellipsis,), True)
        self._shape, self._maps, self._names, self._direct, self._full = _state

    # -- properties -------------------------------------------------------------------------
    @property
    def array(self) -> ViewedArray:
        """The :class:`~zarrc.Array` this is a view of."""
        return self._base

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def dtype(self) -> np.dtype[Any]:
        return self._base.dtype

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def size(self) -> int:
        return math.prod(self._shape)

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    @property
    def dimension_names(self) -> tuple[str | None, ...] | None:
        """The base's dimension names as they follow the view (None where unnamed)."""
        return None if self._base.dimension_names is None else self._names

    # -- composition ------------------------------------------------------------------------
    @property
    def lazy(self) -> LazyIndexer:
        """``view.lazy[sel]``: a view of this view, with no I/O."""
        return LazyIndexer(self)

    def _select(self, selection: Any) -> LazyArray:
        normalize_selection(selection, self._shape)  # raises NumPy's errors, here
        items = parse_items(selection, len(self._shape))
        axis_maps, shape, names = _compose_axes(items, self._shape, self._names)
        maps = _compose_maps(self._maps, axis_maps, shape)
        direct = None
        if self._full and not any(it is Ellipsis for it in items):
            direct = tuple(items)
        return LazyArray(self._base, _state=(shape, maps, names, direct, False))

    def isel(self, **dims: Any) -> LazyArray:
        """A view selecting by dimension name: ``view.isel(time=slice(0, 30), lat=5)``."""
        return self._select(dimension_selection(self._names if self.dimension_names else None,
                                                dims, "this view"))

    # -- reading ----------------------------------------------------------------------------
    def _referenced(self) -> list[bool]:
        ref = [False] * len(self._shape)
        for mp in self._maps:
            if isinstance(mp, _Stride):
                ref[mp.dim] = True
            elif isinstance(mp, np.ndarray):
                for d, n in enumerate(mp.shape):
                    ref[d] = ref[d] or n != 1
        return ref

    def _basic_selection(self) -> tuple[Any, ...] | None:
        """The view as ints and slices of the base, if it has no index arrays."""
        if any(isinstance(mp, np.ndarray) for mp in self._maps):
            return None
        dims = [mp.dim for mp in self._maps if isinstance(mp, _Stride)]
        if dims != sorted(dims):
            return None
        return _box_parts(self._maps, self._shape)[0]

    def read(self, out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """Read the view's elements from the store into a new C-contiguous ndarray, or into
        ``out`` (as ``Array.get_basic_selection``'s ``out``), which is returned."""
        if out is not None:
            check_out(out, self._shape, self.dtype)
            if self._direct is not None:  # one selection of the base: straight into out
                return self._base.get_basic_selection(self._direct, out=out)
            np.copyto(out, self.read(), casting="same_kind")
            return out
        if self._direct is not None:
            return self._base[self._direct]
        shape = self._shape
        if math.prod(shape) == 0:
            return np.empty(shape, dtype=self.dtype)
        ref_shape = tuple(n if r else 1 for n, r in zip(shape, self._referenced()))
        basic = self._basic_selection()
        if basic is not None:
            data = self._base[basic].reshape(ref_shape)
        else:
            box_sel, post = _box_parts(self._maps, shape)
            data = self._base.oindex[box_sel][post]
        if ref_shape != shape:  # an axis no base dimension follows repeats the data
            data = np.broadcast_to(data, shape).copy()
        return data

    def __getitem__(self, selection: Any) -> npt.NDArray[Any]:
        return self._select(selection).read()

    def __array__(self, dtype: npt.DTypeLike | None = None,
                  copy: bool | None = None) -> npt.NDArray[Any]:
        if copy is False:
            raise ValueError("a zarrc LazyArray holds no data in memory: it cannot give an "
                             "array without a copy (copy=False)")
        data = self.read()
        return data if dtype is None else data.astype(dtype, copy=False)

    # -- writing ----------------------------------------------------------------------------
    def write(self, value: Any) -> None:
        """Store ``value`` (broadcast and cast as NumPy would) into the view's elements."""
        base = self._base
        if base.read_only:
            raise ReadOnlyError(f"cannot write through a view of read-only {base!r}")
        if self._direct is not None:
            base[self._direct] = value
            return
        shape = self._shape
        values = prepare_value(value, self.dtype, shape)  # fails before anything is stored
        if math.prod(shape) == 0:
            return
        ref = self._referenced()
        if not all(ref):  # repeated positions along a free axis: the last write wins
            values = values[tuple(slice(None) if r else slice(-1, None) for r in ref)]
        basic = self._basic_selection()
        if basic is not None:
            base[basic] = values.reshape(
                tuple(shape[mp.dim] for mp in self._maps if isinstance(mp, _Stride)))
            return
        box_sel, post = _box_parts(self._maps, shape)
        box = base.oindex[box_sel]
        box[post] = values
        base.oindex[box_sel] = box

    def __setitem__(self, selection: Any, value: Any) -> None:
        self._select(selection).write(value)

    # -- Python protocol --------------------------------------------------------------------
    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of unsized object")
        return self._shape[0]

    def __iter__(self) -> Iterator[npt.NDArray[Any]]:
        if not self._shape:
            raise TypeError("iteration over a 0-d array")
        # Read a chunk's worth of rows at a time when the first axis follows a base dimension.
        step = self._shape[0] or 1
        for mp, chunk in zip(self._maps, self._base._ctx.chunks):
            if isinstance(mp, _Stride) and mp.dim == 0:
                step = max(1, chunk // abs(mp.step))
        return (row for start in range(0, self._shape[0], step)
                for row in self._select(slice(start, start + step)).read())

    def __repr__(self) -> str:
        return f"<zarrc.LazyArray shape={self._shape} dtype={self.dtype} of {self._base!r}>"


class LazyIndexer:
    """``x.lazy``: indexing it makes a :class:`LazyArray` (no I/O); assigning writes through."""

    def __init__(self, view: LazyArray) -> None:
        self._view = view

    def __getitem__(self, selection: Any) -> LazyArray:
        return self._view._select(selection)

    def __setitem__(self, selection: Any, value: Any) -> None:
        self._view[selection] = value

    def isel(self, **dims: Any) -> LazyArray:
        """A view selecting by dimension name: ``a.lazy.isel(time=slice(0, 30), lat=5)``."""
        return self._view.isel(**dims)

    def __repr__(self) -> str:
        return f"<zarrc lazy indexer of {self._view!r}>"
