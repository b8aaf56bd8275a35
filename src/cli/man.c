/* techidx(1) from the commands' args_help and the option table. */
#include "cli/man.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/term.h"

/* ---- roff ------------------------------------------------------------------ */

static int is_lower(int c) { return c >= 'a' && c <= 'z'; }
static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return is_lower(c) || is_upper(c); }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }

/* The length of the UTF-8 character at s (at most n bytes) and its code
 * point in *cp; 0 when s does not start a valid one. */
static size_t utf8_char(const unsigned char *s, size_t n, unsigned long *cp)
{
    size_t len = s[0] >= 0xf0 && s[0] <= 0xf4   ? 4
                 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
                 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
                                                : 0;
    if (len == 0 || len > n)
        return 0;
    unsigned long c = s[0] & (0x7f >> len);
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[k] & 0x3f);
    }
    /* Overlong forms, surrogates and past U+10FFFF are no characters. */
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Writes (s, n) as roff text: the characters roff reads as its own
 * escaped (the dash as \- so that values such as time-dummy can be typed
 * as shown, quotes as the ASCII ones), a break point after each '|' of a
 * list of values, and every non-ASCII character as \[uXXXX], so that the
 * page is ASCII and reads the same whatever groff takes its input to be. */
static void put_chars(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        unsigned long cp;
        size_t len;
        if (c >= 0x80) {
            len = utf8_char((const unsigned char *)s + i, n - i, &cp);
            fprintf(f, "\\[u%04lX]", len ? cp : 0xfffdul);
            i += len ? len : 1;
            continue;
        }
        i++;
        /* The space of "' '" (--date-format's separator) is a character
         * shown, not a place to break the line. */
        if (c == ' ' && i >= 2 && s[i - 2] == '\'' && i < n && s[i] == '\'') {
            fputs("\\ ", f);
            continue;
        }
        switch (c) {
        case '\\':
            fputs("\\e", f);
            break;
        case '-':
            fputs("\\-", f);
            break;
        case '\'':
            fputs("\\(aq", f);
            break;
        case '`':
            fputs("\\(ga", f);
            break;
        case '|':
            fputs("|\\:", f);
            break;
        default:
            if (c == '\t')
                fputc(' ', f);
            else if (c < 0x20 || c == 0x7f)
                fputs("\\[uFFFD]", f);
            else
                fputc(c, f);
        }
    }
}

/* The length of the option name (--min-contracts, -o) at s[i], when one
 * starts a word there; else 0. */
static size_t option_at(const char *s, size_t n, size_t i)
{
    if (s[i] != '-' || (i > 0 && !strchr(" ([,/", s[i - 1])))
        return 0;
    if (i + 2 < n && s[i + 1] == '-' && is_lower(s[i + 2])) {
        size_t j = i + 2;
        while (j < n && (is_lower(s[j]) || is_digit(s[j]) || s[j] == '-'))
            j++;
        return j - i;
    }
    if (i + 1 < n && is_alpha(s[i + 1]) && (i + 2 >= n || !is_alnum(s[i + 2])))
        return 2;
    return 0;
}

/* put_chars, with the options it names in bold. */
static void put_text(FILE *f, const char *s, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = option_at(s, n, i);
        if (len == 0)
            continue;
        put_chars(f, s + from, i - from);
        fputs("\\fB", f);
        put_chars(f, s + i, len);
        fputs("\\fR", f);
        i += len - 1;
        from = i + 1;
    }
    put_chars(f, s + from, n - from);
}

/* One line of filled text. A line that ends in '|' (a list of values
 * wrapped in --help) goes on with the next without a space. */
static void put_line(FILE *f, const char *s, size_t n)
{
    if (n > 0 && s[0] == '.')
        fputs("\\&", f); /* not a request */
    put_text(f, s, n);
    fputs(n > 0 && s[n - 1] == '|' ? "\\c\n" : "\n", f);
}

/* The lines of text (n bytes), laid out for a terminal of 80 columns,
 * as filled paragraphs: a blank line ends one, indentation is dropped.
 * Within one, a line at the margin after an indented one (the next item
 * of a hanging list: "Exit status: ...") or after a sentence's end
 * starts a line of its own, as it does in --help. Each paragraph but the
 * first starts with the request next, the first with first (NULL: none). */
