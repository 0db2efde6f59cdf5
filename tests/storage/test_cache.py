"""CacheStore: reads served from memory within a byte budget (least recently used out first),
never stale after writes through it, also while reads and writes race in threads."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import zarrc
from zarrc.storage import CacheStore, FaultyStore, MemoryStore
from zarrc.testing.store import StoreTests


class TestCacheStore(StoreTests):
    def make_store(self, tmp_path):
        return CacheStore(MemoryStore(), max_bytes=1 << 20)


class TestTinyCacheStore(StoreTests):
    """A budget smaller than most values: eviction on nearly every read."""

    def make_store(self, tmp_path):
        return CacheStore(MemoryStore(), max_bytes=64)


def _counting(data):
    inner = FaultyStore(MemoryStore(data))  # no faults: it only records the requests
    return inner, CacheStore(inner, max_bytes=1000)


def _gets(inner):
    return [c.key for c in inner.calls if c.op == "get"]


def test_repeated_reads_are_served_from_memory():
    inner, cache = _counting({"zarr.json": b"{}", "c/0": b"x" * 100})
    for _ in range(3):
        assert cache.get("zarr.json") == b"{}"
        assert cache.get("c/0") == b"x" * 100
        assert cache.get("c/0", (10, 20)) == b"x" * 10  # sliced from the cached value
        assert cache.get("absent") is None  # absence is cached too
        assert cache.exists("c/0") and not cache.exists("absent")
    assert _gets(inner) == ["zarr.json", "c/0", "absent"]
    assert cache.hits == 9 and cache.misses == 3


def test_least_recently_used_goes_first_within_the_budget():
    data = {f"k{i}": bytes([i]) * 298 for i in range(4)}  # 300 bytes each with the key
    inner, cache = _counting(data)
    for key in ("k0", "k1", "k2"):
        cache.get(key)
    assert cache.cached_bytes == 900
    cache.get("k0")  # k0 is now the most recently used
    cache.get("k3")  # over budget: k1 goes
    assert cache.cached_bytes == 900
    inner.calls.clear()
    for key in ("k0", "k2", "k3"):
        assert cache.get(key) == data[key]
    assert _gets(inner) == []
    assert cache.get("k1") == data["k1"]
    assert _gets(inner) == ["k1"]


def test_values_larger_than_the_budget_are_not_cached():
    inner, cache = _counting({"big": b"b" * 5000, "small": b"s"})
    cache.get("small")
    for _ in range(2):
        assert cache.get("big") == b"b" * 5000
    assert _gets(inner).count("big") == 2 and cache.cached_bytes == len("small") + 1


def test_ranges_are_cached_on_their_own():
    inner, cache = _counting({"shard": bytes(range(200))})
    assert cache.get_ranges("shard", [(0, 10), (100, 110)]) == [
        bytes(range(10)), bytes(range(100, 110))
    ]
    assert cache.get_ranges("shard", [(0, 10), (100, 110)]) == [
        bytes(range(10)), bytes(range(100, 110))
    ]
    assert cache.get("shard", (-4, None)) == bytes(range(196, 200))
    assert cache.get("shard", (-4, None)) == bytes(range(196, 200))
    assert [c.op for c in inner.calls] == ["get_ranges", "get"]
    assert cache.get_ranges("absent", [(0, 1)]) is None


def test_get_many_uses_and_fills_the_cache():
    inner, cache = _counting({"a": b"1", "b": b"2", "c": b"3"})
    cache.get("a")
    assert cache.get_many(["a", "b", "zz"]) == [b"1", b"2", None]
    assert cache.get_many(["a", "b", "zz", "c"]) == [b"1", b"2", None, b"3"]
    assert _gets(inner) == ["a", "b", "zz", "c"]


def test_writes_through_the_cache_are_never_stale():
    inner, cache = _counting({})
    cache.set("k", b"old")
    assert cache.get("k") == b"old"
    cache.set("k", b"new")
    assert cache.get("k") == b"new"
    assert cache.get("k", (0, 1)) == b"n"
    cache.delete("k")
    assert cache.get("k") is None and not cache.exists("k")
    cache.set("d/a", b"1")
    cache.set("d/b", b"2")
    cache.set("keep", b"3")
    assert cache.get_many(["d/a", "d/b", "keep"]) == [b"1", b"2", b"3"]
    cache.delete_prefix("d")
    assert cache.get_many(["d/a", "d/b", "keep"]) == [None, None, b"3"]


def test_conditional_writes_invalidate(tmp_path):
    from zarrc.storage import SQLiteStore

    cache = CacheStore(SQLiteStore(tmp_path / "c.db"), max_bytes=1000)
    assert cache.supports_conditional_writes
    cache.set("k", b"old")
    assert cache.get("k") == b"old"
    value, version = cache.get_versioned("k")
    assert cache.set_if("k", b"new", version=version)
    assert cache.get("k") == b"new"


def test_writes_that_bypass_the_cache_need_invalidate():
    inner, cache = _counting({"k": b"old"})
    assert cache.get("k") == b"old"
    inner.set("k", b"new")  # another writer
    assert cache.get("k") == b"old"  # stale, as documented
    cache.invalidate("k")
    assert cache.get("k") == b"new"
    inner.set("k", b"newer")
    cache.invalidate()
    assert cache.get("k") == b"newer" and cache.cached_bytes == len("k") + 5


def test_racing_reads_never_cache_a_value_older_than_a_write():
    """A reader that fetched the old value while a writer replaced it must not cache it."""
    inner = MemoryStore({"k": b"0"})
    slow = FaultyStore(inner, latency=0.002)
    cache = CacheStore(slow, max_bytes=10_000)
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            cache.get("k")

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        for i in range(1, 40):
            value = str(i).encode()
            cache.set("k", value)
            assert cache.get("k") == value  # the writer reads its own write, not older
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert cache.get("k") == b"39"


def test_array_reads_through_the_cache():
    inner = FaultyStore(MemoryStore())
    cache = CacheStore(inner, max_bytes=1 << 20)
    a = zarrc.create_array(cache, shape=(20, 20), chunks=(10, 10), dtype="i4")
    a[...] = np.arange(400).reshape(20, 20)
    inner.calls.clear()
    for _ in range(3):
        np.testing.assert_array_equal(a[...], np.arange(400).reshape(20, 20))
    assert len(inner.calls) == 4  # each chunk read once
    zarrc.open_array(cache, mode="r")  # reads zarr.json (written through the cache: dropped)
    inner.calls.clear()
    reader = zarrc.open_array(cache, mode="r")  # a read-only twin sharing the cache
    np.testing.assert_array_equal(reader[5:15, 5:15], np.arange(400).reshape(20, 20)[5:15, 5:15])
    assert inner.calls == []  # metadata and chunks: all from memory
    a[0, 0] = -1
    assert zarrc.open_array(cache, mode="r")[0, 0] == -1


def test_bad_budget():
    with pytest.raises(ValueError, match="max_bytes"):
        CacheStore(MemoryStore(), max_bytes=-1)
