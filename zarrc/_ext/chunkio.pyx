"""Native chunk loops of planned reads, GIL released (wraps ``csrc/zc_chunkio.c``).

Always built: the loops and raw chunks need no library; each codec is in the build when its
library was found (:mod:`zarrc._ext.codec` says which). A loop object holds one planned
request, checked once with the GIL; its ``run`` methods handle a range of its chunks with the
GIL released, so threads can split one request. Chunk bytes come from files below a directory
(a store's ``LocalFiles``) or from buffers the caller fetched from any store. Each thread
passes its own :class:`Decompressor` (the coding contexts) and scratch buffers. What the
point reader (:mod:`zarrc._ext.chunkpoints`) and the writers (:mod:`zarrc._ext.chunkwrite`)
share with this module is declared in ``chunkio.pxd``.
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release
from cpython.buffer cimport PyObject_GetBuffer
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.stdint cimport int64_t
from libc.string cimport memset

import numpy as np

from zarrc._ext cimport csrc
from zarrc._ext._buffer cimport get_buffer
from zarrc._ext._errors cimport check

from zarrc.errors import CodecError

# codec names as zarrc.codecs' native specs give them (None: raw bytes)
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

# return codes that concern one chunk (the loops report them with the chunk's index)
E_DATA = csrc.ZC_E_DATA
E_SIZE = csrc.ZC_E_SIZE
E_BUFSIZE = csrc.ZC_E_BUFSIZE
E_IO = csrc.ZC_E_IO
E_PATH = csrc.ZC_E_PATH
CHUNK_ERRORS = frozenset((E_DATA, E_SIZE, E_BUFSIZE, E_IO, E_PATH))

def decodes(codec):
    """True if this build decodes ``codec`` (a name of ``CODECS``) in the loops."""
    return codec in CODECS and csrc.zc_codec_available(CODECS[codec]) == 1


def encodes(codec):
    """True if this build encodes ``codec`` in the write loops (raw, zstd, blosc)."""
    return codec in CODECS and csrc.zc_codec_encodes(CODECS[codec]) == 1


def blosc_has(str cname):
    """True if the linked libblosc can (de)compress with the inner compressor `cname`."""
    return csrc.zc_codec_blosc_has(cname.encode("ascii")) == 1


def read_file_ranges(int fd, ranges, buf):
    """Read byte ranges of the open file `fd` into the writable buffer `buf`, one after
    another, with the GIL released: `ranges` is an int64 ``(n, 2)`` array of ``[start,
    stop)``, a negative start counting from the end and a negative stop meaning the end.

    Returns ``(rc, total, size, err)``: ``rc`` 0 (``total`` bytes read), E_DATA (a range is
    not inside the file of ``size`` bytes), E_BUFSIZE (`buf` is short: ``total`` bytes are
    needed, never more than the file's size) or E_IO (``err``).
    """
    cdef const int64_t[:, ::1] rows = ranges
    cdef Py_buffer b
    cdef int64_t total = 0
    cdef int64_t size = 0
    cdef int err = 0
    cdef int rc
    cdef Py_ssize_t n = rows.shape[0]
    if rows.shape[1] != 2:
        raise ValueError("read_file_ranges: ranges must be (n, 2)")
    get_buffer(buf, &b, PyBUF_SIMPLE | PyBUF_WRITABLE, "read_file_ranges", "buf")
    try:
        with nogil:
            rc = csrc.zc_chunkio_read_ranges(fd, n, &rows[0, 0] if n else NULL, <char *>b.buf,
                                             <size_t>b.len, &total, &size, &err)
    finally:
        PyBuffer_Release(&b)
    if rc == csrc.ZC_E_ARG:
        check(rc, "read_file_ranges")
    return rc, total, size, err


cdef int _codec_id(str what, codec) except -1:
    if codec not in CODECS or csrc.zc_codec_available(CODECS[codec]) != 1:
        raise ValueError(f"{what}: codec {codec!r} is not in this build")
    return CODECS[codec]


cdef void _spec_coding(csrc.zc_chunkio_spec *spec, int ndim, const int64_t *chunk_shape,
                       const int64_t *array_shape, Py_ssize_t itemsize, int codec, str order,
                       const char *fill):
    """Set the chunks' shape and coding in `spec`; no files, plans, lists or box yet."""
    memset(spec, 0, sizeof(csrc.zc_chunkio_spec))
    spec.key_encoding = csrc.ZC_KEY_DEFAULT
    spec.separator = ord("/")
    spec.ndim = ndim
    spec.chunk_shape = chunk_shape
    spec.array_shape = array_shape
    spec.itemsize = itemsize
    spec.codec = codec
    spec.order_f = order == "F"
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


cdef int _set_stats(csrc.zc_chunkio_spec *spec, stats, Py_ssize_t n, str what) except -1:
    """Point `spec` at `stats` (a writable int64 array, 2 per entry of a range of `n`: stored
    bytes and nanoseconds, for telemetry), or at nothing when `stats` is None. The caller keeps
    `stats` alive during the call."""
    cdef int64_t[::1] view
    spec.stats = NULL
    if stats is None:
        return 0
    view = stats
    if view.shape[0] < 2 * n:
        raise ValueError(f"{what}: stats has {view.shape[0]} entries, the range needs {2 * n}")
    if n > 0:
        spec.stats = &view[0]
    return 0


cdef tuple _buffers_outcome(Py_ssize_t rc, csrc.zc_chunkio_status *st, str what):
    """``(rc, index)`` of a loop over buffers; raises for a refused spec."""
    if rc >= 0:
        return rc, -1
    if rc in CHUNK_ERRORS:
        return rc, st.index
    check(rc, what)


cdef tuple _outcome(Py_ssize_t rc, csrc.zc_chunkio_status *st, str what):
    """``(rc, index, need, err)`` of a loop's return code; raises for a refused spec."""
    if rc >= 0:
        return rc, -1, 0, 0
    if rc in CHUNK_ERRORS:
        return rc, st.index, st.need, st.err
    check(rc, what)


cdef class _Buffers:
    """Read-only views of a sequence of buffers (None: a missing chunk), as C pointer and size
    arrays for one call; released when the object goes."""


    def __cinit__(self, buffers, str what):
        cdef Py_ssize_t i
        self.n = len(buffers)
        self.held = 0
        self.views = <Py_buffer *>PyMem_Malloc(max(1, self.n) * sizeof(Py_buffer))
        self.ptrs = <const char **>PyMem_Malloc(max(1, self.n) * sizeof(char *))
        self.sizes = <size_t *>PyMem_Malloc(max(1, self.n) * sizeof(size_t))
        if self.views == NULL or self.ptrs == NULL or self.sizes == NULL:
            raise MemoryError(f"{what}: cannot hold {self.n} buffers")
        for i in range(self.n):
            obj = buffers[i]
            if obj is None:
                self.ptrs[i] = NULL
                self.sizes[i] = 0
                continue
            PyObject_GetBuffer(obj, &self.views[self.held], PyBUF_SIMPLE)
            self.ptrs[i] = <const char *>self.views[self.held].buf
            self.sizes[i] = <size_t>self.views[self.held].len
            self.held += 1

    def __dealloc__(self):
        cdef Py_ssize_t i
        if self.views != NULL:
            for i in range(self.held):
                PyBuffer_Release(&self.views[i])
        PyMem_Free(self.views)
        PyMem_Free(<void *>self.ptrs)
        PyMem_Free(self.sizes)


cdef class Decompressor:
    """One thread's coding state (zstd contexts, a libdeflate decompressor); never share it."""


    def __cinit__(self):
        self.ctx = csrc.zc_chunkio_ctx_create()
        if self.ctx is NULL:
            raise MemoryError("chunkio: cannot allocate a decompression context")

    def __dealloc__(self):
        csrc.zc_chunkio_ctx_free(self.ctx)


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


cdef class _ChunkBox:
    """What every box loop shares: the chunks' shape and coding, the box, plans and lists."""


    def __cinit__(self):
        self.have_box = False
        self.total = 0

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
        cdef int codec_id = _codec_id(what, codec)
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
        _spec_coding(&self.spec, ndim, self.chunk_shape, self.array_shape, itemsize, codec_id,
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

    cdef int _set_plans(self, str what, plans) except -1:
        self.plan_views = []
        self.total = _set_plans(what, plans, self.spec.ndim, self.plan_views, self.plan_len,
                                self.plan_ptr)
        self.spec.plans = self.plan_ptr
        self.spec.plan_len = self.plan_len
        return 0

    cdef int _set_files(self, str what, directory, str key_encoding, str separator) except -1:
        """Check and store where the chunk files are (None: the chunks come from buffers)."""
        if directory is None:
            return 0
        if key_encoding not in KEY_ENCODINGS or separator not in ("/", "."):
            raise ValueError(f"{what}: bad key encoding {key_encoding!r} / {separator!r}")
        if not isinstance(directory, bytes) or not directory.endswith(b"/") or b"\0" in directory:
            raise ValueError(f"{what}: bad directory {directory!r}")
        self.directory = directory
        self.spec.dir = self.directory
        self.spec.key_encoding = KEY_ENCODINGS[key_encoding]
        self.spec.separator = ord(separator)
        return 0


cdef class ChunkRead(_ChunkBox):
    """One planned read: how the chunks are coded, which the plans visit, where they land.

    Parameters
    ----------
    directory : bytes or None
        The array's chunk directory (a store's local files root + key prefix), ending in
        ``/``; None when every chunk comes from :meth:`run_buffers`.
    key_encoding : {"default", "v2"}
    separator : {"/", "."}
    chunk_shape, array_shape : sequence of int
    itemsize : int
    codec : None or one of ``CODECS`` in this build
    order : {"C", "F"}
        Memory order of the stored chunks.
    plans : sequence of C-contiguous int64 arrays
        Per dimension, rows of (chunk index, local start, local step, count, box start).
    box : writable strided buffer
        The output, one dimension per array dimension (integer dimensions of length 1).
    fill : bytes
        ``itemsize`` bytes written where a chunk is missing.
    lists : sequence of None or C-contiguous int64 (n, 2) arrays, optional
        Per dimension, (local position, box position) rows that plan rows with step
        ``PLAN_INDEXED`` list instead of a start and step (their start is the first list row).
    """

    def __init__(self, directory, str key_encoding, str separator, chunk_shape, array_shape,
                 Py_ssize_t itemsize, codec, str order, plans, box, bytes fill, lists=None):
        self._setup("ChunkRead", chunk_shape, array_shape, itemsize, codec, order, box, fill)
        self._set_files("ChunkRead", directory, key_encoding, separator)
        self._set_plans("ChunkRead", plans)
        if lists is not None:
            self._set_lists("ChunkRead", lists)

    def run(self, Decompressor dec not None, rbuf, dbuf, Py_ssize_t begin, Py_ssize_t end,
            stats=None):
        """Read chunks ``begin .. end-1`` (row-major over the plans) from their files with the
        GIL released.

        `rbuf` (compressed files) and `dbuf` (one decoded chunk, ``chunk_nbytes`` at least)
        are writable contiguous buffers of the calling thread. Returns ``(rc, index, need,
        err)``: ``rc`` >= 0 chunks read, or a code of ``CHUNK_ERRORS`` for the chunk at
        flattened ``index`` (``need``: file size for E_BUFSIZE; ``err``: errno for E_IO).
        `stats` (an int64 array of ``2 * (end - begin)``, optional) receives per chunk its
        stored bytes (-1: missing) and the nanoseconds it took. Raises ValueError for a spec
        the kernel refuses.
        """
        cdef Py_buffer r
        cdef Py_buffer w
        cdef csrc.zc_chunkio_status st
        cdef Py_ssize_t rc
        cdef csrc.zc_chunkio_spec spec = self.spec
        if self.spec.dir == NULL:
            raise ValueError("ChunkRead.run: no directory: use run_buffers")
        if begin < 0 or end < begin or end > self.total:
            raise ValueError(f"ChunkRead.run: range [{begin}, {end}) outside [0, {self.total})")
        _set_stats(&spec, stats, end - begin, "ChunkRead.run")
        _scratch_views("ChunkRead.run", rbuf, "rbuf", 0, dbuf, "dbuf", self.chunk_nbytes, &r, &w)
        try:
            with nogil:
                rc = csrc.zc_chunkio_read(&spec, dec.ctx, <char *>r.buf, <size_t>r.len,
                                          <char *>w.buf, <size_t>w.len, begin, end, &st)
        finally:
            PyBuffer_Release(&w)
            PyBuffer_Release(&r)
        return _outcome(rc, &st, "ChunkRead.run")

    def run_buffers(self, Decompressor dec not None, buffers, dbuf, Py_ssize_t begin,
                    Py_ssize_t end, plans=None, stats=None):
        """Decode chunks ``begin .. end-1`` from ``buffers`` (one bytes-like per chunk of the
        range, None for a missing one) with the GIL released.

        With `plans` (a shard's rows over the array's inner chunk grid) the range counts
        their product instead of the constructor's. Returns ``(rc, index)``: ``rc`` >= 0
        chunks decoded, or E_DATA for the chunk at ``index`` (corrupt). `stats`: as in
        :meth:`run`. Raises ValueError for arguments the kernel refuses.
        """
        cdef csrc.zc_chunkio_spec spec = self.spec
        cdef int64_t plan_len[MAXDIM]
        cdef const int64_t *plan_ptr[MAXDIM]
        cdef list views = []
        cdef Py_ssize_t total = self.total
        cdef Py_buffer w
        cdef csrc.zc_chunkio_status st
        cdef Py_ssize_t rc
        cdef _Buffers bufs
        if plans is not None:
            total = _set_plans("ChunkRead.run_buffers", plans, spec.ndim, views, plan_len,
                               plan_ptr)
            spec.plans = plan_ptr
            spec.plan_len = plan_len
        if begin < 0 or end < begin or end > total:
            raise ValueError(f"ChunkRead.run_buffers: range [{begin}, {end}) outside [0, {total})")
        if len(buffers) != end - begin:
            raise ValueError(f"ChunkRead.run_buffers: {len(buffers)} buffers for "
                             f"{end - begin} chunks")
        _set_stats(&spec, stats, end - begin, "ChunkRead.run_buffers")
        bufs = _Buffers(buffers, "ChunkRead.run_buffers")
        get_buffer(dbuf, &w, PyBUF_SIMPLE | PyBUF_WRITABLE, "ChunkRead.run_buffers", "dbuf")
        try:
            if w.len < self.chunk_nbytes:
                raise ValueError(f"ChunkRead.run_buffers: dbuf has {w.len} bytes, a chunk "
                                 f"needs {self.chunk_nbytes}")
            with nogil:
                rc = csrc.zc_chunkio_decode_bufs(&spec, dec.ctx, bufs.ptrs, bufs.sizes,
                                                 <char *>w.buf, <size_t>w.len, begin, end, &st)
        finally:
            PyBuffer_Release(&w)
        return _buffers_outcome(rc, &st, "ChunkRead.run_buffers")
