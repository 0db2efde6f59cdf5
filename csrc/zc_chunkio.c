/* zc_chunkio.c - the native chunk loop of a planned read (see zc_chunkio.h).
 *
 * Per chunk: its bytes (a file: key -> path in a stack buffer, open / fstat / read / close; or
 * a buffer the caller holds), decode into the caller's chunk buffer (or straight into the
 * box), then zc_copy_region of the selected part.  One loop (zc_loop) serves both sources.
 * A missing file (ENOENT, ENOTDIR, or a directory) is the fill value, as in LocalStore.get.
 * The coding contexts and decoders are in zc_codec.c.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* preadv */

#include "zc_chunkio_impl.h"
#include "zc_blosc.h"
#include "zc_copy.h"
#include "zc_fill.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* ---- files ---- */

/* Open the file at `path` for reading into *fd, its status in *st: 0, or 1 when it is missing
 * (or a directory: a "folder" of keys, as a store sees it), or ZC_E_IO (*err). */
static int zc_open_file(const char *path, int *fd, struct stat *st, int *err)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR)
            return 1;
        *err = errno;
        return ZC_E_IO;
    }
    if (fstat(*fd, st) != 0) {
        *err = errno;
        close(*fd);
        return ZC_E_IO;
    }
    if (S_ISDIR(st->st_mode)) {
        close(*fd);
        return 1;
    }
    return 0;
}

/* After a read call returned r <= 0: 1 to call it again (interrupted), else the code to
 * return: ZC_E_IO (*err) or ZC_E_DATA (the file ended early: it shrank meanwhile). */
static int zc_read_failed(ssize_t r, int *err)
{
    if (r < 0 && errno == EINTR)
        return 1;
    if (r < 0)
        *err = errno;
    return r < 0 ? ZC_E_IO : ZC_E_DATA;
}

int64_t zc_now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000 + (int64_t)ts.tv_nsec;
}

/* Read the file at `path` into buf (cap bytes).  Returns 1 when it is missing (or a directory),
 * 0 with *size set on success, ZC_E_BUFSIZE (*size = the file size) or ZC_E_IO (*err). */
int zc_chunkio_read_file(const char *path, char *buf, size_t cap, size_t *size, int *err)
{
    struct stat st;
    size_t want, got = 0;
    int fd, rc = zc_open_file(path, &fd, &st, err);
    if (rc != 0)
        return rc;
    if (!S_ISREG(st.st_mode) || st.st_size < 0) {
        *err = EINVAL;
        close(fd);
        return ZC_E_IO;
    }
    want = (size_t)st.st_size;
    if (want > cap) {
        close(fd);
        *size = want;
        return ZC_E_BUFSIZE;
    }
    while (got < want) {
        ssize_t r = read(fd, buf + got, want - got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            *err = errno;
            close(fd);
            return ZC_E_IO;
        }
        if (r == 0)
            break; /* the file shrank meanwhile: decode what is there (and fail if short) */
        got += (size_t)r;
    }
    close(fd);
    *size = got;
    return 0;
}

int zc_chunkio_read_ranges(int fd, int64_t n, const int64_t *ranges, char *buf, size_t cap,
                           int64_t *total, int64_t *size, int *err)
{
    struct stat st;
    int64_t i, sum = 0, fsize;
    *total = 0;
    *size = 0;
    if (fd < 0 || n < 0 || (n > 0 && ranges == NULL))
        return ZC_E_ARG;
    if (fstat(fd, &st) != 0) {
        *err = errno;
        return ZC_E_IO;
    }
    fsize = (int64_t)st.st_size;
    *size = fsize;
    for (i = 0; i < n; i++) { /* every range inside the file before anything is read */
        int64_t a = ranges[2 * i], b = ranges[2 * i + 1];
        if (a < 0)
            a += fsize;
        if (b < 0)
            b = fsize;
        if (a < 0 || b < a || b > fsize)
            return ZC_E_DATA;
        sum += b - a;
    }
    *total = sum;
    if ((uint64_t)sum > (uint64_t)cap || (sum > 0 && buf == NULL))
        return ZC_E_BUFSIZE;
    sum = 0;
    for (i = 0; i < n; i++) {
        int64_t a = ranges[2 * i], b = ranges[2 * i + 1];
        if (a < 0)
            a += fsize;
        if (b < 0)
            b = fsize;
        while (a < b) {
            ssize_t r = pread(fd, buf + sum, (size_t)(b - a), (off_t)a);
            if (r <= 0) {
                const int rc = zc_read_failed(r, err);
                if (rc == 1)
                    continue;
                return rc;
            }
            a += r;
            sum += r;
        }
    }
    return ZC_OK;
}

