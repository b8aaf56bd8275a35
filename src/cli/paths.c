#include "cli/paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* path_join() is in state.c on this branch (main has it here). */

char *path_normalize(const char *name)
{
    if (strcmp(name, "-") == 0)
        return strdup("-");
    char *full;
    if (name[0] == '/') {
        full = strdup(name);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (!cwd)
            return NULL;
        full = path_join(cwd, name);
        free(cwd);
    }
    if (!full)
        return NULL;
    /* Rewrite in place: out never runs ahead of in. */
    char *out = full, *in = full;
    while (*in) {
        while (*in == '/')
            in++;
        char *end = strchr(in, '/');
        size_t len = end ? (size_t)(end - in) : strlen(in);
        if (len == 0 || (len == 1 && in[0] == '.')) {
            /* nothing */
        } else if (len == 2 && in[0] == '.' && in[1] == '.') {
            while (out > full && *--out != '/')
                ;
        } else {
            *out++ = '/';
            memmove(out, in, len);
            out += len;
        }
        in += len;
    }
    if (out == full)
        *out++ = '/';
    *out = '\0';
    return full;
}

int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}
