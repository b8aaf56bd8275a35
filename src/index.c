#include "techidx/index.h"
#include "techidx/record.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_movstat.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cube_internal.h"
#include "ahead_internal.h"
#include "hedonic_internal.h"
#include "index_internal.h"

static const char *const method_names[] = {"fisher",
                                           "laspeyres",
                                           "paasche",
                                           "tornqvist",
                                           "walsh",
                                           "geks-fisher",
                                           "geks-tornqvist",
                                           "jevons",
                                           "dutot",
                                           "carli",
                                           "harmonic",
                                           "geometric-laspeyres",
                                           "geometric-paasche",
                                           "sato-vartia",
                                           "tpd",
                                           "geks-walsh",
                                           "geks-jevons",
                                           "geks-tpd",
                                           "geary-khamis",
                                           "wtpd",
                                           "time-dummy"};
#define NMETHODS (sizeof method_names / sizeof method_names[0])
static const char *const chain_names[] = {"chained", "fixed"};
static const char *const splice_names[] = {"mean", "movement", "window", "half", "wisp",
                                           "hasp", "mean_pub", "fbew",   "fbmw"};
#define NSPLICES (sizeof splice_names / sizeof splice_names[0])

static tix_status parse_name(const char *name, const char *const *names, size_t n, int *out)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (int)i;
            return TIX_OK;
        }
    return TIX_E_INVALID;
}

const char *tix_method_name(tix_method m) { return (unsigned)m < NMETHODS ? method_names[m] : "?"; }

tix_status tix_method_parse(const char *name, tix_method *m)
{
    int i;
    tix_status st = parse_name(name, method_names, NMETHODS, &i);
    if (st == TIX_OK)
        *m = (tix_method)i;
    return st;
}

const char *tix_chain_name(tix_chain c) { return (unsigned)c < 2 ? chain_names[c] : "?"; }

tix_status tix_chain_parse(const char *name, tix_chain *c)
{
    int i;
    tix_status st = parse_name(name, chain_names, 2, &i);
    if (st == TIX_OK)
        *c = (tix_chain)i;
    return st;
}

const char *tix_splice_name(tix_splice s) { return (unsigned)s < NSPLICES ? splice_names[s] : "?"; }

tix_status tix_splice_parse(const char *name, tix_splice *s)
{
    int i;
    tix_status st = parse_name(name, splice_names, NSPLICES, &i);
    if (st == TIX_OK)
        *s = (tix_splice)i;
    return st;
}

size_t tix_geks_default_window(tix_period_kind kind)
{
    switch (kind) {
    case TIX_PERIOD_DAY:
        return 366;
    case TIX_PERIOD_WEEK:
        return 53;
    case TIX_PERIOD_MONTH:
        return 13;
    default:
        return 5;
    }
}

int tix_method_is_multilateral(tix_method m)
{
    return m == TIX_METHOD_GEKS_FISHER || m == TIX_METHOD_GEKS_TORNQVIST ||
           (m >= TIX_METHOD_GEKS_WALSH && m <= TIX_METHOD_TIME_DUMMY);
}

static int is_geks(tix_method m) { return tix_method_is_multilateral(m); }

/* The multilateral methods solved over each window as a whole, rather
 * than through bilateral comparisons. */
static int is_window_solved(tix_method m)
{
    return m == TIX_METHOD_GEARY_KHAMIS || m == TIX_METHOD_WTPD || m == TIX_METHOD_TIME_DUMMY;
}

/* The bilateral method under a GEKS one. */
static tix_method bilateral_of(tix_method m)
{
    switch (m) {
    case TIX_METHOD_GEKS_FISHER:
        return TIX_METHOD_FISHER;
    case TIX_METHOD_GEKS_TORNQVIST:
        return TIX_METHOD_TORNQVIST;
    case TIX_METHOD_GEKS_WALSH:
        return TIX_METHOD_WALSH;
    case TIX_METHOD_GEKS_JEVONS:
        return TIX_METHOD_JEVONS;
    case TIX_METHOD_GEKS_TPD:
        return TIX_METHOD_TPD;
    default:
        return m;
    }
}

/* Tornqvist weights: mean value shares, 0 where a cell has no value in
 * either period. Returns 0 when a period has no value at all. */
static int tornqvist_weights(size_t k, const double *p0, const double *q0, const double *p1,
                             const double *q1, double *w)
{
    double s0 = 0, s1 = 0;
    for (size_t i = 0; i < k; i++) {
        s0 += p0[i] * q0[i];
        s1 += p1[i] * q1[i];
    }
    if (!(s0 > 0) || !(s1 > 0))
        return 0;
    for (size_t i = 0; i < k; i++)
        w[i] = 0.5 * (p0[i] * q0[i] / s0 + p1[i] * q1[i] / s1);
    return 1;
}

/* One factor of a comparison. q is the factor measured (contracts for
 * volume, unit values for unit value) and p the other one, so that p q is
 * the cell's value: Laspeyres sum p0 q1 / sum p0 q0, Paasche sum p1 q1 /
 * sum p1 q0, Walsh the same with sqrt(p0 p1), Tornqvist the geometric mean
 * of q1/q0 weighted by mean value shares. `scratch` holds 2k doubles. */
static double factor_link(tix_method m, size_t k, const double *p0, const double *q0,
                          const double *p1, const double *q1, double *scratch)
{
    if (m == TIX_METHOD_FISHER)
        return sqrt(factor_link(TIX_METHOD_LASPEYRES, k, p0, q0, p1, q1, scratch) *
                    factor_link(TIX_METHOD_PAASCHE, k, p0, q0, p1, q1, scratch));
    if (m == TIX_METHOD_TORNQVIST) {
        double *w = scratch, *lr = scratch + k;
        if (!tornqvist_weights(k, p0, q0, p1, q1, w))
            return NAN;
        size_t used = 0;
        for (size_t i = 0; i < k; i++) {
            if (w[i] == 0)
                continue; /* no weight: its relative does not matter */
            if (!(q0[i] > 0) || !(q1[i] > 0))
                return NAN;
            w[used] = w[i];
            lr[used++] = log(q1[i] / q0[i]);
        }
        /* The weights sum to 1, so the weighted mean is the weighted sum. */
        return exp(gsl_stats_wmean(w, 1, lr, 1, used));
    }
    double num = 0, den = 0;
    for (size_t i = 0; i < k; i++) {
        double p = m == TIX_METHOD_LASPEYRES ? p0[i]
                   : m == TIX_METHOD_PAASCHE ? p1[i]
                                             : sqrt(p0[i] * p1[i]);
        num += p * q1[i];
        den += p * q0[i];
    }
    if (!(den > 0) || !(num > 0))
        return NAN;
    return num / den;
}

/* Each cell's additive contribution, in percentage points, to the change
 * of the factor q (see factor_link): c[i] sums to 100 (link - 1). */
static int factor_contrib(tix_method m, size_t k, const double *p0, const double *q0,
                          const double *p1, const double *q1, double *scratch, double *c)
{
    if (m == TIX_METHOD_TORNQVIST) {
        double t = factor_link(m, k, p0, q0, p1, q1, scratch);
        double *w = scratch;
        if (isnan(t) || !tornqvist_weights(k, p0, q0, p1, q1, w))
            return 0;
        /* ln T = sum w ln r: each cell gets its share of ln T, scaled to
         * the percentage change (T - 1) / ln T, 1 in the limit T -> 1. */
        double lt = log(t), scale = fabs(lt) < 1e-15 ? 1.0 : expm1(lt) / lt;
        for (size_t i = 0; i < k; i++)
            c[i] = w[i] == 0 ? 0.0 : 100.0 * scale * w[i] * log(q1[i] / q0[i]);
        return 1;
    }
    /* The others are baskets: link = sum b q1 / sum b q0 with weights b. */
    double other = m == TIX_METHOD_FISHER ? factor_link(m, k, q0, p0, q1, p1, scratch) : 0;
    if (m == TIX_METHOD_FISHER && !(other > 0))
        return 0;
    double den = 0;
    for (size_t i = 0; i < k; i++) {
        /* Fisher: van IJzeren's weights p0 + p1 / P_F (P_F the Fisher index
         * of the other factor) make it a basket index exactly. */
        double b = m == TIX_METHOD_LASPEYRES ? p0[i]
                   : m == TIX_METHOD_PAASCHE ? p1[i]
                   : m == TIX_METHOD_WALSH   ? sqrt(p0[i] * p1[i])
                                             : p0[i] + p1[i] / other;
        c[i] = b * (q1[i] - q0[i]);
        den += b * q0[i];
    }
    if (!(den > 0))
        return 0;
    for (size_t i = 0; i < k; i++)
        c[i] = 100.0 * c[i] / den;
    return 1;
}

/* The price-index methods: only unit values are compared, the volume is
 * implicit. */
static int is_price_method(tix_method m) { return m >= TIX_METHOD_JEVONS && m <= TIX_METHOD_TPD; }

/* The weights w (summing to 1) of ln P = sum w ln(u1/u0) for the
 * log-linear price methods, from the value totals s0, s1 > 0: 1/k
 * (Jevons), base or current value shares (geometric Laspeyres, Paasche),
 * normalized logarithmic means L(s0, s1) = (s1 - s0) / ln(s1 / s0) of the
 * shares (Sato-Vartia; L(s, s) = s, where IndexNumR's formula is 0/0), mean
 * shares (TPD: the weighted least squares estimate of the time dummy with
 * IndexNumR's default "average" weights). Returns 0 for other methods. */
static int log_weights(tix_method m, size_t k, const double *v0, const double *v1, double s0,
                       double s1, double *w)
{
    double sum = 0;
    for (size_t i = 0; i < k; i++) {
        double a = v0[i] / s0, b = v1[i] / s1;
        switch (m) {
        case TIX_METHOD_JEVONS:
            w[i] = 1.0 / (double)k;
            break;
        case TIX_METHOD_GEOMETRIC_LASPEYRES:
            w[i] = a;
            break;
        case TIX_METHOD_GEOMETRIC_PAASCHE:
            w[i] = b;
            break;
        case TIX_METHOD_SATO_VARTIA:
            w[i] = a == b ? a : a > 0 && b > 0 ? (b - a) / log(b / a) : 0;
            break;
        case TIX_METHOD_TPD:
            w[i] = 0.5 * (a + b);
            break;
        default:
            return 0;
        }
        sum += w[i];
    }
    if (m == TIX_METHOD_SATO_VARTIA) {
        if (!(sum > 0))
            return 0;
        for (size_t i = 0; i < k; i++)
            w[i] /= sum;
    }
    return 1;
}

/* The unit-value (price) link of a price-index method over k cells with
 * unit values u0, u1 and values v0, v1 (totals s0, s1 > 0). scratch holds
 * 2k doubles; on return scratch[0..k) has the log weights of the
 * log-linear methods. NaN when undefined. */
static double price_link(tix_method m, int kennedy, size_t k, const double *u0, const double *u1,
                         const double *v0, const double *v1, double s0, double s1, double *scratch)
{
    double *w = scratch, *d = scratch + k;
    if (m == TIX_METHOD_DUTOT || m == TIX_METHOD_CARLI || m == TIX_METHOD_HARMONIC) {
        double a = 0, b = 0;
        for (size_t i = 0; i < k; i++) {
            if (m == TIX_METHOD_DUTOT) {
                a += u0[i];
                b += u1[i];
            } else if (m == TIX_METHOD_CARLI) {
                if (!(u0[i] > 0))
                    return NAN;
                a += u1[i] / u0[i];
            } else {
                if (!(u1[i] > 0))
                    return NAN;
                a += u0[i] / u1[i];
            }
        }
        if (m == TIX_METHOD_DUTOT)
            return a > 0 ? b / a : NAN; /* the means' 1/k cancel: matched cells */
        if (m == TIX_METHOD_CARLI)
            return a / (double)k;
        return a > 0 ? (double)k / a : NAN;
    }
    if (!log_weights(m, k, v0, v1, s0, s1, w))
        return NAN;
    for (size_t i = 0; i < k; i++) {
        if (w[i] == 0 &&
            (m == TIX_METHOD_GEOMETRIC_LASPEYRES || m == TIX_METHOD_GEOMETRIC_PAASCHE)) {
            d[i] = 0; /* a zero share: r^0 = 1 whatever r (IndexNumR too) */
            continue;
        }
        /* Sato-Vartia's weight of a zero share is 0 but w ln r does not
         * tend to 0 with it: undefined, as in IndexNumR. */
        if (!(u0[i] > 0) || !(u1[i] > 0))
            return NAN;
        d[i] = log(u1[i] / u0[i]);
    }
    double lp = 0;
    for (size_t i = 0; i < k; i++)
        lp += w[i] * d[i];
    if (m == TIX_METHOD_TPD && kennedy) {
        /* ln p = a + delta D + product dummies, by weighted least squares
         * with weight w_i on both of cell i's observations. The product
         * dummies take out each cell's mean, so delta = sum w d (above),
         * the residuals are +-(d_i - delta)/2 and, with k - 1 residual
         * degrees of freedom, var(delta) = sum w (d - delta)^2 / (k - 1).
         * Kennedy's (1981) bias adjustment, IndexNumR's default, takes
         * half of it off: P = exp(delta - var / 2). */
        if (k < 2)
            return NAN; /* no residual degrees of freedom: var undefined */
        double rss = 0;
        for (size_t i = 0; i < k; i++)
            rss += w[i] * (d[i] - lp) * (d[i] - lp);
        lp -= 0.5 * rss / (double)(k - 1);
    }
    return exp(lp);
}

