"""Retries: transient failures are retried with bounded, jittered backoff and reported; permanent
ones and exhausted retries raise StoreError; a 256-chunk array survives 20% transient faults and
is left unchanged by permanent ones."""

from __future__ import annotations

import errno
import logging

import numpy as np
import pytest

import zarrc
import zarrc.storage.retry as retry_module
from zarrc.errors import ReadOnlyError, StoreError
from zarrc.storage import FaultyStore, MemoryStore, RetryingStore, RetryPolicy
from zarrc.storage.retry import classify
from zarrc.testing.store import StoreTests

FAST = RetryPolicy(attempts=20, base_delay=0.0005, max_delay=0.002)


class TestRetryingStore(StoreTests):
    def make_store(self, tmp_path):
        return RetryingStore(MemoryStore(), retry=FAST)


class _Status(Exception):
    def __init__(self, status):
        self.status = status


@pytest.mark.parametrize(
    "error, kind",
    [
        (TimeoutError("t"), "transient"),
        (ConnectionResetError("r"), "transient"),
        (ConnectionRefusedError("r"), "transient"),
        (_Status(503), "transient"),
        (_Status(429), "transient"),
        (_Status(403), "permanent"),
        (_Status(404), "permanent"),
        (OSError(errno.EAGAIN, "again"), "transient"),
        (PermissionError("403"), "permanent"),
        (FileNotFoundError("no bucket"), "permanent"),
        (StoreError("x", transient=True), "transient"),
        (StoreError("x"), "other"),
        (ReadOnlyError("ro"), "other"),
        (ValueError("bad key"), "other"),
        (TypeError("bad value"), "other"),
    ],
)
def test_classify(error, kind):
    assert classify(error) == kind


def test_backoff_is_full_jitter_and_bounded(monkeypatch):
    waits = []
    monkeypatch.setattr(retry_module.time, "sleep", waits.append)
    policy = RetryPolicy(attempts=6, base_delay=0.1, max_delay=0.3, timeout=100)
    calls = []

    def always_times_out():
        calls.append(1)
        raise TimeoutError("slow")

    with pytest.raises(StoreError, match="after 6 attempts") as info:
        policy.call("store-x", "get", "a/0", always_times_out)
    assert len(calls) == 6 and len(waits) == 5
    for n, wait in enumerate(waits, start=1):
        assert 0 <= wait <= min(0.3, 0.1 * 2 ** (n - 1))
    error = info.value
    assert error.transient and error.key == "a/0" and isinstance(error.cause, TimeoutError)
    assert "get of 'a/0' on 'store-x'" in str(error) and "TimeoutError: slow" in str(error)


def test_total_time_bounds_the_retries(monkeypatch):
    monkeypatch.setattr(retry_module.time, "sleep", lambda s: None)
    clock = iter(range(0, 1000, 10))  # each look at the clock: 10 s later
    monkeypatch.setattr(retry_module.time, "monotonic", lambda: next(clock))
    policy = RetryPolicy(attempts=100, timeout=25, base_delay=0.001)
    calls = []

    def fails():
        calls.append(1)
        raise ConnectionResetError("reset")

    with pytest.raises(StoreError, match="attempts in"):
        policy.call("s", "set", "k", fails)
    assert len(calls) == 3  # tried at 10 s and 20 s after the start, not at 30 s


def test_policy_validation_and_resolution():
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="timeout"):
        RetryPolicy(timeout=-1)
    assert RetryPolicy.resolve(False).attempts == 1
    assert RetryPolicy.resolve({"attempts": 3}).attempts == 3
    assert RetryPolicy.resolve(None) is None and RetryPolicy.resolve(FAST) is FAST
    with pytest.raises(TypeError):
        RetryPolicy.resolve("often")


def test_config_supplies_the_policy():
    from zarrc import config

    assert RetryPolicy.from_config() == RetryPolicy()  # the config's defaults are the policy's
    assert RetryPolicy().attempts == config.get("storage.retry.attempts") == 8
    with config.set({"storage.retry.attempts": 1, "storage.retry.max_delay": 0.5}):
        assert RetryPolicy.from_config() == RetryPolicy(attempts=1, max_delay=0.5)
        store = RetryingStore(FaultyStore(MemoryStore({"k": b"v"}), error_rate=1.0))
        with pytest.raises(StoreError, match="after 1 attempts"):
            store.get("k")
    assert RetryPolicy.from_config() == RetryPolicy()


