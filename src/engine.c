#include "techidx/engine.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "techidx/reader.h"
#include "techidx/source.h"

#define CHUNK (256u * 1024u)

struct tix_engine {
    tix_engine_opts opts;
    tix_reject_fn on_reject;
    void *ctx;
    tix_reader *reader;
    tix_cube *cube;
    tix_idset *ids; /* dedup only */
    tix_budget budget;
    tix_schema schema;
    int have_header;
    int in_input;
    char *input;
    tix_counts counts;
    tix_error err;
    unsigned char *chunk;
};

const char *tix_measure_name(tix_measure m)
{
    return m == TIX_MEASURE_AMOUNT ? "amount" : m == TIX_MEASURE_TECH_AMOUNT ? "tech_amount" : "?";
}

tix_status tix_measure_parse(const char *name, tix_measure *m)
{
    if (strcmp(name, "tech_amount") == 0)
        *m = TIX_MEASURE_TECH_AMOUNT;
    else if (strcmp(name, "amount") == 0)
        *m = TIX_MEASURE_AMOUNT;
    else
        return TIX_E_INVALID;
    return TIX_OK;
}

static tix_status fail(tix_engine *e, tix_status st, uint64_t line, const char *fmt, ...)
{
    if (e->err.status != TIX_OK)
        return e->err.status; /* keep the first, root cause */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err.message, sizeof e->err.message, fmt, ap);
    va_end(ap);
    e->err.status = st;
    e->err.input = e->input ? e->input : "";
    e->err.line = line;
    return st;
}

static tix_status reject(tix_engine *e, const tix_row *row, tix_reason why)
{
    e->counts.rejected++;
    e->counts.by_reason[why]++;
    if (!e->on_reject)
        return TIX_OK;
    tix_reject rj = {e->input, row->line, why, row->raw, row->raw_len};
    tix_status st = e->on_reject(e->ctx, &rj);
    if (st != TIX_OK)
        return fail(e, st, row->line, "reject handler failed: %s", tix_strerror(st));
    return TIX_OK;
}

static tix_status on_row(void *ctx, const tix_row *row)
{
    tix_engine *e = ctx;
    if (e->err.status != TIX_OK)
        return e->err.status;
    if (!e->have_header) {
        char msg[256];
        tix_status st = tix_schema_resolve(&e->schema, row->fields, row->nfields, e->opts.dimension,
                                           e->opts.maps, e->opts.nmaps, msg, sizeof msg);
        if (st != TIX_OK)
            return fail(e, st, row->line, "%s", msg);
        e->have_header = 1;
        return TIX_OK;
    }
    e->counts.read++;
    if (row->flags & TIX_ROW_UNTERMINATED_QUOTE)
        return reject(e, row, TIX_REASON_UNTERMINATED_QUOTE);
    tix_record rec;
    tix_reason why = tix_record_parse(&e->schema, row->fields, row->nfields, &rec);
    if (why != TIX_REASON_NONE)
        return reject(e, row, why);
    if (e->opts.has_range && (rec.day < e->opts.from_day || rec.day > e->opts.to_day))
        return reject(e, row, TIX_REASON_OUT_OF_RANGE);
    tix_status st = TIX_OK;
    if (e->ids) {
        int added;
        st = tix_idset_add(e->ids, rec.id.ptr, rec.id.len, &added);
        if (st == TIX_OK && !added)
            return reject(e, row, TIX_REASON_DUPLICATE_ID);
    }
    int64_t v = e->opts.measure == TIX_MEASURE_AMOUNT ? rec.amount : rec.tech_amount;
    if (st == TIX_OK)
        st = tix_cube_add(e->cube, rec.day, rec.cell.ptr, rec.cell.len, v);
    switch (st) {
    case TIX_OK:
        e->counts.accepted++;
        return TIX_OK;
    case TIX_E_OVERFLOW:
        return fail(e, st, row->line, "a sum of amounts exceeds the int64 range of cents");
    case TIX_E_LIMIT:
        if (tix_cube_ncells(e->cube) >= e->opts.max_cells)
            return fail(e, st, row->line,
                        "more than %zu distinct values of the --by column (raise --max-cells)",
                        e->opts.max_cells);
        return fail(e, st, row->line,
                    "memory limit of %zu MiB reached by the aggregates%s (raise --max-memory)",
                    e->budget.limit >> 20, e->ids ? " and the --dedup id set" : "");
    default:
        return fail(e, st, row->line, "%s", tix_strerror(st));
    }
}