/* Each cell's contribution, in percentage points, to the price link P of
 * a price-index method (see price_link): c[i] sums to 100 (P - 1). Dutot:
 * (u1 - u0) / sum u0; Carli: (u1/u0 - 1) / k; harmonic: (1 - u0/u1) /
 * sum u0/u1; the log-linear ones: w ln(u1/u0) scaled by (P - 1) / ln P
 * as for Tornqvist. Returns P, NaN (and no c) when undefined or for TPD,
 * whose bias adjustment belongs to no cell. */
static double price_contrib(tix_method m, size_t k, const double *u0, const double *u1,
                            const double *v0, const double *v1, double s0, double s1,
                            double *scratch, double *c)
{
    if (m == TIX_METHOD_TPD)
        return NAN;
    double p = price_link(m, 1, k, u0, u1, v0, v1, s0, s1, scratch);
    if (isnan(p))
        return NAN;
    double den = 0;
    for (size_t i = 0; i < k; i++)
        den += m == TIX_METHOD_DUTOT      ? u0[i]
               : m == TIX_METHOD_CARLI    ? 1.0
               : m == TIX_METHOD_HARMONIC ? u0[i] / u1[i]
                                          : 0.0;
    double lp = log(p), scale = fabs(lp) < 1e-15 ? 1.0 : expm1(lp) / lp;
    for (size_t i = 0; i < k; i++) {
        double x;
        if (m == TIX_METHOD_DUTOT)
            x = (u1[i] - u0[i]) / den;
        else if (m == TIX_METHOD_CARLI)
            x = (u1[i] / u0[i] - 1.0) / den;
        else if (m == TIX_METHOD_HARMONIC)
            x = (1.0 - u0[i] / u1[i]) / den;
        else /* price_link left the weights and log relatives in scratch */
            x = scratch[i] == 0 ? 0.0 : scale * scratch[i] * scratch[k + i];
        c[i] = 100.0 * x;
    }
    return p;
}

/* tix_index_link with room for 4k doubles from the caller; kennedy 0
 * leaves TPD unadjusted (GEKS-TPD: IndexNumR's GEKSIndex has biasAdjust =
 * FALSE, its priceIndex TRUE). */
static tix_status link_in(tix_method m, int kennedy, size_t k, const double *n0, const double *v0,
                          const double *n1, const double *v1, double *buf, tix_links *out)
{
    out->value = out->volume = out->unit_value = NAN;
    if ((unsigned)m > TIX_METHOD_TPD || is_geks(m))
        return TIX_E_INVALID;
    if (k == 0)
        return TIX_E_NODATA;
    double *u0 = buf, *u1 = buf + k, *scratch = buf + 2 * k;
    double s0 = 0, s1 = 0;
    for (size_t i = 0; i < k; i++) {
        u0[i] = v0[i] / n0[i];
        u1[i] = v1[i] / n1[i];
        s0 += v0[i];
        s1 += v1[i];
    }
    tix_links l;
    l.value = s0 > 0 ? s1 / s0 : NAN;
    if (is_price_method(m)) {
        l.unit_value =
            s0 > 0 && s1 > 0 ? price_link(m, kennedy, k, u0, u1, v0, v1, s0, s1, scratch) : NAN;
        l.volume = l.value / l.unit_value; /* implicit */
    } else {
        l.volume = factor_link(m, k, u0, n0, u1, n1, scratch);
        l.unit_value = factor_link(m, k, n0, u0, n1, u1, scratch);
    }
    if (isnan(l.value) || isnan(l.volume) || isnan(l.unit_value))
        return TIX_E_NODATA;
    *out = l;
    return TIX_OK;
}

tix_status tix_index_link(tix_method m, size_t k, const double *n0, const double *v0,
                          const double *n1, const double *v1, tix_links *out)
{
    double *buf = k ? malloc(4 * k * sizeof *buf) : NULL;
    if (k && !buf)
        return TIX_E_NOMEM;
    tix_status st = link_in(m, 1, k, n0, v0, n1, v1, buf, out);
    free(buf);
    return st;
}

/* ---- the series ------------------------------------------------------------ */

/* What computing needs besides the result: each period's published
 * entries (suppressed ones left out) and room for one comparison. */
typedef struct work {
    tix_index *ix;
    tix_cube_entry *pub; /* published entries, period after period */
    size_t *pub_start;   /* nrows + 1 offsets into pub */
    double *n0, *v0, *n1, *v1;
    double *scratch; /* 4 doubles a cell, for link_in */
    uint32_t *cells; /* the matched cells' ranks */
    size_t room;     /* cells those arrays hold */
    /* NULL, or when every published cell's rank is below 64: mask[t]'s
     * bit c is set when period t publishes cell c, the pos[64 t + c]-th
     * of its entries (GEKS's matching, match_periods) */
    uint64_t *mask;
    uint8_t *pos;
    double *ed; /* with the masks: 3 a published entry, its n, value and value / n */
    /* time-dummy: the cube it regresses on (the index's, or the one that
     * is the projection of), its entries in published cells and their log
     * statistics, period after period */
    const tix_cube *pcube; /* the index's */
    const tix_cube *cube;
    tix_cube_entry *hpub;
    size_t *hpub_start;
    uint64_t *lm;
    double *lmean, *lss; /* hedonic_moments of their log statistics */
    char *err;           /* where a failure is told (may be NULL) */
    size_t errlen;
} work;

/* Room for comparisons over up to nc cells; 0 when out of memory. */
static int work_arrays(work *w, size_t nc)
{
    size_t room = nc ? nc : 1;
    w->room = room;
    w->n0 = malloc(8 * room * sizeof *w->n0);
    w->cells = malloc(room * sizeof *w->cells);
    if (!w->n0 || !w->cells)
        return 0;
    w->v0 = w->n0 + room;
    w->n1 = w->n0 + 2 * room;
    w->v1 = w->n0 + 3 * room;
    w->scratch = w->n0 + 4 * room;
    return 1;
}

static void work_free(work *w)
{
    free(w->pub);
    free(w->pub_start);
    free(w->mask);
    free(w->pos);
    free(w->ed);
    free(w->n0);
    free(w->cells);
    free(w->hpub);
    free(w->hpub_start);
    free(w->lm);
    free(w->lmean);
    free(w->lss);
}

/* The value the index weighs period t with: winsorized when asked. */
static int64_t index_value(const tix_index_row *r) { return r->value - r->capped_value; }

/* Matched cells of the entry lists x (period 0) and y (period 1) into w's
 * arrays; returns their count and, in *share, their share of total1 (and
 * in *share0, when not NULL, x's matched value's share of total0). */
static size_t match2(const work *w, const tix_cube_entry *x, size_t na, const tix_cube_entry *y,
                     size_t nb, int64_t total0, int64_t total1, double *share0, double *share)
{
    size_t i = 0, j = 0, k = 0;
    double sum = 0, sum0 = 0;
    while (i < na && j < nb) {
        if (x[i].cell < y[j].cell) {
            i++;
        } else if (x[i].cell > y[j].cell) {
            j++;
        } else {
            w->n0[k] = (double)x[i].n;
            w->v0[k] = (double)x[i].value;
            w->n1[k] = (double)y[j].n;
            w->v1[k] = (double)y[j].value;
            w->cells[k] = x[i].cell;
            sum += (double)y[j].value;
            sum0 += (double)x[i].value;
            k++, i++, j++;
        }
    }
    *share = total1 > 0 ? sum / (double)total1 : NAN;
    if (share0)
        *share0 = total0 > 0 ? sum0 / (double)total0 : NAN;
    return k;
}

/* match2 of the entries of periods a and b: the same cells in the same
 * order, hence the same bits, found from the masks when there are. */
static size_t match_periods(const work *w, size_t a, size_t b, int64_t total0, int64_t total1,
                            double *share0, double *share)
{
    const tix_cube_entry *x = w->pub + w->pub_start[a], *y = w->pub + w->pub_start[b];
    if (!w->mask)
        return match2(w, x, w->pub_start[a + 1] - w->pub_start[a], y,
                      w->pub_start[b + 1] - w->pub_start[b], total0, total1, share0, share);
    const uint8_t *pa = w->pos + 64 * a, *pb = w->pos + 64 * b;
    size_t k = 0;
    double sum = 0, sum0 = 0;
    for (uint64_t m = w->mask[a] & w->mask[b]; m; m &= m - 1) {
        int c = __builtin_ctzll(m);
        const tix_cube_entry *xi = &x[pa[c]], *yj = &y[pb[c]];
        w->n0[k] = (double)xi->n;
        w->v0[k] = (double)xi->value;
        w->n1[k] = (double)yj->n;
        w->v1[k] = (double)yj->value;
        w->cells[k] = xi->cell;
        sum += (double)yj->value;
        sum0 += (double)xi->value;
        k++;
    }
    *share = total1 > 0 ? sum / (double)total1 : NAN;
    if (share0)
        *share0 = total0 > 0 ? sum0 / (double)total0 : NAN;
    return k;
}

/* Sets w's masks when every published cell's rank is below 64 (else
 * leaves none). 0 when out of memory. */
static int match_masks(work *w, size_t np)
{
    for (size_t j = 0; j < w->pub_start[np]; j++)
        if (w->pub[j].cell >= 64)
            return 1;
    size_t ne = w->pub_start[np];
    if (!(w->mask = calloc(np, sizeof *w->mask)) ||
        !(w->pos = malloc(64 * np * sizeof *w->pos)) ||
        !(w->ed = malloc(3 * (ne ? ne : 1) * sizeof *w->ed)))
        return 0;
    for (size_t j = 0; j < ne; j++) { /* as match2 and fisher_both convert and divide */
        double n = (double)w->pub[j].n, v = (double)w->pub[j].value;
        w->ed[3 * j] = n;
        w->ed[3 * j + 1] = v;
        w->ed[3 * j + 2] = v / n;
    }
    for (size_t t = 0; t < np; t++)
        for (size_t j = w->pub_start[t]; j < w->pub_start[t + 1]; j++) {
            w->mask[t] |= (uint64_t)1 << w->pub[j].cell;
            w->pos[64 * t + w->pub[j].cell] = (uint8_t)(j - w->pub_start[t]);
        }
    return 1;
}

static size_t match(const work *w, const tix_cube_entry *x, size_t na, const tix_cube_entry *y,
                    size_t nb, int64_t total1, double *share)
{
    return match2(w, x, na, y, nb, 0, total1, NULL, share);
}

/* The bilateral comparison of period a with period b. */
static tix_status compare(const work *w, size_t a, size_t b, tix_links *l, size_t *matched,
                          double *share)
{
    size_t k = match(w, w->pub + w->pub_start[a], w->pub_start[a + 1] - w->pub_start[a],
                     w->pub + w->pub_start[b], w->pub_start[b + 1] - w->pub_start[b],
                     index_value(&w->ix->rows[b]), share);
    if (matched)
        *matched = k;
    tix_method m = w->ix->opts.method;
    tix_status st = link_in(bilateral_of(m), m != TIX_METHOD_GEKS_TPD, k, w->n0, w->v0, w->n1,
                            w->v1, w->scratch, l);
    return st == TIX_E_NODATA ? TIX_OK : st; /* NaN links are results too */
}

