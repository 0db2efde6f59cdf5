"""Shared fixtures for the codec tests: peers (numcodecs, zarr-python) and sample data."""

from __future__ import annotations

import warnings

import numpy as np
import pytest


@pytest.fixture(scope="session")
def numcodecs():
    """numcodecs with blosc single-threaded (as zarr-python sets it), so output is reproducible."""
    nc = pytest.importorskip("numcodecs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import numcodecs.blosc
        import numcodecs.checksum32
    numcodecs.blosc.use_threads = False
    return nc


@pytest.fixture(scope="session")
def zarr():
    z = pytest.importorskip("zarr")
    return z


def sample_buffers() -> list[bytes]:
    """Byte strings of varied structure: empty, tiny, text-like, numeric, random, runs."""
    rng = np.random.default_rng(1234)
    return [
        b"",
        b"a",
        b"hello zarr " * 37,
        np.arange(5000, dtype="<f8").tobytes(),
        rng.integers(0, 20, 20000, dtype="<i4").tobytes(),
        rng.bytes(3001),
        bytes(70000),
    ]


@pytest.fixture(params=range(len(sample_buffers())), ids=lambda i: f"buf{i}")
def buffer(request) -> bytes:
    return sample_buffers()[request.param]
