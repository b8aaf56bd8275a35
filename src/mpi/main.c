/* techidx-mpi: techidx run over MPI ranks.
 *
 *   mpirun -np N techidx-mpi run [run options] FILE...
 *
 * Rank 0 gives each file to a rank, the largest files first to the least
 * loaded rank. Each rank reads its files with its own threads into a cube
 * and keeps its rejected rows file by file. The cubes travel to rank 0 as
 * .tic bytes, with the rejects and the status of each rank; rank 0 merges
 * the cubes (exactly), writes the rejects in the files' order, and
 * computes and writes the index through the same code as techidx run, so
 * the bytes are those of `techidx run` on the same files. A rank that
 * fails fails the job, named with its file. */
#define _GNU_SOURCE /* sched_getaffinity */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <inttypes.h>
#include <limits.h>
#include <mpi.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cleanup.h"
#include "cli/cli.h"
#include "cli/outfile.h"
#include "cli/pipeline.h"
#include "cli/runopts.h"
#include "cli/stdfds.h"
#include "cli/term.h"

#define MPI_HEAD                                                                                   \
    "Usage: mpirun -np N techidx-mpi run [OPTIONS] FILE...\n"                                      \
    "techidx run spread over MPI ranks: files go to ranks by size (largest first\n"                \
    "to the least loaded rank), each rank aggregates its share with its own\n"                     \
    "threads (--threads, default the cores of its node shared among the node's\n"                  \
    "ranks), the aggregates meet on rank 0, which writes exactly what techidx run\n"               \
    "writes for the same files. Options: those of techidx run.\n"                                  \
    "A failed rank fails the job, with the rank and the file named.\n"

static const args_help mpi_help = {
    .head = MPI_HEAD "\n",
    .limits = "Limits (the run stops with a message naming the limit when one is hit):",
};

/* What a rank sends rank 0: its status, its message, its cube and its
 * rejects (the rows of each of its files, in its files' order). */
typedef struct share {
    int failed;
    char message[768];
    char *tic;
    size_t tic_len;
    char **rejects; /* per assigned file */
    size_t *rejects_len;
} share;

/* Gathers variable-length bytes from every rank to rank 0: *all (rank 0
 * only, caller frees) and each rank's length. */
static int gather_bytes(const char *mine, size_t len, int rank, int size, char **all, int **lens,
                        int **offs)
{
    int n = len > INT_MAX ? -1 : (int)len;
    *all = NULL;
    *lens = *offs = NULL;
    if (rank == 0) {
        *lens = calloc((size_t)size, sizeof **lens);
        *offs = calloc((size_t)size, sizeof **offs);
        if (!*lens || !*offs)
            MPI_Abort(MPI_COMM_WORLD, TIX_EXIT_FAIL);
    }
    MPI_Gather(&n, 1, MPI_INT, rank == 0 ? *lens : NULL, 1, MPI_INT, 0, MPI_COMM_WORLD);
    /* Rank 0 decides for all whether the bytes fit one message. */
    int ok = 1;
    if (rank == 0) {
        long long total = 0;
        for (int r = 0; r < size; r++) {
            ok &= (*lens)[r] >= 0;
            (*offs)[r] = (int)(total < INT_MAX ? total : 0);
            total += (*lens)[r] > 0 ? (*lens)[r] : 0;
        }
        ok &= total <= INT_MAX && (*all = malloc(total ? (size_t)total : 1)) != NULL;
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!ok)
        return -1;
    MPI_Gatherv(mine, n, MPI_CHAR, rank == 0 ? *all : NULL, rank == 0 ? *lens : NULL,
                rank == 0 ? *offs : NULL, MPI_CHAR, 0, MPI_COMM_WORLD);
    return 0;
}

/* The files' ranks: largest first to the rank with the least bytes so far
 * (ties: the lower file index, the lower rank). */
static void assign(const uint64_t *sizes, int n, int ranks, int *owner)
{
    uint64_t load[4096];
    int *order = malloc((size_t)n * sizeof *order);
    for (int r = 0; r < ranks && r < 4096; r++)
        load[r] = 0;
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = 1; i < n; i++) /* insertion sort: stable, by size descending */
        for (int k = i; k > 0 && sizes[order[k]] > sizes[order[k - 1]]; k--) {
            int t = order[k];
            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    for (int i = 0; i < n; i++) {
        int best = 0;
        for (int r = 1; r < ranks && r < 4096; r++)
            if (load[r] < load[best])
                best = r;
        owner[order[i]] = best;
        load[best] += sizes[order[i]];
    }
    free(order);
}

