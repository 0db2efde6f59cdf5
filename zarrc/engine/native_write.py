"""The native write loop: whole chunks of local arrays with a simple codec chain, in C.

For a LocalStore array whose chunks are the raw bytes of its dtype, optionally through zstd or
blosc, and a selection of ints and slices, :func:`write_box_native` stores every chunk the
selection covers whole in ``zarrc._ext.chunkio``: gather (or, for uncompressed chunks, write
the source rows as they are), encode, temporary file and rename, per chunk with the GIL
released, split over the engine's threads. The store's own protocol is kept: the same
temporary names, the rename that makes each chunk atomic, ``fsync`` when the store asks.

The C loop hands back the chunks that need Python's policies: one covered in part (a
read-modify-write under the chunk's lock), one holding only the fill value (deleted, which
also prunes empty directories) and one it failed to write (written again by the Python path,
which raises the store's error for its key). So both paths agree by construction.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from zarrc.engine.context import ArrayContext
from zarrc.engine.native import (
    available,
    chunk_files,
    chunkio,
    encoder_settings,
    local_slice,
    plan_rows,
    run_split,
    thread_state,
)
from zarrc.indexing import ChunkProjection
from zarrc.indexing.selection import IntDim, Selection, SliceDim
from zarrc.storage.local import LocalStore

__all__ = ["write_box_native"]

WriteChunk = Callable[[ArrayContext, ChunkProjection, np.ndarray], None]


def write_box_native(ctx: ArrayContext, sel: Selection, values: np.ndarray,
                     write_chunk: WriteChunk) -> bool:
    """Store ``values`` (the box of ``sel``) natively if the array and selection allow it.

    Returns False, having done nothing, unless the extension is built, the store is a plain
    writable LocalStore, the grid is regular, the selection basic and the codec chain one the C
    loop encodes (raw bytes, optionally zstd or blosc). Chunks the loop hands back go to
    ``write_chunk(ctx, projection, values)``, the Python engine's per-chunk write.
    """
    if not available():
        return False
    job = _plan_job(ctx, sel, values)
    if job is None:
        return False
    if job.write.total:
        run_split(job.write.total, job.write.chunk_nbytes,
                  lambda b, e: _run_range(job, write_chunk, b, e))
    return True


class _Job:
    """One native write: the checked C request plus what the Python path needs."""

    __slots__ = ("ctx", "write", "plans", "int_dims", "values")

    def __init__(self, ctx: ArrayContext, write, plans: list, int_dims: tuple,
                 values: np.ndarray):
        self.ctx = ctx
        self.write = write  # chunkio.ChunkWrite
        self.plans = plans  # per dim, int64 rows (chunk, start, step, count, box start)
        self.int_dims = int_dims  # per dim: True where the selection is an integer
        self.values = values  # the box as the engine has it (integer dimensions dropped)


def _plan_job(ctx: ArrayContext, sel: Selection, values: np.ndarray) -> _Job | None:
    if sel.post is not None or not all(isinstance(d, (IntDim, SliceDim)) for d in sel.dims):
        return None
    store = ctx.store
    if type(store) is not LocalStore or store.read_only or store._confine_symlinks:
        return None  # a subclass may store differently; symlink checks need the Python path
    if values.dtype != ctx.dtype or values.shape != tuple(sel.box_shape):
        return None
    files = chunk_files(ctx)
    if files is None or files[2] not in chunkio.WRITE_CODECS:
        return None
    directory, encoding, name, order = files
    codec = ctx.pipeline.simple_chain()[0]
    int_dims = tuple(isinstance(d, IntDim) for d in sel.dims)
    int_axes = tuple(k for k, is_int in enumerate(int_dims) if is_int)
    source = np.expand_dims(values, int_axes) if int_axes else values
    plans = [plan_rows(d, n, c) for d, n, c in zip(sel.dims, ctx.shape, ctx.chunks)]
    itemsize = ctx.dtype.itemsize
    skip_empty = not ctx.write_empty_chunks and ctx.fill_bytes is not None
    write = chunkio.ChunkWrite(
        directory, encoding.name, encoding.separator, ctx.chunks, ctx.shape, itemsize, name,
        order, plans, source, ctx.fill_bytes or bytes(itemsize), skip_empty=skip_empty,
        fsync=store._fsync, **encoder_settings(codec, itemsize))
    return _Job(ctx, write, plans, int_dims, values)


def _run_range(job: _Job, write_chunk: WriteChunk, begin: int, end: int) -> None:
    """Write chunks ``begin .. end-1``; the ones the C loop hands back go through Python."""
    state = thread_state()
    write = job.write
    pos = begin
    while pos < end:
        dbuf, cbuf = state.decoded(write.scratch_nbytes), state.scratch(write.encode_bound)
        rc, index, _need, _err = write.run(state.dec, dbuf, cbuf, pos, end)
        if rc >= 0:
            return
        proj = _projection(job, index)
        if rc == chunkio.E_EMPTY:
            job.ctx.store.delete(job.ctx.key(proj.coords))
        else:  # E_PARTIAL, or a failure the Python path repeats and reports for its key
            write_chunk(job.ctx, proj, job.values)
        pos = index + 1


def _projection(job: _Job, index: int) -> ChunkProjection:
    """The Python engine's projection of the chunk at flattened ``index``."""
    ctx = job.ctx
    entries = np.unravel_index(index, [len(p) for p in job.plans])
    rows = [[int(v) for v in p[int(e)]] for p, e in zip(job.plans, entries)]
    coords = tuple(r[0] for r in rows)
    local = tuple(r[1] if is_int else local_slice(r[1], r[2], r[3])
                  for r, is_int in zip(rows, job.int_dims))
    box = tuple(slice(r[4], r[4] + r[3]) for r, is_int in zip(rows, job.int_dims) if not is_int)
    complete = all(r[1] == 0 and (r[2] == 1 or r[3] == 1) and r[3] == min(c, n - r[0] * c)
                   for r, c, n in zip(rows, ctx.chunks, ctx.shape))
    return ChunkProjection(coords, local, box, complete, True)
