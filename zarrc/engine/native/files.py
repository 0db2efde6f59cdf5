"""Shards of a store that declares local files, read by the C file reader into reused buffers.

The same reads as ``zarrc.engine.shard.StoreShard`` (whole shard, index, byte ranges), with the
file named by the store's ``LocalFiles`` and read by ``zarrc._ext.chunkio.read_file_ranges``
straight into the calling thread's scratch: no new buffer per shard. Every range is checked
against the file's size before a buffer is sized for it.
"""

from __future__ import annotations

import os
import stat

import numpy as np

from zarrc._ext import chunkio

__all__ = ["FileShard"]

_FAR = 1 << 62  # past any file: bounds beyond it are clipped to it (int64 holds it)


def _resolve(ranges: list, size: int) -> list:
    """Ranges with negative bounds resolved (start from the end, stop: the end) and clipped
    to a file of ``size`` bytes."""
    out = []
    for a, b in ranges:
        a = min(max(a + size if a < 0 else a, 0), size)
        b = min(size if b < 0 else b, size)
        out.append((a, max(a, b)))
    return out


class FileShard:
    """Shard ``key`` of a store whose files are below ``root`` (bytes, ending in ``/``), read
    into ``scratch(size, slot)`` buffers (a thread's reused scratch). A context manager: the
    file is opened once (no file: every read gives None) for the index and the ranges."""

    def __init__(self, root: bytes, key: str, scratch, slot: int = 0) -> None:
        self.path = root + os.fsencode(key)
        self.key = key
        self.scratch = scratch
        self.slot = slot
        self.fd = -1

    def __enter__(self) -> FileShard:
        try:
            self.fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            self.fd = -1
        else:
            if stat.S_ISDIR(os.fstat(self.fd).st_mode):  # a "folder" of keys: no shard
                self.__exit__()
        return self

    def __exit__(self, *exc) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def _read(self, ranges: list, scratch):
        """``(buffer, lengths)`` of the ranges read one after another, None if no file."""
        if self.fd < 0:
            return None
        ranges = [(min(a, _FAR), min(b, _FAR)) for a, b in ranges]  # an index may say 2**64
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
        return memoryview(buf)[:total], [b - a for a, b in _resolve(ranges, size)]

    def _data(self, size: int) -> np.ndarray:
        return self.scratch(size, self.slot)

    def read_all(self):
        found = self._read([(0, -1)], self._data)
        return None if found is None else found[0]

    def read_index(self, byte_range: tuple):
        start, stop = byte_range  # small: a buffer of its own, parsed at once
        found = self._read([(start, -1 if stop is None else stop)],
                           lambda n: np.empty(max(n, 64), np.uint8))
        return None if found is None else found[0]

    def read_ranges(self, ranges: list) -> list | None:
        found = self._read(ranges, self._data)
        if found is None:
            return None
        view, lengths = found
        out, at = [], 0
        for n in lengths:
            out.append(view[at:at + n])
            at += n
        return out
