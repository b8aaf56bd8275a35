#include "techidx/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#ifdef TIX_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#define IN_CAP (256u * 1024u)

enum { ST_PLAIN, ST_GZIP, ST_DONE, ST_FAILED };

struct tix_source {
    int fd;
    int own_fd;
    int gzip;
    int state;
    int eof;     /* read(2) returned 0 */
    int z_ready; /* inflateInit2 succeeded */
    z_stream z;
    tix_inflate backend;
    int started; /* the first decompressed byte was asked for */
#ifdef TIX_HAVE_ISAL
    struct inflate_state *isal;
    int member_start; /* the next input byte starts a gzip member */
#endif
    unsigned char *in;
    size_t in_pos, in_len;
    uint64_t bytes_in;
    tix_source_tap tap;
    void *tap_ctx;
    tix_status err_status;
    char err[256];
};

static tix_status fail(tix_source *s, tix_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    s->state = ST_FAILED;
    s->err_status = st;
    return st;
}

/* Tops up the input buffer; keeps unconsumed bytes at the front. */
static tix_status refill(tix_source *s)
{
    if (s->in_pos > 0) {
        memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
        s->in_len -= s->in_pos;
        s->in_pos = 0;
    }
    while (!s->eof && s->in_len < IN_CAP) {
        ssize_t r = read(s->fd, s->in + s->in_len, IN_CAP - s->in_len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return fail(s, TIX_E_IO, "read failed: %s", strerror(errno));
        }
        if (r == 0) {
            s->eof = 1;
            break;
        }
        if (s->tap)
            s->tap(s->tap_ctx, s->in + s->in_len, (size_t)r);
        s->in_len += (size_t)r;
        s->bytes_in += (uint64_t)r;
        break; /* one read per refill keeps pipes responsive */
    }
    return TIX_OK;
}

tix_status tix_source_open(tix_source **out, const char *path, char *err, size_t errlen)
{
    tix_source *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s || !(s->in = malloc(IN_CAP))) {
        free(s);
        if (err)
            snprintf(err, errlen, "out of memory");
        return TIX_E_NOMEM;
    }
    if (strcmp(path, "-") == 0) {
        s->fd = STDIN_FILENO;
    } else {
        s->fd = open(path, O_RDONLY);
        if (s->fd < 0) {
            if (err)
                snprintf(err, errlen, "cannot open: %s", strerror(errno));
            free(s->in);
            free(s);
            return TIX_E_IO;
        }
        s->own_fd = 1;
    }
    /* Sniff the magic bytes: need two, or EOF. */
    while (s->in_len < 2 && !s->eof && s->state != ST_FAILED)
        refill(s);
    if (s->state == ST_FAILED) {
        if (err)
            snprintf(err, errlen, "%s", s->err);
        tix_source_free(s);
        return TIX_E_IO;
    }
    s->gzip = s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
    s->state = s->gzip ? ST_GZIP : ST_PLAIN;
    s->backend = tix_inflate_default();
    *out = s;
    return TIX_OK;
}

tix_inflate tix_inflate_default(void)
{
#ifdef TIX_HAVE_ISAL
    return TIX_INFLATE_ISAL;
#else
    return TIX_INFLATE_ZLIB;
#endif
}

int tix_inflate_available(tix_inflate backend)
{
#ifdef TIX_HAVE_ISAL
    return backend == TIX_INFLATE_AUTO || backend == TIX_INFLATE_ZLIB ||
           backend == TIX_INFLATE_ISAL;
#else
    return backend == TIX_INFLATE_AUTO || backend == TIX_INFLATE_ZLIB;
#endif
}

const char *tix_inflate_name(tix_inflate backend)
{
    return backend == TIX_INFLATE_ISAL   ? "isal"
           : backend == TIX_INFLATE_ZLIB ? "zlib"
           : backend == TIX_INFLATE_AUTO ? "auto"
                                         : "?";
}

tix_status tix_inflate_parse(const char *name, tix_inflate *backend)
{
    if (strcmp(name, "zlib") == 0)
        *backend = TIX_INFLATE_ZLIB;
    else if (strcmp(name, "isal") == 0)
        *backend = TIX_INFLATE_ISAL;
    else
        return TIX_E_INVALID;
    return TIX_OK;
}

tix_status tix_source_set_inflate(tix_source *s, tix_inflate backend)
{
    if (s->started || !tix_inflate_available(backend))
        return TIX_E_INVALID;
    s->backend = backend == TIX_INFLATE_AUTO ? tix_inflate_default() : backend;
    return TIX_OK;
}

