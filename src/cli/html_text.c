/* cli/html: values from the release's files, written into the page. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/html_internal.h"

/* Escapes every character that could end an attribute or open a tag:
 * values from the files (cell names above all) are untrusted. Control
 * characters, C0 and C1 (U+0080-U+009F), which HTML forbids in a page,
 * become U+FFFD; so does a NUL. */
static void esc_n(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
                fputs("\xef\xbf\xbd", f);
            } else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                       (unsigned char)s[i + 1] <= 0x9f) {
                fputs("\xef\xbf\xbd", f);
                i++;
            } else {
                fputc(c, f);
            }
        }
    }
}

void html_esc(FILE *f, const char *s) { esc_n(f, s, strlen(s)); }

/* A number of the files read as a double; NAN when empty or not one. */
double html_num(const char *s)
{
    if (!s || !*s)
        return NAN;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    return *end || errno == ERANGE ? NAN : v;
}

/* An index level, or a dash when there is none. */
void html_put_level(FILE *f, double v)
{
    if (isnan(v))
        fputs("–", f);
    else
        fprintf(f, "%.1f", v);
}

/* digits[.digits], optionally signed: techidx's own amounts. */
static int is_amount(const char *s)
{
    size_t i = (*s == '-'), d = 0;
    while (s[i] >= '0' && s[i] <= '9')
        i++, d++;
    if (!d)
        return 0;
    if (s[i] == '.') {
        i++;
        if (!(s[i] >= '0' && s[i] <= '9'))
            return 0;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return s[i] == '\0';
}

/* An amount or a count with thousands separators, kept as written (no
 * rounding through a double); anything else escaped as it is. */
void html_put_amount(FILE *f, const char *s)
{
    if (!is_amount(s)) {
        html_esc(f, *s ? s : "–");
        return;
    }
    if (*s == '-')
        fputc(*s++, f);
    size_t d = strcspn(s, ".");
    for (size_t i = 0; i < d; i++) {
        if (i && (d - i) % 3 == 0)
            fputc(',', f);
        fputc(s[i], f);
    }
    fputs(s + d, f);
}

void html_put_count(FILE *f, unsigned long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%llu", v);
    html_put_amount(f, b);
}

const char *html_at(const page *p, size_t r, int c) { return c >= 0 ? table_at(&p->ix, r, c) : ""; }

int html_flag(const page *p, size_t r, int c)
{
    return c >= 0 && strcmp(table_at(&p->ix, r, c), "1") == 0;
}
