"""What the native loops know of one array (worked out at open), and per-thread scratch."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeGuard

import numpy as np

from zarrc import config
from zarrc._ext import chunkio, chunkpoints
from zarrc.engine import observe
from zarrc.engine.context import ArrayContext
from zarrc.engine.fetch import batch_bounds, batch_size, batches_gets, fetch_window, run_fetched
from zarrc.engine.interfaces import ChunkStore, LocalFilesLike, NativeChainLike
from zarrc.engine.native.files import read_located
from zarrc.engine.pool import run_tasks
from zarrc.errors import CodecError

__all__ = ["MAX_CHUNK_BYTES", "NativeArray", "chain_decodes", "chain_encodes", "fetch_batches",
           "fetch_values", "missing_codec", "run_files", "run_read", "run_split", "settle",
           "task_ranges", "thread_state"]

# The C loops hold a decoded chunk per thread before reading any: larger chunks stay on the
# reference path, which looks at what a stored chunk can decode to before allocating for it.
MAX_CHUNK_BYTES = 1 << 30
_KEEP_BYTES = 16 << 20  # scratch buffers up to this size stay with their thread
_KEEP_SLOTS = 4  # read buffers a thread keeps (slot 0 up to _KEEP_BYTES, others a quarter)
_CHUNKS_PER_TASK = 8  # small chunks per task at least
_BIG_CHUNK = 1 << 16  # decoded bytes from which one chunk is worth a task of its own
_KEY_ROOM = 2 + 64 * 21  # the longest key the C loops build (zc_chunkio's path room)
_PATH_MAX = 4096 - 128  # ZC_CHUNKIO_PATH_MAX less a temporary name
_BATCH_BYTES = 64 << 20  # decoded bytes of one get_many batch at most
_LOCATED_BYTES = 8 << 20  # decoded bytes of one batch read from located files (thread scratch)


KeysOf = Callable[[int, int], list[str]]
"""``keys_of(begin, end)``: the store keys of a loop's entries ``begin .. end-1``."""


def chain_decodes(chain: NativeChainLike | None) -> TypeGuard[NativeChainLike]:
    """True if the native loops can read chunks of ``chain`` (a ``NativeChain`` or None)."""
    return (chain is not None and 0 < chain.nbytes <= MAX_CHUNK_BYTES
            and chunkio.decodes(None if chain.codec is None else chain.codec.name))


def missing_codec(chain: NativeChainLike | None) -> str | None:
    """The codec of ``chain`` that the native loops would run but for this build lacking its
    library (e.g. ``"zstd"`` built without libzstd), else None."""
    if chain is None or chain.codec is None or chunkio.decodes(chain.codec.name):
        return None
    return chain.codec.name


def chain_encodes(chain: NativeChainLike | None) -> bool:
    """True if they can also write them (the codec's own bytes: raw, zstd, blosc)."""
    if not chain_decodes(chain):
        return False
    return chain.codec is None or (chain.codec.encode and chunkio.encodes(chain.codec.name))


class NativeArray:
    """One array as the native loops take it: chunk coding, key encoding, the store's files."""

    def __init__(self, ctx: ArrayContext, chain: NativeChainLike,
                 chunk_shape: tuple[int, ...]) -> None:
        self.chain = chain
        spec = chain.codec
        self.codec = None if spec is None else spec.name
        self.label = "bytes" if spec is None else spec.name
        self.order = chain.order
        self.chunks = tuple(chunk_shape)
        self.itemsize = ctx.dtype.itemsize
        self.fill = ctx.fill_bytes or bytes(self.itemsize)
        self.encoder: dict[str, Any] = {} if spec is None else {
            "level": spec.level, "checksum": spec.checksum, "shuffle": spec.shuffle,
            "typesize": spec.typesize, "blocksize": spec.blocksize, "cname": spec.cname or "lz4"}
        encoding = ctx.key_encoding
        self.key_name = encoding.name
        self.separator = encoding.separator or ("/" if encoding.name == "default" else ".")
        files = ctx.store.local_files()
        # directory: the array's chunk files (the C loops add the keys below the array);
        # root: the store's (whole store keys, e.g. shards, are below it)
        self.directory: bytes | None = None
        self.root: bytes | None = None
        self.write_files: LocalFilesLike | None = None
        # located: the store says where in local files each value lies (Store.file_ranges)
        self.located = files is None and ctx.store.file_ranges(()) is not None
        if files is not None and self.key_name in chunkio.KEY_ENCODINGS:
            root = os.fsencode(files.root.rstrip("/") + "/")
            directory = root + os.fsencode(ctx.prefix)
            if len(directory) + _KEY_ROOM + len(files.temp_prefix) < _PATH_MAX:
                self.directory, self.root = directory, root
                if files.writable:
                    self.write_files = files

    def chunk_error(self, key: str, rc: int, err: int = 0, what: str = "") -> Exception:
        """The exception for chunk ``key`` that a loop stopped at with code ``rc``."""
        if rc == chunkio.E_IO:
            return OSError(err, f"{os.strerror(err)}: chunk {key!r}")
        if self.codec is None:
            return CodecError(f"chunk {key!r}: {what}codec 'bytes': the stored chunk is not "
                              f"exactly {int(np.prod(self.chunks)) * self.itemsize} bytes")
        return CodecError(f"chunk {key!r}: {what}codec {self.label!r}: corrupt data (or not "
                          f"{self.label} data of this chunk's size)")


