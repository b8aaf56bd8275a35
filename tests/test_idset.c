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

/* A batch of `n` ids "<tag>-<i>" (i from first), hashed, or all under hash h
 * when h != 0. The bytes live in buf (n * 24). */
static void batch(tix_idset_item *it, char *buf, const char *tag, size_t first, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        char *p = buf + 24 * i;
        snprintf(p, 24, "%s-%zu", tag, first + i);
        it[i] = (tix_idset_item){p, strlen(p), h ? h : tix_idset_hash(p, strlen(p))};
    }
}

/* Batches added with tix_idset_add_new or staged and committed hold the
 * same ids and take the same memory as the adds one by one (the parallel
 * engine relies on it: a memory limit is reached on the same line). */
Test(idset, batches_take_what_adds_one_by_one_take)
{
    tix_budget b1 = {0, 0}, b2 = {0, 0};
    tix_idset *one, *bat;
    cr_assert_eq(tix_idset_new(&one, &b1), TIX_OK);
    cr_assert_eq(tix_idset_new(&bat, &b2), TIX_OK);
    enum { N = 3000 };
    static tix_idset_item it[N];
    static char buf[24 * N];
    static uint32_t order[N];
    static size_t where[N];
    size_t first = 0;
    for (int round = 0; round < 60; round++) {
        size_t n = 1 + (size_t)(round * 397) % N;
        batch(it, buf, "B", first, n, 0);
        for (size_t i = 0; i < n; i++) {
            order[i] = (uint32_t)(n - 1 - i); /* any permutation will do */
            cr_assert_eq(add(one, it[i].p, it[i].n), 1);
        }
        int present = -1;
        tix_status st = tix_idset_stage(bat, it, n, order, where, &present);
        if (st == TIX_OK) {
            cr_assert_eq(present, 0);
            cr_assert_eq(tix_idset_commit(bat, it, where), TIX_OK);
        } else {
            cr_assert_eq(st, TIX_E_LIMIT); /* the table must grow first */
            cr_assert_eq(tix_idset_add_new(bat, it, n, order), TIX_OK);
        }
        first += n;
        cr_assert_eq(tix_idset_size(bat), tix_idset_size(one));
        cr_assert_eq(b2.used, b1.used, "round %d", round);
    }
    for (size_t i = 0; i < first; i += 7) {
        char id[24];
        snprintf(id, sizeof id, "B-%zu", i);
        cr_assert_eq(add(bat, id, strlen(id)), 0, "%s", id);
    }
    tix_idset_free(one);
    tix_idset_free(bat);
}

/* A staged batch with one id already held is taken out whole; an aborted
 * batch leaves nothing; ids staged under one fingerprint are not compared
 * with each other (their bytes are not in the set yet). */
Test(idset, stage_abort_and_present_leave_the_set_as_it_was)
{
    tix_budget b = {0, 0};
    tix_idset *s;
    cr_assert_eq(tix_idset_new(&s, &b), TIX_OK);
    enum { N = 200 };
    static tix_idset_item it[N];
    static char buf[24 * N];
    static size_t where[N];
    const uint64_t h = 0xfeedfacecafebeefull;
    batch(it, buf, "S", 0, N, h);
    for (size_t i = 0; i < N; i += 10)
        cr_assert_eq(add_h(s, it[i].p, it[i].n, h), 1);
    size_t used = b.used, size = tix_idset_size(s);

    /* S-10 is held: the batch S-1..S-199 is refused as a whole. */
    int present = -1;
    cr_assert_eq(tix_idset_stage(s, it + 1, N - 1, NULL, where, &present), TIX_OK);
    cr_assert_eq(present, 1);
    cr_assert_eq(tix_idset_size(s), size);
    cr_assert_eq(b.used, used);
    cr_assert_not(tix_idset_has_hashed(s, it[1].p, it[1].n, h));

    /* The ids not held, staged and aborted, then staged and committed. */
    static tix_idset_item fresh[N];
    size_t n = 0;
    for (size_t i = 0; i < N; i++)
        if (i % 10)
            fresh[n++] = it[i];
    cr_assert_eq(tix_idset_stage(s, fresh, n, NULL, where, &present), TIX_OK);
    cr_assert_eq(present, 0);
    tix_idset_abort(s, where);
    cr_assert_eq(tix_idset_size(s), size);
    for (size_t i = 0; i < n; i++)
        cr_assert_not(tix_idset_has_hashed(s, fresh[i].p, fresh[i].n, h));
    cr_assert_eq(tix_idset_stage(s, fresh, n, NULL, where, &present), TIX_OK);
    cr_assert_eq(present, 0);
    cr_assert_eq(tix_idset_commit(s, fresh, where), TIX_OK);
    cr_assert_eq(tix_idset_size(s), N);
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(add_h(s, it[i].p, it[i].n, h), 0, "%s", it[i].p);
    cr_assert_eq(add_h(s, "S-200", 5, h), 1);
    tix_idset_free(s);
    cr_assert_eq(b.used, 0);
}
