/* zc_codec.c - the coding contexts, decoders and encoders of the chunk loops (see zc_codec.h).
 *
 * A context holds one thread's zstd contexts (decoding and encoding), its libdeflate
 * decompressor and the counter behind temporary file names.  Each codec is compiled in when
 * its library was found (ZC_HAVE_*); a codec that is not is ZC_E_ARG here, and
 * zc_codec_available lets callers decide before they plan anything.
 */
#define _POSIX_C_SOURCE 200809L
#define _GNU_SOURCE /* dladdr */

#include "zc_chunkio_impl.h"
#include "zc_blosc.h"
#include "zc_bloscenc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef _WIN32
#include <dlfcn.h>
#include <unistd.h>
#endif

#ifdef ZC_HAVE_BLOSC
#include <blosc.h>
#endif
#ifdef ZC_HAVE_LZ4
#include <lz4.h>
#endif

#define ZC_STR_(x) #x
#define ZC_STR(x) ZC_STR_(x)

int zc_codec_available(int codec)
{
    switch (codec) {
    case ZC_CODEC_NONE: return 1;
#ifdef ZC_HAVE_ZSTD
    case ZC_CODEC_ZSTD: return 1;
#endif
#ifdef ZC_HAVE_BLOSC
    case ZC_CODEC_BLOSC: return 1;
#endif
#ifdef ZC_HAVE_LZ4
    case ZC_CODEC_LZ4: return 1;
#endif
#ifdef ZC_HAVE_DEFLATE
    case ZC_CODEC_GZIP:
    case ZC_CODEC_ZLIB: return 1;
#endif
    default: return 0;
    }
}

/* The address of a function of the library behind `codec`, or NULL when not built. */
static void *library_symbol(int codec)
{
    switch (codec) {
#ifdef ZC_HAVE_ZSTD
    case ZC_CODEC_ZSTD: return (void *)&ZSTD_versionString;
#endif
#ifdef ZC_HAVE_BLOSC
    case ZC_CODEC_BLOSC: return (void *)&blosc_get_version_string;
#endif
#ifdef ZC_HAVE_LZ4
    case ZC_CODEC_LZ4: return (void *)&LZ4_versionString;
#endif
#ifdef ZC_HAVE_DEFLATE
    case ZC_CODEC_GZIP:
    case ZC_CODEC_ZLIB: return (void *)&libdeflate_alloc_decompressor;
#endif
    default: return NULL;
    }
}

const char *zc_codec_library_file(int codec)
{
#ifdef _WIN32
    (void)codec;
    (void)library_symbol;
    return NULL;
#else
    Dl_info library, self;
    void *symbol = library_symbol(codec);
    if (symbol == NULL || dladdr(symbol, &library) == 0 || library.dli_fname == NULL)
        return NULL;
    if (dladdr((void *)&zc_codec_library_file, &self) != 0 && self.dli_fname != NULL &&
        strcmp(self.dli_fname, library.dli_fname) == 0)
        return NULL; /* linked into the extension itself */
    return library.dli_fname;
#endif
}

int zc_codec_encodes(int codec)
{
    return (codec == ZC_CODEC_NONE || codec == ZC_CODEC_ZSTD || codec == ZC_CODEC_BLOSC) &&
           zc_codec_available(codec);
}

const char *zc_codec_version(int codec, int built)
{
    switch (codec) {
    case ZC_CODEC_NONE: return "";
#ifdef ZC_HAVE_ZSTD
    case ZC_CODEC_ZSTD: return built ? ZSTD_VERSION_STRING : ZSTD_versionString();
#endif
#ifdef ZC_HAVE_BLOSC
    case ZC_CODEC_BLOSC: return built ? BLOSC_VERSION_STRING : blosc_get_version_string();
#endif
#ifdef ZC_HAVE_LZ4
    case ZC_CODEC_LZ4: return built ? LZ4_VERSION_STRING : LZ4_versionString();
#endif
#ifdef ZC_HAVE_DEFLATE
    case ZC_CODEC_GZIP:
    case ZC_CODEC_ZLIB: return built ? LIBDEFLATE_VERSION_STRING : NULL; /* no run-time query */
#endif
    default: return NULL;
    }
}

