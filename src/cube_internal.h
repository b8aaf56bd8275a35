/* Cube internals, shared by cube.c (the API: adds, merges, finalize,
 * statistics), cube_hash.c (the tables that find a row's cell and pair),
 * cube_sketch.c (the quantile sketch and winsorizing) and tic.c (saving
 * and loading cubes). Not installed. */
#ifndef TECHIDX_CUBE_INTERNAL_H
#define TECHIDX_CUBE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/budget.h"
#include "techidx/cube.h"

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

/* The kind of the min/max/sketch statistics (0, TIX_CUBE_STATS or
 * TIX_CUBE_STATS_SUMS), and whether the log statistics are kept. */
#define STATS_KIND(c) ((c)->opts.cell_stats & 3)
#define HAS_LOGS(c) (((c)->opts.cell_stats & TIX_CUBE_STATS_LOGS) != 0)

/* The largest fixed-point log of an int64 amount: ln(2^63) 2^40 < 2^46. */
#define LOG_FIX_MAX ((int64_t)1 << 46)

/* round(ln(cents) 2^TIX_CUBE_LOG_SCALE) for cents >= 1. */
int64_t cube_log_fix(int64_t cents);

/* Sketch buckets: bucket b holds amounts x (cents) with
 * gamma^(b-1) < x <= gamma^b, gamma = (1+alpha)/(1-alpha). Counts depend only
 * on the multiset of amounts, never on their order. */
#define SK_GAMMA ((1 + TIX_CUBE_SKETCH_ALPHA) / (1 - TIX_CUBE_SKETCH_ALPHA))

#define SK_LOG_GAMMA 0.020000666706669435 /* log(SK_GAMMA) for alpha = 0.01 */

/* Buckets 0 .. SK_BUCKETS - 1 hold every amount from 1 cent to INT64_MAX
 * (ceil(ln(2^63) / SK_LOG_GAMMA) = 2184). */
#define SK_BUCKETS 2185

/* A sparse sketch turns dense past this many buckets in use, and starts
 * with room for SK_SPARSE_FIRST (doubling): a block's cube has ~10 amounts
 * a pair, and each growth is a copy. Both powers of 2. */
#define SK_SPARSE_MAX 32
#define SK_SPARSE_FIRST 8

/* The bucket of slot k of a sketch (a pair_stats or a cube_pair). */
#define SK_BUCKET(p, k) ((p)->skb ? (int32_t)(p)->skb[k] : (p)->sk_lo + (int32_t)(k))

/* A (period, cell) aggregate: 48 bytes, what every cube keeps. */
typedef struct pair {
    int32_t period;
    uint32_t cell; /* id in insertion order */
    uint64_t n;
    int64_t sum;
    int64_t max; /* the largest amount, for top_contract_share */
    /* The contract_id of the largest amount (max), the smallest id in byte
     * order among equal ones: top_len bytes at ids + top_off (ids_known). */
    size_t top_off;
    uint32_t top_len;
} pair;

/* TIX_CUBE_STATS and _SUMS: the rest of a pair's statistics, beside the
 * pairs as the logs are (stats[i] is pairs[i]'s; see ST). A cube without
 * them, such as a block's cube for the time dummy or a daily GEKS cube,
 * pays 48 bytes a pair, not 128. */
typedef struct pair_stats {
    u128 sumsq;
    int64_t min;
    uint64_t zeros; /* amounts of 0, outside the log buckets */
    int sumsq_overflow;
    /* The sketch, in one of two forms. Dense (skb NULL, sk_len > 0): slot
     * k is bucket sk_lo + k, a window widened as amounts arrive. Sparse
     * (skb set): slot k is bucket skb[k], increasing, only buckets in use,
     * room for sk_cap, at most SK_SPARSE_MAX of them; sk, sks and skb
     * share one allocation. A pair starts sparse: most pairs of a block's
     * cube (engine_par.c) hold a handful of amounts spread over hundreds
     * of buckets, which a window would pay for in full, and merge in full. */
    uint32_t sk_cap;
    int32_t sk_lo;   /* dense: first bucket held in sk */
    uint32_t sk_len; /* slots in use */
    uint32_t *sk;
    int64_t *sks;  /* TIX_CUBE_STATS_SUMS: the exact sum of each bucket */
    uint16_t *skb; /* sparse only */
} pair_stats;

/* TIX_CUBE_STATS_LOGS: a pair's amounts > 0, the sum of their fixed-point
 * logs and of the squares of those. Beside the pairs (logs[i] is pairs[i]'s)
 * and only in a cube that keeps them: the others pay no byte for them. */
typedef struct pair_logs {
    uint64_t lm;
    i128 ls;
    u128 lq;
} pair_logs;