static void put_paragraphs(FILE *f, const char *text, size_t n, const char *first, const char *next)
{
    int in_par = 0, count = 0, indented = 0;
    char last = 0; /* the last character of the line before */
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(text + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - text) : n, start = i;
        while (i < end && (text[i] == ' ' || text[i] == '\t'))
            i++;
        if (i == end) {
            in_par = 0;
        } else {
            if (!in_par) {
                const char *req = count++ ? next : first;
                if (req)
                    fprintf(f, "%s\n", req);
            } else if (i == start && (indented || last == '.')) {
                fputs(".br\n", f);
            }
            in_par = 1;
            indented = i > start;
            last = text[end - 1];
            put_line(f, text + i, end - i);
        }
        i = end + 1;
    }
}

/* A usage line in a no-fill block: command and option names bold, the
 * names of values (FILE, PART.tic, YYYY-Www) italic. */
static void put_usage(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        int c = (unsigned char)s[i];
        const char *font = is_lower(c) || option_at(s, n, i) ? "\\fB" : is_upper(c) ? "\\fI" : NULL;
        if (!font) {
            put_chars(f, s + i++, 1);
            continue;
        }
        size_t j = i + 1;
        while (j < n && (is_alnum(s[j]) || s[j] == '_' || s[j] == '-' ||
                         (s[j] == '.' && j + 1 < n && is_alnum(s[j + 1]))))
            j++;
        fputs(font, f);
        put_chars(f, s + i, j - i);
        fputs("\\fR", f);
        i = j;
    }
    fputc('\n', f);
}

/* ---- a command's parts --------------------------------------------------- */

/* The end of the usage lines at the start of head ("Usage: techidx ..."
 * and the lines "       techidx ..." after it). */
static size_t usage_end(const char *head)
{
    size_t i = 0;
    while (head[i]) {
        size_t sp = strspn(head + i, " ");
        if (strncmp(head + i, "Usage: ", 7) != 0 &&
            (i == 0 || sp == 0 || strncmp(head + i + sp, "techidx ", 8) != 0))
            break;
        const char *nl = strchr(head + i, '\n');
        i = nl ? (size_t)(nl - head) + 1 : strlen(head);
    }
    return i;
}

static void synopsis(FILE *f, const args_help *h)
{
    size_t end = usage_end(h->head);
    for (size_t i = 0; i < end;) {
        const char *line = h->head + i;
        const char *nl = memchr(line, '\n', end - i);
        size_t len = nl ? (size_t)(nl - line) : end - i;
        size_t skip = strncmp(line, "Usage: ", 7) == 0 ? 7 : strspn(line, " ");
        put_usage(f, line + skip, len - skip);
        i += len + 1;
    }
}

static void put_names(FILE *f, const tix_option *o)
{
    if (o->short_name)
        fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
    fputs("\\fB\\-\\-", f);
    put_chars(f, o->name, strlen(o->name));
    fputs("\\fR", f);
    if (o->metavar) {
        fputs(" \\fI", f);
        put_chars(f, o->metavar, strlen(o->metavar));
        fputs("\\fR", f);
    }
}

/* An option as an entry of a tagged list: its names as --help shows them
 * (with joined, --from DATE, --to DATE), its help as a paragraph. */
static void man_option(void *ctx, const tix_option *opt, const tix_option *joined)
{
    FILE *f = ctx;
    char help[1024]; /* its `names` as --names, as --help has them */
    fputs(".TP\n", f);
    if (joined) {
        put_names(f, joined);
        fputs(", ", f);
    }
    put_names(f, opt);
    fputc('\n', f);
    args_message(opt->help, help, sizeof help);
    put_paragraphs(f, help, strlen(help), NULL, ".IP");
}

