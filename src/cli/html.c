/* index.html of a release; see html.h. The page is built only from the
 * release's files as they were written, so that what it says and what a
 * reader downloads beside it cannot disagree. */
#include "cli/html.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/html_internal.h"
#include "cli/outfile.h"
#include "cli/paths.h"

/* The row of the same period a year before r (its label's year minus
 * one: weeks, months, quarters and days alike), or SIZE_MAX. */
static size_t year_before(const page *p, size_t r)
{
    const char *l = html_at(p, r, p->c_period);
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
        if (strcmp(html_at(p, k, p->c_period), want) == 0)
            return k;
    return SIZE_MAX;
}

/* " (2024-12-23 to 2024-12-29)" when index.csv dates its periods. */
static void put_dates(FILE *f, const page *p, size_t r, int brackets)
{
    const html_opts *o = p->o;
    const char *a = html_at(p, r, p->c_start), *b = html_at(p, r, p->c_end);
    if (!*a || !*b)
        return;
    if (brackets)
        fputs(T(" (", "（"), f);
    html_esc(f, a);
    fputs(T(" to ", "至"), f);
    html_esc(f, b);
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
    const char *per = html_at(p, last, p->c_period);
    double v = html_num(html_at(p, last, p->c_vi)), lo = html_num(html_at(p, last, p->c_lo)),
           hi = html_num(html_at(p, last, p->c_hi));
    fputs("<p class=\"headline\">", f);
    if (o->lang == LANG_ZH) {
        html_esc(f, per);
        put_dates(f, p, last, 1);
        fprintf(f, "%s为<strong>", labels_series(o->lang, SERIES_VALUE));
        html_put_level(f, v);
        fputs("</strong>", f);
    } else {
        fputs("In ", f);
        html_esc(f, per);
        put_dates(f, p, last, 1);
        fputs(" the technology trading index (value index) stood at <strong>", f);
        html_put_level(f, v);
        fputs("</strong>", f);
    }
    if (!isnan(lo) && !isnan(hi) && !isnan(p->ci_level))
        fprintf(f, T(" (%g%% interval %.1f–%.1f)", "（%g%%置信区间%.1f–%.1f）"), p->ci_level * 100,
                lo, hi);
    int said = 0;
    if (!isnan(v) && last > 0 && html_num(html_at(p, last - 1, p->c_vi)) > 0) {
        fputs(T(", ", "，"), f);
        if (o->lang == LANG_ZH) {
            fputs(is_week(per) ? "比上周" : "比上期", f);
            put_change(f, o, html_num(html_at(p, last - 1, p->c_vi)), v);
        } else {
            put_change(f, o, html_num(html_at(p, last - 1, p->c_vi)), v);
            fputs(is_week(per) ? " on the week" : " on the previous period", f);
        }
        said = 1;
    }
    size_t y = year_before(p, last);
    if (!isnan(v) && y != SIZE_MAX && html_num(html_at(p, y, p->c_vi)) > 0) {
        fputs(said ? T(" and ", "，") : T(", ", "，"), f);
        if (o->lang == LANG_ZH) {
            fputs("比去年同期（", f);
            html_esc(f, html_at(p, y, p->c_period));
            fputs("）", f);
            put_change(f, o, html_num(html_at(p, y, p->c_vi)), v);
        } else {
            put_change(f, o, html_num(html_at(p, y, p->c_vi)), v);
            fputs(is_week(per) ? " on the same week last year ("
                               : " on the same period last year (",
                  f);
            html_esc(f, html_at(p, y, p->c_period));
            fputs(")", f);
        }
    }
    fputs(T(".", "。"), f);
    if (html_flag(p, last, p->c_prov))
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
        int pr = html_flag(p, r, p->c_prov), un = html_flag(p, r, p->c_unus);
        fprintf(f, "<tr%s%s%s>", pr || un ? " class=\"" : "",
                pr   ? (un ? "prov unus" : "prov")
                : un ? "unus"
                     : "",
                pr || un ? "\"" : "");
        fputs("<th scope=\"row\">", f);
        html_esc(f, html_at(p, r, p->c_period));
        if (pr)
            fprintf(f, "<sup class=\"mark\" title=\"%s\">P</sup>", T("provisional", "初步数"));
        if (un)
            fprintf(f, "<sup class=\"mark\" title=\"%s\">U</sup>", T("unusual", "异常"));
        fputs("</th><td>", f);
        if (dated) {
            put_dates(f, p, r, 0);
            fputs("</td><td>", f);
        }
        html_put_amount(f, html_at(p, r, p->c_contracts));
        fputs("</td><td>", f);
        html_put_amount(f, html_at(p, r, p->c_value));
        fputs("</td><td>", f);
        html_put_level(f, html_num(html_at(p, r, p->c_vi)));
        if (ci) {
            fputs("</td><td>", f);
            double lo = html_num(html_at(p, r, p->c_lo)), hi = html_num(html_at(p, r, p->c_hi));
            if (isnan(lo) || isnan(hi))
                fputs("–", f);
            else
                fprintf(f, "%.1f–%.1f", lo, hi);
        }
        fputs("</td><td>", f);
        html_put_level(f, html_num(html_at(p, r, p->c_voi)));
        fputs("</td><td>", f);
        html_put_level(f, html_num(html_at(p, r, p->c_uvi)));
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table></div>\n<p class=\"note\">", f);
    const char *base =
        json_string_value(json_object_get(json_object_get(p->json, "options"), "base"));
    if (base) {
        fputs(T("Indices: base period ", "指数以"), f);
        html_esc(f, base);
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

static void put_json_count(FILE *f, const json_t *v)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0)
        html_put_count(f, (unsigned long long)json_integer_value(v));
    else
        fputs("–", f);
}

