"""Selections → orthogonal boxes → chunk projections. Pure computation, no I/O."""

from zarrc.indexing.projection import ChunkProjection, count_chunks, iter_chunk_projections
from zarrc.indexing.selection import (
    ArrayDim,
    IntDim,
    Selection,
    SliceDim,
    normalize_block_selection,
    normalize_coordinate_selection,
    normalize_orthogonal_selection,
    normalize_selection,
)

__all__ = [
    "ArrayDim",
    "ChunkProjection",
    "IntDim",
    "Selection",
    "SliceDim",
    "count_chunks",
    "iter_chunk_projections",
    "normalize_block_selection",
    "normalize_coordinate_selection",
    "normalize_orthogonal_selection",
    "normalize_selection",
]
