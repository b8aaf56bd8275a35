#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "techidx/write.h"

/* Runs fn on an in-memory stream and returns what it wrote (caller frees). */
static char *capture(tix_status (*fn)(FILE *, const void *), const void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    cr_assert_eq(fn(f, arg), TIX_OK);
    fclose(f);
    return buf;
}

Test(write, cents_format_exactly)
{
    char s[24];
    tix_format_cents(0, s);
    cr_assert_str_eq(s, "0.00");
    tix_format_cents(5, s);
    cr_assert_str_eq(s, "0.05");
    tix_format_cents(123456789, s);
    cr_assert_str_eq(s, "1234567.89");
    tix_format_cents(INT64_MAX, s);
    cr_assert_str_eq(s, "92233720368547758.07");
    tix_format_cents(-150, s);
    cr_assert_str_eq(s, "-1.50");
    tix_format_cents(INT64_MIN, s);
    cr_assert_str_eq(s, "-92233720368547758.08");
}

static tix_status field(FILE *f, const void *arg)
{
    return tix_write_csv_field(f, arg, strlen(arg));
}

Test(write, csv_fields_quoted_only_when_needed)
{
    char *s = capture(field, "plain text");
    cr_assert_str_eq(s, "plain text");
    free(s);
    s = capture(field, "a,b \"c\"\nd");
    cr_assert_str_eq(s, "\"a,b \"\"c\"\"\nd\"");
    free(s);
}

/* Two data weeks with a gap week between them. */
static tix_index *sample_index(tix_index_row *rows)
{
    static tix_index ix;
    memset(rows, 0, 2 * sizeof *rows);
    rows[0] = (tix_index_row){.period = 2817,
                              .contracts = 3,
                              .value = 50000,
                              .cells = 2,
                              .value_index = 100,
                              .volume_index = 100,
                              .unit_value_index = 100,
                              .change = NAN,
                              .coverage = NAN,
                              .top_contract_share = 0.6};
    rows[1] = (tix_index_row){.period = 2819,
                              .contracts = 5,
                              .value = 86001,
                              .cells = 2,
                              .matched = 2,
                              .value_index = 172.002,
                              .volume_index = 177.7409258856,
                              .unit_value_index = NAN,
                              .change = 1.72002,
                              .coverage = 0.75,
                              .suppressed = 1,
                              .capped = 2,
                              .capped_value = 12345,
                              .top_contract_share = NAN,
                              .unusual = 1};
    ix = (tix_index){.kind = TIX_PERIOD_WEEK,
                     .method = TIX_METHOD_FISHER,
                     .base = 2817,
                     .nrows = 2,
                     .rows = rows};
    return &ix;
}

static tix_status index_csv(FILE *f, const void *ix) { return tix_write_index_csv(f, ix); }

Test(write, index_csv_fills_calendar_gaps)
{
    tix_index_row rows[2];
    tix_index *ix = sample_index(rows);
    char label[TIX_PERIOD_LABEL_MAX];
    tix_period_label(TIX_PERIOD_WEEK, 2817, label);
    cr_assert_str_eq(label, "2024-W01");
    char *s = capture(index_csv, ix);
    cr_assert_str_eq(s, "period,contracts,value,value_index,volume_index,unit_value_index,"
                        "matched_cells,cells,link,coverage,suppressed_cells,capped_contracts,"
                        "capped_value,top_contract_share,unusual,period_start,period_end\n"
                        "2024-W01,3,500.00,100.000000,100.000000,100.000000,0,2,,,0,0,0.00,"
                        "0.600000,0,2024-01-01,2024-01-07\n"
                        "2024-W02,0,0.00,,,,0,0,,,0,0,0.00,,0,2024-01-08,2024-01-14\n"
                        "2024-W03,5,860.01,172.002000,177.740926,,2,2,1.720020,0.750000,1,2,"
                        "123.45,,1,2024-01-15,2024-01-21\n");
    free(s);
}

static tix_status index_json(FILE *f, const void *ix)
{
    static const char *inputs[] = {"a.csv.gz", "b.csv"};
    static tix_counts counts = {.read = 10, .accepted = 8, .rejected = 2};
    counts.by_reason[TIX_REASON_BAD_DATE] = 2;
    tix_run_info info = {"9.9.9", inputs, 2, "sector", "tech_amount", &counts, 0};
    return tix_write_index_json(f, ix, &info);
}

