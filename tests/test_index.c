#include <criterion/criterion.h>
#include <gsl/gsl_multifit.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "techidx/index.h"
#include "index_internal.h"

/* The hand-checked example (README "Formulas"): two cells.
 *   period 0: A 2 contracts worth 200 (u 100), B 1 worth 300 (u 300)
 *   period 1: A 3 contracts worth 360 (u 120), B 2 worth 500 (u 250)
 * value 860/500; volume L 900/500, P 860/490; unit value L 490/500, P 860/900. */
static const double n0[] = {2, 1}, v0[] = {200, 300}, n1[] = {3, 2}, v1[] = {360, 500};
#define TOL 1e-12

static tix_links link_of(tix_method m)
{
    tix_links l;
    cr_assert_eq(tix_index_link(m, 2, n0, v0, n1, v1, &l), TIX_OK);
    cr_assert_float_eq(l.value, 860.0 / 500.0, TOL);
    return l;
}

Test(index, laspeyres_link)
{
    tix_links l = link_of(TIX_METHOD_LASPEYRES);
    cr_assert_float_eq(l.volume, 900.0 / 500.0, TOL);
    cr_assert_float_eq(l.unit_value, 490.0 / 500.0, TOL);
}

Test(index, paasche_link)
{
    tix_links l = link_of(TIX_METHOD_PAASCHE);
    cr_assert_float_eq(l.volume, 860.0 / 490.0, TOL);
    cr_assert_float_eq(l.unit_value, 860.0 / 900.0, TOL);
}

Test(index, fisher_link_and_factor_reversal)
{
    tix_links l = link_of(TIX_METHOD_FISHER);
    cr_assert_float_eq(l.volume, sqrt(900.0 / 500.0 * 860.0 / 490.0), TOL);
    cr_assert_float_eq(l.unit_value, sqrt(490.0 / 500.0 * 860.0 / 900.0), TOL);
    cr_assert_float_eq(l.volume, 1.777409258856662, TOL);
    cr_assert_float_eq(l.volume * l.unit_value, l.value, TOL);
}

Test(index, tornqvist_link)
{
    tix_links l = link_of(TIX_METHOD_TORNQVIST);
    double wa = 0.5 * (200.0 / 500.0 + 360.0 / 860.0), wb = 0.5 * (300.0 / 500.0 + 500.0 / 860.0);
    cr_assert_float_eq(l.volume, exp(wa * log(1.5) + wb * log(2.0)), TOL);
    cr_assert_float_eq(l.unit_value, exp(wa * log(1.2) + wb * log(250.0 / 300.0)), TOL);
    cr_assert_float_eq(l.volume, 1.7778383910311357, TOL);
    cr_assert_float_eq(l.unit_value, 0.9674686261120236, TOL);
}

Test(index, identical_periods_link_exactly_one)
{
    for (int m = 0; m <= TIX_METHOD_WALSH; m++) {
        tix_links l;
        cr_assert_eq(tix_index_link((tix_method)m, 2, n0, v0, n0, v0, &l), TIX_OK);
        cr_assert_eq(l.value, 1.0);
        cr_assert_float_eq(l.volume, 1.0, 1e-15, "%s", tix_method_name((tix_method)m));
        cr_assert_float_eq(l.unit_value, 1.0, 1e-15);
    }
}

Test(index, proportional_volume_change)
{
    /* Every cell doubles its contracts at unchanged unit values. */
    const double n2[] = {4, 2}, v2[] = {400, 600};
    for (int m = 0; m <= TIX_METHOD_WALSH; m++) {
        tix_links l;
        cr_assert_eq(tix_index_link((tix_method)m, 2, n0, v0, n2, v2, &l), TIX_OK);
        cr_assert_float_eq(l.volume, 2.0, 1e-14);
        cr_assert_float_eq(l.unit_value, 1.0, 1e-14);
    }
}

Test(index, undefined_links)
{
    tix_links l;
    cr_assert_eq(tix_index_link(TIX_METHOD_FISHER, 0, n0, v0, n1, v1, &l), TIX_E_NODATA);
    cr_assert(isnan(l.volume));
    const double z[] = {0, 0};
    cr_assert_eq(tix_index_link(TIX_METHOD_LASPEYRES, 2, n0, z, n1, v1, &l), TIX_E_NODATA);
    const double z1[] = {0, 300};
    /* A zero-value cell with weight in the unit-value Tornqvist: log of zero. */
    cr_assert_eq(tix_index_link(TIX_METHOD_TORNQVIST, 2, n0, v0, n1, z1, &l), TIX_E_NODATA);
}

/* --- chaining through a cube -------------------------------------------- */

static void add(tix_cube *c, int32_t week, const char *cell, int n, int64_t each)
{
    for (int i = 0; i < n; i++)
        cr_assert_eq(
            tix_cube_add(c, tix_period_first_day(TIX_PERIOD_WEEK, week), cell, strlen(cell), each),
            TIX_OK);
}

static tix_cube *example_cube(void)
{
    tix_cube *c;
    tix_cube_opts o = {TIX_PERIOD_WEEK, 0, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    /* weeks 100 and 101 as the example; 102 empty; 103 repeats 101 with C new. */
    add(c, 100, "A", 2, 100);
    add(c, 100, "B", 1, 300);
    add(c, 101, "A", 3, 120);
    add(c, 101, "B", 2, 250);
    add(c, 103, "A", 3, 120);
    add(c, 103, "B", 2, 250);
    add(c, 103, "C", 7, 1000);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    return c;
}

Test(index, opts_init_and_a_zeroed_struct_mean_the_same_methodology)
{
    tix_index_opts o, z;
    memset(&o, 0xa5, sizeof o);
    tix_index_opts_init(&o);
    memset(&z, 0, sizeof z);
    cr_assert_eq(o.method, TIX_METHOD_FISHER);
    cr_assert_eq(o.chain, TIX_CHAIN_CHAINED);
    cr_assert_eq(o.splice, TIX_SPLICE_MEAN);
    cr_assert_eq(o.min_contracts, 1);
    cr_assert_eq(o.has_base, 0);
    cr_assert_eq(o.window, 0);
    cr_assert_eq(o.winsorize, 0);
    cr_assert_eq(o.has_until, 0);
    tix_cube *c = example_cube();
    tix_index *a, *b;
    cr_assert_eq(tix_index_compute(c, &o, &a, NULL, 0), TIX_OK);
    cr_assert_eq(tix_index_compute(c, &z, &b, NULL, 0), TIX_OK);
    cr_assert_eq(a->nrows, b->nrows);
    for (size_t t = 0; t < a->nrows; t++) {
        cr_assert_eq(memcmp(&a->rows[t].value_index, &b->rows[t].value_index, sizeof(double)), 0);
        cr_assert_eq(memcmp(&a->rows[t].volume_index, &b->rows[t].volume_index, sizeof(double)), 0);
    }
    tix_index_free(a);
    tix_index_free(b);
    tix_cube_free(c);
}

Test(index, chain_from_first_period_across_a_gap)
{
    tix_cube *c = example_cube();
    tix_index *ix;
    tix_index_opts o = {.method = TIX_METHOD_FISHER};
    cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_OK);
    cr_assert_eq(ix->nrows, 3);
    cr_assert_eq(ix->base, 100);
    cr_assert_eq(ix->rows[0].value_index, 100.0);
    cr_assert(isnan(ix->rows[0].link.volume));
    cr_assert_eq(ix->rows[0].contracts, 3);
    cr_assert_eq(ix->rows[0].value, 500);
    double fv = 100 * sqrt(900.0 / 500.0 * 860.0 / 490.0);
    cr_assert_float_eq(ix->rows[1].volume_index, fv, 1e-10);
    cr_assert_float_eq(ix->rows[1].value_index, 172.0, 1e-10);
    /* Week 103 links to week 101 over the matched cells A, B only. */
    cr_assert_eq(ix->rows[2].period, 103);
    cr_assert_eq(ix->rows[2].matched, 2);
    cr_assert_eq(ix->rows[2].cells, 3);
    cr_assert_eq(ix->rows[2].value, 860 + 7000);
    cr_assert_float_eq(ix->rows[2].volume_index, fv, 1e-10);
    cr_assert_float_eq(ix->rows[2].value_index, 172.0, 1e-10);
    tix_index_free(ix);
    tix_cube_free(c);
}

