"""Both chunk-I/O implementations in tests: open arrays with the reference or the native one.

The implementation is chosen when an array is opened (``zarrc.engine.chunk_io``), from the
``ZARRC_NO_NATIVE_IO`` environment variable among others; these helpers set it for arrays
opened inside them. Only tests import this module, never the library.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import zarrc

__all__ = ["KINDS", "engine", "io_kinds", "reopened"]

KINDS = ("reference", "native")


@contextlib.contextmanager
def engine(kind: str) -> Iterator[None]:
    """Arrays opened inside get the ``kind`` implementation ("reference" throughout, or
    "native" wherever their store and codecs allow it)."""
    if kind not in KINDS:
        raise ValueError(f"engine kind must be one of {KINDS}, got {kind!r}")
    old = os.environ.get("ZARRC_NO_NATIVE_IO")
    os.environ["ZARRC_NO_NATIVE_IO"] = "1" if kind == "reference" else "0"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("ZARRC_NO_NATIVE_IO", None)
        else:
            os.environ["ZARRC_NO_NATIVE_IO"] = old


def reopened(array: zarrc.Array, kind: str) -> zarrc.Array:
    """``array`` opened again from its store with the ``kind`` implementation."""
    with engine(kind):
        return zarrc.open_array(array.store, path=array.path,
                                mode="r" if array.read_only else "r+")


def io_kinds(array: zarrc.Array) -> tuple[str, ...]:
    """Which implementation runs each chunk operation of ``array``: (read_box, read_points,
    write_box, encode_shard), each "reference" or "native"."""
    return array._ctx.chunk_io.kinds
