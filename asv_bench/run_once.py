"""Run every asv benchmark once, in this interpreter, so none rots between asv runs.

asv itself builds environments and repeats each benchmark many times; CI only needs to know
that every benchmark still sets up, runs and tears down. For each benchmark class and each
combination of its ``params``: ``setup``, every ``time_``/``peakmem_``/``mem_``/``track_``
method once, ``teardown``; a ``setup`` that raises NotImplementedError skips, as in asv
(a benchmark that needs an optional extra). Exits non-zero on the first failure. The data size follows
``ZARRC_ASV_SIDE`` (benchmarks/_data.py); at its default the whole suite takes seconds.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import pathlib
import sys
import time

PREFIXES = ("time_", "peakmem_", "mem_", "track_")


def iter_benchmarks(module):
    for _, cls in inspect.getmembers(module, inspect.isclass):
        if cls.__module__ != module.__name__:
            continue
        methods = [m for m in dir(cls) if m.startswith(PREFIXES)]
        if methods:
            yield cls, methods


def run_class(cls, methods) -> int:
    params = getattr(cls, "params", [])
    if params and not isinstance(params[0], (list, tuple)):
        params = [params]
    combos = list(itertools.product(*params)) if params else [()]
    count = 0
    for combo in combos:
        bench = cls()
        if hasattr(bench, "setup_cache"):
            raise RuntimeError(f"{cls.__name__}: setup_cache is not supported by run_once")
        if hasattr(bench, "setup"):
            try:
                bench.setup(*combo)
            except NotImplementedError as exc:  # asv's "skip": an optional extra is missing
                print(f"  {cls.__name__}{combo or ''}: skipped ({exc})")
                continue
        try:
            for name in methods:
                getattr(bench, name)(*combo)
                count += 1
        finally:
            if hasattr(bench, "teardown"):
                bench.teardown(*combo)
    return count


def main() -> int:
    here = pathlib.Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    total = 0
    t0 = time.perf_counter()
    for path in sorted((here / "benchmarks").glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = importlib.import_module(f"benchmarks.{path.stem}")
        for cls, methods in iter_benchmarks(module):
            t1 = time.perf_counter()
            n = run_class(cls, methods)
            total += n
            print(f"  {path.stem}.{cls.__name__}: {n} calls, {time.perf_counter() - t1:.2f} s")
    print(f"asv benchmarks: {total} calls ran once in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
