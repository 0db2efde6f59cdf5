"""gzip and zlib (zarrc.codecs.deflate) against numcodecs and zarr-python 3."""

from __future__ import annotations

import gzip
import warnings
import zlib

import numpy as np
import pytest

from zarrc.codecs import GzipCodec, ZlibCodec, get_codec
from zarrc.errors import CodecError

LEVELS = [0, 1, 5, 9]


def _without_mtime(member: bytes) -> bytes:
    return member[:4] + member[8:]


@pytest.mark.parametrize("level", LEVELS)
def test_gzip_matches_numcodecs_except_mtime(numcodecs, buffer, level):
    ours = GzipCodec(level=level).encode(buffer)
    theirs = bytes(numcodecs.GZip(level=level).encode(buffer))
    assert _without_mtime(ours) == _without_mtime(theirs)
    assert ours[4:8] == b"\x00\x00\x00\x00"  # deterministic: equal chunks, equal bytes
    assert bytes(GzipCodec().decode(theirs)) == buffer
    assert bytes(numcodecs.GZip().decode(ours)) == buffer
    assert gzip.decompress(ours) == buffer


def test_gzip_reads_several_members_and_zero_padding(numcodecs):
    a, b = b"first member " * 20, b"second" * 50
    joined = bytes(numcodecs.GZip().encode(a)) + GzipCodec(level=9).encode(b) + b"\x00" * 7
    assert GzipCodec().decode(joined) == a + b
    out = bytearray(len(a + b))
    assert GzipCodec().decode(joined, out) is out and bytes(out) == a + b
    with pytest.raises(CodecError):
        GzipCodec().decode(joined + b"junk")


def test_gzip_detects_corrupt_crc():
    member = bytearray(GzipCodec().encode(b"payload" * 30))
    member[-8] ^= 0xFF  # CRC32 in the trailer
    with pytest.raises(CodecError, match="gzip"):
        GzipCodec().decode(bytes(member))


@pytest.mark.parametrize("level", [-1, 0, 1, 6, 9])
def test_zlib_is_byte_identical_to_numcodecs(numcodecs, buffer, level):
    ours = ZlibCodec(level=level).encode(buffer)
    assert ours == bytes(numcodecs.Zlib(level=level).encode(buffer))
    assert bytes(ZlibCodec().decode(ours)) == zlib.decompress(ours) == buffer


def test_inflate_stops_one_byte_past_the_expected_size():
    data = bytes(10_000_000)  # compresses ~1000:1
    for codec in (GzipCodec(), ZlibCodec()):
        encoded = codec.encode(data)
        with pytest.raises(CodecError, match="exceeds the expected 1000 bytes"):
            codec.decode(encoded, bytearray(1000))


def test_json_forms_match_zarr_python_and_numcodecs(numcodecs, zarr):
    from zarr.codecs import GzipCodec as ZarrGzip
    from zarr.codecs.numcodecs import GZip as ZarrNumcodecsGZip
    from zarr.codecs.numcodecs import Zlib as ZarrZlib

    for level in LEVELS:
        assert GzipCodec(level=level).to_json_v3() == ZarrGzip(level=level).to_dict()
        assert GzipCodec(level=level).to_json_v2() == numcodecs.GZip(level=level).get_config()
        assert ZlibCodec(level=level).to_json_v2() == numcodecs.Zlib(level=level).get_config()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert ZlibCodec(level=level).to_json_v3() == ZarrZlib(level=level).to_dict()
            nc_gzip = ZarrNumcodecsGZip(level=level).to_dict()
        assert get_codec(nc_gzip).to_json_v3() == nc_gzip
    assert ZarrGzip().to_dict() == GzipCodec().to_json_v3()  # v3 default level 5


def test_dialect_defaults_follow_numcodecs_for_v2(numcodecs):
    assert get_codec({"name": "gzip", "configuration": {}}).level == 5
    assert get_codec({"id": "gzip"}, 2).level == numcodecs.GZip().level == 1
    assert get_codec({"name": "numcodecs.gzip", "configuration": {}}).level == 1
    assert get_codec({"id": "zlib"}, 2).to_json_v2() == numcodecs.Zlib().get_config()


@pytest.mark.parametrize("bad", [10, -1, 2.0, "5", True])
def test_gzip_level_is_validated(bad):
    with pytest.raises(CodecError, match="'level'"):
        GzipCodec(level=bad)


def test_decode_of_ndarray_input():
    data = np.arange(1000, dtype="<i8")
    encoded = np.frombuffer(ZlibCodec().encode(data), np.uint8)
    assert ZlibCodec().decode(encoded) == data.tobytes()
