"""One process-wide thread pool and a bounded ``map`` over it.

Chunk tasks (fetch → decode → copy) run here with the heavy steps outside the GIL. At most
``zarrc.config.get("threads")`` tasks are in flight, so memory holds the output plus that many
chunks at most, whatever the size of the selection.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Final, TypeVar

from zarrc import config

__all__ = ["SharedExecutor", "run_tasks", "get_executor"]

_local = threading.local()
_T = TypeVar("_T")


class SharedExecutor:
    """A process-wide thread pool, made on first use and made again (the old one left to
    finish) when it is asked for another number of threads (``grow``: only for more)."""

    def __init__(self, prefix: str, *, grow: bool = False) -> None:
        self._prefix, self._grow = prefix, grow
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._workers = 0

    def get(self, workers: int) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None or (self._workers < workers if self._grow
                                          else self._workers != workers):
                old = self._executor
                self._executor = ThreadPoolExecutor(max_workers=workers,
                                                    thread_name_prefix=self._prefix)
                self._workers = workers
                if old is not None:
                    old.shutdown(wait=False)
            return self._executor


_decoders = SharedExecutor("zarrc")


def get_executor() -> ThreadPoolExecutor:
    """The shared pool, (re)created when the ``threads`` setting changed."""
    return _decoders.get(config.get("threads"))


def run_tasks(
    fn: Callable[[_T], object], items: Iterable[_T], *, max_in_flight: int | None = None
) -> None:
    """Call ``fn(item)`` for every item, in parallel, with a bounded number in flight.

    ``min(threads, max_in_flight)`` workers (the calling thread is one of them) pull items
    from one shared iterator until it is exhausted, so there is no per-item future or queue
    hand-off and at most that many items are in flight. Runs inline when there is one item,
    when the pool has one thread, or when called from a worker (nested use must not wait on
    its own pool). The first exception stops every worker from taking new items and is
    re-raised once the running items have finished.
    """
    threads = config.get("threads")
    limit = max(1, min(max_in_flight or threads, threads))
    if limit == 1 or getattr(_local, "in_pool", False):
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
    source: Iterator[_T] = _chain(first, second, iterator)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        _local.in_pool = True
        try:
            while not errors:
                with lock:
                    item = next(source, _END)
                if item is _END:
                    return
                fn(item)
        except BaseException as exc:  # re-raised in the caller
            errors.append(exc)
        finally:
            _local.in_pool = False

    executor = get_executor()
    helpers = [executor.submit(worker) for _ in range(limit - 1)]
    worker()
    wait(helpers)
    if errors:
        raise errors[0]


class _End(enum.Enum):
    """The end of an iterator (``next(it, _END)``)."""

    END = enum.auto()


_END: Final = _End.END


def _chain(first: _T, second: _T, rest: Iterator[_T]) -> Iterator[_T]:
    yield first
    yield second
    yield from rest
