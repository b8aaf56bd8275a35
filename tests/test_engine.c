/* Tests for the streaming engine (techidx/engine.h), end to end: CSV bytes
 * in (in memory through begin/feed/end, or files through
 * tix_engine_add_file, plain and gzip), a cube, row counts and rejected
 * rows out.
 *
 * The cube is checked through a text dump "PERIOD CELL N CENTS" per entry
 * (after tix_cube_finalize), compared with hand-computed expectations. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "counts_internal.h"
#include "engine_internal.h" /* engine_blocks_by_rows */
#include "support.h"
#include "techidx/cube.h"
#include "techidx/engine.h"
#include "techidx/period.h"
#include "techidx/record.h"

/* ---- temp files ------------------------------------------------------------ */

static void setup(void) { tt_tmpdir_make("engine"); }

TestSuite(engine, .init = setup, .fini = tt_tmpdir_remove);

/* ---- rejects ---------------------------------------------------------------- */

typedef struct rej {
    char *input;
    uint64_t line;
    tix_reason reason;
    char *raw;
    size_t raw_len;
} rej;

typedef struct rejects {
    rej *v;
    size_t n, cap;
    size_t fail_at; /* 1-based reject whose callback fails; 0 = never */
    tix_status fail_with;
    size_t calls;
} rejects;

static tix_status on_reject(void *ctx, const tix_reject *rj)
{
    rejects *rs = ctx;
    rs->calls++;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 16;
        rs->v = realloc(rs->v, rs->cap * sizeof *rs->v);
        cr_assert_not_null(rs->v);
    }
    rej *r = &rs->v[rs->n++];
    r->input = tt_dup(rj->input, strlen(rj->input));
    r->line = rj->line;
    r->reason = rj->reason;
    r->raw = tt_dup(rj->raw, rj->raw_len);
    r->raw_len = rj->raw_len;
    if (rs->fail_at && rs->calls == rs->fail_at)
        return rs->fail_with;
    return TIX_OK;
}

static void rejects_free(rejects *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->v[i].input);
        free(rs->v[i].raw);
    }
    free(rs->v);
    memset(rs, 0, sizeof *rs);
}

static void assert_reject(const rejects *rs, size_t i, const char *input, uint64_t line,
                          tix_reason reason, const char *raw)
{
    cr_assert_lt(i, rs->n, "reject %zu missing (have %zu)", i, rs->n);
    const rej *r = &rs->v[i];
    cr_assert_str_eq(r->input, input, "reject %zu input", i);
    cr_assert_eq(r->line, line, "reject %zu (%s): line %llu, want %llu", i, r->raw,
                 (unsigned long long)r->line, (unsigned long long)line);
    cr_assert_eq(r->reason, reason, "reject %zu (%s): reason %s, want %s", i, r->raw,
                 tix_reason_name(r->reason), tix_reason_name(reason));
    cr_assert_eq(r->raw_len, strlen(raw), "reject %zu: raw \"%s\", want \"%s\"", i, r->raw, raw);
    cr_assert_eq(memcmp(r->raw, raw, r->raw_len), 0, "reject %zu: raw \"%s\", want \"%s\"", i,
                 r->raw, raw);
}

static void assert_same_rejects(const rejects *a, const rejects *b)
{
    cr_assert_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        cr_assert_eq(a->v[i].line, b->v[i].line, "reject %zu", i);
        cr_assert_eq(a->v[i].reason, b->v[i].reason, "reject %zu", i);
        cr_assert_eq(a->v[i].raw_len, b->v[i].raw_len, "reject %zu", i);
        cr_assert_eq(memcmp(a->v[i].raw, b->v[i].raw, a->v[i].raw_len), 0, "reject %zu", i);
    }
}

/* ---- engine helpers ----------------------------------------------------------- */

#define HEADER                                                                                     \
    "contract_id,signed_on,sector,contract_type,buyer_region,seller_region,amount,tech_amount\n"

static tix_engine_opts default_opts(void)
{
    tix_engine_opts o;
    tix_engine_opts_init(&o);
    o.period = TIX_PERIOD_MONTH;
    return o;
}

static tix_engine *make_engine(const tix_engine_opts *o, rejects *rs)
{
    tix_engine *e = NULL;
    cr_assert_eq(tix_engine_new(&e, o, rs ? on_reject : NULL, rs), TIX_OK);
    cr_assert_not_null(e);
    return e;
}

/* begin + feed (whole, or in chunks of `chunk` bytes) + end; returns the
 * first failing status. */
static tix_status run_mem(tix_engine *e, const char *name, const char *text, size_t len,
                          size_t chunk)
{
    tix_status st = tix_engine_begin(e, name);
    if (st != TIX_OK)
        return st;
    size_t pos = 0;
    while (pos < len) {
        size_t n = chunk == 0 || chunk > len - pos ? len - pos : chunk;
        st = tix_engine_feed(e, text + pos, n);
        if (st != TIX_OK) {
            tix_status st2 = tix_engine_end(e);
            cr_assert_eq(st2, st, "end() after a failed feed repeats the error");
            return st;
        }
        pos += n;
    }
    return tix_engine_end(e);
}

#define RUN(e, name, lit) run_mem((e), (name), (lit), sizeof(lit) - 1, 0)

/* "PERIOD CELL N CENTS\n" for every entry of the finalized cube. */
static void dump_cube(tix_engine *e, char *out, size_t cap)
{
    tix_cube *c = tix_engine_cube(e);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    size_t pos = 0;
    out[0] = '\0';
    for (size_t i = 0; i < tix_cube_nperiods(c); i++) {
        char label[TIX_PERIOD_LABEL_MAX];
        tix_period_label(tix_cube_period_kind(c), tix_cube_period(c, i), label);
        size_t count;
        const tix_cube_entry *en = tix_cube_entries(c, i, &count);
        for (size_t k = 0; k < count; k++) {
            int n = snprintf(out + pos, cap - pos, "%s %s %llu %lld\n", label,
                             tix_cube_cell_name(c, en[k].cell), (unsigned long long)en[k].n,
                             (long long)en[k].value);
            cr_assert(n > 0 && (size_t)n < cap - pos, "dump buffer too small");
            pos += (size_t)n;
        }
    }
}

static void assert_cube(tix_engine *e, const char *want)
{
    char got[4096];
    dump_cube(e, got, sizeof got);
    cr_assert_str_eq(got, want);
}

static void assert_counts(tix_engine *e, uint64_t read, uint64_t accepted, uint64_t rejected)
{
    const tix_counts *c = tix_engine_counts(e);
    cr_assert_eq(c->read, read, "read %llu, want %llu", (unsigned long long)c->read,
                 (unsigned long long)read);
    cr_assert_eq(c->accepted, accepted, "accepted %llu, want %llu", (unsigned long long)c->accepted,
                 (unsigned long long)accepted);
    cr_assert_eq(c->rejected, rejected, "rejected %llu, want %llu", (unsigned long long)c->rejected,
                 (unsigned long long)rejected);
    cr_assert_eq(c->read, c->accepted + c->rejected);
    uint64_t sum = 0;
    for (int r = 0; r < TIX_REASON_COUNT; r++)
        sum += c->by_reason[r];
    cr_assert_eq(sum, c->rejected, "by_reason sums to %llu", (unsigned long long)sum);
    cr_assert_eq(c->by_reason[TIX_REASON_NONE], 0);
}

/* 1 when `name` occurs in msg as a whole word ("amount" is not found in
 * "tech_amount"). */
static int names_column(const char *msg, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(msg, name); p; p = strstr(p + 1, name)) {
        int before = p == msg || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z'));
        int after = !(p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z'));
        if (before && after)
            return 1;
    }
    return 0;
}

/* ---- options ------------------------------------------------------------------- */

Test(engine, opts_init_gives_the_defaults_of_techidx_run)
{
    tix_engine_opts o;
    memset(&o, 0xa5, sizeof o); /* every field is set, whatever was there */
    tix_engine_opts_init(&o);
    cr_assert_eq(o.period, TIX_PERIOD_WEEK);
    cr_assert_str_eq(o.by, "sector");
    cr_assert_eq(o.measure, TIX_MEASURE_TECH_AMOUNT);
    cr_assert_eq(o.cell_stats, 0);
    cr_assert_null(o.maps);
    cr_assert_eq(o.nmaps, 0);
    cr_assert_eq(o.dedup, 0);
    cr_assert_eq(o.has_range, 0);
    cr_assert_eq(o.max_record_bytes, TIX_READER_MAX_RECORD_BYTES);
    cr_assert_eq(o.max_fields, TIX_READER_MAX_FIELDS);
    cr_assert_eq(o.max_cells, TIX_CUBE_MAX_CELLS);
    cr_assert_eq(o.max_pairs, TIX_CUBE_MAX_PAIRS);
    cr_assert_eq(o.max_memory, TIX_ENGINE_MAX_MEMORY);
    cr_assert_eq(o.threads, 1);
    cr_assert_eq(o.inflate, TIX_INFLATE_AUTO);
    cr_assert_null(o.progress);
    cr_assert_null(o.tap);
    /* ISO weeks by sector: 2021-01-03 is a Sunday of 2020-W53. */
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "in.csv",
                     HEADER "A1,2021-01-03,biomedicine,t,r,r,10,5\n"
                            "A2,2021-01-04,biomedicine,t,r,r,10,2.5\n"),
                 TIX_OK);
    assert_cube(e, "2020-W53 biomedicine 1 500\n"
                   "2021-W01 biomedicine 1 250\n");
    tix_engine_free(e);
}

Test(engine, a_zeroed_opts_is_day_periods_by_sector)
{
    /* Zero is TIX_PERIOD_DAY (the enums keep the numbers .tic files store)
     * and a NULL by is sector: valid, but not the defaults. */
    tix_engine_opts o;
    memset(&o, 0, sizeof o);
    tix_engine *e = NULL;
    cr_assert_eq(tix_engine_new(&e, &o, NULL, NULL), TIX_OK);
    cr_assert_str_eq(tix_cube_by(tix_engine_cube(e)), "sector");
    cr_assert_eq(tix_cube_period_kind(tix_engine_cube(e)), TIX_PERIOD_DAY);
    tix_engine_free(e);
}

/* ---- headers ------------------------------------------------------------------- */

Test(engine, header_by_name_any_order_unknown_ignored)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "in.csv",
                     "notes,tech_amount,sector,amount,contract_id,extra,signed_on\n"
                     "hello,5.00,biomedicine,10.00,A1,zz,2024-01-15\n"
                     "x,2.50,biomedicine,3,A2,,2024-01-20\n"
                     "y,1,aerospace,1,A3,,2024-02-01\n"),
                 TIX_OK);
    assert_counts(e, 3, 3, 0);
    assert_cube(e, "2024-01 biomedicine 2 750\n"
                   "2024-02 aerospace 1 100\n");
    tix_engine_free(e);
}

