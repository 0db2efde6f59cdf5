"""Concurrent metadata updates lose nothing: processes (and threads) appending to one array,
setting attributes of the array and its group, resizing another, creating members and
consolidating, all at once, on every store other processes can share: with lock files
(`LocalStore`) and with conditional writes (SQLite, LMDB, Redis, S3) (docs/reliability.md)."""

from __future__ import annotations

import multiprocessing
import threading
import uuid

import numpy as np
import pytest
from reliability_suite import report, scale

import zarrc
from zarrc.errors import ContainsGroupError
from zarrc.storage import LocalStore, MemoryStore, ZipStore

SHARED = ("local", "sqlite", "lmdb", "redis", "s3")  # stores several processes can write


def shared_store(kind: str, tmp_path, request):
    """A fresh store of ``kind`` that pickles to child processes (servers started on demand)."""
    if kind == "local":
        return LocalStore(tmp_path / "c.zarr")
    if kind == "sqlite":
        from zarrc.storage import SQLiteStore

        return SQLiteStore(tmp_path / "c.db")
    if kind == "lmdb":
        pytest.importorskip("lmdb", reason="lmdb is in the test extra")
        from zarrc.storage import LMDBStore

        return LMDBStore(tmp_path / "c.lmdb")
    if kind == "redis":
        pytest.importorskip("redis", reason="redis is in the test extra")
        from zarrc.storage import RedisStore

        return RedisStore(request.getfixturevalue("redis_server").url,
                          prefix=f"{uuid.uuid4().hex}/")
    pytest.importorskip("obstore", reason="obstore is in the test extra")
    from store_servers import BUCKET

    from zarrc.storage import ObjectStore

    return ObjectStore.from_url(f"s3://{BUCKET}/{uuid.uuid4().hex}",
                                **request.getfixturevalue("s3_server").options())


def _worker(store, worker: int, count: int, barrier) -> None:
    """``count`` rounds of: an append, an array attribute, a resize and an attribute of a
    second array, a group attribute, a member; a consolidation every fourth round. Every
    value names its worker and round."""
    barrier.wait()
    g = zarrc.open_group(store, mode="r+", use_consolidated=False)
    a, r = g["a"], g["r"]
    for i in range(count):
        tag = 1000 * worker + i
        a.append(np.array([[tag, -tag]], dtype="i8"))
        a.attrs[f"a{tag}"] = tag
        r.resize(tag + 1)
        r.attrs[f"r{tag}"] = tag
        g.attrs.update({f"g{tag}": tag})
        g.create_group(f"m{tag}", attributes={"tag": tag})
        if i % 4 == 3:
            zarrc.consolidate_metadata(store)


def _setup(store, zarr_format):
    g = zarrc.group(store, zarr_format=zarr_format)
    g.create_array("a", shape=(0, 2), dtype="i8", chunks=(3, 2))
    g.create_array("r", shape=(0,), dtype="i1", chunks=(4,))
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
        "resized_array_attrs": len(tags - {int(k[1:]) for k in g["r"].attrs}),
        "resized_array_shape": int(g["r"].shape[0] - 1 not in tags),
        "group_attrs": len(tags - {int(k[1:]) for k in g.attrs}),
        "members": len(tags - {int(n[1:]) for n in g if n not in ("a", "r")}),
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
    report(name, writers=workers, updates=6 * workers * count, lost=lost)
    assert lost == dict.fromkeys(lost, 0)


def _processes(target, args: list) -> list:
    """Run ``target(*a, barrier)`` in one process per ``a``, all released at once; their exit
    codes."""
    ctx = multiprocessing.get_context("forkserver")
    barrier = ctx.Barrier(len(args))
    procs = _run([ctx.Process(target=target, args=(*a, barrier)) for a in args])
    return [p.exitcode for p in procs]


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("kind", SHARED)
def test_processes_updating_metadata_at_once_lose_nothing(tmp_path, request, kind,
                                                          zarr_format):
    store = shared_store(kind, tmp_path, request)
    _setup(store, zarr_format)
    workers, count = 4, scale(12 if kind == "local" else 6, 60)
    assert _processes(_worker, [(store, w, count) for w in range(workers)]) == [0] * workers
    _assert_nothing_lost(f"concurrent-processes[{kind}-v{zarr_format}]", store, workers, count)
    consolidated = zarrc.open_consolidated(store)
    assert "a" in consolidated  # the last consolidation is a readable document
    store.close()


def _create_members(store, names: list, barrier) -> None:
    """Create each of ``names`` (the same for every process) as a group: ``created`` or
    ``refused`` per name, by the name's place, in a file per process."""
    barrier.wait()
    g = zarrc.open_group(store, mode="r+", use_consolidated=False)
    outcome = []
    for name in names:
        try:
            g.create_group(name, attributes={"by": multiprocessing.current_process().name})
            outcome.append("created")
        except ContainsGroupError:
            outcome.append("refused")
    g.attrs[multiprocessing.current_process().name] = outcome


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("kind", SHARED)
def test_of_processes_creating_the_same_members_exactly_one_creates_each(tmp_path, request,
                                                                          kind, zarr_format):
    store = shared_store(kind, tmp_path, request)
    zarrc.group(store, zarr_format=zarr_format)
    names = [f"m{i}/n" for i in range(scale(10, 40))]  # and the group above each, made once
    assert _processes(_create_members, [(store, names)] * 4) == [0] * 4
    g = zarrc.open_group(store, mode="r", use_consolidated=False)
    outcomes = list(g.attrs.values())
    assert len(outcomes) == 4
    for k, name in enumerate(names):
        assert sorted(o[k] for o in outcomes) == ["created"] + ["refused"] * 3
        creator = g[name].attrs["by"]  # the creator's attributes, written once
        assert g.attrs[creator][k] == "created"
    store.close()


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
