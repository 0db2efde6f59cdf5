"""Native reads of sharded arrays: Python fetches each shard's bytes, C decodes its inner chunks.

For an array whose pipeline is exactly ``sharding_indexed`` with an inner chain the native loop
knows (the raw bytes of the dtype through at most one of zstd, blosc, numcodecs lz4, gzip,
zlib) and a selection of ints and slices, each shard is read whole (when the selection covers
it, or the store serves no byte ranges) or as its index plus the needed inner chunks, in as few
range reads as adjacency allows (``zarrc.engine.shard.coalesce_ranges``; for local files also
across small gaps). The index is checked as ``ShardingCodec.parse_index`` checks it (size,
checksum, bounds; the default bytes + crc32c index is read with NumPy, any other through the
codec); then one call of ``zarrc._ext.chunkio.MemoryRead`` decodes every needed inner chunk of
the shard into the output with the GIL released. Any store works through ``Store.get``; shards
of a LocalStore are read by file descriptor (one open, ``preadv`` into reused buffers).

Threads: small reads run inline; a read of more shards than threads runs a task per shard
(fetch and decode); a read of a few shards fetches them first, then spreads their inner chunks.

A shard the C side refuses (a corrupt inner chunk, a codec variant it does not know, an index
the codec rejects) is read again on the Python path (``zarrc.engine.shard``), which either
succeeds or raises that path's error naming the shard key: the two paths agree on errors too.
"""

from __future__ import annotations

import itertools
import math
import os
import stat
import sys

import numpy as np

from zarrc import config
from zarrc.codecs.base import ChunkSpec
from zarrc.codecs.crc32c import crc32c
from zarrc.codecs.pipeline import CodecPipeline
from zarrc.engine import native
from zarrc.engine.context import ArrayContext
from zarrc.engine.pool import run_tasks
from zarrc.engine.shard import coalesce_ranges, iter_shard_tasks
from zarrc.errors import CodecError
from zarrc.indexing import iter_chunk_projections
from zarrc.indexing.selection import ArrayDim, IntDim, Selection, SliceDim

__all__ = ["read_shards_native", "inner_chain"]

_PARALLEL_BYTES = 1 << 19  # decoded bytes from which a read is spread over the threads
_TASK_BYTES = 1 << 18  # decoded bytes per task at most (a task is one or more inner chunks)
# Local shard files: ranges closer than this are read as one (a read costs more than copying
# this many bytes of page cache); other stores get exactly the ranges needed.
_LOCAL_GAP = 1 << 16
_MAX_CHAINS = 64

_DEFAULT_INDEX_CODECS = [{"name": "bytes", "configuration": {"endian": "little"}},
                         {"name": "crc32c"}]
# id(sharding codec) -> (codec, (chunkio codec name, order) or None, default index codecs,
# inner bytes->bytes codec)
_chains: dict[int, tuple] = {}


