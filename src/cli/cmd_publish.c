/* techidx publish: the weekly release from a persistent state. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/chart.h"
#include "cli/cli.h"
#include "cli/parts.h"
#include "cli/pipeline.h"
#include "cli/release.h"
#include "cli/runopts.h"
#include "cli/sha256.h"
#include "cli/state.h"
#include "cli/table.h"
#include "cli/term.h"

static const char publish_help[] =
    "Usage: techidx publish --state DIR --init [RUN OPTIONS]\n"
    "       techidx publish --state DIR [--week YYYY-Www] [--replace] FILE...\n"
    "       techidx publish --state DIR --status\n"
    "Keep the aggregated contracts of every dump in DIR and write the week's\n"
    "release, DIR/releases/WEEK/: index.csv, index.json, cells.csv,\n"
    "contributions.csv (chained bilateral methods), revisions.csv, rejects.csv,\n"
    "chart.svg and MANIFEST (size and SHA-256 of every input and output).\n"
    "\n"
    "  --state DIR     the state directory (required)\n"
    "  --init          create DIR with the run options that follow (period, by,\n"
    "                  measure, method, chain, window, splice, base, min-contracts,\n"
    "                  winsorize, from/to, map, limits); every release uses them\n"
    "  --week W        the release's ISO week (default: the last complete week of\n"
    "                  the data); periods ending after its Sunday are left out\n"
    "  --replace       ingest again a dump already in the state (same SHA-256), or\n"
    "                  replace the one of the same name with new content\n"
    "  --status        what DIR holds: options, dates, inputs, releases\n"
    "  --threads N, --inflate B   as for run\n"
    "  -q, --quiet     no progress line or summaries on stderr\n"
    "  -h, --help      this help\n"
    "\n"
    "A release appears whole or not at all, and a failed publish leaves DIR as it\n"
    "was. revisions.csv lists every period whose index changed since the\n"
    "previous release (late contracts), with the old and new values.\n";

#define usage_error(...) runopts_usage_error("publish", __VA_ARGS__)

typedef struct pub_args {
    const char *dir, *week;
    int init, status, replace, quiet;
    char **files;
    int nfiles;
    char **init_argv; /* "--init" followed by the run options */
    int init_argc;
    const char *threads, *inflate;
} pub_args;

static int parse(int argc, char **argv, pub_args *a)
{
    memset(a, 0, sizeof *a);
    a->files = calloc((size_t)argc, sizeof *a->files);
    if (!a->files)
        return usage_error("out of memory");
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char **val = strcmp(arg, "--state") == 0     ? &a->dir
                           : strcmp(arg, "--week") == 0    ? &a->week
                           : strcmp(arg, "--threads") == 0 ? &a->threads
                           : strcmp(arg, "--inflate") == 0 ? &a->inflate
                                                           : NULL;
        if (val) {
            if (i + 1 >= argc)
                return usage_error("option '%s' needs a value", arg);
            *val = argv[++i];
        } else if (strcmp(arg, "--init") == 0) {
            a->init = 1;
            a->init_argv = argv + i;
            a->init_argc = argc - i;
            break;
        } else if (strcmp(arg, "--status") == 0) {
            a->status = 1;
        } else if (strcmp(arg, "--replace") == 0) {
            a->replace = 1;
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            a->quiet = 1;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(publish_help, stdout);
            return -1;
        } else if (strcmp(arg, "--") == 0) {
            while (++i < argc)
                a->files[a->nfiles++] = argv[i];
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return usage_error("unknown option '%s'", arg);
        } else {
            a->files[a->nfiles++] = argv[i];
        }
    }
    if (!a->dir)
        return usage_error("--state DIR is required");
    if (a->init + a->status > 1 || ((a->init || a->status) && (a->nfiles || a->week)))
        return usage_error("--init and --status take no files and no --week");
    if (!a->init && !a->status && a->nfiles == 0)
        return usage_error("no input files");
    return 0;
}

/* ---- --init and --status --------------------------------------------------- */

