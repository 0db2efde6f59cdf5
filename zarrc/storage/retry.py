"""Retrying store requests: which failures are transient, and how long to keep trying.

A transient failure (a timeout, a reset connection, HTTP 408/429/5xx, throttling) is retried
with exponential backoff and full jitter (a random wait in ``[0, min(max_delay, base_delay *
2**n))``), bounded in attempts and in total time; every retry is reported as a ``store.retry``
event (:func:`zarrc.storage.events.emit`). A permanent failure (403, a write to a missing
bucket, bad credentials: any ``OSError`` that is not transient) is raised at once as
:class:`~zarrc.errors.StoreError` naming the store, key and cause; so is the last failure when
the retries run out. Errors of the caller (a bad key, a read-only store, a wrong type) pass
through unchanged.

The policy comes from :class:`RetryPolicy` per store, else from ``zarrc.config``
(``storage.retry.attempts``, ``.timeout``, ``.base_delay``, ``.max_delay``; their defaults are
the config's, which are also :class:`RetryPolicy`'s).
Remote stores (:class:`~zarrc.storage.ObjectStore`, :class:`~zarrc.storage.RedisStore`) retry
each request themselves; :class:`RetryingStore` adds the same to any other store.
"""

from __future__ import annotations

import asyncio
import errno
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from zarrc import config
from zarrc.errors import StoreError, ZarrcError
from zarrc.storage import events
from zarrc.storage.base import ByteRange, Store
from zarrc.storage.wrapper import WrapperStore

__all__ = [
    "RetryPolicy",
    "RetryingStore",
    "classify",
    "describe_error",
    "store_error",
]

_STORAGE: Any = config.DEFAULTS["storage"]  # config values: a nested dict
_DEFAULTS: dict[str, Any] = _STORAGE["retry"]  # the one place the defaults are written
TRANSIENT, PERMANENT, OTHER = "transient", "permanent", "other"
_T = TypeVar("_T")

_TRANSIENT_ERRNOS = {
    errno.EAGAIN,
    errno.EBUSY,
    errno.EINTR,
    errno.ETIMEDOUT,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.ECONNREFUSED,
    errno.EPIPE,
}


def _http_status(exc: BaseException) -> int | None:
    """The HTTP status an exception carries (``status``, ``status_code``, ``response``)."""
    for owner in (exc, getattr(exc, "response", None)):
        for name in ("status", "status_code"):
            value = getattr(owner, name, None)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return None


def classify(exc: BaseException) -> str:
    """``"transient"`` (retry it), ``"permanent"`` (a store failure: raise StoreError at once) or
    ``"other"`` (the caller's error, or one already named: pass it through)."""
    if isinstance(exc, StoreError):
        return TRANSIENT if exc.transient else OTHER
    if isinstance(exc, ZarrcError):
        return OTHER
    if isinstance(exc, (TimeoutError, ConnectionError)):
        return TRANSIENT
    status = _http_status(exc)
    if status is not None:
        return TRANSIENT if status in (408, 429) or status >= 500 else PERMANENT
    if isinstance(exc, OSError):
        return TRANSIENT if exc.errno in _TRANSIENT_ERRNOS else PERMANENT
    return OTHER


def store_error(
    store: object,
    op: str,
    key: str | None,
    exc: BaseException,
    *,
    transient: bool,
    suffix: str = "",
) -> StoreError:
    """The StoreError for ``op`` of ``key`` on ``store`` failing with ``exc`` (a StoreError's
    own cause is named instead of the StoreError, so that messages do not nest)."""
    if isinstance(exc, StoreError) and exc.cause is not None:
        exc = exc.cause
    where = f" of {key!r}" if key is not None else ""
    return StoreError(
        f"{op}{where} on {store!r} failed{suffix}: {describe_error(exc)}",
        store=store,
        key=key,
        cause=exc,
        transient=transient,
    )


