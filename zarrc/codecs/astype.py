"""Type conversion filter (numcodecs ``AsType``).

Spec: numcodecs 0.16 ``AsType(encode_dtype, decode_dtype)``, array→array: encoding reads the
chunk's bytes as ``decode_dtype`` and converts (NumPy ``astype``, unsafe casting) to
``encode_dtype``; decoding converts back.  Lossy when ``encode_dtype`` is narrower.  Names: v2 id
``astype``; v3 name ``numcodecs.astype`` (zarr-python 3's ``zarr.codecs.numcodecs.AsType``,
which fills a missing ``decode_dtype`` with the array's type, written like ``"float64"``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zarrc.codecs._numcodecs import (
    NumcodecsFilter,
    deliver_array,
    flat_view,
    parse_dtype,
    raw_dtype,
    rebind,
    shaped,
)
from zarrc.codecs.base import ChunkSpec
from zarrc.errors import CodecError

__all__ = ["AsTypeCodec"]


class AsTypeCodec(NumcodecsFilter):
    """Store the chunk converted to ``encode_dtype``; read it back as ``decode_dtype``."""

    name = "numcodecs.astype"
    codec_id = "astype"

    def __init__(self, *, encode_dtype: Any, decode_dtype: Any = None) -> None:
        self.encode_dtype = parse_dtype("astype", "encode_dtype", encode_dtype)
        self.decode_dtype = (
            None if decode_dtype is None else parse_dtype("astype", "decode_dtype", decode_dtype)
        )
        self._raw = {"encode_dtype": raw_dtype(encode_dtype)}
        if decode_dtype is not None:
            self._raw["decode_dtype"] = raw_dtype(decode_dtype)

    def get_config_v2(self) -> dict[str, Any]:
        if self.decode_dtype is None:
            raise CodecError("codec 'astype': 'decode_dtype' is required")
        return {"encode_dtype": self.encode_dtype.str, "decode_dtype": self.decode_dtype.str}

    def evolve(self, spec: ChunkSpec) -> AsTypeCodec:
        self._check_spec(spec)
        if self.decode_dtype is not None:
            return self
        evolved = AsTypeCodec(encode_dtype=self._raw["encode_dtype"], decode_dtype=str(spec.dtype))
        rebind(evolved, self)
        if evolved._given is not None:
            evolved._given = (*evolved._given, "decode_dtype")
        return evolved

    def _decode_type(self, fallback: np.dtype | None) -> np.dtype:
        dtype = self.decode_dtype if self.decode_dtype is not None else fallback
        if dtype is None:
            raise CodecError("codec 'astype': 'decode_dtype' is required")
        return dtype

    def resolve(self, spec: ChunkSpec) -> ChunkSpec:
        n = spec.nbytes // self._decode_type(spec.dtype).itemsize
        shape = spec.shape if n == spec.size else (n,)
        return ChunkSpec(shape, self.encode_dtype, "C", None)

    def encode(self, data: np.ndarray) -> np.ndarray:
        arr = flat_view(data, self._decode_type(np.asarray(data).dtype))
        return shaped(arr.astype(self.encode_dtype), data)

    def decode(self, data: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        dtype = self._decode_type(None if out is None else out.dtype)
        enc = flat_view(data, self.encode_dtype)
        return deliver_array(shaped(enc.astype(dtype), data), out)
