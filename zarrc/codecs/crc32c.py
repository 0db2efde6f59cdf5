"""CRC-32C (Castagnoli) checksum via the ``crc32c`` package.

v3 core codec ``crc32c`` (no configuration): the data followed by its CRC-32C as a
little-endian uint32.  Also read as ``numcodecs.crc32c`` and as v2 id ``crc32c`` (numcodecs
``CRC32C``), whose optional ``location`` (``"end"``, the default, or ``"start"``) puts the
checksum after or before the data; numcodecs writes ``location`` only when it was given.
A mismatch raises :class:`~zarrc.errors.ChecksumError`.
"""

from __future__ import annotations

from typing import Any

import crc32c as _crc32c

from zarrc.codecs.base import (
    BytesBytesCodec,
    as_byte_array,
    byte_view,
    check_choice,
    deliver,
)
from zarrc.errors import ChecksumError, CodecError

__all__ = ["Crc32cCodec", "crc32c"]


def crc32c(data: Any) -> int:
    """The CRC-32C of a bytes-like object."""
    return _crc32c.crc32c(byte_view(data))


class Crc32cCodec(BytesBytesCodec):
    """Append (or prepend) a CRC-32C, little-endian."""

    name = "crc32c"
    codec_id = "crc32c"
    v3_aliases = ("numcodecs.crc32c",)

    def __init__(self, *, location: str | None = None) -> None:
        self.location = (
            None
            if location is None
            else check_choice("crc32c", "location", location, ("start", "end"))
        )

    def get_config(self) -> dict[str, Any]:
        return {} if self.location in (None, "end") else {"location": self.location}

    def get_config_v2(self) -> dict[str, Any]:
        return {} if self.location is None else {"location": self.location}

    def encoded_size(self, size: int) -> int:
        return size + 4

    def encode(self, data: Any) -> bytes:
        buf = as_byte_array(data)
        checksum = _crc32c.crc32c(buf.data).to_bytes(4, "little")
        parts = (checksum, buf.data) if self.location == "start" else (buf.data, checksum)
        return b"".join(parts)

    def decoded_bound(self, data: Any) -> int | None:
        return max(0, as_byte_array(data).size - 4)

    def decode(self, data: Any, out: Any = None) -> Any:
        buf = as_byte_array(data)
        if buf.size < 4:
            raise CodecError(f"codec 'crc32c': {buf.size} bytes is too short for a checksum")
        if self.location == "start":
            stored, payload = buf[:4], buf[4:]
        else:
            payload, stored = buf[:-4], buf[-4:]
        expected = int.from_bytes(stored.tobytes(), "little")
        computed = _crc32c.crc32c(payload.data)
        if computed != expected:
            raise ChecksumError(
                f"codec 'crc32c': checksum mismatch (stored 0x{expected:08x}, "
                f"computed 0x{computed:08x})"
            )
        return deliver(payload, out, "crc32c")
