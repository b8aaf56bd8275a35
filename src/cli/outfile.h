/* Output files that appear complete or not at all: written under a
 * temporary name in the target's directory and renamed into place on
 * commit. "-" writes to stdout directly. */
#ifndef TECHIDX_CLI_OUTFILE_H
#define TECHIDX_CLI_OUTFILE_H

#include <stdio.h>

typedef struct outfile {
    FILE *f;
    char *path; /* target, NULL for stdout */
    char *tmp;  /* temporary name, NULL for stdout */
} outfile;

/* Opens path for writing. Returns 0, or -1 with errno set. */
int outfile_open(outfile *o, const char *path);

/* Flushes, closes and renames into place. Returns 0, or -1 with errno set
 * (the temporary file is then removed). */
int outfile_commit(outfile *o);

/* Closes and removes the temporary file; a no-op on a closed outfile. */
void outfile_abort(outfile *o);

#endif
