"""The packbits filter (zarrc.codecs.packbits) against numcodecs 0.16 and zarr-python 3."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrc.codecs import ChunkSpec, PackBitsCodec, get_codec
from zarrc.errors import CodecError


@settings(max_examples=300, deadline=None)
@given(st.lists(st.booleans(), max_size=100))
def test_encode_and_decode_are_byte_identical_to_numcodecs(numcodecs, values):
    x = np.array(values, dtype=bool)
    enc = numcodecs.PackBits().encode(x)
    got = PackBitsCodec().encode(x)
    assert got.dtype == enc.dtype and got.tobytes() == enc.tobytes()
    dec = numcodecs.PackBits().decode(enc)
    got = PackBitsCodec().decode(enc)
    assert got.dtype == dec.dtype and got.tobytes() == dec.tobytes()


def test_chunk_shape_resolves_like_zarr_python_and_decodes_back():
    x = np.random.default_rng(3).random((5, 7)) > 0.5
    spec = ChunkSpec(x.shape, bool)
    codec = PackBitsCodec().evolve(spec)
    assert codec.resolve(spec) == ChunkSpec((1 + math.ceil(35 / 8),), np.uint8)
    np.testing.assert_array_equal(codec.decode(codec.encode(x)), x)
    out = np.empty_like(x)
    assert codec.decode(codec.encode(x), out) is out
    np.testing.assert_array_equal(out, x)


def test_v3_config_equals_what_zarr_python_writes(zarr, numcodecs):
    from zarr.codecs.numcodecs import PackBits

    store = zarr.storage.MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.create_array(store, shape=(6,), dtype="bool", filters=[PackBits()])
    written = json.loads(store._store_dict["zarr.json"].to_bytes())["codecs"][0]
    assert PackBitsCodec().evolve(ChunkSpec((6,), bool)).to_json_v3() == written
    assert get_codec(written).to_json_v3() == written
    assert get_codec({"id": "packbits"}, 2).to_json_v2() == numcodecs.PackBits().get_config()


def test_errors():
    with pytest.raises(CodecError, match="bool array"):
        PackBitsCodec().evolve(ChunkSpec((3,), "<i4"))
    with pytest.raises(CodecError, match="padding"):
        PackBitsCodec().decode(np.array([9, 255], dtype=np.uint8))
    with pytest.raises(CodecError, match="unknown configuration field"):
        get_codec({"id": "packbits", "bits": 3}, 2)
