/* .tic files: a cube saved to disk, to be merged with others and indexed
 * later (techidx cube / merge / index, and the publishing state).
 *
 * A .tic file holds everything the index needs and nothing of the rows:
 * the options that decide how rows were aggregated (period, dimension,
 * measure, date range, statistics kept), the row accounting of its inputs,
 * the signing-day range, the cell names and every (period, cell)
 * aggregate with its statistics, then a CRC-32 of all that. Integers are
 * little-endian; cells are in byte order and pairs in (period, cell)
 * order, so the same cube always gives the same bytes. Format version 2
 * is written for a cube without replicate groups, version 3 for one with
 * them (cube.h, `ci`); version 1, which had "u32 dimension" (a
 * tix_column) after stats and no by, is still read:
 *
 *   "TIXCUBE\n"  u32 version  u32 period  u32 stats
 *   u32 measure  u32 bylen  bytes[bylen] (the canonical --by text)
 *   [version 3: u32 G, the replicate groups, 2..TIX_CUBE_MAX_REPLICATES]
 *   u32 has_range  i32 from_day  i32 to_day
 *   i32 first_day  i32 last_day (first > last: no rows)
 *   u64 read  u64 accepted  u64 rejected  u64 bytes  u64 inputs
 *   u32 nreasons  u64 by_reason[nreasons]
 *   u64 nnames  { u32 len  bytes[len] }...   (the inputs' names, sorted)
 *   u64 ncells  { u32 len  bytes[len] }...
 *   u64 npairs  { i32 period  u32 cell  u64 n  i64 sum
 *                 [logs: u64 m  u64 s_lo  u64 s_hi  u64 q_lo  u64 q_hi]
 *                 [version 3: G times { u64 n  i64 sum
 *                   [logs: u64 m  u64 s_lo  u64 s_hi  u64 q_lo  u64 q_hi] },
 *                  the pair's contracts of replicate group g, adding up to it]
 *                 [bit 16 in the stats word (versions 2 and 3): u32 len  bytes[len],
 *                  the contract_id of the pair's largest amount (cube.h
 *                  tix_cube_top_id), 1..TIX_CUBE_TOP_ID_MAX bytes]
 *                 [stats: i64 min  i64 max  u64 sumsq_lo  u64 sumsq_hi
 *                  u32 sumsq_overflow  u64 zeros  u32 nbuckets
 *                  { i32 bucket  u32 count  [sums: i64 sum] }...
 *                  | no stats, and bit 8 in the stats word: i64 max, the largest
 *                    amount (version 2; a cube loaded from version 1 without
 *                    stats does not know it and is written without)] }...
 *                 (buckets in use only, increasing)
 * where stats is the cube's cell_stats: 0, 1 (stats) or 2 (stats, sums),
 * plus 4 (logs, version 2 only) for TIX_CUBE_STATS_LOGS: the contracts
 * with an amount > 0, the 128-bit sum of their fixed-point logs (two's
 * complement) and the 128-bit sum of their squares (cube.h).
 *   u32 crc32 of every byte before it */
#ifndef TECHIDX_TIC_H
#define TECHIDX_TIC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "techidx/api.h"
#include "techidx/base.h"
#include "techidx/cube.h"
#include "techidx/record.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TIX_TIC_VERSION 3

/* What a .tic file says besides its aggregates. */
typedef struct tix_tic_meta {
    tix_period_kind period;
    int stats; /* the cube's cell_stats */
    char by[TIX_BY_MAX]; /* the cells' columns, canonical --by text ("sector") */
    tix_measure measure;
    int has_range; /* rows outside [from_day, to_day] were rejected */
    int32_t from_day, to_day;
    tix_counts counts; /* the row accounting of the inputs */
    char **names;      /* the inputs' names (any order; written sorted) */
    size_t nnames;
    size_t replicates; /* the cube's replicate groups (0: none; version 3 only) */
    size_t cell_dims;  /* the cube's opts.cell_dims: its cells are the first of by's
                          columns, the rest characteristics (0: all are cells) */
} tix_tic_meta;

/* Writes a finalized cube with its meta (meta->period and meta->stats are
 * taken from the cube) to a caller-owned stream (not flushed or closed).
 * Returns TIX_OK, TIX_E_INVALID (not finalized), TIX_E_NOMEM or TIX_E_IO.
 * tix_tic_write_fn hands the same bytes to fn (base.h; tix_membuf_write
 * writes into memory) and returns fn's first failure as it is instead of
 * TIX_E_IO. */
TIX_API tix_status tix_tic_write(FILE *f, const tix_cube *cube, const tix_tic_meta *meta);
TIX_API tix_status tix_tic_write_fn(tix_write_fn fn, void *ctx, const tix_cube *cube,
                                    const tix_tic_meta *meta);

/* Reads a .tic file into a new, unfinalized cube made with *opts (its
 * period and cell_stats are replaced by the file's; budget and limits are
 * honoured). Everything is checked before *out is set: the magic, the
 * version, the CRC, that each aggregate is one adding rows could make, and
 * that the input ends with the cube. Returns TIX_OK, TIX_E_FORMAT (err
 * says what is wrong, and at which byte), TIX_E_LIMIT, TIX_E_NOMEM or
 * TIX_E_IO. meta's names are allocated: free them with tix_tic_meta_free
 * (on failure they are freed already).
 *   tix_tic_read      from a stream, read to its end (stdin works);
 *   tix_tic_read_fn   from a read callback (base.h), whose failure status
 *                     is returned as it is instead of TIX_E_IO;
 *   tix_tic_read_mem  from the len bytes at buf (borrowed for the call). */
TIX_API tix_status tix_tic_read(FILE *f, const tix_cube_opts *opts, tix_cube **out,
                                tix_tic_meta *meta, char *err, size_t errlen);
TIX_API tix_status tix_tic_read_fn(tix_read_fn fn, void *ctx, const tix_cube_opts *opts,
                                   tix_cube **out, tix_tic_meta *meta, char *err, size_t errlen);
TIX_API tix_status tix_tic_read_mem(const void *buf, size_t len, const tix_cube_opts *opts,
                                    tix_cube **out, tix_tic_meta *meta, char *err, size_t errlen);

/* Whether two parts aggregate rows the same way and can merge: NULL when
 * they can, else a sentence naming the first option that differs, as
 * `name` in backquotes (options.h: tix_config_message shows it a front
 * end's way). */
TIX_API const char *tix_tic_incompatible(const tix_tic_meta *a, const tix_tic_meta *b);

/* Adds b's row accounting to a's. */
TIX_API void tix_tic_add_counts(tix_counts *a, const tix_counts *b);

/* Adds b's row accounting and input names to a's (names copied). Returns
 * TIX_OK or TIX_E_NOMEM. */
TIX_API tix_status tix_tic_meta_add(tix_tic_meta *a, const tix_tic_meta *b);

/* Frees the names of a meta that tix_tic_read or tix_tic_meta_add filled. */
TIX_API void tix_tic_meta_free(tix_tic_meta *m);

#ifdef __cplusplus
}
#endif
#endif
