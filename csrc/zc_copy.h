/* zc_copy.h - N-d strided region copy. */
#ifndef ZC_COPY_H
#define ZC_COPY_H

#include "zc_common.h"

/* Copy the strided region `src` into the strided region `dst`; both have extents shape[0..ndim-1]
 * and items of `itemsize` bytes (any size >= 1, treated as opaque bytes).  Strides are in bytes
 * and may be negative or zero (a zero source stride broadcasts).  ndim == 0 copies one item.
 * The regions must not overlap, and dst should not overlap itself (with zero or aliasing
 * destination strides the item that lands last is unspecified).
 * Returns the number of items copied, or ZC_E_ARG / ZC_E_NDIM / ZC_E_ITEMSIZE. */
ssize_t zc_copy_region(const char *src, const ssize_t *src_strides, char *dst,
                       const ssize_t *dst_strides, const ssize_t *shape, int ndim,
                       ssize_t itemsize);

#endif /* ZC_COPY_H */