zc_chunkio_ctx *zc_chunkio_ctx_create(void)
{
    zc_chunkio_ctx *ctx = (zc_chunkio_ctx *)calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return NULL;
#ifdef ZC_HAVE_ZSTD
    ctx->zstd = ZSTD_createDCtx();
    ctx->zstd_c = ZSTD_createCCtx();
    if (ctx->zstd == NULL || ctx->zstd_c == NULL) {
        zc_chunkio_ctx_free(ctx);
        return NULL;
    }
#endif
#ifdef ZC_HAVE_DEFLATE
    ctx->deflate = libdeflate_alloc_decompressor();
    if (ctx->deflate == NULL) {
        zc_chunkio_ctx_free(ctx);
        return NULL;
    }
#endif
    /* temporary names of writes: distinct per context and process, then a counter */
#ifdef _WIN32
    ctx->tmp_state = (uint64_t)(uintptr_t)ctx ^ (uint64_t)time(NULL);
#else
    ctx->tmp_state = (uint64_t)(uintptr_t)ctx ^ ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
#endif
    return ctx;
}

void zc_chunkio_ctx_free(zc_chunkio_ctx *ctx)
{
    if (ctx == NULL)
        return;
#ifdef ZC_HAVE_ZSTD
    ZSTD_freeDCtx(ctx->zstd);
    ZSTD_freeCCtx(ctx->zstd_c);
#endif
#ifdef ZC_HAVE_DEFLATE
    if (ctx->deflate != NULL)
        libdeflate_free_decompressor(ctx->deflate);
#endif
    free(ctx);
}

int zc_codec_blosc_has(const char *cname)
{
#ifdef ZC_HAVE_BLOSC
    return cname != NULL && blosc_compname_to_compcode(cname) >= 0;
#else
    (void)cname;
    return 0;
#endif
}

/* ---- decoders: src (n bytes) -> dst (exactly dn bytes) ---- */

static uint32_t zc_le32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] | ((uint32_t)u[1] << 8) | ((uint32_t)u[2] << 16) | ((uint32_t)u[3] << 24);
}

#ifdef ZC_HAVE_ZSTD
static int zc_decode_zstd(zc_chunkio_ctx *ctx, const char *src, size_t n, char *dst, size_t dn)
{
    /* several frames (and skippable frames) are accepted; checksums are verified by libzstd */
    size_t r = ZSTD_decompressDCtx(ctx->zstd, dst, dn, src, n);
    return (ZSTD_isError(r) || r != dn) ? ZC_E_DATA : ZC_OK;
}

/* Only the first `need` bytes of a frame that declares exactly dn bytes and no checksum
 * (partly selected chunks: a streaming decode stops after the block holding the last needed
 * byte).  Other frames are decoded whole, which also verifies their checksum. */
static int zc_decode_zstd_prefix(zc_chunkio_ctx *ctx, const char *src, size_t n, char *dst,
                                 size_t dn, size_t need)
{
    ZSTD_inBuffer in;
    ZSTD_outBuffer out;
    if (n < 5 || ZSTD_getFrameContentSize(src, n) != (unsigned long long)dn ||
        ((unsigned char)src[4] & 0x04)) /* frame header descriptor: content checksum flag */
        return zc_decode_zstd(ctx, src, n, dst, dn);
    if (ZSTD_isError(ZSTD_DCtx_reset(ctx->zstd, ZSTD_reset_session_only)))
        return ZC_E_DATA;
    in.src = src;
    in.size = n;
    in.pos = 0;
    out.dst = dst;
    out.size = need;
    out.pos = 0;
    while (out.pos < need) {
        size_t before = in.pos + out.pos;
        size_t r = ZSTD_decompressStream(ctx->zstd, &out, &in);
        if (ZSTD_isError(r) || (r == 0 && out.pos < need) || in.pos + out.pos == before)
            return ZC_E_DATA; /* corrupt, or the frame ended (or stalled) short of `need` */
    }
    return ZC_OK;
}
#endif

#ifdef ZC_HAVE_LZ4
static int zc_decode_lz4(const char *src, size_t n, char *dst, size_t dn)
{
    int r;
    if (n < 4 || zc_le32(src) != dn)
        return ZC_E_DATA;
    if (n - 4 > (size_t)INT_MAX || dn > (size_t)INT_MAX)
        return ZC_E_SIZE;
    r = LZ4_decompress_safe(src + 4, dst, (int)(n - 4), (int)dn);
    return r == (int)dn ? ZC_OK : ZC_E_DATA;
}
#endif

