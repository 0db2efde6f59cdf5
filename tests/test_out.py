"""``get_*_selection(..., out=)`` and the mask selections, against NumPy as the oracle.

``out`` may be any writable ndarray of the result's shape (C or F order, a strided view into
a larger array) whose dtype NumPy's ``same_kind`` casting reaches; the values land there, the
call returns ``out`` itself, and nothing outside it is touched.
"""

import tempfile
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarrc
from zarrc.storage import LocalStore
from zarrc.testing.strategies import (
    basic_selections,
    chunks_for,
    coordinate_selections,
    orthogonal_selections,
    shapes,
)

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ZSTD = [{"name": "zstd", "configuration": {"level": 1}}]


def _store(kind: str, root: str):
    return None if kind == "memory" else LocalStore(root)  # LocalStore: the native loops


def make(data, root, **kwargs):
    shape = data.draw(shapes(), label="shape")
    chunks = data.draw(chunks_for(shape), label="chunks")
    kind = data.draw(st.sampled_from(["memory", "local"]), label="store")
    x = (np.arange(int(np.prod(shape)), dtype=np.int32) + 1).reshape(shape)
    a = zarrc.create_array(_store(kind, root), shape=shape, dtype="int32", chunks=chunks,
                           fill_value=0, compressors=ZSTD, **kwargs)
    a[...] = x
    return a, x


def outs(data, shape):
    """``(out, frame, where)``: an out array of ``shape`` laid out in one of several ways,
    ``frame`` the array it lives in and ``where`` its place there (to check the rest)."""
    layout = data.draw(st.sampled_from(["C", "F", "strided", "wider"]), label="out layout")
    dtype = data.draw(st.sampled_from(["int32", "int64", "float64", ">i4"]), label="out dtype")
    if layout in ("C", "F"):
        frame = np.full(shape, -99, dtype=dtype, order=layout)
        return frame, frame, Ellipsis
    if layout == "strided":  # every other element along each axis
        frame = np.full(tuple(2 * n for n in shape), -99, dtype=dtype)
        where = tuple(slice(None, None, 2) for _ in shape)
    else:  # a block inside a larger array
        frame = np.full(tuple(n + 3 for n in shape), -99, dtype=dtype)
        where = tuple(slice(1, 1 + n) for n in shape)
    return frame[where + (Ellipsis,)], frame, where  # (Ellipsis: a 0-d view, not a scalar)


def check(got, out, frame, where, expected):
    assert got is out
    np.testing.assert_array_equal(out, expected.astype(out.dtype))
    rest = np.ones(frame.shape, dtype=bool)
    rest[where] = False
    assert (frame[rest] == -99).all()  # nothing written outside out


MODES = {  # selection strategy, the method under test, the oracle (NumPy where it has one)
    "basic": (basic_selections, "get_basic_selection", lambda a, x, sel: x[sel]),
    "orthogonal": (orthogonal_selections, "get_orthogonal_selection",
                   lambda a, x, sel: a.oindex[sel]),
    "coordinate": (coordinate_selections, "get_coordinate_selection",
                   lambda a, x, sel: x[sel]),
}


@pytest.mark.parametrize("mode", sorted(MODES))
@SETTINGS
@given(data=st.data())
def test_selection_into_out(mode, data):
    strategy, method, oracle = MODES[mode]
    with tempfile.TemporaryDirectory() as root:
        a, x = make(data, root)
        sel = data.draw(strategy(x.shape), label="sel")
        expected = oracle(a, x, sel)
        out, frame, where = outs(data, expected.shape)
        check(getattr(a, method)(sel, out=out), out, frame, where, expected)


@pytest.mark.parametrize("kind", ["memory", "local"])
def test_sharded_and_missing_chunks_into_out(tmp_path, kind):
    a = zarrc.create_array(_store(kind, str(tmp_path)), shape=(40, 50), chunks=(5, 5),
                           shards=(10, 25), dtype="f4", fill_value=-1.5, compressors=ZSTD)
    x = np.full(a.shape, -1.5, dtype="f4")
    x[:20, :30] = np.random.default_rng(1).random((20, 30), dtype="f4")
    a[:20, :30] = x[:20, :30]  # the rest of the array is never written: fill
    for sel in [np.s_[...], np.s_[3:37, 12:48], np.s_[::3, 7], np.s_[-1:0:-4, ::-7]]:
        expected = x[sel]
        frame = np.zeros((expected.shape[0] + 2,) + expected.shape[1:], dtype="f4")
        out = frame[1:-1]
        assert a.get_basic_selection(sel, out=out) is out
        np.testing.assert_array_equal(out, expected)
        assert not frame[0].any() and not frame[-1].any()
    out = np.empty(3, dtype="f4")
    a.get_coordinate_selection(([0, 39, 19], [0, 49, 29]), out=out)
    np.testing.assert_array_equal(out, x[[0, 39, 19], [0, 49, 29]])