/* The ranks sharing this node, to share its cores. */
static int node_ranks(void)
{
    MPI_Comm node;
    int n = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_size(node, &n);
        MPI_Comm_free(&node);
    }
    return n;
}

/* The engine's reject callback: the rows of a rejects file, into the
 * tix_membuf ctx (never a terminal: nothing to escape). */
static tix_status reject_to_mem(void *ctx, const tix_reject *rej)
{
    return tix_write_reject_fn(tix_membuf_write, ctx, rej);
}

/* This rank's part of the work. */
static void work(const run_opts *o, const int *owner, int rank, share *sh)
{
    tix_engine *e = NULL;
    tix_membuf rows = {NULL, 0, 0}; /* the rejects of the file being read */
    tix_status st =
        tix_engine_new(&e, &o->cfg.engine, o->cfg.rejects ? reject_to_mem : NULL, &rows);
    if (st != TIX_OK) {
        sh->failed = 1;
        snprintf(sh->message, sizeof sh->message, "%s", tix_strerror(st));
        return;
    }
    size_t k = 0;
    char **mine = calloc((size_t)o->nfiles + 1, sizeof *mine);
    for (int i = 0; mine && i < o->nfiles; i++) {
        if (owner[i] != rank)
            continue;
        mine[k] = o->files[i];
        st = tix_engine_add_file(e, o->files[i]);
        sh->rejects[k] = rows.data; /* now the share's */
        sh->rejects_len[k] = rows.len;
        rows = (tix_membuf){NULL, 0, 0};
        k++;
        if (st != TIX_OK) {
            const tix_error *err = tix_engine_error(e);
            char why[sizeof err->message + 64]; /* the library's `name` as --name */
            tix_config_message(err->message, "--", '-', why, sizeof why);
            sh->failed = 1;
            if (err->line)
                snprintf(sh->message, sizeof sh->message, "%s:%" PRIu64 ": %s", err->input,
                         err->line, why);
            else
                snprintf(sh->message, sizeof sh->message, "%s: %s", err->input, why);
            break;
        }
    }
    if (!mine) {
        sh->failed = 1;
        snprintf(sh->message, sizeof sh->message, "out of memory");
    }
    if (!sh->failed) {
        tix_cube *c = tix_engine_cube(e);
        tix_tic_meta m = pipe_tic_meta(&o->cfg.engine, c, tix_engine_counts(e), mine, k);
        tix_membuf tic = {NULL, 0, 0};
        st = tix_cube_finalize(c);
        if (st == TIX_OK)
            st = tix_tic_write_fn(tix_membuf_write, &tic, c, &m);
        sh->tic = tic.data; /* freed with the share, whatever happened */
        sh->tic_len = tic.len;
        if (st != TIX_OK) {
            sh->failed = 1;
            snprintf(sh->message, sizeof sh->message, "%s", tix_strerror(st));
        }
    }
    free(mine);
    tix_engine_free(e);
}

