/* Tests for the push CSV reader (techidx/reader.h).
 *
 * Every row the reader delivers is copied (fields, line, raw bytes, flags)
 * into a list so that whole sequences can be compared exactly: against
 * hand-written expectations, and against each other when the same input is
 * fed whole, byte by byte and in pseudo-random chunk splits. */
#include <criterion/criterion.h>
#include <csv.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"
#include "reader_internal.h"
#include "support.h"
#include "techidx/reader.h"

/* A generated dump of `rows` rows with 10 % broken ones (quoted notes with
 * commas, quotes and newlines, and every kind of bad row), in memory. */
static char *dirty_dump(uint64_t rows, uint64_t seed, size_t *len)
{
    tix_gen_opts o;
    tix_gen_opts_init(&o);
    o.rows = rows;
    o.dirty = 0.1;
    o.seed = seed;
    char *text = NULL;
    *len = 0;
    FILE *m = open_memstream(&text, len);
    cr_assert_eq(tix_gen_write(&o, m, NULL, 0), TIX_OK);
    fclose(m);
    return text;
}

/* ---- helpers ------------------------------------------------------------ */

typedef struct rec {
    char **fields;
    size_t *lens;
    size_t nfields;
    uint64_t line;
    char *raw;
    size_t raw_len;
    unsigned flags;
} rec;

typedef struct rows {
    rec *v;
    size_t n, cap;
    size_t fail_at; /* 1-based row whose callback fails; 0 = never */
    tix_status fail_with;
    size_t calls;
} rows;

static tix_status collect(void *ctx, const tix_row *row)
{
    rows *rs = ctx;
    rs->calls++;
    if (rs->fail_at && rs->calls == rs->fail_at)
        return rs->fail_with;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 16;
        rs->v = realloc(rs->v, rs->cap * sizeof *rs->v);
        cr_assert_not_null(rs->v);
    }
    rec *r = &rs->v[rs->n++];
    r->nfields = row->nfields;
    r->fields = calloc(row->nfields ? row->nfields : 1, sizeof *r->fields);
    r->lens = calloc(row->nfields ? row->nfields : 1, sizeof *r->lens);
    cr_assert(r->fields && r->lens);
    for (size_t i = 0; i < row->nfields; i++) {
        r->fields[i] = tt_dup(row->fields[i].ptr, row->fields[i].len);
        r->lens[i] = row->fields[i].len;
    }
    r->line = row->line;
    r->raw = tt_dup(row->raw, row->raw_len);
    r->raw_len = row->raw_len;
    r->flags = row->flags;
    return TIX_OK;
}

static void rows_free(rows *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        for (size_t k = 0; k < rs->v[i].nfields; k++)
            free(rs->v[i].fields[k]);
        free(rs->v[i].fields);
        free(rs->v[i].lens);
        free(rs->v[i].raw);
    }
    free(rs->v);
    memset(rs, 0, sizeof *rs);
}

/* Chunking policies: 0 = whole, SIZE_MAX = random sizes (seeded), any other
 * value = fixed chunk size. */
#define CHUNK_WHOLE 0
#define CHUNK_RANDOM SIZE_MAX

typedef struct feed_result {
    tix_status feed; /* first non-OK feed status, or TIX_OK */
    tix_status finish;
} feed_result;

/* Feeds `len` bytes in chunks per policy, then finishes. When a feed fails
 * it stops there and does not finish (res.finish repeats the feed status),
 * so the caller can still inspect the reader's state. */
static feed_result feed_chunks(tix_reader *r, const char *in, size_t len, size_t policy,
                               uint64_t seed, size_t max_random)
{
    feed_result res = {TIX_OK, TIX_OK};
    size_t pos = 0;
    uint64_t s = seed ? seed : 1;
    while (pos < len) {
        size_t n;
        if (policy == CHUNK_WHOLE)
            n = len;
        else if (policy == CHUNK_RANDOM)
            n = 1 + (size_t)(tt_rng_next(&s) % max_random);
        else
            n = policy;
        if (n > len - pos)
            n = len - pos;
        tix_status st = tix_reader_feed(r, in + pos, n);
        pos += n;
        if (st != TIX_OK) {
            res.feed = res.finish = st;
            return res;
        }
    }
    res.finish = tix_reader_finish(r);
    return res;
}

/* Parses a whole input with default options: feed in one piece, finish. */
static void parse(const char *in, size_t len, rows *out)
{
    tix_reader *r;
    memset(out, 0, sizeof *out);
    cr_assert_eq(tix_reader_new(&r, NULL, collect, out), TIX_OK);
    feed_result res = feed_chunks(r, in, len, CHUNK_WHOLE, 0, 0);
    cr_assert_eq(res.feed, TIX_OK);
    cr_assert_eq(res.finish, TIX_OK);
    tix_reader_free(r);
}

#define PARSE_STR(s, out) parse((s), sizeof(s) - 1, (out))

static void assert_row(const rows *rs, size_t i, uint64_t line, const char *raw, size_t nfields,
                       const char *const *fields)
{
    cr_assert_lt(i, rs->n, "row %zu missing (have %zu)", i, rs->n);
    const rec *r = &rs->v[i];
    cr_assert_eq(r->line, line, "row %zu: line %llu, want %llu", i, (unsigned long long)r->line,
                 (unsigned long long)line);
    cr_assert_eq(r->raw_len, strlen(raw), "row %zu: raw \"%s\", want \"%s\"", i, r->raw, raw);
    cr_assert_eq(memcmp(r->raw, raw, r->raw_len), 0, "row %zu: raw \"%s\", want \"%s\"", i, r->raw,
                 raw);
    cr_assert_eq(r->nfields, nfields, "row %zu: %zu fields, want %zu", i, r->nfields, nfields);
    for (size_t k = 0; k < nfields; k++) {
        cr_assert_eq(r->lens[k], strlen(fields[k]), "row %zu field %zu: \"%s\" want \"%s\"", i, k,
                     r->fields[k], fields[k]);
        cr_assert_eq(memcmp(r->fields[k], fields[k], r->lens[k]), 0,
                     "row %zu field %zu: \"%s\" want \"%s\"", i, k, r->fields[k], fields[k]);
    }
}

#define ROW(rs, i, line, raw, ...)                                                                 \
    do {                                                                                           \
        static const char *const f_[] = {__VA_ARGS__};                                             \
        assert_row((rs), (i), (line), (raw), sizeof f_ / sizeof f_[0], f_);                        \
    } while (0)

static void assert_same_rows(const rows *a, const rows *b, const char *what)
{
    cr_assert_eq(a->n, b->n, "%s: %zu rows vs %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const rec *x = &a->v[i], *y = &b->v[i];
        cr_assert_eq(x->line, y->line, "%s: row %zu line", what, i);
        cr_assert_eq(x->flags, y->flags, "%s: row %zu flags", what, i);
        cr_assert_eq(x->raw_len, y->raw_len, "%s: row %zu raw \"%s\" vs \"%s\"", what, i, x->raw,
                     y->raw);
        cr_assert_eq(memcmp(x->raw, y->raw, x->raw_len), 0, "%s: row %zu raw", what, i);
        cr_assert_eq(x->nfields, y->nfields, "%s: row %zu nfields", what, i);
        for (size_t k = 0; k < x->nfields; k++) {
            cr_assert_eq(x->lens[k], y->lens[k], "%s: row %zu field %zu", what, i, k);
            cr_assert_eq(memcmp(x->fields[k], y->fields[k], x->lens[k]), 0, "%s: row %zu field %zu",
                         what, i, k);
        }
    }
}

/* ---- records, fields and lines -------------------------------------------- */

Test(reader, opts_init_gives_the_limits_a_zeroed_struct_means)
{
    tix_reader_opts o, z;
    memset(&o, 0xa5, sizeof o);
    tix_reader_opts_init(&o);
    memset(&z, 0, sizeof z);
    cr_assert_eq(o.max_record_bytes, TIX_READER_MAX_RECORD_BYTES);
    cr_assert_eq(o.max_fields, TIX_READER_MAX_FIELDS);
    tix_reader *a, *b;
    cr_assert_eq(tix_reader_new(&a, &o, NULL, NULL), TIX_OK);
    cr_assert_eq(tix_reader_new(&b, &z, NULL, NULL), TIX_OK);
    cr_assert_eq(memcmp(tix_reader_limits(a), tix_reader_limits(b), sizeof o), 0);
    tix_reader_free(a);
    tix_reader_free(b);
}

Test(reader, simple_rows_fields_and_lines)
{
    rows rs;
    PARSE_STR("contract_id,amount,sector\nA1,10.00,biomedicine\nA2,7,new_energy\n", &rs);
    cr_assert_eq(rs.n, 3);
    ROW(&rs, 0, 1, "contract_id,amount,sector", "contract_id", "amount", "sector");
    ROW(&rs, 1, 2, "A1,10.00,biomedicine", "A1", "10.00", "biomedicine");
    ROW(&rs, 2, 3, "A2,7,new_energy", "A2", "7", "new_energy");
    for (size_t i = 0; i < rs.n; i++)
        cr_assert_eq(rs.v[i].flags, 0);
    rows_free(&rs);
}

Test(reader, empty_fields)
{
    rows rs;
    PARSE_STR(",,\na,,c\n\"\",x\n", &rs);
    cr_assert_eq(rs.n, 3);
    ROW(&rs, 0, 1, ",,", "", "", "");
    ROW(&rs, 1, 2, "a,,c", "a", "", "c");
    ROW(&rs, 2, 3, "\"\",x", "", "x");
    rows_free(&rs);
}

