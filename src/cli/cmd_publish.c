/* techidx publish: the weekly release from a persistent state. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/chart.h"
#include "cli/cli.h"
#include "cli/fsops.h"
#include "cli/html.h"
#include "cli/journal.h"
#include "cli/labels.h"
#include "cli/parts.h"
#include "cli/paths.h"
#include "cli/pipeline.h"
#include "cli/release.h"
#include "cli/runopts.h"
#include "cli/sha256.h"
#include "cli/state.h"
#include "cli/table.h"
#include "cli/term.h"
#include "cli/xlsx.h"

#define usage_error(...) runopts_usage_error("publish", __VA_ARGS__)

/* The options --init stores, the ones of the state: those that decide the
 * aggregation and the index (the command's own, -q and --state, are not). */
static int stored(const tix_option *opt)
{
    return (opt->commands & TIX_CMD_INIT) && opt->group != TIX_GROUP_NONE;
}

static void publish_tail(FILE *f)
{
    size_t n, col = 0;
    const tix_option *t = tix_options(&n);
    fputs("\nThe options --init stores (every release uses them; see techidx run --help):\n", f);
    for (size_t i = 0; i < n; i++)
        if (stored(&t[i])) {
            size_t w = strlen(t[i].name) + 3;
            if (col + w > 78) {
                fputc('\n', f);
                col = 0;
            }
            fprintf(f, " --%s", t[i].name);
            col += w;
        }
    fputs("\n\n"
          "Without --method (and without --chain, --winsorize or --year-over-year),\n"
          "--init stores the weekly headline of docs/methodology.md section 12:\n"
          "--method time-dummy on the --by columns, contract_type and seller_type,\n"
          "with --ci.\n"
          "FILE is a regular file, a pipe, or '-' (stdin), each read once.\n"
          "A release appears whole or not at all: a publish that fails leaves DIR as\n"
          "it was, and one that was killed is completed by the next publish (the same\n"
          "command run again then has nothing left to do). revisions.csv lists every\n"
          "period whose index changed since the previous release (late contracts).\n",
          f);
}

static const args_help publish_help = {
    .head = "Usage: techidx publish --state DIR --init [RUN OPTIONS]\n"
            "       techidx publish --state DIR [--week YYYY-Www] [--replace] FILE...\n"
            "       techidx publish --state DIR --status\n"
            "Keep the aggregated contracts of every dump in DIR and write the week's\n"
            "release, DIR/releases/WEEK/: index.csv, index.json, cells.csv,\n"
            "contributions.csv (chained bilateral methods), revisions.csv, rejects.csv,\n"
            "chart.svg, index.html (the release's page, one self-contained file, in the\n"
            "language of --lang), index.xlsx (a workbook of the index, cells,\n"
            "contributions, groups and revisions), groups.csv (with --group) and MANIFEST\n"
            "(size and SHA-256 of every input and output).\n"
            "\n",
    .more = publish_tail, /* the run options --init stores */
};

typedef struct pub_args {
    tix_config c; /* the command line's options (publish, or publish --init) */
    const char *dir, *week;
    int init, status, replace, quiet;
    char **files;
    int nfiles;
} pub_args;

/* publish --init takes the options it stores; publish without it, those
 * of a publish. */
static int parse(int argc, char **argv, pub_args *a)
{
    unsigned cmd = TIX_CMD_PUBLISH;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--init") == 0)
            cmd = TIX_CMD_INIT;
    int first;
    int rc = args_parse(argc, argv, cmd, &publish_help, &a->c, &first);
    if (rc != 0)
        return rc;
    a->dir = a->c.state;
    a->week = a->c.week;
    a->init = a->c.init;
    a->status = a->c.status;
    a->replace = a->c.replace;
    a->quiet = a->c.quiet;
    a->files = argv + first;
    a->nfiles = argc - first;
    if (!a->dir)
        return usage_error("--state DIR is required");
    if ((a->init || a->status) && (a->nfiles || a->week))
        return usage_error("--init and --status take no files and no --week");
    if (!a->init && !a->status && a->nfiles == 0)
        return usage_error("no input files");
    return 0;
}

/* ---- --init and --status --------------------------------------------------- */

