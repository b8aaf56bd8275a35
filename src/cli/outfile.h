/* Output files that appear complete or not at all: a regular (or new) file
 * is written under a temporary name beside it and renamed into place on
 * commit, through symlinks. "-" is stdout; other existing non-regular files
 * (devices, FIFOs, /dev/stdout) are written straight through. */
#ifndef TECHIDX_CLI_OUTFILE_H
#define TECHIDX_CLI_OUTFILE_H

#include <stdio.h>

typedef struct outfile {
    FILE *f;
    char *path;     /* target, NULL when written straight through */
    char *tmp;      /* temporary name, NULL when written straight through */
    int cleanup_id; /* tmp registered with cleanup.h (removed on a signal) */
} outfile;

/* Opens path for writing. Returns 0, or -1 with errno set. */
int outfile_open(outfile *o, const char *path);

/* Flushes, closes and renames into place. Returns 0, or -1 with errno set
 * (the temporary file is then removed). */
int outfile_commit(outfile *o);

/* Closes and removes the temporary file; a no-op on a closed outfile. */
void outfile_abort(outfile *o);

#endif
