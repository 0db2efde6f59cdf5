"""The planning cost of selections: normalize, then project onto the chunk grid. No I/O.

The array is virtual (a shape and a chunk shape), so the numbers are pure indexing overhead,
the part of every read and write that is not decoding or copying.
"""

import collections

import numpy as np

from zarrc.indexing import count_chunks, iter_chunk_projections, normalize_selection

SHAPE = (10_000, 10_000)
CHUNKS = (250, 250)


def _selections():
    rng = np.random.default_rng(7)
    rows = rng.integers(0, SHAPE[0], 2_000)
    return {
        "basic": (slice(1_000, 9_000), slice(2_000, 6_000)),
        "strided": (slice(None, None, 7), slice(17, -17, 3)),
        "negative": (slice(None, None, -3), slice(-9_000, -1_000)),
        "step_over_chunk": (slice(3, None, 300), slice(None, None, 400)),
        "int_and_slice": (5_000, slice(100, 9_000)),
        "fancy_sorted": (np.unique(rows), slice(None, 5_000)),
        "fancy_unsorted": (rows, slice(None, 5_000)),
        "bool_mask": (rng.random(SHAPE[0]) < 0.2, slice(0, 1_000)),
        "fancy_2d": (rows[:1_000], rng.integers(0, SHAPE[1], 1_000)),
    }


SELECTIONS = _selections()


class Plan:
    params = list(SELECTIONS)
    param_names = ["selection"]

    def setup(self, selection):
        self.selection = SELECTIONS[selection]
        self.dims = normalize_selection(self.selection, SHAPE).dims

    def time_normalize(self, selection):
        normalize_selection(self.selection, SHAPE)

    def time_project(self, selection):
        collections.deque(iter_chunk_projections(self.dims, SHAPE, CHUNKS), maxlen=0)

    def track_chunks(self, selection):
        """Chunks the selection touches (what time_project is proportional to)."""
        return count_chunks(self.dims, SHAPE, CHUNKS)

    track_chunks.unit = "chunks"
