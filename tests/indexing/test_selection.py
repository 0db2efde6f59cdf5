"""Selection planning: when the box read from storage already is the result."""

import numpy as np
import pytest

from zarrc.indexing import normalize_selection


@pytest.mark.parametrize("selection, box_is_result", [
    (([1, 4, 7], slice(2, 9)), True),            # one sorted, unique index array
    ((slice(None), np.array([0, 3])), True),
    ((Ellipsis, [2, 5]), True),
    (([7, 4, 1], slice(2, 9)), False),           # unsorted: reordered afterwards
    (([1, 1, 4], slice(None)), False),           # repeats
    (([1, 4], [2, 3]), False),                   # two arrays broadcast together
    (([[1, 4]], slice(None)), False),            # a 2-d index array adds a dimension
    (([1, 4], None), False),                     # None adds a dimension
    (([1, 4], 3), False),                        # an integer among advanced indices
])
def test_box_is_the_result_only_when_numpy_would_not_reorder(selection, box_is_result):
    data = np.arange(80).reshape(8, 10)
    sel = normalize_selection(selection, data.shape)
    assert (sel.post is None) == box_is_result
    expected = data[selection]
    box = data[np.ix_(*[d.indices if hasattr(d, "indices") else
                        np.arange(d.start, d.start + d.step * d.count, d.step)
                        for d in sel.dims])]
    result = box if sel.post is None else box[sel.post]
    np.testing.assert_array_equal(result.reshape(sel.out_shape), expected)
    assert sel.out_shape == expected.shape
