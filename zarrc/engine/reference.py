"""The reference chunk-I/O implementation: every operation in Python, chunk by chunk.

It walks the same plan as the native implementation (``zarrc.indexing.plan``), fetches through
the store (``get_many`` batches, ``get_ranges`` for shards) and codes through the codec
pipeline (the codecs' Python packages). It handles every array: any dtype (object and string
arrays too), any codec chain, rectilinear grids. A chunk the selection covers whole, in the
output's layout, is decoded straight into the output; a missing chunk is filled with the fill
value and never decoded. Chunks are tasks on the engine's pool; the native implementation
(``zarrc.engine.native``) must agree with this one, and the tests hold it to that.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

import numpy as np

from zarrc.engine import observe
from zarrc.engine.chunks import box_index, gather, write_chunk
from zarrc.engine.context import ArrayContext
from zarrc.engine.fetch import (
    Writes,
    batch_size,
    batches_gets,
    fetch_window,
    leading_singles,
    run_fetched,
)
from zarrc.engine.interfaces import PipelineLike, ShardingLike
from zarrc.engine.pool import run_tasks
from zarrc.engine.shard import ShardPart, fetch_inner, naming_shard, split_by_shard
from zarrc.indexing import BoxPlan, ChunkProjection, PointGroup, PointPlan, plan_points

__all__ = ["encode_shard", "read_box", "read_points", "write_box"]

_BATCH = 8  # chunks fetched per get_many call from a store with nothing to wait for
T = TypeVar("T")


def _batching(total: int, store: object) -> tuple[int, int, int]:
    """``(leading batches of one chunk, chunks per get_many after them, get_many calls in
    flight)`` for ``total`` chunks from ``store`` (its requests worth keeping in flight, and
    whether its get_many gains from batches; ``zarrc.engine.fetch.batch_bounds`` for the
    native loops)."""
    window = fetch_window(store)
    if window <= 1:
        return 0, _BATCH, 1
    size = batch_size(total, window, batched=batches_gets(store))
    return leading_singles(total, size), size, max(1, window // size)


# -- boxes ------------------------------------------------------------------------------------

Stored = bytes | memoryview | None
"""A chunk's stored bytes as fetched (None: missing)."""


def _decode_into(ctx: ArrayContext, pipeline: PipelineLike, proj: ChunkProjection, data: Stored,
                 key: str, box: np.ndarray) -> None:
    """Place chunk ``proj`` (stored as ``data``, None when missing; coded by ``pipeline``: the
    array's, or a shard's inner chunks') in its part of ``box``. The one place the reference
    turns stored bytes into a box."""
    if proj.scattered:
        where = box_index(proj.box, box.shape)
        if data is None:
            box[where] = ctx.fill_value
        else:
            box[where] = gather(pipeline.decode(data, key), proj.local)
        return
    target = box[proj.box + (Ellipsis,)]
    if data is None:
        ctx.fill(target)
        return
    if (proj.complete and target.shape == pipeline.spec.shape
            and pipeline.decodes_into(target)):
        pipeline.decode(data, key, out=target)
        return
    chunk = pipeline.decode(data, key)
    ctx.copy(target, chunk[proj.local + (Ellipsis,)] if proj.basic else gather(chunk, proj.local))


def _batches(items: Iterable[T], singles: int, size: int) -> Iterator[list[T]]:
    """``items`` (any iterable, taken lazily) in lists: ``singles`` of one item, then lists
    of ``size`` (the last one shorter)."""
    items = iter(items)
    for item in itertools.islice(items, singles):
        yield [item]
    while True:
        batch = list(itertools.islice(items, size))
        if not batch:
            return
        yield batch


def read_box(ctx: ArrayContext, plan: BoxPlan, box: np.ndarray) -> None:
    """Read the chunks of ``plan`` into ``box`` (the selection's box: integer dimensions
    dropped). A sharded array's plan is over its inner chunks."""
    if ctx.pipeline.sharding is not None:
        _read_shards(ctx, plan, box)
        return
    singles, size, in_flight = _batching(plan.total, ctx.store)

    def fetch(batch: list[ChunkProjection]) -> list[bytes | None]:
        return ctx.store.get_many([ctx.key(p.coords) for p in batch])

    def consume(batch: list[ChunkProjection], found: list[bytes | None]) -> None:
        observe.each(ctx, "chunk.read", zip(batch, found), lambda pair: _decode_into(
            ctx, ctx.pipeline_for(pair[0].coords), pair[0], pair[1], ctx.key(pair[0].coords),
            box), lambda pair: ctx.key(pair[0].coords), _stored_size)

    run_fetched(_batches(plan.projections(), singles, size), fetch, consume, in_flight)


