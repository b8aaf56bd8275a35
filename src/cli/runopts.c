/* The operands and outputs of run, cube, merge and index: the options
 * come from the table (args.h), and here the names given are checked. */
#include "cli/runopts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/paths.h"

int runopts_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return args_usage_error(cmd, msg);
}

#define usage_error(...) runopts_usage_error(cmd, __VA_ARGS__)

const char *runopts_output(const run_opts *o) { return o->cfg.output ? o->cfg.output : "-"; }

/* ---- files named twice ---------------------------------------------------- */

/* A name on the command line and what it is: its normalised path, and its
 * device and inode when it exists. */
typedef struct named {
    const char *name;
    const char *what; /* the option, or NULL for an operand */
    char *norm;       /* path_normalize(name), or NULL (then name is used) */
    int exists;
    dev_t dev;
    ino_t ino;
    int null;  /* the null device: what goes there is dropped, so it may be
                  named any number of times (benchmarks, -o /dev/null) */
    size_t at; /* position among the operands */
} named;

static void named_init(named *n, const char *name, const char *what, size_t at)
{
    struct stat st;
    n->name = name;
    n->what = what;
    n->at = at;
    n->null = 0;
    int dash = strcmp(name, "-") == 0;
    n->norm = dash ? NULL : path_normalize(name);
    /* "-" is stdin among the operands (an output "-" is on_stdout). */
    n->exists = dash ? what == NULL && fstat(STDIN_FILENO, &st) == 0 : stat(name, &st) == 0;
    if (n->exists) {
        struct stat nul;
        n->dev = st.st_dev;
        n->ino = st.st_ino;
        n->null = S_ISCHR(st.st_mode) && stat("/dev/null", &nul) == 0 && S_ISCHR(nul.st_mode) &&
                  st.st_rdev == nul.st_rdev;
    }
}

static const char *norm_of(const named *n) { return n->norm ? n->norm : n->name; }

/* One file under two names: the same normalised path (the file need not
 * exist), or the same device and inode (links, symlinks, /dev/fd/N). */
static int one_file(const named *a, const named *b)
{
    if (a->null || b->null)
        return 0;
    return strcmp(norm_of(a), norm_of(b)) == 0 ||
           (a->exists && b->exists && a->dev == b->dev && a->ino == b->ino);
}

/* Whether the output name writes to fd 1 (outfile.h: "-" or stdout's file). */
static int on_stdout(const named *n)
{
    struct stat st;
    if (strcmp(n->name, "-") == 0)
        return 1;
    return n->exists && !n->null && fstat(STDOUT_FILENO, &st) == 0 && st.st_dev == n->dev &&
           st.st_ino == n->ino;
}

