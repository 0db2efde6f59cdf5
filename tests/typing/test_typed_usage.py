"""Typed usage of the public API: mypy checks the ``assert_type`` lines (scripts/test.sh runs
mypy on this file), and pytest runs them, so the signatures they pin cannot rot unseen.

``assert_type`` does nothing at run time; each test also asserts the runtime type, so a wrong
annotation fails one of the two checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import assert_type

import zarrc
from zarrc.engine.stream import ReadStream
from zarrc.storage import MemoryStore


def _array() -> zarrc.Array:
    a = zarrc.create_array(MemoryStore(), shape=(4, 6), chunks=(2, 3), dtype="i4")
    a[...] = np.arange(24, dtype="i4").reshape(4, 6)
    return a


def test_open_array_returns_an_array() -> None:
    store = MemoryStore()
    zarrc.create_array(store, name="a", shape=(3,), dtype="f8")
    a = zarrc.open_array(store, path="a", mode="r")
    assert_type(a, zarrc.Array)
    assert isinstance(a, zarrc.Array)
    assert_type(a.shape, tuple[int, ...])
    assert a.shape == (3,)
    assert_type(a.dtype, np.dtype[Any])
    assert a.dtype == np.dtype("f8")


def test_getitem_returns_an_ndarray_also_for_a_scalar_selection() -> None:
    a = _array()
    block = a[1:3, ::2]
    assert_type(block, npt.NDArray[Any])
    np.testing.assert_array_equal(block, np.arange(24).reshape(4, 6)[1:3, ::2])
    item = a[1, 2]  # NumPy-faithful: a 0-d array, typed as an ndarray too
    assert_type(item, npt.NDArray[Any])
    assert isinstance(item, np.ndarray) and item.shape == () and item == 8


def test_oindex_and_vindex_return_ndarrays() -> None:
    a = _array()
    outer = a.oindex[[0, 3], [1, 2]]
    assert_type(outer, npt.NDArray[Any])
    np.testing.assert_array_equal(outer, [[1, 2], [19, 20]])
    points = a.vindex[[0, 3], [1, 2]]
    assert_type(points, npt.NDArray[Any])
    np.testing.assert_array_equal(points, [1, 20])


def test_iter_chunks_yields_regions_of_slices_and_ndarrays() -> None:
    a = _array()
    stream = a.iter_chunks()
    assert_type(stream, ReadStream)
    iterator: Iterator[tuple[tuple[slice, ...], npt.NDArray[Any]]] = stream
    seen = 0
    with stream:
        for region, data in iterator:
            assert_type(region, tuple[slice, ...])
            assert_type(data, npt.NDArray[Any])
            assert all(isinstance(s, slice) for s in region)
            np.testing.assert_array_equal(data, a[region])
            seen += 1
    assert seen == 4


def test_open_group_and_its_members() -> None:
    store = MemoryStore()
    g = zarrc.open_group(store, mode="w")
    assert_type(g, zarrc.Group)
    assert isinstance(g, zarrc.Group)
    g.create_array("x", shape=(2,), dtype="f8")
    g.create_group("sub")
    member = g["x"]
    assert_type(member, zarrc.Array | zarrc.Group)
    assert isinstance(member, zarrc.Array)
    assert isinstance(g["sub"], zarrc.Group)


def test_lazy_views_compose_and_read_ndarrays() -> None:
    a = _array()
    view = a.lazy[1:, ::2].lazy[np.array([0, 2])]
    assert_type(view, zarrc.LazyArray)
    assert isinstance(view, zarrc.LazyArray)
    assert_type(view.shape, tuple[int, ...])
    assert view.shape == (2, 3)
    data = view[:, 1]
    assert_type(data, npt.NDArray[Any])
    np.testing.assert_array_equal(data, np.arange(24).reshape(4, 6)[1:, ::2][[0, 2]][:, 1])
    assert_type(view.read(), npt.NDArray[Any])
    assert_type(view.dimension_names, tuple[str | None, ...] | None)
