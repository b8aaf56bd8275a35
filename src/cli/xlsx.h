/* A workbook of techidx's own CSV files (run --format xlsx, and index.xlsx
 * in every release): one sheet per file, numbers as numbers with formats
 * (yuan with two decimals and thousands separators, counts as integers,
 * indices, shares and links with four decimals, flags shown as yes/no but
 * kept as 1/0), headers translated, the header row frozen, and a native
 * line chart of the headline on the index sheet.
 *
 * The CSV files stay the data: the sheets keep every raw value, and the
 * cells, contributions and groups sheets add a display-name column (from
 * labels.h) beside each column that names a cell. Columns are found by
 * header name; a column the module does not know keeps its raw name and is
 * written as numbers when every field of it is one, else as text.
 *
 * The same inputs give the same bytes: the workbook's creation time is
 * 00:00 UTC of the last day of the index's last period (1970-01-01T00:00:01Z
 * when no period can be read: 0 would be the clock's time), and
 * libxlsxwriter 1.1.4 dates every zip entry 1980-01-01 00:00 whatever the
 * clock. Its scratch files go to in->tmpdir. */
#ifndef TECHIDX_CLI_XLSX_H
#define TECHIDX_CLI_XLSX_H

#include <stddef.h>

#include "cli/labels.h"

typedef struct xlsx_input {
    const char *index;         /* index CSV (required): the first sheet, and the chart */
    const char *cells;         /* cells CSV, or NULL */
    const char *contributions; /* contributions CSV, or NULL */
    const char *groups;        /* groups CSV (sub-indices), or NULL */
    const char *revisions;     /* a release's revisions.csv, or NULL */
    lang_id lang;              /* of sheet names, headers, the chart and the flags */
    const label_set *labels;      /* display names of cell values; NULL: built-in ones */
    const char *title;         /* of the workbook and its chart; NULL: the index's name */
    const char *tmpdir;        /* where libxlsxwriter makes its scratch files (each
                                  removed as soon as it is open); NULL: $TMPDIR or /tmp */
} xlsx_input;

/* Writes the workbook of in to path, complete or not at all: under a
 * temporary name beside it (removed on a signal, cleanup.h), synced, then
 * renamed into place; path itself must be a regular file or a new name (a
 * zip cannot be streamed to stdout or a FIFO). On failure nothing is left
 * and an existing path is untouched. The files in are only read. Returns 0,
 * or -1 with a message in err (errlen bytes) naming the file at fault. */
int xlsx_write(const char *path, const xlsx_input *in, char *err, size_t errlen);

#endif
