"""The write stream: ``write_chunks`` against NumPy assignment, its bound on items held, its
checkpoints and resume tokens (crashes in real processes: tests/reliability/)."""

from __future__ import annotations

import json
import threading
import weakref

import numpy as np
import pytest

import zarrc
from zarrc.storage import LocalStore, MemoryStore
from zarrc.testing.engine import KINDS, engine

RNG = np.random.default_rng(11)


@pytest.fixture(params=KINDS)
def kind(request):
    with engine(request.param):
        yield request.param


def _tiles(data, step0, step1, origin=(0, 0)):
    """``(region, values)`` tiles of ``data`` (any tile shape: aligned or not)."""
    for i in range(origin[0], data.shape[0], step0):
        for j in range(origin[1], data.shape[1], step1):
            region = (slice(i, i + step0), slice(j, j + step1))
            yield region, data[region].copy()


def _targets(tmp_path, shape, dtype="f4"):
    store = LocalStore(tmp_path / "w.zarr")
    return {
        "plain": zarrc.create_array(store, name="plain", shape=shape, chunks=(10, 8),
                                    dtype=dtype),
        "v2": zarrc.create_array(store, name="v2", shape=shape, chunks=(10, 8), dtype=dtype,
                                 zarr_format=2),
        "sharded": zarrc.create_array(store, name="sharded", shape=shape, chunks=(5, 4),
                                      shards=(10, 16), dtype=dtype),
        "memory": zarrc.create_array(MemoryStore(), shape=shape, chunks=(7, 9), dtype=dtype,
                                     fill_value=-1),
    }


