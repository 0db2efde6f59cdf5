"""ObjectStore: S3, Google Cloud Storage, Azure Blob Storage and HTTP(S) through obstore.

obstore (the Rust ``object_store`` crate's Python binding) is optional (``pip install
'zarrc[s3]'``, or ``[gcs]``, ``[azure]``, ``[http]``: the same package) and imported only when a
store is made. Requests release the GIL; ``get_many`` keeps up to ``fetch_concurrency`` requests
in flight from one thread (obstore's async API on a background loop, :mod:`zarrc.storage.aio`),
while the engine, told that batches gain nothing here (``get_many_batches``), asks for one key
per call from each of its fetch threads; ``get_many_buffers`` hands over obstore's buffers;
``get_ranges`` merges ranges less than ``coalesce`` bytes apart into one request. Each request
is retried on transient failures under a :class:`~zarrc.storage.RetryPolicy` (obstore's own
retries are turned off so that there is one policy and every retry is reported); permanent
failures are :class:`~zarrc.errors.StoreError`.

Conditional writes (``set_if``) use S3 ``If-Match``/``If-None-Match``, GCS generations and Azure
ETags; ``http(s)://`` URLs are read-only and cannot be listed.
"""

from __future__ import annotations

import asyncio
import enum
import importlib.util
import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast, overload

from zarrc.errors import StoreError
from zarrc.storage import aio, inflight
from zarrc.storage.base import (
    ByteRange,
    Store,
    as_buffer,
    normalize_byte_range,
    normalize_key,
    normalize_prefix,
    resolve_byte_range,
)
from zarrc.storage.retry import RetryPolicy, current_policy, describe_error, store_error

__all__ = ["ObjectStore", "obstore_available", "OBJECT_SCHEMES"]

OBJECT_SCHEMES = {
    "s3": "s3",
    "s3a": "s3",
    "gs": "gcs",
    "gcs": "gcs",
    "az": "azure",
    "azure": "azure",
    "abfs": "azure",
    "abfss": "azure",
    "adl": "azure",
    "http": "http",
    "https": "http",
}
"""URL schemes served by ObjectStore, each with the name of its pip extra."""

_CLIENT_OPTIONS = frozenset(
    "allow_http allow_invalid_certificates connect_timeout default_content_type default_headers "
    "http1_only http2_keep_alive_interval http2_keep_alive_timeout http2_keep_alive_while_idle "
    "http2_only pool_idle_timeout pool_max_idle_per_host proxy_url proxy_ca_certificate "
    "proxy_excludes root_certificate randomize_addresses read_timeout timeout user_agent".split()
)
_FSSPEC_NAMES = {  # s3fs option -> obstore option
    "endpoint_url": "endpoint",
    "key": "access_key_id",
    "secret": "secret_access_key",
    "token": "session_token",
    "region_name": "region",
}
# A transient failure, from obstore's message: HTTP 408/429/5xx, or no usable connection.
_TRANSIENT_MESSAGE = re.compile(
    r"status code: (408|429|5\d\d)|kind: (Connect|Timeout|Request|Interrupted|Decode)\b"
    r"|error sending request|connection (reset|closed|refused)|timed out|error decoding response",
    re.IGNORECASE,
)
_T = TypeVar("_T")


class _Raise(enum.Enum):
    """``missing=_MISSING``: an absent object raises FileNotFoundError (no answer for it)."""

    MISSING = enum.auto()


_MISSING: Final = _Raise.MISSING

if TYPE_CHECKING:  # obstore is optional (imported when a store is made)
    from obstore import Bytes
    from obstore.store import ClientConfig, RetryConfig


def obstore_available() -> bool:
    """Whether obstore can be imported (without importing it)."""
    return importlib.util.find_spec("obstore") is not None


def _import_obstore() -> Any:
    try:
        import obstore
    except ImportError as exc:
        raise ImportError(
            "ObjectStore needs obstore, which is not installed: pip install 'zarrc[s3]' "
            "(the same for [gcs], [azure], [http])"
        ) from exc
    return obstore