static int init(const pub_args *a)
{
    if (a->c.engine.dedup)
        return usage_error("--dedup cannot hold across dumps aggregated one by one; remove "
                           "duplicates upstream, or use run --dedup on the full history");
    /* What the table set, in its order: names and values, never argv. */
    size_t n, nopts = 0;
    const tix_option *t = tix_options(&n);
    state_option *opts = calloc(n + TIX_CONFIG_MAX_MAPS + 2, sizeof *opts);
    char(*text)[64] = calloc(n, sizeof *text);
    if (!opts || !text) {
        free(opts);
        free(text);
        fprintf(stderr, "techidx: out of memory\n");
        return TIX_EXIT_FAIL;
    }
    /* The labels file: read now, so that a bad one is refused at once, and
     * kept by its absolute name, which any working directory reaches. */
    char *labels_path = NULL;
    if (a->c.labels) {
        char lerr[512];
        label_set *lb = NULL;
        if (labels_load(a->c.labels, &lb, lerr, sizeof lerr) != 0 ||
            !(labels_path = realpath(a->c.labels, NULL))) {
            if (!lb)
                term_error(NULL, 0, "%s", lerr);
            else
                term_error(a->c.labels, 0, "%s", strerror(errno));
            labels_free(lb);
            free(opts);
            free(text);
            return TIX_EXIT_FAIL;
        }
        labels_free(lb);
    }
    /* The headline the simulation study chose (methodology section 12),
     * stored as options: a later default never changes a state's series. */
    int headline = 1;
    static const char *const bilateral[] = {"method", "chain", "winsorize", "winsor-window",
                                            "year-over-year"};
    for (size_t k = 0; k < sizeof bilateral / sizeof bilateral[0]; k++) {
        const tix_option *o = tix_option_find(bilateral[k], TIX_CMD_INIT);
        if (o && tix_config_given(&a->c, o))
            headline = 0;
    }
    if (headline) {
        opts[nopts++] = (state_option){"method", "time-dummy"};
        if (!a->c.index.ci)
            opts[nopts++] = (state_option){"ci", NULL};
    }
    for (size_t i = 0; i < n; i++) {
        if (!stored(&t[i]) || !tix_config_given(&a->c, &t[i]))
            continue;
        const char *v;
        if (t[i].kind == TIX_OPT_LIST) {
            for (size_t k = 0; (v = tix_config_list(&a->c, &t[i], k)) != NULL; k++)
                opts[nopts++] = (state_option){(char *)t[i].name, (char *)v};
        } else {
            v = tix_config_text(&a->c, &t[i], text[i], sizeof text[i]);
            if (strcmp(t[i].name, "labels") == 0)
                v = labels_path; /* absolute: every publish reads it */
            opts[nopts++] =
                (state_option){(char *)t[i].name, t[i].kind == TIX_OPT_FLAG ? NULL : (char *)v};
        }
    }
    char err[512];
    int rc = 0;
    if (headline) { /* the stored set must parse as every publish will parse it */
        tix_config trial;
        tix_config_init(&trial);
        for (size_t i = 0; rc == 0 && i < nopts; i++)
            rc = args_set(&trial, TIX_CMD_INIT, "publish", opts[i].name, opts[i].value);
        if (rc == 0)
            rc = args_finish(&trial, TIX_CMD_INIT, "publish");
        tix_config_clear(&trial);
    }
    if (rc != 0) {
        free(opts);
        free(text);
        free(labels_path);
        return rc;
    }
    rc = state_create(a->dir, opts, nopts, err, sizeof err);
    free(opts);
    free(text);
    free(labels_path);
    if (rc != 0) {
        term_error(a->dir, 0, "%s", err);
        return TIX_EXIT_FAIL;
    }
    if (!a->quiet)
        fprintf(stderr, "techidx: state created in %s\n", a->dir);
    return TIX_EXIT_OK;
}

/* --status reads state.json without the lock: it works while a publish
 * runs and on a state it may not write. */
