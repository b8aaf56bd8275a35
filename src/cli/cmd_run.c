/* techidx run: files in, index out. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/pipeline.h"
#include "cli/runopts.h"
#include "techidx.h"

static const char run_help[] =
    "Usage: techidx run [OPTIONS] FILE...\n"
    "Compute the technology trading index from contract dumps.\n"
    "FILE is gzip (detected by content) or plain CSV; '-' reads stdin.\n"
    "Several files form one dataset.\n"
    "\n"
    "  --period P      day|week|month|quarter|year (default week; ISO weeks)\n"
    "  --by DIM        sector|contract_type|buyer_region|seller_region\n"
    "                  the cells whose values weight the index (default sector)\n"
    "  --measure M     tech_amount|amount (default tech_amount)\n"
    "  --method M      fisher|laspeyres|paasche|tornqvist|walsh, or the multilateral\n"
    "                  geks-fisher|geks-tornqvist (default fisher)\n"
    "  --chain C       chained|fixed: link consecutive periods, or compare each\n"
    "                  with the base directly (default chained; not with GEKS)\n"
    "  --window W      GEKS window in periods with data (default 53 weeks, 13\n"
    "                  months, 5 quarters or years, 366 days)\n"
    "  --splice S      mean|movement|window|half: how GEKS windows are joined\n"
    "                  (default mean); published periods never change\n"
    "  --base LABEL    period set to 100, e.g. 2024-W11 (default: first with data)\n"
    "  --winsorize Q   cap each amount at the Q quantile (0 < Q < 1, e.g. 0.99) of\n"
    "                  its cell's amounts over a trailing window; the index uses\n"
    "                  the capped values, and the contracts and value capped are\n"
    "                  reported (summary, capped_* columns)\n"
    "  --winsorize-window W\n"
    "                  periods in that window (default as --window)\n"
    "  --min-contracts K\n"
    "                  cells with fewer than K contracts in a period are suppressed:\n"
    "                  unpublished in --cells and left out of the links (default 1)\n"
    "  -o, --output F  index file (default stdout)\n"
    "  --format F      csv|json (default csv)\n"
    "  --cells F       per period x cell table with statistics and sub-indices\n"
    "  --contributions F\n"
    "                  each cell's contribution, in percentage points, to each\n"
    "                  period's change (chained bilateral methods)\n"
    "  --rejects F     rejected rows: file,line,reason,record\n"
    "  --strict        fail (exit 1) when any row is rejected; no index is written\n"
    "  --map COL=HDR   read column COL from header HDR (repeatable)\n"
    "  --from DATE, --to DATE\n"
    "                  reject signing dates outside the range (out_of_range)\n"
    "  --dedup         reject a repeated contract_id (duplicate_id), keeping the\n"
    "                  first accepted row in input order; costs 30 to 60 bytes per\n"
    "                  distinct 14-byte id (about 550 MB per 10 million ids),\n"
    "                  counted in --max-memory, and rows are then applied one by one\n"
    "  --threads N     threads (default: the number of cores); with N > 1 one reads\n"
    "                  and decompresses, and it and N - 1 more parse 2 MB blocks;\n"
    "                  the output is the same for any N\n"
    "  --inflate B     isal|zlib: gzip back end (default isal when built with it)\n"
    "  --allow-repeats\n"
    "                  count an input given twice (or under two names) twice;\n"
    "                  refused otherwise\n"
    "  -q, --quiet     no summary on stderr\n"
    "  -h, --help      this help\n"
    "\n"
    "Limits (the run stops with a message naming the limit when one is hit):\n"
    "  --max-record-bytes N  bytes in one CSV record (default 1048576)\n"
    "  --max-fields N        fields in one record (default 10000)\n"
    "  --max-cells N         distinct values of the --by column (default 100000)\n"
    "  --max-memory MIB      memory for aggregates and --dedup (default 1024)\n"
    "\n"
    "Rejection reasons: field_count repeated_header empty_id bad_date bad_amount\n"
    "  bad_tech_amount amount_overflow tech_exceeds_amount empty_dimension\n"
    "  invalid_text unterminated_quote out_of_range duplicate_id\n"
    "Two outputs may not be one file, nor an output an input.\n"
    "Exit status: 0 success, 1 data or I/O failure (also --strict rejects),\n"
    "  2 usage error (also an input repeated, two outputs in one file).\n";

int tix_cli_run(int argc, char **argv)
{
    run_opts o;
    int rc = runopts_parse(argc, argv, &o, "run",
                           RUNOPTS_AGGREGATE | RUNOPTS_INDEX | RUNOPTS_OUTPUTS | RUNOPTS_READ |
                               RUNOPTS_FILES | RUNOPTS_REPEATS,
                           run_help);
    if (rc != 0)
        return rc < 0 ? TIX_EXIT_OK : rc;
    pipe_ingest_state in;
    tix_index *ix = NULL;
    rc = pipe_ingest(&o, &in);
    if (rc == TIX_EXIT_OK) {
        const tix_counts *counts = tix_engine_counts(in.engine);
        if (o.strict && counts->rejected > 0) {
            fprintf(stderr, "techidx: --strict: %" PRIu64 " row%s rejected; no index written\n",
                    counts->rejected, counts->rejected == 1 ? "" : "s");
            rc = TIX_EXIT_FAIL;
        }
    }
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
        tix_run_info info = {TIX_VERSION,
                             (const char *const *)names,
                             (size_t)o.nfiles,
                             tix_column_name(o.engine.dimension),
                             tix_measure_name(o.engine.measure),
                             tix_engine_counts(in.engine)};
        pipe_outputs po = {o.json ? NULL : o.output, o.json ? o.output : NULL, o.cells,
                           o.contributions};
        rc = pipe_write(&o, cube, ix, &info, &po);
    }
    free(names);
    tix_index_free(ix);
    pipe_ingest_free(&in);
    return rc;
}