def translate_options(
    scheme: str, options: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``storage_options`` into obstore's store config and client options, accepting
    s3fs/gcsfs/adlfs names (``endpoint_url``, ``key``, ``secret``, ``token``, ``anon``,
    ``client_kwargs``) as well as obstore's. An ``http://`` endpoint turns on ``allow_http``
    (it names a plain-HTTP server on purpose), as does a GCS service-account key whose
    ``gcs_base_url`` is one (an emulator's)."""
    config: dict[str, Any] = {}
    client: dict[str, Any] = {}
    options = dict(options)
    for name, value in dict(options.pop("client_kwargs", None) or {}).items():
        options.setdefault(name, value)
    for name, value in options.items():
        if name == "anon":
            if value:
                config["skip_signature"] = True
        elif name == "token" and scheme == "gcs" and value == "anon":
            config["skip_signature"] = True
        elif name in _CLIENT_OPTIONS:
            client[name] = value
        else:
            config[_FSSPEC_NAMES.get(name, name) if scheme == "s3" else name] = value
    if _plain_http_server(config):
        client.setdefault("allow_http", True)
    return config, client


def _plain_http_server(config: dict[str, Any]) -> bool:
    """Whether ``config`` names its server by an ``http://`` URL: an ``endpoint``, or the
    ``gcs_base_url`` of a GCS service-account key given as JSON text (how GCS emulators are
    reached)."""
    endpoint = config.get("endpoint")
    if isinstance(endpoint, str) and endpoint.startswith("http://"):
        return True
    key = config.get("service_account_key")
    if not isinstance(key, str):
        return False
    try:
        base = json.loads(key).get("gcs_base_url")
    except (ValueError, AttributeError):  # not JSON, or not an object: obstore will say so
        return False
    return isinstance(base, str) and base.startswith("http://")


class _Clients:
    """obstore stores made by :meth:`ObjectStore.from_url`, kept (the most recent
    ``size``) and given again for the same URL, options and credentials: a store holds an
    HTTP client and its open connections, which opening an array again then reuses instead
    of building a client (milliseconds) and connecting anew (a round trip). A forked child
    makes its own (connections are not shared across processes)."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._made: OrderedDict[Hashable, Any] = OrderedDict()  # key -> an obstore store
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if self._pid != os.getpid():
                self._made.clear()
                self._pid = os.getpid()
            store = self._made.get(key)
            if store is not None:
                self._made.move_to_end(key)
                return store
        store = make()
        with self._lock:
            self._made[key] = store
            while len(self._made) > self._size:
                self._made.popitem(last=False)
        return store

    def clear(self) -> None:
        with self._lock:
            self._made.clear()


_clients = _Clients()


def _frozen(value: Any) -> Any:
    """``value`` (options: dicts, lists, scalars) as something hashable, equal for equal."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _credentials(family: str) -> tuple[Any, ...]:
    """The environment a store of ``family`` may take credentials from (so that a kept store
    is not given again once they changed)."""
    if family == "http":
        return ()
    prefixes = ("AWS_", "GOOGLE_", "AZURE_", "OBJECT_STORE_")
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(prefixes)))


def _plain_http(url: str, family: str) -> bool:
    """Whether ``url`` is an ``http://`` (not TLS) URL of the HTTP family."""
    return family == "http" and url.lower().startswith("http://")


