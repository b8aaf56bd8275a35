#include "techidx/index.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[] = {"fisher", "laspeyres", "paasche", "tornqvist"};

const char *tix_method_name(tix_method m) { return (unsigned)m < 4 ? method_names[m] : "?"; }

tix_status tix_method_parse(const char *name, tix_method *m)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, method_names[i]) == 0) {
            *m = (tix_method)i;
            return TIX_OK;
        }
    return TIX_E_INVALID;
}

/* One factor of a link. q is the factor measured (contracts for volume,
 * unit values for unit value) and p the other one, so that p q is the cell's
 * value: Laspeyres sum p0 q1 / sum p0 q0, Paasche sum p1 q1 / sum p1 q0,
 * Tornqvist the geometric mean of q1/q0 weighted by mean value shares.
 * `scratch` holds 2k doubles. */
static double factor_link(tix_method m, size_t k, const double *p0, const double *q0,
                          const double *p1, const double *q1, double *scratch)
{
    if (m == TIX_METHOD_FISHER)
        return sqrt(factor_link(TIX_METHOD_LASPEYRES, k, p0, q0, p1, q1, scratch) *
                    factor_link(TIX_METHOD_PAASCHE, k, p0, q0, p1, q1, scratch));
    if (m == TIX_METHOD_TORNQVIST) {
        double s0 = 0, s1 = 0;
        for (size_t i = 0; i < k; i++) {
            s0 += p0[i] * q0[i];
            s1 += p1[i] * q1[i];
        }
        if (!(s0 > 0) || !(s1 > 0))
            return NAN;
        double *w = scratch, *lr = scratch + k;
        size_t used = 0;
        for (size_t i = 0; i < k; i++) {
            double wi = 0.5 * (p0[i] * q0[i] / s0 + p1[i] * q1[i] / s1);
            if (wi == 0)
                continue; /* no weight: its relative does not matter */
            if (!(q0[i] > 0) || !(q1[i] > 0))
                return NAN;
            w[used] = wi;
            lr[used++] = log(q1[i] / q0[i]);
        }
        /* The weights sum to 1, so the weighted mean is the weighted sum. */
        return exp(gsl_stats_wmean(w, 1, lr, 1, used));
    }
    const double *p = m == TIX_METHOD_LASPEYRES ? p0 : p1;
    double num = 0, den = 0;
    for (size_t i = 0; i < k; i++) {
        num += p[i] * q1[i];
        den += p[i] * q0[i];
    }
    if (!(den > 0) || !(num > 0))
        return NAN;
    return num / den;
}

tix_status tix_index_link(tix_method m, size_t k, const double *n0, const double *v0,
                          const double *n1, const double *v1, tix_links *out)
{
    out->value = out->volume = out->unit_value = NAN;
    if (k == 0 || (unsigned)m > TIX_METHOD_TORNQVIST)
        return TIX_E_NODATA;
    double *buf = malloc(4 * k * sizeof *buf);
    if (!buf)
        return TIX_E_NOMEM;
    double *u0 = buf, *u1 = buf + k, *scratch = buf + 2 * k;
    double s0 = 0, s1 = 0;
    for (size_t i = 0; i < k; i++) {
        u0[i] = v0[i] / n0[i];
        u1[i] = v1[i] / n1[i];
        s0 += v0[i];
        s1 += v1[i];
    }
    tix_links l;
    l.value = s0 > 0 ? s1 / s0 : NAN;
    l.volume = factor_link(m, k, u0, n0, u1, n1, scratch);
    l.unit_value = factor_link(m, k, n0, u0, n1, u1, scratch);
    free(buf);
    if (isnan(l.value) || isnan(l.volume) || isnan(l.unit_value))
        return TIX_E_NODATA;
    *out = l;
    return TIX_OK;
}

