/* zc_chunkio_impl.h - what the chunk reader (zc_chunkio.c) and writer (zc_chunkwrite.c) share.
 * Internal: not part of the public C API. */
#ifndef ZC_CHUNKIO_IMPL_H
#define ZC_CHUNKIO_IMPL_H

#include "zc_chunkio.h"

#include <libdeflate.h>
#include <zstd.h>

struct zc_chunkio_ctx {
    ZSTD_DCtx *zstd;
    struct libdeflate_decompressor *deflate; /* gzip and zlib (whole-buffer, no stream state) */
    ZSTD_CCtx *zstd_c;                        /* writes */
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

/* Decode src (n bytes) with `codec` into dst, which it must fill exactly (dn bytes):
 * ZC_OK, ZC_E_DATA (corrupt) or ZC_E_SIZE.  Only dst[0 .. need) is wanted: a decoder that can
 * stop early may leave the rest unwritten (need >= dn: the whole chunk). */
int zc_chunkio_decode(zc_chunkio_ctx *ctx, int codec, const char *src, size_t n, char *dst,
                      size_t dn, size_t need);

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

/* Room a path buffer needs for spec->dir plus the longest key, with `extra` bytes more. */
#define ZC_CHUNKIO_PATH_ROOM(dirlen, ndim, extra) ((dirlen) + 2 + (size_t)(ndim) * 21 + (extra))

#endif /* ZC_CHUNKIO_IMPL_H */
