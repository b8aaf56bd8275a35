/* The engine's internal interface. Not installed.
 *
 * Calls go one way, down this list, never back up:
 *   engine_file.c  tix_engine_add_file: opens a source and reads it
 *                  serially or in parallel;
 *   engine_par.c   the parallel reader (engine_run_parallel);
 *   engine.c       the engine: the public push API, the serial reader,
 *                  and the functions below, through which alone the
 *                  others reach a tix_engine (its struct is engine.c's).
 * engine.c keeps the row accounting (counts_internal.h): rows are counted
 * only as engine_commit and engine_commit_block apply them. */
#ifndef TECHIDX_ENGINE_INTERNAL_H
#define TECHIDX_ENGINE_INTERNAL_H

#include "techidx/cube.h"
#include "techidx/engine.h"
#include "techidx/reader.h"
#include "techidx/source.h"

/* ---- engine.c, for engine_par.c and engine_file.c ------------------------ */

/* One data row, decided (classify) and then applied (commit). Pointers are
 * borrowed for the call. */
typedef struct row_out {
    uint64_t line; /* global */
    tix_reason why;
    int32_t day;
    int64_t value; /* the measure, cents */
    const char *id, *cell, *raw;
    size_t id_len, cell_len, raw_len;
    uint64_t id_hash; /* with dedup: tix_idset_hash of the id, by classify */
    uint32_t cell_hint; /* 0, or from cube_prefetch_slot on the engine's cube */
} row_out;

/* The options in force (defaults filled in). */
const tix_engine_opts *engine_opts(const tix_engine *e);

/* The schema of the current input once its header is read, else NULL.
 * It does not change again until the next input. */
const tix_schema *engine_schema(const tix_engine *e);

/* The fields of s's records that no part of an index run reads: neither a
 * column the schema knows nor a `by` dimension, and not the first (its BOM
 * is looked past). For tix_reader_unread_fields. */
uint64_t engine_unread_fields(const tix_schema *s);

/* Where the name of a cell of several dimensions is joined (its values
 * with TIX_DIM_SEP between); one per thread. Free buf. */
typedef struct engine_key {
    char *buf;
    size_t cap;
} engine_key;

/* Joins the n values into k; *name (borrowed from k until its next use)
 * and *len get the cell name. TIX_OK or TIX_E_NOMEM. */
tix_status engine_key_join(engine_key *k, const tix_field *dims, size_t n, const char **name,
                           size_t *len);

/* Pure but for key: reads only the schema and options given (workers pass
 * their own copies, off the cache lines the committing thread writes).
 * Sets everything but line; a cell of several dimensions is joined in key,
 * which it then borrows. TIX_OK or TIX_E_NOMEM. */
tix_status engine_classify(const tix_schema *schema, const tix_engine_opts *opts,
                           const tix_row *row, row_out *out, engine_key *key);

/* Applies a classified row in input order: counts, the reject callback,
 * dedup, the cube. Returns TIX_OK or the engine's (now recorded) error. */
tix_status engine_commit(tix_engine *e, const row_out *o);

/* Applies `rows` accepted rows at once, summed in advance into the cube
 * sums, the first on global line `line` (with dedup, only rows whose ids
 * the caller has checked to be new, and adds after). Returns TIX_OK; TIX_E_LIMIT or TIX_E_OVERFLOW
 * with nothing changed and nothing recorded (the rows can still be applied
 * one by one, which says where); or another, recorded, error. */
tix_status engine_commit_block(tix_engine *e, const tix_cube *sums, uint64_t rows, uint64_t line);

/* With dedup: the id set (else NULL), and the budget it and the cube take
 * from, for applying a block of rows at once (engine_par.c). */
tix_idset *engine_ids(tix_engine *e);
tix_budget *engine_budget(tix_engine *e);

/* The blocks that engine_par.c chose to apply row by row, their pairs
 * too many for a cube of their own (SPARSE_* there): counted for tests. */
void engine_count_block_by_rows(tix_engine *e);
uint64_t engine_blocks_by_rows(const tix_engine *e);

/* Counts n bytes of the current input as read. */
void engine_count_bytes(tix_engine *e, uint64_t n);

/* The engine's reader: it has consumed everything applied so far, and
 * engine_lines(e) lines of the current input. */
const tix_reader *engine_reader(const tix_engine *e);
uint64_t engine_lines(const tix_engine *e);

/* Feeds bytes through the engine's reader, applying its rows (no bytes
 * counted). Returns TIX_OK or the engine's (now recorded) error. */
tix_status engine_feed_rows(tix_engine *e, const void *buf, size_t len);

/* Makes r, which stands where the input stands (its line 1 is global line
 * base + 1), the engine's reader, its rows applied from now on; returns
 * the one it replaces, now the caller's. */
tix_reader *engine_swap_reader(tix_engine *e, tix_reader *r, uint64_t base);

/* Records a failure st of reader r (whose line 1 is global line base + 1)
 * at its line. Returns the engine's error (TIX_OK when st is). */
tix_status engine_reader_failed(tix_engine *e, const tix_reader *r, uint64_t base, tix_status st);

/* Records an error; the first one wins. Returns the engine's error. */
__attribute__((format(printf, 4, 5))) tix_status engine_fail(tix_engine *e, tix_status st,
                                                             uint64_t line, const char *fmt, ...);

/* tix_source_read for the parallel reader: with an `encoding` other than
 * UTF-8, up to cap bytes of the file converted to UTF-8 (*got 0 only at
 * its end, or when cap has no room for a character); the engine's
 * converter is then the calling thread's until the input ends. Returns
 * the source's status. */
tix_status engine_source_read(tix_engine *e, tix_source *src, void *buf, size_t cap, size_t *got);

/* Reads src to its end through tix_engine_feed on this thread. Returns the
 * source's status; *engine_st gets the engine's. */
tix_status engine_run_serial(tix_engine *e, tix_source *src, tix_status *engine_st);

/* Ends the current input after a failure (already recorded), without
 * tix_engine_end: the reader is reset for the next one. */
void engine_abandon_input(tix_engine *e);

/* ---- engine_par.c, for engine_file.c -------------------------------------- */

/* The parallel reader for one opened source: parses blocks on
 * opts.threads threads and applies them in input order, with the same
 * result as the serial path (to which it falls back when it cannot start
 * threads). Returns the source's status (TIX_OK at a clean end, the
 * engine's error otherwise); *engine_st gets the engine's. */
tix_status engine_run_parallel(tix_engine *e, tix_source *src, tix_status *engine_st);

#endif