/* Replicate groups (opts.replicates = G): the count and sum of the
 * contracts of each group, G of them a pair (reps[i G + g] is pairs[i]'s
 * group g), and with the logs their log statistics (rlogs, likewise). */
typedef struct rep_sums {
    uint64_t n;
    int64_t sum;
} rep_sums;

#define NREPS(c) ((c)->opts.replicates)

typedef struct cell_name {
    char *name;
    size_t len;
    uint64_t hash;
} cell_name;

#define CUBE_CELL_MEMO_BITS 8
#define CUBE_CELL_MEMO (1u << CUBE_CELL_MEMO_BITS)

struct tix_cube {
    tix_cube_opts opts; /* opts.by points at by */
    char *by;
    int final;
    int max_known;          /* pairs' max is each one's largest amount (0: a part
                               loaded without statistics, which does not store it) */
    int ids_known;          /* pairs know the contract_id of their max (every row added
                               by tix_cube_add_id, every part merged knowing them) */
    char *ids;              /* the pairs' top ids, each in its own slot */
    size_t ids_len, ids_cap;
    size_t bytes;           /* taken from opts.budget */
    int32_t day_lo, day_hi; /* signing dates seen, when day_lo <= day_hi */

    cell_name *cells; /* by id */
    size_t ncells, cells_cap;
    uint32_t *cell_slots; /* open addressing: id + 1, 0 = empty */
    size_t cell_mask;
    /* The cells met last, id + 1 by a cheap hash of the name's ends
     * (cube_hash.c): a guess, checked byte for byte. */
    uint32_t cell_memo[CUBE_CELL_MEMO];

    pair *pairs;
    size_t npairs, pairs_cap;
    pair_stats *stats; /* STATS_KIND only: stats_cap >= npairs */
    size_t stats_cap;
    pair_logs *logs; /* HAS_LOGS only: logs_cap >= npairs */
    size_t logs_cap;
    rep_sums *reps; /* NREPS only: reps_cap >= npairs pairs' groups */
    size_t reps_cap;
    pair_logs *rlogs; /* NREPS and HAS_LOGS: as reps */
    size_t rlogs_cap;

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

    /* Deferred sketches (cube_sketch_defer): the amounts > 0 as a list,
     * sketched at once by cube_sketch_settle; the sparse sketches it
     * makes share one allocation, slab. */
    int defer; /* 1: deferring; 2: a settle failed, the sketches are lost */
    struct sk_pend *pend;
    size_t npend, pend_cap;
    unsigned char *slab;
    size_t slab_len;

    /* finalize() views */
    uint32_t *rank_of;    /* cell id -> rank */
    uint32_t *id_of_rank; /* rank -> cell id */
    int32_t *periods;
    size_t nperiods;
    size_t *period_start; /* nperiods + 1 offsets into view/order */
    tix_cube_entry *view;
    uint32_t *order; /* view position -> pair index */
};

/* The log statistics of pair p of c (which keeps them); its other
 * statistics (likewise). */
#define LG(c, p) (&(c)->logs[(p) - (c)->pairs])
#define ST(c, p) (&(c)->stats[(p) - (c)->pairs])
/* The G replicate groups of pair p, and their logs. */
#define RP(c, p) (&(c)->reps[(size_t)((p) - (c)->pairs) * NREPS(c)])
#define RL(c, p) (&(c)->rlogs[(size_t)((p) - (c)->pairs) * NREPS(c)])

/* Memory of one sketch bucket. */
#define bucket_bytes(c)                                                                            \
    (sizeof(uint32_t) + (STATS_KIND(c) == TIX_CUBE_STATS_SUMS ? sizeof(int64_t) : 0))

/* Counts n more bytes against the budget; TIX_E_LIMIT when it is spent. */
static inline tix_status cube_reserve(tix_cube *c, size_t n)
{
    if (tix_budget_take(c->opts.budget, n) != TIX_OK)
        return TIX_E_LIMIT;
    c->bytes += n;
    return TIX_OK;
}

static inline void cube_release(tix_cube *c, size_t n)
{
    tix_budget_give(c->opts.budget, n);
    c->bytes -= n;
}

#define DENSE_MAX_SLOTS ((size_t)1 << 22)

static inline pair *cube_dense_get(const tix_cube *c, int32_t period, uint32_t cell)
{
    if (!c->dense || period < c->dense_lo || cell >= c->dense_nc)
        return NULL;
    size_t row = (size_t)((int64_t)period - c->dense_lo);
    if (row >= c->dense_np)
        return NULL;
    uint32_t v = c->dense[row * c->dense_nc + cell];
    return v ? &c->pairs[v - 1] : NULL;
}

