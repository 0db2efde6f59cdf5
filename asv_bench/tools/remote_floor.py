"""How fast can *any* client read a Zarr selection over a slow HTTP server on this machine?

Runs a small HTTP server of its own in a separate process (loopback only; every request sleeps
``--latency-ms`` before it is answered, at most ``--slots`` are served at once, HTTP/1.1
keep-alive, bodies sent with ``sendfile``) over an 8192x8192 float32 array (chunks 512x512,
zstd level 1, the field of ``zarrc.demo.make_field``), and times, round by round:

- ``zarrc``: ``zarrc.open_array(url)[selection]``;
- ``tensorstore``: the ``zarr3`` driver over its ``http`` kvstore (when installed);
- ``fetch``: the selection's chunks fetched by ``http.client`` from one thread per chunk
  (keep-alive), nothing else: the network's floor;
- ``fetch+decode``: the same, each thread decompressing its chunk (``zstandard``, GIL released)
  as soon as it arrives and copying its part into the output: the least a client must do.

The selection is ``a[1000:5000, 3000:3500]`` (18 chunks, ``--selection full`` for all 256).
Beside each median it prints the CPU time one call costs, in this process (every thread:
the client's receive and decode) and in the server's (its request handling and ``sendfile``).
Nothing can be decoded before the first answer, one latency in; what is left is CPU work for
the machine's cores, so no client can finish before about ``latency + CPU / cores``: the
``floor`` column (a bound that assumes perfect overlap of everything after the first byte).

    .venv/bin/python asv_bench/tools/remote_floor.py [--rounds 30] [--selection sub|full]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

SIDE, CHUNK = 8192, 512
SELECTIONS = {"sub": (slice(1000, 5000), slice(3000, 3500)),
              "full": (slice(0, SIDE), slice(0, SIDE))}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def serve(root: str, latency: float, slots: int) -> None:
    """Serve ``root`` read-only on a free loopback port; print the port; stop at stdin's end."""
    gate = threading.BoundedSemaphore(slots)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            with gate:
                time.sleep(latency)
                path = os.path.join(root, self.path.lstrip("/"))
                if ".." in self.path.split("/") or not os.path.isfile(path):
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                size = os.path.getsize(path)
                begin, end = 0, size
                match = _RANGE.match(self.headers.get("Range", ""))
                if match and (match[1] or match[2]):
                    if not match[1]:
                        begin = max(0, size - int(match[2]))
                    else:
                        begin, end = int(match[1]), min(size, int(match[2] or size - 1) + 1)
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {begin}-{end - 1}/{size}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(end - begin))
                self.end_headers()
                self.wfile.flush()
                with open(path, "rb") as f:
                    os.sendfile(self.connection.fileno(), f.fileno(), begin, end - begin)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()


def make_array(data_dir: str) -> str:
    """The array, written once into ``data_dir`` and reused."""
    import zarrc
    from zarrc.demo import make_field

    path = os.path.join(data_dir, "remote-floor-zstd1.zarr")
    if not os.path.exists(os.path.join(path, ".complete")):
        a = zarrc.create_array(path, shape=(SIDE, SIDE), chunks=(CHUNK, CHUNK), dtype="f4",
                               compressors=[{"name": "zstd", "configuration": {"level": 1}}],
                               overwrite=True)
        a[...] = make_field(SIDE)
        open(os.path.join(path, ".complete"), "w").close()
    return path


