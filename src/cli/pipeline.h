/* The steps the commands share: reading input files into an engine (with
 * the rejects file and the summary on stderr), computing the index of a
 * cube, and writing the index files. Each returns an exit code (cli.h)
 * after printing what went wrong. */
#ifndef TECHIDX_CLI_PIPELINE_H
#define TECHIDX_CLI_PIPELINE_H

#include "cli/outfile.h"
#include "cli/progress.h"
#include "cli/runopts.h"
#include "techidx.h"

typedef struct reject_sink {
    FILE *f;
    int tty; /* a person reads it: escape what is not printable */
} reject_sink;

/* The engine's reject callback: one row of the rejects file (ctx a
 * reject_sink; nothing when its f is NULL). A failed write returns
 * TIX_E_IO, which stops the engine. */
tix_status pipe_reject(void *ctx, const tix_reject *rej);

typedef struct pipe_ingest_state {
    tix_engine *engine; /* owns the cube and the counts */
    outfile rejects;
    reject_sink sink;
    progress prog;
} pipe_ingest_state;

/* Reads o->files with o->engine into in->engine, writing o->rejects and,
 * unless o->quiet, the progress line (on a terminal) and the row summary. Free with
 * pipe_ingest_free whatever the result. */
int pipe_ingest(const run_opts *o, pipe_ingest_state *in);
void pipe_ingest_free(pipe_ingest_state *in);

/* Finalizes cube and computes *ix with o->index (reporting winsorizing
 * unless o->quiet). */
int pipe_index(const run_opts *o, tix_cube *cube, tix_index **ix);

/* The files to write; NULL ones are skipped. */
typedef struct pipe_outputs {
    const char *index_csv, *index_json, *cells, *contributions;
    const char *groups; /* the sub-indices of o->cfg.group */
} pipe_outputs;

/* Writes the outputs, each complete or not at all (outfile.h): the files
 * renamed into place first (the index last of them), then those written
 * through (stdout, devices), which are held in memory until then, so that
 * a failure anywhere writes nothing to stdout. */
int pipe_write(const run_opts *o, const tix_cube *cube, const tix_index *ix,
               const tix_run_info *info, const pipe_outputs *po);

/* --format xlsx: the workbook of the index at po->index_csv (a file name,
 * runopts checked it), with sheets of the cells, contributions and groups
 * that po asks for, which are also written where po names them, as
 * pipe_write writes them (po->index_json is ignored). The CSV files are
 * made in a temporary directory beside the workbook (removed on a signal)
 * and read back by xlsx.h; the workbook is written last, complete or not
 * at all, in o->cfg.lang with the display names of o->cfg.labels. */
int pipe_write_xlsx(const run_opts *o, const tix_cube *cube, const tix_index *ix,
                    const tix_run_info *info, const pipe_outputs *po);

/* The .tic meta of a cube an engine with options eo read from the inputs
 * names[0..n) (borrowed), with its row accounting. */
tix_tic_meta pipe_tic_meta(const tix_engine_opts *eo, const tix_cube *cube,
                           const tix_counts *counts, char **names, size_t n);

/* Finalizes cube and writes it with meta to path, complete or not at all. */
int pipe_save_tic(const char *path, tix_cube *cube, const tix_tic_meta *meta);

/* Sorts input names in byte order: outputs list their inputs sorted, so the
 * same files in any order give the same bytes. */
void pipe_sort_names(const char **names, size_t n);

/* --strict and --max-reject-rate over the row counts c: TIX_EXIT_OK when
 * neither fails, else TIX_EXIT_FAIL after saying why ("no index written"). */
int pipe_reject_limits(const run_opts *o, const tix_counts *c);

/* The row summary, as every command prints it. */
void pipe_report(const tix_counts *c);

/* An engine failure as "techidx: FILE:LINE: message". */
void pipe_engine_error(const tix_error *e);

/* The UTF-8 byte order mark at the start of a CSV file, with --bom (Excel
 * on Chinese Windows reads UTF-8 then, not GBK). */
void pipe_bom(const run_opts *o, FILE *f);

/* outfile_open with the error printed. Returns 0 or -1. */
int pipe_open(outfile *f, const char *path);

/* "techidx: PATH: cannot write: REASON" for a writer's status st on f: the
 * errno kept by f for TIX_E_IO (a full disk says so), else st's text. */
void pipe_write_error(const char *path, const outfile *f, tix_status st);

#endif
