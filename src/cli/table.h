/* Small CSV tables read whole (techidx's own index and cells files, for
 * charts and revisions): a header row, then rows of text fields. */
#ifndef TECHIDX_CLI_TABLE_H
#define TECHIDX_CLI_TABLE_H

#include <stddef.h>

typedef struct table {
    size_t ncols, nrows; /* nrows data rows, after the header */
    char **cell;         /* (nrows + 1) x ncols, row 0 the header */
} table;

/* Reads path (plain CSV). Every row must have the header's number of
 * fields. Returns 0, or -1 with a message in err. */
int table_load(const char *path, table *t, char *err, size_t errlen);

/* The column named name, or -1. */
int table_col(const table *t, const char *name);

/* Field col of data row r (0-based). */
const char *table_at(const table *t, size_t r, int col);

void table_free(table *t);

#endif
