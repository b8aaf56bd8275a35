#include "cli/fsops.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* Removes the entry `name` of the directory open as parent. */
static int remove_at(int parent, const char *name)
{
    struct stat st;
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlinkat(parent, name, 0) == 0 || errno == ENOENT ? 0 : -1;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    int rc = 0, e = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        if (remove_at(dirfd(d), ent->d_name) != 0 && rc == 0) {
            rc = -1;
            e = errno;
        }
    }
    closedir(d);
    if (unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT && rc == 0) {
        rc = -1;
        e = errno;
    }
    errno = e;
    return rc;
}

int fs_remove_tree(const char *path)
{
    /* The parent is opened as named (it is the caller's); the last
     * component is never followed. */
    const char *slash = strrchr(path, '/');
    char *parent = NULL;
    const char *base = path;
    if (slash) {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        if (!(parent = malloc(n + 1)))
            return -1;
        memcpy(parent, path, n);
        parent[n] = '\0';
        base = slash + 1;
    }
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        free(parent);
        errno = EINVAL;
        return -1;
    }
    int dirfd = open(parent ? parent : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(parent);
    if (dirfd < 0)
        return -1;
    int rc = remove_at(dirfd, base);
    int e = errno;
    close(dirfd);
    errno = e;
    return rc;
}

int fs_is_dir(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}
