/* The byte classifiers of the reader's fast path, one per instruction set,
 * chosen at run time (reader_internal.h). Only the x86-64 baseline (SSE2)
 * is assumed by the build: the wider ones are compiled for their target
 * alone (target attributes, no -mavx2) and called only when the CPU and the
 * OS say they run, so one binary runs on any x86-64. Other architectures
 * get the plain C classifier. */
#include "reader_internal.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_X86_DISPATCH 1
#include <immintrin.h>
#endif

/* The reference the vector paths must equal: one byte at a time. */
static void classify_scalar(const char *p, char delim, tix_masks *m)
{
    uint64_t q = 0, d = 0, e = 0;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t bit = (uint64_t)1 << i;
        char ch = p[i];
        q |= ch == '"' ? bit : 0;
        d |= ch == delim ? bit : 0;
        e |= ch == '\r' || ch == '\n' ? bit : 0;
    }
    m->quote = q;
    m->delim = d;
    m->eol = e;
}

#if HAVE_X86_DISPATCH
/* 16 bytes: a bit per byte equal to c (or to c2 too). */
static inline uint64_t eq16(__m128i v, __m128i c)
{
    return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, c));
}

static inline uint64_t eq16x2(__m128i v, __m128i c, __m128i c2)
{
    return (uint64_t)(unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(v, c), _mm_cmpeq_epi8(v, c2)));
}

static void classify_sse2(const char *p, char delim, tix_masks *m)
{
    const __m128i q = _mm_set1_epi8('"'), d = _mm_set1_epi8(delim), c = _mm_set1_epi8('\r'),
                  l = _mm_set1_epi8('\n');
    const __m128i *s = (const __m128i *)(const void *)p;
    __m128i v0 = _mm_loadu_si128(s), v1 = _mm_loadu_si128(s + 1), v2 = _mm_loadu_si128(s + 2),
            v3 = _mm_loadu_si128(s + 3);
    m->quote = eq16(v0, q) | eq16(v1, q) << 16 | eq16(v2, q) << 32 | eq16(v3, q) << 48;
    m->delim = eq16(v0, d) | eq16(v1, d) << 16 | eq16(v2, d) << 32 | eq16(v3, d) << 48;
    m->eol =
        eq16x2(v0, c, l) | eq16x2(v1, c, l) << 16 | eq16x2(v2, c, l) << 32 | eq16x2(v3, c, l) << 48;
}

/* 64 bytes as two halves: a bit per byte equal to c (or to c2 too). */
__attribute__((target("avx2"))) static inline uint64_t eq32(__m256i a, __m256i b, __m256i c)
{
    uint64_t lo = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, c));
    uint64_t hi = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, c));
    return lo | hi << 32;
}

__attribute__((target("avx2"))) static inline uint64_t eq32x2(__m256i a, __m256i b, __m256i c,
                                                              __m256i c2)
{
    uint64_t lo = (uint32_t)_mm256_movemask_epi8(
        _mm256_or_si256(_mm256_cmpeq_epi8(a, c), _mm256_cmpeq_epi8(a, c2)));
    uint64_t hi = (uint32_t)_mm256_movemask_epi8(
        _mm256_or_si256(_mm256_cmpeq_epi8(b, c), _mm256_cmpeq_epi8(b, c2)));
    return lo | hi << 32;
}

__attribute__((target("avx2"))) static void classify_avx2(const char *p, char delim, tix_masks *m)
{
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    m->quote = eq32(a, b, _mm256_set1_epi8('"'));
    m->delim = eq32(a, b, _mm256_set1_epi8(delim));
    m->eol = eq32x2(a, b, _mm256_set1_epi8('\r'), _mm256_set1_epi8('\n'));
}

__attribute__((target("avx512f,avx512bw"))) static void classify_avx512(const char *p, char delim,
                                                                        tix_masks *m)
{
    __m512i v = _mm512_loadu_si512((const void *)p);
    m->quote = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
    m->delim = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(delim));
    m->eol = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r')) |
             _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
}
#endif

tix_simd tix_simd_pick(tix_simd want, tix_classify_fn *fn)
{
    if (want == TIX_SIMD_AUTO)
        want = TIX_SIMD_AVX512;
#if HAVE_X86_DISPATCH
    __builtin_cpu_init();
    if (want >= TIX_SIMD_AVX512 && __builtin_cpu_supports("avx512bw")) {
        *fn = classify_avx512;
        return TIX_SIMD_AVX512;
    }
    if (want >= TIX_SIMD_AVX2 && __builtin_cpu_supports("avx2")) {
        *fn = classify_avx2;
        return TIX_SIMD_AVX2;
    }
    if (want >= TIX_SIMD_SSE2) {
        *fn = classify_sse2;
        return TIX_SIMD_SSE2;
    }
#endif
    *fn = classify_scalar;
    return TIX_SIMD_SCALAR;
}

static const char *const names[] = {"auto", "scalar", "sse2", "avx2", "avx512"};

const char *tix_simd_name(tix_simd s)
{
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "auto";
}

tix_simd tix_simd_default(void)
{
    /* Readers are made on several threads (engine_par.c): each may work
     * it out, all get the same answer; the atomics keep that race benign. */
    static int chosen = -1;
    int s = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (s >= 0)
        return (tix_simd)s;
    const char *env = getenv("TECHIDX_SIMD");
    tix_simd want = TIX_SIMD_AUTO;
    for (unsigned i = 1; env && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(env, names[i]) == 0)
            want = (tix_simd)i;
    tix_classify_fn fn;
    s = (int)tix_simd_pick(want, &fn);
    __atomic_store_n(&chosen, s, __ATOMIC_RELAXED);
    return (tix_simd)s;
}
