"""ObjectStore on ``gs://`` URLs against fake-gcs-server, a GCS emulator, on loopback.

obstore speaks GCS's XML API for objects. fake-gcs-server 1.54 (the version the pinned wheel
ships) serves its reads (GET with ``Range``, HEAD, listing with a delimiter) and DELETE, but
refuses its PUT with 400 "invalid uploadType" (fsouza/fake-gcs-server#331). So objects are put
through the emulator's JSON upload API and everything zarrc does on GCS except writing is
checked here: reads, byte ranges, listing, deletes, arrays (v2, v3, sharded) against NumPy and
zarr-python reading the same objects. The tests that write through obstore (the conformance
suite, conditional partial-chunk writes) probe a PUT first and skip, quoting the emulator's
answer, while it refuses one; they run by themselves with an emulator that takes XML uploads.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest

import zarrc
from zarrc.errors import ReadOnlyError, StoreError
from zarrc.storage import LocalStore, ObjectStore, make_store
from zarrc.testing.store import StoreTests

BUCKET = "zarrc-tests"

TREE = {
    "zarr.json": b'{"a": 1}',
    "empty": b"",
    "a/b": bytes(range(256)) * 3,
    "a/c/0": b"\x00\x01",
    "a/c/1": b"chunk",
    "a/d/e/f": b"deep",
    "ab/0": b"sibling",
    "x y/\u00e9+%": b"odd name",
}


@pytest.fixture
def gcs_prefix(gcs_server):
    """A fresh prefix in the test bucket, holding TREE put through the JSON API, and its URL."""
    prefix = uuid.uuid4().hex
    for key, value in TREE.items():
        gcs_server.upload(BUCKET, f"{prefix}/{key}", value)
    return prefix, f"gs://{BUCKET}/{prefix}"


@pytest.fixture(scope="session")
def gcs_writes(gcs_server):
    """Skip, quoting the emulator, when obstore cannot PUT to it."""
    problem = gcs_server.write_problem(BUCKET)
    if problem is not None:
        pytest.skip(f"the GCS emulator refuses obstore's PUT ({problem}; XML-API uploads are "
                    "fsouza/fake-gcs-server#331)")
    return gcs_server


def upload_tree(gcs_server, directory: Path, prefix: str) -> None:
    """Every file under ``directory`` as an object under ``prefix`` (JSON upload API)."""
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            gcs_server.upload(BUCKET, f"{prefix}/{path.relative_to(directory).as_posix()}",
                              path.read_bytes())


# -- the store contract, read side ---------------------------------------------------------------


def test_values_and_absent_keys(gcs_server, gcs_prefix):
    _, url = gcs_prefix
    store = ObjectStore.from_url(url, **gcs_server.options())
    for key, value in TREE.items():
        got = store.get(key)
        assert type(got) is bytes and got == value, key
        assert store.exists(key)
    for absent in ("missing", "a", "a/c", "a/c/2", "zarr.jso"):
        assert store.get(absent) is None and not store.exists(absent)
        assert store.get(absent, (0, 4)) is None
        assert store.get_ranges(absent, [(0, 1)]) is None


def test_byte_ranges_match_python_slicing(gcs_server, gcs_prefix):
    _, url = gcs_prefix
    store = ObjectStore.from_url(url, **gcs_server.options())
    value = TREE["a/c/1"]
    for start in (None, *range(-7, 8, 2)):
        for stop in (None, *range(-7, 8, 2)):
            assert store.get("a/c/1", (start, stop)) == value[start:stop], (start, stop)
    big = TREE["a/b"]
    assert store.get("a/b", (700, None)) == big[700:]
    assert store.get("a/b", (-9, None)) == big[-9:]
    assert store.get("empty", (None, None)) == b""


def test_get_many_and_get_ranges(gcs_server, gcs_prefix):
    _, url = gcs_prefix
    keys = [*TREE, "missing", "a/c/1"]
    expected = [TREE.get(k) for k in keys]
    big = TREE["a/b"]
    ranges = [(0, 10), (100, 110), (300, 700), (767, 768), (5, 5)]
    for coalesce in (0, 1 << 20):  # one request per range, and the ranges merged
        store = ObjectStore.from_url(url, coalesce=coalesce, **gcs_server.options())
        assert store.get_many(keys) == expected
        assert [None if b is None else bytes(b) for b in store.get_many_buffers(keys)] == expected
        assert store.get_ranges("a/b", ranges) == [big[s:e] for s, e in ranges]
        buffers = store.get_ranges_buffers("a/b", ranges)
        assert buffers is not None and [bytes(b) for b in buffers] == [big[s:e] for s, e in ranges]


def test_listing(gcs_server, gcs_prefix):
    _, url = gcs_prefix
    store = ObjectStore.from_url(url, **gcs_server.options())
    assert store.list_prefix("") == sorted(TREE)
    assert store.list_prefix("a") == ["a/b", "a/c/0", "a/c/1", "a/d/e/f"]  # not "ab/0"
    assert store.list_prefix("a/c/") == ["a/c/0", "a/c/1"]
    assert store.list_prefix("a/c/1") == [] and store.list_prefix("nothing") == []
    assert store.list_dir("") == ["a", "ab", "empty", "x y", "zarr.json"]
    assert store.list_dir("a") == ["b", "c", "d"]
    assert store.list_dir("a/d") == ["e"]
    assert store.list_dir("x y") == ["\u00e9+%"]
    assert store.list_dir("a/b") == [] and store.list_dir("missing") == []


def test_delete_and_delete_prefix(gcs_server, gcs_prefix):
    prefix, url = gcs_prefix
    store = ObjectStore.from_url(url, **gcs_server.options())
    store.delete("a/c/0")
    store.delete("never-there")  # deleting an absent key is not an error
    assert store.get("a/c/0") is None
    store.delete_prefix("a/d")
    store.delete_prefix("a/c/1")  # a prefix is a directory: the key "a/c/1" itself stays
    remaining = [n[len(prefix) + 1:] for n in gcs_server.names(BUCKET, prefix + "/")]
    assert remaining == sorted(k for k in TREE if k not in ("a/c/0", "a/d/e/f"))
    store.delete_prefix("")
    assert gcs_server.names(BUCKET, prefix + "/") == []


def test_read_only_refuses_writes_before_any_request(gcs_server, gcs_prefix):
    prefix, url = gcs_prefix
    store = make_store(url, mode="r", storage_options=gcs_server.options())
    assert isinstance(store, ObjectStore) and store.read_only
    for write in (lambda: store.set("k", b"v"), lambda: store.delete("a/b"),
                  lambda: store.delete_prefix("a")):
        with pytest.raises(ReadOnlyError):
            write()
    assert len(gcs_server.names(BUCKET, prefix + "/")) == len(TREE)


def test_a_plain_http_base_url_allows_http_unless_refused(gcs_server, gcs_prefix):
    """A service-account key naming an http:// server (an emulator) turns on ``allow_http``
    by itself, as an http:// endpoint does; ``allow_http=False`` said outright is kept, and
    obstore's refusal is a StoreError naming the key, not a hang or a crash."""
    _, url = gcs_prefix
    options = {k: v for k, v in gcs_server.options().items() if k != "allow_http"}
    assert ObjectStore.from_url(url, **options).get("a/b") == TREE["a/b"]
    store = ObjectStore.from_url(url, retry=False, allow_http=False, **options)
    with pytest.raises(StoreError) as info:
        store.get("a/b")
    assert info.value.key == "a/b"