Test(reader, quoted_commas)
{
    rows rs;
    PARSE_STR("\"a,b\",c,\"1,000.00\"\n", &rs);
    cr_assert_eq(rs.n, 1);
    ROW(&rs, 0, 1, "\"a,b\",c,\"1,000.00\"", "a,b", "c", "1,000.00");
    rows_free(&rs);
}

Test(reader, doubled_quotes)
{
    rows rs;
    PARSE_STR("\"say \"\"hi\"\"\",x,\"\"\"\"\n", &rs);
    cr_assert_eq(rs.n, 1);
    ROW(&rs, 0, 1, "\"say \"\"hi\"\"\",x,\"\"\"\"", "say \"hi\"", "x", "\"");
    rows_free(&rs);
}

Test(reader, newline_inside_quotes_counts_lines)
{
    rows rs;
    PARSE_STR("h1,h2,h3\n1,\"x\ny\",z\n2,b,c\n3,\"p\n\nq\n\",r\n4,d,e\n", &rs);
    cr_assert_eq(rs.n, 5);
    ROW(&rs, 0, 1, "h1,h2,h3", "h1", "h2", "h3");
    ROW(&rs, 1, 2, "1,\"x\ny\",z", "1", "x\ny", "z");
    ROW(&rs, 2, 4, "2,b,c", "2", "b", "c"); /* N + 2 after a two-line record */
    ROW(&rs, 3, 5, "3,\"p\n\nq\n\",r", "3", "p\n\nq\n", "r");
    ROW(&rs, 4, 9, "4,d,e", "4", "d", "e");
    rows_free(&rs);
}

Test(reader, multiline_quoted_fields_with_doubled_quotes_and_crlf)
{
    /* Quoted fields running over line ends, with "" escapes on either side
     * of an LF, two such fields in one record, a CRLF after the record and
     * an unquoted trailing blank: whole, in random chunks and byte by byte,
     * the rows are those of the line-by-line reading. */
    const char in[] = "id,n,m\n"
                      "1,\"a\"\"\nb\"\"\",\"x\n\"\"y\"\"\" \r\n"
                      "2,\"p,\nq\n\",z\n"
                      "3,\"\"\"\n\"\"\",w\n";
    size_t len = sizeof in - 1;
    rows whole;
    parse(in, len, &whole);
    cr_assert_eq(whole.n, 4);
    ROW(&whole, 1, 2, "1,\"a\"\"\nb\"\"\",\"x\n\"\"y\"\"\" ", "1", "a\"\nb\"", "x\n\"y\"");
    ROW(&whole, 2, 5, "2,\"p,\nq\n\",z", "2", "p,\nq\n", "z");
    ROW(&whole, 3, 8, "3,\"\"\"\n\"\"\",w", "3", "\"\n\"", "w");
    for (size_t policy = 1; policy <= 2; policy++) {
        rows rs = {0};
        tix_reader *r;
        cr_assert_eq(tix_reader_new(&r, NULL, collect, &rs), TIX_OK);
        feed_result res = feed_chunks(r, in, len, policy == 1 ? 1 : CHUNK_RANDOM, 7, 9);
        cr_assert_eq(res.finish, TIX_OK);
        cr_assert_eq(tix_reader_lines(r), 0, "finish resets the line count");
        assert_same_rows(&whole, &rs, policy == 1 ? "byte by byte" : "random chunks");
        tix_reader_free(r);
        rows_free(&rs);
    }
    rows_free(&whole);
}

Test(reader, quote_past_the_record_limit_on_a_long_line)
{
    /* The first line is over the limit and has a quote beyond it: the
     * limit is reported at that line, nothing is read past the buffer
     * (the fuzzer found this under ASan). */
    tix_reader_opts o = {16, 0, 0};
    rows rs = {0};
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, &o, collect, &rs), TIX_OK);
    const char in[] = "ok\nthis_line_is_long,\"and quoted\ny\"\n";
    char *copy = tt_dup(in, sizeof in - 1); /* exact-size heap copy for ASan */
    cr_assert_eq(tix_reader_feed(r, copy, sizeof in - 1), TIX_E_LIMIT);
    cr_assert_eq(tix_reader_line(r), 2);
    cr_assert_eq(rs.n, 1);
    free(copy);
    tix_reader_free(r);
    rows_free(&rs);
}

Test(reader, crlf_line_endings)
{
    rows rs;
    PARSE_STR("a,b\r\n1,\"q\"\r\n\"x\",2\r\n", &rs);
    cr_assert_eq(rs.n, 3);
    ROW(&rs, 0, 1, "a,b", "a", "b");
    ROW(&rs, 1, 2, "1,\"q\"", "1", "q");
    ROW(&rs, 2, 3, "\"x\",2", "x", "2");
    for (size_t i = 0; i < rs.n; i++)
        for (size_t k = 0; k < rs.v[i].nfields; k++)
            cr_assert_null(memchr(rs.v[i].fields[k], '\r', rs.v[i].lens[k]));
    rows_free(&rs);
}

Test(reader, crlf_inside_quotes_is_data)
{
    rows rs;
    PARSE_STR("1,\"a\r\nb\"\r\n2,c\r\n", &rs);
    cr_assert_eq(rs.n, 2);
    ROW(&rs, 0, 1, "1,\"a\r\nb\"", "1", "a\r\nb");
    ROW(&rs, 1, 3, "2,c", "2", "c");
    rows_free(&rs);
}

Test(reader, mixed_lf_and_crlf)
{
    rows rs;
    PARSE_STR("a,b\n1,2\r\n3,4\n5,6\r\n7,8", &rs);
    cr_assert_eq(rs.n, 5);
    ROW(&rs, 0, 1, "a,b", "a", "b");
    ROW(&rs, 1, 2, "1,2", "1", "2");
    ROW(&rs, 2, 3, "3,4", "3", "4");
    ROW(&rs, 3, 4, "5,6", "5", "6");
    ROW(&rs, 4, 5, "7,8", "7", "8");
    rows_free(&rs);
}

Test(reader, lone_cr_ends_a_record_as_in_libcsv)
{
    /* LF, CRLF and a lone CR all end a record; lines are counted by LF. */
    rows rs;
    PARSE_STR("a\rb,c\n", &rs);
    cr_assert_eq(rs.n, 2);
    ROW(&rs, 0, 1, "a", "a");
    ROW(&rs, 1, 1, "b,c", "b", "c");
    rows_free(&rs);

    /* A classic Mac OS file: CR only. */
    PARSE_STR("h1,h2\r1,2\r3,4\r", &rs);
    cr_assert_eq(rs.n, 3);
    ROW(&rs, 2, 1, "3,4", "3", "4");
    rows_free(&rs);

    /* Inside quotes a lone CR is data. */
    PARSE_STR("\"a\rb\",c\n", &rs);
    cr_assert_eq(rs.n, 1);
    ROW(&rs, 0, 1, "\"a\rb\",c", "a\rb", "c");
    rows_free(&rs);
}

Test(reader, blank_lines_are_not_records)
{
    rows rs;
    PARSE_STR("\n\na,b\n\n\r\n  \n1,2\n\n", &rs);
    cr_assert_eq(rs.n, 2);
    ROW(&rs, 0, 3, "a,b", "a", "b");
    ROW(&rs, 1, 7, "1,2", "1", "2");
    rows_free(&rs);

    PARSE_STR("\n\r\n\n", &rs);
    cr_assert_eq(rs.n, 0);
    rows_free(&rs);
}

Test(reader, unquoted_fields_trimmed)
{
    rows rs;
    PARSE_STR("  a ,\tb\t, c \t\n\" keep \", x y ,\n", &rs);
    cr_assert_eq(rs.n, 2);
    ROW(&rs, 0, 1, "  a ,\tb\t, c \t", "a", "b", "c");
    ROW(&rs, 1, 2, "\" keep \", x y ,", " keep ", "x y", "");
    rows_free(&rs);
}

Test(reader, last_record_without_newline_delivered_by_finish)
{
    rows rs = {0};
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, NULL, collect, &rs), TIX_OK);
    const char in[] = "a,b\n1,2";
    cr_assert_eq(tix_reader_feed(r, in, sizeof in - 1), TIX_OK);
    cr_assert_eq(rs.n, 1, "the unfinished record must wait for finish()");
    cr_assert_eq(tix_reader_lines(r), 1);
    cr_assert_eq(tix_reader_finish(r), TIX_OK);
    cr_assert_eq(rs.n, 2);
    ROW(&rs, 1, 2, "1,2", "1", "2");
    cr_assert_eq(rs.v[1].flags, 0);
    tix_reader_free(r);
    rows_free(&rs);
}

Test(reader, quoted_last_field_without_newline)
{
    rows rs;
    PARSE_STR("a,\"b\"", &rs);
    cr_assert_eq(rs.n, 1);
    ROW(&rs, 0, 1, "a,\"b\"", "a", "b");
    cr_assert_eq(rs.v[0].flags, 0);
    rows_free(&rs);
}

