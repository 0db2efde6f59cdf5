"""The version of a stored value, for the conditional writes of stores that keep no version.

The databases (SQLite, LMDB, Redis) version a value by the SHA-1 of its bytes: Redis can
compute it inside a script, and equal contents having equal versions is harmless for a
read-modify-write (the update it would redo is the same).
"""

from __future__ import annotations

import hashlib
from typing import Any

__all__ = ["content_version"]


def content_version(value: Any) -> str:
    """The version token of a stored value (the hex SHA-1 of its bytes)."""
    return hashlib.sha1(value, usedforsecurity=False).hexdigest()
