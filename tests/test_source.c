/* Tests for byte sources (techidx/source.h): plain files, gzip detected by
 * magic bytes, multi-member gzip, and every way a gzip stream can be broken
 * (truncation, CRC/length trailer, trailing garbage, corrupt deflate data),
 * which must end in TIX_E_GZIP and never in a silently short clean EOF.
 *
 * Test data is made in the test: text from a fixed-seed generator, gzip
 * members from zlib's deflate with a gzip wrapper (windowBits 15+16). Every
 * test works in its own mkdtemp directory, removed by the suite's fini. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "support.h"
#include "techidx/source.h"

/* ---- helpers ------------------------------------------------------------ */

static void setup(void) { tt_tmpdir_make("source"); }

TestSuite(source, .init = setup, .fini = tt_tmpdir_remove);

typedef struct bytes {
    unsigned char *p;
    size_t len, cap;
} bytes;

static void bytes_free(bytes *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static void bytes_cat(bytes *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        cr_assert_not_null(q);
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

/* CSV-like text of at least `min_len` bytes: varied lines so it does not
 * compress to nothing. */
static bytes make_text(size_t min_len, uint64_t seed)
{
    bytes b = {NULL, 0, 0};
    char line[128];
    unsigned long i = 0;
    while (b.len < min_len) {
        uint64_t r = tt_rng_next(&seed);
        int n = snprintf(line, sizeof line, "C%06lu,2024-%02u-%02u,sector_%u,%llu.%02u,%llu\n", i++,
                         (unsigned)(r % 12) + 1, (unsigned)((r >> 8) % 28) + 1,
                         (unsigned)((r >> 16) % 11), (unsigned long long)((r >> 24) % 1000000),
                         (unsigned)((r >> 44) % 100), (unsigned long long)(r >> 50));
        bytes_cat(&b, line, (size_t)n);
    }
    return b;
}

/* Random bytes: incompressible, so the compressed file is bigger than any
 * internal read buffer. */
static bytes make_random(size_t len, uint64_t seed)
{
    bytes b = {malloc(len + 1), len, len + 1};
    cr_assert_not_null(b.p);
    for (size_t i = 0; i < len; i++)
        b.p[i] = (unsigned char)(tt_rng_next(&seed) >> 56);
    return b;
}

/* One gzip member holding data. */
static bytes gzip_member(const void *data, size_t len)
{
    bytes out = {NULL, 0, 0};
    out.p = tt_gzip(data, len, 9, &out.len);
    out.cap = out.len;
    return out;
}

/* Reads the whole source with buffers of `cap` bytes. Returns the status of
 * the first failing read (or TIX_OK after a clean EOF); *out gets whatever
 * was read before. */
static tix_status read_all_src(tix_source *s, size_t cap, bytes *out)
{
    unsigned char *buf = malloc(cap);
    cr_assert_not_null(buf);
    out->p = NULL;
    out->len = out->cap = 0;
    bytes_cat(out, "", 0);
    for (;;) {
        size_t got = 12345;
        tix_status st = tix_source_read(s, buf, cap, &got);
        if (st != TIX_OK) {
            cr_assert_eq(got, 0, "an error read must report no bytes");
            free(buf);
            return st;
        }
        cr_assert_leq(got, cap);
        if (got == 0)
            break;
        bytes_cat(out, buf, got);
    }
    free(buf);
    return TIX_OK;
}

/* Opens path, reads it all with `cap`-byte buffers, frees the source. */
static tix_status read_path(const char *path, size_t cap, bytes *out, int *is_gzip)
{
    tix_source *s = NULL;
    char err[256] = "";
    tix_status st = tix_source_open(&s, path, err, sizeof err);
    cr_assert_eq(st, TIX_OK, "open %s: %s", path, err);
    cr_assert_not_null(s);
    if (is_gzip)
        *is_gzip = tix_source_is_gzip(s);
    st = read_all_src(s, cap, out);
    if (st != TIX_OK)
        cr_assert_neq(tix_source_error(s)[0], '\0', "an error must come with a message");
    tix_source_free(s);
    return st;
}

static void assert_bytes_eq(const bytes *got, const void *want, size_t want_len)
{
    cr_assert_eq(got->len, want_len, "read %zu bytes, want %zu", got->len, want_len);
    cr_assert(want_len == 0 || memcmp(got->p, want, want_len) == 0, "content differs");
}

/* Expects the gzip file holding `data` to fail with TIX_E_GZIP for each of
 * the buffer sizes used by callers (big, 7, 1). */
static void assert_gzip_error(const char *path)
{
    static const size_t caps[] = {65536, 7, 1};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        bytes got;
        int gz = -1;
        tix_status st = read_path(path, caps[i], &got, &gz);
        cr_assert_eq(gz, 1);
        cr_assert_eq(st, TIX_E_GZIP, "cap %zu: status %d (%s), %zu bytes read", caps[i], (int)st,
                     tix_strerror(st), got.len);
        bytes_free(&got);
    }
}

/* ---- plain files ---------------------------------------------------------- */

Test(source, plain_file_read_whole)
{
    char path[256];
    tt_path(path, sizeof path, "plain.csv");
    bytes text = make_text(600 * 1024, 1); /* more than one internal buffer */
    tt_write_file(path, text.p, text.len);

    bytes got;
    int gz = -1;
    cr_assert_eq(read_path(path, 65536, &got, &gz), TIX_OK);
    cr_assert_eq(gz, 0);
    assert_bytes_eq(&got, text.p, text.len);
    bytes_free(&got);
    bytes_free(&text);
}

Test(source, plain_eof_is_sticky_and_bytes_in_counts_file)
{
    char path[256];
    tt_path(path, sizeof path, "small.csv");
    tt_write_file(path, "a,b\n1,2\n", 8);

    tix_source *s;
    cr_assert_eq(tix_source_open(&s, path, NULL, 0), TIX_OK);
    char buf[64];
    size_t got;
    cr_assert_eq(tix_source_read(s, buf, sizeof buf, &got), TIX_OK);
    cr_assert_eq(got, 8);
    cr_assert_eq(memcmp(buf, "a,b\n1,2\n", 8), 0);
    for (int i = 0; i < 3; i++) {
        got = 99;
        cr_assert_eq(tix_source_read(s, buf, sizeof buf, &got), TIX_OK);
        cr_assert_eq(got, 0);
    }
    cr_assert_eq(tix_source_bytes_in(s), 8);
    cr_assert_str_eq(tix_source_error(s), "");
    tix_source_free(s);
}

Test(source, empty_file_is_immediate_clean_eof)
{
    char path[256];
    tt_path(path, sizeof path, "empty.csv");
    tt_write_file(path, "", 0);

    tix_source *s;
    cr_assert_eq(tix_source_open(&s, path, NULL, 0), TIX_OK);
    cr_assert_eq(tix_source_is_gzip(s), 0);
    char buf[16];
    size_t got = 7;
    cr_assert_eq(tix_source_read(s, buf, sizeof buf, &got), TIX_OK);
    cr_assert_eq(got, 0);
    got = 7;
    cr_assert_eq(tix_source_read(s, buf, sizeof buf, &got), TIX_OK);
    cr_assert_eq(got, 0);
    cr_assert_eq(tix_source_bytes_in(s), 0);
    tix_source_free(s);
}

Test(source, one_byte_file_and_lone_1f_are_plain)
{
    char path[256];
    tt_path(path, sizeof path, "one");
    tt_write_file(path, "\x1f", 1);
    bytes got;
    int gz = -1;
    cr_assert_eq(read_path(path, 16, &got, &gz), TIX_OK);
    cr_assert_eq(gz, 0);
    assert_bytes_eq(&got, "\x1f", 1);
    bytes_free(&got);

    /* 1f followed by anything but 8b is not gzip either. */
    tt_path(path, sizeof path, "almost.gz");
    tt_write_file(path, "\x1f\x8c\x08rest", 7);
    cr_assert_eq(read_path(path, 16, &got, &gz), TIX_OK);
    cr_assert_eq(gz, 0);
    assert_bytes_eq(&got, "\x1f\x8c\x08rest", 7);
    bytes_free(&got);
}

Test(source, nonexistent_path_is_io_error_with_message)
{
    char path[256];
    tt_path(path, sizeof path, "does-not-exist.csv");
    tix_source *s = (tix_source *)(uintptr_t)1;
    char err[256] = "";
    cr_assert_eq(tix_source_open(&s, path, err, sizeof err), TIX_E_IO);
    cr_assert_null(s);
    cr_assert_neq(err[0], '\0');
    cr_assert_not_null(strstr(err, strerror(ENOENT)), "message: \"%s\"", err);

    /* err may be NULL. */
    s = (tix_source *)(uintptr_t)1;
    cr_assert_eq(tix_source_open(&s, path, NULL, 0), TIX_E_IO);
    cr_assert_null(s);
}

Test(source, directory_is_io_error_with_message)
{
    tix_source *s = (tix_source *)(uintptr_t)1;
    char err[256] = "", dir[256];
    tt_path(dir, sizeof dir, ".");
    cr_assert_eq(tix_source_open(&s, dir, err, sizeof err), TIX_E_IO);
    cr_assert_null(s);
    cr_assert_not_null(strstr(err, strerror(EISDIR)), "message: \"%s\"", err);
}

Test(source, free_accepts_null) { tix_source_free(NULL); }

/* ---- gzip ---------------------------------------------------------------- */

Test(source, gzip_file_decompressed)
{
    char path[256];
    tt_path(path, sizeof path, "data.csv.gz");
    bytes text = make_text(700 * 1024, 2);
    bytes gz = gzip_member(text.p, text.len);
    tt_write_file(path, gz.p, gz.len);

    tix_source *s;
    cr_assert_eq(tix_source_open(&s, path, NULL, 0), TIX_OK);
    cr_assert_eq(tix_source_is_gzip(s), 1);
    bytes got;
    cr_assert_eq(read_all_src(s, 65536, &got), TIX_OK);
    assert_bytes_eq(&got, text.p, text.len);
    cr_assert_eq(tix_source_bytes_in(s), gz.len, "bytes_in %llu, file %zu",
                 (unsigned long long)tix_source_bytes_in(s), gz.len);
    tix_source_free(s);
    bytes_free(&got);
    bytes_free(&gz);
    bytes_free(&text);
}

Test(source, gzip_larger_than_internal_buffer)
{
    /* Incompressible: the compressed file spans several internal reads. */
    char path[256];
    tt_path(path, sizeof path, "random.gz");
    bytes data = make_random(900 * 1024, 3);
    bytes gz = gzip_member(data.p, data.len);
    cr_assert_gt(gz.len, 800 * 1024);
    tt_write_file(path, gz.p, gz.len);

    bytes got;
    cr_assert_eq(read_path(path, 100000, &got, NULL), TIX_OK);
    assert_bytes_eq(&got, data.p, data.len);
    bytes_free(&got);
    bytes_free(&gz);
    bytes_free(&data);
}

Test(source, gzip_written_by_gzopen)
{
    char path[256];
    tt_path(path, sizeof path, "gzopen.gz");
    bytes text = make_text(50 * 1024, 4);
    gzFile f = gzopen(path, "wb6");
    cr_assert_not_null(f);
    cr_assert_eq(gzwrite(f, text.p, (unsigned)text.len), (int)text.len);
    cr_assert_eq(gzclose(f), Z_OK);

    bytes got;
    int gz = -1;
    cr_assert_eq(read_path(path, 4096, &got, &gz), TIX_OK);
    cr_assert_eq(gz, 1);
    assert_bytes_eq(&got, text.p, text.len);
    bytes_free(&got);
    bytes_free(&text);
}

Test(source, gzip_empty_member_is_clean_eof)
{
    char path[256];
    tt_path(path, sizeof path, "empty.gz");
    bytes gz = gzip_member("", 0);
    tt_write_file(path, gz.p, gz.len);
    bytes got;
    int is_gz = -1;
    cr_assert_eq(read_path(path, 64, &got, &is_gz), TIX_OK);
    cr_assert_eq(is_gz, 1);
    cr_assert_eq(got.len, 0);
    bytes_free(&got);
    bytes_free(&gz);
}

Test(source, gzip_detected_by_magic_not_name)
{
    char path[256];
    const char text[] = "contract_id,amount\nA1,10.00\n";
    bytes gz = gzip_member(text, sizeof text - 1);

    /* gzip data in a file named .csv is decompressed. */
    tt_path(path, sizeof path, "actually-gzip.csv");
    tt_write_file(path, gz.p, gz.len);
    bytes got;
    int is_gz = -1;
    cr_assert_eq(read_path(path, 64, &got, &is_gz), TIX_OK);
    cr_assert_eq(is_gz, 1);
    assert_bytes_eq(&got, text, sizeof text - 1);
    bytes_free(&got);

    /* plain text in a file named .gz is read as is. */
    tt_path(path, sizeof path, "actually-plain.csv.gz");
    tt_write_file(path, text, sizeof text - 1);
    is_gz = -1;
    cr_assert_eq(read_path(path, 64, &got, &is_gz), TIX_OK);
    cr_assert_eq(is_gz, 0);
    assert_bytes_eq(&got, text, sizeof text - 1);
    bytes_free(&got);
    bytes_free(&gz);
}

Test(source, gzip_multi_member_reads_all_members)
{
    char path[256];
    tt_path(path, sizeof path, "multi.gz");
    const char a[] = "contract_id,amount\nA1,1.00\n";
    const char b[] = "A2,2.00\nA3,3.00\n";
    bytes ga = gzip_member(a, sizeof a - 1);
    bytes gb = gzip_member(b, sizeof b - 1);
    bytes file = {NULL, 0, 0};
    bytes_cat(&file, ga.p, ga.len);
    bytes_cat(&file, gb.p, gb.len);
    tt_write_file(path, file.p, file.len);

    bytes want = {NULL, 0, 0};
    bytes_cat(&want, a, sizeof a - 1);
    bytes_cat(&want, b, sizeof b - 1);
    static const size_t caps[] = {65536, 7, 1};
    for (size_t i = 0; i < 3; i++) {
        bytes got;
        cr_assert_eq(read_path(path, caps[i], &got, NULL), TIX_OK, "cap %zu", caps[i]);
        assert_bytes_eq(&got, want.p, want.len);
        bytes_free(&got);
    }
    bytes_free(&want);
    bytes_free(&file);
    bytes_free(&ga);
    bytes_free(&gb);
}

Test(source, gzip_multi_member_with_empty_and_large_members)
{
    /* Members: large, empty, large; the member boundaries fall at arbitrary
     * places of the internal read buffer. */
    char path[256];
    tt_path(path, sizeof path, "multi-large.gz");
    bytes t1 = make_random(300 * 1024 + 17, 5);
    bytes t3 = make_text(400 * 1024, 6);
    bytes g1 = gzip_member(t1.p, t1.len);
    bytes g2 = gzip_member("", 0);
    bytes g3 = gzip_member(t3.p, t3.len);
    bytes file = {NULL, 0, 0}, want = {NULL, 0, 0};
    bytes_cat(&file, g1.p, g1.len);
    bytes_cat(&file, g2.p, g2.len);
    bytes_cat(&file, g3.p, g3.len);
    bytes_cat(&want, t1.p, t1.len);
    bytes_cat(&want, t3.p, t3.len);
    tt_write_file(path, file.p, file.len);

    tix_source *s;
    cr_assert_eq(tix_source_open(&s, path, NULL, 0), TIX_OK);
    bytes got;
    cr_assert_eq(read_all_src(s, 65536, &got), TIX_OK);
    assert_bytes_eq(&got, want.p, want.len);
    cr_assert_eq(tix_source_bytes_in(s), file.len);
    tix_source_free(s);

    bytes_free(&got);
    bytes_free(&want);
    bytes_free(&file);
    bytes_free(&g1);
    bytes_free(&g2);
    bytes_free(&g3);
    bytes_free(&t1);
    bytes_free(&t3);
}

Test(source, gzip_header_with_name_and_comment)
{
    /* Members as the gzip tool writes them: FNAME (and here FCOMMENT) in the
     * header. The second member carries the fields, the first does not. */
    char path[256];
    tt_path(path, sizeof path, "named.gz");
    const char a[] = "first,member\n";
    const char b[] = "second,member\n";
    bytes ga = gzip_member(a, sizeof a - 1);
    bytes gb = gzip_member(b, sizeof b - 1);
    bytes file = {NULL, 0, 0};
    bytes_cat(&file, ga.p, ga.len);
    unsigned char hdr[10];
    memcpy(hdr, gb.p, 10);
    hdr[3] |= 0x08 | 0x10; /* FNAME | FCOMMENT */
    bytes_cat(&file, hdr, 10);
    bytes_cat(&file, "contracts.csv", 14); /* with its NUL */
    bytes_cat(&file, "a comment", 10);
    bytes_cat(&file, gb.p + 10, gb.len - 10);
    tt_write_file(path, file.p, file.len);

    bytes want = {NULL, 0, 0};
    bytes_cat(&want, a, sizeof a - 1);
    bytes_cat(&want, b, sizeof b - 1);
    bytes got;
    cr_assert_eq(read_path(path, 3, &got, NULL), TIX_OK);
    assert_bytes_eq(&got, want.p, want.len);
    bytes_free(&got);
    bytes_free(&want);
    bytes_free(&file);
    bytes_free(&ga);
    bytes_free(&gb);
}

Test(source, tiny_buffers_give_identical_bytes)
{
    char plain[256], gzp[256];
    tt_path(plain, sizeof plain, "tiny.csv");
    tt_path(gzp, sizeof gzp, "tiny.csv.gz");
    bytes text = make_text(20 * 1024, 7);
    bytes gz = gzip_member(text.p, text.len);
    tt_write_file(plain, text.p, text.len);
    tt_write_file(gzp, gz.p, gz.len);

    static const size_t caps[] = {1, 7, 4096};
    for (size_t i = 0; i < 3; i++) {
        bytes got;
        cr_assert_eq(read_path(plain, caps[i], &got, NULL), TIX_OK);
        assert_bytes_eq(&got, text.p, text.len);
        bytes_free(&got);
        cr_assert_eq(read_path(gzp, caps[i], &got, NULL), TIX_OK);
        assert_bytes_eq(&got, text.p, text.len);
        bytes_free(&got);
    }
    bytes_free(&gz);
    bytes_free(&text);
}

/* ---- broken gzip ----------------------------------------------------------- */

Test(source, gzip_truncated_trailer_is_error)
{
    char path[256];
    tt_path(path, sizeof path, "trunc.gz");
    bytes text = make_text(30 * 1024, 8);
    bytes gz = gzip_member(text.p, text.len);
    static const size_t cuts[] = {1, 4, 8};
    for (size_t i = 0; i < 3; i++) {
        tt_write_file(path, gz.p, gz.len - cuts[i]);
        cr_log_info("cut %zu bytes", cuts[i]);
        assert_gzip_error(path);
    }
    bytes_free(&gz);
    bytes_free(&text);
}

Test(source, gzip_truncated_in_the_middle_is_error)
{
    char path[256];
    tt_path(path, sizeof path, "trunc-mid.gz");
    bytes text = make_text(600 * 1024, 9);
    bytes gz = gzip_member(text.p, text.len);
    tt_write_file(path, gz.p, gz.len / 2);
    assert_gzip_error(path);

    /* A cut inside the 10-byte header. */
    tt_write_file(path, gz.p, 5);
    assert_gzip_error(path);
    /* Only the magic. */
    tt_write_file(path, gz.p, 2);
    assert_gzip_error(path);
    bytes_free(&gz);
    bytes_free(&text);
}

Test(source, gzip_every_truncation_is_error)
{
    /* Every proper prefix of at least the two magic bytes is an error. */
    char path[256];
    tt_path(path, sizeof path, "prefix.gz");
    const char text[] = "contract_id,signed_on,amount\nA1,2024-01-02,10.00\nA2,2024-01-03,12.50\n";
    bytes gz = gzip_member(text, sizeof text - 1);
    for (size_t n = 2; n < gz.len; n++) {
        tt_write_file(path, gz.p, n);
        bytes got;
        tix_status st = read_path(path, 16, &got, NULL);
        cr_assert_eq(st, TIX_E_GZIP, "prefix of %zu/%zu bytes: status %d, %zu bytes", n, gz.len,
                     (int)st, got.len);
        bytes_free(&got);
    }
    bytes_free(&gz);
}

Test(source, gzip_truncated_second_member_is_error)
{
    char path[256];
    tt_path(path, sizeof path, "trunc-multi.gz");
    bytes g1 = gzip_member("first\n", 6);
    bytes g2 = gzip_member("second member\n", 14);
    bytes file = {NULL, 0, 0};
    bytes_cat(&file, g1.p, g1.len);
    bytes_cat(&file, g2.p, g2.len - 3);
    tt_write_file(path, file.p, file.len);
    assert_gzip_error(path);
    /* Only the first byte of a second member. */
    file.len = g1.len;
    bytes_cat(&file, g2.p, 1);
    tt_write_file(path, file.p, file.len);
    assert_gzip_error(path);
    bytes_free(&file);
    bytes_free(&g1);
    bytes_free(&g2);
}

Test(source, gzip_bad_crc_is_error)
{
    char path[256];
    tt_path(path, sizeof path, "badcrc.gz");
    bytes text = make_text(10 * 1024, 10);
    bytes gz = gzip_member(text.p, text.len);
    for (size_t k = 0; k < 4; k++) {
        gz.p[gz.len - 8 + k] ^= 0x01;
        tt_write_file(path, gz.p, gz.len);
        cr_log_info("CRC byte %zu flipped", k);
        assert_gzip_error(path);
        gz.p[gz.len - 8 + k] ^= 0x01;
    }
    bytes_free(&gz);
    bytes_free(&text);
}

Test(source, gzip_bad_length_trailer_is_error)
{
    char path[256];
    tt_path(path, sizeof path, "badlen.gz");
    bytes text = make_text(10 * 1024, 11);
    bytes gz = gzip_member(text.p, text.len);
    for (size_t k = 0; k < 4; k++) {
        gz.p[gz.len - 4 + k] ^= 0x10;
        tt_write_file(path, gz.p, gz.len);
        cr_log_info("ISIZE byte %zu flipped", k);
        assert_gzip_error(path);
        gz.p[gz.len - 4 + k] ^= 0x10;
    }
    bytes_free(&gz);
    bytes_free(&text);
}

Test(source, gzip_garbage_after_member_is_error)
{
    char path[256];
    tt_path(path, sizeof path, "garbage.gz");
    const char text[] = "a,b\n1,2\n";
    bytes gz = gzip_member(text, sizeof text - 1);
    static const char *const tails[] = {"garbage\n", "\n", "\0", "\x1f", "\x1f\x8bXXXXXXXXXXXX"};
    static const size_t tail_len[] = {8, 1, 1, 1, 14};
    for (size_t i = 0; i < 5; i++) {
        bytes file = {NULL, 0, 0};
        bytes_cat(&file, gz.p, gz.len);
        bytes_cat(&file, tails[i], tail_len[i]);
        tt_write_file(path, file.p, file.len);
        cr_log_info("tail %zu", i);
        assert_gzip_error(path);
        bytes_free(&file);
    }
    bytes_free(&gz);
}

Test(source, gzip_garbage_after_large_member_is_error)
{
    /* The garbage arrives in a later read(2) than the member's end. */
    char path[256];
    tt_path(path, sizeof path, "garbage-large.gz");
    bytes data = make_random(400 * 1024, 12);
    bytes gz = gzip_member(data.p, data.len);
    bytes_cat(&gz, "trailing junk", 13);
    tt_write_file(path, gz.p, gz.len);
    bytes got;
    cr_assert_eq(read_path(path, 65536, &got, NULL), TIX_E_GZIP);
    bytes_free(&got);
    bytes_free(&gz);
    bytes_free(&data);
}

Test(source, gzip_corrupt_deflate_byte_is_error)
{
    char path[256];
    tt_path(path, sizeof path, "corrupt.gz");
    bytes text = make_text(40 * 1024, 13);
    bytes gz = gzip_member(text.p, text.len);
    gz.p[gz.len / 2] ^= 0xff;
    tt_write_file(path, gz.p, gz.len);
    assert_gzip_error(path);
    bytes_free(&gz);
    bytes_free(&text);
}

Test(source, gzip_any_corrupt_body_byte_is_error)
{
    /* Flip every byte of the deflate body of a small member in turn (the
     * 10-byte header holds MTIME/XFL/OS, which gzip ignores, so it is
     * skipped): each corruption must be caught by inflate or the CRC. */
    char path[256];
    tt_path(path, sizeof path, "sweep.gz");
    const char text[] = "contract_id,signed_on,sector,amount,tech_amount\n"
                        "A1,2024-01-02,biomedicine,10.00,5.00\n"
                        "A2,2024-01-03,new_energy,12.50,12.50\n";
    bytes gz = gzip_member(text, sizeof text - 1);
    for (size_t k = 10; k < gz.len - 8; k++) {
        gz.p[k] ^= 0xff;
        tt_write_file(path, gz.p, gz.len);
        bytes got;
        tix_status st = read_path(path, 64, &got, NULL);
        cr_assert_eq(st, TIX_E_GZIP, "byte %zu of %zu flipped: status %d", k, gz.len, (int)st);
        bytes_free(&got);
        gz.p[k] ^= 0xff;
    }
    bytes_free(&gz);
}

Test(source, error_is_sticky_and_has_message)
{
    char path[256];
    tt_path(path, sizeof path, "sticky.gz");
    const char text[] = "x,y\n";
    bytes gz = gzip_member(text, sizeof text - 1);
    tt_write_file(path, gz.p, gz.len - 4);

    tix_source *s;
    cr_assert_eq(tix_source_open(&s, path, NULL, 0), TIX_OK);
    cr_assert_str_eq(tix_source_error(s), "");
    bytes got;
    cr_assert_eq(read_all_src(s, 64, &got), TIX_E_GZIP);
    cr_assert_neq(tix_source_error(s)[0], '\0');
    char buf[8];
    for (int i = 0; i < 3; i++) {
        size_t n = 5;
        cr_assert_eq(tix_source_read(s, buf, sizeof buf, &n), TIX_E_GZIP);
        cr_assert_eq(n, 0);
    }
    tix_source_free(s);
    bytes_free(&got);
    bytes_free(&gz);
}

/* ---- stdin ----------------------------------------------------------------- */

/* Each Criterion test runs in its own process, so replacing fd 0 is safe. */
static void file_onto_stdin(const char *path)
{
    int fd = open(path, O_RDONLY);
    cr_assert_geq(fd, 0);
    cr_assert_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    close(fd);
}

Test(source, stdin_plain_via_dash)
{
    char path[256];
    tt_path(path, sizeof path, "stdin.csv");
    bytes text = make_text(300 * 1024, 14);
    tt_write_file(path, text.p, text.len);
    file_onto_stdin(path);

    bytes got;
    int gz = -1;
    cr_assert_eq(read_path("-", 65536, &got, &gz), TIX_OK);
    cr_assert_eq(gz, 0);
    assert_bytes_eq(&got, text.p, text.len);
    /* tix_source_free must not close stdin. */
    cr_assert_neq(fcntl(STDIN_FILENO, F_GETFD), -1, "stdin was closed");
    bytes_free(&got);
    bytes_free(&text);
}

Test(source, stdin_gzip_through_pipe)
{
    const char a[] = "contract_id,amount\nA1,1.00\n";
    const char b[] = "A2,2.50\n";
    bytes ga = gzip_member(a, sizeof a - 1);
    bytes gb = gzip_member(b, sizeof b - 1);
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    /* Small enough for the pipe buffer: no writer process needed. Write the
     * two members separately so the reader may see them in two reads. */
    cr_assert_eq(write(fds[1], ga.p, ga.len), (ssize_t)ga.len);
    cr_assert_eq(write(fds[1], gb.p, gb.len), (ssize_t)gb.len);
    close(fds[1]);
    cr_assert_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);

    bytes got;
    int gz = -1;
    cr_assert_eq(read_path("-", 5, &got, &gz), TIX_OK);
    cr_assert_eq(gz, 1);
    bytes want = {NULL, 0, 0};
    bytes_cat(&want, a, sizeof a - 1);
    bytes_cat(&want, b, sizeof b - 1);
    assert_bytes_eq(&got, want.p, want.len);
    cr_assert_neq(fcntl(STDIN_FILENO, F_GETFD), -1, "stdin was closed");
    bytes_free(&want);
    bytes_free(&got);
    bytes_free(&ga);
    bytes_free(&gb);
}

