#include "cli/parts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/pipeline.h"
#include "cli/term.h"

static int load(parts *p, char **files, int n, const tix_engine_opts *eo, const char *cmd,
                size_t *starts);

/* An input name and the part that counts it. */
typedef struct counted {
    const char *name;
    int part;
} counted;

static int by_name(const void *a, const void *b)
{
    const counted *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->part > y->part) - (x->part < y->part);
}

/* The names of part i are p->meta.names[starts[i] .. starts[i + 1]).
 * Sorted, a name two parts count has those two as neighbours. */
static int check_repeats(const parts *p, const size_t *starts, char **files, int n, const char *cmd)
{
    size_t total = p->meta.nnames;
    counted *all = malloc((total ? total : 1) * sizeof *all);
    if (!all) {
        fprintf(stderr, "techidx: out of memory\n");
        return TIX_EXIT_FAIL;
    }
    for (int i = 0; i < n; i++)
        for (size_t k = starts[i]; k < starts[i + 1]; k++)
            all[k] = (counted){p->meta.names[k], i};
    qsort(all, total, sizeof *all, by_name);
    int rc = TIX_EXIT_OK;
    for (size_t k = 1; k < total && rc == TIX_EXIT_OK; k++) {
        if (strcmp(all[k - 1].name, all[k].name) != 0 || all[k - 1].part == all[k].part)
            continue;
        /* The names come from the files: printed escaped. */
        fputs("techidx: ", stderr);
        term_puts(stderr, files[all[k].part]);
        fprintf(stderr, ": cannot %s with ", cmd);
        term_puts(stderr, files[all[k - 1].part]);
        fputs(": both count the input '", stderr);
        term_puts(stderr, all[k].name);
        fputs("' (--allow-repeats if it is to count twice)\n", stderr);
        rc = TIX_EXIT_FAIL;
    }
    free(all);
    return rc;
}

int parts_load(parts *p, char **files, int n, const tix_engine_opts *eo, const char *cmd)
{
    return parts_load_distinct(p, files, n, eo, cmd, 1);
}

int parts_load_distinct(parts *p, char **files, int n, const tix_engine_opts *eo, const char *cmd,
                        int allow_repeats)
{
    memset(p, 0, sizeof *p);
    size_t *starts = malloc(((size_t)n + 1) * sizeof *starts);
    if (!starts) {
        fprintf(stderr, "techidx: out of memory\n");
        return TIX_EXIT_FAIL;
    }
    int rc = load(p, files, n, eo, cmd, starts);
    if (rc == TIX_EXIT_OK && !allow_repeats)
        rc = check_repeats(p, starts, files, n, cmd);
    free(starts);
    if (rc == TIX_EXIT_OK)
        pipe_sort_names((const char **)p->meta.names, p->meta.nnames);
    return rc;
}

/* Reads and merges the parts; starts[i] is where part i's names begin in
 * p->meta.names (starts[n] their end). */
static int load(parts *p, char **files, int n, const tix_engine_opts *eo, const char *cmd,
                size_t *starts)
{
    p->budget.limit = eo->max_memory ? eo->max_memory : TIX_ENGINE_MAX_MEMORY;
    for (int i = 0; i < n; i++) {
        FILE *f = strcmp(files[i], "-") == 0 ? stdin : fopen(files[i], "rb");
        if (!f) {
            term_error(files[i], 0, "cannot read: %s", strerror(errno));
            return TIX_EXIT_FAIL;
        }
        tix_cube_opts co = {TIX_PERIOD_WEEK, 0, eo->max_cells, eo->max_pairs, &p->budget};
        tix_cube *c;
        tix_tic_meta m;
        char err[256];
        tix_status st = tix_tic_read(f, &co, &c, &m, err, sizeof err);
        if (f != stdin)
            fclose(f);
        if (st != TIX_OK) {
            term_error(files[i], 0, "%s",
                       st == TIX_E_FORMAT  ? err
                       : st == TIX_E_LIMIT ? "too large for the limits (raise --max-memory "
                                             "or --max-cells)"
                                           : tix_strerror(st));
            return TIX_EXIT_FAIL;
        }
        const char *why = i ? tix_tic_incompatible(&p->meta, &m) : NULL;
        if (why) {
            term_error(files[i], 0, "cannot %s with %s: %s", cmd, files[0],
                       tix_config_message(why, "--", '-', err, sizeof err));
            tix_cube_free(c);
            tix_tic_meta_free(&m);
            return TIX_EXIT_FAIL;
        }
        starts[i] = p->meta.nnames;
        if (i == 0) {
            p->cube = c;
            p->meta = m;
            continue;
        }
        st = tix_tic_meta_add(&p->meta, &m);
        tix_tic_meta_free(&m);
        if (st == TIX_OK)
            st = tix_cube_merge(p->cube, c);
        tix_cube_free(c);
        if (st != TIX_OK) {
            term_error(files[i], 0, "cannot merge: %s%s", tix_strerror(st),
                       st == TIX_E_LIMIT ? " (raise --max-memory or --max-cells)" : "");
            return TIX_EXIT_FAIL;
        }
    }
    starts[n] = p->meta.nnames;
    return TIX_EXIT_OK;
}

void parts_free(parts *p)
{
    tix_cube_free(p->cube);
    tix_tic_meta_free(&p->meta);
    memset(p, 0, sizeof *p);
}
