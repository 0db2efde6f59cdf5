"""Codecs: the three codec kinds, the registry, the chunk pipeline and the built-in codecs.

Built-in codecs (v3 name / v2 id): ``bytes`` (also ``endian``) / –, ``transpose`` / –,
``gzip`` (also ``numcodecs.gzip``) / ``gzip``, ``numcodecs.zlib`` / ``zlib``, ``zstd`` (also
``numcodecs.zstd``) / ``zstd``, ``numcodecs.lz4`` / ``lz4``, ``blosc`` (also
``numcodecs.blosc``) / ``blosc``, ``numcodecs.bz2`` / ``bz2``, ``numcodecs.lzma`` / ``lzma``,
``crc32c`` (also ``numcodecs.crc32c``) / ``crc32c``, ``sharding_indexed`` / –, the numcodecs
filters ``numcodecs.<id>`` / ``<id>`` for delta, shuffle, fixedscaleoffset, quantize, astype,
packbits, categorize and bitround, ``vlen-utf8`` / ``vlen-utf8`` and ``vlen-bytes`` /
``vlen-bytes`` (in v2 the first filter of an ``|O`` array), and zarrc's own extension
``zarrc.snappy`` / ``snappy``.
Their classes are imported on first use (attribute access or lookup by name), not when this
package is imported.

zarr-python's names are the same classes: ``BloscCodec``, ``BytesCodec``, ``ZstdCodec``,
``GzipCodec``, ``TransposeCodec``, ``ShardingCodec``, ``Crc32cCodec``, ``VLenUTF8Codec`` and
``VLenBytesCodec`` take zarr-python's keyword arguments (and its enums ``BloscShuffle``,
``BloscCname``, ``Endian``, ``ShardingCodecIndexLocation``), print as zarr-python prints them
and have ``to_dict()``; ``zarrc.codecs.numcodecs`` holds zarr-python's ``numcodecs.*`` classes
(``LZMA``, ``Delta``, ...).
"""

from __future__ import annotations

import importlib
from typing import Any

from zarrc.codecs.base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    ChunkSpec,
    Codec,
)
from zarrc.codecs.encoding import normalize_codecs
from zarrc.codecs.enums import BloscCname, BloscShuffle, Endian, ShardingCodecIndexLocation
from zarrc.codecs.pipeline import CodecPipeline
from zarrc.codecs.registry import (
    available_codecs,
    codec_info,
    get_codec,
    get_codec_class,
    register_codec,
    unregister_codec,
)

_LAZY_CLASSES = {
    "BytesCodec": "zarrc.codecs.bytes",
    "TransposeCodec": "zarrc.codecs.transpose",
    "GzipCodec": "zarrc.codecs.deflate",
    "ZlibCodec": "zarrc.codecs.deflate",
    "ZstdCodec": "zarrc.codecs.zstd",
    "LZ4Codec": "zarrc.codecs.lz4",
    "BloscCodec": "zarrc.codecs.blosc",
    "BZ2Codec": "zarrc.codecs.bz2",
    "LZMACodec": "zarrc.codecs.lzma",
    "Crc32cCodec": "zarrc.codecs.crc32c",
    "SnappyCodec": "zarrc.codecs.snappy",
    "ShuffleCodec": "zarrc.codecs.shuffle",
    "DeltaCodec": "zarrc.codecs.delta",
    "FixedScaleOffsetCodec": "zarrc.codecs.scaleoffset",
    "QuantizeCodec": "zarrc.codecs.scaleoffset",
    "AsTypeCodec": "zarrc.codecs.astype",
    "PackBitsCodec": "zarrc.codecs.packbits",
    "CategorizeCodec": "zarrc.codecs.categorize",
    "BitRoundCodec": "zarrc.codecs.bitround",
    "ShardingCodec": "zarrc.codecs.sharding",
    "VLenUTF8Codec": "zarrc.codecs.vlen",
    "VLenBytesCodec": "zarrc.codecs.vlen",
}

__all__ = [
    "ArrayArrayCodec",
    "ArrayBytesCodec",
    "BloscCname",
    "BloscShuffle",
    "BytesBytesCodec",
    "ChunkSpec",
    "Codec",
    "CodecPipeline",
    "Endian",
    "ShardingCodecIndexLocation",
    "available_codecs",
    "codec_info",
    "get_codec",
    "get_codec_class",
    "normalize_codecs",
    "register_codec",
    "unregister_codec",
    *_LAZY_CLASSES,
]


def __getattr__(name: str) -> Any:
    if name == "numcodecs":  # zarr-python's zarr.codecs.numcodecs
        return importlib.import_module("zarrc.codecs.numcodecs")
    module = _LAZY_CLASSES.get(name)
    if module is None:
        raise AttributeError(f"module 'zarrc.codecs' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_CLASSES))
