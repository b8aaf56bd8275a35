#include "cli/parts.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/term.h"

/* "techidx: NAME: [cannot CMD with OTHER: ]MESSAGE", the names from the
 * files and the message naming options as flags. */
static void report(const tix_parts *all, const char *cmd)
{
    const tix_parts_failure *f = tix_parts_error(all);
    char msg[sizeof f->message + 256];
    tix_config_message(f->message, "--", '-', msg, sizeof msg);
    fputs("techidx: ", stderr);
    if (f->part != TIX_PARTS_NONE) {
        term_puts(stderr, tix_parts_name(all, f->part));
        fputs(": ", stderr);
    }
    if (f->part != TIX_PARTS_NONE && f->other != TIX_PARTS_NONE) {
        fprintf(stderr, "cannot %s with ", cmd);
        term_puts(stderr, tix_parts_name(all, f->other));
        fputs(": ", stderr);
    }
    term_puts(stderr, msg);
    fputc('\n', stderr);
}

int parts_load(parts *p, char **files, int n, const tix_engine_opts *eo, const char *cmd)
{
    return parts_load_distinct(p, files, n, eo, cmd, 1);
}

int parts_load_distinct(parts *p, char **files, int n, const tix_engine_opts *eo, const char *cmd,
                        int allow_repeats)
{
    memset(p, 0, sizeof *p);
    tix_parts_opts po;
    tix_parts_opts_init(&po);
    po.max_cells = eo->max_cells;
    po.max_pairs = eo->max_pairs;
    po.max_memory = eo->max_memory;
    po.allow_repeats = allow_repeats;
    if (tix_parts_new(&p->all, &po) != TIX_OK) {
        fprintf(stderr, "techidx: out of memory\n");
        return TIX_EXIT_FAIL;
    }
    tix_status st = TIX_OK;
    for (int i = 0; i < n && st == TIX_OK; i++)
        st = tix_parts_add_file(p->all, files[i]);
    if (st == TIX_OK)
        st = tix_parts_finish(p->all);
    if (st != TIX_OK) {
        report(p->all, cmd);
        return TIX_EXIT_FAIL;
    }
    p->cube = tix_parts_cube(p->all);
    p->meta = *tix_parts_meta(p->all);
    return TIX_EXIT_OK;
}

void parts_free(parts *p)
{
    tix_parts_free(p->all);
    memset(p, 0, sizeof *p);
}
