"""``WrapperStore`` (forwards every call to another store) and ``LoggingStore`` (logs them).

zarr-python's names. A wrapper is a Store like any other, so arrays and groups work through it;
subclass ``WrapperStore`` and override the calls you want to intercept. Whatever the wrapper
does not define (capability methods, a store's own attributes) is the wrapped store's.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from zarrc.storage.base import ByteRange, Store

__all__ = ["LoggingStore", "WrapperStore"]


class WrapperStore(Store):
    """A store that hands every operation to ``store``."""

    def __init__(self, store: Store) -> None:
        super().__init__(read_only=store.read_only)
        self._store = store

    @property
    def store(self) -> Store:
        """The wrapped store."""
        return self._store

    @property
    def read_only(self) -> bool:
        return self._store.read_only

    supports_partial_reads = property(lambda self: self._store.supports_partial_reads)
    supports_listing = property(lambda self: self._store.supports_listing)
    supports_writes = property(lambda self: self._store.supports_writes)

    def __getattr__(self, name: str) -> Any:  # capability methods and store-specific members
        if name.startswith("__") or name == "_store":
            raise AttributeError(name)
        return getattr(self._store, name)

    def _with_store(self, store: Store) -> WrapperStore:
        return type(self)(store)

    def with_read_only(self, read_only: bool = True) -> Store:
        if read_only == self.read_only:
            return self
        return self._with_store(self._store.with_read_only(read_only))

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        return self._store.get(key, byte_range)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes | None]:
        return self._store.get_many(keys)

    def exists(self, key: str) -> bool:
        return self._store.exists(key)

    def list_prefix(self, prefix: str) -> list[str]:
        return self._store.list_prefix(prefix)

    def list_dir(self, prefix: str) -> list[str]:
        return self._store.list_dir(prefix)

    def set(self, key: str, value: Any) -> None:
        self._store.set(key, value)

    def delete(self, key: str) -> None:
        self._store.delete(key)

    def delete_prefix(self, prefix: str) -> None:
        self._store.delete_prefix(prefix)

    def lock(self, key: str) -> contextlib.AbstractContextManager:
        return self._store.lock(key)

    def close(self) -> None:
        self._store.close()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._store == self._store

    def __hash__(self) -> int:
        return hash((type(self), self._store))

    def __str__(self) -> str:
        return str(self._store)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._store!r})"


class LoggingStore(WrapperStore):
    """A store that logs each call to the wrapped store (with its duration) and counts them
    per method in ``counter``."""

    def __init__(self, store: Store, log_level: str = "DEBUG",
                 log_handler: logging.Handler | None = None) -> None:
        super().__init__(store)
        self.counter: defaultdict[str, int] = defaultdict(int)
        self.log_level = log_level
        self.log_handler = log_handler
        self.logger = logging.getLogger(f"LoggingStore({store})")
        self.logger.setLevel(log_level)
        if log_handler is not None:
            if log_handler not in self.logger.handlers:
                self.logger.addHandler(log_handler)
        elif not self.logger.hasHandlers():  # a default handler to stdout, as zarr-python
            handler = logging.StreamHandler(stream=sys.stdout)
            handler.setLevel(log_level)
            handler.setFormatter(logging.Formatter(
                "%(asctime)s - %(name)s - %(levelname)s - %(message)s"))
            self.logger.addHandler(handler)

    def _with_store(self, store: Store) -> LoggingStore:
        return LoggingStore(store, self.log_level, self.log_handler)

    @contextlib.contextmanager
    def log(self, method: str, hint: Any = "") -> Iterator[None]:
        """Log one call of ``method`` (and count it) around the ``with`` block."""
        op = f"{type(self._store).__name__}.{method}" + (f"({hint})" if hint else "")
        self.logger.info(" Calling %s", op)
        start = time.perf_counter()
        try:
            self.counter[method] += 1
            yield
        finally:
            self.logger.info("Finished %s [%.2f s]", op, time.perf_counter() - start)

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        with self.log("get", key):
            return super().get(key, byte_range)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes | None]:
        keys = list(keys)
        with self.log("get_many", keys):
            return super().get_many(keys)

    def exists(self, key: str) -> bool:
        with self.log("exists", key):
            return super().exists(key)

    def list_prefix(self, prefix: str) -> list[str]:
        with self.log("list_prefix", prefix):
            return super().list_prefix(prefix)

    def list_dir(self, prefix: str) -> list[str]:
        with self.log("list_dir", prefix):
            return super().list_dir(prefix)

    def set(self, key: str, value: Any) -> None:
        with self.log("set", key):
            super().set(key, value)

    def delete(self, key: str) -> None:
        with self.log("delete", key):
            super().delete(key)

    def delete_prefix(self, prefix: str) -> None:
        with self.log("delete_prefix", prefix):
            super().delete_prefix(prefix)
