/* A set of byte strings (contract ids) for --dedup: exact. Ids are found
 * by a 32-bit fingerprint in an open-addressing table, and every candidate
 * a fingerprint turns up is compared byte for byte with the id kept, so two
 * different ids are never called equal, whatever their hashes.
 *
 * Memory: 8 bytes per slot of a table kept 3/8 to 3/4 full (10.7 to 21
 * bytes an id), and the ids themselves in insertion order, each stored as
 * what it does not share with the id added before it, after two varints
 * (3 to 4 bytes for sequential contract numbers, the id's length + 2 for
 * unrelated ids). Measured for 3 million ids (a 4 Mi-slot table, 32 MB):
 * TC000000000001.. take 48 MB (16 bytes an id), 14 random hex digits each
 * 84 MB (28 bytes an id). */
#ifndef TECHIDX_IDSET_H
#define TECHIDX_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/api.h"
#include "techidx/budget.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tix_idset tix_idset;

/* Creates an empty set whose memory is taken from `budget` (borrowed, may be
 * NULL for none). Returns TIX_OK or TIX_E_NOMEM. */
TIX_API tix_status tix_idset_new(tix_idset **out, tix_budget *budget);

/* Adds (p, n). *added = 1 when it was new, 0 when already present.
 * Returns TIX_OK, TIX_E_LIMIT (the budget is spent) or TIX_E_NOMEM; the set
 * is unchanged on failure. */
TIX_API tix_status tix_idset_add(tix_idset *s, const char *p, size_t n, int *added);

/* The hash the set files (p, n) under: a pure function, safe to call from
 * any thread (the parsing threads hash the ids of their block ahead). */
TIX_API uint64_t tix_idset_hash(const char *p, size_t n);

/* tix_idset_add with h = tix_idset_hash(p, n) computed beforehand. Answers
 * stay exact for any h that is a function of (p, n) alone (the tests force
 * fingerprints to collide by passing a constant); a different h for the
 * same id makes it look new. */
TIX_API tix_status tix_idset_add_hashed(tix_idset *s, const char *p, size_t n, uint64_t h,
                                        int *added);

/* Whether (p, n), hashed to h as above, is in s. Changes nothing. */
TIX_API int tix_idset_has_hashed(const tix_idset *s, const char *p, size_t n, uint64_t h);

/* Asks the CPU for the table's cache line where a lookup of h starts: call
 * it some ids ahead of the lookups. Changes nothing. */
TIX_API void tix_idset_prefetch(const tix_idset *s, uint64_t h);

/* An upper bound of the bytes the set would take from its budget while
 * adding `ids` new ids of `bytes` bytes in all (never less than it takes,
 * at any moment), so a caller can check a budget before it commits. */
TIX_API size_t tix_idset_room(const tix_idset *s, size_t ids, size_t bytes);

/* An id to add with tix_idset_add_new: its bytes (borrowed for the call)
 * and tix_idset_hash of them. */
typedef struct tix_idset_item {
    const char *p;
    size_t n;
    uint64_t h;
} tix_idset_item;

/* Adds the n ids of items, none of them in s and no two equal (the caller
 * has checked, e.g. with tix_idset_has_hashed), as n tix_idset_add calls in
 * that order would: the same set, the same memory. `order` (may be NULL) is
 * a permutation of 0..n-1 in which to write their table slots; sorted by
 * fingerprint (the top bits of h), the writes go through the table front
 * to back instead of at random. Returns TIX_OK; TIX_E_LIMIT or TIX_E_NOMEM
 * when some of the ids could not be added (the set is then valid and holds
 * a first part of them), so check tix_idset_room first. */
TIX_API tix_status tix_idset_add_new(tix_idset *s, const tix_idset_item *items, size_t n,
                                     const uint32_t *order);

/* Adding a batch in one pass over the table, undone if it must be: writes
 * the table slots of the n ids of items (distinct, as above; `order` as
 * above), where[i] getting the slot of items[i], unless one of them is in
 * s already: then *present = 1 and s is as before. Returns TIX_OK, or
 * TIX_E_LIMIT with nothing done when the table would have to grow first
 * (use tix_idset_add_new). Until tix_idset_commit or tix_idset_abort (the
 * only calls allowed on s meanwhile) the batch is not in the set. */
TIX_API tix_status tix_idset_stage(tix_idset *s, const tix_idset_item *items, size_t n,
                                   const uint32_t *order, size_t *where, int *present);

/* Takes the staged batch out again: s is as before tix_idset_stage. */
TIX_API void tix_idset_abort(tix_idset *s, const size_t *where);

/* Adds the staged batch (items and where as given to tix_idset_stage) as
 * tix_idset_add_new would. TIX_OK, or TIX_E_LIMIT / TIX_E_NOMEM with a
 * first part of the batch added, the rest taken out. */
TIX_API tix_status tix_idset_commit(tix_idset *s, const tix_idset_item *items, const size_t *where);

/* Distinct ids held. */
TIX_API size_t tix_idset_size(const tix_idset *s);

/* Frees s and returns its memory to the budget. Accepts NULL. */
TIX_API void tix_idset_free(tix_idset *s);

#ifdef __cplusplus
}
#endif
#endif