#ifdef ZC_HAVE_BLOSC
static int zc_decode_blosc(const char *src, size_t n, char *dst, size_t dn)
{
    size_t nbytes = 0, blocksize;
    if (n < 16 || zc_le32(src + 12) != n) /* header: cbytes must be the whole chunk */
        return ZC_E_DATA;
    if (blosc_cbuffer_validate(src, n, &nbytes) != 0 || nbytes != dn)
        return ZC_E_DATA;
    blocksize = zc_le32(src + 8);
    if (dn > 0 && (blocksize == 0 || blocksize > dn))
        return ZC_E_DATA; /* a block size blosc never writes: some libblosc versions accept it */
    if (dn > (size_t)INT_MAX)
        return ZC_E_SIZE;
    if (dn == 0)
        return ZC_OK;
    return blosc_decompress_ctx(src, dst, dn, 1) == (int)dn ? ZC_OK : ZC_E_DATA;
}
#endif

#ifdef ZC_HAVE_DEFLATE
/* zlib (RFC 1950) or gzip (RFC 1952, several members and trailing zero padding, as GzipFile),
 * with libdeflate's whole-buffer decoder (about twice zlib's speed). Output is bounded: a
 * member that does not fit in what is left of dst fails the chunk. */
static int zc_decode_inflate(zc_chunkio_ctx *ctx, int gzip, const char *src, size_t n, char *dst,
                             size_t dn)
{
    size_t produced = 0, used_in, used_out;
    enum libdeflate_result ret;
    for (;;) {
        if (gzip)
            ret = libdeflate_gzip_decompress_ex(ctx->deflate, src, n, dst + produced,
                                                dn - produced, &used_in, &used_out);
        else
            ret = libdeflate_zlib_decompress_ex(ctx->deflate, src, n, dst + produced,
                                                dn - produced, &used_in, &used_out);
        if (ret != LIBDEFLATE_SUCCESS)
            return ZC_E_DATA; /* corrupt, truncated, or more data than the chunk holds */
        produced += used_out;
        src += used_in;
        n -= used_in;
        if (!gzip)
            break; /* zlib: data after the stream is ignored, as zlib.decompressobj does */
        while (n > 0 && *src == 0) { /* zero padding ends the members */
            src++;
            n--;
        }
        if (n == 0)
            break;
    }
    return produced == dn ? ZC_OK : ZC_E_DATA;
}
#endif

int zc_codec_decode(zc_chunkio_ctx *ctx, int codec, const char *src, size_t n, char *dst,
                    size_t dn, size_t need)
{
    (void)ctx;
    (void)need;
    switch (codec) {
    case ZC_CODEC_NONE:
        if (n != dn)
            return ZC_E_DATA;
        memcpy(dst, src, n);
        return ZC_OK;
#ifdef ZC_HAVE_ZSTD
    case ZC_CODEC_ZSTD: /* a streaming decode copies each block once more: only worth it
                         * when it stops well before the end (measured: ~4% slower near it) */
        return need < dn - dn / 16 ? zc_decode_zstd_prefix(ctx, src, n, dst, dn, need)
                                   : zc_decode_zstd(ctx, src, n, dst, dn);
#endif
#ifdef ZC_HAVE_LZ4
    case ZC_CODEC_LZ4: return zc_decode_lz4(src, n, dst, dn);
#endif
#ifdef ZC_HAVE_BLOSC
    case ZC_CODEC_BLOSC: return zc_decode_blosc(src, n, dst, dn);
#endif
#ifdef ZC_HAVE_DEFLATE
    case ZC_CODEC_GZIP: return zc_decode_inflate(ctx, 1, src, n, dst, dn);
    case ZC_CODEC_ZLIB: return zc_decode_inflate(ctx, 0, src, n, dst, dn);
#endif
    default: return ZC_E_ARG;
    }
}

/* ---- encoders: src (n bytes) -> dst (cap bytes); the encoded size or ZC_E_DATA ---- */

size_t zc_codec_encode_bound(int codec, size_t nbytes)
{
    switch (codec) {
#ifdef ZC_HAVE_ZSTD
    case ZC_CODEC_ZSTD: return ZSTD_compressBound(nbytes);
#endif
    case ZC_CODEC_BLOSC: return nbytes + ZC_BLOSC_HEADER; /* BLOSC_MAX_OVERHEAD */
    default: return nbytes;
    }
}

size_t zc_codec_encode_scratch(int codec, size_t nbytes)
{
    return codec == ZC_CODEC_BLOSC ? zc_blosc_encode_scratch(nbytes) : 0;
}

