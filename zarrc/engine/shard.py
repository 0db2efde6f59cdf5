"""Partial reads of shards: the index, then only the inner chunks a selection needs.

A shard (v3 ``sharding_indexed``) is one stored value holding many inner chunks and an index of
their byte ranges. When a selection covers a shard only in part and the store serves byte
ranges, this module reads the index with one range request, plans the selection over the
inner chunk grid, fetches the needed inner chunks with as few range requests as adjacency
allows, and decodes each straight into its place in the output.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator

import numpy as np

from zarrc.engine.context import ArrayContext
from zarrc.errors import CodecError
from zarrc.indexing import ArrayDim, ChunkProjection, IntDim, SliceDim, iter_chunk_projections

__all__ = ["iter_shard_tasks", "fetch_inner", "local_dims", "coalesce_ranges", "naming_shard"]


@contextlib.contextmanager
def naming_shard(key: str) -> Iterator[None]:
    """Re-raise a CodecError with the shard's stored key in front: the codec's own message
    names only the part of the shard (its index, an inner chunk) that failed."""
    try:
        yield
    except CodecError as exc:
        raise type(exc)(f"chunk {key!r}: {exc}") from exc


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


def _index_and_pieces(ctx: ArrayContext, key: str, inner_coords: list, whole: bool):
    """``(pieces, ok)``: encoded bytes per inner chunk (None: missing inner chunk); ok is
    False when the shard itself does not exist. ``whole`` reads the shard in one request."""
    codec = ctx.pipeline.sharding
    if whole:
        data = ctx.store.get(key)
        if data is None:
            return None, False
        view = memoryview(data)
        size = codec.index_size()
        if len(view) < size:
            raise CodecError(f"chunk {key!r}: the shard is {len(view)} bytes, shorter than "
                             f"its {size}-byte index")
        start, stop = codec.index_byte_range(len(view))
        index = codec.parse_index(view[start:stop], shard_size=len(view))
        pieces = []
        for c in inner_coords:
            found = codec.inner_byte_range(index, c)
            pieces.append(None if found is None else view[found[0]:found[1]])
        return pieces, True
    index_bytes = ctx.store.get(key, byte_range=codec.index_byte_range())
    if index_bytes is None:
        return None, False
    index = codec.parse_index(index_bytes)
    return _fetch(ctx, key, [codec.inner_byte_range(index, c) for c in inner_coords]), True


def fetch_inner(ctx: ArrayContext, key: str, inner_coords: list) -> list | None:
    """The encoded bytes of inner chunks ``inner_coords`` of shard ``key`` (None for a missing
    inner chunk), reading the index and then the chunks; None if the shard does not exist."""
    with naming_shard(key):
        pieces, ok = _index_and_pieces(ctx, key, inner_coords, whole=False)
    return pieces if ok else None


def iter_shard_tasks(ctx: ArrayContext, proj: ChunkProjection, target: np.ndarray,
                     gather) -> Iterator[Callable[[], None]]:
    """Fetch what shard ``proj`` needs for ``target`` (its part of the output), and yield one
    task per inner chunk that decodes it into place.

    The fetch happens here, in the generator; the tasks only decode and copy, so a pool can
    spread the inner chunks of one shard over its threads.
    """
    codec = ctx.pipeline.sharding
    inner_shape = codec.chunk_shape
    inner = list(iter_chunk_projections(local_dims(proj.local, ctx.chunks), ctx.chunks,
                                        inner_shape))
    whole = proj.complete or not ctx.store.supports_partial_reads
    key = ctx.key(proj.coords)
    with naming_shard(key):
        pieces, ok = _index_and_pieces(ctx, key, [p.coords for p in inner], whole)
    if not ok:
        yield lambda: ctx.fill(target)
        return
    for p, data in zip(inner, pieces):
        yield functools.partial(_decode_inner, ctx, key, p, data, target[p.box + (Ellipsis,)],
                                gather)


def _decode_inner(ctx: ArrayContext, key: str, p: ChunkProjection, data, sub: np.ndarray,
                  gather) -> None:
    with naming_shard(key):
        _decode_inner_into(ctx, ctx.pipeline.sharding, p, data, sub, gather)


def _decode_inner_into(ctx: ArrayContext, codec, p: ChunkProjection, data, sub: np.ndarray,
                       gather) -> None:
    if data is None:
        ctx.fill(sub)
    elif p.complete and sub.shape == codec.chunk_shape:
        codec.decode_inner(data, p.coords, out=sub)
    else:
        chunk = codec.decode_inner(data, p.coords)
        ctx.copy(sub, chunk[p.local + (Ellipsis,)] if p.basic else gather(chunk, p.local))
