"""Dask blocks against Zarr chunks: ``to_zarr``'s ``safe_chunks`` check and ``align_chunks``.

A dask-backed variable is stored block by block. Two blocks that meet inside one Zarr chunk
(or shard: the unit a writer stores) both write that chunk. xarray's zarr engine refuses
such blocks (``safe_chunks=True``, its default) because zarr-python writes them without a
lock, so the last block written wins over the other's part. zarrc merges them under its
chunk locks and loses nothing, yet refuses them by default too, so code written for xarray
behaves the same; ``safe_chunks=False`` writes them. ``align_chunks=True`` instead rechunks
the blocks to the chunk grid before writing.

The rule, per dimension, with the blocks placed where they are written (``start``: the
region's or the appended part's first index): every boundary between two blocks must be a
chunk boundary; in ``mode="r+"`` the two outer ends too (or the array's end), since r+
promises not to write partial chunks. Numpy-backed variables, and arrays whose chunk grid
is not a regular tuple of ints, are not checked.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from typing import Any, NoReturn

import numpy as np
import xarray as xr

from zarrc.xarray.errors import ToZarrError, UnsafeChunksError

__all__ = ["align_blocks", "check_blocks", "check_flag", "write_grid"]


def check_flag(name: str, value: object) -> bool:
    """``value`` of the boolean argument ``name``, or a :class:`ToZarrError`."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ToZarrError(f"to_zarr: {name} must be True or False, got {value!r}")


def write_grid(chunks: Any, shards: Any, ndim: int) -> tuple[int, ...] | None:
    """The grid writes land on: the shards if any, else the chunks; None when it is not
    one int per dimension (``"auto"``, a rectilinear grid, a shards mapping)."""
    grid = shards if shards else chunks
    if (isinstance(grid, tuple | list) and len(grid) == ndim
            and all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in grid)):
        return tuple(grid)
    return None


def _edges(blocks: Sequence[int], start: int) -> list[int]:
    """The array positions of the block boundaries, both ends included."""
    return list(itertools.accumulate(blocks, initial=start))


def check_blocks(name: Hashable, var: xr.Variable, grid: tuple[int, ...],
                 starts: Sequence[int], sizes: Sequence[int], partial_ok: bool) -> None:
    """Raise :class:`UnsafeChunksError` if two of ``var``'s dask blocks, written from
    ``starts`` into an array of shape ``sizes`` chunked by ``grid``, would share a chunk, or
    (unless ``partial_ok``) a block would write part of a chunk at the ends."""
    if var.chunks is None:
        return
    for axis, (dim, blocks, chunk, start, size) in enumerate(
            zip(var.dims, var.chunks, grid, starts, sizes)):
        edges = _edges(blocks, start)
        for i, edge in enumerate(edges[1:-1], 1):
            if edge % chunk:
                _refuse(name, dim, axis, blocks, grid, chunk, start,
                        f"dask blocks {i - 1} and {i} meet at index {edge}, inside zarr "
                        f"chunk {edge // chunk} (indices {edge - edge % chunk}.."
                        f"{min(edge - edge % chunk + chunk, size)}), so both would write it")
        if partial_ok:
            continue
        if start % chunk:
            _refuse(name, dim, axis, blocks, grid, chunk, start,
                    f"the write starts at index {start}, inside zarr chunk {start // chunk}, "
                    f"which mode='r+' may not write in part")
        if edges[-1] % chunk and edges[-1] != size:
            _refuse(name, dim, axis, blocks, grid, chunk, start,
                    f"the write ends at index {edges[-1]}, inside zarr chunk "
                    f"{edges[-1] // chunk}, which mode='r+' may not write in part")


def _refuse(name: Hashable, dim: Hashable, axis: int, blocks: tuple[int, ...],
            grid: tuple[int, ...], chunk: int, start: int, why: str) -> NoReturn:
    raise UnsafeChunksError(
        f"variable {name!r}, dimension {dim!r} (axis {axis}): the zarr chunks {grid} "
        f"(size {chunk} along {dim!r}) would overlap multiple dask chunks {blocks} written "
        f"from index {start}: {why}. Writing this array in parallel could corrupt it with "
        f"xarray's zarr engine; rechunk with .chunk(), change encoding['chunks'], pass "
        f"align_chunks=True, or safe_chunks=False (zarrc merges the blocks under its chunk "
        f"locks)")


def aligned(blocks: Sequence[int], chunk: int, start: int) -> tuple[int, ...]:
    """Blocks covering what ``blocks`` cover, every inner boundary moved down to the chunk
    boundary at or below it (so boundaries already on the grid stay; a block grows by less
    than one chunk)."""
    edges = _edges(blocks, start)
    stop = edges[-1]
    cuts = [start]
    for edge in edges[1:-1]:
        cut = edge - edge % chunk
        if cuts[-1] < cut < stop:
            cuts.append(cut)
    cuts.append(stop)
    return tuple(b - a for a, b in itertools.pairwise(cuts)) or tuple(blocks)


def align_blocks(var: xr.Variable, grid: tuple[int, ...],
                 starts: Sequence[int]) -> xr.Variable:
    """``var`` with its dask blocks rechunked so no two share a chunk of ``grid`` when
    written from ``starts`` (unchanged if it is not dask-backed or already aligned)."""
    if var.chunks is None:
        return var
    target = tuple(aligned(blocks, chunk, start)
                   for blocks, chunk, start in zip(var.chunks, grid, starts))
    if target == tuple(map(tuple, var.chunks)):
        return var
    rechunked: xr.Variable = var.copy(deep=False, data=var.data.rechunk(target))
    return rechunked
