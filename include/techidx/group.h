/* Sub-indices by group: the index of the cells that share one value of
 * one of the cube's dimensions (--group with --by COL[,COL...]), for each
 * such value.
 *
 * Each group's index is computed by the chosen method on a cube of that
 * group's cells alone (tix_cube_subset), so it is the index a run over the
 * group's rows alone would give: its own first period with data, its own
 * matched cells, its own base (or the given one). The headline over all
 * cells does not depend on the groups. */
#ifndef TECHIDX_GROUP_H
#define TECHIDX_GROUP_H

#include <stddef.h>

#include "techidx/api.h"
#include "techidx/cube.h"
#include "techidx/index.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tix_groups tix_groups;

/* Computes the sub-index of every value of dimension `dim` (a name of
 * tix_cube_by(cube), canonical) of a finalized cube, with opts. limits
 * (may be NULL) gives the budget and limits of the cubes made on the way,
 * one at a time. Returns TIX_OK (*out owns the result), TIX_E_INVALID (dim
 * is not one of the cube's dimensions; err says so), an error of
 * tix_index_compute for one group (err names the group), TIX_E_LIMIT or
 * TIX_E_NOMEM. */
TIX_API tix_status tix_groups_compute(const tix_cube *cube, const char *dim,
                                      const tix_index_opts *opts, const tix_cube_opts *limits,
                                      tix_groups **out, char *err, size_t errlen);

/* The groups in byte order of their values: how many, the value of group
 * i (owned by g), and its index (owned by g). */
TIX_API size_t tix_groups_count(const tix_groups *g);
TIX_API const char *tix_groups_value(const tix_groups *g, size_t i);
TIX_API const tix_index *tix_groups_index(const tix_groups *g, size_t i);

/* The dimension the groups are of. */
TIX_API const char *tix_groups_dim(const tix_groups *g);

/* Frees g. Accepts NULL. */
TIX_API void tix_groups_free(tix_groups *g);

#ifdef __cplusplus
}
#endif
#endif
