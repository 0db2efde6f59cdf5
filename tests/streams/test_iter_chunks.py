"""Read streams: ``iter_chunks`` and ``iter_slices`` against NumPy, on both chunk-I/O paths, with
their read-ahead bound, each chunk (and shard index) read once, and a clean stop."""

from __future__ import annotations

import gc
import threading
import time
import tracemalloc
from collections import Counter

import numpy as np
import pytest
from helpers import WatchedStore

import zarrc
from zarrc.storage import LocalStore
from zarrc.testing.counting import CountingStore
from zarrc.testing.engine import KINDS, engine, io_kinds

RNG = np.random.default_rng(7)
DATA = RNG.standard_normal((70, 45)).astype("f4")


def _stream_threads() -> list:
    return [t for t in threading.enumerate() if t.name.startswith("zarrc-stream")]


@pytest.fixture(params=KINDS)
def kind(request):
    with engine(request.param):
        yield request.param


def _arrays(tmp_path, data=DATA):
    """The same data as a plain, a compressed v2, an F-ordered, a sharded and a rectilinear
    array (edge chunks and shards everywhere)."""
    store = LocalStore(tmp_path / "s.zarr")
    out = {
        "plain": zarrc.create_array(store, name="plain", shape=data.shape, chunks=(16, 10),
                                    dtype=data.dtype, compressors=None),
        "zstd_v2": zarrc.create_array(store, name="v2", shape=data.shape, chunks=(16, 10),
                                      dtype=data.dtype, zarr_format=2,
                                      compressors={"id": "zstd", "level": 1}),
        "sharded": zarrc.create_array(store, name="sharded", shape=data.shape, chunks=(8, 5),
                                      shards=(16, 20), dtype=data.dtype),
        "memory": zarrc.create_array(zarrc.storage.MemoryStore(), shape=data.shape,
                                     chunks=(9, 7), dtype=data.dtype),
    }
    for a in out.values():
        a[...] = data
    return out