static int init(const pub_args *a)
{
    run_opts o;
    /* Checked now, stored as given, parsed again by every publish. */
    char **copy = calloc((size_t)a->init_argc + 1, sizeof *copy);
    if (!copy)
        return TIX_EXIT_FAIL;
    for (int i = 0; i < a->init_argc; i++)
        copy[i] = a->init_argv[i];
    int rc = runopts_parse(a->init_argc, copy, &o, "publish", RUNOPTS_AGGREGATE | RUNOPTS_INDEX,
                           publish_help);
    free(copy);
    if (rc != 0)
        return rc < 0 ? TIX_EXIT_OK : rc;
    if (o.engine.dedup)
        return usage_error("--dedup cannot hold across dumps aggregated one by one; remove "
                           "duplicates upstream, or use run --dedup on the full history");
    char err[256];
    if (state_create(a->dir, a->init_argv + 1, (size_t)a->init_argc - 1, err, sizeof err) != 0) {
        term_error(a->dir, 0, "%s", err);
        return TIX_EXIT_FAIL;
    }
    if (!a->quiet && !o.quiet)
        fprintf(stderr, "techidx: state created in %s\n", a->dir);
    return TIX_EXIT_OK;
}

static void day_label(int32_t day, char *out)
{
    tix_date_format(day, out);
}

static int status(const pub_args *a)
{
    state s;
    char err[256];
    if (state_open(&s, a->dir, err, sizeof err) != 0) {
        term_error(a->dir, 0, "%s", err);
        return TIX_EXIT_FAIL;
    }
    printf("state %s (techidx state format %d)\n", a->dir, STATE_VERSION);
    printf("options:");
    for (size_t i = 0; i < s.noptions; i++) {
        putchar(' ');
        term_puts(stdout, s.options[i]);
    }
    printf("%s\n", s.noptions ? "" : " (the defaults of run)");
    int32_t first = INT32_MAX, last = INT32_MIN;
    tix_counts all;
    memset(&all, 0, sizeof all);
    for (size_t i = 0; i < s.ninputs; i++) {
        const state_input *in = &s.inputs[i];
        if (in->first_day <= in->last_day) {
            first = in->first_day < first ? in->first_day : first;
            last = in->last_day > last ? in->last_day : last;
        }
        tix_tic_add_counts(&all, &in->counts);
    }
    char f[TIX_PERIOD_LABEL_MAX], l[TIX_PERIOD_LABEL_MAX], fw[TIX_PERIOD_LABEL_MAX],
        lw[TIX_PERIOD_LABEL_MAX];
    if (first <= last) {
        day_label(first, f);
        day_label(last, l);
        tix_period_label(TIX_PERIOD_WEEK, tix_period_of_day(TIX_PERIOD_WEEK, first), fw);
        tix_period_label(TIX_PERIOD_WEEK, tix_period_of_day(TIX_PERIOD_WEEK, last), lw);
        printf("signing dates: %s to %s (weeks %s to %s)\n", f, l, fw, lw);
    } else {
        printf("signing dates: none yet\n");
    }
    printf("rows: %" PRIu64 " read, %" PRIu64 " accepted, %" PRIu64 " rejected\n", all.read,
           all.accepted, all.rejected);
    printf("inputs: %zu\n", s.ninputs);
    for (size_t i = 0; i < s.ninputs; i++) {
        const state_input *in = &s.inputs[i];
        printf("  %s %12" PRIu64 " bytes %10" PRIu64 " rows  ", in->sha256, in->size,
               in->counts.read);
        term_puts(stdout, in->name);
        putchar('\n');
    }
    printf("releases: %zu", s.nreleases);
    if (s.nreleases)
        printf(", last %s (%s/releases/%s)", s.releases[s.nreleases - 1], a->dir,
               s.releases[s.nreleases - 1]);
    putchar('\n');
    state_close(&s);
    return TIX_EXIT_OK;
}

/* ---- the release ------------------------------------------------------------ */

