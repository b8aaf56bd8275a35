/* argv, --help and messages from the option table (techidx/options.h). */
#include "cli/args.h"

#include <string.h>

#include "cli/cli.h"
#include "cli/man.h"

const char *args_message(const char *msg, char *out, size_t outlen)
{
    return tix_config_message(msg, "--", '-', out, outlen);
}

int args_usage_error(const char *cmdname, const char *msg)
{
    char shown[1024];
    fprintf(stderr, "techidx %s: %s\nTry 'techidx %s --help'.\n", cmdname,
            args_message(msg, shown, sizeof shown), cmdname);
    return TIX_EXIT_USAGE;
}

/* "run, cube, publish --init": the commands that take opt, in the order
 * of the tix_command bits. */
static void commands_of(const tix_option *opt, char *out, size_t outlen)
{
    size_t n = 0;
    out[0] = '\0';
    for (unsigned bit = 1; bit <= TIX_CMD_GEN; bit <<= 1)
        if (opt->commands & bit) {
            const char *name = tix_command_name((tix_command)bit);
            n +=
                (size_t)snprintf(out + n, n < outlen ? outlen - n : 0, "%s%s", n ? ", " : "", name);
        }
}

/* Why opt, written as_given, is not an option of this command. */
static int misplaced(const char *cmdname, unsigned cmd, const tix_option *opt, const char *as_given)
{
    char cmds[160], msg[512];
    /* An option several entries share (-o, -q) belongs to all of them. */
    size_t n;
    const tix_option *t = tix_options(&n);
    tix_option all = *opt;
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, opt->name) == 0)
            all.commands |= t[i].commands;
    commands_of(&all, cmds, sizeof cmds);
    switch (opt->group) {
    case TIX_GROUP_AGGREGATE:
        snprintf(msg, sizeof msg,
                 "%s decides how rows are aggregated: give it where the rows are read (%s)",
                 as_given, cmds);
        break;
    case TIX_GROUP_INDEX:
        snprintf(msg, sizeof msg, "%s is an index option: give it where the index is computed (%s)",
                 as_given, cmds);
        break;
    case TIX_GROUP_OUTPUT:
        snprintf(msg, sizeof msg, "%s names an output this command does not write", as_given);
        break;
    case TIX_GROUP_READ:
        snprintf(msg, sizeof msg, "%s applies to reading CSV input files (%s)", as_given, cmds);
        break;
    default:
        snprintf(msg, sizeof msg, "%s is an option of %s, not of %s", as_given, cmds,
                 tix_command_name((tix_command)cmd) ? tix_command_name((tix_command)cmd) : cmdname);
        break;
    }
    return args_usage_error(cmdname, msg);
}

static int set(tix_config *c, unsigned cmd, const char *cmdname, const tix_option *opt,
               const char *value)
{
    char err[512];
    tix_status st = tix_config_set(c, cmd, opt, value, err, sizeof err);
    if (st == TIX_OK)
        return 0;
    if (st == TIX_E_NOMEM) {
        fprintf(stderr, "techidx %s: out of memory\n", cmdname);
        return TIX_EXIT_FAIL;
    }
    return args_usage_error(cmdname, err);
}

int args_set(tix_config *c, unsigned cmd, const char *cmdname, const char *name, const char *value)
{
    const tix_option *opt = tix_option_find(name, cmd);
    if (!opt || !(opt->commands & cmd)) {
        char msg[256];
        snprintf(msg, sizeof msg, "unknown option '%s'", name);
        return args_usage_error(cmdname, msg);
    }
    return set(c, cmd, cmdname, opt, value);
}

int args_finish(tix_config *c, unsigned cmd, const char *cmdname)
{
    char err[512];
    if (tix_config_finish(c, cmd, err, sizeof err) != TIX_OK)
        return args_usage_error(cmdname, err);
    return 0;
}

/* ---- --help ------------------------------------------------------------------ */

/* One option's lines: "  -o, --output F  help", the help on the next line
 * when the names leave less than two spaces; joined (--from) is listed
 * before opt on the same line. */
static void print_option(FILE *f, const tix_option *opt, const tix_option *joined,
                         const args_help *h, int width)
{
    char left[160];
    size_t n = 0;
    const tix_option *parts[2] = {joined, opt};
    for (int k = 0; k < 2; k++) {
        const tix_option *o = parts[k];
        if (!o)
            continue;
        if (o->short_name)
            n += (size_t)snprintf(left + n, sizeof left - n, "-%c, ", o->short_name);
        else if (h->pad_short && n == 0)
            n += (size_t)snprintf(left + n, sizeof left - n, "    ");
        n += (size_t)snprintf(left + n, sizeof left - n, "--%s%s%s%s", o->name,
                              o->metavar ? " " : "", o->metavar ? o->metavar : "",
                              k == 0 ? ", " : "");
    }
    int col = width - 2; /* after the two spaces of indent */
    fprintf(f, "  %s", left);
    if ((int)n + 2 > col)
        fprintf(f, "\n%*s", width, "");
    else
        fprintf(f, "%*s", col - (int)n, "");
    char help[1024]; /* its `names` as --names */
    for (const char *p = args_message(opt->help, help, sizeof help);;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        fwrite(p, 1, len, f);
        fputc('\n', f);
        if (!nl)
            break;
        p = nl + 1;
        fprintf(f, "%*s", width, "");
    }
}

/* The -h, --help line of cmd's options, as the table would list it. */
static tix_option help_option(unsigned cmd, const args_help *h)
{
    tix_option help = {0};
    help.name = "help";
    help.short_name = 'h';
    help.commands = cmd;
    help.kind = TIX_OPT_FLAG;
    help.help = h->help_line ? h->help_line : "this help";
    help.id = -1;
    return help;
}

