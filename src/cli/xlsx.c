/* realpath() (XSI), mkstemp, fchmod, fsync. */
#define _GNU_SOURCE

#include "cli/xlsx.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "cli/cleanup.h"
#include "cli/dynlib.h"
#include "cli/table.h"
#include "techidx/period.h"

/* libxlsxwriter is opened when the first workbook is written (dynlib.h);
 * TIX_XLSX_LIBS, its SONAME, comes from the build. */
/* clang-format off */
#define LXW_FNS(X) \
    X(chart_add_series) X(chart_axis_set_name) X(chart_axis_set_num_format) \
    X(chart_legend_set_position) X(chart_series_set_categories) X(chart_series_set_name) \
    X(chart_series_set_values) X(chart_title_set_name) X(format_set_bold) \
    X(format_set_num_format) X(lxw_strerror) X(workbook_add_chart) X(workbook_add_format) \
    X(workbook_add_worksheet) X(workbook_close) X(workbook_new_opt) X(workbook_set_properties) \
    X(worksheet_freeze_panes) X(worksheet_insert_chart_opt) X(worksheet_set_column) \
    X(worksheet_write_datetime) X(worksheet_write_number) X(worksheet_write_string)
/* clang-format on */

DYNLIB_DEFINE(lxw, LXW_FNS, "workbooks", TIX_XLSX_LIBS);

/* From here on, each call goes through the table. */
#define chart_add_series (*lxw.chart_add_series)
#define chart_axis_set_name (*lxw.chart_axis_set_name)
#define chart_axis_set_num_format (*lxw.chart_axis_set_num_format)
#define chart_legend_set_position (*lxw.chart_legend_set_position)
#define chart_series_set_categories (*lxw.chart_series_set_categories)
#define chart_series_set_name (*lxw.chart_series_set_name)
#define chart_series_set_values (*lxw.chart_series_set_values)
#define chart_title_set_name (*lxw.chart_title_set_name)
#define format_set_bold (*lxw.format_set_bold)
#define format_set_num_format (*lxw.format_set_num_format)
#define lxw_strerror (*lxw.lxw_strerror)
#define workbook_add_chart (*lxw.workbook_add_chart)
#define workbook_add_format (*lxw.workbook_add_format)
#define workbook_add_worksheet (*lxw.workbook_add_worksheet)
#define workbook_close (*lxw.workbook_close)
#define workbook_new_opt (*lxw.workbook_new_opt)
#define workbook_set_properties (*lxw.workbook_set_properties)
#define worksheet_freeze_panes (*lxw.worksheet_freeze_panes)
#define worksheet_insert_chart_opt (*lxw.worksheet_insert_chart_opt)
#define worksheet_set_column (*lxw.worksheet_set_column)
#define worksheet_write_datetime (*lxw.worksheet_write_datetime)
#define worksheet_write_number (*lxw.worksheet_write_number)
#define worksheet_write_string (*lxw.worksheet_write_string)

#ifndef NAME_MAX
#define NAME_MAX 255
#endif

/* How a column's fields are written. */
typedef enum kind {
    K_TEXT,    /* strings */
    K_GENERAL, /* numbers without a format (a column the module does not know) */
    K_MONEY,   /* yuan: #,##0.00 */
    K_COUNT,   /* #,##0 */
    K_INDEX,   /* index levels, their bounds, errors and revisions: 0.0000 */
    K_RATIO,   /* links, coverage, shares, percentage points: 0.0000 */
    K_FLAG,    /* 0/1, kept as numbers and shown as yes/no */
    K_DATE,    /* YYYY-MM-DD, as Excel dates: yyyy-mm-dd */
    K_NKINDS
} kind;

/* techidx's CSV columns, their headers and how they are written. A header
 * of NULL is the name of series s (labels.h), shared with the charts. */
typedef struct column {
    const char *name, *en, *zh;
    kind k;
    int series; /* a series_id, or -1 */
} column;

