"""vlen-utf8 / vlen-bytes: byte-identical to numcodecs, JSON forms as zarr-python, corrupt input."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrc.codecs import ChunkSpec, CodecPipeline, get_codec, normalize_codecs
from zarrc.codecs.vlen import VLenBytesCodec, VLenUTF8Codec
from zarrc.errors import CodecError, MetadataError

STRING = np.dtypes.StringDType()
OBJECT = np.dtype(object)


def _objects(items, shape=None):
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out if shape is None else out.reshape(shape)


def _strings(items, shape=None):
    out = np.array(items, dtype=STRING)
    return out if shape is None else out.reshape(shape)


TEXT = st.lists(st.text(), min_size=1, max_size=24)
BINARY = st.lists(st.binary(), min_size=1, max_size=24)


@settings(max_examples=60, deadline=None)
@given(TEXT)
def test_utf8_is_byte_identical_to_numcodecs(numcodecs, items):
    data = _strings(items)
    spec = ChunkSpec((len(items),), STRING)
    ours = VLenUTF8Codec().encode(data, spec)
    theirs = bytes(numcodecs.VLenUTF8().encode(_objects(items)))
    assert ours == theirs
    back = VLenUTF8Codec().decode(theirs, spec)
    assert back.dtype == STRING and back.tolist() == items


@settings(max_examples=60, deadline=None)
@given(BINARY)
def test_bytes_is_byte_identical_to_numcodecs(numcodecs, items):
    data = _objects(items)
    spec = ChunkSpec((len(items),), OBJECT)
    ours = VLenBytesCodec().encode(data, spec)
    assert ours == bytes(numcodecs.VLenBytes().encode(data))
    back = VLenBytesCodec().decode(ours, spec)
    assert back.dtype == OBJECT and back.tolist() == items


@pytest.mark.parametrize("order", ["C", "F"])
def test_items_follow_the_chunk_order(numcodecs, order):
    """numcodecs flattens in memory order; zarr-python 2 hands it an `order` chunk."""
    data = _strings(["a", "bb", "ccc", "d", "", "é"], (2, 3))
    spec = ChunkSpec((2, 3), STRING, order=order)
    ours = VLenUTF8Codec().encode(data, spec)
    theirs = numcodecs.VLenUTF8().encode(np.asarray(data.astype(object), order=order))
    assert ours == bytes(theirs)
    back = VLenUTF8Codec().decode(ours, spec)
    assert back.tolist() == data.tolist()


def test_missing_values_encode_as_empty_items(numcodecs):
    items = ["x", None, "y"]
    spec = ChunkSpec((3,), OBJECT)
    assert VLenUTF8Codec().encode(_objects(items), spec) == bytes(
        numcodecs.VLenUTF8().encode(_objects(items)))
    raw = [b"x", None, 0]
    assert VLenBytesCodec().encode(_objects(raw), spec) == bytes(
        numcodecs.VLenBytes().encode(_objects(raw)))


@pytest.mark.parametrize("codec, items, spec", [
    (VLenUTF8Codec(), [b"x"], ChunkSpec((1,), OBJECT)),
    (VLenUTF8Codec(), [3], ChunkSpec((1,), OBJECT)),
    (VLenBytesCodec(), ["x"], ChunkSpec((1,), OBJECT)),
])
def test_wrong_item_types_are_codec_errors(codec, items, spec):
    with pytest.raises(CodecError, match="expected"):
        codec.encode(_objects(items), spec)


def test_json_forms_match_zarr_python_and_numcodecs(zarr, numcodecs):
    from zarr.codecs import VLenBytesCodec as ZBytes
    from zarr.codecs import VLenUTF8Codec as ZUTF8

    assert VLenUTF8Codec().to_json_v3() == ZUTF8().to_dict()
    assert VLenBytesCodec().to_json_v3() == ZBytes().to_dict()
    assert VLenUTF8Codec().to_json_v2() == numcodecs.VLenUTF8().get_config()
    assert VLenBytesCodec().to_json_v2() == numcodecs.VLenBytes().get_config()
    assert isinstance(get_codec({"name": "vlen-utf8", "configuration": {}}), VLenUTF8Codec)
    assert isinstance(get_codec({"id": "vlen-bytes"}, 2), VLenBytesCodec)
    assert isinstance(get_codec(numcodecs.VLenUTF8()), VLenUTF8Codec)


def test_default_codecs_are_zarr_pythons():
    assert normalize_codecs(zarr_format=3, dtype=STRING, chunk_shape=(4,)) == (
        {"name": "vlen-utf8", "configuration": {}},
        {"name": "zstd", "configuration": {"level": 0, "checksum": False}},
    )
    assert normalize_codecs(zarr_format=3, dtype=OBJECT)[0] == {
        "name": "vlen-bytes", "configuration": {}}
    assert normalize_codecs(zarr_format=2, dtype=STRING) == (
        ({"id": "vlen-utf8"},), {"id": "zstd", "level": 0})
    assert normalize_codecs(zarr_format=2, dtype=OBJECT, filters=None, compressors=None) == (
        ({"id": "vlen-bytes"},), None)
    # given filters get the object codec first
    filters, _ = normalize_codecs(zarr_format=2, dtype=STRING, filters=[{"id": "zlib"}])
    assert filters == ({"id": "vlen-utf8"}, {"id": "zlib", "level": 1})


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize("dtype, data", [
    (STRING, _strings(["", "ab", "héllo wörld", "x" * 300, "∑", "z"], (2, 3))),
    (OBJECT, _objects([b"", b"\x00\x01", b"abc", b"x" * 300, b"\xff", b"z"], (2, 3))),
])
def test_pipeline_round_trip_matches_numcodecs_chain(numcodecs, fmt, dtype, data):
    spec = ChunkSpec((2, 3), dtype)
    obj_id = "vlen-utf8" if dtype.kind == "T" else "vlen-bytes"
    if fmt == 3:
        pipe = CodecPipeline.from_v3([{"name": obj_id}, {"name": "numcodecs.zlib"}], spec)
    else:
        pipe = CodecPipeline.from_v2([{"id": obj_id}], {"id": "zlib", "level": 1}, spec)
    stored = bytes(pipe.encode(data, "c/0"))
    nc = numcodecs.get_codec({"id": obj_id})
    expected = numcodecs.Zlib(1).encode(nc.encode(data.astype(object)))
    assert stored == bytes(expected)
    back = pipe.decode(stored, "c/0")
    assert back.dtype == dtype and back.tolist() == data.tolist()
    out = np.empty((2, 3), dtype=dtype)
    assert pipe.decode(stored, "c/0", out=out) is out and out.tolist() == data.tolist()


def _vlen(*items: bytes, count: int | None = None) -> bytes:
    head = struct.pack("<I", len(items) if count is None else count)
    return head + b"".join(struct.pack("<I", len(i)) + i for i in items)


@pytest.mark.parametrize("obj_id, data, match", [
    ("vlen-utf8", b"\x01\x00", "shorter than"),
    ("vlen-utf8", _vlen(b"a", b"b", count=3), "3 items, expected 2"),
    ("vlen-utf8", _vlen(b"a", b"b")[:-1], "item 1 claims 1 bytes, 0 remain"),
    ("vlen-bytes", _vlen(b"a", b"b")[:-3], "truncated at the length of item 1"),
    ("vlen-bytes", _vlen(b"a", b"b") + b"\x00", "1 bytes after the last item"),
    ("vlen-utf8", _vlen(b"a", b"\xff\xfe"), "invalid UTF-8"),
])
def test_corrupt_chunks_are_codec_errors_naming_the_key(obj_id, data, match):
    dtype = STRING if obj_id == "vlen-utf8" else OBJECT
    pipe = CodecPipeline.from_v3([{"name": obj_id}], ChunkSpec((2,), dtype))
    with pytest.raises(CodecError, match=match) as info:
        pipe.decode(data, "arr/c/3")
    assert "arr/c/3" in str(info.value) and obj_id in str(info.value)


@pytest.mark.parametrize("codecs, dtype", [
    ([{"name": "vlen-utf8"}], np.dtype("<i4")),
    ([{"name": "vlen-bytes"}], STRING),
    ([{"name": "bytes"}], STRING),
])
def test_wrong_dtype_for_serializer_is_a_metadata_error(codecs, dtype):
    with pytest.raises(MetadataError, match="cannot serialize"):
        CodecPipeline.from_v3(codecs, ChunkSpec((2,), dtype), "a/zarr.json")


def test_v2_object_codec_must_come_first():
    spec = ChunkSpec((2,), STRING)
    with pytest.raises((MetadataError, CodecError), match="vlen-utf8"):
        CodecPipeline.from_v2([{"id": "zlib"}, {"id": "vlen-utf8"}], None, spec, "a/.zarray")
