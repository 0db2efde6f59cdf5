"""The database stores: SQLite (one file, WAL), LMDB and Redis (a real redis-server on loopback):
the conformance suite, their URL schemes, and several processes writing at once."""

from __future__ import annotations

import multiprocessing
import uuid

import numpy as np
import pytest

import zarrc
from zarrc.errors import StoreError
from zarrc.storage import LMDBStore, RedisStore, SQLiteStore, make_store
from zarrc.testing.store import StoreTests

# -- the conformance suite ----------------------------------------------------------------------


class TestSQLiteStore(StoreTests):
    def make_store(self, tmp_path):
        return SQLiteStore(tmp_path / "data.db")

    def reopen(self, store, tmp_path):
        store.close()
        return SQLiteStore(store.path, read_only=True)


class TestLMDBStore(StoreTests):
    def make_store(self, tmp_path):
        pytest.importorskip("lmdb", reason="lmdb is in the test extra")
        return LMDBStore(tmp_path / "data.lmdb")

    def reopen(self, store, tmp_path):
        store.close()
        return LMDBStore(store.path, read_only=True)


class TestRedisStore(StoreTests):
    @pytest.fixture(autouse=True)
    def _server(self, redis_server):
        pytest.importorskip("redis", reason="redis is in the test extra")
        self.server = redis_server

    def make_store(self, tmp_path):
        return RedisStore(self.server.url, prefix=f"{uuid.uuid4().hex}:")

    def reopen(self, store, tmp_path):
        store.close()
        return RedisStore(store.url, prefix=store.prefix)


# -- URLs ---------------------------------------------------------------------------------------


def test_sqlite_and_lmdb_urls(tmp_path):
    pytest.importorskip("lmdb")
    for scheme, cls in (("sqlite", SQLiteStore), ("lmdb", LMDBStore)):
        path = tmp_path / f"arrays.{scheme}"
        store = make_store(f"{scheme}://{path}")
        assert isinstance(store, cls) and store.path == str(path)
        zarrc.create_array(store, shape=(6,), chunks=(4,), dtype="i2")[...] = np.arange(6)
        reader = make_store(f"{scheme}://{path}", mode="r")
        assert reader.read_only
        np.testing.assert_array_equal(zarrc.open_array(reader, mode="r")[...], np.arange(6))
        store.close()
        reader.close()
        with pytest.raises(ValueError, match="absolute path"):
            make_store(f"{scheme}://relative/path")
        with pytest.raises(FileNotFoundError):
            make_store(f"{scheme}://{tmp_path}/absent.{scheme}", mode="r")


def test_redis_url_and_array(redis_server):
    pytest.importorskip("redis")
    store = make_store(redis_server.url, storage_options={"prefix": f"{uuid.uuid4().hex}/"})
    assert isinstance(store, RedisStore) and store.fetch_concurrency == 16
    data = np.arange(100, dtype="f4").reshape(10, 10)
    zarrc.create_array(store, shape=(10, 10), chunks=(3, 3), dtype="f4")[...] = data
    np.testing.assert_array_equal(zarrc.open_array(store, mode="r")[2:9, 1:4], data[2:9, 1:4])
    assert make_store(redis_server.url, mode="r").read_only


def test_redis_unreachable_is_a_store_error():
    pytest.importorskip("redis")
    from store_servers import free_port

    store = RedisStore(
        f"redis://127.0.0.1:{free_port()}/0",
        retry={"attempts": 2, "base_delay": 0.001},
        timeout=1,
    )
    with pytest.raises(StoreError, match="after 2 attempts") as info:
        store.get("k")
    assert info.value.transient and info.value.key == "k"


def test_sqlite_is_in_wal_mode(tmp_path):
    store = SQLiteStore(tmp_path / "w.db")
    mode = store._connection().execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_lmdb_stores_share_one_environment(tmp_path):
    pytest.importorskip("lmdb")
    first = LMDBStore(tmp_path / "e")
    second = LMDBStore(tmp_path / "e")
    first.set("k", b"v")
    assert second.get("k") == b"v"
    first.close()
    assert second.get("k") == b"v"  # still open: the other store uses it
    second.close()
    with pytest.raises(ValueError, match="511 bytes"):
        LMDBStore(tmp_path / "e").set("k" * 600, b"v")


# -- several processes at once -----------------------------------------------------------------

SHAPE, CHUNKS = (32, 32), (16, 16)


def _band(i):
    return np.s_[2 * i : 2 * (i + 1), :]


def _write_band(url, i):
    """One process's writes: a 2-row band, sharing its chunks with seven other bands."""
    array = zarrc.open_array(url, mode="r+")
    array[_band(i)] = i + 1


def _expected():
    out = np.zeros(SHAPE, "i4")
    for i in range(SHAPE[0] // 2):
        out[_band(i)] = i + 1
    return out


def _processes_write_bands(url):
    zarrc.create_array(url, shape=SHAPE, chunks=CHUNKS, dtype="i4", overwrite=True)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        pool.starmap(_write_band, [(url, i) for i in range(SHAPE[0] // 2)])
    np.testing.assert_array_equal(zarrc.open_array(url, mode="r")[...], _expected())


def test_processes_writing_one_sqlite_file(tmp_path):
    _processes_write_bands(f"sqlite://{tmp_path}/shared.db")


def test_processes_writing_one_lmdb_environment(tmp_path):
    pytest.importorskip("lmdb")
    _processes_write_bands(f"lmdb://{tmp_path}/shared.lmdb")


def _count_up(path, n):
    """Increment a counter ``n`` times with conditional writes (a lost update loses a count)."""
    store = SQLiteStore(path)
    for _ in range(n):
        while True:
            data, version = store.get_versioned("counter")
            value = int(data or b"0") + 1
            if store.set_if("counter", str(value).encode(), version=version):
                break
    store.close()


def test_sqlite_conditional_writes_from_processes(tmp_path):
    path = str(tmp_path / "counter.db")
    SQLiteStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_count_up, args=(path, 50)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    assert SQLiteStore(path).get("counter") == b"150"


# -- failures and copies -----------------------------------------------------------------------


def test_database_failures_are_store_errors(tmp_path):
    pytest.importorskip("lmdb")
    small = LMDBStore(tmp_path / "small.lmdb", map_size=1 << 16)
    with pytest.raises(StoreError, match="'big'.*MapFull"):
        small.set("big", b"x" * (1 << 20))
    assert small.get("big") is None
    not_a_database = tmp_path / "text.db"
    not_a_database.write_text("this is not SQLite " * 100)
    with pytest.raises(StoreError, match="not a database"):
        SQLiteStore(not_a_database)


def test_database_stores_pickle(tmp_path, redis_server):
    import pickle

    pytest.importorskip("lmdb")
    pytest.importorskip("redis")
    stores = [
        SQLiteStore(tmp_path / "p.db"),
        LMDBStore(tmp_path / "p.lmdb"),
        RedisStore(redis_server.url, prefix=f"{uuid.uuid4().hex}/"),
    ]
    for store in stores:
        store.set("k", b"v")
        copy = pickle.loads(pickle.dumps(store))
        assert copy == store and copy.get("k") == b"v"
        assert pickle.loads(pickle.dumps(store.with_read_only())).read_only
