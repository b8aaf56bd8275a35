/* The parallel driver: one thread reads (and inflates) the source into
 * blocks and cuts them, opts.threads - 1 threads parse blocks into
 * classified rows, and this thread applies them in input order.
 *
 * Inflating is the one step that cannot be shared out, so its thread must
 * never wait for a core: there is one parser fewer than threads, and the
 * reading thread parses a block itself whenever the ring of blocks is full
 * (with plain input, most of the time). This thread only applies, which
 * is light work.
 *
 * A block is cut at its last LF, and a worker parses it as if a record
 * started there. That guess is checked when the block's turn comes: if the
 * reader that consumed everything before the block stands between records,
 * the guess held and the block's rows are applied; if not (the LF was
 * inside a quoted field), the worker's rows are dropped and the block's
 * bytes go through that reader here, serially.
 *
 * Accepted rows are summed by the worker into a cube of the block's own,
 * merged here whole (tix_cube_merge adds exactly what the rows would);
 * rejected rows are kept and applied in order. When those cubes come out
 * with about a pair a row (days, or many cells, in unsorted dates), the
 * blocks after them are kept as rows and applied one by one instead, as
 * with replicate groups: the cube is the same, and the worker's half of
 * the cost is saved.
 *
 * With `dedup` the accepted rows are summed too, and their ids kept with
 * their hashes: if none of the block's ids is twice in the block (the
 * worker checks) or in the id set (this thread, in one pass that also
 * writes their table slots, fetched ahead, taken out again if one is
 * found), which is the rule, no row is a duplicate and the sums are the
 * rows', so the block is merged whole and its ids added in input order.
 * Else the block is read serially, or, when the block before it had a
 * repeated id too (the worker was asked to keep its accepted rows), its
 * rows are applied one by one.
 * Whenever a block's merge could not go through whole (an overflow, a
 * limit, a budget it might pass), the block is read serially instead, so
 * counts, rejects, limits, errors and line numbers are exactly those of the
 * serial path.
 *
 * It reaches the engine only through engine_internal.h (engine.c), and
 * engine.c does not call it: tix_engine_add_file (engine_file.c) does. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes_internal.h" /* tix_copy_bytes */
#include "cube_internal.h"  /* cube_sketch_defer, _settle */
#include "engine_internal.h"
#include "reader_internal.h" /* tix_reader_unread_fields */
#include "techidx/cube.h"

#define BLOCK_BYTES ((size_t)2 << 20)
#define BLOCK_HEAD ((size_t)64 << 10) /* room to put the previous block's tail in front */
#define NBLOCKS 6
/* A block's cube with more than one pair for every SPARSE_ROWS_PER_PAIR
 * accepted rows (of at least SPARSE_MIN_ROWS) hardly sums anything: the
 * next SPARSE_SKIP blocks are cut to be applied row by row, then one is
 * given a cube again to see whether that still holds. Only the speed
 * depends on it: the cube is the same either way. */
#define SPARSE_ROWS_PER_PAIR 2
#define SPARSE_MIN_ROWS 1024
#define SPARSE_SKIP 15

enum { JOB_NONE, JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_SERIAL };

typedef struct job_row { /* on_job_row sets each field by name */
    uint64_t line;       /* local to the worker's reader */
    tix_reason why;
    int32_t day;
    int64_t value;
    size_t id, cell, raw; /* offsets into the arena */
    size_t id_len, cell_len, raw_len;
    uint64_t id_hash; /* with dedup, accepted rows only */
    int raw_in_data;  /* raw is an offset into the job's data, not its arena */
} job_row;

