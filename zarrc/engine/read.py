"""Read a planned selection: for each chunk, fetch → decode → copy into the result.

Chunks run as tasks on the engine's pool (``zarrc.engine.pool``). A chunk that the selection
covers whole, in the output's layout, is decoded straight into the output; a missing chunk is
filled with the fill value and never decoded.
"""

from __future__ import annotations

import numpy as np

from zarrc.engine.context import ArrayContext
from zarrc.engine.native import read_box_native
from zarrc.engine.pool import run_tasks
from zarrc.engine.shard import iter_shard_tasks
from zarrc.indexing import ArrayDim, ChunkProjection, Selection, iter_chunk_projections

__all__ = ["read_selection", "read_box", "gather", "box_index", "check_out", "view_as"]


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


def _read_scattered(ctx: ArrayContext, proj: ChunkProjection, box: np.ndarray) -> None:
    """A chunk whose values go to scattered places of the box (ordered index arrays)."""
    key = ctx.key(proj.coords)
    data = ctx.store.get(key)
    where = box_index(proj.box, box.shape)
    if data is None:
        box[where] = ctx.fill_value
    else:
        box[where] = gather(ctx.pipeline_for(proj.coords).decode(data, key), proj.local)


def _read_chunk(ctx: ArrayContext, proj: ChunkProjection, box: np.ndarray) -> None:
    if proj.scattered:
        _read_scattered(ctx, proj, box)
        return
    key = ctx.key(proj.coords)
    target = box[proj.box + (Ellipsis,)]
    data = ctx.store.get(key)
    if data is None:
        ctx.fill(target)
        return
    pipeline = ctx.pipeline_for(proj.coords)
    if (proj.complete and target.shape == ctx.chunk_shape(proj.coords)
            and pipeline.decodes_into(target)):
        pipeline.decode(data, key, out=target)
        return
    chunk = pipeline.decode(data, key)
    source = chunk[proj.local + (Ellipsis,)] if proj.basic else gather(chunk, proj.local)
    ctx.copy(target, source)


def read_box(ctx: ArrayContext, sel: Selection, box: np.ndarray | None = None) -> np.ndarray:
    """Read the orthogonal box of ``sel`` into ``box`` (allocated when None) and return it."""
    if box is None:
        box = np.empty(sel.box_shape, dtype=ctx.dtype)
    if box.size == 0:
        return box
    if ctx.regular and read_box_native(ctx, sel, box):  # local files, common codecs: all in C
        return box
    projections = iter_chunk_projections(sel.dims, ctx.shape, ctx.dim_grids)
    if ctx.pipeline.sharding is not None:
        # Inner chunks, not shards, are the unit of work: the shards are fetched as the
        # workers pull tasks, and their inner chunks are decoded in parallel. Shard parts are
        # written through views of the box, so scattered (ordered) dimensions cannot come here.
        if any(isinstance(d, ArrayDim) and d.order is not None for d in sel.dims):
            raise ValueError("sharded arrays need orthogonal selections planned with "
                             "scatter=False (box-then-reorder)")
        tasks = (task for proj in projections
                 for task in iter_shard_tasks(ctx, proj, box[proj.box + (Ellipsis,)], gather))
        run_tasks(lambda task: task(), tasks)
        return box
    run_tasks(lambda proj: _read_chunk(ctx, proj, box), projections)
    return box


def read_selection(ctx: ArrayContext, sel: Selection, out: np.ndarray | None = None
                   ) -> np.ndarray:
    """The result of a planned selection as a C-contiguous ndarray of ``sel.out_shape``, or
    ``out`` filled with it (see ``check_out``).

    When ``out`` has the array's dtype and the box is a view of it (no reordering after the
    read), chunks are decoded and copied straight into ``out``: nothing else is allocated.
    """
    if out is not None:
        check_out(out, sel.out_shape, ctx.dtype)
        box = view_as(out, sel.box_shape) if sel.post is None and out.dtype == ctx.dtype else None
        if box is not None:
            read_box(ctx, sel, box)
        else:
            np.copyto(out, read_selection(ctx, sel), casting="same_kind")
        return out
    box = read_box(ctx, sel)
    result = box if sel.post is None else box[sel.post]
    result = result.reshape(sel.out_shape)
    # (np.ascontiguousarray would turn a 0-d result into 1-d)
    return result if result.flags.c_contiguous else result.copy(order="C")


def check_out(out, shape: tuple, dtype: np.dtype) -> None:
    """Raise as NumPy's ``out=`` arguments do unless ``out`` can take a result of ``shape``
    and ``dtype``: a writable ndarray of that shape whose dtype ``same_kind`` casting reaches."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != tuple(shape):
        raise ValueError(f"out has shape {out.shape}, the selection's result {tuple(shape)}")
    if not out.flags.writeable:
        raise ValueError("out is read-only")
    if not np.can_cast(dtype, out.dtype, casting="same_kind"):
        raise TypeError(f"cannot write the array's {dtype} values to out of dtype {out.dtype} "
                        f"(casting 'same_kind')")


def view_as(out: np.ndarray, shape: tuple, *, contiguous: bool = False) -> np.ndarray | None:
    """``out`` as an array of ``shape`` sharing its memory (C-contiguous if asked), or None
    when that would take a copy."""
    if out.shape == tuple(shape):
        view = out
    else:
        try:
            view = np.reshape(out, shape, copy=False)  # NumPy 2.1+: raises rather than copies
        except ValueError:
            return None  # out's strides do not allow this shape without a copy
        except TypeError:  # an older NumPy (no copy argument)
            view = out.reshape(shape)
            if not np.may_share_memory(view, out):
                return None
    return view if view.flags.c_contiguous or not contiguous else None
