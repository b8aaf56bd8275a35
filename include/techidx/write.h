/* Writers: the index and cell tables as CSV or JSON, and rejected rows.
 *
 * Each writer comes twice. tix_write_X(FILE *f, ...) writes the complete
 * document to a caller-owned stream (not flushed, not closed) and returns
 * TIX_OK or TIX_E_IO (also when f had an error before). tix_write_X_fn(fn,
 * ctx, ...) hands the same bytes to fn (base.h) in pieces of a few KB, and
 * returns the first status fn returned other than TIX_OK, as it is, having
 * written nothing after it; with tix_membuf_write it writes into memory.
 * Either may also return TIX_E_NOMEM.
 *
 * Output depends only on the data, never on the order the inputs came in,
 * nor on the C locale: numbers always have a decimal point, whatever
 * setlocale() the host made (each call formats in the "C" locale on its
 * own thread, and calls fn back in the caller's). Money is printed from
 * integer cents with exactly two decimals; indices with six decimals;
 * undefined numbers are empty fields (CSV) or null (JSON). */
#ifndef TECHIDX_WRITE_H
#define TECHIDX_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "techidx/api.h"
#include "techidx/base.h"
#include "techidx/cube.h"
#include "techidx/group.h"
#include "techidx/index.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* `period,contracts,value,value_index,volume_index,unit_value_index,
 * matched_cells,cells,link,coverage,suppressed_cells,capped_contracts,
 * capped_value`: one row per calendar
 * period from the first to the last period with data; periods without data
 * have 0 contracts, value 0.00 and empty index fields. link is the value
 * index over the previous period's (the headline's period-on-period
 * ratio), coverage the matched cells' share of the period's value, and
 * the capped_* columns what winsorizing changed (0 when off).
 * Year-over-year (techidx/yoy.h): `season,` then the same columns, one row
 * per period with data, season after season (tix_yoy_label: 01..12,
 * Q1..Q4, W01..W53), each season's periods in order; link is then the
 * change from the season's previous period with data. */
TIX_API tix_status tix_write_index_csv(FILE *f, const tix_index *ix);
TIX_API tix_status tix_write_index_csv_fn(tix_write_fn fn, void *ctx, const tix_index *ix);

/* Run metadata for the JSON document. All borrowed. */
typedef struct tix_run_info {
    const char *version;
    const char *const *inputs;
    size_t ninputs;
    const char *by;        /* the cube's columns: "sector", "buyer_region,seller_region" */
    const char *measure;   /* "tech_amount" or "amount" */
    const tix_counts *counts;
    size_t cell_dims;      /* the cells are by's first cell_dims columns, the others
                              the time dummy's characteristics (tix_cube_cell_dims);
                              0: all of them */
} tix_run_info;

/* {"techidx": version, "inputs": [...], "options": {...}, "rows": {read,
 * accepted, rejected, rejected_by_reason}, "periods": [...]} with the same
 * fields per period as the CSV; "value" is the exact two-decimal string and
 * "value_cents" the exact integer, indices are numbers or null.
 * Year-over-year: the rows of the CSV, each with a "season" first, and
 * "year_over_year": true in the options instead of "base". */
TIX_API tix_status tix_write_index_json(FILE *f, const tix_index *ix, const tix_run_info *info);
TIX_API tix_status tix_write_index_json_fn(tix_write_fn fn, void *ctx, const tix_index *ix,
                                           const tix_run_info *info);

/* `period,cell,contracts,value,mean,sd,min,median,p90,max,value_index,
 * volume_index,unit_value_index,suppressed` for every (period, cell) with
 * data, periods in order and cells in byte order. The cube must be
 * finalized and made with cell_stats; ix (may be NULL: no sub-indices, no
 * suppression) must have been computed from it, and only its periods are
 * written (TIX_E_INVALID for a year-over-year ix). A suppressed cell has only
 * its period, name and suppressed = 1. Money in yuan, two decimals. */
TIX_API tix_status tix_write_cells_csv(FILE *f, const tix_cube *cube, const tix_index *ix);
TIX_API tix_status tix_write_cells_csv_fn(tix_write_fn fn, void *ctx, const tix_cube *cube,
                                          const tix_index *ix);

/* `period,cell,value_pp,volume_pp,unit_value_pp`: each matched cell's
 * contribution to each period's change (tix_index_contributions), ten
 * decimals. ix must be chained and bilateral (TIX_E_INVALID otherwise). */
TIX_API tix_status tix_write_contributions_csv(FILE *f, const tix_cube *cube, const tix_index *ix);
TIX_API tix_status tix_write_contributions_csv_fn(tix_write_fn fn, void *ctx, const tix_cube *cube,
                                                  const tix_index *ix);

/* The rejects file: header `file,line,reason,record`, then one row per
 * tix_write_reject call, RFC 4180-quoted. */
/* The sub-indices of --group: the index CSV's columns with `group` after
 * `period`, period after period, and in each period the groups whose
 * series spans it in byte order, each row as the index CSV of that group
 * alone has it (empty rows within its span included). */
TIX_API tix_status tix_write_groups_csv(FILE *f, const tix_groups *g);
TIX_API tix_status tix_write_groups_csv_fn(tix_write_fn fn, void *ctx, const tix_groups *g);

TIX_API tix_status tix_write_rejects_header(FILE *f);
TIX_API tix_status tix_write_reject(FILE *f, const tix_reject *rej);
TIX_API tix_status tix_write_rejects_header_fn(tix_write_fn fn, void *ctx);
TIX_API tix_status tix_write_reject_fn(tix_write_fn fn, void *ctx, const tix_reject *rej);

/* Writes (p, len) as one CSV field, quoted when it holds a comma, quote,
 * CR or LF (quotes doubled). */
TIX_API tix_status tix_write_csv_field(FILE *f, const char *p, size_t len);
TIX_API tix_status tix_write_csv_field_fn(tix_write_fn fn, void *ctx, const char *p, size_t len);

/* Formats cents as yuan with two decimals ("-" sign when negative) into
 * out, which holds at least 24 bytes. */
TIX_API void tix_format_cents(int64_t cents, char *out);

#ifdef __cplusplus
}
#endif
#endif
