/* techidx chart: an index file (and its cells) drawn as SVG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/chart.h"
#include "cli/cli.h"
#include "cli/term.h"

static const args_help chart_help = {
    .head = "Usage: techidx chart INDEX.csv [--cells CELLS.csv] [--last N] -o FILE.svg\n"
            "Draw an index file written by techidx (run -o, or a release's index.csv) as an\n"
            "SVG chart: the value index (the headline) with the volume and unit-value\n"
            "indices over the last N periods, and with --cells small panels, each with a\n"
            "cell's own value index, for the 12 cells with the largest value over those\n"
            "periods (a line says how many others there are and their share of the\n"
            "value). Black and white: the series differ in weight and dash pattern; the\n"
            "base period's 100 is a dash-dot line.\n"
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
    if (chart_from_csv(argv[first], c.cells, c.last, c.title ? c.title : "Technology trading index",
                       c.output, err, sizeof err) != 0) {
        term_error(NULL, 0, "%s", err);
        rc = TIX_EXIT_FAIL;
    }
    tix_config_clear(&c);
    return rc;
}
