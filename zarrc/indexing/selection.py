"""Normalize any NumPy selection into an orthogonal box plus an optional NumPy post-step.

Every selection zarrc reads is planned as an *orthogonal box*: per array dimension an integer,
a slice, or a sorted array of unique indices. Basic selections are exactly such a box. Advanced
(fancy) selections are reduced to the box of indices they touch, and the original selection,
re-expressed in box coordinates, is then applied by NumPy to the small box: the result is
NumPy's by construction (broadcasting, placement of advanced dimensions, repeated indices).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from types import EllipsisType
from typing import Any

import numpy as np
import numpy.typing as npt

from zarrc.errors import BoundsCheckError, VindexInvalidSelectionError

__all__ = [
    "as_index",
    "is_bool_scalar",
    "parse_items",
    "slice_dim",
    "PointSelection",
    "normalize_point_selection",
    "IntDim",
    "SliceDim",
    "ArrayDim",
    "Selection",
    "normalize_selection",
    "normalize_orthogonal_selection",
    "normalize_coordinate_selection",
    "normalize_block_selection",
]

_VALID_INDEX_MSG = (
    "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or "
    "boolean arrays are valid indices"
)


@dataclass(frozen=True)
class IntDim:
    """One position along a dimension; the dimension is dropped from the box's result."""

    index: int

    @property
    def count(self) -> int:
        return 1


@dataclass(frozen=True)
class SliceDim:
    """``count`` positions ``start, start + step, ...`` (step may be negative)."""

    start: int
    step: int
    count: int

    @property
    def is_full_forward(self) -> bool:
        return self.step == 1


@dataclass(frozen=True)
class ArrayDim:
    """Sorted, unique, in-bounds positions (int64).

    With ``order`` (orthogonal selections whose index arrays are unsorted or repeat), the
    dimension yields ``indices[order]``: ``len(order)`` results, each chunk scattering its
    values straight to their places instead of a second pass over the result.
    """

    indices: npt.NDArray[Any]
    order: npt.NDArray[Any] | None = None

    @property
    def count(self) -> int:
        return int((self.indices if self.order is None else self.order).shape[0])


Dim = IntDim | SliceDim | ArrayDim


@dataclass(frozen=True)
class Selection:
    """An orthogonal box over the array and what to do with it once read.

    ``dims`` has one entry per array dimension. ``box_shape`` is the shape of the box as read
    (int dimensions dropped). ``post`` is ``None`` when the box already is the result, else a
    tuple that NumPy applies to the box (``box[post]`` to read, ``box[post] = v`` to write).
    ``out_shape`` is the shape of the final result.
    """

    dims: tuple[Dim, ...]
    box_shape: tuple[int, ...]
    post: tuple[Any, ...] | None
    out_shape: tuple[int, ...]


@dataclass(frozen=True)
class PointSelection:
    """Independent points: ``coords[d][k]`` is point k's index along dimension d.

    The result of reading it is ``len(coords[0])`` values laid out as ``out_shape``.
    """

    coords: tuple[npt.NDArray[Any], ...]
    out_shape: tuple[int, ...]

    @property
    def count(self) -> int:
        return int(self.coords[0].shape[0]) if self.coords else 0


def slice_dim(sl: slice, size: int) -> SliceDim:
    start, stop, step = sl.indices(size)
    count = len(range(start, stop, step))
    return SliceDim(start if count else 0, step, count)


def as_index(obj: Any) -> int | None:
    """``obj`` as a Python int if NumPy would treat it as an integer scalar, else None."""
    if isinstance(obj, (bool, np.bool_)):
        return None
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, np.ndarray) and obj.ndim == 0 and obj.dtype.kind in "iu":
        return int(obj)
    if hasattr(obj, "__index__") and not isinstance(obj, (np.ndarray, list, tuple)):
        try:
            return operator.index(obj)
        except TypeError:
            return None
    return None


def _check_int(i: int, size: int, axis: int) -> int:
    if i < -size or i >= size:
        raise BoundsCheckError(f"index {i} is out of bounds for axis {axis} with size {size}")
    return i + size if i < 0 else i


def _in_bounds(arr: npt.NDArray[Any], size: int, axis: int) -> npt.NDArray[Any]:
    """Integer indices as non-negative int64, or NumPy's IndexError for the first bad one."""
    flat = arr.astype(np.int64, copy=False)
    if flat.size:
        lo, hi = int(flat.min()), int(flat.max())
        if lo < -size or hi >= size:
            bad = lo if lo < -size else hi
            raise BoundsCheckError(f"index {bad} is out of bounds for axis {axis} with size {size}")
        flat = np.where(flat < 0, flat + size, flat)
    return flat


