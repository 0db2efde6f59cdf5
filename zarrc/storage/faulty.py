"""FaultyStore: any store made slow and unreliable on purpose, recording every request.

For tests (zarrc's and users') of what happens over a bad network: each request waits
``latency`` seconds (plus up to ``jitter``), and fails with probability ``error_rate`` if its
operation is in ``fail_on`` (empty: every operation), with a transient error (a reset
connection, which stores retry) or, with ``permanent=True``, a permanent one (a 403-style
``PermissionError``). An injected failure happens before the request reaches the inner store,
so it changes nothing there. ``get_many`` is one ``get`` per key, ``fetch_concurrency`` of them
in flight at once, as on a remote store. Every request is recorded in :attr:`FaultyStore.calls`,
with when it started and ended, so a test can see how many were in flight at once
(:meth:`FaultyStore.peak_in_flight`).
"""

from __future__ import annotations

import bisect
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, TypeVar

from zarrc.storage import batch, inflight
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

_T = TypeVar("_T")
_Ranges = ByteRange | tuple[tuple[int, int], ...] | None
"""What a call records of the bytes it asked for: a ``get``'s range, a ``get_ranges``' ranges."""


class _CallFields(NamedTuple):

    op: str
    """The Store method (``"get"``, ``"set"``, ...)."""
    key: str | None
    """The key, or the prefix of a listing or prefix deletion."""
    byte_range: _Ranges
    """The ``byte_range`` of a ``get``, the ranges of a ``get_ranges``, else ``None``."""
    outcome: str
    """``"ok"``, ``"transient"`` / ``"permanent"`` (an injected failure), or ``"error"`` (the
    inner store raised)."""


class Call(_CallFields):
    """One request seen by a :class:`FaultyStore`: ``Call(op, key, byte_range, outcome)``.

    A recorded call also has ``started`` and ``ended`` (``time.perf_counter()`` seconds, the
    injected wait included; ``None`` on a Call made by hand), which equality ignores: tests
    compare calls by what they did, and count overlaps by when.
    """

    started: float | None = None
    ended: float | None = None


def _check_number(name: str, value: object, upper: float | None = None) -> float:
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
    fetch_concurrency
        Requests in flight at once, as a remote store's (settable); ``None`` follows
        ``zarrc.config`` ``storage.fetch_concurrency`` (64).
    """

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
        fetch_concurrency: int | None = None,
    ) -> None:
        super().__init__(inner)
        self._fetch_concurrency = inflight.check_fetch_concurrency(fetch_concurrency)
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

    @property
    def fetch_concurrency(self) -> int:
        """Requests in flight at once: the number given, else ``zarrc.config``'s."""
        return inflight.fetch_concurrency(self._fetch_concurrency)

    @fetch_concurrency.setter
    def fetch_concurrency(self, value: int | None) -> None:
        self._fetch_concurrency = inflight.check_fetch_concurrency(value)

    def peak_in_flight(self, calls: Iterable[Call] | None = None) -> int:
        """The most requests in flight at once among ``calls`` (default: all recorded)."""
        edges: list[tuple[float, int]] = []
        for call in self.calls if calls is None else calls:
            if call.started is not None and call.ended is not None:
                edges += [(call.started, 1), (call.ended, -1)]
        edges.sort()  # at a tie an end (-1) sorts first: touching calls do not overlap
        peak = now = 0
        for _, step in edges:
            now += step
            peak = max(peak, now)
        return peak

    def round_trips(self, calls: Iterable[Call] | None = None) -> int:
        """The longest run of ``calls`` (default: all recorded) each started once the one
        before had ended: how many requests one after another the work waited for, its
        length in round trips however fast or loaded the machine ran it."""
        spans = sorted((call.ended, call.started) for call in (self.calls if calls is None
                                                                else calls)
                       if call.started is not None and call.ended is not None)
        ends = [end for end, _ in spans]
        longest = [0]  # longest[k]: the longest run among the k calls that ended first
        for _, started in spans:  # a call before it in the run ended by the time it started
            run = 1 + longest[bisect.bisect_right(ends, started, 0, len(longest) - 1)]
            longest.append(max(longest[-1], run))
        return longest[-1]

    # -- the request ------------------------------------------------------------------------

    def _record(self, op: str, key: str | None, byte_range: _Ranges, outcome: str,
                started: float) -> None:
        call = Call(op, key, byte_range, outcome)
        call.started, call.ended = started, time.perf_counter()
        self.calls.append(call)

    def _draw(self, op: str) -> tuple[float, bool]:
        """This request's wait and whether it fails."""
        with self._random_lock:
            extra = self._random.uniform(0, self.jitter) if self.jitter else 0.0
            fails = (not self.fail_on or op in self.fail_on) and (
                self.error_rate > 0 and self._random.random() < self.error_rate
            )
        return self.latency + extra, fails

    def _request(
        self, op: str, key: str | None, byte_range: _Ranges, fn: Callable[..., _T], *args: Any
    ) -> _T:
        started = time.perf_counter()
        wait, fails = self._draw(op)
        if wait:
            time.sleep(wait)
        if fails:
            what = f"{op} of {key!r}" if key is not None else op
            if self.permanent:
                self._record(op, key, byte_range, "permanent", started)
                raise PermissionError(f"FaultyStore: injected permanent failure of {what} (403)")
            self._record(op, key, byte_range, "transient", started)
            raise ConnectionResetError(f"FaultyStore: injected transient failure of {what}")
        try:
            result = fn(*args)
        except Exception:
            self._record(op, key, byte_range, "error", started)
            raise
        self._record(op, key, byte_range, "ok", started)
        return result

    # -- requests ---------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        return self._request("get", key, byte_range, self._inner.get, key, byte_range)

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """One ``get`` per key, ``fetch_concurrency`` at once (the default ``get_many``)."""
        keys = [normalize_key(key) for key in keys]
        return batch.many_result(keys, Store.get_many(self, keys))

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        pairs = [(start, stop) for start, stop in ranges]
        return self._request(
            "get_ranges", key, tuple(pairs), batch.get_ranges, self._inner, key, pairs
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
