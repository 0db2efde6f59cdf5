/* zc_chunkwrite.c - the native chunk loop of a write (see zc_chunkwrite.h).
 *
 * Per chunk: check it is covered whole and inside the array (an edge chunk may hold values
 * past the writer's shape: the caller reads it), optionally that it is not all fill, then
 * produce its bytes and store them.  A chunk whose rows lie contiguous in the source is written
 * with writev straight from the source when uncompressed (files sink), or encoded straight from
 * those rows by the blosc-lz4 encoder (zc_bloscenc.h); anything else is gathered into `dbuf`
 * and encoded from there.  The files sink is
 * the store's own protocol, given as data: a fresh temporary file (the store's prefix plus 16
 * hex digits) in the key's directory (created on demand), fsync if asked, then rename.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include "zc_chunkwrite.h"
#include "zc_bloscenc.h"
#include "zc_chunkio_impl.h"
#include "zc_copy.h"
#include "zc_fill.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

#define ZC_TEMP_DIGITS 16
#define ZC_TEMP_PREFIX_MAX 64 /* longest temporary-name prefix a sink may give */
#define ZC_WRITE_IOV 1024 /* iovecs per writev (Linux IOV_MAX) */
#define ZC_MIN_ROW 256    /* shorter source rows are gathered into dbuf instead */

#define ZC_SCRATCH_ALIGN 64 /* the encoder's scratch block starts on a cache line of dbuf */

/* Where the encoder's scratch starts in dbuf: after the gathered chunk, on a cache line. */
static size_t zc_scratch_offset(size_t nbytes)
{
    return (nbytes + ZC_SCRATCH_ALIGN - 1) / ZC_SCRATCH_ALIGN * ZC_SCRATCH_ALIGN;
}

size_t zc_chunkwrite_scratch(int codec, size_t nbytes)
{
    const size_t extra = zc_codec_encode_scratch(codec, nbytes);
    return extra ? zc_scratch_offset(nbytes) + extra : nbytes;
}

/* Encode the chunk gathered in dbuf (nbytes; dbuf has zc_chunkwrite_scratch bytes) into dst
 * (cap bytes): the size, or ZC_E_DATA. */
static ssize_t zc_encode(const zc_chunkio_spec *s, const zc_encode_params *enc,
                         zc_chunkio_ctx *ctx, char *dbuf, size_t nbytes, char *dst, size_t cap)
{
    const size_t off = zc_scratch_offset(nbytes);
    const size_t extra = zc_codec_encode_scratch(s->codec, nbytes);
    const ssize_t m = zc_codec_encode(ctx, s->codec, enc, dbuf, nbytes, dst, cap,
                                      extra ? dbuf + off : NULL, extra);
    return m < 0 ? ZC_E_DATA : m;
}

/* ---- files ---- */

/* Create every missing directory of `path` up to its last '/' (mkdir -p of the parent). */
static int zc_make_parents(char *path, int *err)
{
    char *slash = strrchr(path, '/'), *p;
    if (slash == NULL || slash == path)
        return ZC_OK;
    for (p = path + 1; p <= slash; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            *err = errno;
            *p = '/';
            return ZC_E_IO;
        }
        *p = '/';
    }
    return ZC_OK;
}

/* Write every byte of iov[0..n-1] to fd (advancing past short writes). */
static int zc_write_all(int fd, struct iovec *iov, int n, int *err)
{
    while (n > 0) {
        ssize_t r = writev(fd, iov, n > ZC_WRITE_IOV ? ZC_WRITE_IOV : n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            *err = errno;
            return ZC_E_IO;
        }
        while (n > 0 && (size_t)r >= iov->iov_len) {
            r -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + r;
            iov->iov_len -= (size_t)r;
        }
    }
    return ZC_OK;
}

/* Store iov[0..n-1] under `path` atomically: a temporary file beside it, then rename.
 * `tmp` has room for path plus the prefix and ZC_TEMP_DIGITS + 1 bytes.  On failure nothing
 * is left behind. */
