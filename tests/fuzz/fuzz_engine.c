/* libFuzzer target for the CSV/record path: the input bytes are one CSV
 * file.
 *
 * 1. The same bytes go through fresh engines whole, in pseudo-random chunk
 *    splits (seeded by a hash of the input; chunks of 0..8192 bytes, many of
 *    them 1 byte) and, for small inputs, one byte at a time. The outcomes
 *    must be identical: statuses, tix_error, tix_counts, the sequence of
 *    rejects (line, reason, raw bytes) and the finalized cube (periods,
 *    entries, cell names, and tix_cube_stats bit for bit). Small limits make
 *    the limit paths reachable.
 * 2. Invariants: read = accepted + rejected, by_reason sums to rejected,
 *    the cube's contracts add up to accepted, views are sorted.
 * 3. Differential: every record the tix_reader delivers (so every record
 *    the engine accepts) equals the record at the same position from plain
 *    libcsv (csv_init(&p, 0): default terminators and spaces). When the
 *    reader stops with TIX_E_LIMIT only the records before that count.
 *    The reader itself must also give the same rows whole and chunked.
 * 4. Other option sets (contract_type by day with amount over two inputs;
 *    buyer_region by month with a header map, tiny cube limits, amounts
 *    in yuan or 万元 and the automatic date forms or a pattern) for
 *    coverage, with their own invariants.
 * 5. GB18030 or GBK input with a ';', tab or ',' delimiter, whole and
 *    chunked.
 *
 * Any violation prints a message and aborts. */
#include <csv.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "techidx/cube.h"
#include "techidx/engine.h"
#include "techidx/reader.h"
#include "techidx/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- chunk schedules --------------------------------------------------- */

enum { FEED_WHOLE, FEED_RANDOM, FEED_BYTES };

typedef struct feeder {
    int mode;
    uint64_t rng;
    const uint8_t *data;
    size_t size, pos;
} feeder;

/* The next chunk length; 0-length chunks are legal and occur now and then. */
static size_t next_chunk(feeder *f)
{
    size_t left = f->size - f->pos;
    size_t n;
    if (f->mode == FEED_WHOLE)
        return left;
    if (f->mode == FEED_BYTES)
        return left ? 1 : 0;
    uint64_t r = fz_rng(&f->rng);
    switch (r & 7) {
    case 0:
        n = 0;
        break;
    case 1:
    case 2:
    case 3:
        n = 1;
        break;
    case 4:
        n = 1 + (size_t)((r >> 8) % 8);
        break;
    case 5:
        n = 1 + (size_t)((r >> 8) % 64);
        break;
    case 6:
        n = 1 + (size_t)((r >> 8) % 1024);
        break;
    default:
        n = 1 + (size_t)((r >> 8) % 8192);
        break;
    }
    return n < left ? n : left;
}

/* ---- engine outcomes --------------------------------------------------- */

typedef struct outcome {
    tix_status st_new, st_begin, st_feed, st_end, st_final;
    tix_status err_status;
    uint64_t err_line;
    char err_msg[512];
    tix_counts counts;
    fz_bytes rejects; /* (line, reason, raw_len, raw) per reject */
    uint64_t nrejects;
    uint64_t last_line;
    fz_bytes cube; /* serialized finalized cube */
    uint64_t cube_n;
    uint64_t cube_ncells, cube_nentries;
} outcome;

static tix_status on_reject(void *ctx, const tix_reject *rj)
{
    outcome *o = ctx;
    FZ_CHECK(rj->reason > TIX_REASON_NONE && rj->reason < TIX_REASON_COUNT,
             "reject with reason %d out of range", (int)rj->reason);
    FZ_CHECK(rj->line >= 1, "reject on line 0");
    FZ_CHECK(rj->line >= o->last_line, "reject lines go backwards: %llu after %llu",
             (unsigned long long)rj->line, (unsigned long long)o->last_line);
    FZ_CHECK(rj->raw != NULL || rj->raw_len == 0, "reject with NULL raw and length %zu",
             rj->raw_len);
    FZ_CHECK(rj->input && strcmp(rj->input, "fuzz.csv") == 0, "reject names input '%s'",
             rj->input ? rj->input : "(null)");
    o->last_line = rj->line;
    fz_put_u64(&o->rejects, rj->line);
    fz_put_u64(&o->rejects, (uint64_t)rj->reason);
    fz_put_u64(&o->rejects, rj->raw_len);
    fz_put(&o->rejects, rj->raw, rj->raw_len);
    o->nrejects++;
    return TIX_OK;
}