def read_shards_native(ctx: ArrayContext, sel: Selection, box: np.ndarray) -> bool:
    """Read the box of ``sel`` of a sharded array into ``box`` natively if it qualifies.

    Returns False, having done nothing, unless the extension is built, the pipeline is exactly
    ``sharding_indexed`` over a simple inner chain, and the selection is basic. Raises what
    the Python sharded path raises for a bad shard.
    """
    job = _plan_job(ctx, sel, box)
    if job is None:
        return False
    shards = job.shards
    threads = max(1, int(config.get("threads")))
    entries = sum(s.total for s in shards)
    if threads == 1 or job.reader.chunk_nbytes * entries < _PARALLEL_BYTES:
        for shard in shards:
            _read_shard(job, shard)
        return True
    if len(shards) > threads:  # a task per shard: fetches run in parallel too
        run_tasks(lambda shard: _read_shard(job, shard), shards)
        return True
    # A few shards: fetch them here first (two threads both in Python would hand the GIL back
    # and forth at every system call), then decode tasks of a few inner chunks each, so that
    # a thread that starts late still gets a share.
    tasks = []
    per_task = max(1, min(_TASK_BYTES // job.reader.chunk_nbytes, -(-entries // (2 * threads))))
    state = native.thread_state()
    for k, shard in enumerate(shards):
        fetched = _fetch(job, shard, lambda size, k=k: state.scratch(size, k))
        if fetched is not None:
            tasks.extend((shard, fetched, begin, min(shard.total, begin + per_task))
                         for begin in range(0, shard.total, per_task))
    run_tasks(lambda task: _decode(job, *task), tasks)
    return True


class _Shard:
    """One shard of a read: its inner chunks' plans, their coordinates in the shard."""

    __slots__ = ("coords", "plans", "local", "complete", "total", "region")

    def __init__(self, parts: tuple) -> None:
        # parts: per dimension, a _Run of this shard
        self.coords = tuple(r.shard for r in parts)
        self.plans = [r.rows for r in parts]  # int64 rows over the array's inner chunk grid
        self.local = [r.local for r in parts]  # inner chunk coordinates in the shard
        self.complete = all(r.complete for r in parts)  # every in-bounds element selected
        self.total = math.prod(len(r.local) for r in parts)
        self.region = tuple(r.region for r in parts)  # the shard's part of the full box


class _Run:
    """The plan rows of one dimension that fall in one shard."""

    __slots__ = ("shard", "rows", "local", "complete", "region")

    def __init__(self, shard: int, rows: np.ndarray, listed: list, cps: int, chunk: int,
                 size: int) -> None:
        self.shard = shard
        self.rows = rows  # int64 rows (chunk, start, step, count, box start), in box order
        base = shard * cps
        self.local = [r[0] - base for r in listed]  # inner chunk coordinates in the shard
        self.complete = sum(r[3] for r in listed) == min(chunk, size - shard * chunk)
        self.region = slice(listed[0][4], listed[-1][4] + listed[-1][3])


def _runs(rows: np.ndarray, cps: int, chunk: int, size: int) -> list[_Run]:
    """Split one dimension's plan rows into runs, one per shard (rows are monotonic)."""
    listed = rows.tolist()
    runs = []
    a = 0
    for b in range(1, len(listed) + 1):
        if b == len(listed) or listed[b][0] // cps != listed[a][0] // cps:
            runs.append(_Run(listed[a][0] // cps, rows[a:b], listed[a:b], cps, chunk, size))
            a = b
    return runs


class _Job:
    """One native sharded read: the C decoder, the shards, what the Python fallback needs."""

    __slots__ = ("ctx", "sel", "box", "full_box", "reader", "shards", "codec", "cps", "root",
                 "fast_index", "index_nbytes")

    def __init__(self, ctx, sel, box, full_box, reader, shards, codec, cps, root,
                 fast_index) -> None:
        self.ctx = ctx
        self.sel = sel
        self.box = box  # the caller's box (integer dimensions dropped)
        self.full_box = full_box  # the same memory, integer dimensions kept (length 1)
        self.reader = reader  # chunkio.MemoryRead
        self.shards = shards  # list of _Shard
        self.codec = codec  # the bound ShardingCodec
        self.cps = cps  # inner chunks per shard along each dimension
        self.root = root  # a LocalStore's directory ending in "/" (shards read by file), or None
        self.fast_index = fast_index  # default index codecs: _index_table reads them itself
        self.index_nbytes = 16 * math.prod(cps)  # the index without its checksum


def inner_chain(ctx: ArrayContext, codec) -> tuple:
    """``(chain, default index codecs, inner bytes codec)`` of a sharding codec: ``chain`` is
    ``(chunkio codec name or None, order)``, None when the C loops cannot code the inner
    chunks; the last item is the inner chain's bytes->bytes codec instance (or None)."""
    found = _chains.get(id(codec))
    if found is None or found[0] is not codec:
        chain = inner = None
        try:
            spec = ChunkSpec(tuple(codec.chunk_shape), ctx.dtype)
            pipeline = CodecPipeline.from_v3(codec.codecs, spec)
            chain = native.chain_of(pipeline)
            inner = pipeline.simple_chain()[0] if chain is not None else None
        except Exception:
            chain = None
        if len(_chains) >= _MAX_CHAINS:
            _chains.clear()
        fast = sys.byteorder == "little" and [
            c.to_json_v3() for c in codec.index_codecs] == _DEFAULT_INDEX_CODECS
        found = _chains[id(codec)] = (codec, chain, fast, inner)
    return found[1], found[2], found[3]


def _plan_job(ctx: ArrayContext, sel: Selection, box: np.ndarray) -> _Job | None:
    codec = ctx.pipeline.sharding
    if codec is None or not native.available() or box is None:
        return None
    if ctx.by_numpy or not sel.dims:
        return None
    if getattr(ctx, "grid", None) is not None:  # a rectilinear grid of shards
        return None
    if not all(isinstance(d, (IntDim, SliceDim)) or (isinstance(d, ArrayDim) and d.order is None)
               for d in sel.dims):
        return None  # sorted index arrays: each inner chunk's box positions are one run
    if box.dtype != ctx.dtype or box.shape != tuple(sel.box_shape) or not box.flags.writeable:
        return None
    chain, fast_index, _ = inner_chain(ctx, codec)
    if chain is None:
        return None
    name, order = chain
    inner = tuple(codec.chunk_shape)
    cps = tuple(s // c for s, c in zip(ctx.chunks, inner))
    int_axes = tuple(k for k, d in enumerate(sel.dims) if isinstance(d, IntDim))
    full_box = np.expand_dims(box, int_axes) if int_axes else box
    itemsize = ctx.dtype.itemsize
    plans, lists = [], []
    for d, n, c in zip(sel.dims, ctx.shape, inner):
        rows, listed = (native.plan_indexed(d, c) if isinstance(d, ArrayDim)
                        else (native.plan_rows(d, n, c), None))
        plans.append(rows)
        lists.append(listed)
    reader = native.chunkio.MemoryRead(inner, ctx.shape, itemsize, name, order, full_box,
                                       ctx.fill_bytes or bytes(itemsize), lists)
    runs = [_runs(rows, n, c, size) for rows, n, c, size in zip(plans, cps, ctx.chunks, ctx.shape)]
    shards = [_Shard(parts) for parts in itertools.product(*runs)]
    root = native.local_root(ctx.store)
    root = None if root is None else root.rstrip("/") + "/"
    return _Job(ctx, sel, box, full_box, reader, shards, codec, cps, root, fast_index)


class _Fallback(Exception):
    """The shard must be read on the Python path (which raises its own error if any)."""


def _index_table(job: _Job, data, shard_size: int | None = None) -> np.ndarray:
    """The shard index as int64 ``(offset, nbytes)`` rows, missing ones ``(-1, -1)`` (the
    index's 2**64 - 1 seen as int64), checked as ``ShardingCodec.parse_index`` checks it.

    The default index codecs (bytes little-endian + crc32c) are read here with one CRC and a
    few NumPy tests; when one fails, or for other index codecs, ``parse_index`` decodes it
    (and raises its CodecError / ChecksumError for a bad index).
    """
    if job.fast_index:
        view = memoryview(data).cast("B")
        n = job.index_nbytes
        if view.nbytes == n + 4 and crc32c(view[:n]) == int.from_bytes(view[n:], "little"):
            table = np.frombuffer(view, "<i8", count=n // 8).reshape(-1, 2)
            offsets, nbytes = table[:, 0], table[:, 1]
            missing = offsets == -1
            ok = (missing == (nbytes == -1)).all()
            if ok and shard_size is not None:
                ok = ((offsets >= 0) & (nbytes >= 0) & (offsets <= shard_size)
                      & (nbytes <= shard_size - offsets) | missing).all()
            if ok:
                return table
    index = job.codec.parse_index(data, shard_size=shard_size)
    return np.ascontiguousarray(index).reshape(-1, 2).view(np.int64)


def _entries(table: np.ndarray, local: list, cps: tuple) -> np.ndarray:
    """The rows of ``_index_table`` of the inner chunks ``local``, in row-major order."""
    if math.prod(len(loc) for loc in local) <= 64:  # a few: plain Python is quicker
        flat = [0]
        for loc, n in zip(local, cps):
            flat = [f * n + i for f in flat for i in loc]
        return table[flat]
    grid = np.zeros((), dtype=np.intp)
    for loc, n in zip(local, cps):
        grid = grid[..., None] * n + np.asarray(loc, dtype=np.intp)
    return table[grid.reshape(-1)]


def _fetch(job: _Job, shard: _Shard, scratch=None):
    """``(src, entries)`` for the shard's needed inner chunks, or None when the shard is
    missing (its part of the box is then filled here). Falls back on a bad shard.

    ``scratch(n)`` (optional) returns a reusable writable buffer of ``n`` bytes at least that
    local shard files are read into; without it they get a buffer of their own.
    """
    try:
        with _open_shard(job, shard, scratch) as source:
            found = None if source is None else _fetch_bytes(job, shard, source)
    except (_Fallback, CodecError):
        _read_shard_python(job, shard)
        return None
    if found is None:
        job.ctx.fill(job.full_box[shard.region])
    return found


def _fetch_bytes(job: _Job, shard: _Shard, source):
    codec = job.codec
    if shard.complete or not source.partial:
        data = source.read_all()
        if data is None:
            return None
        view = memoryview(data).cast("B")
        size = view.nbytes
        if size < codec.index_size():
            raise _Fallback
        start, stop = codec.index_byte_range(size)
        return view, _entries(_index_table(job, view[start:stop], size), shard.local, job.cps)
    index_bytes = source.get(codec.index_byte_range())
    if index_bytes is None:
        return None
    rows = _entries(_index_table(job, index_bytes), shard.local, job.cps).tolist()
    ranges = []
    for offset, nbytes in rows:
        if offset == -1:  # missing (parse_index checked that nbytes is too)
            ranges.append(None)
        elif offset < 0 or nbytes < 0:
            raise _Fallback  # beyond 2**63: the Python path reports it
        else:
            ranges.append((offset, offset + nbytes))
    runs = _merge_gaps(coalesce_ranges(ranges), source.gap)
    base = 0
    for start, stop, members in runs:
        for m in members:  # offsets into the concatenated runs
            rows[m][0] += base - start
        base += stop - start
    src = source.read_runs([(start, stop) for start, stop, _ in runs])
    if src is None:
        raise _Fallback  # changed meanwhile, or truncated
    return src, np.array(rows, dtype=np.int64).reshape(-1, 2)


def _merge_gaps(runs: list, gap: int) -> list:
    """Runs of ``coalesce_ranges`` merged further across gaps of at most ``gap`` bytes."""
    if gap <= 0 or len(runs) < 2:
        return runs
    merged = [runs[0]]
    for start, stop, members in runs[1:]:
        s0, s1, m0 = merged[-1]
        if start - s1 <= gap:
            merged[-1] = (s0, max(s1, stop), m0 + members)
        else:
            merged.append((start, stop, members))
    return merged


class _StoreShard:
    """A shard read through ``Store.get`` (any store)."""

    gap = 0  # only the bytes asked for: a store's requests may be cheap or not, who knows

    def __init__(self, store, key: str) -> None:
        self.store, self.key = store, key
        self.partial = store.supports_partial_reads

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def get(self, byte_range):
        return self.store.get(self.key, byte_range=byte_range)

    def read_all(self):
        return self.store.get(self.key)

    def read_runs(self, runs: list):
        """The bytes of the runs ``(start, stop)`` one after the other; None if one is short."""
        parts = []
        for start, stop in runs:
            data = self.store.get(self.key, byte_range=(start, stop))
            if data is None or len(data) != stop - start:
                return None
            parts.append(data)
        return parts[0] if len(parts) == 1 else b"".join(parts)


class _FileShard:
    """A shard file of a LocalStore, read by descriptor: one open, then a ``preadv`` per range
    straight into one buffer (``Store.get`` opens the file per range and returns new bytes).
    Missing reads as None, as in LocalStore."""

    partial = True

    def __init__(self, path: str, scratch) -> None:
        self.path = path
        self.scratch = scratch
        self.fd = -1
        self.size = 0
        self.gap = _LOCAL_GAP

    def __enter__(self):
        try:
            self.fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        info = os.fstat(self.fd)
        if stat.S_ISDIR(info.st_mode):
            return None
        self.size = info.st_size
        return self

    def __exit__(self, *exc) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def get(self, byte_range):
        """The bytes of a ``Store.get`` byte range (the index: small)."""
        size = self.size
        start, stop = byte_range
        start = max(0, size + start) if start < 0 else min(start, size)
        stop = size if stop is None else min(stop, size)
        return os.pread(self.fd, max(0, stop - start), start) if stop > start else b""

    def read_all(self):
        return self.read_runs([(0, self.size)])

    def read_runs(self, runs: list):
        total = sum(stop - start for start, stop in runs)
        buf = np.empty(total, np.uint8) if self.scratch is None else self.scratch(total)
        view = memoryview(buf)[:total]
        base = 0
        for start, stop in runs:
            if stop > self.size or not _preadv_all(self.fd, view[base:base + stop - start],
                                                   start):
                return None
            base += stop - start
        return view


def _preadv_all(fd: int, view: memoryview, offset: int) -> bool:
    """Fill ``view`` from ``offset`` of the file; False when the file ends first."""
    got, n = 0, len(view)
    while got < n:
        r = os.preadv(fd, [view[got:]], offset + got)
        if r <= 0:
            return False
        got += r
    return True


def _open_shard(job: _Job, shard: _Shard, scratch):
    key = job.ctx.key(shard.coords)
    if job.root is not None:
        return _FileShard(job.root + key, scratch)
    return _StoreShard(job.ctx.store, key)


def _read_shard(job: _Job, shard: _Shard) -> None:
    """Fetch and decode one shard in this thread (its bytes in this thread's scratch)."""
    fetched = _fetch(job, shard, native.thread_state().scratch)
    if fetched is not None:
        _decode(job, shard, fetched, 0, shard.total)


def _decode(job: _Job, shard: _Shard, fetched: tuple, begin: int, end: int) -> None:
    """Decode entries ``begin .. end-1`` of a fetched shard; the Python path on a failure."""
    src, entries = fetched
    reader = job.reader
    state = native.thread_state()
    dbuf = state.decoded(reader.chunk_nbytes)
    rc, _index = reader.run(state.dec, shard.plans, src, entries, dbuf, begin, end)
    if rc < 0:
        _read_shard_python(job, shard)


def _read_shard_python(job: _Job, shard: _Shard) -> None:
    """Read the shard on the Python path (``zarrc.engine.shard``), raising its errors."""
    from zarrc.engine.read import gather  # read.py imports this package's entry point

    ctx = job.ctx
    for proj in iter_chunk_projections(job.sel.dims, ctx.shape, ctx.chunks):
        if tuple(proj.coords) == shard.coords:
            for task in iter_shard_tasks(ctx, proj, job.box[proj.box + (Ellipsis,)], gather):
                task()
            return
