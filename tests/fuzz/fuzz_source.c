/* libFuzzer target for the decompression path (tix_source, and the engine's
 * file driver on top of it).
 *
 * Input layout. An input that starts with the gzip magic (1f 8b) or whose
 * first byte is even is written to a file as it is ("raw": real .gz files
 * and plain text both work as seeds). Otherwise the input is a recipe:
 *   byte 0  odd
 *   byte 1  flags: 1 two members, 2 FNAME, 4 FCOMMENT, 8 FHCRC, 16 FEXTRA,
 *           32 flip a byte, 64 truncate, 128 append trailing bytes
 *   byte 2  level (b % 10) and strategy ((b / 10) % 5)
 *   byte 3-4 a position (member split, flipped byte, truncation point)
 *   byte 5  xor mask / truncation / trailer choice
 *   rest    the payload, compressed with zlib into one or two members.
 * so that the fuzzer reaches multi-member, header-flag and trailer logic.
 * One recipe in 16 (byte 0 = 0x1f, 0x3f, ...) is instead a big file: the
 * payload repeated past 2 MiB (see big_case).
 *
 * Checks: the file is read to the end through tix_source_read with each
 * inflate back end this build has (zlib, ISA-L) and three buffer policies:
 * a small buffer (1..64 bytes, from a hash of the input), 64 KiB, and
 * varying sizes; statuses and messages must agree and clean reads give
 * identical bytes.
 * Plain files must read back exactly. Gzip files are compared with zlib's
 * inflate (windowBits 15+16, looping over members, anything after a member
 * that is not another member is an error): tix_source returns TIX_OK iff
 * zlib decodes the whole file, with the same bytes, and otherwise
 * TIX_E_GZIP with output that is a prefix of zlib's. Finally
 * tix_engine_add_file, with one and two threads and each back end, must
 * give one result, agree with feeding the decoded bytes to an engine, and
 * never succeed on a file zlib rejects. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz_common.h"
#include "techidx/engine.h"
#include "techidx/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decoded output beyond this is not compared (a deflate bomb). */
#define OUT_LIMIT ((size_t)16 << 20)

/* ---- the scratch file -------------------------------------------------- */

static int tmp_fd = -1;
static char tmp_path[64];

/* One unlinked temp file per process, reached through /proc/self/fd so
 * that nothing is left behind when a run aborts. */
static void write_input(const unsigned char *p, size_t n)
{
    if (tmp_fd < 0) {
        char tmpl[] = "/tmp/tix_fuzz_source_XXXXXX";
        tmp_fd = mkstemp(tmpl);
        FZ_CHECK(tmp_fd >= 0, "mkstemp failed");
        unlink(tmpl);
        snprintf(tmp_path, sizeof tmp_path, "/proc/self/fd/%d", tmp_fd);
    }
    FZ_CHECK(ftruncate(tmp_fd, 0) == 0, "ftruncate failed");
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(tmp_fd, p + done, n - done, (off_t)done);
        FZ_CHECK(w > 0, "pwrite failed");
        done += (size_t)w;
    }
}

/* ---- gzip recipes ------------------------------------------------------ */

static unsigned char hname[] = "fuzz.csv";
static unsigned char hcomment[] = "hostile and broken dumps";
static unsigned char hextra[] = {'T', 'X', 2, 0, 'o', 'k'};

static void gzip_member(fz_bytes *out, const uint8_t *p, size_t n, int level, int strategy,
                        unsigned flags)
{
    static const int strategies[] = {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE,
                                     Z_FIXED};
    z_stream z;
    memset(&z, 0, sizeof z);
    FZ_CHECK(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, strategies[strategy]) == Z_OK,
             "deflateInit2 failed");
    gz_header h;
    memset(&h, 0, sizeof h);
    h.os = 3;
    h.time = 1700000000;
    if (flags & 2)
        h.name = hname;
    if (flags & 4)
        h.comment = hcomment;
    if (flags & 8)
        h.hcrc = 1;
    if (flags & 16) {
        h.extra = hextra;
        h.extra_len = sizeof hextra;
    }
    FZ_CHECK(deflateSetHeader(&z, &h) == Z_OK, "deflateSetHeader failed");
    unsigned char buf[16384];
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    int zr;
    do {
        z.next_out = buf;
        z.avail_out = sizeof buf;
        zr = deflate(&z, Z_FINISH);
        fz_put(out, buf, sizeof buf - z.avail_out);
    } while (zr == Z_OK || zr == Z_BUF_ERROR);
    FZ_CHECK(zr == Z_STREAM_END, "deflate: %d", zr);
    deflateEnd(&z);
}

