"""Selections planned as chunk projections reassemble exactly what NumPy selects (no I/O)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zarrc.indexing import (
    count_chunks,
    iter_chunk_projections,
    normalize_block_selection,
    normalize_orthogonal_selection,
    normalize_selection,
)
from zarrc.testing.strategies import chunks_for, orthogonal_selections, selections, shapes


def chunked(x: np.ndarray, chunks: tuple):
    """A function giving chunk ``coords`` of ``x`` padded to the full chunk shape with -1."""
    def get(coords):
        region = tuple(slice(i * c, (i + 1) * c) for i, c in zip(coords, chunks))
        out = np.full(chunks, -1, dtype=x.dtype)
        part = x[region]
        out[tuple(slice(0, n) for n in part.shape)] = part
        return out
    return get


def assemble(x: np.ndarray, sel, chunks: tuple) -> np.ndarray:
    """Read ``sel`` of ``x`` the way the engine does, from chunk projections only."""
    get = chunked(x, chunks)
    box = np.full(sel.box_shape, -2, dtype=x.dtype)
    seen = 0
    for proj in iter_chunk_projections(sel.dims, x.shape, chunks):
        chunk = get(proj.coords)
        view, axis = chunk, 0
        for item in proj.local:
            if isinstance(item, (int, np.integer)):
                view = np.take(view, item, axis=axis)
            else:
                view = np.take(view, np.arange(view.shape[axis])[item], axis=axis)
                axis += 1
        if proj.scattered:  # ordered index arrays: values go to scattered places
            box[np.ix_(*[b if isinstance(b, np.ndarray) else np.arange(n)[b]
                         for b, n in zip(proj.box, box.shape)])] = view
        else:
            box[proj.box] = view
        seen += 1
    if box.size:
        assert seen == count_chunks(sel.dims, x.shape, chunks)
    out = box if sel.post is None else box[sel.post]
    return out.reshape(sel.out_shape)


def numpy_or_error(x, sel):
    try:
        return x[sel], None
    except (IndexError, TypeError, ValueError) as exc:
        return None, exc


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_selection_matches_numpy(data):
    shape = data.draw(shapes())
    chunks = data.draw(chunks_for(shape))
    x = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    sel = data.draw(selections(shape))
    expected, error = numpy_or_error(x, sel)
    if error is not None:
        with pytest.raises(type(error)):
            normalize_selection(sel, shape)
        return
    got = assemble(x, normalize_selection(sel, shape), chunks)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@settings(max_examples=200, deadline=None)
@given(st.data(), st.booleans())
def test_orthogonal_selection_matches_ix(data, scatter):
    shape = data.draw(shapes(max_dims=3))
    chunks = data.draw(chunks_for(shape))
    x = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    sel = data.draw(orthogonal_selections(shape))
    # The oracle: apply each axis's selection on its own, last axis first.
    expected = x
    for axis in reversed(range(len(shape))):
        item = sel[axis]
        if isinstance(item, np.ndarray) and item.dtype == bool:
            item = np.flatnonzero(item)
        expected = expected[(slice(None),) * axis + (item,)]
    got = assemble(x, normalize_orthogonal_selection(sel, shape, scatter=scatter), chunks)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("sel, expected", [
    ((0, 1), (slice(0, 4), slice(3, 6))),
    ((slice(1, None), -1), (slice(4, 10), slice(9, 10))),
    ((Ellipsis,), (slice(0, 10), slice(0, 10))),
])
def test_block_selection_in_array_coordinates(sel, expected):
    assert normalize_block_selection(sel, (10, 10), (4, 3)) == expected


@pytest.mark.parametrize("sel, error", [
    ((5, 0), IndexError),  # only 3 blocks along axis 0
    ((slice(0, 2, 2),), IndexError),
    (([0, 1],), IndexError),
])
def test_block_selection_errors(sel, error):
    with pytest.raises(error):
        normalize_block_selection(sel, (10, 10), (4, 3))


@pytest.mark.parametrize("sel", [1.5, "a", (0, 0, 0), (Ellipsis, Ellipsis), np.array([1.0]),
                                 (slice(None), [[True, False]])])
def test_invalid_selections_raise_like_numpy(sel):
    x = np.zeros((3, 4))
    with pytest.raises(IndexError) as numpy_error:
        x[sel]
    with pytest.raises(IndexError) as ours:
        normalize_selection(sel, x.shape)
    assert type(ours.value) is type(numpy_error.value)


def test_negative_step_visits_chunks_backwards():
    sel = normalize_selection(np.s_[::-1], (10,))
    coords = [p.coords for p in iter_chunk_projections(sel.dims, (10,), (4,))]
    assert coords == [(2,), (1,), (0,)]
