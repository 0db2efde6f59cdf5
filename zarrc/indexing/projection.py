"""Project an orthogonal box onto the chunk grid: which chunks, which part of each, where to.

Indexing is projection and nothing else (DESIGN.md): no I/O happens here. A box dimension is
split per chunk into ``(chunk index, chunk-local selection, box slice, complete)``; the chunk
projections are the Cartesian product of those per-dimension plans.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from zarrc.indexing.selection import ArrayDim, IntDim, SliceDim

__all__ = ["DimPlan", "ChunkProjection", "PointGroup", "plan_dim", "iter_chunk_projections",
           "count_chunks", "group_points"]


@dataclass(frozen=True, slots=True)
class DimPlan:
    """One chunk's share of one dimension of the box."""

    chunk: int  # chunk index along this dimension
    local: object  # int, slice or int64 array: the selection inside the chunk
    box: object  # slice (or int64 positions) where it lands in the box; None: dropped dim
    complete: bool  # covers every in-bounds position of the chunk, in order, step 1


@dataclass(frozen=True, slots=True)
class ChunkProjection:
    """One chunk's share of the whole box."""

    coords: tuple  # chunk grid coordinates
    local: tuple  # selection inside the decoded chunk (ints, slices, arrays)
    box: tuple  # slices of the box (integer dimensions omitted)
    complete: bool  # every in-bounds element of the chunk is selected, in order
    basic: bool  # local holds only ints and slices (a view, no gather)
    scattered: bool = False  # box holds position arrays: values go to scattered places


# A dimension's grid is its chunk size (an int: a regular grid) or, for a rectilinear grid, the
# int64 chunk start offsets plus the end (``ArrayMetadata.dim_grids``).

def _chunk_of(grid, i):
    """The chunk holding position(s) ``i`` along a dimension."""
    if isinstance(grid, np.ndarray):
        return np.searchsorted(grid, i, side="right") - 1
    return i // grid


def _start(grid, c: int) -> int:
    return int(grid[c]) if isinstance(grid, np.ndarray) else c * grid


def _stop(grid, c: int, size: int) -> int:
    return min(int(grid[c + 1]) if isinstance(grid, np.ndarray) else (c + 1) * grid, size)


def _irregular_slice_plan(d: SliceDim, size: int, grid: np.ndarray) -> list[DimPlan]:
    """A slice over chunks of varying length: group its positions by chunk."""
    n, s = d.count, d.step
    if n == 0:
        return []
    pos = d.start + np.arange(n, dtype=np.int64) * s
    cids = _chunk_of(grid, pos)
    bounds = np.flatnonzero(cids[1:] != cids[:-1]) + 1
    plans = []
    for lo, hi in zip(np.concatenate(([0], bounds)).tolist(),
                      np.concatenate((bounds, [n])).tolist()):
        c = int(cids[lo])
        c0, c1 = _start(grid, c), _stop(grid, c, size)
        cnt = hi - lo
        start = int(pos[lo]) - c0
        stop = start + cnt * s
        local = slice(start, stop if stop >= 0 else None, s)
        plans.append(DimPlan(c, local, slice(lo, hi), s == 1 and start == 0 and cnt == c1 - c0))
    return plans