def _check_mask(mask_shape: tuple[int, ...], dims_shape: tuple[int, ...], axis: int) -> None:
    """NumPy's IndexError when a boolean index does not fit the axes it covers (an axis of
    length 0 fits any axis, as in NumPy: it selects nothing there)."""
    for k, (n_mask, n_dim) in enumerate(zip(mask_shape, dims_shape)):
        if n_mask != n_dim and n_mask != 0:
            raise IndexError(
                f"boolean index did not match indexed array along axis {axis + k}; size of axis "
                f"is {n_dim} but size of corresponding boolean axis is {n_mask}"
            )


def _is_advanced(obj: Any) -> bool:
    return isinstance(obj, (list, np.ndarray, bool, np.bool_)) and as_index(obj) is None


def _as_index_array(obj: Any) -> npt.NDArray[Any]:
    arr = np.asarray(obj)
    if arr.dtype.kind == "b":
        return arr
    if arr.size == 0 and arr.dtype.kind == "f" and isinstance(obj, list):
        return arr.astype(np.intp)  # NumPy accepts an empty list as an empty integer index
    if arr.dtype.kind not in "iu":
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    return arr


def _expand(selection: Any, ndim: int, keep_empty_ellipsis: bool = False) -> list[Any]:
    """The selection as a list with ``...`` expanded; None and 0-d booleans consume no axis.

    With ``keep_empty_ellipsis`` an ``...`` that expands to no axis stays in the list: it
    still separates advanced indices in NumPy's placement rule.
    """
    if not isinstance(selection, tuple):
        selection = (selection,)
    consumed = 0
    ellipsis_at = None
    for pos, item in enumerate(selection):
        if item is Ellipsis:
            if ellipsis_at is not None:
                raise IndexError("an index can only have a single ellipsis ('...')")
            ellipsis_at = pos
        elif item is None or isinstance(item, (bool, np.bool_)):
            continue
        elif isinstance(item, np.ndarray) and item.dtype.kind == "b":
            consumed += max(item.ndim, 0)
            if item.ndim == 0:
                continue
        elif isinstance(item, list) and _is_advanced(item):
            arr = np.asarray(item)
            consumed += arr.ndim if arr.dtype.kind == "b" else 1
        else:
            consumed += 1
    if consumed > ndim:
        raise IndexError(
            f"too many indices for array: array is {ndim}-dimensional, but {consumed} were indexed"
        )
    items = list(selection)
    fill: list[slice | EllipsisType] = [slice(None)] * (ndim - consumed)
    if not fill and keep_empty_ellipsis:
        fill = [Ellipsis]
    if ellipsis_at is None:
        return items + fill
    return items[:ellipsis_at] + fill + items[ellipsis_at + 1:]


def is_bool_scalar(obj: Any) -> bool:
    """True for a 0-d boolean index (``True``, ``np.True_``, a 0-d boolean array)."""
    return isinstance(obj, (bool, np.bool_)) or (
        isinstance(obj, np.ndarray) and obj.ndim == 0 and obj.dtype.kind == "b")


def parse_items(selection: Any, ndim: int) -> list[Any]:
    """A NumPy selection (already checked: see :func:`normalize_selection`) as one item per
    position, ``...`` expanded: ints (as ``int``), slices, ``None``, 0-d booleans, index
    arrays (new int or bool ndarrays: later changes to the caller's do not show), and an
    ``Ellipsis`` where an ``...`` expands to no axis (it still separates advanced indices)."""
    items = []
    for item in _expand(selection, ndim, keep_empty_ellipsis=True):
        if item is Ellipsis or item is None or isinstance(item, slice) or is_bool_scalar(item):
            items.append(item)
            continue
        i = as_index(item)
        if i is not None:
            items.append(i)
            continue
        arr = np.array(item)  # a copy
        items.append(arr if arr.dtype.kind in "biu" else arr.astype(np.intp))
    return items


def normalize_selection(selection: Any, shape: tuple[int, ...]) -> Selection:
    """Plan ``array[selection]`` with NumPy's semantics, raising where NumPy raises."""
    items = _expand(selection, len(shape), keep_empty_ellipsis=True)
    if not any(_is_advanced(it) for it in items):
        return _basic([it for it in items if it is not Ellipsis], shape)
    return _advanced(items, shape)


