/* zc_chunkio.h - read a planned selection of a regular-grid array from chunk files or memory.
 *
 * The whole chunk loop in C: for each chunk of a range of the selection, take its stored bytes
 * (from a file named by its key below a directory: open / fstat / read / close; or from a
 * buffer the caller fetched from any store), decompress them (none, zstd, blosc, numcodecs lz4,
 * gzip, zlib) and copy the chunk's strided part into the caller's output box; a missing chunk
 * fills that part with the fill value.  The caller passes every buffer and one decompression
 * context per thread, so several threads can run disjoint ranges of one read at once (the GIL
 * released).  The file source needs POSIX file calls.  Each codec needs its library at build
 * time (libzstd, libblosc 1.x, liblz4, libdeflate): ZC_HAVE_ZSTD, ZC_HAVE_BLOSC, ZC_HAVE_LZ4
 * and ZC_HAVE_DEFLATE say which were found; zc_codec_available tells at run time.
 */
#ifndef ZC_CHUNKIO_H
#define ZC_CHUNKIO_H

#include "zc_codec.h"


#define ZC_CHUNKIO_PATH_MAX 4096

/* chunk key encodings */
#define ZC_KEY_DEFAULT 0 /* v3 "default": "c" sep i sep j ...; "c" for 0-d */
#define ZC_KEY_V2 1      /* "v2": i sep j ...; "0" for 0-d */

/* columns of one plan row */
#define ZC_PLAN_CHUNK 0 /* chunk index along the dimension */
#define ZC_PLAN_START 1 /* first chunk-local position */
#define ZC_PLAN_STEP 2  /* chunk-local step (may be negative) */
#define ZC_PLAN_COUNT 3 /* number of positions (>= 1) */
#define ZC_PLAN_BOX 4   /* first position along the box dimension */
#define ZC_PLAN_COLS 5
/* A row whose STEP is ZC_PLAN_INDEXED lists its positions instead: rows START .. START+COUNT-1
 * of spec->lists[d], each (chunk-local position, box position), in any order (reads only). */
#define ZC_PLAN_INDEXED 0

/* One read: the array, its coding, the selection's per-dimension plans and the output box. */
typedef struct {
    const char *dir;          /* directory holding the array's chunk keys, ending in '/'
                                 (files only) */
    int key_encoding;         /* ZC_KEY_* */
    char separator;           /* '/' or '.' */
    int ndim;                 /* 0..ZC_MAXDIM */
    const int64_t *chunk_shape;
    const int64_t *array_shape;
    ssize_t itemsize;
    int codec;                /* ZC_CODEC_* */
    int order_f;              /* 1: chunks are stored in Fortran order (zarr v2 order "F") */
    const int64_t *const *plans; /* plans[d]: plan_len[d] rows of ZC_PLAN_COLS int64 */
    const int64_t *plan_len;
    const int64_t *const *lists; /* NULL, or lists[d]: NULL or list_len[d] rows of 2 int64 for
                                    the dimension's ZC_PLAN_INDEXED rows */
    const int64_t *list_len;
    char *box;                /* output box: ndim dims, one per array dim (int dims of length 1) */
    const ssize_t *box_shape; /* extents of the box (every plan row must land inside) */
    const ssize_t *box_strides; /* byte strides of the box */
    const char *fill;         /* itemsize bytes written where a chunk file is missing */
    int64_t *stats;           /* NULL, or 2 int64 per entry of a loop's range (k - begin), set
                                 as each is done (telemetry): its stored bytes (-1: missing;
                                 writes: the encoded bytes, 0 when left to the caller) and the
                                 nanoseconds it took (CLOCK_MONOTONIC) */
} zc_chunkio_spec;

/* Where a read stopped. */
typedef struct {
    int64_t index; /* flattened index of the failing chunk, -1 when none failed */
    int64_t need;  /* ZC_E_BUFSIZE: the size the read buffer must have */
    int err;       /* ZC_E_IO: errno of the failed call */
} zc_chunkio_status;

/* Read the chunks begin..end-1 of the row-major product of the plans (last dim fastest) into the
 * box.  `rbuf` (rbuf_size bytes) receives compressed files; `dbuf` (at least one decoded chunk:
 * prod(chunk_shape) * itemsize bytes) receives decoded chunks.  A chunk that the selection
 * covers whole, that is not an edge chunk and whose place in the box has the chunk's own
 * contiguous layout is decoded straight into the box.  Decoded sizes must match exactly.
 * Stops at the first failure: returns ZC_E_DATA (corrupt chunk), ZC_E_BUFSIZE, ZC_E_IO or
 * ZC_E_PATH with status->index set, or ZC_E_ARG / ZC_E_NDIM / ZC_E_ITEMSIZE for a bad spec.
 * Returns the number of chunks read (end - begin) on success.  No allocation, no globals. */
ssize_t zc_chunkio_read(const zc_chunkio_spec *spec, zc_chunkio_ctx *ctx, char *rbuf,
                        size_t rbuf_size, char *dbuf, size_t dbuf_size, int64_t begin,
                        int64_t end, zc_chunkio_status *status);

/* The same loop over chunks the caller holds in memory (fetched from any store, or the inner
 * chunks of a shard): entry k of the plans' product (k = begin..end-1) is the sizes[k - begin]
 * bytes at bufs[k - begin], or missing (filled with spec->fill) when bufs[k - begin] is NULL.
 * spec->dir, key_encoding and separator are not used.  Returns end - begin, or ZC_E_DATA with
 * status->index set (a corrupt chunk), or ZC_E_ARG / ZC_E_NDIM / ZC_E_ITEMSIZE for a bad spec.
 * No allocation, no globals. */
ssize_t zc_chunkio_decode_bufs(const zc_chunkio_spec *spec, zc_chunkio_ctx *ctx,
                               const char *const *bufs, const size_t *sizes, char *dbuf,
                               size_t dbuf_size, int64_t begin, int64_t end,
                               zc_chunkio_status *status);

/* Read byte ranges of the open file `fd`, one after another, into buf (cap bytes): range i is
 * [ranges[2i], ranges[2i + 1]), a negative start counting from the file's end and a negative
 * stop meaning the end (a shard's index, or the whole file: 0, -1).  Every range is checked
 * against the file's size (*size) before anything is read.  Returns ZC_OK (*total bytes
 * read), ZC_E_DATA when a range is not inside the file (or it shrank meanwhile),
 * ZC_E_BUFSIZE when cap is short (*total: the bytes needed, at most the file's size) or
 * ZC_E_IO (*err).  The caller opens and closes fd.  No allocation. */
int zc_chunkio_read_ranges(int fd, int64_t n, const int64_t *ranges, char *buf, size_t cap,
                           int64_t *total, int64_t *size, int *err);

#endif /* ZC_CHUNKIO_H */
