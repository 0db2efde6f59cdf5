"""``ArrayMetadata``: the frozen, validated description of one array, v2 or v3.

It holds codec *configurations* (JSON dicts), never codec objects. Parsing lives in
:mod:`zarrc.metadata.v2` / :mod:`zarrc.metadata.v3`; writing is ``to_json``/``to_documents``,
whose key order follows zarr-python 3.1.6 so documents diff cleanly against it.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from zarrc.metadata._common import metadata_error
from zarrc.metadata.chunk_grid import INT64_MAX, RegularChunkGrid, normalize_shape
from zarrc.metadata.chunk_key import ChunkKeyEncoding
from zarrc.metadata.dtype import dtype_to_v2, dtype_to_v3, object_codec_id
from zarrc.metadata.fill_value import fill_value_to_json, normalize_fill_value
from zarrc.metadata.keys import ZARR_JSON, ZARRAY, ZATTRS
from zarrc.metadata.rectilinear import RectilinearChunkGrid

__all__ = ["ArrayMetadata"]


@dataclass(frozen=True, eq=False)
class ArrayMetadata:
    """Metadata of a Zarr array (v2 ``.zarray`` + ``.zattrs``, or a v3 ``zarr.json``).

    Construction validates and canonicalises: ``shape`` and chunk sizes are checked,
    ``fill_value`` becomes a NumPy scalar of ``dtype`` (``None`` only in v2), ``codecs`` /
    ``filters`` become tuples, and ``chunk_key_encoding`` defaults to the format's default
    (v3 ``default`` with ``/``; v2 ``v2`` with ``.``).

    Attributes
    ----------
    zarr_format : int
        2 or 3.
    shape : tuple of int
    chunk_grid : RegularChunkGrid
    dtype : numpy.dtype
        v2: as stored (may be big-endian); v3: native order (the ``bytes`` codec has the
        endianness).
    fill_value : numpy scalar or None
        ``None`` is v2's ``null``.
    order : str
        ``"C"`` or ``"F"``: v2 memory layout of chunks; always ``"C"`` in v3.
    chunk_key_encoding : ChunkKeyEncoding
    codecs : tuple of dict
        v3 only: ``{"name": ..., "configuration": {...}}`` per codec; ``()`` in v2.
    filters : tuple of dict or None
        v2 only: numcodecs configurations ``{"id": ..., ...}``.
    compressor : dict or None
        v2 only.
    dimension_names : tuple of (str or None), or None
        v3 only.
    attributes : dict
        v3: inside ``zarr.json``; v2: the separate ``.zattrs``.
    extra_fields : dict
        v3 top-level extension fields with ``"must_understand": false``, kept for round-trip.
    storage_transformers : tuple
        Always empty: storage transformers are not supported.
    """

    zarr_format: int
    shape: tuple[int, ...]
    chunk_grid: RegularChunkGrid | RectilinearChunkGrid
    dtype: np.dtype[Any]
    fill_value: Any
    order: str = "C"
    chunk_key_encoding: ChunkKeyEncoding | None = None
    codecs: tuple[dict[str, Any], ...] = ()
    filters: tuple[dict[str, Any], ...] | None = None
    compressor: dict[str, Any] | None = None
    dimension_names: tuple[str | None, ...] | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    extra_fields: dict[str, Any] = field(default_factory=dict)
    storage_transformers: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        fmt = self.zarr_format
        if fmt not in (2, 3):
            raise metadata_error(None, "zarr_format", f"must be 2 or 3, got {fmt!r}")
        setf = object.__setattr__
        try:
            shape = normalize_shape(self.shape)
        except ValueError as exc:
            raise metadata_error(None, "shape", str(exc)) from None
        setf(self, "shape", shape)
        grid = self.chunk_grid
        if isinstance(grid, RectilinearChunkGrid):
            if fmt != 3:
                raise metadata_error(None, "chunks", "rectilinear chunk grids are v3 only")
            try:
                grid.check(shape)
            except ValueError as exc:
                raise metadata_error(None, "chunk_grid", str(exc)) from None
        else:
            if not isinstance(grid, RegularChunkGrid):
                grid = RegularChunkGrid(tuple(grid))
                setf(self, "chunk_grid", grid)
            self._check_chunks(shape, grid.chunk_shape)
        dtype = np.dtype(self.dtype)
        setf(self, "dtype", dtype)
        if fmt == 3 and dtype.byteorder not in "=|":
            raise metadata_error(None, "data_type", f"v3 dtypes are native order, got "
                                 f"{dtype.str!r}; endianness belongs to the bytes codec")
        if self.fill_value is None and fmt == 3:
            raise metadata_error(None, "fill_value", "a v3 array needs a fill value")
        setf(self, "fill_value", normalize_fill_value(self.fill_value, dtype, fmt))
        if self.order not in ("C", "F") or (fmt == 3 and self.order != "C"):
            raise metadata_error(None, "order", f"invalid order {self.order!r} for v{fmt}")
        cke = self.chunk_key_encoding
        if cke is None:
            cke = ChunkKeyEncoding("default") if fmt == 3 else ChunkKeyEncoding("v2")
            setf(self, "chunk_key_encoding", cke)
        setf(self, "codecs", tuple(self.codecs))
        if self.filters is not None:
            setf(self, "filters", tuple(self.filters) or None)
        setf(self, "storage_transformers", tuple(self.storage_transformers))
        if self.storage_transformers:
            raise metadata_error(None, "storage_transformers", "are not supported")
        if fmt == 3:
            self._check_v3()
        else:
            self._check_v2()
        if self.dimension_names is not None:
            names = tuple(self.dimension_names)
            if len(names) != len(shape) or not all(n is None or isinstance(n, str)
                                                   for n in names):
                raise metadata_error(None, "dimension_names", f"expected {len(shape)} strings "
                                     f"or nulls, got {names!r}")
            setf(self, "dimension_names", names)

    @staticmethod
    def _check_chunks(shape: tuple[int, ...], chunks: tuple[int, ...]) -> None:
        if len(chunks) != len(shape):
            raise metadata_error(None, "chunks", f"chunk shape {chunks} does not match the "
                                 f"{len(shape)} dimensions of shape {shape}")
        for c, n in zip(chunks, shape):
            if c < 1 and not (c == 0 and n == 0):
                raise metadata_error(None, "chunks", f"chunk sizes must be >= 1, got {chunks}")
        if math.prod(chunks) > INT64_MAX:
            raise metadata_error(None, "chunks", f"chunk shape {chunks} overflows int64")

    def _check_v3(self) -> None:
        if not self.codecs:
            raise metadata_error(None, "codecs", "a v3 array needs at least one codec")
        if self.filters is not None or self.compressor is not None:
            raise metadata_error(None, "codecs", "v3 arrays use codecs, not filters/compressor")
        dtype_to_v3(self.dtype)

    def _check_v2(self) -> None:
        if self.codecs:
            raise metadata_error(None, "codecs", "v2 arrays use filters and compressor")
        if self._key_encoding().name != "v2":
            raise metadata_error(None, "dimension_separator",
                                 "v2 arrays use the 'v2' chunk key encoding")
        if self.dimension_names is not None:
            raise metadata_error(None, "dimension_names", "v2 arrays have no dimension names")
        if self.extra_fields:
            raise metadata_error(None, "extra_fields", "v2 arrays have no extension fields")
        dtype_to_v2(self.dtype)
        codec_id = object_codec_id(self.dtype)
        if codec_id is not None:
            first = self.filters[0].get("id") if self.filters else None
            if first != codec_id:
                raise metadata_error(None, "filters", f"a v2 array of {self.dtype} needs the "
                                     f"object codec {codec_id!r} as its first filter")

    # ------------------------------------------------------------------ derived values

    @property
    def chunks(self) -> tuple[int, ...] | tuple[tuple[int, ...], ...]:
        """The chunk shape; for a rectilinear grid, each dimension's edge lengths."""
        grid = self.chunk_grid
        if isinstance(grid, RectilinearChunkGrid):
            return tuple(tuple(int(e) for e in np.diff(grid.offsets(d, n)))
                         for d, n in enumerate(self.shape))
        return grid.chunk_shape

    @property
    def regular(self) -> bool:
        """Whether every chunk has the same shape (a regular grid)."""
        return not isinstance(self.chunk_grid, RectilinearChunkGrid)

    @property
    def dim_grids(self) -> tuple[int | npt.NDArray[np.int64], ...]:
        """Per dimension, what the indexing layer needs to find chunks: the chunk size (int)
        on a regular dimension, else the int64 chunk start offsets plus the end."""
        grid = self.chunk_grid
        if not isinstance(grid, RectilinearChunkGrid):
            return grid.chunk_shape
        return tuple(entry if isinstance(entry, int) else grid.offsets(d, n)
                     for d, (entry, n) in enumerate(zip(grid.chunk_edges, self.shape)))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)

    @property
    def grid_shape(self) -> tuple[int, ...]:
        """Number of chunks along each dimension."""
        return self.chunk_grid.grid_shape(self.shape)

    @property
    def nchunks(self) -> int:
        return math.prod(self.grid_shape)

    def _key_encoding(self) -> ChunkKeyEncoding:
        """The chunk key encoding (``__post_init__`` set the format's default if none)."""
        cke = self.chunk_key_encoding
        assert cke is not None
        return cke

    def chunk_key(self, coords: tuple[int, ...]) -> str:
        """Store key of chunk ``coords``, relative to the array's prefix."""
        return self._key_encoding().encode(coords)

    # ------------------------------------------------------------------ updates

    def evolve(self, **changes: Any) -> ArrayMetadata:
        """A copy with ``changes`` applied and validated (e.g. ``evolve(shape=new)``)."""
        return dataclasses.replace(self, **changes)

    def with_attributes(self, attributes: dict[str, Any]) -> ArrayMetadata:
        """A copy with the user attributes replaced."""
        return dataclasses.replace(self, attributes=dict(attributes))

    # ------------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        """v2: the ``.zarray`` document (attributes excluded); v3: the full ``zarr.json``."""
        return self._to_json_v2() if self.zarr_format == 2 else self._to_json_v3()

    def to_documents(self) -> dict[str, dict[str, Any]]:
        """Every document of this array by key name: ``.zarray`` + ``.zattrs``, or
        ``zarr.json``."""
        if self.zarr_format == 2:
            return {ZARRAY: self.to_json(), ZATTRS: copy.deepcopy(self.attributes)}
        return {ZARR_JSON: self.to_json()}

    def _to_json_v2(self) -> dict[str, Any]:
        return {
            "shape": list(self.shape),
            "chunks": list(self.chunks),
            "dtype": dtype_to_v2(self.dtype),
            "fill_value": fill_value_to_json(self.fill_value, self.dtype, 2),
            "order": self.order,
            "filters": None if self.filters is None else copy.deepcopy(list(self.filters)),
            "dimension_separator": self._key_encoding().separator,
            "compressor": copy.deepcopy(self.compressor),
            "zarr_format": 2,
        }

    def _to_json_v3(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "shape": list(self.shape),
            "data_type": dtype_to_v3(self.dtype),
            "chunk_grid": self.chunk_grid.to_json(),
            "chunk_key_encoding": self._key_encoding().to_json(),
            "fill_value": fill_value_to_json(self.fill_value, self.dtype, 3),
            "codecs": copy.deepcopy(list(self.codecs)),
            "attributes": copy.deepcopy(self.attributes),
        }
        if self.dimension_names is not None:
            doc["dimension_names"] = list(self.dimension_names)
        doc["zarr_format"] = 3
        doc["node_type"] = "array"
        doc["storage_transformers"] = []
        doc.update(copy.deepcopy(self.extra_fields))
        return doc

    # ------------------------------------------------------------------ comparison

    def __eq__(self, other: object) -> bool:
        """Equal when every stored document is equal (NaN fill values compare by bits)."""
        if not isinstance(other, ArrayMetadata):
            return NotImplemented
        return self.to_documents() == other.to_documents()

    __hash__ = None  # type: ignore[assignment]
