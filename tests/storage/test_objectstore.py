"""ObjectStore against real servers on loopback: moto's S3 server (the conformance suite, arrays
and groups end to end) and an HTTP server with Range support (read-only access, coalesced
ranges, retries and permanent failures seen on the wire)."""

from __future__ import annotations

import json
import logging
import uuid

import numpy as np
import pytest

import zarrc
from zarrc.errors import ReadOnlyError, StoreError
from zarrc.storage import LocalStore, ObjectStore, RetryPolicy, make_store
from zarrc.storage.objectstore import translate_options
from zarrc.testing.store import StoreTests

pytest.importorskip("obstore", reason="obstore is in the test extra")

BUCKET = "zarrc-tests"
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.01)


class TestObjectStoreS3(StoreTests):
    """The conformance suite over moto's S3 server, each store under a fresh prefix."""

    @pytest.fixture(autouse=True)
    def _server(self, s3_server):
        self.server = s3_server

    def make_store(self, tmp_path):
        return ObjectStore.from_url(f"s3://{BUCKET}/{uuid.uuid4().hex}", **self.server.options())

    def reopen(self, store, tmp_path):
        return ObjectStore.from_url(store.url, **self.server.options())


def test_s3fs_option_names(s3_server, s3_url):
    options = {
        "endpoint_url": s3_server.endpoint,
        "key": "testing",
        "secret": "testing",
        "client_kwargs": {"region_name": "us-east-1"},
    }
    store = make_store(s3_url, storage_options=options)
    assert isinstance(store, ObjectStore)
    store.set("a/b", b"xyz")
    same = ObjectStore.from_url(s3_url, **s3_server.options())  # obstore's names
    assert same.get("a/b") == b"xyz"
    assert make_store(s3_url, mode="r", storage_options=options).read_only


def test_translate_options():
    config, client = translate_options(
        "s3",
        {
            "endpoint_url": "http://127.0.0.1:9000",
            "key": "k",
            "secret": "s",
            "token": "t",
            "anon": True,
            "client_kwargs": {"region_name": "eu-west-1"},
            "timeout": "30s",
        },
    )
    assert config == {
        "endpoint": "http://127.0.0.1:9000",
        "access_key_id": "k",
        "secret_access_key": "s",
        "session_token": "t",
        "skip_signature": True,
        "region": "eu-west-1",
    }
    assert client == {"allow_http": True, "timeout": "30s"}
    assert translate_options("gcs", {"token": "anon"}) == ({"skip_signature": True}, {})
    assert translate_options("s3", {"endpoint": "https://x", "allow_http": False}) == (
        {"endpoint": "https://x"},
        {"allow_http": False},
    )
    # a GCS service-account key naming an http:// server (an emulator's) allows plain HTTP
    for base, client in [("http://127.0.0.1:4443", {"allow_http": True}),
                         ("https://storage.example", {})]:
        key = json.dumps({"gcs_base_url": base, "disable_oauth": True})
        assert translate_options("gcs", {"service_account_key": key}) == (
            {"service_account_key": key}, client)
    for key in ["/path/to/key.json", "[1]", '{"client_email": "x"}']:  # no base URL in it
        assert translate_options("gcs", {"service_account_key": key})[1] == {}


def test_bad_options_are_named():
    with pytest.raises(TypeError, match="bogus"):
        ObjectStore.from_url(f"s3://{BUCKET}/x", bogus=1)
    with pytest.raises(TypeError, match="client options"):
        ObjectStore.from_url("http://127.0.0.1:1/x", region="us-east-1")
    with pytest.raises(ValueError, match="fetch_concurrency"):
        ObjectStore.from_url(f"s3://{BUCKET}/x", fetch_concurrency=0)


def test_fetch_concurrency_default_and_setting(s3_server, s3_url):
    assert ObjectStore.from_url(s3_url, **s3_server.options()).fetch_concurrency == 64
    store = make_store(s3_url, storage_options={**s3_server.options(), "fetch_concurrency": 8})
    assert store.fetch_concurrency == 8


def test_get_many_many_keys(s3_server, s3_url):
    store = ObjectStore.from_url(s3_url, fetch_concurrency=16, **s3_server.options())
    values = {f"c/{i}": bytes([i % 256]) * (i + 1) for i in range(300)}
    for key, value in values.items():
        store.set(key, value)
    keys = [*values, "c/missing"]
    got = store.get_many(keys)
    assert got == [*values.values(), None]


# -- arrays and groups end to end over S3 -------------------------------------------------------


