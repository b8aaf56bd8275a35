/* The row accounting (tix_counts, base.h), changed only here. Not
 * installed.
 *
 * read = accepted + rejected and rejected = the sum of by_reason hold
 * because a row is counted read in the same step that counts it accepted
 * or rejected: nothing else writes read, accepted, rejected or by_reason.
 * The engine (serial rows, a parallel block's rows summed in advance) and
 * .tic files (adding parts, checking what is read) go through these. */
#ifndef TECHIDX_COUNTS_INTERNAL_H
#define TECHIDX_COUNTS_INTERNAL_H

#include <stdint.h>

#include "techidx/base.h"

/* n rows read and accepted. */
static inline void counts_accept(tix_counts *c, uint64_t n)
{
    c->read += n;
    c->accepted += n;
}

/* One row read and rejected for why (not TIX_REASON_NONE). */
static inline void counts_reject(tix_counts *c, tix_reason why)
{
    c->read++;
    c->rejected++;
    c->by_reason[why]++;
}

/* Adds b to a, the bytes and inputs too. */
static inline void counts_add(tix_counts *a, const tix_counts *b)
{
    a->read += b->read;
    a->accepted += b->accepted;
    a->rejected += b->rejected;
    a->bytes += b->bytes;
    a->inputs += b->inputs;
    for (int r = 0; r < TIX_REASON_COUNT; r++)
        a->by_reason[r] += b->by_reason[r];
}

/* 1 when c adds up: read = accepted + rejected, rejected = the sum of
 * by_reason, no row rejected for TIX_REASON_NONE; no sum wraps. */
static inline int counts_consistent(const tix_counts *c)
{
    if (c->by_reason[TIX_REASON_NONE] != 0 || c->accepted > c->read ||
        c->read - c->accepted != c->rejected)
        return 0;
    uint64_t sum = 0;
    for (int r = 1; r < TIX_REASON_COUNT; r++) {
        if (c->by_reason[r] > c->rejected - sum)
            return 0;
        sum += c->by_reason[r];
    }
    return sum == c->rejected;
}

#endif
