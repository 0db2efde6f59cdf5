/* zc_chunkpoints.c - gather the points of a coordinate selection (see zc_chunkpoints.h).
 *
 * Per group: its chunk's bytes (key -> path and read, or the caller's buffer), decode into
 * dbuf, then out[positions[k]] = dbuf[items[k]] for its points (typed loads for items of 1,
 * 2, 4 and 8 bytes).  Shares the file reader, the decoders and the key format with
 * zc_chunkio.c.
 */
#include "zc_chunkpoints.h"
#include "zc_chunkio_impl.h"

/* Check the range's groups and points once, so the loop trusts them. */
static int zc_points_check(const zc_chunkio_spec *s, const zc_points *p, int64_t begin,
                           int64_t end, int64_t nitems)
{
    int64_t g, k;
    int d;
    if (p->coords == NULL || p->bounds == NULL || p->out == NULL || p->out_len < 0 ||
        begin < 0 || end < begin || end > p->ngroups)
        return ZC_E_ARG;
    for (g = begin; g < end; g++) {
        const int64_t lo = p->bounds[g], hi = p->bounds[g + 1];
        if (lo < 0 || hi < lo || (hi > lo && (p->items == NULL || p->positions == NULL)))
            return ZC_E_ARG;
        for (d = 0; d < s->ndim; d++) {
            const int64_t c = p->coords[g * s->ndim + d];
            if (c < 0 || c > (s->array_shape[d] - 1) / s->chunk_shape[d])
                return ZC_E_ARG;
        }
        for (k = lo; k < hi; k++)
            if (p->items[k] < 0 || p->items[k] >= nitems || p->positions[k] < 0 ||
                p->positions[k] >= p->out_len)
                return ZC_E_ARG;
    }
    return ZC_OK;
}

/* out[positions[k]] = src[items[k]] for k in lo..hi-1 (src NULL: the fill value). */
static void zc_points_copy(const zc_points *p, const char *src, const char *fill, ssize_t size,
                           int64_t lo, int64_t hi)
{
    const int64_t *it = p->items, *pos = p->positions;
    char *out = p->out;
    int64_t k;
#define ZC_GATHER(T)                                                                             \
    for (k = lo; k < hi; k++)                                                                    \
        memcpy(out + pos[k] * (int64_t)sizeof(T), src + it[k] * (int64_t)sizeof(T), sizeof(T));
    if (src == NULL) {
        for (k = lo; k < hi; k++)
            memcpy(out + pos[k] * size, fill, (size_t)size);
        return;
    }
    switch (size) {
    case 1: ZC_GATHER(uint8_t) break;
    case 2: ZC_GATHER(uint16_t) break;
    case 4: ZC_GATHER(uint32_t) break;
    case 8: ZC_GATHER(uint64_t) break;
    default:
        for (k = lo; k < hi; k++)
            memcpy(out + pos[k] * size, src + it[k] * size, (size_t)size);
    }
#undef ZC_GATHER
}

/* The checks both sources share; *nbytes = a decoded chunk's size. */
static int zc_points_begin(const zc_chunkio_spec *s, const zc_points *p, zc_chunkio_ctx *ctx,
                           size_t dbuf_size, int64_t begin, int64_t end, size_t *nbytes,
                           zc_chunkio_status *st)
{
    int64_t nitems = 1;
    int d, rc;
    if (s == NULL || p == NULL || st == NULL || ctx == NULL || s->fill == NULL)
        return ZC_E_ARG;
    rc = zc_chunkio_begin(s, st);
    if (rc < 0)
        return rc;
    if ((s->ndim > 0 && (s->chunk_shape == NULL || s->array_shape == NULL)) ||
        !zc_codec_available(s->codec))
        return ZC_E_ARG;
    for (d = 0; d < s->ndim; d++) {
        if (s->chunk_shape[d] <= 0 || s->array_shape[d] < 0)
            return ZC_E_ARG;
        nitems *= s->chunk_shape[d];
    }
    *nbytes = (size_t)nitems * (size_t)s->itemsize;
    if (dbuf_size < *nbytes)
        return ZC_E_ARG;
    return zc_points_check(s, p, begin, end, nitems);
}

/* One group's chunk decoded into dbuf from its file (path; rbuf holds the stored bytes) or
 * from its buffer (buf, n): 0, 1 when it is missing, or a negative code. */
