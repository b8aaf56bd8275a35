/* techidx run: files in, index out. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/pipeline.h"
#include "cli/runopts.h"
#include "techidx.h"

static const args_help run_help = {
    .head = "Usage: techidx run [OPTIONS] FILE...\n"
            "Compute the technology trading index from contract dumps.\n"
            "FILE is gzip (detected by content) or plain CSV; '-' reads stdin.\n"
            "Several files form one dataset.\n"
            "\n",
    .limits = "Limits (the run stops with a message naming the limit when one is hit):",
    .tail = "\n"
            "Rejection reasons: field_count repeated_header empty_id bad_date bad_amount\n"
            "  bad_tech_amount amount_overflow tech_exceeds_amount empty_dimension\n"
            "  invalid_text unterminated_quote out_of_range duplicate_id\n"
            "Two outputs may not be one file, nor an output an input.\n"
            "Exit status: 0 success, 1 data or I/O failure (also --strict rejects, or more\n"
            "  than --max-reject-rate), 2 usage error (also an input repeated, two outputs\n"
            "  in one file).\n",
};

int tix_cli_run(int argc, char **argv)
{
    run_opts o;
    int rc = runopts_parse(argc, argv, &o, TIX_CMD_RUN, RUNOPTS_FILES | RUNOPTS_REPEATS, &run_help);
    if (rc != 0) {
        runopts_free(&o);
        return rc < 0 ? TIX_EXIT_OK : rc;
    }
    pipe_ingest_state in;
    tix_index *ix = NULL;
    rc = pipe_ingest(&o, &in);
    if (rc == TIX_EXIT_OK)
        rc = pipe_reject_limits(&o, tix_engine_counts(in.engine));
    tix_cube *cube = in.engine ? tix_engine_cube(in.engine) : NULL;
    if (rc == TIX_EXIT_OK)
        rc = pipe_index(&o, cube, &ix);
    /* Inputs sorted: the same files in any order give the same bytes. */
    char **names = malloc((size_t)o.nfiles * sizeof *names);
    if (rc == TIX_EXIT_OK && !names) {
        fprintf(stderr, "techidx: out of memory\n");
        rc = TIX_EXIT_FAIL;
    }
    if (rc == TIX_EXIT_OK) {
        memcpy(names, o.files, (size_t)o.nfiles * sizeof *names);
        pipe_sort_names((const char **)names, (size_t)o.nfiles);
        tix_tic_meta m;
        tix_run_info info;
        tix_parts_describe(&m, &o.cfg.engine, cube, tix_engine_counts(in.engine), names,
                           (size_t)o.nfiles);
        tix_parts_run_info(&info, &m);
        pipe_outputs po = {o.cfg.format == 1 ? NULL : runopts_output(&o),
                           o.cfg.format == 1 ? runopts_output(&o) : NULL, o.cfg.cells,
                           o.cfg.contributions, o.cfg.groups};
        rc = o.cfg.format == 2 ? pipe_write_xlsx(&o, cube, ix, &info, &po)
                               : pipe_write(&o, cube, ix, &info, &po);
    }
    free(names);
    tix_index_free(ix);
    pipe_ingest_free(&in);
    runopts_free(&o);
    return rc;
}
