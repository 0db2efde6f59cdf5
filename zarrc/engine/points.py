"""Read and write independent points (coordinate selections), one chunk decode per chunk.

Points are grouped by chunk (``zarrc.indexing.plan_points``); reads go to the array's chunk
I/O (``ctx.chunk_io.read_points``), which decodes each chunk once and gathers its points. Writes
update each chunk holding points in one read-modify-write (``zarrc.engine.update``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zarrc.engine.chunks import chunk_to_update, encoded_chunk, prepare_value
from zarrc.engine.context import ArrayContext
from zarrc.engine.pool import run_tasks
from zarrc.engine.read import check_out, view_as
from zarrc.engine.update import update_chunk
from zarrc.indexing import PointGroup, PointSelection, plan_points

__all__ = ["read_points", "write_points"]


def read_points(ctx: ArrayContext, sel: PointSelection, out: np.ndarray | None = None
                ) -> np.ndarray:
    """The values at the points of ``sel``, shaped ``sel.out_shape``: a new array, or ``out``
    (see ``check_out``), gathered into directly when it is contiguous with the array's dtype."""
    flat = None
    if out is not None:
        check_out(out, sel.out_shape, ctx.dtype)
        if out.dtype == ctx.dtype:
            flat = view_as(out, (sel.count,), contiguous=True)
    values = np.empty(sel.count, dtype=ctx.dtype) if flat is None else flat
    if sel.count:
        ctx.chunk_io.read_points(ctx, plan_points(sel.coords, ctx.dim_grids), values)
    if out is None:
        return values.reshape(sel.out_shape)
    if flat is None:
        np.copyto(out, values.reshape(sel.out_shape), casting="same_kind")
    return out


def _scatter(ctx: ArrayContext, group: PointGroup, values: np.ndarray) -> None:
    key = ctx.key(group.coords)

    def modify(data: bytes | None, may_delete: bool) -> bytes | memoryview | None:
        chunk = chunk_to_update(ctx, group.coords, data, key)
        chunk[group.local] = values[group.positions]  # repeated points: the last one wins
        return encoded_chunk(ctx, group.coords, chunk, key, may_delete)

    update_chunk(ctx.store, key, modify)


def write_points(ctx: ArrayContext, sel: PointSelection, value: Any) -> None:
    """Store ``value`` (broadcast to ``sel.out_shape``, cast as NumPy does) at the points."""
    values = np.ascontiguousarray(prepare_value(value, ctx.dtype, sel.out_shape)).reshape(-1)
    run_tasks(lambda g: _scatter(ctx, g, values), plan_points(sel.coords, ctx.dim_grids).groups())
