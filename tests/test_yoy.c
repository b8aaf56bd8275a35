#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "techidx/index.h"
#include "techidx/yoy.h"

#define TOL 1e-12

/* One contract of `yuan` in cell `cell` signed on y-m-d. */
static void add(tix_cube *c, int y, int m, int d, const char *cell, int yuan)
{
    cr_assert_eq(
        tix_cube_add(c, tix_days_from_civil(y, m, d), cell, strlen(cell), (int64_t)yuan * 100),
        TIX_OK);
}

static tix_cube *cube_of(tix_period_kind kind)
{
    tix_cube_opts o;
    tix_cube *c;
    tix_cube_opts_init(&o);
    o.period = kind;
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    return c;
}

static tix_index *yoy_of(tix_cube *c, tix_method m)
{
    tix_index_opts o;
    tix_index *ix;
    char err[256];
    tix_index_opts_init(&o);
    o.method = m;
    o.year_over_year = 1;
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    cr_assert_eq(tix_index_compute(c, &o, &ix, err, sizeof err), TIX_OK, "%s", err);
    return ix;
}

static int32_t month(int y, int m) { return (int32_t)y * 12 + (m - 1); }

/* Two cells, three years of months. January in every year, February not in
 * 2022, March only in 2022:
 *   2021-01 A 2 x 100, B 1 x 300    2021-02 A 1 x 100, B 1 x 200
 *   2022-01 A 3 x 120, B 2 x 250    2022-03 A 1 x 50
 *   2023-01 A 1 x 150, B 1 x 330    2023-02 A 2 x 110, B 1 x 260
 * January chains 2021 -> 2022 -> 2023; February links 2023 to 2021
 * directly; March is 100 alone. Fisher unit value links by hand:
 *   Jan 21->22 L = (120*2 + 250) / 500,  P = 860 / (100*3 + 300*2)
 *   Jan 22->23 L = (150*3 + 330*2) / 860, P = 480 / (120 + 250)
 *   Feb 21->23 L = (110 + 260) / 300,    P = 480 / (200 + 200). */
Test(yoy, months_by_hand)
{
    tix_cube *c = cube_of(TIX_PERIOD_MONTH);
    add(c, 2021, 1, 5, "A", 100), add(c, 2021, 1, 6, "A", 100), add(c, 2021, 1, 7, "B", 300);
    add(c, 2021, 2, 5, "A", 100), add(c, 2021, 2, 9, "B", 200);
    for (int i = 0; i < 3; i++)
        add(c, 2022, 1, 10 + i, "A", 120);
    add(c, 2022, 1, 20, "B", 250), add(c, 2022, 1, 21, "B", 250);
    add(c, 2022, 3, 1, "A", 50);
    add(c, 2023, 1, 2, "A", 150), add(c, 2023, 1, 3, "B", 330);
    add(c, 2023, 2, 2, "A", 110), add(c, 2023, 2, 3, "A", 110), add(c, 2023, 2, 4, "B", 260);
    tix_index *ix = yoy_of(c, TIX_METHOD_FISHER);

    static const int season[] = {1, 1, 1, 2, 2, 3};
    const int32_t period[] = {month(2021, 1), month(2022, 1), month(2023, 1),
                              month(2021, 2), month(2023, 2), month(2022, 3)};
    cr_assert_eq(ix->nrows, 6);
    for (size_t t = 0; t < 6; t++) {
        cr_assert_eq(ix->rows[t].season, season[t], "row %zu", t);
        cr_assert_eq(ix->rows[t].period, period[t], "row %zu", t);
    }
    double j1 = sqrt(490.0 / 500 * 860.0 / 900), j2 = sqrt(1110.0 / 860 * 480.0 / 370);
    double f = sqrt(370.0 / 300 * 480.0 / 400);
    cr_assert_eq(ix->rows[0].unit_value_index, 100.0);
    cr_assert_float_eq(ix->rows[1].unit_value_index, 100 * j1, TOL * 100);
    cr_assert_float_eq(ix->rows[2].unit_value_index, 100 * j1 * j2, TOL * 100);
    cr_assert_eq(ix->rows[3].unit_value_index, 100.0);
    cr_assert_float_eq(ix->rows[4].unit_value_index, 100 * f, TOL * 100);
    cr_assert_eq(ix->rows[5].unit_value_index, 100.0);
    cr_assert_eq(ix->rows[5].value_index, 100.0);
    /* value: the season's totals; volume: value over unit value (Fisher) */
    cr_assert_float_eq(ix->rows[1].value_index, 100 * 860.0 / 500, TOL * 100);
    cr_assert_float_eq(ix->rows[4].value_index, 100 * 480.0 / 300, TOL * 100);
    cr_assert_float_eq(ix->rows[4].volume_index * ix->rows[4].unit_value_index,
                       ix->rows[4].value_index * 100, 1e-9);
    /* link: the change from the season's previous year; none for a first year */
    cr_assert(isnan(ix->rows[0].change) && isnan(ix->rows[3].change) && isnan(ix->rows[5].change));
    cr_assert_float_eq(ix->rows[2].change, 480.0 / 860, TOL);
    cr_assert_eq(ix->rows[4].matched, 2);

    /* Contributions are to the link with the season's previous row. */
    tix_contribution k[2];
    size_t n;
    cr_assert_eq(tix_index_contributions(ix, 3, k, &n), TIX_E_NODATA);
    cr_assert_eq(tix_index_contributions(ix, 4, k, &n), TIX_OK);
    cr_assert_eq(n, 2);
    cr_assert_float_eq(k[0].unit_value_pp + k[1].unit_value_pp, 100 * (f - 1), 1e-10);
    /* A cell's sub-index is against its season's first year. */
    tix_cell_index ci;
    tix_index_cell(ix, 4, 1, &ci); /* B, 2023-02 against 2021-02 */
    cr_assert_float_eq(ci.unit_value_index, 100 * 260.0 / 200, TOL * 100);
    tix_index_free(ix);
    tix_cube_free(c);
}

