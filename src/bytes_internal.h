/* Word loads of short byte strings, shared by the parser and the cube.
 *
 * A string of n < 8 bytes copied into a zeroed word with memcpy(&w, p, n)
 * compiles to a byte loop or `rep movsb`, and the load of the word that
 * follows stalls on store forwarding; on the hot path that cost more than
 * the arithmetic around it. These read the bytes with at most two
 * overlapping loads of fixed size, never outside p[0..n). */
#ifndef TECHIDX_BYTES_INTERNAL_H
#define TECHIDX_BYTES_INTERNAL_H

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "techidx's word-at-a-time parsing assumes a little-endian machine"
#endif

/* Bytes p[0..n), n <= 8, in the low n bytes of a little-endian word; the
 * high bytes are zero. */
static inline uint64_t tix_load_le(const char *p, size_t n)
{
    uint64_t w;
    if (n >= 8) {
        memcpy(&w, p, 8);
        return w;
    }
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + n - 4, 4);
        return (uint64_t)lo | ((uint64_t)hi << (8 * (n - 4)));
    }
    if (n >= 2) {
        uint16_t lo, hi;
        memcpy(&lo, p, 2);
        memcpy(&hi, p + n - 2, 2);
        return (uint64_t)lo | ((uint64_t)hi << (8 * (n - 2)));
    }
    return n ? (unsigned char)p[0] : 0;
}

/* Whether a[0..n) and b[0..n) are the same bytes: a word at a time, the
 * last word overlapping the one before it, inlined. For the short names
 * of cells, where a call to memcmp costs more than the compare. */
static inline int tix_same_bytes(const char *a, const char *b, size_t n)
{
    if (n < 8)
        return tix_load_le(a, n) == tix_load_le(b, n);
    uint64_t x, y, diff = 0;
    for (size_t i = 0; i + 8 < n; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        diff |= x ^ y;
    }
    memcpy(&x, a + n - 8, 8);
    memcpy(&y, b + n - 8, 8);
    return (diff | (x ^ y)) == 0;
}

/* Copies src[0..n) to dst[0..n) (apart): for n <= 32 with at most two
 * overlapping loads and stores of fixed size, inlined, where a call to
 * memcpy for a few bytes costs more than the copy (and gcc, knowing n
 * bounded, may make it a `rep movs`, slower still to start). */
static inline void tix_copy_bytes(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n > 32) {
        memcpy(d, s, n);
    } else if (n >= 16) {
        unsigned char a[16], b[16];
        memcpy(a, s, 16);
        memcpy(b, s + n - 16, 16);
        memcpy(d, a, 16);
        memcpy(d + n - 16, b, 16);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n) {
        unsigned char a = s[0], m = s[n / 2], z = s[n - 1];
        d[0] = a;
        d[n / 2] = m;
        d[n - 1] = z;
    }
}

#endif
