/* Tests for .tic files (techidx/tic.h): round trips give the same bytes,
 * parts merged give the bytes of the whole, and damaged files are refused
 * whatever byte was hit. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "techidx/index.h"
#include "techidx/tic.h"

#include <zlib.h>

/* A cube of `rows` pseudo-random rows (seeded), or of the rows with
 * index % parts == part. */
static tix_cube *make_cube(int stats, int rows, int parts, int part)
{
    tix_cube *c;
    tix_cube_opts o = {TIX_PERIOD_WEEK, stats, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    uint64_t s = 77;
    for (int i = 0; i < rows; i++) {
        uint64_t r = tt_rng_next(&s);
        if (i % parts != part)
            continue;
        char cell[16];
        snprintf(cell, sizeof cell, "sector_%d", (int)(r % 7));
        int64_t cents = (int64_t)((r >> 8) % 100000000) * ((r >> 40) % 3 == 0 ? 100 : 1);
        if (r % 50 == 0)
            cents = 0;
        int32_t day = tix_days_from_civil(2024, 1, 1) + (int32_t)((r >> 20) % 200);
        cr_assert_eq(tix_cube_add(c, day, cell, strlen(cell), cents), TIX_OK);
    }
    return c;
}

static tix_tic_meta meta_of(int accepted)
{
    tix_tic_meta m;
    memset(&m, 0, sizeof m);
    strcpy(m.by, "sector");
    m.measure = TIX_MEASURE_AMOUNT;
    m.has_range = 1;
    m.from_day = tix_days_from_civil(2020, 1, 1);
    m.to_day = tix_days_from_civil(2030, 1, 1);
    m.counts.read = (uint64_t)accepted + 3;
    m.counts.accepted = (uint64_t)accepted;
    m.counts.rejected = 3;
    m.counts.by_reason[TIX_REASON_BAD_DATE] = 3;
    m.counts.inputs = 1;
    m.counts.bytes = 12345;
    static char *names[] = {"b.csv", "a.csv.gz"};
    m.names = names;
    m.nnames = 2;
    return m;
}

/* The bytes of a finalized cube's .tic file; *len gets their number. */
static char *to_bytes(tix_cube *c, const tix_tic_meta *m, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    cr_assert_not_null(f);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    cr_assert_eq(tix_tic_write(f, c, m), TIX_OK);
    cr_assert_eq(fclose(f), 0);
    return buf;
}

static tix_status from_bytes(const char *buf, size_t len, tix_cube **c, tix_tic_meta *m, char *err)
{
    FILE *f = fmemopen((void *)buf, len, "rb");
    cr_assert_not_null(f);
    tix_cube_opts o = {TIX_PERIOD_DAY, 0, 0, 0, NULL, NULL, 0, 0};
    tix_status st = tix_tic_read(f, &o, c, m, err, 200);
    fclose(f);
    return st;
}

Test(tic, round_trip_gives_the_same_bytes_and_meta)
{
    static const int kinds[] = {0,
                                TIX_CUBE_STATS,
                                TIX_CUBE_STATS_SUMS,
                                TIX_CUBE_STATS_LOGS,
                                TIX_CUBE_STATS | TIX_CUBE_STATS_LOGS,
                                TIX_CUBE_STATS_SUMS | TIX_CUBE_STATS_LOGS};
    for (size_t kk = 0; kk < sizeof kinds / sizeof kinds[0]; kk++) {
        int stats = kinds[kk];
        tix_cube *a = make_cube(stats, 5000, 1, 0);
        tix_tic_meta m = meta_of(5000);
        size_t la, lb;
        char *ba = to_bytes(a, &m, &la);
        tix_cube *b;
        tix_tic_meta mb;
        char err[200] = "";
        cr_assert_eq(from_bytes(ba, la, &b, &mb, err), TIX_OK, "%s", err);
        cr_assert_eq(mb.period, TIX_PERIOD_WEEK);
        cr_assert_eq(mb.stats, stats);
        cr_assert_eq(mb.measure, TIX_MEASURE_AMOUNT);
        cr_assert_eq(mb.to_day, m.to_day);
        cr_assert_eq(memcmp(&mb.counts, &m.counts, sizeof m.counts), 0);
        cr_assert_eq(mb.nnames, 2);
        cr_assert_str_eq(mb.names[0], "a.csv.gz"); /* sorted */
        cr_assert_str_eq(mb.names[1], "b.csv");
        int32_t f0, l0, f1, l1;
        cr_assert(tix_cube_days(a, &f0, &l0) && tix_cube_days(b, &f1, &l1));
        cr_assert_eq(f0, f1);
        cr_assert_eq(l0, l1);
        char *bb = to_bytes(b, &mb, &lb);
        cr_assert_eq(la, lb);
        cr_assert_eq(memcmp(ba, bb, la), 0, "stats %d", stats);
        /* And the statistics read back are the same. */
        if (stats & 3) {
            tix_cell_stats sa, sb;
            cr_assert_eq(tix_cube_stats(a, 3, 2, &sa), TIX_OK);
            cr_assert_eq(tix_cube_stats(b, 3, 2, &sb), TIX_OK);
            cr_assert_eq(sa.sum, sb.sum);
            cr_assert_eq(sa.median, sb.median);
            cr_assert_eq(sa.sd, sb.sd);
        }
        tix_tic_meta_free(&mb);
        free(ba);
        free(bb);
        tix_cube_free(a);
        tix_cube_free(b);
    }
}

Test(tic, parts_merged_in_any_order_give_the_whole)
{
    tix_tic_meta m = meta_of(6000);
    int kind = TIX_CUBE_STATS_SUMS | TIX_CUBE_STATS_LOGS;
    tix_cube *whole = make_cube(kind, 6000, 1, 0);
    size_t lw;
    char *bw = to_bytes(whole, &m, &lw);
    char *parts[3];
    size_t lens[3];
    for (int p = 0; p < 3; p++) {
        tix_cube *c = make_cube(kind, 6000, 3, p);
        parts[p] = to_bytes(c, &m, &lens[p]);
        tix_cube_free(c);
    }
    static const int orders[2][3] = {{0, 1, 2}, {2, 0, 1}};
    for (int k = 0; k < 2; k++) {
        tix_cube *acc = NULL;
        tix_tic_meta ma;
        for (int j = 0; j < 3; j++) {
            tix_cube *c;
            tix_tic_meta mc;
            char err[200] = "";
            int p = orders[k][j];
            cr_assert_eq(from_bytes(parts[p], lens[p], &c, &mc, err), TIX_OK, "%s", err);
            if (!acc) {
                acc = c;
                ma = mc;
                continue;
            }
            cr_assert_null(tix_tic_incompatible(&ma, &mc));
            cr_assert_eq(tix_tic_meta_add(&ma, &mc), TIX_OK);
            tix_tic_meta_free(&mc);
            cr_assert_eq(tix_cube_merge(acc, c), TIX_OK);
            tix_cube_free(c);
        }
        size_t la;
        char *ba = to_bytes(acc, &m, &la);
        cr_assert_eq(la, lw);
        cr_assert_eq(memcmp(ba, bw, lw), 0, "order %d", k);
        cr_assert_eq(ma.nnames, 6);
        cr_assert_eq(ma.counts.read, 3 * m.counts.read);
        tix_tic_meta_free(&ma);
        free(ba);
        tix_cube_free(acc);
    }
    for (int p = 0; p < 3; p++)
        free(parts[p]);
    free(bw);
    tix_cube_free(whole);
}

Test(tic, any_damaged_or_truncated_byte_is_refused)
{
    tix_cube *a = make_cube(TIX_CUBE_STATS | TIX_CUBE_STATS_LOGS, 300, 1, 0);
    tix_tic_meta m = meta_of(300);
    size_t len;
    char *buf = to_bytes(a, &m, &len);
    char *copy = malloc(len);
    for (size_t at = 0; at < len; at++) {
        tix_cube *c = NULL;
        tix_tic_meta mc;
        char err[200] = "";
        memcpy(copy, buf, len);
        copy[at] ^= 0x5a;
        tix_status st = from_bytes(copy, len, &c, &mc, err);
        cr_assert_neq(st, TIX_OK, "a flipped byte %zu was accepted", at);
        cr_assert_null(c);
        cr_assert(st == TIX_E_FORMAT || st == TIX_E_LIMIT, "byte %zu: %s", at, tix_strerror(st));
        if (at % 7 == 0) { /* truncated there */
            st = from_bytes(buf, at, &c, &mc, err);
            cr_assert_eq(st, TIX_E_FORMAT, "cut at %zu", at);
            cr_assert_null(c);
        }
    }
    /* A byte too many is refused too. */
    char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0;
    tix_cube *c;
    tix_tic_meta mc;
    char err[200] = "";
    cr_assert_eq(from_bytes(longer, len + 1, &c, &mc, err), TIX_E_FORMAT);
    cr_assert(strstr(err, "after the end"), "%s", err);
    cr_assert_eq(from_bytes("TIXCUBE\n\4\0\0\0", 12, &c, &mc, err), TIX_E_FORMAT);
    cr_assert(strstr(err, "version 4"), "%s", err);
    cr_assert_eq(from_bytes("period,contracts\n", 17, &c, &mc, err), TIX_E_FORMAT);
    cr_assert(strstr(err, "not a techidx cube"), "%s", err);
    free(longer);
    free(copy);
    free(buf);
    tix_cube_free(a);
}

Test(tic, incompatible_parts_are_named)
{
    tix_tic_meta a = meta_of(1), b = meta_of(1);
    cr_assert_null(tix_tic_incompatible(&a, &b));
    b.measure = TIX_MEASURE_TECH_AMOUNT;
    cr_assert(strstr(tix_tic_incompatible(&a, &b), "(`measure`)"));
    b = a;
    strcpy(b.by, "buyer_region");
    cr_assert(strstr(tix_tic_incompatible(&a, &b), "(`by`)"));
    b = a;
    b.period = TIX_PERIOD_MONTH;
    cr_assert(strstr(tix_tic_incompatible(&a, &b), "(`period`)"));
    b = a;
    b.to_day++;
    cr_assert(strstr(tix_tic_incompatible(&a, &b), "(`from`/`to`)"));
    b = a;
    b.stats = TIX_CUBE_STATS;
    cr_assert(strstr(tix_tic_incompatible(&a, &b), "statistics (`cells`, `winsorize` or `method` time-dummy"));
    /* The library names parameters, never command-line flags (status.h). */
    tix_tic_meta diff[5];
    for (int k = 0; k < 5; k++)
        diff[k] = a;
    diff[0].measure = TIX_MEASURE_TECH_AMOUNT;
    strcpy(diff[1].by, "buyer_region");
    diff[2].period = TIX_PERIOD_MONTH;
    diff[3].has_range = !a.has_range;
    diff[4].stats = TIX_CUBE_STATS;
    for (int k = 0; k < 5; k++) {
        const char *why = tix_tic_incompatible(&a, &diff[k]);
        cr_assert_not_null(why, "difference %d", k);
        cr_assert_null(strstr(why, "--"), "\"%s\" names a flag", why);
    }
    tix_counts sum = a.counts;
    tix_tic_add_counts(&sum, &b.counts);
    cr_assert_eq(sum.read, 8);
    cr_assert_eq(sum.by_reason[TIX_REASON_BAD_DATE], 6);
}

/* The row accounting read from a file adds up, or the file is refused:
 * read = accepted + rejected, rejected = the sum of by_reason (without
 * wrapping around), nothing rejected for no reason. */
Test(tic, accounting_that_does_not_add_up_is_refused)
{
    tix_cube *c = make_cube(0, 20, 1, 0);
    for (int k = 0; k < 5; k++) {
        tix_tic_meta m = meta_of(4); /* read 7 = 4 + 3, 3 bad dates */
        if (k == 1)
            m.counts.read++;
        else if (k == 2)
            m.counts.by_reason[TIX_REASON_BAD_DATE]--;
        else if (k == 3)
            m.counts.by_reason[TIX_REASON_NONE] = 1;
        else if (k == 4) { /* 3 + (2^64 - 1) + 1 wraps around to 3 */
            m.counts.by_reason[TIX_REASON_BAD_AMOUNT] = UINT64_MAX;
            m.counts.by_reason[TIX_REASON_OUT_OF_RANGE] = 1;
        }
        size_t len;
        char *buf = to_bytes(c, &m, &len);
        tix_cube *back = NULL;
        tix_tic_meta mb;
        char err[200] = "";
        tix_status st = from_bytes(buf, len, &back, &mb, err);
        if (k == 0) {
            cr_assert_eq(st, TIX_OK, "%s", err);
            tix_cube_free(back);
            tix_tic_meta_free(&mb);
        } else {
            cr_assert_eq(st, TIX_E_FORMAT, "case %d", k);
            cr_assert(strstr(err, "row accounting does not add up"), "case %d: %s", k, err);
        }
        free(buf);
    }
    tix_cube_free(c);
}

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++, v >>= 8)
        p[i] = (unsigned char)v;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++, v >>= 8)
        p[i] = (unsigned char)v;
}

