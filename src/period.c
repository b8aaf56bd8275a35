#include "techidx/period.h"

#include <stdio.h>
#include <string.h>

/* Howard Hinnant's days_from_civil / civil_from_days, in 32-bit day numbers;
 * exact for every date of years 1..9999. */
int32_t tix_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void tix_civil_from_days(int32_t days, int *y, int *m, int *d)
{
    const int32_t z = days + 719468;
    const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int32_t doe = z - era * 146097;
    const int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int32_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int tix_date_valid(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* Days of the year before each month, and days in each month (index 1-12),
 * in a common year [0] and a leap year [1]. */
static const uint16_t days_before[2][12] = {
    {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334},
    {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335}};
static const uint8_t month_days[2][13] = {{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
                                          {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}};

/* Any valid YYYY-MM-DD, years 0001-9999: checked a byte at a time, the
 * Gregorian rule in full. */
static tix_status date_parse_any_year(const char *s, size_t len, int32_t *days)
{
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return TIX_E_INVALID;
    const unsigned char *u = (const unsigned char *)s;
    unsigned d0 = u[0] - 48u, d1 = u[1] - 48u, d2 = u[2] - 48u, d3 = u[3] - 48u;
    unsigned m0 = u[5] - 48u, m1 = u[6] - 48u, e0 = u[8] - 48u, e1 = u[9] - 48u;
    if ((d0 > 9) | (d1 > 9) | (d2 > 9) | (d3 > 9) | (m0 > 9) | (m1 > 9) | (e0 > 9) | (e1 > 9))
        return TIX_E_INVALID;
    unsigned y = d0 * 1000 + d1 * 100 + d2 * 10 + d3, m = m0 * 10 + m1, d = e0 * 10 + e1;
    if ((y < 1) | (m - 1 > 11)) /* m - 1 wraps for m = 0 */
        return TIX_E_INVALID;
    unsigned leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0));
    if ((d < 1) | (d > month_days[leap][m]))
        return TIX_E_INVALID;
    /* Days since 0001-01-01, then since 1970-01-01 (719162 days later). */
    unsigned y1 = y - 1;
    int32_t n =
        (int32_t)(365 * y1 + y1 / 4 - y1 / 100 + y1 / 400 + days_before[leap][m - 1] + d - 1);
    *days = n - 719162;
    return TIX_OK;
}

tix_status tix_date_parse(const char *s, size_t len, int32_t *days)
{
    /* Once per row. The ten bytes as two words: all digit and dash checks
     * in a few word operations, then, for the years 1901-2099, in which
     * every fourth year is a leap year and only those, the day number
     * without a division. Any other year, and anything not of this
     * shape, goes to date_parse_any_year, which decides. */
    if (len != 10)
        return TIX_E_INVALID;
    uint64_t w;
    uint16_t t;
    memcpy(&w, s, 8);     /* "YYYY-MM-", byte i of s at bits 8i */
    memcpy(&t, s + 8, 2); /* "DD" */
    const uint64_t dashes = 0xff0000ff00000000u, ones = 0x0101010101010101u;
    /* XOR with '0' makes a digit 0-9 and anything else 10 or more; x + 0x76
     * sets a byte's high bit exactly when it is 10 or more (a carry into
     * the next byte needs a byte of 0x8a or more, which fails anyway). */
    uint64_t x = (w ^ (ones * '0')) & ~dashes;
    uint32_t e = (uint32_t)(t ^ 0x3030u);
    if ((w & dashes) != (ones * '-' & dashes) || (((x + ones * 0x76) | x) & ones * 0x80) ||
        (((e + 0x7676u) | e) & 0x8080u))
        return TIX_E_INVALID;
    /* The year's four digits, two pairs at a time: each byte times 10
     * plus the next, then each pair times 100 plus the next (no sum
     * reaches into the field above it). */
    uint64_t v = (x * 10 + (x >> 8)) & 0x00ff00ffu;
    unsigned y = (unsigned)((v * 100 + (v >> 16)) & 0xffffu);
    unsigned m = (unsigned)(x >> 40 & 0xff) * 10 + (unsigned)(x >> 48 & 0xff);
    unsigned d = (e & 0xff) * 10 + (e >> 8);
    if (y - 1901 > 198)
        return date_parse_any_year(s, len, days);
    unsigned leap = (y & 3) == 0;
    if ((m - 1 > 11) | (d < 1) || d > month_days[leap][m])
        return TIX_E_INVALID;
    /* January 1st of y is 365 (y - 1970) days after 1970-01-01, plus a
     * day for each leap year 1972, 1976, ... before y (fewer before 1970). */
    int32_t jan1 = 365 * ((int32_t)y - 1970) + (int32_t)((y - 1901) >> 2) - 17;
    *days = jan1 + days_before[leap][m - 1] + (int32_t)d - 1;
    return TIX_OK;
}

void tix_date_format(int32_t days, char *out)
{
    int y, m, d;
    tix_civil_from_days(days, &y, &m, &d);
    snprintf(out, TIX_PERIOD_LABEL_MAX, "%04d-%02d-%02d", y, m, d);
}

/* 1970-01-01 was a Thursday; weekday 0 = Monday. */
static int32_t weekday(int32_t days)
{
    int32_t w = (days + 3) % 7;
    return w < 0 ? w + 7 : w;
}

static int32_t floor_div(int32_t a, int32_t b)
{
    int32_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Monday of ISO week 1 of iso_year: the week holding January 4th. */
static int32_t iso_year_start(int iso_year)
{
    int32_t jan4 = tix_days_from_civil(iso_year, 1, 4);
    return jan4 - weekday(jan4);
}

void tix_iso_week(int32_t days, int *iso_year, int *week)
{
    int y, m, d;
    /* The Thursday of a date's week decides its ISO year. */
    int32_t thursday = days - weekday(days) + 3;
    tix_civil_from_days(thursday, &y, &m, &d);
    *iso_year = y;
    *week = (int)((thursday - iso_year_start(y)) / 7) + 1;
}

int32_t tix_period_of_day(tix_period_kind kind, int32_t days)
{
    int y, m, d;
    switch (kind) {
    case TIX_PERIOD_DAY:
        return days;
    case TIX_PERIOD_WEEK:
        /* 1970-01-05 was a Monday: week ordinal 0 starts there. Floored,
         * as one unsigned division: K weeks more make every int32 day
         * number's count positive, and are taken off again. */
        {
            const int64_t k = 306783379; /* 7 K > 2^31 + 4 */
            return (int32_t)((int64_t)((uint64_t)((int64_t)days - 4 + 7 * k) / 7) - k);
        }
    default:
        break;
    }
    tix_civil_from_days(days, &y, &m, &d);
    if (kind == TIX_PERIOD_MONTH)
        return (int32_t)y * 12 + (m - 1);
    if (kind == TIX_PERIOD_QUARTER)
        return (int32_t)y * 4 + (m - 1) / 3;
    return (int32_t)y;
}

int32_t tix_period_first_day(tix_period_kind kind, int32_t ord)
{
    switch (kind) {
    case TIX_PERIOD_DAY:
        return ord;
    case TIX_PERIOD_WEEK:
        return ord * 7 + 4;
    case TIX_PERIOD_MONTH:
        return tix_days_from_civil((int)floor_div(ord, 12),
                                   (int)(ord - floor_div(ord, 12) * 12) + 1, 1);
    case TIX_PERIOD_QUARTER:
        return tix_days_from_civil((int)floor_div(ord, 4),
                                   (int)(ord - floor_div(ord, 4) * 4) * 3 + 1, 1);
    case TIX_PERIOD_YEAR:
        return tix_days_from_civil((int)ord, 1, 1);
    }
    return 0;
}

void tix_period_label(tix_period_kind kind, int32_t ord, char *out)
{
    int y, w;
    switch (kind) {
    case TIX_PERIOD_DAY:
        tix_date_format(ord, out);
        return;
    case TIX_PERIOD_WEEK:
        tix_iso_week(tix_period_first_day(kind, ord), &y, &w);
        snprintf(out, TIX_PERIOD_LABEL_MAX, "%04d-W%02d", y, w);
        return;
    case TIX_PERIOD_MONTH:
        snprintf(out, TIX_PERIOD_LABEL_MAX, "%04d-%02d", (int)floor_div(ord, 12),
                 (int)(ord - floor_div(ord, 12) * 12) + 1);
        return;
    case TIX_PERIOD_QUARTER:
        snprintf(out, TIX_PERIOD_LABEL_MAX, "%04d-Q%d", (int)floor_div(ord, 4),
                 (int)(ord - floor_div(ord, 4) * 4) + 1);
        return;
    case TIX_PERIOD_YEAR:
        snprintf(out, TIX_PERIOD_LABEL_MAX, "%04d", (int)ord);
        return;
    }
    out[0] = '\0';
}

tix_status tix_period_parse(tix_period_kind kind, const char *s, int32_t *ord)
{
    size_t n = strlen(s);
    int y, m, q, w;
    int32_t days;
    switch (kind) {
    case TIX_PERIOD_DAY:
        if (tix_date_parse(s, n, &days) != TIX_OK)
            return TIX_E_INVALID;
        *ord = days;
        return TIX_OK;
    case TIX_PERIOD_WEEK:
        if (n != 8 || s[4] != '-' || s[5] != 'W' || !digits(s, 4, &y) || !digits(s + 6, 2, &w))
            return TIX_E_INVALID;
        if (y < 1 || y > 9999 || w < 1 || w > 53)
            return TIX_E_INVALID;
        days = iso_year_start(y) + (w - 1) * 7;
        {
            int iy, iw;
            tix_iso_week(days, &iy, &iw);
            if (iy != y || iw != w) /* week 53 of a 52-week year */
                return TIX_E_INVALID;
        }
        *ord = tix_period_of_day(kind, days);
        return TIX_OK;
    case TIX_PERIOD_MONTH:
        if (n != 7 || s[4] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) || y < 1 || m < 1 ||
            m > 12)
            return TIX_E_INVALID;
        *ord = (int32_t)y * 12 + (m - 1);
        return TIX_OK;
    case TIX_PERIOD_QUARTER:
        if (n != 7 || s[4] != '-' || s[5] != 'Q' || !digits(s, 4, &y) || !digits(s + 6, 1, &q) ||
            y < 1 || q < 1 || q > 4)
            return TIX_E_INVALID;
        *ord = (int32_t)y * 4 + (q - 1);
        return TIX_OK;
    case TIX_PERIOD_YEAR:
        if (n != 4 || !digits(s, 4, &y) || y < 1)
            return TIX_E_INVALID;
        *ord = y;
        return TIX_OK;
    }
    return TIX_E_INVALID;
}

static const char *const kind_names[] = {"day", "week", "month", "quarter", "year"};

const char *tix_period_kind_name(tix_period_kind kind)
{
    return (unsigned)kind < 5 ? kind_names[kind] : "?";
}

tix_status tix_period_kind_parse(const char *name, tix_period_kind *kind)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *kind = (tix_period_kind)i;
            return TIX_OK;
        }
    return TIX_E_INVALID;
}

