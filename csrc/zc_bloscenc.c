/* zc_bloscenc.c - blosc1 chunks encoded straight from source rows (see zc_bloscenc.h).
 *
 * c-blosc 1.21's rules, as this encoder follows them (blosc.c, blosc_compress_ctx with one
 * thread): the block size starts at 32 KiB (L1) for buffers at least that large, scaled by the
 * clevel (0: /4, 1: /2, 2: 1, 3: 2, 4-5: 4, 6-9: 8); a block of at least 128 items no wider
 * than 16 bytes is split into one stream per byte of the item, and then the block grows to
 * typesize times itself (64 KiB to 1 MiB); it is cut to the buffer and to a whole number of
 * items.  Each stream is LZ4_compress_fast with acceleration 10 - clevel into room of the
 * stream's own size; a stream lz4 cannot shrink is stored raw.  The last, short block is one
 * stream.  A buffer under 128 bytes, clevel 0, or any block
 * that does not fit the remaining room (the buffer's size plus the header) is stored raw
 * after the header instead (flag 0x02).
 */
#include "zc_bloscenc.h"
#include "zc_blosc.h"

#include <limits.h>
#ifdef ZC_HAVE_LZ4
#include <lz4.h>
#endif

#define ZC_BLOSC_L1 (32 * 1024)
#define ZC_BLOSC_MIN_BUFFER 128 /* smaller buffers are stored raw */

int zc_blosc_encode_handles(const char *cname, int clevel, int shuffle, size_t blocksize)
{
#ifndef ZC_HAVE_LZ4
    (void)cname, (void)clevel, (void)shuffle, (void)blocksize;
    return 0; /* built without liblz4: libblosc encodes every chunk */
#endif
    return cname != NULL && strcmp(cname, "lz4") == 0 && clevel >= 0 && clevel <= 9 &&
           (shuffle == 0 || shuffle == 1) && blocksize == 0;
}

size_t zc_blosc_encode_scratch(size_t nbytes)
{
    return nbytes < ZC_BLOSC_MAX_AUTO_BLOCK ? nbytes : ZC_BLOSC_MAX_AUTO_BLOCK;
}

#ifdef ZC_HAVE_LZ4

static void zc_put_le32(char *p, uint32_t v)
{
    unsigned char *u = (unsigned char *)p;
    u[0] = (unsigned char)v;
    u[1] = (unsigned char)(v >> 8);
    u[2] = (unsigned char)(v >> 16);
    u[3] = (unsigned char)(v >> 24);
}

static int zc_blosc_splits(size_t typesize, size_t blocksize)
{
    return typesize <= ZC_BLOSC_MAX_SPLITS && blocksize / typesize >= ZC_BLOSC_MIN_SPLIT;
}

/* c-blosc's automatic block size for lz4 (a codec it does not count as high-ratio). */
static size_t zc_blosc_blocksize(int clevel, size_t typesize, size_t nbytes)
{
    static const int scale[10] = {-4, -2, 1, 2, 4, 4, 8, 8, 8, 8}; /* negative: divide */
    size_t bs = nbytes;
    if (nbytes < typesize)
        return 1;
    if (nbytes >= ZC_BLOSC_L1) {
        const int f = scale[clevel];
        bs = f < 0 ? (size_t)ZC_BLOSC_L1 / (size_t)-f : (size_t)ZC_BLOSC_L1 * (size_t)f;
    }
    if (clevel > 0 && zc_blosc_splits(typesize, bs)) { /* bs is at most 256 KiB here */
        bs *= typesize;
        if (bs < (1 << 16))
            bs = 1 << 16;
        if (bs > ZC_BLOSC_MAX_AUTO_BLOCK)
            bs = ZC_BLOSC_MAX_AUTO_BLOCK;
    }
    if (bs > nbytes)
        bs = nbytes;
    if (bs > typesize)
        bs = bs / typesize * typesize;
    return bs;
}

/* ---- the source: a chunk as rows ---- */

typedef struct {
    const char *const *rows;
    size_t rowbytes;
} zc_rowsrc;

/* Bytes [pos, pos + len) of the chunk to dst. */
static void zc_rows_copy(const zc_rowsrc *r, size_t pos, size_t len, char *dst)
{
    while (len > 0) {
        const size_t off = pos % r->rowbytes;
        size_t take = r->rowbytes - off;
        if (take > len)
            take = len;
        memcpy(dst, r->rows[pos / r->rowbytes] + off, take);
        dst += take;
        pos += take;
        len -= take;
    }
}

