"""The Array: a lazy handle on one stored array with NumPy's indexing semantics.

An ``Array`` holds no data: metadata, the codec pipeline and the engine context are built once
when it is opened, and every ``a[sel]`` plans the selection (``zarrc.indexing``) and hands it to
the engine (``zarrc.engine``), which returns a plain ``numpy.ndarray``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from zarrc import nodes, streams
from zarrc import progress as progress_bars
from zarrc.codecs import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    ChunkSpec,
    Codec,
    CodecPipeline,
    get_codec,
)
from zarrc.core.array_spec import ArrayConfig, parse_array_config
from zarrc.core.metadata import codec_object, codec_objects, public_metadata
from zarrc.dtype import parse_dtype
from zarrc.engine.chunk_io import open_context
from zarrc.engine.clear import clear_outside
from zarrc.engine.points import read_points, write_points
from zarrc.engine.read import read_selection
from zarrc.engine.stream import ReadStream
from zarrc.engine.write import write_selection
from zarrc.errors import CodecError, MetadataError, ReadOnlyError
from zarrc.indexing import (
    PointSelection,
    Selection,
    normalize_block_selection,
    normalize_coordinate_selection,
    normalize_orthogonal_selection,
    normalize_point_selection,
    normalize_selection,
)
from zarrc.info import ArrayInfo
from zarrc.lazy import LazyArray, LazyIndexer, dimension_selection
from zarrc.metadata import ArrayMetadata, NodeMetadata, normalize_shape
from zarrc.storage.base import Store

if TYPE_CHECKING:
    from zarrc.core.metadata import ArrayV2Metadata, ArrayV3Metadata
    from zarrc.dask import DaskArray
    from zarrc.engine.write_stream import WriteProgress

__all__ = ["Array"]


class Array(nodes.Node):
    """A Zarr array in a store (v2 or v3). Create or open one with the ``zarrc`` functions."""

    _kind = "array"
    _metadata: ArrayMetadata

    def __init__(self, store: Store, path: str, metadata: ArrayMetadata, *,
                 read_only: bool = False, write_empty_chunks: bool | None = None,
                 document: dict[str, Any] | None = None,
                 config: ArrayConfig | dict[str, Any] | None = None) -> None:
        """``config``: an :class:`ArrayConfig` or dict (``order``, ``write_empty_chunks``);
        unset values come from ``zarrc.config``. ``write_empty_chunks`` overrides it."""
        config = parse_array_config(config)
        if write_empty_chunks is not None:
            config = ArrayConfig(config.order, bool(write_empty_chunks))
        self._store = store
        self._path = path
        self._read_only = bool(read_only or store.read_only)
        self._config = config
        self._write_empty_chunks = config.write_empty_chunks
        self._set_metadata(metadata, document)

    # -- construction -----------------------------------------------------------------------
    def _set_metadata(self, metadata: ArrayMetadata,
                      document: dict[str, Any] | None = None) -> None:
        self._metadata = metadata
        self._document = document
        key = nodes.key_of(self._path, "zarr.json" if metadata.zarr_format == 3 else ".zarray")
        fill = nodes.fill_array(metadata)

        def make_pipeline(chunk_shape: tuple[int, ...]) -> CodecPipeline:
            spec = ChunkSpec(shape=chunk_shape, dtype=metadata.dtype,
                             order="F" if metadata.order == "F" else "C", fill_value=fill[()])
            if metadata.zarr_format == 3:
                return CodecPipeline.from_v3(metadata.codecs, spec, key)
            return CodecPipeline.from_v2(metadata.filters, metadata.compressor, spec, key)

        grid = None if metadata.regular else metadata.dim_grids
        chunks = tuple(  # a rectilinear grid's pipeline is built for its first chunk's shape
            g if isinstance(g, int) else int(g[1] - g[0]) if len(g) > 1 else 1
            for g in metadata.dim_grids)
        try:  # built now: bad codecs fail at open, not at first read
            pipeline = make_pipeline(chunks)
        except CodecError as exc:  # an unknown or misconfigured codec: the metadata is bad
            message = str(exc) if key in str(exc) else f"{key}: {exc}"
            raise nodes.codec_config_error(exc, message) from None
        if grid is not None and pipeline.sharding is not None:
            raise MetadataError(f"{key}: a rectilinear chunk grid cannot be sharded")
        self._ctx = open_context(
            store=self._store,
            prefix=f"{self._path}/" if self._path else "",
            key_encoding=metadata.chunk_key_encoding,
            pipeline=pipeline,
            shape=metadata.shape,
            chunks=chunks,
            dtype=metadata.dtype,
            fill_value=fill,
            fill_bytes=None if metadata.fill_value is None else fill.tobytes(),
            write_empty_chunks=self._write_empty_chunks,
            grid=grid,
            make_pipeline=None if grid is None else make_pipeline,
        )

    def _metadata_changed(self) -> None:
        self._document = None

    def _adopt(self, meta: NodeMetadata, document: dict[str, Any] | None = None) -> None:
        assert isinstance(meta, ArrayMetadata)  # _reread refuses a node replaced by a group
        self._set_metadata(meta, document)

    # -- properties -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._metadata.shape

    @property
    def dtype(self) -> np.dtype[Any]:
        return self._metadata.dtype

    @property
    def chunks(self) -> tuple[int, ...] | tuple[tuple[int, ...], ...]:
        """The chunk shape; for a sharded array the inner chunk shape (as zarr-python 3); for
        a rectilinear grid, each dimension's chunk lengths."""
        inner = self._sharding_config()
        if inner is not None:
            return tuple(inner["chunk_shape"])
        return self._metadata.chunks

    @property
    def shards(self) -> tuple[int, ...] | tuple[tuple[int, ...], ...] | None:
        """The shard shape (the stored chunk grid) of a sharded array, else None."""
        if self._sharding_config() is None:
            return None
        return self._metadata.chunks

    def _sharding_config(self) -> dict[str, Any] | None:
        """The ``sharding_indexed`` configuration when it is the array's only codec."""
        codecs = self._metadata.codecs
        if self._metadata.zarr_format != 3 or len(codecs) != 1:
            return None
        codec = codecs[0]
        if isinstance(codec, dict) and codec.get("name") == "sharding_indexed":
            config: dict[str, Any] = codec.get("configuration") or {}
            return config
        return None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    @property
    def cdata_shape(self) -> tuple[int, ...]:
        """Chunks per dimension."""
        grid_shape: tuple[int, ...] = self._metadata.chunk_grid.grid_shape(self.shape)
        return grid_shape

    @property
    def nchunks(self) -> int:
        return math.prod(self.cdata_shape)

    @property
    def nchunks_initialized(self) -> int:
        """How many chunks are stored (the others read as the fill value)."""
        grid = self.cdata_shape
        return sum(1 for coords in self._iter_stored_chunk_coords()
                   if all(c < g for c, g in zip(coords, grid)))

    @property
    def fill_value(self) -> Any:
        return self._metadata.fill_value

    @property
    def order(self) -> str:
        """v2: the stored chunk order; v3: the memory order of results (``config.order``)."""
        return self._metadata.order if self.zarr_format == 2 else self._config.order

    @property
    def dimension_names(self) -> tuple[str | None, ...] | None:
        return self._metadata.dimension_names

    @property
    def metadata(self) -> ArrayV2Metadata | ArrayV3Metadata:
        """zarr-python's metadata object (``ArrayV3Metadata`` / ``ArrayV2Metadata``); its
        ``to_dict()`` is the stored document as read (v2: ``.zarray``; v3: ``zarr.json``)."""
        if self._document is None:
            self._document = self._metadata.to_json()
        meta: ArrayV2Metadata | ArrayV3Metadata = public_metadata(
            self._metadata, copy.deepcopy(self._document))
        return meta

    # -- zarr-python's codec, config and storage members ---------------------------------------
    def _codec_objects(self) -> tuple[Any, ...]:
        """The codecs as objects; for a sharded array the codecs inside the shards."""
        inner = self._sharding_config()
        docs = inner.get("codecs", []) if inner is not None else self._metadata.codecs
        return codec_objects(docs, self.dtype, self._ctx.chunks if inner is None
                             else tuple(inner["chunk_shape"]))

    @property
    def filters(self) -> tuple[Any, ...]:
        """The array→array codecs (v2: the filters), as codec objects."""
        if self.zarr_format == 2:
            return tuple(codec_object(f) for f in self._metadata.filters or ())
        return tuple(c for c in self._codec_objects() if _kind(c) is ArrayArrayCodec)

    @property
    def serializer(self) -> Any:
        """The array→bytes codec (None in v2)."""
        if self.zarr_format == 2:
            return None
        return next((c for c in self._codec_objects() if _kind(c) is ArrayBytesCodec), None)

    @property
    def compressors(self) -> tuple[Any, ...]:
        """The bytes→bytes codecs (v2: the compressor), as codec objects."""
        if self.zarr_format == 2:
            comp = self._metadata.compressor
            return () if comp is None else (codec_object(comp),)
        kinds = (ArrayArrayCodec, ArrayBytesCodec)
        return tuple(c for c in self._codec_objects() if _kind(c) not in kinds)

    @property
    def compressor(self) -> Any:
        """The v2 compressor (zarr-python's v2 member; v3 arrays have ``compressors``)."""
        if self.zarr_format == 3:
            raise TypeError("`compressor` is not available for Zarr format 3 arrays; "
                            "use `compressors`")
        comp = self._metadata.compressor
        return None if comp is None else codec_object(comp)

    @property
    def config(self) -> ArrayConfig:
        """This handle's runtime settings: ``order`` and ``write_empty_chunks``."""
        return self._config

    def with_config(self, config: ArrayConfig | dict[str, Any]) -> Array:
        """A handle on the same array with settings changed (a dict or an ArrayConfig)."""
        if isinstance(config, dict):
            config = ArrayConfig(**{**self._config.to_dict(), **config})
        return Array(self._store, self._path, self._metadata, read_only=self._read_only,
                     document=self._document, config=parse_array_config(config))

    def nbytes_stored(self) -> int:
        """Bytes stored for this array: its metadata documents and every chunk or shard."""
        store = self._store
        getsize = getattr(store, "getsize", None)  # a stat where the store has one
        total = 0
        for key in store.list_prefix(self._ctx.prefix):
            if getsize is not None:
                total += getsize(key)
            else:
                value = store.get(key)
                total += 0 if value is None else len(value)
        return total

    def _info(self, complete: bool) -> ArrayInfo:
        meta = self._metadata
        v3 = meta.zarr_format == 3
        counts: dict[str, int] = {}
        if complete:
            counts = {"count_bytes_stored": self.nbytes_stored(),
                      "count_chunks_initialized": self.nchunks_initialized}
        return ArrayInfo(
            zarr_format=meta.zarr_format,
            data_type=parse_dtype(meta.dtype, zarr_format=meta.zarr_format),
            fill_value=meta.fill_value, shape=self.shape, shard_shape=self.shards,
            chunk_shape=self.chunks if meta.regular else None, order=self.order,
            read_only=self.read_only, store_type=type(self._store).__name__,
            filters=self.filters, serializer=self.serializer if v3 else None,
            compressors=self.compressors, count_bytes=self.nbytes,
            dimension_names=meta.dimension_names, **counts)

    @property
    def info(self) -> ArrayInfo:
        """A printable summary (zarr-python's layout); see also :meth:`info_complete`."""
        return self._info(complete=False)

    def info_complete(self) -> ArrayInfo:
        """:attr:`info` plus what a listing of the store tells: bytes stored, storage ratio
        and the chunks (or shards) initialized."""
        return self._info(complete=True)

    # -- indexing ---------------------------------------------------------------------------
    def __getitem__(self, selection: Any) -> npt.NDArray[Any]:
        return self._read(self._plan(selection))

    def __setitem__(self, selection: Any, value: Any) -> None:
        self._write(self._plan(selection), value)

    def _plan(self, selection: Any) -> Selection | PointSelection:
        """The plan of ``a[selection]``: independent points, or a box and what follows."""
        points = normalize_point_selection(selection, self.shape)
        return points if points is not None else normalize_selection(selection, self.shape)

    def _read(self, sel: Selection | PointSelection,
              out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        if isinstance(sel, PointSelection):
            return read_points(self._ctx, sel, out)
        if progress_bars.wanted(None):  # zarrc.config progress: a bar over many chunks
            with streams.chunk_progress(self, sel, "reading") as ctx:
                result = read_selection(ctx, sel, out)
        else:
            result = read_selection(self._ctx, sel, out)
        if out is None and self._config.order == "F" and self.zarr_format == 3:
            return np.asfortranarray(result)  # v3 order is the memory order of results
        return result

    def _write(self, sel: Selection | PointSelection, value: Any) -> None:
        self._check_writable()
        if isinstance(sel, PointSelection):
            write_points(self._ctx, sel, value)
        elif progress_bars.wanted(None):
            with streams.chunk_progress(self, sel, "writing") as ctx:
                write_selection(ctx, sel, value)
        else:
            write_selection(self._ctx, sel, value)

    @property
    def oindex(self) -> _Indexer:
        """Orthogonal selection: each index array selects along its own axis."""
        # Sharded arrays read shards in parts through views of the result, so they keep the
        # box-then-reorder plan; others scatter each chunk's values straight into place.
        scatter = self._ctx.pipeline.sharding is None
        return _Indexer(self, lambda sel, shape: normalize_orthogonal_selection(
            sel, shape, scatter=scatter))

    @property
    def vindex(self) -> _Indexer:
        """Vectorized selection: coordinate arrays broadcast together, or one full mask."""
        return _Indexer(self, normalize_coordinate_selection)

    @property
    def blocks(self) -> _Indexer:
        """Selection in units of chunks: ``a.blocks[1, 2:4]``."""
        return _Indexer(self, lambda sel, shape: normalize_selection(
            normalize_block_selection(sel, shape, self._ctx.dim_grids), shape))

    @property
    def lazy(self) -> LazyIndexer:
        """``a.lazy[sel]``: a :class:`~zarrc.LazyArray` view that reads nothing until used."""
        return LazyArray(self).lazy

    def isel(self, **dims: Any) -> npt.NDArray[Any]:
        """Select by dimension name: ``a.isel(time=slice(0, 30), lat=5)``; others are whole.

        The same as ``a[sel]`` with each value at its dimension's position (so index arrays
        on several dimensions broadcast together, as in NumPy). An unknown name raises
        ``KeyError`` listing the known ones.
        """
        return self[dimension_selection(self.dimension_names, dims, f"array {self.name!r}")]

    # zarr-python's named forms. ``out``: an ndarray of the result's shape that the values are
    # written to (cast as NumPy's ``same_kind`` allows) and that is returned; chunks decode
    # straight into it when it has the array's dtype.
    def get_basic_selection(self, selection: Any = Ellipsis, *,
                            out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """``a[selection]``, optionally into ``out``."""
        return self._read(self._plan(selection), out)

    def set_basic_selection(self, selection: Any, value: Any) -> None:
        self[selection] = value

    def get_orthogonal_selection(self, selection: Any, *,
                                 out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """``a.oindex[selection]``, optionally into ``out``."""
        return self.oindex.get(selection, out)

    def set_orthogonal_selection(self, selection: Any, value: Any) -> None:
        self.oindex[selection] = value

    def get_coordinate_selection(self, selection: Any, *,
                                 out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """``a.vindex[selection]`` of coordinate arrays, optionally into ``out``."""
        return self.vindex.get(selection, out)

    def set_coordinate_selection(self, selection: Any, value: Any) -> None:
        self.vindex[selection] = value

    def get_block_selection(self, selection: Any, *,
                            out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """``a.blocks[selection]``, optionally into ``out``."""
        return self.blocks.get(selection, out)

    def set_block_selection(self, selection: Any, value: Any) -> None:
        self.blocks[selection] = value

    def get_mask_selection(self, mask: Any, *,
                           out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """The elements where ``mask`` (booleans of the array's shape) is true, in C order."""
        return self.vindex.get(_checked_mask(mask, self.shape), out)

    def set_mask_selection(self, mask: Any, value: Any) -> None:
        """Store ``value`` (a scalar, or one value per true element) where ``mask`` is true."""
        self.vindex[_checked_mask(mask, self.shape)] = value

    # -- NumPy protocol ---------------------------------------------------------------------
    def __array__(self, dtype: npt.DTypeLike | None = None,
                  copy: bool | None = None) -> npt.NDArray[Any]:
        if copy is False:
            raise ValueError("a zarrc Array holds no data in memory: it cannot give an array "
                             "without a copy (copy=False)")
        data = self[...]
        return data if dtype is None else data.astype(dtype, copy=False)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self) -> Iterator[Any]:
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        step = self._ctx.chunks[0]  # about a chunk's worth of rows per read
        for start in range(0, self.shape[0], step):
            block = self[start:start + step]
            yield from block

    def __repr__(self) -> str:
        return f"<Array {self.store_path} shape={self.shape} dtype={self.dtype}>"

    # -- changing shape ---------------------------------------------------------------------
    def resize(self, *shape: int | tuple[int, ...]) -> None:
        """Change the shape; data outside the new shape is dropped (reads as fill if regrown).

        The stored shape is re-read, the chunks (and parts of chunks) outside both shapes'
        common part are reset to the fill value, and only then is the new shape stored, as one
        update of the array's document (:func:`zarrc.nodes.update_document`: under its lock,
        or optimistically on a store with conditional writes): a crash at any point leaves the
        old shape or the new one, never dropped data that a later growth would bring back.
        """
        self._check_writable()
        new_shape = normalize_shape(shape[0] if len(shape) == 1 else shape)
        with nodes.node_lock(self._store, self._path):
            self._store_shape(lambda stored: new_shape)

    def _store_shape(
        self, new_shape_of: Callable[[tuple[int, ...]], tuple[int, ...]]
    ) -> tuple[int, ...]:
        """Store the shape ``new_shape_of(stored shape)`` (see :meth:`resize`; it may be asked
        again after a conflict, and what it raises stores nothing); call it under the node
        lock. Adopts the stored metadata; returns the old shape."""
        key = nodes.document_key(self._path, self._metadata)
        done: list[Any] = []

        def modify(data: bytes | None, exclusive: bool) -> bytes:
            self._adopt(*self._reread({key: data}))
            old_shape, new_shape = self.shape, tuple(new_shape_of(self.shape))
            if len(new_shape) != self.ndim:
                raise ValueError(f"resize cannot change the number of dimensions ({self.ndim} "
                                 f"-> {len(new_shape)})")
            unchanged = None if exclusive else (  # read afresh, never from a cache
                lambda: self._store.get_versioned(key)[0] == data)
            clear_outside(self._ctx, list(self._iter_stored_chunk_coords()), old_shape,
                          new_shape, unchanged=unchanged)
            done[:] = [old_shape, self._metadata.evolve(shape=new_shape)]
            return nodes.document_bytes(done[1])

        nodes.update_document(self._store, key, modify)
        self._set_metadata(done[1])
        old_shape: tuple[int, ...] = done[0]
        return old_shape

    def append(self, data: npt.ArrayLike, axis: int = 0) -> tuple[int, ...]:
        """Grow along ``axis`` by ``data``'s extent and write ``data`` there; the new shape.

        The extent is added to the shape as stored (one update of the array's document, as
        :meth:`resize`), then the data is written, all under the array's metadata lock, so
        appends from several handles or processes each get a region of their own. A crash
        between the two steps leaves the array grown with its new part reading as the fill
        value.
        """
        self._check_writable()
        data = np.asarray(data)
        axis = axis + data.ndim if axis < 0 else axis

        def grown(shape: tuple[int, ...]) -> tuple[int, ...]:
            if data.ndim != len(shape):
                raise ValueError(f"data has {data.ndim} dimensions, the array {len(shape)}")
            if not 0 <= axis < data.ndim:
                raise ValueError(f"axis {axis} is out of range for {data.ndim} dimensions")
            for d, (n, m) in enumerate(zip(shape, data.shape)):
                if d != axis and n != m:
                    raise ValueError(f"data shape {data.shape} does not match array shape "
                                     f"{shape} outside axis {axis}")
            return tuple(n + data.shape[axis] if d == axis else n for d, n in enumerate(shape))

        with nodes.node_lock(self._store, self._path):
            old = self._store_shape(grown)[axis]
            region = tuple(slice(old, self.shape[axis]) if d == axis else slice(None)
                           for d in range(data.ndim))
            self[region] = data
        return self.shape

    # -- chunks -----------------------------------------------------------------------------
    def _iter_stored_chunk_coords(self) -> Iterator[tuple[int, ...]]:
        enc = self._metadata.chunk_key_encoding
        # ArrayMetadata fills in the format's encoding, ChunkKeyEncoding its separator
        assert enc is not None and enc.separator is not None
        sep = enc.separator
        prefix = self._ctx.prefix
        lead = "c" + sep if enc.name == "default" else ""
        for key in self._store.list_prefix(prefix):
            rest = key[len(prefix):]
            if self.ndim == 0:
                if rest == ("c" if enc.name == "default" else "0"):
                    yield ()
                continue
            if not rest.startswith(lead):
                continue
            parts = rest[len(lead):].split(sep)
            if len(parts) != self.ndim or not all(p.isdigit() for p in parts):
                continue
            yield tuple(int(p) for p in parts)

    def iter_chunks(self, *, selection: Any = None, concurrency: int | None = None,
                    ordered: bool = True, progress: bool | None = None) -> ReadStream:
        """``(region, data)`` for every chunk (of ``selection``), read ahead of you.

        ``region`` is a tuple of slices of the array and ``data`` equals ``a[region]``.
        Fetch and decode run ahead through the array's chunk I/O with at most
        ``concurrency`` reads in flight (default: the engine's ``threads``, or the store's
        ``fetch_concurrency`` when larger); a read is a chunk, or a run of small chunks along
        the last dimension of up to 1 MiB, each chunk handed out as an array of its own, so
        memory holds that many reads plus the one being handed out. ``ordered`` yields in C
        order of the chunk grid (a sharded array: inner chunks, shard by shard);
        ``ordered=False`` reads as they finish. ``selection`` is a box
        (slices with step 1; an integer keeps its dimension), which clips the regions.
        Breaking out of the loop, an exception in it, or ``close()`` stops the read-ahead at
        once. ``progress=True`` shows a bar (needs tqdm). See docs/streaming.md.
        """
        return streams.iter_chunks(self, selection=selection, concurrency=concurrency,
                                   ordered=ordered, progress=progress)

    def iter_slices(self, axis: int = 0, *, size: int | None = None, selection: Any = None,
                    concurrency: int | None = None, progress: bool | None = None
                    ) -> Iterator[tuple[int, npt.NDArray[Any]]]:
        """``(start, slab)`` along ``axis``: ``slab`` is ``size`` positions of it (default:
        one chunk's length) across the whole ``selection``, read ahead of you.

        Every chunk is read once, slabs that do not fall on chunk edges included. Two slabs
        are read ahead by default (``concurrency``). See :meth:`iter_chunks`.
        """
        return streams.iter_slices(self, axis, size=size, selection=selection,
                                   concurrency=concurrency, progress=progress)

    def write_chunks(self, items: Iterable[tuple[Any, npt.ArrayLike]], *,
                     concurrency: int | None = None,
                     checkpoint: Callable[[WriteProgress], object] | None = None,
                     resume: dict[str, Any] | None = None, batch: int | None = None,
                     progress: bool | None = None) -> WriteProgress:
        """Store ``(region, values)`` pairs from ``items`` (any iterable, consumed lazily):
        each is ``a[region] = values``, with ``region`` a box (slices with step 1, integers).

        Items are encoded and stored in parallel, at most ``concurrency`` at once, so memory
        holds that many; regions aligned to chunks are written without reading, others merge
        into their chunks under the chunk's lock; items that overlap are applied in order.
        After every ``batch`` items (default ``4 * concurrency``) are stored,
        ``checkpoint(progress)`` is called with ``progress.chunks``, ``.nbytes``,
        ``.elapsed``, ``.items`` and ``.resume``: a JSON-able token. After a crash, call
        again with the same items and ``resume=token``: the first ``token["items"]`` items
        are skipped (taken from ``items`` but not written), so at most one batch is written
        twice, and the array ends as if nothing had happened. Returns the final progress.
        See docs/streaming.md.
        """
        return streams.write_chunks(self, items, concurrency=concurrency,
                                    checkpoint=checkpoint, resume=resume, batch=batch,
                                    progress=progress)

    def to_dask(self, chunks: Any = None, *, name: str | None = None) -> DaskArray:
        """A ``dask.array`` with one task per stored chunk (per shard if sharded), each read
        straight into its block; see :func:`zarrc.dask.to_dask` (needs the ``dask`` extra)."""
        try:
            from zarrc.dask import to_dask
        except ImportError as exc:
            raise ImportError(f"to_dask() needs dask: pip install 'zarrc[dask]' ({exc})") from None
        return to_dask(self, chunks, name=name)

    def __dask_tokenize__(self) -> tuple[Any, ...]:
        """What dask names this array by: its store's identity, path and metadata (cheap,
        and equal for two opens of the same array; see :func:`zarrc.dask.array_token`)."""
        from zarrc.dask import array_token

        return array_token(self)

    # -- pickling ---------------------------------------------------------------------------
    # An array travels (to a dask worker, a process pool) as its store, path, metadata and
    # flags; what _set_metadata derives from them (codecs, engine context) is rebuilt there.
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_ctx", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._set_metadata(self._metadata, self._document)


class _Indexer:
    """``a.oindex`` / ``a.vindex`` / ``a.blocks``: one selection mode, read and write."""

    def __init__(self, array: Array,
                 normalize: Callable[[Any, tuple[int, ...]], Selection | PointSelection]) -> None:
        self._array = array
        self._normalize = normalize

    def __getitem__(self, selection: Any) -> npt.NDArray[Any]:
        return self.get(selection)

    def get(self, selection: Any, out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """The selection's values: a new ndarray, or ``out`` filled with them."""
        return self._array._read(self._normalize(selection, self._array.shape), out)

    def __setitem__(self, selection: Any, value: Any) -> None:
        self._array._write(self._normalize(selection, self._array.shape), value)


def _checked_mask(mask: Any, shape: tuple[int, ...]) -> npt.NDArray[np.bool_]:
    """``mask`` as a boolean ndarray of ``shape``; IndexError (as zarr-python) otherwise."""
    arr = np.asarray(mask)
    if arr.dtype != np.bool_ or arr.shape != tuple(shape):
        raise IndexError(f"a mask selection needs one boolean array of the array's shape "
                         f"{tuple(shape)}, got {arr.dtype} of shape {arr.shape}")
    return arr


def like_kwargs(a: Any) -> dict[str, Any]:
    """What an ``*_like`` function copies from ``a``: shape, chunks, dtype and, for an Array,
    its codecs (v3) or order, filters and compressor (v2)."""
    out: dict[str, Any] = {}
    if hasattr(a, "shape"):
        out["shape"] = tuple(a.shape)
    if hasattr(a, "chunks") and isinstance(a.chunks, tuple):
        out["chunks"] = a.chunks
    if hasattr(a, "dtype"):
        out["dtype"] = a.dtype
    if isinstance(a, Array):
        meta = a._metadata
        if meta.zarr_format == 2:
            out.update(order=meta.order, compressors=meta.compressor,
                       filters=list(meta.filters or ()))
        elif a.shards is None:
            out["codecs"] = [dict(c) for c in meta.codecs]
        out["zarr_format"] = meta.zarr_format
    return out


def _kind(codec: Any) -> type[Codec]:
    """The codec kind (zarrc's base class) of a codec object or numcodecs description."""
    if not isinstance(codec, Codec):
        codec = get_codec(codec.to_dict())
    for kind in (ArrayArrayCodec, ArrayBytesCodec):
        if isinstance(codec, kind):
            return kind
    return BytesBytesCodec


def create_array_node(store: Store, path: str, *, overwrite: bool = False,
                      write_empty_chunks: bool | None = None,
                      config: ArrayConfig | dict[str, Any] | None = None,
                      data: npt.ArrayLike | Array | None = None, write_data: bool = True,
                      compressor: Any = "auto", **create_kwargs: Any) -> Array:
    """Create an array at ``path`` of ``store`` (metadata written, no chunks) and open it.

    ``config`` (an ArrayConfig or dict) sets the handle's ``order`` and ``write_empty_chunks``;
    ``order`` not given explicitly comes from it, then from ``zarrc.config``. ``data`` gives
    the shape and dtype when those are not given and is written unless ``write_data`` is
    false. ``compressor`` is zarr-python's one-compressor spelling of ``compressors``."""
    if store.read_only:
        raise ReadOnlyError(f"cannot create an array in read-only {store!r}")
    if data is not None:
        if not isinstance(data, Array):
            data = np.asarray(data)
        if create_kwargs.get("shape") is None:
            create_kwargs["shape"] = data.shape
        if create_kwargs.get("dtype") is None:
            create_kwargs["dtype"] = data.dtype
    if create_kwargs.get("shape") is None or create_kwargs.get("dtype") is None:
        raise TypeError("creating an array needs shape and dtype (or data)")
    if not (isinstance(compressor, str) and compressor == "auto"):
        if not (isinstance(create_kwargs.get("compressors", "auto"), str)
                and create_kwargs.get("compressors", "auto") == "auto"):
            raise ValueError("pass compressors or compressor, not both")
        create_kwargs["compressors"] = compressor
    config = parse_array_config(config)
    if create_kwargs.get("order") is None:
        create_kwargs["order"] = config.order
    else:
        config = ArrayConfig(create_kwargs["order"], config.write_empty_chunks)
    meta = nodes.build_array_metadata(**create_kwargs)
    # Build the array (codec pipeline included) before touching the store, so bad codec
    # arguments fail with nothing written.
    array = Array(store, path, meta, write_empty_chunks=write_empty_chunks, config=config)
    nodes.create_node(store, path, meta, overwrite=overwrite)
    if data is not None and write_data:
        array[...] = data[...] if isinstance(data, Array) else data
    return array
