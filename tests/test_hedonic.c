/* Tests for the time-dummy hedonic index (--method time-dummy,
 * docs/methodology.md 5b): the regression built from the cube's log
 * statistics equals an ordinary least-squares fit of the contracts
 * themselves (GSL's gsl_multifit_linear on the explicit design matrix),
 * standard errors included; amounts of 0 are left out and counted;
 * aliased levels and unidentified periods are dropped and said; merges
 * and orders give the same bits; the rolling window never revises. */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_multifit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "techidx/index.h"
#include "techidx/record.h"
#include "techidx/tic.h"

#define REL 1e-9

/* A contract: week t (0-based from 2024-W01), levels a of the first
 * characteristic and b of the second, amount in cents. */
typedef struct contract {
    int t;
    const char *a, *b;
    int64_t cents;
} contract;

#define MAXC 4000
static contract rows[MAXC];
static size_t nrows;

static const char *const A_LEV[] = {"alpha", "beta", "gamma"};
static const char *const B_LEV[] = {"x", "y"};

/* nt weeks of pseudo-random contracts over the 3 x 2 levels, with a
 * price trend by week and a level effect each; every 17th amount is 0. */
static void make_rows(int nt, size_t n, uint64_t seed)
{
    nrows = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = tt_rng_next(&seed);
        int t = (int)(r % (uint64_t)nt), a = (int)((r >> 8) % 3), b = (int)((r >> 16) % 2);
        double u = (double)((r >> 24) % 1000000) / 1e6;
        double ln = 12 + 0.05 * t * (t % 2 ? 1 : -0.5) + 0.3 * a - 0.2 * b + (u - 0.5);
        int64_t cents = i % 17 == 5 ? 0 : (int64_t)llround(exp(ln));
        rows[nrows++] = (contract){t, A_LEV[a], B_LEV[b], cents};
    }
}

static int32_t day_of(int t) { return tix_days_from_civil(2024, 1, 1) + 7 * t; }

/* An empty cube with the log statistics, cells of two characteristics. */
static tix_cube *new_cube(void)
{
    tix_cube *c;
    tix_cube_opts o;
    tix_cube_opts_init(&o);
    o.cell_stats = TIX_CUBE_STATS_LOGS;
    o.by = "sector,contract_type";
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    return c;
}

/* n contracts of week t, levels a and b, amount cents, added to c. */
static void add_contracts(tix_cube *c, int t, const char *a, const char *b, int64_t cents,
                          size_t n)
{
    char cell[64];
    int len = snprintf(cell, sizeof cell, "%s%c%s", a, TIX_DIM_SEP, b);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(tix_cube_add(c, day_of(t), cell, (size_t)len, cents), TIX_OK);
}

/* The cube of rows i with i % parts == part, added in order (step 1) or
 * backwards (step -1). */
static tix_cube *cube_of(size_t parts, size_t part, int backwards)
{
    tix_cube *c = new_cube();
    for (size_t k = 0; k < nrows; k++) {
        size_t i = backwards ? nrows - 1 - k : k;
        if (i % parts == part)
            add_contracts(c, rows[i].t, rows[i].a, rows[i].b, rows[i].cents, 1);
    }
    return c;
}

static tix_index *td_index(tix_cube *c, const tix_index_opts *o)
{
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    tix_index *ix;
    char err[200] = "";
    cr_assert_eq(tix_index_compute(c, o, &ix, err, sizeof err), TIX_OK, "%s", err);
    return ix;
}

static void td_opts(tix_index_opts *o, size_t window)
{
    tix_index_opts_init(o);
    o->method = TIX_METHOD_TIME_DUMMY;
    o->window = window;
}

/* The independent fit: OLS of ln(amount) over the contracts with amount
 * > 0 of weeks [0, nt) except `skip_t` (-1: none), on an intercept, a
 * dummy for each week but week 0 (and skip_t), for each level of the
 * first characteristic but "alpha" and of the second but "x" (unless
 * drop_y). Fills lnI[t] = coefficient, var[t] its variance, df. */
