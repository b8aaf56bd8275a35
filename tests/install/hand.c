/* A program outside techidx, built against the installed library (see
 * run.sh): the README's library example. It indexes the CSV dump argv[1]
 * with the defaults, as `techidx run` does, and prints the index CSV. */
#include <stdio.h>
#include <string.h>

#include <techidx.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: hand FILE.csv\n");
        return 2;
    }
    if (strcmp(tix_version(), TIX_VERSION_STRING) != 0) {
        fprintf(stderr, "library %s, header %s\n", tix_version(), TIX_VERSION_STRING);
        return 1;
    }
    tix_engine_opts eo;
    tix_engine_opts_init(&eo); /* ISO weeks by sector, tech_amount */
    tix_engine *e;
    tix_status st = tix_engine_new(&e, &eo, NULL, NULL);
    if (st != TIX_OK) {
        fprintf(stderr, "engine: %s\n", tix_strerror(st));
        return 1;
    }
    st = tix_engine_add_file(e, argv[1]);
    if (st == TIX_OK)
        st = tix_cube_finalize(tix_engine_cube(e));
    tix_index *ix = NULL;
    char err[256] = "";
    if (st == TIX_OK) {
        tix_index_opts io;
        tix_index_opts_init(&io); /* Fisher, chained */
        st = tix_index_compute(tix_engine_cube(e), &io, &ix, err, sizeof err);
    }
    if (st == TIX_OK)
        st = tix_write_index_csv(stdout, ix);
    if (st != TIX_OK)
        fprintf(stderr, "%s: %s %s\n", argv[1], tix_strerror(st),
                err[0] ? err : tix_engine_error(e)->message);
    tix_index_free(ix);
    tix_engine_free(e);
    return st == TIX_OK ? 0 : 1;
}
