"""Native point reads: coordinate selections gathered chunk by chunk in C.

The points come grouped by chunk (``zarrc.indexing.plan_points``, the reference's plan); each
chunk is read (from the store's files, or fetched in ``get_many`` batches, or a shard's inner
chunks through ``zarrc.engine.shard``) and decoded once into a thread's reused buffer, and its
points are copied to their places in the result, with the GIL released, split over the
engine's threads.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zarrc._ext import chunkpoints
from zarrc.engine import observe
from zarrc.engine.context import ArrayContext
from zarrc.engine.fetch import fetch_window, run_fetched
from zarrc.engine.native.files import fetch_shard, reads_files
from zarrc.engine.native.state import (
    NativeArray,
    run_read,
    settle,
    thread_state,
)
from zarrc.indexing import PointGroup, PointPlan, plan_points

__all__ = ["read_points", "read_shard_points"]


def _items(local: tuple[Any, ...], chunks: tuple[int, ...], order: str) -> np.ndarray:
    """Each point's flat item index inside its decoded chunk, in the stored order."""
    items = np.zeros(len(local[0]) if local else 0, np.int64)
    dims = range(len(chunks)) if order == "F" else reversed(range(len(chunks)))
    stride = 1
    for d in dims:
        items += local[d] * stride
        stride *= chunks[d]
    return items


def _reader(array: NativeArray, directory: bytes | None, shape: tuple[int, ...],
            points: PointPlan, positions: np.ndarray, out: np.ndarray) -> chunkpoints.PointRead:
    return chunkpoints.PointRead(directory, array.key_name, array.separator, array.chunks, shape,
                             array.itemsize, array.codec, array.order, points.coords,
                             points.bounds, _items(points.local, array.chunks, array.order),
                             np.ascontiguousarray(positions, dtype=np.int64), out, array.fill)


def read_points(array: NativeArray, ctx: ArrayContext, points: PointPlan, out: np.ndarray) -> None:
    """Gather the points of ``points`` (planned over the stored chunk grid) into ``out``."""
    if len(points) == 0:
        return
    read = _reader(array, array.directory, ctx.shape, points, points.positions, out)

    def keys_of(b: int, e: int) -> list[str]:
        return [ctx.key(tuple(c)) for c in points.coords[b:e].tolist()]

    run_read(array, ctx, read, keys_of)


Fetched = tuple[str, PointGroup, PointPlan, list[memoryview | None] | None]
"""A shard's points fetched: its key, its group, the group planned over its inner chunks,
and those inner chunks' stored bytes (None: no shard)."""


def read_shard_points(array: NativeArray, ctx: ArrayContext, points: PointPlan,
                      out: np.ndarray) -> None:
    """The same for a sharded array: ``points`` is planned over its shards; each shard's
    points are grouped by inner chunk and only those inner chunks are fetched."""
    codec = ctx.pipeline.sharding
    if codec is None:
        raise TypeError("read_shard_points: the array is not sharded")
    cps = codec.chunks_per_shard()
    shard_shape = tuple(ctx.chunks)

    def fetch(g: int) -> Fetched:
        group = points.group(g)
        inner = plan_points(group.local, array.chunks)
        flat = np.ravel_multi_index(inner.coords.T, cps).astype(np.int64)
        key = ctx.key(group.coords)
        return key, group, inner, fetch_shard(array, ctx, key, flat, False,
                                              thread_state().scratch)

    def consume(_g: int, fetched: Fetched) -> None:
        key, group, inner, pieces = fetched
        if pieces is None:  # no shard
            out[group.positions] = ctx.fill_value
            return
        read = _reader(array, None, shard_shape, inner, group.positions[inner.positions], out)
        state = thread_state()
        stats = observe.stats_for(ctx, "chunk.read", read.total)
        rc, index = read.run_buffers(state.dec, pieces, state.decoded(read.chunk_nbytes), 0,
                                     read.total, stats=stats)
        if rc < 0 or stats is not None:
            coords = [tuple(c) for c in inner.coords.tolist()]
            settle(ctx, array, rc, index, 0, read.total, lambda b, e: [key] * (e - b), stats,
                   what=lambda i: f"inner chunk {coords[i]}: ", inner=coords)

    # values read from files land in the reading thread's scratch: decoded by that thread
    window = 1 if reads_files(array) else fetch_window(ctx.store)
    run_fetched(range(len(points)), fetch, consume, window)
