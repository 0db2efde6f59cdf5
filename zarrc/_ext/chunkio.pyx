"""Native chunk loops of basic reads and writes (wraps ``csrc/zc_chunkio.c``, ``zc_chunkwrite.c``).

Built only when libzstd, liblz4, libblosc and libdeflate are found at build time (setup.py).
:class:`ChunkRead` holds one planned read of local chunk files, checked once with the GIL;
:meth:`ChunkRead.run` reads a range of its chunks with the GIL released, so threads can split
one read. :class:`MemoryRead` decodes chunks the caller already holds in a buffer (a shard's
inner chunks) the same way, and :class:`ChunkWrite` writes whole chunks to files. Each thread
passes its own :class:`Decompressor` (the coding contexts) and scratch buffers.
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release
from libc.stdint cimport int64_t

import numpy as np

from zarrc._ext cimport csrc
from zarrc._ext._buffer cimport get_buffer
from zarrc._ext._errors cimport check

from zarrc.errors import CodecError

# codec names as zarrc.engine.native passes them (None: raw bytes)
CODECS = {
    None: csrc.ZC_CODEC_NONE,
    "zstd": csrc.ZC_CODEC_ZSTD,
    "blosc": csrc.ZC_CODEC_BLOSC,
    "lz4": csrc.ZC_CODEC_LZ4,
    "gzip": csrc.ZC_CODEC_GZIP,
    "zlib": csrc.ZC_CODEC_ZLIB,
}
KEY_ENCODINGS = {"default": csrc.ZC_KEY_DEFAULT, "v2": csrc.ZC_KEY_V2}
PLAN_COLS = csrc.ZC_PLAN_COLS
PLAN_INDEXED = csrc.ZC_PLAN_INDEXED

# return codes that concern one chunk (ChunkRead.run reports them with the chunk's index)
E_DATA = csrc.ZC_E_DATA
E_SIZE = csrc.ZC_E_SIZE
E_BUFSIZE = csrc.ZC_E_BUFSIZE
E_IO = csrc.ZC_E_IO
E_PATH = csrc.ZC_E_PATH
E_PARTIAL = csrc.ZC_E_PARTIAL
E_EMPTY = csrc.ZC_E_EMPTY
CHUNK_ERRORS = frozenset((E_DATA, E_SIZE, E_BUFSIZE, E_IO, E_PATH, E_PARTIAL, E_EMPTY))
WRITE_CODECS = frozenset((None, "zstd", "blosc"))

cdef enum:
    MAXDIM = 64  # ZC_MAXDIM (fixed-size arrays below)


def blosc_has(str cname):
    """True if the linked libblosc can decompress the inner compressor `cname`."""
    return csrc.zc_chunkio_blosc_has(cname.encode("ascii")) == 1


cdef void _spec_coding(csrc.zc_chunkio_spec *spec, int ndim, const int64_t *chunk_shape,
                       const int64_t *array_shape, Py_ssize_t itemsize, codec, str order,
                       const char *fill):
    """Set the chunks' shape and coding in `spec`; no files, plans, lists or box yet."""
    spec.dir = NULL
    spec.key_encoding = csrc.ZC_KEY_DEFAULT
    spec.separator = ord("/")
    spec.ndim = ndim
    spec.chunk_shape = chunk_shape
    spec.array_shape = array_shape
    spec.itemsize = itemsize
    spec.codec = CODECS[codec]
    spec.order_f = order == "F"
    spec.plans = NULL
    spec.plan_len = NULL
    spec.lists = NULL
    spec.list_len = NULL
    spec.box = NULL
    spec.box_shape = NULL
    spec.box_strides = NULL
    spec.fill = fill