/* Items first .. first+count-1 of every plane (planes `items` bytes apart at dst) from count
 * items of ts bytes at src: byte k of item i goes to dst[k * items + first + i]. */
static void zc_shuffle_items_any(const unsigned char *src, size_t count, size_t ts,
                                 unsigned char *dst, size_t items, size_t first)
{
    size_t i, k;
    for (k = 0; k < ts; k++) {
        unsigned char *plane = dst + k * items + first;
        for (i = 0; i < count; i++)
            plane[i] = src[i * ts + k];
    }
}

#if defined(__SSE2__) /* x86: little-endian, byte k of an item is its k-th byte in memory */
#include <emmintrin.h>

/* The even and the odd bytes of a then b: the inverse of one unpack step. */
static void zc_split_bytes(__m128i a, __m128i b, __m128i *even, __m128i *odd)
{
    const __m128i low = _mm_set1_epi16(0x00FF);
    *even = _mm_packus_epi16(_mm_and_si128(a, low), _mm_and_si128(b, low));
    *odd = _mm_packus_epi16(_mm_srli_epi16(a, 8), _mm_srli_epi16(b, 8));
}

static size_t zc_shuffle_items_2(const unsigned char *src, size_t count, unsigned char *dst,
                                 size_t items, size_t first)
{
    unsigned char *p0 = dst + first, *p1 = p0 + items;
    size_t e = 0;
    for (; e + 16 <= count; e += 16) {
        __m128i b0, b1;
        zc_split_bytes(_mm_loadu_si128((const __m128i *)(src + 2 * e)),
                       _mm_loadu_si128((const __m128i *)(src + 2 * e + 16)), &b0, &b1);
        _mm_storeu_si128((__m128i *)(p0 + e), b0);
        _mm_storeu_si128((__m128i *)(p1 + e), b1);
    }
    return e;
}

static size_t zc_shuffle_items_4(const unsigned char *src, size_t count, unsigned char *dst,
                                 size_t items, size_t first)
{
    unsigned char *p0 = dst + first, *p1 = p0 + items, *p2 = p1 + items, *p3 = p2 + items;
    size_t e = 0;
    for (; e + 16 <= count; e += 16) {
        const unsigned char *s = src + 4 * e;
        __m128i e0, o0, e1, o1, b0, b1, b2, b3;
        /* bytes (0, 2) and (1, 3) of items 0-7, then of items 8-15 */
        zc_split_bytes(_mm_loadu_si128((const __m128i *)s),
                       _mm_loadu_si128((const __m128i *)(s + 16)), &e0, &o0);
        zc_split_bytes(_mm_loadu_si128((const __m128i *)(s + 32)),
                       _mm_loadu_si128((const __m128i *)(s + 48)), &e1, &o1);
        zc_split_bytes(e0, e1, &b0, &b2);
        zc_split_bytes(o0, o1, &b1, &b3);
        _mm_storeu_si128((__m128i *)(p0 + e), b0);
        _mm_storeu_si128((__m128i *)(p1 + e), b1);
        _mm_storeu_si128((__m128i *)(p2 + e), b2);
        _mm_storeu_si128((__m128i *)(p3 + e), b3);
    }
    return e;
}

static size_t zc_shuffle_items_8(const unsigned char *src, size_t count, unsigned char *dst,
                                 size_t items, size_t first)
{
    size_t e = 0;
    int k;
    for (; e + 16 <= count; e += 16) {
        const unsigned char *s = src + 8 * e;
        __m128i v[8], w[8], x[8], y[8];
        for (k = 0; k < 8; k++)
            v[k] = _mm_loadu_si128((const __m128i *)(s + 16 * k));
        for (k = 0; k < 4; k++) /* w[k]: bytes 0,2,4,6 / w[4+k]: 1,3,5,7 of items 2k, 2k+1 */
            zc_split_bytes(v[2 * k], v[2 * k + 1], &w[k], &w[4 + k]);
        for (k = 0; k < 2; k++) { /* x: bytes (0,4) (2,6) (1,5) (3,7) of items 8k .. 8k+7 */
            zc_split_bytes(w[2 * k], w[2 * k + 1], &x[k], &x[2 + k]);
            zc_split_bytes(w[4 + 2 * k], w[4 + 2 * k + 1], &x[4 + k], &x[6 + k]);
        }
        zc_split_bytes(x[0], x[1], &y[0], &y[4]);
        zc_split_bytes(x[2], x[3], &y[2], &y[6]);
        zc_split_bytes(x[4], x[5], &y[1], &y[5]);
        zc_split_bytes(x[6], x[7], &y[3], &y[7]);
        for (k = 0; k < 8; k++)
            _mm_storeu_si128((__m128i *)(dst + (size_t)k * items + first + e), y[k]);
    }
    return e;
}
#else
static size_t zc_shuffle_items_2(const unsigned char *src, size_t count, unsigned char *dst,
                                 size_t items, size_t first)
{
    (void)src, (void)count, (void)dst, (void)items, (void)first;
    return 0;
}
#define zc_shuffle_items_4 zc_shuffle_items_2
#define zc_shuffle_items_8 zc_shuffle_items_2
#endif

