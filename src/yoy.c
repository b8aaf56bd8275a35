/* Year-over-year: one index per season over that season's periods.
 *
 * IndexNumR's yearOverYearIndexes (0.6.0, R/groups.R) numbers the periods
 * from the first to the last, gives period t the season ((t - first) mod
 * 12) + 1 (or 4), and runs the chosen index function on the subset of
 * each season alone, with the same arguments: a season's series links its
 * periods with data, one after the other, whatever the years between.
 * Here the season is the calendar's (tix_yoy_season), which is the same
 * thing when the data start in January (or Q1), and stays right when they
 * do not; ISO weeks have no fixed count per year, so week 53 is a season
 * of its own. Each season's series is exactly tix_index_compute over its
 * periods, so the method, chain, min-contracts and winsorizing (the caps
 * come from the whole cube's trailing windows, as without year-over-year)
 * all apply as they do to the whole series. */
#include "techidx/yoy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index_internal.h"

static int32_t floor_div(int32_t a, int32_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int tix_yoy_seasons(tix_period_kind kind)
{
    switch (kind) {
    case TIX_PERIOD_WEEK:
        return 53;
    case TIX_PERIOD_MONTH:
        return 12;
    case TIX_PERIOD_QUARTER:
        return 4;
    default:
        return 0;
    }
}

int tix_yoy_season(tix_period_kind kind, int32_t ord)
{
    int y, w;
    switch (kind) {
    case TIX_PERIOD_WEEK:
        tix_iso_week(tix_period_first_day(kind, ord), &y, &w);
        return w;
    case TIX_PERIOD_MONTH:
        return (int)(ord - floor_div(ord, 12) * 12) + 1;
    case TIX_PERIOD_QUARTER:
        return (int)(ord - floor_div(ord, 4) * 4) + 1;
    default:
        return 0;
    }
}

void tix_yoy_label(tix_period_kind kind, int season, char *out)
{
    out[0] = '\0';
    if (season < 1 || season > tix_yoy_seasons(kind))
        return;
    snprintf(out, TIX_YOY_LABEL_MAX,
             kind == TIX_PERIOD_MONTH     ? "%02d"
             : kind == TIX_PERIOD_QUARTER ? "Q%d"
                                          : "W%02d",
             season);
}

/* Appends the rows and entries of sub, season s, to ix (room made by the
 * caller); *nr and *ne count what ix holds. */
static void append(tix_index *ix, const tix_index *sub, int s, size_t *nr, size_t *ne)
{
    for (size_t t = 0; t < sub->nrows; t++) {
        ix->rows[*nr + t] = sub->rows[t];
        ix->rows[*nr + t].season = s;
        ix->entry_start[*nr + t] = *ne + sub->entry_start[t];
    }
    size_t n = sub->entry_start[sub->nrows];
    memcpy(ix->entries + *ne, sub->entries, n * sizeof *ix->entries);
    *nr += sub->nrows;
    *ne += n;
}

tix_status index_year_over_year(const tix_cube *cube, const tix_cube *hcube,
                                const tix_index_opts *opts, tix_index **out,
                                char *err, size_t errlen)
{
    tix_period_kind kind = tix_cube_period_kind(cube);
    int ns = tix_yoy_seasons(kind);
    *out = NULL;
    if (ns == 0) {
        if (err)
            snprintf(err, errlen, "`year-over-year` needs `period` month, quarter or week, not %s",
                     tix_period_kind_name(kind));
        return TIX_E_INVALID;
    }
    if (opts->has_base) {
        if (err)
            snprintf(err, errlen,
                     "`base` does not apply with `year-over-year`: each season is 100 in its "
                     "first year with data");
        return TIX_E_INVALID;
    }
    size_t np = tix_cube_nperiods(cube);
    while (opts->has_until && np > 0 && tix_cube_period(cube, np - 1) > opts->until)
        np--;
    if (np == 0) {
        if (err)
            snprintf(err, errlen, "no accepted rows: nothing to index");
        return TIX_E_NODATA;
    }
    /* A season's series has one period a year: a GEKS window left to its
     * default is the yearly one, not 13 months or 53 weeks of seasons. */
    tix_index_opts so = *opts;
    so.year_over_year = 0;
    if (so.window == 0)
        so.window = tix_geks_default_window(TIX_PERIOD_YEAR);
    if (so.winsor_window == 0)
        so.winsor_window = tix_geks_default_window(kind);

    size_t *sel = malloc(np * sizeof *sel), all = 0;
    int *season = malloc(np * sizeof *season);
    tix_index *ix = calloc(1, sizeof *ix), *sub = NULL;
    tix_status st = TIX_E_NOMEM;
    size_t nr = 0, ne = 0;
    for (size_t t = 0; t < np; t++) {
        size_t n;
        tix_cube_entries(cube, t, &n);
        all += n;
    }
    if (!sel || !season || !ix || !(ix->rows = calloc(np, sizeof *ix->rows)) ||
        !(ix->entries = malloc((all ? all : 1) * sizeof *ix->entries)) ||
        !(ix->entry_start = malloc((np + 1) * sizeof *ix->entry_start)))
        goto fail;
    for (size_t t = 0; t < np; t++)
        season[t] = tix_yoy_season(kind, tix_cube_period(cube, t));
    for (int s = 1; s <= ns; s++) {
        size_t k = 0;
        for (size_t t = 0; t < np; t++)
            if (season[t] == s)
                sel[k++] = t;
        if (k == 0)
            continue;
        if ((st = index_of_periods(cube, hcube, &so, sel, k, &sub, err, errlen)) != TIX_OK)
            goto fail;
        if (nr == 0) { /* the options as used, and the first season's base */
            ix->opts = sub->opts;
            ix->base = sub->base;
        }
        append(ix, sub, s, &nr, &ne);
        tix_index_free(sub);
        sub = NULL;
    }
    ix->entry_start[nr] = ne;
    ix->kind = kind;
    ix->method = opts->method;
    ix->opts.year_over_year = 1;
    ix->base_row = 0;
    ix->nrows = nr;
    free(sel);
    free(season);
    *out = ix;
    return TIX_OK;
fail:
    free(sel);
    free(season);
    tix_index_free(sub);
    tix_index_free(ix);
    return st;
}
