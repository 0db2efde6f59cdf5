/* zc_common.h - shared definitions of the zarrc C kernels.
 *
 * Every kernel is pure C99 and state-free: no Python.h, no allocation, no globals.  The caller
 * owns every buffer and passes `dst`.  Functions return ssize_t (or int): >= 0 on success
 * (usually the number of items or bytes processed) and a negative ZC_E_* code on failure.
 */
#ifndef ZC_COMMON_H
#define ZC_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(_MSC_VER)
#include <BaseTsd.h>
typedef SSIZE_T ssize_t;
#else
#include <sys/types.h>
#endif

#define ZC_OK 0
#define ZC_E_ARG (-1)      /* invalid argument: NULL pointer, negative length or extent */
#define ZC_E_NDIM (-2)     /* more than ZC_MAXDIM dimensions */
#define ZC_E_ITEMSIZE (-3) /* item / element size is zero, negative or unsupported */
#define ZC_E_SIZE (-4)     /* buffer length is not compatible (not a whole number of items) */
#define ZC_E_DTYPE (-5)    /* data kind not supported by this kernel */
#define ZC_E_OVERLAP (-6)  /* source and destination overlap where the kernel forbids it */
#define ZC_E_DATA (-7)     /* input data is corrupt (decoders) */
/* chunk I/O (zc_chunkio) */
#define ZC_E_BUFSIZE (-20) /* a chunk file is larger than the read buffer; status->need says how big */
#define ZC_E_IO (-21)      /* open / fstat / read failed (not a missing file); status->err = errno */
#define ZC_E_PATH (-22)    /* a chunk's path does not fit in ZC_CHUNKIO_PATH_MAX bytes */
#define ZC_E_PARTIAL (-23) /* a write covers this chunk only in part: the caller merges it */
#define ZC_E_EMPTY (-24)   /* a written chunk holds only the fill value: the caller deletes it */

/* Kinds of numeric items, for kernels whose arithmetic depends on more than the itemsize. */
#define ZC_KIND_INT 0   /* two's complement signed integer */
#define ZC_KIND_UINT 1  /* unsigned integer */
#define ZC_KIND_FLOAT 2 /* IEEE 754 binary32 / binary64 */

/* Largest number of dimensions a strided kernel accepts (NumPy 2 allows 64). */
#define ZC_MAXDIM 64

#endif /* ZC_COMMON_H */
