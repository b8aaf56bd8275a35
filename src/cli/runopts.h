/* The options and operands of the commands that read dumps or parts (run,
 * cube, merge, index, and techidx-mpi): the options as the table gives
 * them (args.h, techidx/options.h), the operands, and the checks of the
 * names given: an input given twice, two outputs in one file, an output
 * that would replace an input. */
#ifndef TECHIDX_CLI_RUNOPTS_H
#define TECHIDX_CLI_RUNOPTS_H

#include <stddef.h>

#include "cli/args.h"
#include "techidx.h"

/* What runopts_parse checks of the operands. */
#define RUNOPTS_FILES 16u   /* at least one FILE operand (else none) */
#define RUNOPTS_REPEATS 32u /* operands naming one file are refused without --allow-repeats */
#define RUNOPTS_INPLACE 64u /* -o may name an operand (merge all.tic new.tic -o all.tic) */

typedef struct run_opts {
    tix_config cfg; /* every option's value */
    char **files;   /* the operands */
    int nfiles;
} run_opts;

/* Parses argv (argv[0] is the command name) for command cmd (a TIX_CMD_
 * bit) with args_parse, then checks the operands. Returns 0, -1 after
 * printing the help or the version, or TIX_EXIT_USAGE after printing the
 * error. Free o with runopts_free whatever the result.
 *
 * Files named twice are usage errors, a name and another name of one file
 * alike (path_normalize() equal, or the same device and inode): two
 * outputs (-o, --cells, --contributions, --rejects; two on stdout), an
 * output and an operand (unless RUNOPTS_INPLACE), and with
 * RUNOPTS_REPEATS two operands unless --allow-repeats ('-' at most once
 * whatever the options: stdin reads once). */
int runopts_parse(int argc, char **argv, run_opts *o, unsigned cmd, unsigned checks,
                  const args_help *help);
void runopts_free(run_opts *o);

/* The index file: -o, or "-" (stdout) when not given. */
const char *runopts_output(const run_opts *o);

/* Prints "techidx CMD: message" (its `names` as --names) and the --help
 * hint; returns TIX_EXIT_USAGE. */
__attribute__((format(printf, 2, 3))) int runopts_usage_error(const char *cmd, const char *fmt,
                                                              ...);

#endif
