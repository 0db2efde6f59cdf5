/* zc_codec.h - the compression codecs of the native chunk loops, one coding context per thread.
 *
 * The codec of a chunk is the one bytes->bytes codec after the raw serializer (ZC_CODEC_*).
 * Decoders turn src (n bytes) into dst, which they must fill exactly (dn bytes), with the
 * checks zarrc.codecs makes; encoders (none, zstd, blosc) write what zarrc's Python codecs
 * write for the same settings.  Each codec is compiled in when its library was found at build
 * time (ZC_HAVE_ZSTD, ZC_HAVE_BLOSC, ZC_HAVE_LZ4, ZC_HAVE_DEFLATE): zc_codec_available says
 * which, zc_codec_version with which library.  blosc is decoded by libblosc, except whole
 * tiles of a wider output in the common variants (zc_blosc.h), and encoded by libblosc, except
 * the common lz4 settings (zc_bloscenc.h): one implementation per variant.
 */
#ifndef ZC_CODEC_H
#define ZC_CODEC_H

#include "zc_common.h"

/* codec kinds: the one bytes->bytes codec after the raw serializer */
#define ZC_CODEC_NONE 0
#define ZC_CODEC_ZSTD 1
#define ZC_CODEC_BLOSC 2
#define ZC_CODEC_LZ4 3 /* numcodecs framing: uint32 LE decoded size + one LZ4 block */
#define ZC_CODEC_GZIP 4
#define ZC_CODEC_ZLIB 5
#define ZC_CODEC_COUNT 6

/* How an encoder encodes (the fields of the chosen codec matter). */
typedef struct {
    int level;         /* zstd level (0: library default) or blosc clevel */
    int checksum;      /* zstd: write the content checksum */
    int shuffle;       /* blosc: 0 none, 1 byte, 2 bit */
    int typesize;      /* blosc: item size for the shuffle (> 255 is treated as 1) */
    size_t blocksize;  /* blosc: 0 automatic */
    const char *cname; /* blosc: inner compressor */
} zc_encode_params;

/* Coding state of one thread (zstd contexts, a libdeflate decompressor, the counter behind
 * temporary file names); opaque. */
typedef struct zc_chunkio_ctx zc_chunkio_ctx;

/* A new context, or NULL when out of memory.  One thread uses it at a time. */
zc_chunkio_ctx *zc_chunkio_ctx_create(void);
/* Release a context (NULL is fine). */
void zc_chunkio_ctx_free(zc_chunkio_ctx *ctx);

/* 1 if this build decodes `codec` (its library was found at build time), else 0. */
int zc_codec_available(int codec);
/* 1 if this build encodes `codec` (none, zstd, blosc), else 0. */
int zc_codec_encodes(int codec);
/* The version of the library behind `codec`: its header's when zarrc was built (`built` 1) or
 * the loaded library's (`built` 0; NULL when the library cannot tell, as libdeflate); "" for
 * none, NULL when not built.  Static. */
const char *zc_codec_version(int codec, int built);
/* The file of the shared library behind `codec` that this process loaded for the extension
 * (the library's own symbol, found by dladdr: right even when another package loaded a copy of
 * the same library), or NULL: not built, linked statically, or no dladdr (Windows). */
const char *zc_codec_library_file(int codec);
/* 1 if libblosc can (de)compress with the inner compressor `cname`, else 0. */
int zc_codec_blosc_has(const char *cname);

/* Decode src (n bytes) with `codec` into dst, which it must fill exactly (dn bytes):
 * ZC_OK, ZC_E_DATA (corrupt), ZC_E_SIZE (beyond a library's size limits) or ZC_E_ARG (a codec
 * not in this build).  Only dst[0 .. need) is wanted: a decoder that can stop early may leave
 * the rest unwritten (need >= dn: the whole chunk). */
int zc_codec_decode(zc_chunkio_ctx *ctx, int codec, const char *src, size_t n, char *dst,
                    size_t dn, size_t need);

/* The destination size an encoder needs for `nbytes` of input (none, zstd, blosc). */
size_t zc_codec_encode_bound(int codec, size_t nbytes);
/* The scratch an encoder needs for `nbytes` of input (blosc's block; 0 for the others). */
size_t zc_codec_encode_scratch(int codec, size_t nbytes);

/* Encode src (n bytes, contiguous) with `codec` into dst (cap bytes, at least
 * zc_codec_encode_bound); `tmp` (tmp_size bytes, zc_codec_encode_scratch at least, not
 * overlapping src) is scratch.  Returns the encoded size, ZC_E_DATA (an encoder failed) or
 * ZC_E_ARG (bad settings, or a codec this build does not encode). */
ssize_t zc_codec_encode(zc_chunkio_ctx *ctx, int codec, const zc_encode_params *p,
                        const char *src, size_t n, char *dst, size_t cap, char *tmp,
                        size_t tmp_size);

/* The same for a chunk given as nrows rows of rowbytes bytes each (its byte i is
 * rows[i / rowbytes][i % rowbytes]), encoded straight from them when the codec can (blosc
 * with the settings zc_bloscenc writes, rows a whole number of items): the encoded size, 0
 * when it cannot (gather the rows and call zc_codec_encode), or ZC_E_DATA. */
ssize_t zc_codec_encode_rows(int codec, const zc_encode_params *p, const char *const *rows,
                             int64_t nrows, size_t rowbytes, char *dst, size_t cap, char *tmp,
                             size_t tmp_size);

#endif /* ZC_CODEC_H */