/* Gives the file of len bytes at b its right CRC again, after an edit. */
static void reseal(unsigned char *b, size_t len)
{
    put_le32(b + len - 4, (uint32_t)crc32(0, b, (uInt)(len - 4)));
}

/* Log statistics no amounts could give, in a file whose CRC is right:
 * more amounts > 0 than contracts, a negative sum of logs (every amount
 * is >= 1 cent), squares without logs, logs beyond ln(2^63). */
Test(tic, log_statistics_that_adding_rows_cannot_make_are_refused)
{
    tix_cube *c = make_cube(TIX_CUBE_STATS_LOGS, 40, 1, 0);
    tix_tic_meta m = meta_of(40);
    size_t len;
    char *buf = to_bytes(c, &m, &len);
    /* the last pair, just before the CRC: i32 period, u32 cell, u64 n,
     * i64 sum, u64 m, u64 s_lo, u64 s_hi, u64 q_lo, u64 q_hi */
    size_t at = len - 4 - 72; /* the last pair: 24 bytes, the logs' 40 and its max */
    for (int k = 0; k < 5; k++) {
        unsigned char *b = malloc(len);
        memcpy(b, buf, len);
        unsigned char *n = b + at + 8, *lm = b + at + 24, *ls = b + at + 32, *lq = b + at + 48;
        if (k == 1)
            put_le64(lm, le64(n) + 1);
        else if (k == 2)
            put_le64(ls + 8, UINT64_MAX); /* S < 0 */
        else if (k == 3)
            put_le64(ls, 0), put_le64(ls + 8, 0), put_le64(lm, 0);
        else if (k == 4)
            put_le64(ls, le64(lm) * ((uint64_t)1 << 46) + 1), put_le64(ls + 8, 0);
        reseal(b, len);
        tix_cube *back = NULL;
        tix_tic_meta mb;
        char err[200] = "";
        tix_status st = from_bytes((const char *)b, len, &back, &mb, err);
        if (k == 0) {
            cr_assert_eq(st, TIX_OK, "%s", err);
            cr_assert(le64(lm) > 0 && le64(lq) > 0);
            tix_cube_free(back);
            tix_tic_meta_free(&mb);
        } else {
            cr_assert_eq(st, TIX_E_FORMAT, "case %d", k);
            cr_assert(strstr(err, "is not one adding rows could make"), "case %d: %s", k, err);
        }
        free(b);
    }
    free(buf);
    tix_cube_free(c);
}

