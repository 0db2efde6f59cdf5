/* zc_chunkdecode.c - the coding contexts and the decoders of the chunk loops.
 *
 * A context holds one thread's zstd contexts (decoding and encoding), its libdeflate
 * decompressor and the counter behind temporary file names.  Each decoder turns src (n bytes)
 * into dst, which it must fill exactly (dn bytes), mirroring zarrc.codecs' checks: ZC_OK, or
 * ZC_E_DATA for corrupt data (ZC_E_SIZE beyond the libraries' size limits).
 */
#define _POSIX_C_SOURCE 200809L

#include "zc_chunkio_impl.h"

#include <limits.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <blosc.h>
#include <lz4.h>

zc_chunkio_ctx *zc_chunkio_ctx_create(void)
{
    zc_chunkio_ctx *ctx = (zc_chunkio_ctx *)calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return NULL;
    ctx->zstd = ZSTD_createDCtx();
    if (ctx->zstd == NULL) {
        free(ctx);
        return NULL;
    }
    ctx->deflate = libdeflate_alloc_decompressor();
    ctx->zstd_c = ZSTD_createCCtx();
    if (ctx->deflate == NULL || ctx->zstd_c == NULL) {
        zc_chunkio_ctx_free(ctx);
        return NULL;
    }
    /* temporary names of writes: distinct per context and process, then a counter */
    ctx->tmp_state = (uint64_t)(uintptr_t)ctx ^ ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
    return ctx;
}

void zc_chunkio_ctx_free(zc_chunkio_ctx *ctx)
{
    if (ctx == NULL)
        return;
    ZSTD_freeDCtx(ctx->zstd);
    ZSTD_freeCCtx(ctx->zstd_c);
    if (ctx->deflate != NULL)
        libdeflate_free_decompressor(ctx->deflate);
    free(ctx);
}

int zc_chunkio_blosc_has(const char *cname)
{
    return cname != NULL && blosc_compname_to_compcode(cname) >= 0;
}

static uint32_t zc_le32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] | ((uint32_t)u[1] << 8) | ((uint32_t)u[2] << 16) | ((uint32_t)u[3] << 24);
}

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

static int zc_decode_blosc(const char *src, size_t n, char *dst, size_t dn)
{
    size_t nbytes = 0, blocksize;
    if (n < 16 || zc_le32(src + 12) != n) /* header: cbytes must be the whole file */
        return ZC_E_DATA;
    if (blosc_cbuffer_validate(src, n, &nbytes) != 0 || nbytes != dn)
        return ZC_E_DATA;
    blocksize = zc_le32(src + 8);
    if (dn > 0 && (blocksize == 0 || blocksize > dn))
        return ZC_E_DATA; /* a block size blosc never writes: some libblosc versions accept it */
    if (dn > (size_t)INT_MAX)
        return ZC_E_SIZE;
    return blosc_decompress_ctx(src, dst, dn, 1) == (int)dn ? ZC_OK : ZC_E_DATA;
}

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

int zc_chunkio_decode(zc_chunkio_ctx *ctx, int codec, const char *src, size_t n, char *dst,
                      size_t dn, size_t need)
{
    switch (codec) {
    case ZC_CODEC_ZSTD: /* a streaming decode copies each block once more: only worth it
                         * when it stops well before the end (measured: ~4% slower near it) */
        return need < dn - dn / 16 ? zc_decode_zstd_prefix(ctx, src, n, dst, dn, need)
                                   : zc_decode_zstd(ctx, src, n, dst, dn);
    case ZC_CODEC_LZ4: return zc_decode_lz4(src, n, dst, dn);
    case ZC_CODEC_BLOSC: return zc_decode_blosc(src, n, dst, dn);
    case ZC_CODEC_GZIP: return zc_decode_inflate(ctx, 1, src, n, dst, dn);
    case ZC_CODEC_ZLIB: return zc_decode_inflate(ctx, 0, src, n, dst, dn);
    default: return ZC_E_ARG;
    }
}

