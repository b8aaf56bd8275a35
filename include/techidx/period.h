/* Calendar arithmetic and reporting periods.
 *
 * Dates are day numbers: days since 1970-01-01 in the proleptic Gregorian
 * calendar (negative before 1970). A period is identified by an ordinal, an
 * int32 that increases by one from each period to the next of its kind, so
 * "every calendar period from the first to the last" is a plain integer loop.
 * Supported years are 1..9999. */
#ifndef TECHIDX_PERIOD_H
#define TECHIDX_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/api.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tix_period_kind {
    TIX_PERIOD_DAY = 0,
    TIX_PERIOD_WEEK = 1, /* ISO 8601 week, Monday first */
    TIX_PERIOD_MONTH = 2,
    TIX_PERIOD_QUARTER = 3,
    TIX_PERIOD_YEAR = 4
} tix_period_kind;

/* Longest label plus NUL ("2024-03-11", "2024-W11", "2024-Q1", ...). */
#define TIX_PERIOD_LABEL_MAX 32

/* Day number of a civil date. No validation: see tix_date_valid. */
TIX_API int32_t tix_days_from_civil(int y, int m, int d);

/* Civil date of a day number. */
TIX_API void tix_civil_from_days(int32_t days, int *y, int *m, int *d);

/* 1 when y-m-d is a real calendar date with 1 <= y <= 9999, else 0. */
TIX_API int tix_date_valid(int y, int m, int d);

/* Parses exactly "YYYY-MM-DD" of length len (not NUL-terminated) into a day
 * number. Returns TIX_OK, or TIX_E_INVALID when the text is not a real date
 * (*days is then unchanged). */
TIX_API tix_status tix_date_parse(const char *s, size_t len, int32_t *days);

/* Parses a signing date as registries export it, into a day number: the
 * date YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD (two-digit month and day:
 * 2024/3/5 is refused, --date-format %Y/%m/%d reads it), alone or followed
 * by a space or 'T' and a time HH:MM or HH:MM:SS[.fraction] (hour 0-23,
 * minute 0-59, second 0-60), itself optionally followed by Z or a UTC
 * offset +HH:MM, +HHMM, -HH:MM or -HHMM. The day is the date as written: no
 * time zone is applied. The whole of (s, len) must be one of these.
 * YYYY-MM-DD is tried first, at the cost of tix_date_parse. Returns TIX_OK,
 * or TIX_E_INVALID (*days is then unchanged). tix_date_parse stays the
 * strict parser of the options (--from, --to) and of labels. */
TIX_API tix_status tix_date_parse_any(const char *s, size_t len, int32_t *days);

/* A compiled --date-format: a strptime-like pattern of literal bytes
 * (compared byte for byte, so UTF-8 literals work) and the conversions %Y
 * (four digits), %m %d (the date; one or two digits), %H %M %S (a time;
 * one or two digits, validated and ignored) and %% (a '%'). The fields are
 * public so that it can live in other structs by value; fill it with
 * tix_date_pattern_compile only. */
#define TIX_DATE_PATTERN_MAX 128
typedef struct tix_date_pattern {
    unsigned char conv[TIX_DATE_PATTERN_MAX]; /* 'Y', 'm', ... or 0 for a literal */
    unsigned char byte[TIX_DATE_PATTERN_MAX]; /* the literal */
    size_t n;
} tix_date_pattern;

/* Compiles fmt (NUL-terminated) into *p. Refused with TIX_E_INVALID and a
 * message naming `date-format` in err (when not NULL): an unknown
 * conversion, a lone % at the end, a conversion given twice, no %Y, %m or
 * %d, more than TIX_DATE_PATTERN_MAX items. */
TIX_API tix_status tix_date_pattern_compile(tix_date_pattern *p, const char *fmt, char *err,
                                            size_t errlen);

/* Parses (s, len) with a compiled pattern: all of it must match, numbers
 * greedily (%m%d reads "1231" as 12 and 31), and give a real date and a
 * valid time. Returns TIX_OK or TIX_E_INVALID (*days then unchanged). */
TIX_API tix_status tix_date_pattern_parse(const tix_date_pattern *p, const char *s, size_t len,
                                          int32_t *days);

/* Writes "YYYY-MM-DD" plus NUL into out (TIX_PERIOD_LABEL_MAX bytes). */
TIX_API void tix_date_format(int32_t days, char *out);

/* ISO 8601 week-numbering year and week (1..53) of a day number. */
TIX_API void tix_iso_week(int32_t days, int *iso_year, int *week);

/* Ordinal of the period of `kind` that contains day number `days`. */
TIX_API int32_t tix_period_of_day(tix_period_kind kind, int32_t days);

/* First day of the period with ordinal `ord`. */
TIX_API int32_t tix_period_first_day(tix_period_kind kind, int32_t ord);

/* Writes the label of period `ord` into out (TIX_PERIOD_LABEL_MAX bytes). */
TIX_API void tix_period_label(tix_period_kind kind, int32_t ord, char *out);

/* Parses a label of `kind` ("2024-W11" for weeks, ...) into its ordinal.
 * Returns TIX_OK or TIX_E_INVALID. */
TIX_API tix_status tix_period_parse(tix_period_kind kind, const char *label, int32_t *ord);

/* Name <-> kind: "day", "week", "month", "quarter", "year".
 * tix_period_kind_parse returns TIX_E_INVALID for any other name. */
TIX_API const char *tix_period_kind_name(tix_period_kind kind);
TIX_API tix_status tix_period_kind_parse(const char *name, tix_period_kind *kind);

#ifdef __cplusplus
}
#endif
#endif
