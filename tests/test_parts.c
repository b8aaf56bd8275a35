/* Tests for parts (techidx/parts.h): parts from files and memory merged in
 * any order give the bytes of the whole; parts that aggregate differently,
 * count an input twice, are damaged, missing or too large are refused with
 * the part, the other part and a message naming the option. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "techidx/options.h"
#include "techidx/parts.h"
#include "techidx/version.h"
#include "techidx/write.h"

static void setup(void) { tt_tmpdir_make("parts"); }
TestSuite(parts, .init = setup, .fini = tt_tmpdir_remove);

/* A finalized cube of the rows with index % nparts == part among `rows`
 * pseudo-random ones, over 5 sectors. */
static tix_cube *make_cube(int rows, int nparts, int part)
{
    tix_cube *c;
    tix_cube_opts o;
    tix_cube_opts_init(&o);
    o.cell_stats = TIX_CUBE_STATS_SUMS;
    cr_assert_eq(tix_cube_new(&c, &o), TIX_OK);
    uint64_t s = 4242;
    for (int i = 0; i < rows; i++) {
        uint64_t r = tt_rng_next(&s);
        if (i % nparts != part)
            continue;
        char cell[16];
        snprintf(cell, sizeof cell, "sector_%d", (int)(r % 5));
        int32_t day = tix_days_from_civil(2024, 1, 1) + (int32_t)((r >> 16) % 300);
        cr_assert_eq(tix_cube_add(c, day, cell, strlen(cell), (int64_t)((r >> 24) % 5000000)),
                     TIX_OK);
    }
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    return c;
}

static tix_counts counts_of(uint64_t accepted, uint64_t rejected)
{
    tix_counts k;
    memset(&k, 0, sizeof k);
    k.read = accepted + rejected;
    k.accepted = accepted;
    k.rejected = rejected;
    k.by_reason[TIX_REASON_BAD_DATE] = rejected;
    k.inputs = 1;
    k.bytes = 1000 * accepted;
    return k;
}

/* The .tic bytes of cube c as an engine with eo made it from names. */
static tix_membuf tic_bytes(tix_cube *c, const tix_engine_opts *eo, const tix_counts *k,
                            char **names, size_t n)
{
    tix_tic_meta m;
    tix_parts_describe(&m, eo, c, k, names, n);
    tix_membuf b = {NULL, 0, 0};
    cr_assert_eq(tix_tic_write_fn(tix_membuf_write, &b, c, &m), TIX_OK);
    return b;
}

/* The bytes of what p merged, written as a .tic file. */
static tix_membuf merged_bytes(tix_parts *p)
{
    tix_cube *c = tix_parts_cube(p);
    cr_assert_not_null(c);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    tix_membuf b = {NULL, 0, 0};
    cr_assert_eq(tix_tic_write_fn(tix_membuf_write, &b, c, tix_parts_meta(p)), TIX_OK);
    return b;
}

Test(parts, describe_takes_the_options_of_the_engine_and_the_kind_of_the_cube)
{
    tix_engine_opts eo;
    tix_engine_opts_init(&eo);
    eo.by = "buyer_region"; /* the cube says what its cells are */
    eo.measure = TIX_MEASURE_AMOUNT;
    eo.has_range = 1;
    eo.from_day = 19000;
    eo.to_day = 19500;
    tix_cube *c = make_cube(100, 1, 0);
    tix_counts k = counts_of(100, 7);
    char *names[] = {"z.csv", "a.csv"};
    tix_tic_meta m;
    tix_parts_describe(&m, &eo, c, &k, names, 2);
    cr_assert_eq(m.period, TIX_PERIOD_WEEK);
    cr_assert_eq(m.stats, TIX_CUBE_STATS_SUMS);
    cr_assert_str_eq(m.by, "sector");
    cr_assert_eq(m.measure, TIX_MEASURE_AMOUNT);
    cr_assert_eq(m.has_range, 1);
    cr_assert_eq(m.from_day, 19000);
    cr_assert_eq(m.to_day, 19500);
    cr_assert_eq(m.counts.read, 107);
    cr_assert_eq(m.counts.by_reason[TIX_REASON_BAD_DATE], 7);
    cr_assert_eq(m.names, names); /* borrowed */
    cr_assert_eq(m.nnames, 2);
    tix_run_info info;
    tix_parts_run_info(&info, &m);
    cr_assert_str_eq(info.version, tix_version());
    cr_assert_eq(info.ninputs, 2);
    cr_assert_str_eq(info.inputs[0], "z.csv");
    cr_assert_str_eq(info.by, "sector");
    cr_assert_str_eq(info.measure, "amount");
    cr_assert_eq(info.counts, &m.counts);
    cr_assert_eq(info.counts->rejected, 7);
    tix_cube_free(c);
}

