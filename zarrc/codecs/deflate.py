"""DEFLATE compressors: ``gzip`` (RFC 1952) and ``zlib`` (RFC 1950), via the standard library.

- ``GzipCodec``: v3 core codec ``gzip`` (``{"level": 0..9}``, default 5), also read as
  ``numcodecs.gzip``; v2 id ``gzip`` (numcodecs ``GZip``, default level 1).  The member
  header is the one numcodecs' ``GzipFile`` writes (no file name, OS byte 255, XFL 2/4 for
  levels 9/1) except that MTIME is 0, so equal chunks encode to equal bytes.  Decoding
  accepts several members and trailing zero padding, as ``GzipFile`` does.
- ``ZlibCodec``: v3 name ``numcodecs.zlib``, v2 id ``zlib`` (``{"level": -1..9}``, default 1):
  exactly ``zlib.compress(data, level)``.

Decoding is bounded: with a known decoded size, inflation stops one byte past it and fails.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Any

from zarrc.codecs._stream import BoundedOutput
from zarrc.codecs.base import (
    BytesBytesCodec,
    NativeSpec,
    as_byte_array,
    byte_view,
    check_int,
)
from zarrc.errors import CodecError

__all__ = ["GzipCodec", "ZlibCodec"]

_GZIP_WBITS = 16 + zlib.MAX_WBITS


def _inflate(data: Any, wbits: int, out: Any, codec: str, members: bool) -> Any:
    """Inflate `data` into `out` (exact size) or into new bytes; bounded by ``len(out)``."""
    output = BoundedOutput(out, codec)
    rest: bytes | memoryview = byte_view(data)
    try:
        while True:
            inflater = zlib.decompressobj(wbits)
            while True:
                output.add(inflater.decompress(rest, output.room(0)))
                rest = inflater.unconsumed_tail
                if inflater.eof or not rest:
                    break
            if not inflater.eof:
                raise CodecError(f"codec {codec!r}: truncated stream")
            rest = inflater.unused_data
            if not members:
                break
            rest = rest.lstrip(b"\x00")
            if not rest:
                break
    except zlib.error as exc:
        raise CodecError(f"codec {codec!r}: corrupt stream: {exc}") from exc
    return output.result()


# Deflate expands at most 1032-fold: a 258-byte match costs at least two bits (RFC 1951).
_DEFLATE_MAX_RATIO = 1032


def _inflated_bound(data: Any) -> int:
    return _DEFLATE_MAX_RATIO * as_byte_array(data).size


@dataclass(init=False, eq=False)  # for its repr: pprint lays it out as zarr-python's
class GzipCodec(BytesBytesCodec):
    """gzip (RFC 1952) via zlib; deterministic header (MTIME 0)."""

    level: int

    name = "gzip"
    codec_id = "gzip"
    v3_aliases = ("numcodecs.gzip",)
    numcodecs_defaults = {"level": 1}

    def __init__(self, *, level: int = 5) -> None:
        self.level = check_int("gzip", "level", level, 0, 9)

    def get_config(self) -> dict[str, Any]:
        return {"level": self.level}

    def encode(self, data: Any) -> bytes:
        buf = as_byte_array(data)
        xfl = 2 if self.level == 9 else 4 if self.level == 1 else 0
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes((xfl, 255))
        deflater = zlib.compressobj(
            self.level, zlib.DEFLATED, -zlib.MAX_WBITS, zlib.DEF_MEM_LEVEL, 0
        )
        body = deflater.compress(buf.data)
        tail = deflater.flush()
        trailer = struct.pack("<II", zlib.crc32(buf.data), buf.size & 0xFFFFFFFF)
        return b"".join((header, body, tail, trailer))

    def decode(self, data: Any, out: Any = None) -> Any:
        return _inflate(data, _GZIP_WBITS, out, "gzip", members=True)

    def native_spec(self, itemsize: int) -> NativeSpec:
        return NativeSpec("gzip")  # decoded natively (libdeflate); encoded by zlib

    def decoded_bound(self, data: Any) -> int | None:
        return _inflated_bound(data)


class ZlibCodec(BytesBytesCodec):
    """zlib (RFC 1950) exactly as numcodecs ``Zlib``."""

    name = "numcodecs.zlib"
    codec_id = "zlib"
    numcodecs_defaults = {"level": 1}

    def __init__(self, *, level: int = 1) -> None:
        self.level = check_int("zlib", "level", level, -1, 9)

    def get_config(self) -> dict[str, Any]:
        return {"level": self.level}

    def encode(self, data: Any) -> bytes:
        return zlib.compress(byte_view(data), self.level)

    def decode(self, data: Any, out: Any = None) -> Any:
        return _inflate(data, zlib.MAX_WBITS, out, "zlib", members=False)

    def native_spec(self, itemsize: int) -> NativeSpec:
        return NativeSpec("zlib")  # decoded natively (libdeflate); encoded by zlib

    def decoded_bound(self, data: Any) -> int | None:
        return _inflated_bound(data)