Test(engine, header_case_insensitive_and_trimmed)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "in.csv",
                     " Contract_ID ,SIGNED_ON,\tSector,AMOUNT,Tech_Amount\n"
                     "A1,2024-03-01,nuclear,2.00,1.25\n"),
                 TIX_OK);
    assert_counts(e, 1, 1, 0);
    assert_cube(e, "2024-03 nuclear 1 125\n");
    tix_engine_free(e);
}

Test(engine, header_utf8_bom)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "bom.csv",
                     "\xEF\xBB\xBF"
                     "contract_id,signed_on,sector,amount,tech_amount\n"
                     "A1,2024-03-01,nuclear,2.00,1.25\n"),
                 TIX_OK);
    /* A BOM in front of a quoted first header. */
    cr_assert_eq(
        RUN(e, "bom-quoted.csv",
            "\xEF\xBB\xBF\"contract_id\",\"signed_on\",\"sector\",\"amount\",\"tech_amount\"\r\n"
            "A2,2024-03-02,nuclear,2.00,0.75\r\n"),
        TIX_OK);
    assert_counts(e, 2, 2, 0);
    assert_cube(e, "2024-03 nuclear 2 200\n");
    tix_engine_free(e);
}

Test(engine, header_chinese_aliases)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "cn1.csv",
                     "合同编号,签订日期,技术领域,合同类型,买方地区,卖方地区,成交金额,技术交易额\n"
                     "H1,2024-05-06,电子信息,技术开发,北京,上海,100.00,80.00\n"
                     "H2,2024-05-07,电子信息,技术服务,天津,北京,50,50\n"),
                 TIX_OK);
    /* 合同成交额 is the other name for the amount; columns in another order. */
    cr_assert_eq(RUN(e, "cn2.csv",
                     "技术交易额,合同成交额,签订日期,合同编号,技术领域\n"
                     "1.50,2.00,2024-06-01,H3,生物医药\n"),
                 TIX_OK);
    assert_counts(e, 3, 3, 0);
    assert_cube(e, "2024-05 电子信息 2 13000\n"
                   "2024-06 生物医药 1 150\n");
    tix_engine_free(e);

    /* The Chinese region column as the dimension. */
    o.by = "buyer_region";
    e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "cn1.csv",
                     "合同编号,签订日期,技术领域,合同类型,买方地区,卖方地区,成交金额,技术交易额\n"
                     "H1,2024-05-06,电子信息,技术开发,北京,上海,100.00,80.00\n"
                     "H2,2024-05-07,电子信息,技术服务,天津,北京,50,50\n"
                     "H3,2024-05-08,电子信息,技术服务,北京,北京,1,0.01\n"),
                 TIX_OK);
    /* Byte order of UTF-8: 北 (e5 8c 97) before 天 (e5 a4 a9). */
    assert_cube(e, "2024-05 北京 2 8001\n"
                   "2024-05 天津 1 5000\n");
    tix_engine_free(e);
}

Test(engine, header_maps_add_names)
{
    static const tix_header_map maps[] = {
        {TIX_COL_CONTRACT_ID, "Contract No."},
        {TIX_COL_SIGNED_ON, "Date Signed"},
        {TIX_COL_SECTOR, "Field"},
        {TIX_COL_AMOUNT, "Total (yuan)"},
        {TIX_COL_TECH_AMOUNT, "Tech (yuan)"},
    };
    tix_engine_opts o = default_opts();
    o.maps = maps;
    o.nmaps = sizeof maps / sizeof maps[0];
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "mapped.csv",
                     "Contract No.,Date Signed,field,Total (yuan),Tech (yuan),Remarks\n"
                     "M1,2024-07-01,agriculture,9.99,9.99,none\n"),
                 TIX_OK);
    assert_counts(e, 1, 1, 0);
    assert_cube(e, "2024-07 agriculture 1 999\n");
    tix_engine_free(e);
}

Test(engine, header_maps_override_canonical_names)
{
    /* "amount" in this file is the technology amount; "gross" the contract
     * amount: user maps win over canonical names. */
    static const tix_header_map maps[] = {
        {TIX_COL_TECH_AMOUNT, "amount"},
        {TIX_COL_AMOUNT, "gross"},
    };
    tix_engine_opts o = default_opts();
    o.maps = maps;
    o.nmaps = 2;
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "override.csv",
                     "contract_id,signed_on,sector,gross,amount\n"
                     "M1,2024-07-01,agriculture,10.00,4.00\n"),
                 TIX_OK);
    assert_cube(e, "2024-07 agriculture 1 400\n");
    tix_engine_free(e);
}

Test(engine, missing_required_column_is_named)
{
    static const char *const cols[] = {"contract_id", "signed_on", "sector", "amount",
                                       "tech_amount"};
    for (size_t miss = 0; miss < 5; miss++) {
        char text[256] = "";
        for (size_t i = 0; i < 5; i++) {
            if (i == miss)
                continue;
            strcat(text, cols[i]);
            strcat(text, ",");
        }
        strcat(text, "notes\nA1,2024-01-01,x,1,1,\n");
        tix_engine_opts o = default_opts();
        tix_engine *e = make_engine(&o, NULL);
        cr_assert_eq(run_mem(e, "hdr.csv", text, strlen(text), 0), TIX_E_HEADER, "without %s",
                     cols[miss]);
        const tix_error *err = tix_engine_error(e);
        cr_assert_eq(err->status, TIX_E_HEADER);
        cr_assert_str_eq(err->input, "hdr.csv");
        cr_assert_eq(err->line, 1);
        cr_assert(names_column(err->message, cols[miss]), "message \"%s\" does not name %s",
                  err->message, cols[miss]);
        assert_counts(e, 0, 0, 0);
        cr_assert_eq(tix_engine_counts(e)->inputs, 0);
        tix_engine_free(e);
    }
}

Test(engine, missing_dimension_column_is_named)
{
    tix_engine_opts o = default_opts();
    o.by = "contract_type";
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "d.csv",
                     "contract_id,signed_on,sector,amount,tech_amount\n"
                     "A1,2024-01-01,x,1,1\n"),
                 TIX_E_HEADER);
    cr_assert(names_column(tix_engine_error(e)->message, "contract_type"), "message \"%s\"",
              tix_engine_error(e)->message);
    tix_engine_free(e);
}

Test(engine, header_error_line_after_blank_lines)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(
        RUN(e, "blank.csv", "\n\r\ncontract_id,signed_on,sector,amount\nA1,2024-01-01,x,1\n"),
        TIX_E_HEADER);
    cr_assert_eq(tix_engine_error(e)->line, 3);
    cr_assert(names_column(tix_engine_error(e)->message, "tech_amount"), "message \"%s\"",
              tix_engine_error(e)->message);
    tix_engine_free(e);
}

Test(engine, doubled_column_is_header_error)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "dup.csv",
                     "contract_id,signed_on,sector,amount,tech_amount,成交金额\n"
                     "A1,2024-01-01,x,1,1,1\n"),
                 TIX_E_HEADER);
    cr_assert(names_column(tix_engine_error(e)->message, "amount"), "message \"%s\"",
              tix_engine_error(e)->message);
    tix_engine_free(e);
}

Test(engine, empty_input_is_header_error)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(run_mem(e, "empty.csv", "", 0, 0), TIX_E_HEADER);
    cr_assert_eq(tix_engine_error(e)->status, TIX_E_HEADER);
    cr_assert_str_eq(tix_engine_error(e)->input, "empty.csv");
    cr_assert_neq(tix_engine_error(e)->message[0], '\0');
    cr_assert_eq(tix_engine_counts(e)->inputs, 0);
    tix_engine_free(e);

    /* Only blank lines: no header either. */
    e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "blank.csv", "\n\r\n  \n"), TIX_E_HEADER);
    tix_engine_free(e);
}

Test(engine, header_only_input_is_ok)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "h.csv", HEADER), TIX_OK);
    cr_assert_eq(RUN(e, "h2.csv", "contract_id,signed_on,sector,amount,tech_amount"), TIX_OK);
    assert_counts(e, 0, 0, 0);
    cr_assert_eq(tix_engine_counts(e)->inputs, 2);
    assert_cube(e, "");
    tix_engine_free(e);
}

Test(engine, each_input_has_its_own_header)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "a.csv",
                     "contract_id,signed_on,sector,amount,tech_amount\n"
                     "A1,2024-01-01,x,5,2\n"),
                 TIX_OK);
    cr_assert_eq(RUN(e, "b.csv",
                     "tech_amount,amount,sector,signed_on,contract_id\n"
                     "3,5,x,2024-01-02,B1\n"),
                 TIX_OK);
    assert_cube(e, "2024-01 x 2 500\n");
    tix_engine_free(e);
}

/* ---- reasons -------------------------------------------------------------------- */

/* One valid row and one row per way of being wrong; the expected rejects
 * follow. Lines count the quoted multi-line records. */
static const char reasons_input[] = HEADER                                /* 1 */
    "A1,2024-01-10,biomedicine,dev,east,west,10.00,4.00\n"                /* 2 ok */
    "A2,2024-01-10,biomedicine,dev,east,west,10.00\n"                     /* 3 */
    "A3,2024-01-10,biomedicine,dev,east,west,10.00,4.00,extra\n"          /* 4 */
    ",2024-01-10,biomedicine,dev,east,west,10.00,4.00\n"                  /* 5 */
    "  ,2024-01-10,biomedicine,dev,east,west,10.00,4.00\n"                /* 6 */
    "A6,2023-02-29,biomedicine,dev,east,west,10.00,4.00\n"                /* 7 */
    "A7,2024-13-01,biomedicine,dev,east,west,10.00,4.00\n"                /* 8 */
    "A8,0000-01-01,biomedicine,dev,east,west,10.00,4.00\n"                /* 9 */
    "A9,2024/1/10,biomedicine,dev,east,west,10.00,4.00\n"                 /* 10 */
    "A10,,biomedicine,dev,east,west,10.00,4.00\n"                         /* 11 */
    "A11,2024-01-10,biomedicine,dev,east,west,\"1,000.00\",4.00\n"        /* 12 */
    "A12,2024-01-10,biomedicine,dev,east,west,-0,0\n"                     /* 13 */
    "A13,2024-01-10,biomedicine,dev,east,west,1e5,4.00\n"                 /* 14 */
    "A14,2024-01-10,biomedicine,dev,east,west,12.345,4.00\n"              /* 15 */
    "A15,2024-01-10,biomedicine,dev,east,west,,4.00\n"                    /* 16 */
    "A16,2024-01-10,biomedicine,dev,east,west,.5,0\n"                     /* 17 */
    "A17,2024-01-10,biomedicine,dev,east,west,10.00,abc\n"                /* 18 */
    "A18,2024-01-10,biomedicine,dev,east,west,10.00,1.5.0\n"              /* 19 */
    "A19,2024-01-10,biomedicine,dev,east,west,9223372036854775807.99,1\n" /* 20 */
    "A20,2024-01-10,biomedicine,dev,east,west,92233720368547758.07,92233720368547758.08\n" /* 21 */
    "A21,2024-01-10,biomedicine,dev,east,west,100.00,100.01\n"                             /* 22 */
    "A22,2024-01-11,biomedicine,\"licensing\nand\nservices\",east,west,1.00,1.00\n" /* 23-25 ok */
    "A23,2024-01-10,,dev,east,west,10.00,4.00\n"                                    /* 26 */
    "A24,2024-01-12,biomedicine,\"two\r\nlines\",east,west,5.00,6.00\r\n"           /* 27-28 */
    ",2024-13-01,biomedicine,dev,east,west,x,y\n"                                   /* 29 */
    "A26,2024-01-10,biomedicine,dev,east,west,x,y\n"                                /* 30 */
    "A27,2024-01-10,biomedicine,dev,east,west,99999999999999999999,x\n"             /* 31 */
    "\n"                                                                            /* 32 */
    "A28,2024-02-29,biomedicine,dev,east,west,00012.50,7.5\n"                       /* 33 ok */
    "A30,2024-01-10,bio\x01medicine,dev,east,west,1.00,1.00\n"                      /* 34 */
    "\xEF\xBB\xBF" HEADER                                                           /* 35 */
    "A28,2024-03-05,biomedicine,dev,east,west,1.00,1.00\n"                          /* 36 */
    "A31,2030-01-01,biomedicine,dev,east,west,1.00,1.00\n"                          /* 37 */
    "A29,2024-03-01,biomedicine,\"open,east,west,1,1\n";                            /* 38 */

