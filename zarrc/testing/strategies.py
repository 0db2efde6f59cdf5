"""Hypothesis strategies for shapes, chunkings and every kind of NumPy selection.

Used by zarrc's own property tests (NumPy is the oracle) and available to users who want to
test code built on zarrc the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

__all__ = ["shapes", "chunks_for", "basic_selections", "selections", "orthogonal_selections",
           "coordinate_selections"]


def shapes(max_dims: int = 4, max_side: int = 9) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes of 0 to ``max_dims`` dimensions, zero-size dimensions included."""
    return st.lists(st.integers(0, max_side), min_size=0, max_size=max_dims).map(tuple)


def chunks_for(shape: tuple[int, ...]) -> st.SearchStrategy[tuple[int, ...]]:
    """Chunk shapes for ``shape``: from 1 to a little past each side."""
    return st.tuples(*[st.integers(1, max(1, n + 2)) for n in shape])


def _slice(n: int) -> st.SearchStrategy[slice]:
    bound = st.none() | st.integers(-n - 3, n + 3)
    step = st.none() | st.integers(-4, 4).filter(lambda s: s != 0)
    return st.builds(slice, bound, bound, step)


def _int(n: int) -> st.SearchStrategy[int]:
    return st.integers(-n, n - 1) if n else st.nothing()


def _int_array(n: int, max_len: int = 6) -> st.SearchStrategy[npt.NDArray[np.intp]]:
    if n == 0:
        return st.just(np.array([], dtype=np.intp))
    return st.lists(st.integers(-n, n - 1), max_size=max_len).map(
        lambda v: np.array(v, dtype=np.intp))


def _bool_array(n: int) -> st.SearchStrategy[npt.NDArray[np.bool_]]:
    return st.lists(st.booleans(), min_size=n, max_size=n).map(lambda v: np.array(v, dtype=bool))


def basic_selections(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    """ints, slices (any step), ``...`` and ``None``, as NumPy takes them."""
    def build(draw: st.DrawFn) -> Any:
        items: list[Any] = []
        for n in shape:
            choices = [_slice(n)] + ([_int(n)] if n else [])
            items.append(draw(st.one_of(*choices)))
        if bool(shape) and draw(st.booleans()):  # replace a run of trailing or leading items by ...
            k = draw(st.integers(0, len(items)))
            items = items[:k] + [Ellipsis] if draw(st.booleans()) else [Ellipsis] + items[k:]
        for _ in range(draw(st.integers(0, 2))):
            items.insert(draw(st.integers(0, len(items))), None)
        if len(items) == 1 and draw(st.booleans()):
            return items[0]
        return tuple(items)
    return st.composite(lambda draw: build(draw))()


def selections(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    """Any selection NumPy accepts: basic items mixed with integer and boolean arrays."""
    def build(draw: st.DrawFn) -> Any:
        if shape and draw(st.integers(0, 9)) == 0:
            return draw(st.lists(st.booleans(), min_size=int(np.prod(shape)),
                                 max_size=int(np.prod(shape)))
                        .map(lambda v: np.array(v, dtype=bool).reshape(shape)))
        items: list[Any] = []
        n_arrays = 0
        for n in shape:
            kind = draw(st.integers(0, 5))
            if kind <= 1 or (kind == 2 and n == 0):
                items.append(draw(_slice(n)))
            elif kind == 2:
                items.append(draw(_int(n)))
            elif kind in (3, 4):
                arr = draw(_int_array(n))
                if n_arrays and draw(st.booleans()) and arr.size:
                    arr = arr.reshape(-1, 1) if draw(st.booleans()) else arr
                items.append(arr if draw(st.booleans()) else arr.tolist())
                n_arrays += 1
            else:
                items.append(draw(_bool_array(n)))
                n_arrays += 1
        if draw(st.booleans()):
            items.insert(draw(st.integers(0, len(items))), None)
        if draw(st.integers(0, 4)) == 0:  # an ... that expands to no axis, between anything
            items.insert(draw(st.integers(0, len(items))), Ellipsis)
        return tuple(items)
    return st.composite(lambda draw: build(draw))()


def orthogonal_selections(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    """Per-dimension ints, slices, 1-d integer arrays or 1-d boolean masks."""
    def build(draw: st.DrawFn) -> Any:
        items: list[Any] = []
        for n in shape:
            kind = draw(st.integers(0, 3))
            if kind == 0 or (kind == 1 and n == 0):
                items.append(draw(_slice(n)))
            elif kind == 1:
                items.append(draw(_int(n)))
            elif kind == 2:
                items.append(draw(_int_array(n)))
            else:
                items.append(draw(_bool_array(n)))
        return tuple(items)
    return st.composite(lambda draw: build(draw))()


def coordinate_selections(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    """One integer coordinate array per dimension, all of the same length."""
    def build(draw: st.DrawFn) -> Any:
        if any(n == 0 for n in shape):
            return tuple(np.array([], dtype=np.intp) for _ in shape)
        k = draw(st.integers(0, 8))
        return tuple(np.array(draw(st.lists(st.integers(-n, n - 1), min_size=k, max_size=k)),
                              dtype=np.intp) for n in shape)
    return st.composite(lambda draw: build(draw))()
