#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "techidx/idset.h"

static int add(tix_idset *s, const char *id, size_t n)
{
    int added = -1;
    cr_assert_eq(tix_idset_add(s, id, n, &added), TIX_OK);
    return added;
}

Test(idset, exact_membership_over_growth)
{
    tix_idset *s;
    cr_assert_eq(tix_idset_new(&s, NULL), TIX_OK);
    char id[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(id, sizeof id, "TC%012d", i);
        cr_assert_eq(add(s, id, strlen(id)), 1, "%s", id);
    }
    for (int i = 0; i < 20000; i += 7) {
        snprintf(id, sizeof id, "TC%012d", i);
        cr_assert_eq(add(s, id, strlen(id)), 0, "%s", id);
    }
    cr_assert_eq(tix_idset_size(s), 20000);
    tix_idset_free(s);
}

Test(idset, prefixes_empty_long_and_binary_ids_are_distinct)
{
    tix_idset *s;
    cr_assert_eq(tix_idset_new(&s, NULL), TIX_OK);
    char big[300];
    memset(big, 'x', sizeof big);
    cr_assert_eq(add(s, "", 0), 1);
    cr_assert_eq(add(s, "", 0), 0);
    cr_assert_eq(add(s, "A", 1), 1);
    cr_assert_eq(add(s, "AB", 2), 1);
    cr_assert_eq(add(s, "A\0B", 3), 1);
    cr_assert_eq(add(s, "A\0C", 3), 1);
    cr_assert_eq(add(s, big, sizeof big), 1); /* a two-byte length prefix */
    cr_assert_eq(add(s, big, sizeof big - 1), 1);
    cr_assert_eq(add(s, big, sizeof big), 0);
    cr_assert_eq(add(s, "A\0B", 3), 0);
    cr_assert_eq(tix_idset_size(s), 7);
    tix_idset_free(s);
}

Test(idset, budget_limit_leaves_the_set_unchanged)
{
    tix_budget b = {32 * 1024, 0};
    tix_idset *s;
    cr_assert_eq(tix_idset_new(&s, &b), TIX_OK);
    char id[32];
    int i = 0, added = 0;
    tix_status st;
    for (;; i++) {
        snprintf(id, sizeof id, "ID-%d", i);
        st = tix_idset_add(s, id, strlen(id), &added);
        if (st != TIX_OK)
            break;
    }
    cr_assert_eq(st, TIX_E_LIMIT);
    cr_assert_eq(tix_idset_size(s), (size_t)i);
    cr_assert_leq(b.used, b.limit);
    /* Known ids are still found; the refused one is not in. */
    cr_assert_eq(add(s, "ID-0", 4), 0);
    snprintf(id, sizeof id, "ID-%d", i);
    b.limit = 0;
    cr_assert_eq(add(s, id, strlen(id)), 1);
    tix_idset_free(s);
    cr_assert_eq(b.used, 0);
}

Test(idset, free_accepts_null) { tix_idset_free(NULL); }

static int add_h(tix_idset *s, const char *id, size_t n, uint64_t h)
{
    int added = -1;
    cr_assert_eq(tix_idset_add_hashed(s, id, n, h, &added), TIX_OK);
    return added;
}

/* Every id under one hash: each lookup meets every fingerprint, and only
 * the byte comparison tells the ids apart (a false "duplicate" would reject
 * a row). Ids share long prefixes, so they are kept as suffixes of each
 * other, across groups of entries. */
Test(idset, colliding_fingerprints_are_told_apart_by_their_bytes)
{
    tix_idset *s;
    cr_assert_eq(tix_idset_new(&s, NULL), TIX_OK);
    const uint64_t h = 0x123456789abcdef0ull;
    char id[32];
    for (int i = 0; i < 600; i++) {
        snprintf(id, sizeof id, "TC%012d", i);
        cr_assert_eq(add_h(s, id, strlen(id), h), 1, "%s", id);
    }
    for (int i = 0; i < 600; i++) {
        snprintf(id, sizeof id, "TC%012d", i);
        cr_assert(tix_idset_has_hashed(s, id, strlen(id), h), "%s", id);
        cr_assert_eq(add_h(s, id, strlen(id), h), 0, "%s", id);
        snprintf(id, sizeof id, "TC%012d", i + 600);
        cr_assert_not(tix_idset_has_hashed(s, id, strlen(id), h), "%s", id);
        snprintf(id, sizeof id, "TC%012dX", i); /* one longer, same prefix */
        cr_assert_not(tix_idset_has_hashed(s, id, strlen(id), h), "%s", id);
        cr_assert_not(tix_idset_has_hashed(s, id, strlen(id) - 2, h));
    }
    /* Two hashes for the same fingerprint half, different ids. */
    cr_assert_eq(add_h(s, "A", 1, h ^ 1), 1);
    cr_assert_eq(add_h(s, "B", 1, h ^ 1), 1);
    cr_assert_eq(add_h(s, "A", 1, h ^ 1), 0);
    cr_assert_eq(tix_idset_size(s), 602);
    tix_idset_free(s);
}