typedef struct want_rej {
    uint64_t line;
    tix_reason reason;
    const char *raw;
} want_rej;

static const want_rej reasons_want[] = {
    {3, TIX_REASON_FIELD_COUNT, "A2,2024-01-10,biomedicine,dev,east,west,10.00"},
    {4, TIX_REASON_FIELD_COUNT, "A3,2024-01-10,biomedicine,dev,east,west,10.00,4.00,extra"},
    {5, TIX_REASON_EMPTY_ID, ",2024-01-10,biomedicine,dev,east,west,10.00,4.00"},
    {6, TIX_REASON_EMPTY_ID, "  ,2024-01-10,biomedicine,dev,east,west,10.00,4.00"},
    {7, TIX_REASON_BAD_DATE, "A6,2023-02-29,biomedicine,dev,east,west,10.00,4.00"},
    {8, TIX_REASON_BAD_DATE, "A7,2024-13-01,biomedicine,dev,east,west,10.00,4.00"},
    {9, TIX_REASON_BAD_DATE, "A8,0000-01-01,biomedicine,dev,east,west,10.00,4.00"},
    {10, TIX_REASON_BAD_DATE, "A9,2024/1/10,biomedicine,dev,east,west,10.00,4.00"},
    {11, TIX_REASON_BAD_DATE, "A10,,biomedicine,dev,east,west,10.00,4.00"},
    {12, TIX_REASON_BAD_AMOUNT, "A11,2024-01-10,biomedicine,dev,east,west,\"1,000.00\",4.00"},
    {13, TIX_REASON_BAD_AMOUNT, "A12,2024-01-10,biomedicine,dev,east,west,-0,0"},
    {14, TIX_REASON_BAD_AMOUNT, "A13,2024-01-10,biomedicine,dev,east,west,1e5,4.00"},
    {15, TIX_REASON_BAD_AMOUNT, "A14,2024-01-10,biomedicine,dev,east,west,12.345,4.00"},
    {16, TIX_REASON_BAD_AMOUNT, "A15,2024-01-10,biomedicine,dev,east,west,,4.00"},
    {17, TIX_REASON_BAD_AMOUNT, "A16,2024-01-10,biomedicine,dev,east,west,.5,0"},
    {18, TIX_REASON_BAD_TECH_AMOUNT, "A17,2024-01-10,biomedicine,dev,east,west,10.00,abc"},
    {19, TIX_REASON_BAD_TECH_AMOUNT, "A18,2024-01-10,biomedicine,dev,east,west,10.00,1.5.0"},
    {20, TIX_REASON_AMOUNT_OVERFLOW,
     "A19,2024-01-10,biomedicine,dev,east,west,9223372036854775807.99,1"},
    {21, TIX_REASON_AMOUNT_OVERFLOW,
     "A20,2024-01-10,biomedicine,dev,east,west,92233720368547758.07,92233720368547758.08"},
    {22, TIX_REASON_TECH_EXCEEDS_AMOUNT, "A21,2024-01-10,biomedicine,dev,east,west,100.00,100.01"},
    {26, TIX_REASON_EMPTY_DIMENSION, "A23,2024-01-10,,dev,east,west,10.00,4.00"},
    {27, TIX_REASON_TECH_EXCEEDS_AMOUNT,
     "A24,2024-01-12,biomedicine,\"two\r\nlines\",east,west,5.00,6.00"},
    {29, TIX_REASON_EMPTY_ID, ",2024-13-01,biomedicine,dev,east,west,x,y"},
    {30, TIX_REASON_BAD_AMOUNT, "A26,2024-01-10,biomedicine,dev,east,west,x,y"},
    {31, TIX_REASON_BAD_TECH_AMOUNT,
     "A27,2024-01-10,biomedicine,dev,east,west,99999999999999999999,x"},
    {34, TIX_REASON_INVALID_TEXT, "A30,2024-01-10,bio\x01medicine,dev,east,west,1.00,1.00"},
    {35, TIX_REASON_REPEATED_HEADER,
     "\xEF\xBB\xBF"
     "contract_id,signed_on,sector,contract_type,buyer_region,seller_region,amount,tech_amount"},
    {36, TIX_REASON_DUPLICATE_ID, "A28,2024-03-05,biomedicine,dev,east,west,1.00,1.00"},
    {37, TIX_REASON_OUT_OF_RANGE, "A31,2030-01-01,biomedicine,dev,east,west,1.00,1.00"},
    {38, TIX_REASON_UNTERMINATED_QUOTE, "A29,2024-03-01,biomedicine,\"open,east,west,1,1"},
};
#define N_REASONS_WANT (sizeof reasons_want / sizeof reasons_want[0])
#define N_REASONS_OK 3

/* The reasons input needs --dedup and a date range for its last reasons. */
static tix_engine_opts reasons_opts(void)
{
    tix_engine_opts o = default_opts();
    o.dedup = 1;
    o.has_range = 1;
    o.from_day = tix_days_from_civil(2000, 1, 1);
    o.to_day = tix_days_from_civil(2029, 12, 31);
    return o;
}

static void check_reasons(const rejects *rs, const char *input)
{
    cr_assert_eq(rs->n, N_REASONS_WANT, "%zu rejects, want %zu", rs->n, N_REASONS_WANT);
    for (size_t i = 0; i < N_REASONS_WANT; i++)
        assert_reject(rs, i, input, reasons_want[i].line, reasons_want[i].reason,
                      reasons_want[i].raw);
}

static void check_reason_counts(tix_engine *e)
{
    assert_counts(e, N_REASONS_WANT + N_REASONS_OK, N_REASONS_OK, N_REASONS_WANT);
    uint64_t want[TIX_REASON_COUNT] = {0};
    for (size_t i = 0; i < N_REASONS_WANT; i++)
        want[reasons_want[i].reason]++;
    const tix_counts *c = tix_engine_counts(e);
    for (int r = 1; r < TIX_REASON_COUNT; r++) {
        cr_assert_gt(want[r], 0, "reason %s not covered", tix_reason_name((tix_reason)r));
        cr_assert_eq(c->by_reason[r], want[r], "by_reason[%s] = %llu, want %llu",
                     tix_reason_name((tix_reason)r), (unsigned long long)c->by_reason[r],
                     (unsigned long long)want[r]);
    }
}

Test(engine, every_reason_code_with_line_and_raw)
{
    rejects rs = {0};
    tix_engine_opts o = reasons_opts();
    tix_engine *e = make_engine(&o, &rs);
    char name[] = "contracts-2024.csv";
    cr_assert_eq(tix_engine_begin(e, name), TIX_OK);
    strcpy(name, "overwritten-name!!"); /* the engine keeps its own copy */
    cr_assert_eq(tix_engine_feed(e, reasons_input, sizeof reasons_input - 1), TIX_OK);
    cr_assert_eq(tix_engine_end(e), TIX_OK);
    check_reasons(&rs, "contracts-2024.csv");
    check_reason_counts(e);
    /* The three good rows: 4.00 + 1.00 in January, 7.50 on 2024-02-29. */
    assert_cube(e, "2024-01 biomedicine 2 500\n"
                   "2024-02 biomedicine 1 750\n");
    tix_engine_free(e);
    rejects_free(&rs);
}

Test(engine, reasons_same_when_fed_byte_by_byte)
{
    rejects whole = {0}, bytewise = {0};
    tix_engine_opts o = reasons_opts();
    tix_engine *e1 = make_engine(&o, &whole);
    tix_engine *e2 = make_engine(&o, &bytewise);
    cr_assert_eq(run_mem(e1, "r.csv", reasons_input, sizeof reasons_input - 1, 0), TIX_OK);
    cr_assert_eq(run_mem(e2, "r.csv", reasons_input, sizeof reasons_input - 1, 1), TIX_OK);
    check_reasons(&bytewise, "r.csv");
    assert_same_rejects(&whole, &bytewise);
    check_reason_counts(e2);
    char d1[1024], d2[1024];
    dump_cube(e1, d1, sizeof d1);
    dump_cube(e2, d2, sizeof d2);
    cr_assert_str_eq(d1, d2);
    cr_assert_eq(tix_engine_counts(e2)->bytes, sizeof reasons_input - 1);
    tix_engine_free(e1);
    tix_engine_free(e2);
    rejects_free(&whole);
    rejects_free(&bytewise);
}

Test(engine, reasons_through_files_plain_and_gzip)
{
    char plain[256], gz[256];
    tt_path(plain, sizeof plain, "reasons.csv");
    tt_path(gz, sizeof gz, "reasons-gzip.csv"); /* gzip, whatever the name */
    tt_write_file(plain, reasons_input, sizeof reasons_input - 1);
    size_t zlen;
    unsigned char *z = tt_gzip(reasons_input, sizeof reasons_input - 1, 6, &zlen);
    tt_write_file(gz, z, zlen);
    free(z);

    const char *paths[] = {plain, gz};
    for (size_t i = 0; i < 2; i++) {
        rejects rs = {0};
        tix_engine_opts o = reasons_opts();
        tix_engine *e = make_engine(&o, &rs);
        cr_assert_eq(tix_engine_add_file(e, paths[i]), TIX_OK, "%s: %s", paths[i],
                     tix_engine_error(e)->message);
        check_reasons(&rs, paths[i]);
        check_reason_counts(e);
        cr_assert_eq(tix_engine_counts(e)->bytes, sizeof reasons_input - 1);
        cr_assert_eq(tix_engine_counts(e)->inputs, 1);
        assert_cube(e, "2024-01 biomedicine 2 500\n"
                       "2024-02 biomedicine 1 750\n");
        tix_engine_free(e);
        rejects_free(&rs);
    }
}

