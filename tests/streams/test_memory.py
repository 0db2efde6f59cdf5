"""Streams run in bounded memory, proven on an array 24x their in-flight budget: peak traced
memory (tracemalloc) and peak RSS of a fresh process stay under the budget plus a constant.

The budget of a stream of ``concurrency`` C over chunks of B bytes (docs/streaming.md,
"Memory"): C chunks being read or written, the one the consumer holds (or the producer is
making), and per reading or writing thread its scratch (a read or encode buffer and a
decoded chunk): ``(3 C + 1) B``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest

import zarrc
from zarrc.testing.engine import KINDS, engine

CONCURRENCY = 2
CHUNK = (128, 256)  # float64: 256 KiB
CHUNK_BYTES = CHUNK[0] * CHUNK[1] * 8
BUDGET = (3 * CONCURRENCY + 1) * CHUNK_BYTES  # 1.75 MiB
SHAPE = (24 * 128, 7 * 256)  # 42 MiB: 24x the budget
TRACED_CONSTANT = 1 << 20  # Python objects, plans, events: well under a chunk or four
RSS_CONSTANT = 12 << 20  # thread stacks touched, malloc arenas, codec contexts


def _create(path):
    return zarrc.create_array(path, shape=SHAPE, chunks=CHUNK, dtype="f8",
                              compressors=[{"name": "zstd", "configuration": {"level": 1}}])


def _items():
    """The array's chunks made on the fly: row r holds r + column / 10000."""
    cols = np.arange(SHAPE[1]) / 10000.0
    for i in range(0, SHAPE[0], CHUNK[0]):
        for j in range(0, SHAPE[1], CHUNK[1]):
            block = np.arange(i, i + CHUNK[0], dtype="f8")[:, None] + cols[None, j:j + CHUNK[1]]
            yield (slice(i, i + CHUNK[0]), slice(j, j + CHUNK[1])), block


def _expected_sum() -> float:
    rows = np.arange(SHAPE[0], dtype="f8")
    cols = np.arange(SHAPE[1]) / 10000.0
    return float(rows.sum() * SHAPE[1] + cols.sum() * SHAPE[0])


def _stream_sum(a) -> tuple[float, int]:
    total, count = 0.0, 0
    for _, chunk in a.iter_chunks(concurrency=CONCURRENCY):
        total += float(chunk.sum())
        count += 1
    return total, count


@pytest.fixture(params=KINDS)
def kind(request):
    with engine(request.param):
        yield request.param


def test_write_then_read_stream_in_bounded_traced_memory(tmp_path, kind):
    assert SHAPE[0] * SHAPE[1] * 8 >= 20 * BUDGET
    a = _create(tmp_path / "m.zarr")
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        a.write_chunks(_items(), concurrency=CONCURRENCY)
        write_peak = tracemalloc.get_traced_memory()[1] - base
        a = zarrc.open_array(a.store)  # with this engine path
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        total, count = _stream_sum(a)
        read_peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert count == 24 * 7 and np.isclose(total, _expected_sum(), rtol=1e-12)
    assert write_peak < BUDGET + TRACED_CONSTANT, write_peak
    assert read_peak < BUDGET + TRACED_CONSTANT, read_peak
    # the oracle the other way: a whole read holds the whole array
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        assert np.isclose(a[...].sum(), _expected_sum(), rtol=1e-12)
        whole = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert whole >= SHAPE[0] * SHAPE[1] * 8


_CHILD = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {here!r})
    import numpy as np
    import zarrc
    import test_memory as t

    def rss(field):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024

    def reset_peak():
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")

    a = t._create({path!r})
    # warm up the engine's threads, codecs and allocator on a few chunks first
    items = t._items()
    a.write_chunks([next(items) for _ in range(4)], concurrency=t.CONCURRENCY)
    list(a.iter_chunks(concurrency=t.CONCURRENCY, selection=np.s_[:256, :512]))
    base = rss("VmRSS"); reset_peak()
    a.write_chunks(t._items(), concurrency=t.CONCURRENCY)
    write_peak = rss("VmHWM") - base
    base = rss("VmRSS"); reset_peak()
    total, count = t._stream_sum(zarrc.open_array(a.store))
    read_peak = rss("VmHWM") - base
    print(json.dumps({{"write": write_peak, "read": read_peak, "count": count,
                       "total": total}}))
""")


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux /proc")
def test_peak_rss_of_a_fresh_process_stays_under_the_budget(tmp_path, kind):
    here = os.path.dirname(os.path.abspath(__file__))
    code = _CHILD.format(here=here, path=str(tmp_path / "rss.zarr"))
    env = {**os.environ, "ZARRC_NO_NATIVE_IO": "1" if kind == "reference" else "0"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["count"] == 24 * 7 and np.isclose(got["total"], _expected_sum(), rtol=1e-12)
    limit = BUDGET + RSS_CONSTANT  # 13.75 MiB, against 42 MiB of data
    assert got["write"] < limit, got
    assert got["read"] < limit, got
