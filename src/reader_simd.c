/* The reader's fast path (reader_internal.h): the common record (no CR
 * but the one of a CRLF, every quoted field closing within the buffer) is
 * split here, without libcsv, into exactly the fields libcsv would give.
 *
 * The input is looked at as 64-byte blocks, each turned into bit masks of
 * its quotes, delimiters and line ends by a classifier for one instruction
 * set; the walk then visits only those bytes, a set bit at a time. Which
 * delimiters lie inside quotes follows from the quotes alone, as in
 * simdjson and simdcsv: bit i of the prefix XOR of the quote mask is set
 * when an odd number of quotes stand at or before byte i. That holds for
 * every record the walk accepts, since it accepts a quote only where libcsv
 * reads it the same way (opening a field, doubled inside one, or closing
 * it), and gives anything else to libcsv.
 *
 * Only the x86-64 baseline (SSE2) is assumed by the build: the wider paths
 * are compiled for their target alone (target attributes, no -mavx2) and
 * called only when the CPU and the OS say they run, so one binary runs on
 * any x86-64. Other architectures get the plain C classifier. */
#include "reader_internal.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_X86_DISPATCH 1
#include <immintrin.h>
#endif

/* Classifies the 64 bytes at p (all readable). */
typedef void (*tix_classify_fn)(const char *p, char delim, tix_masks *m);

/* The high bit of each byte of w that is zero (exactly: no carry crosses
 * a byte). */
static inline uint64_t zero_bytes(uint64_t w)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7fu;
    return ~(((w & low7) + low7) | w | low7);
}

/* Those high bits as a bit per byte, byte i at bit i. */
static inline uint64_t gather8(uint64_t high) { return ((high >> 7) * 0x0102040810204080u) >> 56; }

/* Plain C, for any architecture: eight bytes a word where the bytes of a
 * word are in memory order (little-endian), one at a time elsewhere. */
static inline void classify_scalar(const char *p, char delim, tix_masks *m)
{
    uint64_t q = 0, d = 0, e = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101u;
    const uint64_t wq = ones * '"', wd = ones * (unsigned char)delim, wc = ones * '\r',
                   wl = ones * '\n';
    for (unsigned i = 0; i < 8; i++) {
        uint64_t w;
        memcpy(&w, p + 8 * i, 8);
        q |= gather8(zero_bytes(w ^ wq)) << (8 * i);
        d |= gather8(zero_bytes(w ^ wd)) << (8 * i);
        e |= gather8(zero_bytes(w ^ wc) | zero_bytes(w ^ wl)) << (8 * i);
    }
#else
    for (unsigned i = 0; i < 64; i++) {
        uint64_t bit = (uint64_t)1 << i;
        char ch = p[i];
        q |= ch == '"' ? bit : 0;
        d |= ch == delim ? bit : 0;
        e |= ch == '\r' || ch == '\n' ? bit : 0;
    }
#endif
    m->quote = q;
    m->delim = d;
    m->eol = e;
}

#ifdef HAVE_X86_DISPATCH
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

static inline void classify_sse2(const char *p, char delim, tix_masks *m)
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

__attribute__((target("avx2"))) static inline void classify_avx2(const char *p, char delim,
                                                                 tix_masks *m)
{
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    m->quote = eq32(a, b, _mm256_set1_epi8('"'));
    m->delim = eq32(a, b, _mm256_set1_epi8(delim));
    m->eol = eq32x2(a, b, _mm256_set1_epi8('\r'), _mm256_set1_epi8('\n'));
}

__attribute__((target("avx512f,avx512bw"))) static inline void
classify_avx512(const char *p, char delim, tix_masks *m)
{
    __m512i v = _mm512_loadu_si512((const void *)p);
    m->quote = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
    m->delim = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(delim));
    m->eol = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r')) |
             _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
}
#endif

static inline const tix_masks *block_masks(tix_blocks *b, const char *at, char delim,
                                           tix_classify_fn classify)
{
    if (b->at != at) {
        if (b->end - at >= 64) {
            classify(at, delim, &b->m);
        } else {
            char tmp[64] = {0};
            memcpy(tmp, at, (size_t)(b->end - at));
            classify(tmp, delim, &b->m);
        }
        b->at = at;
    }
    return &b->m;
}

