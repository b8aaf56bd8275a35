#include "techidx/write.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sink_internal.h"
#include "techidx/period.h"
#include "techidx/record.h"
#include "techidx/yoy.h"

/* Every writer formats through a sink in the "C" locale (sink_internal.h):
 * a host that called setlocale() with a decimal comma gets the same bytes.
 * The FILE* versions are the _fn ones over sink_file_write. */

void tix_format_cents(int64_t cents, char *out)
{
    /* Work in unsigned so INT64_MIN has a magnitude. Integers only: no
     * locale can change these digits. */
    uint64_t mag = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
    snprintf(out, 24, "%s%" PRIu64 ".%02u", cents < 0 ? "-" : "", mag / 100, (unsigned)(mag % 100));
}

static void put_field(sink *s, const char *p, size_t len)
{
    int quote = 0;
    for (size_t i = 0; i < len && !quote; i++)
        quote = p[i] == ',' || p[i] == '"' || p[i] == '\r' || p[i] == '\n';
    if (!quote) {
        sink_put(s, p, len);
        return;
    }
    sink_putc(s, '"');
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '"')
            sink_putc(s, '"');
        sink_putc(s, p[i]);
    }
    sink_putc(s, '"');
}

tix_status tix_write_csv_field_fn(tix_write_fn fn, void *ctx, const char *p, size_t len)
{
    sink s;
    sink_init(&s, fn, ctx);
    put_field(&s, p, len);
    return sink_end(&s, TIX_OK);
}

tix_status tix_write_csv_field(FILE *f, const char *p, size_t len)
{
    return sink_file_status(f, tix_write_csv_field_fn(sink_file_write, f, p, len));
}

static void put_index(sink *s, double x)
{
    if (isfinite(x))
        sink_printf(s, ",%.6f", x);
    else
        sink_putc(s, ',');
}

/* Which columns an index table has beyond the common ones. */
enum { COL_TD = 1, COL_CI = 2, COL_PROV = 4 };

static int index_cols(const tix_index *ix)
{
    return (ix->method == TIX_METHOD_TIME_DUMMY ? COL_TD : 0) | (ix->opts.ci ? COL_CI : 0) |
           (ix->opts.provisional ? COL_PROV : 0);
}

/* An index row after its period label (and group). */
static void put_row_rest(sink *s, const tix_index_row *r, int cols)
{
    char money[24];
    tix_format_cents(r->value, money);
    sink_printf(s, ",%" PRIu64 ",%s", r->contracts, money);
    put_index(s, r->value_index);
    put_index(s, r->volume_index);
    put_index(s, r->unit_value_index);
    sink_printf(s, ",%zu,%zu", r->matched, r->cells);
    put_index(s, r->change);
    put_index(s, r->coverage);
    tix_format_cents(r->capped_value, money);
    sink_printf(s, ",%zu,%" PRIu64 ",%s", r->suppressed, r->capped, money);
    put_index(s, r->top_contract_share);
    sink_printf(s, ",%d", r->unusual);
    if ((cols & COL_TD) && !(cols & COL_CI)) {
        put_index(s, r->unit_value_index_se);
        put_index(s, r->unit_value_index_lo);
        put_index(s, r->unit_value_index_hi);
    }
    if (cols & COL_TD)
        sink_printf(s, ",%" PRIu64 ",%zu", r->zero_amounts, r->aliased);
    if (cols & COL_CI) {
        const double v[] = {r->value_index_se,       r->value_index_lo,     r->value_index_hi,
                            r->volume_index_se,      r->volume_index_lo,    r->volume_index_hi,
                            r->unit_value_index_se,  r->unit_value_index_lo,
                            r->unit_value_index_hi};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            put_index(s, v[k]);
        if (r->significant >= 0)
            sink_printf(s, ",%d", r->significant);
        else
            sink_putc(s, ',');
    }
    if (cols & COL_PROV)
        sink_printf(s, ",%d", r->provisional);
}

static void put_label(sink *s, tix_period_kind kind, int32_t p)
{
    char label[TIX_PERIOD_LABEL_MAX];
    tix_period_label(kind, p, label);
    sink_put(s, label, strlen(label));
}

/* The row's last columns, period_start and period_end: the period's first
 * and last day. They came after the others, so they end the row, and a
 * script that reads columns by position reads the same ones. */