cdef int _scratch_views(str what, a, str a_name, Py_ssize_t a_min, b, str b_name,
                        Py_ssize_t b_min, Py_buffer *va, Py_buffer *vb) except -1:
    """Writable contiguous views of two scratch buffers of the calling thread, of at least
    `a_min` and `b_min` bytes; on an error neither is held."""
    get_buffer(a, va, PyBUF_SIMPLE | PyBUF_WRITABLE, what, a_name)
    try:
        get_buffer(b, vb, PyBUF_SIMPLE | PyBUF_WRITABLE, what, b_name)
    except BaseException:
        PyBuffer_Release(va)
        raise
    if va.len < a_min or vb.len < b_min:
        PyBuffer_Release(vb)
        PyBuffer_Release(va)
        raise ValueError(f"{what}: {a_name} / {b_name} have {va.len} / {vb.len} bytes, "
                         f"need {a_min} / {b_min}")
    return 0


cdef tuple _outcome(Py_ssize_t rc, csrc.zc_chunkio_status *st, str what):
    """``(rc, index, need, err)`` of a loop's return code; raises for a refused spec."""
    if rc >= 0:
        return rc, -1, 0, 0
    if rc in CHUNK_ERRORS:
        return rc, st.index, st.need, st.err
    check(rc, what)


cdef class Decompressor:
    """One thread's coding state (zstd contexts, a libdeflate decompressor); never share it."""

    cdef csrc.zc_chunkio_ctx *ctx

    def __cinit__(self):
        self.ctx = csrc.zc_chunkio_ctx_create()
        if self.ctx is NULL:
            raise MemoryError("chunkio: cannot allocate a decompression context")

    def __dealloc__(self):
        csrc.zc_chunkio_ctx_free(self.ctx)


cdef class _ChunkBox:
    """What every loop of this module shares: the chunks' shape and coding, the box."""

    cdef csrc.zc_chunkio_spec spec
    cdef int64_t chunk_shape[MAXDIM]
    cdef int64_t array_shape[MAXDIM]
    cdef Py_buffer box_view
    cdef bint have_box
    cdef bytes fill
    cdef int64_t list_len[MAXDIM]
    cdef const int64_t *list_ptr[MAXDIM]
    cdef list list_views
    cdef readonly Py_ssize_t chunk_nbytes

    def __cinit__(self):
        self.have_box = False

    def __dealloc__(self):
        if self.have_box:
            PyBuffer_Release(&self.box_view)

    cdef int _setup(self, str what, chunk_shape, array_shape, Py_ssize_t itemsize, codec,
                    str order, box, bytes fill, bint writable=True) except -1:
        """Check and store the part of the spec every loop has (plans and files aside).

        `box` is the output of a read (`writable`) or the source of a write."""
        cdef int ndim = len(chunk_shape)
        cdef int d
        if ndim > MAXDIM:
            raise ValueError(f"{what}: at most {MAXDIM} dimensions, got {ndim}")
        if len(array_shape) != ndim:
            raise ValueError(f"{what}: chunk_shape and array_shape differ in length")
        if codec not in CODECS:
            raise ValueError(f"{what}: unsupported codec {codec!r}")
        if order not in ("C", "F"):
            raise ValueError(f"{what}: order must be 'C' or 'F', got {order!r}")
        if itemsize <= 0 or len(fill) != itemsize:
            raise ValueError(f"{what}: fill has {len(fill)} bytes, itemsize is {itemsize}")
        self.fill = fill
        self.chunk_nbytes = itemsize
        for d in range(ndim):
            self.chunk_shape[d] = chunk_shape[d]
            self.array_shape[d] = array_shape[d]
            if self.chunk_shape[d] <= 0:
                raise ValueError(f"{what}: chunk_shape {tuple(chunk_shape)} must be positive")
            self.chunk_nbytes *= self.chunk_shape[d]
        get_buffer(box, &self.box_view, PyBUF_STRIDES | (PyBUF_WRITABLE if writable else 0),
                   what, "box")
        self.have_box = True
        if self.box_view.ndim != ndim or self.box_view.itemsize != itemsize:
            raise ValueError(
                f"{what}: box has {self.box_view.ndim} dims of {self.box_view.itemsize}-byte "
                f"items, expected {ndim} of {itemsize}")
        _spec_coding(&self.spec, ndim, self.chunk_shape, self.array_shape, itemsize, codec,
                     order, self.fill)
        self.spec.box = <char *>self.box_view.buf
        self.spec.box_shape = self.box_view.shape
        self.spec.box_strides = self.box_view.strides
        return 0

    cdef int _set_lists(self, str what, lists) except -1:
        """Point the spec at the (local, box) rows of the dimensions with indexed plan rows
        (``PLAN_INDEXED`` steps); `lists` has one C-contiguous int64 (n, 2) array or None per
        dimension."""
        cdef const int64_t[:, ::1] view
        cdef int d
        if len(lists) != self.spec.ndim:
            raise ValueError(f"{what}: {len(lists)} lists for {self.spec.ndim} dimensions")
        self.list_views = []
        for d in range(self.spec.ndim):
            self.list_len[d] = 0
            self.list_ptr[d] = NULL
            if lists[d] is None:
                continue
            view = lists[d]
            if view.shape[1] != 2:
                raise ValueError(f"{what}: list rows must have 2 columns (local, box)")
            self.list_views.append(view)
            self.list_len[d] = view.shape[0]
            self.list_ptr[d] = &view[0, 0] if view.shape[0] else NULL
        self.spec.lists = self.list_ptr
        self.spec.list_len = self.list_len
        return 0


