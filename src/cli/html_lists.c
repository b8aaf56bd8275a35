/* cli/html: the sections that list rows of the release's other files,
 * the week's cells and the revisions. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/html_internal.h"
#include "cli/labels.h"
#include "cli/paths.h"

/* A cell of the week: its name (the by columns joined with " / ") and
 * its figures as written. */
typedef struct cell_row {
    char *name;
    char *fig[3];
    double key; /* the order: |contribution| or value */
} cell_row;

typedef struct cell_scan {
    const page *p;
    const char *period;
    int contrib;     /* contributions.csv, else cells.csv */
    int kp, kby[16]; /* columns: period, the by columns */
    int kfig[3];     /* value_pp, volume_pp, unit_value_pp / contracts, value, value_index */
    cell_row *rows;
    size_t n, cap;
} cell_scan;

static int field_is(const tix_field *f, const char *s)
{
    return f->len == strlen(s) && memcmp(f->ptr, s, f->len) == 0;
}

static char *dup_field(const tix_field *f)
{
    char *s = malloc(f->len + 1);
    if (s) {
        memcpy(s, f->ptr, f->len);
        s[f->len] = '\0';
    }
    return s;
}

static int on_cell(void *ctx, size_t r, const tix_field *f, size_t n, uint64_t line, char *err,
                   size_t errlen)
{
    cell_scan *c = ctx;
    (void)line;
    if (r == 0) {
        static const char *const contrib[3] = {"value_pp", "volume_pp", "unit_value_pp"};
        static const char *const cells[3] = {"contracts", "value", "value_index"};
        const char *want[3 + 1 + 16];
        size_t nw = 0;
        want[nw++] = "period";
        for (size_t k = 0; k < c->p->nby; k++)
            want[nw++] = c->p->by[k];
        for (int k = 0; k < 3; k++)
            want[nw++] = c->contrib ? contrib[k] : cells[k];
        for (size_t w = 0; w < nw; w++) {
            int col = -1;
            for (size_t i = 0; i < n && col < 0; i++)
                if (field_is(&f[i], want[w]))
                    col = (int)i;
            if (col < 0) {
                snprintf(err, errlen, "no column %s", want[w]);
                return -1;
            }
            if (w == 0)
                c->kp = col;
            else if (w <= c->p->nby)
                c->kby[w - 1] = col;
            else
                c->kfig[w - 1 - c->p->nby] = col;
        }
        return 0;
    }
    if (!field_is(&f[c->kp], c->period))
        return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        cell_row *m = realloc(c->rows, cap * sizeof *m);
        if (!m)
            goto nomem;
        c->rows = m;
        c->cap = cap;
    }
    cell_row *row = &c->rows[c->n];
    memset(row, 0, sizeof *row);
    size_t len = 0;
    for (size_t k = 0; k < c->p->nby; k++)
        len += f[c->kby[k]].len + 3;
    if (!(row->name = malloc(len + 1)))
        goto nomem;
    c->n++;
    size_t at_ = 0;
    for (size_t k = 0; k < c->p->nby; k++) {
        const tix_field *v = &f[c->kby[k]];
        if (k) {
            memcpy(row->name + at_, " / ", 3);
            at_ += 3;
        }
        memcpy(row->name + at_, v->ptr, v->len);
        at_ += v->len;
    }
    row->name[at_] = '\0';
    for (int k = 0; k < 3; k++)
        if (!(row->fig[k] = dup_field(&f[c->kfig[k]])))
            goto nomem;
    double key = html_num(row->fig[c->contrib ? 0 : 1]);
    row->key = isnan(key) ? -1 : c->contrib ? fabs(key) : key;
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* Largest first; ties by name, so the order is the same on every run. */
static int by_key(const void *a, const void *b)
{
    const cell_row *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? 1 : -1;
    return strcmp(x->name, y->name);
}

