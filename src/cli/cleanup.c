/* The paths to remove live in a fixed array the handler can walk without
 * allocating. A slot is published by its sequence number, written last
 * (and cleared first), so a handler never sees half a slot; the signals
 * are also blocked while the array changes. Newest first: a file inside a
 * work directory goes before the directory. */
#include "cli/cleanup.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SLOTS 256

static const int signals[] = {SIGTERM, SIGINT, SIGHUP, SIGPIPE};
#define NSIGNALS (sizeof signals / sizeof signals[0])

typedef struct slot {
    char *path;
    int is_dir;
    volatile sig_atomic_t seq; /* 0: free; else the order of registration */
} slot;

static slot slots[SLOTS];
static sig_atomic_t next_seq = 1;

static void remove_all(void)
{
    /* Newest first, by sequence number: at most SLOTS passes over SLOTS
     * slots, nothing a handler cannot afford. */
    sig_atomic_t below = next_seq;
    for (;;) {
        int best = -1;
        for (int i = 0; i < SLOTS; i++) {
            sig_atomic_t s = slots[i].seq;
            if (s > 0 && s < below && (best < 0 || s > slots[best].seq))
                best = i;
        }
        if (best < 0)
            return;
        below = slots[best].seq;
        if (slots[best].is_dir)
            rmdir(slots[best].path);
        else
            unlink(slots[best].path);
    }
}

static void on_signal(int sig)
{
    remove_all();
    /* Die of the signal itself, so the parent sees what happened. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    _exit(128 + sig); /* not reached */
}

static void block(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < NSIGNALS; i++)
        sigaddset(&set, signals[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void restore(const sigset_t *old) { pthread_sigmask(SIG_SETMASK, old, NULL); }

int cleanup_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    /* A second signal waits until the first one's cleanup is over. */
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NSIGNALS; i++)
        sigaddset(&sa.sa_mask, signals[i]);
    for (size_t i = 0; i < NSIGNALS; i++) {
        struct sigaction old;
        if (sigaction(signals[i], NULL, &old) != 0)
            return -1;
        if (old.sa_handler == SIG_IGN)
            continue; /* nohup, or a background job: keep it so */
        if (sigaction(signals[i], &sa, NULL) != 0)
            return -1;
    }
    return 0;
}

int cleanup_add(const char *path, int is_dir)
{
    size_t n = strlen(path) + 1;
    char *copy = malloc(n);
    if (!copy)
        return -1;
    memcpy(copy, path, n);
    sigset_t old;
    block(&old);
    int id = -1;
    for (int i = 0; i < SLOTS && id < 0; i++)
        if (slots[i].seq == 0)
            id = i;
    if (id >= 0) {
        slots[id].path = copy;
        slots[id].is_dir = is_dir;
        slots[id].seq = next_seq++;
    }
    restore(&old);
    if (id < 0)
        free(copy);
    return id;
}

void cleanup_forget(int id)
{
    if (id < 0 || id >= SLOTS)
        return;
    sigset_t old;
    block(&old);
    slots[id].seq = 0;
    char *path = slots[id].path;
    slots[id].path = NULL;
    restore(&old);
    free(path);
}
