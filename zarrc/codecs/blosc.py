"""Blosc (c-blosc 1.x) meta-compression, by zarrc's native blosc (``zarrc._ext.codec``).

v3 core codec ``blosc``: ``{"typesize": int, "cname": str, "clevel": 0..9,
"shuffle": "noshuffle"|"shuffle"|"bitshuffle", "blocksize": int}``; zarr-python 3 defaults
cname ``zstd``, clevel 5, blocksize 0, and leaves ``typesize`` and ``shuffle`` to the data type
(item size; ``bitshuffle`` for 1-byte types, ``shuffle`` otherwise) — see :meth:`evolve`.
v2 id ``blosc`` and v3 name ``numcodecs.blosc`` use numcodecs' dialect: ``shuffle`` is an int
(0, 1, 2, or -1 = bit-shuffle for 1-byte items, byte-shuffle otherwise), defaults cname
``lz4``, clevel 5, shuffle 1, and ``typesize`` is not stored: it is the item size of the
buffer handed over (the dtype's for the first v2 stage, 1 after bytes). Such a codec given
to a v3 array (a numcodecs ``Blosc`` or an ``{"id": "blosc"}`` dict) is stored as ``blosc``
with that meaning made explicit by :meth:`evolve`; a ``numcodecs.blosc`` entry stays as given.
Inner compressors: blosclz, lz4, lz4hc, zlib, zstd, and snappy when the library has it.
Typesizes above 255 are treated as 1, as c-blosc does.

One implementation, shared with the native chunk loops: libblosc's context API (no global
state, one internal thread: parallelism comes from zarrc's own pool), and zarrc's own encoder
for lz4 with byte shuffle or none and the automatic block size (c-blosc 1.21's bytes, faster).
Output is byte-identical to numcodecs / python-blosc single-threaded. Blosc needs libblosc at
build time (``zarrc._ext.codec.native_codecs()``); without it the codec raises CodecError.
Decoding checks the header (size, cbytes, block size) before decompressing straight into the
destination.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

from zarrc._ext import codec as native
from zarrc.buildinfo import missing_codec_message
from zarrc.codecs.base import (
    BytesBytesCodec,
    ChunkSpec,
    NativeSpec,
    as_byte_array,
    buffer_itemsize,
    check_choice,
    check_int,
    enum_value,
    writable_byte_array,
)
from zarrc.codecs.enums import BloscCname, BloscShuffle
from zarrc.errors import CodecError

__all__ = ["BloscCodec", "available_cnames"]

CNAMES = ("lz4", "lz4hc", "blosclz", "zstd", "snappy", "zlib")
SHUFFLE_NAMES = ("noshuffle", "shuffle", "bitshuffle")
AUTOSHUFFLE = -1
MAX_TYPESIZE = 255
HEADER_SIZE = 16
_INT32_MAX = 2**31 - 1


_NO_LIBBLOSC = missing_codec_message("blosc")


def available_cnames() -> list[str]:
    """The inner compressors this build's libblosc provides (none without libblosc)."""
    return [c for c in CNAMES if native.blosc_has(c)]


def _parse_shuffle(value: Any) -> int | None:
    value = enum_value(value)
    if value is None:
        return None
    if isinstance(value, str):
        return SHUFFLE_NAMES.index(check_choice("blosc", "shuffle", value, SHUFFLE_NAMES))
    return check_int("blosc", "shuffle", value, AUTOSHUFFLE, 2)


