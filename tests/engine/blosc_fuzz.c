/* blosc_fuzz.c - the native blosc code against libblosc itself, built with sanitizers.
 *
 * encode: zc_blosc_encode_rows on random layouts (one row, or many rows of whole items),
 * typesizes, clevels, shuffles and data must write blosc_compress_ctx's bytes (lz4, automatic
 * block size, one thread, the documented bound), which blosc_decompress_ctx decodes back.
 * decode: chunks made by libblosc are damaged at random (bytes of the header, the block starts
 * or the streams changed; cut short; grown) and given to zc_blosc_decode_rows; whenever it
 * accepts one, libblosc must decode it too, to the same bytes.
 * Every row, buffer and scratch block is its own allocation of exactly its size, so a read or
 * write outside one stops a sanitized run.  Usage: blosc_fuzz encode|decode ITERATIONS SEED.
 * Prints the count of mismatches; exits 1 if there were any.  Run by test_blosc_sanitized.py.
 */
#include "zc_blosc.h"
#include "zc_bloscenc.h"

#include <blosc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long state;
static int accepted_damaged; /* damaged chunks the decoder accepted (libblosc agreed) */

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

/* One encode case: the encoder's bytes against blosc_compress_ctx's. */
static int encode_case(void)
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

/* Damage chunk c (*n bytes, room for cap): 1-4 changed bytes, or cut short, or grown. */
static void damage(char *c, size_t *n, size_t cap)
{
    const int how = (int)(next() % 4);
    int k;
    if (how == 0 && *n > 1) {
        *n = 1 + next() % (*n - 1);
    } else if (how == 1 && *n < cap) {
        *n += 1 + next() % (cap - *n);
    } else {
        for (k = 0; k < 1 + (int)(next() % 4); k++) {
            /* mostly the header and the block starts, where the decoder reads its plan */
            const size_t at = next() % 2 ? next() % (*n < 64 ? *n : 64) : next() % *n;
            c[at] = next() % 3 ? (char)next() : (char)(c[at] ^ (1 << (next() % 8)));
        }
    }
}

/* One decode case: a (mostly damaged) chunk the decoder accepts must be libblosc's. */
static int decode_case(void)
{
    static const size_t sizes[] = {1, 2, 4, 8, 16};
    const size_t ts = sizes[next() % 5];
    const size_t rowbytes = ts * (1 + next() % 600);
    const size_t nrows = 1 + next() % 300, nbytes = rowbytes * nrows;
    const size_t cap = nbytes + 64 + next() % 64;
    char *src = malloc(nbytes), *chunk = malloc(cap), *want = malloc(nbytes);
    char **rows = malloc(nrows * sizeof *rows), *tmp, *got, *exact;
    size_t n, i, tmp_size;
    int made, ok, theirs, damaged = 0, bad = 0;
    if (!src || !chunk || !want || !rows)
        return 1;
    for (i = 0; i < nbytes; i++)
        src[i] = (char)(next() % 2 ? (i / ts) * 3 : next() % 4);
    made = blosc_compress_ctx((int)(1 + next() % 9), (int)(next() % 2), ts, nbytes, src, chunk,
                              nbytes + 16, "lz4", 0, 1);
    if (made <= 0)
        return 1;
    n = (size_t)made;
    if (next() % 8 != 0) {
        damage(chunk, &n, cap);
        damaged = 1;
    }
    tmp_size = 1 + next() % nbytes;
    if (next() % 2)
        tmp_size = nbytes;
    tmp = malloc(tmp_size);
    for (i = 0; i < nrows; i++)
        rows[i] = malloc(rowbytes);
    got = malloc(nbytes);
    if (!tmp || !got)
        return 1;
    exact = malloc(n); /* the chunk as a store hands it over: exactly its bytes */
    if (!exact)
        return 1;
    memcpy(exact, chunk, n);
    ok = zc_blosc_decode_rows(exact, n, nbytes, rows, (int64_t)nrows, rowbytes, tmp, tmp_size) ==
         ZC_OK;
    free(exact);
    if (ok) {
        for (i = 0; i < nrows; i++)
            memcpy(got + i * rowbytes, rows[i], rowbytes);
        theirs = blosc_decompress_ctx(chunk, want, nbytes, 1);
        if (theirs != (int)nbytes || memcmp(got, want, nbytes) != 0) {
            bad = 1;
            printf("mismatch: %zu rows of %zu bytes, typesize %zu, chunk %zu bytes: "
                   "libblosc %d\n", nrows, rowbytes, ts, n, theirs);
        }
        accepted_damaged += damaged && !bad;
    }
    for (i = 0; i < nrows; i++)
        free(rows[i]);
    free(rows);
    free(src);
    free(chunk);
    free(want);
    free(tmp);
    free(got);
    return bad;
}

int main(int argc, char **argv)
{
    int iterations, k, encode, bad = 0;
    if (argc != 4 || (strcmp(argv[1], "encode") != 0 && strcmp(argv[1], "decode") != 0))
        return 2;
    encode = strcmp(argv[1], "encode") == 0;
    iterations = atoi(argv[2]);
    state = strtoull(argv[3], NULL, 10) | 1;
    for (k = 0; k < iterations; k++)
        bad += encode ? encode_case() : decode_case();
    printf("%d cases, %d mismatches (%d damaged chunks decoded alike)\n", iterations, bad,
           accepted_damaged);
    return bad != 0;
}