static const column columns[] = {
    {"period", "Period", "期间", K_TEXT, -1},
    {"period_start", "Period start", "起始日期", K_DATE, -1},
    {"period_end", "Period end", "结束日期", K_DATE, -1},
    {"contracts", "Contracts", "合同数", K_COUNT, -1},
    {"value", "Technology trading value (yuan)", "技术交易额（元）", K_MONEY, -1},
    {"value_index", NULL, NULL, K_INDEX, SERIES_VALUE},
    {"volume_index", NULL, NULL, K_INDEX, SERIES_VOLUME},
    {"unit_value_index", NULL, NULL, K_INDEX, SERIES_UNIT_VALUE},
    {"matched_cells", "Matched cells", "匹配单元数", K_COUNT, -1},
    {"cells", "Cells", "单元数", K_COUNT, -1},
    {"link", "Link (period on period)", "环比链接", K_RATIO, -1},
    {"coverage", "Coverage", "覆盖率", K_RATIO, -1},
    {"suppressed_cells", "Suppressed cells", "抑制单元数", K_COUNT, -1},
    {"capped_contracts", "Capped contracts", "截顶合同数", K_COUNT, -1},
    {"capped_value", "Capped value (yuan)", "截顶金额（元）", K_MONEY, -1},
    {"top_contract_share", "Largest contract's share", "最大合同占比", K_RATIO, -1},
    {"unusual", "Unusual", "异常", K_FLAG, -1},
    {"significant", "Significant change", "显著变化", K_FLAG, -1},
    {"zero_amounts", "Zero amounts", "零金额合同数", K_COUNT, -1},
    {"aliased_levels", "Aliased levels", "共线水平数", K_COUNT, -1},
    {"mean", "Mean (yuan)", "均值（元）", K_MONEY, -1},
    {"sd", "Standard deviation (yuan)", "标准差（元）", K_MONEY, -1},
    {"min", "Minimum (yuan)", "最小值（元）", K_MONEY, -1},
    {"median", "Median (yuan)", "中位数（元）", K_MONEY, -1},
    {"p90", "90th percentile (yuan)", "第90百分位数（元）", K_MONEY, -1},
    {"max", "Maximum (yuan)", "最大值（元）", K_MONEY, -1},
    {"suppressed", "Suppressed", "已抑制", K_FLAG, -1},
    {"provisional", "Provisional", "初步数", K_FLAG, -1},
};

/* Columns made of a known one and a suffix: value_index_se, contracts_old.
 * They are written as the known one, except contributions (_pp, of the
 * index named by the stem + "_index"). */
typedef struct suffix {
    const char *suffix, *en, *zh; /* en and zh follow the known column's header */
} suffix;

static const suffix suffixes[] = {
    {"_se", ", standard error", "标准误"},
    {"_lo", ", lower bound", "下限"},
    {"_hi", ", upper bound", "上限"},
    {"_old", ", published", "（原值）"},
    {"_new", ", revised", "（修订值）"},
    {"_change", ", revision", "（修订幅度）"},
    {"_pp", ", contribution (pp)", "贡献（百分点）"},
};

/* The columns that name cells (by), and the group of a groups file. */
static const column dims[] = {
    {"sector", "Technology domain", "技术领域", K_TEXT, -1},
    {"contract_type", "Contract type", "合同类型", K_TEXT, -1},
    {"seller_type", "Seller type", "卖方类型", K_TEXT, -1},
    {"region", "Region", "地区", K_TEXT, -1},
    {"group", "Group", "分组", K_TEXT, -1},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const column *find(const column *t, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(t[i].name) == len && memcmp(t[i].name, name, len) == 0)
            return &t[i];
    return NULL;
}

static const char *header_of(const column *c, lang_id lang)
{
    return c->series >= 0 ? labels_series(lang, (series_id)c->series)
                          : LANG_PICK(lang, c->en, c->zh);
}

/* The kind and the translated header (into buf) of a known column name,
 * or -1 when the module does not know it. */
