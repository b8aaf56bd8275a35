/* The cube's tables: cell names and (period, cell) pairs in open-addressing
 * hash tables, and the dense index that finds most rows' pair with one load. */
#include "cube_internal.h"

#include <stdlib.h>
#include <string.h>

#include "bytes_internal.h"

/* Eight bytes at a time, then a final mix: cell names are short, and this
 * runs once per row. The last word overlaps the one before it when n is not
 * a multiple of eight; n itself is mixed in first. */
static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    const char *end = p + n;
    for (; end - p > 8; p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    uint64_t w = n >= 8 ? tix_load_le(end - 8, 8) : tix_load_le(p, n);
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

static uint64_t hash_pair(int32_t period, uint32_t cell)
{
    uint64_t x = ((uint64_t)(uint32_t)period << 32) | cell;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* Doubles an open-addressing table of ids; `key` gives each id's hash. */
static tix_status grow_slots(uint32_t **slots, size_t *mask, size_t count,
                             uint64_t (*key)(const tix_cube *, uint32_t), tix_cube *c)
{
    size_t nmask = *mask * 2 + 1;
    if (cube_reserve(c, (nmask + 1) * sizeof **slots) != TIX_OK)
        return TIX_E_LIMIT;
    uint32_t *ns = calloc(nmask + 1, sizeof *ns);
    if (!ns) {
        cube_release(c, (nmask + 1) * sizeof **slots);
        return TIX_E_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        size_t h = (size_t)key(c, (uint32_t)i) & nmask;
        while (ns[h])
            h = (h + 1) & nmask;
        ns[h] = (uint32_t)i + 1;
    }
    free(*slots);
    cube_release(c, (*mask + 1) * sizeof **slots);
    *slots = ns;
    *mask = nmask;
    return TIX_OK;
}

static uint64_t cell_hash_of(const tix_cube *c, uint32_t id) { return c->cells[id].hash; }

static uint64_t pair_hash_of(const tix_cube *c, uint32_t i)
{
    return hash_pair(c->pairs[i].period, c->pairs[i].cell);
}

/* Grows an array to `cap` elements of `size` bytes against the budget. */
static tix_status grow_array(tix_cube *c, void **arr, size_t *cap, size_t size, size_t min)
{
    size_t ncap = *cap ? *cap * 2 : min;
    if (cube_reserve(c, (ncap - *cap) * size) != TIX_OK)
        return TIX_E_LIMIT;
    void *na = realloc(*arr, ncap * size);
    if (!na) {
        cube_release(c, (ncap - *cap) * size);
        return TIX_E_NOMEM;
    }
    *arr = na;
    *cap = ncap;
    return TIX_OK;
}

/* A cube meets few cells, the same ones row after row: the memo keeps the
 * last id seen in each of CUBE_CELL_MEMO slots, found from the name's
 * first and last eight bytes (or all of them), with no loop; a guess
 * that holds saves the name's hash and its probe. Ids never change, and
 * the name is compared whole, so the memo changes no answer. */
static size_t memo_slot(const char *p, size_t n)
{
    uint64_t w = n >= 8 ? tix_load_le(p, 8) ^ (tix_load_le(p + n - 8, 8) * 0x9e3779b97f4a7c15ull)
                        : tix_load_le(p, n);
    return (size_t)(((w ^ n) * 0xff51afd7ed558ccdull) >> (64 - CUBE_CELL_MEMO_BITS));
}

static int memo_holds(const tix_cube *c, uint32_t v, const char *p, size_t n)
{
    return v && v <= c->ncells && c->cells[v - 1].len == n &&
           tix_same_bytes(c->cells[v - 1].name, p, n);
}

/* Every resource is secured before anything is inserted, so a failed add
 * leaves the cube as it was. */
tix_status cube_intern_cell(tix_cube *c, const char *p, size_t n, uint32_t *id, int *fresh)
{
    *fresh = 0;
    size_t m = memo_slot(p, n);
    if (memo_holds(c, c->cell_memo[m], p, n)) {
        *id = c->cell_memo[m] - 1;
        return TIX_OK;
    }
    uint64_t h = hash_bytes(p, n);
    size_t s = (size_t)h & c->cell_mask;
    for (; c->cell_slots[s]; s = (s + 1) & c->cell_mask) {
        cell_name *cn = &c->cells[c->cell_slots[s] - 1];
        if (cn->hash == h && cn->len == n && tix_same_bytes(cn->name, p, n)) {
            *id = c->cell_slots[s] - 1;
            c->cell_memo[m] = c->cell_slots[s];
            return TIX_OK;
        }
    }
    if (c->ncells >= c->opts.max_cells)
        return TIX_E_LIMIT;
    tix_status st = TIX_OK;
    if (c->ncells == c->cells_cap)
        st = grow_array(c, (void **)&c->cells, &c->cells_cap, sizeof *c->cells, 16);
    if (st == TIX_OK && (c->ncells + 1) * 2 > c->cell_mask) {
        st = grow_slots(&c->cell_slots, &c->cell_mask, c->ncells, cell_hash_of, c);
        for (s = (size_t)h & c->cell_mask; st == TIX_OK && c->cell_slots[s];)
            s = (s + 1) & c->cell_mask;
    }
    if (st != TIX_OK)
        return st;
    if (cube_reserve(c, n + 1) != TIX_OK)
        return TIX_E_LIMIT;
    char *name = malloc(n + 1);
    if (!name) {
        cube_release(c, n + 1);
        return TIX_E_NOMEM;
    }
    memcpy(name, p, n);
    name[n] = '\0';
    c->cells[c->ncells] = (cell_name){name, n, h};
    c->cell_slots[s] = (uint32_t)++c->ncells;
    c->cell_memo[m] = (uint32_t)c->ncells;
    *id = (uint32_t)(c->ncells - 1);
    *fresh = 1;
    return TIX_OK;
}

/* Takes back the cell interned last. Clearing its slot cannot break a probe
 * chain: nothing was inserted after it. */
void cube_forget_last_cell(tix_cube *c)
{
    cell_name *cn = &c->cells[c->ncells - 1];
    size_t s = (size_t)cn->hash & c->cell_mask;
    while (c->cell_slots[s] != c->ncells)
        s = (s + 1) & c->cell_mask;
    c->cell_slots[s] = 0;
    cube_release(c, cn->len + 1);
    free(cn->name);
    c->ncells--;
}

static tix_status find_pair(tix_cube *c, int32_t period, uint32_t cell, pair **out, int *fresh)
{
    *fresh = 0;
    uint64_t h = hash_pair(period, cell);
    size_t s = (size_t)h & c->pair_mask;
    for (; c->pair_slots[s]; s = (s + 1) & c->pair_mask) {
        pair *p = &c->pairs[c->pair_slots[s] - 1];
        if (p->period == period && p->cell == cell) {
            *out = p;
            return TIX_OK;
        }
    }
    if (c->npairs >= c->opts.max_pairs)
        return TIX_E_LIMIT;
    tix_status st = TIX_OK;
    if (c->npairs == c->pairs_cap)
        st = grow_array(c, (void **)&c->pairs, &c->pairs_cap, sizeof *c->pairs, 64);
    if (st == TIX_OK && STATS_KIND(c) && c->npairs == c->stats_cap)
        st = grow_array(c, (void **)&c->stats, &c->stats_cap, sizeof *c->stats, 64);
    if (st == TIX_OK && HAS_LOGS(c) && c->npairs == c->logs_cap)
        st = grow_array(c, (void **)&c->logs, &c->logs_cap, sizeof *c->logs, 64);
    if (st == TIX_OK && NREPS(c) && c->npairs == c->reps_cap)
        st = grow_array(c, (void **)&c->reps, &c->reps_cap, NREPS(c) * sizeof *c->reps, 64);
    if (st == TIX_OK && NREPS(c) && HAS_LOGS(c) && c->npairs == c->rlogs_cap)
        st = grow_array(c, (void **)&c->rlogs, &c->rlogs_cap, NREPS(c) * sizeof *c->rlogs, 64);
    if (st == TIX_OK && (c->npairs + 1) * 2 > c->pair_mask) {
        st = grow_slots(&c->pair_slots, &c->pair_mask, c->npairs, pair_hash_of, c);
        for (s = (size_t)h & c->pair_mask; st == TIX_OK && c->pair_slots[s];)
            s = (s + 1) & c->pair_mask;
    }
    if (st != TIX_OK)
        return st;
    pair *p = &c->pairs[c->npairs];
    memset(p, 0, sizeof *p);
    p->period = period;
    p->cell = cell;
    if (STATS_KIND(c)) {
        memset(ST(c, p), 0, sizeof *c->stats);
        ST(c, p)->min = INT64_MAX;
    }
    if (HAS_LOGS(c))
        memset(LG(c, p), 0, sizeof *c->logs);
    if (NREPS(c))
        memset(RP(c, p), 0, NREPS(c) * sizeof *c->reps);
    if (NREPS(c) && HAS_LOGS(c))
        memset(RL(c, p), 0, NREPS(c) * sizeof *c->rlogs);
    c->pair_slots[s] = (uint32_t)++c->npairs;
    *out = p;
    *fresh = 1;
    return TIX_OK;
}

/* Takes back the pair made last (see forget_last_cell). */
void cube_forget_last_pair(tix_cube *c)
{
    pair *p = &c->pairs[c->npairs - 1];
    size_t s = (size_t)hash_pair(p->period, p->cell) & c->pair_mask;
    while (c->pair_slots[s] != c->npairs)
        s = (s + 1) & c->pair_mask;
    c->pair_slots[s] = 0;
    if (STATS_KIND(c))
        cube_sketch_drop(c, ST(c, p));
    c->npairs--;
}

/* Files pair index i under (period, cell), widening the window first when
 * needed. Failing to widen only turns the dense index off. */
static void dense_put(tix_cube *c, int32_t period, uint32_t cell, size_t i)
{
    if (c->dense_off)
        return;
    int64_t lo = c->dense ? c->dense_lo : period;
    int64_t hi = c->dense ? c->dense_lo + (int64_t)c->dense_np : (int64_t)period + 1;
    size_t nc = c->dense_nc ? c->dense_nc : 16;
    if (!c->dense || period < lo || period >= hi || cell >= nc) {
        /* Grow by half again in the direction needed, so a run of new
         * periods costs few rebuilds. */
        int64_t span = hi - lo;
        if (period < lo)
            lo = period - span / 2;
        if (period >= hi)
            hi = (int64_t)period + 1 + span / 2;
        while (cell >= nc)
            nc *= 2;
        size_t np = (size_t)(hi - lo), slots = np * nc;
        if (np > DENSE_MAX_SLOTS || slots > DENSE_MAX_SLOTS ||
            cube_reserve(c, slots * sizeof *c->dense) != TIX_OK) {
            if (c->dense)
                cube_release(c, c->dense_np * c->dense_nc * sizeof *c->dense);
            free(c->dense);
            c->dense = NULL;
            c->dense_off = 1;
            return;
        }
        uint32_t *d = calloc(slots, sizeof *d);
        if (!d) {
            cube_release(c, slots * sizeof *c->dense);
            return; /* try again later */
        }
        if (c->dense)
            cube_release(c, c->dense_np * c->dense_nc * sizeof *c->dense);
        free(c->dense);
        c->dense = d;
        c->dense_lo = (int32_t)lo;
        c->dense_np = np;
        c->dense_nc = nc;
        for (size_t k = 0; k < c->npairs; k++)
            if (k != i)
                d[(size_t)(c->pairs[k].period - lo) * nc + c->pairs[k].cell] = (uint32_t)k + 1;
    }
    c->dense[(size_t)(period - c->dense_lo) * c->dense_nc + cell] = (uint32_t)i + 1;
}

/* The pair of (period, cell id), made when new; the dense index first. */
tix_status cube_pair_for(tix_cube *c, int32_t period, uint32_t id, pair **p, int *fresh)
{
    *fresh = 0;
    *p = cube_dense_get(c, period, id);
    if (*p)
        return TIX_OK;
    tix_status st = find_pair(c, period, id, p, fresh);
    if (st == TIX_OK)
        dense_put(c, period, id, (size_t)(*p - c->pairs));
    return st;
}

/* Lookups that never insert, for merge's dry run. */
int cube_lookup_cell(const tix_cube *c, const char *p, size_t n, uint32_t *id)
{
    uint32_t v = c->cell_memo[memo_slot(p, n)];
    if (memo_holds(c, v, p, n)) {
        *id = v - 1;
        return 1;
    }
    uint64_t h = hash_bytes(p, n);
    for (size_t s = (size_t)h & c->cell_mask; c->cell_slots[s]; s = (s + 1) & c->cell_mask) {
        const cell_name *cn = &c->cells[c->cell_slots[s] - 1];
        if (cn->hash == h && cn->len == n && tix_same_bytes(cn->name, p, n)) {
            *id = c->cell_slots[s] - 1;
            return 1;
        }
    }
    return 0;
}

const pair *cube_lookup_pair(const tix_cube *c, int32_t period, uint32_t cell)
{
    const pair *d = cube_dense_get(c, period, cell);
    if (d)
        return d;
    for (size_t s = (size_t)hash_pair(period, cell) & c->pair_mask; c->pair_slots[s];
         s = (s + 1) & c->pair_mask) {
        const pair *p = &c->pairs[c->pair_slots[s] - 1];
        if (p->period == period && p->cell == cell)
            return p;
    }
    return NULL;
}
