/* index.html of a release; see html.h. The page is built only from the
 * release's files as they were written, so that what it says and what a
 * reader downloads beside it cannot disagree. */
#include "cli/html.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/outfile.h"
#include "cli/paths.h"
#include "cli/table.h"

/* The periods the table shows, and the cells listed for the week. */
#define HTML_PERIODS 13
#define HTML_CELLS 10

#define T(en, zh) LANG_PICK(o->lang, en, zh)

/* ---- writing ------------------------------------------------------------ */

/* Escapes every character that could end an attribute or open a tag:
 * values from the files (cell names above all) are untrusted. Control
 * characters, C0 and C1 (U+0080-U+009F), which HTML forbids in a page,
 * become U+FFFD; so does a NUL. */
static void esc_n(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
                fputs("\xef\xbf\xbd", f);
            } else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                       (unsigned char)s[i + 1] <= 0x9f) {
                fputs("\xef\xbf\xbd", f);
                i++;
            } else {
                fputc(c, f);
            }
        }
    }
}

static void esc(FILE *f, const char *s) { esc_n(f, s, strlen(s)); }

/* A number of the files read as a double; NAN when empty or not one. */
static double num(const char *s)
{
    if (!s || !*s)
        return NAN;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    return *end || errno == ERANGE ? NAN : v;
}

/* An index level, or a dash when there is none. */
static void put_level(FILE *f, double v)
{
    if (isnan(v))
        fputs("–", f);
    else
        fprintf(f, "%.1f", v);
}

/* digits[.digits], optionally signed: techidx's own amounts. */
static int is_amount(const char *s)
{
    size_t i = (*s == '-'), d = 0;
    while (s[i] >= '0' && s[i] <= '9')
        i++, d++;
    if (!d)
        return 0;
    if (s[i] == '.') {
        i++;
        if (!(s[i] >= '0' && s[i] <= '9'))
            return 0;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return s[i] == '\0';
}

/* An amount or a count with thousands separators, kept as written (no
 * rounding through a double); anything else escaped as it is. */
static void put_amount(FILE *f, const char *s)
{
    if (!is_amount(s)) {
        esc(f, *s ? s : "–");
        return;
    }
    if (*s == '-')
        fputc(*s++, f);
    size_t d = strcspn(s, ".");
    for (size_t i = 0; i < d; i++) {
        if (i && (d - i) % 3 == 0)
            fputc(',', f);
        fputc(s[i], f);
    }
    fputs(s + d, f);
}

static void put_count(FILE *f, unsigned long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%llu", v);
    put_amount(f, b);
}

/* ---- the files ------------------------------------------------------------ */

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

static const char *at(const page *p, size_t r, int c)
{
    return c >= 0 ? table_at(&p->ix, r, c) : "";
}

static int flag(const page *p, size_t r, int c)
{
    return c >= 0 && strcmp(table_at(&p->ix, r, c), "1") == 0;
}

/* The row of the same period a year before r (its label's year minus
 * one: weeks, months, quarters and days alike), or SIZE_MAX. */
static size_t year_before(const page *p, size_t r)
{
    const char *l = at(p, r, p->c_period);
    if (strlen(l) < 5 || l[4] != '-')
        return SIZE_MAX;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (l[i] < '0' || l[i] > '9')
            return SIZE_MAX;
        y = y * 10 + (l[i] - '0');
    }
    char want[64];
    snprintf(want, sizeof want, "%04d%s", y - 1, l + 4);
    for (size_t k = r; k-- > 0;)
        if (strcmp(at(p, k, p->c_period), want) == 0)
            return k;
    return SIZE_MAX;
}

/* " (2024-12-23 to 2024-12-29)" when index.csv dates its periods. */
static void put_dates(FILE *f, const page *p, size_t r, int brackets)
{
    const html_opts *o = p->o;
    const char *a = at(p, r, p->c_start), *b = at(p, r, p->c_end);
    if (!*a || !*b)
        return;
    if (brackets)
        fputs(T(" (", "（"), f);
    esc(f, a);
    fputs(T(" to ", "至"), f);
    esc(f, b);
    if (brackets)
        fputs(T(")", "）"), f);
}

