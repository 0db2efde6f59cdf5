"""LZMA / XZ compression via the standard library's ``lzma``.

v3 name ``numcodecs.lzma``, v2 id ``lzma`` (numcodecs ``LZMA``), configuration
``{"format": int, "check": int, "preset": int|null, "filters": [..]|null}`` with numcodecs'
defaults (``format`` 1 = FORMAT_XZ, ``check`` -1 = the format's default, ``preset`` null =
level 6, no custom filter chain).  Encoding is exactly ``lzma.compress`` with those arguments,
so byte-identical to numcodecs; decoding accepts concatenated streams and is bounded by the
expected size.  ``filters`` entries are dicts with an integer ``id`` (``lzma.FILTER_*``).
"""

from __future__ import annotations

import lzma
from typing import Any

from zarrc.codecs._stream import decompress_streams
from zarrc.codecs.base import BytesBytesCodec, byte_view, check_choice, check_int
from zarrc.errors import CodecError

__all__ = ["LZMACodec"]

_FORMATS = (lzma.FORMAT_AUTO, lzma.FORMAT_XZ, lzma.FORMAT_ALONE, lzma.FORMAT_RAW)
_CHECKS = (-1, lzma.CHECK_NONE, lzma.CHECK_CRC32, lzma.CHECK_CRC64, lzma.CHECK_SHA256)


def _parse_filters(filters: Any) -> list[dict[str, Any]] | None:
    if filters is None:
        return None
    if not isinstance(filters, (list, tuple)) or not all(
        isinstance(f, dict) and "id" in f for f in filters
    ):
        raise CodecError(
            f"codec 'lzma': 'filters' must be null or a list of dicts with an 'id', got {filters!r}"
        )
    return [dict(f) for f in filters]


class LZMACodec(BytesBytesCodec):
    """LZMA in the configured container format."""

    name = "numcodecs.lzma"
    codec_id = "lzma"
    numcodecs_defaults = {"format": 1, "check": -1, "preset": None, "filters": None}

    def __init__(
        self,
        *,
        format: int = lzma.FORMAT_XZ,
        check: int = -1,
        preset: int | None = None,
        filters: list[dict[str, Any]] | None = None,
    ) -> None:
        self.format = check_choice("lzma", "format", format, _FORMATS)
        self.check = check_choice("lzma", "check", check, _CHECKS)
        if preset is not None:
            level = check_int("lzma", "preset", preset, 0) & ~lzma.PRESET_EXTREME
            check_int("lzma", "preset", level, 0, 9)
        self.preset = preset
        self.filters = _parse_filters(filters)
        if self.filters is not None and preset is not None:
            raise CodecError("codec 'lzma': give 'preset' or 'filters', not both")
        if self.format == lzma.FORMAT_RAW and self.filters is None:
            raise CodecError("codec 'lzma': format 3 (FORMAT_RAW) needs 'filters'")

    def get_config(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "check": self.check,
            "preset": self.preset,
            "filters": self.filters,
        }

    def encode(self, data: Any) -> bytes:
        try:
            return lzma.compress(
                byte_view(data),
                format=self.format,
                check=self.check,
                preset=self.preset,
                filters=self.filters,
            )
        except (lzma.LZMAError, ValueError) as exc:
            raise CodecError(f"codec 'lzma': compression failed: {exc}") from exc

    def decode(self, data: Any, out: Any = None) -> Any:
        # the filter chain is recorded in the XZ/ALONE containers; only RAW needs it given
        filters = self.filters if self.format == lzma.FORMAT_RAW else None

        def factory() -> lzma.LZMADecompressor:
            return lzma.LZMADecompressor(format=self.format, filters=filters)

        return decompress_streams(factory, data, out, "lzma", (lzma.LZMAError, ValueError))