/* Rank 0: the cubes merged, the rejects in order, the outputs. */
static int finish(run_opts *o, const int *owner, int size, const char *tics, const int *tlen,
                  const int *toff, const char *rej, const int *rlen, const int *roff)
{
    int rc = TIX_EXIT_FAIL;
    tix_index *ix = NULL;
    (void)rlen; /* each rank's block says its own lengths */
    /* The ranks' cubes merged as techidx merge merges parts: the same
     * checks, and the input names sorted. A rank's files are its own, and
     * repeats were refused on the command line already. */
    tix_parts_opts popts;
    tix_parts_opts_from_config(&popts, &o->cfg);
    popts.max_memory = SIZE_MAX; /* the ranks kept within theirs */
    popts.allow_repeats = 1;
    tix_parts *parts = NULL;
    tix_status st = tix_parts_new(&parts, &popts);
    for (int r = 0; r < size && st == TIX_OK; r++) {
        char name[32];
        snprintf(name, sizeof name, "rank %d", r);
        st = tix_parts_add_mem(parts, name, tics + toff[r], (size_t)tlen[r]);
    }
    if (st == TIX_OK)
        st = tix_parts_finish(parts);
    if (st != TIX_OK) {
        const tix_parts_failure *f = parts ? tix_parts_error(parts) : NULL;
        char msg[1024];
        fprintf(stderr, "techidx-mpi: %s%s%s\n",
                f && f->part != TIX_PARTS_NONE ? tix_parts_name(parts, f->part) : "",
                f && f->part != TIX_PARTS_NONE ? ": " : "",
                f && f->message[0] ? tix_config_message(f->message, "--", '-', msg, sizeof msg)
                                   : tix_strerror(st));
        tix_parts_free(parts);
        return TIX_EXIT_FAIL;
    }
    tix_cube *all = tix_parts_cube(parts);
    const tix_tic_meta *mp = tix_parts_meta(parts);
    if (o->cfg.rejects) {
        /* Each rank's rejects are its files' rows one file after another;
         * the file boundaries come as a table of lengths at the front. */
        outfile rf;
        if (pipe_open(&rf, o->cfg.rejects) != 0)
            goto done;
        tix_write_rejects_header(rf.f);
        size_t *at = calloc((size_t)size, sizeof *at);
        for (int i = 0; at && i < o->nfiles; i++) {
            int r = owner[i];
            const char *base = rej + roff[r];
            uint64_t nfiles_r;
            memcpy(&nfiles_r, base, sizeof nfiles_r);
            /* the k-th file of rank r: lengths follow the count */
            size_t k = at[r]++;
            uint64_t len, off = 8 + 8 * nfiles_r;
            for (size_t q = 0; q < k; q++) {
                uint64_t l;
                memcpy(&l, base + 8 + 8 * q, sizeof l);
                off += l;
            }
            memcpy(&len, base + 8 + 8 * k, sizeof len);
            fwrite(base + off, 1, (size_t)len, rf.f);
        }
        free(at);
        if (outfile_commit(&rf) != 0) {
            term_error(o->cfg.rejects, 0, "cannot write: %s", strerror(errno));
            goto done;
        }
    }
    if (!o->cfg.quiet)
        pipe_report(&mp->counts);
    if (pipe_reject_limits(o, &mp->counts) != TIX_EXIT_OK)
        goto done;
    if (pipe_index(o, all, &ix) != TIX_EXIT_OK)
        goto done;
    tix_run_info info;
    tix_parts_run_info(&info, mp);
    pipe_outputs po = {o->cfg.format == 1 ? NULL : runopts_output(o),
                       o->cfg.format == 1 ? runopts_output(o) : NULL, o->cfg.cells,
                       o->cfg.contributions, o->cfg.groups};
    rc = o->cfg.format == 2 ? pipe_write_xlsx(o, all, ix, &info, &po)
                            : pipe_write(o, all, ix, &info, &po);
done:
    tix_index_free(ix);
    tix_parts_free(parts);
    return rc;
}

