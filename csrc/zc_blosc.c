/* zc_blosc.c - blosc1 chunks decoded into destination rows (see zc_blosc.h).
 *
 * The format (c-blosc README_HEADER and its decoder's rules): a 16-byte header (version,
 * versionlz, flags, typesize, then little-endian uint32 nbytes, blocksize, cbytes), then for a
 * buffer that is not a plain copy one int32 start offset per block.  A block is `nsplits`
 * streams, each an int32 size and that many bytes: lz4 data, or the raw bytes when the size
 * equals the stream's decoded size.  Blocks are split into `typesize` streams (one per byte of
 * the shuffled items) unless flag 0x10 says not to, the block is the short last one, the
 * typesize exceeds 16 or the block holds fewer than 128 items.  Flag 0x01: byte shuffle;
 * 0x02: the data follows the header uncompressed; 0x04: bit shuffle; bits 5-7: the inner
 * compressor (1: lz4).
 */
#include "zc_blosc.h"

#ifndef ZC_HAVE_LZ4 /* built without liblz4: every chunk goes to libblosc */

int zc_blosc_decode_rows(const char *src, size_t n, size_t nbytes, char *const *rows,
                         int64_t nrows, size_t rowbytes, char *tmp, size_t tmp_size)
{
    (void)src, (void)n, (void)nbytes, (void)rows, (void)nrows, (void)rowbytes, (void)tmp;
    (void)tmp_size;
    return ZC_BLOSC_OTHER;
}

#else

#include <lz4.h>
#include <limits.h>

static uint32_t zc_blosc_le32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] | ((uint32_t)u[1] << 8) | ((uint32_t)u[2] << 16) | ((uint32_t)u[3] << 24);
}

/* Items [first, first + count) of a shuffled block (planes of `items` bytes at tmp) to dst.
 * With SSE2, 16 items at a time are interleaved from their planes with unpack instructions
 * (as c-blosc's own un-shuffle does); the rest go through the portable loop. */
static void zc_unshuffle_any(const unsigned char *tmp, size_t items, size_t first, size_t count,
                             unsigned char *dst, size_t ts);

#if defined(__SSE2__) /* x86: little-endian, so byte k of an item is its k-th byte in memory */
#include <emmintrin.h>

static void zc_unshuffle_2(const unsigned char *tmp, size_t items, size_t first, size_t count,
                           unsigned char *dst)
{
    const unsigned char *p0 = tmp + first, *p1 = p0 + items;
    size_t e = 0;
    for (; e + 16 <= count; e += 16) {
        const __m128i a = _mm_loadu_si128((const __m128i *)(p0 + e));
        const __m128i b = _mm_loadu_si128((const __m128i *)(p1 + e));
        _mm_storeu_si128((__m128i *)(dst + 2 * e), _mm_unpacklo_epi8(a, b));
        _mm_storeu_si128((__m128i *)(dst + 2 * e + 16), _mm_unpackhi_epi8(a, b));
    }
    zc_unshuffle_any(tmp, items, first + e, count - e, dst + 2 * e, 2);
}

static void zc_unshuffle_4(const unsigned char *tmp, size_t items, size_t first, size_t count,
                           unsigned char *dst)
{
    const unsigned char *p0 = tmp + first, *p1 = p0 + items, *p2 = p1 + items, *p3 = p2 + items;
    size_t e = 0;
    for (; e + 16 <= count; e += 16) {
        const __m128i a = _mm_loadu_si128((const __m128i *)(p0 + e));
        const __m128i b = _mm_loadu_si128((const __m128i *)(p1 + e));
        const __m128i c = _mm_loadu_si128((const __m128i *)(p2 + e));
        const __m128i d = _mm_loadu_si128((const __m128i *)(p3 + e));
        const __m128i ab0 = _mm_unpacklo_epi8(a, b), ab1 = _mm_unpackhi_epi8(a, b);
        const __m128i cd0 = _mm_unpacklo_epi8(c, d), cd1 = _mm_unpackhi_epi8(c, d);
        unsigned char *o = dst + 4 * e;
        _mm_storeu_si128((__m128i *)o, _mm_unpacklo_epi16(ab0, cd0));
        _mm_storeu_si128((__m128i *)(o + 16), _mm_unpackhi_epi16(ab0, cd0));
        _mm_storeu_si128((__m128i *)(o + 32), _mm_unpacklo_epi16(ab1, cd1));
        _mm_storeu_si128((__m128i *)(o + 48), _mm_unpackhi_epi16(ab1, cd1));
    }
    zc_unshuffle_any(tmp, items, first + e, count - e, dst + 4 * e, 4);
}

