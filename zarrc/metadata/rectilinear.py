"""The rectilinear (irregular) chunk grid, zarr-extensions ``chunk-grids/rectilinear``.

Each dimension has its own sequence of chunk edge lengths. In ``zarr.json``::

    "chunk_grid": {"name": "rectilinear",
                   "configuration": {"kind": "inline", "chunk_shapes": [[[2, 3]], [1, [2, 1], 3], 4]}}

An entry of ``chunk_shapes`` is either an integer (a regular step along that dimension,
repeated until the edges cover the array) or a list of edge lengths in which ``[v, n]`` stands
for ``n`` edges of length ``v`` (run-length encoding). The edges of a dimension must cover the
array along it. zarrc writes explicit edges run-length encoded wherever a run repeats.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from zarrc.metadata._common import describe, metadata_error

__all__ = ["RectilinearChunkGrid", "parse_rectilinear", "is_rectilinear_chunks", "MAX_EDGES"]

MAX_EDGES = 10_000_000  # explicit edges per dimension; more is refused, never allocated


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


@dataclass(frozen=True)
class RectilinearChunkGrid:
    """Per dimension: an int (a regular step) or a tuple of explicit edge lengths (>= 1)."""

    chunk_edges: tuple[Any, ...]

    def __post_init__(self) -> None:
        edges: list[int | tuple[int, ...]] = []
        for d, entry in enumerate(self.chunk_edges):
            step = _int(entry)
            if step is not None:
                if step < 1:
                    raise ValueError(f"rectilinear chunks: step {step} of dimension {d} is < 1")
                edges.append(step)
                continue
            explicit = [_int(e) for e in entry]
            valid = tuple(e for e in explicit if e is not None and e >= 1)
            if not explicit or len(valid) != len(explicit):
                raise ValueError(f"rectilinear chunks: dimension {d} needs edge lengths >= 1, "
                                 f"got {list(entry)}")
            edges.append(valid)
        object.__setattr__(self, "chunk_edges", tuple(edges))

    @property
    def ndim(self) -> int:
        return len(self.chunk_edges)

    @property
    def chunk_shape(self) -> None:
        """Rectilinear grids have no single chunk shape."""
        return None

    def edges(self, dim: int, size: int) -> tuple[int, ...]:
        """The explicit edge lengths along ``dim`` for an array of length ``size`` there."""
        entry: int | tuple[int, ...] = self.chunk_edges[dim]
        if isinstance(entry, int):
            return (entry,) * -(-size // entry)
        return entry

    def offsets(self, dim: int, size: int) -> npt.NDArray[Any]:
        """Chunk start positions along ``dim`` plus the end (int64, length nchunks + 1), for
        the chunks that hold part of an array of length ``size``."""
        bounds = np.concatenate(([0], np.cumsum(self.edges(dim, size), dtype=np.int64)))
        n = int(np.searchsorted(bounds, size, side="left")) if size else 0
        return bounds[: n + 1]

    def check(self, shape: Sequence[int]) -> None:
        """ValueError unless the grid has ``len(shape)`` dimensions whose edges cover ``shape``."""
        if len(shape) != self.ndim:
            raise ValueError(f"rectilinear chunks have {self.ndim} dimensions, the array "
                             f"{len(shape)}")
        for d, n in enumerate(shape):
            total = sum(self.edges(d, n))
            if total < n:
                raise ValueError(f"rectilinear chunks: the edges of dimension {d} cover {total} "
                                 f"of its {n} elements")

    def grid_shape(self, array_shape: Sequence[int]) -> tuple[int, ...]:
        return tuple(len(self.offsets(d, n)) - 1 for d, n in enumerate(array_shape))

    def nchunks(self, array_shape: Sequence[int]) -> int:
        return math.prod(self.grid_shape(array_shape))

    def to_json(self) -> dict[str, Any]:
        shapes: list[Any] = []  # JSON
        for entry in self.chunk_edges:
            if isinstance(entry, int):
                shapes.append(entry)
                continue
            runs: list[Any] = []
            for e in entry:
                if runs and runs[-1][0] == e:
                    runs[-1][1] += 1
                else:
                    runs.append([e, 1])
            shapes.append([v if n == 1 else [v, n] for v, n in runs])
        return {"name": "rectilinear",
                "configuration": {"kind": "inline", "chunk_shapes": shapes}}


def parse_rectilinear(
    config: dict[str, Any], shape: tuple[int, ...], key: str | None
) -> RectilinearChunkGrid:
    """Parse the ``configuration`` of a rectilinear ``chunk_grid`` (MetadataError naming the
    field on any problem)."""
    field = "chunk_grid.configuration"
    extra = sorted(set(config) - {"kind", "chunk_shapes"})
    if extra:
        raise metadata_error(key, field, f"unexpected member(s) {extra}")
    if config.get("kind") != "inline":
        raise metadata_error(key, f"{field}.kind",
                             f"only 'inline' is defined, got {describe(config.get('kind'))}")
    shapes = config.get("chunk_shapes")
    if not isinstance(shapes, list) or len(shapes) != len(shape):
        raise metadata_error(key, f"{field}.chunk_shapes",
                             f"must be a list of {len(shape)} entries, got {describe(shapes)}")
    entries: list[Any] = []
    for d, entry in enumerate(shapes):
        where = f"{field}.chunk_shapes[{d}]"
        if _int(entry) is not None:
            entries.append(int(entry))
            continue
        if not isinstance(entry, list):
            raise metadata_error(key, where, f"must be an integer or a list, got {describe(entry)}")
        edges: list[int] = []
        for item in entry:
            if _int(item) is not None:
                edges.append(int(item))
            elif (isinstance(item, list) and len(item) == 2
                  and _int(item[0]) is not None and _int(item[1]) is not None
                  and 0 <= item[1] <= MAX_EDGES - len(edges)):
                edges.extend([int(item[0])] * int(item[1]))
            else:
                raise metadata_error(key, where, f"bad run-length item {describe(item)} (a pair "
                                     f"[length, count], at most {MAX_EDGES} edges)")
            if len(edges) > MAX_EDGES:
                raise metadata_error(key, where, f"more than {MAX_EDGES} edges")
        entries.append(tuple(edges))
    try:
        grid = RectilinearChunkGrid(tuple(entries))
        grid.check(shape)
    except ValueError as exc:
        raise metadata_error(key, f"{field}.chunk_shapes", str(exc)) from None
    return grid


def is_rectilinear_chunks(chunks: Any) -> bool:
    """Whether user ``chunks`` asks for a rectilinear grid: a sequence with, for some
    dimension, a sequence of edge lengths that are not all equal (dask's explicit chunks)."""
    if isinstance(chunks, (str, bytes)) or not isinstance(chunks, Sequence):
        return False
    for entry in chunks:
        if isinstance(entry, Sequence) and not isinstance(entry, (str, bytes)):
            body = list(entry[:-1]) if len(entry) > 1 else list(entry)
            if len(set(body)) > 1 or (len(entry) > 1 and entry[-1] > entry[0]):
                return True
    return False
