/* The cube's API: adds, merges, saved pairs, finalize and the views and
 * statistics it builds. The tables are in cube_hash.c, the sketch and
 * winsorizing in cube_sketch.c. */
#include "techidx/cube.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bytes_internal.h"
#include "cube_internal.h"
#include "techidx/record.h"

tix_status tix_cube_new(tix_cube **out, const tix_cube_opts *opts)
{
    *out = NULL;
    if (!opts || (unsigned)opts->period > TIX_PERIOD_YEAR || (opts->cell_stats & ~7) ||
        (opts->cell_stats & 3) == 3 || opts->replicates == 1 ||
        opts->replicates > TIX_CUBE_MAX_REPLICATES)
        return TIX_E_INVALID;
    tix_cube *c = calloc(1, sizeof *c);
    if (!c)
        return TIX_E_NOMEM;
    c->opts = *opts;
    const char *by = opts->by ? opts->by : "sector";
    if (!(c->by = malloc(strlen(by) + 1))) {
        free(c);
        return TIX_E_NOMEM;
    }
    strcpy(c->by, by);
    c->opts.by = c->by;
    if (c->opts.cell_dims >= cube_by_columns(by))
        c->opts.cell_dims = 0; /* all of them: one way to say it */
    if (STATS_KIND(c))
        (void)cube_sketch_init();
    c->max_known = 1;
    c->ids_known = 1;
    c->day_lo = INT32_MAX;
    c->day_hi = INT32_MIN;
    if (!c->opts.max_cells)
        c->opts.max_cells = TIX_CUBE_MAX_CELLS;
    if (!c->opts.max_pairs)
        c->opts.max_pairs = TIX_CUBE_MAX_PAIRS;
    c->cell_mask = 63;
    c->pair_mask = 1023;
    if (cube_reserve(c, (c->cell_mask + 1) * sizeof *c->cell_slots +
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

/* Room in the id arena for one more id of len bytes: after it, setting a
 * pair's top id cannot fail. */
static tix_status ids_room(tix_cube *c, size_t len)
{
    if (c->ids_len + len <= c->ids_cap)
        return TIX_OK;
    size_t cap = c->ids_cap ? c->ids_cap : 256;
    while (cap < c->ids_len + len)
        cap *= 2;
    if (cube_reserve(c, cap - c->ids_cap) != TIX_OK)
        return TIX_E_LIMIT;
    char *a = realloc(c->ids, cap);
    if (!a) {
        cube_release(c, cap - c->ids_cap);
        return TIX_E_NOMEM;
    }
    c->ids = a;
    c->ids_cap = cap;
    return TIX_OK;
}

/* Whether the contract (cents, id) would be p's top one: the largest
 * amount, the smallest id among equal amounts. */
static int takes_top(const tix_cube *c, const pair *p, int64_t cents, const char *id, uint32_t len)
{
    if (p->n == 0 || cents > p->max)
        return 1;
    if (cents < p->max)
        return 0;
    uint32_t m = len < p->top_len ? len : p->top_len;
    int r = memcmp(id, c->ids + p->top_off, m);
    return r < 0 || (r == 0 && len < p->top_len);
}

/* Makes id p's top id, in its slot when it fits, else at the end of the
 * arena (ids_room made sure there is room). */
static void set_top(tix_cube *c, pair *p, const char *id, uint32_t len)
{
    if (len > p->top_len || p->n == 0) {
        p->top_off = c->ids_len;
        c->ids_len += len;
    }
    tix_copy_bytes(c->ids + p->top_off, id, len);
    p->top_len = len;
}

static cube_pair pair_view(const tix_cube *c, const pair *p, uint32_t cell);

/* A pair of dst that a merge reads MERGE_AHEAD pairs ahead, so that its
 * lines (and its logs') are in cache when its turn comes: the pairs of a
 * block's cube land all over dst. Its sketch slots, found through the
 * pair, are fetched SKETCH_AHEAD pairs ahead. */
enum { MERGE_AHEAD = 8, SKETCH_AHEAD = 4 };

#if defined(__GNUC__)
/* Every cache line of the n bytes at a: the arrays are only 16-aligned
 * (malloc's), so a 48-byte pair may span two lines, an 80-byte
 * pair_stats three. */
static inline __attribute__((always_inline)) void lines_prefetch(const void *a, size_t n)
{
    uintptr_t at = (uintptr_t)a, end = at + n;
    for (uintptr_t l = at & ~(uintptr_t)63; l < end; l += 64)
        __builtin_prefetch((const void *)l, 1);
}

/* Inlined early on purpose: GCC (12, -O2) finds that a function holding
 * only prefetches has no effect, and drops its calls before inlining. */
static inline __attribute__((always_inline)) void merge_prefetch(const tix_cube *dst,
                                                                 uint32_t at)
{
    if (at == UINT32_MAX)
        return;
    const pair *p = &dst->pairs[at];
    lines_prefetch(p, sizeof *p);
    if (STATS_KIND(dst))
        lines_prefetch(ST(dst, p), sizeof(pair_stats));
    if (HAS_LOGS(dst))
        lines_prefetch(LG(dst, p), sizeof(pair_logs));
}
#else
static void merge_prefetch(const tix_cube *dst, uint32_t at)
{
    (void)dst;
    (void)at;
}
#endif

/* Where src's cells and pairs already are in dst: ids[c] is dst's id of
 * src's cell c, at[i] the index of dst's pair for src's pair i, UINT32_MAX
 * where dst has none yet. Then whether merging src into dst can only
 * succeed: no sum or count would overflow, no limit would be passed, and
 * the budget surely has room. */
static tix_status merge_plan(const tix_cube *dst, const tix_cube *src, uint32_t *ids,
                             uint32_t *at)
{
    size_t new_cells = 0, new_pairs = 0;
    for (size_t i = 0; i < src->ncells; i++)
        if (!cube_lookup_cell(dst, src->cells[i].name, src->cells[i].len, &ids[i])) {
            ids[i] = UINT32_MAX;
            new_cells++;
        }
    if (dst->ncells + new_cells > dst->opts.max_cells)
        return TIX_E_LIMIT;
    for (size_t i = 0; i < src->npairs; i++) {
        const pair *sp = &src->pairs[i];
        uint32_t id = ids[sp->cell];
        const pair *dp = id != UINT32_MAX ? cube_lookup_pair(dst, sp->period, id) : NULL;
        at[i] = dp ? (uint32_t)(dp - dst->pairs) : UINT32_MAX;
        new_pairs += !dp;
    }
    if (dst->npairs + new_pairs > dst->opts.max_pairs)
        return TIX_E_LIMIT;
    for (size_t i = 0; i < src->npairs; i++) {
        if (i + MERGE_AHEAD < src->npairs)
            merge_prefetch(dst, at[i + MERGE_AHEAD]);
        if (at[i] == UINT32_MAX)
            continue;
        const pair *sp = &src->pairs[i], *dp = &dst->pairs[at[i]];
        int64_t sum;
        u128 lq;
        if (__builtin_add_overflow(dp->sum, sp->sum, &sum) ||
            (HAS_LOGS(dst) && __builtin_add_overflow(LG(dst, dp)->lq, LG(src, sp)->lq, &lq)))
            return TIX_E_OVERFLOW;
        if (STATS_KIND(dst)) {
            cube_pair v = pair_view(src, sp, sp->cell);
            if (cube_sketch_overflows(dp, ST(dst, dp), &v))
                return TIX_E_OVERFLOW;
        }
    }
    /* Room for src's own footprint twice over, and for every table of dst
     * to double once: more than merging can take. */
    size_t need = 2 * src->bytes + dst->pairs_cap * sizeof *dst->pairs +
                  dst->stats_cap * sizeof *dst->stats + dst->logs_cap * sizeof *dst->logs +
                  dst->reps_cap * NREPS(dst) * (sizeof *dst->reps + sizeof *dst->rlogs) +
                  dst->ids_cap +
                  dst->cells_cap * sizeof *dst->cells +
                  (dst->pair_mask + dst->cell_mask + 2) * sizeof *dst->pair_slots +
                  dst->dense_np * dst->dense_nc * sizeof *dst->dense;
    const tix_budget *b = dst->opts.budget;
    if (b && b->limit && (need > b->limit || b->used > b->limit - need))
        return TIX_E_LIMIT;
    return TIX_OK;
}

/* The aggregates every cube keeps, of a pair (n contracts summing to
 * sum, the largest max, named top_id; its logs lg and groups reps and
 * rlogs, NULL where its cube keeps none). */
typedef struct sums_in {
    uint64_t n;
    int64_t sum, max;
    const char *top_id;
    uint32_t top_len;
    const pair_logs *lg;
    const rep_sums *reps;
    const pair_logs *rlogs;
} sums_in;

/* Pair p's of cube c: what a merge adds, and what pair_view shows. */
static sums_in sums_of(const tix_cube *c, const pair *p)
{
    return (sums_in){p->n,
                     p->sum,
                     p->max,
                     c->ids_known ? c->ids + p->top_off : NULL,
                     c->ids_known ? p->top_len : 0,
                     HAS_LOGS(c) ? LG(c, p) : NULL,
                     NREPS(c) ? RP(c, p) : NULL,
                     NREPS(c) && HAS_LOGS(c) ? RL(c, p) : NULL};
}

/* The public view of a pair: cell as given by the caller. */
static cube_pair pair_view(const tix_cube *c, const pair *p, uint32_t cell)
{
    static const pair_logs none;
    static const pair_stats no_stats = {.min = INT64_MAX}; /* as a new pair's */
    sums_in sm = sums_of(c, p);
    const pair_logs *lg = sm.lg ? sm.lg : &none;
    const pair_stats *st = STATS_KIND(c) ? ST(c, p) : &no_stats;
    return (cube_pair){p->period,
                       cell,
                       sm.n,
                       sm.sum,
                       st->min,
                       sm.max,
                       (uint64_t)st->sumsq,
                       (uint64_t)(st->sumsq >> 64),
                       st->sumsq_overflow,
                       st->zeros,
                       st->sk_lo,
                       st->sk_len,
                       st->sk,
                       st->sks,
                       st->skb,
                       lg->lm,
                       (uint64_t)(u128)lg->ls,
                       (uint64_t)((u128)lg->ls >> 64),
                       (uint64_t)lg->lq,
                       (uint64_t)(lg->lq >> 64),
                       sm.reps,
                       sm.rlogs,
                       sm.top_id,
                       sm.top_len};
}

static i128 view_ls(const cube_pair *p) { return (i128)(((u128)p->ls_hi << 64) | p->ls_lo); }
static u128 view_lq(const cube_pair *p) { return ((u128)p->lq_hi << 64) | p->lq_lo; }

/* Adds sp (sums_of a pair of a cube like dst) to dp, as absorb. */
static void absorb_sums(tix_cube *dst, pair *dp, const sums_in *sp)
{
    if (dst->ids_known && sp->top_id && takes_top(dst, dp, sp->max, sp->top_id, sp->top_len))
        set_top(dst, dp, sp->top_id, sp->top_len);
    dp->n += sp->n;
    dp->sum += sp->sum;
    /* Checked by the caller; |ls| < 2^46 n never leaves 128 bits. */
    if (HAS_LOGS(dst)) {
        pair_logs *lg = LG(dst, dp);
        lg->lm += sp->lg->lm;
        lg->ls += sp->lg->ls;
        lg->lq += sp->lg->lq;
    }
    if (sp->max > dp->max) /* kept without statistics too: top_contract_share */
        dp->max = sp->max;
    for (size_t g = 0; g < NREPS(dst); g++) { /* each at most the whole: no overflow */
        RP(dst, dp)[g].n += sp->reps[g].n;
        RP(dst, dp)[g].sum += sp->reps[g].sum;
        if (HAS_LOGS(dst)) {
            pair_logs *r = &RL(dst, dp)[g];
            r->lm += sp->rlogs[g].lm;
            r->ls += sp->rlogs[g].ls;
            r->lq += sp->rlogs[g].lq;
        }
    }
}

/* Adds sp's aggregates to dp, which the caller has checked they fit
 * (and made room for sp's top id, ids_room). */
static tix_status absorb(tix_cube *dst, pair *dp, const cube_pair *sp)
{
    pair_logs lg = {sp->lm, view_ls(sp), view_lq(sp)};
    absorb_sums(dst, dp,
                &(sums_in){sp->n, sp->sum, sp->max, sp->top_id, sp->top_len, &lg, sp->reps,
                           sp->rlogs});
    if (!STATS_KIND(dst))
        return TIX_OK;
    pair_stats *ds = ST(dst, dp);
    u128 sq = ((u128)sp->sumsq_hi << 64) | sp->sumsq_lo;
    if (__builtin_add_overflow(ds->sumsq, sq, &ds->sumsq) || sp->sumsq_overflow)
        ds->sumsq_overflow = 1;
    if (sp->min < ds->min)
        ds->min = sp->min;
    ds->zeros += sp->zeros;
    tix_status st = cube_sketch_room(dst, ds, sp);
    if (st == TIX_OK)
        cube_sketch_absorb(ds, sp);
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
        dst->opts.cell_stats != src->opts.cell_stats || strcmp(dst->by, src->by) != 0 ||
        NREPS(dst) != NREPS(src) || dst->opts.cell_dims != src->opts.cell_dims ||
        src->defer)
        return TIX_E_INVALID;
    tix_status st = cube_sketch_settle(dst);
    if (st != TIX_OK)
        return st;
    /* Where src's pairs are in dst, and whether they fit; then dst's new
     * cells and pairs made in src's order; then the sums, fetching the
     * pairs of dst (and their sketch slots) a few ahead. */
    size_t n = src->npairs;
    uint32_t *ids = malloc((src->ncells ? src->ncells : 1) * sizeof *ids);
    uint32_t *at = malloc((n ? n : 1) * sizeof *at);
    if (!ids || !at)
        st = TIX_E_NOMEM;
    else
        st = merge_plan(dst, src, ids, at);
    for (size_t i = 0; st == TIX_OK && i < n; i++) {
        if (at[i] != UINT32_MAX)
            continue;
        const pair *sp = &src->pairs[i];
        uint32_t *id = &ids[sp->cell];
        int fresh;
        pair *dp;
        if (*id == UINT32_MAX) {
            const cell_name *cn = &src->cells[sp->cell];
            st = cube_intern_cell(dst, cn->name, cn->len, id, &fresh);
        }
        if (st == TIX_OK)
            st = cube_pair_for(dst, sp->period, *id, &dp, &fresh);
        if (st == TIX_OK)
            at[i] = (uint32_t)(dp - dst->pairs);
    }
    for (size_t i = 0; st == TIX_OK && i < n; i++) {
        const pair *sp = &src->pairs[i];
        pair *dp = &dst->pairs[at[i]];
        if (i + MERGE_AHEAD < n)
            merge_prefetch(dst, at[i + MERGE_AHEAD]);
        if (STATS_KIND(dst) && i + SKETCH_AHEAD < n)
            cube_sketch_prefetch(&dst->stats[at[i + SKETCH_AHEAD]], &src->stats[i + SKETCH_AHEAD]);
        if (dst->ids_known && src->ids_known)
            st = ids_room(dst, sp->top_len);
        if (st == TIX_OK && STATS_KIND(dst)) {
            cube_pair v = pair_view(src, sp, sp->cell);
            st = absorb(dst, dp, &v); /* merge_plan made sure it fits */
        } else if (st == TIX_OK) { /* the same sums, without the view */
            sums_in sm = sums_of(src, sp);
            absorb_sums(dst, dp, &sm);
        }
    }
    free(ids);
    free(at);
    if (st == TIX_OK) {
        note_days(dst, src->day_lo, src->day_hi);
        dst->max_known &= src->max_known;
        dst->ids_known &= src->ids_known;
    }
    /* merge_plan leaves only an allocation failure to happen here. */
    return st;
}

tix_status cube_pair_at(const tix_cube *c, size_t v, cube_pair *out)
{
    if (!c->final || v >= c->npairs)
        return TIX_E_INVALID;
    *out = pair_view(c, &c->pairs[c->order[v]], c->view[v].cell);
    return TIX_OK;
}

/* Whether the replicate groups of a pair add up to it: every contract in
 * one group. */
static int reps_valid(const tix_cube *c, const cube_pair *p)
{
    if (!NREPS(c))
        return !p->reps && !p->rlogs;
    if (!p->reps || (HAS_LOGS(c) != (p->rlogs != NULL)))
        return 0;
    uint64_t n = 0, lm = 0;
    int64_t sum = 0;
    i128 ls = 0;
    u128 lq = 0;
    for (size_t g = 0; g < NREPS(c); g++) {
        const rep_sums *r = &p->reps[g];
        if (r->sum < 0 || (r->n == 0 && r->sum != 0) || __builtin_add_overflow(n, r->n, &n) ||
            __builtin_add_overflow(sum, r->sum, &sum))
            return 0;
        if (p->rlogs) {
            const pair_logs *l = &p->rlogs[g];
            if (l->lm > r->n || l->ls < 0 || l->ls > (i128)LOG_FIX_MAX * (i128)l->lm ||
                (l->ls == 0 && l->lq != 0) || __builtin_add_overflow(lm, l->lm, &lm) ||
                __builtin_add_overflow(lq, l->lq, &lq))
                return 0;
            ls += l->ls; /* each below 2^46 2^64: the sum stays in 128 bits */
        }
    }
    if (n != p->n || sum != p->sum)
        return 0;
    return !p->rlogs || (lm == p->lm && ls == (i128)(((u128)p->ls_hi << 64) | p->ls_lo) &&
                         lq == (((u128)p->lq_hi << 64) | p->lq_lo));
}

/* Whether a pair's state is one that adding amounts could have made. */
static int pair_valid(const tix_cube *c, const cube_pair *p)
{
    if (p->n == 0 || p->sum < 0 || !reps_valid(c, p) || (c->ids_known != (p->top_id != NULL)) ||
        (p->top_id && (p->top_len == 0 || p->top_len > TIX_CUBE_TOP_ID_MAX)))
        return 0;
    if (!HAS_LOGS(c) && (p->lm || p->ls_lo || p->ls_hi || p->lq_lo || p->lq_hi))
        return 0;
    /* Logs of amounts >= 1 cent: 0 <= S < 2^46 m, Q < 2^46 S, both 0
     * without amounts; and with the sketch, m counts its amounts > 0. */
    i128 ls = view_ls(p);
    u128 lq = view_lq(p);
    if (p->lm > p->n || ls < 0 || ls > (i128)LOG_FIX_MAX * (i128)p->lm ||
        (p->lm && ls != 0 && lq / (u128)ls > (u128)LOG_FIX_MAX) || (ls == 0 && lq != 0) ||
        (HAS_LOGS(c) && STATS_KIND(c) && p->lm != p->n - (p->zeros <= p->n ? p->zeros : 0)))
        return 0;
    /* The largest contract: at least the mean, at most the sum. */
    if ((c->max_known || STATS_KIND(c)) &&
        (p->max < 0 || p->max > p->sum || (u128)(uint64_t)p->max * p->n < (u128)(uint64_t)p->sum))
        return 0;
    if (!STATS_KIND(c))
        return 1;
    if (p->min < 0 || p->min > p->max || p->max > p->sum || p->zeros > p->n ||
        (p->sk_len && (!p->sk || p->sk_lo < 0 || p->sk_len > 4096)) ||
        (p->sk_len && STATS_KIND(c) == TIX_CUBE_STATS_SUMS && !p->sks))
        return 0;
    uint64_t counted = p->zeros;
    int64_t summed = 0;
    for (uint32_t k = 0; k < p->sk_len; k++) {
        /* No amount has a bucket past SK_BUCKETS - 1 (a sparse sketch
         * holds them in 16 bits); sparse buckets increase. */
        if ((p->sk[k] && SK_BUCKET(p, k) >= SK_BUCKETS) ||
            (p->skb && k && p->skb[k] <= p->skb[k - 1]))
            return 0;
        if (__builtin_add_overflow(counted, p->sk[k], &counted))
            return 0;
        if (STATS_KIND(c) == TIX_CUBE_STATS_SUMS &&
            (p->sks[k] < 0 || (p->sks[k] > 0) != (p->sk[k] > 0) ||
             __builtin_add_overflow(summed, p->sks[k], &summed)))
            return 0;
    }
    return counted == p->n && (STATS_KIND(c) != TIX_CUBE_STATS_SUMS || summed == p->sum);
}

tix_status cube_put_pair(tix_cube *c, const char *cell, size_t len, const cube_pair *sp)
{
    if (c->final || !pair_valid(c, sp))
        return TIX_E_INVALID;
    tix_status st = cube_sketch_settle(c);
    if (st != TIX_OK)
        return st;
    uint32_t id;
    int fresh_cell, fresh_pair = 0;
    pair *dp = NULL;
    st = cube_intern_cell(c, cell, len, &id, &fresh_cell);
    if (st == TIX_OK)
        st = cube_pair_for(c, sp->period, id, &dp, &fresh_pair);
    int64_t sum;
    uint64_t n;
    u128 lq;
    if (st == TIX_OK && (__builtin_add_overflow(dp->sum, sp->sum, &sum) ||
                         __builtin_add_overflow(dp->n, sp->n, &n) ||
                         (HAS_LOGS(c) && __builtin_add_overflow(LG(c, dp)->lq, view_lq(sp), &lq))))
        st = TIX_E_OVERFLOW;
    if (st == TIX_OK && STATS_KIND(c) && cube_sketch_overflows(dp, ST(c, dp), sp))
        st = TIX_E_OVERFLOW;
    if (st == TIX_OK && STATS_KIND(c))
        st = cube_sketch_room(c, ST(c, dp), sp);
    if (st == TIX_OK && sp->top_id)
        st = ids_room(c, sp->top_len);
    if (st != TIX_OK) {
        if (fresh_pair) {
            if (cube_dense_get(c, dp->period, dp->cell) == dp)
                c->dense[(size_t)(dp->period - c->dense_lo) * c->dense_nc + dp->cell] = 0;
            cube_forget_last_pair(c);
        }
        if (fresh_cell)
            cube_forget_last_cell(c);
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

/* One row, in replicate group g (-1: the cube keeps none), of contract
 * id[0..id_len) (NULL: unknown); hint: cube_add_hinted's, 0 for none. */
static tix_status add_row(tix_cube *c, uint32_t hint, int32_t day, const char *cell, size_t len,
                          int64_t cents, long g, const char *id, size_t id_len)
{
    if (c->final || cents < 0)
        return TIX_E_INVALID;
    uint32_t cell_id = hint - 1;
    int fresh_cell = 0, fresh_pair = 0;
    pair *p = NULL;
    int64_t sum = 0;
    tix_status st = TIX_OK;
    if (!hint || cell_id >= c->ncells || c->cells[cell_id].len != len ||
        !tix_same_bytes(c->cells[cell_id].name, cell, len)) /* no hint, or not this cell's */
        st = cube_intern_cell(c, cell, len, &cell_id, &fresh_cell);
    if (st != TIX_OK)
        return st;
    /* A pair the dense index has (most rows) needs no call. */
    int32_t period = tix_period_of_day(c->opts.period, day);
    p = cube_dense_get(c, period, cell_id);
    if (!p)
        st = cube_pair_for(c, period, cell_id, &p, &fresh_pair);
    if (st == TIX_OK && __builtin_add_overflow(p->sum, cents, &sum))
        st = TIX_E_OVERFLOW;
    int64_t lf = 0;
    u128 lq = 0;
    if (st == TIX_OK && HAS_LOGS(c) && cents > 0) {
        lf = cube_log_fix(cents);
        if (__builtin_add_overflow(LG(c, p)->lq, (u128)((uint64_t)lf) * (uint64_t)lf, &lq))
            st = TIX_E_OVERFLOW;
    }
    int top = 0;
    if (id_len > TIX_CUBE_TOP_ID_MAX) { /* its first bytes, whole characters */
        id_len = TIX_CUBE_TOP_ID_MAX;
        while (id_len > 0 && ((unsigned char)id[id_len] & 0xc0) == 0x80)
            id_len--;
    }
    if (st == TIX_OK && c->ids_known && (top = takes_top(c, p, cents, id, (uint32_t)id_len)))
        st = ids_room(c, id_len);
    if (st == TIX_OK && STATS_KIND(c))
        st = cube_sketch_add(c, ST(c, p), cents);
    if (st != TIX_OK) {
        /* Leave no trace of a refused row. */
        if (fresh_pair) {
            if (cube_dense_get(c, p->period, p->cell) == p)
                c->dense[(size_t)(p->period - c->dense_lo) * c->dense_nc + p->cell] = 0;
            cube_forget_last_pair(c);
        }
        if (fresh_cell)
            cube_forget_last_cell(c);
        return st;
    }
    if (HAS_LOGS(c) && cents > 0) {
        pair_logs *lg = LG(c, p);
        lg->lm++;
        lg->ls += lf;
        lg->lq = lq;
    }
    if (g >= 0) { /* a group's sums are at most the pair's: none overflows */
        rep_sums *r = &RP(c, p)[g];
        r->n++;
        r->sum += cents;
        if (HAS_LOGS(c) && cents > 0) {
            pair_logs *rl = &RL(c, p)[g];
            rl->lm++;
            rl->ls += lf;
            rl->lq += (u128)((uint64_t)lf) * (uint64_t)lf;
        }
    }
    if (STATS_KIND(c)) {
        pair_stats *ps = ST(c, p);
        u128 sq = (u128)(uint64_t)cents * (uint64_t)cents;
        if (__builtin_add_overflow(ps->sumsq, sq, &ps->sumsq))
            ps->sumsq_overflow = 1;
        if (cents < ps->min)
            ps->min = cents;
    }
    if (top)
        set_top(c, p, id, (uint32_t)id_len);
    if (cents > p->max)
        p->max = cents;
    p->sum = sum;
    p->n++;
    if (day < c->day_lo)
        c->day_lo = day;
    if (day > c->day_hi)
        c->day_hi = day;
    return TIX_OK;
}

tix_status tix_cube_add(tix_cube *c, int32_t day, const char *cell, size_t len, int64_t cents)
{
    if (NREPS(c)) /* each contract must land in its group: tix_cube_add_id */
        return TIX_E_INVALID;
    c->ids_known = 0; /* the cube can no longer name its largest contracts */
    return add_row(c, 0, day, cell, len, cents, -1, NULL, 0);
}

uint32_t tix_replicate_group(const char *id, size_t len, size_t groups)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)id[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return groups ? (uint32_t)(h % groups) : 0;
}

uint32_t cube_prefetch_slot(const tix_cube *c, int32_t day, const char *cell, size_t len)
{
    uint32_t id;
    if (c->final || !cube_lookup_cell(c, cell, len, &id))
        return 0;
    int32_t period = tix_period_of_day(c->opts.period, day);
    if (c->dense && period >= c->dense_lo && id < c->dense_nc) {
        size_t row = (size_t)((int64_t)period - c->dense_lo);
        if (row < c->dense_np)
            __builtin_prefetch(&c->dense[row * c->dense_nc + id], 0);
    }
    return id + 1;
}

void cube_prefetch_pair(const tix_cube *c, int32_t day, uint32_t hint)
{
    if (!hint || c->final || hint - 1 >= c->ncells)
        return;
    const pair *p = cube_dense_get(c, tix_period_of_day(c->opts.period, day), hint - 1);
    if (p)
        merge_prefetch(c, (uint32_t)(p - c->pairs));
}

void cube_prefetch_sketch(const tix_cube *c, int32_t day, uint32_t hint, int64_t cents)
{
    if (!hint || c->final || c->defer || !STATS_KIND(c) || hint - 1 >= c->ncells)
        return;
    const pair *p = cube_dense_get(c, tix_period_of_day(c->opts.period, day), hint - 1);
    if (p)
        cube_sketch_prefetch_amount(c, ST(c, p), cents);
}

tix_status cube_add_hinted(tix_cube *c, uint32_t hint, int32_t day, const char *cell, size_t len,
                           int64_t cents, const char *id, size_t id_len)
{
    long g = NREPS(c) ? (long)tix_replicate_group(id, id_len, NREPS(c)) : -1;
    return add_row(c, hint, day, cell, len, cents, g, id, id_len);
}

tix_status tix_cube_add_id(tix_cube *c, int32_t day, const char *cell, size_t len, int64_t cents,
                           const char *id, size_t id_len)
{
    return cube_add_hinted(c, 0, day, cell, len, cents, id, id_len);
}

size_t tix_cube_replicates(const tix_cube *c) { return NREPS(c); }

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
    tix_status st = cube_sketch_settle(c);
    if (st != TIX_OK)
        return st;
    size_t nc = c->ncells, np = c->npairs;
    size_t views = nc * (sizeof *c->rank_of + sizeof *c->id_of_rank) +
                   np * (sizeof *c->order + sizeof *c->view + sizeof *c->periods) +
                   (np + 1) * sizeof *c->period_start;
    if (cube_reserve(c, views) != TIX_OK)
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

const char *tix_cube_by(const tix_cube *c) { return c->by; }

int tix_cube_max_known(const tix_cube *c) { return c->max_known; }

int tix_cube_top_id(const tix_cube *c, size_t i, size_t k, const char **id, size_t *len)
{
    if (!c->final || !c->ids_known || !c->max_known || i >= c->nperiods ||
        k >= c->period_start[i + 1] - c->period_start[i])
        return 0;
    const pair *p = &c->pairs[c->order[c->period_start[i] + k]];
    *id = c->ids + p->top_off;
    *len = p->top_len;
    return 1;
}

int tix_cube_max(const tix_cube *c, size_t i, size_t k, int64_t *max)
{
    if (!c->final || !c->max_known || i >= c->nperiods ||
        k >= c->period_start[i + 1] - c->period_start[i])
        return 0;
    *max = c->pairs[c->order[c->period_start[i] + k]].max;
    return 1;
}

/* A new cube made from c's pairs (subset, replicate, projection): c's
 * period, by (and cells) or the given by (whose columns are all cells),
 * the given statistics and groups, opts' limits and budget (or the
 * defaults), and whether its pairs know their maxima and their ids, set
 * before the puts, which check them. */
static tix_status derived_new(const tix_cube *c, const tix_cube_opts *opts, const char *by,
                              int cell_stats, size_t replicates, int known, tix_cube **out)
{
    tix_cube_opts o;
    if (opts)
        o = *opts;
    else
        tix_cube_opts_init(&o);
    o.period = c->opts.period;
    o.cell_stats = cell_stats;
    o.by = by ? by : c->by;
    o.replicates = replicates;
    o.cell_dims = by ? 0 : c->opts.cell_dims;
    tix_status st = tix_cube_new(out, &o);
    if (st == TIX_OK) {
        (*out)->max_known = known && c->max_known;
        (*out)->ids_known = known && c->ids_known;
    }
    return st;
}

/* Ends a derived cube: c's day range, finalized; freed when st or that
 * fails. */
static tix_status derived_end(const tix_cube *c, tix_cube *d, tix_status st, tix_cube **out)
{
    if (st == TIX_OK) {
        if (c->day_lo <= c->day_hi)
            cube_note_days(d, c->day_lo, c->day_hi);
        st = tix_cube_finalize(d);
    }
    if (st != TIX_OK) {
        tix_cube_free(d);
        return st;
    }
    *out = d;
    return TIX_OK;
}

tix_status tix_cube_subset(const tix_cube *c, const unsigned char *keep, const tix_cube_opts *opts,
                           tix_cube **out)
{
    *out = NULL;
    if (!c->final)
        return TIX_E_INVALID;
    tix_cube *s = NULL;
    tix_status st = derived_new(c, opts, NULL, c->opts.cell_stats, NREPS(c), 1, &s);
    /* The pairs in entry order, put as the .tic loader puts them. */
    for (size_t v = 0; st == TIX_OK && v < c->period_start[c->nperiods]; v++) {
        cube_pair p;
        st = cube_pair_at(c, v, &p);
        if (st == TIX_OK && keep[p.cell]) {
            const cell_name *cn = &c->cells[c->id_of_rank[p.cell]];
            st = cube_put_pair(s, cn->name, cn->len, &p);
        }
    }
    return s ? derived_end(c, s, st, out) : st;
}

size_t cube_by_columns(const char *by)
{
    size_t n = 1;
    for (const char *q = by; *q; q++)
        n += *q == ',';
    return n;
}

size_t tix_cube_cell_dims(const tix_cube *c)
{
    return c->opts.cell_dims ? c->opts.cell_dims : cube_by_columns(c->by);
}

/* The length of the first k values of a cell's name. */
static size_t name_prefix(const char *name, size_t len, size_t k)
{
    for (size_t i = 0; i < len; i++)
        if (name[i] == TIX_DIM_SEP && --k == 0)
            return i;
    return len;
}

tix_status tix_cube_project(const tix_cube *c, const tix_cube_opts *opts, tix_cube **out)
{
    *out = NULL;
    if (!c->final)
        return TIX_E_INVALID;
    size_t k = tix_cube_cell_dims(c);
    char by[TIX_BY_MAX];
    size_t cut = tix_by_prefix(c->by, k);
    memcpy(by, c->by, cut);
    by[cut] = 0;
    tix_cube *p = NULL;
    tix_status st = derived_new(c, opts, by, c->opts.cell_stats, NREPS(c), 1, &p);
    if (st != TIX_OK)
        return st;
    for (size_t v = 0; st == TIX_OK && v < c->period_start[c->nperiods]; v++) {
        cube_pair q;
        st = cube_pair_at(c, v, &q);
        if (st == TIX_OK) {
            const cell_name *cn = &c->cells[c->id_of_rank[q.cell]];
            st = cube_put_pair(p, cn->name, name_prefix(cn->name, cn->len, k), &q);
        }
    }
    return derived_end(c, p, st, out);
}

tix_status tix_cube_replicate(const tix_cube *c, size_t g, const tix_cube_opts *opts,
                              tix_cube **out)
{
    *out = NULL;
    if (!c->final || !NREPS(c) || g >= NREPS(c))
        return TIX_E_INVALID;
    tix_cube *r = NULL; /* counts, sums and logs only */
    tix_status st = derived_new(c, opts, NULL, c->opts.cell_stats & TIX_CUBE_STATS_LOGS, 0, 0, &r);
    for (size_t v = 0; st == TIX_OK && v < c->period_start[c->nperiods]; v++) {
        const pair *p = &c->pairs[c->order[v]];
        const rep_sums *out_g = &RP(c, p)[g];
        if (p->n == out_g->n)
            continue; /* every contract of the pair is in group g */
        cube_pair q;
        memset(&q, 0, sizeof q);
        q.period = p->period;
        q.n = p->n - out_g->n;
        q.sum = p->sum - out_g->sum;
        if (HAS_LOGS(c)) {
            const pair_logs *lg = LG(c, p), *lo = &RL(c, p)[g];
            i128 ls = lg->ls - lo->ls;
            u128 lq = lg->lq - lo->lq;
            q.lm = lg->lm - lo->lm;
            q.ls_lo = (uint64_t)(u128)ls;
            q.ls_hi = (uint64_t)((u128)ls >> 64);
            q.lq_lo = (uint64_t)lq;
            q.lq_hi = (uint64_t)(lq >> 64);
        }
        const cell_name *cn = &c->cells[p->cell];
        st = cube_put_pair(r, cn->name, cn->len, &q);
    }
    return r ? derived_end(c, r, st, out) : st;
}

int tix_cube_stats_kind(const tix_cube *c) { return c->opts.cell_stats; }

int64_t cube_log_fix(int64_t cents)
{
    /* log is within an ulp: 2^-47 for values below 64, 2^-7 of a unit
     * here; the same amount always gives the same integer. */
    return llround(ldexp(log((double)cents), TIX_CUBE_LOG_SCALE));
}

int cube_logs_at(const tix_cube *c, size_t i, size_t k, uint64_t *m, i128 *s, u128 *q)
{
    if (!c->final || !HAS_LOGS(c) || i >= c->nperiods ||
        k >= c->period_start[i + 1] - c->period_start[i])
        return 0;
    const pair *p = &c->pairs[c->order[c->period_start[i] + k]];
    *m = LG(c, p)->lm;
    *s = LG(c, p)->ls;
    *q = LG(c, p)->lq;
    return 1;
}

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

tix_status tix_cube_stats(const tix_cube *c, size_t i, size_t k, tix_cell_stats *out)
{
    if (!c->final || !STATS_KIND(c) || i >= c->nperiods ||
        k >= c->period_start[i + 1] - c->period_start[i])
        return TIX_E_INVALID;
    const pair *p = &c->pairs[c->order[c->period_start[i] + k]];
    const pair_stats *ps = ST(c, p);
    out->n = p->n;
    out->sum = p->sum;
    out->min = ps->min;
    out->max = p->max;
    out->mean = (double)p->sum / (double)p->n;
    out->sd = NAN;
    if (p->n >= 2 && !ps->sumsq_overflow) {
        /* Exact sums, one rounding each: no order dependence. */
        long double s = (long double)p->sum;
        long double var =
            ((long double)ps->sumsq - s * s / (long double)p->n) / (long double)(p->n - 1);
        out->sd = var > 0 ? (double)sqrtl(var) : 0.0;
    }
    out->median = cube_sketch_rank(p, ps, (p->n + 1) / 2);
    out->p90 = cube_sketch_rank(p, ps, (p->n * 9 + 9) / 10);
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
    for (size_t i = 0; c->stats && i < c->npairs; i++)
        cube_sketch_free(c, &c->stats[i]);
    free(c->slab);
    free(c->pend);
    free(c->cells);
    free(c->cell_slots);
    free(c->pairs);
    free(c->stats);
    free(c->logs);
    free(c->reps);
    free(c->rlogs);
    free(c->ids);
    free(c->pair_slots);
    free(c->rank_of);
    free(c->id_of_rank);
    free(c->periods);
    free(c->period_start);
    free(c->view);
    free(c->order);
    free(c->by);
    free(c);
}