static int zc_store(zc_chunkio_ctx *ctx, const zc_sink *sink, const char *path, char *tmp,
                    struct iovec *iov, int n, int *err)
{
    static const char hex[] = "0123456789abcdef";
    const char *slash = strrchr(path, '/');
    const size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const size_t plen = strlen(sink->temp_prefix);
    const int do_fsync = sink->fsync;
    int attempt, fd = -1, rc, k;
    memcpy(tmp, path, dirlen);
    memcpy(tmp + dirlen, sink->temp_prefix, plen);
    for (attempt = 0; attempt < 100 && fd < 0; attempt++) {
        /* splitmix64 of a per-context counter: names unique across threads and processes */
        uint64_t z = (ctx->tmp_state += 0x9E3779B97F4A7C15ULL);
        char *q = tmp + dirlen + plen;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        for (k = 0; k < ZC_TEMP_DIGITS; k++)
            *q++ = hex[(z >> (60 - 4 * k)) & 15];
        *q = '\0';
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno == ENOENT) { /* the directory does not exist yet */
            if (zc_make_parents(tmp, err) != ZC_OK)
                return ZC_E_IO;
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        }
        if (fd < 0 && errno != EEXIST) {
            *err = errno;
            return ZC_E_IO;
        }
    }
    if (fd < 0) {
        *err = EEXIST;
        return ZC_E_IO;
    }
    rc = zc_write_all(fd, iov, n, err);
    if (rc == ZC_OK && do_fsync && fsync(fd) != 0) {
        *err = errno;
        rc = ZC_E_IO;
    }
    if (close(fd) != 0 && rc == ZC_OK) {
        *err = errno;
        rc = ZC_E_IO;
    }
    if (rc == ZC_OK && rename(tmp, path) != 0) {
        *err = errno;
        rc = ZC_E_IO;
    }
    if (rc != ZC_OK)
        unlink(tmp);
    return rc;
}

/* ---- the loop ---- */

/* One chunk of the write: its part of the source and whether it is covered whole. */
typedef struct {
    ssize_t shape[ZC_MAXDIM]; /* covered extent per dimension */
    ssize_t soff;             /* byte offset of its first item in the source box */
    int whole;                /* the selection covers every in-array item of the chunk */
    int edge;                 /* the chunk extends past the array's end */
} zc_wentry;

static void zc_wentry_plan(const zc_chunkio_spec *s, const int64_t *idx, zc_wentry *e)
{
    int d;
    e->soff = 0;
    e->whole = 1;
    e->edge = 0;
    for (d = 0; d < s->ndim; d++) {
        const int64_t *row = s->plans[d] + idx[d] * ZC_PLAN_COLS;
        const int64_t c = s->chunk_shape[d], first = row[ZC_PLAN_CHUNK] * c;
        const int64_t inside = s->array_shape[d] - first < c ? s->array_shape[d] - first : c;
        e->shape[d] = (ssize_t)row[ZC_PLAN_COUNT];
        if (inside < c)
            e->edge = 1;
        if (row[ZC_PLAN_STEP] == ZC_PLAN_INDEXED) { /* listed positions: the caller's */
            e->whole = 0;
            continue;
        }
        e->soff += (ssize_t)row[ZC_PLAN_BOX] * s->box_strides[d];
        if (row[ZC_PLAN_START] != 0 || row[ZC_PLAN_COUNT] != inside ||
            (inside > 1 && row[ZC_PLAN_STEP] != 1))
            e->whole = 0;
    }
}

/* The rows of a whole, inner chunk where they lie in the source, when they are contiguous there
 * and long enough to be worth it: their number (at most ZC_WRITE_IOV) into rowp, and their
 * length into *rowbytes; else 0. */
