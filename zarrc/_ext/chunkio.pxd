# What zarrc._ext.chunkio shares with the point reader and the writers (chunkpoints, chunkwrite).
from libc.stdint cimport int64_t

from zarrc._ext cimport csrc

cdef enum:
    MAXDIM = 64  # ZC_MAXDIM (fixed-size arrays in the loop objects)


cdef class _Buffers:
    cdef Py_buffer *views
    cdef const char **ptrs
    cdef size_t *sizes
    cdef Py_ssize_t n
    cdef Py_ssize_t held


cdef class Decompressor:
    cdef csrc.zc_chunkio_ctx *ctx


cdef class _ChunkBox:
    cdef csrc.zc_chunkio_spec spec
    cdef int64_t chunk_shape[MAXDIM]
    cdef int64_t array_shape[MAXDIM]
    cdef Py_buffer box_view
    cdef bint have_box
    cdef bytes fill
    cdef int64_t list_len[MAXDIM]
    cdef const int64_t *list_ptr[MAXDIM]
    cdef list list_views
    cdef int64_t plan_len[MAXDIM]
    cdef const int64_t *plan_ptr[MAXDIM]
    cdef list plan_views
    cdef bytes directory
    cdef readonly Py_ssize_t chunk_nbytes
    cdef readonly Py_ssize_t total

    cdef int _setup(self, str what, chunk_shape, array_shape, Py_ssize_t itemsize, codec,
                    str order, box, bytes fill, bint writable=*) except -1
    cdef int _set_lists(self, str what, lists) except -1
    cdef int _set_plans(self, str what, plans) except -1
    cdef int _set_files(self, str what, directory, str key_encoding, str separator) except -1


cdef int _codec_id(str what, codec) except -1
cdef void _spec_coding(csrc.zc_chunkio_spec *spec, int ndim, const int64_t *chunk_shape,
                       const int64_t *array_shape, Py_ssize_t itemsize, int codec, str order,
                       const char *fill)
cdef int _scratch_views(str what, a, str a_name, Py_ssize_t a_min, b, str b_name,
                        Py_ssize_t b_min, Py_buffer *va, Py_buffer *vb) except -1
cdef int _set_stats(csrc.zc_chunkio_spec *spec, stats, Py_ssize_t n, str what) except -1
cdef tuple _buffers_outcome(Py_ssize_t rc, csrc.zc_chunkio_status *st, str what)
cdef tuple _outcome(Py_ssize_t rc, csrc.zc_chunkio_status *st, str what)
cdef Py_ssize_t _set_plans(str what, plans, int ndim, list views, int64_t *plan_len,
                           const int64_t **plan_ptr) except -1
