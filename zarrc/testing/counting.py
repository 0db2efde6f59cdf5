"""A MemoryStore that records its traffic, for tests that prove what was (not) read."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

from zarrc.storage import MemoryStore
from zarrc.storage.base import ByteRange

__all__ = ["CountingStore"]

_METADATA_NAMES = ("zarr.json", ".zarray", ".zgroup", ".zattrs", ".zmetadata")


class CountingStore(MemoryStore):
    """``calls`` counts every access (reads, writes, listings); ``reads`` records each data
    read as ``(key, byte_range, bytes returned)`` (metadata documents are left out)."""

    def __init__(self, data: MutableMapping[str, Any] | None = None) -> None:
        super().__init__(data)
        self.calls = 0
        self.reads: list[tuple[str, ByteRange | None, int]] = []

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        self.calls += 1
        value = super().get(key, byte_range)
        if not key.endswith(_METADATA_NAMES):
            self.reads.append((key, byte_range, 0 if value is None else len(value)))
        return value

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        self.calls += 1
        return [self.get(key) for key in keys]

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        self.calls += 1
        value = MemoryStore.get(self, key)
        if value is None:
            return None
        out = super().get_ranges(key, ranges)
        if out is not None and not key.endswith(_METADATA_NAMES):
            self.reads.extend((key, (a, b), len(v)) for (a, b), v in zip(ranges, out))
        return out

    def set(self, key: str, value: Any) -> None:
        self.calls += 1
        return super().set(key, value)

    def delete(self, key: str) -> None:
        self.calls += 1
        return super().delete(key)

    def exists(self, key: str) -> bool:
        self.calls += 1
        return super().exists(key)

    def list_prefix(self, prefix: str) -> list[str]:
        self.calls += 1
        return super().list_prefix(prefix)

    def list_dir(self, prefix: str) -> list[str]:
        self.calls += 1
        return super().list_dir(prefix)