typedef struct job {
    /* Jobs sit in an array, each written by its worker row by row: keep
     * each on cache lines of its own. */
    _Alignas(128) int state;
    tix_schema schema; /* private copies for the worker, see engine_classify */
    tix_engine_opts opts;
    unsigned char *mem; /* BLOCK_HEAD + BLOCK_BYTES, filled by the reader thread */
    size_t filled;      /* bytes read into mem + BLOCK_HEAD */
    uint64_t src_bytes; /* the source's bytes in after this block, for progress */
    const char *data;   /* what to parse: the previous tail, then this block to its last LF */
    size_t len;
    char *heap; /* data, when the tail did not fit in the head room */
    tix_reader *reader;
    job_row *rows;
    size_t nrows, rows_cap;
    char *arena;
    size_t alen, acap;
    tix_status st;     /* the worker reader's failure, after its rows */
    tix_cube *mini;    /* accepted rows summed, unless opts.ci_groups */
    uint64_t accepted; /* rows in mini */
    size_t id_bytes;   /* with dedup: the accepted rows' ids, in all */
    int id_twice;      /* with dedup: an id is on two of the block's rows */
    uint32_t *seen;    /* with dedup: the block's ids, by hash (row + 1) */
    size_t seen_cap;
    /* With dedup, the accepted rows' ids in input order, and their indices
     * in the order of their table slots (see apply_new_ids). */
    tix_idset_item *items;
    size_t nitems, items_cap;
    uint32_t *order;
    size_t *where; /* their slots, once staged */
    size_t order_cap;
    size_t *far; /* pairs (item, arena offset): ids copied, p set after parsing */
    size_t nfar, far_cap;
    int keep_rows; /* with dedup: keep accepted rows too (the last block needed them) */
    int by_rows;   /* no cube of the block's own: its rows are kept and applied one by one */
    int fell_back; /* with dedup: applied one by one or read serially */
    int replay;        /* the worker could not keep a row: read the block serially */
    engine_key key;    /* cell names of several dimensions */
} job;

typedef struct par {
    tix_engine *e;
    tix_source *src;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job jobs[NBLOCKS];
    /* Blocks move through the ring in order: read and cut (by the reading
     * thread), then applied (by this one). */
    uint64_t produced, applied;
    int read_done, stop;
    int header_known; /* the engine has the header: blocks can be parsed ahead */
    int take_failed;  /* no memory to cut a block: the run fails after the rest */
    int keep_rows;    /* with dedup: the last block applied had a repeated id */
    unsigned by_rows; /* blocks still to be cut without a cube of their own (see SPARSE_*) */
    tix_status read_st;
    char *tail; /* bytes after the last LF taken so far */
    size_t tail_len;
} par;

/* ---- the reading thread ---------------------------------------------------- */

static int take_block(par *p, job *j, int header_known);
static int run_one(par *p);

static void *read_blocks(void *arg)
{
    par *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        /* A full ring: help the workers rather than wait for them. */
        while (p->produced - p->applied == NBLOCKS && !p->stop)
            if (!run_one(p))
                pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop)
            break;
        job *j = &p->jobs[p->produced % NBLOCKS];
        pthread_mutex_unlock(&p->mu);
        /* The slot is ours until `produced` says otherwise. */
        size_t n = 0;
        tix_status st = TIX_OK;
        while (n < BLOCK_BYTES) {
            size_t got;
            /* In UTF-8 (`encoding`): blocks are cut in the reader's text. */
            st = engine_source_read(p->e, p->src, j->mem + BLOCK_HEAD + n, BLOCK_BYTES - n, &got);
            if (st != TIX_OK || got == 0)
                break;
            n += got;
        }
        int took = 1;
        j->src_bytes = tix_source_bytes_in(p->src);
        if (st == TIX_OK && n > 0) {
            /* A block cut before the header is known would be read
             * serially: let the blocks before it be applied first. */
            pthread_mutex_lock(&p->mu);
            while (!p->header_known && p->applied < p->produced && !p->stop)
                pthread_cond_wait(&p->cv, &p->mu);
            int header_known = p->header_known;
            j->keep_rows = p->keep_rows;
            j->by_rows = p->by_rows > 0;
            p->by_rows -= p->by_rows > 0;
            pthread_mutex_unlock(&p->mu);
            j->filled = n;
            took = take_block(p, j, header_known);
        }
        pthread_mutex_lock(&p->mu);
        if (!took) {
            p->take_failed = 1;
            break;
        }
        if (st != TIX_OK || n == 0) {
            p->read_st = st;
            break;
        }
        p->produced++;
        pthread_cond_broadcast(&p->cv);
    }
    p->read_done = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* ---- parsing a block ------------------------------------------------------- */

