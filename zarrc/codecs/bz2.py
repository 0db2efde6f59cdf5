"""bzip2 compression via the standard library's ``bz2``.

v3 name ``numcodecs.bz2``, v2 id ``bz2`` (numcodecs ``BZ2``), configuration
``{"level": 1..9}`` (default 1): exactly ``bz2.compress(data, level)``, so byte-identical to
numcodecs.  Decoding accepts concatenated streams (as ``bz2.decompress``) and is bounded by the
expected size.
"""

from __future__ import annotations

import bz2
from typing import Any

from zarrc.codecs._stream import decompress_streams
from zarrc.codecs.base import BytesBytesCodec, byte_view, check_int

__all__ = ["BZ2Codec"]


class BZ2Codec(BytesBytesCodec):
    """bzip2 at a compression level 1..9."""

    name = "numcodecs.bz2"
    codec_id = "bz2"
    numcodecs_defaults = {"level": 1}

    def __init__(self, *, level: int = 1) -> None:
        self.level = check_int("bz2", "level", level, 1, 9)

    def get_config(self) -> dict[str, Any]:
        return {"level": self.level}

    def encode(self, data: Any) -> bytes:
        return bz2.compress(byte_view(data), self.level)

    def decode(self, data: Any, out: Any = None) -> Any:
        return decompress_streams(bz2.BZ2Decompressor, data, out, "bz2", (OSError, ValueError))
