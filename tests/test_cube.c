#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes_internal.h"
#include "cube_internal.h"
#include "techidx/budget.h"
#include "techidx/cube.h"

static tix_cube *cube_new(tix_period_kind k, int stats)
{
    tix_cube *c;
    tix_cube_opts o = {k, stats, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    return c;
}

static void add(tix_cube *c, int y, int m, int d, const char *cell, int64_t cents)
{
    cr_assert_eq(tix_cube_add(c, tix_days_from_civil(y, m, d), cell, strlen(cell), cents), TIX_OK);
}

Test(cube, opts_init_is_weekly_with_the_default_limits)
{
    tix_cube_opts o;
    memset(&o, 0xa5, sizeof o);
    tix_cube_opts_init(&o);
    cr_assert_eq(o.period, TIX_PERIOD_WEEK);
    cr_assert_eq(o.cell_stats, 0);
    cr_assert_eq(o.max_cells, TIX_CUBE_MAX_CELLS);
    cr_assert_eq(o.max_pairs, TIX_CUBE_MAX_PAIRS);
    cr_assert_null(o.budget);
    tix_cube *c;
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    add(c, 2024, 3, 11, "a", 1); /* Monday and Sunday of 2024-W11 */
    add(c, 2024, 3, 17, "a", 2);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    cr_assert_eq(tix_cube_nperiods(c), 1);
    char label[TIX_PERIOD_LABEL_MAX];
    tix_period_label(tix_cube_period_kind(c), tix_cube_period(c, 0), label);
    cr_assert_str_eq(label, "2024-W11");
    tix_cube_free(c);
}

Test(cube, exact_sums_counts_and_sorted_views)
{
    tix_cube *c = cube_new(TIX_PERIOD_MONTH, 0);
    add(c, 2024, 2, 10, "zeta", 1);
    add(c, 2024, 1, 31, "beta", 100);
    add(c, 2024, 1, 1, "alpha", 250);
    add(c, 2024, 1, 15, "beta", INT64_MAX - 100);
    add(c, 2024, 2, 29, "alpha", 0);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    cr_assert_eq(tix_cube_ncells(c), 3);
    cr_assert_str_eq(tix_cube_cell_name(c, 0), "alpha");
    cr_assert_str_eq(tix_cube_cell_name(c, 2), "zeta");
    cr_assert_eq(tix_cube_nperiods(c), 2);
    cr_assert_eq(tix_cube_period(c, 0), 2024 * 12 + 0);
    cr_assert_eq(tix_cube_period(c, 1), 2024 * 12 + 1);
    size_t n;
    const tix_cube_entry *e = tix_cube_entries(c, 0, &n);
    cr_assert_eq(n, 2);
    cr_assert_eq(e[0].cell, 0);
    cr_assert_eq(e[0].n, 1);
    cr_assert_eq(e[0].value, 250);
    cr_assert_eq(e[1].cell, 1);
    cr_assert_eq(e[1].n, 2);
    cr_assert_eq(e[1].value, INT64_MAX);
    e = tix_cube_entries(c, 1, &n);
    cr_assert_eq(n, 2);
    cr_assert_eq(e[0].cell, 0);
    cr_assert_eq(e[0].value, 0);
    cr_assert_eq(e[1].cell, 2);
    tix_cube_free(c);
}

Test(cube, overflow_negative_and_after_finalize_are_refused)
{
    tix_cube *c = cube_new(TIX_PERIOD_YEAR, 0);
    add(c, 2024, 1, 1, "a", INT64_MAX);
    cr_assert_eq(tix_cube_add(c, tix_days_from_civil(2024, 5, 1), "a", 1, 1), TIX_E_OVERFLOW);
    cr_assert_eq(tix_cube_add(c, tix_days_from_civil(2024, 5, 1), "a", 1, -1), TIX_E_INVALID);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    cr_assert_eq(tix_cube_add(c, tix_days_from_civil(2024, 5, 1), "a", 1, 1), TIX_E_INVALID);
    size_t n;
    cr_assert_eq(tix_cube_entries(c, 0, &n)[0].value, INT64_MAX);
    tix_cube_free(c);
}

Test(cube, limits_on_cells_and_pairs)
{
    tix_cube *c;
    tix_cube_opts o = {TIX_PERIOD_DAY, 0, 2, 3, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    cr_assert_eq(tix_cube_add(c, 0, "a", 1, 1), TIX_OK);
    cr_assert_eq(tix_cube_add(c, 0, "b", 1, 1), TIX_OK);
    cr_assert_eq(tix_cube_add(c, 0, "c", 1, 1), TIX_E_LIMIT);
    cr_assert_eq(tix_cube_add(c, 1, "a", 1, 1), TIX_OK);
    cr_assert_eq(tix_cube_add(c, 2, "a", 1, 1), TIX_E_LIMIT);
    cr_assert_eq(tix_cube_add(c, 1, "a", 1, 1), TIX_OK); /* existing pairs still take rows */
    tix_cube_free(c);
}

Test(cube, many_cells_and_periods_survive_rehashing)
{
    tix_cube *c = cube_new(TIX_PERIOD_DAY, 0);
    char name[16];
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof name, "cell%04d", i % 700);
        cr_assert_eq(tix_cube_add(c, i % 53, name, strlen(name), i), TIX_OK);
    }
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    cr_assert_eq(tix_cube_ncells(c), 700);
    uint64_t n = 0;
    int64_t v = 0;
    for (size_t p = 0; p < tix_cube_nperiods(c); p++) {
        size_t ne;
        const tix_cube_entry *e = tix_cube_entries(c, p, &ne);
        for (size_t k = 0; k < ne; k++) {
            n += e[k].n;
            v += e[k].value;
            if (k)
                cr_assert_lt(e[k - 1].cell, e[k].cell);
        }
    }
    cr_assert_eq(n, 3000);
    cr_assert_eq(v, 2999 * 3000 / 2);
    tix_cube_free(c);
}

