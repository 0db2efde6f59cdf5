"""Read and write independent points (coordinate selections), one chunk decode per chunk.

Points are grouped by chunk; each chunk is fetched and decoded once and its points are
gathered (or scattered) with NumPy's fancy indexing, which runs in C over the whole group: no
per-point Python. On sharded arrays only the inner chunks holding points are fetched.
"""

from __future__ import annotations

import numpy as np

from zarrc.engine.context import ArrayContext
from zarrc.engine.native_points import read_points_native
from zarrc.engine.pool import run_tasks
from zarrc.engine.read import check_out, view_as
from zarrc.engine.shard import fetch_inner, naming_shard
from zarrc.engine.update import update_chunk
from zarrc.engine.write import chunk_to_update, prepare_value
from zarrc.indexing import PointGroup, PointSelection, group_points

__all__ = ["read_points", "write_points"]


def _gather_shard(ctx: ArrayContext, group: PointGroup, out: np.ndarray) -> None:
    """The points of one shard, reading only the inner chunks that hold them."""
    codec = ctx.pipeline.sharding
    inner_groups = group_points(group.local, codec.chunk_shape)
    key = ctx.key(group.coords)
    pieces = fetch_inner(ctx, key, [g.coords for g in inner_groups])
    if pieces is None:  # no shard
        out[group.positions] = ctx.fill_value
        return
    for inner, data in zip(inner_groups, pieces):
        with naming_shard(key):
            chunk = codec.decode_inner(data, inner.coords)
        out[group.positions[inner.positions]] = chunk[inner.local]


def _gather(ctx: ArrayContext, group: PointGroup, out: np.ndarray) -> None:
    if ctx.partial_shards:
        _gather_shard(ctx, group, out)
        return
    key = ctx.key(group.coords)
    data = ctx.store.get(key)
    if data is None:
        out[group.positions] = ctx.fill_value
        return
    out[group.positions] = ctx.pipeline_for(group.coords).decode(data, key)[group.local]


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
    if not read_points_native(ctx, sel, values, _gather):  # local files, common codecs: in C
        run_tasks(lambda g: _gather(ctx, g, values), group_points(sel.coords, ctx.dim_grids))
    if out is None:
        return values.reshape(sel.out_shape)
    if flat is None:
        np.copyto(out, values.reshape(sel.out_shape), casting="same_kind")
    return out


def _scatter(ctx: ArrayContext, group: PointGroup, values: np.ndarray) -> None:
    key = ctx.key(group.coords)

    def modify(data, may_delete):
        chunk = chunk_to_update(ctx, group.coords, data, key)
        chunk[group.local] = values[group.positions]  # repeated points: the last one wins
        if may_delete and ctx.is_empty(chunk):
            return None
        return ctx.pipeline_for(group.coords).encode(chunk, key)

    update_chunk(ctx.store, key, modify)


def write_points(ctx: ArrayContext, sel: PointSelection, value) -> None:
    """Store ``value`` (broadcast to ``sel.out_shape``, cast as NumPy does) at the points."""
    values = np.ascontiguousarray(prepare_value(value, ctx.dtype, sel.out_shape)).reshape(-1)
    run_tasks(lambda g: _scatter(ctx, g, values), group_points(sel.coords, ctx.dim_grids))
