"""Seeded benchmark data, written once and reused: arrays are keyed by everything that shapes them.

``ZARRC_ASV_SIDE`` sets the side of the square test arrays (default 2048: 16 MiB of float32, so
``run_once.py`` stays fast; 8192 matches the peer harness's full size). Arrays go to a temporary
directory removed at exit, or to ``ZARRC_ASV_DATA`` if set, where they persist across runs
(asv starts a process per benchmark): the data are seeded, so a finished array is reused.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile

import numpy as np

import zarrc
from zarrc.demo import make_field

SIDE = int(os.environ.get("ZARRC_ASV_SIDE", "2048"))
CODECS = {
    "none": [],
    "zstd1": [{"name": "zstd", "configuration": {"level": 1, "checksum": False}}],
    "blosc_lz4_shuffle": [{"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5,
                                                             "shuffle": "shuffle", "typesize": 4,
                                                             "blocksize": 0}}],
    "gzip5": [{"name": "gzip", "configuration": {"level": 5}}],
}
_DONE = ".asv-complete"  # written after the data, so an interrupted write is redone

if os.environ.get("ZARRC_ASV_DATA"):
    _root = os.environ["ZARRC_ASV_DATA"]
    os.makedirs(_root, exist_ok=True)
else:
    _root = tempfile.mkdtemp(prefix="zarrc-asv-")
    atexit.register(shutil.rmtree, _root, True)
_scratch = tempfile.mkdtemp(prefix="zarrc-asv-scratch-")
atexit.register(shutil.rmtree, _scratch, True)


def scratch_dir() -> str:
    """A fresh directory for benchmarks that write (always temporary)."""
    return tempfile.mkdtemp(dir=_scratch)


@functools.cache
def field(side: int = SIDE) -> np.ndarray:
    """The seeded ``side x side`` float32 field every benchmark reads, writes or encodes."""
    return make_field(side)


@functools.cache
def stored_array(codec: str, chunk: int, side: int = SIDE, zarr_format: int = 3,
                 shard: int | None = None) -> str:
    """Path of a stored ``side x side`` float32 array of `field` with `codec` and square chunks.

    With `shard`, chunks of ``chunk x chunk`` are packed into ``shard x shard`` shards.
    """
    name = f"{codec}-{chunk}-{side}-v{zarr_format}" + (f"-s{shard}" if shard else "")
    path = os.path.join(_root, name + ".zarr")
    if os.path.exists(os.path.join(path, _DONE)):
        return path
    write_array(path, field(side), codec, chunk, zarr_format=zarr_format, shard=shard)
    open(os.path.join(path, _DONE), "w").close()
    return path


def write_array(path: str, data: np.ndarray, codec: str, chunk: int, *, zarr_format: int = 3,
                shard: int | None = None) -> zarrc.Array:
    """Create (over anything there) an array at `path` shaped for `data` and write `data`.

    The one write path of the suite: stored data and the write benchmarks both go through it.
    """
    a = zarrc.create_array(path, shape=data.shape, dtype=data.dtype,
                           chunks=(chunk,) * data.ndim,
                           shards=None if shard is None else (shard,) * data.ndim,
                           compressors=CODECS[codec], zarr_format=zarr_format, overwrite=True)
    a[...] = data
    return a