Test(parts, any_order_of_files_and_buffers_gives_the_bytes_of_the_whole)
{
    tix_engine_opts eo;
    tix_engine_opts_init(&eo);
    char *names[3][1] = {{"p0.csv"}, {"p1.csv"}, {"p2.csv"}};
    tix_membuf part[3];
    char path[3][512];
    for (int i = 0; i < 3; i++) {
        tix_cube *c = make_cube(9000, 3, i);
        tix_counts k = counts_of(3000, (uint64_t)i);
        part[i] = tic_bytes(c, &eo, &k, names[i], 1);
        char file[32];
        snprintf(file, sizeof file, "p%d.tic", i);
        tt_path(path[i], sizeof path[i], file);
        tt_write_file(path[i], part[i].data, part[i].len);
        tix_cube_free(c);
    }
    /* The whole: all the rows in one cube, all the names and counts. */
    tix_cube *whole = make_cube(9000, 1, 0);
    char *all_names[] = {"p0.csv", "p1.csv", "p2.csv"};
    tix_counts k = counts_of(9000, 3);
    k.inputs = 3;
    k.bytes = 3000 * 1000 * 3;
    tix_membuf expect = tic_bytes(whole, &eo, &k, all_names, 3);
    static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                     {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int o = 0; o < 6; o++) {
        tix_parts *p;
        cr_assert_eq(tix_parts_new(&p, NULL), TIX_OK);
        for (int j = 0; j < 3; j++) {
            int i = orders[o][j];
            /* Alternately from a file and from memory. */
            tix_status st = (o + j) % 2
                                ? tix_parts_add_file(p, path[i])
                                : tix_parts_add_mem(p, names[i][0], part[i].data, part[i].len);
            cr_assert_eq(st, TIX_OK, "%s", tix_parts_error(p)->message);
        }
        cr_assert_null(tix_parts_cube(p)); /* not before finish */
        cr_assert_eq(tix_parts_finish(p), TIX_OK, "%s", tix_parts_error(p)->message);
        cr_assert_eq(tix_parts_count(p), 3);
        const tix_tic_meta *m = tix_parts_meta(p);
        cr_assert_eq(m->nnames, 3);
        cr_assert_str_eq(m->names[0], "p0.csv"); /* sorted */
        cr_assert_str_eq(m->names[2], "p2.csv");
        cr_assert_eq(m->counts.rejected, 3);
        cr_assert_eq(m->counts.inputs, 3);
        tix_membuf got = merged_bytes(p);
        cr_assert_eq(got.len, expect.len, "order %d", o);
        cr_assert_eq(memcmp(got.data, expect.data, expect.len), 0, "order %d", o);
        tix_membuf_free(&got);
        /* Finished: no more parts. */
        cr_assert_eq(tix_parts_add_mem(p, "late", part[0].data, part[0].len), TIX_E_INVALID);
        tix_parts_free(p);
    }
    for (int i = 0; i < 3; i++)
        tix_membuf_free(&part[i]);
    tix_membuf_free(&expect);
    tix_cube_free(whole);
}

Test(parts, a_part_that_aggregates_otherwise_is_refused_naming_the_option)
{
    tix_engine_opts eo, other;
    tix_engine_opts_init(&eo);
    other = eo;
    other.measure = TIX_MEASURE_AMOUNT;
    tix_cube *c = make_cube(500, 1, 0);
    tix_counts k = counts_of(500, 0);
    char *n1[] = {"one.csv"}, *n2[] = {"two.csv"};
    tix_membuf a = tic_bytes(c, &eo, &k, n1, 1), b = tic_bytes(c, &other, &k, n2, 1);
    tix_parts *p;
    cr_assert_eq(tix_parts_new(&p, NULL), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "a.tic", a.data, a.len), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "b.tic", b.data, b.len), TIX_E_INVALID);
    const tix_parts_failure *f = tix_parts_error(p);
    cr_assert_eq(f->status, TIX_E_INVALID);
    cr_assert_eq(f->part, 1);
    cr_assert_eq(f->other, 0);
    cr_assert_str_eq(f->message, "they sum different amounts (`measure`)");
    cr_assert_str_eq(tix_parts_name(p, 1), "b.tic");
    cr_assert_null(tix_parts_name(p, 2));
    /* The handle takes nothing more and gives no cube. */
    cr_assert_eq(tix_parts_add_mem(p, "c.tic", a.data, a.len), TIX_E_INVALID);
    cr_assert_eq(tix_parts_count(p), 2);
    cr_assert_eq(tix_parts_finish(p), TIX_E_INVALID);
    cr_assert_null(tix_parts_cube(p));
    cr_assert_null(tix_parts_meta(p));
    char shown[512];
    tix_config_message(f->message, "--", '-', shown, sizeof shown);
    cr_assert_str_eq(shown, "they sum different amounts (--measure)");
    tix_parts_free(p);
    tix_membuf_free(&a);
    tix_membuf_free(&b);
    tix_cube_free(c);
}