Test(reader, unterminated_quote_at_eof_is_flagged)
{
    rows rs;
    PARSE_STR("a,b\nc,\"open\nmore", &rs);
    cr_assert_eq(rs.n, 2);
    ROW(&rs, 0, 1, "a,b", "a", "b");
    cr_assert_eq(rs.v[0].flags, 0);
    ROW(&rs, 1, 2, "c,\"open\nmore", "c", "open\nmore");
    cr_assert_eq(rs.v[1].flags, TIX_ROW_UNTERMINATED_QUOTE);
    rows_free(&rs);

    /* An escaped quote at the very end does not close the field. */
    PARSE_STR("x,\"abc\"\"", &rs);
    cr_assert_eq(rs.n, 1);
    cr_assert_eq(rs.v[0].flags, TIX_ROW_UNTERMINATED_QUOTE);
    cr_assert_eq(rs.v[0].line, 1);
    cr_assert_eq(rs.v[0].raw_len, 8);
    cr_assert_eq(memcmp(rs.v[0].raw, "x,\"abc\"\"", 8), 0);
    rows_free(&rs);
}

Test(reader, raw_is_exact_source_bytes)
{
    /* Raw keeps quotes, doubled quotes, inner spaces and inner line ends
     * exactly; only the final line end goes. */
    const char in[] = "  id , \"a \"\"q\"\" ,b\"\r\n"
                      "2,\"multi\r\nline\n\n end\" , z\n"
                      "3,\t\"x\"\t\n";
    rows rs;
    PARSE_STR(in, &rs);
    cr_assert_eq(rs.n, 3);
    ROW(&rs, 0, 1, "  id , \"a \"\"q\"\" ,b\"", "id", "a \"q\" ,b");
    ROW(&rs, 1, 2, "2,\"multi\r\nline\n\n end\" , z", "2", "multi\r\nline\n\n end", "z");
    ROW(&rs, 2, 6, "3,\t\"x\"\t", "3", "x");

    /* Concatenating raw + line ends reproduces the input. */
    size_t pos = 0;
    for (size_t i = 0; i < rs.n; i++) {
        cr_assert_eq(memcmp(in + pos, rs.v[i].raw, rs.v[i].raw_len), 0, "row %zu", i);
        pos += rs.v[i].raw_len;
        pos += in[pos] == '\r' ? 2 : 1;
    }
    cr_assert_eq(pos, sizeof in - 1);
    rows_free(&rs);
}

Test(reader, lines_counter)
{
    rows rs = {0};
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, NULL, collect, &rs), TIX_OK);
    const char in[] = "a\n\n\"b\nc\"\nd";
    cr_assert_eq(tix_reader_feed(r, in, sizeof in - 1), TIX_OK);
    cr_assert_eq(tix_reader_lines(r), 4);
    cr_assert_eq(tix_reader_line(r), 5, "record in progress starts on line 5");
    cr_assert_eq(tix_reader_finish(r), TIX_OK);
    cr_assert_eq(rs.n, 3);
    cr_assert_eq(rs.v[0].line, 1);
    cr_assert_eq(rs.v[1].line, 3);
    cr_assert_eq(rs.v[2].line, 5);
    tix_reader_free(r);
    rows_free(&rs);
}

/* ---- chunk-boundary invariance ------------------------------------------ */

static const char *const invariance_inputs[] = {
    "contract_id,signed_on,sector,amount\n"
    "A1,2024-01-02,biomedicine,10.00\n"
    "\n"
    "A2, 2024-01-03 ,\"new, energy\",\"1,000.50\"\r\n"
    "\"A3\",2024-01-04,\"multi\nline \"\"quoted\"\"\ntext\",7\n"
    "\r\n"
    "A4,,,\n"
    "  A5 ,\t2024-02-29\t,x,\"\"\r\n"
    "A6,2024-03-01,\"a\r\nb\",8.5\n"
    "A7,2024-03-02,last,9",
    "a,b\n\"unterminated,\nstill\r\ngoing",
    "\n\n\n",
    "x\r\ny\r\n\r\nz\r\n",
    "\"\"\"\",\"\",\"\n\"\n,\n",
    "one field only\n\"q\"  ,  \"r\"  \n",
};

static void parse_policy(const char *in, size_t policy, uint64_t seed, size_t max_random, rows *out)
{
    tix_reader *r;
    memset(out, 0, sizeof *out);
    cr_assert_eq(tix_reader_new(&r, NULL, collect, out), TIX_OK);
    feed_result res = feed_chunks(r, in, strlen(in), policy, seed, max_random);
    cr_assert_eq(res.feed, TIX_OK);
    cr_assert_eq(res.finish, TIX_OK);
    tix_reader_free(r);
}

Test(reader, chunk_boundaries_do_not_matter)
{
    size_t ninputs = sizeof invariance_inputs / sizeof invariance_inputs[0];
    for (size_t i = 0; i < ninputs; i++) {
        rows whole, bytewise, other;
        parse_policy(invariance_inputs[i], CHUNK_WHOLE, 0, 0, &whole);
        parse_policy(invariance_inputs[i], 1, 0, 0, &bytewise);
        char what[64];
        snprintf(what, sizeof what, "input %zu byte by byte", i);
        assert_same_rows(&whole, &bytewise, what);
        rows_free(&bytewise);
        for (size_t size = 2; size <= 9; size++) {
            parse_policy(invariance_inputs[i], size, 0, 0, &other);
            snprintf(what, sizeof what, "input %zu chunks of %zu", i, size);
            assert_same_rows(&whole, &other, what);
            rows_free(&other);
        }
        for (uint64_t seed = 1; seed <= 40; seed++) {
            parse_policy(invariance_inputs[i], CHUNK_RANDOM, seed * 0x9e3779b97f4a7c15ull,
                         seed % 2 ? 5 : 23, &other);
            snprintf(what, sizeof what, "input %zu seed %llu", i, (unsigned long long)seed);
            assert_same_rows(&whole, &other, what);
            rows_free(&other);
        }
        rows_free(&whole);
    }
}

Test(reader, chunk_invariance_reference_rows)
{
    /* The first invariance input, checked against hand-written rows so the
     * comparison above is not between equally wrong results. */
    rows rs;
    parse_policy(invariance_inputs[0], 1, 0, 0, &rs);
    cr_assert_eq(rs.n, 8);
    ROW(&rs, 0, 1, "contract_id,signed_on,sector,amount", "contract_id", "signed_on", "sector",
        "amount");
    ROW(&rs, 1, 2, "A1,2024-01-02,biomedicine,10.00", "A1", "2024-01-02", "biomedicine", "10.00");
    ROW(&rs, 2, 4, "A2, 2024-01-03 ,\"new, energy\",\"1,000.50\"", "A2", "2024-01-03",
        "new, energy", "1,000.50");
    ROW(&rs, 3, 5, "\"A3\",2024-01-04,\"multi\nline \"\"quoted\"\"\ntext\",7", "A3", "2024-01-04",
        "multi\nline \"quoted\"\ntext", "7");
    ROW(&rs, 4, 9, "A4,,,", "A4", "", "", "");
    ROW(&rs, 5, 10, "  A5 ,\t2024-02-29\t,x,\"\"", "A5", "2024-02-29", "x", "");
    ROW(&rs, 6, 11, "A6,2024-03-01,\"a\r\nb\",8.5", "A6", "2024-03-01", "a\r\nb", "8.5");
    ROW(&rs, 7, 13, "A7,2024-03-02,last,9", "A7", "2024-03-02", "last", "9");
    cr_assert_eq(rs.v[7].flags, 0);
    rows_free(&rs);
}

Test(reader, chunk_invariance_large_input)
{
    /* Many records, random chunk sizes up to 4 KiB. */
    size_t cap = 1 << 20, len = 0;
    char *in = malloc(cap);
    cr_assert_not_null(in);
    uint64_t s = 77;
    for (int i = 0; len < 200000; i++) {
        uint64_t r = tt_rng_next(&s);
        int n;
        switch (r % 4) {
        case 0:
            n = snprintf(in + len, cap - len, "C%d,2024-01-%02d,plain,%u.%02u\n", i,
                         (int)(r >> 8) % 28 + 1, (unsigned)(r >> 16) % 100000,
                         (unsigned)(r >> 40) % 100);
            break;
        case 1:
            n = snprintf(in + len, cap - len, "\"C%d\",2024-02-01,\"multi\nline\",1\r\n", i);
            break;
        case 2:
            n = snprintf(in + len, cap - len, "\r\n");
            break;
        default:
            n = snprintf(in + len, cap - len, "C%d , \"q \"\"%u\"\"\" ,\t,x\n", i,
                         (unsigned)(r >> 20) % 1000);
            break;
        }
        len += (size_t)n;
    }
    in[len] = '\0';
    rows whole, other;
    parse_policy(in, CHUNK_WHOLE, 0, 0, &whole);
    cr_assert_gt(whole.n, 1000);
    for (uint64_t seed = 1; seed <= 4; seed++) {
        parse_policy(in, CHUNK_RANDOM, seed, 4096, &other);
        assert_same_rows(&whole, &other, "large input");
        rows_free(&other);
    }
    parse_policy(in, 1, 0, 0, &other);
    assert_same_rows(&whole, &other, "large input byte by byte");
    rows_free(&other);
    rows_free(&whole);
    free(in);
}

/* ---- stopping, limits, reset --------------------------------------------- */

Test(reader, callback_error_stops_reader)
{
    const char in[] = "a\nb\nc\nd\n";
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        rows rs = {0};
        rs.fail_at = 2;
        rs.fail_with = TIX_E_IO;
        tix_reader *r;
        cr_assert_eq(tix_reader_new(&r, NULL, collect, &rs), TIX_OK);
        feed_result res = feed_chunks(r, in, sizeof in - 1, chunk, 0, 0);
        cr_assert_eq(res.feed, TIX_E_IO, "chunk policy %zu", chunk);
        cr_assert_eq(rs.calls, 2, "no row after the failing one");
        cr_assert_eq(rs.n, 1);
        ROW(&rs, 0, 1, "a", "a");
        tix_reader_free(r);
        rows_free(&rs);
    }
}

