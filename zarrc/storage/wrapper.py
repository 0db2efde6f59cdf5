"""WrapperStore: a store that passes every request to another store.

The base of the stores that add one behaviour around any store (faults, retries, a cache):
they override what they change and inherit the rest. The wrapper shows the inner store's
capabilities (flags, ``fetch_concurrency``, ``lock``, conditional writes) as its own; closing
it closes the inner store.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Sequence
from typing import Any

from zarrc.storage import batch
from zarrc.storage.base import ByteRange, Store

__all__ = ["WrapperStore"]


class WrapperStore(Store):
    """Every request goes to ``inner``; subclasses override what they add to."""

    def __init__(self, inner: Store) -> None:
        if not isinstance(inner, Store):
            raise TypeError(f"{type(self).__name__} wraps a Store, got {type(inner).__name__}")
        super().__init__(read_only=inner.read_only)
        self._inner = inner
        self.supports_partial_reads = inner.supports_partial_reads
        self.supports_listing = inner.supports_listing
        self.supports_writes = inner.supports_writes
        self.supports_conditional_writes = getattr(inner, "supports_conditional_writes", False)

    @property
    def inner(self) -> Store:
        """The wrapped store."""
        return self._inner

    @property
    def read_only(self) -> bool:
        return self._inner.read_only

    @property
    def fetch_concurrency(self) -> int:  # type: ignore[override]  # the inner's; never set here
        """The inner store's ``fetch_concurrency`` (about the core count if it has none)."""
        return getattr(self._inner, "fetch_concurrency", None) or max(1, os.cpu_count() or 1)

    @property
    def get_many_batches(self) -> bool:  # type: ignore[override]  # the inner's; never set here
        """The inner store's ``get_many_batches`` (a subclass that reads key by key says so)."""
        return bool(getattr(self._inner, "get_many_batches", True))

    def with_read_only(self, read_only: bool = True) -> Store:
        """This wrapper around ``inner.with_read_only(read_only)``, sharing its state (a
        FaultyStore's record of calls, a CacheStore's cache)."""
        if read_only == self.read_only:
            return self
        twin = copy.copy(self)
        twin._inner = self._inner.with_read_only(read_only)
        return twin

    def close(self) -> None:
        self._inner.close()

    # -- requests ---------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        return self._inner.get(key, byte_range)

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return self._inner.get_many(keys)

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        return batch.get_ranges(self._inner, key, ranges)

    def exists(self, key: str) -> bool:
        return self._inner.exists(key)

    def list_prefix(self, prefix: str) -> list[str]:
        return self._inner.list_prefix(prefix)

    def list_dir(self, prefix: str) -> list[str]:
        return self._inner.list_dir(prefix)

    def set(self, key: str, value: Any) -> None:
        self._inner.set(key, value)

    def delete(self, key: str) -> None:
        self._inner.delete(key)

    def delete_prefix(self, prefix: str) -> None:
        self._inner.delete_prefix(prefix)

    def lock(self, key: str) -> contextlib.AbstractContextManager[Any]:
        return self._inner.lock(key)

    def get_versioned(self, key: str) -> tuple[bytes | None, str | None]:
        return self._inner.get_versioned(key)

    def set_if(self, key: str, value: Any, *, version: str | None) -> bool:
        return self._inner.set_if(key, value, version=version)

    # -- identity ---------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, WrapperStore)
            and type(other) is type(self)
            and other._inner == self._inner
        )

    def __hash__(self) -> int:
        return hash((type(self), self._inner))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._inner!r})"

    def __str__(self) -> str:  # zarr-python's URL form of the inner store, for node reprs
        return str(self._inner)
