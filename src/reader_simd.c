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
    uint64_t q = 0, d = 0, c = 0, l = 0, b = 0;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t bit = (uint64_t)1 << i;
        char ch = p[i];
        q |= ch == '"' ? bit : 0;
        d |= ch == delim ? bit : 0;
        c |= ch == '\r' ? bit : 0;
        l |= ch == '\n' ? bit : 0;
        b |= ch == ' ' || ch == '\t' ? bit : 0;
    }
    m->quote = q;
    m->delim = d;
    m->cr = c;
    m->lf = l;
    m->blank = b;
}

#if HAVE_X86_DISPATCH
static inline uint64_t eq16(__m128i v, __m128i c)
{
    return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, c));
}

static void classify_sse2(const char *p, char delim, tix_masks *m)
{
    const __m128i q = _mm_set1_epi8('"'), d = _mm_set1_epi8(delim), c = _mm_set1_epi8('\r'),
                  l = _mm_set1_epi8('\n'), s = _mm_set1_epi8(' '), t = _mm_set1_epi8('\t');
    tix_masks r = {0, 0, 0, 0, 0};
    for (unsigned i = 0; i < 4; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        r.quote |= eq16(v, q) << (16 * i);
        r.delim |= eq16(v, d) << (16 * i);
        r.cr |= eq16(v, c) << (16 * i);
        r.lf |= eq16(v, l) << (16 * i);
        r.blank |= (eq16(v, s) | eq16(v, t)) << (16 * i);
    }
    *m = r;
}

__attribute__((target("avx2"))) static inline uint64_t eq32(__m256i a, __m256i b, __m256i c)
{
    uint64_t lo = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, c));
    uint64_t hi = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, c));
    return lo | hi << 32;
}

__attribute__((target("avx2"))) static void classify_avx2(const char *p, char delim, tix_masks *m)
{
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    m->quote = eq32(a, b, _mm256_set1_epi8('"'));
    m->delim = eq32(a, b, _mm256_set1_epi8(delim));
    m->cr = eq32(a, b, _mm256_set1_epi8('\r'));
    m->lf = eq32(a, b, _mm256_set1_epi8('\n'));
    m->blank = eq32(a, b, _mm256_set1_epi8(' ')) | eq32(a, b, _mm256_set1_epi8('\t'));
}

__attribute__((target("avx512f,avx512bw"))) static void classify_avx512(const char *p, char delim,
                                                                        tix_masks *m)
{
    __m512i v = _mm512_loadu_si512((const void *)p);
    m->quote = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
    m->delim = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(delim));
    m->cr = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r'));
    m->lf = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
    m->blank = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(' ')) |
               _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\t'));
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
