"""Values a store locates in local files (``Store.file_ranges``: a zip archive's uncompressed
entries) are read by the native loops there, into their own buffers, without the store's reads:
plain, sharded and point reads agree with the reference and NumPy; compressed entries come as
their bytes; entries just written to an open archive are read too."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

import zarrc
from zarrc.storage import MemoryStore, ZipStore
from zarrc.storage.base import FileRange, ReadOnlyView
from zarrc.testing.engine import engine, io_kinds

DATA = np.arange(100 * 90, dtype="f4").reshape(100, 90) / 7
SELECTIONS = [(Ellipsis,), (slice(3, 77), slice(10, 89)), (slice(None, None, 3), 5),
              (slice(95, 100), slice(0, 90, 7))]
ZSTD = {"name": "zstd", "configuration": {"level": 1, "checksum": False}}


def archive(path, compression=zipfile.ZIP_STORED, shards=None, mode="w"):
    store = ZipStore(path, mode=mode, compression=compression)
    a = zarrc.create_array(store, shape=DATA.shape, chunks=(16, 15), shards=shards,
                           dtype="f4", compressors=ZSTD, fill_value=-1)
    a[:64] = DATA[:64]  # the rest of the array is never written: absent chunks, fill value
    return store


def expected():
    out = np.full(DATA.shape, -1, dtype="f4")
    out[:64] = DATA[:64]
    return out


class NoStoreReads(ZipStore):
    """A ZipStore whose reads of values fail: what the native loops read came from the file."""

    def get(self, key, byte_range=None):
        if key.endswith("zarr.json"):
            return super().get(key, byte_range)
        raise AssertionError(f"read {key!r} through the store")

    def get_many(self, keys):
        return [self.get(k) for k in keys]

    def get_ranges(self, key, ranges):
        raise AssertionError(f"read ranges of {key!r} through the store")


@pytest.mark.parametrize("shards", [None, (32, 30)])
def test_native_reads_come_from_the_file_and_agree(tmp_path, shards):
    path = tmp_path / "a.zip"
    archive(path, shards=shards).close()
    want = expected()
    with engine("native"):
        a = zarrc.open_array(NoStoreReads(path), mode="r")
    assert io_kinds(a)[0] == "native"
    for sel in SELECTIONS:
        np.testing.assert_array_equal(a[sel], want[sel])
    rows, cols = np.array([0, 99, 50, 63, 64, 7]), np.array([89, 0, 45, 3, 3, 60])
    np.testing.assert_array_equal(a.vindex[rows, cols], want[rows, cols])
    with engine("reference"):
        b = zarrc.open_array(ZipStore(path), mode="r")
    for sel in SELECTIONS:
        np.testing.assert_array_equal(a[sel], b[sel])


def test_entries_are_located_where_the_archive_holds_them(tmp_path):
    path = tmp_path / "a.zip"
    archive(path).close()
    store = ZipStore(path)
    keys = ["c/0/0", "c/3/5", "c/6/0", "zarr.json"]  # c/6/0 was never written
    found = store.file_ranges(keys)
    assert found[2] is None
    with zipfile.ZipFile(path) as zf, open(path, "rb") as f:
        for key, where in zip(keys, found):
            if where is None:
                continue
            assert isinstance(where, FileRange) and where.path == store.path
            f.seek(where.offset)
            assert f.read(where.size) == zf.read(key)
    assert ReadOnlyView(store).file_ranges(keys) == found
    assert MemoryStore().file_ranges(keys) is None  # a store without files cannot say


def test_compressed_entries_come_as_their_bytes(tmp_path):
    path = tmp_path / "deflated.zip"
    archive(path, compression=zipfile.ZIP_DEFLATED).close()
    store = ZipStore(path)
    found = store.file_ranges(["c/0/0"])
    assert found == [store.get("c/0/0")]
    with engine("native"):
        a = zarrc.open_array(store, mode="r")
    np.testing.assert_array_equal(a[...], expected())


@pytest.mark.parametrize("shards", [None, (32, 30)])
def test_an_open_archive_reads_what_it_just_wrote(tmp_path, shards):
    with engine("native"):
        store = archive(tmp_path / "open.zip", shards=shards)
        a = zarrc.open_array(store, mode="r+")
        np.testing.assert_array_equal(a[...], expected())
        a[64:] = DATA[64:]  # appended entries, some of them replacing others
        np.testing.assert_array_equal(a[...], DATA)
    store.close()
    np.testing.assert_array_equal(zarrc.open_array(ZipStore(tmp_path / "open.zip"))[...], DATA)


@pytest.mark.parametrize("shards", [None, (32, 30)])
@pytest.mark.parametrize("compressors", [None, ZSTD])
def test_a_damaged_entry_fails_its_crc_and_names_its_chunk(tmp_path, shards, compressors):
    """Raw bytes decode whatever they hold: the zip entry's CRC-32 is what catches damage."""
    path = tmp_path / "a.zip"
    with ZipStore(path, mode="w") as store:
        zarrc.create_array(store, shape=DATA.shape, chunks=(16, 15), shards=shards,
                           dtype="f4", compressors=compressors)[...] = DATA
    key = "c/0/1" if shards else "c/1/1"
    where = ZipStore(path).file_ranges([key])[0]
    assert where.crc32 == zipfile.ZipFile(path).getinfo(key).CRC
    with open(path, "r+b") as f:  # flip one byte of the entry in place
        f.seek(where.offset + where.size // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0x55]))
    with engine("native"):
        a = zarrc.open_array(ZipStore(path), mode="r")
    with pytest.raises(zarrc.errors.ChecksumError, match=key):
        a[...]
