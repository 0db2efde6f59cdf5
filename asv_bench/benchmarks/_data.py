"""Seeded benchmark data, written once per process into a temporary directory and reused."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile

import numpy as np

import zarrc
from zarrc.demo import make_field

SIDE = 2048
CODECS = {
    "none": [],
    "zstd1": [{"name": "zstd", "configuration": {"level": 1, "checksum": False}}],
    "blosc_lz4_shuffle": [{"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5,
                                                             "shuffle": "shuffle", "typesize": 4,
                                                             "blocksize": 0}}],
    "gzip5": [{"name": "gzip", "configuration": {"level": 5}}],
}

_root = tempfile.mkdtemp(prefix="zarrc-asv-")
atexit.register(shutil.rmtree, _root, True)


def scratch_dir() -> str:
    """A fresh directory for benchmarks that write."""
    return tempfile.mkdtemp(dir=_root)


@functools.cache
def field(side: int = SIDE) -> np.ndarray:
    return make_field(side)


@functools.cache
def stored_array(codec: str, chunk: int, side: int = SIDE, zarr_format: int = 3) -> str:
    """Path of a stored ``side x side`` float32 array with ``codec`` and square chunks."""
    path = f"{_root}/{codec}-{chunk}-{side}-v{zarr_format}.zarr"
    a = zarrc.create_array(path, shape=(side, side), dtype="float32", chunks=(chunk, chunk),
                           compressors=CODECS[codec], zarr_format=zarr_format, overwrite=True)
    a[...] = field(side)
    return path