Test(reader, callback_error_is_sticky_until_finish)
{
    rows rs = {0};
    rs.fail_at = 1;
    rs.fail_with = TIX_E_LIMIT;
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, NULL, collect, &rs), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "x,y\n", 4), TIX_E_LIMIT);
    cr_assert_eq(tix_reader_feed(r, "z\n", 2), TIX_E_LIMIT);
    cr_assert_eq(rs.calls, 1);
    cr_assert_eq(tix_reader_finish(r), TIX_E_LIMIT);
    /* finish() made the reader ready for a new input. */
    cr_assert_eq(tix_reader_feed(r, "p\nq\n", 4), TIX_OK);
    cr_assert_eq(tix_reader_finish(r), TIX_OK);
    cr_assert_eq(rs.n, 2);
    ROW(&rs, 0, 1, "p", "p");
    ROW(&rs, 1, 2, "q", "q");
    tix_reader_free(r);
    rows_free(&rs);
}

Test(reader, callback_error_in_finish)
{
    rows rs = {0};
    rs.fail_at = 2;
    rs.fail_with = TIX_E_HEADER;
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, NULL, collect, &rs), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "a\nlast", 6), TIX_OK);
    cr_assert_eq(tix_reader_finish(r), TIX_E_HEADER);
    cr_assert_eq(rs.calls, 2);
    tix_reader_free(r);
    rows_free(&rs);
}

Test(reader, max_record_bytes_limit)
{
    tix_reader_opts o = {16, 0, 0};
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        rows rs = {0};
        tix_reader *r;
        cr_assert_eq(tix_reader_new(&r, &o, collect, &rs), TIX_OK);
        const char in[] = "short,1\n\nthis,record,is,far,too,long\nnext\n";
        feed_result res = feed_chunks(r, in, sizeof in - 1, chunk, 0, 0);
        cr_assert_eq(res.feed, TIX_E_LIMIT, "chunk policy %zu", chunk);
        cr_assert_eq(tix_reader_line(r), 3, "the failing record's first line");
        cr_assert_eq(rs.n, 1);
        ROW(&rs, 0, 1, "short,1", "short", "1");
        tix_reader_free(r);
        rows_free(&rs);
    }
}

Test(reader, max_record_bytes_counts_multiline_records)
{
    /* Each physical line is short; the quoted record is not. */
    tix_reader_opts o = {20, 0, 0};
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        rows rs = {0};
        tix_reader *r;
        cr_assert_eq(tix_reader_new(&r, &o, collect, &rs), TIX_OK);
        const char in[] = "ok\n1,\"aaaaaa\nbbbbbbb\ncccccccc\nddd\"\n";
        feed_result res = feed_chunks(r, in, sizeof in - 1, chunk, 0, 0);
        cr_assert_eq(res.feed, TIX_E_LIMIT, "chunk policy %zu", chunk);
        cr_assert_eq(tix_reader_line(r), 2);
        cr_assert_eq(rs.n, 1);
        tix_reader_free(r);
        rows_free(&rs);
    }
}

Test(reader, max_record_bytes_unterminated_at_end)
{
    /* A record that never ends cannot grow past the limit either. */
    tix_reader_opts o = {32, 0, 0};
    rows rs = {0};
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, &o, collect, &rs), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "h\n\"", 3), TIX_OK);
    tix_status st = TIX_OK;
    for (int i = 0; i < 100 && st == TIX_OK; i++)
        st = tix_reader_feed(r, "xxxx\n", 5);
    cr_assert_eq(st, TIX_E_LIMIT);
    cr_assert_eq(tix_reader_line(r), 2);
    tix_reader_free(r);
    rows_free(&rs);
}

Test(reader, record_within_limit_is_accepted)
{
    /* Records shorter than the limit pass, whatever their line end. */
    tix_reader_opts o = {10, 0, 0};
    rows rs = {0};
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, &o, collect, &rs), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "abcdefg\nabcdef\r\nabcdefgh", 24), TIX_OK);
    cr_assert_eq(tix_reader_finish(r), TIX_OK);
    cr_assert_eq(rs.n, 3);
    ROW(&rs, 0, 1, "abcdefg", "abcdefg");
    ROW(&rs, 1, 2, "abcdef", "abcdef");
    ROW(&rs, 2, 3, "abcdefgh", "abcdefgh");
    tix_reader_free(r);
    rows_free(&rs);
}

Test(reader, limit_applies_to_raw_size_excluding_line_end)
{
    tix_reader_opts o = {10, 0, 0};
    rows rs = {0};
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, &o, collect, &rs), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "abcdefghij\n", 11), TIX_OK, "raw is 10 bytes: within limit");
    cr_assert_eq(tix_reader_feed(r, "abcdefghi\r\n", 11), TIX_OK, "raw is 9 bytes: within limit");
    cr_assert_eq(tix_reader_finish(r), TIX_OK);
    cr_assert_eq(rs.n, 2);
    tix_reader_free(r);
    rows_free(&rs);
}

Test(reader, max_fields_limit)
{
    tix_reader_opts o = {0, 3, 0};
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        rows rs = {0};
        tix_reader *r;
        cr_assert_eq(tix_reader_new(&r, &o, collect, &rs), TIX_OK);
        const char in[] = "a,b,c\n1,2\n\nw,x,y,z\nafter\n";
        feed_result res = feed_chunks(r, in, sizeof in - 1, chunk, 0, 0);
        cr_assert_eq(res.feed, TIX_E_LIMIT, "chunk policy %zu", chunk);
        cr_assert_eq(tix_reader_line(r), 4);
        cr_assert_eq(rs.n, 2);
        ROW(&rs, 0, 1, "a,b,c", "a", "b", "c");
        ROW(&rs, 1, 2, "1,2", "1", "2");
        tix_reader_free(r);
        rows_free(&rs);
    }
}

Test(reader, max_fields_limit_at_finish)
{
    tix_reader_opts o = {0, 2, 0};
    rows rs = {0};
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, &o, collect, &rs), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "a,b\nc,d,e", 9), TIX_OK);
    cr_assert_eq(tix_reader_finish(r), TIX_E_LIMIT);
    cr_assert_eq(rs.n, 1);
    tix_reader_free(r);
    rows_free(&rs);
}

Test(reader, finish_resets_for_next_input)
{
    rows rs = {0};
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, NULL, collect, &rs), TIX_OK);
    /* First input ends inside a quoted field. */
    cr_assert_eq(tix_reader_feed(r, "h\n\nx,\"open", 10), TIX_OK);
    cr_assert_eq(tix_reader_finish(r), TIX_OK);
    cr_assert_eq(rs.n, 2);
    cr_assert_eq(rs.v[1].line, 3);
    cr_assert_eq(rs.v[1].flags, TIX_ROW_UNTERMINATED_QUOTE);
    cr_assert_eq(tix_reader_lines(r), 0);
    cr_assert_eq(tix_reader_line(r), 1);

    /* The second input starts clean at line 1. */
    cr_assert_eq(tix_reader_feed(r, "p,q\nr,\"s\"\n", 10), TIX_OK);
    cr_assert_eq(tix_reader_finish(r), TIX_OK);
    cr_assert_eq(rs.n, 4);
    ROW(&rs, 2, 1, "p,q", "p", "q");
    cr_assert_eq(rs.v[2].flags, 0);
    ROW(&rs, 3, 2, "r,\"s\"", "r", "s");

    /* And a third with a half-line left over from nothing. */
    cr_assert_eq(tix_reader_feed(r, "tail", 4), TIX_OK);
    cr_assert_eq(tix_reader_finish(r), TIX_OK);
    cr_assert_eq(tix_reader_finish(r), TIX_OK); /* nothing more */
    cr_assert_eq(rs.n, 5);
    ROW(&rs, 4, 1, "tail", "tail");
    tix_reader_free(r);
    rows_free(&rs);
}

Test(reader, finish_after_limit_resets)
{
    tix_reader_opts o = {8, 0, 0};
    rows rs = {0};
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, &o, collect, &rs), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "0123456789abcdef\n", 17), TIX_E_LIMIT);
    cr_assert_eq(tix_reader_feed(r, "a\n", 2), TIX_E_LIMIT);
    cr_assert_eq(tix_reader_finish(r), TIX_E_LIMIT);
    cr_assert_eq(tix_reader_feed(r, "a\n", 2), TIX_OK);
    cr_assert_eq(tix_reader_finish(r), TIX_OK);
    cr_assert_eq(rs.n, 1);
    ROW(&rs, 0, 1, "a", "a");
    tix_reader_free(r);
    rows_free(&rs);
}

Test(reader, empty_input_and_empty_feeds)
{
    rows rs = {0};
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, NULL, collect, &rs), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "", 0), TIX_OK);
    cr_assert_eq(tix_reader_finish(r), TIX_OK);
    cr_assert_eq(rs.n, 0);
    cr_assert_eq(tix_reader_feed(r, "a", 1), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "", 0), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "\n", 1), TIX_OK);
    cr_assert_eq(tix_reader_finish(r), TIX_OK);
    cr_assert_eq(rs.n, 1);
    ROW(&rs, 0, 1, "a", "a");
    tix_reader_free(r);
    rows_free(&rs);
}

Test(reader, free_accepts_null) { tix_reader_free(NULL); }

