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

Test(period, date_parse_checks_every_byte_of_every_position)
{
    /* Each of the ten bytes of valid dates (inside and outside the years
     * 1901-2099 that the parser reads without a division) set to each of
     * the 256 values: accepted exactly when it is still a digit or a dash
     * where one belongs and the date is valid, and then at its day number. */
    const char *dates[] = {"2024-02-29", "1999-12-31", "1901-01-01", "2099-12-31",
                           "1900-02-28", "2100-03-01", "0001-01-01", "9999-12-31"};
    long accepted = 0;
    for (size_t k = 0; k < sizeof dates / sizeof dates[0]; k++)
        for (int i = 0; i < 10; i++)
            for (int c = 0; c < 256; c++) {
                char s[11];
                memcpy(s, dates[k], 11);
                s[i] = (char)c;
                int shaped = i == 4 || i == 7 ? c == '-' : c >= '0' && c <= '9';
                int y = 0, m = 0, d = 0;
                if (shaped)
                    shaped = sscanf(s, "%4d-%2d-%2d", &y, &m, &d) == 3 && tix_date_valid(y, m, d);
                int32_t n;
                tix_status st = tix_date_parse(s, 10, &n);
                cr_assert_eq(st == TIX_OK, shaped, "'%s' (byte %d = 0x%02x)", s, i, c);
                if (shaped) {
                    cr_assert_eq(n, tix_days_from_civil(y, m, d), "%s", s);
                    accepted++;
                }
            }
    cr_assert_gt(accepted, 400);
}

Test(period, week_ordinals_are_floored_for_every_day_number)
{
    /* Week 0 starts on Monday 1970-01-05; the ordinal is floor((day - 4) / 7),
     * before 1970 and at both ends of int32 too. */
    const int32_t ends[] = {INT32_MIN, INT32_MIN + 1, INT32_MIN + 7, INT32_MAX - 7, INT32_MAX};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        int64_t a = (int64_t)ends[i] - 4, q = a / 7 - (a % 7 < 0);
        cr_assert_eq(tix_period_of_day(TIX_PERIOD_WEEK, ends[i]), q, "day %d", (int)ends[i]);
    }
    for (int32_t dn = -800000; dn <= 3000000; dn++) {
        int64_t a = (int64_t)dn - 4, q = a / 7 - (a % 7 < 0);
        if (tix_period_of_day(TIX_PERIOD_WEEK, dn) != q)
            cr_assert_fail("day %d: week %d, not %lld", (int)dn,
                           (int)tix_period_of_day(TIX_PERIOD_WEEK, dn), (long long)q);
    }
    cr_assert_eq(tix_period_of_day(TIX_PERIOD_WEEK, day(1970, 1, 5)), 0);
    cr_assert_eq(tix_period_of_day(TIX_PERIOD_WEEK, day(1970, 1, 4)), -1);
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

/* ---- the forms registries export (tix_date_parse_any) ---- */

static void any_ok(const char *s, int y, int m, int d)
{
    int32_t n = -1;
    cr_assert_eq(tix_date_parse_any(s, strlen(s), &n), TIX_OK, "refused '%s'", s);
    cr_assert_eq(n, day(y, m, d), "'%s': day %d", s, (int)n);
}

static void any_bad(const char *s)
{
    int32_t n = 12345;
    cr_assert_eq(tix_date_parse_any(s, strlen(s), &n), TIX_E_INVALID, "accepted '%s'", s);
    cr_assert_eq(n, 12345, "'%s' changed the day", s);
}