/* A sketch bucket beyond the last an amount can have (2185 buckets hold
 * 1 cent to INT64_MAX), in a file whose CRC is right: refused as a pair
 * adding rows cannot make, also where the bucket does not fit the 16 bits
 * a sparse sketch holds. One row: the last pair has one bucket, just
 * before the CRC (i32 bucket, u32 count, i64 sum). */
Test(tic, sketch_buckets_no_amount_has_are_refused)
{
    tix_cube *c;
    tix_cube_opts o = {TIX_PERIOD_WEEK, TIX_CUBE_STATS_SUMS, 0, 0, NULL, NULL, 0, 0};
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    cr_assert_eq(tix_cube_add(c, tix_days_from_civil(2024, 3, 1), "s", 1, 123456), TIX_OK);
    tix_tic_meta m = meta_of(1);
    size_t len;
    char *buf = to_bytes(c, &m, &len);
    unsigned char *at = (unsigned char *)buf + len - 4 - 16;
    uint32_t own =
        (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
    cr_assert(own > 0 && own < 2185, "the amount's bucket: %u", own);
    const uint32_t bucket[] = {own, 2184, 2185, 65535, 65536, 65536 + own, (uint32_t)1 << 30};
    for (int k = 0; k < (int)(sizeof bucket / sizeof bucket[0]); k++) {
        unsigned char *b = malloc(len);
        memcpy(b, buf, len);
        put_le32(b + len - 20, bucket[k]);
        reseal(b, len);
        tix_cube *back = NULL;
        tix_tic_meta mb;
        char err[200] = "";
        tix_status st = from_bytes((const char *)b, len, &back, &mb, err);
        if (bucket[k] < 2185) {
            cr_assert_eq(st, TIX_OK, "bucket %u: %s", bucket[k], err);
            size_t lb;
            char *again = to_bytes(back, &mb, &lb);
            cr_assert_eq(lb, len);
            cr_assert_eq(memcmp(again, b, len), 0, "bucket %u written back as read", bucket[k]);
            free(again);
            tix_cube_free(back);
            tix_tic_meta_free(&mb);
        } else {
            cr_assert_eq(st, TIX_E_FORMAT, "bucket %u", bucket[k]);
            cr_assert(strstr(err, "is not one adding rows could make"), "bucket %u: %s", bucket[k],
                      err);
        }
        free(b);
    }
    free(buf);
    tix_cube_free(c);
}

/* ---- callbacks and memory ------------------------------------------------------- */

typedef struct reader {
    const char *p;
    size_t left, piece; /* at most piece bytes a call */
    int calls, fail_at;
    tix_status st;
} reader;

static tix_status read_pieces(void *ctx, void *buf, size_t cap, size_t *got)
{
    reader *r = ctx;
    if (++r->calls == r->fail_at)
        return r->st;
    size_t n = r->left < cap ? r->left : cap;
    if (n > r->piece)
        n = r->piece;
    memcpy(buf, r->p, n);
    r->p += n;
    r->left -= n;
    *got = n;
    return TIX_OK;
}

typedef struct writer {
    tix_membuf m;
    int calls, fail_at;
    tix_status st;
} writer;

static tix_status write_counted(void *ctx, const void *buf, size_t len)
{
    writer *w = ctx;
    if (++w->calls == w->fail_at)
        return w->st;
    return tix_membuf_write(&w->m, buf, len);
}

Test(tic, callback_and_memory_versions_read_and_write_the_same_bytes)
{
    tix_cube *a = make_cube(TIX_CUBE_STATS_SUMS, 20000, 1, 0);
    tix_tic_meta m = meta_of(20000);
    size_t len;
    char *bytes = to_bytes(a, &m, &len);
    cr_assert_gt(len, 3 * 65536, "a file of several read buffers");
    /* The CRC written (ISA-L's or zlib's) is zlib's CRC-32 of the rest. */
    uLong crc = crc32(0, (const unsigned char *)bytes, (uInt)(len - 4));
    for (int i = 0; i < 4; i++)
        cr_assert_eq((unsigned char)bytes[len - 4 + (size_t)i], (unsigned char)(crc >> (8 * i)));
    writer w = {{0}, 0, 0, TIX_OK};
    cr_assert_eq(tix_tic_write_fn(write_counted, &w, a, &m), TIX_OK);
    cr_assert_eq(w.m.len, len);
    cr_assert_eq(memcmp(w.m.data, bytes, len), 0);
    cr_assert_gt(w.calls, 1);
    tix_cube_opts o = {TIX_PERIOD_DAY, 0, 0, 0, NULL, NULL, 0, 0};
    for (int way = 0; way < 3; way++) {
        tix_cube *c;
        tix_tic_meta mc;
        char err[200] = "";
        reader r = {bytes, len, way == 1 ? 1000 : SIZE_MAX, 0, 0, TIX_OK};
        tix_status st = way == 0 ? tix_tic_read_mem(bytes, len, &o, &c, &mc, err, sizeof err)
                                 : tix_tic_read_fn(read_pieces, &r, &o, &c, &mc, err, sizeof err);
        cr_assert_eq(st, TIX_OK, "way %d: %s", way, err);
        size_t lc;
        char *again = to_bytes(c, &mc, &lc);
        cr_assert_eq(lc, len);
        cr_assert_eq(memcmp(again, bytes, len), 0, "way %d", way);
        free(again);
        tix_tic_meta_free(&mc);
        tix_cube_free(c);
    }
    /* Damage reads the same through memory as through a stream. */
    for (size_t at = 0; at < len; at += 4099) {
        char e1[200] = "", e2[200] = "";
        tix_cube *c = NULL;
        tix_tic_meta mc;
        tix_status s1 = from_bytes(bytes, at, &c, &mc, e1);
        tix_status s2 = tix_tic_read_mem(bytes, at, &o, &c, &mc, e2, sizeof e2);
        cr_assert_eq(s1, TIX_E_FORMAT);
        cr_assert_eq(s2, s1);
        cr_assert_str_eq(e2, e1);
        cr_assert_null(c);
    }
    tix_membuf_free(&w.m);
    free(bytes);
    tix_cube_free(a);
}

Test(tic, failing_callbacks_are_reported_as_they_failed)
{
    tix_cube *a = make_cube(TIX_CUBE_STATS, 20000, 1, 0);
    tix_tic_meta m = meta_of(20000);
    size_t len;
    char *bytes = to_bytes(a, &m, &len);
    for (int at = 1; at <= 3; at++) {
        writer w = {{0}, 0, at, TIX_E_HEADER};
        cr_assert_eq(tix_tic_write_fn(write_counted, &w, a, &m), TIX_E_HEADER, "call %d", at);
        cr_assert_eq(w.calls, at, "written on after a failure");
        tix_membuf_free(&w.m);
        tix_cube *c = NULL;
        tix_tic_meta mc;
        char err[200] = "";
        reader r = {bytes, len, 4096, 0, at, TIX_E_HEADER};
        cr_assert_eq(tix_tic_read_fn(read_pieces, &r,
                                     &(tix_cube_opts){TIX_PERIOD_DAY, 0, 0, 0, NULL, NULL, 0, 0}, &c, &mc, err,
                                     sizeof err),
                     TIX_E_HEADER, "read call %d", at);
        cr_assert_null(c);
        cr_assert_eq(mc.nnames, 0, "meta freed");
    }
    /* A stream that cannot be written. */
    FILE *f = fopen("/dev/full", "w");
    cr_assert_not_null(f);
    setvbuf(f, NULL, _IONBF, 0);
    cr_assert_eq(tix_tic_write(f, a, &m), TIX_E_IO);
    fclose(f);
    free(bytes);
    tix_cube_free(a);
}

/* Version 1 had a tix_column number where version 2 has the --by text
 * after the measure; such files still read, as that one column. */
Test(tic, version_1_files_still_read)
{
    tix_cube *a = make_cube(TIX_CUBE_STATS, 40, 1, 0);
    tix_tic_meta m = meta_of(40);
    size_t len;
    char *v2 = to_bytes(a, &m, &len);
    /* v2: magic 8, version 4, period 4, stats 4, measure 4, bylen 4, by */
    size_t bylen = strlen("sector"), head = 8 + 4 * 5 + bylen;
    cr_assert_eq(v2[20 + 4], (char)bylen);
    size_t len1 = len - bylen; /* 4 bytes of dimension for 4 of bylen */
    unsigned char *v1 = malloc(len1);
    memcpy(v1, v2, 8);
    memcpy(v1 + 8, "\1\0\0\0", 4);
    memcpy(v1 + 12, v2 + 12, 8);              /* period, stats */
    memcpy(v1 + 20, "\2\0\0\0", 4);         /* TIX_COL_SECTOR */
    memcpy(v1 + 24, v2 + 20, 4);              /* measure */
    memcpy(v1 + 28, v2 + head, len - head - 4); /* the rest but the CRC */
    uint32_t crc = (uint32_t)crc32(0, v1, (uInt)(len1 - 4));
    for (int k = 0; k < 4; k++)
        v1[len1 - 4 + k] = (unsigned char)(crc >> (8 * k));
    tix_cube *c = NULL;
    tix_tic_meta mc;
    char err[200] = "";
    cr_assert_eq(from_bytes((const char *)v1, len1, &c, &mc, err), TIX_OK, "%s", err);
    cr_assert_str_eq(mc.by, "sector");
    cr_assert_str_eq(tix_cube_by(c), "sector");
    /* Written again, it is the version 2 file. */
    tix_cube_finalize(c);
    size_t len2;
    char *again = to_bytes(c, &mc, &len2);
    cr_assert_eq(len2, len);
    cr_assert_eq(memcmp(again, v2, len), 0);
    free(again);
    tix_tic_meta_free(&mc);
    tix_cube_free(c);
    free(v1);
    free(v2);
    tix_cube_free(a);
}

/* Every part written now keeps each pair's largest amount, with or without
 * statistics; a version 1 part without statistics did not, and its
 * top_contract_share stays unknown (also once written as version 2). */
Test(tic, maxima_come_back_with_every_part_but_lean_version_1)
{
    char err[200] = "";
    tix_index_opts io;
    tix_index_opts_init(&io);
    for (int stats = 0; stats <= TIX_CUBE_STATS; stats += TIX_CUBE_STATS) {
        tix_cube *a = make_cube(stats, 20, 1, 0);
        tix_tic_meta m = meta_of(20);
        size_t len;
        char *buf = to_bytes(a, &m, &len); /* finalizes a */
        int64_t mx, got;
        cr_assert_eq(tix_cube_max(a, 0, 0, &mx), 1, "a cube made by adds knows its maxima");
        tix_cube *c = NULL;
        tix_tic_meta mc;
        cr_assert_eq(from_bytes(buf, len, &c, &mc, err), TIX_OK, "%s", err);
        cr_assert_eq(tix_cube_finalize(c), TIX_OK);
        cr_assert_eq(tix_cube_max(c, 0, 0, &got), 1, "stats %d", stats);
        cr_assert_eq(got, mx);
        tix_tic_meta_free(&mc);
        tix_cube_free(c);
        free(buf);
        tix_cube_free(a);
    }
    FILE *f = fopen("tests/fuzz/corpus/tic/small-lean.tic", "rb") /* make runs tests at the top */;
    cr_assert_not_null(f);
    static char v1[1 << 16];
    size_t len = fread(v1, 1, sizeof v1, f);
    fclose(f);
    cr_assert_eq(v1[8], 1, "the seed is a version 1 file");
    tix_cube *c = NULL;
    tix_tic_meta mc;
    cr_assert_eq(from_bytes(v1, len, &c, &mc, err), TIX_OK, "%s", err);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    int64_t got;
    cr_assert_eq(tix_cube_max_known(c), 0);
    cr_assert_eq(tix_cube_max(c, 0, 0, &got), 0);
    tix_index *ix;
    cr_assert_eq(tix_index_compute(c, &io, &ix, err, sizeof err), TIX_OK, "%s", err);
    cr_assert(isnan(ix->rows[0].top_contract_share));
    tix_index_free(ix);
    size_t l2;
    char *v2 = to_bytes(c, &mc, &l2);
    tix_cube *d = NULL;
    tix_tic_meta md;
    cr_assert_eq(from_bytes(v2, l2, &d, &md, err), TIX_OK, "%s", err);
    cr_assert_eq(tix_cube_max_known(d), 0);
    tix_tic_meta_free(&md);
    tix_cube_free(d);
    free(v2);
    tix_tic_meta_free(&mc);
    tix_cube_free(c);
}
