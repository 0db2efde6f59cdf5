"""shuffle_encode / shuffle_decode (csrc/zc_shuffle.c): byte-identical to numcodecs.Shuffle."""

from __future__ import annotations

import numcodecs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zarrc._ext import slow
from zarrc._ext.shuffle import shuffle_decode, shuffle_encode

ELEMENT_SIZES = [1, 2, 3, 4, 5, 7, 8, 12, 16, 32]


@pytest.mark.parametrize("elementsize", ELEMENT_SIZES)
@pytest.mark.parametrize("count", [0, 1, 2, 9, 1000, 40_001])
def test_numcodecs_vectors(elementsize, count):
    rng = np.random.default_rng(elementsize * 100_003 + count)
    raw = rng.integers(0, 256, elementsize * count, dtype=np.uint8)
    want = numcodecs.Shuffle(elementsize).encode(raw)
    got = np.empty_like(raw)
    shuffle_encode(raw, got, elementsize)
    assert got.tobytes() == bytes(want)
    back = np.empty_like(raw)
    shuffle_decode(got, back, elementsize)
    assert back.tobytes() == bytes(numcodecs.Shuffle(elementsize).decode(want)) == raw.tobytes()


def test_known_layout():
    """Byte j of element i lands at j*n + i: int32 1..3 little-endian -> low bytes first."""
    src = np.array([1, 2, 3], dtype="<u4")
    dst = bytearray(12)
    shuffle_encode(src, dst, 4)
    assert dst == bytes([1, 2, 3] + [0] * 9)


@given(elementsize=st.integers(1, 20), data=st.binary(max_size=300))
def test_matches_twin_with_leftover(elementsize, data):
    """Trailing bytes that make no whole element are copied as they are (blosc convention)."""
    got, want = bytearray(len(data)), bytearray(len(data))
    shuffle_encode(data, got, elementsize)
    slow.shuffle_encode(data, want, elementsize)
    assert got == want
    n = len(data) // elementsize
    assert got[n * elementsize :] == data[n * elementsize :]
    back, back_twin = bytearray(len(data)), bytearray(len(data))
    shuffle_decode(got, back, elementsize)
    slow.shuffle_decode(got, back_twin, elementsize)
    assert back == back_twin == data


@pytest.mark.parametrize("fn", [shuffle_encode, slow.shuffle_encode, shuffle_decode,
                                slow.shuffle_decode])
def test_errors(fn):
    buf = np.zeros(16, np.uint8)
    with pytest.raises(ValueError):
        fn(buf, np.zeros(15, np.uint8), 4)  # lengths differ
    with pytest.raises(ValueError):
        fn(buf, buf, 4)  # in place is not supported
    with pytest.raises(ValueError):
        fn(buf[:8], buf[4:12], 4)  # partial overlap
    with pytest.raises(ValueError):
        fn(buf, bytes(16), 4)  # read-only dst
    with pytest.raises(ValueError):
        fn(buf, np.zeros(16, np.uint8), 0)  # bad element size
