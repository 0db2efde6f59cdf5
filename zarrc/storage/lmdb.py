"""LMDBStore: a store in an LMDB environment (a directory with ``data.mdb`` and ``lock.mdb``).

LMDB (``pip install 'zarrc[lmdb]'``) is a memory-mapped B+tree with one writer at a time across
threads and processes and readers that never wait. Every operation is one transaction, so a
``set`` is atomic for readers and a conditional write compares and writes atomically. LMDB
allows one open environment per file per process: stores over the same directory share it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any

from zarrc.errors import StoreError
from zarrc.storage import batch
from zarrc.storage.base import (
    ByteRange,
    Store,
    as_buffer,
    normalize_key,
    normalize_prefix,
    resolve_byte_range,
)
from zarrc.storage.listing import dir_names
from zarrc.storage.version import ContentVersioned, content_version

__all__ = ["LMDBStore"]

# (path, pid) -> [environment, users]; an lmdb.Environment (lmdb has no type information)
_environments: dict[tuple[str, int], list[Any]] = {}
_environments_lock = threading.Lock()


def _import_lmdb() -> ModuleType:
    try:
        import lmdb
    except ImportError as exc:
        raise ImportError(
            "LMDBStore needs the lmdb package, which is not installed: pip install 'zarrc[lmdb]'"
        ) from exc
    return lmdb


class LMDBStore(ContentVersioned, Store):
    """A store in the LMDB environment at ``path`` (a directory, created when writable).

    Parameters
    ----------
    path
        The environment directory.
    read_only
        Refuse writes with :class:`~zarrc.errors.ReadOnlyError` (the directory must exist).
    map_size
        The largest the database may grow, in bytes (address space, not disk: the file grows
        as data is written).
    """

    supports_partial_reads = True
    supports_listing = True
    supports_writes = True

    def __init__(
        self, path: str | os.PathLike[str], *, read_only: bool = False, map_size: int = 1 << 36
    ) -> None:
        super().__init__(read_only=read_only)
        self._lmdb = _import_lmdb()
        self._path = os.path.realpath(os.fspath(path))
        self._map_size = int(map_size)
        self.fetch_concurrency = max(1, os.cpu_count() or 1)
        if read_only and not os.path.isdir(self._path):
            raise FileNotFoundError(f"LMDB environment {self._path!r} does not exist")
        self._env_key: tuple[str, int] | None = None
        self._environment()

    def __reduce__(self) -> tuple[Callable[..., LMDBStore], tuple[str, bool, int]]:
        # the environment stays behind: the copy (another process) opens its own
        return _reopen_lmdb, (self._path, self.read_only, self._map_size)

    @property
    def path(self) -> str:
        """The environment directory's resolved path."""
        return self._path

    def with_read_only(self, read_only: bool = True) -> LMDBStore:
        """A store over the same environment with the given ``read_only`` flag."""
        if read_only == self.read_only:
            return self
        return LMDBStore(self._path, read_only=read_only, map_size=self._map_size)

    # -- the environment --------------------------------------------------------------------

    def _environment(self) -> Any:
        """This process's environment for the path (opened on first use, shared by stores)."""
        key = (self._path, os.getpid())
        with _environments_lock:
            entry = _environments.get(key)
            if entry is None:
                with self._errors(None):
                    environment = self._lmdb.open(
                        self._path,
                        map_size=self._map_size,
                        subdir=True,
                        create=not self.read_only,
                        max_readers=1024,
                        max_spare_txns=64,
                    )
                entry = _environments[key] = [environment, 0]
            if self._env_key != key:
                entry[1] += 1
                self._env_key = key
            return entry[0]

    def close(self) -> None:
        """Let go of the environment (closed when the last store over it closes)."""
        key, self._env_key = self._env_key, None
        if key is None:
            return
        with _environments_lock:
            entry = _environments.get(key)
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] <= 0:
                del _environments[key]
                entry[0].close()

    @contextlib.contextmanager
    def _errors(self, key: str | None) -> Iterator[None]:
        """LMDB's errors (a full map, a broken environment) as StoreError naming the key."""
        try:
            yield
        except self._lmdb.Error as exc:
            where = f" ({key!r})" if key is not None else ""
            raise StoreError(
                f"{self!r} failed{where}: {type(exc).__name__}: {exc}",
                store=self,
                key=key,
                cause=exc,
            ) from exc

    def _encode(self, key: str) -> bytes:
        encoded = key.encode("utf-8")
        if len(encoded) > 511:
            raise ValueError(f"invalid store key {key!r}: LMDB keys are at most 511 bytes")
        return encoded

    # -- reads ------------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        encoded = self._encode(normalize_key(key))
        with self._environment().begin(buffers=True) as txn:
            value = txn.get(encoded)
            if value is None:
                return None
            if byte_range is None:
                return bytes(value)
            start, stop = resolve_byte_range(byte_range, len(value))
            return bytes(value[start:stop])

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        keys = [normalize_key(key) for key in keys]
        encoded = [self._encode(key) for key in keys]
        with self._environment().begin(buffers=True) as txn:
            found = [txn.get(k) for k in encoded]
            values = [None if v is None else bytes(v) for v in found]
        return batch.many_result(keys, values)

    def exists(self, key: str) -> bool:
        encoded = self._encode(normalize_key(key))
        with self._environment().begin(buffers=True) as txn:
            return txn.get(encoded) is not None

    def _keys_under(self, txn: Any, prefix: str) -> Iterator[bytes]:
        start = (prefix + "/").encode("utf-8") if prefix else b""
        cursor = txn.cursor()
        if not cursor.set_range(start):
            return
        for key in cursor.iternext(keys=True, values=False):
            key = bytes(key)
            if not key.startswith(start):
                return
            yield key

    def list_prefix(self, prefix: str) -> list[str]:
        prefix = normalize_prefix(prefix)
        with self._environment().begin() as txn:
            return [key.decode("utf-8") for key in self._keys_under(txn, prefix)]

    def list_dir(self, prefix: str) -> list[str]:
        prefix = normalize_prefix(prefix)
        return dir_names(prefix, self.list_prefix(prefix))

    # -- writes -----------------------------------------------------------------------------

    def set(self, key: str, value: Any) -> None:
        key = normalize_key(key)
        data = as_buffer(value)
        self._check_writable(key)
        with self._errors(key), self._environment().begin(write=True) as txn:
            txn.put(self._encode(key), data)

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        self._check_writable(key)
        with self._errors(key), self._environment().begin(write=True) as txn:
            txn.delete(self._encode(key))

    def delete_prefix(self, prefix: str) -> None:
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        with self._errors(prefix), self._environment().begin(write=True) as txn:
            for key in list(self._keys_under(txn, prefix)):
                txn.delete(key)

    # -- conditional writes -----------------------------------------------------------------

    def set_if(self, key: str, value: Any, *, version: str | None) -> bool:
        key = normalize_key(key)
        data = as_buffer(value)
        self._check_writable(key)
        encoded = self._encode(key)
        with self._errors(key), self._environment().begin(write=True, buffers=True) as txn:
            current = txn.get(encoded)
            if (None if current is None else content_version(current)) != version:
                return False
            txn.put(encoded, data)
            return True

    # -- identity ---------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, LMDBStore)
            and other._path == self._path
            and other.read_only == self.read_only
        )

    def __hash__(self) -> int:
        return hash((LMDBStore, self._path, self.read_only))

    def __repr__(self) -> str:
        mode = ", read_only=True" if self.read_only else ""
        return f"LMDBStore({self._path!r}{mode})"


def _reopen_lmdb(path: str, read_only: bool, map_size: int) -> LMDBStore:
    return LMDBStore(path, read_only=read_only, map_size=map_size)