Test(index, chain_backwards_from_a_later_base)
{
    tix_cube *c = example_cube();
    tix_index *ix;
    tix_index_opts o = {.method = TIX_METHOD_LASPEYRES, .has_base = 1, .base = 101};
    cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_OK);
    cr_assert_eq(ix->rows[1].volume_index, 100.0);
    cr_assert_float_eq(ix->rows[0].volume_index, 100.0 / 1.8, 1e-10);
    cr_assert_float_eq(ix->rows[0].unit_value_index, 100.0 / 0.98, 1e-10);
    cr_assert_float_eq(ix->rows[0].value_index, 100.0 / 1.72, 1e-10);
    tix_index_free(ix);
    tix_cube_free(c);
}

Test(index, base_without_data_is_an_error)
{
    tix_cube *c = example_cube();
    tix_index *ix = NULL;
    char err[128];
    tix_index_opts o = {.method = TIX_METHOD_FISHER, .has_base = 1, .base = 102};
    cr_assert_eq(tix_index_compute(c, &o, &ix, err, sizeof err), TIX_E_NODATA);
    cr_assert_null(ix);
    cr_assert(strstr(err, "has no data"), "%s", err);
    tix_cube_free(c);
}

Test(index, disjoint_cells_break_the_chain)
{
    tix_cube *c;
    tix_cube_opts co = {TIX_PERIOD_WEEK, 0, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &co), TIX_OK);
    add(c, 10, "A", 1, 100);
    add(c, 11, "B", 1, 100);
    add(c, 12, "B", 2, 100);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    tix_index *ix;
    tix_index_opts o = {.method = TIX_METHOD_FISHER};
    cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_OK);
    cr_assert_eq(ix->rows[1].matched, 0);
    cr_assert(isnan(ix->rows[1].volume_index));
    cr_assert(isnan(ix->rows[2].volume_index));
    tix_index_free(ix);
    tix_cube_free(c);
}

/* --- GEKS splices ---------------------------------------------------------- */

/* Three cells over six weeks: contracts n and unit values u (cents). */
#define SP_NT 6
#define SP_NC 3
static const int sp_n[SP_NT][SP_NC] = {{5, 3, 8},  {6, 2, 9}, {4, 5, 7},
                                       {7, 4, 10}, {5, 6, 6}, {8, 3, 11}};
static const int sp_u[SP_NT][SP_NC] = {{100, 200, 50}, {110, 190, 60}, {120, 230, 55},
                                       {105, 250, 70}, {130, 210, 65}, {125, 260, 80}};

static tix_cube *splice_cube(void)
{
    tix_cube *c;
    tix_cube_opts o = {TIX_PERIOD_WEEK, 0, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    static const char *const cells[] = {"A", "B", "C"};
    for (int t = 0; t < SP_NT; t++)
        for (int i = 0; i < SP_NC; i++)
            add(c, 200 + t, cells[i], sp_n[t][i], sp_u[t][i]);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    return c;
}

/* The Fisher price index of week b against week a, from its definition:
 * unit values as prices, contracts as quantities. */
static double fisher_price(int a, int b)
{
    double l1 = 0, l0 = 0, p1 = 0, p0 = 0;
    for (int i = 0; i < SP_NC; i++) {
        l1 += sp_n[a][i] * (double)sp_u[b][i];
        l0 += sp_n[a][i] * (double)sp_u[a][i];
        p1 += sp_n[b][i] * (double)sp_u[b][i];
        p0 += sp_n[b][i] * (double)sp_u[a][i];
    }
    return sqrt(l1 / l0 * (p1 / p0));
}

/* Textbook GEKS of b against a over the weeks s..e. */
static double geks_over(int s, int e, int a, int b)
{
    double x = 1;
    for (int l = s; l <= e; l++)
        x *= fisher_price(l, b) / fisher_price(l, a);
    return pow(x, 1.0 / (e - s + 1));
}

/* IndexNumR's splice factor on position k (0-based) of two windows of W
 * levels, R/splices.R: (new[W]/new[k]) / (old[W]/old[k+1]). */
static double factor_on(int W, const double *old, const double *nw, int k)
{
    return nw[W - 1] / nw[k] / (old[W - 1] / old[k + 1]);
}

/* The spliced series P (week 0 = 1), transcribed from R/geks.R of
 * IndexNumR 0.6.0: windows as vectors, pub the published levels. */
static void indexnumr_series(const char *splice, int W, double *P)
{
    double old[SP_NT], nw[SP_NT];
    for (int t = 0; t < W; t++)
        old[t] = P[t] = geks_over(0, W - 1, 0, t);
    for (int i = 1; i + W - 1 < SP_NT; i++) {
        int t = i + W - 1, base = (t - 1) / (W - 1) * (W - 1);
        int fbew = strcmp(splice, "fbew") == 0, first = fbew ? base : i, len = t - first + 1;
        for (int k = 0; k < len; k++)
            nw[k] = geks_over(first, t, first, first + k);
        /* window, half and mean splice on the previous window's own
         * levels, wisp, hasp and mean_pub on the published ones */
        int own = !strcmp(splice, "window") || !strcmp(splice, "half") || !strcmp(splice, "mean");
        const double *o = own ? old : P + i - 1;
        double f = 1;
        if (fbew)
            P[t] = P[base] * nw[len - 1];
        else if (!strcmp(splice, "fbmw"))
            P[t] = P[base] * nw[W - 1] / nw[W - 1 - (t - base)];
        else if (!strcmp(splice, "movement"))
            P[t] = P[t - 1] * factor_on(W, o, nw, W - 2);
        else if (!strcmp(splice, "window") || !strcmp(splice, "wisp"))
            P[t] = P[t - 1] * factor_on(W, o, nw, 0);
        else if (!strcmp(splice, "half") || !strcmp(splice, "hasp"))
            P[t] = P[t - 1] * factor_on(W, o, nw, (W - 1) / 2); /* R: (W-1)/2+1, truncated */
        else {                                                  /* mean, mean_pub */
            for (int k = 0; k < W - 1; k++)
                f *= factor_on(W, o, nw, k);
            P[t] = P[t - 1] * pow(f, 1.0 / (W - 1));
        }
        if (!fbew)
            memcpy(old, nw, (size_t)W * sizeof *old);
    }
}

Test(index, each_splice_equals_indexnumr_s_definition_by_hand)
{
    tix_cube *c = splice_cube();
    for (int W = 3; W <= 4; W++)
        for (int sp = TIX_SPLICE_MEAN; sp <= TIX_SPLICE_FBMW; sp++) {
            const char *name = tix_splice_name((tix_splice)sp);
            double P[SP_NT];
            indexnumr_series(name, W, P);
            tix_index *ix;
            tix_index_opts o = {
                .method = TIX_METHOD_GEKS_FISHER, .window = (size_t)W, .splice = (tix_splice)sp};
            cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_OK);
            cr_assert_eq(ix->nrows, SP_NT);
            for (int t = 0; t < SP_NT; t++)
                cr_assert_float_eq(ix->rows[t].unit_value_index / 100, P[t], 1e-12 * P[t],
                                   "%s W=%d week %d: %.15g, by hand %.15g", name, W, t,
                                   ix->rows[t].unit_value_index / 100, P[t]);
            tix_index_free(ix);
        }
    tix_cube_free(c);
}

Test(index, splices_on_the_previous_window_differ_from_those_on_the_published_series)
{
    /* The first splice joins the first window, which is what was
     * published; from the second on, window and wisp part. */
    double win[SP_NT], wisp[SP_NT], half[SP_NT], hasp[SP_NT], mean[SP_NT], mpub[SP_NT];
    indexnumr_series("window", 3, win);
    indexnumr_series("wisp", 3, wisp);
    indexnumr_series("half", 4, half);
    indexnumr_series("hasp", 4, hasp);
    indexnumr_series("mean", 3, mean);
    indexnumr_series("mean_pub", 3, mpub);
    cr_assert_float_eq(win[3], wisp[3], 1e-15);
    cr_assert(fabs(win[5] / wisp[5] - 1) > 1e-5, "%.15g %.15g", win[5], wisp[5]);
    cr_assert(fabs(half[5] / hasp[5] - 1) > 1e-5, "%.15g %.15g", half[5], hasp[5]);
    cr_assert(fabs(mean[5] / mpub[5] - 1) > 1e-5, "%.15g %.15g", mean[5], mpub[5]);
}

