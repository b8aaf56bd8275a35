/* The technology trading index and its methodology (docs/methodology.md).
 *
 * For each period with data and each cell s: n = contracts, V = value
 * (cents), u = V / n. Cells with fewer than min_contracts contracts in a
 * period are suppressed there: unpublished and out of every link. Two
 * periods are compared over the cells published in both (matched cells):
 *   value            sum V1 / sum V0
 *   volume           Laspeyres sum u0 n1 / sum u0 n0, Paasche sum u1 n1 /
 *                    sum u1 n0, Fisher sqrt(L P), Tornqvist
 *                    exp sum (w0+w1)/2 ln(n1/n0) with w the value shares,
 *                    Walsh sum sqrt(u0 u1) n1 / sum sqrt(u0 u1) n0
 *   unit value       the same with the roles of u and n swapped.
 * The price-index methods (Jevons, Dutot, Carli, harmonic, geometric
 * Laspeyres and Paasche, Sato-Vartia, TPD) compare the unit values only;
 * their volume link is implicit, the value link over the unit-value link.
 * Chained: each period is linked to the previous period with data. Fixed
 * base: each period is compared directly with the base. Multilateral:
 * GEKS, the geometric mean, over the periods l of a window, of the
 * bilateral Fisher, Tornqvist, Walsh, Jevons or TPD comparisons through
 * l; or Geary-Khamis or WTPD solved over the window's cells (every cell
 * with data in some period of it, weighing nothing where it has none),
 * their volume implicit; a rolling window extended by splicing, so that
 * no period already computed changes. The base period is 100. */
#ifndef TECHIDX_INDEX_H
#define TECHIDX_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/api.h"
#include "techidx/cube.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tix_method {
    TIX_METHOD_FISHER = 0,
    TIX_METHOD_LASPEYRES = 1,
    TIX_METHOD_PAASCHE = 2,
    TIX_METHOD_TORNQVIST = 3,
    TIX_METHOD_WALSH = 4,
    TIX_METHOD_GEKS_FISHER = 5,
    TIX_METHOD_GEKS_TORNQVIST = 6,
    /* Price-index methods: unit_value is the method's price index of the
     * matched cells' unit values, volume the implicit value / unit_value. */
    TIX_METHOD_JEVONS = 7,               /* geometric mean of the relatives */
    TIX_METHOD_DUTOT = 8,                /* ratio of the mean unit values */
    TIX_METHOD_CARLI = 9,                /* arithmetic mean of the relatives */
    TIX_METHOD_HARMONIC = 10,            /* harmonic mean of the relatives */
    TIX_METHOD_GEOMETRIC_LASPEYRES = 11, /* relatives, base value shares */
    TIX_METHOD_GEOMETRIC_PAASCHE = 12,   /* relatives, current value shares */
    TIX_METHOD_SATO_VARTIA = 13,         /* logarithmic means of the shares */
    TIX_METHOD_TPD = 14,                 /* time-product dummy regression */
    /* Multilateral over a window, spliced: GEKS of the bilateral Walsh,
     * Jevons and TPD (without Kennedy's adjustment, as IndexNumR's
     * GEKSIndex) comparisons; Geary-Khamis and the weighted time-product
     * dummy, each solved over the cells matched through the window. */
    TIX_METHOD_GEKS_WALSH = 15,
    TIX_METHOD_GEKS_JEVONS = 16,
    TIX_METHOD_GEKS_TPD = 17,
    TIX_METHOD_GEARY_KHAMIS = 18, /* price levels and quality factors, a linear system */
    TIX_METHOD_WTPD = 19,         /* ln u on time and cell dummies, share weights */
    /* Multilateral, solved over each window from the cube's log statistics
     * (TIX_CUBE_STATS_LOGS): OLS of ln(amount) over the contracts with an
     * amount > 0 on period dummies and the main effects of the hedonic
     * characteristics (the cube's columns, or opts.hedonic); the unit-value
     * index is exp of the period dummies, with standard errors. */
    TIX_METHOD_TIME_DUMMY = 20
} tix_method;

/* "fisher", "laspeyres", "paasche", "tornqvist", "walsh", "geks-fisher",
 * "geks-tornqvist", "jevons", "dutot", "carli", "harmonic",
 * "geometric-laspeyres", "geometric-paasche", "sato-vartia", "tpd",
 * "geks-walsh", "geks-jevons", "geks-tpd", "geary-khamis", "wtpd",
 * "time-dummy". */
