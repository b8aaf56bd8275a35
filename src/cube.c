#include "techidx/cube.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bytes_internal.h"
#include "cube_internal.h"

__extension__ typedef unsigned __int128 u128;

/* Sketch buckets: bucket b holds amounts x (cents) with
 * gamma^(b-1) < x <= gamma^b, gamma = (1+alpha)/(1-alpha). Counts depend only
 * on the multiset of amounts, never on their order. */
#define SK_GAMMA ((1 + TIX_CUBE_SKETCH_ALPHA) / (1 - TIX_CUBE_SKETCH_ALPHA))
#define SK_LOG_GAMMA 0.020000666706669435 /* log(SK_GAMMA) for alpha = 0.01 */

typedef struct pair {
    int32_t period;
    uint32_t cell; /* id in insertion order */
    uint64_t n;
    int64_t sum;
    /* cell_stats only */
    int64_t min, max;
    u128 sumsq;
    int sumsq_overflow;
    uint64_t zeros; /* amounts of 0, outside the log buckets */
    int32_t sk_lo;  /* first bucket held in sk */
    uint32_t sk_len;
    uint32_t *sk;
    int64_t *sks; /* TIX_CUBE_STATS_SUMS: the exact sum of each bucket */
} pair;

typedef struct cell_name {
    char *name;
    size_t len;
    uint64_t hash;
} cell_name;

struct tix_cube {
    tix_cube_opts opts;
    int final;
    size_t bytes; /* taken from opts.budget */
    int32_t day_lo, day_hi; /* signing dates seen, when day_lo <= day_hi */

    cell_name *cells; /* by id */
    size_t ncells, cells_cap;
    uint32_t *cell_slots; /* open addressing: id + 1, 0 = empty */
    size_t cell_mask;

    pair *pairs;
    size_t npairs, pairs_cap;

    /* A dense index (period, cell id) -> pair index + 1 over a window of
     * periods, in front of the hash: most rows find their pair with one
     * load. It is dropped for good when the window would pass
     * DENSE_MAX_SLOTS (dates spread over centuries, say). */
    uint32_t *dense;
    int32_t dense_lo;
    size_t dense_np, dense_nc;
    int dense_off;
    uint32_t *pair_slots; /* index + 1 */
    size_t pair_mask;

    /* finalize() views */
    uint32_t *rank_of;    /* cell id -> rank */
    uint32_t *id_of_rank; /* rank -> cell id */
    int32_t *periods;
    size_t nperiods;
    size_t *period_start; /* nperiods + 1 offsets into view/order */
    tix_cube_entry *view;
    uint32_t *order; /* view position -> pair index */
};

/* Memory of one sketch bucket. */
#define bucket_bytes(c)                                                                            \
    (sizeof(uint32_t) + ((c)->opts.cell_stats == TIX_CUBE_STATS_SUMS ? sizeof(int64_t) : 0))

/* Counts n more bytes against the budget; TIX_E_LIMIT when it is spent. */
static tix_status reserve(tix_cube *c, size_t n)
{
    if (!tix_budget_take(c->opts.budget, n))
        return TIX_E_LIMIT;
    c->bytes += n;
    return TIX_OK;
}

static void release(tix_cube *c, size_t n)
{
    tix_budget_give(c->opts.budget, n);
    c->bytes -= n;
}

/* Eight bytes at a time, then a final mix: cell names are short, and this
 * runs once per row. The last word overlaps the one before it when n is not
 * a multiple of eight; n itself is mixed in first. */
