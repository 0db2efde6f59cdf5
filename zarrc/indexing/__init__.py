"""Selections → orthogonal boxes → chunk projections. Pure computation, no I/O."""

from zarrc.indexing.projection import (
    ChunkProjection,
    PointGroup,
    count_chunks,
    group_points,
    iter_chunk_projections,
)
from zarrc.indexing.selection import (
    ArrayDim,
    IntDim,
    PointSelection,
    Selection,
    SliceDim,
    normalize_block_selection,
    normalize_coordinate_selection,
    normalize_orthogonal_selection,
    normalize_point_selection,
    normalize_selection,
)

__all__ = [
    "ArrayDim",
    "ChunkProjection",
    "IntDim",
    "PointGroup",
    "PointSelection",
    "Selection",
    "SliceDim",
    "count_chunks",
    "group_points",
    "iter_chunk_projections",
    "normalize_block_selection",
    "normalize_coordinate_selection",
    "normalize_orthogonal_selection",
    "normalize_point_selection",
    "normalize_selection",
]
