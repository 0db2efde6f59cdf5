"""Small chunks are read in runs (zarrc.engine.stream): one ``chunk_io.read_box`` per run of
chunks along the last dimension, each chunk still handed out on its own, equal to NumPy's,
contiguous and owning its memory, with at most ``concurrency`` reads in flight and a clean stop.

Each test counts the reads at the chunk-I/O seam itself (``read_box``, wrapped), on both
implementations."""

from __future__ import annotations

import dataclasses
import gc
import itertools
import threading
import time
import tracemalloc

import numpy as np
import pytest
from helpers import WatchedStore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarrc
from zarrc import telemetry
from zarrc.engine import stream as engine_stream
from zarrc.storage import MemoryStore
from zarrc.streams import stream_box
from zarrc.testing.engine import KINDS, engine

RNG = np.random.default_rng(11)


@pytest.fixture(params=KINDS)
def kind(request):
    with engine(request.param):
        yield request.param


class Reads:
    """``a``'s read_box wrapped: every box read (its shape) and the most running at once."""

    def __init__(self, a: zarrc.Array) -> None:
        self.boxes: list[tuple[int, ...]] = []
        self.running = self.peak = 0
        self._guard = threading.Lock()
        inner = a._ctx.chunk_io.read_box

        def read_box(ctx, plan, box):
            with self._guard:
                self.boxes.append(box.shape)
                self.running += 1
                self.peak = max(self.peak, self.running)
            try:
                inner(ctx, plan, box)
            finally:
                with self._guard:
                    self.running -= 1

        io = dataclasses.replace(a._ctx.chunk_io, read_box=read_box)
        a._ctx = dataclasses.replace(a._ctx, io=io)


