"""How close whole-array writes come to their floor: encoding the chunks plus writing the files.

The floor is the work every Zarr library must do for the same write, measured without any
library: the chunk tiles compressed one after the other by the compressors' own bindings
(zstandard and python-blosc, runtime dependencies of zarrc), that time divided by the engine's
thread count (perfect scaling: a lower bound), plus each encoded chunk (or shard) written to a
temporary file and renamed into place on that many threads. ``track_write_over_floor`` is
zarrc's whole write (create + ``a[...] = x``) over the floor: 1.0 means zarrc adds nothing to
the work itself. The floor leaves out reading the array's rows into tiles (they are gathered
beforehand), which every library must also do, so it lies a little below what any library can
reach. Each time is the best of a few runs; removing the files is not timed.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import blosc
import numpy as np
import zstandard

from zarrc import config

from ._data import field, scratch_dir, write_array

CHUNK = 512
SHARD_INNER = 256  # sharded: shards of CHUNK x CHUNK holding inner chunks of this side
REPEATS = 3


def _tiles(data: np.ndarray, side: int) -> list[np.ndarray]:
    n = data.shape[0]
    return [np.ascontiguousarray(data[i:i + side, j:j + side])
            for i in range(0, n, side) for j in range(0, n, side)]


def _encode_all(codec: str, tiles: list) -> list:
    """The tiles encoded as ``codec`` on this thread (raw: their bytes)."""
    if codec == "zstd1":
        c = zstandard.ZstdCompressor(level=1)
        return [c.compress(t) for t in tiles]
    if codec == "blosc_lz4_shuffle":
        old = blosc.set_nthreads(1)
        try:
            return [blosc.compress(t, typesize=4, clevel=5, shuffle=blosc.SHUFFLE, cname="lz4")
                    for t in tiles]
        finally:
            blosc.set_nthreads(old)
    return [t.data for t in tiles]


def _write_files(threads: int, blobs: list) -> float:
    """Seconds to write ``blobs`` (a square grid's chunks, row-major) as files under their
    keys ``c/i/j`` (directories made on the way, as a write makes them), each to a temporary
    name and then renamed, on ``threads``."""
    folder = scratch_dir()
    side = math.isqrt(len(blobs))

    def one(k: int) -> None:
        row = os.path.join(folder, "c", str(k // side))
        os.makedirs(row, exist_ok=True)
        path = os.path.join(row, str(k % side))
        fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            os.write(fd, blobs[k])
        finally:
            os.close(fd)
        os.replace(path + ".tmp", path)
    with ThreadPoolExecutor(threads) as pool:
        t0 = time.perf_counter()
        list(pool.map(one, range(len(blobs))))
        elapsed = time.perf_counter() - t0
    shutil.rmtree(folder)
    return elapsed


def _best(timed) -> float:
    """The least of a few calls of ``timed()``, which returns the seconds it measured."""
    return min(timed() for _ in range(REPEATS))


class WriteFloors:
    params = ["none", "zstd1", "blosc_lz4_shuffle", "zstd1_sharded"]
    param_names = ["codec"]

    def setup(self, codec):
        self.data = field()
        self.threads = max(1, int(config.get("threads")))
        self.sharded = codec.endswith("_sharded")
        self.codec = codec.removesuffix("_sharded")
        self.tiles = _tiles(self.data, SHARD_INNER if self.sharded else CHUNK)

    def _encode_seconds(self) -> float:
        t0 = time.perf_counter()
        self.blobs = _encode_all(self.codec, self.tiles)
        return time.perf_counter() - t0

    def _files(self) -> list:
        """The encoded chunks as the files they are stored in (sharded: one per shard)."""
        if not self.sharded:
            return self.blobs
        per_side, k = self.data.shape[0] // SHARD_INNER, CHUNK // SHARD_INNER
        return [b"".join(self.blobs[(si * k + a) * per_side + sj * k + b]
                         for a in range(k) for b in range(k))
                for si in range(per_side // k) for sj in range(per_side // k)]

    def floor_parts(self) -> tuple[float, float]:
        """Seconds of the floor's two parts: encoding (one thread's time over the thread
        count) and writing the files."""
        encode = _best(self._encode_seconds) / self.threads
        files = self._files()
        return encode, _best(lambda: _write_files(self.threads, files))

    def floor_seconds(self) -> float:
        return sum(self.floor_parts())

    def zarrc_seconds(self) -> float:
        def once() -> float:
            folder = scratch_dir()
            t0 = time.perf_counter()
            if self.sharded:
                write_array(folder, self.data, self.codec, SHARD_INNER, shard=CHUNK)
            else:
                write_array(folder, self.data, self.codec, CHUNK)
            elapsed = time.perf_counter() - t0
            shutil.rmtree(folder)
            return elapsed
        return _best(once)

    def track_write_over_floor(self, codec):
        return self.zarrc_seconds() / self.floor_seconds()

    track_write_over_floor.unit = "zarrc / floor"
