"""What the chunk loops report, a batch at a time: telemetry's chunk events and a caller's progress.

With nobody subscribed to the event (``zarrc.telemetry``) and no progress callback on the
context, :func:`watching` is one attribute test and one set lookup per batch of chunks and
nothing else runs: no timing, no event, no per-chunk Python. Otherwise the loops time their
chunks (the native ones in C, into a ``stats`` array: stored bytes and nanoseconds per chunk)
and hand each batch's outcomes to :func:`report`; a chunk that fails is :func:`failed`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

from zarrc import telemetry
from zarrc.engine.interfaces import Observed

_T = TypeVar("_T")

__all__ = ["each", "failed", "one", "report", "stats_for", "watching"]


def watching(ctx: Observed, name: str) -> bool:
    """Whether a batch must report event ``name`` (``chunk.read`` / ``chunk.write``)."""
    return ctx.progress is not None or telemetry.active(name)


def stats_for(ctx: Observed, name: str, count: int) -> np.ndarray | None:
    """A stats array for a native loop over ``count`` chunks, or None when nobody watches."""
    if not watching(ctx, name):
        return None
    return np.zeros(2 * max(count, 0), dtype=np.int64)


def report(
    ctx: Observed,
    name: str,
    keys: Iterable[str],
    stats: np.ndarray | None = None,
    *,
    nbytes: Sequence[int | None] | None = None,
    durations: Sequence[float] | None = None,
    inner: Sequence[tuple[int, ...]] | None = None,
) -> None:
    """``len(keys)`` chunks done: advance the context's progress and publish ``name`` events.

    Per chunk the stored bytes and seconds come from ``stats`` (a native loop's: bytes, -1
    for a missing chunk, and nanoseconds) or from ``nbytes`` and ``durations``. A shard's
    inner chunks carry the shard's key and their coordinates in it (``inner``).
    """
    keys = list(keys)
    if ctx.progress is not None:
        ctx.progress(len(keys))
    if not telemetry.active(name) or not keys:
        return
    if stats is not None:
        table = stats[:2 * len(keys)].reshape(-1, 2).tolist()
        nbytes = [b for b, _ in table]
        durations = [ns / 1e9 for _, ns in table]
    store = str(ctx.store)
    events = []
    for k, key in enumerate(keys):
        n = None if nbytes is None else nbytes[k]
        attrs: dict[str, Any] = {"missing": True} if n is not None and n < 0 else {}
        if inner is not None:
            attrs["inner"] = inner[k]
        events.append(telemetry.Event(name, store, key, 0 if n is not None and n < 0 else n,
                                      None if durations is None else durations[k],
                                      attrs=attrs))
    telemetry.publish(events)


def failed(ctx: Observed, key: str, error: BaseException, duration: float | None = None,
           operation: str = "read") -> None:
    """Chunk ``key`` could not be read or written: a ``chunk.error`` event saying why."""
    if telemetry.active("chunk.error"):
        telemetry.publish([telemetry.Event(
            "chunk.error", str(ctx.store), key, None, duration,
            attrs={"operation": operation, "error": f"{type(error).__name__}: {error}"})])


def one(ctx: Observed, name: str, key: str, step: Callable[[], int | None], operation: str,
        began: float | None = None) -> None:
    """``step()`` for one chunk ``key`` (it returns the bytes stored or read), reported as an
    event ``name``, or as ``chunk.error`` when it raises; its time counts from ``began`` (a
    ``time.perf_counter()`` reading; by default when ``step`` starts)."""
    if began is None:
        began = time.perf_counter()
    if not watching(ctx, name):
        try:
            step()
        except Exception as exc:
            failed(ctx, key, exc, time.perf_counter() - began, operation)
            raise
        return
    try:
        n = step()
    except Exception as exc:
        failed(ctx, key, exc, time.perf_counter() - began, operation)
        raise
    report(ctx, name, [key], nbytes=[n], durations=[time.perf_counter() - began])


def each(
    ctx: Observed,
    name: str,
    items: Iterable[_T],
    step: Callable[[_T], object],
    key_of: Callable[[_T], str],
    nbytes_of: Callable[[_T], int | None],
    operation: str = "read",
    inner_of: Callable[[_T], tuple[int, ...]] | None = None,
) -> None:
    """``step(item)`` for every item of a batch (one chunk each), reporting them as events
    ``name`` when watched; a failing chunk is a ``chunk.error`` event (watched or not).
    ``key_of``, ``nbytes_of`` and ``inner_of`` describe an item (only called when needed)."""
    if not watching(ctx, name):
        for item in items:
            try:
                step(item)
            except Exception as exc:
                failed(ctx, key_of(item), exc, operation=operation)
                raise
        return
    keys: list[str] = []
    sizes: list[int | None] = []
    times: list[float] = []
    inner: list[tuple[int, ...]] = []
    clock = time.perf_counter
    try:
        for item in items:
            began = clock()
            try:
                step(item)
            except Exception as exc:
                failed(ctx, key_of(item), exc, clock() - began, operation)
                raise
            times.append(clock() - began)
            keys.append(key_of(item))
            sizes.append(nbytes_of(item))
            if inner_of is not None:
                inner.append(inner_of(item))
    finally:
        report(ctx, name, keys, nbytes=sizes, durations=times,
               inner=inner if inner_of is not None else None)
