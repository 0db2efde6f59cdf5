"""Partial reads of shards: the index, then only the inner chunks a selection needs.

A shard (v3 ``sharding_indexed``) is one stored value holding many inner chunks and an index of
their byte ranges. When a selection covers a shard only in part and the store serves byte
ranges, this module reads the index with one range request, plans the selection over the
inner chunk grid, fetches the needed inner chunks with as few range requests as adjacency
allows, and decodes each straight into its place in the output.
"""

from __future__ import annotations

import numpy as np

from zarrc.engine.context import ArrayContext
from zarrc.indexing import ArrayDim, ChunkProjection, IntDim, SliceDim, iter_chunk_projections

__all__ = ["read_shard_part", "fetch_inner", "local_dims", "coalesce_ranges"]


def local_dims(local: tuple, shape: tuple) -> tuple:
    """A chunk-local selection (ints, slices, sorted index arrays) as box dimensions."""
    dims = []
    for item, n in zip(local, shape):
        if isinstance(item, np.ndarray):
            dims.append(ArrayDim(item.astype(np.int64, copy=False)))
        elif isinstance(item, slice):
            start, stop, step = item.indices(n)
            count = len(range(start, stop, step))
            dims.append(SliceDim(start if count else 0, step, count))
        else:
            dims.append(IntDim(int(item)))
    return tuple(dims)


def coalesce_ranges(ranges: list) -> list[tuple[int, int, list[int]]]:
    """Merge byte ranges that touch or overlap: ``[(start, stop, [indices of ranges])]``.

    ``None`` entries (missing inner chunks) are skipped.
    """
    present = sorted((r[0], r[1], i) for i, r in enumerate(ranges) if r is not None)
    merged: list[tuple[int, int, list[int]]] = []
    for start, stop, i in present:
        if merged and start <= merged[-1][1]:
            s0, s1, members = merged[-1]
            merged[-1] = (s0, max(s1, stop), members + [i])
        else:
            merged.append((start, stop, [i]))
    return merged


def _fetch(ctx: ArrayContext, key: str, ranges: list) -> list:
    """The bytes of each range (None where the range is None), one request per merged run."""
    out: list = [None] * len(ranges)
    for start, stop, members in coalesce_ranges(ranges):
        data = ctx.store.get(key, byte_range=(start, stop))
        if data is None:  # the shard vanished between the index read and this one
            continue
        view = memoryview(data)
        for i in members:
            a, b = ranges[i]
            out[i] = view[a - start:b - start]
    return out


def fetch_inner(ctx: ArrayContext, key: str, inner_coords: list) -> list | None:
    """The encoded bytes of inner chunks ``inner_coords`` of shard ``key`` (None for a missing
    inner chunk), reading the index and then the chunks; None if the shard does not exist."""
    codec = ctx.pipeline.sharding
    index_bytes = ctx.store.get(key, byte_range=codec.index_byte_range())
    if index_bytes is None:
        return None
    index = codec.parse_index(index_bytes)
    return _fetch(ctx, key, [codec.inner_byte_range(index, c) for c in inner_coords])


def read_shard_part(ctx: ArrayContext, proj: ChunkProjection, target: np.ndarray,
                    gather) -> None:
    """Read the part ``proj.local`` of shard ``proj.coords`` into ``target``."""
    codec = ctx.pipeline.sharding
    inner_shape = codec.chunk_shape
    inner = list(iter_chunk_projections(local_dims(proj.local, ctx.chunks), ctx.chunks,
                                        inner_shape))
    pieces = fetch_inner(ctx, ctx.key(proj.coords), [p.coords for p in inner])
    if pieces is None:
        ctx.fill(target)
        return
    for p, data in zip(inner, pieces):
        sub = target[p.box + (Ellipsis,)]
        if data is None:
            ctx.fill(sub)
        elif p.complete and sub.shape == inner_shape:
            codec.decode_inner(data, p.coords, out=sub)
        else:
            chunk = codec.decode_inner(data, p.coords)
            ctx.copy(sub, chunk[p.local + (Ellipsis,)] if p.basic else gather(chunk, p.local))
