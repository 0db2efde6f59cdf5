"""Bounded decompression of concatenated streams (the bz2 / lzma ``Decompressor`` protocol).

Both standard-library modules decode one stream per decompressor object and report
``eof``/``needs_input``/``unused_data``; their one-shot ``decompress`` functions loop over
concatenated streams, and so does :func:`decompress_streams`, which also stops one byte past
the expected size instead of inflating whatever the data claims.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from zarrc.codecs.base import as_byte_array, writable_byte_array
from zarrc.errors import CodecError

__all__ = ["decompress_streams"]


def decompress_streams(
    factory: Callable[[], Any], data: Any, out: Any, codec: str, errors: tuple[type, ...]
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
    target = None if out is None else writable_byte_array(out, codec)
    limit = None if target is None else target.size
    pieces: list[bytes] = []
    total = 0
    rest: Any = as_byte_array(data)
    try:
        while True:
            decompressor = factory()
            chunk = rest
            while True:
                room = -1 if limit is None else limit - total + 1
                piece = decompressor.decompress(chunk, room)
                chunk = b""
                if piece:
                    if limit is not None and total + len(piece) > limit:
                        raise CodecError(
                            f"codec {codec!r}: decoded data exceeds the expected {limit} bytes"
                        )
                    if target is not None:
                        target[total : total + len(piece)] = np.frombuffer(piece, np.uint8)
                    else:
                        pieces.append(piece)
                    total += len(piece)
                if decompressor.eof:
                    break
                if decompressor.needs_input:
                    raise CodecError(f"codec {codec!r}: truncated stream")
            rest = decompressor.unused_data
            if not rest:
                break
    except errors as exc:
        raise CodecError(f"codec {codec!r}: corrupt data: {exc}") from exc
    if target is None:
        return b"".join(pieces)
    if total != limit:
        raise CodecError(f"codec {codec!r}: decoded {total} bytes, expected {limit}")
    return out
