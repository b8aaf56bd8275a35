/* The steps every command shares: reading inputs into an engine, and
 * computing and writing the index. */
#include "cli/pipeline.h"

#include <errno.h>
#include <math.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cleanup.h"
#include "cli/cli.h"
#include "cli/labels.h"
#include "cli/paths.h"
#include "cli/term.h"
#include "cli/xlsx.h"

/* An escaped copy of (s, n) for a terminal; the caller frees it. */
static char *escaped(const char *s, size_t n, size_t *len)
{
    char *buf = NULL;
    FILE *m = open_memstream(&buf, len);
    if (!m)
        return NULL;
    term_put(m, s, n);
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

tix_status pipe_reject(void *ctx, const tix_reject *rej)
{
    reject_sink *sink = ctx;
    if (!sink->f)
        return TIX_OK;
    if (!sink->tty)
        return tix_write_reject(sink->f, rej);
    tix_reject shown = *rej;
    size_t ilen;
    char *input = escaped(rej->input, strlen(rej->input), &ilen);
    char *raw = escaped(rej->raw, rej->raw_len, &shown.raw_len);
    tix_status st = TIX_E_NOMEM;
    if (input && raw) {
        shown.input = input;
        shown.raw = raw;
        st = tix_write_reject(sink->f, &shown);
    }
    free(input);
    free(raw);
    return st;
}

void pipe_report(const tix_counts *c)
{
    fprintf(stderr,
            "techidx: %" PRIu64 " input%s, %" PRIu64 " rows read: %" PRIu64 " accepted, %" PRIu64
            " rejected\n",
            c->inputs, c->inputs == 1 ? "" : "s", c->read, c->accepted, c->rejected);
    for (int r = 1; r < TIX_REASON_COUNT; r++)
        if (c->by_reason[r])
            fprintf(stderr, "techidx:   %-20s %" PRIu64 "\n", tix_reason_name((tix_reason)r),
                    c->by_reason[r]);
}

static void report_winsorized(const tix_index *ix)
{
    uint64_t n = 0;
    int64_t cut = 0, all = 0;
    for (size_t t = 0; t < ix->nrows; t++) {
        n += ix->rows[t].capped;
        cut += ix->rows[t].capped_value;
        all += ix->rows[t].value;
    }
    char money[24];
    tix_format_cents(cut, money);
    fprintf(stderr,
            "techidx: winsorized at q = %g over %zu %s%s: %" PRIu64 " contracts capped, %s yuan "
            "taken off (%.2f%% of the value)\n",
            ix->opts.winsorize, ix->opts.winsor_window, tix_period_kind_name(ix->kind),
            ix->opts.winsor_window == 1 ? "" : "s", n, money,
            all > 0 ? 100.0 * (double)cut / (double)all : 0.0);
}

/* The contract_id of period p's largest contract (the smallest id among
 * equal amounts); 0 when the cube does not know it. */
static int top_contract(const tix_cube *cube, int32_t p, const char **id, size_t *len)
{
    size_t i = 0, n, nper = tix_cube_nperiods(cube);
    while (i < nper && tix_cube_period(cube, i) != p)
        i++;
    if (i == nper)
        return 0;
    tix_cube_entries(cube, i, &n);
    int64_t best = -1;
    for (size_t k = 0; k < n; k++) {
        int64_t max;
        const char *s;
        size_t l;
        if (!tix_cube_max(cube, i, k, &max) || !tix_cube_top_id(cube, i, k, &s, &l))
            return 0;
        size_t m = l < *len ? l : *len;
        int cmp = best < 0 ? -1 : memcmp(s, *id, m);
        if (max > best || (max == best && (cmp < 0 || (cmp == 0 && l < *len)))) {
            best = max;
            *id = s;
            *len = l;
        }
    }
    return best >= 0;
}

/* What the desk should look at: the week most dominated by one contract,
 * whose it is, and the unusual links (index.h). */
static void report_warnings(const tix_cube *cube, const tix_index *ix)
{
    cube = tix_index_cube(ix, cube); /* the ids of its cells' pairs */
    size_t top = SIZE_MAX, nu = 0;
    for (size_t t = 0; t < ix->nrows; t++) {
        const tix_index_row *r = &ix->rows[t];
        if (isfinite(r->top_contract_share) &&
            (top == SIZE_MAX || r->top_contract_share > ix->rows[top].top_contract_share))
            top = t;
        nu += r->unusual != 0;
    }
    char label[TIX_PERIOD_LABEL_MAX];
    if (top != SIZE_MAX) {
        tix_period_label(ix->kind, ix->rows[top].period, label);
        const char *id = NULL;
        size_t len = 0;
        fprintf(stderr, "techidx: the largest single contract is %.2f%% of %s's value",
                100.0 * ix->rows[top].top_contract_share, label);
        if (top_contract(cube, ix->rows[top].period, &id, &len)) {
            size_t shown = len; /* a long id: its first 64 bytes, whole characters */
            if (shown > 64)
                for (shown = 64; shown > 0 && ((unsigned char)id[shown] & 0xc0) == 0x80;)
                    shown--;
            fprintf(stderr, " (contract_id %.*s%s)", (int)shown, id, shown < len ? "..." : "");
        }
        fputc('\n', stderr);
    }
    size_t no_ci = 0; /* periods with an index but no interval (methodology 7b) */
    for (size_t t = 0; ix->opts.ci && t < ix->nrows; t++)
        no_ci += isfinite(ix->rows[t].value_index) && !isfinite(ix->rows[t].value_index_se);
    if (no_ci && !isfinite(ix->rows[ix->base_row].value_index_se)) {
        tix_period_label(ix->kind, ix->base, label);
        fprintf(stderr,
                "techidx: --ci: no period has an interval: one replicate group holds every "
                "contract of the base period %s (choose a --base with more contracts)\n",
                label);
    } else if (no_ci) {
        fprintf(stderr,
                "techidx: --ci: %zu of %zu periods have no interval: the series without one "
                "replicate group has no value there (methodology 7b)\n",
                no_ci, ix->nrows);
    }
    if (nu == 0)
        return;
    fprintf(stderr, "techidx: %zu unusual link%s (over %g MADs from the median of the %d before):",
            nu, nu == 1 ? "" : "s", TIX_UNUSUAL_Z, TIX_UNUSUAL_WINDOW);
    size_t shown = 0;
    for (size_t t = 0; t < ix->nrows && shown < 8; t++)
        if (ix->rows[t].unusual) {
            tix_period_label(ix->kind, ix->rows[t].period, label);
            fprintf(stderr, " %s", label);
            shown++;
        }
    fprintf(stderr, "%s\n", nu > shown ? " ..." : "");
}

/* The library names options `name`; the command line says --name. */
void pipe_engine_error(const tix_error *e)
{
    char msg[sizeof e->message + 256];
    tix_config_message(e->message, "--", '-', msg, sizeof msg);
    term_error(e->input[0] ? e->input : NULL, e->line, "%s", msg);
}

void pipe_bom(const run_opts *o, FILE *f)
{
    if (o->cfg.bom)
        fputs("\xef\xbb\xbf", f);
}

int pipe_open(outfile *f, const char *path)
{
    if (outfile_open(f, path) == 0)
        return 0;
    term_error(path, 0, "cannot write: %s", strerror(errno));
    return -1;
}

/* pipe_open for an output held until commit when written through. */
static int open_held(outfile *f, const char *path)
{
    if (outfile_open_held(f, path) == 0)
        return 0;
    term_error(path, 0, "cannot write: %s", strerror(errno));
    return -1;
}

void pipe_write_error(const char *path, const outfile *f, tix_status st)
{
    int e = outfile_error(f);
    term_error(path, 0, "cannot write: %s", st == TIX_E_IO && e ? strerror(e) : tix_strerror(st));
}

int pipe_reject_limits(const run_opts *o, const tix_counts *c)
{
    if (o->cfg.strict && c->rejected > 0) {
        fprintf(stderr, "techidx: --strict: %" PRIu64 " row%s rejected; no index written\n",
                c->rejected, c->rejected == 1 ? "" : "s");
        return TIX_EXIT_FAIL;
    }
    if (c->read > 0 && (double)c->rejected / (double)c->read > o->cfg.max_reject_rate) {
        char buf[64];
        const char *r = tix_config_text(&o->cfg, tix_option_find("max-reject-rate", TIX_CMD_RUN),
                                        buf, sizeof buf);
        /* The percentage in hundredths, rounded, in integers: no locale. */
        uint64_t h = (c->rejected * 20000 + c->read) / (2 * c->read);
        fprintf(stderr,
                "techidx: --max-reject-rate %s: %" PRIu64 " of %" PRIu64 " rows rejected (%" PRIu64
                ".%02" PRIu64 "%%); no index written\n",
                r ? r : "?", c->rejected, c->read, h / 100, h % 100);
        return TIX_EXIT_FAIL;
    }
    return TIX_EXIT_OK;
}

int pipe_ingest(const run_opts *o, pipe_ingest_state *in)
{
    tix_status st;
    memset(in, 0, sizeof *in);
    if (o->cfg.rejects && pipe_open(&in->rejects, o->cfg.rejects) != 0)
        return TIX_EXIT_FAIL;
    if (o->cfg.rejects)
        pipe_bom(o, in->rejects.f);
    if (o->cfg.rejects && (st = tix_write_rejects_header(in->rejects.f)) != TIX_OK) {
        pipe_write_error(o->cfg.rejects, &in->rejects, st);
        return TIX_EXIT_FAIL;
    }
    in->sink = (reject_sink){in->rejects.f, in->rejects.f && in->rejects.tty};
    tix_engine_opts eo = o->cfg.engine;
    progress_init(&in->prog, o->files, o->nfiles, o->cfg.quiet);
    eo.progress = progress_update;
    eo.progress_ctx = &in->prog;
    st = tix_engine_new(&in->engine, &eo, pipe_reject, &in->sink);
    if (st != TIX_OK) {
        fprintf(stderr, "techidx: %s\n", tix_strerror(st));
        return TIX_EXIT_FAIL;
    }
    for (int i = 0; i < o->nfiles; i++) {
        st = tix_engine_add_file(in->engine, o->files[i]);
        progress_next_file(&in->prog);
        if (st != TIX_OK) {
            progress_end(&in->prog);
            /* A rejects file that could not be written stops the engine
             * at a row: the fault is the file's, not the row's. */
            if (o->cfg.rejects && outfile_error(&in->rejects))
                pipe_write_error(o->cfg.rejects, &in->rejects, TIX_E_IO);
            else
                pipe_engine_error(tix_engine_error(in->engine));
            return TIX_EXIT_FAIL;
        }
    }
    progress_end(&in->prog);
    if (!o->cfg.quiet)
        pipe_report(tix_engine_counts(in->engine));
    if (o->cfg.rejects && outfile_commit(&in->rejects) != 0) {
        term_error(o->cfg.rejects, 0, "cannot write: %s", strerror(errno));
        return TIX_EXIT_FAIL;
    }
    return TIX_EXIT_OK;
}

void pipe_ingest_free(pipe_ingest_state *in)
{
    outfile_abort(&in->rejects);
    tix_engine_free(in->engine);
    in->engine = NULL;
}

/* Parts made without `hedonic` keep only their cells' columns: the time
 * dummy of index regresses on them alone, not on run's default. Said. */
static void report_parts_characteristics(const run_opts *o, const tix_cube *cube)
{
    if (o->cfg.index.method != TIX_METHOD_TIME_DUMMY || o->cfg.index.hedonic || o->cfg.quiet)
        return;
    tix_dims d;
    if (tix_dims_parse(tix_cube_by(cube), &d, NULL, 0) != TIX_OK)
        return;
    static const char *const want[] = {"contract_type", "seller_type"};
    char missing[64] = "";
    for (size_t j = 0; j < 2; j++) {
        size_t i = 0;
        while (i < d.n && strcmp(d.name[i], want[j]) != 0)
            i++;
        if (i == d.n && d.n + (missing[0] ? 1 : 0) < TIX_MAX_DIMS)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s",
                     missing[0] ? " and " : "", want[j]);
    }
    if (missing[0])
        fprintf(stderr,
                "techidx: the parts keep no %s, which run's time dummy regresses on by "
                "default: this one regresses on %s alone (make the parts with cube "
                "--hedonic)\n",
                missing, tix_cube_by(cube));
}

