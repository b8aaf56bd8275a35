#include <criterion/criterion.h>
#include <stdio.h>
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