/* A season's series is the chosen method over that season's periods
 * alone: February's Laspeyres and fixed-base Jevons from their formulas. */
Test(yoy, method_and_chain_per_season)
{
    tix_cube *c = cube_of(TIX_PERIOD_QUARTER);
    add(c, 2020, 2, 1, "A", 100), add(c, 2020, 2, 2, "B", 200); /* Q1 */
    add(c, 2020, 5, 1, "A", 999);                               /* Q2: its own series */
    add(c, 2021, 2, 1, "A", 110), add(c, 2021, 2, 2, "A", 110), add(c, 2021, 2, 3, "B", 180);
    add(c, 2022, 2, 1, "A", 121), add(c, 2022, 2, 2, "B", 240);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    tix_index_opts o;
    tix_index *ix;
    tix_index_opts_init(&o);
    o.year_over_year = 1;
    o.method = TIX_METHOD_JEVONS;
    o.chain = TIX_CHAIN_FIXED;
    cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_OK);
    cr_assert_eq(ix->nrows, 4);
    cr_assert_eq(ix->rows[3].season, 2);
    cr_assert_float_eq(ix->rows[1].unit_value_index, 100 * sqrt(1.1 * 0.9), TOL * 100);
    cr_assert_float_eq(ix->rows[2].unit_value_index, 100 * sqrt(1.21 * 1.2), TOL * 100);
    tix_index_free(ix);
    o.method = TIX_METHOD_LASPEYRES;
    o.chain = TIX_CHAIN_CHAINED;
    cr_assert_eq(tix_index_compute(c, &o, &ix, NULL, 0), TIX_OK);
    /* 2020 -> 2021: n0 = (1, 1); 2021 -> 2022: n0 = (2, 1) */
    double l1 = (110.0 + 180) / 300, l2 = (121.0 * 2 + 240) / (110.0 * 2 + 180);
    cr_assert_float_eq(ix->rows[2].unit_value_index, 100 * l1 * l2, TOL * 100);
    tix_index_free(ix);
    tix_cube_free(c);
}

/* ISO week 53 (2015 and 2020 have one, 2016 not) is compared only with
 * other weeks 53: 2020-W53 links to 2015-W53 directly. */