static void check_counts(const tix_counts *c, const char *what)
{
    uint64_t sum = 0;
    FZ_CHECK(c->read == c->accepted + c->rejected, "%s: read %llu != accepted %llu + rejected %llu",
             what, (unsigned long long)c->read, (unsigned long long)c->accepted,
             (unsigned long long)c->rejected);
    FZ_CHECK(c->by_reason[TIX_REASON_NONE] == 0, "%s: by_reason[none] = %llu", what,
             (unsigned long long)c->by_reason[TIX_REASON_NONE]);
    for (int i = 0; i < TIX_REASON_COUNT; i++)
        sum += c->by_reason[i];
    FZ_CHECK(sum == c->rejected, "%s: by_reason sums to %llu, rejected %llu", what,
             (unsigned long long)sum, (unsigned long long)c->rejected);
}

/* Finalizes the cube, checks its views and serializes them into o->cube. */
static void capture_cube(tix_cube *cube, int cell_stats, int limited_budget, outcome *o)
{
    o->st_final = tix_cube_finalize(cube);
    fz_put_u64(&o->cube, (uint64_t)o->st_final);
    if (o->st_final == TIX_E_LIMIT && limited_budget)
        return; /* the views did not fit the memory budget */
    FZ_CHECK(o->st_final == TIX_OK, "tix_cube_finalize: %s", tix_strerror(o->st_final));
    FZ_CHECK(tix_cube_finalize(cube) == TIX_OK, "second tix_cube_finalize failed");
    size_t np = tix_cube_nperiods(cube), nc = tix_cube_ncells(cube);
    fz_bytes *b = &o->cube;
    fz_put_u64(b, (uint64_t)tix_cube_period_kind(cube));
    fz_put_u64(b, np);
    fz_put_u64(b, nc);
    o->cube_ncells = nc;
    for (size_t r = 0; r < nc; r++) {
        const char *name = tix_cube_cell_name(cube, r);
        FZ_CHECK(name != NULL, "cell name %zu is NULL", r);
        FZ_CHECK(r == 0 || strcmp(tix_cube_cell_name(cube, r - 1), name) < 0,
                 "cell names %zu and %zu are not in strictly increasing byte order", r - 1, r);
        size_t len = strlen(name);
        /* Each value of a cell of several columns is one of the rows' values. */
        for (const char *v = name;;) {
            const char *sep = strchr(v, TIX_DIM_SEP);
            size_t vl = sep ? (size_t)(sep - v) : strlen(v);
            FZ_CHECK(vl > 0 && tix_text_valid(v, vl), "cell name %zu has an empty or invalid value",
                     r);
            if (!sep)
                break;
            v = sep + 1;
        }
        fz_put_u64(b, len);
        fz_put(b, name, len);
    }
    for (size_t i = 0; i < np; i++) {
        int32_t per = tix_cube_period(cube, i);
        if (i > 0)
            FZ_CHECK(per > tix_cube_period(cube, i - 1), "periods not increasing at %zu", i);
        fz_put(b, &per, sizeof per);
        size_t count = 0;
        const tix_cube_entry *en = tix_cube_entries(cube, i, &count);
        FZ_CHECK(count > 0, "period %zu has no entries", i);
        fz_put_u64(b, count);
        for (size_t k = 0; k < count; k++) {
            FZ_CHECK(en[k].cell < nc, "entry cell rank %u >= %zu cells", en[k].cell, nc);
            FZ_CHECK(k == 0 || en[k].cell > en[k - 1].cell, "entries of period %zu not sorted", i);
            FZ_CHECK(en[k].n > 0, "entry with 0 contracts (period %zu, cell %u)", i, en[k].cell);
            FZ_CHECK(en[k].value >= 0, "entry with negative value");
            fz_put_u64(b, en[k].cell);
            fz_put_u64(b, en[k].n);
            fz_put_u64(b, (uint64_t)en[k].value);
            o->cube_n += en[k].n;
            o->cube_nentries++;
            tix_cell_stats cs;
            memset(&cs, 0, sizeof cs);
            tix_status st = tix_cube_stats(cube, i, k, &cs);
            if (!cell_stats) {
                FZ_CHECK(st == TIX_E_INVALID, "tix_cube_stats without cell_stats: %s",
                         tix_strerror(st));
                continue;
            }
            FZ_CHECK(st == TIX_OK, "tix_cube_stats(%zu, %zu): %s", i, k, tix_strerror(st));
            FZ_CHECK(cs.n == en[k].n && cs.sum == en[k].value,
                     "stats n/sum %llu/%lld differ from entry %llu/%lld", (unsigned long long)cs.n,
                     (long long)cs.sum, (unsigned long long)en[k].n, (long long)en[k].value);
            FZ_CHECK(cs.min >= 0 && cs.min <= cs.max, "stats min %lld max %lld", (long long)cs.min,
                     (long long)cs.max);
            FZ_CHECK(!(cs.median < (double)cs.min) && !(cs.median > (double)cs.max) &&
                         !(cs.p90 < (double)cs.min) && !(cs.p90 > (double)cs.max),
                     "median/p90 outside [min, max]");
            fz_put(b, &cs, sizeof cs); /* bitwise, NaNs included */
        }
        tix_cell_stats dummy;
        size_t cnt2 = 0;
        (void)tix_cube_entries(cube, i, &cnt2);
        FZ_CHECK(tix_cube_stats(cube, i, cnt2, &dummy) == TIX_E_INVALID,
                 "tix_cube_stats accepts k out of range");
    }
    tix_cell_stats dummy;
    FZ_CHECK(tix_cube_stats(cube, np, 0, &dummy) == TIX_E_INVALID,
             "tix_cube_stats accepts i out of range");
}