/* num / den as factor_link has it: NaN unless both are > 0. */
static double ratio(double num, double den) { return !(den > 0) || !(num > 0) ? NAN : num / den; }

/* The Fisher links both ways from the sums of fisher_both. */
static void fisher_of_sums(double s0, double s1, double a, double b, double c, double d,
                           tix_links *f, tix_links *r)
{
    tix_links x = {s0 > 0 ? s1 / s0 : NAN, sqrt(ratio(a, b) * ratio(c, d)),
                   sqrt(ratio(d, b) * ratio(c, a))};
    if (!isnan(x.value) && !isnan(x.volume) && !isnan(x.unit_value))
        *f = x;
    tix_links y = {s1 > 0 ? s0 / s1 : NAN, sqrt(ratio(d, c) * ratio(b, a)),
                   sqrt(ratio(a, c) * ratio(b, d))};
    if (!isnan(y.value) && !isnan(y.volume) && !isnan(y.unit_value))
        *r = y;
}

/* link_in(TIX_METHOD_FISHER, ...) of the k matched cells both ways, from
 * period 0 to 1 into *f and back into *r. The way back's Laspeyres and
 * Paasche sums are the way there's (the same products in the same order:
 * the same bits), so four sums serve both. */
static void fisher_both(size_t k, const double *n0, const double *v0, const double *n1,
                        const double *v1, double *buf, tix_links *f, tix_links *r)
{
    f->value = f->volume = f->unit_value = NAN;
    *r = *f;
    if (k == 0)
        return;
    double *u0 = buf, *u1 = buf + k, s0 = 0, s1 = 0;
    for (size_t i = 0; i < k; i++) {
        u0[i] = v0[i] / n0[i];
        u1[i] = v1[i] / n1[i];
        s0 += v0[i];
        s1 += v1[i];
    }
    double a = 0, b = 0, c = 0, d = 0; /* sums of u0 n1, u0 n0, u1 n1, u1 n0 */
    for (size_t i = 0; i < k; i++) {
        a += u0[i] * n1[i];
        b += u0[i] * n0[i];
        c += u1[i] * n1[i];
        d += u1[i] * n0[i];
    }
    fisher_of_sums(s0, s1, a, b, c, d, f, r);
}

/* compare_both's Fisher comparisons of periods a and b (they publish
 * their matched count and shares) from w's masks and each entry's n,
 * value and unit value: fisher_both's and match2's sums, each of the
 * same terms in the same order, hence the same bits, without copying
 * the matched cells or dividing for their unit values again. */
static size_t fisher_periods(const work *w, size_t a, size_t b, tix_links *ab, tix_links *ba,
                             double *share_ab, double *share_ba)
{
    const double *x = w->ed + 3 * w->pub_start[a], *y = w->ed + 3 * w->pub_start[b];
    const uint8_t *pa = w->pos + 64 * a, *pb = w->pos + 64 * b;
    double s0 = 0, s1 = 0, sa = 0, sb = 0, sc = 0, sd = 0;
    size_t k = 0;
    for (uint64_t m = w->mask[a] & w->mask[b]; m; m &= m - 1, k++) {
        int c = __builtin_ctzll(m);
        const double *e0 = x + 3 * pa[c], *e1 = y + 3 * pb[c]; /* n, value, unit value */
        s0 += e0[1];
        s1 += e1[1];
        sa += e0[2] * e1[0];
        sb += e0[2] * e0[0];
        sc += e1[2] * e1[0];
        sd += e1[2] * e0[0];
    }
    int64_t t0 = index_value(&w->ix->rows[a]), t1 = index_value(&w->ix->rows[b]);
    *share_ab = t1 > 0 ? s1 / (double)t1 : NAN;
    *share_ba = t0 > 0 ? s0 / (double)t0 : NAN;
    ab->value = ab->volume = ab->unit_value = NAN;
    *ba = *ab;
    if (k)
        fisher_of_sums(s0, s1, sa, sb, sc, sd, ab, ba);
    return k;
}

/* compare(w, a, b, ...) and compare(w, b, a, ...) with one matching of
 * their cells: into *ab and *ba, the matched count and each one's share
 * of its later period's value. */
static tix_status compare_both(const work *w, size_t a, size_t b, tix_links *ab, tix_links *ba,
                               size_t *matched, double *share_ab, double *share_ba)
{
    if (w->ed && w->ix->opts.method == TIX_METHOD_GEKS_FISHER) {
        *matched = fisher_periods(w, a, b, ab, ba, share_ab, share_ba);
        return TIX_OK;
    }
    size_t k = match_periods(w, a, b, index_value(&w->ix->rows[a]), index_value(&w->ix->rows[b]),
                             share_ba, share_ab);
    *matched = k;
    tix_method m = w->ix->opts.method;
    if (m == TIX_METHOD_GEKS_FISHER) {
        fisher_both(k, w->n0, w->v0, w->n1, w->v1, w->scratch, ab, ba);
        return TIX_OK;
    }
    int kennedy = m != TIX_METHOD_GEKS_TPD;
    tix_status st =
        link_in(bilateral_of(m), kennedy, k, w->n0, w->v0, w->n1, w->v1, w->scratch, ab);
    if (st == TIX_OK || st == TIX_E_NODATA)
        st = link_in(bilateral_of(m), kennedy, k, w->n1, w->v1, w->n0, w->v0, w->scratch, ba);
    return st == TIX_E_NODATA ? TIX_OK : st; /* NaN links are results too */
}

static void set_levels(tix_index_row *r, double value, double volume, double unit_value)
{
    r->value_index = value;
    r->volume_index = volume;
    r->unit_value_index = unit_value;
}

static tix_status chained(work *w)
{
    tix_index *ix = w->ix;
    size_t np = ix->nrows, base = ix->base_row;
    for (size_t t = 1; t < np; t++) {
        tix_index_row *r = &ix->rows[t];
        tix_status st = compare(w, t - 1, t, &r->link, &r->matched, &r->coverage);
        if (st != TIX_OK)
            return st;
    }
    /* Outwards from the base; NaN links leave NaN behind them. */
    set_levels(&ix->rows[base], 100.0, 100.0, 100.0);
    for (size_t t = base + 1; t < np; t++) {
        tix_index_row *r = &ix->rows[t], *p = &ix->rows[t - 1];
        set_levels(r, p->value_index * r->link.value, p->volume_index * r->link.volume,
                   p->unit_value_index * r->link.unit_value);
    }
    for (size_t t = base; t-- > 0;) {
        tix_index_row *r = &ix->rows[t], *nx = &ix->rows[t + 1];
        set_levels(r, nx->value_index / nx->link.value, nx->volume_index / nx->link.volume,
                   nx->unit_value_index / nx->link.unit_value);
    }
    return TIX_OK;
}

static tix_status fixed_base(work *w)
{
    tix_index *ix = w->ix;
    for (size_t t = 0; t < ix->nrows; t++) {
        tix_index_row *r = &ix->rows[t];
        tix_links l;
        tix_status st = compare(w, ix->base_row, t, &l, &r->matched, &r->coverage);
        if (st != TIX_OK)
            return st;
        set_levels(r, 100.0 * l.value, 100.0 * l.volume, 100.0 * l.unit_value);
    }
    return TIX_OK;
}

/* GEKS. lnb holds ln of the bilateral comparisons of every ordered pair
 * of periods of the current window, in index_fixed_log's fixed point
 * (converted once, as a comparison comes in): three W x W planes
 * (value, volume, unit value), each a ring indexed by the periods modulo
 * W, as the periods of a window are W consecutive ones. Which are
 * undefined (NaN or infinite) is in the bits of `undefined`, not in the
 * entries, which are then 0.
 *
 * A GEKS comparison is a mean over the window of differences of these
 * logs. Its sum is taken exactly, in fixed point (index_fixed_log:
 * units of 2^-64, in 128 bits), so it is the same integer whatever the
 * order of its terms: the sum of a column over the window can then be
 * kept as the window slides (col, for the splices that take every
 * comparison of a window: mean and mean_pub), and a new period costs its
 * 2W comparisons and O(W) additions (geks_fill), not a sum of W terms
 * for each of W comparisons. Only the mean is rounded, once. */
typedef struct geks {
    size_t W;
    hd_i128 *lnb;
    uint64_t *undefined; /* 3 planes of W rows of bits: the entries that are not finite */
    size_t words;        /* a row's uint64_t of those */
    /* NULL, or 3 x W: col[c W + h % W], the sum over l in [cs, ce] of
     * index_fixed_log(B(l, h)) where defined; ce < cs: none yet */
    hd_i128 *col;
    size_t cs, ce;
    size_t nundef[3]; /* the bits set in each plane: 0, the textbook case, skips the checks */
} geks;

/* The mean of the m terms whose fixed-point sum is sum. */
static double geks_mean(hd_i128 sum, size_t m)
{
    return m ? (double)sum * 0x1p-64 / (double)m : NAN;
}

/* Periods sit in the ring at their number modulo W: the loops below
 * step a ring position (ring_next) rather than divide for each entry. */
static size_t ring_next(size_t p, size_t W) { return p + 1 == W ? 0 : p + 1; }

/* Row r (ring position) of component c's plane: B(a, b) at column b % W. */
static hd_i128 *geks_row(const geks *g, int c, size_t r)
{
    return g->lnb + ((size_t)c * g->W + r) * g->W;
}

/* The bits of row r of component c's plane in g->undefined. */
static const uint64_t *geks_undefined(const geks *g, int c, size_t r)
{
    return g->undefined + ((size_t)c * g->W + r) * g->words;
}

/* Whether bit p of the bits u is clear: that entry is defined. */
static int bit_clear(const uint64_t *u, size_t p) { return !(u[p / 64] >> p % 64 & 1); }

/* ln of the GEKS comparison of period `from` with period `to` within the
 * window [s, e]: the mean over l of ln B(l, to) - ln B(l, from), over the
 * l for which both are defined (all of them, in the textbook case). */
static double geks_ln(const geks *g, size_t s, size_t e, size_t from, size_t to, int comp)
{
    hd_i128 sum = 0;
    size_t m = 0, W = g->W, ct = to % W, cf = from % W;
    for (size_t l = s, r = s % W; l <= e; l++, r = ring_next(r, W)) {
        const uint64_t *u = geks_undefined(g, comp, r);
        if (bit_clear(u, ct) && bit_clear(u, cf)) {
            const hd_i128 *row = geks_row(g, comp, r);
            sum += row[ct] - row[cf];
            m++;
        }
    }
    return geks_mean(sum, m);
}

/* Adds sign x row l's defined entries in the columns of [s, e] to col. */
static void geks_col_row(geks *g, int c, size_t l, size_t s, size_t e, int sign)
{
    size_t W = g->W;
    const hd_i128 *row = geks_row(g, c, l % W);
    hd_i128 *col = g->col + (size_t)c * W;
    for (size_t h = s, p = s % W; h <= e; h++, p = ring_next(p, W))
        col[p] += sign * row[p]; /* 0 where not defined */
}

/* Sets col's column h to its sum over the rows of [s, e]. */
static void geks_col_new(geks *g, int c, size_t h, size_t s, size_t e)
{
    hd_i128 sum = 0;
    size_t W = g->W, p = h % W;
    for (size_t l = s, r = s % W; l <= e; l++, r = ring_next(r, W))
        sum += geks_row(g, c, r)[p]; /* 0 where not defined */
    g->col[(size_t)c * W + p] = sum;
}

/* geks_ln(g, s, e, h, e, c) for every h of [s, e] and each component c,
 * into out[c W + (h - s)]: the same integers, hence the same bits. From
 * col when it is the window's: the sum over A = {l : B(l, e) and B(l, h)
 * defined} of B(l, e) - B(l, h) is col[e] less the B(l, e) of the rows
 * where B(l, h) is not defined, minus col[h] less the B(l, h) of the
 * rows where B(l, e) is not defined. Both are none in the textbook case. */
