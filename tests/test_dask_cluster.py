"""zarrc on a real dask.distributed cluster: two worker processes on loopback (one cluster for
the module). Workers unpickle arrays, groups and stores and reopen them; a reduction and a
derived array equal NumPy's; blocks that share stored chunks, written from both workers at
once, lose nothing (the chunk locks serialize their read-modify-writes across processes)."""

from __future__ import annotations

import operator
from collections import defaultdict

import numpy as np
import pytest

import zarrc
from zarrc.storage import FsspecStore, LocalStore, MemoryStore, ReadOnlyView, ZipStore

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    # Loopback only, no dashboard; the scheduler's plain HTTP routes on a free loopback port
    # (never a fixed one that another test run may hold).
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                       scheduler_kwargs={"dashboard": False},
                                       silence_logs=50)
    with cluster, distributed.Client(cluster) as c:
        c.wait_for_workers(2)
        yield c


def _worker_of_each_task(client, run) -> dict:
    """``{task key: worker address}`` for the tasks that ``run()`` executes."""
    with distributed.get_task_stream(client) as stream:
        run()
    return {t["key"]: t["worker"] for t in stream.data}


def test_reduction_and_derived_array_equal_numpy(client, tmp_path):
    x = np.random.default_rng(6).standard_normal((240, 180))
    a = zarrc.create_array(LocalStore(tmp_path), name="in", shape=x.shape, chunks=(30, 45),
                           dtype="f8", dimension_names=("y", "x"))
    a[...] = x
    d = zarrc.open_array(LocalStore(tmp_path), path="in", mode="r").to_dask()
    held = d.persist()
    distributed.wait(held)
    read = {w for ws in client.who_has(held).values() for w in ws}
    assert len(read) == 2  # the blocks were read on both workers, not in this process
    np.testing.assert_array_equal(held.compute(), x)
    total, mean0, std = client.compute([d.sum(), d.mean(axis=0), d.std()], sync=True)
    np.testing.assert_allclose(total, x.sum())
    np.testing.assert_allclose(mean0, x.mean(axis=0))
    np.testing.assert_allclose(std, x.std())
    derived = np.sqrt(np.abs(d)) - d.mean(axis=0)
    out = zarrc.from_dask(derived, LocalStore(tmp_path), name="out", chunks=(60, 45))
    expected = np.sqrt(np.abs(x)) - x.mean(axis=0)
    np.testing.assert_allclose(zarrc.open_array(LocalStore(tmp_path), path="out")[...],
                               expected)
    assert out.chunks == (60, 45)


def test_misaligned_writes_from_both_workers_lose_nothing(client, tmp_path):
    x = np.arange(96 * 90, dtype="i8").reshape(96, 90)
    a = zarrc.create_array(LocalStore(tmp_path), shape=x.shape, chunks=(10, 10), dtype="i8",
                           fill_value=-1)
    darr = da.from_array(x, chunks=(7, 6))  # every stored chunk is cut by 2-6 blocks
    stored = darr.store(a, lock=False, compute=False)
    workers = _worker_of_each_task(client, lambda: dask.compute(stored))
    np.testing.assert_array_equal(zarrc.open_array(LocalStore(tmp_path), mode="r")[...], x)
    # The race was real: some stored chunks were updated by blocks written on both workers.
    writers = defaultdict(set)
    for key, worker in workers.items():
        if not (isinstance(key, tuple) and str(key[0]).startswith("store-map")):
            continue  # only the tasks that write a block
        i, j = key[1:]
        for ci in range(i * 7 // 10, (min(i * 7 + 7, 96) - 1) // 10 + 1):
            for cj in range(j * 6 // 10, (min(j * 6 + 6, 90) - 1) // 10 + 1):
                writers[ci, cj].add(worker)
    assert len(writers) == 90
    assert sum(len(w) == 2 for w in writers.values()) >= 5


X = np.arange(12 * 10, dtype="u2").reshape(12, 10)


def _fill(store):
    a = zarrc.open_group(store, mode="w").create_array("x", shape=X.shape, chunks=(5, 4),
                                                       dtype=X.dtype)
    a[...] = X
    return store


def _zip(tmp_path):
    with ZipStore(tmp_path / "z.zip", mode="w") as z:
        _fill(z)
    return ZipStore(tmp_path / "z.zip")


def _fsspec(tmp_path):
    pytest.importorskip("fsspec")
    return _fill(FsspecStore.from_url(f"file://{tmp_path}/f.zarr", auto_mkdir=True))


STORES = {
    "local": lambda p: _fill(LocalStore(p / "l.zarr")),
    "zip-r": _zip,
    "fsspec": _fsspec,
    "view": lambda p: ReadOnlyView(_fill(LocalStore(p / "v.zarr"))),
    "memory": lambda p: _fill(MemoryStore()),
}


@pytest.mark.parametrize("make", STORES.values(), ids=STORES.keys())
def test_every_store_reopens_on_a_worker(client, make, tmp_path):
    store = make(tmp_path)
    group = zarrc.open_group(store, mode="r")
    # The group travels to a worker, which opens its member and reads it there.
    member = client.submit(operator.getitem, group, "x")
    np.testing.assert_array_equal(client.submit(np.asarray, member).result(), X)
    array = group["x"]
    d = array.to_dask()
    np.testing.assert_array_equal(d.compute(), X)
    assert int(d.sum().compute()) == int(X.sum())


def test_writes_on_a_worker_reach_a_local_store_but_not_a_memory_store(client, tmp_path):
    for store, reaches in ((_fill(LocalStore(tmp_path)), True), (_fill(MemoryStore()), False)):
        a = zarrc.open_array(store, path="x", mode="r+")
        client.submit(operator.setitem, a, (slice(0, 3), slice(None)), 7).result()
        expected = X.copy()
        if reaches:  # a MemoryStore's copy on the worker took the write; ours did not
            expected[:3] = 7
        np.testing.assert_array_equal(a[...], expected)