#ifdef ZC_HAVE_ZSTD
static ssize_t zc_encode_zstd(zc_chunkio_ctx *ctx, const zc_encode_params *p, const char *src,
                              size_t n, char *dst, size_t cap)
{
    ZSTD_CCtx *c = ctx->zstd_c;
    size_t r = ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, p->level);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, p->checksum ? 1 : 0);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1);
    if (!ZSTD_isError(r))
        r = ZSTD_compress2(c, dst, cap, src, n);
    return (ZSTD_isError(r) || r > (size_t)SSIZE_MAX) ? ZC_E_DATA : (ssize_t)r;
}
#endif

#ifdef ZC_HAVE_BLOSC
/* The typesize blosc shuffles with: c-blosc treats wider items as bytes. */
static int zc_blosc_typesize(const zc_encode_params *p)
{
    return p->typesize > 255 ? 1 : p->typesize;
}

/* src as blosc: by zc_bloscenc for the settings it writes (c-blosc's bytes), else libblosc. */
static ssize_t zc_encode_blosc(const zc_encode_params *p, const char *src, size_t n, char *dst,
                               size_t cap, char *tmp, size_t tmp_size)
{
    const int ts = zc_blosc_typesize(p);
    ssize_t m;
    int r;
    if (p->typesize < 1 || p->shuffle < 0 || p->shuffle > 2 || p->level < 0 || p->level > 9)
        return ZC_E_ARG;
    /* exactly the bound, as python-blosc and numcodecs pass it: given more room, c-blosc
     * keeps a compressed result that it would otherwise store raw (other bytes) */
    if (cap > n + BLOSC_MAX_OVERHEAD)
        cap = n + BLOSC_MAX_OVERHEAD;
    if (n > 0 && tmp != NULL && zc_blosc_encode_handles(p->cname, p->level, p->shuffle, p->blocksize)) {
        m = zc_blosc_encode_rows(&src, 1, n, p->level, p->shuffle, (size_t)ts, dst, cap, tmp,
                                 tmp_size);
        return m < 0 ? ZC_E_DATA : m;
    }
    if (n > (size_t)BLOSC_MAX_BUFFERSIZE || cap > (size_t)INT_MAX || p->cname == NULL)
        return ZC_E_DATA;
    r = blosc_compress_ctx(p->level, p->shuffle, ts, n, src, dst, cap, p->cname, p->blocksize, 1);
    return r > 0 ? (ssize_t)r : ZC_E_DATA;
}
#endif

ssize_t zc_codec_encode(zc_chunkio_ctx *ctx, int codec, const zc_encode_params *p,
                        const char *src, size_t n, char *dst, size_t cap, char *tmp,
                        size_t tmp_size)
{
    (void)ctx;
    (void)p;
    (void)tmp;
    (void)tmp_size;
    switch (codec) {
    case ZC_CODEC_NONE:
        if (cap < n)
            return ZC_E_DATA;
        memcpy(dst, src, n);
        return (ssize_t)n;
#ifdef ZC_HAVE_ZSTD
    case ZC_CODEC_ZSTD: return zc_encode_zstd(ctx, p, src, n, dst, cap);
#endif
#ifdef ZC_HAVE_BLOSC
    case ZC_CODEC_BLOSC: return zc_encode_blosc(p, src, n, dst, cap, tmp, tmp_size);
#endif
    default: return ZC_E_ARG;
    }
}

ssize_t zc_codec_encode_rows(int codec, const zc_encode_params *p, const char *const *rows,
                             int64_t nrows, size_t rowbytes, char *dst, size_t cap, char *tmp,
                             size_t tmp_size)
{
#ifdef ZC_HAVE_BLOSC
    const size_t ts = (size_t)zc_blosc_typesize(p);
    ssize_t m;
    if (codec != ZC_CODEC_BLOSC || nrows <= 0 ||
        !zc_blosc_encode_handles(p->cname, p->level, p->shuffle, p->blocksize))
        return 0;
    if (rowbytes % ts != 0) /* items of the shuffle across rows */
        return 0;
    if (cap > (size_t)nrows * rowbytes + BLOSC_MAX_OVERHEAD) /* the bound c-blosc is given */
        cap = (size_t)nrows * rowbytes + BLOSC_MAX_OVERHEAD;
    m = zc_blosc_encode_rows(rows, nrows, rowbytes, p->level, p->shuffle, ts, dst, cap, tmp,
                             tmp_size);
    return m < 0 ? ZC_E_DATA : m;
#else
    (void)codec;
    (void)p;
    (void)rows;
    (void)nrows;
    (void)rowbytes;
    (void)dst;
    (void)cap;
    (void)tmp;
    (void)tmp_size;
    return 0;
#endif
}
