/* The time-dummy hedonic regression over one window (hedonic.c), for
 * index.c's window solver. Not installed. */
#ifndef TECHIDX_HEDONIC_INTERNAL_H
#define TECHIDX_HEDONIC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/cube.h"
#include "techidx/status.h"

__extension__ typedef __int128 hd_i128;
__extension__ typedef unsigned __int128 hd_u128;

typedef struct hedonic hedonic;

/* One window's data: for period t (0..nt) the observations start[t] ..
 * start[t + 1] - 1, each a cell rank (e[i].cell) with m contracts of
 * amount > 0 and, where m > 0, the hedonic_moments of their fixed-point
 * logs (cube.h, TIX_CUBE_LOG_SCALE): mean NaN where those gave 0. The
 * caller works them out once for all the windows an observation is in. */
typedef struct hd_window {
    size_t nt;
    const size_t *start;
    const tix_cube_entry *e; /* e[i].cell */
    const uint64_t *m;
    const double *mean, *ss;
} hd_window;

/* The mean of m fixed-point logs that sum to s, with squares summing to
 * q, in natural-log units, and the sum of squares about it; 0 when those
 * integers are not ones that amounts could give. */
int hedonic_moments(uint64_t m, hd_i128 s, hd_u128 q, double *mean, double *ss);

/* What a window's regression gives. lnp[t]: the period dummy of t
 * against the window's reference period (its first with an amount > 0),
 * NaN when it is not estimable (no amount > 0, or aliased with the
 * characteristics); cov[t nt + u] the estimated covariance of lnp[t] and
 * lnp[u] (NaN without residual degrees of freedom); df = N - rank;
 * aliased the characteristic levels dropped as collinear with the columns
 * before them. The arrays are the caller's, nt and nt x nt. */
typedef struct hd_fit {
    double *lnp, *cov;
    double df;
    size_t aliased;
} hd_fit;

/* The characteristics `columns` (a comma list of the cube's columns,
 * its cells' and those beyond, NULL: all) of the cells of cube (finalized), and room for windows of up to W
 * periods. Returns TIX_OK; TIX_E_INVALID (err: a column not among the by
 * columns), TIX_E_LIMIT (err: more than 2000 columns: 1 + W + the levels)
 * or TIX_E_NOMEM. *out owns it; free it with hedonic_free. */
tix_status hedonic_new(hedonic **out, const tix_cube *cube, const char *columns, size_t W,
                       char *err, size_t errlen);

/* Solves window w into *fit; 0 when no parameter can be estimated (no
 * amount > 0 in the window), fit then all NaN. */
int hedonic_solve(hedonic *h, const hd_window *w, hd_fit *fit);

void hedonic_free(hedonic *h);

#endif