tix_status tix_engine_new(tix_engine **out, const tix_engine_opts *opts, tix_reject_fn on_reject,
                          void *ctx)
{
    *out = NULL;
    if (!opts || (unsigned)opts->dimension >= TIX_COL_COUNT ||
        opts->dimension == TIX_COL_CONTRACT_ID || opts->dimension == TIX_COL_SIGNED_ON ||
        opts->dimension == TIX_COL_AMOUNT || opts->dimension == TIX_COL_TECH_AMOUNT)
        return TIX_E_INVALID;
    tix_engine *e = calloc(1, sizeof *e);
    if (!e)
        return TIX_E_NOMEM;
    e->opts = *opts;
    e->on_reject = on_reject;
    e->ctx = ctx;
    if (!e->opts.max_cells)
        e->opts.max_cells = 100000;
    e->budget.limit = opts->max_memory ? opts->max_memory : TIX_ENGINE_MAX_MEMORY;
    tix_reader_opts ro = {opts->max_record_bytes, opts->max_fields};
    tix_cube_opts co = {opts->period, opts->cell_stats, e->opts.max_cells, opts->max_pairs,
                        &e->budget};
    tix_status st = tix_reader_new(&e->reader, &ro, on_row, e);
    if (st == TIX_OK)
        st = tix_cube_new(&e->cube, &co);
    if (st == TIX_OK && opts->dedup)
        st = tix_idset_new(&e->ids, &e->budget);
    if (st == TIX_OK && !(e->chunk = malloc(CHUNK)))
        st = TIX_E_NOMEM;
    if (st != TIX_OK) {
        tix_engine_free(e);
        return st;
    }
    e->err.input = "";
    *out = e;
    return TIX_OK;
}

tix_status tix_engine_begin(tix_engine *e, const char *name)
{
    if (e->err.status != TIX_OK)
        return e->err.status;
    if (e->in_input)
        return TIX_E_INVALID;
    free(e->input);
    e->input = malloc(strlen(name) + 1);
    if (!e->input)
        return fail(e, TIX_E_NOMEM, 0, "out of memory");
    strcpy(e->input, name);
    e->in_input = 1;
    e->have_header = 0;
    return TIX_OK;
}

/* Turns a reader status into the engine's error (callback errors are
 * already recorded). */
static tix_status reader_status(tix_engine *e, tix_status st)
{
    if (st == TIX_OK || e->err.status != TIX_OK)
        return st == TIX_OK ? TIX_OK : e->err.status;
    uint64_t line = tix_reader_line(e->reader);
    const tix_reader_opts *lim = tix_reader_limits(e->reader);
    if (st == TIX_E_LIMIT && tix_reader_limit_hit(e->reader) == TIX_READER_LIMIT_FIELDS)
        return fail(e, st, line, "record with more than %zu fields (raise --max-fields)",
                    lim->max_fields);
    if (st == TIX_E_LIMIT)
        return fail(e, st, line, "record longer than %zu bytes (raise --max-record-bytes)",
                    lim->max_record_bytes);
    return fail(e, st, line, "%s", tix_strerror(st));
}

tix_status tix_engine_feed(tix_engine *e, const void *buf, size_t len)
{
    if (e->err.status != TIX_OK)
        return e->err.status;
    if (!e->in_input)
        return TIX_E_INVALID;
    e->counts.bytes += len;
    return reader_status(e, tix_reader_feed(e->reader, buf, len));
}

tix_status tix_engine_end(tix_engine *e)
{
    if (!e->in_input)
        return e->err.status != TIX_OK ? e->err.status : TIX_E_INVALID;
    e->in_input = 0;
    tix_status st = reader_status(e, tix_reader_finish(e->reader));
    if (st != TIX_OK)
        return st;
    if (!e->have_header)
        return fail(e, TIX_E_HEADER, 1, "empty input: no header row");
    e->counts.inputs++;
    return TIX_OK;
}

/* Reading and decompressing on a second thread while this one parses: a
 * ring of buffers between them, filled in order and taken in order, so the
 * bytes parsed are exactly the bytes read. */
#define PIPE_BUFS 4
#define PIPE_BUF_BYTES ((size_t)1 << 20)

typedef struct pipeline {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    tix_source *src;
    unsigned char *buf[PIPE_BUFS];
    size_t len[PIPE_BUFS];
    size_t head, count; /* next to parse, buffers ready */
    int done;           /* the reader has stopped: end of input or error */
    int stop;           /* the parser gave up: stop reading */
    tix_status status;  /* the reader's status when done */
} pipeline;

/* Fills one buffer as far as the source allows. */
static tix_status fill(tix_source *src, unsigned char *b, size_t *len)
{
    size_t n = 0;
    while (n < PIPE_BUF_BYTES) {
        size_t got;
        tix_status st = tix_source_read(src, b + n, PIPE_BUF_BYTES - n, &got);
        if (st != TIX_OK)
            return st;
        if (got == 0)
            break;
        n += got;
    }
    *len = n;
    return TIX_OK;
}

