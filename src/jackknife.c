/* The delete-a-group jackknife of `--ci` (docs/methodology.md section 7b):
 * replicate g of the cube leaves out the contracts of replicate group g
 * (cube.h tix_cube_replicate); the whole series is computed again on it by
 * the same method and options, and the spread of the G replicate series
 * gives each period's standard errors and intervals. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "index_internal.h"

/* The replicate's row of each of ix's rows (SIZE_MAX: the period is not
 * in the replicate); both lists hold each period once. */
static void match_rows(const tix_index *ix, const tix_index *r, size_t *at)
{
    for (size_t t = 0; t < ix->nrows; t++) {
        at[t] = SIZE_MAX;
        size_t lo = 0, hi = r->nrows;
        if (!ix->opts.year_over_year) { /* both in period order: bisect */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (r->rows[mid].period < ix->rows[t].period)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < r->nrows && r->rows[lo].period == ix->rows[t].period)
                at[t] = lo;
            continue;
        }
        for (size_t k = 0; k < r->nrows; k++) /* seasons one after another */
            if (r->rows[k].period == ix->rows[t].period)
                at[t] = k;
    }
}

/* The jackknife standard error of G replicates x[0..G) (NaN when one is
 * not finite): sqrt((G - 1) / G sum (x_g - mean)^2), summed in g order. */
static double jack_se(const double *x, size_t G)
{
    long double mean = 0, ss = 0;
    for (size_t g = 0; g < G; g++) {
        if (!isfinite(x[g]))
            return NAN;
        mean += x[g];
    }
    mean /= (long double)G;
    for (size_t g = 0; g < G; g++)
        ss += ((long double)x[g] - mean) * ((long double)x[g] - mean);
    return (double)sqrtl(ss * (long double)(G - 1) / (long double)G);
}

/* The interval of index level I with standard error se: I exp(-+ q se / I),
 * the delta method's interval on the log scale (so it stays positive). */
static void interval(double I, double se, double q, double *lo, double *hi)
{
    if (!(isfinite(I) && I > 0 && isfinite(se))) {
        *lo = *hi = NAN;
        return;
    }
    *lo = I * exp(-q * se / I);
    *hi = I * exp(q * se / I);
}

/* What the replicates share, and what each one gives: x[(t * 4 + k) * G +
 * g] holds value, volume, unit value and ln link of row t in replicate g;
 * st[g] its status. Replicates are independent: each writes its own
 * slots, so the threads that compute them change no byte of the result. */
typedef struct jack {
    const tix_cube *cube;
    const tix_index *ix;
    tix_index_opts ro;
    size_t G, threads;
    double *x;
    tix_status *st;
} jack;

/* Replicate g into its slots; at has a slot per row of ix. */
static tix_status replicate_one(const jack *j, size_t g, size_t *at)
{
    const tix_index *ix = j->ix;
    size_t n = ix->nrows, G = j->G;
    tix_cube *rc = NULL;
    tix_index *ri = NULL;
    tix_status st = tix_cube_replicate(j->cube, g, NULL, &rc);
    if (st == TIX_OK) {
        st = tix_index_compute(rc, &j->ro, &ri, NULL, 0);
        if (st == TIX_E_NODATA) /* group g held the base, or every contract */
            st = TIX_OK;
    }
    if (st == TIX_OK) {
        if (ri)
            match_rows(ix, ri, at);
        for (size_t t = 0; t < n; t++) {
            const tix_index_row *r = ri && at[t] != SIZE_MAX ? &ri->rows[at[t]] : NULL;
            double *xt = &j->x[t * 4 * G + g];
            xt[0] = r ? r->value_index : NAN;
            xt[G] = r ? r->volume_index : NAN;
            xt[2 * G] = r ? r->unit_value_index : NAN;
            /* the headline link, against the row the series links t to */
            int linked = t > 0 && isfinite(ix->rows[t].change) &&
                         ix->rows[t - 1].season == ix->rows[t].season;
            double prev = linked ? j->x[(t - 1) * 4 * G + g] : NAN;
            xt[3 * G] = linked && r && prev > 0 && r->value_index > 0
                            ? log(r->value_index / prev)
                            : NAN;
        }
    }
    tix_index_free(ri);
    tix_cube_free(rc);
    return st;
}