static void reference_fit(int nt, int skip_t, int drop_y, double *lnI, double *var, double *df)
{
    size_t n = 0;
    for (size_t i = 0; i < nrows; i++)
        n += rows[i].cents > 0 && rows[i].t != skip_t && rows[i].t < nt;
    size_t pt = (size_t)nt - 1 - (skip_t >= 0), p = 1 + pt + 2 + (drop_y ? 0 : 1);
    gsl_matrix *X = gsl_matrix_calloc(n, p), *cov = gsl_matrix_alloc(p, p);
    gsl_vector *y = gsl_vector_alloc(n), *c = gsl_vector_alloc(p);
    size_t col_of[64];
    for (int t = 1, j = 1; t < nt; t++)
        if (t != skip_t)
            col_of[t] = (size_t)j++;
    size_t r = 0;
    for (size_t i = 0; i < nrows; i++) {
        const contract *k = &rows[i];
        if (!(k->cents > 0) || k->t == skip_t || k->t >= nt)
            continue;
        gsl_matrix_set(X, r, 0, 1);
        if (k->t > 0)
            gsl_matrix_set(X, r, col_of[k->t], 1);
        if (strcmp(k->a, "beta") == 0)
            gsl_matrix_set(X, r, 1 + pt, 1);
        if (strcmp(k->a, "gamma") == 0)
            gsl_matrix_set(X, r, 2 + pt, 1);
        if (!drop_y && strcmp(k->b, "y") == 0)
            gsl_matrix_set(X, r, 3 + pt, 1);
        gsl_vector_set(y, r, log((double)k->cents));
        r++;
    }
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, p);
    double chisq;
    cr_assert_eq(gsl_multifit_linear(X, y, c, cov, &chisq, ws), 0);
    for (int t = 0; t < nt; t++) {
        lnI[t] = t == 0 ? 0 : t == skip_t ? NAN : gsl_vector_get(c, col_of[t]);
        var[t] = t == 0 ? 0 : t == skip_t ? NAN : gsl_matrix_get(cov, col_of[t], col_of[t]);
    }
    *df = (double)(n - p);
    gsl_multifit_linear_free(ws);
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(y);
    gsl_vector_free(c);
}

static void near(double got, double want, const char *what, int t)
{
    cr_assert(fabs(got - want) <= REL * fabs(want) + 1e-300, "%s week %d: %.17g, want %.17g", what,
              t, got, want);
}

/* Checks the rows of ix against the reference fit, Kennedy or not. */
static void check_against_reference(const tix_index *ix, int nt, const double *lnI,
                                    const double *var, double df, int kennedy, double level)
{
    double tq = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, df);
    for (int t = 0; t < nt; t++) {
        const tix_index_row *r = &ix->rows[t];
        double I = 100 * exp(lnI[t] - (kennedy ? var[t] / 2 : 0)), se = sqrt(var[t]);
        near(r->unit_value_index, I, "index", t);
        near(r->unit_value_index_se, I * se, "se", t);
        near(r->unit_value_index_lo, I * exp(-tq * se), "lo", t);
        near(r->unit_value_index_hi, I * exp(tq * se), "hi", t);
        /* implicit volume: value = volume x unit value */
        near(r->volume_index * r->unit_value_index / 100, r->value_index, "volume", t);
    }
}

Test(hedonic, time_dummy_equals_ols_of_the_contracts_with_standard_errors)
{
    int nt = 5;
    make_rows(nt, 1500, 11);
    double lnI[8], var[8], df;
    reference_fit(nt, -1, 0, lnI, var, &df);
    tix_index_opts o;
    td_opts(&o, 0);
    tix_cube *c = cube_of(1, 0, 0);
    tix_index *ix = td_index(c, &o);
    cr_assert_eq(ix->nrows, (size_t)nt);
    check_against_reference(ix, nt, lnI, var, df, 0, 0.95);
    /* amounts of 0: out of the regression, counted, in the contracts */
    uint64_t zeros[8] = {0}, all[8] = {0};
    for (size_t i = 0; i < nrows; i++) {
        zeros[rows[i].t] += rows[i].cents == 0;
        all[rows[i].t]++;
    }
    for (int t = 0; t < nt; t++) {
        cr_assert_eq(ix->rows[t].zero_amounts, zeros[t]);
        cr_assert_eq(ix->rows[t].contracts, all[t]);
        cr_assert_eq(ix->rows[t].aliased, 0);
        cr_assert(zeros[t] > 0);
    }
    tix_index_free(ix);
    /* Kennedy's adjustment, another level, another base */
    o.kennedy = 1;
    o.ci_level = 0.9;
    ix = td_index(c, &o);
    check_against_reference(ix, nt, lnI, var, df, 1, 0.9);
    tix_index_free(ix);
    tix_cube_free(c);
}