cdef Py_ssize_t _set_plans(str what, plans, int ndim, list views, int64_t *plan_len,
                           const int64_t **plan_ptr) except -1:
    """Point `plan_ptr` / `plan_len` at the int64 rows of `plans` (kept alive in `views`);
    returns the number of entries of their product."""
    cdef const int64_t[:, ::1] view
    cdef Py_ssize_t total = 1
    cdef int d
    if len(plans) != ndim:
        raise ValueError(f"{what}: {len(plans)} plans for {ndim} dimensions")
    for d in range(ndim):
        view = plans[d]
        if view.shape[1] != PLAN_COLS:
            raise ValueError(f"{what}: plan rows must have {PLAN_COLS} columns")
        views.append(view)
        plan_len[d] = view.shape[0]
        plan_ptr[d] = &view[0, 0] if view.shape[0] else NULL
        total *= view.shape[0]
    return total


cdef class ChunkRead(_ChunkBox):
    """One basic read: where the chunk files are, how they are coded, and where they land.

    Parameters
    ----------
    directory : bytes
        The array's chunk directory (store root + key prefix), ending in ``/``.
    key_encoding : {"default", "v2"}
    separator : {"/", "."}
    chunk_shape, array_shape : sequence of int
    itemsize : int
    codec : None or one of ``CODECS``
    order : {"C", "F"}
        Memory order of the stored chunks.
    plans : sequence of C-contiguous int64 arrays
        Per dimension, rows of (chunk index, local start, local step, count, box start).
    box : writable strided buffer
        The output, one dimension per array dimension (integer dimensions of length 1).
    fill : bytes
        ``itemsize`` bytes written where a chunk file is missing.
    lists : sequence of None or C-contiguous int64 (n, 2) arrays, optional
        Per dimension, (local position, box position) rows that plan rows with step
        ``PLAN_INDEXED`` list instead of a start and step (their start is the first list row).
    """

    cdef int64_t plan_len[MAXDIM]
    cdef const int64_t *plan_ptr[MAXDIM]
    cdef bytes directory
    cdef list plan_views
    cdef readonly Py_ssize_t total

    def __init__(self, bytes directory, str key_encoding, str separator, chunk_shape,
                 array_shape, Py_ssize_t itemsize, codec, str order, plans, box, bytes fill,
                 lists=None):
        self._setup("ChunkRead", chunk_shape, array_shape, itemsize, codec, order, box, fill)
        self._set_files("ChunkRead", directory, key_encoding, separator, plans)
        if lists is not None:
            self._set_lists("ChunkRead", lists)

    cdef int _set_files(self, str what, bytes directory, str key_encoding, str separator,
                        plans) except -1:
        """Check and store where the chunk files are and which of them the plans visit."""
        if key_encoding not in KEY_ENCODINGS or separator not in ("/", "."):
            raise ValueError(f"{what}: bad key encoding {key_encoding!r} / {separator!r}")
        if not directory.endswith(b"/") or b"\0" in directory:
            raise ValueError(f"{what}: bad directory {directory!r}")
        self.plan_views = []
        self.total = _set_plans(what, plans, self.spec.ndim, self.plan_views, self.plan_len,
                                self.plan_ptr)
        self.directory = directory
        self.spec.dir = self.directory
        self.spec.key_encoding = KEY_ENCODINGS[key_encoding]
        self.spec.separator = ord(separator)
        self.spec.plans = self.plan_ptr
        self.spec.plan_len = self.plan_len
        return 0

    def run(self, Decompressor dec not None, rbuf, dbuf, Py_ssize_t begin, Py_ssize_t end):
        """Read chunks ``begin .. end-1`` (row-major over the plans) with the GIL released.

        `rbuf` (compressed files) and `dbuf` (one decoded chunk, ``chunk_nbytes`` at least)
        are writable contiguous buffers of the calling thread. Returns ``(rc, index, need,
        err)``: ``rc`` >= 0 chunks read, or a code of ``CHUNK_ERRORS`` for the chunk at
        flattened ``index`` (``need``: file size for E_BUFSIZE; ``err``: errno for E_IO).
        Raises ValueError for a spec the kernel refuses.
        """
        cdef Py_buffer r
        cdef Py_buffer w
        cdef csrc.zc_chunkio_status st
        cdef Py_ssize_t rc
        if begin < 0 or end < begin or end > self.total:
            raise ValueError(f"ChunkRead.run: range [{begin}, {end}) outside [0, {self.total})")
        _scratch_views("ChunkRead.run", rbuf, "rbuf", 0, dbuf, "dbuf", self.chunk_nbytes, &r, &w)
        try:
            with nogil:
                rc = csrc.zc_chunkio_read(&self.spec, dec.ctx, <char *>r.buf, <size_t>r.len,
                                          <char *>w.buf, <size_t>w.len, begin, end, &st)
        finally:
            PyBuffer_Release(&w)
            PyBuffer_Release(&r)
        return _outcome(rc, &st, "ChunkRead.run")


