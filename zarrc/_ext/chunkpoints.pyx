"""Native point reads: independent points gathered chunk by chunk (wraps
``csrc/zc_chunkpoints.c``), GIL released."""

from cpython.buffer cimport PyBUF_SIMPLE, PyBUF_WRITABLE, PyBuffer_Release
from libc.stdint cimport int64_t

from zarrc._ext cimport csrc
from zarrc._ext._buffer cimport get_buffer
from zarrc._ext.chunkio cimport (
    MAXDIM,
    Decompressor,
    _Buffers,
    _buffers_outcome,
    _codec_id,
    _outcome,
    _scratch_views,
    _set_stats,
    _spec_coding,
)

from zarrc._ext.chunkio import KEY_ENCODINGS


cdef class PointRead:
    """Independent points of chunks of a regular grid, grouped by chunk, gathered into a flat
    output; the chunks come from files (:meth:`run`) or from buffers (:meth:`run_buffers`).

    Parameters are :class:`ChunkRead`'s file naming and coding (``directory`` may be None),
    and:

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

    def __init__(self, directory, str key_encoding, str separator, chunk_shape,
                 array_shape, Py_ssize_t itemsize, codec, str order, coords, bounds, items,
                 positions, out, bytes fill):
        cdef int ndim = len(chunk_shape)
        cdef int d
        if ndim > MAXDIM or len(array_shape) != ndim:
            raise ValueError(f"PointRead: bad shapes {tuple(chunk_shape)} / {tuple(array_shape)}")
        if key_encoding not in KEY_ENCODINGS or separator not in ("/", "."):
            raise ValueError(f"PointRead: bad key encoding {key_encoding!r} / {separator!r}")
        if directory is not None and (not isinstance(directory, bytes)
                                      or not directory.endswith(b"/") or b"\0" in directory):
            raise ValueError(f"PointRead: bad directory {directory!r}")
        cdef int codec_id = _codec_id("PointRead", codec)
        if order not in ("C", "F"):
            raise ValueError(f"PointRead: unsupported order {order!r}")
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
        self.fill = fill
        _spec_coding(&self.spec, ndim, self.chunk_shape, self.array_shape, itemsize, codec_id,
                     order, self.fill)
        if directory is not None:
            self.directory = directory
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

    def run(self, Decompressor dec not None, rbuf, dbuf, Py_ssize_t begin, Py_ssize_t end,
            stats=None):
        """Gather the points of groups ``begin .. end-1`` from the chunk files, GIL released.

        Buffers, `stats` and the result are :meth:`ChunkRead.run`'s, ``index`` being the
        failing group. Raises ValueError for groups or points outside the grid, the chunk or
        `out`.
        """
        cdef Py_buffer r
        cdef Py_buffer w
        cdef csrc.zc_chunkio_status st
        cdef Py_ssize_t rc
        cdef csrc.zc_chunkio_spec spec = self.spec
        if self.spec.dir == NULL:
            raise ValueError("PointRead.run: no directory: use run_buffers")
        if begin < 0 or end < begin or end > self.total:
            raise ValueError(f"PointRead.run: range [{begin}, {end}) outside [0, {self.total})")
        _set_stats(&spec, stats, end - begin, "PointRead.run")
        _scratch_views("PointRead.run", rbuf, "rbuf", 0, dbuf, "dbuf", self.chunk_nbytes, &r, &w)
        try:
            with nogil:
                rc = csrc.zc_chunkio_read_points(&spec, &self.points, dec.ctx,
                                                 <char *>r.buf, <size_t>r.len, <char *>w.buf,
                                                 <size_t>w.len, begin, end, &st)
        finally:
            PyBuffer_Release(&w)
            PyBuffer_Release(&r)
        return _outcome(rc, &st, "PointRead.run")

    def run_buffers(self, Decompressor dec not None, buffers, dbuf, Py_ssize_t begin,
                    Py_ssize_t end, stats=None):
        """Gather the points of groups ``begin .. end-1`` from ``buffers`` (one bytes-like per
        group of the range, None for a missing chunk), GIL released: ``(rc, index)``.
        `stats`: as in :meth:`ChunkRead.run`."""
        cdef Py_buffer w
        cdef csrc.zc_chunkio_status st
        cdef Py_ssize_t rc
        cdef _Buffers bufs
        cdef csrc.zc_chunkio_spec spec = self.spec
        if begin < 0 or end < begin or end > self.total:
            raise ValueError(f"PointRead.run_buffers: range [{begin}, {end}) outside "
                             f"[0, {self.total})")
        if len(buffers) != end - begin:
            raise ValueError(f"PointRead.run_buffers: {len(buffers)} buffers for "
                             f"{end - begin} groups")
        _set_stats(&spec, stats, end - begin, "PointRead.run_buffers")
        bufs = _Buffers(buffers, "PointRead.run_buffers")
        get_buffer(dbuf, &w, PyBUF_SIMPLE | PyBUF_WRITABLE, "PointRead.run_buffers", "dbuf")
        try:
            with nogil:
                rc = csrc.zc_chunkio_points_bufs(&spec, &self.points, dec.ctx, bufs.ptrs,
                                                 bufs.sizes, <char *>w.buf, <size_t>w.len,
                                                 begin, end, &st)
        finally:
            PyBuffer_Release(&w)
        return _buffers_outcome(rc, &st, "PointRead.run_buffers")
