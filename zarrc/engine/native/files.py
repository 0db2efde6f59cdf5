"""Values a store keeps in local files, read by the C file reader into reused buffers.

A store that declares local files (``Store.local_files``) or ranges of them
(``Store.file_ranges``: e.g. a zip archive's uncompressed entries) is read here without the
store: values by :func:`read_located`, shards by :class:`FileShard` (the same reads as
``zarrc.engine.shard.StoreShard``: whole shard, index, byte ranges), each read by
``zarrc._ext.chunkio.read_file_ranges`` straight into the calling thread's scratch: no new
buffer per chunk or shard. Every range is checked against the file's size before a buffer is
sized for it.
"""

from __future__ import annotations

import os
import stat
import zlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from zarrc._ext import chunkio
from zarrc.engine.context import ArrayContext
from zarrc.engine.interfaces import FileRangeLike
from zarrc.engine.shard import fetch_inner
from zarrc.errors import ChecksumError

if TYPE_CHECKING:  # state imports this module
    from zarrc.engine.native.state import NativeArray

Scratch = Callable[[int], np.ndarray]
"""``scratch(size)``: a buffer of at least ``size`` bytes (a thread's, reused)."""
SlotScratch = Callable[[int, int], np.ndarray]
"""``scratch(size, slot)``: the thread's reused buffer ``slot`` of at least ``size`` bytes."""

__all__ = ["FileShard", "HeldShard", "fetch_shard", "read_located", "reads_files"]

_FAR = 1 << 62  # past any file: bounds beyond it are clipped to it (int64 holds it)


def _resolve(ranges: Sequence[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """Ranges with negative bounds resolved (start from the end, stop: the end) and clipped
    to a file of ``size`` bytes."""
    out = []
    for a, b in ranges:
        a = min(max(a + size if a < 0 else a, 0), size)
        b = min(size if b < 0 else b, size)
        out.append((a, max(a, b)))
    return out


def _open(path: str | bytes) -> int:
    return os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))


def _check_crc(view: bytes | memoryview, crc: int | None, key: str, path: str | bytes) -> None:
    """A value read from a file against the CRC-32 its store keeps (None: none)."""
    if crc is not None and zlib.crc32(view) != crc:  # zlib releases the GIL for large values
        raise ChecksumError(f"chunk {key!r}: the CRC-32 of its bytes in {path!r} is not the "
                            f"{crc:#010x} the store keeps for it (damaged data)")


def read_located(located: Sequence[FileRangeLike | bytes | None], scratch: Scratch,
                 keys: Sequence[str]) -> list[bytes | memoryview | None]:
    """The values ``Store.file_ranges`` located (``keys``: theirs, for errors): each file's
    ranges read in one call, all into ``scratch(size)`` (the thread's reused buffer) one
    after another, each checked against its CRC-32 when the store keeps one; values given
    as bytes, and None (absent), as they are."""
    out: list[bytes | memoryview | None] = []
    ranges: dict[int, FileRangeLike] = {}  # the located ones, read below
    by_file: dict[str, list[int]] = {}
    for i, where in enumerate(located):
        if where is None or isinstance(where, (bytes, bytearray, memoryview)):
            out.append(where)
        else:
            out.append(None)
            ranges[i] = where
            by_file.setdefault(where.path, []).append(i)
    if not by_file:
        return out
    buf = scratch(sum(ranges[i].size for members in by_file.values() for i in members))
    view, at = buf.data, 0  # a memoryview of the (1-d uint8) scratch
    for path, members in by_file.items():
        table = np.array([(ranges[i].offset, ranges[i].offset + ranges[i].size)
                          for i in members], dtype=np.int64).reshape(-1, 2)
        fd = _open(path)
        try:
            rc, total, size, err = chunkio.read_file_ranges(fd, table, view[at:])
        finally:
            os.close(fd)
        if rc == chunkio.E_DATA:  # the file is shorter than the store said: changed under us
            raise OSError(f"chunk {keys[members[0]]!r}: {ranges[members[0]].size} bytes at "
                          f"offset {ranges[members[0]].offset} of {path!r} are past its end "
                          f"({size} bytes)")
        if rc != 0:
            raise OSError(err, f"{os.strerror(err)}: chunk {keys[members[0]]!r}")
        for i in members:
            value = out[i] = view[at:at + ranges[i].size]
            _check_crc(value, getattr(ranges[i], "crc32", None), keys[i], path)
            at += ranges[i].size
    return out


class HeldShard:
    """A whole shard the store gave as bytes (``Store.file_ranges``: not a plain range)."""

    def __init__(self, value: bytes | memoryview) -> None:
        self.value = value

    def read_all(self) -> bytes | memoryview:
        return self.value

    def read_index(self, byte_range: tuple[int, int | None]) -> bytes | memoryview:
        return self.value[slice(*byte_range)]

    def read_ranges(self, ranges: list[tuple[int, int]]) -> list[bytes | memoryview]:
        return [self.value[max(0, a):max(0, b)] for a, b in ranges]