/* Runs `ninputs` copies of the data through one engine, fed per `mode`. */
static void run_engine(const tix_engine_opts *opts, const uint8_t *data, size_t size, int mode,
                       uint64_t seed, int ninputs, outcome *o)
{
    memset(o, 0, sizeof *o);
    tix_engine *e = NULL;
    o->st_new = tix_engine_new(&e, opts, on_reject, o);
    /* A budget too small for the cube's first tables: TIX_E_LIMIT (which
     * engine.h does not list for tix_engine_new). */
    if (o->st_new == TIX_E_LIMIT && opts->max_memory != 0 && opts->max_memory < 65536)
        return;
    FZ_CHECK(o->st_new == TIX_OK, "tix_engine_new: %s", tix_strerror(o->st_new));
    for (int in = 0; in < ninputs; in++) {
        o->last_line = 0;
        tix_status st = tix_engine_begin(e, "fuzz.csv");
        if (st != TIX_OK) {
            o->st_begin = st;
            break;
        }
        feeder f = {mode, seed | 1, data, size, 0};
        for (;;) {
            size_t n = next_chunk(&f);
            /* A 0-length feed at the very end would loop forever. */
            if (n == 0 && f.pos == size)
                break;
            st = tix_engine_feed(e, data + f.pos, n);
            f.pos += n;
            if (st != TIX_OK) {
                o->st_feed = st;
                /* Once failed, the engine keeps failing the same way. */
                tix_status again = tix_engine_feed(e, data, size);
                FZ_CHECK(again == st, "feed after failure: %s, first %s", tix_strerror(again),
                         tix_strerror(st));
                break;
            }
        }
        o->st_end = tix_engine_end(e);
        if (o->st_feed != TIX_OK)
            FZ_CHECK(o->st_end == o->st_feed, "end after failed feed: %s, feed %s",
                     tix_strerror(o->st_end), tix_strerror(o->st_feed));
        if (o->st_feed != TIX_OK || o->st_end != TIX_OK)
            break;
    }
    const tix_error *err = tix_engine_error(e);
    o->err_status = err->status;
    o->err_line = err->line;
    snprintf(o->err_msg, sizeof o->err_msg, "%s", err->message);
    FZ_CHECK(err->input != NULL, "tix_error.input is NULL");
    tix_status first = o->st_begin ? o->st_begin : o->st_feed ? o->st_feed : o->st_end;
    FZ_CHECK(first == err->status, "call status %s but tix_engine_error says %s",
             tix_strerror(first), tix_strerror(err->status));
    o->counts = *tix_engine_counts(e);
    check_counts(&o->counts, "counts");
    FZ_CHECK(o->nrejects == o->counts.rejected, "%llu reject callbacks, counts.rejected %llu",
             (unsigned long long)o->nrejects, (unsigned long long)o->counts.rejected);
    capture_cube(tix_engine_cube(e), opts->cell_stats, opts->max_memory != 0, o);
    FZ_CHECK(o->st_final != TIX_OK || o->cube_n == o->counts.accepted,
             "cube holds %llu contracts, accepted %llu", (unsigned long long)o->cube_n,
             (unsigned long long)o->counts.accepted);
    tix_engine_free(e);
}

static void outcome_free(outcome *o)
{
    fz_bytes_free(&o->rejects);
    fz_bytes_free(&o->cube);
}

static const char *mode_name(int mode)
{
    return mode == FEED_WHOLE ? "whole" : mode == FEED_RANDOM ? "random chunks" : "1-byte chunks";
}