/* Heavy-tailed amounts in cents, from a fixed seed. */
static void amounts(int64_t *x, size_t n, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = (int64_t)floor(exp(10 + 2.5 * gsl_rng_uniform(r) * gsl_rng_uniform(r) * 4));
    gsl_rng_free(r);
}

Test(cube, stats_match_gsl_on_the_raw_values)
{
    enum { N = 5001 };
    int64_t *x = malloc(N * sizeof *x);
    double *d = malloc(N * sizeof *d);
    amounts(x, N, 42);
    tix_cube *c = cube_new(TIX_PERIOD_YEAR, 1);
    int64_t sum = 0;
    for (size_t i = 0; i < N; i++) {
        add(c, 2024, 6, 1, "s", x[i]);
        d[i] = (double)x[i];
        sum += x[i];
    }
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    tix_cell_stats s;
    cr_assert_eq(tix_cube_stats(c, 0, 0, &s), TIX_OK);
    gsl_sort(d, 1, N);
    cr_assert_eq(s.n, N);
    cr_assert_eq(s.sum, sum);
    cr_assert_eq(s.min, (int64_t)d[0]);
    cr_assert_eq(s.max, (int64_t)d[N - 1]);
    double tol = 1e-12;
    cr_assert_float_eq(s.mean, gsl_stats_mean(d, 1, N), tol * s.mean);
    double sd = gsl_stats_sd(d, 1, N);
    cr_assert_float_eq(s.sd, sd, 1e-9 * sd);
    /* Order statistics: ceil(p n)-th smallest, within the sketch's accuracy. */
    double med = d[(N + 1) / 2 - 1], p90 = d[(9 * N + 9) / 10 - 1];
    cr_assert_leq(fabs(s.median - med), TIX_CUBE_SKETCH_ALPHA * med, "%f vs %f", s.median, med);
    cr_assert_leq(fabs(s.p90 - p90), TIX_CUBE_SKETCH_ALPHA * p90, "%f vs %f", s.p90, p90);
    tix_cube_free(c);
    free(x);
    free(d);
}

Test(cube, stats_are_independent_of_row_order)
{
    enum { N = 4000 };
    int64_t *x = malloc(N * sizeof *x);
    amounts(x, N, 7);
    tix_cube *a = cube_new(TIX_PERIOD_WEEK, 1), *b = cube_new(TIX_PERIOD_WEEK, 1);
    for (size_t i = 0; i < N; i++) {
        int dd = (int)(i % 28) + 1;
        const char *cell = i % 3 ? "x" : "y";
        add(a, 2024, 2, dd, cell, x[i]);
        size_t j = N - 1 - i;
        add(b, 2024, 2, (int)(j % 28) + 1, j % 3 ? "x" : "y", x[j]);
    }
    cr_assert_eq(tix_cube_finalize(a), TIX_OK);
    cr_assert_eq(tix_cube_finalize(b), TIX_OK);
    cr_assert_eq(tix_cube_nperiods(a), tix_cube_nperiods(b));
    for (size_t p = 0; p < tix_cube_nperiods(a); p++) {
        size_t na, nb;
        tix_cube_entries(a, p, &na);
        tix_cube_entries(b, p, &nb);
        cr_assert_eq(na, nb);
        for (size_t k = 0; k < na; k++) {
            tix_cell_stats sa, sb;
            cr_assert_eq(tix_cube_stats(a, p, k, &sa), TIX_OK);
            cr_assert_eq(tix_cube_stats(b, p, k, &sb), TIX_OK);
            cr_assert_eq(memcmp(&sa, &sb, sizeof sa), 0, "period %zu cell %zu differ", p, k);
        }
    }
    tix_cube_free(a);
    tix_cube_free(b);
    free(x);
}

Test(cube, small_cells_are_exact)
{
    tix_cube *c = cube_new(TIX_PERIOD_DAY, 1);
    add(c, 2024, 1, 1, "one", 12345);
    add(c, 2024, 1, 2, "two", 0);
    add(c, 2024, 1, 2, "two", 500);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    tix_cell_stats s;
    cr_assert_eq(tix_cube_stats(c, 0, 0, &s), TIX_OK);
    cr_assert_eq(s.median, 12345.0);
    cr_assert_eq(s.p90, 12345.0);
    cr_assert(isnan(s.sd));
    cr_assert_eq(tix_cube_stats(c, 1, 0, &s), TIX_OK);
    cr_assert_eq(s.median, 0.0); /* ceil(2/2) = 1st smallest */
    cr_assert_eq(s.p90, 500.0);  /* clamped to the exact max */
    cr_assert_float_eq(s.sd, sqrt(125000.0), 1e-9);
    cr_assert_eq(tix_cube_stats(c, 1, 1, &s), TIX_E_INVALID);
    tix_cube_free(c);
}

Test(cube, stats_need_cell_stats)
{
    tix_cube *c = cube_new(TIX_PERIOD_DAY, 0);
    add(c, 2024, 1, 1, "a", 1);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    tix_cell_stats s;
    cr_assert_eq(tix_cube_stats(c, 0, 0, &s), TIX_E_INVALID);
    tix_cube_free(c);
}

