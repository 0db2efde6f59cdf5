"""Concurrent partial writes into shared chunks and shards lose nothing (threads and processes)."""

import multiprocessing
import threading

import numpy as np
import pytest

import zarrc

SHAPE, CHUNKS, SHARDS = (64, 64), (8, 8), (32, 32)


def _region(i):
    """Disjoint 4-row bands: every band shares its chunks and shards with its neighbours."""
    return np.s_[4 * i:4 * (i + 1), :]


def _write_band(path, i):
    a = zarrc.open_array(path, mode="r+")
    a[_region(i)] = i + 1


def _make(path, sharded):
    return zarrc.create_array(path, shape=SHAPE, dtype="i4", chunks=CHUNKS,
                              shards=SHARDS if sharded else None)


def _expected():
    x = np.zeros(SHAPE, "i4")
    for i in range(SHAPE[0] // 4):
        x[_region(i)] = i + 1
    return x


@pytest.mark.parametrize("sharded", [False, True], ids=["chunks", "shards"])
def test_threads_writing_disjoint_parts_of_shared_chunks(tmp_path, sharded):
    path = str(tmp_path / "t.zarr")
    _make(path, sharded)
    for _ in range(3):
        barrier = threading.Barrier(8)

        def work(i, barrier=barrier):
            barrier.wait()
            _write_band(path, i)
            _write_band(path, i + 8)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        np.testing.assert_array_equal(zarrc.open_array(path, mode="r")[...], _expected())


@pytest.mark.parametrize("sharded", [False, True], ids=["chunks", "shards"])
def test_processes_writing_disjoint_parts_of_shared_shards(tmp_path, sharded):
    path = str(tmp_path / "p.zarr")
    _make(path, sharded)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        pool.starmap(_write_band, [(path, i) for i in range(SHAPE[0] // 4)])
    np.testing.assert_array_equal(zarrc.open_array(path, mode="r")[...], _expected())
