/* zc_strided.h - internal helpers for the N-d strided kernels (zc_copy, zc_fill).
 *
 * A strided region is (base pointer, shape, byte strides).  Before a kernel walks it, the
 * dimensions are normalised so that the innermost loop is as long and as contiguous as possible:
 *   1. extent-1 dimensions are dropped (their stride never matters);
 *   2. dimensions with a negative destination stride are flipped on both sides (the copy is
 *      element-wise, so visiting an axis backwards on both sides gives the same result);
 *   3. dimensions are ordered by destination stride, largest first (writes go forward);
 *   4. neighbours that are contiguous with each other on both sides are merged into one.
 * Positions are tracked as integer byte offsets from the base, never as out-of-range pointers.
 * Header-only (static inline); not part of the public C API.
 */
#ifndef ZC_STRIDED_H
#define ZC_STRIDED_H

#include "zc_common.h"

typedef struct {
    ssize_t n;  /* extent */
    ssize_t ds; /* destination byte stride */
    ssize_t ss; /* source byte stride (0 when there is no source) */
} zc_dim;

/* Normalise (shape, dst_strides, src_strides) into dims[], moving *dst_off / *src_off (byte offsets
 * from the callers' base pointers) to the first visited item.  src_strides may be NULL (fill).
 * Returns the number of dims left (0 = a single item), ZC_E_* on bad input, and sets *empty when
 * some extent is 0 (nothing to do). */
static inline int zc_dims_normalize(zc_dim *dims, const ssize_t *shape, const ssize_t *dst_strides,
                                    const ssize_t *src_strides, int ndim, ssize_t *dst_off,
                                    ssize_t *src_off, int *empty)
{
    int i, j, m = 0;
    *dst_off = 0;
    *src_off = 0;
    *empty = 0;
    if (ndim < 0 || ndim > ZC_MAXDIM)
        return ZC_E_NDIM;
    if (ndim > 0 && (shape == NULL || dst_strides == NULL))
        return ZC_E_ARG;
    for (i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return ZC_E_ARG;
        if (shape[i] == 0)
            *empty = 1;
    }
    if (*empty)
        return 0;
    for (i = 0; i < ndim; i++) {
        zc_dim d;
        if (shape[i] == 1)
            continue;
        d.n = shape[i];
        d.ds = dst_strides[i];
        d.ss = src_strides ? src_strides[i] : 0;
        if (d.ds < 0) {
            *dst_off += (d.n - 1) * d.ds;
            *src_off += (d.n - 1) * d.ss;
            d.ds = -d.ds;
            d.ss = -d.ss;
        }
        /* insertion sort: destination stride descending; on ties the smaller |src stride| inner */
        for (j = m; j > 0; j--) {
            const zc_dim *p = &dims[j - 1];
            ssize_t pa = p->ss < 0 ? -p->ss : p->ss, da = d.ss < 0 ? -d.ss : d.ss;
            if (p->ds > d.ds || (p->ds == d.ds && pa >= da))
                break;
            dims[j] = dims[j - 1];
        }
        dims[j] = d;
        m++;
    }
    /* merge an outer dim into the next inner one when both sides are contiguous across them */
    j = 0;
    for (i = 0; i < m; i++) {
        if (j > 0 && dims[j - 1].ds == dims[i].n * dims[i].ds &&
            dims[j - 1].ss == dims[i].n * dims[i].ss) {
            dims[j - 1].ds = dims[i].ds;
            dims[j - 1].ss = dims[i].ss;
            dims[j - 1].n *= dims[i].n;
        } else {
            dims[j++] = dims[i];
        }
    }
    return j;
}

/* Advance the index counter idx[0..m-1] over dims[0..m-1] (last fastest), updating both offsets.
 * Returns 0 once every index has wrapped around (iteration finished). */
static inline int zc_dims_next(ssize_t *idx, const zc_dim *dims, int m, ssize_t *dst_off,
                               ssize_t *src_off)
{
    int d;
    for (d = m - 1; d >= 0; d--) {
        *dst_off += dims[d].ds;
        *src_off += dims[d].ss;
        if (++idx[d] < dims[d].n)
            return 1;
        *dst_off -= dims[d].ds * dims[d].n;
        *src_off -= dims[d].ss * dims[d].n;
        idx[d] = 0;
    }
    return 0;
}

#endif /* ZC_STRIDED_H */
