"""byteswap_inplace / byteswap_copy (csrc/zc_byteswap.c) against NumPy's byteswap and the twin."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zarrc._ext import slow
from zarrc._ext.byteswap import byteswap_copy, byteswap_inplace

UNITS = [1, 2, 3, 4, 5, 8, 16, 24]


@given(unit=st.sampled_from(UNITS), count=st.integers(0, 40), data=st.data())
def test_matches_twin(unit, count, data):
    raw = data.draw(st.binary(min_size=unit * count, max_size=unit * count))
    want = bytearray(raw)
    slow.byteswap_inplace(want, unit)
    got = bytearray(raw)
    byteswap_inplace(got, unit)
    assert got == want
    out = bytearray(len(raw))
    byteswap_copy(raw, out, unit)
    assert out == want
    assert want == b"".join(raw[i : i + unit][::-1] for i in range(0, len(raw), unit))


@pytest.mark.parametrize(
    ("dtype", "unit"),
    [("i2", 2), ("u4", 4), ("f4", 4), ("i8", 8), ("f8", 8), ("c8", 4), ("c16", 8)],
)
def test_numpy_byteswap(dtype, unit):
    """The swap unit of complex is the component: complex128 uses 8, as ndarray.byteswap."""
    rng = np.random.default_rng(3)
    a = rng.integers(0, 256, 8 * 16 * 33, dtype=np.uint8).view(dtype)
    out = np.empty_like(a)
    byteswap_copy(a, out, unit)
    assert out.tobytes() == a.byteswap().tobytes()
    f = np.asfortranarray(a.reshape(8, -1))  # any contiguous layout: units are in memory order
    byteswap_inplace(f, unit)
    assert f.tobytes(order="A") == np.asfortranarray(a.reshape(8, -1)).byteswap().tobytes("A")


def test_sixteen_byte_unit_reverses_all():
    a = np.arange(64, dtype=np.uint8)
    byteswap_inplace(a, 16)
    assert a.tolist() == [b for i in range(0, 64, 16) for b in range(i + 15, i - 1, -1)]


def test_copy_onto_itself():
    a = np.arange(10, dtype="u4")
    byteswap_copy(a, a, 4)
    assert a.tobytes() == np.arange(10, dtype="u4").byteswap().tobytes()


@pytest.mark.parametrize("fn", [byteswap_inplace, slow.byteswap_inplace], ids=["fast", "slow"])
@pytest.mark.parametrize(
    ("buf", "unit", "exc"),
    [
        (bytearray(7), 2, ValueError),  # not a whole number of units
        (bytearray(8), 0, ValueError),  # bad unit
        (b"abcd", 2, ValueError),  # read-only
        (np.zeros(8)[::2], 8, ValueError),  # not contiguous
    ],
)
def test_inplace_errors(fn, buf, unit, exc):
    with pytest.raises(exc):
        fn(buf, unit)


@pytest.mark.parametrize("fn", [byteswap_copy, slow.byteswap_copy], ids=["fast", "slow"])
@pytest.mark.parametrize(
    ("src", "dst", "unit"),
    [
        (b"abcd", bytearray(6), 2),  # lengths differ
        (b"abcdef", bytearray(6), 4),  # not a whole number of units
        (b"abcd", b"abcd", 2),  # read-only dst
    ],
)
def test_copy_errors(fn, src, dst, unit):
    with pytest.raises(ValueError):
        fn(src, dst, unit)
