"""LazyArray (``a.lazy[...]``) and ``isel`` against NumPy as the oracle."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarrc
from zarrc.errors import ReadOnlyError
from zarrc.storage import MemoryStore
from zarrc.testing import CountingStore
from zarrc.testing.strategies import basic_selections, chunks_for, selections, shapes

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NUMPY_ERRORS = (IndexError, TypeError, ValueError)


def make(data, zarr_format=3, dimension_names=None):
    shape = data.draw(shapes(max_dims=4, max_side=7), label="shape")
    chunks = data.draw(chunks_for(shape), label="chunks")
    x = (np.arange(int(np.prod(shape)), dtype=np.int32) + 1).reshape(shape)
    a = zarrc.create_array(None, shape=shape, dtype="int32", chunks=chunks,
                           zarr_format=zarr_format, fill_value=0,
                           dimension_names=dimension_names)
    a[...] = x
    return a, x


@st.composite
def any_selection(draw, shape):
    """Any NumPy selection; sometimes with an ``...`` that expands to no axes (a separator)."""
    sel = draw(selections(shape) | basic_selections(shape))
    if isinstance(sel, tuple) and not any(s is Ellipsis for s in sel) and draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(sel)))
        sel = sel[:at] + (Ellipsis,) + sel[at:]
    return sel


def draw_chain(data, shape):
    """1 to 3 selections, each valid for the result of the ones before (as NumPy sees it)."""
    probe = np.zeros(shape, dtype=np.int8)
    chain = []
    for _ in range(data.draw(st.integers(1, 3), label="length")):
        sel = data.draw(any_selection(probe.shape), label="sel")
        chain.append(sel)
        try:
            probe = probe[sel]
        except NUMPY_ERRORS:
            return chain, len(chain) - 1
    return chain, None


def compose(a, chain, from_full_view):
    """``a.lazy[s1].lazy[s2]...``; from ``a.lazy[...]`` to force the composed (mapped) path."""
    view = a.lazy[...] if from_full_view else None
    for sel in chain:
        view = view.lazy[sel] if view is not None else a.lazy[sel]
    return view


def same(got, expected):
    assert isinstance(got, np.ndarray)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    assert got.flags.c_contiguous
    np.testing.assert_array_equal(got, expected)


@SETTINGS
@given(st.data(), st.booleans())
def test_composed_views_read_as_numpy(data, from_full_view):
    a, x = make(data)
    chain, failing = draw_chain(data, x.shape)
    if failing is not None:
        with pytest.raises(NUMPY_ERRORS):
            compose(a, chain, from_full_view)
        return
    expected = x
    for sel in chain:
        expected = expected[sel]
    view = compose(a, chain, from_full_view)
    assert isinstance(view, zarrc.LazyArray)
    assert view.shape == expected.shape
    assert view.ndim == expected.ndim and view.size == expected.size
    assert view.dtype == expected.dtype
    if expected.ndim:
        assert len(view) == len(expected)
    same(view.read(), expected)
    same(view[...], expected)
    same(np.asarray(view), expected)
    frame = np.full((2,) + expected.shape, -1, dtype="int64")  # out: a strided, wider view
    out = frame[1, ...]  # (Ellipsis: a 0-d view for a 0-d result, not a scalar)
    assert view.read(out=out) is out
    np.testing.assert_array_equal(out, expected)
    assert (frame[0] == -1).all()


@SETTINGS
@given(st.data(), st.booleans(), st.sampled_from([2, 3]))
def test_writes_through_composed_views(data, from_full_view, zarr_format):
    a, x = make(data, zarr_format)
    chain, failing = draw_chain(data, x.shape)
    if failing is not None:
        return
    # The oracle: which elements of x the chain names (a write through a view sets those,
    # as if each selection were a view), then NumPy's assignment with last-write-wins.
    positions = np.arange(x.size).reshape(x.shape)
    for sel in chain:
        positions = positions[sel]
    if data.draw(st.booleans(), label="scalar value"):
        value = np.int32(-7)
    else:
        value = -np.arange(positions.size, dtype=np.int32).reshape(positions.shape) - 1
    flat = x.reshape(-1)
    flat[positions] = np.broadcast_to(value, positions.shape)
    view = compose(a, chain[:-1], from_full_view) if len(chain) > 1 or from_full_view else None
    if view is None:
        a.lazy[chain[-1]] = value
    elif data.draw(st.booleans(), label="assign through .lazy"):
        view.lazy[chain[-1]] = value
    else:
        view[chain[-1]] = value
    same(a[...], x)


@SETTINGS
@given(st.data())
def test_write_then_read_through_the_same_view(data):
    a, x = make(data)
    chain, failing = draw_chain(data, x.shape)
    if failing is not None:
        return
    view = compose(a, chain, True)
    positions = np.arange(x.size).reshape(x.shape)
    for sel in chain:
        positions = positions[sel]
    value = np.float64(-2.9)  # cast as NumPy casts on assignment
    view[...] = value
    x.reshape(-1)[positions] = value
    same(view.read(), x.reshape(-1)[positions])
    same(a[...], x)


def test_bad_value_stores_nothing():
    a = zarrc.array(np.arange(12, dtype=np.int32).reshape(3, 4), chunks=(2, 2))
    view = a.lazy[::2].lazy[:, [0, 3]]
    before = a[...]
    with pytest.raises(ValueError):
        view[...] = np.ones((3, 3))
    with pytest.raises(ValueError):
        view[...] = "not a number"
    same(a[...], before)


def test_read_into_out_checks_it_as_numpy_does():
    a = zarrc.create_array(None, shape=(6, 8), chunks=(4, 4), dtype="f4")
    a[...] = np.arange(48, dtype="f4").reshape(6, 8)
    view = a.lazy[1:5, ::2]
    out = np.empty((4, 4), "f4")
    assert view.read(out=out) is out
    np.testing.assert_array_equal(out, np.arange(48, dtype="f4").reshape(6, 8)[1:5, ::2])
    with pytest.raises(ValueError, match="shape"):
        view.read(out=np.empty((4, 3), "f4"))
    with pytest.raises(TypeError, match="float32.*int16"):
        view.read(out=np.empty((4, 4), "i2"))


def test_no_store_access_before_materialization():
    store = CountingStore()
    x = np.arange(6 * 7 * 5, dtype=np.int16).reshape(6, 7, 5)
    a = zarrc.create_array(store, shape=x.shape, dtype=x.dtype, chunks=(2, 3, 2),
                           dimension_names=["t", "y", "x"])
    a[...] = x
    store.calls = 0
    view = a.lazy[1:, ::-2, None].lazy[[0, 2, 2], :, 0].lazy[..., [True, False, True, True, False]]
    view = view.lazy[::-1].isel(y=slice(1, None))
    sub = a.lazy.isel(t=3).lazy[:, [4, 0]]
    assert (view.shape, view.ndim, view.dtype, view.size, len(view)) == ((3, 3, 3), 3, x.dtype,
                                                                          27, 3)
    assert view.dimension_names == ("t", "y", "x")
    repr(view), repr(sub), repr(a.lazy)
    assert store.calls == 0
    same(view.read(), x[1:, ::-2, None][[0, 2, 2], :, 0][..., [True, False, True, True, False]]
         [::-1][:, 1:])
    assert store.calls > 0
    calls = store.calls
    same(sub[...], x[3][:, [4, 0]])
    assert store.calls > calls


def test_view_of_a_view_is_one_view_of_the_array():
    a = zarrc.array(np.arange(100).reshape(10, 10), chunks=(3, 3))
    view = a.lazy[2:].lazy[::3].lazy[1, ::-1]
    assert view.array is a
    same(view.read(), np.arange(100).reshape(10, 10)[2:][::3][1, ::-1])


def test_array_protocol_len_iter_and_repr():
    x = np.arange(24, dtype=np.uint8).reshape(4, 6)
    a = zarrc.array(x, chunks=(3, 4))
    view = a.lazy[::-1, 1:]
    with pytest.raises(ValueError):
        np.array(view, copy=False)
    same(np.array(view, dtype=np.float32), x[::-1, 1:].astype(np.float32))
    rows = list(view)
    assert len(rows) == len(view) == 4
    for got, want in zip(rows, x[::-1, 1:]):
        same(got, want)
    assert "LazyArray" in repr(view) and "(4, 5)" in repr(view)
    scalar = view.lazy[0, 0]
    assert scalar.shape == () and scalar.read() == x[-1, 1]
    with pytest.raises(TypeError):
        len(scalar)
    with pytest.raises(TypeError):
        iter(scalar)


def test_index_errors_are_raised_when_the_view_is_made():
    a = zarrc.array(np.arange(12).reshape(3, 4))
    view = a.lazy[1:]
    with pytest.raises(IndexError):
        view.lazy[2]
    with pytest.raises(IndexError):
        view.lazy[:, [4]]
    with pytest.raises(IndexError):
        view.lazy[0, 0, 0]
    with pytest.raises(IndexError):
        view.lazy[[0, 1], [[0, 1, 2]]][..., [True]]


def test_read_only_array_refuses_writes_through_a_view():
    store = MemoryStore()
    zarrc.array(np.arange(4), store=store)
    a = zarrc.open_array(store, mode="r")
    view = a.lazy[1:].lazy[[0, 1]]
    with pytest.raises(ReadOnlyError):
        view[...] = 0
    with pytest.raises(ReadOnlyError):
        a.lazy[:2] = 0
    same(a[...], np.arange(4))


# -- isel -------------------------------------------------------------------------------------
def named(names=("time", "lat", "lon")):
    x = np.arange(40 * 6 * 5, dtype=np.float32).reshape(40, 6, 5)
    return zarrc.array(x, chunks=(16, 4, 5), dimension_names=list(names)), x


def test_isel_selects_by_dimension_name():
    a, x = named()
    same(a.isel(time=slice(0, 30), lat=5), x[0:30, 5])
    same(a.isel(lon=[4, 0, 4]), x[:, :, [4, 0, 4]])
    same(a.isel(), x)
    same(a.lazy.isel(lat=-1, time=slice(None, None, -7)).read(), x[::-7, -1])


def test_isel_unknown_name_lists_the_known_ones():
    a, _ = named()
    with pytest.raises(KeyError) as info:
        a.isel(depth=0)
    assert all(name in str(info.value) for name in ("depth", "time", "lat", "lon"))
    with pytest.raises(KeyError):
        a.lazy.isel(depth=0)


def test_isel_without_dimension_names():
    a = zarrc.array(np.zeros((2, 3)))
    with pytest.raises(KeyError, match="dimension_names"):
        a.isel(time=0)
    with pytest.raises(KeyError, match="dimension_names"):
        a.lazy[0].isel(time=0)
    assert a.lazy[0].dimension_names is None


def test_names_follow_the_view():
    a, x = named()
    view = a.lazy[None, 3, :, ::2]
    assert view.dimension_names == (None, "lat", "lon")
    same(view.isel(lon=1).read(), x[None, 3, :, ::2][:, :, 1])
    with pytest.raises(KeyError, match="time"):
        view.isel(time=0)
    assert a.lazy[:, [1, 2]].dimension_names == ("time", "lat", "lon")
    assert a.lazy[:, [1, 2], [0, 1]].dimension_names == ("time", None)
    assert a.lazy[[True] * 40, 0].dimension_names == ("time", "lon")
    same(a.lazy[[1, 2, 1]].isel(time=[2, 0]).read(), x[[1, 2, 1]][[2, 0]])
