/* Helpers shared by the fuzz targets (header-only, all static): growable
 * byte buffers, a seeded xorshift generator and a checked abort. Failures
 * print to stderr and abort() so both libFuzzer and the replay driver stop
 * on the first violation. */
#ifndef TECHIDX_FUZZ_COMMON_H
#define TECHIDX_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define FZ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define FZ_UNUSED __attribute__((unused))
#else
#define FZ_PRINTF(a, b)
#define FZ_UNUSED
#endif

static FZ_UNUSED FZ_PRINTF(1, 2) void fz_die(const char *fmt, ...)
{
    va_list ap;
    fputs("fuzz: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#define FZ_CHECK(cond, ...)                                                                        \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fz_die(__VA_ARGS__);                                                                   \
    } while (0)

/* TIX_FUZZ_STRICT set: no tolerance for the known library bugs the targets
 * otherwise step around (each is described where it is tolerated, with its
 * reproducer under tests/fuzz/crashes/). */
static FZ_UNUSED int strict_mode(void)
{
    static int strict = -1;
    if (strict < 0)
        strict = getenv("TIX_FUZZ_STRICT") != NULL;
    return strict;
}

typedef struct fz_bytes {
    unsigned char *p;
    size_t len, cap;
} fz_bytes;

static FZ_UNUSED void fz_put(fz_bytes *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q)
            fz_die("out of memory (%zu bytes)", cap);
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static FZ_UNUSED void fz_put_u64(fz_bytes *b, uint64_t v) { fz_put(b, &v, sizeof v); }

static FZ_UNUSED void fz_bytes_free(fz_bytes *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* FNV-1a: seeds the pseudo-random choices from the input itself. */
static FZ_UNUSED uint64_t fz_hash(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* xorshift64*; *seed must not be 0. */
static FZ_UNUSED uint64_t fz_rng(uint64_t *seed)
{
    uint64_t x = *seed;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *seed = x;
    return x * 2685821657736338717ull;
}

/* Offset of the first difference of a and b (the shorter length when one is
 * a prefix of the other), for failure messages. */
static FZ_UNUSED size_t fz_diff_at(const unsigned char *a, size_t na, const unsigned char *b,
                                   size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return i;
    return n;
}

#endif