static int by_norm(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(norm_of(x), norm_of(y));
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

static int by_inode(const void *a, const void *b)
{
    const named *x = a, *y = b;
    if (x->exists != y->exists)
        return x->exists - y->exists;
    if (x->exists && x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->exists && x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

/* The first pair of operands (by the later one's position, then the
 * earlier's) that name one file, from neighbours in both sort orders:
 * n log n for thousands of dumps. Returns 0 when there is none. */
static int repeated_operand(named *ops, size_t n, size_t *first, size_t *second)
{
    int found = 0;
    for (int pass = 0; pass < 2; pass++) {
        qsort(ops, n, sizeof *ops, pass ? by_inode : by_norm);
        for (size_t i = 1; i < n; i++) {
            if (!one_file(&ops[i - 1], &ops[i]))
                continue;
            /* Within a run of equal ones, the two earliest are neighbours
             * at its start: sorted by position. */
            size_t a = ops[i - 1].at, b = ops[i].at;
            if (!found || b < *second || (b == *second && a < *first)) {
                *first = a;
                *second = b;
                found = 1;
            }
        }
    }
    return found;
}

static int check_files(const run_opts *o, const char *cmd, unsigned cmdbit, unsigned groups)
{
    int rc = 0;
    size_t nops = groups & RUNOPTS_FILES ? (size_t)o->nfiles : 0;
    named outs[4];
    size_t nouts = 0;
    named *ops = calloc(nops ? nops : 1, sizeof *ops);
    if (!ops) {
        fprintf(stderr, "techidx %s: out of memory\n", cmd);
        return TIX_EXIT_FAIL;
    }
    const tix_config *c = &o->cfg;
    if (c->output || (cmdbit & (TIX_CMD_RUN | TIX_CMD_INDEX)))
        named_init(&outs[nouts++], runopts_output(o), c->output ? "-o" : "the index (stdout)", 0);
    if (c->cells)
        named_init(&outs[nouts++], c->cells, "--cells", 0);
    if (c->contributions)
        named_init(&outs[nouts++], c->contributions, "--contributions", 0);
    if (c->rejects)
        named_init(&outs[nouts++], c->rejects, "--rejects", 0);
    for (size_t i = 0; i < nouts && !rc; i++)
        for (size_t k = i + 1; k < nouts && !rc; k++) {
            if (on_stdout(&outs[i]) && on_stdout(&outs[k]))
                rc = usage_error("%s and %s both write to stdout", outs[i].what, outs[k].what);
            else if (one_file(&outs[i], &outs[k]))
                rc = usage_error("%s and %s name the same file ('%s', '%s')", outs[i].what,
                                 outs[k].what, outs[i].name, outs[k].name);
        }
    for (size_t i = 0; i < nops; i++)
        named_init(&ops[i], o->files[i], NULL, i);
    /* An output renamed onto an operand would replace it (a dump with its
     * rejects); merge may replace one of its parts. */
    for (size_t i = 0; i < nouts && !rc && !(groups & RUNOPTS_INPLACE); i++)
        for (size_t k = 0; k < nops && !rc; k++)
            if (strcmp(ops[k].name, "-") != 0 && !on_stdout(&outs[i]) &&
                one_file(&outs[i], &ops[k]))
                rc = usage_error("%s '%s' would replace the input '%s'", outs[i].what, outs[i].name,
                                 ops[k].name);
    size_t stdin_at = nops;
    for (size_t i = 0; i < nops && !rc; i++)
        if (strcmp(ops[i].name, "-") == 0) {
            if (stdin_at < nops)
                rc = usage_error("'-' (stdin) is given twice: it can be read once");
            stdin_at = i;
        }
    size_t a = 0, b = 0;
    if (!rc && (groups & RUNOPTS_REPEATS) && !c->allow_repeats &&
        repeated_operand(ops, nops, &a, &b)) {
        if (strcmp(o->files[a], o->files[b]) == 0)
            rc = usage_error("the input '%s' is given twice (--allow-repeats if it is to "
                             "count twice)",
                             o->files[a]);
        else
            rc = usage_error("'%s' and '%s' are the same input (--allow-repeats if it is to "
                             "count twice)",
                             o->files[a], o->files[b]);
    }
    for (size_t i = 0; i < nouts; i++)
        free(outs[i].norm);
    for (size_t i = 0; i < nops; i++)
        free(ops[i].norm);
    free(ops);
    return rc;
}

/* --format xlsx: a zip archive is written whole under a temporary name and
 * renamed into place, so its -o must be a file name: not stdout (the
 * default, '-', or stdout and stderr under another name), nor a FIFO or a
 * device, whose reader would wait for bytes that never come that way. */
static int check_xlsx(const run_opts *o, const char *cmd)
{
    const char *out = o->cfg.output;
    struct stat st, fd;
    if (!out || strcmp(out, "-") == 0)
        return usage_error("--format xlsx writes a workbook file: give -o FILE.xlsx (a workbook "
                           "is not written to stdout)");
    if (stat(out, &st) != 0)
        return 0; /* a new file */
    for (int i = STDOUT_FILENO; i <= STDERR_FILENO; i++)
        if (fstat(i, &fd) == 0 && st.st_dev == fd.st_dev && st.st_ino == fd.st_ino)
            return usage_error("--format xlsx: -o '%s' is the %s of techidx; give -o FILE.xlsx",
                               out, i == STDOUT_FILENO ? "stdout" : "stderr");
    if (!S_ISREG(st.st_mode))
        return usage_error("--format xlsx: -o '%s' is not a regular file (a workbook is not "
                           "streamed to a FIFO or a device)",
                           out);
    return 0;
}

int runopts_parse(int argc, char **argv, run_opts *o, unsigned cmdbit, unsigned groups,
                  const args_help *help)
{
    const char *cmd = argv[0];
    int first;
    o->files = NULL;
    o->nfiles = 0;
    int rc = args_parse(argc, argv, cmdbit, help, &o->cfg, &first);
    if (rc != 0)
        return rc;
    o->files = argv + first;
    o->nfiles = argc - first;
    if ((groups & RUNOPTS_FILES) && o->nfiles == 0)
        return usage_error("no input files");
    if (!(groups & RUNOPTS_FILES) && o->nfiles > 0)
        return usage_error("unexpected argument '%s'", o->files[0]);
    rc = check_files(o, cmd, cmdbit, groups);
    if (rc == 0 && o->cfg.format == 2)
        rc = check_xlsx(o, cmd);
    return rc;
}

void runopts_free(run_opts *o) { tix_config_clear(&o->cfg); }
