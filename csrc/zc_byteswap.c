/* zc_byteswap.c - reverse the byte order of fixed-size units (see zc_byteswap.h).
 * Loads and stores go through memcpy (alignment-safe); the shift patterns below are recognised
 * by compilers and become single bswap instructions. */
#include "zc_byteswap.h"

static uint16_t zc_bswap16(uint16_t x) { return (uint16_t)((x >> 8) | (x << 8)); }

static uint32_t zc_bswap32(uint32_t x)
{
    return ((x & 0x000000FFu) << 24) | ((x & 0x0000FF00u) << 8) | ((x & 0x00FF0000u) >> 8) |
           ((x & 0xFF000000u) >> 24);
}

static uint64_t zc_bswap64(uint64_t x)
{
    return ((uint64_t)zc_bswap32((uint32_t)(x & 0xFFFFFFFFu)) << 32) |
           (uint64_t)zc_bswap32((uint32_t)(x >> 32));
}

#define ZC_DEFINE_SWAP(NAME, TYPE, SWAP)                                                       \
    static void NAME(const char *src, char *dst, ssize_t n)                                    \
    {                                                                                          \
        ssize_t i;                                                                             \
        TYPE v;                                                                                \
        for (i = 0; i < n; i++) {                                                              \
            memcpy(&v, src + i * (ssize_t)sizeof(TYPE), sizeof(TYPE));                         \
            v = SWAP(v);                                                                       \
            memcpy(dst + i * (ssize_t)sizeof(TYPE), &v, sizeof(TYPE));                         \
        }                                                                                      \
    }

ZC_DEFINE_SWAP(zc_swap2, uint16_t, zc_bswap16)
ZC_DEFINE_SWAP(zc_swap4, uint32_t, zc_bswap32)
ZC_DEFINE_SWAP(zc_swap8, uint64_t, zc_bswap64)

static void zc_swap16(const char *src, char *dst, ssize_t n)
{
    ssize_t i;
    uint64_t lo, hi;
    for (i = 0; i < n; i++) {
        memcpy(&lo, src + 16 * i, 8);
        memcpy(&hi, src + 16 * i + 8, 8);
        lo = zc_bswap64(lo);
        hi = zc_bswap64(hi);
        memcpy(dst + 16 * i, &hi, 8);
        memcpy(dst + 16 * i + 8, &lo, 8);
    }
}

static void zc_swap_any(const char *src, char *dst, ssize_t n, ssize_t unit)
{
    ssize_t i, j;
    char t;
    for (i = 0; i < n; i++) {
        const char *s = src + i * unit;
        char *d = dst + i * unit;
        /* swap pairs from both ends: correct both in place (s == d) and out of place */
        for (j = 0; j < unit / 2; j++) {
            t = s[j];
            d[j] = s[unit - 1 - j];
            d[unit - 1 - j] = t;
        }
        if (unit % 2)
            d[unit / 2] = s[unit / 2];
    }
}

ssize_t zc_byteswap_copy(const char *src, char *dst, ssize_t nbytes, ssize_t unit)
{
    ssize_t n;
    if (unit <= 0)
        return ZC_E_ITEMSIZE;
    if (nbytes < 0)
        return ZC_E_ARG;
    if (nbytes % unit != 0)
        return ZC_E_SIZE;
    n = nbytes / unit;
    if (n == 0)
        return 0;
    if (src == NULL || dst == NULL)
        return ZC_E_ARG;
    switch (unit) {
    case 1:
        if (src != dst)
            memcpy(dst, src, (size_t)nbytes);
        break;
    case 2: zc_swap2(src, dst, n); break;
    case 4: zc_swap4(src, dst, n); break;
    case 8: zc_swap8(src, dst, n); break;
    case 16: zc_swap16(src, dst, n); break;
    default: zc_swap_any(src, dst, n, unit); break;
    }
    return n;
}

ssize_t zc_byteswap_inplace(char *buf, ssize_t nbytes, ssize_t unit)
{
    return zc_byteswap_copy(buf, buf, nbytes, unit);
}
