/* The streaming engine: CSV bytes in, a cube out.
 *
 * One engine reads any number of inputs, one after another. For each input
 * the first record is the header; every later record is a data row that is
 * either accepted into the cube or rejected with a reason, so that for every
 * input rows read = accepted + rejected. Rejected rows go to the caller's
 * reject callback; the engine itself never prints. */
#ifndef TECHIDX_ENGINE_H
#define TECHIDX_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/api.h"
#include "techidx/base.h"
#include "techidx/budget.h"
#include "techidx/cube.h"
#include "techidx/idset.h"
#include "techidx/record.h"
#include "techidx/source.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TIX_ENGINE_MAX_MEMORY ((size_t)1 << 30)

/* The character encoding of the inputs. Other than UTF-8, each input is
 * converted to UTF-8 (glibc's iconv) before it is parsed: rows, rejects
 * and cells are those of its UTF-8 form, and a byte that starts no
 * character becomes 0xFF, so that its row is rejected as invalid_text. */
typedef enum tix_encoding {
    TIX_ENCODING_UTF8 = 0,
    TIX_ENCODING_GB18030 = 1,
    TIX_ENCODING_GBK = 2
} tix_encoding;

/* "utf-8", "gb18030", "gbk" ("?" for another value); parse takes those
 * names and returns TIX_OK or TIX_E_INVALID. */
TIX_API const char *tix_encoding_name(tix_encoding enc);
TIX_API tix_status tix_encoding_parse(const char *name, tix_encoding *enc);

/* Start from tix_engine_opts_init(), which fills the defaults written
 * below (those of `techidx run`, but for threads), then set what differs.
 * A zeroed struct is not the defaults: its period is TIX_PERIOD_DAY (the
 * period kinds keep their numbers: .tic files store them); its other zeros
 * do mean the defaults. */
typedef struct tix_engine_opts {
    tix_period_kind period; /* default TIX_PERIOD_WEEK (ISO 8601) */
    const char *by;         /* the cells: a --by list of 1 to TIX_MAX_DIMS columns
                               (record.h tix_dims_parse), copied; default (and NULL)
                               "sector" */
    tix_measure measure;    /* default TIX_MEASURE_TECH_AMOUNT */
    int cell_stats;         /* TIX_CUBE_STATS (for --cells) or TIX_CUBE_STATS_SUMS (winsorizing),
                               with the bit TIX_CUBE_STATS_LOGS (time-dummy); default 0 */
    const tix_header_map *maps; /* borrowed; must outlive the engine */
    size_t nmaps;
    int dedup;                /* reject a repeated contract_id (duplicate_id), keeping the
                                 first accepted one; costs memory (idset.h) */
    int has_range;            /* reject signed_on outside [from_day, to_day] (out_of_range) */
    int32_t from_day, to_day; /* day numbers (period.h) */
    size_t max_record_bytes;  /* default (and 0) TIX_READER_MAX_RECORD_BYTES (1 MiB) */
    size_t max_fields;        /* default (and 0) TIX_READER_MAX_FIELDS (10000) */
    size_t max_cells;         /* distinct cell names; default (and 0) TIX_CUBE_MAX_CELLS */
    size_t max_pairs;         /* default (and 0) TIX_CUBE_MAX_PAIRS */
    size_t max_memory;        /* bytes for the cube and the dedup set together;
                                 default (and 0) TIX_ENGINE_MAX_MEMORY (1 GiB) */
    unsigned threads;         /* tix_engine_add_file: >= 2 reads and inflates on a
                                 second thread while parsing (default 1, and 0: one
                                 thread; the command line takes the number of cores) */
    tix_inflate inflate;      /* gzip back end for tix_engine_add_file (default AUTO) */
    int delimiter;            /* between fields: ',' (default, and 0), ';' or '\t' */
    tix_encoding encoding;    /* of the inputs (default UTF8) */
    /* tix_engine_add_file calls progress(progress_ctx, bytes) with the
     * bytes of the file (as stored, compressed or not) read so far, from
     * the calling thread, every few MB and once at the end; NULL: never. */
    void (*progress)(void *ctx, uint64_t bytes);
    void *progress_ctx;
    /* tix_engine_add_file hands every byte of the file, as stored, to
     * tap(tap_ctx, ...) in order (tix_source_set_tap), so that a caller can
     * hash an input in the pass that aggregates it; NULL: none. */
    tix_source_tap tap;
    void *tap_ctx;
    /* How signed_on is read: NULL (the default) the automatic forms
     * (tix_date_parse_any), else only this pattern (tix_date_pattern_compile;
     * borrowed, compiled once by tix_engine_new, which refuses a bad one). */
    const char *date_format;
    tix_amount_unit amount_unit; /* of amount and tech_amount; default TIX_AMOUNT_YUAN */
    size_t ci_groups; /* replicate groups of the jackknife (`--ci`, cube.h
                         tix_replicate_group), 2..TIX_CUBE_MAX_REPLICATES; default 0:
                         none */
    const char *characteristics; /* a --by list of columns read beside `by` for the
                                    time dummy alone (its --hedonic beyond by), copied;
                                    the cube's columns are by's then those not in by
                                    (TIX_MAX_DIMS in all), its cells by's
                                    (tix_cube_cell_dims). They never reject a row:
                                    record.h tix_dims.required. Default NULL: none */
} tix_engine_opts;

