/* Sub-indices by group (group.h): the cells split by the value of one
 * dimension, each part indexed on its own. */
#include "techidx/group.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "techidx/record.h"

struct tix_groups {
    char dim[TIX_DIM_NAME_MAX];
    size_t n;
    char **values;
    tix_index **ix;
};

static int field_cmp(tix_field a, tix_field b)
{
    int c = memcmp(a.ptr, b.ptr, a.len < b.len ? a.len : b.len);
    return c ? c : (a.len > b.len) - (a.len < b.len);
}

static int cmp_fields(const void *a, const void *b)
{
    return field_cmp(*(const tix_field *)a, *(const tix_field *)b);
}

tix_status tix_groups_compute(const tix_cube *cube, const char *dim, const tix_index_opts *opts,
                              const tix_cube_opts *limits, tix_groups **out, char *err,
                              size_t errlen)
{
    *out = NULL;
    tix_dims d;
    if (tix_dims_parse(tix_cube_by(cube), &d, NULL, 0) != TIX_OK)
        return TIX_E_INVALID;
    size_t nc_dims = tix_cube_cell_dims(cube), k = nc_dims; /* not a characteristic */
    for (size_t i = 0; i < nc_dims; i++)
        if (strcmp(d.name[i], dim) == 0)
            k = i;
    if (k == nc_dims) {
        if (err)
            snprintf(err, errlen, "`group` %s is not one of the cells' columns (`by` %.*s)", dim,
                     (int)tix_by_prefix(tix_cube_by(cube), nc_dims), tix_cube_by(cube));
        return TIX_E_INVALID;
    }
    size_t nc = tix_cube_ncells(cube);
    tix_field *vals = malloc((nc ? nc : 1) * sizeof *vals);
    unsigned char *keep = malloc(nc ? nc : 1);
    tix_groups *g = calloc(1, sizeof *g);
    tix_status st = TIX_OK;
    if (!vals || !keep || !g) {
        st = TIX_E_NOMEM;
        goto fail;
    }
    snprintf(g->dim, sizeof g->dim, "%s", dim);
    /* The distinct values, in byte order. */
    for (size_t r = 0; r < nc; r++)
        vals[r] = tix_cell_value(tix_cube_cell_name(cube, r), k);
    qsort(vals, nc, sizeof *vals, cmp_fields);
    size_t nv = 0;
    for (size_t r = 0; r < nc; r++)
        if (nv == 0 || field_cmp(vals[nv - 1], vals[r]) != 0)
            vals[nv++] = vals[r];
    g->values = calloc(nv ? nv : 1, sizeof *g->values);
    g->ix = calloc(nv ? nv : 1, sizeof *g->ix);
    if (!g->values || !g->ix) {
        st = TIX_E_NOMEM;
        goto fail;
    }
    for (size_t v = 0; v < nv; v++) {
        if (!(g->values[v] = malloc(vals[v].len + 1))) {
            st = TIX_E_NOMEM;
            goto fail;
        }
        memcpy(g->values[v], vals[v].ptr, vals[v].len);
        g->values[v][vals[v].len] = 0;
        g->n = v + 1;
        for (size_t r = 0; r < nc; r++)
            keep[r] = field_cmp(tix_cell_value(tix_cube_cell_name(cube, r), k), vals[v]) == 0;
        tix_cube *sub;
        st = tix_cube_subset(cube, keep, limits, &sub);
        if (st != TIX_OK)
            goto fail;
        char why[256];
        why[0] = 0;
        st = tix_index_compute(sub, opts, &g->ix[v], why, sizeof why);
        tix_cube_free(sub);
        if (st != TIX_OK) {
            if (err)
                snprintf(err, errlen, "`group` %s %s: %s", dim, g->values[v],
                         why[0] ? why : tix_strerror(st));
            goto fail;
        }
    }
    free(vals);
    free(keep);
    *out = g;
    return TIX_OK;
fail:
    free(vals);
    free(keep);
    tix_groups_free(g);
    return st;
}

size_t tix_groups_count(const tix_groups *g) { return g->n; }

const char *tix_groups_value(const tix_groups *g, size_t i) { return g->values[i]; }

const tix_index *tix_groups_index(const tix_groups *g, size_t i) { return g->ix[i]; }

const char *tix_groups_dim(const tix_groups *g) { return g->dim; }

void tix_groups_free(tix_groups *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        free(g->values[i]);
        tix_index_free(g->ix[i]);
    }
    free(g->values);
    free(g->ix);
    free(g);
}