static int arena_put(job *j, const char *s, size_t n, size_t *off)
{
    if (j->alen + n > j->acap) {
        size_t cap = j->acap ? j->acap : 65536;
        while (cap < j->alen + n)
            cap *= 2;
        char *a = realloc(j->arena, cap);
        if (!a)
            return 0;
        j->arena = a;
        j->acap = cap;
    }
    if (n)
        tix_copy_bytes(j->arena + j->alen, s, n);
    *off = j->alen;
    j->alen += n;
    return 1;
}

static int grow_items(job *j)
{
    size_t cap = j->items_cap ? j->items_cap * 2 : 4096;
    tix_idset_item *t = realloc(j->items, cap * sizeof *t);
    if (!t)
        return 0;
    j->items = t;
    j->items_cap = cap;
    return 1;
}

/* With dedup, an accepted row whose sums went to the mini cube: only its
 * id is kept, for the id set. Most ids are views of the block itself. */
static tix_status keep_id(job *j, const row_out *o)
{
    if (j->nitems == j->items_cap && !grow_items(j)) {
        j->replay = 1;
        return TIX_E_NOMEM;
    }
    tix_idset_item *t = &j->items[j->nitems];
    *t = (tix_idset_item){o->id, o->id_len, o->id_hash};
    uintptr_t at = (uintptr_t)o->id, from = (uintptr_t)j->data;
    if (!(at >= from && o->id_len <= j->len && at - from <= j->len - o->id_len)) {
        size_t off;
        if (j->nfar + 2 > j->far_cap) {
            size_t cap = j->far_cap ? j->far_cap * 2 : 256;
            size_t *f = realloc(j->far, cap * sizeof *f);
            if (!f) {
                j->replay = 1;
                return TIX_E_NOMEM;
            }
            j->far = f;
            j->far_cap = cap;
        }
        if (!arena_put(j, o->id, o->id_len, &off)) {
            j->replay = 1;
            return TIX_E_NOMEM;
        }
        j->far[j->nfar++] = j->nitems;
        j->far[j->nfar++] = off;
    }
    j->nitems++;
    j->id_bytes += o->id_len;
    return TIX_OK;
}

/* Classifies a row and keeps what applying it needs, copied: the row's
 * views die with the callback. */
static tix_status on_job_row(void *ctx, const tix_row *row)
{
    job *j = ctx;
    row_out o;
    if (engine_classify(&j->schema, &j->opts, row, &o, &j->key) != TIX_OK) {
        j->replay = 1;
        return TIX_E_NOMEM;
    }
    if (o.why == TIX_REASON_NONE && j->mini) {
        tix_status st =
            tix_cube_add_id(j->mini, o.day, o.cell, o.cell_len, o.value, o.id, o.id_len);
        if (st != TIX_OK) {
            j->replay = 1;
            return st; /* stops this reader; the block goes serially */
        }
        j->accepted++;
        if (!j->opts.dedup)
            return TIX_OK;
        if (!j->keep_rows)
            return keep_id(j, &o);
    }
    if (j->nrows == j->rows_cap) {
        size_t cap = j->rows_cap ? j->rows_cap * 2 : 4096;
        job_row *r = realloc(j->rows, cap * sizeof *r);
        if (!r) {
            j->replay = 1;
            return TIX_E_NOMEM;
        }
        j->rows = r;
        j->rows_cap = cap;
    }
    job_row *r = &j->rows[j->nrows];
    /* Field by field: zeroing the struct whole is a `rep stos` (gcc),
     * slow to start, once a row. */
    r->line = row->line;
    r->why = o.why;
    r->day = 0;
    r->value = 0;
    r->id = r->cell = r->raw = 0;
    r->id_len = r->cell_len = r->raw_len = 0;
    r->id_hash = 0;
    r->raw_in_data = 0;
    int ok = 1;
    if (o.why == TIX_REASON_NONE) {
        r->day = o.day;
        r->value = o.value;
        r->cell_len = o.cell_len;
        ok = arena_put(j, o.cell, o.cell_len, &r->cell);
        if (ok && (j->opts.dedup || j->opts.ci_groups || j->by_rows)) {
            r->id_len = o.id_len;
            r->id_hash = o.id_hash;
            j->id_bytes += o.id_len;
            ok = arena_put(j, o.id, o.id_len, &r->id);
        }
        /* A duplicate is rejected with its record. Most records are views
         * of the block itself, alive until it is applied: no copy. */
        if (ok && j->opts.dedup) {
            r->raw_len = o.raw_len;
            uintptr_t at = (uintptr_t)o.raw, from = (uintptr_t)j->data;
            if (at >= from && o.raw_len <= j->len && at - from <= j->len - o.raw_len) {
                r->raw = (size_t)(at - from);
                r->raw_in_data = 1;
            } else {
                ok = arena_put(j, o.raw, o.raw_len, &r->raw);
            }
        }
    } else {
        r->raw_len = o.raw_len;
        ok = arena_put(j, o.raw, o.raw_len, &r->raw);
    }
    if (!ok) {
        j->replay = 1;
        return TIX_E_NOMEM;
    }
    j->nrows++;
    return TIX_OK;
}

