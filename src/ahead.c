/* Blocks computed ahead of the thread that reads them (ahead_internal.h). */
#include "ahead_internal.h"

#include <stdint.h>
#include <string.h>

size_t ahead_buffers(unsigned threads)
{
    size_t h = threads > 1 ? threads - 1 : 0;
    if (h > AHEAD_HELPERS)
        h = AHEAD_HELPERS;
    return h ? 2 * (h + 1) : 1;
}

static void *help(void *arg)
{
    ahead_helper *h = arg;
    ahead *ah = h->ah;
    pthread_mutex_lock(&ah->mu);
    for (;;) {
        while (!ah->stop && ah->next < ah->nblocks && ah->next >= ah->used + ah->nbuf)
            pthread_cond_wait(&ah->cv, &ah->mu); /* its buffer holds a block still read */
        if (ah->stop || ah->next >= ah->nblocks)
            break;
        size_t i = ah->next++;
        pthread_mutex_unlock(&ah->mu);
        ah->fn(ah->ctx, h->worker, i, ah->buf[i % ah->nbuf]);
        pthread_mutex_lock(&ah->mu);
        ah->block[i % ah->nbuf] = i;
        pthread_cond_broadcast(&ah->cv);
    }
    pthread_mutex_unlock(&ah->mu);
    return NULL;
}

void ahead_start(ahead *ah, size_t nblocks, ahead_fn fn, void *ctx, void *const *bufs,
                 size_t nbuf, void *const *workers, size_t nworkers)
{
    memset(ah, 0, sizeof *ah);
    ah->fn = fn;
    ah->ctx = ctx;
    ah->nblocks = nblocks;
    ah->have = SIZE_MAX;
    ah->self = workers[0];
    if (nbuf > AHEAD_BUFS)
        nbuf = AHEAD_BUFS;
    ah->nbuf = nbuf;
    for (size_t k = 0; k < nbuf; k++) {
        ah->buf[k] = bufs[k];
        ah->block[k] = SIZE_MAX;
    }
    size_t want = nworkers < nbuf / 2 ? nworkers : nbuf / 2;
    if (want > nblocks)
        want = nblocks;
    want = want ? want - 1 : 0; /* the reader is one */
    if (want > AHEAD_HELPERS)
        want = AHEAD_HELPERS;
    if (!want || pthread_mutex_init(&ah->mu, NULL) != 0)
        return;
    if (pthread_cond_init(&ah->cv, NULL) != 0) {
        pthread_mutex_destroy(&ah->mu);
        return;
    }
    ah->sync = 1;
    for (; ah->helpers < want; ah->helpers++) {
        ahead_helper *h = &ah->hp[ah->helpers];
        h->ah = ah;
        h->worker = workers[1 + ah->helpers];
        if (pthread_create(&h->tid, NULL, help, h) != 0)
            break; /* the ones started share the blocks */
    }
}

void *ahead_get(ahead *ah, size_t i)
{
    void *buf = ah->buf[i % ah->nbuf];
    if (i == ah->have)
        return buf;
    if (!ah->helpers) {
        ah->fn(ah->ctx, ah->self, i, buf);
    } else {
        pthread_mutex_lock(&ah->mu);
        ah->used = i;
        pthread_cond_broadcast(&ah->cv); /* the buffers before i are free */
        int mine = ah->next <= i;
        if (mine) /* none has taken it: this thread does */
            ah->next = i + 1;
        while (!mine && ah->block[i % ah->nbuf] != i) {
            if (ah->next < ah->nblocks && ah->next < ah->used + ah->nbuf) {
                size_t j = ah->next++; /* a later one, while a helper does i */
                pthread_mutex_unlock(&ah->mu);
                ah->fn(ah->ctx, ah->self, j, ah->buf[j % ah->nbuf]);
                pthread_mutex_lock(&ah->mu);
                ah->block[j % ah->nbuf] = j;
                pthread_cond_broadcast(&ah->cv);
            } else {
                pthread_cond_wait(&ah->cv, &ah->mu);
            }
        }
        pthread_mutex_unlock(&ah->mu);
        if (mine)
            ah->fn(ah->ctx, ah->self, i, buf);
    }
    ah->have = i;
    return buf;
}

void ahead_stop(ahead *ah)
{
    if (ah->helpers) {
        pthread_mutex_lock(&ah->mu);
        ah->stop = 1;
        pthread_cond_broadcast(&ah->cv);
        pthread_mutex_unlock(&ah->mu);
        for (size_t k = 0; k < ah->helpers; k++)
            pthread_join(ah->hp[k].tid, NULL);
        ah->helpers = 0;
    }
    if (ah->sync) {
        pthread_mutex_destroy(&ah->mu);
        pthread_cond_destroy(&ah->cv);
        ah->sync = 0;
    }
}