Test(reader, raw_drops_only_its_terminator)
{
    rows rs;
    /* The first CR ends the record; the CRLF after it is a blank line. */
    PARSE_STR("a,b\r\r\n", &rs);
    cr_assert_eq(rs.n, 1);
    ROW(&rs, 0, 1, "a,b", "a", "b");
    rows_free(&rs);

    /* A CR that is data stays in raw. */
    PARSE_STR("a,\"b\r\"\r\n", &rs);
    cr_assert_eq(rs.n, 1);
    ROW(&rs, 0, 1, "a,\"b\r\"", "a", "b\r");
    rows_free(&rs);

    PARSE_STR("x,\"a\n\n", &rs);
    cr_assert_eq(rs.n, 1);
    cr_assert_eq(rs.v[0].flags, TIX_ROW_UNTERMINATED_QUOTE);
    ROW(&rs, 0, 1, "x,\"a\n", "x", "a\n\n");
    rows_free(&rs);
}

/* ---- differential: the reader's records are plain libcsv's -------------- */

typedef struct plain {
    rows rs;    /* records as plain libcsv reports them */
    rec cur;    /* the record being built */
    size_t cap; /* of cur.fields / cur.lens */
} plain;

static void plain_field(void *p, size_t n, void *ctx)
{
    plain *pl = ctx;
    if (pl->cur.nfields == pl->cap) {
        pl->cap = pl->cap ? pl->cap * 2 : 16;
        pl->cur.fields = realloc(pl->cur.fields, pl->cap * sizeof *pl->cur.fields);
        pl->cur.lens = realloc(pl->cur.lens, pl->cap * sizeof *pl->cur.lens);
        cr_assert(pl->cur.fields && pl->cur.lens);
    }
    pl->cur.fields[pl->cur.nfields] = tt_dup(p ? p : "", p ? n : 0);
    pl->cur.lens[pl->cur.nfields++] = p ? n : 0;
}

static void plain_row(int term, void *ctx)
{
    plain *pl = ctx;
    (void)term;
    if (pl->rs.n == pl->rs.cap) {
        pl->rs.cap = pl->rs.cap ? pl->rs.cap * 2 : 64;
        pl->rs.v = realloc(pl->rs.v, pl->rs.cap * sizeof *pl->rs.v);
        cr_assert_not_null(pl->rs.v);
    }
    pl->rs.v[pl->rs.n++] = pl->cur;
    memset(&pl->cur, 0, sizeof pl->cur);
    pl->cap = 0;
}

/* Plain libcsv, default options, the whole input in one call. */
static void parse_plain(const char *in, size_t len, rows *out)
{
    struct csv_parser p;
    plain pl;
    memset(&pl, 0, sizeof pl);
    cr_assert_eq(csv_init(&p, 0), 0);
    cr_assert_eq(csv_parse(&p, in, len, plain_field, plain_row, &pl), len);
    csv_fini(&p, plain_field, plain_row, &pl);
    csv_free(&p);
    *out = pl.rs;
}

static void assert_same_fields(const rows *a, const rows *b, const char *what)
{
    cr_assert_eq(a->n, b->n, "%s: %zu records vs %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        cr_assert_eq(a->v[i].nfields, b->v[i].nfields, "%s: record %zu", what, i);
        for (size_t k = 0; k < a->v[i].nfields; k++) {
            cr_assert_eq(a->v[i].lens[k], b->v[i].lens[k], "%s: record %zu field %zu", what, i, k);
            cr_assert_eq(memcmp(a->v[i].fields[k], b->v[i].fields[k], a->v[i].lens[k]), 0,
                         "%s: record %zu field %zu", what, i, k);
        }
    }
}

Test(reader, records_equal_plain_libcsv_on_generated_dirty_dumps)
{
    /* Generated dumps carry quoted notes with commas, quotes and newlines and
     * every kind of broken row; CR variants of them exercise CRLF and lone CR. */
    size_t len;
    char *text = dirty_dump(4000, 77, &len);
    char *crlf = malloc(2 * len + 1), *cr = malloc(len + 1);
    size_t ncrlf = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n' && i % 3 == 0)
            crlf[ncrlf++] = '\r';
        crlf[ncrlf++] = text[i];
        cr[i] = text[i] == '\n' ? '\r' : text[i];
    }
    const char *inputs[] = {text, crlf, cr};
    const size_t lens[] = {len, ncrlf, len};
    for (size_t t = 0; t < 3; t++) {
        rows want, got;
        parse_plain(inputs[t], lens[t], &want);
        cr_assert_gt(want.n, (size_t)4000);
        for (uint64_t seed = 1; seed <= 3; seed++) {
            tix_reader *r;
            memset(&got, 0, sizeof got);
            cr_assert_eq(tix_reader_new(&r, NULL, collect, &got), TIX_OK);
            feed_result res = feed_chunks(r, inputs[t], lens[t], CHUNK_RANDOM, seed * 31 + t, 700);
            cr_assert_eq(res.finish, TIX_OK);
            tix_reader_free(r);
            assert_same_fields(&got, &want, t == 0 ? "LF" : t == 1 ? "mixed CRLF" : "CR");
            rows_free(&got);
        }
        rows_free(&want);
    }
    free(text);
    free(crlf);
    free(cr);
}

/* ---- records longer than a chunk (spilled, see reader.c) ----------------- */

/* A record of about n bytes of kind k, ending in term. */
static size_t long_record(char *out, size_t cap, int kind, size_t n, const char *term)
{
    size_t len = 0;
#define PUT(...) len += (size_t)snprintf(out + len, cap - len, __VA_ARGS__)
    switch (kind) {
    case 0: /* one long quoted field */
        PUT("L0,\"");
        for (size_t i = 0; i < n; i++)
            out[len++] = (char)('a' + i % 26);
        PUT("\",x");
        break;
    case 1: /* doubled quotes in two fields, newlines inside */
        PUT("\"L1 \"\"a\"\"\",\"");
        for (size_t i = 0; i < n; i++)
            out[len++] = i % 97 == 0 ? '\n' : i % 61 == 0 ? '"' : 'q';
        if (out[len - 1] == '"' && n % 61 == 1)
            out[len++] = 'q';
        PUT("\" , last");
        break;
    case 2: /* many unquoted fields, blanks around them */
        PUT("L2");
        for (size_t i = 0; len < n; i++)
            PUT(", f%zu\t", i);
        break;
    case 3: /* long, then something after the closing quote: libcsv's */
        PUT("L3,\"");
        for (size_t i = 0; i < n; i++)
            out[len++] = 'z';
        PUT("\"junk,y");
        break;
    case 4: /* a CR inside quotes, late */
        PUT("L4,\"");
        for (size_t i = 0; i < n; i++)
            out[len++] = 'c';
        PUT("\r\n\",y");
        break;
    case 5: /* a quote inside an unquoted field, late */
        for (size_t i = 0; i < n; i++)
            out[len++] = 'u';
        PUT("u\"v,w");
        break;
    default: /* a long unquoted field ended by a lone CR */
        for (size_t i = 0; i < n; i++)
            out[len++] = 'r';
        PUT(",\rnext,line");
        break;
    }
    PUT("%s", term);
#undef PUT
    out[len] = '\0';
    return len;
}

/* Every kind of long record, with LF, CRLF and no line end, between short
 * ones and blank lines. */
static char *long_records_input(size_t n, size_t *len_out)
{
    size_t cap = 64 * (n + 4096), len = 0;
    char *in = malloc(cap);
    cr_assert_not_null(in);
    const char *terms[] = {"\n", "\r\n", "\n\n  \n"};
    len += (size_t)snprintf(in, cap, "h1,h2,h3\n");
    for (int kind = 0; kind <= 6; kind++)
        for (int t = 0; t < 3; t++) {
            len += long_record(in + len, cap - len, kind, n + (size_t)(kind * 7 + t), terms[t]);
            len += (size_t)snprintf(in + len, cap - len, "s%d,%d,short\n", kind, t);
        }
    len += long_record(in + len, cap - len, 1, n, ""); /* the last, without its end */
    *len_out = len;
    return in;
}

Test(reader, long_records_across_chunks_equal_whole_and_plain_libcsv)
{
    size_t sizes[] = {300, 5000, 70000};
    for (size_t si = 0; si < 3; si++) {
        size_t len;
        char *in = long_records_input(sizes[si], &len);
        rows whole, plainrs, other;
        parse(in, len, &whole);
        parse_plain(in, len, &plainrs);
        assert_same_fields(&whole, &plainrs, "whole vs plain libcsv");
        size_t fixed[] = {1, 7, 1000, 4096, 65536};
        for (size_t f = 0; f < 5; f++) {
            if (sizes[si] > 5000 && fixed[f] < 1000)
                continue; /* byte by byte over 70 KB records: slow, same paths */
            parse_policy(in, fixed[f], 0, 0, &other);
            char what[64];
            snprintf(what, sizeof what, "records of %zu in chunks of %zu", sizes[si], fixed[f]);
            assert_same_rows(&whole, &other, what);
            rows_free(&other);
        }
        for (uint64_t seed = 1; seed <= 6; seed++) {
            parse_policy(in, CHUNK_RANDOM, seed, seed % 2 ? 50 : 9000, &other);
            assert_same_rows(&whole, &other, "random chunks");
            rows_free(&other);
        }
        rows_free(&whole);
        rows_free(&plainrs);
        free(in);
    }
}

/* The outcome of one limited parse. */
typedef struct limited {
    tix_status feed; /* the first failed feed's, or TIX_OK: when it came matters */
    tix_status st;
    uint64_t line, lines;
    tix_reader_limit hit;
    rows rs;
} limited;

