/* The options of `techidx run`, shared by the commands that aggregate
 * (run, cube, publish --init) or index (run, index, publish): one parser,
 * one meaning per option. A command says which groups it takes; an option
 * of another group is a usage error that says where it belongs. */
#ifndef TECHIDX_CLI_RUNOPTS_H
#define TECHIDX_CLI_RUNOPTS_H

#include <stddef.h>

#include "techidx.h"

/* Option groups. */
#define RUNOPTS_AGGREGATE 1u /* --period --by --measure --from --to --map --dedup, limits */
#define RUNOPTS_INDEX                                                                              \
    2u                      /* --method --chain --window --splice --base --min-contracts,          \
                               --winsorize --winsorize-window */
#define RUNOPTS_OUTPUTS 4u  /* -o --format --cells --contributions --strict */
#define RUNOPTS_READ 8u     /* --rejects --threads --inflate: reading input files */
#define RUNOPTS_FILES 16u   /* at least one FILE operand */
#define RUNOPTS_REPEATS 32u /* --allow-repeats: operands naming one file are refused without it */
#define RUNOPTS_INPLACE 64u /* -o may name an operand (merge all.tic new.tic -o all.tic) */

typedef struct run_opts {
    tix_engine_opts engine;
    tix_index_opts index;
    const char *base_label;
    const char *output, *cells, *rejects, *contributions;
    int json, strict, quiet;
    int allow_repeats;           /* --allow-repeats: the same input may count twice */
    int chain_given, geks_given; /* options that only some methods take */
    tix_header_map maps[TIX_COL_COUNT * 4];
    size_t nmaps;
    char **files; /* the operands */
    int nfiles;
} run_opts;

/* Parses argv (argv[0] is the command name) for command `cmd` taking the
 * groups in `groups`, with defaults first. help is printed on -h. Returns 0,
 * -1 after printing help, or TIX_EXIT_USAGE after printing the error. A
 * cube's own aggregation options are then set by runopts_apply_meta.
 *
 * Files named twice are usage errors, a name and another name of one file
 * alike (path_normalize() equal, or the same device and inode): two
 * outputs (-o, --cells, --contributions, --rejects; two on stdout), an
 * output and an operand (unless RUNOPTS_INPLACE), and with
 * RUNOPTS_REPEATS two operands unless --allow-repeats ('-' at most once
 * whatever the options: stdin reads once). */
int runopts_parse(int argc, char **argv, run_opts *o, const char *cmd, unsigned groups,
                  const char *help);

/* Prints "techidx CMD: message" and the --help hint; returns
 * TIX_EXIT_USAGE. */
__attribute__((format(printf, 2, 3))) int runopts_usage_error(const char *cmd, const char *fmt,
                                                              ...);

/* The statistics the cube must keep for these options. */
int runopts_cell_stats(const run_opts *o);

#endif
