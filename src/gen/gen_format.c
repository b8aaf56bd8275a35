/* Values in the dump's formats (gen_internal.h): amounts in yuan or 万元,
 * dates in five forms, and the broken variants of each for dirty rows. The
 * draws they take from r are the same in every format, so the contracts are. */
#include "gen/gen_internal.h"

#include <stdio.h>

#include "techidx/period.h"

/* Non-numeric amounts seen in real exports ("面议" = "to be negotiated"). */
static const struct name junk_amounts[] = {
    {STR("abc")},
    {STR("n/a")},
    {STR("TBD")},
    {STR("面议")},
};
#define N_JUNK (sizeof junk_amounts / sizeof junk_amounts[0])

static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

static char *put_money(char *p, int64_t cents)
{
    p = put_u64(p, (uint64_t)(cents / 100));
    *p++ = '.';
    *p++ = (char)('0' + cents % 100 / 10);
    *p++ = (char)('0' + cents % 10);
    return p;
}

/* cents in 万元 (1e6 cents), exactly: the whole part, then the six decimals
 * without their trailing zeros (and no point when all are zero). */
static char *put_wan(char *p, int64_t cents)
{
    p = put_u64(p, (uint64_t)(cents / 1000000));
    int64_t frac = cents % 1000000;
    if (frac == 0)
        return p;
    *p++ = '.';
    for (int64_t unit = 100000; frac != 0; unit /= 10) {
        *p++ = (char)('0' + frac / unit);
        frac %= unit;
    }
    return p;
}

/* A valid amount in the dump's unit. */
char *gen_put_amount(const struct gen_format *fm, char *p, int64_t cents)
{
    return fm->unit == TIX_GEN_WAN ? put_wan(p, cents) : put_money(p, cents);
}

/* RFC 4180: the field is quoted and inner quotes are doubled. */
char *gen_put_quoted(char *p, const char *s, size_t n)
{
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            *p++ = '"';
        *p++ = s[i];
    }
    *p++ = '"';
    return p;
}

/* Money that is not a valid "digits.2digits" amount; `cents` is the value it
 * was meant to carry. Variants: thousands separators (quoted, so the field
 * count is right), negative, exponent, three decimals, text, empty. */
char *gen_put_bad_money(const struct gen_format *fm, gsl_rng *r, char *p, int64_t cents)
{
    char tmp[32];
    size_t n;
    /* In 万元 the same variants, of the amount in 万元; the draws are the
     * same as in yuan, so are the contracts. */
    const int wan = fm->unit == TIX_GEN_WAN;
    const int64_t whole = wan ? 1000000 : 100;
    switch (gen_pick(r, 6)) {
    case 0: /* "125,000.00": at least 1000 yuan (or 万元) so a separator appears */
        if (cents < 1000 * whole)
            cents += 1000 * whole;
        n = (size_t)(put_u64(tmp, (uint64_t)(cents / whole)) - tmp);
        *p++ = '"';
        for (size_t i = 0; i < n; i++) {
            if (i > 0 && (n - i) % 3 == 0)
                *p++ = ',';
            *p++ = tmp[i];
        }
        if (wan) {
            char w[32];
            char *e = put_wan(w, cents);
            char *dot = memchr(w, '.', (size_t)(e - w));
            if (dot)
                p = gen_put(p, dot, (size_t)(e - dot));
        } else {
            *p++ = '.';
            *p++ = (char)('0' + cents % 100 / 10);
            *p++ = (char)('0' + cents % 10);
        }
        *p++ = '"';
        return p;
    case 1:
        *p++ = '-';
        return gen_put_amount(fm, p, cents > 0 ? cents : 50000);
    case 2: /* 1.25e5 */
        n = (size_t)(put_u64(tmp, (uint64_t)(cents / whole)) - tmp);
        *p++ = tmp[0];
        if (n > 1) {
            *p++ = '.';
            p = gen_put(p, tmp + 1, n > 3 ? 2 : n - 1);
        }
        *p++ = 'e';
        return put_u64(p, (uint64_t)(n - 1));
    case 3: /* three decimals; the third is never 0, so no reading of it is valid
             * (in 万元: seven, a fraction of a cent) */
        if (wan) {
            p = put_u64(p, (uint64_t)(cents / 1000000));
            *p++ = '.';
            for (int64_t unit = 100000, f = cents % 1000000; unit > 0; unit /= 10) {
                *p++ = (char)('0' + f / unit);
                f %= unit;
            }
        } else {
            p = put_money(p, cents);
        }
        *p++ = (char)('1' + gen_pick(r, 9));
        return p;
    case 4: {
        const struct name *j = &junk_amounts[gen_pick(r, N_JUNK)];
        return gen_put(p, j->s, j->len);
    }
    default:
        return p;
    }
}

/* Well-formed amounts too large for int64 cents (INT64_MAX is
 * 92233720368547758.07 yuan). */
