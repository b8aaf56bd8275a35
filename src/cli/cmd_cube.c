/* techidx cube / merge / index: aggregation split from indexing, so that
 * any scheduler can aggregate parts of a dump on many machines and one
 * place merges them and computes the index run would have written. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/outfile.h"
#include "cli/parts.h"
#include "cli/pipeline.h"
#include "cli/runopts.h"
#include "cli/term.h"

static const args_help cube_help = {
    .head = "Usage: techidx cube [OPTIONS] FILE... -o PART.tic\n"
            "Aggregate contract dumps as run does and save the result (a .tic file: the\n"
            "per-period, per-cell aggregates and statistics, the row accounting and the\n"
            "options that decided the aggregation, with a checksum; never the rows).\n"
            "Parts merge exactly (techidx merge) and index as run would (techidx index).\n"
            "\n",
    .limits = "Limits (as for run):",
};

static const args_help merge_help = {
    .head = "Usage: techidx merge PART.tic... -o ALL.tic\n"
            "Combine parts made by techidx cube (or merge) into one. Parts must aggregate\n"
            "the same way (period, --by, measure, date range, statistics); the first\n"
            "option that differs is named otherwise. Counts, sums and statistics add up\n"
            "exactly: any split of the files and any merge order give the same bytes.\n"
            "Parts that count the same input (by the names cube recorded) are refused.\n"
            "\n",
    .limits = "Limits (as for run):",
};

static const args_help index_help = {
    .head = "Usage: techidx index [OPTIONS] PART.tic...\n"
            "Compute the index of parts made by techidx cube (merged on the fly): the same\n"
            "bytes techidx run writes for all the dumps the parts came from.\n"
            "\n",
    .limits = "Limits (as for run):",
};

int tix_cli_cube(int argc, char **argv)
{
    run_opts o;
    int rc =
        runopts_parse(argc, argv, &o, TIX_CMD_CUBE, RUNOPTS_FILES | RUNOPTS_REPEATS, &cube_help);
    if (rc == 0 && (!o.cfg.output || strcmp(o.cfg.output, "-") == 0))
        rc = runopts_usage_error("cube", "-o PART.tic is required");
    if (rc != 0) {
        runopts_free(&o);
        return rc < 0 ? TIX_EXIT_OK : rc;
    }
    pipe_ingest_state in;
    rc = pipe_ingest(&o, &in);
    if (rc == TIX_EXIT_OK) {
        tix_tic_meta m = pipe_tic_meta(&o.cfg.engine, tix_engine_cube(in.engine),
                                       tix_engine_counts(in.engine), o.files, (size_t)o.nfiles);
        rc = pipe_save_tic(o.cfg.output, tix_engine_cube(in.engine), &m);
    }
    pipe_ingest_free(&in);
    runopts_free(&o);
    return rc;
}

int tix_cli_merge(int argc, char **argv)
{
    run_opts o;
    int rc = runopts_parse(argc, argv, &o, TIX_CMD_MERGE,
                           RUNOPTS_FILES | RUNOPTS_REPEATS | RUNOPTS_INPLACE, &merge_help);
    if (rc == 0 && (!o.cfg.output || strcmp(o.cfg.output, "-") == 0))
        rc = runopts_usage_error("merge", "-o ALL.tic is required");
    if (rc != 0) {
        runopts_free(&o);
        return rc < 0 ? TIX_EXIT_OK : rc;
    }
    parts p;
    rc = parts_load_distinct(&p, o.files, o.nfiles, &o.cfg.engine, "merge", o.cfg.allow_repeats);
    if (rc == TIX_EXIT_OK)
        rc = pipe_save_tic(o.cfg.output, p.cube, &p.meta);
    if (rc == TIX_EXIT_OK && !o.cfg.quiet)
        pipe_report(&p.meta.counts);
    parts_free(&p);
    runopts_free(&o);
    return rc;
}

int tix_cli_index(int argc, char **argv)
{
    run_opts o;
    int rc =
        runopts_parse(argc, argv, &o, TIX_CMD_INDEX, RUNOPTS_FILES | RUNOPTS_REPEATS, &index_help);
    if (rc != 0) {
        runopts_free(&o);
        return rc < 0 ? TIX_EXIT_OK : rc;
    }
    parts p;
    tix_index *ix = NULL;
    rc = parts_load_distinct(&p, o.files, o.nfiles, &o.cfg.engine, "index", o.cfg.allow_repeats);
    if (rc == TIX_EXIT_OK) {
        const tix_tic_meta *m = &p.meta;
        int need = o.cfg.engine.cell_stats;
        int logs = (need & TIX_CUBE_STATS_LOGS) && !(m->stats & TIX_CUBE_STATS_LOGS);
        if ((m->stats & 3) < (need & 3) || logs) {
            fprintf(stderr,
                    "techidx: %s needs statistics the parts do not keep (made with "
                    "cube --no-stats%s)\n",
                    logs                                ? "--method time-dummy"
                    : (need & 3) == TIX_CUBE_STATS_SUMS ? "--winsorize"
                                                        : "--cells",
                    logs ? ", or by an older techidx" : "");
            rc = TIX_EXIT_FAIL;
        }
        /* --base was parsed before the period was known. */
        if (rc == TIX_EXIT_OK && o.cfg.base &&
            tix_period_parse(m->period, o.cfg.base, &o.cfg.index.base) != TIX_OK) {
            rc = runopts_usage_error("index", "--base '%s' is not a %s label of these parts",
                                     o.cfg.base, tix_period_kind_name(m->period));
        }
        if (rc == TIX_EXIT_OK && !o.cfg.quiet)
            pipe_report(&m->counts);
        if (rc == TIX_EXIT_OK)
            rc = pipe_reject_limits(&o, &m->counts);
        if (rc == TIX_EXIT_OK)
            rc = pipe_index(&o, p.cube, &ix);
        if (rc == TIX_EXIT_OK) {
            tix_run_info info;
            tix_parts_run_info(&info, m);
            pipe_outputs po = {o.cfg.format == 1 ? NULL : runopts_output(&o),
                               o.cfg.format == 1 ? runopts_output(&o) : NULL, o.cfg.cells,
                               o.cfg.contributions, o.cfg.groups};
            rc = o.cfg.format == 2 ? pipe_write_xlsx(&o, p.cube, ix, &info, &po)
                                   : pipe_write(&o, p.cube, ix, &info, &po);
        }
    }
    tix_index_free(ix);
    parts_free(&p);
    runopts_free(&o);
    return rc;
}
