/* The cube: exact aggregates per (period, cell).
 *
 * Rows go in one at a time; memory grows with the number of distinct
 * (period, cell) pairs, never with the number of rows. Counts and sums are
 * exact integers (cents), so the result does not depend on the order in
 * which rows or files arrive. With cell statistics enabled each pair also
 * keeps min, max, an exact sum of squares and a log-bucketed quantile sketch
 * (see tix_cube_stats). */
#ifndef TECHIDX_CUBE_H
#define TECHIDX_CUBE_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/api.h"
#include "techidx/budget.h"
#include "techidx/period.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Relative accuracy of the median/p90 sketch: a reported quantile is within
 * this fraction of the true order statistic. */
#define TIX_CUBE_SKETCH_ALPHA 0.01

/* cell_stats: 0 none; TIX_CUBE_STATS min, max, sd and the quantile sketch;
 * TIX_CUBE_STATS_SUMS also the exact sum of each sketch bucket (8 bytes a
 * bucket more), which tix_cube_winsorize needs. TIX_CUBE_STATS_LOGS is a
 * bit that combines with either (or with none): the log statistics of
 * the time-dummy method, per pair m = the contracts with an amount > 0,
 * S = sum of ln(amount) and Q = sum of ln(amount)^2, in fixed point
 * (TIX_CUBE_LOG_SCALE), exact integers whatever the order of adds and
 * merges (48 bytes a pair; one logarithm per row added). */
#define TIX_CUBE_STATS 1
#define TIX_CUBE_STATS_SUMS 2
#define TIX_CUBE_STATS_LOGS 4

/* ln(amount) is kept as round(ln(cents) * 2^TIX_CUBE_LOG_SCALE), an
 * int64 below 2^46 (ln(2^63) < 44); its error against the exact
 * logarithm is below 2^-40 (the rounding, 2^-41, and libm's log, within
 * an ulp of 43.7, 2^-47, times 2^40). */
#define TIX_CUBE_LOG_SCALE 40

/* The default limits of a cube. */
#define TIX_CUBE_MAX_CELLS ((size_t)100000)
#define TIX_CUBE_MAX_PAIRS ((size_t)10000000)

/* Start from tix_cube_opts_init(), then set what differs. A zeroed struct
 * is valid too and means the same, but for the period: TIX_PERIOD_DAY
 * (the period kinds keep their numbers: .tic files store them). */
typedef struct tix_cube_opts {
    tix_period_kind period; /* how dates group into periods; default TIX_PERIOD_WEEK */
    int cell_stats;         /* TIX_CUBE_STATS or TIX_CUBE_STATS_SUMS, or 0, with or
                               without the bit TIX_CUBE_STATS_LOGS: keep min/max/sd/
                               quantile state, log statistics per pair; default 0 */
    size_t max_cells;       /* distinct cell names; 0 = TIX_CUBE_MAX_CELLS (the default) */
    size_t max_pairs;       /* distinct (period, cell) pairs; 0 = TIX_CUBE_MAX_PAIRS */
    tix_budget *budget;     /* memory for everything that grows; default NULL: no limit */
    const char *by;         /* what its cells are, the --by text (record.h), copied;
                               default (and NULL) "sector". Cubes merge only with
                               cubes of the same by; writers name columns after it */
    size_t replicates;      /* G replicate groups for the jackknife (tix_cube_add_id),
                               2..TIX_CUBE_MAX_REPLICATES; default 0: none. Cubes
                               merge only with cubes of the same G */
    size_t cell_dims;       /* the cells are the first cell_dims columns of by; the
                               others are characteristics that only the time dummy
                               regresses on (tix_cube_project sums them out). Default
                               (and 0, or by's count): all of by's columns. Cubes merge
                               only with cubes of the same */
} tix_cube_opts;

/* Replicate groups (the delete-a-group jackknife of `--ci`,
 * docs/methodology.md section 7b): a cube made with G = opts.replicates
 * keeps, beside each pair's aggregates, those of the contracts of each
 * group g < G: their count, their sum and, with TIX_CUBE_STATS_LOGS, their
 * log statistics (16 bytes a group and pair, 48 more with the logs).
 * A contract's group depends on its contract_id alone: tix_replicate_group. */
#define TIX_CUBE_MAX_REPLICATES 1000
#define TIX_CUBE_DEFAULT_REPLICATES 20

/* The group of contract id[0..len) among `groups` (>= 1): h = the 64-bit
 * FNV-1a hash of the bytes (offset basis 14695981039346656037, prime
 * 1099511628211), mixed by SplitMix64's finalizer (h ^= h >> 30,
 * h *= 0xbf58476d1ce4e5b9, h ^= h >> 27, h *= 0x94d049bb133111eb,
 * h ^= h >> 31), then h mod groups. */
TIX_API uint32_t tix_replicate_group(const char *id, size_t len, size_t groups);

