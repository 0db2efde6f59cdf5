"""The kernels release the GIL: they run in several threads at once and never stall Python."""

from __future__ import annotations

import threading
import time

import numpy as np
from numpy.lib.stride_tricks import as_strided

from zarrc._ext.copy import copy_view
from zarrc._ext.delta import delta_decode, delta_encode
from zarrc._ext.fill import fill_view
from zarrc._ext.shuffle import shuffle_decode, shuffle_encode


def _work(seed: int, barrier: threading.Barrier, results: dict) -> None:
    """Every kernel on this thread's own data, started together with the other threads."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((512, 768))
    barrier.wait()
    out = np.empty((768, 512))
    copy_view(out, a.T)
    ok = np.array_equal(out, a.T)
    fill_view(out[::2], np.float64(seed).tobytes())
    ok &= bool((out[::2] == seed).all()) and np.array_equal(out[1::2], a.T[1::2])
    shuffled, back = np.empty_like(a), np.empty_like(a)
    shuffle_encode(a, shuffled, 8)
    shuffle_decode(shuffled, back, 8)
    ok &= np.array_equal(back, a)
    ints = rng.integers(-(2**62), 2**62, a.size)
    enc, dec = np.empty_like(ints), np.empty_like(ints)
    delta_encode(ints, enc)
    delta_decode(enc, dec)
    ok &= np.array_equal(dec, ints)
    results[seed] = ok


def test_kernels_run_concurrently():
    barrier = threading.Barrier(4, timeout=60)
    results: dict[int, bool] = {}
    threads = [threading.Thread(target=_work, args=(s, barrier, results)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == {0: True, 1: True, 2: True, 3: True}


def _long_copy_args(n: int):
    """A copy of n one-byte items that touches a single byte: zero strides on both sides, so it
    is long-running yet needs no memory (nothing merges, the strided loop runs n times)."""
    buf = np.zeros(1, np.uint8)
    dst = as_strided(buf, shape=(n,), strides=(0,), writeable=True)
    src = np.broadcast_to(np.uint8(7), (n,))
    return buf, dst, src


def test_python_progresses_during_a_long_copy():
    """While one thread is inside copy_view, another thread keeps running Python code.

    If the GIL were held, the main thread's loop would stop for the whole call; we assert that
    its longest pause during the call is well under the call's duration (no timing ratio between
    runs is asserted)."""
    n = 10_000_000
    _, dst, src = _long_copy_args(n)
    t = time.perf_counter()
    copy_view(dst, src)
    rate = n / max(time.perf_counter() - t, 1e-6)
    buf, dst, src = _long_copy_args(int(rate * 0.4))  # about 0.4 s in one C call

    span: list[float] = []
    started = threading.Event()

    def worker():
        started.set()
        span.append(time.perf_counter())
        copy_view(dst, src)
        span.append(time.perf_counter())

    thread = threading.Thread(target=worker)
    thread.start()
    started.wait()
    ticks = []
    while thread.is_alive():
        ticks.append(time.perf_counter())
    thread.join()

    t0, t1 = span
    inside = [t0] + [x for x in ticks if t0 < x < t1] + [t1]
    longest_pause = max(b - a for a, b in zip(inside, inside[1:]))
    assert buf[0] == 7
    assert t1 - t0 > 0.05
    assert longest_pause < 0.5 * (t1 - t0), (longest_pause, t1 - t0, len(inside))
