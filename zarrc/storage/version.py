"""The version of a stored value, for the conditional writes of stores that keep no version.

The databases (SQLite, LMDB, Redis) version a value by the SHA-1 of its bytes: Redis can
compute it inside a script, and equal contents having equal versions is harmless for a
read-modify-write (the update it would redo is the same).
"""

from __future__ import annotations

import hashlib
from typing import Any

__all__ = ["ContentVersioned", "content_version"]


def content_version(value: Any) -> str:
    """The version token of a stored value (the hex SHA-1 of its bytes)."""
    return hashlib.sha1(value, usedforsecurity=False).hexdigest()


class ContentVersioned:
    """Mixin of the stores that version a value by its content: ``get_versioned`` from ``get``
    (their ``set_if`` compares ``content_version`` of the current value in one transaction)."""

    supports_conditional_writes = True

    def get_versioned(self, key: str) -> tuple[bytes | None, str | None]:
        value = self.get(key)  # type: ignore[attr-defined]
        return (None, None) if value is None else (value, content_version(value))