/* Append the decimal digits of v (>= 0) at p; returns the new end. */
static char *zc_put_int(char *p, int64_t v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (k > 0)
        *p++ = tmp[--k];
    return p;
}

char *zc_chunkio_key_of(const zc_chunkio_spec *s, const int64_t *coords, char *p)
{
    int d;
    if (s->key_encoding == ZC_KEY_DEFAULT)
        *p++ = 'c';
    else if (s->ndim == 0)
        *p++ = '0';
    for (d = 0; d < s->ndim; d++) {
        if (d > 0 || s->key_encoding == ZC_KEY_DEFAULT)
            *p++ = s->separator;
        p = zc_put_int(p, coords[d]);
    }
    return p;
}

char *zc_chunkio_key(const zc_chunkio_spec *s, const int64_t *idx, char *p)
{
    int64_t coords[ZC_MAXDIM];
    int d;
    for (d = 0; d < s->ndim; d++)
        coords[d] = s->plans[d][idx[d] * ZC_PLAN_COLS + ZC_PLAN_CHUNK];
    return zc_chunkio_key_of(s, coords, p);
}

void zc_chunkio_chunk_strides(const zc_chunkio_spec *s, ssize_t *cstride, size_t *nbytes)
{
    size_t n = (size_t)s->itemsize;
    int d;
    if (s->order_f) {
        for (d = 0; d < s->ndim; d++) {
            cstride[d] = (ssize_t)n;
            n *= (size_t)s->chunk_shape[d];
        }
    } else {
        for (d = s->ndim - 1; d >= 0; d--) {
            cstride[d] = (ssize_t)n;
            n *= (size_t)s->chunk_shape[d];
        }
    }
    *nbytes = n;
}

/* ---- the loop (shared by the file and the memory source) ---- */

/* An indexed plan row: its list rows exist, and each lands inside the chunk, the array and
 * the box. */
static int zc_check_list(const zc_chunkio_spec *s, int d, const int64_t *row)
{
    const int64_t c = s->chunk_shape[d], first = row[ZC_PLAN_CHUNK] * c;
    const int64_t *list;
    int64_t k;
    if (s->lists == NULL || s->list_len == NULL || s->lists[d] == NULL ||
        row[ZC_PLAN_COUNT] < 1 || row[ZC_PLAN_START] < 0 || row[ZC_PLAN_CHUNK] < 0 ||
        row[ZC_PLAN_START] > s->list_len[d] - row[ZC_PLAN_COUNT])
        return ZC_E_ARG;
    list = s->lists[d] + 2 * row[ZC_PLAN_START];
    for (k = 0; k < row[ZC_PLAN_COUNT]; k++) {
        const int64_t local = list[2 * k], at = list[2 * k + 1];
        if (local < 0 || local >= c || first + local >= s->array_shape[d] || at < 0 ||
            at >= (int64_t)s->box_shape[d])
            return ZC_E_ARG;
    }
    return ZC_OK;
}

