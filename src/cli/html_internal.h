/* What the files of cli/html share (html.c, html_text.c, html_lists.c):
 * the release's files as read, and the writing of values taken from them. */
#ifndef TECHIDX_CLI_HTML_INTERNAL_H
#define TECHIDX_CLI_HTML_INTERNAL_H

#include <jansson.h>
#include <stdio.h>

#include "cli/html.h"
#include "cli/table.h"

/* The periods the table shows, and the cells listed for the week. */
#define HTML_PERIODS 13
#define HTML_CELLS 10

/* The page's text in its language; needs an `o` (const html_opts *). */
#define T(en, zh) LANG_PICK(o->lang, en, zh)

/* The release's files as read: index.csv's columns are -1 when absent. */
typedef struct page {
    const html_opts *o;
    table ix; /* index.csv */
    int c_period, c_contracts, c_value, c_vi, c_voi, c_uvi, c_lo, c_hi, c_prov, c_unus, c_cov;
    int c_start, c_end; /* period_start, period_end (ISO dates), when index.csv has them */
    json_t *json;       /* index.json */
    const char *by[16]; /* options.by, borrowed from json */
    size_t nby;
    double ci_level; /* NAN when the index has no interval */
} page;

/* Field c of index.csv's data row r; "" when the column is absent. */
const char *html_at(const page *p, size_t r, int c);

/* 1 when field c of row r is "1" (provisional, unusual). */
int html_flag(const page *p, size_t r, int c);

/* s escaped for text and attribute values alike (& < > " '), control
 * characters replaced: every value taken from a file goes through it. */
void html_esc(FILE *f, const char *s);

/* A number of the files; NAN when empty or not a number. */
double html_num(const char *s);

/* An index level with one decimal, or a dash for NAN. */
void html_put_level(FILE *f, double v);

/* An amount or a count as written, with thousands separators; anything
 * that is not one escaped as it is, a dash for "". */
void html_put_amount(FILE *f, const char *s);

void html_put_count(FILE *f, unsigned long long v);

/* The section of the week's cells: the top contributions to the change
 * (reldir/contributions.csv, when the release has it) or the largest cells
 * by value (cells.csv), named through o->labels. Returns 0, or -1 with a
 * message naming the file in err. */
int html_cells(FILE *f, const page *p, const char *reldir, char *err, size_t errlen);

/* The section of the revisions (reldir/revisions.csv, every row). Returns
 * 0, or -1 with a message naming the file in err. */
int html_revisions(FILE *f, const page *p, const char *reldir, char *err, size_t errlen);

#endif