static int zc_source_rows(const zc_chunkio_spec *s, const zc_wentry *e, char **rowp,
                          size_t *rowbytes)
{
    const int last = s->ndim - 1;
    int64_t rows = 1;
    int k;
    if (s->order_f || s->ndim == 0 || s->box_strides[last] != s->itemsize)
        return 0;
    *rowbytes = (size_t)s->chunk_shape[last] * (size_t)s->itemsize;
    for (k = 0; k < last; k++)
        rows *= s->chunk_shape[k];
    if (*rowbytes < ZC_MIN_ROW || rows > ZC_WRITE_IOV)
        return 0;
    zc_chunkio_row_addresses(s, e->soff, (int)rows, rowp);
    return (int)rows;
}

/* The rows of the whole chunk e as iovecs into the source (no codec): their number, or 0 when
 * it must be gathered. */
static int zc_source_iov(const zc_chunkio_spec *s, const zc_wentry *e, struct iovec *iov)
{
    char *rowp[ZC_WRITE_IOV];
    size_t row = 0;
    const int n = zc_source_rows(s, e, rowp, &row);
    int i;
    for (i = 0; i < n; i++) {
        iov[i].iov_base = rowp[i];
        iov[i].iov_len = row;
    }
    return n;
}

/* The whole chunk e encoded straight from its rows in the source into dst (cap bytes),
 * scratch in tmp: the encoded size, 0 when the codec or the rows do not allow it (gather the
 * chunk instead), or ZC_E_DATA. */
static ssize_t zc_encode_from_rows(const zc_chunkio_spec *s, const zc_encode_params *enc,
                                   const zc_wentry *e, char *dst, size_t cap, char *tmp,
                                   size_t tmp_size)
{
    char *rowp[ZC_WRITE_IOV];
    size_t row = 0;
    int n;
    if (s->codec != ZC_CODEC_BLOSC)
        return 0;
    n = zc_source_rows(s, e, rowp, &row);
    if (n == 0)
        return 0;
    return zc_codec_encode_rows(s->codec, enc, (const char *const *)rowp, n, row, dst, cap, tmp,
                                tmp_size);
}

/* Encode whole chunk e, inside the array (its key at `path` for the files sink), and store it
 * in the sink.
 * Returns the stored size (outcome) or a negative ZC_E_* code. */
static ssize_t zc_write_whole(const zc_chunkio_spec *s, const zc_encode_params *enc,
                              const zc_sink *sink, zc_chunkio_ctx *ctx, const zc_wentry *e,
                              char *dbuf, size_t dbuf_size, char *cbuf, size_t cbuf_size,
                              const char *path, char *tmp, size_t nbytes, const ssize_t *cstride,
                              int64_t *offset, int *err)
{
    struct iovec iov[ZC_WRITE_IOV];
    const int files = sink->temp_prefix != NULL;
    char *dst = files ? cbuf : sink->out + *offset;
    const size_t cap = files ? cbuf_size : sink->out_cap - (size_t)*offset;
    const size_t scratch_off = zc_scratch_offset(nbytes);
    ssize_t m = 0;
    int n = 0, rc;
    if (files && s->codec == ZC_CODEC_NONE)
        n = zc_source_iov(s, e, iov); /* uncompressed: writev straight from the source rows */
    else if (dbuf_size > scratch_off)
        m = zc_encode_from_rows(s, enc, e, dst, cap, dbuf + scratch_off, dbuf_size - scratch_off);
    if (m < 0)
        return m;
    if (n == 0 && m == 0) { /* gather it in stored order, then encode */
        if (zc_copy_region(s->box + e->soff, s->box_strides, dbuf, cstride, e->shape, s->ndim,
                           s->itemsize) < 0)
            return ZC_E_ARG;
        if (files && s->codec == ZC_CODEC_NONE) {
            iov[0].iov_base = dbuf;
            iov[0].iov_len = nbytes;
            n = 1;
        } else {
            m = zc_encode(s, enc, ctx, dbuf, nbytes, dst, cap);
            if (m < 0)
                return m;
        }
    }
    if (!files) {
        *offset += (int64_t)m;
        return m;
    }
    if (n == 0) {
        iov[0].iov_base = dst;
        iov[0].iov_len = (size_t)m;
        n = 1;
    }
    rc = zc_store(ctx, sink, path, tmp, iov, n, err);
    if (rc < 0)
        return rc;
    return n == 1 ? (ssize_t)iov[0].iov_len : (ssize_t)nbytes;
}

