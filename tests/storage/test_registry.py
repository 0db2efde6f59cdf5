"""make_store and the scheme registry: dispatch of paths and URLs, plug-in stores."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

import zarrc.storage.registry as registry
from zarrc.errors import ReadOnlyError
from zarrc.storage import (
    LocalStore,
    MemoryStore,
    ReadOnlyView,
    Store,
    ZipStore,
    available_stores,
    make_store,
    register_store,
    unregister_store,
)
from zarrc.testing.store import StoreTests


class TestStoreFromPath(StoreTests):
    def make_store(self, tmp_path):
        return make_store(tmp_path / "data.zarr", mode="w")

    def make_read_only(self, store):
        return make_store(store.root, mode="r")


class TestStoreFromZipURL(StoreTests):
    def make_store(self, tmp_path):
        return make_store(f"zip://{tmp_path}/archive.bin", mode="a")

    def reopen(self, store, tmp_path):
        store.close()
        return make_store(f"zip://{tmp_path}/archive.bin", mode="r")


class TestStoreFromMemoryURL(StoreTests):
    def make_store(self, tmp_path):
        return make_store("memory://")

    def make_read_only(self, store):
        return make_store(store, mode="r")


class TestReadOnlyViewOfAPlugin(StoreTests):
    """A store class without its own read-only mode gets the generic ReadOnlyView."""

    def make_store(self, tmp_path):
        return _DictStore()

    def test_view_type(self, store):
        assert isinstance(store.with_read_only(), ReadOnlyView)


class _DictStore(Store):
    """A minimal plug-in store: only the abstract methods, written against the SPEC table."""

    def __init__(self, url: str = "", **options):
        super().__init__()
        self.url, self.options = url, options
        self._inner = MemoryStore()

    def get(self, key, byte_range=None):
        return self._inner.get(key, byte_range)

    def exists(self, key):
        return self._inner.exists(key)

    def list_prefix(self, prefix):
        return self._inner.list_prefix(prefix)

    def list_dir(self, prefix):
        return self._inner.list_dir(prefix)

    def set(self, key, value):
        self._check_writable(key)
        self._inner.set(key, value)

    def delete(self, key):
        self._check_writable(key)
        self._inner.delete(key)


@pytest.fixture
def scheme():
    """A scheme name registered by the test and removed afterwards."""
    yield "zarrc-test"
    registry._factories.pop("zarrc-test", None)


def test_none_dict_and_store_pass_through():
    assert isinstance(make_store(None), MemoryStore)
    data = {"k": b"v"}
    assert make_store(data).get("k") == b"v"
    store = MemoryStore()
    assert make_store(store) is store
    ro = make_store(store, mode="r")
    assert ro.read_only and ro.data is store.data
    with pytest.raises(TypeError, match="storage_options"):
        make_store(store, storage_options={"x": 1})


def test_paths(tmp_path):
    local = make_store(tmp_path / "d.zarr")
    assert isinstance(local, LocalStore) and local.root == str(tmp_path / "d.zarr")
    assert make_store(str(tmp_path / "d.zarr"), mode="r").read_only
    zipped = make_store(tmp_path / "d.zip", mode="w")
    assert isinstance(zipped, ZipStore) and not zipped.read_only
    zipped.set("k", b"v")
    zipped.close()
    with make_store(str(tmp_path / "UPPER.ZIP"), mode="w") as upper:
        assert isinstance(upper, ZipStore)
    assert make_store(tmp_path / "d.zip", mode="r").get("k") == b"v"
    assert make_store(tmp_path / "x.zarr", storage_options={"fsync": True})._fsync is True


def test_zip_path_modes(tmp_path):
    with pytest.raises(FileNotFoundError):
        make_store(tmp_path / "missing.zip", mode="r+")
    with pytest.raises(FileNotFoundError):
        make_store(tmp_path / "missing.zip", mode="r")
    with make_store(tmp_path / "new.zip", mode="w-") as store:
        store.set("k", b"1")
    with make_store(tmp_path / "new.zip", mode="w") as store:  # appends; nodes overwrite keys
        assert store.get("k") == b"1"
    with make_store(tmp_path / "new.zip", mode="r") as store:
        assert store.read_only and store.mode == "r"


def test_file_url_is_the_path(tmp_path):
    store = make_store(f"file://{tmp_path}/d.zarr")
    assert store == LocalStore(tmp_path / "d.zarr")
    assert make_store(f"FILE://{tmp_path}/d.zarr", mode="r").read_only


def test_memory_urls():
    a, b = make_store("memory://"), make_store("memory://")
    assert a != b  # each bare memory:// is a new store
    named = make_store("memory://zarrc-test-shared")
    named.set("k", b"shared")
    assert make_store("memory://zarrc-test-shared", mode="r").get("k") == b"shared"
    assert make_store("memory://zarrc-test-shared", mode="r").read_only
    with pytest.raises(TypeError):
        make_store("memory://", storage_options={"x": 1})


def test_bad_inputs():
    with pytest.raises(ValueError, match="mode"):
        make_store(None, mode="rw")
    with pytest.raises(TypeError, match="got int"):
        make_store(42)
    with pytest.raises(TypeError):
        make_store(b"/bytes/path")


def test_custom_scheme_registration(scheme):
    calls = []

    def factory(url, **options):
        calls.append((url, options))
        return _DictStore(url, **options)

    register_store(scheme, factory)
    assert scheme in available_stores()
    store = make_store(f"{scheme}://bucket/x", storage_options={"token": "t"})
    assert isinstance(store, _DictStore)
    assert calls == [(f"{scheme}://bucket/x", {"token": "t"})]
    ro = make_store(f"{scheme.upper()}://bucket/y", mode="r")
    assert ro.read_only and isinstance(ro, ReadOnlyView)
    with pytest.raises(ReadOnlyError):
        ro.set("k", b"v")
    unregister_store(scheme)
    assert scheme not in available_stores()
    with pytest.raises(KeyError, match=scheme):
        unregister_store(scheme)


def test_factory_with_a_mode_parameter_is_told_the_mode(scheme):
    modes = []

    def factory(url, *, mode="a"):
        modes.append(mode)
        return MemoryStore(read_only=mode == "r")

    register_store(f"{scheme}://", factory)  # a trailing :// is accepted
    make_store(f"{scheme}://x", mode="w-")
    make_store(f"{scheme}://x", mode="r")
    assert modes == ["w-", "r"]


def test_factory_returning_a_non_store_is_an_error(scheme):
    register_store(scheme, lambda url: {"not": "a store"})
    with pytest.raises(TypeError, match=scheme):
        make_store(f"{scheme}://x")


@pytest.mark.parametrize("bad", ["", "1abc", "a b", "s3:", "é"])
def test_invalid_schemes(bad):
    with pytest.raises(ValueError):
        register_store(bad, MemoryStore)


def test_registration_checks_callable(scheme):
    with pytest.raises(TypeError):
        register_store(scheme, "not callable")


def test_entry_points_are_loaded_lazily_once(monkeypatch, scheme):
    ep = EntryPoint(name=scheme, value=f"{__name__}:_DictStore", group="zarrc.stores")
    discovered = []

    def fake_entry_points(group):
        discovered.append(group)
        return [ep]

    monkeypatch.setattr(registry, "entry_points", fake_entry_points)
    monkeypatch.setattr(registry, "_entry_points", None)
    store = make_store(f"{scheme}://anything")
    assert isinstance(store, _DictStore) and store.url == f"{scheme}://anything"
    make_store(f"{scheme}://again")
    assert discovered == ["zarrc.stores"]  # looked up once, on first use
    registry._factories.pop(scheme, None)


def test_unknown_scheme_without_fsspec_names_the_scheme(monkeypatch):
    monkeypatch.setattr(registry, "fsspec_available", lambda: False)
    monkeypatch.setattr(registry, "_entry_points", {})
    with pytest.raises(ValueError, match=r"'hdfs'.*fsspec"):
        make_store("hdfs://namenode/data.zarr")
    with pytest.raises(ValueError, match="simplecache"):
        make_store("simplecache::s3://bucket/data.zarr")


@pytest.mark.parametrize("url, extra", [
    ("s3://bucket/data.zarr", "s3"), ("gs://bucket/x", "gcs"), ("az://container/x", "azure"),
    ("https://example.org/x.zarr", "http"),
])
def test_object_store_without_obstore_or_fsspec_names_the_extra(monkeypatch, url, extra):
    monkeypatch.setattr(registry, "obstore_available", lambda: False)
    monkeypatch.setattr(registry, "fsspec_available", lambda: False)
    with pytest.raises(ImportError, match=rf"pip install 'zarrc\[{extra}\]'"):
        make_store(url)


def test_object_store_without_obstore_falls_back_to_fsspec(monkeypatch):
    pytest.importorskip("fsspec")
    from zarrc.storage import FsspecStore

    monkeypatch.setattr(registry, "obstore_available", lambda: False)
    store = make_store("file:///unused", mode="r")  # file:// is zarrc's own: unchanged
    assert not isinstance(store, FsspecStore)
    with pytest.raises(ImportError, match=r"zarrc\[s3\].*s3fs"):  # fsspec lacks s3fs here
        make_store("s3://bucket/data.zarr")


def test_object_schemes_open_object_stores():
    pytest.importorskip("obstore")
    from zarrc.storage import ObjectStore

    for url in ("s3://bucket/x", "gs://bucket/x", "http://h/x"):
        assert isinstance(make_store(url), ObjectStore), url
    azure = make_store("az://container/x", storage_options={"account_name": "acct"})
    assert isinstance(azure, ObjectStore)
    with pytest.raises(ValueError, match="Account"):
        make_store("az://container/x")


def test_unknown_scheme_with_fsspec_uses_fsspec_store(monkeypatch):
    pytest.importorskip("fsspec")
    from zarrc.storage import FsspecStore

    monkeypatch.delitem(registry._factories, "memory")  # let fsspec's memory:// answer
    monkeypatch.setattr(registry, "_entry_points", {})
    store = make_store("memory://zarrc-test-fs/x")
    assert isinstance(store, FsspecStore) and not store.read_only
    store.set("k", b"v")
    ro = make_store("memory://zarrc-test-fs/x", mode="r")
    assert isinstance(ro, FsspecStore) and ro.read_only and ro.get("k") == b"v"


def test_windows_drive_is_a_path_not_a_scheme(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = make_store("C://data")
    assert isinstance(store, LocalStore)
