/* zc_delta.h - delta encoding of numeric items (numcodecs Delta layout, same dtype). */
#ifndef ZC_DELTA_H
#define ZC_DELTA_H

#include "zc_common.h"

/* dst[0] = src[0], dst[i] = src[i] - src[i-1] over n native-endian items of `itemsize` bytes.
 * kind ZC_KIND_INT / ZC_KIND_UINT (itemsize 1, 2, 4, 8; wrapping arithmetic, so both give the
 * same bytes) or ZC_KIND_FLOAT (itemsize 4, 8; IEEE arithmetic in that precision, as NumPy's
 * np.diff).  src == dst works in place; partial overlap does not.
 * Returns n, or ZC_E_ARG / ZC_E_ITEMSIZE / ZC_E_DTYPE. */
ssize_t zc_delta_encode(const char *src, char *dst, ssize_t n, ssize_t itemsize, int kind);

/* Inverse of zc_delta_encode, a running sum: dst[0] = src[0], dst[i] = dst[i-1] + src[i]
 * (NumPy's np.cumsum in the same dtype, summed left to right). */
ssize_t zc_delta_decode(const char *src, char *dst, ssize_t n, ssize_t itemsize, int kind);

#endif /* ZC_DELTA_H */