def test_arrays_and_groups_on_s3(s3_server, s3_url):
    options = s3_server.options()
    data = np.arange(40 * 30, dtype="f8").reshape(40, 30)
    root = zarrc.open_group(s3_url, mode="w", storage_options=options)
    a = root.create_array("a", shape=data.shape, chunks=(8, 8), dtype="f8", fill_value=0)
    a[...] = data
    sub = root.create_group("sub", attributes={"title": "x"})
    b = sub.create_array("b", shape=(10,), chunks=(3,), dtype="i2")
    b[2:7] = 5

    again = zarrc.open_group(s3_url, mode="r", storage_options=options)
    assert sorted(again.array_keys()) == ["a"] and sorted(again.group_keys()) == ["sub"]
    np.testing.assert_array_equal(again["a"][...], data)
    np.testing.assert_array_equal(again["a"][3:17, 5:29], data[3:17, 5:29])
    np.testing.assert_array_equal(again["sub/b"][...], [0, 0, 5, 5, 5, 5, 5, 0, 0, 0])
    assert again["sub"].attrs["title"] == "x"
    with pytest.raises(ReadOnlyError):
        again["a"][0, 0] = 1

    a = zarrc.open_array(s3_url, path="a", mode="r+", storage_options=options)
    a[5, 5] = -1.0  # a partial chunk: a conditional read-modify-write on S3
    a.resize(20, 20)
    expected = data[:20, :20].copy()
    expected[5, 5] = -1
    np.testing.assert_array_equal(a[...], expected)
    store = ObjectStore.from_url(s3_url, **options)
    assert not any(k.startswith("a/c/3/") for k in store.list_prefix("a"))  # dropped chunks
    a.resize(40, 30)
    grown = np.zeros((40, 30))
    grown[:20, :20] = expected
    np.testing.assert_array_equal(a[...], grown)

    del root["sub"]
    assert store.list_prefix("sub") == []
    assert sorted(zarrc.open_group(s3_url, mode="r", storage_options=options).group_keys()) == []


def test_consolidated_metadata_on_s3(s3_server, s3_url):
    options = s3_server.options()
    root = zarrc.open_group(s3_url, mode="w", storage_options=options)
    for name in ("x", "y"):
        root.create_array(name, shape=(4,), chunks=(2,), dtype="u1")[...] = [1, 2, 3, 4]
    zarrc.consolidate_metadata(s3_url, storage_options=options)
    group = zarrc.open_consolidated(s3_url, storage_options=options)
    assert sorted(group.array_keys()) == ["x", "y"]
    np.testing.assert_array_equal(group["y"][...], [1, 2, 3, 4])


def test_sharded_array_on_s3(s3_server, s3_url):
    options = s3_server.options()
    data = np.random.default_rng(0).integers(0, 1000, (64, 64), dtype="i4")
    a = zarrc.create_array(
        s3_url, shape=data.shape, chunks=(8, 8), shards=(32, 32), dtype="i4",
        storage_options=options,
    )
    a[...] = data
    a[3:5, 40:50] = -7  # partial shard update
    data[3:5, 40:50] = -7
    store = ObjectStore.from_url(s3_url, **options)
    assert sorted(k for k in store.list_prefix("") if k.startswith("c/")) == [
        "c/0/0", "c/0/1", "c/1/0", "c/1/1"
    ]
    b = zarrc.open_array(s3_url, mode="r", storage_options=options)
    np.testing.assert_array_equal(b[...], data)
    np.testing.assert_array_equal(b[10:12, 33:35], data[10:12, 33:35])


# -- HTTP: read-only, byte ranges, coalescing, retries -------------------------------------------


@pytest.fixture
def served(http_server):
    """A fresh directory the HTTP server serves, and its URL."""
    name = uuid.uuid4().hex
    (http_server.root / name).mkdir()
    http_server.requests.clear()
    http_server.fail_next.clear()
    return http_server.root / name, f"{http_server.url}/{name}"


def test_http_byte_ranges_match_python_slicing(served):
    directory, url = served
    value = bytes(range(1, 11))
    (directory / "r").write_bytes(value)
    (directory / "empty").write_bytes(b"")
    store = make_store(url, mode="r")
    assert isinstance(store, ObjectStore) and store.read_only
    for start in (None, *range(-12, 13, 3)):
        for stop in (None, *range(-12, 13, 3)):
            assert store.get("r", (start, stop)) == value[start:stop], (start, stop)
    assert store.get("empty") == b""
    assert store.get("missing") is None and store.get("missing", (0, 4)) is None
    assert store.exists("r") and not store.exists("missing")
    assert store.get_many(["r", "missing"]) == [value, None]


def test_http_is_read_only_and_unlisted(served):
    _, url = served
    for mode in ("r", "a"):
        store = make_store(url, mode=mode)
        assert store.read_only and not store.supports_listing
        with pytest.raises(ReadOnlyError):
            store.set("k", b"v")
        with pytest.raises(StoreError, match="cannot list"):
            store.list_dir("")


def test_http_reads_arrays_and_consolidated_groups(served):
    directory, url = served
    data = np.arange(50 * 50, dtype="u2").reshape(50, 50)
    root = zarrc.open_group(LocalStore(directory), mode="w")
    root.create_array("plain", shape=data.shape, chunks=(16, 16), dtype="u2")[...] = data
    root.create_array(
        "sharded", shape=data.shape, chunks=(5, 5), shards=(25, 25), dtype="u2"
    )[...] = data
    zarrc.consolidate_metadata(LocalStore(directory))

    group = zarrc.open_consolidated(url)  # needs no listing
    assert sorted(group.array_keys()) == ["plain", "sharded"]
    np.testing.assert_array_equal(group["plain"][...], data)
    np.testing.assert_array_equal(zarrc.open_array(url, path="sharded")[7:31, 2:9], data[7:31, 2:9])