Test(cube, budget_bounds_memory_and_a_failed_add_changes_nothing)
{
    tix_budget b = {64 * 1024, 0};
    tix_cube *c;
    tix_cube_opts o = {TIX_PERIOD_DAY, 1, 0, 0, &b, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    size_t added = 0;
    tix_status st = TIX_OK;
    char name[32];
    while (st == TIX_OK) {
        snprintf(name, sizeof name, "cell-%zu", added);
        st = tix_cube_add(c, (int32_t)(added % 1000), name, strlen(name), 100 + (int64_t)added);
        if (st == TIX_OK)
            added++;
    }
    cr_assert_eq(st, TIX_E_LIMIT);
    cr_assert_gt(added, 50);
    cr_assert_leq(b.used, b.limit);
    /* Existing pairs still take rows; the refused one left no trace. */
    cr_assert_eq(tix_cube_add(c, 0, "cell-0", 6, 100), TIX_OK);
    size_t cells = tix_cube_ncells(c);
    cr_assert_eq(cells, added);
    b.limit = 0; /* lift the limit to finalize */
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    size_t pairs = 0;
    for (size_t p = 0; p < tix_cube_nperiods(c); p++) {
        size_t ne;
        const tix_cube_entry *e = tix_cube_entries(c, p, &ne);
        for (size_t k = 0; k < ne; k++)
            cr_assert_gt(e[k].n, 0);
        pairs += ne;
    }
    cr_assert_eq(pairs, added);
    tix_cube_free(c);
    cr_assert_eq(b.used, 0, "all memory given back, %zu left", b.used);
}

/* Every (period, cell) entry and its statistics, bitwise. */
static void assert_same_cube(tix_cube *a, tix_cube *b)
{
    cr_assert_eq(tix_cube_finalize(a), TIX_OK);
    cr_assert_eq(tix_cube_finalize(b), TIX_OK);
    cr_assert_eq(tix_cube_ncells(a), tix_cube_ncells(b));
    for (size_t r = 0; r < tix_cube_ncells(a); r++)
        cr_assert_str_eq(tix_cube_cell_name(a, r), tix_cube_cell_name(b, r));
    cr_assert_eq(tix_cube_nperiods(a), tix_cube_nperiods(b));
    for (size_t p = 0; p < tix_cube_nperiods(a); p++) {
        size_t na, nb;
        const tix_cube_entry *ea = tix_cube_entries(a, p, &na), *eb = tix_cube_entries(b, p, &nb);
        cr_assert_eq(tix_cube_period(a, p), tix_cube_period(b, p));
        cr_assert_eq(na, nb);
        for (size_t k = 0; k < na; k++) {
            cr_assert_eq(ea[k].cell, eb[k].cell);
            cr_assert_eq(ea[k].n, eb[k].n);
            cr_assert_eq(ea[k].value, eb[k].value);
            tix_cell_stats sa, sb;
            cr_assert_eq(tix_cube_stats(a, p, k, &sa), TIX_OK);
            cr_assert_eq(tix_cube_stats(b, p, k, &sb), TIX_OK);
            cr_assert_eq(memcmp(&sa, &sb, sizeof sa), 0, "period %zu cell %zu", p, k);
        }
    }
}

Test(cube, merge_equals_adding_every_row_in_any_order)
{
    enum { N = 6000 };
    int64_t *x = malloc(N * sizeof *x);
    amounts(x, N, 99);
    x[17] = 0;
    const char *cells[] = {"alpha", "beta", "gamma", "delta-with-a-longer-name"};
    tix_cube *all = cube_new(TIX_PERIOD_WEEK, 1), *parts[3], *merged = cube_new(TIX_PERIOD_WEEK, 1),
             *reverse = cube_new(TIX_PERIOD_WEEK, 1);
    for (int k = 0; k < 3; k++)
        parts[k] = cube_new(TIX_PERIOD_WEEK, 1);
    for (size_t i = 0; i < N; i++) {
        int d = (int)(i * 7 % 300) + 1;
        int32_t day = tix_days_from_civil(2023, 1, 1) + d;
        const char *cell = cells[(i * 5 + i / 100) % 4];
        cr_assert_eq(tix_cube_add(all, day, cell, strlen(cell), x[i]), TIX_OK);
        /* Uneven parts: a cell or a period may be in one part only. */
        tix_cube *part = parts[i < 1000 ? 0 : i < 4500 ? 1 : 2];
        cr_assert_eq(tix_cube_add(part, day, cell, strlen(cell), x[i]), TIX_OK);
    }
    for (int k = 0; k < 3; k++)
        cr_assert_eq(tix_cube_merge(merged, parts[k]), TIX_OK);
    for (int k = 2; k >= 0; k--)
        cr_assert_eq(tix_cube_merge(reverse, parts[k]), TIX_OK);
    assert_same_cube(all, merged);
    assert_same_cube(reverse, merged);
    for (int k = 0; k < 3; k++)
        tix_cube_free(parts[k]);
    tix_cube_free(all);
    tix_cube_free(merged);
    tix_cube_free(reverse);
    free(x);
}

Test(cube, merge_refuses_what_would_not_fit_and_leaves_dst_unchanged)
{
    tix_cube *dst = cube_new(TIX_PERIOD_YEAR, 0), *src = cube_new(TIX_PERIOD_YEAR, 0);
    add(dst, 2024, 1, 1, "a", INT64_MAX - 5);
    add(src, 2024, 6, 1, "a", 6);
    add(src, 2024, 6, 1, "b", 1);
    cr_assert_eq(tix_cube_merge(dst, src), TIX_E_OVERFLOW);
    cr_assert_eq(tix_cube_ncells(dst), 1); /* "b" was not taken in */

    tix_cube *small;
    tix_cube_opts o = {TIX_PERIOD_YEAR, 0, 1, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&small, &o), TIX_OK);
    cr_assert_eq(tix_cube_add(small, 0, "a", 1, 1), TIX_OK);
    cr_assert_eq(tix_cube_merge(small, src), TIX_E_LIMIT); /* max_cells 1 */
    tix_cube_opts other = {TIX_PERIOD_WEEK, 0, 0, 0, NULL, NULL, 0, 0};
    tix_cube *weekly;
    cr_assert_eq(tix_cube_new(&weekly, &other), TIX_OK);
    cr_assert_eq(tix_cube_merge(weekly, src), TIX_E_INVALID);
    cr_assert_eq(tix_cube_finalize(small), TIX_OK);
    size_t n;
    cr_assert_eq(tix_cube_entries(small, 0, &n)[0].value, 1);
    tix_cube_free(weekly);
    tix_cube_free(small);
    tix_cube_free(dst);
    tix_cube_free(src);
}