static void put_days(sink *s, tix_period_kind kind, int32_t p)
{
    char first[TIX_PERIOD_LABEL_MAX], last[TIX_PERIOD_LABEL_MAX];
    tix_date_format(tix_period_first_day(kind, p), first);
    tix_date_format(tix_period_first_day(kind, p + 1) - 1, last);
    sink_printf(s, ",%s,%s\n", first, last);
}

static void put_row(sink *s, tix_period_kind kind, const tix_index_row *r, int cols)
{
    put_label(s, kind, r->period);
    put_row_rest(s, r, cols);
    put_days(s, kind, r->period);
}

static const char index_head[] = "contracts,value,value_index,volume_index,unit_value_index,"
                                 "matched_cells,cells,link,coverage,suppressed_cells,"
                                 "capped_contracts,capped_value,top_contract_share,unusual";
static const char empty_rest[] = ",0,0.00,,,,0,0,,,0,0,0.00,,0";
/* The time dummy's columns, only with it (no other output changes); its
 * model-based interval gives way to ci's when both are asked. */
static const char td_se_head[] = ",unit_value_index_se,unit_value_index_lo,unit_value_index_hi";
static const char td_head[] = ",zero_amounts,aliased_levels";
static const char td_empty_rest[] = ",0,0";
/* The jackknife's columns (`ci`), only with it. */
static const char ci_head[] = ",value_index_se,value_index_lo,value_index_hi,volume_index_se,"
                              "volume_index_lo,volume_index_hi,unit_value_index_se,"
                              "unit_value_index_lo,unit_value_index_hi,significant";
static const char ci_empty_rest[] = ",,,,,,,,,,";

static void put_head(sink *s, int cols)
{
    sink_put(s, index_head, sizeof index_head - 1);
    if ((cols & COL_TD) && !(cols & COL_CI))
        sink_put(s, td_se_head, sizeof td_se_head - 1);
    if (cols & COL_TD)
        sink_put(s, td_head, sizeof td_head - 1);
    if (cols & COL_CI)
        sink_put(s, ci_head, sizeof ci_head - 1);
    if (cols & COL_PROV)
        sink_put(s, ",provisional", 12);
    sink_put(s, ",period_start,period_end\n", 25);
}

static void put_empty(sink *s, int cols)
{
    sink_put(s, empty_rest, sizeof empty_rest - 1);
    if ((cols & COL_TD) && !(cols & COL_CI))
        sink_put(s, ",,,", 3);
    if (cols & COL_TD)
        sink_put(s, td_empty_rest, sizeof td_empty_rest - 1);
    if (cols & COL_CI)
        sink_put(s, ci_empty_rest, sizeof ci_empty_rest - 1);
    if (cols & COL_PROV)
        sink_put(s, ",", 1); /* a period without data is not an index value */
}

tix_status tix_write_index_csv_fn(tix_write_fn fn, void *ctx, const tix_index *ix)
{
    sink s;
    sink_init(&s, fn, ctx);
    sink_c_locale(&s);
    int cols = index_cols(ix);
    if (ix->opts.year_over_year) {
        /* The seasons' series one after the other, their periods with data only. */
        char season[TIX_YOY_LABEL_MAX];
        sink_put(&s, "season,period,", 14);
        put_head(&s, cols);
        for (size_t j = 0; j < ix->nrows; j++) {
            tix_yoy_label(ix->kind, ix->rows[j].season, season);
            sink_printf(&s, "%s,", season);
            put_row(&s, ix->kind, &ix->rows[j], cols);
        }
        return sink_end(&s, TIX_OK);
    }
    sink_put(&s, "period,", 7);
    put_head(&s, cols);
    if (ix->nrows == 0)
        return sink_end(&s, TIX_OK);
    size_t j = 0;
    for (int32_t p = ix->rows[0].period;; p++) {
        if (ix->rows[j].period == p) {
            put_row(&s, ix->kind, &ix->rows[j], cols);
            if (++j == ix->nrows)
                break;
        } else {
            put_label(&s, ix->kind, p);
            put_empty(&s, cols);
            put_days(&s, ix->kind, p);
        }
    }
    return sink_end(&s, TIX_OK);
}