/* ---- the forms registries export ------------------------------------------------ */

/* Two digits at s as a number, or -1. */
static int two(const char *s)
{
    unsigned a = (unsigned char)s[0] - 48u, b = (unsigned char)s[1] - 48u;
    return a > 9 || b > 9 ? -1 : (int)(a * 10 + b);
}

/* The time after a date: HH:MM[:SS[.fraction]][Z|+HH:MM|+HHMM|-...], all
 * of (s, len). 1 when it is one, valid (a leap second 60 allowed). */
static int time_of_day(const char *s, size_t len)
{
    size_t i = 5;
    if (len < 5 || s[2] != ':' || two(s) < 0 || two(s) > 23 || two(s + 3) < 0 || two(s + 3) > 59)
        return 0;
    if (i + 3 <= len && s[i] == ':') {
        int sec = two(s + i + 1);
        if (sec < 0 || sec > 60)
            return 0;
        i += 3;
        if (i < len && s[i] == '.') {
            size_t k = ++i;
            while (i < len && (unsigned char)s[i] - 48u <= 9)
                i++;
            if (i == k)
                return 0;
        }
    }
    if (i == len)
        return 1;
    if (s[i] == 'Z')
        return i + 1 == len;
    if (s[i] != '+' && s[i] != '-')
        return 0;
    i++;
    size_t n = len - i; /* HH:MM or HHMM */
    if (n != 5 && n != 4)
        return 0;
    int hh = two(s + i), mm = two(s + i + n - 2);
    return (n == 4 || s[i + 2] == ':') && hh >= 0 && hh <= 23 && mm >= 0 && mm <= 59;
}

