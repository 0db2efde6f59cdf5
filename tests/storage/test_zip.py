"""ZipStore: the conformance suite plus archive round trips, overwrite/delete and compaction."""

from __future__ import annotations

import threading
import warnings
import zipfile

import pytest

from zarrc.errors import ReadOnlyError
from zarrc.storage import ZipStore
from zarrc.testing.store import StoreTests


class TestZipStore(StoreTests):
    def make_store(self, tmp_path):
        return ZipStore(tmp_path / "store.zip", mode="w")

    def reopen(self, store, tmp_path):
        store.close()
        return ZipStore(store.path, mode="r")


class TestZipStoreDeflated(StoreTests):
    def make_store(self, tmp_path):
        return ZipStore(
            tmp_path / "store.zip", mode="a", compression=zipfile.ZIP_DEFLATED, compresslevel=1
        )

    def reopen(self, store, tmp_path):
        store.close()
        return ZipStore(store.path, mode="a")


def test_round_trip_through_close_and_zipfile(tmp_path):
    path = tmp_path / "data.zip"
    with ZipStore(path, mode="w") as store:
        store.set("zarr.json", b'{"zarr_format": 3}')
        store.set("c/0/0", bytes(range(100)))
    assert store.closed
    with zipfile.ZipFile(path) as zf:  # an ordinary zip reader sees one entry per key
        assert sorted(zf.namelist()) == ["c/0/0", "zarr.json"]
        assert zf.read("c/0/0") == bytes(range(100))
        assert all(info.compress_type == zipfile.ZIP_STORED for info in zf.infolist())
    with ZipStore(path) as again:
        assert again.read_only
        assert again.get("c/0/0", (-10, None)) == bytes(range(90, 100))


def test_reads_archives_written_by_zipfile(tmp_path):
    path = tmp_path / "ext.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("g/", b"")  # a directory entry: not a key
        zf.writestr("g/.zgroup", b'{"zarr_format": 2}')
        zf.writestr("../evil", b"no")  # no key can name it: never exposed
    with ZipStore(path) as store:
        assert store.list_prefix("") == ["g/.zgroup"]
        assert store.list_dir("") == ["g"]
        assert store.get("g/.zgroup", (1, 13)) == b'"zarr_format'


def test_overwrite_and_delete_are_compacted_on_close(tmp_path):
    path = tmp_path / "data.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no duplicate-name warning from zipfile
        with ZipStore(path, mode="w") as store:
            store.set("a", b"1")
            store.set("b", b"2")
            store.set("a", b"one, rewritten")
            store.set("c/x", b"3")
            store.delete("b")
            store.delete_prefix("c")
            assert store.get("a") == b"one, rewritten"
            assert store.get("b") is None
            store.set("d", b"4")
    with zipfile.ZipFile(path) as zf:
        assert [i.filename for i in zf.infolist()] == ["a", "d"]
        assert zf.read("a") == b"one, rewritten"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.zip"]  # no temp file left


def test_dropping_an_unclosed_store_still_hides_deleted_keys(tmp_path):
    path = tmp_path / "data.zip"
    store = ZipStore(path, mode="w")
    store.set("gone", b"x")
    store.set("kept", b"y")
    store.delete("gone")
    del store
    with ZipStore(path) as again:
        assert again.list_prefix("") == ["kept"]


def test_append_mode_keeps_existing_entries(tmp_path):
    path = tmp_path / "data.zip"
    with ZipStore(path, mode="w") as store:
        store.set("a", b"1")
    with ZipStore(path, mode="a") as store:
        store.set("b", b"2")
        assert store.get("a") == b"1"
    with ZipStore(path) as store:
        assert store.get_many(["a", "b"]) == [b"1", b"2"]


def test_mode_w_truncates(tmp_path):
    path = tmp_path / "data.zip"
    with ZipStore(path, mode="w") as store:
        store.set("a", b"1")
    with ZipStore(path, mode="w") as store:
        assert store.list_prefix("") == []


def test_modes_and_read_only(tmp_path):
    path = tmp_path / "data.zip"
    with pytest.raises(ValueError, match="mode"):
        ZipStore(path, mode="x")
    with pytest.raises(ValueError):
        ZipStore(path, mode="r", read_only=False)
    with pytest.raises(ValueError):
        ZipStore(path, mode="w", read_only=True)
    with pytest.raises(FileNotFoundError):
        ZipStore(path, mode="r")
    with ZipStore(path, mode="a") as store:
        store.set("k", b"v")
    with ZipStore(path, mode="a", read_only=True) as store:
        assert store.mode == "r"
        with pytest.raises(ReadOnlyError):
            store.set("k", b"w")
        with pytest.raises(ValueError, match="reopen"):
            store.with_read_only(False)


def test_read_only_view_shares_the_open_archive(tmp_path):
    store = ZipStore(tmp_path / "data.zip", mode="w")
    view = store.with_read_only()
    assert isinstance(view, ZipStore) and view.read_only and view != store
    store.set("k", b"v")
    assert view.get("k") == b"v"
    view.close()  # closing a view leaves the archive open
    assert not store.closed
    assert view.with_read_only(False).get("k") == b"v"
    store.close()
    assert view.closed


