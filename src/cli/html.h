/* index.html: the public page of a release, made from the release's own
 * files so that it says nothing they do not. One self-contained file
 * (inline CSS and SVG, no script, no external resource), in English or
 * Chinese, printable and readable on a phone; its bytes depend on the
 * release's files and these options only (no date of generation). */
#ifndef TECHIDX_CLI_HTML_H
#define TECHIDX_CLI_HTML_H

#include <stddef.h>

#include "cli/labels.h"

typedef struct html_opts {
    lang_id lang;         /* the page's language */
    const label_set *labels; /* display names of cell values; NULL: built-in only */
    const char *week;     /* the release, e.g. "2024-W52" */
    /* The release whose figures revisions.csv compares with: the last one
     * published, this week's own when it is published again; NULL for the
     * first release. */
    const char *previous;
    int replaces; /* 1: this week was published before and is replaced */
} html_opts;

/* Reads reldir's index.csv, index.json, cells.csv, revisions.csv,
 * chart.svg and contributions.csv (when present) and writes
 * reldir/index.html, complete or not at all (outfile.h). Every value taken
 * from those files is escaped. Borrows o for the call. Returns 0, or -1
 * with a message naming the file in err (errlen bytes). */
int release_html(const char *reldir, const html_opts *o, char *err, size_t errlen);

#endif
