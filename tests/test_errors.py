"""SPEC.md's error table, each row provoked for real; and bad input that must fail cleanly."""

import numpy as np
import pytest

import zarrc
from zarrc.errors import (
    ChecksumError,
    CodecError,
    ContainsArrayError,
    ContainsGroupError,
    MetadataError,
    NodeNotFoundError,
    ReadOnlyError,
    StoreError,
    ZarrcError,
)
from zarrc.storage import MemoryStore
from zarrc.testing.engine import engine


@pytest.mark.parametrize("error, builtins", [
    (NodeNotFoundError, (FileNotFoundError, KeyError)),
    (ContainsArrayError, (FileExistsError,)),
    (ContainsGroupError, (FileExistsError,)),
    (MetadataError, (ValueError,)),
    (CodecError, (ValueError,)),
    (ChecksumError, (CodecError, ValueError)),
    (ReadOnlyError, (PermissionError,)),
    (StoreError, (OSError,)),
])
def test_hierarchy(error, builtins):
    assert issubclass(error, ZarrcError)
    for b in builtins:
        assert issubclass(error, b)


def test_missing_node(tmp_path):
    with pytest.raises(NodeNotFoundError) as info:
        zarrc.open_array(str(tmp_path / "nothing"), mode="r")
    assert "nothing" in str(info.value)
    with pytest.raises(KeyError):
        zarrc.open_group(MemoryStore(), mode="r")
    g = zarrc.group()
    with pytest.raises(KeyError):
        g["absent"]


def test_existing_node():
    store = MemoryStore()
    zarrc.create_array(store, shape=(2,), dtype="i1")
    with pytest.raises(ContainsArrayError):
        zarrc.create_array(store, shape=(2,), dtype="i1")
    with pytest.raises(ContainsArrayError):
        zarrc.open_group(store, mode="w-")
    g = zarrc.group(MemoryStore())
    g.create_group("sub")
    with pytest.raises(ContainsGroupError):
        g.create_array("sub", shape=(1,), dtype="i1")
    with pytest.raises(ContainsGroupError):
        g.create_group("sub")
    # overwrite replaces, and leaves no stale chunks behind
    a = zarrc.create_array(store, shape=(4,), dtype="i1", chunks=(2,), overwrite=True)
    a[...] = 1
    b = zarrc.create_array(store, shape=(4,), dtype="i1", chunks=(2,), overwrite=True)
    np.testing.assert_array_equal(b[...], 0)


def test_read_only_store_and_group():
    store = MemoryStore()
    zarrc.group(store).create_array("a", shape=(3,), dtype="u1")
    g = zarrc.open_group(store, mode="r")
    for attempt in (lambda: g.create_group("x"), lambda: g.create_array("y", shape=(1,), dtype="u1"),
                    lambda: g.attrs.__setitem__("k", 1), lambda: g.__delitem__("a")):
        with pytest.raises(ReadOnlyError):
            attempt()
    with pytest.raises(ReadOnlyError):
        g["a"][0] = 1
    assert sorted(store.list_prefix("")) == ["a/zarr.json", "zarr.json"]


@pytest.mark.parametrize("codec", [{"name": "no-such-codec"}, "no-such-codec",
                                   {"id": "no-such-codec"}])
def test_unknown_codec_on_create(codec):
    store = MemoryStore()
    with pytest.raises((CodecError, MetadataError)) as info:
        zarrc.create_array(store, shape=(2,), dtype="i1", compressors=[codec])
    assert "no-such-codec" in str(info.value)
    assert store.list_prefix("") == []


def test_unknown_codec_on_open():
    store = MemoryStore()
    zarrc.create_array(store, shape=(2,), dtype="i1")
    import json

    doc = json.loads(store.get("zarr.json"))
    doc["codecs"].append({"name": "made-up-codec", "configuration": {}})
    store.set("zarr.json", json.dumps(doc).encode())
    with pytest.raises((CodecError, MetadataError)) as info:
        zarrc.open_array(store)
    assert "made-up-codec" in str(info.value)


