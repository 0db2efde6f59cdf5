"""NumPy's rules for selections that select nothing (issue 12, item 7), NumPy as the oracle.

NumPy broadcasts the index arrays of an advanced selection (a 0-d boolean counts as an array
of one element for True, none for False; a boolean array as its nonzero positions); when they
broadcast to no element, their values are never used and not checked against the bounds.
A boolean array's axis of length 0 fits an axis of any length. Scalar integers are always
checked. ``a[sel]``, ``a[sel] = v`` and ``a.lazy[sel]`` follow the same rules.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarrc

ERRORS = (IndexError, TypeError, ValueError)


def _array(shape):
    x = (np.arange(int(np.prod(shape)), dtype=np.int32) + 1).reshape(shape)
    a = zarrc.create_array(None, shape=shape, dtype="int32",
                           chunks=tuple(max(1, n // 2) for n in shape) or (), fill_value=0)
    a[...] = x
    return a, x


def _outcome(fn):
    try:
        return fn(), None
    except ERRORS as exc:
        return None, exc


def _check_read(a, x, sel):
    expected, error = _outcome(lambda: x[sel])
    for read in (lambda: a[sel], lambda: a.lazy[sel][...]):
        got, got_error = _outcome(read)
        if error is not None:
            assert got_error is not None, f"NumPy raised {error!r}, zarrc returned {got!r}"
            assert isinstance(got_error, type(error))  # zarrc's may be a subclass
        else:
            assert got_error is None, f"NumPy gave shape {expected.shape}, zarrc {got_error!r}"
            assert got.shape == expected.shape and got.dtype == expected.dtype
            np.testing.assert_array_equal(got, expected)


def _check_write(a, x, sel, value):
    y = x.copy()
    _, error = _outcome(lambda: y.__setitem__(sel, value))
    _, got_error = _outcome(lambda: a.__setitem__(sel, value))
    if error is not None:
        assert got_error is not None and isinstance(got_error, type(error))
    else:
        assert got_error is None, repr(got_error)
    np.testing.assert_array_equal(a[...], y)


ISSUE_CASES = [  # (shape, selection): the two cases of the issue and their relatives
    ((0,), (np.False_, np.array([0]))),
    ((0, 1), (np.False_, Ellipsis, np.array([], dtype=bool))),
    ((2, 3), (np.array([], dtype=int), np.array([7]))),
    ((2, 3), (np.array([[]], dtype=int), np.array([[7], [8]]))),
    ((2, 3), (np.False_, np.array([7]))),
    ((2, 3), (np.False_, slice(None), np.array([7]))),
    ((2, 3), (np.zeros((0,), bool), np.array([9]))),
    ((2, 3), (np.zeros((0, 3), bool),)),
    ((2, 3), (np.zeros((2, 0), bool),)),
    ((2, 3), (np.zeros((0, 5), bool),)),  # NumPy: IndexError (5 does not fit 3)
    ((2, 3), (np.zeros((0,), bool), 9)),  # NumPy: IndexError (scalars are always checked)
    ((2, 3), (np.False_, 5)),  # NumPy: IndexError
    ((0,), (np.True_, np.array([0]))),  # NumPy: IndexError (one element is selected)
    ((0, 3), (slice(None), np.array([5]))),  # NumPy: IndexError
    ((2, 1), (np.array([False, False]), np.array([[5]]))),
    ((2, 0), (np.array([0]), np.array([0]))),  # NumPy: IndexError
]


@pytest.mark.parametrize("shape, sel", ISSUE_CASES)
def test_the_issue_cases_read_and_write_as_numpy(shape, sel):
    a, x = _array(shape)
    _check_read(a, x, sel)
    _check_write(a, x, sel, -1)


def test_the_issue_cases_give_empty_results():
    a, _ = _array((0,))
    assert a[np.False_, np.array([0])].shape == (0,)
    b, _ = _array((0, 1))
    assert b[np.False_, ..., np.array([], dtype=bool)].shape == (0, 0)


@st.composite
def _empty_prone_selections(draw, shape):
    """Selections mixing empty index arrays, out-of-bounds ones, 0-d booleans and boolean
    arrays with zero-length axes: where NumPy's empty-result rules decide."""
    items = []
    axis = 0
    while axis < len(shape) and len(items) < len(shape) + 2:
        n = shape[axis]
        kind = draw(st.sampled_from(["int_array", "empty", "bool_array", "bool_scalar",
                                     "slice", "int", "none"]))
        if kind == "int_array":
            length = draw(st.integers(0, 3))
            items.append(np.array(draw(st.lists(st.integers(-n - 2, n + 2), min_size=length,
                                                max_size=length)), dtype=np.intp))
            axis += 1
        elif kind == "empty":
            items.append(np.zeros(draw(st.sampled_from([(0,), (0, 1), (1, 0)])), np.intp))
            axis += 1
        elif kind == "bool_array":
            size = draw(st.sampled_from([0, n, n + 1]))
            items.append(np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)),
                                  dtype=bool))
            axis += 1
        elif kind == "bool_scalar":
            items.append(np.bool_(draw(st.booleans())))
        elif kind == "slice":
            items.append(slice(draw(st.integers(-n - 1, n + 1)), None))
            axis += 1
        elif kind == "int":
            items.append(draw(st.integers(-n - 1, n)))
            axis += 1
        else:
            items.append(None)
    if draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), Ellipsis)
    return tuple(items)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_reads_and_writes_match_numpy_where_results_are_empty(data):
    shape = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=3).map(tuple),
                      label="shape")
    a, x = _array(shape)
    sel = data.draw(_empty_prone_selections(shape), label="sel")
    _check_read(a, x, sel)
    _check_write(a, x, sel, -1)