static void geks_ln_to(const geks *g, size_t s, size_t e, double *out, hd_i128 *acc, size_t *cnt)
{
    size_t W = g->W, n = e - s + 1, ct = e % W, s0 = s % W;
    for (int c = 0; c < 3; c++) {
        double *o = out + (size_t)c * W;
        if (g->cs != s || g->ce != e) {
            for (size_t h = s; h <= e; h++)
                o[h - s] = geks_ln(g, s, e, h, e, c);
            continue;
        }
        const hd_i128 *col = g->col + (size_t)c * W;
        size_t nt = 0;
        for (size_t l = s, r = s0; l <= e && g->nundef[c]; l++, r = ring_next(r, W))
            nt += bit_clear(geks_undefined(g, c, r), ct);
        if (!g->nundef[c]) /* every entry of the ring is defined */
            nt = n;
        for (size_t i = 0, p = s0; i < n; i++, p = ring_next(p, W)) {
            acc[i] = col[ct] - col[p];
            cnt[i] = nt;
        }
        for (size_t l = s, r = s0; l <= e && g->nundef[c]; l++, r = ring_next(r, W)) {
            const hd_i128 *row = geks_row(g, c, r);
            const uint64_t *u = geks_undefined(g, c, r);
            int any = 0;
            for (size_t wi = 0; wi < g->words && !any; wi++)
                any = u[wi] != 0;
            if (!any)
                continue;
            if (!bit_clear(u, ct)) { /* B(l, h) is in col[h], not in A */
                for (size_t i = 0, p = s0; i < n; i++, p = ring_next(p, W))
                    acc[i] += row[p]; /* 0 where not defined */
                continue;
            }
            hd_i128 x = row[ct]; /* in col[e]: out of A where B(l, h) is not defined */
            for (size_t i = 0, p = s0; i < n; i++, p = ring_next(p, W))
                if (!bit_clear(u, p)) {
                    acc[i] -= x;
                    cnt[i]--;
                }
        }
        for (size_t i = 0; i < n; i++)
            o[i] = geks_mean(acc[i], cnt[i]);
    }
}

/* GEKS's bilateral comparison of period a with period b and back, and
 * the logs of both that its ring stores. */
typedef struct pair_cmp {
    tix_links ab, ba;
    double ln[2][3]; /* log of ab's value, volume, unit value; of ba's */
    double share_ab, share_ba;
    size_t matched;
    tix_status st;
} pair_cmp;

static void pair_compute(const work *w, size_t a, size_t b, pair_cmp *p)
{
    p->ab = p->ba = (tix_links){1, 1, 1};
    p->share_ab = p->share_ba = NAN;
    p->matched = 0;
    p->st = TIX_OK;
    if (a != b)
        p->st = compare_both(w, a, b, &p->ab, &p->ba, &p->matched, &p->share_ab, &p->share_ba);
    const tix_links *l[2] = {&p->ab, &p->ba};
    for (int dir = 0; dir < 2; dir++) {
        p->ln[dir][0] = log(l[dir]->value);
        p->ln[dir][1] = log(l[dir]->volume);
        p->ln[dir][2] = log(l[dir]->unit_value);
    }
}

/* The comparisons a window of W periods asks of period b: with the
 * periods from ahead_lo(W, b) to b - 1, the rest of its window. */
static size_t ahead_lo(size_t W, size_t b) { return b + 1 >= W ? b + 1 - W : 0; }

/* The comparisons geks_fill asks of period b, for b = 0, 1, 2, ... in
 * turn, computed ahead (ahead_internal.h) in blocks of consecutive
 * periods, about AHEAD_PAIRS comparisons each, by up to opts.threads - 1
 * helpers while this thread fills the ring. */
#define AHEAD_PAIRS 8192

typedef struct pair_block {
    size_t *start; /* cap + 1: period i cap + t's comparisons from c[start[t]] */
    pair_cmp *c;
} pair_block;

typedef struct geks_ahead {
    size_t W, np, cap;
    ahead ah;
    pair_block blk[AHEAD_BUFS];
    work hw[AHEAD_HELPERS]; /* the helpers': the entries of the series', arrays of their own */
} geks_ahead;

/* The periods of a block, in windows of W. */
static size_t ahead_cap(size_t W) { return W < AHEAD_PAIRS ? AHEAD_PAIRS / W : 1; }

size_t index_geks_blocks(size_t W, size_t np) { return (np + ahead_cap(W) - 1) / ahead_cap(W); }

/* Block i's comparisons (ahead_fn), with the worker's work arrays. */
static void geks_block(void *ctx, void *worker, size_t i, void *buf)
{
    const geks_ahead *ga = ctx;
    pair_block *pb = buf;
    size_t b0 = i * ga->cap, b1 = b0 + ga->cap < ga->np ? b0 + ga->cap : ga->np, n = 0;
    for (size_t b = b0; b < b1; b++) {
        size_t lo = ahead_lo(ga->W, b);
        pb->start[b - b0] = n;
        for (size_t a = lo; a <= b; a++)
            pair_compute(worker, a, b, &pb->c[n++]);
    }
    pb->start[b1 - b0] = n;
}

/* Stops the helpers and frees. Safe to call twice. */
static void geks_ahead_free(geks_ahead *ga)
{
    ahead_stop(&ga->ah);
    for (size_t k = 0; k < AHEAD_HELPERS; k++) {
        free(ga->hw[k].n0);
        free(ga->hw[k].cells);
        ga->hw[k].n0 = NULL, ga->hw[k].cells = NULL;
    }
    for (size_t k = 0; k < AHEAD_BUFS; k++) {
        free(ga->blk[k].start);
        free(ga->blk[k].c);
        ga->blk[k].start = NULL, ga->blk[k].c = NULL;
    }
}

/* Sets up the comparisons of a series of np periods in windows of W on
 * up to `threads` threads (w: the entries they compare, and this
 * thread's arrays). 0 when out of memory. */
static int geks_ahead_start(geks_ahead *ga, work *w, size_t W, size_t np, unsigned threads)
{
    memset(ga, 0, sizeof *ga);
    ga->W = W;
    ga->np = np;
    ga->cap = ahead_cap(W);
    size_t nbuf = ahead_buffers(threads), nw = nbuf / 2 ? nbuf / 2 : 1;
    void *bufs[AHEAD_BUFS], *workers[AHEAD_HELPERS + 1] = {w};
    for (size_t k = 0; k < nbuf; k++) {
        ga->blk[k].start = malloc((ga->cap + 1) * sizeof *ga->blk[k].start);
        ga->blk[k].c = malloc(ga->cap * W * sizeof *ga->blk[k].c);
        if (!ga->blk[k].start || !ga->blk[k].c)
            return 0;
        bufs[k] = &ga->blk[k];
    }
    for (size_t k = 0; k + 1 < nw; k++) {
        ga->hw[k] = *w;
        ga->hw[k].n0 = NULL, ga->hw[k].cells = NULL;
        if (!work_arrays(&ga->hw[k], w->room))
            return 0;
        workers[k + 1] = &ga->hw[k];
    }
    ahead_start(&ga->ah, index_geks_blocks(W, np), geks_block, ga, bufs, nbuf, workers, nw);
    return 1;
}

/* Period a's comparison with period b: from its block when a is in
 * [ahead_lo(W, b), b] and the block is the one read or the next; else
 * computed into *own. */
static const pair_cmp *geks_pair(const work *w, geks_ahead *ga, size_t a, size_t b, pair_cmp *own)
{
    size_t lo = ahead_lo(ga->W, b), i = b / ga->cap;
    if (a < lo || a > b || b >= ga->np || (i != ga->ah.have && i != ga->ah.have + 1)) {
        pair_compute(w, a, b, own);
        return own;
    }
    const pair_block *pb = ahead_get(&ga->ah, i);
    return &pb->c[pb->start[b - i * ga->cap] + (a - lo)];
}

/* Fills the ring with the comparisons of period b with each period of
 * [s, e], and back, and makes col the window [s, e]'s: from the window
 * [s', e - 1] (s' <= s) by taking out the rows before s and adding b's
 * row and column (b = e), else afresh. B(a, b) goes down a column of
 * each plane, a cache line a period: those are fetched GEKS_AHEAD
 * periods ahead. */
#define GEKS_AHEAD 8

static tix_status geks_fill(work *w, geks *g, geks_ahead *ga, size_t s, size_t e, size_t b)
{
    int keep = g->col != NULL;
    int slide = keep && b == e && g->ce + 1 == e && g->cs <= s && g->ce >= g->cs;
    for (int c = 0; slide && c < 3; c++) /* before b's row takes s - 1's place in the ring */
        for (size_t l = g->cs; l < s; l++)
            geks_col_row(g, c, l, s, e - 1, -1);
    g->cs = 1, g->ce = 0; /* none, until filled */
    size_t rb = b % g->W;
    /* Sliding, b's row goes into col as it comes (B(b, a) to column a),
     * and its column is summed (B(a, b)): the sums of geks_col_row and
     * geks_col_new, exact, without reading the ring back. */
    hd_i128 bcol[3] = {0, 0, 0};
    for (size_t a = s, ra = s % g->W; a <= e; a++, ra = ring_next(ra, g->W)) {
        if (a + GEKS_AHEAD <= e) {
            size_t rn = ra + GEKS_AHEAD < g->W ? ra + GEKS_AHEAD : ra + GEKS_AHEAD - g->W;
            for (int c = 0; c < 3; c++)
                __builtin_prefetch(&geks_row(g, c, rn)[rb], 1);
        }
        pair_cmp own;
        const pair_cmp *pc = geks_pair(w, ga, a, b, &own);
        if (pc->st != TIX_OK)
            return pc->st;
        for (int dir = 0; dir < 2; dir++) {
            size_t from = dir ? b : a, to = dir ? a : b;
            if (from != to && to == from + 1) {
                w->ix->rows[to].link = dir ? pc->ba : pc->ab;
                w->ix->rows[to].matched = pc->matched;
                w->ix->rows[to].coverage = dir ? pc->share_ba : pc->share_ab;
            }
            const double *x = pc->ln[dir];
            size_t rf = dir ? rb : ra, p = dir ? ra : rb; /* ring positions of from, to */
            for (int c = 0; c < 3; c++) {
                int now = !isfinite(x[c]);
                if (now || g->nundef[c]) { /* else every bit of the plane is clear, and stays */
                    uint64_t *u = g->undefined + ((size_t)c * g->W + rf) * g->words + p / 64,
                             bit = 1ull << p % 64;
                    int was = (*u & bit) != 0;
                    g->nundef[c] += (size_t)(now - was); /* wraps back for -1 */
                    *u = now ? *u | bit : *u & ~bit;
                }
                hd_i128 fx = now ? 0 : index_fixed_log(x[c]);
                geks_row(g, c, rf)[p] = fx;
                if (slide) {
                    if (dir == 0)
                        bcol[c] += fx;
                    else if (a != b)
                        g->col[(size_t)c * g->W + ra] += fx;
                }
            }
        }
    }
    for (int c = 0; keep && c < 3; c++) {
        if (slide) {
            g->col[(size_t)c * g->W + rb] = bcol[c];
        } else {
            for (size_t h = s; h <= e; h++)
                geks_col_new(g, c, h, s, e);
        }
    }
    if (keep)
        g->cs = s, g->ce = e;
    return TIX_OK;
}

/* The splice period of window, half, wisp and hasp in the window [s, T]:
 * IndexNumR's position 1 or floor((W-1)/2)+1, counted from s. */
static size_t splice_at(tix_splice sp, size_t W, size_t s, size_t T)
{
    return sp == TIX_SPLICE_WINDOW || sp == TIX_SPLICE_WISP ? s : T - W / 2;
}

/* ln of the mean of the factors x[0..n-1] (ln) that are defined. */
static double mean_defined(const double *x, size_t n)
{
    double sum = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            sum += x[i];
            m++;
        }
    return m ? sum / (double)m : NAN;
}

/* The multilateral methods solved over each window as a whole (Geary-Khamis,
 * WTPD), as IndexNumR's gk_w and wtpd_w with their default sample: over
 * every cell published in some period of the window, a missing one with no
 * contracts and no value there (fillMissing with zeros: it weighs nothing
 * in that period), unit values as prices and contracts as quantities. Not
 * windowMatch's cells of every period: the two agree on balanced windows,
 * and the reference values (tests/ref/indexnumr) are the former's. All
 * room, GSL's workspaces included, is taken once per series, for W periods
 * and every cell published; each window uses the top-left corner of it. */
typedef struct solved {
    size_t W, nc;    /* room: periods, cells */
    size_t s, e;     /* the window lev holds; e < s: none */
    double *lev;     /* 3 W ln levels (value, volume, unit value) against period s */
    uint32_t *cells; /* the window's cells; 2 nc: room to merge */
    double *q, *v;   /* W nc: their contracts and values, period after period */
    double *tot;     /* W: the cells' value in each period */
    /* Geary-Khamis: (I - C + R) b = z */
    gsl_matrix *A;
    gsl_vector *b, *z;
    size_t *perm;
    /* WTPD: ln u on time and cell dummies, weights the value shares */
    gsl_matrix *X, *cov;
    gsl_vector *y, *wt, *c;
    gsl_multifit_linear_workspace *ws;
    /* time dummy: the regression, its fit over the window (W, W x W) */
    hedonic *hd;
    hd_fit fit;
    size_t *hstart; /* W + 1 */
} solved;