@pytest.mark.parametrize("zarr_format, key", [(3, "c/0"), (2, "0")])
@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupt_chunk_names_the_key(zarr_format, key, damage):
    store = MemoryStore()
    a = zarrc.create_array(store, shape=(100,), dtype="f8", chunks=(100,), zarr_format=zarr_format,
                           compressors=["zstd"])
    a[...] = np.arange(100.0)
    good = store.get(key)
    bad = {"truncate": good[: len(good) // 2], "garbage": b"\x00not a frame" * 3, "empty": b""}[damage]
    store.set(key, bad)
    with pytest.raises(CodecError) as info:
        a[...]
    assert key in str(info.value)


def test_uncompressed_chunk_of_wrong_size_is_an_error():
    store = MemoryStore()
    a = zarrc.create_array(store, shape=(10,), dtype="i4", chunks=(10,), compressors=None)
    a[...] = 1
    store.set("c/0", store.get("c/0")[:-4])
    with pytest.raises(CodecError, match="c/0"):
        a[...]


def test_checksum_mismatch():
    store = MemoryStore()
    a = zarrc.create_array(store, shape=(16,), dtype="u1", chunks=(16,), compressors=["crc32c"])
    a[...] = np.arange(16)
    raw = bytearray(store.get("c/0"))
    raw[3] ^= 0xFF
    store.set("c/0", bytes(raw))
    with pytest.raises(ChecksumError, match="c/0"):
        a[...]


def test_failed_write_leaves_stored_data_unchanged():
    store = MemoryStore()
    a = zarrc.create_array(store, shape=(6,), dtype="i4", chunks=(3,))
    a[...] = np.arange(6)
    before = {k: store.get(k) for k in store.list_prefix("")}
    for bad in (["a", "b", "c", "d"], np.ones(5), object()):
        with pytest.raises((ValueError, TypeError)):
            a[1:5] = bad
    assert {k: store.get(k) for k in store.list_prefix("")} == before


def test_failed_codec_encode_leaves_old_chunk(monkeypatch):
    store = MemoryStore()
    with engine("reference"):  # the codec pipeline encodes (the native loops have their own)
        a = zarrc.create_array(store, shape=(4,), dtype="i4", chunks=(2,))
    a[...] = [1, 2, 3, 4]
    before = store.get("c/1")

    def boom(*args, **kwargs):
        raise RuntimeError("encoder failed")

    monkeypatch.setattr(a._ctx.pipeline, "encode", boom)
    with pytest.raises(RuntimeError):
        a[2:] = [7, 8]
    assert store.get("c/1") == before


@pytest.mark.parametrize("name", ["../x", "/abs/../../x", "a/../../b", "a\x00b", "a\\b", "./a"])
def test_hostile_array_paths(tmp_path, name):
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(ValueError):
        zarrc.create_array(str(root), name=name, shape=(2,), dtype="i1")
    g = zarrc.group(str(root))
    with pytest.raises(ValueError):
        g.create_array(name, shape=(2,), dtype="i1")
    outside = [p for p in tmp_path.rglob("*") if not str(p).startswith(str(root))]
    assert outside == []


@pytest.mark.parametrize("shape, chunks", [
    ((-1,), (1,)),
    ((10,), (0,)),
    ((10,), (-2,)),
    ((2**62, 2**62), (1, 1)),
    ((10, 10), (5,)),
    ((1.5,), (1,)),
])
def test_absurd_shapes_fail_at_once(shape, chunks):
    store = MemoryStore()
    with pytest.raises((MetadataError, ValueError, TypeError)):
        zarrc.create_array(store, shape=shape, dtype="f8", chunks=chunks)
    assert store.list_prefix("") == []


def test_absurd_shape_in_stored_metadata():
    import json

    store = MemoryStore()
    zarrc.create_array(store, shape=(4,), dtype="f8", chunks=(2,))
    doc = json.loads(store.get("zarr.json"))
    doc["shape"] = [2**62, 2**62]
    doc["chunk_grid"]["configuration"]["chunk_shape"] = [1, 1]
    store.set("zarr.json", json.dumps(doc).encode())
    with pytest.raises(MetadataError):
        zarrc.open_array(store)


@pytest.mark.parametrize("local", [False, True])  # True: a LocalStore, the native loops too
@pytest.mark.parametrize("codec", [None, "zstd", "blosc", "numcodecs.zlib", "numcodecs.lz4",
                                   "gzip"])
def test_a_chunk_shape_its_chunks_cannot_fill_costs_no_memory(tmp_path, codec, local):
    """Stored metadata whose chunk shape was changed (here to 32 GiB chunks) after the chunks
    were written: reading raises CodecError naming the chunk, from what the stored bytes can
    decode to, before allocating for the shape."""
    import json
    import tracemalloc

    store = zarrc.storage.LocalStore(str(tmp_path)) if local else MemoryStore()
    a = zarrc.create_array(store, shape=(16, 16), dtype="i4", chunks=(4, 4),
                           compressors=[{"name": codec}] if codec else None)
    a[...] = np.arange(256, dtype="i4").reshape(16, 16)
    doc = json.loads(store.get("zarr.json"))
    doc["chunk_grid"]["configuration"]["chunk_shape"] = [2**31, 4]
    store.set("zarr.json", json.dumps(doc).encode())
    b = zarrc.open_array(store, mode="r")
    tracemalloc.start()
    try:
        with pytest.raises(CodecError, match=r"chunk 'c/0/\d'.*34359738368"):
            b[:2, :2]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


@pytest.mark.parametrize("doc, field", [
    (b"not json", "zarr.json"),
    (b'{"zarr_format": 3, "node_type": "array"}', "shape"),
    (b'{"zarr_format": 3, "node_type": "tree"}', "node_type"),
])
def test_malformed_metadata_names_key_and_field(doc, field):
    store = MemoryStore({"zarr.json": doc})
    with pytest.raises(MetadataError) as info:
        zarrc.open(store, mode="r")
    assert "zarr.json" in str(info.value) and field in str(info.value)


@pytest.fixture(scope="module")
def zarr_errors():
    return pytest.importorskip("zarr.errors")


@pytest.mark.parametrize("name", ["ArrayNotFoundError", "GroupNotFoundError",
                                  "NodeTypeValidationError", "ContainsArrayError",
                                  "ContainsGroupError", "ContainsArrayAndGroupError",
                                  "MetadataValidationError", "BaseZarrError", "UnknownCodecError",
                                  "ArrayIndexError", "BoundsCheckError", "NegativeStepError",
                                  "VindexInvalidSelectionError", "ZarrUserWarning",
                                  "ZarrDeprecationWarning", "ZarrFutureWarning",
                                  "ZarrRuntimeWarning", "UnstableSpecificationWarning"])
def test_zarr_python_names_keep_zarr_pythons_builtin_bases(zarr_errors, name):
    import zarrc.errors as ours

    theirs = getattr(zarr_errors, name)
    mine = getattr(ours, name)
    for base in theirs.__mro__:  # whatever zarr-python code catches, ours is caught too
        if base.__module__ == "builtins":
            assert issubclass(mine, base), (name, base)
    if not issubclass(mine, Warning):
        assert issubclass(mine, ZarrcError)
    if issubclass(theirs, zarr_errors.BaseZarrError):
        assert issubclass(mine, ours.BaseZarrError)


def test_not_found_errors_raised_by_open():
    from zarrc.errors import ArrayNotFoundError, GroupNotFoundError

    store = MemoryStore()
    with pytest.raises(ArrayNotFoundError):
        zarrc.open_array(store, mode="r")
    with pytest.raises(GroupNotFoundError):
        zarrc.open_group(store, mode="r")
    with pytest.raises(NodeNotFoundError):  # zarrc's name catches both
        zarrc.open_array(store, mode="r")


def test_indexing_errors_are_zarr_pythons():
    from zarrc.errors import BoundsCheckError, VindexInvalidSelectionError

    a = zarrc.create_array(MemoryStore(), shape=(3, 2), dtype="i1")
    with pytest.raises(BoundsCheckError):
        a[3]
    with pytest.raises(IndexError):
        a[0, 5]
    with pytest.raises(VindexInvalidSelectionError):
        a.vindex[0:2, [0]]


def test_unknown_codec_error():
    from zarrc.errors import UnknownCodecError

    with pytest.raises(UnknownCodecError, match="nope"):
        zarrc.create_array(MemoryStore(), shape=(1,), dtype="i1", compressors={"name": "nope"})
