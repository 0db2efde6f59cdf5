/* zc_blosc.h - decode the common blosc1 chunks straight into the rows of their destination.
 *
 * libblosc decodes a chunk into one contiguous buffer; a chunk that is a tile of a wider array
 * must then be copied row by row.  For the variants most data uses (format version 2, the lz4
 * inner compressor, byte shuffle or none, blocks of whole rows) this decoder reads each block's
 * streams into a scratch buffer and un-shuffles them straight into the destination rows, with
 * no second pass.  Other variants are left to libblosc.
 */
#ifndef ZC_BLOSC_H
#define ZC_BLOSC_H

#include "zc_common.h"

#define ZC_BLOSC_OTHER 1 /* a variant this code does not handle: leave it to libblosc */

/* The blosc1 format (c-blosc README_HEADER) */
#define ZC_BLOSC_HEADER 16       /* version, versionlz, flags, typesize, nbytes, blocksize, cbytes */
#define ZC_BLOSC_MAX_SPLITS 16   /* items this wide or wider are never split into streams */
#define ZC_BLOSC_MIN_SPLIT 128   /* nor are blocks of fewer items */
#define ZC_BLOSC_LZ4 1           /* the lz4 code in bits 5-7 of the flags */
#define ZC_BLOSC_LZ4_VERSION 1   /* the lz4 format version byte blosc writes */
#define ZC_BLOSC_F_SHUFFLE 0x01  /* byte shuffle */
#define ZC_BLOSC_F_MEMCPYED 0x02 /* the data follows the header uncompressed */
#define ZC_BLOSC_F_BITSHUFFLE 0x04
#define ZC_BLOSC_F_DONT_SPLIT 0x10

/* Decode the blosc1 chunk src (n bytes, which must hold exactly nbytes when decoded) into
 * nrows rows of rowbytes bytes each: decoded byte i goes to rows[i / rowbytes][i % rowbytes].
 * `tmp` (tmp_size bytes) holds one block.  Returns ZC_OK, or ZC_BLOSC_OTHER for anything it
 * does not decode, another variant or a damaged chunk (rows may then be partly written):
 * libblosc, which decides what is corrupt, decodes that.  No allocation, no globals. */
int zc_blosc_decode_rows(const char *src, size_t n, size_t nbytes, char *const *rows,
                         int64_t nrows, size_t rowbytes, char *tmp, size_t tmp_size);

#endif /* ZC_BLOSC_H */