class _ThreadState(threading.local):
    """Per thread: a coding context and reusable scratch buffers."""

    def __init__(self) -> None:
        self.dec = chunkio.Decompressor()
        self.reads = [np.empty(0, np.uint8)]  # read buffers (slot 0: chunk files)
        self.dbuf = np.empty(0, np.uint8)

    def scratch(self, size: int, slot: int = 0) -> np.ndarray:
        """Read buffer ``slot``, at least ``size`` bytes (kept for next time unless huge).

        Reused buffers spare the page faults of fresh ones.
        """
        reads = self.reads
        if slot >= _KEEP_SLOTS:
            return np.empty(size, np.uint8)
        while len(reads) <= slot:
            reads.append(np.empty(0, np.uint8))
        buf = reads[slot]
        if buf.size < size:
            buf = np.empty(size, np.uint8)
            if size <= (_KEEP_BYTES if slot == 0 else _KEEP_BYTES // 4):
                reads[slot] = buf
        return buf

    def decoded(self, size: int) -> np.ndarray:
        """The decoded-chunk buffer, at least ``size`` bytes."""
        dbuf = self.dbuf
        if dbuf.size < size:
            dbuf = np.empty(size, np.uint8)
            if size <= _KEEP_BYTES:
                self.dbuf = dbuf
        return dbuf


_state = _ThreadState()


def thread_state() -> _ThreadState:
    """The calling thread's coding context and scratch buffers."""
    return _state


def settle(ctx: ArrayContext, array: NativeArray, rc: int, index: int, begin: int, end: int,
           keys_of: KeysOf, stats: np.ndarray | None, *, err: int = 0,
           what: str | Callable[[int], str] = "",
           inner: Sequence[tuple[int, ...]] | None = None,
           name: str = "chunk.read") -> None:
    """After a native loop over entries ``begin .. end-1`` (``rc``, ``index``: its outcome):
    report the chunks it did (``keys_of(b, e)``: their keys; ``inner``: a shard's inner chunk
    coordinates per entry), then raise for the one it stopped at, if any."""
    done = index if rc < 0 else end
    if stats is not None and done > begin:
        observe.report(ctx, name, keys_of(begin, done), stats,
                       inner=None if inner is None else inner[:done - begin])
    if rc < 0:
        key = keys_of(index, index + 1)[0]
        exc = array.chunk_error(key, rc, err, what(index) if callable(what) else what)
        observe.failed(ctx, key, exc, operation="read" if name == "chunk.read" else "write")
        raise exc


def run_files(array: NativeArray, ctx: ArrayContext,
              read: chunkio.ChunkRead | chunkpoints.PointRead, begin: int, end: int,
              keys_of: KeysOf) -> None:
    """``read.run`` (a ChunkRead or PointRead from files) over entries ``begin .. end-1`` in
    this thread's scratch; a file larger than the read buffer is read again into a larger
    one, any other failure raises for the key ``keys_of(index, index + 1)`` names. The
    chunks are reported as ``chunk.read`` events when anybody watches (``settle``)."""
    state = _state
    stats = observe.stats_for(ctx, "chunk.read", end - begin)
    rsize = read.chunk_nbytes + read.chunk_nbytes // 16 + 4096  # a little over one chunk
    pos = begin
    while pos < end:
        rbuf, dbuf = state.scratch(rsize), state.decoded(read.chunk_nbytes)
        rc, index, need, err = read.run(state.dec, rbuf, dbuf, pos, end,
                                        None if stats is None else stats[2 * (pos - begin):])
        if rc >= 0 or rc != chunkio.E_BUFSIZE:
            settle(ctx, array, rc, index, begin, end, keys_of, stats, err=err)
            return
        rsize = max(need, rsize)
        pos = index


def run_read(array: NativeArray, ctx: ArrayContext,
             read: chunkio.ChunkRead | chunkpoints.PointRead, keys_of: KeysOf) -> None:
    """Every entry of ``read`` (a ChunkRead of a box or a PointRead of points; ``keys_of(b, e)``
    names entries ``b .. e-1``): from the store's files by the C reader when it has them,
    else fetched in batches (``fetch_batches``) and decoded from the buffers as they arrive."""
    if array.directory is not None:
        run_split(read.total, read.chunk_nbytes,
                  lambda b, e: run_files(array, ctx, read, b, e, keys_of))
        return
    batches, in_flight = fetch_batches(read.total, read.chunk_nbytes, fetch_window(ctx.store),
                                       array.located, batched=batches_gets(ctx.store))

    def fetch(batch: tuple[int, int]) -> Sequence[bytes | memoryview | None]:
        return fetch_values(array, ctx.store, keys_of(*batch))

    def consume(batch: tuple[int, int], found: Sequence[bytes | memoryview | None]) -> None:
        state = thread_state()
        stats = observe.stats_for(ctx, "chunk.read", batch[1] - batch[0])
        rc, index = read.run_buffers(state.dec, found, state.decoded(read.chunk_nbytes), *batch,
                                     stats=stats)
        settle(ctx, array, rc, index, *batch, keys_of, stats)

    run_fetched(batches, fetch, consume, in_flight)


def task_ranges(total: int, chunk_nbytes: int) -> list[tuple[int, int]]:
    """Ranges covering chunks ``0 .. total-1`` for the pool: several per thread even out
    uneven chunks; small chunks go in batches (a hand-off costs about as much as coding a few)."""
    threads = max(1, int(config.get("threads")))
    batch = 1 if chunk_nbytes >= _BIG_CHUNK else _CHUNKS_PER_TASK
    pieces = max(1, min(threads * 4, total // batch)) if threads > 1 else 1
    bounds = [total * k // pieces for k in range(pieces + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(pieces) if bounds[k + 1] > bounds[k]]


def run_split(total: int, chunk_nbytes: int, run: Callable[[int, int], object]) -> None:
    """Call ``run(begin, end)`` over ranges covering chunks ``0 .. total-1``, in the pool."""
    ranges = task_ranges(total, chunk_nbytes)
    if len(ranges) == 1:
        run(*ranges[0])
        return
    run_tasks(lambda r: run(*r), ranges)


def fetch_batches(total: int, chunk_nbytes: int, window: int, located: bool = False, *,
                  batched: bool = True) -> tuple[list[tuple[int, int]], int]:
    """The ``(begin, end)`` entry ranges fetched by one ``get_many`` each, and how many of
    them to keep in flight: the decode tasks' ranges for a store with nothing to wait for,
    else a fraction of the store's window each (``zarrc.engine.fetch.batch_size``); never
    more than ``_BATCH_BYTES`` of decoded chunks per batch. Values read from located files
    (``located``) are read by each decode task into its own scratch, a few at a time."""
    cap = max(1, _BATCH_BYTES // chunk_nbytes)
    if located:
        per = min(cap, max(1, _LOCATED_BYTES // chunk_nbytes))
    elif window <= 1:
        per = min(cap, max(e - b for b, e in task_ranges(total, chunk_nbytes)))
    else:  # waiting on a network: the decoders start on the first chunks to arrive
        per = batch_size(total, window, cap, batched=batched)
        return batch_bounds(total, per), max(1, window // per)  # never more than the window
    return [(b, min(b + per, total)) for b in range(0, total, per)], 1


def fetch_values(array: NativeArray, store: ChunkStore,
                 keys: list[str]) -> Sequence[bytes | memoryview | None]:
    """The stored values of ``keys`` (None where absent) for the loops' buffers: read from
    the files the store locates them in, into this thread's scratch, or fetched with
    ``get_many_buffers`` (the loops only read them: the store need not copy them into bytes)."""
    if array.located:
        located = store.file_ranges(keys)
        if located is None:
            raise TypeError(f"{store!r} no longer says where its values lie (file_ranges)")
        return read_located(located, _state.scratch, keys)
    return store.get_many_buffers(keys)