/* With dedup: whether two of the block's ids are the same (then its rows
 * go one by one). */
static int id_twice(job *j)
{
    size_t cap = 64;
    while (cap < 2 * j->nitems)
        cap *= 2;
    if (cap > j->seen_cap) {
        free(j->seen);
        j->seen_cap = 0;
        if (!(j->seen = malloc(cap * sizeof *j->seen)))
            return 1; /* one by one needs no memory */
        j->seen_cap = cap;
    }
    memset(j->seen, 0, cap * sizeof *j->seen);
    for (size_t i = 0; i < j->nitems; i++) {
        const tix_idset_item *t = &j->items[i];
        size_t k = (size_t)t->h & (cap - 1);
        for (; j->seen[k]; k = (k + 1) & (cap - 1)) {
            const tix_idset_item *q = &j->items[j->seen[k] - 1];
            if (q->h == t->h && q->n == t->n && memcmp(q->p, t->p, t->n) == 0)
                return 1;
        }
        j->seen[k] = (uint32_t)(i + 1);
    }
    return 0;
}

/* With dedup: the accepted rows' ids (the arena no longer moves), and
 * their order by the top bits of their fingerprints, which is the order of
 * their slots in the id set's table (a counting sort: near enough). */
static int list_ids(job *j)
{
    enum { BUCKET_BITS = 12 };
    static const size_t nb = (size_t)1 << BUCKET_BITS;
    if (j->keep_rows) { /* from the rows */
        j->nitems = 0;
        for (size_t i = 0; i < j->nrows; i++) {
            const job_row *r = &j->rows[i];
            if (r->why != TIX_REASON_NONE)
                continue;
            if (j->nitems == j->items_cap && !grow_items(j))
                return 0;
            j->items[j->nitems++] = (tix_idset_item){j->arena + r->id, r->id_len, r->id_hash};
        }
    }
    for (size_t f = 0; f < j->nfar; f += 2)
        j->items[j->far[f]].p = j->arena + j->far[f + 1];
    size_t n = j->nitems;
    if (n > j->order_cap) {
        free(j->order);
        free(j->where);
        j->order_cap = 0;
        j->order = malloc(n * sizeof *j->order);
        j->where = malloc(n * sizeof *j->where);
        if (!j->order || !j->where)
            return 0;
        j->order_cap = n;
    }
    uint32_t count[(size_t)1 << BUCKET_BITS] = {0};
    for (size_t i = 0; i < n; i++)
        count[j->items[i].h >> (64 - BUCKET_BITS)]++;
    uint32_t at = 0;
    for (size_t b = 0; b < nb; b++) {
        uint32_t c = count[b];
        count[b] = at;
        at += c;
    }
    for (size_t i = 0; i < n; i++)
        j->order[count[j->items[i].h >> (64 - BUCKET_BITS)]++] = (uint32_t)i;
    return 1;
}