def _basic(items: list[Any], shape: tuple[int, ...]) -> Selection:
    dims: list[Dim] = []
    box_shape: list[int] = []
    out_shape: list[int] = []
    axis = 0
    for item in items:
        if item is None:
            out_shape.append(1)
            continue
        size = shape[axis]
        if isinstance(item, slice):
            d = slice_dim(item, size)
            dims.append(d)
            box_shape.append(d.count)
            out_shape.append(d.count)
        else:
            i = as_index(item)
            if i is None:
                raise IndexError(_VALID_INDEX_MSG)
            dims.append(IntDim(_check_int(i, size, axis)))
        axis += 1
    return Selection(tuple(dims), tuple(box_shape), None, tuple(out_shape))


def _index_shapes(items: list[Any]) -> list[tuple[int, ...]]:
    """The shapes of the index arrays NumPy broadcasts for an advanced selection: one per
    integer array, per axis of a boolean array (its nonzero count), per scalar integer (())
    and per 0-d boolean ((1,) for True, (0,) for False)."""
    shapes: list[tuple[int, ...]] = []
    for item in items:
        if isinstance(item, (bool, np.bool_)) or (
                isinstance(item, np.ndarray) and item.ndim == 0 and item.dtype.kind == "b"):
            shapes.append((1,) if bool(item) else (0,))
        elif isinstance(item, (list, np.ndarray)):
            arr = np.asarray(item)
            if arr.dtype.kind == "b":
                shapes.extend([(int(np.count_nonzero(arr)),)] * arr.ndim)
            else:
                shapes.append(arr.shape)
        elif item is not None and item is not Ellipsis and not isinstance(item, slice):
            shapes.append(())
    return shapes


def _selects_nothing(shapes: list[tuple[int, ...]]) -> bool:
    """NumPy's rule for empty results: when the index arrays broadcast to no element at all,
    their values are never used, so they are not checked against the array's bounds."""
    try:
        return math.prod(np.broadcast_shapes(*shapes)) == 0
    except ValueError:  # they do not broadcast: NumPy's error is raised later
        return False


def _advanced(items: list[Any], shape: tuple[int, ...]) -> Selection:
    """Reduce an advanced selection to its box and the same selection in box coordinates."""
    dims: list[Dim] = []
    box_shape: list[int] = []
    post: list[Any] = []  # NumPy index items: ints, slices, arrays, None, booleans, ...
    nothing = _selects_nothing(_index_shapes(items))
    axis = 0
    for item in items:
        if item is Ellipsis:  # expands to no axis, but keeps NumPy's placement of the result
            post.append(item)
            continue
        if item is None or isinstance(item, (bool, np.bool_)) or (
            isinstance(item, np.ndarray) and item.ndim == 0 and item.dtype.kind == "b"
        ):
            post.append(item)
            continue
        if isinstance(item, slice):
            d = slice_dim(item, shape[axis])
            dims.append(d)
            box_shape.append(d.count)
            post.append(slice(None))
            axis += 1
            continue
        i = as_index(item)
        if i is not None:
            # A scalar among advanced indices is itself advanced (it broadcasts); keep the
            # axis in the box with length one and index it with 0 so NumPy places it exactly.
            dims.append(ArrayDim(np.array([_check_int(i, shape[axis], axis)], dtype=np.int64)))
            box_shape.append(1)
            post.append(0)
            axis += 1
            continue
        if not isinstance(item, (list, np.ndarray)):
            raise IndexError(_VALID_INDEX_MSG)
        arr = _as_index_array(item)
        if arr.dtype.kind == "b":
            _check_mask(arr.shape, shape[axis:axis + arr.ndim], axis)
            for idx in np.nonzero(arr):
                uniq, inverse = np.unique(idx, return_inverse=True)
                dims.append(ArrayDim(uniq.astype(np.int64)))
                box_shape.append(uniq.shape[0])
                post.append(inverse.reshape(idx.shape))
            axis += arr.ndim
            continue
        if nothing:  # no element is selected: no index is used, none is checked
            dims.append(ArrayDim(np.zeros(0, dtype=np.int64)))
            box_shape.append(0)
            post.append(np.zeros(arr.shape, dtype=np.intp))
            axis += 1
            continue
        flat = _in_bounds(arr, shape[axis], axis)
        uniq, inverse = np.unique(flat, return_inverse=True)
        dims.append(ArrayDim(uniq.astype(np.int64)))
        box_shape.append(uniq.shape[0])
        post.append(inverse.reshape(arr.shape))
        axis += 1
    post_t = tuple(post)
    if _box_is_result(post_t):
        return Selection(tuple(dims), tuple(box_shape), None, tuple(box_shape))
    # The result's shape is what NumPy gives for the same selection on an array of the box's
    # shape; a zero-stride stand-in costs nothing and raises NumPy's own broadcast errors.
    stand_in = np.broadcast_to(np.zeros((), dtype=np.uint8), tuple(box_shape))
    out_shape = stand_in[post_t].shape
    return Selection(tuple(dims), tuple(box_shape), post_t, out_shape)


