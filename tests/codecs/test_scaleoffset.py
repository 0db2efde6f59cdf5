"""fixedscaleoffset and quantize (zarrc.codecs.scaleoffset) against numcodecs and zarr-python 3."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrc.codecs import ChunkSpec, FixedScaleOffsetCodec, QuantizeCodec, get_codec
from zarrc.errors import CodecError

FLOATS = ["<f2", "<f4", "<f8", ">f8"]
TYPES = ["|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", *FLOATS]


def _same(got, expected):
    assert got.dtype == expected.dtype
    assert got.tobytes() == expected.tobytes()


def _quiet():
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore", RuntimeWarning)
    return ctx


@st.composite
def scaleoffset_cases(draw):
    dtype = np.dtype(draw(st.sampled_from(TYPES)))
    astype = draw(st.sampled_from([None, *TYPES]))
    number = st.one_of(st.integers(-1000, 1000), st.floats(-1e3, 1e3, allow_nan=False))
    offset, scale = draw(number), draw(number.filter(lambda x: x != 0))
    n = draw(st.integers(0, 30))
    raw = draw(st.binary(min_size=n * dtype.itemsize, max_size=n * dtype.itemsize))
    return dict(offset=offset, scale=scale, dtype=dtype.str, astype=astype), raw


@settings(max_examples=300, deadline=None)
@given(scaleoffset_cases())
def test_fixedscaleoffset_is_byte_identical_to_numcodecs(numcodecs, case):
    config, raw = case
    theirs = numcodecs.FixedScaleOffset(**config)
    ours = FixedScaleOffsetCodec(**config)
    data = np.frombuffer(raw, dtype=config["dtype"])
    ctx = _quiet()
    try:
        try:
            enc = theirs.encode(data)
        except OverflowError:  # NEP 50: an offset or scale outside an integer dtype
            with pytest.raises(CodecError):
                ours.encode(data)
        else:
            _same(ours.encode(data), enc)
            _same(ours.decode(enc), theirs.decode(enc))
    finally:
        ctx.__exit__(None, None, None)
    assert ours.to_json_v2() == theirs.get_config()


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(FLOATS), st.sampled_from([None, *FLOATS]), st.integers(-3, 12),
       st.lists(st.floats(width=16) | st.floats(-1e6, 1e6), max_size=30))  # fmt: skip
def test_quantize_is_byte_identical_to_numcodecs(numcodecs, dtype, astype, digits, values):
    theirs = numcodecs.Quantize(digits=digits, dtype=dtype, astype=astype)
    ours = QuantizeCodec(digits=digits, dtype=dtype, astype=astype)
    ctx = _quiet()
    try:
        data = np.array(values, dtype=dtype)
        enc = theirs.encode(data)
        _same(ours.encode(data), enc)
        _same(ours.decode(enc), theirs.decode(enc))
    finally:
        ctx.__exit__(None, None, None)
    assert ours.to_json_v2() == theirs.get_config()


def test_chunks_keep_their_shape_and_resolve_to_astype():
    x = np.linspace(1000, 1001, 12).reshape(3, 4)
    codec = FixedScaleOffsetCodec(offset=1000, scale=10, dtype="<f8", astype="u1")
    spec = codec.resolve(ChunkSpec(x.shape, x.dtype))
    enc = codec.encode(x)
    assert enc.shape == spec.shape == (3, 4) and enc.dtype == spec.dtype == np.dtype("u1")
    out = np.empty_like(x)
    assert codec.decode(enc, out) is out
    np.testing.assert_allclose(out, x, atol=0.05)


@pytest.mark.parametrize(
    "cls_name, config",
    [
        ("FixedScaleOffset", {"offset": 1, "scale": 10}),
        ("FixedScaleOffset", {"offset": 1.5, "scale": 4, "dtype": "f8", "astype": "i4"}),
        ("Quantize", {"digits": 2}),
        ("Quantize", {"digits": 3, "dtype": "<f8"}),
    ],
)
def test_v3_config_equals_what_zarr_python_writes(zarr, cls_name, config):
    import zarr.codecs.numcodecs as wrappers

    store = zarr.storage.MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.create_array(store, shape=(6,), dtype="float64",
                          filters=[getattr(wrappers, cls_name)(**config)])  # fmt: skip
    written = json.loads(store._store_dict["zarr.json"].to_bytes())["codecs"][0]
    cls = FixedScaleOffsetCodec if cls_name == "FixedScaleOffset" else QuantizeCodec
    assert cls(**config).evolve(ChunkSpec((6,), "float64")).to_json_v3() == written
    assert get_codec(written).to_json_v3() == written


def test_registry_names_and_v2_forms(numcodecs):
    for config in ({"id": "fixedscaleoffset", "offset": 0, "scale": 2.5, "dtype": "<f4"},
                   {"id": "quantize", "digits": 4, "dtype": "<f8", "astype": "<f4"}):  # fmt: skip
        ours = get_codec(config, 2)
        assert ours.kind == "array_array"
        assert ours.to_json_v2() == numcodecs.get_codec(dict(config)).get_config()
        assert get_codec(numcodecs.get_codec(dict(config))) == ours


def test_bad_configuration_is_a_codec_error():
    with pytest.raises(CodecError, match="'scale'"):
        FixedScaleOffsetCodec(offset=0, scale="10", dtype="<f8")
    with pytest.raises(CodecError, match="'offset'"):
        FixedScaleOffsetCodec(offset=True, scale=1, dtype="<f8")
    with pytest.raises(CodecError, match="float"):
        QuantizeCodec(digits=2, dtype="<i4")
    with pytest.raises(CodecError, match="'dtype' is required"):
        FixedScaleOffsetCodec(offset=0, scale=1).to_json_v2()
    with pytest.raises(CodecError, match="float array"):
        QuantizeCodec(digits=2).evolve(ChunkSpec((3,), "<i4"))
