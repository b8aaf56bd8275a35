/* The release chart: the headline index with its volume and unit-value
 * factors over the last periods (the headline's interval shaded as a band
 * and the provisional periods shaded, when the index has
 * them), and small multiples of the cells' own
 * value indices (the CHART_PANELS largest cells; a line says how many
 * others there are and their share of the value), drawn with cairo into
 * SVG. Black on white, the three headline series told apart by line weight
 * and dash pattern, so the chart reads the same printed in black and white.
 * Its size is bounded by periods x panels, whatever the number of cells. */
#ifndef TECHIDX_CLI_CHART_H
#define TECHIDX_CLI_CHART_H

#include <stddef.h>

/* The most cell panels a chart draws. */
#define CHART_PANELS 12

typedef struct chart_data {
    const char *title;
    size_t n;                                  /* periods, oldest first */
    const char *const *labels;                 /* n period labels */
    const double *value, *volume, *unit_value; /* n each, NaN = no figure */
    size_t ncells;                             /* panels, at most CHART_PANELS */
    const char *const *cell_names;
    const double *const *cell_value; /* ncells arrays of n, NaN = no figure */
    size_t nother;                   /* cells not drawn */
    double other_share; /* their share of the cells' value over the n periods, 0 to 1 */
    const double *value_lo, *value_hi; /* n each, the headline's interval (--ci), or NULL */
    const double *provisional;         /* n flags (1: provisional, --provisional), or NULL */
} chart_data;

/* Writes the chart as SVG to path (complete or not at all). Returns 0, or
 * -1 with a message in err (also when d->ncells > CHART_PANELS). */
int chart_write_svg(const chart_data *d, const char *path, char *err, size_t errlen);

/* The chart of techidx's own CSV files: the index (period and the three
 * *_index columns; value_index_lo, value_index_hi and provisional when it
 * has them) and optionally the cells table (period, cell, value and
 * value_index), over the index's last `last` periods. The panels are for
 * the CHART_PANELS cells with the largest value summed over those periods
 * (ties to the name first in byte order), drawn in byte order of their
 * names; cells with no row in those periods are left out altogether.
 * Both files are streamed: memory holds `last` index rows, one small
 * record per cell and the drawn cells' series, however long the files.
 * Returns 0 or -1 with a message in err. */
int chart_from_csv(const char *index_csv, const char *cells_csv, size_t last, const char *title,
                   const char *svg, char *err, size_t errlen);

#endif
