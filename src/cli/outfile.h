/* Output files that appear complete or not at all.
 *
 * A regular (or new) file is written under a temporary name beside it
 * (`NAME.tmp.XXXXXX`, registered with cleanup.h so that a signal removes
 * it) and renamed into place on commit, through symlinks; an existing
 * file is never touched before then.
 *
 * Everything else is written through: "-" (stdout), any name of the file
 * that is the process's stdout or stderr (`-o /dev/stdout >> log`: appended
 * through fd 1, never replaced), and other existing non-regular files
 * (devices, FIFOs).
 * A written-through output opened with outfile_open_held keeps its bytes
 * in memory until commit, so that a run that fails writes nothing there.
 *
 * The first failed write's errno is kept (outfile_error), so a full disk
 * is reported as "No space left on device" whenever stdio noticed it. */
#ifndef TECHIDX_CLI_OUTFILE_H
#define TECHIDX_CLI_OUTFILE_H

#include <stdio.h>

struct outfile_sink;

typedef struct outfile {
    FILE *f;                   /* write here; NULL once committed or aborted */
    char *path;                /* target, NULL when written straight through */
    char *tmp;                 /* temporary name, NULL when written straight through */
    int tty;                   /* written through to a terminal: a person reads it */
    struct outfile_sink *sink; /* private */
} outfile;

/* Opens path for writing; a written-through output is written as it
 * comes (for outputs that grow with the input: rejects, generated dumps).
 * An empty path is ENOENT. Returns 0, or -1 with errno set. */
int outfile_open(outfile *o, const char *path);

/* outfile_open, but a written-through output is held in memory and only
 * written at commit: for outputs whose size is that of tables already in
 * memory (the index, the cells). */
int outfile_open_held(outfile *o, const char *path);

/* 1 when o is written through (stdout, a device, a FIFO), 0 for a file
 * renamed into place. */
int outfile_is_through(const outfile *o);

/* The errno of the first write that failed, else EIO if the stream has
 * its error flag set, else 0. */
int outfile_error(const outfile *o);

/* Flushes and closes (a held output is written out here); a renamed
 * output is synced and renamed into place. Returns 0, or -1 with errno set
 * (the temporary file is then removed). */
int outfile_commit(outfile *o);

/* Closes and removes the temporary file (a held output is dropped); a
 * no-op on a closed outfile. */
void outfile_abort(outfile *o);

#endif