tix_status tix_write_groups_csv_fn(tix_write_fn fn, void *ctx, const tix_groups *g)
{
    sink s;
    sink_init(&s, fn, ctx);
    sink_c_locale(&s);
    sink_put(&s, "period,group,", 13);
    size_t n = tix_groups_count(g);
    int cols = n > 0 ? index_cols(tix_groups_index(g, 0)) : 0;
    put_head(&s, cols);
    size_t *at = calloc(n ? n : 1, sizeof *at); /* each group's next row */
    if (!at)
        return sink_end(&s, TIX_E_NOMEM);
    /* Period after period; in each, the groups whose series spans it, in
     * byte order, with the empty rows a run of that group alone writes. */
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < n; i++) {
        const tix_index *ix = tix_groups_index(g, i);
        if (ix->nrows == 0)
            continue;
        if (ix->rows[0].period < lo)
            lo = ix->rows[0].period;
        if (ix->rows[ix->nrows - 1].period > hi)
            hi = ix->rows[ix->nrows - 1].period;
    }
    for (int64_t p = lo; p <= hi; p++) {
        for (size_t i = 0; i < n; i++) {
            const tix_index *ix = tix_groups_index(g, i);
            if (ix->nrows == 0 || p < ix->rows[0].period || p > ix->rows[ix->nrows - 1].period)
                continue;
            put_label(&s, ix->kind, (int32_t)p);
            sink_putc(&s, ',');
            const char *v = tix_groups_value(g, i);
            put_field(&s, v, strlen(v));
            if (ix->rows[at[i]].period == p)
                put_row_rest(&s, &ix->rows[at[i]++], cols);
            else
                put_empty(&s, cols);
            put_days(&s, ix->kind, (int32_t)p);
        }
    }
    free(at);
    return sink_end(&s, TIX_OK);
}

tix_status tix_write_groups_csv(FILE *f, const tix_groups *g)
{
    return sink_file_status(f, tix_write_groups_csv_fn(sink_file_write, f, g));
}

tix_status tix_write_index_csv(FILE *f, const tix_index *ix)
{
    return sink_file_status(f, tix_write_index_csv_fn(sink_file_write, f, ix));
}

/* A JSON string of arbitrary bytes (file names need not be UTF-8): invalid
 * sequences become U+FFFD instead of failing the whole document. */
static json_t *text(const char *s)
{
    size_t n = strlen(s), i = 0, o = 0;
    char *buf = malloc(3 * n + 1);
    if (!buf)
        return NULL;
    while (i < n) {
        size_t len = tix_utf8_char(s + i, n - i, NULL);
        if (len == 0) {
            memcpy(buf + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(buf + o, s + i, len);
            o += len;
            i += len;
        }
    }
    json_t *j = json_stringn(buf, o);
    free(buf);
    return j;
}

static json_t *num_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }

/* json_object_set_new that remembers a failure instead of returning it. */
static void put(json_t *obj, const char *key, json_t *val, int *bad)
{
    if (!val || json_object_set_new(obj, key, val) != 0)
        *bad = 1;
}

/* jansson's dump callback: into the sink. */
static int dump_to_sink(const char *buf, size_t size, void *data)
{
    sink *s = data;
    sink_put(s, buf, size);
    return s->st == TIX_OK ? 0 : -1;
}