Test(index, fbew_over_the_first_window_is_textbook_geks_from_its_base)
{
    /* W = 3: bases 0, 2, 4; week 4 is GEKS over weeks 2..4 times week 2. */
    tix_cube *c = splice_cube();
    tix_index *ix;
    tix_index_opts o = {.method = TIX_METHOD_GEKS_FISHER, .window = 3, .splice = TIX_SPLICE_FBEW};
    cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_OK);
    double p2 = geks_over(0, 2, 0, 2);
    cr_assert_float_eq(ix->rows[2].unit_value_index / 100, p2, 1e-12);
    cr_assert_float_eq(ix->rows[3].unit_value_index / 100, p2 * fisher_price(2, 3), 1e-12);
    cr_assert_float_eq(ix->rows[4].unit_value_index / 100, p2 * geks_over(2, 4, 2, 4), 1e-12);
    cr_assert_float_eq(ix->rows[5].unit_value_index / 100,
                       p2 * geks_over(2, 4, 2, 4) * fisher_price(4, 5), 1e-12);
    tix_index_free(ix);
    tix_cube_free(c);
}

Test(index, splice_names)
{
    static const char *const names[] = {"mean", "movement", "window", "half", "wisp",
                                        "hasp", "mean_pub", "fbew",   "fbmw"};
    for (int sp = 0; sp < 9; sp++) {
        tix_splice s;
        cr_assert_str_eq(tix_splice_name((tix_splice)sp), names[sp]);
        cr_assert_eq(tix_splice_parse(names[sp], &s), TIX_OK);
        cr_assert_eq(s, sp);
    }
    tix_splice s;
    cr_assert_eq(tix_splice_parse("mean-pub", &s), TIX_E_INVALID);
    cr_assert_str_eq(tix_splice_name((tix_splice)9), "?");
}

Test(index, empty_cube)
{
    tix_cube *c;
    tix_cube_opts co = {TIX_PERIOD_WEEK, 0, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &co), TIX_OK);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    tix_index *ix;
    tix_index_opts o = {.method = TIX_METHOD_FISHER};
    cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_E_NODATA);
    tix_cube_free(c);
}

Test(index, method_names)
{
    tix_method m;
    cr_assert_eq(tix_method_parse("tornqvist", &m), TIX_OK);
    cr_assert_eq(m, TIX_METHOD_TORNQVIST);
    cr_assert_eq(tix_method_parse("walsh", &m), TIX_OK);
    cr_assert_eq(m, TIX_METHOD_WALSH);
    cr_assert_eq(tix_method_parse("geks-tornqvist", &m), TIX_OK);
    cr_assert_eq(m, TIX_METHOD_GEKS_TORNQVIST);
    cr_assert_eq(tix_method_parse("geks", &m), TIX_E_INVALID);
    cr_assert_str_eq(tix_method_name((tix_method)99), "?");
    cr_assert_str_eq(tix_method_name(TIX_METHOD_PAASCHE), "paasche");
}

/* --- the price-index methods -------------------------------------------- */

/* The hand-worked case: cells A, B, C over weeks 200..202, C missing in
 * week 201 (unmatched in both chained links, matched in the fixed one).
 *   week 200: A 2 x 100, B 1 x 300, C 4 x 50
 *   week 201: A 4 x 150, B 2 x 240
 *   week 202: A 1 x 120, B 3 x 360, C 2 x 75 */
static tix_cube *price_cube(void)
{
    tix_cube *c;
    tix_cube_opts o = {TIX_PERIOD_WEEK, 0, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    add(c, 200, "A", 2, 100);
    add(c, 200, "B", 1, 300);
    add(c, 200, "C", 4, 50);
    add(c, 201, "A", 4, 150);
    add(c, 201, "B", 2, 240);
    add(c, 202, "A", 1, 120);
    add(c, 202, "B", 3, 360);
    add(c, 202, "C", 2, 75);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    return c;
}

static const tix_method price_methods[] = {TIX_METHOD_JEVONS,
                                           TIX_METHOD_DUTOT,
                                           TIX_METHOD_CARLI,
                                           TIX_METHOD_HARMONIC,
                                           TIX_METHOD_GEOMETRIC_LASPEYRES,
                                           TIX_METHOD_GEOMETRIC_PAASCHE,
                                           TIX_METHOD_SATO_VARTIA,
                                           TIX_METHOD_TPD};
#define NPRICE (sizeof price_methods / sizeof price_methods[0])

/* Bilateral TPD by brute force: the weighted regression of ln u on an
 * intercept, the time dummy and k - 1 cell dummies (2k rows), weights the
 * mean value shares on both rows of a cell, GSL's least squares; then
 * Kennedy's adjustment exp(delta - var(delta) / 2), var from the weighted
 * residuals with 2k - (k + 1) degrees of freedom, as R's lm and vcov. */
static double tpd_by_regression(size_t k, const double *u0, const double *u1, const double *e0,
                                const double *e1)
{
    size_t n = 2 * k, p = k + 1;
    double s0 = 0, s1 = 0;
    for (size_t i = 0; i < k; i++)
        s0 += e0[i], s1 += e1[i];
    gsl_matrix *X = gsl_matrix_calloc(n, p), *cov = gsl_matrix_alloc(p, p);
    gsl_vector *y = gsl_vector_alloc(n), *w = gsl_vector_alloc(n), *b = gsl_vector_alloc(p);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, p);
    for (size_t t = 0; t < 2; t++)
        for (size_t i = 0; i < k; i++) {
            size_t r = t * k + i;
            gsl_matrix_set(X, r, 0, 1.0);
            gsl_matrix_set(X, r, 1, (double)t);
            if (i > 0)
                gsl_matrix_set(X, r, 1 + i, 1.0);
            gsl_vector_set(y, r, log(t ? u1[i] : u0[i]));
            gsl_vector_set(w, r, 0.5 * (e0[i] / s0 + e1[i] / s1));
        }
    double chisq;
    cr_assert_eq(gsl_multifit_wlinear(X, w, y, b, cov, &chisq, ws), 0);
    double var = chisq / (double)(n - p) * gsl_matrix_get(cov, 1, 1);
    double res = exp(gsl_vector_get(b, 1) - 0.5 * var);
    gsl_multifit_linear_free(ws);
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(y);
    gsl_vector_free(w);
    gsl_vector_free(b);
    return res;
}

/* The definitions written out, for checking the library on the cube. */
static double ref_price(tix_method m, size_t k, const double *u0, const double *u1,
                        const double *e0, const double *e1)
{
    double s0 = 0, s1 = 0, a = 0, b = 0, lw = 0, sw = 0;
    for (size_t i = 0; i < k; i++)
        s0 += e0[i], s1 += e1[i];
    for (size_t i = 0; i < k; i++) {
        double r = u1[i] / u0[i], x0 = e0[i] / s0, x1 = e1[i] / s1, wt;
        a += u0[i], b += u1[i];
        switch (m) {
        case TIX_METHOD_CARLI:
            lw += r;
            continue;
        case TIX_METHOD_HARMONIC:
            lw += 1 / r;
            continue;
        case TIX_METHOD_JEVONS:
            wt = 1;
            break;
        case TIX_METHOD_GEOMETRIC_LASPEYRES:
            wt = x0;
            break;
        case TIX_METHOD_GEOMETRIC_PAASCHE:
            wt = x1;
            break;
        case TIX_METHOD_SATO_VARTIA:
            wt = (x1 - x0) / (log(x1) - log(x0));
            break;
        default:
            continue;
        }
        lw += wt * log(r);
        sw += wt;
    }
    switch (m) {
    case TIX_METHOD_DUTOT:
        return (b / (double)k) / (a / (double)k);
    case TIX_METHOD_CARLI:
        return lw / (double)k;
    case TIX_METHOD_HARMONIC:
        return (double)k / lw;
    case TIX_METHOD_TPD:
        return tpd_by_regression(k, u0, u1, e0, e1);
    default:
        return exp(lw / sw);
    }
}