Test(hedonic, another_base_period_is_the_contrast_with_it)
{
    int nt = 4;
    make_rows(nt, 800, 5);
    double lnI[8], var[8], df;
    reference_fit(nt, -1, 0, lnI, var, &df);
    tix_index_opts o;
    td_opts(&o, 0);
    o.has_base = 1;
    o.base = tix_period_of_day(TIX_PERIOD_WEEK, day_of(2));
    tix_cube *c = cube_of(1, 0, 0);
    tix_index *ix = td_index(c, &o);
    cr_assert_eq(ix->base_row, 2);
    for (int t = 0; t < nt; t++) {
        const tix_index_row *r = &ix->rows[t];
        near(r->unit_value_index, 100 * exp(lnI[t] - lnI[2]), "index", t);
        if (t == 2)
            cr_assert_eq(r->unit_value_index_se, 0);
        else if (t == 0)
            near(r->unit_value_index_se, r->unit_value_index * sqrt(var[2]), "se", t);
    }
    tix_index_free(ix);
    tix_cube_free(c);
}

/* "y" only with "gamma" and "gamma" only with "y": the two dummies are
 * one column; the later one (y) is dropped and counted. A week whose
 * contracts all have a level of their own is not identified: empty, and
 * the other weeks are the fit without it. */
Test(hedonic, aliased_levels_are_dropped_and_unidentified_weeks_left_empty)
{
    int nt = 4;
    make_rows(nt, 900, 23);
    for (size_t i = 0; i < nrows; i++)
        rows[i].b = strcmp(rows[i].a, "gamma") == 0 ? "y" : "x";
    double lnI[8], var[8], df;
    reference_fit(nt, -1, 1, lnI, var, &df);
    tix_index_opts o;
    td_opts(&o, 0);
    tix_cube *c = cube_of(1, 0, 0);
    tix_index *ix = td_index(c, &o);
    check_against_reference(ix, nt, lnI, var, df, 0, 0.95);
    for (int t = 0; t < nt; t++)
        cr_assert_eq(ix->rows[t].aliased, 1, "week %d", t);
    tix_index_free(ix);
    tix_cube_free(c);
    /* week 4: only "delta", a level seen in no other week */
    for (int k = 0; k < 30; k++)
        rows[nrows++] = (contract){4, "delta", "x", 100000 + 1000 * k};
    reference_fit(nt, -1, 1, lnI, var, &df); /* weeks 0-3 */
    c = cube_of(1, 0, 0);
    ix = td_index(c, &o);
    cr_assert_eq(ix->nrows, 5);
    cr_assert(isnan(ix->rows[4].unit_value_index));
    cr_assert(isnan(ix->rows[4].unit_value_index_se));
    cr_assert(isfinite(ix->rows[4].value_index));
    /* week 4's own dummy fits it alone: the other weeks' estimates are
     * those without it (its spread only enters sigma2); y and delta are
     * the aliased levels */
    for (int t = 0; t < nt; t++) {
        near(ix->rows[t].unit_value_index, 100 * exp(lnI[t]), "index", t);
        cr_assert(isfinite(ix->rows[t].unit_value_index_se));
        cr_assert_eq(ix->rows[t].aliased, 2, "week %d", t);
    }
    tix_index_free(ix);
    tix_cube_free(c);
}

static void same_bits(const tix_index *a, const tix_index *b)
{
    cr_assert_eq(a->nrows, b->nrows);
    for (size_t t = 0; t < a->nrows; t++) {
        const tix_index_row *x = &a->rows[t], *y = &b->rows[t];
        double xs[] = {x->unit_value_index,    x->unit_value_index_se, x->unit_value_index_lo,
                       x->unit_value_index_hi, x->volume_index,        x->value_index};
        double ys[] = {y->unit_value_index,    y->unit_value_index_se, y->unit_value_index_lo,
                       y->unit_value_index_hi, y->volume_index,        y->value_index};
        cr_assert_eq(memcmp(xs, ys, sizeof xs), 0, "row %zu", t);
        cr_assert_eq(x->zero_amounts, y->zero_amounts);
    }
}

