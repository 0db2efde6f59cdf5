"""StoreTests: the conformance suite every :class:`~zarrc.storage.Store` must pass.

Subclass it in a test module (the class name must start with ``Test``) and say how to make a
fresh, empty, writable store::

    class TestMyStore(StoreTests):
        def make_store(self, tmp_path):
            return MyStore(tmp_path / "data")

Optional hooks: :meth:`StoreTests.make_read_only` (default ``store.with_read_only(True)``) and
:meth:`StoreTests.reopen` (default: no persistence check). The oracle throughout is a plain
``dict`` of ``bytes`` and Python slicing. Only tests import this module, never the library.
"""

from __future__ import annotations

import random
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zarrc.errors import ReadOnlyError
from zarrc.storage.base import Store

__all__ = ["HOSTILE_KEYS", "HOSTILE_PREFIXES", "StoreTests"]

HOSTILE_KEYS = (
    "",
    "../x",
    "..",
    "/abs",
    "/",
    "a/../../x",
    "a/..",
    "./a",
    ".",
    "a/./b",
    "a\\b",
    "..\\x",
    "a\x00b",
    "a//b",
    "a/",
    "C:/x",
    "c:",
)
"""Keys every store must refuse with ``ValueError`` before touching storage."""

HOSTILE_PREFIXES = ("../x", "/abs", "/", "a/../..", "..", ".", "a\\b", "a\x00", "a//b", "C:/x")
"""Listing/deletion prefixes every store must refuse with ``ValueError``."""

# Leaf keys with no key also being a "folder" of another (a file cannot also be a directory).
_TREE = {
    "zarr.json": b'{"zarr_format": 3}',
    ".zattrs": b"{}",
    "a/0": b"a0",
    "a/1": b"a1",
    "a/b/0": b"ab0",
    "a/b/c/d": b"abcd",
    "ab/0": b"sibling",
    "c/0.0": b"\x00" * 17,
    "with space/x": b"s",
    "unicod\u00e9/k": b"u",
}

_MODEL_KEYS = ("a/0", "a/1", "a/b/0", "ab/0", "c", ".zattrs", "d/e/f")
_MODEL_PREFIXES = ("", "a", "a/", "a/b", "ab", "d", "d/e", "zz")


def _fill(store: Store, tree: dict[str, bytes] = _TREE) -> None:
    for key, value in tree.items():
        store.set(key, value)