/* Builds the file of a recipe; returns 1 when it was damaged on purpose. */
static int build_recipe(const uint8_t *data, size_t size, fz_bytes *file)
{
    unsigned flags = data[1];
    int level = data[2] % 10, strategy = (data[2] / 10) % 5;
    size_t pos = (size_t)data[3] << 8 | data[4];
    unsigned aux = data[5];
    const uint8_t *pl = data + 6;
    size_t n = size - 6;
    if (flags & 1) {
        size_t cut = pos % (n + 1);
        gzip_member(file, pl, cut, level, strategy, flags);
        gzip_member(file, pl + cut, n - cut, level, strategy, flags);
    } else {
        gzip_member(file, pl, n, level, strategy, flags);
    }
    if ((flags & 32) && file->len > 0)
        file->p[pos % file->len] ^= (unsigned char)(aux ? aux : 0x80);
    if ((flags & 64) && file->len > 0) {
        if (aux & 0x80)
            file->len = pos % file->len;
        else
            file->len -= 1 + (aux % 16 < file->len ? aux % 16 : file->len - 1);
    }
    if (flags & 128) {
        static const unsigned char tails[][3] = {
            {0, 0, 0}, {0x1f, 0, 0}, {0x1f, 0x8b, 0}, {0x1f, 0x8b, 8}, {'x', '\n', 0}};
        static const size_t tail_len[] = {3, 1, 2, 3, 2};
        unsigned k = (aux >> 3) % 5;
        fz_put(file, tails[k], tail_len[k]);
    }
    return (flags & (32 | 64 | 128)) != 0;
}

/* ---- zlib as the reference --------------------------------------------- */

enum { REF_OK, REF_ERROR, REF_TOO_BIG };

static int ref_gunzip(const unsigned char *in, size_t n, fz_bytes *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    FZ_CHECK(inflateInit2(&z, 15 + 16) == Z_OK, "inflateInit2 failed");
    unsigned char buf[65536];
    size_t pos = 0;
    int result;
    for (;;) {
        z.next_in = (Bytef *)(uintptr_t)(in + pos);
        z.avail_in = (uInt)(n - pos);
        int zr;
        do {
            z.next_out = buf;
            z.avail_out = sizeof buf;
            zr = inflate(&z, Z_NO_FLUSH);
            fz_put(out, buf, sizeof buf - z.avail_out);
            if (out->len > OUT_LIMIT) {
                result = REF_TOO_BIG;
                goto done;
            }
        } while (zr == Z_OK);
        pos = n - z.avail_in;
        if (zr != Z_STREAM_END) { /* corrupt, or Z_BUF_ERROR: truncated */
            result = REF_ERROR;
            goto done;
        }
        if (pos == n) {
            result = REF_OK;
            goto done;
        }
        if (n - pos < 2 || in[pos] != 0x1f || in[pos + 1] != 0x8b) {
            result = REF_ERROR; /* trailing garbage */
            goto done;
        }
        inflateReset(&z);
    }
done:
    inflateEnd(&z);
    return result;
}

/* Known library bug, tolerated unless TIX_FUZZ_STRICT is set: for a gzip
 * file broken in two ways the TIX_E_GZIP message depends on the back end
 * (source.h promises "the same errors"): a member with a wrong CRC whose
 * length field is then cut short is "CRC or length check failed" with zlib
 * (it checks the CRC as soon as its 4 bytes are in) but "truncated gzip
 * stream" with ISA-L (it waits for all 8 trailer bytes). The statuses
 * agree. Reproducer: tests/fuzz/crashes/source-gzip-message-crc-then-eof. */
static int gzip_msg_tolerated(tix_status st) { return !strict_mode() && st == TIX_E_GZIP; }

/* ---- reading through tix_source ---------------------------------------- */

