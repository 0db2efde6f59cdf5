"""One chunk at a time through the codec pipeline: the steps every chunk-I/O path shares.

Gathering a chunk's selected part, and the write of one chunk: a chunk the selection covers
whole is encoded and stored without reading; a partly covered one, and an edge chunk (which
may hold values past this handle's shape), is read, modified, encoded and stored in one
``set`` through ``zarrc.engine.update.update_chunk`` (under the chunk's lock, or
optimistically on a store with conditional writes), and a chunk that ends up equal
to the fill value is deleted instead, unless the array asks for ``write_empty_chunks``. Both
chunk-I/O implementations write partly covered chunks this way; whole shards are encoded
through the array's chunk I/O (``ChunkIO.encode_shard``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from zarrc.engine import observe
from zarrc.engine.context import ArrayContext
from zarrc.engine.update import update_chunk
from zarrc.indexing import ChunkProjection

__all__ = ["box_index", "chunk_to_update", "encoded_chunk", "gather", "prepare_value",
           "write_chunk"]


def gather(chunk: np.ndarray, local: tuple[Any, ...]) -> np.ndarray:
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


def box_index(box_items: tuple[Any, ...], shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """An index for ``box[...]`` selecting the cross product of slices and position arrays."""
    return np.ix_(*[b if isinstance(b, np.ndarray) else np.arange(n)[b]
                    for b, n in zip(box_items, shape)])


def prepare_value(value: Any, dtype: np.dtype[Any], shape: tuple[int, ...]) -> np.ndarray:
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


def _scatter(chunk: np.ndarray, local: tuple[Any, ...], values: np.ndarray) -> None:
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


def chunk_to_update(
    ctx: ArrayContext, coords: tuple[int, ...], data: bytes | None, key: str
) -> np.ndarray:
    """A writable chunk to update: its stored ``data`` decoded (the pipeline looks at what the
    data can hold before allocating for the chunk), or the fill value where nothing is stored."""
    if data is not None:
        return ctx.pipeline_for(coords).decode(data, key)
    chunk = np.empty(ctx.chunk_shape(coords), dtype=ctx.dtype)
    ctx.fill(chunk)
    return chunk


def encoded_chunk(ctx: ArrayContext, coords: tuple[int, ...], chunk: np.ndarray, key: str,
                  may_delete: bool = True) -> bytes | memoryview | None:
    """The stored bytes of a whole chunk (a shard encoded through the array's chunk I/O), or
    None when it holds only the fill value and ``may_delete``: delete it instead."""
    if may_delete and ctx.is_empty(chunk):
        return None
    if ctx.pipeline.sharding is not None:
        return ctx.chunk_io.encode_shard(ctx, chunk, key)
    return ctx.pipeline_for(coords).encode(chunk, key)


Submit = Callable[..., None]
"""``submit(fn, *args)``: run ``fn(*args)`` now or in flight (``zarrc.engine.fetch.Writes``)."""


def _now(fn: Callable[..., object], *args: Any) -> None:
    fn(*args)


def write_chunk(ctx: ArrayContext, proj: ChunkProjection, values: np.ndarray,
                submit: Submit = _now) -> None:
    """Write the part ``proj`` of the box ``values`` into its chunk (a read-modify-write that
    loses no concurrent writer's change when the chunk is covered only in part).

    The store request goes through ``submit(fn, *args)`` (``Writes.submit``: in flight beside
    the encoding); a whole chunk is encoded here, a partial one's update is one request. When
    the request is done the chunk is reported (``chunk.write``: the bytes stored, 0 for a
    deletion, and the time from the encoding on), or ``chunk.error`` if it failed.

    An edge chunk (one the array's shape cuts) is always read, modified and written: the
    values past this handle's shape are kept, since another handle may have grown the array
    and stored values there.
    """
    key = ctx.key(proj.coords)
    began = time.perf_counter()
    if proj.complete and not ctx.is_edge(proj.coords):
        try:
            encoded = _updated(ctx, proj, values, key, None, True)
        except Exception as exc:
            observe.failed(ctx, key, exc, time.perf_counter() - began, "write")
            raise

        def request() -> int:
            if encoded is None:
                ctx.store.delete(key)
                return 0
            ctx.store.set(key, encoded)
            return memoryview(encoded).nbytes
    else:
        def request() -> int:
            stored = [0]

            def modify(data: bytes | None, may_delete: bool) -> bytes | memoryview | None:
                encoded = _updated(ctx, proj, values, key, data, may_delete)
                stored[0] = 0 if encoded is None else memoryview(encoded).nbytes
                return encoded

            update_chunk(ctx.store, key, modify)
            return stored[0]

    submit(observe.one, ctx, "chunk.write", key, request, "write", began)


def _updated(ctx: ArrayContext, proj: ChunkProjection, values: np.ndarray, key: str,
             data: bytes | None, may_delete: bool) -> bytes | memoryview | None:
    """The encoded chunk ``key`` once ``values`` are written into it (``data``: its stored
    bytes), or None to delete it (only if ``may_delete``)."""
    if proj.scattered:
        source = values[box_index(proj.box, values.shape)]
    else:
        source = values[proj.box + (Ellipsis,)]
    if proj.complete and not ctx.is_edge(proj.coords):  # written whole, never read
        chunk = source
    else:
        chunk = chunk_to_update(ctx, proj.coords, data, key)
        if proj.basic:
            ctx.copy(chunk[proj.local + (Ellipsis,)], source)
        else:
            _scatter(chunk, proj.local, source)
    return encoded_chunk(ctx, proj.coords, chunk, key, may_delete)
