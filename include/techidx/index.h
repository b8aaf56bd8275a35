/* The chained technology trading index.
 *
 * For each period with data and each cell s: n = contracts, V = value
 * (cents), u = V / n. Each period with data is linked to the previous period
 * with data over the cells present in both (matched cells):
 *   value link       sum V1 / sum V0
 *   volume link      Laspeyres sum u0 n1 / sum V0, Paasche sum V1 / sum u1 n0,
 *                    Fisher sqrt(L P), Tornqvist exp sum (w0+w1)/2 ln(n1/n0)
 *                    with w the value shares within the matched cells
 *   unit-value link  the same with the roles of u and n swapped.
 * The base period is 100; later periods multiply by their links, earlier
 * ones divide. */
#ifndef TECHIDX_INDEX_H
#define TECHIDX_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/cube.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tix_method {
    TIX_METHOD_FISHER = 0,
    TIX_METHOD_LASPEYRES = 1,
    TIX_METHOD_PAASCHE = 2,
    TIX_METHOD_TORNQVIST = 3
} tix_method;

/* "fisher", "laspeyres", "paasche", "tornqvist". */
const char *tix_method_name(tix_method m);
tix_status tix_method_parse(const char *name, tix_method *m);

typedef struct tix_links {
    double value, volume, unit_value;
} tix_links;

/* Links from period 0 to period 1 over k matched cells with contracts n0/n1
 * and values v0/v1 (any unit, all >= 0, n > 0). Returns TIX_OK, or
 * TIX_E_NODATA when a link is undefined (k = 0, a zero value total, a
 * Tornqvist log of zero); *out is then all NaN. */
tix_status tix_index_link(tix_method m, size_t k, const double *n0, const double *v0,
                          const double *n1, const double *v1, tix_links *out);

typedef struct tix_index_opts {
    tix_method method;
    int has_base; /* 0: the first period with data is the base */
    int32_t base; /* period ordinal of the base when has_base */
} tix_index_opts;

/* One period with data. Index fields are NaN where undefined: no matched
 * cells on the path to the base. */
typedef struct tix_index_row {
    int32_t period;     /* ordinal (period.h) */
    uint64_t contracts; /* all accepted contracts of the period */
    int64_t value;      /* their total measure, cents */
    size_t cells;       /* cells with data */
    size_t matched;     /* cells matched with the previous period with data */
    tix_links link;     /* links to the previous period with data (NaN for the first) */
    double value_index, volume_index, unit_value_index;
} tix_index_row;

/* The computed series; rows cover only periods with data, in order. */
typedef struct tix_index {
    tix_period_kind kind;
    tix_method method;
    int32_t base;
    size_t nrows;
    tix_index_row *rows;
} tix_index;

/* Computes the chained index of a finalized cube. Returns TIX_OK (*out owns
 * the result), TIX_E_NODATA (no data, or the base period has none; err
 * says which), TIX_E_OVERFLOW or TIX_E_NOMEM. */
tix_status tix_index_compute(const tix_cube *cube, const tix_index_opts *opts, tix_index **out,
                             char *err, size_t errlen);

/* Frees ix. Accepts NULL. */
void tix_index_free(tix_index *ix);

#ifdef __cplusplus
}
#endif
#endif
