"""The byte-shuffle codec (zarrc.codecs.shuffle) against numcodecs 0.16 and zarr-python 3."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zarrc.codecs.shuffle as shuffle_module
from zarrc.codecs import ChunkSpec, ShuffleCodec, get_codec
from zarrc.errors import CodecError


@st.composite
def sizes_and_data(draw):
    elementsize = draw(st.integers(0, 17))
    n = draw(st.integers(0, 60))
    return elementsize, draw(st.binary(min_size=n * max(elementsize, 1),
                                       max_size=n * max(elementsize, 1)))  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(sizes_and_data())
def test_encode_and_decode_are_byte_identical_to_numcodecs(numcodecs, case):
    elementsize, data = case
    theirs = numcodecs.Shuffle(elementsize=elementsize)
    ours = ShuffleCodec(elementsize=elementsize)
    enc = ours.encode(data)
    assert bytes(enc) == theirs.encode(data).tobytes()
    assert bytes(ours.decode(data)) == theirs.decode(data).tobytes()
    out = bytearray(len(data))
    assert ours.decode(enc, out) is out and bytes(out) == data


@pytest.mark.parametrize("dtype", ["<i2", "<f4", "<c16", "|u1"])
def test_typed_input_and_the_native_kernel(numcodecs, monkeypatch, dtype):
    calls = []
    kernel = shuffle_module._kernel_encode
    monkeypatch.setattr(shuffle_module, "_kernel_encode",
                        lambda s, d, n: (calls.append(n), kernel(s, d, n)))  # fmt: skip
    data = np.arange(999).astype(dtype)
    size = data.dtype.itemsize
    enc = ShuffleCodec(elementsize=size).encode(data)
    assert bytes(enc) == numcodecs.Shuffle(elementsize=size).encode(data).tobytes()
    assert calls == ([size] if size > 1 else [])


def test_ragged_lengths_are_refused_like_numcodecs(numcodecs):
    with pytest.raises(ValueError):
        numcodecs.Shuffle(elementsize=4).encode(b"12345")
    with pytest.raises(CodecError, match="multiple of elementsize 4"):
        ShuffleCodec().encode(b"12345")
    with pytest.raises(CodecError, match="multiple"):
        ShuffleCodec(elementsize=2).decode(b"123")
    with pytest.raises(CodecError, match="expected 4"):
        ShuffleCodec(elementsize=2).decode(b"123456", bytearray(4))


def test_v2_config_equals_numcodecs_get_config(numcodecs):
    for config in ({}, {"elementsize": 8}, {"elementsize": 1}):
        ours = get_codec({"id": "shuffle", **config}, 2)
        assert isinstance(ours, ShuffleCodec) and ours.kind == "bytes_bytes"
        assert ours.to_json_v2() == numcodecs.Shuffle(**config).get_config()
        assert get_codec(numcodecs.Shuffle(**config)).to_json_v2() == ours.to_json_v2()


@pytest.mark.parametrize("dtype", ["int16", "float64", "uint8"])
@pytest.mark.parametrize("config", [{}, {"elementsize": 2}])
def test_v3_config_equals_what_zarr_python_writes(zarr, dtype, config):
    from zarr.codecs.numcodecs import Shuffle

    store = zarr.storage.MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.create_array(store, shape=(6,), dtype=dtype, compressors=[Shuffle(**config)])
    written = json.loads(store._store_dict["zarr.json"].to_bytes())["codecs"][-1]
    ours = ShuffleCodec(**config).evolve(ChunkSpec((6,), dtype))
    assert ours.to_json_v3() == written
    # a document read back is written back as it was
    doc = {"name": "numcodecs.shuffle", "configuration": {}}
    assert get_codec(doc).to_json_v3() == doc


def test_bad_elementsize_is_a_codec_error():
    with pytest.raises(CodecError, match="'elementsize'"):
        ShuffleCodec(elementsize=-1)
    with pytest.raises(CodecError, match="'elementsize'"):
        get_codec({"id": "shuffle", "elementsize": "4"}, 2)
