"""SIGKILL at random moments of every mutating operation, over every store that outlives a
process: nothing committed is lost, nothing dropped comes back (docs/reliability.md).

Each trial copies a fresh store, starts a real process that applies a scenario's operations
(kill_model.py), kills it with SIGKILL at a random moment and checks the store against the
model. Every store must hold exactly the state after N or N + 1 operations, with no torn
document or chunk (the FsspecStore over local files writes by a temporary file and a rename,
as LocalStore does; tests/reliability/test_kill_fsspec.py kills it in the middle of large writes).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import time

import engine_paths
import kill_model
import pytest
from reliability_suite import LONG, fresh, last_reported, report, scale, scenario_ids

OPERATIONS = 14
SCENARIOS = [  # (store, zarr_format, sharded)
    ("local", 3, False), ("local", 3, True), ("local", 2, False),
    ("zip", 3, False), ("zip", 2, False), ("zip", 3, True),
    ("fsspec", 3, False), ("sqlite", 3, False), ("sqlite", 2, False), ("lmdb", 3, True),
]


def _context():
    """Children forked from a server that has imported zarrc: real processes that start in
    milliseconds, so a run can afford hundreds of kills."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["numpy", "zarrc", "kill_model", "engine_paths"])
    return ctx


def _start(ctx, kind, path, seed, engine):
    ours, theirs = ctx.Pipe(duplex=False)
    child = ctx.Process(target=kill_model.run_child,
                        args=(kind, path, seed, OPERATIONS, engine, theirs))
    child.start()
    theirs.close()
    assert ours.poll(60) and ours.recv() == "ready", "the child did not start"
    return child, ours



@pytest.mark.parametrize("kind, zarr_format, sharded", SCENARIOS,
                         ids=scenario_ids(SCENARIOS))
def test_sigkill_loses_nothing_and_resurrects_nothing(tmp_path, kind, zarr_format, sharded):
    pytest.importorskip({"fsspec": "fsspec", "lmdb": "lmdb"}.get(kind, "zarrc"))
    seed = hash((kind, zarr_format, sharded)) % 10_000 + (1_000_000 if LONG else 0)
    template = str(tmp_path / f"template.{kind}")
    kill_model.create(kind, template, zarr_format, sharded)
    model = kill_model.states(kill_model.operations(seed, OPERATIONS))

    # One run to the end: the model holds, and it tells how long the operations take.
    ctx = _context()
    path = str(tmp_path / f"full.{kind}")
    fresh(template, path)
    child, conn = _start(ctx, kind, path, seed, "native")
    began = time.monotonic()
    assert last_reported(child, conn) == OPERATIONS and child.exitcode == 0
    duration = time.monotonic() - began
    full = kill_model.check(kind, path, OPERATIONS, model, zarr_format)
    assert (full.bad_values, full.resurrected, full.bad_metadata) == (0, 0, 0), full.problems

    rng = random.Random(seed)
    kills = scale(3, 45)
    totals = kill_model.Verdict()
    per_done = {}
    for trial in range(kills):
        engine = engine_paths.PATHS[trial % 2]
        path = str(tmp_path / f"t{trial}.{kind}")
        fresh(template, path)
        child, conn = _start(ctx, kind, path, seed, engine)
        time.sleep(rng.uniform(0, 0.8 * duration))  # the other path may run faster
        child.kill()  # SIGKILL
        done = last_reported(child, conn)
        per_done[done] = per_done.get(done, 0) + 1
        verdict = kill_model.check(kind, path, done, model, zarr_format)
        for name in ("bad_values", "resurrected", "bad_metadata", "torn"):
            setattr(totals, name, getattr(totals, name) + getattr(verdict, name))
        totals.problems += [f"trial {trial} ({engine}, {done} done): {p}"
                            for p in verdict.problems]
        shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.unlink(path)
    report(f"kill[{kind}-v{zarr_format}{'-sharded' if sharded else ''}]", kills=kills,
           lost_or_bad_values=totals.bad_values, resurrected=totals.resurrected,
           bad_metadata=totals.bad_metadata, torn_chunks=totals.torn,
           kills_by_operations_done=dict(sorted(per_done.items())))
    assert totals.bad_values == 0 and totals.resurrected == 0, totals.problems
    assert totals.bad_metadata == 0, totals.problems
    assert totals.torn == 0, totals.problems
