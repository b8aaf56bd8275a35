/* Removing what techidx created when a signal ends it: the temporary file
 * of an output being written (outfile.c), a work directory. Without this,
 * SIGTERM (kill, a scheduler's time limit), SIGINT (^C), SIGHUP (a closed
 * terminal) or SIGPIPE (`| head`) would leave `c.csv.tmp.XXXXXX` behind.
 *
 * A signal that was ignored when the process started (nohup, SIGINT in a
 * background job of a non-interactive shell) stays ignored. The handler
 * only calls async-signal-safe functions: it walks a fixed array of paths
 * copied when they were registered. */
#ifndef TECHIDX_CLI_CLEANUP_H
#define TECHIDX_CLI_CLEANUP_H

/* Installs handlers for SIGTERM, SIGINT, SIGHUP and SIGPIPE that remove
 * every registered path (files with unlink, directories with rmdir, newest
 * first), then die of the same signal (SIG_DFL + raise). Call once at the
 * start of main. Returns 0 or -1. */
int cleanup_init(void);

/* Registers a path techidx just created (copied). Returns a slot id >= 0,
 * or -1 when out of room/memory (the caller may go on: the path is then
 * merely not removed on a signal). */
int cleanup_add(const char *path, int is_dir);

/* The path is no longer ours to remove (renamed into place, or removed).
 * Accepts -1. */
void cleanup_forget(int id);

#endif
