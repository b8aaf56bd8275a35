/* The cube's quantile sketch (log buckets of relative width 2 %, as in
 * DDSketch: median and p90 within TIX_CUBE_SKETCH_ALPHA) and winsorizing,
 * which caps amounts at a quantile of the trailing window's buckets. */
#include "cube_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- the bucket of an amount ------------------------------------------- */

int32_t cube_sketch_bucket_log(int64_t cents)
{
    return (int32_t)ceil(log((double)cents) / SK_LOG_GAMMA);
}

/* first[b]: the smallest amount in bucket b or above (first[SK_BUCKETS] is
 * past every amount); lut[64 e + s]: the bucket of the smallest amount
 * whose leading bit is bit e and whose next 6 bits are s. */
static uint64_t first[SK_BUCKETS + 1];
static uint16_t lut[63 * 64];
static int tables_ok;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static size_t lut_index(uint64_t x, int e)
{
    uint64_t s = e >= 6 ? (x >> (e - 6)) & 63 : (x << (6 - e)) & 63;
    return (size_t)e * 64 + (size_t)s;
}

/* The smallest amount with bucket >= b, by bisection between amounts on
 * either side; exp() only narrows where to start, and is checked. */
static uint64_t first_of(int32_t b)
{
    double x = exp((double)b * SK_LOG_GAMMA);
    int64_t lo = 1, hi = INT64_MAX; /* bucket(lo) < b <= bucket(hi) */
    if (x * (1 + 1e-13) < 9.2e18) {
        int64_t l = (int64_t)(x * (1 - 1e-13)) - 2, h = (int64_t)(x * (1 + 1e-13)) + 2;
        if (l >= 1 && cube_sketch_bucket_log(l) < b)
            lo = l;
        if (h > lo && cube_sketch_bucket_log(h) >= b)
            hi = h;
    }
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (cube_sketch_bucket_log(mid) >= b)
            hi = mid;
        else
            lo = mid;
    }
    return (uint64_t)hi;
}

static void build_tables(void)
{
    if (cube_sketch_bucket_log(1) != 0 || cube_sketch_bucket_log(INT64_MAX) != SK_BUCKETS - 1)
        return; /* another libm, another SK_LOG_GAMMA: log() it is */
    first[0] = 1;
    for (int32_t b = 1; b < SK_BUCKETS; b++)
        first[b] = first_of(b);
    first[SK_BUCKETS] = UINT64_MAX;
    for (int e = 0; e < 63; e++)
        for (uint64_t s = 0; s < 64; s++) {
            /* The 1/64 octave's first and last amounts (for e < 6 most
             * s have none and stay unused). */
            uint64_t lo, last;
            if (e >= 6) {
                lo = (64 + s) << (e - 6);
                last = lo + ((uint64_t)1 << (e - 6)) - 1;
            } else {
                if (s & ((1u << (6 - e)) - 1))
                    continue;
                lo = last = ((uint64_t)1 << e) + (s >> (6 - e));
            }
            int32_t b = cube_sketch_bucket_log((int64_t)lo);
            /* Its amounts reach at most one bucket further (a 1/64 octave
             * is 1.6 % wide, a bucket 2 %), where first[] says. */
            if (cube_sketch_bucket_log((int64_t)last) > b + 1 || first[b] > lo ||
                first[b + 1] <= lo)
                return;
            lut[lut_index(lo, e)] = (uint16_t)b;
        }
    /* Bisection assumed log() never decreases; the edges must agree. */
    for (int32_t b = 1; b < SK_BUCKETS; b++)
        if (cube_sketch_bucket_log((int64_t)first[b]) < b ||
            cube_sketch_bucket_log((int64_t)first[b] - 1) >= b)
            return;
    tables_ok = 1;
}

int cube_sketch_init(void)
{
    pthread_once(&tables_once, build_tables);
    return tables_ok;
}