def _box_is_result(post: tuple[Any, ...]) -> bool:
    """True when ``box[post]`` is the box itself: full slices and one 1-d index array that
    is sorted and unique (``a[[1, 4, 7], 2:9]``), so no reordering pass is needed. (An
    ``...`` that expands to no axes only matters between several advanced indices.)"""
    arrays = [p for p in post if isinstance(p, np.ndarray)]
    if len(arrays) != 1 or arrays[0].ndim != 1:
        return False
    if not all(isinstance(p, np.ndarray) or p is Ellipsis or p == slice(None) for p in post):
        return False
    inverse = arrays[0]
    return bool((inverse == np.arange(inverse.shape[0])).all())


def normalize_point_selection(selection: Any, shape: tuple[int, ...]) -> PointSelection | None:
    """The selection as independent points when it is one: every dimension indexed by an
    integer array (or an integer, or a boolean array over its dimensions), nothing else.

    Returns None for any other selection (use :func:`normalize_selection`). The points of
    ``x[selection]`` for such a selection are NumPy's: the index arrays broadcast together and
    the result has their broadcast shape.
    """
    items = selection if isinstance(selection, tuple) else (selection,)
    if not shape or not any(isinstance(it, (list, np.ndarray)) for it in items):
        return None  # no index array: basic (the common case, e.g. a[i, j]) — nothing to build
    arrays: list[npt.NDArray[Any]] = []
    scalars: list[int] = []
    for item in items:
        if item is None or item is Ellipsis or isinstance(item, (slice, bool, np.bool_)):
            return None
        if isinstance(item, (list, np.ndarray)):
            try:
                arr = _as_index_array(item)
            except IndexError:
                return None
            if arr.ndim == 0:
                return None
            arrays.extend(np.nonzero(arr) if arr.dtype.kind == "b" else [arr])
        elif as_index(item) is not None:
            scalars.append(len(arrays))
            arrays.append(np.asarray(as_index(item), dtype=np.int64))
        else:
            return None
    if len(arrays) != len(shape) or all(a.ndim == 0 for a in arrays):
        return None
    axis = 0
    for item in items:  # boolean masks must fit the dimensions they cover
        if isinstance(item, (list, np.ndarray)) and np.asarray(item).dtype.kind == "b":
            mask_shape = np.asarray(item).shape
            _check_mask(mask_shape, shape[axis:axis + len(mask_shape)], axis)
            axis += len(mask_shape)
        else:
            axis += 1
    try:
        out_shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = " ".join(str(_in_bounds(a, n, d).shape)
                          for d, (a, n) in enumerate(zip(arrays, shape)))
        raise IndexError("shape mismatch: indexing arrays could not be broadcast together "
                         f"with shapes {shapes}") from None
    if math.prod(out_shape) == 0:  # nothing selected: NumPy checks only the scalars
        for d in scalars:
            _check_int(int(arrays[d]), shape[d], d)
        return PointSelection(tuple(np.zeros(0, np.int64) for _ in arrays), tuple(out_shape))
    checked = [_in_bounds(a, n, d) for d, (a, n) in enumerate(zip(arrays, shape))]
    coords = tuple(np.broadcast_to(a, out_shape).reshape(-1) for a in checked)
    return PointSelection(coords, tuple(out_shape))


def _orthogonal_dim(
    item: Any, size: int, axis: int
) -> tuple[Dim, slice | npt.NDArray[Any] | None]:
    """One dimension of an orthogonal selection: (box dim, post index for that dim)."""
    if isinstance(item, slice):
        d = slice_dim(item, size)
        return d, slice(None)
    i = as_index(item)
    if i is not None:
        return IntDim(_check_int(i, size, axis)), None
    if not isinstance(item, (list, np.ndarray)):
        raise IndexError(_VALID_INDEX_MSG)
    arr = _as_index_array(item)
    if arr.ndim != 1:
        raise IndexError(
            f"orthogonal selection needs 1-d index arrays, got {arr.ndim}-d on axis {axis}"
        )
    if arr.dtype.kind == "b":
        _check_mask(arr.shape, (size,), axis)
        return ArrayDim(np.flatnonzero(arr).astype(np.int64)), slice(None)
    flat = _in_bounds(arr, size, axis)
    uniq, inverse = np.unique(flat, return_inverse=True)
    if uniq.shape[0] == flat.shape[0] and np.array_equal(uniq, flat):
        return ArrayDim(uniq), slice(None)
    return ArrayDim(uniq), inverse


