"""Streams and dask side by side on the same data: the figures of docs/performance.md, "Streams".

Workloads, interleaved round by round (the machine is shared: compare ratios of one run):

- ``read_full``: zarrc ``a[...]``;
- ``iter_chunks``: ``for region, chunk in a.iter_chunks(): pass`` (every chunk read, ahead);
- ``sum_own``: zarrc ``a[...].sum()``;
- ``sum_to_dask``: ``a.to_dask().sum().compute(scheduler="threads")``;
- ``sum_from_zarr``: ``dask.array.from_zarr(zarr.open_array(path)).sum().compute(scheduler=
  "threads")``: zarr-python 3 reading the same store.

The array is the peer harness's: an 8192x8192 float32 field (``zarrc.demo.make_field``),
chunks 512x512, zstd level 1, written once into ``--data`` and reused.

``--telemetry PYTHON`` instead times ``read_small_chunks`` (4096x4096 uint8, chunks 64x64,
zstd level 1: per-chunk costs show) in this interpreter and in ``PYTHON`` (a venv of a commit
without telemetry), alternating processes, to show that telemetry with nobody subscribed costs
nothing measurable.

    python asv_bench/tools/stream_compare.py [--side 8192] [--rounds 7] [--data DIR]
    python asv_bench/tools/stream_compare.py --telemetry /path/to/base/.venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

ZSTD = [{"name": "zstd", "configuration": {"level": 1, "checksum": False}}]


def _array(data_dir: str, side: int, chunk: int) -> str:
    import zarrc
    from zarrc.demo import make_field

    path = os.path.join(data_dir, f"stream-compare-zstd1-{chunk}-{side}.zarr")
    done = os.path.join(path, ".complete")
    if not os.path.exists(done):
        field = make_field(side)
        a = zarrc.create_array(path, shape=field.shape, chunks=(chunk, chunk), dtype="f4",
                               compressors=ZSTD, overwrite=True)
        a[...] = field
        del field
        open(done, "w").close()
    return path


def workloads(path: str) -> dict:
    import dask.array as da
    import zarr

    import zarrc

    a = zarrc.open_array(path, mode="r")
    z = zarr.open_array(path, mode="r")

    def iterate():
        for _ in a.iter_chunks():
            pass

    return {
        "read_full": lambda: a[...],
        "iter_chunks": iterate,
        "sum_own": lambda: a[...].sum(dtype="f8"),
        "sum_to_dask": lambda: a.to_dask().sum(dtype="f8").compute(scheduler="threads"),
        "sum_from_zarr": lambda: da.from_zarr(z).sum(dtype="f8").compute(scheduler="threads"),
    }


def run(path: str, rounds: int) -> dict:
    work = workloads(path)
    sums = {name: float(work[name]()) for name in ("sum_own", "sum_to_dask", "sum_from_zarr")}
    assert max(sums.values()) - min(sums.values()) <= 1e-6 * abs(sums["sum_own"]), sums
    times: dict = {name: [] for name in work}
    for r in range(rounds):
        order = list(work) if r % 2 == 0 else list(reversed(work))  # no fixed first place
        for name in order:
            began = time.perf_counter()
            work[name]()
            times[name].append(time.perf_counter() - began)
    return times


_SMALL = textwrap.dedent("""
    import json, os, sys, time
    import numpy as np
    import zarrc
    path = sys.argv[1]
    if not os.path.exists(os.path.join(path, ".complete")):
        data = (np.arange(4096 * 4096, dtype=np.uint32) * 2654435761 >> 24).astype("u1")
        a = zarrc.create_array(path, shape=(4096, 4096), chunks=(64, 64), dtype="u1",
                               compressors={zstd}, overwrite=True)
        a[...] = data.reshape(4096, 4096)
        open(os.path.join(path, ".complete"), "w").close()
    a = zarrc.open_array(path, mode="r")
    a[...]
    out = []
    for _ in range(int(sys.argv[2])):
        t = time.perf_counter(); a[...]; out.append(time.perf_counter() - t)
    print(json.dumps(out))
""").replace("{zstd}", repr(ZSTD))


def telemetry_cost(base_python: str, data_dir: str, rounds: int, repeats: int) -> dict:
    """read_small_chunks timed in this interpreter and in ``base_python``, alternating."""
    path = os.path.join(data_dir, "stream-compare-small-chunks.zarr")
    subprocess.run([sys.executable, "-c", _SMALL, path, "1"], check=True, capture_output=True)
    times: dict = {"this": [], "base": []}
    for r in range(rounds):
        pair = [("this", sys.executable), ("base", base_python)]
        for label, python in pair if r % 2 == 0 else reversed(pair):
            out = subprocess.run([python, "-c", _SMALL, path, str(repeats)], check=True,
                                 capture_output=True, text=True)
            times[label] += json.loads(out.stdout.strip().splitlines()[-1])
    return times


def _table(times: dict, ratios: list) -> str:
    lines = [f"{'workload':<16} {'median ms':>10} {'min ms':>8}"]
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, values in times.items():
        lines.append(f"{name:<16} {med[name] * 1e3:>10.1f} {min(values) * 1e3:>8.1f}")
    for top, bottom in ratios:
        lines.append(f"{top} / {bottom}: {med[top] / med[bottom]:.2f} (medians), "
                     f"{min(times[top]) / min(times[bottom]):.2f} (minimums)")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=8192)
    parser.add_argument("--chunk", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "zarrc-stream-compare"),
                        help="where the arrays are kept and reused (default: %(default)s)")
    parser.add_argument("--telemetry", metavar="PYTHON", default=None,
                        help="compare read_small_chunks with this interpreter's zarrc")
    parser.add_argument("--json", default=None, help="write every sample here")
    args = parser.parse_args(argv)
    data_dir = args.data
    os.makedirs(data_dir, exist_ok=True)
    with open("/proc/loadavg") if os.path.exists("/proc/loadavg") else open(os.devnull) as f:
        load = f.read().split()[:3]
    print(f"load average before: {' '.join(load) or 'unknown'}")
    if args.telemetry:
        times = telemetry_cost(args.telemetry, data_dir, args.rounds, 5)
        print(_table(times, [("this", "base")]))
    else:
        times = run(_array(data_dir, args.side, args.chunk), args.rounds)
        print(_table(times, [("iter_chunks", "read_full"), ("sum_to_dask", "sum_own"),
                             ("sum_to_dask", "sum_from_zarr")]))
    with open("/proc/loadavg") if os.path.exists("/proc/loadavg") else open(os.devnull) as f:
        print(f"load average after: {' '.join(f.read().split()[:3]) or 'unknown'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(times, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
