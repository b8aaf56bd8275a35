#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "techidx/period.h"

static int32_t day(int y, int m, int d) { return tix_days_from_civil(y, m, d); }

static void check_label(tix_period_kind k, int y, int m, int d, const char *want)
{
    char got[TIX_PERIOD_LABEL_MAX];
    tix_period_label(k, tix_period_of_day(k, day(y, m, d)), got);
    cr_assert_str_eq(got, want, "%04d-%02d-%02d as %s: got %s, want %s", y, m, d,
                     tix_period_kind_name(k), got, want);
}

Test(period, day_numbers_match_known_epoch_offsets)
{
    cr_assert_eq(day(1970, 1, 1), 0);
    cr_assert_eq(day(1969, 12, 31), -1);
    cr_assert_eq(day(2000, 3, 1), 11017);
    cr_assert_eq(day(2024, 2, 29), 19782);
    cr_assert_eq(day(1, 1, 1), -719162);
    cr_assert_eq(day(9999, 12, 31), 2932896);
}

Test(period, civil_round_trip_over_every_day_1900_to_2100)
{
    for (int32_t n = day(1900, 1, 1); n <= day(2100, 12, 31); n++) {
        int y, m, d;
        tix_civil_from_days(n, &y, &m, &d);
        cr_assert(tix_date_valid(y, m, d));
        cr_assert_eq(day(y, m, d), n);
    }
}

Test(period, calendar_validity)
{
    cr_assert(tix_date_valid(2024, 2, 29));
    cr_assert(tix_date_valid(2000, 2, 29));
    cr_assert_not(tix_date_valid(2023, 2, 29));
    cr_assert_not(tix_date_valid(1900, 2, 29));
    cr_assert_not(tix_date_valid(2024, 4, 31));
    cr_assert_not(tix_date_valid(2024, 13, 1));
    cr_assert_not(tix_date_valid(2024, 0, 10));
    cr_assert_not(tix_date_valid(0, 1, 1));
    cr_assert(tix_date_valid(1, 1, 1));
    cr_assert(tix_date_valid(9999, 12, 31));
    cr_assert_not(tix_date_valid(10000, 1, 1));
}