enum { CAP_SMALL, CAP_BIG, CAP_VARY };

typedef struct src_run {
    tix_status st;
    int is_gzip;
    int too_big;
    uint64_t bytes_in;
    char msg[256];
    fz_bytes out;
} src_run;

static void read_source(tix_inflate backend, int mode, size_t small_cap, uint64_t seed, src_run *r)
{
    static unsigned char buf[65536];
    char err[256] = "";
    tix_source *s = NULL;
    memset(r, 0, sizeof *r);
    tix_status st = tix_source_open(&s, tmp_path, err, sizeof err);
    FZ_CHECK(st == TIX_OK && s != NULL, "tix_source_open: %s (%s)", tix_strerror(st), err);
    r->is_gzip = tix_source_is_gzip(s);
    st = tix_source_set_inflate(s, backend);
    FZ_CHECK(st == TIX_OK, "tix_source_set_inflate(%s): %s", tix_inflate_name(backend),
             tix_strerror(st));
    size_t got = 99;
    FZ_CHECK(tix_source_read(s, buf, 0, &got) == TIX_E_INVALID && got == 0,
             "tix_source_read with cap 0 is not TIX_E_INVALID");
    int first = 1;
    uint64_t rng = seed | 1;
    for (;;) {
        size_t cap = mode == CAP_SMALL ? small_cap
                     : mode == CAP_BIG ? sizeof buf
                                       : 1 + (size_t)(fz_rng(&rng) % 200);
        got = 0;
        st = tix_source_read(s, buf, cap, &got);
        if (first) {
            first = 0;
            FZ_CHECK(tix_source_set_inflate(s, backend) == TIX_E_INVALID,
                     "tix_source_set_inflate accepted after reading began");
        }
        if (st != TIX_OK) {
            FZ_CHECK(got == 0, "failed read reports %zu bytes", got);
            size_t again = 7;
            tix_status st2 = tix_source_read(s, buf, cap, &again);
            FZ_CHECK(st2 == st && again == 0, "read after failure: %s, first %s", tix_strerror(st2),
                     tix_strerror(st));
            FZ_CHECK(tix_source_error(s)[0] != '\0', "failed source without a message");
            break;
        }
        FZ_CHECK(got <= cap, "read %zu bytes into a %zu-byte buffer", got, cap);
        if (got == 0) {
            size_t again = 7;
            FZ_CHECK(tix_source_read(s, buf, cap, &again) == TIX_OK && again == 0,
                     "read after end of input is not a clean end");
            break;
        }
        fz_put(&r->out, buf, got);
        if (r->out.len > OUT_LIMIT) {
            r->too_big = 1;
            break;
        }
    }
    r->st = st;
    snprintf(r->msg, sizeof r->msg, "%s", tix_source_error(s));
    FZ_CHECK(st != TIX_OK || r->too_big || r->msg[0] == '\0', "clean read with message '%s'",
             r->msg);
    r->bytes_in = tix_source_bytes_in(s);
    tix_source_free(s);
}

/* ---- the engine's file driver ------------------------------------------ */

typedef struct eng_run {
    tix_status st;
    uint64_t err_line;
    char msg[512];
    tix_counts counts;
    fz_bytes rejects;
    tix_status st_final;
    uint64_t cube_hash; /* of the finalized cube's periods, cells and entries */
} eng_run;

static uint64_t mix(uint64_t h, uint64_t v) { return fz_hash(&v, sizeof v) ^ (h * 31); }

static void digest_cube(tix_cube *c, eng_run *r)
{
    r->st_final = tix_cube_finalize(c);
    if (r->st_final != TIX_OK)
        return;
    uint64_t h = 1;
    size_t nc = tix_cube_ncells(c), np = tix_cube_nperiods(c);
    for (size_t i = 0; i < nc; i++) {
        const char *name = tix_cube_cell_name(c, i);
        h = mix(h, fz_hash(name, strlen(name)));
    }
    for (size_t i = 0; i < np; i++) {
        size_t n = 0;
        const tix_cube_entry *en = tix_cube_entries(c, i, &n);
        h = mix(h, (uint64_t)(uint32_t)tix_cube_period(c, i));
        for (size_t k = 0; k < n; k++) {
            h = mix(h, en[k].cell);
            h = mix(h, en[k].n);
            h = mix(h, (uint64_t)en[k].value);
        }
    }
    r->cube_hash = h;
}