/* ---- cube_hash.c: cell names and (period, cell) pairs, each in an
 * open-addressing table, with a dense index in front of the pairs ------- */

/* The id of cell p[0..n), interned (copied) when new, with *fresh = 1.
 * TIX_E_LIMIT or TIX_E_NOMEM leave the cube as it was. */
tix_status cube_intern_cell(tix_cube *c, const char *p, size_t n, uint32_t *id, int *fresh);

/* Takes back the cell interned last. */
void cube_forget_last_cell(tix_cube *c);

/* The pair of (period, cell id), made when new (*fresh = 1). */
tix_status cube_pair_for(tix_cube *c, int32_t period, uint32_t id, pair **p, int *fresh);

/* Takes back the pair made last; clearing its dense slot is the caller's. */
void cube_forget_last_pair(tix_cube *c);

/* Lookups that never insert: 1 and *id, or 0; the pair or NULL. */
int cube_lookup_cell(const tix_cube *c, const char *p, size_t n, uint32_t *id);
const pair *cube_lookup_pair(const tix_cube *c, int32_t period, uint32_t cell);

/* ---- cube_sketch.c: the log-bucketed quantile sketch --------------------- */

struct cube_pair;

/* Builds the tables cube_sketch_bucket reads, once a process (safe to
 * call from any thread, any number of times); 1 when they are in use (0:
 * a check failed, cube_sketch_bucket calls log()). tix_cube_new calls it
 * for a cube with statistics. */
int cube_sketch_init(void);

/* The bucket of cents >= 1: by definition ceil(log(cents) / SK_LOG_GAMMA)
 * as libm computes it (cube_sketch_bucket_log, the one authority), found
 * without log(): the leading 7 bits of cents pick a 1/64 octave, narrower
 * than a bucket, whose first bucket a table holds, and one comparison with
 * the next bucket's first amount settles it. The tables are computed by
 * cube_sketch_init from cube_sketch_bucket_log itself (and checked there;
 * if a check failed this calls log() instead). tests/test_cube.c compares
 * the two around every bucket's edges. */
int32_t cube_sketch_bucket(int64_t cents);
int32_t cube_sketch_bucket_log(int64_t cents);

/* The sketch functions take a pair's statistics, s = ST(c, p).
 * Counts one amount in s's sketch. A failure (TIX_E_OVERFLOW, _LIMIT,
 * _NOMEM) leaves the counts as they were. */
tix_status cube_sketch_add(tix_cube *c, pair_stats *s, int64_t cents);

/* Whether adding v's sketch to that of pair p (statistics s) would take
 * a bucket's count past UINT32_MAX. */
int cube_sketch_overflows(const pair *p, const pair_stats *s, const struct cube_pair *v);

/* Makes room in s for v's buckets, so that cube_sketch_absorb cannot
 * fail. TIX_E_LIMIT or TIX_E_NOMEM leave s's counts as they were. */
tix_status cube_sketch_room(tix_cube *c, pair_stats *s, const struct cube_pair *v);

/* Adds v's buckets to s's, after cube_sketch_room and with no count
 * overflowing (cube_sketch_overflows). */
void cube_sketch_absorb(pair_stats *s, const struct cube_pair *v);

/* Asks for the cache lines of s's sketch that absorbing q's will add to
 * (dense s, sparse q: a block's pair into the cube's). Only a hint. */
void cube_sketch_prefetch(const pair_stats *s, const pair_stats *q);

/* Asks for the cache lines of s's sketch that adding an amount of cents
 * will touch: the slot of its bucket when dense, the whole (small) block
 * when sparse. Only a hint. */
void cube_sketch_prefetch_amount(const tix_cube *c, const pair_stats *s, int64_t cents);

/* Frees s's sketch and gives its bytes back to the budget. */
void cube_sketch_drop(tix_cube *c, pair_stats *s);

/* Frees s's sketch only (the cube gives back all its bytes at once). */
void cube_sketch_free(const tix_cube *c, pair_stats *s);

/* A block's cube (engine_par.c) takes thousands of rows spread over
 * thousands of pairs, a handful each, and is then merged whole: kept one
 * by one in sorted sparse sketches, they cost a search, an insertion and
 * up to three allocations a pair. Deferred, an empty cube with statistics
 * lists each amount's pair and bucket instead, and cube_sketch_settle
 * sorts the list by pair and bucket and makes every pair's sketch at once,
 * the sparse ones in one allocation: the sketches the adds one by one
 * would hold, bucket for bucket. Only the sketches wait; every other
 * aggregate is added as the rows come. cube_sketch_settle must come
 * before the cube is merged (tix_cube_merge refuses a deferring source)
 * or read; tix_cube_finalize and the other writers settle it themselves.
 * Its failure (TIX_E_NOMEM, _LIMIT) leaves a cube that refuses merges
 * and finalizing with TIX_E_INVALID: it can only be freed. */
