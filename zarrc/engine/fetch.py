"""Fetching and decoding, sized separately: requests in flight per store, decodes per core.

A store says how many requests are worth keeping in flight (``Store.fetch_concurrency``: about
the core count for a local disk, 32-128 for an object store); the decode threads are
``zarrc.config`` ``threads``. :func:`run_fetched` keeps up to the store's number of fetches
running on fetch threads of their own while the decode pool consumes what has arrived, so a
remote read keeps many requests waiting on the network while two cores decode. A store that
has nothing to wait for (``fetch_concurrency`` 1: memory, one lock) is fetched from inside the
decode tasks instead.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator

from zarrc.engine.pool import SharedExecutor, run_tasks

__all__ = ["fetch_window", "run_fetched"]

_fetchers = SharedExecutor("zarrc-fetch", grow=True)  # separate from the decode pool
_MAX_FETCH_THREADS = 256


def fetch_window(store) -> int:
    """How many fetches to keep in flight for ``store`` (its ``fetch_concurrency``, at least 1)."""
    try:
        return max(1, int(getattr(store, "fetch_concurrency", 1)))
    except (TypeError, ValueError):
        return 1


_END = object()


def _ahead(items: Iterable, fetch: Callable, window: int) -> Iterator:
    """``(item, fetch(item))`` in order, with up to ``window`` fetches running meanwhile."""
    executor = _fetchers.get(min(window, _MAX_FETCH_THREADS))
    source = iter(items)
    pending: deque = deque()
    for item in source:
        pending.append((item, executor.submit(fetch, item)))
        if len(pending) >= window:
            break
    try:
        while pending:
            item, future = pending.popleft()
            following = next(source, _END)
            if following is not _END:
                pending.append((following, executor.submit(fetch, following)))
            yield item, future.result()
    finally:
        for _, future in pending:
            future.cancel()


def run_fetched(items: Iterable, fetch: Callable, consume: Callable, window: int) -> None:
    """``consume(item, fetch(item))`` for every item: the fetches on fetch threads, up to
    ``window`` at once and ahead of the consumers, the consumers on the decode pool (which
    takes them in order). With a window of 1 each decode task fetches its own item."""
    if window <= 1:
        run_tasks(lambda item: consume(item, fetch(item)), items)
        return
    run_tasks(lambda pair: consume(*pair), _ahead(items, fetch, window))