cdef class MemoryRead(_ChunkBox):
    """Chunks already in memory (the inner chunks of shards) decoded into one box.

    Same parameters as :class:`ChunkRead` minus the file naming and the plans, which come with
    each :meth:`run` (one call per shard): ``chunk_shape`` is the inner chunk shape and the plan
    rows' chunk indices count inner chunks over the whole array, so edge chunks are recognised.
    ``lists`` holds the (local, box) rows of indexed plan rows for every call.
    """

    def __init__(self, chunk_shape, array_shape, Py_ssize_t itemsize, codec, str order, box,
                 bytes fill, lists=None):
        self._setup("MemoryRead", chunk_shape, array_shape, itemsize, codec, order, box, fill)
        if lists is not None:
            self._set_lists("MemoryRead", lists)

    def run(self, Decompressor dec not None, plans, src, entries, dbuf, Py_ssize_t begin,
            Py_ssize_t end):
        """Decode entries ``begin .. end-1`` of the product of ``plans`` with the GIL released.

        `src` is a contiguous buffer holding the stored chunks; `entries` a C-contiguous int64
        array of one ``(offset, nbytes)`` row per entry of the product (``(-1, -1)``: missing,
        filled); `dbuf` a writable buffer of ``chunk_nbytes`` at least. Returns ``(rc, index)``:
        ``rc`` >= 0 entries decoded, or E_DATA for the entry at ``index`` (corrupt, or outside
        `src`). Raises ValueError for arguments the kernel refuses.
        """
        cdef int64_t plan_len[MAXDIM]
        cdef const int64_t *plan_ptr[MAXDIM]
        cdef csrc.zc_chunkio_spec spec = self.spec
        cdef const int64_t[:, ::1] table = entries
        cdef list views = []
        cdef Py_buffer r
        cdef Py_buffer w
        cdef csrc.zc_chunkio_status st
        cdef Py_ssize_t rc
        cdef Py_ssize_t total = _set_plans("MemoryRead.run", plans, spec.ndim, views, plan_len,
                                           plan_ptr)
        if table.shape[0] != total or table.shape[1] != 2:
            raise ValueError(f"MemoryRead.run: entries has shape ({table.shape[0]}, {table.shape[1]}), "
                             f"expected ({total}, 2)")
        if begin < 0 or end < begin or end > total:
            raise ValueError(f"MemoryRead.run: range [{begin}, {end}) outside [0, {total})")
        spec.plans = plan_ptr
        spec.plan_len = plan_len
        get_buffer(src, &r, PyBUF_SIMPLE, "MemoryRead.run", "src")
        try:
            get_buffer(dbuf, &w, PyBUF_SIMPLE | PyBUF_WRITABLE, "MemoryRead.run", "dbuf")
            try:
                if w.len < self.chunk_nbytes:
                    raise ValueError(f"MemoryRead.run: dbuf has {w.len} bytes, a chunk needs "
                                     f"{self.chunk_nbytes}")
                with nogil:
                    rc = csrc.zc_chunkio_decode_mem(
                        &spec, dec.ctx, <const char *>r.buf, <size_t>r.len,
                        &table[0, 0] if total else <const int64_t *>plan_len, <char *>w.buf,
                        <size_t>w.len, begin, end, &st)
            finally:
                PyBuffer_Release(&w)
        finally:
            PyBuffer_Release(&r)
        if rc >= 0:
            return rc, -1
        if rc in CHUNK_ERRORS:
            return rc, st.index
        check(rc, "MemoryRead.run")