/* Everything one publish holds, freed in one place. */
typedef struct job {
    state s;
    run_opts o;
    char **optv; /* the stored options, copied for the parser */
    char *tmp, *tmp_parts, *release, *parts;
    char (*shas)[SHA256_HEX]; /* of the files given */
    uint64_t *sizes;
    state_input *next; /* the inputs after this publish */
    size_t nnext;
    int *is_new; /* next[i] came with this publish */
    parts merged; /* the parts of j->next: cube, row accounting, input names */
    tix_index *ix;
    char week[TIX_PERIOD_LABEL_MAX];  /* the release */
    size_t revised;
} job;

static void job_free(job *j)
{
    if (j->tmp)
        state_remove_tree(j->tmp);
    for (size_t i = 0; i < j->nnext; i++)
        if (j->is_new && j->is_new[i])
            free(j->next[i].name);
    free(j->next);
    free(j->is_new);
    for (size_t i = 0; j->optv && j->optv[i]; i++)
        free(j->optv[i]);
    free(j->optv);
    free(j->shas);
    free(j->sizes);
    free(j->tmp);
    free(j->tmp_parts);
    free(j->release);
    free(j->parts);
    tix_index_free(j->ix);
    parts_free(&j->merged);
    state_close(&j->s);
}

/* Leftovers of publishes that died before their end: we hold the lock. */
static void clean_leftovers(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, ".tmp-", 5) == 0) {
            char *p = path_join(dir, e->d_name);
            if (p)
                state_remove_tree(p);
            free(p);
        }
    if (d)
        closedir(d);
}

/* The state, locked, and its options parsed with this run's reading
 * options added. */
static int open_job(job *j, const pub_args *a)
{
    char err[512];
    if (state_open(&j->s, a->dir, err, sizeof err) != 0) {
        term_error(a->dir, 0, "%s", err);
        return TIX_EXIT_FAIL;
    }
    clean_leftovers(a->dir);
    if (!(j->optv = calloc(j->s.noptions + 6, sizeof *j->optv)))
        return TIX_EXIT_FAIL;
    size_t n = 0;
    j->optv[n++] = strdup("publish");
    for (size_t i = 0; i < j->s.noptions; i++)
        j->optv[n++] = strdup(j->s.options[i]);
    if (a->threads) {
        j->optv[n++] = strdup("--threads");
        j->optv[n++] = strdup(a->threads);
    }
    if (a->inflate) {
        j->optv[n++] = strdup("--inflate");
        j->optv[n++] = strdup(a->inflate);
    }
    for (size_t i = 0; i < n; i++)
        if (!j->optv[i])
            return TIX_EXIT_FAIL;
    int rc = runopts_parse((int)n, j->optv, &j->o, "publish",
                           RUNOPTS_AGGREGATE | RUNOPTS_INDEX | RUNOPTS_READ, publish_help);
    if (rc != 0)
        return rc < 0 ? TIX_EXIT_OK : rc;
    j->o.quiet = a->quiet;
    /* Releases always carry cells.csv: keep the statistics. */
    if (j->o.engine.cell_stats < TIX_CUBE_STATS)
        j->o.engine.cell_stats = TIX_CUBE_STATS;
    return TIX_EXIT_OK;
}

/* Hashes the files, refuses what is already there (unless --replace), and
 * lists the inputs kept from the state in j->next. */
