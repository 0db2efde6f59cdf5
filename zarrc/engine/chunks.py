"""One chunk at a time through the codec pipeline: the steps every chunk-I/O path shares.

Gathering a chunk's selected part, and the write of one chunk: a chunk the selection covers
whole is encoded and stored without reading; a partly covered one is read, modified, encoded
and stored in one ``set`` through ``zarrc.engine.update.update_chunk`` (under the chunk's
lock, or optimistically on a store with conditional writes), and a chunk that ends up equal
to the fill value is deleted instead, unless the array asks for ``write_empty_chunks``. Both
chunk-I/O implementations write partly covered chunks this way; whole shards are encoded
through the array's chunk I/O (``ChunkIO.encode_shard``).
"""

from __future__ import annotations

import numpy as np

from zarrc.engine.context import ArrayContext
from zarrc.engine.update import update_chunk
from zarrc.indexing import ChunkProjection

__all__ = ["box_index", "chunk_to_update", "encoded_chunk", "gather", "prepare_value",
           "write_chunk"]


def gather(chunk: np.ndarray, local: tuple) -> np.ndarray:
    """``chunk`` restricted by a local selection of ints, slices and index arrays (orthogonally)."""
    view = chunk
    axis = 0
    for item in local:
        if isinstance(item, np.ndarray):
            view = np.take(view, item, axis=axis)
            axis += 1
        elif isinstance(item, slice):
            view = view[(slice(None),) * axis + (item,)]
            axis += 1
        else:
            view = view[(slice(None),) * axis + (item,)]
    return view


def box_index(box_items: tuple, shape: tuple) -> tuple:
    """An index for ``box[...]`` selecting the cross product of slices and position arrays."""
    return np.ix_(*[b if isinstance(b, np.ndarray) else np.arange(n)[b]
                    for b, n in zip(box_items, shape)])


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


def chunk_to_update(ctx: ArrayContext, coords: tuple, data, key: str) -> np.ndarray:
    """A writable chunk to update: its stored ``data`` decoded (the pipeline looks at what the
    data can hold before allocating for the chunk), or the fill value where nothing is stored."""
    if data is not None:
        return ctx.pipeline_for(coords).decode(data, key)
    chunk = np.empty(ctx.chunk_shape(coords), dtype=ctx.dtype)
    ctx.fill(chunk)
    return chunk


def encoded_chunk(ctx: ArrayContext, coords: tuple, chunk: np.ndarray, key: str,
                  may_delete: bool = True):
    """The stored bytes of a whole chunk (a shard encoded through the array's chunk I/O), or
    None when it holds only the fill value and ``may_delete``: delete it instead."""
    if may_delete and ctx.is_empty(chunk):
        return None
    if ctx.pipeline.sharding is not None:
        return ctx.io.encode_shard(ctx, chunk, key)
    return ctx.pipeline_for(coords).encode(chunk, key)


def _now(fn, *args) -> None:
    fn(*args)


def write_chunk(ctx: ArrayContext, proj: ChunkProjection, values: np.ndarray,
                submit=_now) -> None:
    """Write the part ``proj`` of the box ``values`` into its chunk (a read-modify-write that
    loses no concurrent writer's change when the chunk is covered only in part). The store
    requests go through ``submit(fn, *args)`` (``Writes.submit``: in flight beside the
    encoding); a whole chunk is encoded here, a partial one's update is one request."""
    key = ctx.key(proj.coords)
    if proj.complete:
        encoded = _updated(ctx, proj, values, key, None, True)
        if encoded is None:
            submit(ctx.store.delete, key)
        else:
            submit(ctx.store.set, key, encoded)
        return
    submit(update_chunk, ctx.store, key,
           lambda data, may_delete: _updated(ctx, proj, values, key, data, may_delete))


def _updated(ctx: ArrayContext, proj: ChunkProjection, values: np.ndarray, key: str, data,
             may_delete: bool):
    """The encoded chunk ``key`` once ``values`` are written into it (``data``: its stored
    bytes), or None to delete it (only if ``may_delete``)."""
    if proj.scattered:
        source = values[box_index(proj.box, values.shape)]
    else:
        source = values[proj.box + (Ellipsis,)]
    if proj.complete and not ctx.is_edge(proj.coords):
        chunk = source
    else:
        chunk = chunk_to_update(ctx, proj.coords, None if proj.complete else data, key)
        if proj.basic:
            ctx.copy(chunk[proj.local + (Ellipsis,)], source)
        else:
            _scatter(chunk, proj.local, source)
    return encoded_chunk(ctx, proj.coords, chunk, key, may_delete)