char *gen_put_overflow(const struct gen_format *fm, gsl_rng *r, char *p)
{
    switch (gen_pick(r, 3)) {
    case 0:
        return gen_put(p, STR("99999999999999999999.00"));
    case 1: /* one cent past the limit */
        if (fm->unit == TIX_GEN_WAN)
            return gen_put(p, STR("9223372036854.775808"));
        return gen_put(p, STR("92233720368547758.08"));
    default: {
        size_t n = 18 + gen_pick(r, 7); /* >= 1e17 yuan = 1e19 cents (万元: more still) */
        *p++ = (char)('1' + gen_pick(r, 9));
        for (size_t i = 1; i < n; i++)
            *p++ = (char)('0' + gen_pick(r, 10));
        *p++ = '.';
        *p++ = (char)('0' + gen_pick(r, 10));
        *p++ = (char)('0' + gen_pick(r, 10));
        return p;
    }
    }
}

/* The time of day a datetime form appends: " 10:22:00" or
 * "T10:22:00+08:00" (China has one time zone); nothing for the date forms. */
static char *put_time(const struct gen_format *fm, char *p, int hh, int mm)
{
    if (fm->form != TIX_GEN_DATE_DATETIME && fm->form != TIX_GEN_DATE_ISO8601)
        return p;
    *p++ = fm->form == TIX_GEN_DATE_DATETIME ? ' ' : 'T';
    *p++ = (char)('0' + hh / 10);
    *p++ = (char)('0' + hh % 10);
    *p++ = ':';
    *p++ = (char)('0' + mm / 10);
    *p++ = (char)('0' + mm % 10);
    p = gen_put(p, STR(":00"));
    if (fm->form == TIX_GEN_DATE_ISO8601)
        p = gen_put(p, STR("+08:00"));
    return p;
}

/* A valid date, day index di, in the dump's form. */
char *gen_put_date(const struct gen_format *fm, char *p, int32_t di, int hh, int mm)
{
    const char *iso = fm->dates + (size_t)di * 10;
    switch (fm->form) {
    case TIX_GEN_DATE_SLASH:
        p = gen_put(p, iso, 10);
        p[-6] = p[-3] = '/';
        return p;
    case TIX_GEN_DATE_COMPACT:
        p = gen_put(p, iso, 4);
        p = gen_put(p, iso + 5, 2);
        return gen_put(p, iso + 8, 2);
    default:
        return put_time(fm, gen_put(p, iso, 10), hh, mm);
    }
}

/* y-m-d as the dump's form writes it, whether or not it is a real date. */
static int format_ymd(const struct gen_format *fm, char *tmp, size_t cap, int y, int m, int d)
{
    if (fm->form == TIX_GEN_DATE_SLASH)
        return snprintf(tmp, cap, "%04d/%02d/%02d", y, m, d);
    if (fm->form == TIX_GEN_DATE_COMPACT)
        return snprintf(tmp, cap, "%04d%02d%02d", y, m, d);
    return snprintf(tmp, cap, "%04d-%02d-%02d", y, m, d);
}

/* Text that is not a real date, near the drawn date: a day the calendar
 * lacks (in the dump's own form), another form, or nothing. In ISO form,
 * the other forms are slash and compact; in the others, forms no reader
 * takes (day/month/year, a year and month alone), so that a reader taking
 * the dump's form rejects every one. */
char *gen_put_bad_date(const struct gen_format *fm, gsl_rng *r, char *p, int32_t day, int hh,
                       int mm)
{
    static const int short_months[4] = {4, 6, 9, 11};
    char tmp[32];
    int y, m, d, n;
    int timed = 0; /* the calendar's mistakes keep the time of a datetime form */
    tix_civil_from_days(day, &y, &m, &d);
    switch (gen_pick(r, 6)) {
    case 0: /* Feb 29 of a common year; a neighbour of a leap year is common */
        if (tix_date_valid(y, 2, 29))
            y = y > 1 ? y - 1 : y + 1;
        n = format_ymd(fm, tmp, sizeof tmp, y, 2, 29);
        timed = 1;
        break;
    case 1:
        n = format_ymd(fm, tmp, sizeof tmp, y, 13, d);
        timed = 1;
        break;
    case 2: /* day first, a form no reader's automatic forms take */
        n = snprintf(tmp, sizeof tmp, "%02d/%02d/%04d", d, m, y);
        break;
    case 3: /* no day */
        n = snprintf(tmp, sizeof tmp, "%04d-%02d", y, m);
        break;
    case 4:
        n = format_ymd(fm, tmp, sizeof tmp, y, short_months[gen_pick(r, 4)], 31);
        timed = 1;
        break;
    default:
        n = 0;
        break;
    }
    p = gen_put(p, tmp, n > 0 ? (size_t)n : 0);
    return timed ? put_time(fm, p, hh, mm) : p;
}