Test(yoy, week_53_is_its_own_season)
{
    tix_cube *c = cube_of(TIX_PERIOD_WEEK);
    add(c, 2015, 12, 21, "A", 100), add(c, 2015, 12, 22, "B", 100); /* 2015-W52 */
    add(c, 2015, 12, 28, "A", 100), add(c, 2016, 1, 3, "B", 400);   /* 2015-W53 */
    add(c, 2016, 12, 26, "A", 200), add(c, 2016, 12, 27, "B", 100); /* 2016-W52 */
    add(c, 2020, 12, 21, "A", 300), add(c, 2020, 12, 22, "B", 100); /* 2020-W52 */
    add(c, 2020, 12, 28, "A", 150), add(c, 2021, 1, 3, "B", 200);   /* 2020-W53 */
    tix_index *ix = yoy_of(c, TIX_METHOD_JEVONS);
    cr_assert_eq(ix->nrows, 5);
    static const int season[] = {52, 52, 52, 53, 53};
    for (size_t t = 0; t < 5; t++)
        cr_assert_eq(ix->rows[t].season, season[t], "row %zu", t);
    char label[TIX_PERIOD_LABEL_MAX];
    tix_period_label(ix->kind, ix->rows[4].period, label);
    cr_assert_str_eq(label, "2020-W53");
    tix_period_label(ix->kind, ix->rows[2].period, label);
    cr_assert_str_eq(label, "2020-W52");
    cr_assert_float_eq(ix->rows[2].unit_value_index, 100 * sqrt(3.0 * 1.0), TOL * 100);
    cr_assert_float_eq(ix->rows[4].unit_value_index, 100 * sqrt(1.5 * 0.5), TOL * 100);
    tix_index_free(ix);
    tix_cube_free(c);
}

Test(yoy, seasons_and_labels)
{
    char s[TIX_YOY_LABEL_MAX];
    cr_assert_eq(tix_yoy_season(TIX_PERIOD_MONTH, month(2024, 3)), 3);
    cr_assert_eq(tix_yoy_season(TIX_PERIOD_MONTH, month(1, 12)), 12);
    cr_assert_eq(tix_yoy_season(TIX_PERIOD_QUARTER, 2024 * 4 + 1), 2);
    cr_assert_eq(
        tix_yoy_season(TIX_PERIOD_WEEK,
                       tix_period_of_day(TIX_PERIOD_WEEK, tix_days_from_civil(2021, 1, 3))),
        53);
    cr_assert_eq(
        tix_yoy_season(TIX_PERIOD_WEEK,
                       tix_period_of_day(TIX_PERIOD_WEEK, tix_days_from_civil(2021, 1, 4))),
        1);
    cr_assert_eq(tix_yoy_season(TIX_PERIOD_DAY, 12345), 0);
    cr_assert_eq(tix_yoy_seasons(TIX_PERIOD_YEAR), 0);
    tix_yoy_label(TIX_PERIOD_MONTH, 1, s);
    cr_assert_str_eq(s, "01");
    tix_yoy_label(TIX_PERIOD_QUARTER, 4, s);
    cr_assert_str_eq(s, "Q4");
    tix_yoy_label(TIX_PERIOD_WEEK, 53, s);
    cr_assert_str_eq(s, "W53");
    tix_yoy_label(TIX_PERIOD_QUARTER, 5, s);
    cr_assert_str_eq(s, "");
    tix_yoy_label(TIX_PERIOD_DAY, 1, s);
    cr_assert_str_eq(s, "");
}

Test(yoy, refusals)
{
    tix_index_opts o;
    tix_index *ix = (tix_index *)&o;
    char err[256];
    tix_index_opts_init(&o);
    o.year_over_year = 1;
    tix_cube *c = cube_of(TIX_PERIOD_DAY);
    add(c, 2021, 1, 1, "A", 1);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    cr_assert_eq(tix_index_compute(c, &o, &ix, err, sizeof err), TIX_E_INVALID);
    cr_assert_null(ix);
    cr_assert(strstr(err, "`year-over-year`"));
    tix_cube_free(c);
    c = cube_of(TIX_PERIOD_MONTH);
    add(c, 2021, 1, 1, "A", 1);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    o.has_base = 1;
    o.base = month(2021, 1);
    cr_assert_eq(tix_index_compute(c, &o, &ix, err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "`base`"));
    tix_cube_free(c);
}