static void zc_unshuffle_8(const unsigned char *tmp, size_t items, size_t first, size_t count,
                           unsigned char *dst)
{
    const unsigned char *p = tmp + first;
    size_t e = 0;
    for (; e + 16 <= count; e += 16) {
        __m128i v[8], w[8], x[8];
        int k;
        for (k = 0; k < 8; k++)
            v[k] = _mm_loadu_si128((const __m128i *)(p + (size_t)k * items + e));
        for (k = 0; k < 4; k++) { /* bytes of planes 2k, 2k+1 paired */
            w[2 * k] = _mm_unpacklo_epi8(v[2 * k], v[2 * k + 1]);
            w[2 * k + 1] = _mm_unpackhi_epi8(v[2 * k], v[2 * k + 1]);
        }
        for (k = 0; k < 2; k++) { /* pairs of planes (0,1)+(2,3), (4,5)+(6,7) as 4-byte groups */
            x[4 * k] = _mm_unpacklo_epi16(w[4 * k], w[4 * k + 2]);
            x[4 * k + 1] = _mm_unpackhi_epi16(w[4 * k], w[4 * k + 2]);
            x[4 * k + 2] = _mm_unpacklo_epi16(w[4 * k + 1], w[4 * k + 3]);
            x[4 * k + 3] = _mm_unpackhi_epi16(w[4 * k + 1], w[4 * k + 3]);
        }
        for (k = 0; k < 4; k++) { /* low and high halves of each item joined */
            unsigned char *o = dst + 8 * (e + 4 * (size_t)k);
            _mm_storeu_si128((__m128i *)o, _mm_unpacklo_epi32(x[k], x[4 + k]));
            _mm_storeu_si128((__m128i *)(o + 16), _mm_unpackhi_epi32(x[k], x[4 + k]));
        }
    }
    zc_unshuffle_any(tmp, items, first + e, count - e, dst + 8 * e, 8);
}
#else
static void zc_unshuffle_2(const unsigned char *tmp, size_t items, size_t first, size_t count,
                           unsigned char *dst)
{
    zc_unshuffle_any(tmp, items, first, count, dst, 2);
}

static void zc_unshuffle_4(const unsigned char *tmp, size_t items, size_t first, size_t count,
                           unsigned char *dst)
{
    zc_unshuffle_any(tmp, items, first, count, dst, 4);
}

static void zc_unshuffle_8(const unsigned char *tmp, size_t items, size_t first, size_t count,
                           unsigned char *dst)
{
    zc_unshuffle_any(tmp, items, first, count, dst, 8);
}
#endif

static void zc_unshuffle_any(const unsigned char *tmp, size_t items, size_t first, size_t count,
                             unsigned char *dst, size_t ts)
{
    size_t e, b;
    for (e = 0; e < count; e++)
        for (b = 0; b < ts; b++)
            dst[e * ts + b] = tmp[b * items + first + e];
}

/* Place a decoded block (bsize bytes, shuffled with typesize ts when shuffled != 0) at rows
 * row0 .. of the destination. */
static void zc_blosc_place(const char *tmp, size_t bsize, size_t ts, int shuffled,
                           char *const *rows, int64_t row0, size_t rowbytes)
{
    const size_t nrows = bsize / rowbytes, items = bsize / ts, per_row = rowbytes / ts;
    const unsigned char *t = (const unsigned char *)tmp;
    size_t k;
    for (k = 0; k < nrows; k++) {
        unsigned char *dst = (unsigned char *)rows[row0 + (int64_t)k];
        if (!shuffled) {
            memcpy(dst, tmp + k * rowbytes, rowbytes);
            continue;
        }
        switch (ts) {
        case 2: zc_unshuffle_2(t, items, k * per_row, per_row, dst); break;
        case 4: zc_unshuffle_4(t, items, k * per_row, per_row, dst); break;
        case 8: zc_unshuffle_8(t, items, k * per_row, per_row, dst); break;
        default: zc_unshuffle_any(t, items, k * per_row, per_row, dst, ts);
        }
    }
}

