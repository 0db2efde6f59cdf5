"""zarrc arrays as dask arrays and back: one task per stored chunk, named by where it lives.

``to_dask`` builds the graph itself rather than through ``dask.array.from_array``: each block is
one stored chunk (one shard of a sharded array), read by ``get_basic_selection(region, out=...)``
straight into the block, and the graph's name is a token of the array's store, path and
metadata, so two opens of the same array give the same name. The reads are one *blockwise*
layer, so dask's graph optimizer merges them with the blockwise step that follows (the
per-block part of a reduction, an elementwise ufunc): one task per chunk reads and reduces,
where a materialized graph leaves two tasks per chunk and an alias between them. ``from_dask`` creates an array and
stores a dask array into it with ``lock=False``: chunk-aligned blocks are written without any
lock, and blocks that share a chunk are serialized by zarrc's chunk locks (threads and, for
stores that have them, processes). Imported only on demand (needs the ``dask`` extra).
"""

from __future__ import annotations

import os
from typing import Any

import dask.array as da
import numpy as np
from dask._task_spec import TaskRef
from dask.base import tokenize
from dask.blockwise import blockwise
from dask.highlevelgraph import HighLevelGraph, MaterializedLayer
from dask.layers import ArraySliceDep

from zarrc.api import create_array
from zarrc.array import Array
from zarrc.storage import StoreLike

#: The dask array type (for annotations elsewhere: only this module imports dask).
DaskArray = da.Array

__all__ = ["array_token", "from_dask", "store_identity", "to_dask"]


def store_identity(store: StoreLike) -> tuple[Any, ...]:
    """What names a store's data, for graph names: equal for two opens of the same data.

    A store may define ``__dask_tokenize__``. Otherwise a store with a ``url``, ``root`` or
    ``path`` (fsspec, local directory, zip archive) is named by it; a read-only view by the
    store it wraps; a MemoryStore by its dict (in this process). Other stores are named by
    the object itself, so only that same object gives the same name.
    """
    wrapped = getattr(store, "wrapped", None)
    if wrapped is not None and wrapped is not store:
        return store_identity(wrapped)
    own = getattr(store, "__dask_tokenize__", None)
    if callable(own):
        return (type(store).__qualname__, own())
    kind = f"{type(store).__module__}.{type(store).__qualname__}"
    for attr in ("url", "root", "path"):
        where = getattr(store, attr, None)
        if isinstance(where, str):
            return (kind, attr, where)
    data = getattr(store, "data", None)
    if data is not None:
        return (kind, "data", os.getpid(), id(data))
    return (kind, "object", os.getpid(), id(store))


def array_token(array: Array) -> tuple[Any, ...]:
    """What identifies an array for dask (``Array.__dask_tokenize__``): where it lives and
    its metadata document. Cheap: no data is read or pickled."""
    return ("zarrc.Array", store_identity(array.store), array.path, array.metadata)


def _stored_chunks(array: Array) -> tuple[tuple[int, ...], ...]:
    """The dask chunks of the stored grid: per dimension the block lengths (shards if any)."""
    grid = array.shards or array.chunks  # a rectilinear grid: edge lengths per dimension
    return tuple(_clip(c, n) if isinstance(c, tuple) else da.core.normalize_chunks(c, (n,))[0]
                 for c, n in zip(grid, array.shape))


def _clip(edges: tuple[int, ...], length: int) -> tuple[int, ...]:
    """Rectilinear edge lengths cut at the array's length (a grid may reach past it)."""
    out, total = [], 0
    for edge in edges:
        if total >= length:
            break
        out.append(min(edge, length - total))
        total += out[-1]
    return tuple(out) or (0,)


def _read_block(array: Array, region: tuple[Any, ...]) -> np.ndarray:
    """One block: the region's values decoded straight into a new ndarray."""
    out = np.empty(tuple(s.stop - s.start for s in region), dtype=array.dtype)
    array.get_basic_selection(region, out=out)
    return out


def to_dask(array: Array, chunks: Any = None, *, name: str | None = None) -> da.Array:
    """A dask array over ``array``: one task per block, each reading its region.

    Parameters
    ----------
    array
        A zarrc :class:`~zarrc.Array`.
    chunks
        ``None`` (default): the stored grid, one block per chunk, or per shard for a sharded
        array. Otherwise anything ``dask.array.normalize_chunks`` takes (``"auto"``, ints,
        tuples); blocks that cut across stored chunks read them in part.
    name
        The graph name; by default ``"zarrc-" + token`` of the array (:func:`array_token`:
        the store's identity, the path, the metadata) and the chunks. The name says where the
        array lives and how it is laid out, not what it holds: data rewritten in place keeps
        the name, as with ``dask.array.from_zarr``.
    """
    if chunks is None:
        chunks = _stored_chunks(array)
    else:
        chunks = da.core.normalize_chunks(chunks, array.shape, dtype=array.dtype,
                                          previous_chunks=_stored_chunks(array))
    if name is None:
        name = "zarrc-" + tokenize(array, chunks)
    source = "zarrc-array-" + tokenize(name)
    index = tuple(range(array.ndim))
    # One task per block: _read_block(array, the block's slices). The array is one key of its
    # own (pickled once per worker on a cluster, not once per task).
    reads = blockwise(_read_block, name, index, TaskRef(source), None,
                      ArraySliceDep(chunks), index, numblocks={}, _data_producer=True)
    graph = HighLevelGraph({source: MaterializedLayer({source: array}), name: reads},
                           {source: set(), name: {source}})
    return da.Array(graph, name, chunks, dtype=array.dtype,
                    meta=np.empty((0,) * array.ndim, dtype=array.dtype))


def _write_chunks(darr: da.Array) -> tuple[int, ...]:
    """A regular chunk shape that matches ``darr``'s blocks where they are regular."""
    if any(np.isnan(c) for dim in darr.chunks for c in dim):
        raise ValueError("from_dask: the dask array has unknown chunk sizes; call "
                         "darr.compute_chunk_sizes() first")
    return tuple(max(1, int(n)) for n in darr.chunksize)


def from_dask(darr: Any, store: StoreLike = None, **create_kwargs: Any) -> Array:
    """Create an array in ``store`` from the dask array ``darr``, written block by block.

    ``create_kwargs`` go to :func:`zarrc.create_array` (``name``, ``chunks``, ``shards``,
    ``compressors``, ``zarr_format``, ``overwrite``, ...); shape and dtype come from ``darr``
    and the chunks default to its block shape. The blocks are stored with ``lock=False``: when
    they line up with the stored chunks (or shards) every block writes whole chunks with no
    lock and no read; where they do not, the chunks they share are read, merged and written
    under zarrc's chunk locks, so the result is the same, only slower. Computes with the
    current dask scheduler (a ``distributed.Client`` if one is active) and returns the array.
    """
    darr = da.asarray(darr)
    create_kwargs.setdefault("chunks", _write_chunks(darr))
    array = create_array(store, shape=darr.shape, dtype=darr.dtype, **create_kwargs)
    darr.store(array, lock=False)
    return array