Test(write, index_json_carries_series_and_metadata)
{
    tix_index_row rows[2];
    tix_index *ix = sample_index(rows);
    char *s = capture(index_json, ix);
    json_error_t err;
    json_t *root = json_loads(s, 0, &err);
    cr_assert_not_null(root, "%s", err.text);
    cr_assert_str_eq(json_string_value(json_object_get(root, "techidx")), "9.9.9");
    cr_assert_eq(json_array_size(json_object_get(root, "inputs")), 2);
    json_t *opts = json_object_get(root, "options");
    cr_assert_str_eq(json_string_value(json_object_get(opts, "method")), "fisher");
    cr_assert_str_eq(json_string_value(json_object_get(opts, "base")), "2024-W01");
    json_t *rowsj = json_object_get(root, "rows");
    cr_assert_eq(json_integer_value(json_object_get(rowsj, "read")), 10);
    cr_assert_eq(json_integer_value(
                     json_object_get(json_object_get(rowsj, "rejected_by_reason"), "bad_date")),
                 2);
    json_t *periods = json_object_get(root, "periods");
    cr_assert_eq(json_array_size(periods), 3);
    json_t *p2 = json_array_get(periods, 2);
    cr_assert_str_eq(json_string_value(json_object_get(p2, "period")), "2024-W03");
    cr_assert_str_eq(json_string_value(json_object_get(p2, "value")), "860.01");
    cr_assert_eq(json_integer_value(json_object_get(p2, "value_cents")), 86001);
    cr_assert_float_eq(json_real_value(json_object_get(p2, "volume_index")), 177.7409258856, 1e-12);
    cr_assert(json_is_null(json_object_get(p2, "unit_value_index")));
    cr_assert(json_is_null(json_object_get(json_array_get(periods, 1), "value_index")));
    json_decref(root);
    free(s);
}

static tix_status rejects(FILE *f, const void *arg)
{
    (void)arg;
    tix_write_rejects_header(f);
    tix_reject r = {"dump,1.csv", 12, TIX_REASON_BAD_DATE, "a,\"b\nc\",2023-02-29", 18};
    return tix_write_reject(f, &r);
}

Test(write, rejects_rows_are_quoted_csv)
{
    char *s = capture(rejects, NULL);
    cr_assert_str_eq(s, "file,line,reason,record\n"
                        "\"dump,1.csv\",12,bad_date,\"a,\"\"b\nc\"\",2023-02-29\"\n");
    free(s);
}

/* ---- callbacks and memory ------------------------------------------------------- */

/* The writers' buffer (src/sink_internal.h). */
#define SINK_TEST_CAP 8192

/* A cube of 600 cells over three weeks with statistics, and its index:
 * documents of tens of KB, many times the writers' buffer. */
static tix_cube *big_cube(tix_index **ix)
{
    tix_cube *c;
    tix_cube_opts o;
    tix_cube_opts_init(&o);
    o.cell_stats = TIX_CUBE_STATS;
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    int32_t day = tix_days_from_civil(2024, 3, 4);
    for (int w = 0; w < 3; w++)
        for (int k = 0; k < 600; k++) {
            char cell[32];
            snprintf(cell, sizeof cell, k % 7 ? "cell %03d" : "cell, \"%03d\"", k);
            for (int n = 0; n < 1 + (k + w) % 3; n++)
                cr_assert_eq(tix_cube_add(c, day + 7 * w + n, cell, strlen(cell),
                                          12345 + 1001 * k + 77 * w + n),
                             TIX_OK);
        }
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    tix_index_opts io;
    tix_index_opts_init(&io);
    cr_assert_eq(tix_index_compute(c, &io, ix, NULL, 0), TIX_OK);
    return c;
}

static const char *inputs[] = {"a.csv.gz", "b.csv"};
static tix_counts counts = {.read = 10, .accepted = 8, .rejected = 2};
static const tix_reject rej = {"dump,1.csv", 12, TIX_REASON_BAD_DATE, "a,\"b\nc\",2023-02-29", 18};