static void solved_free(solved *sv)
{
    free(sv->lev);
    free(sv->cells);
    free(sv->q);
    free(sv->perm);
    if (sv->A)
        gsl_matrix_free(sv->A);
    if (sv->b)
        gsl_vector_free(sv->b);
    if (sv->z)
        gsl_vector_free(sv->z);
    if (sv->X)
        gsl_matrix_free(sv->X);
    if (sv->cov)
        gsl_matrix_free(sv->cov);
    if (sv->y)
        gsl_vector_free(sv->y);
    if (sv->wt)
        gsl_vector_free(sv->wt);
    if (sv->c)
        gsl_vector_free(sv->c);
    if (sv->ws)
        gsl_multifit_linear_free(sv->ws);
    hedonic_free(sv->hd);
    free(sv->fit.lnp);
    free(sv->hstart);
}

/* Room for windows of W periods over up to nc cells; 0 when out of
 * memory (GSL's allocators return NULL then, with the error handler off;
 * with GSL's default handler they abort first). */
static int solved_alloc(solved *sv, tix_method m, size_t W, size_t nc)
{
    memset(sv, 0, sizeof *sv);
    sv->W = W;
    sv->nc = nc = nc ? nc : 1;
    sv->s = 1, sv->e = 0;
    sv->lev = malloc(3 * W * sizeof *sv->lev);
    sv->cells = malloc(2 * nc * sizeof *sv->cells);
    sv->q = malloc((2 * W * nc + W) * sizeof *sv->q);
    if (!sv->lev || !sv->cells || !sv->q)
        return 0;
    sv->v = sv->q + W * nc;
    sv->tot = sv->v + W * nc;
    if (m == TIX_METHOD_TIME_DUMMY) {
        sv->fit.lnp = malloc((W + W * W) * sizeof *sv->fit.lnp);
        sv->hstart = malloc((W + 1) * sizeof *sv->hstart);
        sv->fit.cov = sv->fit.lnp ? sv->fit.lnp + W : NULL;
        return sv->fit.lnp && sv->hstart;
    }
    if (m == TIX_METHOD_GEARY_KHAMIS) {
        sv->perm = malloc(nc * sizeof *sv->perm);
        return sv->perm && (sv->A = gsl_matrix_alloc(nc, nc)) && (sv->b = gsl_vector_alloc(nc)) &&
               (sv->z = gsl_vector_alloc(nc));
    }
    size_t n = W * nc, p = W + nc - 1;
    return (sv->X = gsl_matrix_alloc(n, p)) && (sv->cov = gsl_matrix_alloc(p, p)) &&
           (sv->y = gsl_vector_alloc(n)) && (sv->wt = gsl_vector_alloc(n)) &&
           (sv->c = gsl_vector_alloc(p)) && (sv->ws = gsl_multifit_linear_alloc(n, p));
}

/* Geary-Khamis over nt periods and k cells (sv's q, v, tot): the quality
 * factors b_i = sum_t q_ti (u_ti / P_t) / sum_t q_ti and the price levels
 * P_t = sum_i v_ti / sum_i b_i q_ti, i.e. b = C b with C = D^-1 sum_t s_t
 * q_t' (D the cells' total contracts, s_t the value shares). I - C is
 * singular (b has no scale); as IndexNumR, R's first row of ones and z =
 * e_1 fix sum b = 1. lnp gets ln P_t; 0 when the system is singular. */
static int gk_solve(solved *sv, size_t nt, size_t k, double *lnp)
{
    gsl_matrix_view A = gsl_matrix_submatrix(sv->A, 0, 0, k, k);
    gsl_vector_view b = gsl_vector_subvector(sv->b, 0, k), z = gsl_vector_subvector(sv->z, 0, k);
    for (size_t i = 0; i < k; i++) {
        double qi = 0;
        for (size_t t = 0; t < nt; t++)
            qi += sv->q[t * sv->nc + i];
        for (size_t j = 0; j < k; j++) {
            double c = 0;
            for (size_t t = 0; t < nt; t++)
                c += sv->v[t * sv->nc + i] / sv->tot[t] * sv->q[t * sv->nc + j];
            gsl_matrix_set(&A.matrix, i, j, (i == j) - c / qi + (i == 0));
        }
        gsl_vector_set(&z.vector, i, i == 0);
    }
    gsl_permutation perm = {k, sv->perm};
    int signum;
    if (gsl_linalg_LU_decomp(&A.matrix, &perm, &signum) != 0)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (gsl_matrix_get(&A.matrix, i, i) == 0)
            return 0; /* LU_solve would call GSL's error handler */
    if (gsl_linalg_LU_solve(&A.matrix, &perm, &z.vector, &b.vector) != 0)
        return 0;
    for (size_t t = 0; t < nt; t++) {
        double d = 0;
        for (size_t i = 0; i < k; i++)
            d += gsl_vector_get(&b.vector, i) * sv->q[t * sv->nc + i];
        if (!(d > 0))
            return 0;
        lnp[t] = log(sv->tot[t] / d);
    }
    return 1;
}

/* WTPD over nt periods and k cells: ln u_ti = a_t + g_i + e_ti (g of the
 * last cell 0) by weighted least squares with weights the value shares
 * s_ti = v_ti / sum_i v_ti, GSL's gsl_multifit_wlinear; lnp gets a_t,
 * the ln price levels (IndexNumR's wtpd_w solves the same normal
 * equations in closed form). A zero value has weight 0 and its ln u is
 * left out. */
static int wtpd_solve(solved *sv, size_t nt, size_t k, double *lnp)
{
    size_t n = nt * k, p = nt + k - 1;
    gsl_matrix_view X = gsl_matrix_submatrix(sv->X, 0, 0, n, p);
    gsl_matrix_view cov = gsl_matrix_submatrix(sv->cov, 0, 0, p, p);
    gsl_vector_view y = gsl_vector_subvector(sv->y, 0, n), wt = gsl_vector_subvector(sv->wt, 0, n);
    gsl_vector_view c = gsl_vector_subvector(sv->c, 0, p);
    gsl_matrix_set_zero(&X.matrix);
    for (size_t t = 0; t < nt; t++)
        for (size_t i = 0; i < k; i++) {
            size_t r = t * k + i;
            double v = sv->v[t * sv->nc + i], q = sv->q[t * sv->nc + i];
            gsl_matrix_set(&X.matrix, r, t, 1.0);
            if (i + 1 < k)
                gsl_matrix_set(&X.matrix, r, nt + i, 1.0);
            gsl_vector_set(&wt.vector, r, v / sv->tot[t]);
            gsl_vector_set(&y.vector, r, v > 0 ? log(v / q) : 0.0);
        }
    double chisq;
    if (gsl_multifit_wlinear(&X.matrix, &wt.vector, &y.vector, &c.vector, &cov.matrix, &chisq,
                             sv->ws) != 0)
        return 0;
    for (size_t t = 0; t < nt; t++)
        lnp[t] = gsl_vector_get(&c.vector, t);
    return 1;
}

/* The time dummy over the window [s, e]: lnp gets the period dummies,
 * Kennedy-adjusted when asked (against the base when it is in the
 * window, else against the window's first period); 0 when nothing is
 * estimable. */
static int td_solve(const work *w, solved *sv, size_t s, size_t e, double *lnp)
{
    size_t nt = e - s + 1, o = w->hpub_start[s];
    for (size_t t = 0; t <= nt; t++)
        sv->hstart[t] = w->hpub_start[s + t] - o;
    hd_window win = {nt, sv->hstart, w->hpub + o, w->lm + o, w->lmean + o, w->lss + o};
    if (!hedonic_solve(sv->hd, &win, &sv->fit))
        return 0;
    size_t b = w->ix->base_row, r = b >= s && b <= e ? b - s : 0;
    const double *cv = sv->fit.cov;
    for (size_t t = 0; t < nt; t++) {
        lnp[t] = sv->fit.lnp[t];
        if (w->ix->opts.kennedy)
            lnp[t] -= 0.5 * (cv[t * nt + t] + cv[r * nt + r] - 2 * cv[t * nt + r]);
    }
    return 1;
}

/* Solves the window [s, e] (at most W periods) into sv->lev: ln of the
 * window's cells' value against period s, ln of the price index and the
 * implicit ln volume (value over price), NaN when undefined. */
static void solve_window(const work *w, solved *sv, size_t s, size_t e)
{
    size_t nt = e - s + 1, k = 0, W = sv->W;
    sv->s = s, sv->e = e;
    for (size_t i = 0; i < 3 * W; i++)
        sv->lev[i] = NAN;
    if (sv->fit.lnp) { /* the time dummy's fit is this window's, even undefined */
        for (size_t i = 0; i < W + W * W; i++)
            sv->fit.lnp[i] = NAN;
        sv->fit.df = NAN;
        sv->fit.aliased = 0;
    }
    /* The cells published in some period of the window, merged period
     * after period (entries come sorted by cell). */
    for (size_t t = s; t <= e; t++) {
        const tix_cube_entry *x = w->pub + w->pub_start[t];
        size_t nx = w->pub_start[t + 1] - w->pub_start[t], a = 0, i = 0, n = 0;
        uint32_t *out = sv->cells + sv->nc;
        while (i < k || a < nx) {
            if (a == nx || (i < k && sv->cells[i] < x[a].cell))
                out[n++] = sv->cells[i++];
            else if (i == k || x[a].cell < sv->cells[i])
                out[n++] = x[a++].cell;
            else
                out[n++] = sv->cells[i++], a++;
        }
        memcpy(sv->cells, out, n * sizeof *out);
        k = n;
    }
    if (k == 0)
        return;
    /* A cell without data in a period is there with no contracts and no
     * value: it weighs nothing in that period. */
    for (size_t t = s; t <= e; t++) {
        const tix_cube_entry *x = w->pub + w->pub_start[t];
        size_t nx = w->pub_start[t + 1] - w->pub_start[t];
        double *q = sv->q + (t - s) * sv->nc, *v = sv->v + (t - s) * sv->nc;
        for (size_t i = 0, a = 0; i < k; i++) {
            int here = a < nx && x[a].cell == sv->cells[i];
            q[i] = here ? (double)x[a].n : 0.0;
            v[i] = here ? (double)x[a].value : 0.0;
            a += here;
        }
    }
    for (size_t t = 0; t < nt; t++) {
        double sum = 0;
        for (size_t i = 0; i < k; i++)
            sum += sv->v[t * sv->nc + i];
        if (!(sum > 0))
            return;
        sv->tot[t] = sum;
    }
    double *lnp = sv->lev + 2 * W; /* ln P_t first, made relative below */
    tix_method meth = w->ix->method;
    int ok = meth == TIX_METHOD_GEARY_KHAMIS ? gk_solve(sv, nt, k, lnp)
             : meth == TIX_METHOD_WTPD       ? wtpd_solve(sv, nt, k, lnp)
                                             : td_solve(w, sv, s, e, lnp);
    if (!ok) {
        for (size_t t = 0; t < nt; t++)
            lnp[t] = NAN;
        return;
    }
    /* The time dummy's reference may be any period (its first with an
     * amount > 0); only differences are used. */
    double p0 = meth == TIX_METHOD_TIME_DUMMY ? 0 : lnp[0], v0 = log(sv->tot[0]);
    for (size_t t = 0; t < nt; t++) {
        lnp[t] -= p0;
        sv->lev[t] = log(sv->tot[t]) - v0;
        sv->lev[W + t] = sv->lev[t] - lnp[t];
    }
}

/* The solved methods' windows [k, k + W - 1], k = 0 .. np - W: the
 * ones a series asks for, but with fbew's splice. With opts.threads >= 2
 * they are solved ahead (ahead_internal.h) in blocks of `per` windows by
 * helpers with solved workspaces of their own, and copied out of the
 * block when asked: the same operations on the same entries, hence the
 * same bits, as solving them when asked. */
#define AHEAD_WINDOW_DOUBLES 65536 /* a block's results, at most (or one window's) */