Test(engine, accepted_amount_forms)
{
    rejects rs = {0};
    tix_engine_opts o = default_opts();
    o.measure = TIX_MEASURE_AMOUNT;
    tix_engine *e = make_engine(&o, &rs);
    cr_assert_eq(RUN(e, "amounts.csv",
                     "contract_id,signed_on,sector,amount,tech_amount\n"
                     "A1,2024-04-01,s,00012.50,0\n"
                     "A2,2024-04-02,s,7,7\n"
                     "A3,2024-04-03,s,7.5,7.50\n"
                     "A4,2024-04-04,s,0,0.00\n"
                     "A5,2024-04-05,s, 3.05 ,\"3.05\"\n"
                     "A6,2024-04-06,t,92233720368547758.07,0\n"),
                 TIX_OK);
    cr_assert_eq(rs.n, 0);
    assert_counts(e, 6, 6, 0);
    /* 1250 + 700 + 750 + 0 + 305 cents; INT64_MAX cents fits exactly. */
    assert_cube(e, "2024-04 s 5 3005\n"
                   "2024-04 t 1 9223372036854775807\n");
    tix_engine_free(e);
    rejects_free(&rs);
}

Test(engine, unterminated_quote_on_multiline_record)
{
    rejects rs = {0};
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, &rs);
    cr_assert_eq(RUN(e, "u.csv",
                     "contract_id,signed_on,notes,sector,amount,tech_amount\n"
                     "A1,2024-01-01,\"multi\nline\",m,1,1\n"
                     "A2,2024-01-02,\"never\nclosed,x,1,1\n"
                     "A3,2024-01-03,x,x,1,1\n"),
                 TIX_OK);
    cr_assert_eq(rs.n, 1);
    assert_reject(&rs, 0, "u.csv", 4, TIX_REASON_UNTERMINATED_QUOTE,
                  "A2,2024-01-02,\"never\nclosed,x,1,1\nA3,2024-01-03,x,x,1,1");
    assert_counts(e, 2, 1, 1);
    cr_assert_eq(tix_engine_counts(e)->by_reason[TIX_REASON_UNTERMINATED_QUOTE], 1);
    assert_cube(e, "2024-01 m 1 100\n");
    tix_engine_free(e);
    rejects_free(&rs);
}

/* ---- accounting, measures, dimensions, periods --------------------------------- */

Test(engine, row_accounting_across_inputs)
{
    rejects rs = {0};
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, &rs);
    static const char in1[] = HEADER "A1,2024-01-01,x,dev,e,w,1,1\n"
                                     "A2,2024-01-01,x,dev,e,w,1,2\n";
    static const char in2[] = "\n" HEADER "\n"
                              "B1,2024-01-02,y,dev,e,w,5,5\n"
                              "B2,bad,y,dev,e,w,5,5\n"
                              "B3,2024-01-02,y,dev,e,w,5\n"
                              "B4,2024-01-02,y,dev,e,w,5,5";
    static const char in3[] = HEADER;
    static const char in4[] = HEADER "C1,2024-02-01,x,dev,e,w,2.5,2.5\n";
    cr_assert_eq(run_mem(e, "in1.csv", in1, sizeof in1 - 1, 0), TIX_OK);
    assert_counts(e, 2, 1, 1);
    cr_assert_eq(run_mem(e, "in2.csv", in2, sizeof in2 - 1, 3), TIX_OK);
    assert_counts(e, 6, 3, 3);
    cr_assert_eq(run_mem(e, "in3.csv", in3, sizeof in3 - 1, 0), TIX_OK);
    cr_assert_eq(run_mem(e, "in4.csv", in4, sizeof in4 - 1, 0), TIX_OK);
    assert_counts(e, 7, 4, 3);
    const tix_counts *c = tix_engine_counts(e);
    cr_assert_eq(c->inputs, 4);
    cr_assert_eq(c->bytes, sizeof in1 + sizeof in2 + sizeof in3 + sizeof in4 - 4);
    cr_assert_eq(c->by_reason[TIX_REASON_TECH_EXCEEDS_AMOUNT], 1);
    cr_assert_eq(c->by_reason[TIX_REASON_BAD_DATE], 1);
    cr_assert_eq(c->by_reason[TIX_REASON_FIELD_COUNT], 1);
    cr_assert_eq(rs.n, 3);
    assert_reject(&rs, 0, "in1.csv", 3, TIX_REASON_TECH_EXCEEDS_AMOUNT,
                  "A2,2024-01-01,x,dev,e,w,1,2");
    assert_reject(&rs, 1, "in2.csv", 5, TIX_REASON_BAD_DATE, "B2,bad,y,dev,e,w,5,5");
    assert_reject(&rs, 2, "in2.csv", 6, TIX_REASON_FIELD_COUNT, "B3,2024-01-02,y,dev,e,w,5");
    assert_cube(e, "2024-01 x 1 100\n"
                   "2024-01 y 2 1000\n"
                   "2024-02 x 1 250\n");
    tix_engine_free(e);
    rejects_free(&rs);
}

static const char measure_input[] = HEADER "A1,2024-01-05,electronic,dev,e,w,100.00,60.00\n"
                                           "A2,2024-01-06,electronic,svc,e,w,50.50,0.25\n"
                                           "A3,2024-01-07,biomedicine,dev,e,w,1000,999.99\n"
                                           "A4,2024-02-01,electronic,dev,e,w,0.01,0\n"
                                           "A5,2024-02-01,biomedicine,transfer,e,w,7.5,7.5\n";

Test(engine, measure_selects_summed_amount)
{
    tix_engine_opts o = default_opts();
    o.measure = TIX_MEASURE_TECH_AMOUNT;
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "m.csv", measure_input), TIX_OK);
    assert_cube(e, "2024-01 biomedicine 1 99999\n"
                   "2024-01 electronic 2 6025\n"
                   "2024-02 biomedicine 1 750\n"
                   "2024-02 electronic 1 0\n");
    tix_engine_free(e);

    o.measure = TIX_MEASURE_AMOUNT;
    e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "m.csv", measure_input), TIX_OK);
    assert_cube(e, "2024-01 biomedicine 1 100000\n"
                   "2024-01 electronic 2 15050\n"
                   "2024-02 biomedicine 1 750\n"
                   "2024-02 electronic 1 1\n");
    tix_engine_free(e);
}

Test(engine, measure_names)
{
    tix_measure m = TIX_MEASURE_AMOUNT;
    cr_assert_str_eq(tix_measure_name(TIX_MEASURE_TECH_AMOUNT), "tech_amount");
    cr_assert_str_eq(tix_measure_name(TIX_MEASURE_AMOUNT), "amount");
    cr_assert_eq(tix_measure_parse("tech_amount", &m), TIX_OK);
    cr_assert_eq(m, TIX_MEASURE_TECH_AMOUNT);
    cr_assert_eq(tix_measure_parse("amount", &m), TIX_OK);
    cr_assert_eq(m, TIX_MEASURE_AMOUNT);
    cr_assert_eq(tix_measure_parse("Amount", &m), TIX_E_INVALID);
    cr_assert_eq(tix_measure_parse("", &m), TIX_E_INVALID);
}

Test(engine, dimension_groups_by_chosen_column)
{
    rejects rs = {0};
    tix_engine_opts o = default_opts();
    o.by = "contract_type";
    tix_engine *e = make_engine(&o, &rs);
    cr_assert_eq(RUN(e, "dim.csv",
                     "contract_id,signed_on,sector,contract_type,buyer_region,seller_region,amount,"
                     "tech_amount\n"
                     "A1,2024-01-05,electronic,dev,e,w,100.00,60.00\n"
                     "A2,2024-01-06,electronic,svc,e,w,50.50,0.25\n"
                     "A3,2024-01-07,biomedicine,dev,e,w,1000,999.99\n"
                     "A4,2024-01-08,biomedicine,,e,w,1,1\n"
                     "A5,2024-01-09,,transfer,e,w,2,2\n"),
                 TIX_OK);
    /* Sector may be empty now; the contract type may not. */
    cr_assert_eq(rs.n, 1);
    assert_reject(&rs, 0, "dim.csv", 5, TIX_REASON_EMPTY_DIMENSION,
                  "A4,2024-01-08,biomedicine,,e,w,1,1");
    assert_cube(e, "2024-01 dev 2 105999\n"
                   "2024-01 svc 1 25\n"
                   "2024-01 transfer 1 200\n");
    tix_engine_free(e);
    rejects_free(&rs);

    /* The sector column is not required when another dimension is used. */
    o.by = "seller_region";
    e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "dim2.csv",
                     "contract_id,signed_on,seller_region,amount,tech_amount\n"
                     "A1,2024-01-05,west,3,1\n"
                     "A2,2024-01-06,east,3,2\n"
                     "A3,2024-01-06,west,3,3\n"),
                 TIX_OK);
    assert_cube(e, "2024-01 east 1 200\n"
                   "2024-01 west 2 400\n");
    tix_engine_free(e);
}

Test(engine, iso_week_periods_span_year_end)
{
    tix_engine_opts o = default_opts();
    o.period = TIX_PERIOD_WEEK;
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "w.csv",
                     "contract_id,signed_on,sector,amount,tech_amount\n"
                     "A1,2021-01-03,x,1,1\n"   /* Sunday of 2020-W53 */
                     "A2,2020-12-28,x,2,2\n"   /* Monday of 2020-W53 */
                     "A3,2021-01-04,x,4,4\n"   /* Monday of 2021-W01 */
                     "A4,2020-12-27,x,8,8\n"), /* Sunday of 2020-W52 */
                 TIX_OK);
    tix_cube *c = tix_engine_cube(e);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    cr_assert_eq(tix_cube_nperiods(c), 3);
    char label[TIX_PERIOD_LABEL_MAX];
    tix_period_label(TIX_PERIOD_WEEK, tix_cube_period(c, 1), label);
    cr_assert_str_eq(label, "2020-W53");
    size_t n;
    const tix_cube_entry *en = tix_cube_entries(c, 1, &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(en[0].n, 2, "2020-12-28 and 2021-01-03 share a week");
    cr_assert_eq(en[0].value, 300);
    cr_assert_eq(tix_cube_period(c, 1) - tix_cube_period(c, 0), 1);
    cr_assert_eq(tix_cube_period(c, 2) - tix_cube_period(c, 1), 1);
    assert_cube(e, "2020-W52 x 1 800\n"
                   "2020-W53 x 2 300\n"
                   "2021-W01 x 1 400\n");
    tix_engine_free(e);
}

/* ---- errors ------------------------------------------------------------------------ */

