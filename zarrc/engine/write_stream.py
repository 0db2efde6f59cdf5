"""The write stream: ``(region, values)`` pairs stored in parallel, in batches that can resume.

Items are taken from the caller's iterable only when one of ``concurrency`` slots is free, so
memory holds at most that many items (and what the chunk I/O holds while it encodes them).
Each item is an ordinary write of its box (``zarrc.engine.write.write_selection``): chunks it
covers whole are encoded and stored without a read, chunks it covers in part are merged
under the chunk's lock (``zarrc.engine.update``). Items that overlap an item still being
written wait for it, so the result is that of writing the items one after another.

The items are cut into batches of ``batch`` consecutive items. A batch starts only when the
one before is stored and its checkpoint has been called; so when a checkpoint says ``N`` items
are done, the items before ``N`` are stored and none after the next batch has started. A
process killed at any moment and restarted with the last checkpoint's token (which skips
those ``N`` items) ends with the same data, having written at most one batch twice.
"""

from __future__ import annotations

import enum
import json
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import numpy as np

from zarrc import telemetry
from zarrc.engine.context import ArrayContext
from zarrc.engine.write import write_selection
from zarrc.indexing import Selection, plan_box

__all__ = ["TOKEN_KIND", "WriteProgress", "check_token", "write_stream"]

TOKEN_KIND = "zarrc.write_chunks"
TOKEN_VERSION = 1

_Item = TypeVar("_Item")
Bounds = tuple[tuple[int, int], ...]
"""Per dimension the ``(start, stop)`` an item covers."""
Prepare = Callable[[_Item], tuple[Selection, np.ndarray, Bounds]]
Running = dict[Future[None], tuple[Bounds, Selection]]


@dataclass(frozen=True)
class WriteProgress:
    """What ``checkpoint`` receives after each batch (totals since the first run).

    ``items``: items of the iterable stored (all of the first ``items``); ``chunks``: chunk
    writes they made (a chunk two items share counts twice); ``nbytes``: bytes of values they
    wrote (decoded); ``elapsed``: seconds spent writing, over every run; ``resume``: the token
    to pass as ``write_chunks(..., resume=token)`` after a crash (a JSON-able dict).
    """

    items: int
    chunks: int
    nbytes: int
    elapsed: float
    resume: dict[str, Any]


def _identity(ctx: ArrayContext) -> dict[str, Any]:
    return {"path": ctx.prefix.rstrip("/"), "shape": list(ctx.shape), "dtype": str(ctx.dtype),
            "chunks": [int(c) for c in ctx.chunks] if ctx.regular else None}


def _token(
    ctx: ArrayContext, items: int, chunks: int, nbytes: int, elapsed: float
) -> dict[str, Any]:
    return {"kind": TOKEN_KIND, "version": TOKEN_VERSION, "items": items, "chunks": chunks,
            "nbytes": nbytes, "elapsed": round(elapsed, 6), "array": _identity(ctx)}


def check_token(ctx: ArrayContext, token: object) -> dict[str, Any]:
    """``token`` checked against the array ``ctx``: a ValueError naming the field that does
    not match (another array, another shape, a token of something else)."""
    if isinstance(token, (str, bytes)):
        try:
            token = json.loads(token)
        except ValueError as exc:
            raise ValueError(f"resume: not a write_chunks token: {exc}") from None
    if not isinstance(token, dict) or token.get("kind") != TOKEN_KIND:
        raise ValueError(f"resume: not a write_chunks token (field 'kind' must be "
                         f"{TOKEN_KIND!r}): {token!r}")
    if token.get("version") != TOKEN_VERSION:
        raise ValueError(f"resume: token field 'version' is {token.get('version')!r}, this "
                         f"zarrc writes and reads version {TOKEN_VERSION}")
    for name in ("items", "chunks", "nbytes"):
        value = token.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"resume: token field {name!r} must be a count, got {value!r}")
    if not isinstance(token.get("elapsed"), (int, float)):
        raise ValueError(f"resume: token field 'elapsed' must be seconds, got "
                         f"{token.get('elapsed')!r}")
    mine = _identity(ctx)
    theirs = token.get("array")
    for name, value in mine.items():
        if not isinstance(theirs, dict) or theirs.get(name) != value:
            got = theirs.get(name) if isinstance(theirs, dict) else theirs
            raise ValueError(f"resume: the token is for another array: its array.{name} is "
                             f"{got!r}, this array's {value!r}")
    return token


