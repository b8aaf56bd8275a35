/* The time-dummy hedonic regression of one window from the cube's log
 * statistics (docs/methodology.md section 5b). Each cell is a combination
 * of characteristic levels; all the contracts of a (period, cell) pair
 * share one row of the design matrix, so X'X, X'y and y'y are sums over
 * the pairs of m, S and Q: the regression never needs a contract.
 *
 * Columns, in this order: the intercept, a dummy for each period of the
 * window but the reference, then each characteristic's levels present in
 * the window but its first in byte order. Aliased columns are dropped in
 * that order (a column collinear with the ones before it goes), which
 * keeps every period dummy that can be kept; a period dummy is then
 * published only when its contrast with the reference is estimable. */
#include "hedonic_internal.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "techidx/record.h"

struct hedonic {
    size_t K;         /* characteristics */
    size_t ncells;    /* the cube's */
    uint32_t *level;  /* ncells x K: cell rank -> flat level (lev_base[k] + id in byte order) */
    size_t *nlev;     /* K */
    size_t *lev_base; /* K + 1: first level of characteristic k in the flat numbering */
    size_t W, pmax;
    /* per window */
    long *col_lev; /* flat level -> column, -1 none */
    long *col_t;   /* W: period -> column, -1 none (the reference or no data) */
    double *A, *b; /* pmax x pmax, pmax */
    double *L;     /* pmax x pmax: the sequential Cholesky factor that finds aliases */
    double *G;     /* pmax x pmax: the inverse over the kept columns, 0 elsewhere */
    double *beta;  /* pmax */
    double *gcol;  /* pmax: a column of G, contiguous */
    long *kept;    /* pmax: kept column -> position in the reduced system, -1 dropped */
    size_t *idx;   /* the columns of one row */
    unsigned char *present;
    gsl_matrix *R; /* pmax x pmax, the reduced system */
};

void hedonic_free(hedonic *h)
{
    if (!h)
        return;
    free(h->level);
    free(h->nlev);
    free(h->lev_base);
    free(h->col_lev);
    free(h->col_t);
    free(h->A);
    free(h->b);
    free(h->L);
    free(h->G);
    free(h->beta);
    free(h->gcol);
    free(h->kept);
    free(h->idx);
    free(h->present);
    if (h->R)
        gsl_matrix_free(h->R);
    free(h);
}

typedef struct comp {
    const char *p;
    size_t len;
    uint32_t cell;
} comp;

static int cmp_comp(const void *a, const void *b)
{
    const comp *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->cell < y->cell ? -1 : x->cell > y->cell;
}

/* Room is 3 p^2 doubles and a window costs O(p^3): 2000 columns are
 * about 100 MB and seconds a window. */
#define MAX_COLUMNS 2000

