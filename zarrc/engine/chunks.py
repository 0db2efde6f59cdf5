"""One chunk at a time through the codec pipeline: the steps every chunk-I/O path shares.

Gathering a chunk's selected part, and the write of one chunk: a chunk the selection covers
whole is encoded and stored without reading; a partly covered one is read, modified, encoded
and stored in one ``set`` under the chunk's lock (the store makes the ``set`` atomic), and a
chunk that ends up equal to the fill value is deleted instead, unless the array asks for
``write_empty_chunks``. Both chunk-I/O implementations write partly covered chunks this way;
whole shards are encoded through the array's chunk I/O (``ChunkIO.encode_shard``).
"""

from __future__ import annotations

import numpy as np

from zarrc.engine.context import ArrayContext
from zarrc.engine.locks import chunk_lock
from zarrc.indexing import ChunkProjection

__all__ = ["box_index", "chunk_to_update", "gather", "prepare_value", "store_chunk",
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


def store_chunk(ctx: ArrayContext, coords: tuple, chunk: np.ndarray, key: str) -> None:
    """Store a whole chunk: deleted when it holds only the fill value, else encoded (a shard
    through the array's chunk I/O) and set."""
    if ctx.is_empty(chunk):
        ctx.store.delete(key)
    elif ctx.pipeline.sharding is not None:
        ctx.store.set(key, ctx.io.encode_shard(ctx, chunk, key))
    else:
        ctx.store.set(key, ctx.pipeline_for(coords).encode(chunk, key))


def write_chunk(ctx: ArrayContext, proj: ChunkProjection, values: np.ndarray) -> None:
    """Write the part ``proj`` of the box ``values`` into its chunk (read-modify-write under
    the chunk's lock when the chunk is covered only in part)."""
    key = ctx.key(proj.coords)
    if proj.complete:
        _update(ctx, proj, values, key)
        return
    with chunk_lock(ctx.store, key):  # read-modify-write: no concurrent writer may interleave
        _update(ctx, proj, values, key)


def _update(ctx: ArrayContext, proj: ChunkProjection, values: np.ndarray, key: str) -> None:
    if proj.scattered:
        source = values[box_index(proj.box, values.shape)]
    else:
        source = values[proj.box + (Ellipsis,)]
    if proj.complete and not ctx.is_edge(proj.coords):
        chunk = source
    else:
        data = None if proj.complete else ctx.store.get(key)
        chunk = chunk_to_update(ctx, proj.coords, data, key)
        if proj.basic:
            ctx.copy(chunk[proj.local + (Ellipsis,)], source)
        else:
            _scatter(chunk, proj.local, source)
    store_chunk(ctx, proj.coords, chunk, key)