typedef struct win_block {
    double *d; /* per x stride: each window's lev, then (time dummy) its fit.lnp and fit.cov */
    double *df;
    size_t *aliased;
} win_block;

typedef struct win_ahead {
    const work *w;
    size_t W, nwin, per, stride;
    int on, td;
    ahead ah;
    win_block blk[AHEAD_BUFS];
    solved hs[AHEAD_HELPERS + 1]; /* this thread's for the blocks it takes, the helpers' */
    size_t nhs;                   /* of those set up */
} win_ahead;

/* Block i's windows (ahead_fn), with the worker's workspace. */
static void win_block_fn(void *ctx, void *worker, size_t i, void *buf)
{
    const win_ahead *wa = ctx;
    solved *sv = worker;
    win_block *wb = buf;
    size_t W = wa->W;
    for (size_t k = i * wa->per, j = 0; k < wa->nwin && j < wa->per; k++, j++) {
        solve_window(wa->w, sv, k, k + W - 1);
        double *d = wb->d + j * wa->stride;
        memcpy(d, sv->lev, 3 * W * sizeof *d);
        if (wa->td)
            memcpy(d + 3 * W, sv->fit.lnp, (W + W * W) * sizeof *d);
        wb->df[j] = sv->fit.df;
        wb->aliased[j] = sv->fit.aliased;
    }
}

static void win_ahead_free(win_ahead *wa)
{
    ahead_stop(&wa->ah);
    for (size_t k = 0; k < wa->nhs; k++)
        solved_free(&wa->hs[k]);
    wa->nhs = 0;
    for (size_t k = 0; k < AHEAD_BUFS; k++) {
        free(wa->blk[k].d);
        free(wa->blk[k].df);
        free(wa->blk[k].aliased);
        wa->blk[k].d = NULL, wa->blk[k].df = NULL, wa->blk[k].aliased = NULL;
    }
}

/* Sets up the windows of W periods of a series of np on `threads`
 * threads (nc: the cells' room, as solved_alloc). Nothing ahead with
 * one thread, one window, or fbew's windows. TIX_OK, or a failure of
 * solved_alloc or hedonic_new. */
static tix_status win_ahead_start(win_ahead *wa, const work *w, size_t W, size_t np, size_t nc)
{
    const tix_index *ix = w->ix;
    memset(wa, 0, sizeof *wa);
    wa->w = w;
    wa->W = W;
    wa->nwin = np - W + 1;
    wa->td = ix->method == TIX_METHOD_TIME_DUMMY;
    wa->stride = 3 * W + (wa->td ? W + W * W : 0);
    /* about 32 blocks, to share at the end too; fewer when their results
     * are large */
    size_t cap = wa->stride < AHEAD_WINDOW_DOUBLES ? AHEAD_WINDOW_DOUBLES / wa->stride : 1;
    wa->per = (wa->nwin + 31) / 32 < cap ? (wa->nwin + 31) / 32 : cap;
    size_t nblocks = (wa->nwin + wa->per - 1) / wa->per;
    if (ix->opts.threads < 2 || nblocks < 2 || ix->opts.splice == TIX_SPLICE_FBEW)
        return TIX_OK;
    size_t nbuf = ahead_buffers(ix->opts.threads), nw = nbuf / 2;
    void *bufs[AHEAD_BUFS], *workers[AHEAD_HELPERS + 1];
    for (size_t k = 0; k < nbuf; k++) {
        win_block *b = &wa->blk[k];
        if (!(b->d = malloc(wa->per * wa->stride * sizeof *b->d)) ||
            !(b->df = malloc(wa->per * sizeof *b->df)) ||
            !(b->aliased = malloc(wa->per * sizeof *b->aliased)))
            return TIX_E_NOMEM;
        bufs[k] = b;
    }
    for (; wa->nhs < nw; wa->nhs++) {
        solved *sv = &wa->hs[wa->nhs];
        if (!solved_alloc(sv, ix->method, W, nc)) {
            wa->nhs++; /* freed with the others */
            return TIX_E_NOMEM;
        }
        tix_status st = wa->td ? hedonic_new(&sv->hd, w->cube, ix->opts.hedonic, W, NULL, 0)
                               : TIX_OK;
        if (st != TIX_OK) {
            wa->nhs++;
            return st;
        }
        workers[wa->nhs] = sv;
    }
    ahead_start(&wa->ah, nblocks, win_block_fn, wa, bufs, nbuf, workers, nw);
    wa->on = 1;
    return TIX_OK;
}

/* Makes sv the window [s, e]'s: as it is, from its block, or solved. */
static void window_in(const work *w, win_ahead *wa, solved *sv, size_t s, size_t e)
{
    if (sv->s == s && sv->e == e)
        return;
    size_t W = sv->W, i = s / (wa->per ? wa->per : 1);
    if (!wa->on || e != s + W - 1 || s >= wa->nwin || (i != wa->ah.have && i != wa->ah.have + 1)) {
        solve_window(w, sv, s, e);
        return;
    }
    const win_block *wb = ahead_get(&wa->ah, i);
    size_t j = s - i * wa->per;
    const double *d = wb->d + j * wa->stride;
    memcpy(sv->lev, d, 3 * W * sizeof *d);
    if (wa->td) {
        memcpy(sv->fit.lnp, d + 3 * W, (W + W * W) * sizeof *d);
        sv->fit.df = wb->df[j];
        sv->fit.aliased = wb->aliased[j];
    }
    sv->s = s, sv->e = e;
}

/* A multilateral method's windows: GEKS's ring of bilateral comparisons,
 * or the solved windows of Geary-Khamis and WTPD. */
typedef struct multi {
    int solved_windows;
    geks g;
    geks_ahead ga; /* GEKS's comparisons */
    solved sv;
    win_ahead wa; /* the solved windows */
} multi;

/* ln of the level of period `to` over period `from` in the window [s, e]
 * (component c: value, volume, unit value). */
static double ml_ln(const work *w, multi *m, size_t s, size_t e, size_t from, size_t to, int c)
{
    if (!m->solved_windows)
        return geks_ln(&m->g, s, e, from, to, c);
    window_in(w, &m->wa, &m->sv, s, e);
    return m->sv.lev[(size_t)c * m->sv.W + (to - s)] - m->sv.lev[(size_t)c * m->sv.W + (from - s)];
}

/* Row t's standard error from the time-dummy window [s, e] that gave it
 * its level: of its period dummy against the base when the base is in
 * the window, else against period s. Kept in the row as se(d) in
 * unit_value_index_se and the t quantile in unit_value_index_lo until
 * td_intervals. */
static void td_row_se(const work *w, multi *m, size_t s, size_t e, size_t t)
{
    window_in(w, &m->wa, &m->sv, s, e);
    tix_index_row *row = &w->ix->rows[t];
    size_t nt = e - s + 1, b = w->ix->base_row, r = (b >= s && b <= e ? b : s) - s, u = t - s;
    const double *cv = m->sv.fit.cov;
    double var = cv[u * nt + u] + cv[r * nt + r] - 2 * cv[u * nt + r];
    double level = w->ix->opts.ci_level > 0 ? w->ix->opts.ci_level : 0.95;
    double df = m->sv.fit.df;
    row->unit_value_index_se = var >= 0 ? sqrt(var) : NAN;
    row->unit_value_index_lo =
        df > 0 ? gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, df) : NAN; /* df >= 1 here */
    row->aliased = m->sv.fit.aliased;
}

/* From se(d) and the t quantile to the index's se and interval. */
static void td_intervals(tix_index *ix)
{
    for (size_t t = 0; t < ix->nrows; t++) {
        tix_index_row *r = &ix->rows[t];
        double I = r->unit_value_index, sd = r->unit_value_index_se, tq = r->unit_value_index_lo;
        r->unit_value_index_se = I * sd;
        r->unit_value_index_lo = I * exp(-tq * sd);
        r->unit_value_index_hi = I * exp(tq * sd);
    }
}

/* What the window [s, e] needs of period b before ml_ln: GEKS fills its
 * ring with b's comparisons; the solved methods compute when asked and
 * only count b's matched cells (with b - 1) for the row. */
static tix_status ml_fill(work *w, multi *m, size_t s, size_t e, size_t b)
{
    if (!m->solved_windows)
        return geks_fill(w, &m->g, &m->ga, s, e, b);
    if (b > 0) {
        tix_index_row *r = &w->ix->rows[b];
        r->matched = match(w, w->pub + w->pub_start[b - 1], w->pub_start[b] - w->pub_start[b - 1],
                           w->pub + w->pub_start[b], w->pub_start[b + 1] - w->pub_start[b],
                           index_value(r), &r->coverage);
    }
    return TIX_OK;
}

/* The multilateral series, spliced as index.h describes at tix_splice. L
 * holds ln levels; prev[c W + (h - s)] is, for a new window [s, T], ln
 * O(h -> T-1), the previous window [s-1, T-1]'s own comparison of h with
 * T-1, taken before GEKS's ring loses period s-1; fac the factors of a
 * mean. GEKS's mean and mean_pub take O(h -> T) of every h of a window in
 * one pass (geks_ln_to) into all, all[c W + (h - s)] for h in [s, T]; the
 * mean's prev of the next window is then all, shifted by one. */
