"""Sharded arrays: a read's plan split by shard, and a shard's inner chunks fetched from any store.

Reads of sharded arrays are planned over the inner chunk grid of the whole array
(``ArrayContext.read_grids``), so edge chunks are recognised as in any array; the plan's rows
are then split per shard (:func:`split_by_shard`). A shard is fetched whole (when the
selection covers it) or as its index and the inner chunks needed, in as few byte ranges as
adjacency allows, through the store's public ``get`` and ``get_ranges``. Every range's length
is checked against what the index claims before anything is decoded, and nothing is ever
allocated from the index's numbers: a corrupt index is a CodecError naming the shard's key.
Both chunk-I/O implementations use this module; they differ only in how they decode.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from zarrc.engine.context import ArrayContext
from zarrc.engine.interfaces import ChunkStore, ShardingLike
from zarrc.errors import CodecError
from zarrc.indexing import BoxPlan

__all__ = ["ShardIndexes", "ShardPart", "StoreShard", "coalesce_ranges", "fetch_inner",
           "naming_shard", "split_by_shard"]


@contextlib.contextmanager
def naming_shard(key: str) -> Iterator[None]:
    """Re-raise a CodecError with the shard's stored key in front: the codec's own message
    names only the part of the shard (its index, an inner chunk) that failed."""
    try:
        yield
    except CodecError as exc:
        if key in str(exc):
            raise
        raise type(exc)(f"chunk {key!r}: {exc}") from exc


@dataclass(frozen=True)
class ShardPart:
    """One shard's share of a read planned over the inner chunk grid."""

    coords: tuple[int, ...]  # the shard's grid coordinates
    rows: tuple[np.ndarray, ...]  # per dimension, the plan's rows in this shard (int64)
    local: tuple[list[int], ...]  # per dimension, those rows' inner chunk coordinates in it
    complete: bool  # every in-bounds element of the shard is selected
    region: tuple[slice, ...]  # the shard's part of the full box (integer dimensions: length 1)

    @property
    def total(self) -> int:
        """Its inner chunks (the product of its rows)."""
        return math.prod(len(r) for r in self.rows)

    def flat_inner(self, cps: tuple[int, ...]) -> np.ndarray:
        """Its inner chunks' C-order positions in the shard index, in the rows' order."""
        flat = np.zeros((), dtype=np.int64)
        for local, n in zip(self.local, cps):
            flat = flat[..., None] * n + np.asarray(local, dtype=np.int64)
        return flat.reshape(-1)

    def inner_coords(self) -> list[tuple[int, ...]]:
        """Its inner chunks' coordinates within the shard, in the rows' order."""
        return list(itertools.product(*self.local))


_Run = tuple[int, np.ndarray, list[int], bool, slice]
"""One dimension's run of rows in one shard: the shard's index, the rows, their inner chunk
coordinates in the shard, whether they cover it, and their part of the box."""


def _runs(rows: np.ndarray, cps: int, shard: int, size: int) -> list[_Run]:
    """One dimension's rows split into runs falling in one shard each (rows are monotonic)."""
    listed = rows.tolist()
    runs: list[_Run] = []
    a = 0
    for b in range(1, len(listed) + 1):
        if b == len(listed) or listed[b][0] // cps != listed[a][0] // cps:
            part = listed[a:b]
            s = part[0][0] // cps
            box = [r[4] for r in part]
            lo = min(box)
            hi = max(r[4] + r[3] for r in part)
            complete = sum(r[3] for r in part) == min(shard, size - s * shard)
            runs.append((s, rows[a:b], [r[0] - s * cps for r in part], complete,
                         slice(lo, hi)))
            a = b
    return runs


