"""The transpose codec (zarrc.codecs.transpose) against NumPy and zarr-python 3."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from zarrc.codecs import ChunkSpec, TransposeCodec, get_codec
from zarrc.errors import CodecError


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_encode_is_numpy_transpose_and_decode_inverts(order):
    arr = np.arange(24).reshape(2, 3, 4)
    codec = TransposeCodec(order=order)
    spec = ChunkSpec(arr.shape, arr.dtype)
    encoded = codec.encode(arr)
    np.testing.assert_array_equal(encoded, np.transpose(arr, order))
    assert codec.resolve(spec).shape == encoded.shape
    np.testing.assert_array_equal(codec.decode(encoded), arr)
    out = np.empty_like(arr)
    view = codec.encoded_view(out)
    view[...] = encoded
    np.testing.assert_array_equal(out, arr)


def test_json_form_matches_zarr_python(zarr):
    from zarr.codecs import TransposeCodec as ZarrTranspose

    for order in ([1, 0], [2, 0, 1], [0]):
        theirs = json.loads(json.dumps(ZarrTranspose(order=order).to_dict()))
        assert TransposeCodec(order=order).to_json_v3() == theirs
        assert get_codec(theirs) == TransposeCodec(order=order)
    assert TransposeCodec.codec_id is None


def test_order_is_validated():
    with pytest.raises(CodecError, match="permutation"):
        TransposeCodec(order=[0, 0])
    with pytest.raises(CodecError, match="'order'"):
        TransposeCodec(order=[0, -1])
    with pytest.raises(CodecError, match="list of integers"):
        TransposeCodec(order=3)
    with pytest.raises(CodecError, match="has 2 entries but the chunk has 3 dimensions"):
        TransposeCodec(order=[1, 0]).evolve(ChunkSpec((2, 3, 4), "u1"))


def test_legacy_c_and_f_orders_resolve_against_the_rank():
    spec = ChunkSpec((2, 3, 4), "u1")
    assert TransposeCodec(order="F").evolve(spec).order == (2, 1, 0)
    assert TransposeCodec(order="C").evolve(spec).order == (0, 1, 2)
    with pytest.raises(CodecError):
        TransposeCodec(order="K")