int zc_chunkio_check_spec(const zc_chunkio_spec *s, int files, int64_t *total)
{
    int d;
    int64_t i, t = 1;
    if (s->fill == NULL || s->box == NULL || (files && s->dir == NULL))
        return ZC_E_ARG;
    if (s->ndim > 0 && (s->chunk_shape == NULL || s->array_shape == NULL || s->plans == NULL ||
                        s->plan_len == NULL || s->box_shape == NULL || s->box_strides == NULL))
        return ZC_E_ARG;
    if (s->ndim < 0 || s->ndim > ZC_MAXDIM)
        return ZC_E_NDIM;
    if (s->itemsize <= 0)
        return ZC_E_ITEMSIZE;
    if (files && s->key_encoding != ZC_KEY_DEFAULT && s->key_encoding != ZC_KEY_V2)
        return ZC_E_ARG;
    if (files && s->separator != '/' && s->separator != '.')
        return ZC_E_ARG;
    if (!zc_codec_available(s->codec))
        return ZC_E_ARG;
    for (d = 0; d < s->ndim; d++) {
        const int64_t c = s->chunk_shape[d], n = s->array_shape[d];
        if (c <= 0 || n < 0 || s->plan_len[d] < 0 || (s->plan_len[d] > 0 && s->plans[d] == NULL))
            return ZC_E_ARG;
        for (i = 0; i < s->plan_len[d]; i++) {
            const int64_t *row = s->plans[d] + i * ZC_PLAN_COLS;
            const int64_t cnt = row[ZC_PLAN_COUNT], a = row[ZC_PLAN_START];
            const int64_t b = a + (cnt - 1) * row[ZC_PLAN_STEP];
            const int64_t hi = a > b ? a : b, lo = a < b ? a : b;
            if (row[ZC_PLAN_STEP] == ZC_PLAN_INDEXED) {
                if (zc_check_list(s, d, row) != ZC_OK)
                    return ZC_E_ARG;
                continue;
            }
            if (cnt < 1 || row[ZC_PLAN_CHUNK] < 0 || lo < 0 || hi >= c ||
                row[ZC_PLAN_CHUNK] * c + hi >= n || row[ZC_PLAN_BOX] < 0 ||
                row[ZC_PLAN_BOX] + cnt > (int64_t)s->box_shape[d])
                return ZC_E_ARG;
        }
        t *= s->plan_len[d];
    }
    *total = t;
    return ZC_OK;
}

/* Where a chunk's bytes come from: files below spec->dir, or the caller's buffers, one per
 * entry of the range (NULL: missing). */
typedef struct {
    /* files */
    char *path;   /* ZC_CHUNKIO_PATH_MAX bytes starting with spec->dir */
    size_t dirlen;
    char *rbuf;
    size_t rbuf_size;
    /* memory (is_mem): entry k's bytes are bufs[k - first], sizes[k - first] */
    int is_mem;
    int64_t first;
    const char *const *bufs;
    const size_t *sizes;
} zc_source;

/* One entry of the plans' product: its part of the chunk, its place in the box. */
typedef struct {
    ssize_t shape[ZC_MAXDIM]; /* selected extent per dimension */
    ssize_t sstr[ZC_MAXDIM];  /* byte strides of the selection inside the decoded chunk */
    ssize_t soff, doff;       /* byte offsets of its first item in the chunk and in the box */
    int direct;               /* the whole chunk, laid out as in the box: decode into the box */
    int rows;                 /* > 0: a whole C-order chunk whose rows are contiguous in the box:
                                 an uncompressed file is read row by row straight into place */
    size_t need;              /* bytes of the decoded chunk up to its last selected item */
    int indexed;              /* some dimension lists its positions (list[d] != NULL) */
    const int64_t *list[ZC_MAXDIM]; /* (local, box) rows of an indexed dimension, else NULL */
} zc_entry;

#define ZC_MAX_ROWS 1024 /* iovecs per preadv (Linux IOV_MAX) */

/* One past the last byte of the decoded chunk that the entry reads. */
static size_t zc_entry_need(const zc_chunkio_spec *s, const zc_entry *e)
{
    ssize_t last = e->soff;
    int64_t k;
    int d;
    for (d = 0; d < s->ndim; d++) {
        if (e->list[d] != NULL) {
            int64_t top = 0;
            for (k = 0; k < e->shape[d]; k++)
                top = e->list[d][2 * k] > top ? e->list[d][2 * k] : top;
            last += (ssize_t)top * e->sstr[d];
        } else if (e->sstr[d] > 0) {
            last += (e->shape[d] - 1) * e->sstr[d];
        }
    }
    return (size_t)last + (size_t)s->itemsize;
}

