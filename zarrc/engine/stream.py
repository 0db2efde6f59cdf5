"""Read streams: an array's chunks (or slabs) read ahead through the chunk I/O, in bounded memory.

A stream is a sequence of *units* (a chunk, a shard's inner chunk, or a slab of chunk rows),
each a box plan of its own (``zarrc.indexing.BoxPlan``) read by the array's chunk I/O
(``ctx.chunk_io.read_box``, the reference or the native implementation) into an array of its own.
Up to ``concurrency`` units are being read (fetched and decoded) ahead of the consumer, on
threads the stream owns; the consumer holds one more. Closing the stream (the end, ``break``,
an exception in the consumer's loop, ``close()``, or the stream being dropped) cancels the
units not started, waits for the running ones (each at most one unit's work) and joins the
threads, so nothing keeps running and nothing read stays referenced.

For a sharded array the units are inner chunks, shard by shard; the stream's context keeps
the shard indexes it read (``zarrc.engine.shard.ShardIndexes``), so each index is read once.
"""

from __future__ import annotations

import itertools
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

__all__ = ["Order", "ReadStream", "Unit", "chunk_units", "count_units", "default_concurrency",
           "slab_units", "stream_label"]

_MAX_CONCURRENCY = 128  # units in flight at most by default (a remote store's fetch window)


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of a stream: its region of the array (slices) and its plan."""

    region: tuple[slice, ...]
    plan: BoxPlan
    shape: tuple[int, ...]


def default_concurrency(ctx: ArrayContext) -> int:
    """Units in flight by default: the decode pool's bound (``threads``), or the store's
    ``fetch_concurrency`` when it is larger (a remote store is worth more requests in flight
    than there are cores)."""
    return max(1, min(_MAX_CONCURRENCY, max(int(config.get("threads")),
                                              fetch_window(ctx.store))))


def stream_label(ctx: ArrayContext) -> str:
    """The array's path in its store, as stream events name it."""
    return ctx.prefix.rstrip("/") or "/"


# -- units ------------------------------------------------------------------------------------

def _start(grid: int | np.ndarray, c: int) -> int:
    return int(grid[c]) if isinstance(grid, np.ndarray) else c * grid


def _unit(plan: BoxPlan, rows: list[list[list[int]]], picks: tuple[int, ...]) -> Unit:
    """The unit of one row per dimension (``picks[d]``: a row index of ``plan.rows[d]``,
    whose rows are ``rows[d]`` as lists)."""
    mine: list[np.ndarray] = []
    region: list[slice] = []
    shape: list[int] = []
    for d, i in enumerate(picks):
        c, start, step, count, _ = rows[d][i]
        mine.append(np.array([[c, start, step, count, 0]], dtype=np.int64))  # its own box
        first = _start(plan.grids[d], c) + start
        region.append(slice(first, first + count))
        shape.append(count)
    n = len(picks)
    return Unit(tuple(region), BoxPlan(tuple(mine), (None,) * n, (True,) * n, (False,) * n,
                                       plan.grids, plan.shape), tuple(shape))


def _check_dims(dims: tuple[SliceDim, ...]) -> None:
    for d in dims:
        if not (isinstance(d, SliceDim) and d.step == 1):
            raise TypeError("a stream's selection is a box: slices with step 1 (or integers, "
                            "which keep their dimension)")


