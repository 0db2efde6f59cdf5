"""The bitround filter (zarrc.codecs.bitround) against numcodecs 0.16 and zarr-python 3."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrc.codecs import BitRoundCodec, ChunkSpec, get_codec
from zarrc.codecs.bitround import MANTISSA_BITS
from zarrc.errors import CodecError


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["<f2", "<f4", "<f8"]), st.data())
def test_encode_is_byte_identical_to_numcodecs(numcodecs, dtype, data):
    size = np.dtype(dtype).itemsize
    keepbits = data.draw(st.integers(0, MANTISSA_BITS[size]))
    n = data.draw(st.integers(0, 40))
    x = np.frombuffer(data.draw(st.binary(min_size=n * size, max_size=n * size)), dtype)
    enc = numcodecs.BitRound(keepbits=keepbits).encode(x)
    ours = BitRoundCodec(keepbits=keepbits)
    got = ours.encode(x)
    assert got.tobytes() == enc.tobytes()
    dec = ours.decode(got)
    assert (
        dec.dtype == x.dtype and dec.tobytes() == numcodecs.BitRound(keepbits).decode(enc).tobytes()
    )


def test_big_endian_is_rounded_by_value():
    x = np.linspace(-3, 7, 50)
    ours = BitRoundCodec(keepbits=9)
    np.testing.assert_array_equal(ours.encode(x.astype(">f8")), ours.encode(x))


def test_v3_config_equals_what_zarr_python_writes(zarr, numcodecs):
    from zarr.codecs.numcodecs import BitRound

    store = zarr.storage.MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.create_array(store, shape=(6,), dtype="float32", filters=[BitRound(keepbits=7)])
    written = json.loads(store._store_dict["zarr.json"].to_bytes())["codecs"][0]
    assert BitRoundCodec(keepbits=7).evolve(ChunkSpec((6,), "float32")).to_json_v3() == written
    assert get_codec(written).to_json_v3() == written
    ours = get_codec({"id": "bitround", "keepbits": 7}, 2)
    assert ours.to_json_v2() == numcodecs.BitRound(keepbits=7).get_config()


def test_errors():
    with pytest.raises(CodecError, match="exceeds the 23 mantissa bits"):
        BitRoundCodec(keepbits=24).evolve(ChunkSpec((2,), "<f4"))
    with pytest.raises(CodecError, match="exceeds"):
        BitRoundCodec(keepbits=11).encode(np.zeros(3, "<f2"))
    with pytest.raises(CodecError, match="float16/32/64"):
        BitRoundCodec(keepbits=3).encode(np.zeros(3, "<i4"))
    with pytest.raises(CodecError, match="'keepbits'"):
        BitRoundCodec(keepbits=-1)
