/* The manual page, techidx(1), written by the command line itself.
 *
 * A hand-written skeleton (docs/techidx.1.in: NAME, DESCRIPTION, EXIT
 * STATUS, FILES, EXAMPLES, ...) holds placeholder lines that the page
 * takes from the commands: their usage lines, what each does and their
 * options, from the same args_help and option table --help prints, so
 * an option added to the table is in the page of the next build. Each
 * command writes its part when args_parse meets a hidden `--help=PART`
 * (PART one of "man-synopsis", "man-commands", "man-options"), so the
 * page needs nothing that a command keeps to itself. */
#ifndef TECHIDX_CLI_MAN_H
#define TECHIDX_CLI_MAN_H

#include <stddef.h>
#include <stdio.h>

#include "cli/args.h"

/* A command of the page: its name and entry point (tix_cli_run, ...). */
typedef struct man_command {
    const char *name;
    int (*main)(int argc, char **argv);
} man_command;

/* Writes part of command cmd (a TIX_CMD_ bit, named name) in roff on f:
 * "man-synopsis" its usage lines (for a no-fill block), "man-commands"
 * an entry of a tagged list with what it does, "man-options" a
 * subsection with its options, limits and the text after them. Returns
 * 0; 1 when part is none of those (nothing written); -1 when out of
 * memory (said on stderr). */
int man_command_part(FILE *f, unsigned cmd, const char *name, const args_help *h, const char *part);

/* Writes the page on stdout: the lines of the skeleton at template_path,
 * with "@VERSION@" replaced by the version wherever it is, and a line
 * "@SYNOPSIS@", "@COMMANDS@" or "@OPTIONS@" by that part of each of the
 * ncmds commands in turn (each run as `NAME --help=man-...`). Any other
 * line that starts and ends with '@' is an error, so that a misspelt
 * placeholder cannot reach the page. Errors are said on stderr. Returns
 * the exit status: 0, or 1 (the skeleton unreadable, a command failed,
 * stdout not written). */
int man_page(const char *template_path, const man_command *cmds, size_t ncmds);

#endif
