"""``StorePath``: a store plus a path inside it (zarr-python's name), usable as ``store=``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, TypeAlias

from zarrc.storage.base import Store

__all__ = ["StoreLike", "StorePath"]


@dataclass(frozen=True)
class StorePath:
    """``StorePath(store, "a/b")``; ``sp / "c"`` is ``StorePath(store, "a/b/c")``."""

    store: Store
    path: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", (self.path or "").strip("/"))

    def __truediv__(self, other: str) -> StorePath:
        other = str(other).strip("/")
        return StorePath(self.store, f"{self.path}/{other}" if self.path and other
                         else self.path or other)

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    def get(self, key: str = "", byte_range: Any = None) -> bytes | None:
        """The value at this path (joined with ``key``)."""
        return self.store.get((self / key).path, byte_range)

    def set(self, value: Any, key: str = "") -> None:
        self.store.set((self / key).path, value)

    def delete(self, key: str = "") -> None:
        self.store.delete((self / key).path)

    def exists(self, key: str = "") -> bool:
        return self.store.exists((self / key).path)

    def __str__(self) -> str:
        base = str(self.store)
        return f"{base}/{self.path}" if self.path else base


# What a ``store=`` argument may be (zarr-python's name): a Store, a StorePath, a local path or
# URL, a dict (a MemoryStore over it) or None (a new MemoryStore); see make_store.
StoreLike: TypeAlias = Store | StorePath | str | os.PathLike[str] | dict[str, Any] | None
