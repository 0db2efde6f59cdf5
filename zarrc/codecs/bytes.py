"""Raw serialization of a chunk: the ``bytes`` codec (v3) and the flat v2 layout.

``BytesCodec`` is the Zarr v3 ``bytes`` array→bytes codec (v3 name ``bytes``, old alias
``endian``; no v2 form): the chunk's elements in C order, multi-byte types in the configured
``endian`` (``"little"``/``"big"``; omitted for types without byte order).  zarr-python 3
defaults ``endian`` to the machine's byte order and drops it for 1-byte types.

``FlatSerializer`` is what Zarr v2 does instead of a serializer: the chunk in ``order`` (C or F)
as raw bytes of the v2 dtype (which carries its own byte order), handed to the filters as a flat
array so numcodecs codecs see the element size.  It is internal and never registered.

Both decode straight into a caller's array when its memory layout matches (``raw_view``),
fixing the byte order in place afterwards.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import numpy.typing as npt

from zarrc._ext.byteswap import byteswap_copy as _native_swap_copy  # required kernels
from zarrc._ext.byteswap import byteswap_inplace as _native_swap_inplace
from zarrc.codecs.base import (
    ArrayBytesCodec,
    ChunkSpec,
    MemoryOrder,
    as_byte_array,
    check_choice,
)
from zarrc.codecs.enums import Endian
from zarrc.errors import CodecError

__all__ = ["BytesCodec", "FlatSerializer", "byteswap_inplace"]

_ENDIANS = ("little", "big", None)


def _swap_unit(dtype: np.dtype[Any]) -> int | None:
    """The byte-swap unit of a simple dtype (component size for complex), None otherwise."""
    if dtype.fields is not None or dtype.subdtype is not None:
        return None
    if dtype.kind == "c":
        return dtype.itemsize // 2
    if dtype.kind == "U":
        return 4
    if dtype.kind in "iufmM":
        return dtype.itemsize
    return None


def _has_byte_order(dtype: np.dtype[Any]) -> bool:
    return dtype.byteorder != "|"


def _swapped(a: np.dtype[Any], b: np.dtype[Any]) -> bool:
    """True if `a` and `b` store the same values with opposite byte orders."""
    return _has_byte_order(a) and a.isnative != b.isnative


def byteswap_inplace(arr: npt.NDArray[Any]) -> None:
    """Reverse the byte order of every element of the contiguous `arr`, in place."""
    unit = _swap_unit(arr.dtype)
    if unit and unit > 1:
        _native_swap_inplace(arr.reshape(-1, order="A").view(np.uint8), unit)
    else:
        arr.byteswap(inplace=True)


def _to_layout(
    arr: npt.NDArray[Any], dtype: np.dtype[Any], order: MemoryOrder
) -> npt.NDArray[Any]:
    """`arr` as `dtype` in contiguous `order`, copying only if needed."""
    if arr.dtype == dtype:
        return np.asarray(arr, order=order)
    contiguous = arr.flags.c_contiguous if order == "C" else arr.flags.f_contiguous
    unit = _swap_unit(dtype)
    if (
        contiguous
        and unit
        and arr.dtype == dtype.newbyteorder("S")
    ):
        dst = np.empty(arr.shape, dtype=dtype, order=order)
        _native_swap_copy(
            arr.reshape(-1, order="A").view(np.uint8),
            dst.reshape(-1, order="A").view(np.uint8),
            unit,
        )
        return dst
    return np.asarray(arr, dtype=dtype, order=order)


def _compatible(out: npt.NDArray[Any], spec: ChunkSpec) -> bool:
    """`out` has the chunk's shape and holds its dtype, possibly in the other byte order."""
    if out.shape != spec.shape or not out.flags.writeable:
        return False
    if out.dtype == spec.dtype:
        return True
    return _has_byte_order(spec.dtype) and out.dtype == spec.dtype.newbyteorder("S")