/* Bit i of the result is the XOR of bits 0..i of x. */
static inline uint64_t prefix_xor(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/* Blanks libcsv trims from unquoted fields: a tab that is the delimiter
 * is none. */
static inline int blank(char c, char delim) { return c == ' ' || (c == '\t' && delim != '\t'); }

/* The content of the quoted field between the quotes at open and close,
 * unescaped into r->text when it has doubled quotes, in *f. Returns 1, 0
 * when libcsv must read the record: the unescaped text would move views
 * already made into r->text (or there is no memory for it). */
static int quoted_view(tix_reader *r, const char *open, const char *close, int doubled,
                       tix_field *f)
{
    const char *start = open + 1;
    size_t len = (size_t)(close - start);
    if (!doubled) {
        f->ptr = start;
        f->len = len;
        return 1;
    }
    /* Growing the arena would move the views already made into it: only
     * done while there are none. */
    if (r->text.len + len > r->text.cap &&
        (r->text.len > 0 || !tix_reader_reserve(&r->text, len + 256)))
        return 0;
    char *dst = r->text.p + r->text.len, *d = dst;
    /* Runs up to and with each quote, the second of its pair left out. */
    for (const char *c = start; c < close;) {
        const char *q = memchr(c, '"', (size_t)(close - c));
        size_t n = (size_t)((q ? q + 1 : close) - c);
        memcpy(d, c, n);
        d += n;
        c += n + (q != NULL);
    }
    r->text.len += (size_t)(d - dst);
    f->ptr = dst;
    f->len = (size_t)(d - dst);
    return 1;
}

/* 1 when field nf is one the callback never reads: its "" may stay. */
static inline int unread(const tix_reader *r, size_t nf)
{
    return nf < 64 && (r->unread >> nf & 1);
}

/* The unquoted field [a, b) with blanks trimmed, as libcsv trims it. */
static inline void trimmed(tix_field *f, const char *a, const char *b, char delim)
{
    /* Both ends above ' ' (the common case) cannot be blanks. */
    if (a < b && ((unsigned char)*a <= ' ' || (unsigned char)b[-1] <= ' ')) {
        while (a < b && blank(*a, delim))
            a++;
        while (b > a && blank(b[-1], delim))
            b--;
    }
    f->ptr = a;
    f->len = (size_t)(b - a);
}

enum { FIELD_UNQUOTED, FIELD_QUOTED, FIELD_CLOSED };

/* The splitter (tix_split_fn), built once per classifier: inlined into a
 * function compiled for the classifier's instruction set, it gets that
 * set's bit instructions too (BMI's tzcnt, blsr) and calls nothing per
 * block.
 *
 * Records follow one another in a block: the walk keeps the block it
 * holds, and what its masks have left, from one record to the next, so a
 * block that two records share is classified, XORed and cut once, and the
 * record after costs no call. That is sound because the quotes of a record
 * the walk takes come in pairs (one opens a field and one closes it, or a
 * "" inside it), so the parity after its LF is that of a new start. */
static inline __attribute__((always_inline)) const char *split_with(tix_reader *r, tix_blocks *b,
                                                                    const char *p, const char *end,
                                                                    int once, tix_status *st,
                                                                    tix_classify_fn classify)
{
    /* A delimiter in a register costs the comma nothing (make bench). */
    const char delim = r->limits.delimiter;
    const size_t max = r->limits.max_record_bytes;
    const char *blk = NULL; /* the block in hand */
    uint64_t cuts = 0, stops = 0, carry = 0;
    int in_hand = 0, cut_short = 0;
    while (p < end) {
        /* A record over the limit is libcsv's to report: looking further
         * for its end is pointless. */
        const char *stop = (size_t)(end - p) > max + 2 ? p + max + 2 : end;
        const char *fs = p;                     /* the field's first byte */
        const char *open = NULL, *close = NULL; /* its quotes, when quoted */
        const char *nl = NULL;                  /* the LF that ends the record */
        int state = FIELD_UNQUOTED, doubled = 0, second = 0, quoted = 0;
        uint64_t lines = 0; /* LFs inside quotes */
        tix_field *v = r->views;
        size_t nf = 0;
        r->text.len = 0;
        if (!in_hand) {
            blk = b->base + ((size_t)(p - b->base) & ~(size_t)63);
            carry = 0; /* all ones when a block starts inside quotes */
        }
        for (;; blk += 64) {
            if (!in_hand) {
                if (blk >= stop)
                    goto refuse;
                /* A block adds at most 64 fields, and one more ends the
                 * record: room for them now, so that none is checked. */
                if (r->views_cap < nf + 65) {
                    size_t cap = r->views_cap ? r->views_cap : 32;
                    while (cap < nf + 65)
                        cap *= 2;
                    v = realloc(r->views, cap * sizeof *v);
                    if (!v) {
                        *st = TIX_E_NOMEM;
                        return p;
                    }
                    r->views = v;
                    r->views_cap = cap;
                }
                const tix_masks *m = block_masks(b, blk, delim, classify);
                uint64_t live = ~(uint64_t)0;
                if (blk < p)
                    live <<= (unsigned)(p - blk);
                cut_short = stop - blk < 64;
                if (cut_short)
                    live &= ((uint64_t)1 << (stop - blk)) - 1;
                cut_short &= stop != end; /* a later record may see more */
                uint64_t quote = m->quote & live, inside = carry;
                if (quote)
                    inside ^= prefix_xor(quote);
                carry = (uint64_t)0 - (inside >> 63);
                uint64_t outside = ~inside & live;
                /* Delimiters that cut fields; and the bytes where the walk
                 * stops to think: quotes, CRs and LFs (inside quotes too,
                 * to count them). */
                cuts = m->delim & outside;
                stops = quote | (m->eol & live);
            }
            in_hand = 0;
            for (;;) {
                if (state == FIELD_QUOTED) {
                    /* Inside quotes nothing cuts: only quotes and line
                     * ends stop the walk, until the closing quote. */
                    while (state == FIELD_QUOTED && stops) {
                        const char *c = blk + __builtin_ctzll(stops);
                        stops &= stops - 1;
                        if (*c == '\n') {
                            lines++;
                        } else if (*c == '\r') {
                            goto refuse;     /* libcsv keeps it: its rules, its path */
                        } else if (second) { /* the second quote of a "" */
                            second = 0;
                        } else if (c + 1 < stop && c[1] == '"') {
                            doubled = 1;
                            if (c + 1 < blk + 64)
                                stops &= stops - 1; /* the pair's second */
                            else
                                second = 1; /* in the next block */
                        } else {
                            close = c;
                            state = FIELD_CLOSED;
                        }
                    }
                    if (state == FIELD_QUOTED)
                        break;
                }
                uint64_t before = stops ? (stops & (0 - stops)) - 1 : ~(uint64_t)0;
                uint64_t d = cuts & before;
                cuts &= ~before;
                if (d && state == FIELD_CLOSED) {
                    const char *c = blk + __builtin_ctzll(d);
                    for (const char *x = close + 1; x < c; x++)
                        if (!blank(*x, delim))
                            goto refuse; /* text after the closing quote */
                    int unescape = doubled && !unread(r, nf);
                    if (!quoted_view(r, open, close, unescape, &v[nf++]))
                        goto refuse;
                    quoted = 1;
                    state = FIELD_UNQUOTED;
                    fs = c + 1;
                    d &= d - 1;
                }
                for (; d; d &= d - 1) {
                    const char *c = blk + __builtin_ctzll(d);
                    trimmed(&v[nf++], fs, c, delim);
                    fs = c + 1;
                }
                if (!stops)
                    break;
                const char *c = blk + __builtin_ctzll(stops);
                stops &= stops - 1;
                char ch = *c;
                if (ch == '"') {
                    /* Only a quote that opens the field (after blanks)
                     * quotes it; one after a closing quote is libcsv's. */
                    if (state == FIELD_CLOSED)
                        goto refuse;
                    const char *a = fs;
                    while (a < c && blank(*a, delim))
                        a++;
                    if (a != c)
                        goto refuse;
                    open = c;
                    doubled = 0;
                    state = FIELD_QUOTED;
                    continue;
                }
                /* The end of the record: LF, or the CR of a CRLF. */
                if (ch == '\r' && (c + 1 >= stop || c[1] != '\n'))
                    goto refuse;
                if (state == FIELD_CLOSED) {
                    for (const char *x = close + 1; x < c; x++)
                        if (!blank(*x, delim))
                            goto refuse;
                    int unescape = doubled && !unread(r, nf);
                    if (!quoted_view(r, open, close, unescape, &v[nf++]))
                        goto refuse;
                    quoted = 1;
                } else {
                    trimmed(&v[nf++], fs, c, delim);
                }
                nl = ch == '\r' ? c + 1 : c;
                goto record;
            }
        }
    record:;
        /* The record's text stops before the CR of a CRLF. */
        size_t len = (size_t)((nl > p && nl[-1] == '\r' ? nl - 1 : nl) - p);
        if (nf > r->limits.max_fields || len > max)
            goto refuse; /* libcsv reads it, and reports a limit */
        uint64_t first = r->lines + 1;
        r->lines += 1 + lines;
        /* A blank line is no record ("" is one empty field). */
        if (nf != 1 || v[0].len != 0 || quoted) {
            r->rec_line = first;
            tix_row row = {v, nf, first, p, len, 0};
            r->emitted++;
            *st = r->fn(r->ctx, &row);
            r->text.len = 0;
            tix_rbuf_trim(&r->text);
            if (*st != TIX_OK)
                return nl + 1;
        }
        p = nl + 1;
        if (once)
            return p;
        /* The next record starts in the block in hand: what its masks
         * have left is the next record's (but the LF of a CRLF), unless
         * they were cut at this record's stop. */
        if ((size_t)(p - blk) < 64 && !cut_short) {
            stops &= ~(uint64_t)0 << (unsigned)(p - blk);
            in_hand = 1;
        }
    }
    return p;
refuse:
    r->text.len = 0; /* the arena is libcsv's again */
    return p;
}

static const char *split_scalar(tix_reader *r, tix_blocks *b, const char *p, const char *end,
                                int once, tix_status *st)
{
    return split_with(r, b, p, end, once, st, classify_scalar);
}

#ifdef HAVE_X86_DISPATCH
static const char *split_sse2(tix_reader *r, tix_blocks *b, const char *p, const char *end,
                              int once, tix_status *st)
{
    return split_with(r, b, p, end, once, st, classify_sse2);
}

__attribute__((target("avx2,bmi,bmi2"))) static const char *
split_avx2(tix_reader *r, tix_blocks *b, const char *p, const char *end, int once, tix_status *st)
{
    return split_with(r, b, p, end, once, st, classify_avx2);
}

__attribute__((target("avx512f,avx512bw,bmi,bmi2"))) static const char *
split_avx512(tix_reader *r, tix_blocks *b, const char *p, const char *end, int once, tix_status *st)
{
    return split_with(r, b, p, end, once, st, classify_avx512);
}
#endif

tix_simd tix_simd_pick(tix_simd want, tix_split_fn *fn)
{
    if (want == TIX_SIMD_AUTO)
        want = TIX_SIMD_AVX512;
#ifdef HAVE_X86_DISPATCH
    __builtin_cpu_init();
    if (want >= TIX_SIMD_AVX512 && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2")) {
        *fn = split_avx512;
        return TIX_SIMD_AVX512;
    }
    if (want >= TIX_SIMD_AVX2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
        __builtin_cpu_supports("bmi2")) {
        *fn = split_avx2;
        return TIX_SIMD_AVX2;
    }
    if (want >= TIX_SIMD_SSE2) {
        *fn = split_sse2;
        return TIX_SIMD_SSE2;
    }
#endif
    *fn = split_scalar;
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
    tix_split_fn fn;
    s = (int)tix_simd_pick(want, &fn);
    __atomic_store_n(&chosen, s, __ATOMIC_RELAXED);
    return (tix_simd)s;
}