Test(engine, reject_callback_error_stops_engine)
{
    rejects rs = {0};
    rs.fail_at = 2;
    rs.fail_with = TIX_E_IO;
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, &rs);
    static const char in[] = "contract_id,signed_on,sector,amount,tech_amount\n"
                             "A1,2024-01-01,x,1,1\n"
                             "A2,bad,x,1,1\n"
                             "A3,2024-01-01,x,1,1\n"
                             "A4,2024-01-01,x,1,5\n"
                             "A5,2024-01-01,x,1,1\n"
                             "A6,2024-01-01,x,1,1\n";
    cr_assert_eq(run_mem(e, "stop.csv", in, sizeof in - 1, 0), TIX_E_IO);
    cr_assert_eq(rs.calls, 2);
    const tix_error *err = tix_engine_error(e);
    cr_assert_eq(err->status, TIX_E_IO);
    cr_assert_str_eq(err->input, "stop.csv");
    cr_assert_eq(err->line, 5);
    assert_counts(e, 4, 2, 2);
    cr_assert_eq(tix_engine_counts(e)->inputs, 0);
    /* The engine takes no more input. */
    cr_assert_eq(tix_engine_begin(e, "next.csv"), TIX_E_IO);
    cr_assert_eq(tix_engine_feed(e, "x", 1), TIX_E_IO);
    cr_assert_eq(tix_engine_end(e), TIX_E_IO);
    assert_counts(e, 4, 2, 2);
    tix_engine_free(e);
    rejects_free(&rs);
}

Test(engine, reject_callback_error_byte_by_byte)
{
    rejects rs = {0};
    rs.fail_at = 1;
    rs.fail_with = TIX_E_IO;
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, &rs);
    static const char in[] = "contract_id,signed_on,sector,amount,tech_amount\n"
                             "A1,2024-01-01,x,1,1\n"
                             "A2,2024-01-01,\"x\ny\",1,9\n"
                             "A3,2024-01-01,x,1,1\n";
    cr_assert_eq(run_mem(e, "stop.csv", in, sizeof in - 1, 1), TIX_E_IO);
    cr_assert_eq(rs.calls, 1);
    cr_assert_eq(tix_engine_error(e)->line, 3);
    assert_counts(e, 2, 1, 1);
    tix_engine_free(e);
    rejects_free(&rs);
}

Test(engine, header_error_stops_engine)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "bad.csv", "a,b,c\n1,2,3\n"), TIX_E_HEADER);
    cr_assert_eq(tix_engine_begin(e, "good.csv"), TIX_E_HEADER);
    cr_assert_str_eq(tix_engine_error(e)->input, "bad.csv");
    cr_assert_eq(tix_engine_counts(e)->inputs, 0);
    tix_engine_free(e);
}

Test(engine, cube_sum_overflow_is_error)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "big.csv",
                     "contract_id,signed_on,sector,amount,tech_amount\n"
                     "A1,2024-01-01,x,92233720368547758.07,92233720368547758.07\n"
                     "A2,2024-01-02,y,1,1\n"
                     "A3,2024-01-03,x,0.01,0.01\n"),
                 TIX_E_OVERFLOW);
    const tix_error *err = tix_engine_error(e);
    cr_assert_eq(err->status, TIX_E_OVERFLOW);
    cr_assert_eq(err->line, 4);
    cr_assert_str_eq(err->input, "big.csv");
    cr_assert_eq(tix_engine_counts(e)->accepted, 2);
    tix_engine_free(e);
}

Test(engine, record_size_limit)
{
    tix_engine_opts o = default_opts();
    o.max_record_bytes = 64;
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "long.csv",
                     "contract_id,signed_on,sector,amount,tech_amount\n"
                     "A1,2024-01-01,x,1,1\n"
                     "\n"
                     "A2,2024-01-01,\"a very long sector name that\ngoes on and on and on\",1,1\n"),
                 TIX_E_LIMIT);
    const tix_error *err = tix_engine_error(e);
    cr_assert_eq(err->status, TIX_E_LIMIT);
    cr_assert_eq(err->line, 4);
    cr_assert_str_eq(err->input, "long.csv");
    cr_assert_neq(err->message[0], '\0');
    tix_engine_free(e);
}

/* Each limit's message names the option that raises it as the library
 * names parameters (status.h): in backquotes, never as a --flag. */
static void assert_limit_message(const tix_engine_opts *o, const char *text, const char *want)
{
    tix_engine *e = make_engine(o, NULL);
    cr_assert_eq(run_mem(e, "limit.csv", text, strlen(text), 0), TIX_E_LIMIT);
    const char *msg = tix_engine_error(e)->message;
    cr_assert(strstr(msg, want), "\"%s\" does not say %s", msg, want);
    cr_assert_null(strstr(msg, "--"), "\"%s\" names a flag", msg);
    tix_engine_free(e);
}

Test(engine, limit_messages_name_parameters)
{
    static const char two_cells[] = "contract_id,signed_on,sector,amount,tech_amount\n"
                                    "A1,2024-01-01,x,1,1\n"
                                    "A2,2024-01-02,y,1,1\n";
    tix_engine_opts o = default_opts();
    o.max_cells = 1;
    assert_limit_message(&o, two_cells, "distinct cells (values of the `by` columns; raise `max-cells`)");
    o = default_opts();
    o.max_fields = 3;
    assert_limit_message(&o, two_cells, "(raise `max-fields`)");
    o = default_opts();
    o.max_record_bytes = 16;
    assert_limit_message(&o, two_cells, "(raise `max-record-bytes`)");
    /* Distinct ids, one cell: only the id set grows, past 64 KiB. */
    size_t cap = 8192 * 64, len = 0;
    char *many = malloc(cap);
    cr_assert_not_null(many);
    len += (size_t)snprintf(many, cap, "contract_id,signed_on,sector,amount,tech_amount\n");
    for (int i = 0; i < 8192; i++)
        len += (size_t)snprintf(many + len, cap - len, "ID-%040d,2024-01-01,x,1,1\n", i);
    o = default_opts();
    o.max_memory = 64 << 10;
    o.dedup = 1;
    assert_limit_message(&o, many, "and the `dedup` id set (raise `max-memory`)");
    free(many);
}

/* The one place rows are counted (counts_internal.h): accepting and
 * rejecting keep the accounting whole, and anything else is seen. */
Test(engine, row_accounting_is_kept_in_one_place)
{
    tix_counts c, sum;
    memset(&c, 0, sizeof c);
    memset(&sum, 0, sizeof sum);
    cr_assert(counts_consistent(&c));
    counts_accept(&c, 5);
    counts_reject(&c, TIX_REASON_BAD_DATE);
    counts_reject(&c, TIX_REASON_DUPLICATE_ID);
    counts_accept(&c, 1);
    cr_assert(counts_consistent(&c));
    cr_assert_eq(c.read, 8);
    cr_assert_eq(c.accepted, 6);
    cr_assert_eq(c.rejected, 2);
    cr_assert_eq(c.by_reason[TIX_REASON_DUPLICATE_ID], 1);
    counts_add(&sum, &c);
    counts_add(&sum, &c);
    cr_assert(counts_consistent(&sum));
    cr_assert_eq(sum.read, 16);
    cr_assert_eq(sum.by_reason[TIX_REASON_BAD_DATE], 2);
    tix_counts bad = c;
    bad.read++;
    cr_assert_not(counts_consistent(&bad));
    bad = c;
    bad.accepted = bad.read + 1; /* read - accepted would wrap */
    cr_assert_not(counts_consistent(&bad));
    bad = c;
    bad.by_reason[TIX_REASON_BAD_DATE]++;
    cr_assert_not(counts_consistent(&bad));
    bad = c;
    bad.by_reason[TIX_REASON_NONE] = 1;
    bad.by_reason[TIX_REASON_BAD_DATE] = 0;
    cr_assert_not(counts_consistent(&bad));
}

Test(engine, misuse_is_invalid)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(tix_engine_feed(e, "x", 1), TIX_E_INVALID);
    cr_assert_eq(tix_engine_end(e), TIX_E_INVALID);
    cr_assert_eq(tix_engine_begin(e, "a"), TIX_OK);
    cr_assert_eq(tix_engine_begin(e, "b"), TIX_E_INVALID);
    cr_assert_eq(tix_engine_feed(e, HEADER, sizeof HEADER - 1), TIX_OK);
    cr_assert_eq(tix_engine_end(e), TIX_OK);
    cr_assert_eq(tix_engine_counts(e)->inputs, 1);
    tix_engine_free(e);
    tix_engine_free(NULL);
}

Test(engine, new_rejects_bad_options)
{
    static const char *const bad[] = {"contract_id",   "signed_on", "amount",  "tech_amount",
                                      "",              "sector,",   "a,b,c,d,e", "合同编号",
                                      "sector,Sector"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tix_engine_opts o = default_opts();
        o.by = bad[i];
        tix_engine *e = (tix_engine *)(uintptr_t)1;
        cr_assert_eq(tix_engine_new(&e, &o, NULL, NULL), TIX_E_INVALID, "by %s", bad[i]);
        cr_assert_null(e);
    }
    tix_engine *e = (tix_engine *)(uintptr_t)1;
    cr_assert_eq(tix_engine_new(&e, NULL, NULL, NULL), TIX_E_INVALID);
    cr_assert_null(e);
}

/* ---- files --------------------------------------------------------------------------- */

static const char file_input[] = HEADER "F1,2024-01-05,electronic,dev,e,w,100.00,60.00\n"
                                        "F2,2024-01-06,electronic,svc,e,w,50.50,0.25\n"
                                        "F3,2024-02-07,biomedicine,dev,e,w,1000,999.99\n"
                                        "F4,2024-02-07,biomedicine,dev,e,w,1000,bad\n";

static const char file_cube[] = "2024-01 electronic 2 6025\n"
                                "2024-02 biomedicine 1 99999\n";

