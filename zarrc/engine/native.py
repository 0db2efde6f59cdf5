"""The native chunk loop: basic reads of local arrays with a simple codec chain, in C.

Sharded arrays go to ``zarrc.engine.native_shard`` (any store: Python fetches the shards, C
decodes their inner chunks); this module holds what both share.

For a LocalStore array whose chunks are the raw bytes of the array's dtype, optionally through
one of zstd, blosc, numcodecs lz4, gzip or zlib, and a selection of ints and slices,
:func:`read_box_native` reads the whole box in ``zarrc._ext.chunkio``: key, open / read /
close, decompression and the strided copy happen per chunk with the GIL released, split over
the engine's threads. Anything else returns False and the Python engine reads it.

A chunk the C decoders refuse (corrupt, or a variant they do not know) is read again on the
Python path, which either succeeds or raises the Python engine's error naming the key: the
two paths agree by construction on errors too. The extension is optional (it needs libzstd,
liblz4, libblosc and libdeflate at build time); without it this module only ever returns False.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from zarrc import config
from zarrc.engine.context import ArrayContext
from zarrc.engine.pool import run_tasks
from zarrc.indexing.selection import ArrayDim, IntDim, Selection, SliceDim
from zarrc.metadata.chunk_key import ChunkKeyEncoding
from zarrc.storage.local import LocalStore

try:
    from zarrc._ext import chunkio
except ImportError:  # built without the compression libraries
    chunkio = None

__all__ = [
    "ENABLED", "available", "chain_of", "chunk_files", "encoder_settings", "local_root",
    "local_slice", "plan_indexed", "plan_rows", "read_box_native", "read_buffer_size",
    "run_reads", "run_split", "thread_state",
]

ENABLED = True
"""Switch for the native path (tests turn it off to get the Python engine's result)."""

# codec class (module.qualname) -> chunkio codec name
_CODECS = {
    "zarrc.codecs.zstd.ZstdCodec": "zstd",
    "zarrc.codecs.blosc.BloscCodec": "blosc",
    "zarrc.codecs.lz4.LZ4Codec": "lz4",
    "zarrc.codecs.deflate.GzipCodec": "gzip",
    "zarrc.codecs.deflate.ZlibCodec": "zlib",
}
_KEEP_BYTES = 16 << 20  # scratch buffers up to this size stay with their thread
_KEEP_SLOTS = 4  # read buffers a thread keeps (slot 0 up to _KEEP_BYTES, others a quarter)
_CHUNKS_PER_TASK = 8  # small chunks per task at least
_BIG_CHUNK = 1 << 16  # decoded bytes from which one chunk is worth a task of its own
_FEW_CHUNKS = 16  # a slice over fewer chunks is planned in Python, else with NumPy
# The C loops hold a decoded chunk per thread before reading any: larger chunks take the
# Python path, which looks at what a stored chunk can decode to before allocating for it.
_MAX_CHUNK_BYTES = 1 << 30


def available() -> bool:
    """True when the native extension was built (and the path is enabled)."""
    return chunkio is not None and ENABLED


def read_box_native(ctx: ArrayContext, sel: Selection, box: np.ndarray) -> bool:
    """Read the box of ``sel`` into ``box`` natively if the array and selection allow it.

    Returns False, having done nothing, unless the extension is built, the store is a
    LocalStore (possibly behind a read-only view), the selection is basic and the codec chain
    is simple (see the module docstring), or the array is sharded over a simple inner chain
    (any store; ``zarrc.engine.native_shard``). Raises what the Python engine raises for a
    bad chunk.
    """
    if not available() or box is None:
        return False
    if ctx.pipeline.sharding is not None:
        from zarrc.engine.native_shard import read_shards_native  # it builds on this module

        return read_shards_native(ctx, sel, box)
    job = _plan_job(ctx, sel, box)
    if job is None:
        return False
    if job.read.total == 0:
        return True
    run_split(job.read.total, job.read.chunk_nbytes, lambda b, e: _run_range(job, b, e))
    return True


def run_split(total: int, chunk_nbytes: int, run) -> None:
    """Call ``run(begin, end)`` over ranges covering chunks ``0 .. total-1``, in the pool.

    Several ranges per thread even out uneven chunks; small chunks go in batches (a hand-off
    costs about as much as coding a few of them).
    """
    threads = max(1, int(config.get("threads")))
    batch = 1 if chunk_nbytes >= _BIG_CHUNK else _CHUNKS_PER_TASK
    pieces = min(threads * 4, total // batch) if threads > 1 else 1
    if pieces <= 1:
        run(0, total)
        return
    bounds = [total * k // pieces for k in range(pieces + 1)]
    run_tasks(lambda k: run(bounds[k], bounds[k + 1]), range(pieces))


class _Job:
    """One native read: the checked C request plus what the Python fallback needs."""

    __slots__ = ("ctx", "read", "plans", "lists", "box", "rsize")

    def __init__(self, ctx: ArrayContext, read, plans: list, lists: list, box: np.ndarray,
                 rsize: int):
        self.ctx = ctx
        self.read = read  # chunkio.ChunkRead
        self.plans = plans  # per dim, int64 rows (chunk, start, step, count, box start)
        self.lists = lists  # per dim, None or the (local, box) rows of indexed plan rows
        self.box = box  # the box with integer dimensions kept (length 1)
        self.rsize = rsize  # first size of the compressed-read buffer


def local_root(store) -> str | None:
    """The directory of a LocalStore (looking through read-only views), else None."""
    for _ in range(4):
        if isinstance(store, LocalStore):
            return None if store._confine_symlinks else store.root
        store = getattr(store, "wrapped", None)
        if store is None:
            return None
    return None


def chain_of(pipeline) -> tuple[str | None, str] | None:
    """``(chunkio codec name or None, order)`` for a pipeline the C loop decodes, else None."""
    if pipeline.spec.nbytes > _MAX_CHUNK_BYTES:
        return None
    chain = pipeline.simple_chain()
    if chain is None:
        return None
    codec, order = chain
    if codec is None:
        return None, order
    cls = type(codec)
    name = _CODECS.get(f"{cls.__module__}.{cls.__qualname__}")
    if name is None or (name == "blosc" and not chunkio.blosc_has(codec.cname)):
        return None
    return name, order


def encoder_settings(codec, itemsize: int) -> dict:
    """The C encoders' settings for ``codec`` (``zarrc.codecs`` zstd or blosc, or None), as
    the Python codec would encode with them."""
    if codec is None:
        return {}
    if codec.name == "zstd":
        return {"level": codec.level, "checksum": codec.checksum}
    typesize = codec.typesize if codec.typesize is not None else itemsize
    return {"level": codec.clevel, "shuffle": codec._shuffle_for(typesize),
            "typesize": typesize, "blocksize": codec.blocksize, "cname": codec.cname}


def plan_rows(d, size: int, chunk: int) -> np.ndarray:
    """One dimension's plan as int64 rows (chunk, local start, step, count, box start).

    The rows of ``zarrc.indexing.projection.plan_dim`` for a regular grid, computed with NumPy
    (one row per chunk the slice touches, in the slice's direction).
    """
    if isinstance(d, IntDim):
        c = d.index // chunk
        return np.array([[c, d.index - c * chunk, 1, 1, 0]], dtype=np.int64)
    n, s, first = d.count, d.step, d.start
    last = first + (n - 1) * s
    if n == 0:
        return np.empty((0, 5), dtype=np.int64)
    if abs(last // chunk - first // chunk) < _FEW_CHUNKS:  # a few chunks: plain arithmetic
        return np.array(_few_rows(first, s, n, chunk), dtype=np.int64).reshape(-1, 5)
    if abs(last - first) // chunk + 1 > 2 * n:  # sparse: fewer positions than chunks
        k = np.arange(n, dtype=np.int64)
        pos = first + k * s
        c = pos // chunk
        return np.stack([c, pos - c * chunk, np.full(n, s), np.ones(n, np.int64), k], axis=1)
    c = np.arange(first // chunk, last // chunk + (1 if s > 0 else -1), 1 if s > 0 else -1,
                  dtype=np.int64)
    c0 = c * chunk
    if s > 0:  # positions first + k*s with c0 <= pos < c0 + chunk
        k_lo = np.maximum(0, -((first - c0) // s))
        k_hi = np.minimum(n, -((first - c0 - chunk) // s))
    else:
        k_lo = np.maximum(0, (first - c0 - chunk) // -s + 1)
        k_hi = np.minimum(n, (first - c0) // -s + 1)
    keep = k_lo < k_hi
    if not keep.all():
        c, c0, k_lo, k_hi = c[keep], c0[keep], k_lo[keep], k_hi[keep]
    return np.stack([c, first + k_lo * s - c0, np.full(len(c), s), k_hi - k_lo, k_lo], axis=1)


def plan_indexed(d: ArrayDim, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """An index-array dimension's plan: indexed rows (chunk, list start, ``PLAN_INDEXED``,
    count, first box position) and their list of (local position, box position) rows,
    grouped by chunk. (With ``order`` the box positions of a chunk are scattered: the last
    column is 0 and only the list says where they go.)

    The box positions are the result's: an unsorted or repeating ``oindex`` array (``order``)
    lands in place, with no reordering pass afterwards.
    """
    values = d.indices if d.order is None else d.indices[d.order]
    if len(values) == 0:
        return np.empty((0, 5), np.int64), np.empty((0, 2), np.int64)
    cids = values // chunk
    if d.order is None:  # sorted already
        at = np.arange(len(values), dtype=np.int64)
    else:
        at = np.argsort(cids.astype(np.uint16) if cids.max(initial=0) < 1 << 16 else cids,
                        kind="stable").astype(np.int64)
    sc = cids[at]
    starts = np.flatnonzero(sc[1:] != sc[:-1]) + 1
    bounds = np.concatenate(([0], starts, [len(sc)])).astype(np.int64)
    first = bounds[:-1]
    rows = np.zeros((len(first), 5), dtype=np.int64)
    rows[:, 0] = sc[first]
    rows[:, 1] = first
    rows[:, 2] = chunkio.PLAN_INDEXED
    rows[:, 3] = np.diff(bounds)
    if d.order is None:  # sorted: each chunk's box positions are a run starting here
        rows[:, 4] = first
    listed = np.stack([values[at] - sc * chunk, at], axis=1).astype(np.int64)
    return rows, np.ascontiguousarray(listed)


def _few_rows(first: int, s: int, n: int, chunk: int) -> list:
    """``plan_rows`` of a slice over a few chunks, in plain Python."""
    rows = []
    c, stop = first // chunk, (first + (n - 1) * s) // chunk
    direction = 1 if s > 0 else -1
    while True:
        c0 = c * chunk
        if s > 0:
            k_lo, k_hi = max(0, -((first - c0) // s)), min(n, -((first - c0 - chunk) // s))
        else:
            k_lo, k_hi = max(0, (first - c0 - chunk) // -s + 1), min(n, (first - c0) // -s + 1)
        if k_lo < k_hi:
            rows.append((c, first + k_lo * s - c0, s, k_hi - k_lo, k_lo))
        if c == stop:
            return rows
        c += direction


def chunk_files(ctx: ArrayContext) -> tuple | None:
    """``(directory, key encoding, chunkio codec name, order)`` of an array whose chunks the C
    loops read: one file per chunk of a regular grid in a local directory, coded by a simple
    chain (``chain_of``), plain bytes of a fixed-size dtype. None otherwise."""
    if ctx.by_numpy or ctx.pipeline.sharding is not None or not ctx.regular:
        return None
    root = local_root(ctx.store)
    encoding = getattr(ctx.encode_key, "__self__", None)
    if root is None or not isinstance(encoding, ChunkKeyEncoding):
        return None
    chain = chain_of(ctx.pipeline)
    if chain is None or tuple(ctx.pipeline.spec.shape) != tuple(ctx.chunks):
        return None
    return os.fsencode(root.rstrip("/") + "/" + ctx.prefix), encoding, chain[0], chain[1]


def read_buffer_size(chunk_nbytes: int) -> int:
    """The first size of a compressed-read buffer (a little over one chunk; grown on need)."""
    return chunk_nbytes + chunk_nbytes // 16 + 4096


def _plan_job(ctx: ArrayContext, sel: Selection, box: np.ndarray) -> _Job | None:
    if not all(isinstance(d, (IntDim, SliceDim, ArrayDim)) for d in sel.dims):
        return None
    if box.dtype != ctx.dtype or box.shape != tuple(sel.box_shape) or not box.flags.writeable:
        return None
    files = chunk_files(ctx)
    if files is None:
        return None
    directory, encoding, codec, order = files
    int_axes = tuple(k for k, d in enumerate(sel.dims) if isinstance(d, IntDim))
    full_box = np.expand_dims(box, int_axes) if int_axes else box
    plans, lists = [], []
    for d, n, c in zip(sel.dims, ctx.shape, ctx.chunks):
        rows, listed = plan_indexed(d, c) if isinstance(d, ArrayDim) else (plan_rows(d, n, c), None)
        plans.append(rows)
        lists.append(listed)
    itemsize = ctx.dtype.itemsize
    fill = ctx.fill_bytes or bytes(itemsize)
    read = chunkio.ChunkRead(directory, encoding.name, encoding.separator, ctx.chunks,
                             ctx.shape, itemsize, codec, order, plans, full_box, fill, lists)
    return _Job(ctx, read, plans, lists, full_box, read_buffer_size(read.chunk_nbytes))


class _ThreadState(threading.local):
    """Per thread: a decompression context and reusable scratch buffers."""

    def __init__(self) -> None:
        self.dec = chunkio.Decompressor()
        self.reads = [np.empty(0, np.uint8)]  # read buffers (slot 0: chunk files, shards)
        self.dbuf = np.empty(0, np.uint8)

    def buffers(self, rsize: int, dsize: int) -> tuple[np.ndarray, np.ndarray]:
        return self.scratch(rsize), self.decoded(dsize)

    def scratch(self, size: int, slot: int = 0) -> np.ndarray:
        """Read buffer ``slot``, at least ``size`` bytes (kept for next time unless huge).

        Reused buffers spare the page faults of fresh ones; slots let a thread hold the bytes
        of several shards at once.
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


_state = _ThreadState() if chunkio is not None else None


def thread_state() -> _ThreadState:
    """The calling thread's decompression context and scratch buffers."""
    return _state


def run_reads(reader, rsize: int, fallback, begin: int, end: int) -> None:
    """``reader.run`` over entries ``begin .. end-1`` (a chunkio ChunkRead or PointRead).

    Grows the read buffer when a file does not fit; an entry that fails otherwise goes to
    ``fallback(index)``, the Python path, which reads it again and either succeeds (a variant
    the C decoders refuse) or raises the Python engine's error for its key.
    """
    state = _state
    pos = begin
    while pos < end:
        rbuf, dbuf = state.buffers(rsize, reader.chunk_nbytes)
        rc, index, need, _err = reader.run(state.dec, rbuf, dbuf, pos, end)
        if rc >= 0:
            return
        if rc == chunkio.E_BUFSIZE:  # a file larger than the buffer: retry it with room
            rsize = max(need, rsize)
            pos = index
            continue
        fallback(index)
        pos = index + 1


def _run_range(job: _Job, begin: int, end: int) -> None:
    """Read chunks ``begin .. end-1`` of a box."""
    run_reads(job.read, job.rsize, lambda index: _read_chunk_python(job, index), begin, end)


def _read_chunk_python(job: _Job, index: int) -> None:
    """Read the chunk at flattened ``index`` through the store and the codec pipeline."""
    ctx = job.ctx
    entries = np.unravel_index(index, [len(p) for p in job.plans])
    rows = [[int(v) for v in p[int(e)]] for p, e in zip(job.plans, entries)]
    coords = tuple(r[0] for r in rows)
    key = ctx.key(coords)
    data = ctx.store.get(key)
    chunk = None if data is None else ctx.pipeline.decode(data, key)
    if not any(x is not None for x in job.lists):
        target = job.box[tuple(slice(r[4], r[4] + r[3]) for r in rows)]
        if chunk is None:
            ctx.fill(target)
        else:
            ctx.copy(target, chunk[tuple(local_slice(r[1], r[2], r[3]) for r in rows)])
        return
    local, at = [], []  # indexed dimensions: positions from the lists, crossed with np.ix_
    for r, listed in zip(rows, job.lists):
        if listed is not None and r[2] == chunkio.PLAN_INDEXED:
            local.append(listed[r[1]:r[1] + r[3], 0])
            at.append(listed[r[1]:r[1] + r[3], 1])
        else:
            local.append(r[1] + r[2] * np.arange(r[3]))
            at.append(r[4] + np.arange(r[3]))
    job.box[np.ix_(*at)] = ctx.fill_value if chunk is None else chunk[np.ix_(*local)]


def local_slice(start: int, step: int, count: int) -> slice:
    """The slice of ``count`` positions from ``start`` by ``step`` (negative steps too)."""
    stop = start + count * step
    return slice(start, stop if stop >= 0 else None, step)
