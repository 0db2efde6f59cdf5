"""``list_dir`` derived from the keys under a prefix, for stores that list only full keys."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["dir_names"]


def dir_names(prefix: str, keys: Iterable[str]) -> list[str]:
    """The sorted, distinct names directly under the normalized ``prefix`` of ``keys`` (every
    key under it, in full): ``'a'`` with ``['a/b', 'a/c/d']`` gives ``['b', 'c']``."""
    skip = len(prefix) + 1 if prefix else 0
    return sorted({key[skip:].split("/", 1)[0] for key in keys})