tix_status tix_source_set_tap(tix_source *s, tix_source_tap tap, void *tap_ctx)
{
    if (s->started)
        return TIX_E_INVALID;
    s->tap = tap;
    s->tap_ctx = tap_ctx;
    /* The magic bytes sniffed at open are read already: hand them over. */
    if (tap && s->in_len > 0)
        tap(tap_ctx, s->in, s->in_len);
    return TIX_OK;
}

/* The decompressor is made on the first read, once the back end is final. */
static tix_status start_inflate(tix_source *s)
{
#ifdef TIX_HAVE_ISAL
    if (s->backend == TIX_INFLATE_ISAL) {
        s->isal = malloc(sizeof *s->isal);
        if (!s->isal)
            return fail(s, TIX_E_NOMEM, "out of memory");
        isal_inflate_init(s->isal);
        s->isal->crc_flag = ISAL_GZIP;
        s->member_start = 1;
        return TIX_OK;
    }
#endif
    if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
        return fail(s, TIX_E_NOMEM, "out of memory");
    s->z_ready = 1;
    return TIX_OK;
}

static tix_status read_plain(tix_source *s, unsigned char *buf, size_t cap, size_t *got)
{
    if (s->in_pos == s->in_len) {
        /* Nothing buffered: read straight into the caller's buffer. */
        while (!s->eof) {
            ssize_t r = read(s->fd, buf, cap);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                return fail(s, TIX_E_IO, "read failed: %s", strerror(errno));
            if (r == 0)
                s->eof = 1;
            else if (s->tap)
                s->tap(s->tap_ctx, buf, (size_t)r);
            s->bytes_in += (uint64_t)r;
            *got = (size_t)r;
            return TIX_OK;
        }
        *got = 0;
        return TIX_OK;
    }
    size_t n = s->in_len - s->in_pos;
    if (n > cap)
        n = cap;
    memcpy(buf, s->in + s->in_pos, n);
    s->in_pos += n;
    *got = n;
    return TIX_OK;
}

/* zlib's messages in the words read_isal uses, so that both back ends
 * report a bad file the same way. */
static const char *zlib_reason(const char *msg)
{
    if (!msg)
        return "invalid deflate data";
    if (strcmp(msg, "incorrect data check") == 0 || strcmp(msg, "incorrect length check") == 0 ||
        strcmp(msg, "header crc mismatch") == 0) /* ISA-L says the same of all three */
        return "CRC or length check failed";
    if (strstr(msg, "header") || strstr(msg, "compression method"))
        return "invalid gzip header";
    return "invalid deflate data";
}

/* After a member ends: another member, clean EOF, or garbage. */
static tix_status next_member(tix_source *s)
{
    while (s->in_len - s->in_pos < 2 && !s->eof) {
        tix_status st = refill(s);
        if (st != TIX_OK)
            return st;
    }
    size_t left = s->in_len - s->in_pos;
    if (left == 0) {
        s->state = ST_DONE;
        return TIX_OK;
    }
    if (left >= 2 && s->in[s->in_pos] == 0x1f && s->in[s->in_pos + 1] == 0x8b) {
#ifdef TIX_HAVE_ISAL
        if (s->isal) {
            isal_inflate_reset(s->isal);
            s->isal->crc_flag = ISAL_GZIP;
            s->member_start = 1;
            return TIX_OK;
        }
#endif
        inflateReset(&s->z);
        return TIX_OK;
    }
    return fail(s, TIX_E_GZIP, "garbage after gzip member (%zu+ bytes)", left);
}

/* Tops up the compressed input when it has run dry. At the end of the
 * file the decompressor is still called with no input: it may have output
 * or an error in hand, and only when it can make no progress at all is the
 * stream cut short. So the verdict does not depend on the output buffer's
 * size. */
static tix_status need_input(tix_source *s)
{
    return s->in_pos < s->in_len || s->eof ? TIX_OK : refill(s);
}

static tix_status truncated(tix_source *s)
{
    return fail(s, TIX_E_GZIP, "truncated gzip stream (unexpected end of file)");
}

