"""Snappy compression — a zarrc extension, not in numcodecs or the Zarr v3 spec.

v3 name ``zarrc.snappy``, v2 id ``snappy``, no configuration.  A chunk is one raw Snappy block
(the format of ``snappy::RawCompress``: the decoded length as a varint, then the elements),
made with python-snappy's engine (cramjam).  Other Zarr implementations cannot read it unless
they register a codec of the same name and format.  Decoding checks the varint length against
the expected size, then decompresses straight into the destination.
"""

from __future__ import annotations

from typing import Any

from zarrc.codecs.base import BytesBytesCodec, as_byte_array, deliver, writable_byte_array
from zarrc.errors import CodecError

try:  # python-snappy's own engine; it can decompress into a caller's buffer
    import cramjam as _cramjam

    _HAVE_CRAMJAM = True
except ImportError:  # pragma: no cover - python-snappy without cramjam
    _HAVE_CRAMJAM = False

__all__ = ["SnappyCodec"]


def _decoded_length(buf: Any) -> int:
    """The varint length header of a raw Snappy block."""
    length = shift = 0
    for i in range(min(5, buf.size)):
        byte = int(buf[i])
        length |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return length
        shift += 7
    raise CodecError("codec 'zarrc.snappy': corrupt length header")


class SnappyCodec(BytesBytesCodec):
    """Raw Snappy block (zarrc extension)."""

    name = "zarrc.snappy"
    codec_id = "snappy"
    can_decode_into = _HAVE_CRAMJAM

    def __init__(self) -> None:
        pass

    def encode(self, data: Any) -> bytes:
        buf = as_byte_array(data)
        if _HAVE_CRAMJAM:
            return bytes(_cramjam.snappy.compress_raw(buf.data))
        import snappy

        compressed: bytes = snappy.compress(buf)
        return compressed

    def decode(self, data: Any, out: Any = None) -> Any:
        buf = as_byte_array(data)
        length = _decoded_length(buf)
        if out is not None:
            target = writable_byte_array(out, self.name)
            if length != target.size:
                raise CodecError(
                    f"codec 'zarrc.snappy': stored length {length} differs from the expected "
                    f"{target.size} bytes"
                )
            if _HAVE_CRAMJAM:
                try:
                    written = _cramjam.snappy.decompress_raw_into(buf.data, target.data)
                except _cramjam.DecompressionError as exc:
                    raise CodecError(f"codec 'zarrc.snappy': corrupt data: {exc}") from exc
                if written != length:
                    raise CodecError(f"codec 'zarrc.snappy': decoded {written} of {length} bytes")
                return out
        try:
            if _HAVE_CRAMJAM:
                decoded = bytes(_cramjam.snappy.decompress_raw(buf.data))
            else:
                import snappy

                decoded = snappy.uncompress(buf)
        except Exception as exc:  # cramjam.DecompressionError / snappy.UncompressError
            raise CodecError(f"codec 'zarrc.snappy': corrupt data: {exc}") from exc
        return deliver(decoded, out, self.name)
