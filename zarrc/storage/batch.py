"""The batched read forms, in one place for every store of this package.

``Store.get_many`` answers a list in key order (the engine's store seam);
:func:`many_result` is the one function that builds a ``get_many`` answer here, and
:func:`many_values` reads one, in that form or the ``{key: value}`` dict of older plug-ins. :func:`get_ranges`
calls a store's ``get_ranges`` where it has one, else reads each range with ``get``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["get_ranges", "many_result", "many_values"]


def many_result(keys: Sequence[str], values: Sequence[bytes | None]) -> list[bytes | None]:
    """The ``get_many`` answer for ``keys`` given their ``values`` (in the same order)."""
    return list(values)


def many_values(keys: Sequence[str], result: Any) -> list[bytes | None]:
    """The values of a ``get_many`` answer for ``keys``, in key order, whatever its form."""
    if isinstance(result, Mapping):
        return [result.get(key) for key in keys]
    values = list(result)
    if len(values) != len(keys):
        raise ValueError(f"get_many returned {len(values)} values for {len(keys)} keys")
    return values


def get_ranges(store: Any, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
    """``store.get_ranges(key, ranges)``, or one ``get`` per range for a store without it:
    the bytes of each absolute ``[start, stop)`` range, or ``None`` if ``key`` is absent."""
    method = getattr(store, "get_ranges", None)
    if method is not None:
        found: list[bytes] | None = method(key, ranges)
        return found
    out = []
    for start, stop in ranges:
        value = store.get(key, (start, stop))
        if value is None:
            return None
        out.append(value)
    if not ranges and not store.exists(key):
        return None
    return out