Test(index, price_methods_hand_worked_link)
{
    /* Week 200 -> 201 over A, B: relatives 1.5 and 0.8, value shares
     * 2/5, 3/5 and 5/9, 4/9. */
    const double n0p[] = {2, 1}, v0p[] = {200, 300}, n1p[] = {4, 2}, v1p[] = {600, 480};
    double la = (5.0 / 9 - 0.4) / log((5.0 / 9) / 0.4), lb = (4.0 / 9 - 0.6) / log((4.0 / 9) / 0.6);
    double aa = 0.5 * (0.4 + 5.0 / 9), ab = 0.5 * (0.6 + 4.0 / 9);
    double delta = aa * log(1.5) + ab * log(0.8);
    /* one residual degree of freedom: var = sum a (d - delta)^2 / 1 */
    double var = aa * pow(log(1.5) - delta, 2) + ab * pow(log(0.8) - delta, 2);
    const double want[NPRICE] = {
        sqrt(1.5 * 0.8),
        390.0 / 400.0,
        (1.5 + 0.8) / 2,
        24.0 / 23.0, /* 2 / (2/3 + 5/4) */
        pow(1.5, 0.4) * pow(0.8, 0.6),
        pow(1.5, 5.0 / 9) * pow(0.8, 4.0 / 9),
        exp((la * log(1.5) + lb * log(0.8)) / (la + lb)),
        exp(delta - 0.5 * var),
    };
    const double u0[] = {100, 300}, u1[] = {150, 240};
    for (size_t j = 0; j < NPRICE; j++) {
        tix_method m = price_methods[j];
        tix_links l;
        cr_assert_eq(tix_index_link(m, 2, n0p, v0p, n1p, v1p, &l), TIX_OK);
        cr_assert_float_eq(l.value, 1080.0 / 500.0, 1e-15);
        cr_assert_float_eq(l.unit_value, want[j], 1e-14 * want[j], "%s: %.17g, want %.17g",
                           tix_method_name(m), l.unit_value, want[j]);
        /* the implicit volume */
        cr_assert_float_eq(l.volume, l.value / want[j], 1e-14 * l.volume, "%s", tix_method_name(m));
        /* and the test's own definitions agree with the hand arithmetic */
        double r = ref_price(m, 2, u0, u1, v0p, v1p);
        cr_assert_float_eq(r, want[j], 1e-13 * want[j], "%s ref %.17g", tix_method_name(m), r);
    }
}

Test(index, tpd_closed_form_equals_the_dummy_regression)
{
    /* Five cells, IndexNumR's default average-share weights and bias
     * adjustment: the library's closed form against GSL's regression. */
    const double n0p[] = {3, 1, 7, 2, 5}, v0p[] = {300, 450, 700, 90, 1250};
    const double n1p[] = {2, 4, 6, 2, 1}, v1p[] = {260, 1500, 720, 110, 300};
    double u0[5], u1[5];
    for (int i = 0; i < 5; i++)
        u0[i] = v0p[i] / n0p[i], u1[i] = v1p[i] / n1p[i];
    tix_links l;
    cr_assert_eq(tix_index_link(TIX_METHOD_TPD, 5, n0p, v0p, n1p, v1p, &l), TIX_OK);
    double want = tpd_by_regression(5, u0, u1, v0p, v1p);
    cr_assert_float_eq(l.unit_value, want, 1e-13 * want, "%.17g vs %.17g", l.unit_value, want);
    /* One cell: no residual degree of freedom, undefined (IndexNumR: NA). */
    cr_assert_eq(tix_index_link(TIX_METHOD_TPD, 1, n0p, v0p, n1p, v1p, &l), TIX_E_NODATA);
}

Test(index, price_methods_chained_and_fixed)
{
    tix_cube *c = price_cube();
    /* chained: 200 -> 201 and 201 -> 202 over A, B; fixed: 200 -> 202 over A, B, C */
    const double ua[] = {100, 300}, va[] = {200, 300}, ub[] = {150, 240}, vb[] = {600, 480};
    const double uc[] = {120, 360}, vc[] = {120, 1080};
    const double u0[] = {100, 300, 50}, v0x[] = {200, 300, 200};
    const double u2[] = {120, 360, 75}, v2[] = {120, 1080, 150};
    for (size_t j = 0; j < NPRICE; j++) {
        tix_method m = price_methods[j];
        const char *name = tix_method_name(m);
        double p1 = ref_price(m, 2, ua, ub, va, vb), p2 = ref_price(m, 2, ub, uc, vb, vc);
        double pf = ref_price(m, 3, u0, u2, v0x, v2);
        tix_index *ch, *fx;
        tix_index_opts o = {.method = m};
        cr_assert_eq(tix_index_compute(c, &o, &ch, NULL, 0), TIX_OK);
        o.chain = TIX_CHAIN_FIXED;
        cr_assert_eq(tix_index_compute(c, &o, &fx, NULL, 0), TIX_OK);
        cr_assert_eq(ch->nrows, 3);
        cr_assert_eq(ch->rows[1].matched, 2);
        cr_assert_eq(ch->rows[2].matched, 2);
        cr_assert_eq(fx->rows[2].matched, 3);
        cr_assert_float_eq(ch->rows[1].unit_value_index, 100 * p1, 1e-12 * 100 * p1, "%s", name);
        cr_assert_float_eq(ch->rows[2].unit_value_index, 100 * p1 * p2, 1e-12 * 100 * p1 * p2, "%s",
                           name);
        cr_assert_float_eq(fx->rows[1].unit_value_index, 100 * p1, 1e-12 * 100 * p1, "%s", name);
        cr_assert_float_eq(fx->rows[2].unit_value_index, 100 * pf, 1e-12 * 100 * pf, "%s", name);
        /* the implicit volume: value over unit value, chained and fixed */
        double vch = 100 * (1080.0 / 500) * (1200.0 / 1080), vfx = 100 * 1350.0 / 700;
        cr_assert_float_eq(ch->rows[2].value_index, vch, 1e-12 * vch);
        cr_assert_float_eq(fx->rows[2].value_index, vfx, 1e-12 * vfx);
        cr_assert_float_eq(ch->rows[2].volume_index * ch->rows[2].unit_value_index / 100, vch,
                           1e-12 * vch, "%s", name);
        cr_assert_float_eq(fx->rows[2].volume_index * fx->rows[2].unit_value_index / 100, vfx,
                           1e-12 * vfx, "%s", name);
        tix_index_free(ch);
        tix_index_free(fx);
    }
    tix_cube_free(c);
}

Test(index, price_methods_contributions_add_up)
{
    tix_cube *c = price_cube();
    tix_contribution out[3];
    size_t n;
    for (size_t j = 0; j < NPRICE; j++) {
        tix_method m = price_methods[j];
        tix_index *ix;
        tix_index_opts o = {.method = m};
        cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_OK);
        for (size_t t = 1; t < ix->nrows; t++) {
            tix_status st = tix_index_contributions(ix, t, out, &n);
            if (m == TIX_METHOD_TPD) { /* the bias adjustment belongs to no cell */
                cr_assert_eq(st, TIX_E_INVALID);
                cr_assert_eq(n, 0);
                continue;
            }
            cr_assert_eq(st, TIX_OK, "%s", tix_method_name(m));
            cr_assert_eq(n, 2);
            double sv = 0, sq = 0, su = 0;
            for (size_t i = 0; i < n; i++)
                sv += out[i].value_pp, sq += out[i].volume_pp, su += out[i].unit_value_pp;
            const tix_links *l = &ix->rows[t].link;
            cr_assert_float_eq(sv, 100 * (l->value - 1), 1e-9, "%s", tix_method_name(m));
            cr_assert_float_eq(sq, 100 * (l->volume - 1), 1e-9, "%s", tix_method_name(m));
            cr_assert_float_eq(su, 100 * (l->unit_value - 1), 1e-9, "%s", tix_method_name(m));
        }
        tix_index_free(ix);
    }
    /* Carli by hand, week 200 -> 201: (1.5 - 1) / 2 and (0.8 - 1) / 2. */
    tix_index *ix;
    tix_index_opts o = {.method = TIX_METHOD_CARLI};
    cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_OK);
    cr_assert_eq(tix_index_contributions(ix, 1, out, &n), TIX_OK);
    cr_assert_float_eq(out[0].unit_value_pp, 25.0, 1e-12);
    cr_assert_float_eq(out[1].unit_value_pp, -10.0, 1e-12);
    tix_index_free(ix);
    tix_cube_free(c);
}