def _grid_regions(shape, chunks, box):
    """The chunk regions of a regular grid (``chunks``: per dimension a size, or the
    rectilinear sizes) clipped to ``box`` (per dimension (start, stop)), in C order."""
    per_dim = []
    for n, c, (lo, hi) in zip(shape, chunks, box):
        sizes = [c] * -(-n // c) if isinstance(c, int) else list(c)
        edges = np.concatenate([[0], np.cumsum(sizes)])
        per_dim.append([slice(max(a, lo), min(b, hi)) for a, b in zip(edges, edges[1:])
                        if max(a, lo) < min(b, hi)])
    return list(itertools.product(*per_dim))


def _check_stream(a, data, *, selection=None, ordered=True, concurrency=2, order="C",
                  sharded=False):
    """Stream ``a``; every chunk equals NumPy's, is contiguous in ``order``, owns its memory,
    and the regions are the grid's chunks clipped to the selection, each once, in C order of
    the grid when ``ordered`` (unless ``sharded``: shard by shard). Returns the reads and the
    regions."""
    reads = Reads(a)
    mask = np.zeros(data.shape, bool)
    mask[np.s_[...] if selection is None else selection] = True
    seen = np.zeros(data.shape, int)
    regions = []
    for region, chunk in a.iter_chunks(selection=selection, ordered=ordered,
                                       concurrency=concurrency):
        assert np.array_equal(chunk, data[region]), region
        assert chunk.dtype == data.dtype and chunk.shape == data[region].shape
        assert chunk.flags.c_contiguous if order == "C" else chunk.flags.f_contiguous
        assert chunk.base is None and chunk.flags.owndata and chunk.flags.writeable
        seen[region] += 1
        regions.append(_key(region))
    assert np.array_equal(seen, mask.astype(int))  # every element of the box, once
    box = [(int(r.min()), int(r.max()) + 1) for r in np.nonzero(mask)]
    sizes = [g if isinstance(g, int) else np.diff(g).tolist() for g in a._ctx.read_grids]
    grid = [_key(r) for r in _grid_regions(data.shape, sizes, box)]
    assert sorted(regions) == sorted(grid)
    if ordered and not sharded:
        assert regions == grid
    assert sum(np.prod(s) for s in reads.boxes) == mask.sum()  # each element read once
    assert reads.peak <= concurrency
    return reads, regions


def _key(region):
    return tuple((s.start, s.stop) for s in region)


CASES = {  # name: shape, chunks, dtype, selection
    "2d_edges": ((70, 45), (4, 5), "f4", None),
    "2d_selection": ((70, 45), (4, 5), "f4", np.s_[3:61, 7:44]),
    "2d_int_selection": ((70, 45), (4, 5), "i8", np.s_[9, 2:40]),
    "1d": ((1001,), (7,), "i2", None),
    "1d_selection": ((1001,), (7,), "i2", np.s_[10:990]),
    "3d": ((13, 11, 17), (4, 3, 5), "u1", None),
    "3d_selection": ((13, 11, 17), (4, 3, 5), "f8", np.s_[1:12, 2:11, 3:16]),
    "one_chunk_per_row": ((30, 6), (4, 6), "i4", None),
}


@pytest.mark.parametrize("limit", [None, 64])  # the default, or 64-byte reads: rows split
@pytest.mark.parametrize("ordered", [True, False])
@pytest.mark.parametrize("case", list(CASES))
def test_runs_of_chunks_give_what_numpy_gives(kind, monkeypatch, case, ordered, limit):
    if limit is not None:
        monkeypatch.setattr(engine_stream, "READ_BYTES", limit)
    shape, chunks, dtype, selection = CASES[case]
    data = (RNG.standard_normal(shape) * 100).astype(dtype)
    a = zarrc.create_array(MemoryStore(), shape=shape, chunks=chunks, dtype=dtype,
                           compressors=[{"name": "zstd", "configuration": {"level": 1}}])
    a[...] = data
    a = zarrc.open_array(a.store)
    reads, regions = _check_stream(a, data, selection=selection, ordered=ordered)
    rows = {r[:-1] for r in regions}  # the rows of chunks along the last dimension
    chunk_bytes = np.prod(chunks) * np.dtype(dtype).itemsize
    if limit is None:  # every row is under 1 MiB: a read per row
        assert len(reads.boxes) == len(rows)
        assert len(reads.boxes) < len(regions) or case == "one_chunk_per_row"
    else:  # rows split into reads of 64 bytes (or of one chunk when larger)
        largest = max(np.prod(b) for b in reads.boxes) * np.dtype(dtype).itemsize
        assert largest <= max(limit, chunk_bytes)
        assert len(rows) <= len(reads.boxes) <= len(regions)
        if 2 * chunk_bytes <= limit and case != "one_chunk_per_row":
            assert len(reads.boxes) < len(regions)


def test_f_order_chunks_are_f_contiguous(kind):
    data = RNG.standard_normal((37, 50)).astype("f8")
    a = zarrc.create_array(MemoryStore(), shape=data.shape, chunks=(8, 6), dtype="f8",
                           config={"order": "F"})
    a[...] = data
    a = zarrc.open_array(a.store, config={"order": "F"})
    assert a.config.order == "F"
    for ordered in (True, False):
        reads, _ = _check_stream(a, data, ordered=ordered, order="F")
        assert len(reads.boxes) == 5  # a read per chunk row: 9 chunks of 384 bytes


def test_sharded_runs_stay_inside_a_shard(kind):
    data = np.arange(48 * 60, dtype="i4").reshape(48, 60)
    a = zarrc.create_array(MemoryStore(), shape=data.shape, chunks=(8, 10), shards=(16, 30),
                           dtype="i4")
    a[...] = data
    a = zarrc.open_array(a.store)
    for ordered in (True, False):
        reads, _ = _check_stream(a, data, ordered=ordered, concurrency=3, sharded=True)
        # per shard, one read per row of 3 inner chunks: 6 shards x 2 rows
        assert sorted(reads.boxes) == [(8, 30)] * 12


def test_rectilinear_runs(kind):
    data = RNG.integers(0, 99, (10, 23)).astype("i2")
    a = zarrc.create_array(MemoryStore(), shape=data.shape, dtype="i2",
                           chunks=[[2, 2, 2, 4], [1, 3, 5, 9, 5]])
    a[...] = data
    a = zarrc.open_array(a.store)
    reads, _ = _check_stream(a, data)
    assert sorted(reads.boxes) == [(2, 23)] * 3 + [(4, 23)]


def test_zero_dimensional_and_object_arrays_read_a_chunk_at_a_time(kind):
    a = zarrc.create_array(MemoryStore(), shape=(), dtype="f8", fill_value=2.5)
    assert [(r, c.tolist()) for r, c in a.iter_chunks()] == [((), 2.5)]
    data = np.array([f"s{i}" * (i % 3) for i in range(24)], dtype=object).reshape(4, 6)
    b = zarrc.create_array(MemoryStore(), shape=data.shape, chunks=(2, 2), dtype=str)
    b[...] = data
    reads = Reads(b)
    got = list(b.iter_chunks(concurrency=2))
    assert [c.tolist() for _, c in got] == [data[r].tolist() for r, _ in got]
    assert len(reads.boxes) == 6  # object dtypes: a read per chunk


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_box_of_any_grid_streams_as_numpy_reads_it(data):
    ndim = data.draw(st.integers(1, 3))
    shape = tuple(data.draw(st.integers(1, 14)) for _ in range(ndim))
    chunks = tuple(data.draw(st.integers(1, n)) for n in shape)
    box = []
    for n in shape:
        lo = data.draw(st.integers(0, n - 1))
        box.append(slice(lo, data.draw(st.integers(lo + 1, n))))
    limit = data.draw(st.sampled_from([1, 8, 40, 1 << 20]))
    order = data.draw(st.sampled_from(["C", "F"]))
    sharded = data.draw(st.booleans())
    kind = data.draw(st.sampled_from(KINDS))
    values = np.arange(np.prod(shape), dtype="i4").reshape(shape)
    with engine(kind):
        a = zarrc.create_array(MemoryStore(), shape=shape, dtype="i4", chunks=chunks,
                               shards=tuple(2 * c for c in chunks) if sharded else None,
                               config={"order": order})
        a[...] = values
        a = zarrc.open_array(a.store, config={"order": order})
    saved = engine_stream.READ_BYTES
    engine_stream.READ_BYTES = limit
    try:
        reads, _ = _check_stream(a, values, selection=tuple(box), order=order, sharded=sharded,
                              ordered=data.draw(st.booleans()), concurrency=2)
    finally:
        engine_stream.READ_BYTES = saved
    assert max(np.prod(b) for b in reads.boxes) * 4 <= max(limit, np.prod(chunks) * 4)


# -- concurrency, stopping, events -----------------------------------------------------------

def _slow_rows(delay=0.01, rows=12, across=8, side=2):
    """A slow store's array of ``rows`` x ``across`` chunks of ``side`` x ``side`` float64:
    a read per row."""
    store = WatchedStore(delay=delay)
    shape = (rows * side, across * side)
    a = zarrc.create_array(store, shape=shape, chunks=(side, side), dtype="f8",
                           compressors=None)
    data = np.arange(np.prod(shape), dtype="f8").reshape(shape)
    a[...] = data
    store.watch = True
    return store, zarrc.open_array(store), data


@pytest.mark.parametrize("concurrency", [1, 2, 5])
def test_at_most_concurrency_reads_are_in_flight(kind, concurrency):
    store, a, data = _slow_rows()
    reads = Reads(a)
    ahead = []
    for k, (region, chunk) in enumerate(a.iter_chunks(concurrency=concurrency)):
        if k == 0:  # let the readers fill all they may: a loaded machine runs them late
            full = 8 * (min(concurrency, 11) + 1)
            deadline = time.monotonic() + 10
            while len(store.reads) < full and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(0.05)  # and a moment more, for a read beyond the bound to show
        time.sleep(0.001)
        ahead.append(len(store.reads) - (k + 1))  # chunks read but not yet handed over
        assert np.array_equal(chunk, data[region])
    assert reads.peak <= concurrency and len(reads.boxes) == 12
    assert set(reads.boxes) == {(2, 16)}
    # a read holds 8 chunks: at most `concurrency` reads ahead, and the one being handed out
    assert max(ahead) <= 8 * (concurrency + 1) - 1
    assert max(ahead) >= 8 * min(concurrency, 11)  # and it does read ahead
    assert sorted(store.reads) == sorted(set(store.reads)) and len(store.reads) == 96


def _stop_in_a_run(a, how: str) -> None:
    """Take 3 chunks (in the middle of the first read's 8) and stop as ``how`` says; the
    chunks taken are this function's locals, gone when it returns."""
    taken = 0
    if how == "close":
        stream = a.iter_chunks(concurrency=2)
        for _ in range(3):
            next(stream)
        stream.close()
        return
    try:
        for _ in a.iter_chunks(concurrency=2):
            taken += 1
            if taken == 3:
                if how == "break":
                    break
                raise RuntimeError("the consumer failed")
    except RuntimeError as exc:
        assert "consumer" in str(exc)


@pytest.mark.parametrize("how", ["break", "exception", "close"])
def test_stopping_in_a_run_stops_at_once_and_frees_it(how):
    store, a, _ = _slow_rows(delay=0.005, rows=40, side=64)  # chunks of 32 KiB
    # once before measuring: what the first stop leaves for good (the ABC caches of the
    # types it checks, lazily built state) is not a read's, and under load it passed 8 KiB
    _stop_in_a_run(a, how)
    store.reads.clear()
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        _stop_in_a_run(a, how)
        assert [t for t in threading.enumerate() if t.name.startswith("zarrc-stream")] == []
        assert store.running == 0
        reads = len(store.reads)
        assert reads <= 8 * 3  # the read handed out and two ahead, no more
        time.sleep(0.1)
        assert len(store.reads) == reads
        gc.collect()
        left = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    # nothing of a read (8 chunks of 32 KiB) stays allocated: less than one chunk is left.
    # (What else moves, a few KiB in caches other tests of the same worker share, reached
    # 10.9 KiB in CI after the warm-up: the smallest thing the stream could keep is a chunk.)
    assert left < 32 << 10


def test_unordered_runs_come_as_they_finish():
    store, a, data = _slow_rows(delay=0.0, rows=4)
    slow = threading.Event()  # the first row's read ends once the other rows were handed over
    store.holds = {"c/0/0": slow}
    got = []
    for region, _ in a.iter_chunks(concurrency=4, ordered=False):
        got.append(region)
        if len(got) == 24:
            slow.set()
    firsts = [(r[0].start, r[1].start) for r in got]
    assert firsts[-8:] == [(0, j) for j in range(0, 16, 2)]  # its chunks last, in order
    assert sorted(firsts) == sorted((i, j) for i in range(0, 8, 2) for j in range(0, 16, 2))


def test_events_and_progress_count_chunks_not_reads(kind):
    store, a, _ = _slow_rows(delay=0.0, rows=5)
    events = []
    counted = []
    with telemetry.subscribe(events.append, events=["chunk.read", "stream.stop"]):
        stream = engine_stream.ReadStream(
            a._ctx, engine_stream.chunk_reads(a._ctx, stream_box(None, a.shape), 1 << 20),
            concurrency=2, on_unit=lambda unit, data: counted.append(unit.region))
        with stream:
            pieces = list(stream)
    reads = [e for e in events if e.name == "chunk.read"]
    assert len(reads) == 40 and len({e.key for e in reads}) == 40
    stop = [e for e in events if e.name == "stream.stop"]
    assert stop[0].attrs["chunks"] == 40 and stop[0].nbytes == 40 * 32
    assert counted == [r for r, _ in pieces] and len(counted) == 40
