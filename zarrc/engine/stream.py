"""Read streams: an array's chunks (or slabs) read ahead through the chunk I/O, in bounded memory.

A stream hands out *units* (a chunk, a shard's inner chunk, or a slab of chunk rows), each a
fresh C- (or F-) contiguous array of its own. They are read in *reads*: one box plan
(``zarrc.indexing.BoxPlan``) read by the array's chunk I/O (``ctx.chunk_io.read_box``, the
reference or the native implementation) into one buffer. A read is a slab, or a run of
consecutive chunks along the last grid dimension (within one shard for a sharded array) of up
to :func:`read_bytes` decoded bytes (one chunk when chunks are larger): small chunks then cost
one plan and one hand-off between threads per run instead of per chunk; a read of several
chunks hands each out as a copy of its part of the buffer, which the stream drops after the
last. Up to ``concurrency`` reads are being read (fetched and decoded) ahead of the consumer,
on threads the stream owns; the stream holds the read it is handing out and the consumer the
unit it was given. Closing the stream (the end, ``break``, an exception in the consumer's
loop, ``close()``, or the stream being dropped) cancels the reads not started, waits for the
running ones (each at most one read's work) and joins the threads, so nothing keeps running
and nothing read stays referenced.

For a sharded array the units are inner chunks, shard by shard; the stream's context keeps
the shard indexes it read (``zarrc.engine.shard.ShardIndexes``), so each index is read once.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from zarrc import config, telemetry
from zarrc.engine.context import ArrayContext
from zarrc.engine.fetch import fetch_window
from zarrc.engine.shard import ShardIndexes
from zarrc.indexing import BoxPlan, SliceDim, plan_box

__all__ = ["AHEAD_BYTES", "READ_BYTES", "Order", "Read", "ReadStream", "Unit", "chunk_reads",
           "count_units", "default_concurrency", "read_bytes", "slab_reads", "stream_label"]

_MAX_CONCURRENCY = 128  # reads in flight at most by default (a remote store's fetch window)
#: Decoded bytes of a read of several chunks at most (1 MiB: a read's plan, read_box call and
#: hand-off, about 130 µs of Python, are then a few µs per chunk of 64 KiB).
READ_BYTES = 1 << 20
#: Decoded bytes that the reads in flight hold together at most, when chunks are smaller than
#: a read (64 reads in flight on an object store then read 256 KiB each, not 1 MiB).
AHEAD_BYTES = 16 << 20


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece a stream hands out: its region of the array (slices), its shape, and its
    columns ``cut`` along the last axis of its read's buffer."""

    region: tuple[slice, ...]
    shape: tuple[int, ...]
    cut: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Read:
    """One read_box of a stream: its plan, its buffer's shape and the units it holds (one:
    the buffer is handed out as it is)."""

    plan: BoxPlan
    shape: tuple[int, ...]
    units: tuple[Unit, ...]


def default_concurrency(ctx: ArrayContext) -> int:
    """Reads in flight by default: the decode pool's bound (``threads``), or the store's
    ``fetch_concurrency`` when it is larger (a remote store is worth more requests in flight
    than there are cores)."""
    return max(1, min(_MAX_CONCURRENCY, max(int(config.get("threads")),
                                              fetch_window(ctx.store))))


def stream_label(ctx: ArrayContext) -> str:
    """The array's path in its store, as stream events name it."""
    return ctx.prefix.rstrip("/") or "/"


# -- units and reads ---------------------------------------------------------------------------

def _start(grid: int | np.ndarray, c: int) -> int:
    return int(grid[c]) if isinstance(grid, np.ndarray) else c * grid