class FileShard:
    """Shard ``key`` in the local file ``path`` (bytes), the whole file or, with ``span``
    ``(offset, size)``, that range of it (an archive entry), read into ``scratch(size,
    slot)`` buffers (a thread's reused scratch). A context manager: the file is opened once
    (no file: every read gives None) for the index and the ranges."""

    def __init__(self, path: bytes, key: str, scratch: SlotScratch, slot: int = 0,
                 span: tuple[int, int] | None = None, crc32: int | None = None) -> None:
        self.path = path
        self.key = key
        self.scratch = scratch
        self.slot = slot
        self.span = span
        self.crc32 = crc32  # of the whole shard (an archive entry's): checked by read_all
        self.fd = -1

    def __enter__(self) -> FileShard:
        try:
            self.fd = _open(self.path)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            self.fd = -1
        else:
            if stat.S_ISDIR(os.fstat(self.fd).st_mode):  # a "folder" of keys: no shard
                self.__exit__()
        return self

    def __exit__(self, *exc: BaseException) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def _read(self, ranges: list[tuple[int, int]],
              scratch: Scratch) -> tuple[memoryview, list[int]] | None:
        """``(buffer, lengths)`` of the ranges read one after another, None if no file."""
        if self.fd < 0:
            return None
        ranges = [(min(a, _FAR), min(b, _FAR)) for a, b in ranges]  # an index may say 2**64
        if self.span is not None:  # relative to the entry: resolved against it, then placed
            offset, size = self.span
            ranges = [(a + offset, b + offset) for a, b in _resolve(ranges, size)]
        table = np.array(ranges, dtype=np.int64).reshape(-1, 2)
        buf = scratch(0)
        while True:
            rc, total, size, err = chunkio.read_file_ranges(self.fd, table, buf)
            if rc == 0:
                break
            if rc == chunkio.E_BUFSIZE:
                buf = scratch(total)
            elif rc == chunkio.E_DATA:  # clip to the file, as a store's ranges are
                ranges = _resolve(ranges, size)
                table = np.array(ranges, dtype=np.int64).reshape(-1, 2)
            else:
                raise OSError(err, f"{os.strerror(err)}: chunk {self.key!r}")
        return buf.data[:total], [b - a for a, b in _resolve(ranges, size)]

    def _data(self, size: int) -> np.ndarray:
        return self.scratch(size, self.slot)

    def read_all(self) -> memoryview | None:
        found = self._read([(0, -1)], self._data)
        if found is None:
            return None
        _check_crc(found[0], self.crc32, self.key, self.path)
        return found[0]

    def read_index(self, byte_range: tuple[int, int | None]) -> memoryview | None:
        start, stop = byte_range  # small: a buffer of its own, parsed at once
        found = self._read([(start, -1 if stop is None else stop)],
                           lambda n: np.empty(max(n, 64), np.uint8))
        return None if found is None else found[0]

    def read_ranges(self, ranges: list[tuple[int, int]]) -> list[memoryview] | None:
        found = self._read(ranges, self._data)
        if found is None:
            return None
        view, lengths = found
        out: list[memoryview] = []
        at = 0
        for n in lengths:
            out.append(view[at:at + n])
            at += n
        return out


def reads_files(array: NativeArray) -> bool:
    """Whether ``array``'s (a NativeArray's) values are read here from local files (its
    store's files, or the ranges its store locates), into the reading thread's scratch."""
    return array.root is not None or array.located


def fetch_shard(array: NativeArray, ctx: ArrayContext, key: str, flat: np.ndarray, whole: bool,
                scratch: SlotScratch, slot: int = 0) -> list[memoryview | None] | None:
    """``zarrc.engine.shard.fetch_inner`` for shard ``key`` of ``array`` (a NativeArray):
    from its local file, or the range of a file its store locates it in, through
    :class:`FileShard` into ``scratch`` buffers; through the store's reads otherwise."""
    if array.root is not None:
        path, span, crc = array.root + os.fsencode(key), None, None
    elif array.located:
        located = ctx.store.file_ranges([key])
        if located is None:
            raise TypeError(f"{ctx.store!r} no longer says where its values lie (file_ranges)")
        where = located[0]
        if where is None:
            return None
        if isinstance(where, (bytes, bytearray, memoryview)):  # held in another form
            return fetch_inner(ctx, key, flat, True, HeldShard(where))
        path, span = os.fsencode(where.path), (where.offset, where.size)
        crc = getattr(where, "crc32", None)
    else:
        return fetch_inner(ctx, key, flat, whole)
    with FileShard(path, key, scratch, slot, span, crc) as source:
        return fetch_inner(ctx, key, flat, whole, source)
