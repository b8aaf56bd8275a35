/* Replicate groups and the delete-a-group jackknife (`--ci`), each checked
 * against a direct recomputation from the rows; and the provisional flags. */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "techidx/cube.h"
#include "techidx/index.h"
#include "techidx/period.h"
#include "techidx/tic.h"

#define NROWS 3000
#define G 5

typedef struct row {
    int32_t day;
    char cell[8];
    int64_t cents;
    char id[16];
} row;

/* A market of 4 cells over 12 weeks, amounts spread over four decades,
 * some of them 0 (left out of the time dummy's logs). */
static row *make_rows(void)
{
    row *r = malloc(NROWS * sizeof *r);
    cr_assert_not_null(r);
    uint64_t s = 12345;
    int32_t day0 = tix_days_from_civil(2024, 1, 1);
    for (int i = 0; i < NROWS; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        r[i].day = day0 + (int32_t)((s >> 33) % 84);
        snprintf(r[i].cell, sizeof r[i].cell, "c%d", (int)((s >> 20) % 4));
        double u = (double)((s >> 40) & 0xffffff) / 16777216.0;
        r[i].cents = (s >> 13) % 97 == 0 ? 0 : (int64_t)(1000 * pow(10, 4 * u)) + 1;
        snprintf(r[i].id, sizeof r[i].id, "C%06d", i);
    }
    return r;
}

static tix_cube *cube_of(const row *r, int stats, size_t groups, long skip_group)
{
    tix_cube_opts o;
    tix_cube_opts_init(&o);
    o.cell_stats = stats;
    o.replicates = groups;
    tix_cube *c;
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    for (int i = 0; i < NROWS; i++) {
        size_t len = strlen(r[i].id);
        if (skip_group >= 0 && tix_replicate_group(r[i].id, len, G) == (uint32_t)skip_group)
            continue;
        cr_assert_eq(tix_cube_add_id(c, r[i].day, r[i].cell, strlen(r[i].cell), r[i].cents,
                                     r[i].id, len),
                     TIX_OK);
    }
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    return c;
}

Test(jackknife, the_group_of_an_id_is_the_documented_hash)
{
    /* Values computed by hand (Python) from the formula in cube.h. */
    cr_assert_eq(tix_replicate_group("TC000000000001", 14, 20), 0);
    cr_assert_eq(tix_replicate_group("SZ24-000000000042", 17, 20), 2);
    cr_assert_eq(tix_replicate_group("", 0, 20), 3);
    cr_assert_eq(tix_replicate_group("\xe5\x90\x88\xe5\x90\x8c-7", 8, 20), 2);
    /* Groups are filled about evenly. */
    size_t count[G] = {0};
    char id[16];
    for (int i = 0; i < 10000; i++) {
        snprintf(id, sizeof id, "C%06d", i);
        count[tix_replicate_group(id, strlen(id), G)]++;
    }
    for (int g = 0; g < G; g++)
        cr_assert(count[g] > 1800 && count[g] < 2200, "group %d has %zu", g, count[g]);
}

Test(jackknife, a_replicate_is_the_cube_of_the_other_groups)
{
    row *r = make_rows();
    tix_cube *all = cube_of(r, TIX_CUBE_STATS_LOGS, G, -1);
    cr_assert_eq(tix_cube_replicates(all), G);
    tix_index_opts io;
    tix_index_opts_init(&io);
    io.method = TIX_METHOD_TIME_DUMMY;
    io.window = 5;
    for (long g = 0; g < G; g++) {
        tix_cube *rep, *direct = cube_of(r, TIX_CUBE_STATS_LOGS, 0, g);
        cr_assert_eq(tix_cube_replicate(all, (size_t)g, NULL, &rep), TIX_OK);
        cr_assert_eq(tix_cube_replicates(rep), 0);
        cr_assert_eq(tix_cube_nperiods(rep), tix_cube_nperiods(direct));
        for (size_t i = 0; i < tix_cube_nperiods(rep); i++) {
            size_t n1, n2;
            const tix_cube_entry *a = tix_cube_entries(rep, i, &n1), *b =
                                                                         tix_cube_entries(direct, i, &n2);
            cr_assert_eq(n1, n2);
            for (size_t k = 0; k < n1; k++) {
                cr_assert_str_eq(tix_cube_cell_name(rep, a[k].cell),
                                 tix_cube_cell_name(direct, b[k].cell));
                cr_assert_eq(a[k].n, b[k].n);
                cr_assert_eq(a[k].value, b[k].value);
            }
        }
        /* The logs too: the time dummy on both gives the same numbers. */
        tix_index *x, *y;
        cr_assert_eq(tix_index_compute(rep, &io, &x, NULL, 0), TIX_OK);
        cr_assert_eq(tix_index_compute(direct, &io, &y, NULL, 0), TIX_OK);
        cr_assert_eq(x->nrows, y->nrows);
        for (size_t t = 0; t < x->nrows; t++) {
            cr_assert_eq(x->rows[t].unit_value_index, y->rows[t].unit_value_index);
            cr_assert_eq(x->rows[t].unit_value_index_se, y->rows[t].unit_value_index_se);
        }
        tix_index_free(x);
        tix_index_free(y);
        tix_cube_free(rep);
        tix_cube_free(direct);
    }
    tix_cube_free(all);
    free(r);
}

