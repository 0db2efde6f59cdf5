"""LZ4 (zarrc.codecs.lz4) against numcodecs and zarr-python 3."""

from __future__ import annotations

import warnings

import lz4.block
import numpy as np
import pytest

from zarrc.codecs import LZ4Codec, get_codec
from zarrc.errors import CodecError


def _same_liblz4(numcodecs) -> bool:
    import numcodecs.lz4

    return numcodecs.lz4.__version__ == lz4.library_version_string()


@pytest.mark.parametrize("acceleration", [-3, 0, 1, 2, 17, 1000])
def test_same_format_as_numcodecs(numcodecs, buffer, acceleration):
    ours = LZ4Codec(acceleration=acceleration).encode(buffer)
    theirs = bytes(numcodecs.LZ4(acceleration=acceleration).encode(buffer))
    assert ours[:4] == theirs[:4] == len(buffer).to_bytes(4, "little")
    assert bytes(LZ4Codec().decode(theirs)) == buffer
    if buffer:  # numcodecs refuses a stored size of 0
        assert bytes(numcodecs.LZ4().decode(ours)) == buffer
    if _same_liblz4(numcodecs):  # the block itself depends on the liblz4 version
        assert ours == theirs
    # the block is LZ4_compress_fast's, with numcodecs' clamping of acceleration
    block = lz4.block.compress(buffer, mode="fast", acceleration=max(acceleration, 1))
    assert ours == block


def test_decodes_numcodecs_output(numcodecs):
    data = np.linspace(0, 1, 40000).tobytes()
    out = np.empty(len(data), np.uint8)
    LZ4Codec().decode(bytes(numcodecs.LZ4().encode(data)), out)
    assert out.tobytes() == data


def test_stored_size_is_checked_before_decompressing(monkeypatch):
    encoded = LZ4Codec().encode(bytes(500_000))

    def must_not_run(*args, **kwargs):
        raise AssertionError("decompressed despite the size mismatch")

    monkeypatch.setattr(lz4.block, "decompress", must_not_run)
    with pytest.raises(CodecError, match="stored size 500000 differs from the expected 400"):
        LZ4Codec().decode(encoded, bytearray(400))


def test_corrupt_size_header():
    with pytest.raises(CodecError, match="corrupt size header"):
        LZ4Codec().decode(b"\xff\xff\xff\xff" + b"\x00" * 10)


def test_json_forms(numcodecs, zarr):
    from zarr.codecs.numcodecs import LZ4 as ZarrLZ4

    for acceleration in (1, 5):
        ours = LZ4Codec(acceleration=acceleration)
        assert ours.to_json_v2() == numcodecs.LZ4(acceleration=acceleration).get_config()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert ours.to_json_v3() == ZarrLZ4(acceleration=acceleration).to_dict()
    assert get_codec("lz4", 3) == LZ4Codec()
    assert get_codec({"id": "lz4"}, 2) == LZ4Codec()
