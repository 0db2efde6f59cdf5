"""``a.info`` / ``g.info`` and their ``info_complete()``: summaries laid out as zarr-python's.

Pure formatting of values the nodes hand over; the ``*_complete`` forms add what needs a
listing of the store (stored bytes, initialized chunks, member counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ArrayInfo", "GroupInfo", "byte_info", "human_readable_size"]


def human_readable_size(size: int) -> str:
    """``1536`` -> ``1.5K``: binary units with one decimal, plain below 1024."""
    if size < 2**10:
        return f"{size}"
    for exp, unit in ((2, "K"), (3, "M"), (4, "G"), (5, "T")):
        if size < 2 ** (10 * exp):
            return f"{size / 2 ** (10 * (exp - 1)):.1f}{unit}"
    return f"{size / 2**50:.1f}P"


def byte_info(size: int) -> str:
    """``N (human)``, or just ``N`` below 1 KiB."""
    return str(size) if size < 2**10 else f"{size} ({human_readable_size(size)})"


@dataclass(frozen=True)
class ArrayInfo:
    """What ``Array.info`` shows; ``count_*`` fields are filled by ``info_complete()``."""

    zarr_format: int
    data_type: Any
    fill_value: Any
    shape: tuple[int, ...]
    shard_shape: tuple[int, ...] | tuple[tuple[int, ...], ...] | None
    chunk_shape: Any
    order: str
    read_only: bool
    store_type: str
    filters: tuple[Any, ...]
    serializer: Any
    compressors: tuple[Any, ...]
    count_bytes: int
    dimension_names: tuple[Any, ...] | None = None
    count_bytes_stored: int | None = None
    count_chunks_initialized: int | None = None

    def as_rows(self) -> list[tuple[str, Any]]:
        rows: list[tuple[str, Any]] = [
            ("Type", "Array"), ("Zarr format", self.zarr_format), ("Data type", self.data_type),
            ("Fill value", self.fill_value), ("Shape", self.shape)]
        if self.dimension_names is not None:  # zarrc adds the names when there are some
            rows.append(("Dimension names", self.dimension_names))
        if self.shard_shape is not None:
            rows.append(("Shard shape", self.shard_shape))
        rows += [("Chunk shape", self.chunk_shape if self.chunk_shape is not None
                  else "<variable>"),
                 ("Order", self.order), ("Read-only", self.read_only),
                 ("Store type", self.store_type), ("Filters", self.filters)]
        if self.serializer is not None:
            rows.append(("Serializer", self.serializer))
        rows += [("Compressors", self.compressors), ("No. bytes", byte_info(self.count_bytes))]
        stored = self.count_bytes_stored
        if stored is not None:
            rows.append(("No. bytes stored", byte_info(stored)))
            if stored > 0:
                rows.append(("Storage ratio", f"{self.count_bytes / stored:.1f}"))
        if self.count_chunks_initialized is not None:
            what = "Shards" if self.shard_shape is not None else "Chunks"
            rows.append((f"{what} Initialized", self.count_chunks_initialized))
        return rows

    def __repr__(self) -> str:
        rows = self.as_rows()
        width = max(18, *(len(k) for k, _ in rows))
        return "\n".join(f"{k:<{width}} : {v}" for k, v in rows)


@dataclass(frozen=True)
class GroupInfo:
    """What ``Group.info`` shows; the counts come from ``info_complete()``."""

    name: str
    zarr_format: int
    read_only: bool
    store_type: str
    count_members: int | None = None
    count_arrays: int | None = None
    count_groups: int | None = None

    def __repr__(self) -> str:
        rows = [("Name", self.name), ("Type", "Group"), ("Zarr format", self.zarr_format),
                ("Read-only", self.read_only), ("Store type", self.store_type)]
        for label, value in (("No. members", self.count_members),
                             ("No. arrays", self.count_arrays),
                             ("No. groups", self.count_groups)):
            if value is not None:
                rows.append((label, value))
        return "\n".join(f"{k:<11} : {v}" for k, v in rows)