/* The jackknife of a method, recomputed from G cubes built without each
 * group's rows. */
static void check_jackknife(tix_method m, int stats)
{
    row *r = make_rows();
    tix_cube *all = cube_of(r, stats, G, -1);
    tix_index_opts io;
    tix_index_opts_init(&io);
    io.method = m;
    io.ci = 1;
    io.ci_level = 0.9;
    if (tix_method_is_multilateral(m))
        io.window = 5;
    tix_index *ix;
    cr_assert_eq(tix_index_compute(all, &io, &ix, NULL, 0), TIX_OK);
    cr_assert_eq(ix->opts.ci, 1);
    cr_assert_eq(ix->ci_groups, G);
    size_t n = ix->nrows;
    /* Replicates computed 3 at a time: the same bits. */
    for (unsigned th = 2; th <= 3; th++) {
        tix_index_opts to = io;
        to.threads = th;
        tix_index *tx;
        cr_assert_eq(tix_index_compute(all, &to, &tx, NULL, 0), TIX_OK);
        cr_assert_eq(tx->nrows, n);
        for (size_t t = 0; t < n; t++) {
            const tix_index_row *a = &ix->rows[t], *b = &tx->rows[t];
            cr_assert(memcmp(&a->value_index_se, &b->value_index_se, sizeof(double)) == 0);
            cr_assert(memcmp(&a->volume_index_hi, &b->volume_index_hi, sizeof(double)) == 0);
            cr_assert(memcmp(&a->unit_value_index_lo, &b->unit_value_index_lo, sizeof(double)) ==
                      0);
            cr_assert_eq(a->significant, b->significant);
        }
        tix_index_free(tx);
    }
    double *rep = malloc(G * n * 3 * sizeof *rep), *lnk = malloc(G * n * sizeof *lnk);
    tix_index_opts ro = io;
    ro.ci = 0;
    ro.has_base = 1;
    ro.base = ix->base;
    for (long g = 0; g < G; g++) {
        tix_cube *d = cube_of(r, stats, 0, g);
        tix_index *y;
        cr_assert_eq(tix_index_compute(d, &ro, &y, NULL, 0), TIX_OK);
        cr_assert_eq(y->nrows, n); /* every week has contracts of every group here */
        for (size_t t = 0; t < n; t++) {
            cr_assert_eq(y->rows[t].period, ix->rows[t].period);
            rep[(t * 3 + 0) * G + g] = y->rows[t].value_index;
            rep[(t * 3 + 1) * G + g] = y->rows[t].volume_index;
            rep[(t * 3 + 2) * G + g] = y->rows[t].unit_value_index;
            lnk[t * G + g] =
                t ? log(y->rows[t].value_index / y->rows[t - 1].value_index) : NAN;
        }
        tix_index_free(y);
        tix_cube_free(d);
    }
    double q = gsl_cdf_tdist_Pinv(0.95, G - 1);
    for (size_t t = 0; t < n; t++) {
        const tix_index_row *row_t = &ix->rows[t];
        const double lvl[3] = {row_t->value_index, row_t->volume_index, row_t->unit_value_index};
        const double se[3] = {row_t->value_index_se, row_t->volume_index_se,
                              row_t->unit_value_index_se};
        const double lo[3] = {row_t->value_index_lo, row_t->volume_index_lo,
                              row_t->unit_value_index_lo};
        const double hi[3] = {row_t->value_index_hi, row_t->volume_index_hi,
                              row_t->unit_value_index_hi};
        for (int k = 0; k < 3; k++) {
            double mean = 0, ss = 0;
            for (int g = 0; g < G; g++)
                mean += rep[(t * 3 + k) * G + g] / G;
            for (int g = 0; g < G; g++)
                ss += pow(rep[(t * 3 + k) * G + g] - mean, 2);
            double want = sqrt((G - 1.0) / G * ss);
            cr_assert(fabs(se[k] - want) <= 1e-9 * (1 + want), "row %zu col %d: %.12g vs %.12g", t,
                      k, se[k], want);
            cr_assert(fabs(lo[k] - lvl[k] * exp(-q * want / lvl[k])) <= 1e-9 * lvl[k]);
            cr_assert(fabs(hi[k] - lvl[k] * exp(q * want / lvl[k])) <= 1e-9 * lvl[k]);
        }
        if (t == ix->base_row) {
            cr_assert_eq(row_t->value_index_se, 0);
            cr_assert_eq(row_t->significant, -1);
            continue;
        }
        double mean = 0, ss = 0;
        for (int g = 0; g < G; g++)
            mean += lnk[t * G + g] / G;
        for (int g = 0; g < G; g++)
            ss += pow(lnk[t * G + g] - mean, 2);
        double se_link = sqrt((G - 1.0) / G * ss), z = fabs(log(row_t->change));
        if (fabs(z - q * se_link) > 1e-9) /* not on the edge */
            cr_assert_eq(row_t->significant, z > q * se_link, "row %zu", t);
    }
    free(rep);
    free(lnk);
    tix_index_free(ix);
    tix_cube_free(all);
    free(r);
}

