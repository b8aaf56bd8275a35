#include "cli/table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "techidx.h"

typedef struct loader {
    table *t;
    size_t cap; /* rows of room in t->cell */
    int bad;
} loader;

static tix_status on_row(void *ctx, const tix_row *row)
{
    loader *l = ctx;
    table *t = l->t;
    if (t->cell == NULL)
        t->ncols = row->nfields;
    else if (row->nfields != t->ncols) {
        l->bad = 1;
        return TIX_E_INVALID;
    }
    size_t have = t->cell ? t->nrows + 1 : 0;
    if (have == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **c = realloc(t->cell, cap * t->ncols * sizeof *c);
        if (!c)
            return TIX_E_NOMEM;
        t->cell = c;
        l->cap = cap;
    }
    for (size_t i = 0; i < row->nfields; i++) {
        char *s = malloc(row->fields[i].len + 1);
        if (!s)
            return TIX_E_NOMEM;
        memcpy(s, row->fields[i].ptr, row->fields[i].len);
        s[row->fields[i].len] = '\0';
        t->cell[have * t->ncols + i] = s;
    }
    if (have > 0)
        t->nrows++;
    return TIX_OK;
}

int table_load(const char *path, table *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read: %s", strerror(errno));
        return -1;
    }
    loader l = {t, 0, 0};
    tix_reader *r;
    tix_status st = tix_reader_new(&r, NULL, on_row, &l);
    char buf[65536];
    size_t got;
    while (st == TIX_OK && (got = fread(buf, 1, sizeof buf, f)) > 0)
        st = tix_reader_feed(r, buf, got);
    if (st == TIX_OK)
        st = tix_reader_finish(r);
    uint64_t line = r ? tix_reader_line(r) : 0;
    int ioerr = ferror(f);
    fclose(f);
    tix_reader_free(r);
    if (st != TIX_OK || ioerr || !t->cell) {
        if (ioerr)
            snprintf(err, errlen, "read error");
        else if (!t->cell)
            snprintf(err, errlen, "empty file");
        else if (l.bad)
            snprintf(err, errlen, "line %llu: not as many fields as the header",
                     (unsigned long long)line);
        else
            snprintf(err, errlen, "%s", tix_strerror(st));
        table_free(t);
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

void table_free(table *t)
{
    size_t n = t->cell ? (t->nrows + 1) * t->ncols : 0;
    for (size_t i = 0; i < n; i++)
        free(t->cell[i]);
    free(t->cell);
    memset(t, 0, sizeof *t);
}
