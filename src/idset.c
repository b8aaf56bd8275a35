#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE (Linux); only advice */
#include "techidx/idset.h"

#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "bytes_internal.h"

/* The table: open addressing, linear probing, at most 3/4 full. A slot is
 * the id's 32-bit fingerprint (the top half of its hash) above its number
 * + 1 (0: empty). Its home is the fingerprint's top bits, so the table is
 * ordered by fingerprint nearly everywhere: growing it reads the old table
 * and writes the new one front to back instead of at random, and needs no
 * id, as the fingerprint is also the position. A fingerprint that matches
 * is only a candidate: the ids are compared byte for byte.
 *
 * The ids, in the order they came, in an arena of chunks (no copying as it
 * grows): each entry is a varint of the bytes it shares with the previous
 * id, a varint of the rest's length, and the rest. Every GROUP-th entry
 * shares nothing, and starts[] says where it is, so an id is found again
 * by reading at most GROUP entries from there. Sequential contract numbers
 * (TC000000975467, TC000000975468, ...) take 3 or 4 bytes each. */
#define GROUP 16
#define MIN_BITS 10
#define CHUNK_MAX ((size_t)1 << 20)

typedef struct chunk {
    unsigned char *p;
    size_t len, cap;
} chunk;

struct tix_idset {
    tix_budget *budget;
    uint64_t *slots;
    unsigned bits; /* 1 << bits slots */
    size_t count;
    size_t staged; /* slots of ids numbered count.. written, their bytes not yet */
    chunk *chunks;
    size_t nchunks, chunks_cap;
    uint64_t *starts; /* chunk << 32 | offset of entry g * GROUP */
    size_t starts_cap;
    unsigned char *prev; /* the last id added, for its successor's prefix */
    size_t prev_len, prev_cap;
};

/* The last n < 8 bytes as a word (n is mixed in apart). */
static uint64_t load_tail(const unsigned char *p, size_t n)
{
    uint32_t a, b;
    if (n >= 4) {
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        return (uint64_t)a << 32 | b;
    }
    return n ? (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1] : 0;
}

uint64_t tix_idset_hash(const char *id, size_t n)
{
    const unsigned char *p = (const unsigned char *)id;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)n * 0xff51afd7ed558ccdull);
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8); /* byte order changes slots, never answers */
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    h = (h ^ load_tail(p, n)) * 0x94d049bb133111ebull;
    h ^= h >> 29; /* splitmix64's finish */
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    h *= 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

static size_t home(uint64_t fp, unsigned bits) { return (size_t)(fp >> (32 - bits)); }

/* A large table is probed a cache line per id, each on another 4 KiB page:
 * on 2 MiB pages, where the kernel has them, the probes miss the TLB far
 * less. The advice changes no byte of the table. */
#define HUGE_PAGE ((size_t)2 << 20)

static uint64_t *table_alloc(unsigned bits)
{
    size_t bytes = ((size_t)1 << bits) * sizeof(uint64_t);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= 2 * HUGE_PAGE) {
        void *p;
        if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
            return NULL;
        (void)madvise(p, bytes, MADV_HUGEPAGE); /* refused: 4 KiB pages */
        return memset(p, 0, bytes);
    }
#endif
    return calloc((size_t)1 << bits, sizeof(uint64_t));
}

static tix_status take(tix_idset *s, size_t n)
{
    return tix_budget_take(s->budget, n) == TIX_OK ? TIX_OK : TIX_E_LIMIT;
}

tix_status tix_idset_new(tix_idset **out, tix_budget *budget)
{
    tix_idset *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return TIX_E_NOMEM;
    s->budget = budget;
    s->bits = MIN_BITS;
    size_t bytes = ((size_t)1 << s->bits) * sizeof *s->slots;
    if (take(s, bytes) != TIX_OK) {
        free(s);
        return TIX_E_LIMIT;
    }
    s->slots = table_alloc(s->bits);
    if (!s->slots) {
        tix_budget_give(budget, bytes);
        free(s);
        return TIX_E_NOMEM;
    }
    *out = s;
    return TIX_OK;
}