int pipe_index(const run_opts *o, tix_cube *cube, tix_index **ix)
{
    char msg[256];
    tix_status st = tix_cube_finalize(cube);
    if (st == TIX_OK) /* index alone leaves hedonic unset */
        report_parts_characteristics(o, cube);
    if (st == TIX_OK)
        st = tix_index_compute(cube, &o->cfg.index, ix, msg, sizeof msg);
    else
        snprintf(msg, sizeof msg, "%s", tix_strerror(st));
    if (st != TIX_OK) {
        char shown[sizeof msg + 64]; /* the library names options `name` */
        fprintf(stderr, "techidx: %s\n", tix_config_message(msg, "--", '-', shown, sizeof shown));
        return TIX_EXIT_FAIL;
    }
    if (o->cfg.index.winsorize > 0 && !o->cfg.quiet)
        report_winsorized(*ix);
    if (!o->cfg.quiet)
        report_warnings(cube, *ix);
    return TIX_EXIT_OK;
}

int pipe_write(const run_opts *o, const tix_cube *cube, const tix_index *ix,
               const tix_run_info *info, const pipe_outputs *po)
{
    /* The side files first, the index last: a reader that waits for the
     * index finds the rest in place. */
    enum { CELLS, CONTRIB, GROUPS, JSON, CSV, N };
    const char *names[N] = {po->cells, po->contributions, po->groups, po->index_json,
                            po->index_csv};
    outfile f[N];
    int rc = TIX_EXIT_FAIL;
    tix_groups *groups = NULL;
    memset(f, 0, sizeof f);
    if (po->groups) {
        char msg[512], shown[sizeof msg + 64];
        tix_status st =
            tix_groups_compute(cube, o->cfg.group, &o->cfg.index, NULL, &groups, msg, sizeof msg);
        if (st != TIX_OK) {
            fprintf(stderr, "techidx: %s\n",
                    tix_config_message(st == TIX_E_NOMEM ? "out of memory" : msg, "--", '-',
                                       shown, sizeof shown));
            return TIX_EXIT_FAIL;
        }
    }
    for (int i = 0; i < N; i++) {
        if (!names[i])
            continue;
        if (open_held(&f[i], names[i]) != 0)
            goto done;
        if (i != JSON)
            pipe_bom(o, f[i].f);
        tix_status st = i == CELLS     ? tix_write_cells_csv(f[i].f, cube, ix)
                        : i == CONTRIB ? tix_write_contributions_csv(f[i].f, cube, ix)
                        : i == GROUPS  ? tix_write_groups_csv(f[i].f, groups)
                        : i == JSON    ? tix_write_index_json(f[i].f, ix, info)
                                       : tix_write_index_csv(f[i].f, ix);
        if (st != TIX_OK) {
            pipe_write_error(names[i], &f[i], st);
            goto done;
        }
    }
    /* Files renamed into place, then what is written through (stdout):
     * a file that fails to commit leaves stdout untouched. */
    for (int through = 0; through < 2; through++)
        for (int i = 0; i < N; i++)
            if (names[i] && outfile_is_through(&f[i]) == through && outfile_commit(&f[i]) != 0) {
                term_error(names[i], 0, "cannot write: %s", strerror(errno));
                goto done;
            }
    rc = TIX_EXIT_OK;
done:
    for (int i = 0; i < N; i++)
        outfile_abort(&f[i]);
    tix_groups_free(groups);
    return rc;
}