Test(hedonic, merged_halves_and_any_row_order_give_the_same_bits)
{
    make_rows(6, 2000, 99);
    tix_index_opts o;
    td_opts(&o, 4);
    o.splice = TIX_SPLICE_MEAN;
    tix_cube *whole = cube_of(1, 0, 0), *back = cube_of(1, 0, 1);
    tix_cube *h0 = cube_of(2, 0, 1), *h1 = cube_of(2, 1, 0);
    cr_assert_eq(tix_cube_merge(h1, h0), TIX_OK);
    /* the fixed-point statistics themselves: the same .tic bytes */
    size_t lw, lb, lm;
    char *bw = tt_tic_bytes(whole, &lw), *bb = tt_tic_bytes(back, &lb), *bm = tt_tic_bytes(h1, &lm);
    cr_assert(lw == lb && lw == lm);
    cr_assert_eq(memcmp(bw, bb, lw), 0);
    cr_assert_eq(memcmp(bw, bm, lw), 0);
    tix_index *a = td_index(whole, &o), *b = td_index(back, &o), *m = td_index(h1, &o);
    same_bits(a, b);
    same_bits(a, m);
    /* and a cube read back from its bytes */
    tix_cube *r;
    tix_tic_meta mr;
    char err[200] = "";
    tix_cube_opts ro;
    tix_cube_opts_init(&ro);
    cr_assert_eq(tix_tic_read_mem(bw, lw, &ro, &r, &mr, err, sizeof err), TIX_OK, "%s", err);
    tix_index *ir = td_index(r, &o);
    same_bits(a, ir);
    tix_index_free(ir);
    tix_cube_free(r);
    tix_tic_meta_free(&mr);
    free(bw);
    free(bb);
    free(bm);
    tix_index_free(a);
    tix_index_free(b);
    tix_index_free(m);
    tix_cube_free(whole);
    tix_cube_free(back);
    tix_cube_free(h0);
    tix_cube_free(h1);
}

/* A pair of 700,000 contracts of 10^10 yuan: the sum of its logs in the
 * cube's fixed point (2^40) passes 2^64, so its mean is divided in 128
 * bits, the others' in 64. Every amount doubles from week 0 to week 1, in
 * both cells, with no spread inside a pair: the index is 200 and its
 * standard error nearly 0. */
Test(hedonic, a_pair_whose_log_sum_passes_64_bits)
{
    cr_assert(700000.0 * log(1e12) * 0x1p40 > 0x1p64);
    tix_cube *c = new_cube();
    add_contracts(c, 0, "alpha", "x", 1000000000000, 700000);
    add_contracts(c, 0, "beta", "x", 3000000000000, 3);
    add_contracts(c, 1, "alpha", "x", 2000000000000, 2);
    add_contracts(c, 1, "beta", "x", 6000000000000, 3);
    tix_index_opts o;
    td_opts(&o, 2);
    o.splice = TIX_SPLICE_MOVEMENT;
    tix_index *ix = td_index(c, &o);
    cr_assert_eq(ix->nrows, 2);
    near(ix->rows[0].unit_value_index, 100, "index", 0);
    near(ix->rows[1].unit_value_index, 200, "index", 1);
    cr_assert(ix->rows[1].unit_value_index_se < 1e-6, "se %.17g", ix->rows[1].unit_value_index_se);
    tix_index_free(ix);
    tix_cube_free(c);
}

/* Two cells, one contract each a week: the two-week regression is the
 * mean of the cells' log changes, its residuals +-d/4 with d the
 * difference of those changes, sigma2 = d^2/4 on 1 degree of freedom and
 * var(delta) = sigma2. Window 2, movement splice: the series chains it. */
Test(hedonic, two_week_windows_by_hand)
{
    static const int64_t amt[3][2] = {{10000, 20000}, {11000, 23000}, {12000, 24000}};
    nrows = 0;
    for (int t = 0; t < 3; t++)
        for (int i = 0; i < 2; i++)
            rows[nrows++] = (contract){t, i ? "beta" : "alpha", "x", amt[t][i]};
    tix_index_opts o;
    td_opts(&o, 2);
    o.splice = TIX_SPLICE_MOVEMENT;
    tix_cube *c = cube_of(1, 0, 0);
    tix_index *ix = td_index(c, &o);
    double lev = 100, tq = gsl_cdf_tdist_Pinv(0.975, 1);
    for (int t = 1; t < 3; t++) {
        double da = log((double)amt[t][0] / (double)amt[t - 1][0]),
               db = log((double)amt[t][1] / (double)amt[t - 1][1]);
        lev *= exp((da + db) / 2);
        near(ix->rows[t].unit_value_index, lev, "index", t);
        /* se from the window [t-1, t], of week t against week t-1 (the base
         * is in it for t = 1 only; week t-1 is the window's first) */
        double sd = fabs(da - db) / 2;
        near(ix->rows[t].unit_value_index_se, lev * sd, "se", t);
        near(ix->rows[t].unit_value_index_hi, lev * exp(tq * sd), "hi", t);
    }
    tix_index_free(ix);
    tix_cube_free(c);
}