static int status(const pub_args *a)
{
    state s;
    char err[512];
    if (state_load(&s, a->dir, err, sizeof err) != 0) {
        term_error(a->dir, 0, "%s", err);
        return TIX_EXIT_FAIL;
    }
    printf("state ");
    term_puts(stdout, a->dir);
    printf(" (techidx state format %d)\n", STATE_VERSION);
    printf("options:");
    for (size_t i = 0; i < s.noptions; i++) {
        printf(" --%s", s.options[i].name);
        if (s.options[i].value) {
            putchar(' ');
            term_puts(stdout, s.options[i].value);
        }
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
    if (first <= last) {
        char f[TIX_PERIOD_LABEL_MAX], l[TIX_PERIOD_LABEL_MAX], fw[TIX_PERIOD_LABEL_MAX],
            lw[TIX_PERIOD_LABEL_MAX];
        tix_date_format(first, f);
        tix_date_format(last, l);
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
    if (s.nreleases) {
        printf(", last %s (", s.releases[s.nreleases - 1]);
        term_puts(stdout, a->dir);
        printf("/releases/%s)", s.releases[s.nreleases - 1]);
    }
    putchar('\n');
    if (journal_pending(a->dir))
        printf("pending: a publish was interrupted after its commit; the next publish puts "
               "it in place\n");
    state_close(&s);
    return TIX_EXIT_OK;
}

/* ---- the release ------------------------------------------------------------ */

/* Everything one publish holds, freed in one place. */
typedef struct job {
    state s;
    run_opts o;
    journal jn;
    state_input *next; /* the inputs after this publish */
    size_t nnext;
    int *is_new;        /* next[i] came with this publish */
    state_input *fresh; /* the files given, read: a->nfiles of them */
    state_request req;  /* this publish, as state.json records it */
    parts merged;       /* the parts of j->next: cube, row accounting, input names */
    tix_index *ix;
    state_figures *figs; /* this release's figures */
    size_t nfigs;
    char week[TIX_PERIOD_LABEL_MAX]; /* the release */
    size_t revised;
    label_set *labels; /* the cells' display names (--labels at --init) */
    char index_sha[SHA256_HEX]; /* of the release's index.csv */
    int32_t *dump_day; /* each new dump's own date (dump_day_of), a->nfiles of them */
    const char *compared; /* the release revisions compare with, NULL before the first */
} job;

static void job_free(job *j, int nfiles)
{
    journal_free(&j->jn);
    for (int i = 0; j->fresh && i < nfiles; i++) {
        free(j->fresh[i].name);
        free(j->fresh[i].path);
    }
    free(j->fresh);
    free(j->dump_day);
    free(j->next);
    free(j->is_new);
    free(j->figs);
    labels_free(j->labels);
    state_request_free(&j->req);
    tix_index_free(j->ix);
    parts_free(&j->merged);
    state_close(&j->s);
    runopts_free(&j->o);
}

/* The state locked, a publish that an earlier one left committed completed,
 * and the stored options parsed with this run's reading options added. */
static int open_job(job *j, const pub_args *a)
{
    char err[1024];
    char *json = path_join(a->dir, "state.json");
    int have = json && fs_exists(json);
    free(json);
    if (!have) {
        /* Not a state (or an --init killed before its end): nothing to lock. */
        if (state_load(&j->s, a->dir, err, sizeof err) != 0) {
            term_error(a->dir, 0, "%s", err);
            return TIX_EXIT_FAIL;
        }
    }
    int fd = state_lock(a->dir, err, sizeof err), completed = 0;
    if (fd < 0 || journal_recover(a->dir, &completed, err, sizeof err) != 0 ||
        state_load(&j->s, a->dir, err, sizeof err) != 0) {
        if (fd >= 0)
            close(fd);
        term_error(a->dir, 0, "%s", err);
        return TIX_EXIT_FAIL;
    }
    j->s.lock_fd = fd;
    if (completed && !a->quiet)
        term_error(a->dir, 0, "completed the publish that was interrupted after its commit");
    static const char *const own[] = {"parts", "releases"};
    for (int k = 0; k < 2; k++) {
        char *p = state_path(&j->s, own[k]);
        int ok = p && fs_is_dir(p);
        free(p);
        if (!ok) {
            term_error(a->dir, 0, "%s/ is missing or not a directory of its own (a link?)", own[k]);
            return TIX_EXIT_FAIL;
        }
    }
    /* The stored options, with this publish's way of reading dumps. */
    tix_config *c = &j->o.cfg;
    tix_config_init(c);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < j->s.noptions; i++)
        rc = args_set(c, TIX_CMD_INIT, "publish", j->s.options[i].name, j->s.options[i].value);
    if (rc == 0)
        rc = args_finish(c, TIX_CMD_INIT, "publish");
    if (rc != 0)
        return rc;
    c->engine.threads = a->c.engine.threads;
    c->index.threads = a->c.engine.threads;
    c->engine.inflate = a->c.engine.inflate;
    j->o.cfg.quiet = a->quiet;
    if (labels_load(c->labels, &j->labels, err, sizeof err) != 0) {
        term_error(NULL, 0, "%s (the labels of --init)", err);
        return TIX_EXIT_FAIL;
    }
    /* Releases always carry cells.csv: keep the statistics. */
    if ((j->o.cfg.engine.cell_stats & 3) < TIX_CUBE_STATS)
        j->o.cfg.engine.cell_stats |= TIX_CUBE_STATS;
    return TIX_EXIT_OK;
}

/* Dumps are files, pipes or stdin, each read once: a device (/dev/zero)
 * or a directory is refused before anything is read. */
static int check_files(const pub_args *a)
{
    int stdin_seen = 0;
    for (int i = 0; i < a->nfiles; i++) {
        const char *f = a->files[i];
        struct stat st;
        if (strcmp(f, "-") == 0) {
            if (stdin_seen++) {
                term_error(f, 0, "stdin can be read only once");
                return TIX_EXIT_FAIL;
            }
        } else if (stat(f, &st) != 0) {
            term_error(f, 0, "cannot read: %s", strerror(errno));
            return TIX_EXIT_FAIL;
        } else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
            term_error(f, 0,
                       "is not a regular file or a pipe: publish reads dumps from files, "
                       "pipes or stdin ('-')");
            return TIX_EXIT_FAIL;
        }
    }
    return TIX_EXIT_OK;
}

/* A dump's own date, after which no contract can have been signed in it:
 * the day (China's, UTC+8) its file was last modified, or today for a pipe
 * or stdin. */
