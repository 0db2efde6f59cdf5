"""bzip2 (zarrc.codecs.bz2) against numcodecs and the standard library."""

from __future__ import annotations

import bz2
import warnings

import pytest

from zarrc.codecs import BZ2Codec, get_codec
from zarrc.errors import CodecError


@pytest.mark.parametrize("level", [1, 5, 9])
def test_byte_identical_to_numcodecs(numcodecs, buffer, level):
    ours = BZ2Codec(level=level).encode(buffer)
    assert ours == bytes(numcodecs.BZ2(level=level).encode(buffer))
    assert bytes(BZ2Codec().decode(ours)) == bz2.decompress(ours) == buffer


def test_concatenated_streams_decode_like_bz2_decompress(numcodecs):
    joined = BZ2Codec().encode(b"one" * 100) + bytes(numcodecs.BZ2(level=9).encode(b"two" * 7))
    assert BZ2Codec().decode(joined) == bz2.decompress(joined)
    out = bytearray(321)
    assert BZ2Codec().decode(joined, out) == bytearray(b"one" * 100 + b"two" * 7)


def test_output_is_bounded_by_the_expected_size():
    encoded = BZ2Codec().encode(bytes(5_000_000))
    with pytest.raises(CodecError, match="exceeds the expected 100 bytes"):
        BZ2Codec().decode(encoded, bytearray(100))


def test_json_forms(numcodecs, zarr):
    from zarr.codecs.numcodecs import BZ2 as ZarrBZ2

    assert BZ2Codec(level=4).to_json_v2() == numcodecs.BZ2(level=4).get_config()
    assert get_codec({"id": "bz2"}, 2).to_json_v2() == numcodecs.BZ2().get_config()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert BZ2Codec(level=4).to_json_v3() == ZarrBZ2(level=4).to_dict()
    with pytest.raises(CodecError, match="'level'"):
        BZ2Codec(level=0)
