/* The release chart: the headline index with its volume and unit-value
 * factors over the last periods, and small multiples of each cell's own
 * value index, drawn with cairo into SVG. Black on white, the three
 * headline series told apart by line weight and dash pattern, so the chart
 * reads the same printed in black and white. */
#ifndef TECHIDX_CLI_CHART_H
#define TECHIDX_CLI_CHART_H

#include <stddef.h>

typedef struct chart_data {
    const char *title;
    size_t n;                  /* periods, oldest first */
    const char *const *labels; /* n period labels */
    const double *value, *volume, *unit_value; /* n each, NaN = no figure */
    size_t ncells;
    const char *const *cell_names;
    const double *const *cell_value; /* ncells arrays of n, NaN = no figure */
} chart_data;

/* Writes the chart as SVG to path (complete or not at all). Returns 0, or
 * -1 with a message in err. */
int chart_write_svg(const chart_data *d, const char *path, char *err, size_t errlen);

/* The chart of techidx's own CSV files: the index (period and the three
 * *_index columns) and optionally the cells table (period, cell and
 * value_index), over their last `last` periods. Returns 0 or -1 with a
 * message in err. */
int chart_from_csv(const char *index_csv, const char *cells_csv, size_t last, const char *title,
                   const char *svg, char *err, size_t errlen);

#endif
