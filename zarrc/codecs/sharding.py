"""Sharding: many inner chunks and an index of where they are, stored as one object.

v3 core codec ``sharding_indexed`` (array→bytes; no v2 form), spec:
https://zarr-specs.readthedocs.io/en/latest/v3/codecs/sharding-indexed/.  Configuration:
``chunk_shape`` (the inner chunk shape, dividing the shard shape), ``codecs`` (the inner
chunks' pipeline; may itself shard), ``index_codecs`` (default ``bytes`` little-endian +
``crc32c``; their output size must not depend on the data) and ``index_location``
(``"end"``, the default, or ``"start"``).

Binary layout: the encoded inner chunks, then (or before them) the index, a C-order uint64
array of shape ``(*chunks_per_shard, 2)`` holding ``(offset, nbytes)`` per inner chunk, with
``2**64 - 1`` in both for a missing inner chunk (read as the fill value).  As zarr-python 3.1.6
writes shards: inner chunks equal to the fill value (bitwise) are left out, the others are
concatenated in Morton order (:func:`morton_order`) from offset 0, or from the index size when
the index comes first, so the bytes match zarr-python's for the same array.

Partial reads (no I/O here; the engine fetches the bytes): :meth:`ShardingCodec.index_byte_range`
says where the index is, :meth:`~ShardingCodec.parse_index` validates it,
:meth:`~ShardingCodec.inner_byte_range` locates one inner chunk and
:meth:`~ShardingCodec.decode_inner` decodes it (or fills it when missing).
"""

from __future__ import annotations

import math
import sys
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from zarrc._ext.fill import fill_equal, fill_view
from zarrc.codecs.base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    ChunkSpec,
    Codec,
    as_byte_array,
    check_choice,
)
from zarrc.codecs.crc32c import crc32c
from zarrc.codecs.enums import ShardingCodecIndexLocation
from zarrc.codecs.pipeline import CodecPipeline, split_v3_codecs
from zarrc.codecs.registry import get_codec
from zarrc.errors import CodecError, MetadataError

__all__ = ["MISSING", "ShardingCodec", "morton_order"]

#: The index value (in both offset and nbytes) of an inner chunk that is not stored.
MISSING = 2**64 - 1
_NAME = "sharding_indexed"
_DEFAULT_CODECS = ({"name": "bytes", "configuration": {"endian": "little"}},)
_DEFAULT_INDEX_CODECS = (
    {"name": "bytes", "configuration": {"endian": "little"}},
    {"name": "crc32c"},
)