/* Copies the file at from into f. Returns 0, or -1 after saying why. */
static int copy_into(outfile *f, const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    char buf[65536];
    size_t n;
    if (!in) {
        term_error(from, 0, "cannot read: %s", strerror(errno));
        return -1;
    }
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, f->f) != n)
            break;
    int bad = ferror(in);
    fclose(in);
    if (bad) {
        term_error(from, 0, "cannot read: %s", strerror(errno));
        return -1;
    }
    if (outfile_error(f)) {
        pipe_write_error(to, f, TIX_E_IO);
        return -1;
    }
    return 0;
}

int pipe_write_xlsx(const run_opts *o, const tix_cube *cube, const tix_index *ix,
                    const tix_run_info *info, const pipe_outputs *po)
{
    enum { INDEX, CELLS, CONTRIB, GROUPS, N };
    static const char *const base[N] = {"index.csv", "cells.csv", "contributions.csv",
                                        "groups.csv"};
    const char *asked[N] = {po->index_csv, po->cells, po->contributions, po->groups};
    const char *book = po->index_csv;
    char *tmp[N] = {NULL}, *dir = NULL, err[1024];
    int ids[N] = {-1, -1, -1, -1}, dir_id = -1, rc = TIX_EXIT_FAIL;
    outfile f[N];
    label_set *lb = NULL;
    memset(f, 0, sizeof f);
    if (labels_load(o->cfg.labels, &lb, err, sizeof err) != 0) {
        fprintf(stderr, "techidx: %s\n", err);
        return TIX_EXIT_FAIL;
    }
    /* Beside the workbook: the same file system, and its rights. */
    const char *slash = strrchr(book, '/');
    int dl = slash ? (int)(slash - book) + 1 : 0;
    size_t cap = (size_t)dl + 32;
    dir = malloc(cap);
    if (!dir) {
        fprintf(stderr, "techidx: out of memory\n");
        goto done;
    }
    snprintf(dir, cap, "%.*stechidx-xlsx.XXXXXX", dl, book);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int made = mkdtemp(dir) != NULL;
    int e = errno;
    if (made)
        dir_id = cleanup_add(dir, 1);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!made) {
        term_error(book, 0, "cannot write: %s", strerror(e));
        free(dir);
        dir = NULL;
        goto done;
    }
    /* Registered before they exist (removed first, being newer than the
     * directory): a signal at any point leaves nothing. */
    for (int i = 0; i < N; i++)
        if (asked[i]) {
            tmp[i] = path_join(dir, base[i]);
            if (!tmp[i]) {
                fprintf(stderr, "techidx: out of memory\n");
                goto done;
            }
            ids[i] = cleanup_add(tmp[i], 0);
        }
    pipe_outputs tp = {tmp[INDEX], NULL, tmp[CELLS], tmp[CONTRIB], tmp[GROUPS]};
    if (pipe_write(o, cube, ix, info, &tp) != TIX_EXIT_OK)
        goto done;
    /* The CSV files asked for, then the workbook; as pipe_write, what is
     * written through (stdout) comes last, so that a failure leaves it
     * untouched. */
    for (int i = CELLS; i < N; i++)
        if (asked[i] && (outfile_open_held(&f[i], asked[i]) != 0
                             ? (term_error(asked[i], 0, "cannot write: %s", strerror(errno)), 1)
                             : copy_into(&f[i], tmp[i], asked[i]) != 0))
            goto done;
    for (int i = CELLS; i < N; i++)
        if (asked[i] && !outfile_is_through(&f[i]) && outfile_commit(&f[i]) != 0) {
            term_error(asked[i], 0, "cannot write: %s", strerror(errno));
            goto done;
        }
    xlsx_input in = {.index = tmp[INDEX],
                     .cells = tmp[CELLS],
                     .contributions = tmp[CONTRIB],
                     .groups = tmp[GROUPS],
                     .lang = (lang_id)o->cfg.lang,
                     .labels = lb,
                     .tmpdir = dir};
    if (xlsx_write(book, &in, err, sizeof err) != 0) {
        fprintf(stderr, "techidx: %s\n", err);
        goto done;
    }
    for (int i = CELLS; i < N; i++)
        if (asked[i] && outfile_commit(&f[i]) != 0) {
            term_error(asked[i], 0, "cannot write: %s", strerror(errno));
            goto done;
        }
    rc = TIX_EXIT_OK;