static int plan_inputs(job *j, const pub_args *a)
{
    size_t room = j->s.ninputs + (size_t)a->nfiles + 1;
    j->next = calloc(room, sizeof *j->next);
    j->is_new = calloc(room, sizeof *j->is_new);
    j->shas = calloc((size_t)a->nfiles + 1, sizeof *j->shas);
    j->sizes = calloc((size_t)a->nfiles + 1, sizeof *j->sizes);
    int *gone = calloc(j->s.ninputs + 1, sizeof *gone);
    if (!j->next || !j->is_new || !j->shas || !j->sizes || !gone) {
        free(gone);
        return TIX_EXIT_FAIL;
    }
    for (int i = 0; i < a->nfiles; i++) {
        const char *file = a->files[i];
        if (sha256_file(file, j->shas[i], &j->sizes[i]) != 0) {
            term_error(file, 0, "cannot read: %s", strerror(errno));
            free(gone);
            return TIX_EXIT_FAIL;
        }
        for (int k = 0; k < i; k++)
            if (strcmp(j->shas[k], j->shas[i]) == 0) {
                term_error(file, 0, "is the same dump as %s (SHA-256 %.12s...)", a->files[k],
                           j->shas[i]);
                free(gone);
                return TIX_EXIT_FAIL;
            }
        state_input *same = state_find_sha(&j->s, j->shas[i]);
        state_input *named = state_find_name(&j->s, file);
        if (same && !a->replace) {
            term_error(file, 0,
                       "already in the state as %s (SHA-256 %.12s...); --replace ingests it "
                       "again",
                       same->name, j->shas[i]);
            free(gone);
            return TIX_EXIT_FAIL;
        }
        if (named && !same && !a->replace) {
            term_error(file, 0,
                       "a dump of this name is in the state with other content; --replace "
                       "replaces it, or give the new dump another name");
            free(gone);
            return TIX_EXIT_FAIL;
        }
        if (same)
            gone[same - j->s.inputs] = 1;
        if (named)
            gone[named - j->s.inputs] = 1;
    }
    for (size_t i = 0; i < j->s.ninputs; i++)
        if (!gone[i])
            j->next[j->nnext++] = j->s.inputs[i];
    free(gone);
    return TIX_EXIT_OK;
}

/* DIR/.tmp-XXXXXX with parts/ and release/: DIR changes only at the end. */
static int make_workdir(job *j, const char *dir)
{
    char *pattern = path_join(dir, ".tmp-XXXXXX");
    if (!pattern || !mkdtemp(pattern)) {
        term_error(dir, 0, "cannot make a work directory: %s", strerror(errno));
        free(pattern);
        return TIX_EXIT_FAIL;
    }
    j->tmp = pattern;
    j->tmp_parts = path_join(j->tmp, "parts");
    j->release = path_join(j->tmp, "release");
    j->parts = path_join(dir, "parts");
    if (!j->tmp_parts || !j->release || !j->parts || mkdir(j->tmp_parts, 0777) != 0 ||
        mkdir(j->release, 0777) != 0) {
        term_error(dir, 0, "cannot make a work directory: %s", strerror(errno));
        return TIX_EXIT_FAIL;
    }
    return TIX_EXIT_OK;
}

/* Reads one new dump into tmp/parts/SHA.tic; fills *in. */
static int ingest_one(job *j, const char *file, const char *sha, uint64_t size, reject_sink *sink,
                      int quiet, state_input *in)
{
    tix_engine_opts eo = j->o.engine;
    progress prog;
    char *files[] = {(char *)file};
    progress_init(&prog, files, 1, quiet);
    eo.progress = progress_update;
    eo.progress_ctx = &prog;
    tix_engine *e = NULL;
    tix_status st = tix_engine_new(&e, &eo, sink->f ? pipe_reject : NULL, sink);
    if (st == TIX_OK)
        st = tix_engine_add_file(e, file);
    progress_end(&prog);
    if (st != TIX_OK) {
        if (e)
            pipe_engine_error(tix_engine_error(e));
        else
            fprintf(stderr, "techidx: %s\n", tix_strerror(st));
        tix_engine_free(e);
        return TIX_EXIT_FAIL;
    }
    tix_cube *c = tix_engine_cube(e);
    const tix_counts *counts = tix_engine_counts(e);
    if (!quiet) {
        fputs("techidx: ", stderr);
        term_puts(stderr, file);
        fprintf(stderr, ": %" PRIu64 " rows read: %" PRIu64 " accepted, %" PRIu64 " rejected\n",
                counts->read, counts->accepted, counts->rejected);
    }
    char *names[] = {(char *)file}, name[SHA256_HEX + 8];
    tix_tic_meta m = pipe_tic_meta(&eo, c, counts, names, 1);
    snprintf(name, sizeof name, "%s.tic", sha);
    char *path = path_join(j->tmp_parts, name);
    int rc = path ? pipe_save_tic(path, c, &m) : TIX_EXIT_FAIL;
    free(path);
    if (rc != TIX_EXIT_OK) {
        tix_engine_free(e);
        return TIX_EXIT_FAIL;
    }
    memset(in, 0, sizeof *in);
    in->name = strdup(file);
    memcpy(in->sha256, sha, SHA256_HEX);
    in->size = size;
    in->counts = *counts;
    in->counts.inputs = 1;
    in->first_day = 1;
    in->last_day = 0;
    tix_cube_days(c, &in->first_day, &in->last_day);
    tix_engine_free(e);
    return in->name ? TIX_EXIT_OK : TIX_EXIT_FAIL;
}