cdef bytes _encoding(str what, csrc.zc_encode_params *enc, codec, int level, bint checksum,
                     int shuffle, int typesize, Py_ssize_t blocksize, str cname):
    """Check and store an encoder's settings; returns the bytes `enc.cname` points into."""
    if codec not in WRITE_CODECS:
        raise ValueError(f"{what}: codec {codec!r} is not one of {sorted(map(str, WRITE_CODECS))}")
    if shuffle not in (0, 1, 2) or typesize < 1 or blocksize < 0:
        raise ValueError(f"{what}: bad blosc settings shuffle={shuffle} typesize={typesize} "
                         f"blocksize={blocksize}")
    if codec == "blosc" and not blosc_has(cname):
        raise ValueError(f"{what}: libblosc has no compressor {cname!r}")
    name = cname.encode("ascii")
    enc.level = level
    enc.checksum = checksum
    enc.shuffle = shuffle
    enc.typesize = typesize
    enc.blocksize = blocksize
    enc.cname = name
    return name


cdef class ChunkWrite(ChunkRead):
    """One write of whole chunks: the source box, the plans that place it, how chunks are coded.

    Parameters are :class:`ChunkRead`'s (``box`` is the source here and may be read-only; its
    plan rows must cover their chunks whole), with ``codec`` one of ``WRITE_CODECS`` and:

    level, checksum : zstd's level and checksum flag (blosc: ``level`` is the clevel)
    shuffle, typesize, blocksize, cname : blosc's settings
    skip_empty : bool
        Hand chunks that hold only ``fill`` back as E_EMPTY instead of writing them.
    fsync : bool
        Flush each file before renaming it into place.
    """

    cdef csrc.zc_encode_params enc
    cdef bytes cname
    cdef bint skip_empty
    cdef bint do_fsync
    cdef readonly Py_ssize_t encode_bound
    cdef readonly Py_ssize_t scratch_nbytes

    def __init__(self, bytes directory, str key_encoding, str separator, chunk_shape,
                 array_shape, Py_ssize_t itemsize, codec, str order, plans, box, bytes fill, *,
                 int level=0, bint checksum=False, int shuffle=0, int typesize=1,
                 Py_ssize_t blocksize=0, str cname="lz4", bint skip_empty=True,
                 bint fsync=False):
        self.cname = _encoding("ChunkWrite", &self.enc, codec, level, checksum, shuffle,
                               typesize, blocksize, cname)
        self._setup("ChunkWrite", chunk_shape, array_shape, itemsize, codec, order, box, fill,
                    False)
        self._set_files("ChunkWrite", directory, key_encoding, separator, plans)
        self.skip_empty = skip_empty
        self.do_fsync = fsync
        self.encode_bound = csrc.zc_chunkwrite_bound(self.spec.codec, self.chunk_nbytes)
        self.scratch_nbytes = csrc.zc_chunkwrite_scratch(self.spec.codec, self.chunk_nbytes)

    def run(self, Decompressor dec not None, dbuf, cbuf, Py_ssize_t begin, Py_ssize_t end):
        """Write chunks ``begin .. end-1`` (row-major over the plans) with the GIL released.

        `dbuf` (``scratch_nbytes``) and `cbuf` (``encode_bound`` bytes; unused without a codec)
        are writable contiguous buffers of the calling thread. Returns ``(rc, index, need,
        err)``: ``rc`` >= 0 chunks written, or a code of ``CHUNK_ERRORS`` for the chunk at
        flattened ``index``, which was not written (E_PARTIAL, E_EMPTY: the caller's to handle;
        E_IO: ``err`` is the errno). Raises ValueError for a spec the kernel refuses.
        """
        cdef Py_buffer d
        cdef Py_buffer c
        cdef csrc.zc_chunkio_status st
        cdef Py_ssize_t rc
        if begin < 0 or end < begin or end > self.total:
            raise ValueError(f"ChunkWrite.run: range [{begin}, {end}) outside [0, {self.total})")
        _scratch_views("ChunkWrite.run", dbuf, "dbuf", self.scratch_nbytes, cbuf, "cbuf",
                       0 if self.spec.codec == csrc.ZC_CODEC_NONE else self.encode_bound, &d, &c)
        try:
            with nogil:
                rc = csrc.zc_chunkwrite(&self.spec, &self.enc, self.skip_empty, self.do_fsync,
                                        dec.ctx, <char *>d.buf, <size_t>d.len, <char *>c.buf,
                                        <size_t>c.len, begin, end, &st)
        finally:
            PyBuffer_Release(&c)
            PyBuffer_Release(&d)
        return _outcome(rc, &st, "ChunkWrite.run")


