"""SQLiteStore: a store in one SQLite database file (the standard library's ``sqlite3``).

One table ``zarr(key TEXT PRIMARY KEY, value BLOB)``. The database runs in WAL mode, so
readers never wait for a writer, and with a busy timeout, so writers in several threads or
processes take turns instead of failing. Every statement is its own transaction (a ``set`` is
atomic for readers); conditional writes compare and write in one ``BEGIN IMMEDIATE``
transaction, which makes concurrent partial-chunk updates from several processes safe. Each
thread (and each process after a ``fork``) has its own connection.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from zarrc.errors import StoreError
from zarrc.storage import batch
from zarrc.storage.base import (
    ByteRange,
    Store,
    as_buffer,
    normalize_byte_range,
    normalize_key,
    normalize_prefix,
    resolve_byte_range,
)
from zarrc.storage.listing import dir_names
from zarrc.storage.version import ContentVersioned, content_version

__all__ = ["SQLiteStore"]

_BATCH = 500  # keys per "IN (...)" query, well under SQLite's limit on bound parameters


def _bounds(prefix: str) -> tuple[str, str]:
    """Keys under ``prefix`` are exactly ``lower <= key < upper`` ('0' follows '/')."""
    return prefix + "/", prefix + "0"


class SQLiteStore(ContentVersioned, Store):
    """A store in the SQLite database at ``path`` (created, with its table, when writable).

    Parameters
    ----------
    path
        The database file.
    read_only
        Open the database read-only (it must exist) and refuse writes with
        :class:`~zarrc.errors.ReadOnlyError`.
    timeout
        Seconds a statement waits for another writer's lock before failing.
    """

    supports_partial_reads = True
    supports_listing = True
    supports_writes = True

    def __init__(
        self, path: str | os.PathLike[str], *, read_only: bool = False, timeout: float = 30.0
    ) -> None:
        super().__init__(read_only=read_only)
        self._path = os.path.realpath(os.fspath(path))
        self._timeout = float(timeout)
        self.fetch_concurrency = max(1, os.cpu_count() or 1)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        if read_only and not os.path.isfile(self._path):
            raise FileNotFoundError(f"SQLite database {self._path!r} does not exist")
        if not read_only:
            os.makedirs(os.path.dirname(self._path), exist_ok=True)
            self._execute("PRAGMA journal_mode=WAL")
            self._execute(
                "CREATE TABLE IF NOT EXISTS zarr (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL)"
            )

    def __reduce__(self) -> tuple[Callable[..., SQLiteStore], tuple[str, bool, float]]:
        # connections stay behind: the copy (another process) opens its own
        return _reopen_sqlite, (self._path, self.read_only, self._timeout)

    @property
    def path(self) -> str:
        """The database file's resolved path."""
        return self._path

    def with_read_only(self, read_only: bool = True) -> SQLiteStore:
        """A store over the same file with the given ``read_only`` flag."""
        if read_only == self.read_only:
            return self
        return SQLiteStore(self._path, read_only=read_only, timeout=self._timeout)

    # -- connections ------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (a new one in a forked child)."""
        local = self._local
        connection: sqlite3.Connection | None = getattr(local, "connection", None)
        if connection is not None and local.pid == os.getpid():
            return connection
        if self.read_only:
            target, uri = f"file:{self._path}?mode=ro", True
        else:
            target, uri = self._path, False
        connection = sqlite3.connect(
            target,
            timeout=self._timeout,
            isolation_level=None,  # autocommit: one statement, one transaction
            check_same_thread=False,  # used by one thread only; close() may come from another
            uri=uri,
        )
        connection.execute("PRAGMA synchronous=NORMAL")
        local.connection, local.pid = connection, os.getpid()
        with self._lock:
            self._connections.append(connection)
        return connection

    def _execute(self, sql: str, parameters: tuple[object, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._connection().execute(sql, parameters)
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _error(self, exc: sqlite3.Error) -> StoreError:
        transient = "locked" in str(exc) or "busy" in str(exc)
        return StoreError(f"{self!r} failed: {exc}", store=self, cause=exc, transient=transient)

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            try:
                connection.close()
            except sqlite3.Error:
                pass
        self._local = threading.local()

    # -- reads ------------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        key = normalize_key(key)
        if byte_range is None:
            row = self._execute("SELECT value FROM zarr WHERE key = ?", (key,)).fetchone()
            return None if row is None else bytes(row[0])
        start, stop = normalize_byte_range(byte_range)
        if start is not None and start >= 0 and (stop is None or stop >= 0):
            # Python's slicing and SQL's substr agree for non-negative bounds: one query.
            parameters: tuple[int, ...]
            if stop is None:
                sql, parameters = "SELECT substr(value, ?) FROM zarr WHERE key = ?", (start + 1,)
            else:
                sql = "SELECT substr(value, ?, ?) FROM zarr WHERE key = ?"
                parameters = (start + 1, max(0, stop - start))
            row = self._execute(sql, (*parameters, key)).fetchone()
            if row is None:
                return None
            return b"" if row[0] is None else bytes(row[0])  # substr of b"" is NULL
        row = self._execute("SELECT value FROM zarr WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        begin, end = resolve_byte_range((start, stop), len(row[0]))
        return bytes(row[0][begin:end])

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        keys = [normalize_key(key) for key in keys]
        found: dict[str, bytes] = {}
        distinct = list(dict.fromkeys(keys))
        for start in range(0, len(distinct), _BATCH):
            part = distinct[start : start + _BATCH]
            marks = ",".join("?" * len(part))
            rows = self._execute(f"SELECT key, value FROM zarr WHERE key IN ({marks})", tuple(part))
            found.update((k, bytes(v)) for k, v in rows)
        return batch.many_result(keys, [found.get(key) for key in keys])

    def exists(self, key: str) -> bool:
        key = normalize_key(key)
        return self._execute("SELECT 1 FROM zarr WHERE key = ?", (key,)).fetchone() is not None

    def _keys_under(self, prefix: str) -> Iterator[str]:
        if not prefix:
            rows = self._execute("SELECT key FROM zarr ORDER BY key")
        else:
            rows = self._execute(
                "SELECT key FROM zarr WHERE key >= ? AND key < ? ORDER BY key", _bounds(prefix)
            )
        return (row[0] for row in rows)

    def list_prefix(self, prefix: str) -> list[str]:
        return list(self._keys_under(normalize_prefix(prefix)))

    def list_dir(self, prefix: str) -> list[str]:
        prefix = normalize_prefix(prefix)
        return dir_names(prefix, self._keys_under(prefix))

    # -- writes -----------------------------------------------------------------------------

    def set(self, key: str, value: Any) -> None:
        key = normalize_key(key)
        data = as_buffer(value)
        self._check_writable(key)
        self._execute("INSERT OR REPLACE INTO zarr (key, value) VALUES (?, ?)", (key, data))

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        self._check_writable(key)
        self._execute("DELETE FROM zarr WHERE key = ?", (key,))

    def delete_prefix(self, prefix: str) -> None:
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        if not prefix:
            self._execute("DELETE FROM zarr")
        else:
            self._execute("DELETE FROM zarr WHERE key >= ? AND key < ?", _bounds(prefix))

    # -- conditional writes -----------------------------------------------------------------

    def set_if(self, key: str, value: Any, *, version: str | None) -> bool:
        key = normalize_key(key)
        data = as_buffer(value)
        self._check_writable(key)
        try:
            connection = self._connection()
            connection.execute("BEGIN IMMEDIATE")  # the write lock, taken before the read
            try:
                row = connection.execute(
                    "SELECT value FROM zarr WHERE key = ?", (key,)
                ).fetchone()
                current = None if row is None else content_version(row[0])
                if current != version:
                    connection.execute("ROLLBACK")
                    return False
                connection.execute(
                    "INSERT OR REPLACE INTO zarr (key, value) VALUES (?, ?)", (key, data)
                )
                connection.execute("COMMIT")
                return True
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    # -- identity ---------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, SQLiteStore)
            and other._path == self._path
            and other.read_only == self.read_only
        )

    def __hash__(self) -> int:
        return hash((SQLiteStore, self._path, self.read_only))

    def __repr__(self) -> str:
        mode = ", read_only=True" if self.read_only else ""
        return f"SQLiteStore({self._path!r}{mode})"


def _reopen_sqlite(path: str, read_only: bool, timeout: float) -> SQLiteStore:
    return SQLiteStore(path, read_only=read_only, timeout=timeout)