/* Matched cells of two sorted entry lists, as doubles. */
static size_t match(const tix_cube_entry *a, size_t na, const tix_cube_entry *b, size_t nb,
                    double *n0, double *v0, double *n1, double *v1)
{
    size_t i = 0, j = 0, k = 0;
    while (i < na && j < nb) {
        if (a[i].cell < b[j].cell) {
            i++;
        } else if (a[i].cell > b[j].cell) {
            j++;
        } else {
            n0[k] = (double)a[i].n;
            v0[k] = (double)a[i].value;
            n1[k] = (double)b[j].n;
            v1[k] = (double)b[j].value;
            k++, i++, j++;
        }
    }
    return k;
}

tix_status tix_index_compute(const tix_cube *cube, const tix_index_opts *opts, tix_index **out,
                             char *err, size_t errlen)
{
    tix_status st = TIX_E_NOMEM;
    size_t np = tix_cube_nperiods(cube), nc = tix_cube_ncells(cube);
    double *work = NULL;
    tix_index *ix = NULL;
    *out = NULL;
    if (np == 0) {
        if (err)
            snprintf(err, errlen, "no accepted rows: nothing to index");
        return TIX_E_NODATA;
    }
    ix = calloc(1, sizeof *ix);
    if (!ix || !(ix->rows = calloc(np, sizeof *ix->rows)) ||
        !(work = malloc(4 * (nc ? nc : 1) * sizeof *work)))
        goto fail;
    ix->kind = tix_cube_period_kind(cube);
    ix->method = opts->method;
    ix->nrows = np;

    size_t base = 0;
    if (opts->has_base) {
        for (base = 0; base < np && tix_cube_period(cube, base) != opts->base; base++)
            ;
        if (base == np) {
            char label[TIX_PERIOD_LABEL_MAX];
            tix_period_label(ix->kind, opts->base, label);
            if (err)
                snprintf(err, errlen, "base period %s has no data", label);
            st = TIX_E_NODATA;
            goto fail;
        }
    }
    ix->base = tix_cube_period(cube, base);

    for (size_t t = 0; t < np; t++) {
        tix_index_row *r = &ix->rows[t];
        size_t ne;
        const tix_cube_entry *e = tix_cube_entries(cube, t, &ne);
        r->period = tix_cube_period(cube, t);
        r->cells = ne;
        for (size_t i = 0; i < ne; i++) {
            r->contracts += e[i].n;
            if (__builtin_add_overflow(r->value, e[i].value, &r->value)) {
                st = TIX_E_OVERFLOW;
                if (err)
                    snprintf(err, errlen, "period total exceeds the int64 range of cents");
                goto fail;
            }
        }
        r->link.value = r->link.volume = r->link.unit_value = NAN;
        if (t > 0) {
            size_t np0;
            const tix_cube_entry *e0 = tix_cube_entries(cube, t - 1, &np0);
            double *n0 = work, *v0 = work + nc, *n1 = work + 2 * nc, *v1 = work + 3 * nc;
            r->matched = match(e0, np0, e, ne, n0, v0, n1, v1);
            st = tix_index_link(opts->method, r->matched, n0, v0, n1, v1, &r->link);
            if (st == TIX_E_NOMEM)
                goto fail;
        }
    }

    /* Chain outwards from the base; NaN links leave NaN behind them. */
    tix_index_row *b = &ix->rows[base];
    b->value_index = b->volume_index = b->unit_value_index = 100.0;
    for (size_t t = base + 1; t < np; t++) {
        tix_index_row *r = &ix->rows[t], *p = &ix->rows[t - 1];
        r->value_index = p->value_index * r->link.value;
        r->volume_index = p->volume_index * r->link.volume;
        r->unit_value_index = p->unit_value_index * r->link.unit_value;
    }
    for (size_t t = base; t-- > 0;) {
        tix_index_row *r = &ix->rows[t], *nx = &ix->rows[t + 1];
        r->value_index = nx->value_index / nx->link.value;
        r->volume_index = nx->volume_index / nx->link.volume;
        r->unit_value_index = nx->unit_value_index / nx->link.unit_value;
    }
    free(work);
    *out = ix;
    return TIX_OK;
fail:
    free(work);
    tix_index_free(ix);
    return st;
}

void tix_index_free(tix_index *ix)
{
    if (!ix)
        return;
    free(ix->rows);
    free(ix);
}