/* A change in words: "up 3.2%" / "上升3.2%". */
static void put_change(FILE *f, const html_opts *o, double from, double to)
{
    double pct = (to / from - 1) * 100;
    if (fabs(pct) < 0.05)
        fputs(T("unchanged", "持平"), f);
    else
        fprintf(f, "%s%s%.1f%%", pct > 0 ? T("up", "上升") : T("down", "下降"), T(" ", ""),
                fabs(pct));
}

static int is_week(const char *label) { return strstr(label, "-W") != NULL; }

/* ---- the sections ---------------------------------------------------------- */

static void headline(FILE *f, const page *p)
{
    const html_opts *o = p->o;
    size_t last = p->ix.nrows - 1;
    const char *per = at(p, last, p->c_period);
    double v = num(at(p, last, p->c_vi)), lo = num(at(p, last, p->c_lo)),
           hi = num(at(p, last, p->c_hi));
    fputs("<p class=\"headline\">", f);
    if (o->lang == LANG_ZH) {
        esc(f, per);
        put_dates(f, p, last, 1);
        fprintf(f, "%s为<strong>", labels_series(o->lang, SERIES_VALUE));
        put_level(f, v);
        fputs("</strong>", f);
    } else {
        fputs("In ", f);
        esc(f, per);
        put_dates(f, p, last, 1);
        fputs(" the technology trading index (value index) stood at <strong>", f);
        put_level(f, v);
        fputs("</strong>", f);
    }
    if (!isnan(lo) && !isnan(hi) && !isnan(p->ci_level))
        fprintf(f, T(" (%g%% interval %.1f–%.1f)", "（%g%%置信区间%.1f–%.1f）"), p->ci_level * 100,
                lo, hi);
    int said = 0;
    if (last > 0 && num(at(p, last - 1, p->c_vi)) > 0) {
        fputs(T(", ", "，"), f);
        if (o->lang == LANG_ZH) {
            fputs(is_week(per) ? "比上周" : "比上期", f);
            put_change(f, o, num(at(p, last - 1, p->c_vi)), v);
        } else {
            put_change(f, o, num(at(p, last - 1, p->c_vi)), v);
            fputs(is_week(per) ? " on the week" : " on the previous period", f);
        }
        said = 1;
    }
    size_t y = year_before(p, last);
    if (y != SIZE_MAX && num(at(p, y, p->c_vi)) > 0) {
        fputs(said ? T(" and ", "，") : T(", ", "，"), f);
        if (o->lang == LANG_ZH) {
            fputs("比去年同期（", f);
            esc(f, at(p, y, p->c_period));
            fputs("）", f);
            put_change(f, o, num(at(p, y, p->c_vi)), v);
        } else {
            put_change(f, o, num(at(p, y, p->c_vi)), v);
            fputs(is_week(per) ? " on the same week last year ("
                               : " on the same period last year (",
                  f);
            esc(f, at(p, y, p->c_period));
            fputs(")", f);
        }
    }
    fputs(T(".", "。"), f);
    if (flag(p, last, p->c_prov))
        fputs(T(" The figure is provisional: late contracts may still revise it.",
                "该数值为初步数，迟报合同可能使其修订。"),
              f);
    fputs("</p>\n", f);
}

static void chart(FILE *f, const page *p, const char *svg)
{
    const char *start = svg ? strstr(svg, "<svg") : NULL;
    if (!start)
        return;
    const html_opts *o = p->o;
    fputs("<figure class=\"chart\">\n", f);
    fputs(start, f); /* the chart techidx drew: its text is escaped already */
    fprintf(f, "<figcaption>%s</figcaption>\n</figure>\n",
            T("The index over the last two years (chart.svg), with the interval when there is "
              "one, and the largest cells.",
              "近两年的指数（chart.svg），含置信区间（如有）及规模最大的单元。"));
}

