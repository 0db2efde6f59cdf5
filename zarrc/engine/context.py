"""Everything the engine needs to move one array's chunks, built once per open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from zarrc._ext.copy import copy_view
from zarrc._ext.fill import fill_equal, fill_view
from zarrc.engine.interfaces import ChunkStore, KeyEncoding, PipelineLike, ShardingLike
from zarrc.indexing import BoxPlan, PointPlan

__all__ = ["ArrayContext", "ChunkOps", "IndexCache", "is_fill"]


class ChunkOps(Protocol):
    """The chunk-I/O interface (``zarrc.engine.chunk_io.ChunkIO``, a layer above)."""

    @property
    def read_box(self) -> Callable[[ArrayContext, BoxPlan, np.ndarray], None]: ...
    @property
    def read_points(self) -> Callable[[ArrayContext, PointPlan, np.ndarray], None]: ...
    @property
    def write_box(self) -> Callable[[ArrayContext, BoxPlan, np.ndarray], None]: ...
    @property
    def encode_shard(self) -> Callable[[ArrayContext, np.ndarray, str], bytes | memoryview]: ...
    @property
    def kinds(self) -> tuple[str, ...]: ...


class IndexCache(Protocol):
    """Parsed shard indexes kept by a stream (``zarrc.engine.shard.ShardIndexes``)."""

    def get(self, key: str, load: Callable[[], np.ndarray | None]) -> np.ndarray | None: ...
    def clear(self) -> None: ...


@dataclass(frozen=True)
class ArrayContext:
    """One array as the engine sees it: where its chunks live and how they are coded.

    ``fill_value`` is a 0-d array of ``dtype`` (never None: a v2 ``null`` fill reads as zeros
    and ``fill_bytes`` is then None, which makes every written chunk count as non-empty).
    ``io`` is the chunk-I/O implementation chosen for the array when it was opened
    (:func:`zarrc.engine.chunk_io.open_context`). A stream (``zarrc.engine.stream``) reads
    through a copy whose ``shard_indexes`` keeps the shard indexes it has read; a read or
    write with a progress bar, through a copy whose ``progress`` counts its chunks.
    """

    store: ChunkStore  # a zarrc.storage.Store
    prefix: str  # "" for a root array, else "path/"
    key_encoding: KeyEncoding  # zarrc.metadata ChunkKeyEncoding: chunk coords -> key below it
    pipeline: PipelineLike  # zarrc.codecs.CodecPipeline (of the regular chunk shape)
    shape: tuple[int, ...]
    chunks: tuple[int, ...]  # the chunk shape of a regular grid (the grid for a rectilinear one)
    dtype: np.dtype[Any]
    fill_value: np.ndarray
    fill_bytes: bytes | None
    write_empty_chunks: bool = False
    # rectilinear: per dimension a chunk size or its chunks' int64 offsets
    grid: tuple[int | np.ndarray, ...] | None = None
    make_pipeline: Callable[[tuple[int, ...]], PipelineLike] | None = None  # rectilinear
    io: ChunkOps | None = None  # set by zarrc.engine.chunk_io.open_context
    shard_indexes: IndexCache | None = None  # a stream's: each shard index read once
    progress: Callable[[int], object] | None = None  # a caller's: n more chunks done (observe)
    _pipelines: dict[tuple[int, ...], PipelineLike] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def regular(self) -> bool:
        """Every chunk has the shape ``chunks`` (a regular grid)."""
        return self.grid is None

    @property
    def dim_grids(self) -> tuple[int | np.ndarray, ...]:
        """What indexing needs to find stored chunks: per dimension a chunk size or offsets."""
        return self.chunks if self.grid is None else self.grid

    @property
    def chunk_io(self) -> ChunkOps:
        """The array's chunk I/O (set when it was opened: ``open_context``)."""
        if self.io is None:
            raise RuntimeError("the array's chunk I/O was not chosen (open it with open_context)")
        return self.io

    @property
    def sharding(self) -> ShardingLike | None:
        """The sharding codec when the array is sharded (it is then its whole pipeline)."""
        return self.pipeline.sharding

    @property
    def read_grids(self) -> tuple[int | np.ndarray, ...]:
        """The grid reads are planned over: a sharded array's inner chunks (its shards are
        read in parts), else the stored chunks."""
        codec = self.pipeline.sharding
        return self.dim_grids if codec is None else tuple(codec.chunk_shape)

    def encode_key(self, coords: tuple[int, ...]) -> str:
        """The key of chunk ``coords`` below the array."""
        return self.key_encoding.encode(coords)

    def chunk_start(self, coords: tuple[int, ...]) -> tuple[int, ...]:
        """The array position of the first element of chunk ``coords``."""
        if self.grid is None:
            return tuple(i * c for i, c in zip(coords, self.chunks))
        return tuple(i * g if isinstance(g, int) else int(g[i]) for i, g in zip(coords, self.grid))

    def chunk_shape(self, coords: tuple[int, ...]) -> tuple[int, ...]:
        """The full (decoded) shape of chunk ``coords``."""
        if self.grid is None:
            return self.chunks
        return tuple(g if isinstance(g, int) else int(g[i + 1] - g[i])
                     for i, g in zip(coords, self.grid))

    def pipeline_for(self, coords: tuple[int, ...]) -> PipelineLike:
        """The codec pipeline of chunk ``coords`` (one per distinct chunk shape)."""
        if self.grid is None:
            return self.pipeline
        shape = self.chunk_shape(coords)
        found = self._pipelines.get(shape)
        if found is None:
            if self.make_pipeline is None:
                raise RuntimeError("a rectilinear array's context needs make_pipeline")
            found = self._pipelines.setdefault(shape, self.make_pipeline(shape))
        return found

    def key(self, coords: tuple[int, ...]) -> str:
        """The store key of the chunk at ``coords``."""
        return self.prefix + self.key_encoding.encode(coords)

    def chunk_region(self, coords: tuple[int, ...]) -> tuple[slice, ...]:
        """The in-bounds part of chunk ``coords`` in chunk-local slices (edge chunks are clipped)."""
        return tuple(slice(0, min(c, n - s)) for s, c, n in
                     zip(self.chunk_start(coords), self.chunk_shape(coords), self.shape))

    @property
    def by_numpy(self) -> bool:
        """True for dtypes the native kernels refuse: object and ``StringDType`` (kind T)."""
        return self.dtype.hasobject or self.dtype.kind == "T"

    def fill(self, dst: np.ndarray) -> None:
        """Write the fill value into every element of ``dst`` (native; NumPy for objects)."""
        if self.by_numpy:
            dst[...] = self.fill_value
        else:
            fill_view(dst, self.fill_bytes or bytes(self.dtype.itemsize))

    def copy(self, dst: np.ndarray, src: np.ndarray) -> None:
        """``dst[...] = src`` for views of equal shape (native, GIL released; NumPy for objects)."""
        if self.by_numpy:
            dst[...] = src
        else:
            copy_view(dst, src)

    def is_empty(self, chunk: np.ndarray) -> bool:
        """True if ``chunk`` holds only the fill value, so it need not be stored."""
        if self.write_empty_chunks or self.fill_bytes is None:
            return False
        if self.by_numpy:
            return bool(np.all(chunk == self.fill_value[()]))
        return is_fill(chunk, self.fill_bytes)

    def is_edge(self, coords: tuple[int, ...]) -> bool:
        """True when chunk ``coords`` extends past the array's end in some dimension."""
        return any(s + c > n for s, c, n in
                   zip(self.chunk_start(coords), self.chunk_shape(coords), self.shape))


def is_fill(chunk: np.ndarray, fill_bytes: bytes | None) -> bool:
    """True if every item of ``chunk`` has exactly the fill value's bytes (NaN included).

    Native and early-exiting: a chunk of real data is rejected after a few bytes.
    """
    if fill_bytes is None:
        return False
    return fill_equal(chunk, fill_bytes)