Test(period, date_parse_any_reads_every_form_as_the_date_written)
{
    const char *forms[] = {"2024-03-05",
                           "2024/03/05",
                           "20240305",
                           "2024-03-05 10:30",
                           "2024-03-05 10:30:59",
                           "2024-03-05T10:30:59.123456",
                           "2024-03-05T23:59:60Z",
                           "2024-03-05T00:00:00+08:00",
                           "2024/03/05 00:00+0800",
                           "20240305T10:30-05:00",
                           "20240305 10:30:00.5-0530",
                           "2024-03-05T10:30Z"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        any_ok(forms[i], 2024, 3, 5);
    /* No time zone is applied: late on the 5th at -05:00 is still the 5th. */
    any_ok("2024-03-05T23:30:00-05:00", 2024, 3, 5);
    any_ok("2024/02/29", 2024, 2, 29);
    any_ok("20000229", 2000, 2, 29);
    any_ok("0001/01/01 00:00", 1, 1, 1);
    any_ok("99991231T23:59:59Z", 9999, 12, 31);
}

Test(period, date_parse_any_refuses_unreal_dates_times_offsets_and_junk)
{
    const char *bad[] = {
        "2023/02/29",
        "19000229",
        "2024-02-30 10:00",
        "2024/13/01",
        "00000101", /* dates */
        "2024/3/5",
        "2024/3/05",
        "2024-3-5",
        "202435",
        "2024-03/05",
        "2024/03-05",
        "24/03/05",
        "05/03/2024",
        "2024.03.05",
        "2024-03-05 24:00",
        "2024-03-05 25:00",
        "2024-03-05 12:60", /* times */
        "2024-03-05 12:30:61",
        "2024-03-05 1:30",
        "2024-03-05 12:3",
        "2024-03-05 12",
        "2024-03-05 12:30:",
        "2024-03-05 12:30:00.",
        "2024-03-05T12:30.5",
        "2024-03-05 12:30+8",
        "2024-03-05 12:30+08",
        "2024-03-05 12:30+24:00", /* offsets */
        "2024-03-05 12:30+08:60",
        "2024-03-05 12:30+08:0",
        "2024-03-05 12:30+080",
        "2024-03-05 12:30+08:00:00",
        "2024-03-05 12:30 +08:00",
        "2024-03-05 12:30z",
        "2024-03-05 12:30ZZ",
        "2024-03-05 12:30Z+08:00",
        "2024-03-05 ",
        "2024-03-05T",
        "2024-03-05x",
        "20240305 ",
        "2024030512", /* junk */
        " 2024-03-05",
        "2024-03-05  10:30",
        "2024-03-05t10:30",
        "",
        "2024",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        any_bad(bad[i]);
}

Test(period, date_parse_stays_strict_for_the_options)
{
    int32_t n;
    cr_assert_eq(tix_date_parse("2024/03/05", 10, &n), TIX_E_INVALID);
    cr_assert_eq(tix_date_parse("20240305", 8, &n), TIX_E_INVALID);
    cr_assert_eq(tix_period_parse(TIX_PERIOD_DAY, "2024/03/05", &n), TIX_E_INVALID);
}

/* ---- --date-format (tix_date_pattern_*) ---- */

static void pat_ok(const char *fmt, const char *s, int y, int m, int d)
{
    tix_date_pattern p;
    char err[256];
    int32_t n = -1;
    cr_assert_eq(tix_date_pattern_compile(&p, fmt, err, sizeof err), TIX_OK, "%s: %s", fmt, err);
    cr_assert_eq(tix_date_pattern_parse(&p, s, strlen(s), &n), TIX_OK, "%s refused '%s'", fmt, s);
    cr_assert_eq(n, day(y, m, d), "%s '%s'", fmt, s);
}

static void pat_bad(const char *fmt, const char *s)
{
    tix_date_pattern p;
    char err[256];
    int32_t n = 777;
    cr_assert_eq(tix_date_pattern_compile(&p, fmt, err, sizeof err), TIX_OK, "%s: %s", fmt, err);
    cr_assert_eq(tix_date_pattern_parse(&p, s, strlen(s), &n), TIX_E_INVALID, "%s accepted '%s'",
                 fmt, s);
    cr_assert_eq(n, 777);
}

Test(period, date_pattern_reads_literals_byte_for_byte_and_one_or_two_digits)
{
    pat_ok("%Y年%m月%d日", "2024年03月05日", 2024, 3, 5);
    pat_ok("%Y年%m月%d日", "2024年3月5日", 2024, 3, 5);
    pat_ok("%d.%m.%Y", "05.03.2024", 2024, 3, 5);
    pat_ok("%d.%m.%Y", "5.3.2024", 2024, 3, 5);
    pat_ok("%m/%d/%Y %H:%M", "03/05/2024 23:59", 2024, 3, 5);
    pat_ok("%m/%d/%Y %H:%M:%S", "3/5/2024 0:0:60", 2024, 3, 5);
    pat_ok("%Y/%m/%d", "2024/3/5", 2024, 3, 5);
    pat_ok("%Y%m%d", "20240305", 2024, 3, 5);
    pat_ok("%Y%m%d", "2024125", 2024, 12, 5); /* greedy: 12, then 5 */
    pat_ok("%%%Y-%m-%d%%", "%2024-03-05%", 2024, 3, 5);
    pat_ok("%d.%m.%Y", "29.02.2024", 2024, 2, 29);
}

Test(period, date_pattern_refuses_what_does_not_match_whole)
{
    pat_bad("%Y年%m月%d日", "2024-03-05");
    pat_bad("%Y年%m月%d日", "2024年03月05日 ");
    pat_bad("%Y年%m月%d日", "2024年03月05");
    pat_bad("%Y年%m月%d日", "2024年003月05日");
    pat_bad("%d.%m.%Y", "29.02.2023");
    pat_bad("%d.%m.%Y", "31.04.2024");
    pat_bad("%d.%m.%Y", "05.03.24");
    pat_bad("%d.%m.%Y", "05.03.20245");
    pat_bad("%d.%m.%Y", "..2024");
    pat_bad("%d.%m.%Y", "00.03.2024");
    pat_bad("%m/%d/%Y %H:%M", "03/05/2024 24:00");
    pat_bad("%m/%d/%Y %H:%M", "03/05/2024 25:00");
    pat_bad("%m/%d/%Y %H:%M", "03/05/2024 12:60");
    pat_bad("%m/%d/%Y %H:%M:%S", "03/05/2024 12:00:61");
    pat_bad("%m/%d/%Y %H:%M", "03/05/2024");
    pat_bad("%Y%m%d", "20241305");
    pat_bad("%Y%m%d", "");
}

Test(period, date_pattern_compile_refuses_bad_patterns_naming_the_option)
{
    const char *bad[] = {"%Y-%m", "%m-%d",       "%Y-%m-%d %q", "%Y-%m-%d%",
                         "",      "%Y-%m-%d-%Y", "%y-%m-%d",    "no conversions"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tix_date_pattern p;
        char err[256] = "";
        cr_assert_eq(tix_date_pattern_compile(&p, bad[i], err, sizeof err), TIX_E_INVALID,
                     "compiled '%s'", bad[i]);
        cr_assert(strstr(err, "`date-format`") != NULL, "%s: %s", bad[i], err);
    }
    char longer[300];
    memset(longer, 'x', sizeof longer);
    memcpy(longer, "%Y%m%d", 6);
    longer[sizeof longer - 1] = '\0';
    tix_date_pattern p;
    cr_assert_eq(tix_date_pattern_compile(&p, longer, NULL, 0), TIX_E_INVALID);
}

Test(period, date_parse_any_agrees_with_the_calendar_in_every_form)
{
    /* As date_parse_agrees_with_civil_calendar_everywhere, for the slash
     * and compact forms and with a time, over every 7th year. */
    char s[4][64];
    int32_t n;
    for (int y = 1; y <= 9999; y += 7)
        for (int m = 0; m <= 13; m++)
            for (int d = 0; d <= 32; d++) {
                snprintf(s[0], sizeof s[0], "%04d/%02d/%02d", y, m, d);
                snprintf(s[1], sizeof s[1], "%04d%02d%02d", y, m, d);
                snprintf(s[2], sizeof s[2], "%04d-%02d-%02d 12:00", y, m, d);
                snprintf(s[3], sizeof s[3], "%04d%02d%02dT00:00:00+08:00", y, m, d);
                for (int f = 0; f < 4; f++) {
                    int ok = tix_date_parse_any(s[f], strlen(s[f]), &n) == TIX_OK;
                    cr_assert_eq(ok, tix_date_valid(y, m, d), "%s", s[f]);
                    if (ok)
                        cr_assert_eq(n, tix_days_from_civil(y, m, d), "%s", s[f]);
                }
            }
}
