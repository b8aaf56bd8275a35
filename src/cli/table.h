/* techidx's own CSV files read back (index and cells files, for charts and
 * revisions): a header row, then rows of text fields with as many fields.
 * table_load() keeps a small file whole; table_scan() streams a file of any
 * size one record at a time. */
#ifndef TECHIDX_CLI_TABLE_H
#define TECHIDX_CLI_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/reader.h"

typedef struct table {
    size_t ncols, nrows; /* nrows data rows, after the header */
    char **cell;         /* (nrows + 1) x ncols, row 0 the header */
} table;

/* Called by table_scan() once per record: r = 0 for the header, then 1, 2,
 * ... for the data rows; f holds n fields (n is the header's number of
 * fields for every r), borrowed views valid only during the call; line is
 * the physical line on which the record starts. Returns 0 to go on, or -1
 * to stop the scan with a message in err (errlen bytes). */
typedef int (*table_row_fn)(void *ctx, size_t r, const tix_field *f, size_t n, uint64_t line,
                            char *err, size_t errlen);

/* Reads path (plain CSV) one record at a time through techidx's reader,
 * calling fn(ctx, ...) for each; memory is the reader's buffers whatever
 * the size of the file. Every data row must have the header's number of
 * fields. Returns 0, or -1 with a message in err: the callback's, or why
 * the file could not be read (then fn may have seen some of its rows). */
int table_scan(const char *path, table_row_fn fn, void *ctx, char *err, size_t errlen);

/* Reads path (plain CSV) whole into t, which the caller frees with
 * table_free(). Every row must have the header's number of fields.
 * Returns 0, or -1 with a message in err (t is then empty). */
int table_load(const char *path, table *t, char *err, size_t errlen);

/* The column named name, or -1. */
int table_col(const table *t, const char *name);

/* Field col of data row r (0-based). */
const char *table_at(const table *t, size_t r, int col);

/* Frees what t holds and empties it. */
void table_free(table *t);

#endif
