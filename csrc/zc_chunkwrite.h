/* zc_chunkwrite.h - write whole chunks of a regular-grid array to chunk files.
 *
 * The write half of zc_chunkio: for each chunk of a range of a planned selection, take its
 * part of the caller's source box, encode it (none, zstd, blosc) and store it atomically under
 * its key: a temporary file beside it, then rename.  Chunks the selection covers only in part
 * (they need a read-modify-write under a lock) and chunks holding only the fill value (they are
 * deleted, not written) are handed back to the caller, which owns those policies.
 */
#ifndef ZC_CHUNKWRITE_H
#define ZC_CHUNKWRITE_H

#include "zc_chunkio.h"

/* How the bytes->bytes codec encodes (the fields of the chosen codec matter). */
typedef struct {
    int level;        /* zstd level (0: library default) or blosc clevel */
    int checksum;     /* zstd: write the content checksum */
    int shuffle;      /* blosc: 0 none, 1 byte, 2 bit */
    int typesize;     /* blosc: item size for the shuffle (> 255 is treated as 1) */
    size_t blocksize; /* blosc: 0 automatic */
    const char *cname; /* blosc: inner compressor */
} zc_encode_params;

/* The encode buffer a chunk of `nbytes` needs with `codec` (ZC_CODEC_NONE, ZSTD or BLOSC). */
size_t zc_chunkwrite_bound(int codec, size_t nbytes);

/* The scratch buffer `dbuf` a chunk of `nbytes` needs with `codec`: the gathered chunk, and
 * for blosc the encoder's block after it. */
size_t zc_chunkwrite_scratch(int codec, size_t nbytes);

/* Write the chunks begin..end-1 of the row-major product of spec->plans, taken from spec->box
 * (the source, read only; every plan row's ZC_PLAN_BOX is its place in the source).
 * Each chunk must be covered whole (inside the array: an edge chunk is padded with spec->fill)
 * or the loop stops with ZC_E_PARTIAL; with skip_empty, a chunk whose covered part is all
 * spec->fill stops it with ZC_E_EMPTY.  `dbuf` has zc_chunkwrite_scratch bytes (of the chunk's
 * prod(chunk_shape) * itemsize) and `cbuf` zc_chunkwrite_bound bytes.  Directories are created as needed; with do_fsync each
 * file is flushed before its rename.  Stops at the first chunk it cannot write (status->index:
 * ZC_E_PARTIAL, ZC_E_EMPTY, ZC_E_DATA (encoder failure), ZC_E_IO (status->err) or ZC_E_PATH);
 * a failed chunk leaves no temporary file and the old value in place.  Returns end - begin,
 * or ZC_E_ARG / ZC_E_NDIM / ZC_E_ITEMSIZE for a bad spec.  No allocation but the encoders'. */
ssize_t zc_chunkwrite(const zc_chunkio_spec *spec, const zc_encode_params *enc, int skip_empty,
                      int do_fsync, zc_chunkio_ctx *ctx, char *dbuf, size_t dbuf_size, char *cbuf,
                      size_t cbuf_size, int64_t begin, int64_t end, zc_chunkio_status *status);

/* Encode n whole chunks taken from the source box spec->box (shape spec->box_shape) one after
 * another into `out` (a shard's inner chunks).  Chunk k's first item is at box position
 * origins[k * ndim ...]; the chunk must lie inside the box.  placed[2k], placed[2k + 1] get its
 * offset in out and its size, or -1, -1 when it holds only spec->fill (it is left out).  `dbuf`
 * has zc_chunkwrite_scratch bytes; out_cap must be at least n * zc_chunkwrite_bound.  Returns the bytes used,
 * ZC_E_DATA (status->index: an encoder failed) or ZC_E_ARG / ZC_E_NDIM / ZC_E_ITEMSIZE. */
ssize_t zc_encode_chunks(const zc_chunkio_spec *spec, const zc_encode_params *enc,
                         zc_chunkio_ctx *ctx, const int64_t *origins, int64_t n, char *dbuf,
                         size_t dbuf_size, char *out, size_t out_cap, int64_t *placed,
                         zc_chunkio_status *status);

#endif /* ZC_CHUNKWRITE_H */
