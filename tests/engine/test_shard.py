"""Partial shard reads: the index and the needed inner chunks only, as few requests as possible."""

import numpy as np
import pytest

import zarrc
from zarrc.engine.shard import coalesce_ranges
from zarrc.storage import LocalStore, MemoryStore
from zarrc.testing import CountingStore


@pytest.fixture
def sharded():
    store = CountingStore()
    x = np.random.default_rng(0).normal(size=(256, 256)).astype("f4")
    a = zarrc.create_array(store, shape=x.shape, dtype=x.dtype, chunks=(16, 16),
                           shards=(128, 128), compressors=["zstd"])
    a[...] = x
    store.reads.clear()
    return store, a, x


def test_one_inner_chunk_costs_two_small_range_reads(sharded):
    store, a, x = sharded
    np.testing.assert_array_equal(a[20:30, 130:140], x[20:30, 130:140])  # one inner chunk
    assert len(store.reads) == 2
    (k1, r1, n1), (k2, r2, n2) = store.reads
    assert k1 == k2 == "c/0/1" and r1[0] < 0 and r2 is not None
    shard_size = len(store.get("c/0/1"))
    assert n1 + n2 < shard_size / 20


@pytest.mark.parametrize("sel", [
    np.s_[5:100:7, 3:250], np.s_[::-1, 130], np.s_[200:3:-9, ::-17], np.s_[[3, 200, 3, 130], 7:9],
])
def test_partial_reads_equal_numpy(sharded, sel):
    store, a, x = sharded
    np.testing.assert_array_equal(a[sel], x[sel])
    assert all(r is not None for _, r, _ in store.reads)  # never a whole-shard read


def test_whole_shards_are_read_whole(sharded):
    store, a, x = sharded
    np.testing.assert_array_equal(a[...], x)
    assert sorted(k for k, _, _ in store.reads) == ["c/0/0", "c/0/1", "c/1/0", "c/1/1"]
    assert all(r is None for _, r, _ in store.reads)


def test_missing_shard_and_missing_inner_chunks_read_as_fill():
    store = CountingStore()
    a = zarrc.create_array(store, shape=(64, 64), dtype="i2", chunks=(8, 8), shards=(32, 32),
                           fill_value=-1)
    a[0:8, 0:8] = 5  # one inner chunk of shard c/0/0; the other shards are absent
    expected = np.full((64, 64), -1, "i2")
    expected[0:8, 0:8] = 5
    np.testing.assert_array_equal(a[4:40, 2:50], expected[4:40, 2:50])


def test_partial_reads_from_a_directory(tmp_path):
    x = np.arange(96 * 96, dtype="u2").reshape(96, 96)
    a = zarrc.create_array(LocalStore(tmp_path / "s.zarr"), shape=x.shape, dtype=x.dtype,
                           chunks=(8, 8), shards=(48, 48))
    a[...] = x
    np.testing.assert_array_equal(a[10:20, 50:90:3], x[10:20, 50:90:3])


def test_coalesce_ranges():
    ranges = [(10, 20), None, (0, 10), (30, 40), (20, 25), (39, 45)]
    assert coalesce_ranges(ranges) == [(0, 25, [2, 0, 4]), (30, 45, [3, 5])]
    assert coalesce_ranges([None, None]) == []


def test_sharded_write_memory_is_bounded_by_shards_in_flight():
    """Writing an array many shards large holds the input plus about one shard per worker."""
    import tracemalloc

    from zarrc import config

    x = np.random.default_rng(1).normal(size=(512, 512)).astype("f4")  # 1 MiB input
    store = MemoryStore()
    a = zarrc.create_array(store, shape=x.shape, dtype=x.dtype, chunks=(32, 32),
                           shards=(64, 64), compressors=None)  # 64 shards of 16 KiB
    shard_bytes = 64 * 64 * 4
    with config.override(threads=2):
        tracemalloc.start()
        tracemalloc.reset_peak()
        a[...] = x
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    stored = sum(len(store.get(k)) for k in store.list_prefix("c"))
    # The store keeps every encoded shard (~ the input size): beyond that, only a few shards
    # are ever in flight, never a copy of the whole array.
    assert peak - stored < 16 * shard_bytes + 256 * 1024, (peak, stored)
    np.testing.assert_array_equal(a[...], x)


@pytest.mark.parametrize("store_kind", ["memory", "local"])  # local: the native loops too
@pytest.mark.parametrize("damage", ["index", "inner"])
@pytest.mark.parametrize("read", [
    lambda a: a[3:40, 30:60],
    lambda a: a.oindex[[3, 21, 35], [33, 50]],  # sorted: read natively
    lambda a: a.oindex[[35, 3, 3], [50, 33]],  # unsorted, repeated
    lambda a: a.vindex[[3, 21, 35], [33, 50, 59]],
    lambda a: a[[3, 35], 40],
])
def test_a_damaged_shard_is_a_codec_error_naming_its_key(tmp_path, store_kind, damage, read):
    store = MemoryStore() if store_kind == "memory" else LocalStore(str(tmp_path))
    x = np.arange(64 * 64, dtype="f8").reshape(64, 64)
    a = zarrc.create_array(store, shape=x.shape, dtype=x.dtype, chunks=(16, 16),
                           shards=(64, 64), compressors=[{"name": "zstd",
                                                          "configuration": {"checksum": True}}])
    a[...] = x
    shard = bytearray(store.get("c/0/0"))
    # the index (16 inner chunks: 256 bytes + crc32c) is at the end; inner chunk (0, 2),
    # holding rows 0-15 and columns 32-47, first of all, is at its stored offset
    offset = int.from_bytes(shard[-260 + 16 * 2:-260 + 16 * 2 + 8], "little")
    shard[-3 if damage == "index" else offset + 20] ^= 0x40
    store.set("c/0/0", bytes(shard))
    with pytest.raises(zarrc.errors.CodecError, match="c/0/0"):
        read(a)
