"""Arrays, groups and every built-in store survive pickle (what dask and process pools do to
them): each round trip reopens the same data, reads what NumPy wrote and, where the store is
writable, writes through to the original. Across real processes: tests/test_dask_cluster.py."""

from __future__ import annotations

import pickle
import zipfile

import numpy as np
import pytest

import zarrc
from zarrc.errors import NotPicklableError, ReadOnlyError
from zarrc.storage import FsspecStore, LocalStore, MemoryStore, ReadOnlyView, ZipStore

X = np.arange(7 * 9, dtype="i4").reshape(7, 9)


def _fill(store):
    """An array ``g/x`` (chunks 3x4, v3) holding X, in a group ``g``."""
    g = zarrc.open_group(store, mode="w")
    a = g.create_group("g").create_array("x", shape=X.shape, chunks=(3, 4), dtype=X.dtype)
    a[...] = X
    return store


def _local(tmp_path):
    return _fill(LocalStore(tmp_path / "d.zarr"))


def _fsspec(tmp_path):
    pytest.importorskip("fsspec")
    return _fill(FsspecStore.from_url(f"file://{tmp_path}/f.zarr", auto_mkdir=True))


def _zip_read_only(tmp_path):
    with ZipStore(tmp_path / "z.zip", mode="w") as z:
        _fill(z)
    return ZipStore(tmp_path / "z.zip")


def _view(tmp_path):
    return ReadOnlyView(_local(tmp_path))


STORES = {"local": _local, "fsspec": _fsspec, "zip-r": _zip_read_only, "view": _view}


def _round_trip(obj):
    return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


@pytest.mark.parametrize("make", STORES.values(), ids=STORES.keys())
def test_store_array_and_group_round_trip(make, tmp_path):
    store = make(tmp_path)
    again = _round_trip(store)
    assert type(again) is type(store)
    assert again == store or isinstance(store, ZipStore)  # a zip reopens as a new archive
    assert again.read_only == store.read_only
    assert sorted(again.list_prefix("")) == sorted(store.list_prefix(""))
    group = _round_trip(zarrc.open_group(store, mode="r"))
    np.testing.assert_array_equal(group["g/x"][...], X)
    a = _round_trip(zarrc.open_array(store, path="g/x", mode="r"))
    np.testing.assert_array_equal(a[1:6, 2:8], X[1:6, 2:8])
    assert a.read_only and a.shape == X.shape and a.chunks == (3, 4)


@pytest.mark.parametrize("make", [_local, _fsspec], ids=["local", "fsspec"])
def test_unpickled_array_writes_through_to_the_same_data(make, tmp_path):
    store = make(tmp_path)
    a = _round_trip(zarrc.open_array(store, path="g/x", mode="r+"))
    a[2:5, 1:7] = -1
    expected = X.copy()
    expected[2:5, 1:7] = -1
    np.testing.assert_array_equal(zarrc.open_array(store, path="g/x", mode="r")[...], expected)


def test_unpickled_read_only_array_stays_read_only(tmp_path):
    a = _round_trip(zarrc.open_array(_local(tmp_path), path="g/x", mode="r"))
    with pytest.raises(ReadOnlyError):
        a[0, 0] = 1


def test_sharded_and_v2_arrays_round_trip(tmp_path):
    store = LocalStore(tmp_path)
    s = zarrc.create_array(store, name="s", shape=(16, 16), chunks=(2, 4), shards=(8, 8),
                           dtype="f4")
    v2 = zarrc.create_array(store, name="v2", shape=(16, 16), chunks=(5, 5), dtype="u2",
                            zarr_format=2, fill_value=3)
    data = np.arange(256).reshape(16, 16)
    s[...] = data
    v2[3:, :7] = data[3:, :7]
    np.testing.assert_array_equal(_round_trip(s)[...], data.astype("f4"))
    expected = np.full((16, 16), 3, dtype="u2")
    expected[3:, :7] = data[3:, :7]
    np.testing.assert_array_equal(_round_trip(v2)[...], expected)


def test_memory_store_pickles_as_a_copy_of_its_contents():
    """A MemoryStore lives in one process: pickling carries its dict by value. The copy reads
    what was there; writes through it never reach the original (nor the other way)."""
    store = _fill(MemoryStore())
    a = _round_trip(zarrc.open_array(store, path="g/x", mode="r+"))
    np.testing.assert_array_equal(a[...], X)
    assert a.store.data is not store.data and a.store.data == store.data
    a[...] = 0
    np.testing.assert_array_equal(zarrc.open_array(store, path="g/x", mode="r")[...], X)


@pytest.mark.parametrize("mode", ["w", "a"])
def test_zip_store_open_for_writing_refuses_to_pickle(mode, tmp_path):
    with ZipStore(tmp_path / "z.zip", mode=mode) as z:
        a = zarrc.create_array(z, shape=(4,), dtype="i1")
        for obj in (z, z.with_read_only(), a):
            with pytest.raises(NotPicklableError, match="open for writing.*mode 'r'"):
                pickle.dumps(obj)


def test_zip_store_pickles_its_path_not_its_handle(tmp_path):
    store = _zip_read_only(tmp_path)
    payload = pickle.dumps(store)
    assert len(payload) < 500  # the path, not the archive
    store.close()
    again = pickle.loads(payload)
    assert again.mode == "r" and not again.closed
    with zipfile.ZipFile(tmp_path / "z.zip") as zf:
        assert sorted(again.list_prefix("")) == sorted(zf.namelist())
    again.close()
