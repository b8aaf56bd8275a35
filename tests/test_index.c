#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "techidx/index.h"

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
    tix_cube_opts o = {TIX_PERIOD_WEEK, 0, 0, 0, NULL};
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
    tix_cube_opts co = {TIX_PERIOD_WEEK, 0, 0, 0, NULL};
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
    tix_cube_opts o = {TIX_PERIOD_WEEK, 0, 0, 0, NULL};
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
    tix_cube_opts co = {TIX_PERIOD_WEEK, 0, 0, 0, NULL};
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