static void same_outcome(const outcome *a, const outcome *b, int mode)
{
    const char *m = mode_name(mode);
    FZ_CHECK(a->st_begin == b->st_begin && a->st_feed == b->st_feed && a->st_end == b->st_end,
             "statuses differ whole vs %s: feed %s/%s, end %s/%s", m, tix_strerror(a->st_feed),
             tix_strerror(b->st_feed), tix_strerror(a->st_end), tix_strerror(b->st_end));
    FZ_CHECK(a->err_status == b->err_status && a->err_line == b->err_line &&
                 strcmp(a->err_msg, b->err_msg) == 0,
             "tix_error differs whole vs %s: line %llu '%s' / line %llu '%s'", m,
             (unsigned long long)a->err_line, a->err_msg, (unsigned long long)b->err_line,
             b->err_msg);
    /* counts.bytes is what was fed before a failure, which depends on the split. */
    tix_counts ca = a->counts, cb = b->counts;
    if (a->err_status != TIX_OK)
        ca.bytes = cb.bytes = 0;
    FZ_CHECK(memcmp(&ca, &cb, sizeof ca) == 0,
             "counts differ whole vs %s: read %llu/%llu accepted %llu/%llu rejected %llu/%llu "
             "bytes %llu/%llu",
             m, (unsigned long long)a->counts.read, (unsigned long long)b->counts.read,
             (unsigned long long)a->counts.accepted, (unsigned long long)b->counts.accepted,
             (unsigned long long)a->counts.rejected, (unsigned long long)b->counts.rejected,
             (unsigned long long)a->counts.bytes, (unsigned long long)b->counts.bytes);
    FZ_CHECK(a->rejects.len == b->rejects.len &&
                 (a->rejects.len == 0 || memcmp(a->rejects.p, b->rejects.p, a->rejects.len) == 0),
             "rejects differ whole vs %s (first difference at byte %zu of the reject log)", m,
             fz_diff_at(a->rejects.p, a->rejects.len, b->rejects.p, b->rejects.len));
    FZ_CHECK(a->cube.len == b->cube.len &&
                 (a->cube.len == 0 || memcmp(a->cube.p, b->cube.p, a->cube.len) == 0),
             "cubes differ whole vs %s (at byte %zu of the serialization)", m,
             fz_diff_at(a->cube.p, a->cube.len, b->cube.p, b->cube.len));
}

/* ---- the reader and plain libcsv --------------------------------------- */

typedef struct rec {
    size_t f_off, f_len; /* serialized fields in rowlist.data */
    size_t nfields;
    uint64_t line;
    size_t raw_off, raw_len; /* in rowlist.raw */
    unsigned flags;
} rec;

typedef struct rowlist {
    fz_bytes data, raw;
    rec *v;
    size_t n, cap;
    int open; /* libcsv: a record has fields but no end yet */
} rowlist;

static rec *rows_push(rowlist *rl)
{
    if (rl->n == rl->cap) {
        size_t cap = rl->cap ? rl->cap * 2 : 64;
        rec *v = realloc(rl->v, cap * sizeof *v);
        if (!v)
            fz_die("out of memory");
        rl->v = v;
        rl->cap = cap;
    }
    rec *r = &rl->v[rl->n++];
    memset(r, 0, sizeof *r);
    r->f_off = rl->data.len;
    return r;
}

static void rows_free(rowlist *rl)
{
    fz_bytes_free(&rl->data);
    fz_bytes_free(&rl->raw);
    free(rl->v);
    memset(rl, 0, sizeof *rl);
}

static void put_field(fz_bytes *b, const void *p, size_t len)
{
    fz_put_u64(b, len);
    if (len)
        fz_put(b, p, len);
}

static void libcsv_rows(const uint8_t *data, size_t size, rowlist *rl);
static void dump_fields(const char *who, const rowlist *rl, size_t i);

/* The raw text of a record is the record as it stood in the file: parsed
 * on its own by plain libcsv it gives back exactly that record. */
static void check_raw(const rowlist *rl, const rec *r, const tix_row *row)
{
    rowlist again = {0};
    libcsv_rows((const uint8_t *)row->raw, row->raw_len, &again);
    if (again.n != 1 || again.v[0].nfields != r->nfields || again.v[0].f_len != r->f_len ||
        memcmp(again.data.p + again.v[0].f_off, rl->data.p + r->f_off, r->f_len) != 0) {
        dump_fields("record", rl, rl->n - 1);
        for (size_t i = 0; i < again.n; i++)
            dump_fields("raw reparsed", &again, i);
        fz_die("raw text of the record on line %llu (%zu bytes) parses to %zu other record(s)",
               (unsigned long long)row->line, row->raw_len, again.n);
    }
    free(again.v);
    fz_bytes_free(&again.data);
    fz_bytes_free(&again.raw);
}