/* Fills *o with the defaults written above. */
TIX_API void tix_cube_opts_init(tix_cube_opts *o);

typedef struct tix_cube tix_cube;

/* One (period, cell) aggregate as seen after tix_cube_finalize(). */
typedef struct tix_cube_entry {
    uint32_t cell; /* rank of the cell name in byte order (tix_cube_cell_name) */
    uint64_t n;    /* contracts */
    int64_t value; /* sum of the measure, cents */
} tix_cube_entry;

/* Descriptive statistics of one entry's amounts, in cents. mean, sd, median
 * and p90 are NaN when undefined (sd needs n >= 2). median and p90 are the
 * ceil(0.5 n)-th and ceil(0.9 n)-th smallest amounts, estimated by the
 * sketch within TIX_CUBE_SKETCH_ALPHA relative error and clamped to
 * [min, max]; all others are exact up to double rounding. */
typedef struct tix_cell_stats {
    uint64_t n;
    int64_t sum, min, max;
    double mean, sd, median, p90;
} tix_cell_stats;

/* Creates an empty cube. opts is copied. Returns TIX_OK, TIX_E_NOMEM or
 * TIX_E_INVALID. *out owns the cube; free it with tix_cube_free. */
TIX_API tix_status tix_cube_new(tix_cube **out, const tix_cube_opts *opts);

/* Adds one contract signed on day number `day` to cell (cell, len) (bytes,
 * copied on first sight) with `cents` >= 0 of the measure. Returns TIX_OK,
 * TIX_E_OVERFLOW (a sum left int64, or with TIX_CUBE_STATS_LOGS a sum of
 * squared logs left 128 bits: never before 2^36 contracts in one pair), TIX_E_LIMIT (max_cells or max_pairs
 * reached, or the budget spent), TIX_E_NOMEM, or TIX_E_INVALID after
 * finalize or for cents < 0. A failed add changes nothing. Memory: 60 to
 * 120 bytes per pair, as its arrays double (with cell_stats 80 to 160 more,
 * and up to 8 KB for the sketch, typically 1-4 KB), plus each distinct cell
 * name. */
TIX_API tix_status tix_cube_add(tix_cube *c, int32_t day, const char *cell, size_t len,
                                int64_t cents);

/* As tix_cube_add, and the contract (id[0..len)) also counts in its
 * replicate group (tix_replicate_group) when the cube keeps them; a cube
 * with replicate groups takes its rows only this way (tix_cube_add is
 * TIX_E_INVALID there). */
TIX_API tix_status tix_cube_add_id(tix_cube *c, int32_t day, const char *cell, size_t len,
                                   int64_t cents, const char *id, size_t id_len);

/* The replicate groups the cube keeps: its opts.replicates (0: none). */
TIX_API size_t tix_cube_replicates(const tix_cube *c);

/* Replicate g of a finalized cube with replicate groups: a new finalized
 * cube holding every pair's aggregates less those of group g (pairs left
 * without contracts are absent), exactly what adding the rows of every
 * other group would give for counts, sums and log statistics; it keeps no
 * min/max/sketch statistics (cell_stats is c's TIX_CUBE_STATS_LOGS bit
 * alone), no maxima and no replicate groups. opts gives the limits and
 * budget (may be NULL). Returns TIX_OK, TIX_E_INVALID (not finalized, no
 * groups, g out of range), TIX_E_LIMIT or TIX_E_NOMEM. */
TIX_API tix_status tix_cube_replicate(const tix_cube *c, size_t g, const tix_cube_opts *opts,
                                      tix_cube **out);

/* Adds everything src holds to dst (both unfinalized, same period kind,
 * cell_stats and replicate groups): the result is exactly what adding src's rows to dst
 * would give, in any order of merges. Returns TIX_OK; TIX_E_OVERFLOW or
 * TIX_E_LIMIT (max_cells, max_pairs, or a budget that might not hold it all)
 * with dst unchanged; TIX_E_INVALID (another period kind, cell_stats,
 * by or replicates); or TIX_E_NOMEM, after which dst is
 * only fit for freeing. src is not changed. */
TIX_API tix_status tix_cube_merge(tix_cube *dst, const tix_cube *src);

/* Ends the adds and builds the sorted views below (about 30 bytes per pair,
 * from the budget). Idempotent. Returns TIX_OK, TIX_E_LIMIT or
 * TIX_E_NOMEM. */
TIX_API tix_status tix_cube_finalize(tix_cube *c);

TIX_API tix_period_kind tix_cube_period_kind(const tix_cube *c);

/* What the cells are: the canonical --by text, e.g. "sector" or
 * "buyer_region,seller_region" (owned by the cube). */
TIX_API const char *tix_cube_by(const tix_cube *c);

/* How many of by's columns are the cells (opts.cell_dims): by's count
 * when all of them are. */
TIX_API size_t tix_cube_cell_dims(const tix_cube *c);

