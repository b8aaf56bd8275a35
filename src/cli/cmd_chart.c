/* techidx chart: an index file (and its cells) drawn as SVG. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/chart.h"
#include "cli/cli.h"
#include "cli/runopts.h"
#include "cli/term.h"

static const char chart_help[] =
    "Usage: techidx chart INDEX.csv [--cells CELLS.csv] [--last N] -o FILE.svg\n"
    "Draw an index file written by techidx (run -o, or a release's index.csv) as an\n"
    "SVG chart: the value index (the headline) with the volume and unit-value\n"
    "indices over the last N periods, and with --cells small panels, each with a\n"
    "cell's own value index, for the 12 cells with the largest value over those\n"
    "periods (a line says how many others there are and their share of the\n"
    "value). Black and white: the series differ in weight and dash pattern; the\n"
    "base period's 100 is a dash-dot line.\n"
    "\n"
    "  --cells F       the cells table of the same run (run --cells, cells.csv)\n"
    "  --last N        periods shown (default 104)\n"
    "  --title T       title (default \"Technology trading index\")\n"
    "  -o, --output F  the SVG file (required)\n"
    "  -h, --help      this help\n";

int tix_cli_chart(int argc, char **argv)
{
    static const struct option longs[] = {
        {"cells", required_argument, NULL, 'c'}, {"last", required_argument, NULL, 'n'},
        {"title", required_argument, NULL, 't'}, {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    const char *cells = NULL, *out = NULL, *title = "Technology trading index";
    size_t last = 104;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", longs, NULL)) != -1) {
        switch (c) {
        case 'c':
            cells = optarg;
            break;
        case 'n': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            if (*optarg < '1' || *optarg > '9' || *end || v > 100000)
                return runopts_usage_error("chart", "--last takes a whole number from 1 to "
                                                    "100000, not '%s'",
                                           optarg);
            last = v;
            break;
        }
        case 't':
            title = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            fputs(chart_help, stdout);
            return TIX_EXIT_OK;
        case ':':
            return runopts_usage_error("chart", "option '%s' needs a value", argv[optind - 1]);
        default:
            return runopts_usage_error("chart", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return runopts_usage_error("chart", "one index file, please");
    if (!out)
        return runopts_usage_error("chart", "-o FILE.svg is required");
    char err[512];
    if (chart_from_csv(argv[optind], cells, last, title, out, err, sizeof err) != 0) {
        term_error(NULL, 0, "%s", err);
        return TIX_EXIT_FAIL;
    }
    return TIX_EXIT_OK;
}