def normalize_orthogonal_selection(
    selection: Any, shape: tuple[int, ...], *, scatter: bool = True
) -> Selection:
    """Plan ``array.oindex[selection]``: each index array selects along its own axis.

    With ``scatter`` an unsorted or repeating index array becomes an ordered
    :class:`ArrayDim`, so chunks write their values straight into the result (no ``post``
    pass); without it the box of unique indices is read and ``post`` reorders it.
    """
    items = _expand(selection, len(shape))
    if any(it is None for it in items):
        raise IndexError("newaxis (None) is not supported in orthogonal selection")
    dims: list[Dim] = []
    box_shape: list[int] = []
    posts: list[slice | npt.NDArray[Any]] = []
    for axis, item in enumerate(items):
        d, p = _orthogonal_dim(item, shape[axis], axis)
        if scatter and isinstance(d, ArrayDim) and not isinstance(p, slice):
            d, p = ArrayDim(d.indices, np.asarray(p, dtype=np.int64)), slice(None)
        dims.append(d)
        if not isinstance(d, IntDim):
            assert p is not None  # only an integer dimension has no post index
            box_shape.append(d.count)
            posts.append(p)
    needs_post = any(not isinstance(p, slice) for p in posts)
    post = tuple(np.ix_(*[np.arange(n) if isinstance(p, slice) else p
                          for p, n in zip(posts, box_shape)])) if needs_post else None
    out_shape = tuple(n if isinstance(p, slice) else p.shape[0] for p, n in zip(posts, box_shape))
    return Selection(tuple(dims), tuple(box_shape), post, out_shape)


def normalize_coordinate_selection(
    selection: Any, shape: tuple[int, ...]
) -> Selection | PointSelection:
    """Plan ``array.vindex[selection]``: integer coordinate arrays or one full-shape mask."""
    if not isinstance(selection, tuple):
        selection = (selection,)
    if len(selection) == 1:
        mask = np.asarray(selection[0]) if isinstance(selection[0], (list, np.ndarray)) else None
        if mask is not None and mask.dtype.kind == "b":
            if mask.shape != tuple(shape):
                raise IndexError(
                    f"a boolean mask for vindex must have the array's shape {tuple(shape)}, "
                    f"got {mask.shape}"
                )
            return normalize_selection(mask, shape)
    if len(selection) != len(shape):
        raise IndexError(
            f"vindex needs one coordinate array per dimension ({len(shape)}), got {len(selection)}"
        )
    coords: list[npt.NDArray[Any]] = []
    for axis, item in enumerate(selection):
        if isinstance(item, slice) or item is None or item is Ellipsis:
            raise VindexInvalidSelectionError(
                "vindex supports only integer coordinate arrays or a boolean mask")
        arr = np.asarray(item)
        if arr.dtype.kind not in "iu":
            raise VindexInvalidSelectionError(
                f"vindex coordinates must be integers, got {arr.dtype} on axis {axis}")
        coords.append(arr)
    points = normalize_point_selection(tuple(coords), shape)
    return points if points is not None else normalize_selection(tuple(coords), shape)


def normalize_block_selection(
    selection: Any, shape: tuple[int, ...], chunks: tuple[int | npt.NDArray[Any], ...]
) -> tuple[slice, ...]:
    """``array.blocks[selection]`` as the equivalent tuple of slices in array coordinates.

    ``chunks`` holds per dimension the chunk size, or (rectilinear grids) the chunk offsets.
    """
    items = _expand(selection, len(shape))
    out: list[slice] = []
    for axis, item in enumerate(items):
        size, chunk = shape[axis], chunks[axis]
        if isinstance(chunk, np.ndarray):
            nblocks = len(chunk) - 1
        else:
            nblocks = -(-size // chunk) if chunk else 0
        if isinstance(item, slice):
            if item.step not in (None, 1):
                raise IndexError("block selection supports only slices with step 1")
            b0, b1, _ = item.indices(nblocks)
            b1 = max(b0, b1)
        else:
            i = as_index(item)
            if i is None:
                raise IndexError("block selection supports only integers and slices")
            b0 = _check_int(i, nblocks, axis)
            b1 = b0 + 1
        if isinstance(chunk, np.ndarray):
            out.append(slice(min(int(chunk[b0]), size), min(int(chunk[b1]), size)))
        else:
            out.append(slice(min(b0 * chunk, size), min(b1 * chunk, size)))
    return tuple(out)
