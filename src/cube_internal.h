/* Cube internals shared by the cube's files and tic.c (saving and loading
 * cubes): the complete state of a pair. Not installed. */
#ifndef TECHIDX_CUBE_INTERNAL_H
#define TECHIDX_CUBE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/cube.h"

/* The complete state of one (period, cell) aggregate, for saving cubes
 * and loading them again (tic.c). The statistics fields mean something
 * only in a cube with cell_stats: min and max of the amounts, their sum of
 * squares (128 bits, sumsq_overflow when it passed that), the amounts of
 * 0, and the sketch: sk[k] amounts in bucket sk_lo + k, sks[k] their sum
 * (TIX_CUBE_STATS_SUMS only). */
typedef struct cube_pair {
    int32_t period;
    uint32_t cell; /* rank of the cell name, as in tix_cube_entry */
    uint64_t n;
    int64_t sum;
    int64_t min, max;
    uint64_t sumsq_lo, sumsq_hi;
    int sumsq_overflow;
    uint64_t zeros;
    int32_t sk_lo;
    uint32_t sk_len;
    const uint32_t *sk;
    const int64_t *sks;
} cube_pair;

/* After finalize: pair v in the order of the entries (period after
 * period, cells by rank). The arrays are borrowed from the cube. Returns
 * TIX_OK or TIX_E_INVALID. */
tix_status cube_pair_at(const tix_cube *c, size_t v, cube_pair *out);

/* Adds a saved pair's aggregates to the pair (p->period, cell name
 * cell[0..len)) of an unfinalized cube, exactly as adding its amounts
 * would (p->cell is ignored). A state no adds could have made is
 * TIX_E_INVALID; otherwise as tix_cube_add, and a failed put changes
 * nothing. */
tix_status cube_put_pair(tix_cube *c, const char *cell, size_t len, const cube_pair *p);

/* Widens the day range to take in [first, last] (a loaded cube's). */
void cube_note_days(tix_cube *c, int32_t first, int32_t last);

#endif
