"""FaultyStore: latency, transient and permanent failures per operation, the record of calls,
and many requests in flight at once (256 keys at 20 ms each take a few rounds, not 256)."""

from __future__ import annotations

import time

import pytest

from zarrc.storage import FaultyStore, MemoryStore
from zarrc.storage.faulty import Call
from zarrc.storage.retry import classify
from zarrc.testing.store import StoreTests


class TestFaultyStoreWithoutFaults(StoreTests):
    def make_store(self, tmp_path):
        return FaultyStore(MemoryStore())


class TestFaultyStoreAroundItself(StoreTests):
    def make_store(self, tmp_path):
        return FaultyStore(FaultyStore(MemoryStore()))


def test_latency_per_request():
    store = FaultyStore(MemoryStore({"k": b"v"}), latency=0.03)
    start = time.perf_counter()
    assert store.get("k") == b"v"
    store.set("j", b"w")
    assert time.perf_counter() - start >= 0.06


def test_get_many_keeps_requests_in_flight():
    """256 chunks at 20 ms each, 64 in flight: about 4 x 20 ms, far from 256 x 20 ms."""
    data = {f"c/{i}": bytes([i]) * 100 for i in range(256)}
    store = FaultyStore(MemoryStore(dict(data)), latency=0.02)
    assert store.fetch_concurrency == 64
    start = time.perf_counter()
    got = store.get_many(list(data))
    elapsed = time.perf_counter() - start
    assert got == list(data.values())
    assert elapsed >= 4 * 0.02  # 256 requests of 20 ms, 64 at a time: 4 round trips at least
    assert store.peak_in_flight() == 64 and 4 <= store.round_trips() <= 8
    assert sorted(c.key for c in store.calls) == sorted(data)
    assert {c.op for c in store.calls} == {"get"} and {c.outcome for c in store.calls} == {"ok"}


def _calls(*spans):
    """Calls made by hand, each ``(started, ended)``."""
    calls = []
    for started, ended in spans:
        call = Call("get", "k", None, "ok")
        call.started, call.ended = started, ended
        calls.append(call)
    return calls


@pytest.mark.parametrize("spans, peak, trips", [
    ([], 0, 0),
    ([(0, 1)], 1, 1),
    ([(0, 1), (1, 2), (2, 3)], 1, 3),  # touching: one after another
    ([(0, 2), (1, 3), (2, 4)], 2, 2),  # the first and the last do not overlap
    ([(0, 10), (1, 2), (3, 4), (5, 6), (7, 8)], 2, 4),  # a long one beside four short
    ([(0, 1), (0, 1), (0, 1), (1, 5), (2, 3), (3, 4)], 3, 3),
])
def test_peak_in_flight_and_round_trips_of_calls(spans, peak, trips):
    store = FaultyStore(MemoryStore())
    calls = _calls(*spans)
    assert store.peak_in_flight(calls) == peak and store.round_trips(calls) == trips
    store.calls.extend(calls)  # the default: every recorded call
    assert store.peak_in_flight() == peak and store.round_trips() == trips
    # a hand-made call without times counts for neither
    assert store.round_trips([*calls, Call("get", "x", None, "ok")]) == trips


def test_transient_failures_on_chosen_operations():
    inner = MemoryStore({"k": b"v"})
    store = FaultyStore(inner, error_rate=1.0, fail_on=("set",))
    assert store.get("k") == b"v"
    with pytest.raises(ConnectionResetError, match="set of 'k'") as info:
        store.set("k", b"new")
    assert classify(info.value) == "transient"
    assert inner.get("k") == b"v"  # the failure came before the request reached the store
    assert store.calls == [Call("get", "k", None, "ok"), Call("set", "k", None, "transient")]


def test_permanent_failures():
    store = FaultyStore(MemoryStore({"k": b"v"}), error_rate=1.0, permanent=True)
    with pytest.raises(PermissionError, match="permanent") as info:
        store.get("k", (0, 1))
    assert classify(info.value) == "permanent"
    assert store.calls == [Call("get", "k", (0, 1), "permanent")]


def test_error_rate_and_seed():
    def outcomes(seed):
        store = FaultyStore(MemoryStore({"k": b"v"}), error_rate=0.3, seed=seed)
        for _ in range(200):
            try:
                store.exists("k")
            except ConnectionResetError:
                pass
        return [c.outcome for c in store.calls]

    first = outcomes(7)
    assert first == outcomes(7) and first != outcomes(8)
    assert 30 <= first.count("transient") <= 90  # 30% of 200, loosely


def test_records_ranges_listings_and_inner_errors():
    inner = FaultyStore(MemoryStore({"a/b": b"0123"}), error_rate=1.0, fail_on=("list_dir",))
    store = FaultyStore(inner)
    assert store.get_ranges("a/b", [(0, 1), (2, 4)]) == [b"0", b"23"]
    assert store.list_prefix("a") == ["a/b"]
    with pytest.raises(ConnectionResetError):
        store.list_dir("a")
    assert store.calls == [
        Call("get_ranges", "a/b", ((0, 1), (2, 4)), "ok"),
        Call("list_prefix", "a", None, "ok"),
        Call("list_dir", "a", None, "error"),  # the inner FaultyStore failed it
    ]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"fail_on": ("fetch",)}, "unknown operation 'fetch'"),
        ({"error_rate": 1.5}, "error_rate"),
        ({"latency": -1}, "latency"),
        ({"jitter": "x"}, "jitter"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FaultyStore(MemoryStore(), **kwargs)
