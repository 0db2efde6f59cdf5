"""Projection over rectilinear (irregular) chunk grids reassembles what NumPy selects."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zarrc.indexing import (
    group_points,
    iter_chunk_projections,
    normalize_orthogonal_selection,
    normalize_point_selection,
    normalize_selection,
)
from zarrc.testing.strategies import (
    coordinate_selections,
    orthogonal_selections,
    selections,
    shapes,
)


def edges_for(n: int) -> st.SearchStrategy:
    """Edge lengths covering ``n`` exactly, as int64 offsets (a dimension's grid)."""
    if n == 0:
        return st.just(np.array([0], dtype=np.int64))

    def build(draw):
        edges, left = [], n
        while left > 0:
            e = draw(st.integers(1, max(1, left)))
            edges.append(e)
            left -= e
        return np.concatenate(([0], np.cumsum(edges))).astype(np.int64)
    return st.composite(lambda draw: build(draw))()


def assemble(x, sel, grids):
    box = np.full(sel.box_shape, -2, dtype=x.dtype)
    for proj in iter_chunk_projections(sel.dims, x.shape, grids):
        region = tuple(slice(int(g[c]), int(g[c + 1])) for g, c in zip(grids, proj.coords))
        view, axis = x[region], 0
        for item in proj.local:
            if isinstance(item, (int, np.integer)):
                view = np.take(view, item, axis=axis)
            else:
                view = np.take(view, np.arange(view.shape[axis])[item], axis=axis)
                axis += 1
        if proj.scattered:
            box[np.ix_(*[b if isinstance(b, np.ndarray) else np.arange(n)[b]
                         for b, n in zip(proj.box, box.shape)])] = view
        else:
            box[proj.box] = view
    out = box if sel.post is None else box[sel.post]
    return out.reshape(sel.out_shape)


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.data())
def test_selections_over_irregular_chunks(data):
    shape = data.draw(shapes(max_dims=3))
    grids = tuple(data.draw(edges_for(n)) for n in shape)
    x = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    sel = data.draw(selections(shape))
    try:
        expected = x[sel]
    except (IndexError, TypeError, ValueError):
        return
    np.testing.assert_array_equal(assemble(x, normalize_selection(sel, shape), grids), expected)
    osel = data.draw(orthogonal_selections(shape))
    ref = x
    for axis in reversed(range(x.ndim)):
        item = osel[axis]
        if isinstance(item, np.ndarray) and item.dtype == bool:
            item = np.flatnonzero(item)
        ref = ref[(slice(None),) * axis + (item,)]
    got = assemble(x, normalize_orthogonal_selection(osel, shape), grids)
    np.testing.assert_array_equal(got, ref)


@SETTINGS
@given(st.data())
def test_points_over_irregular_chunks(data):
    shape = data.draw(shapes(max_dims=3).filter(lambda s: len(s) > 0))
    grids = tuple(data.draw(edges_for(n)) for n in shape)
    x = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    sel = data.draw(coordinate_selections(shape))
    points = normalize_point_selection(sel, shape)
    if points is None:
        return
    out = np.empty(points.count, dtype=x.dtype)
    for g in group_points(points.coords, grids):
        region = tuple(slice(int(gr[c]), int(gr[c + 1])) for gr, c in zip(grids, g.coords))
        out[g.positions] = x[region][g.local]
    np.testing.assert_array_equal(out.reshape(points.out_shape), x[sel])


@pytest.mark.parametrize("step", [1, -1, 3, -4])
def test_slices_cross_uneven_chunks(step):
    grid = np.array([0, 1, 5, 6, 13], dtype=np.int64)
    x = np.arange(13)
    sel = normalize_selection(np.s_[::step], (13,))
    np.testing.assert_array_equal(assemble(x, sel, (grid,)), x[::step])
