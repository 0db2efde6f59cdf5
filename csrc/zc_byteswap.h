/* zc_byteswap.h - reverse the byte order of fixed-size units. */
#ifndef ZC_BYTESWAP_H
#define ZC_BYTESWAP_H

#include "zc_common.h"

/* Reverse the bytes of each `unit`-byte unit of the contiguous buffer src (nbytes long) into dst.
 * `unit` is the swap unit, not always the itemsize: complex types swap each component, so
 * complex64 uses 4 and complex128 uses 8; 16 reverses all 16 bytes.  Any unit >= 1 works
 * (1, 2, 4, 8, 16 are fast paths).  src == dst swaps in place; partial overlap is not allowed.
 * Returns the number of units, or ZC_E_ARG / ZC_E_ITEMSIZE / ZC_E_SIZE (nbytes % unit != 0). */
ssize_t zc_byteswap_copy(const char *src, char *dst, ssize_t nbytes, ssize_t unit);

/* In-place form of zc_byteswap_copy. */
ssize_t zc_byteswap_inplace(char *buf, ssize_t nbytes, ssize_t unit);

#endif /* ZC_BYTESWAP_H */
