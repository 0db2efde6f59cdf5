"""RedisStore: a store in a Redis database (``redis://host:port/db``, ``rediss://`` for TLS).

redis-py (``pip install 'zarrc[redis]'``) talks to the server over a blocking pool of
``max_connections`` connections, which is also the store's ``fetch_concurrency``. Each zarr key
is one Redis string under ``prefix``; ``get_many`` is ``MGET``, and a byte range and a
conditional write are each one Lua script, so both are atomic on the server. Listing scans the
key space (``SCAN MATCH prefix*``): fine for a database that holds arrays, slow for a huge
shared one. Requests that fail on the connection (reset, timeout, the server loading) are
retried under a :class:`~zarrc.storage.RetryPolicy`; other server errors are
:class:`~zarrc.errors.StoreError` at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, TypeVar

from zarrc.storage import batch
from zarrc.storage.base import (
    ByteRange,
    Store,
    as_buffer,
    normalize_byte_range,
    normalize_key,
    normalize_prefix,
)
from zarrc.storage.listing import dir_names
from zarrc.storage.retry import RetryPolicy, current_policy, store_error
from zarrc.storage.version import ContentVersioned

__all__ = ["RedisStore"]

_MGET_BATCH = 256
_T = TypeVar("_T")

# Python's value[start:stop] on the server, atomically; false (None) for an absent key.
_GET_RANGE = """
local n = redis.call('STRLEN', KEYS[1])
if n == 0 and redis.call('EXISTS', KEYS[1]) == 0 then return false end
local function bound(text, default)
  if text == '' then return default end
  local i = tonumber(text)
  if i < 0 then i = math.max(i + n, 0) elseif i > n then i = n end
  return i
end
local b = bound(ARGV[1], 0)
local e = bound(ARGV[2], n)
if e <= b then return '' end
return redis.call('GETRANGE', KEYS[1], b, e - 1)
"""

# Store ARGV[1] only if the current value's SHA-1 is ARGV[2] ('' : only if absent).
_SET_IF = """
local current = redis.call('GET', KEYS[1])
if ARGV[2] == '' then
  if current then return 0 end
elseif (not current) or redis.sha1hex(current) ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""


def _import_redis() -> ModuleType:
    try:
        import redis
    except ImportError as exc:
        raise ImportError(
            "RedisStore needs redis-py, which is not installed: pip install 'zarrc[redis]'"
        ) from exc
    return redis


