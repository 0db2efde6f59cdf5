"""The delta filter (zarrc.codecs.delta) against numcodecs 0.16 and zarr-python 3."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zarrc.codecs.delta as delta_module
from zarrc.codecs import ChunkSpec, DeltaCodec, get_codec
from zarrc.errors import CodecError

DTYPES = ["|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "<f2", "<f4", "<f8",
          ">i2", ">i4", ">u8", ">f4", ">f8"]  # fmt: skip


def _oracle(fn, *args):
    """numcodecs' result, or the exception it raises (casts may warn: that is fine)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return fn(*args)
        except (OverflowError, ValueError, TypeError) as exc:
            return exc


@st.composite
def configs_and_data(draw):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    astype = np.dtype(draw(st.sampled_from([None, *DTYPES])) or dtype)
    n = draw(st.integers(1, 40))
    raw = draw(st.binary(min_size=n * dtype.itemsize, max_size=n * dtype.itemsize))
    return dtype, astype, np.frombuffer(raw, dtype=dtype)


@settings(max_examples=300, deadline=None)
@given(configs_and_data())
def test_encode_and_decode_are_byte_identical_to_numcodecs(numcodecs, case):
    dtype, astype, data = case
    theirs = numcodecs.Delta(dtype=dtype, astype=astype)
    ours = DeltaCodec(dtype=dtype.str, astype=astype.str)
    expected = _oracle(theirs.encode, data)
    if isinstance(expected, Exception):
        with pytest.raises(CodecError):
            ours.encode(data)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            got = ours.encode(data)
        assert got.dtype == expected.dtype
        assert got.tobytes() == expected.tobytes()
    # decoding: arbitrary encoded bytes, as numcodecs decodes them
    enc = np.frombuffer(data.tobytes()[: data.nbytes // astype.itemsize * astype.itemsize],
                        dtype=astype)  # fmt: skip
    expected = _oracle(theirs.decode, enc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = ours.decode(enc)
    assert got.dtype == expected.dtype
    assert got.tobytes() == expected.tobytes()


@pytest.mark.parametrize("dtype", ["|i1", "<u2", "<i4", "<u8", "<f4", ">f8", ">i8"])
def test_same_type_runs_in_the_native_kernel(numcodecs, monkeypatch, dtype):
    calls = []
    for name in ("_kernel_encode", "_kernel_decode"):
        kernel = getattr(delta_module, name)
        monkeypatch.setattr(delta_module, name,
                            lambda s, d, k=kernel, n=name: (calls.append(n), k(s, d)))  # fmt: skip
    data = (np.arange(1000) * 7 % 251).astype(dtype)
    codec = DeltaCodec(dtype=dtype)
    enc = codec.encode(data)
    assert enc.tobytes() == numcodecs.Delta(dtype=dtype).encode(data).tobytes()
    np.testing.assert_array_equal(codec.decode(enc), data)
    assert calls == ["_kernel_encode", "_kernel_decode"]


def test_chunk_shape_is_kept_and_decode_fills_out():
    arr = np.arange(24, dtype="<i4").reshape(2, 3, 4) ** 2
    codec = DeltaCodec(dtype="<i4", astype="<i2")
    spec = codec.resolve(ChunkSpec(arr.shape, arr.dtype))
    enc = codec.encode(arr)
    assert enc.shape == spec.shape == arr.shape and enc.dtype == spec.dtype == np.dtype("<i2")
    out = np.empty_like(arr)
    assert codec.decode(enc, out) is out
    np.testing.assert_array_equal(out, arr)


def test_empty_chunk_round_trips():
    codec = DeltaCodec(dtype="<f8")
    enc = codec.encode(np.empty(0, "<f8"))
    assert enc.size == 0 and codec.decode(enc).size == 0


@pytest.mark.parametrize("config", [{"dtype": "<i4"}, {"dtype": "i2", "astype": "<i1"},
                                    {"dtype": ">f8", "astype": "<f4"}])  # fmt: skip
def test_v2_config_equals_numcodecs_get_config(numcodecs, config):
    ours = get_codec({"id": "delta", **config}, 2)
    assert isinstance(ours, DeltaCodec)
    assert ours.to_json_v2() == numcodecs.Delta(**config).get_config()
    assert get_codec(numcodecs.Delta(**config)) == ours


@pytest.mark.parametrize("config", [{"dtype": "<i4"}, {"dtype": "i4", "astype": "i2"}])
def test_v3_config_equals_what_zarr_python_writes(zarr, config):
    from zarr.codecs.numcodecs import Delta

    store = zarr.storage.MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.create_array(store, shape=(6,), dtype="int32", filters=[Delta(**config)])
    written = json.loads(store._store_dict["zarr.json"].to_bytes())["codecs"][0]
    ours = DeltaCodec(**config).evolve(ChunkSpec((6,), "int32"))
    assert ours.to_json_v3() == written
    assert get_codec(written).to_json_v3() == written
    assert DeltaCodec(**config).kind == "array_array"


def test_bad_configuration_is_a_codec_error():
    with pytest.raises(CodecError, match="'dtype'"):
        get_codec({"id": "delta"}, 2)
    with pytest.raises(CodecError, match="'astype'"):
        DeltaCodec(dtype="<i4", astype="nonsense")
    with pytest.raises(CodecError, match="object"):
        DeltaCodec(dtype="|O")
