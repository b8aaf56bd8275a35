/* What the files of libtechidx-gen share (see gen/gen.h): gen.c draws the
 * contracts and lays out the rows, gen_format.c writes values in the dump's
 * formats, gen_sink.c hands the text to the file (transcoded, compressed),
 * gen_truth.c holds the truth-mode market's days and writes its truth. */
#ifndef TECHIDX_GEN_INTERNAL_H
#define TECHIDX_GEN_INTERNAL_H

#include <iconv.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <zlib.h>

#include "gen/gen.h"

#define TEXT_CAP ((size_t)1 << 20)
#define ZOUT_CAP ((size_t)1 << 18)

#define STR(s) s, sizeof(s) - 1

/* Exactly 400 Gregorian years: enough for any plausible study, and it keeps
 * the per-day tables (and the growth factor 1.12^400) bounded. */
#define GEN_MAX_SPAN_DAYS 146097

struct name {
    const char *s;
    size_t len;
};

/* How values are written: what gen_format.c needs of the options. */
struct gen_format {
    tix_gen_unit unit;
    tix_gen_date_form form;
    const char *dates; /* the range's days as "YYYY-MM-DD", 10 bytes each, no NULs */
};

struct sink {
    FILE *fp;
    int gz, z_ready;
    z_stream z;
    char *buf;
    size_t len;
    unsigned char *zbuf;
    iconv_t cd; /* (iconv_t)-1: UTF-8, written as it is */
    char *tbuf; /* the transcoded text */
};

/* A uniform index in [0, n) from r. */
static inline size_t gen_pick(gsl_rng *r, size_t n)
{
    return (size_t)gsl_rng_uniform_int(r, (unsigned long)n);
}

/* Copies s[n] to p and returns the end. */
static inline char *gen_put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* Writes "what" (": strerror(errnum)" when errnum is not 0) into err. */
void gen_set_err(char *err, size_t errlen, const char *what, int errnum);

/* ---- gen_sink.c: s owns its buffers and converter; the file is the caller's. */

/* The name of an encoding as the options spell it ("gb18030"). */
const char *gen_encoding_name(tix_gen_encoding enc);
/* Opens s over out: TIX_OK, TIX_E_NOMEM, or TIX_E_INVALID when iconv has no
 * converter for enc. Free s with gen_sink_free whatever it returns. */
tix_status gen_sink_open(struct sink *s, FILE *out, int gz, tix_gen_encoding enc, char *err,
                         size_t errlen);
/* text[n] in the target encoding into s's own buffer; its length, or
 * (size_t)-1 with errno when a character has no form there. */
size_t gen_sink_transcode(struct sink *s, const char *text, size_t n);
/* Writes s->buf[0..len) and empties it; finish also ends the gzip stream. */
tix_status gen_sink_flush(struct sink *s, int finish, char *err, size_t errlen);
/* Flushes and ends the stream, and fflushes the file. */
tix_status gen_sink_close(struct sink *s, char *err, size_t errlen);
/* Accepts a sink zeroed with cd set to (iconv_t)-1. */
void gen_sink_free(struct sink *s);

/* ---- gen_truth.c: the truth-mode market (gen.h), day by day. */

/* Contract types: development first, as gen.c's table. */
#define GEN_TRUTH_TYPES 5

/* Sectors: as many as gen.c's table. */
#define GEN_SECTORS 11

/* Diverging sectors (gen.h): the sector at place s (0-based) of gen.c's
 * table rises when s is even, falls when s is odd. */
static inline int gen_sector_rises(size_t s) { return s % 2 == 0; }

/* gen.c: each sector's share of the expected value of a period, in the
 * table's order (its share of the contracts times its level, normalised). */
void gen_sector_value_shares(double v[GEN_SECTORS]);

/* The days of the range: t owns the arrays. */
struct truth {
    int32_t from_day, n_days;
    double *w;     /* the day's relative number of contracts */
    double *mu;    /* mu_k - mu_0 of the day's period */
    double *p_dev; /* the probability that a contract of the day is development */
    /* Diverging sectors, NULL and 0 without: x the years from the first day
     * of the first period to the first day of the day's period, and the
     * log rates of the sectors that rise and of those that fall. */
    double *x;
    double rate_up, rate_down;
};
/* Why truth-mode options are invalid, or NULL (also when o->truth is 0). */
const char *gen_truth_check(const tix_gen_opts *o);
/* Fills t for o (checked): TIX_OK or TIX_E_NOMEM (t then empty). */
tix_status gen_truth_build(struct truth *t, const tix_gen_opts *o);
/* Frees t's arrays; accepts a zeroed t. */
void gen_truth_free(struct truth *t);
/* 1 when day lies in a holiday week: that of Spring Festival or of 1 October. */
int gen_truth_holiday(int32_t day);

/* ---- gen_format.c: each writes at p, which has room, and returns the end.
 * Those given r draw from it exactly as many numbers whatever the format. */

/* A valid amount in the dump's unit. */
char *gen_put_amount(const struct gen_format *fm, char *p, int64_t cents);
/* RFC 4180: the field quoted and inner quotes doubled. */
char *gen_put_quoted(char *p, const char *s, size_t n);
/* Money that is not a valid amount; cents is the value it was meant to carry. */
char *gen_put_bad_money(const struct gen_format *fm, gsl_rng *r, char *p, int64_t cents);
/* A well-formed amount too large for int64 cents. */
char *gen_put_overflow(const struct gen_format *fm, gsl_rng *r, char *p);
/* The range's day di in the dump's date form (hh:mm for the datetime forms). */
char *gen_put_date(const struct gen_format *fm, char *p, int32_t di, int hh, int mm);
/* Text that is not a real date, near day (a day number). */
char *gen_put_bad_date(const struct gen_format *fm, gsl_rng *r, char *p, int32_t day, int hh,
                       int mm);

#endif