void cube_sketch_defer(tix_cube *c);
tix_status cube_sketch_settle(tix_cube *c);

/* Rows applied one by one land all over the cube (engine_par.c): what a
 * row of (day, cell) will read is fetched into cache in two steps, some
 * rows apart. cube_prefetch_slot fetches the line of the dense index that
 * names its pair, and returns the cell's id + 1 when the cube has the
 * cell, else 0: a hint for cube_add_hinted, good until the cube is
 * finalized (a cell, once kept, keeps its id). cube_prefetch_pair, given
 * that hint, then fetches the pair's lines, when the cube has the pair. */
uint32_t cube_prefetch_slot(const tix_cube *c, int32_t day, const char *cell, size_t len);
void cube_prefetch_pair(const tix_cube *c, int32_t day, uint32_t hint);
/* Some rows later still, with the pair's lines in cache, the lines of its
 * sketch that the row's amount of cents will add to. */
void cube_prefetch_sketch(const tix_cube *c, int32_t day, uint32_t hint, int64_t cents);

/* tix_cube_add_id with a hint from cube_prefetch_slot (0: none): the
 * cell is not looked up again when the hint names it. */
tix_status cube_add_hinted(tix_cube *c, uint32_t hint, int32_t day, const char *cell, size_t len,
                           int64_t cents, const char *id, size_t id_len);

/* The k-th smallest amount (1-based) of pair p (statistics s), from the
 * sketch. */
double cube_sketch_rank(const pair *p, const pair_stats *s, uint64_t k);

/* ---- saving and loading (tic.c) ----------------------------------------- */

/* The complete state of one (period, cell) aggregate, for saving cubes
 * and loading them again (tic.c). The statistics fields mean something
 * only in a cube with cell_stats: min and max of the amounts, their sum of
 * squares (128 bits, sumsq_overflow when it passed that), the amounts of
 * 0, and the sketch: sk[k] amounts in bucket SK_BUCKET(p, k), sks[k] their
 * sum (TIX_CUBE_STATS_SUMS only). */
typedef struct cube_pair {
    int32_t period;
    uint32_t cell; /* rank of the cell name, as in tix_cube_entry */
    uint64_t n;
    int64_t sum;
    int64_t min, max;
    uint64_t sumsq_lo, sumsq_hi;
    int sumsq_overflow;
    uint64_t zeros;
    int32_t sk_lo;
    uint32_t sk_len;
    const uint32_t *sk;
    const int64_t *sks;
    const uint16_t *skb; /* NULL: dense, slot k is bucket sk_lo + k (see pair) */
    /* TIX_CUBE_STATS_LOGS: as pair's lm, ls, lq (two's complement halves) */
    uint64_t lm;
    uint64_t ls_lo, ls_hi, lq_lo, lq_hi;
    /* Replicate groups: the cube's G of each (rlogs with the logs only);
     * NULL in a cube without them. */
    const rep_sums *reps;
    const pair_logs *rlogs;
    /* The contract_id of the largest amount (top_len bytes; NULL when the
     * cube does not know it). */
    const char *top_id;
    uint32_t top_len;
} cube_pair;

/* After finalize: pair v in the order of the entries (period after
 * period, cells by rank). The arrays are borrowed from the cube. Returns
 * TIX_OK or TIX_E_INVALID. */
tix_status cube_pair_at(const tix_cube *c, size_t v, cube_pair *out);

/* Adds a saved pair's aggregates to the pair (p->period, cell name
 * cell[0..len)) of an unfinalized cube, exactly as adding its amounts
 * would (p->cell is ignored). A state no adds could have made is
 * TIX_E_INVALID; otherwise as tix_cube_add, and a failed put changes
 * nothing. */
tix_status cube_put_pair(tix_cube *c, const char *cell, size_t len, const cube_pair *p);

/* After finalize, in a cube with TIX_CUBE_STATS_LOGS: the log statistics
 * of entry k of period i (as tix_cube_entries lists them). 0 when the
 * cube keeps none or i/k is out of range. */
int cube_logs_at(const tix_cube *c, size_t i, size_t k, uint64_t *m, i128 *s, u128 *q);

/* Widens the day range to take in [first, last] (a loaded cube's). */
void cube_note_days(tix_cube *c, int32_t first, int32_t last);

/* The columns of a by text (its commas and one). */
size_t cube_by_columns(const char *by);

#endif
