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

static const char cube_help[] =
    "Usage: techidx cube [OPTIONS] FILE... -o PART.tic\n"
    "Aggregate contract dumps as run does and save the result (a .tic file: the\n"
    "per-period, per-cell aggregates and statistics, the row accounting and the\n"
    "options that decided the aggregation, with a checksum; never the rows).\n"
    "Parts merge exactly (techidx merge) and index as run would (techidx index).\n"
    "\n"
    "  --period, --by, --measure, --from, --to, --map, --max-*   as for run\n"
    "  --rejects F, --threads N, --inflate B                      as for run\n"
    "  --no-stats      keep counts and sums only: faster, but the parts cannot give\n"
    "                  --cells or --winsorize later\n"
    "  -o, --output F  the .tic file (required)\n"
    "  --allow-repeats let an input given twice count twice (refused otherwise)\n"
    "  -q, --quiet     no progress line or summary on stderr\n";

static const char merge_help[] =
    "Usage: techidx merge PART.tic... -o ALL.tic\n"
    "Combine parts made by techidx cube (or merge) into one. Parts must aggregate\n"
    "the same way (period, --by, measure, date range, statistics); the first\n"
    "option that differs is named otherwise. Counts, sums and statistics add up\n"
    "exactly: any split of the files and any merge order give the same bytes.\n"
    "Parts that count the same input (by the names cube recorded) are refused.\n"
    "\n"
    "  -o, --output F  the merged .tic file (required; may be one of the parts)\n"
    "  --allow-repeats merge parts that count an input twice, or a part twice\n"
    "  -q, --quiet     no summary on stderr\n";

static const char index_help[] =
    "Usage: techidx index [OPTIONS] PART.tic...\n"
    "Compute the index of parts made by techidx cube (merged on the fly): the same\n"
    "bytes techidx run writes for all the dumps the parts came from.\n"
    "\n"
    "  --method, --chain, --window, --splice, --base, --min-contracts,\n"
    "  --winsorize, --winsorize-window                            as for run\n"
    "  -o, --output F, --format csv|json, --cells F, --contributions F,\n"
    "  --strict                                                   as for run\n"
    "  --allow-repeats index parts that count an input twice, or a part twice\n"
    "                  (refused otherwise)\n"
    "  -q, --quiet     no summary on stderr\n";

/* Takes --no-stats out of argv (the shared parser does not know it). */
static int take_flag(int *argc, char **argv, const char *flag)
{
    int found = 0, k = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < *argc)
                argv[k++] = argv[i++];
            break;
        }
        if (strcmp(argv[i], flag) == 0)
            found = 1;
        else
            argv[k++] = argv[i];
    }
    *argc = k;
    argv[k] = NULL;
    return found;
}

int tix_cli_cube(int argc, char **argv)
{
    int lean = take_flag(&argc, argv, "--no-stats");
    run_opts o;
    int rc = runopts_parse(argc, argv, &o, "cube",
                           RUNOPTS_AGGREGATE | RUNOPTS_READ | RUNOPTS_OUTPUTS | RUNOPTS_FILES |
                               RUNOPTS_REPEATS,
                           cube_help);
    if (rc != 0)
        return rc < 0 ? TIX_EXIT_OK : rc;
    if (o.cells || o.contributions || o.json || o.strict)
        return runopts_usage_error("cube", "cube writes a .tic file only: --cells, "
                                           "--contributions, --format and --strict belong "
                                           "to techidx index");
    if (!o.output || strcmp(o.output, "-") == 0)
        return runopts_usage_error("cube", "-o PART.tic is required");
    if (o.engine.dedup)
        return runopts_usage_error("cube", "--dedup cannot hold across parts aggregated "
                                           "apart; use run --dedup on all the files");
    o.engine.cell_stats = lean ? 0 : TIX_CUBE_STATS_SUMS;
    pipe_ingest_state in;
    rc = pipe_ingest(&o, &in);
    if (rc == TIX_EXIT_OK) {
        tix_tic_meta m = pipe_tic_meta(&o.engine, tix_engine_cube(in.engine),
                                       tix_engine_counts(in.engine), o.files, (size_t)o.nfiles);
        rc = pipe_save_tic(o.output, tix_engine_cube(in.engine), &m);
    }
    pipe_ingest_free(&in);
    return rc;
}

