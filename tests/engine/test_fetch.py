"""Batches of a read over a network (``zarrc.engine.fetch``): the first ones hold one chunk
each, one per decode thread, so that decoding starts on the first chunks to arrive; the rest
hold ``batch_size`` chunks; together they cover every chunk once, in order, and never keep
more requests in flight than the store's window. Both chunk-I/O implementations batch alike.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from types import SimpleNamespace

import numpy as np
import pytest

import zarrc
from zarrc.engine.fetch import batch_bounds, batch_size, leading_singles
from zarrc.engine.native.state import fetch_batches
from zarrc.engine.reference import _batches, _batching
from zarrc.storage import FaultyStore, MemoryStore
from zarrc.testing.engine import KINDS, engine


def spans(bounds: list[tuple[int, int]]) -> list[int]:
    return [end - begin for begin, end in bounds]


@pytest.mark.parametrize("threads", [1, 2, 4])
@pytest.mark.parametrize("total", [1, 2, 3, 7, 18, 256, 1000])
@pytest.mark.parametrize("size", [1, 2, 3, 8, 64])
def test_batch_bounds_cover_every_entry_once_in_order(threads: int, total: int,
                                                      size: int) -> None:
    with zarrc.config.set({"threads": threads}):
        bounds = batch_bounds(total, size)
        singles = leading_singles(total, size)
    covered = [i for begin, end in bounds for i in range(begin, end)]
    assert covered == list(range(total))
    lengths = spans(bounds)
    expected_singles = 0 if size == 1 else min(total, threads)
    assert singles == expected_singles
    assert lengths[:singles] == [1] * singles
    rest = lengths[singles:]
    assert all(n == size for n in rest[:-1]) and (not rest or 1 <= rest[-1] <= size)


def test_batch_bounds_examples() -> None:
    with zarrc.config.set({"threads": 2}):
        assert batch_bounds(18, 3) == [(0, 1), (1, 2), (2, 5), (5, 8), (8, 11), (11, 14),
                                       (14, 17), (17, 18)]
        assert batch_bounds(5, 1) == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]
        assert batch_bounds(1, 8) == [(0, 1)]
        assert batch_bounds(0, 8) == []


def test_batch_size_is_a_fraction_of_the_window_and_of_each_threads_share() -> None:
    with zarrc.config.set({"threads": 2}):
        assert batch_size(256, 64) == 8  # an eighth of the window
        assert batch_size(18, 64) == 3  # a quarter of each thread's 9
        assert batch_size(256, 64, cap=2) == 2
        assert batch_size(1, 1) == 1
        assert batch_size(256, 64, batched=False) == 1  # a store that gains nothing from batches


def test_native_batches_stay_within_the_window() -> None:
    """Over a network: batch_bounds, with no more batches in flight than the window holds
    (even once the single-chunk batches are done); with nothing to wait for, no singles."""
    with zarrc.config.set({"threads": 2}):
        bounds, in_flight = fetch_batches(256, 1 << 20, 64)
        assert bounds == batch_bounds(256, batch_size(256, 64, 64))
        assert spans(bounds)[:3] == [1, 1, 8]
        assert in_flight * max(spans(bounds)) <= 64
        local, one = fetch_batches(256, 1 << 20, 1)
        assert one == 1 and spans(local)[0] > 1


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("total,window", [(256, 64), (18, 64), (5, 64), (100, 1), (3, 8)])
def test_reference_batches_match_the_native_ones(total: int, window: int,
                                                 batched: bool) -> None:
    store = SimpleNamespace(fetch_concurrency=window, get_many_batches=batched)
    with zarrc.config.set({"threads": 2}):
        singles, size, in_flight = _batching(total, store)
        batches = list(_batches(iter(range(total)), singles, size))
        if window > 1:
            native, native_in_flight = fetch_batches(total, 4096, window, batched=batched)
            assert [(b[0], b[-1] + 1) for b in batches] == native
            assert in_flight == native_in_flight and in_flight * size <= window
            if not batched:  # one key per get_many, the whole window of them in flight
                assert size == 1 and singles == 0 and in_flight == window
        else:
            assert singles == 0 and in_flight == 1
    assert [i for b in batches for i in b] == list(range(total))


class _Batches(FaultyStore):
    """A slow store that records the keys of each ``get_many`` call."""

    def __init__(self, inner: MemoryStore) -> None:
        super().__init__(inner, latency=0.005, fetch_concurrency=64)
        self.batches: list[list[str]] = []
        self._lock = threading.Lock()

    def get_many(self, keys: Iterable[str]) -> list[bytes | None]:
        keys = list(keys)
        with self._lock:
            self.batches.append(keys)
        return super().get_many(keys)


_DATA = np.arange(64 * 64, dtype="i4").reshape(64, 64)


def _slow_array(kind: type[_Batches]) -> _Batches:
    """A ``kind`` store over a MemoryStore holding ``_DATA`` in 8 x 8 chunks (64 of them)."""
    inner = MemoryStore()
    zarrc.create_array(inner, shape=_DATA.shape, chunks=(8, 8), dtype="i4")[...] = _DATA
    return kind(inner)


@pytest.mark.parametrize("kind", KINDS)
def test_a_remote_read_fetches_its_first_chunks_alone(kind: str) -> None:
    """The first chunks of the plan (one per decode thread) are each fetched by a
    ``get_many`` of their own; the others in batches of ``batch_size``."""
    store, data = _slow_array(_Batches), _DATA
    with zarrc.config.set({"threads": 2}), engine(kind):
        a = zarrc.open_array(store, mode="r")
        np.testing.assert_array_equal(a[...], data)  # 64 chunks
        size = batch_size(64, 64)
    singles = [keys for keys in store.batches if len(keys) == 1]
    assert sorted(singles) == [["c/0/0"], ["c/0/1"]]
    assert sorted(len(keys) for keys in store.batches) == sorted(spans(batch_bounds(64, size)))
    assert size > 1
    assert sorted(k for keys in store.batches for k in keys) == sorted(
        f"c/{i}/{j}" for i in range(8) for j in range(8))


class _Unbatched(_Batches):
    """The same slow store, saying that a batch costs it as much as its keys one by one."""

    get_many_batches = False


@pytest.mark.parametrize("kind", KINDS)
def test_a_store_that_gains_nothing_from_batches_gets_one_key_per_call(kind: str) -> None:
    """``Store.get_many_batches`` False (an object store: every key its own request): each
    ``get_many`` asks for one key, and up to the whole window of them run at once."""
    store, data = _slow_array(_Unbatched), _DATA
    with zarrc.config.set({"threads": 2}), engine(kind):
        a = zarrc.open_array(store, mode="r")
        np.testing.assert_array_equal(a[...], data)  # 64 chunks
        np.testing.assert_array_equal(a[3:61, 5:40], data[3:61, 5:40])
    assert store.batches and all(len(keys) == 1 for keys in store.batches)
    assert sum(1 for call in store.calls
               if call.op == "get" and call.key.startswith("c/")) == 64 + 8 * 5
    assert store.peak_in_flight() > 8  # many requests at once, not one batch after another