def test_opening_again_reuses_the_client_and_its_connections(served, http_server):
    """A URL opened again with the same options gets the same obstore store (its HTTP client
    and its pool of open connections): no client is built; other options (or URLs) get their
    own."""
    directory, url = served
    data = np.arange(40 * 40, dtype="i2").reshape(40, 40)
    zarrc.create_array(LocalStore(directory), shape=data.shape, chunks=(10, 10), dtype="i2")[
        ...
    ] = data
    first = zarrc.open_array(url, mode="r")
    assert first[12, 34] == data[12, 34]
    requests = len(http_server.requests)
    again = zarrc.open_array(url, mode="r")
    assert again[21, 5] == data[21, 5]
    assert len(http_server.requests) == requests + 2  # zarr.json and the chunk
    assert again.store.store is first.store.store
    assert ObjectStore.from_url(url, timeout="30s").store is not first.store.store
    assert ObjectStore.from_url(url + "/").store is not first.store.store


def test_http_get_ranges_coalesces(served, http_server):
    directory, url = served
    value = bytes(range(256)) * 64
    (directory / "shard").write_bytes(value)
    ranges = [(0, 100), (200, 300), (5000, 5010), (16000, 16384)]
    near = ObjectStore.from_url(url)  # coalesce: 1 MiB
    http_server.requests.clear()
    assert near.get_ranges("shard", ranges) == [value[s:e] for s, e in ranges]
    assert len(http_server.requests) == 1
    apart = ObjectStore.from_url(url, coalesce=0)
    http_server.requests.clear()
    assert apart.get_ranges("shard", ranges) == [value[s:e] for s, e in ranges]
    assert len(http_server.requests) == len(ranges)
    assert near.get_ranges("absent", ranges) is None
    assert near.get_ranges("shard", [(5, 5), (1, 3)]) == [b"", value[1:3]]


def test_http_transient_errors_are_retried_and_reported(served, http_server, caplog):
    directory, url = served
    (directory / "k").write_bytes(b"payload")
    store = ObjectStore.from_url(url, retry=FAST_RETRY)
    http_server.requests.clear()
    http_server.fail_next[:] = [503, 429]
    with caplog.at_level(logging.INFO, logger="zarrc.storage"):
        assert store.get("k") == b"payload"
    assert len(http_server.requests) == 3
    retries = [r for r in caplog.records if getattr(r, "event", None) == "store.retry"]
    assert [r.fields["attempt"] for r in retries] == [1, 2]
    assert all(r.fields["key"] == "k" and r.name == "zarrc.storage" for r in retries)


def test_http_permanent_error_surfaces_at_once(served, http_server):
    directory, url = served
    (directory / "k").write_bytes(b"payload")
    store = ObjectStore.from_url(url, retry=FAST_RETRY)
    http_server.requests.clear()
    http_server.fail_next[:] = [403]
    with pytest.raises(StoreError) as info:
        store.get("k")
    assert len(http_server.requests) == 1
    assert info.value.key == "k" and not info.value.transient
    assert "'k'" in str(info.value) and url in str(info.value) and "403" in str(info.value)


def test_http_retries_run_out(served, http_server):
    directory, url = served
    (directory / "k").write_bytes(b"payload")
    store = ObjectStore.from_url(url, retry=FAST_RETRY)
    http_server.requests.clear()
    http_server.fail_next[:] = [500] * 10
    with pytest.raises(StoreError, match="after 4 attempts") as info:
        store.get("k")
    assert info.value.transient and len(http_server.requests) == 4
    assert str(info.value).count("failed") == 1 and "500" in str(info.value)  # not nested
    http_server.fail_next.clear()


def test_unreachable_server_is_transient_then_a_store_error():
    from store_servers import free_port

    store = ObjectStore.from_url(f"http://127.0.0.1:{free_port()}/x", retry=FAST_RETRY)
    with pytest.raises(StoreError, match="after 4 attempts") as info:
        store.get("k")
    assert info.value.transient and isinstance(info.value, OSError)


def test_object_store_pickles(s3_server, s3_url):
    import pickle

    store = ObjectStore.from_url(s3_url, fetch_concurrency=5, **s3_server.options())
    store.set("k", b"v")
    copy = pickle.loads(pickle.dumps(store))
    assert copy == store and copy.get("k") == b"v" and copy.fetch_concurrency == 5


def test_http_get_many_failure_is_a_store_error(served, http_server):
    directory, url = served
    for i in range(20):
        (directory / str(i)).write_bytes(b"x")
    store = ObjectStore.from_url(url, retry=FAST_RETRY)
    http_server.fail_next[:] = [403]
    with pytest.raises(StoreError, match="403"):
        store.get_many([str(i) for i in range(20)])
    assert store.get_many(["0", "1"]) == [b"x", b"x"]
