"""LZMA (zarrc.codecs.lzma) against numcodecs and the standard library."""

from __future__ import annotations

import lzma
import warnings

import pytest

from zarrc.codecs import LZMACodec, get_codec
from zarrc.errors import CodecError

CONFIGS = [
    {},
    {"preset": 1},
    {"preset": 9 | lzma.PRESET_EXTREME, "check": lzma.CHECK_SHA256},
    {"format": lzma.FORMAT_ALONE, "preset": 3},
    {"format": lzma.FORMAT_XZ, "check": lzma.CHECK_NONE},
    {
        "format": lzma.FORMAT_RAW,
        "filters": [{"id": lzma.FILTER_DELTA, "dist": 4}, {"id": lzma.FILTER_LZMA2, "preset": 2}],
    },
]


@pytest.mark.parametrize("config", CONFIGS, ids=range(len(CONFIGS)))
def test_byte_identical_to_numcodecs(numcodecs, config):
    for data in (b"", b"lzma " * 999, bytes(range(256)) * 40):
        ours = LZMACodec(**config).encode(data)
        assert ours == bytes(numcodecs.LZMA(**config).encode(data))
        assert bytes(LZMACodec(**config).decode(ours)) == data
        out = bytearray(len(data))
        assert LZMACodec(**config).decode(ours, out) is out and bytes(out) == data


def test_concatenated_xz_streams():
    joined = LZMACodec().encode(b"a" * 1000) + LZMACodec(preset=0).encode(b"b" * 10)
    assert LZMACodec().decode(joined) == lzma.decompress(joined) == b"a" * 1000 + b"b" * 10


def test_json_forms(numcodecs, zarr):
    from zarr.codecs.numcodecs import LZMA as ZarrLZMA

    for config in CONFIGS:
        ours = LZMACodec(**config)
        assert ours.to_json_v2() == numcodecs.LZMA(**config).get_config()
        assert get_codec(ours.to_json_v2(), 2) == ours
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = ZarrLZMA(**numcodecs.LZMA(**config).get_config()).to_dict()
        theirs["configuration"].pop("id", None)
        assert ours.to_json_v3() == theirs


@pytest.mark.parametrize(
    "bad",
    [
        {"format": 7},
        {"check": 3},
        {"preset": 10},
        {"filters": "lzma2"},
        {"format": lzma.FORMAT_RAW},
        {"preset": 1, "filters": [{"id": lzma.FILTER_LZMA2}]},
    ],
)
def test_configuration_is_validated(bad):
    with pytest.raises(CodecError, match="codec 'lzma'"):
        LZMACodec.from_config(bad)
