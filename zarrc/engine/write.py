"""Write values into a planned selection, atomically per chunk.

The value is cast and broadcast as NumPy would, then the selection's box is planned over the
stored chunk grid and handed to the array's chunk I/O (``ctx.chunk_io.write_box``); the per-chunk
policies (whole chunks written without a read, partial ones read-modified-written under the
chunk's lock, chunks of fill deleted) are in ``zarrc.engine.chunks``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zarrc.engine.chunks import prepare_value
from zarrc.engine.context import ArrayContext
from zarrc.engine.read import read_box
from zarrc.indexing import Selection, plan_box

__all__ = ["write_selection", "write_box", "prepare_value"]


def write_box(ctx: ArrayContext, sel: Selection, values: np.ndarray) -> None:
    """Store ``values`` (the box's shape) into the orthogonal box of ``sel``."""
    if values.size == 0:
        return
    ctx.chunk_io.write_box(ctx, plan_box(sel.dims, ctx.shape, ctx.dim_grids), values)


def write_selection(ctx: ArrayContext, sel: Selection, value: Any) -> None:
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