static size_t get_varint(const unsigned char *a, size_t *v)
{
    size_t n = 0, i = 0;
    for (unsigned shift = 0;; shift += 7) {
        n |= (size_t)(a[i] & 0x7f) << shift;
        if (!(a[i++] & 0x80))
            break;
    }
    *v = n;
    return i;
}

static size_t varint_len(size_t v)
{
    size_t n = 1;
    while (v >>= 7)
        n++;
    return n;
}

static size_t put_varint(unsigned char *a, size_t v)
{
    size_t i = 0;
    do {
        unsigned char b = v & 0x7f;
        v >>= 7;
        a[i++] = (unsigned char)(b | (v ? 0x80 : 0));
    } while (v);
    return i;
}

/* Whether id number k is (p, n). Its entry and those back to its group's
 * first are read forward, then compared backward: entry i gives the bytes
 * of id i from its shared length on, and the bytes before come from id
 * i - 1, so each byte of p is compared once, against where it is kept. */
static int equal_id(const tix_idset *s, size_t k, const char *p, size_t n)
{
    const unsigned char *suf[GROUP];
    size_t shared[GROUP], len[GROUP];
    uint64_t at = s->starts[k / GROUP];
    size_t c = (size_t)(at >> 32), off = (size_t)(at & 0xffffffffu);
    size_t last = k % GROUP;
    for (size_t i = 0; i <= last; i++) {
        if (off == s->chunks[c].len) { /* entries never straddle chunks */
            c++;
            off = 0;
        }
        const unsigned char *a = s->chunks[c].p + off;
        size_t h = get_varint(a, &shared[i]);
        h += get_varint(a + h, &len[i]);
        suf[i] = a + h;
        off += h + len[i];
    }
    if (shared[last] + len[last] != n)
        return 0;
    size_t m = n; /* bytes of p still to compare: p[0, m) */
    for (size_t i = last + 1; i-- > 0 && m > 0;) {
        size_t a = shared[i];
        if (m > a && memcmp(p + a, suf[i], m - a) != 0)
            return 0;
        if (a < m)
            m = a;
    }
    return 1;
}

static size_t find(const tix_idset *s, const char *p, size_t n, uint64_t h, int *found)
{
    uint64_t fp = h >> 32;
    size_t mask = ((size_t)1 << s->bits) - 1;
    size_t i = home(fp, s->bits);
    for (; s->slots[i]; i = (i + 1) & mask) {
        size_t k = (size_t)(s->slots[i] & 0xffffffffu) - 1;
        if ((s->slots[i] >> 32) == fp && k < s->count && equal_id(s, k, p, n)) {
            *found = 1;
            return i;
        }
    }
    *found = 0;
    return i;
}

int tix_idset_has_hashed(const tix_idset *s, const char *p, size_t n, uint64_t h)
{
    int found;
    find(s, p, n, h, &found);
    return found;
}

void tix_idset_prefetch(const tix_idset *s, uint64_t h)
{
#if defined(__GNUC__)
    __builtin_prefetch(&s->slots[home(h >> 32, s->bits)]);
#else
    (void)s;
    (void)h;
#endif
}

static tix_status grow_table(tix_idset *s)
{
    if (s->bits == 32)
        return TIX_E_LIMIT; /* fingerprints are the positions: no more bits */
    unsigned nbits = s->bits + 1;
    size_t nsize = (size_t)1 << nbits, nmask = nsize - 1;
    if (take(s, nsize * sizeof *s->slots) != TIX_OK)
        return TIX_E_LIMIT;
    uint64_t *ns = table_alloc(nbits);
    if (!ns) {
        tix_budget_give(s->budget, nsize * sizeof *s->slots);
        return TIX_E_NOMEM;
    }
    size_t size = (size_t)1 << s->bits;
    for (size_t i = 0; i < size; i++) {
        uint64_t v = s->slots[i];
        if (!v)
            continue;
        size_t j = home(v >> 32, nbits);
        while (ns[j])
            j = (j + 1) & nmask;
        ns[j] = v;
    }
    free(s->slots);
    tix_budget_give(s->budget, size * sizeof *s->slots);
    s->slots = ns;
    s->bits = nbits;
    return TIX_OK;
}

