"""Whole-array and sub-selection reads and writes, per codec and chunk shape; memory use."""

import tracemalloc

import numpy as np

import zarrc

from ._data import CODECS, SIDE, field, scratch_dir, stored_array, write_array


class ReadWhole:
    params = (list(CODECS), [128, 512])
    param_names = ["codec", "chunk"]

    def setup(self, codec, chunk):
        self.array = zarrc.open_array(stored_array(codec, chunk), mode="r")

    def time_read_full(self, codec, chunk):
        self.array[...]

    def time_read_sub(self, codec, chunk):
        self.array[SIDE // 8: SIDE // 2, SIDE // 3: SIDE // 3 + 200]

    def time_read_strided(self, codec, chunk):
        self.array[::7, 100:SIDE - 100:3]

    def time_single_element(self, codec, chunk):
        self.array[SIDE // 2, SIDE // 3]

    def peakmem_read_full(self, codec, chunk):
        self.array[...]


class WriteWhole:
    params = (list(CODECS), [128, 512])
    param_names = ["codec", "chunk"]

    def setup(self, codec, chunk):
        self.data = field()
        self.path = scratch_dir()

    def time_write_full(self, codec, chunk):
        write_array(self.path, self.data, codec, chunk)

    def peakmem_write_full(self, codec, chunk):
        write_array(self.path, self.data, codec, chunk)


def _traced_peak(fn) -> int:
    """Peak bytes traced by tracemalloc (Python and NumPy allocations) while `fn` runs."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


class Memory:
    """Peak allocation of a whole read or write, over the array's size (1.0 = no overhead).

    Independent of the process baseline, unlike ``peakmem_``; grows with ``ZARRC_ASV_SIDE``.
    Allocations made inside C libraries (zstd, blosc contexts) are not traced.
    """

    params = (list(CODECS), [128, 512])
    param_names = ["codec", "chunk"]

    def setup(self, codec, chunk):
        self.array = zarrc.open_array(stored_array(codec, chunk), mode="r")
        self.data = field()
        self.path = scratch_dir()

    def track_read_peak(self, codec, chunk):
        return _traced_peak(lambda: self.array[...]) / self.data.nbytes

    def track_write_peak(self, codec, chunk):
        return _traced_peak(
            lambda: write_array(self.path, self.data, codec, chunk)) / self.data.nbytes

    track_read_peak.unit = track_write_peak.unit = "ratio"


class ReadV2:
    params = ["zstd1", "blosc_lz4_shuffle"]
    param_names = ["codec"]

    def setup(self, codec):
        self.array = zarrc.open_array(stored_array(codec, 512, zarr_format=2), mode="r")

    def time_read_full_v2(self, codec):
        self.array[...]


class Fancy:
    params = ["oindex", "vindex", "int_list"]
    param_names = ["mode"]

    def setup(self, mode):
        self.array = zarrc.open_array(stored_array("zstd1", 256), mode="r")
        rng = np.random.default_rng(0)
        self.rows = rng.integers(0, SIDE, 300)
        self.cols = rng.integers(0, SIDE, 300)

    def time_fancy(self, mode):
        if mode == "oindex":
            self.array.oindex[self.rows, self.cols]
        elif mode == "vindex":
            self.array.vindex[self.rows, self.cols]
        else:
            self.array[self.rows.tolist(), :64]
