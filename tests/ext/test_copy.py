"""copy_view (csrc/zc_copy.c) agrees with its NumPy twin and with NumPy assignment."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrc._ext import slow
from zarrc._ext.copy import copy_view, transpose_into

from .strategies import dtypes, random_array, same_bytes, shapes, sources, strided_views


@settings(deadline=None, max_examples=300)
@given(data=st.data(), shape=shapes, dtype=dtypes)
def test_copy_matches_twin(data, shape, dtype):
    base, dst, replay = data.draw(strided_views(shape, dtype), label="dst")
    src = data.draw(sources(shape, dtype), label="src")
    twin_base = base.copy()
    copy_view(dst, src)
    slow.copy_view(replay(twin_base), src)
    assert same_bytes(dst, src)
    assert same_bytes(base, twin_base)  # same result, nothing outside the region touched


@pytest.mark.parametrize("dtype", ["u1", "u2", "f4", "f8", "c16", "S3", "V5", "V32"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_transpose_and_edges(dtype, order):
    """A chunk copied transposed into a sub-region of an output, as the engine does."""
    rng = np.random.default_rng(7)
    chunk = random_array(rng, (37, 41, 3), np.dtype(dtype))
    out = np.zeros((50, 45, 60), dtype=dtype, order=order)
    want = out.copy()
    copy_view(out[3:6, 2:43, 10:47], chunk.transpose(2, 1, 0))
    want[3:6, 2:43, 10:47] = chunk.transpose(2, 1, 0)
    assert same_bytes(out, want)


@pytest.mark.parametrize("n", [1, 7, 64, 1000])
def test_big_2d_transposes(n):
    """Tiled path: both sides strided, with sizes around the tile edge."""
    rng = np.random.default_rng(n)
    for dtype in ["u1", "i2", "f4", "f8", "c16", "V3"]:
        a = random_array(rng, (n, n + 3), np.dtype(dtype))
        out = np.empty((n + 3, n), dtype)
        copy_view(out, a.T)
        assert same_bytes(out, a.T)
        out2 = np.empty((n, n + 3), dtype)[::-1]
        copy_view(out2, a[:, ::-1])
        assert same_bytes(out2, a[:, ::-1])


def test_zero_d_and_empty():
    dst = np.zeros((), "f8")
    copy_view(dst, np.array(2.5))
    assert dst == 2.5
    empty = np.zeros((3, 0, 2), "i4")
    copy_view(empty, np.ones((3, 0, 2), "i4"))
    copy_view(np.zeros(0, "V5"), np.zeros(0, "V5"))


def test_any_buffer_and_dtype_reinterpretation():
    """Items are bytes: any buffers of equal shape and itemsize work (bytearray, memoryview)."""
    dst = bytearray(6)
    copy_view(dst, b"abcdef")
    assert dst == b"abcdef"
    f = np.array([1.5, -2.0])
    i = np.zeros(2, "i8")
    copy_view(i, f)
    assert i.tobytes() == f.tobytes()
    mv = memoryview(bytearray(range(12))).cast("B", (3, 4))
    out = np.zeros((3, 4), "u1")
    copy_view(out, mv)
    np.testing.assert_array_equal(out, np.arange(12).reshape(3, 4))


@pytest.mark.parametrize("fn", [copy_view, slow.copy_view], ids=["fast", "slow"])
@pytest.mark.parametrize(
    ("dst", "src", "exc"),
    [
        (np.zeros(3), np.zeros(4), ValueError),  # shape
        (np.zeros((3, 1)), np.zeros(3), ValueError),  # ndim (no implicit broadcasting)
        (np.zeros(3, "f4"), np.zeros(3, "f8"), ValueError),  # itemsize
        (np.broadcast_to(np.zeros(1), (3,)), np.zeros(3), ValueError),  # read-only dst
        (b"abc", b"abc", ValueError),  # immutable dst
        (np.zeros(2, object), np.zeros(2, object), TypeError),  # object dtype
        ([0.0], [1.0], TypeError),  # not buffers
    ],
)
def test_errors(fn, dst, src, exc):
    with pytest.raises(exc):
        fn(dst, src)


@settings(deadline=None, max_examples=150)
@given(data=st.data(), shape=shapes, dtype=dtypes)
def test_transpose_into_matches_twin(data, shape, dtype):
    src = np.frombuffer(
        data.draw(st.binary(min_size=int(np.prod(shape)) * dtype.itemsize,
                            max_size=int(np.prod(shape)) * dtype.itemsize)), dtype=dtype
    ).reshape(shape)
    axes = data.draw(st.permutations(range(len(shape))))
    dst = np.zeros(tuple(shape[a] for a in axes), dtype)
    twin = dst.copy()
    transpose_into(dst, src, axes)
    slow.transpose_into(twin, src, axes)
    assert same_bytes(dst, twin)
    assert same_bytes(dst, src.transpose(axes).copy())


@pytest.mark.parametrize("fn", [transpose_into, slow.transpose_into], ids=["fast", "slow"])
def test_transpose_into_rejects_bad_axes(fn):
    with pytest.raises(ValueError):
        fn(np.zeros((3, 2)), np.zeros((2, 3)), (0, 0))
    with pytest.raises(ValueError):
        fn(np.zeros((2, 3)), np.zeros((2, 3)), (1, 0))
