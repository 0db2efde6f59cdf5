"""Native box reads: every chunk of a plan decoded and copied into the box in C.

Chunks of an array whose store declares local files are read by the C loop itself (key,
open / read / close or ``preadv`` straight into the box, decode, strided copy), the plan split
over the engine's threads. Any other store's chunks are fetched in ``get_many`` batches (the
store's ``fetch_concurrency`` in flight, :mod:`zarrc.engine.fetch`) and decoded from those
buffers by the same loop. A sharded array's read is planned over its inner chunks; each shard
is fetched through ``zarrc.engine.shard`` (any store) and its inner chunks decoded in one call.
"""

from __future__ import annotations

import numpy as np

from zarrc import config
from zarrc._ext import chunkio
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
from zarrc.engine.pool import run_tasks
from zarrc.engine.shard import ShardPart, split_by_shard
from zarrc.indexing import BoxPlan

__all__ = ["entry_keys", "read_box", "read_shards"]

_PARALLEL_BYTES = 1 << 19  # decoded bytes from which a sharded read is spread over threads
_TASK_BYTES = 1 << 18  # decoded bytes per decode task of a few shards at most

Fetched = tuple[str, list[memoryview | None] | None]
"""A shard fetched: its key and its wanted inner chunks' stored bytes (None: no shard)."""


def _full_box(plan: BoxPlan, box: np.ndarray) -> np.ndarray:
    """``box`` with the plan's integer dimensions kept (length 1), as the loops take it."""
    return np.expand_dims(box, plan.int_axes) if plan.int_axes else box


def entry_keys(ctx: ArrayContext, plan: BoxPlan, begin: int, end: int) -> list[str]:
    """The store keys of the plan's chunks ``begin .. end-1`` (row-major over the rows)."""
    if not plan.rows:  # a 0-d array: one chunk
        return [ctx.key(())] * (end - begin)
    ids = np.unravel_index(np.arange(begin, end), [len(r) for r in plan.rows])
    coords = [r[i, 0].tolist() for r, i in zip(plan.rows, ids)]
    return [ctx.key(c) for c in zip(*coords)]


def read_box(array: NativeArray, ctx: ArrayContext, plan: BoxPlan, box: np.ndarray) -> None:
    """Read the chunks of ``plan`` (over the stored chunk grid) into ``box``."""
    read = chunkio.ChunkRead(array.directory, array.key_name, array.separator, array.chunks,
                             ctx.shape, array.itemsize, array.codec, array.order, plan.rows,
                             _full_box(plan, box), array.fill, plan.lists)
    if read.total == 0:
        return

    def keys_of(b: int, e: int) -> list[str]:
        return entry_keys(ctx, plan, b, e)

    run_read(array, ctx, read, keys_of)


# -- sharded arrays ---------------------------------------------------------------------------

def read_shards(array: NativeArray, ctx: ArrayContext, plan: BoxPlan, box: np.ndarray) -> None:
    """Read ``plan`` (over the array's inner chunk grid) of a sharded array into ``box``.

    Shards of a store with local files (or ranges of them) are read by the C file reader
    into the decoding thread's scratch; any other store's through its ``get`` /
    ``get_ranges``, with its ``fetch_concurrency`` of shards in flight.
    """
    codec = ctx.pipeline.sharding
    if codec is None:
        raise TypeError("read_shards: the array is not sharded")
    full = _full_box(plan, box)
    empty = [np.empty((0, chunkio.PLAN_COLS), np.int64)] * len(plan.rows)
    reader = chunkio.ChunkRead(None, "default", "/", array.chunks, ctx.shape, array.itemsize,
                               array.codec, array.order, empty, full, array.fill, plan.lists)
    parts = split_by_shard(plan, tuple(ctx.chunks), array.chunks)
    cps = codec.chunks_per_shard()
    whole = not ctx.store.supports_partial_reads
    files = reads_files(array)  # into the reading thread's scratch, not through the store

    def fetch(part: ShardPart, slot: int = 0) -> Fetched:
        key = ctx.key(part.coords)
        return key, fetch_shard(array, ctx, key, part.flat_inner(cps), part.complete or whole,
                                thread_state().scratch, slot)

    def decode(part: ShardPart, fetched: Fetched, begin: int, end: int) -> None:
        key, pieces = fetched
        if pieces is None:  # no shard: its part of the box is the fill value
            if begin == 0:
                ctx.fill(full[part.region])
            return
        state = thread_state()
        stats = observe.stats_for(ctx, "chunk.read", end - begin)
        rc, index = reader.run_buffers(state.dec, pieces[begin:end],
                                       state.decoded(reader.chunk_nbytes), begin, end,
                                       plans=part.rows, stats=stats)
        if rc < 0 or stats is not None:
            coords = part.inner_coords()
            settle(ctx, array, rc, index, begin, end, lambda b, e: [key] * (e - b), stats,
                   what=lambda i: f"inner chunk {coords[i]}: ", inner=coords[begin:end])

    threads = max(1, int(config.get("threads")))
    entries = sum(p.total for p in parts)
    window = 1 if files else fetch_window(ctx.store)  # local files: in the task
    small = reader.chunk_nbytes * entries < _PARALLEL_BYTES
    if window == 1 and (threads == 1 or small):  # nothing to wait for: no hand-offs
        for part in parts:
            decode(part, fetch(part), 0, part.total)
        return
    if threads == 1 or len(parts) >= threads or small:
        run_fetched(parts, fetch, lambda part, got: decode(part, got, 0, part.total), window)
        return
    # A few shards: fetch them first (local files into this thread's scratch slots, one per
    # shard), then decode tasks of a few inner chunks each, so that a thread that starts late
    # still gets a share.
    per_task = max(1, min(_TASK_BYTES // reader.chunk_nbytes, -(-entries // (2 * threads))))
    if files:
        fetched = [(part, fetch(part, k)) for k, part in enumerate(parts)]
    else:
        fetched = []
        run_fetched(parts, fetch, lambda part, got: fetched.append((part, got)), window)
    tasks = [(part, got, b, min(part.total, b + per_task)) for part, got in fetched
             for b in range(0, part.total, per_task)]
    run_tasks(lambda task: decode(*task), tasks)