Test(index, price_methods_undefined_links)
{
    const double z1[] = {0, 300};
    tix_links l;
    /* a zero unit value under a log or a reciprocal */
    const tix_method logs[] = {TIX_METHOD_JEVONS, TIX_METHOD_HARMONIC,
                               TIX_METHOD_GEOMETRIC_LASPEYRES, TIX_METHOD_SATO_VARTIA,
                               TIX_METHOD_TPD};
    for (size_t j = 0; j < sizeof logs / sizeof logs[0]; j++)
        cr_assert_eq(tix_index_link(logs[j], 2, n0, v0, n1, z1, &l), TIX_E_NODATA, "%s",
                     tix_method_name(logs[j]));
    /* a zero share leaves geometric Paasche defined: B alone, (150/300)^1 */
    cr_assert_eq(tix_index_link(TIX_METHOD_GEOMETRIC_PAASCHE, 2, n0, v0, n1, z1, &l), TIX_OK);
    cr_assert_float_eq(l.unit_value, 0.5, 1e-15);
    /* Dutot and Carli stay defined: 300/2 / (100 + 300) and (0 + 150/300) / 2 */
    cr_assert_eq(tix_index_link(TIX_METHOD_DUTOT, 2, n0, v0, n1, z1, &l), TIX_OK);
    cr_assert_float_eq(l.unit_value, 150.0 / 400.0, 1e-15);
    cr_assert_eq(tix_index_link(TIX_METHOD_CARLI, 2, n0, v0, n1, z1, &l), TIX_OK);
    cr_assert_float_eq(l.unit_value, 0.25, 1e-15);
    cr_assert_eq(tix_index_link(TIX_METHOD_JEVONS, 0, n0, v0, n1, v1, &l), TIX_E_NODATA);
}

Test(index, price_method_names)
{
    const char *names[NPRICE] = {
        "jevons",      "dutot", "carli", "harmonic", "geometric-laspeyres", "geometric-paasche",
        "sato-vartia", "tpd"};
    for (size_t j = 0; j < NPRICE; j++) {
        tix_method m;
        cr_assert_str_eq(tix_method_name(price_methods[j]), names[j]);
        cr_assert_eq(tix_method_parse(names[j], &m), TIX_OK);
        cr_assert_eq(m, price_methods[j]);
        cr_assert_eq(tix_method_is_multilateral(m), 0);
        cr_assert_eq((int)m, 7 + (int)j); /* stored numbers: after the GEKS ones */
    }
}

/* --- the multilateral methods of 0.2.0 ---------------------------------- */

/* Three cells over four weeks, C missing in the second: contracts ml_n
 * (0: no data) and unit values ml_u (cents). */
#define ML_NT 4
#define ML_NC 3
static const int ml_n[ML_NT][ML_NC] = {{2, 1, 4}, {4, 2, 0}, {1, 3, 2}, {3, 2, 5}};
static const int ml_u[ML_NT][ML_NC] = {
    {100, 300, 50}, {150, 240, 0}, {120, 360, 75}, {110, 330, 60}};

static tix_cube *ml_cube(void)
{
    tix_cube *c;
    tix_cube_opts o = {TIX_PERIOD_WEEK, 0, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    static const char *const cells[] = {"A", "B", "C"};
    for (int t = 0; t < ML_NT; t++)
        for (int i = 0; i < ML_NC; i++)
            add(c, 300 + t, cells[i], ml_n[t][i], ml_u[t][i]);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    return c;
}

static double ml_v(int t, int i) { return (double)ml_n[t][i] * ml_u[t][i]; }

static double ml_total(int t)
{
    double s = 0;
    for (int i = 0; i < ML_NC; i++)
        s += ml_v(t, i);
    return s;
}

/* The bilateral price index of week b against week a over the cells in
 * both, from its definition (m: jevons, walsh or tpd without Kennedy's
 * adjustment, as GEKS takes them). */
static double ml_bilateral(tix_method m, int a, int b)
{
    double k = 0, lj = 0, wn = 0, wd = 0, sa = 0, sb = 0, lt = 0;
    for (int i = 0; i < ML_NC; i++)
        if (ml_n[a][i] && ml_n[b][i])
            sa += ml_v(a, i), sb += ml_v(b, i);
    for (int i = 0; i < ML_NC; i++) {
        if (!ml_n[a][i] || !ml_n[b][i])
            continue;
        double r = log((double)ml_u[b][i] / ml_u[a][i]), h = sqrt((double)ml_n[a][i] * ml_n[b][i]);
        k++;
        lj += r;
        wn += h * ml_u[b][i];
        wd += h * ml_u[a][i];
        lt += 0.5 * (ml_v(a, i) / sa + ml_v(b, i) / sb) * r;
    }
    return m == TIX_METHOD_JEVONS ? exp(lj / k) : m == TIX_METHOD_WALSH ? wn / wd : exp(lt);
}

static tix_index *ml_index(tix_method m, size_t window, tix_splice sp)
{
    tix_cube *c = ml_cube();
    tix_index *ix;
    tix_index_opts o;
    tix_index_opts_init(&o);
    o.method = m;
    o.window = window;
    o.splice = sp;
    cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_OK);
    cr_assert_eq(ix->nrows, ML_NT);
    tix_cube_free(c);
    return ix;
}

/* value = volume x unit value, the volume implicit; the value index the
 * window's cells' total value (here every cell, in one window). */
static void ml_implicit_volume(const tix_index *ix)
{
    for (int t = 0; t < ML_NT; t++) {
        const tix_index_row *r = &ix->rows[t];
        double v = 100 * ml_total(t) / ml_total(0);
        cr_assert_float_eq(r->volume_index * r->unit_value_index / 100, r->value_index,
                           1e-12 * r->value_index);
        if (ix->method == TIX_METHOD_GEARY_KHAMIS || ix->method == TIX_METHOD_WTPD)
            cr_assert_float_eq(r->value_index, v, 1e-12 * v);
    }
}

Test(index, geks_walsh_jevons_tpd_are_geometric_means_of_their_bilateral_comparisons)
{
    const tix_method geks[] = {TIX_METHOD_GEKS_WALSH, TIX_METHOD_GEKS_JEVONS, TIX_METHOD_GEKS_TPD};
    const tix_method bil[] = {TIX_METHOD_WALSH, TIX_METHOD_JEVONS, TIX_METHOD_TPD};
    for (int j = 0; j < 3; j++) {
        /* one window of all four weeks: GEKS(0 -> t) = prod_l [B(l, t) / B(l, 0)]^(1/4) */
        tix_index *ix = ml_index(geks[j], ML_NT, TIX_SPLICE_MEAN);
        for (int t = 0; t < ML_NT; t++) {
            double x = 1;
            for (int l = 0; l < ML_NT; l++)
                x *= ml_bilateral(bil[j], l, t) / ml_bilateral(bil[j], l, 0);
            x = 100 * pow(x, 1.0 / ML_NT);
            cr_assert_float_eq(ix->rows[t].unit_value_index, x, 1e-12 * x, "%s week %d",
                               tix_method_name(geks[j]), t);
        }
        if (bil[j] != TIX_METHOD_WALSH) /* Walsh's volume is its own quantity index */
            ml_implicit_volume(ix);
        tix_index_free(ix);
    }
}

Test(index, geary_khamis_satisfies_its_defining_equations)
{
    tix_index *ix = ml_index(TIX_METHOD_GEARY_KHAMIS, ML_NT, TIX_SPLICE_MEAN);
    /* b_i = sum_t q_it (p_it / P_t) / sum_t q_it from the index's P; then
     * sum_i p_it q_it / sum_i b_i q_it must give P back, up to its scale. */
    double P[ML_NT], b[ML_NC], back[ML_NT];
    for (int t = 0; t < ML_NT; t++)
        P[t] = ix->rows[t].unit_value_index;
    for (int i = 0; i < ML_NC; i++) {
        double num = 0, den = 0;
        for (int t = 0; t < ML_NT; t++) {
            num += ml_n[t][i] * (ml_u[t][i] / P[t]);
            den += ml_n[t][i];
        }
        b[i] = num / den;
    }
    for (int t = 0; t < ML_NT; t++) {
        double d = 0;
        for (int i = 0; i < ML_NC; i++)
            d += b[i] * ml_n[t][i];
        back[t] = ml_total(t) / d;
    }
    for (int t = 0; t < ML_NT; t++)
        cr_assert_float_eq(back[t] / back[0], P[t] / P[0], 1e-12 * P[t] / P[0], "week %d", t);
    ml_implicit_volume(ix);
    tix_index_free(ix);
}

