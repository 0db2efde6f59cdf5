"""zarrc.dask on dask's threaded scheduler, NumPy the oracle: the graph (one task per stored
chunk or shard, deterministic names), reads straight into each block, and writes from dask
(aligned and misaligned blocks) through ``from_dask`` and ``darr.store(a, lock=False)``."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import zarrc
from zarrc.storage import LocalStore, MemoryStore, ReadOnlyView

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

RNG = np.random.default_rng(16)
X = RNG.standard_normal((45, 38))


@pytest.fixture
def local_array(tmp_path):
    a = zarrc.create_array(LocalStore(tmp_path), name="x", shape=X.shape, chunks=(10, 8),
                           dtype=X.dtype)
    a[...] = X
    return a


def test_core_imports_no_dask_or_xarray():
    code = ("import sys, zarrc, zarrc.api, zarrc.storage, zarrc.engine;"
            "bad = sorted(m for m in ('dask', 'distributed', 'xarray') if m in sys.modules);"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_one_task_per_chunk_reading_into_the_block(local_array, monkeypatch):
    calls = []
    original = zarrc.Array.get_basic_selection

    def spy(self, selection=Ellipsis, *, out=None):
        calls.append((selection, out))
        return original(self, selection, out=out)

    monkeypatch.setattr(zarrc.Array, "get_basic_selection", spy)
    d = local_array.to_dask()
    assert d.chunks == ((10,) * 4 + (5,), (8,) * 4 + (6,))
    assert d.npartitions == local_array.nchunks == 25
    with dask.config.set(scheduler="threads"):
        np.testing.assert_array_equal(d.compute(), X)
    assert len(calls) == 25
    regions = sorted((s[0].start, s[1].start) for s, _ in calls)
    assert regions == sorted((i * 10, j * 8) for i in range(5) for j in range(5))
    for selection, out in calls:  # each block decoded into its own, exactly sized output
        assert out is not None and out.shape == tuple(s.stop - s.start for s in selection)


def test_reads_fuse_with_the_blockwise_step_that_follows(local_array):
    # The reads are a blockwise layer: dask's optimizer merges them with the next blockwise
    # step, so the computed graph holds one task per block (plus the array's own key), not a
    # read task, an alias and a compute task per block.
    d = np.sin(local_array.to_dask()) * 2
    (optimized,) = dask.optimize(d)
    assert len(dict(optimized.__dask_graph__())) == 25 + 1
    with dask.config.set(scheduler="threads"):
        np.testing.assert_array_equal(optimized.compute(), np.sin(X) * 2)
        assert float(local_array.to_dask().sum().compute()) == pytest.approx(X.sum())


def test_sharded_array_maps_one_task_per_shard():
    a = zarrc.create_array(MemoryStore(), shape=(40, 30), chunks=(5, 5), shards=(20, 15),
                           dtype="i4")
    data = np.arange(1200, dtype="i4").reshape(40, 30)
    a[...] = data
    d = a.to_dask()
    assert d.chunks == ((20, 20), (15, 15)) and d.npartitions == 4
    np.testing.assert_array_equal(d.compute(scheduler="threads"), data)


def test_rectilinear_and_zero_dimensional_arrays():
    r = zarrc.create_array(None, shape=(10, 7), dtype="i2", chunks=[[2, 2, 2, 4], 3])
    r[...] = np.arange(70).reshape(10, 7)
    assert r.to_dask().chunks == ((2, 2, 2, 4), (3, 3, 1))
    np.testing.assert_array_equal(r.to_dask().compute(), np.arange(70).reshape(10, 7))
    r.resize(7, 7)  # the grid now reaches past the shape: blocks stop at it
    assert r.to_dask().chunks == ((2, 2, 2, 1), (3, 3, 1))
    np.testing.assert_array_equal(r.to_dask().compute(), np.arange(49).reshape(7, 7))
    z = zarrc.create_array(None, shape=(), dtype="f8")
    z[...] = 2.5
    assert z.to_dask().compute() == 2.5


def test_explicit_chunks_cut_across_stored_chunks(local_array):
    d = local_array.to_dask(chunks=(13, 38))
    assert d.chunks == ((13, 13, 13, 6), (38,))
    np.testing.assert_array_equal(d.compute(), X)
    np.testing.assert_allclose(d.std(axis=0).compute(), X.std(axis=0))


def test_names_are_deterministic(local_array, tmp_path):
    again = zarrc.open_array(LocalStore(tmp_path), path="x", mode="r")
    assert again.to_dask().name == local_array.to_dask().name
    view = zarrc.open_array(ReadOnlyView(LocalStore(tmp_path)), path="x")
    assert view.to_dask().name == local_array.to_dask().name  # same data, other handle
    assert local_array.to_dask().name.startswith("zarrc-")
    other = zarrc.create_array(LocalStore(tmp_path), name="y", shape=X.shape, chunks=(10, 8),
                               dtype=X.dtype)
    assert other.to_dask().name != local_array.to_dask().name  # another path
    assert local_array.to_dask(chunks=(9, 8)).name != local_array.to_dask().name
    local_array.attrs["units"] = "m"  # the metadata is part of the name
    assert local_array.to_dask().name != again.to_dask().name
    assert local_array.to_dask(name="mine").name == "mine"


def test_memory_store_names_follow_the_dict():
    data = {}
    a = zarrc.create_array(MemoryStore(data), shape=(4,), dtype="i1")
    b = zarrc.open_array(MemoryStore(data), mode="r")
    c = zarrc.create_array(MemoryStore(), shape=(4,), dtype="i1")
    assert a.to_dask().name == b.to_dask().name != c.to_dask().name


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_from_dask_aligned_writes_whole_chunks_without_reading(zarr_format):
    from zarrc.testing.counting import CountingStore

    store = CountingStore()
    darr = da.from_array(X, chunks=(9, 19))
    a = zarrc.from_dask(darr, store, name="out", zarr_format=zarr_format)
    assert a.chunks == (9, 19) and a.shape == X.shape and a.dtype == X.dtype
    assert store.reads == []  # every block covered whole chunks: nothing read back
    np.testing.assert_array_equal(zarrc.open_array(store, path="out", mode="r")[...], X)


def test_from_dask_misaligned_and_sharded_writes_are_exact(tmp_path):
    darr = da.from_array(X, chunks=(7, 11))  # each stored chunk is shared by several blocks
    with dask.config.set(scheduler="threads", num_workers=8):
        a = zarrc.from_dask(darr, LocalStore(tmp_path), name="m", chunks=(10, 10))
        s = zarrc.from_dask(darr * 2, LocalStore(tmp_path), name="s", chunks=(5, 5),
                            shards=(10, 20))
    np.testing.assert_array_equal(a[...], X)
    np.testing.assert_array_equal(s[...], X * 2)


def test_dask_store_into_an_existing_array_with_lock_false():
    a = zarrc.create_array(MemoryStore(), shape=(30, 30), chunks=(4, 4), dtype="i8",
                           fill_value=-1)
    source = np.arange(400).reshape(20, 20)
    da.from_array(source, chunks=(3, 6)).store(a, regions=(slice(5, 25), slice(7, 27)),
                                               lock=False, scheduler="threads")
    expected = np.full((30, 30), -1)
    expected[5:25, 7:27] = source
    np.testing.assert_array_equal(a[...], expected)


def test_from_dask_refuses_unknown_chunk_sizes():
    d = da.from_array(X, chunks=10)
    d = d[d[:, 0] > 0]  # a boolean mask leaves the row count unknown
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        zarrc.from_dask(d, MemoryStore())