int tix_cli_merge(int argc, char **argv)
{
    run_opts o;
    int rc = runopts_parse(argc, argv, &o, "merge",
                           RUNOPTS_OUTPUTS | RUNOPTS_FILES | RUNOPTS_REPEATS | RUNOPTS_INPLACE,
                           merge_help);
    if (rc != 0)
        return rc < 0 ? TIX_EXIT_OK : rc;
    if (o.cells || o.contributions || o.json || o.strict)
        return runopts_usage_error("merge", "merge writes a .tic file only");
    if (!o.output || strcmp(o.output, "-") == 0)
        return runopts_usage_error("merge", "-o ALL.tic is required");
    parts p;
    rc = parts_load_distinct(&p, o.files, o.nfiles, &o.engine, "merge", o.allow_repeats);
    if (rc == TIX_EXIT_OK)
        rc = pipe_save_tic(o.output, p.cube, &p.meta);
    if (rc == TIX_EXIT_OK && !o.quiet)
        pipe_report(&p.meta.counts);
    parts_free(&p);
    return rc;
}

int tix_cli_index(int argc, char **argv)
{
    run_opts o;
    int rc = runopts_parse(argc, argv, &o, "index",
                           RUNOPTS_INDEX | RUNOPTS_OUTPUTS | RUNOPTS_FILES | RUNOPTS_REPEATS,
                           index_help);
    if (rc != 0)
        return rc < 0 ? TIX_EXIT_OK : rc;
    parts p;
    tix_index *ix = NULL;
    rc = parts_load_distinct(&p, o.files, o.nfiles, &o.engine, "index", o.allow_repeats);
    if (rc == TIX_EXIT_OK) {
        const tix_tic_meta *m = &p.meta;
        int need = runopts_cell_stats(&o);
        if (m->stats < need) {
            fprintf(stderr,
                    "techidx: %s needs statistics the parts do not keep (made with "
                    "cube --no-stats)\n",
                    need == TIX_CUBE_STATS_SUMS ? "--winsorize" : "--cells");
            rc = TIX_EXIT_FAIL;
        }
        /* --base was parsed before the period was known. */
        if (rc == TIX_EXIT_OK && o.base_label &&
            tix_period_parse(m->period, o.base_label, &o.index.base) != TIX_OK) {
            rc = runopts_usage_error("index", "--base '%s' is not a %s label of these parts",
                                     o.base_label, tix_period_kind_name(m->period));
        }
        if (rc == TIX_EXIT_OK && !o.quiet)
            pipe_report(&m->counts);
        if (rc == TIX_EXIT_OK && o.strict && m->counts.rejected > 0) {
            fprintf(stderr, "techidx: --strict: %" PRIu64 " row%s rejected; no index written\n",
                    m->counts.rejected, m->counts.rejected == 1 ? "" : "s");
            rc = TIX_EXIT_FAIL;
        }
        if (rc == TIX_EXIT_OK)
            rc = pipe_index(&o, p.cube, &ix);
        if (rc == TIX_EXIT_OK) {
            tix_run_info info = {TIX_VERSION,
                                 (const char *const *)m->names,
                                 m->nnames,
                                 tix_column_name(m->dimension),
                                 tix_measure_name(m->measure),
                                 &m->counts};
            pipe_outputs po = {o.json ? NULL : o.output, o.json ? o.output : NULL, o.cells,
                               o.contributions};
            rc = pipe_write(&o, p.cube, ix, &info, &po);
        }
    }
    tix_index_free(ix);
    parts_free(&p);
    return rc;
}
