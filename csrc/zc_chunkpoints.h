/* zc_chunkpoints.h - gather independent points (a coordinate selection) from chunk files or
 * from chunks the caller fetched.
 *
 * The points come grouped by chunk: each chunk is read and decoded once, into the caller's
 * chunk buffer, and its points are copied to their places in a flat output.
 */
#ifndef ZC_CHUNKPOINTS_H
#define ZC_CHUNKPOINTS_H

#include "zc_chunkio.h"

/* The points of one read, grouped by chunk. */
typedef struct {
    int64_t ngroups;
    const int64_t *coords; /* ngroups x ndim chunk grid coordinates */
    const int64_t *bounds; /* ngroups + 1 offsets: group g's points are bounds[g]..bounds[g+1]-1 */
    const int64_t *items;  /* per point: its item index in the decoded chunk (stored order) */
    const int64_t *positions; /* per point: its index in out */
    char *out;             /* the flat output: out_len items of spec->itemsize bytes */
    int64_t out_len;
} zc_points;

/* Read groups begin..end-1 (spec: dir, key_encoding, separator, ndim, chunk_shape,
 * array_shape, itemsize, codec, order_f and fill; its plans and box are not used).  `rbuf`
 * receives compressed files, `dbuf` (one decoded chunk) the decoded chunk; the points of a
 * missing chunk get spec->fill.  Checks every group and point of the range first (coordinates
 * inside the grid, items inside the chunk, positions inside out): ZC_E_ARG if one is not.
 * Otherwise as zc_chunkio_read: returns end - begin, or stops at the first failing group with
 * ZC_E_DATA, ZC_E_BUFSIZE (status->need), ZC_E_IO (status->err) or ZC_E_PATH and
 * status->index = the group.  No allocation, no globals. */
ssize_t zc_chunkio_read_points(const zc_chunkio_spec *spec, const zc_points *points,
                               zc_chunkio_ctx *ctx, char *rbuf, size_t rbuf_size, char *dbuf,
                               size_t dbuf_size, int64_t begin, int64_t end,
                               zc_chunkio_status *status);

/* The same over chunks the caller holds: group g's chunk is the sizes[g - begin] bytes at
 * bufs[g - begin], or missing (its points get spec->fill) when that is NULL.  spec->dir,
 * key_encoding and separator are not used.  Returns end - begin, or stops at the first
 * failing group with ZC_E_DATA and status->index = the group. */
ssize_t zc_chunkio_points_bufs(const zc_chunkio_spec *spec, const zc_points *points,
                               zc_chunkio_ctx *ctx, const char *const *bufs,
                               const size_t *sizes, char *dbuf, size_t dbuf_size, int64_t begin,
                               int64_t end, zc_chunkio_status *status);

#endif /* ZC_CHUNKPOINTS_H */