tix_status hedonic_new(hedonic **out, const tix_cube *cube, const char *columns, size_t W,
                       char *err, size_t errlen)
{
    *out = NULL;
    tix_dims by, hd;
    if (tix_dims_parse(tix_cube_by(cube), &by, NULL, 0) != TIX_OK)
        return TIX_E_INVALID;
    if (!columns)
        hd = by;
    else if (tix_dims_parse(columns, &hd, err, errlen) != TIX_OK)
        return TIX_E_INVALID;
    size_t pos[TIX_MAX_DIMS];
    for (size_t k = 0; k < hd.n; k++) {
        pos[k] = by.n;
        for (size_t i = 0; i < by.n; i++)
            if (strcmp(by.name[i], hd.name[k]) == 0)
                pos[k] = i;
        if (pos[k] == by.n) {
            if (err)
                snprintf(err, errlen,
                         "`hedonic` %s is not among the columns the cube keeps (%s; parts "
                         "keep more with cube `hedonic`)",
                         hd.name[k], tix_cube_by(cube));
            return TIX_E_INVALID;
        }
    }
    hedonic *h = calloc(1, sizeof *h);
    size_t nc = tix_cube_ncells(cube), K = hd.n;
    comp *cs = malloc((nc ? nc : 1) * sizeof *cs);
    if (!h || !cs)
        goto nomem;
    h->K = K;
    h->ncells = nc;
    h->W = W;
    h->level = malloc((nc * K > 0 ? nc * K : 1) * sizeof *h->level);
    h->nlev = calloc(K, sizeof *h->nlev);
    h->lev_base = calloc(K + 1, sizeof *h->lev_base);
    if (!h->level || !h->nlev || !h->lev_base)
        goto nomem;
    for (size_t k = 0; k < K; k++) {
        for (size_t r = 0; r < nc; r++) {
            tix_field v = tix_cell_value(tix_cube_cell_name(cube, r), pos[k]);
            cs[r].p = v.ptr;
            cs[r].len = v.len;
            cs[r].cell = (uint32_t)r;
        }
        qsort(cs, nc, sizeof *cs, cmp_comp);
        size_t id = 0;
        for (size_t r = 0; r < nc; r++) {
            if (r > 0 && (cs[r].len != cs[r - 1].len || memcmp(cs[r].p, cs[r - 1].p, cs[r].len)))
                id++;
            h->level[(size_t)cs[r].cell * K + k] = (uint32_t)id;
        }
        h->nlev[k] = nc ? id + 1 : 0;
        h->lev_base[k + 1] = h->lev_base[k] + h->nlev[k];
        for (size_t r = 0; r < nc; r++) /* flat: one lookup a level in each row */
            h->level[r * K + k] += (uint32_t)h->lev_base[k];
    }
    size_t nl = h->lev_base[K], p = 1 + W + nl;
    if (p > MAX_COLUMNS) {
        if (err)
            snprintf(err, errlen,
                     "`method` time-dummy: windows of %zu periods over %zu characteristic levels "
                     "need more than %d columns; use a shorter `window` or fewer `hedonic` "
                     "columns",
                     W, nl, MAX_COLUMNS);
        free(cs);
        hedonic_free(h);
        return TIX_E_LIMIT;
    }
    h->pmax = p;
    h->col_lev = malloc((nl ? nl : 1) * sizeof *h->col_lev);
    h->present = malloc(nl ? nl : 1);
    h->col_t = malloc(W * sizeof *h->col_t);
    h->A = malloc(p * p * sizeof *h->A);
    h->L = malloc(p * p * sizeof *h->L);
    h->G = malloc(p * p * sizeof *h->G);
    h->b = malloc(p * sizeof *h->b);
    h->beta = malloc(p * sizeof *h->beta);
    h->gcol = malloc(p * sizeof *h->gcol);
    h->kept = malloc(p * sizeof *h->kept);
    h->idx = malloc((K + 2) * sizeof *h->idx);
    if (!h->col_lev || !h->present || !h->col_t || !h->A || !h->L || !h->G || !h->b || !h->beta ||
        !h->gcol || !h->kept || !h->idx || !(h->R = gsl_matrix_alloc(p, p)))
        goto nomem;
    free(cs);
    *out = h;
    return TIX_OK;
nomem:
    free(cs);
    hedonic_free(h);
    return TIX_E_NOMEM;
}

#define FIX_ONE 1099511627776.0 /* 2^TIX_CUBE_LOG_SCALE */

/* The mean log of a pair and the sum of squares about it, from the exact
 * integers: with S = a m + r (0 <= r < m), sum (y - a)^2 = Q - a^2 m - 2 a r
 * exactly, and the sum about the mean is that less r^2 / m. So a pair of
 * equal amounts has exactly no spread, and no cancellation of the large
 * y'y against the fit happens in doubles. 0 when the integers are not
 * ones that amounts could give. */
int hedonic_moments(uint64_t m, hd_i128 s, hd_u128 q, double *mean, double *ss)
{
    if (m == 0 || s < 0)
        return 0;
    hd_u128 us = (hd_u128)s, a, r, t1, t2, t3;
    if (us >> 64 == 0) { /* the same quotient, without a 128-bit division */
        a = (uint64_t)us / m;
        r = (uint64_t)us % m;
    } else {
        a = us / m;
        r = us % m;
    }
    if (__builtin_mul_overflow(a, a, &t1) || __builtin_mul_overflow(t1, (hd_u128)m, &t1) ||
        __builtin_mul_overflow(a, r, &t2) || __builtin_mul_overflow(t2, (hd_u128)2, &t2) ||
        __builtin_add_overflow(t1, t2, &t3) || t3 > q)
        return 0;
    double rr = (double)r;
    *mean = ((double)a + rr / (double)m) / FIX_ONE;
    *ss = ((double)(q - t3) - rr * rr / (double)m) / (FIX_ONE * FIX_ONE);
    if (*ss < 0)
        *ss = 0;
    return 1;
}

/* The columns of the row of period t, cell c; returns their count. */
static size_t row_cols(const hedonic *h, size_t t, uint32_t c)
{
    size_t n = 0;
    h->idx[n++] = 0;
    if (h->col_t[t] >= 0)
        h->idx[n++] = (size_t)h->col_t[t];
    for (size_t k = 0; k < h->K; k++) {
        long j = h->col_lev[h->level[(size_t)c * h->K + k]];
        if (j >= 0)
            h->idx[n++] = (size_t)j;
    }
    return n;
}