int zc_blosc_decode_rows(const char *src, size_t n, size_t nbytes, char *const *rows,
                         int64_t nrows, size_t rowbytes, char *tmp, size_t tmp_size)
{
    size_t ts, bs, nblocks, leftover, j, table;
    int flags, shuffled;
    if (src == NULL || rows == NULL || tmp == NULL || rowbytes == 0 || n < ZC_BLOSC_HEADER ||
        nrows < 0 || (uint64_t)nrows * rowbytes != nbytes)
        return ZC_BLOSC_OTHER;
    flags = (unsigned char)src[2];
    ts = (unsigned char)src[3];
    bs = zc_blosc_le32(src + 8);
    if ((unsigned char)src[0] != 2 || (flags & 0x0C) || ts == 0 || nbytes == 0 || bs == 0 ||
        bs > nbytes || zc_blosc_le32(src + 4) != nbytes || zc_blosc_le32(src + 12) != n)
        return ZC_BLOSC_OTHER; /* another format version, bit shuffle, sizes blosc never writes */
    if (flags & ZC_BLOSC_F_MEMCPYED) { /* stored as is after the header */
        int64_t r;
        if (n != ZC_BLOSC_HEADER + nbytes)
            return ZC_BLOSC_OTHER;
        for (r = 0; r < nrows; r++)
            memcpy(rows[r], src + ZC_BLOSC_HEADER + (size_t)r * rowbytes, rowbytes);
        return ZC_OK;
    }
    /* lz4 streams of the one format version blosc writes (libblosc rejects others) */
    if ((flags >> 5) != ZC_BLOSC_LZ4 || (unsigned char)src[1] != ZC_BLOSC_LZ4_VERSION ||
        bs > tmp_size || bs % rowbytes || rowbytes % ts)
        return ZC_BLOSC_OTHER;
    shuffled = (flags & ZC_BLOSC_F_SHUFFLE) && ts > 1;
    nblocks = nbytes / bs + (nbytes % bs != 0);
    leftover = nbytes % bs;
    table = ZC_BLOSC_HEADER + 4 * nblocks;
    if (table > n)
        return ZC_BLOSC_OTHER;
    for (j = 0; j < nblocks; j++) {
        const int last_short = j == nblocks - 1 && leftover != 0;
        const size_t bsize = last_short ? leftover : bs;
        const size_t start = zc_blosc_le32(src + ZC_BLOSC_HEADER + 4 * j);
        size_t nsplits = 1, neblock, s, pos = start;
        if (!(flags & ZC_BLOSC_F_DONT_SPLIT) && !last_short && ts <= ZC_BLOSC_MAX_SPLITS &&
            bsize / ts >= ZC_BLOSC_MIN_SPLIT)
            nsplits = ts;
        neblock = bsize / nsplits;
        if (start < table || start > n || neblock * nsplits != bsize || bsize % rowbytes)
            return ZC_BLOSC_OTHER;
        for (s = 0; s < nsplits; s++) {
            size_t cb;
            if (n - pos < 4)
                return ZC_BLOSC_OTHER;
            cb = zc_blosc_le32(src + pos);
            pos += 4;
            if (cb == 0 || cb > n - pos || cb > (size_t)INT_MAX || neblock > (size_t)INT_MAX)
                return ZC_BLOSC_OTHER;
            if (cb == neblock)
                memcpy(tmp + s * neblock, src + pos, neblock);
            else if (LZ4_decompress_safe(src + pos, tmp + s * neblock, (int)cb, (int)neblock) !=
                     (int)neblock)
                return ZC_BLOSC_OTHER;
            pos += cb;
        }
        zc_blosc_place(tmp, bsize, ts, shuffled, rows, (int64_t)(j * bs / rowbytes), rowbytes);
    }
    return ZC_OK;
}

#endif /* ZC_HAVE_LZ4 */
