"""The astype filter (zarrc.codecs.astype) against numcodecs 0.16 and zarr-python 3."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrc.codecs import AsTypeCodec, ChunkSpec, get_codec
from zarrc.errors import CodecError

TYPES = ["|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u8", "<f2", "<f4", "<f8", ">f8",
         ">i4", "<c8"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TYPES), st.sampled_from(TYPES), st.data())
def test_encode_and_decode_are_byte_identical_to_numcodecs(numcodecs, enc_type, dec_type, data):
    n = data.draw(st.integers(0, 30))
    size = np.dtype(dec_type).itemsize
    x = np.frombuffer(data.draw(st.binary(min_size=n * size, max_size=n * size)), dec_type)
    theirs = numcodecs.AsType(encode_dtype=enc_type, decode_dtype=dec_type)
    ours = AsTypeCodec(encode_dtype=enc_type, decode_dtype=dec_type)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # casts of NaN / out-of-range values, complex -> real
        enc = theirs.encode(x)
        got = ours.encode(x)
        assert got.dtype == enc.dtype and got.tobytes() == enc.tobytes()
        dec, got = theirs.decode(enc), ours.decode(enc)
        assert got.dtype == dec.dtype and got.tobytes() == dec.tobytes()
    assert ours.to_json_v2() == theirs.get_config()


def test_chunk_shape_and_resolved_type():
    x = np.arange(12, dtype="<f8").reshape(3, 4) / 3
    codec = AsTypeCodec(encode_dtype="<f4", decode_dtype="<f8")
    spec = codec.resolve(ChunkSpec(x.shape, x.dtype))
    enc = codec.encode(x)
    assert enc.shape == spec.shape == (3, 4) and enc.dtype == spec.dtype == np.dtype("<f4")
    np.testing.assert_array_equal(codec.decode(enc), x.astype("<f4").astype("<f8"))


@pytest.mark.parametrize("config", [{"encode_dtype": "f4", "decode_dtype": "f8"},
                                    {"encode_dtype": "<f4"}])  # fmt: skip
def test_v3_config_equals_what_zarr_python_writes(zarr, config):
    from zarr.codecs.numcodecs import AsType

    store = zarr.storage.MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.create_array(store, shape=(6,), dtype="float64", filters=[AsType(**config)])
    written = json.loads(store._store_dict["zarr.json"].to_bytes())["codecs"][0]
    assert AsTypeCodec(**config).evolve(ChunkSpec((6,), "float64")).to_json_v3() == written
    assert get_codec(written).to_json_v3() == written


def test_registry_and_errors(numcodecs):
    config = {"id": "astype", "encode_dtype": "<i2", "decode_dtype": "<i8"}
    ours = get_codec(config, 2)
    assert isinstance(ours, AsTypeCodec) and ours.kind == "array_array"
    assert ours.to_json_v2() == numcodecs.get_codec(dict(config)).get_config()
    with pytest.raises(CodecError, match="'decode_dtype' is required"):
        AsTypeCodec(encode_dtype="<i2").to_json_v2()
    with pytest.raises(CodecError, match="'encode_dtype'"):
        AsTypeCodec(encode_dtype="bogus", decode_dtype="<i2")
