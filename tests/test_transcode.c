/* Tests for the conversion of inputs to UTF-8 (src/transcode_internal.h):
 * known GB18030 and GBK bytes give known UTF-8 bytes, a byte that starts
 * no character gives 0xFF, and the output is the same however the input
 * is split and however little room each call has for output. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "techidx/engine.h"
#include "transcode_internal.h"

/* Converts in[0, len) fed in the pieces that end at cuts[0..ncuts) (then
 * the rest), with at most `room` bytes of output room per call (0: plenty),
 * and ends the input. Returns the output, NUL-terminated, *out_len its
 * length. */
static char *convert_cut(tix_encoding enc, const char *in, size_t len, const size_t *cuts,
                         size_t ncuts, size_t room, size_t *out_len)
{
    transcoder *t;
    cr_assert_eq(transcode_new(&t, enc), TIX_OK);
    size_t cap = 4 * len + TRANSCODE_END_ROOM + 1, o = 0;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    size_t start = 0;
    for (size_t c = 0; c <= ncuts; c++) {
        size_t end = c < ncuts ? cuts[c] : len;
        size_t pos = start;
        while (pos < end) {
            size_t lim = room && o + room < cap ? o + room : cap;
            size_t before_in = pos, before_out = o;
            transcode_step(t, in, end, &pos, out, lim, &o);
            if (pos == before_in && o == before_out) {
                /* No room for the next character: four bytes always are. */
                cr_assert_lt(lim - o, 4, "no progress with %zu bytes of room", lim - o);
                transcode_step(t, in, end, &pos, out, o + 4, &o);
                cr_assert(pos > before_in || o > before_out, "no progress with 4 bytes of room");
            }
        }
        start = end;
    }
    transcode_end(t, out, cap, &o);
    transcode_free(t);
    out[o] = '\0';
    *out_len = o;
    return out;
}

static void assert_converts(tix_encoding enc, const char *in, size_t len, const char *want,
                            size_t want_len)
{
    size_t n;
    char *got = convert_cut(enc, in, len, NULL, 0, 0, &n);
    cr_assert_eq(n, want_len, "%s: %zu bytes out, want %zu", tix_encoding_name(enc), n, want_len);
    cr_assert_eq(memcmp(got, want, n), 0, "%s: other bytes", tix_encoding_name(enc));
    free(got);
}

#define CONVERTS(enc, in, want)                                                                    \
    assert_converts((enc), (in), sizeof(in) - 1, (want), sizeof(want) - 1)

Test(transcode, names_of_the_encodings)
{
    const char *names[] = {"utf-8", "gb18030", "gbk"};
    for (int i = 0; i < 3; i++) {
        tix_encoding e;
        cr_assert_str_eq(tix_encoding_name((tix_encoding)i), names[i]);
        cr_assert_eq(tix_encoding_parse(names[i], &e), TIX_OK);
        cr_assert_eq(e, (tix_encoding)i);
    }
    tix_encoding e;
    cr_assert_eq(tix_encoding_parse("utf8", &e), TIX_E_INVALID);
    cr_assert_eq(tix_encoding_parse("GBK", &e), TIX_E_INVALID);
    cr_assert_str_eq(tix_encoding_name((tix_encoding)9), "?");
    transcoder *t = (transcoder *)&e;
    cr_assert_eq(transcode_new(&t, TIX_ENCODING_UTF8), TIX_E_INVALID);
    cr_assert_null(t);
    transcode_free(NULL);
}

/* 中 is D6 D0 in GBK and GB18030, E4 B8 AD in UTF-8; U+20000 is the
 * four-byte 95 32 82 36 in GB18030, F0 A0 80 80 in UTF-8; € (U+20AC) is
 * A2 E3 in GB18030, E2 82 AC in UTF-8. */
Test(transcode, known_characters)
{
    CONVERTS(TIX_ENCODING_GB18030, "a,\xD6\xD0;\"\x95\x32\x82\x36\"\t\xA2\xE3\r\n",
             "a,\xE4\xB8\xAD;\"\xF0\xA0\x80\x80\"\t\xE2\x82\xAC\r\n");
    CONVERTS(TIX_ENCODING_GBK, "id,\xD6\xD0\n", "id,\xE4\xB8\xAD\n");
    CONVERTS(TIX_ENCODING_GB18030, "", "");
}

Test(transcode, a_byte_that_starts_no_character_is_0xff)
{
    CONVERTS(TIX_ENCODING_GB18030,
             "a\x80"
             "b\xFF\n",
             "a\xFF"
             "b\xFF\n");
    /* A lead byte before an ASCII one: the ASCII byte is itself. */
    CONVERTS(TIX_ENCODING_GB18030, "\x81 x,\x81\n", "\xFF x,\xFF\n");
    CONVERTS(TIX_ENCODING_GB18030, "\x81\x30\x41\n",
             "\xFF"
             "0A\n");
    /* GBK has no four-byte characters. */
    CONVERTS(TIX_ENCODING_GBK, "\x95\x32\x82\x36",
             "\xFF"
             "2\xFF"
             "6");
    /* An incomplete character at the end: as many 0xFF as lead bytes. */
    CONVERTS(TIX_ENCODING_GB18030, "x\xD6", "x\xFF");
    CONVERTS(TIX_ENCODING_GB18030, "x\x95\x32\x82",
             "x\xFF"
             "2\xFF");
    CONVERTS(TIX_ENCODING_GB18030, "x\x95\x32",
             "x\xFF"
             "2");
}