def read_bytes(ctx: ArrayContext, concurrency: int) -> int:
    """The decoded bytes one read of several chunks holds at most: ``READ_BYTES``, less when
    ``concurrency`` reads of it would hold more than ``AHEAD_BYTES`` (a remote store's many
    reads in flight); 0 for object dtypes (whose decoded size the dtype does not tell), so
    that each of their reads is one chunk."""
    if ctx.dtype.hasobject:
        return 0
    return min(READ_BYTES, AHEAD_BYTES // max(1, concurrency))


def _plan_read(plan: BoxPlan, rows: list[list[list[int]]], picks: tuple[int, ...],
               run: list[int]) -> Read:
    """The read of one row per dimension but the last (``picks[d]``: a row index of
    ``plan.rows[d]``, whose rows are ``rows[d]`` as lists) and the consecutive rows ``run`` of
    the last dimension: one box plan of its own, and a unit per chunk."""
    mine: list[np.ndarray] = []
    outer: list[slice] = []
    shape: list[int] = []
    for d, i in enumerate(picks):
        c, start, step, count, _ = rows[d][i]
        mine.append(np.array([[c, start, step, count, 0]], dtype=np.int64))  # its own box
        first = _start(plan.grids[d], c) + start
        outer.append(slice(first, first + count))
        shape.append(count)
    d = len(picks)
    last = np.array([rows[d][i] for i in run], dtype=np.int64)
    last[:, 4] = np.cumsum(last[:, 3]) - last[:, 3]  # each chunk's place in the read's box
    mine.append(last)
    units: list[Unit] = []
    for c, start, _, count, at in last.tolist():
        first = _start(plan.grids[d], c) + start
        region = (*outer, slice(first, first + count))
        units.append(Unit(region, (*shape, count), (at, at + count)))
    width = int(last[:, 3].sum())
    n = d + 1
    return Read(BoxPlan(tuple(mine), (None,) * n, (True,) * n, (False,) * n, plan.grids,
                        plan.shape), (*shape, width), tuple(units))


def _reads(plan: BoxPlan, rows: list[list[list[int]]], block: list[list[int]], itemsize: int,
           limit: int) -> Iterator[Read]:
    """The reads of a block of the plan (per dimension the row indices ``block[d]``), in C
    order: runs of consecutive chunks along the last dimension, each as many as fit in
    ``limit`` bytes (at least one)."""
    *outer, last = block
    for picks in itertools.product(*outer):
        across = itemsize * math.prod(rows[d][i][3] for d, i in enumerate(picks))
        run: list[int] = []
        size = 0
        for i in last:
            nbytes = across * rows[-1][i][3]
            if run and size + nbytes > limit:
                yield _plan_read(plan, rows, picks, run)
                run, size = [], 0
            run.append(i)
            size += nbytes
        if run:
            yield _plan_read(plan, rows, picks, run)


def _check_dims(dims: tuple[SliceDim, ...]) -> None:
    for d in dims:
        if not (isinstance(d, SliceDim) and d.step == 1):
            raise TypeError("a stream's selection is a box: slices with step 1 (or integers, "
                            "which keep their dimension)")


def chunk_reads(ctx: ArrayContext, dims: tuple[SliceDim, ...], limit: int = 0) -> Iterator[Read]:
    """The reads of the box ``dims`` (SliceDims of step 1), whose units are its chunks in C
    order; for a sharded array its inner chunks, shard by shard (each shard's in C order).
    Consecutive chunks along the last dimension (within a shard) share a read of up to
    ``limit`` decoded bytes (:func:`read_bytes`; 0: a read per chunk)."""
    _check_dims(dims)
    if any(d.count == 0 for d in dims):
        return
    plan = plan_box(dims, ctx.shape, ctx.read_grids)
    if not plan.rows:  # a 0-d array: one chunk
        yield Read(plan, (), (Unit((), (), (0, 0)),))
        return
    rows = [r.tolist() for r in plan.rows]
    itemsize = ctx.dtype.itemsize
    codec = ctx.pipeline.sharding
    if codec is None:
        yield from _reads(plan, rows, [list(range(len(r))) for r in rows], itemsize, limit)
        return
    cps = codec.chunks_per_shard()
    groups: list[list[list[int]]] = []  # per dimension: the plan's rows of each shard, in order
    for dim_rows, n in zip(plan.rows, cps):
        shard_of = (dim_rows[:, 0] // n).tolist()
        groups.append([list(g) for _, g in itertools.groupby(range(len(dim_rows)),
                                                             key=shard_of.__getitem__)])
    for shard in itertools.product(*groups):
        yield from _reads(plan, rows, list(shard), itemsize, limit)


def slab_reads(
    ctx: ArrayContext, dims: tuple[SliceDim, ...], axis: int, bounds: Iterable[tuple[int, int]]
) -> Iterator[Read]:
    """The reads of the box ``dims`` cut along ``axis`` into slabs, a read per slab: ``bounds``
    gives each slab's first position and length."""
    _check_dims(dims)
    if any(d.count == 0 for d in dims):
        return
    for first, n in bounds:
        cut = dims[:axis] + (SliceDim(first, 1, n),) + dims[axis + 1:]
        plan = plan_box(cut, ctx.shape, ctx.read_grids)
        region = tuple(slice(x.start, x.start + x.count) for x in cut)
        shape = tuple(x.count for x in cut)
        yield Read(plan, shape, (Unit(region, shape, (0, shape[-1])),))


def count_units(ctx: ArrayContext, dims: tuple[SliceDim, ...]) -> int:
    """How many chunk units :func:`chunk_reads` yields (for progress bars)."""
    return plan_box(dims, ctx.shape, ctx.read_grids).total if all(d.count for d in dims) else 0


# -- the stream -------------------------------------------------------------------------------

Order = Literal["C", "F"]
OnUnit = Callable[[Unit, np.ndarray], object]
"""Called as each unit is handed to the consumer (a progress bar)."""


def _run_read(ctx: ArrayContext, read: Read, order: Order,
              cancelled: threading.Event) -> np.ndarray | None:
    if cancelled.is_set():
        return None
    out = np.empty(read.shape, dtype=ctx.dtype, order=order)
    if out.size:
        ctx.chunk_io.read_box(ctx, read.plan, out)
    return out


class _State:
    """What the read tasks and the iterator share (never the iterator itself, so dropping the
    iterator closes the stream at once, whatever is still queued)."""

    def __init__(self, ctx: ArrayContext, reads: Iterable[Read], concurrency: int, ordered: bool,
                 order: Order, kind: str, on_unit: OnUnit | None,
                 on_close: Callable[[], object] | None) -> None:
        self.ctx, self.reads, self.concurrency = ctx, iter(reads), concurrency
        self.ordered, self.order, self.kind = ordered, order, kind
        self.on_unit, self.on_close = on_unit, on_close
        self.cancelled = threading.Event()
        self.executor: ThreadPoolExecutor | None = None
        # (read, future), in submission order
        self.pending: deque[tuple[Read, Future[np.ndarray | None]]] = deque()
        # the read being handed out: its buffer and its units not handed out yet
        self.buffer: np.ndarray | None = None
        self.left: deque[Unit] = deque()
        self.count = self.nbytes = 0
        self.began = 0.0
        self.open = True

    @property
    def more(self) -> bool:
        """Units remain to be handed out (read, being read, or of the read being handed out)."""
        return bool(self.left or self.pending)

    def start(self) -> None:
        self.began = time.perf_counter()
        self.executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="zarrc-stream")
        if telemetry.active("stream.start"):
            telemetry.publish([telemetry.Event(
                "stream.start", str(self.ctx.store), stream_label(self.ctx),
                attrs={"kind": self.kind, "concurrency": self.concurrency})])
        self.refill()

    def refill(self) -> None:
        if self.executor is None:  # not started, or closed
            return
        while len(self.pending) < self.concurrency:
            read = next(self.reads, None)
            if read is None:
                return
            self.pending.append((read, self.executor.submit(
                _run_read, self.ctx, read, self.order, self.cancelled)))

    def _next_read(self) -> tuple[Read, np.ndarray]:
        """The next read and its buffer (the next in order, or the first to finish)."""
        if self.ordered:
            read, future = self.pending.popleft()
        else:
            done, _ = wait([f for _, f in self.pending], return_when=FIRST_COMPLETED)
            at = next(i for i, (_, f) in enumerate(self.pending) if f in done)
            read, future = self.pending[at]
            del self.pending[at]
        data = future.result()
        assert data is not None  # only a cancelled stream's reads give None
        self.refill()  # keep `concurrency` in flight while the consumer holds this one
        return read, data

    def take(self) -> tuple[Unit, np.ndarray]:
        """The next unit and its data: a read of one unit is handed out as it is; a read of
        several, a copy of each unit's part of its buffer, dropped after the last."""
        if not self.left:
            read, data = self._next_read()
            if len(read.units) == 1:
                return self._hand(read.units[0], data)
            self.buffer, self.left = data, deque(read.units)
        assert self.buffer is not None
        unit = self.left.popleft()
        data = self.buffer[..., unit.cut[0]:unit.cut[1]].copy(order=self.order)
        if not self.left:
            self.buffer = None
        return self._hand(unit, data)

    def _hand(self, unit: Unit, data: np.ndarray) -> tuple[Unit, np.ndarray]:
        self.count += 1
        self.nbytes += data.nbytes
        if self.on_unit is not None:
            self.on_unit(unit, data)
        return unit, data

    def close(self, reason: str) -> None:
        if not self.open:
            return
        self.open = False
        self.cancelled.set()
        pending, self.pending = self.pending, deque()
        self.buffer, self.left = None, deque()
        for _, future in pending:
            future.cancel()
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
        del pending
        self.reads = iter(())
        if self.ctx.shard_indexes is not None:
            self.ctx.shard_indexes.clear()
        if self.on_close is not None:
            self.on_close()
        if self.began and telemetry.active("stream.stop"):
            telemetry.publish([telemetry.Event(
                "stream.stop", str(self.ctx.store), stream_label(self.ctx), self.nbytes,
                time.perf_counter() - self.began,
                attrs={"kind": self.kind, "chunks": self.count, "reason": reason})])


class ReadStream:
    """An iterator of ``(region, ndarray)`` read ahead of the consumer; a context manager.

    ``reads``: the stream's reads (:func:`chunk_reads`, :func:`slab_reads`); ``concurrency``:
    reads in flight at most (the stream holds one more, the consumer a unit); ``ordered``:
    yield in the reads' order, else reads as they finish (each read's units in order).
    ``on_unit(unit, data)`` is called as each unit is handed over (a progress bar).
    ``shard_capacity``: shard indexes kept (a sharded array's streams).
    Reading starts at the first ``next()``.
    """

    def __init__(self, ctx: ArrayContext, reads: Iterable[Read], *, concurrency: int,
                 ordered: bool = True, order: Order = "C", kind: str = "iter_chunks",
                 shard_capacity: int = 0, on_unit: OnUnit | None = None,
                 on_close: Callable[[], object] | None = None) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError(f"concurrency must be a positive integer, got {concurrency!r}")
        if ctx.pipeline.sharding is not None:
            ctx = replace(ctx, shard_indexes=ShardIndexes(max(shard_capacity, 2 * concurrency)))
        self._state: _State | None = _State(ctx, reads, concurrency, bool(ordered), order,
                                            kind, on_unit, on_close)
        self._started = False

    @property
    def concurrency(self) -> int:
        return self._state.concurrency if self._state is not None else 0

    def __iter__(self) -> ReadStream:
        return self

    def __next__(self) -> tuple[tuple[slice, ...], np.ndarray]:
        state = self._state
        if state is None:
            raise StopIteration
        try:
            if not self._started:
                self._started = True
                state.start()
            if not state.more:
                self.close("finished")
                raise StopIteration
            unit, data = state.take()
        except StopIteration:
            raise
        except BaseException:
            self.close("error")
            raise
        return unit.region, data

    def close(self, reason: str = "closed") -> None:
        """Stop reading ahead: cancel what has not started, wait for what has (at most
        ``concurrency`` reads), join the threads. Closing twice is harmless."""
        state, self._state = self._state, None
        if state is not None:
            state.close(reason)

    def __enter__(self) -> ReadStream:
        return self

    def __exit__(self, *exc: BaseException) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # at interpreter shutdown there is nothing left to stop
            pass