static tix_status reader_row(void *ctx, const tix_row *row)
{
    rowlist *rl = ctx;
    FZ_CHECK(row->nfields > 0, "reader delivered a record with no fields");
    FZ_CHECK(row->line >= 1, "reader row on line 0");
    FZ_CHECK(rl->n == 0 || row->line >= rl->v[rl->n - 1].line,
             "reader row lines go backwards: %llu after %llu", (unsigned long long)row->line,
             (unsigned long long)rl->v[rl->n - 1].line);
    FZ_CHECK((row->flags & ~(unsigned)TIX_ROW_UNTERMINATED_QUOTE) == 0, "unknown row flags %#x",
             row->flags);
    rec *r = rows_push(rl);
    for (size_t i = 0; i < row->nfields; i++) {
        FZ_CHECK(row->fields[i].ptr != NULL || row->fields[i].len == 0, "NULL field view");
        put_field(&rl->data, row->fields[i].ptr, row->fields[i].len);
    }
    r->f_len = rl->data.len - r->f_off;
    r->nfields = row->nfields;
    r->line = row->line;
    r->raw_off = rl->raw.len;
    r->raw_len = row->raw_len;
    fz_put(&rl->raw, row->raw, row->raw_len);
    r->flags = row->flags;
    if (!(row->flags & TIX_ROW_UNTERMINATED_QUOTE))
        check_raw(rl, r, row);
    return TIX_OK;
}

static void csv_field_cb(void *s, size_t len, void *ctx)
{
    rowlist *rl = ctx;
    if (!rl->open) {
        rows_push(rl);
        rl->open = 1;
    }
    rec *r = &rl->v[rl->n - 1];
    put_field(&rl->data, s, len);
    r->nfields++;
}

static void csv_record_cb(int term, void *ctx)
{
    rowlist *rl = ctx;
    (void)term;
    if (!rl->open) /* a record with no field callback: not expected, keep it visible */
        rows_push(rl);
    rec *r = &rl->v[rl->n - 1];
    r->f_len = rl->data.len - r->f_off;
    rl->open = 0;
}

static void libcsv_rows(const uint8_t *data, size_t size, rowlist *rl)
{
    struct csv_parser p;
    FZ_CHECK(csv_init(&p, 0) == 0, "csv_init failed");
    size_t done = csv_parse(&p, data, size, csv_field_cb, csv_record_cb, rl);
    FZ_CHECK(done == size, "libcsv parsed %zu of %zu bytes: %s", done, size,
             csv_strerror(csv_error(&p)));
    FZ_CHECK(csv_fini(&p, csv_field_cb, csv_record_cb, rl) == 0, "csv_fini failed");
    csv_free(&p);
    FZ_CHECK(!rl->open, "libcsv left a record open");
}

typedef struct reader_run {
    tix_status st_feed, st_finish;
    uint64_t fail_line;
} reader_run;

/* Feeds one input into an existing reader (which is reused across inputs). */
static reader_run reader_input(tix_reader *r, const uint8_t *data, size_t size, int mode,
                               uint64_t seed)
{
    reader_run rr = {TIX_OK, TIX_OK, 0};
    feeder f = {mode, seed | 1, data, size, 0};
    for (;;) {
        size_t n = next_chunk(&f);
        if (n == 0 && f.pos == size)
            break;
        tix_status st = tix_reader_feed(r, data + f.pos, n);
        f.pos += n;
        if (st != TIX_OK) {
            rr.st_feed = st;
            rr.fail_line = tix_reader_line(r);
            FZ_CHECK(tix_reader_status(r) == st && !tix_reader_at_record_start(r),
                     "failed reader: tix_reader_status %s, at_record_start %d",
                     tix_strerror(tix_reader_status(r)), tix_reader_at_record_start(r));
            break;
        }
    }
    rr.st_finish = tix_reader_finish(r);
    FZ_CHECK(tix_reader_status(r) == TIX_OK && tix_reader_at_record_start(r) &&
                 tix_reader_lines(r) == 0,
             "a finished reader is not as new");
    if (rr.st_feed != TIX_OK)
        FZ_CHECK(rr.st_finish == rr.st_feed, "reader finish after failed feed: %s, feed %s",
                 tix_strerror(rr.st_finish), tix_strerror(rr.st_feed));
    return rr;
}