/* The cube of c's cells alone (finalized c): a new finalized cube whose by
 * is c's first tix_cube_cell_dims columns, every pair the sum of c's pairs
 * of the same period and values of those columns, exactly what adding
 * c's rows to a cube by those columns gives (statistics, maxima, top ids,
 * replicate groups and day range included). opts gives the limits and
 * budget (may be NULL). Returns TIX_OK, TIX_E_INVALID (not finalized),
 * TIX_E_LIMIT or TIX_E_NOMEM. */
TIX_API tix_status tix_cube_project(const tix_cube *c, const tix_cube_opts *opts,
                                    tix_cube **out);

/* A new finalized cube with only the cells for which keep[rank] is
 * nonzero (keep has tix_cube_ncells(c) entries), their aggregates and
 * statistics exactly as in c, as if only their rows had been added; its
 * by, period, stats, replicate groups and day range are c's. c must be finalized. Returns
 * TIX_OK, TIX_E_INVALID, TIX_E_LIMIT (opts' limits or budget) or
 * TIX_E_NOMEM. opts gives the limits and budget (may be NULL). */
TIX_API tix_status tix_cube_subset(const tix_cube *c, const unsigned char *keep,
                                   const tix_cube_opts *opts, tix_cube **out);

/* The statistics the cube keeps: its opts.cell_stats. */
TIX_API int tix_cube_stats_kind(const tix_cube *c);

/* After finalize: periods with data in increasing order, and their ordinals. */
TIX_API size_t tix_cube_nperiods(const tix_cube *c);
TIX_API int32_t tix_cube_period(const tix_cube *c, size_t i);

/* After finalize: distinct cell names in byte order (NUL-terminated,
 * owned by the cube). */
TIX_API size_t tix_cube_ncells(const tix_cube *c);
TIX_API const char *tix_cube_cell_name(const tix_cube *c, size_t rank);

/* After finalize: the entries of period i sorted by cell rank; *count gets
 * their number. The array is owned by the cube. */
TIX_API const tix_cube_entry *tix_cube_entries(const tix_cube *c, size_t i, size_t *count);

/* After finalize: the largest single amount of entry k of period i into
 * *max, and 1; 0 when the cube does not know it (a part saved without
 * statistics, or merged with one) or i/k is out of range. Kept whatever
 * the cell_stats. */
TIX_API int tix_cube_max(const tix_cube *c, size_t i, size_t k, int64_t *max);

/* 1 when the cube knows its pairs' largest amounts (see tix_cube_max). */
TIX_API int tix_cube_max_known(const tix_cube *c);

/* The longest contract_id a cube keeps for tix_cube_top_id: a longer one
 * is kept as its first bytes, up to this many, ending on a whole UTF-8
 * character. */
#define TIX_CUBE_TOP_ID_MAX 256

/* After finalize: the contract_id of the largest amount of entry k of
 * period i (the smallest id in byte order among equal amounts, both as
 * kept: TIX_CUBE_TOP_ID_MAX) into *id (len bytes, owned by the cube), and 1; 0 when the cube does not know it
 * (a row added by tix_cube_add, without id, or a part that did not keep
 * ids: .tic files before this version) or i/k is out of range. */
TIX_API int tix_cube_top_id(const tix_cube *c, size_t i, size_t k, const char **id, size_t *len);

/* After finalize: statistics of entry k of period i. Returns TIX_OK, or
 * TIX_E_INVALID when the cube was made without cell_stats or i/k is out of
 * range. */
TIX_API tix_status tix_cube_stats(const tix_cube *c, size_t i, size_t k, tix_cell_stats *out);

/* The first and last signing day added (or noted); 0 when none. */
TIX_API int tix_cube_days(const tix_cube *c, int32_t *first, int32_t *last);

/* Winsorizing, after finalize, in a cube made with TIX_CUBE_STATS_SUMS.
 * For every entry (period after period, cells by rank, as
 * tix_cube_entries lists them) the cap is the q-quantile of the cell's
 * amounts over the `window` periods ending with the entry's (periods
 * without data count): the top of the sketch bucket holding the
 * ceil(q N)-th smallest of those N amounts, so within
 * TIX_CUBE_SKETCH_ALPHA above the exact quantile. values[v] gets the
 * entry's sum with every amount above the cap replaced by the cap, exact
 * in cents; capped[v] how many amounts were replaced. Both arrays hold one
 * slot per entry of the cube. Returns TIX_OK, TIX_E_INVALID (q not in
 * (0, 1], window 0, or no bucket sums) or TIX_E_NOMEM. */
TIX_API tix_status tix_cube_winsorize(const tix_cube *c, double q, size_t window, int64_t *values,
                                      uint64_t *capped);

/* Frees c. Accepts NULL. */
TIX_API void tix_cube_free(tix_cube *c);

#ifdef __cplusplus
}
#endif
#endif