Test(jackknife, chained_fisher_equals_a_direct_recomputation)
{
    check_jackknife(TIX_METHOD_FISHER, 0);
}

Test(jackknife, geks_equals_a_direct_recomputation)
{
    check_jackknife(TIX_METHOD_GEKS_TORNQVIST, 0);
}

Test(jackknife, time_dummy_equals_a_direct_recomputation)
{
    check_jackknife(TIX_METHOD_TIME_DUMMY, TIX_CUBE_STATS_LOGS);
}

Test(jackknife, groups_survive_merges_in_any_order_and_the_tic_format)
{
    row *r = make_rows();
    tix_cube *whole = cube_of(r, TIX_CUBE_STATS_SUMS | TIX_CUBE_STATS_LOGS, G, -1);
    tix_cube_opts o;
    tix_cube_opts_init(&o);
    o.cell_stats = TIX_CUBE_STATS_SUMS | TIX_CUBE_STATS_LOGS;
    o.replicates = G;
    tix_cube *a, *b;
    cr_assert_eq(tix_cube_new(&a, &o), TIX_OK);
    cr_assert_eq(tix_cube_new(&b, &o), TIX_OK);
    for (int i = NROWS - 1; i >= 0; i--) /* reversed, split by parity */
        cr_assert_eq(tix_cube_add_id(i % 2 ? a : b, r[i].day, r[i].cell, strlen(r[i].cell),
                                     r[i].cents, r[i].id, strlen(r[i].id)),
                     TIX_OK);
    cr_assert_eq(tix_cube_merge(b, a), TIX_OK);
    size_t l1, l2, l3;
    char *x = tt_tic_bytes(whole, &l1), *y = tt_tic_bytes(b, &l2);
    cr_assert_eq(l1, l2);
    cr_assert_eq(memcmp(x, y, l1), 0);
    cr_assert_eq(x[8], 3); /* version 3: it has replicate groups */
    /* Read back, the same bytes again. */
    FILE *f = fmemopen(x, l1, "rb");
    tix_cube_opts_init(&o);
    tix_cube *back;
    tix_tic_meta m;
    char err[200];
    cr_assert_eq(tix_tic_read(f, &o, &back, &m, err, sizeof err), TIX_OK, "%s", err);
    fclose(f);
    cr_assert_eq(m.replicates, G);
    cr_assert_eq(tix_cube_replicates(back), G);
    char *z = tt_tic_bytes(back, &l3);
    cr_assert_eq(l3, l1);
    cr_assert_eq(memcmp(x, z, l1), 0);
    tix_tic_meta_free(&m);
    /* A cube without groups is still written as version 2. */
    tix_cube *plain = cube_of(r, 0, 0, -1);
    size_t l4;
    char *w = tt_tic_bytes(plain, &l4);
    cr_assert_eq(w[8], 2);
    free(w);
    free(x);
    free(y);
    free(z);
    tix_cube_free(plain);
    tix_cube_free(back);
    tix_cube_free(a);
    tix_cube_free(b);
    tix_cube_free(whole);
    free(r);
}

