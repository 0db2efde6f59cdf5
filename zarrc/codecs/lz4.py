"""LZ4 block compression via the ``lz4`` package, in numcodecs' framing.

v3 name ``numcodecs.lz4``, v2 id ``lz4`` (numcodecs ``LZ4``), configuration
``{"acceleration": int}`` (default 1; values <= 0 mean 1).  A chunk is the decoded size as a
little-endian uint32 followed by one LZ4 block (``LZ4_compress_fast``): byte-identical to
numcodecs.  Decoding checks the stored size against the expected one before decompressing;
the ``lz4`` package cannot decompress into a caller's buffer, so the result is copied.
"""

from __future__ import annotations

from typing import Any

import lz4.block

from zarrc.codecs.base import (
    BytesBytesCodec,
    NativeSpec,
    as_byte_array,
    check_int,
    deliver,
    writable_byte_array,
)
from zarrc.errors import CodecError

__all__ = ["LZ4Codec"]

#: numcodecs' limit (LZ4_MAX_INPUT_SIZE).
MAX_BUFFER_SIZE = 0x7E000000


class LZ4Codec(BytesBytesCodec):
    """LZ4 block with a 4-byte little-endian size prefix."""

    name = "numcodecs.lz4"
    codec_id = "lz4"
    numcodecs_defaults = {"acceleration": 1}

    def __init__(self, *, acceleration: int = 1) -> None:
        self.acceleration = check_int("lz4", "acceleration", acceleration)

    def get_config(self) -> dict[str, Any]:
        return {"acceleration": self.acceleration}

    def native_spec(self, itemsize: int) -> NativeSpec:
        return NativeSpec("lz4")  # decoded natively; encoded by the lz4 package

    def encode(self, data: Any) -> bytes:
        buf = as_byte_array(data)
        if buf.size > MAX_BUFFER_SIZE:
            raise CodecError(f"codec 'lz4': input of {buf.size} bytes exceeds {MAX_BUFFER_SIZE}")
        compressed: bytes = lz4.block.compress(
            buf, mode="fast", acceleration=max(self.acceleration, 1), store_size=True
        )
        return compressed

    def decoded_bound(self, data: Any) -> int | None:
        buf = as_byte_array(data)
        return int.from_bytes(buf[:4].tobytes(), "little") if buf.size >= 4 else None

    def decode(self, data: Any, out: Any = None) -> Any:
        buf = as_byte_array(data)
        if buf.size < 4:
            raise CodecError(f"codec 'lz4': {buf.size} bytes is too short for the size header")
        stored = int.from_bytes(buf[:4].tobytes(), "little")
        if stored > MAX_BUFFER_SIZE:
            raise CodecError(f"codec 'lz4': corrupt size header ({stored} bytes)")
        if out is not None:
            expected = writable_byte_array(out, "lz4").size
            if stored != expected:
                raise CodecError(
                    f"codec 'lz4': stored size {stored} differs from the expected {expected} bytes"
                )
        try:
            decoded = lz4.block.decompress(buf)
        except lz4.block.LZ4BlockError as exc:
            raise CodecError(f"codec 'lz4': corrupt data: {exc}") from exc
        if len(decoded) != stored:
            raise CodecError(f"codec 'lz4': decoded {len(decoded)} bytes, header says {stored}")
        return deliver(decoded, out, "lz4")