static int32_t dump_day_of(const char *file)
{
    struct stat st;
    time_t t = time(NULL);
    if ((strcmp(file, "-") == 0 ? fstat(0, &st) : stat(file, &st)) == 0 && S_ISREG(st.st_mode) &&
        st.st_mtime < t)
        t = st.st_mtime;
    return (int32_t)((t + 8 * 3600) / 86400); /* tix day numbers count from 1970-01-01 */
}

/* Says, for a dump with signing dates after its own date, how many
 * contracts lie in the periods that begin after it, and its newest date. */
static void report_future(const char *file, const tix_cube *c, int32_t own, int32_t last)
{
    uint64_t n = 0;
    tix_period_kind kind = tix_cube_period_kind(c);
    for (size_t i = 0; i < tix_cube_nperiods(c); i++) {
        if (tix_period_first_day(kind, tix_cube_period(c, i)) <= own)
            continue;
        size_t ne;
        const tix_cube_entry *e = tix_cube_entries(c, i, &ne);
        for (size_t k = 0; k < ne; k++)
            n += e[k].n;
    }
    char d_own[TIX_PERIOD_LABEL_MAX], d_last[TIX_PERIOD_LABEL_MAX];
    tix_date_format(own, d_own);
    tix_date_format(last, d_last);
    term_error(file, 0,
               "signing dates after the dump's own date, %s (its file's modification time), up "
               "to %s; %" PRIu64 " contract%s in the periods after it: typos?",
               d_own, d_last, n, n == 1 ? "" : "s");
}

/* Reads one new dump into work/parts/SHA.tic, hashing it in the same pass;
 * fills *in. */
static int ingest_one(job *j, const char *file, reject_sink *sink, int quiet, state_input *in,
                      int32_t *own)
{
    tix_engine_opts eo = j->o.cfg.engine;
    progress prog;
    char *files[] = {(char *)file};
    sha256_stream hash;
    sha256_stream_init(&hash);
    progress_init(&prog, files, 1, quiet);
    eo.progress = progress_update;
    eo.progress_ctx = &prog;
    eo.tap = sha256_stream_add;
    eo.tap_ctx = &hash;
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
    memset(in, 0, sizeof *in);
    sha256_stream_hex(&hash, in->sha256);
    in->size = hash.size;
    tix_cube *c = tix_engine_cube(e);
    in->counts = *tix_engine_counts(e);
    in->counts.inputs = 1;
    in->first_day = 1;
    in->last_day = 0;
    tix_cube_days(c, &in->first_day, &in->last_day);
    char *names[] = {(char *)file}, name[SHA256_HEX + 8];
    tix_tic_meta m = pipe_tic_meta(&eo, c, &in->counts, names, 1);
    snprintf(name, sizeof name, "%s.tic", in->sha256);
    char *path = path_join(j->jn.parts, name);
    int rc = path ? pipe_save_tic(path, c, &m) : TIX_EXIT_FAIL;
    if (rc == TIX_EXIT_OK)
        journal_track(&j->jn, "parts", name);
    *own = dump_day_of(file);
    if (rc == TIX_EXIT_OK && in->first_day <= in->last_day && in->last_day > *own)
        report_future(file, c, *own, in->last_day); /* the cube finalized by the save */
    uint64_t size;
    if (rc == TIX_EXIT_OK && sha256_file(path, in->part_sha256, &size) != 0) {
        term_error(path, 0, "cannot read: %s", strerror(errno));
        rc = TIX_EXIT_FAIL;
    }
    free(path);
    tix_engine_free(e);
    if (rc == TIX_EXIT_OK && (!(in->name = strdup(file)) || !(in->path = path_normalize(file)))) {
        fprintf(stderr, "techidx: %s\n", strerror(errno));
        rc = TIX_EXIT_FAIL;
    }
    return rc;
}

/* Each given dump into a part, their rejects into the release's
 * rejects.csv. */
static int ingest_all(job *j, const pub_args *a)
{
    char *path = path_join(j->jn.release, "rejects.csv");
    outfile rej = {0};
    if (!path || outfile_open(&rej, path) != 0 || (pipe_bom(&j->o, rej.f), 0) ||
        tix_write_rejects_header(rej.f) != TIX_OK) {
        term_error(path ? path : "rejects.csv", 0, "cannot write: %s", strerror(errno));
        outfile_abort(&rej);
        free(path);
        return TIX_EXIT_FAIL;
    }
    reject_sink sink = {rej.f, 0};
    int rc = (j->fresh = calloc((size_t)a->nfiles + 1, sizeof *j->fresh)) &&
                     (j->dump_day = calloc((size_t)a->nfiles + 1, sizeof *j->dump_day))
                 ? TIX_EXIT_OK
                 : TIX_EXIT_FAIL;
    for (int i = 0; i < a->nfiles && rc == TIX_EXIT_OK; i++)
        rc = ingest_one(j, a->files[i], &sink, a->quiet, &j->fresh[i], &j->dump_day[i]);
    if (rc == TIX_EXIT_OK && outfile_commit(&rej) != 0) {
        term_error(path, 0, "cannot write: %s", strerror(errno));
        rc = TIX_EXIT_FAIL;
    }
    outfile_abort(&rej);
    free(path);
    return rc;
}