class RawLayout(ArrayBytesCodec):
    """Shared machinery: a chunk stored as the raw bytes of `_stored(spec)` in `_order`."""

    _order: MemoryOrder = "C"

    def _stored(self, spec: ChunkSpec) -> np.dtype[Any]:
        return spec.dtype

    def _check(self, spec: ChunkSpec) -> None:
        if spec.dtype.hasobject or spec.dtype.kind == "T":
            raise CodecError(
                f"codec {self._label()!r} cannot serialize variable-length dtype {spec.dtype}"
            )

    def evolve(self, spec: ChunkSpec) -> ArrayBytesCodec:
        self._check(spec)
        return self

    def encoded_size(self, spec: ChunkSpec) -> int:
        return spec.nbytes

    def _encode_array(self, data: Any, spec: ChunkSpec) -> npt.NDArray[Any]:
        arr = np.asarray(data)
        if arr.shape != spec.shape:
            raise CodecError(
                f"codec {self._label()!r}: chunk has shape {arr.shape}, expected {spec.shape}"
            )
        arr = _to_layout(arr, self._stored(spec), self._order)
        return arr.reshape(-1, order=self._order)

    def raw_view(self, out: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any] | None:
        if not _compatible(out, spec):
            return None
        if not (out.flags.c_contiguous if self._order == "C" else out.flags.f_contiguous):
            return None
        return out.reshape(-1, order=self._order).view(np.uint8)

    def finish_raw(self, out: npt.NDArray[Any], spec: ChunkSpec) -> None:
        if _swapped(self._stored(spec), out.dtype):
            byteswap_inplace(out)

    def decode(
        self, data: Any, spec: ChunkSpec, out: npt.NDArray[Any] | None = None
    ) -> npt.NDArray[Any]:
        buf = as_byte_array(data)
        if buf.size != spec.nbytes:
            raise CodecError(
                f"codec {self._label()!r}: got {buf.size} bytes, expected {spec.nbytes} "
                f"for a chunk of shape {spec.shape} and dtype {spec.dtype}"
            )
        stored = self._stored(spec)
        arr = buf.view(stored).reshape(spec.shape, order=self._order)
        if out is None:
            return np.array(arr, dtype=spec.dtype, order=self._order)
        np.copyto(out, arr, casting="unsafe")
        return out


class BytesCodec(RawLayout):
    """The v3 ``bytes`` codec: C-order elements in the configured byte order."""

    name = "bytes"
    codec_id = None
    v3_aliases = ("endian",)

    def __init__(self, *, endian: str | None = sys.byteorder) -> None:
        self.endian: str | None = check_choice("bytes", "endian", endian, _ENDIANS)

    def get_config(self) -> dict[str, Any]:
        return {} if self.endian is None else {"endian": self.endian}

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [("endian", None if self.endian is None else Endian(self.endian))]

    def _stored(self, spec: ChunkSpec) -> np.dtype[Any]:
        if self.endian is None or not _has_byte_order(spec.dtype):
            return spec.dtype
        stored: np.dtype[Any] = spec.dtype.newbyteorder("<" if self.endian == "little" else ">")
        return stored

    def evolve(self, spec: ChunkSpec) -> BytesCodec:
        self._check(spec)
        if not _has_byte_order(spec.dtype):
            if self.endian is None:
                return self
            return BytesCodec(endian=None).with_json_name(self._json_name or self.name)
        if self.endian is None:
            raise CodecError(
                f"codec 'bytes': 'endian' must be set for the multi-byte dtype {spec.dtype}"
            )
        return self

    def encode(self, data: Any, spec: ChunkSpec) -> npt.NDArray[Any]:
        return self._encode_array(data, spec).view(np.uint8)


class FlatSerializer(RawLayout):
    """Zarr v2's implicit serialization: the chunk in `order` as raw bytes of its dtype."""

    name = "zarrc.v2_flat"
    codec_id = None

    def __init__(self, *, order: str = "C") -> None:
        self._order = check_choice("zarr v2 chunk", "order", order, ("C", "F"))

    def get_config(self) -> dict[str, Any]:
        return {"order": self._order}

    def encode(self, data: Any, spec: ChunkSpec) -> npt.NDArray[Any]:
        """The chunk as a flat array of its dtype (numcodecs filters see the item size)."""
        return self._encode_array(data, spec)
