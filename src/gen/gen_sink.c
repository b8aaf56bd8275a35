/* The output of techidx gen (gen_internal.h): rows go into a text buffer,
 * which is transcoded with iconv when asked and written to the file, through
 * zlib when compressing. */
#include "gen/gen_internal.h"

#include <errno.h>
#include <stdlib.h>

static const char *const encoding_names[] = {"utf-8", "gb18030", "gbk"};
/* What iconv calls them. */
static const char *const iconv_names[] = {"UTF-8", "GB18030", "GBK"};

const char *gen_encoding_name(tix_gen_encoding enc) { return encoding_names[enc]; }

void gen_set_err(char *err, size_t errlen, const char *what, int errnum)
{
    if (err == NULL || errlen == 0)
        return;
    if (errnum != 0)
        snprintf(err, errlen, "%s: %s", what, strerror(errnum));
    else
        snprintf(err, errlen, "%s", what);
}

/* A GB18030 character is at most 4 bytes where its UTF-8 is at least 1
 * (ASCII: 1 and 1; CJK: 2 or 4 for 3): four times the text always fits. */
#define TRANS_CAP (4 * TEXT_CAP)

tix_status gen_sink_open(struct sink *s, FILE *out, int gz, tix_gen_encoding enc, char *err,
                         size_t errlen)
{
    s->cd = (iconv_t)-1;
    s->buf = malloc(TEXT_CAP);
    if (gz)
        s->zbuf = malloc(ZOUT_CAP);
    if (enc != TIX_GEN_UTF8)
        s->tbuf = malloc(TRANS_CAP);
    if (s->buf == NULL || (gz && s->zbuf == NULL) || (enc != TIX_GEN_UTF8 && s->tbuf == NULL)) {
        gen_set_err(err, errlen, "out of memory", 0);
        return TIX_E_NOMEM;
    }
    if (enc != TIX_GEN_UTF8) {
        s->cd = iconv_open(iconv_names[enc], "UTF-8");
        if (s->cd == (iconv_t)-1) {
            char what[64];
            snprintf(what, sizeof what, "cannot convert to %s", encoding_names[enc]);
            gen_set_err(err, errlen, what, errno);
            return TIX_E_INVALID;
        }
    }
    if (gz) {
        /* windowBits 15+16 makes zlib write a gzip header with mtime 0 and no
         * file name, so the stream is reproducible. */
        if (deflateInit2(&s->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            gen_set_err(err, errlen, "cannot initialise gzip compressor", 0);
            return TIX_E_NOMEM;
        }
        s->z_ready = 1;
        s->gz = 1;
    }
    s->fp = out;
    return TIX_OK;
}

static tix_status write_all(struct sink *s, const void *p, size_t n, char *err, size_t errlen)
{
    if (n > 0 && fwrite(p, 1, n, s->fp) != n) {
        gen_set_err(err, errlen, "write failed", errno);
        return TIX_E_IO;
    }
    return TIX_OK;
}

/* text[n] in the target encoding into s->tbuf; returns its length, or
 * (size_t)-1 with errno when a character has no form there. The text is
 * whole rows, so no character is cut at its end. */
size_t gen_sink_transcode(struct sink *s, const char *text, size_t n)
{
    char *in = (char *)text, *out = s->tbuf;
    size_t in_left = n, out_left = TRANS_CAP;
    if (iconv(s->cd, &in, &in_left, &out, &out_left) == (size_t)-1)
        return (size_t)-1;
    return TRANS_CAP - out_left;
}

/* Hands the text buffer to the file (through deflate when compressing),
 * transcoded when asked; with finish, also ends the gzip stream. */
tix_status gen_sink_flush(struct sink *s, int finish, char *err, size_t errlen)
{
    tix_status st;
    const char *data = s->buf;
    size_t n = s->len;
    if (s->cd != (iconv_t)-1) {
        n = gen_sink_transcode(s, s->buf, s->len);
        if (n == (size_t)-1) {
            gen_set_err(err, errlen, "cannot transcode the output", errno);
            return TIX_E_IO;
        }
        data = s->tbuf;
    }
    if (!s->gz) {
        st = write_all(s, data, n, err, errlen);
        s->len = 0;
        return st;
    }
    s->z.next_in = (unsigned char *)data;
    s->z.avail_in = (uInt)n;
    for (;;) {
        s->z.next_out = s->zbuf;
        s->z.avail_out = (uInt)ZOUT_CAP;
        int rc = deflate(&s->z, finish ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_ERROR) {
            gen_set_err(err, errlen, "gzip compression failed", 0);
            return TIX_E_IO;
        }
        st = write_all(s, s->zbuf, ZOUT_CAP - s->z.avail_out, err, errlen);
        if (st != TIX_OK)
            return st;
        if (finish ? rc == Z_STREAM_END : s->z.avail_in == 0 && s->z.avail_out != 0)
            break;
    }
    s->len = 0;
    return TIX_OK;
}

tix_status gen_sink_close(struct sink *s, char *err, size_t errlen)
{
    tix_status st = gen_sink_flush(s, 1, err, errlen);
    if (st != TIX_OK)
        return st;
    /* The caller owns the stream; flushing makes write errors ours to report. */
    if (fflush(s->fp) != 0 || ferror(s->fp)) {
        gen_set_err(err, errlen, "write failed", errno);
        return TIX_E_IO;
    }
    return TIX_OK;
}

void gen_sink_free(struct sink *s)
{
    if (s->z_ready)
        deflateEnd(&s->z);
    if (s->cd != (iconv_t)-1)
        iconv_close(s->cd);
    free(s->buf);
    free(s->zbuf);
    free(s->tbuf);
}