/* A weekly publication: computing one more week changes none of the
 * weeks already published, under every splice, for index and se. */
Test(hedonic, rolling_window_never_revises_published_weeks)
{
    int nt = 8;
    make_rows(nt, 2400, 3);
    for (int sp = TIX_SPLICE_MEAN; sp <= TIX_SPLICE_FBMW; sp++) {
        tix_index_opts o;
        td_opts(&o, 3);
        o.splice = (tix_splice)sp;
        o.kennedy = sp % 2;
        tix_cube *c = cube_of(1, 0, 0);
        tix_index *prev = NULL;
        for (int upto = 3; upto <= nt; upto++) {
            o.has_until = 1;
            o.until = tix_period_of_day(TIX_PERIOD_WEEK, day_of(upto - 1));
            tix_index *ix = td_index(c, &o);
            cr_assert_eq(ix->nrows, (size_t)upto);
            for (int t = 0; t < upto; t++)
                cr_assert(isfinite(ix->rows[t].unit_value_index) &&
                              isfinite(ix->rows[t].unit_value_index_se),
                          "splice %d week %d", sp, t);
            if (prev) {
                for (size_t t = 0; t < prev->nrows; t++) {
                    const tix_index_row *x = &prev->rows[t], *y = &ix->rows[t];
                    cr_assert_eq(x->unit_value_index, y->unit_value_index, "splice %d week %zu", sp,
                                 t);
                    cr_assert_eq(x->unit_value_index_se, y->unit_value_index_se);
                    cr_assert_eq(x->volume_index, y->volume_index);
                }
                tix_index_free(prev);
            }
            prev = ix;
        }
        tix_index_free(prev);
        tix_cube_free(c);
    }
}

/* Within one window the rolling method is the single regression. */
Test(hedonic, a_window_holding_every_week_is_the_single_regression)
{
    int nt = 4;
    make_rows(nt, 700, 8);
    double lnI[8], var[8], df;
    reference_fit(nt, -1, 0, lnI, var, &df);
    tix_index_opts o;
    td_opts(&o, 4);
    tix_cube *c = cube_of(1, 0, 0);
    tix_index *ix = td_index(c, &o);
    check_against_reference(ix, nt, lnI, var, df, 0, 0.95);
    tix_index_free(ix);
    tix_cube_free(c);
}

Test(hedonic, refusals_are_said)
{
    make_rows(3, 200, 4);
    tix_index_opts o;
    td_opts(&o, 0);
    o.hedonic = "buyer_region";
    tix_cube *c = cube_of(1, 0, 0);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    tix_index *ix;
    char err[200] = "";
    cr_assert_eq(tix_index_compute(c, &o, &ix, err, sizeof err), TIX_E_INVALID);
    cr_assert_str_eq(err, "`hedonic` buyer_region is not among the columns the cube keeps "
                          "(sector,contract_type; parts keep more with cube `hedonic`)");
    /* one characteristic: the fit over the other alone differs */
    o.hedonic = "contract_type";
    cr_assert_eq(tix_index_compute(c, &o, &ix, err, sizeof err), TIX_OK, "%s", err);
    tix_index_free(ix);
    tix_cube_free(c);
    /* a cube without the log statistics */
    tix_cube_opts co;
    tix_cube_opts_init(&co);
    cr_assert_eq(tix_cube_new(&c, &co), TIX_OK);
    cr_assert_eq(tix_cube_add(c, day_of(0), "s", 1, 100), TIX_OK);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    o.hedonic = NULL;
    cr_assert_eq(tix_index_compute(c, &o, &ix, err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "log statistics"), "%s", err);
    tix_cube_free(c);
}

/* A week whose contracts all have amount 0 has no value: the windows
 * holding it are undefined, their standard errors too (not those of an
 * earlier window), and its contracts are counted. */
