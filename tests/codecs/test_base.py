"""The codec contract (zarrc.codecs.base), checked on every built-in bytes→bytes codec.

Oracles: the input itself (round trips), NumPy (memory layouts), and the registry's own
parsing of the JSON the codecs write.
"""

from __future__ import annotations

import lzma
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrc.codecs import (
    BloscCodec,
    BZ2Codec,
    ChunkSpec,
    Crc32cCodec,
    GzipCodec,
    LZ4Codec,
    LZMACodec,
    SnappyCodec,
    ZlibCodec,
    ZstdCodec,
    get_codec,
)
from zarrc.codecs.base import (
    BytesBytesCodec,
    Codec,
    as_byte_array,
    buffer_itemsize,
    check_bool,
    check_choice,
    check_int,
)
from zarrc.errors import ChecksumError, CodecError

CODECS = [
    GzipCodec(level=1),
    GzipCodec(level=9),
    ZlibCodec(level=6),
    ZstdCodec(),
    ZstdCodec(level=-3, checksum=True),
    LZ4Codec(),
    LZ4Codec(acceleration=10),
    BloscCodec(typesize=4, cname="lz4", shuffle="shuffle"),
    BloscCodec(typesize=8, cname="zstd", clevel=9, shuffle="bitshuffle", blocksize=4096),
    BloscCodec(typesize=1, cname="blosclz", shuffle="noshuffle"),
    BloscCodec(typesize=2, cname="lz4hc", clevel=1, shuffle="shuffle"),
    BloscCodec(typesize=4, cname="zlib", clevel=3, shuffle="shuffle"),
    BZ2Codec(level=9),
    LZMACodec(),
    LZMACodec(format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2, "preset": 1}]),
    Crc32cCodec(),
    Crc32cCodec(location="start"),
    SnappyCodec(),
]
IDS = [f"{c.name}-{i}" for i, c in enumerate(CODECS)]
#: codecs whose output carries no structure to reject garbage by (decoded without size)
NO_MAGIC = (SnappyCodec,)


@pytest.fixture(params=CODECS, ids=IDS)
def codec(request) -> BytesBytesCodec:
    return request.param


# -- ChunkSpec and helpers ----------------------------------------------------------------------
def test_chunk_spec_normalizes_and_derives_sizes():
    spec = ChunkSpec([3, np.int64(4)], "<i2", "F", fill_value=7)
    assert spec.shape == (3, 4) and isinstance(spec.shape[1], int)
    assert spec.dtype == np.dtype("<i2")
    assert (spec.ndim, spec.size, spec.nbytes) == (2, 12, 24)
    assert ChunkSpec((3, 4), "<i2", "F", fill_value=np.nan) == spec  # fill value not compared
    with pytest.raises(ValueError, match="order"):
        ChunkSpec((1,), "u1", "K")


def test_as_byte_array_keeps_memory_order_without_copying():
    arr = np.asfortranarray(np.arange(12, dtype="<u2").reshape(3, 4))
    view = as_byte_array(arr)
    assert view.dtype == np.uint8 and view.ndim == 1
    assert np.shares_memory(view, arr)
    assert view.tobytes() == arr.tobytes(order="F")
    strided = np.arange(20, dtype="<i4")[::2]
    assert as_byte_array(strided).tobytes() == strided.tobytes()
    assert as_byte_array(memoryview(b"xyz")).tobytes() == b"xyz"
    dt = np.array(["2020-01-01"], dtype="M8[D]")
    assert as_byte_array(dt).tobytes() == dt.tobytes()
    with pytest.raises(CodecError):
        as_byte_array(np.array([object()]))


def test_buffer_itemsize_is_what_numcodecs_sees():
    assert buffer_itemsize(b"abc") == 1
    assert buffer_itemsize(np.zeros(3, "<f8")) == 8
    assert buffer_itemsize(np.zeros(3, "M8[s]")) == 8
    assert buffer_itemsize(memoryview(np.zeros(3, "<i2"))) == 2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: check_int("c", "level", True), "'level' must be an integer"),
        (lambda: check_int("c", "level", 1.5), "'level' must be an integer"),
        (lambda: check_int("c", "level", 10, 0, 9), r"'level' must be in \[0, 9\]"),
        (lambda: check_bool("c", "checksum", 1), "'checksum' must be true or false"),
        (lambda: check_choice("c", "cname", "lz5", ("lz4",)), "'cname' must be one of"),
    ],
)
def test_validators_name_codec_and_field(call, message):
    with pytest.raises(CodecError, match=message) as info:
        call()
    assert "codec 'c'" in str(info.value)
    assert check_int("c", "level", np.int32(3), 0, 9) == 3


