/* zc_chunkio_impl.h - what the codecs (zc_codec.c), the chunk reader (zc_chunkio.c), the point
 * reader (zc_chunkpoints.c) and the writer (zc_chunkwrite.c) share.
 * Internal: not part of the public C API. */
#ifndef ZC_CHUNKIO_IMPL_H
#define ZC_CHUNKIO_IMPL_H

#include "zc_chunkio.h"

#ifdef ZC_HAVE_DEFLATE
#include <libdeflate.h>
#endif
#ifdef ZC_HAVE_ZSTD
#include <zstd.h>
#endif

struct zc_chunkio_ctx {
#ifdef ZC_HAVE_ZSTD
    ZSTD_DCtx *zstd;
    ZSTD_CCtx *zstd_c;                        /* writes */
#endif
#ifdef ZC_HAVE_DEFLATE
    struct libdeflate_decompressor *deflate; /* gzip and zlib (whole-buffer, no stream state) */
#endif
    uint64_t tmp_state;                       /* temporary file names of writes */
};

/* Check a spec (files: it names chunk files); *total = entries of the plans' product. */
int zc_chunkio_check_spec(const zc_chunkio_spec *s, int files, int64_t *total);

/* The box addresses of the first nrows rows (last dimension) of a whole chunk whose first
 * item is at byte offset off of spec->box, in C order over spec->chunk_shape. */
void zc_chunkio_row_addresses(const zc_chunkio_spec *s, ssize_t off, int nrows, char **rowp);

/* Byte strides of a stored chunk (C or F order per spec->order_f) and its size in bytes. */
void zc_chunkio_chunk_strides(const zc_chunkio_spec *s, ssize_t *cstride, size_t *nbytes);

/* Write the key of entry idx (plan row per dimension) at p; returns the new end (no NUL). */
char *zc_chunkio_key(const zc_chunkio_spec *s, const int64_t *idx, char *p);
/* The same for chunk grid coordinates coords[0..ndim-1]. */
char *zc_chunkio_key_of(const zc_chunkio_spec *s, const int64_t *coords, char *p);

/* Read the file at `path` into buf (cap bytes).  Returns 1 when it is missing (or a directory),
 * 0 with *size set on success, ZC_E_BUFSIZE (*size = the file size) or ZC_E_IO (*err). */
int zc_chunkio_read_file(const char *path, char *buf, size_t cap, size_t *size, int *err);

/* The start of every loop: clear the status; check the dimensions and the item size. */
static inline int zc_chunkio_begin(const zc_chunkio_spec *s, zc_chunkio_status *st)
{
    st->index = -1;
    st->need = 0;
    st->err = 0;
    if (s->ndim < 0 || s->ndim > ZC_MAXDIM)
        return ZC_E_NDIM;
    return s->itemsize <= 0 ? ZC_E_ITEMSIZE : ZC_OK;
}

/* Monotonic nanoseconds (spec->stats timings; zc_chunkio.c); 0 where the clock is missing. */
int64_t zc_now_ns(void);

/* Record entry i of a range in spec->stats (when asked): its bytes and the time since t0. */
static inline void zc_stats_put(const zc_chunkio_spec *s, int64_t i, int64_t bytes, int64_t t0)
{
    if (s->stats != NULL) {
        s->stats[2 * i] = bytes;
        s->stats[2 * i + 1] = zc_now_ns() - t0;
    }
}

/* Room a path buffer needs for spec->dir plus the longest key, with `extra` bytes more. */
#define ZC_CHUNKIO_PATH_ROOM(dirlen, ndim, extra) ((dirlen) + 2 + (size_t)(ndim) * 21 + (extra))

#endif /* ZC_CHUNKIO_IMPL_H */