Test(index, wtpd_satisfies_its_weighted_normal_equations)
{
    tix_index *ix = ml_index(TIX_METHOD_WTPD, ML_NT, TIX_SPLICE_MEAN);
    /* ln u_it = a_t + g_i, weights s_it the value shares (0 where missing).
     * With a_t = ln P_t, the cell equations give g_i = sum_t s (y - a) /
     * sum_t s; the time equations sum_i s_it (y_it - a_t - g_i) = 0 must
     * then hold (a constant in a moves into g and cancels). */
    double a[ML_NT], g[ML_NC], s[ML_NT][ML_NC];
    for (int t = 0; t < ML_NT; t++) {
        a[t] = log(ix->rows[t].unit_value_index / 100);
        for (int i = 0; i < ML_NC; i++)
            s[t][i] = ml_v(t, i) / ml_total(t);
    }
    for (int i = 0; i < ML_NC; i++) {
        double num = 0, den = 0;
        for (int t = 0; t < ML_NT; t++)
            if (ml_n[t][i]) {
                num += s[t][i] * (log(ml_u[t][i]) - a[t]);
                den += s[t][i];
            }
        g[i] = num / den;
    }
    for (int t = 0; t < ML_NT; t++) {
        double e = 0;
        for (int i = 0; i < ML_NC; i++)
            if (ml_n[t][i])
                e += s[t][i] * (log(ml_u[t][i]) - a[t] - g[i]);
        cr_assert(fabs(e) < 1e-12, "week %d: %g", t, e);
    }
    ml_implicit_volume(ix);
    tix_index_free(ix);
}

/* Over windows of two weeks, movement-spliced, both chain their two-period
 * solutions, which are bilateral formulas: Geary-Khamis the basket of the
 * harmonic means h = 2 q0 q1 / (q0 + q1) of the contracts (IndexNumR's
 * bilateral gk_t), WTPD the geometric mean of the relatives weighted by
 * s0 s1 / (s0 + s1) of the value shares (the cell equations give g_i, the
 * time equation then this); a cell missing in either week weighs 0. */
Test(index, two_week_windows_are_bilateral_geary_khamis_and_harmonic_share_tpd)
{
    tix_index *gk = ml_index(TIX_METHOD_GEARY_KHAMIS, 2, TIX_SPLICE_MOVEMENT);
    tix_index *wt = ml_index(TIX_METHOD_WTPD, 2, TIX_SPLICE_MOVEMENT);
    double lg = 100, lw = 100;
    for (int t = 1; t < ML_NT; t++) {
        double n = 0, d = 0, hs = 0, hd = 0;
        for (int i = 0; i < ML_NC; i++) {
            double q0 = ml_n[t - 1][i], q1 = ml_n[t][i];
            if (!q0 || !q1)
                continue;
            double h = 2 * q0 * q1 / (q0 + q1);
            n += h * ml_u[t][i];
            d += h * ml_u[t - 1][i];
            double s0 = ml_v(t - 1, i) / ml_total(t - 1), s1 = ml_v(t, i) / ml_total(t);
            double w = s0 * s1 / (s0 + s1);
            hs += w;
            hd += w * log((double)ml_u[t][i] / ml_u[t - 1][i]);
        }
        lg *= n / d;
        lw *= exp(hd / hs);
        cr_assert_float_eq(gk->rows[t].unit_value_index, lg, 1e-12 * lg, "week %d", t);
        cr_assert_float_eq(wt->rows[t].unit_value_index, lw, 1e-12 * lw, "week %d", t);
    }
    tix_index_free(gk);
    tix_index_free(wt);
}

Test(index, multilateral_method_names_and_no_contributions)
{
    const char *names[] = {"geks-walsh", "geks-jevons", "geks-tpd", "geary-khamis", "wtpd"};
    for (int j = 0; j < 5; j++) {
        tix_method m;
        cr_assert_eq(tix_method_parse(names[j], &m), TIX_OK);
        cr_assert_eq((int)m, 15 + j); /* appended: the stored numbers stay */
        cr_assert_str_eq(tix_method_name(m), names[j]);
        cr_assert_eq(tix_method_is_multilateral(m), 1);
        tix_links l;
        cr_assert_eq(tix_index_link(m, 2, n0, v0, n1, v1, &l), TIX_E_INVALID);
        tix_index *ix = ml_index(m, 3, TIX_SPLICE_MEAN);
        tix_contribution out[ML_NC];
        size_t n;
        cr_assert_eq(tix_index_contributions(ix, 1, out, &n), TIX_E_INVALID);
        tix_index_free(ix);
    }
}

/* ---- warnings: top_contract_share and unusual (index.h) ------------------ */

Test(index, top_contract_share_is_the_largest_contract_over_the_value)
{
    tix_cube *c = example_cube();
    tix_index_opts o;
    tix_index_opts_init(&o);
    tix_index *ix;
    char err[256];
    cr_assert_eq(tix_index_compute(c, &o, &ix, err, sizeof err), TIX_OK, "%s", err);
    /* week 100: 2 x 100 + 300 = 500, largest 300; 101: 3 x 120 + 2 x 250 =
     * 860, largest 250; 103: 860 + 7000, largest 1000. */
    cr_assert_eq(ix->rows[0].top_contract_share, 300.0 / 500.0);
    cr_assert_eq(ix->rows[1].top_contract_share, 250.0 / 860.0);
    cr_assert_eq(ix->rows[2].top_contract_share, 1000.0 / 7860.0);
    tix_index_free(ix);
    /* Winsorizing does not change it: it is of the raw amounts. */
    tix_cube *s;
    tix_cube_opts so = {TIX_PERIOD_WEEK, TIX_CUBE_STATS_SUMS, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&s, &so), TIX_OK);
    add(s, 100, "A", 9, 100);
    add(s, 100, "A", 1, 5000);
    add(s, 101, "A", 10, 100);
    cr_assert_eq(tix_cube_finalize(s), TIX_OK);
    o.winsorize = 0.8;
    cr_assert_eq(tix_index_compute(s, &o, &ix, err, sizeof err), TIX_OK, "%s", err);
    cr_assert_gt(ix->rows[0].capped, 0);
    cr_assert_eq(ix->rows[0].top_contract_share, 5000.0 / 5900.0);
    tix_index_free(ix);
    tix_cube_free(s);
    tix_cube_free(c);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Test(index, unusual_links_are_robust_outliers_against_the_links_before)
{
    /* One contract a week; its amount moves by small steps, then x12 in
     * week 40 and back in week 41. */
    static const double step[] = {1.10, 0.92, 1.04, 0.97, 1.06, 0.95, 1.02, 0.99};
    tix_cube *c;
    tix_cube_opts co = {TIX_PERIOD_WEEK, 0, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &co), TIX_OK);
    double v = 1e6, lnk[60];
    size_t n = 50;
    for (size_t t = 0; t < n; t++) {
        double f = t == 0 ? 1 : t == 40 ? 12 : t == 41 ? 1.0 / 12 : step[t % 8];
        v *= f;
        add(c, (int)(100 + t), "A", 1, (int64_t)llround(v));
    }
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    tix_index_opts o;
    tix_index_opts_init(&o);
    tix_index *ix;
    char err[256];
    cr_assert_eq(tix_index_compute(c, &o, &ix, err, sizeof err), TIX_OK, "%s", err);
    for (size_t t = 1; t < n; t++)
        lnk[t] = log(ix->rows[t].change);
    /* The rule by hand: the links before t (at most 26), their median m and
     * 1.4826 times the median of |x - m|. */
    size_t flagged = 0;
    for (size_t t = 1; t < n; t++) {
        size_t j = t - 1; /* links before t: rows 1..t-1 */
        int want = 0;
        if (j >= TIX_UNUSUAL_MIN) {
            size_t k = j < TIX_UNUSUAL_WINDOW ? j : TIX_UNUSUAL_WINDOW;
            double w[TIX_UNUSUAL_WINDOW], d[TIX_UNUSUAL_WINDOW];
            for (size_t i = 0; i < k; i++)
                w[i] = lnk[t - k + i];
            double m = median_of(w, k);
            for (size_t i = 0; i < k; i++)
                d[i] = fabs(w[i] - m);
            double s = 1.482602218505602 * median_of(d, k);
            want = s > 0 && fabs(lnk[t] - m) > TIX_UNUSUAL_Z * s;
        }
        cr_assert_eq(ix->rows[t].unusual, want, "week %zu: %d, by hand %d", t, ix->rows[t].unusual,
                     want);
        flagged += (size_t)want;
    }
    cr_assert(ix->rows[40].unusual && ix->rows[41].unusual, "the jump and its return");
    cr_assert_eq(flagged, 2);
    cr_assert_eq(ix->rows[0].unusual, 0);
    tix_index_free(ix);
    tix_cube_free(c);
}

