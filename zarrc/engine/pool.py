"""One process-wide thread pool and a bounded ``map`` over it.

Chunk tasks (fetch → decode → copy) run here with the heavy steps outside the GIL. At most
``zarrc.config.get("threads")`` tasks are in flight, so memory holds the output plus that many
chunks at most, whatever the size of the selection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from zarrc import config

__all__ = ["run_tasks", "get_executor"]

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_threads = 0
_local = threading.local()


def get_executor() -> ThreadPoolExecutor:
    """The shared pool, (re)created when the ``threads`` setting changed."""
    global _executor, _executor_threads
    threads = config.get("threads")
    with _lock:
        if _executor is None or _executor_threads != threads:
            old = _executor
            _executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="zarrc")
            _executor_threads = threads
            if old is not None:
                old.shutdown(wait=False)
        return _executor


def run_tasks(fn: Callable, items: Iterable, *, max_in_flight: int | None = None) -> None:
    """Call ``fn(item)`` for every item, in parallel, with a bounded number in flight.

    Runs inline when there is one item, when the pool has one thread, or when called from a
    pool thread (nested use must not wait on its own pool). The first exception cancels what
    has not started and is re-raised once running tasks have finished.
    """
    threads = config.get("threads")
    limit = max(1, max_in_flight or threads)
    if threads == 1 or getattr(_local, "in_pool", False):
        for item in items:
            fn(item)
        return
    iterator = iter(items)
    first = next(iterator, _END)
    if first is _END:
        return
    second = next(iterator, _END)
    if second is _END:
        fn(first)
        return
    executor = get_executor()
    pending: set[Future] = set()
    error: BaseException | None = None

    def task(item):
        _local.in_pool = True
        try:
            fn(item)
        finally:
            _local.in_pool = False

    queue = _chain(first, second, iterator)
    try:
        for item in queue:
            if len(pending) >= limit:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                error = _first_error(done)
                if error is not None:
                    break
            pending.add(executor.submit(task, item))
    except BaseException:
        _cancel_and_wait(pending)
        raise
    if error is not None:
        _cancel_and_wait(pending)
        raise error
    done, _ = wait(pending)
    error = _first_error(done)
    if error is not None:
        raise error


def _cancel_and_wait(pending: set) -> None:
    """Cancel what has not started and wait for what has (it writes into the caller's buffers)."""
    for fut in pending:
        fut.cancel()
    wait(pending)


_END = object()


def _chain(first, second, rest):
    yield first
    yield second
    yield from rest


def _first_error(done) -> BaseException | None:
    for fut in done:
        if not fut.cancelled() and fut.exception() is not None:
            return fut.exception()
    return None