static void parse_job(job *j)
{
    j->nrows = 0;
    j->alen = 0;
    j->accepted = 0;
    j->id_bytes = 0;
    j->id_twice = 0;
    j->nitems = 0;
    j->nfar = 0;
    j->replay = 0;
    tix_cube_free(j->mini);
    j->mini = NULL;
    /* A block's mini cube holds a pair for nearly every (period, cell) of
     * the dump when dates are unsorted; with replicate groups (1.3 KB a
     * pair with logs) that is tens of MB a block in flight: such rows are
     * replayed into the cube by the applying thread instead. So are those
     * of a block cut while the cubes of the blocks before had about a pair
     * a row (by_rows): merging such a cube costs what adding its rows does,
     * after the worker has paid as much to make it. */
    if (!j->opts.ci_groups && !j->by_rows) {
        size_t cd = j->schema.nrequired < j->schema.ndims ? j->schema.nrequired : 0;
        tix_cube_opts co = {j->opts.period, j->opts.cell_stats, 0, 0, NULL, j->opts.by,
                            j->opts.ci_groups, cd};
        if (tix_cube_new(&j->mini, &co) != TIX_OK) {
            j->replay = 1;
            return;
        }
        cube_sketch_defer(j->mini); /* sketched at once, below */
    }
    tix_reader_reset(j->reader);
    tix_reader_set_callback(j->reader, on_job_row, j);
    tix_reader_unread_fields(j->reader, engine_unread_fields(&j->schema));
    j->st = tix_reader_feed(j->reader, j->data, j->len);
    if (j->mini && !j->replay && cube_sketch_settle(j->mini) != TIX_OK)
        j->replay = 1; /* no memory to sketch: read serially */
    if (j->opts.dedup && j->mini && !j->replay) {
        if (!list_ids(j))
            j->replay = 1; /* no memory for the list: read serially */
        else
            j->id_twice = id_twice(j);
    }
}

/* Runs one queued job if there is one; called with the lock held. */
static int run_one(par *p)
{
    for (uint64_t k = p->applied; k < p->produced; k++) {
        job *j = &p->jobs[k % NBLOCKS];
        if (j->state != JOB_QUEUED)
            continue;
        j->state = JOB_RUNNING;
        pthread_mutex_unlock(&p->mu);
        parse_job(j);
        pthread_mutex_lock(&p->mu);
        j->state = JOB_DONE;
        pthread_cond_broadcast(&p->cv);
        return 1;
    }
    return 0;
}

