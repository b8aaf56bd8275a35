#include "cli/parts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/pipeline.h"
#include "cli/term.h"

int parts_load(parts *p, char **files, int n, const tix_engine_opts *eo, const char *cmd)
{
    memset(p, 0, sizeof *p);
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
            term_error(files[i], 0, "cannot %s with %s: %s", cmd, files[0], why);
            tix_cube_free(c);
            tix_tic_meta_free(&m);
            return TIX_EXIT_FAIL;
        }
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
    pipe_sort_names((const char **)p->meta.names, p->meta.nnames);
    return TIX_EXIT_OK;
}

void parts_free(parts *p)
{
    tix_cube_free(p->cube);
    tix_tic_meta_free(&p->meta);
    memset(p, 0, sizeof *p);
}