def chunk_units(ctx: ArrayContext, dims: tuple[SliceDim, ...]) -> Iterator[Unit]:
    """The units of the box ``dims`` (SliceDims of step 1), chunk by chunk in C order; for a
    sharded array inner chunk by inner chunk, shard by shard (each shard's in C order)."""
    _check_dims(dims)
    if any(d.count == 0 for d in dims):
        return
    plan = plan_box(dims, ctx.shape, ctx.read_grids)
    if not plan.rows:  # a 0-d array: one chunk
        yield Unit((), plan, ())
        return
    codec = ctx.pipeline.sharding
    rows = [r.tolist() for r in plan.rows]
    if codec is None:
        for picks in itertools.product(*(range(len(r)) for r in rows)):
            yield _unit(plan, rows, picks)
        return
    cps = codec.chunks_per_shard()
    groups: list[list[list[int]]] = []  # per dimension: the plan's rows of each shard, in order
    for dim_rows, n in zip(plan.rows, cps):
        shard_of = (dim_rows[:, 0] // n).tolist()
        groups.append([list(g) for _, g in itertools.groupby(range(len(dim_rows)),
                                                             key=shard_of.__getitem__)])
    for shard in itertools.product(*groups):
        for picks in itertools.product(*shard):
            yield _unit(plan, rows, picks)


def slab_units(
    ctx: ArrayContext, dims: tuple[SliceDim, ...], axis: int, bounds: Iterable[tuple[int, int]]
) -> Iterator[Unit]:
    """The units of the box ``dims`` cut along ``axis`` into slabs: ``bounds`` gives each
    slab's first position and length."""
    _check_dims(dims)
    if any(d.count == 0 for d in dims):
        return
    for first, n in bounds:
        cut = dims[:axis] + (SliceDim(first, 1, n),) + dims[axis + 1:]
        plan = plan_box(cut, ctx.shape, ctx.read_grids)
        region = tuple(slice(x.start, x.start + x.count) for x in cut)
        yield Unit(region, plan, tuple(x.count for x in cut))


def count_units(ctx: ArrayContext, dims: tuple[SliceDim, ...]) -> int:
    """How many chunk units :func:`chunk_units` yields (for progress bars)."""
    return plan_box(dims, ctx.shape, ctx.read_grids).total if all(d.count for d in dims) else 0


# -- the stream -------------------------------------------------------------------------------

Order = Literal["C", "F"]
OnUnit = Callable[[Unit, np.ndarray], object]
"""Called as each unit is handed to the consumer (a progress bar)."""


def _read_unit(ctx: ArrayContext, unit: Unit, order: Order,
               cancelled: threading.Event) -> np.ndarray | None:
    if cancelled.is_set():
        return None
    out = np.empty(unit.shape, dtype=ctx.dtype, order=order)
    if out.size:
        ctx.chunk_io.read_box(ctx, unit.plan, out)
    return out


class _State:
    """What the read tasks and the iterator share (never the iterator itself, so dropping the
    iterator closes the stream at once, whatever is still queued)."""

    def __init__(self, ctx: ArrayContext, units: Iterable[Unit], concurrency: int, ordered: bool,
                 order: Order, kind: str, on_unit: OnUnit | None,
                 on_close: Callable[[], object] | None) -> None:
        self.ctx, self.units, self.concurrency = ctx, iter(units), concurrency
        self.ordered, self.order, self.kind = ordered, order, kind
        self.on_unit, self.on_close = on_unit, on_close
        self.cancelled = threading.Event()
        self.executor: ThreadPoolExecutor | None = None
        # (unit, future), in submission order
        self.pending: deque[tuple[Unit, Future[np.ndarray | None]]] = deque()
        self.count = self.nbytes = 0
        self.began = 0.0
        self.open = True

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
            unit = next(self.units, None)
            if unit is None:
                return
            self.pending.append((unit, self.executor.submit(
                _read_unit, self.ctx, unit, self.order, self.cancelled)))

    def take(self) -> tuple[Unit, np.ndarray]:
        """The next unit and its data (the next in order, or the first to finish)."""
        if self.ordered:
            unit, future = self.pending.popleft()
        else:
            done, _ = wait([f for _, f in self.pending], return_when=FIRST_COMPLETED)
            at = next(i for i, (_, f) in enumerate(self.pending) if f in done)
            unit, future = self.pending[at]
            del self.pending[at]
        data = future.result()
        assert data is not None  # only a cancelled stream's reads give None
        self.refill()  # keep `concurrency` in flight while the consumer holds this one
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
        for _, future in pending:
            future.cancel()
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
        del pending
        self.units = iter(())
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

    ``units``: the stream's units (:func:`chunk_units`, :func:`slab_units`); ``concurrency``:
    units being read at most (the consumer holds one more); ``ordered``: yield in the units'
    order, else as they finish. ``on_unit(unit, data)`` is called as each is handed over (a
    progress bar). ``shard_capacity``: shard indexes kept (a sharded array's streams).
    Reading starts at the first ``next()``.
    """

    def __init__(self, ctx: ArrayContext, units: Iterable[Unit], *, concurrency: int,
                 ordered: bool = True, order: Order = "C", kind: str = "iter_chunks",
                 shard_capacity: int = 0, on_unit: OnUnit | None = None,
                 on_close: Callable[[], object] | None = None) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError(f"concurrency must be a positive integer, got {concurrency!r}")
        if ctx.pipeline.sharding is not None:
            ctx = replace(ctx, shard_indexes=ShardIndexes(max(shard_capacity, 2 * concurrency)))
        self._state: _State | None = _State(ctx, units, concurrency, bool(ordered), order,
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
            if not state.pending:
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
        ``concurrency`` units), join the threads. Closing twice is harmless."""
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
