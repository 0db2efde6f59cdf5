"""The reliability suite: SIGKILLs over every store and mutating operation, concurrent metadata
updates across processes, and corrupt input on both engine paths (docs/reliability.md).
Long and short versions: ``reliability_suite``; the engine path: ``engine_paths``.
"""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import engine_paths  # noqa: E402


@pytest.fixture(params=engine_paths.PATHS)
def engine_path(request):
    """Run the test on each engine path (the native loops, the Python engine)."""
    previous = os.environ.get("ZARRC_NO_NATIVE_IO")
    engine_paths.use(request.param)
    yield request.param
    if previous is None:
        os.environ.pop("ZARRC_NO_NATIVE_IO", None)
    else:
        os.environ["ZARRC_NO_NATIVE_IO"] = previous