/* Fills *o with the defaults written above. */
TIX_API void tix_engine_opts_init(tix_engine_opts *o);

/* Where and why the engine failed. */
typedef struct tix_error {
    tix_status status;
    const char *input; /* "" when not tied to an input */
    uint64_t line;     /* 0 when not tied to a line */
    char message[512];
} tix_error;

typedef struct tix_engine tix_engine;

/* Creates an engine; on_reject may be NULL. opts (and the maps it points
 * to) must stay valid while the engine lives. Returns TIX_OK, TIX_E_NOMEM
 * or TIX_E_INVALID (also a date_format that does not compile, or an
 * amount_unit out of range). */
TIX_API tix_status tix_engine_new(tix_engine **out, const tix_engine_opts *opts,
                                  tix_reject_fn on_reject, void *ctx);

/* Push interface: begin an input called `name` (copied), feed its bytes in
 * any chunks, end it. Returns TIX_OK or the error also kept in
 * tix_engine_error(): TIX_E_FORMAT (the first bytes are no CSV text: a
 * zip archive such as an .xlsx workbook, an .xls workbook, UTF-16 text;
 * they are held until 64 are there, or the input ends, to tell),
 * TIX_E_HEADER (no header, missing or doubled column),
 * TIX_E_LIMIT (a record, field count, cell count or the memory budget over
 * its limit; the message says which, and names the option that raises it
 * as status.h says), TIX_E_OVERFLOW, TIX_E_NOMEM, TIX_E_CSV, or the reject
 * callback's status. After an error the engine accepts no more input. */
TIX_API tix_status tix_engine_begin(tix_engine *e, const char *name);
TIX_API tix_status tix_engine_feed(tix_engine *e, const void *buf, size_t len);
TIX_API tix_status tix_engine_end(tix_engine *e);

/* Driver: reads a whole file ("-" = stdin), plain or gzip, through begin /
 * feed / end, on a second thread when opts.threads >= 2 (the result is the
 * same). Adds TIX_E_IO, TIX_E_GZIP and TIX_E_INVALID (an inflate back end
 * this build lacks) to the statuses above. */
TIX_API tix_status tix_engine_add_file(tix_engine *e, const char *path);

/* The cube so far (owned by the engine). Finalize it before reading. */
TIX_API tix_cube *tix_engine_cube(tix_engine *e);

/* The rows and bytes so far. Its bytes are those the CSV reader read:
 * decompressed and, with an `encoding` other than UTF-8, converted to
 * UTF-8, so that an input and its UTF-8 form count (and show in summaries
 * and .tic parts) the same. */
TIX_API const tix_counts *tix_engine_counts(const tix_engine *e);
TIX_API const tix_error *tix_engine_error(const tix_engine *e);

/* Frees e. Accepts NULL. */
TIX_API void tix_engine_free(tix_engine *e);

#ifdef __cplusplus
}
#endif
#endif
