"""FsspecStore: the conformance suite over fsspec's memory and local filesystems (skipped when
fsspec is absent; the local one also through ``dir://``), atomic writes on the local filesystem, and the install hint when fsspec is
missing. (Writes killed with SIGKILL: tests/reliability/test_kill_fsspec.py.)"""

from __future__ import annotations

import os
import sys
import uuid

import pytest

from zarrc.storage import FsspecStore
from zarrc.storage.atomic import TEMP_PREFIX
from zarrc.testing.store import StoreTests


def test_missing_fsspec_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "fsspec", None)  # makes `import fsspec` fail
    with pytest.raises(ImportError, match="pip install fsspec"):
        FsspecStore.from_url("s3://bucket/data.zarr")


class TestFsspecMemory(StoreTests):
    def make_store(self, tmp_path):
        pytest.importorskip("fsspec")
        return FsspecStore.from_url(f"memory://zarrc-tests/{uuid.uuid4().hex}")


class TestFsspecLocal(StoreTests):
    def make_store(self, tmp_path):
        pytest.importorskip("fsspec")
        return FsspecStore.from_url(f"file://{tmp_path}/store", auto_mkdir=True)

    def reopen(self, store, tmp_path):
        return FsspecStore.from_url(store.url)


class TestFsspecDirLocal(StoreTests):
    """The same contract through a ``dir://`` filesystem over the local one."""

    def make_store(self, tmp_path):
        fsspec = pytest.importorskip("fsspec")
        fs = fsspec.filesystem("dir", path=str(tmp_path), fs=fsspec.filesystem("file"))
        return FsspecStore(fs, "store")

    def reopen(self, store, tmp_path):
        return FsspecStore.from_url(store.url)


class TestFsspecLocalFsync(StoreTests):
    """The same contract on a filesystem without ``auto_mkdir``, with ``fsync``."""

    def make_store(self, tmp_path):
        fsspec = pytest.importorskip("fsspec")
        return FsspecStore(fsspec.filesystem("file"), str(tmp_path / "store"), fsync=True)


def test_url_root_and_repr(tmp_path):
    fsspec = pytest.importorskip("fsspec")
    store = FsspecStore.from_url(f"file://{tmp_path}/data", auto_mkdir=True)
    store.set("a/b", b"xyz")
    assert (tmp_path / "data" / "a" / "b").read_bytes() == b"xyz"
    assert store.root == str(tmp_path / "data")
    assert str(tmp_path / "data") in repr(store)
    same = FsspecStore(fsspec.filesystem("file", auto_mkdir=True), str(tmp_path / "data"))
    assert same == store and same != store.with_read_only()


def _local(tmp_path, **kwargs):
    fsspec = pytest.importorskip("fsspec")
    return FsspecStore(fsspec.filesystem("file", **kwargs), str(tmp_path / "data"))


def _all_files(directory):
    return sorted(os.path.relpath(os.path.join(d, f), directory)
                  for d, _, files in os.walk(directory) for f in files)


def test_local_filesystems_are_detected():
    fsspec = pytest.importorskip("fsspec")
    from fsspec.implementations.local import LocalFileSystem

    from zarrc.storage.fsspec import is_local_filesystem

    class Sub(LocalFileSystem):
        protocol = ("mylocal",)
        cachable = False

    class Other:
        protocol = "file"

    assert is_local_filesystem(fsspec.filesystem("file"))
    assert is_local_filesystem(fsspec.filesystem("local"))
    assert is_local_filesystem(Sub())
    assert is_local_filesystem(Other())
    assert not is_local_filesystem(fsspec.filesystem("memory"))
    assert not is_local_filesystem(fsspec.filesystem("dir", path="/tmp", fs=LocalFileSystem()))


def test_local_set_replaces_the_file_instead_of_writing_in_place(tmp_path):
    # A reader holding the old file open keeps reading the old value in full: the new value
    # is a new file renamed over the key (fsspec's pipe_file would truncate the one open).
    store = _local(tmp_path)
    store.set("c/0", b"a" * 100_000)
    with open(tmp_path / "data" / "c" / "0", "rb") as reader:
        store.set("c/0", b"b" * 10)
        assert reader.read() == b"a" * 100_000
    assert store.get("c/0") == b"b" * 10
    assert _all_files(tmp_path / "data") == [os.path.join("c", "0")]


def test_local_writes_fsync_only_when_asked(tmp_path, monkeypatch):
    fsspec = pytest.importorskip("fsspec")
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    FsspecStore(fsspec.filesystem("file"), str(tmp_path / "plain")).set("k", b"1")
    assert synced == []
    store = FsspecStore.from_url(f"file://{tmp_path}/synced", fsync=True)
    store.set("k", b"1")
    assert len(synced) == 1
    assert store.with_read_only().with_read_only(False).local_files().fsync