def _slice_plan(d: SliceDim, size: int, chunk) -> list[DimPlan]:
    if isinstance(chunk, np.ndarray):
        return _irregular_slice_plan(d, size, chunk)
    n, s = d.count, d.step
    if n == 0:
        return []
    first, last = d.start, d.start + (n - 1) * s
    lo_c, hi_c = sorted((first // chunk, last // chunk))
    plans = []
    if abs(s) >= chunk:  # every element in its own chunk: walk the elements
        for k in range(n):
            i = first + k * s
            c = i // chunk
            plans.append(DimPlan(c, slice(i - c * chunk, i - c * chunk + 1), slice(k, k + 1),
                                 chunk == 1 or (size - c * chunk) == 1))
        return plans
    chunk_range = range(lo_c, hi_c + 1) if s > 0 else range(hi_c, lo_c - 1, -1)
    for c in chunk_range:
        c0, c1 = c * chunk, min((c + 1) * chunk, size)
        if s > 0:
            k_lo = max(0, -(-(c0 - first) // s))
            k_hi = min(n, -(-(c1 - first) // s))
        else:
            a = -s
            k_lo = max(0, (first - c1) // a + 1)
            k_hi = min(n, (first - c0) // a + 1)
        if k_lo >= k_hi:
            continue
        cnt = k_hi - k_lo
        start = first + k_lo * s - c0
        stop = start + cnt * s
        local = slice(start, stop if stop >= 0 else None, s)
        complete = s == 1 and start == 0 and cnt == c1 - c0
        plans.append(DimPlan(c, local, slice(k_lo, k_hi), complete))
    return plans


def _ordered_plan(d: ArrayDim, chunk: int) -> list[DimPlan]:
    """An ordered ArrayDim: per chunk, the result positions it feeds and what they read."""
    if d.order.shape[0] == 0:
        return []
    values = d.indices[d.order]  # the requested index of each result position
    cids = _chunk_of(chunk, values)
    by_chunk = np.argsort(cids, kind="stable")
    chunks_sorted = cids[by_chunk]
    bounds = np.flatnonzero(chunks_sorted[1:] != chunks_sorted[:-1]) + 1
    plans = []
    for lo, hi in zip(np.concatenate(([0], bounds)).tolist(),
                      np.concatenate((bounds, [len(by_chunk)])).tolist()):
        positions = by_chunk[lo:hi]
        c = int(chunks_sorted[lo])
        plans.append(DimPlan(c, values[positions] - _start(chunk, c), positions, False))
    return plans


def _array_plan(d: ArrayDim, size: int, chunk: int) -> list[DimPlan]:
    if d.order is not None:
        return _ordered_plan(d, chunk)
    idx = d.indices
    if idx.shape[0] == 0:
        return []
    cids = _chunk_of(chunk, idx)
    bounds = np.flatnonzero(np.diff(cids)) + 1
    starts = np.concatenate(([0], bounds))
    stops = np.concatenate((bounds, [idx.shape[0]]))
    plans = []
    for lo, hi in zip(starts.tolist(), stops.tolist()):
        c = int(cids[lo])
        c0 = _start(chunk, c)
        local = idx[lo:hi] - c0
        n_in = _stop(chunk, c, size) - c0
        if hi - lo == n_in:  # sorted and unique: all positions, so a plain slice
            plans.append(DimPlan(c, slice(0, n_in), slice(lo, hi), True))
        elif int(local[-1]) - int(local[0]) == hi - lo - 1:
            plans.append(DimPlan(c, slice(int(local[0]), int(local[-1]) + 1), slice(lo, hi), False))
        else:
            plans.append(DimPlan(c, local, slice(lo, hi), False))
    return plans


def plan_dim(d, size: int, chunk: int) -> list[DimPlan]:
    """Split one box dimension over the chunks of that dimension."""
    if isinstance(d, IntDim):
        c = int(_chunk_of(chunk, d.index))
        return [DimPlan(c, d.index - _start(chunk, c), None, False)]
    if isinstance(d, SliceDim):
        return _slice_plan(d, size, chunk)
    return _array_plan(d, size, chunk)


def iter_chunk_projections(dims: tuple, shape: tuple, chunks: tuple) -> Iterator[ChunkProjection]:
    """Every chunk the box touches, with its local selection and its place in the box."""
    per_dim = [plan_dim(d, n, c) for d, n, c in zip(dims, shape, chunks)]
    for combo in itertools.product(*per_dim):
        local = tuple(p.local for p in combo)
        box = tuple(p.box for p in combo if p.box is not None)
        yield ChunkProjection(
            coords=tuple(p.chunk for p in combo),
            local=local,
            box=box,
            complete=all(p.complete for p in combo),
            basic=not any(isinstance(x, np.ndarray) for x in local),
            scattered=any(isinstance(b, np.ndarray) for b in box),
        )


def count_chunks(dims: tuple, shape: tuple, chunks: tuple) -> int:
    """How many chunks the box touches (without building the projections)."""
    total = 1
    for d, n, c in zip(dims, shape, chunks):
        total *= len(plan_dim(d, n, c))
    return total


@dataclass(frozen=True, slots=True)
class PointGroup:
    """The points that fall in one chunk."""

    coords: tuple  # chunk grid coordinates
    local: tuple  # per dimension, the points' indices inside the chunk (int64 arrays)
    positions: np.ndarray  # where those points go in the flat result


def group_points(coords: tuple, chunks: tuple) -> list[PointGroup]:
    """Points grouped by chunk (each chunk once, in grid order; points keep their order)."""
    if not coords or coords[0].shape[0] == 0:
        return []
    chunk_idx = [_chunk_of(g, c) for c, g in zip(coords, chunks)]
    grid = tuple(int(i.max()) + 1 for i in chunk_idx)
    flat = np.ravel_multi_index(chunk_idx, grid)
    if math.prod(grid) <= 1 << 16:  # NumPy's stable sort is a radix sort for 16-bit keys
        flat = flat.astype(np.uint16)
    order = np.argsort(flat, kind="stable")
    sorted_ids = flat[order]
    sorted_coords = [c[order] for c in coords]
    bounds = np.flatnonzero(sorted_ids[1:] != sorted_ids[:-1]) + 1
    groups = []
    for lo, hi in zip(np.concatenate(([0], bounds)).tolist(),
                      np.concatenate((bounds, [len(order)])).tolist()):
        chunk = tuple(int(i[order[lo]]) for i in chunk_idx)
        local = tuple(c[lo:hi] - _start(g, k) for c, k, g in zip(sorted_coords, chunk, chunks))
        groups.append(PointGroup(chunk, local, order[lo:hi]))
    return groups