cdef class PointRead:
    """Independent points of local chunk files, grouped by chunk, gathered into a flat output.

    Parameters are :class:`ChunkRead`'s file naming and coding, and:

    coords : int64 array (groups, ndim)
        The chunk of each group.
    bounds : int64 array (groups + 1,)
        Group g's points are ``bounds[g] .. bounds[g+1]-1`` of `items` and `positions`.
    items, positions : int64 arrays
        Per point: its item index inside the decoded chunk (in the stored order) and its index
        in `out`.
    out : writable contiguous 1-d buffer of ``itemsize``-byte items
    """

    cdef csrc.zc_chunkio_spec spec
    cdef csrc.zc_points points
    cdef int64_t chunk_shape[MAXDIM]
    cdef int64_t array_shape[MAXDIM]
    cdef const int64_t[:, ::1] coords
    cdef const int64_t[::1] bounds
    cdef const int64_t[::1] items
    cdef const int64_t[::1] positions
    cdef Py_buffer out_view
    cdef bint have_out
    cdef bytes directory
    cdef bytes fill
    cdef readonly Py_ssize_t chunk_nbytes
    cdef readonly Py_ssize_t total

    def __cinit__(self):
        self.have_out = False

    def __dealloc__(self):
        if self.have_out:
            PyBuffer_Release(&self.out_view)

    def __init__(self, bytes directory, str key_encoding, str separator, chunk_shape,
                 array_shape, Py_ssize_t itemsize, codec, str order, coords, bounds, items,
                 positions, out, bytes fill):
        cdef int ndim = len(chunk_shape)
        cdef int d
        if ndim > MAXDIM or len(array_shape) != ndim:
            raise ValueError(f"PointRead: bad shapes {tuple(chunk_shape)} / {tuple(array_shape)}")
        if key_encoding not in KEY_ENCODINGS or separator not in ("/", "."):
            raise ValueError(f"PointRead: bad key encoding {key_encoding!r} / {separator!r}")
        if not directory.endswith(b"/") or b"\0" in directory:
            raise ValueError(f"PointRead: bad directory {directory!r}")
        if codec not in CODECS or order not in ("C", "F"):
            raise ValueError(f"PointRead: unsupported codec {codec!r} or order {order!r}")
        if itemsize <= 0 or len(fill) != itemsize:
            raise ValueError(f"PointRead: fill has {len(fill)} bytes, itemsize is {itemsize}")
        self.coords = coords
        self.bounds = bounds
        self.items = items
        self.positions = positions
        if self.coords.shape[1] != ndim or self.bounds.shape[0] != self.coords.shape[0] + 1:
            raise ValueError("PointRead: coords must be (groups, ndim) and bounds (groups + 1,)")
        if self.items.shape[0] != self.positions.shape[0]:
            raise ValueError("PointRead: items and positions differ in length")
        self.chunk_nbytes = itemsize
        for d in range(ndim):
            self.chunk_shape[d] = chunk_shape[d]
            self.array_shape[d] = array_shape[d]
            if self.chunk_shape[d] <= 0:
                raise ValueError(f"PointRead: chunk_shape {tuple(chunk_shape)} must be positive")
            self.chunk_nbytes *= self.chunk_shape[d]
        get_buffer(out, &self.out_view, PyBUF_SIMPLE | PyBUF_WRITABLE, "PointRead", "out")
        self.have_out = True
        if self.out_view.len % itemsize:
            raise ValueError("PointRead: out is not a whole number of items")
        self.directory = directory
        self.fill = fill
        _spec_coding(&self.spec, ndim, self.chunk_shape, self.array_shape, itemsize, codec,
                     order, self.fill)
        self.spec.dir = self.directory
        self.spec.key_encoding = KEY_ENCODINGS[key_encoding]
        self.spec.separator = ord(separator)
        self.total = self.coords.shape[0]
        self.points.ngroups = self.total
        self.points.coords = &self.coords[0, 0] if self.total and ndim else <const int64_t *>self.chunk_shape
        self.points.bounds = &self.bounds[0]
        self.points.items = &self.items[0] if self.items.shape[0] else NULL
        self.points.positions = &self.positions[0] if self.positions.shape[0] else NULL
        self.points.out = <char *>self.out_view.buf
        self.points.out_len = self.out_view.len // itemsize

    def run(self, Decompressor dec not None, rbuf, dbuf, Py_ssize_t begin, Py_ssize_t end):
        """Gather the points of groups ``begin .. end-1`` with the GIL released.

        Buffers and the result are :meth:`ChunkRead.run`'s, ``index`` being the failing group.
        Raises ValueError for groups or points outside the grid, the chunk or `out`.
        """
        cdef Py_buffer r
        cdef Py_buffer w
        cdef csrc.zc_chunkio_status st
        cdef Py_ssize_t rc
        if begin < 0 or end < begin or end > self.total:
            raise ValueError(f"PointRead.run: range [{begin}, {end}) outside [0, {self.total})")
        _scratch_views("PointRead.run", rbuf, "rbuf", 0, dbuf, "dbuf", self.chunk_nbytes, &r, &w)
        try:
            with nogil:
                rc = csrc.zc_chunkio_read_points(&self.spec, &self.points, dec.ctx,
                                                 <char *>r.buf, <size_t>r.len, <char *>w.buf,
                                                 <size_t>w.len, begin, end, &st)
        finally:
            PyBuffer_Release(&w)
            PyBuffer_Release(&r)
        return _outcome(rc, &st, "PointRead.run")


