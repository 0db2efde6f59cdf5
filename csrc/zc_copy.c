/* zc_copy.c - N-d strided region copy (see zc_copy.h).
 *
 * Strategy, after zc_dims_normalize() has merged whatever is contiguous on both sides:
 *   - innermost dim contiguous on both sides: one memcpy per outer index (often one in total);
 *   - source fastest along another dim than the destination (a transpose): copy in square
 *     tiles so both sides stay in cache;
 *   - otherwise: a strided loop specialised on itemsize 1, 2, 4, 8, 16.
 * Outer dims are walked with an index counter, never recursively.
 */
#include "zc_copy.h"
#include "zc_strided.h"

typedef void (*zc_strided_copy_fn)(char *d, ssize_t ds, const char *s, ssize_t ss, ssize_t n,
                                   ssize_t itemsize);

/* fixed-size memcpy compiles to a single (unaligned-safe) load and store */
#define ZC_DEFINE_STRIDED_COPY(NAME, SIZE)                                                     \
    static void NAME(char *d, ssize_t ds, const char *s, ssize_t ss, ssize_t n,               \
                     ssize_t itemsize)                                                         \
    {                                                                                          \
        ssize_t i;                                                                             \
        (void)itemsize;                                                                        \
        for (i = 0; i < n; i++) {                                                              \
            memcpy(d, s, SIZE);                                                                \
            d += ds;                                                                           \
            s += ss;                                                                           \
        }                                                                                      \
    }

ZC_DEFINE_STRIDED_COPY(zc_copy_strided_1, 1)
ZC_DEFINE_STRIDED_COPY(zc_copy_strided_2, 2)
ZC_DEFINE_STRIDED_COPY(zc_copy_strided_4, 4)
ZC_DEFINE_STRIDED_COPY(zc_copy_strided_8, 8)
ZC_DEFINE_STRIDED_COPY(zc_copy_strided_16, 16)

static void zc_copy_strided_any(char *d, ssize_t ds, const char *s, ssize_t ss, ssize_t n,
                                ssize_t itemsize)
{
    ssize_t i, k;
    if (itemsize < 16) { /* short odd sizes: a byte loop beats a memcpy call per item */
        for (i = 0; i < n; i++) {
            for (k = 0; k < itemsize; k++)
                d[k] = s[k];
            d += ds;
            s += ss;
        }
        return;
    }
    for (i = 0; i < n; i++) {
        memcpy(d, s, (size_t)itemsize);
        d += ds;
        s += ss;
    }
}

static zc_strided_copy_fn zc_copy_pick(ssize_t itemsize)
{
    switch (itemsize) {
    case 1: return zc_copy_strided_1;
    case 2: return zc_copy_strided_2;
    case 4: return zc_copy_strided_4;
    case 8: return zc_copy_strided_8;
    case 16: return zc_copy_strided_16;
    default: return zc_copy_strided_any;
    }
}

static ssize_t zc_abs(ssize_t x) { return x < 0 ? -x : x; }

/* Copy a 2-d plane in tiles: `a` is the source-fast dim, `b` the destination-fast dim. */
static void zc_copy_tiled(char *dst, const char *src, const zc_dim *a, const zc_dim *b,
                          ssize_t itemsize, zc_strided_copy_fn fn)
{
    /* tile edge in items, measured on 2048 x 2048 transposes */
    const ssize_t tile = itemsize == 1 ? 32 : (itemsize <= 8 ? 64 : (itemsize <= 16 ? 32 : 16));
    ssize_t i0, j0, i, ni, nj;
    for (i0 = 0; i0 < a->n; i0 += tile) {
        ni = a->n - i0 < tile ? a->n - i0 : tile;
        for (j0 = 0; j0 < b->n; j0 += tile) {
            nj = b->n - j0 < tile ? b->n - j0 : tile;
            for (i = i0; i < i0 + ni; i++)
                fn(dst + i * a->ds + j0 * b->ds, b->ds, src + i * a->ss + j0 * b->ss, b->ss, nj,
                   itemsize);
        }
    }
}

/* Index of the outer dim (0..m-2) with the smallest non-zero |source stride| if it is smaller
 * than the innermost dim's, else -1: then a tiled copy beats walking the source with a big step. */
static int zc_copy_tile_dim(const zc_dim *dims, int m)
{
    int k, best = -1;
    ssize_t best_s = zc_abs(dims[m - 1].ss);
    for (k = 0; k < m - 1; k++) {
        ssize_t s = zc_abs(dims[k].ss);
        if (s != 0 && s < best_s) {
            best = k;
            best_s = s;
        }
    }
    return best;
}

ssize_t zc_copy_region(const char *src, const ssize_t *src_strides, char *dst,
                       const ssize_t *dst_strides, const ssize_t *shape, int ndim,
                       ssize_t itemsize)
{
    zc_dim dims[ZC_MAXDIM];
    ssize_t idx[ZC_MAXDIM];
    ssize_t doff, soff, total = 1;
    zc_strided_copy_fn fn;
    const zc_dim *inner;
    int m, k, empty;

    if (itemsize <= 0)
        return ZC_E_ITEMSIZE;
    if (ndim > 0 && src_strides == NULL)
        return ZC_E_ARG;
    m = zc_dims_normalize(dims, shape, dst_strides, src_strides, ndim, &doff, &soff, &empty);
    if (m < 0)
        return m;
    if (empty)
        return 0;
    if (src == NULL || dst == NULL)
        return ZC_E_ARG;
    if (m == 0) {
        memcpy(dst + doff, src + soff, (size_t)itemsize);
        return 1;
    }
    for (k = 0; k < m; k++) {
        total *= dims[k].n;
        idx[k] = 0;
    }
    inner = &dims[m - 1];

    if (inner->ds == itemsize && inner->ss == itemsize) {
        const size_t block = (size_t)(inner->n * itemsize);
        do {
            memcpy(dst + doff, src + soff, block);
        } while (zc_dims_next(idx, dims, m - 1, &doff, &soff));
        return total;
    }

    fn = zc_copy_pick(itemsize);
    if (m >= 2 && (k = zc_copy_tile_dim(dims, m)) >= 0) {
        /* move the source-fast dim next to the innermost one; the outer order is free */
        zc_dim a = dims[k];
        for (; k < m - 2; k++)
            dims[k] = dims[k + 1];
        dims[m - 2] = a;
        do {
            zc_copy_tiled(dst + doff, src + soff, &dims[m - 2], &dims[m - 1], itemsize, fn);
        } while (zc_dims_next(idx, dims, m - 2, &doff, &soff));
        return total;
    }

    do {
        fn(dst + doff, inner->ds, src + soff, inner->ss, inner->n, itemsize);
    } while (zc_dims_next(idx, dims, m - 1, &doff, &soff));
    return total;
}