static void same_rows(const rowlist *a, const rowlist *b, const char *what)
{
    FZ_CHECK(a->n == b->n, "%s: %zu rows vs %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const rec *x = &a->v[i], *y = &b->v[i];
        FZ_CHECK(x->nfields == y->nfields && x->f_len == y->f_len &&
                     memcmp(a->data.p + x->f_off, b->data.p + y->f_off, x->f_len) == 0,
                 "%s: fields of row %zu differ", what, i);
        FZ_CHECK(x->line == y->line, "%s: row %zu on line %llu vs %llu", what, i,
                 (unsigned long long)x->line, (unsigned long long)y->line);
        FZ_CHECK(x->flags == y->flags, "%s: row %zu flags %#x vs %#x", what, i, x->flags, y->flags);
        FZ_CHECK(x->raw_len == y->raw_len &&
                     (x->raw_len == 0 ||
                      memcmp(a->raw.p + x->raw_off, b->raw.p + y->raw_off, x->raw_len) == 0),
                 "%s: raw bytes of row %zu differ", what, i);
    }
}

/* Prints a record's fields as C strings for a failure report. */
static void dump_fields(const char *who, const rowlist *rl, size_t i)
{
    if (i >= rl->n) {
        fprintf(stderr, "  %s: (no record %zu)\n", who, i);
        return;
    }
    const rec *r = &rl->v[i];
    const unsigned char *p = rl->data.p + r->f_off;
    fprintf(stderr, "  %s record %zu (%zu fields):", who, i, r->nfields);
    for (size_t k = 0; k < r->nfields; k++) {
        uint64_t len;
        memcpy(&len, p, sizeof len);
        p += sizeof len;
        fputs(" \"", stderr);
        for (uint64_t j = 0; j < len && j < 80; j++) {
            unsigned c = p[j];
            if (c == '"' || c == '\\')
                fprintf(stderr, "\\%c", c);
            else if (c >= 0x20 && c < 0x7f)
                fputc((int)c, stderr);
            else
                fprintf(stderr, "\\x%02x", c);
        }
        fputs(len > 80 ? "...\"" : "\"", stderr);
        p += len;
    }
    fputc('\n', stderr);
}

static void differential(const uint8_t *data, size_t size, uint64_t seed, size_t max_record,
                         size_t max_fields, rowlist *whole)
{
    tix_reader_opts ro = {max_record, max_fields, 0};
    rowlist chunked = {0}, plain = {0};
    tix_reader *r = NULL;
    tix_status st = tix_reader_new(&r, &ro, reader_row, whole);
    FZ_CHECK(st == TIX_OK, "tix_reader_new: %s", tix_strerror(st));
    reader_run a = reader_input(r, data, size, FEED_WHOLE, seed);
    tix_reader_free(r);
    /* A second input on a reused reader, fed in chunks. */
    st = tix_reader_new(&r, &ro, reader_row, &chunked);
    FZ_CHECK(st == TIX_OK, "tix_reader_new: %s", tix_strerror(st));
    reader_run warm = reader_input(r, (const uint8_t *)"x,\"y\nz", 6, FEED_WHOLE, seed);
    FZ_CHECK(warm.st_finish == TIX_OK || max_fields == 1, "warm-up input failed: %s",
             tix_strerror(warm.st_finish));
    chunked.n = 0;
    chunked.data.len = chunked.raw.len = 0;
    reader_run b = reader_input(r, data, size, FEED_RANDOM, seed * 31 + 7);
    tix_reader_free(r);

    FZ_CHECK(a.st_feed == b.st_feed && a.st_finish == b.st_finish,
             "reader status whole %s/%s vs chunked %s/%s", tix_strerror(a.st_feed),
             tix_strerror(a.st_finish), tix_strerror(b.st_feed), tix_strerror(b.st_finish));
    FZ_CHECK(a.st_finish == TIX_OK || a.st_finish == TIX_E_LIMIT, "reader failed with %s",
             tix_strerror(a.st_finish));
    if (a.st_feed != TIX_OK)
        FZ_CHECK(a.fail_line == b.fail_line, "reader failure line whole %llu vs chunked %llu",
                 (unsigned long long)a.fail_line, (unsigned long long)b.fail_line);
    same_rows(whole, &chunked, "reader whole vs chunked");

    libcsv_rows(data, size, &plain);
    int limited = a.st_finish == TIX_E_LIMIT;
    if (!limited && whole->n != plain.n) {
        size_t k = whole->n < plain.n ? whole->n : plain.n;
        dump_fields("techidx", whole, k);
        dump_fields("libcsv", &plain, k);
        fz_die("differential: techidx reader gives %zu records, libcsv %zu", whole->n, plain.n);
    }
    FZ_CHECK(whole->n <= plain.n,
             "differential: reader stopped (%s) after %zu records, "
             "libcsv has only %zu",
             tix_strerror(a.st_finish), whole->n, plain.n);
    for (size_t i = 0; i < whole->n; i++) {
        const rec *x = &whole->v[i], *y = &plain.v[i];
        if (x->nfields == y->nfields && x->f_len == y->f_len &&
            memcmp(whole->data.p + x->f_off, plain.data.p + y->f_off, x->f_len) == 0)
            continue;
        dump_fields("techidx", whole, i);
        dump_fields("libcsv", &plain, i);
        fz_die("differential: record %zu (line %llu) differs from plain libcsv", i,
               (unsigned long long)x->line);
    }
    rows_free(&chunked);
    rows_free(&plain);
}