static void periods_table(FILE *f, const page *p)
{
    const html_opts *o = p->o;
    int ci = p->c_lo >= 0 && p->c_hi >= 0;
    size_t n = p->ix.nrows, first = n > HTML_PERIODS ? n - HTML_PERIODS : 0;
    fprintf(f, "<h2>%s</h2>\n<div class=\"scroll\"><table class=\"periods\">\n<thead><tr>",
            T("Latest periods", "最近各期"));
    int dated = p->c_start >= 0 && p->c_end >= 0;
    fprintf(f, "<th>%s</th>", T("Period", "期间"));
    if (dated)
        fprintf(f, "<th>%s</th>", T("Dates", "日期"));
    fprintf(f, "<th>%s</th><th>%s</th><th>%s</th>", T("Contracts", "合同数"),
            T("Value (yuan)", "成交额（元）"), labels_series(o->lang, SERIES_VALUE));
    if (ci)
        fprintf(f, T("<th>%g%% interval</th>", "<th>%g%%置信区间</th>"),
                isnan(p->ci_level) ? 95 : p->ci_level * 100);
    fprintf(f, "<th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
            labels_series(o->lang, SERIES_VOLUME), labels_series(o->lang, SERIES_UNIT_VALUE));
    for (size_t r = n; r-- > first;) {
        int pr = flag(p, r, p->c_prov), un = flag(p, r, p->c_unus);
        fprintf(f, "<tr%s%s%s>", pr || un ? " class=\"" : "",
                pr   ? (un ? "prov unus" : "prov")
                : un ? "unus"
                     : "",
                pr || un ? "\"" : "");
        fputs("<th scope=\"row\">", f);
        esc(f, at(p, r, p->c_period));
        if (pr)
            fprintf(f, "<sup class=\"mark\" title=\"%s\">P</sup>", T("provisional", "初步数"));
        if (un)
            fprintf(f, "<sup class=\"mark\" title=\"%s\">U</sup>", T("unusual", "异常"));
        fputs("</th><td>", f);
        if (dated) {
            put_dates(f, p, r, 0);
            fputs("</td><td>", f);
        }
        put_amount(f, at(p, r, p->c_contracts));
        fputs("</td><td>", f);
        put_amount(f, at(p, r, p->c_value));
        fputs("</td><td>", f);
        put_level(f, num(at(p, r, p->c_vi)));
        if (ci) {
            fputs("</td><td>", f);
            double lo = num(at(p, r, p->c_lo)), hi = num(at(p, r, p->c_hi));
            if (isnan(lo) || isnan(hi))
                fputs("–", f);
            else
                fprintf(f, "%.1f–%.1f", lo, hi);
        }
        fputs("</td><td>", f);
        put_level(f, num(at(p, r, p->c_voi)));
        fputs("</td><td>", f);
        put_level(f, num(at(p, r, p->c_uvi)));
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table></div>\n<p class=\"note\">", f);
    const char *base =
        json_string_value(json_object_get(json_object_get(p->json, "options"), "base"));
    if (base) {
        fputs(T("Indices: base period ", "指数以"), f);
        esc(f, base);
        fputs(T(" = 100. ", "为100。"), f);
    }
    if (p->c_prov >= 0)
        fputs(T("<sup class=\"mark\">P</sup> provisional: late contracts may still revise the "
                "period. ",
                "<sup class=\"mark\">P</sup> 初步数：迟报合同可能使该期数值修订。"),
              f);
    if (p->c_unus >= 0)
        fputs(T("<sup class=\"mark\">U</sup> unusual: the change from the period before is far "
                "outside the recent ones; read it with care.",
                "<sup class=\"mark\">U</sup> 异常：与上期相比的变动远超近期常态，解读时需谨慎。"),
              f);
    fputs("</p>\n", f);
}

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
    double key = num(row->fig[c->contrib ? 0 : 1]);
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
    double v = num(s);
    if (isnan(v))
        esc(f, *s ? s : "–");
    else
        fprintf(f, "%+.2f", v);
}