static void *pipe_reader(void *arg)
{
    pipeline *pl = arg;
    pthread_mutex_lock(&pl->mu);
    for (;;) {
        while (pl->count == PIPE_BUFS && !pl->stop)
            pthread_cond_wait(&pl->cv, &pl->mu);
        if (pl->stop)
            break;
        size_t slot = (pl->head + pl->count) % PIPE_BUFS;
        pthread_mutex_unlock(&pl->mu);
        size_t len = 0;
        /* The slot is free until count says otherwise: no lock needed. */
        tix_status st = fill(pl->src, pl->buf[slot], &len);
        pthread_mutex_lock(&pl->mu);
        if (st != TIX_OK || len == 0) {
            pl->status = st;
            break;
        }
        pl->len[slot] = len;
        pl->count++;
        pthread_cond_broadcast(&pl->cv);
    }
    pl->done = 1;
    pthread_cond_broadcast(&pl->cv);
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

/* Pipelined read: returns the source status (TIX_OK at a clean end) and
 * *feed_st the parser's. */
static tix_status run_pipeline(tix_engine *e, tix_source *src, tix_status *feed_st)
{
    pipeline pl;
    memset(&pl, 0, sizeof pl);
    pl.src = src;
    *feed_st = TIX_OK;
    for (int i = 0; i < PIPE_BUFS; i++)
        if (!(pl.buf[i] = malloc(PIPE_BUF_BYTES))) {
            for (int k = 0; k < i; k++)
                free(pl.buf[k]);
            return TIX_E_NOMEM;
        }
    pthread_t th;
    int threaded = pthread_mutex_init(&pl.mu, NULL) == 0;
    if (threaded && pthread_cond_init(&pl.cv, NULL) != 0) {
        pthread_mutex_destroy(&pl.mu);
        threaded = 0;
    }
    if (threaded && pthread_create(&th, NULL, pipe_reader, &pl) != 0) {
        pthread_cond_destroy(&pl.cv);
        pthread_mutex_destroy(&pl.mu);
        threaded = 0;
    }
    tix_status st = TIX_OK;
    if (!threaded) { /* no thread to be had: read in turn */
        for (;;) {
            size_t len;
            st = fill(src, pl.buf[0], &len);
            if (st != TIX_OK || len == 0)
                break;
            if ((*feed_st = tix_engine_feed(e, pl.buf[0], len)) != TIX_OK)
                break;
        }
    } else {
        pthread_mutex_lock(&pl.mu);
        for (;;) {
            while (pl.count == 0 && !pl.done)
                pthread_cond_wait(&pl.cv, &pl.mu);
            if (pl.count == 0) {
                st = pl.status;
                break;
            }
            size_t slot = pl.head;
            pthread_mutex_unlock(&pl.mu);
            *feed_st = tix_engine_feed(e, pl.buf[slot], pl.len[slot]);
            pthread_mutex_lock(&pl.mu);
            if (*feed_st != TIX_OK) {
                pl.stop = 1;
                pthread_cond_broadcast(&pl.cv);
                break;
            }
            pl.head = (pl.head + 1) % PIPE_BUFS;
            pl.count--;
            pthread_cond_broadcast(&pl.cv);
        }
        pthread_mutex_unlock(&pl.mu);
        pthread_join(th, NULL);
        pthread_cond_destroy(&pl.cv);
        pthread_mutex_destroy(&pl.mu);
    }
    for (int i = 0; i < PIPE_BUFS; i++)
        free(pl.buf[i]);
    return st;
}

tix_status tix_engine_add_file(tix_engine *e, const char *path)
{
    char msg[256];
    tix_source *src;
    tix_status st = tix_engine_begin(e, path);
    if (st != TIX_OK)
        return st;
    st = tix_source_open(&src, path, msg, sizeof msg);
    if (st == TIX_OK && tix_source_set_inflate(src, e->opts.inflate) != TIX_OK) {
        tix_source_free(src);
        snprintf(msg, sizeof msg, "inflate back end %s is not in this build",
                 tix_inflate_name(e->opts.inflate));
        st = TIX_E_INVALID;
    }
    if (st != TIX_OK) {
        e->in_input = 0;
        return fail(e, st, 0, "%s", msg);
    }
    tix_status feed_st = TIX_OK;
    if (e->opts.threads > 1) {
        st = run_pipeline(e, src, &feed_st);
    } else {
        for (;;) {
            size_t got;
            st = tix_source_read(src, e->chunk, CHUNK, &got);
            if (st != TIX_OK || got == 0)
                break;
            if ((feed_st = tix_engine_feed(e, e->chunk, got)) != TIX_OK)
                break;
        }
    }
    if (feed_st != TIX_OK) {
        st = feed_st;
        e->in_input = 0;
        tix_reader_finish(e->reader);
    } else if (st != TIX_OK) {
        /* The source failed: the file is bad as a whole. The error goes in
         * first, so the reader's reset cannot deliver the cut-off record at
         * the end of the last chunk as a row. */
        st = fail(e, st, 0, "%s", st == TIX_E_NOMEM ? "out of memory" : tix_source_error(src));
        e->in_input = 0;
        tix_reader_finish(e->reader);
    } else {
        st = tix_engine_end(e);
    }
    tix_source_free(src);
    return st;
}

tix_cube *tix_engine_cube(tix_engine *e) { return e->cube; }

const tix_counts *tix_engine_counts(const tix_engine *e) { return &e->counts; }

const tix_error *tix_engine_error(const tix_engine *e) { return &e->err; }

void tix_engine_free(tix_engine *e)
{
    if (!e)
        return;
    tix_reader_free(e->reader);
    tix_idset_free(e->ids);
    tix_cube_free(e->cube);
    free(e->input);
    free(e->chunk);
    free(e);
}
