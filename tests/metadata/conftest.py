"""Oracle helpers: let zarr-python 3 write real metadata documents to a temporary directory."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pytest


def read_docs(root: Path) -> dict[str, bytes]:
    """Every metadata file under ``root`` as ``{relative key: raw bytes}``."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name in (".zarray", ".zgroup", ".zattrs", ".zmetadata", "zarr.json"):
                path = Path(dirpath, name)
                out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


@pytest.fixture
def zarr_python_array(tmp_path):
    """``make(**create_array_kwargs) -> (array, {key: decoded JSON}, {key: raw bytes})``."""
    zarr = pytest.importorskip("zarr")
    counter = iter(range(1_000_000))

    def make(**kwargs):
        root = tmp_path / f"a{next(counter)}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = zarr.create_array(str(root), **kwargs)
        raw = read_docs(root)
        return arr, {k: json.loads(v) for k, v in raw.items()}, raw

    return make
