/* Printing untrusted text (file names, raw records) where a person may be
 * reading: bytes that are not printable UTF-8 are shown as \xHH, so a
 * hostile name cannot move the cursor or recolour a terminal. */
#ifndef TECHIDX_CLI_TERM_H
#define TECHIDX_CLI_TERM_H

#include <stddef.h>
#include <stdio.h>

/* Writes (s, n) to f with control characters (C0, DEL, C1) and invalid UTF-8
 * bytes escaped as \xHH. */
void term_put(FILE *f, const char *s, size_t n);

/* term_put that escapes the backslash too (as \x5C), so that the text
 * decodes back to the exact bytes: names in files that are read back by
 * line (MANIFEST). The output is valid UTF-8 without control characters. */
void term_put_strict(FILE *f, const char *s, size_t n);

/* term_put of a NUL-terminated string. */
void term_puts(FILE *f, const char *s);

/* Prints "techidx: PATH: message\n" (or "techidx: PATH:LINE: ...", or
 * without PATH when it is NULL) on stderr, PATH escaped. */
__attribute__((format(printf, 3, 4))) void term_error(const char *path, unsigned long long line,
                                                      const char *fmt, ...);

#endif