def test_block_selection_into_out():
    a = zarrc.create_array(None, shape=(30, 20), chunks=(7, 6), dtype="i2")
    x = np.arange(600, dtype="i2").reshape(30, 20)
    a[...] = x
    out = np.empty((14, 2), dtype="i2")
    assert a.get_block_selection((slice(1, 3), 3), out=out) is out
    np.testing.assert_array_equal(out, x[7:21, 18:20])


def test_zero_size_and_scalar_results():
    a = zarrc.create_array(None, shape=(6, 4), chunks=(3, 3), dtype="u1")
    a[...] = np.arange(24, dtype="u1").reshape(6, 4)
    empty = np.empty((0, 4), dtype="u1")
    assert a.get_basic_selection(np.s_[5:2], out=empty) is empty
    scalar = np.zeros((), dtype="u1")
    assert a.get_basic_selection((4, 1), out=scalar) is scalar
    assert scalar[()] == 17


def test_out_errors_leave_out_untouched():
    a = zarrc.create_array(None, shape=(10, 10), chunks=(4, 4), dtype="f8")
    a[...] = 1.0
    wrong_shape = np.zeros((10, 9))
    with pytest.raises(ValueError, match=r"shape \(10, 9\).*\(10, 10\)"):
        a.get_basic_selection(Ellipsis, out=wrong_shape)
    narrowing = np.zeros((10, 10), dtype="i8")
    with pytest.raises(TypeError, match="float64.*int64"):
        a.get_basic_selection(Ellipsis, out=narrowing)
    read_only = np.zeros((10, 10))
    read_only.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        a.get_basic_selection(Ellipsis, out=read_only)
    with pytest.raises(TypeError, match="numpy.ndarray"):
        a.get_basic_selection(Ellipsis, out=[[0.0] * 10] * 10)
    with pytest.raises(ValueError, match="shape"):
        a.get_coordinate_selection(([1, 2], [3, 4]), out=np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        a.get_orthogonal_selection(([1, 2], slice(None)), out=np.zeros((2, 9)))
    assert not wrong_shape.any() and not narrowing.any() and not read_only.any()


@pytest.mark.parametrize("shards", [None, (256, 512)])
def test_native_read_decodes_straight_into_out(tmp_path, shards):
    """With the array's dtype, the result is not allocated a second time: the chunks decode
    into ``out`` itself (traced allocations stay far below the 4 MiB result)."""
    a = zarrc.create_array(LocalStore(str(tmp_path)), shape=(1024, 1024), chunks=(64, 64),
                           shards=shards, dtype="f4", compressors=ZSTD)
    x = np.random.default_rng(2).random((1024, 1024), dtype="f4")
    a[...] = x
    out = np.empty_like(x)
    a.get_basic_selection(Ellipsis, out=out)  # warm: thread pool, scratch buffers
    tracemalloc.start()
    try:
        a.get_basic_selection(Ellipsis, out=out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(out, x)
    assert peak < x.nbytes // 4


@pytest.mark.parametrize("kind", ["memory", "local"])
def test_mask_selection_matches_numpy(tmp_path, kind):
    a = zarrc.create_array(_store(kind, str(tmp_path)), shape=(13, 17), chunks=(4, 5),
                           dtype="i4", compressors=ZSTD)
    x = np.arange(13 * 17, dtype="i4").reshape(13, 17)
    a[...] = x
    mask = np.random.default_rng(3).random(x.shape) < 0.3
    np.testing.assert_array_equal(a.get_mask_selection(mask), x[mask])
    out = np.empty(int(mask.sum()), dtype="i8")
    assert a.get_mask_selection(mask, out=out) is out
    np.testing.assert_array_equal(out, x[mask])
    a.set_mask_selection(mask, -1)
    x[mask] = -1
    np.testing.assert_array_equal(a[...], x)
    values = np.arange(int(mask.sum()), dtype="i4") * 10
    a.set_mask_selection(mask, values)
    x[mask] = values
    np.testing.assert_array_equal(a[...], x)


def test_mask_selection_errors():
    a = zarrc.create_array(None, shape=(4, 5), chunks=(2, 2), dtype="i4")
    for bad in [np.ones((4, 4), dtype=bool), np.ones((4, 5), dtype=int), [True, False]]:
        with pytest.raises(IndexError, match="boolean array of the array's shape"):
            a.get_mask_selection(bad)
        with pytest.raises(IndexError, match="boolean array of the array's shape"):
            a.set_mask_selection(bad, 1)
