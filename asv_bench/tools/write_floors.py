"""Print zarrc's whole-array writes beside their floor (``benchmarks/floors.py``), in ms.

Run from the project root with the project's venv; ``ZARRC_ASV_SIDE`` sets the array side
(8192 is the peer harness's full size; 4096 gives ``write_sharded``'s 256 inner chunks)::

    ZARRC_ASV_SIDE=8192 .venv/bin/python asv_bench/tools/write_floors.py

With ``--zarrs`` (run it with the peer harness's venv, which has zarr-python and zarrs, after
reinstalling this checkout there) zarrs's same write is timed in the same process too, so the
peer's distance from the floor can be read beside zarrc's::

    ZARRC_ASV_SIDE=8192 /tmp/zarrc-peers/bin/python asv_bench/tools/write_floors.py --zarrs
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from benchmarks._data import CODECS, scratch_dir
from benchmarks.floors import CHUNK, REPEATS, SHARD_INNER, WriteFloors


def zarrs_seconds(bench: WriteFloors) -> float:
    """The best of a few whole writes (create + ``a[...] = x``) by zarr-python with the zarrs
    codec pipeline, as the peer harness makes them."""
    import zarr

    def once() -> float:
        folder = scratch_dir()
        chunk = SHARD_INNER if bench.sharded else CHUNK
        t0 = time.perf_counter()
        with zarr.config.set({"codec_pipeline.path": "zarrs.ZarrsCodecPipeline"}):
            a = zarr.create_array(folder, shape=bench.data.shape, dtype=bench.data.dtype,
                                  chunks=(chunk, chunk),
                                  shards=(CHUNK, CHUNK) if bench.sharded else None,
                                  compressors=CODECS[bench.codec] or None, overwrite=True)
        a[...] = bench.data
        elapsed = time.perf_counter() - t0
        shutil.rmtree(folder)
        return elapsed
    return min(once() for _ in range(REPEATS))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--zarrs", action="store_true", help="time zarrs's write in the same process")
    args = p.parse_args()
    for codec in WriteFloors.params:
        bench = WriteFloors()
        bench.setup(codec)
        zarrc = bench.zarrc_seconds()
        encode, files = bench.floor_parts()
        floor = encode + files
        line = (f"{codec:20s} zarrc {zarrc * 1e3:7.1f} ms   floor {floor * 1e3:7.1f} ms "
                f"(encode {encode * 1e3:.1f} + files {files * 1e3:.1f})   ratio {zarrc / floor:.2f}")
        if args.zarrs:
            peer = zarrs_seconds(bench)
            line += (f"   zarrs {peer * 1e3:7.1f} ms (x{peer / floor:.2f} floor)   "
                     f"zarrc/zarrs {zarrc / peer:.2f}")
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