@pytest.mark.parametrize("ordered", [True, False])
def test_iter_chunks_gives_every_chunk_as_numpy_does(tmp_path, kind, ordered):
    for name, a in _arrays(tmp_path).items():
        a = zarrc.open_array(a.store, path=a.path)
        if kind == "native" and name != "zstd_v2":
            assert io_kinds(a)[0] == "native", name
        seen = np.zeros(a.shape, int)
        regions = []
        for region, chunk in a.iter_chunks(ordered=ordered, concurrency=3):
            assert np.array_equal(chunk, DATA[region]), (name, region)
            assert chunk.dtype == a.dtype and chunk.flags.writeable
            seen[region] += 1
            regions.append(region)
        assert (seen == 1).all(), name  # every element once
        inner = a.chunks  # the inner chunks of a sharded array
        expected = -(-a.shape[0] // inner[0]) * -(-a.shape[1] // inner[1])
        assert len(regions) == expected, name
        starts = [tuple(s.start for s in r) for r in regions]
        if ordered and a.shards is None:
            assert starts == sorted(starts), name  # C order of the grid
        if ordered and a.shards is not None:  # shard by shard, C order inside each
            shard_of = [tuple(s // n for s, n in zip(st, a.shards)) for st in starts]
            assert shard_of == sorted(shard_of)
            assert [len(list(g)) for g in _runs(shard_of)] == [
                len(set(_cells(st, a.shards, inner, a.shape))) for st in _dedupe(shard_of)]


def _runs(seq):
    import itertools
    return (list(g) for _, g in itertools.groupby(seq))


def _dedupe(seq):
    return list(dict.fromkeys(seq))


def _cells(shard, shards, inner, shape):
    return [(i, j) for i in range(shard[0] * shards[0], min(shape[0], (shard[0] + 1) * shards[0]),
                                  inner[0])
            for j in range(shard[1] * shards[1], min(shape[1], (shard[1] + 1) * shards[1]),
                           inner[1])]


@pytest.mark.parametrize("selection", [np.s_[3:50, 12:44], np.s_[5, :], np.s_[..., 9],
                                       np.s_[20:21, 0:45], np.s_[69:, 44:]])
def test_a_selection_clips_the_regions(tmp_path, kind, selection):
    for name, a in _arrays(tmp_path).items():
        a = zarrc.open_array(a.store, path=a.path)
        box = np.zeros(a.shape, int)
        box[selection] = 1
        seen = np.zeros(a.shape, int)
        for region, chunk in a.iter_chunks(selection=selection):
            assert np.array_equal(chunk, DATA[region]), (name, region)
            assert all(isinstance(s, slice) and s.step is None for s in region)
            seen[region] += 1
        assert np.array_equal(seen, box), name


def test_object_and_string_arrays_stream_through_the_reference_path():
    data = np.array([f"s{i}" * (i % 4) for i in range(30)], dtype=object).reshape(6, 5)
    a = zarrc.create_array(zarrc.storage.MemoryStore(), shape=data.shape, chunks=(4, 2),
                           dtype=str)
    a[...] = data
    got = list(a.iter_chunks(concurrency=2))
    assert len(got) == 6
    for region, chunk in got:
        assert chunk.tolist() == data[region].tolist()


def test_a_zero_dimensional_and_an_empty_array(kind):
    a = zarrc.create_array(zarrc.storage.MemoryStore(), shape=(), dtype="i4", fill_value=3)
    assert [(r, c.tolist()) for r, c in a.iter_chunks()] == [((), 3)]
    b = zarrc.create_array(zarrc.storage.MemoryStore(), shape=(0, 4), chunks=(2, 2), dtype="i4")
    assert list(b.iter_chunks()) == []
    assert list(b.iter_slices()) == []


def test_unordered_yields_in_completion_order():
    slow = threading.Event()  # the first chunk's read ends once the others were handed over
    store = WatchedStore(holds={"c/0/0": slow})
    a = zarrc.create_array(store, shape=(4, 4), chunks=(1, 4), dtype="i4")
    a[...] = np.arange(16).reshape(4, 4)
    store.watch = True
    first = []
    for region, _ in a.iter_chunks(concurrency=4, ordered=False):
        first.append(region[0].start)
        if len(first) == 3:
            slow.set()
    assert sorted(first) == [0, 1, 2, 3] and first[-1] == 0  # the slow chunk came last
    in_order = [r[0].start for r, _ in a.iter_chunks(concurrency=4, ordered=True)]
    assert in_order == [0, 1, 2, 3]


@pytest.mark.parametrize("concurrency", [1, 2, 5])
def test_at_most_concurrency_chunks_are_in_flight(concurrency):
    store = WatchedStore(delay=0.01)
    a = zarrc.create_array(store, shape=(40, 8), chunks=(2, 8), dtype="f8", compressors=None)
    data = np.arange(320.0).reshape(40, 8)
    a[...] = data
    store.watch = True
    ahead = []
    for k, (region, chunk) in enumerate(a.iter_chunks(concurrency=concurrency)):
        if k == 0:  # let the readers start all they may: a loaded machine runs them late
            deadline = time.monotonic() + 10
            while len(store.reads) < 1 + concurrency and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(0.05)  # and a moment more, for a read beyond the bound to show
        time.sleep(0.005)  # a consumer slower than nothing
        ahead.append(len(store.reads) - (k + 1))  # read but not yet handed over
        assert np.array_equal(chunk, data[region])
    assert store.peak <= concurrency
    assert max(ahead) <= concurrency and max(ahead) == min(concurrency, 19)
    assert Counter(store.reads) == Counter(f"c/{i}/0" for i in range(20))  # each once


def test_the_default_concurrency_is_the_pool_or_the_store_window(tmp_path):
    a = zarrc.create_array(tmp_path / "d.zarr", shape=(10,), chunks=(2,), dtype="i1")
    with zarrc.config.set(threads=3):
        assert a.iter_chunks().concurrency == max(3, a.store.fetch_concurrency)

    class Remote(zarrc.storage.MemoryStore):
        fetch_concurrency = 48

    b = zarrc.create_array(Remote(), shape=(10,), chunks=(2,), dtype="i1")
    with zarrc.config.set(threads=2):
        assert b.iter_chunks().concurrency == 48


def test_sharded_streams_read_each_shard_index_once(kind):
    data = np.arange(48 * 60, dtype="i4").reshape(48, 60)
    store = CountingStore()
    a = zarrc.create_array(store, shape=data.shape, chunks=(8, 10), shards=(16, 30),
                           dtype="i4")
    a[...] = data
    for stream in (lambda: a.iter_chunks(concurrency=4),
                   lambda: a.iter_chunks(concurrency=3, ordered=False),
                   lambda: a.iter_slices(),  # inner chunk rows: 2 per shard row
                   lambda: a.iter_slices(1, size=7)):  # unaligned columns
        store.reads.clear()
        for first, piece in stream():
            if isinstance(first, int):  # a slab: rows (axis 0), or 7 columns (axis 1)
                rows = piece.shape[1] == data.shape[1]
                first = np.s_[first:first + len(piece)] if rows else np.s_[:, first:first + 7]
            assert np.array_equal(piece, data[first])
        index_reads = Counter(k for k, r, _ in store.reads if r is not None and r[1] is None)
        assert set(index_reads) == {f"c/{i}/{j}" for i in range(3) for j in range(2)}
        assert set(index_reads.values()) == {1}, index_reads
        for _, r, _ in store.reads:
            assert r is None or r[1] is None or r[0] >= 0
        ranges = sorted((k, r) for k, r, _ in store.reads if r is not None and r[1] is not None)
        for (k0, r0), (k1, r1) in zip(ranges, ranges[1:]):  # no byte of a shard read twice
            assert k0 != k1 or r0[1] <= r1[0], (k0, r0, r1)
        assert len({k for k, _ in ranges}) == 6


@pytest.mark.parametrize("size", [None, 8, 16, 5, 21, 100])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_iter_slices_cuts_slabs_and_reads_each_chunk_once(tmp_path, kind, size, axis):
    data = RNG.integers(0, 1000, (37, 29)).astype("i8")
    store = CountingStore()
    a = zarrc.create_array(store, shape=data.shape, chunks=(8, 6), dtype="i8")
    a[...] = data
    for selection in (None, np.s_[3:33, 2:27]):
        store.reads.clear()
        box = data if selection is None else data[selection]
        offset = (0, 0) if selection is None else (3, 2)
        ax = axis % 2
        step = size or a.chunks[ax]
        starts = []
        for start, slab in a.iter_slices(axis, size=size, selection=selection):
            starts.append(start)
            lo = start - offset[ax]
            expected = box[lo:lo + step] if ax == 0 else box[:, lo:lo + step]
            assert np.array_equal(slab, expected), (start, slab.shape)
        assert starts == list(range(offset[ax], offset[ax] + box.shape[ax], step))
        reads = Counter(k for k, _, _ in store.reads)
        assert set(reads.values()) == {1}  # every chunk once, whatever the slab size


def test_bad_arguments_are_clear_errors():
    a = zarrc.create_array(zarrc.storage.MemoryStore(), shape=(10, 10), chunks=(5, 5),
                           dtype="i1")
    for bad in (np.s_[::2], np.s_[[1, 2]], np.s_[a[...] > 0], np.s_[None, :]):
        with pytest.raises(TypeError, match="box"):
            next(iter(a.iter_chunks(selection=bad)))
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="concurrency"):
            a.iter_chunks(concurrency=bad)
    with pytest.raises(ValueError, match="axis"):
        a.iter_slices(2)
    with pytest.raises(ValueError, match="size"):
        a.iter_slices(size=0)
    with pytest.raises(IndexError):
        a.iter_chunks(selection=np.s_[12])
    assert list(a.iter_chunks(selection=np.s_[11:12])) == []  # empty, as in NumPy


# -- stopping -----------------------------------------------------------------------------------

def _slow_array(chunks: int = 40):
    store = WatchedStore(delay=0.02)
    a = zarrc.create_array(store, shape=(chunks * 64, 256), chunks=(64, 256), dtype="f8",
                           compressors=None)
    a[...] = 1.0
    store.watch = True
    return store, a


def _assert_stopped(store, consumed: int, concurrency: int) -> None:
    assert _stream_threads() == []  # joined, none left running
    assert store.running == 0
    reads = len(store.reads)
    assert reads <= consumed + concurrency  # nothing read beyond the read-ahead
    time.sleep(0.15)
    assert len(store.reads) == reads  # and nothing more afterwards


def _consume(a, how: str) -> int:
    """Read 3 chunks (1 for "drop") and stop as ``how`` says; returns the chunks taken. The
    chunks handed over are this function's locals: they are gone when it returns."""
    consumed = 0
    if how == "break":
        for _ in a.iter_chunks(concurrency=4):
            consumed += 1
            if consumed == 3:
                break
    elif how == "exception":
        try:
            for _ in a.iter_chunks(concurrency=4):
                consumed += 1
                if consumed == 3:
                    raise RuntimeError("the consumer failed")
        except RuntimeError as exc:
            assert "consumer" in str(exc)
    elif how == "close":
        stream = a.iter_chunks(concurrency=4)
        for _ in range(3):
            next(stream)
            consumed += 1
        stream.close()
        stream.close()  # twice is harmless
        assert list(stream) == []
    else:  # a stream dropped half way
        stream = a.iter_chunks(concurrency=4)
        next(stream)
        consumed = 1
        del stream
    return consumed


@pytest.mark.parametrize("how", ["break", "exception", "close", "drop"])
def test_stopping_early_stops_the_read_ahead_at_once(how):
    store, a = _slow_array()
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        consumed = _consume(a, how)
        # checked as soon as the loop is left: no thread left, nothing read beyond the 4
        # ahead, then or later (counted, not timed: a loaded machine stretches the time)
        _assert_stopped(store, consumed, 4)
        gc.collect()
        left = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert left < 64 * 256 * 8 // 4  # less than a quarter chunk: no chunk stays allocated


def test_a_slab_stream_stops_as_well():
    store, a = _slow_array()
    for k, _ in enumerate(a.iter_slices(size=100)):  # unaligned: cut from chunk rows
        if k == 2:
            break
    _assert_stopped(store, 6, 2)


def test_a_read_error_ends_the_stream_and_names_the_chunk(kind):
    store = zarrc.storage.MemoryStore()
    a = zarrc.create_array(store, shape=(8, 8), chunks=(2, 8), dtype="i4",
                           compressors={"name": "zstd"})
    a[...] = 5
    store.set("c/2/0", b"not zstd at all")
    a = zarrc.open_array(store)
    got = []
    with pytest.raises(zarrc.errors.CodecError, match="c/2/0"):
        for region, _ in a.iter_chunks(concurrency=2):
            got.append(region)
    assert len(got) == 2 and _stream_threads() == []