TIX_API const char *tix_method_name(tix_method m);
TIX_API tix_status tix_method_parse(const char *name, tix_method *m);

/* 1 for the multilateral methods (the GEKS ones, Geary-Khamis, WTPD,
 * the time dummy),
 * which take a window and a splice and are neither chained nor
 * fixed-base; 0 for the bilateral ones. */
TIX_API int tix_method_is_multilateral(tix_method m);

typedef enum tix_chain {
    TIX_CHAIN_CHAINED = 0, /* links between consecutive periods with data */
    TIX_CHAIN_FIXED = 1    /* each period against the base directly */
} tix_chain;

/* "chained", "fixed". */
TIX_API const char *tix_chain_name(tix_chain c);
TIX_API tix_status tix_chain_parse(const char *name, tix_chain *c);

/* How the window of each period T past the first window, [T-W+1, T],
 * gives T its level, for every multilateral method; no splice changes a
 * level already computed. With I the published levels, N the new window's
 * own levels and O the previous window's own levels ([T-W, T-1]):
 *   movement  I(T-1) N(T)/N(T-1)
 *   window    I(T-1) [N(T)/N(s)] / [O(T-1)/O(s)],  s = T-W+1
 *   half      the same on h = T - floor(W/2) instead of s
 *   mean      the geometric mean of window's factor over h = s .. T-1
 *   wisp, hasp, mean_pub  window, half, mean with the published I for O
 *                         (techidx's window, half and mean before 0.2.0)
 *   fbew      I(b) G(b -> T), G the method over the expanding window [b, T]
 *   fbmw      I(b) N(T)/N(b)
 * where the fixed base b is the latest of the periods 0, W-1, 2(W-1), ...
 * before T (periods with data, counted from 0). The names and formulas
 * are IndexNumR's (0.6.0, R/splices.R, R/geks.R, R/gk.R, R/wtpd.R). */
typedef enum tix_splice {
    TIX_SPLICE_MEAN = 0,
    TIX_SPLICE_MOVEMENT = 1,
    TIX_SPLICE_WINDOW = 2,
    TIX_SPLICE_HALF = 3,
    TIX_SPLICE_WISP = 4,
    TIX_SPLICE_HASP = 5,
    TIX_SPLICE_MEAN_PUB = 6,
    TIX_SPLICE_FBEW = 7,
    TIX_SPLICE_FBMW = 8
} tix_splice;

/* "mean", "movement", "window", "half", "wisp", "hasp", "mean_pub",
 * "fbew", "fbmw". */
TIX_API const char *tix_splice_name(tix_splice s);
TIX_API tix_status tix_splice_parse(const char *name, tix_splice *s);

/* The longest GEKS window: its comparisons take 24 W^2 bytes. */
#define TIX_GEKS_MAX_WINDOW 1000

/* The default GEKS window for a period kind: 53 weeks, 13 months, 5
 * quarters, 5 years, 366 days (a year and one period). */
TIX_API size_t tix_geks_default_window(tix_period_kind kind);

typedef struct tix_links {
    double value, volume, unit_value;
} tix_links;

/* Bilateral comparison of period 0 with period 1 over k matched cells with
 * contracts n0/n1 and values v0/v1 (any unit, all >= 0, n > 0), m one of
 * the bilateral methods (not multilateral). Returns TIX_OK, or TIX_E_NODATA when a
 * ratio is undefined (k = 0, a zero value total, a Tornqvist log of zero, a
 * zero unit value under a relative or a log, TPD over one cell);
 * *out is then all NaN. TIX_E_INVALID for a multilateral method. */
TIX_API tix_status tix_index_link(tix_method m, size_t k, const double *n0, const double *v0,
                                  const double *n1, const double *v1, tix_links *out);

/* The methodology. Start from tix_index_opts_init(), which fills the
 * defaults written below (those of `techidx run`); a zeroed struct means
 * the same. */
