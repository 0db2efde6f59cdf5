"""The categorize filter (zarrc.codecs.categorize) against numcodecs 0.16."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zarrc
from zarrc.codecs import CategorizeCodec, ChunkSpec, get_codec
from zarrc.errors import CodecError, MetadataError

WORDS = ["", "a", "male", "female", "ünïcode", "x" * 9]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40), st.lists(st.sampled_from(WORDS[1:]),
       max_size=4, unique=True), st.sampled_from(["<U6", "<U12", "|O"]),
       st.sampled_from(["|u1", "<u2", "<i4"]))  # fmt: skip
def test_encode_and_decode_are_byte_identical_to_numcodecs(
    numcodecs, values, labels, dtype, astype
):
    x = np.array(values, dtype=dtype)
    theirs = numcodecs.Categorize(labels=labels, dtype=dtype, astype=astype)
    ours = CategorizeCodec(labels=labels, dtype=dtype, astype=astype)
    enc = theirs.encode(x)
    got = ours.encode(x)
    assert got.dtype == enc.dtype and got.tobytes() == enc.tobytes()
    dec, got = theirs.decode(enc), ours.decode(enc)
    assert got.dtype == dec.dtype
    assert got.tolist() == dec.tolist()
    assert ours.to_json_v2() == theirs.get_config()


def test_v2_unicode_array_round_trip_and_zarr_python_reads(tmp_path, zarr):
    labels = ["female", "male"]
    x = np.array([["male", "female", "other"], ["", "male", "male"]], dtype="<U6")
    filters = [{"id": "categorize", "labels": labels, "dtype": "<U6", "astype": "|u1"}]
    a = zarrc.create_array(str(tmp_path / "c"), shape=x.shape, chunks=(1, 2), dtype="<U6",
                           zarr_format=2, filters=filters, compressors=None)  # fmt: skip
    a[...] = x
    expected = np.where(np.isin(x, labels), x, "")
    np.testing.assert_array_equal(a[...], expected)
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "c"), mode="r")[...], expected)
    assert a.metadata.to_dict()["filters"] == filters
    raw = (tmp_path / "c" / "0.0").read_bytes()
    assert raw == bytes([2, 1])  # "male" -> 2, "female" -> 1


def test_limitations_and_errors():
    with pytest.raises(MetadataError, match="object"):  # zarrc has no object arrays yet
        zarrc.create_array(None, shape=(3,), dtype=object, zarr_format=2,
                           filters=[{"id": "categorize", "labels": ["a"], "dtype": "|O"}])  # fmt: skip
    with pytest.raises(CodecError, match="unicode"):
        CategorizeCodec(labels=["a"], dtype="<i4")
    with pytest.raises(CodecError, match="list of strings"):
        CategorizeCodec(labels="ab", dtype="<U2")
    with pytest.raises(CodecError, match="string array"):
        CategorizeCodec(labels=["a"], dtype="<U2").evolve(ChunkSpec((2,), "<f8"))
    codec = get_codec({"id": "categorize", "labels": [b"a"], "dtype": "<U1"}, 2)
    assert codec.labels == ["a"] and codec.to_json_v2()["astype"] == "|u1"
