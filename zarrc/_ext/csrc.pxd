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
        ZC_E_BUFSIZE
        ZC_E_IO
        ZC_E_PATH
        ZC_E_PARTIAL
        ZC_E_EMPTY
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

from libc.stdint cimport int64_t

# The codecs (zc_codec.c): each compiled in when its library was found (setup.py).
cdef extern from "zc_codec.h" nogil:
    enum:
        ZC_CODEC_NONE
        ZC_CODEC_ZSTD
        ZC_CODEC_BLOSC
        ZC_CODEC_LZ4
        ZC_CODEC_GZIP
        ZC_CODEC_ZLIB
        ZC_CODEC_COUNT

    ctypedef struct zc_chunkio_ctx:
        pass

    ctypedef struct zc_encode_params:
        int level
        int checksum
        int shuffle
        int typesize
        size_t blocksize
        const char *cname

    zc_chunkio_ctx *zc_chunkio_ctx_create()
    void zc_chunkio_ctx_free(zc_chunkio_ctx *ctx)
    int zc_codec_available(int codec)
    int zc_codec_encodes(int codec)
    const char *zc_codec_version(int codec, int built)
    const char *zc_codec_library_file(int codec)
    int zc_codec_blosc_has(const char *cname)
    int zc_codec_decode(zc_chunkio_ctx *ctx, int codec, const char *src, size_t n, char *dst,
                        size_t dn, size_t need)
    size_t zc_codec_encode_bound(int codec, size_t nbytes)
    size_t zc_codec_encode_scratch(int codec, size_t nbytes)
    Py_ssize_t zc_codec_encode(zc_chunkio_ctx *ctx, int codec, const zc_encode_params *p,
                               const char *src, size_t n, char *dst, size_t cap, char *tmp,
                               size_t tmp_size)

cdef extern from "zc_chunkio.h" nogil:
    enum:
        ZC_KEY_DEFAULT
        ZC_KEY_V2
        ZC_PLAN_COLS
        ZC_PLAN_INDEXED

    ctypedef struct zc_chunkio_spec:
        const char *dir
        int key_encoding
        char separator
        int ndim
        const int64_t *chunk_shape
        const int64_t *array_shape
        Py_ssize_t itemsize
        int codec
        int order_f
        const int64_t *const *plans
        const int64_t *plan_len
        const int64_t *const *lists
        const int64_t *list_len
        char *box
        const Py_ssize_t *box_shape
        const Py_ssize_t *box_strides
        const char *fill
        int64_t *stats

    ctypedef struct zc_chunkio_status:
        int64_t index
        int64_t need
        int err

    Py_ssize_t zc_chunkio_read(const zc_chunkio_spec *spec, zc_chunkio_ctx *ctx, char *rbuf,
                               size_t rbuf_size, char *dbuf, size_t dbuf_size, int64_t begin,
                               int64_t end, zc_chunkio_status *status)
    int zc_chunkio_read_ranges(int fd, int64_t n, const int64_t *ranges, char *buf, size_t cap,
                               int64_t *total, int64_t *size, int *err)
    Py_ssize_t zc_chunkio_decode_bufs(const zc_chunkio_spec *spec, zc_chunkio_ctx *ctx,
                                      const char *const *bufs, const size_t *sizes, char *dbuf,
                                      size_t dbuf_size, int64_t begin, int64_t end,
                                      zc_chunkio_status *status)

cdef extern from "zc_chunkwrite.h" nogil:
    enum:
        ZC_OUT_PARTIAL
        ZC_OUT_EMPTY

    ctypedef struct zc_sink:
        const char *temp_prefix
        int fsync
        char *out
        size_t out_cap

    size_t zc_chunkwrite_scratch(int codec, size_t nbytes)
    Py_ssize_t zc_encode_chunks(const zc_chunkio_spec *spec, const zc_encode_params *enc,
                                zc_chunkio_ctx *ctx, const int64_t *origins, int64_t n,
                                char *dbuf, size_t dbuf_size, char *out, size_t out_cap,
                                int64_t *placed, zc_chunkio_status *status)
    Py_ssize_t zc_chunkwrite(const zc_chunkio_spec *spec, const zc_encode_params *enc,
                             const zc_sink *sink, int skip_empty, zc_chunkio_ctx *ctx,
                             char *dbuf, size_t dbuf_size, char *cbuf, size_t cbuf_size,
                             int64_t begin, int64_t end, int64_t *outcome,
                             zc_chunkio_status *status)

cdef extern from "zc_chunkpoints.h" nogil:
    ctypedef struct zc_points:
        int64_t ngroups
        const int64_t *coords
        const int64_t *bounds
        const int64_t *items
        const int64_t *positions
        char *out
        int64_t out_len

    Py_ssize_t zc_chunkio_read_points(const zc_chunkio_spec *spec, const zc_points *points,
                                      zc_chunkio_ctx *ctx, char *rbuf, size_t rbuf_size,
                                      char *dbuf, size_t dbuf_size, int64_t begin, int64_t end,
                                      zc_chunkio_status *status)
    Py_ssize_t zc_chunkio_points_bufs(const zc_chunkio_spec *spec, const zc_points *points,
                                      zc_chunkio_ctx *ctx, const char *const *bufs,
                                      const size_t *sizes, char *dbuf, size_t dbuf_size,
                                      int64_t begin, int64_t end, zc_chunkio_status *status)