typedef struct tix_index_opts {
    tix_method method;      /* default TIX_METHOD_FISHER */
    int has_base;           /* 0 (default): the first period with data is the base */
    int32_t base;           /* period ordinal of the base when has_base */
    tix_chain chain;        /* bilateral methods only; default chained */
    uint64_t min_contracts; /* default 1; 0 or 1: nothing suppressed */
    size_t window;          /* multilateral window in periods with data, 2..TIX_GEKS_MAX_WINDOW;
                               0 (default): tix_geks_default_window of the cube's period */
    tix_splice splice;      /* multilateral only; default TIX_SPLICE_MEAN */
    double winsorize;       /* 0 (default): off; else the quantile q in (0, 1] capping
                               amounts */
    size_t winsor_window;   /* periods of the trailing window; 0 (default): as the GEKS
                               default */
    int has_until;          /* leave out the periods after `until` (a release's cutoff);
                               default 0 */
    int32_t until;
    int year_over_year; /* 1: one series per season (techidx/yoy.h); default 0 */
    /* TIX_METHOD_TIME_DUMMY only: */
    const char *hedonic; /* the characteristics, a comma list of the cube's columns
                            (its by: the cells' and those beyond them,
                            tix_cube_cell_dims; borrowed); NULL (default): all of them */
    int kennedy;         /* 1: exp(d - var(d)/2) (Kennedy 1981); default 0 */
    double ci_level;     /* of the intervals (time-dummy's, ci's), in (0, 1); 0 (default):
                            0.95 */
    int ci;              /* 1: the delete-a-group jackknife over the cube's replicate
                            groups (tix_cube_replicates >= 2) gives every row its
                            *_se, *_lo, *_hi and significant; default 0 */
    size_t provisional;  /* the last K periods (calendar periods ending with `until`,
                            or with the last period with data) are flagged
                            provisional: late contracts will still revise them;
                            default 0: none flagged */
    unsigned threads;    /* with ci: replicates computed at once (threads of its
                            own); the result is the same bytes for any number;
                            default 0: one at a time */
} tix_index_opts;

/* Fills *o with the defaults written above. */
TIX_API void tix_index_opts_init(tix_index_opts *o);

/* One period with data. Index fields are NaN where undefined. */
typedef struct tix_index_row {
    int32_t period;     /* ordinal (period.h) */
    uint64_t contracts; /* all accepted contracts of the period */
    int64_t value;      /* their total measure, cents */
    size_t cells;       /* cells with data */
    size_t suppressed;  /* of which fewer than min_contracts contracts */
    size_t matched;     /* cells in the period's comparison: see coverage */
    double coverage;    /* the matched cells' share of the period's value */
    tix_links link;     /* chained: links to the previous period with data */
    double value_index, volume_index, unit_value_index;
    double change;        /* value_index over the previous period's: the headline link */
    uint64_t capped;      /* winsorizing: contracts whose amount was capped */
    int64_t capped_value; /* and the cents it took off them */
    int season;           /* year-over-year: the row's season (tix_yoy_season); else 0 */
    /* TIX_METHOD_TIME_DUMMY (NaN or 0 otherwise): the standard error of
     * unit_value_index (delta method, I se(d)) and its ci_level interval
     * I exp(-+ t se(d)), from the window regression that gave the row its
     * level, d its period dummy against the base (when in that window) or
     * the window's first period; the period's published contracts of
     * amount 0, left out of the regression; the characteristic levels
     * that regression dropped as aliased (collinear with earlier columns). */
    double unit_value_index_se, unit_value_index_lo, unit_value_index_hi;
    uint64_t zero_amounts;
    size_t aliased;
    /* Warnings (docs/methodology.md section 7a), every method: the largest
     * single contract's amount over the period's value (raw amounts; NaN
     * when the value is 0 or the cube does not know its contracts' maxima,
     * tix_cube_max), and 1 when the period's headline link (change) is an
     * outlier against the links before it: more than TIX_UNUSUAL_Z scaled
     * median absolute deviations of ln(change) from their median over the
     * previous TIX_UNUSUAL_WINDOW links (at least TIX_UNUSUAL_MIN). */
    double top_contract_share;
    int unusual;
    /* opts.ci (docs/methodology.md section 7b): the jackknife standard
     * errors se = sqrt((G-1)/G sum_g (I_g - mean)^2) of the three indices
     * over the G replicate series I_g (each the whole series computed again
     * without one replicate group, on the same base), and their ci_level
     * intervals I exp(-+ t se / I), t Student's quantile with G - 1 degrees
     * of freedom; NaN when a replicate has no value for the row. With
     * opts.ci these replace the time dummy's model-based unit_value_index_se,
     * _lo and _hi. significant: 1 when the headline link (change) differs
     * from 1 beyond its interval, |ln change| > t se(ln change) with the
     * replicates' links; 0 when not; -1 when undefined (the first row, a
     * replicate without the link). 0 without opts.ci. */
    double value_index_se, value_index_lo, value_index_hi;
    double volume_index_se, volume_index_lo, volume_index_hi;
    int significant;
    int provisional; /* 1: one of the last opts.provisional periods */
} tix_index_row;

