"""The user-guide tests: each example runs with zarrc and, as the oracle, with zarr-python 3.

``same_output(example)`` calls ``example(lib)`` once with ``zarr`` and once with ``zarrc``,
each in a fresh working directory, and asserts both print the same text (up to memory
addresses and a memory store's id); it returns what zarrc printed.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import warnings

import pytest

import zarrc


@pytest.fixture(scope="session")
def zarr():
    return pytest.importorskip("zarr")


def normalize(text: str) -> str:
    text = re.sub(r"0x[0-9a-fA-F]+", "0x?", text)
    return re.sub(r"memory://\d+", "memory://?", text)


def printed(example, lib, where) -> str:
    """What ``example(lib)`` prints, run in directory ``where``."""
    out = io.StringIO()
    old = os.getcwd()
    os.makedirs(where, exist_ok=True)
    os.chdir(where)
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            example(lib)
    finally:
        os.chdir(old)
    return normalize(out.getvalue())


@pytest.fixture
def same_output(zarr, tmp_path):
    def check(example):
        expected = printed(example, zarr, tmp_path / "zarr")
        got = printed(example, zarrc, tmp_path / "zarrc")
        assert got == expected
        return got

    return check
