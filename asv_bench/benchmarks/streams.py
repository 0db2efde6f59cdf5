"""Streams (docs/streaming.md): iter_chunks and write_chunks against a[...], their memory,
``to_dask().sum()`` against ``a[...].sum()``, and what telemetry costs a small-chunk read with
nobody listening and with a subscriber.

The streamed array is written by ``write_chunks`` from chunks made on the fly, so this process
never holds it whole: ``peakmem_iter_chunks`` / ``peakmem_write_chunks`` stay near the
process's baseline (plus the in-flight budget) while ``peakmem_read_whole`` adds the array.
At the default ``ZARRC_ASV_SIDE`` (2048) the array is 16 MiB, 36x the write stream's budget of
``(3 * 2 + 1)`` chunks of 64 KiB; the read stream reads rows of 16 chunks (1 MiB) at a time and
holds up to ``(3 * 2 + 1)`` such reads.
"""

import numpy as np

import zarrc
from zarrc import telemetry

from ._data import SIDE, scratch_dir

CHUNK = 128
CONCURRENCY = 2
ZSTD = [{"name": "zstd", "configuration": {"level": 1, "checksum": False}}]


def _items(side: int = SIDE, chunk: int = CHUNK):
    """The chunks of a smooth float32 field, made one at a time."""
    for i in range(0, side, chunk):
        rows = np.arange(i, min(side, i + chunk), dtype="f4")[:, None]
        for j in range(0, side, chunk):
            cols = np.arange(j, min(side, j + chunk), dtype="f4")[None, :]
            yield (slice(i, i + chunk), slice(j, j + chunk)), np.sin(rows / 97) * np.cos(cols / 89)


def _new_array(path):
    return zarrc.create_array(path, shape=(SIDE, SIDE), chunks=(CHUNK, CHUNK), dtype="f4",
                              compressors=ZSTD, overwrite=True)


class Streams:
    def setup(self):
        self.array = _new_array(scratch_dir())
        self.array.write_chunks(_items(), concurrency=CONCURRENCY)
        self.target = _new_array(scratch_dir())

    def time_iter_chunks(self):
        for _ in self.array.iter_chunks(concurrency=CONCURRENCY):
            pass

    def time_read_whole(self):
        self.array[...]

    def time_write_chunks(self):
        self.target.write_chunks(_items(), concurrency=CONCURRENCY)

    def peakmem_iter_chunks(self):
        total = 0.0
        for _, chunk in self.array.iter_chunks(concurrency=CONCURRENCY):
            total += float(chunk.sum())

    def peakmem_write_chunks(self):
        self.target.write_chunks(_items(), concurrency=CONCURRENCY)

    def peakmem_read_whole(self):
        self.array[...].sum()


class Dask:
    """``a.to_dask().sum()`` on dask's threaded scheduler against zarrc's own ``a[...].sum()``:
    the graph's overhead per chunk. Needs the ``dask`` extra (without it setup raises
    NotImplementedError, which asv reports as skipped)."""

    def setup(self):
        try:
            import dask.array  # noqa: F401
        except ImportError:
            raise NotImplementedError("needs dask: pip install 'zarrc[dask]'") from None
        self.array = _new_array(scratch_dir())
        self.array.write_chunks(_items(), concurrency=CONCURRENCY)

    def time_sum_own(self):
        self.array[...].sum(dtype="f8")

    def time_sum_to_dask(self):
        self.array.to_dask().sum(dtype="f8").compute(scheduler="threads")


class Telemetry:
    """``read_small_chunks`` (4 KiB uint8 chunks, zstd level 1: per-chunk costs show) with no
    subscriber, the state every read runs in, and with a subscriber counting chunk.read events.
    Compare ``time_read_small_chunks`` with the same benchmark on a commit before telemetry
    (``asv continuous``) or with ``asv_bench/tools/stream_compare.py --telemetry``."""

    def setup(self):
        data = (np.arange(SIDE * SIDE, dtype=np.uint32) * 2654435761 >> 24).astype("u1")
        self.array = zarrc.create_array(scratch_dir(), shape=(SIDE, SIDE), chunks=(64, 64),
                                        dtype="u1", compressors=ZSTD)
        self.array[...] = data.reshape(SIDE, SIDE)
        self.seen = [0]

    def time_read_small_chunks(self):
        self.array[...]

    def time_read_small_chunks_listened(self):
        def count(event):
            self.seen[0] += 1

        with telemetry.subscribe(count, events="chunk.read"):
            self.array[...]