/* Ids that are prefixes of one another and share nothing, one after the
 * other, so each entry's shared length and suffix differ. */
Test(idset, ids_kept_as_suffixes_read_back_exactly)
{
    tix_idset *s;
    cr_assert_eq(tix_idset_new(&s, NULL), TIX_OK);
    const char *ids[] = {"abc", "abcdef", "ab", "", "abcdefgh", "abcdefgX", "b", "abcdefghijklmnopq",
                         "abcdefghijklmnopr", "abcdefghijklmnop", "a", "abcdefghijklmnopq!"};
    size_t n = sizeof ids / sizeof *ids;
    for (size_t r = 0; r < 40; r++) /* 40 rounds: every id at every place in a group */
        for (size_t i = 0; i < n; i++) {
            char id[40];
            snprintf(id, sizeof id, "%s%zu", ids[i], r);
            cr_assert_eq(add(s, id, strlen(id)), 1, "%s", id);
        }
    for (size_t r = 0; r < 40; r++)
        for (size_t i = 0; i < n; i++) {
            char id[40];
            snprintf(id, sizeof id, "%s%zu", ids[i], r);
            cr_assert_eq(add(s, id, strlen(id)), 0, "%s", id);
            cr_assert(tix_idset_has_hashed(s, id, strlen(id), tix_idset_hash(id, strlen(id))));
        }
    cr_assert_eq(tix_idset_size(s), 40 * n);
    tix_idset_free(s);
}

/* Enough ids to grow the table many times and fill several arena chunks,
 * in an order with little shared between neighbours. */
Test(idset, half_a_million_ids_over_growth_and_chunks)
{
    tix_idset *s;
    cr_assert_eq(tix_idset_new(&s, NULL), TIX_OK);
    char id[32];
    const uint32_t n = 500000;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = (uint32_t)((uint64_t)i * 7919 % n); /* a permutation of 0..n-1 */
        snprintf(id, sizeof id, "%u-%x", k, k * 7u);
        cr_assert_eq(add(s, id, strlen(id)), 1, "%s", id);
    }
    cr_assert_eq(tix_idset_size(s), n);
    for (uint32_t k = 0; k < n; k += 3) {
        snprintf(id, sizeof id, "%u-%x", k, k * 7u);
        cr_assert_eq(add(s, id, strlen(id)), 0, "%s", id);
        snprintf(id, sizeof id, "%u-%x", k, k * 7u + 1);
        cr_assert_not(tix_idset_has_hashed(s, id, strlen(id), tix_idset_hash(id, strlen(id))));
    }
    tix_idset_free(s);
}

/* An id longer than an arena chunk gets a chunk of its own. */
Test(idset, an_id_larger_than_a_chunk)
{
    tix_idset *s;
    cr_assert_eq(tix_idset_new(&s, NULL), TIX_OK);
    size_t big = (size_t)3 << 20;
    char *p = malloc(big);
    cr_assert_not_null(p);
    memset(p, 'q', big);
    cr_assert_eq(add(s, "x1", 2), 1);
    cr_assert_eq(add(s, p, big), 1);
    cr_assert_eq(add(s, "x2", 2), 1);
    p[big - 1] = 'r';
    cr_assert_eq(add(s, p, big), 1);
    cr_assert_eq(add(s, p, big - 1), 1); /* its prefix, kept as 0 new bytes */
    cr_assert_eq(add(s, p, big), 0);
    p[big - 1] = 'q';
    cr_assert_eq(add(s, p, big), 0);
    cr_assert_eq(add(s, "x1", 2), 0);
    cr_assert_eq(add(s, "x2", 2), 0);
    free(p);
    tix_idset_free(s);
}

/* tix_idset_room bounds what adding takes, at every moment: the parallel
 * engine checks a block's room once and then adds without a failure. */
Test(idset, room_bounds_the_budget_taken_by_a_batch)
{
    tix_budget b = {0, 0};
    tix_idset *s;
    cr_assert_eq(tix_idset_new(&s, &b), TIX_OK);
    char id[48];
    uint32_t next = 0;
    for (int batch = 0; batch < 40; batch++) {
        size_t ids = (size_t)1 << (batch % 15), bytes = 0;
        for (size_t i = 0; i < ids; i++) {
            snprintf(id, sizeof id, "ROOM-%08u-%u", next + (uint32_t)i, (next + (uint32_t)i) * 31u);
            bytes += strlen(id);
        }
        size_t room = tix_idset_room(s, ids, bytes);
        b.limit = b.used + room; /* exactly the room: no add may fail */
        for (size_t i = 0; i < ids; i++, next++) {
            snprintf(id, sizeof id, "ROOM-%08u-%u", next, next * 31u);
            cr_assert_eq(add(s, id, strlen(id)), 1, "batch %d id %s", batch, id);
        }
        b.limit = 0;
    }
    tix_idset_free(s);
    cr_assert_eq(b.used, 0);
}
