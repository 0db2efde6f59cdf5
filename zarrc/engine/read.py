"""Read a planned selection: the box of its chunks, then NumPy's post-step if any.

The selection's box is planned (``zarrc.indexing.plan_box``) over the grid reads use and handed
to the array's chunk I/O (``ctx.chunk_io.read_box``: the reference or the native implementation,
chosen when the array was opened). Results go straight into the caller's ``out`` when its
layout allows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zarrc.engine.context import ArrayContext
from zarrc.indexing import ArrayDim, Selection, plan_box

__all__ = ["read_selection", "read_box", "check_out", "view_as"]


def read_box(ctx: ArrayContext, sel: Selection, box: np.ndarray | None = None) -> np.ndarray:
    """Read the orthogonal box of ``sel`` into ``box`` (allocated when None) and return it."""
    if box is None:
        box = np.empty(sel.box_shape, dtype=ctx.dtype)
    if box.size == 0:
        return box
    if ctx.pipeline.sharding is not None and any(
            isinstance(d, ArrayDim) and d.order is not None for d in sel.dims):
        # shards are read in parts through views of the box, which needs sorted index arrays
        raise ValueError("sharded arrays need orthogonal selections planned with "
                         "scatter=False (box-then-reorder)")
    ctx.chunk_io.read_box(ctx, plan_box(sel.dims, ctx.shape, ctx.read_grids), box)
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


def check_out(out: object, shape: tuple[int, ...], dtype: np.dtype[Any]) -> None:
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


def view_as(
    out: np.ndarray, shape: tuple[int, ...], *, contiguous: bool = False
) -> np.ndarray | None:
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
