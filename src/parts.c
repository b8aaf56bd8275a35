/* Parts (parts.h): .tic files read, checked against each other and merged,
 * for every front end (the command line, techidx-mpi, Python), so that
 * they refuse the same things with the same words. */
#include "techidx/parts.h"

#include "techidx/version.h"

#include "cube_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tix_parts {
    tix_parts_opts opts;
    tix_budget budget; /* the merged cube's memory */
    tix_cube *cube;    /* NULL until the first part */
    tix_tic_meta meta; /* the first part's options; everyone's counts and names */
    char **names;      /* the parts' names */
    size_t *starts;    /* part i's input names are meta.names[starts[i] .. starts[i + 1]) */
    size_t nparts, cap;
    int finished;
    tix_parts_failure err;
};

void tix_parts_describe(tix_tic_meta *out, const tix_engine_opts *eo, const tix_cube *cube,
                        const tix_counts *counts, char **names, size_t n)
{
    memset(out, 0, sizeof *out);
    out->period = tix_cube_period_kind(cube);
    out->stats = tix_cube_stats_kind(cube);
    snprintf(out->by, sizeof out->by, "%s", tix_cube_by(cube));
    out->replicates = tix_cube_replicates(cube);
    out->cell_dims = tix_cube_cell_dims(cube);
    if (out->cell_dims == cube_by_columns(out->by))
        out->cell_dims = 0;
    out->measure = eo->measure;
    out->has_range = eo->has_range;
    out->from_day = eo->from_day;
    out->to_day = eo->to_day;
    out->counts = *counts;
    out->names = names;
    out->nnames = n;
}

void tix_parts_run_info(tix_run_info *out, const tix_tic_meta *m)
{
    out->version = tix_version();
    out->inputs = (const char *const *)m->names;
    out->ninputs = m->nnames;
    out->by = m->by;
    out->cell_dims = m->cell_dims;
    out->measure = tix_measure_name(m->measure);
    out->counts = &m->counts;
}

void tix_parts_opts_init(tix_parts_opts *o) { memset(o, 0, sizeof *o); }

void tix_parts_opts_from_config(tix_parts_opts *o, const tix_config *c)
{
    tix_parts_opts_init(o);
    o->max_cells = c->engine.max_cells;
    o->max_pairs = c->engine.max_pairs;
    o->max_memory = c->engine.max_memory;
    o->allow_repeats = c->allow_repeats;
}

tix_status tix_parts_new(tix_parts **out, const tix_parts_opts *opts)
{
    *out = NULL;
    tix_parts *p = calloc(1, sizeof *p);
    if (!p)
        return TIX_E_NOMEM;
    if (opts)
        p->opts = *opts;
    size_t m = p->opts.max_memory;
    p->budget.limit = m == SIZE_MAX ? 0 : m ? m : TIX_ENGINE_MAX_MEMORY;
    p->err.part = p->err.other = TIX_PARTS_NONE;
    *out = p;
    return TIX_OK;
}

__attribute__((format(printf, 5, 6))) static tix_status
fail(tix_parts *p, tix_status st, size_t part, size_t other, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err.message, sizeof p->err.message, fmt, ap);
    va_end(ap);
    p->err.status = st;
    p->err.part = part;
    p->err.other = other;
    return st;
}

/* Room for one more part's name and start. */
static tix_status grow(tix_parts *p)
{
    if (p->nparts + 1 < p->cap)
        return TIX_OK;
    size_t cap = p->cap ? 2 * p->cap : 8;
    char **names = realloc(p->names, cap * sizeof *names);
    if (!names)
        return TIX_E_NOMEM;
    p->names = names;
    size_t *starts = realloc(p->starts, cap * sizeof *starts);
    if (!starts)
        return TIX_E_NOMEM;
    p->starts = starts;
    p->cap = cap;
    return TIX_OK;
}

/* Whether p takes another part; the status to return when not. */
static tix_status closed(tix_parts *p)
{
    if (p->err.status != TIX_OK)
        return p->err.status;
    if (p->finished)
        return fail(p, TIX_E_INVALID, TIX_PARTS_NONE, TIX_PARTS_NONE,
                    "no part can be added after the last");
    return TIX_OK;
}

/* Takes the part just read (c, m; freed here whatever happens), named
 * p->names[p->nparts], as part p->nparts. */
static tix_status take(tix_parts *p, tix_status st, tix_cube *c, tix_tic_meta *m, const char *err)
{
    size_t i = p->nparts++;
    if (st != TIX_OK)
        return fail(p, st, i, TIX_PARTS_NONE, "%s",
                    st == TIX_E_FORMAT  ? err
                    : st == TIX_E_LIMIT ? "too large for the limits (raise `max-memory` or "
                                          "`max-cells`)"
                                        : tix_strerror(st));
    const char *why = i ? tix_tic_incompatible(&p->meta, m) : NULL;
    if (why) {
        tix_cube_free(c);
        tix_tic_meta_free(m);
        return fail(p, TIX_E_INVALID, i, 0, "%s", why);
    }
    p->starts[i] = p->meta.nnames;
    if (i == 0) {
        p->cube = c;
        p->meta = *m;
        return TIX_OK;
    }
    st = tix_tic_meta_add(&p->meta, m);
    tix_tic_meta_free(m);
    if (st == TIX_OK)
        st = tix_cube_merge(p->cube, c);
    tix_cube_free(c);
    if (st != TIX_OK)
        return fail(p, st, i, TIX_PARTS_NONE, "cannot merge: %s%s", tix_strerror(st),
                    st == TIX_E_LIMIT ? " (raise `max-memory` or `max-cells`)" : "");
    return TIX_OK;
}

