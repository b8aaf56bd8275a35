/* realpath() is XSI. */
#define _XOPEN_SOURCE 700

#include "cli/outfile.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cleanup.h"

int outfile_open(outfile *o, const char *path)
{
    struct stat st;
    char *real = NULL;
    memset(o, 0, sizeof *o);
    o->cleanup_id = -1;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            /* A device, FIFO or /dev/stdout: renaming over it would replace
             * the node, so write straight through. */
            o->f = fopen(path, "w");
            return o->f ? 0 : -1;
        }
        /* Replace the file a symlink points to, not the link. */
        real = realpath(path, NULL);
        if (!real)
            return -1;
        path = real;
    }
    size_t n = strlen(path);
    o->path = malloc(n + 1);
    o->tmp = malloc(n + 16);
    if (!o->path || !o->tmp)
        goto fail;
    memcpy(o->path, path, n + 1);
    snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", path);
    /* Created and registered under blocked signals: a signal in between
     * would leave the file behind. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int fd = mkstemp(o->tmp);
    int e = errno;
    if (fd >= 0)
        o->cleanup_id = cleanup_add(o->tmp, 0);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    if (fd < 0)
        goto fail;
    o->f = fdopen(fd, "w");
    if (!o->f) {
        e = errno;
        close(fd);
        unlink(o->tmp);
        cleanup_forget(o->cleanup_id);
        errno = e;
        goto fail;
    }
    free(real);
    return 0;
fail:
    free(real);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    o->cleanup_id = -1;
    return -1;
}

int outfile_commit(outfile *o)
{
    int rc = 0;
    if (!o->f)
        return 0;
    if (!o->tmp) {
        rc = fflush(o->f) == 0 && !ferror(o->f) ? 0 : -1;
        if (o->f != stdout && fclose(o->f) != 0)
            rc = -1;
        o->f = NULL;
        return rc;
    }
    int bad = fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0;
    int e = errno;
    if (fclose(o->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->f = NULL;
    if (!bad) {
        /* mkstemp made it 0600; give it the usual mode of a new file. */
        mode_t um = umask(0);
        umask(um);
        chmod(o->tmp, 0666 & ~um);
        if (rename(o->tmp, o->path) != 0) {
            bad = 1;
            e = errno;
        }
    }
    if (bad)
        unlink(o->tmp);
    cleanup_forget(o->cleanup_id);
    o->cleanup_id = -1;
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    errno = e;
    return bad ? -1 : 0;
}

void outfile_abort(outfile *o)
{
    if (!o->f)
        return;
    if (o->tmp) {
        unlink(o->tmp);
        cleanup_forget(o->cleanup_id);
    }
    if (o->f != stdout)
        fclose(o->f);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}