def minimal_clients(port: int, selection: tuple[slice, slice]) -> dict:
    """``fetch`` and ``fetch+decode``: one keep-alive connection and thread per chunk."""
    import zstandard

    rows, cols = selection
    grid = [(i, j) for i in range(rows.start // CHUNK, -(-rows.stop // CHUNK))
            for j in range(cols.start // CHUNK, -(-cols.stop // CHUNK))]
    local = threading.local()
    pool = ThreadPoolExecutor(len(grid))

    def fetch(ij: tuple[int, int]) -> bytes:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", f"/remote-floor-zstd1.zarr/c/{ij[0]}/{ij[1]}")
        return conn.getresponse().read()

    def fetch_decode(ij: tuple[int, int], out: np.ndarray) -> None:
        raw = zstandard.ZstdDecompressor().decompress(fetch(ij))
        chunk = np.frombuffer(raw, "f4").reshape(CHUNK, CHUNK)
        r0, c0 = ij[0] * CHUNK, ij[1] * CHUNK
        rs = slice(max(rows.start, r0), min(rows.stop, r0 + CHUNK))
        cs = slice(max(cols.start, c0), min(cols.stop, c0 + CHUNK))
        out[rs.start - rows.start:rs.stop - rows.start, cs.start - cols.start:cs.stop - cols.start] \
            = chunk[rs.start - r0:rs.stop - r0, cs.start - c0:cs.stop - c0]

    def read_all() -> np.ndarray:
        out = np.empty((rows.stop - rows.start, cols.stop - cols.start), "f4")
        list(pool.map(lambda ij: fetch_decode(ij, out), grid))
        return out

    return {"fetch": lambda: list(pool.map(fetch, grid)), "fetch+decode": read_all}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--selection", choices=sorted(SELECTIONS), default="sub")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--slots", type=int, default=64)
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "zarrc-remote-floor"))
    parser.add_argument("--serve", default=None, help=argparse.SUPPRESS)  # the server process
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.latency_ms / 1000, args.slots)
        return 0
    os.makedirs(args.data, exist_ok=True)
    make_array(args.data)
    server = subprocess.Popen([sys.executable, __file__, "--serve", args.data, "--latency-ms",
                               str(args.latency_ms), "--slots", str(args.slots)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        url = f"http://127.0.0.1:{port}/remote-floor-zstd1.zarr"
        return compare(url, port, server.pid, SELECTIONS[args.selection], args.rounds,
                       args.latency_ms)
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)


def _server_cpu(pid: int) -> float:
    """CPU seconds the server process has used (user + system, from /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def compare(url: str, port: int, server_pid: int, selection: tuple[slice, slice], rounds: int,
            latency_ms: float) -> int:
    import zarrc

    a = zarrc.open_array(url, mode="r")
    work = {"zarrc": lambda: a[selection]}
    try:
        import tensorstore as ts
    except ImportError:
        print("tensorstore: not installed (skipped)")
    else:
        t = ts.open({"driver": "zarr3", "kvstore": {"driver": "http", "base_url": url}}).result()
        work["tensorstore"] = lambda: t[selection].read().result()
    work.update(minimal_clients(port, selection))
    expected = a[selection]
    for name, fn in work.items():  # warm up, and check every reader's values
        got = fn()
        if name != "fetch":
            assert np.array_equal(np.asarray(got), expected), name
    times: dict[str, list[float]] = {name: [] for name in work}
    cpu: dict[str, list[float]] = {name: [] for name in work}
    for _ in range(rounds):
        for name, fn in work.items():
            cpu_began, server_began = time.process_time(), _server_cpu(server_pid)
            began = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - began) * 1e3)
            cpu[name].append((time.process_time() - cpu_began
                              + _server_cpu(server_pid) - server_began) * 1e3)
    with open("/proc/loadavg") if os.path.exists("/proc/loadavg") else open(os.devnull) as f:
        load = " ".join(f.read().split()[:3]) or "unknown"
    best = "tensorstore" if "tensorstore" in times else "zarrc"
    print(f"{rounds} rounds, load average {load}; ratio: median over {best}'s")
    cores = os.cpu_count() or 1
    print(f"{'client':14} {'median ms':>10} {'min ms':>8} {'ratio':>6} {'CPU ms':>7} "
          f"{'floor ms':>9}")
    for name, samples in times.items():
        ratio = statistics.median(samples) / statistics.median(times[best])
        used = statistics.mean(cpu[name])  # the server's clock ticks: a mean, not a median
        print(f"{name:14} {statistics.median(samples):10.1f} {min(samples):8.1f} {ratio:6.2f} "
              f"{used:7.1f} {latency_ms + used / cores:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