tix_status tix_date_parse_any(const char *s, size_t len, int32_t *days)
{
    if (tix_date_parse(s, len, days) == TIX_OK)
        return TIX_OK;
    int y, m, d;
    size_t n; /* bytes of the date part */
    if (len >= 10 && (s[4] == '-' || s[4] == '/') && s[7] == s[4]) {
        if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
            return TIX_E_INVALID;
        n = 10;
    } else if (len >= 8 && digits(s, 4, &y) && digits(s + 4, 2, &m) && digits(s + 6, 2, &d)) {
        n = 8;
    } else {
        return TIX_E_INVALID;
    }
    if (n < len && !((s[n] == ' ' || s[n] == 'T') && time_of_day(s + n + 1, len - n - 1)))
        return TIX_E_INVALID;
    if (!tix_date_valid(y, m, d))
        return TIX_E_INVALID;
    *days = tix_days_from_civil(y, m, d);
    return TIX_OK;
}

/* ---- --date-format ---------------------------------------------------------------- */

tix_status tix_date_pattern_compile(tix_date_pattern *p, const char *fmt, char *err, size_t errlen)
{
    unsigned seen = 0; /* bits of "YmdHMS" */
    static const char convs[] = "YmdHMS";
    size_t n = 0;
    for (const char *c = fmt; *c; c++) {
        if (n == TIX_DATE_PATTERN_MAX) {
            if (err)
                snprintf(err, errlen, "`date-format` '%s' is longer than %d items", fmt,
                         TIX_DATE_PATTERN_MAX);
            return TIX_E_INVALID;
        }
        if (*c != '%') {
            p->conv[n] = 0;
            p->byte[n++] = (unsigned char)*c;
            continue;
        }
        c++;
        if (*c == '%') {
            p->conv[n] = 0;
            p->byte[n++] = '%';
            continue;
        }
        if (!*c) {
            if (err)
                snprintf(err, errlen, "`date-format` '%s' ends in a lone %%", fmt);
            return TIX_E_INVALID;
        }
        const char *at = strchr(convs, *c);
        if (!at) {
            /* Named only when it is one printable ASCII byte, not a piece
             * of a UTF-8 character. */
            unsigned char u = (unsigned char)*c;
            if (err && u > 0x20 && u < 0x7f)
                snprintf(err, errlen,
                         "`date-format` '%s': unknown conversion %%%c (known: %%Y %%m %%d %%H %%M "
                         "%%S %%%%)",
                         fmt, *c);
            else if (err)
                snprintf(err, errlen,
                         "`date-format` '%s': a %% followed by no conversion (known: %%Y %%m %%d "
                         "%%H %%M %%S %%%%)",
                         fmt);
            return TIX_E_INVALID;
        }
        unsigned bit = 1u << (at - convs);
        if (seen & bit) {
            if (err)
                snprintf(err, errlen, "`date-format` '%s' has %%%c twice", fmt, *c);
            return TIX_E_INVALID;
        }
        seen |= bit;
        p->conv[n] = (unsigned char)*c;
        p->byte[n++] = 0;
    }
    if ((seen & 7u) != 7u) {
        if (err)
            snprintf(err, errlen, "`date-format` '%s' needs %%Y, %%m and %%d", fmt);
        return TIX_E_INVALID;
    }
    p->n = n;
    return TIX_OK;
}

tix_status tix_date_pattern_parse(const tix_date_pattern *p, const char *s, size_t len,
                                  int32_t *days)
{
    int v[6] = {0, 0, 0, 0, 0, 0}; /* Y m d H M S */
    size_t i = 0;
    for (size_t k = 0; k < p->n; k++) {
        unsigned char c = p->conv[k];
        if (!c) {
            if (i >= len || (unsigned char)s[i] != p->byte[k])
                return TIX_E_INVALID;
            i++;
            continue;
        }
        /* %Y four digits; the others one or two, as many as there are. */
        size_t want = c == 'Y' ? 4 : 2, got = 0;
        int x = 0;
        while (got < want && i < len && (unsigned char)s[i] - 48u <= 9) {
            x = x * 10 + (s[i++] - '0');
            got++;
        }
        if (got == 0 || (c == 'Y' && got != 4))
            return TIX_E_INVALID;
        v[strchr("YmdHMS", c) - "YmdHMS"] = x;
    }
    if (i != len || v[3] > 23 || v[4] > 59 || v[5] > 60 || !tix_date_valid(v[0], v[1], v[2]))
        return TIX_E_INVALID;
    *days = tix_days_from_civil(v[0], v[1], v[2]);
    return TIX_OK;
}
