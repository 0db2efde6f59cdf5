/* bloscenc_fuzz.c - zc_blosc_encode_rows against libblosc's own encoder, built with sanitizers.
 *
 * For random layouts (one row, or many rows of whole items), typesizes, clevels, shuffles and
 * data, every row and buffer in its own allocation of exactly its size: the encoded bytes must
 * be blosc_compress_ctx's (lz4, automatic block size, one thread, the documented bound) and
 * decode back with blosc_decompress_ctx.  Usage: bloscenc_fuzz ITERATIONS SEED.  Prints the
 * count of mismatches; exits 1 if there were any.  Run by test_blosc_sanitized.py.
 */
#include "zc_bloscenc.h"

#include <blosc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long state;

static unsigned long long next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* Bytes that compress well, not at all, to nothing, or half and half. */
static char byte_of(int kind, size_t i, size_t ts)
{
    switch (kind) {
    case 0: return (char)next();
    case 1: return 7;
    case 2: return (char)(i / ts);
    default: return (i % 2) ? (char)next() : (char)(i >> 10);
    }
}

static int one_case(void)
{
    static const size_t sizes[] = {1, 2, 3, 4, 8, 16, 17, 32, 255};
    const size_t ts = sizes[next() % 9];
    const int clevel = (int)(next() % 10), shuffle = (int)(next() % 2), kind = (int)(next() % 4);
    size_t rowbytes, nrows, n, r, i;
    const char **rows;
    char **own, *src, *dst, *ref, *tmp, *back;
    ssize_t m;
    int want, bad;
    if (next() % 3 == 0) {
        nrows = 1;
        rowbytes = 1 + next() % (3u << 20);
    } else {
        rowbytes = ts * (1 + next() % 800);
        nrows = 1 + next() % 1100;
        if (rowbytes * nrows > (3u << 20))
            nrows = (3u << 20) / rowbytes + 1;
    }
    n = rowbytes * nrows;
    src = malloc(n);
    rows = malloc(nrows * sizeof *rows);
    own = malloc(nrows * sizeof *own);
    dst = malloc(n + 16);
    ref = malloc(n + 16);
    back = malloc(n);
    tmp = malloc(zc_blosc_encode_scratch(n));
    if (!src || !rows || !own || !dst || !ref || !back || !tmp)
        return 1;
    for (i = 0; i < n; i++)
        src[i] = byte_of(kind, i, ts);
    for (r = 0; r < nrows; r++) {
        own[r] = malloc(rowbytes);
        if (!own[r])
            return 1;
        memcpy(own[r], src + r * rowbytes, rowbytes);
        rows[r] = own[r];
    }
    m = zc_blosc_encode_rows(rows, (int64_t)nrows, rowbytes, clevel, shuffle, ts, dst, n + 16,
                             tmp, zc_blosc_encode_scratch(n));
    want = blosc_compress_ctx(clevel, shuffle, ts, n, src, ref, n + 16, "lz4", 0, 1);
    bad = m != want || m <= 0 || memcmp(dst, ref, (size_t)m) != 0 ||
          blosc_decompress_ctx(dst, back, n, 1) != (int)n || memcmp(back, src, n) != 0;
    if (bad)
        printf("mismatch: rows %zu of %zu bytes, typesize %zu, clevel %d, shuffle %d, data %d: "
               "%zd bytes, libblosc %d\n", nrows, rowbytes, ts, clevel, shuffle, kind, m, want);
    for (r = 0; r < nrows; r++)
        free(own[r]);
    free(own);
    free(rows);
    free(src);
    free(dst);
    free(ref);
    free(back);
    free(tmp);
    return bad;
}

int main(int argc, char **argv)
{
    int iterations, k, bad = 0;
    if (argc != 3)
        return 2;
    iterations = atoi(argv[1]);
    state = strtoull(argv[2], NULL, 10) | 1;
    for (k = 0; k < iterations; k++)
        bad += one_case();
    printf("%d cases, %d mismatches\n", iterations, bad);
    return bad != 0;
}
