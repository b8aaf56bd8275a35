/* The files of a release that compare or list others: revisions.csv
 * against the figures last published, and the MANIFEST of inputs and
 * outputs. */
#ifndef TECHIDX_CLI_RELEASE_H
#define TECHIDX_CLI_RELEASE_H

#include <stddef.h>

#include "cli/state.h"

/* Reads the figures of an index CSV of techidx's (period, the three
 * indices, contracts and value, as written) into *figs (the caller frees
 * it; *n of them). Returns 0, or -1 with a message naming the file in err. */
int release_load_figures(const char *path, state_figures **figs, size_t *n, char *err,
                         size_t errlen);

/* Reads the figures of new_index (techidx's index CSV) into *figs (the
 * caller frees it; *nfigs of them), and writes revisions.csv to out:
 * `period`, then for each of value_index, volume_index and
 * unit_value_index the old value, the new one and the change, then
 * contracts_old, contracts_new, value_old and value_new, for every period
 * of prev (the figures of the release compared with, nprev of them; none
 * before the first release: only the header) whose indices, contracts or
 * value differ (the base period too, whose index stays 100). *revised gets
 * how many; bom: the file starts with a UTF-8 byte order mark. Returns 0,
 * or -1 with a message naming the file in err. */
int release_revisions(const state_figures *prev, size_t nprev, const char *new_index,
                      const char *out, int bom, size_t *revised, state_figures **figs, size_t *nfigs,
                      char *err, size_t errlen);

/* Writes reldir/MANIFEST: every input (SHA-256, size, name) and every file
 * of reldir but MANIFEST (SHA-256, size, name, by name). A name is the
 * rest of its line, written as term_put_strict writes it: a newline or an
 * escape sequence in a name cannot forge a line. Returns 0, or -1 with a
 * message in err. */
int release_manifest(const char *reldir, const char *week, const state_input *ins, size_t nins,
                     char *err, size_t errlen);

/* One MANIFEST line: "KIND SHA256 BYTES NAME\n", the name escaped. */
void release_manifest_line(FILE *f, const char *kind, const char *sha256, unsigned long long bytes,
                           const char *name);

#endif
