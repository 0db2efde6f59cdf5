"""SIGKILL at random moments of ``write_chunks`` (checkpointed), ``a[...] = x``, a resize and
group and attribute updates, then a restart from the last checkpoint: nothing torn, nothing
listed that is not a document or a chunk, values and metadata as after N or N + 1 operations,
at most one batch of items taken again, and after the restart exactly the right data
(docs/streaming.md, "Crashes and resuming"; the model: stream_kill_model.py).

The short version (4 kills per scenario) runs in CI; ``ZARRC_RELIABILITY_LONG=1`` runs 20.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import time
import zlib

import engine_paths
import pytest
import stream_kill_model as model
from reliability_suite import LONG, fresh, report, scale, scenario_ids

SCENARIOS = [  # (store, zarr_format, sharded)
    ("local", 3, False), ("local", 2, False), ("local", 3, True), ("sqlite", 3, False),
]


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["numpy", "zarrc", "stream_kill_model", "engine_paths"])
    return ctx


class Run:
    """What a child reported: operations done (and when, from its start), the last
    checkpoint's items, the items it took from the iterable, its exit code."""

    def __init__(self, start: int) -> None:
        self.done, self.token, self.pulled, self.times, self.code = start, None, [], {}, None


def _run(ctx, kind, path, token_path, start, engine, kill_after=None) -> Run:
    """Run the child from operation ``start``; kill it ``kill_after`` seconds after it is
    ready (None: let it finish)."""
    ours, theirs = ctx.Pipe(duplex=False)
    child = ctx.Process(target=model.run_child,
                        args=(kind, path, token_path, start, engine, theirs))
    child.start()
    theirs.close()
    assert ours.poll(60) and ours.recv() == ("ready", start), "the child did not start"
    began = time.monotonic()
    run = Run(start)
    if kill_after is not None:
        time.sleep(kill_after)
        child.kill()  # SIGKILL
    try:
        while True:
            if not ours.poll(120):
                break
            what, n = ours.recv()
            if what == "done":
                run.done = n
                run.times[n] = time.monotonic() - began
            elif what == "token":
                run.token = n
            elif what == "pulled":
                run.pulled.append(n)
    except EOFError:  # the child is gone and everything it sent is read
        pass
    ours.close()
    child.join(60)
    assert child.exitcode is not None, "the child hung"
    run.code = child.exitcode
    if kill_after is None:
        assert run.code == 0
    return run


@pytest.mark.parametrize("kind, zarr_format, sharded", SCENARIOS,
                         ids=scenario_ids(SCENARIOS))
def test_a_killed_stream_resumes_to_exactly_the_right_data(tmp_path, kind, zarr_format,
                                                           sharded):
    seed = zlib.crc32(f"{kind}{zarr_format}{sharded}".encode()) + (1 << 32 if LONG else 0)
    template = str(tmp_path / f"template.{kind}")
    model.create(kind, template, zarr_format, sharded)
    ctx = _context()

    # One run to the end per engine path: the model holds, and they tell how long the
    # operations take (the first run also warms the forkserver up).
    timing = {}
    for engine in (*engine_paths.PATHS, engine_paths.PATHS[0]):
        path, token_path = str(tmp_path / f"full.{kind}"), str(tmp_path / "full.token")
        fresh(template, path)
        full = _run(ctx, kind, path, token_path, 0, engine)
        assert full.done == len(model.OPERATIONS)
        assert full.pulled == list(range(len(model.tiles())))
        assert model.final_problems(kind, path) == []
        timing[engine] = (full.times[1], full.times[len(model.OPERATIONS)])
        shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.unlink(path)
        os.unlink(token_path)

    rng = random.Random(seed)
    kills = scale(4, 20)
    figures = {"kills": 0, "during_write_chunks": 0,
               "items_taken_again_max": 0, "resumed_from_a_token": 0}
    per_done = {}
    trial = -1
    # The planned kills, then (a loaded machine can run the child faster or slower than the
    # warm-up measured) more aimed inside write_chunks until one lands there, a few at most.
    while trial + 1 < kills or (figures["during_write_chunks"] == 0 and trial + 1 < kills + 6):
        trial += 1
        figures["kills"] += 1
        engine = engine_paths.PATHS[trial % 2]
        path = str(tmp_path / f"t{trial}.{kind}")
        token_path = str(tmp_path / f"t{trial}.token")
        fresh(template, path)
        # two kills in three inside write_chunks (the first and longest operation), the third
        # in the operations after it (the other path may run faster: a little margin)
        streamed, everything = timing[engine]
        inside = trial % 3 or trial >= kills
        when = rng.uniform(0, streamed) if inside else rng.uniform(streamed, everything)
        killed = _run(ctx, kind, path, token_path, 0, engine, when * 0.9)
        done, token, pulled = killed.done, killed.token, killed.pulled
        per_done[done] = per_done.get(done, 0) + 1
        if done == len(model.OPERATIONS) or (inside and done > 0):
            # the runs went faster than measured: aim earlier
            timing[engine] = tuple(0.7 * t for t in timing[engine])
        problems = model.check(kind, path, done)
        assert problems == [], f"trial {trial} ({engine}, {done} done): {problems}"
        saved = None
        if os.path.exists(token_path):
            with open(token_path) as f:
                saved = json.load(f)  # never torn: written to a temporary file, renamed
        if done == 0:
            figures["during_write_chunks"] += 1
            stored = saved["items"] if saved else 0
            assert token is None or stored >= token  # what the child last said is saved
            again = max(pulled, default=-1) + 1 - stored  # taken past the checkpoint
            assert again <= model.BATCH, (trial, stored, max(pulled))
            figures["items_taken_again_max"] = max(figures["items_taken_again_max"], again)
            figures["resumed_from_a_token"] += saved is not None
        # Restart from the operation after the last one done, write_chunks from its token.
        again = _run(ctx, kind, path, token_path, done, engine)
        assert again.done == len(model.OPERATIONS)
        if done == 0:  # the items before the token are taken (and skipped), then the rest
            assert again.pulled == list(range(len(model.tiles())))
        assert model.final_problems(kind, path) == [], f"trial {trial} after the restart"
        shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.unlink(path)
    report(f"kill_streams[{kind}-v{zarr_format}{'-sharded' if sharded else ''}]", **figures,
           kills_by_operations_done=dict(sorted(per_done.items())))
    assert figures["during_write_chunks"] >= 1
