"""Locks around read-modify-write of one store key, so concurrent writers lose nothing.

Two writers updating different parts of the same chunk (or shard), or the same metadata
document, must not both read the old value and each store their own change. Threads of this
process are serialized by fixed sets of striped locks keyed by (store, key); processes by the
store's own ``lock(key)`` (a file lock for local directories). Whole-chunk writes need no lock:
they never read.

Metadata documents form a family of their own: their lock may be held while chunk locks are
taken (``resize`` clears chunks under the array's document lock), never the other way round,
so a document and a chunk sharing a stripe could otherwise wait on each other.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from zarrc.engine.interfaces import ChunkStore

__all__ = ["chunk_lock", "key_lock"]

_CHUNK_STRIPES = tuple(threading.Lock() for _ in range(64))
_DOCUMENT_STRIPES = tuple(threading.Lock() for _ in range(16))


def _store_token(store: ChunkStore) -> object:
    """Equal for two store objects over the same data (same directory or dict), else the
    identity."""
    root = getattr(store, "root", None)
    if root is not None:
        return ("root", type(store).__name__, str(root))
    data = getattr(store, "data", None)
    return ("data", id(data)) if data is not None else ("id", id(store))


@contextlib.contextmanager
def key_lock(store: ChunkStore, key: str, *, document: bool = False) -> Iterator[None]:
    """Hold the lock of ``key`` of ``store`` across this process and, where the store
    supports it, across processes. ``document``: ``key`` is a metadata document (its lock
    family; the store tells its documents by name). Not reentrant: never take it twice for
    one key."""
    stripes = _DOCUMENT_STRIPES if document else _CHUNK_STRIPES
    stripe = stripes[hash((_store_token(store), key)) % len(stripes)]
    with stripe, store.lock(key):
        yield


chunk_lock = key_lock
"""The lock the engine takes around a chunk's read-modify-write (:func:`key_lock`)."""
