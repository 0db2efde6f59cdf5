"""``LoggingStore`` (zarr-python's name): a wrapper that logs every call and counts them."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from zarrc.storage.base import ByteRange, Store
from zarrc.storage.wrapper import WrapperStore

__all__ = ["LoggingStore"]


class LoggingStore(WrapperStore):
    """Logs each call to the wrapped store (with its duration) and counts them per method in
    ``counter``. Without ``log_handler`` and with no handler configured, it logs to stdout."""

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
        elif not self.logger.hasHandlers():
            handler = logging.StreamHandler(stream=sys.stdout)
            handler.setLevel(log_level)
            handler.setFormatter(logging.Formatter(
                "%(asctime)s - %(name)s - %(levelname)s - %(message)s"))
            self.logger.addHandler(handler)

    @contextlib.contextmanager
    def log(self, method: str, hint: Any = "") -> Iterator[None]:
        """Log one call of ``method`` (and count it) around the ``with`` block."""
        op = f"{type(self.inner).__name__}.{method}" + (f"({hint})" if hint else "")
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

    def get_many(self, keys: Iterable[str]) -> Any:
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
