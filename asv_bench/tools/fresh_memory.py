"""Time the first touch of a fresh 256 MiB output, warm and after a pause, on 1 and 2 threads.

Every read that returns a new array pays for its output's pages when it first writes them: the
kernel zeroes each page it hands out, and on a VM whose free memory goes back to the host
(free page reporting) a page that has been handed back also costs the host a fault. This tool
separates that cost from any library: ``np.empty`` plus ``madvise(MADV_POPULATE_WRITE)`` over
the array, split by address across 1 or 2 threads, right after a free ("warm") and after a
pause long enough for the memory to be reported ("cold"). It prints wall and process CPU time
per call; CPU equal to wall with 2 threads means the faults were served one at a time. Linux
5.14 or later::

    .venv/bin/python asv_bench/tools/fresh_memory.py [--pause 3.5] [--rounds 5]
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import sys
import threading
import time

import numpy as np

MADV_POPULATE_WRITE = 23
HUGE = 2 << 20
NBYTES = 256 << 20


def populate(a: np.ndarray, parts: int) -> None:
    """Fault in every page of `a`, split by address into `parts` huge-page-aligned pieces."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    base, n = a.ctypes.data, a.nbytes
    step = -(-n // parts // HUGE) * HUGE

    def one(k: int) -> None:
        lo = max(base + k * step, base) & ~4095
        hi = min(base + n, base + (k + 1) * step)
        if hi > lo and libc.madvise(lo, hi - lo, MADV_POPULATE_WRITE) != 0:
            raise OSError(ctypes.get_errno(), "madvise(MADV_POPULATE_WRITE)")
    threads = [threading.Thread(target=one, args=(k,)) for k in range(parts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def touch(parts: int) -> tuple[float, float]:
    """Wall and process CPU milliseconds of allocating and populating one output."""
    t0, c0 = time.perf_counter(), time.process_time()
    a = np.empty(NBYTES, np.uint8)
    populate(a, parts)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    del a
    return wall * 1e3, cpu * 1e3


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pause", type=float, default=3.5, help="seconds before a cold call")
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    for label, pause in (("warm", 0.0), ("cold", args.pause)):
        for parts in (1, 2):
            touch(parts)  # the allocation the warm calls reuse
            samples = []
            for _ in range(args.rounds):
                time.sleep(pause)
                samples.append(touch(parts))
            walls = [w for w, _ in samples]
            print(f"{label} {parts} thread(s): wall median {statistics.median(walls):6.1f} ms; "
                  "calls (wall/cpu ms): " + ", ".join(f"{w:.0f}/{c:.0f}" for w, c in samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
