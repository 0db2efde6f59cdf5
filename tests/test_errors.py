"""SPEC.md's error table, each row provoked for real; and bad input that must fail cleanly."""

import json

import numpy as np
import pytest

import zarrc
from zarrc.errors import (
    ChecksumError,
    CodecConfigError,
    CodecError,
    ContainsArrayError,
    ContainsGroupError,
    MetadataError,
    NodeNotFoundError,
    ReadOnlyError,
    StoreError,
    ZarrcError,
)
from zarrc.storage import MemoryStore, Store
from zarrc.testing.engine import engine


@pytest.mark.parametrize("error, builtins", [
    (NodeNotFoundError, (FileNotFoundError, KeyError)),
    (ContainsArrayError, (FileExistsError,)),
    (ContainsGroupError, (FileExistsError,)),
    (MetadataError, (ValueError,)),
    (CodecError, (ValueError,)),
    (ChecksumError, (CodecError, ValueError)),
    (ReadOnlyError, (PermissionError,)),
    (CodecConfigError, (MetadataError, CodecError, ValueError)),
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


# -- exact error classes (issue 12, item 6) ------------------------------------------------


_ZGROUP = '{"zarr_format": 2}'
_NESTED_DOCUMENTS = {  # document -> the store's documents, with NESTED where it nests
    "zarr.json": {"zarr.json": '{"zarr_format": 3, "node_type": "group", '
                               '"attributes": {"a": NESTED}}'},
    ".zgroup": {".zgroup": '{"zarr_format": 2, "extra": NESTED}'},
    ".zattrs": {".zgroup": _ZGROUP, ".zattrs": '{"a": NESTED}'},
    ".zarray": {".zarray": '{"zarr_format": 2, "shape": [2], "chunks": [2], "dtype": "<i4", '
                           '"compressor": null, "fill_value": 0, "order": "C", '
                           '"filters": null, "x": NESTED}'},
    ".zmetadata": {".zgroup": _ZGROUP, ".zmetadata": '{"zarr_consolidated_format": 1, '
                   '"metadata": {".zgroup": {"zarr_format": 2}, ".zattrs": {"a": NESTED}}}'},
}


@pytest.mark.parametrize("depth", [150, 900, 100_000])
@pytest.mark.parametrize("document", sorted(_NESTED_DOCUMENTS))
def test_deeply_nested_metadata_is_a_metadata_error_naming_the_document(document, depth):
    nested = "[" * depth + "]" * depth
    store = MemoryStore({key: text.replace("NESTED", nested).encode()
                         for key, text in _NESTED_DOCUMENTS[document].items()})
    with pytest.raises(MetadataError, match=document.replace(".", r"\.")):
        zarrc.open_consolidated(store) if document == ".zmetadata" else zarrc.open(store,
                                                                                  mode="r")


def test_attributes_too_deep_to_store_are_refused_before_writing():
    store = MemoryStore()
    g = zarrc.group(store)
    before = store.get("zarr.json")
    with pytest.raises(ValueError, match="nest too deep"):
        g.attrs["deep"] = json.loads("[" * 200 + "]" * 200)
    assert store.get("zarr.json") == before
    fine = json.loads("[" * 100 + "]" * 100)
    g.attrs["fine"] = fine
    assert zarrc.open_group(store, mode="r").attrs["fine"] == fine


@pytest.mark.parametrize("dtype", ["\x00", "", "<i4\x00", "\u00e9"])
def test_v2_dtype_that_is_not_a_typestr_is_refused(dtype):
    store = MemoryStore()
    store.set(".zarray", json.dumps({
        "zarr_format": 2, "shape": [4], "chunks": [2], "dtype": dtype, "compressor": None,
        "fill_value": 0, "order": "C", "filters": None}).encode())
    with pytest.raises(MetadataError, match=r"\.zarray: field 'dtype'"):
        zarrc.open_array(store, mode="r")


def _assert_public_codec_config_error(exc):
    """A CodecConfigError (so a MetadataError and a CodecError) of a public class of
    zarrc.errors."""
    assert isinstance(exc, CodecConfigError)
    cls = type(exc)
    assert cls.__module__ == "zarrc.errors" and cls.__name__ in zarrc.errors.__all__


def _stored_with(zarr_format, change):
    store = MemoryStore()
    key = "zarr.json" if zarr_format == 3 else ".zarray"
    zarrc.create_array(store, shape=(4,), dtype="i4", chunks=(2,), zarr_format=zarr_format,
                       compressors=[{"name": "zstd"} if zarr_format == 3 else {"id": "zstd"}])
    doc = json.loads(store.get(key))
    change(doc)
    store.set(key, json.dumps(doc).encode())
    return store, key


@pytest.mark.parametrize("zarr_format, change, codec", [
    (3, lambda d: d["codecs"].append({"name": "made-up"}), "made-up"),
    (3, lambda d: d["codecs"][-1].update(configuration={"level": "high"}), "zstd"),
    (3, lambda d: d["codecs"].insert(0, {"name": "transpose", "configuration": {}}),
     "transpose"),
    (2, lambda d: d.update(compressor={"id": "made-up"}), "made-up"),
    (2, lambda d: d.update(compressor={"id": "zstd", "level": "high"}), "zstd"),
    (2, lambda d: d.update(filters=[{"id": "delta"}]), "delta"),
])
def test_a_bad_codec_in_stored_metadata_is_a_metadata_error_at_open(zarr_format, change, codec):
    store, key = _stored_with(zarr_format, change)
    with pytest.raises(MetadataError) as info:
        zarrc.open_array(store, mode="r")
    _assert_public_codec_config_error(info.value)
    assert key in str(info.value) and codec in str(info.value)


def test_a_bad_codec_in_stored_shard_metadata_is_a_metadata_error_at_open():
    store = MemoryStore()
    zarrc.create_array(store, shape=(8,), dtype="i4", chunks=(2,), shards=(4,))
    doc = json.loads(store.get("zarr.json"))
    doc["codecs"][0]["configuration"]["codecs"].append({"name": "made-up"})
    store.set("zarr.json", json.dumps(doc).encode())
    with pytest.raises(MetadataError, match="zarr.json.*made-up") as info:
        zarrc.open_array(store, mode="r")
    _assert_public_codec_config_error(info.value)


@pytest.mark.parametrize("codec", [{"name": "no-such-codec"}, {"name": "zstd", "configuration":
                                                                {"level": "high"}}])
def test_a_bad_codec_on_create_is_a_public_metadata_error(codec):
    with pytest.raises(MetadataError) as info:
        zarrc.create_array(MemoryStore(), shape=(2,), dtype="i1", compressors=[codec])
    _assert_public_codec_config_error(info.value)


@pytest.mark.parametrize("zarr_format, document", [(2, ".zmetadata"),
                                                  (3, r"zarr.json\[consolidated_metadata\]")])
def test_errors_in_consolidated_metadata_name_the_consolidated_document(zarr_format, document):
    store = MemoryStore()
    g = zarrc.group(store, zarr_format=zarr_format)
    g.create_group("sub").create_array("a", shape=(4,), dtype="i4", chunks=(2,))
    zarrc.consolidate_metadata(store)
    key = ".zmetadata" if zarr_format == 2 else "zarr.json"
    doc = json.loads(store.get(key))
    if zarr_format == 2:
        doc["metadata"]["sub/a/.zarray"]["compressor"] = {"id": "made-up"}
    else:
        doc["consolidated_metadata"]["metadata"]["sub/a"]["codecs"].append({"name": "made-up"})
    store.set(key, json.dumps(doc).encode())
    for attempt in (lambda: zarrc.open_consolidated(store)["sub/a"],
                    lambda: zarrc.open_consolidated(store)["sub"]["a"],
                    lambda: zarrc.open_consolidated(store)["sub"].members()):
        with pytest.raises(MetadataError, match=f"{document}: entry 'sub/a'.*made-up"):
            attempt()


def test_open_array_on_a_group_says_a_group_is_there():
    store = MemoryStore()
    zarrc.group(store).create_array("a", shape=(1,), dtype="i1")
    for mode in ("r", "r+", "a"):
        with pytest.raises(NodeNotFoundError, match="a group is there"):
            zarrc.open_array(store, mode=mode)
    with pytest.raises(NodeNotFoundError, match="an array is there"):
        zarrc.open_group(store, path="a", mode="r")


@pytest.mark.parametrize("stored, asked", [(2, 3), (3, 2)])
def test_opening_with_the_other_zarr_format_says_which_node_is_there(stored, asked):
    store = MemoryStore()
    zarrc.create_array(store, name="x", shape=(1,), dtype="i1", zarr_format=stored)
    with pytest.raises(NodeNotFoundError, match=f"a Zarr v{stored} array is there"):
        zarrc.open_array(store, path="x", zarr_format=asked)


class _DictStore(Store):
    """A store as a user might write one: no ``super().__init__()``."""

    def __init__(self):
        self.d = {}

    def get(self, key, byte_range=None):
        value = self.d.get(key)
        return value if value is None or byte_range is None else value[slice(*byte_range)]

    def exists(self, key):
        return key in self.d

    def list_prefix(self, prefix):
        prefix = prefix.rstrip("/")
        return sorted(k for k in self.d if not prefix or k.startswith(prefix + "/"))

    def list_dir(self, prefix):
        skip = len(prefix.rstrip("/")) + 1 if prefix.rstrip("/") else 0
        return sorted({k[skip:].split("/", 1)[0] for k in self.list_prefix(prefix)})

    def set(self, key, value):
        self._check_writable(key)
        self.d[key] = bytes(value)

    def delete(self, key):
        self.d.pop(key, None)


def test_a_store_that_skips_super_init_is_read_write():
    store = _DictStore()
    assert store.read_only is False
    a = zarrc.create_array(store, shape=(6,), dtype="i4", chunks=(4,))
    a[2:5] = 9
    a.attrs["k"] = 1
    np.testing.assert_array_equal(zarrc.open_array(store, mode="r")[...], [0, 0, 9, 9, 9, 0])
    assert store.with_read_only().read_only


@pytest.mark.parametrize("entry", [".zattrs", "sub/.zattrs"])
def test_bad_attributes_inside_zmetadata_name_zmetadata(entry):
    store = MemoryStore()
    zarrc.group(store, zarr_format=2, attributes={"a": 1}).create_group("sub", attributes={"b": 2})
    zarrc.consolidate_metadata(store)
    doc = json.loads(store.get(".zmetadata"))
    doc["metadata"][entry] = ["not", "an", "object"]
    store.set(".zmetadata", json.dumps(doc).encode())
    with pytest.raises(MetadataError, match=r"\.zmetadata\[.*\.zattrs"):
        zarrc.open_consolidated(store)


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
