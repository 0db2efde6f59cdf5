"""CRC-32C (zarrc.codecs.crc32c): known vectors, numcodecs and zarr-python 3 layouts."""

from __future__ import annotations

import asyncio
import warnings

import numpy as np
import pytest

from zarrc.codecs import Crc32cCodec, get_codec
from zarrc.codecs.crc32c import crc32c
from zarrc.errors import ChecksumError, CodecError

# RFC 3720 appendix B.4 and the common "check" value of CRC-32C
VECTORS = [
    (b"123456789", 0xE3069283),
    (bytes(32), 0x8A9136AA),
    (b"\xff" * 32, 0x62A8AB43),
    (bytes(range(32)), 0x46DD794E),
    (b"", 0x00000000),
]


@pytest.mark.parametrize(("data", "value"), VECTORS)
def test_known_vectors(data, value):
    assert crc32c(data) == value
    assert Crc32cCodec().encode(data) == data + value.to_bytes(4, "little")
    assert Crc32cCodec(location="start").encode(data) == value.to_bytes(4, "little") + data


def test_byte_identical_to_numcodecs(numcodecs, buffer):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for location in ("start", "end"):
            theirs = numcodecs.CRC32C(location=location)
            ours = Crc32cCodec(location=location)
            assert ours.encode(buffer) == bytes(theirs.encode(buffer))
            assert bytes(ours.decode(bytes(theirs.encode(buffer)))) == buffer
        assert Crc32cCodec().encode(buffer) == bytes(numcodecs.CRC32C().encode(buffer))


def test_byte_identical_to_zarr_python_v3(zarr, buffer):
    from zarr.codecs import Crc32cCodec as ZarrCrc32c
    from zarr.core.array_spec import ArrayConfig, ArraySpec
    from zarr.core.buffer import default_buffer_prototype
    from zarr.core.dtype import UInt8

    proto = default_buffer_prototype()
    spec = ArraySpec(
        shape=(len(buffer),),
        dtype=UInt8(),
        fill_value=0,
        config=ArrayConfig(order="C", write_empty_chunks=True),
        prototype=proto,
    )
    encoded = asyncio.run(ZarrCrc32c()._encode_single(proto.buffer.from_bytes(buffer), spec))
    assert Crc32cCodec().encode(buffer) == encoded.to_bytes()


def test_mismatch_raises_checksum_error():
    encoded = bytearray(Crc32cCodec().encode(b"precious data"))
    encoded[0] ^= 1
    with pytest.raises(ChecksumError, match=r"crc32c.*stored 0x[0-9a-f]{8}, computed"):
        Crc32cCodec().decode(bytes(encoded))
    with pytest.raises(CodecError, match="too short"):
        Crc32cCodec().decode(b"abc")


def test_decode_is_a_view_and_into_out_copies():
    encoded = np.frombuffer(Crc32cCodec().encode(b"abcdef"), np.uint8)
    payload = Crc32cCodec().decode(encoded)
    assert np.shares_memory(payload, encoded) and bytes(payload) == b"abcdef"
    out = bytearray(6)
    assert Crc32cCodec().decode(encoded, out) is out and out == b"abcdef"
    assert Crc32cCodec().encoded_size(10) == 14


def test_json_forms(numcodecs, zarr):
    from zarr.codecs import Crc32cCodec as ZarrCrc32c

    assert Crc32cCodec().to_json_v3() == ZarrCrc32c().to_dict() == {"name": "crc32c"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for kwargs in ({}, {"location": "end"}, {"location": "start"}):
            nc = numcodecs.CRC32C(**kwargs)
            assert Crc32cCodec(**kwargs).to_json_v2() == nc.get_config()
            assert get_codec(nc.get_config(), 2).to_json_v2() == nc.get_config()
    numcodecs_name = get_codec({"name": "numcodecs.crc32c", "configuration": {}})
    assert numcodecs_name.to_json_v3() == {"name": "numcodecs.crc32c", "configuration": {}}
    with pytest.raises(CodecError, match="'location'"):
        Crc32cCodec(location="middle")
