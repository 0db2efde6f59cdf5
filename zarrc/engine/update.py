"""Read-modify-write of one stored chunk (or shard) that loses no concurrent writer's change.

:func:`update_chunk` is the one place a partial chunk is updated. Threads of this process take
the chunk's striped lock (:func:`zarrc.engine.locks.chunk_lock`, which also takes the store's
own ``lock(key)``: a file lock for local directories). Stores that other processes reach
without a lock (object stores, databases) offer conditional writes instead: the update is then
optimistic (read the value and its version, modify, store only if the version is unchanged,
else read again) so writers in several processes lose nothing. On that path the updated chunk
is always stored, never deleted (no service offers a conditional delete), even when it holds
only the fill value. A store with neither is safe only within one process (docs/stores.md).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from zarrc.engine.locks import chunk_lock
from zarrc.errors import StoreError

__all__ = ["update_chunk", "MAX_CONFLICTS"]

MAX_CONFLICTS = 100
"""Conditional writes that may lose to other writers in a row before the update gives up."""

Modify = Callable[[bytes | None, bool], bytes | None]


def update_chunk(store, key: str, modify: Modify) -> None:
    """Replace the value of ``key`` by ``modify(value, may_delete)``, atomically.

    ``value`` is the stored bytes (``None``: absent). ``modify`` returns the new bytes, ``None``
    to delete the key (only when ``may_delete``), or ``value`` itself to leave it as it is. It
    may be called more than once (after a conflict) and must not change anything itself.
    """
    with chunk_lock(store, key):
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
            new = modify(data, False)
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
