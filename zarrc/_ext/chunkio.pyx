"""Native chunk loop of a basic read from local chunk files (wraps ``csrc/zc_chunkio.c``).

Built only when libzstd, liblz4, libblosc and zlib are found at build time (setup.py).
:class:`ChunkRead` holds one planned read, checked once with the GIL; :meth:`ChunkRead.run`
reads a range of its chunks with the GIL released, so threads can split one read. Each thread
passes its own :class:`Decompressor` and scratch buffers.
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release
from libc.stdint cimport int64_t

from zarrc._ext cimport csrc
from zarrc._ext._buffer cimport get_buffer
from zarrc._ext._errors cimport check

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

# return codes that concern one chunk (ChunkRead.run reports them with the chunk's index)
E_DATA = csrc.ZC_E_DATA
E_SIZE = csrc.ZC_E_SIZE
E_BUFSIZE = csrc.ZC_E_BUFSIZE
E_IO = csrc.ZC_E_IO
E_PATH = csrc.ZC_E_PATH
CHUNK_ERRORS = frozenset((E_DATA, E_SIZE, E_BUFSIZE, E_IO, E_PATH))

cdef enum:
    MAXDIM = 64  # ZC_MAXDIM (fixed-size arrays below)


def blosc_has(str cname):
    """True if the linked libblosc can decompress the inner compressor `cname`."""
    return csrc.zc_chunkio_blosc_has(cname.encode("ascii")) == 1


cdef class Decompressor:
    """One thread's decompression state (a zstd context, a zlib stream); never share it."""

    cdef csrc.zc_chunkio_ctx *ctx

    def __cinit__(self):
        self.ctx = csrc.zc_chunkio_ctx_create()
        if self.ctx is NULL:
            raise MemoryError("chunkio: cannot allocate a decompression context")

    def __dealloc__(self):
        csrc.zc_chunkio_ctx_free(self.ctx)


cdef class ChunkRead:
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
    """

    cdef csrc.zc_chunkio_spec spec
    cdef int64_t chunk_shape[MAXDIM]
    cdef int64_t array_shape[MAXDIM]
    cdef int64_t plan_len[MAXDIM]
    cdef const int64_t *plan_ptr[MAXDIM]
    cdef Py_buffer box_view
    cdef bint have_box
    cdef bytes directory
    cdef bytes fill
    cdef list plan_views
    cdef readonly Py_ssize_t total
    cdef readonly Py_ssize_t chunk_nbytes

    def __cinit__(self):
        self.have_box = False

    def __init__(self, bytes directory, str key_encoding, str separator, chunk_shape,
                 array_shape, Py_ssize_t itemsize, codec, str order, plans, box, bytes fill):
        cdef int ndim = len(chunk_shape)
        cdef int d
        cdef const int64_t[:, ::1] view
        if ndim > MAXDIM:
            raise ValueError(f"ChunkRead: at most {MAXDIM} dimensions, got {ndim}")
        if len(array_shape) != ndim or len(plans) != ndim:
            raise ValueError("ChunkRead: chunk_shape, array_shape and plans differ in length")
        if key_encoding not in KEY_ENCODINGS or separator not in ("/", "."):
            raise ValueError(f"ChunkRead: bad key encoding {key_encoding!r} / {separator!r}")
        if codec not in CODECS:
            raise ValueError(f"ChunkRead: unsupported codec {codec!r}")
        if order not in ("C", "F"):
            raise ValueError(f"ChunkRead: order must be 'C' or 'F', got {order!r}")
        if not directory.endswith(b"/") or b"\0" in directory:
            raise ValueError(f"ChunkRead: bad directory {directory!r}")
        if itemsize <= 0 or len(fill) != itemsize:
            raise ValueError(f"ChunkRead: fill has {len(fill)} bytes, itemsize is {itemsize}")
        self.directory = directory
        self.fill = fill
        self.plan_views = []
        self.total = 1
        self.chunk_nbytes = itemsize
        for d in range(ndim):
            self.chunk_shape[d] = chunk_shape[d]
            self.array_shape[d] = array_shape[d]
            if self.chunk_shape[d] <= 0:
                raise ValueError(f"ChunkRead: chunk_shape {tuple(chunk_shape)} must be positive")
            view = plans[d]
            if view.shape[1] != PLAN_COLS:
                raise ValueError(f"ChunkRead: plan rows must have {PLAN_COLS} columns")
            self.plan_views.append(view)
            self.plan_len[d] = view.shape[0]
            self.plan_ptr[d] = &view[0, 0] if view.shape[0] else NULL
            self.total *= view.shape[0]
            self.chunk_nbytes *= self.chunk_shape[d]
        get_buffer(box, &self.box_view, PyBUF_STRIDES | PyBUF_WRITABLE, "ChunkRead", "box")
        self.have_box = True
        if self.box_view.ndim != ndim or self.box_view.itemsize != itemsize:
            raise ValueError(
                f"ChunkRead: box has {self.box_view.ndim} dims of {self.box_view.itemsize}-byte "
                f"items, expected {ndim} of {itemsize}")
        self.spec.dir = self.directory
        self.spec.key_encoding = KEY_ENCODINGS[key_encoding]
        self.spec.separator = ord(separator)
        self.spec.ndim = ndim
        self.spec.chunk_shape = self.chunk_shape
        self.spec.array_shape = self.array_shape
        self.spec.itemsize = itemsize
        self.spec.codec = CODECS[codec]
        self.spec.order_f = order == "F"
        self.spec.plans = self.plan_ptr
        self.spec.plan_len = self.plan_len
        self.spec.box = <char *>self.box_view.buf
        self.spec.box_shape = self.box_view.shape
        self.spec.box_strides = self.box_view.strides
        self.spec.fill = self.fill

    def __dealloc__(self):
        if self.have_box:
            PyBuffer_Release(&self.box_view)

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
        get_buffer(rbuf, &r, PyBUF_SIMPLE | PyBUF_WRITABLE, "ChunkRead.run", "rbuf")
        try:
            get_buffer(dbuf, &w, PyBUF_SIMPLE | PyBUF_WRITABLE, "ChunkRead.run", "dbuf")
            try:
                if w.len < self.chunk_nbytes:
                    raise ValueError(f"ChunkRead.run: dbuf has {w.len} bytes, a chunk needs "
                                     f"{self.chunk_nbytes}")
                with nogil:
                    rc = csrc.zc_chunkio_read(&self.spec, dec.ctx, <char *>r.buf, <size_t>r.len,
                                              <char *>w.buf, <size_t>w.len, begin, end, &st)
            finally:
                PyBuffer_Release(&w)
        finally:
            PyBuffer_Release(&r)
        if rc >= 0:
            return rc, -1, 0, 0
        if rc in CHUNK_ERRORS:
            return rc, st.index, st.need, st.err
        check(rc, "ChunkRead.run")