static void *work(void *arg)
{
    par *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        if (!run_one(p))
            pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* ---- taking and applying blocks (this thread) ----------------------------- */

/* Puts the previous tail in front of block j and cuts j at its last LF;
 * what follows that LF becomes the next tail. A block without any LF is
 * all tail-and-block, to be read serially. */
static int take_block(par *p, job *j, int header_known)
{
    char *start = (char *)j->mem + BLOCK_HEAD;
    size_t n = j->filled;
    size_t cut = n;
    while (cut > 0 && start[cut - 1] != '\n')
        cut--;
    free(j->heap);
    j->heap = NULL;
    if (p->tail_len <= BLOCK_HEAD) {
        j->data = start - p->tail_len;
        memcpy((char *)j->data, p->tail, p->tail_len);
    } else {
        if (!(j->heap = malloc(p->tail_len + n)))
            return 0;
        memcpy(j->heap, p->tail, p->tail_len);
        memcpy(j->heap + p->tail_len, start, n);
        j->data = j->heap;
    }
    if (cut == 0) { /* no LF: nothing to guess at, read it all serially */
        j->len = p->tail_len + n;
        p->tail_len = 0;
        j->state = JOB_SERIAL;
        return 1;
    }
    j->len = p->tail_len + cut;
    memcpy(p->tail, start + cut, n - cut); /* the tail buffer holds a whole block */
    p->tail_len = n - cut;
    /* Until the header is known the rows cannot be classified: serial.
     * Once it is, the applying thread no longer writes the schema. */
    j->state = header_known ? JOB_QUEUED : JOB_SERIAL;
    if (header_known) {
        j->schema = *engine_schema(p->e);
        j->opts = *engine_opts(p->e);
    }
    return 1;
}

static const char *row_raw(const job *j, const job_row *r)
{
    return (r->raw_in_data ? j->data : j->arena) + r->raw;
}

/* With dedup, the block's sums in j->mini and its accepted rows' ids all new:
 * merges the sums and adds the ids, then applies the rejected rows. *done
 * = 0 when the rows must go one by one instead (a duplicate, or no room
 * that can be seen in advance), nothing changed. */
static tix_status apply_new_ids(tix_engine *e, job *j, uint64_t base, int *done)
{
    enum { AHEAD = 16 }; /* table slots fetched this many ids ahead */
    tix_idset *ids = engine_ids(e);
    *done = 0;
    if (j->id_twice)
        return TIX_OK;
    /* In the order of their slots: the table is walked forward. Staged,
     * the ids are in the table but not yet in the set: a block with an id
     * seen before, or whose merge does not go through, takes them out. */
    const tix_idset_item *it = j->items;
    const uint32_t *order = j->order;
    size_t n = j->nitems;
    int present = 0;
    tix_status st = tix_idset_stage(ids, it, n, order, j->where, &present);
    int staged = st == TIX_OK;
    if (st != TIX_OK) { /* the table must grow first: look up, add later */
        for (size_t k = 0; k < n && k < AHEAD; k++)
            tix_idset_prefetch(ids, it[order[k]].h);
        for (size_t k = 0; k < n && !present; k++) {
            if (k + AHEAD < n)
                tix_idset_prefetch(ids, it[order[k + AHEAD]].h);
            const tix_idset_item *t = &it[order[k]];
            present = tix_idset_has_hashed(ids, t->p, t->n, t->h);
        }
    }
    if (present)
        return TIX_OK;
    /* The serial path would add ids and sums row by row: at its end it holds
     * what the merge and the adds will, and before it never more (the set's
     * room is an upper bound), so if both fit the budget together, it would
     * not have failed on any row either. */
    tix_budget *b = engine_budget(e);
    size_t room = tix_idset_room(ids, n, j->id_bytes);
    st = tix_budget_take(b, room);
    if (st == TIX_OK) {
        st = engine_commit_block(e, j->mini, j->accepted, base + 1);
        tix_budget_give(b, room);
    } else {
        st = TIX_E_LIMIT;
    }
    if (st == TIX_E_LIMIT || st == TIX_E_OVERFLOW) { /* nothing was applied */
        if (staged)
            tix_idset_abort(ids, j->where);
        return TIX_OK;
    }
    *done = 1;
    if (st == TIX_OK)
        st = staged ? tix_idset_commit(ids, it, j->where) : tix_idset_add_new(ids, it, n, order);
    else if (staged)
        tix_idset_abort(ids, j->where);
    if (st != TIX_OK) /* the room was there: only an allocation failed */
        return engine_fail(e, st, base + 1, "%s", tix_strerror(st));
    for (size_t i = 0; i < j->nrows; i++) {
        const job_row *r = &j->rows[i];
        if (r->why == TIX_REASON_NONE)
            continue;
        row_out o = {.line = base + r->line, .why = r->why, .raw = row_raw(j, r),
                     .raw_len = r->raw_len};
        st = engine_commit(e, &o);
        if (st != TIX_OK)
            return st;
    }
    return TIX_OK;
}

/* The engine's reader has consumed everything applied so far: a block
 * goes through it serially, or the worker's rows are applied and the
 * worker's reader, which stands where the input then stands, replaces it. */
static tix_status apply(par *p, job *j)
{
    tix_engine *e = p->e;
    const tix_engine_opts *opts = engine_opts(e);
    engine_count_bytes(e, j->filled);
    j->fell_back = 0;
    if (opts->progress)
        opts->progress(opts->progress_ctx, j->src_bytes);
    if (j->state == JOB_SERIAL || !tix_reader_at_record_start(engine_reader(e)) || j->replay)
        return engine_feed_rows(e, j->data, j->len);
    /* The guess held: the worker's rows are the rows, from this line on. */
    uint64_t base = engine_lines(e);
    if (j->mini && opts->dedup) {
        int done;
        tix_status st = apply_new_ids(e, j, base, &done);
        if (st != TIX_OK)
            return st;
        if (done)
            goto rows_applied;
        j->fell_back = 1;
        if (!j->keep_rows) /* nothing was applied; the rows were not kept */
            return engine_feed_rows(e, j->data, j->len);
    } else if (j->mini) {
        tix_status st = engine_commit_block(e, j->mini, j->accepted, base + 1);
        if (st == TIX_E_LIMIT || st == TIX_E_OVERFLOW)
            return engine_feed_rows(e, j->data, j->len); /* nothing was applied */
        if (st != TIX_OK)
            return st;
    }
    /* Rows whose sums are not in a cube of the block's own land all over
     * the cube: 2 AHEAD rows ahead the cell is found and the dense index's
     * line that names the pair fetched, AHEAD rows ahead the pair's lines,
     * AHEAD / 2 rows ahead the lines of its sketch that the row adds to,
     * and the cell found is handed to the row (hint[i % (2 AHEAD)]). */
    enum { AHEAD = 8 };
    tix_cube *cube = j->by_rows ? tix_engine_cube(e) : NULL;
    uint32_t hint[2 * AHEAD] = {0};
    int sketches = cube && STATS_KIND(cube);
    if (j->by_rows)
        engine_count_block_by_rows(e);
    for (size_t i = 0; cube && i < 2 * AHEAD && i < j->nrows; i++) {
        const job_row *a = &j->rows[i];
        if (a->why == TIX_REASON_NONE)
            hint[i] = cube_prefetch_slot(cube, a->day, j->arena + a->cell, a->cell_len);
    }
    for (size_t i = 0; i < j->nrows; i++) {
        const job_row *r = &j->rows[i];
        uint32_t mine = hint[i % (2 * AHEAD)];
        hint[i % (2 * AHEAD)] = 0;
        if (cube && i + 2 * AHEAD < j->nrows && j->rows[i + 2 * AHEAD].why == TIX_REASON_NONE) {
            const job_row *a = &j->rows[i + 2 * AHEAD];
            hint[i % (2 * AHEAD)] =
                cube_prefetch_slot(cube, a->day, j->arena + a->cell, a->cell_len);
        }
        if (cube && i + AHEAD < j->nrows)
            cube_prefetch_pair(cube, j->rows[i + AHEAD].day, hint[(i + AHEAD) % (2 * AHEAD)]);
        if (sketches && i + AHEAD / 2 < j->nrows) {
            const job_row *a = &j->rows[i + AHEAD / 2];
            cube_prefetch_sketch(cube, a->day, hint[(i + AHEAD / 2) % (2 * AHEAD)], a->value);
        }
        row_out o = {base + r->line,    r->why,           r->day,
                     r->value,          j->arena + r->id, j->arena + r->cell,
                     row_raw(j, r),     r->id_len,        r->cell_len,
                     r->raw_len,        r->id_hash,       mine};
        tix_status st = engine_commit(e, &o);
        if (st != TIX_OK)
            return st;
    }
rows_applied:
    if (j->st != TIX_OK)
        return engine_reader_failed(e, j->reader, base, j->st);
    j->reader = engine_swap_reader(e, j->reader, base); /* the old one parses later blocks */
    return TIX_OK;
}

tix_status engine_run_parallel(tix_engine *e, tix_source *src, tix_status *engine_st)
{
    par p;
    memset(&p, 0, sizeof p);
    p.e = e;
    p.src = src;
    *engine_st = TIX_OK;
    /* The reading thread parses too; more workers than blocks in flight
     * would idle. */
    unsigned threads = engine_opts(e)->threads;
    unsigned nworkers = threads > 1 ? threads - 1 : 0;
    if (nworkers > NBLOCKS - 1)
        nworkers = NBLOCKS - 1;
    pthread_t reader_thread, *workers = calloc(nworkers ? nworkers : 1, sizeof *workers);
    tix_status st = TIX_OK;
    int ok = workers && (p.tail = malloc(BLOCK_BYTES)) != NULL;
    tix_reader_opts ro = *tix_reader_limits(engine_reader(e));
    for (int i = 0; ok && i < NBLOCKS; i++) {
        ok = (p.jobs[i].mem = malloc(BLOCK_HEAD + BLOCK_BYTES)) != NULL &&
             tix_reader_new(&p.jobs[i].reader, &ro, on_job_row, &p.jobs[i]) == TIX_OK;
    }
    unsigned started = 0;
    int reading = 0;
    if (ok && pthread_mutex_init(&p.mu, NULL) == 0) {
        if (pthread_cond_init(&p.cv, NULL) == 0) {
            reading = pthread_create(&reader_thread, NULL, read_blocks, &p) == 0;
            while (reading && started < nworkers &&
                   pthread_create(&workers[started], NULL, work, &p) == 0)
                started++;
            if (!reading)
                pthread_cond_destroy(&p.cv);
        }
        if (!reading)
            pthread_mutex_destroy(&p.mu);
    }
    if (!reading) {
        /* No threads (or no memory for them): the serial path does it all. */
        for (int i = 0; i < NBLOCKS; i++) {
            tix_reader_free(p.jobs[i].reader);
            free(p.jobs[i].mem);
        }
        free(p.tail);
        free(workers);
        return engine_run_serial(e, src, engine_st);
    }

    pthread_mutex_lock(&p.mu);
    for (;;) {
        /* Apply, in order, whatever is ready. */
        job *next = &p.jobs[p.applied % NBLOCKS];
        if (p.applied < p.produced && (next->state == JOB_DONE || next->state == JOB_SERIAL)) {
            pthread_mutex_unlock(&p.mu);
            *engine_st = apply(&p, next);
            pthread_mutex_lock(&p.mu);
            next->state = JOB_NONE;
            p.keep_rows = next->fell_back;
            if (next->mini && next->accepted >= SPARSE_MIN_ROWS)
                p.by_rows = next->mini->npairs * SPARSE_ROWS_PER_PAIR > next->accepted
                                ? SPARSE_SKIP
                                : 0;
            p.applied++;
            p.header_known = engine_schema(e) != NULL;
            pthread_cond_broadcast(&p.cv);
            if (*engine_st != TIX_OK)
                break;
            continue;
        }
        if (p.read_done && p.applied == p.produced) {
            if (p.take_failed)
                *engine_st = engine_fail(e, TIX_E_NOMEM, 0, "out of memory");
            break;
        }
        /* Parse here only once inflating is over (or no worker started). */
        if (!((p.read_done || started == 0) && run_one(&p)))
            pthread_cond_wait(&p.cv, &p.mu);
    }
    st = p.read_st;
    p.stop = 1;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    pthread_join(reader_thread, NULL);
    for (unsigned i = 0; i < started; i++)
        pthread_join(workers[i], NULL);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);

    /* The last bytes, after the last LF, go through the engine's reader,
     * which tix_engine_end then finishes. */
    if (*engine_st == TIX_OK && st == TIX_OK && p.tail_len > 0)
        *engine_st = engine_feed_rows(e, p.tail, p.tail_len);
    /* Readers swapped out of the engine sit in job slots. */
    for (int i = 0; i < NBLOCKS; i++) {
        tix_reader_free(p.jobs[i].reader);
        free(p.jobs[i].key.buf);
        free(p.jobs[i].mem);
        free(p.jobs[i].heap);
        free(p.jobs[i].rows);
        free(p.jobs[i].arena);
        free(p.jobs[i].seen);
        free(p.jobs[i].items);
        free(p.jobs[i].order);
        free(p.jobs[i].where);
        free(p.jobs[i].far);
        tix_cube_free(p.jobs[i].mini);
    }
    free(p.tail);
    free(workers);
    return st;
}