/* The four-byte character (and the others) cut at every position, in two
 * pieces and in three, give the bytes of the whole. */
Test(transcode, a_character_split_at_every_position_gives_the_whole)
{
    static const char in[] = "A\x95\x32\x82\x36"
                             "B\xD6\xD0\x81\x30\x41\x80\n\x95\x32";
    size_t len = sizeof in - 1, want_len;
    char *want = convert_cut(TIX_ENCODING_GB18030, in, len, NULL, 0, 0, &want_len);
    cr_assert_eq(memcmp(want,
                        "A\xF0\xA0\x80\x80"
                        "B\xE4\xB8\xAD\xFF"
                        "0A\xFF\n\xFF"
                        "2",
                        want_len),
                 0);
    for (size_t i = 0; i <= len; i++)
        for (size_t j = i; j <= len; j++) {
            size_t cuts[] = {i, j}, n;
            char *got = convert_cut(TIX_ENCODING_GB18030, in, len, cuts, 2, 0, &n);
            cr_assert_eq(n, want_len, "cut at %zu and %zu: %zu bytes", i, j, n);
            cr_assert_eq(memcmp(got, want, n), 0, "cut at %zu and %zu", i, j);
            free(got);
        }
    free(want);
}

/* Little output room per call: characters wait for room, none is cut. */
Test(transcode, little_output_room_gives_the_same_bytes)
{
    static const char in[] = "A\x95\x32\x82\x36"
                             "B\xD6\xD0\x81\x30\x41\x80\n\xA2\xE3";
    size_t len = sizeof in - 1, want_len;
    char *want = convert_cut(TIX_ENCODING_GB18030, in, len, NULL, 0, 0, &want_len);
    for (size_t room = 1; room <= 6; room++)
        for (size_t i = 0; i <= len; i++) {
            size_t n;
            char *got = convert_cut(TIX_ENCODING_GB18030, in, len, &i, 1, room, &n);
            cr_assert_eq(n, want_len, "room %zu cut %zu", room, i);
            cr_assert_eq(memcmp(got, want, n), 0, "room %zu cut %zu", room, i);
            free(got);
        }
    free(want);
}

/* Random bytes in random pieces: the same bytes out as whole, and as
 * many bytes as GBK's UTF-8 can take (at most 3 per byte in). */
Test(transcode, random_bytes_in_random_pieces)
{
    uint64_t s = 12345;
    for (int round = 0; round < 200; round++) {
        char in[64];
        size_t len = 1 + tt_rng_next(&s) % sizeof in;
        for (size_t i = 0; i < len; i++) {
            uint64_t r = tt_rng_next(&s);
            /* Mostly lead and trail bytes, some ASCII digits and line ends. */
            in[i] = (char)(r % 4 == 0 ? 0x30 + r % 10 : r % 9 == 0 ? '\n' : 0x80 + r % 128);
        }
        tix_encoding enc = round % 2 ? TIX_ENCODING_GBK : TIX_ENCODING_GB18030;
        size_t want_len, n;
        char *want = convert_cut(enc, in, len, NULL, 0, 0, &want_len);
        cr_assert_leq(want_len, 3 * len);
        size_t cuts[4];
        for (int c = 0; c < 4; c++)
            cuts[c] = tt_rng_next(&s) % (len + 1);
        for (int a = 0; a < 4; a++) /* sorted */
            for (int b = a + 1; b < 4; b++)
                if (cuts[b] < cuts[a]) {
                    size_t x = cuts[a];
                    cuts[a] = cuts[b];
                    cuts[b] = x;
                }
        char *got = convert_cut(enc, in, len, cuts, 4, 1 + round % 7, &n);
        cr_assert_eq(n, want_len, "round %d", round);
        cr_assert_eq(memcmp(got, want, n), 0, "round %d", round);
        /* Line ends stay where they were, in order. */
        size_t lf_in = 0, lf_out = 0;
        for (size_t i = 0; i < len; i++)
            lf_in += in[i] == '\n';
        for (size_t i = 0; i < n; i++)
            lf_out += got[i] == '\n';
        cr_assert_eq(lf_in, lf_out, "round %d", round);
        free(got);
        free(want);
    }
}

Test(transcode, reset_drops_a_held_character)
{
    transcoder *t;
    cr_assert_eq(transcode_new(&t, TIX_ENCODING_GB18030), TIX_OK);
    char out[16];
    size_t pos = 0, o = 0;
    transcode_step(t, "\x95\x32", 2, &pos, out, sizeof out, &o);
    cr_assert_eq(pos, 2);
    cr_assert_eq(o, 0);
    transcode_reset(t);
    pos = 0;
    transcode_step(t, "\x82\x36", 2, &pos, out, sizeof out, &o);
    transcode_end(t, out, sizeof out, &o);
    cr_assert_eq(o, 2); /* 82 36: a lead byte, then '6' */
    cr_assert_eq(memcmp(out,
                        "\xFF"
                        "6",
                        2),
                 0);
    transcode_free(t);
}