/* Room for an entry of `need` bytes at the end of the arena. */
static tix_status arena_room(tix_idset *s, size_t need)
{
    if (s->nchunks && s->chunks[s->nchunks - 1].cap - s->chunks[s->nchunks - 1].len >= need)
        return TIX_OK;
    if (s->nchunks == s->chunks_cap) {
        size_t cap = s->chunks_cap ? s->chunks_cap * 2 : 16;
        if (take(s, cap * sizeof *s->chunks) != TIX_OK)
            return TIX_E_LIMIT;
        chunk *nc = realloc(s->chunks, cap * sizeof *nc);
        if (!nc) {
            tix_budget_give(s->budget, cap * sizeof *s->chunks);
            return TIX_E_NOMEM;
        }
        tix_budget_give(s->budget, s->chunks_cap * sizeof *s->chunks);
        s->chunks = nc;
        s->chunks_cap = cap;
    }
    /* Small sets stay small: chunks double up to CHUNK_MAX. */
    size_t cap = s->nchunks ? s->chunks[s->nchunks - 1].cap * 2 : 4096;
    if (cap > CHUNK_MAX)
        cap = CHUNK_MAX;
    if (cap < need)
        cap = need;
    if (take(s, cap) != TIX_OK)
        return TIX_E_LIMIT;
    unsigned char *p = malloc(cap);
    if (!p) {
        tix_budget_give(s->budget, cap);
        return TIX_E_NOMEM;
    }
    s->chunks[s->nchunks++] = (chunk){p, 0, cap};
    return TIX_OK;
}

static tix_status room_for(tix_idset *s, size_t n)
{
    if (s->count % GROUP == 0 && s->count / GROUP == s->starts_cap) {
        size_t cap = s->starts_cap ? s->starts_cap * 2 : 64;
        if (take(s, cap * sizeof *s->starts) != TIX_OK)
            return TIX_E_LIMIT;
        uint64_t *ns = realloc(s->starts, cap * sizeof *ns);
        if (!ns) {
            tix_budget_give(s->budget, cap * sizeof *s->starts);
            return TIX_E_NOMEM;
        }
        tix_budget_give(s->budget, s->starts_cap * sizeof *s->starts);
        s->starts = ns;
        s->starts_cap = cap;
    }
    if (n > s->prev_cap) {
        size_t cap = s->prev_cap ? s->prev_cap : 64;
        while (cap < n)
            cap *= 2;
        if (take(s, cap) != TIX_OK)
            return TIX_E_LIMIT;
        unsigned char *np = malloc(cap);
        if (!np) {
            tix_budget_give(s->budget, cap);
            return TIX_E_NOMEM;
        }
        if (s->prev_len) /* prev is NULL before the first id */
            memcpy(np, s->prev, s->prev_len);
        free(s->prev);
        tix_budget_give(s->budget, s->prev_cap);
        s->prev = np;
        s->prev_cap = cap;
    }
    return TIX_OK;
}