static tix_status log_reject(void *ctx, const tix_reject *rj)
{
    eng_run *r = ctx;
    fz_put_u64(&r->rejects, rj->line);
    fz_put_u64(&r->rejects, (uint64_t)rj->reason);
    fz_put_u64(&r->rejects, rj->raw_len);
    fz_put(&r->rejects, rj->raw, rj->raw_len);
    return TIX_OK;
}

/* through tix_engine_add_file (bytes == NULL) or begin/feed/end */
static void run_engine(const unsigned char *bytes, size_t n, unsigned threads, tix_inflate backend,
                       eng_run *r)
{
    tix_engine_opts o = {0};
    o.threads = threads;
    o.inflate = backend;
    o.period = TIX_PERIOD_MONTH;
    o.by = "sector";
    o.max_record_bytes = 4096;
    o.max_cells = 64;
    o.max_pairs = 256;
    tix_engine *e = NULL;
    memset(r, 0, sizeof *r);
    FZ_CHECK(tix_engine_new(&e, &o, log_reject, r) == TIX_OK, "tix_engine_new failed");
    if (!bytes) {
        r->st = tix_engine_add_file(e, tmp_path);
    } else {
        r->st = tix_engine_begin(e, tmp_path);
        if (r->st == TIX_OK)
            r->st = tix_engine_feed(e, bytes, n);
        tix_status st = tix_engine_end(e);
        if (r->st == TIX_OK)
            r->st = st;
    }
    const tix_error *err = tix_engine_error(e);
    FZ_CHECK(err->status == r->st, "engine returned %s, tix_engine_error says %s",
             tix_strerror(r->st), tix_strerror(err->status));
    r->err_line = err->line;
    snprintf(r->msg, sizeof r->msg, "%s", err->message);
    r->counts = *tix_engine_counts(e);
    const tix_counts *c = &r->counts;
    uint64_t sum = 0;
    for (int i = 0; i < TIX_REASON_COUNT; i++)
        sum += c->by_reason[i];
    FZ_CHECK(c->read == c->accepted + c->rejected && sum == c->rejected,
             "engine counts inconsistent: read %llu accepted %llu rejected %llu by_reason %llu",
             (unsigned long long)c->read, (unsigned long long)c->accepted,
             (unsigned long long)c->rejected, (unsigned long long)sum);
    digest_cube(tix_engine_cube(e), r);
    tix_engine_free(e);
}

static void same_engine(const eng_run *a, const eng_run *b, const char *what)
{
    FZ_CHECK(a->st == b->st && a->err_line == b->err_line &&
                 (strcmp(a->msg, b->msg) == 0 || gzip_msg_tolerated(a->st)),
             "%s: %s line %llu '%s' vs %s line %llu '%s'", what, tix_strerror(a->st),
             (unsigned long long)a->err_line, a->msg, tix_strerror(b->st),
             (unsigned long long)b->err_line, b->msg);
    /* After a failure counts.bytes is what was read before it: driver-dependent. */
    tix_counts ca = a->counts, cb = b->counts;
    if (a->st != TIX_OK)
        ca.bytes = cb.bytes = 0;
    FZ_CHECK(memcmp(&ca, &cb, sizeof ca) == 0,
             "%s: counts differ (read %llu/%llu, accepted %llu/%llu, rejected %llu/%llu)", what,
             (unsigned long long)a->counts.read, (unsigned long long)b->counts.read,
             (unsigned long long)a->counts.accepted, (unsigned long long)b->counts.accepted,
             (unsigned long long)a->counts.rejected, (unsigned long long)b->counts.rejected);
    FZ_CHECK(a->rejects.len == b->rejects.len &&
                 (a->rejects.len == 0 || memcmp(a->rejects.p, b->rejects.p, a->rejects.len) == 0),
             "%s: rejects differ (at byte %zu of the reject log)", what,
             fz_diff_at(a->rejects.p, a->rejects.len, b->rejects.p, b->rejects.len));
    FZ_CHECK(a->st_final == b->st_final && a->cube_hash == b->cube_hash, "%s: cubes differ", what);
}