def _read_shards(ctx: ArrayContext, plan: BoxPlan, box: np.ndarray) -> None:
    codec = ctx.pipeline.sharding
    assert codec is not None  # read_box sends only sharded arrays here
    inner = tuple(codec.chunk_shape)
    cps = codec.chunks_per_shard()
    pipeline = codec.inner_pipeline()
    full = np.expand_dims(box, plan.int_axes) if plan.int_axes else box

    def fetch(part: ShardPart) -> tuple[str, list[memoryview | None] | None]:
        key = ctx.key(part.coords)
        return key, fetch_inner(ctx, key, part.flat_inner(cps),
                                part.complete or not ctx.store.supports_partial_reads)

    def consume(part: ShardPart,
                fetched: tuple[str, list[memoryview | None] | None]) -> None:
        key, pieces = fetched
        if pieces is None:  # no shard: its part of the box is the fill value
            ctx.fill(full[part.region])
            return
        sub = BoxPlan(part.rows, plan.lists, plan.keep, plan.scattered, inner, plan.shape)
        with naming_shard(key):
            observe.each(ctx, "chunk.read", zip(sub.projections(), pieces, part.inner_coords()),
                         lambda t: _decode_into(ctx, pipeline, t[0], t[1],
                                                f"inner chunk {t[2]}", box),
                         lambda t: key, lambda t: _stored_size(t[:2]),
                         inner_of=lambda t: t[2])

    run_fetched(split_by_shard(plan, tuple(ctx.chunks), inner), fetch, consume,
                fetch_window(ctx.store))


# -- points -----------------------------------------------------------------------------------

def read_points(ctx: ArrayContext, points: PointPlan, out: np.ndarray) -> None:
    """Gather the points of ``points`` (planned over the stored chunk grid) into the flat
    ``out``; each chunk (or inner chunk of a shard) is decoded once."""
    codec = ctx.pipeline.sharding
    window = fetch_window(ctx.store)
    groups = list(points.groups())
    if codec is not None:
        run_fetched(groups, lambda g: _fetch_shard_points(ctx, codec, g),
                    lambda g, found: _gather_shard(ctx, codec, g, found, out), window)
        return

    def fetch(batch: list[PointGroup]) -> list[bytes | None]:
        return ctx.store.get_many([ctx.key(g.coords) for g in batch])

    def consume(batch: list[PointGroup], found: list[bytes | None]) -> None:
        observe.each(ctx, "chunk.read", zip(batch, found), lambda pair: _gather(
            ctx, ctx.pipeline_for(pair[0].coords), pair[0], pair[1], ctx.key(pair[0].coords),
            out, pair[0].positions), lambda pair: ctx.key(pair[0].coords), _stored_size)

    singles, size, in_flight = _batching(len(groups), ctx.store)
    run_fetched(_batches(groups, singles, size), fetch, consume, in_flight)


ShardPoints = tuple[str, PointPlan, list[memoryview | None] | None]
"""A shard's points fetched: its key, its points planned over its inner chunks, and those
inner chunks' stored bytes (None: no shard)."""


def _fetch_shard_points(ctx: ArrayContext, codec: ShardingLike,
                        group: PointGroup) -> ShardPoints:
    inner = plan_points(group.local, tuple(codec.chunk_shape))
    cps = codec.chunks_per_shard()
    flat = np.ravel_multi_index(inner.coords.T, cps).astype(np.int64) if len(inner) else \
        np.empty(0, np.int64)
    key = ctx.key(group.coords)
    return key, inner, fetch_inner(ctx, key, flat, False)


def _gather_shard(ctx: ArrayContext, codec: ShardingLike, group: PointGroup, found: ShardPoints,
                  out: np.ndarray) -> None:
    key, inner, pieces = found
    if pieces is None:  # no shard
        out[group.positions] = ctx.fill_value
        return
    pipeline = codec.inner_pipeline()
    with naming_shard(key):
        observe.each(ctx, "chunk.read", zip(inner.groups(), pieces), lambda pair: _gather(
            ctx, pipeline, pair[0], pair[1], f"inner chunk {pair[0].coords}", out,
            group.positions[pair[0].positions]), lambda pair: key, _stored_size,
            inner_of=lambda pair: pair[0].coords)


def _gather(ctx: ArrayContext, pipeline: PipelineLike, group: PointGroup, data: Stored, key: str,
            out: np.ndarray, positions: np.ndarray) -> None:
    """The points of ``group`` from its chunk (stored as ``data``, None when missing; coded
    by ``pipeline``) to ``positions`` of ``out``: the one place the reference turns stored
    bytes into points."""
    if data is None:
        out[positions] = ctx.fill_value
    else:
        out[positions] = pipeline.decode(data, key)[group.local]


# -- writes -----------------------------------------------------------------------------------

def write_box(ctx: ArrayContext, plan: BoxPlan, values: np.ndarray) -> None:
    """Store ``values`` (the selection's box) into the chunks of ``plan`` (over the stored
    chunk grid): one encoding task per chunk on the pool, the store's requests in flight
    beside them (:class:`~zarrc.engine.fetch.Writes`), each chunk reported when stored."""
    with Writes(fetch_window(ctx.store)) as writes:
        run_tasks(lambda proj: write_chunk(ctx, proj, values, writes.submit),
                  plan.projections())


def _stored_size(item: tuple[object, Stored]) -> int:
    """The stored bytes of a fetched ``(what, data)`` pair (-1: missing)."""
    data = item[1]
    return -1 if data is None else memoryview(data).nbytes


def encode_shard(ctx: ArrayContext, shard: np.ndarray, key: str) -> bytes | memoryview:
    """The stored bytes of a whole shard, through the codec pipeline."""
    return ctx.pipeline.encode(shard, key)