def test_codec_id_defaults_to_name_and_unknown_fields_are_named():
    class Rle(BytesBytesCodec):
        name = "test.rle"

    assert Rle.codec_id == "test.rle"
    assert Rle.kind == "bytes_bytes"
    with pytest.raises(CodecError, match="unknown configuration field 'width'"):
        Rle.from_config({"width": 2})
    with pytest.raises(CodecError, match=r"codec 'zstd'.*unknown configuration field 'levle'"):
        ZstdCodec.from_config({"levle": 3})
    with pytest.raises(CodecError, match="'level'"):
        ZstdCodec.from_config({"level": "high"})
    assert Rle().to_json_v3() == {"name": "test.rle"}
    assert Rle().to_json_v2() == {"id": "test.rle"}


def test_equality_and_hash_follow_configuration():
    assert ZstdCodec(level=3) == ZstdCodec(level=3)
    assert ZstdCodec(level=3) != ZstdCodec(level=4)
    assert ZstdCodec() != GzipCodec()
    assert len({ZstdCodec(level=3), ZstdCodec(level=3), ZstdCodec()}) == 2
    assert repr(ZstdCodec(level=3)) == "ZstdCodec(level=3, checksum=False)"


# -- the bytes→bytes contract, on every codec ------------------------------------------------
def test_round_trip(codec, buffer):
    encoded = codec.encode(buffer)
    assert bytes(as_byte_array(codec.decode(encoded))) == buffer


def test_decode_into_out(codec, buffer):
    encoded = codec.encode(buffer)
    for out in (bytearray(len(buffer)), np.empty(len(buffer), np.uint8)):
        result = codec.decode(encoded, out)
        assert result is out
        assert bytes(out) == buffer
    if buffer:
        out2d = np.empty((len(buffer), 1), np.uint8)  # any contiguous buffer of the right size
        codec.decode(encoded, out2d)
        assert out2d.tobytes() == buffer


def test_wrong_out_size_is_an_error(codec):
    data = b"0123456789" * 50
    encoded = codec.encode(data)
    for size in (len(data) - 1, len(data) + 1, 0):
        with pytest.raises(CodecError):
            codec.decode(encoded, bytearray(size))


def test_truncated_input_is_an_error(codec):
    data = np.arange(3000, dtype="<u4").tobytes()
    encoded = codec.encode(data)
    for cut in (encoded[:-1], encoded[: len(encoded) // 2], encoded[:3]):
        with pytest.raises(CodecError):
            codec.decode(cut, bytearray(len(data)))
        if not isinstance(codec, NO_MAGIC):
            with pytest.raises(CodecError):
                codec.decode(cut)


def test_garbage_input_is_an_error(codec):
    garbage = np.random.default_rng(5).bytes(700)
    with pytest.raises(CodecError):
        codec.decode(garbage, bytearray(1000))
    if not isinstance(codec, NO_MAGIC):
        with pytest.raises(CodecError):
            codec.decode(garbage)


def test_encode_accepts_any_bytes_like(codec):
    arr = np.asfortranarray(np.arange(600, dtype="<i4").reshape(20, 30))
    raw = arr.tobytes(order="F")
    expected = bytes(codec.encode(raw))
    assert bytes(codec.encode(arr)) == expected
    assert bytes(codec.encode(bytearray(raw))) == expected
    assert bytes(codec.encode(memoryview(raw))) == expected


def test_read_only_out_is_rejected(codec):
    encoded = codec.encode(b"abcdef")
    with pytest.raises(CodecError):
        codec.decode(encoded, b"\x00" * 6)


def test_json_forms_parse_back_to_an_equal_codec(codec):
    assert get_codec(codec.to_json_v3(), 3) == codec
    # the v2 form is a fixed point (blosc's typesize is not part of it, as in numcodecs)
    v2 = codec.to_json_v2()
    assert get_codec(v2, 2).to_json_v2() == v2


def test_threads_agree_with_serial(codec):
    rng = np.random.default_rng(9)
    inputs = [rng.integers(0, 9, n, dtype="<u2").tobytes() for n in (0, 10, 5000, 20000) * 3]
    serial = [bytes(codec.encode(b)) for b in inputs]

    def work(i):
        enc = bytes(codec.encode(inputs[i]))
        out = bytearray(len(inputs[i]))
        codec.decode(enc, out)
        return enc, bytes(out)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(len(inputs))))
    assert [r[0] for r in results] == serial
    assert [r[1] for r in results] == inputs


@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=3000), index=st.integers(0, len(CODECS) - 1))
def test_round_trip_property(data, index):
    codec = CODECS[index]
    encoded = codec.encode(data)
    assert bytes(as_byte_array(codec.decode(encoded))) == data
    out = np.empty(len(data), np.uint8)
    codec.decode(encoded, out)
    assert out.tobytes() == data


def test_checksum_error_is_a_codec_error():
    assert issubclass(ChecksumError, CodecError)
    assert issubclass(CodecError, ValueError)


def test_codec_base_rejects_configuration():
    with pytest.raises(CodecError, match="unknown configuration field 'x'"):
        Codec(x=1)
