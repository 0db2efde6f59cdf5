"""An array's streams: ``iter_chunks``, ``iter_slices`` and ``write_chunks`` (docs/streaming.md).

Arrays larger than memory are processed piece by piece: the read streams hand out chunks or
slabs read ahead of the consumer, the write stream stores ``(region, ndarray)`` pairs as they
come, in batches it can resume after a crash. Both go through the array's chunk I/O (the
engine's :mod:`zarrc.engine.stream` and :mod:`zarrc.engine.write_stream`) with a bounded
number of pieces in flight. This module turns the ``Array`` methods' arguments into the
engine's units and wires progress bars.
"""

from __future__ import annotations

import contextlib
import dataclasses
import reprlib
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
import numpy.typing as npt

from zarrc import progress as progress_bars
from zarrc.engine.stream import (
    Order,
    ReadStream,
    chunk_reads,
    count_units,
    default_concurrency,
    read_bytes,
    slab_reads,
)
from zarrc.engine.write_stream import WriteProgress, write_stream
from zarrc.indexing import IntDim, Selection, SliceDim, normalize_selection, plan_box

if TYPE_CHECKING:
    from zarrc.core.array_spec import ArrayConfig
    from zarrc.engine.context import ArrayContext


class StreamedArray(Protocol):
    """What the streams use of a :class:`zarrc.Array` (this module sits below zarrc.array)."""

    @property
    def _ctx(self) -> ArrayContext: ...
    @property
    def shape(self) -> tuple[int, ...]: ...
    @property
    def ndim(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def zarr_format(self) -> int: ...
    @property
    def config(self) -> ArrayConfig: ...
    def _check_writable(self) -> None: ...


#: A box of an array as the streams take it: one step-1 SliceDim per dimension.
Box = tuple[SliceDim, ...]


def _engine_box(dims: Box) -> Any:
    """``dims`` for zarrc.engine.stream, whose signatures still say ``tuple[int, ...]`` for
    these SliceDims (that module is not yet checked; drop this when its annotations are)."""
    return dims

__all__ = ["chunk_progress", "iter_chunks", "iter_slices", "stream_box", "write_chunks"]


def stream_box(selection: Any, shape: tuple[int, ...]) -> Box:
    """``selection`` (None: the whole array) as a box of step-1 SliceDims, one per dimension
    (an integer selects one position and keeps its dimension). Raises TypeError for anything
    else (steps, index arrays, masks, new axes)."""
    if selection is None:
        selection = Ellipsis
    sel = normalize_selection(selection, shape)
    ok = sel.post is None and sel.box_shape == sel.out_shape
    dims: list[SliceDim] = []
    for d in sel.dims if ok else ():
        if isinstance(d, IntDim):
            dims.append(SliceDim(d.index, 1, 1))
        elif isinstance(d, SliceDim) and (d.step == 1 or d.count <= 1):
            dims.append(SliceDim(d.start, 1, d.count))
        else:
            ok = False
    if not ok:
        raise TypeError(f"a stream's selection must be a box (slices with step 1, integers); "
                        f"got {reprlib.repr(selection)}")
    return tuple(dims)


def _concurrency(ctx: ArrayContext, concurrency: int | None) -> int:
    if concurrency is None:
        return default_concurrency(ctx)
    if isinstance(concurrency, bool) or not isinstance(concurrency, (int, np.integer)) or \
            concurrency < 1:
        raise ValueError(f"concurrency must be a positive integer, got {concurrency!r}")
    return int(concurrency)


def _order(array: StreamedArray) -> Order:
    return "F" if array.zarr_format == 3 and array.config.order == "F" else "C"


def _shard_capacity(ctx: ArrayContext, dims: Box, axis: int | None) -> int:
    """Shard indexes a stream keeps: the shards one slab crosses (twice), or a few."""
    codec = ctx.pipeline.sharding
    if codec is None:
        return 0
    across = 1
    for k, (d, shard) in enumerate(zip(dims, ctx.chunks)):
        if k != axis and axis is not None:
            across *= -(-(d.start + d.count) // shard) - d.start // shard
    return 2 * across + 2


def iter_chunks(array: StreamedArray, *, selection: Any = None, concurrency: int | None = None,
                ordered: bool = True, progress: bool | None = None) -> ReadStream:
    """See :meth:`zarrc.Array.iter_chunks`."""
    ctx = array._ctx
    dims = stream_box(selection, array.shape)
    n = _concurrency(ctx, concurrency)
    bar = progress_bars.open_bar(progress, count_units(ctx, _engine_box(dims)), "chunks",
                                 f"reading {array.name}")
    reads = chunk_reads(ctx, _engine_box(dims), read_bytes(ctx, n))
    return ReadStream(ctx, reads, concurrency=n, ordered=ordered,
                      order=_order(array), kind="iter_chunks",
                      shard_capacity=_shard_capacity(ctx, dims, None),
                      on_unit=None if bar is None else bar.advance,
                      on_close=None if bar is None else bar.close)


def iter_slices(array: StreamedArray, axis: int = 0, *, size: int | None = None, selection: Any = None,
                concurrency: int | None = None, progress: bool | None = None
                ) -> Iterator[tuple[int, npt.NDArray[Any]]]:
    """See :meth:`zarrc.Array.iter_slices`."""
    ctx = array._ctx
    if array.ndim == 0:
        raise TypeError("iter_slices needs an array with at least one dimension")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or \
            not -array.ndim <= axis < array.ndim:
        raise ValueError(f"axis {axis!r} is out of range for {array.ndim} dimensions")
    axis = int(axis) % array.ndim
    dims = stream_box(selection, array.shape)
    grid = ctx.read_grids[axis]
    if not isinstance(grid, int):
        raise TypeError("iter_slices needs a regular chunk grid along its axis")
    if size is None:
        size = grid
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    size = int(size)
    d = dims[axis]
    # Slabs whose edges all fall on chunk edges are read as they are; otherwise the stream
    # reads whole chunk rows (each chunk once) and the slabs are cut from them.
    aligned = size >= d.count or (size % grid == 0 and d.start % grid == 0)
    if aligned:
        bounds = [(a, min(size, d.start + d.count - a))
                  for a in range(d.start, d.start + d.count, size)]
    else:
        edges = [d.start, *range((d.start // grid + 1) * grid, d.start + d.count, grid),
                 d.start + d.count]
        bounds = [(a, b - a) for a, b in zip(edges, edges[1:])]
    total = -(-d.count // size) if d.count else 0
    bar = progress_bars.open_bar(progress, total, "slabs", f"reading {array.name}")
    stream = ReadStream(ctx, slab_reads(ctx, _engine_box(dims), axis, bounds),
                        concurrency=2 if concurrency is None else _concurrency(ctx, concurrency),
                        order=_order(array), kind="iter_slices",
                        shard_capacity=_shard_capacity(ctx, dims, axis),
                        on_close=None if bar is None else bar.close)
    return _slabs(stream, axis, d, size, aligned, bar)


def _slabs(stream: ReadStream, axis: int, d: SliceDim, size: int, aligned: bool,
           bar: progress_bars.Bar | None) -> Iterator[tuple[int, npt.NDArray[Any]]]:
    """``(start, slab)`` pairs from a stream of slab units (``aligned``) or of chunk rows."""
    with stream:
        if aligned:
            for region, data in stream:
                if bar is not None:
                    bar.update(1)
                yield region[axis].start, data
            return
        slab: npt.NDArray[Any] | None = None
        at = d.start  # the next slab's start
        for region, data in stream:
            lo, hi = region[axis].start, region[axis].stop
            while lo < hi:
                if slab is None:
                    shape = list(data.shape)
                    shape[axis] = min(size, d.start + d.count - at)
                    slab = np.empty(shape, dtype=data.dtype,
                                    order="F" if data.flags.f_contiguous and data.ndim > 1
                                    and not data.flags.c_contiguous else "C")
                take = min(hi, at + slab.shape[axis]) - lo
                put = [slice(None)] * data.ndim
                put[axis] = slice(lo - at, lo - at + take)
                get = [slice(None)] * data.ndim
                get[axis] = slice(lo - region[axis].start, lo - region[axis].start + take)
                slab[tuple(put)] = data[tuple(get)]
                lo += take
                if lo == at + slab.shape[axis]:
                    if bar is not None:
                        bar.update(1)
                    yield at, slab
                    at, slab = lo, None


def _write_item(
    shape: tuple[int, ...],
) -> Callable[[Any], tuple[Selection, Any, tuple[tuple[int, int], ...]]]:
    """``(region, values)`` checked and planned: the box selection, values, bounds."""

    def prepare(item: Any) -> tuple[Selection, Any, tuple[tuple[int, int], ...]]:
        try:
            region, values = item
        except (TypeError, ValueError):
            raise TypeError(f"write_chunks takes (region, values) pairs, got "
                            f"{type(item).__name__}") from None
        sel = normalize_selection(region, shape)
        bounds: list[tuple[int, int]] = []
        box = True
        for d in sel.dims:
            if isinstance(d, IntDim):
                bounds.append((d.index, d.index + 1))
            elif isinstance(d, SliceDim) and (d.step == 1 or d.count <= 1):
                bounds.append((d.start, d.start + d.count))
            else:
                box = False
                break
        if not box or sel.post is not None or sel.out_shape != sel.box_shape:
            raise TypeError(f"write_chunks: a region must be a box (slices with step 1, "
                            f"integers), got {reprlib.repr(region)}")
        return sel, values, tuple(bounds)

    return prepare


def write_chunks(array: StreamedArray, items: Iterable[Any], *, concurrency: int | None = None,
                 checkpoint: Callable[[WriteProgress], object] | None = None,
                 resume: dict[str, Any] | None = None, batch: int | None = None,
                 progress: bool | None = None) -> WriteProgress:
    """See :meth:`zarrc.Array.write_chunks`."""
    array._check_writable()
    ctx = array._ctx
    n = _concurrency(ctx, concurrency)
    if batch is None:
        batch = 4 * n
    if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 1:
        raise ValueError(f"batch must be a positive integer, got {batch!r}")
    if checkpoint is not None and not callable(checkpoint):
        raise TypeError(f"checkpoint must be callable, got {type(checkpoint).__name__}")
    total = len(cast(Sized, items)) if hasattr(items, "__len__") else None
    bar = progress_bars.open_bar(progress, total, "items", f"writing {array.name}")
    try:
        return write_stream(ctx, items, _write_item(array.shape), concurrency=n,
                            batch=int(batch), checkpoint=checkpoint, resume=resume,
                            on_item=None if bar is None else bar.advance)
    finally:
        if bar is not None:
            bar.close()


_MIN_CHUNKS = 8  # a read or write of fewer chunks shows no bar


@contextlib.contextmanager
def chunk_progress(array: StreamedArray, sel: Selection, verb: str) -> Iterator[ArrayContext]:
    """The engine context for ``a[sel]`` (``verb``: "reading" or "writing") counting its
    chunks on a progress bar (``zarrc.config`` ``progress``), when it spans many chunks."""
    ctx = array._ctx
    grids = ctx.read_grids if verb == "reading" else ctx.dim_grids
    total = plan_box(sel.dims, ctx.shape, grids).total
    if total < _MIN_CHUNKS:
        yield ctx
        return
    bar = progress_bars.Bar(total, "chunks", f"{verb} {array.name}")
    try:
        yield dataclasses.replace(ctx, progress=bar.update)
    finally:
        bar.close()