static void fail_fit(const hd_window *w, hd_fit *fit)
{
    for (size_t t = 0; t < w->nt; t++)
        fit->lnp[t] = NAN;
    for (size_t t = 0; t < w->nt * w->nt; t++)
        fit->cov[t] = NAN;
    fit->df = NAN;
    fit->aliased = 0;
}

/* Whether X'X G e_j = e_j to 1e-7 in every row (A = X'X, p x p; a NaN
 * is no evidence against): row i's sum runs over k in order, four rows
 * at a time (four chains of additions, not one), against column j of G
 * copied to g. */
static int estimable(const double *A, const double *G, double *g, size_t p, size_t j)
{
    for (size_t k = 0; k < p; k++)
        g[k] = G[k * p + j];
    size_t i = 0;
    for (; i + 4 <= p; i += 4) {
        const double *a0 = A + i * p, *a1 = a0 + p, *a2 = a1 + p, *a3 = a2 + p;
        double v0 = 0, v1 = 0, v2 = 0, v3 = 0;
        for (size_t k = 0; k < p; k++) {
            v0 += a0[k] * g[k];
            v1 += a1[k] * g[k];
            v2 += a2[k] * g[k];
            v3 += a3[k] * g[k];
        }
        v0 -= i == j, v1 -= i + 1 == j, v2 -= i + 2 == j, v3 -= i + 3 == j;
        if (fabs(v0) > 1e-7 || fabs(v1) > 1e-7 || fabs(v2) > 1e-7 || fabs(v3) > 1e-7)
            return 0;
    }
    for (; i < p; i++) {
        double v = 0;
        for (size_t k = 0; k < p; k++)
            v += A[i * p + k] * g[k];
        v -= i == j;
        if (fabs(v) > 1e-7)
            return 0;
    }
    return 1;
}