static void parse_limited(const char *in, size_t len, const tix_reader_opts *o, size_t policy,
                          uint64_t seed, limited *out)
{
    tix_reader *r;
    memset(out, 0, sizeof *out);
    cr_assert_eq(tix_reader_new(&r, o, collect, &out->rs), TIX_OK);
    feed_result res = feed_chunks(r, in, len, policy, seed, 3000);
    out->feed = res.feed;
    out->st = res.finish;
    out->line = tix_reader_line(r);
    out->hit = tix_reader_limit_hit(r);
    tix_reader_free(r);
}

Test(reader, long_records_hit_the_same_limits_in_any_chunks)
{
    /* Records spilled across chunks, then over max_record_bytes, over
     * max_fields, over both: the limit, its line and the rows before it
     * are those of the whole input fed at once. */
    size_t len;
    char *in = long_records_input(6000, &len);
    tix_reader_opts opts[] = {{5000, 0, 0}, {6100, 0, 0}, {0, 40, 0}, {6000, 300, 0}, {7000, 2, 0}};
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        limited whole, other;
        parse_limited(in, len, &opts[k], CHUNK_WHOLE, 0, &whole);
        cr_assert_eq(whole.st, TIX_E_LIMIT, "options %zu", k);
        for (uint64_t seed = 0; seed <= 8; seed++) {
            parse_limited(in, len, &opts[k], seed ? CHUNK_RANDOM : 1000, seed, &other);
            cr_assert_eq(other.st, whole.st, "options %zu seed %llu", k, (unsigned long long)seed);
            cr_assert_eq(other.feed, whole.feed, "options %zu seed %llu", k,
                         (unsigned long long)seed);
            cr_assert_eq(other.hit, whole.hit, "options %zu seed %llu", k,
                         (unsigned long long)seed);
            cr_assert_eq(other.line, whole.line, "options %zu seed %llu", k,
                         (unsigned long long)seed);
            assert_same_rows(&whole.rs, &other.rs, "rows before the limit");
            rows_free(&other.rs);
        }
        rows_free(&whole.rs);
    }
    free(in);
}

Test(reader, lines_counted_while_a_long_record_waits)
{
    /* tix_reader_lines counts what was consumed, inside a record too. */
    rows rs = {0};
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, NULL, collect, &rs), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "a\n\"b\nc\nd", 8), TIX_OK);
    cr_assert_eq(tix_reader_lines(r), 3);
    cr_assert_eq(tix_reader_line(r), 2);
    cr_assert_eq(tix_reader_feed(r, "\ne\"\nf\n", 6), TIX_OK);
    cr_assert_eq(tix_reader_lines(r), 6);
    cr_assert_eq(tix_reader_finish(r), TIX_OK);
    cr_assert_eq(rs.n, 3);
    ROW(&rs, 1, 2, "\"b\nc\nd\ne\"", "b\nc\nd\ne");
    ROW(&rs, 2, 6, "f", "f");
    tix_reader_free(r);
    rows_free(&rs);
}

Test(reader, a_long_record_ends_and_fails_in_the_feed_that_ends_it)
{
    /* A record waiting across feeds is delivered by the feed that brings
     * its end (a lone CR ends it at once, as in libcsv), and one over the
     * limit fails the feed that brings the byte too many. */
    tix_reader_opts o = {10, 0, 0};
    rows rs = {0};
    tix_reader *r;
    cr_assert_eq(tix_reader_new(&r, &o, collect, &rs), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "h\nabcd", 6), TIX_OK);
    cr_assert_eq(rs.n, 1);
    cr_assert_eq(tix_reader_feed(r, "efghij\r", 7), TIX_OK);
    cr_assert_eq(rs.n, 2, "the CR ends the record now");
    ROW(&rs, 1, 2, "abcdefghij", "abcdefghij");
    cr_assert_eq(tix_reader_feed(r, "\n0123", 5), TIX_OK);
    cr_assert_eq(tix_reader_feed(r, "456789", 6), TIX_OK, "10 bytes: within the limit");
    cr_assert_eq(tix_reader_feed(r, "x", 1), TIX_E_LIMIT, "11 bytes");
    cr_assert_eq(tix_reader_line(r), 3);
    tix_reader_free(r);
    rows_free(&rs);
}

/* ---- the delimiter (tix_reader_opts.delimiter) ----------------------------- */

/* A copy of in[0, len) with every ',' and d swapped: the same records, with
 * the same fields but for that swap, under the delimiter d. */
static char *swap_delimiter(const char *in, size_t len, char d)
{
    char *out = malloc(len + 1);
    cr_assert_not_null(out);
    for (size_t i = 0; i < len; i++)
        out[i] = in[i] == ',' ? d : in[i] == d ? ',' : in[i];
    out[len] = '\0';
    return out;
}

/* Swaps ',' and d back in every field and raw text of rs. */
static void swap_rows(rows *rs, char d)
{
    for (size_t i = 0; i < rs->n; i++) {
        rec *r = &rs->v[i];
        for (size_t k = 0; k < r->nfields; k++)
            for (size_t c = 0; c < r->lens[k]; c++)
                r->fields[k][c] = r->fields[k][c] == d     ? ','
                                  : r->fields[k][c] == ',' ? d
                                                           : r->fields[k][c];
        for (size_t c = 0; c < r->raw_len; c++)
            r->raw[c] = r->raw[c] == d ? ',' : r->raw[c] == ',' ? d : r->raw[c];
    }
}

static void parse_delim(const char *in, size_t len, char d, size_t policy, uint64_t seed,
                        size_t max_random, rows *out)
{
    tix_reader *r;
    tix_reader_opts o;
    tix_reader_opts_init(&o);
    o.delimiter = d;
    memset(out, 0, sizeof *out);
    cr_assert_eq(tix_reader_new(&r, &o, collect, out), TIX_OK);
    cr_assert_eq(tix_reader_limits(r)->delimiter, d);
    feed_result res = feed_chunks(r, in, len, policy, seed, max_random);
    cr_assert_eq(res.feed, TIX_OK);
    cr_assert_eq(res.finish, TIX_OK);
    tix_reader_free(r);
}

/* Plain libcsv with delimiter d, the whole input in one call. */
static void parse_plain_delim(const char *in, size_t len, char d, rows *out)
{
    struct csv_parser p;
    plain pl;
    memset(&pl, 0, sizeof pl);
    cr_assert_eq(csv_init(&p, 0), 0);
    csv_set_delim(&p, (unsigned char)d);
    cr_assert_eq(csv_parse(&p, in, len, plain_field, plain_row, &pl), len);
    csv_fini(&p, plain_field, plain_row, &pl);
    csv_free(&p);
    *out = pl.rs;
}

Test(reader, delimiter_defaults_to_comma_and_refuses_others)
{
    tix_reader_opts o;
    tix_reader_opts_init(&o);
    cr_assert_eq(o.delimiter, ',');
    const char bad[] = {'"', '\n', '\r', ' ', 'a', '0', '|'};
    for (size_t i = 0; i < sizeof bad; i++) {
        tix_reader *r = (tix_reader *)&o; /* must become NULL */
        o.delimiter = bad[i];
        cr_assert_eq(tix_reader_new(&r, &o, collect, NULL), TIX_E_INVALID, "delimiter 0x%02x",
                     (unsigned)bad[i]);
        cr_assert_null(r);
    }
}

Test(reader, semicolon_and_tab_fields_quotes_and_blanks)
{
    const char semi[] = "a;\"b;c\";\"d\"\"e\"\r\n x ; y ;\"\"\na,b;c\n";
    rows rs;
    parse_delim(semi, sizeof semi - 1, ';', CHUNK_WHOLE, 0, 0, &rs);
    cr_assert_eq(rs.n, 3);
    ROW(&rs, 0, 1, "a;\"b;c\";\"d\"\"e\"", "a", "b;c", "d\"e");
    ROW(&rs, 1, 2, " x ; y ;\"\"", "x", "y", "");
    ROW(&rs, 2, 3, "a,b;c", "a,b", "c");
    rows_free(&rs);
    /* A tab delimiter is no blank: spaces alone are trimmed. */
    const char tab[] = "a\t\"b\tc\" \t \"d\"\"e\"\r\n x \t\t y \na,b\tc\n\t\n";
    parse_delim(tab, sizeof tab - 1, '\t', CHUNK_WHOLE, 0, 0, &rs);
    cr_assert_eq(rs.n, 4);
    ROW(&rs, 0, 1, "a\t\"b\tc\" \t \"d\"\"e\"", "a", "b\tc", "d\"e");
    ROW(&rs, 1, 2, " x \t\t y ", "x", "", "y");
    ROW(&rs, 2, 3, "a,b\tc", "a,b", "c");
    ROW(&rs, 3, 4, "\t", "", "");
    rows_free(&rs);
}

/* The invariance inputs (tabs made spaces, so that a tab delimiter finds
 * the same blanks) with ',' and the delimiter swapped give the comma rows,
 * swapped, in any chunks: quoted delimiters, doubled quotes, CRLF and
 * lone CR, line ends inside quotes. */
