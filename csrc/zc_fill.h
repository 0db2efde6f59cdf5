/* zc_fill.h - fill an N-d strided region with one item. */
#ifndef ZC_FILL_H
#define ZC_FILL_H

#include "zc_common.h"

/* Write the `itemsize` bytes at `value` into every item of the strided region dst (extents
 * shape[0..ndim-1], byte strides dst_strides, negative allowed).  ndim == 0 fills one item.
 * `value` must not point into the region.
 * Returns the number of items written, or ZC_E_ARG / ZC_E_NDIM / ZC_E_ITEMSIZE. */
ssize_t zc_fill_region(char *dst, const ssize_t *dst_strides, const ssize_t *shape, int ndim,
                       const char *value, ssize_t itemsize);

/* Whether every item of the strided region src (extents shape, byte strides src_strides) has
 * exactly the `itemsize` bytes at `value`: returns 1 if so (also for an empty region), 0 if
 * not (stopping at the first difference), or ZC_E_ARG / ZC_E_NDIM / ZC_E_ITEMSIZE.
 * Bitwise: a NaN fill matches the same NaN bits, and -0.0 does not match 0.0. */
ssize_t zc_fill_equal(const char *src, const ssize_t *src_strides, const ssize_t *shape, int ndim,
                      const char *value, ssize_t itemsize);

#endif /* ZC_FILL_H */