/* One input vs the same input twice through one engine. Without dedup
 * everything doubles; with dedup the second copy only adds duplicate_id
 * rejects (every row accepted the first time, plus the first copy's own
 * duplicates). */
static void check_two_inputs(const outcome *one, const outcome *two, int dedup)
{
    const tix_counts *c1 = &one->counts, *c2 = &two->counts;
    FZ_CHECK(c2->inputs == 2 && c1->inputs == 1 && c2->bytes == 2 * c1->bytes,
             "two inputs: inputs/bytes");
    FZ_CHECK(c2->read == 2 * c1->read, "two inputs: read %llu, one input %llu",
             (unsigned long long)c2->read, (unsigned long long)c1->read);
    if (!dedup) {
        FZ_CHECK(c2->accepted == 2 * c1->accepted && c2->rejected == 2 * c1->rejected,
                 "two inputs: accepted/rejected not doubled");
        for (int i = 0; i < TIX_REASON_COUNT; i++)
            FZ_CHECK(c2->by_reason[i] == 2 * c1->by_reason[i], "two inputs: by_reason[%d]", i);
        FZ_CHECK(two->rejects.len == 2 * one->rejects.len &&
                     (one->rejects.len == 0 ||
                      (memcmp(two->rejects.p, one->rejects.p, one->rejects.len) == 0 &&
                       memcmp(two->rejects.p + one->rejects.len, one->rejects.p,
                              one->rejects.len) == 0)),
                 "two inputs: the second input's rejects differ from the first's");
        FZ_CHECK(two->cube_ncells == one->cube_ncells && two->cube_nentries == one->cube_nentries &&
                     two->cube_n == 2 * one->cube_n,
                 "two inputs: cube shape differs");
        return;
    }
    FZ_CHECK(c2->accepted == c1->accepted, "dedup: a second copy adds accepted rows (%llu vs %llu)",
             (unsigned long long)c2->accepted, (unsigned long long)c1->accepted);
    for (int i = 0; i < TIX_REASON_COUNT; i++) {
        uint64_t want = 2 * c1->by_reason[i];
        if (i == TIX_REASON_DUPLICATE_ID)
            want += c1->accepted;
        FZ_CHECK(c2->by_reason[i] == want, "dedup: by_reason[%s] is %llu, expected %llu",
                 tix_reason_name((tix_reason)i), (unsigned long long)c2->by_reason[i],
                 (unsigned long long)want);
    }
    FZ_CHECK(two->rejects.len >= one->rejects.len &&
                 (one->rejects.len == 0 ||
                  memcmp(two->rejects.p, one->rejects.p, one->rejects.len) == 0),
             "dedup: the first input's rejects differ");
    FZ_CHECK(two->cube.len == one->cube.len &&
                 (one->cube.len == 0 || memcmp(two->cube.p, one->cube.p, one->cube.len) == 0),
             "dedup: a second copy changes the cube");
}