/* --- winsorizing ------------------------------------------------------------ */

/* Winsorized values and capped counts of every entry of c. */
static void winsorized(const tix_cube *c, double q, size_t window, int64_t *v, uint64_t *n)
{
    cr_assert_eq(tix_cube_winsorize(c, q, window, v, n), TIX_OK);
}

Test(cube, winsorize_caps_above_the_quantile_exactly)
{
    /* Amounts 10^0 .. 10^9 cents in one cell and day, twice each: each
     * amount alone in its bucket, far from the edges. q = 0.7 of 20 amounts
     * is the 14th smallest, 10^6: the six amounts above it (10^7, 10^8 and
     * 10^9, twice) become one cap, at most a bucket (2%) above 10^6. */
    tix_cube *c = cube_new(TIX_PERIOD_DAY, TIX_CUBE_STATS_SUMS);
    int64_t raw = 0, kept = 0;
    for (int rep = 0; rep < 2; rep++)
        for (int e = 0; e < 10; e++) {
            int64_t a = 1;
            for (int k = 0; k < e; k++)
                a *= 10;
            add(c, 2024, 3, 1, "s", a);
            raw += a;
            if (a <= 1000000)
                kept += a;
        }
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    int64_t v;
    uint64_t n;
    winsorized(c, 0.7, 1, &v, &n);
    cr_assert_eq(n, 6); /* 10^7, 10^8, 10^9, twice */
    int64_t cap = (v - kept) / (int64_t)n;
    cr_assert_eq(cap * (int64_t)n, v - kept, "the capped amounts are all equal");
    cr_assert_geq(cap, 1000000);
    cr_assert_leq(cap, 1020203, "within one bucket (2%) of the quantile");
    cr_assert_lt(v, raw);
    /* q = 1: the cap is the largest bucket's top; nothing changes. */
    winsorized(c, 1.0, 1, &v, &n);
    cr_assert_eq(n, 0);
    cr_assert_eq(v, raw);
    tix_cube_free(c);
}

Test(cube, winsorize_looks_back_over_its_window)
{
    /* Day 1: 99 amounts of 100.00 and one of 10,000,000.00 in cell "s".
     * Days 2-3: 100.00 only. With a window of 1 day, day 1 caps its giant
     * at the 0.99 quantile (100.00, within a bucket); day 2 has nothing to
     * cap. A window of 3 days puts day 1 in day 3's window too. */
    tix_cube *c = cube_new(TIX_PERIOD_DAY, TIX_CUBE_STATS_SUMS);
    for (int i = 0; i < 99; i++)
        add(c, 2024, 3, 1, "s", 10000);
    add(c, 2024, 3, 1, "s", 1000000000);
    for (int d = 2; d <= 3; d++)
        for (int i = 0; i < 10; i++)
            add(c, 2024, 3, d, "s", 10000);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    int64_t v[3];
    uint64_t n[3];
    winsorized(c, 0.99, 1, v, n);
    cr_assert_eq(n[0], 1);
    cr_assert_geq(v[0], 100 * 10000);
    cr_assert_leq(v[0], 99 * 10000 + 10203);
    cr_assert_eq(n[1], 0);
    cr_assert_eq(v[1], 10 * 10000);
    /* The cap of day 1 over a window reaching back before the data: the
     * same, as no earlier day has data. */
    winsorized(c, 0.99, 3, v, n);
    cr_assert_eq(n[0], 1);
    cr_assert_eq(n[2], 0);
    tix_cube_free(c);
}

Test(cube, winsorize_is_independent_of_row_order_and_merges)
{
    int64_t x[3000];
    amounts(x, 3000, 17);
    tix_cube *a = cube_new(TIX_PERIOD_MONTH, TIX_CUBE_STATS_SUMS);
    tix_cube *b = cube_new(TIX_PERIOD_MONTH, TIX_CUBE_STATS_SUMS);
    tix_cube *part = cube_new(TIX_PERIOD_MONTH, TIX_CUBE_STATS_SUMS);
    for (int i = 0; i < 3000; i++) {
        char cell[8];
        /* 3 cells x 6 months: all 18 entries exist. */
        snprintf(cell, sizeof cell, "c%d", i / 6 % 3);
        add(a, 2024, 1 + i % 6, 1, cell, x[i]);
        int j = 2999 - i; /* b: reversed, half of it through a merged part */
        snprintf(cell, sizeof cell, "c%d", j / 6 % 3);
        add(j % 2 ? b : part, 2024, 1 + j % 6, 1, cell, x[j]);
    }
    cr_assert_eq(tix_cube_merge(b, part), TIX_OK);
    cr_assert_eq(tix_cube_finalize(a), TIX_OK);
    cr_assert_eq(tix_cube_finalize(b), TIX_OK);
    size_t entries = 0;
    for (size_t i = 0; i < tix_cube_nperiods(a); i++) {
        size_t ne;
        tix_cube_entries(a, i, &ne);
        entries += ne;
    }
    cr_assert_eq(entries, 18);
    int64_t va[18], vb[18];
    uint64_t na[18], nb[18];
    winsorized(a, 0.95, 3, va, na);
    winsorized(b, 0.95, 3, vb, nb);
    uint64_t capped = 0;
    for (int k = 0; k < 18; k++) {
        cr_assert_eq(va[k], vb[k]);
        cr_assert_eq(na[k], nb[k]);
        capped += na[k];
    }
    cr_assert_gt(capped, 50); /* about 5% of 3000, less where windows are short */
    tix_cube_free(a);
    tix_cube_free(b);
    tix_cube_free(part);
}

