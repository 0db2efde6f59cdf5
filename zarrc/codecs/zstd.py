"""Zstandard compression via the ``zstandard`` package.

v3 core codec ``zstd`` (``{"level": int, "checksum": bool}``, defaults 0 and false), also read
as ``numcodecs.zstd``; v2 id ``zstd`` (numcodecs ``Zstd``, same defaults).  A chunk is one
zstd frame with its content size and, if ``checksum``, the XXH64 content checksum; level 0
means the library default (3).  Output equals numcodecs' byte for byte where both bundle the
same libzstd (numcodecs 0.16.6 ships 1.5.6, zstandard 0.25 ships 1.5.7: they agree on small
chunks and may differ on multi-block ones, and always decode each other).

Decoding with a known size checks the frame's declared content size first and decompresses
straight into the destination (streaming ``readinto``); several concatenated frames are
accepted, as numcodecs does.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import zstandard

from zarrc.codecs.base import (
    BytesBytesCodec,
    NativeSpec,
    as_byte_array,
    byte_view,
    check_bool,
    check_int,
    writable_byte_array,
)
from zarrc.errors import CodecError

__all__ = ["ZstdCodec"]

# zstandard's (de)compressor objects must not be shared between threads: one per thread.
_local = threading.local()
_MIN_LEVEL = -(1 << 17)
_MAX_LEVEL = 22


def _compressor(level: int, checksum: bool) -> zstandard.ZstdCompressor:
    cache = getattr(_local, "compressors", None)
    if cache is None:
        cache = _local.compressors = {}
    key = (level, checksum)
    cctx = cache.get(key)
    if cctx is None:
        cctx = cache[key] = zstandard.ZstdCompressor(
            level=level, write_checksum=checksum, write_content_size=True
        )
    return cctx


def _decompressor() -> zstandard.ZstdDecompressor:
    dctx = getattr(_local, "decompressor", None)
    if dctx is None:
        dctx = _local.decompressor = zstandard.ZstdDecompressor()
    return dctx


_MAGIC = 0xFD2FB528
_SKIPPABLE = 0x184D2A50
_DICT_ID_BYTES = (0, 1, 2, 4)
_FCS_BYTES = (0, 2, 4, 8)


_BLOCK_MAX = 1 << 17  # the most a compressed block decodes to (ZSTD_BLOCKSIZE_MAX)


def _walk_frames(buf: memoryview) -> tuple[int, int]:
    """Walk the frames' block headers: ``(frames, bound)``, the frame count and at most how
    many bytes they decode to (each frame's declared content size, or its blocks' most);
    raise if the data is cut short or corrupt.

    zstandard's streaming reader stops quietly at the end of a truncated input, so the
    structure is checked first (as ``ZSTD_findFrameCompressedSize`` does).
    """
    data = memoryview(buf).cast("B")
    size = len(data)
    pos = frames = bound = 0
    while pos < size:
        if size - pos < 5:
            raise CodecError("codec 'zstd': truncated frame header")
        magic = int.from_bytes(data[pos : pos + 4], "little")
        if magic & 0xFFFFFFF0 == _SKIPPABLE:
            if size - pos < 8:
                raise CodecError("codec 'zstd': truncated skippable frame")
            pos += 8 + int.from_bytes(data[pos + 4 : pos + 8], "little")
            continue
        if magic != _MAGIC:
            raise CodecError(f"codec 'zstd': not a zstd frame at byte {pos}")
        fhd = data[pos + 4]
        single_segment = (fhd >> 5) & 1
        fcs = _FCS_BYTES[fhd >> 6] or single_segment
        at = pos + 5 + (1 - single_segment) + _DICT_ID_BYTES[fhd & 3]
        pos = at + fcs
        declared = None
        if fcs and pos <= size:
            declared = int.from_bytes(data[at:pos], "little") + (256 if fcs == 2 else 0)
        most = 0  # raw and RLE blocks regenerate their size field; compressed ones a block
        while True:
            if size - pos < 3:
                raise CodecError("codec 'zstd': truncated data (block header)")
            header = int.from_bytes(data[pos : pos + 3], "little")
            kind = (header >> 1) & 3
            if kind == 3:
                raise CodecError("codec 'zstd': corrupt data (reserved block type)")
            most += _BLOCK_MAX if kind == 2 else header >> 3
            pos += 3 + (1 if kind == 1 else header >> 3)
            if header & 1:
                break
        pos += 4 * ((fhd >> 2) & 1)
        frames += 1
        bound += most if declared is None else min(declared, most)
    if pos > size:
        raise CodecError("codec 'zstd': truncated data")
    if not frames:
        raise CodecError("codec 'zstd': no frame in the data")
    return frames, bound


def _decode_into(buf: memoryview, target: npt.NDArray[np.uint8]) -> None:
    """Decompress every frame of `buf` into `target`, which must end up exactly full."""
    expected = target.size
    declared = zstandard.frame_content_size(buf)
    if declared > expected:
        raise CodecError(f"codec 'zstd': frame declares {declared} bytes, expected {expected}")
    reader = _decompressor().stream_reader(buf, read_across_frames=True)
    got = 0
    while got < expected:
        n = reader.readinto(target.data[got:])
        if n == 0:
            break
        got += n
    if got != expected:
        raise CodecError(f"codec 'zstd': decoded {got} bytes, expected {expected}")
    if reader.read(1):
        raise CodecError(f"codec 'zstd': decoded data exceeds the expected {expected} bytes")


@dataclass(init=False, eq=False)  # for its repr: pprint lays it out as zarr-python's
class ZstdCodec(BytesBytesCodec):
    """Zstandard: one frame with content size, optional checksum."""

    level: int
    checksum: bool

    name = "zstd"
    codec_id = "zstd"
    v3_aliases = ("numcodecs.zstd",)
    numcodecs_defaults = {"level": 0, "checksum": False}
    can_decode_into = True

    def __init__(self, *, level: int = 0, checksum: bool = False) -> None:
        self.level = check_int("zstd", "level", level, _MIN_LEVEL, _MAX_LEVEL)
        self.checksum = check_bool("zstd", "checksum", checksum)

    def get_config(self) -> dict[str, Any]:
        return {"level": self.level, "checksum": self.checksum}

    def native_spec(self, itemsize: int) -> NativeSpec:
        return NativeSpec("zstd", encode=True, level=self.level, checksum=self.checksum)

    def encode(self, data: Any) -> bytes:
        buf = as_byte_array(data)
        try:
            return _compressor(self.level, self.checksum).compress(buf.data)
        except zstandard.ZstdError as exc:
            raise CodecError(f"codec 'zstd': compression failed: {exc}") from exc

    def decoded_bound(self, data: Any) -> int | None:
        try:
            return _walk_frames(byte_view(data))[1]
        except CodecError:
            return None  # decode reports it

    def decode(self, data: Any, out: Any = None) -> Any:
        buf = byte_view(data)
        frames, _ = _walk_frames(buf)
        try:
            if out is not None:
                _decode_into(buf, writable_byte_array(out, "zstd"))
                return out
            if frames == 1 and zstandard.frame_content_size(buf) >= 0:
                return _decompressor().decompress(buf)
            return _decompressor().stream_reader(buf, read_across_frames=True).readall()
        except zstandard.ZstdError as exc:
            raise CodecError(f"codec 'zstd': corrupt data: {exc}") from exc