/* This publish as state.json records it. */
static int make_request(job *j, const pub_args *a)
{
    state_request *r = &j->req;
    r->replace = a->replace;
    r->nfiles = (size_t)a->nfiles;
    if (!(r->week = strdup(a->week ? a->week : "")) ||
        !(r->paths = calloc(r->nfiles + 1, sizeof *r->paths)) ||
        !(r->shas = calloc(r->nfiles + 1, sizeof *r->shas)))
        return TIX_EXIT_FAIL;
    for (size_t i = 0; i < r->nfiles; i++) {
        if (!(r->paths[i] = strdup(j->fresh[i].path)))
            return TIX_EXIT_FAIL;
        memcpy(r->shas[i], j->fresh[i].sha256, SHA256_HEX);
    }
    return TIX_EXIT_OK;
}

/* Refuses what is already there (unless --replace) and lists the inputs
 * after this publish in j->next: those kept from the state, then the new. */
static int plan_inputs(job *j, const pub_args *a)
{
    size_t room = j->s.ninputs + (size_t)a->nfiles + 1;
    j->next = calloc(room, sizeof *j->next);
    j->is_new = calloc(room, sizeof *j->is_new);
    int *gone = calloc(j->s.ninputs + 1, sizeof *gone);
    int rc = j->next && j->is_new && gone ? TIX_EXIT_OK : TIX_EXIT_FAIL;
    for (int i = 0; i < a->nfiles && rc == TIX_EXIT_OK; i++) {
        const state_input *in = &j->fresh[i];
        const char *file = a->files[i];
        for (int k = 0; k < i && rc == TIX_EXIT_OK; k++) {
            if (strcmp(in->path, "-") != 0 &&
                (strcmp(j->fresh[k].path, in->path) == 0 || same_file(a->files[k], file))) {
                term_error(file, 0, "is given twice (as %s)", a->files[k]);
                rc = TIX_EXIT_FAIL;
            } else if (strcmp(j->fresh[k].sha256, in->sha256) == 0) {
                term_error(file, 0, "is the same dump as %s (SHA-256 %.12s...)", a->files[k],
                           in->sha256);
                rc = TIX_EXIT_FAIL;
            }
        }
        if (rc != TIX_EXIT_OK)
            break;
        state_input *same = state_find_sha(&j->s, in->sha256);
        state_input *named = state_find_path(&j->s, in->path);
        if (!named && strcmp(file, "-") != 0)
            named = state_find_path(&j->s, file); /* a link to a dump ingested */
        if (same && !a->replace) {
            term_error(file, 0,
                       "already in the state as %s (SHA-256 %.12s...); --replace ingests it "
                       "again",
                       same->name, in->sha256);
            rc = TIX_EXIT_FAIL;
        } else if (named && !same && !a->replace) {
            int other = strcmp(named->name, file) != 0;
            term_error(file, 0,
                       "a dump of this name is in the state with other content%s%s%s; "
                       "--replace replaces it, or give the new dump another name",
                       other ? " (as " : "", other ? named->name : "", other ? ")" : "");
            rc = TIX_EXIT_FAIL;
        }
        if (same)
            gone[same - j->s.inputs] = 1;
        if (named)
            gone[named - j->s.inputs] = 1;
    }
    for (size_t i = 0; rc == TIX_EXIT_OK && i < j->s.ninputs; i++)
        if (!gone[i])
            j->next[j->nnext++] = j->s.inputs[i];
    for (int i = 0; rc == TIX_EXIT_OK && i < a->nfiles; i++) {
        j->is_new[j->nnext] = 1;
        j->next[j->nnext++] = j->fresh[i];
    }
    free(gone);
    return rc;
}

static void report_inputs(const job *j, const pub_args *a)
{
    for (int i = 0; !a->quiet && i < a->nfiles; i++) {
        const tix_counts *c = &j->fresh[i].counts;
        fputs("techidx: ", stderr);
        term_puts(stderr, a->files[i]);
        fprintf(stderr, ": %" PRIu64 " rows read: %" PRIu64 " accepted, %" PRIu64 " rejected\n",
                c->read, c->accepted, c->rejected);
    }
}

/* All the inputs after this publish, merged from their parts; the state's
 * own parts are checked against the SHA-256 it recorded. */