/* All the inputs after this publish, merged from their parts. */
static int merge_parts(job *j)
{
    char **paths = calloc(j->nnext + 1, sizeof *paths);
    int rc = paths ? TIX_EXIT_OK : TIX_EXIT_FAIL;
    for (size_t i = 0; rc == TIX_EXIT_OK && i < j->nnext; i++) {
        char name[SHA256_HEX + 8];
        snprintf(name, sizeof name, "%s.tic", j->next[i].sha256);
        if (!(paths[i] = path_join(j->is_new[i] ? j->tmp_parts : j->parts, name)))
            rc = TIX_EXIT_FAIL;
    }
    if (rc == TIX_EXIT_OK)
        rc = parts_load(&j->merged, paths, (int)j->nnext, &j->o.engine, "publish");
    for (size_t i = 0; paths && i < j->nnext; i++)
        free(paths[i]);
    free(paths);
    return rc;
}

/* Each new dump into a part, their rejects into the release's rejects.csv. */
static int ingest_new(job *j, const pub_args *a)
{
    char *path = path_join(j->release, "rejects.csv");
    outfile rej = {0};
    if (!path || outfile_open(&rej, path) != 0 || tix_write_rejects_header(rej.f) != TIX_OK) {
        term_error(path ? path : "rejects.csv", 0, "cannot write: %s", strerror(errno));
        outfile_abort(&rej);
        free(path);
        return TIX_EXIT_FAIL;
    }
    reject_sink sink = {rej.f, 0};
    int rc = TIX_EXIT_OK;
    for (int i = 0; i < a->nfiles && rc == TIX_EXIT_OK; i++) {
        state_input in;
        rc = ingest_one(j, a->files[i], j->shas[i], j->sizes[i], &sink, a->quiet, &in);
        if (rc == TIX_EXIT_OK) {
            j->is_new[j->nnext] = 1;
            j->next[j->nnext++] = in;
        }
    }
    if (rc == TIX_EXIT_OK && outfile_commit(&rej) != 0) {
        term_error(path, 0, "cannot write: %s", strerror(errno));
        rc = TIX_EXIT_FAIL;
    }
    outfile_abort(&rej);
    free(path);
    return rc;
}

/* The week of the release, and the index of everything up to its end. */
static int compute(job *j, const pub_args *a)
{
    if (merge_parts(j) != TIX_EXIT_OK || tix_cube_finalize(j->merged.cube) != TIX_OK)
        return TIX_EXIT_FAIL;
    int32_t first_day, last_day, week = 0;
    if (!tix_cube_days(j->merged.cube, &first_day, &last_day)) {
        fprintf(stderr, "techidx: no accepted contracts in the state: nothing to publish\n");
        return TIX_EXIT_FAIL;
    }
    if (a->week) {
        tix_period_parse(TIX_PERIOD_WEEK, a->week, &week); /* checked by the caller */
    } else {
        week = tix_period_of_day(TIX_PERIOD_WEEK, last_day);
        if (tix_period_first_day(TIX_PERIOD_WEEK, week) + 6 != last_day)
            week--; /* the last week is not over yet */
    }
    tix_period_label(TIX_PERIOD_WEEK, week, j->week);
    int32_t sunday = tix_period_first_day(TIX_PERIOD_WEEK, week) + 6;
    j->o.index.has_until = 1;
    j->o.index.until = tix_period_of_day(j->o.engine.period, sunday + 1) - 1;
    if (pipe_index(&j->o, j->merged.cube, &j->ix) != TIX_EXIT_OK)
        return TIX_EXIT_FAIL;
    if (j->ix->nrows == 0) {
        fprintf(stderr, "techidx: no complete period by the end of %s\n", j->week);
        return TIX_EXIT_FAIL;
    }
    return TIX_EXIT_OK;
}

