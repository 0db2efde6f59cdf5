"""Snappy (zarrc.codecs.snappy), zarrc's extension: the raw Snappy block format."""

from __future__ import annotations

import numpy as np
import pytest
import snappy

from zarrc.codecs import SnappyCodec, get_codec
from zarrc.codecs.snappy import _decoded_length
from zarrc.errors import CodecError


def test_raw_block_format_matches_python_snappy(buffer):
    ours = SnappyCodec().encode(buffer)
    assert ours == snappy.compress(buffer)
    assert snappy.uncompress(ours) == buffer
    assert bytes(SnappyCodec().decode(snappy.compress(buffer))) == buffer
    assert _decoded_length(np.frombuffer(ours, np.uint8)) == len(buffer)


def test_length_header_is_checked_before_decompressing():
    encoded = SnappyCodec().encode(bytes(300_000))
    assert encoded[:3] == bytes([0xE0, 0xA7, 0x12])  # varint 300000
    with pytest.raises(CodecError, match="stored length 300000 differs from the expected 12"):
        SnappyCodec().decode(encoded, bytearray(12))
    with pytest.raises(CodecError, match="corrupt length header"):
        SnappyCodec().decode(b"\xff\xff\xff\xff\xff\xff")


def test_names_mark_it_as_an_extension():
    assert SnappyCodec.name == "zarrc.snappy" and SnappyCodec.codec_id == "snappy"
    assert SnappyCodec().to_json_v3() == {"name": "zarrc.snappy"}
    assert SnappyCodec().to_json_v2() == {"id": "snappy"}
    assert isinstance(get_codec("snappy", 2), SnappyCodec)
    assert isinstance(get_codec({"name": "zarrc.snappy"}), SnappyCodec)
    with pytest.raises(CodecError, match="unknown configuration field 'level'"):
        SnappyCodec.from_config({"level": 1})