/* Appends (p, n) to the arena as id number s->count, without its slot. */
static tix_status append(tix_idset *s, const char *p, size_t n)
{
    size_t shared = 0;
    if (s->count % GROUP != 0) {
        size_t lim = n < s->prev_len ? n : s->prev_len;
        uint64_t a, b;
        for (; shared + 8 <= lim; shared += 8) {
            memcpy(&a, s->prev + shared, 8);
            memcpy(&b, p + shared, 8);
            if (a != b) {
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                shared += (size_t)__builtin_ctzll(a ^ b) / 8;
                lim = shared;
#endif
                break;
            }
        }
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (shared < lim && lim >= 8) { /* the rest, as the word ending at lim */
            memcpy(&a, s->prev + lim - 8, 8);
            memcpy(&b, p + lim - 8, 8);
            shared = a == b ? lim : lim - 8 + (size_t)__builtin_ctzll(a ^ b) / 8;
        }
#endif
        while (shared < lim && s->prev[shared] == (unsigned char)p[shared])
            shared++;
    }
    size_t rest = n - shared;
    size_t hl = varint_len(shared) + varint_len(rest);
    tix_status st = TIX_OK;
    if ((s->count % GROUP == 0 && s->count / GROUP == s->starts_cap) || n > s->prev_cap)
        st = room_for(s, n);
    if (st == TIX_OK)
        st = arena_room(s, hl + rest);
    if (st != TIX_OK)
        return st;
    chunk *c = &s->chunks[s->nchunks - 1];
    if (s->count % GROUP == 0)
        s->starts[s->count / GROUP] = (uint64_t)(s->nchunks - 1) << 32 | c->len;
    unsigned char *a = c->p + c->len;
    a += put_varint(a, shared);
    a += put_varint(a, rest);
    if (rest) { /* an empty id has no bytes, and prev may not exist yet */
        tix_copy_bytes(a, p + shared, rest);
        tix_copy_bytes(s->prev + shared, p + shared, rest); /* the rest of prev is p's already */
    }
    c->len += hl + rest;
    s->prev_len = n;
    s->count++;
    return TIX_OK;
}

/* Writes the slot of id number k, known not to be in the table. */
static void put_slot(tix_idset *s, uint64_t h, size_t k)
{
    size_t mask = ((size_t)1 << s->bits) - 1;
    size_t i = home(h >> 32, s->bits);
    while (s->slots[i])
        i = (i + 1) & mask;
    s->slots[i] = (h >> 32) << 32 | (uint64_t)(k + 1);
}

tix_status tix_idset_add_hashed(tix_idset *s, const char *p, size_t n, uint64_t h, int *added)
{
    int found;
    find(s, p, n, h, &found);
    *added = 0;
    if (found)
        return TIX_OK;
    if (s->count >= 0xfffffffeu)
        return TIX_E_LIMIT; /* a slot holds the number in 32 bits */
    /* New. Make all room first, so a failure leaves the set as it was
     * (what has grown holds the same ids). */
    tix_status st = TIX_OK;
    if ((s->count + 1) * 4 > ((size_t)3 << s->bits))
        st = grow_table(s);
    if (st == TIX_OK)
        st = append(s, p, n);
    if (st != TIX_OK)
        return st;
    put_slot(s, h, s->count - 1);
    *added = 1;
    return TIX_OK;
}

tix_status tix_idset_add_new(tix_idset *s, const tix_idset_item *items, size_t n,
                             const uint32_t *order)
{
    tix_status st = TIX_OK;
    if (n > 0xfffffffeu - s->count)
        return TIX_E_LIMIT;
    while (st == TIX_OK && (s->count + n) * 4 > ((size_t)3 << s->bits))
        st = grow_table(s);
    if (st != TIX_OK)
        return st;
    /* The arena in the given order, as the adds one by one would fill it;
     * then the slots, in the order asked for. */
    size_t first = s->count, done = 0;
    for (; done < n; done++)
        if ((st = append(s, items[done].p, items[done].n)) != TIX_OK)
            break;
    enum { AHEAD = 16 }; /* slots fetched this many ids ahead */
    for (size_t k = 0; k < n; k++) {
        if (k + AHEAD < n)
            tix_idset_prefetch(s, items[order ? order[k + AHEAD] : k + AHEAD].h);
        size_t i = order ? order[k] : k;
        if (i < done)
            put_slot(s, items[i].h, first + i);
    }
    return st;
}