static tix_status read_gzip(tix_source *s, unsigned char *buf, size_t cap, size_t *got)
{
    s->z.next_out = buf;
    s->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
    while (s->z.avail_out > 0 && s->state == ST_GZIP) {
        tix_status need = need_input(s);
        if (need != TIX_OK)
            return need;
        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt)(s->in_len - s->in_pos);
        int zr = inflate(&s->z, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->z.avail_in;
        if (zr == Z_STREAM_END) {
            tix_status st = next_member(s);
            if (st != TIX_OK)
                return st;
            continue;
        }
        if (zr == Z_BUF_ERROR) {
            /* No progress possible: more input is needed. */
            if (s->eof && s->in_pos == s->in_len)
                return truncated(s);
            continue;
        }
        if (zr != Z_OK)
            return fail(s, TIX_E_GZIP, "corrupt gzip data: %s", zlib_reason(s->z.msg));
    }
    *got = cap - s->z.avail_out;
    return TIX_OK;
}

#ifdef TIX_HAVE_ISAL
/* The ISA-L twin of read_gzip: same member, truncation and garbage rules;
 * ISA-L checks the CRC and length trailer of each member itself. */
static tix_status read_isal(tix_source *s, unsigned char *buf, size_t cap, size_t *got)
{
    struct inflate_state *z = s->isal;
    z->next_out = buf;
    z->avail_out = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
    while (z->avail_out > 0 && s->state == ST_GZIP) {
        tix_status need = need_input(s);
        if (need != TIX_OK)
            return need;
        if (s->member_start) {
            /* RFC 1952 asks for an error on reserved flag bits; zlib gives
             * one and ISA-L does not look, so look here, with the method. */
            while (s->in_len - s->in_pos < 4 && !s->eof) {
                tix_status st = refill(s);
                if (st != TIX_OK)
                    return st;
            }
            /* The method must be deflate (8), as zlib checks at once. */
            if ((s->in_len - s->in_pos >= 3 && s->in[s->in_pos + 2] != 8) ||
                (s->in_len - s->in_pos >= 4 && (s->in[s->in_pos + 3] & 0xe0)))
                return fail(s, TIX_E_GZIP, "corrupt gzip data: invalid gzip header");
            s->member_start = 0;
        }
        z->next_in = s->in + s->in_pos;
        z->avail_in = (uint32_t)(s->in_len - s->in_pos);
        uint32_t out_before = z->avail_out, in_before = z->avail_in;
        int zr = isal_inflate(z);
        s->in_pos = s->in_len - z->avail_in;
        if (zr != ISAL_DECOMP_OK)
            return fail(s, TIX_E_GZIP, "corrupt gzip data: %s",
                        zr == ISAL_INCORRECT_CHECKSUM ? "CRC or length check failed"
                        : zr == ISAL_INVALID_WRAPPER || zr == ISAL_UNSUPPORTED_METHOD
                            ? "invalid gzip header"
                            : "invalid deflate data");
        if (z->block_state == ISAL_BLOCK_FINISH) {
            tix_status st = next_member(s);
            if (st != TIX_OK)
                return st;
            continue;
        }
        if (z->avail_in == in_before && z->avail_out == out_before && s->eof &&
            s->in_pos == s->in_len)
            return truncated(s);
    }
    *got = cap - z->avail_out;
    return TIX_OK;
}
#endif

tix_status tix_source_read(tix_source *s, void *buf, size_t cap, size_t *got)
{
    *got = 0;
    if (cap == 0)
        return TIX_E_INVALID; /* 0 bytes would read as end of input */
    if (!s->started) {
        s->started = 1;
        if (s->state == ST_GZIP) {
            tix_status st = start_inflate(s);
            if (st != TIX_OK)
                return st;
        }
    }
    switch (s->state) {
    case ST_FAILED:
        return s->err_status;
    case ST_DONE:
        return TIX_OK;
    case ST_PLAIN:
        return read_plain(s, buf, cap, got);
    default:
        break;
    }
#ifdef TIX_HAVE_ISAL
    if (s->isal)
        return read_isal(s, buf, cap, got);
#endif
    return read_gzip(s, buf, cap, got);
}

const char *tix_source_error(const tix_source *s) { return s->err; }

int tix_source_is_gzip(const tix_source *s) { return s->gzip; }

uint64_t tix_source_bytes_in(const tix_source *s) { return s->bytes_in; }

void tix_source_free(tix_source *s)
{
    if (!s)
        return;
    if (s->z_ready)
        inflateEnd(&s->z);
#ifdef TIX_HAVE_ISAL
    free(s->isal);
#endif
    if (s->own_fd)
        close(s->fd);
    free(s->in);
    free(s);
}