static void zc_shuffle_items(const unsigned char *src, size_t count, size_t ts,
                             unsigned char *dst, size_t items, size_t first)
{
    size_t e = 0;
    switch (ts) {
    case 2: e = zc_shuffle_items_2(src, count, dst, items, first); break;
    case 4: e = zc_shuffle_items_4(src, count, dst, items, first); break;
    case 8: e = zc_shuffle_items_8(src, count, dst, items, first); break;
    default: break;
    }
    zc_shuffle_items_any(src + e * ts, count - e, ts, dst, items, first + e);
}

#define ZC_PREFETCH_MAX 4096 /* bytes of the next row asked for ahead of its shuffle */

/* Ask for the first bytes of the row after the one holding pos: rows lie apart in the source,
 * and the hardware prefetcher loses the stream at each row's start. */
static void zc_rows_prefetch_next(const zc_rowsrc *r, size_t pos, size_t end)
{
#if defined(__GNUC__)
    const size_t next = (pos / r->rowbytes + 1) * r->rowbytes;
    size_t k, len;
    if (next >= end)
        return;
    len = end - next < r->rowbytes ? end - next : r->rowbytes;
    if (len > ZC_PREFETCH_MAX)
        len = ZC_PREFETCH_MAX;
    for (k = 0; k < len; k += 64)
        __builtin_prefetch(r->rows[next / r->rowbytes] + k, 0, 3);
#else
    (void)r, (void)pos, (void)end;
#endif
}

/* Bytes [pos, pos + bsize) of the chunk shuffled into tmp as c-blosc's shuffle lays out a
 * block: bsize / ts items in ts planes, the bsize % ts trailing bytes after them unchanged. */
static int zc_rows_shuffle(const zc_rowsrc *r, size_t pos, size_t bsize, size_t ts,
                           unsigned char *tmp)
{
    const size_t items = bsize / ts;
    size_t done = 0;
    while (done < items) {
        const size_t off = pos % r->rowbytes;
        size_t take = (r->rowbytes - off) / ts;
        if (take == 0) /* an item across two rows: the caller's rows break the contract */
            return ZC_E_ARG;
        if (take > items - done)
            take = items - done;
        zc_rows_prefetch_next(r, pos, pos + (items - done) * ts);
        zc_shuffle_items((const unsigned char *)r->rows[pos / r->rowbytes] + off, take, ts, tmp,
                         items, done);
        done += take;
        pos += take * ts;
    }
    zc_rows_copy(r, pos, bsize - items * ts, (char *)tmp + items * ts);
    return ZC_OK;
}

/* ---- the encoder ---- */

/* Block [pos, pos + bsize) as its streams at dst + at; `room` ends the output.  Returns the
 * new end, 0 when it does not fit (the whole buffer is then stored raw) or ZC_E_*. */
static ssize_t zc_blosc_block(const zc_rowsrc *r, size_t pos, size_t bsize, size_t ts,
                              int shuffled, int nsplits, int accel, char *dst, ssize_t at,
                              ssize_t room, char *tmp)
{
    const size_t neblock = bsize / (size_t)nsplits;
    const char *base;
    int s;
    if (shuffled) {
        if (zc_rows_shuffle(r, pos, bsize, ts, (unsigned char *)tmp) != ZC_OK)
            return ZC_E_ARG;
        base = tmp;
    } else if (pos % r->rowbytes + bsize <= r->rowbytes) { /* inside one row: as it lies */
        base = r->rows[pos / r->rowbytes] + pos % r->rowbytes;
    } else {
        zc_rows_copy(r, pos, bsize, tmp);
        base = tmp;
    }
    for (s = 0; s < nsplits; s++) {
        ssize_t maxout = (ssize_t)neblock;
        int cbytes;
        at += 4;
        if (at + maxout > room) {
            maxout = room - at;
            if (maxout <= 0)
                return 0;
        }
        cbytes = LZ4_compress_fast(base + (size_t)s * neblock, dst + at, (int)neblock,
                                   (int)maxout, accel);
        if (cbytes < 0 || cbytes > maxout)
            return ZC_E_DATA;
        if (cbytes == 0 || (size_t)cbytes == neblock) { /* lz4 could not shrink it: raw */
            if (at + (ssize_t)neblock > room)
                return 0;
            memcpy(dst + at, base + (size_t)s * neblock, neblock);
            cbytes = (int)neblock;
        }
        zc_put_le32(dst + at - 4, (uint32_t)cbytes);
        at += cbytes;
    }
    return at;
}