static void zc_entry_plan(const zc_chunkio_spec *s, const int64_t *idx, const ssize_t *cstride,
                          zc_entry *e)
{
    int d, whole = 1, contiguous = 1;
    e->soff = 0;
    e->doff = 0;
    e->indexed = 0;
    for (d = 0; d < s->ndim; d++) {
        const int64_t *row = s->plans[d] + idx[d] * ZC_PLAN_COLS;
        const int64_t c = s->chunk_shape[d];
        e->shape[d] = (ssize_t)row[ZC_PLAN_COUNT];
        e->list[d] = NULL;
        if (row[ZC_PLAN_STEP] == ZC_PLAN_INDEXED) { /* positions come from the list */
            e->list[d] = s->lists[d] + 2 * row[ZC_PLAN_START];
            e->sstr[d] = cstride[d];
            e->indexed = 1;
            whole = 0;
            continue;
        }
        e->sstr[d] = (ssize_t)row[ZC_PLAN_STEP] * cstride[d];
        e->soff += (ssize_t)row[ZC_PLAN_START] * cstride[d];
        e->doff += (ssize_t)row[ZC_PLAN_BOX] * s->box_strides[d];
        if (row[ZC_PLAN_START] != 0 || row[ZC_PLAN_COUNT] != c ||
            (c > 1 && row[ZC_PLAN_STEP] != 1) || (row[ZC_PLAN_CHUNK] + 1) * c > s->array_shape[d])
            whole = 0;
        if (c > 1 && s->box_strides[d] != cstride[d])
            contiguous = 0;
    }
    e->direct = whole && contiguous;
    e->need = zc_entry_need(s, e);
    e->rows = 0;
    if (whole && !e->direct && !s->order_f && s->ndim >= 1 &&
        s->box_strides[s->ndim - 1] == s->itemsize) {
        int64_t rows = 1;
        for (d = 0; d < s->ndim - 1 && rows <= ZC_MAX_ROWS; d++)
            rows *= s->chunk_shape[d];
        if (rows <= ZC_MAX_ROWS)
            e->rows = (int)rows;
    }
}

void zc_chunkio_row_addresses(const zc_chunkio_spec *s, ssize_t off, int nrows, char **rowp)
{
    ssize_t idx[ZC_MAXDIM];
    const int last = s->ndim - 1;
    int i, k;
    for (k = 0; k < last; k++)
        idx[k] = 0;
    for (i = 0; i < nrows; i++) {
        ssize_t at = off;
        for (k = 0; k < last; k++)
            at += idx[k] * s->box_strides[k];
        rowp[i] = s->box + at;
        for (k = last - 1; k >= 0; k--) {
            if (++idx[k] < s->chunk_shape[k])
                break;
            idx[k] = 0;
        }
    }
}

/* The box address of each row of a whole C-order chunk (e->rows of them). */
static void zc_entry_rows(const zc_chunkio_spec *s, const zc_entry *e, char **rowp)
{
    zc_chunkio_row_addresses(s, e->doff, e->rows, rowp);
}

/* An uncompressed whole chunk read with one preadv per call straight into its box rows (no
 * bounce buffer).  1: missing; 0: read; ZC_E_DATA: the file is not exactly one chunk. */
static int zc_read_rows(const zc_chunkio_spec *s, const zc_entry *e, const char *path,
                        size_t nbytes, int *err)
{
    struct iovec iov[ZC_MAX_ROWS];
    char *rowp[ZC_MAX_ROWS];
    const size_t row = (size_t)s->chunk_shape[s->ndim - 1] * (size_t)s->itemsize;
    struct stat st;
    off_t off = 0;
    int i, fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR)
            return 1;
        *err = errno;
        return ZC_E_IO;
    }
    if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
        *err = errno ? errno : EINVAL;
        close(fd);
        return ZC_E_IO;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return 1;
    }
    if ((uint64_t)st.st_size != (uint64_t)nbytes) {
        close(fd);
        return ZC_E_DATA;
    }
    zc_entry_rows(s, e, rowp);
    for (i = 0; i < e->rows; i++) {
        iov[i].iov_base = rowp[i];
        iov[i].iov_len = row;
    }
    i = 0;
    while (i < e->rows) {
        ssize_t r = preadv(fd, iov + i, e->rows - i, off);
        if (r <= 0) {
            const int rc = zc_read_failed(r, err);
            if (rc == 1)
                continue;
            close(fd);
            return rc;
        }
        off += r;
        while (r > 0 && i < e->rows) {
            if ((size_t)r >= iov[i].iov_len) {
                r -= (ssize_t)iov[i].iov_len;
                i++;
            } else {
                iov[i].iov_base = (char *)iov[i].iov_base + r;
                iov[i].iov_len -= (size_t)r;
                r = 0;
            }
        }
    }
    close(fd);
    return 0;
}

