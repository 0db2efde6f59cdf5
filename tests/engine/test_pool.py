"""The engine's bounded parallel map."""

import threading
import time

import pytest

from zarrc import config
from zarrc.engine.pool import run_tasks


@pytest.mark.parametrize("threads", [1, 2, 8])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 50])
def test_every_item_runs_once(threads, n):
    seen = []
    lock = threading.Lock()

    def fn(i):
        time.sleep(0.001 * (i % 3))
        with lock:
            seen.append(i)

    with config.override(threads=threads):
        run_tasks(fn, iter(range(n)))
    assert sorted(seen) == list(range(n))


def test_in_flight_is_bounded():
    active = 0
    peak = 0
    lock = threading.Lock()

    def fn(_):
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.005)
        with lock:
            active -= 1

    with config.override(threads=8):
        run_tasks(fn, range(40), max_in_flight=3)
    assert 1 < peak <= 3


def test_first_error_is_raised_and_nothing_runs_after():
    started = []

    def fn(i):
        started.append(i)
        if i == 2:
            raise KeyError("chunk 2")
        time.sleep(0.002)

    with config.override(threads=2), pytest.raises(KeyError, match="chunk 2"):
        run_tasks(fn, range(200))
    assert len(started) < 200


def test_nested_calls_run_inline():
    inner_threads = set()

    def inner(_):
        inner_threads.add(threading.current_thread().name)

    def outer(_):
        run_tasks(inner, range(4))
        inner_threads.add(("outer", threading.current_thread().name))

    with config.override(threads=4):
        run_tasks(outer, range(4))
    names = {n for n in inner_threads if isinstance(n, str)}
    assert all(n.startswith("zarrc") for n in names)


def test_threads_setting_is_validated():
    with pytest.raises(ValueError):
        config.set(threads=0)
    with pytest.raises(KeyError):
        config.get("nope")
