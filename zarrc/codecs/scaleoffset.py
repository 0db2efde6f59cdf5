"""Lossy numeric filters: fixed scale-offset and decimal quantization (numcodecs).

Specs (numcodecs 0.16), both array→array:

- ``FixedScaleOffset(offset, scale, dtype, astype=None)``: encode
  ``round((x - offset) * scale)`` as ``astype``; decode ``enc / scale + offset`` as ``dtype``
  (HDF5's scale-offset without bit packing).  Names: v2 id ``fixedscaleoffset``, v3 name
  ``numcodecs.fixedscaleoffset``.
- ``Quantize(digits, dtype, astype=None)``: keep ``digits`` decimal digits by rounding to a
  multiple of ``2**-bits`` (``bits = ceil(log2(10**digits))``); decoding only converts back.
  Float types only.  Names: v2 id ``quantize``, v3 name ``numcodecs.quantize``.

The arithmetic is NumPy's, with the configuration's Python numbers as numcodecs uses them
(NEP 50 promotion: an int offset keeps an integer array integral), so results are
byte-identical.  As zarr-python 3 does, a v3 configuration without ``dtype`` takes the array's
(written as e.g. ``"float64"``); the encoded type is ``astype``, defaulting to ``dtype``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from zarrc.codecs._numcodecs import (
    NumcodecsFilter,
    check_number,
    deliver_array,
    flat_view,
    parse_dtype,
    raw_dtype,
    rebind,
    shaped,
)
from zarrc.codecs.base import ChunkSpec, check_int
from zarrc.errors import CodecError

__all__ = ["FixedScaleOffsetCodec", "QuantizeCodec", "quantize_scale"]


class _TypedFilter(NumcodecsFilter):
    """A filter with a decoded ``dtype`` (filled from the array if absent) and an ``astype``."""

    dtype: np.dtype | None
    astype: np.dtype | None

    def _parse_types(self, dtype: Any, astype: Any) -> None:
        label = self.codec_id or self.name
        self.dtype = None if dtype is None else parse_dtype(label, "dtype", dtype)
        self.astype = None if astype is None else parse_dtype(label, "astype", astype)
        if dtype is not None:
            self._raw["dtype"] = raw_dtype(dtype)
        if astype is not None:
            self._raw["astype"] = raw_dtype(astype)

    def _types(self, data_dtype: np.dtype | None = None) -> tuple[np.dtype, np.dtype]:
        dtype = self.dtype if self.dtype is not None else data_dtype
        if dtype is None:
            raise CodecError(f"codec {self._label()!r}: 'dtype' is required")
        return dtype, self.astype if self.astype is not None else dtype

    def _v2_types(self) -> dict[str, str]:
        dtype, astype = self._types()
        return {"dtype": dtype.str, "astype": astype.str}

    def _with_dtype(self, dtype: np.dtype) -> _TypedFilter:
        raise NotImplementedError

    def evolve(self, spec: ChunkSpec) -> _TypedFilter:
        self._check_spec(spec)
        if self.dtype is not None:
            return self
        evolved = self._with_dtype(spec.dtype)
        rebind(evolved, self)
        if evolved._given is not None:
            evolved._given = (*evolved._given, "dtype")
        return evolved

    def resolve(self, spec: ChunkSpec) -> ChunkSpec:
        dtype, astype = self._types(spec.dtype)
        n = spec.nbytes // dtype.itemsize
        shape = spec.shape if n == spec.size else (n,)
        return ChunkSpec(shape, astype, "C", None)

    def _input(self, data: Any) -> tuple[np.ndarray, np.dtype]:
        dtype, astype = self._types(np.asarray(data).dtype)
        return flat_view(data, dtype), astype


class FixedScaleOffsetCodec(_TypedFilter):
    """``round((x - offset) * scale)`` stored as ``astype``."""

    name = "numcodecs.fixedscaleoffset"
    codec_id = "fixedscaleoffset"

    def __init__(self, *, offset: Any, scale: Any, dtype: Any = None, astype: Any = None) -> None:
        self.offset = check_number("fixedscaleoffset", "offset", offset)
        self.scale = check_number("fixedscaleoffset", "scale", scale)
        self._raw = {"offset": offset, "scale": scale}
        self._parse_types(dtype, astype)

    def _with_dtype(self, dtype: np.dtype) -> FixedScaleOffsetCodec:
        return FixedScaleOffsetCodec(
            offset=self.offset, scale=self.scale, dtype=str(dtype), astype=self._raw.get("astype")
        )

    def get_config_v2(self) -> dict[str, Any]:
        return {"scale": self.scale, "offset": self.offset, **self._v2_types()}

    def encode(self, data: np.ndarray) -> np.ndarray:
        arr, astype = self._input(data)
        try:
            enc = np.around((arr - self.offset) * self.scale)
        except (OverflowError, TypeError) as exc:  # e.g. an offset out of an int8's range
            raise CodecError(f"codec 'fixedscaleoffset': cannot encode {arr.dtype}: {exc}") from exc
        return shaped(enc.astype(astype, copy=False), data)

    def decode(self, data: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        dtype, astype = self._types(None if self.dtype is not None else _decoded_dtype(out))
        enc = flat_view(data, astype)
        try:
            dec = (enc / self.scale) + self.offset
        except (OverflowError, TypeError) as exc:
            raise CodecError(f"codec 'fixedscaleoffset': cannot decode {enc.dtype}: {exc}") from exc
        return deliver_array(shaped(dec.astype(dtype, copy=False), data), out)


def quantize_scale(digits: int) -> float:
    """The power of two numcodecs' ``Quantize`` multiplies by before rounding."""
    precision = 10.0**-digits
    exp = math.log10(precision)
    exp = math.floor(exp) if exp < 0 else math.ceil(exp)
    bits = math.ceil(math.log2(10.0**-exp))
    return 2.0**bits


