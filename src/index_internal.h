/* What index.c and yoy.c share: an index over some of a cube's periods. */
#ifndef TECHIDX_INDEX_INTERNAL_H
#define TECHIDX_INDEX_INTERNAL_H

#include "techidx/index.h"

#include <stdint.h>

#include "hedonic_internal.h"

/* tix_index_compute over the np periods sel[0..np) of cube (indices of
 * tix_cube_period, increasing), or its first np periods when sel is NULL;
 * opts->year_over_year is not looked at. Same statuses and ownership.
 * cube's cells are all its columns; the time dummy regresses on hcube,
 * cube itself or the cube it is the projection of (the same periods). */
tix_status index_of_periods(const tix_cube *cube, const tix_cube *hcube,
                            const tix_index_opts *opts, const size_t *sel, size_t np,
                            tix_index **out, char *err, size_t errlen);

/* tix_index_compute with opts->year_over_year (yoy.c). */
tix_status index_year_over_year(const tix_cube *cube, const tix_cube *hcube,
                                const tix_index_opts *opts, tix_index **out, char *err,
                                size_t errlen);

/* The jackknife of opts.ci (jackknife.c): fills the *_se, *_lo, *_hi and
 * significant fields of ix, the index of cube (which keeps replicate
 * groups) computed with ix->opts (ci 0), and sets ix->opts.ci. TIX_OK,
 * TIX_E_NOMEM, or what computing a replicate returns but TIX_E_NODATA (a
 * replicate without data gives NaN). */
tix_status index_jackknife(const tix_cube *cube, tix_index *ix);

/* The blocks GEKS computes its comparisons in (index.c, ahead), for np
 * periods in windows of W: with opts.threads >= 2, helper threads
 * compute the later blocks while the series is spliced. */
size_t index_geks_blocks(size_t W, size_t np);

/* A log (|x| < 745) in units of 2^-64, truncated toward zero: x 2^64 is
 * exact, and an integer when |x| >= 2^-12; below, the truncation is by
 * less than 2^-64 (about 5e-20). GEKS sums these exactly (index.c).
 * It is (hd_i128)(x * 0x1p64), in two 64-bit conversions instead of libgcc's: t = trunc(x 2^32) (|t| < 2^42)
 * and the rest x 2^32 - t, exact and of x's sign, whose 2^32 multiple
 * truncates to the low part. */
static inline hd_i128 index_fixed_log(double x)
{
    double y = x * 0x1p32;
    int64_t t = (int64_t)y;
    int64_t lo = (int64_t)((y - (double)t) * 0x1p32);
    return (hd_i128)t * ((int64_t)1 << 32) + lo;
}

#endif