Test(source, stdin_truncated_gzip_is_error)
{
    char path[256];
    tt_path(path, sizeof path, "stdin-trunc.gz");
    bytes text = make_text(5000, 15);
    bytes gz = gzip_member(text.p, text.len);
    tt_write_file(path, gz.p, gz.len - 1);
    file_onto_stdin(path);
    bytes got;
    cr_assert_eq(read_path("-", 512, &got, NULL), TIX_E_GZIP);
    bytes_free(&got);
    bytes_free(&gz);
    bytes_free(&text);
}

/* ---- inflate back ends ----------------------------------------------------- */

/* Reads path with one back end; *msg gets the error text ("" when none). */
static tix_status read_with(const char *path, tix_inflate backend, size_t cap, bytes *out,
                            char *msg, size_t msglen)
{
    tix_source *s = NULL;
    cr_assert_eq(tix_source_open(&s, path, NULL, 0), TIX_OK);
    cr_assert_eq(tix_source_set_inflate(s, backend), TIX_OK);
    tix_status st = read_all_src(s, cap, out);
    snprintf(msg, msglen, "%s", tix_source_error(s));
    /* Too late to switch once reading has begun. */
    cr_assert_eq(tix_source_set_inflate(s, TIX_INFLATE_ZLIB), TIX_E_INVALID);
    tix_source_free(s);
    return st;
}