int hedonic_solve(hedonic *h, const hd_window *w, hd_fit *fit)
{
    size_t nt = w->nt, K = h->K, nl = h->lev_base[K];
    fail_fit(w, fit);
    /* The reference: the first period with an amount > 0; a period
     * without one has no column (and no estimate). */
    memset(h->present, 0, nl ? nl : 1);
    size_t ref = nt;
    for (size_t t = 0; t < nt; t++) {
        uint64_t mt = 0;
        for (size_t i = w->start[t]; i < w->start[t + 1]; i++) {
            if (!w->m[i] || w->e[i].cell >= h->ncells)
                continue;
            mt += w->m[i];
            for (size_t k = 0; k < K; k++)
                h->present[h->level[(size_t)w->e[i].cell * K + k]] = 1;
        }
        h->col_t[t] = mt ? 0 : -1;
        if (mt && ref == nt)
            ref = t;
    }
    if (ref == nt)
        return 0;
    size_t p = 1;
    for (size_t t = 0; t < nt; t++)
        if (h->col_t[t] == 0 && t != ref)
            h->col_t[t] = (long)p++;
        else
            h->col_t[t] = -1;
    for (size_t k = 0; k < K; k++) {
        int first = 1;
        for (size_t l = h->lev_base[k]; l < h->lev_base[k + 1]; l++) {
            h->col_lev[l] = -1;
            if (!h->present[l])
                continue;
            if (!first)
                h->col_lev[l] = (long)p++;
            first = 0;
        }
    }
    /* X'X and X'y in the pairs' order (period, cell rank): the same
     * integers always give the same doubles. */
    double *A = h->A, *b = h->b, N = 0;
    memset(A, 0, p * p * sizeof *A);
    memset(b, 0, p * sizeof *b);
    for (size_t t = 0; t < nt; t++)
        for (size_t i = w->start[t]; i < w->start[t + 1]; i++) {
            if (!w->m[i])
                continue;
            double mean = w->mean[i];
            if (isnan(mean)) /* its integers are not ones amounts could give */
                return 0;
            double m = (double)w->m[i];
            size_t n = row_cols(h, t, w->e[i].cell);
            /* The columns of a row rise (intercept, period, levels): the
             * upper triangle here, the lower one copied after. */
            for (size_t a = 0; a < n; a++) {
                b[h->idx[a]] += m * mean;
                double *Ar = A + h->idx[a] * p;
                for (size_t c = a; c < n; c++)
                    Ar[h->idx[c]] += m;
            }
            N += m;
        }
    for (size_t i = 1; i < p; i++)
        for (size_t j = 0; j < i; j++)
            A[i * p + j] = A[j * p + i];
    /* Aliases: a sequential Cholesky that drops a column whose remaining
     * diagonal is lost to rounding against its own (counts are integers,
     * so a true remainder is far from 1e-9 of them). */
    double *L = h->L;
    size_t rank = 0;
    fit->aliased = 0;
    for (size_t j = 0; j < p; j++) {
        double d = A[j * p + j];
        for (size_t k = 0; k < j; k++)
            if (h->kept[k] >= 0)
                d -= L[j * p + k] * L[j * p + k];
        if (!(A[j * p + j] > 0) || !(d > 1e-9 * A[j * p + j])) {
            h->kept[j] = -1;
            for (size_t i = j; i < p; i++)
                L[i * p + j] = 0;
            continue;
        }
        h->kept[j] = (long)rank++;
        double ljj = sqrt(d);
        L[j * p + j] = ljj;
        for (size_t i = j + 1; i < p; i++) {
            double s = A[i * p + j];
            for (size_t k = 0; k < j; k++)
                if (h->kept[k] >= 0)
                    s -= L[i * p + k] * L[j * p + k];
            L[i * p + j] = s / ljj;
        }
    }
    /* Aliased period columns count as periods, not as levels. */
    size_t period_cols = 0;
    for (size_t t = 0; t < nt; t++)
        period_cols += h->col_t[t] >= 0;
    fit->aliased = 0;
    for (size_t j = 1 + period_cols; j < p; j++)
        fit->aliased += h->kept[j] < 0;
    /* The inverse over the kept columns (GSL's Cholesky), 0 elsewhere: a
     * generalized inverse of X'X. */
    gsl_matrix_view R = gsl_matrix_submatrix(h->R, 0, 0, rank, rank);
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            if (h->kept[i] >= 0 && h->kept[j] >= 0)
                gsl_matrix_set(&R.matrix, (size_t)h->kept[i], (size_t)h->kept[j], A[i * p + j]);
    if (gsl_linalg_cholesky_decomp1(&R.matrix) != 0 || gsl_linalg_cholesky_invert(&R.matrix) != 0)
        return 0;
    double *G = h->G, *beta = h->beta;
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            G[i * p + j] = h->kept[i] >= 0 && h->kept[j] >= 0
                               ? gsl_matrix_get(&R.matrix, (size_t)h->kept[i], (size_t)h->kept[j])
                               : 0;
    for (size_t i = 0; i < p; i++) {
        double s = 0;
        for (size_t j = 0; j < p; j++)
            s += G[i * p + j] * b[j];
        beta[i] = s;
    }
    /* The residual sum of squares: each pair's own spread plus its mean's
     * distance from the fit. */
    double rss = 0;
    for (size_t t = 0; t < nt; t++)
        for (size_t i = w->start[t]; i < w->start[t + 1]; i++) {
            if (!w->m[i])
                continue;
            double mean = w->mean[i], ss = w->ss[i]; /* a number: checked above */
            /* The row's fit, added in row_cols's order, without its list. */
            double fitv = 0;
            fitv += beta[0];
            if (h->col_t[t] >= 0)
                fitv += beta[h->col_t[t]];
            const uint32_t *lv = h->level + (size_t)w->e[i].cell * K;
            for (size_t k = 0; k < K; k++) {
                long j = h->col_lev[lv[k]];
                if (j >= 0)
                    fitv += beta[j];
            }
            rss += ss + (double)w->m[i] * (mean - fitv) * (mean - fitv);
        }
    fit->df = N - (double)rank;
    double sigma2 = fit->df > 0 ? rss / fit->df : NAN;
    /* A period's contrast with the reference is estimable when its unit
     * vector is in the row space of X: X'X G e = e. */
    for (size_t t = 0; t < nt; t++) {
        if (t == ref) {
            fit->lnp[t] = 0;
            continue;
        }
        long j = h->col_t[t];
        if (j < 0 || h->kept[j] < 0)
            continue;
        if (estimable(A, G, h->gcol, p, (size_t)j))
            fit->lnp[t] = beta[j];
    }
    for (size_t t = 0; t < nt; t++)
        for (size_t u = 0; u < nt; u++) {
            if (!isfinite(fit->lnp[t]) || !isfinite(fit->lnp[u]))
                continue;
            long a = t == ref ? -1 : h->col_t[t], c = u == ref ? -1 : h->col_t[u];
            fit->cov[t * nt + u] = a < 0 || c < 0 ? 0 * sigma2 : sigma2 * G[a * p + c];
        }
    return 1;
}
