/* techidx chart: an index file (and its cells) drawn as SVG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/chart.h"
#include "cli/cli.h"
#include "cli/labels.h"
#include "cli/term.h"

static const args_help chart_help = {
    .head = "Usage: techidx chart INDEX.csv [--cells CELLS.csv] [--last N] -o FILE.svg|png|pdf\n"
            "Draw an index file written by techidx (run -o, or a release's index.csv) as a\n"
            "chart: the value index (the headline) over the last N periods, with its\n"
            "interval and provisional periods when the file has them, its volume and\n"
            "unit-value factors on a panel below, and with --cells small panels, each\n"
            "with a cell's own value index on its own scale (logarithmic when it spreads\n"
            "more than 4-fold), for the 12 cells with the largest value over those\n"
            "periods (a line says how many others there are and their share of the\n"
            "value). Black and white: the series differ in weight, grey and dash; the\n"
            "base period's 100 is a dash-dot line. Text in English or Chinese (--lang),\n"
            "cells under their display names (built in, or --labels).\n"
            "\n",
};

int tix_cli_chart(int argc, char **argv)
{
    tix_config c;
    int first;
    int rc = args_parse(argc, argv, TIX_CMD_CHART, &chart_help, &c, &first);
    if (rc == 0 && first != argc - 1)
        rc = args_usage_error("chart", "one index file, please");
    if (rc == 0 && !c.output)
        rc = args_usage_error("chart", "-o FILE.svg is required");
    if (rc != 0) {
        tix_config_clear(&c);
        return rc < 0 ? TIX_EXIT_OK : rc;
    }
    char err[512];
    rc = TIX_EXIT_OK;
    label_set *lb = NULL;
    if (labels_load(c.labels, &lb, err, sizeof err) != 0) {
        term_error(NULL, 0, "%s", err);
        rc = TIX_EXIT_FAIL;
    }
    chart_opts co = {c.title, (lang_id)c.lang, lb, (chart_format)c.chart_format, NULL};
    if (rc == TIX_EXIT_OK && chart_from_csv(argv[first], c.cells, c.last, &co, c.output, err,
                                            sizeof err) != 0) {
        term_error(NULL, 0, "%s", err);
        rc = TIX_EXIT_FAIL;
    }
    labels_free(lb);
    tix_config_clear(&c);
    return rc;
}
