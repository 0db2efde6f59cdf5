"""The codec pipeline: one chunk's ndarray ⇄ its stored bytes, for Zarr v3 and v2.

v3 (:meth:`CodecPipeline.from_v3`): array→array codecs, exactly one array→bytes codec, then
bytes→bytes codecs, each bound to the chunk with :meth:`Codec.evolve`.  v2
(:meth:`CodecPipeline.from_v2`): the chunk in its ``order`` as raw bytes of the (byte-order
carrying) dtype, handed as a flat array to each filter, then to the compressor — numcodecs'
semantics, so the first stage sees the element size (blosc's typesize).

Decoding writes straight into the caller's array when the layouts allow (:meth:`decodes_into`):
array→array codecs that are pure re-indexings map ``out`` to the encoded layout, the serializer
exposes it as raw bytes, and the innermost bytes→bytes codec decompresses into those bytes with
the expected size as its bound.  Every failure while decoding is a CodecError naming the chunk
key and the codec (a checksum mismatch a ChecksumError); malformed codec lists raise
MetadataError naming the metadata key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from zarrc.codecs.base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    ChunkSpec,
    Codec,
    MemoryOrder,
    NativeSpec,
    as_byte_array,
)
from zarrc.codecs.bytes import FlatSerializer, RawLayout
from zarrc.codecs.registry import get_codec
from zarrc.errors import ChecksumError, CodecError, MetadataError

if TYPE_CHECKING:  # sharding.py imports this module
    from zarrc.codecs.sharding import ShardingCodec

__all__ = ["CodecPipeline", "NativeChain", "split_v3_codecs"]


@dataclass(frozen=True)
class NativeChain:
    """A pipeline the native chunk loops may run whole (see :meth:`CodecPipeline.native_chain`):
    a chunk is ``nbytes`` raw bytes of its dtype (``itemsize`` each) in ``order`` ("C" or "F"),
    stored through at most one bytes→bytes codec, ``codec`` (its declaration; None: raw)."""

    codec: NativeSpec | None
    order: str
    itemsize: int
    nbytes: int


def _label(codec: Codec) -> str:
    return codec._label()


# A chunk that decoding just decompresses into its bytes (see CodecPipeline._fast_layout):
# the bytes→bytes codec (None: raw), the decoded size, the dtype and the memory order.
_FastLayout = tuple[BytesBytesCodec | None, int, "np.dtype[Any]", MemoryOrder]

# Decoded chunk sizes from which the data's own bound is checked before allocating (below it,
# allocating costs less than looking, and decoding reports the shortfall anyway).
_BOUND_FROM = 1 << 24


def _call(codec: Codec, fn: Callable[..., Any], *args: Any) -> Any:
    """Run one codec step; foreign exceptions become CodecError naming the codec."""
    try:
        return fn(*args)
    except CodecError:
        raise
    except Exception as exc:
        raise CodecError(f"codec {_label(codec)!r}: {type(exc).__name__}: {exc}") from exc


def _as_array(data: Any, spec: ChunkSpec, codec: Codec) -> npt.NDArray[Any]:
    """Bytes seen as an array of `spec` (the input of an array→array decode in v2 filters)."""
    if isinstance(data, np.ndarray) and data.dtype == spec.dtype and data.shape == spec.shape:
        return data
    buf = as_byte_array(data)
    if buf.size != spec.nbytes:
        raise CodecError(f"codec {_label(codec)!r}: got {buf.size} bytes, expected {spec.nbytes}")
    return buf.view(spec.dtype).reshape(spec.shape)


def _same_layout_dtype(a: np.dtype[Any], b: np.dtype[Any]) -> bool:
    return a == b or (a.byteorder != "|" and a == b.newbyteorder("S"))


def split_v3_codecs(
    codecs: Sequence[Codec], where: str = ""
) -> tuple[list[ArrayArrayCodec], ArrayBytesCodec, list[BytesBytesCodec]]:
    """Check a v3 codec list's order (array→array*, one array→bytes, bytes→bytes*) and split it.

    Raises MetadataError (prefixed with `where`) naming the misplaced codec.
    """
    aa: list[ArrayArrayCodec] = []
    ab: list[ArrayBytesCodec] = []
    bb: list[BytesBytesCodec] = []
    for codec in codecs:
        if isinstance(codec, ArrayArrayCodec):
            if ab or bb:
                raise MetadataError(
                    f"{where}codecs: array→array codec {_label(codec)!r} must come before "
                    "the array→bytes codec"
                )
            aa.append(codec)
        elif isinstance(codec, ArrayBytesCodec):
            if ab:
                raise MetadataError(
                    f"{where}codecs: only one array→bytes codec is allowed, got "
                    f"{_label(ab[0])!r} and {_label(codec)!r}"
                )
            ab.append(codec)
        elif isinstance(codec, BytesBytesCodec):
            if not ab:
                raise MetadataError(
                    f"{where}codecs: bytes→bytes codec {_label(codec)!r} must come after "
                    "the array→bytes codec"
                )
            bb.append(codec)
        else:
            raise MetadataError(f"{where}codecs: {codec!r} is of no known codec kind")
    if not ab:
        raise MetadataError(f"{where}codecs: an array→bytes codec (e.g. 'bytes') is required")
    return aa, ab[0], bb


class CodecPipeline:
    """Encode and decode the chunks of one array.

    Build with :meth:`from_v3` or :meth:`from_v2`.  ``spec`` is the full chunk's spec
    (shape, array dtype, memory order).
    """

    def __init__(
        self,
        array_array: Sequence[ArrayArrayCodec],
        array_bytes: ArrayBytesCodec,
        post: Sequence[ArrayArrayCodec | BytesBytesCodec],
        spec: ChunkSpec,
        zarr_format: int,
    ) -> None:
        self.spec = spec
        self.zarr_format = zarr_format
        self._aa = tuple(array_array)
        self._ab = array_bytes
        self._post = tuple(post)
        s = spec
        for aa_codec in self._aa:
            s = aa_codec.resolve(s)
        self._ab_spec = s
        self._ab_order: MemoryOrder = (
            array_bytes._order if isinstance(array_bytes, RawLayout) else "C"
        )
        # per post stage: expected decoded size in bytes (None: data-dependent) and, for
        # array→array stages (v2 filters), the (input, encoded) specs
        self._sizes: list[int | None] = []
        self._array_specs: list[tuple[ChunkSpec, ChunkSpec] | None] = []
        size = array_bytes.encoded_size(s)
        current: ChunkSpec | None
        if isinstance(array_bytes, FlatSerializer):
            current = ChunkSpec((s.size,), s.dtype)
        else:
            current = None if size is None else ChunkSpec((size,), np.dtype(np.uint8))
        for codec in self._post:
            self._sizes.append(size)
            if isinstance(codec, ArrayArrayCodec):
                if current is None:
                    raise CodecError(
                        f"codec {_label(codec)!r}: an array filter cannot follow a codec whose "
                        "output size depends on the data"
                    )
                encoded = codec.resolve(current)
                self._array_specs.append((current, encoded))
                current, size = encoded, encoded.nbytes
            else:
                self._array_specs.append(None)
                size = None if size is None else codec.encoded_size(size)
                current = None if size is None else ChunkSpec((size,), np.dtype(np.uint8))

        self._fast = self._fast_layout()

    def _fast_layout(self) -> _FastLayout | None:
        """``(codec or None, nbytes, dtype, order)`` when decoding is just "decompress into the
        chunk's bytes": a raw serializer of the array's own dtype and at most one bytes→bytes
        codec (the common chunk). Such chunks skip the general stage machinery."""
        if self._aa or len(self._post) > 1 or not isinstance(self._ab, RawLayout):
            return None
        spec = self._ab_spec
        if spec.dtype.hasobject or spec.dtype.kind == "T" or self._ab._stored(spec) != spec.dtype:
            return None
        codec = self._post[0] if self._post else None
        if codec is not None and not isinstance(codec, BytesBytesCodec):
            return None
        return (codec, spec.nbytes, spec.dtype, self._ab_order)

    def native_chain(self) -> NativeChain | None:
        """What the native chunk loops may do for this pipeline: a :class:`NativeChain` when a
        chunk is the raw bytes of the array's own dtype through at most one bytes→bytes codec
        that declares a native form (:meth:`BytesBytesCodec.native_spec`), else None."""
        if self._fast is None:
            return None
        codec, nbytes, dtype, order = self._fast
        spec = None
        if codec is not None:
            # the item size of the buffer the codec's encode() is handed: v2's serializer
            # gives items of the dtype, v3's ``bytes`` gives bytes (a numcodecs.blosc entry
            # without typesize shuffles by it, as in zarr-python)
            buffer_items = dtype.itemsize if isinstance(self._ab, FlatSerializer) else 1
            spec = codec.native_spec(buffer_items)
            if spec is None:
                return None
        return NativeChain(spec, order, dtype.itemsize, nbytes)

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def from_v3(cls, codecs: Sequence[Any], spec: ChunkSpec, key: str = "") -> CodecPipeline:
        """The pipeline of a v3 ``codecs`` list (JSON dicts, names or Codec instances)."""
        where = f"{key}: " if key else ""
        if isinstance(codecs, (str, dict)) or not isinstance(codecs, Sequence):
            raise MetadataError(f"{where}'codecs' must be a list, got {codecs!r}")
        parsed: list[Codec] = []
        for item in codecs:
            try:
                parsed.append(get_codec(item, 3))
            except CodecError as exc:
                raise CodecError(f"{where}codecs: {exc}") from exc
        aa, serializer, bb = split_v3_codecs(parsed, where)
        try:
            s = spec
            for i, codec in enumerate(aa):
                aa[i] = codec = codec.evolve(s)
                s = codec.resolve(s)
            serializer = serializer.evolve(s)
            bb = [codec.evolve(s) for codec in bb]
        except CodecError as exc:
            raise MetadataError(f"{where}codecs: {exc}") from exc
        return cls(aa, serializer, bb, spec, 3)

    @classmethod
    def from_v2(
        cls,
        filters: Sequence[Any] | None,
        compressor: Any | None,
        spec: ChunkSpec,
        key: str = "",
    ) -> CodecPipeline:
        """The pipeline of v2 ``filters`` and ``compressor`` (numcodecs dicts or codecs)."""
        where = f"{key}: " if key else ""
        if isinstance(filters, (str, dict)):
            raise MetadataError(f"{where}'filters' must be null or a list, got {filters!r}")
        filters = list(filters or ())
        serializer: ArrayBytesCodec = FlatSerializer(order=spec.order)
        if filters:  # an object codec (vlen-utf8 / vlen-bytes) first is the serializer
            first = cls._v2_codec(filters[0], "filters", where)
            if isinstance(first, ArrayBytesCodec):
                serializer = first
                filters = filters[1:]
        stages: list[ArrayArrayCodec | BytesBytesCodec]
        stages = [cls._v2_stage(item, "filters", where) for item in filters]
        if compressor is not None:
            stages.append(cls._v2_stage(compressor, "compressor", where))
        try:
            serializer = serializer.evolve(spec)
            return cls([], serializer, stages, spec, 2)
        except CodecError as exc:
            raise MetadataError(f"{where}filters: {exc}") from exc

    @staticmethod
    def _v2_codec(item: Any, field: str, where: str) -> Codec:
        """The codec of one v2 filter or compressor entry."""
        try:
            return get_codec(item, 2)
        except CodecError as exc:
            raise CodecError(f"{where}{field}: {exc}") from exc

    @classmethod
    def _v2_stage(
        cls, item: Any, field: str, where: str
    ) -> ArrayArrayCodec | BytesBytesCodec:
        """One v2 filter or compressor: an array→array or bytes→bytes codec."""
        codec = cls._v2_codec(item, field, where)
        if isinstance(codec, ArrayBytesCodec) or not isinstance(
            codec, (ArrayArrayCodec, BytesBytesCodec)
        ):
            raise MetadataError(
                f"{where}{field}: codec {_label(codec)!r} cannot be a zarr v2 "
                f"{'filter' if field == 'filters' else field}"
            )
        return codec

    # -- introspection ---------------------------------------------------------------------
    @property
    def sharding(self) -> ShardingCodec | None:
        """The sharding codec when it is the whole pipeline (so shards can be read in part)."""
        if self._aa or self._post or getattr(self._ab, "name", None) != "sharding_indexed":
            return None
        return cast("ShardingCodec", self._ab)  # the codec named sharding_indexed

    @property
    def codecs(self) -> tuple[Codec, ...]:
        """Every codec in encoding order (v2: the filters, object codec included, and the
        compressor)."""
        if self.zarr_format == 2:
            if isinstance(self._ab, FlatSerializer):
                return self._post
            return (self._ab, *self._post)
        return (*self._aa, self._ab, *self._post)

    def __repr__(self) -> str:
        return f"CodecPipeline(v{self.zarr_format}, {list(self.codecs)!r}, spec={self.spec!r})"

    # -- encode ----------------------------------------------------------------------------
    def encode(self, chunk: npt.NDArray[Any], key: str) -> bytes | memoryview:
        """The stored bytes of `chunk` (spec's shape; any dtype layout NumPy can convert).

        Bytes, or a memoryview of a buffer the caller owns; never memory shared with `chunk`.
        """
        try:
            arr = np.asarray(chunk)
            if arr.shape != self.spec.shape:
                raise CodecError(
                    f"chunk has shape {arr.shape}, the pipeline expects {self.spec.shape}"
                )
            for aa_codec in self._aa:
                arr = _call(aa_codec, aa_codec.encode, arr)
            data = _call(self._ab, self._ab.encode, arr, self._ab_spec)
            for codec in self._post:
                data = _call(codec, codec.encode, data)
        except CodecError as exc:
            raise CodecError(f"chunk {key!r}: encoding failed: {exc}") from exc
        if isinstance(data, bytes):
            return data
        out = as_byte_array(data)
        # A fresh array (e.g. the bytes codec's contiguous copy) is returned as it is: one
        # copy fewer per chunk; only a result that may alias the caller's chunk is copied.
        if np.may_share_memory(out, chunk):
            return out.tobytes()
        return out.data

    # -- decode ----------------------------------------------------------------------------
    def decode(self, data: Any, key: str, out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """The chunk stored as `data`, as an ndarray of ``spec.shape`` and ``spec.dtype``.

        With `out` (a writable array of that shape and dtype, any strides, e.g. a view into
        the caller's result) the chunk is written into `out`, which is returned; without it a
        new writable array is returned (possibly a transposed view of its buffer).
        """
        if out is not None and out.shape != self.spec.shape:
            raise ValueError(f"decode: out has shape {out.shape}, the chunk has {self.spec.shape}")
        try:
            if out is None:
                if self._fast is not None:
                    return self._decode_fast(data, self._fast)
                return self._decode_new(data)
            return self._decode_out(data, out)
        except ChecksumError as exc:
            raise ChecksumError(f"chunk {key!r}: {exc}") from exc
        except CodecError as exc:
            raise CodecError(f"chunk {key!r}: {exc}") from exc

    def _decode_fast(self, data: Any, fast: _FastLayout) -> npt.NDArray[Any]:
        codec, nbytes, dtype, order = fast
        raw: npt.NDArray[np.uint8]
        if codec is None:
            src = as_byte_array(data)
            if src.size != nbytes:
                raise CodecError(f"codec {_label(self._ab)!r}: got {src.size} bytes, "
                                 f"expected {nbytes}")
            raw = src.copy()
        else:
            # a large chunk whose data cannot fill it is refused before its memory is taken
            # (a corrupted or hostile chunk shape would otherwise cost that first)
            bounded = getattr(codec, "decoded_bound", None)  # plug-ins may predate it
            bound = None if bounded is None or nbytes < _BOUND_FROM else _call(codec, bounded,
                                                                              data)
            if bound is not None and bound < nbytes:
                raise CodecError(f"codec {_label(codec)!r}: the data decodes to {bound} bytes "
                                 f"at most, the chunk needs {nbytes}")
            raw = np.empty(nbytes, dtype=np.uint8)
            result = _call(codec, codec.decode, data, raw)
            if result is not raw:
                self._copy_exact(result, raw, codec)
        return raw.view(dtype).reshape(self.spec.shape, order=order)

    def decodes_into(self, out: npt.NDArray[Any]) -> bool:
        """True if ``decode(..., out=out)`` writes into `out` with no extra full copy."""
        if out.shape != self.spec.shape or not out.flags.writeable:
            return False
        raw = self._raw_target(out)
        if raw is None:
            return False
        if not self._post:
            return True
        first = self._post[0]
        return isinstance(first, BytesBytesCodec) and first.can_decode_into

    def _encoded_target(self, out: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """`out` seen in the serializer's layout through the array→array codecs."""
        if not _same_layout_dtype(out.dtype, self.spec.dtype):
            return None
        target = out
        for codec in self._aa:
            view = codec.encoded_view(target)
            if view is None:
                return None
            target = view
        return target

    def _raw_target(
        self, out: npt.NDArray[Any]
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]] | None:
        target = self._encoded_target(out)
        if target is None:
            return None
        raw = self._ab.raw_view(target, self._ab_spec)
        return None if raw is None else (target, raw)

    def _decode_out(self, data: Any, out: npt.NDArray[Any]) -> npt.NDArray[Any]:
        found = self._raw_target(out)
        if found is not None:
            target, raw = found
            self._fill_raw(data, raw)
            _call(self._ab, self._ab.finish_raw, target, self._ab_spec)
            return out
        if not self._aa and _same_layout_dtype(out.dtype, self.spec.dtype):
            encoded = self._decode_post(data, None)
            _call(self._ab, self._ab.decode, encoded, self._ab_spec, out)
            return out
        np.copyto(out, self._decode_new(data))
        return out

    def _decode_new(self, data: Any) -> npt.NDArray[Any]:
        spec = self._ab_spec
        arr = np.empty(spec.shape, dtype=spec.dtype, order=self._ab_order)
        raw = self._ab.raw_view(arr, spec)
        if raw is not None:
            self._fill_raw(data, raw)
            _call(self._ab, self._ab.finish_raw, arr, spec)
        else:
            encoded = self._decode_post(data, None)
            arr = _call(self._ab, self._ab.decode, encoded, spec)
        for codec in reversed(self._aa):
            arr = _call(codec, codec.decode, arr)
        return arr

    def _fill_raw(self, data: Any, raw: npt.NDArray[Any]) -> None:
        """Decode the post-serializer stages of `data` into the serializer's raw bytes."""
        if not self._post:
            src = as_byte_array(data)
            if src.size != raw.size:
                raise CodecError(
                    f"codec {_label(self._ab)!r}: got {src.size} bytes, expected {raw.size}"
                )
            raw[...] = src
            return
        self._decode_post(data, raw)

    def _decode_post(self, data: Any, dest: npt.NDArray[Any] | None) -> Any:
        """Undo the post-serializer stages; the innermost writes into `dest` if given."""
        x = data
        for i in range(len(self._post) - 1, -1, -1):
            codec = self._post[i]
            target = dest if i == 0 else None
            specs = self._array_specs[i]
            if specs is not None:  # array→array filter (v2)
                assert isinstance(codec, ArrayArrayCodec)
                in_spec, encoded_spec = specs
                x = _call(codec, codec.decode, _as_array(x, encoded_spec, codec))
                x = _as_array(x, in_spec, codec)
                if target is not None:
                    self._copy_exact(x, target, codec)
                    x = target
                continue
            size = self._sizes[i]
            if target is None and size is not None:
                target = np.empty(size, dtype=np.uint8)
            if target is None:
                x = _call(codec, codec.decode, x)
                continue
            result = _call(codec, codec.decode, x, target)
            if result is not target:  # a codec that returned new bytes instead
                self._copy_exact(result, target, codec)
            x = target
        return x

    @staticmethod
    def _copy_exact(src: Any, dest: npt.NDArray[Any], codec: Codec) -> None:
        buf = as_byte_array(src)
        if buf.size != dest.size:
            raise CodecError(
                f"codec {_label(codec)!r}: decoded {buf.size} bytes, expected {dest.size}"
            )
        dest[...] = buf
