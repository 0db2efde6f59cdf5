"""delta_encode / delta_decode (csrc/zc_delta.c) against numcodecs.Delta and the twin."""

from __future__ import annotations

import numcodecs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from zarrc._ext import slow
from zarrc._ext.delta import delta_decode, delta_encode

DTYPES = ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4", "f8"]


def _random(dtype: str, n: int, seed: int) -> np.ndarray:
    """Full-range integers (so differences overflow) or floats with specials mixed in."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        a = (rng.standard_normal(n) * 10.0 ** rng.integers(-30, 30, n)).astype(dt)
        specials = np.array([-0.0, np.nan, np.inf, -np.inf], dt)[: n]
        a[rng.choice(n, len(specials), replace=False)] = specials
        return a
    return rng.integers(0, 256, n * dt.itemsize, dtype=np.uint8).view(dt)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 2, 17, 10_000])
def test_numcodecs_vectors(dtype, n):
    x = _random(dtype, n, n)
    codec = numcodecs.Delta(dtype=dtype)
    with np.errstate(all="ignore"):
        want = codec.encode(x)
        want_back = codec.decode(want)
    enc = np.empty_like(x)
    delta_encode(x, enc)
    assert enc.tobytes() == want.tobytes()
    dec = np.empty_like(x)
    delta_decode(enc, dec)
    assert dec.tobytes() == np.asarray(want_back).tobytes()
    if x.dtype.kind != "f":
        assert dec.tobytes() == x.tobytes()  # integers round-trip exactly


def test_known_vector():
    """The numcodecs docstring example, same dtype."""
    x = np.arange(100, 120, 2, dtype="i2")
    enc = np.empty_like(x)
    delta_encode(x, enc)
    assert enc.tolist() == [100] + [2] * 9
    x = np.array([0, 255, 1], dtype="u1")  # wraps: 255 - 0, 1 - 255 = 2 (mod 256)
    enc = np.empty_like(x)
    delta_encode(x, enc)
    assert enc.tolist() == [0, 255, 2]
    x = np.array([-128, 127], dtype="i1")  # 127 - (-128) = 255 wraps to -1
    enc = np.empty_like(x)
    delta_encode(x, enc)
    assert enc.tolist() == [-128, -1]


@given(
    data=st.sampled_from(DTYPES).flatmap(
        lambda dt: hnp.arrays(dt, st.integers(0, 50), elements={"allow_subnormal": True}
                              if dt[0] == "f" else None)
    )
)
def test_matches_twin(data):
    for fast, twin in ((delta_encode, slow.delta_encode), (delta_decode, slow.delta_decode)):
        got, want = np.empty_like(data), np.empty_like(data)
        with np.errstate(all="ignore"):
            fast(data, got)
            twin(data, want)
        assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("dtype", ["i4", "u8", "f8"])
def test_in_place_and_fortran(dtype):
    x = _random(dtype, 60, 1).reshape(6, 10, order="F")
    want = numcodecs.Delta(dtype=dtype).encode(x)  # flattens in memory order ('A')
    y = x.copy(order="F")
    delta_encode(y, y)
    assert y.tobytes(order="A") == want.tobytes()
    delta_decode(y, y)
    if dtype != "f8":
        assert y.tobytes(order="A") == x.tobytes(order="A")


def test_empty():
    delta_encode(np.zeros(0, "i4"), np.zeros(0, "i4"))
    delta_decode(np.zeros(0, "f8"), np.zeros(0, "f8"))


@pytest.mark.parametrize("fn", [delta_encode, slow.delta_encode, delta_decode, slow.delta_decode])
@pytest.mark.parametrize(
    ("src", "dst", "exc"),
    [
        (np.zeros(4, "i4"), np.zeros(4, "u4"), ValueError),  # dtypes differ
        (np.zeros(4, "i4"), np.zeros(4, "i8"), ValueError),  # itemsizes differ
        (np.zeros(4, "i4"), np.zeros(5, "i4"), ValueError),  # sizes differ
        (np.zeros(8, "i4")[::2], np.zeros(4, "i4"), ValueError),  # not contiguous
        (np.zeros(4, "i4"), np.broadcast_to(np.zeros(1, "i4"), (4,)), ValueError),  # read-only
        (np.zeros(4, ">i4"), np.zeros(4, ">i4"), TypeError),  # not native
        (np.zeros(4, "f2"), np.zeros(4, "f2"), TypeError),  # float16
        (np.zeros(4, "c8"), np.zeros(4, "c8"), TypeError),  # complex
        (np.zeros(4, "?"), np.zeros(4, "?"), TypeError),  # bool
        (np.zeros(4, "M8[s]"), np.zeros(4, "M8[s]"), TypeError),  # datetime
    ],
)
def test_errors(fn, src, dst, exc):
    with pytest.raises(exc):
        fn(src, dst)
