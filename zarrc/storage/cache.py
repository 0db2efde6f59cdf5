"""CacheStore: an LRU cache of values (metadata and chunks) in front of any store.

Reads are answered from memory when they can be: a whole value, a byte range of it (sliced from
the cached whole value, or cached on its own), and absent keys (cached as absent). The cache
holds at most ``max_bytes``, counting each entry as the length of its key plus its value; the
least recently used entries go first. It is thread-safe.

Writes through the cache (``set``, ``delete``, ``delete_prefix``, ``set_if``) drop what it holds
for the keys they touch, before and after the write, and a read that raced with a write never
caches what it read: so after zarrc's own writes through it, nothing stale is served. Writes
that bypass it (another process, another store object) are not seen: call
:meth:`CacheStore.invalidate` then, or do not cache data others write.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from zarrc.storage import batch
from zarrc.storage.base import (
    ByteRange,
    Store,
    normalize_byte_range,
    normalize_key,
    normalize_prefix,
    resolve_byte_range,
)
from zarrc.storage.wrapper import WrapperStore

__all__ = ["CacheStore"]

_STRIPES = 256  # write generations, hashed by key: bounded memory, no false "fresh" answers
_ABSENT = object()


class CacheStore(WrapperStore):
    """``inner`` with an LRU cache of at most ``max_bytes``; see the module docstring.

    Attributes ``hits`` and ``misses`` count the reads answered from memory and from ``inner``.
    """

    def __init__(self, inner: Store, max_bytes: int) -> None:
        super().__init__(inner)
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
            raise ValueError(f"CacheStore max_bytes must be an int >= 0, got {max_bytes!r}")
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        # (key, None) holds a whole value (or None: absent); (key, (start, stop)) one range.
        self._entries: OrderedDict[tuple[str, Any], bytes | None] = OrderedDict()
        self._by_key: dict[str, set[tuple[str, Any]]] = {}
        self._size = 0
        self._generations = [0] * _STRIPES

    def _rewrap(self, inner: Store) -> CacheStore:
        return CacheStore(inner, self.max_bytes)

    @property
    def cached_bytes(self) -> int:
        """What the cache holds now, counted as it counts against ``max_bytes``."""
        return self._size

    # -- bookkeeping (callers hold self._lock) ------------------------------------------------

    def _stripe(self, key: str) -> int:
        return hash(key) % _STRIPES

    def _lookup(self, entry: tuple[str, Any]) -> Any:
        value = self._entries.get(entry, _ABSENT)
        if value is not _ABSENT:
            self._entries.move_to_end(entry)
        return value

    def _insert(self, entry: tuple[str, Any], value: bytes | None) -> None:
        cost = len(entry[0]) + (0 if value is None else len(value))
        if cost > self.max_bytes or entry in self._entries:
            return
        self._entries[entry] = value
        self._by_key.setdefault(entry[0], set()).add(entry)
        self._size += cost
        while self._size > self.max_bytes:
            old, old_value = self._entries.popitem(last=False)
            self._forget(old, old_value)

    def _forget(self, entry: tuple[str, Any], value: bytes | None) -> None:
        self._size -= len(entry[0]) + (0 if value is None else len(value))
        entries = self._by_key.get(entry[0])
        if entries is not None:
            entries.discard(entry)
            if not entries:
                del self._by_key[entry[0]]

    def _drop_key(self, key: str) -> None:
        for entry in self._by_key.pop(key, ()):
            value = self._entries.pop(entry)
            self._size -= len(entry[0]) + (0 if value is None else len(value))

    def _cached_read(self, key: str, byte_range: Any) -> Any:
        """A cached answer to ``get(key, byte_range)``, or ``_ABSENT``."""
        whole = self._lookup((key, None))
        if whole is None or byte_range is None:
            return whole
        if whole is not _ABSENT:
            start, stop = resolve_byte_range(byte_range, len(whole))
            return whole[start:stop]
        return self._lookup((key, byte_range))

    def invalidate(self, key: str | None = None) -> None:
        """Forget what is cached for ``key``, or everything (after writes that bypassed it)."""
        with self._lock:
            if key is None:
                self._entries.clear()
                self._by_key.clear()
                self._size = 0
                self._generations = [g + 1 for g in self._generations]
            else:
                key = normalize_key(key)
                self._generations[self._stripe(key)] += 1
                self._drop_key(key)

    # -- reads ------------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        key = normalize_key(key)
        if byte_range is not None:
            byte_range = normalize_byte_range(byte_range)
        with self._lock:
            found = self._cached_read(key, byte_range)
            if found is not _ABSENT:
                self.hits += 1
                return found
            self.misses += 1
            generation = self._generations[self._stripe(key)]
        value = self._inner.get(key, byte_range)
        with self._lock:
            if self._generations[self._stripe(key)] == generation:
                self._insert((key, byte_range), value)
        return value

    def get_many(self, keys: Iterable[str]) -> Any:
        keys = [normalize_key(key) for key in keys]
        values: list[Any] = []
        missing: list[str] = []
        generations: dict[str, int] = {}
        with self._lock:
            for key in keys:
                found = self._lookup((key, None))
                values.append(found)
                if found is _ABSENT:
                    missing.append(key)
                    generations[key] = self._generations[self._stripe(key)]
            self.hits += len(keys) - len(missing)
            self.misses += len(missing)
        if missing:
            fetched = dict(zip(missing, batch.many_values(missing, self._inner.get_many(missing))))
            with self._lock:
                for key, value in fetched.items():
                    if self._generations[self._stripe(key)] == generations[key]:
                        self._insert((key, None), value)
            values = [fetched[k] if v is _ABSENT else v for k, v in zip(keys, values)]
        return batch.many_result(keys, values)

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        key = normalize_key(key)
        ranges = [tuple(normalize_byte_range(r)) for r in ranges]
        with self._lock:
            found = [self._cached_read(key, r) for r in ranges]
            if ranges and all(f is not _ABSENT for f in found):
                self.hits += 1
                return None if any(f is None for f in found) else found
            self.misses += 1
            generation = self._generations[self._stripe(key)]
        values = batch.get_ranges(self._inner, key, ranges)
        if values is not None:
            with self._lock:
                if self._generations[self._stripe(key)] == generation:
                    for r, value in zip(ranges, values):
                        self._insert((key, r), value)
        return values

    def exists(self, key: str) -> bool:
        key = normalize_key(key)
        with self._lock:
            found = self._lookup((key, None))
        if found is not _ABSENT:
            return found is not None
        return self._inner.exists(key)

    # -- writes: invalidate before and after --------------------------------------------------

    def _invalidate_around(self, key: str, write: Any, *args: Any) -> Any:
        stripe = self._stripe(key)
        with self._lock:
            self._generations[stripe] += 1
            self._drop_key(key)
        try:
            return write(*args)
        finally:
            with self._lock:
                self._generations[stripe] += 1
                self._drop_key(key)

    def set(self, key: str, value: Any) -> None:
        key = normalize_key(key)
        self._invalidate_around(key, self._inner.set, key, value)

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        self._invalidate_around(key, self._inner.delete, key)

    def set_if(self, key: str, value: Any, *, version: str | None) -> bool:
        key = normalize_key(key)
        return self._invalidate_around(
            key, lambda: self._inner.set_if(key, value, version=version)
        )

    def delete_prefix(self, prefix: str) -> None:
        prefix = normalize_prefix(prefix)

        def drop_under() -> None:
            with self._lock:
                self._generations = [g + 1 for g in self._generations]
                for key in [k for k in self._by_key if not prefix or k.startswith(prefix + "/")]:
                    self._drop_key(key)

        drop_under()
        try:
            self._inner.delete_prefix(prefix)
        finally:
            drop_under()

    def __repr__(self) -> str:
        return f"CacheStore({self._inner!r}, max_bytes={self.max_bytes})"