cdef class ChunkEncode(_ChunkBox):
    """Whole chunks of a source box encoded one after another into one buffer (a shard's inner
    chunks), skipping the ones that hold only `fill`.

    Parameters: ``chunk_shape``, ``itemsize``, ``codec`` (one of ``WRITE_CODECS``), ``order``
    (of the stored chunks), the source ``box`` (any strides, may be read-only), ``fill`` and the
    encoder settings of :class:`ChunkWrite`.
    """

    cdef csrc.zc_encode_params enc
    cdef bytes cname
    cdef str codec_name
    cdef readonly Py_ssize_t encode_bound
    cdef readonly Py_ssize_t scratch_nbytes

    def __init__(self, chunk_shape, Py_ssize_t itemsize, codec, str order, box, bytes fill, *,
                 int level=0, bint checksum=False, int shuffle=0, int typesize=1,
                 Py_ssize_t blocksize=0, str cname="lz4"):
        self.cname = _encoding("ChunkEncode", &self.enc, codec, level, checksum, shuffle,
                               typesize, blocksize, cname)
        self._setup("ChunkEncode", chunk_shape, getattr(box, "shape", chunk_shape), itemsize,
                    codec, order, box, fill, False)
        self.encode_bound = csrc.zc_chunkwrite_bound(self.spec.codec, self.chunk_nbytes)
        self.scratch_nbytes = csrc.zc_chunkwrite_scratch(self.spec.codec, self.chunk_nbytes)
        self.codec_name = str(codec)

    def run(self, Decompressor dec not None, origins, dbuf, out):
        """Encode the chunks whose first items are the rows of `origins` (int64, (n, ndim)) into
        `out` (``n * encode_bound`` bytes at least) with the GIL released; `dbuf` is scratch
        of ``scratch_nbytes``.

        Returns ``(used, placed)``: the bytes of `out` used and an int64 ``(n, 2)`` array of
        each chunk's (offset, size) in it, ``(-1, -1)`` for a chunk of fill. Raises CodecError
        when an encoder fails, ValueError for arguments the kernel refuses.
        """
        cdef const int64_t[:, ::1] rows = origins
        cdef Py_ssize_t n = rows.shape[0]
        cdef int64_t[:, ::1] placed
        cdef Py_buffer d
        cdef Py_buffer o
        cdef csrc.zc_chunkio_status st
        cdef Py_ssize_t rc
        if rows.shape[1] != self.spec.ndim:
            raise ValueError(f"ChunkEncode.run: origins must have {self.spec.ndim} columns")
        result = np.empty((n, 2), dtype=np.int64)
        placed = result
        _scratch_views("ChunkEncode.run", dbuf, "dbuf", self.scratch_nbytes, out, "out",
                       n * self.encode_bound, &d, &o)
        try:
            with nogil:
                rc = csrc.zc_encode_chunks(&self.spec, &self.enc, dec.ctx,
                                           &rows[0, 0] if n else NULL, n, <char *>d.buf,
                                           <size_t>d.len, <char *>o.buf, <size_t>o.len,
                                           &placed[0, 0] if n else NULL, &st)
        finally:
            PyBuffer_Release(&o)
            PyBuffer_Release(&d)
        if rc == csrc.ZC_E_DATA:
            raise CodecError(f"chunk {st.index}: codec {self.codec_name!r} failed to encode it")
        check(rc, "ChunkEncode.run")
        return rc, result
