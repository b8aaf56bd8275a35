#include "cli/progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void progress_init(progress *p, char **files, int nfiles, int quiet)
{
    memset(p, 0, sizeof *p);
    p->on = !quiet && isatty(STDERR_FILENO);
    p->nfiles = nfiles;
    for (int i = 0; i < nfiles; i++) {
        struct stat st;
        if (strcmp(files[i], "-") == 0 || stat(files[i], &st) != 0 || !S_ISREG(st.st_mode)) {
            p->total = 0; /* a stream: no ETA */
            break;
        }
        p->total += (uint64_t)st.st_size;
    }
    p->start = p->last = seconds();
}

static void show(progress *p, double t)
{
    double mb = (double)(p->done + p->now) / 1e6, rate = mb / (t - p->start);
    char eta[32] = "";
    if (p->total > 0 && rate > 0) {
        double left = ((double)p->total / 1e6 - mb) / rate;
        if (left < 0)
            left = 0;
        unsigned s = (unsigned)(left + 0.5);
        snprintf(eta, sizeof eta, ", ETA %u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
    }
    if (p->total > 0)
        fprintf(stderr, "\rtechidx: %d/%d files, %.1f of %.1f MB (%.0f%%), %.0f MB/s%s\033[K",
                p->file + 1, p->nfiles, mb, (double)p->total / 1e6,
                100.0 * mb / ((double)p->total / 1e6), rate, eta);
    else
        fprintf(stderr, "\rtechidx: %d/%d files, %.1f MB, %.0f MB/s\033[K", p->file + 1, p->nfiles,
                mb, rate);
    fflush(stderr);
    p->shown = 1;
}

void progress_update(void *ctx, uint64_t bytes)
{
    progress *p = ctx;
    if (!p->on)
        return;
    p->now = bytes;
    double t = seconds();
    if (t - p->last < 0.25 || t - p->start < 0.5)
        return; /* short jobs never show a line */
    p->last = t;
    show(p, t);
}

void progress_next_file(progress *p)
{
    p->done += p->now;
    p->now = 0;
    p->file++;
}

void progress_end(progress *p)
{
    if (p->on && p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->shown = 0;
}
