"""fill_view (csrc/zc_fill.c) agrees with its NumPy twin and with ndarray.fill."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrc._ext import slow
from zarrc._ext.fill import fill_equal, fill_view

from .strategies import dtypes, same_bytes, shapes, strided_views


@settings(deadline=None, max_examples=200)
@given(data=st.data(), shape=shapes, dtype=dtypes, uniform=st.booleans())
def test_fill_matches_twin(data, shape, dtype, uniform):
    base, dst, replay = data.draw(strided_views(shape, dtype), label="dst")
    if uniform:  # all bytes equal: the memset path
        value = bytes([data.draw(st.integers(0, 255))]) * dtype.itemsize
    else:
        value = data.draw(st.binary(min_size=dtype.itemsize, max_size=dtype.itemsize))
    twin_base = base.copy()
    fill_view(dst, value)
    slow.fill_view(replay(twin_base), value)
    assert same_bytes(base, twin_base)
    assert np.ascontiguousarray(dst).tobytes() == value * dst.size


@pytest.mark.parametrize("dtype", ["u1", "i2", "f4", "f8", "c16", "S3", "V5", "V24"])
@pytest.mark.parametrize("n", [1, 3, 1000, 100_003])
def test_fill_like_numpy(dtype, n):
    """Long contiguous runs (doubling, then stamping) and strided runs, against ndarray.fill."""
    value = np.frombuffer(bytes(range(1, 25))[: np.dtype(dtype).itemsize], dtype)[0]
    for region in (slice(None), slice(None, None, 3), slice(None, None, -2)):
        got = np.zeros(n + 5, dtype)
        want = got.copy()
        fill_view(got[region], np.asarray(value, dtype).tobytes())
        want[region].fill(value)
        assert same_bytes(got, want)


def test_zero_d_and_empty():
    dst = np.zeros((), "f8")
    fill_view(dst, np.float64(-3.0).tobytes())
    assert dst == -3.0
    fill_view(np.zeros((0, 4), "f8"), bytes(8))


@pytest.mark.parametrize("fn", [fill_view, slow.fill_view], ids=["fast", "slow"])
@pytest.mark.parametrize(
    ("dst", "value", "exc"),
    [
        (np.zeros(3), b"\0" * 4, ValueError),  # value too short
        (np.zeros(3, "S3"), b"abcd", ValueError),  # value too long
        (np.broadcast_to(np.zeros(1), (3,)), bytes(8), ValueError),  # read-only dst
        (np.zeros(3), 1.0, TypeError),  # value is not bytes-like
    ],
)
def test_errors(fn, dst, value, exc):
    with pytest.raises(exc):
        fn(dst, value)


@settings(deadline=None, max_examples=300)
@given(data=st.data(), shape=shapes, dtype=dtypes, poke=st.booleans())
def test_fill_equal_matches_twin(data, shape, dtype, poke):
    """fill_equal on strided views that are all-fill, or all-fill but for one poked item."""
    base, view, _ = data.draw(strided_views(shape, dtype), label="src")
    value = data.draw(st.binary(min_size=dtype.itemsize, max_size=dtype.itemsize), label="value")
    fill_view(view, value)
    if poke and view.size:
        flat_index = data.draw(st.integers(0, view.size - 1), label="poke")
        # the item as a one-item array: a bytes scalar (S dtypes) drops its trailing NULs
        at = tuple(slice(int(i), int(i) + 1) for i in np.unravel_index(flat_index, view.shape)) \
            if view.ndim else (Ellipsis,)
        raw = view[at].tobytes()
        changed = bytes([raw[0] ^ 0x01]) + raw[1:]
        view[at] = np.frombuffer(changed, dtype=view.dtype).reshape(view[at].shape)
    expected = slow.fill_equal(view, value)
    assert fill_equal(view, value) == expected
    assert expected == (not poke or view.size == 0)


def test_fill_equal_is_bitwise():
    nan = np.array([np.nan] * 5)
    assert fill_equal(nan, np.float64(np.nan).tobytes())
    assert not fill_equal(np.array([-0.0, 0.0]), np.float64(0.0).tobytes())
    assert fill_equal(np.zeros((0, 3)), bytes(8))
    with pytest.raises(ValueError):
        fill_equal(np.zeros(3), bytes(4))