def test_closed_store_raises(tmp_path):
    store = ZipStore(tmp_path / "data.zip", mode="w")
    store.close()
    store.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        store.get("k")
    with pytest.raises(ValueError, match="closed"):
        store.set("k", b"")


def test_concurrent_writers_produce_a_valid_archive(tmp_path):
    path = tmp_path / "data.zip"
    store = ZipStore(path, mode="w")

    def write(t):
        for i in range(50):
            store.set(f"{t}/{i}", bytes([t]) * (i + 1))

    threads = [threading.Thread(target=write, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert len(zf.namelist()) == 300
        assert zf.read("3/9") == bytes([3]) * 10


def test_equality_and_repr(tmp_path):
    path = tmp_path / "data.zip"
    with ZipStore(path, mode="w") as store:
        assert str(path) in repr(store)
    with ZipStore(path) as one, ZipStore(str(path)) as two:
        assert one == two and hash(one) == hash(two)
        assert one != store  # read-only against writable


# -- crash safety (issue 12, item 1) -------------------------------------------------------

_WRITER = """
import sys, time
import zarrc
from zarrc.storage import ZipStore
store = ZipStore(sys.argv[1], mode="a")
a = zarrc.open_array(store, path="a")
a[...] = 7
a.attrs["state"] = "uncommitted"
big = zarrc.create_array(store, name="big", shape=(1 << 18,), dtype="f8", chunks=(1 << 15,),
                         compressors=None)
big[...] = 1.0  # 2 MB: past every write buffer, so main's in-place append reached the file
print("written", flush=True)
time.sleep(60)
"""


def test_a_writer_killed_before_close_leaves_the_committed_archive(tmp_path):
    import signal
    import subprocess
    import sys

    import numpy as np

    import zarrc

    path = tmp_path / "data.zip"
    with ZipStore(path, mode="w") as store:
        a = zarrc.create_array(store, name="a", shape=(40,), dtype="i4", chunks=(8,))
        a[...] = np.arange(40)
        a.attrs["state"] = "committed"
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"written\n"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    with zipfile.ZipFile(path) as zf:  # any zip reader: the archive as committed
        assert zf.testzip() is None
        assert "big/zarr.json" not in zf.namelist()
    with ZipStore(path) as store:
        a = zarrc.open_array(store, path="a", mode="r")
        np.testing.assert_array_equal(a[...], np.arange(40))
        assert a.attrs["state"] == "committed"
    zarr = pytest.importorskip("zarr")
    zs = zarr.storage.ZipStore(path, mode="r")
    z = zarr.open_array(zs, path="a", mode="r")
    np.testing.assert_array_equal(z[...], np.arange(40))
    zs.close()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "data.zip"]
    assert all(name.startswith(".zarrc-tmp-") for name in leftovers)


def _archive(path, **entries):
    """A committed archive holding ``entries``."""
    with ZipStore(path, mode="w") as store:
        for key, value in entries.items():
            store.set(key, value)
    return path


def test_nothing_is_written_to_the_archive_before_close(tmp_path):
    path = _archive(tmp_path / "data.zip", a=b"1")
    before = path.read_bytes()
    store = ZipStore(path, mode="a")
    store.set("b", b"2" * (1 << 20))  # more than any write buffer holds
    store.delete("a")
    assert path.read_bytes() == before
    store.close()
    with ZipStore(path) as again:
        assert again.list_prefix("") == ["b"]


def test_a_writer_does_not_commit_over_another_writers_archive(tmp_path):
    from zarrc.errors import StoreError

    path = _archive(tmp_path / "data.zip", a=b"1")
    first, second = ZipStore(path, mode="a"), ZipStore(path, mode="a")
    first.set("b", b"2")
    second.set("c", b"3")
    first.close()
    with pytest.raises(StoreError, match="another writer"):
        second.close()
    with ZipStore(path) as store:
        assert store.list_prefix("") == ["a", "b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.zip"]


def test_an_entry_with_an_empty_name_hides_no_other_entry(tmp_path):
    """zipfile cannot write an empty name (nor can most tools): patch it in by hand."""
    path = tmp_path / "odd.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("\x01", b"x")
        zf.writestr("a/zarr.json", b"{}")
    raw = bytearray(path.read_bytes())  # a NUL ends a name: it reads as ''
    for signature, name_at in ((b"PK\x03\x04", 30), (b"PK\x01\x02", 46)):
        start = raw.find(signature)  # the first entry's local and central headers
        assert raw[start + name_at:start + name_at + 1] == b"\x01"
        raw[start + name_at] = 0
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as zf:
        assert [i.filename for i in zf.infolist()] == ["", "a/zarr.json"]
    with ZipStore(path) as store:
        assert store.list_prefix("") == ["a/zarr.json"]
        assert store.get("a/zarr.json") == b"{}"