Test(jackknife, misuse_is_refused)
{
    tix_cube_opts o;
    tix_cube_opts_init(&o);
    tix_cube *c, *d;
    o.replicates = 1;
    cr_assert_eq(tix_cube_new(&c, &o), TIX_E_INVALID);
    o.replicates = TIX_CUBE_MAX_REPLICATES + 1;
    cr_assert_eq(tix_cube_new(&c, &o), TIX_E_INVALID);
    o.replicates = 4;
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    /* Every contract needs its id. */
    cr_assert_eq(tix_cube_add(c, 19800, "a", 1, 100), TIX_E_INVALID);
    cr_assert_eq(tix_cube_add_id(c, 19800, "a", 1, 100, "x1", 2), TIX_OK);
    o.replicates = 5;
    cr_assert_eq(tix_cube_new(&d, &o), TIX_OK);
    cr_assert_eq(tix_cube_merge(d, c), TIX_E_INVALID); /* 5 groups and 4 */
    tix_cube_free(d);
    o.replicates = 0;
    cr_assert_eq(tix_cube_new(&d, &o), TIX_OK);
    cr_assert_eq(tix_cube_add_id(d, 19800, "a", 1, 100, "x1", 2), TIX_OK);
    cr_assert_eq(tix_cube_finalize(d), TIX_OK);
    tix_cube *rep;
    cr_assert_eq(tix_cube_replicate(d, 0, NULL, &rep), TIX_E_INVALID); /* no groups */
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    cr_assert_eq(tix_cube_replicate(c, 4, NULL, &rep), TIX_E_INVALID); /* g out of range */
    tix_index_opts io;
    tix_index_opts_init(&io);
    io.ci = 1;
    tix_index *ix;
    char err[200] = "";
    cr_assert_eq(tix_index_compute(d, &io, &ix, err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "replicate groups"), "%s", err);
    cr_assert_null(ix);
    /* One contract: its own group's replicate is empty, the others equal
     * the whole; the base row has se 0 and the rest is undefined. */
    cr_assert_eq(tix_index_compute(c, &io, &ix, err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(ix->nrows, 1);
    cr_assert(isnan(ix->rows[0].value_index_se));
    tix_index_free(ix);
    tix_cube_free(c);
    tix_cube_free(d);
}

Test(provisional, the_last_calendar_periods_are_flagged)
{
    row *r = make_rows(); /* 12 weeks from 2024-W01 */
    tix_cube *c = cube_of(r, 0, 0, -1);
    tix_index_opts io;
    tix_index_opts_init(&io);
    io.provisional = 3;
    tix_index *ix;
    cr_assert_eq(tix_index_compute(c, &io, &ix, NULL, 0), TIX_OK);
    cr_assert_eq(ix->nrows, 12);
    for (size_t t = 0; t < 12; t++)
        cr_assert_eq(ix->rows[t].provisional, t >= 9, "row %zu", t);
    tix_index_free(ix);
    /* Up to a cutoff: the periods ending with it, calendar periods. */
    io.has_until = 1;
    io.until = tix_cube_period(c, 7); /* the 8th week */
    cr_assert_eq(tix_index_compute(c, &io, &ix, NULL, 0), TIX_OK);
    cr_assert_eq(ix->nrows, 8);
    for (size_t t = 0; t < 8; t++)
        cr_assert_eq(ix->rows[t].provisional, t >= 5, "row %zu", t);
    tix_index_free(ix);
    io.provisional = 0; /* none */
    cr_assert_eq(tix_index_compute(c, &io, &ix, NULL, 0), TIX_OK);
    for (size_t t = 0; t < ix->nrows; t++)
        cr_assert_eq(ix->rows[t].provisional, 0);
    tix_index_free(ix);
    tix_cube_free(c);
    free(r);
}

/* The contract_id of each pair's largest amount: the same whatever the
 * order of rows and merges, through .tic, the smallest id among ties. */
Test(top_id, the_largest_contract_is_named_whatever_the_order)
{
    row *r = make_rows();
    r[17].cents = INT64_C(900000000000); /* the largest of its pair */
    r[18] = r[17];
    memcpy(r[18].id, "B00001", 7); /* the same amount, a smaller id: it wins */
    r[19] = r[17];
    memcpy(r[19].id, "D00001", 7);
    tix_cube *whole = cube_of(r, 0, 0, -1);
    tix_cube_opts o;
    tix_cube_opts_init(&o);
    tix_cube *a, *b;
    cr_assert_eq(tix_cube_new(&a, &o), TIX_OK);
    cr_assert_eq(tix_cube_new(&b, &o), TIX_OK);
    for (int i = NROWS - 1; i >= 0; i--)
        cr_assert_eq(tix_cube_add_id(i % 3 ? a : b, r[i].day, r[i].cell, strlen(r[i].cell),
                                     r[i].cents, r[i].id, strlen(r[i].id)),
                     TIX_OK);
    cr_assert_eq(tix_cube_merge(a, b), TIX_OK);
    size_t l1, l2;
    char *x = tt_tic_bytes(whole, &l1), *y = tt_tic_bytes(a, &l2);
    cr_assert_eq(l1, l2);
    cr_assert_eq(memcmp(x, y, l1), 0);
    /* Every pair's id is that of a row with its max, the smallest such. */
    FILE *f = fmemopen(x, l1, "rb");
    tix_cube *back;
    tix_tic_meta m;
    char err[200];
    cr_assert_eq(tix_tic_read(f, &o, &back, &m, err, sizeof err), TIX_OK, "%s", err);
    fclose(f);
    tix_tic_meta_free(&m);
    cr_assert_eq(tix_cube_finalize(back), TIX_OK);
    size_t named = 0;
    for (size_t i = 0; i < tix_cube_nperiods(back); i++) {
        size_t n;
        const tix_cube_entry *e = tix_cube_entries(back, i, &n);
        for (size_t k = 0; k < n; k++) {
            int64_t max;
            const char *id;
            size_t len;
            cr_assert(tix_cube_max(back, i, k, &max));
            cr_assert(tix_cube_top_id(back, i, k, &id, &len));
            const char *want = NULL;
            for (int j = 0; j < NROWS; j++)
                if (tix_period_of_day(TIX_PERIOD_WEEK, r[j].day) == tix_cube_period(back, i) &&
                    strcmp(r[j].cell, tix_cube_cell_name(back, e[k].cell)) == 0 &&
                    r[j].cents == max && (!want || strcmp(r[j].id, want) < 0))
                    want = r[j].id;
            cr_assert_not_null(want);
            cr_assert_eq(len, strlen(want));
            cr_assert_eq(memcmp(id, want, len), 0);
            named++;
            if (max == INT64_C(900000000000))
                cr_assert_eq(memcmp(id, "B00001", 6), 0);
        }
    }
    cr_assert_gt(named, 40);
    /* Rows without ids: the cube no longer names its contracts. */
    tix_cube *anon;
    cr_assert_eq(tix_cube_new(&anon, &o), TIX_OK);
    cr_assert_eq(tix_cube_add(anon, r[0].day, "a", 1, 5), TIX_OK);
    cr_assert_eq(tix_cube_finalize(anon), TIX_OK);
    const char *id;
    size_t len;
    cr_assert_eq(tix_cube_top_id(anon, 0, 0, &id, &len), 0);
    tix_cube_free(anon);
    free(x);
    free(y);
    tix_cube_free(back);
    tix_cube_free(a);
    tix_cube_free(b);
    tix_cube_free(whole);
    free(r);
}