Test(cube, winsorize_needs_bucket_sums)
{
    tix_cube *c = cube_new(TIX_PERIOD_DAY, TIX_CUBE_STATS);
    add(c, 2024, 3, 1, "s", 100);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    int64_t v;
    uint64_t n;
    cr_assert_eq(tix_cube_winsorize(c, 0.9, 1, &v, &n), TIX_E_INVALID);
    tix_cube_free(c);
    c = cube_new(TIX_PERIOD_DAY, TIX_CUBE_STATS_SUMS);
    add(c, 2024, 3, 1, "s", 100);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    cr_assert_eq(tix_cube_winsorize(c, 0, 1, &v, &n), TIX_E_INVALID);
    cr_assert_eq(tix_cube_winsorize(c, 0.5, 0, &v, &n), TIX_E_INVALID);
    tix_cube_free(c);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

Test(cube, winsorize_agrees_with_sorted_raw_amounts)
{
    /* Heavy-tailed amounts in 2 cells over 8 months, window 3 months. For
     * every entry the oracle sorts the window's raw amounts, takes the
     * ceil(q N)-th smallest x_k and
     * checks that the result is sum(min(x, cap)) over the entry's own
     * amounts for one integer cap in [x_k, 1.0203 x_k], the amounts above
     * the cap being exactly the capped ones. */
    enum { N = 4000, NP = 8, NCELL = 2 };
    static int64_t x[N];
    amounts(x, N, 23);
    tix_cube *c = cube_new(TIX_PERIOD_MONTH, TIX_CUBE_STATS_SUMS);
    for (int i = 0; i < N; i++)
        add(c, 2024, 1 + i % NP, 1, i % (NP * NCELL) < NP ? "a" : "b", x[i]);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    const double q = 0.9;
    int64_t v[NP * NCELL];
    uint64_t capped[NP * NCELL];
    winsorized(c, q, 3, v, capped);
    static int64_t win[N], own[N];
    for (int t = 0; t < NP; t++)
        for (int s = 0; s < NCELL; s++) {
            size_t nw = 0, no = 0;
            for (int i = 0; i < N; i++) {
                int ti = i % NP, si = i % (NP * NCELL) < NP ? 0 : 1;
                if (si != s || ti > t || ti < t - 2)
                    continue;
                win[nw++] = x[i];
                if (ti == t)
                    own[no++] = x[i];
            }
            qsort(win, nw, sizeof *win, cmp_i64);
            qsort(own, no, sizeof *own, cmp_i64);
            int64_t xk = win[(size_t)ceil(q * (double)nw) - 1];
            size_t e = (size_t)(t * NCELL + s); /* periods in order, cells by rank */
            size_t keep = no - capped[e];
            int64_t kept = 0;
            for (size_t k = 0; k < keep; k++)
                kept += own[k];
            if (capped[e] == 0) {
                cr_assert_eq(v[e], kept);
                cr_assert_leq((double)own[no - 1], 1.0203 * (double)xk);
                continue;
            }
            int64_t cap = (v[e] - kept) / (int64_t)capped[e];
            cr_assert_eq(cap * (int64_t)capped[e], v[e] - kept, "entry %zu", e);
            cr_assert_geq(cap, xk, "entry %zu", e);
            cr_assert_leq((double)cap, 1.0203 * (double)xk, "entry %zu", e);
            cr_assert(keep == 0 || own[keep - 1] <= cap);
            cr_assert_gt(own[keep], cap);
        }
    tix_cube_free(c);
}

/* --- the sketch's buckets without log() ------------------------------------ */

/* The table lookup against the definition, ceil(log(x) / SK_LOG_GAMMA),
 * at x and near it. */
static void bucket_agrees(int64_t x)
{
    cr_assert_eq(cube_sketch_bucket(x), cube_sketch_bucket_log(x), "cents %lld",
                 (long long)x);
}

Test(cube, sketch_bucket_is_the_logarithms_at_every_bucket_edge)
{
    cr_assert_eq(cube_sketch_init(), 1, "the tables passed their checks");
    /* Every amount up to 2^22 cents, each of the first ~700 buckets whole. */
    for (int64_t x = 1; x <= (int64_t)1 << 22; x++)
        bucket_agrees(x);
    /* Around each edge exp(b SK_LOG_GAMMA) (within 1e-14 of it, where
     * log()'s rounding decides): 4096 amounts either side, and 256
     * doubles either side where doubles are further apart than a cent.
     * Between edges, far from an integer log(x) / SK_LOG_GAMMA, rounding
     * cannot move the ceiling. */
    int32_t prev = 0;
    for (int32_t b = 1; b <= SK_BUCKETS; b++) {
        double e = exp((double)b * SK_LOG_GAMMA);
        if (e < 9.2e18) {
            int64_t x0 = (int64_t)e;
            for (int64_t d = -4096; d <= 4096; d++)
                if (x0 + d >= 1)
                    bucket_agrees(x0 + d);
            double y = e;
            for (int k = 0; k < 256; k++)
                y = nextafter(y, 0);
            for (int k = 0; k < 512 && y < 9.2e18; k++, y = nextafter(y, INFINITY))
                bucket_agrees((int64_t)y);
        }
        /* The edges are where the definition steps up, and only there. */
        int32_t at = cube_sketch_bucket_log(e < 9.2e18 ? (int64_t)e : INT64_MAX);
        cr_assert_geq(at, prev);
        prev = at;
    }
    for (int64_t x = INT64_MAX - 100000; x < INT64_MAX; x++)
        bucket_agrees(x);
    bucket_agrees(INT64_MAX);
    cr_assert_eq(cube_sketch_bucket(INT64_MAX), SK_BUCKETS - 1);
    cr_assert_eq(cube_sketch_bucket(1), 0);
    /* And amounts drawn log-uniformly over all of int64. */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    for (int i = 0; i < 2000000; i++) {
        double x = exp(gsl_rng_uniform(r) * 43.6);
        bucket_agrees(x < 9.2e18 && x >= 1 ? (int64_t)x : 1);
    }
    gsl_rng_free(r);
}

/* Many parts of a few rows each (sparse sketches), merged in any order,
 * and parts of hundreds (dense), give what adding the rows gives: the
 * same statistics and the same winsorized values. */
Test(cube, sparse_and_dense_sketches_merge_to_the_same_cube)
{
    enum { N = 20000 };
    int64_t *x = malloc(N * sizeof *x);
    amounts(x, N, 31);
    x[5] = 0;
    x[9] = INT64_MAX / 4;
    x[11] = 1;
    int stats = TIX_CUBE_STATS_SUMS;
    tix_cube *all = cube_new(TIX_PERIOD_MONTH, stats), *fwd = cube_new(TIX_PERIOD_MONTH, stats),
             *back = cube_new(TIX_PERIOD_MONTH, stats), *rest = cube_new(TIX_PERIOD_MONTH, stats),
             *mixed = cube_new(TIX_PERIOD_MONTH, stats);
    tix_cube *parts[256];
    size_t np = 0, i = 0;
    for (size_t size = 1; i < N; size = size * 3 % 701 + 1) {
        cr_assert_lt(np, 256);
        tix_cube *part = parts[np++] = cube_new(TIX_PERIOD_MONTH, stats);
        for (size_t end = i + size; i < end && i < N; i++) {
            char cell[8];
            snprintf(cell, sizeof cell, "c%zu", i % 3);
            int32_t day = tix_days_from_civil(2024, 1 + (int)(i % 4), 1);
            cr_assert_eq(tix_cube_add(all, day, cell, strlen(cell), x[i]), TIX_OK);
            cr_assert_eq(tix_cube_add(part, day, cell, strlen(cell), x[i]), TIX_OK);
            if (np > 1) /* the rows after the first part's, in one (dense) cube */
                cr_assert_eq(tix_cube_add(rest, day, cell, strlen(cell), x[i]), TIX_OK);
        }
    }
    for (size_t k = 0; k < np; k++)
        cr_assert_eq(tix_cube_merge(fwd, parts[k]), TIX_OK);
    for (size_t k = np; k > 0; k--)
        cr_assert_eq(tix_cube_merge(back, parts[k - 1]), TIX_OK);
    /* sparse into dense, dense into sparse */
    cr_assert_eq(tix_cube_merge(mixed, parts[0]), TIX_OK);
    cr_assert_eq(tix_cube_merge(mixed, rest), TIX_OK);
    cr_assert_eq(tix_cube_merge(rest, parts[0]), TIX_OK);
    assert_same_cube(all, rest);
    assert_same_cube(all, mixed);
    assert_same_cube(all, fwd);
    assert_same_cube(back, fwd);
    int64_t va[12], vf[12], vb[12];
    uint64_t na[12], nf[12], nb[12];
    winsorized(all, 0.9, 2, va, na);
    winsorized(fwd, 0.9, 2, vf, nf);
    winsorized(back, 0.9, 2, vb, nb);
    cr_assert_eq(memcmp(va, vf, sizeof va), 0);
    cr_assert_eq(memcmp(va, vb, sizeof va), 0);
    cr_assert_eq(memcmp(na, nf, sizeof na), 0);
    cr_assert_eq(memcmp(na, nb, sizeof na), 0);
    for (size_t k = 0; k < np; k++)
        tix_cube_free(parts[k]);
    tix_cube_free(all);
    tix_cube_free(fwd);
    tix_cube_free(back);
    tix_cube_free(rest);
    tix_cube_free(mixed);
    free(x);
}

/* A pair of a few amounts pays for those buckets, not for a window over
 * the range between them (a block's cube holds thousands of such pairs). */
Test(cube, few_amounts_cost_few_sketch_bytes)
{
    tix_budget b = {0, 0};
    tix_cube *c;
    tix_cube_opts o = {TIX_PERIOD_WEEK, TIX_CUBE_STATS_SUMS, 0, 0, &b, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    size_t base = b.used;
    /* 1000 cells of 3 amounts each, spread over 7 decades */
    for (int k = 0; k < 1000; k++) {
        char cell[16];
        snprintf(cell, sizeof cell, "cell%d", k);
        add(c, 2024, 3, 11, cell, 100);
        add(c, 2024, 3, 11, cell, 100000);
        add(c, 2024, 3, 11, cell, 1000000000);
    }
    size_t per_pair = (b.used - base) / 1000;
    /* the pair, its cell, the tables: well under the 12 bytes times ~700
     * buckets a window from 100 to 10^9 cents would take */
    cr_assert_lt(per_pair, 400, "%zu bytes a pair", per_pair);
    tix_cube_free(c);
    cr_assert_eq(b.used, 0);
}

/* The min, sum of squares and sketch of a pair live beside the pairs,
 * in a cube with statistics only: the same 4096 pairs cost a cube with
 * them exactly their pair_stats and their sketches (one amount each: a
 * sparse sketch with room for SK_SPARSE_FIRST buckets of 4 + 2 bytes)
 * more than a cube without, which pays 48 bytes a pair for the rest. */
Test(cube, a_cube_without_statistics_pays_nothing_for_them)
{
    enum { N = 4096 }; /* a power of 2 above 64: every array exactly full */
    cr_assert_eq(sizeof(pair), 48);
    size_t used[2];
    for (int k = 0; k < 2; k++) {
        tix_budget b = {0, 0};
        tix_cube *c;
        tix_cube_opts o = {TIX_PERIOD_WEEK, k ? TIX_CUBE_STATS : 0, 0, 0, &b, NULL, 0, 0};
        cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
        for (int i = 0; i < N; i++) {
            char cell[16];
            snprintf(cell, sizeof cell, "cell%04d", i);
            add(c, 2024, 3, 11, cell, 1000 + i);
        }
        cr_assert_eq(tix_cube_finalize(c), TIX_OK);
        tix_cell_stats st;
        cr_assert_eq(tix_cube_stats(c, 0, 7, &st), k ? TIX_OK : TIX_E_INVALID);
        if (k)
            cr_assert(st.min == 1007 && st.max == 1007 && st.median == 1007.0);
        used[k] = b.used;
        tix_cube_free(c);
        cr_assert_eq(b.used, 0);
    }
    size_t sketch = SK_SPARSE_FIRST * (sizeof(uint32_t) + sizeof(uint16_t));
    cr_assert_eq(used[1] - used[0], (size_t)N * (sizeof(pair_stats) + sketch), "%zu and %zu bytes",
                 used[0], used[1]);
}

/* tix_same_bytes, which finds a row's cell, agrees with memcmp for every
 * length up to 40 when the strings are equal and when one byte (at each
 * position, by each bit) differs; and reads only the n bytes it is given. */
Test(cube, same_bytes_agrees_with_memcmp)
{
    for (size_t n = 0; n <= 40; n++) {
        char *a = malloc(n ? n : 1), *b = malloc(n ? n : 1); /* ASan: no byte past n */
        for (size_t i = 0; i < n; i++)
            a[i] = (char)('a' + (i * 7) % 26);
        memcpy(b, a, n);
        cr_assert(tix_same_bytes(a, b, n), "n = %zu", n);
        for (size_t i = 0; i < n; i++)
            for (int bit = 0; bit < 8; bit++) {
                b[i] = (char)(a[i] ^ (1 << bit));
                cr_assert(!tix_same_bytes(a, b, n), "n = %zu, byte %zu, bit %d", n, i, bit);
                cr_assert_eq(memcmp(a, b, n) == 0, 0);
                b[i] = a[i];
            }
        free(a);
        free(b);
    }
}

Test(cube, copy_bytes_copies_exactly_n_bytes)
{
    for (size_t n = 0; n <= 72; n++) {
        /* ASan: neither side is read or written past n. */
        unsigned char *src = malloc(n ? n : 1), *dst = malloc(n + 2);
        cr_assert(src && dst);
        for (size_t i = 0; i < n; i++)
            src[i] = (unsigned char)(1 + (i * 37) % 251);
        memset(dst, 0xee, n + 2);
        tix_copy_bytes(dst + 1, src, n);
        cr_assert_eq(dst[0], 0xee, "n = %zu: a byte before written", n);
        cr_assert_eq(memcmp(dst + 1, src, n), 0, "n = %zu", n);
        cr_assert_eq(dst[n + 1], 0xee, "n = %zu: a byte after written", n);
        free(src);
        free(dst);
    }
}

/* The cell memo (cube_hash.c) guesses an id from a name's length and its
 * first and last eight bytes: names alike in all of these share its slot,
 * and each must still get its own id, the same every time, from interning
 * and from looking up, also when the cell met last was taken back. */
Test(cube, names_alike_at_both_ends_keep_their_own_cells)
{
    tix_cube *c;
    tix_cube_opts o = {0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    enum { N = 120 };
    char names[N][32];
    uint32_t ids[N];
    for (int i = 0; i < N; i++) { /* long ones alike at both ends, short ones alike whole */
        if (i % 2)
            snprintf(names[i], sizeof names[i], "AAAAAAAA-%03d-ZZZZZZZZ", i);
        else
            snprintf(names[i], sizeof names[i], "s%03d", i);
    }
    for (int round = 0; round < 3; round++)
        for (int k = 0; k < N; k++) {
            int i = (k * 37 + round * 11) % N; /* a new order each round */
            uint32_t id, seen;
            int fresh;
            cr_assert_eq(cube_intern_cell(c, names[i], strlen(names[i]), &id, &fresh), TIX_OK);
            if (round == 0 && fresh)
                ids[i] = id;
            cr_assert_eq(id, ids[i], "%s: id %u, first %u", names[i], id, ids[i]);
            cr_assert(!fresh || round == 0);
            cr_assert(cube_lookup_cell(c, names[i], strlen(names[i]), &seen));
            cr_assert_eq(seen, ids[i], "%s looked up", names[i]);
        }
    cr_assert_eq(c->ncells, N);
    /* One more, taken back: its id goes to the next new one, and a lookup
     * of the name taken back finds nothing. */
    uint32_t gone, id;
    int fresh;
    cr_assert_eq(cube_intern_cell(c, "AAAAAAAA-900-ZZZZZZZZ", 21, &gone, &fresh), TIX_OK);
    cr_assert(fresh);
    cube_forget_last_cell(c);
    cr_assert_not(cube_lookup_cell(c, "AAAAAAAA-900-ZZZZZZZZ", 21, &id));
    cr_assert_eq(cube_intern_cell(c, "AAAAAAAA-901-ZZZZZZZZ", 21, &id, &fresh), TIX_OK);
    cr_assert(fresh);
    cr_assert_eq(id, gone);
    cr_assert_not(cube_lookup_cell(c, "AAAAAAAA-900-ZZZZZZZZ", 21, &id));
    cr_assert(cube_lookup_cell(c, names[1], strlen(names[1]), &id));
    cr_assert_eq(id, ids[1]);
    tix_cube_free(c);
}

/* Pairs a and b (finalized, same layout) hold the same buckets, with the
 * same counts and sums, whatever form each sketch has. */
static void assert_same_buckets(const tix_cube *a, const tix_cube *b, size_t npairs)
{
    for (size_t v = 0; v < npairs; v++) {
        cube_pair pa, pb;
        cr_assert_eq(cube_pair_at(a, v, &pa), TIX_OK);
        cr_assert_eq(cube_pair_at(b, v, &pb), TIX_OK);
        cr_assert_eq(pa.zeros, pb.zeros);
        uint32_t i = 0, j = 0;
        for (;;) {
            while (i < pa.sk_len && !pa.sk[i])
                i++;
            while (j < pb.sk_len && !pb.sk[j])
                j++;
            if (i == pa.sk_len || j == pb.sk_len)
                break;
            cr_assert_eq(SK_BUCKET(&pa, i), SK_BUCKET(&pb, j), "pair %zu", v);
            cr_assert_eq(pa.sk[i], pb.sk[j], "pair %zu bucket %d", v, (int)SK_BUCKET(&pa, i));
            cr_assert_eq(pa.sks != NULL, pb.sks != NULL);
            if (pa.sks)
                cr_assert_eq(pa.sks[i], pb.sks[j]);
            i++;
            j++;
        }
        cr_assert(i == pa.sk_len && j == pb.sk_len, "pair %zu: buckets left over", v);
    }
}

/* A block's cube lists its amounts and sketches them at once
 * (cube_sketch_defer, _settle): parts of 1 to 700 rows, with pairs of
 * one amount, of up to 32 buckets (sparse) and of more (dense), sorted and
 * unsorted dates, zeros and both kinds of statistics, hold bucket for
 * bucket what the same rows added one by one hold, and merge to the same
 * cube. Unsettled, a part is refused as a merge's source. */
Test(cube, deferred_sketches_settle_to_the_rows_own)
{
    enum { N = 30000 };
    int64_t *x = malloc(N * sizeof *x);
    amounts(x, N, 77);
    for (size_t i = 0; i < N; i += 97)
        x[i] = 0;
    x[3] = 1;
    x[8] = INT64_MAX / 8;
    int kinds[] = {TIX_CUBE_STATS, TIX_CUBE_STATS_SUMS, TIX_CUBE_STATS_SUMS | TIX_CUBE_STATS_LOGS};
    for (size_t kk = 0; kk < sizeof kinds / sizeof *kinds; kk++) {
        int stats = kinds[kk];
        tix_cube *all = cube_new(TIX_PERIOD_MONTH, stats), *merged = cube_new(TIX_PERIOD_MONTH, stats);
        size_t i = 0, nparts = 0;
        for (size_t size = 1; i < N; size = size * 7 % 701 + 1, nparts++) {
            tix_cube *def = cube_new(TIX_PERIOD_MONTH, stats), *one = cube_new(TIX_PERIOD_MONTH, stats);
            cube_sketch_defer(def);
            for (size_t end = i + size; i < end && i < N; i++) {
                char cell[8];
                snprintf(cell, sizeof cell, "c%zu", i % 5);
                /* the first half in date order (long runs), the rest spread */
                int month = i < N / 2 ? 1 + (int)(i * 12 / N) : 1 + (int)(i * 7 % 12);
                int32_t day = tix_days_from_civil(2024, month, 1 + (int)(i % 28));
                cr_assert_eq(tix_cube_add(all, day, cell, strlen(cell), x[i]), TIX_OK);
                cr_assert_eq(tix_cube_add(def, day, cell, strlen(cell), x[i]), TIX_OK);
                cr_assert_eq(tix_cube_add(one, day, cell, strlen(cell), x[i]), TIX_OK);
            }
            cr_assert_eq(def->defer, 1);
            cr_assert_eq(tix_cube_merge(merged, def), TIX_E_INVALID); /* not yet sketched */
            cr_assert_eq(cube_sketch_settle(def), TIX_OK);
            cr_assert_eq(def->defer, 0);
            cr_assert_eq(tix_cube_merge(merged, def), TIX_OK);
            size_t np = def->npairs;
            assert_same_cube(one, def);
            assert_same_buckets(one, def, np);
            tix_cube_free(def);
            tix_cube_free(one);
        }
        cr_assert_gt(nparts, 50);
        assert_same_cube(all, merged);
        assert_same_buckets(all, merged, all->npairs);
        tix_cube_free(all);
        tix_cube_free(merged);
    }
    /* Finalizing settles; a cube that has pairs already does not defer. */
    tix_cube *c = cube_new(TIX_PERIOD_WEEK, TIX_CUBE_STATS), *d = cube_new(TIX_PERIOD_WEEK, TIX_CUBE_STATS);
    cube_sketch_defer(c);
    for (size_t i = 0; i < 100; i++) {
        cr_assert_eq(tix_cube_add(c, tix_days_from_civil(2024, 5, 1), "a", 1, x[i]), TIX_OK);
        cr_assert_eq(tix_cube_add(d, tix_days_from_civil(2024, 5, 1), "a", 1, x[i]), TIX_OK);
    }
    cube_sketch_defer(d);
    cr_assert_eq(d->defer, 0);
    assert_same_cube(c, d);
    assert_same_buckets(c, d, 1);
    cr_assert_eq(c->defer, 0);
    tix_cube_free(c);
    tix_cube_free(d);
    free(x);
}