# -- arrays against NumPy and zarr-python ----------------------------------------------------------


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_arrays_and_groups_read_from_gcs(gcs_server, tmp_path, zarr_format):
    """zarrc writes a group locally, the objects go to the emulator, and zarrc reads them back
    over gs:// (listing the group, whole and partial selections) against NumPy."""
    rng = np.random.default_rng(zarr_format)
    data = rng.standard_normal((45, 38)).astype("f4")
    ints = np.arange(100, dtype="i8")
    root = zarrc.open_group(LocalStore(tmp_path), mode="w", zarr_format=zarr_format)
    root.create_array("a", shape=data.shape, chunks=(8, 16), dtype="f4", fill_value=0)[...] = data
    sub = root.create_group("sub", attributes={"title": "x"})
    sub.create_array("i", shape=(100,), chunks=(7,), dtype="i8")[...] = ints
    prefix = uuid.uuid4().hex
    upload_tree(gcs_server, tmp_path, prefix)
    url, options = f"gs://{BUCKET}/{prefix}", gcs_server.options()

    group = zarrc.open_group(url, mode="r", storage_options=options)
    assert sorted(group.array_keys()) == ["a"] and sorted(group.group_keys()) == ["sub"]
    assert group["sub"].attrs["title"] == "x"
    a = group["a"]
    np.testing.assert_array_equal(a[...], data)
    np.testing.assert_array_equal(a[3:41, 5:37], data[3:41, 5:37])
    np.testing.assert_array_equal(a[::7, 30], data[::7, 30])
    np.testing.assert_array_equal(group["sub/i"][13:88:3], ints[13:88:3])
    with pytest.raises(ReadOnlyError):
        a[0, 0] = 1