Test(engine, add_file_plain_gzip_and_multimember)
{
    char plain[256], gz[256], multi[256];
    tt_path(plain, sizeof plain, "f.csv.gz"); /* plain, whatever the name */
    tt_path(gz, sizeof gz, "f.csv");
    tt_path(multi, sizeof multi, "multi.gz");
    tt_write_file(plain, file_input, sizeof file_input - 1);
    size_t zlen, z1len, z2len;
    unsigned char *z = tt_gzip(file_input, sizeof file_input - 1, 6, &zlen);
    tt_write_file(gz, z, zlen);
    /* Two members split in the middle of a record. */
    size_t cut = sizeof HEADER + 10;
    unsigned char *z1 = tt_gzip(file_input, cut, 6, &z1len);
    unsigned char *z2 = tt_gzip(file_input + cut, sizeof file_input - 1 - cut, 6, &z2len);
    unsigned char *both = malloc(z1len + z2len);
    cr_assert_not_null(both);
    memcpy(both, z1, z1len);
    memcpy(both + z1len, z2, z2len);
    tt_write_file(multi, both, z1len + z2len);
    free(z);
    free(z1);
    free(z2);
    free(both);

    const char *paths[] = {plain, gz, multi};
    for (size_t i = 0; i < 3; i++) {
        rejects rs = {0};
        tix_engine_opts o = default_opts();
        tix_engine *e = make_engine(&o, &rs);
        cr_assert_eq(tix_engine_add_file(e, paths[i]), TIX_OK, "%s: %s", paths[i],
                     tix_engine_error(e)->message);
        assert_counts(e, 4, 3, 1);
        cr_assert_eq(tix_engine_counts(e)->bytes, sizeof file_input - 1);
        cr_assert_eq(rs.n, 1);
        assert_reject(&rs, 0, paths[i], 5, TIX_REASON_BAD_TECH_AMOUNT,
                      "F4,2024-02-07,biomedicine,dev,e,w,1000,bad");
        assert_cube(e, file_cube);
        tix_engine_free(e);
        rejects_free(&rs);
    }

    /* All three into one engine: sums add up exactly. */
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(tix_engine_add_file(e, paths[i]), TIX_OK);
    assert_counts(e, 12, 9, 3);
    cr_assert_eq(tix_engine_counts(e)->inputs, 3);
    assert_cube(e, "2024-01 electronic 6 18075\n"
                   "2024-02 biomedicine 3 299997\n");
    tix_engine_free(e);
}

Test(engine, add_file_truncated_gzip_is_error_without_line)
{
    char path[256];
    tt_path(path, sizeof path, "trunc.csv.gz");
    size_t zlen;
    unsigned char *z = tt_gzip(file_input, sizeof file_input - 1, 6, &zlen);
    static const size_t cuts[] = {1, 4, 8, 30};
    for (size_t i = 0; i < 4; i++) {
        tt_write_file(path, z, zlen - cuts[i]);
        tix_engine_opts o = default_opts();
        tix_engine *e = make_engine(&o, NULL);
        cr_assert_eq(tix_engine_add_file(e, path), TIX_E_GZIP, "cut %zu", cuts[i]);
        const tix_error *err = tix_engine_error(e);
        cr_assert_eq(err->status, TIX_E_GZIP);
        cr_assert_eq(err->line, 0);
        cr_assert_str_eq(err->input, path);
        cr_assert_neq(err->message[0], '\0');
        cr_assert_eq(tix_engine_counts(e)->inputs, 0);
        /* The engine accepts no more input. */
        cr_assert_eq(tix_engine_begin(e, "x"), TIX_E_GZIP);
        tix_engine_free(e);
    }
    free(z);
}

Test(engine, add_file_missing_is_io_error)
{
    char path[256];
    tt_path(path, sizeof path, "missing.csv");
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(tix_engine_add_file(e, path), TIX_E_IO);
    const tix_error *err = tix_engine_error(e);
    cr_assert_eq(err->status, TIX_E_IO);
    cr_assert_eq(err->line, 0);
    cr_assert_str_eq(err->input, path);
    cr_assert_not_null(strstr(err->message, strerror(ENOENT)), "message \"%s\"", err->message);
    tix_engine_free(e);
}

Test(engine, add_file_empty_is_header_error)
{
    char path[256];
    tt_path(path, sizeof path, "empty.csv");
    tt_write_file(path, "", 0);
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(tix_engine_add_file(e, path), TIX_E_HEADER);
    cr_assert_str_eq(tix_engine_error(e)->input, path);
    tix_engine_free(e);
}

/* A CSV of valid rows, big enough that the engine feeds several chunks
 * before the gzip error shows. Rows are long so chunk ends fall inside
 * records. */
static char *big_valid_csv(size_t min_len, size_t *len)
{
    size_t cap = min_len + 4096, pos = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    pos += (size_t)snprintf(s, cap, "%s", HEADER);
    for (unsigned i = 0; pos < min_len; i++)
        pos += (size_t)snprintf(s + pos, cap - pos,
                                "CONTRACT-%08u,2024-%02u-%02u,sector_%02u,type_%u,region_%03u,"
                                "region_%03u,%u.%02u,%u.%02u\n",
                                i, i % 12 + 1, i % 28 + 1, i % 11, i % 4, i % 300, (i * 7) % 300,
                                1000 + i % 5000, i % 100, 1000 + i % 5000, i % 100);
    *len = pos;
    return s;
}

Test(engine, truncated_gzip_delivers_no_phantom_row)
{
    char path[256];
    tt_path(path, sizeof path, "big-trunc.csv.gz");
    size_t len, zlen;
    char *csv = big_valid_csv(1500000, &len);
    unsigned char *z = tt_gzip(csv, len, 6, &zlen);
    tt_write_file(path, z, zlen - 8);

    rejects rs = {0};
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, &rs);
    cr_assert_eq(tix_engine_add_file(e, path), TIX_E_GZIP);
    cr_assert_eq(tix_engine_error(e)->line, 0);
    cr_assert_eq(rs.n, 0, "every row in the file is valid, yet %zu reject(s), first: \"%s\"", rs.n,
                 rs.n ? rs.v[0].raw : "");
    cr_assert_eq(tix_engine_counts(e)->rejected, 0);
    tix_engine_free(e);
    rejects_free(&rs);
    free(z);
    free(csv);
}

Test(engine, big_gzip_file_reads_completely)
{
    /* The same big file, untruncated: every row accepted, none lost at
     * chunk boundaries. */
    char path[256];
    tt_path(path, sizeof path, "big.csv.gz");
    size_t len, zlen;
    char *csv = big_valid_csv(1500000, &len);
    unsigned char *z = tt_gzip(csv, len, 6, &zlen);
    tt_write_file(path, z, zlen);
    size_t rows = 0;
    for (size_t i = 0; i < len; i++)
        rows += csv[i] == '\n';
    rows--; /* header */

    rejects rs = {0};
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, &rs);
    cr_assert_eq(tix_engine_add_file(e, path), TIX_OK, "%s", tix_engine_error(e)->message);
    cr_assert_eq(rs.n, 0);
    assert_counts(e, rows, rows, 0);
    cr_assert_eq(tix_engine_counts(e)->bytes, len);
    tix_engine_free(e);
    rejects_free(&rs);
    free(z);
    free(csv);
}

/* ---- cells of several columns (--by COL,COL) -------------------------------- */

/* A cell name of several dimensions, with '|' shown for TIX_DIM_SEP. */
static void assert_cube_sep(tix_engine *e, const char *want)
{
    char got[4096];
    dump_cube(e, got, sizeof got);
    for (char *p = got; *p; p++)
        if (*p == TIX_DIM_SEP)
            *p = '|';
    cr_assert_str_eq(got, want);
}

static const char by_input[] =
    "contract_id,signed_on,sector,contract_type,seller_type,专利类型,amount,tech_amount\n"
    "B1,2024-01-05,elec,dev,university,发明,100.00,60.00\n"
    "B2,2024-01-06,elec,dev,enterprise,发明,50.00,50.00\n"
    "B3,2024-01-07,elec,svc,university,实用新型,10.00,10.00\n"
    "B4,2024-01-08,bio,dev,university,,1,1\n"
    "B5,2024-01-08,bio,dev,institute,发明,2,2\n"
    "B6,2024-01-09,elec,dev,university,发明,1.00,0.40\n";

Test(engine, cells_are_combinations_of_the_by_columns)
{
    rejects rs = {0};
    tix_engine_opts o = default_opts();
    o.period = TIX_PERIOD_MONTH;
    o.by = "sector, seller_type";
    tix_engine *e = make_engine(&o, &rs);
    cr_assert_eq(run_mem(e, "by.csv", by_input, sizeof by_input - 1, 0), TIX_OK);
    cr_assert_str_eq(tix_cube_by(tix_engine_cube(e)), "sector,seller_type");
    assert_cube_sep(e, "2024-01 bio|institute 1 200\n"
                       "2024-01 bio|university 1 100\n"
                       "2024-01 elec|enterprise 1 5000\n"
                       "2024-01 elec|university 3 7040\n");
    tix_engine_free(e);
    /* Any other header, by its text; an empty value in any of them is
     * empty_dimension. */
    o.by = "seller_type,专利类型";
    e = make_engine(&o, &rs);
    cr_assert_eq(run_mem(e, "by.csv", by_input, sizeof by_input - 1, 0), TIX_OK);
    assert_cube_sep(e, "2024-01 enterprise|发明 1 5000\n"
                       "2024-01 institute|发明 1 200\n"
                       "2024-01 university|发明 2 6040\n"
                       "2024-01 university|实用新型 1 1000\n");
    cr_assert_eq(rs.n, 1);
    cr_assert_eq(rs.v[0].reason, TIX_REASON_EMPTY_DIMENSION);
    cr_assert_eq(rs.v[0].line, 5);
    tix_engine_free(e);
    rejects_free(&rs);
}

Test(engine, several_columns_in_blocks_on_two_threads_equal_one)
{
    /* Enough rows for many blocks: the workers join names themselves. */
    char path[512];
    tt_path(path, sizeof path, "many.csv");
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("contract_id,signed_on,sector,contract_type,buyer_region,seller_region,amount,"
          "tech_amount\n",
          f);
    uint64_t s = 7;
    for (int i = 0; i < 200000; i++) {
        uint64_t r = tt_rng_next(&s);
        fprintf(f, "C%d,2024-%02d-%02d,s%u,t%u,b%u,r%u,%u.%02u,1.00\n", i, (int)(r % 12) + 1,
                (int)((r >> 8) % 28) + 1, (unsigned)(r >> 16) % 5, (unsigned)(r >> 20) % 3,
                (unsigned)(r >> 24) % 4, (unsigned)(r >> 28) % 4, (unsigned)(r >> 32) % 9000 + 1,
                (unsigned)(r >> 48) % 100);
    }
    cr_assert_eq(fclose(f), 0);
    char dump[2][4096 * 8];
    for (unsigned t = 1; t <= 2; t++) {
        tix_engine_opts o = default_opts();
        o.period = TIX_PERIOD_QUARTER;
        o.by = "buyer_region,seller_region,contract_type";
        o.threads = t;
        tix_engine *e = make_engine(&o, NULL);
        cr_assert_eq(tix_engine_add_file(e, path), TIX_OK);
        assert_counts(e, 200000, 200000, 0);
        dump_cube(e, dump[t - 1], sizeof dump[0]);
        cr_assert_eq(tix_cube_ncells(tix_engine_cube(e)), 4 * 4 * 3);
        tix_engine_free(e);
    }
    cr_assert_str_eq(dump[0], dump[1]);
}

/* A dump whose dates spread over 20 years of days, in random order, over
 * 16 sectors: a block's rows fall on nearly as many (day, sector) pairs,
 * so the parallel path applies most blocks row by row (engine_par.c,
 * SPARSE_*). Every 997th row is rejected; with `dup`, every 1009th repeats
 * the id of a row 500 or 60000 rows before. */
