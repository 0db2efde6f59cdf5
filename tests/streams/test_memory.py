"""Streams run in bounded memory, proven on arrays 24x their in-flight budget: peak traced
memory (tracemalloc) and peak RSS of a fresh process stay under the budget plus a constant.

The budget of a stream of ``concurrency`` C (docs/streaming.md, "Memory"): a read stream
reads R bytes at a time (one chunk of B bytes, or a run of chunks along the last dimension of
up to ``READ_BYTES``) and holds at most C reads in flight, the read it is handing out and the
chunk the consumer holds, with per reading thread its scratch: ``(3 C + 1) R``. A write
stream writes a chunk at a time: ``(3 C + 1) B``. Two layouts: chunks of 256 KiB in a column
(a read per chunk, R = B) and chunks of 32 KiB in rows of 7 (a read per row, R = 7 B).
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
from zarrc.engine.stream import READ_BYTES
from zarrc.testing.engine import KINDS, engine

CONCURRENCY = 2
#: name: (chunk shape, array shape), float64; each array is 42 MiB
LAYOUTS = {"chunk_reads": ((128, 256), (168 * 128, 256)),
           "row_reads": ((16, 256), (192 * 16, 7 * 256))}
TRACED_CONSTANT = 1 << 20  # Python objects, plans, events: well under a chunk or four
RSS_CONSTANT = 12 << 20  # thread stacks touched, malloc arenas, codec contexts


def _budgets(layout: str) -> tuple[int, int]:
    """The read and the write stream's budgets, computed here from the layout."""
    chunk, shape = LAYOUTS[layout]
    chunk_bytes = chunk[0] * chunk[1] * 8
    per_read = max(1, min(READ_BYTES // chunk_bytes, shape[1] // chunk[1]))
    return ((3 * CONCURRENCY + 1) * per_read * chunk_bytes,
            (3 * CONCURRENCY + 1) * chunk_bytes)


def _create(path, layout: str):
    chunk, shape = LAYOUTS[layout]
    return zarrc.create_array(path, shape=shape, chunks=chunk, dtype="f8",
                              compressors=[{"name": "zstd", "configuration": {"level": 1}}])


def _items(layout: str):
    """The array's chunks made on the fly: row r holds r + column / 10000."""
    chunk, shape = LAYOUTS[layout]
    cols = np.arange(shape[1]) / 10000.0
    for i in range(0, shape[0], chunk[0]):
        for j in range(0, shape[1], chunk[1]):
            block = np.arange(i, i + chunk[0], dtype="f8")[:, None] + cols[None, j:j + chunk[1]]
            yield (slice(i, i + chunk[0]), slice(j, j + chunk[1])), block


def _count(layout: str) -> int:
    chunk, shape = LAYOUTS[layout]
    return (shape[0] // chunk[0]) * (shape[1] // chunk[1])


def _expected_sum(layout: str) -> float:
    shape = LAYOUTS[layout][1]
    rows = np.arange(shape[0], dtype="f8")
    cols = np.arange(shape[1]) / 10000.0
    return float(rows.sum() * shape[1] + cols.sum() * shape[0])


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


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_write_then_read_stream_in_bounded_traced_memory(tmp_path, kind, layout):
    read_budget, write_budget = _budgets(layout)
    nbytes = np.prod(LAYOUTS[layout][1]) * 8
    assert nbytes >= 24 * max(read_budget, write_budget)
    a = _create(tmp_path / "m.zarr", layout)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        a.write_chunks(_items(layout), concurrency=CONCURRENCY)
        write_peak = tracemalloc.get_traced_memory()[1] - base
        a = zarrc.open_array(a.store)  # with this engine path
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        total, count = _stream_sum(a)
        read_peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert count == _count(layout) and np.isclose(total, _expected_sum(layout), rtol=1e-12)
    assert write_peak < write_budget + TRACED_CONSTANT, write_peak
    assert read_peak < read_budget + TRACED_CONSTANT, read_peak
    # the oracle the other way: a whole read holds the whole array
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        assert np.isclose(a[...].sum(), _expected_sum(layout), rtol=1e-12)
        whole = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert whole >= nbytes


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

    a = t._create({path!r}, {layout!r})
    # warm up the engine's threads, codecs and allocator on a few chunks first
    items = t._items({layout!r})
    a.write_chunks([next(items) for _ in range(8)], concurrency=t.CONCURRENCY)
    list(a.iter_chunks(concurrency=t.CONCURRENCY, selection=np.s_[:64, :]))
    base = rss("VmRSS"); reset_peak()
    a.write_chunks(t._items({layout!r}), concurrency=t.CONCURRENCY)
    write_peak = rss("VmHWM") - base
    base = rss("VmRSS"); reset_peak()
    total, count = t._stream_sum(zarrc.open_array(a.store))
    read_peak = rss("VmHWM") - base
    print(json.dumps({{"write": write_peak, "read": read_peak, "count": count,
                       "total": total}}))
""")


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux /proc")
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_peak_rss_of_a_fresh_process_stays_under_the_budget(tmp_path, kind, layout):
    here = os.path.dirname(os.path.abspath(__file__))
    code = _CHILD.format(here=here, path=str(tmp_path / "rss.zarr"), layout=layout)
    env = {**os.environ, "ZARRC_NO_NATIVE_IO": "1" if kind == "reference" else "0"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["count"] == _count(layout)
    assert np.isclose(got["total"], _expected_sum(layout), rtol=1e-12)
    read_budget, write_budget = _budgets(layout)  # under 14 MiB, against 42 MiB of data
    assert got["write"] < write_budget + RSS_CONSTANT, got
    assert got["read"] < read_budget + RSS_CONSTANT, got