static int describe(const char *name, lang_id lang, char *buf, size_t cap)
{
    size_t n = strlen(name);
    const column *c = find(columns, NELEM(columns), name, n);
    if (c) {
        snprintf(buf, cap, "%s", header_of(c, lang));
        return (int)c->k;
    }
    for (size_t i = 0; i < NELEM(suffixes); i++) {
        size_t s = strlen(suffixes[i].suffix);
        if (n <= s || strcmp(name + n - s, suffixes[i].suffix) != 0)
            continue;
        int pp = strcmp(suffixes[i].suffix, "_pp") == 0;
        char stem[128];
        if (n - s + 6 >= sizeof stem)
            return -1;
        snprintf(stem, sizeof stem, "%.*s%s", (int)(n - s), name, pp ? "_index" : "");
        c = find(columns, NELEM(columns), stem, strlen(stem));
        if (!c || (c->k == K_TEXT || c->k == K_FLAG))
            return -1;
        snprintf(buf, cap, "%s%s", header_of(c, lang),
                 LANG_PICK(lang, suffixes[i].en, suffixes[i].zh));
        return (int)(pp ? K_RATIO : c->k);
    }
    return -1;
}

/* A whole field that is a finite number. */
static int number(const char *s, double *v)
{
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *end == '\0' && errno != ERANGE && isfinite(*v);
}

/* Columns as wide as their text, in the units of a digit: a CJK character
 * (3 or 4 bytes of UTF-8) is two. */
/* A date as techidx writes it (YYYY-MM-DD), as Excel's. */
static int date_of(const char *s, lxw_datetime *dt)
{
    int32_t day;
    int y, m, d;
    if (strlen(s) != 10 || tix_date_parse(s, 10, &day) != TIX_OK)
        return 0;
    tix_civil_from_days(day, &y, &m, &d);
    *dt = (lxw_datetime){y, m, d, 0, 0, 0};
    return 1;
}

static size_t text_width(const char *s, size_t len)
{
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80)
            w++;
        else if (b >= 0xe0)
            w += 2;
        else if (b >= 0xc0)
            w++;
    }
    return w;
}

typedef struct book {
    lxw_workbook *wb;
    lxw_format *header, *fmt[K_NKINDS];
    lang_id lang;
    const label_set *labels;
    char *err;
    size_t errlen;
} book;

static int lxw_fail(book *b, const char *what, lxw_error e)
{
    snprintf(b->err, b->errlen, "%s: %s", what, lxw_strerror(e));
    return -1;
}

/* One output column of a sheet. */
typedef struct outcol {
    int src;     /* the CSV column */
    int display; /* the display names of src's values (a by-column) */
    kind k;
    size_t width;
} outcol;

/* Writes table t (read from path) as sheet name; byc: its unknown text
 * columns name cells (a display-name column is added after each). The
 * output columns go to *cols (caller frees), their number to *ncols. */
