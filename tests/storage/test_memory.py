"""MemoryStore: the conformance suite plus its dict-sharing behaviour."""

from __future__ import annotations

import pytest

from zarrc.errors import ReadOnlyError
from zarrc.storage import Buffer, MemoryStore
from zarrc.testing.store import StoreTests


class TestMemoryStore(StoreTests):
    def make_store(self, tmp_path):
        return MemoryStore()


def test_given_dict_is_shared_not_copied():
    data = {"a/0": b"x"}
    store = MemoryStore(data)
    store.set("a/1", b"y")
    assert data == {"a/0": b"x", "a/1": b"y"}
    assert MemoryStore(data) == store
    assert MemoryStore({"a/0": b"x"}) != store  # equal contents, different backing dict


def test_given_dict_values_are_normalized_and_keys_validated():
    data = {"k": bytearray(b"ab")}
    store = MemoryStore(data)
    assert store.get("k") == b"ab" and isinstance(store.get("k"), bytes)
    assert type(data["k"]) is Buffer and data["k"].to_bytes() == b"ab"  # as zarr-python's


def test_values_are_buffers_with_zarr_pythons_methods():
    data = {}
    store = MemoryStore(data)
    store.set("k", memoryview(b"xyz"))
    assert data["k"].to_bytes() == b"xyz" and type(data["k"].to_bytes()) is bytes
    assert data["k"].as_numpy_array().tolist() == [120, 121, 122]
    store.set("j", data["k"])  # a Buffer is a value like any other
    assert store.get("j") == b"xyz"
    with pytest.raises(ValueError, match=r"\.\./x"):
        MemoryStore({"../x": b""})


def test_read_only_view_shares_data_and_is_a_memory_store():
    store = MemoryStore()
    ro = store.with_read_only()
    assert isinstance(ro, MemoryStore) and ro.read_only
    assert ro != store
    store.set("k", b"v")
    assert ro.get("k") == b"v"
    with pytest.raises(ReadOnlyError, match="'k'"):
        ro.set("k", b"w")
    assert ro.with_read_only(False) == store


def test_read_only_constructor():
    store = MemoryStore({"k": b"v"}, read_only=True)
    with pytest.raises(ReadOnlyError):
        store.delete("k")
    assert store.get("k") == b"v"
