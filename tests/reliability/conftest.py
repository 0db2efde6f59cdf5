"""The reliability suite: SIGKILLs over every store and mutating operation, concurrent metadata
updates across processes, and corrupt input on both engine paths (docs/reliability.md).

``ZARRC_RELIABILITY_LONG=1`` runs the long version (the figures in docs/reliability.md);
without it a short version runs in CI. ``ZARRC_RELIABILITY_REPORT=FILE`` appends each test's
figures to FILE as JSON lines.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import engine_paths  # noqa: E402

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


@pytest.fixture(params=engine_paths.PATHS)
def engine_path(request):
    """Run the test on each engine path (the native loops, the Python engine)."""
    previous = os.environ.get("ZARRC_NO_NATIVE_IO")
    engine_paths.use(request.param)
    yield request.param
    engine_paths.use("python" if previous else "native")