def _overlap(a: Bounds, b: Bounds) -> bool:
    return all(x0 < y1 and y0 < x1 for (x0, x1), (y0, y1) in zip(a, b))


def write_stream(
    ctx: ArrayContext,
    items: Iterable[_Item],
    prepare: Prepare[_Item],
    *,
    concurrency: int,
    batch: int,
    checkpoint: Callable[[WriteProgress], object] | None = None,
    resume: object = None,
    on_item: Callable[[Selection], object] | None = None,
) -> WriteProgress:
    """Store every ``(region, values)`` of ``items`` (see the module docstring).

    ``prepare(item) -> (sel, values, bounds)`` turns an item into its planned box selection,
    its values and its bounds (per dimension ``(start, stop)``), raising for a bad one.
    ``on_item(sel)`` is called as each item is stored (a progress bar). Returns the final
    progress (also given to ``checkpoint`` after the last batch).
    """
    skip = chunks = nbytes = 0
    before = 0.0
    if resume is not None:
        token = check_token(ctx, resume)
        skip, chunks, nbytes, before = (token["items"], token["chunks"], token["nbytes"],
                                        float(token["elapsed"]))
    began = time.perf_counter()
    source = iter(items)
    for k in range(skip):  # the items the token says are stored
        if next(source, _END) is _END:
            raise ValueError(f"resume: the token says {skip} items are stored, the items "
                             f"end after {k}")
    done = skip
    lock = threading.Lock()
    totals = [chunks, nbytes]
    label = ctx.prefix.rstrip("/") or "/"
    if telemetry.active("stream.start"):
        telemetry.publish([telemetry.Event("stream.start", str(ctx.store), label, attrs={
            "kind": "write_chunks", "concurrency": concurrency, "resume_items": skip})])
    reason = "error"

    def store(sel: Selection, values: np.ndarray) -> None:
        write_selection(ctx, sel, values)
        n = plan_box(sel.dims, ctx.shape, ctx.dim_grids).total
        with lock:
            totals[0] += n
            totals[1] += int(np.prod(sel.out_shape, dtype=np.int64)) * ctx.dtype.itemsize

    def progress() -> WriteProgress:
        elapsed = before + time.perf_counter() - began
        with lock:
            c, b = totals
        return WriteProgress(done, c, b, elapsed, _token(ctx, done, c, b, elapsed))

    executor = ThreadPoolExecutor(concurrency, thread_name_prefix="zarrc-write")
    running: Running = {}  # future -> (bounds, sel)
    try:
        exhausted = False
        while not exhausted:
            in_batch = 0
            while in_batch < batch:
                item = next(source, _END)
                if item is _END:
                    exhausted = True
                    break
                sel, values, bounds = prepare(item)
                # a free slot, and no overlap with an item still being written
                while running and (len(running) >= concurrency or any(
                        _overlap(bounds, other) for other, _ in running.values())):
                    _settle(running, on_item)
                running[executor.submit(store, sel, values)] = (bounds, sel)
                del item, sel, values
                in_batch += 1
            while running:
                _settle(running, on_item)
            done += in_batch
            if in_batch and checkpoint is not None:
                checkpoint(progress())
        reason = "finished"
        return progress()
    finally:
        for future in running:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
        running.clear()
        if telemetry.active("stream.stop"):
            final = progress()
            telemetry.publish([telemetry.Event(
                "stream.stop", str(ctx.store), label, final.nbytes - nbytes,
                final.elapsed - before, attrs={"kind": "write_chunks", "reason": reason,
                                               "items": final.items - skip,
                                               "chunks": final.chunks - chunks})])


def _settle(running: Running, on_item: Callable[[Selection], object] | None) -> None:
    """Wait for one running item to finish; raise its error, if any."""
    finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
    for future in finished:
        _, sel = running.pop(future)
        future.result()
        if on_item is not None:
            on_item(sel)


class _End(enum.Enum):
    """The end of the items (``next(it, _END)``)."""

    END = enum.auto()


_END: Final = _End.END