/* Registers the name of the part about to be read. */
static tix_status name_part(tix_parts *p, const char *name)
{
    char *copy = grow(p) == TIX_OK ? strdup(name) : NULL;
    if (!copy)
        return fail(p, TIX_E_NOMEM, TIX_PARTS_NONE, TIX_PARTS_NONE, "out of memory");
    p->names[p->nparts] = copy;
    return TIX_OK;
}

static tix_cube_opts cube_opts(tix_parts *p)
{
    tix_cube_opts co;
    tix_cube_opts_init(&co);
    co.max_cells = p->opts.max_cells;
    co.max_pairs = p->opts.max_pairs;
    co.budget = &p->budget;
    return co;
}

tix_status tix_parts_add_file(tix_parts *p, const char *path)
{
    tix_status st = closed(p);
    if (st == TIX_OK)
        st = name_part(p, path);
    if (st != TIX_OK)
        return st;
    int std_in = strcmp(path, "-") == 0;
    FILE *f = std_in ? stdin : fopen(path, "rb");
    if (!f) {
        p->nparts++;
        return fail(p, TIX_E_IO, p->nparts - 1, TIX_PARTS_NONE, "cannot read: %s", strerror(errno));
    }
    tix_cube_opts co = cube_opts(p);
    tix_cube *c = NULL;
    tix_tic_meta m;
    char err[256];
    st = tix_tic_read(f, &co, &c, &m, err, sizeof err);
    if (!std_in)
        fclose(f);
    return take(p, st, c, &m, err);
}

tix_status tix_parts_add_mem(tix_parts *p, const char *name, const void *buf, size_t len)
{
    tix_status st = closed(p);
    if (st == TIX_OK)
        st = name_part(p, name);
    if (st != TIX_OK)
        return st;
    tix_cube_opts co = cube_opts(p);
    tix_cube *c = NULL;
    tix_tic_meta m;
    char err[256];
    st = tix_tic_read_mem(buf, len, &co, &c, &m, err, sizeof err);
    return take(p, st, c, &m, err);
}

/* An input name and the part that counts it. */
typedef struct counted {
    const char *name;
    size_t part;
} counted;

static int by_name(const void *a, const void *b)
{
    const counted *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->part > y->part) - (x->part < y->part);
}

/* Sorted by (name, part), a name two parts count has those two parts as
 * neighbours: the first such pair is the one reported. */
static tix_status check_repeats(tix_parts *p)
{
    size_t total = p->meta.nnames;
    counted *all = malloc((total ? total : 1) * sizeof *all);
    if (!all)
        return fail(p, TIX_E_NOMEM, TIX_PARTS_NONE, TIX_PARTS_NONE, "out of memory");
    for (size_t i = 0; i < p->nparts; i++)
        for (size_t k = p->starts[i]; k < p->starts[i + 1]; k++)
            all[k] = (counted){p->meta.names[k], i};
    qsort(all, total, sizeof *all, by_name);
    tix_status st = TIX_OK;
    for (size_t k = 1; k < total && st == TIX_OK; k++)
        if (strcmp(all[k - 1].name, all[k].name) == 0 && all[k - 1].part != all[k].part)
            st = fail(p, TIX_E_INVALID, all[k].part, all[k - 1].part,
                      "both count the input '%s' (`allow-repeats` if it is to count twice)",
                      all[k].name);
    free(all);
    return st;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

tix_status tix_parts_finish(tix_parts *p)
{
    tix_status st = closed(p);
    if (st != TIX_OK)
        return st;
    if (p->nparts == 0)
        return fail(p, TIX_E_INVALID, TIX_PARTS_NONE, TIX_PARTS_NONE, "no parts to combine");
    p->starts[p->nparts] = p->meta.nnames;
    if (!p->opts.allow_repeats && (st = check_repeats(p)) != TIX_OK)
        return st;
    qsort(p->meta.names, p->meta.nnames, sizeof *p->meta.names, cmp_names);
    p->finished = 1;
    return TIX_OK;
}

tix_cube *tix_parts_cube(tix_parts *p)
{
    return p->finished && p->err.status == TIX_OK ? p->cube : NULL;
}

const tix_tic_meta *tix_parts_meta(const tix_parts *p)
{
    return p->finished && p->err.status == TIX_OK ? &p->meta : NULL;
}

size_t tix_parts_count(const tix_parts *p) { return p->nparts; }

const char *tix_parts_name(const tix_parts *p, size_t i)
{
    return i < p->nparts ? p->names[i] : NULL;
}

const tix_parts_failure *tix_parts_error(const tix_parts *p) { return &p->err; }

void tix_parts_free(tix_parts *p)
{
    if (!p)
        return;
    tix_cube_free(p->cube);
    tix_tic_meta_free(&p->meta);
    for (size_t i = 0; i < p->nparts; i++)
        free(p->names[i]);
    free(p->names);
    free(p->starts);
    free(p);
}