void args_each_option(unsigned cmd, const args_help *h, int section, args_option_fn fn, void *ctx)
{
    size_t n;
    const tix_option *t = tix_options(&n);
    const tix_option *pending = NULL;
    for (size_t i = 0; i < n; i++) {
        const tix_option *o = &t[i];
        if (!(o->commands & cmd) || o->section != section)
            continue;
        if (!o->help) { /* listed with the next: --from DATE, --to DATE */
            pending = o;
            continue;
        }
        fn(ctx, o, pending);
        pending = NULL;
    }
    if (section == 0) {
        const tix_option help = help_option(cmd, h);
        fn(ctx, &help, NULL);
    }
}

typedef struct text_lines {
    FILE *f;
    const args_help *h;
    int width;
} text_lines;

static void print_one(void *ctx, const tix_option *opt, const tix_option *joined)
{
    const text_lines *t = ctx;
    print_option(t->f, opt, joined, t->h, t->width);
}

void args_print_options(FILE *f, unsigned cmd, const args_help *h)
{
    text_lines options = {f, h, h->width ? h->width : 18};
    args_each_option(cmd, h, 0, print_one, &options);
    if (h->limits) {
        text_lines limits = {f, h, h->limits_width ? h->limits_width : 24};
        fprintf(f, "\n%s\n", h->limits);
        args_each_option(cmd, h, 1, print_one, &limits);
    }
}

static void print_help(unsigned cmd, const args_help *h)
{
    fputs(h->head, stdout);
    args_print_options(stdout, cmd, h);
    if (h->tail)
        fputs(h->tail, stdout);
    if (h->more)
        h->more(stdout);
}

/* ---- argv ------------------------------------------------------------------ */

/* The message for an option name that is not in the table for cmd. */
static int unknown(const char *cmdname, unsigned cmd, const char *as_given, const char *name)
{
    char msg[512];
    const char *shown = as_given;
    const char *near = tix_option_suggest(name, cmd);
    size_t len = strlen(name);
    if (near && len > 0 && strncmp(near, name, len) == 0)
        snprintf(msg, sizeof msg, "unknown option '%s' (options are not abbreviated)", shown);
    else if (near)
        snprintf(msg, sizeof msg, "unknown option '%s'; did you mean '--%s'?", shown, near);
    else
        snprintf(msg, sizeof msg, "unknown option '%s'", shown);
    return args_usage_error(cmdname, msg);
}

int args_parse(int argc, char **argv, unsigned cmd, const args_help *help, tix_config *c,
               int *first)
{
    const char *cmdname = argv[0];
    char msg[512];
    int nops = 0; /* operands found, kept at argv[1..nops] meanwhile */
    tix_config_init(c);
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        const tix_option *opt;
        const char *value = NULL;
        char as_given[80];
        if (strcmp(a, "--") == 0) {
            while (++i < argc)
                argv[1 + nops++] = argv[i];
            break;
        }
        if (strncmp(a, "--", 2) == 0) {
            char name[64];
            size_t n = strcspn(a + 2, "=");
            if (a[2 + n] == '=')
                value = a + 3 + n;
            if (n >= sizeof name)
                return unknown(cmdname, cmd, a, "");
            memcpy(name, a + 2, n);
            name[n] = '\0';
            if (!value && strcmp(name, "help") == 0) {
                print_help(cmd, help);
                return -1;
            }
            if (value && strcmp(name, "help") == 0) {
                /* Not in --help: the build's way to the manual page. */
                int part = man_command_part(stdout, cmd, cmdname, help, value);
                if (part <= 0)
                    return part == 0 ? -1 : TIX_EXIT_FAIL;
            }
            if (!value && strcmp(name, "version") == 0) {
                printf("techidx %s\n", tix_version());
                return -1;
            }
            opt = tix_option_find(name, cmd);
            if (!opt)
                return unknown(cmdname, cmd, a, name);
            snprintf(as_given, sizeof as_given, "--%s", name);
        } else if (a[0] == '-' && a[1] != '\0') {
            if (strcmp(a, "-h") == 0) {
                print_help(cmd, help);
                return -1;
            }
            opt = tix_option_find_short(a[1], cmd);
            if (!opt || (a[2] != '\0' && opt->kind == TIX_OPT_FLAG)) {
                snprintf(msg, sizeof msg, "unknown option '%s'", a);
                return args_usage_error(cmdname, msg);
            }
            if (a[2] != '\0')
                value = a + 2;
            snprintf(as_given, sizeof as_given, "-%c", a[1]);
        } else {
            argv[1 + nops++] = a; /* an operand ('-' is stdin) */
            continue;
        }
        if (!(opt->commands & cmd))
            return misplaced(cmdname, cmd, opt, as_given);
        if (opt->kind == TIX_OPT_FLAG && value) {
            snprintf(msg, sizeof msg, "%s takes no value", as_given);
            return args_usage_error(cmdname, msg);
        }
        if (opt->kind != TIX_OPT_FLAG && !value) {
            if (i + 1 >= argc) {
                snprintf(msg, sizeof msg, "option '%s' needs a value", a);
                return args_usage_error(cmdname, msg);
            }
            value = argv[++i];
        }
        if (tix_config_given(c, opt) && opt->kind != TIX_OPT_LIST) {
            snprintf(msg, sizeof msg, "%s is given twice", as_given);
            return args_usage_error(cmdname, msg);
        }
        int rc = set(c, cmd, cmdname, opt, value);
        if (rc != 0)
            return rc;
    }
    /* The operands to the end of argv, in order. */
    *first = argc - nops;
    memmove(argv + *first, argv + 1, (size_t)nops * sizeof *argv);
    return args_finish(c, cmd, cmdname);
}
