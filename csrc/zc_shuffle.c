/* zc_shuffle.c - byte shuffle / unshuffle (see zc_shuffle.h).
 *
 * The transpose of an (n, elementsize) byte matrix, done in blocks of elements so the strided
 * side stays in cache.  Encode fills one output stream at a time (sequential writes); decode
 * writes whole elements, reading one byte from each stream (this order vectorises well).
 * Element sizes 2, 4, 8, 16 get loops with a constant stride. */
#include "zc_shuffle.h"

/* bytes of the strided side handled per block */
#define ZC_SHUFFLE_BLOCK_BYTES 16384

#define ZC_DEFINE_SHUFFLE(ENC, DEC, ES_EXPR)                                                   \
    static void ENC(const unsigned char *src, unsigned char *dst, ssize_t n, ssize_t es_arg)  \
    {                                                                                          \
        const ssize_t es = (ES_EXPR);                                                          \
        const ssize_t block = ZC_SHUFFLE_BLOCK_BYTES / es > 16 ? ZC_SHUFFLE_BLOCK_BYTES / es   \
                                                               : 16;                           \
        ssize_t i0, i, j, ni;                                                                  \
        (void)es_arg;                                                                          \
        for (i0 = 0; i0 < n; i0 += block) {                                                    \
            ni = n - i0 < block ? n - i0 : block;                                              \
            for (j = 0; j < es; j++) {                                                         \
                unsigned char *d = dst + j * n + i0;                                           \
                const unsigned char *s = src + i0 * es + j;                                    \
                for (i = 0; i < ni; i++)                                                       \
                    d[i] = s[i * es];                                                          \
            }                                                                                  \
        }                                                                                      \
    }                                                                                          \
    static void DEC(const unsigned char *src, unsigned char *dst, ssize_t n, ssize_t es_arg)  \
    {                                                                                          \
        const ssize_t es = (ES_EXPR);                                                          \
        const ssize_t block = ZC_SHUFFLE_BLOCK_BYTES / es > 16 ? ZC_SHUFFLE_BLOCK_BYTES / es   \
                                                               : 16;                           \
        ssize_t i0, i, j, ni;                                                                  \
        (void)es_arg;                                                                          \
        for (i0 = 0; i0 < n; i0 += block) {                                                    \
            ni = n - i0 < block ? n - i0 : block;                                              \
            for (i = i0; i < i0 + ni; i++) {                                                   \
                unsigned char *d = dst + i * es;                                               \
                for (j = 0; j < es; j++)                                                       \
                    d[j] = src[j * n + i];                                                     \
            }                                                                                  \
        }                                                                                      \
    }

ZC_DEFINE_SHUFFLE(zc_shuffle_enc_2, zc_shuffle_dec_2, 2)
ZC_DEFINE_SHUFFLE(zc_shuffle_enc_4, zc_shuffle_dec_4, 4)
ZC_DEFINE_SHUFFLE(zc_shuffle_enc_8, zc_shuffle_dec_8, 8)
ZC_DEFINE_SHUFFLE(zc_shuffle_enc_16, zc_shuffle_dec_16, 16)
ZC_DEFINE_SHUFFLE(zc_shuffle_enc_any, zc_shuffle_dec_any, es_arg)

typedef void (*zc_shuffle_fn)(const unsigned char *src, unsigned char *dst, ssize_t n,
                              ssize_t es);

static int zc_ranges_overlap(const char *a, const char *b, ssize_t nbytes)
{
    const uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b, len = (uintptr_t)nbytes;
    return pa < pb + len && pb < pa + len;
}

static ssize_t zc_shuffle_run(const char *src, char *dst, ssize_t nbytes, ssize_t elementsize,
                              int decode)
{
    zc_shuffle_fn fn;
    ssize_t n, whole;
    if (elementsize <= 0)
        return ZC_E_ITEMSIZE;
    if (nbytes < 0)
        return ZC_E_ARG;
    if (nbytes == 0)
        return 0;
    if (src == NULL || dst == NULL)
        return ZC_E_ARG;
    if (zc_ranges_overlap(src, dst, nbytes))
        return ZC_E_OVERLAP;
    n = nbytes / elementsize;
    whole = n * elementsize;
    if (elementsize == 1 || n <= 1) {
        memcpy(dst, src, (size_t)nbytes);
        return nbytes;
    }
    switch (elementsize) {
    case 2: fn = decode ? zc_shuffle_dec_2 : zc_shuffle_enc_2; break;
    case 4: fn = decode ? zc_shuffle_dec_4 : zc_shuffle_enc_4; break;
    case 8: fn = decode ? zc_shuffle_dec_8 : zc_shuffle_enc_8; break;
    case 16: fn = decode ? zc_shuffle_dec_16 : zc_shuffle_enc_16; break;
    default: fn = decode ? zc_shuffle_dec_any : zc_shuffle_enc_any; break;
    }
    fn((const unsigned char *)src, (unsigned char *)dst, n, elementsize);
    if (whole < nbytes)
        memcpy(dst + whole, src + whole, (size_t)(nbytes - whole));
    return nbytes;
}

ssize_t zc_shuffle_encode(const char *src, char *dst, ssize_t nbytes, ssize_t elementsize)
{
    return zc_shuffle_run(src, dst, nbytes, elementsize, 0);
}

ssize_t zc_shuffle_decode(const char *src, char *dst, ssize_t nbytes, ssize_t elementsize)
{
    return zc_shuffle_run(src, dst, nbytes, elementsize, 1);
}