static void write_sparse_dump(const char *path, int rows, int dup)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(HEADER, f);
    int32_t day0;
    cr_assert_eq(tix_date_parse("2000-01-01", 10, &day0), TIX_OK);
    uint64_t s = 11;
    for (int i = 0; i < rows; i++) {
        uint64_t r = tt_rng_next(&s);
        char date[TIX_PERIOD_LABEL_MAX];
        tix_date_format(day0 + (int32_t)(r % 7305), date);
        int id = dup && i % 1009 == 1008 ? i - (i % 2 ? 500 : 60000) : i;
        if (i % 997 == 996)
            fprintf(f, "S%d,%s,s%u,dev,b,r,x,1.00\n", id, date, (unsigned)(r >> 20) % 16);
        else
            fprintf(f, "S%d,%s,s%u,dev,b,r,%u.%02u,%u.00\n", id, date, (unsigned)(r >> 20) % 16,
                    (unsigned)(r >> 32) % 90000 + 1, (unsigned)(r >> 24) % 100,
                    (unsigned)(r >> 40) % 3 ? (unsigned)(r >> 44) % 5000 + 1 : 0);
    }
    cr_assert_eq(fclose(f), 0);
}

Test(engine, blocks_of_a_pair_a_row_are_applied_row_by_row_and_give_the_cube_of_one_thread)
{
    char paths[2][512]; /* without and with repeated ids */
    tt_path(paths[0], sizeof paths[0], "sparse.csv");
    tt_path(paths[1], sizeof paths[1], "sparse_dup.csv");
    write_sparse_dump(paths[0], 400000, 0);
    write_sparse_dump(paths[1], 400000, 1);
    static const struct {
        tix_period_kind period;
        const char *by;
        int cell_stats, dedup, by_rows; /* whether blocks go row by row on 2 threads */
    } runs[] = {
        {TIX_PERIOD_DAY, "sector", 0, 0, 1},
        {TIX_PERIOD_DAY, "sector", TIX_CUBE_STATS_SUMS | TIX_CUBE_STATS_LOGS, 0, 1},
        {TIX_PERIOD_DAY, "sector", TIX_CUBE_STATS, 1, 1},
        {TIX_PERIOD_YEAR, "sector", TIX_CUBE_STATS_SUMS, 0, 0}, /* 320 pairs: cubes sum */
    };
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        const char *path = paths[runs[k].dedup];
        char *tic[2];
        size_t len[2];
        rejects rs[2] = {{0}, {0}};
        tix_counts counts[2];
        for (unsigned t = 1; t <= 2; t++) {
            tix_engine_opts o = default_opts();
            o.period = runs[k].period;
            o.by = runs[k].by;
            o.cell_stats = runs[k].cell_stats;
            o.dedup = runs[k].dedup;
            o.threads = t;
            tix_engine *e = make_engine(&o, &rs[t - 1]);
            cr_assert_eq(tix_engine_add_file(e, path), TIX_OK, "%s", tix_engine_error(e)->message);
            uint64_t by_rows = engine_blocks_by_rows(e);
            if (t == 1 || !runs[k].by_rows)
                cr_assert_eq(by_rows, 0, "run %zu, %u threads: %llu blocks row by row", k, t,
                             (unsigned long long)by_rows);
            else /* of the 9 blocks or so, those cut once the first was applied */
                cr_assert_geq(by_rows, 1, "run %zu: no block row by row", k);
            counts[t - 1] = *tix_engine_counts(e);
            tic[t - 1] = tt_tic_bytes(tix_engine_cube(e), &len[t - 1]);
            tix_engine_free(e);
        }
        cr_assert_eq(counts[0].read, 400000);
        cr_assert_eq(counts[0].rejected, counts[0].read - counts[0].accepted);
        cr_assert_eq(counts[0].rejected, rs[0].n);
        cr_assert_geq(rs[0].n, 400000 / 997 + (runs[k].dedup ? 400000 / 1009 - 1 : 0));
        cr_assert_eq(memcmp(&counts[0], &counts[1], sizeof counts[0]), 0, "run %zu: counts", k);
        assert_same_rejects(&rs[0], &rs[1]);
        cr_assert_eq(len[0], len[1], "run %zu: .tic of %zu and %zu bytes", k, len[0], len[1]);
        cr_assert_eq(memcmp(tic[0], tic[1], len[0]), 0, "run %zu: the cubes differ", k);
        for (int t = 0; t < 2; t++) {
            free(tic[t]);
            rejects_free(&rs[t]);
        }
    }
}

Test(engine, a_missing_column_is_named_with_its_alias_and_the_headers_there_are)
{
    tix_engine_opts o = default_opts();
    o.by = "seller_type";
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "m.csv", "contract_id,signed_on,卖方,amount,tech_amount\nA,2024-01-01,x,1,1\n"),
                 TIX_E_HEADER);
    cr_assert_str_eq(tix_engine_error(e)->message,
                     "missing column seller_type (卖方类型), named in `by`; the header has: "
                     "contract_id, signed_on, 卖方, amount, tech_amount (name the header with "
                     "`map` seller_type=HEADER)");
    tix_engine_free(e);
    e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "m.csv", "contract_id,signed_on,seller_type,tech_amount\n"), TIX_E_HEADER);
    cr_assert(strstr(tix_engine_error(e)->message, "missing required column amount (成交金额)"),
              "%s", tix_engine_error(e)->message);
    tix_engine_free(e);
    /* GBK bytes in the header: not UTF-8, and said so. */
    e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "g.csv", "\xba\xcf\xcd\xac\xb1\xe0\xba\xc5,signed_on\n"), TIX_E_HEADER);
    cr_assert(strstr(tix_engine_error(e)->message,
                     "not valid UTF-8: a GBK/GB18030 export? try `encoding` gb18030"),
              "%s", tix_engine_error(e)->message);
    cr_assert(strstr(tix_engine_error(e)->message, "\\xBA\\xCF"), "%s",
              tix_engine_error(e)->message);
    tix_engine_free(e);
    /* One field holding semicolons. */
    e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "s.csv", "contract_id;signed_on;amount\n"), TIX_E_HEADER);
    cr_assert(strstr(tix_engine_error(e)->message, "holding ';': try `delimiter` ';'"), "%s",
              tix_engine_error(e)->message);
    tix_engine_free(e);
}

Test(engine, date_format_and_amount_unit_reach_every_row)
{
    tix_engine_opts o = default_opts();
    o.date_format = "%Y年%m月%d日";
    o.amount_unit = TIX_AMOUNT_WAN;
    rejects rs = {0};
    tix_engine *e = make_engine(&o, &rs);
    cr_assert_eq(RUN(e, "zh.csv",
                     HEADER "Z1,2024年1月5日,electronic,dev,e,w,1.5,0.000001\n"
                            "Z2,2024-01-05,electronic,dev,e,w,1,1\n"
                            "Z3,2024年2月30日,electronic,dev,e,w,1,1\n"
                            "Z4,2024年02月01日,electronic,dev,e,w,1,0.0000001\n"),
                 TIX_OK);
    assert_counts(e, 4, 1, 3);
    assert_reject(&rs, 0, "zh.csv", 3, TIX_REASON_BAD_DATE, "Z2,2024-01-05,electronic,dev,e,w,1,1");
    assert_reject(&rs, 1, "zh.csv", 4, TIX_REASON_BAD_DATE,
                  "Z3,2024年2月30日,electronic,dev,e,w,1,1");
    assert_reject(&rs, 2, "zh.csv", 5, TIX_REASON_BAD_TECH_AMOUNT,
                  "Z4,2024年02月01日,electronic,dev,e,w,1,0.0000001");
    assert_cube(e, "2024-01 electronic 1 1\n");
    tix_engine_free(e);
    rejects_free(&rs);
    o.date_format = "%Y-%m";
    cr_assert_eq(tix_engine_new(&e, &o, NULL, NULL), TIX_E_INVALID);
    o.date_format = NULL;
    o.amount_unit = (tix_amount_unit)2;
    cr_assert_eq(tix_engine_new(&e, &o, NULL, NULL), TIX_E_INVALID);
}

/* ---- encodings, delimiters, inputs that are no CSV -------------------------------- */

/* text converted with iconv (to: "GB18030", "GBK"); the caller frees it. */
static char *iconv_to(const char *to, const char *text, size_t len, size_t *out_len)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    cr_assert_neq(cd, (iconv_t)-1);
    size_t cap = 2 * len + 16, left = cap;
    char *out = malloc(cap), *op = out, *ip = (char *)(uintptr_t)text;
    size_t il = len;
    cr_assert_not_null(out);
    cr_assert_neq(iconv(cd, &ip, &il, &op, &left), (size_t)-1);
    iconv_close(cd);
    *out_len = cap - left;
    return out;
}

/* Ids and cells in Chinese, quoted fields with commas and semicolons, a
 * CRLF, a rejected row. */
static const char zh_input[] =
    "合同编号,签订日期,技术领域,合同类型,买方地区,卖方地区,合同成交额,技术交易额\n"
    "甲01,2024-01-05,电子信息,开发,广东,深圳,100.00,60.00\n"
    "甲02,2024-01-06,\"电子信息\",\"服务, 咨询; 其他\",北京,深圳,50.50,0.25\r\n"
    "乙03,2024-02-07,生物医药,开发,上海,广东,1000,999.99\n"
    "乙04,2024-02-07,生物医药,开发,上海,广东,1000,坏\n";

typedef struct outcome {
    tix_status st;
    tix_counts counts;
    char cube[4096];
    rejects rs;
} outcome;

static void run_outcome(const tix_engine_opts *o, const char *text, size_t len, size_t chunk,
                        outcome *out)
{
    memset(out, 0, sizeof *out);
    tix_engine *e = make_engine(o, &out->rs);
    out->st = run_mem(e, "in.csv", text, len, chunk);
    out->counts = *tix_engine_counts(e);
    if (out->st == TIX_OK)
        dump_cube(e, out->cube, sizeof out->cube);
    tix_engine_free(e);
}

static void assert_same_outcome(const outcome *a, const outcome *b, const char *what)
{
    cr_assert_eq(a->st, b->st, "%s: status", what);
    cr_assert_eq(memcmp(&a->counts, &b->counts, sizeof a->counts), 0,
                 "%s: counts (bytes %llu vs %llu)", what, (unsigned long long)a->counts.bytes,
                 (unsigned long long)b->counts.bytes);
    cr_assert_str_eq(a->cube, b->cube, "%s: cube", what);
    assert_same_rejects(&a->rs, &b->rs);
}

