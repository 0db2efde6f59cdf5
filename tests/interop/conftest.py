"""Shared fixtures of the interop suite: import path for the helpers, the zarr 2 peer runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:  # datagen, cases, checks live beside the tests
    sys.path.insert(0, HERE)

PEER_SCRIPT = os.path.join(HERE, "zarr2_peer.py")
ZARR2_ENV = "ZARRC_ZARR2_PYTHON"


@pytest.fixture(scope="session")
def zarr2_python():
    """Path of the python of the zarr 2.18 venv, from $ZARRC_ZARR2_PYTHON (else skip)."""
    python = os.environ.get(ZARR2_ENV)
    if not python:
        pytest.skip(f"{ZARR2_ENV} is not set; create the zarr 2 peer venv with "
                    f'`export {ZARR2_ENV}="$(bash .ci/zarr2-peer.sh)"`')
    if not os.access(python, os.X_OK):
        pytest.fail(f"{ZARR2_ENV}={python} is not an executable python")
    return python


@pytest.fixture(scope="session")
def zarr2_run(zarr2_python):
    """Run one zarr2_peer command (many cases) in the zarr 2 venv; return its results list."""

    def run(command):
        proc = subprocess.run([zarr2_python, PEER_SCRIPT], input=json.dumps(command),
                              capture_output=True, text=True, timeout=300, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"zarr2_peer failed ({proc.returncode}):\n{proc.stderr}")
        answer = json.loads(proc.stdout)
        assert answer["zarr"].startswith("2."), answer["zarr"]
        return answer["results"]

    return run
