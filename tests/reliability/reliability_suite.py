"""What the reliability tests share: the long/short switch and the figures report.

``ZARRC_RELIABILITY_LONG=1`` runs the long version (the figures in docs/reliability.md);
without it a short version runs in CI. ``ZARRC_RELIABILITY_REPORT=FILE`` appends each test's
figures to FILE as JSON lines. (A module of its own, not conftest: child processes import the
test modules by name, and ``conftest`` names a module in several test directories.)
"""

from __future__ import annotations

import json
import os
import shutil

LONG = os.environ.get("ZARRC_RELIABILITY_LONG") == "1"


def scale(short: int, long: int) -> int:
    """``short`` in CI, ``long`` with ZARRC_RELIABILITY_LONG=1."""
    return long if LONG else short


def report(test: str, **figures) -> None:
    """Record a test's figures (see the module docstring)."""
    path = os.environ.get("ZARRC_RELIABILITY_REPORT")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"test": test, **figures}) + "\n")


def fresh(template: str, path: str) -> None:
    """A copy of the store ``template`` (a directory or a file) at ``path``."""
    if os.path.isdir(template):
        shutil.copytree(template, path)
    else:
        shutil.copyfile(template, path)


def scenario_ids(scenarios) -> list[str]:
    """Test ids of ``(store, zarr_format, sharded)`` scenarios: ``local-v3-sharded``."""
    return [f"{k}-v{f}{'-sharded' if s else ''}" for k, f, s in scenarios]


def last_reported(child, conn) -> int:
    """The last count the (ended or killed) child ``child`` sent on ``conn`` (0 if none):
    a killed child's pipe may end mid-message."""
    child.join()
    done = 0
    try:
        while conn.poll():
            done = conn.recv()
    except EOFError:
        pass
    conn.close()
    return done
