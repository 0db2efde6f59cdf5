/* zc_fill.c - fill an N-d strided region with one item (see zc_fill.h).
 *
 * Contiguous runs are filled with memset when every byte of the item is equal (zeros, the
 * common case), else by writing one item and doubling it with memcpy from the run's start
 * (bounded so the source stays in L1).  Strided runs use a loop specialised on itemsize.
 */
#include "zc_fill.h"
#include "zc_strided.h"

/* doubling stops growing here so the copied-from prefix stays cache resident */
#define ZC_FILL_CHUNK 4096

typedef void (*zc_strided_fill_fn)(char *d, ssize_t ds, ssize_t n, const char *value,
                                   ssize_t itemsize);

#define ZC_DEFINE_STRIDED_FILL(NAME, SIZE)                                                     \
    static void NAME(char *d, ssize_t ds, ssize_t n, const char *value, ssize_t itemsize)    \
    {                                                                                          \
        unsigned char v[SIZE];                                                                 \
        ssize_t i;                                                                             \
        (void)itemsize;                                                                        \
        memcpy(v, value, SIZE);                                                                \
        for (i = 0; i < n; i++) {                                                              \
            memcpy(d, v, SIZE);                                                                \
            d += ds;                                                                           \
        }                                                                                      \
    }

ZC_DEFINE_STRIDED_FILL(zc_fill_strided_1, 1)
ZC_DEFINE_STRIDED_FILL(zc_fill_strided_2, 2)
ZC_DEFINE_STRIDED_FILL(zc_fill_strided_4, 4)
ZC_DEFINE_STRIDED_FILL(zc_fill_strided_8, 8)
ZC_DEFINE_STRIDED_FILL(zc_fill_strided_16, 16)

static void zc_fill_strided_any(char *d, ssize_t ds, ssize_t n, const char *value,
                                ssize_t itemsize)
{
    ssize_t i;
    for (i = 0; i < n; i++) {
        memcpy(d, value, (size_t)itemsize);
        d += ds;
    }
}

static zc_strided_fill_fn zc_fill_pick(ssize_t itemsize)
{
    switch (itemsize) {
    case 1: return zc_fill_strided_1;
    case 2: return zc_fill_strided_2;
    case 4: return zc_fill_strided_4;
    case 8: return zc_fill_strided_8;
    case 16: return zc_fill_strided_16;
    default: return zc_fill_strided_any;
    }
}

/* Fill `nbytes` contiguous bytes (a whole number of items) starting at d. */
static void zc_fill_block(char *d, size_t nbytes, const char *value, size_t itemsize, int uniform)
{
    size_t done, chunk, prefix;
    if (uniform) {
        memset(d, (unsigned char)value[0], nbytes);
        return;
    }
    memcpy(d, value, itemsize);
    done = itemsize;
    /* grow the filled prefix by doubling, up to a whole number of items near ZC_FILL_CHUNK */
    while (done < nbytes && done < ZC_FILL_CHUNK) {
        chunk = nbytes - done < done ? nbytes - done : done;
        memcpy(d + done, d, chunk);
        done += chunk;
    }
    /* then stamp that prefix (a whole number of items) over the rest */
    prefix = done;
    while (done < nbytes) {
        chunk = nbytes - done < prefix ? nbytes - done : prefix;
        memcpy(d + done, d, chunk);
        done += chunk;
    }
}

static int zc_fill_is_uniform(const char *value, ssize_t itemsize)
{
    ssize_t i;
    for (i = 1; i < itemsize; i++)
        if (value[i] != value[0])
            return 0;
    return 1;
}

ssize_t zc_fill_region(char *dst, const ssize_t *dst_strides, const ssize_t *shape, int ndim,
                       const char *value, ssize_t itemsize)
{
    zc_dim dims[ZC_MAXDIM];
    ssize_t idx[ZC_MAXDIM];
    ssize_t doff, soff, total = 1;
    const zc_dim *inner;
    int m, k, empty;

    if (itemsize <= 0)
        return ZC_E_ITEMSIZE;
    m = zc_dims_normalize(dims, shape, dst_strides, NULL, ndim, &doff, &soff, &empty);
    if (m < 0)
        return m;
    if (empty)
        return 0;
    if (dst == NULL || value == NULL)
        return ZC_E_ARG;
    if (m == 0) {
        memcpy(dst + doff, value, (size_t)itemsize);
        return 1;
    }
    for (k = 0; k < m; k++) {
        total *= dims[k].n;
        idx[k] = 0;
    }
    inner = &dims[m - 1];

    if (inner->ds == itemsize) {
        const size_t block = (size_t)(inner->n * itemsize);
        const int uniform = zc_fill_is_uniform(value, itemsize);
        do {
            zc_fill_block(dst + doff, block, value, (size_t)itemsize, uniform);
        } while (zc_dims_next(idx, dims, m - 1, &doff, &soff));
    } else {
        const zc_strided_fill_fn fn = zc_fill_pick(itemsize);
        do {
            fn(dst + doff, inner->ds, inner->n, value, itemsize);
        } while (zc_dims_next(idx, dims, m - 1, &doff, &soff));
    }
    return total;
}

/* A contiguous run of `nbytes` (whole items) holds only `value` iff its first item is `value`
 * and the run equals itself shifted by one item (it repeats its first item). */
static int zc_fill_block_equal(const char *d, size_t nbytes, const char *value, size_t itemsize)
{
    if (memcmp(d, value, itemsize) != 0)
        return 0;
    return nbytes <= itemsize || memcmp(d, d + itemsize, nbytes - itemsize) == 0;
}

ssize_t zc_fill_equal(const char *src, const ssize_t *src_strides, const ssize_t *shape, int ndim,
                      const char *value, ssize_t itemsize)
{
    zc_dim dims[ZC_MAXDIM];
    ssize_t idx[ZC_MAXDIM];
    ssize_t off, unused;
    const zc_dim *inner;
    int m, k, empty;

    if (itemsize <= 0)
        return ZC_E_ITEMSIZE;
    m = zc_dims_normalize(dims, shape, src_strides, NULL, ndim, &off, &unused, &empty);
    if (m < 0)
        return m;
    if (empty)
        return 1;
    if (src == NULL || value == NULL)
        return ZC_E_ARG;
    if (m == 0)
        return memcmp(src + off, value, (size_t)itemsize) == 0;
    for (k = 0; k < m; k++)
        idx[k] = 0;
    inner = &dims[m - 1];
    if (inner->ds == itemsize) {
        const size_t block = (size_t)(inner->n * itemsize);
        do {
            if (!zc_fill_block_equal(src + off, block, value, (size_t)itemsize))
                return 0;
        } while (zc_dims_next(idx, dims, m - 1, &off, &unused));
    } else {
        do {
            const char *p = src + off;
            ssize_t i;
            for (i = 0; i < inner->n; i++, p += inner->ds)
                if (memcmp(p, value, (size_t)itemsize) != 0)
                    return 0;
        } while (zc_dims_next(idx, dims, m - 1, &off, &unused));
    }
    return 1;
}
