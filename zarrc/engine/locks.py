"""Locks around read-modify-write of one chunk, so concurrent partial writes lose nothing.

Two writers updating different parts of the same chunk (or shard) must not both read the old
value and each store their own change. Threads of this process are serialized by a fixed set
of striped locks keyed by (store, key); processes by the store's own ``lock(key)`` (a file
lock for local directories). Whole-chunk writes need no lock: they never read.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

__all__ = ["chunk_lock"]

_STRIPES = tuple(threading.Lock() for _ in range(64))


def _store_token(store) -> object:
    """Equal for two store objects over the same data (same directory), else the identity."""
    root = getattr(store, "root", None)
    return ("root", str(root)) if root is not None else ("id", id(store))


@contextlib.contextmanager
def chunk_lock(store, key: str) -> Iterator[None]:
    """Hold the lock of chunk ``key`` of ``store`` across this process and, where the store
    supports it, across processes."""
    stripe = _STRIPES[hash((_store_token(store), key)) % len(_STRIPES)]
    with stripe, store.lock(key):
        yield
