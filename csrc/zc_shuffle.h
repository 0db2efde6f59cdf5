/* zc_shuffle.h - byte shuffle / unshuffle (numcodecs Shuffle, blosc byte-shuffle layout). */
#ifndef ZC_SHUFFLE_H
#define ZC_SHUFFLE_H

#include "zc_common.h"

/* Shuffle nbytes of src into dst: with n = nbytes / elementsize whole elements, byte j of element
 * i goes to dst[j * n + i]; the nbytes % elementsize trailing bytes are copied unchanged.
 * elementsize 1 is a plain copy.  src and dst must not overlap.
 * Returns nbytes, or ZC_E_ARG / ZC_E_ITEMSIZE / ZC_E_OVERLAP. */
ssize_t zc_shuffle_encode(const char *src, char *dst, ssize_t nbytes, ssize_t elementsize);

/* Inverse of zc_shuffle_encode: dst[i * elementsize + j] = src[j * n + i]. */
ssize_t zc_shuffle_decode(const char *src, char *dst, ssize_t nbytes, ssize_t elementsize);

#endif /* ZC_SHUFFLE_H */