int main(int argc, char **argv)
{
    /* As techidx (src/cli/main.c); the signal handlers after MPI_Init,
     * so that they are ours whatever it installs. */
    if (stdfds_ensure() != 0)
        return TIX_EXIT_FAIL;
    gsl_set_error_handler_off();
    MPI_Init(&argc, &argv);
    cleanup_init();
    signal(SIGXFSZ, SIG_IGN);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int rc = TIX_EXIT_OK;
    /* Only rank 0 speaks about the command line. */
    int saved = -1, saved_out = -1;
    if (rank != 0) {
        fflush(stderr);
        fflush(stdout);
        saved = dup(STDERR_FILENO);
        saved_out = dup(STDOUT_FILENO); /* --help and --version too */
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            dup2(fileno(null), STDERR_FILENO);
            dup2(fileno(null), STDOUT_FILENO);
            fclose(null);
        }
    }
    run_opts o;
    memset(&o, 0, sizeof o);
    if (argc < 2 || strcmp(argv[1], "run") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            if (rank == 0)
                fputs(MPI_HEAD, stdout);
        } else {
            fputs("techidx-mpi: the command is 'run' (techidx-mpi --help)\n", stderr);
            rc = TIX_EXIT_USAGE;
        }
        goto out;
    }
    int prc = runopts_parse(argc - 1, argv + 1, &o, TIX_CMD_RUN, RUNOPTS_FILES | RUNOPTS_REPEATS,
                            &mpi_help);
    if (saved >= 0) {
        fflush(stderr);
        fflush(stdout);
        dup2(saved, STDERR_FILENO);
        dup2(saved_out, STDOUT_FILENO);
        close(saved);
        close(saved_out);
        saved = saved_out = -1;
    }
    if (prc != 0) {
        rc = prc < 0 ? TIX_EXIT_OK : prc;
        goto out;
    }
    if (o.cfg.engine.dedup) {
        if (rank == 0)
            fputs("techidx-mpi: --dedup cannot hold across ranks; use techidx run --dedup\n",
                  stderr);
        rc = TIX_EXIT_USAGE;
        goto out;
    }
    /* Threads: given, or the cores this rank may run on (mpirun binds a
     * rank to a core by default), at most its share of the node's. */
    if (!tix_config_given(&o.cfg, tix_option_find("threads", TIX_CMD_RUN))) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        long per = cores / node_ranks();
        cpu_set_t set;
        if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) < per)
            per = CPU_COUNT(&set);
        o.cfg.engine.threads = per > 1 ? (unsigned)per : 1;
    }
    o.cfg.quiet = o.cfg.quiet || rank != 0;
    /* Sizes from rank 0, the same assignment everywhere. */
    uint64_t *sizes = calloc((size_t)o.nfiles, sizeof *sizes);
    int *owner = calloc((size_t)o.nfiles, sizeof *owner);
    if (!sizes || !owner)
        MPI_Abort(MPI_COMM_WORLD, TIX_EXIT_FAIL);
    if (rank == 0)
        for (int i = 0; i < o.nfiles; i++) {
            struct stat st;
            sizes[i] = stat(o.files[i], &st) == 0 ? (uint64_t)st.st_size : 0;
        }
    MPI_Bcast(sizes, o.nfiles, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    assign(sizes, o.nfiles, size, owner);

    share sh;
    memset(&sh, 0, sizeof sh);
    sh.rejects = calloc((size_t)o.nfiles + 1, sizeof *sh.rejects);
    sh.rejects_len = calloc((size_t)o.nfiles + 1, sizeof *sh.rejects_len);
    if (!sh.rejects || !sh.rejects_len)
        MPI_Abort(MPI_COMM_WORLD, TIX_EXIT_FAIL);
    work(&o, owner, rank, &sh);

    /* Statuses first: if any rank failed, rank 0 says which and all stop. */
    char *msgs = rank == 0 ? calloc((size_t)size, sizeof sh.message) : NULL;
    int *fails = rank == 0 ? calloc((size_t)size, sizeof *fails) : NULL;
    MPI_Gather(&sh.failed, 1, MPI_INT, fails, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Gather(sh.message, (int)sizeof sh.message, MPI_CHAR, msgs, (int)sizeof sh.message, MPI_CHAR,
               0, MPI_COMM_WORLD);
    int any = 0;
    if (rank == 0)
        for (int r = 0; r < size; r++)
            if (fails[r]) {
                fprintf(stderr, "techidx-mpi: rank %d: ", r);
                term_puts(stderr, msgs + (size_t)r * sizeof sh.message);
                fputc('\n', stderr);
                any = 1;
            }
    MPI_Bcast(&any, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (any) {
        rc = TIX_EXIT_FAIL;
    } else {
        /* The rejects: a count, the lengths, then the rows, file by file. */
        size_t k = 0, rejbytes = 8;
        for (int i = 0; i < o.nfiles; i++)
            if (owner[i] == rank)
                rejbytes += 8 + sh.rejects_len[k++];
        char *rj = malloc(rejbytes);
        if (!rj)
            MPI_Abort(MPI_COMM_WORLD, TIX_EXIT_FAIL);
        uint64_t nk = k;
        memcpy(rj, &nk, 8);
        size_t at = 8 + 8 * k;
        for (size_t q = 0; q < k; q++) {
            uint64_t l = sh.rejects_len[q];
            memcpy(rj + 8 + 8 * q, &l, 8);
            if (l)
                memcpy(rj + at, sh.rejects[q], l);
            at += l;
        }
        char *tics, *rejs;
        int *tlen, *toff, *rlen, *roff;
        int bad = gather_bytes(sh.tic, sh.tic_len, rank, size, &tics, &tlen, &toff) != 0;
        bad |= gather_bytes(rj, rejbytes, rank, size, &rejs, &rlen, &roff) != 0;
        free(rj);
        if (rank == 0)
            rc = bad ? TIX_EXIT_FAIL : finish(&o, owner, size, tics, tlen, toff, rejs, rlen, roff);
        if (rank == 0) {
            free(tics);
            free(tlen);
            free(toff);
            free(rejs);
            free(rlen);
            free(roff);
        }
        MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    }
    for (int i = 0; i < o.nfiles; i++)
        free(sh.rejects[i]);
    free(sh.rejects);
    free(sh.rejects_len);
    free(sh.tic);
    free(msgs);
    free(fails);
    free(sizes);
    free(owner);
out:
    if (saved >= 0) {
        dup2(saved, STDERR_FILENO);
        dup2(saved_out, STDOUT_FILENO);
        close(saved);
        close(saved_out);
    }
    runopts_free(&o);
    MPI_Finalize();
    return rc;
}
