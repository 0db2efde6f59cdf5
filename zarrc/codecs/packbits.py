"""Bit packing of boolean chunks (numcodecs ``PackBits``).

Spec: numcodecs 0.16 ``PackBits()``, array→array: the chunk's bytes read as ``bool``, flattened,
become ``uint8`` ``[pad, packed…]`` where ``packed`` is ``np.packbits`` (most significant bit
first) and ``pad`` the number of zero bits completing the last byte; ``n`` booleans take
``1 + ceil(n / 8)`` bytes.  No configuration.  Names: v2 id ``packbits``; v3 name
``numcodecs.packbits`` (zarr-python 3's ``zarr.codecs.numcodecs.PackBits``, encoded shape
``(1 + ceil(n / 8),)`` of ``uint8``, bool arrays only).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from zarrc.codecs._numcodecs import NumcodecsFilter, deliver_array, flat_view
from zarrc.codecs.base import ChunkSpec
from zarrc.errors import CodecError

__all__ = ["PackBitsCodec"]

_BOOL = np.dtype(bool)


class PackBitsCodec(NumcodecsFilter):
    """Eight booleans per byte, after a byte counting the padding bits."""

    name = "numcodecs.packbits"
    codec_id = "packbits"

    def __init__(self) -> None:
        self._raw = {}
        #: The chunk shape decoding restores (set by :meth:`evolve`; flat otherwise).
        self._shape: tuple[int, ...] | None = None

    def get_config_v2(self) -> dict[str, Any]:
        return {}

    def evolve(self, spec: ChunkSpec) -> PackBitsCodec:
        if spec.dtype != _BOOL:
            raise CodecError(f"codec 'packbits' needs a bool array, got {spec.dtype}")
        if self._shape == spec.shape:
            return self
        evolved = PackBitsCodec()
        evolved._json_name, evolved._given = self._json_name, self._given
        evolved._shape = spec.shape
        return evolved

    def resolve(self, spec: ChunkSpec) -> ChunkSpec:
        n = spec.nbytes  # booleans are one byte each
        return ChunkSpec((1 + math.ceil(n / 8),), np.dtype(np.uint8), "C", None)

    def encode(self, data: npt.NDArray[Any]) -> npt.NDArray[Any]:
        bits = flat_view(data, _BOOL)
        enc = np.empty(1 + math.ceil(bits.size / 8), dtype=np.uint8)
        enc[0] = (8 - bits.size % 8) % 8
        enc[1:] = np.packbits(bits)
        return enc

    def decode(
        self, data: npt.NDArray[Any], out: npt.NDArray[Any] | None = None
    ) -> npt.NDArray[Any]:
        enc = flat_view(data, np.dtype(np.uint8))
        if enc.size == 0:
            raise CodecError("codec 'packbits': empty input has no padding byte")
        pad = int(enc[0])
        if pad > 7:
            raise CodecError(f"codec 'packbits': padding byte {pad} is not in 0..7")
        bits = np.unpackbits(enc[1:])
        if pad:
            bits = bits[:-pad]
        dec: npt.NDArray[np.bool_] = bits.view(_BOOL)
        if out is None and self._shape is not None and dec.size == math.prod(self._shape):
            dec = dec.reshape(self._shape)
        return deliver_array(dec, out)