Test(hedonic, a_week_without_value_leaves_its_windows_undefined)
{
    make_rows(4, 600, 17);
    for (size_t i = 0; i < nrows; i++)
        if (rows[i].t == 2)
            rows[i].cents = 0;
    tix_index_opts o;
    td_opts(&o, 2);
    o.splice = TIX_SPLICE_MOVEMENT;
    tix_cube *c = cube_of(1, 0, 0);
    tix_index *ix = td_index(c, &o);
    cr_assert(isfinite(ix->rows[1].unit_value_index_se));
    for (size_t t = 2; t < 4; t++) {
        cr_assert(isnan(ix->rows[t].unit_value_index), "week %zu", t);
        cr_assert(isnan(ix->rows[t].unit_value_index_se), "week %zu", t);
        cr_assert(isnan(ix->rows[t].unit_value_index_hi), "week %zu", t);
    }
    cr_assert_eq(ix->rows[2].zero_amounts, ix->rows[2].contracts);
    tix_index_free(ix);
    tix_cube_free(c);
}

/* A cube keyed by sector,contract_type whose cells are sector alone
 * (cell_dims 1): rows of levels a (the cells) and b (a characteristic). */
static tix_cube *cube_cells_a(size_t cell_dims, const char *by, int logs_stats)
{
    tix_cube *c;
    tix_cube_opts o;
    tix_cube_opts_init(&o);
    o.cell_stats = logs_stats;
    o.by = by;
    o.cell_dims = cell_dims;
    o.replicates = 5;
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    for (size_t i = 0; i < nrows; i++) {
        char cell[64], id[32];
        int len = strchr(by, ',') ? snprintf(cell, sizeof cell, "%s%c%s", rows[i].a,
                                             TIX_DIM_SEP, rows[i].b)
                                  : snprintf(cell, sizeof cell, "%s", rows[i].a);
        int il = snprintf(id, sizeof id, "C%05zu", i);
        cr_assert_eq(tix_cube_add_id(c, day_of(rows[i].t), cell, (size_t)len, rows[i].cents, id,
                                     (size_t)il),
                     TIX_OK);
    }
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    return c;
}

