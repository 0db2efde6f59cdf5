"""zarr-python's ``zarr.codecs.numcodecs`` classes: numcodecs codecs under v3 ``numcodecs.*`` names.

``LZMA(filters=[...])`` or ``Delta(dtype="int32")`` hold the numcodecs configuration as given;
they are descriptions, usable wherever a codec is (``create_array(filters=[Delta(...)])``): zarrc
turns them into its own implementation of that numcodecs id. ``Array.filters`` and
``compressors`` give these objects back for codecs stored under ``numcodecs.*`` names, as
zarr-python does. Only the ids zarrc implements are here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AsType", "BitRound", "Blosc", "BZ2", "CRC32C", "Delta", "FixedScaleOffset", "GZip", "LZ4",
    "LZMA", "PackBits", "Quantize", "Shuffle", "Zlib", "Zstd", "codec_for",
]


@dataclass(frozen=True)
class _NumcodecsCodec:
    """One numcodecs codec: its v3 name and its numcodecs configuration."""

    codec_name: str = ""
    codec_config: dict[str, Any] = field(default_factory=dict)
    _id = ""

    def __init__(self, **codec_config: Any) -> None:
        codec_config.pop("id", None)
        object.__setattr__(self, "codec_name", f"numcodecs.{self._id}")
        object.__setattr__(self, "codec_config", codec_config)

    def to_dict(self) -> dict[str, Any]:
        """``{"name": "numcodecs.<id>", "configuration": {...}}``, as zarr-python stores it."""
        return {"name": self.codec_name, "configuration": dict(self.codec_config)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> _NumcodecsCodec:
        return cls(**(data.get("configuration") or {}))

    def get_config(self) -> dict[str, Any]:
        """numcodecs' form: the configuration with its ``id``."""
        return {"id": self._id, **self.codec_config}


def _codec(name: str, codec_id: str) -> type:
    cls = type(name, (_NumcodecsCodec,), {"_id": codec_id, "__module__": __name__,
                                           "__qualname__": name,
                                           "__doc__": f"numcodecs' {codec_id!r} codec."})
    return dataclass(frozen=True, init=False)(cls)


AsType = _codec("AsType", "astype")
BitRound = _codec("BitRound", "bitround")
Blosc = _codec("Blosc", "blosc")
BZ2 = _codec("BZ2", "bz2")
CRC32C = _codec("CRC32C", "crc32c")
Delta = _codec("Delta", "delta")
FixedScaleOffset = _codec("FixedScaleOffset", "fixedscaleoffset")
GZip = _codec("GZip", "gzip")
LZ4 = _codec("LZ4", "lz4")
LZMA = _codec("LZMA", "lzma")
PackBits = _codec("PackBits", "packbits")
Quantize = _codec("Quantize", "quantize")
Shuffle = _codec("Shuffle", "shuffle")
Zlib = _codec("Zlib", "zlib")
Zstd = _codec("Zstd", "zstd")

_BY_NAME = {cls().codec_name: cls for cls in (
    AsType, BitRound, Blosc, BZ2, CRC32C, Delta, FixedScaleOffset, GZip, LZ4, LZMA, PackBits,
    Quantize, Shuffle, Zlib, Zstd)}


def codec_for(document: dict[str, Any]) -> _NumcodecsCodec | None:
    """The object for a stored v3 codec entry named ``numcodecs.*`` (None for other names)."""
    cls = _BY_NAME.get(document.get("name", ""))
    return None if cls is None else cls(**(document.get("configuration") or {}))
