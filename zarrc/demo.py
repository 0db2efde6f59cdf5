"""The demo behind ``zarrc demo``: write a real multi-chunk dataset in v2 and v3, read it back.

The data is a synthetic but realistic field (a sum of sines plus noise, quantized like a
measured quantity) so the compressors have something honest to do.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["make_field", "run_demo"]


def make_field(n: int, seed: int = 0) -> npt.NDArray[np.float32]:
    """An ``n x n`` float32 field: smooth structure plus noise, quantized to 1/1024."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:n, 0:n].astype(np.float32) / max(n, 1)
    field = np.sin(12 * x) * np.cos(7 * y) + 0.5 * np.sin(31 * (x + y))
    field += rng.normal(scale=0.05, size=(n, n)).astype(np.float32)
    out: npt.NDArray[np.float32] = (np.round(field * 1024) / 1024).astype(np.float32)
    return out


def _dir_bytes(path: str) -> int:
    return sum(os.path.getsize(os.path.join(root, f))
               for root, _, files in os.walk(path) for f in files)


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def run_demo(directory: str | None = None, size: int = 2048) -> list[dict[str, Any]]:
    """Write, read and verify the demo arrays; print and return what happened."""
    import zarrc

    keep = directory is not None
    root = directory or tempfile.mkdtemp(prefix="zarrc-demo-")
    os.makedirs(root, exist_ok=True)
    data = make_field(size)
    chunk = max(1, size // 4)
    cases: list[tuple[str, dict[str, Any]]] = [
        ("v3 zstd", dict(zarr_format=3, compressors=[{"name": "zstd", "configuration": {"level": 3, "checksum": False}}])),
        ("v3 blosc lz4 shuffle", dict(zarr_format=3, compressors=[{"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": 4, "blocksize": 0}}])),
        ("v2 zlib", dict(zarr_format=2, compressors={"id": "zlib", "level": 5})),
        ("v2 blosc zstd", dict(zarr_format=2, compressors={"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 1, "blocksize": 0})),
    ]
    print(f"zarrc {zarrc.__version__} demo: {size}x{size} float32 ({_mb(data.nbytes)}), "
          f"chunks {chunk}x{chunk}, into {root}")
    results = []
    for label, kwargs in cases:
        path = os.path.join(root, label.replace(" ", "_") + ".zarr")
        t0 = time.perf_counter()
        a = zarrc.create_array(path, shape=data.shape, dtype=data.dtype, chunks=(chunk, chunk),
                               overwrite=True, attributes={"units": "K", "case": label}, **kwargs)
        a[...] = data
        t_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        back = zarrc.open_array(path, mode="r")[...]
        t_read = time.perf_counter() - t0
        sub = zarrc.open_array(path, mode="r")[size // 3: size // 2, ::7]
        ok = np.array_equal(back, data) and np.array_equal(sub, data[size // 3: size // 2, ::7])
        stored = _dir_bytes(path)
        row = dict(case=label, shape=back.shape, stored=stored, ratio=data.nbytes / stored,
                   write_s=t_write, read_s=t_read, ok=ok, chunks=a.nchunks_initialized)
        results.append(row)
        print(f"  {label:<22} shape={back.shape} chunks written={row['chunks']:<3} "
              f"stored={_mb(stored):>9} ratio={row['ratio']:5.2f}x "
              f"write={t_write * 1e3:7.1f} ms read={t_read * 1e3:7.1f} ms "
              f"({data.nbytes / 2**20 / t_read:6.0f} MiB/s) {'verified' if ok else 'MISMATCH'}")
    info = zarrc.open_array(os.path.join(root, "v3_zstd.zarr"), mode="r").info
    print("  info of 'v3 zstd':")
    print("\n".join("    " + line for line in str(info).splitlines()))
    if not keep:
        shutil.rmtree(root, ignore_errors=True)
    if not all(r["ok"] for r in results):
        raise SystemExit("zarrc demo: a read did not match what was written")
    return results