ssize_t zc_chunkwrite(const zc_chunkio_spec *s, const zc_encode_params *enc, const zc_sink *sink,
                      int skip_empty, zc_chunkio_ctx *ctx, char *dbuf, size_t dbuf_size,
                      char *cbuf, size_t cbuf_size, int64_t begin, int64_t end, int64_t *outcome,
                      zc_chunkio_status *st)
{
    char path[ZC_CHUNKIO_PATH_MAX], tmp[ZC_CHUNKIO_PATH_MAX];
    ssize_t cstride[ZC_MAXDIM];
    int64_t idx[ZC_MAXDIM];
    int64_t total, k, rem, offset = 0;
    size_t nbytes, dirlen = 0, bound;
    zc_wentry e;
    int d, rc, files;

    if (s == NULL || st == NULL || ctx == NULL || enc == NULL || sink == NULL || outcome == NULL)
        return ZC_E_ARG;
    files = sink->temp_prefix != NULL;
    if ((files && (s->dir == NULL || strlen(sink->temp_prefix) > ZC_TEMP_PREFIX_MAX ||
                   strchr(sink->temp_prefix, '/') != NULL)) ||
        (!files && sink->out == NULL && end > begin))
        return ZC_E_ARG;
    st->index = -1;
    st->need = 0;
    st->err = 0;
    rc = zc_chunkio_check_spec(s, files, &total);
    if (rc < 0)
        return rc;
    if (!zc_codec_encodes(s->codec))
        return ZC_E_ARG;
    if (begin < 0 || end < begin || end > total)
        return ZC_E_ARG;
    zc_chunkio_chunk_strides(s, cstride, &nbytes);
    bound = zc_codec_encode_bound(s->codec, nbytes);
    if (dbuf == NULL || dbuf_size < zc_chunkwrite_scratch(s->codec, nbytes) ||
        (files && s->codec != ZC_CODEC_NONE && (cbuf == NULL || cbuf_size < bound)) ||
        (!files && sink->out_cap / (size_t)(end - begin > 0 ? end - begin : 1) < bound))
        return ZC_E_ARG;
    if (files) {
        dirlen = strlen(s->dir);
        if (ZC_CHUNKIO_PATH_ROOM(dirlen, s->ndim, ZC_TEMP_PREFIX_MAX + ZC_TEMP_DIGITS + 1) >=
            sizeof(path)) {
            st->index = begin < end ? begin : -1;
            return begin < end ? ZC_E_PATH : 0;
        }
        memcpy(path, s->dir, dirlen);
    }

    rem = begin; /* row-major position of `begin` */
    for (d = s->ndim - 1; d >= 0; d--) {
        idx[d] = s->plan_len[d] ? rem % s->plan_len[d] : 0;
        rem = s->plan_len[d] ? rem / s->plan_len[d] : 0;
    }
    for (k = begin; k < end; k++) {
        int64_t *out = outcome + 2 * (k - begin);
        const int64_t t0 = s->stats != NULL ? zc_now_ns() : 0;
        zc_wentry_plan(s, idx, &e);
        out[1] = 0;
        if (!e.whole || e.edge) {
            out[0] = ZC_OUT_PARTIAL;
        } else if (skip_empty && zc_fill_equal(s->box + e.soff, s->box_strides, e.shape, s->ndim,
                                               s->fill, s->itemsize) == 1) {
            out[0] = ZC_OUT_EMPTY;
        } else {
            const int64_t at = offset;
            ssize_t m;
            if (files)
                *zc_chunkio_key(s, idx, path + dirlen) = '\0';
            m = zc_write_whole(s, enc, sink, ctx, &e, dbuf, dbuf_size, cbuf, cbuf_size, path, tmp,
                               nbytes, cstride, &offset, &st->err);
            if (m < 0) {
                st->index = k;
                zc_stats_put(s, k - begin, 0, t0);
                return m;
            }
            out[0] = files ? 0 : at;
            out[1] = (int64_t)m;
        }
        zc_stats_put(s, k - begin, out[1], t0);
        for (d = s->ndim - 1; d >= 0; d--) { /* next entry, last dimension fastest */
            if (++idx[d] < s->plan_len[d])
                break;
            idx[d] = 0;
        }
    }
    return (ssize_t)(end - begin);
}