def describe_error(exc: BaseException, limit: int = 300) -> str:
    """``Type: first line of the message`` (backend messages can run to pages)."""
    text = str(exc).strip().split("\n", 1)[0]
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass(frozen=True)
class RetryPolicy:
    """How a store retries transient failures.

    Parameters
    ----------
    attempts
        Tries in all, the first included (``1`` turns retries off).
    timeout
        Seconds from the first try after which no further try starts.
    base_delay, max_delay
        The backoff: before retry ``n`` (1, 2, ...) wait a random time in
        ``[0, min(max_delay, base_delay * 2**(n-1)))`` (full jitter).
    """

    attempts: int = _DEFAULTS["attempts"]
    timeout: float = _DEFAULTS["timeout"]
    base_delay: float = _DEFAULTS["base_delay"]
    max_delay: float = _DEFAULTS["max_delay"]

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int):
            raise TypeError(f"RetryPolicy.attempts must be an int, got {self.attempts!r}")
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts must be at least 1, got {self.attempts}")
        for name in ("timeout", "base_delay", "max_delay"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"RetryPolicy.{name} must be a number >= 0, got {value!r}")

    @classmethod
    def from_config(cls) -> RetryPolicy:
        """The policy ``zarrc.config`` describes now (``storage.retry.*``)."""
        return cls(**{f.name: config.get(f"storage.retry.{f.name}") for f in fields(cls)})

    @classmethod
    def resolve(cls, retry: RetryPolicy | dict[str, Any] | bool | None) -> RetryPolicy | None:
        """A store's ``retry=`` argument as a policy: a policy as is, a dict of its fields,
        ``False`` for no retries (one attempt), ``None``/``True`` for "the config at each call"
        (returned as ``None``)."""
        if retry is None or retry is True:
            return None
        if retry is False:
            return cls(attempts=1)
        if isinstance(retry, dict):
            return cls(**retry)
        if isinstance(retry, cls):
            return retry
        raise TypeError(f"retry must be a RetryPolicy, a dict, a bool or None, got {retry!r}")

    def call(
        self, store: object, op: str, key: str | None, fn: Callable[..., _T], *args: Any
    ) -> _T:
        """``fn(*args)``, retried under this policy; failures named by ``store``/``op``/``key``."""
        tries = _Tries(self, store, op, key)
        while True:
            try:
                return fn(*args)
            except Exception as exc:
                delay = tries.failed(exc)
                if delay is None:
                    raise
            time.sleep(delay)

    async def call_async(
        self, store: object, op: str, key: str | None, fn: Callable[..., Awaitable[_T]], *args: Any
    ) -> _T:
        """:meth:`call` for a coroutine function (the waits do not block the event loop)."""
        tries = _Tries(self, store, op, key)
        while True:
            try:
                return await fn(*args)
            except Exception as exc:
                delay = tries.failed(exc)
                if delay is None:
                    raise
            await asyncio.sleep(delay)


class _Tries:
    """The attempts of one request: decides, after each failure, to wait or to give up."""

    def __init__(self, policy: RetryPolicy, store: object, op: str, key: str | None) -> None:
        self.policy, self.store, self.op, self.key = policy, store, op, key
        self.start = time.monotonic()
        self.count = 0

    def failed(self, exc: BaseException) -> float | None:
        """The wait before the next try; ``None`` to re-raise ``exc`` as it is; or raises
        StoreError (a permanent failure, or the retries ran out)."""
        kind = classify(exc)
        if kind == OTHER:
            return None
        if kind == PERMANENT:
            raise store_error(self.store, self.op, self.key, exc, transient=False) from exc
        self.count += 1
        policy = self.policy
        elapsed = time.monotonic() - self.start
        ceiling = min(policy.max_delay, policy.base_delay * 2 ** (self.count - 1))
        delay = random.uniform(0, ceiling)
        if self.count >= policy.attempts or elapsed + delay > policy.timeout:
            suffix = f" after {self.count} attempts in {elapsed:.2f} s"
            raise store_error(
                self.store, self.op, self.key, exc, transient=True, suffix=suffix
            ) from exc
        events.emit(
            "store.retry",
            store=str(self.store),
            op=self.op,
            key=self.key,
            attempt=self.count,
            delay=round(delay, 4),
            error=describe_error(exc, 120),
        )
        return delay


def current_policy(policy: RetryPolicy | None) -> RetryPolicy:
    """``policy``, or the one ``zarrc.config`` describes now when it is ``None``."""
    return policy if policy is not None else RetryPolicy.from_config()


class RetryingStore(WrapperStore):
    """Any store, with every request retried under a :class:`RetryPolicy`.

    Parameters
    ----------
    inner
        The store to wrap (a :class:`~zarrc.storage.FaultyStore`, an FsspecStore, a plug-in).
    retry
        A :class:`RetryPolicy` (or a dict of its fields); ``None`` follows ``zarrc.config``.
    """

    def __init__(self, inner: Store, *, retry: RetryPolicy | dict[str, Any] | None = None) -> None:
        super().__init__(inner)
        self._policy = RetryPolicy.resolve(retry)

    def _call(self, op: str, key: str | None, fn: Callable[..., _T], *args: Any) -> _T:
        return current_policy(self._policy).call(self._inner, op, key, fn, *args)

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        return self._call("get", key, self._inner.get, key, byte_range)

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """Every key fetched and retried on its own (``fetch_concurrency`` at once): a batch
        retried whole would almost never succeed under independent transient failures."""
        return Store.get_many(self, list(keys))

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        return self._call("get_ranges", key, super().get_ranges, key, ranges)

    def exists(self, key: str) -> bool:
        return self._call("exists", key, self._inner.exists, key)

    def list_prefix(self, prefix: str) -> list[str]:
        return self._call("list_prefix", prefix, self._inner.list_prefix, prefix)

    def list_dir(self, prefix: str) -> list[str]:
        return self._call("list_dir", prefix, self._inner.list_dir, prefix)

    def set(self, key: str, value: Any) -> None:
        return self._call("set", key, self._inner.set, key, value)

    def delete(self, key: str) -> None:
        return self._call("delete", key, self._inner.delete, key)

    def delete_prefix(self, prefix: str) -> None:
        return self._call("delete_prefix", prefix, self._inner.delete_prefix, prefix)

    def get_versioned(self, key: str) -> tuple[bytes | None, str | None]:
        return self._call("get_versioned", key, self._inner.get_versioned, key)

    def set_if(self, key: str, value: Any, *, version: str | None) -> bool:
        return self._call("set_if", key, lambda: self._inner.set_if(key, value, version=version))

    def __repr__(self) -> str:
        return f"RetryingStore({self._inner!r})"