typedef struct worker {
    const jack *j;
    size_t first; /* replicates first, first + threads, ... */
    pthread_t tid;
} worker;

static void *work_on(void *arg)
{
    const worker *w = arg;
    const jack *j = w->j;
    size_t *at = malloc((j->ix->nrows ? j->ix->nrows : 1) * sizeof *at);
    for (size_t g = w->first; g < j->G; g += j->threads)
        j->st[g] = at ? replicate_one(j, g, at) : TIX_E_NOMEM;
    free(at);
    return NULL;
}

tix_status index_jackknife(const tix_cube *cube, tix_index *ix)
{
    size_t G = tix_cube_replicates(cube); /* >= 2: tix_index_compute checked */
    size_t n = ix->nrows;
    jack j = {cube, ix, ix->opts, G, ix->opts.threads > 1 ? ix->opts.threads : 1, NULL, NULL};
    if (j.threads > G)
        j.threads = G;
    j.ro.ci = 0;
    j.ro.threads = 1; /* a replicate's own groups: none */
    if (!j.ro.year_over_year) { /* every replicate on the series' own base */
        j.ro.has_base = 1;
        j.ro.base = ix->base;
    }
    j.x = malloc((n ? n : 1) * 4 * G * sizeof *j.x);
    j.st = malloc(G * sizeof *j.st);
    worker *ws = calloc(j.threads, sizeof *ws);
    tix_status st = j.x && j.st && ws ? TIX_OK : TIX_E_NOMEM;
    size_t started = 0;
    for (size_t k = 0; st == TIX_OK && k < j.threads; k++) {
        ws[k] = (worker){&j, k, 0};
        if (k == 0)
            continue; /* this thread's share, below */
        if (pthread_create(&ws[k].tid, NULL, work_on, &ws[k]) != 0) {
            /* the ones not started are done here, in turn */
            for (size_t r = k; r < j.threads; r++)
                ws[r] = (worker){&j, r, 0};
            break;
        }
        started = k;
    }
    if (st == TIX_OK) {
        work_on(&ws[0]);
        for (size_t k = 1; k <= started; k++)
            pthread_join(ws[k].tid, NULL);
        for (size_t k = started + 1; k < j.threads; k++)
            work_on(&ws[k]);
        for (size_t g = 0; g < G && st == TIX_OK; g++)
            st = j.st[g]; /* the first failure in group order */
    }
    double *x = j.x;
    if (st == TIX_OK) {
        double level = ix->opts.ci_level > 0 ? ix->opts.ci_level : 0.95;
        double q = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(G - 1));
        for (size_t t = 0; t < n; t++) {
            tix_index_row *r = &ix->rows[t];
            const double *xt = &x[t * 4 * G];
            r->value_index_se = jack_se(xt, G);
            r->volume_index_se = jack_se(xt + G, G);
            r->unit_value_index_se = jack_se(xt + 2 * G, G);
            interval(r->value_index, r->value_index_se, q, &r->value_index_lo,
                     &r->value_index_hi);
            interval(r->volume_index, r->volume_index_se, q, &r->volume_index_lo,
                     &r->volume_index_hi);
            interval(r->unit_value_index, r->unit_value_index_se, q, &r->unit_value_index_lo,
                     &r->unit_value_index_hi);
            double se_link = jack_se(xt + 3 * G, G);
            r->significant = -1;
            if (isfinite(se_link) && isfinite(r->change) && r->change > 0)
                r->significant = fabs(log(r->change)) > q * se_link;
        }
        ix->opts.ci = 1;
        ix->ci_groups = G;
    }
    free(x);
    free(j.st);
    free(ws);
    return st;
}
