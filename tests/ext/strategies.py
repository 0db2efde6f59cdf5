"""Hypothesis strategies for the kernel tests: dtypes of many itemsizes and strided views."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

# itemsizes 1, 2, 4, 8, 16 (the fast paths) and odd sizes that take the generic path
DTYPES = ["u1", "i2", "f4", ">f4", "f8", "c16", "S3", "V5", "S7", "V24", "M8[s]"]
STEPS = [1, 2, 3, -1, -2]

dtypes = st.sampled_from(DTYPES).map(np.dtype)
shapes = st.lists(st.integers(0, 5), min_size=0, max_size=4).map(tuple)
seeds = st.integers(0, 2**32 - 1)


def random_array(rng: np.random.Generator, shape, dtype: np.dtype) -> np.ndarray:
    """A C-ordered array of random bytes (any dtype, NaNs included)."""
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    return rng.integers(0, 256, nbytes, dtype=np.uint8).view(dtype).reshape(shape)


@st.composite
def strided_views(draw, shape, dtype):
    """(base, view, replay): `view` has `shape` and is a strided, possibly reversed, transposed
    view of the random C-ordered `base`; ``replay(other)`` takes the same view of a copy of base
    (so the twin can run on it and writes outside the view show up in the bases)."""
    ndim = len(shape)
    steps = [draw(st.sampled_from(STEPS)) for _ in range(ndim)]
    offsets = [draw(st.integers(0, 2)) for _ in range(ndim)]
    order = draw(st.permutations(range(ndim))) if ndim else []
    spans = [n * abs(k) + off for n, k, off in zip(shape, steps, offsets)]
    rng = np.random.default_rng(draw(seeds))
    # allocate in permuted order, then transpose back: memory order differs from index order
    base = random_array(rng, [spans[ax] for ax in order], dtype)

    def replay(b: np.ndarray) -> np.ndarray:
        v = b.transpose(np.argsort(order).tolist())
        v = v[tuple(slice(o, o + n * abs(k)) for n, k, o in zip(shape, steps, offsets)) + (...,)]
        return v[tuple(slice(None, None, k) for k in steps) + (...,)]

    view = replay(base)
    assert view.shape == tuple(shape)
    return base, view, replay


@st.composite
def sources(draw, shape, dtype):
    """A source of `shape`: a strided view, or a broadcast (zero-stride) view of a smaller one."""
    if draw(st.booleans()):
        return draw(strided_views(shape, dtype))[1]
    small = tuple(1 if draw(st.booleans()) else n for n in shape)
    _, view, _ = draw(strided_views(small, dtype))
    return np.broadcast_to(view, shape)


def same_bytes(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal shapes and item bytes (NaN payloads, padding and all)."""
    return a.shape == b.shape and np.ascontiguousarray(a).tobytes() == (
        np.ascontiguousarray(b).tobytes())
