"""Variable-length strings and bytes: the ``vlen-utf8`` and ``vlen-bytes`` array→bytes codecs.

Byte layout (numcodecs ``VLenUTF8`` / ``VLenBytes``, zarr-python 3 ``VLenUTF8Codec`` /
``VLenBytesCodec``): a little-endian ``uint32`` item count, then per item a little-endian
``uint32`` byte length followed by the item's bytes (UTF-8 for strings), items in the chunk's
memory order (C in v3; the array's ``order`` in v2).

Names: v3 ``vlen-utf8`` / ``vlen-bytes`` (written with an empty ``configuration``, as
zarr-python does); v2 ids ``vlen-utf8`` / ``vlen-bytes``, where the codec is the first *filter*
of an ``"|O"`` array (the pipeline makes it the serializer).  ``vlen-utf8`` serializes
``StringDType`` chunks (and ``object`` chunks of ``str``), ``vlen-bytes`` ``object`` chunks of
``bytes``; as numcodecs does, ``None`` encodes as an empty item.  Decoding checks every length
against the buffer and raises :class:`~zarrc.errors.CodecError` on a truncated or malformed chunk.
"""

from __future__ import annotations

import struct
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from zarrc.codecs.base import ArrayBytesCodec, ChunkSpec
from zarrc.errors import CodecError

__all__ = ["VLenBytesCodec", "VLenUTF8Codec", "pack_items", "unpack_items"]

_U32 = struct.Struct("<I")
_U32_MAX = 2**32 - 1


def pack_items(items: list[bytes], codec: str) -> bytes:
    """The vlen layout of `items`: count, then (length, bytes) per item."""
    n = len(items)
    if n > _U32_MAX:
        raise CodecError(f"codec {codec!r}: {n} items do not fit a uint32 count")
    lengths = [len(item) for item in items]
    if lengths and max(lengths) > _U32_MAX:
        raise CodecError(f"codec {codec!r}: an item of {max(lengths)} bytes is too long")
    heads = np.array(lengths, dtype="<u4").tobytes()
    parts = [_U32.pack(n)]
    for i, item in enumerate(items):
        parts.append(heads[4 * i : 4 * i + 4])
        parts.append(item)
    return b"".join(parts)


def unpack_items(data: Any, expected: int, codec: str) -> list[bytes]:
    """The items of a vlen buffer holding `expected` items; CodecError if it is malformed."""
    buf = memoryview(data).cast("B") if not isinstance(data, bytes) else data
    total = len(buf)
    if total < 4:
        raise CodecError(f"codec {codec!r}: corrupt chunk: {total} bytes, shorter than the "
                         "4-byte item count")
    (n,) = _U32.unpack_from(buf, 0)
    if n != expected:
        raise CodecError(f"codec {codec!r}: corrupt chunk: it holds {n} items, expected "
                         f"{expected}")
    items = []
    pos = 4
    for i in range(n):
        if pos + 4 > total:
            raise CodecError(f"codec {codec!r}: corrupt chunk: truncated at the length of "
                             f"item {i}")
        (length,) = _U32.unpack_from(buf, pos)
        pos += 4
        end = pos + length
        if end > total:
            raise CodecError(f"codec {codec!r}: corrupt chunk: item {i} claims {length} bytes, "
                             f"{total - pos} remain")
        items.append(bytes(buf[pos:end]))
        pos = end
    if pos != total:
        raise CodecError(f"codec {codec!r}: corrupt chunk: {total - pos} bytes after the last "
                         "item")
    return items


class _VLenCodec(ArrayBytesCodec):
    """Shared machinery: flatten in the chunk's order, (un)pack, convert items."""

    #: The dtype kinds this codec serializes.
    kinds: ClassVar[str] = ""

    def to_json_v3(self) -> dict[str, Any]:
        return {"name": self._json_name or self.name, "configuration": {}}

    def evolve(self, spec: ChunkSpec) -> ArrayBytesCodec:
        if spec.dtype.kind not in self.kinds:
            raise CodecError(f"codec {self._label()!r} cannot serialize dtype {spec.dtype}; "
                             f"it takes {self._expects()}")
        return self

    def _expects(self) -> str:
        raise NotImplementedError

    def _item_bytes(self, item: Any) -> bytes:
        raise NotImplementedError

    def _from_items(self, items: list[bytes], spec: ChunkSpec) -> npt.NDArray[Any]:
        raise NotImplementedError

    def encode(self, data: Any, spec: ChunkSpec) -> bytes:
        arr = np.asarray(data)
        if arr.shape != spec.shape:
            raise CodecError(
                f"codec {self._label()!r}: chunk has shape {arr.shape}, expected {spec.shape}"
            )
        flat = arr.reshape(-1, order=spec.order).tolist()
        return pack_items([self._item_bytes(item) for item in flat], self._label())

    def decode(
        self, data: Any, spec: ChunkSpec, out: npt.NDArray[Any] | None = None
    ) -> npt.NDArray[Any]:
        items = unpack_items(data, spec.size, self._label())
        arr: npt.NDArray[Any] = self._from_items(items, spec).reshape(spec.shape, order=spec.order)
        if out is None:
            return arr
        out[...] = arr
        return out


class VLenUTF8Codec(_VLenCodec):
    """``vlen-utf8``: variable-length UTF-8 strings (numcodecs ``VLenUTF8``)."""

    name = "vlen-utf8"
    codec_id = "vlen-utf8"
    kinds = "TO"

    def _expects(self) -> str:
        return "variable-length strings (StringDType)"

    def _item_bytes(self, item: Any) -> bytes:
        if isinstance(item, str):
            return item.encode("utf-8")
        if item is None:
            return b""
        raise CodecError(f"codec {self._label()!r}: expected str, got {type(item).__name__}")

    def _from_items(self, items: list[bytes], spec: ChunkSpec) -> npt.NDArray[Any]:
        try:
            strings = [item.decode("utf-8") for item in items]
        except UnicodeDecodeError as exc:
            raise CodecError(f"codec {self._label()!r}: corrupt chunk: invalid UTF-8 ({exc})"
                             ) from None
        if spec.dtype.kind == "T":
            return np.array(strings, dtype=spec.dtype)
        out = np.empty(len(strings), dtype=object)
        out[:] = strings
        return out


class VLenBytesCodec(_VLenCodec):
    """``vlen-bytes``: variable-length byte strings (numcodecs ``VLenBytes``)."""

    name = "vlen-bytes"
    codec_id = "vlen-bytes"
    kinds = "O"

    def _expects(self) -> str:
        return "variable-length bytes (an object dtype)"

    def _item_bytes(self, item: Any) -> bytes:
        if isinstance(item, bytes):
            return item
        if isinstance(item, (bytearray, memoryview)):
            return bytes(item)
        if item is None or (isinstance(item, int) and not isinstance(item, bool) and item == 0):
            return b""  # numcodecs' missing values
        raise CodecError(f"codec {self._label()!r}: expected bytes, got {type(item).__name__}")

    def _from_items(self, items: list[bytes], spec: ChunkSpec) -> npt.NDArray[Any]:
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out
