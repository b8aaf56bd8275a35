#include "techidx/idset.h"

#include <stdlib.h>
#include <string.h>

/* Slots hold (offset + 1) into the arena in the low 40 bits and 24 bits of
 * the hash above them, so most mismatches are settled without touching the
 * arena. Arena entries are a varint length followed by the bytes. */
#define OFF_BITS 40
#define OFF_MASK ((UINT64_C(1) << OFF_BITS) - 1)

struct tix_idset {
    tix_budget *budget;
    uint64_t *slots;
    size_t mask, count;
    unsigned char *arena;
    size_t len, cap;
};

static uint64_t hash(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n; /* FNV-1a, then a final mix */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

tix_status tix_idset_new(tix_idset **out, tix_budget *budget)
{
    tix_idset *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return TIX_E_NOMEM;
    s->budget = budget;
    s->mask = 1023;
    if (tix_budget_take(budget, (s->mask + 1) * sizeof *s->slots) != TIX_OK) {
        free(s);
        return TIX_E_LIMIT;
    }
    s->slots = calloc(s->mask + 1, sizeof *s->slots);
    if (!s->slots) {
        tix_budget_give(budget, (s->mask + 1) * sizeof *s->slots);
        free(s);
        return TIX_E_NOMEM;
    }
    *out = s;
    return TIX_OK;
}

static size_t read_len(const unsigned char *a, size_t *len)
{
    size_t n = 0, i = 0;
    for (unsigned shift = 0;; shift += 7) {
        n |= (size_t)(a[i] & 0x7f) << shift;
        if (!(a[i++] & 0x80))
            break;
    }
    *len = n;
    return i;
}

static int equal_at(const tix_idset *s, uint64_t slot, const char *p, size_t n)
{
    const unsigned char *a = s->arena + ((slot & OFF_MASK) - 1);
    size_t len;
    size_t hdr = read_len(a, &len);
    return len == n && memcmp(a + hdr, p, n) == 0;
}

static tix_status grow_table(tix_idset *s)
{
    size_t nmask = s->mask * 2 + 1;
    if (tix_budget_take(s->budget, (nmask + 1) * sizeof *s->slots) != TIX_OK)
        return TIX_E_LIMIT;
    uint64_t *ns = calloc(nmask + 1, sizeof *ns);
    if (!ns) {
        tix_budget_give(s->budget, (nmask + 1) * sizeof *s->slots);
        return TIX_E_NOMEM;
    }
    for (size_t i = 0; i <= s->mask; i++) {
        uint64_t v = s->slots[i];
        if (!v)
            continue;
        size_t len;
        const unsigned char *a = s->arena + ((v & OFF_MASK) - 1);
        size_t hdr = read_len(a, &len);
        size_t h = (size_t)hash((const char *)a + hdr, len) & nmask;
        while (ns[h])
            h = (h + 1) & nmask;
        ns[h] = v;
    }
    free(s->slots);
    tix_budget_give(s->budget, (s->mask + 1) * sizeof *s->slots);
    s->slots = ns;
    s->mask = nmask;
    return TIX_OK;
}

tix_status tix_idset_add(tix_idset *s, const char *p, size_t n, int *added)
{
    uint64_t h = hash(p, n);
    uint64_t tag = (h >> OFF_BITS) << OFF_BITS;
    size_t i = (size_t)h & s->mask;
    *added = 0;
    for (; s->slots[i]; i = (i + 1) & s->mask)
        if ((s->slots[i] & ~OFF_MASK) == tag && equal_at(s, s->slots[i], p, n))
            return TIX_OK;
    /* New. Make all room first, so a failure leaves the set as it was. */
    if ((s->count + 1) * 2 > s->mask) {
        tix_status st = grow_table(s);
        if (st != TIX_OK)
            return st;
        for (i = (size_t)h & s->mask; s->slots[i]; i = (i + 1) & s->mask)
            ;
    }
    size_t need = n + 10; /* bytes + the longest varint */
    if (s->len + need > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + need)
            cap *= 2;
        if (cap > OFF_MASK)
            return TIX_E_LIMIT;
        if (tix_budget_take(s->budget, cap - s->cap) != TIX_OK)
            return TIX_E_LIMIT;
        unsigned char *na = realloc(s->arena, cap);
        if (!na) {
            tix_budget_give(s->budget, cap - s->cap);
            return TIX_E_NOMEM;
        }
        s->arena = na;
        s->cap = cap;
    }
    uint64_t off = s->len + 1;
    size_t v = n;
    do {
        unsigned char b = v & 0x7f;
        v >>= 7;
        s->arena[s->len++] = (unsigned char)(b | (v ? 0x80 : 0));
    } while (v);
    memcpy(s->arena + s->len, p, n);
    s->len += n;
    s->slots[i] = tag | off;
    s->count++;
    *added = 1;
    return TIX_OK;
}

size_t tix_idset_size(const tix_idset *s) { return s->count; }

void tix_idset_free(tix_idset *s)
{
    if (!s)
        return;
    tix_budget_give(s->budget, (s->mask + 1) * sizeof *s->slots + s->cap);
    free(s->slots);
    free(s->arena);
    free(s);
}