def _glob_escape(text: str) -> str:
    """``text`` as a literal in a Redis MATCH pattern."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


class RedisStore(ContentVersioned, Store):
    """A store in the Redis database at ``url``.

    Parameters
    ----------
    url
        ``redis://[user:password@]host:port/db`` (``rediss://`` for TLS).
    prefix
        Prepended to every key (several stores can share a database under different
        prefixes).
    read_only
        Refuse writes with :class:`~zarrc.errors.ReadOnlyError`.
    max_connections
        The connection pool's size, and the store's ``fetch_concurrency``.
    retry
        A :class:`~zarrc.storage.RetryPolicy` (or a dict of its fields); ``None`` follows
        ``zarrc.config``; ``False`` turns retries off.
    timeout
        Seconds for connecting, for each reply, and for waiting for a free connection.
    """

    supports_partial_reads = True
    supports_listing = True
    supports_writes = True

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "",
        read_only: bool = False,
        max_connections: int = 16,
        retry: RetryPolicy | dict[str, Any] | bool | None = None,
        timeout: float = 10.0,
        _client: Any = None,
    ) -> None:
        super().__init__(read_only=read_only)
        redis = _import_redis()
        self._redis = redis
        self._url = url
        self._prefix = prefix
        self._max_connections = int(max_connections)
        self._timeout = timeout
        self._retry = retry
        self._policy = RetryPolicy.resolve(retry)
        self.fetch_concurrency = self._max_connections
        if _client is None:
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            pool = redis.BlockingConnectionPool.from_url(
                url,
                max_connections=self._max_connections,
                timeout=timeout,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                retry=Retry(NoBackoff(), 0),  # zarrc's RetryPolicy retries, reporting each
            )
            _client = redis.Redis(connection_pool=pool)
        self._client = _client
        self._get_range = _client.register_script(_GET_RANGE)
        self._set_if = _client.register_script(_SET_IF)

    def __reduce__(self) -> tuple[Callable[..., RedisStore], tuple[str, dict[str, Any]]]:
        # the connection pool stays behind: the copy (another process) opens its own
        options = {
            "prefix": self._prefix,
            "read_only": self.read_only,
            "max_connections": self._max_connections,
            "retry": self._retry,
            "timeout": self._timeout,
        }
        return _reopen_redis, (self._url, options)

    @property
    def url(self) -> str:
        """The server URL."""
        return self._url

    @property
    def prefix(self) -> str:
        """What every key is prefixed with in Redis."""
        return self._prefix

    def with_read_only(self, read_only: bool = True) -> RedisStore:
        """A store over the same keys (and connection pool) with the given ``read_only``."""
        if read_only == self.read_only:
            return self
        return RedisStore(
            self._url,
            prefix=self._prefix,
            read_only=read_only,
            max_connections=self._max_connections,
            retry=self._retry,
            timeout=self._timeout,
            _client=self._client,
        )

    def close(self) -> None:
        """Close the pool's connections (a later request opens new ones)."""
        self._client.connection_pool.disconnect()

    # -- one request, translated and retried --------------------------------------------------

    def _attempt(
        self, op: str, key: str | None, fn: Callable[..., _T], args: tuple[Any, ...]
    ) -> _T:
        errors = self._redis.exceptions
        try:
            return fn(*args)
        except (errors.ConnectionError, errors.TimeoutError, errors.BusyLoadingError) as exc:
            raise store_error(self, op, key, exc, transient=True) from exc
        except errors.RedisError as exc:
            raise store_error(self, op, key, exc, transient=False) from exc

    def _call(self, op: str, key: str | None, fn: Callable[..., _T], *args: Any) -> _T:
        policy = current_policy(self._policy)
        return policy.call(self, op, key, lambda: self._attempt(op, key, fn, args))

    def _name(self, key: str) -> bytes:
        return (self._prefix + key).encode("utf-8")

    # -- reads ------------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        key = normalize_key(key)
        value: bytes | None  # redis-py answers bytes, or None for an absent key
        if byte_range is None:
            value = self._call("get", key, self._client.get, self._name(key))
            return value
        start, stop = normalize_byte_range(byte_range)
        args = ["" if start is None else start, "" if stop is None else stop]
        value = self._call("get", key, self._get_range, [self._name(key)], args)
        return value

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        keys = [normalize_key(key) for key in keys]
        values: list[bytes | None] = []
        for start in range(0, len(keys), _MGET_BATCH):
            part = keys[start : start + _MGET_BATCH]
            names = [self._name(key) for key in part]
            values.extend(self._call("get_many", part[0], self._client.mget, names))
        return batch.many_result(keys, values)

    def exists(self, key: str) -> bool:
        key = normalize_key(key)
        return bool(self._call("exists", key, self._client.exists, self._name(key)))

    def _scan(self, prefix: str) -> list[str]:
        """Every key under a normalized prefix, unsorted."""
        stem = self._prefix + (prefix + "/" if prefix else "")
        pattern = _glob_escape(stem) + "*"
        skip = len(self._prefix)

        def scan() -> list[str]:
            found = self._client.scan_iter(match=pattern.encode("utf-8"), count=1000)
            return [name.decode("utf-8")[skip:] for name in found]

        return self._call("list", prefix, scan)

    def list_prefix(self, prefix: str) -> list[str]:
        return sorted(self._scan(normalize_prefix(prefix)))

    def list_dir(self, prefix: str) -> list[str]:
        prefix = normalize_prefix(prefix)
        return dir_names(prefix, self._scan(prefix))

    # -- writes -----------------------------------------------------------------------------

    def set(self, key: str, value: Any) -> None:
        key = normalize_key(key)
        data = as_buffer(value)
        self._check_writable(key)
        self._call("set", key, self._client.set, self._name(key), data)

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        self._check_writable(key)
        self._call("delete", key, self._client.delete, self._name(key))

    def delete_prefix(self, prefix: str) -> None:
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        names = [self._name(key) for key in self._scan(prefix)]
        for start in range(0, len(names), 1000):
            self._call("delete_prefix", prefix, self._client.unlink, *names[start : start + 1000])

    # -- conditional writes -----------------------------------------------------------------

    def set_if(self, key: str, value: Any, *, version: str | None) -> bool:
        key = normalize_key(key)
        data = as_buffer(value)
        self._check_writable(key)
        args = [data, "" if version is None else version]
        return bool(self._call("set_if", key, self._set_if, [self._name(key)], args))

    # -- identity ---------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, RedisStore)
            and other._url == self._url
            and other._prefix == self._prefix
            and other.read_only == self.read_only
        )

    def __hash__(self) -> int:
        return hash((RedisStore, self._url, self._prefix, self.read_only))

    def __repr__(self) -> str:
        mode = ", read_only=True" if self.read_only else ""
        prefix = f", prefix={self._prefix!r}" if self._prefix else ""
        return f"RedisStore({self._url!r}{prefix}{mode})"


def _reopen_redis(url: str, options: dict[str, Any]) -> RedisStore:
    return RedisStore(url, **options)
