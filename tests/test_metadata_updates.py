"""Metadata read-modify-writes lose nothing, and resize never brings dropped data back
(issue 12, items 2 and 3).

Every change of a node's metadata (attributes, resize, append, creating or deleting members,
consolidation) re-reads the stored document under the node's lock; so changes through
out-of-date handles, threads and processes all survive. ``resize`` clears what it drops
before it stores the new shape, so a crash between its steps cannot resurrect data.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time

import numpy as np
import pytest

import zarrc
from zarrc import nodes
from zarrc.errors import ContainsArrayError, ContainsGroupError
from zarrc.storage import CacheStore, LocalStore, MemoryStore, SQLiteStore, lockfile

# -- out-of-date handles -------------------------------------------------------------------


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_an_attribute_set_through_an_old_handle_keeps_an_append(zarr_format):
    store = MemoryStore()
    zarrc.create_array(store, shape=(4,), dtype="i4", chunks=(2,), zarr_format=zarr_format)
    old = zarrc.open_array(store)
    fresh = zarrc.open_array(store)
    fresh.append(np.arange(3))
    old.attrs["note"] = "kept"
    again = zarrc.open_array(store, mode="r")
    assert again.shape == (7,)
    assert dict(again.attrs) == {"note": "kept"}
    np.testing.assert_array_equal(again[...], [0, 0, 0, 0, 0, 1, 2])
    assert old.shape == (7,)  # the old handle adopted what it re-read


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_a_resize_through_an_old_handle_keeps_attributes(zarr_format):
    store = MemoryStore()
    zarrc.create_array(store, shape=(4,), dtype="i4", chunks=(2,), zarr_format=zarr_format)
    old = zarrc.open_array(store)
    zarrc.open_array(store).attrs["a"] = 1
    old.resize(6)
    again = zarrc.open_array(store, mode="r")
    assert again.shape == (6,) and dict(again.attrs) == {"a": 1}


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_attribute_updates_through_two_old_handles_both_survive(zarr_format):
    store = MemoryStore()
    zarrc.group(store, zarr_format=zarr_format)
    g1, g2 = zarrc.open_group(store), zarrc.open_group(store)
    g1.attrs["one"] = 1
    g2.attrs.update({"two": 2})
    g1.attrs["three"] = 3
    del g2.attrs["one"]
    assert dict(zarrc.open_group(store, mode="r").attrs) == {"two": 2, "three": 3}
    with pytest.raises(KeyError):
        del g2.attrs["one"]  # no longer stored: nothing written


def test_appends_through_old_handles_each_get_their_own_region():
    store = MemoryStore()
    zarrc.create_array(store, shape=(0, 2), dtype="i4", chunks=(3, 2))
    handles = [zarrc.open_array(store) for _ in range(3)]
    for i in range(4):
        for k, h in enumerate(handles):
            h.append(np.full((1, 2), 10 * k + i))
    got = zarrc.open_array(store, mode="r")[...]
    assert got.shape == (12, 2)
    assert sorted(got[:, 0]) == sorted(10 * k + i for k in range(3) for i in range(4))


# -- threads and processes -----------------------------------------------------------------


def _start_together(start):
    """Wait for the wall-clock time ``start``, so that spawned workers really overlap."""
    time.sleep(max(0.0, start - time.time()))


def _append_rows(path, worker, count, start=0.0):
    a = zarrc.open_array(path)
    _start_together(start)
    for i in range(count):
        a.append(np.array([1000 * worker + i]))


def _set_attributes(path, worker, count, start=0.0):
    g = zarrc.open_group(path)
    _start_together(start)
    for i in range(count):
        g.attrs[f"w{worker}-{i}"] = i


def _check_appends(path, workers, count):
    values = zarrc.open_array(path, mode="r")[...]
    assert sorted(values) == sorted(1000 * w + i for w in range(workers) for i in range(count))


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_threads_appending_and_setting_attributes_lose_nothing(tmp_path, zarr_format):
    path = str(tmp_path / "t.zarr")
    zarrc.create_array(path, shape=(0,), dtype="i8", chunks=(7,), zarr_format=zarr_format)
    workers, count = 6, 15
    threads = [threading.Thread(target=_append_rows, args=(path, w, count))
               for w in range(workers)]
    threads += [threading.Thread(target=_set_attributes_on_array, args=(path, w, count))
                for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _check_appends(path, workers, count)
    assert len(zarrc.open_array(path, mode="r").attrs) == workers * count


def _set_attributes_on_array(path, worker, count):
    a = zarrc.open_array(path)
    for i in range(count):
        a.attrs[f"w{worker}-{i}"] = i


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_processes_appending_lose_nothing(tmp_path, zarr_format):
    path = str(tmp_path / "p.zarr")
    zarrc.create_array(path, shape=(0,), dtype="i8", chunks=(5,), zarr_format=zarr_format)
    workers, count = 4, 20
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        start = time.time() + 3
        pool.starmap(_append_rows, [(path, w, count, start) for w in range(workers)])
    _check_appends(path, workers, count)


def test_processes_setting_attributes_lose_nothing(tmp_path):
    path = str(tmp_path / "g.zarr")
    zarrc.group(path)
    workers, count = 4, 40
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        start = time.time() + 3
        pool.starmap(_set_attributes, [(path, w, count, start) for w in range(workers)])
    attrs = dict(zarrc.open_group(path, mode="r").attrs)
    assert attrs == {f"w{w}-{i}": i for w in range(workers) for i in range(count)}


def _create_members(path, names, start):
    _start_together(start)
    return [_create_member(path, name) for name in names]


def test_of_processes_creating_the_same_members_exactly_one_creates_each(tmp_path):
    path = str(tmp_path / "m.zarr")
    zarrc.group(path)
    names = [f"m{i}" for i in range(30)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        start = time.time() + 3
        results = pool.starmap(_create_members, [(path, names, start)] * 4)
    for k in range(len(names)):
        assert sorted(r[k] for r in results) == ["created", "refused", "refused", "refused"]


def _create_member(path, name):
    try:
        zarrc.open_group(path).create_array(name, shape=(2,), dtype="i1",
                                            attributes={"by": threading.get_ident()})
        return "created"
    except ContainsArrayError:
        return "refused"


def test_of_threads_creating_one_member_exactly_one_succeeds(tmp_path):
    path = str(tmp_path / "m.zarr")
    zarrc.group(path)
    results = []
    barrier = threading.Barrier(8)

    def work():
        barrier.wait()
        results.append(_create_member(path, "x"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["created"] + ["refused"] * 7


def test_require_group_from_many_threads_gives_one_group(tmp_path):
    path = str(tmp_path / "r.zarr")
    root = zarrc.group(path)
    got = []
    threads = [threading.Thread(target=lambda: got.append(root.require_group("g/h").path))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == ["g/h"] * 6
    with pytest.raises(ContainsGroupError):
        root.create_group("g/h")


def test_consolidation_keeps_an_attribute_set_meanwhile(monkeypatch):
    store = MemoryStore()
    g = zarrc.group(store)
    g.create_array("a", shape=(2,), dtype="i1")
    walk = zarrc.api._walk
    writers = []

    def walk_then_set(*args):  # another writer sets an attribute while the tree is walked
        walk(*args)
        thread = threading.Thread(target=lambda: zarrc.open_group(store).attrs.update(x=1))
        writers.append(thread)
        thread.start()
        thread.join(0.5)

    monkeypatch.setattr(zarrc.api, "_walk", walk_then_set)
    zarrc.consolidate_metadata(store)
    monkeypatch.setattr(zarrc.api, "_walk", walk)
    writers[0].join(30)  # the attribute lands once consolidation lets go of the lock
    assert not writers[0].is_alive(), "the other writer still waits for the lock"
    doc = json.loads(store.get("zarr.json"))
    assert doc["attributes"] == {"x": 1}
    assert "a" in doc["consolidated_metadata"]["metadata"]


def test_document_and_chunk_locks_never_wait_on_each_other(tmp_path, monkeypatch):
    """resize holds the array's document lock while it clears chunks: with one lock file
    per family every chunk shares a file, and still nothing waits on its own writer."""
    monkeypatch.setattr(lockfile, "CHUNK_SLOTS", 1)
    monkeypatch.setattr(lockfile, "DOCUMENT_SLOTS", 1)
    a = zarrc.create_array(LocalStore(tmp_path), shape=(10, 10), dtype="i4", chunks=(3, 3))
    a[...] = 1
    done = []
    worker = threading.Thread(target=lambda: (a.resize(5, 5), done.append(a.shape)),
                              daemon=True)
    worker.start()
    worker.join(30)
    assert done == [(5, 5)]


# -- stores with conditional writes: another process at the worst moment -----------------


class _Meddling(SQLiteStore):
    """A SQLiteStore (conditional writes, no lock other processes see) that runs ``meddle``
    once, when chunks are next listed: what another process stores at that moment."""

    meddle = None

    def list_prefix(self, prefix):
        meddle, self.meddle = self.meddle, None
        if meddle is not None:
            meddle()
        return super().list_prefix(prefix)

    def meddle_with(self, change) -> None:
        """Meddle by storing what ``change(array)`` stores (done now on a copy): its keys are
        set as another process would, without this process's locks."""
        theirs = MemoryStore({k: self.get(k) for k in self.list_prefix("")})
        change(zarrc.open_array(theirs))
        changed = [k for k in theirs.list_prefix("") if theirs.get(k) != self.get(k)]
        assert changed
        self.meddle = lambda: [self.set(k, theirs.get(k)) for k in changed]


