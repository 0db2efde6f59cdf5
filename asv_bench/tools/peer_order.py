"""Time one peer-harness read workload with the libraries in a chosen order, call by call.

The harness (``../shared/bench/peers.py``) always runs zarrc first in each round. On a VM
that hands free memory back to its host, which library gets cold huge pages for its output
depends on who allocated and freed just before it; this tool shows that by running the same
workload in any order and printing, per call, the wall time, the system time and the page
faults (``getrusage``). Run it with the harness's venv, from the project root::

    /tmp/zarrc-peers/bin/python asv_bench/tools/peer_order.py read_full/none zarrc,zarrs,tensorstore
    /tmp/zarrc-peers/bin/python asv_bench/tools/peer_order.py read_full/none zarrs,zarrc,tensorstore

The arrays are the harness's own (prepared by a ``peers.py`` run of that workload).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

HARNESS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "bench")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workload", help="a read workload of peers.py, e.g. read_full/none")
    p.add_argument("order", help="comma-separated libraries in the order to run them")
    p.add_argument("--rounds", type=int, default=8)
    p.add_argument("--harness", default=HARNESS, help="the folder holding peers.py")
    args = p.parse_args()
    sys.path.insert(0, os.path.abspath(args.harness))
    import peers

    found = [w for w in peers.build_workloads(peers.FULL) if w.name == args.workload]
    if not found or found[0].kind != "read":
        p.error(f"no read workload {args.workload!r} in peers.py")
    wl = found[0]
    root = os.path.join(os.environ.get("ZARRC_BENCH_DATA", "/tmp/zarrc-bench-data"), "full")
    path = peers.DataStore(root).path(wl.dataset)
    names = args.order.split(",")
    libs = {n: peers.ADAPTERS[n]() for n in names}
    for lib in libs.values():
        lib.open(path)
    samples = {n: [] for n in names}
    for _ in range(args.rounds):
        for name, lib in libs.items():
            before, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
            result = lib.read(wl.selection)
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_SELF)
            del result
            samples[name].append((wall * 1e3, (after.ru_stime - before.ru_stime) * 1e3,
                                  after.ru_minflt - before.ru_minflt))
    for name in names:
        cells = " ".join(f"{w:.0f}/{s:.0f}s/{f}f" for w, s, f in samples[name])
        median = statistics.median(w for w, _, _ in samples[name])
        print(f"{name:12s} median {median:7.1f} ms   per call wall/system ms/faults: {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