Test(period, date_parse_accepts_only_real_iso_dates)
{
    int32_t n;
    cr_assert_eq(tix_date_parse("2024-03-11", 10, &n), TIX_OK);
    cr_assert_eq(n, day(2024, 3, 11));
    const char *bad[] = {"2023-02-29", "0000-01-01", "2024-13-01",  "2024/03/11",  "20240311",
                         "2024-3-11",  "2024-03-1",  " 2024-03-11", "2024-03-11 ", "",
                         "abcd-ef-gh", "2024-04-31", "+024-03-11"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(tix_date_parse(bad[i], strlen(bad[i]), &n), TIX_E_INVALID, "accepted '%s'",
                     bad[i]);
    /* The length is honoured: no NUL needed, trailing bytes ignored. */
    cr_assert_eq(tix_date_parse("2024-03-11XYZ", 10, &n), TIX_OK);
}

Test(period, date_parse_agrees_with_civil_calendar_everywhere)
{
    /* Every year 0001-9999, every month 00-13 and day 00-32: the parser
     * accepts exactly the valid dates, at Hinnant's day numbers. */
    char s[40];
    int32_t n;
    long accepted = 0;
    for (int y = 1; y <= 9999; y++)
        for (int m = 0; m <= 13; m++)
            for (int d = 0; d <= 32; d++) {
                snprintf(s, sizeof s, "%04d-%02d-%02d", y, m, d);
                int ok = tix_date_parse(s, 10, &n) == TIX_OK;
                cr_assert_eq(ok, tix_date_valid(y, m, d), "%s", s);
                if (ok) {
                    cr_assert_eq(n, tix_days_from_civil(y, m, d), "%s", s);
                    accepted++;
                }
            }
    cr_assert_eq(accepted, 3652059L, "days in 0001-01-01..9999-12-31");
}

Test(period, iso_weeks_at_year_boundaries)
{
    check_label(TIX_PERIOD_WEEK, 2021, 1, 3, "2020-W53"); /* the example */
    check_label(TIX_PERIOD_WEEK, 2021, 1, 4, "2021-W01");
    check_label(TIX_PERIOD_WEEK, 2020, 12, 31, "2020-W53");
    check_label(TIX_PERIOD_WEEK, 2019, 12, 30, "2020-W01"); /* Monday before New Year */
    check_label(TIX_PERIOD_WEEK, 2019, 12, 29, "2019-W52");
    check_label(TIX_PERIOD_WEEK, 2008, 12, 29, "2009-W01");
    check_label(TIX_PERIOD_WEEK, 2010, 1, 3, "2009-W53");
    check_label(TIX_PERIOD_WEEK, 2027, 1, 1, "2026-W53");
    check_label(TIX_PERIOD_WEEK, 2024, 3, 11, "2024-W11");
    check_label(TIX_PERIOD_WEEK, 2024, 12, 30, "2025-W01");
    check_label(TIX_PERIOD_WEEK, 1, 1, 1, "0001-W01"); /* a Monday */
    check_label(TIX_PERIOD_WEEK, 9999, 12, 31, "9999-W52");
    check_label(TIX_PERIOD_WEEK, 1969, 12, 31, "1970-W01"); /* before the epoch */
}

Test(period, week_ordinals_are_consecutive_across_years)
{
    int32_t a = tix_period_of_day(TIX_PERIOD_WEEK, day(2020, 12, 28));
    int32_t b = tix_period_of_day(TIX_PERIOD_WEEK, day(2021, 1, 3));
    int32_t c = tix_period_of_day(TIX_PERIOD_WEEK, day(2021, 1, 4));
    cr_assert_eq(a, b);
    cr_assert_eq(c, a + 1);
    cr_assert_eq(tix_period_first_day(TIX_PERIOD_WEEK, c), day(2021, 1, 4));
}

Test(period, other_kinds_label_and_first_day)
{
    check_label(TIX_PERIOD_DAY, 2024, 3, 11, "2024-03-11");
    check_label(TIX_PERIOD_MONTH, 2024, 3, 11, "2024-03");
    check_label(TIX_PERIOD_QUARTER, 2024, 3, 31, "2024-Q1");
    check_label(TIX_PERIOD_QUARTER, 2024, 4, 1, "2024-Q2");
    check_label(TIX_PERIOD_QUARTER, 2024, 12, 31, "2024-Q4");
    check_label(TIX_PERIOD_YEAR, 2024, 12, 31, "2024");
    cr_assert_eq(tix_period_of_day(TIX_PERIOD_MONTH, day(2024, 1, 1)),
                 tix_period_of_day(TIX_PERIOD_MONTH, day(2023, 12, 31)) + 1);
    cr_assert_eq(tix_period_first_day(TIX_PERIOD_MONTH,
                                      tix_period_of_day(TIX_PERIOD_MONTH, day(2024, 2, 29))),
                 day(2024, 2, 1));
    cr_assert_eq(tix_period_first_day(TIX_PERIOD_QUARTER,
                                      tix_period_of_day(TIX_PERIOD_QUARTER, day(2024, 8, 15))),
                 day(2024, 7, 1));
    cr_assert_eq(tix_period_first_day(TIX_PERIOD_YEAR, 2024), day(2024, 1, 1));
}

Test(period, labels_parse_back_to_their_ordinals)
{
    for (int k = TIX_PERIOD_DAY; k <= TIX_PERIOD_YEAR; k++) {
        int32_t first = tix_period_of_day((tix_period_kind)k, day(2019, 6, 1));
        int32_t last = tix_period_of_day((tix_period_kind)k, day(2027, 6, 1));
        for (int32_t o = first; o <= last; o++) {
            char label[TIX_PERIOD_LABEL_MAX];
            int32_t back;
            tix_period_label((tix_period_kind)k, o, label);
            cr_assert_eq(tix_period_parse((tix_period_kind)k, label, &back), TIX_OK, "%s", label);
            cr_assert_eq(back, o, "%s", label);
        }
    }
}

Test(period, bad_labels_are_refused)
{
    int32_t o;
    cr_assert_eq(tix_period_parse(TIX_PERIOD_WEEK, "2021-W53", &o), TIX_E_INVALID); /* 52 weeks */
    cr_assert_eq(tix_period_parse(TIX_PERIOD_WEEK, "2020-W53", &o), TIX_OK);
    cr_assert_eq(tix_period_parse(TIX_PERIOD_WEEK, "2024-W00", &o), TIX_E_INVALID);
    cr_assert_eq(tix_period_parse(TIX_PERIOD_WEEK, "2024-11", &o), TIX_E_INVALID);
    cr_assert_eq(tix_period_parse(TIX_PERIOD_MONTH, "2024-13", &o), TIX_E_INVALID);
    cr_assert_eq(tix_period_parse(TIX_PERIOD_QUARTER, "2024-Q5", &o), TIX_E_INVALID);
    cr_assert_eq(tix_period_parse(TIX_PERIOD_YEAR, "24", &o), TIX_E_INVALID);
    cr_assert_eq(tix_period_parse(TIX_PERIOD_DAY, "2023-02-29", &o), TIX_E_INVALID);
}

Test(period, kind_names)
{
    tix_period_kind k;
    cr_assert_eq(tix_period_kind_parse("quarter", &k), TIX_OK);
    cr_assert_eq(k, TIX_PERIOD_QUARTER);
    cr_assert_eq(tix_period_kind_parse("weekly", &k), TIX_E_INVALID);
    cr_assert_str_eq(tix_period_kind_name(TIX_PERIOD_WEEK), "week");
}
