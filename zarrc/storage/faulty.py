"""FaultyStore: any store made slow and unreliable on purpose, recording every request.

For tests (zarrc's and users') of what happens over a bad network: each request waits
``latency`` seconds (plus up to ``jitter``), and fails with probability ``error_rate`` if its
operation is in ``fail_on`` (empty: every operation), with a transient error (a reset
connection, which stores retry) or, with ``permanent=True``, a permanent one (a 403-style
``PermissionError``). An injected failure happens before the request reaches the inner store,
so it changes nothing there. ``get_many`` is one ``get`` per key, ``fetch_concurrency`` of them
in flight at once, as on a remote store. Every request is recorded in :attr:`FaultyStore.calls`.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from zarrc.storage import batch
from zarrc.storage.base import ByteRange, Store, normalize_key
from zarrc.storage.wrapper import WrapperStore

__all__ = ["Call", "FaultyStore"]

OPERATIONS = (
    "get",
    "get_ranges",
    "exists",
    "list_prefix",
    "list_dir",
    "set",
    "delete",
    "delete_prefix",
    "get_versioned",
    "set_if",
)
"""The requests a FaultyStore can fail (``get_many`` is made of ``get`` requests)."""


class Call(NamedTuple):
    """One request seen by a :class:`FaultyStore`."""

    op: str
    """The Store method (``"get"``, ``"set"``, ...)."""
    key: str | None
    """The key, or the prefix of a listing or prefix deletion."""
    byte_range: Any
    """The ``byte_range`` of a ``get``, the ranges of a ``get_ranges``, else ``None``."""
    outcome: str
    """``"ok"``, ``"transient"`` / ``"permanent"`` (an injected failure), or ``"error"`` (the
    inner store raised)."""


def _check_number(name: str, value: Any, upper: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"FaultyStore {name} must be a number >= 0, got {value!r}")
    if upper is not None and value > upper:
        raise ValueError(f"FaultyStore {name} must be at most {upper}, got {value!r}")
    return float(value)


class FaultyStore(WrapperStore):
    """``inner`` with injected latency and failures; see the module docstring.

    Parameters
    ----------
    inner
        Any store, a FaultyStore included.
    latency, jitter
        Seconds each request waits, plus a uniform random extra in ``[0, jitter]``.
    error_rate
        The probability that a request of an operation in ``fail_on`` fails.
    fail_on
        Store method names to fail (see ``OPERATIONS``); empty means all.
    permanent
        Inject permanent failures instead of transient ones.
    seed
        Seed of the random choices (repeatable in a single thread).
    """

    fetch_concurrency: int = 64
    """Requests of a ``get_many`` in flight at once (a remote store's; settable)."""

    def __init__(
        self,
        inner: Store,
        *,
        latency: float = 0,
        jitter: float = 0,
        error_rate: float = 0,
        fail_on: Iterable[str] = (),
        permanent: bool = False,
        seed: int | None = None,
    ) -> None:
        super().__init__(inner)
        self.latency = _check_number("latency", latency)
        self.jitter = _check_number("jitter", jitter)
        self.error_rate = _check_number("error_rate", error_rate, 1.0)
        if isinstance(fail_on, str):
            fail_on = (fail_on,)
        self.fail_on = tuple(fail_on)
        for op in self.fail_on:
            if op not in OPERATIONS:
                raise ValueError(
                    f"FaultyStore fail_on names unknown operation {op!r}; known: {OPERATIONS}"
                )
        self.permanent = bool(permanent)
        self.seed = seed
        self.calls: list[Call] = []
        """Every request, in the order they ended."""
        self._random = random.Random(seed)
        self._random_lock = threading.Lock()

    # -- the request ------------------------------------------------------------------------

    def _draw(self, op: str) -> tuple[float, bool]:
        """This request's wait and whether it fails."""
        with self._random_lock:
            extra = self._random.uniform(0, self.jitter) if self.jitter else 0.0
            fails = (not self.fail_on or op in self.fail_on) and (
                self.error_rate > 0 and self._random.random() < self.error_rate
            )
        return self.latency + extra, fails

    def _request(self, op: str, key: str | None, byte_range: Any, fn: Callable, *args: Any):
        wait, fails = self._draw(op)
        if wait:
            time.sleep(wait)
        if fails:
            what = f"{op} of {key!r}" if key is not None else op
            if self.permanent:
                self.calls.append(Call(op, key, byte_range, "permanent"))
                raise PermissionError(f"FaultyStore: injected permanent failure of {what} (403)")
            self.calls.append(Call(op, key, byte_range, "transient"))
            raise ConnectionResetError(f"FaultyStore: injected transient failure of {what}")
        try:
            result = fn(*args)
        except Exception:
            self.calls.append(Call(op, key, byte_range, "error"))
            raise
        self.calls.append(Call(op, key, byte_range, "ok"))
        return result

    # -- requests ---------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        return self._request("get", key, byte_range, self._inner.get, key, byte_range)

    def get_many(self, keys: Iterable[str]) -> Any:
        keys = [normalize_key(key) for key in keys]
        workers = max(1, min(len(keys), int(self.fetch_concurrency)))
        if workers == 1:
            values = [self.get(key) for key in keys]
        else:
            with ThreadPoolExecutor(workers, thread_name_prefix="zarrc-faulty") as pool:
                values = list(pool.map(self.get, keys))
        return batch.many_result(keys, values)

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        ranges = [tuple(r) for r in ranges]
        return self._request(
            "get_ranges", key, tuple(ranges), batch.get_ranges, self._inner, key, ranges
        )

    def exists(self, key: str) -> bool:
        return self._request("exists", key, None, self._inner.exists, key)

    def list_prefix(self, prefix: str) -> list[str]:
        return self._request("list_prefix", prefix, None, self._inner.list_prefix, prefix)

    def list_dir(self, prefix: str) -> list[str]:
        return self._request("list_dir", prefix, None, self._inner.list_dir, prefix)

    def set(self, key: str, value: Any) -> None:
        self._request("set", key, None, self._inner.set, key, value)

    def delete(self, key: str) -> None:
        self._request("delete", key, None, self._inner.delete, key)

    def delete_prefix(self, prefix: str) -> None:
        self._request("delete_prefix", prefix, None, self._inner.delete_prefix, prefix)

    def get_versioned(self, key: str) -> tuple[bytes | None, str | None]:
        return self._request("get_versioned", key, None, self._inner.get_versioned, key)

    def set_if(self, key: str, value: Any, *, version: str | None) -> bool:
        return self._request(
            "set_if", key, None, lambda: self._inner.set_if(key, value, version=version)
        )

    def __repr__(self) -> str:
        return (
            f"FaultyStore({self._inner!r}, latency={self.latency}, "
            f"error_rate={self.error_rate}, permanent={self.permanent})"
        )