/* ---- the target -------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t seed = fz_hash(data, size);
    /* Mostly 4096 bytes per record; sometimes tight enough to hit real rows. */
    size_t max_record = (seed >> 60) < 12 ? 4096 : 40 + (size_t)((seed >> 40) % 200);
    size_t max_fields = (seed >> 56) % 4 == 0 ? 3 + (size_t)((seed >> 32) % 8) : 0;

    /* 1. whole vs chunked, with cell statistics and small limits. */
    tix_engine_opts o1 = {0};
    o1.period = TIX_PERIOD_WEEK;
    o1.by = "sector";
    o1.measure = TIX_MEASURE_TECH_AMOUNT;
    o1.cell_stats = 1;
    o1.max_record_bytes = max_record;
    o1.max_fields = max_fields;
    o1.max_cells = 64;
    o1.max_pairs = 256;
    o1.dedup = (seed >> 20) & 1;
    if ((seed >> 21) & 1) {
        o1.has_range = 1;
        o1.from_day = 19358; /* 2023-01-01 */
        o1.to_day = 19358 + (int32_t)((seed >> 22) % 800);
    }
    outcome whole, other;
    run_engine(&o1, data, size, FEED_WHOLE, seed, 1, &whole);
    run_engine(&o1, data, size, FEED_RANDOM, seed, 1, &other);
    same_outcome(&whole, &other, FEED_RANDOM);
    outcome_free(&other);
    if (size <= 2048) {
        run_engine(&o1, data, size, FEED_BYTES, seed, 1, &other);
        same_outcome(&whole, &other, FEED_BYTES);
        outcome_free(&other);
    }

    /* 3. the reader against plain libcsv (and itself, chunked). */
    rowlist rows = {0};
    differential(data, size, seed, max_record, max_fields, &rows);
    if (whole.err_status == TIX_OK) {
        /* The engine saw exactly the reader's records: a header, then rows. */
        uint64_t want = rows.n ? rows.n - 1 : 0;
        FZ_CHECK(whole.counts.read == want, "engine read %llu rows, the reader delivers %llu",
                 (unsigned long long)whole.counts.read, (unsigned long long)want);
    }
    rows_free(&rows);
    outcome_free(&whole);

    /* 4. other option sets: two inputs through one engine, with and
     * without dedup ... */
    for (int dedup = 0; dedup <= 1; dedup++) {
        tix_engine_opts o2 = {0};
        o2.period = TIX_PERIOD_DAY;
        o2.by = "contract_type";
        o2.measure = TIX_MEASURE_AMOUNT;
        o2.dedup = dedup;
        outcome one, two;
        run_engine(&o2, data, size, FEED_WHOLE, seed, 1, &one);
        run_engine(&o2, data, size, FEED_RANDOM, seed ^ 0x5a5a, 2, &two);
        if (one.err_status == TIX_OK && two.err_status == TIX_OK)
            check_two_inputs(&one, &two, dedup);
        outcome_free(&one);
        outcome_free(&two);
    }

    /* ... and a header map with tiny cube limits. */
    static const tix_header_map maps[] = {{TIX_COL_BUYER_REGION, "buyer"},
                                          {TIX_COL_CONTRACT_ID, "id"}};
    tix_engine_opts o3 = {0};
    o3.period = (tix_period_kind)(TIX_PERIOD_MONTH + (int)(seed % 3));
    o3.by = "buyer_region,sector";
    o3.measure = TIX_MEASURE_AMOUNT;
    o3.cell_stats = 1;
    o3.maps = maps;
    o3.nmaps = sizeof maps / sizeof maps[0];
    o3.max_cells = 3;
    o3.max_pairs = 5;
    o3.dedup = 1;
    o3.has_range = 1;
    o3.from_day = 19723; /* 2024-01-01 */
    o3.to_day = 20088;   /* 2024-12-31 */
    o3.max_memory = 2048 + (size_t)((seed >> 8) % 65536);
    /* The other ways of reading values (issue 14). */
    o3.amount_unit = seed & 1 ? TIX_AMOUNT_WAN : TIX_AMOUNT_YUAN;
    o3.date_format = seed & 2 ? "%d.%m.%Y %H:%M" : NULL;
    outcome third;
    run_engine(&o3, data, size, FEED_RANDOM, seed ^ 0xa5a5, 1, &third);
    outcome_free(&third);

    /* 5. an encoding (GB18030 or GBK: the converter's held characters at
     * chunk ends) and a delimiter (';' or tab), whole vs chunked. */
    tix_engine_opts o5 = {0};
    o5.period = TIX_PERIOD_MONTH;
    o5.by = "sector,contract_type";
    o5.measure = TIX_MEASURE_TECH_AMOUNT;
    o5.encoding = (seed >> 24) & 1 ? TIX_ENCODING_GB18030 : TIX_ENCODING_GBK;
    o5.delimiter = (seed >> 25) % 3 == 0 ? ',' : (seed >> 25) % 3 == 1 ? ';' : '\t';
    o5.max_record_bytes = max_record;
    run_engine(&o5, data, size, FEED_WHOLE, seed, 1, &whole);
    run_engine(&o5, data, size, FEED_RANDOM, seed ^ 0x3c3c, 1, &other);
    same_outcome(&whole, &other, FEED_RANDOM);
    outcome_free(&other);
    if (size <= 2048) {
        run_engine(&o5, data, size, FEED_BYTES, seed, 1, &other);
        same_outcome(&whole, &other, FEED_BYTES);
        outcome_free(&other);
    }
    outcome_free(&whole);
    return 0;
}