static int cells_section(FILE *f, const page *p, const char *reldir, char *err, size_t errlen)
{
    const html_opts *o = p->o;
    cell_scan c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.period = at(p, p->ix.nrows - 1, p->c_period);
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
        esc(f, c.period);
        fputs(T(".</p>\n", "。</p>\n"), f);
        goto done;
    }
    const char *pl = shown == 1 ? "" : "s";
    if (o->lang == LANG_ZH) {
        fputs(c.contrib ? "对" : "", f);
        esc(f, c.period);
        if (c.contrib)
            fprintf(f,
                    "相比上期变动贡献最大的%zu个单元（contributions.csv），单位为百分点；所有单元"
                    "的贡献之和即为该变动。",
                    shown);
        else
            fprintf(f, "成交额最大的%zu个单元（cells.csv）；本次发布不含变动贡献分解。", shown);
    } else if (c.contrib) {
        fprintf(f, "The %zu cell%s that contributed most to the change of ", shown, pl);
        esc(f, c.period);
        fputs(" on the period before (contributions.csv), in percentage points of the change; "
              "the contributions of all cells add up to it.",
              f);
    } else {
        fprintf(f, "The %zu cell%s with the largest value in ", shown, pl);
        esc(f, c.period);
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
        esc(f, name);
        fputs("</th>", f);
        for (int k = 0; k < 3; k++) {
            fputs("<td>", f);
            if (c.contrib)
                put_pp(f, c.rows[i].fig[k]);
            else if (k < 2)
                put_amount(f, c.rows[i].fig[k]);
            else
                put_level(f, num(c.rows[i].fig[k]));
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

static int revisions_section(FILE *f, const page *p, const char *reldir, char *err, size_t errlen)
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
        esc(f, o->previous);
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
            esc(f, table_at(&t, r, kp));
            fputs("</th>", f);
            if (kco >= 0 && kcn >= 0) {
                fputs("<td>", f);
                put_amount(f, table_at(&t, r, kco));
                fputs("</td><td>", f);
                put_amount(f, table_at(&t, r, kcn));
                fputs("</td>", f);
            }
            fputs("<td>", f);
            put_level(f, num(table_at(&t, r, ko)));
            fputs("</td><td>", f);
            put_level(f, num(table_at(&t, r, kn)));
            fputs("</td><td>", f);
            double d = num(table_at(&t, r, kc));
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

static void put_json_count(FILE *f, const json_t *v)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0)
        put_count(f, (unsigned long long)json_integer_value(v));
    else
        fputs("–", f);
}

