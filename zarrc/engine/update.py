"""Read-modify-write of one stored key (a chunk, a shard, a metadata document) that loses no
concurrent writer's change.

:func:`update_key` is the one place a stored value is changed from what was read: partial chunk
writes (:func:`update_chunk`) and every metadata update (``zarrc.nodes``) go through it. The
caller holds the key's lock (:func:`zarrc.engine.locks.key_lock`: striped locks for threads of
this process, and the store's own ``lock(key)``, a file lock for local directories). Stores that
other processes reach without a lock (object stores, databases) offer conditional writes
instead: the update is then optimistic (read the value and its version, modify, store only if
the version is unchanged, else read again and redo it) so writers in several processes lose
nothing. On that path the new value is always stored, never deleted (no service offers a
conditional delete). A store with neither is safe only within one process (docs/stores.md).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from zarrc.engine.interfaces import ChunkStore
from zarrc.engine.locks import chunk_lock
from zarrc.errors import StoreError

__all__ = ["Conflict", "MAX_CONFLICTS", "update_chunk", "update_key"]

MAX_CONFLICTS = 100
"""Conditional writes that may lose to other writers in a row before the update gives up."""

Modify = Callable[[bytes | None, bool], bytes | memoryview | None]


class Conflict(Exception):
    """Raised by an optimistic ``modify`` that saw another writer's change before it could
    store its own (its own conditional writes lost): the update reads the key again and
    redoes it, as when its final write loses."""


def update_key(store: ChunkStore, key: str, modify: Modify) -> None:
    """Replace the value of ``key`` by ``modify(value, exclusive)``, atomically; call it
    holding the key's lock.

    ``value`` is the stored bytes (``None``: absent). ``exclusive`` is True when the lock
    held is what keeps other writers out (the store has no conditional writes): the update is
    then stored as it is, and ``None`` deletes the key. When it is False the store compares
    versions: ``modify`` must return bytes (or ``value``) and may raise :class:`Conflict`.
    ``modify`` returns ``value`` itself to leave it as it is. It may be called more than once
    (after a conflict), so whatever else it changes must be safe to redo and to leave behind
    when its update loses (``Array.resize`` clears only what the new shape drops).
    """
    if not getattr(store, "supports_conditional_writes", False):
        data = store.get(key)
        new = modify(data, True)
        if new is data:
            return
        if new is None:
            store.delete(key)
        else:
            store.set(key, new)
        return
    for conflicts in range(MAX_CONFLICTS):
        data, version = store.get_versioned(key)
        try:
            new = modify(data, False)
        except Conflict:
            pass
        else:
            if new is data or store.set_if(key, new, version=version):
                return
        # another process wrote in between: wait a little (jittered), read again
        time.sleep(random.uniform(0, min(0.05, 0.001 * 2**conflicts)))
    raise StoreError(
        f"could not update {key!r} on {store!r}: {MAX_CONFLICTS} conditional writes in a row "
        "lost to other writers",
        store=store,
        key=key,
    )


def update_chunk(store: ChunkStore, key: str, modify: Modify) -> None:
    """:func:`update_key` of a chunk (or shard) under its lock; ``modify(value, may_delete)``
    may return ``None`` to delete the chunk only when ``may_delete`` (the ``exclusive`` flag).
    """
    with chunk_lock(store, key):
        update_key(store, key, modify)