static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    const char *end = p + n;
    for (; end - p > 8; p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    uint64_t w = n >= 8 ? tix_load_le(end - 8, 8) : tix_load_le(p, n);
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

static uint64_t hash_pair(int32_t period, uint32_t cell)
{
    uint64_t x = ((uint64_t)(uint32_t)period << 32) | cell;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

tix_status tix_cube_new(tix_cube **out, const tix_cube_opts *opts)
{
    *out = NULL;
    if (!opts || (unsigned)opts->period > TIX_PERIOD_YEAR)
        return TIX_E_INVALID;
    tix_cube *c = calloc(1, sizeof *c);
    if (!c)
        return TIX_E_NOMEM;
    c->opts = *opts;
    c->day_lo = INT32_MAX;
    c->day_hi = INT32_MIN;
    if (!c->opts.max_cells)
        c->opts.max_cells = 100000;
    if (!c->opts.max_pairs)
        c->opts.max_pairs = 10000000;
    c->cell_mask = 63;
    c->pair_mask = 1023;
    if (reserve(c, (c->cell_mask + 1) * sizeof *c->cell_slots +
                       (c->pair_mask + 1) * sizeof *c->pair_slots) != TIX_OK) {
        tix_cube_free(c);
        return TIX_E_LIMIT;
    }
    c->cell_slots = calloc(c->cell_mask + 1, sizeof *c->cell_slots);
    c->pair_slots = calloc(c->pair_mask + 1, sizeof *c->pair_slots);
    if (!c->cell_slots || !c->pair_slots) {
        tix_cube_free(c);
        return TIX_E_NOMEM;
    }
    *out = c;
    return TIX_OK;
}

/* Doubles an open-addressing table of ids; `key` gives each id's hash. */
static tix_status grow_slots(uint32_t **slots, size_t *mask, size_t count,
                             uint64_t (*key)(const tix_cube *, uint32_t), tix_cube *c)
{
    size_t nmask = *mask * 2 + 1;
    if (reserve(c, (nmask + 1) * sizeof **slots) != TIX_OK)
        return TIX_E_LIMIT;
    uint32_t *ns = calloc(nmask + 1, sizeof *ns);
    if (!ns) {
        release(c, (nmask + 1) * sizeof **slots);
        return TIX_E_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        size_t h = (size_t)key(c, (uint32_t)i) & nmask;
        while (ns[h])
            h = (h + 1) & nmask;
        ns[h] = (uint32_t)i + 1;
    }
    free(*slots);
    release(c, (*mask + 1) * sizeof **slots);
    *slots = ns;
    *mask = nmask;
    return TIX_OK;
}

static uint64_t cell_hash_of(const tix_cube *c, uint32_t id) { return c->cells[id].hash; }

static uint64_t pair_hash_of(const tix_cube *c, uint32_t i)
{
    return hash_pair(c->pairs[i].period, c->pairs[i].cell);
}

/* Grows an array to `cap` elements of `size` bytes against the budget. */
static tix_status grow_array(tix_cube *c, void **arr, size_t *cap, size_t size, size_t min)
{
    size_t ncap = *cap ? *cap * 2 : min;
    if (reserve(c, (ncap - *cap) * size) != TIX_OK)
        return TIX_E_LIMIT;
    void *na = realloc(*arr, ncap * size);
    if (!na) {
        release(c, (ncap - *cap) * size);
        return TIX_E_NOMEM;
    }
    *arr = na;
    *cap = ncap;
    return TIX_OK;
}

/* Every resource is secured before anything is inserted, so a failed add
 * leaves the cube as it was. */
static tix_status intern_cell(tix_cube *c, const char *p, size_t n, uint32_t *id, int *fresh)
{
    *fresh = 0;
    uint64_t h = hash_bytes(p, n);
    size_t s = (size_t)h & c->cell_mask;
    for (; c->cell_slots[s]; s = (s + 1) & c->cell_mask) {
        cell_name *cn = &c->cells[c->cell_slots[s] - 1];
        if (cn->hash == h && cn->len == n && memcmp(cn->name, p, n) == 0) {
            *id = c->cell_slots[s] - 1;
            return TIX_OK;
        }
    }
    if (c->ncells >= c->opts.max_cells)
        return TIX_E_LIMIT;
    tix_status st = TIX_OK;
    if (c->ncells == c->cells_cap)
        st = grow_array(c, (void **)&c->cells, &c->cells_cap, sizeof *c->cells, 16);
    if (st == TIX_OK && (c->ncells + 1) * 2 > c->cell_mask) {
        st = grow_slots(&c->cell_slots, &c->cell_mask, c->ncells, cell_hash_of, c);
        for (s = (size_t)h & c->cell_mask; st == TIX_OK && c->cell_slots[s];)
            s = (s + 1) & c->cell_mask;
    }
    if (st != TIX_OK)
        return st;
    if (reserve(c, n + 1) != TIX_OK)
        return TIX_E_LIMIT;
    char *name = malloc(n + 1);
    if (!name) {
        release(c, n + 1);
        return TIX_E_NOMEM;
    }
    memcpy(name, p, n);
    name[n] = '\0';
    c->cells[c->ncells] = (cell_name){name, n, h};
    c->cell_slots[s] = (uint32_t)++c->ncells;
    *id = (uint32_t)(c->ncells - 1);
    *fresh = 1;
    return TIX_OK;
}

/* Takes back the cell interned last. Clearing its slot cannot break a probe
 * chain: nothing was inserted after it. */
static void forget_last_cell(tix_cube *c)
{
    cell_name *cn = &c->cells[c->ncells - 1];
    size_t s = (size_t)cn->hash & c->cell_mask;
    while (c->cell_slots[s] != c->ncells)
        s = (s + 1) & c->cell_mask;
    c->cell_slots[s] = 0;
    release(c, cn->len + 1);
    free(cn->name);
    c->ncells--;
}

static tix_status find_pair(tix_cube *c, int32_t period, uint32_t cell, pair **out, int *fresh)
{
    *fresh = 0;
    uint64_t h = hash_pair(period, cell);
    size_t s = (size_t)h & c->pair_mask;
    for (; c->pair_slots[s]; s = (s + 1) & c->pair_mask) {
        pair *p = &c->pairs[c->pair_slots[s] - 1];
        if (p->period == period && p->cell == cell) {
            *out = p;
            return TIX_OK;
        }
    }
    if (c->npairs >= c->opts.max_pairs)
        return TIX_E_LIMIT;
    tix_status st = TIX_OK;
    if (c->npairs == c->pairs_cap)
        st = grow_array(c, (void **)&c->pairs, &c->pairs_cap, sizeof *c->pairs, 64);
    if (st == TIX_OK && (c->npairs + 1) * 2 > c->pair_mask) {
        st = grow_slots(&c->pair_slots, &c->pair_mask, c->npairs, pair_hash_of, c);
        for (s = (size_t)h & c->pair_mask; st == TIX_OK && c->pair_slots[s];)
            s = (s + 1) & c->pair_mask;
    }
    if (st != TIX_OK)
        return st;
    pair *p = &c->pairs[c->npairs];
    memset(p, 0, sizeof *p);
    p->period = period;
    p->cell = cell;
    p->min = INT64_MAX;
    c->pair_slots[s] = (uint32_t)++c->npairs;
    *out = p;
    *fresh = 1;
    return TIX_OK;
}

/* Takes back the pair made last (see forget_last_cell). */
static void forget_last_pair(tix_cube *c)
{
    pair *p = &c->pairs[c->npairs - 1];
    size_t s = (size_t)hash_pair(p->period, p->cell) & c->pair_mask;
    while (c->pair_slots[s] != c->npairs)
        s = (s + 1) & c->pair_mask;
    c->pair_slots[s] = 0;
    release(c, p->sk_len * bucket_bytes(c));
    free(p->sk);
    free(p->sks);
    c->npairs--;
}

static int32_t bucket_of(int64_t cents) { return (int32_t)ceil(log((double)cents) / SK_LOG_GAMMA); }

/* Widens p's bucket window to hold buckets [lo_b, hi_b), with slack so a
 * run of new extremes costs few copies. */
static tix_status sketch_cover(tix_cube *c, pair *p, int32_t lo_b, int32_t hi_b)
{
    int32_t sk_hi = p->sk_lo + (int32_t)p->sk_len;
    if (p->sk_len && lo_b >= p->sk_lo && hi_b <= sk_hi)
        return TIX_OK;
    int32_t lo = p->sk_len ? (lo_b < p->sk_lo ? lo_b - 16 : p->sk_lo) : lo_b - 16;
    int32_t hi = p->sk_len ? (hi_b > sk_hi ? hi_b + 15 : sk_hi) : hi_b + 15;
    if (lo < 0)
        lo = 0;
    size_t grow = ((size_t)(hi - lo) - p->sk_len) * bucket_bytes(c);
    if (reserve(c, grow) != TIX_OK)
        return TIX_E_LIMIT;
    int sums = c->opts.cell_stats == TIX_CUBE_STATS_SUMS;
    uint32_t *nk = calloc((size_t)(hi - lo), sizeof *nk);
    int64_t *ns = sums ? calloc((size_t)(hi - lo), sizeof *ns) : NULL;
    if (!nk || (sums && !ns)) {
        free(nk);
        free(ns);
        release(c, grow);
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

static tix_status sketch_add(tix_cube *c, pair *p, int64_t cents)
{
    if (cents == 0) {
        p->zeros++;
        return TIX_OK;
    }
    int32_t b = bucket_of(cents);
    tix_status st = sketch_cover(c, p, b, b + 1);
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

#define DENSE_MAX_SLOTS ((size_t)1 << 22)

static pair *dense_get(const tix_cube *c, int32_t period, uint32_t cell)
{
    if (!c->dense || period < c->dense_lo || cell >= c->dense_nc)
        return NULL;
    size_t row = (size_t)((int64_t)period - c->dense_lo);
    if (row >= c->dense_np)
        return NULL;
    uint32_t v = c->dense[row * c->dense_nc + cell];
    return v ? &c->pairs[v - 1] : NULL;
}

/* Files pair index i under (period, cell), widening the window first when
 * needed. Failing to widen only turns the dense index off. */
static void dense_put(tix_cube *c, int32_t period, uint32_t cell, size_t i)
{
    if (c->dense_off)
        return;
    int64_t lo = c->dense ? c->dense_lo : period;
    int64_t hi = c->dense ? c->dense_lo + (int64_t)c->dense_np : (int64_t)period + 1;
    size_t nc = c->dense_nc ? c->dense_nc : 16;
    if (!c->dense || period < lo || period >= hi || cell >= nc) {
        /* Grow by half again in the direction needed, so a run of new
         * periods costs few rebuilds. */
        int64_t span = hi - lo;
        if (period < lo)
            lo = period - span / 2;
        if (period >= hi)
            hi = (int64_t)period + 1 + span / 2;
        while (cell >= nc)
            nc *= 2;
        size_t np = (size_t)(hi - lo), slots = np * nc;
        if (np > DENSE_MAX_SLOTS || slots > DENSE_MAX_SLOTS ||
            reserve(c, slots * sizeof *c->dense) != TIX_OK) {
            if (c->dense)
                release(c, c->dense_np * c->dense_nc * sizeof *c->dense);
            free(c->dense);
            c->dense = NULL;
            c->dense_off = 1;
            return;
        }
        uint32_t *d = calloc(slots, sizeof *d);
        if (!d) {
            release(c, slots * sizeof *c->dense);
            return; /* try again later */
        }
        if (c->dense)
            release(c, c->dense_np * c->dense_nc * sizeof *c->dense);
        free(c->dense);
        c->dense = d;
        c->dense_lo = (int32_t)lo;
        c->dense_np = np;
        c->dense_nc = nc;
        for (size_t k = 0; k < c->npairs; k++)
            if (k != i)
                d[(size_t)(c->pairs[k].period - lo) * nc + c->pairs[k].cell] = (uint32_t)k + 1;
    }
    c->dense[(size_t)(period - c->dense_lo) * c->dense_nc + cell] = (uint32_t)i + 1;
}

/* The pair of (period, cell id), made when new; the dense index first. */
static tix_status pair_for(tix_cube *c, int32_t period, uint32_t id, pair **p, int *fresh)
{
    *fresh = 0;
    *p = dense_get(c, period, id);
    if (*p)
        return TIX_OK;
    tix_status st = find_pair(c, period, id, p, fresh);
    if (st == TIX_OK)
        dense_put(c, period, id, (size_t)(*p - c->pairs));
    return st;
}

/* Lookups that never insert, for merge's dry run. */
static int lookup_cell(const tix_cube *c, const char *p, size_t n, uint32_t *id)
{
    uint64_t h = hash_bytes(p, n);
    for (size_t s = (size_t)h & c->cell_mask; c->cell_slots[s]; s = (s + 1) & c->cell_mask) {
        const cell_name *cn = &c->cells[c->cell_slots[s] - 1];
        if (cn->hash == h && cn->len == n && memcmp(cn->name, p, n) == 0) {
            *id = c->cell_slots[s] - 1;
            return 1;
        }
    }
    return 0;
}

static const pair *lookup_pair(const tix_cube *c, int32_t period, uint32_t cell)
{
    const pair *d = dense_get(c, period, cell);
    if (d)
        return d;
    for (size_t s = (size_t)hash_pair(period, cell) & c->pair_mask; c->pair_slots[s];
         s = (s + 1) & c->pair_mask) {
        const pair *p = &c->pairs[c->pair_slots[s] - 1];
        if (p->period == period && p->cell == cell)
            return p;
    }
    return NULL;
}

/* Whether merging src into dst can only succeed: no sum or count would
 * overflow, no limit would be passed, and the budget surely has room. */
static tix_status merge_check(const tix_cube *dst, const tix_cube *src)
{
    size_t new_cells = 0, new_pairs = 0;
    for (size_t i = 0; i < src->ncells; i++) {
        uint32_t id;
        new_cells += !lookup_cell(dst, src->cells[i].name, src->cells[i].len, &id);
    }
    if (dst->ncells + new_cells > dst->opts.max_cells)
        return TIX_E_LIMIT;
    for (size_t i = 0; i < src->npairs; i++) {
        const pair *sp = &src->pairs[i];
        const cell_name *cn = &src->cells[sp->cell];
        uint32_t id;
        const pair *dp =
            lookup_cell(dst, cn->name, cn->len, &id) ? lookup_pair(dst, sp->period, id) : NULL;
        if (!dp) {
            new_pairs++;
            continue;
        }
        int64_t sum;
        if (__builtin_add_overflow(dp->sum, sp->sum, &sum))
            return TIX_E_OVERFLOW;
        for (uint32_t k = 0; k < sp->sk_len; k++) {
            int32_t b = sp->sk_lo + (int32_t)k;
            if (sp->sk[k] && b >= dp->sk_lo && b < dp->sk_lo + (int32_t)dp->sk_len &&
                dp->sk[b - dp->sk_lo] > UINT32_MAX - sp->sk[k])
                return TIX_E_OVERFLOW;
        }
    }
    if (dst->npairs + new_pairs > dst->opts.max_pairs)
        return TIX_E_LIMIT;
    /* Room for src's own footprint twice over, and for every table of dst
     * to double once: more than merging can take. */
    size_t need = 2 * src->bytes + dst->pairs_cap * sizeof *dst->pairs +
                  dst->cells_cap * sizeof *dst->cells +
                  (dst->pair_mask + dst->cell_mask + 2) * sizeof *dst->pair_slots +
                  dst->dense_np * dst->dense_nc * sizeof *dst->dense;
    const tix_budget *b = dst->opts.budget;
    if (b && b->limit && (need > b->limit || b->used > b->limit - need))
        return TIX_E_LIMIT;
    return TIX_OK;
}

/* The public view of a pair: cell as given by the caller. */
static cube_pair pair_view(const pair *p, uint32_t cell)
{
    return (cube_pair){p->period,
                           cell,
                           p->n,
                           p->sum,
                           p->min,
                           p->max,
                           (uint64_t)p->sumsq,
                           (uint64_t)(p->sumsq >> 64),
                           p->sumsq_overflow,
                           p->zeros,
                           p->sk_lo,
                           p->sk_len,
                           p->sk,
                           p->sks};
}

/* Adds sp's aggregates to dp, which the caller has checked they fit. */
static tix_status absorb(tix_cube *dst, pair *dp, const cube_pair *sp)
{
    dp->n += sp->n;
    dp->sum += sp->sum;
    if (!dst->opts.cell_stats)
        return TIX_OK;
    u128 sq = ((u128)sp->sumsq_hi << 64) | sp->sumsq_lo;
    if (__builtin_add_overflow(dp->sumsq, sq, &dp->sumsq) || sp->sumsq_overflow)
        dp->sumsq_overflow = 1;
    if (sp->min < dp->min)
        dp->min = sp->min;
    if (sp->max > dp->max)
        dp->max = sp->max;
    dp->zeros += sp->zeros;
    tix_status st = TIX_OK;
    if (sp->sk_len)
        st = sketch_cover(dst, dp, sp->sk_lo, sp->sk_lo + (int32_t)sp->sk_len);
    for (uint32_t k = 0; st == TIX_OK && k < sp->sk_len; k++) {
        dp->sk[sp->sk_lo + (int32_t)k - dp->sk_lo] += sp->sk[k];
        if (dp->sks)
            dp->sks[sp->sk_lo + (int32_t)k - dp->sk_lo] += sp->sks[k];
    }
    return st;
}

static void note_days(tix_cube *c, int32_t lo, int32_t hi)
{
    if (lo < c->day_lo)
        c->day_lo = lo;
    if (hi > c->day_hi)
        c->day_hi = hi;
}

tix_status tix_cube_merge(tix_cube *dst, const tix_cube *src)
{
    if (dst->final || dst->opts.period != src->opts.period ||
        dst->opts.cell_stats != src->opts.cell_stats)
        return TIX_E_INVALID;
    tix_status st = merge_check(dst, src);
    for (size_t i = 0; st == TIX_OK && i < src->npairs; i++) {
        const pair *sp = &src->pairs[i];
        const cell_name *cn = &src->cells[sp->cell];
        uint32_t id;
        int fresh;
        pair *dp;
        st = intern_cell(dst, cn->name, cn->len, &id, &fresh);
        if (st == TIX_OK)
            st = pair_for(dst, sp->period, id, &dp, &fresh);
        if (st == TIX_OK) {
            cube_pair v = pair_view(sp, sp->cell);
            st = absorb(dst, dp, &v); /* merge_check made sure it fits */
        }
    }
    if (st == TIX_OK)
        note_days(dst, src->day_lo, src->day_hi);
    /* merge_check leaves only an allocation failure to happen here. */
    return st;
}

tix_status cube_pair_at(const tix_cube *c, size_t v, cube_pair *out)
{
    if (!c->final || v >= c->npairs)
        return TIX_E_INVALID;
    *out = pair_view(&c->pairs[c->order[v]], c->view[v].cell);
    return TIX_OK;
}

/* Whether a pair's state is one that adding amounts could have made. */
static int pair_valid(const tix_cube *c, const cube_pair *p)
{
    if (p->n == 0 || p->sum < 0)
        return 0;
    if (!c->opts.cell_stats)
        return 1;
    if (p->min < 0 || p->min > p->max || p->max > p->sum || p->zeros > p->n ||
        (p->sk_len && (!p->sk || p->sk_lo < 0 || p->sk_len > 4096)) ||
        (p->sk_len && c->opts.cell_stats == TIX_CUBE_STATS_SUMS && !p->sks))
        return 0;
    uint64_t counted = p->zeros;
    int64_t summed = 0;
    for (uint32_t k = 0; k < p->sk_len; k++) {
        if (__builtin_add_overflow(counted, p->sk[k], &counted))
            return 0;
        if (c->opts.cell_stats == TIX_CUBE_STATS_SUMS &&
            (p->sks[k] < 0 || (p->sks[k] > 0) != (p->sk[k] > 0) ||
             __builtin_add_overflow(summed, p->sks[k], &summed)))
            return 0;
    }
    return counted == p->n &&
           (c->opts.cell_stats != TIX_CUBE_STATS_SUMS || summed == p->sum);
}

tix_status cube_put_pair(tix_cube *c, const char *cell, size_t len, const cube_pair *sp)
{
    if (c->final || !pair_valid(c, sp))
        return TIX_E_INVALID;
    uint32_t id;
    int fresh_cell, fresh_pair = 0;
    pair *dp = NULL;
    tix_status st = intern_cell(c, cell, len, &id, &fresh_cell);
    if (st == TIX_OK)
        st = pair_for(c, sp->period, id, &dp, &fresh_pair);
    int64_t sum;
    uint64_t n;
    if (st == TIX_OK &&
        (__builtin_add_overflow(dp->sum, sp->sum, &sum) || __builtin_add_overflow(dp->n, sp->n, &n)))
        st = TIX_E_OVERFLOW;
    for (uint32_t k = 0; st == TIX_OK && c->opts.cell_stats && k < sp->sk_len; k++) {
        int32_t b = sp->sk_lo + (int32_t)k;
        if (sp->sk[k] && b >= dp->sk_lo && b < dp->sk_lo + (int32_t)dp->sk_len &&
            dp->sk[b - dp->sk_lo] > UINT32_MAX - sp->sk[k])
            st = TIX_E_OVERFLOW;
    }
    if (st == TIX_OK && c->opts.cell_stats && sp->sk_len)
        st = sketch_cover(c, dp, sp->sk_lo, sp->sk_lo + (int32_t)sp->sk_len);
    if (st != TIX_OK) {
        if (fresh_pair) {
            if (dense_get(c, dp->period, dp->cell) == dp)
                c->dense[(size_t)(dp->period - c->dense_lo) * c->dense_nc + dp->cell] = 0;
            forget_last_pair(c);
        }
        if (fresh_cell)
            forget_last_cell(c);
        return st;
    }
    return absorb(c, dp, sp); /* covered and checked: cannot fail */
}

int tix_cube_days(const tix_cube *c, int32_t *first, int32_t *last)
{
    if (c->day_lo > c->day_hi)
        return 0;
    *first = c->day_lo;
    *last = c->day_hi;
    return 1;
}

void cube_note_days(tix_cube *c, int32_t first, int32_t last)
{
    if (first <= last)
        note_days(c, first, last);
}

tix_status tix_cube_add(tix_cube *c, int32_t day, const char *cell, size_t len, int64_t cents)
{
    if (c->final || cents < 0)
        return TIX_E_INVALID;
    uint32_t id;
    int fresh_cell, fresh_pair = 0;
    pair *p = NULL;
    int64_t sum = 0;
    tix_status st = intern_cell(c, cell, len, &id, &fresh_cell);
    if (st != TIX_OK)
        return st;
    st = pair_for(c, tix_period_of_day(c->opts.period, day), id, &p, &fresh_pair);
    if (st == TIX_OK && __builtin_add_overflow(p->sum, cents, &sum))
        st = TIX_E_OVERFLOW;
    if (st == TIX_OK && c->opts.cell_stats)
        st = sketch_add(c, p, cents);
    if (st != TIX_OK) {
        /* Leave no trace of a refused row. */
        if (fresh_pair) {
            if (dense_get(c, p->period, p->cell) == p)
                c->dense[(size_t)(p->period - c->dense_lo) * c->dense_nc + p->cell] = 0;
            forget_last_pair(c);
        }
        if (fresh_cell)
            forget_last_cell(c);
        return st;
    }
    if (c->opts.cell_stats) {
        u128 sq = (u128)(uint64_t)cents * (uint64_t)cents;
        if (__builtin_add_overflow(p->sumsq, sq, &p->sumsq))
            p->sumsq_overflow = 1;
        if (cents < p->min)
            p->min = cents;
        if (cents > p->max)
            p->max = cents;
    }
    p->sum = sum;
    p->n++;
    if (day < c->day_lo)
        c->day_lo = day;
    if (day > c->day_hi)
        c->day_hi = day;
    return TIX_OK;
}

/* Sort keys carry everything their comparison needs: qsort has no context
 * argument, and finalize must not lean on global state. */
static int cmp_cell_names(const void *a, const void *b)
{
    const cell_name *x = *(const cell_name *const *)a, *y = *(const cell_name *const *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    int r = memcmp(x->name, y->name, n);
    return r ? r : (x->len > y->len) - (x->len < y->len);
}

typedef struct pair_key {
    int32_t period;
    uint32_t rank;
    uint32_t index;
} pair_key;

static int cmp_pair_keys(const void *a, const void *b)
{
    const pair_key *x = a, *y = b;
    if (x->period != y->period)
        return x->period < y->period ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

tix_status tix_cube_finalize(tix_cube *c)
{
    if (c->final)
        return TIX_OK;
    size_t nc = c->ncells, np = c->npairs;
    size_t views = nc * (sizeof *c->rank_of + sizeof *c->id_of_rank) +
                   np * (sizeof *c->order + sizeof *c->view + sizeof *c->periods) +
                   (np + 1) * sizeof *c->period_start;
    if (reserve(c, views) != TIX_OK)
        return TIX_E_LIMIT;
    const cell_name **names = malloc((nc ? nc : 1) * sizeof *names);
    pair_key *keys = malloc((np ? np : 1) * sizeof *keys);
    c->rank_of = malloc((nc ? nc : 1) * sizeof *c->rank_of);
    c->id_of_rank = malloc((nc ? nc : 1) * sizeof *c->id_of_rank);
    c->order = malloc((np ? np : 1) * sizeof *c->order);
    c->view = malloc((np ? np : 1) * sizeof *c->view);
    c->periods = malloc((np ? np : 1) * sizeof *c->periods);
    c->period_start = malloc((np + 1) * sizeof *c->period_start);
    if (!names || !keys || !c->rank_of || !c->id_of_rank || !c->order || !c->view || !c->periods ||
        !c->period_start) {
        free(names);
        free(keys);
        return TIX_E_NOMEM;
    }
    for (size_t i = 0; i < nc; i++)
        names[i] = &c->cells[i];
    qsort(names, nc, sizeof *names, cmp_cell_names);
    for (size_t r = 0; r < nc; r++) {
        c->id_of_rank[r] = (uint32_t)(names[r] - c->cells);
        c->rank_of[c->id_of_rank[r]] = (uint32_t)r;
    }
    for (size_t i = 0; i < np; i++)
        keys[i] = (pair_key){c->pairs[i].period, c->rank_of[c->pairs[i].cell], (uint32_t)i};
    qsort(keys, np, sizeof *keys, cmp_pair_keys);
    c->nperiods = 0;
    for (size_t i = 0; i < np; i++) {
        const pair *p = &c->pairs[keys[i].index];
        c->order[i] = keys[i].index;
        if (c->nperiods == 0 || c->periods[c->nperiods - 1] != p->period) {
            c->periods[c->nperiods] = p->period;
            c->period_start[c->nperiods++] = i;
        }
        c->view[i] = (tix_cube_entry){keys[i].rank, p->n, p->sum};
    }
    c->period_start[c->nperiods] = np;
    free(names);
    free(keys);
    c->final = 1;
    return TIX_OK;
}

tix_period_kind tix_cube_period_kind(const tix_cube *c) { return c->opts.period; }

int tix_cube_stats_kind(const tix_cube *c) { return c->opts.cell_stats; }

size_t tix_cube_nperiods(const tix_cube *c) { return c->final ? c->nperiods : 0; }

int32_t tix_cube_period(const tix_cube *c, size_t i) { return c->periods[i]; }

size_t tix_cube_ncells(const tix_cube *c) { return c->ncells; }

const char *tix_cube_cell_name(const tix_cube *c, size_t rank)
{
    return c->cells[c->id_of_rank[rank]].name;
}

const tix_cube_entry *tix_cube_entries(const tix_cube *c, size_t i, size_t *count)
{
    *count = c->period_start[i + 1] - c->period_start[i];
    return c->view + c->period_start[i];
}

/* The k-th smallest amount (1-based) from the sketch. */
static double sketch_rank(const pair *p, uint64_t k)
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

tix_status tix_cube_stats(const tix_cube *c, size_t i, size_t k, tix_cell_stats *out)
{
    if (!c->final || !c->opts.cell_stats || i >= c->nperiods ||
        k >= c->period_start[i + 1] - c->period_start[i])
        return TIX_E_INVALID;
    const pair *p = &c->pairs[c->order[c->period_start[i] + k]];
    out->n = p->n;
    out->sum = p->sum;
    out->min = p->min;
    out->max = p->max;
    out->mean = (double)p->sum / (double)p->n;
    out->sd = NAN;
    if (p->n >= 2 && !p->sumsq_overflow) {
        /* Exact sums, one rounding each: no order dependence. */
        long double s = (long double)p->sum;
        long double var =
            ((long double)p->sumsq - s * s / (long double)p->n) / (long double)(p->n - 1);
        out->sd = var > 0 ? (double)sqrtl(var) : 0.0;
    }
    out->median = sketch_rank(p, (p->n + 1) / 2);
    out->p90 = sketch_rank(p, (p->n * 9 + 9) / 10);
    return TIX_OK;
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
    if (!c->final || c->opts.cell_stats != TIX_CUBE_STATS_SUMS || !(q > 0) || !(q <= 1) ||
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
            const pair *w = lookup_pair(c, (int32_t)t, p->cell);
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

void tix_cube_free(tix_cube *c)
{
    if (!c)
        return;
    tix_budget_give(c->opts.budget, c->bytes);
    free(c->dense);
    for (size_t i = 0; i < c->ncells; i++)
        free(c->cells[i].name);
    for (size_t i = 0; i < c->npairs; i++) {
        free(c->pairs[i].sk);
        free(c->pairs[i].sks);
    }
    free(c->cells);
    free(c->cell_slots);
    free(c->pairs);
    free(c->pair_slots);
    free(c->rank_of);
    free(c->id_of_rank);
    free(c->periods);
    free(c->period_start);
    free(c->view);
    free(c->order);
    free(c);
}
