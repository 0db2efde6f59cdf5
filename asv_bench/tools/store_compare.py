"""Whole-array reads from every kind of store, each timed against the same array on a LocalStore.

The native engine decodes bytes from any store: a LocalStore's chunk files are read by the C
loop itself, other stores' chunks are fetched through their public reads (``get_many``,
``get_ranges``) and decoded by the same loop. This tool reads the peer harness's arrays
(``../shared/bench/peers.py``: float32, chunks 512 x 512, zstd level 1 and blosc lz4 clevel 5
with byte shuffle) in full from a MemoryStore, a ZipStore, an fsspec ``file://`` URL and a
LocalStore, and prints each store's median time over the LocalStore's, measured in the same
rounds (stores interleaved, so the machine's load falls on all of them alike)::

    .venv/bin/python asv_bench/tools/store_compare.py            # 8192 x 8192, 5 rounds
    .venv/bin/python asv_bench/tools/store_compare.py --side 2048 --rounds 3

The data are written once per run under a temporary directory (``--data`` to keep them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

import zarrc
from zarrc.storage import FsspecStore, LocalStore, MemoryStore, ZipStore

CODECS = {
    "zstd1": [{"name": "zstd", "configuration": {"level": 1, "checksum": False}}],
    "blosc_lz4_shuffle": [{"name": "blosc", "configuration": {
        "cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": 4, "blocksize": 0}}],
}
STORES = ("local", "memory", "zip", "fsspec")


def field(side: int) -> np.ndarray:
    """The peer harness's data: sines plus noise, quantized so it compresses like measurements."""
    rng = np.random.default_rng(0)
    i = np.arange(side, dtype=np.float32)[:, None]
    j = np.arange(side, dtype=np.float32)[None, :]
    values = np.sin(i / 37) + np.cos(j / 53) + 0.5 * np.sin((i + 2 * j) / 101)
    values = values + 0.01 * rng.standard_normal((side, side), dtype=np.float32)
    return (np.round(values * 1024) / 1024).astype("float32")


def prepare(root: str, side: int) -> dict:
    """{(codec, store kind): array opened read-only} over the same values."""
    data = field(side)
    arrays = {}
    for codec, compressors in CODECS.items():
        local = os.path.join(root, codec)
        if not os.path.exists(os.path.join(local, "zarr.json")):
            a = zarrc.create_array(local, shape=data.shape, dtype=data.dtype, chunks=(512, 512),
                                   compressors=compressors, overwrite=True)
            a[...] = data
        archive = os.path.join(root, f"{codec}.zip")
        if not os.path.exists(archive):
            with ZipStore(archive, mode="w") as z:
                zarrc.convert(zarrc.open_array(local, mode="r"), z)
        source = LocalStore(local)
        memory = MemoryStore({k: source.get(k) for k in source.list_prefix("")})
        arrays[codec, "local"] = zarrc.open_array(local, mode="r")
        arrays[codec, "memory"] = zarrc.open_array(memory, mode="r")
        arrays[codec, "zip"] = zarrc.open_array(ZipStore(archive, mode="r"), mode="r")
        fs = FsspecStore.from_url(f"file://{local}", read_only=True)  # not a LocalStore
        arrays[codec, "fsspec"] = zarrc.open_array(fs, mode="r")
    return arrays, data


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--side", type=int, default=8192, help="array side (default 8192)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--data", help="a folder to keep the arrays in (default: a temporary one)")
    args = p.parse_args()
    root = args.data or tempfile.mkdtemp(prefix="zarrc-store-compare-")
    os.makedirs(root, exist_ok=True)
    try:
        arrays, data = prepare(root, args.side)
        for (codec, kind), a in arrays.items():  # warm up, and check every store reads right
            if not np.array_equal(a[...], data):
                print(f"{codec} from {kind}: wrong values", file=sys.stderr)
                return 1
        print(f"{args.side} x {args.side} float32, chunks 512 x 512, {args.rounds} rounds, "
              f"threads {zarrc.config.get('threads')}; median ms and over LocalStore's")
        print(f"| codec | {' | '.join(STORES)} | " + " | ".join(f"{s}/local" for s in STORES[1:])
              + " |")
        print("|---|" + "---:|" * (2 * len(STORES) - 1))
        worst = 0.0
        for codec in CODECS:
            times = {kind: [] for kind in STORES}
            for _ in range(args.rounds):
                for kind in STORES:
                    t0 = time.perf_counter()
                    arrays[codec, kind][...]
                    times[kind].append((time.perf_counter() - t0) * 1e3)
            median = {kind: statistics.median(t) for kind, t in times.items()}
            ratios = [median[kind] / median["local"] for kind in STORES[1:]]
            worst = max(worst, *ratios)
            print(f"| {codec} | " + " | ".join(f"{median[k]:.1f}" for k in STORES) + " | "
                  + " | ".join(f"{r:.2f}" for r in ratios) + " |")
        print(f"worst ratio {worst:.2f} (target: 1.15 or less)")
        return 0
    finally:
        if not args.data:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