static int zc_points_chunk(const zc_chunkio_spec *s, zc_chunkio_ctx *ctx, const char *path,
                           const char *buf, size_t n, char *rbuf, size_t rbuf_size, char *dbuf,
                           size_t nbytes, size_t *stored, zc_chunkio_status *st)
{
    size_t size = 0;
    int rc;
    *stored = n;
    if (path == NULL) /* a buffer (NULL: missing) */
        return buf == NULL ? 1 : zc_codec_decode(ctx, s->codec, buf, n, dbuf, nbytes, nbytes);
    if (s->codec == ZC_CODEC_NONE) {
        rc = zc_chunkio_read_file(path, dbuf, nbytes, &size, &st->err);
        *stored = size;
        return (rc == ZC_E_BUFSIZE || (rc == 0 && size != nbytes)) ? ZC_E_DATA : rc;
    } /* uncompressed: the file is exactly one chunk */
    rc = zc_chunkio_read_file(path, rbuf, rbuf_size, &size, &st->err);
    *stored = size;
    if (rc == ZC_E_BUFSIZE)
        st->need = (int64_t)size;
    else if (rc == 0)
        rc = zc_codec_decode(ctx, s->codec, rbuf, size, dbuf, nbytes, nbytes);
    return rc;
}

/* The loop of both sources: files below spec->dir (bufs NULL) or the caller's buffers. */
static ssize_t zc_points_loop(const zc_chunkio_spec *s, const zc_points *p, zc_chunkio_ctx *ctx,
                              char *rbuf, size_t rbuf_size, const char *const *bufs,
                              const size_t *sizes, char *dbuf, size_t dbuf_size, int64_t begin,
                              int64_t end, zc_chunkio_status *st)
{
    char path[ZC_CHUNKIO_PATH_MAX];
    int64_t g;
    size_t dirlen = 0, nbytes = 0;
    int rc;
    if (s == NULL || dbuf == NULL)
        return ZC_E_ARG;
    rc = zc_points_begin(s, p, ctx, dbuf_size, begin, end, &nbytes, st);
    if (rc < 0)
        return rc;
    if (bufs == NULL) {
        if (s->dir == NULL || (s->key_encoding != ZC_KEY_DEFAULT && s->key_encoding != ZC_KEY_V2) ||
            (s->separator != '/' && s->separator != '.') || (s->codec != ZC_CODEC_NONE && rbuf == NULL))
            return ZC_E_ARG;
        dirlen = strlen(s->dir);
        if (ZC_CHUNKIO_PATH_ROOM(dirlen, s->ndim, 0) >= sizeof(path)) {
            st->index = begin < end ? begin : -1;
            return begin < end ? ZC_E_PATH : 0;
        }
        memcpy(path, s->dir, dirlen);
    } else if (end > begin && sizes == NULL) {
        return ZC_E_ARG;
    }
    for (g = begin; g < end; g++) {
        const int64_t t0 = s->stats != NULL ? zc_now_ns() : 0;
        size_t stored = 0;
        if (bufs == NULL) {
            *zc_chunkio_key_of(s, p->coords + g * s->ndim, path + dirlen) = '\0';
            rc = zc_points_chunk(s, ctx, path, NULL, 0, rbuf, rbuf_size, dbuf, nbytes, &stored,
                                 st);
        } else {
            rc = zc_points_chunk(s, ctx, NULL, bufs[g - begin], sizes[g - begin], NULL, 0, dbuf,
                                 nbytes, &stored, st);
        }
        if (rc < 0) {
            st->index = g;
            zc_stats_put(s, g - begin, (int64_t)stored, t0);
            return rc;
        }
        zc_points_copy(p, rc == 1 ? NULL : dbuf, s->fill, s->itemsize, p->bounds[g],
                       p->bounds[g + 1]);
        zc_stats_put(s, g - begin, rc == 1 ? -1 : (int64_t)stored, t0);
    }
    return (ssize_t)(end - begin);
}

ssize_t zc_chunkio_read_points(const zc_chunkio_spec *s, const zc_points *p, zc_chunkio_ctx *ctx,
                               char *rbuf, size_t rbuf_size, char *dbuf, size_t dbuf_size,
                               int64_t begin, int64_t end, zc_chunkio_status *st)
{
    return zc_points_loop(s, p, ctx, rbuf, rbuf_size, NULL, NULL, dbuf, dbuf_size, begin, end, st);
}

ssize_t zc_chunkio_points_bufs(const zc_chunkio_spec *s, const zc_points *p, zc_chunkio_ctx *ctx,
                               const char *const *bufs, const size_t *sizes, char *dbuf,
                               size_t dbuf_size, int64_t begin, int64_t end,
                               zc_chunkio_status *st)
{
    static const char *const none[1] = {NULL};
    if (bufs == NULL && end > begin)
        return ZC_E_ARG;
    return zc_points_loop(s, p, ctx, NULL, 0, bufs != NULL ? bufs : none, sizes, dbuf, dbuf_size,
                          begin, end, st);
}
