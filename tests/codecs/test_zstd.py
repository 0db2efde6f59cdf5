"""zstd (zarrc.codecs.zstd) against numcodecs, zarr-python 3 and the frame format."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import zstandard

from zarrc.codecs import ZstdCodec, get_codec
from zarrc.codecs.zstd import _walk_frames
from zarrc.errors import CodecError

SMALL_LEVELS = [-5, 0, 1, 3, 9, 19, 22]


def _same_libzstd(numcodecs) -> bool:
    import numcodecs.zstd

    return numcodecs.zstd.__version__ == ".".join(map(str, zstandard.ZSTD_VERSION))


@pytest.mark.parametrize("level", SMALL_LEVELS)
@pytest.mark.parametrize("checksum", [False, True])
def test_same_frames_as_numcodecs(numcodecs, level, checksum):
    rng = np.random.default_rng(level + 10)
    for data in (b"x", rng.integers(0, 30, 20000, dtype="<u2").tobytes(), rng.bytes(999)):
        ours = ZstdCodec(level=level, checksum=checksum).encode(data)
        theirs = bytes(numcodecs.Zstd(level=level, checksum=checksum).encode(data))
        # same frame header (magic, content size, checksum flag) whatever the libzstd version
        ours_p, theirs_p = map(zstandard.get_frame_parameters, (ours, theirs))
        assert (ours_p.content_size, ours_p.has_checksum, ours_p.dict_id) == (
            theirs_p.content_size,
            theirs_p.has_checksum,
            theirs_p.dict_id,
        )
        assert ours[:4] == theirs[:4] == b"\x28\xb5\x2f\xfd"
        assert bytes(numcodecs.Zstd().decode(ours)) == data
        if _same_libzstd(numcodecs):  # the blocks depend on the libzstd version
            assert ours == theirs


def test_cross_decoding_with_numcodecs(numcodecs, buffer):
    ours = ZstdCodec(level=5).encode(buffer)
    assert bytes(ZstdCodec().decode(bytes(numcodecs.Zstd(level=5).encode(buffer)))) == buffer
    if buffer:  # numcodecs refuses frames whose content size is 0
        assert bytes(numcodecs.Zstd().decode(ours)) == buffer


def test_frame_carries_content_size_and_checksum_flag():
    data = b"content" * 100
    plain = zstandard.get_frame_parameters(ZstdCodec().encode(data))
    checked = zstandard.get_frame_parameters(ZstdCodec(checksum=True).encode(data))
    assert plain.content_size == checked.content_size == len(data)
    assert (plain.has_checksum, checked.has_checksum) == (False, True)


def test_checksum_mismatch_is_detected():
    encoded = bytearray(ZstdCodec(checksum=True).encode(np.arange(4000).tobytes()))
    encoded[-1] ^= 0xFF
    with pytest.raises(CodecError):
        ZstdCodec().decode(bytes(encoded), bytearray(32000))


def test_several_frames_decode_like_numcodecs(numcodecs):
    a, b = b"frame one " * 50, bytes(range(256)) * 3
    joined = ZstdCodec().encode(a) + ZstdCodec(level=7, checksum=True).encode(b)
    assert _walk_frames(joined) == (2, len(a + b))  # both frames declare their sizes
    assert ZstdCodec().decoded_bound(joined) == len(a + b)
    assert bytes(ZstdCodec().decode(joined)) == a + b == bytes(numcodecs.Zstd().decode(joined))
    out = np.empty(len(a + b), np.uint8)
    ZstdCodec().decode(joined, out)
    assert out.tobytes() == a + b


def test_frames_without_content_size_are_streamed():
    data = b"streamed " * 1000
    encoded = zstandard.ZstdCompressor(write_content_size=False).compress(data)
    assert zstandard.frame_content_size(encoded) == -1
    assert ZstdCodec().decode(encoded) == data
    out = bytearray(len(data))
    ZstdCodec().decode(encoded, out)
    assert out == data


def test_declared_size_is_checked_before_decompressing(monkeypatch):
    encoded = ZstdCodec().encode(bytes(1_000_000))

    def must_not_run(*args, **kwargs):
        raise AssertionError("decompressed despite the size mismatch")

    monkeypatch.setattr(zstandard.ZstdDecompressor, "stream_reader", must_not_run)
    with pytest.raises(CodecError, match="frame declares 1000000 bytes, expected 10"):
        ZstdCodec().decode(encoded, bytearray(10))


def test_skippable_frames_are_ignored():
    skippable = (0x184D2A50).to_bytes(4, "little") + (3).to_bytes(4, "little") + b"abc"
    encoded = skippable + ZstdCodec().encode(b"data!")
    assert ZstdCodec().decode(encoded, bytearray(5)) == bytearray(b"data!")


def test_json_forms_match_zarr_python_and_numcodecs(numcodecs, zarr):
    from zarr.codecs import ZstdCodec as ZarrZstd

    for level, checksum in [(0, False), (3, True), (-2, False), (22, True)]:
        ours = ZstdCodec(level=level, checksum=checksum)
        assert ours.to_json_v3() == ZarrZstd(level=level, checksum=checksum).to_dict()
        assert ours.to_json_v2() == numcodecs.Zstd(level=level, checksum=checksum).get_config()
    assert get_codec({"id": "zstd", "level": 4}, 2) == ZstdCodec(level=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapped = zarr.codecs.numcodecs.Zstd(level=2).to_dict()
    assert wrapped == {"name": "numcodecs.zstd", "configuration": {"level": 2}}
    codec = get_codec(wrapped)
    assert codec == ZstdCodec(level=2) and codec.to_json_v3() == wrapped


@pytest.mark.parametrize("bad", [{"level": 23}, {"level": "3"}, {"checksum": 1}])
def test_configuration_is_validated(bad):
    with pytest.raises(CodecError, match="zstd"):
        ZstdCodec.from_config(bad)
