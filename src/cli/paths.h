/* File names as the user gives them, compared as the files they are. */
#ifndef TECHIDX_CLI_PATHS_H
#define TECHIDX_CLI_PATHS_H

/* "a/b", allocated (the caller frees it); NULL when out of memory. */
char *path_join(const char *a, const char *b);

/* name as an absolute path with "." and empty components dropped and ".."
 * taken lexically (dumps/a.csv, ./dumps//a.csv and /cwd/dumps/a.csv are
 * one), allocated; "-" (stdin) stays "-". NULL when out of memory or the
 * working directory cannot be had (errno set). Symbolic links are not
 * resolved: same_file() catches those while the files exist. */
char *path_normalize(const char *name);

/* 1 when a and b both exist and are the same file (device and inode). */
int same_file(const char *a, const char *b);

#endif
