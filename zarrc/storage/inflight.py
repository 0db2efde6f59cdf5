"""Requests a remote store keeps in flight: the number it was given, else ``zarrc.config``'s.

A store that waits on a network (``ObjectStore``, ``FaultyStore``) is worth many requests at
once; how many is the store's ``fetch_concurrency``: the number its constructor was given,
else ``zarrc.config`` ``storage.fetch_concurrency`` (64), read at each use so that
``zarrc.config.set`` reaches stores already open. Stores bound by a device (a local disk: its
cores; a database: its connection pool) keep their own number.
"""

from __future__ import annotations

from typing import Any

from zarrc import config

__all__ = ["check_fetch_concurrency", "fetch_concurrency"]


def check_fetch_concurrency(value: Any) -> int | None:
    """A constructor's ``fetch_concurrency`` argument: None (follow the config) or an int >= 1."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"fetch_concurrency must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"fetch_concurrency must be at least 1, got {value}")
    return value


def fetch_concurrency(given: int | None) -> int:
    """``given``, or ``zarrc.config`` ``storage.fetch_concurrency`` when it is None."""
    return given if given is not None else config.get("storage.fetch_concurrency")
