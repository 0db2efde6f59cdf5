"""The native point loop: coordinate selections (``vindex``) of local arrays, in C.

For the arrays ``zarrc.engine.native`` reads natively (local chunk files of a regular grid, a
simple codec chain), :func:`read_points_native` groups the points by chunk with NumPy (a
stable radix sort on chunk ids) and hands the groups to ``zarrc._ext.chunkio.PointRead``:
each chunk is read and decoded once into a thread's reused buffer and its points copied to
their places in the result, with the GIL released, split over the engine's threads. A group
the C decoders refuse goes through the Python engine (``fallback``), as for box reads.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from zarrc.engine.context import ArrayContext
from zarrc.engine.native import (
    available,
    chunk_files,
    chunkio,
    read_buffer_size,
    run_reads,
    run_split,
)
from zarrc.indexing import PointGroup, PointSelection

__all__ = ["read_points_native"]

GatherGroup = Callable[[ArrayContext, PointGroup, np.ndarray], None]


def read_points_native(ctx: ArrayContext, sel: PointSelection, out: np.ndarray,
                       gather: GatherGroup) -> bool:
    """Gather the points of ``sel`` into the flat ``out`` natively if the array allows it.

    Returns False, having done nothing, for arrays the C loop does not read (see
    ``zarrc.engine.native.chunk_files``). ``gather(ctx, group, out)`` is the Python engine's
    read of one group, used for a chunk the C decoders refuse.
    """
    if not available() or sel.count == 0 or out.dtype != ctx.dtype:
        return False
    files = chunk_files(ctx)
    if files is None:
        return False
    directory, encoding, codec, order = files
    coords, bounds, items, positions, local = _group(sel.coords, ctx.chunks, ctx.shape, order)
    itemsize = ctx.dtype.itemsize
    read = chunkio.PointRead(directory, encoding.name, encoding.separator, ctx.chunks, ctx.shape,
                             itemsize, codec, order, coords, bounds, items, positions, out,
                             ctx.fill_bytes or bytes(itemsize))

    def python_group(g: int) -> None:
        lo, hi = int(bounds[g]), int(bounds[g + 1])
        group = PointGroup(tuple(int(c) for c in coords[g]), tuple(x[lo:hi] for x in local),
                           positions[lo:hi])
        gather(ctx, group, out)

    rsize = read_buffer_size(read.chunk_nbytes)
    run_split(read.total, read.chunk_nbytes,
              lambda b, e: run_reads(read, rsize, python_group, b, e))
    return True


def _group(coords: tuple, chunks: tuple, shape: tuple, order: str) -> tuple:
    """Points grouped by chunk, as ``PointRead`` takes them, plus their chunk-local indices.

    Returns ``(chunk coords (groups, ndim), bounds (groups + 1), items, positions, local)``:
    groups in grid order, points in their original order within a group. (At least one
    dimension and one point: ``read_points_native`` leaves the rest to Python.)
    """
    grid = tuple(-(-n // c) for n, c in zip(shape, chunks))
    chunk_idx = [c // k for c, k in zip(coords, chunks)]
    flat = np.ravel_multi_index(chunk_idx, grid)
    if math.prod(grid) <= 1 << 16:  # NumPy's stable sort is a radix sort for 16-bit keys
        flat = flat.astype(np.uint16)
    positions = np.argsort(flat, kind="stable")
    ids = flat[positions]
    starts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    bounds = np.concatenate(([0], starts, [len(ids)])).astype(np.int64)
    group_coords = np.stack(np.unravel_index(ids[bounds[:-1]], grid), axis=1).astype(np.int64)
    group_coords = np.ascontiguousarray(group_coords.reshape(len(bounds) - 1, len(grid)))
    local = [c[positions] - i[positions] * k for c, i, k in zip(coords, chunk_idx, chunks)]
    items = np.zeros(len(positions), np.int64)
    dims = range(len(chunks)) if order == "F" else reversed(range(len(chunks)))
    stride = 1
    for d in dims:  # the flat item index in the stored order
        items += local[d] * stride
        stride *= chunks[d]
    return group_coords, bounds, items, positions.astype(np.int64), local
