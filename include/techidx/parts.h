/* Parts: cubes saved apart (.tic, tic.h) combined into one, as techidx
 * merge, index and publish do and the Python package's merge and load;
 * and the .tic meta of a cube an engine aggregated, which is how parts are
 * made.
 *
 * A tix_parts handle takes parts one at a time, from files or from memory,
 * each with a name for its messages. Every part is read and checked (tic.h),
 * checked to aggregate rows as the first part does (period, `by`, measure,
 * date range, statistics), and merged into one cube, exactly: any order of
 * the same parts gives the same cube. tix_parts_finish then refuses parts
 * that count the same input twice (the input names cube recorded), unless
 * allowed, and sorts the names.
 *
 * Failures are kept in the handle (tix_parts_error()): the status, the part
 * at fault and the part it cannot be combined with, and a message that
 * names options as `name` in backquotes, which a front end shows its own
 * way (tix_config_message, options.h). A front end prints
 *   NAME: MESSAGE                        when other is TIX_PARTS_NONE,
 *   NAME: cannot VERB with OTHER: MESSAGE otherwise,
 * with NAME and OTHER the parts' names and VERB its own ("merge",
 * "index"); just MESSAGE when part is TIX_PARTS_NONE too. */
#ifndef TECHIDX_PARTS_H
#define TECHIDX_PARTS_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/api.h"
#include "techidx/base.h"
#include "techidx/cube.h"
#include "techidx/engine.h"
#include "techidx/options.h"
#include "techidx/status.h"
#include "techidx/tic.h"
#include "techidx/write.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills *out with the .tic meta of cube, which an engine made with options
 * eo (dimension, measure, date range) read from the inputs names[0..n),
 * with the row accounting counts. The period and statistics are the
 * cube's. out->names is names itself: borrowed, not copied, so names must
 * outlive *out (do not pass *out to tix_tic_meta_free). */
TIX_API void tix_parts_describe(tix_tic_meta *out, const tix_engine_opts *eo, const tix_cube *cube,
                                const tix_counts *counts, char **names, size_t n);

/* Fills *out with what an index's JSON says of its data (write.h): this
 * library's version, m's input names (in m's order: tix_parts_finish
 * sorts them), its `by` column and measure, and its row accounting. The
 * strings and counts are m's: borrowed, valid while m is. The one way
 * run, index, publish and techidx-mpi describe a run. */
TIX_API void tix_parts_run_info(tix_run_info *out, const tix_tic_meta *m);

/* Start from tix_parts_opts_init(), which fills the defaults written below
 * (a zeroed struct means the same). */
typedef struct tix_parts_opts {
    size_t max_cells;  /* distinct cell names of the merged cube; 0 (default): TIX_CUBE_MAX_CELLS */
    size_t max_pairs;  /* (period, cell) pairs; 0 (default): TIX_CUBE_MAX_PAIRS */
    size_t max_memory; /* bytes for the merged cube; 0 (default): TIX_ENGINE_MAX_MEMORY;
                          SIZE_MAX: no limit */
    int allow_repeats; /* 1: parts may count the same input; default 0: refused */
} tix_parts_opts;

/* Fills *o with the defaults written above. */
TIX_API void tix_parts_opts_init(tix_parts_opts *o);

/* Fills *o from the options a config holds for merge or index (options.h:
 * `max-cells`, `max-memory`, `allow-repeats`). */
TIX_API void tix_parts_opts_from_config(tix_parts_opts *o, const tix_config *c);

/* part and other of a tix_parts_failure that concerns no part. */
#define TIX_PARTS_NONE ((size_t)-1)

typedef struct tix_parts_failure {
    tix_status status;  /* TIX_OK while nothing failed */
    size_t part;        /* the part at fault (0 for the first added), or TIX_PARTS_NONE */
    size_t other;       /* the part it cannot be combined with, or TIX_PARTS_NONE */
    char message[4608]; /* e.g. "they sum different amounts (`measure`)" */
} tix_parts_failure;

typedef struct tix_parts tix_parts;

/* Creates an empty handle (opts copied; NULL: the defaults). Returns
 * TIX_OK, TIX_E_NOMEM or TIX_E_INVALID. Free *out with tix_parts_free. */
TIX_API tix_status tix_parts_new(tix_parts **out, const tix_parts_opts *opts);

/* Adds the part in the .tic file at path ("-": stdin, read to its end),
 * named path in messages. Returns TIX_OK or the error also kept in
 * tix_parts_error(): TIX_E_IO (the file cannot be read), TIX_E_FORMAT
 * (not a .tic file, or damaged: the message says at which byte),
 * TIX_E_INVALID (it aggregates rows unlike the first part; other is 0),
 * TIX_E_LIMIT, TIX_E_OVERFLOW or TIX_E_NOMEM. After an error, or after
 * tix_parts_finish, the handle takes no more parts (the kept status, or
 * TIX_E_INVALID). */
TIX_API tix_status tix_parts_add_file(tix_parts *p, const char *path);

/* tix_parts_add_file for the len bytes of a .tic file at buf (borrowed
 * for the call), named name (copied) in messages. */
TIX_API tix_status tix_parts_add_mem(tix_parts *p, const char *name, const void *buf, size_t len);

/* Ends the adds: unless opts.allow_repeats, two parts that count an input
 * of the same name are refused (TIX_E_INVALID; part is the later of the
 * two, other the earlier, and the message names the input; names repeated
 * within one part were repeated on purpose and stand). Then the input
 * names of the meta are sorted in byte order. Returns TIX_OK, the error
 * kept from an add, TIX_E_INVALID (also when no part was added) or
 * TIX_E_NOMEM. */
TIX_API tix_status tix_parts_finish(tix_parts *p);

/* After tix_parts_finish returned TIX_OK: the merged cube, not finalized
 * (the caller may finalize it, index it, write it; owned by p), and its
 * meta: the first part's options, everyone's row accounting and input
 * names (owned by p). Before that, or after a failure, NULL. */
TIX_API tix_cube *tix_parts_cube(tix_parts *p);
TIX_API const tix_tic_meta *tix_parts_meta(const tix_parts *p);

/* The number of parts added, and the name of part i (NULL past the last). */
TIX_API size_t tix_parts_count(const tix_parts *p);
TIX_API const char *tix_parts_name(const tix_parts *p, size_t i);

/* The last failure (status TIX_OK when none). Owned by p. */
TIX_API const tix_parts_failure *tix_parts_error(const tix_parts *p);

/* Frees p, its cube and its meta. Accepts NULL. */
TIX_API void tix_parts_free(tix_parts *p);

#ifdef __cplusplus
}
#endif
#endif