Test(reader, delimiter_variants_give_the_comma_rows_in_any_chunks)
{
    const char delims[] = {';', '\t'};
    size_t ninputs = sizeof invariance_inputs / sizeof invariance_inputs[0];
    for (size_t i = 0; i < ninputs; i++) {
        size_t len = strlen(invariance_inputs[i]);
        char *base = tt_dup(invariance_inputs[i], len);
        for (size_t c = 0; c < len; c++)
            if (base[c] == '\t')
                base[c] = ' ';
        rows want;
        parse_policy(base, CHUNK_WHOLE, 0, 0, &want);
        for (size_t di = 0; di < 2; di++) {
            char d = delims[di], what[64];
            char *in = swap_delimiter(base, len, d);
            rows got;
            size_t policies[] = {CHUNK_WHOLE, 1, 2, 3, 5, 8};
            for (size_t p = 0; p < sizeof policies / sizeof policies[0]; p++) {
                parse_delim(in, len, d, policies[p], 0, 0, &got);
                swap_rows(&got, d);
                snprintf(what, sizeof what, "input %zu delimiter 0x%02x chunks %zu", i, (unsigned)d,
                         policies[p]);
                assert_same_rows(&want, &got, what);
                rows_free(&got);
            }
            for (uint64_t seed = 1; seed <= 20; seed++) {
                parse_delim(in, len, d, CHUNK_RANDOM, seed * 0x9e3779b97f4a7c15ull,
                            seed % 2 ? 5 : 23, &got);
                swap_rows(&got, d);
                snprintf(what, sizeof what, "input %zu delimiter 0x%02x seed %llu", i, (unsigned)d,
                         (unsigned long long)seed);
                assert_same_rows(&want, &got, what);
                rows_free(&got);
            }
            free(in);
        }
        rows_free(&want);
        free(base);
    }
}

/* Generated dirty dumps and long (spilled) records with their commas and
 * the delimiter swapped: the fast path and the spill scan against plain
 * libcsv under the same delimiter, in random chunks. */
Test(reader, delimiter_records_equal_plain_libcsv_on_dirty_dumps_and_long_records)
{
    size_t len;
    char *text = dirty_dump(3000, 78, &len);
    size_t long_len;
    char *longs = long_records_input(5000, &long_len);
    const char *inputs[] = {text, longs};
    const size_t lens[] = {len, long_len};
    const char delims[] = {';', '\t'};
    for (size_t t = 0; t < 2; t++)
        for (size_t di = 0; di < 2; di++) {
            char *in = swap_delimiter(inputs[t], lens[t], delims[di]);
            rows want, got;
            parse_plain_delim(in, lens[t], delims[di], &want);
            cr_assert_gt(want.n, (size_t)(t == 0 ? 3000 : 2));
            for (uint64_t seed = 1; seed <= 3; seed++) {
                parse_delim(in, lens[t], delims[di], CHUNK_RANDOM, seed * 17 + t,
                            t == 0 ? 700 : 9000, &got);
                assert_same_fields(&got, &want, t == 0 ? "dirty dump" : "long records");
                rows_free(&got);
            }
            rows_free(&want);
            free(in);
        }
    free(text);
    free(longs);
}

/* ---- every CPU path gives the same records (reader_internal.h) ----------- */

static const tix_simd paths[] = {TIX_SIMD_SCALAR, TIX_SIMD_SSE2, TIX_SIMD_AVX2, TIX_SIMD_AVX512};
#define NPATHS (sizeof paths / sizeof paths[0])

/* in read with options o on the path `want` (the widest this CPU has below
 * it) in chunks per policy, the fields of `unread` never read
 * (tix_reader_unread_fields); the feed and finish statuses in *res. */
static void parse_opts(const char *in, size_t len, const tix_reader_opts *o, tix_simd want,
                       size_t policy, uint64_t seed, uint64_t unread, rows *out, feed_result *res)
{
    tix_reader *r;
    memset(out, 0, sizeof *out);
    cr_assert_eq(tix_reader_new(&r, o, collect, out), TIX_OK);
    cr_assert_leq(tix_reader_set_simd(r, want), want);
    tix_reader_unread_fields(r, unread);
    *res = feed_chunks(r, in, len, policy, seed, 97);
    tix_reader_free(r);
}

/* The same, with the default options but the delimiter d. */
static void parse_unread(const char *in, size_t len, char d, tix_simd want, size_t policy,
                         uint64_t seed, uint64_t unread, rows *out, feed_result *res)
{
    tix_reader_opts o;
    tix_reader_opts_init(&o);
    o.delimiter = d;
    parse_opts(in, len, &o, want, policy, seed, unread, out, res);
}

static void parse_path(const char *in, size_t len, char d, tix_simd want, size_t policy,
                       uint64_t seed, rows *out, feed_result *res)
{
    parse_unread(in, len, d, want, policy, seed, 0, out, res);
}

static void put_word(char *out, size_t *len, uint64_t *s, const char *alphabet)
{
    size_t n = tt_rng_next(s) % 9, k = strlen(alphabet);
    for (size_t i = 0; i < n; i++)
        out[(*len)++] = alphabet[tt_rng_next(s) % k];
}

/* Records made to be read by the fast path, fields of every kind at every
 * offset of a 64-byte block (quoted ones with delimiters, "" and line ends
 * inside, blanks around), and now and then one that is libcsv's (a quote
 * inside a field, text after a closing quote, a CR inside quotes, a lone
 * CR). */
static size_t csv_like(char *out, uint64_t *s, size_t records, char d)
{
    size_t len = 0;
    for (size_t i = 0; i < records; i++) {
        size_t nf = 1 + tt_rng_next(s) % 8;
        for (size_t f = 0; f < nf; f++) {
            if (f)
                out[len++] = d;
            unsigned kind = (unsigned)(tt_rng_next(s) % 100);
            if (kind < 10 || (kind >= 40 && kind < 45))
                out[len++] = kind < 5 ? ' ' : '\t';
            if (kind < 40) {
                put_word(out, &len, s, "abcxyz0123456789.-");
            } else if (kind < 90) {
                out[len++] = '"';
                size_t parts = tt_rng_next(s) % 5;
                for (size_t k = 0; k < parts; k++) {
                    put_word(out, &len, s, "abc ,;\t");
                    unsigned what = (unsigned)(tt_rng_next(s) % 4);
                    if (what == 0) {
                        out[len++] = '"';
                        out[len++] = '"';
                    } else if (what == 1) {
                        out[len++] = '\n';
                    } else if (what == 2) {
                        out[len++] = d;
                    }
                }
                out[len++] = '"';
                if (kind >= 80)
                    out[len++] = kind < 85 ? ' ' : '\t';
            } else if (kind < 94) {
                put_word(out, &len, s, "ab");
                out[len++] = '"'; /* inside an unquoted field */
                put_word(out, &len, s, "ab");
            } else if (kind < 97) {
                out[len++] = '"';
                put_word(out, &len, s, "ab");
                out[len++] = '"';
                out[len++] = 'x'; /* after the closing quote */
            } else if (kind < 99) {
                out[len++] = '"';
                out[len++] = '\r'; /* inside quotes */
                out[len++] = '"';
            } else {
                out[len++] = '\r'; /* a lone CR */
            }
        }
        unsigned term = (unsigned)(tt_rng_next(s) % 10);
        if (term < 6) {
            out[len++] = '\n';
        } else if (term < 9) {
            out[len++] = '\r';
            out[len++] = '\n';
        } else {
            out[len++] = '\n';
            out[len++] = '\n'; /* and a blank line */
        }
    }
    return len;
}

/* Any bytes of the CSV alphabet: mostly libcsv's records. */
static size_t csv_noise(char *out, uint64_t *s, size_t n)
{
    static const char alphabet[] = "aaaabbb,,,;;\t\t  \"\"\"\n\n\r";
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[tt_rng_next(s) % (sizeof alphabet - 1)];
    return n;
}

/* The scalar path is the reference: every other path must give the same
 * rows (fields, lines, raw bytes, flags) and statuses, whole and in random
 * chunks, and the fields must be plain libcsv's. */
static void assert_paths_agree(const char *in, size_t len, char d, uint64_t seed)
{
    rows want, plainrs, got;
    feed_result wres, res;
    parse_path(in, len, d, TIX_SIMD_SCALAR, CHUNK_WHOLE, 0, &want, &wres);
    parse_plain_delim(in, len, d, &plainrs);
    if (wres.finish == TIX_OK)
        assert_same_fields(&want, &plainrs, "scalar path vs plain libcsv");
    for (size_t i = 0; i < NPATHS; i++)
        for (int chunked = 0; chunked < 2; chunked++) {
            parse_path(in, len, d, paths[i], chunked ? CHUNK_RANDOM : CHUNK_WHOLE, seed, &got,
                       &res);
            char what[80];
            snprintf(what, sizeof what, "path %s, %s, seed %llu", tix_simd_name(paths[i]),
                     chunked ? "random chunks" : "whole", (unsigned long long)seed);
            cr_assert_eq(res.feed, wres.feed, "%s: feed status", what);
            cr_assert_eq(res.finish, wres.finish, "%s: finish status", what);
            assert_same_rows(&got, &want, what);
            rows_free(&got);
        }
    rows_free(&want);
    rows_free(&plainrs);
}

Test(reader, every_cpu_path_gives_the_records_of_the_scalar_one_and_libcsv)
{
    for (size_t i = 0; i < NPATHS; i++) {
        tix_split_fn fn;
        tix_simd got = tix_simd_pick(paths[i], &fn);
        cr_log_info("path %s runs as %s here", tix_simd_name(paths[i]), tix_simd_name(got));
        cr_assert_leq(got, paths[i]);
    }
    size_t cap = 1 << 16;
    char *in = malloc(cap);
    cr_assert_not_null(in);
    const char delims[] = {',', ';', '\t'};
    uint64_t s = 12345;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        char d = delims[seed % 3];
        size_t len = csv_like(in, &s, 1 + seed % 40, d);
        cr_assert_lt(len, cap);
        assert_paths_agree(in, len, d, seed);
        len = csv_noise(in, &s, 1 + (size_t)(tt_rng_next(&s) % 700));
        assert_paths_agree(in, len, d, seed);
    }
    free(in);
}

