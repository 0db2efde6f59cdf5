"""``a[sel]``, ``a[sel] = v``, ``oindex``, ``vindex`` and ``blocks`` against NumPy as the oracle.

Every property runs on a MemoryStore and a LocalStore (chunk files read and written by the C
loops themselves), with the native and the reference chunk-I/O implementations.
"""

import itertools
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarrc
from zarrc.storage import LocalStore
from zarrc.testing.engine import engine, io_kinds
from zarrc.testing.strategies import (
    basic_selections,
    chunks_for,
    coordinate_selections,
    orthogonal_selections,
    selections,
    shapes,
)

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


_ROOT = tempfile.TemporaryDirectory(prefix="zarrc-properties-")
_NAMES = itertools.count()


def a_store(data):
    """A MemoryStore or a fresh LocalStore, and the chunk-I/O implementation to open with."""
    kind = data.draw(st.sampled_from(["memory", "local"]), label="store")
    store = None if kind == "memory" else LocalStore(f"{_ROOT.name}/{next(_NAMES)}")
    return store, data.draw(st.sampled_from(["native", "reference"]), label="engine")


def make(data, zarr_format=3):
    shape = data.draw(shapes(), label="shape")
    chunks = data.draw(chunks_for(shape), label="chunks")
    x = (np.arange(int(np.prod(shape)), dtype=np.int32) + 1).reshape(shape)
    store, kind = a_store(data)
    with engine(kind):
        a = zarrc.create_array(store, shape=shape, dtype="int32", chunks=chunks,
                               zarr_format=zarr_format, fill_value=0)
    assert io_kinds(a)[0] == kind
    a[...] = x
    return a, x


def same(got, expected):
    assert isinstance(got, np.ndarray)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    assert got.flags.c_contiguous
    np.testing.assert_array_equal(got, expected)


def numpy_result(fn):
    try:
        return fn(), None
    except (IndexError, TypeError, ValueError) as exc:
        return None, exc


@SETTINGS
@given(st.data())
def test_getitem_matches_numpy(data):
    a, x = make(data)
    sel = data.draw(selections(x.shape) | basic_selections(x.shape), label="sel")
    expected, error = numpy_result(lambda: x[sel])
    if error is not None:
        with pytest.raises(type(error)):
            a[sel]
        return
    same(a[sel], expected)


@SETTINGS
@given(st.data(), st.sampled_from([2, 3]))
def test_setitem_matches_numpy(data, zarr_format):
    a, x = make(data, zarr_format)
    sel = data.draw(selections(x.shape) | basic_selections(x.shape), label="sel")
    target_shape = numpy_result(lambda: x[sel].shape)[0]
    if target_shape is None:
        with pytest.raises((IndexError, TypeError, ValueError)):
            a[sel] = 0
        return
    value = -np.arange(int(np.prod(target_shape)), dtype=np.int32).reshape(target_shape) - 1
    if data.draw(st.booleans(), label="scalar value"):
        value = np.int32(-7)
    x[sel] = value
    a[sel] = value
    same(a[...], x)


@SETTINGS
@given(st.data())
def test_oindex_matches_per_axis_selection(data):
    a, x = make(data)
    sel = data.draw(orthogonal_selections(x.shape), label="sel")
    expected = x
    for axis in reversed(range(x.ndim)):
        item = sel[axis]
        if isinstance(item, np.ndarray) and item.dtype == bool:
            item = np.flatnonzero(item)
        expected = expected[(slice(None),) * axis + (item,)]
    same(a.oindex[sel], np.array(expected, order="C"))
    a.oindex[sel] = -expected
    check = x.copy()
    ix = [np.arange(n)[s] if not isinstance(s, (int, np.integer)) else s for s, n in zip(sel, x.shape)]
    ints = [isinstance(s, (int, np.integer)) for s in sel]
    grids = np.ix_(*[np.atleast_1d(i) for i in ix]) if x.ndim else ()
    check[grids] = (-expected).reshape([1 if k else len(np.atleast_1d(i)) for i, k in zip(ix, ints)])
    same(a[...], check)


@SETTINGS
@given(st.data())
def test_vindex_matches_numpy_coordinates(data):
    a, x = make(data)
    if x.ndim == 0:
        return
    sel = data.draw(coordinate_selections(x.shape), label="sel")
    same(a.vindex[sel], x[sel])
    x[sel] = -5
    a.vindex[sel] = -5
    same(a[...], x)


def test_vindex_mask():
    x = np.arange(30, dtype="f8").reshape(5, 6)
    a = zarrc.array(x, chunks=(2, 4))
    mask = x % 3 == 0
    same(a.vindex[mask], x[mask])


def test_blocks_read_and_write():
    x = np.arange(70, dtype="i2").reshape(7, 10)
    a = zarrc.array(x, chunks=(3, 4))
    same(a.blocks[1, 2], x[3:6, 8:10])
    same(a.blocks[-1, :2], x[6:7, 0:8])
    a.blocks[0, 0] = 99
    x[0:3, 0:4] = 99
    same(a[...], x)


def test_numpy_protocol():
    x = np.linspace(0, 1, 24).reshape(4, 6)
    a = zarrc.array(x, chunks=(3, 3))
    same(np.asarray(a), x)
    same(np.array(a, dtype="f4"), x.astype("f4"))
    assert np.mean(a) == pytest.approx(x.mean())
    assert len(a) == 4
    rows = list(a)
    assert len(rows) == 4
    same(rows[2], x[2])
    with pytest.raises(ValueError):
        np.array(a, copy=False)


def test_impossible_cast_stores_nothing():
    a = zarrc.array(np.arange(10, dtype="i4"), chunks=(3,))
    before = dict(a.store._data) if hasattr(a.store, "_data") else None
    with pytest.raises(ValueError):
        a[2:5] = ["x", "y", "z"]
    with pytest.raises(ValueError):
        a[:] = np.ones(4)
    np.testing.assert_array_equal(a[...], np.arange(10))
    if before is not None:
        assert dict(a.store._data) == before


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_sharded_arrays_match_numpy(data):
    """Sharded reads take other paths (partial shards, box-then-reorder oindex): same answers."""
    shape = data.draw(shapes(max_dims=3).filter(lambda s: len(s) > 0), label="shape")
    chunks = data.draw(chunks_for(shape), label="chunks")
    per_shard = data.draw(st.tuples(*[st.integers(1, 3) for _ in shape]), label="per shard")
    x = (np.arange(int(np.prod(shape)), dtype=np.int32) + 1).reshape(shape)
    store, kind = a_store(data)
    with engine(kind):
        a = zarrc.create_array(store, shape=shape, dtype="int32", chunks=chunks,
                               shards=tuple(c * k for c, k in zip(chunks, per_shard)),
                               fill_value=0)
    assert io_kinds(a)[0] == kind
    a[...] = x
    sel = data.draw(selections(shape) | basic_selections(shape), label="sel")
    expected, error = numpy_result(lambda: x[sel])
    if error is None:
        same(a[sel], expected)
    osel = data.draw(orthogonal_selections(shape), label="osel")
    ref = x
    for axis in reversed(range(x.ndim)):
        item = osel[axis]
        if isinstance(item, np.ndarray) and item.dtype == bool:
            item = np.flatnonzero(item)
        ref = ref[(slice(None),) * axis + (item,)]
    same(a.oindex[osel], np.array(ref, order="C"))
