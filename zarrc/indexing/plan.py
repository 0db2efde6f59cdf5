"""The one plan of a read or write: per dimension, int64 rows of which chunks and where to.

A box (a :class:`~zarrc.indexing.Selection`'s dims) over a chunk grid becomes, per dimension,
rows ``(chunk, local start, local step, count, box start)``: one row per chunk the dimension
touches, in the order the selection walks them. Index-array dimensions give rows whose step is
:data:`PLAN_INDEXED`: their positions are listed instead, ``count`` rows of ``(chunk-local
position, box position)`` starting at row ``local start`` of the dimension's list. The chunks of
a read or write are the row-major product of the dimensions' rows.

These are exactly the arrays the native loops (``zarrc._ext.chunkio``) read; the Python
engine walks the same rows (:meth:`BoxPlan.projection`), so both implementations run one plan.
Point selections are planned the same way by :func:`plan_points`: points grouped by chunk.
A grid is per dimension a chunk size (regular) or int64 chunk offsets ending with the
dimension's length (rectilinear). No I/O here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from zarrc.indexing.selection import ArrayDim, Dim, IntDim, SliceDim

__all__ = ["PLAN_COLS", "PLAN_INDEXED", "BoxPlan", "ChunkProjection", "PointGroup",
           "PointPlan", "count_chunks", "group_points", "iter_chunk_projections", "local_slice",
           "plan_box", "plan_points"]

PLAN_COLS = 5  # chunk, local start, local step, count, box start
PLAN_INDEXED = 0  # the step of a row whose positions are listed (a slice's step is never 0)
_FEW_CHUNKS = 16  # a slice over fewer chunks is planned in plain Python, else with NumPy

#: One dimension of a chunk grid: the chunk size (regular) or the int64 chunk offsets ending
#: with the dimension's length (rectilinear).
Grid = int | npt.NDArray[Any]


@dataclass(frozen=True, slots=True)
class ChunkProjection:
    """One chunk's share of the whole box, as the Python engine uses it."""

    coords: tuple[int, ...]  # chunk grid coordinates
    local: tuple[Any, ...]  # selection inside the decoded chunk (ints, slices, arrays)
    box: tuple[Any, ...]  # slices of the box (integer dimensions omitted)
    complete: bool  # every in-bounds element of the chunk is selected, in order
    basic: bool  # local holds only ints and slices (a view, no gather)
    scattered: bool = False  # box holds position arrays: values go to scattered places


def local_slice(start: int, step: int, count: int) -> slice:
    """The slice of ``count`` positions from ``start`` by ``step`` (negative steps too)."""
    stop = start + count * step
    return slice(start, stop if stop >= 0 else None, step)


def _extent(grid: Grid, c: int, size: int) -> int:
    """The in-bounds length of chunk ``c`` along a dimension."""
    if isinstance(grid, np.ndarray):
        return min(int(grid[c + 1]), size) - int(grid[c])
    return min(grid, size - c * grid)


# -- one dimension ----------------------------------------------------------------------------