static int merge_parts(job *j)
{
    char **paths = calloc(j->nnext + 1, sizeof *paths);
    int rc = paths ? TIX_EXIT_OK : TIX_EXIT_FAIL;
    char *dir_parts = state_path(&j->s, "parts");
    for (size_t i = 0; rc == TIX_EXIT_OK && i < j->nnext; i++) {
        char name[SHA256_HEX + 8], hex[SHA256_HEX];
        uint64_t size;
        snprintf(name, sizeof name, "%s.tic", j->next[i].sha256);
        if (!dir_parts || !(paths[i] = path_join(j->is_new[i] ? j->jn.parts : dir_parts, name))) {
            rc = TIX_EXIT_FAIL;
        } else if (!j->is_new[i] && sha256_file(paths[i], hex, &size) != 0) {
            term_error(paths[i], 0, "cannot read the part of %s: %s", j->next[i].name,
                       strerror(errno));
            rc = TIX_EXIT_FAIL;
        } else if (!j->is_new[i] && strcmp(hex, j->next[i].part_sha256) != 0) {
            term_error(paths[i], 0,
                       "is not the part the state recorded for %s (its SHA-256 differs): it was "
                       "replaced or damaged; publish --replace that dump to rebuild it",
                       j->next[i].name);
            rc = TIX_EXIT_FAIL;
        }
    }
    if (rc == TIX_EXIT_OK)
        rc = parts_load(&j->merged, paths, (int)j->nnext, &j->o.cfg.engine, "publish");
    for (size_t i = 0; paths && i < j->nnext; i++)
        free(paths[i]);
    free(paths);
    free(dir_parts);
    return rc;
}

/* Late contracts still revise the periods that end within this many days
 * of a release's end, and the last period in any case: they are flagged
 * provisional unless `provisional` says otherwise. */
#define PROVISIONAL_DAYS 28

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
    char d_last[TIX_PERIOD_LABEL_MAX], w_label[TIX_PERIOD_LABEL_MAX];
    tix_date_format(last_day, d_last);
    if (a->week) {
        tix_period_parse(TIX_PERIOD_WEEK, a->week, &week); /* checked by the caller */
        if (tix_period_first_day(TIX_PERIOD_WEEK, week) > last_day && !a->c.force) {
            term_error(NULL, 0,
                       "--week %s begins after the newest signing date, %s: its release would "
                       "have no contracts of its own (--force publishes it)",
                       a->week, d_last);
            return TIX_EXIT_FAIL;
        }
    } else {
        week = tix_period_of_day(TIX_PERIOD_WEEK, last_day);
        if (tix_period_first_day(TIX_PERIOD_WEEK, week) + 6 != last_day)
            week--; /* the last week is not over yet */
        /* A new dump whose newest signing date is after its own date (a
         * typo such as 2095-02-19) would pick a week in the future. */
        for (int i = 0; i < a->nfiles && !a->c.force; i++)
            if (j->fresh[i].first_day <= j->fresh[i].last_day &&
                j->fresh[i].last_day == last_day && last_day > j->dump_day[i]) {
                char d_own[TIX_PERIOD_LABEL_MAX];
                tix_date_format(j->dump_day[i], d_own);
                tix_period_label(TIX_PERIOD_WEEK, week, w_label);
                term_error(a->files[i], 0,
                           "its newest signing date, %s, is after the dump's own date, %s, and "
                           "would make this release %s: give the release's --week (or --force "
                           "to publish %s)",
                           d_last, d_own, w_label, w_label);
                return TIX_EXIT_FAIL;
            }
    }
    tix_period_label(TIX_PERIOD_WEEK, week, j->week);
    int32_t sunday = tix_period_first_day(TIX_PERIOD_WEEK, week) + 6;
    j->o.cfg.index.has_until = 1;
    tix_period_kind kind = j->o.cfg.engine.period;
    j->o.cfg.index.until = tix_period_of_day(kind, sunday + 1) - 1;
    if (!tix_config_given(&j->o.cfg, tix_option_find("provisional", TIX_CMD_INIT))) {
        /* The periods ending in the release's last 4 weeks. */
        size_t k = 0;
        for (int32_t p = j->o.cfg.index.until;
             tix_period_first_day(kind, p + 1) - 1 > sunday - PROVISIONAL_DAYS; p--)
            k++;
        j->o.cfg.index.provisional = k ? k : 1; /* the last one at least */
    }
    if (pipe_index(&j->o, j->merged.cube, &j->ix) != TIX_EXIT_OK)
        return TIX_EXIT_FAIL;
    if (j->ix->nrows == 0) {
        fprintf(stderr, "techidx: no complete period by the end of %s\n", j->week);
        return TIX_EXIT_FAIL;
    }
    return TIX_EXIT_OK;
}

/* The figures of the release that this one replaces, when it publishes
 * again a week released before the last one: its index.csv as published,
 * which state.json's SHA-256 vouches for. Without it (a folder deleted or
 * edited, or a state from before 0.2.0) revisions compare with the last
 * release, and stderr says so. *figs stays NULL for a new week or the last
 * one again (whose figures state.json holds). */
