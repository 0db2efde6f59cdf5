"""LocalStore lock files cannot be turned against their user (issue 12, item 4).

They live in a per-user 0700 directory of the temporary directory, checked for ownership and
opened without following links; nothing planted where they go (a symlink, a FIFO, a hard
link, a directory of another user) is followed, opened or blocked on.
"""

from __future__ import annotations

import os
import tempfile
import threading

import numpy as np
import pytest

import zarrc
from zarrc.errors import StoreError
from zarrc.storage import LocalStore, lockfile

pytestmark = pytest.mark.skipif(lockfile.fcntl is None, reason="no flock on this platform")


@pytest.fixture
def shared_tmp(tmp_path, monkeypatch):
    """A temporary directory of its own, as ``$TMPDIR`` (the place other users can write)."""
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    monkeypatch.setenv("TMPDIR", str(shared))
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    return shared


def _partial_write(root):
    """A chunk read-modify-write and a metadata update: both take locks."""
    a = zarrc.create_array(LocalStore(root), shape=(8,), dtype="i4", chunks=(4,))
    a[1:3] = 7
    a.attrs["k"] = 1
    return a


def _locked(store, key):
    """Take and release ``key``'s lock in a thread; the exception it raised, or None.
    Fails if the lock hangs (a FIFO opened for reading would)."""
    raised = []

    def attempt():
        try:
            with store.lock(key):
                pass
            raised.append(None)
        except Exception as exc:  # handed to the test
            raised.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    assert raised, "taking the lock hung"
    return raised[0]


def test_nothing_is_created_through_links_planted_in_the_temp_dir(tmp_path, shared_tmp):
    trap = shared_tmp / "zarrc-locks"  # the shared directory of earlier versions
    trap.mkdir()
    victims = tmp_path / "victims"
    victims.mkdir()
    for slot in range(1024):  # every lock file name it could pick
        os.symlink(victims / f"{slot:04d}", trap / f"{slot:04d}")
    a = _partial_write(tmp_path / "data.zarr")
    np.testing.assert_array_equal(a[...], [0, 7, 7, 0, 0, 0, 0, 0])
    assert list(victims.iterdir()) == []


def test_the_lock_directory_is_private(tmp_path, shared_tmp):
    _partial_write(tmp_path / "data.zarr")
    directory = lockfile.lock_directory()
    assert os.path.dirname(directory) == str(shared_tmp)
    st = os.lstat(directory)
    assert st.st_uid == os.geteuid() and (st.st_mode & 0o777) == 0o700
    names = sorted(os.listdir(directory))
    assert names and all(n.startswith(("c-", "d-")) for n in names)
    assert all((os.stat(os.path.join(directory, n)).st_mode & 0o777) == 0o600 for n in names)
    assert sorted(LocalStore(tmp_path / "data.zarr").list_prefix("")) == [
        "c/0", "zarr.json"]  # the store holds only data


def test_a_lock_directory_left_open_to_others_is_closed(tmp_path, shared_tmp):
    os.mkdir(lockfile.lock_directory())
    os.chmod(lockfile.lock_directory(), 0o777)
    assert _locked(LocalStore(tmp_path), "c/0") is None
    assert (os.stat(lockfile.lock_directory()).st_mode & 0o777) == 0o700


def test_a_symlinked_lock_directory_is_refused(tmp_path, shared_tmp):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, lockfile.lock_directory())
    error = _locked(LocalStore(tmp_path / "data.zarr"), "c/0")
    assert isinstance(error, StoreError) and "zarrc-locks" in str(error)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="making a directory of another user needs root")
def test_a_lock_directory_of_another_user_is_refused(tmp_path, shared_tmp):
    os.mkdir(lockfile.lock_directory(), 0o700)
    os.chown(lockfile.lock_directory(), 12345, 12345)
    error = _locked(LocalStore(tmp_path / "data.zarr"), "c/0")
    assert isinstance(error, StoreError) and "uid 12345" in str(error)


@pytest.mark.parametrize("plant", ["symlink", "dangling", "fifo", "hardlink"])
def test_a_planted_lock_file_is_refused(tmp_path, shared_tmp, plant):
    store = LocalStore(tmp_path / "data.zarr")
    os.mkdir(lockfile.lock_directory(), 0o700)
    slot = os.path.join(lockfile.lock_directory(),
                        lockfile.slot_name(os.path.join(store.root, "a", "c", "0")))
    target = tmp_path / "victim"
    if plant in ("symlink", "hardlink"):
        target.write_bytes(b"precious")
    if plant in ("symlink", "dangling"):
        os.symlink(target, slot)
    elif plant == "fifo":
        os.mkfifo(slot)
    else:
        os.link(target, slot)
    error = _locked(store, "a/c/0")
    assert isinstance(error, StoreError) and os.path.basename(slot) in str(error)
    if plant == "dangling":
        assert not target.exists()
    elif plant != "fifo":
        assert target.read_bytes() == b"precious"


def test_documents_and_chunks_lock_different_files():
    assert lockfile.slot_name("/s/a/zarr.json").startswith("d-")
    assert lockfile.slot_name("/s/a/.zarray").startswith("d-")
    assert lockfile.slot_name("/s/a/c/0/0").startswith("c-")
    assert lockfile.slot_name("/s/a/0.0").startswith("c-")
