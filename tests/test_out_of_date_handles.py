"""Writes through a handle whose shape is out of date keep what other handles stored.

A handle keeps the shape it read. Its edge chunks (those its shape cuts) may hold values
another handle stored past that shape after growing the array: a write that covers such a
chunk "whole" from the old handle's view must still read it and keep those values. And values
a handle with a larger, out-of-date shape writes past a shrunk array's end must not show when
the array grows again: growing exposes the fill value only. Checked on both chunk-I/O
implementations, on stores with locks and with conditional writes, plain and sharded, v2 and v3,
against a NumPy model.
"""

from __future__ import annotations

import numpy as np
import pytest

import zarrc
from zarrc.storage import LocalStore, MemoryStore, SQLiteStore
from zarrc.testing.engine import KINDS, engine, io_kinds

FILL = -7
LAYOUTS = {  # chunks, shards: every shape below cuts chunks (and shards) in both dimensions
    "v3": dict(zarr_format=3, chunks=(4, 4)),
    "v3-sharded": dict(zarr_format=3, chunks=(2, 2), shards=(4, 4)),
    "v2": dict(zarr_format=2, chunks=(4, 4)),
}
STORES = {
    "local": lambda tmp_path: LocalStore(tmp_path / "a.zarr"),  # lock files, native files sink
    "memory": lambda tmp_path: MemoryStore(),  # in-process lock, native memory sink
    "sqlite": lambda tmp_path: SQLiteStore(tmp_path / "a.db"),  # conditional writes
}


def _create(store, shape, layout):
    return zarrc.create_array(store, shape=shape, dtype="i4", fill_value=FILL,
                              compressors=[{"name": "zstd", "configuration": {"level": 1}}]
                              if LAYOUTS[layout]["zarr_format"] == 3 else
                              {"id": "zstd", "level": 1}, **LAYOUTS[layout])


def _stored(store) -> np.ndarray:
    return zarrc.open_array(store, mode="r")[...]


@pytest.mark.parametrize("value", [1, FILL], ids=["data", "fill"])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("store_kind", sorted(STORES))
@pytest.mark.parametrize("kind", KINDS)
def test_a_write_through_a_smaller_old_shape_keeps_what_was_stored_past_it(
        tmp_path, kind, store_kind, layout, value):
    store = STORES[store_kind](tmp_path)
    _create(store, (10, 7), layout)
    with engine(kind):
        old = zarrc.open_array(store)  # shape (10, 7): its last chunks are edge chunks
        grower = zarrc.open_array(store)
    grower.resize(14, 9)
    past = np.arange(14 * 9, dtype="i4").reshape(14, 9) + 100
    grower[10:, :] = past[10:, :]
    grower[:10, 7:] = past[:10, 7:]
    model = np.full((14, 9), FILL, "i4")
    model[10:, :] = past[10:, :]
    model[:10, 7:] = past[:10, 7:]
    assert old.shape == (10, 7)
    old[...] = value  # every chunk "whole" from the old handle's view
    model[:10, :7] = value
    np.testing.assert_array_equal(_stored(store), model)
    store.close()


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("store_kind", sorted(STORES))
@pytest.mark.parametrize("kind", KINDS)
def test_values_written_past_a_shrunk_array_through_an_old_handle_stay_hidden_when_it_grows(
        tmp_path, kind, store_kind, layout):
    store = STORES[store_kind](tmp_path)
    _create(store, (10, 7), layout)
    with engine(kind):
        old = zarrc.open_array(store)  # keeps shape (10, 7)
        other = zarrc.open_array(store)
    other.resize(5, 5)
    old[...] = 3  # past the stored shape (5, 5): values no reader can see
    np.testing.assert_array_equal(_stored(store), np.full((5, 5), 3))
    other.resize(10, 7)  # growing exposes the fill value, as NumPy's resize would
    model = np.full((10, 7), FILL, "i4")
    model[:5, :5] = 3
    np.testing.assert_array_equal(_stored(store), model)
    store.close()


@pytest.mark.parametrize("kind", KINDS)
def test_edge_chunks_alone_are_read_modified_written(tmp_path, kind, monkeypatch):
    """The cost stays at the edge: a write of a whole array whose shape cuts its last chunks
    reads those chunks only (the native loop still stores the others itself)."""
    store = LocalStore(tmp_path / "a.zarr")
    a = _create(store, (10, 7), "v3")
    with engine(kind):
        a = zarrc.open_array(store)
    assert io_kinds(a)[2] == kind
    reads = []
    get = LocalStore.get
    monkeypatch.setattr(LocalStore, "get",
                        lambda self, key, byte_range=None: (reads.append(key),
                                                            get(self, key, byte_range))[1])
    a[...] = np.arange(70, dtype="i4").reshape(10, 7)
    assert sorted(reads) == ["c/0/1", "c/1/1", "c/2/0", "c/2/1"]
    np.testing.assert_array_equal(a[...], np.arange(70).reshape(10, 7))