/* Byte offset of position i along dimension d of an entry: in the chunk (src) or the box. */
static inline ssize_t zc_src_at(const zc_entry *e, int d, ssize_t i)
{
    return (e->list[d] ? (ssize_t)e->list[d][2 * i] : i) * e->sstr[d];
}

static inline ssize_t zc_dst_at(const zc_chunkio_spec *s, const zc_entry *e, int d, ssize_t i)
{
    return (e->list[d] ? (ssize_t)e->list[d][2 * i + 1] : i) * s->box_strides[d];
}

/* The copy (or, chunk NULL, the fill) of an entry with indexed dimensions: an N-d loop whose
 * offsets come from the lists, with typed item moves in the innermost dimension. */
static void zc_entry_scatter(const zc_chunkio_spec *s, const zc_entry *e, const char *chunk)
{
    ssize_t k[ZC_MAXDIM], soff[ZC_MAXDIM + 1], doff[ZC_MAXDIM + 1];
    const ssize_t size = s->itemsize;
    const int last = s->ndim - 1;
    int d;
    soff[0] = e->soff;
    doff[0] = e->doff;
    for (d = 0; d < last; d++) {
        k[d] = 0;
        soff[d + 1] = soff[d] + zc_src_at(e, d, 0);
        doff[d + 1] = doff[d] + zc_dst_at(s, e, d, 0);
    }
    for (;;) {
        const char *src = chunk ? chunk + soff[last] : s->fill;
        char *dst = s->box + doff[last];
        const ssize_t n = e->shape[last];
        ssize_t i;
#define ZC_MOVE(T)                                                                               \
    for (i = 0; i < n; i++)                                                                      \
        memcpy(dst + zc_dst_at(s, e, last, i), src + (chunk ? zc_src_at(e, last, i) : 0), sizeof(T));
        switch (size) {
        case 1: ZC_MOVE(uint8_t) break;
        case 2: ZC_MOVE(uint16_t) break;
        case 4: ZC_MOVE(uint32_t) break;
        case 8: ZC_MOVE(uint64_t) break;
        default:
            for (i = 0; i < n; i++)
                memcpy(dst + zc_dst_at(s, e, last, i), src + (chunk ? zc_src_at(e, last, i) : 0),
                       (size_t)size);
        }
#undef ZC_MOVE
        for (d = last - 1; d >= 0; d--) { /* next row: the outer dimensions' counters */
            if (++k[d] < e->shape[d])
                break;
            k[d] = 0;
        }
        if (d < 0)
            return;
        for (; d < last; d++) {
            soff[d + 1] = soff[d] + zc_src_at(e, d, k[d]);
            doff[d + 1] = doff[d] + zc_dst_at(s, e, d, k[d]);
        }
    }
}

/* Copy the entry's part of a decoded chunk (at `chunk`) into the box. */
static int zc_entry_copy(const zc_chunkio_spec *s, const zc_entry *e, const char *chunk)
{
    if (e->indexed) {
        zc_entry_scatter(s, e, chunk);
        return ZC_OK;
    }
    return zc_copy_region(chunk + e->soff, e->sstr, s->box + e->doff, s->box_strides, e->shape,
                          s->ndim, s->itemsize) < 0 ? ZC_E_ARG : ZC_OK;
}

/* Fill the entry's place in the box with the fill value (a missing chunk). */
static int zc_entry_fill(const zc_chunkio_spec *s, const zc_entry *e)
{
    if (e->indexed) {
        zc_entry_scatter(s, e, NULL);
        return ZC_OK;
    }
    return zc_fill_region(s->box + e->doff, s->box_strides, e->shape, s->ndim, s->fill,
                          s->itemsize) < 0 ? ZC_E_ARG : ZC_OK;
}

