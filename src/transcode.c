/* An input's encoding to UTF-8 (transcode_internal.h). */
#include "transcode_internal.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct transcoder {
    iconv_t cd;
    char held[TRANSCODE_HELD];
    size_t nheld;
};

/* By tix_encoding: the option's names, and iconv's. */
static const char *const names[] = {"utf-8", "gb18030", "gbk"};
static const char *const iconv_names[] = {"UTF-8", "GB18030", "GBK"};
#define NENC (sizeof names / sizeof names[0])

const char *tix_encoding_name(tix_encoding enc) { return (unsigned)enc < NENC ? names[enc] : "?"; }

tix_status tix_encoding_parse(const char *name, tix_encoding *enc)
{
    for (size_t i = 0; i < NENC; i++)
        if (strcmp(name, names[i]) == 0) {
            *enc = (tix_encoding)i;
            return TIX_OK;
        }
    return TIX_E_INVALID;
}

tix_status transcode_new(transcoder **out, tix_encoding enc)
{
    *out = NULL;
    if (enc == TIX_ENCODING_UTF8 || (unsigned)enc >= NENC)
        return TIX_E_INVALID;
    transcoder *t = calloc(1, sizeof *t);
    if (!t)
        return TIX_E_NOMEM;
    t->cd = iconv_open("UTF-8", iconv_names[enc]);
    if (t->cd == (iconv_t)-1) {
        int no_mem = errno == ENOMEM;
        free(t);
        return no_mem ? TIX_E_NOMEM : TIX_E_INVALID;
    }
    *out = t;
    return TIX_OK;
}

/* [*ip, +*il) into [*op, +*ol), a byte that starts no character as 0xFF.
 * Returns 0 when the input is used up, E2BIG when the output has no room
 * for the next character, EINVAL when an incomplete character ends the
 * input (left at *ip). */
static int convert(transcoder *t, char **ip, size_t *il, char **op, size_t *ol)
{
    while (*il > 0) {
        if (iconv(t->cd, ip, il, op, ol) != (size_t)-1)
            return 0;
        if (errno == E2BIG || errno == EINVAL)
            return errno;
        /* EILSEQ (or anything else: always move on). */
        if (*ol == 0)
            return E2BIG;
        *(*op)++ = (char)0xFF;
        (*ol)--;
        (*ip)++;
        (*il)--;
    }
    return 0;
}

void transcode_step(transcoder *t, const char *in, size_t in_len, size_t *in_pos, char *out,
                    size_t out_cap, size_t *out_pos)
{
    char *op = out + *out_pos;
    size_t ol = out_cap - *out_pos;
    if (t->nheld > 0) {
        /* The held bytes and the first of this chunk, together: a
         * character that starts in the held bytes ends in there (or the
         * input ends first), so what follows is converted as if whole. */
        char tmp[TRANSCODE_HELD + 16];
        size_t k = in_len - *in_pos < 16 ? in_len - *in_pos : 16;
        memcpy(tmp, t->held, t->nheld);
        memcpy(tmp + t->nheld, in + *in_pos, k);
        char *ip = tmp;
        size_t il = t->nheld + k;
        int r = convert(t, &ip, &il, &op, &ol);
        size_t used = (size_t)(ip - tmp);
        if (used >= t->nheld) {
            *in_pos += used - t->nheld; /* the rest of tmp is read again below */
            t->nheld = 0;
        } else if (r == EINVAL && il <= TRANSCODE_HELD) {
            /* Still incomplete, and the chunk is all in tmp: hold on. */
            memmove(t->held, ip, il);
            t->nheld = il;
            *in_pos += k;
            *out_pos = (size_t)(op - out);
            return;
        } else {
            /* No room for more output: keep what is left of the held. */
            memmove(t->held, t->held + used, t->nheld - used);
            t->nheld -= used;
            *out_pos = (size_t)(op - out);
            return;
        }
    }
    char *ip = (char *)(uintptr_t)(in + *in_pos); /* iconv's prototype; it only reads */
    size_t il = in_len - *in_pos;
    int r = convert(t, &ip, &il, &op, &ol);
    /* An incomplete character ends the chunk: held for the next one. (It
     * is never longer; were it, its first byte would be no character.) */
    while (r == EINVAL && il > TRANSCODE_HELD && ol > 0) {
        *op++ = (char)0xFF;
        ol--;
        ip++;
        il--;
        r = convert(t, &ip, &il, &op, &ol);
    }
    if (r == EINVAL && il <= TRANSCODE_HELD) {
        memcpy(t->held, ip, il);
        t->nheld = il;
        ip += il;
    }
    *in_pos = (size_t)(ip - in);
    *out_pos = (size_t)(op - out);
}

void transcode_end(transcoder *t, char *out, size_t out_cap, size_t *out_pos)
{
    char *op = out + *out_pos;
    size_t ol = out_cap - *out_pos;
    char *ip = t->held;
    size_t il = t->nheld;
    /* The first byte of an incomplete character starts none; the bytes
     * after it may (ASCII after a lead byte). */
    while (il > 0 && ol > 0) {
        *op++ = (char)0xFF;
        ol--;
        ip++;
        il--;
        if (convert(t, &ip, &il, &op, &ol) == E2BIG)
            break;
    }
    *out_pos = (size_t)(op - out);
    transcode_reset(t);
}

void transcode_reset(transcoder *t)
{
    t->nheld = 0;
    iconv(t->cd, NULL, NULL, NULL, NULL);
}

void transcode_free(transcoder *t)
{
    if (!t)
        return;
    iconv_close(t->cd);
    free(t);
}