Test(parts, parts_that_count_one_input_twice_are_refused_unless_allowed)
{
    tix_engine_opts eo;
    tix_engine_opts_init(&eo);
    tix_cube *c = make_cube(300, 1, 0);
    tix_counts k = counts_of(300, 0);
    char *ab[] = {"a.csv", "b.csv"}, *a_twice[] = {"a.csv", "a.csv"}, *c_only[] = {"c.csv"},
         *b_only[] = {"b.csv"};
    tix_membuf pab = tic_bytes(c, &eo, &k, ab, 2), paa = tic_bytes(c, &eo, &k, a_twice, 2),
               pc = tic_bytes(c, &eo, &k, c_only, 1), pb = tic_bytes(c, &eo, &k, b_only, 1);
    /* A name repeated within one part stands. */
    tix_parts *p;
    cr_assert_eq(tix_parts_new(&p, NULL), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "aa.tic", paa.data, paa.len), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "c.tic", pc.data, pc.len), TIX_OK);
    cr_assert_eq(tix_parts_finish(p), TIX_OK, "%s", tix_parts_error(p)->message);
    cr_assert_eq(tix_parts_meta(p)->nnames, 3);
    tix_parts_free(p);
    /* Across parts: the later part is at fault, the earlier is named. */
    cr_assert_eq(tix_parts_new(&p, NULL), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "c.tic", pc.data, pc.len), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "ab.tic", pab.data, pab.len), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "b.tic", pb.data, pb.len), TIX_OK);
    cr_assert_eq(tix_parts_finish(p), TIX_E_INVALID);
    const tix_parts_failure *f = tix_parts_error(p);
    cr_assert_eq(f->part, 2);
    cr_assert_eq(f->other, 1);
    cr_assert_str_eq(f->message,
                     "both count the input 'b.csv' (`allow-repeats` if it is to count twice)");
    cr_assert_null(tix_parts_cube(p));
    tix_parts_free(p);
    /* Allowed: counted twice, the names twice. */
    tix_parts_opts po;
    tix_parts_opts_init(&po);
    po.allow_repeats = 1;
    cr_assert_eq(tix_parts_new(&p, &po), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "ab.tic", pab.data, pab.len), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "b.tic", pb.data, pb.len), TIX_OK);
    cr_assert_eq(tix_parts_finish(p), TIX_OK);
    const tix_tic_meta *m = tix_parts_meta(p);
    cr_assert_eq(m->nnames, 3);
    cr_assert_str_eq(m->names[1], "b.csv");
    cr_assert_str_eq(m->names[2], "b.csv");
    cr_assert_eq(m->counts.accepted, 600);
    tix_cube *merged = tix_parts_cube(p);
    cr_assert_eq(tix_cube_finalize(merged), TIX_OK);
    size_t ne, n1;
    const tix_cube_entry *e = tix_cube_entries(merged, 0, &ne);
    const tix_cube_entry *e1 = tix_cube_entries(c, 0, &n1);
    cr_assert_eq(ne, n1);
    cr_assert_eq(e[0].n, 2 * e1[0].n);
    cr_assert_eq(e[0].value, 2 * e1[0].value);
    tix_parts_free(p);
    tix_membuf *all[] = {&pab, &paa, &pc, &pb};
    for (size_t i = 0; i < 4; i++)
        tix_membuf_free(all[i]);
    tix_cube_free(c);
}

