"""zarr-python's codec enums (``zarr.codecs.BloscShuffle`` ...), accepted wherever the string is.

Codecs keep plain strings inside; these enums are what users may pass and what codec reprs
show, as in zarr-python (``BloscCodec(..., shuffle=<BloscShuffle.bitshuffle: 'bitshuffle'>)``).
"""

from __future__ import annotations

from enum import Enum

__all__ = ["BloscCname", "BloscShuffle", "Endian", "ShardingCodecIndexLocation"]


class BloscShuffle(Enum):
    """Blosc's pre-compression shuffle."""

    noshuffle = "noshuffle"
    shuffle = "shuffle"
    bitshuffle = "bitshuffle"


class BloscCname(Enum):
    """Blosc's inner compressors."""

    lz4 = "lz4"
    lz4hc = "lz4hc"
    blosclz = "blosclz"
    zstd = "zstd"
    snappy = "snappy"
    zlib = "zlib"


class Endian(Enum):
    """The byte order of the ``bytes`` codec."""

    big = "big"
    little = "little"


class ShardingCodecIndexLocation(Enum):
    """Where a shard keeps its index."""

    start = "start"
    end = "end"
