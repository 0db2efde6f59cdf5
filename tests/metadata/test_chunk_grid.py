"""Shapes, chunk normalisation and the regular grid, against the spec and zarr-python 3."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zarrc.errors import MetadataError
from zarrc.metadata import RegularChunkGrid, normalize_chunks, normalize_shape, parse_chunk_grid

zarr_chunk_grids = pytest.importorskip("zarr.core.chunk_grids")


def test_grid_shape_is_ceil_division_spec_example():
    # v3 regular grid spec: shape (10, 200, 3000), chunks (5, 20, 400) -> grid (2, 10, 8)
    grid = RegularChunkGrid((5, 20, 400))
    assert grid.grid_shape((10, 200, 3000)) == (2, 10, 8)
    assert grid.nchunks((10, 200, 3000)) == 160


@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(1, 300)), max_size=4))
def test_grid_shape_matches_numpy_ceil(dims):
    shape = tuple(n for n, _ in dims)
    chunks = tuple(c for _, c in dims)
    expected = tuple(int(np.ceil(n / c)) for n, c in dims)
    assert RegularChunkGrid(chunks).grid_shape(shape) == expected


def test_zero_length_dims_have_no_chunks():
    assert RegularChunkGrid((4, 3)).grid_shape((0, 7)) == (0, 3)
    assert RegularChunkGrid((0,)).grid_shape((0,)) == (0,)
    with pytest.raises(ValueError):
        RegularChunkGrid((0,)).grid_shape((5,))
    with pytest.raises(ValueError):
        RegularChunkGrid((2,)).grid_shape((5, 5))


def test_grid_to_json_and_parse():
    grid = RegularChunkGrid((2, 5))
    doc = grid.to_json()
    assert doc == {"name": "regular", "configuration": {"chunk_shape": [2, 5]}}
    assert parse_chunk_grid(doc, 2, "zarr.json") == grid
    assert RegularChunkGrid(()).to_json()["configuration"]["chunk_shape"] == []


@pytest.mark.parametrize("obj, match", [
    ({"name": "rectilinear", "configuration": {"chunk_shapes": [[1]]}}, "kind"),
    ({"name": "hexagonal", "configuration": {}}, "unknown chunk grid"),
    ({"name": "regular"}, "chunk_shape"),
    ({"name": "regular", "configuration": {"chunk_shape": [2]}}, "dimensions"),
    ({"name": "regular", "configuration": {"chunk_shape": [2, 0]}}, ">= 1"),
    ({"name": "regular", "configuration": {"chunk_shape": [2, -3]}}, ">= 1"),
    ({"name": "regular", "configuration": {"chunk_shape": [2, 2.0]}}, "integers"),
    ({"name": "regular", "configuration": {"chunk_shape": [2, True]}}, "integers"),
    ({"name": "regular", "configuration": {"chunk_shape": "2,2"}}, "array of integers"),
    ({"name": "regular", "configuration": {"chunk_shape": [2**62, 2**62]}}, "overflows"),
    ({"name": "regular", "configuration": {"chunk_shape": [2, 2], "x": 1}}, "unexpected"),
    ({"configuration": {"chunk_shape": [2, 2]}}, "chunk_grid.name"),
    ([2, 2], "expected a JSON object"),
])
def test_parse_chunk_grid_rejects(obj, match):
    with pytest.raises(MetadataError, match=match) as info:
        parse_chunk_grid(obj, 2, "a/zarr.json")
    assert "a/zarr.json" in str(info.value) and "chunk_grid" in str(info.value)


# --------------------------------------------------------------------------- normalize_shape


@pytest.mark.parametrize("shape, expected", [
    (5, (5,)), ((), ()), ([3, 4], (3, 4)), ((np.int64(2), 0), (2, 0)), (range(3), (0, 1, 2)),
    (np.array([4, 5]), (4, 5)),
])
def test_normalize_shape(shape, expected):
    out = normalize_shape(shape)
    assert out == expected and all(type(n) is int for n in out)


@pytest.mark.parametrize("shape", [-1, (3, -1), (2.5,), ("3",), "3", (True,), True, None,
                                   (2**63,), (2**32, 2**32), (2**62, 4), {"a": 1}])
def test_normalize_shape_rejects_at_once(shape):
    with pytest.raises(ValueError):
        normalize_shape(shape)


# --------------------------------------------------------------------------- normalize_chunks


@given(shape=st.lists(st.integers(0, 10**6), max_size=4).map(tuple),
       itemsize=st.sampled_from([1, 2, 4, 8, 16, 100]))
def test_auto_chunks_match_zarr_python_guess(shape, itemsize):
    ours = normalize_chunks("auto", shape, itemsize)
    assert ours == zarr_chunk_grids._guess_chunks(shape, itemsize)
    assert all(c >= 1 for c in ours) and len(ours) == len(shape)
    assert normalize_chunks(None, shape, itemsize) == ours == normalize_chunks(True, shape,
                                                                               itemsize)


def test_auto_chunks_are_about_a_megabyte_or_less():
    chunks = normalize_chunks("auto", (10000, 10000), 8)
    assert chunks == (313, 625)  # the oracle: zarr.create_array(..., chunks="auto")
    assert math.prod(chunks) * 8 <= 2 * 1024 * 1024


@pytest.mark.parametrize("chunks, shape, expected", [
    (False, (10, 0), (10, 1)),
    (4, (10, 20), (4, 4)),
    (np.int32(4), (10,), (4,)),
    (-1, (10, 20), (10, 20)),
    ((5, -1), (10, 20), (5, 20)),
    ((None, 3), (10, 20), (10, 3)),
    ([5, 7], (10, 20), (5, 7)),
    ((50, 50), (10, 20), (50, 50)),  # larger than the array is fine
    (((5, 5), (7, 7, 6)), (10, 20), (5, 7)),  # dask-style
    (3, (), ()),
    ((), (), ()),
])
def test_normalize_chunks(chunks, shape, expected):
    out = normalize_chunks(chunks, shape, 4)
    assert out == expected and all(type(c) is int for c in out)


@pytest.mark.parametrize("chunks, shape", [
    (0, (10,)), ((0, 5), (10, 10)), ((-2,), (10,)), ((5,), (10, 10)), ((5, 5, 5), (10, 10)),
    ((True, 5), (10, 10)), ((2.5,), (10,)), ("big", (10,)), (((5, 4, 5),), (14,)),
    (((5, 6),), (11,)), ((2**32, 2**32), (10, 10)), (object(), (10,)),
])
def test_normalize_chunks_rejects(chunks, shape):
    with pytest.raises(ValueError):
        normalize_chunks(chunks, shape, 4)
