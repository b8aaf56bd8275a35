/* The cube's quantile sketch (log buckets of relative width 2 %, as in
 * DDSketch: median and p90 within TIX_CUBE_SKETCH_ALPHA) and winsorizing,
 * which caps amounts at a quantile of the trailing window's buckets. */
#include "cube_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int32_t bucket_of(int64_t cents) { return (int32_t)ceil(log((double)cents) / SK_LOG_GAMMA); }

/* Widens p's bucket window to hold buckets [lo_b, hi_b), with slack so a
 * run of new extremes costs few copies. */
tix_status cube_sketch_cover(tix_cube *c, pair *p, int32_t lo_b, int32_t hi_b)
{
    int32_t sk_hi = p->sk_lo + (int32_t)p->sk_len;
    if (p->sk_len && lo_b >= p->sk_lo && hi_b <= sk_hi)
        return TIX_OK;
    int32_t lo = p->sk_len ? (lo_b < p->sk_lo ? lo_b - 16 : p->sk_lo) : lo_b - 16;
    int32_t hi = p->sk_len ? (hi_b > sk_hi ? hi_b + 15 : sk_hi) : hi_b + 15;
    if (lo < 0)
        lo = 0;
    size_t grow = ((size_t)(hi - lo) - p->sk_len) * bucket_bytes(c);
    if (cube_reserve(c, grow) != TIX_OK)
        return TIX_E_LIMIT;
    int sums = STATS_KIND(c) == TIX_CUBE_STATS_SUMS;
    uint32_t *nk = calloc((size_t)(hi - lo), sizeof *nk);
    int64_t *ns = sums ? calloc((size_t)(hi - lo), sizeof *ns) : NULL;
    if (!nk || (sums && !ns)) {
        free(nk);
        free(ns);
        cube_release(c, grow);
        return TIX_E_NOMEM;
    }
    if (p->sk_len) {
        memcpy(nk + (p->sk_lo - lo), p->sk, p->sk_len * sizeof *nk);
        if (sums)
            memcpy(ns + (p->sk_lo - lo), p->sks, p->sk_len * sizeof *ns);
    }
    free(p->sk);
    free(p->sks);
    p->sk = nk;
    p->sks = ns;
    p->sk_lo = lo;
    p->sk_len = (uint32_t)(hi - lo);
    return TIX_OK;
}

tix_status cube_sketch_add(tix_cube *c, pair *p, int64_t cents)
{
    if (cents == 0) {
        p->zeros++;
        return TIX_OK;
    }
    int32_t b = bucket_of(cents);
    tix_status st = cube_sketch_cover(c, p, b, b + 1);
    if (st != TIX_OK)
        return st;
    uint32_t *slot = &p->sk[b - p->sk_lo];
    if (*slot == UINT32_MAX)
        return TIX_E_OVERFLOW;
    (*slot)++;
    if (p->sks) /* at most the pair's sum, which is checked */
        p->sks[b - p->sk_lo] += cents;
    return TIX_OK;
}

/* The k-th smallest amount (1-based) from the sketch. */
double cube_sketch_rank(const pair *p, uint64_t k)
{
    /* The extremes are known exactly. */
    if (k <= 1)
        return (double)p->min;
    if (k >= p->n)
        return (double)p->max;
    if (k <= p->zeros)
        return 0.0;
    uint64_t seen = p->zeros;
    for (uint32_t j = 0; j < p->sk_len; j++) {
        seen += p->sk[j];
        if (seen >= k) {
            /* The midpoint of the bucket in relative terms. */
            double v = 2.0 * pow(SK_GAMMA, (double)(p->sk_lo + (int32_t)j)) / (SK_GAMMA + 1.0);
            if (v < (double)p->min)
                v = (double)p->min;
            if (v > (double)p->max)
                v = (double)p->max;
            return v;
        }
    }
    return (double)p->max;
}

/* The largest amount in bucket b: bucket_of is the one authority on which
 * amount falls in which bucket, so the edge is found through it. */
static int64_t bucket_top(int32_t b)
{
    double e = floor(exp((double)b * SK_LOG_GAMMA));
    int64_t x = e >= 9.2e18 ? INT64_MAX : (int64_t)e;
    while (x > 1 && bucket_of(x) > b)
        x--;
    while (x < INT64_MAX && bucket_of(x + 1) <= b)
        x++;
    return x;
}

tix_status tix_cube_winsorize(const tix_cube *c, double q, size_t window, int64_t *values,
                              uint64_t *capped)
{
    if (!c->final || STATS_KIND(c) != TIX_CUBE_STATS_SUMS || !(q > 0) || !(q <= 1) ||
        window < 1)
        return TIX_E_INVALID;
    /* The window's histogram, over the union of the pairs' bucket ranges. */
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < c->npairs; i++)
        if (c->pairs[i].sk_len) {
            if (c->pairs[i].sk_lo < lo)
                lo = c->pairs[i].sk_lo;
            if (c->pairs[i].sk_lo + (int32_t)c->pairs[i].sk_len > hi)
                hi = c->pairs[i].sk_lo + (int32_t)c->pairs[i].sk_len;
        }
    size_t nb = hi > lo ? (size_t)(hi - lo) : 1;
    uint64_t *hist = malloc(nb * sizeof *hist);
    if (!hist)
        return TIX_E_NOMEM;
    for (size_t v = 0; v < c->npairs; v++) {
        const pair *p = &c->pairs[c->order[v]];
        memset(hist, 0, nb * sizeof *hist);
        uint64_t total = 0, zeros = 0;
        /* The cell's amounts over the trailing window of periods. */
        for (int64_t t = (int64_t)p->period - (int64_t)window + 1; t <= p->period; t++) {
            if (t < INT32_MIN)
                continue;
            const pair *w = cube_lookup_pair(c, (int32_t)t, p->cell);
            if (!w)
                continue;
            total += w->n;
            zeros += w->zeros;
            for (uint32_t k = 0; k < w->sk_len; k++)
                hist[w->sk_lo - lo + (int32_t)k] += w->sk[k];
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
        /* This pair: its buckets up to the cap's keep their exact sums, the
         * amounts above become the cap. */
        int64_t sum = 0;
        uint64_t over = 0;
        for (uint32_t k = 0; k < p->sk_len; k++) {
            if (p->sk_lo + (int32_t)k <= cap_b)
                sum += p->sks[k];
            else
                over += p->sk[k];
        }
        values[v] = sum + (int64_t)over * cap; /* at most p->sum: no overflow */
        capped[v] = over;
    }
    free(hist);
    return TIX_OK;
}
