/* Engine internals shared by engine.c (the serial path and the public API)
 * and engine_par.c (the parallel driver). Not installed. */
#ifndef TECHIDX_ENGINE_INTERNAL_H
#define TECHIDX_ENGINE_INTERNAL_H

#include "techidx/engine.h"
#include "techidx/reader.h"
#include "techidx/source.h"

/* The callback context of a reader whose rows are applied at once; its
 * line 1 is global line base + 1. */
typedef struct direct_ctx {
    tix_engine *e;
    uint64_t base;
} direct_ctx;

struct tix_engine {
    tix_engine_opts opts;
    tix_reject_fn on_reject;
    void *ctx;
    tix_reader *reader; /* tix_engine_feed's reader */
    direct_ctx direct;  /* its callback context (base 0) */
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

/* One data row, decided (classify) and then applied (commit). Pointers are
 * borrowed for the call. */
typedef struct row_out {
    uint64_t line; /* global */
    tix_reason why;
    int32_t day;
    int64_t value; /* the measure, cents */
    const char *id, *cell, *raw;
    size_t id_len, cell_len, raw_len;
} row_out;

/* Pure: reads only the schema and options given (workers pass their own
 * copies, off the cache lines the committing thread writes). Sets
 * everything but line. */
void engine_classify(const tix_schema *schema, const tix_engine_opts *opts, const tix_row *row,
                     row_out *out);

/* Applies a classified row in input order: counts, the reject callback,
 * dedup, the cube. Returns TIX_OK or the engine's (now recorded) error. */
tix_status engine_commit(tix_engine *e, const row_out *o);

/* The row callback of a direct reader (ctx: direct_ctx). */
tix_status engine_on_row(void *ctx, const tix_row *row);

/* Records a reader failure st at the reader's line (plus base). */
tix_status engine_reader_failed(tix_engine *e, const tix_reader *r, uint64_t base, tix_status st);

/* Records an error; the first one wins. */
__attribute__((format(printf, 4, 5))) tix_status engine_fail(tix_engine *e, tix_status st,
                                                             uint64_t line, const char *fmt, ...);

/* Reads src to its end through tix_engine_feed on this thread. Returns the
 * source's status; *engine_st gets the engine's. */
tix_status engine_run_serial(tix_engine *e, tix_source *src, tix_status *engine_st);

/* The parallel driver for one opened source (engine_par.c): parses blocks
 * on opts.threads threads and applies them in input order, with the same
 * result as the serial path. Returns the source's status (TIX_OK at a clean
 * end, the engine's error otherwise); *engine_st gets the engine's. */
tix_status engine_run_parallel(tix_engine *e, tix_source *src, tix_status *engine_st);

#endif