static tix_status ml_series(work *w)
{
    tix_index *ix = w->ix;
    tix_splice sp = ix->opts.splice;
    size_t np = ix->nrows, W = ix->opts.window < np ? ix->opts.window : np;
    multi m;
    memset(&m, 0, sizeof m);
    m.solved_windows = is_window_solved(ix->method);
    m.g.W = W;
    double *lvl = NULL, *prev = NULL, *fac = NULL, *all = NULL;
    hd_i128 *acc = NULL; /* geks_ln_to's room */
    size_t *cnt = NULL;
    m.g.words = (W + 63) / 64;
    m.g.cs = 1, m.g.ce = 0; /* no window yet */
    int batch = !m.solved_windows && (sp == TIX_SPLICE_MEAN || sp == TIX_SPLICE_MEAN_PUB);
    tix_status st = TIX_E_NOMEM;
    if (m.solved_windows) {
        size_t nc = 0; /* the cells published at all bound a window's */
        for (size_t j = 0; j < w->pub_start[np]; j++)
            if (w->pub[j].cell >= nc)
                nc = (size_t)w->pub[j].cell + 1;
        if (!solved_alloc(&m.sv, ix->method, W, nc))
            goto done;
        if (ix->method == TIX_METHOD_TIME_DUMMY &&
            (st = hedonic_new(&m.sv.hd, w->cube, ix->opts.hedonic, W, w->err, w->errlen)) !=
                TIX_OK)
            goto done;
        if ((st = win_ahead_start(&m.wa, w, W, np, nc)) != TIX_OK)
            goto done;
        st = TIX_E_NOMEM;
    } else if (!(m.g.lnb = calloc(3 * W * W, sizeof *m.g.lnb)) || /* all defined */
               !(m.g.undefined = calloc(3 * W * m.g.words, sizeof *m.g.undefined)) ||
               (batch && !(m.g.col = malloc(3 * W * sizeof *m.g.col))) ||
               !match_masks(w, np) || !geks_ahead_start(&m.ga, w, W, np, ix->opts.threads)) {
        goto done;
    }
    if (!(lvl = malloc(3 * np * sizeof *lvl)) || !(prev = malloc(3 * W * sizeof *prev)) ||
        !(fac = malloc(W * sizeof *fac)))
        goto done;
    if (batch && (!(all = malloc(3 * W * sizeof *all)) || !(acc = malloc(W * sizeof *acc)) ||
                  !(cnt = malloc(W * sizeof *cnt))))
        goto done;
    /* The first window is the method itself, against its first period. */
    for (size_t b = 0; b < W; b++)
        if ((st = ml_fill(w, &m, 0, b, b)) != TIX_OK)
            goto done;
    for (int c = 0; c < 3; c++) {
        double *L = lvl + (size_t)c * np;
        L[0] = 0;
        for (size_t t = 1; t < W; t++)
            L[t] = ml_ln(w, &m, 0, W - 1, 0, t, c);
    }
    if (batch && sp == TIX_SPLICE_MEAN && W < np)
        geks_ln_to(&m.g, 0, W - 1, all, acc, cnt);
    int td = ix->method == TIX_METHOD_TIME_DUMMY;
    for (size_t t = 0; td && t < W; t++)
        td_row_se(w, &m, 0, W - 1, t);
    /* Each later period is spliced on in its own window; what is computed
     * stays. */
    for (size_t T = W; T < np; T++) {
        size_t s = T + 1 - W;
        int own = sp == TIX_SPLICE_WINDOW || sp == TIX_SPLICE_HALF || sp == TIX_SPLICE_MEAN;
        if (batch && own) { /* all holds the window [s-1, T-1]'s */
            for (int c = 0; c < 3; c++)
                memcpy(prev + (size_t)c * W, all + (size_t)c * W + 1, (W - 1) * sizeof *prev);
            own = 0;
        }
        for (int c = 0; own && c < 3; c++)
            for (size_t h = s; h < T; h++)
                if (sp == TIX_SPLICE_MEAN || h == splice_at(sp, W, s, T))
                    prev[(size_t)c * W + (h - s)] = ml_ln(w, &m, s - 1, T - 1, h, T - 1, c);
        if ((st = ml_fill(w, &m, s, T, T)) != TIX_OK)
            goto done;
        if (batch)
            geks_ln_to(&m.g, s, T, all, acc, cnt);
        /* fbew and fbmw: the latest of 0, W-1, 2(W-1), ... before T */
        size_t b = (T - 1) / (W - 1) * (W - 1);
        for (int c = 0; c < 3; c++) {
            double *L = lvl + (size_t)c * np, *P = prev + (size_t)c * W;
            size_t h = splice_at(sp, W, s, T);
            switch (sp) {
            case TIX_SPLICE_MOVEMENT:
                L[T] = L[T - 1] + ml_ln(w, &m, s, T, T - 1, T, c);
                break;
            case TIX_SPLICE_WINDOW:
            case TIX_SPLICE_HALF:
                L[T] = L[T - 1] + ml_ln(w, &m, s, T, h, T, c) - P[h - s];
                break;
            case TIX_SPLICE_MEAN:
                for (size_t l = s; l < T; l++)
                    fac[l - s] =
                        (batch ? all[(size_t)c * W + (l - s)] : ml_ln(w, &m, s, T, l, T, c)) -
                        P[l - s];
                L[T] = L[T - 1] + mean_defined(fac, T - s);
                break;
            case TIX_SPLICE_WISP:
            case TIX_SPLICE_HASP:
                L[T] = L[h] + ml_ln(w, &m, s, T, h, T, c);
                break;
            case TIX_SPLICE_MEAN_PUB:
                for (size_t l = s; l < T; l++)
                    fac[l - s] =
                        L[l] + (batch ? all[(size_t)c * W + (l - s)] : ml_ln(w, &m, s, T, l, T, c));
                L[T] = mean_defined(fac, T - s);
                break;
            case TIX_SPLICE_FBEW:
                L[T] = L[b] + ml_ln(w, &m, b, T, b, T, c);
                break;
            default: /* fbmw */
                L[T] = L[b] + ml_ln(w, &m, s, T, b, T, c);
                break;
            }
        }
        if (td)
            td_row_se(w, &m, sp == TIX_SPLICE_FBEW ? b : s, T, T);
    }
    geks_ahead_free(&m.ga); /* the helpers are done before the rows change */
    win_ahead_free(&m.wa);
    size_t b = ix->base_row;
    for (size_t t = 0; t < np; t++)
        set_levels(&ix->rows[t], 100.0 * exp(lvl[t] - lvl[b]),
                   100.0 * exp(lvl[np + t] - lvl[np + b]),
                   100.0 * exp(lvl[2 * np + t] - lvl[2 * np + b]));
    if (td)
        td_intervals(ix);
    st = TIX_OK;
done:
    free(m.g.lnb);
    free(m.g.undefined);
    free(m.g.col);
    geks_ahead_free(&m.ga);
    win_ahead_free(&m.wa);
    if (m.solved_windows)
        solved_free(&m.sv);
    free(lvl);
    free(prev);
    free(fac);
    free(all);
    free(acc);
    free(cnt);
    return st;
}

/* The entry of `cell` among e[0..n) (sorted by cell rank), or NULL. */
static const tix_cube_entry *entry_of_cell(const tix_cube_entry *e, size_t n, uint32_t cell)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e[mid].cell < cell)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && e[lo].cell == cell ? &e[lo] : NULL;
}

/* The rank of the cell of p (a cube by the first columns of q's by) that
 * q's cell r falls in. */
