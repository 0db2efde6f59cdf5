/* blosc_decode_fuzz.c - zc_blosc_decode_rows on damaged blosc chunks, built with sanitizers.
 *
 * Chunks made by libblosc (lz4, random typesize, clevel, shuffle, size) are damaged at random
 * (bytes of the header, the block starts or the streams changed; cut short; grown) and decoded
 * into rows that are each their own allocation of exactly their size, with a scratch block of
 * exactly the size the decoder is told.  Whenever the decoder accepts a chunk, libblosc must
 * decode it too, to the same bytes.  Usage: blosc_decode_fuzz ITERATIONS SEED.  Prints the
 * count of disagreements; exits 1 if there were any.  Run by test_blosc_sanitized.py.
 */
#include "zc_blosc.h"

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

static int one_case(void)
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
            printf("disagreement: %zu rows of %zu bytes, typesize %zu, chunk %zu bytes: "
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
    int iterations, k, bad = 0;
    if (argc != 3)
        return 2;
    iterations = atoi(argv[1]);
    state = strtoull(argv[2], NULL, 10) | 1;
    for (k = 0; k < iterations; k++)
        bad += one_case();
    printf("%d cases, %d disagreements (%d damaged chunks decoded alike)\n", iterations, bad,
           accepted_damaged);
    return bad != 0;
}
