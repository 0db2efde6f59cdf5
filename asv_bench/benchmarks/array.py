"""Whole-array and sub-selection reads and writes, per codec and chunk shape."""

import numpy as np

import zarrc

from ._data import CODECS, SIDE, field, scratch_dir, stored_array


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
        a = zarrc.create_array(self.path, shape=self.data.shape, dtype=self.data.dtype,
                               chunks=(chunk, chunk), compressors=CODECS[codec], overwrite=True)
        a[...] = self.data

    def peakmem_write_full(self, codec, chunk):
        self.time_write_full(codec, chunk)


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
