/* zc_delta.c - delta encoding of numeric items (see zc_delta.h).
 * Integers are handled as unsigned of the same width: wrapping is defined there and gives the
 * two's complement result for signed data too.  Encoding runs backwards and decoding keeps the
 * running sum in a register, so both also work in place (src == dst). */
#include "zc_delta.h"

/* the float kernels assume IEEE binary32 / binary64 storage sizes */
typedef char zc_float_is_4_bytes[sizeof(float) == 4 ? 1 : -1];
typedef char zc_double_is_8_bytes[sizeof(double) == 8 ? 1 : -1];

#define ZC_DEFINE_DELTA(ENC, DEC, T)                                                           \
    static void ENC(const char *src, char *dst, ssize_t n)                                     \
    {                                                                                          \
        const ssize_t k = (ssize_t)sizeof(T);                                                  \
        T cur, prev, out;                                                                      \
        ssize_t i;                                                                             \
        if (src != dst) {                                                                      \
            for (i = 1; i < n; i++) {                                                          \
                memcpy(&cur, src + i * k, sizeof(T));                                          \
                memcpy(&prev, src + (i - 1) * k, sizeof(T));                                   \
                out = (T)(cur - prev);                                                         \
                memcpy(dst + i * k, &out, sizeof(T));                                          \
            }                                                                                  \
        } else { /* in place: backwards, so src[i-1] is read before it is overwritten */       \
            for (i = n - 1; i > 0; i--) {                                                      \
                memcpy(&cur, src + i * k, sizeof(T));                                          \
                memcpy(&prev, src + (i - 1) * k, sizeof(T));                                   \
                out = (T)(cur - prev);                                                         \
                memcpy(dst + i * k, &out, sizeof(T));                                          \
            }                                                                                  \
        }                                                                                      \
        memcpy(&cur, src, sizeof(T));                                                          \
        memcpy(dst, &cur, sizeof(T));                                                          \
    }                                                                                          \
    static void DEC(const char *src, char *dst, ssize_t n)                                     \
    {                                                                                          \
        const ssize_t k = (ssize_t)sizeof(T);                                                  \
        T acc, v;                                                                              \
        ssize_t i;                                                                             \
        memcpy(&acc, src, sizeof(T));                                                          \
        memcpy(dst, &acc, sizeof(T));                                                          \
        for (i = 1; i < n; i++) {                                                              \
            memcpy(&v, src + i * k, sizeof(T));                                                \
            acc = (T)(acc + v);                                                                \
            memcpy(dst + i * k, &acc, sizeof(T));                                              \
        }                                                                                      \
    }

ZC_DEFINE_DELTA(zc_delta_enc_u8, zc_delta_dec_u8, uint8_t)
ZC_DEFINE_DELTA(zc_delta_enc_u16, zc_delta_dec_u16, uint16_t)
ZC_DEFINE_DELTA(zc_delta_enc_u32, zc_delta_dec_u32, uint32_t)
ZC_DEFINE_DELTA(zc_delta_enc_u64, zc_delta_dec_u64, uint64_t)
ZC_DEFINE_DELTA(zc_delta_enc_f32, zc_delta_dec_f32, float)
ZC_DEFINE_DELTA(zc_delta_enc_f64, zc_delta_dec_f64, double)

typedef void (*zc_delta_fn)(const char *src, char *dst, ssize_t n);

/* The kernel for (itemsize, kind, direction), or NULL when unsupported. */
static zc_delta_fn zc_delta_pick(ssize_t itemsize, int kind, int decode)
{
    if (kind == ZC_KIND_INT || kind == ZC_KIND_UINT) {
        switch (itemsize) {
        case 1: return decode ? zc_delta_dec_u8 : zc_delta_enc_u8;
        case 2: return decode ? zc_delta_dec_u16 : zc_delta_enc_u16;
        case 4: return decode ? zc_delta_dec_u32 : zc_delta_enc_u32;
        case 8: return decode ? zc_delta_dec_u64 : zc_delta_enc_u64;
        default: return NULL;
        }
    }
    if (kind == ZC_KIND_FLOAT) {
        switch (itemsize) {
        case 4: return decode ? zc_delta_dec_f32 : zc_delta_enc_f32;
        case 8: return decode ? zc_delta_dec_f64 : zc_delta_enc_f64;
        default: return NULL;
        }
    }
    return NULL;
}

static ssize_t zc_delta_run(const char *src, char *dst, ssize_t n, ssize_t itemsize, int kind,
                            int decode)
{
    zc_delta_fn fn;
    if (kind != ZC_KIND_INT && kind != ZC_KIND_UINT && kind != ZC_KIND_FLOAT)
        return ZC_E_DTYPE;
    fn = zc_delta_pick(itemsize, kind, decode);
    if (fn == NULL)
        return ZC_E_ITEMSIZE;
    if (n < 0)
        return ZC_E_ARG;
    if (n == 0)
        return 0;
    if (src == NULL || dst == NULL)
        return ZC_E_ARG;
    fn(src, dst, n);
    return n;
}

ssize_t zc_delta_encode(const char *src, char *dst, ssize_t n, ssize_t itemsize, int kind)
{
    return zc_delta_run(src, dst, n, itemsize, kind, 0);
}

ssize_t zc_delta_decode(const char *src, char *dst, ssize_t n, ssize_t itemsize, int kind)
{
    return zc_delta_run(src, dst, n, itemsize, kind, 1);
}