/* --- GEKS against its recomputation, bit for bit ----------------------------- */

/* A random cube of GP_NT weeks over GP_NC cells, each cell present in a
 * week or not, some amounts 0, some weeks with one cell only (which some
 * other weeks cannot be compared with) and, near the end, one with a
 * cell of its own (which no other week can be compared with): some
 * comparisons are undefined, and so are the levels after that week. */
#define GP_NT 40
#define GP_NC 6

static tix_cube *geks_random_cube(uint64_t seed)
{
    tix_cube *c;
    tix_cube_opts o = {TIX_PERIOD_WEEK, 0, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    uint64_t s = seed;
    for (int t = 0; t < GP_NT; t++) {
        if (t == GP_NT - 3) {
            add(c, 300 + t, "own", 2, 5000);
            continue;
        }
        int only = tt_rng_next(&s) % 6 == 0 ? (int)(tt_rng_next(&s) % GP_NC) : -1;
        for (int i = 0; i < GP_NC; i++) {
            if (only >= 0 ? i != only : tt_rng_next(&s) % 4 == 0)
                continue;
            char cell[16];
            snprintf(cell, sizeof cell, "c%d", i);
            int n = 1 + (int)(tt_rng_next(&s) % 5);
            for (int k = 0; k < n; k++) {
                int64_t cents = tt_rng_next(&s) % 40 == 0
                                    ? 0
                                    : 100 * (i + 1) + (int64_t)(tt_rng_next(&s) % 5000);
                cr_assert_eq(tix_cube_add(c, tix_period_first_day(TIX_PERIOD_WEEK, 300 + t), cell,
                                          strlen(cell), cents),
                             TIX_OK);
            }
        }
    }
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    return c;
}

/* ln B(a, b), component comp, straight from the cube: the matched cells
 * of the two weeks through tix_index_link, NaN when undefined. */
static double ref_lnb(const tix_cube *c, tix_method bil, size_t a, size_t b, int comp)
{
    if (a == b)
        return log(1.0);
    size_t na, nb, k = 0;
    const tix_cube_entry *x = tix_cube_entries(c, a, &na), *y = tix_cube_entries(c, b, &nb);
    double q0[GP_NC], w0[GP_NC], q1[GP_NC], w1[GP_NC];
    for (size_t i = 0, j = 0; i < na && j < nb;) {
        if (x[i].cell < y[j].cell) {
            i++;
        } else if (x[i].cell > y[j].cell) {
            j++;
        } else {
            q0[k] = (double)x[i].n, w0[k] = (double)x[i].value;
            q1[k] = (double)y[j].n, w1[k] = (double)y[j].value;
            k++, i++, j++;
        }
    }
    tix_links l;
    if (tix_index_link(bil, k, q0, w0, q1, w1, &l) != TIX_OK)
        return NAN;
    return log(comp == 0 ? l.value : comp == 1 ? l.volume : l.unit_value);
}

__extension__ typedef __int128 ref_i128;

/* ln of GEKS's `to` over `from` in the weeks [s, e]: the mean of ln B(l,
 * to) - ln B(l, from) over the l where both are defined, summed exactly
 * as index.c defines it: each log in units of 2^-64 (truncated), in 128
 * bits, the sum rounded to a double once. */
static double ref_geks(const tix_cube *c, tix_method bil, size_t s, size_t e, size_t from,
                       size_t to, int comp)
{
    ref_i128 sum = 0;
    size_t m = 0;
    for (size_t l = s; l <= e; l++) {
        double t = ref_lnb(c, bil, l, to, comp), f = ref_lnb(c, bil, l, from, comp);
        if (isfinite(t) && isfinite(f)) {
            sum += (ref_i128)ldexp(t, 64) - (ref_i128)ldexp(f, 64);
            m++;
        }
    }
    return m ? ldexp((double)sum, -64) / (double)m : NAN;
}

/* The mean of the defined x[0..n). */
static double ref_mean(const double *x, size_t n)
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

/* The spliced ln levels of component comp (index.h's tix_splice), every
 * window's comparisons computed afresh from the cube. */
static void ref_series(const tix_cube *c, tix_method bil, tix_splice sp, size_t W, int comp,
                       double *L)
{
    size_t np = tix_cube_nperiods(c);
    L[0] = 0;
    for (size_t t = 1; t < W; t++)
        L[t] = ref_geks(c, bil, 0, W - 1, 0, t, comp);
    for (size_t T = W; T < np; T++) {
        size_t s = T + 1 - W, b = (T - 1) / (W - 1) * (W - 1);
        size_t h = sp == TIX_SPLICE_WINDOW || sp == TIX_SPLICE_WISP ? s : T - W / 2;
        double fac[GP_NT];
        switch (sp) {
        case TIX_SPLICE_MOVEMENT:
            L[T] = L[T - 1] + ref_geks(c, bil, s, T, T - 1, T, comp);
            break;
        case TIX_SPLICE_WINDOW:
        case TIX_SPLICE_HALF:
            L[T] = L[T - 1] + ref_geks(c, bil, s, T, h, T, comp) -
                   ref_geks(c, bil, s - 1, T - 1, h, T - 1, comp);
            break;
        case TIX_SPLICE_MEAN:
            for (size_t l = s; l < T; l++)
                fac[l - s] = ref_geks(c, bil, s, T, l, T, comp) -
                             ref_geks(c, bil, s - 1, T - 1, l, T - 1, comp);
            L[T] = L[T - 1] + ref_mean(fac, T - s);
            break;
        case TIX_SPLICE_WISP:
        case TIX_SPLICE_HASP:
            L[T] = L[h] + ref_geks(c, bil, s, T, h, T, comp);
            break;
        case TIX_SPLICE_MEAN_PUB:
            for (size_t l = s; l < T; l++)
                fac[l - s] = L[l] + ref_geks(c, bil, s, T, l, T, comp);
            L[T] = ref_mean(fac, T - s);
            break;
        case TIX_SPLICE_FBEW:
            L[T] = L[b] + ref_geks(c, bil, b, T, b, T, comp);
            break;
        default: /* fbmw */
            L[T] = L[b] + ref_geks(c, bil, s, T, b, T, comp);
            break;
        }
    }
}

/* Same doubles, NaN equal to NaN. */
static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

Test(index, geks_over_sliding_windows_is_its_recomputation_bit_for_bit)
{
    /* Not GEKS-TPD: under GEKS its bilateral TPD has no bias adjustment,
     * tix_index_link's has. */
    const tix_method geks[] = {TIX_METHOD_GEKS_FISHER, TIX_METHOD_GEKS_TORNQVIST,
                               TIX_METHOD_GEKS_WALSH, TIX_METHOD_GEKS_JEVONS};
    const tix_method bil[] = {TIX_METHOD_FISHER, TIX_METHOD_TORNQVIST, TIX_METHOD_WALSH,
                              TIX_METHOD_JEVONS};
    const size_t windows[] = {2, 3, 5, 8, 13};
    size_t undefined = 0, defined = 0;
    for (uint64_t seed = 1; seed <= 2; seed++) {
        tix_cube *c = geks_random_cube(seed);
        size_t np = tix_cube_nperiods(c);
        cr_assert_eq(np, GP_NT);
        for (size_t g = 0; g < sizeof geks / sizeof *geks; g++)
            for (size_t wi = 0; wi < sizeof windows / sizeof *windows; wi++)
                for (int sp = TIX_SPLICE_MEAN; sp <= TIX_SPLICE_FBMW; sp++) {
                    size_t W = windows[wi];
                    tix_index_opts o = {.method = geks[g], .window = W, .splice = (tix_splice)sp};
                    tix_index *ix;
                    cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_OK);
                    for (int comp = 0; comp < 3; comp++) {
                        double L[GP_NT];
                        ref_series(c, bil[g], (tix_splice)sp, W, comp, L);
                        for (size_t t = 0; t < np; t++) {
                            const tix_index_row *r = &ix->rows[t];
                            double got = comp == 0   ? r->value_index
                                         : comp == 1 ? r->volume_index
                                                     : r->unit_value_index;
                            double want = 100.0 * exp(L[t] - L[0]);
                            cr_assert(same_double(got, want),
                                      "%s %s W=%zu seed %d component %d week %zu: %.17g, "
                                      "recomputed %.17g",
                                      tix_method_name(geks[g]), tix_splice_name((tix_splice)sp), W,
                                      (int)seed, comp, t, got, want);
                            if (isfinite(want))
                                defined++;
                            else
                                undefined++;
                        }
                    }
                    tix_index_free(ix);
                }
        tix_cube_free(c);
    }
    /* The data leave some levels undefined and most not. */
    cr_assert_gt(undefined, 0);
    cr_assert_gt(defined, undefined, "%zu defined, %zu not", defined, undefined);
}