/* The release's files, in the work directory. */
static int write_release(job *j)
{
    char err[512];
    int chained = j->o.index.chain == TIX_CHAIN_CHAINED &&
                  j->o.index.method != TIX_METHOD_GEKS_FISHER &&
                  j->o.index.method != TIX_METHOD_GEKS_TORNQVIST;
    char *p_csv = path_join(j->release, "index.csv"), *p_json = path_join(j->release, "index.json"),
         *p_cells = path_join(j->release, "cells.csv"),
         *p_contrib = chained ? path_join(j->release, "contributions.csv") : NULL,
         *p_rev = path_join(j->release, "revisions.csv"), *p_chart = path_join(j->release, "chart.svg");
    int rc = TIX_EXIT_FAIL;
    if (!p_csv || !p_json || !p_cells || (chained && !p_contrib) || !p_rev ||
        !p_chart)
        goto done;
    const tix_tic_meta *m = &j->merged.meta; /* its names sorted */
    tix_run_info info = {TIX_VERSION,
                         (const char *const *)m->names,
                         m->nnames,
                         tix_column_name(j->o.engine.dimension),
                         tix_measure_name(j->o.engine.measure),
                         &m->counts};
    pipe_outputs po = {p_csv, p_json, p_cells, p_contrib};
    if (pipe_write(&j->o, j->merged.cube, j->ix, &info, &po) != TIX_EXIT_OK)
        goto done;
    /* Revisions against what was published last (the release this one
     * replaces, when a week is published again). */
    char *prev = NULL;
    if (j->s.nreleases) {
        char rel[64];
        snprintf(rel, sizeof rel, "releases/%s/index.csv", j->s.releases[j->s.nreleases - 1]);
        if (!(prev = state_path(&j->s, rel)))
            goto done;
    }
    int bad = release_revisions(prev, p_csv, p_rev, &j->revised, err, sizeof err) != 0;
    free(prev);
    if (bad) {
        fprintf(stderr, "techidx: revisions: %s\n", err);
        goto done;
    }
    char title[128];
    snprintf(title, sizeof title, "Technology trading index, release %s", j->week);
    if (chart_from_csv(p_csv, p_cells, 104, title, p_chart, err, sizeof err) != 0) {
        fprintf(stderr, "techidx: chart: %s\n", err);
        goto done;
    }
    if (release_manifest(j->release, j->week, j->next, j->nnext, err, sizeof err) != 0) {
        fprintf(stderr, "techidx: %s\n", err);
        goto done;
    }
    rc = TIX_EXIT_OK;
done:
    free(p_csv);
    free(p_json);
    free(p_cells);
    free(p_contrib);
    free(p_rev);
    free(p_chart);
    return rc;
}

/* Puts everything in place: the new parts, then the release, then
 * state.json, which makes it so; then drops the parts nothing names. */