/* Writer w (0..6) through fn, or to f when fn is NULL. */
static tix_status write_one(int w, FILE *f, tix_write_fn fn, void *ctx, const tix_cube *c,
                            const tix_index *ix)
{
    tix_run_info info = {"9.9.9", inputs, 2, "sector", "tech_amount", &counts, 0};
    switch (w) {
    case 0:
        return fn ? tix_write_index_csv_fn(fn, ctx, ix) : tix_write_index_csv(f, ix);
    case 1:
        return fn ? tix_write_index_json_fn(fn, ctx, ix, &info)
                  : tix_write_index_json(f, ix, &info);
    case 2:
        return fn ? tix_write_cells_csv_fn(fn, ctx, c, ix) : tix_write_cells_csv(f, c, ix);
    case 3:
        return fn ? tix_write_contributions_csv_fn(fn, ctx, c, ix)
                  : tix_write_contributions_csv(f, c, ix);
    case 4:
        return fn ? tix_write_rejects_header_fn(fn, ctx) : tix_write_rejects_header(f);
    case 5:
        return fn ? tix_write_reject_fn(fn, ctx, &rej) : tix_write_reject(f, &rej);
    default:
        return fn ? tix_write_csv_field_fn(fn, ctx, rej.raw, rej.raw_len)
                  : tix_write_csv_field(f, rej.raw, rej.raw_len);
    }
}
#define NWRITERS 7

Test(write, callback_and_memory_versions_write_the_bytes_of_the_file_versions)
{
    tix_index *ix;
    tix_cube *c = big_cube(&ix);
    for (int w = 0; w < NWRITERS; w++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        cr_assert_not_null(f);
        cr_assert_eq(write_one(w, f, NULL, NULL, c, ix), TIX_OK, "writer %d", w);
        cr_assert_eq(fclose(f), 0);
        tix_membuf m = {0};
        cr_assert_eq(write_one(w, NULL, tix_membuf_write, &m, c, ix), TIX_OK, "writer %d", w);
        cr_assert_eq(m.len, len, "writer %d: %zu bytes, not %zu", w, m.len, len);
        cr_assert_eq(memcmp(m.data, buf, len), 0, "writer %d", w);
        cr_assert_eq(m.data[m.len], '\0');
        if (w == 2)
            cr_assert_gt(len, 4 * SINK_TEST_CAP, "the cells table spans many buffers");
        tix_membuf_free(&m);
        free(buf);
    }
    tix_index_free(ix);
    tix_cube_free(c);
}

/* A write callback that gives `st` on call number fail_at (1-based). */
typedef struct failing {
    int calls, fail_at;
    tix_status st;
} failing;

static tix_status failing_write(void *ctx, const void *buf, size_t len)
{
    (void)buf;
    (void)len;
    failing *f = ctx;
    return ++f->calls == f->fail_at ? f->st : TIX_OK;
}

Test(write, a_failing_callback_stops_the_writer_and_its_status_is_returned_as_is)
{
    tix_index *ix;
    tix_cube *c = big_cube(&ix);
    for (int w = 0; w < NWRITERS; w++)
        for (int at = 1; at <= 3; at++) {
            failing f = {0, at, TIX_E_HEADER}; /* any status: given back unchanged */
            failing count = {0, 0, TIX_OK};
            cr_assert_eq(write_one(w, NULL, failing_write, &count, c, ix), TIX_OK);
            tix_status st = write_one(w, NULL, failing_write, &f, c, ix);
            if (count.calls < at) {
                cr_assert_eq(st, TIX_OK, "writer %d", w);
                continue;
            }
            cr_assert_eq(st, TIX_E_HEADER, "writer %d, failing call %d", w, at);
            cr_assert_eq(f.calls, at, "writer %d wrote on after its callback failed", w);
        }
    tix_index_free(ix);
    tix_cube_free(c);
}

Test(write, a_stream_that_cannot_be_written_is_an_io_error)
{
    tix_index *ix;
    tix_cube *c = big_cube(&ix);
    FILE *f = fopen("/dev/full", "w");
    cr_assert_not_null(f);
    setvbuf(f, NULL, _IONBF, 0);
    for (int w = 0; w < NWRITERS; w++)
        cr_assert_eq(write_one(w, f, NULL, NULL, c, ix), TIX_E_IO, "writer %d", w);
    fclose(f);
    tix_index_free(ix);
    tix_cube_free(c);
}