/* GEKS's comparisons computed ahead by helper threads, block after
 * block, give the series of one thread bit for bit: every GEKS method
 * and splice, cells under 64 (matched through masks) and over (merged),
 * windows of a few blocks and of more than one, periods with a lone cell
 * (undefined comparisons) and periods with one cell missing. */
static tix_cube *geks_long_cube(uint64_t seed, int nt, int nc)
{
    tix_cube *c;
    tix_cube_opts o = {TIX_PERIOD_WEEK, TIX_CUBE_STATS_LOGS, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    uint64_t s = seed;
    for (int t = 0; t < nt; t++) {
        if (t % 97 == 50) {
            add(c, 300 + t, "own", 2, 5000);
            continue;
        }
        for (int i = 0; i < nc; i++) {
            if (tt_rng_next(&s) % 5 == 0)
                continue;
            char cell[16];
            snprintf(cell, sizeof cell, "c%03d", i);
            add(c, 300 + t, cell, 1 + (int)(tt_rng_next(&s) % 4),
                100 * (i + 1) + (int64_t)(tt_rng_next(&s) % 5000));
        }
    }
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    return c;
}

/* The series of o on one thread, after checking that 2 and 5 threads
 * give it bit for bit (what: the case, for the messages). */
static tix_index *series_on_threads(const tix_cube *c, tix_index_opts o, const char *what)
{
    o.threads = 1;
    tix_index *one;
    cr_assert_eq(tix_index_compute(c, &o, &one, NULL, 0), TIX_OK);
    const unsigned threads[] = {2, 5};
    for (size_t h = 0; h < sizeof threads / sizeof *threads; h++) {
        o.threads = threads[h];
        tix_index *ix;
        cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_OK);
        cr_assert_eq(ix->nrows, one->nrows);
        for (size_t t = 0; t < one->nrows; t++) {
            const tix_index_row *a = &one->rows[t], *b = &ix->rows[t];
            cr_assert(same_double(a->value_index, b->value_index) &&
                          same_double(a->volume_index, b->volume_index) &&
                          same_double(a->unit_value_index, b->unit_value_index) &&
                          same_double(a->unit_value_index_se, b->unit_value_index_se) &&
                          same_double(a->unit_value_index_lo, b->unit_value_index_lo) &&
                          same_double(a->unit_value_index_hi, b->unit_value_index_hi) &&
                          same_double(a->link.volume, b->link.volume) &&
                          same_double(a->coverage, b->coverage) && a->matched == b->matched &&
                          a->aliased == b->aliased,
                      "%s %s %s, %u threads, week %zu: %.17g, one thread %.17g", what,
                      tix_method_name(o.method), tix_splice_name(o.splice), threads[h], t,
                      b->value_index, a->value_index);
        }
        tix_index_free(ix);
    }
    return one;
}

Test(index, geks_comparisons_computed_ahead_on_threads_give_the_series_of_one)
{
    const tix_method geks[] = {TIX_METHOD_GEKS_FISHER, TIX_METHOD_GEKS_TORNQVIST,
                               TIX_METHOD_GEKS_WALSH, TIX_METHOD_GEKS_JEVONS,
                               TIX_METHOD_GEKS_TPD};
    const struct {
        int nt, nc;
        size_t W;
        const char *what;
    } shapes[] = {{300, 6, 150, "6 cells"}, {200, 70, 150, "70 cells"}};
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
        tix_cube *c = geks_long_cube(7 + k, shapes[k].nt, shapes[k].nc);
        size_t np = tix_cube_nperiods(c), W = shapes[k].W;
        cr_assert_eq(np, (size_t)shapes[k].nt);
        cr_assert_geq(index_geks_blocks(W, np), 3, "blocks to share: %zu",
                      index_geks_blocks(W, np));
        size_t undefined = 0;
        for (size_t g = 0; g < sizeof geks / sizeof *geks; g++)
            for (int sp = TIX_SPLICE_MEAN; sp <= TIX_SPLICE_FBMW; sp++) {
                tix_index_opts o;
                tix_index_opts_init(&o);
                o.method = geks[g];
                o.window = W;
                o.splice = (tix_splice)sp;
                tix_index *one = series_on_threads(c, o, shapes[k].what);
                for (size_t t = 0; t < np; t++)
                    undefined += !isfinite(one->rows[t].link.value);
                tix_index_free(one);
            }
        cr_assert_gt(undefined, 0); /* the lone cells' weeks link to nothing */
        tix_cube_free(c);
    }
}

/* The solved methods' windows, solved ahead by helper threads in blocks
 * and copied out when asked, give the series of one thread bit for bit,
 * time-dummy's intervals and aliased counts too; fbew's windows are
 * solved when asked. */
Test(index, solved_windows_computed_ahead_on_threads_give_the_series_of_one)
{
    const tix_method solved[] = {TIX_METHOD_TIME_DUMMY, TIX_METHOD_GEARY_KHAMIS,
                                 TIX_METHOD_WTPD};
    tix_cube *c = geks_long_cube(11, 90, 6);
    size_t np = tix_cube_nperiods(c);
    for (size_t g = 0; g < sizeof solved / sizeof *solved; g++)
        for (int sp = TIX_SPLICE_MEAN; sp <= TIX_SPLICE_FBMW; sp++) {
            tix_index_opts o;
            tix_index_opts_init(&o);
            o.method = solved[g];
            o.window = 10;
            o.splice = (tix_splice)sp;
            tix_index *one = series_on_threads(c, o, "6 cells");
            size_t finite = 0;
            for (size_t t = 0; t < np; t++)
                finite += isfinite(one->rows[t].unit_value_index);
            cr_assert_gt(finite, np / 2, "%s %s: levels to compare", tix_method_name(solved[g]),
                         tix_splice_name((tix_splice)sp));
            tix_index_free(one);
        }
    tix_cube_free(c);
}

Test(index, fixed_logs_are_the_truncated_128_bit_conversion)
{
    /* Logs of every size a comparison gives, both signs, the tiny ones
     * (truncated) and the edges of the two parts included. */
    uint64_t seed = 17;
    size_t tiny = 0;
    for (int k = 0; k < 200000; k++) {
        double x;
        if (k < 12) {
            const double edge[] = {0.0, -0.0, 1.0, -1.0, 0x1p-12, -0x1p-12, 0x1p-70,
                                   745.0, -745.0, 0x1.fffffffffffffp-33, 709.78, -744.44};
            x = edge[k];
        } else {
            uint64_t r = tt_rng_next(&seed);
            x = ldexp((double)(r >> 11) * 0x1p-53, (int)(tt_rng_next(&seed) % 80) - 70);
            if (r & 1)
                x = -x;
        }
        tiny += fabs(x) < 0x1p-12;
        ref_i128 want = (ref_i128)(x * 0x1p64), got = index_fixed_log(x);
        cr_assert(got == want, "%a: %llx %llx, want %llx %llx", x,
                  (unsigned long long)(got >> 64), (unsigned long long)got,
                  (unsigned long long)(want >> 64), (unsigned long long)want);
    }
    cr_assert_gt(tiny, 10000);
}