class StoreTests:
    """Conformance tests for a Store implementation; subclasses provide :meth:`make_store`."""

    # -- hooks ------------------------------------------------------------------------------

    def make_store(self, tmp_path: Path) -> Store:
        """Return a fresh, empty, writable store (files, if any, under ``tmp_path``)."""
        raise NotImplementedError

    def make_read_only(self, store: Store) -> Store:
        """Return a read-only store over the same data as ``store``."""
        return store.with_read_only(True)

    def reopen(self, store: Store, tmp_path: Path) -> Store | None:
        """Close ``store`` and open its data again; ``None`` skips the persistence test."""
        return None

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = self.make_store(tmp_path)
        yield store
        store.close()

    # -- basics -----------------------------------------------------------------------------

    def test_fresh_store_is_empty_and_writable(self, store: Store) -> None:
        assert isinstance(store, Store)
        assert store.read_only is False
        assert store.list_prefix("") == []
        assert store.list_dir("") == []
        for flag in (store.supports_partial_reads, store.supports_listing, store.supports_writes):
            assert isinstance(flag, bool)

    def test_set_get_round_trip(self, store: Store) -> None:
        _fill(store)
        for key, value in _TREE.items():
            got = store.get(key)
            # immutable bytes (a subclass such as MemoryStore's Buffer is bytes too)
            assert isinstance(got, bytes), (key, type(got))
            assert got == value, key
            assert store.exists(key), key

    def test_empty_value(self, store: Store) -> None:
        store.set("empty", b"")
        assert store.get("empty") == b""
        assert store.exists("empty")
        assert store.get("empty", (0, None)) == b""
        assert store.get("empty", (-5, None)) == b""

    def test_overwrite_replaces_the_value(self, store: Store) -> None:
        store.set("k/v", b"first value, longer")
        store.set("k/v", b"second")
        assert store.get("k/v") == b"second"
        assert store.list_prefix("") == ["k/v"]
        assert store.list_dir("k") == ["v"]

    def test_absent_keys(self, store: Store) -> None:
        store.set("present", b"x")
        assert store.get("absent") is None
        assert store.get("absent", (0, 1)) is None
        assert store.get("present/below") is None
        assert store.exists("absent") is False
        store.delete("absent")  # not an error
        store.delete("absent/deeper/key")
        assert store.get_many(["absent", "present"]) == [None, b"x"]
        assert store.get_ranges("absent", [(0, 1)]) is None
        assert store.list_prefix("absent") == []
        assert store.list_dir("absent") == []

    def test_delete(self, store: Store) -> None:
        _fill(store)
        store.delete("a/b/0")
        assert store.get("a/b/0") is None
        assert not store.exists("a/b/0")
        assert "a/b/0" not in store.list_prefix("")
        assert store.get("a/b/c/d") == b"abcd"
        store.delete("a/b/c/d")
        # the "folder" a/b now holds nothing and must not be listed
        assert store.list_dir("a") == ["0", "1"]
        assert store.list_prefix("") == sorted(set(_TREE) - {"a/b/0", "a/b/c/d"})

    # -- byte ranges ------------------------------------------------------------------------

    def test_byte_ranges_match_python_slicing(self, store: Store) -> None:
        value = bytes(range(1, 11))
        store.set("r", value)
        bounds = range(-13, 14)
        for start in (None, *bounds):
            for stop in (None, *bounds):
                got = store.get("r", (start, stop))
                assert got == value[start:stop], (start, stop, got)

    def test_suffix_and_offset_ranges(self, store: Store) -> None:
        value = bytes(range(256)) * 4
        store.set("chunk", value)
        assert store.get("chunk", (-16, None)) == value[-16:]  # a suffix request (shard index)
        assert store.get("chunk", (1000, None)) == value[1000:]
        assert store.get("chunk", (10, 20)) == value[10:20]
        assert store.get("chunk", (5000, 6000)) == b""
        assert store.get("chunk", (-5000, None)) == value

    @pytest.mark.parametrize("bad", [(1.0, 2), (0, "2"), (True, 2), (1, 2, 3), 5, "ab", None])
    def test_malformed_byte_range(self, store: Store, bad: Any) -> None:
        store.set("r", b"0123")
        if bad is None:
            assert store.get("r", bad) == b"0123"
            return
        with pytest.raises(TypeError):
            store.get("r", bad)

    # -- batches and listing ----------------------------------------------------------------

    def test_get_many(self, store: Store) -> None:
        _fill(store)
        keys = ["a/0", "missing", "ab/0", "c/0.0", "a/b/missing"]
        got = store.get_many(keys)
        assert got == [_TREE.get(key) for key in keys]
        assert all(v is None or isinstance(v, bytes) for v in got)
        assert store.get_many([]) == []
        many = [f"many/{i}" for i in range(40)]
        for i, key in enumerate(many):
            store.set(key, bytes([i]) * i)
        assert store.get_many(many[::-1] + ["missing"]) == [bytes([i]) * i for i in
                                                            range(39, -1, -1)] + [None]

    def test_get_ranges(self, store: Store) -> None:
        value = bytes(range(256)) * 3
        store.set("r/v", value)
        ranges = [(0, 10), (700, 768), (760, 800), (5, 5), (900, 950), (10, 300), (3, 4)]
        got = store.get_ranges("r/v", ranges)
        assert got == [value[a:b] for a, b in ranges]
        assert all(isinstance(v, bytes) for v in got)
        assert store.get_ranges("r/v", []) == []
        assert store.get_ranges("r/missing", [(0, 4)]) is None
        assert store.get_ranges("r", [(0, 4)]) is None  # a "folder" is no value

    def test_buffers_hold_what_get_many_and_get_ranges_return(self, store: Store) -> None:
        """``get_many_buffers`` / ``get_ranges_buffers``: the same values, as bytes or
        read-only memoryviews (shared with the client library, never to be written)."""
        _fill(store)
        keys = ["a/0", "missing", "ab/0", "c/0.0", "a/b/missing"]
        got = store.get_many_buffers(keys)
        assert [None if v is None else bytes(v) for v in got] == [_TREE.get(k) for k in keys]
        assert store.get_many_buffers([]) == []
        value = bytes(range(256)) * 3
        store.set("r/v", value)
        ranges = [(0, 10), (700, 768), (760, 800), (5, 5), (900, 950), (10, 300), (3, 4)]
        parts = store.get_ranges_buffers("r/v", ranges)
        assert parts is not None and [bytes(p) for p in parts] == [value[a:b] for a, b in ranges]
        assert store.get_ranges_buffers("r/missing", [(0, 4)]) is None
        for v in [*got, *parts]:
            assert v is None or isinstance(v, bytes) or (isinstance(v, memoryview)
                                                         and v.readonly and v.contiguous)

    def test_capabilities(self, store: Store) -> None:
        assert isinstance(store.fetch_concurrency, int) and store.fetch_concurrency >= 1
        files = store.local_files()
        if files is not None:  # the values are plain files: the native loops read them
            store.set("f/k", b"value")
            with open(files.root + "/f/k", "rb") as f:
                assert f.read() == b"value"
            read_only = self.make_read_only(store).local_files()
            assert read_only is not None and not read_only.writable
        if store.file_ranges(()) is not None:  # values located in local files: read there
            values = {"l/a": b"first", "l/b": bytes(range(256)) * 9, "l/e": b""}
            for key, value in values.items():
                store.set(key, value)
            keys = [*values, "l/missing"]
            found = store.file_ranges(keys)
            assert found is not None
            assert len(found) == len(keys) and found[-1] is None
            for key, where in zip(keys, found[:-1]):
                if isinstance(where, bytes):  # kept in another form: the value itself
                    assert where == values[key]
                    continue
                assert where is not None, key
                with open(where.path, "rb") as f:
                    f.seek(where.offset)
                    assert f.read(where.size) == values[key] and where.size == len(values[key])

    def test_list_prefix(self, store: Store) -> None:
        _fill(store)
        assert store.list_prefix("") == sorted(_TREE)
        under_a = sorted(k for k in _TREE if k.startswith("a/"))
        assert store.list_prefix("a") == under_a  # 'ab/0' is not under 'a'
        assert store.list_prefix("a/") == under_a
        assert store.list_prefix("a/b") == ["a/b/0", "a/b/c/d"]
        assert store.list_prefix("a/b/c/") == ["a/b/c/d"]
        assert store.list_prefix("a/0") == []  # a key is not a folder
        assert store.list_prefix("nope") == []
        assert store.list_prefix("unicod\u00e9") == ["unicod\u00e9/k"]

    def test_list_dir(self, store: Store) -> None:
        _fill(store)
        top = sorted({k.split("/", 1)[0] for k in _TREE})
        assert store.list_dir("") == top
        assert store.list_dir("a") == ["0", "1", "b"]
        assert store.list_dir("a/") == ["0", "1", "b"]
        assert store.list_dir("a/b") == ["0", "c"]
        assert store.list_dir("a/b/c") == ["d"]
        assert store.list_dir("a/0") == []
        assert store.list_dir("nope") == []

    def test_delete_prefix(self, store: Store) -> None:
        _fill(store)
        store.delete_prefix("a")
        assert store.list_prefix("") == sorted(k for k in _TREE if not k.startswith("a/"))
        assert store.get("ab/0") == b"sibling"
        assert "a" not in store.list_dir("")
        store.delete_prefix("nope")  # absent: not an error
        store.delete_prefix("")
        assert store.list_prefix("") == []
        assert store.list_dir("") == []
        store.set("a/0", b"again")  # the store still works after being emptied
        assert store.get("a/0") == b"again"

    # -- values -----------------------------------------------------------------------------

    def test_value_types(self, store: Store) -> None:
        arr = np.arange(12, dtype="<i4").reshape(3, 4)
        values = {
            "bytes": b"abc",
            "bytearray": bytearray(b"defg"),
            "memoryview": memoryview(b"hijkl"),
            "memoryview-slice": memoryview(b"0123456789")[2:7],
            "numpy-2d": arr,
            "numpy-f8": np.linspace(0, 1, 7),
            "numpy-big-endian": np.arange(5, dtype=">u2"),
            "numpy-0d": np.array(3.5),
            "numpy-record": np.zeros(3, dtype=[("a", "<i2"), ("b", "<f4")]),
            "numpy-row": arr[1],
        }
        for key, value in values.items():
            store.set(key, value)
        for key, value in values.items():
            expected = value.tobytes() if isinstance(value, np.ndarray) else bytes(value)
            assert store.get(key) == expected, key

    def test_value_is_copied(self, store: Store) -> None:
        buffer = bytearray(b"original")
        store.set("k", buffer)
        buffer[:] = b"mutated!"
        assert store.get("k") == b"original"

    def test_bad_values(self, store: Store) -> None:
        arr = np.arange(12, dtype="u1").reshape(3, 4)
        with pytest.raises(ValueError):
            store.set("k", arr[:, 1])  # not C-contiguous
        with pytest.raises(ValueError):
            store.set("k", np.asfortranarray(arr))
        for bad in ("text", 42, None, [1, 2]):
            with pytest.raises(TypeError):
                store.set("k", bad)
        assert store.get("k") is None

    def test_large_value(self, store: Store) -> None:
        value = random.Random(1).randbytes(8 * 1024 * 1024 + 3)
        store.set("big/chunk", value)
        assert store.get("big/chunk") == value
        assert store.get("big/chunk", (-100, None)) == value[-100:]
        assert store.get("big/chunk", (5_000_000, 5_000_123)) == value[5_000_000:5_000_123]

    # -- keys -------------------------------------------------------------------------------

    @pytest.mark.parametrize("key", HOSTILE_KEYS)
    def test_hostile_keys_are_refused(self, store: Store, key: str) -> None:
        with pytest.raises(ValueError):
            store.set(key, b"payload")
        with pytest.raises(ValueError):
            store.get(key)
        with pytest.raises(ValueError):
            store.get(key, (0, 1))
        with pytest.raises(ValueError):
            store.exists(key)
        with pytest.raises(ValueError):
            store.delete(key)
        with pytest.raises(ValueError):
            store.get_many(["fine", key])
        assert store.list_prefix("") == []

    @pytest.mark.parametrize("prefix", HOSTILE_PREFIXES)
    def test_hostile_prefixes_are_refused(self, store: Store, prefix: str) -> None:
        store.set("a/0", b"x")
        for method in (store.list_prefix, store.list_dir, store.delete_prefix):
            with pytest.raises(ValueError):
                method(prefix)
        assert store.get("a/0") == b"x"

    @pytest.mark.parametrize("key", [1, b"a", None, ("a",)])
    def test_non_string_keys_are_refused(self, store: Store, key: object) -> None:
        with pytest.raises(TypeError):
            store.get(key)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            store.set(key, b"x")  # type: ignore[arg-type]

    # -- read-only --------------------------------------------------------------------------

    def test_read_only_refuses_every_write(self, store: Store) -> None:
        _fill(store)
        ro = self.make_read_only(store)
        assert ro.read_only is True
        assert ro.get("a/0") == b"a0"
        assert ro.get("a/b/c/d", (1, 3)) == b"bc"
        assert ro.exists("ab/0")
        assert ro.list_prefix("") == sorted(_TREE)
        assert ro.list_dir("a") == ["0", "1", "b"]
        assert ro.get_many(["a/0", "nope"]) == [b"a0", None]
        assert ro.get_ranges("a/b/c/d", [(1, 3), (0, 1)]) == [b"bc", b"a"]
        attempts: list[Callable[[], object]] = [
            lambda: ro.set("a/0", b"changed"),
            lambda: ro.set("new/key", b"new"),
            lambda: ro.delete("a/0"),
            lambda: ro.delete("absent"),
            lambda: ro.delete_prefix("a"),
            lambda: ro.delete_prefix(""),
        ]
        for attempt in attempts:
            with pytest.raises(ReadOnlyError):
                attempt()
        with pytest.raises(PermissionError):  # ReadOnlyError is also a PermissionError
            ro.set("a/0", b"changed")
        assert store.list_prefix("") == sorted(_TREE)
        assert {k: store.get(k) for k in _TREE} == _TREE
        assert ro.with_read_only(True).read_only is True

    def test_read_only_view_sees_later_writes(self, store: Store) -> None:
        ro = self.make_read_only(store)
        store.set("late", b"arrival")
        assert ro.get("late") == b"arrival"

    # -- identity ---------------------------------------------------------------------------

    def test_equality_repr_and_context_manager(self, store: Store) -> None:
        assert store == store
        assert store.with_read_only(False) == store
        assert type(store).__name__ in repr(store) or "Store" in repr(store)
        with store as entered:
            assert entered is store

    # -- concurrency ------------------------------------------------------------------------

    def test_concurrent_set_and_get(self, store: Store) -> None:
        n_threads, n_keys = 8, 40
        shared_values = [bytes([i]) * (1000 + 37 * i) for i in range(n_threads)]
        store.set("shared", shared_values[0])
        torn: list[bytes | None] = []
        start = threading.Barrier(n_threads)

        def work(t: int) -> None:
            start.wait()
            for i in range(n_keys):
                key = f"t{t}/c/{i}"
                value = f"{t}:{i}".encode() * (i + 1)
                store.set(key, value)
                assert store.get(key) == value, key
                store.set("shared", shared_values[t])
                seen = store.get("shared")
                if seen not in shared_values:
                    torn.append(seen)

        with ThreadPoolExecutor(n_threads) as pool:
            for future in [pool.submit(work, t) for t in range(n_threads)]:
                future.result()
        assert not torn, f"{len(torn)} reads saw a partly written value"
        expected = sorted(f"t{t}/c/{i}" for t in range(n_threads) for i in range(n_keys))
        assert store.list_prefix("") == sorted([*expected, "shared"])
        assert store.get("shared") in shared_values

    # -- arrays through both chunk-I/O implementations ---------------------------------------

    @pytest.mark.parametrize("layout", ["chunks", "shards"])
    @pytest.mark.parametrize("codec", ["zstd", "gzip"])  # gzip: read natively, not written
    def test_native_and_reference_engines_agree(self, store: Store, layout: str,
                                                codec: str) -> None:
        """Arrays in this store written and read by the native chunk I/O and by the reference
        (``zarrc.testing.engine``) hold and return the same values, NumPy's."""
        import zarrc
        from zarrc.testing.engine import engine, io_kinds

        rng = np.random.default_rng(11)
        x = (rng.normal(size=(37, 29)) * 100).round().astype("<f4")
        kwargs = dict(shape=x.shape, dtype=x.dtype, chunks=(8, 7), fill_value=-1,
                      compressors=[{"name": codec}],
                      shards=(16, 14) if layout == "shards" else None)
        steps = [(np.s_[...], x), (np.s_[5:20, 3:9], -2.0), (np.s_[:8, :7], -1.0),
                 (np.s_[30:, ::-3], x[30:, ::-3] * 2)]
        arrays = {}
        for kind in ("native", "reference"):
            with engine(kind):
                arrays[kind] = zarrc.create_array(store, name=kind, **kwargs)
            assert io_kinds(arrays[kind])[0] == kind
            for sel, value in steps:
                arrays[kind][sel] = value
            arrays[kind].vindex[[0, 36, 20], [28, 0, 5]] = 7.0
        expected = np.full_like(x, -1)
        for sel, value in steps:
            expected[sel] = value
        expected[[0, 36, 20], [28, 0, 5]] = 7.0
        points = (rng.integers(0, 37, 50), rng.integers(0, 29, 50))
        for name in arrays:  # each stored array read back by each implementation
            for kind in ("native", "reference"):
                with engine(kind):
                    a = zarrc.open_array(store, path=name, mode="r")
                np.testing.assert_array_equal(a[...], expected)
                np.testing.assert_array_equal(a[3:33:4, ::-2], expected[3:33:4, ::-2])
                np.testing.assert_array_equal(a.vindex[points], expected[points])
                np.testing.assert_array_equal(a.oindex[[5, 1, 5], 2:20],
                                              expected[[5, 1, 5], 2:20])

    # -- optional: conditional writes ---------------------------------------------------------

    def test_conditional_writes(self, store: Store) -> None:
        if not store.supports_conditional_writes:
            pytest.skip("this store has no conditional writes")
        assert store.get_versioned("k") == (None, None)
        assert store.set_if("k", b"first", version=None) is True  # create: absent
        assert store.set_if("k", b"again", version=None) is False  # present now
        value, version = store.get_versioned("k")
        assert value == b"first" and isinstance(version, str)
        assert store.set_if("k", b"second", version=version) is True
        assert store.set_if("k", b"stale", version=version) is False  # changed since
        assert store.get("k") == b"second"
        value, newer = store.get_versioned("k")
        assert value == b"second" and newer != version
        store.set("k", b"third")  # an unconditional write changes the version too
        assert store.set_if("k", b"lost", version=newer) is False
        _, current = store.get_versioned("k")
        store.delete("k")
        assert store.set_if("k", b"gone", version=current) is False  # deleted since
        assert store.get("k") is None
        assert store.set_if("k", np.arange(3, dtype="<u2"), version=None) is True
        assert store.get("k") == np.arange(3, dtype="<u2").tobytes()
        with pytest.raises(ReadOnlyError):
            self.make_read_only(store).set_if("k", b"x", version=None)
        with pytest.raises(ValueError):
            store.set_if("../k", b"x", version=None)

    # -- persistence ------------------------------------------------------------------------

    def test_reopen_round_trip(self, store: Store, tmp_path: Path) -> None:
        _fill(store)
        store.set("a/0", b"overwritten")
        store.delete("a/1")
        reopened = self.reopen(store, tmp_path)
        if reopened is None:
            pytest.skip("this store has no persistence to check")
        try:
            expected = dict(_TREE, **{"a/0": b"overwritten"})
            del expected["a/1"]
            assert reopened.list_prefix("") == sorted(expected)
            assert {k: reopened.get(k) for k in expected} == expected
        finally:
            reopened.close()

    # -- a model-based property: any operation sequence behaves like a dict ----------------

    @settings(
        max_examples=25,
        deadline=None,
        # Every subclass runs this same method with its own store: that is intended.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.differing_executors,
        ],
    )
    @given(
        ops=st.lists(
            st.one_of(
                st.tuples(st.just("set"), st.sampled_from(_MODEL_KEYS), st.binary(max_size=40)),
                st.tuples(st.just("delete"), st.sampled_from(_MODEL_KEYS)),
                st.tuples(st.just("delete_prefix"), st.sampled_from(_MODEL_PREFIXES)),
            ),
            max_size=25,
        )
    )
    def test_behaves_like_a_dict(self, tmp_path: Path, ops: list[tuple[Any, ...]]) -> None:
        store = self.make_store(Path(tempfile.mkdtemp(dir=tmp_path)))
        model: dict[str, bytes] = {}
        try:
            for op in ops:
                getattr(store, op[0])(*op[1:])
                if op[0] == "set":
                    model[op[1]] = op[2]
                elif op[0] == "delete":
                    model.pop(op[1], None)
                else:
                    stem = op[1].rstrip("/")
                    model = {
                        k: v for k, v in model.items() if stem and not k.startswith(stem + "/")
                    }
            assert store.list_prefix("") == sorted(model)
            for key in _MODEL_KEYS:
                assert store.get(key) == model.get(key), key
                assert store.exists(key) == (key in model), key
            for prefix in _MODEL_PREFIXES:
                stem = prefix.rstrip("/")
                under = sorted(k for k in model if not stem or k.startswith(stem + "/"))
                assert store.list_prefix(prefix) == under, prefix
                names = {k[len(stem) + 1 if stem else 0 :].split("/", 1)[0] for k in under}
                assert store.list_dir(prefix) == sorted(names), prefix
        finally:
            store.close()
