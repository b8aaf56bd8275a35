/* The market whose truth is known (gen/gen.h, truth mode): the days'
 * weights, the true log level and the development share of each day of the
 * range, and the truth file. gen.c draws the contracts from these tables;
 * this file draws nothing, so the truth depends on the options alone. */
#include "gen/gen_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#define DAYS_PER_YEAR 365.2425
#define DEV_SHARE 0.30
/* The other types share 1 - DEV_SHARE in the plain proportions (gen.c's
 * type_share without development: 10, 12, 13, 35 of 70). */
static const double other_share[GEN_TRUTH_TYPES - 1] = {10, 12, 13, 35};
#define HOLIDAY_WEIGHT 0.2

/* Spring Festival (the first day of the lunar year), 2000..2035. */
static const unsigned char festival[][2] = {
    {2, 5},  {1, 24}, {2, 12}, {2, 1},  {1, 22}, {2, 9},  {1, 29}, {2, 18}, {2, 7},
    {1, 26}, {2, 14}, {2, 3},  {1, 23}, {2, 10}, {1, 31}, {2, 19}, {2, 8},  {1, 28},
    {2, 16}, {2, 5},  {1, 25}, {2, 12}, {2, 1},  {1, 22}, {2, 10}, {1, 29}, {2, 17},
    {2, 6},  {1, 26}, {2, 13}, {2, 3},  {1, 23}, {2, 11}, {1, 31}, {2, 19}, {2, 8},
};
#define FESTIVAL_FIRST 2000
#define FESTIVAL_YEARS (sizeof festival / sizeof festival[0])

