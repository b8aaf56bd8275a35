/* What index.c and yoy.c share: an index over some of a cube's periods. */
#ifndef TECHIDX_INDEX_INTERNAL_H
#define TECHIDX_INDEX_INTERNAL_H

#include "techidx/index.h"

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

#endif
