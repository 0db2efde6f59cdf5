"""Requests in flight sized for the store, decodes sized for the cores: the two kept apart.

A store says how many requests are worth keeping in flight (``Store.fetch_concurrency``: about
the core count for a local disk, 32-128 for an object store, a database's connection pool);
the decode threads are ``zarrc.config`` ``threads``. A read's chunks are fetched in batches
(:func:`batch_size`: a fraction of the store's window, so that while some batches arrive
others still wait on the network and the decoders start early) by :func:`run_fetched`, which
keeps about the store's number of requests in flight on fetch threads of their own and hands
each batch to the decode pool as it arrives, in whatever order they arrive. A write hands its
store requests to :class:`Writes`, which keeps the store's number of them running while the
decode pool encodes. So with 20 ms per request and 64 in flight, 256 chunks take about four
round trips, not 256. A store that has nothing to wait for (``fetch_concurrency`` 1: memory,
one lock) is fetched and written from inside the decode tasks instead.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from types import TracebackType
from typing import Any, TypeVar

from zarrc import config
from zarrc.engine.pool import SharedExecutor, run_tasks

__all__ = [
    "Writes",
    "batch_bounds",
    "batch_size",
    "batches_gets",
    "fetch_window",
    "leading_singles",
    "run_fetched",
]

_fetchers = SharedExecutor("zarrc-fetch", grow=True)  # separate from the decode pool
_MAX_FETCH_THREADS = 256
_BATCHES_PER_WINDOW = 8  # a batch is at most this fraction of the requests in flight
_AHEAD = 2  # fetched batches not yet decoded, at most, per batch in flight
_Item = TypeVar("_Item")
_Fetched = TypeVar("_Fetched")


def fetch_window(store: object) -> int:
    """How many requests to keep in flight for ``store`` (its ``fetch_concurrency``, >= 1)."""
    try:
        return max(1, int(getattr(store, "fetch_concurrency", 1)))
    except (TypeError, ValueError):
        return 1


def batches_gets(store: object) -> bool:
    """False if ``store`` serves a ``get_many`` of many keys no cheaper than as many calls of
    one (``Store.get_many_batches``: every key a request of its own), else True."""
    return bool(getattr(store, "get_many_batches", True))


def batch_size(total: int, window: int, cap: int | None = None, *, batched: bool = True) -> int:
    """Entries per ``get_many`` of a read of ``total`` entries with ``window`` requests in
    flight: 1 from a store that gains nothing from batches (``batched`` false, see
    :func:`batches_gets`); else at most an eighth of the window (the other batches keep the
    network busy while one is decoded), at most a quarter of each decode thread's share (so
    that every thread gets work), at most ``cap`` (a memory bound), at least 1."""
    if not batched:
        return 1
    threads = max(1, int(config.get("threads")))
    size = min(-(-total // (4 * threads)), max(1, window // _BATCHES_PER_WINDOW))
    return max(1, min(size, cap) if cap is not None else size)


def leading_singles(total: int, size: int) -> int:
    """How many of a read's first batches hold one entry each: one per decode thread when
    batches hold more (so that the decoders start on the first chunks to arrive instead of
    waiting for a whole batch), none otherwise."""
    if size <= 1:
        return 0
    return min(total, max(1, int(config.get("threads"))))


def batch_bounds(total: int, size: int) -> list[tuple[int, int]]:
    """``(begin, end)`` of the batches covering entries ``0 .. total-1`` of a read over a
    network: :func:`leading_singles` of one entry, then ``size`` each (the last one shorter)."""
    singles = leading_singles(total, size)
    bounds = [(k, k + 1) for k in range(singles)]
    bounds += [(b, min(b + size, total)) for b in range(singles, total, size)]
    return bounds


_END = object()


class _Arrivals:
    """The items' fetches, ``in_flight`` at once on the fetch threads, given back as
    ``(item, result)`` in the order they complete; at most ``_AHEAD * in_flight`` fetched or
    fetching items wait for a consumer (a bound on the memory of a slow decode)."""

    def __init__(self, items: Iterable[Any], fetch: Callable[[Any], Any], in_flight: int) -> None:
        self._source = iter(items)
        self._fetch = fetch
        self._in_flight = in_flight
        self._threads = min(in_flight, _MAX_FETCH_THREADS)
        self._lock = threading.RLock()  # done callbacks may run in the submitting thread
        self._arrived = threading.Condition(self._lock)
        self._done: deque[Any] = deque()  # (item, future), completed
        self._running: set[Future[Any]] = set()
        self._exhausted = self._closed = False
        with self._lock:
            self._refill()

    def _refill(self) -> None:
        """Start fetches while fewer than ``in_flight`` run and few enough wait (lock held)."""
        while (not self._exhausted and not self._closed
               and len(self._running) < self._in_flight
               and len(self._running) + len(self._done) < _AHEAD * self._in_flight):
            item = next(self._source, _END)
            if item is _END:
                self._exhausted = True
                return
            future: Future[Any] = _fetchers.get(self._threads).submit(self._fetch, item)
            self._running.add(future)
            future.add_done_callback(functools.partial(self._arrive, item))

    def _arrive(self, item: Any, future: Future[Any]) -> None:
        with self._lock:
            self._running.discard(future)
            if not future.cancelled():
                self._done.append((item, future))
            self._refill()
            self._arrived.notify()

    def __iter__(self) -> _Arrivals:
        return self

    def __next__(self) -> tuple[Any, Any]:
        with self._lock:
            while not self._done:
                if self._closed or (self._exhausted and not self._running):
                    raise StopIteration
                self._arrived.wait()
            item, future = self._done.popleft()
            self._refill()
        return item, future.result()  # a failed fetch raises here, in a consumer

    def close(self) -> None:
        """Start nothing more; cancel what has not started (running fetches finish alone)."""
        with self._lock:
            self._closed = True
            for future in list(self._running):
                future.cancel()
            self._arrived.notify_all()


def run_fetched(items: Iterable[_Item], fetch: Callable[[_Item], _Fetched],
                consume: Callable[[_Item, _Fetched], object], in_flight: int) -> None:
    """``consume(item, fetch(item))`` for every item: the fetches on fetch threads, up to
    ``in_flight`` at once, the consumers on the decode pool, each taking the next item that
    has arrived. With ``in_flight`` 1, or a single item, each decode task fetches its own
    item (a single remote chunk waits on the network either way: no thread hand-off)."""
    source: Iterator[Any] = iter(items)  # items, then the end marker
    first: Any = next(source, _END)
    second: Any = next(source, _END) if first is not _END else _END
    if second is _END:
        if first is not _END:
            consume(first, fetch(first))
        return
    items = itertools.chain((first, second), source)
    if in_flight <= 1:
        run_tasks(lambda item: consume(item, fetch(item)), items)
        return
    arrivals = _Arrivals(items, fetch, in_flight)
    try:
        run_tasks(lambda pair: consume(*pair), arrivals)
    finally:
        arrivals.close()


class Writes:
    """The store requests of one write (``set``, ``delete``, a partial chunk's whole update),
    up to ``window`` running at once on the fetch threads while the caller encodes the next
    chunks; with ``window`` 1 each runs at once in the caller. Leaving the ``with`` block waits
    for all of them and raises the first failure (a later :meth:`submit` raises it too)."""

    def __init__(self, window: int) -> None:
        self.window = max(1, int(window))
        self._slots = threading.BoundedSemaphore(self.window)
        self._submitted: list[Future[Any]] = []
        self._failed: Future[Any] | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` (a store request), waiting while ``window`` already run."""
        if self.window == 1:
            fn(*args)
            return
        self._raise_failure()
        self._slots.acquire()
        try:
            future = _fetchers.get(min(self.window, _MAX_FETCH_THREADS)).submit(fn, *args)
        except BaseException:
            self._slots.release()
            raise
        self._submitted.append(future)  # list.append is atomic: submit is called by threads
        future.add_done_callback(self._finished)

    def _finished(self, future: Future[Any]) -> None:
        if self._failed is None and not future.cancelled() and future.exception() is not None:
            self._failed = future
        self._slots.release()

    def _raise_failure(self) -> None:
        error = None if self._failed is None else self._failed.exception()
        if error is not None:
            raise error

    def __enter__(self) -> Writes:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        failure = None
        for future in self._submitted:  # all submitted: the submitters have returned
            error = future.exception()  # waits for it
            if failure is None and error is not None:
                failure = error
        if exc is None and failure is not None:
            raise failure