/* Decode one stored chunk (n bytes at src; nbytes decoded) and place the entry's part. */
static int zc_entry_decode(const zc_chunkio_spec *s, zc_chunkio_ctx *ctx, const zc_entry *e,
                           const char *src, size_t n, char *dbuf, size_t nbytes)
{
    char *target = e->direct ? s->box + e->doff : dbuf;
    int rc;
    if (s->codec == ZC_CODEC_NONE) { /* raw: the stored bytes are the chunk */
        if (n != nbytes)
            return ZC_E_DATA;
        if (e->direct) {
            memcpy(target, src, nbytes);
            return ZC_OK;
        }
        return zc_entry_copy(s, e, src);
    }
    if (s->codec == ZC_CODEC_BLOSC && e->rows > 0) { /* a whole tile: un-shuffle into place */
        char *rowp[ZC_MAX_ROWS];
        zc_entry_rows(s, e, rowp);
        if (zc_blosc_decode_rows(src, n, nbytes, rowp, e->rows,
                                 (size_t)s->chunk_shape[s->ndim - 1] * (size_t)s->itemsize, dbuf,
                                 nbytes) == ZC_OK)
            return ZC_OK;
    }
    rc = zc_codec_decode(ctx, s->codec, src, n, target, nbytes, e->direct ? nbytes : e->need);
    if (rc == ZC_OK && !e->direct)
        rc = zc_entry_copy(s, e, dbuf);
    return rc;
}

/* The chunk of a file source: key -> path, read, decode.  1: the file is missing. */
static int zc_entry_from_file(const zc_chunkio_spec *s, zc_chunkio_ctx *ctx, const zc_source *src,
                              const int64_t *idx, const zc_entry *e, char *dbuf, size_t nbytes,
                              size_t *stored, zc_chunkio_status *st)
{
    char *p = zc_chunkio_key(s, idx, src->path + src->dirlen);
    size_t size = 0;
    int rc;
    *p = '\0';
    *stored = nbytes;
    if (s->codec == ZC_CODEC_NONE && e->rows) /* whole chunk: its rows go straight to the box */
        return zc_read_rows(s, e, src->path, nbytes, &st->err);
    if (s->codec == ZC_CODEC_NONE) { /* read straight into the box when it can be */
        char *target = e->direct ? s->box + e->doff : dbuf;
        rc = zc_chunkio_read_file(src->path, target, nbytes, &size, &st->err);
        if (rc == ZC_E_BUFSIZE || (rc == 0 && size != nbytes))
            return ZC_E_DATA; /* uncompressed: the file is exactly one chunk */
        if (rc == 0 && !e->direct)
            rc = zc_entry_copy(s, e, dbuf);
        return rc;
    }
    rc = zc_chunkio_read_file(src->path, src->rbuf, src->rbuf_size, &size, &st->err);
    if (rc == ZC_E_BUFSIZE)
        st->need = (int64_t)size;
    else if (rc == 0)
        rc = zc_entry_decode(s, ctx, e, src->rbuf, size, dbuf, nbytes);
    *stored = size;
    return rc;
}

/* The chunk of a memory source: entry k's buffer; NULL is missing. */
static int zc_entry_from_mem(const zc_chunkio_spec *s, zc_chunkio_ctx *ctx, const zc_source *src,
                             int64_t k, const zc_entry *e, char *dbuf, size_t nbytes,
                             size_t *stored)
{
    const char *buf = src->bufs[k - src->first];
    if (buf == NULL)
        return 1;
    *stored = src->sizes[k - src->first];
    return zc_entry_decode(s, ctx, e, buf, *stored, dbuf, nbytes);
}