static inline int32_t bucket_of(int64_t cents)
{
    if (!tables_ok)
        return cube_sketch_bucket_log(cents);
    uint64_t x = (uint64_t)cents;
    int e = 63 - __builtin_clzll(x);
    int32_t b = lut[lut_index(x, e)];
    return b + (x >= first[b + 1]);
}

int32_t cube_sketch_bucket(int64_t cents) { return bucket_of(cents); }

/* ---- storage: sparse, then dense --------------------------------------- */

static int sums_kept(const tix_cube *c) { return STATS_KIND(c) == TIX_CUBE_STATS_SUMS; }

/* The bytes of a sparse sketch with room for cap buckets. */
static size_t sparse_bytes(const tix_cube *c, uint32_t cap)
{
    return (size_t)cap * (bucket_bytes(c) + sizeof(uint16_t));
}

static size_t sketch_bytes(const tix_cube *c, const pair_stats *p)
{
    return p->skb ? sparse_bytes(c, p->sk_cap) : p->sk_len * bucket_bytes(c);
}

void cube_sketch_free(const tix_cube *c, pair_stats *p)
{
    if (p->skb) {
        unsigned char *m = p->sks ? (void *)p->sks : (void *)p->sk; /* the one block */
        if (!(c->slab && m >= c->slab && m < c->slab + c->slab_len)) /* else the slab's */
            free(m);
    } else {
        free(p->sk);
        free(p->sks);
    }
    p->sk = NULL;
    p->sks = NULL;
    p->skb = NULL;
    p->sk_len = p->sk_cap = 0;
}

void cube_sketch_drop(tix_cube *c, pair_stats *p)
{
    cube_release(c, sketch_bytes(c, p));
    cube_sketch_free(c, p);
}

/* Gives sparse p (or p without a sketch) room for cap buckets. */
static tix_status sparse_room(tix_cube *c, pair_stats *p, uint32_t cap)
{
    if (p->skb && cap <= p->sk_cap)
        return TIX_OK;
    size_t old = sketch_bytes(c, p), now = sparse_bytes(c, cap);
    if (cube_reserve(c, now - old) != TIX_OK)
        return TIX_E_LIMIT;
    int sums = sums_kept(c);
    /* sums first: each array stays aligned */
    char *m = malloc(now);
    if (!m) {
        cube_release(c, now - old);
        return TIX_E_NOMEM;
    }
    int64_t *ns = sums ? (int64_t *)(void *)m : NULL;
    uint32_t *nk = (uint32_t *)(void *)(m + (sums ? cap * sizeof *ns : 0));
    uint16_t *nb = (uint16_t *)(void *)(nk + cap);
    if (p->sk_len) {
        memcpy(nk, p->sk, p->sk_len * sizeof *nk);
        memcpy(nb, p->skb, p->sk_len * sizeof *nb);
        if (sums)
            memcpy(ns, p->sks, p->sk_len * sizeof *ns);
    }
    uint32_t len = p->sk_len;
    cube_sketch_free(c, p);
    p->sk = nk;
    p->sks = ns;
    p->skb = nb;
    p->sk_len = len;
    p->sk_cap = cap;
    return TIX_OK;
}

/* Makes p dense (if it is not) with a window holding buckets [lo_b, hi_b),
 * with slack so a run of new extremes costs few copies. */
