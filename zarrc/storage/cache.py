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

import enum
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar, cast

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
_T = TypeVar("_T")


class _Missing(enum.Enum):
    """Nothing cached (``None`` is a cached answer: the key is absent)."""

    ABSENT = enum.auto()


_ABSENT: Final = _Missing.ABSENT

_Entry = tuple[str, tuple[int | None, int | None] | None]
"""A cache entry's key: ``(key, None)`` a whole value, ``(key, (start, stop))`` one range."""


class _Cache:
    """The entries and bookkeeping of one cache (shared by its read-only twin)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        # (key, None) holds a whole value (or None: absent); (key, (start, stop)) one range.
        self.entries: OrderedDict[_Entry, bytes | None] = OrderedDict()
        self.by_key: dict[str, set[_Entry]] = {}
        self.size = 0
        self.generations = [0] * _STRIPES
        self.hits = 0
        self.misses = 0


def _cost(entry: _Entry, value: bytes | None) -> int:
    return len(entry[0]) + (0 if value is None else len(value))


class CacheStore(WrapperStore):
    """``inner`` with an LRU cache of at most ``max_bytes``; see the module docstring.

    ``hits`` and ``misses`` count the reads answered from memory and from ``inner``.
    """

    def __init__(self, inner: Store, max_bytes: int) -> None:
        super().__init__(inner)
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
            raise ValueError(f"CacheStore max_bytes must be an int >= 0, got {max_bytes!r}")
        self.max_bytes = max_bytes
        self._cache = _Cache()
        self._lock = self._cache.lock

    @property
    def hits(self) -> int:
        return self._cache.hits

    @property
    def misses(self) -> int:
        return self._cache.misses

    @property
    def cached_bytes(self) -> int:
        """What the cache holds now, counted as it counts against ``max_bytes``."""
        return self._cache.size

    # -- bookkeeping (callers hold self._lock) ------------------------------------------------

    def _stripe(self, key: str) -> int:
        return hash(key) % _STRIPES

    def _generation(self, key: str) -> int:
        return self._cache.generations[self._stripe(key)]

    def _lookup(self, entry: _Entry) -> bytes | None | _Missing:
        value = self._cache.entries.get(entry, _ABSENT)
        if value is not _ABSENT:
            self._cache.entries.move_to_end(entry)
        return value

    def _insert(self, entry: _Entry, value: bytes | None) -> None:
        cache = self._cache
        cost = _cost(entry, value)
        if cost > self.max_bytes or entry in cache.entries:
            return
        cache.entries[entry] = value
        cache.by_key.setdefault(entry[0], set()).add(entry)
        cache.size += cost
        while cache.size > self.max_bytes:
            old, old_value = cache.entries.popitem(last=False)
            cache.size -= _cost(old, old_value)
            entries = cache.by_key[old[0]]
            entries.discard(old)
            if not entries:
                del cache.by_key[old[0]]

    def _drop_key(self, key: str) -> None:
        cache = self._cache
        for entry in cache.by_key.pop(key, ()):
            cache.size -= _cost(entry, cache.entries.pop(entry))

    def _bump(self, key: str | None) -> None:
        """A write to ``key`` (``None``: to any key) starts or ends: readers that began before
        it must not cache what they read."""
        generations = self._cache.generations
        if key is None:
            generations[:] = [g + 1 for g in generations]
        else:
            generations[self._stripe(key)] += 1

    def _cached_read(
        self, key: str, byte_range: tuple[int | None, int | None] | None
    ) -> bytes | None | _Missing:
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
        if key is not None:
            key = normalize_key(key)
        with self._lock:
            self._bump(key)
            if key is not None:
                self._drop_key(key)
                return
            self._cache.entries.clear()
            self._cache.by_key.clear()
            self._cache.size = 0

    # -- reads ------------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        key = normalize_key(key)
        if byte_range is not None:
            byte_range = normalize_byte_range(byte_range)
        with self._lock:
            found = self._cached_read(key, byte_range)
            if found is not _ABSENT:
                self._cache.hits += 1
                return found
            self._cache.misses += 1
            generation = self._generation(key)
        value = self._inner.get(key, byte_range)
        with self._lock:
            if self._generation(key) == generation:
                self._insert((key, byte_range), value)
        return value

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        keys = [normalize_key(key) for key in keys]
        values: list[bytes | None | _Missing] = []
        missing: list[str] = []
        generations: dict[str, int] = {}
        with self._lock:
            for key in keys:
                found = self._lookup((key, None))
                values.append(found)
                if found is _ABSENT:
                    missing.append(key)
                    generations[key] = self._generation(key)
            self._cache.hits += len(keys) - len(missing)
            self._cache.misses += len(missing)
        if missing:
            fetched = dict(zip(missing, batch.many_values(missing, self._inner.get_many(missing))))
            with self._lock:
                for key, value in fetched.items():
                    if self._generation(key) == generations[key]:
                        self._insert((key, None), value)
            return batch.many_result(
                keys, [fetched[k] if v is _ABSENT else v for k, v in zip(keys, values)]
            )
        return batch.many_result(keys, [v for v in values if v is not _ABSENT])

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        key = normalize_key(key)
        # checked (ints or None) and as tuples, the form they are cached under
        ranges = cast("list[tuple[int, int]]", [normalize_byte_range(r) for r in ranges])
        with self._lock:
            found = [self._cached_read(key, r) for r in ranges]
            hits = [f for f in found if not isinstance(f, _Missing)]
            if ranges and len(hits) == len(found):
                self._cache.hits += 1
                return None if any(f is None for f in hits) else [f for f in hits if f is not None]
            self._cache.misses += 1
            generation = self._generation(key)
        values = batch.get_ranges(self._inner, key, ranges)
        if values is not None:
            with self._lock:
                if self._generation(key) == generation:
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

    def _invalidate_around(self, key: str, write: Callable[..., _T], *args: Any) -> _T:
        with self._lock:
            self._bump(key)
            self._drop_key(key)
        try:
            return write(*args)
        finally:
            with self._lock:
                self._bump(key)
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
                self._bump(None)
                under = [k for k in self._cache.by_key if not prefix or k.startswith(prefix + "/")]
                for key in under:
                    self._drop_key(key)

        drop_under()
        try:
            self._inner.delete_prefix(prefix)
        finally:
            drop_under()

    def __repr__(self) -> str:
        return f"CacheStore({self._inner!r}, max_bytes={self.max_bytes})"
