"""Concurrent metadata updates lose nothing: processes (and threads) appending to one array,
setting attributes of the array and its group, creating members and consolidating, all at
once (docs/reliability.md)."""

from __future__ import annotations

import multiprocessing
import threading

import numpy as np
import pytest
from reliability_suite import report, scale

import zarrc
from zarrc.storage import LocalStore, MemoryStore, ZipStore


def _worker(store, worker: int, count: int, barrier) -> None:
    """``count`` rounds of: an append, an array attribute, a group attribute, a member; a
    consolidation every fourth round. Every value names its worker and round."""
    barrier.wait()
    g = zarrc.open_group(store, mode="r+", use_consolidated=False)
    a = g["a"]
    for i in range(count):
        tag = 1000 * worker + i
        a.append(np.array([[tag, -tag]], dtype="i8"))
        a.attrs[f"a{tag}"] = tag
        g.attrs.update({f"g{tag}": tag})
        g.create_group(f"m{tag}", attributes={"tag": tag})
        if i % 4 == 3:
            zarrc.consolidate_metadata(store)


def _process_worker(root: str, worker: int, count: int, barrier) -> None:
    _worker(LocalStore(root), worker, count, barrier)


def _setup(store, zarr_format):
    g = zarrc.group(store, zarr_format=zarr_format)
    g.create_array("a", shape=(0, 2), dtype="i8", chunks=(3, 2))
    return g


def _lost(store, workers: int, count: int) -> dict:
    """How many updates of each kind are missing (0 everywhere when nothing was lost)."""
    tags = {1000 * w + i for w in range(workers) for i in range(count)}
    g = zarrc.open_group(store, mode="r", use_consolidated=False)
    a = g["a"][...]
    rows = {int(t) for t, u in a if u == -t}
    return {
        "appends": len(tags - rows) + (a.shape[0] - len(tags)),
        "array_attrs": len(tags - {int(k[1:]) for k in g["a"].attrs}),
        "group_attrs": len(tags - {int(k[1:]) for k in g.attrs}),
        "members": len(tags - {int(n[1:]) for n in g if n != "a"}),
    }


def _run(units: list) -> list:
    """Start every thread or process, then wait for all of them."""
    for unit in units:
        unit.start()
    for unit in units:
        unit.join(600)
    return units


def _assert_nothing_lost(name: str, store, workers: int, count: int) -> None:
    lost = _lost(store, workers, count)
    report(name, writers=workers, updates=4 * workers * count, lost=lost)
    assert lost == {"appends": 0, "array_attrs": 0, "group_attrs": 0, "members": 0}


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_processes_updating_metadata_at_once_lose_nothing(tmp_path, zarr_format):
    root = str(tmp_path / "c.zarr")
    _setup(LocalStore(root), zarr_format)
    workers, count = 4, scale(12, 60)
    ctx = multiprocessing.get_context("forkserver")
    barrier = ctx.Barrier(workers)
    procs = _run([ctx.Process(target=_process_worker, args=(root, w, count, barrier))
                  for w in range(workers)])
    assert [p.exitcode for p in procs] == [0] * workers
    _assert_nothing_lost(f"concurrent-processes[v{zarr_format}]", LocalStore(root), workers,
                         count)
    consolidated = zarrc.open_consolidated(root)
    assert "a" in consolidated  # the last consolidation is a readable document


@pytest.mark.parametrize("kind", ["memory", "zip", "local"])
def test_threads_updating_metadata_at_once_lose_nothing(tmp_path, kind):
    store = {"memory": lambda: MemoryStore(),
             "zip": lambda: ZipStore(tmp_path / "t.zip", mode="w"),
             "local": lambda: LocalStore(tmp_path / "t.zarr")}[kind]()
    _setup(store, 3)
    workers, count = 4, scale(8, 40)
    barrier = threading.Barrier(workers)
    _run([threading.Thread(target=_worker, args=(store, w, count, barrier))
          for w in range(workers)])
    _assert_nothing_lost(f"concurrent-threads[{kind}]", store, workers, count)
    store.close()
