# All declarations of the pure-C kernels in csrc/; the only place zarrc cimports C from.
# Every function is declared nogil: the kernels touch no Python state.
# (The C headers say ssize_t; Py_ssize_t is the same type on every supported platform.)

cdef extern from "zc_common.h" nogil:
    enum:
        ZC_OK
        ZC_E_ARG
        ZC_E_NDIM
        ZC_E_ITEMSIZE
        ZC_E_SIZE
        ZC_E_DTYPE
        ZC_E_OVERLAP
        ZC_E_DATA
        ZC_KIND_INT
        ZC_KIND_UINT
        ZC_KIND_FLOAT
        ZC_MAXDIM

cdef extern from "zc_copy.h" nogil:
    Py_ssize_t zc_copy_region(const char *src, const Py_ssize_t *src_strides, char *dst,
                              const Py_ssize_t *dst_strides, const Py_ssize_t *shape, int ndim,
                              Py_ssize_t itemsize)

cdef extern from "zc_fill.h" nogil:
    Py_ssize_t zc_fill_region(char *dst, const Py_ssize_t *dst_strides, const Py_ssize_t *shape,
                              int ndim, const char *value, Py_ssize_t itemsize)
    Py_ssize_t zc_fill_equal(const char *src, const Py_ssize_t *src_strides,
                             const Py_ssize_t *shape, int ndim, const char *value,
                             Py_ssize_t itemsize)

cdef extern from "zc_byteswap.h" nogil:
    Py_ssize_t zc_byteswap_copy(const char *src, char *dst, Py_ssize_t nbytes, Py_ssize_t unit)
    Py_ssize_t zc_byteswap_inplace(char *buf, Py_ssize_t nbytes, Py_ssize_t unit)

cdef extern from "zc_shuffle.h" nogil:
    Py_ssize_t zc_shuffle_encode(const char *src, char *dst, Py_ssize_t nbytes,
                                 Py_ssize_t elementsize)
    Py_ssize_t zc_shuffle_decode(const char *src, char *dst, Py_ssize_t nbytes,
                                 Py_ssize_t elementsize)

cdef extern from "zc_delta.h" nogil:
    Py_ssize_t zc_delta_encode(const char *src, char *dst, Py_ssize_t n, Py_ssize_t itemsize,
                               int kind)
    Py_ssize_t zc_delta_decode(const char *src, char *dst, Py_ssize_t n, Py_ssize_t itemsize,
                               int kind)