static tix_status cover(tix_cube *c, pair_stats *p, int32_t lo_b, int32_t hi_b)
{
    int dense = p->sk_len && !p->skb;
    int32_t sk_hi = p->sk_lo + (int32_t)p->sk_len;
    if (dense && lo_b >= p->sk_lo && hi_b <= sk_hi)
        return TIX_OK;
    if (p->skb && p->sk_len) { /* the sparse buckets go into the window too */
        if (p->skb[0] < lo_b)
            lo_b = p->skb[0];
        if (p->skb[p->sk_len - 1] + 1 > hi_b)
            hi_b = p->skb[p->sk_len - 1] + 1;
    }
    int32_t lo = dense ? (lo_b < p->sk_lo ? lo_b - 16 : p->sk_lo) : lo_b - 16;
    int32_t hi = dense ? (hi_b > sk_hi ? hi_b + 15 : sk_hi) : hi_b + 15;
    if (lo < 0)
        lo = 0;
    /* No amount has a bucket past SK_BUCKETS - 1 (but with another libm's
     * log, see build_tables). */
    int32_t top = hi_b > SK_BUCKETS ? hi_b : SK_BUCKETS;
    if (dense && sk_hi > top)
        top = sk_hi;
    if (hi > top)
        hi = top;
    size_t old = sketch_bytes(c, p), now = (size_t)(hi - lo) * bucket_bytes(c);
    /* A sparse sketch may be the larger: give back first what it frees. */
    if (now > old ? cube_reserve(c, now - old) != TIX_OK : 0)
        return TIX_E_LIMIT;
    int sums = sums_kept(c);
    uint32_t *nk = calloc((size_t)(hi - lo), sizeof *nk);
    int64_t *ns = sums ? calloc((size_t)(hi - lo), sizeof *ns) : NULL;
    if (!nk || (sums && !ns)) {
        free(nk);
        free(ns);
        if (now > old)
            cube_release(c, now - old);
        return TIX_E_NOMEM;
    }
    if (dense) {
        memcpy(nk + (p->sk_lo - lo), p->sk, p->sk_len * sizeof *nk);
        if (sums)
            memcpy(ns + (p->sk_lo - lo), p->sks, p->sk_len * sizeof *ns);
    } else {
        for (uint32_t k = 0; k < p->sk_len; k++) {
            nk[p->skb[k] - lo] = p->sk[k];
            if (sums)
                ns[p->skb[k] - lo] = p->sks[k];
        }
    }
    cube_sketch_free(c, p);
    if (now < old)
        cube_release(c, old - now);
    p->sk = nk;
    p->sks = ns;
    p->sk_lo = lo;
    p->sk_len = (uint32_t)(hi - lo);
    return TIX_OK;
}