static int replaced_figures(job *j, state_figures **figs, size_t *n)
{
    *figs = NULL;
    *n = 0;
    j->compared = j->s.nreleases ? j->s.releases[j->s.nreleases - 1] : NULL;
    size_t k = 0;
    while (k < j->s.nreleases && strcmp(j->s.releases[k], j->week) != 0)
        k++;
    if (k + 1 >= j->s.nreleases) /* not released before, or the last release */
        return TIX_EXIT_OK;
    char rel[TIX_PERIOD_LABEL_MAX + 32], hex[SHA256_HEX], err[512];
    snprintf(rel, sizeof rel, "releases/%s/index.csv", j->week);
    char *path = state_path(&j->s, rel);
    uint64_t size;
    if (!path) {
        fprintf(stderr, "techidx: out of memory\n");
        return TIX_EXIT_FAIL;
    }
    int ok = j->s.release_sha[k][0] && sha256_file(path, hex, &size) == 0 &&
             strcmp(hex, j->s.release_sha[k]) == 0 &&
             release_load_figures(path, figs, n, err, sizeof err) == 0;
    free(path);
    if (!ok) {
        free(*figs);
        *figs = NULL;
        *n = 0;
        term_error(j->s.dir, 0,
                   "%s is missing or not the one published: revisions compare with the last "
                   "release, %s",
                   rel, j->s.releases[j->s.nreleases - 1]);
    } else {
        j->compared = j->s.releases[k];
        if (!j->o.cfg.quiet)
            term_error(j->s.dir, 0,
                       "revisions compare with the release of %s that this one replaces",
                       j->week);
    }
    return TIX_EXIT_OK;
}

/* index.html, from the release's files written so far; its revisions
 * are against j->compared (replaced_figures). */
static int page(const job *j, const char *rel)
{
    char err[1024];
    html_opts ho = {j->o.cfg.lang == LANG_ZH ? LANG_ZH : LANG_EN, j->labels, j->week,
                    j->compared, 0};
    for (size_t i = 0; i < j->s.nreleases; i++)
        if (strcmp(j->s.releases[i], j->week) == 0)
            ho.replaces = 1;
    int rc = release_html(rel, &ho, err, sizeof err) == 0 ? TIX_EXIT_OK : TIX_EXIT_FAIL;
    if (rc != TIX_EXIT_OK)
        fprintf(stderr, "techidx: index.html: %s\n", err);
    return rc;
}

