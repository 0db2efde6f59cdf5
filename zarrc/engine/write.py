"""Write values into a planned selection, atomically per chunk.

A chunk the selection covers whole is encoded and stored without reading; a partly covered
chunk is read, modified, encoded and stored in one ``set`` (the store makes that atomic). A
chunk that ends up equal to the fill value is deleted instead of written, unless the array
asks for ``write_empty_chunks``.

Local arrays with a simple codec chain write their whole chunks in C
(``zarrc.engine.native_write``), and whole shards are encoded in C
(``zarrc.engine.native_shard_write``); both hand anything else back to this module.
"""

from __future__ import annotations

import numpy as np

from zarrc.engine.context import ArrayContext
from zarrc.engine.native_shard_write import encode_shard_native
from zarrc.engine.native_write import write_box_native
from zarrc.engine.pool import run_tasks
from zarrc.engine.read import box_index, read_box
from zarrc.engine.update import update_chunk
from zarrc.indexing import ChunkProjection, Selection, iter_chunk_projections

__all__ = ["write_selection", "prepare_value", "chunk_to_update"]


def prepare_value(value, dtype: np.dtype, shape: tuple) -> np.ndarray:
    """``value`` cast and broadcast to ``shape`` exactly as ``ndarray.__setitem__`` would.

    Raises before anything is stored when the cast or the broadcast is impossible.
    """
    if isinstance(value, np.ndarray) and value.dtype == dtype and value.shape == shape:
        return value
    arr = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if arr.ndim == 0:
        one = np.empty((), dtype=dtype)
        one[()] = value
        return np.broadcast_to(one, shape)
    out = np.empty(shape, dtype=dtype)
    out[...] = value
    return out


def _scatter(chunk: np.ndarray, local: tuple, values: np.ndarray) -> None:
    """``chunk[orthogonal local] = values`` for locals mixing ints, slices and index arrays."""
    axes = []
    for item, n in zip(local, chunk.shape):
        if isinstance(item, np.ndarray):
            axes.append(item)
        elif isinstance(item, slice):
            axes.append(np.arange(n)[item])
        else:
            axes.append(np.array([item]))
    shaped = values.reshape(tuple(len(a) for a in axes))
    chunk[np.ix_(*axes)] = shaped


def _write_chunk(ctx: ArrayContext, proj: ChunkProjection, values: np.ndarray) -> None:
    key = ctx.key(proj.coords)
    if proj.complete:
        encoded = _updated_chunk(ctx, proj, values, key, None, True)
        if encoded is None:
            ctx.store.delete(key)
        else:
            ctx.store.set(key, encoded)
        return
    # read-modify-write: no concurrent writer may interleave (a lock or a conditional write)
    update_chunk(
        ctx.store,
        key,
        lambda data, may_delete: _updated_chunk(ctx, proj, values, key, data, may_delete),
    )


def _updated_chunk(
    ctx: ArrayContext, proj: ChunkProjection, values: np.ndarray, key: str, data, may_delete
):
    """The encoded chunk ``key`` once ``values`` are written into it (``data``: its stored
    bytes), or ``None`` to delete it (only if ``may_delete``)."""
    if proj.scattered:
        source = values[box_index(proj.box, values.shape)]
    else:
        source = values[proj.box + (Ellipsis,)]
    pipeline = ctx.pipeline_for(proj.coords)
    if proj.complete and not ctx.is_edge(proj.coords):
        chunk = source
    else:
        chunk = chunk_to_update(ctx, proj.coords, None if proj.complete else data, key)
        if proj.basic:
            ctx.copy(chunk[proj.local + (Ellipsis,)], source)
        else:
            _scatter(chunk, proj.local, source)
    if may_delete and ctx.is_empty(chunk):
        return None
    encoded = encode_shard_native(ctx, chunk) if pipeline.sharding is not None else None
    return pipeline.encode(chunk, key) if encoded is None else encoded


def chunk_to_update(ctx: ArrayContext, coords: tuple, data, key: str) -> np.ndarray:
    """A writable chunk to update: its stored ``data`` decoded (the pipeline looks at what the
    data can hold before allocating for the chunk), or the fill value where nothing is stored."""
    if data is not None:
        return ctx.pipeline_for(coords).decode(data, key)
    chunk = np.empty(ctx.chunk_shape(coords), dtype=ctx.dtype)
    ctx.fill(chunk)
    return chunk


def write_box(ctx: ArrayContext, sel: Selection, values: np.ndarray) -> None:
    """Store ``values`` (the box's shape) into the orthogonal box of ``sel``."""
    if values.size == 0:
        return
    if write_box_native(ctx, sel, values, _write_chunk):  # local files, common codecs: in C
        return
    projections = iter_chunk_projections(sel.dims, ctx.shape, ctx.dim_grids)
    run_tasks(lambda proj: _write_chunk(ctx, proj, values), projections)


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


def _clear_chunk(ctx: ArrayContext, coords: tuple, new_shape: tuple) -> None:
    key = ctx.key(coords)
    starts, shape = ctx.chunk_start(coords), ctx.chunk_shape(coords)
    if any(s >= n for s, n in zip(starts, new_shape)):
        ctx.store.delete(key)
        return
    keep = tuple(slice(0, min(c, n - s)) for s, c, n in zip(starts, shape, new_shape))
    if all(k.stop == c for k, c in zip(keep, shape)):
        return
    update_chunk(
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
    run_tasks(lambda coords: _clear_chunk(ctx, coords, new_shape), stored)
