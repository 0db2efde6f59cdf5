/* zc_chunkwrite.h - encode whole chunks of a regular-grid array and store them.
 *
 * The write half of zc_chunkio: for each chunk of a range of a planned selection, take its
 * part of the caller's source box, encode it (none, zstd, blosc) and hand it to a sink: files
 * (a store's LocalFiles, given as data: a temporary file beside the key's, fsync if asked,
 * rename over it) or one buffer the caller stores from (any store).  Chunks the selection
 * covers only in part and edge chunks (the array's shape cuts them: they may hold values past
 * it that another writer stored; both need a read-modify-write under a lock) and chunks
 * holding only the fill value (they are deleted, not written) are left to the caller, which
 * owns those policies: the outcome table says which.
 */
#ifndef ZC_CHUNKWRITE_H
#define ZC_CHUNKWRITE_H

#include "zc_chunkio.h"

/* Where encoded chunks go. */
typedef struct {
    /* files (temp_prefix != NULL): spec->dir + key, written as described above */
    const char *temp_prefix; /* name prefix of in-flight writes, e.g. ".zarrc-tmp-" */
    int fsync;               /* flush each file before its rename */
    /* memory (temp_prefix == NULL): the encoded chunks one after another */
    char *out;
    size_t out_cap;          /* at least (end - begin) * zc_codec_encode_bound */
} zc_sink;

/* Outcomes of one chunk of a write (outcome[2 * (k - begin)], outcome[2 * (k - begin) + 1]):
 * (offset >= 0, size): stored (files: written, offset 0; memory: at out + offset);
 * (ZC_OUT_PARTIAL, 0): covered in part, or an edge chunk, left to the caller's
 *                      read-modify-write;
 * (ZC_OUT_EMPTY, 0): only the fill value (skip_empty), left to the caller to delete. */
#define ZC_OUT_PARTIAL (-1)
#define ZC_OUT_EMPTY (-2)

/* The scratch buffer `dbuf` a chunk of `nbytes` needs with `codec`: the gathered chunk, and
 * for blosc the encoder's block after it. */
size_t zc_chunkwrite_scratch(int codec, size_t nbytes);

/* Write the chunks begin..end-1 of the row-major product of spec->plans, taken from spec->box
 * (the source, read only; every plan row's ZC_PLAN_BOX is its place in the source; a chunk
 * with a ZC_PLAN_INDEXED row is covered in part, whatever its list says).  A chunk
 * covered whole and inside the array is encoded with `enc` and stored in the sink; see the
 * outcomes above for the others (edge chunks are ZC_OUT_PARTIAL).  `dbuf` has
 * zc_chunkwrite_scratch bytes (of the chunk's prod(chunk_shape) * itemsize) and `cbuf`
 * zc_codec_encode_bound bytes (files sink).  Stops at the first chunk it cannot store
 * (status->index: ZC_E_DATA (encoder failure), ZC_E_IO (status->err) or ZC_E_PATH); a failed
 * chunk leaves no temporary file and the old value in place.  Returns end - begin, or
 * ZC_E_ARG / ZC_E_NDIM / ZC_E_ITEMSIZE for a bad spec.  No allocation but the encoders'. */
ssize_t zc_chunkwrite(const zc_chunkio_spec *spec, const zc_encode_params *enc,
                      const zc_sink *sink, int skip_empty, zc_chunkio_ctx *ctx, char *dbuf,
                      size_t dbuf_size, char *cbuf, size_t cbuf_size, int64_t begin, int64_t end,
                      int64_t *outcome, zc_chunkio_status *status);

/* Encode n whole chunks taken from the source box spec->box (shape spec->box_shape) one after
 * another into `out` (a shard's inner chunks).  Chunk k's first item is at box position
 * origins[k * ndim ...]; the chunk must lie inside the box.  placed[2k], placed[2k + 1] get its
 * offset in out and its size, or -1, -1 when it holds only spec->fill (it is left out).  `dbuf`
 * has zc_chunkwrite_scratch bytes; out_cap must be at least n * zc_codec_encode_bound.
 * Returns the bytes used, ZC_E_DATA (status->index: an encoder failed) or ZC_E_ARG /
 * ZC_E_NDIM / ZC_E_ITEMSIZE. */
ssize_t zc_encode_chunks(const zc_chunkio_spec *spec, const zc_encode_params *enc,
                         zc_chunkio_ctx *ctx, const int64_t *origins, int64_t n, char *dbuf,
                         size_t dbuf_size, char *out, size_t out_cap, int64_t *placed,
                         zc_chunkio_status *status);

#endif /* ZC_CHUNKWRITE_H */
