"""The bytes codec and the v2 flat layout (zarrc.codecs.bytes), against NumPy and zarr-python."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from zarrc.codecs import BytesCodec, ChunkSpec, get_codec
from zarrc.codecs.bytes import FlatSerializer, byteswap_inplace
from zarrc.errors import CodecError

DTYPES = [
    "u1",
    "i1",
    "?",
    "<i2",
    ">u4",
    "<f8",
    ">f4",
    "<c8",
    ">c16",
    "<M8[s]",
    ">m8[ms]",
    "S7",
    "<U3",
    ">U2",
    "V3",
    [("a", "<i4"), ("b", "u1")],
]


def _stored(dtype: np.dtype, endian: str | None) -> np.dtype:
    if endian is None or dtype.byteorder == "|":
        return dtype
    return dtype.newbyteorder("<" if endian == "little" else ">")


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("endian", ["little", "big"])
def test_encode_is_numpy_bytes_in_the_stored_byte_order(dtype, endian):
    dtype = np.dtype(dtype)
    arr = np.frombuffer(np.random.default_rng(0).bytes(dtype.itemsize * 12), dtype).reshape(3, 4)
    spec = ChunkSpec((3, 4), dtype)
    codec = BytesCodec(endian=endian).evolve(spec)
    encoded = codec.encode(np.asfortranarray(arr), spec)
    assert encoded.tobytes() == arr.astype(_stored(dtype, endian)).tobytes(order="C")
    decoded = codec.decode(encoded, spec)
    assert decoded.dtype == dtype and decoded.tobytes() == arr.tobytes()
    assert decoded.flags.writeable


def test_decode_into_out_of_either_byte_order_and_any_strides():
    spec = ChunkSpec((4, 5), "<i4")
    arr = np.arange(20, dtype="<i4").reshape(4, 5)
    codec = BytesCodec(endian="big")
    encoded = codec.encode(arr, spec)
    for out in (np.empty((4, 5), "<i4"), np.empty((4, 5), ">i4"), np.empty((5, 4), "<i4").T):
        raw = codec.raw_view(out, spec)
        if raw is not None:  # the zero-copy path
            assert np.shares_memory(raw, out)
            raw[...] = np.frombuffer(encoded, np.uint8)
            codec.finish_raw(out, spec)
        else:
            codec.decode(encoded, spec, out)
        np.testing.assert_array_equal(out, arr)
    assert codec.raw_view(np.empty((5, 4), "<i4").T, spec) is None
    assert codec.raw_view(np.empty((4, 5), "<f4"), spec) is None


def test_wrong_size_is_a_codec_error():
    spec = ChunkSpec((10,), "<f8")
    with pytest.raises(CodecError, match="got 79 bytes, expected 80"):
        BytesCodec().decode(bytes(79), spec)


def test_evolve_matches_zarr_python_rules():
    one_byte = ChunkSpec((2,), "u1")
    assert BytesCodec(endian="big").evolve(one_byte).to_json_v3() == {"name": "bytes"}
    assert BytesCodec().evolve(ChunkSpec((2,), "<f4")).endian == sys.byteorder
    with pytest.raises(CodecError, match="'endian' must be set"):
        BytesCodec(endian=None).evolve(ChunkSpec((2,), "<f4"))
    with pytest.raises(CodecError, match="variable-length"):
        BytesCodec().evolve(ChunkSpec((2,), object))
    with pytest.raises(CodecError, match="'endian'"):
        BytesCodec(endian="middle")


def test_json_forms_match_zarr_python(zarr):
    from zarr.codecs import BytesCodec as ZarrBytes

    for endian in ("little", "big", None):
        assert BytesCodec(endian=endian).to_json_v3() == ZarrBytes(endian=endian).to_dict()
    assert get_codec({"name": "bytes"}) == BytesCodec()  # missing endian: the machine's
    endian = get_codec({"name": "endian", "configuration": {"endian": "big"}})
    assert endian.to_json_v3() == {"name": "endian", "configuration": {"endian": "big"}}
    assert BytesCodec.codec_id is None
    with pytest.raises(CodecError, match="no zarr v2"):
        BytesCodec().to_json_v2()


@pytest.mark.parametrize("order", ["C", "F"])
def test_flat_serializer_is_numpy_tobytes_in_order(order):
    arr = np.arange(24, dtype=">i2").reshape(2, 3, 4)
    spec = ChunkSpec(arr.shape, ">i2", order)
    codec = FlatSerializer(order=order)
    flat = codec.encode(arr.astype("<i2"), spec)
    assert flat.dtype == np.dtype(">i2") and flat.ndim == 1  # filters see the item size
    assert flat.tobytes() == arr.tobytes(order=order)
    np.testing.assert_array_equal(codec.decode(flat.tobytes(), spec), arr)
    out = np.empty(arr.shape, ">i2", order=order)
    assert codec.raw_view(out, spec) is not None
    other = "F" if order == "C" else "C"
    assert codec.raw_view(np.empty(arr.shape, ">i2", order=other), spec) is None


@settings(max_examples=60, deadline=None)
@given(
    arr=hnp.arrays(
        dtype=st.one_of(
            hnp.integer_dtypes(),
            hnp.floating_dtypes(),
            hnp.complex_number_dtypes(),
            hnp.unicode_string_dtypes(max_len=3),
            hnp.datetime64_dtypes(),
        ),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
    ),
    endian=st.sampled_from(["little", "big"]),
)
def test_round_trip_property(arr, endian):
    spec = ChunkSpec(arr.shape, arr.dtype)
    codec = BytesCodec(endian=endian).evolve(spec)
    encoded = codec.encode(arr, spec)
    assert encoded.tobytes() == arr.astype(_stored(arr.dtype, codec.endian)).tobytes()
    assert codec.decode(encoded, spec).tobytes() == arr.tobytes()


@pytest.mark.parametrize("dtype", ["<i2", ">f8", "<c8", "<U2", "<M8[ns]", [("x", ">i2")]], ids=str)
def test_byteswap_inplace_matches_numpy(dtype):
    arr = np.frombuffer(np.random.default_rng(2).bytes(np.dtype(dtype).itemsize * 9), dtype)
    swapped = arr.copy()
    byteswap_inplace(swapped)
    assert swapped.tobytes() == arr.byteswap().tobytes()
