/* zc_bloscenc.h - encode blosc1 chunks (lz4, byte shuffle or none) straight from source rows.
 *
 * libblosc compresses one contiguous buffer, so a chunk that is a tile of a wider array must
 * first be gathered into one.  This encoder takes the chunk as rows where they lie in the
 * source and shuffles each block straight from them into a scratch block, then compresses its
 * streams with liblz4: the gather pass goes away.  It makes c-blosc 1.21's decisions (block
 * size, splitting, lz4 acceleration, when a stream or the whole buffer is stored raw), so its
 * output is c-blosc's byte for byte; variants it does not make are left to libblosc.
 */
#ifndef ZC_BLOSCENC_H
#define ZC_BLOSCENC_H

#include "zc_common.h"

/* The largest block c-blosc 1.21 chooses by itself (a split block of up to 256 KiB streams is
 * capped at 1 MiB). */
#define ZC_BLOSC_MAX_AUTO_BLOCK (1024 * 1024)

/* 1 if zc_blosc_encode_rows writes these settings (inner compressor `cname`, clevel, shuffle
 * 0 none / 1 byte / 2 bit, forced blocksize or 0 for c-blosc's choice), else 0. */
int zc_blosc_encode_handles(const char *cname, int clevel, int shuffle, size_t blocksize);

/* The bytes of scratch `tmp` that zc_blosc_encode_rows needs for a chunk of nbytes. */
size_t zc_blosc_encode_scratch(size_t nbytes);

/* Encode the chunk held in nrows rows of rowbytes bytes (its byte i is
 * rows[i / rowbytes][i % rowbytes]) as blosc_compress_ctx(clevel, shuffle, typesize, nbytes,
 * src, dst, nbytes + 16, "lz4", 0, 1) would, with src the rows joined.  rowbytes must be a
 * multiple of typesize unless nrows is 1; typesize is 1 to 255.  dst has cap bytes, at least
 * nbytes + 16; tmp (tmp_size bytes, zc_blosc_encode_scratch at least) must not overlap the rows.
 * Returns the encoded size, ZC_E_ARG, or ZC_E_DATA if liblz4 fails.  No allocation. */
ssize_t zc_blosc_encode_rows(const char *const *rows, int64_t nrows, size_t rowbytes,
                             int clevel, int shuffle, size_t typesize, char *dst, size_t cap,
                             char *tmp, size_t tmp_size);

#endif /* ZC_BLOSCENC_H */