def split_by_shard(
    plan: BoxPlan, shard_shape: tuple[int, ...], inner_shape: tuple[int, ...]
) -> list[ShardPart]:
    """The plan (over the inner chunk grid, its index arrays sorted) split into shards."""
    cps = tuple(s // c for s, c in zip(shard_shape, inner_shape))
    per_dim = [_runs(rows, n, s, size) for rows, n, s, size in
               zip(plan.rows, cps, shard_shape, plan.shape)]
    parts = []
    for combo in itertools.product(*per_dim):
        parts.append(ShardPart(tuple(r[0] for r in combo), tuple(r[1] for r in combo),
                               tuple(r[2] for r in combo), all(r[3] for r in combo),
                               tuple(r[4] for r in combo)))
    return parts


def coalesce_ranges(
    ranges: Sequence[tuple[int, int] | None],
) -> list[tuple[int, int, list[int]]]:
    """Merge byte ranges that touch or overlap: ``[(start, stop, [indices of ranges])]``.

    ``None`` entries (missing inner chunks) are skipped.
    """
    present = sorted((r[0], r[1], i) for i, r in enumerate(ranges) if r is not None)
    merged: list[tuple[int, int, list[int]]] = []
    for start, stop, i in present:
        if merged and start <= merged[-1][1]:
            s0, s1, members = merged[-1]
            merged[-1] = (s0, max(s1, stop), members + [i])
        else:
            merged.append((start, stop, [i]))
    return merged


def _entries(index: np.ndarray, flat: np.ndarray) -> list[tuple[int, int] | None]:
    """``(offset, nbytes)`` per wanted inner chunk, ``None`` for a missing one."""
    table = np.asarray(index).reshape(-1, 2)[flat].tolist()
    return [None if off == 2**64 - 1 else (off, n) for off, n in table]


Buffer = bytes | memoryview
"""Bytes read from a store or a file (a view of a thread's scratch buffer)."""


class ShardSource(Protocol):
    """Reads one shard: whole, its index, or byte ranges (:class:`StoreShard` from the store,
    ``zarrc.engine.native.files.FileShard`` from a local file); None when it is missing."""

    def read_all(self) -> Buffer | None: ...
    def read_index(self, byte_range: tuple[int, int | None]) -> Buffer | None: ...
    def read_ranges(self, ranges: list[tuple[int, int]]) -> Sequence[Buffer] | None: ...


class StoreShard:
    """A shard read through the store's public reads (any store)."""

    def __init__(self, store: ChunkStore, key: str) -> None:
        self.store, self.key = store, key

    def read_all(self) -> bytes | None:
        """The whole shard, or None when it does not exist."""
        return self.store.get(self.key)

    def read_index(self, byte_range: tuple[int, int | None]) -> bytes | None:
        """The bytes of ``byte_range`` (a ``Store.get`` range: the index), or None."""
        return self.store.get(self.key, byte_range=byte_range)

    def read_ranges(self, ranges: list[tuple[int, int]]) -> list[bytes | memoryview] | None:
        """The bytes of each absolute ``(start, stop)`` range (shorter ones past the end), or
        None when the shard went away meanwhile (``get_ranges_buffers``: only read, never
        kept, so the store need not copy them)."""
        return self.store.get_ranges_buffers(self.key, ranges)


class _Slot:
    __slots__ = ("ready", "value", "error")

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.value: np.ndarray | None = None
        self.error: BaseException | None = None


class ShardIndexes:
    """The parsed indexes of the last ``capacity`` shards a stream read, so that reading a
    shard's inner chunks one by one reads its index once. Threads asking for an index that is
    being read wait for that read instead of reading it again. ``reads`` counts index reads."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, int(capacity))
        self.reads = 0
        self._lock = threading.Lock()
        self._slots: OrderedDict[str, _Slot] = OrderedDict()

    def get(self, key: str, load: Callable[[], np.ndarray | None]) -> np.ndarray | None:
        """The index of shard ``key`` (None: no shard), ``load()``-ed on first use."""
        with self._lock:
            found = self._slots.get(key)
            owner = found is None
            if found is None:
                slot = self._slots[key] = _Slot()
                self.reads += 1
                while len(self._slots) > self.capacity:
                    self._slots.popitem(last=False)
            else:
                slot = found
                self._slots.move_to_end(key)
        if owner:
            try:
                slot.value = load()
            except BaseException as exc:
                slot.error = exc
                with self._lock:
                    if self._slots.get(key) is slot:
                        del self._slots[key]
                raise
            finally:
                slot.ready.set()
        else:
            slot.ready.wait()
            if slot.error is not None:
                raise slot.error
        return slot.value

    def clear(self) -> None:
        with self._lock:
            self._slots.clear()


def fetch_inner(ctx: ArrayContext, key: str, flat: np.ndarray, whole: bool,
                source: ShardSource | None = None) -> list[memoryview | None] | None:
    """The stored bytes of the inner chunks at index positions ``flat`` of shard ``key`` (None
    for a missing inner chunk), or None when the shard does not exist.

    ``whole`` reads the shard in one request (its index checked against its size), else the
    index and then the needed inner chunks (each range's length checked against the index).
    ``source`` reads the shard (default: :class:`StoreShard`). Raises CodecError naming
    ``key`` for a corrupt index or shard.
    """
    codec = ctx.pipeline.sharding
    if codec is None:
        raise TypeError(f"chunk {key!r}: the array is not sharded")
    source = StoreShard(ctx.store, key) if source is None else source
    with naming_shard(key):
        if whole:
            data = source.read_all()
            if data is None:
                return None
            view = memoryview(data).cast("B")
            size = len(view)
            if size < codec.index_size():
                raise CodecError(f"the shard is {size} bytes, shorter than its "
                                 f"{codec.index_size()}-byte index")
            start, stop = codec.index_byte_range(size)
            index = codec.parse_index(view[start:stop], shard_size=size)
            return [None if e is None else view[e[0]:e[0] + e[1]] for e in _entries(index, flat)]
        if ctx.shard_indexes is None:
            found = _read_index(codec, source)
        else:
            found = ctx.shard_indexes.get(key, lambda: _read_index(codec, source))
        if found is None:
            return None
        wanted = _entries(found, flat)
        merged = coalesce_ranges([None if e is None else (e[0], e[0] + e[1]) for e in wanted])
        got = source.read_ranges([(a, b) for a, b, _ in merged]) if merged else []
        if got is None:  # the shard went away after its index was read: nothing stored
            return None
        pieces: list[memoryview | None] = [None] * len(wanted)
        for (a, b, members), data in zip(merged, got):
            if data is None or len(data) != b - a:
                raise _outside(codec, flat, wanted, members[-1])
            view = memoryview(data).cast("B")
            for i in members:
                entry = wanted[i]
                assert entry is not None  # coalesced ranges are those of present chunks
                off, n = entry
                pieces[i] = view[off - a:off - a + n]
        return pieces


def _read_index(codec: ShardingLike, source: ShardSource) -> np.ndarray | None:
    """The parsed index of the shard ``source`` reads, or None when there is no shard."""
    index_bytes = source.read_index(codec.index_byte_range())
    return None if index_bytes is None else codec.parse_index(index_bytes)


def _outside(codec: ShardingLike, flat: np.ndarray, wanted: list[tuple[int, int] | None],
             i: int) -> CodecError:
    coords = tuple(int(c) for c in np.unravel_index(int(flat[i]), codec.chunks_per_shard()))
    entry = wanted[i]
    assert entry is not None  # only present chunks' ranges are checked
    return CodecError(f"inner chunk {coords} at offset {entry[0]} with {entry[1]} "
                      "bytes lies outside the shard")
