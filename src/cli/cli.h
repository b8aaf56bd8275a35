/* The techidx command line: one entry point per subcommand. Only code under
 * src/cli/ prints, reads argv or exits. Each returns the process exit code:
 * 0 success, 1 data or I/O failure, 2 usage error. */
#ifndef TECHIDX_CLI_H
#define TECHIDX_CLI_H

#include "techidx/version.h"

/* The version the command line reports and writes into its outputs. */
#define TIX_VERSION TIX_VERSION_STRING

#define TIX_EXIT_OK 0
#define TIX_EXIT_FAIL 1
#define TIX_EXIT_USAGE 2

int tix_cli_run(int argc, char **argv);
int tix_cli_gen(int argc, char **argv);
int tix_cli_chart(int argc, char **argv);
int tix_cli_publish(int argc, char **argv);
int tix_cli_cube(int argc, char **argv);
int tix_cli_merge(int argc, char **argv);
int tix_cli_index(int argc, char **argv);

#endif