def test_local_temporary_files_are_never_listed_and_not_keys(tmp_path):
    store = _local(tmp_path)
    store.set("a/b", b"1")
    (tmp_path / "data" / "a" / (TEMP_PREFIX + "deadbeef")).write_bytes(b"in flight")
    (tmp_path / "data" / (TEMP_PREFIX + "0123")).write_bytes(b"killed")
    assert store.list_prefix("") == ["a/b"]
    assert store.list_prefix("a") == ["a/b"]
    assert store.list_dir("") == ["a"]
    assert store.list_dir("a") == ["b"]
    for key in ("a/" + TEMP_PREFIX + "x", TEMP_PREFIX + "x/b"):
        with pytest.raises(ValueError, match="reserved"):
            store.set(key, b"")
    # deleting a prefix removes the debris of killed writes with it
    store.delete_prefix("a")
    assert not (tmp_path / "data" / "a").exists()


def test_memory_filesystem_keeps_pipe_file(monkeypatch):
    pytest.importorskip("fsspec")
    store = FsspecStore.from_url(f"memory://zarrc-tests/{uuid.uuid4().hex}")
    piped = []
    real = store.fs.pipe_file
    monkeypatch.setattr(store.fs, "pipe_file", lambda path, value, **kw: (
        piped.append(path), real(path, value, **kw)))
    store.set("a/" + TEMP_PREFIX + "x", b"v")  # not a reserved name off the local disk
    assert piped == [f"{store.root}/a/{TEMP_PREFIX}x"]
    assert store.list_prefix("") == [f"a/{TEMP_PREFIX}x"]


def test_a_dir_filesystem_is_seen_through(tmp_path):
    # dir:// over the local disk: the store is the local one at the joined path, so its
    # writes replace files (atomic) and the native loops read them directly
    fsspec = pytest.importorskip("fsspec")
    local = fsspec.filesystem("file")
    outer = fsspec.filesystem("dir", path=str(tmp_path), fs=local)
    nested = fsspec.filesystem("dir", path="data", fs=outer)
    for store in (FsspecStore(outer, "data/sub"), FsspecStore(nested, "/sub/"),
                  FsspecStore(outer, "dir://data/sub")):
        assert store.fs is local and store.root == str(tmp_path / "data" / "sub")
        assert store == FsspecStore(local, str(tmp_path / "data" / "sub"))
        assert store.local_files() is not None
    store = FsspecStore(outer, "data")
    assert FsspecStore(outer, "").root == str(tmp_path)
    store.set("c/0", b"a" * 100_000)
    with open(tmp_path / "data" / "c" / "0", "rb") as reader:
        store.set("c/0", b"b" * 10)
        assert reader.read() == b"a" * 100_000  # replaced, not written in place
    assert outer.cat_file("data/c/0") == b"b" * 10


def test_a_root_escaping_its_dir_filesystem_is_refused(tmp_path):
    fsspec = pytest.importorskip("fsspec")
    outer = fsspec.filesystem("dir", path=str(tmp_path / "box"), fs=fsspec.filesystem("file"))
    for root in ("../outside", "a/../../outside"):
        with pytest.raises(ValueError, match="escapes"):
            FsspecStore(outer, root)
    memory = fsspec.filesystem("dir", path="/bucket/p", fs=fsspec.filesystem("memory"))
    assert FsspecStore(memory, "a").root == "/bucket/p/a"  # any filesystem, not only local


def test_local_arrays_are_written_natively_as_local_store_writes_them(tmp_path):
    # the native loops write an FsspecStore's local files themselves (its set's protocol),
    # byte for byte what they write for a LocalStore
    fsspec = pytest.importorskip("fsspec")
    import numpy as np

    import zarrc
    from zarrc.storage import LocalStore
    from zarrc.testing.engine import engine, io_kinds

    local = fsspec.filesystem("file")
    stores = {"local": LocalStore(str(tmp_path / "local")),
              "file": FsspecStore(local, str(tmp_path / "file")),
              "dir": FsspecStore(fsspec.filesystem("dir", path=str(tmp_path), fs=local), "dir")}
    data = (np.random.default_rng(3).normal(size=(70, 90)) * 8).round().astype("f4")
    with engine("native"):
        for name, store in stores.items():
            a = zarrc.create_array(store, name="a", shape=data.shape, chunks=(32, 40),
                                   dtype="f4", compressors={"name": "blosc", "configuration": {
                                       "cname": "lz4", "clevel": 5}})
            assert io_kinds(a)[2] == "native", name
            sets = []
            real_set = store.set
            store.set = lambda key, value, sets=sets, real_set=real_set: (  # type: ignore
                sets.append(key), real_set(key, value))
            a[...] = data
            # only the 5 edge chunks (read-modified-written) went through set: the loops
            # wrote the 4 whole ones
            assert sorted(sets) == ["a/c/0/2", "a/c/1/2", "a/c/2/0", "a/c/2/1", "a/c/2/2"], name
            np.testing.assert_array_equal(zarrc.open_array(store, path="a")[...], data)
    written = [{path: (tmp_path / name / path).read_bytes()
                for path in _all_files(tmp_path / name)} for name in stores]
    assert len(written[0]) == 9 + 2 and written[0] == written[1] == written[2]