class ObjectStore(Store):
    """A store over an obstore store (a bucket, container or HTTP base URL, and a prefix).

    Parameters
    ----------
    store
        An ``obstore.store`` instance (``S3Store``, ``GCSStore``, ``AzureStore``, ``HTTPStore``,
        ...); :meth:`from_url` makes one from a URL and ``storage_options``.
    read_only
        Refuse writes with :class:`~zarrc.errors.ReadOnlyError`.
    fetch_concurrency
        Requests kept in flight at once (by one ``get_many``, and by a read's fetches
        together); ``None`` follows ``zarrc.config`` ``storage.fetch_concurrency`` (64).
    coalesce
        ``get_ranges`` merges ranges less than this many bytes apart into one request.
    retry
        A :class:`~zarrc.storage.RetryPolicy` (or a dict of its fields); ``None`` follows
        ``zarrc.config``; ``False`` turns retries off.
    conditional_writes
        Whether the service honours conditional writes (S3 ``If-Match``, GCS generations,
        Azure ETags). Turn it off for an S3-compatible server that ignores them; partial-chunk
        updates are then safe only within one process.
    listable
        Whether the service can list (an HTTP server cannot).
    url
        The URL the store was made from, for ``repr`` and equality.
    """

    supports_partial_reads = True
    supports_listing = True
    supports_writes = True
    supports_conditional_writes = True
    # Every key is a request of its own: the engine's fetch threads each wait for one value
    # in a blocking obstore call (GIL released), which costs less than a batch's round trip
    # through the event loop (Store.get_many_batches).
    get_many_batches = False

    def __init__(
        self,
        store: Any,
        *,
        read_only: bool = False,
        fetch_concurrency: int | None = None,
        coalesce: int = 1024 * 1024,
        retry: RetryPolicy | dict[str, Any] | bool | None = None,
        conditional_writes: bool = True,
        listable: bool = True,
        url: str | None = None,
    ) -> None:
        super().__init__(read_only=read_only)
        self._fetch_concurrency = inflight.check_fetch_concurrency(fetch_concurrency)
        if isinstance(coalesce, bool) or not isinstance(coalesce, int) or coalesce < 0:
            raise ValueError(f"coalesce must be an int >= 0, got {coalesce!r}")
        _import_obstore()
        self._store = store
        self._coalesce = coalesce
        self._retry = retry
        self._policy = RetryPolicy.resolve(retry)
        self.supports_conditional_writes = bool(conditional_writes)
        self.supports_listing = bool(listable)
        self._url = url

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        read_only: bool = False,
        fetch_concurrency: int | None = None,
        coalesce: int = 1024 * 1024,
        retry: RetryPolicy | dict[str, Any] | bool | None = None,
        conditional_writes: bool | None = None,
        **storage_options: Any,
    ) -> ObjectStore:
        """A store for ``s3://bucket/prefix``, ``gs://bucket/prefix``,
        ``az://container/prefix`` (or another ``object_store`` Azure URL) or
        ``http(s)://host/path`` (read-only, no listing), with ``storage_options`` in obstore's
        names or in s3fs's (see :func:`translate_options`)."""
        _import_obstore()
        from obstore.store import HTTPStore
        from obstore.store import from_url as obstore_from_url

        scheme = url.split("://", 1)[0].lower()
        family = OBJECT_SCHEMES.get(scheme)
        if family is None:
            raise ValueError(f"ObjectStore does not serve {scheme}:// URLs ({url!r})")
        config, client = translate_options(family, storage_options)
        if _plain_http(url, family):
            client.setdefault("allow_http", True)  # the URL asks for plain HTTP
        no_retries: RetryConfig = {"max_retries": 0}  # zarrc's RetryPolicy retries, reporting each
        options = cast("ClientConfig", client)  # obstore checks the names and values
        if family == "http":
            if config:
                raise TypeError(
                    f"http(s):// takes only client options, got {sorted(config)} for {url!r}"
                )
            read_only = True
        try:
            store = _clients.get(
                (url, family, _frozen(config), _frozen(client), _credentials(family)),
                lambda: HTTPStore.from_url(url, client_options=options, retry_config=no_retries)
                if family == "http" else
                obstore_from_url(url, client_options=options, retry_config=no_retries, **config),
            )
        except Exception as exc:
            if type(exc).__module__.startswith("obstore"):
                # an unknown option is a TypeError (like an unexpected keyword), the rest
                # (a missing account, a malformed URL) a ValueError
                kind = TypeError if type(exc).__name__.startswith("UnknownConfig") else ValueError
                raise kind(
                    f"cannot make an object store for {url!r} with storage_options "
                    f"{sorted(storage_options)}: {describe_error(exc)}"
                ) from exc
            raise
        if conditional_writes is None:
            conditional_writes = family != "http"
        return cls(
            store,
            read_only=read_only,
            fetch_concurrency=fetch_concurrency,
            coalesce=coalesce,
            retry=retry,
            conditional_writes=conditional_writes,
            listable=family != "http",
            url=url,
        )

    @property
    def fetch_concurrency(self) -> int:  # type: ignore[override]  # set by the constructor only
        """Requests kept in flight: the constructor's number, else ``zarrc.config``
        ``storage.fetch_concurrency``."""
        return inflight.fetch_concurrency(self._fetch_concurrency)

    @property
    def _obs(self) -> Any:
        """The obstore module (looked up, not kept: the store stays picklable)."""
        return _import_obstore()

    @property
    def store(self) -> Any:
        """The obstore store."""
        return self._store

    @property
    def url(self) -> str | None:
        """The URL this store was made from, if any."""
        return self._url

    def with_read_only(self, read_only: bool = True) -> ObjectStore:
        """A store over the same objects with the given ``read_only`` flag."""
        if read_only == self.read_only:
            return self
        return ObjectStore(
            self._store,
            read_only=read_only,
            fetch_concurrency=self._fetch_concurrency,
            coalesce=self._coalesce,
            retry=self._retry,
            conditional_writes=self.supports_conditional_writes,
            listable=self.supports_listing,
            url=self._url,
        )

    # -- one request, translated and retried --------------------------------------------------

    def _error(self, op: str, key: str | None, exc: BaseException) -> StoreError:
        transient = bool(_TRANSIENT_MESSAGE.search(str(exc)))
        return store_error(self, op, key, exc, transient=transient)

    def _attempt(self, op: str, key: str | None, fn: Callable[..., _T], args: tuple[Any, ...],
                 missing: None | _Raise) -> _T | None:
        """One try of ``fn(store, *args)``: ``missing`` for an absent object (if given), a
        StoreError (marked transient or not) for any other obstore failure."""
        try:
            return fn(self._store, *args)
        except FileNotFoundError:
            if missing is _MISSING:
                raise
            return missing
        except Exception as exc:
            if type(exc).__module__.startswith("obstore"):
                raise self._error(op, key, exc) from exc
            raise

    @overload
    def _call(self, op: str, key: str | None, fn: Callable[..., _T], *args: Any) -> _T: ...
    @overload
    def _call(
        self, op: str, key: str | None, fn: Callable[..., _T], *args: Any, missing: None
    ) -> _T | None: ...
    def _call(
        self, op: str, key: str | None, fn: Callable[..., _T], *args: Any,
        missing: None | _Raise = _MISSING,
    ) -> _T | None:
        """``fn(store, *args)`` retried under the policy; ``missing=None``: None for an absent
        object (else FileNotFoundError)."""
        policy = current_policy(self._policy)
        return policy.call(self, op, key, lambda: self._attempt(op, key, fn, args, missing))

    async def _attempt_async(self, op: str, key: str, fn: Callable[..., Awaitable[_T]],
                             args: tuple[Any, ...], missing: None) -> _T | None:
        try:
            return await fn(self._store, *args)
        except FileNotFoundError:
            return missing
        except Exception as exc:
            if type(exc).__module__.startswith("obstore"):
                raise self._error(op, key, exc) from exc
            raise

    # -- reads ------------------------------------------------------------------------------

    def _fetch(self, store: Any, path: str, options: dict[str, Any] | None) -> bytes:
        return bytes(self._fetch_buffer(store, path, options))

    def _fetch_buffer(self, store: Any, path: str, options: dict[str, Any] | None) -> memoryview:
        return memoryview(self._obs.get(store, path, options=options).bytes())

    def _size(self, key: str) -> int | None:
        meta = self._call("head", key, self._obs.head, key, missing=None)
        return None if meta is None else int(meta["size"])

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        key = normalize_key(key)
        if byte_range is None:
            return self._call("get", key, self._fetch, key, None, missing=None)
        start, stop = normalize_byte_range(byte_range)
        request: dict[str, int] | tuple[int, int] | None = None
        if stop is None and start is not None and start != 0:
            request = {"offset": start} if start > 0 else {"suffix": -start}
        elif start is not None and stop is not None and 0 <= start < stop:
            request = (start, stop)
        elif start in (0, None) and stop is None:
            return self._call("get", key, self._fetch, key, None, missing=None)
        if request is not None:
            try:
                return self._call("get", key, self._fetch, key, {"range": request}, missing=None)
            except StoreError as exc:
                if exc.transient:
                    raise
                # e.g. 416 for a range past the end, where Python slicing gives b"":
                # resolve the range against the size below
        size = self._size(key)
        if size is None:
            return None
        begin, end = resolve_byte_range((start, stop), size)
        if end <= begin:
            return b""
        return self._call("get", key, self._fetch, key, {"range": (begin, end)}, missing=None)

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        # obstore's buffers become bytes here, in the calling thread (one of the engine's
        # fetch threads), not on the event loop that all the requests share
        return [None if v is None else bytes(v) for v in self.get_many_buffers(keys)]

    def get_many_buffers(self, keys: Sequence[str]) -> list[bytes | memoryview | None]:
        """The values of ``keys`` as views of obstore's own buffers (no copy into bytes)."""
        keys = [normalize_key(key) for key in keys]
        if len(keys) < 2:
            found: list[Any] = [self._call("get", key, self._fetch_buffer, key, None, missing=None)
                                for key in keys]
        else:
            found = [None if v is None else memoryview(v)
                     for v in aio.run(self._get_many_async(keys))]
        return found

    async def _get_many_async(self, keys: list[str]) -> list[Bytes | None]:
        limit = asyncio.Semaphore(self.fetch_concurrency)
        policy = current_policy(self._policy)
        obs = self._obs

        async def fetch(store: Any, path: str) -> Bytes:
            result = await obs.get_async(store, path)
            data: Bytes = await result.bytes_async()
            return data

        async def one(key: str) -> Bytes | None:
            async with limit:
                return await policy.call_async(
                    self, "get", key, self._attempt_async, "get", key, fetch, (key,), None
                )

        tasks = [asyncio.ensure_future(one(key)) for key in keys]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            for task in tasks:  # one failed: the others need not finish
                task.cancel()
            raise

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        """The bytes of each absolute ``[start, stop)`` range of ``key`` (``None`` if absent),
        ranges less than ``coalesce`` bytes apart fetched by one request."""
        found = self.get_ranges_buffers(key, ranges)
        return None if found is None else [bytes(value) for value in found]

    def get_ranges_buffers(self, key: str,
                           ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview] | None:
        """:meth:`get_ranges` in views of obstore's own buffers (no copy into bytes)."""
        key = normalize_key(key)
        pairs = [(int(start), int(stop)) for start, stop in ranges]
        wanted = [(i, s, e) for i, (s, e) in enumerate(pairs) if e > s]
        if not wanted:
            return None if not self.exists(key) else [b""] * len(pairs)
        out: list[bytes | memoryview]

        def fetch(store: Any, path: str) -> list[Bytes]:
            found: list[Bytes] = self._obs.get_ranges(
                store,
                path,
                starts=[s for _, s, _ in wanted],
                ends=[e for _, _, e in wanted],
                coalesce=self._coalesce,
            )
            return found

        try:
            found = self._call("get_ranges", key, fetch, key, missing=None)
        except BaseException as exc:  # obstore panics on a range past the object's end
            if type(exc).__name__ != "PanicException":
                raise
            size = self._size(key)  # what there is, as Store.get_ranges promises
            if size is None:
                return None
            parts = [b"" if min(e, size) <= s else self.get(key, (s, min(e, size)))
                     for s, e in pairs]
            # None (absent) if the object went away meanwhile
            out = [p for p in parts if p is not None]
            return None if len(out) < len(parts) else out
        if found is None:
            return None
        out = [b""] * len(pairs)
        for (i, _, _), value in zip(wanted, found):
            out[i] = memoryview(value)
        return out

    def exists(self, key: str) -> bool:
        return self._size(normalize_key(key)) is not None

    def _check_listable(self, prefix: str) -> None:
        if not self.supports_listing:
            raise StoreError(
                f"{self!r} cannot list {prefix!r}: the service has no listing (plain HTTP)",
                store=self,
                key=prefix,
            )

    def _list(self, store: Any, prefix: str) -> list[str]:
        stream = self._obs.list(store, prefix or None)
        return [meta["path"] for chunk in stream for meta in chunk]

    def list_prefix(self, prefix: str) -> list[str]:
        prefix = normalize_prefix(prefix)
        self._check_listable(prefix)
        return sorted(self._call("list_prefix", prefix, self._list, prefix))

    def list_dir(self, prefix: str) -> list[str]:
        prefix = normalize_prefix(prefix)
        self._check_listable(prefix)
        listing = self._call(
            "list_dir", prefix, self._obs.list_with_delimiter, prefix or None
        )
        skip = len(prefix) + 1 if prefix else 0
        names = {path[skip:].split("/", 1)[0] for path in listing["common_prefixes"]}
        names.update(meta["path"][skip:].split("/", 1)[0] for meta in listing["objects"])
        names.discard("")
        return sorted(names)

    # -- writes -----------------------------------------------------------------------------

    def set(self, key: str, value: Any) -> None:
        key = normalize_key(key)
        self._check_writable(key)
        self._call("set", key, self._obs.put, key, as_buffer(value))

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        self._check_writable(key)
        self._call("delete", key, self._obs.delete, key, missing=None)

    def delete_prefix(self, prefix: str) -> None:
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        self._check_listable(prefix)
        keys = sorted(self._call("list_prefix", prefix, self._list, prefix))
        for start in range(0, len(keys), 1000):
            part = keys[start : start + 1000]
            self._call("delete_prefix", prefix, self._obs.delete, part, missing=None)

    # -- conditional writes -----------------------------------------------------------------

    def _fetch_versioned(self, store: Any, path: str) -> tuple[bytes, str]:
        result = self._obs.get(store, path)
        data = bytes(result.bytes())
        meta = result.meta
        return data, _version_token(meta.get("e_tag"), meta.get("version"))

    def get_versioned(self, key: str) -> tuple[bytes | None, str | None]:
        key = normalize_key(key)
        found = self._call("get_versioned", key, self._fetch_versioned, key, missing=None)
        return (None, None) if found is None else found

    def set_if(self, key: str, value: Any, *, version: str | None) -> bool:
        key = normalize_key(key)
        self._check_writable(key)
        if not self.supports_conditional_writes:
            raise StoreError(
                f"{self!r} has no conditional writes (set_if of {key!r}); the service must "
                "honour If-Match/If-None-Match (S3), generations (GCS) or ETags (Azure)",
                store=self,
                key=key,
            )
        mode: Any = "create" if version is None else _update_version(version)
        data = as_buffer(value)

        def put(store: Any, path: str) -> bool:
            try:
                self._obs.put(store, path, data, mode=mode)
            except FileNotFoundError:  # If-Match on an object that is gone
                return False
            except Exception as exc:
                if type(exc).__name__ in ("PreconditionError", "AlreadyExistsError"):
                    return False
                raise
            return True

        return self._call("set_if", key, put, key)

    # -- identity ---------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ObjectStore) or other.read_only != self.read_only:
            return False
        if self._url is not None:
            return other._url == self._url
        return other._store is self._store

    def __hash__(self) -> int:
        return hash((ObjectStore, self._url or id(self._store), self.read_only))

    def __repr__(self) -> str:
        mode = ", read_only=True" if self.read_only else ""
        where = repr(self._url) if self._url is not None else repr(self._store)
        return f"ObjectStore({where}{mode})"

    def __str__(self) -> str:
        """zarr-python's form, used in node reprs: ``object_store://<the obstore store>``."""
        return f"object_store://{self._store}"


def _version_token(e_tag: str | None, version: str | None) -> str:
    """One opaque token for an object's ETag and (GCS generation / S3 version) version."""
    return f"{e_tag or ''}\n{version or ''}"


def _update_version(token: str) -> dict[str, str]:
    e_tag, _, version = token.partition("\n")
    return {name: value for name, value in (("e_tag", e_tag), ("version", version)) if value}