done:
    for (int i = 0; i < N; i++) {
        outfile_abort(&f[i]);
        if (tmp[i])
            unlink(tmp[i]);
        cleanup_forget(ids[i]);
        free(tmp[i]);
    }
    if (dir)
        rmdir(dir);
    cleanup_forget(dir_id);
    free(dir);
    labels_free(lb);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void pipe_sort_names(const char **names, size_t n) { qsort(names, n, sizeof *names, cmp_names); }

tix_tic_meta pipe_tic_meta(const tix_engine_opts *eo, const tix_cube *cube,
                           const tix_counts *counts, char **names, size_t n)
{
    tix_tic_meta m;
    tix_parts_describe(&m, eo, cube, counts, names, n);
    return m;
}

int pipe_save_tic(const char *path, tix_cube *cube, const tix_tic_meta *meta)
{
    tix_status st = tix_cube_finalize(cube);
    if (st != TIX_OK) {
        fprintf(stderr, "techidx: %s\n", tix_strerror(st));
        return TIX_EXIT_FAIL;
    }
    outfile o;
    if (open_held(&o, path) != 0)
        return TIX_EXIT_FAIL;
    st = tix_tic_write(o.f, cube, meta);
    if (st != TIX_OK) {
        pipe_write_error(path, &o, st);
        outfile_abort(&o);
        return TIX_EXIT_FAIL;
    }
    if (outfile_commit(&o) != 0) {
        term_error(path, 0, "cannot write: %s", strerror(errno));
        return TIX_EXIT_FAIL;
    }
    return TIX_EXIT_OK;
}