ssize_t zc_blosc_encode_rows(const char *const *rows, int64_t nrows, size_t rowbytes,
                             int clevel, int shuffle, size_t typesize, char *dst, size_t cap,
                             char *tmp, size_t tmp_size)
{
    zc_rowsrc r;
    size_t nbytes, bs, nblocks, leftover, j;
    ssize_t at, room;
    int flags, split;
    if (rows == NULL || dst == NULL || tmp == NULL || nrows < 1 || rowbytes == 0 ||
        clevel < 0 || clevel > 9 || (shuffle != 0 && shuffle != 1) || typesize < 1 ||
        typesize > 255 || (nrows > 1 && rowbytes % typesize != 0) ||
        (uint64_t)nrows > (uint64_t)(INT_MAX - ZC_BLOSC_HEADER) / rowbytes)
        return ZC_E_ARG; /* c-blosc's limit: the buffer and its header fit an int */
    nbytes = (size_t)nrows * rowbytes;
    if (cap < nbytes + ZC_BLOSC_HEADER || tmp_size < zc_blosc_encode_scratch(nbytes))
        return ZC_E_ARG;
    r.rows = rows;
    r.rowbytes = rowbytes;
    room = (ssize_t)(nbytes + ZC_BLOSC_HEADER); /* what python-blosc and numcodecs allow */
    bs = zc_blosc_blocksize(clevel, typesize, nbytes);
    nblocks = nbytes / bs + (nbytes % bs != 0);
    leftover = nbytes % bs;
    split = zc_blosc_splits(typesize, bs);
    flags = (ZC_BLOSC_LZ4 << 5) | (split ? 0 : ZC_BLOSC_F_DONT_SPLIT) |
            (shuffle == 1 ? ZC_BLOSC_F_SHUFFLE : 0);
    dst[0] = 2;
    dst[1] = ZC_BLOSC_LZ4_VERSION;
    dst[3] = (char)typesize;
    zc_put_le32(dst + 4, (uint32_t)nbytes);
    zc_put_le32(dst + 8, (uint32_t)bs);
    at = 0;
    if (clevel > 0 && nbytes >= ZC_BLOSC_MIN_BUFFER) {
        at = (ssize_t)(ZC_BLOSC_HEADER + 4 * nblocks);
        for (j = 0; j < nblocks && at > 0; j++) {
            const int last_short = j == nblocks - 1 && leftover != 0;
            if (ZC_BLOSC_HEADER + 4 * j + 4 <= (size_t)room)
                zc_put_le32(dst + ZC_BLOSC_HEADER + 4 * j, (uint32_t)at);
            at = zc_blosc_block(&r, j * bs, last_short ? leftover : bs, typesize,
                                shuffle == 1 && typesize > 1, split && !last_short
                                ? (int)typesize : 1, 10 - clevel, dst, at, room, tmp);
            if (at < 0)
                return at;
        }
    }
    if (at == 0) { /* stored raw after the header */
        flags |= ZC_BLOSC_F_MEMCPYED;
        zc_rows_copy(&r, 0, nbytes, dst + ZC_BLOSC_HEADER);
        at = (ssize_t)(nbytes + ZC_BLOSC_HEADER);
    }
    dst[2] = (char)flags;
    zc_put_le32(dst + 12, (uint32_t)at);
    return at;
}

#else /* ZC_HAVE_LZ4 */

ssize_t zc_blosc_encode_rows(const char *const *rows, int64_t nrows, size_t rowbytes,
                             int clevel, int shuffle, size_t typesize, char *dst, size_t cap,
                             char *tmp, size_t tmp_size)
{
    (void)rows, (void)nrows, (void)rowbytes, (void)clevel, (void)shuffle, (void)typesize;
    (void)dst, (void)cap, (void)tmp, (void)tmp_size;
    return ZC_E_ARG;
}

#endif /* ZC_HAVE_LZ4 */
