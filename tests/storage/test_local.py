"""LocalStore: the conformance suite plus atomic writes and confinement to the root."""

from __future__ import annotations

import os
import threading

import pytest

from zarrc.errors import ReadOnlyError
from zarrc.storage import LocalStore
from zarrc.storage.local import TEMP_PREFIX
from zarrc.testing.store import StoreTests


class TestLocalStore(StoreTests):
    def make_store(self, tmp_path):
        return LocalStore(tmp_path / "store")

    def reopen(self, store, tmp_path):
        store.close()
        return LocalStore(store.root)


class TestLocalStoreFsyncConfined(StoreTests):
    """The same contract with every option switched on."""

    def make_store(self, tmp_path):
        return LocalStore(tmp_path / "store", fsync=True, confine_symlinks=True)


def _all_files(directory):
    return sorted(
        os.path.relpath(os.path.join(d, f), directory)
        for d, _, files in os.walk(directory)
        for f in files
    )


def test_one_file_per_key(tmp_path):
    store = LocalStore(tmp_path)
    store.set("a/b/c", b"xyz")
    store.set(".zattrs", b"{}")
    assert (tmp_path / "a" / "b" / "c").read_bytes() == b"xyz"
    assert (tmp_path / ".zattrs").read_bytes() == b"{}"
    assert _all_files(tmp_path) == [".zattrs", os.path.join("a", "b", "c")]


def test_files_written_elsewhere_are_read(tmp_path):
    (tmp_path / "g" / "c").mkdir(parents=True)
    (tmp_path / "g" / "c" / "0").write_bytes(b"0123456789")
    store = LocalStore(tmp_path, read_only=True)
    assert store.get("g/c/0", (3, 6)) == b"345"
    assert store.list_prefix("g") == ["g/c/0"]


def test_failed_replace_keeps_old_value_and_leaves_no_temp_file(tmp_path, monkeypatch):
    store = LocalStore(tmp_path)
    store.set("a/k", b"old value")

    def broken_replace(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        store.set("a/k", b"new value that never lands")
    monkeypatch.undo()
    assert store.get("a/k") == b"old value"
    assert _all_files(tmp_path) == [os.path.join("a", "k")]


def test_failed_write_midway_keeps_old_value_and_leaves_no_temp_file(tmp_path, monkeypatch):
    store = LocalStore(tmp_path)
    store.set("k", b"old")
    real_write = os.write
    seen = []

    def failing_write(fd, data):
        real_write(fd, bytes(data[:3]))  # part of the value reaches the temp file
        seen.append(fd)
        raise OSError("no space left on device")

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(OSError, match="no space"):
        store.set("k", b"a much longer new value")
    monkeypatch.undo()
    assert seen, "the write path was not exercised"
    assert store.get("k") == b"old"
    assert _all_files(tmp_path) == ["k"]


def test_interrupt_mid_write_leaves_no_temp_file(tmp_path, monkeypatch):
    store = LocalStore(tmp_path)
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        store.set("d/k", b"data")
    monkeypatch.undo()
    assert store.get("d/k") is None
    assert _all_files(tmp_path) == []


def test_temp_files_are_not_listed_and_their_names_are_reserved(tmp_path):
    store = LocalStore(tmp_path)
    store.set("a/k", b"v")
    (tmp_path / "a" / (TEMP_PREFIX + "deadbeef")).write_bytes(b"in flight")
    assert store.list_prefix("") == ["a/k"]
    assert store.list_dir("a") == ["k"]
    with pytest.raises(ValueError, match="reserved"):
        store.set("a/" + TEMP_PREFIX + "x", b"")


def test_concurrent_readers_never_see_a_partial_value(tmp_path):
    store = LocalStore(tmp_path)
    values = [bytes([i]) * 300_000 for i in range(4)]
    store.set("k", values[0])
    stop = threading.Event()
    bad = []

    def reader():
        while not stop.is_set():
            if store.get("k") not in values:
                bad.append(1)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in readers:
        t.start()
    for i in range(60):
        store.set("k", values[i % 4])
    stop.set()
    for t in readers:
        t.join()
    assert bad == []


@pytest.mark.parametrize("key", ["../outside", "a/../../outside", "/etc/passwd", "..\\outside"])
def test_keys_cannot_escape_the_root(tmp_path, key):
    root = tmp_path / "root"
    store = LocalStore(root)
    with pytest.raises(ValueError):
        store.set(key, b"escape")
    with pytest.raises(ValueError):
        store.get(key)
    assert list(tmp_path.iterdir()) == []  # neither the root nor anything outside it


def test_symlinked_root_is_fine(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    store = LocalStore(link)
    assert store.root == str(real)
    store.set("a/b", b"x")
    assert (real / "a" / "b").read_bytes() == b"x"


def test_symlink_inside_root_is_trusted_by_default_and_refused_when_confined(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"s3cret")
    root = tmp_path / "root"
    root.mkdir()
    (root / "escape").symlink_to(outside)
    assert LocalStore(root).get("escape/secret") == b"s3cret"
    confined = LocalStore(root, confine_symlinks=True)
    with pytest.raises(ValueError, match="symlink"):
        confined.get("escape/secret")
    with pytest.raises(ValueError, match="symlink"):
        confined.set("escape/new", b"x")
    assert sorted(p.name for p in outside.iterdir()) == ["secret"]


def test_symlink_loop_does_not_hang_listing(tmp_path):
    store = LocalStore(tmp_path)
    store.set("d/k", b"v")
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    assert store.list_prefix("") == ["d/k"]


def test_delete_prefix_removes_a_symlinked_dir_link_not_its_target(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep").write_bytes(b"k")
    root = tmp_path / "root"
    store = LocalStore(root)
    store.set("x", b"1")
    (root / "linked").symlink_to(target)
    store.delete_prefix("linked")
    assert not (root / "linked").exists()
    assert (target / "keep").read_bytes() == b"k"
    store.delete_prefix("")
    assert list(root.iterdir()) == []


def test_delete_prunes_empty_directories_but_keeps_the_root(tmp_path):
    store = LocalStore(tmp_path / "root")
    store.set("a/b/c/d", b"x")
    store.set("a/e", b"y")
    store.delete("a/b/c/d")
    assert sorted(os.listdir(tmp_path / "root" / "a")) == ["e"]
    store.delete("a/e")
    assert os.listdir(tmp_path / "root") == []


def test_root_is_created_lazily_and_read_only_never_creates(tmp_path):
    store = LocalStore(tmp_path / "new", read_only=True)
    assert store.get("k") is None and store.list_prefix("") == []
    with pytest.raises(ReadOnlyError):
        store.set("k", b"")
    assert not (tmp_path / "new").exists()
    LocalStore(tmp_path / "new").set("k", b"v")
    assert (tmp_path / "new" / "k").read_bytes() == b"v"


def test_root_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(NotADirectoryError):
        LocalStore(tmp_path / "f")


def test_key_where_a_folder_is_cannot_be_set_and_leaves_nothing(tmp_path):
    store = LocalStore(tmp_path)
    store.set("a/b", b"x")
    with pytest.raises(OSError):
        store.set("a", b"y")
    assert store.get("a") is None
    assert _all_files(tmp_path) == [os.path.join("a", "b")]


def test_equality_and_repr(tmp_path):
    a = LocalStore(tmp_path)
    assert a == LocalStore(str(tmp_path))
    assert a != a.with_read_only()
    assert a.with_read_only() == LocalStore(tmp_path, read_only=True)
    assert str(tmp_path) in repr(a)
    assert hash(a) == hash(LocalStore(tmp_path))
