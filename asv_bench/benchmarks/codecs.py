"""Encode and decode of one chunk through the codec pipeline, per codec family.

Each case is a full v3 ``codecs`` list (serializer included) applied to a ``CHUNK x CHUNK``
float32 chunk of the seeded field; decode writes into a preallocated chunk, as the engine does.
"""

import numpy as np

from zarrc.codecs import ChunkSpec, CodecPipeline

from ._data import field

CHUNK = 256
BYTES = {"name": "bytes", "configuration": {"endian": "little"}}


def _blosc(cname, shuffle):
    return {"name": "blosc", "configuration": {"cname": cname, "clevel": 5, "shuffle": shuffle,
                                               "typesize": 4, "blocksize": 0}}


# family -> the v3 codec list; one entry per codec the engine may meet, cheapest settings
CASES = {
    "bytes": [BYTES],
    "bytes_big": [{"name": "bytes", "configuration": {"endian": "big"}}],
    "transpose": [{"name": "transpose", "configuration": {"order": [1, 0]}}, BYTES],
    "delta": [{"name": "numcodecs.delta", "configuration": {"dtype": "<f4"}}, BYTES],
    "bitround": [{"name": "numcodecs.bitround", "configuration": {"keepbits": 10}}, BYTES],
    "quantize": [{"name": "numcodecs.quantize",
                  "configuration": {"digits": 3, "dtype": "<f4"}}, BYTES],
    "shuffle": [BYTES, {"name": "numcodecs.shuffle", "configuration": {"elementsize": 4}}],
    "crc32c": [BYTES, {"name": "crc32c"}],
    "zstd": [BYTES, {"name": "zstd", "configuration": {"level": 1, "checksum": False}}],
    "gzip": [BYTES, {"name": "gzip", "configuration": {"level": 5}}],
    "zlib": [BYTES, {"name": "numcodecs.zlib", "configuration": {"level": 1}}],
    "lz4": [BYTES, {"name": "numcodecs.lz4", "configuration": {"acceleration": 1}}],
    "snappy": [BYTES, {"name": "zarrc.snappy"}],
    "blosc_lz4": [BYTES, _blosc("lz4", "shuffle")],
    "blosc_zstd_bitshuffle": [BYTES, _blosc("zstd", "bitshuffle")],
    "bz2": [BYTES, {"name": "numcodecs.bz2", "configuration": {"level": 1}}],
    "lzma": [BYTES, {"name": "numcodecs.lzma", "configuration": {"preset": 1}}],
}


class Pipeline:
    params = list(CASES)
    param_names = ["codec"]

    def setup(self, codec):
        self.chunk = np.ascontiguousarray(field()[:CHUNK, :CHUNK])
        self.pipeline = CodecPipeline.from_v3(CASES[codec], ChunkSpec(self.chunk.shape, "f4"))
        self.encoded = bytes(self.pipeline.encode(self.chunk, "c/0/0"))
        self.out = np.empty_like(self.chunk)

    def time_encode(self, codec):
        self.pipeline.encode(self.chunk, "c/0/0")

    def time_decode(self, codec):
        self.pipeline.decode(self.encoded, "c/0/0", out=self.out)

    def time_decode_new(self, codec):
        self.pipeline.decode(self.encoded, "c/0/0")

    def track_ratio(self, codec):
        """Stored size over raw size (lower compresses better)."""
        return len(self.encoded) / self.chunk.nbytes

    track_ratio.unit = "ratio"
