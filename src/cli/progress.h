/* The progress line of long ingests: on stderr, only when stderr is a
 * terminal and not --quiet, rewritten in place a few times a second:
 *   techidx: 2/3 files, 412.0 of 1230.5 MB (33%), 650 MB/s, ETA 0:01:16
 * and wiped when done, so logs and pipes never see it. */
#ifndef TECHIDX_CLI_PROGRESS_H
#define TECHIDX_CLI_PROGRESS_H

#include <stdint.h>

typedef struct progress {
    int on;
    int nfiles, file;   /* files in all, the one being read (0-based) */
    uint64_t total;     /* bytes of all files as stored; 0 when unknown (stdin) */
    uint64_t done;      /* bytes of the files finished */
    uint64_t now;       /* bytes of the current file read */
    double start, last; /* seconds */
    int shown;          /* a line is on the screen */
} progress;

/* Sets p up for these files (their sizes from stat); on only when stderr
 * is a terminal and quiet is 0. */
void progress_init(progress *p, char **files, int nfiles, int quiet);

/* The engine's callback (tix_engine_opts.progress). */
void progress_update(void *p, uint64_t bytes);

/* File `file` is finished (progress_update saw its last bytes). */
void progress_next_file(progress *p);

/* Wipes the line. */
void progress_end(progress *p);

#endif