@pytest.mark.parametrize("values", [{"storage.retry.attempts": 0},
                                    {"storage.retry.attempts": 2.5},
                                    {"storage.retry.timeout": -1},
                                    {"storage": {"retry": {"base_delay": "fast"}}},
                                    {"storage.retry.max_delay": float("nan")},
                                    {"storage.fetch_concurrency": 0},
                                    {"storage.fetch_concurrency": True}])
def test_bad_storage_settings_are_refused(values):
    from zarrc import config

    before = config.to_dict()
    with pytest.raises(ValueError, match="storage"):
        config.set(values)
    assert config.to_dict() == before


def test_each_retry_is_reported(caplog):
    store = RetryingStore(FaultyStore(MemoryStore({"k": b"v"}), error_rate=0.5, seed=3), retry=FAST)
    with caplog.at_level(logging.INFO, logger="zarrc.storage"):
        for _ in range(20):
            assert store.get("k") == b"v"
    failures = [c for c in store.inner.calls if c.outcome == "transient"]
    events = [r for r in caplog.records if getattr(r, "event", None) == "store.retry"]
    assert failures and len(events) == len(failures)
    assert all(r.fields["op"] == "get" and r.fields["key"] == "k" for r in events)
    assert "store.retry" in events[0].getMessage()


def test_caller_errors_pass_through():
    store = RetryingStore(MemoryStore(), retry=FAST)
    with pytest.raises(ValueError):
        store.get("../x")
    with pytest.raises(ReadOnlyError):
        store.with_read_only(True).set("k", b"v")


# -- a 256-chunk array over a faulty store ----------------------------------------------------

SHAPE, CHUNKS = (256, 16), (1, 16)


def _data():
    return np.arange(SHAPE[0] * SHAPE[1], dtype="i4").reshape(SHAPE)


def test_array_survives_20_percent_transient_failures():
    inner = MemoryStore()
    faulty = FaultyStore(inner, error_rate=0.2, seed=1)
    store = RetryingStore(faulty, retry=FAST)
    a = zarrc.create_array(store, shape=SHAPE, chunks=CHUNKS, dtype="i4", fill_value=-1)
    data = _data()
    a[...] = data  # 256 whole chunks
    a[:, 3:5] = 0  # 256 partial chunks: read-modify-write
    data[:, 3:5] = 0
    np.testing.assert_array_equal(a[...], data)
    np.testing.assert_array_equal(zarrc.open_array(inner, mode="r")[...], data)
    outcomes = [c.outcome for c in faulty.calls]
    assert outcomes.count("transient") > 100  # faults were injected throughout
    assert {c.op for c in faulty.calls if c.outcome == "transient"} >= {"get", "set"}


def test_permanent_write_failure_raises_at_once_and_changes_nothing():
    inner = MemoryStore()
    zarrc.create_array(inner, shape=SHAPE, chunks=CHUNKS, dtype="i4", fill_value=-1)[...] = _data()
    before = dict(inner.data)
    faulty = FaultyStore(inner, error_rate=1.0, permanent=True, fail_on=("set", "delete"))
    a = zarrc.open_array(RetryingStore(faulty, retry=FAST), mode="r+")
    for write in ("whole chunks", "partial chunks"):
        faulty.calls.clear()
        with pytest.raises(StoreError) as info:
            if write == "whole chunks":
                a[...] = 0  # written without reading
            else:
                a[:, 2:3] = 5  # read, then the write fails
        assert not info.value.transient and "permanent" in str(info.value)
        failed = [c for c in faulty.calls if c.outcome == "permanent"]
        assert failed and all(c.op == "set" for c in failed)
        assert len(failed) == len({c.key for c in failed})  # none was retried
    assert dict(inner.data) == before
    np.testing.assert_array_equal(a[...], _data())  # reads still work


def test_reads_under_permanent_failure_raise():
    inner = MemoryStore()
    zarrc.create_array(inner, shape=SHAPE, chunks=CHUNKS, dtype="i4")[...] = _data()
    faulty = FaultyStore(inner, error_rate=1.0, permanent=True, fail_on=("get",))
    with pytest.raises(StoreError, match="permanent"):
        zarrc.open_array(RetryingStore(faulty, retry=FAST), mode="r")