Test(source, zlib_and_isal_agree_on_bytes_and_errors)
{
    if (!tix_inflate_available(TIX_INFLATE_ISAL))
        cr_skip_test("this build has no ISA-L");
    char path[256];
    tt_path(path, sizeof path, "backends.gz");
    bytes text = make_text(300 * 1024, 5);
    bytes a = gzip_member(text.p, text.len / 3);
    bytes b = gzip_member(text.p + text.len / 3, text.len - text.len / 3);
    bytes two = {NULL, 0, 0};
    bytes_cat(&two, a.p, a.len);
    bytes_cat(&two, b.p, b.len);
    /* Whole, cut at many points, a flipped CRC byte, a flipped length byte,
     * garbage after the end, and a broken byte in the middle. */
    size_t cuts[] = {0,     1,         9,         10,          100,         a.len - 4,
                     a.len, a.len + 1, a.len + 7, two.len / 2, two.len - 8, two.len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0] + 4; i++) {
        bytes in = {NULL, 0, 0};
        bytes_cat(&in, two.p, two.len);
        size_t ncuts = sizeof cuts / sizeof cuts[0];
        if (i < ncuts)
            in.len -= cuts[i];
        else if (i == ncuts)
            in.p[in.len - 8] ^= 0x55; /* CRC */
        else if (i == ncuts + 1)
            in.p[in.len - 2] ^= 0x01; /* length */
        else if (i == ncuts + 2)
            bytes_cat(&in, "junk", 4);
        else
            in.p[in.len / 2] ^= 0xff;
        tt_write_file(path, in.p, in.len);
        for (size_t cap = 1; cap <= 65536; cap *= 256) {
            bytes z, s;
            char mz[256], ms[256];
            tix_status sz = read_with(path, TIX_INFLATE_ZLIB, cap, &z, mz, sizeof mz);
            tix_status si = read_with(path, TIX_INFLATE_ISAL, cap, &s, ms, sizeof ms);
            cr_assert_eq(sz, si, "case %zu cap %zu: zlib %d, isal %d", i, cap, sz, si);
            cr_assert_str_eq(mz, ms, "case %zu cap %zu", i, cap);
            if (sz == TIX_OK)
                assert_bytes_eq(&s, z.p, z.len);
            if (i == 0) /* the whole two-member file */
                assert_bytes_eq(&s, text.p, text.len);
            bytes_free(&z);
            bytes_free(&s);
        }
        bytes_free(&in);
    }
    bytes_free(&two);
    bytes_free(&a);
    bytes_free(&b);
    bytes_free(&text);
}

Test(source, inflate_names)
{
    tix_inflate b;
    cr_assert_eq(tix_inflate_parse("zlib", &b), TIX_OK);
    cr_assert_eq(b, TIX_INFLATE_ZLIB);
    cr_assert_eq(tix_inflate_parse("gzip", &b), TIX_E_INVALID);
    cr_assert_str_eq(tix_inflate_name(TIX_INFLATE_ISAL), "isal");
    cr_assert(tix_inflate_available(TIX_INFLATE_AUTO));
    cr_assert(tix_inflate_available(TIX_INFLATE_ZLIB));
    cr_assert_neq(tix_inflate_default(), TIX_INFLATE_AUTO);
}