static int write_sheet(book *b, const table *t, const char *path, const char *name, int byc,
                       lxw_worksheet **out, outcol **cols, size_t *ncols)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
    outcol *oc = calloc(t->ncols * 2 + 1, sizeof *oc);
    size_t n = 0;
    char head[512];
    if (!ws || !oc) {
        free(oc);
        snprintf(b->err, b->errlen, "%s: out of memory", path);
        return -1;
    }
    if (t->nrows + 1 > LXW_ROW_MAX) {
        free(oc);
        snprintf(b->err, b->errlen, "%s: %zu rows do not fit in a worksheet (at most %u)", path,
                 t->nrows, (unsigned)LXW_ROW_MAX - 1);
        return -1;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        const char *raw = t->cell[c];
        int k = describe(raw, b->lang, head, sizeof head);
        const column *d = find(dims, NELEM(dims), raw, strlen(raw));
        int by = byc && k < 0;
        if (k < 0 && d)
            snprintf(head, sizeof head, "%s", LANG_PICK(b->lang, d->en, d->zh));
        else if (k < 0)
            snprintf(head, sizeof head, "%s", raw);
        if (k < 0 && !by) {
            /* Numbers when every field is one. */
            double v;
            k = K_GENERAL;
            for (size_t r = 0; r < t->nrows && k == K_GENERAL; r++) {
                const char *s = table_at(t, r, (int)c);
                if (*s && !number(s, &v))
                    k = K_TEXT;
            }
        } else if (k < 0) {
            k = K_TEXT;
        }
        for (int disp = 0; disp <= by; disp++) {
            if (disp) {
                char base[sizeof head];
                snprintf(base, sizeof base, "%s", head);
                snprintf(head, sizeof head, LANG_PICK(b->lang, "%s (name)", "%s（名称）"), base);
            }
            lxw_error e = worksheet_write_string(ws, 0, (lxw_col_t)n, head, b->header);
            if (e != LXW_NO_ERROR) {
                free(oc);
                return lxw_fail(b, path, e);
            }
            oc[n] = (outcol){(int)c, disp, (kind)k, text_width(head, strlen(head))};
            n++;
        }
    }
    char name_buf[1024];
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t i = 0; i < n; i++) {
            outcol *o = &oc[i];
            const char *s = table_at(t, r, o->src);
            size_t len = strlen(s), extra = 0;
            double v;
            lxw_datetime dt;
            lxw_error e = LXW_NO_ERROR;
            lxw_row_t row = (lxw_row_t)(r + 1);
            lxw_col_t col = (lxw_col_t)i;
            if (!*s)
                continue; /* an empty field is an empty cell */
            if (o->display) {
                size_t nl;
                const char *nm = labels_name(b->labels, b->lang, s, len, &nl);
                snprintf(name_buf, sizeof name_buf, "%.*s", (int)nl, nm);
                e = worksheet_write_string(ws, row, col, name_buf, NULL);
                len = strlen(name_buf);
                s = name_buf;
            } else if (o->k == K_DATE && date_of(s, &dt)) {
                e = worksheet_write_datetime(ws, row, col, &dt, b->fmt[K_DATE]);
            } else if (o->k != K_TEXT && o->k != K_DATE && number(s, &v)) {
                e = worksheet_write_number(ws, row, col, v, b->fmt[o->k]);
                if (o->k == K_MONEY || o->k == K_COUNT)
                    extra = len / 3; /* the thousands separators */
            } else {
                e = worksheet_write_string(ws, row, col, s, NULL);
            }
            if (e != LXW_NO_ERROR) {
                free(oc);
                snprintf(b->err, b->errlen, "%s: row %zu: %s", path, r + 2, lxw_strerror(e));
                return -1;
            }
            size_t w = text_width(s, len) + extra;
            if (w > o->width)
                o->width = w;
        }
    for (size_t i = 0; i < n; i++) {
        size_t w = oc[i].width + 2;
        worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i,
                             (double)(w < 8    ? 8
                                      : w > 50 ? 50
                                               : w),
                             NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
    *out = ws;
    *cols = oc;
    *ncols = n;
    return 0;
}

/* The headline and its factors over the periods, beside the index table. */
static int add_chart(book *b, lxw_worksheet *ws, const char *sheet, const table *t,
                     const outcol *oc, size_t n, const char *title)
{
    static const char *const names[] = {"value_index", "volume_index", "unit_value_index"};
    static const series_id ids[] = {SERIES_VALUE, SERIES_VOLUME, SERIES_UNIT_VALUE};
    int period = -1, at[3] = {-1, -1, -1};
    for (size_t i = 0; i < n; i++) {
        const char *raw = t->cell[oc[i].src];
        if (strcmp(raw, "period") == 0)
            period = (int)i;
        for (int s = 0; s < 3; s++)
            if (strcmp(raw, names[s]) == 0)
                at[s] = (int)i;
    }
    if (period < 0 || at[0] < 0 || t->nrows == 0)
        return 0; /* no headline to draw */
    lxw_chart *ch = workbook_add_chart(b->wb, LXW_CHART_LINE);
    if (!ch) {
        snprintf(b->err, b->errlen, "chart: out of memory");
        return -1;
    }
    lxw_row_t last = (lxw_row_t)t->nrows;
    for (int s = 0; s < 3; s++) {
        if (at[s] < 0)
            continue;
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        if (!se) {
            snprintf(b->err, b->errlen, "chart: out of memory");
            return -1;
        }
        chart_series_set_categories(se, sheet, 1, (lxw_col_t)period, last, (lxw_col_t)period);
        chart_series_set_values(se, sheet, 1, (lxw_col_t)at[s], last, (lxw_col_t)at[s]);
        chart_series_set_name(se, labels_series(b->lang, ids[s]));
    }
    chart_title_set_name(ch, title);
    chart_axis_set_name(ch->x_axis, LANG_PICK(b->lang, "Period", "期间"));
    chart_axis_set_num_format(ch->y_axis, "0");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options opt = {.x_offset = 10, .y_offset = 10, .x_scale = 2.0, .y_scale = 1.5};
    lxw_error e = worksheet_insert_chart_opt(ws, 1, (lxw_col_t)(n + 1), ch, &opt);
    return e == LXW_NO_ERROR ? 0 : lxw_fail(b, "chart", e);
}