@lru_cache(maxsize=64)
def morton_order(chunks_per_shard: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Every inner-chunk coordinate of a shard, in the order zarr-python writes them.

    That is the "compressed" Morton (Z) order: coordinate bits interleave with dimension 0
    least significant at each bit level, and a dimension drops out once its bits (enough for
    ``n - 1``) are used up, so non-power-of-two grids keep a compact code.
    """
    shape = tuple(int(n) for n in chunks_per_shard)
    if math.prod(shape) == 0:
        return ()
    coords = np.indices(shape).reshape(len(shape), -1)
    bits = [(n - 1).bit_length() for n in shape]
    codes = np.zeros(coords.shape[1], dtype=object if sum(bits) > 62 else np.int64)
    out_bit = 0
    for level in range(max(bits, default=0)):
        for dim, nbits in enumerate(bits):
            if level < nbits:
                codes = codes | (((coords[dim] >> level) & 1).astype(codes.dtype) << out_bit)
                out_bit += 1
    order = np.argsort(codes, kind="stable")
    return tuple(tuple(int(c) for c in coords[:, i]) for i in order)


def _parse_codec_list(value: Any, field: str) -> tuple[Codec, ...]:
    """A v3 codec list (dicts, names or Codec objects), checked for kind order."""
    if isinstance(value, (str, dict, Codec)) or not isinstance(value, (list, tuple)):
        raise CodecError(f"codec {_NAME!r}: {field!r} must be a list of codecs, got {value!r}")
    codecs = tuple(get_codec(item, 3) for item in value)
    try:
        split_v3_codecs(codecs, f"{_NAME}.{field}: ")
    except MetadataError as exc:
        raise CodecError(f"codec {_NAME!r}: {exc}") from exc
    return codecs


def _parse_chunk_shape(value: Any) -> tuple[int, ...]:
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise CodecError(f"codec {_NAME!r}: 'chunk_shape' must be a list of integers, got {value!r}")
    shape = []
    for n in value:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise CodecError(
                f"codec {_NAME!r}: 'chunk_shape' entries must be integers >= 1, got {value!r}"
            )
        shape.append(int(n))
    if not shape:
        raise CodecError(f"codec {_NAME!r}: 'chunk_shape' must not be empty")
    return tuple(shape)


def _fill_item(spec: ChunkSpec, dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    """The fill value as a 0-d array of `dtype` (zeros when the spec has none)."""
    item = np.zeros((), dtype=dtype)
    if spec.fill_value is not None:
        item[()] = spec.fill_value
    return item


def _is_fill(chunk: npt.NDArray[Any], fill: npt.NDArray[Any]) -> bool:
    """True if every item of `chunk` has exactly the bytes of the 0-d `fill` (NaN included)."""
    if chunk.size == 0:
        return True
    if chunk.dtype.hasobject or chunk.dtype.kind == "T":
        return False
    return bool(fill_equal(chunk, fill.astype(chunk.dtype).tobytes()))


def _fill(target: npt.NDArray[Any], fill: npt.NDArray[Any]) -> None:
    item = fill.astype(target.dtype)
    if target.dtype.hasobject or target.dtype.kind == "T":
        target[...] = item
    else:
        fill_view(target, item.tobytes())


class _Bound:
    """What a sharding codec knows once bound to a shard spec (cached per shape and dtype)."""

    def __init__(self, codec: ShardingCodec, spec: ChunkSpec) -> None:
        shard, inner = spec.shape, codec.chunk_shape
        if len(shard) != len(inner):
            raise CodecError(
                f"codec {_NAME!r}: 'chunk_shape' {list(inner)} has {len(inner)} dimensions, "
                f"the shard {list(shard)} has {len(shard)}"
            )
        if any(s % c for s, c in zip(shard, inner)):
            raise CodecError(
                f"codec {_NAME!r}: the shard shape {list(shard)} must be a multiple of the "
                f"inner 'chunk_shape' {list(inner)} in every dimension"
            )
        self.spec = spec
        self.chunks_per_shard = tuple(s // c for s, c in zip(shard, inner))
        inner_spec = ChunkSpec(inner, spec.dtype, fill_value=spec.fill_value)
        self.inner = CodecPipeline.from_v3(codec.codecs, inner_spec, f"{_NAME}.codecs")
        index_spec = ChunkSpec((*self.chunks_per_shard, 2), np.dtype(np.uint64))
        self.index = CodecPipeline.from_v3(codec.index_codecs, index_spec, f"{_NAME}.index_codecs")
        self.index_size = _fixed_size(self.index.codecs, index_spec)
        # the default index (bytes little-endian + crc32c) is read without the pipeline
        self.plain_index = sys.byteorder == "little" and [
            c.to_json_v3() for c in self.index.codecs] == list(_DEFAULT_INDEX_CODECS)
        self.order = morton_order(self.chunks_per_shard)
        self.order_array = np.array(self.order, dtype=np.int64).reshape(-1, len(shard))


def _fixed_size(codecs: tuple[Codec, ...], spec: ChunkSpec) -> int:
    """The encoded size of an index through `codecs`; CodecError if data-dependent."""
    size: int | None = None
    for codec in codecs:
        if isinstance(codec, ArrayArrayCodec):
            spec = codec.resolve(spec)
        elif isinstance(codec, ArrayBytesCodec):
            size = codec.encoded_size(spec)
        elif isinstance(codec, BytesBytesCodec) and size is not None:
            size = codec.encoded_size(size)
        if isinstance(codec, (ArrayBytesCodec, BytesBytesCodec)) and size is None:
            raise CodecError(
                f"codec {_NAME!r}: index codec {codec._label()!r} has a data-dependent size; "
                "'index_codecs' must produce a fixed-size index (e.g. bytes + crc32c)"
            )
    assert size is not None
    return size


class ShardingCodec(ArrayBytesCodec):
    """The v3 ``sharding_indexed`` codec: inner chunks plus an (offset, nbytes) index."""

    name = _NAME
    codec_id = None

    def __init__(
        self,
        *,
        chunk_shape: Any,
        codecs: Any = _DEFAULT_CODECS,
        index_codecs: Any = _DEFAULT_INDEX_CODECS,
        index_location: str = "end",
    ) -> None:
        self.chunk_shape = _parse_chunk_shape(chunk_shape)
        self.codecs = _parse_codec_list(codecs, "codecs")
        self.index_codecs = _parse_codec_list(index_codecs, "index_codecs")
        self.index_location = check_choice(
            _NAME, "index_location", index_location, ("start", "end")
        )
        self._bound: _Bound | None = None

    def get_config(self) -> dict[str, Any]:
        return {
            "chunk_shape": list(self.chunk_shape),
            "codecs": [c.to_json_v3() for c in self.codecs],
            "index_codecs": [c.to_json_v3() for c in self.index_codecs],
            "index_location": self.index_location,
        }

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [("chunk_shape", tuple(self.chunk_shape)), ("codecs", tuple(self.codecs)),
                ("index_codecs", tuple(self.index_codecs)),
                ("index_location", ShardingCodecIndexLocation(self.index_location))]

    # -- binding ---------------------------------------------------------------------------
    def evolve(self, spec: ChunkSpec) -> ShardingCodec:
        """This codec bound to shards of `spec`, its inner codecs bound to the inner chunks."""
        bound = _Bound(self, spec)
        out = ShardingCodec.__new__(ShardingCodec)
        out.__dict__.update(self.__dict__)
        out.codecs = bound.inner.codecs  # as zarr-python: inner codecs adapted to the dtype
        out._bound = bound
        return out

    def _bind(self, spec: ChunkSpec | None) -> _Bound:
        bound = self._bound
        if spec is None:
            if bound is None:
                raise CodecError(f"codec {_NAME!r}: not bound to a shard; pass its spec")
            return bound
        if bound is None or bound.spec.shape != spec.shape or bound.spec.dtype != spec.dtype:
            bound = _Bound(self, spec)
            if self._bound is None:
                self._bound = bound
        return bound

    # -- partial-read helpers (pure; the engine does the I/O) --------------------------------
    def chunks_per_shard(self, spec: ChunkSpec | None = None) -> tuple[int, ...]:
        """Inner chunks per shard along each dimension."""
        return self._bind(spec).chunks_per_shard

    def index_size(self, spec: ChunkSpec | None = None) -> int:
        """The encoded size of the shard index in bytes (16 per inner chunk + index codecs')."""
        return self._bind(spec).index_size

    def index_byte_range(
        self, shard_size: int | None = None, spec: ChunkSpec | None = None
    ) -> tuple[int, int | None]:
        """Where the index lives, as a ``Store.get`` ``byte_range`` ``(start, stop)``.

        With ``index_location="end"`` and no `shard_size` this is a suffix range
        ``(-index_size, None)``; with `shard_size` known, absolute offsets.
        """
        size = self._bind(spec).index_size
        if self.index_location == "start":
            return (0, size)
        if shard_size is None:
            return (-size, None)
        return (shard_size - size, shard_size)

    def parse_index(
        self, index_bytes: Any, spec: ChunkSpec | None = None, shard_size: int | None = None
    ) -> npt.NDArray[Any]:
        """The decoded index, a uint64 array of shape ``(*chunks_per_shard, 2)``.

        Checks the length and (through the index codecs) the checksum; with `shard_size`
        also that every present inner chunk lies inside the shard.  Raises CodecError (a
        ChecksumError for a checksum mismatch) naming the problem.
        """
        bound = self._bind(spec)
        buf = as_byte_array(index_bytes)
        if buf.size != bound.index_size:
            raise CodecError(
                f"codec {_NAME!r}: the shard index is {buf.size} bytes, expected "
                f"{bound.index_size} for {list(bound.chunks_per_shard)} inner chunks"
            )
        n = buf.size - 4
        if bound.plain_index and crc32c(buf[:n]) == int.from_bytes(buf[n:].tobytes(), "little"):
            index = buf[:n].view("<u8").reshape((*bound.chunks_per_shard, 2))
        else:  # other index codecs, or a checksum that fails: the pipeline says what is wrong
            index = np.asarray(bound.index.decode(buf, "shard index"), dtype=np.uint64)
        offsets, nbytes = index[..., 0], index[..., 1]
        missing = offsets == MISSING
        if not np.array_equal(missing, nbytes == MISSING):
            where = tuple(int(i) for i in np.argwhere(missing != (nbytes == MISSING))[0])
            raise CodecError(
                f"codec {_NAME!r}: shard index entry {where} has only one of offset/nbytes "
                "marked missing"
            )
        if shard_size is not None:
            limit = np.uint64(shard_size)
            present = ~missing
            bad = present & ((offsets > limit) | (nbytes > limit - np.minimum(offsets, limit)))
            if bad.any():
                where = tuple(int(i) for i in np.argwhere(bad)[0])
                off, nb = int(offsets[where]), int(nbytes[where])
                raise CodecError(
                    f"codec {_NAME!r}: inner chunk {where} at offset {off} with {nb} bytes "
                    f"lies outside the shard of {shard_size} bytes"
                )
        return index

    @staticmethod
    def inner_byte_range(
        index: npt.NDArray[Any], coords: tuple[int, ...]
    ) -> tuple[int, int] | None:
        """The ``(start, stop)`` bytes of inner chunk `coords` in the shard, None if missing."""
        offset, nbytes = (int(v) for v in index[tuple(coords)])
        if offset == MISSING:
            return None
        return (offset, offset + nbytes)

    def inner_pipeline(self, spec: ChunkSpec | None = None) -> CodecPipeline:
        """The codec pipeline of the inner chunks (bound to the shard `spec`, or the bound one)."""
        return self._bind(spec).inner

    def inner_region(self, coords: tuple[int, ...]) -> tuple[slice, ...]:
        """The slices of inner chunk `coords` within its shard."""
        return tuple(slice(i * c, (i + 1) * c) for i, c in zip(coords, self.chunk_shape))

    def decode_inner(
        self,
        data: Any,
        coords: tuple[int, ...],
        out: npt.NDArray[Any] | None = None,
        spec: ChunkSpec | None = None,
    ) -> npt.NDArray[Any]:
        """Inner chunk `coords` from its encoded bytes `data` (None: missing, so filled).

        `out` (optional) is a writable array of the inner chunk shape, any strides.
        """
        bound = self._bind(spec)
        inner_spec = bound.inner.spec
        if data is None:
            if out is None:
                out = np.empty(inner_spec.shape, dtype=inner_spec.dtype)
            _fill(out, _fill_item(bound.spec, out.dtype))
            return out
        return bound.inner.decode(data, f"inner chunk {tuple(coords)}", out=out)

    # -- whole shards ----------------------------------------------------------------------
    def encode(self, data: npt.NDArray[Any], spec: ChunkSpec) -> bytes:
        """The shard: encoded non-fill inner chunks in Morton order, then/after the index."""
        bound = self._bind(spec)
        arr = np.asarray(data)
        if arr.shape != spec.shape:
            raise CodecError(f"codec {_NAME!r}: shard has shape {arr.shape}, expected {spec.shape}")
        fill = _fill_item(spec, arr.dtype)
        placed = np.full((len(bound.order), 2), -1, dtype=np.int64)
        parts: list[bytes | memoryview] = []
        offset = 0
        for k, coords in enumerate(bound.order):
            chunk = arr[self.inner_region(coords)]
            if _is_fill(chunk, fill):
                continue
            encoded = bound.inner.encode(chunk, f"inner chunk {coords}")
            if not encoded:
                continue
            placed[k] = (offset, len(encoded))
            parts.append(encoded)
            offset += len(encoded)
        return self.assemble(placed, parts, spec)

    def inner_order(self, spec: ChunkSpec | None = None) -> npt.NDArray[Any]:
        """The shard's inner-chunk coordinates in stored (Morton) order, int64 ``(n, ndim)``."""
        return self._bind(spec).order_array

    def assemble(
        self, placed: npt.NDArray[Any], body: list[Any], spec: ChunkSpec | None = None
    ) -> bytes:
        """The shard from its encoded inner chunks: ``body`` (byte strings, concatenated) and
        per inner chunk in :meth:`inner_order`, its (offset in the body, size), ``(-1, -1)``
        when left out (fill). The index goes before or after the body per ``index_location``."""
        bound = self._bind(spec)
        index = np.full((*bound.chunks_per_shard, 2), MISSING, dtype=np.uint64)
        present = placed[:, 0] >= 0
        rows = placed[present].astype(np.uint64)
        if self.index_location == "start":
            rows[:, 0] += np.uint64(bound.index_size)
        index[tuple(bound.order_array[present].T)] = rows
        index_bytes = bound.index.encode(index, "shard index")
        parts = [index_bytes, *body] if self.index_location == "start" else [*body, index_bytes]
        return b"".join(parts)

    def decode(
        self, data: Any, spec: ChunkSpec, out: npt.NDArray[Any] | None = None
    ) -> npt.NDArray[Any]:
        """The shard as an array of ``spec``; missing inner chunks read as the fill value."""
        bound = self._bind(spec)
        buf = as_byte_array(data)
        size = bound.index_size
        if buf.size < size:
            raise CodecError(
                f"codec {_NAME!r}: the shard is {buf.size} bytes, shorter than its "
                f"{size}-byte index"
            )
        start, stop = self.index_byte_range(buf.size, spec)
        index = self.parse_index(buf[start:stop], spec, shard_size=buf.size)
        if out is None:
            out = np.empty(spec.shape, dtype=spec.dtype, order=spec.order)
        elif out.shape != spec.shape:
            raise CodecError(f"codec {_NAME!r}: out has shape {out.shape}, expected {spec.shape}")
        fill = _fill_item(spec, out.dtype)
        if (index[..., 0] == MISSING).all():
            _fill(out, fill)
            return out
        for coords in bound.order:
            target = out[self.inner_region(coords)]
            found = self.inner_byte_range(index, coords)
            if found is None:
                _fill(target, fill)
            else:
                bound.inner.decode(buf[found[0] : found[1]], f"inner chunk {coords}", out=target)
        return out
