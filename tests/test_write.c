#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
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
    tix_write_csv_field(f, arg, strlen(arg));
    return TIX_OK;
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
                              .coverage = NAN};
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
                              .capped_value = 12345};
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
                        "capped_value\n"
                        "2024-W01,3,500.00,100.000000,100.000000,100.000000,0,2,,,0,0,0.00\n"
                        "2024-W02,0,0.00,,,,0,0,,,0,0,0.00\n"
                        "2024-W03,5,860.01,172.002000,177.740926,,2,2,1.720020,0.750000,1,2,"
                        "123.45\n");
    free(s);
}

static tix_status index_json(FILE *f, const void *ix)
{
    static const char *inputs[] = {"a.csv.gz", "b.csv"};
    static tix_counts counts = {.read = 10, .accepted = 8, .rejected = 2};
    counts.by_reason[TIX_REASON_BAD_DATE] = 2;
    tix_run_info info = {"9.9.9", inputs, 2, "sector", "tech_amount", &counts};
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
