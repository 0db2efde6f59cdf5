"""Sharded arrays (sharding_indexed): read whole, read inside one shard, write, per inner chunk."""

import zarrc

from ._data import SIDE, field, scratch_dir, stored_array, write_array

SHARD = max(SIDE // 2, 256)
CODEC = "zstd1"


class Sharded:
    params = [64, 256]
    param_names = ["chunk"]

    def setup(self, chunk):
        self.array = zarrc.open_array(stored_array(CODEC, chunk, shard=SHARD), mode="r")
        self.data = field()
        self.path = scratch_dir()

    def time_read_full(self, chunk):
        self.array[...]

    def time_read_sub(self, chunk):
        """A region inside the first shard: a byte-range read per inner chunk it touches."""
        self.array[SHARD // 8: SHARD // 2, SHARD // 3: SHARD // 3 + 200]

    def time_read_inner_chunk(self, chunk):
        self.array[chunk: 2 * chunk, chunk: 2 * chunk]

    def time_single_element(self, chunk):
        self.array[SHARD // 2 + 1, SHARD // 3 + 1]

    def time_write_full(self, chunk):
        write_array(self.path, self.data, CODEC, chunk, shard=SHARD)

    def peakmem_read_full(self, chunk):
        self.array[...]
