/* Removing and syncing what techidx made in a directory, never through a
 * symbolic link: a planted link is removed as a link, its target untouched.
 * Callers decide what is theirs to remove (by name pattern and file type);
 * these functions only make sure nothing beyond it is reached. */
#ifndef TECHIDX_CLI_FSOPS_H
#define TECHIDX_CLI_FSOPS_H

/* fsync(2) of a directory, so that the renames and removals in it are on
 * disk. Returns 0, or -1 with errno set. */
int fs_sync_dir(const char *path);

/* Removes path: a file or a symbolic link is unlinked (the link itself); a
 * directory loses its entries, depth first, through openat/unlinkat without
 * following any link, then itself. A path already gone counts as removed.
 * Returns 0, or -1 with errno set (what could be removed is). */
int fs_remove_tree(const char *path);

/* 1 when path is a directory itself (lstat: not a link to one). */
int fs_is_dir(const char *path);

/* 1 when path exists as anything, a dangling link included (lstat). */
int fs_exists(const char *path);

#endif