/* Big inputs: the payload repeated past the 2 MiB blocks that the threaded
 * file driver parses speculatively on worker threads, so that its block
 * cuts, the check of its guess and the merge of block cubes all run. One
 * recipe in 16 (byte 0 = 0x1f, 0x3f, ...); flag 1 gzips the file. */
#define BIG_BYTES (((size_t)2 << 20) + 1)

static void big_case(const uint8_t *data, size_t size)
{
    const uint8_t *pl = data + 6;
    size_t n = size - 6;
    size_t target = BIG_BYTES + (((size_t)data[3] << 8 | data[4]) * 37) % 65536;
    fz_bytes content = {0}, file = {0};
    while (content.len < target)
        fz_put(&content, pl, n);
    if (data[1] & 1)
        gzip_member(&file, content.p, content.len, 1, 0, 0);
    else
        fz_put(&file, content.p, content.len);
    write_input(file.p, file.len);

    static const unsigned threads[] = {0, 2, 3};
    eng_run runs[3], fed;
    for (int k = 0; k < 3; k++) {
        run_engine(NULL, 0, threads[k], TIX_INFLATE_AUTO, &runs[k]);
        if (k > 0)
            same_engine(&runs[0], &runs[k],
                        k == 1 ? "big file, 2 threads vs 1" : "big file, 3 threads vs 1");
    }
    if (getenv("TIX_FUZZ_TRACE"))
        fprintf(
            stderr, "big: %zu bytes (%zu on disk): %s line %llu '%s', read %llu accepted %llu\n",
            content.len, file.len, tix_strerror(runs[0].st), (unsigned long long)runs[0].err_line,
            runs[0].msg, (unsigned long long)runs[0].counts.read,
            (unsigned long long)runs[0].counts.accepted);
    run_engine(content.p, content.len, 0, TIX_INFLATE_AUTO, &fed);
    /* A plain file that starts with the gzip magic reads as (bad) gzip. */
    int magic = !(data[1] & 1) && content.len >= 2 && content.p[0] == 0x1f && content.p[1] == 0x8b;
    if (!magic)
        same_engine(&runs[0], &fed, "big file, add_file vs feeding the bytes");
    for (int k = 0; k < 3; k++)
        fz_bytes_free(&runs[k].rejects);
    fz_bytes_free(&fed.rejects);
    fz_bytes_free(&content);
    fz_bytes_free(&file);
}

