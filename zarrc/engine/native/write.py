"""Native writes: whole chunks encoded in C, and whole shards' inner chunks.

For every chunk a plan covers whole, the C loop takes its part of the source box (straight
from the source rows where they are contiguous, else gathered and padded at the array's edge),
encodes it and stores it: into the store's files by the store's own write protocol when it
declares writable local files (temporary name, fsync when asked, rename, all given as data),
else into a buffer whose pieces are handed to ``Store.set``. The loop leaves to the shared
per-chunk steps (``zarrc.engine.chunks``) what needs their policies: chunks covered in part
(read-modify-write under the chunk's lock) and chunks of fill (deleted).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import numpy as np

from zarrc._ext import chunkwrite
from zarrc.engine import observe
from zarrc.engine.chunks import write_chunk
from zarrc.engine.context import ArrayContext
from zarrc.engine.fetch import Writes, fetch_window
from zarrc.engine.native.state import NativeArray, run_split, thread_state
from zarrc.errors import CodecError
from zarrc.indexing import BoxPlan

__all__ = ["encode_shard", "write_box"]

_OUT_BYTES = 16 << 20  # encoded bytes a thread holds for a store without files, at most
_SHARD_SLOT = 1  # the thread scratch slot that holds encoded shards


def write_box(array: NativeArray, ctx: ArrayContext, plan: BoxPlan, values: np.ndarray) -> None:
    """Store ``values`` (the selection's box) into the chunks of ``plan`` (stored grid)."""
    files = array.write_files
    source = np.expand_dims(values, plan.int_axes) if plan.int_axes else values
    write = chunkwrite.ChunkWrite(
        array.directory if files is not None else None, array.key_name, array.separator,
        array.chunks, ctx.shape, array.itemsize, array.codec, array.order, plan.rows, source,
        array.fill, plan.lists,
        skip_empty=not ctx.write_empty_chunks and ctx.fill_bytes is not None,
        temp_prefix=None if files is None else files.temp_prefix,
        fsync=files is not None and files.fsync, **array.encoder)
    if write.total:
        with Writes(fetch_window(ctx.store)) as writes:
            run_split(write.total, write.chunk_nbytes,
                      lambda b, e: _write_range(array, ctx, plan, write, values, b, e, writes))


def _write_range(array: NativeArray, ctx: ArrayContext, plan: BoxPlan,
                 write: chunkwrite.ChunkWrite, values: np.ndarray, begin: int, end: int,
                 writes: Writes) -> None:
    state = thread_state()
    step = end - begin if write.to_files else max(1, _OUT_BYTES // write.encode_bound)
    for b in range(begin, end, step):
        e = min(end, b + step)
        size = write.encode_bound if write.to_files else (e - b) * write.encode_bound
        # sets still in flight hold views of their buffer: a fresh one then, not the scratch
        reuse = write.to_files or writes.window == 1
        out = state.scratch(size) if reuse else np.empty(size, np.uint8)
        stats = observe.stats_for(ctx, "chunk.write", e - b)
        rc, index, err, outcome = write.run(state.dec, state.decoded(write.scratch_nbytes),
                                            out, b, e, stats)
        if rc < 0:
            key = ctx.key(plan.coords(index))
            exc = array.chunk_error(key, rc, err, what="could not store it: ")
            observe.failed(ctx, key, exc, operation="write")
            raise exc
        view = out.data  # a memoryview of the (1-d uint8) buffer
        for k, (offset, size) in enumerate(outcome.tolist(), start=b):
            if offset == chunkwrite.OUT_PARTIAL:  # a read-modify-write under the chunk's lock
                write_chunk(ctx, plan.projection(k), values, writes.submit)
                continue
            key = ctx.key(plan.coords(k))
            request: Callable[[], None] | None
            if offset >= 0 and write.to_files:
                request = None  # the C loop stored it
            elif offset >= 0:
                request = functools.partial(ctx.store.set, key, view[offset:offset + size])
            else:  # OUT_EMPTY: only the fill value
                request = functools.partial(ctx.store.delete, key)
            if stats is not None:
                i = 2 * (k - b)
                writes.submit(_reported, ctx, key, request, int(stats[i]), int(stats[i + 1]))
            elif request is not None:
                writes.submit(request)


def _reported(ctx: ArrayContext, key: str, request: Callable[[], None] | None, nbytes: int,
              encode_ns: int) -> None:
    """Run a chunk's store ``request`` (None if there is none left) and report the chunk:
    ``nbytes`` stored, its time from the C loop's encoding on."""
    def step() -> int:
        if request is not None:
            request()
        return nbytes

    observe.one(ctx, "chunk.write", key, step, "write", time.perf_counter() - encode_ns / 1e9)


def encode_shard(array: NativeArray, ctx: ArrayContext, shard: np.ndarray, key: str) -> bytes:
    """The stored bytes of a whole shard: its inner chunks encoded in C into one buffer (in the
    codec's Morton order, skipping those of fill), then the codec's index around them."""
    codec = ctx.pipeline.sharding
    if codec is None:
        raise TypeError(f"chunk {key!r}: the array is not sharded")
    encoder = chunkwrite.ChunkEncode(array.chunks, array.itemsize, array.codec, array.order, shard,
                                  array.fill, **array.encoder)
    origins = codec.inner_order() * np.asarray(array.chunks, dtype=np.int64)
    state = thread_state()
    out = state.scratch(len(origins) * encoder.encode_bound, _SHARD_SLOT)
    try:
        used, placed = encoder.run(state.dec, origins, state.decoded(encoder.scratch_nbytes),
                                   out)
    except CodecError as exc:
        raise CodecError(f"chunk {key!r}: inner {exc}") from exc
    return codec.assemble(placed, [out.data[:used]])