tix_status tix_idset_stage(tix_idset *s, const tix_idset_item *items, size_t n,
                           const uint32_t *order, size_t *where, int *present)
{
    enum { AHEAD = 16 };
    size_t mask = ((size_t)1 << s->bits) - 1;
    *present = 0;
    if (n > 0xfffffffeu - s->count || (s->count + n) * 4 > ((size_t)3 << s->bits))
        return TIX_E_LIMIT;
    for (size_t k = 0; k < n; k++) {
        if (k + AHEAD < n)
            tix_idset_prefetch(s, items[order ? order[k + AHEAD] : k + AHEAD].h);
        size_t i = order ? order[k] : k;
        const tix_idset_item *t = &items[i];
        uint64_t fp = t->h >> 32;
        size_t at = home(fp, s->bits);
        for (; s->slots[at]; at = (at + 1) & mask) {
            size_t id = (size_t)(s->slots[at] & 0xffffffffu) - 1;
            /* A staged id matches none of the others (they are distinct). */
            if ((s->slots[at] >> 32) == fp && id < s->count && equal_id(s, id, t->p, t->n)) {
                for (size_t b = 0; b < k; b++) /* back to the table before */
                    s->slots[where[order ? order[b] : b]] = 0;
                *present = 1;
                return TIX_OK;
            }
        }
        s->slots[at] = fp << 32 | (uint64_t)(s->count + i + 1);
        where[i] = at;
    }
    s->staged = n;
    return TIX_OK;
}

void tix_idset_abort(tix_idset *s, const size_t *where)
{
    for (size_t i = 0; i < s->staged; i++)
        s->slots[where[i]] = 0;
    s->staged = 0;
}

tix_status tix_idset_commit(tix_idset *s, const tix_idset_item *items, const size_t *where)
{
    size_t n = s->staged;
    s->staged = 0;
    for (size_t i = 0; i < n; i++) {
        tix_status st = append(s, items[i].p, items[i].n);
        if (st != TIX_OK) { /* the ids not appended leave the table */
            for (; i < n; i++)
                s->slots[where[i]] = 0;
            return st;
        }
    }
    return TIX_OK;
}

tix_status tix_idset_add(tix_idset *s, const char *p, size_t n, int *added)
{
    return tix_idset_add_hashed(s, p, n, tix_idset_hash(p, n), added);
}

size_t tix_idset_room(const tix_idset *s, size_t ids, size_t bytes)
{
    size_t extra = 0;
    /* The table: while growing, the old one and the new one. */
    unsigned bits = s->bits;
    while ((s->count + ids) * 4 > ((size_t)3 << bits) && bits < 32)
        bits++;
    if (bits > s->bits)
        extra += (((size_t)3 << (bits - 1)) - ((size_t)1 << s->bits)) * sizeof *s->slots;
    /* The arena: entries, the space a chunk leaves unused (less than the
     * entry that did not fit), the last chunk, the chunk list. */
    size_t entries = bytes + 20 * ids;
    extra += 2 * entries + CHUNK_MAX + (2 * (s->nchunks + entries / 4096) + 32) * sizeof(chunk);
    /* starts[] doubling, and the copy of the last id. */
    extra += 2 * ((s->count + ids) / GROUP + 64) * sizeof *s->starts + 2 * bytes + 64;
    return extra;
}

size_t tix_idset_size(const tix_idset *s) { return s->count; }

void tix_idset_free(tix_idset *s)
{
    if (!s)
        return;
    size_t bytes = ((size_t)1 << s->bits) * sizeof *s->slots + s->chunks_cap * sizeof *s->chunks +
                   s->starts_cap * sizeof *s->starts + s->prev_cap;
    for (size_t i = 0; i < s->nchunks; i++) {
        bytes += s->chunks[i].cap;
        free(s->chunks[i].p);
    }
    tix_budget_give(s->budget, bytes);
    free(s->slots);
    free(s->chunks);
    free(s->starts);
    free(s->prev);
    free(s);
}
