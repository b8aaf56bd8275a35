/* The buffered writer of sink_internal.h. */
#include "sink_internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* One "C" locale object for the process, made on first use (glibc hands
 * out its static one, so nothing is allocated there). uselocale() changes
 * the calling thread's locale only, which keeps concurrent writers and the
 * caller's other threads apart. */
static pthread_once_t c_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void make_c_locale(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

locale_t sink_locale_c(void)
{
    pthread_once(&c_once, make_c_locale);
    return c_locale;
}

void sink_init(sink *s, tix_write_fn fn, void *ctx)
{
    s->fn = fn;
    s->ctx = ctx;
    s->st = TIX_OK;
    s->c = (locale_t)0;
    s->caller = (locale_t)0;
    s->len = 0;
}

tix_status sink_c_locale(sink *s)
{
    pthread_once(&c_once, make_c_locale);
    if (c_locale == (locale_t)0) {
        if (s->st == TIX_OK)
            s->st = TIX_E_NOMEM;
        return TIX_E_NOMEM;
    }
    s->c = c_locale;
    s->caller = uselocale(c_locale);
    return TIX_OK;
}

/* fn, in the caller's locale. */
static void hand_over(sink *s, const void *p, size_t n)
{
    if (s->st != TIX_OK || n == 0)
        return;
    if (s->c)
        uselocale(s->caller);
    s->st = s->fn(s->ctx, p, n);
    if (s->c)
        uselocale(s->c);
}

static void flush(sink *s)
{
    hand_over(s, s->buf, s->len);
    s->len = 0;
}

void sink_put(sink *s, const void *p, size_t n)
{
    if (s->st != TIX_OK || n == 0)
        return;
    if (n > SINK_CAP - s->len)
        flush(s);
    if (n >= SINK_CAP) {
        hand_over(s, p, n);
        return;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

void sink_putc(sink *s, char c)
{
    if (s->len == SINK_CAP)
        flush(s);
    if (s->st == TIX_OK)
        s->buf[s->len++] = (unsigned char)c;
}

void sink_printf(sink *s, const char *fmt, ...)
{
    if (s->st != TIX_OK)
        return;
    for (int pass = 0; pass < 2; pass++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf((char *)s->buf + s->len, SINK_CAP - s->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            s->st = TIX_E_INVALID;
            return;
        }
        if ((size_t)n < SINK_CAP - s->len) {
            s->len += (size_t)n;
            return;
        }
        if (pass == 0 && s->len > 0) {
            flush(s); /* and again, into the empty buffer */
            if (s->st != TIX_OK)
                return;
            continue;
        }
        /* Longer than the whole buffer: formatted apart. */
        char *big = malloc((size_t)n + 1);
        if (!big) {
            s->st = TIX_E_NOMEM;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        hand_over(s, big, (size_t)n);
        free(big);
        return;
    }
}

tix_status sink_end(sink *s, tix_status st)
{
    flush(s);
    if (s->c) {
        uselocale(s->caller);
        s->c = (locale_t)0;
    }
    return s->st != TIX_OK ? s->st : st;
}

tix_status sink_file_write(void *ctx, const void *buf, size_t len)
{
    return fwrite(buf, 1, len, (FILE *)ctx) == len ? TIX_OK : TIX_E_IO;
}

tix_status sink_file_status(FILE *f, tix_status st)
{
    return st == TIX_OK && ferror(f) ? TIX_E_IO : st;
}