/* The reasons of rejects.csv (tix_reason_name's codes) in words; a code
 * techidx does not know yet as it is. */
static const char *reason_name(const html_opts *o, const char *code)
{
    static const char *const names[][3] = {
        {"field_count", "wrong number of fields", "字段数不符"},
        {"empty_id", "no contract id", "合同编号为空"},
        {"bad_date", "bad date", "日期无效"},
        {"bad_amount", "bad amount", "金额无效"},
        {"bad_tech_amount", "bad technology amount", "技术交易额无效"},
        {"amount_overflow", "amount too large", "金额过大"},
        {"tech_exceeds_amount", "technology amount above the amount", "技术交易额超过合同金额"},
        {"empty_dimension", "empty cell value", "分类值为空"},
        {"unterminated_quote", "unterminated quote", "引号未闭合"},
        {"invalid_text", "invalid text", "文本无效"},
        {"repeated_header", "repeated header", "重复表头"},
        {"duplicate_id", "duplicate contract id", "合同编号重复"},
        {"out_of_range", "date out of range", "日期超出范围"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(code, names[i][0]) == 0)
            return T(names[i][1], names[i][2]);
    return code;
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
    html_esc(f, html_at(p, 0, p->c_period));
    fputs(" – ", f);
    html_esc(f, html_at(p, last, p->c_period));
    fprintf(f, T(" (%zu period%s)", "（共%zu期%s）"), p->ix.nrows,
            p->ix.nrows == 1 ? "" : T("s", ""));
    fprintf(f, "</td></tr>\n<tr><th scope=\"row\">%s</th><td>", T("Latest period", "最新一期"));
    html_put_amount(f, html_at(p, last, p->c_contracts));
    fputs(T(" contracts, ", "份合同，成交额"), f);
    html_put_amount(f, html_at(p, last, p->c_value));
    fputs(T(" yuan", "元"), f);
    fputs("</td></tr>\n", f);
    if (p->c_cov >= 0) {
        double cov = html_num(html_at(p, last, p->c_cov));
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
            html_esc(f, reason_name(o, k));
            fputs(T(": ", "："), f);
            put_json_count(f, v);
        }
    }
    fputs("</td></tr>\n", f);
    const json_t *opt = json_object_get(p->json, "options");
    const char *method = json_string_value(json_object_get(opt, "method"));
    const char *period = json_string_value(json_object_get(opt, "period"));
    if (method) {
        fprintf(f, "<tr><th scope=\"row\">%s</th><td>", T("Method", "方法"));
        html_esc(f, method);
        if (period) {
            fputs(T(", by ", "，按"), f);
            html_esc(f, period_name(o, period));
        }
        if (p->nby) {
            fputs(T("; cells by ", "；单元维度："), f);
            for (size_t k = 0; k < p->nby; k++) {
                fputs(k ? ", " : "", f);
                html_esc(f, p->by[k]);
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
    p->ci_level = lvl ? html_num(lvl) : NAN;
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
    html_esc(f, o->week);
    fputs(T("", "期发布"), f);
    fprintf(f,
            "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>%s</h1>\n"
            "<p class=\"sub\">",
            css, title);
    fputs(T("Registered technology contracts · weekly release ", "技术合同登记数据 · 每周发布 "), f);
    html_esc(f, o->week);
    if (o->replaces) {
        fputs(T(" (replaces the release of the same week published before)",
                "（替换此前发布的同期版本）"),
              f);
    } else if (o->previous && strcmp(o->previous, o->week) != 0) {
        fputs(T(" · previous release ", " · 上次发布 "), f);
        html_esc(f, o->previous);
    }
    fputs("</p>\n</header>\n<main>\n", f);
    headline(f, &p);
    chart(f, &p, svg);
    periods_table(f, &p);
    if (html_cells(f, &p, reldir, err, errlen) != 0 ||
        html_revisions(f, &p, reldir, err, errlen) != 0)
        goto done;
    coverage_section(f, &p);
    fputs("</main>\n<footer><p>", f);
    fputs(T("Made by techidx ", "由 techidx "), f);
    const char *version = json_string_value(json_object_get(p.json, "techidx"));
    html_esc(f, version ? version : "");
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