/* --period's values in the page's language. */
static const char *period_name(const html_opts *o, const char *p)
{
    static const char *const names[][3] = {{"day", "day", "日"},
                                           {"week", "week", "周"},
                                           {"month", "month", "月"},
                                           {"quarter", "quarter", "季度"},
                                           {"year", "year", "年"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(p, names[i][0]) == 0)
            return T(names[i][1], names[i][2]);
    return p;
}

static void coverage_section(FILE *f, const page *p)
{
    const html_opts *o = p->o;
    size_t last = p->ix.nrows - 1;
    fprintf(f, "<h2>%s</h2>\n<div class=\"scroll\"><table class=\"facts\">\n<tbody>\n",
            T("Data coverage", "数据覆盖"));
    fprintf(f, "<tr><th scope=\"row\">%s</th><td>", T("Periods", "期间"));
    esc(f, at(p, 0, p->c_period));
    fputs(" – ", f);
    esc(f, at(p, last, p->c_period));
    fprintf(f, T(" (%zu period%s)", "（共%zu期%s）"), p->ix.nrows,
            p->ix.nrows == 1 ? "" : T("s", ""));
    fprintf(f, "</td></tr>\n<tr><th scope=\"row\">%s</th><td>", T("Latest period", "最新一期"));
    put_amount(f, at(p, last, p->c_contracts));
    fputs(T(" contracts, ", "份合同，成交额"), f);
    put_amount(f, at(p, last, p->c_value));
    fputs(T(" yuan", "元"), f);
    fputs("</td></tr>\n", f);
    if (p->c_cov >= 0) {
        double cov = num(at(p, last, p->c_cov));
        fprintf(f, "<tr><th scope=\"row\">%s</th><td>",
                T("Coverage (matched share of value)", "覆盖率（可比部分占成交额比重）"));
        if (isnan(cov))
            fputs("–", f);
        else
            fprintf(f, "%.1f%%", cov * 100);
        fputs("</td></tr>\n", f);
    }
    const json_t *rows = json_object_get(p->json, "rows");
    fprintf(f, "<tr><th scope=\"row\">%s</th><td>", T("Rows read", "读取行数"));
    put_json_count(f, json_object_get(rows, "read"));
    fprintf(f, "</td></tr>\n<tr><th scope=\"row\">%s</th><td>", T("Accepted", "接受"));
    put_json_count(f, json_object_get(rows, "accepted"));
    fprintf(f, "</td></tr>\n<tr><th scope=\"row\">%s</th><td>", T("Rejected", "拒绝"));
    put_json_count(f, json_object_get(rows, "rejected"));
    const json_t *why = json_object_get(rows, "rejected_by_reason");
    if (json_object_size(why)) {
        fputs(T(" (rejects.csv): ", "（rejects.csv）："), f);
        const char *k;
        json_t *v;
        int first = 1;
        /* index.json's order, which techidx fixes. */
        json_object_foreach((json_t *)why, k, v)
        {
            fputs(first ? "" : T(", ", "，"), f);
            first = 0;
            esc(f, k);
            fputc(' ', f);
            put_json_count(f, v);
        }
    }
    fputs("</td></tr>\n", f);
    const json_t *opt = json_object_get(p->json, "options");
    const char *method = json_string_value(json_object_get(opt, "method"));
    const char *period = json_string_value(json_object_get(opt, "period"));
    if (method) {
        fprintf(f, "<tr><th scope=\"row\">%s</th><td>", T("Method", "方法"));
        esc(f, method);
        if (period) {
            fputs(T(", by ", "，按"), f);
            esc(f, period_name(o, period));
        }
        if (p->nby) {
            fputs(T("; cells by ", "；单元维度："), f);
            for (size_t k = 0; k < p->nby; k++) {
                fputs(k ? ", " : "", f);
                esc(f, p->by[k]);
            }
        }
        fputs(T(" (index.json)", "（index.json）"), f);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table></div>\n", f);
}

static const char css[] =
    ":root{color-scheme:light}\n"
    "body{margin:0 auto;max-width:60rem;padding:1rem;font:16px/1.5 system-ui,-apple-system,"
    "\"Segoe UI\",\"Noto Sans CJK SC\",\"WenQuanYi Micro Hei\",sans-serif;color:#1a1a1a;"
    "background:#fff}\n"
    "h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.8rem 0 .5rem;"
    "border-bottom:1px solid #ccc}\n"
    ".sub{color:#555;margin:0}.headline{font-size:1.15rem;background:#f3f6fa;padding:.8rem 1rem;"
    "border-left:4px solid #1f5fa8}\n"
    "figure{margin:1rem 0}figure svg{display:block;width:100%;height:auto}"
    "figcaption,.note{color:#555;font-size:.9rem}\n"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}\n"
    "table{border-collapse:collapse;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "th,td{padding:.25rem .6rem;border-bottom:1px solid #e3e3e3;text-align:right}"
    "thead th{border-bottom:2px solid #999;vertical-align:bottom}"
    "tbody th,thead th:first-child,.facts td{text-align:left}\n"
    "tr.prov{font-style:italic}tr.unus{background:#fff4d6}.mark{color:#a33;font-style:normal;"
    "font-weight:bold;margin-left:.15rem}\n"
    "footer{margin-top:2rem;color:#777;font-size:.85rem}\n"
    "@media print{body{max-width:none;font-size:11pt}.scroll{overflow:visible}"
    "h2{break-after:avoid}table,figure{break-inside:avoid}.headline{background:none}}\n";

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = 0, cap = 1 << 16;
    char *b = malloc(cap + 1);
    while (b) {
        n += fread(b + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *m = realloc(b, 2 * cap + 1);
        if (!m) {
            free(b);
            b = NULL;
            break;
        }
        b = m;
        cap *= 2;
    }
    if (b && ferror(f)) {
        free(b);
        b = NULL;
    }
    if (b)
        b[n] = '\0';
    fclose(f);
    return b;
}

static int load(page *p, const char *reldir, char *err, size_t errlen)
{
    char msg[512];
    char *path = path_join(reldir, "index.csv");
    if (!path) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (table_load(path, &p->ix, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "%s: %s", path, msg);
        free(path);
        return -1;
    }
    p->c_period = table_col(&p->ix, "period");
    p->c_contracts = table_col(&p->ix, "contracts");
    p->c_value = table_col(&p->ix, "value");
    p->c_vi = table_col(&p->ix, "value_index");
    p->c_voi = table_col(&p->ix, "volume_index");
    p->c_uvi = table_col(&p->ix, "unit_value_index");
    p->c_lo = table_col(&p->ix, "value_index_lo");
    p->c_hi = table_col(&p->ix, "value_index_hi");
    p->c_prov = table_col(&p->ix, "provisional");
    p->c_unus = table_col(&p->ix, "unusual");
    p->c_cov = table_col(&p->ix, "coverage");
    p->c_start = table_col(&p->ix, "period_start");
    p->c_end = table_col(&p->ix, "period_end");
    if (p->c_period < 0 || p->c_contracts < 0 || p->c_value < 0 || p->c_vi < 0) {
        snprintf(err, errlen, "%s: no column period, contracts, value or value_index", path);
        free(path);
        return -1;
    }
    if (p->ix.nrows == 0) {
        snprintf(err, errlen, "%s: no period", path);
        free(path);
        return -1;
    }
    free(path);
    if (!(path = path_join(reldir, "index.json"))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    json_error_t je;
    p->json = json_load_file(path, 0, &je);
    if (!json_is_object(p->json)) {
        snprintf(err, errlen, "%s: %s", path, p->json ? "not an object" : je.text);
        free(path);
        return -1;
    }
    free(path);
    const json_t *opt = json_object_get(p->json, "options"), *by = json_object_get(opt, "by");
    for (size_t k = 0; k < json_array_size(by); k++) {
        const char *s = json_string_value(json_array_get(by, k));
        if (!s || p->nby == sizeof p->by / sizeof p->by[0]) {
            snprintf(err, errlen, "index.json: options.by is not a list of at most 16 names");
            return -1;
        }
        p->by[p->nby++] = s;
    }
    const char *lvl = json_string_value(json_object_get(opt, "ci_level"));
    p->ci_level = lvl ? num(lvl) : NAN;
    return 0;
}

static void page_free(page *p)
{
    table_free(&p->ix);
    json_decref(p->json);
}

int release_html(const char *reldir, const html_opts *o, char *err, size_t errlen)
{
    page p;
    memset(&p, 0, sizeof p);
    p.o = o;
    char *path = path_join(reldir, "index.html"), *svgpath = path_join(reldir, "chart.svg");
    char *svg = NULL;
    outfile out = {0};
    int rc = -1, opened = 0;
    if (!path || !svgpath) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (load(&p, reldir, err, errlen) != 0)
        goto done;
    if (!(svg = slurp(svgpath))) {
        snprintf(err, errlen, "%s: %s", svgpath, strerror(errno ? errno : ENOMEM));
        goto done;
    }
    if (outfile_open_held(&out, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto done;
    }
    opened = 1;
    FILE *f = out.f;
    const char *title = labels_series(o->lang, SERIES_TITLE);
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>%s",
            T("en", "zh-CN"), title);
    fputs(T(", release ", " · "), f);
    esc(f, o->week);
    fputs(T("", "期发布"), f);
    fprintf(f,
            "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>%s</h1>\n"
            "<p class=\"sub\">",
            css, title);
    fputs(T("Shenzhen technology exchange · weekly release ", "深圳技术交易所 · 每周发布 "), f);
    esc(f, o->week);
    if (o->replaces) {
        fputs(T(" (replaces the release of the same week published before)",
                "（替换此前发布的同期版本）"),
              f);
    } else if (o->previous && strcmp(o->previous, o->week) != 0) {
        fputs(T(" · previous release ", " · 上次发布 "), f);
        esc(f, o->previous);
    }
    fputs("</p>\n</header>\n<main>\n", f);
    headline(f, &p);
    chart(f, &p, svg);
    periods_table(f, &p);
    if (cells_section(f, &p, reldir, err, errlen) != 0 ||
        revisions_section(f, &p, reldir, err, errlen) != 0)
        goto done;
    coverage_section(f, &p);
    fputs("</main>\n<footer><p>", f);
    fputs(T("Made by techidx ", "由 techidx "), f);
    const char *version = json_string_value(json_object_get(p.json, "techidx"));
    esc(f, version ? version : "");
    fputs(T(" from the files of this release, which its MANIFEST lists with their SHA-256.",
            " 根据本次发布的文件生成，MANIFEST 列出各文件及其 SHA-256。"),
          f);
    fputs("</p></footer>\n</body>\n</html>\n", f);
    int e = outfile_error(&out);
    if (e) {
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        goto done;
    }
    opened = 0;
    if (outfile_commit(&out) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    if (opened)
        outfile_abort(&out);
    free(svg);
    free(path);
    free(svgpath);
    page_free(&p);
    return rc;
}
