"""User guide, "Storage": implicit and explicit stores, their reprs, and zarr-python's store
names (WrapperStore, LoggingStore, StorePath, Buffer values)."""

from __future__ import annotations

import io
import logging
import pathlib

import numpy as np
import pytest

import zarrc
from zarrc.errors import ReadOnlyError
from zarrc.storage import LoggingStore, MemoryStore, StorePath, WrapperStore
from zarrc.testing.store import StoreTests


def test_implicit_stores_print_like_zarr_python(same_output):
    def example(z):
        print(z.create_group(store="grp/one"))
        print(z.open_group(store="grp/one"), z.open_group(store=pathlib.Path("grp/one")))
        print(z.create_group(store={}), z.create_group(store=None))

    same_output(example)


def test_explicit_stores(same_output):
    def example(z):
        z.create_group(store="ro")
        ro = z.storage.LocalStore("ro", read_only=True)
        print(z.open_group(store=ro, mode="r"))
        zs = z.storage.ZipStore("arch.zip", mode="w")
        print(z.create_array(store=zs, shape=(3,), dtype="int16"))
        zs.close()
        d = {}
        print(z.create_array(store=z.storage.MemoryStore(d), shape=(4,), dtype="uint8"),
              sorted(d))

    same_output(example)


def test_read_only_local_store_refuses_writes(tmp_path):
    zarrc.create_array(str(tmp_path / "a"), shape=(2,), dtype="i1")
    a = zarrc.open_array(zarrc.storage.LocalStore(str(tmp_path / "a"), read_only=True))
    with pytest.raises(ReadOnlyError):
        a[0] = 1


def test_store_path_as_store():
    store = MemoryStore()
    sp = StorePath(store, "outer") / "inner"
    a = zarrc.create_array(sp, shape=(3,), dtype="i4")
    a[:] = [1, 2, 3]
    assert a.path == "outer/inner" and str(sp).endswith("/outer/inner")
    np.testing.assert_array_equal(zarrc.open_array(store, path="outer/inner")[:], [1, 2, 3])
    assert isinstance(zarrc.open_group(store, path="outer"), zarrc.Group)


class TestWrapperStore(StoreTests):
    def make_store(self, tmp_path):
        return WrapperStore(MemoryStore())


class TestLoggingStore(StoreTests):
    def make_store(self, tmp_path):
        return LoggingStore(MemoryStore(), log_handler=logging.NullHandler())


def test_logging_store_logs_and_counts():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    store = LoggingStore(MemoryStore(), log_level="INFO", log_handler=handler)
    a = zarrc.create_array(store, shape=(4,), chunks=(2,), dtype="i2")
    a[:] = [1, 2, 3, 4]
    np.testing.assert_array_equal(a[:], [1, 2, 3, 4])
    assert store.counter["set"] >= 3 and store.counter["get"] >= 1 and store.counter["get_many"] >= 1
    assert "Calling MemoryStore.set(c/0)" in stream.getvalue()
    assert str(store) == str(store.inner)


def test_fsspec_store_from_url_takes_storage_options_as_zarr_python_passes_them():
    pytest.importorskip("fsspec")
    store = zarrc.storage.FsspecStore.from_url("memory://guide-fsspec/x", read_only=False,
                                               storage_options={"skip_instance_cache": True})
    a = zarrc.create_array(store=store, shape=(3,), dtype="i2")
    a[:] = [4, 5, 6]
    ro = zarrc.storage.FsspecStore.from_url("memory://guide-fsspec/x", read_only=True)
    np.testing.assert_array_equal(zarrc.open_array(ro, mode="r")[:], [4, 5, 6])
    assert str(store) == "memory:///guide-fsspec/x"


def test_object_store_prints_like_zarr_python(same_output):
    obstore = pytest.importorskip("obstore.store")

    def example(z):
        store = z.storage.ObjectStore(obstore.MemoryStore())
        a = z.create_array(store=store, shape=(3,), dtype="int32")
        a[:] = [7, 8, 9]
        print(a, a[:])

    assert "object_store://" in same_output(example)
