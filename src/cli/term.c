#include "cli/term.h"

#include <stdarg.h>
#include <string.h>

#include "techidx/record.h"

static void put(FILE *f, const char *s, size_t n, int strict)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp = 0;
        size_t len = tix_utf8_char(s + i, n - i, &cp);
        if (len == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (strict && cp == '\\')) {
            fprintf(f, "\\x%02X", (unsigned char)s[i]);
            i++;
            continue;
        }
        fwrite(s + i, 1, len, f);
        i += len;
    }
}

void term_put(FILE *f, const char *s, size_t n) { put(f, s, n, 0); }

void term_put_strict(FILE *f, const char *s, size_t n) { put(f, s, n, 1); }

void term_puts(FILE *f, const char *s) { term_put(f, s, strlen(s)); }

void term_error(const char *path, unsigned long long line, const char *fmt, ...)
{
    va_list ap;
    fputs("techidx: ", stderr);
    if (path) {
        term_puts(stderr, path);
        if (line)
            fprintf(stderr, ":%llu", line);
        fputs(": ", stderr);
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