ssize_t zc_encode_chunks(const zc_chunkio_spec *s, const zc_encode_params *enc,
                         zc_chunkio_ctx *ctx, const int64_t *origins, int64_t n, char *dbuf,
                         size_t dbuf_size, char *out, size_t out_cap, int64_t *placed,
                         zc_chunkio_status *st)
{
    ssize_t cstride[ZC_MAXDIM], cshape[ZC_MAXDIM];
    size_t nbytes, bound, used = 0;
    int64_t k;
    int d, rc;
    if (s == NULL || enc == NULL || ctx == NULL || st == NULL || s->box == NULL ||
        s->fill == NULL || (n > 0 && (origins == NULL || placed == NULL || out == NULL)) || n < 0)
        return ZC_E_ARG;
    rc = zc_chunkio_begin(s, st);
    if (rc < 0)
        return rc;
    if (!zc_codec_encodes(s->codec))
        return ZC_E_ARG;
    for (d = 0; d < s->ndim; d++) {
        if (s->chunk_shape[d] <= 0)
            return ZC_E_ARG;
        cshape[d] = (ssize_t)s->chunk_shape[d];
    }
    zc_chunkio_chunk_strides(s, cstride, &nbytes);
    bound = zc_codec_encode_bound(s->codec, nbytes);
    if (dbuf == NULL || dbuf_size < zc_chunkwrite_scratch(s->codec, nbytes) ||
        (n > 0 && out_cap / (size_t)n < bound))
        return ZC_E_ARG;
    for (k = 0; k < n * s->ndim; k++) { /* every chunk inside the box, checked once */
        d = (int)(k % s->ndim);
        if (origins[k] < 0 || origins[k] > (int64_t)s->box_shape[d] - s->chunk_shape[d])
            return ZC_E_ARG;
    }
    for (k = 0; k < n; k++) {
        zc_wentry e; /* a whole chunk inside the box */
        ssize_t m = 0;
        e.soff = 0;
        e.whole = 1;
        e.edge = 0;
        for (d = 0; d < s->ndim; d++) {
            e.shape[d] = cshape[d];
            e.soff += (ssize_t)origins[k * s->ndim + d] * s->box_strides[d];
        }
        if (zc_fill_equal(s->box + e.soff, s->box_strides, cshape, s->ndim, s->fill,
                          s->itemsize) == 1) {
            placed[2 * k] = placed[2 * k + 1] = -1;
            continue;
        }
        if (dbuf_size > zc_scratch_offset(nbytes))
            m = zc_encode_from_rows(s, enc, &e, out + used, out_cap - used,
                                    dbuf + zc_scratch_offset(nbytes),
                                    dbuf_size - zc_scratch_offset(nbytes));
        if (m == 0) {
            if (zc_copy_region(s->box + e.soff, s->box_strides, dbuf, cstride, cshape, s->ndim,
                               s->itemsize) < 0)
                return ZC_E_ARG;
            m = zc_encode(s, enc, ctx, dbuf, nbytes, out + used, out_cap - used);
        }
        if (m < 0) {
            st->index = k;
            return m;
        }
        placed[2 * k] = (int64_t)used;
        placed[2 * k + 1] = (int64_t)m;
        used += (size_t)m;
    }
    return (ssize_t)used;
}
