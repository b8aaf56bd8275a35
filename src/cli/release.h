/* The files of a release that compare or list others: revisions.csv
 * against the previous release, and the MANIFEST of inputs and outputs. */
#ifndef TECHIDX_CLI_RELEASE_H
#define TECHIDX_CLI_RELEASE_H

#include <stddef.h>

#include "cli/state.h"

/* Writes revisions.csv to out: `period`, then for each of value_index,
 * volume_index and unit_value_index the old value, the new one and the
 * change, for every period of prev_index (NULL: no previous release; only
 * the header) whose published figures differ in new_index. *revised gets
 * how many. Returns 0, or -1 with a message in err. */
int release_revisions(const char *prev_index, const char *new_index, const char *out,
                      size_t *revised, char *err, size_t errlen);

/* Writes reldir/MANIFEST: every input (SHA-256, size, name) and every file
 * of reldir but MANIFEST (SHA-256, size, name, by name). Returns 0, or -1
 * with a message in err. */
int release_manifest(const char *reldir, const char *week, const state_input *ins, size_t nins,
                     char *err, size_t errlen);

#endif
