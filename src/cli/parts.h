/* Loading .tic parts for merge, index and publish: the library's parts
 * module (techidx/parts.h) with what went wrong printed. */
#ifndef TECHIDX_CLI_PARTS_H
#define TECHIDX_CLI_PARTS_H

#include "techidx.h"

typedef struct parts {
    tix_parts *all;    /* owns the cube and the meta below */
    tix_cube *cube;    /* all the parts merged, not finalized */
    tix_tic_meta meta; /* the first part's options; counts and names of all, names sorted
                          (a copy of the handle's: its names belong to `all`) */
} parts;

/* Reads and merges files[0..n) with the limits of eo (max_cells,
 * max_pairs, max_memory). Returns an exit code after printing what went
 * wrong (naming the file, and the option when parts differ). Free p with
 * parts_free whatever the result. */
int parts_load(parts *p, char **files, int n, const tix_engine_opts *eo, const char *cmd);

/* parts_load for index and merge: unless allow_repeats, parts that count
 * the same input (an input name recorded in two of them) are refused,
 * naming both parts and the input (exit 1: it is what the parts hold).
 * Names repeated within one part were repeated on purpose (cube
 * --allow-repeats) and stand. */
int parts_load_distinct(parts *p, char **files, int n, const tix_engine_opts *eo, const char *cmd,
                        int allow_repeats);
void parts_free(parts *p);

#endif
