/* Year-over-year indexes: the periods of each season (a month of the
 * year, a quarter, an ISO week number) form a series of their own, one
 * period a year, computed by the chosen method over that season's
 * periods only, as IndexNumR's yearOverYearIndexes (0.6.0, R/groups.R).
 * Each season is 100 in its first year with data; ISO week 53 is a season
 * of its own, compared only with the other years that have a week 53.
 * tix_index_compute does it when tix_index_opts.year_over_year is set
 * (docs/methodology.md, "Year-over-year"). */
#ifndef TECHIDX_YOY_H
#define TECHIDX_YOY_H

#include <stdint.h>

#include "techidx/api.h"
#include "techidx/period.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most seasons of a period kind: 12 months, 4 quarters, 53 weeks. */
#define TIX_YOY_MAX_SEASONS 53

/* Longest season label plus NUL ("W53"). */
#define TIX_YOY_LABEL_MAX 8

/* The number of seasons a year has for kind: 12 (month), 4 (quarter), 53
 * (ISO week), 0 for the kinds year-over-year does not take (day, year). */
TIX_API int tix_yoy_seasons(tix_period_kind kind);

/* The season of period ord of kind: its month of the year (1..12), its
 * quarter (1..4) or its ISO week number (1..53); 0 for day and year. */
TIX_API int tix_yoy_season(tix_period_kind kind, int32_t ord);

/* Writes the season's label into out (TIX_YOY_LABEL_MAX bytes): "01".."12"
 * for months, "Q1".."Q4", "W01".."W53"; "" when kind has no seasons. */
TIX_API void tix_yoy_label(tix_period_kind kind, int season, char *out);

#ifdef __cplusplus
}
#endif
#endif