/* 00:00 UTC of the last day of the last period of t, or 0. */
static time_t last_day(const table *t)
{
    int col = table_col(t, "period");
    if (col < 0 || t->nrows == 0)
        return 0;
    const char *label = table_at(t, t->nrows - 1, col);
    for (int k = TIX_PERIOD_DAY; k <= TIX_PERIOD_YEAR; k++) {
        int32_t ord;
        if (tix_period_parse((tix_period_kind)k, label, &ord) == TIX_OK)
            return (time_t)(tix_period_first_day((tix_period_kind)k, ord + 1) - 1) * 86400;
    }
    return 0;
}

/* The sheets, in their order. */
enum { S_INDEX, S_CELLS, S_CONTRIB, S_GROUPS, S_REV, S_N };

static const struct {
    const char *en, *zh;
    int byc;
} sheets[S_N] = {
    {"Index", "指数", 0},      {"Cells", "细分单元", 1}, {"Contributions", "贡献", 1},
    {"Groups", "分组指数", 1}, {"Revisions", "修订", 0},
};

/* Builds the workbook of in into file (a name of ours). */
static int build(const char *file, const xlsx_input *in, table *t, const char *const *paths,
                 char *err, size_t errlen)
{
    const char *title = in->title ? in->title : labels_series(in->lang, SERIES_TITLE);
    lxw_workbook_options wo = {
        .constant_memory = LXW_FALSE, .tmpdir = (char *)in->tmpdir, .use_zip64 = LXW_FALSE};
    book b = {.lang = in->lang, .labels = in->labels, .err = err, .errlen = errlen};
    b.wb = workbook_new_opt(file, &wo);
    if (!b.wb) {
        snprintf(err, errlen, "%s: cannot create the workbook", file);
        return -1;
    }
    /* A time from the data, not the clock: the same inputs, the same bytes
     * (0 would mean now). */
    time_t created = last_day(&t[S_INDEX]);
    lxw_doc_properties props = {.title = (char *)title, .created = created ? created : 1};
    int rc = -1;
    if (workbook_set_properties(b.wb, &props) != LXW_NO_ERROR)
        goto done;
    b.header = workbook_add_format(b.wb);
    format_set_bold(b.header);
    static const char *const numfmt[K_NKINDS] = {
        [K_MONEY] = "#,##0.00", [K_COUNT] = "#,##0",     [K_INDEX] = "0.0000",
        [K_RATIO] = "0.0000",   [K_DATE] = "yyyy-mm-dd"};
    for (int k = 0; k < K_NKINDS; k++) {
        const char *f = k == K_FLAG
                            ? LANG_PICK(in->lang, "\"yes\";\"yes\";\"no\"", "\"是\";\"是\";\"否\"")
                            : numfmt[k];
        if (!f)
            continue;
        b.fmt[k] = workbook_add_format(b.wb);
        format_set_num_format(b.fmt[k], f);
    }
    for (int s = 0; s < S_N; s++) {
        if (!paths[s])
            continue;
        lxw_worksheet *ws;
        outcol *oc;
        size_t n;
        const char *name = LANG_PICK(in->lang, sheets[s].en, sheets[s].zh);
        if (write_sheet(&b, &t[s], paths[s], name, sheets[s].byc, &ws, &oc, &n) != 0)
            goto done;
        int bad = s == S_INDEX && add_chart(&b, ws, name, &t[s], oc, n, title) != 0;
        free(oc);
        if (bad)
            goto done;
    }
    rc = 0;
done:;
    /* Closing writes the file, also after a failure (then removed). */
    lxw_error e = workbook_close(b.wb);
    if (rc == 0 && e != LXW_NO_ERROR) {
        snprintf(err, errlen, "cannot write the workbook: %s", lxw_strerror(e));
        rc = -1;
    }
    return rc;
}