#define TIX_UNUSUAL_WINDOW 26
#define TIX_UNUSUAL_MIN 8
#define TIX_UNUSUAL_Z 3.5

/* The computed series; rows cover only periods with data, in order.
 * matched and coverage refer to the previous period with data (chained,
 * GEKS) or to the base (fixed). With opts.year_over_year the rows are
 * those of one series per season, season after season (techidx/yoy.h):
 * every "previous period" and "base" above is then the season's. */
typedef struct tix_index {
    tix_period_kind kind;
    tix_index_opts opts; /* as used: window resolved, min_contracts >= 1 */
    tix_method method;
    int32_t base;
    size_t base_row; /* row of the base period */
    size_t nrows;
    tix_index_row *rows;
    /* The cube's entries as the index used them (winsorized values), in
     * the cube's order; entry_start has nrows + 1 offsets. */
    tix_cube_entry *entries;
    size_t *entry_start;
    size_t ci_groups; /* opts.ci: the replicate groups G of the jackknife; else 0 */
    /* A cube whose by has characteristics beyond its cells
     * (tix_cube_cell_dims): its projection onto the cells
     * (tix_cube_project), owned, whose cells the entries are; else NULL.
     * tix_index_cube gives the cube to name them by. */
    tix_cube *cells_cube;
} tix_index;

/* The cube whose cells ix's entries are of: ix->cells_cube, or cube
 * (the one ix was computed from) when ix has none. Writers and anything
 * reading cell names of ix's entries go through it. */
TIX_API const tix_cube *tix_index_cube(const tix_index *ix, const tix_cube *cube);

/* Computes the index of a finalized cube. With opts->ci the cube must
 * keep replicate groups (else TIX_E_INVALID), and the series is computed
 * once more on each replicate (tix_cube_replicate). With opts->winsorize every
 * amount above its cap is set to the cap first (tix_cube_winsorize; the
 * cube must keep bucket sums), and everything below uses those values;
 * rows' contracts and value stay the raw totals. Returns TIX_OK (*out owns
 * the result), TIX_E_NODATA (no data, or the base period has none; err says
 * which), TIX_E_INVALID (an option out of range, or winsorizing a cube
 * without bucket sums; with year_over_year also a day or year cube, or
 * has_base), TIX_E_OVERFLOW or TIX_E_NOMEM. */
TIX_API tix_status tix_index_compute(const tix_cube *cube, const tix_index_opts *opts,
                                     tix_index **out, char *err, size_t errlen);

/* A cell's own indices: 100 x its value, contracts and unit value over
 * those of the base period; NaN where the cell is unpublished (no data or
 * suppressed) in this period or in the base period. */
typedef struct tix_cell_index {
    int suppressed; /* fewer than min_contracts contracts */
    double value_index, volume_index, unit_value_index;
} tix_cell_index;

/* The sub-indices of entry k of row t (as tix_cube_entries lists the
 * entries of period t; year-over-year: against the season's first row). */
TIX_API void tix_index_cell(const tix_index *ix, size_t t, size_t k, tix_cell_index *out);

/* One cell's additive contribution, in percentage points, to the change
 * from the previous period with data: they add up to 100 (link - 1) of the
 * value, volume and unit-value links. */
typedef struct tix_contribution {
    uint32_t cell; /* rank (tix_cube_cell_name) */
    double value_pp, volume_pp, unit_value_pp;
} tix_contribution;

/* Contributions of the matched cells of row t (t >= 1) to its chained link
 * (year-over-year: to its link with the season's previous row):
 * shares for Laspeyres, Paasche and Walsh, the van IJzeren (Reinsdorf,
 * Diewert and Ehemann) decomposition for Fisher, log changes for Tornqvist,
 * Jevons, the geometric ones and Sato-Vartia, each relative's term for
 * Dutot, Carli and harmonic; the implicit volume of these gets
 * (value_pp - unit_value_pp) / unit-value link. out has room for the cube's cells
 * (tix_cube_ncells); *n gets how many. Returns TIX_OK; TIX_E_NODATA when row t has no defined link
 * (*n = 0; so the first row of each season); TIX_E_INVALID unless the index is chained and
 * bilateral (never for a multilateral method), and for TPD (its bias adjustment does not
 * split by cell). */
TIX_API tix_status tix_index_contributions(const tix_index *ix, size_t t, tix_contribution *out,
                                           size_t *n);

/* Frees ix. Accepts NULL. */
TIX_API void tix_index_free(tix_index *ix);

#ifdef __cplusplus
}
#endif
#endif