Test(hedonic, characteristics_beyond_the_cells_project_away_exactly)
{
    make_rows(6, 900, 31);
    int stats = TIX_CUBE_STATS | TIX_CUBE_STATS_LOGS;
    tix_cube *wide = cube_cells_a(1, "sector,contract_type", stats);
    tix_cube *narrow = cube_cells_a(0, "sector", stats);
    cr_assert_eq(tix_cube_cell_dims(wide), 1);
    cr_assert_eq(tix_cube_cell_dims(narrow), 1);
    cr_assert_eq(tix_cube_ncells(wide), 6);
    tix_cube *p = NULL;
    cr_assert_eq(tix_cube_project(wide, NULL, &p), TIX_OK);
    cr_assert_str_eq(tix_cube_by(p), "sector");
    size_t lp, ln;
    char *bp = tt_tic_bytes(p, &lp), *bn = tt_tic_bytes(narrow, &ln);
    cr_assert_eq(lp, ln);
    cr_assert_eq(memcmp(bp, bn, ln), 0, "the projection is the cube of the cells' rows");
    free(bp);
    free(bn);
    /* A .tic keeps the cells' count and reads back to the same bytes. */
    size_t lw;
    char *bw = tt_tic_bytes(wide, &lw);
    tix_cube *back = NULL;
    tix_tic_meta meta;
    char err[200] = "";
    tix_cube_opts ro;
    tix_cube_opts_init(&ro);
    cr_assert_eq(tix_tic_read_mem(bw, lw, &ro, &back, &meta, err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(meta.cell_dims, 1);
    tix_tic_meta_free(&meta);
    cr_assert_eq(tix_cube_finalize(back), TIX_OK);
    size_t lb;
    char *bb = tt_tic_bytes(back, &lb);
    cr_assert_eq(lb, lw);
    cr_assert_eq(memcmp(bb, bw, lw), 0);
    free(bb);
    free(bw);
    tix_cube_free(back);
    /* Merging refuses a cube of other cells. */
    tix_cube_opts o;
    tix_cube_opts_init(&o);
    o.cell_stats = stats;
    o.by = "sector,contract_type";
    o.replicates = 5;
    tix_cube *all = NULL;
    cr_assert_eq(tix_cube_new(&all, &o), TIX_OK);
    cr_assert_eq(tix_cube_merge(all, wide), TIX_E_INVALID);
    tix_cube_free(all);

    /* The time dummy on the wide cube regresses on both columns (as on a
     * cube whose cells are both) and publishes the cells of the first:
     * its rows are the narrow cube's with the wide regression's unit
     * values, and the jackknife agrees too. */
    tix_cube *both = cube_cells_a(0, "sector,contract_type", stats);
    tix_index_opts to;
    td_opts(&to, 0);
    to.ci = 1;
    tix_index *iw = td_index(wide, &to), *ib = td_index(both, &to);
    tix_index_opts fo;
    tix_index_opts_init(&fo);
    fo.method = TIX_METHOD_FISHER;
    tix_index *inar = td_index(narrow, &fo);
    cr_assert_not_null(iw->cells_cube);
    cr_assert_eq(tix_index_cube(iw, wide), iw->cells_cube);
    cr_assert_eq(tix_index_cube(ib, both), both);
    cr_assert_eq(iw->nrows, 6);
    for (size_t t = 0; t < iw->nrows; t++) {
        const tix_index_row *w = &iw->rows[t], *b = &ib->rows[t], *n = &inar->rows[t];
        cr_assert_eq(w->cells, n->cells, "cells are the sectors");
        cr_assert_eq(w->matched, n->matched);
        cr_assert_eq(w->contracts, b->contracts);
        cr_assert_eq(w->zero_amounts, b->zero_amounts);
        cr_assert_eq(w->value_index, b->value_index);
        cr_assert_eq(w->unit_value_index, b->unit_value_index, "week %zu", t);
        cr_assert_eq(w->unit_value_index_se, b->unit_value_index_se);
        cr_assert_eq(w->value_index_se, b->value_index_se);
        cr_assert_eq(w->significant, b->significant);
        cr_assert_eq(w->top_contract_share, n->top_contract_share);
        cr_assert(t == 0 || w->unit_value_index != n->unit_value_index);
    }
    /* Suppressing a sector in a week leaves its contracts out of the
     * regression: as the two-column cube with both its cells suppressed. */
    to.ci = 0;
    to.min_contracts = 50;
    tix_index *sw = td_index(wide, &to);
    size_t sup = 0;
    for (size_t t = 0; t < sw->nrows; t++)
        sup += sw->rows[t].suppressed;
    cr_assert_gt(sup, 0, "some sector-weeks have fewer than 50 contracts");
    /* The same regression from a cube of both columns holding only the
     * rows of the sector-weeks with 50 contracts or more. */
    size_t count[6][3] = {{0}};
    for (size_t i = 0; i < nrows; i++)
        count[rows[i].t][rows[i].a[0] == 'a' ? 0 : rows[i].a[0] == 'b' ? 1 : 2]++;
    tix_cube *kept;
    tix_cube_opts ko;
    tix_cube_opts_init(&ko);
    ko.cell_stats = stats;
    ko.by = "sector,contract_type";
    cr_assert_eq(tix_cube_new(&kept, &ko), TIX_OK);
    for (size_t i = 0; i < nrows; i++) {
        if (count[rows[i].t][rows[i].a[0] == 'a' ? 0 : rows[i].a[0] == 'b' ? 1 : 2] < 50)
            continue;
        char cell[64];
        int len = snprintf(cell, sizeof cell, "%s%c%s", rows[i].a, TIX_DIM_SEP, rows[i].b);
        cr_assert_eq(tix_cube_add(kept, day_of(rows[i].t), cell, (size_t)len, rows[i].cents),
                     TIX_OK);
    }
    tix_index_opts ko1 = to;
    ko1.min_contracts = 1;
    tix_index *ik = td_index(kept, &ko1);
    cr_assert_eq(ik->nrows, sw->nrows);
    for (size_t t = 0; t < sw->nrows; t++) {
        cr_assert_eq(sw->rows[t].unit_value_index, ik->rows[t].unit_value_index, "week %zu", t);
        cr_assert_eq(sw->rows[t].unit_value_index_se, ik->rows[t].unit_value_index_se);
        cr_assert_eq(sw->rows[t].zero_amounts, ik->rows[t].zero_amounts);
    }
    tix_index_free(ik);
    tix_cube_free(kept);
    tix_index_free(sw);
    tix_index_free(iw);
    tix_index_free(ib);
    tix_index_free(inar);
    tix_cube_free(both);
    tix_cube_free(p);
    tix_cube_free(wide);
    tix_cube_free(narrow);
}
