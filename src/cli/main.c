/* techidx: command-line entry point. */
#include <gsl/gsl_errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cleanup.h"
#include "cli/cli.h"
#include "cli/man.h"
#include "cli/stdfds.h"
#include "cli/term.h"

static void usage(FILE *f)
{
    fputs("Usage: techidx COMMAND [OPTIONS] ...\n"
          "\n"
          "Commands:\n"
          "  run FILE...     compute the technology trading index\n"
          "  publish --state DIR FILE...\n"
          "                  add dumps to a publishing state and write the week's release\n"
          "  cube FILE... -o PART.tic\n"
          "                  aggregate dumps into a part that merges exactly\n"
          "  merge PART.tic... -o ALL.tic\n"
          "                  combine parts\n"
          "  index PART.tic...\n"
          "                  the index of parts: what run writes for their dumps\n"
          "  chart INDEX.csv -o FILE.svg\n"
          "                  draw an index file as an SVG chart\n"
          "  gen -o FILE     write a synthetic contract dump\n"
          "\n"
          "'techidx COMMAND --help' describes a command.\n"
          "Exit status: 0 success, 1 data or I/O failure, 2 usage error.\n",
          f);
}

/* In the order of the usage, which the manual page follows. */
static const man_command commands[] = {
    {"run", tix_cli_run},     {"publish", tix_cli_publish}, {"cube", tix_cli_cube},
    {"merge", tix_cli_merge}, {"index", tix_cli_index},     {"chart", tix_cli_chart},
    {"gen", tix_cli_gen},
};

int main(int argc, char **argv)
{
    /* Before anything is opened: a closed 1 or 2 would be the next file. */
    if (stdfds_ensure() != 0)
        return TIX_EXIT_FAIL;
    /* Temporary files go away with SIGTERM, SIGINT, SIGHUP and SIGPIPE. */
    cleanup_init();
    /* A file size limit (ulimit -f) is then a write error, EFBIG, reported
     * and cleaned up like a full disk, not a kill that leaves temporary
     * files. */
    signal(SIGXFSZ, SIG_IGN);
    /* GSL's default handler aborts; the library checks every status. */
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return TIX_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].main(argc - 1, argv + 1);
    /* Not in the usage: how the build writes techidx.1 (man.h). */
    if (strcmp(cmd, "--man") == 0) {
        if (argc != 3) {
            fputs("Usage: techidx --man docs/techidx.1.in > techidx.1\n", stderr);
            return TIX_EXIT_USAGE;
        }
        return man_page(argv[2], commands, sizeof commands / sizeof *commands);
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return TIX_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("techidx %s\n", TIX_VERSION);
        return TIX_EXIT_OK;
    }
    fputs("techidx: unknown command '", stderr);
    term_puts(stderr, cmd);
    fputs("'\n", stderr);
    usage(stderr);
    return TIX_EXIT_USAGE;
}