static int commit(job *j, const char *dir)
{
    char err[512];
    for (size_t i = 0; i < j->nnext; i++) {
        if (!j->is_new[i])
            continue;
        char name[SHA256_HEX + 8];
        snprintf(name, sizeof name, "%s.tic", j->next[i].sha256);
        char *from = path_join(j->tmp_parts, name), *to = path_join(j->parts, name);
        int ok = from && to && rename(from, to) == 0;
        free(from);
        free(to);
        if (!ok) {
            term_error(dir, 0, "cannot move a part into place: %s", strerror(errno));
            return TIX_EXIT_FAIL;
        }
    }
    char rel[64];
    snprintf(rel, sizeof rel, "releases/%s", j->week);
    char *target = state_path(&j->s, rel), *old = path_join(j->tmp, "old-release");
    struct stat st;
    int had = target && stat(target, &st) == 0;
    if (!target || !old || (had && rename(target, old) != 0) || rename(j->release, target) != 0) {
        term_error(target ? target : dir, 0, "cannot put the release in place: %s",
                   strerror(errno));
        if (had && target && old)
            rename(old, target);
        free(target);
        free(old);
        return TIX_EXIT_FAIL;
    }
    state next = j->s;
    next.inputs = j->next;
    next.ninputs = j->nnext;
    char **rels = calloc(j->s.nreleases + 2, sizeof *rels);
    size_t nr = 0;
    for (size_t i = 0; rels && i < j->s.nreleases; i++)
        if (strcmp(j->s.releases[i], j->week) != 0)
            rels[nr++] = j->s.releases[i];
    if (rels)
        rels[nr++] = j->week;
    next.releases = rels;
    next.nreleases = nr;
    if (!rels || state_save(&next, err, sizeof err) != 0) {
        term_error(dir, 0, "%s; the release is taken back", rels ? err : "out of memory");
        rename(target, j->release);
        if (had)
            rename(old, target);
        free(rels);
        free(target);
        free(old);
        return TIX_EXIT_FAIL;
    }
    free(rels);
    free(target);
    free(old);
    for (size_t i = 0; i < j->s.ninputs; i++) {
        int kept = 0;
        for (size_t k = 0; k < j->nnext; k++)
            kept |= strcmp(j->next[k].sha256, j->s.inputs[i].sha256) == 0;
        if (!kept) {
            char name[SHA256_HEX + 8];
            snprintf(name, sizeof name, "%s.tic", j->s.inputs[i].sha256);
            char *p = path_join(j->parts, name);
            if (p)
                unlink(p);
            free(p);
        }
    }
    return TIX_EXIT_OK;
}

static int publish(const pub_args *a)
{
    int32_t week;
    if (a->week && tix_period_parse(TIX_PERIOD_WEEK, a->week, &week) != TIX_OK)
        return usage_error("--week takes an ISO week such as 2024-W48, not '%s'", a->week);
    job j;
    memset(&j, 0, sizeof j);
    int rc = open_job(&j, a);
    if (rc == TIX_EXIT_OK)
        rc = plan_inputs(&j, a);
    if (rc == TIX_EXIT_OK)
        rc = make_workdir(&j, a->dir);
    if (rc == TIX_EXIT_OK)
        rc = ingest_new(&j, a);
    if (rc == TIX_EXIT_OK)
        rc = compute(&j, a);
    if (rc == TIX_EXIT_OK)
        rc = write_release(&j);
    if (rc == TIX_EXIT_OK)
        rc = commit(&j, a->dir);
    if (rc == TIX_EXIT_OK && !a->quiet) {
        char f[TIX_PERIOD_LABEL_MAX], l[TIX_PERIOD_LABEL_MAX];
        tix_period_label(j.ix->kind, j.ix->rows[0].period, f);
        tix_period_label(j.ix->kind, j.ix->rows[j.ix->nrows - 1].period, l);
        fprintf(stderr,
                "techidx: release %s in %s/releases/%s: %s to %s, %zu period%s revised, %zu "
                "input%s (%d new)\n",
                j.week, a->dir, j.week, f, l, j.revised, j.revised == 1 ? "" : "s", j.nnext,
                j.nnext == 1 ? "" : "s", a->nfiles);
    }
    job_free(&j);
    return rc;
}

int tix_cli_publish(int argc, char **argv)
{
    pub_args a;
    int rc = parse(argc, argv, &a);
    if (rc == 0)
        rc = a.init ? init(&a) : a.status ? status(&a) : publish(&a);
    else if (rc < 0)
        rc = TIX_EXIT_OK;
    free(a.files);
    return rc;
}
