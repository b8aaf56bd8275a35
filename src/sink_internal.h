/* A buffered writer over a tix_write_fn, shared by the writers (write.c)
 * and .tic files (tic.c). Not installed.
 *
 * Bytes collect in a buffer of SINK_CAP and go to fn in pieces of at most
 * that size (a longer piece is handed over as it is). The first failure of
 * fn is kept, nothing more is written after it, and sink_end returns it as
 * fn gave it. With sink_c_locale the numbers sink_printf formats ignore the
 * caller's locale: the calling thread runs in the "C" locale until
 * sink_end, and fn is always called back in the caller's own locale. */
#ifndef TECHIDX_SINK_INTERNAL_H
#define TECHIDX_SINK_INTERNAL_H

#include <locale.h>
#include <stddef.h>
#include <stdio.h>

#include "techidx/base.h"

#define SINK_CAP 8192

typedef struct sink {
    tix_write_fn fn;
    void *ctx;
    tix_status st;
    locale_t c, caller; /* c: (locale_t)0 unless sink_c_locale */
    size_t len;
    unsigned char buf[SINK_CAP];
} sink;

void sink_init(sink *s, tix_write_fn fn, void *ctx);

/* The process's "C" locale object ((locale_t)0 when none can be made),
 * for numbers read or written whatever the caller's LC_NUMERIC. */
locale_t sink_locale_c(void);

/* Formats in the "C" locale from now until sink_end. Returns TIX_OK, or
 * TIX_E_NOMEM when no "C" locale object can be made (the sink then writes
 * nothing and sink_end returns that). */
tix_status sink_c_locale(sink *s);

void sink_put(sink *s, const void *p, size_t n);
void sink_putc(sink *s, char c);
__attribute__((format(printf, 2, 3))) void sink_printf(sink *s, const char *fmt, ...);

/* Hands what is buffered to fn, restores the caller's locale, and returns
 * the first failure: fn's, or else `st` (a writer's own). */
tix_status sink_end(sink *s, tix_status st);

/* The tix_write_fn of a FILE* (ctx): TIX_E_IO on a short write. */
tix_status sink_file_write(void *ctx, const void *buf, size_t len);

/* What a FILE* writer returns after running its _fn version on f: st, or
 * TIX_E_IO when f has an error (set by this write or earlier). */
tix_status sink_file_status(FILE *f, tix_status st);

#endif
