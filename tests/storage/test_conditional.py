"""Conditional writes and zarrc's optimistic read-modify-write (``zarrc.engine.update``):
a conflicting writer between the read and the write is detected and the update redone; several
processes writing disjoint parts of the same chunks on S3 (moto's server, which honours
If-Match / If-None-Match on PUT) lose nothing."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest

import zarrc
from zarrc.engine.update import MAX_CONFLICTS, update_chunk
from zarrc.errors import StoreError
from zarrc.storage import MemoryStore, SQLiteStore
from zarrc.storage.wrapper import WrapperStore


class Interloper(WrapperStore):
    """After each of the first ``times`` ``get_versioned`` calls, another writer (``meddle``)
    changes the value before the caller's conditional write arrives."""

    def __init__(self, inner, meddle, times=1):
        super().__init__(inner)
        self.meddle, self.times, self.set_if_results = meddle, times, []

    def get_versioned(self, key):
        found = self._inner.get_versioned(key)
        if self.times > 0:
            self.times -= 1
            self.meddle(self._inner, key)
        return found

    def set_if(self, key, value, *, version):
        stored = self._inner.set_if(key, value, version=version)
        self.set_if_results.append(stored)
        return stored


def _append(suffix):
    def modify(data, may_delete):
        assert may_delete is False  # the optimistic path never deletes
        return (data or b"") + suffix

    return modify


def test_a_conflicting_write_is_redone_not_lost(tmp_path):
    def other_writer(store, key):
        store.set(key, store.get(key) + b"|other")

    inner = SQLiteStore(tmp_path / "c.db")
    inner.set("k", b"start")
    store = Interloper(inner, other_writer)
    update_chunk(store, "k", _append(b"|mine"))
    assert inner.get("k") == b"start|other|mine"
    assert store.set_if_results == [False, True]


def test_creating_a_chunk_races_another_creator(tmp_path):
    def other_creator(store, key):
        store.set(key, b"theirs")

    inner = SQLiteStore(tmp_path / "c.db")
    store = Interloper(inner, other_creator)
    update_chunk(store, "new", _append(b"+mine"))
    assert inner.get("new") == b"theirs+mine"


def test_endless_conflicts_end_in_a_store_error(tmp_path, monkeypatch):
    monkeypatch.setattr("zarrc.engine.update.time.sleep", lambda seconds: None)
    inner = SQLiteStore(tmp_path / "c.db")
    inner.set("k", b"0")
    store = Interloper(inner, lambda s, k: s.set(k, s.get(k) + b"."), times=10**6)
    with pytest.raises(StoreError, match=f"'k'.*{MAX_CONFLICTS} conditional writes"):
        update_chunk(store, "k", _append(b"x"))
    assert not any(store.set_if_results)


def test_unchanged_value_is_not_written(tmp_path):
    inner = SQLiteStore(tmp_path / "c.db")
    inner.set("k", b"same")
    store = Interloper(inner, lambda s, k: None, times=0)
    update_chunk(store, "k", lambda data, may_delete: data)
    assert store.set_if_results == []


def test_stores_without_conditional_writes_use_the_lock_and_may_delete():
    store = MemoryStore({"k": b"v"})
    seen = []

    def modify(data, may_delete):
        seen.append((data, may_delete))
        return None

    update_chunk(store, "k", modify)
    assert seen == [(b"v", True)] and store.get("k") is None


def test_fill_value_chunk_is_stored_not_deleted_on_the_optimistic_path(tmp_path):
    store = SQLiteStore(tmp_path / "a.db")
    a = zarrc.create_array(store, shape=(4,), chunks=(4,), dtype="i1", fill_value=0)
    a[...] = [1, 2, 3, 4]
    a[1:4] = 0  # partial
    a[0:1] = 0  # partial, and now the chunk is all fill
    assert store.get("c/0") is not None  # written: a conditional delete does not exist
    np.testing.assert_array_equal(a[...], [0, 0, 0, 0])
    memory = MemoryStore()
    b = zarrc.create_array(memory, shape=(4,), chunks=(4,), dtype="i1", fill_value=0)
    b[...] = [1, 2, 3, 4]
    b[1:4] = 0
    b[0:1] = 0
    assert memory.get("c/0") is None  # under a lock the empty chunk is deleted


# -- several processes on S3 --------------------------------------------------------------------

SHAPE = (32, 32)


def _region(i):
    return np.s_[2 * i : 2 * (i + 1), :]


def _write_band(url, options, i):
    array = zarrc.open_array(url, mode="r+", storage_options=options)
    array[_region(i)] = i + 1


@pytest.mark.parametrize("shards", [None, (32, 32)], ids=["chunks", "shards"])
def test_processes_writing_disjoint_parts_of_s3_chunks(s3_server, s3_url, shards):
    pytest.importorskip("obstore")
    options = s3_server.options()
    zarrc.create_array(
        s3_url, shape=SHAPE, chunks=(16, 16), shards=shards, dtype="i4", storage_options=options
    )
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        pool.starmap(_write_band, [(s3_url, options, i) for i in range(SHAPE[0] // 2)])
    expected = np.zeros(SHAPE, "i4")
    for i in range(SHAPE[0] // 2):
        expected[_region(i)] = i + 1
    got = zarrc.open_array(s3_url, mode="r", storage_options=options)[...]
    np.testing.assert_array_equal(got, expected)


def test_moto_enforces_conditional_puts(s3_server, s3_url):
    """The server, not the client, refuses a stale If-Match and an If-None-Match on an
    existing object: the write with the stale version leaves the object as it was."""
    pytest.importorskip("obstore")
    import obstore

    from zarrc.storage import ObjectStore

    store = ObjectStore.from_url(s3_url, **s3_server.options())
    store.set("k", b"one")
    _, version = store.get_versioned("k")
    store.set("k", b"two")
    e_tag = version.split("\n")[0]
    with pytest.raises(Exception, match="412|Precondition"):
        obstore.put(store.store, "k", b"three", mode={"e_tag": e_tag})
    with pytest.raises(Exception, match="412|already exists|Precondition"):
        obstore.put(store.store, "k", b"three", mode="create")
    assert store.get("k") == b"two"
