"""Latency hiding (issue 15, item 7): a store's requests are kept in flight by the store's
number (``fetch_concurrency``), not by the decode threads, so with 20 ms per request 256 chunks
take a few round trips, not 256, on both chunk-I/O implementations: box reads, sharded reads
(shard indexes in flight together), point reads, and writes.

The stores are ``FaultyStore(MemoryStore, latency=0.02)``: each request sleeps 20 ms, and
``FaultyStore.calls`` shows how many requests were in flight and how many round trips the work
took (the longest run of requests one after another), which a loaded machine stretches in
time but hardly in number: no test asserts a wall-clock time.
"""

from __future__ import annotations

import numpy as np
import pytest

import zarrc
from zarrc.storage import FaultyStore, MemoryStore
from zarrc.testing.engine import KINDS, engine, io_kinds

LATENCY = 0.02
WINDOW = 32  # the store's requests in flight, the configured concurrency
SHAPE, CHUNKS = (512, 512), (32, 32)  # 256 chunks
N = 256
DATA = np.arange(SHAPE[0] * SHAPE[1], dtype="i4").reshape(SHAPE)


def slow(inner, window: int = WINDOW) -> FaultyStore:
    return FaultyStore(inner, latency=LATENCY, fetch_concurrency=window)


def stored(shards=None) -> MemoryStore:
    inner = MemoryStore()
    a = zarrc.create_array(inner, shape=SHAPE, chunks=CHUNKS, shards=shards, dtype="i4",
                           compressors={"name": "zstd", "configuration": {"level": 1}})
    a[...] = DATA
    return inner


def opened(store, kind: str):
    with engine(kind):
        a = zarrc.open_array(store, mode="r+")
    assert io_kinds(a)[0] == kind
    return a


@pytest.fixture(scope="module")
def plain() -> MemoryStore:
    return stored()


@pytest.mark.parametrize("kind", KINDS)
def test_256_chunks_take_a_few_round_trips(plain, kind):
    """256 chunks, 32 requests in flight: within twice the 8 round trips that takes (issue 15
    item 9), with at least half the configured requests in flight."""
    store = slow(plain)
    b = opened(store, kind)
    store.calls.clear()
    np.testing.assert_array_equal(b[...], DATA)
    gets = [c for c in store.calls if c.op == "get"]
    assert len(gets) == N and {c.key for c in gets} == {f"c/{i}/{j}" for i in range(16)
                                                        for j in range(16)}
    assert store.peak_in_flight(gets) >= WINDOW // 2
    assert store.peak_in_flight(gets) <= WINDOW  # sized for the store, not more
    assert store.round_trips(gets) <= 2 * N // WINDOW  # far from one request after another


@pytest.mark.parametrize("kind", KINDS)
def test_the_configured_concurrency_is_the_window(plain, kind):
    """``zarrc.config`` ``storage.fetch_concurrency`` sizes a remote store given no number."""
    store = FaultyStore(plain, latency=LATENCY)
    with zarrc.config.set({"storage.fetch_concurrency": 8}):
        assert store.fetch_concurrency == 8
        a = opened(store, kind)
        np.testing.assert_array_equal(a[:256], DATA[:256])  # 128 chunks
    assert 4 <= store.peak_in_flight() <= 8
    assert store.fetch_concurrency == 64  # the default again


@pytest.mark.parametrize("kind", KINDS)
def test_shard_indexes_are_read_together(kind):
    """64 shards read in part: each an index read then one range request, the indexes of
    all shards in flight together (about 2 x 2 round trips, not 2 x 64)."""
    inner = stored(shards=(64, 64))
    store = slow(inner)
    a = opened(store, kind)
    sel = (slice(None, None, 2), slice(None, None, 2))  # every shard, none of them whole
    store.calls.clear()
    np.testing.assert_array_equal(a[sel], DATA[sel])
    indexes = [c for c in store.calls if c.op == "get" and c.byte_range is not None]
    assert len({c.key for c in indexes}) == 64
    assert store.peak_in_flight(indexes) >= WINDOW // 2
    assert store.round_trips() <= 2 * (2 * 64 // WINDOW)  # 2 x 2 round trips, twice at most


@pytest.mark.parametrize("kind", KINDS)
def test_point_reads_keep_requests_in_flight(plain, kind):
    store = slow(plain)
    a = opened(store, kind)
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, SHAPE[0], 2000), rng.integers(0, SHAPE[1], 2000)
    store.calls.clear()
    np.testing.assert_array_equal(a.vindex[rows, cols], DATA[rows, cols])  # every chunk
    assert store.peak_in_flight() >= WINDOW // 2
    assert store.round_trips() <= 2 * N // WINDOW
    store.calls.clear()
    picked = np.sort(rng.choice(SHAPE[0], 100, replace=False))
    np.testing.assert_array_equal(a.oindex[picked, picked], DATA[np.ix_(picked, picked)])
    assert store.peak_in_flight() >= WINDOW // 2
    assert store.round_trips() <= 2 * N // WINDOW


@pytest.mark.parametrize("kind", KINDS)
def test_writes_keep_requests_in_flight(kind):
    """Whole chunks: 256 sets in flight beside the encoding; partial chunks: each chunk's
    read-modify-write is one task in flight."""
    inner = MemoryStore()
    with engine(kind):
        zarrc.create_array(inner, shape=SHAPE, chunks=CHUNKS, dtype="i4",
                           compressors={"name": "zstd", "configuration": {"level": 1}})
    store = slow(inner)
    a = opened(store, kind)
    assert io_kinds(a)[2] == kind
    a[...] = DATA
    sets = [c for c in store.calls if c.op == "set"]
    assert len(sets) == N and store.peak_in_flight(sets) >= WINDOW // 2
    assert store.round_trips(sets) <= 2 * N // WINDOW
    np.testing.assert_array_equal(zarrc.open_array(inner, mode="r")[...], DATA)

    store.calls.clear()
    a[1:-1, 1:-1] = -DATA[1:-1, 1:-1]  # 60 edge chunks in part, 196 whole
    expected = DATA.copy()
    expected[1:-1, 1:-1] *= -1
    np.testing.assert_array_equal(zarrc.open_array(inner, mode="r")[...], expected)
    assert store.peak_in_flight() >= WINDOW // 2
    assert store.round_trips() <= 2 * (N + 60) // WINDOW  # 60 reads and 256 writes


def test_a_failed_write_request_is_raised_and_stops_the_write():
    inner = MemoryStore()
    zarrc.create_array(inner, shape=SHAPE, chunks=CHUNKS, dtype="i4")
    store = FaultyStore(inner, latency=0.001, error_rate=1.0, fail_on=("set",), permanent=True,
                        fetch_concurrency=WINDOW)
    a = zarrc.open_array(store, mode="r+")
    with pytest.raises(PermissionError, match="injected permanent failure of set"):
        a[...] = DATA
    assert len([c for c in store.calls if c.op == "set"]) < N  # stopped early
    assert not [k for k in inner.list_prefix("c")]  # nothing reached the store