static int weekday(int32_t days) /* 0 = Monday; 1970-01-01 was a Thursday */
{
    int32_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static int32_t monday_of(int32_t days) { return days - weekday(days); }

int gen_truth_holiday(int32_t days)
{
    int y, m, d;
    tix_civil_from_days(days, &y, &m, &d);
    int32_t mon = monday_of(days);
    /* A week can hold 1 October of its own year only, but Spring Festival
     * of the next year too when it starts in late January: check both years
     * a week touches. */
    for (int yy = y - 1; yy <= y + 1; yy++) {
        int fm = 2, fd = 5;
        if (yy >= FESTIVAL_FIRST && yy < FESTIVAL_FIRST + (int)FESTIVAL_YEARS) {
            fm = festival[yy - FESTIVAL_FIRST][0];
            fd = festival[yy - FESTIVAL_FIRST][1];
        }
        if (yy >= 1 && yy <= 9999 &&
            (monday_of(tix_days_from_civil(yy, fm, fd)) == mon ||
             monday_of(tix_days_from_civil(yy, 10, 1)) == mon))
            return 1;
    }
    return 0;
}

const char *gen_truth_check(const tix_gen_opts *o)
{
    if (!o->truth)
        return NULL;
    if ((unsigned)o->truth_period > TIX_PERIOD_YEAR)
        return "unknown truth period";
    if (!(o->trend > -1.0 && o->trend <= 100.0))
        return "trend must be more than -1 and at most 100";
    if (!(o->shift_development >= TIX_GEN_SHIFT_MIN && o->shift_development <= TIX_GEN_SHIFT_MAX))
        return "development shift must be in [-0.3, 0.7]";
    if (!(o->diverge > -1.0 && o->diverge < 1.0))
        return "divergence must be more than -1 and less than 1";
    return NULL;
}

void gen_truth_free(struct truth *t)
{
    free(t->w);
    free(t->mu);
    free(t->p_dev);
    free(t->x);
    t->w = t->mu = t->p_dev = t->x = NULL;
}

tix_status gen_truth_build(struct truth *t, const tix_gen_opts *o)
{
    static const double wd[7] = {0.95, 1.0, 1.0, 1.0, 1.05, 0.15, 0.08};
    int32_t n = o->to_day - o->from_day + 1;
    t->from_day = o->from_day;
    t->n_days = n;
    t->w = malloc((size_t)n * sizeof *t->w);
    t->mu = malloc((size_t)n * sizeof *t->mu);
    t->p_dev = malloc((size_t)n * sizeof *t->p_dev);
    t->x = NULL;
    t->rate_up = t->rate_down = 0.0;
    if (o->diverge != 0.0) {
        t->x = malloc((size_t)n * sizeof *t->x);
        t->rate_up = log1p(o->diverge);
        t->rate_down = log1p(-o->diverge);
    }
    if (t->w == NULL || t->mu == NULL || t->p_dev == NULL || (o->diverge != 0.0 && t->x == NULL)) {
        gen_truth_free(t);
        return TIX_E_NOMEM;
    }
    const tix_period_kind kind = o->truth_period;
    const int32_t first = tix_period_first_day(kind, tix_period_of_day(kind, o->from_day));
    const double span =
        (tix_period_first_day(kind, tix_period_of_day(kind, o->to_day)) - first) / DAYS_PER_YEAR;
    const double rate = log1p(o->trend);
    for (int32_t i = 0; i < n; i++) {
        int32_t day = o->from_day + i;
        double x =
            (tix_period_first_day(kind, tix_period_of_day(kind, day)) - first) / DAYS_PER_YEAR;
        if (o->return_to_start)
            /* x / span is exactly 1 in the last period: mu is exactly 0 there. */
            t->mu[i] = span > 0 ? rate * 2.0 * x * (1.0 - x / span) : 0.0;
        else
            t->mu[i] = rate * x;
        if (t->x != NULL)
            t->x[i] = x;
        double u = n > 1 ? (double)i / (double)(n - 1) : 0.0;
        double p = DEV_SHARE + o->shift_development * u;
        t->p_dev[i] = p < 0 ? 0 : p > 1 ? 1 : p;
        t->w[i] = wd[weekday(day)] * (o->holidays && gen_truth_holiday(day) ? HOLIDAY_WEIGHT : 1.0);
    }
    return TIX_OK;
}

/* One period's sums over its days in the range. */
struct period_sum {
    int32_t ord;
    double w, w_dev, mu, x;
};

/* The period's level against the first's (gen.h): exp(mu - mu_0), times
 * the base-value-weighted mean of the sectors' exp(delta) with diverging
 * sectors. */
static double period_level(const struct truth *t, const struct period_sum *p,
                           const struct period_sum *p0, const double v[GEN_SECTORS])
{
    double level = 100.0 * exp(p->mu - p0->mu);
    if (t->x == NULL)
        return level;
    double sum = 0.0;
    for (size_t s = 0; s < GEN_SECTORS; s++)
        sum += v[s] * exp((gen_sector_rises(s) ? t->rate_up : t->rate_down) * p->x);
    return level * sum;
}

tix_status tix_gen_truth_write(const tix_gen_opts *opts, FILE *out, char *err, size_t errlen)
{
    struct truth t = {0};
    struct period_sum *ps = NULL;
    const char *why = NULL;
    tix_status st = TIX_OK;
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (opts == NULL)
        why = "no options";
    else if (out == NULL)
        why = "no output stream";
    else if (!opts->truth)
        why = "no truth without truth mode";
    else if (opts->from_day > opts->to_day ||
             (int64_t)opts->to_day - opts->from_day + 1 > GEN_MAX_SPAN_DAYS ||
             opts->from_day < tix_days_from_civil(1, 1, 1) ||
             opts->to_day > tix_days_from_civil(9999, 12, 31))
        why = "bad date range";
    else
        why = gen_truth_check(opts);
    if (why != NULL) {
        gen_set_err(err, errlen, why, 0);
        return TIX_E_INVALID;
    }
    if (gen_truth_build(&t, opts) != TIX_OK)
        goto nomem;
    /* Every period holds at least one day: at most n_days of them. */
    ps = calloc((size_t)t.n_days, sizeof *ps);
    if (ps == NULL)
        goto nomem;
    size_t np = 0;
    double total = 0;
    for (int32_t i = 0; i < t.n_days; i++) {
        int32_t ord = tix_period_of_day(opts->truth_period, t.from_day + i);
        if (np == 0 || ps[np - 1].ord != ord) {
            ps[np].ord = ord;
            ps[np].mu = t.mu[i];
            ps[np].x = t.x != NULL ? t.x[i] : 0.0;
            np++;
        }
        ps[np - 1].w += t.w[i];
        ps[np - 1].w_dev += t.w[i] * t.p_dev[i];
        total += t.w[i];
    }
    double v[GEN_SECTORS];
    gen_sector_value_shares(v);
    if (fprintf(out, "period,level,contracts,share_development,share_transfer,share_licensing,"
                     "share_consulting,share_service\n") < 0)
        goto io;
    for (size_t k = 0; k < np; k++) {
        char label[TIX_PERIOD_LABEL_MAX];
        tix_period_label(opts->truth_period, ps[k].ord, label);
        double dev = ps[k].w_dev / ps[k].w;
        if (fprintf(out, "%s,%.6f,%.6f,%.6f", label, period_level(&t, &ps[k], &ps[0], v),
                    (double)opts->rows * ps[k].w / total, dev) < 0)
            goto io;
        for (size_t j = 0; j < GEN_TRUTH_TYPES - 1; j++)
            if (fprintf(out, ",%.6f", (1.0 - dev) * other_share[j] / 70.0) < 0)
                goto io;
        if (fputc('\n', out) == EOF)
            goto io;
    }
    if (fflush(out) != 0 || ferror(out))
        goto io;
    goto done;
io:
    gen_set_err(err, errlen, "write failed", errno);
    st = TIX_E_IO;
    goto done;
nomem:
    gen_set_err(err, errlen, "out of memory", 0);
    st = TIX_E_NOMEM;
done:
    free(ps);
    gen_truth_free(&t);
    return st;
}