Test(parts, damaged_missing_and_oversized_parts_are_refused_with_the_reason)
{
    tix_engine_opts eo;
    tix_engine_opts_init(&eo);
    tix_cube *c = make_cube(400, 1, 0);
    tix_counts k = counts_of(400, 0);
    char *names[] = {"x.csv"};
    tix_membuf b = tic_bytes(c, &eo, &k, names, 1);
    tix_parts *p;
    /* Truncated. */
    cr_assert_eq(tix_parts_new(&p, NULL), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "cut.tic", b.data, 100), TIX_E_FORMAT);
    const tix_parts_failure *f = tix_parts_error(p);
    cr_assert_eq(f->part, 0);
    cr_assert_eq(f->other, TIX_PARTS_NONE);
    cr_assert_str_eq(f->message, "byte 100: the file ends early (truncated?)");
    tix_parts_free(p);
    /* Missing. */
    char path[512];
    tt_path(path, sizeof path, "no-such.tic");
    cr_assert_eq(tix_parts_new(&p, NULL), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "ok.tic", b.data, b.len), TIX_OK);
    cr_assert_eq(tix_parts_add_file(p, path), TIX_E_IO);
    f = tix_parts_error(p);
    cr_assert_eq(f->part, 1);
    cr_assert_str_eq(tix_parts_name(p, 1), path);
    cr_assert_str_eq(f->message, "cannot read: No such file or directory");
    tix_parts_free(p);
    /* More cells than allowed: while reading a part, and while merging. */
    tix_parts_opts po;
    tix_parts_opts_init(&po);
    po.max_cells = 3;
    cr_assert_eq(tix_parts_new(&p, &po), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "big.tic", b.data, b.len), TIX_E_LIMIT);
    cr_assert_str_eq(tix_parts_error(p)->message,
                     "too large for the limits (raise `max-memory` or `max-cells`)");
    tix_parts_free(p);
    /* No parts at all. */
    cr_assert_eq(tix_parts_new(&p, NULL), TIX_OK);
    cr_assert_eq(tix_parts_finish(p), TIX_E_INVALID);
    cr_assert_eq(tix_parts_error(p)->part, TIX_PARTS_NONE);
    tix_parts_free(p);
    tix_parts_free(NULL);
    tix_membuf_free(&b);
    tix_cube_free(c);
}

Test(parts, a_merge_over_the_limits_is_refused_as_a_merge)
{
    tix_engine_opts eo;
    tix_engine_opts_init(&eo);
    /* Two parts of 5 sectors each, 10 distinct in all. */
    tix_cube *c1, *c2;
    tix_cube_opts o;
    tix_cube_opts_init(&o);
    cr_assert_eq(tix_cube_new(&c1, &o), TIX_OK);
    cr_assert_eq(tix_cube_new(&c2, &o), TIX_OK);
    for (int i = 0; i < 5; i++) {
        char a[16], z[16];
        snprintf(a, sizeof a, "a%d", i);
        snprintf(z, sizeof z, "z%d", i);
        cr_assert_eq(tix_cube_add(c1, 19800, a, 2, 100), TIX_OK);
        cr_assert_eq(tix_cube_add(c2, 19800, z, 2, 100), TIX_OK);
    }
    cr_assert_eq(tix_cube_finalize(c1), TIX_OK);
    cr_assert_eq(tix_cube_finalize(c2), TIX_OK);
    tix_counts k = counts_of(5, 0);
    char *n1[] = {"1.csv"}, *n2[] = {"2.csv"};
    tix_membuf b1 = tic_bytes(c1, &eo, &k, n1, 1), b2 = tic_bytes(c2, &eo, &k, n2, 1);
    tix_parts_opts po;
    tix_parts_opts_init(&po);
    po.max_cells = 8;
    tix_parts *p;
    cr_assert_eq(tix_parts_new(&p, &po), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "1.tic", b1.data, b1.len), TIX_OK);
    cr_assert_eq(tix_parts_add_mem(p, "2.tic", b2.data, b2.len), TIX_E_LIMIT);
    const tix_parts_failure *f = tix_parts_error(p);
    cr_assert_eq(f->part, 1);
    cr_assert_eq(f->other, TIX_PARTS_NONE);
    cr_assert(strncmp(f->message, "cannot merge: ", 14) == 0, "%s", f->message);
    cr_assert(strstr(f->message, "(raise `max-memory` or `max-cells`)"), "%s", f->message);
    tix_parts_free(p);
    tix_membuf_free(&b1);
    tix_membuf_free(&b2);
    tix_cube_free(c1);
    tix_cube_free(c2);
}

Test(parts, options_come_from_the_config_of_merge)
{
    tix_config *c = tix_config_new();
    cr_assert_not_null(c);
    char err[256];
    const unsigned cmd = TIX_CMD_MERGE;
    cr_assert_eq(tix_config_set(c, cmd, tix_option_find("max-cells", cmd), "12", err, sizeof err),
                 TIX_OK, "%s", err);
    cr_assert_eq(tix_config_set(c, cmd, tix_option_find("max-memory", cmd), "3", err, sizeof err),
                 TIX_OK, "%s", err);
    tix_parts_opts o;
    tix_parts_opts_from_config(&o, c);
    cr_assert_eq(o.max_cells, 12);
    cr_assert_eq(o.max_memory, (size_t)3 << 20);
    cr_assert_eq(o.allow_repeats, 0);
    cr_assert_eq(
        tix_config_set(c, cmd, tix_option_find("allow-repeats", cmd), NULL, err, sizeof err),
        TIX_OK, "%s", err);
    tix_parts_opts_from_config(&o, c);
    cr_assert_eq(o.allow_repeats, 1);
    tix_config_free(c);
}