/* The document, built under the "C" locale (s is in it already). */
/* "sector,seller_type" as ["sector", "seller_type"]. */
static json_t *by_array(const char *by)
{
    tix_dims d;
    json_t *a = json_array();
    if (!a || tix_dims_parse(by, &d, NULL, 0) != TIX_OK) {
        json_decref(a);
        return NULL;
    }
    for (size_t k = 0; k < d.n; k++)
        if (json_array_append_new(a, json_string(d.name[k])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static tix_status index_json(sink *s, const tix_index *ix, const tix_run_info *info)
{
    int bad = 0;
    char label[TIX_PERIOD_LABEL_MAX], money[24];
    json_t *root = json_object(), *inputs = json_array(), *opts = json_object(),
           *rows = json_object(), *why = json_object(), *periods = json_array();
    if (!root || !inputs || !opts || !rows || !why || !periods) {
        json_decref(root);
        json_decref(inputs);
        json_decref(opts);
        json_decref(rows);
        json_decref(why);
        json_decref(periods);
        return TIX_E_NOMEM;
    }
    put(root, "techidx", json_string(info->version), &bad);
    for (size_t i = 0; i < info->ninputs; i++)
        if (json_array_append_new(inputs, text(info->inputs[i])) != 0)
            bad = 1;
    put(root, "inputs", inputs, &bad);
    put(opts, "period", json_string(tix_period_kind_name(ix->kind)), &bad);
    char cells[TIX_BY_MAX]; /* the cells' columns, not the characteristics beyond */
    size_t cl = tix_by_prefix(info->by, info->cell_dims ? info->cell_dims : TIX_MAX_DIMS);
    snprintf(cells, sizeof cells, "%.*s", (int)cl, info->by);
    put(opts, "by", by_array(cells), &bad);
    put(opts, "measure", json_string(info->measure), &bad);
    put(opts, "method", json_string(tix_method_name(ix->method)), &bad);
    if (tix_method_is_multilateral(ix->method)) {
        put(opts, "window", json_integer((json_int_t)ix->opts.window), &bad);
        put(opts, "splice", json_string(tix_splice_name(ix->opts.splice)), &bad);
        if (ix->method == TIX_METHOD_TIME_DUMMY) {
            put(opts, "hedonic", by_array(ix->opts.hedonic ? ix->opts.hedonic : info->by), &bad);
            put(opts, "kennedy", json_boolean(ix->opts.kennedy), &bad);
            char l[32];
            snprintf(l, sizeof l, "%g", ix->opts.ci_level > 0 ? ix->opts.ci_level : 0.95);
            put(opts, "ci_level", json_string(l), &bad);
        }
    } else {
        put(opts, "chain", json_string(tix_chain_name(ix->opts.chain)), &bad);
    }
    if (ix->opts.ci) {
        char l[32];
        snprintf(l, sizeof l, "%g", ix->opts.ci_level > 0 ? ix->opts.ci_level : 0.95);
        put(opts, "ci_groups", json_integer((json_int_t)ix->ci_groups), &bad);
        if (ix->method != TIX_METHOD_TIME_DUMMY)
            put(opts, "ci_level", json_string(l), &bad);
    }
    if (ix->opts.provisional)
        put(opts, "provisional", json_integer((json_int_t)ix->opts.provisional), &bad);
    put(opts, "min_contracts", json_integer((json_int_t)ix->opts.min_contracts), &bad);
    if (ix->opts.winsorize > 0) {
        char q[32]; /* as given, not as the nearest double prints */
        snprintf(q, sizeof q, "%g", ix->opts.winsorize);
        put(opts, "winsorize", json_string(q), &bad);
        put(opts, "winsorize_window", json_integer((json_int_t)ix->opts.winsor_window), &bad);
    }
    if (ix->opts.year_over_year) {
        put(opts, "year_over_year", json_true(), &bad);
    } else {
        tix_period_label(ix->kind, ix->base, label);
        put(opts, "base", json_string(label), &bad);
    }
    put(root, "options", opts, &bad);
    const tix_counts *c = info->counts;
    put(rows, "read", json_integer((json_int_t)c->read), &bad);
    put(rows, "accepted", json_integer((json_int_t)c->accepted), &bad);
    put(rows, "rejected", json_integer((json_int_t)c->rejected), &bad);
    for (int r = 1; r < TIX_REASON_COUNT; r++)
        if (c->by_reason[r])
            put(why, tix_reason_name((tix_reason)r), json_integer((json_int_t)c->by_reason[r]),
                &bad);
    put(rows, "rejected_by_reason", why, &bad);
    put(root, "rows", rows, &bad);
    size_t j = 0;
    int yoy = ix->opts.year_over_year;
    for (int32_t p = ix->nrows ? ix->rows[0].period : 0; ix->nrows && !bad; p++) {
        json_t *o = json_object();
        if (!o) {
            bad = 1;
            break;
        }
        if (yoy) { /* the seasons' rows as they are: no calendar to fill */
            char season[TIX_YOY_LABEL_MAX];
            p = ix->rows[j].period;
            tix_yoy_label(ix->kind, ix->rows[j].season, season);
            put(o, "season", json_string(season), &bad);
        }
        tix_period_label(ix->kind, p, label);
        put(o, "period", json_string(label), &bad);
        char day[TIX_PERIOD_LABEL_MAX];
        tix_date_format(tix_period_first_day(ix->kind, p), day);
        put(o, "period_start", json_string(day), &bad);
        tix_date_format(tix_period_first_day(ix->kind, p + 1) - 1, day);
        put(o, "period_end", json_string(day), &bad);
        int data = ix->rows[j].period == p;
        const tix_index_row *r = data ? &ix->rows[j] : NULL;
        tix_format_cents(data ? r->value : 0, money);
        put(o, "contracts", json_integer(data ? (json_int_t)r->contracts : 0), &bad);
        put(o, "value", json_string(money), &bad);
        put(o, "value_cents", json_integer(data ? (json_int_t)r->value : 0), &bad);
        put(o, "value_index", num_or_null(data ? r->value_index : NAN), &bad);
        put(o, "volume_index", num_or_null(data ? r->volume_index : NAN), &bad);
        put(o, "unit_value_index", num_or_null(data ? r->unit_value_index : NAN), &bad);
        put(o, "matched_cells", json_integer(data ? (json_int_t)r->matched : 0), &bad);
        put(o, "cells", json_integer(data ? (json_int_t)r->cells : 0), &bad);
        put(o, "link", num_or_null(data ? r->change : NAN), &bad);
        put(o, "coverage", num_or_null(data ? r->coverage : NAN), &bad);
        put(o, "suppressed_cells", json_integer(data ? (json_int_t)r->suppressed : 0), &bad);
        tix_format_cents(data ? r->capped_value : 0, money);
        put(o, "capped_contracts", json_integer(data ? (json_int_t)r->capped : 0), &bad);
        put(o, "capped_value", json_string(money), &bad);
        put(o, "top_contract_share", num_or_null(data ? r->top_contract_share : NAN), &bad);
        put(o, "unusual", json_boolean(data && r->unusual), &bad);
        if (ix->method == TIX_METHOD_TIME_DUMMY && !ix->opts.ci) {
            put(o, "unit_value_index_se", num_or_null(data ? r->unit_value_index_se : NAN), &bad);
            put(o, "unit_value_index_lo", num_or_null(data ? r->unit_value_index_lo : NAN), &bad);
            put(o, "unit_value_index_hi", num_or_null(data ? r->unit_value_index_hi : NAN), &bad);
        }
        if (ix->method == TIX_METHOD_TIME_DUMMY) {
            put(o, "zero_amounts", json_integer(data ? (json_int_t)r->zero_amounts : 0), &bad);
            put(o, "aliased_levels", json_integer(data ? (json_int_t)r->aliased : 0), &bad);
        }
        if (ix->opts.ci) {
            static const char *const names[] = {
                "value_index_se",      "value_index_lo",      "value_index_hi",
                "volume_index_se",     "volume_index_lo",     "volume_index_hi",
                "unit_value_index_se", "unit_value_index_lo", "unit_value_index_hi"};
            const double v[] = {r ? r->value_index_se : NAN,      r ? r->value_index_lo : NAN,
                                r ? r->value_index_hi : NAN,      r ? r->volume_index_se : NAN,
                                r ? r->volume_index_lo : NAN,     r ? r->volume_index_hi : NAN,
                                r ? r->unit_value_index_se : NAN, r ? r->unit_value_index_lo : NAN,
                                r ? r->unit_value_index_hi : NAN};
            for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
                put(o, names[k], num_or_null(v[k]), &bad);
            put(o, "significant",
                r && r->significant >= 0 ? json_boolean(r->significant) : json_null(), &bad);
        }
        if (ix->opts.provisional)
            put(o, "provisional", r ? json_boolean(r->provisional) : json_null(), &bad);
        if (json_array_append_new(periods, o) != 0)
            bad = 1;
        if (data && ++j == ix->nrows)
            break;
    }
    put(root, "periods", periods, &bad);
    tix_status st = TIX_E_NOMEM;
    if (!bad) {
        /* A failing sink is reported by sink_end; anything else is jansson
         * running out of memory. */
        st = json_dump_callback(root, dump_to_sink, s,
                                JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) == 0
                 ? TIX_OK
                 : TIX_E_NOMEM;
        sink_putc(s, '\n');
    }
    json_decref(root);
    return st;
}

tix_status tix_write_index_json_fn(tix_write_fn fn, void *ctx, const tix_index *ix,
                                   const tix_run_info *info)
{
    sink s;
    sink_init(&s, fn, ctx);
    tix_status st = sink_c_locale(&s);
    if (st == TIX_OK)
        st = index_json(&s, ix, info);
    return sink_end(&s, st);
}

tix_status tix_write_index_json(FILE *f, const tix_index *ix, const tix_run_info *info)
{
    return sink_file_status(f, tix_write_index_json_fn(sink_file_write, f, ix, info));
}

static void put_yuan(sink *s, double cents)
{
    if (isfinite(cents))
        sink_printf(s, ",%.2f", cents / 100.0);
    else
        sink_putc(s, ',');
}

/* "period," and a column per dimension of the cube's by, then rest. */
static void put_cells_head(sink *s, const tix_cube *cube, const char *rest)
{
    tix_dims d;
    sink_put(s, "period", 6);
    if (tix_dims_parse(tix_cube_by(cube), &d, NULL, 0) == TIX_OK) /* a cube's by always is */
        for (size_t k = 0; k < d.n; k++) {
            sink_putc(s, ',');
            put_field(s, d.name[k], strlen(d.name[k]));
        }
    sink_put(s, rest, strlen(rest));
}

/* A cell's name as one field per dimension. */
static void put_cell(sink *s, const char *name)
{
    for (;;) {
        const char *end = strchr(name, TIX_DIM_SEP);
        put_field(s, name, end ? (size_t)(end - name) : strlen(name));
        if (!end)
            return;
        sink_putc(s, ',');
        name = end + 1;
    }
}

static tix_status cells_csv_of(sink *s, const tix_cube *cube, const tix_index *ix);

/* The cells of ix (or of the cube alone), not the time dummy's
 * characteristics beside them. */
static tix_status cells_csv(sink *s, const tix_cube *cube, const tix_index *ix)
{
    if (ix)
        return cells_csv_of(s, tix_index_cube(ix, cube), ix);
    tix_dims d;
    if (tix_dims_parse(tix_cube_by(cube), &d, NULL, 0) != TIX_OK || tix_cube_cell_dims(cube) >= d.n)
        return cells_csv_of(s, cube, NULL);
    tix_cube *p = NULL;
    tix_status st = tix_cube_project(cube, NULL, &p);
    if (st == TIX_OK)
        st = cells_csv_of(s, p, NULL);
    tix_cube_free(p);
    return st;
}

static tix_status cells_csv_of(sink *s, const tix_cube *cube, const tix_index *ix)
{
    if (ix && ix->opts.year_over_year)
        return TIX_E_INVALID; /* its rows are not the cube's periods in order */
    char label[TIX_PERIOD_LABEL_MAX], money[24];
    put_cells_head(s, cube,
                   ",contracts,value,mean,sd,min,median,p90,max,"
                   "value_index,volume_index,unit_value_index,suppressed\n");
    size_t np = tix_cube_nperiods(cube);
    if (ix && ix->nrows < np)
        np = ix->nrows; /* the periods the index has */
    for (size_t i = 0; i < np; i++) {
        size_t ne;
        const tix_cube_entry *e = tix_cube_entries(cube, i, &ne);
        tix_period_label(tix_cube_period_kind(cube), tix_cube_period(cube, i), label);
        for (size_t k = 0; k < ne; k++) {
            tix_cell_index ci = {0, NAN, NAN, NAN};
            if (ix)
                tix_index_cell(ix, i, k, &ci);
            sink_printf(s, "%s,", label);
            put_cell(s, tix_cube_cell_name(cube, e[k].cell));
            if (ci.suppressed) {
                static const char rest[] = ",,,,,,,,,,,,1\n";
                sink_put(s, rest, sizeof rest - 1);
                continue;
            }
            tix_cell_stats cs;
            tix_status st = tix_cube_stats(cube, i, k, &cs);
            if (st != TIX_OK)
                return st;
            tix_format_cents(cs.sum, money);
            sink_printf(s, ",%" PRIu64 ",%s", cs.n, money);
            put_yuan(s, cs.mean);
            put_yuan(s, cs.sd);
            tix_format_cents(cs.min, money);
            sink_printf(s, ",%s", money);
            put_yuan(s, cs.median);
            put_yuan(s, cs.p90);
            tix_format_cents(cs.max, money);
            sink_printf(s, ",%s", money);
            put_index(s, ci.value_index);
            put_index(s, ci.volume_index);
            put_index(s, ci.unit_value_index);
            sink_put(s, ",0\n", 3);
        }
    }
    return TIX_OK;
}

tix_status tix_write_cells_csv_fn(tix_write_fn fn, void *ctx, const tix_cube *cube,
                                  const tix_index *ix)
{
    sink s;
    sink_init(&s, fn, ctx);
    tix_status st = sink_c_locale(&s);
    if (st == TIX_OK)
        st = cells_csv(&s, cube, ix);
    return sink_end(&s, st);
}

tix_status tix_write_cells_csv(FILE *f, const tix_cube *cube, const tix_index *ix)
{
    return sink_file_status(f, tix_write_cells_csv_fn(sink_file_write, f, cube, ix));
}

static void put_pp(sink *s, double x)
{
    if (isfinite(x))
        sink_printf(s, ",%.10f", x);
    else
        sink_putc(s, ',');
}

static tix_status contributions_csv(sink *s, const tix_cube *cube, const tix_index *ix)
{
    cube = tix_index_cube(ix, cube);
    char label[TIX_PERIOD_LABEL_MAX];
    size_t nc = tix_cube_ncells(cube);
    tix_contribution *c = malloc((nc ? nc : 1) * sizeof *c);
    if (!c)
        return TIX_E_NOMEM;
    put_cells_head(s, cube, ",value_pp,volume_pp,unit_value_pp\n");
    tix_status st = TIX_OK;
    for (size_t t = 1; t < ix->nrows && st == TIX_OK; t++) {
        size_t n;
        st = tix_index_contributions(ix, t, c, &n);
        if (st == TIX_E_NODATA) {
            st = TIX_OK; /* no link, nothing to split */
            continue;
        }
        tix_period_label(ix->kind, ix->rows[t].period, label);
        for (size_t i = 0; i < n && st == TIX_OK; i++) {
            sink_printf(s, "%s,", label);
            put_cell(s, tix_cube_cell_name(cube, c[i].cell));
            put_pp(s, c[i].value_pp);
            put_pp(s, c[i].volume_pp);
            put_pp(s, c[i].unit_value_pp);
            sink_putc(s, '\n');
        }
    }
    free(c);
    return st;
}

tix_status tix_write_contributions_csv_fn(tix_write_fn fn, void *ctx, const tix_cube *cube,
                                          const tix_index *ix)
{
    sink s;
    sink_init(&s, fn, ctx);
    tix_status st = sink_c_locale(&s);
    if (st == TIX_OK)
        st = contributions_csv(&s, cube, ix);
    return sink_end(&s, st);
}

tix_status tix_write_contributions_csv(FILE *f, const tix_cube *cube, const tix_index *ix)
{
    return sink_file_status(f, tix_write_contributions_csv_fn(sink_file_write, f, cube, ix));
}

tix_status tix_write_rejects_header_fn(tix_write_fn fn, void *ctx)
{
    static const char head[] = "file,line,reason,record\n";
    sink s;
    sink_init(&s, fn, ctx);
    sink_put(&s, head, sizeof head - 1);
    return sink_end(&s, TIX_OK);
}

tix_status tix_write_rejects_header(FILE *f)
{
    return sink_file_status(f, tix_write_rejects_header_fn(sink_file_write, f));
}

tix_status tix_write_reject_fn(tix_write_fn fn, void *ctx, const tix_reject *rej)
{
    /* Integers only, which no locale changes: no locale switch for a call
     * made once per rejected row. */
    sink s;
    sink_init(&s, fn, ctx);
    put_field(&s, rej->input, strlen(rej->input));
    sink_printf(&s, ",%" PRIu64 ",%s,", rej->line, tix_reason_name(rej->reason));
    put_field(&s, rej->raw, rej->raw_len);
    sink_putc(&s, '\n');
    return sink_end(&s, TIX_OK);
}

tix_status tix_write_reject(FILE *f, const tix_reject *rej)
{
    return sink_file_status(f, tix_write_reject_fn(sink_file_write, f, rej));
}
