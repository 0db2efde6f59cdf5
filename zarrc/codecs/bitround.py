"""Mantissa bit rounding of floats (numcodecs ``BitRound``), for better compression.

Spec: numcodecs 0.16 ``BitRound(keepbits)``, array→array, after Klöwer et al. 2021: keep the
top ``keepbits`` bits of the IEEE mantissa of float16/32/64 data, rounding half to even on the
integer view (``b += ((b >> m) & 1) + 2**(m-1) - 1; b &= ~(2**m - 1)``, ``m`` the dropped
bits).  ``keepbits`` equal to the mantissa width (10, 23, 52) changes nothing; larger is an
error.  Decoding is the identity.  Names: v2 id ``bitround``; v3 name ``numcodecs.bitround``
(zarr-python 3's ``zarr.codecs.numcodecs.BitRound``, same data type in and out).

The arithmetic runs on the unsigned integer view, whose two's-complement bits equal those of
numcodecs' signed arithmetic; big-endian data is rounded by value (numcodecs rejects it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from zarrc.codecs._numcodecs import NumcodecsFilter, deliver_array
from zarrc.codecs.base import ChunkSpec, check_int
from zarrc.errors import CodecError

__all__ = ["BitRoundCodec", "bitround"]

#: Mantissa bits per float item size.
MANTISSA_BITS = {2: 10, 4: 23, 8: 52}


def bitround(arr: npt.NDArray[Any], keepbits: int) -> npt.NDArray[Any]:
    """`arr` (float16/32/64) with only `keepbits` mantissa bits, rounded to nearest even."""
    if arr.dtype.kind != "f" or arr.dtype.itemsize not in MANTISSA_BITS:
        raise CodecError(
            f"codec 'bitround': only float16/32/64 can be bit-rounded, got {arr.dtype}"
        )
    bits = MANTISSA_BITS[arr.dtype.itemsize]
    if keepbits > bits:
        raise CodecError(
            f"codec 'bitround': keepbits {keepbits} exceeds the {bits} mantissa bits of {arr.dtype}"
        )
    if keepbits == bits:
        same: npt.NDArray[Any] = arr.copy()
        return same
    native = arr.dtype.newbyteorder("=")
    uint = np.dtype(f"u{arr.dtype.itemsize}")
    u = np.array(arr, dtype=native, copy=True).view(uint)
    drop = bits - keepbits
    u += ((u >> uint.type(drop)) & uint.type(1)) + uint.type((1 << (drop - 1)) - 1)
    u &= uint.type(((1 << (8 * uint.itemsize)) - 1) ^ ((1 << drop) - 1))
    result: npt.NDArray[Any] = u.view(native)
    return result if native == arr.dtype else result.astype(arr.dtype)


class BitRoundCodec(NumcodecsFilter):
    """Keep ``keepbits`` mantissa bits of float data."""

    name = "numcodecs.bitround"
    codec_id = "bitround"

    def __init__(self, *, keepbits: int) -> None:
        self.keepbits = check_int("bitround", "keepbits", keepbits, 0)
        self._raw = {"keepbits": self.keepbits}

    def get_config_v2(self) -> dict[str, Any]:
        return {"keepbits": self.keepbits}

    def evolve(self, spec: ChunkSpec) -> BitRoundCodec:
        dtype = spec.dtype
        if dtype.kind != "f" or dtype.itemsize not in MANTISSA_BITS:
            raise CodecError(f"codec 'bitround' needs a float16/32/64 array, got {dtype}")
        if self.keepbits > MANTISSA_BITS[dtype.itemsize]:
            raise CodecError(
                f"codec 'bitround': keepbits {self.keepbits} exceeds the "
                f"{MANTISSA_BITS[dtype.itemsize]} mantissa bits of {dtype}"
            )
        return self

    def encode(self, data: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return bitround(np.asarray(data), self.keepbits)

    def decode(
        self, data: npt.NDArray[Any], out: npt.NDArray[Any] | None = None
    ) -> npt.NDArray[Any]:
        arr = np.asarray(data)
        if out is None:
            copied: npt.NDArray[Any] = arr.copy()
            return copied
        return deliver_array(arr, out)
