/* fopencookie, and realpath() (XSI). */
#define _GNU_SOURCE

#include "cli/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cleanup.h"

#ifndef NAME_MAX
#define NAME_MAX 255
#endif

/* Where the bytes of an outfile go. The FILE is a cookie stream over it,
 * so the errno of a failed write is kept rather than lost inside stdio. */
struct outfile_sink {
    int fd;
    int own;  /* close fd at the end (not stdout's) */
    int hold; /* keep the bytes in mem until commit */
    int err;  /* errno of the first failure */
    char *mem;
    size_t len, cap;
    int cleanup_id; /* the temporary file's, or -1 */
};

static int write_all(int fd, const char *p, size_t n, int *err)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            *err = w < 0 ? errno : EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
    struct outfile_sink *s = cookie;
    if (s->err)
        return 0; /* stdio sees a short write: the stream's error flag */
    if (!s->hold) {
        if (write_all(s->fd, buf, n, &s->err) != 0)
            return 0;
        return (ssize_t)n;
    }
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 65536;
        while (cap < s->len + n)
            cap *= 2;
        char *m = realloc(s->mem, cap);
        if (!m) {
            s->err = ENOMEM;
            return 0;
        }
        s->mem = m;
        s->cap = cap;
    }
    memcpy(s->mem + s->len, buf, n);
    s->len += n;
    return (ssize_t)n;
}

static int sink_close(void *cookie)
{
    (void)cookie; /* the descriptor is closed by commit or abort */
    return 0;
}

/* The stream over o->sink. */
static int make_stream(outfile *o)
{
    cookie_io_functions_t io = {NULL, sink_write, NULL, sink_close};
    o->f = fopencookie(o->sink, "w", io);
    if (!o->f)
        return -1;
    /* Big blocks to a file or a pipe; lines to a person. */
    setvbuf(o->f, NULL, o->tty ? _IOLBF : _IOFBF, o->tty ? BUFSIZ : 65536);
    return 0;
}

static void drop(outfile *o)
{
    int e = errno;
    if (o->f)
        fclose(o->f);
    if (o->sink) {
        if (o->tmp) {
            unlink(o->tmp);
            cleanup_forget(o->sink->cleanup_id);
        }
        if (o->sink->own && o->sink->fd >= 0)
            close(o->sink->fd);
        free(o->sink->mem);
        free(o->sink);
    }
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    errno = e;
}

/* The target is written through fd, as it comes or held until commit. */
static int open_through(outfile *o, int fd, int own, int hold)
{
    o->sink->fd = fd;
    o->sink->own = own;
    o->sink->hold = hold;
    o->tty = isatty(fd);
    if (make_stream(o) != 0) {
        drop(o);
        return -1;
    }
    return 0;
}

/* A temporary file beside path, to be renamed onto it: NAME.tmp.XXXXXX,
 * with NAME cut short when the whole would be longer than a file name may
 * be (a valid target must not fail for its temporary name). */
static int open_renamed(outfile *o, const char *path)
{
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    size_t base = slash ? n - (size_t)(slash + 1 - path) : n;
    size_t keep = base + 11 > NAME_MAX ? n - base + (NAME_MAX - 11) : n;
    char *tmp = malloc(n + 16);
    o->path = malloc(n + 1);
    if (!o->path || !tmp) {
        free(tmp);
        goto fail;
    }
    memcpy(o->path, path, n + 1);
    snprintf(tmp, n + 16, "%.*s.tmp.XXXXXX", (int)keep, path);
    /* Created and registered under blocked signals: a signal in between
     * would leave the file behind. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int fd = mkstemp(tmp);
    int e = errno;
    if (fd >= 0)
        o->sink->cleanup_id = cleanup_add(tmp, 0);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        free(tmp);
        errno = e;
        goto fail;
    }
    o->tmp = tmp; /* from here on, drop() removes it */
    o->sink->fd = fd;
    o->sink->own = 1;
    if (make_stream(o) != 0)
        goto fail;
    return 0;
fail:
    drop(o);
    return -1;
}

static int open_any(outfile *o, const char *path, int hold)
{
    struct stat st, out;
    memset(o, 0, sizeof *o);
    if (!*path) {
        errno = ENOENT;
        return -1;
    }
    o->sink = calloc(1, sizeof *o->sink);
    if (!o->sink)
        return -1;
    o->sink->fd = -1;
    o->sink->cleanup_id = -1;
    if (strcmp(path, "-") == 0)
        return open_through(o, STDOUT_FILENO, 0, hold);
    if (stat(path, &st) != 0)
        return open_renamed(o, path); /* a new file */
    /* stdout or stderr under another name (/dev/stdout, or the log a
     * shell opened with >> or 2>>): renaming would replace the file the
     * shell appends to, and what techidx prints there afterwards would go
     * to the old one. Write through the descriptor, which has the shell's
     * O_APPEND. */
    for (int fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++)
        if (fstat(fd, &out) == 0 && st.st_dev == out.st_dev && st.st_ino == out.st_ino)
            return open_through(o, fd, 0, hold);
    if (!S_ISREG(st.st_mode)) {
        /* A device or FIFO: renaming over it would replace the node. */
        int fd = open(path, O_WRONLY | O_NOCTTY);
        if (fd < 0) {
            drop(o);
            return -1;
        }
        return open_through(o, fd, 1, hold);
    }
    /* Replace the file a symlink points to, not the link. */
    char *real = realpath(path, NULL);
    if (!real) {
        drop(o);
        return -1;
    }
    int rc = open_renamed(o, real);
    free(real);
    return rc;
}

int outfile_open(outfile *o, const char *path) { return open_any(o, path, 0); }

int outfile_open_held(outfile *o, const char *path) { return open_any(o, path, 1); }

int outfile_is_through(const outfile *o) { return o->sink && !o->tmp; }

int outfile_error(const outfile *o)
{
    if (o->sink && o->sink->err)
        return o->sink->err;
    return o->f && ferror(o->f) ? EIO : 0;
}

int outfile_commit(outfile *o)
{
    if (!o->f)
        return 0;
    struct outfile_sink *s = o->sink;
    int bad = fflush(o->f) != 0 || ferror(o->f) || s->err;
    fclose(o->f);
    o->f = NULL;
    if (!bad && s->hold)
        bad = write_all(s->fd, s->mem, s->len, &s->err) != 0;
    if (!bad && o->tmp) {
        /* mkstemp made it 0600; give it the usual mode of a new file. */
        mode_t um = umask(0);
        umask(um);
        if (fchmod(s->fd, 0666 & ~um) != 0 || fsync(s->fd) != 0)
            bad = 1, s->err = errno;
    }
    if (s->own) {
        int fd = s->fd;
        s->fd = -1;
        if (close(fd) != 0 && !bad)
            bad = 1, s->err = errno;
    }
    if (!bad && o->tmp) {
        if (rename(o->tmp, o->path) != 0) {
            bad = 1, s->err = errno;
        } else {
            cleanup_forget(s->cleanup_id);
            free(o->tmp);
            o->tmp = NULL;
        }
    }
    int e = s->err ? s->err : EIO;
    drop(o); /* removes the temporary file if it is still there */
    if (!bad)
        return 0;
    errno = e;
    return -1;
}

void outfile_abort(outfile *o)
{
    if (!o->f && !o->sink)
        return;
    drop(o);
}