@pytest.mark.parametrize("cached", [False, True], ids=["plain", "cached"])
@pytest.mark.parametrize("chunks", [1, 2], ids=["whole-chunk", "edge-chunk"])
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_a_growing_resize_keeps_what_an_append_stored_meanwhile(tmp_path, zarr_format, chunks,
                                                                cached):
    """A resize clears what lies past the stored shape (only an out-of-date handle can have
    written there) before it stores the new one. Another process's append commits its new
    shape and writes its row between the resize's read of the shape and its clearing: the
    resize must notice and start again, not clear the row."""
    db = _Meddling(tmp_path / "a.db")
    store = CacheStore(db, max_bytes=1 << 20) if cached else db
    a = zarrc.create_array(store, shape=(3,), dtype="i4", chunks=(chunks,), fill_value=0,
                           zarr_format=zarr_format)
    a[...] = [1, 2, 3]
    a = zarrc.open_array(store)  # (through the cache: its document is cached now)
    db.meddle_with(lambda theirs: theirs.append([42]))
    a.resize(6)
    assert db.meddle is None  # it ran, inside the resize
    np.testing.assert_array_equal(zarrc.open_array(db, mode="r")[...], [1, 2, 3, 42, 0, 0])


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_an_attribute_set_and_a_resize_from_other_processes_both_survive(tmp_path,
                                                                         zarr_format):
    """The document is stored only if unchanged since it was read: an attribute set by
    another process while a resize runs is kept, and the resize is applied on top."""
    db = _Meddling(tmp_path / "a.db")
    a = zarrc.create_array(db, shape=(4,), dtype="i4", chunks=(2,), zarr_format=zarr_format)
    db.meddle_with(lambda theirs: theirs.attrs.update(theirs=1))
    a.resize(2)
    assert db.meddle is None
    again = zarrc.open_array(db, mode="r")
    assert again.shape == (2,) and dict(again.attrs) == {"theirs": 1}