static int options(FILE *f, unsigned cmd, const char *name, const args_help *h)
{
    fprintf(f, ".SS \"techidx %s\"\n", name);
    args_each_option(cmd, h, 0, man_option, f);
    if (h->limits) {
        fputs(".PP\n", f);
        put_line(f, h->limits, strlen(h->limits));
        args_each_option(cmd, h, 1, man_option, f);
    }
    if (h->tail)
        put_paragraphs(f, h->tail, strlen(h->tail), ".PP", ".PP");
    if (h->more) {
        /* It writes plain text for --help; the page wants it as roff. */
        char *text = NULL;
        size_t n = 0;
        FILE *m = open_memstream(&text, &n);
        if (!m) {
            fprintf(stderr, "techidx %s: out of memory\n", name);
            return -1;
        }
        h->more(m);
        if (fclose(m) != 0) {
            free(text);
            fprintf(stderr, "techidx %s: out of memory\n", name);
            return -1;
        }
        put_paragraphs(f, text, n, ".PP", ".PP");
        free(text);
    }
    return 0;
}

int man_command_part(FILE *f, unsigned cmd, const char *name, const args_help *h, const char *part)
{
    if (strcmp(part, "man-synopsis") == 0) {
        synopsis(f, h);
        return 0;
    }
    if (strcmp(part, "man-commands") == 0) {
        size_t from = usage_end(h->head);
        fprintf(f, ".TP\n.B %s\n", name);
        put_paragraphs(f, h->head + from, strlen(h->head + from), NULL, ".IP");
        return 0;
    }
    if (strcmp(part, "man-options") == 0)
        return options(f, cmd, name, h);
    return 1;
}

/* ---- the page ---------------------------------------------------------------- */

static int each_command(const man_command *cmds, size_t ncmds, const char *part)
{
    for (size_t i = 0; i < ncmds; i++) {
        char name[32], arg[32];
        snprintf(name, sizeof name, "%s", cmds[i].name);
        snprintf(arg, sizeof arg, "--help=%s", part);
        char *argv[] = {name, arg, NULL};
        if (cmds[i].main(2, argv) != TIX_EXIT_OK) {
            fprintf(stderr, "techidx: the manual page: techidx %s %s failed\n", name, arg);
            return TIX_EXIT_FAIL;
        }
    }
    return TIX_EXIT_OK;
}

/* A template line, "@VERSION@" replaced. */
static void put_template_line(const char *line, size_t n)
{
    static const char version[] = "@VERSION@";
    for (size_t i = 0; i < n;) {
        const char *at = strstr(line + i, version);
        size_t len = at ? (size_t)(at - line) - i : n - i;
        fwrite(line + i, 1, len, stdout);
        i += len;
        if (at) {
            fputs(TIX_VERSION, stdout);
            i += sizeof version - 1;
        }
    }
}

int man_page(const char *template_path, const man_command *cmds, size_t ncmds)
{
    FILE *t = fopen(template_path, "r");
    if (!t) {
        term_error(template_path, 0, "cannot read: %s", strerror(errno));
        return TIX_EXIT_FAIL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long long lineno = 0;
    int rc = TIX_EXIT_OK;
    while (rc == TIX_EXIT_OK && (got = getline(&line, &cap, t)) >= 0) {
        size_t n = (size_t)got;
        lineno++;
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        if (strcmp(line, "@SYNOPSIS@") == 0) {
            fputs(".nf\n", stdout);
            rc = each_command(cmds, ncmds, "man-synopsis");
            fputs(".fi\n", stdout);
        } else if (strcmp(line, "@COMMANDS@") == 0) {
            rc = each_command(cmds, ncmds, "man-commands");
        } else if (strcmp(line, "@OPTIONS@") == 0) {
            rc = each_command(cmds, ncmds, "man-options");
        } else if (n > 1 && line[0] == '@' && line[n - 1] == '@') {
            term_error(template_path, lineno, "unknown placeholder '%s'", line);
            rc = TIX_EXIT_FAIL;
        } else {
            put_template_line(line, n);
            fputc('\n', stdout);
        }
    }
    if (rc == TIX_EXIT_OK && ferror(t)) {
        term_error(template_path, 0, "cannot read: %s", strerror(errno));
        rc = TIX_EXIT_FAIL;
    }
    free(line);
    fclose(t);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (rc == TIX_EXIT_OK)
            fprintf(stderr, "techidx: writing the manual page: %s\n", strerror(errno));
        rc = TIX_EXIT_FAIL;
    }
    return rc;
}