/* The release's files, in the work directory. */
static int write_release(job *j)
{
    char err[1024];
    int chained = j->o.cfg.index.chain == TIX_CHAIN_CHAINED &&
                  !tix_method_is_multilateral(j->o.cfg.index.method);
    const char *rel = j->jn.release;
    char *p_csv = path_join(rel, "index.csv"), *p_json = path_join(rel, "index.json"),
         *p_cells = path_join(rel, "cells.csv"),
         *p_contrib = chained ? path_join(rel, "contributions.csv") : NULL,
         *p_rev = path_join(rel, "revisions.csv"), *p_chart = path_join(rel, "chart.svg"),
         *p_groups = j->o.cfg.group ? path_join(rel, "groups.csv") : NULL,
         *p_xlsx = path_join(rel, "index.xlsx");
    int rc = TIX_EXIT_FAIL;
    if (!p_csv || !p_json || !p_cells || (chained && !p_contrib) || !p_rev || !p_chart ||
        (j->o.cfg.group && !p_groups) || !p_xlsx)
        goto done;
    const tix_tic_meta *m = &j->merged.meta; /* its names sorted */
    tix_run_info info;
    tix_parts_run_info(&info, m);
    pipe_outputs po = {p_csv, p_json, p_cells, p_contrib, p_groups};
    if (pipe_write(&j->o, j->merged.cube, j->ix, &info, &po) != TIX_EXIT_OK)
        goto done;
    /* Revisions against the figures last published, which state.json keeps
     * (a release folder deleted or edited by hand changes nothing), or, when
     * an older week is published again, against the release it replaces. */
    state_figures *replaced = NULL;
    size_t nreplaced = 0;
    if (replaced_figures(j, &replaced, &nreplaced) != TIX_EXIT_OK)
        goto done;
    int rrc = release_revisions(replaced ? replaced : j->s.published,
                                replaced ? nreplaced : j->s.npublished, p_csv, p_rev, j->o.cfg.bom,
                                &j->revised, &j->figs, &j->nfigs, err, sizeof err);
    free(replaced);
    if (rrc != 0) {
        fprintf(stderr, "techidx: revisions: %s\n", err);
        goto done;
    }
    uint64_t size;
    if (sha256_file(p_csv, j->index_sha, &size) != 0) {
        fprintf(stderr, "techidx: %s: %s\n", p_csv, strerror(errno));
        goto done;
    }
    char title[128];
    lang_id lang = (lang_id)j->o.cfg.lang;
    snprintf(title, sizeof title, LANG_PICK(lang, "%s, release %s", "%s（%s 发布）"),
             labels_series(lang, SERIES_TITLE), j->week);
    chart_opts co = {title, lang, j->labels, CHART_SVG, NULL};
    if (chart_from_csv(p_csv, p_cells, 104, &co, p_chart, err, sizeof err) != 0) {
        fprintf(stderr, "techidx: chart: %s\n", err);
        goto done;
    }
    if (page(j, rel) != TIX_EXIT_OK)
        goto done;
    /* The workbook of the release's own files, as they were written. */
    char book_title[256];
    snprintf(book_title, sizeof book_title, "%s%s%s%s", labels_series(lang, SERIES_TITLE),
             LANG_PICK(lang, ", release ", "（"), j->week, LANG_PICK(lang, "", " 期发布）"));
    xlsx_input xi = {.index = p_csv,
                     .cells = p_cells,
                     .contributions = p_contrib,
                     .groups = p_groups,
                     .revisions = p_rev,
                     .lang = lang,
                     .title = book_title,
                     .labels = j->labels,
                     .tmpdir = rel}; /* what a kill leaves there goes with the work */
    if (xlsx_write(p_xlsx, &xi, err, sizeof err) != 0) {
        fprintf(stderr, "techidx: index.xlsx: %s\n", err);
        goto done;
    }
    if (release_manifest(rel, j->week, j->next, j->nnext, err, sizeof err) != 0) {
        fprintf(stderr, "techidx: MANIFEST: %s\n", err);
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
    free(p_groups);
    free(p_xlsx);
    return rc;
}

/* The next state.json, in the work directory, then the commit. */
static int commit(job *j, const char *dir)
{
    char err[1024];
    state next = j->s;
    next.inputs = j->next;
    next.ninputs = j->nnext;
    char **rels = calloc(j->s.nreleases + 2, sizeof *rels);
    char(*shas)[SHA256_HEX] = calloc(j->s.nreleases + 2, sizeof *shas);
    if (!rels || !shas) {
        free(rels);
        free(shas);
        fprintf(stderr, "techidx: out of memory\n");
        return TIX_EXIT_FAIL;
    }
    size_t nr = 0;
    for (size_t i = 0; i < j->s.nreleases; i++)
        if (strcmp(j->s.releases[i], j->week) != 0) {
            memcpy(shas[nr], j->s.release_sha[i], SHA256_HEX);
            rels[nr++] = j->s.releases[i];
        }
    memcpy(shas[nr], j->index_sha, SHA256_HEX);
    rels[nr++] = j->week;
    next.releases = rels;
    next.release_sha = shas;
    next.nreleases = nr;
    next.published = j->figs;
    next.npublished = j->nfigs;
    next.last = j->req;
    char *path = path_join(j->jn.work, "state.json");
    int rc = path ? state_write(&next, path, err, sizeof err) : -1;
    free(path);
    free(rels);
    free(shas);
    if (rc != 0) {
        term_error(dir, 0, "%s", path ? err : "out of memory");
        return TIX_EXIT_FAIL;
    }
    rc = journal_commit(&j->jn, err, sizeof err);
    if (rc < 0) {
        term_error(dir, 0, "%s; nothing was changed", err);
        return TIX_EXIT_FAIL;
    }
    if (rc > 0) {
        term_error(dir, 0,
                   "the release is committed but not all in place (%s); the next "
                   "publish completes it",
                   err);
        return TIX_EXIT_FAIL;
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
    char err[1024];
    int rc = open_job(&j, a);
    if (rc == TIX_EXIT_OK)
        rc = check_files(a);
    if (rc == TIX_EXIT_OK && journal_begin(&j.jn, a->dir, err, sizeof err) != 0) {
        term_error(a->dir, 0, "%s", err);
        rc = TIX_EXIT_FAIL;
    }
    if (rc == TIX_EXIT_OK)
        rc = ingest_all(&j, a);
    if (rc == TIX_EXIT_OK)
        rc = make_request(&j, a);
    if (rc == TIX_EXIT_OK && j.s.last.nfiles > 0 && state_request_equal(&j.req, &j.s.last)) {
        /* Asked again, as after a crash: what it asked for is done. */
        if (!a->quiet)
            fprintf(stderr, "techidx: release %s is up to date: this publish was made already\n",
                    j.s.nreleases ? j.s.releases[j.s.nreleases - 1] : "?");
        job_free(&j, a->nfiles);
        return TIX_EXIT_OK;
    }
    if (rc == TIX_EXIT_OK)
        rc = plan_inputs(&j, a);
    if (rc == TIX_EXIT_OK)
        report_inputs(&j, a);
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
    job_free(&j, a->nfiles);
    return rc;
}

int tix_cli_publish(int argc, char **argv)
{
    pub_args a;
    memset(&a, 0, sizeof a);
    int rc = parse(argc, argv, &a);
    if (rc == 0)
        rc = a.init ? init(&a) : a.status ? status(&a) : publish(&a);
    else if (rc < 0)
        rc = TIX_EXIT_OK;
    tix_config_clear(&a.c);
    return rc;
}