def _few_rows(first: int, s: int, n: int, chunk: int) -> list[Any]:
    """The rows of a slice over a few chunks of a regular grid, in plain Python."""
    rows = []
    c, stop = first // chunk, (first + (n - 1) * s) // chunk
    direction = 1 if s > 0 else -1
    while True:
        c0 = c * chunk
        if s > 0:
            k_lo, k_hi = max(0, -((first - c0) // s)), min(n, -((first - c0 - chunk) // s))
        else:
            k_lo, k_hi = max(0, (first - c0 - chunk) // -s + 1), min(n, (first - c0) // -s + 1)
        if k_lo < k_hi:
            rows.append((c, first + k_lo * s - c0, s, k_hi - k_lo, k_lo))
        if c == stop:
            return rows
        c += direction


def _slice_rows(d: SliceDim, chunk: int) -> npt.NDArray[Any]:
    """A slice's rows over a regular grid, one per chunk it touches, in its direction."""
    n, s, first = d.count, d.step, d.start
    if n == 0:
        return np.empty((0, PLAN_COLS), dtype=np.int64)
    last = first + (n - 1) * s
    if abs(last // chunk - first // chunk) < _FEW_CHUNKS:
        return np.array(_few_rows(first, s, n, chunk), dtype=np.int64).reshape(-1, PLAN_COLS)
    if abs(last - first) // chunk + 1 > 2 * n:  # sparse: fewer positions than chunks
        k = np.arange(n, dtype=np.int64)
        pos = first + k * s
        c = pos // chunk
        return np.stack([c, pos - c * chunk, np.full(n, s), np.ones(n, np.int64), k], axis=1)
    c = np.arange(first // chunk, last // chunk + (1 if s > 0 else -1), 1 if s > 0 else -1,
                  dtype=np.int64)
    c0 = c * chunk
    if s > 0:  # positions first + k*s with c0 <= pos < c0 + chunk
        k_lo = np.maximum(0, -((first - c0) // s))
        k_hi = np.minimum(n, -((first - c0 - chunk) // s))
    else:
        k_lo = np.maximum(0, (first - c0 - chunk) // -s + 1)
        k_hi = np.minimum(n, (first - c0) // -s + 1)
    keep = k_lo < k_hi
    if not keep.all():
        c, c0, k_lo, k_hi = c[keep], c0[keep], k_lo[keep], k_hi[keep]
    return np.stack([c, first + k_lo * s - c0, np.full(len(c), s), k_hi - k_lo, k_lo], axis=1)


def _runs(cids: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Start and stop positions of the runs of equal chunk ids."""
    cut = np.flatnonzero(cids[1:] != cids[:-1]) + 1
    return np.concatenate(([0], cut)).astype(np.int64), np.concatenate((cut, [len(cids)]))


def _irregular_slice_rows(d: SliceDim, grid: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A slice's rows over chunks of varying length: its positions grouped by chunk."""
    if d.count == 0:
        return np.empty((0, PLAN_COLS), dtype=np.int64)
    pos = d.start + np.arange(d.count, dtype=np.int64) * d.step
    cids = np.searchsorted(grid, pos, side="right") - 1
    lo, hi = _runs(cids)
    c = cids[lo]
    return np.stack([c, pos[lo] - grid[c], np.full(len(c), d.step), hi - lo, lo], axis=1)


def _indexed_rows(d: ArrayDim, grid: Grid) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """An index-array dimension's rows (chunk, list start, ``PLAN_INDEXED``, count, first box
    position) and their list of (local position, box position) rows, grouped by chunk.

    The box positions are the result's: an unsorted or repeating ``oindex`` array (``order``)
    lands in place, with no reordering pass afterwards (the row's box start is then 0 and
    only the list says where its values go).
    """
    values = d.indices if d.order is None else d.indices[d.order]
    if len(values) == 0:
        return np.empty((0, PLAN_COLS), np.int64), np.empty((0, 2), np.int64)
    if isinstance(grid, np.ndarray):
        cids = np.searchsorted(grid, values, side="right") - 1
    else:
        cids = values // grid
    if d.order is None:  # sorted already
        at = np.arange(len(values), dtype=np.int64)
    else:
        at = np.argsort(cids.astype(np.uint16) if cids.max(initial=0) < 1 << 16 else cids,
                        kind="stable").astype(np.int64)
    sc = cids[at]
    first, stop = _runs(sc)
    rows = np.zeros((len(first), PLAN_COLS), dtype=np.int64)
    rows[:, 0] = sc[first]
    rows[:, 1] = first
    rows[:, 2] = PLAN_INDEXED
    rows[:, 3] = stop - first
    if d.order is None:  # sorted: each chunk's box positions are a run starting here
        rows[:, 4] = first
    starts = grid[sc] if isinstance(grid, np.ndarray) else sc * grid
    listed = np.stack([values[at] - starts, at], axis=1).astype(np.int64)
    return rows, np.ascontiguousarray(listed)


def plan_dim(d: Dim, grid: Grid) -> tuple[npt.NDArray[Any], npt.NDArray[Any] | None]:
    """One dimension's rows, and its list for index arrays (None otherwise)."""
    if isinstance(d, ArrayDim):
        return _indexed_rows(d, grid)
    if isinstance(d, IntDim):
        if isinstance(grid, np.ndarray):
            c = int(np.searchsorted(grid, d.index, side="right")) - 1
            start = int(grid[c])
        else:
            c = d.index // grid
            start = c * grid
        return np.array([[c, d.index - start, 1, 1, 0]], dtype=np.int64), None
    if isinstance(grid, np.ndarray):
        return _irregular_slice_rows(d, grid), None
    return _slice_rows(d, grid), None


# -- the box ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class BoxPlan:
    """A box over a chunk grid: per dimension its rows (and lists), see the module docstring.

    ``keep[d]`` is False for an integer dimension (dropped from the box as the selection
    reads it; the loops see it as a dimension of length 1), ``scattered[d]`` True for an
    ordered index array (its listed box positions are the result's, in any order).
    """

    rows: tuple[npt.NDArray[Any], ...]  # per dimension, C-contiguous int64 (n, PLAN_COLS)
    lists: tuple[npt.NDArray[Any] | None, ...]  # per dimension, C-contiguous int64 (m, 2)
    keep: tuple[bool, ...]  # per dimension: the dimension stays in the box
    scattered: tuple[bool, ...]  # per dimension: listed box positions are scattered
    grids: tuple[Grid, ...]  # per dimension: chunk size or offsets
    shape: tuple[int, ...]  # the array's shape

    @property
    def total(self) -> int:
        """The number of chunks of the plan (the product of the rows)."""
        return math.prod(len(r) for r in self.rows)

    @property
    def int_axes(self) -> tuple[int, ...]:
        """The integer dimensions (length 1 in the loops' box, dropped from the result)."""
        return tuple(k for k, keep in enumerate(self.keep) if not keep)

    def _entries(self, index: int) -> tuple[Any, ...]:
        """The row of each dimension that chunk ``index`` (row-major) is made of."""
        if not self.rows:
            return ()
        return np.unravel_index(index, [len(r) for r in self.rows])

    def coords(self, index: int) -> tuple[int, ...]:
        """The chunk coordinates of chunk ``index`` (row-major over the rows)."""
        return tuple(int(r[int(e), 0]) for r, e in zip(self.rows, self._entries(index)))

    def projection(self, index: int) -> ChunkProjection:
        """Chunk ``index`` (row-major over the rows) as the Python engine's projection."""
        return self._project([r[int(e)] for r, e in zip(self.rows, self._entries(index))])

    def projections(self) -> Iterator[ChunkProjection]:
        """Every chunk's projection, in the plan's (row-major) order."""
        for rows in itertools.product(*(list(r) for r in self.rows)):
            yield self._project(rows)

    def _project(self, rows: Sequence[npt.NDArray[Any]]) -> ChunkProjection:
        coords: list[int] = []
        local: list[int | slice | npt.NDArray[Any]] = []
        box: list[slice | npt.NDArray[Any]] = []
        complete = basic = True
        scattered = False
        for d, row in enumerate(rows):
            c, start, step, count, at = (int(v) for v in row)
            coords.append(c)
            extent = _extent(self.grids[d], c, self.shape[d])
            if not self.keep[d]:
                local.append(start)
                complete = False
                continue
            if step != PLAN_INDEXED:
                local.append(local_slice(start, step, count))
                box.append(slice(at, at + count))
                complete = complete and start == 0 and count == extent and (
                    step == 1 or count == 1)
                continue
            listed_d = self.lists[d]
            assert listed_d is not None  # an indexed row's dimension has its list
            listed = listed_d[start:start + count]
            positions = listed[:, 0]
            if self.scattered[d]:
                local.append(positions)
                box.append(listed[:, 1])
                complete = basic = False
                scattered = True
                continue
            box.append(slice(at, at + count))
            first, last = int(positions[0]), int(positions[-1])
            if last - first == count - 1:  # sorted and unique: contiguous, a plain slice
                local.append(slice(first, last + 1))
                complete = complete and first == 0 and count == extent
            else:
                local.append(positions)
                complete = basic = False
        return ChunkProjection(tuple(coords), tuple(local), tuple(box), complete, basic,
                               scattered)


def plan_box(
    dims: Sequence[Dim], shape: tuple[int, ...], grids: Sequence[Grid]
) -> BoxPlan:
    """The plan of a box ``dims`` (per array dimension an IntDim, SliceDim or ArrayDim) over a
    chunk grid (``grids``: per dimension a chunk size or offsets) of an array of ``shape``."""
    rows: list[npt.NDArray[Any]] = []
    lists: list[npt.NDArray[Any] | None] = []
    for d, grid in zip(dims, grids):
        r, listed = plan_dim(d, grid)
        rows.append(np.ascontiguousarray(r, dtype=np.int64))
        lists.append(listed)
    return BoxPlan(tuple(rows), tuple(lists), tuple(not isinstance(d, IntDim) for d in dims),
                   tuple(isinstance(d, ArrayDim) and d.order is not None for d in dims),
                   tuple(grids), tuple(shape))


# -- points -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PointGroup:
    """The points that fall in one chunk."""

    coords: tuple[int, ...]  # chunk grid coordinates
    local: tuple[npt.NDArray[Any], ...]  # per dimension, the points' indices in the chunk
    positions: npt.NDArray[Any]  # where those points go in the flat result


@dataclass(frozen=True)
class PointPlan:
    """Independent points grouped by chunk: group ``g`` is chunk ``coords[g]`` and holds the
    points ``bounds[g] .. bounds[g + 1] - 1`` of ``positions`` (their places in the flat
    result, in their original order within the group) and of ``local`` (per dimension, their
    indices inside the chunk). Groups come in grid order."""

    coords: npt.NDArray[Any]  # int64 (groups, ndim)
    bounds: npt.NDArray[Any]  # int64 (groups + 1,)
    positions: npt.NDArray[Any]  # int64 (points,)
    local: tuple[npt.NDArray[Any], ...]  # per dimension, int64 (points,)

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def group(self, g: int) -> PointGroup:
        lo, hi = int(self.bounds[g]), int(self.bounds[g + 1])
        return PointGroup(tuple(int(c) for c in self.coords[g]),
                          tuple(x[lo:hi] for x in self.local), self.positions[lo:hi])

    def groups(self) -> Iterator[PointGroup]:
        return (self.group(g) for g in range(len(self)))


def plan_points(coords: Sequence[npt.NDArray[Any]], grids: Sequence[Grid]) -> PointPlan:
    """The points ``coords`` (per dimension an int64 array, one entry per point) grouped by
    chunk of the grid ``grids``."""
    ndim = len(coords)
    if not coords or coords[0].shape[0] == 0:
        return PointPlan(np.empty((0, ndim), np.int64), np.zeros(1, np.int64),
                         np.empty(0, np.int64), tuple(np.empty(0, np.int64) for _ in coords))
    chunk_idx: list[npt.NDArray[Any]] = [
        np.searchsorted(g, c, side="right") - 1 if isinstance(g, np.ndarray) else c // g
        for c, g in zip(coords, grids)
    ]
    size = tuple(int(i.max()) + 1 for i in chunk_idx)
    flat: npt.NDArray[Any] = np.ravel_multi_index(chunk_idx, size)
    if math.prod(size) <= 1 << 16:  # NumPy's stable sort is a radix sort for 16-bit keys
        flat = flat.astype(np.uint16)
    positions = np.argsort(flat, kind="stable")
    ids = flat[positions]
    starts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    bounds = np.concatenate(([0], starts, [len(ids)])).astype(np.int64)
    group_coords = np.stack(np.unravel_index(ids[bounds[:-1]], size), axis=1).astype(np.int64)
    group_coords = np.ascontiguousarray(group_coords.reshape(len(bounds) - 1, ndim))
    local: list[npt.NDArray[Any]] = []
    for c, i, g in zip(coords, chunk_idx, grids):
        start = g[i[positions]] if isinstance(g, np.ndarray) else i[positions] * g
        local.append((c[positions] - start).astype(np.int64))
    return PointPlan(group_coords, bounds, positions.astype(np.int64), tuple(local))


# -- the plan seen chunk by chunk -------------------------------------------------------------

def iter_chunk_projections(
    dims: Sequence[Dim], shape: tuple[int, ...], grids: Sequence[Grid]
) -> Iterator[ChunkProjection]:
    """Every chunk the box touches, with its local selection and its place in the box."""
    return plan_box(dims, shape, grids).projections()


def count_chunks(dims: Sequence[Dim], shape: tuple[int, ...], grids: Sequence[Grid]) -> int:
    """How many chunks the box touches."""
    return plan_box(dims, shape, grids).total


def group_points(
    coords: Sequence[npt.NDArray[Any]], grids: Sequence[Grid]
) -> list[PointGroup]:
    """Points grouped by chunk (each chunk once, in grid order; points keep their order)."""
    return list(plan_points(coords, grids).groups())