/* ---- the target -------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_bytes file = {0};
    int recipe = size >= 7 && (data[0] & 1) && !(data[0] == 0x1f && data[1] == 0x8b);
    int damaged = 0;
    if (recipe && ((data[0] >> 1) & 15) == 15) {
        big_case(data, size);
        return 0;
    }
    if (recipe)
        damaged = build_recipe(data, size, &file);
    else
        fz_put(&file, data, size);
    write_input(file.p, file.len);

    int gz = file.len >= 2 && file.p[0] == 0x1f && file.p[1] == 0x8b;
    fz_bytes ref = {0};
    int ref_st = REF_OK;
    if (gz)
        ref_st = ref_gunzip(file.p, file.len, &ref);
    else
        fz_put(&ref, file.p, file.len);
    if (recipe && !damaged)
        FZ_CHECK(ref_st == REF_OK && ref.len == size - 6 &&
                     (ref.len == 0 || memcmp(ref.p, data + 6, ref.len) == 0),
                 "zlib does not round-trip an undamaged recipe");

    uint64_t seed = fz_hash(data, size);
    size_t small_cap = 1 + (size_t)(seed % 64);
    int big = ref.len > ((size_t)1 << 20);
    if (big)
        small_cap = 4096; /* keep bombs fast */
    tix_inflate backends[2] = {TIX_INFLATE_ZLIB, TIX_INFLATE_ISAL};
    int nbackends = tix_inflate_available(TIX_INFLATE_ISAL) ? 2 : 1;
    src_run runs[6];
    int nruns = 0;
    for (int bi = 0; bi < nbackends; bi++) {
        for (int m = 0; m < (big ? 2 : 3); m++) {
            src_run *r = &runs[nruns++];
            const char *bn = tix_inflate_name(backends[bi]);
            read_source(backends[bi], m, small_cap, seed, r);
            FZ_CHECK(r->is_gzip == gz, "tix_source_is_gzip %d for a file with%s the magic",
                     r->is_gzip, gz ? "" : "out");
            if (r->too_big || ref_st == REF_TOO_BIG)
                continue;
            if (!gz) {
                FZ_CHECK(r->st == TIX_OK, "plain file read fails: %s", tix_strerror(r->st));
            } else if (ref_st == REF_OK) {
                FZ_CHECK(r->st == TIX_OK, "%s: zlib decodes the file, tix_source fails: %s (%s)",
                         bn, tix_strerror(r->st), r->msg);
            } else {
                FZ_CHECK(r->st != TIX_OK,
                         "%s: zlib rejects the file, tix_source reads it cleanly "
                         "(%zu bytes, zlib had %zu before its error)",
                         bn, r->out.len, ref.len);
                FZ_CHECK(r->st == TIX_E_GZIP, "%s: bad gzip file fails with %s, not TIX_E_GZIP", bn,
                         tix_strerror(r->st));
            }
            if (r->st == TIX_OK) {
                FZ_CHECK(r->out.len == ref.len &&
                             (ref.len == 0 || memcmp(r->out.p, ref.p, ref.len) == 0),
                         "%s, read mode %d: %zu bytes differ from the reference's %zu at byte %zu",
                         bn, m, r->out.len, ref.len,
                         fz_diff_at(r->out.p, r->out.len, ref.p, ref.len));
                FZ_CHECK(r->bytes_in == file.len,
                         "%s: bytes_in %llu after a clean read of %zu bytes", bn,
                         (unsigned long long)r->bytes_in, file.len);
            } else {
                FZ_CHECK(r->out.len <= ref.len &&
                             (r->out.len == 0 || memcmp(r->out.p, ref.p, r->out.len) == 0),
                         "%s, read mode %d: the %zu bytes before the error are not a prefix of "
                         "zlib's output",
                         bn, m, r->out.len);
            }
            FZ_CHECK(r->st == runs[0].st &&
                         (strcmp(r->msg, runs[0].msg) == 0 || gzip_msg_tolerated(r->st)),
                     "%s, read mode %d: %s '%s', but zlib with a small buffer: %s '%s'", bn, m,
                     tix_strerror(r->st), r->msg, tix_strerror(runs[0].st), runs[0].msg);
        }
    }

    if (getenv("TIX_FUZZ_TRACE"))
        fprintf(stderr, "source: %zu-byte file, %s, zlib %s (%zu bytes), tix %s '%s' (%zu bytes)\n",
                file.len, recipe ? "recipe" : "raw",
                ref_st == REF_OK      ? "ok"
                : ref_st == REF_ERROR ? "error"
                                      : "too big",
                ref.len, tix_strerror(runs[0].st), runs[0].msg, runs[0].out.len);

    if (ref_st != REF_TOO_BIG) {
        /* The file driver: one or two threads, either back end, all alike. */
        eng_run viafile[4], viafeed;
        int nfile = 0;
        for (int bi = 0; bi < nbackends; bi++)
            for (unsigned th = 0; th <= 2; th += 2)
                run_engine(NULL, 0, th, backends[bi], &viafile[nfile++]);
        for (int k = 1; k < nfile; k++)
            same_engine(&viafile[0], &viafile[k], "add_file, back ends and threads");
        if (ref_st == REF_OK) {
            run_engine(ref.p ? ref.p : (const unsigned char *)"", ref.len, 0, TIX_INFLATE_AUTO,
                       &viafeed);
            same_engine(&viafile[0], &viafeed, "add_file vs feeding the decoded bytes");
            fz_bytes_free(&viafeed.rejects);
        } else {
            FZ_CHECK(viafile[0].st != TIX_OK,
                     "tix_engine_add_file succeeds on a file zlib rejects");
        }
        for (int k = 0; k < nfile; k++)
            fz_bytes_free(&viafile[k].rejects);
    }

    for (int m = 0; m < nruns; m++)
        fz_bytes_free(&runs[m].out);
    fz_bytes_free(&ref);
    fz_bytes_free(&file);
    return 0;
}