/* The slot of bucket b in sparse p, or where it would go (*found = 0). */
static uint32_t sparse_find(const pair_stats *p, int32_t b, int *found)
{
    uint32_t lo = 0, hi = p->sk_len;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (p->skb[mid] < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < p->sk_len && p->skb[lo] == b;
    return lo;
}

/* A new bucket b in slot k of sparse p, which has room. */
static void sparse_insert(pair_stats *p, uint32_t k, int32_t b)
{
    /* At most SK_SPARSE_MAX slots move: loops beat three library calls. */
    for (uint32_t j = p->sk_len; j > k; j--) {
        p->sk[j] = p->sk[j - 1];
        p->skb[j] = p->skb[j - 1];
    }
    if (p->sks)
        for (uint32_t j = p->sk_len; j > k; j--)
            p->sks[j] = p->sks[j - 1];
    p->sk[k] = 0;
    p->skb[k] = (uint16_t)b;
    if (p->sks)
        p->sks[k] = 0;
    p->sk_len++;
}

/* The slot of bucket b in p, NULL when p holds none. */
static uint32_t *count_at(const pair_stats *p, int32_t b, uint32_t *k)
{
    if (p->skb) {
        int found;
        *k = sparse_find(p, b, &found);
        return found ? &p->sk[*k] : NULL;
    }
    if (b < p->sk_lo || b >= p->sk_lo + (int32_t)p->sk_len)
        return NULL;
    *k = (uint32_t)(b - p->sk_lo);
    return &p->sk[*k];
}

static tix_status defer_add(tix_cube *c, pair_stats *p, int64_t cents);

tix_status cube_sketch_add(tix_cube *c, pair_stats *p, int64_t cents)
{
    if (cents == 0) {
        p->zeros++;
        return TIX_OK;
    }
    if (c->defer)
        return defer_add(c, p, cents);
    int32_t b = bucket_of(cents);
    uint32_t k;
    if (!p->skb && (uint32_t)(b - p->sk_lo) < p->sk_len) { /* dense, in the window */
        k = (uint32_t)(b - p->sk_lo);
    } else if (p->sk_len && !p->skb) { /* dense, past the window */
        tix_status st = cover(c, p, b, b + 1);
        if (st != TIX_OK)
            return st;
        k = (uint32_t)(b - p->sk_lo);
    } else {
        int found;
        k = p->skb ? sparse_find(p, b, &found) : (found = 0);
        if (!found) {
            tix_status st = TIX_OK;
            if (p->sk_len == SK_SPARSE_MAX)
                return (st = cover(c, p, b, b + 1)) != TIX_OK ? st : cube_sketch_add(c, p, cents);
            if (!p->skb || p->sk_len == p->sk_cap)
                st = sparse_room(c, p, p->sk_cap ? 2 * p->sk_cap : SK_SPARSE_FIRST);
            if (st != TIX_OK)
                return st;
            sparse_insert(p, k, b);
        }
    }
    if (p->sk[k] == UINT32_MAX)
        return TIX_E_OVERFLOW;
    p->sk[k]++;
    if (p->sks) /* at most the pair's sum, which is checked */
        p->sks[k] += cents;
    return TIX_OK;
}

/* ---- deferred sketches (cube_internal.h) -------------------------------- */

typedef struct sk_pend {
    uint32_t pair;
    int32_t bucket;
    int64_t cents;
} sk_pend;

void cube_sketch_defer(tix_cube *c)
{
    if (STATS_KIND(c) && !c->npairs && !c->final)
        c->defer = 1;
}

static tix_status defer_add(tix_cube *c, pair_stats *p, int64_t cents)
{
    if (c->defer != 1)
        return TIX_E_INVALID;
    /* No bucket of a pair can hold more than the list: no count overflows. */
    if (c->npend == c->pend_cap) {
        size_t cap = c->pend_cap ? 2 * c->pend_cap : 1024;
        if (cap > UINT32_MAX)
            return TIX_E_LIMIT;
        if (cube_reserve(c, (cap - c->pend_cap) * sizeof *c->pend) != TIX_OK)
            return TIX_E_LIMIT;
        sk_pend *n = realloc(c->pend, cap * sizeof *n);
        if (!n) {
            cube_release(c, (cap - c->pend_cap) * sizeof *c->pend);
            return TIX_E_NOMEM;
        }
        c->pend = n;
        c->pend_cap = cap;
    }
    c->pend[c->npend++] = (sk_pend){(uint32_t)(p - c->stats), bucket_of(cents), cents};
    return TIX_OK;
}

static size_t distinct(const sk_pend *r, size_t n)
{
    size_t d = n > 0;
    for (size_t i = 1; i < n; i++)
        d += r[i].bucket != r[i - 1].bucket;
    return d;
}

/* Whether a run of d buckets makes a sparse sketch, as the adds decide. */
static int run_sparse(const sk_pend *r, size_t len, size_t d)
{
    return d > 0 && d <= SK_SPARSE_MAX && r[len - 1].bucket <= UINT16_MAX;
}

static size_t slab_bytes(const tix_cube *c, size_t d)
{
    return (sparse_bytes(c, (uint32_t)d) + 7) & ~(size_t)7; /* each block 8-aligned */
}

static void settle_fail(tix_cube *c)
{
    c->defer = 2;
    free(c->pend);
    c->pend = NULL;
    c->npend = c->pend_cap = 0;
}

tix_status cube_sketch_settle(tix_cube *c)
{
    if (c->defer != 1)
        return c->defer ? TIX_E_INVALID : TIX_OK;
    size_t n = c->npend, np = c->npairs;
    int sums = sums_kept(c);
    /* Sorted by bucket, then (stable) by pair: two counting sorts, as the
     * buckets are few (SK_BUCKETS, unless another libm's log gives more). */
    int32_t top = 0;
    for (size_t i = 0; i < n; i++)
        if (c->pend[i].bucket > top)
            top = c->pend[i].bucket;
    size_t nbk = (size_t)top + 1;
    uint32_t *end = calloc((np > nbk ? np : nbk) + 1, sizeof *end);
    sk_pend *s = malloc((n ? n : 1) * sizeof *s), *t = malloc((n ? n : 1) * sizeof *t);
    if (!end || !s || !t) {
        free(end);
        free(s);
        free(t);
        settle_fail(c);
        return TIX_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        end[c->pend[i].bucket + 1]++;
    for (size_t i = 0; i < nbk; i++)
        end[i + 1] += end[i];
    for (size_t i = 0; i < n; i++)
        t[end[c->pend[i].bucket]++] = c->pend[i];
    memset(end, 0, ((np > nbk ? np : nbk) + 1) * sizeof *end);
    for (size_t i = 0; i < n; i++)
        end[t[i].pair + 1]++;
    for (size_t i = 0; i < np; i++)
        end[i + 1] += end[i];
    for (size_t i = 0; i < n; i++)
        s[end[t[i].pair]++] = t[i];
    free(t);
    /* Now pair i's run is [i ? end[i - 1] : 0, end[i]). */
    size_t slab = 0;
    for (size_t i = 0; i < np; i++) {
        size_t lo = i ? end[i - 1] : 0, len = end[i] - lo;
        size_t d = distinct(s + lo, len);
        if (run_sparse(s + lo, len, d))
            slab += slab_bytes(c, d);
    }
    tix_status st = TIX_OK;
    if (slab && cube_reserve(c, slab) != TIX_OK)
        st = TIX_E_LIMIT;
    else if (slab && !(c->slab = malloc(slab))) {
        cube_release(c, slab);
        st = TIX_E_NOMEM;
    }
    if (st == TIX_OK)
        c->slab_len = slab;
    /* Each pair's sketch: sparse in the slab, or a dense window (cover),
     * by the rule the adds follow (dense past SK_SPARSE_MAX buckets). The
     * slab's bytes were taken once: each sparse sketch's are its own
     * (sparse_bytes), the rest rounding. */
    size_t at = 0;
    for (size_t i = 0; st == TIX_OK && i < np; i++) {
        size_t lo = i ? end[i - 1] : 0, len = end[i] - lo, d = distinct(s + lo, len);
        const sk_pend *r = s + lo;
        pair_stats *p = &c->stats[i];
        if (!d)
            continue;
        if (run_sparse(r, len, d)) {
            unsigned char *m = c->slab + at;
            at += slab_bytes(c, d);
            int64_t *ns = sums ? (int64_t *)(void *)m : NULL;
            uint32_t *nk = (uint32_t *)(void *)(m + (sums ? d * sizeof *ns : 0));
            uint16_t *nb = (uint16_t *)(void *)(nk + d);
            size_t k = 0;
            for (size_t j = 0; j < len; j++) {
                if (j && r[j].bucket == r[j - 1].bucket) {
                    nk[k - 1]++;
                } else {
                    nk[k] = 1;
                    nb[k] = (uint16_t)r[j].bucket;
                    if (sums)
                        ns[k] = 0;
                    k++;
                }
                if (sums)
                    ns[k - 1] += r[j].cents; /* at most the pair's sum */
            }
            p->sk = nk;
            p->sks = ns;
            p->skb = nb;
            p->sk_len = p->sk_cap = (uint32_t)d;
            continue;
        }
        if ((st = cover(c, p, r[0].bucket, r[len - 1].bucket + 1)) != TIX_OK)
            break;
        for (size_t j = 0; j < len; j++) {
            size_t k = (size_t)(r[j].bucket - p->sk_lo);
            p->sk[k]++;
            if (sums)
                p->sks[k] += r[j].cents;
        }
    }
    free(end);
    free(s);
    cube_release(c, c->pend_cap * sizeof *c->pend);
    if (st != TIX_OK) {
        settle_fail(c);
        return st;
    }
    free(c->pend);
    c->pend = NULL;
    c->npend = c->pend_cap = 0;
    c->defer = 0;
    return TIX_OK;
}

/* ---- merging ------------------------------------------------------------- */

int cube_sketch_overflows(const pair *p, const pair_stats *s, const cube_pair *v)
{
    if (p->n <= UINT32_MAX && v->n <= UINT32_MAX - p->n)
        return 0; /* no bucket holds more than all the amounts */
    for (uint32_t j = 0; j < v->sk_len; j++) {
        uint32_t k;
        const uint32_t *n = v->sk[j] ? count_at(s, SK_BUCKET(v, j), &k) : NULL;
        if (n && *n > UINT32_MAX - v->sk[j])
            return 1;
    }
    return 0;
}

tix_status cube_sketch_room(tix_cube *c, pair_stats *p, const cube_pair *v)
{
    int sparse = p->skb || !p->sk_len;
    if (!sparse && v->skb) /* sparse slots are all in use: the ends say it */
        return v->sk_len ? cover(c, p, v->skb[0], v->skb[v->sk_len - 1] + 1) : TIX_OK;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    uint32_t fresh = 0; /* v's buckets that sparse p lacks */
    for (uint32_t j = 0, k = 0; j < v->sk_len; j++) {
        if (!v->sk[j])
            continue;
        int32_t b = SK_BUCKET(v, j);
        if (b < lo)
            lo = b;
        hi = b + 1;
        if (sparse) { /* both increase: one walk */
            while (k < p->sk_len && p->skb[k] < b)
                k++;
            fresh += !(k < p->sk_len && p->skb[k] == b);
        }
    }
    if (hi == INT32_MIN)
        return TIX_OK;
    if (p->sk_len && !p->skb)
        return cover(c, p, lo, hi);
    uint32_t need = p->sk_len + fresh;
    if (need > SK_SPARSE_MAX || hi > UINT16_MAX)
        return cover(c, p, lo, hi);
    uint32_t cap = p->sk_cap ? p->sk_cap : SK_SPARSE_FIRST;
    while (cap < need)
        cap *= 2;
    return sparse_room(c, p, cap);
}

#if defined(__GNUC__)
/* The lines of dense p's slot for bucket b, when its window holds b.
 * Inlined early on purpose, as cube.c's merge_prefetch: GCC drops calls
 * to a function that only prefetches before it would inline them. */
static inline __attribute__((always_inline)) void bucket_prefetch(const pair_stats *p, int32_t b)
{
    uint32_t k = (uint32_t)(b - p->sk_lo);
    if (k < p->sk_len) {
        __builtin_prefetch(&p->sk[k], 1);
        if (p->sks)
            __builtin_prefetch(&p->sks[k], 1);
    }
}
#endif

void cube_sketch_prefetch(const pair_stats *p, const pair_stats *q)
{
#if defined(__GNUC__)
    if (p->skb || !q->skb)
        return;
    for (uint32_t j = 0; j < q->sk_len; j++)
        bucket_prefetch(p, q->skb[j]);
#else
    (void)p;
    (void)q;
#endif
}

void cube_sketch_prefetch_amount(const tix_cube *c, const pair_stats *p, int64_t cents)
{
#if defined(__GNUC__)
    if (cents <= 0 || !p->sk_len)
        return;
    if (p->skb) { /* the one block: its sums, counts and buckets */
        const unsigned char *m = p->sks ? (const void *)p->sks : (const void *)p->sk;
        uintptr_t at = (uintptr_t)m, end = at + sparse_bytes(c, p->sk_cap);
        for (uintptr_t l = at & ~(uintptr_t)63; l < end; l += 64)
            __builtin_prefetch((const void *)l, 1);
        return;
    }
    bucket_prefetch(p, bucket_of(cents));
#else
    (void)c;
    (void)p;
    (void)cents;
#endif
}

void cube_sketch_absorb(pair_stats *p, const cube_pair *v)
{
    if (!p->skb) { /* dense, covering v's buckets (cube_sketch_room) */
        uint32_t *sk = p->sk;
        int64_t *sks = p->sks;
        for (uint32_t j = 0; j < v->sk_len; j++) {
            if (!v->sk[j])
                continue;
            uint32_t k = (uint32_t)(SK_BUCKET(v, j) - p->sk_lo);
            sk[k] += v->sk[j];
            if (sks)
                sks[k] += v->sks[j];
        }
        return;
    }
    /* Sparse with room for the union: merged from the top down, in place. */
    uint32_t u = p->sk_len;
    for (uint32_t j = 0, k = 0; j < v->sk_len; j++) {
        if (!v->sk[j])
            continue;
        int32_t b = SK_BUCKET(v, j);
        while (k < p->sk_len && p->skb[k] < b)
            k++;
        u += !(k < p->sk_len && p->skb[k] == b);
    }
    uint32_t i = p->sk_len, j = v->sk_len, w = u;
    while (j > 0) {
        if (!v->sk[j - 1]) {
            j--;
            continue;
        }
        int32_t b = SK_BUCKET(v, j - 1);
        w--;
        if (i > 0 && p->skb[i - 1] > b) { /* p's slot i - 1 goes up */
            i--;
            p->skb[w] = p->skb[i];
            p->sk[w] = p->sk[i];
            if (p->sks)
                p->sks[w] = p->sks[i];
            continue;
        }
        uint32_t n = v->sk[j - 1];
        int64_t sum = p->sks ? v->sks[j - 1] : 0;
        if (i > 0 && p->skb[i - 1] == b) {
            i--;
            n += p->sk[i];
            sum += p->sks ? p->sks[i] : 0;
        }
        p->skb[w] = (uint16_t)b;
        p->sk[w] = n;
        if (p->sks)
            p->sks[w] = sum;
        j--;
    }
    p->sk_len = u; /* p's slots below i stay where they were */
}

/* ---- reading ------------------------------------------------------------- */

/* The k-th smallest amount (1-based) from the sketch. */
double cube_sketch_rank(const pair *p, const pair_stats *s, uint64_t k)
{
    /* The extremes are known exactly. */
    if (k <= 1)
        return (double)s->min;
    if (k >= p->n)
        return (double)p->max;
    if (k <= s->zeros)
        return 0.0;
    uint64_t seen = s->zeros;
    for (uint32_t j = 0; j < s->sk_len; j++) {
        seen += s->sk[j];
        if (seen >= k) {
            /* The midpoint of the bucket in relative terms. */
            double v = 2.0 * pow(SK_GAMMA, (double)SK_BUCKET(s, j)) / (SK_GAMMA + 1.0);
            if (v < (double)s->min)
                v = (double)s->min;
            if (v > (double)p->max)
                v = (double)p->max;
            return v;
        }
    }
    return (double)p->max;
}

/* The largest amount in bucket b: cube_sketch_bucket_log is the one
 * authority on which amount falls in which bucket, so the edge is found
 * through it (or through the tables made from it). */
static int64_t bucket_top(int32_t b)
{
    if (tables_ok && b >= 0 && b < SK_BUCKETS)
        return b + 1 == SK_BUCKETS ? INT64_MAX : (int64_t)first[b + 1] - 1;
    double e = floor(exp((double)b * SK_LOG_GAMMA));
    int64_t x = e >= 9.2e18 ? INT64_MAX : (int64_t)e;
    while (x > 1 && cube_sketch_bucket_log(x) > b)
        x--;
    while (x < INT64_MAX && cube_sketch_bucket_log(x + 1) <= b)
        x++;
    return x;
}

/* Adds (sign 1) or takes away (-1) pair w's buckets in the histogram of
 * buckets from lo. */
static void histogram(uint64_t *hist, int32_t lo, const pair_stats *w, int sign)
{
    for (uint32_t k = 0; k < w->sk_len; k++)
        hist[SK_BUCKET(w, k) - lo] += sign > 0 ? w->sk[k] : -(uint64_t)w->sk[k];
}

tix_status tix_cube_winsorize(const tix_cube *c, double q, size_t window, int64_t *values,
                              uint64_t *capped)
{
    if (!c->final || STATS_KIND(c) != TIX_CUBE_STATS_SUMS || !(q > 0) || !(q <= 1) ||
        window < 1)
        return TIX_E_INVALID;
    /* The window's histogram, over the union of the pairs' buckets. */
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < c->npairs; i++) {
        const pair_stats *p = &c->stats[i];
        if (p->sk_len) {
            if (SK_BUCKET(p, 0) < lo)
                lo = SK_BUCKET(p, 0);
            if (SK_BUCKET(p, p->sk_len - 1) + 1 > hi)
                hi = SK_BUCKET(p, p->sk_len - 1) + 1;
        }
    }
    size_t nb = hi > lo ? (size_t)(hi - lo) : 1;
    /* Each cell's pairs in period order (the view is period after period),
     * so that its window slides: each pair enters and leaves it once. */
    size_t nc = tix_cube_ncells(c);
    uint64_t *hist = calloc(nb, sizeof *hist);
    size_t *start = calloc(nc + 1, sizeof *start);
    uint32_t *seq = malloc((c->npairs ? c->npairs : 1) * sizeof *seq);
    if (!hist || !start || !seq) {
        free(hist);
        free(start);
        free(seq);
        return TIX_E_NOMEM;
    }
    for (size_t v = 0; v < c->npairs; v++)
        start[c->view[v].cell + 1]++;
    for (size_t r = 0; r < nc; r++)
        start[r + 1] += start[r];
    for (size_t v = 0; v < c->npairs; v++)
        seq[start[c->view[v].cell]++] = (uint32_t)v;
    for (size_t r = nc; r > 0; r--)
        start[r] = start[r - 1];
    start[0] = 0;
    /* Periods are int32: a longer window holds them all. */
    int64_t span = window > ((size_t)1 << 33) ? (int64_t)1 << 33 : (int64_t)window;
    for (size_t r = 0; r < nc; r++) {
        uint64_t total = 0, zeros = 0;
        size_t head = start[r];
        for (size_t s = start[r]; s < start[r + 1]; s++) {
            size_t v = seq[s];
            const pair *p = &c->pairs[c->order[v]];
            const pair_stats *ps = ST(c, p);
            /* The cell's amounts over the trailing window of periods. */
            histogram(hist, lo, ps, 1);
            total += p->n;
            zeros += ps->zeros;
            for (; (int64_t)c->pairs[c->order[seq[head]]].period <= (int64_t)p->period - span;
                 head++) {
                const pair *w = &c->pairs[c->order[seq[head]]];
                histogram(hist, lo, ST(c, w), -1);
                total -= w->n;
                zeros -= ST(c, w)->zeros;
            }
            /* The bucket of the ceil(q total)-th smallest amount. */
            uint64_t rank = (uint64_t)ceil(q * (double)total);
            if (rank < 1)
                rank = 1;
            int32_t cap_b = INT32_MIN; /* below every bucket: the cap is 0 */
            uint64_t seen = zeros;
            for (size_t k = 0; seen < rank && k < nb; k++) {
                seen += hist[k];
                cap_b = lo + (int32_t)k;
            }
            int64_t cap = cap_b == INT32_MIN ? 0 : bucket_top(cap_b);
            /* This pair: its buckets up to the cap's keep their exact sums,
             * the amounts above become the cap. */
            int64_t sum = 0;
            uint64_t over = 0;
            for (uint32_t k = 0; k < ps->sk_len; k++) {
                if (SK_BUCKET(ps, k) <= cap_b)
                    sum += ps->sks[k];
                else
                    over += ps->sk[k];
            }
            values[v] = sum + (int64_t)over * cap; /* at most p->sum: no overflow */
            capped[v] = over;
        }
        for (; head < start[r + 1]; head++) /* empty again for the next cell */
            histogram(hist, lo, &c->stats[c->order[seq[head]]], -1);
    }
    free(hist);
    free(start);
    free(seq);
    return TIX_OK;
}
