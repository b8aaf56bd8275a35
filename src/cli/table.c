#include "cli/table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "techidx.h"

typedef struct scanner {
    table_row_fn fn;
    void *ctx;
    size_t r, ncols;
    uint64_t bad; /* the line of a row with another number of fields, or 0 */
    int failed;   /* the callback said stop */
    char *err;
    size_t errlen;
} scanner;

static tix_status on_record(void *ctx, const tix_row *row)
{
    scanner *s = ctx;
    const tix_field *fields = row->fields;
    tix_field *copy = NULL;
    if (s->r == 0) {
        s->ncols = row->nfields;
        /* A file written with --bom starts with a UTF-8 byte order mark. */
        if (row->nfields > 0 && row->fields[0].len >= 3 &&
            memcmp(row->fields[0].ptr, "\xef\xbb\xbf", 3) == 0) {
            if (!(copy = malloc(row->nfields * sizeof *copy)))
                return TIX_E_NOMEM;
            memcpy(copy, row->fields, row->nfields * sizeof *copy);
            copy[0].ptr += 3;
            copy[0].len -= 3;
            fields = copy;
        }
    } else if (row->nfields != s->ncols) {
        s->bad = row->line; /* the reader's own line is reset by finish() */
        return TIX_E_INVALID;
    }
    int rc = s->fn(s->ctx, s->r, fields, row->nfields, row->line, s->err, s->errlen);
    free(copy);
    if (rc != 0) {
        s->failed = 1;
        return TIX_E_INVALID;
    }
    s->r++;
    return TIX_OK;
}

int table_scan(const char *path, table_row_fn fn, void *ctx, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read: %s", strerror(errno));
        return -1;
    }
    scanner s = {fn, ctx, 0, 0, 0, 0, err, errlen};
    tix_reader *r;
    tix_status st = tix_reader_new(&r, NULL, on_record, &s);
    char buf[65536];
    size_t got;
    while (st == TIX_OK && (got = fread(buf, 1, sizeof buf, f)) > 0)
        st = tix_reader_feed(r, buf, got);
    if (st == TIX_OK)
        st = tix_reader_finish(r);
    int ioerr = ferror(f);
    fclose(f);
    tix_reader_free(r);
    if (s.failed)
        return -1; /* the callback wrote err */
    if (ioerr)
        snprintf(err, errlen, "read error");
    else if (st == TIX_OK && s.r == 0)
        snprintf(err, errlen, "empty file");
    else if (s.bad)
        snprintf(err, errlen, "line %llu: not as many fields as the header",
                 (unsigned long long)s.bad);
    else if (st != TIX_OK)
        snprintf(err, errlen, "%s", tix_strerror(st));
    else
        return 0;
    return -1;
}

typedef struct loader {
    table *t;
    size_t cap;  /* rows of room in t->cell */
    size_t rows; /* rows complete in t->cell, the header included */
} loader;

static void free_rows(table *t, size_t rows)
{
    for (size_t i = 0; i < rows * t->ncols; i++)
        free(t->cell[i]);
    free(t->cell);
    memset(t, 0, sizeof *t);
}

static int keep_row(void *ctx, size_t r, const tix_field *f, size_t n, uint64_t line, char *err,
                    size_t errlen)
{
    loader *l = ctx;
    table *t = l->t;
    (void)line;
    if (r == 0)
        t->ncols = n;
    if (r == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **c = realloc(t->cell, cap * (n ? n : 1) * sizeof *c);
        if (!c)
            goto nomem;
        t->cell = c;
        l->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        char *s = malloc(f[i].len + 1);
        if (!s) {
            for (size_t k = 0; k < i; k++)
                free(t->cell[r * n + k]);
            goto nomem;
        }
        memcpy(s, f[i].ptr, f[i].len);
        s[f[i].len] = '\0';
        t->cell[r * n + i] = s;
    }
    l->rows = r + 1;
    t->nrows = r;
    return 0;
nomem:
    snprintf(err, errlen, "%s", tix_strerror(TIX_E_NOMEM));
    return -1;
}

int table_load(const char *path, table *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    loader l = {t, 0, 0};
    if (table_scan(path, keep_row, &l, err, errlen) != 0) {
        free_rows(t, l.rows);
        return -1;
    }
    return 0;
}

int table_col(const table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cell[i], name) == 0)
            return (int)i;
    return -1;
}

const char *table_at(const table *t, size_t r, int col)
{
    return t->cell[(r + 1) * t->ncols + (size_t)col];
}

void table_free(table *t) { free_rows(t, t->cell ? t->nrows + 1 : 0); }