# -- resize: no crash point resurrects dropped data ----------------------------------------


class _Crash(BaseException):
    """A simulated kill: raised by the store at one chosen mutation."""


class _CrashingStore(MemoryStore):
    """A MemoryStore that dies at its ``fail_at``-th set or delete (1-based)."""

    fail_at = None
    count = 0

    def _tick(self):
        self.count += 1
        if self.fail_at is not None and self.count >= self.fail_at:
            raise _Crash

    def set(self, key, value):
        self._tick()
        super().set(key, value)

    def delete(self, key):
        self._tick()
        super().delete(key)


CANVAS = (12, 10)


def _make(store, zarr_format, sharded):
    kwargs = dict(shards=(4, 4)) if sharded else {}
    a = zarrc.create_array(store, shape=CANVAS, dtype="i4", chunks=(2, 2) if sharded else (3, 4),
                           zarr_format=zarr_format, fill_value=0, **kwargs)
    a[...] = np.arange(1, 1 + np.prod(CANVAS)).reshape(CANVAS)
    return a


def _hidden_values(store):
    """Grow the stored array to CANVAS by its metadata alone (as any reader may) and return
    what then shows outside the shape it had: all fill unless dropped data was left."""
    meta = nodes.read_node_metadata(store, "")
    nodes.write_node_document(store, "", meta.evolve(shape=CANVAS))
    grown = zarrc.open_array(store, mode="r")[...]
    visible = np.zeros(CANVAS, bool)
    visible[tuple(slice(0, n) for n in meta.shape)] = True
    return meta.shape, grown[~visible]


@pytest.mark.parametrize("sharded", [False, True], ids=["plain", "sharded"])
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_no_crash_point_of_resize_resurrects_dropped_data(zarr_format, sharded):
    if sharded and zarr_format == 2:
        pytest.skip("v2 has no shards")
    template = MemoryStore()
    _make(template, zarr_format, sharded)
    for fail_at in range(1, 100):
        store = _CrashingStore(dict(template.data))
        a = zarrc.open_array(store)
        store.fail_at = fail_at
        try:
            a.resize(5, 7)
        except _Crash:
            shape, hidden = _hidden_values(MemoryStore(dict(store.data)))
            assert shape in (CANVAS, (5, 7))
            assert (hidden == 0).all(), f"dropped data came back after a crash at {fail_at}"
            continue
        break
    else:
        pytest.fail("resize never finished")
    assert fail_at > 2  # the crash points really were inside resize