static uint32_t cell_in(const tix_cube *p, const tix_cube *q, uint32_t r)
{
    const char *name = tix_cube_cell_name(q, r);
    size_t k = tix_cube_ncells(p) ? cube_by_columns(tix_cube_by(p)) : 0, len = 0;
    while (name[len] && !(name[len] == TIX_DIM_SEP && --k == 0))
        len++;
    size_t lo = 0, hi = tix_cube_ncells(p);
    while (lo < hi) { /* names in byte order, none holding a NUL */
        size_t mid = lo + (hi - lo) / 2;
        const char *m = tix_cube_cell_name(p, mid);
        int c = strncmp(m, name, len);
        if (c == 0)
            c = m[len] != 0;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

/* The time dummy's observations: the entries of w->cube (the regression's
 * cube) whose cell of the index is published in the period, with their
 * log statistics; each row's contracts of amount 0 among them. */
static tix_status td_prepare(work *w, const size_t *sel)
{
    tix_index *ix = w->ix;
    size_t np = ix->nrows, all = 0;
    const tix_cube *h = w->cube;
    for (size_t t = 0; t < np; t++) {
        size_t ne;
        tix_cube_entries(h, sel ? sel[t] : t, &ne);
        all += ne;
    }
    size_t room = all ? all : 1, nh = tix_cube_ncells(h);
    uint32_t *map = NULL;
    w->hpub = malloc(room * sizeof *w->hpub);
    w->hpub_start = malloc((np + 1) * sizeof *w->hpub_start);
    w->lm = malloc(room * sizeof *w->lm);
    w->lmean = malloc(room * sizeof *w->lmean);
    w->lss = malloc(room * sizeof *w->lss);
    if (w->pcube != h)
        map = malloc((nh ? nh : 1) * sizeof *map);
    if (!w->hpub || !w->hpub_start || !w->lm || !w->lmean || !w->lss || (w->pcube != h && !map)) {
        free(map);
        return TIX_E_NOMEM;
    }
    for (size_t r = 0; map && r < nh; r++)
        map[r] = cell_in(w->pcube, h, (uint32_t)r);
    size_t k = 0;
    for (size_t t = 0; t < np; t++) {
        size_t ne, ct = sel ? sel[t] : t;
        const tix_cube_entry *e = tix_cube_entries(h, ct, &ne);
        const tix_cube_entry *pb = w->pub + w->pub_start[t];
        size_t npb = w->pub_start[t + 1] - w->pub_start[t];
        w->hpub_start[t] = k;
        for (size_t i = 0; i < ne; i++) {
            uint32_t pc = map ? map[e[i].cell] : e[i].cell;
            if (!entry_of_cell(pb, npb, pc)) /* not published */
                continue;
            hd_i128 ls;
            hd_u128 lq;
            cube_logs_at(h, ct, i, &w->lm[k], &ls, &lq);
            ix->rows[t].zero_amounts += e[i].n - w->lm[k];
            /* Worked out once here, not in each window the entry is in. */
            w->lmean[k] = w->lss[k] = 0; /* m = 0: not an observation */
            if (w->lm[k] && !hedonic_moments(w->lm[k], ls, lq, &w->lmean[k], &w->lss[k]))
                w->lmean[k] = NAN; /* every window with it fails */
            w->hpub[k++] = e[i];
        }
    }
    w->hpub_start[np] = k;
    free(map);
    return TIX_OK;
}

/* Fills the rows' totals, the index's entries (winsorized when asked)
 * and w's published entries. */
/* sel: the cube's periods the rows are (NULL: the first nrows). */
static tix_status prepare(work *w, const tix_cube *cube, const size_t *sel, char *err,
                          size_t errlen)
{
    tix_index *ix = w->ix;
    size_t np = ix->nrows, all = 0;
    for (size_t t = 0; t < np; t++) {
        size_t ne;
        tix_cube_entries(cube, sel ? sel[t] : t, &ne);
        all += ne;
    }
    size_t room = all ? all : 1;
    ix->entries = malloc(room * sizeof *ix->entries);
    ix->entry_start = malloc((np + 1) * sizeof *ix->entry_start);
    w->pub = malloc(room * sizeof *w->pub);
    w->pub_start = malloc((np + 1) * sizeof *w->pub_start);
    int64_t *wins = NULL;
    uint64_t *capped = NULL;
    size_t every = 0; /* winsorizing fills all the cube's entries, cut off or not */
    size_t *first = malloc((tix_cube_nperiods(cube) + 1) * sizeof *first);
    if (!first)
        return TIX_E_NOMEM;
    for (size_t t = 0; t < tix_cube_nperiods(cube); t++) {
        size_t ne;
        tix_cube_entries(cube, t, &ne);
        first[t] = every; /* the period's first entry in the winsorized arrays */
        every += ne;
    }
    if (ix->opts.winsorize > 0 && (!(wins = malloc((every ? every : 1) * sizeof *wins)) ||
                                   !(capped = malloc((every ? every : 1) * sizeof *capped)))) {
        free(wins);
        free(first);
        return TIX_E_NOMEM;
    }
    int td = ix->method == TIX_METHOD_TIME_DUMMY;
    if (td && !(tix_cube_stats_kind(w->cube) & TIX_CUBE_STATS_LOGS)) {
        if (err)
            snprintf(err, errlen,
                     "`method` time-dummy needs a cube that keeps log statistics (parts made "
                     "with `no-stats` or by an older techidx do not)");
        free(first);
        return TIX_E_INVALID;
    }
    if (!ix->entries || !ix->entry_start || !w->pub || !w->pub_start ||
        !work_arrays(w, tix_cube_ncells(cube))) {
        free(wins);
        free(capped);
        free(first);
        return TIX_E_NOMEM;
    }
    if (wins) {
        tix_status st =
            tix_cube_winsorize(cube, ix->opts.winsorize, ix->opts.winsor_window, wins, capped);
        if (st != TIX_OK) {
            if (err && st == TIX_E_INVALID)
                snprintf(err, errlen, "winsorizing needs a cube that keeps bucket sums");
            free(wins);
            free(capped);
            free(first);
            return st;
        }
    }
    size_t k = 0, v = 0;
    for (size_t t = 0; t < np; t++) {
        tix_index_row *r = &ix->rows[t];
        size_t ne;
        size_t ct = sel ? sel[t] : t, g = first[ct];
        const tix_cube_entry *e = tix_cube_entries(cube, ct, &ne);
        r->period = tix_cube_period(cube, ct);
        r->cells = ne;
        int64_t top = 0, mx;
        int top_known = 1;
        w->pub_start[t] = k;
        ix->entry_start[t] = v;
        for (size_t i = 0; i < ne; i++, v++) {
            tix_cube_entry x = e[i];
            r->contracts += x.n;
            if (!tix_cube_max(cube, ct, i, &mx))
                top_known = 0;
            else if (mx > top)
                top = mx;
            if (__builtin_add_overflow(r->value, x.value, &r->value)) {
                if (err)
                    snprintf(err, errlen, "period total exceeds the int64 range of cents");
                free(wins);
                free(capped);
                free(first);
                return TIX_E_OVERFLOW;
            }
            if (wins) { /* never more than the raw value: no overflow */
                r->capped += capped[g + i];
                r->capped_value += x.value - wins[g + i];
                x.value = wins[g + i];
            }
            ix->entries[v] = x;
            if (x.n >= ix->opts.min_contracts) {
                w->pub[k++] = x;
            } else {
                r->suppressed++;
            }
        }
        r->top_contract_share =
            top_known && r->value > 0 ? (double)top / (double)r->value : NAN;
        r->link.value = r->link.volume = r->link.unit_value = NAN;
        r->coverage = NAN;
        r->change = NAN;
        r->unit_value_index_se = r->unit_value_index_lo = r->unit_value_index_hi = NAN;
        set_levels(r, NAN, NAN, NAN);
    }
    w->pub_start[np] = k;
    ix->entry_start[np] = v;
    free(wins);
    free(capped);
    free(first);
    return td ? td_prepare(w, sel) : TIX_OK;
}

tix_status tix_index_compute(const tix_cube *cube, const tix_index_opts *opts, tix_index **out,
                             char *err, size_t errlen)
{
    tix_index_opts o = *opts;
    o.ci = 0; /* the series itself; then the replicates */
    tix_status st;
    *out = NULL;
    if (opts->ci && tix_cube_replicates(cube) < 2) {
        if (err)
            snprintf(err, errlen,
                     "`ci` needs the cube's replicate groups: aggregate with `ci` (the parts too)");
        return TIX_E_INVALID;
    }
    /* Characteristics beyond the cells: the index is of the cells, the
     * time dummy regresses on them all. */
    tix_cube *cells = NULL;
    const tix_cube *hcube = cube;
    if (tix_cube_cell_dims(cube) < cube_by_columns(tix_cube_by(cube))) {
        if ((st = tix_cube_project(cube, NULL, &cells)) != TIX_OK) {
            if (err)
                snprintf(err, errlen, "%s", tix_strerror(st));
            return st;
        }
        cube = cells;
    }
    if (opts->year_over_year) {
        st = index_year_over_year(cube, hcube, &o, out, err, errlen);
    } else {
        size_t np = tix_cube_nperiods(cube);
        while (opts->has_until && np > 0 && tix_cube_period(cube, np - 1) > opts->until)
            np--; /* the cube's periods are in order */
        st = index_of_periods(cube, hcube, &o, NULL, np, out, err, errlen);
    }
    if (st == TIX_OK)
        (*out)->cells_cube = cells;
    else
        tix_cube_free(cells);
    if (st == TIX_OK && opts->ci && (st = index_jackknife(hcube, *out)) != TIX_OK) {
        tix_index_free(*out);
        *out = NULL;
    }
    if (st == TIX_OK && opts->provisional && (*out)->nrows) {
        tix_index *ix = *out;
        int64_t last = opts->has_until ? opts->until : INT32_MIN;
        for (size_t t = 0; !opts->has_until && t < ix->nrows; t++)
            if (ix->rows[t].period > last)
                last = ix->rows[t].period; /* year-over-year rows are by season */
        for (size_t t = 0; t < ix->nrows; t++)
            ix->rows[t].provisional = ix->rows[t].period > last - (int64_t)opts->provisional;
    }
    return st;
}

/* The unusual links (index.h): ln(change) of the rows that have one, and
 * for each the median and scaled MAD of the TIX_UNUSUAL_WINDOW before it
 * (GSL's moving window over [j - W + 1, j], read at j - 1). */
static tix_status flag_unusual(tix_index *ix)
{
    size_t n = 0;
    double *x = malloc((ix->nrows ? ix->nrows : 1) * 3 * sizeof *x);
    size_t *row = malloc((ix->nrows ? ix->nrows : 1) * sizeof *row);
    gsl_movstat_workspace *ws = gsl_movstat_alloc2(TIX_UNUSUAL_WINDOW - 1, 0);
    tix_status st = TIX_E_NOMEM;
    if (!x || !row || !ws)
        goto done;
    for (size_t t = 0; t < ix->nrows; t++)
        if (isfinite(ix->rows[t].change) && ix->rows[t].change > 0) {
            row[n] = t;
            x[n++] = log(ix->rows[t].change);
        }
    st = TIX_OK;
    if (n <= TIX_UNUSUAL_MIN)
        goto done;
    gsl_vector_view xv = gsl_vector_view_array(x, n), med = gsl_vector_view_array(x + n, n),
                    mad = gsl_vector_view_array(x + 2 * n, n);
    if (gsl_movstat_mad0(GSL_MOVSTAT_END_TRUNCATE, &xv.vector, &med.vector, &mad.vector, ws) !=
        GSL_SUCCESS) {
        st = TIX_E_INVALID;
        goto done;
    }
    for (size_t j = TIX_UNUSUAL_MIN; j < n; j++) {
        /* the MAD scaled to a normal's standard deviation: 1 / Phi^-1(3/4) */
        double m = x[n + j - 1], s = 1.482602218505602 * x[2 * n + j - 1];
        ix->rows[row[j]].unusual = s > 0 && fabs(x[j] - m) > TIX_UNUSUAL_Z * s;
    }
done:
    free(x);
    free(row);
    if (ws)
        gsl_movstat_free(ws);
    return st;
}

tix_status index_of_periods(const tix_cube *cube, const tix_cube *hcube,
                            const tix_index_opts *opts, const size_t *sel, size_t np,
                            tix_index **out, char *err, size_t errlen)
{
    *out = NULL;
    if ((unsigned)opts->method >= NMETHODS || (unsigned)opts->chain > TIX_CHAIN_FIXED ||
        (unsigned)opts->splice >= NSPLICES ||
        (is_geks(opts->method) && (opts->window == 1 || opts->window > TIX_GEKS_MAX_WINDOW)) ||
        !(opts->winsorize >= 0 && opts->winsorize <= 1) ||
        !(opts->ci_level >= 0 && opts->ci_level < 1) ||
        (opts->method == TIX_METHOD_TIME_DUMMY && opts->winsorize > 0)) {
        if (err)
            snprintf(err, errlen, "index options out of range");
        return TIX_E_INVALID;
    }
    if (np == 0) {
        if (err)
            snprintf(err, errlen, "no accepted rows: nothing to index");
        return TIX_E_NODATA;
    }
    tix_index *ix = calloc(1, sizeof *ix);
    work w;
    memset(&w, 0, sizeof w);
    w.ix = ix;
    w.pcube = cube;
    w.cube = hcube;
    w.err = err;
    w.errlen = errlen;
    tix_status st = TIX_E_NOMEM;
    if (!ix || !(ix->rows = calloc(np, sizeof *ix->rows)))
        goto fail;
    ix->kind = tix_cube_period_kind(cube);
    ix->opts = *opts;
    if (ix->opts.min_contracts < 1)
        ix->opts.min_contracts = 1;
    if (ix->opts.window == 0)
        ix->opts.window = tix_geks_default_window(ix->kind);
    if (ix->opts.winsor_window == 0)
        ix->opts.winsor_window = tix_geks_default_window(ix->kind);
    ix->method = opts->method;
    ix->nrows = np;

    size_t base = 0;
    if (opts->has_base) {
        for (base = 0; base < np && tix_cube_period(cube, sel ? sel[base] : base) != opts->base;
             base++)
            ;
        if (base == np) {
            char label[TIX_PERIOD_LABEL_MAX];
            tix_period_label(ix->kind, opts->base, label);
            if (err)
                snprintf(err, errlen, "base period %s has no data", label);
            st = TIX_E_NODATA;
            goto fail;
        }
    }
    ix->base = tix_cube_period(cube, sel ? sel[base] : base);
    ix->base_row = base;

    if ((st = prepare(&w, cube, sel, err, errlen)) != TIX_OK)
        goto fail;
    st = is_geks(ix->method)                 ? ml_series(&w)
         : ix->opts.chain == TIX_CHAIN_FIXED ? fixed_base(&w)
                                             : chained(&w);
    if (st != TIX_OK)
        goto fail;
    for (size_t t = 1; t < np; t++) {
        double prev = ix->rows[t - 1].value_index;
        ix->rows[t].change = prev > 0 ? ix->rows[t].value_index / prev : NAN;
    }
    if ((st = flag_unusual(ix)) != TIX_OK)
        goto fail;
    work_free(&w);
    *out = ix;
    return TIX_OK;
fail:
    work_free(&w);
    tix_index_free(ix);
    return st;
}

/* The entries of row t as the index used them. */
static const tix_cube_entry *entries_of(const tix_index *ix, size_t t, size_t *n)
{
    *n = ix->entry_start[t + 1] - ix->entry_start[t];
    return ix->entries + ix->entry_start[t];
}

/* Entry of `cell` in row t, or NULL. */
static const tix_cube_entry *find_entry(const tix_index *ix, size_t t, uint32_t cell)
{
    size_t n;
    const tix_cube_entry *e = entries_of(ix, t, &n);
    return entry_of_cell(e, n, cell);
}

void tix_index_cell(const tix_index *ix, size_t t, size_t k, tix_cell_index *out)
{
    size_t n;
    const tix_cube_entry *e = &entries_of(ix, t, &n)[k];
    size_t base = ix->base_row;
    if (ix->opts.year_over_year) /* each season's first row is its base */
        for (base = t; base > 0 && ix->rows[base - 1].season == ix->rows[t].season; base--)
            ;
    const tix_cube_entry *b = find_entry(ix, base, e->cell);
    uint64_t min = ix->opts.min_contracts;
    out->suppressed = e->n < min;
    out->value_index = out->volume_index = out->unit_value_index = NAN;
    if (out->suppressed || !b || b->n < min)
        return;
    out->volume_index = 100.0 * (double)e->n / (double)b->n;
    if (b->value > 0) {
        out->value_index = 100.0 * (double)e->value / (double)b->value;
        out->unit_value_index = out->value_index * (double)b->n / (double)e->n;
    }
}

/* The published entries of row t into buf; returns their count. */
static size_t published(const tix_index *ix, size_t t, tix_cube_entry *buf)
{
    size_t n, k = 0;
    const tix_cube_entry *e = entries_of(ix, t, &n);
    for (size_t i = 0; i < n; i++)
        if (e[i].n >= ix->opts.min_contracts)
            buf[k++] = e[i];
    return k;
}

tix_status tix_index_contributions(const tix_index *ix, size_t t, tix_contribution *out, size_t *n)
{
    *n = 0;
    if (is_geks(ix->method) || ix->method == TIX_METHOD_TPD ||
        ix->opts.chain != TIX_CHAIN_CHAINED || t == 0 || t >= ix->nrows)
        return TIX_E_INVALID;
    if (isnan(ix->rows[t].link.value) || ix->rows[t - 1].season != ix->rows[t].season)
        return TIX_E_NODATA;
    size_t n0, n1;
    entries_of(ix, t - 1, &n0);
    entries_of(ix, t, &n1);
    size_t nc = n0 > n1 ? n0 : n1, room = nc ? nc : 1;
    work w;
    memset(&w, 0, sizeof w); /* arrays only */
    tix_cube_entry *a = malloc(2 * room * sizeof *a);
    double *buf = malloc(7 * room * sizeof *buf);
    tix_status st = TIX_E_NOMEM;
    if (a && buf && work_arrays(&w, nc)) {
        tix_cube_entry *b = a + room;
        double share;
        size_t m = match(&w, a, published(ix, t - 1, a), b, published(ix, t, b),
                         index_value(&ix->rows[t]), &share);
        double *u0 = buf, *u1 = buf + room, *scr = buf + 2 * room, *cv = buf + 4 * room,
               *cu = buf + 5 * room;
        double s0 = 0;
        for (size_t i = 0; i < m; i++) {
            u0[i] = w.v0[i] / w.n0[i];
            u1[i] = w.v1[i] / w.n1[i];
            s0 += w.v0[i];
        }
        st = TIX_E_NODATA;
        if (is_price_method(ix->method)) {
            double s1 = 0;
            for (size_t i = 0; i < m; i++)
                s1 += w.v1[i];
            double p = s0 > 0 && s1 > 0
                           ? price_contrib(ix->method, m, u0, u1, w.v0, w.v1, s0, s1, scr, cu)
                           : NAN;
            if (!isnan(p)) {
                for (size_t i = 0; i < m; i++) {
                    double vpp = 100.0 * (w.v1[i] - w.v0[i]) / s0;
                    /* Q - 1 = (V - P) / P, V - 1 and P - 1 split by cell */
                    out[i] = (tix_contribution){w.cells[i], vpp, (vpp - cu[i]) / p, cu[i]};
                }
                *n = m;
                st = TIX_OK;
            }
        } else if (s0 > 0 && factor_contrib(ix->method, m, u0, w.n0, u1, w.n1, scr, cv) &&
                   factor_contrib(ix->method, m, w.n0, u0, w.n1, u1, scr, cu)) {
            for (size_t i = 0; i < m; i++)
                out[i] =
                    (tix_contribution){w.cells[i], 100.0 * (w.v1[i] - w.v0[i]) / s0, cv[i], cu[i]};
            *n = m;
            st = TIX_OK;
        }
    }
    free(a);
    free(buf);
    work_free(&w);
    return st;
}

void tix_index_free(tix_index *ix)
{
    if (!ix)
        return;
    free(ix->rows);
    free(ix->entries);
    free(ix->entry_start);
    tix_cube_free(ix->cells_cube);
    free(ix);
}

const tix_cube *tix_index_cube(const tix_index *ix, const tix_cube *cube)
{
    return ix->cells_cube ? ix->cells_cube : cube;
}