class QuantizeCodec(_TypedFilter):
    """Round floats to ``digits`` decimal digits (in binary), stored as ``astype``."""

    name = "numcodecs.quantize"
    codec_id = "quantize"

    def __init__(self, *, digits: int, dtype: Any = None, astype: Any = None) -> None:
        self.digits = check_int("quantize", "digits", digits)
        self._raw = {"digits": digits}
        self._parse_types(dtype, astype)
        for field, value in (("dtype", self.dtype), ("astype", self.astype)):
            if value is not None and value.kind != "f":
                raise CodecError(f"codec 'quantize': {field!r} must be a float type, got {value}")

    def _with_dtype(self, dtype: np.dtype) -> QuantizeCodec:
        return QuantizeCodec(digits=self.digits, dtype=str(dtype), astype=self._raw.get("astype"))

    def get_config_v2(self) -> dict[str, Any]:
        return {"digits": self.digits, **self._v2_types()}

    def evolve(self, spec: ChunkSpec) -> _TypedFilter:
        if self.dtype is None and spec.dtype.kind != "f":
            raise CodecError(f"codec 'quantize' needs a float array, got {spec.dtype}")
        return super().evolve(spec)

    def encode(self, data: np.ndarray) -> np.ndarray:
        arr, astype = self._input(data)
        if arr.dtype.kind != "f":
            raise CodecError(f"codec 'quantize' needs float data, got {arr.dtype}")
        scale = quantize_scale(self.digits)
        enc = np.around(scale * arr) / scale
        return shaped(enc.astype(astype, copy=False), data)

    def decode(self, data: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        dtype, astype = self._types(None if self.dtype is not None else _decoded_dtype(out))
        enc = flat_view(data, astype)
        return deliver_array(shaped(enc.astype(dtype, copy=False), data), out)


def _decoded_dtype(out: np.ndarray | None) -> np.dtype | None:
    return None if out is None else out.dtype
