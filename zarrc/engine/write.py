"""Write values into a planned selection, atomically per chunk.

The value is cast and broadcast as NumPy would, then the selection's box is planned over the
stored chunk grid and handed to the array's chunk I/O (``ctx.io.write_box``); the per-chunk
policies (whole chunks written without a read, partial ones read-modified-written under the
chunk's lock, chunks of fill deleted) are in ``zarrc.engine.chunks``. Also: what ``resize``
leaves of the chunks past the new shape.
"""

from __future__ import annotations

import numpy as np

from zarrc.engine.chunks import chunk_to_update, prepare_value
from zarrc.engine.context import ArrayContext
from zarrc.engine.fetch import Writes, fetch_window
from zarrc.engine.pool import run_tasks
from zarrc.engine.read import read_box
from zarrc.engine.update import update_chunk
from zarrc.indexing import Selection, plan_box

__all__ = ["write_selection", "write_box", "prepare_value", "clear_outside"]


def write_box(ctx: ArrayContext, sel: Selection, values: np.ndarray) -> None:
    """Store ``values`` (the box's shape) into the orthogonal box of ``sel``."""
    if values.size == 0:
        return
    ctx.io.write_box(ctx, plan_box(sel.dims, ctx.shape, ctx.dim_grids), values)


def write_selection(ctx: ArrayContext, sel: Selection, value) -> None:
    """``array[selection] = value`` with NumPy's broadcasting, casting and last-write-wins."""
    if sel.post is None:
        values = prepare_value(value, ctx.dtype, sel.out_shape).reshape(sel.box_shape)
        write_box(ctx, sel, values)
        return
    # Advanced selection: validate and cast first, then update the box it touches in memory
    # with NumPy's own assignment (repeated indices: last write wins), then store the box.
    prepare_value(value, ctx.dtype, sel.out_shape)
    box = read_box(ctx, sel)
    box[sel.post] = value
    write_box(ctx, sel, box)


def _clear_chunk(ctx: ArrayContext, coords: tuple, new_shape: tuple, submit) -> None:
    key = ctx.key(coords)
    starts, shape = ctx.chunk_start(coords), ctx.chunk_shape(coords)
    if any(s >= n for s, n in zip(starts, new_shape)):
        submit(ctx.store.delete, key)
        return
    keep = tuple(slice(0, min(c, n - s)) for s, c, n in zip(starts, shape, new_shape))
    if all(k.stop == c for k, c in zip(keep, shape)):
        return
    submit(
        update_chunk,
        ctx.store,
        key,
        lambda data, may_delete: _cleared_outside(ctx, coords, key, keep, data, may_delete),
    )


def _cleared_outside(ctx: ArrayContext, coords: tuple, key: str, keep: tuple, data, may_delete):
    """Chunk ``key`` (stored ``data``) with everything outside ``keep`` reset to the fill:
    its encoded bytes, ``None`` to delete it, or ``data`` itself when nothing is stored."""
    if data is None:
        return data
    pipeline = ctx.pipeline_for(coords)
    chunk = chunk_to_update(ctx, coords, data, key)
    kept = chunk[keep].copy()
    ctx.fill(chunk)
    chunk[keep] = kept
    if may_delete and ctx.is_empty(chunk):
        return None
    return pipeline.encode(chunk, key)


def clear_outside(ctx: ArrayContext, stored: list, new_shape: tuple) -> None:
    """After a resize: drop chunks past ``new_shape`` and reset cut edge chunks to the fill.

    So data removed by shrinking never reappears when the array grows again (NumPy's view).
    """
    with Writes(fetch_window(ctx.store)) as writes:
        run_tasks(lambda coords: _clear_chunk(ctx, coords, new_shape, writes.submit), stored)
