/* The release chart, drawn with cairo and its text laid out with Pango
 * (fontconfig finds a CJK font for Chinese text), as SVG, PNG or PDF.
 *
 * On top the headline, the value index, with its interval as a grey band
 * when the index has one, the provisional periods shaded and the last
 * value written at the line's end; under it, on a panel of its own, its
 * two factors, the volume and the unit-value index. Then small multiples
 * of the cells' own value indices (the CHART_PANELS largest cells; a line
 * says how many others there are and their share of the value), each on
 * its own scale, logarithmic when its values spread more than
 * CHART_LOG_SPREAD-fold, so that one spike does not flatten a panel.
 * Black on white: the series differ in weight, grey and dash, so the chart
 * reads the same printed in black and white. Its size is bounded by
 * periods x panels, whatever the number of cells. */
#ifndef TECHIDX_CLI_CHART_H
#define TECHIDX_CLI_CHART_H

#include <stddef.h>

#include "cli/labels.h"

/* The most cell panels a chart draws. */
#define CHART_PANELS 12

/* A panel whose largest value is more than this many times its smallest
 * is drawn on a log scale. */
#define CHART_LOG_SPREAD 4.0

typedef enum chart_format { CHART_BY_NAME = 0, CHART_SVG, CHART_PNG, CHART_PDF } chart_format;

/* How a chart is drawn and written: tix_config's chart options. */
typedef struct chart_opts {
    const char *title;     /* NULL: the index's name in lang */
    lang_id lang;          /* the text's language */
    const label_set *labels;  /* cells' display names; NULL: the built-in ones */
    chart_format format;   /* CHART_BY_NAME: by the output's extension, else SVG */
    const char *source;    /* the source line's text; NULL: techidx's default */
} chart_opts;

typedef struct chart_data {
    size_t n;                                  /* periods, oldest first */
    const char *const *labels;                 /* n period labels */
    const double *value, *volume, *unit_value; /* n each, NaN = no figure */
    size_t ncells;                             /* panels, at most CHART_PANELS */
    const char *const *cell_names;             /* display names */
    const double *const *cell_value; /* ncells arrays of n, NaN = no figure */
    size_t nother;                   /* cells not drawn */
    double other_share; /* their share of the cells' value over the n periods, 0 to 1 */
    const double *value_lo, *value_hi; /* n each, the headline's interval (--ci), or NULL */
    const double *provisional;         /* n flags (1: provisional, --provisional), or NULL */
    const char *as_of; /* the last period's end date (YYYY-MM-DD), or NULL */
} chart_data;

/* The format a path is written in: o's, else by its extension (.png,
 * .pdf, else SVG). */
chart_format chart_format_of(chart_format asked, const char *path);

/* Writes the chart to path (complete or not at all). Returns 0, or -1 with
 * a message in err (also when d->ncells > CHART_PANELS). */
int chart_write(const chart_data *d, const chart_opts *o, const char *path, char *err,
                size_t errlen);

/* The chart of techidx's own CSV files: the index (period and the three
 * *_index columns; value_index_lo, value_index_hi, provisional and
 * period_end when it has them) and optionally the cells table (period,
 * cell, value and value_index), over the index's last `last` periods. The
 * panels are for the CHART_PANELS cells with the largest value summed over
 * those periods (ties to the name first in byte order), drawn in byte
 * order of their raw names; cells with no row in those periods are left
 * out altogether. Both files are streamed: memory holds `last` index rows,
 * one small record per cell and the drawn cells' series, however long the
 * files. Returns 0 or -1 with a message in err. */
int chart_from_csv(const char *index_csv, const char *cells_csv, size_t last,
                   const chart_opts *o, const char *path, char *err, size_t errlen);

#endif
