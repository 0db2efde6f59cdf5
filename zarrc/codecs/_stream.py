"""Bounded decompression of concatenated streams, and the output sink the decoders share.

:class:`BoundedOutput` serves bz2 / lzma here and gzip / zlib (``deflate``). The bz2 and
lzma modules decode one stream per decompressor object and report
``eof``/``needs_input``/``unused_data``; their one-shot ``decompress`` functions loop over
concatenated streams, and so does :func:`decompress_streams`, which also stops one byte past
the expected size instead of inflating whatever the data claims.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from zarrc.codecs.base import byte_view, writable_byte_array
from zarrc.errors import CodecError

__all__ = ["BoundedOutput", "decompress_streams"]


class Decompressor(Protocol):
    """One stream's decompressor object, as ``bz2.BZ2Decompressor`` and
    ``lzma.LZMADecompressor`` are."""

    @property
    def eof(self) -> bool: ...

    @property
    def needs_input(self) -> bool: ...

    @property
    def unused_data(self) -> bytes: ...

    def decompress(self, data: bytes | memoryview, max_length: int = -1) -> bytes: ...


class BoundedOutput:
    """Decoded pieces gathered into `out` (which they must fill exactly) or into new bytes.

    With `out` the decoder is asked for at most one byte past what is left (:meth:`room`), so
    data that decodes to more is caught after that byte, not after inflating all of it.
    """

    def __init__(self, out: Any, codec: str) -> None:
        self.out = out
        self.codec = codec
        self.target = None if out is None else writable_byte_array(out, codec)
        self.limit = None if self.target is None else self.target.size
        self.pieces: list[bytes] = []
        self.total = 0

    def room(self, unbounded: int) -> int:
        """The output size to ask the decoder for (`unbounded`: the library's "no limit")."""
        return unbounded if self.limit is None else self.limit - self.total + 1

    def add(self, piece: bytes) -> None:
        """Take a decoded piece; CodecError when the output grows past `out`."""
        if not piece:
            return
        if self.limit is not None and self.total + len(piece) > self.limit:
            raise CodecError(
                f"codec {self.codec!r}: decoded data exceeds the expected {self.limit} bytes"
            )
        if self.target is not None:
            self.target[self.total : self.total + len(piece)] = np.frombuffer(piece, np.uint8)
        else:
            self.pieces.append(piece)
        self.total += len(piece)

    def result(self) -> Any:
        """`out`, checked to be exactly full, or the joined bytes."""
        if self.target is None:
            return b"".join(self.pieces)
        if self.total != self.limit:
            raise CodecError(
                f"codec {self.codec!r}: decoded {self.total} bytes, expected {self.limit}"
            )
        return self.out


def decompress_streams(
    factory: Callable[[], Decompressor],
    data: Any,
    out: Any,
    codec: str,
    errors: tuple[type[Exception], ...],
) -> Any:
    """Decode every stream of `data` into `out` (exact size) or into new bytes.

    Parameters
    ----------
    factory : callable
        Returns a fresh decompressor object (``bz2.BZ2Decompressor`` and the like).
    data : bytes-like
    out : writable buffer or None
        The destination, exactly the decoded size; bounds the output when given.
    codec : str
        Name used in error messages.
    errors : tuple of exception types
        The library's errors, turned into CodecError.
    """
    output = BoundedOutput(out, codec)
    rest: bytes | memoryview = byte_view(data)
    try:
        while True:
            decompressor = factory()
            chunk = rest
            while True:
                output.add(decompressor.decompress(chunk, output.room(-1)))
                chunk = b""
                if decompressor.eof:
                    break
                if decompressor.needs_input:
                    raise CodecError(f"codec {codec!r}: truncated stream")
            rest = decompressor.unused_data
            if not rest:
                break
    except errors as exc:
        raise CodecError(f"codec {codec!r}: corrupt data: {exc}") from exc
    return output.result()