class BloscCodec(BytesBytesCodec):
    """Blosc: shuffle + blocked inner compression with a 16-byte header."""

    name = "blosc"
    codec_id = "blosc"
    v3_aliases = ("numcodecs.blosc",)
    numcodecs_defaults = {"cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}
    can_decode_into = True

    def __init__(
        self,
        *,
        typesize: int | None = None,
        cname: str = "zstd",
        clevel: int = 5,
        shuffle: str | int | None = None,
        blocksize: int = 0,
    ) -> None:
        # c-blosc keeps both in 32-bit ints (a typesize over 255 it treats as 1)
        self.typesize = None if typesize is None else check_int("blosc", "typesize", typesize, 1,
                                                                _INT32_MAX)
        self.cname = check_choice("blosc", "cname", cname, CNAMES)
        self.clevel = check_int("blosc", "clevel", clevel, 0, 9)
        self.shuffle = _parse_shuffle(shuffle)
        self.blocksize = check_int("blosc", "blocksize", blocksize, 0, _INT32_MAX)
        # typesize None means "the item size of the data encoded": the buffer's at encode
        # time (v2, numcodecs.blosc), made explicit by evolve in a v3 array's document.

    def _shuffle_for(self, typesize: int) -> int:
        if self.shuffle is None:
            return 2
        if self.shuffle == AUTOSHUFFLE:
            return 2 if typesize == 1 else 1
        return self.shuffle

    def get_config(self) -> dict[str, Any]:
        typesize = self.typesize or 1
        return {
            "typesize": typesize,
            "cname": self.cname,
            "clevel": self.clevel,
            "shuffle": SHUFFLE_NAMES[self._shuffle_for(typesize)],
            "blocksize": self.blocksize,
        }

    def _repr_fields(self) -> list[tuple[str, Any]]:
        # as zarr-python: unset typesize and shuffle show their placeholders (1, bitshuffle)
        # and are listed as left to the data type
        shuffle: int | BloscShuffle | None = self.shuffle
        if shuffle != AUTOSHUFFLE:
            shuffle = BloscShuffle(SHUFFLE_NAMES[self._shuffle_for(self.typesize or 1)])
        tunable = {n for n, v in (("typesize", self.typesize), ("shuffle", self.shuffle))
                   if v is None}
        return [("_tunable_attrs", tunable), ("typesize", self.typesize or 1),
                ("cname", BloscCname(self.cname)), ("clevel", self.clevel),
                ("shuffle", shuffle), ("blocksize", self.blocksize)]

    def get_config_v2(self) -> dict[str, Any]:
        return {
            "cname": self.cname,
            "clevel": self.clevel,
            "shuffle": AUTOSHUFFLE if self.shuffle is None else self.shuffle,
            "blocksize": self.blocksize,
        }

    def _numcodecs_v3_config(self) -> dict[str, Any]:
        config = self.get_config_v2()
        if self.typesize is not None:  # numcodecs accepts it, but get_config() omits it
            config["typesize"] = self.typesize
        return config

    def evolve(self, spec: ChunkSpec) -> BloscCodec:
        """This codec with ``typesize`` and ``shuffle`` explicit for a v3 document.

        An open typesize becomes the item size of the data blosc encodes: `spec`'s dtype (the
        dtype at blosc's place in the chain), 1 for variable-length types (their serializer
        emits bytes). That is zarr-python 3's choice for its BloscCodec and numcodecs' (the
        buffer's item size) for a numcodecs ``Blosc``. An open shuffle becomes bit-shuffle
        for 1-byte items, byte-shuffle otherwise (zarr-python); numcodecs' automatic one (-1)
        the same by the typesize (as numcodecs decides it when encoding).
        A ``numcodecs.blosc`` entry is kept as given, as zarr-python keeps it (its encoder
        then sees bytes: typesize 1).
        """
        if (self._json_name or "").startswith("numcodecs."):
            return self
        if self.typesize is not None and self.shuffle not in (None, AUTOSHUFFLE):
            return self
        itemsize = 1 if spec.dtype.kind in "OT" else (spec.dtype.itemsize or 1)
        typesize = self.typesize if self.typesize is not None else itemsize
        if self.shuffle is None:  # zarr-python: by the item size
            shuffle = 2 if itemsize == 1 else 1
        else:  # numcodecs: -1 by the typesize it encodes with
            shuffle = self._shuffle_for(typesize)
        evolved = BloscCodec(
            typesize=typesize,
            cname=self.cname,
            clevel=self.clevel,
            shuffle=shuffle,
            blocksize=self.blocksize,
        )
        return evolved.with_json_name(self._json_name or self.name)

    def _settings(self, itemsize: int) -> tuple[int, int]:
        """``(typesize, shuffle)`` for a buffer of ``itemsize``-byte items."""
        typesize = self.typesize if self.typesize is not None else itemsize
        shuffle = self._shuffle_for(typesize)
        return (1 if typesize > MAX_TYPESIZE else typesize), shuffle

    def native_spec(self, itemsize: int) -> NativeSpec | None:
        if not native.blosc_has(self.cname):
            return None
        typesize, shuffle = self._settings(itemsize)
        return NativeSpec("blosc", encode=True, level=self.clevel, shuffle=shuffle,
                          typesize=typesize, blocksize=self.blocksize, cname=self.cname)

    def encode(self, data: Any) -> Any:
        buf = as_byte_array(data)
        typesize, shuffle = self._settings(buffer_itemsize(data))
        if not native.blosc_available():
            raise CodecError(_NO_LIBBLOSC)
        if not native.blosc_has(self.cname):
            raise CodecError(
                f"codec 'blosc': inner compressor {self.cname!r} is not in this build's "
                f"libblosc (available: {available_cnames()})"
            )
        return native.blosc_encode(buf, typesize, self.clevel, shuffle, self.cname,
                                   self.blocksize)

    def decoded_bound(self, data: Any) -> int | None:
        buf = as_byte_array(data)
        return int.from_bytes(buf[4:8].tobytes(), "little") if buf.size >= HEADER_SIZE else None

    def decode(self, data: Any, out: Any = None) -> Any:
        if not native.blosc_available():
            raise CodecError(_NO_LIBBLOSC)
        buf = as_byte_array(data)
        if buf.size < HEADER_SIZE:
            raise CodecError(f"codec 'blosc': {buf.size} bytes is too short for the header")
        nbytes, blocksize, cbytes = struct.unpack_from("<III", buf.data, 4)
        if cbytes != buf.size:
            raise CodecError(
                f"codec 'blosc': header says {cbytes} compressed bytes, got {buf.size}"
            )
        if nbytes and not 0 < blocksize <= nbytes:  # blosc never writes it; some versions read it
            raise CodecError(f"codec 'blosc': corrupt header: block size {blocksize} for "
                             f"{nbytes} bytes")
        if nbytes > native.BLOSC_MAX_BUFFERSIZE:
            raise CodecError("codec 'blosc': corrupt header")
        target = np.empty(nbytes, np.uint8) if out is None else writable_byte_array(out, "blosc")
        if nbytes != target.size:
            raise CodecError(
                f"codec 'blosc': header says {nbytes} decoded bytes, expected {target.size}"
            )
        native.blosc_decode_into(buf, target)
        return target if out is None else out