@pytest.mark.parametrize("tile", [(10, 8), (20, 16), (7, 5), (13, 31), (1, 45)])
def test_items_land_as_numpy_assignment_puts_them(tmp_path, kind, tile):
    data = RNG.standard_normal((43, 37)).astype("f4")
    for name, a in _targets(tmp_path, data.shape).items():
        done = a.write_chunks(_tiles(data, *tile), concurrency=3)
        assert np.array_equal(a[...], data), (name, tile)
        n_items = -(-43 // tile[0]) * -(-37 // tile[1])
        assert done.items == n_items and done.nbytes == data.nbytes
        grid = a.shards or a.chunks  # the stored chunks each item wrote into
        touched = sum(len(range(r0.start // grid[0], (min(r0.stop, 43) - 1) // grid[0] + 1)) *
                      len(range(r1.start // grid[1], (min(r1.stop, 37) - 1) // grid[1] + 1))
                      for (r0, r1), _ in _tiles(data, *tile))
        assert done.chunks == touched


def test_overlapping_items_are_applied_in_their_order(kind):
    shape = (30, 30)
    expected = np.zeros(shape, "i4")
    items = []
    for k in range(1, 120):
        i, j = RNG.integers(0, 25, 2)
        h, w = RNG.integers(1, 12, 2)
        region = (slice(int(i), int(i + h)), slice(int(j), int(j + w)))
        items.append((region, k))  # a scalar broadcasts, as in a[region] = k
        expected[region] = k
    a = zarrc.create_array(MemoryStore(), shape=shape, chunks=(4, 4), dtype="i4")
    a.write_chunks(iter(items), concurrency=6, batch=7)
    assert np.array_equal(a[...], expected)


def test_integers_and_broadcasting_follow_numpy():
    a = zarrc.create_array(MemoryStore(), shape=(6, 5, 4), chunks=(2, 2, 2), dtype="f8")
    expected = np.zeros(a.shape)
    items = [((1, slice(None), 2), np.arange(5.0)),  # integers drop their dimension
             ((slice(3, 6), 0), np.ones(4)),  # broadcast over the first axis
             ((Ellipsis, 3), 7.5)]
    for region, values in items:
        expected[region] = values
    a.write_chunks(items)
    assert np.array_equal(a[...], expected)


def test_only_concurrency_items_are_held_at_once():
    concurrency = 3
    a = zarrc.create_array(MemoryStore(), shape=(200, 64), chunks=(4, 64), dtype="f8")
    alive = [0]
    peak = [0]
    lock = threading.Lock()

    def gone():
        with lock:
            alive[0] -= 1

    def items():
        for i in range(0, 200, 4):
            values = np.full((4, 64), float(i))
            with lock:
                alive[0] += 1
                peak[0] = max(peak[0], alive[0])
            weakref.finalize(values, gone)
            yield (slice(i, i + 4), slice(None)), values
            del values

    a.write_chunks(items(), concurrency=concurrency, batch=10)
    assert np.array_equal(a[::4, 0], np.arange(0, 200, 4.0))
    assert alive[0] == 0
    assert peak[0] <= concurrency + 1  # the slots, and the item being handed over


def test_checkpoints_come_after_each_batch_with_totals_and_a_json_token(tmp_path, kind):
    data = RNG.standard_normal((40, 40)).astype("f4")
    a = zarrc.create_array(tmp_path / "c.zarr", shape=data.shape, chunks=(10, 10), dtype="f4")
    seen = []
    final = a.write_chunks(_tiles(data, 10, 10), concurrency=2, batch=5,
                           checkpoint=seen.append)
    assert [p.items for p in seen] == [5, 10, 15, 16]
    assert [p.chunks for p in seen] == [5, 10, 15, 16]
    assert [p.nbytes for p in seen] == [k * 400 for k in (5, 10, 15, 16)]
    assert all(b.elapsed >= a_.elapsed for a_, b in zip(seen, seen[1:]))
    assert final.items == 16 and final.resume["items"] == 16
    token = json.loads(json.dumps(seen[1].resume))  # JSON-able
    assert token["items"] == 10 and token["kind"] == "zarrc.write_chunks"


def test_resuming_skips_the_stored_items_and_rewrites_at_most_one_batch(kind):
    data = RNG.integers(0, 100, (40, 36)).astype("i2")

    class Recording(MemoryStore):
        stored: list = []

        def set(self, key, value):
            self.stored.append(key)
            super().set(key, value)

    store = Recording()
    a = zarrc.create_array(store, shape=data.shape, chunks=(8, 6), dtype="i2")
    tokens = []

    def crashing(limit):
        for k, item in enumerate(_tiles(data, 8, 6)):
            if k == limit:
                raise KeyboardInterrupt  # the process dies here
            yield item

    with pytest.raises(KeyboardInterrupt):
        a.write_chunks(crashing(23), concurrency=3, batch=6,
                       checkpoint=lambda p: tokens.append(json.dumps(p.resume)))
    last = json.loads(tokens[-1])
    assert last["items"] == 18  # three batches stored and checkpointed
    stored_before = [k for k in store.stored if k.startswith("c/")]
    assert 18 <= len(stored_before) <= 18 + 5  # the 4th batch was cut within its 6 items
    store.stored.clear()
    resumed = a.write_chunks(_tiles(data, 8, 6), concurrency=3, batch=6, resume=last)
    assert np.array_equal(a[...], data)
    assert resumed.items == 30 and resumed.chunks == 30 and resumed.nbytes == data.nbytes
    assert resumed.elapsed >= last["elapsed"]
    # written again: items 18-23 (one batch), then the 6 never written; none of the first 18
    assert len(store.stored) == 12
    assert set(store.stored).isdisjoint(stored_before[:18])
    assert set(store.stored) >= set(stored_before[18:])


def test_a_token_of_another_array_or_not_a_token_is_refused():
    a = zarrc.create_array(MemoryStore(), shape=(8, 8), chunks=(4, 4), dtype="f4")
    token = a.write_chunks(_tiles(np.zeros((8, 8), "f4"), 4, 4), batch=2).resume
    b = zarrc.create_array(MemoryStore(), shape=(8, 9), chunks=(4, 4), dtype="f4")
    with pytest.raises(ValueError, match="array.shape"):
        b.write_chunks([], resume=token)
    c = zarrc.create_array(MemoryStore(), shape=(8, 8), chunks=(4, 4), dtype="f8")
    with pytest.raises(ValueError, match="array.dtype"):
        c.write_chunks([], resume=token)
    for bad, field in (({"kind": "x"}, "kind"), ({**token, "version": 9}, "version"),
                       ({**token, "items": -1}, "items"), ("{not json", "token")):
        with pytest.raises(ValueError, match=field):
            a.write_chunks([], resume=bad)
    with pytest.raises(ValueError, match="end after 2"):
        a.write_chunks(list(_tiles(np.zeros((8, 8), "f4"), 4, 4))[:2], resume=token)
    a.write_chunks(list(_tiles(np.ones((8, 8), "f4"), 4, 4)), resume=json.dumps(token))


def test_bad_items_and_failures_stop_the_stream_with_clear_errors():
    a = zarrc.create_array(MemoryStore(), shape=(8, 8), chunks=(4, 4), dtype="f4")
    with pytest.raises(TypeError, match="pairs"):
        a.write_chunks([np.zeros(3)])
    with pytest.raises(TypeError, match="box"):
        a.write_chunks([((slice(0, 8, 2),), 1.0)])
    with pytest.raises(ValueError, match="broadcast"):
        a.write_chunks([((slice(0, 4), slice(0, 4)), np.zeros((3, 3)))])
    with pytest.raises(ValueError, match="batch"):
        a.write_chunks([], batch=0)
    with pytest.raises(TypeError, match="checkpoint"):
        a.write_chunks([], checkpoint=5)

    class Failing(MemoryStore):
        def set(self, key, value):
            if key.endswith("c/1/1"):
                raise OSError("disk full")
            super().set(key, value)

    b = zarrc.create_array(Failing(), shape=(8, 8), chunks=(4, 4), dtype="f4")
    with pytest.raises(OSError, match="disk full"):
        b.write_chunks(_tiles(np.ones((8, 8), "f4"), 4, 4), concurrency=2)
    assert [t for t in threading.enumerate() if t.name.startswith("zarrc-write")] == []
    ro = zarrc.open_array(b.store, mode="r")
    with pytest.raises(zarrc.errors.ReadOnlyError):
        ro.write_chunks([])