Test(engine, gb18030_and_gbk_give_the_utf8_rows_counts_and_bytes_in_any_chunks)
{
    size_t len = sizeof zh_input - 1;
    tix_engine_opts o = default_opts();
    outcome want, got;
    run_outcome(&o, zh_input, len, 0, &want);
    cr_assert_eq(want.st, TIX_OK);
    cr_assert_eq(want.counts.accepted, 3);
    cr_assert_eq(want.counts.bytes, len);
    const char *encs[] = {"GB18030", "GBK"};
    for (int k = 0; k < 2; k++) {
        size_t glen;
        char *g = iconv_to(encs[k], zh_input, len, &glen);
        cr_assert_lt(glen, len); /* two bytes a character, not three */
        o.encoding = k == 0 ? TIX_ENCODING_GB18030 : TIX_ENCODING_GBK;
        size_t chunks[] = {0, 1, 2, 3, 5, 64};
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            run_outcome(&o, g, glen, chunks[c], &got);
            assert_same_outcome(&want, &got, encs[k]);
            rejects_free(&got.rs);
        }
        free(g);
    }
    rejects_free(&want.rs);
}

Test(engine, a_byte_that_is_no_gb18030_character_rejects_its_row_as_invalid_text)
{
    static const char in[] = HEADER "A1,2024-01-05,x\x80y,t,r,r,10,5\n"
                                    "A2,2024-01-05,\xD6\xD0,t,r,r,10,5\n"
                                    "A\x81,2024-01-05,ok,t,r,r,10,5\n";
    rejects rs = {0};
    tix_engine_opts o = default_opts();
    o.encoding = TIX_ENCODING_GB18030;
    tix_engine *e = make_engine(&o, &rs);
    cr_assert_eq(RUN(e, "in.csv", in), TIX_OK);
    assert_counts(e, 3, 1, 2);
    assert_reject(&rs, 0, "in.csv", 2, TIX_REASON_INVALID_TEXT, "A1,2024-01-05,x\xFFy,t,r,r,10,5");
    assert_reject(&rs, 1, "in.csv", 4, TIX_REASON_INVALID_TEXT, "A\xFF,2024-01-05,ok,t,r,r,10,5");
    assert_cube(e, "2024-01 \xE4\xB8\xAD 1 500\n");
    tix_engine_free(e);
    rejects_free(&rs);
}

Test(engine, semicolon_and_tab_files_give_the_comma_rows)
{
    static const char comma[] = HEADER "A1,2024-01-05,\"a,b;c\",t,r,r,10,5\n"
                                       "A2,2024-01-06,\"q\"\"x\",t,r,r,\"1000\",5\r\n"
                                       "A3,2024-01-06,plain,t,r,r,7,bad\n";
    size_t len = sizeof comma - 1;
    tix_engine_opts o = default_opts();
    outcome want, got;
    run_outcome(&o, comma, len, 0, &want);
    cr_assert_eq(want.counts.accepted, 2);
    const char delims[] = {';', '\t'};
    for (int k = 0; k < 2; k++) {
        /* Fields quoted as they are: the delimiter swapped outside quotes. */
        char *in = malloc(len);
        int quoted = 0;
        for (size_t i = 0; i < len; i++) {
            quoted ^= comma[i] == '"';
            in[i] = !quoted && comma[i] == ',' ? delims[k] : comma[i];
        }
        o.delimiter = delims[k];
        for (size_t chunk = 0; chunk < 4; chunk++) {
            run_outcome(&o, in, len, chunk, &got);
            cr_assert_eq(got.st, want.st);
            cr_assert_eq(memcmp(&got.counts, &want.counts, sizeof got.counts), 0);
            cr_assert_str_eq(got.cube, want.cube);
            cr_assert_eq(got.rs.n, 1);
            cr_assert_eq(got.rs.v[0].line, want.rs.v[0].line);
            cr_assert_eq(got.rs.v[0].reason, want.rs.v[0].reason);
            rejects_free(&got.rs);
        }
        free(in);
    }
    rejects_free(&want.rs);
}

/* A big GB18030 file with a tab delimiter, plain and gzip, on one thread
 * and on three: the cube, counts and bytes of its UTF-8 comma form. */
Test(engine, gb18030_tab_files_on_threads_equal_the_utf8_comma_file)
{
    size_t len;
    char *csv = big_valid_csv(5000000, &len);
    /* Chinese cells: "sector_NN" -> "领域NN_" (same length in bytes: 6 + 3). */
    for (char *p = csv; (p = strstr(p, "sector_")) != NULL; p += 9)
        memcpy(p, "\xE9\xA2\x86\xE5\x9F\x9F", 6), memmove(p + 6, p + 7, 2), p[8] = '_';
    char plain[256], gz[256], utf[256];
    tt_path(utf, sizeof utf, "utf8.csv");
    tt_path(plain, sizeof plain, "gb.csv");
    tt_path(gz, sizeof gz, "gb.csv.gz");
    tt_write_file(utf, csv, len);
    size_t glen, zlen;
    for (size_t i = 0; i < len; i++)
        if (csv[i] == ',')
            csv[i] = '\t';
    char *g = iconv_to("GB18030", csv, len, &glen);
    tt_write_file(plain, g, glen);
    unsigned char *z = tt_gzip(g, glen, 1, &zlen);
    tt_write_file(gz, z, zlen);
    char want[16384], got[16384];
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(tix_engine_add_file(e, utf), TIX_OK);
    tix_counts wc = *tix_engine_counts(e);
    dump_cube(e, want, sizeof want);
    tix_engine_free(e);
    cr_assert_eq(wc.bytes, len);
    cr_assert_eq(wc.rejected, 0);
    o.encoding = TIX_ENCODING_GB18030;
    o.delimiter = '\t';
    const char *paths[] = {plain, gz};
    for (int f = 0; f < 2; f++)
        for (unsigned threads = 1; threads <= 3; threads += 2) {
            o.threads = threads;
            e = make_engine(&o, NULL);
            cr_assert_eq(tix_engine_add_file(e, paths[f]), TIX_OK, "%s",
                         tix_engine_error(e)->message);
            tix_counts c = *tix_engine_counts(e);
            c.inputs = wc.inputs;
            cr_assert_eq(memcmp(&c, &wc, sizeof c), 0, "%s, %u threads: bytes %llu", paths[f],
                         threads, (unsigned long long)c.bytes);
            dump_cube(e, got, sizeof got);
            cr_assert_str_eq(got, want);
            tix_engine_free(e);
        }
    free(z);
    free(g);
    free(csv);
}

Test(engine, workbooks_and_utf16_are_named_at_the_first_bytes_in_any_chunks)
{
    static const struct {
        const char *in;
        size_t len;
        const char *says;
    } cases[] = {
        {"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00xl/workbook.xml", 29, ".xlsx"},
        {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00\x00\x00\x00\x00", 16, ".xls"},
        {"\xFF\xFE"
         "c\x00o\x00n\x00",
         8, "UTF-16"},
        {"\xFE\xFF\x00"
         "c\x00o\x00n",
         8, "UTF-16"},
        {"c\x00o\x00n\x00t\x00r\x00"
         "a\x00"
         "c\x00t\x00\n\x00",
         18, "UTF-16"},
        {"\x00"
         "c\x00o",
         4, "UTF-16"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t chunk = 0; chunk <= 3; chunk++)
            for (int enc = 0; enc < 2; enc++) {
                tix_engine_opts o = default_opts();
                o.encoding = enc ? TIX_ENCODING_GB18030 : TIX_ENCODING_UTF8;
                if (enc && i == 1)
                    continue; /* .xls bytes read as GB18030 are other characters */
                tix_engine *e = make_engine(&o, NULL);
                cr_assert_eq(run_mem(e, "in.csv", cases[i].in, cases[i].len, chunk), TIX_E_FORMAT,
                             "case %zu chunk %zu", i, chunk);
                const tix_error *err = tix_engine_error(e);
                cr_assert_eq(err->line, 1);
                cr_assert_not_null(strstr(err->message, cases[i].says), "case %zu: %s", i,
                                   err->message);
                cr_assert_eq(tix_engine_counts(e)->read, 0);
                tix_engine_free(e);
            }
    /* Short inputs are judged at their end, as CSV. */
    tix_engine_opts o = default_opts();
    tix_engine *e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "in.csv", "a,b\n"), TIX_E_HEADER);
    tix_engine_free(e);
    e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "in.csv", ""), TIX_E_HEADER);
    tix_engine_free(e);
}

Test(engine, new_rejects_a_bad_delimiter_or_encoding)
{
    tix_engine_opts o = default_opts();
    tix_engine *e = (tix_engine *)(uintptr_t)1;
    o.delimiter = '"';
    cr_assert_eq(tix_engine_new(&e, &o, NULL, NULL), TIX_E_INVALID);
    cr_assert_null(e);
    o = default_opts();
    o.encoding = (tix_encoding)3;
    cr_assert_eq(tix_engine_new(&e, &o, NULL, NULL), TIX_E_INVALID);
    cr_assert_null(e);
    o = default_opts();
    cr_assert_eq(o.delimiter, ',');
    cr_assert_eq(o.encoding, TIX_ENCODING_UTF8);
}

/* Characteristics (the time dummy's --hedonic beyond --by) are read
 * beside the cells and never reject a row: a file without the column,
 * an empty value or one that is not text is the empty value. */
Test(engine, characteristics_beyond_by_never_reject_a_row)
{
    tix_engine_opts o = default_opts();
    o.characteristics = "sector,seller_type";
    rejects rs = {0};
    tix_engine *e = make_engine(&o, &rs);
    cr_assert_str_eq(tix_cube_by(tix_engine_cube(e)), "sector,seller_type");
    cr_assert_eq(tix_cube_cell_dims(tix_engine_cube(e)), 1);
    cr_assert_eq(RUN(e, "a.csv",
                     "contract_id,signed_on,sector,seller_type,amount,tech_amount\n"
                     "a1,2024-01-05,bio,university,100,100\n"
                     "a2,2024-01-06,bio,,200,200\n"
                     "a3,2024-01-07,bio,\x01x,300,300\n"
                     "a4,2024-01-08,,university,400,400\n"),
                 TIX_OK);
    cr_assert_eq(RUN(e, "b.csv",
                     "contract_id,signed_on,sector,amount,tech_amount\n"
                     "b1,2024-01-09,bio,500,500\n"),
                 TIX_OK);
    assert_counts(e, 5, 4, 1);
    assert_reject(&rs, 0, "a.csv", 5, TIX_REASON_EMPTY_DIMENSION, "a4,2024-01-08,,university,400,400");
    assert_cube(e, "2024-01 bio\x1f 3 100000\n"
                   "2024-01 bio\x1funiversity 1 10000\n");
    tix_engine_free(e);
    rejects_free(&rs);
    /* Without the characteristic the cells file must still have its by columns. */
    o.characteristics = "contract_type";
    e = make_engine(&o, NULL);
    cr_assert_eq(RUN(e, "c.csv", "contract_id,signed_on,amount,tech_amount\nc1,2024-01-09,5,5\n"),
                 TIX_E_HEADER);
    tix_engine_free(e);
    /* More than 4 columns with by's. */
    o.by = "sector,buyer_region,seller_region,buyer_type";
    o.characteristics = "seller_type";
    tix_engine *bad = NULL;
    cr_assert_eq(tix_engine_new(&bad, &o, NULL, NULL), TIX_E_INVALID);
    cr_assert_null(bad);
}