/* The file to replace: path, or the file its symlink points to; refused
 * when it exists and is no regular file. Returns a malloc'd name or NULL. */
static char *target_of(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        char *p = strdup(path);
        if (!p)
            snprintf(err, errlen, "%s: out of memory", path);
        return p;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: a workbook is written to a regular file, not %s", path,
                 S_ISFIFO(st.st_mode)  ? "a FIFO"
                 : S_ISDIR(st.st_mode) ? "a directory"
                                       : "a device");
        return NULL;
    }
    char *real = realpath(path, NULL);
    if (!real)
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return real;
}

int xlsx_write(const char *path, const xlsx_input *in, char *err, size_t errlen)
{
    const char *paths[S_N] = {in->index, in->cells, in->contributions, in->groups, in->revisions};
    table t[S_N];
    char *target = NULL, *tmp = NULL;
    int rc = -1, id = -1, fd = -1;
    memset(t, 0, sizeof t);
    if (dynlib_open(&lxw_lib, err, errlen) != 0)
        return -1;
    for (int s = 0; s < S_N; s++)
        if (paths[s] && table_load(paths[s], &t[s], err, errlen) != 0)
            goto done;
    target = target_of(path, err, errlen);
    if (!target)
        goto done;
    /* NAME.tmp.XXXXXX beside it, NAME cut short when the whole would be
     * longer than a file name may be. */
    size_t n = strlen(target);
    const char *slash = strrchr(target, '/');
    size_t base = slash ? n - (size_t)(slash + 1 - target) : n;
    size_t keep = base + 11 > NAME_MAX ? n - base + (NAME_MAX - 11) : n;
    tmp = malloc(n + 16);
    if (!tmp) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto done;
    }
    snprintf(tmp, n + 16, "%.*s.tmp.XXXXXX", (int)keep, target);
    /* Created and registered under blocked signals: a signal in between
     * would leave the file behind. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    fd = mkstemp(tmp);
    int e = errno;
    if (fd >= 0)
        id = cleanup_add(tmp, 0);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(e));
        free(tmp);
        tmp = NULL;
        goto done;
    }
    /* libxlsxwriter opens the file by its name and writes it whole. */
    if (build(tmp, in, t, paths, err, errlen) != 0)
        goto done;
    /* mkstemp made it 0600; give it the usual mode of a new file. Synced
     * before the rename: a crash leaves the old file or the whole new one. */
    mode_t um = umask(0);
    umask(um);
    close(fd);
    fd = open(tmp, O_RDWR);
    int bad = fd < 0 || fchmod(fd, 0666 & ~um) != 0 || fsync(fd) != 0;
    e = errno;
    if (fd >= 0 && close(fd) != 0 && !bad)
        bad = 1, e = errno;
    fd = -1;
    if (!bad && rename(tmp, target) != 0)
        bad = 1, e = errno;
    if (bad) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(e));
        goto done;
    }
    cleanup_forget(id);
    id = -1;
    free(tmp);
    tmp = NULL;
    rc = 0;
done:
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        cleanup_forget(id);
    }
    free(tmp);
    free(target);
    for (int s = 0; s < S_N; s++)
        table_free(&t[s]);
    return rc;
}