static ssize_t zc_loop(const zc_chunkio_spec *s, zc_chunkio_ctx *ctx, const zc_source *src,
                       char *dbuf, size_t dbuf_size, int64_t begin, int64_t end,
                       zc_chunkio_status *st)
{
    ssize_t cstride[ZC_MAXDIM];
    int64_t idx[ZC_MAXDIM];
    int64_t total, k, rem;
    size_t nbytes;
    zc_entry e;
    int ndim, d, rc;

    if (s == NULL || st == NULL || ctx == NULL)
        return ZC_E_ARG;
    st->index = -1;
    st->need = 0;
    st->err = 0;
    rc = zc_chunkio_check_spec(s, !src->is_mem, &total);
    if (rc < 0)
        return rc;
    ndim = s->ndim;
    if (begin < 0 || end < begin || end > total)
        return ZC_E_ARG;
    zc_chunkio_chunk_strides(s, cstride, &nbytes); /* in the stored order */
    if (dbuf == NULL || dbuf_size < nbytes)
        return ZC_E_ARG;

    rem = begin; /* row-major position of `begin` */
    for (d = ndim - 1; d >= 0; d--) {
        idx[d] = s->plan_len[d] ? rem % s->plan_len[d] : 0;
        rem = s->plan_len[d] ? rem / s->plan_len[d] : 0;
    }

    for (k = begin; k < end; k++) {
        const int64_t t0 = s->stats != NULL ? zc_now_ns() : 0;
        size_t stored = 0;
        int missing;
        zc_entry_plan(s, idx, cstride, &e);
        if (src->is_mem)
            rc = zc_entry_from_mem(s, ctx, src, k, &e, dbuf, nbytes, &stored);
        else
            rc = zc_entry_from_file(s, ctx, src, idx, &e, dbuf, nbytes, &stored, st);
        missing = rc == 1;
        if (missing)
            rc = zc_entry_fill(s, &e);
        if (rc < 0) {
            st->index = k;
            zc_stats_put(s, k - begin, missing ? -1 : (int64_t)stored, t0);
            return rc;
        }
        zc_stats_put(s, k - begin, missing ? -1 : (int64_t)stored, t0);
        for (d = ndim - 1; d >= 0; d--) { /* next entry, last dimension fastest */
            if (++idx[d] < s->plan_len[d])
                break;
            idx[d] = 0;
        }
    }
    return (ssize_t)(end - begin);
}

ssize_t zc_chunkio_read(const zc_chunkio_spec *s, zc_chunkio_ctx *ctx, char *rbuf,
                        size_t rbuf_size, char *dbuf, size_t dbuf_size, int64_t begin,
                        int64_t end, zc_chunkio_status *st)
{
    char path[ZC_CHUNKIO_PATH_MAX];
    zc_source src;
    size_t dirlen;
    if (s == NULL || st == NULL || s->dir == NULL)
        return ZC_E_ARG;
    if (s->codec != ZC_CODEC_NONE && rbuf == NULL)
        return ZC_E_ARG;
    st->index = -1;
    st->need = 0;
    st->err = 0;
    memset(&src, 0, sizeof(src));
    dirlen = strlen(s->dir);
    if (s->ndim < 0 || s->ndim > ZC_MAXDIM)
        return ZC_E_NDIM;
    if (ZC_CHUNKIO_PATH_ROOM(dirlen, s->ndim, 0) >= sizeof(path)) {
        st->index = begin < end ? begin : -1;
        return begin < end ? ZC_E_PATH : 0;
    }
    memcpy(path, s->dir, dirlen);
    src.path = path;
    src.dirlen = dirlen;
    src.rbuf = rbuf;
    src.rbuf_size = rbuf_size;
    return zc_loop(s, ctx, &src, dbuf, dbuf_size, begin, end, st);
}

ssize_t zc_chunkio_decode_bufs(const zc_chunkio_spec *s, zc_chunkio_ctx *ctx,
                               const char *const *bufs, const size_t *sizes, char *dbuf,
                               size_t dbuf_size, int64_t begin, int64_t end,
                               zc_chunkio_status *st)
{
    zc_source src;
    if (s == NULL || st == NULL || (end > begin && (bufs == NULL || sizes == NULL)))
        return ZC_E_ARG;
    memset(&src, 0, sizeof(src));
    src.is_mem = 1;
    src.first = begin;
    src.bufs = bufs;
    src.sizes = sizes;
    return zc_loop(s, ctx, &src, dbuf, dbuf_size, begin, end, st);
}
