/* Blocks 0, 1, 2, ... of a computation that one thread reads in order,
 * computed ahead of it by helper threads (ahead.c), for index.c: GEKS's
 * bilateral comparisons, the solved methods' windows. Not installed.
 *
 * The blocks are taken in order by whichever thread is free first; the
 * reading thread takes the block it asks for when no helper has, and a
 * later one while it waits for a helper's. Block
 * i goes into buffer i % nbuf, which a helper takes only once the reader
 * has asked for block i - nbuf + 1 or later. A block must be computed the
 * same on any thread, into its own buffer: then the threads change no
 * bit. With no helper (one thread, or one that could not be started),
 * each block is computed by the reader when asked. */
#ifndef TECHIDX_AHEAD_INTERNAL_H
#define TECHIDX_AHEAD_INTERNAL_H

#include <pthread.h>
#include <stddef.h>

#define AHEAD_HELPERS 7
#define AHEAD_BUFS (2 * (AHEAD_HELPERS + 1))

/* Computes block i into buf with a thread's own state `worker`. */
typedef void (*ahead_fn)(void *ctx, void *worker, size_t i, void *buf);

typedef struct ahead ahead;

typedef struct ahead_helper {
    ahead *ah;
    void *worker;
    pthread_t tid;
} ahead_helper;

struct ahead {
    ahead_fn fn;
    void *ctx;
    size_t nblocks, helpers, nbuf; /* helpers running; buffers in use */
    void *buf[AHEAD_BUFS];
    size_t block[AHEAD_BUFS]; /* the block buf[k] holds when ready; SIZE_MAX: none */
    void *self;               /* the reader's state */
    ahead_helper hp[AHEAD_HELPERS];
    size_t next;    /* the first block no thread has taken */
    size_t used;    /* the block the reader reads; the buffers of those before are free */
    size_t have;    /* the block the reader has seen ready; SIZE_MAX: none */
    int stop, sync; /* sync: mu and cv are set up */
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* How many buffers `threads` threads use (1 for one thread). */
size_t ahead_buffers(unsigned threads);

/* Sets up nblocks blocks computed by fn(ctx, ...) into the nbuf buffers
 * bufs; workers[0] is the reader's state, workers[1 .. nworkers) the
 * helpers'. Starts min(nworkers, nbuf / 2, nblocks) - 1 helpers (none
 * when a thread cannot be started). The arrays are the caller's. */
void ahead_start(ahead *ah, size_t nblocks, ahead_fn fn, void *ctx, void *const *bufs,
                 size_t nbuf, void *const *workers, size_t nworkers);

/* The buffer holding block i (< nblocks), computed: i is the block
 * asked for last or the one after it (0 at first). Frees the buffers of
 * the blocks before i. */
void *ahead_get(ahead *ah, size_t i);

/* Stops and joins the helpers. Safe to call again. */
void ahead_stop(ahead *ah);

#endif