Test(reader, every_cpu_path_on_generated_dirty_dumps_and_long_records)
{
    size_t len;
    char *text = dirty_dump(3000, 79, &len);
    assert_paths_agree(text, len, ',', 1);
    free(text);
    size_t long_len;
    char *longs = long_records_input(5000, &long_len);
    assert_paths_agree(longs, long_len, ',', 2);
    free(longs);
}

/* Records of at most 38 bytes (and their CRLF or LF): up to three fields,
 * each empty, a word with blanks, or quoted with a delimiter, a "" or a
 * line end inside. */
static size_t short_records(char *out, uint64_t *s, size_t records)
{
    size_t len = 0;
    for (size_t i = 0; i < records; i++) {
        size_t nf = 1 + tt_rng_next(s) % 3;
        for (size_t f = 0; f < nf; f++) {
            if (f)
                out[len++] = ',';
            unsigned kind = (unsigned)(tt_rng_next(s) % 4);
            if (kind == 0)
                continue;
            if (kind == 1) {
                put_word(out, &len, s, "ab ");
                continue;
            }
            out[len++] = '"';
            put_word(out, &len, s, "cd");
            memcpy(out + len, kind == 2 ? "\"\"" : tt_rng_next(s) % 2 ? ",x" : "\ny", 2);
            len += 2;
            out[len++] = '"';
        }
        if (tt_rng_next(s) % 4 == 0)
            out[len++] = '\r';
        out[len++] = '\n';
    }
    return len;
}

/* parse_opts with the default options but max_record_bytes (0: the
 * default), every field read. */
static void parse_max(const char *in, size_t len, tix_simd want, size_t max, size_t policy,
                      uint64_t seed, rows *out, feed_result *res)
{
    tix_reader_opts o;
    tix_reader_opts_init(&o);
    if (max)
        o.max_record_bytes = max;
    parse_opts(in, len, &o, want, policy, seed, 0, out, res);
}

/* A record's walk stops at its start plus max_record_bytes and a CRLF,
 * which a small limit puts inside the block where the next record starts:
 * that record must see the block whole, not the masks cut for the one
 * before (reader_simd.c). Its rows are those of the same path with no
 * limit in reach, on every path, whole and in random chunks. */
Test(reader, a_record_after_one_cut_at_its_limit_reads_its_whole_block)
{
    size_t cap = 1 << 16;
    char *in = malloc(cap);
    cr_assert_not_null(in);
    uint64_t s = 4242;
    size_t rows_read = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        size_t len = short_records(in, &s, 600);
        cr_assert_lt(len, cap);
        for (size_t i = 0; i < NPATHS; i++)
            for (int chunked = 0; chunked < 2; chunked++) {
                size_t policy = chunked ? CHUNK_RANDOM : CHUNK_WHOLE;
                rows want, got;
                feed_result wres, res;
                parse_max(in, len, paths[i], 0, policy, seed, &want, &wres);
                parse_max(in, len, paths[i], 38, policy, seed, &got, &res);
                char what[80];
                snprintf(what, sizeof what, "path %s, %s, seed %llu", tix_simd_name(paths[i]),
                         chunked ? "random chunks" : "whole", (unsigned long long)seed);
                cr_assert_eq(wres.finish, TIX_OK, "%s", what);
                cr_assert_eq(res.finish, TIX_OK, "%s", what);
                assert_same_rows(&got, &want, what);
                rows_read += got.n;
                rows_free(&want);
                rows_free(&got);
            }
    }
    cr_assert_gt(rows_read, 40 * 8 * 500);
    free(in);
}

/* TECHIDX_SIMD names the widest path allowed (read once, at the first
 * reader; each test runs in a process of its own). */
Test(reader, techidx_simd_environment_variable_chooses_the_path)
{
    cr_assert_eq(setenv("TECHIDX_SIMD", "scalar", 1), 0);
    cr_assert_eq(tix_simd_default(), TIX_SIMD_SCALAR);
    tix_split_fn fn;
    cr_assert_eq(tix_simd_pick(TIX_SIMD_SCALAR, &fn), TIX_SIMD_SCALAR);
#if defined(__x86_64__)
    cr_assert_geq(tix_simd_pick(TIX_SIMD_AUTO, &fn), TIX_SIMD_SSE2);
    cr_assert_eq(tix_simd_pick(TIX_SIMD_SSE2, &fn), TIX_SIMD_SSE2);
#endif
    cr_assert_str_eq(tix_simd_name(TIX_SIMD_AVX2), "avx2");
}

/* ---- fields the callback never reads (tix_reader_unread_fields) ---------- */

/* s with each "" made one ", as a quoted field's content is unescaped. */
static size_t undoubled(const char *s, size_t n, char *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        out[m++] = s[i];
        if (s[i] == '"' && i + 1 < n && s[i + 1] == '"')
            i++;
    }
    return m;
}

Test(reader, an_unread_field_keeps_its_doubled_quotes_on_every_path)
{
    const char *in = "id,\"a\"\"b\",\"c\"\"d\",x\n\"e\"\"f\",g,\"h\"\"i\",\"y\"\n";
    for (size_t i = 0; i < NPATHS; i++) {
        rows got;
        feed_result res;
        parse_unread(in, strlen(in), ',', paths[i], CHUNK_WHOLE, 0, (uint64_t)1 << 2, &got, &res);
        cr_assert_eq(res.finish, TIX_OK);
        cr_assert_eq(got.n, 2);
        cr_assert_str_eq(got.v[0].fields[1], "a\"b", "%s", tix_simd_name(paths[i]));
        cr_assert_str_eq(got.v[0].fields[2], "c\"\"d", "%s", tix_simd_name(paths[i]));
        cr_assert_str_eq(got.v[0].fields[3], "x");
        cr_assert_str_eq(got.v[1].fields[0], "e\"f");
        cr_assert_str_eq(got.v[1].fields[2], "h\"\"i");
        cr_assert_str_eq(got.v[1].fields[3], "y");
        cr_assert_eq(got.v[1].line, 2);
        rows_free(&got);
        /* Every field read: all unescaped. */
        parse_unread(in, strlen(in), ',', paths[i], CHUNK_WHOLE, 0, 0, &got, &res);
        cr_assert_str_eq(got.v[0].fields[2], "c\"d");
        cr_assert_str_eq(got.v[1].fields[2], "h\"i");
        rows_free(&got);
    }
}

/* On the generated records of every kind, in whole and random chunks on
 * every path: the same records, lines, raw bytes and flags as when every
 * field is read, and each field the same, but for an unread one that may
 * keep its "" (the fast path's; libcsv's records are unescaped). */
Test(reader, unread_fields_change_nothing_but_their_doubled_quotes)
{
    size_t cap = 1 << 16;
    char *in = malloc(cap), *buf = malloc(cap);
    cr_assert(in && buf);
    uint64_t s = 777;
    const uint64_t unread = 0x2a; /* fields 1, 3 and 5 */
    size_t kept = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        size_t len = csv_like(in, &s, 1 + seed % 40, ',');
        rows want, got;
        feed_result wres, res;
        parse_path(in, len, ',', TIX_SIMD_SCALAR, CHUNK_WHOLE, 0, &want, &wres);
        for (size_t i = 0; i < NPATHS; i++)
            for (int chunked = 0; chunked < 2; chunked++) {
                parse_unread(in, len, ',', paths[i], chunked ? CHUNK_RANDOM : CHUNK_WHOLE, seed,
                             unread, &got, &res);
                cr_assert_eq(res.feed, wres.feed);
                cr_assert_eq(res.finish, wres.finish);
                cr_assert_eq(got.n, want.n, "seed %llu", (unsigned long long)seed);
                for (size_t r = 0; r < got.n; r++) {
                    const rec *x = &got.v[r], *y = &want.v[r];
                    cr_assert_eq(x->line, y->line);
                    cr_assert_eq(x->flags, y->flags);
                    cr_assert_eq(x->raw_len, y->raw_len);
                    cr_assert_eq(memcmp(x->raw, y->raw, x->raw_len), 0);
                    cr_assert_eq(x->nfields, y->nfields);
                    for (size_t k = 0; k < x->nfields; k++) {
                        if (x->lens[k] == y->lens[k] &&
                            memcmp(x->fields[k], y->fields[k], x->lens[k]) == 0)
                            continue;
                        cr_assert(k < 64 && (unread >> k & 1),
                                  "seed %llu row %zu: field %zu, which is read, differs",
                                  (unsigned long long)seed, r, k);
                        size_t m = undoubled(x->fields[k], x->lens[k], buf);
                        cr_assert(m == y->lens[k] && memcmp(buf, y->fields[k], m) == 0,
                                  "seed %llu row %zu field %zu: \"%s\" is not \"%s\" doubled",
                                  (unsigned long long)seed, r, k, x->fields[k], y->fields[k]);
                        kept++;
                    }
                }
                rows_free(&got);
            }
        rows_free(&want);
    }
    cr_log_info("%zu unread fields kept their \"\"", kept);
    cr_assert_gt(kept, 100, "the generated records have unread fields with \"\"");
    free(in);
    free(buf);
}