def test_sharded_partial_reads_from_gcs(gcs_server, tmp_path):
    data = np.random.default_rng(7).integers(-1000, 1000, (64, 96), dtype="i4")
    zarrc.create_array(
        LocalStore(tmp_path), shape=data.shape, chunks=(8, 8), shards=(32, 48), dtype="i4"
    )[...] = data
    prefix = uuid.uuid4().hex
    upload_tree(gcs_server, tmp_path, prefix)
    a = zarrc.open_array(f"gs://{BUCKET}/{prefix}", mode="r",
                         storage_options=gcs_server.options())
    np.testing.assert_array_equal(a[...], data)
    for selection in (np.s_[10:12, 33:35], np.s_[0, :], np.s_[30:34, 40:56], np.s_[63, 95],
                      np.s_[5:60:9, 2:90:11]):
        np.testing.assert_array_equal(a[selection], data[selection])
    assert sorted(a.store.list_prefix("c")) == ["c/0/0", "c/0/1", "c/1/0", "c/1/1"]


def test_consolidated_group_from_gcs(gcs_server, tmp_path):
    root = zarrc.open_group(LocalStore(tmp_path), mode="w")
    for name in ("x", "y"):
        root.create_array(name, shape=(6,), chunks=(4,), dtype="u1")[...] = [1, 2, 3, 4, 5, 6]
    zarrc.consolidate_metadata(LocalStore(tmp_path))
    prefix = uuid.uuid4().hex
    upload_tree(gcs_server, tmp_path, prefix)
    group = zarrc.open_consolidated(f"gs://{BUCKET}/{prefix}", storage_options=gcs_server.options())
    assert sorted(group.array_keys()) == ["x", "y"]
    np.testing.assert_array_equal(group["y"][...], [1, 2, 3, 4, 5, 6])


def test_zarr_python_reads_the_same_objects(gcs_server, tmp_path):
    """zarr-python, through its own ObjectStore over an obstore GCSStore, reads what zarrc
    wrote (v3, sharded) from the emulator."""
    zarr = pytest.importorskip("zarr")
    from obstore.store import GCSStore

    data = np.arange(40 * 30, dtype="u2").reshape(40, 30)
    zarrc.create_array(
        LocalStore(tmp_path), shape=data.shape, chunks=(5, 6), shards=(20, 30), dtype="u2",
        attributes={"written_by": "zarrc"},
    )[...] = data
    prefix = uuid.uuid4().hex
    upload_tree(gcs_server, tmp_path, prefix)
    options = gcs_server.options()
    gcs = GCSStore(BUCKET, prefix=prefix, service_account_key=options["service_account_key"],
                   client_options={"allow_http": True})
    a = zarr.open_array(zarr.storage.ObjectStore(gcs, read_only=True), mode="r")
    np.testing.assert_array_equal(a[...], data)
    np.testing.assert_array_equal(a[7:33, 11:29], data[7:33, 11:29])
    assert a.attrs["written_by"] == "zarrc"


# -- writes through obstore: skipped while the emulator refuses XML-API PUT ----------------------


def test_refused_put_is_a_store_error_naming_the_key(gcs_server, gcs_prefix):
    """While the emulator refuses obstore's PUT, zarrc reports it as a permanent StoreError
    naming the key and the server's answer (not retried, not a crash)."""
    if gcs_server.write_problem(BUCKET) is None:
        pytest.skip("the GCS emulator accepts obstore's PUT: the write tests below run instead")
    _, url = gcs_prefix
    store = ObjectStore.from_url(url, **gcs_server.options())
    with pytest.raises(StoreError) as info:
        store.set("new", b"value")
    assert info.value.key == "new" and not info.value.transient
    assert "400" in str(info.value) and "'new'" in str(info.value)
    assert store.get("new") is None


class TestObjectStoreGCS(StoreTests):
    """The whole conformance suite over gs://, each store under a fresh prefix."""

    @pytest.fixture(autouse=True)
    def _server(self, gcs_writes):
        self.server = gcs_writes

    def make_store(self, tmp_path):
        return ObjectStore.from_url(f"gs://{BUCKET}/{uuid.uuid4().hex}", **self.server.options())

    def reopen(self, store, tmp_path):
        return ObjectStore.from_url(store.url, **self.server.options())


def test_arrays_written_to_gcs(gcs_writes):
    """zarrc writing to GCS itself: a partial-chunk update is a conditional write
    (generation match), a resize drops chunks."""
    url, options = f"gs://{BUCKET}/{uuid.uuid4().hex}", gcs_writes.options()
    data = np.arange(20 * 20, dtype="f8").reshape(20, 20)
    a = zarrc.create_array(url, shape=data.shape, chunks=(8, 8), dtype="f8", fill_value=0,
                           storage_options=options)
    a[...] = data
    a[5, 5] = -1.0
    data[5, 5] = -1.0
    a.resize(10, 10)
    b = zarrc.open_array(url, mode="r", storage_options=options)
    np.testing.assert_array_equal(b[...], data[:10, :10])
    assert not any(k.startswith("c/2/") for k in b.store.list_prefix("c"))