static void put_pp(FILE *f, const char *s)
{
    double v = html_num(s);
    if (isnan(v))
        html_esc(f, *s ? s : "–");
    else
        fprintf(f, "%+.2f", v);
}

int html_cells(FILE *f, const page *p, const char *reldir, char *err, size_t errlen)
{
    const html_opts *o = p->o;
    cell_scan c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.period = html_at(p, p->ix.nrows - 1, p->c_period);
    char *path = path_join(reldir, "contributions.csv");
    if (!path) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    FILE *probe = fopen(path, "rb");
    c.contrib = probe != NULL;
    if (probe)
        fclose(probe);
    if (!c.contrib) {
        free(path);
        if (!(path = path_join(reldir, "cells.csv"))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    char msg[512];
    int rc = 0;
    if (p->nby == 0) {
        /* No cells: the index is of the whole market. */
    } else if (table_scan(path, on_cell, &c, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "%s: %s", path, msg);
        rc = -1;
        goto done;
    }
    if (c.n)
        qsort(c.rows, c.n, sizeof *c.rows, by_key);
    size_t shown = c.n < HTML_CELLS ? c.n : HTML_CELLS;
    fprintf(f, "<h2>%s</h2>\n<p>",
            c.contrib ? T("What moved the index", "指数变动的主要来源")
                      : T("The largest cells of the week", "本期规模最大的单元"));
    if (!shown) {
        fputs(T("There are no cells to list for ", "没有可列出的单元："), f);
        html_esc(f, c.period);
        fputs(T(".</p>\n", "。</p>\n"), f);
        goto done;
    }
    const char *pl = shown == 1 ? "" : "s";
    if (o->lang == LANG_ZH) {
        fputs(c.contrib ? "对" : "", f);
        html_esc(f, c.period);
        if (c.contrib)
            fprintf(f,
                    "相比上期变动贡献最大的%zu个单元（contributions.csv），单位为百分点；所有单元"
                    "的贡献之和即为该变动。",
                    shown);
        else
            fprintf(f, "成交额最大的%zu个单元（cells.csv）；本次发布不含变动贡献分解。", shown);
    } else if (c.contrib) {
        fprintf(f, "The %zu cell%s that contributed most to the change of ", shown, pl);
        html_esc(f, c.period);
        fputs(" on the period before (contributions.csv), in percentage points of the change; "
              "the contributions of all cells add up to it.",
              f);
    } else {
        fprintf(f, "The %zu cell%s with the largest value in ", shown, pl);
        html_esc(f, c.period);
        fputs(" (cells.csv); this release has no contributions to the change.", f);
    }
    fprintf(f, "</p>\n<div class=\"scroll\"><table class=\"cells\">\n<thead><tr><th>%s</th>",
            T("Cell", "单元"));
    if (c.contrib)
        fprintf(f, "<th>%s</th><th>%s</th><th>%s</th>",
                T("Value index (pp)", "技术交易指数（百分点）"), T("Volume (pp)", "数量（百分点）"),
                T("Unit value (pp)", "单位价值（百分点）"));
    else
        fprintf(f, "<th>%s</th><th>%s</th><th>%s</th>", T("Contracts", "合同数"),
                T("Value (yuan)", "成交额（元）"), labels_series(o->lang, SERIES_VALUE));
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < shown; i++) {
        char name[512];
        labels_cell(o->labels, o->lang, c.rows[i].name, name, sizeof name);
        fputs("<tr><th scope=\"row\">", f);
        html_esc(f, name);
        fputs("</th>", f);
        for (int k = 0; k < 3; k++) {
            fputs("<td>", f);
            if (c.contrib)
                put_pp(f, c.rows[i].fig[k]);
            else if (k < 2)
                html_put_amount(f, c.rows[i].fig[k]);
            else
                html_put_level(f, html_num(c.rows[i].fig[k]));
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table></div>\n", f);
done:
    for (size_t i = 0; i < c.n; i++) {
        free(c.rows[i].name);
        for (int k = 0; k < 3; k++)
            free(c.rows[i].fig[k]);
    }
    free(c.rows);
    free(path);
    return rc;
}

int html_revisions(FILE *f, const page *p, const char *reldir, char *err, size_t errlen)
{
    const html_opts *o = p->o;
    char *path = path_join(reldir, "revisions.csv");
    table t = {0};
    char msg[512];
    if (!path) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (table_load(path, &t, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "%s: %s", path, msg);
        free(path);
        return -1;
    }
    int kp = table_col(&t, "period"), ko = table_col(&t, "value_index_old"),
        kn = table_col(&t, "value_index_new"), kc = table_col(&t, "value_index_change"),
        kco = table_col(&t, "contracts_old"), kcn = table_col(&t, "contracts_new");
    int rc = 0;
    if (kp < 0 || ko < 0 || kn < 0 || kc < 0) {
        snprintf(err, errlen,
                 "%s: no column period, value_index_old, value_index_new or "
                 "value_index_change",
                 path);
        rc = -1;
        goto done;
    }
    fprintf(f, "<h2>%s</h2>\n<p>", T("Revisions", "修订"));
    /* Revisions compare with the figures last published: those of the
     * release before, or of this week's own earlier release. */
    int same = o->previous && strcmp(o->previous, o->week) == 0;
    if (!o->previous) {
        fputs(T("This is the first release: there is nothing to revise.",
                "这是首次发布，没有需要修订的数值。"),
              f);
    } else {
        if (t.nrows == 0)
            fputs(T("No period was revised since ", "自"), f);
        else
            fprintf(f, T("%zu period%s revised since ", "自"), t.nrows,
                    t.nrows == 1 ? " was" : "s were");
        fputs(same ? T("the earlier release of ", "此前发布的") : T("the release of ", ""), f);
        html_esc(f, o->previous);
        if (o->lang == LANG_ZH)
            fputs(same ? "版本" : "", f);
        if (t.nrows == 0)
            fputs(same ? T(".", "以来，没有任何一期被修订。")
                       : T(".", "发布以来，没有任何一期被修订。"),
                  f);
        else
            fprintf(f,
                    same ? T(" (revisions.csv):", "以来，共有%zu期被修订（revisions.csv）：")
                         : T(" (late contracts; revisions.csv):",
                             "发布以来，共有%zu期因迟报合同被修订（revisions.csv）："),
                    t.nrows);
    }
    fputs("</p>\n", f);
    if (t.nrows) {
        fprintf(f, "<div class=\"scroll\"><table class=\"revisions\">\n<thead><tr><th>%s</th>",
                T("Period", "期间"));
        if (kco >= 0 && kcn >= 0)
            fprintf(f, "<th>%s</th><th>%s</th>", T("Contracts before", "原合同数"),
                    T("Contracts now", "现合同数"));
        fprintf(f, "<th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
                T("Value index before", "原指数"), T("Value index now", "现指数"),
                T("Change", "变动"));
        for (size_t r = 0; r < t.nrows; r++) {
            fputs("<tr><th scope=\"row\">", f);
            html_esc(f, table_at(&t, r, kp));
            fputs("</th>", f);
            if (kco >= 0 && kcn >= 0) {
                fputs("<td>", f);
                html_put_amount(f, table_at(&t, r, kco));
                fputs("</td><td>", f);
                html_put_amount(f, table_at(&t, r, kcn));
                fputs("</td>", f);
            }
            fputs("<td>", f);
            html_put_level(f, html_num(table_at(&t, r, ko)));
            fputs("</td><td>", f);
            html_put_level(f, html_num(table_at(&t, r, kn)));
            fputs("</td><td>", f);
            double d = html_num(table_at(&t, r, kc));
            if (isnan(d))
                fputs("–", f);
            else
                fprintf(f, "%+.1f", d);
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody>\n</table></div>\n", f);
    }
done:
    table_free(&t);
    free(path);
    return rc;
}
