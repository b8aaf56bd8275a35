/* The command line's side of the option table (techidx/options.h): argv
 * into a tix_config, --help printed from the table, and library messages
 * shown with --names. No command has a parser of its own. */
#ifndef TECHIDX_CLI_ARGS_H
#define TECHIDX_CLI_ARGS_H

#include <stddef.h>
#include <stdio.h>

#include "techidx.h"

/* How a command's --help is laid out; give it with designated
 * initializers, a field left 0 or NULL takes the default: the text before
 * the options; the column where the help of an option starts in the
 * options (default 18) and in the limits (default 24); whether the options
 * without a short name are indented to line up with those that have one
 * (gen); the heading of the limits section (NULL: no such section); what
 * -h, --help says (default "this help"); the text after, and a function
 * writing what follows it. */
typedef struct args_help {
    const char *head;
    int width, limits_width;
    int pad_short;
    const char *limits;
    const char *help_line;
    const char *tail;
    void (*more)(FILE *f);
} args_help;

/* Parses argv (argv[0] the command's name, as messages show it) for
 * command cmd (a TIX_CMD_ bit) into c, which it initialises first. Long
 * options are taken by their exact name, as --name VALUE or --name=VALUE;
 * short ones as -o VALUE or -oVALUE; "--" ends the options. The operands,
 * in order, are moved to argv[*first..argc). --help prints the help and
 * --version the version on stdout, and return -1; so does the hidden
 * --help=PART, which writes a part of the manual page (man.h) instead.
 * An error prints "techidx NAME: message" and the --help hint on stderr
 * and returns TIX_EXIT_USAGE. The checks across options (tix_config_finish) are made
 * once the last option is set. Returns 0 otherwise. Clear c with
 * tix_config_clear whatever the result. */
int args_parse(int argc, char **argv, unsigned cmd, const args_help *help, tix_config *c,
               int *first);

/* Sets the option called name (as the table names it) to value (NULL for
 * a flag) in c, for command cmd; for options that come from elsewhere
 * (those a state stores). Errors are printed as args_parse prints them.
 * Returns 0 or TIX_EXIT_USAGE. */
int args_set(tix_config *c, unsigned cmd, const char *cmdname, const char *name, const char *value);

/* The checks across options for cmd, once every option is set; errors
 * printed as args_parse prints them. Returns 0 or TIX_EXIT_USAGE. */
int args_finish(tix_config *c, unsigned cmd, const char *cmdname);

/* Writes the option lines of cmd's --help (those in the given section). */
void args_print_options(FILE *f, unsigned cmd, const args_help *help);

/* Calls fn(ctx, opt, joined) for each option that cmd's --help lists in
 * section (0 the options, 1 the limits), in that order: an option without
 * a help of its own (--from) comes as joined with the next (--to, NULL
 * otherwise), and section 0 ends with -h, --help (help->help_line). For
 * --help and the manual page (man.h), which list the same options. */
typedef void (*args_option_fn)(void *ctx, const tix_option *opt, const tix_option *joined);
void args_each_option(unsigned cmd, const args_help *help, int section, args_option_fn fn,
                      void *ctx);

/* Prints "techidx CMD: message" (a library message: its `names` shown as
 * --names) and the --help hint on stderr; returns TIX_EXIT_USAGE. */
int args_usage_error(const char *cmdname, const char *msg);

/* The library message msg with its `names` as --names, into out. */
const char *args_message(const char *msg, char *out, size_t outlen);

#endif
