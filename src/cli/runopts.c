/* Parsing the options shared by run, cube, index and publish. */
#include "cli/runopts.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/paths.h"

int runopts_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "techidx %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'techidx %s --help'.\n", cmd);
    return TIX_EXIT_USAGE;
}

#define usage_error(...) runopts_usage_error(cmd, __VA_ARGS__)

/* A positive decimal count: plain digits only (strtoull alone takes "-1"). */
static int parse_count(const char *s, size_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v == 0 || v > SIZE_MAX)
        return 0;
    *out = (size_t)v;
    return 1;
}

enum {
    OPT_PERIOD = 256,
    OPT_BY,
    OPT_MEASURE,
    OPT_METHOD,
    OPT_BASE,
    OPT_FORMAT,
    OPT_CELLS,
    OPT_REJECTS,
    OPT_STRICT,
    OPT_MAP,
    OPT_FROM,
    OPT_TO,
    OPT_DEDUP,
    OPT_MAX_RECORD,
    OPT_MAX_FIELDS,
    OPT_MAX_CELLS,
    OPT_MAX_MEMORY,
    OPT_THREADS,
    OPT_INFLATE,
    OPT_CHAIN,
    OPT_WINDOW,
    OPT_SPLICE,
    OPT_MIN_CONTRACTS,
    OPT_CONTRIBUTIONS,
    OPT_WINSORIZE,
    OPT_WINSOR_WINDOW,
    OPT_ALLOW_REPEATS
};

/* The group of each option, by its getopt value. */
static unsigned group_of(int c)
{
    switch (c) {
    case OPT_PERIOD:
    case OPT_BY:
    case OPT_MEASURE:
    case OPT_FROM:
    case OPT_TO:
    case OPT_MAP:
    case OPT_DEDUP:
    case OPT_MAX_RECORD:
    case OPT_MAX_FIELDS:
    case OPT_MAX_CELLS:
        return RUNOPTS_AGGREGATE;
    case OPT_METHOD:
    case OPT_CHAIN:
    case OPT_WINDOW:
    case OPT_SPLICE:
    case OPT_BASE:
    case OPT_MIN_CONTRACTS:
    case OPT_WINSORIZE:
    case OPT_WINSOR_WINDOW:
        return RUNOPTS_INDEX;
    case 'o':
    case OPT_FORMAT:
    case OPT_CELLS:
    case OPT_CONTRIBUTIONS:
    case OPT_STRICT:
        return RUNOPTS_OUTPUTS;
    case OPT_REJECTS:
    case OPT_THREADS:
    case OPT_INFLATE:
        return RUNOPTS_READ;
    case OPT_ALLOW_REPEATS:
        return RUNOPTS_REPEATS;
    default: /* -q, -h, --max-memory (reading or merging), errors */
        return 0;
    }
}

/* Why an option of group g is not for this command. */
static const char *not_here(unsigned g)
{
    switch (g) {
    case RUNOPTS_AGGREGATE:
        return "decides how rows are aggregated: give it where the rows are read (run, cube, "
               "publish --init)";
    case RUNOPTS_INDEX:
        return "is an index option: give it where the index is computed (run, index, "
               "publish --init)";
    case RUNOPTS_OUTPUTS:
        return "names an output this command does not write";
    case RUNOPTS_REPEATS:
        return "applies to the operands of run, cube, merge and index";
    default:
        return "applies to reading CSV input files";
    }
}

/* getopt_long takes any unambiguous prefix of a long name (--per for
 * --period); techidx takes the names whole, so that what a state stores
 * and what a script says is the option itself. Returns the first argument
 * that abbreviates a name, or NULL. */
static const char *abbreviated(int argc, char **argv, const struct option *longs)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            return NULL;
        if (strcmp(a, "-o") == 0) {
            i++; /* its value may look like an option */
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            continue;
        size_t n = strcspn(a + 2, "=");
        const struct option *hit = NULL;
        for (const struct option *l = longs; l->name && !hit; l++)
            if (strlen(l->name) == n && strncmp(l->name, a + 2, n) == 0)
                hit = l;
        if (!hit) {
            for (const struct option *l = longs; l->name; l++)
                if (strncmp(l->name, a + 2, n) == 0)
                    return a;
            continue; /* unknown: getopt says so */
        }
        if (hit->has_arg == required_argument && a[2 + n] != '=')
            i++;
    }
    return NULL;
}

/* ---- files named twice ---------------------------------------------------- */

/* A name on the command line and what it is: its normalised path, and its
 * device and inode when it exists. */
typedef struct named {
    const char *name;
    const char *what; /* the option, or NULL for an operand */
    char *norm;       /* path_normalize(name), or NULL (then name is used) */
    int exists;
    dev_t dev;
    ino_t ino;
    int null; /* the null device: what goes there is dropped, so it may be
                 named any number of times (benchmarks, -o /dev/null) */
    size_t at; /* position among the operands */
} named;

static void named_init(named *n, const char *name, const char *what, size_t at)
{
    struct stat st;
    n->name = name;
    n->what = what;
    n->at = at;
    n->null = 0;
    int dash = strcmp(name, "-") == 0;
    n->norm = dash ? NULL : path_normalize(name);
    /* "-" is stdin among the operands (an output "-" is on_stdout). */
    n->exists = dash ? what == NULL && fstat(STDIN_FILENO, &st) == 0 : stat(name, &st) == 0;
    if (n->exists) {
        struct stat nul;
        n->dev = st.st_dev;
        n->ino = st.st_ino;
        n->null = S_ISCHR(st.st_mode) && stat("/dev/null", &nul) == 0 && S_ISCHR(nul.st_mode) &&
                  st.st_rdev == nul.st_rdev;
    }
}

static const char *norm_of(const named *n) { return n->norm ? n->norm : n->name; }

/* One file under two names: the same normalised path (the file need not
 * exist), or the same device and inode (links, symlinks, /dev/fd/N). */
static int one_file(const named *a, const named *b)
{
    if (a->null || b->null)
        return 0;
    return strcmp(norm_of(a), norm_of(b)) == 0 ||
           (a->exists && b->exists && a->dev == b->dev && a->ino == b->ino);
}

/* Whether the output name writes to fd 1 (outfile.h: "-" or stdout's file). */
static int on_stdout(const named *n)
{
    struct stat st;
    if (strcmp(n->name, "-") == 0)
        return 1;
    return n->exists && !n->null && fstat(STDOUT_FILENO, &st) == 0 && st.st_dev == n->dev &&
           st.st_ino == n->ino;
}

static int by_norm(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(norm_of(x), norm_of(y));
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

static int by_inode(const void *a, const void *b)
{
    const named *x = a, *y = b;
    if (x->exists != y->exists)
        return x->exists - y->exists;
    if (x->exists && x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->exists && x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

/* The first pair of operands (by the later one's position, then the
 * earlier's) that name one file, from neighbours in both sort orders:
 * n log n for thousands of dumps. Returns 0 when there is none. */
static int repeated_operand(named *ops, size_t n, size_t *first, size_t *second)
{
    int found = 0;
    for (int pass = 0; pass < 2; pass++) {
        qsort(ops, n, sizeof *ops, pass ? by_inode : by_norm);
        for (size_t i = 1; i < n; i++) {
            if (!one_file(&ops[i - 1], &ops[i]))
                continue;
            /* Within a run of equal ones, the two earliest are neighbours
             * at its start: sorted by position. */
            size_t a = ops[i - 1].at, b = ops[i].at;
            if (!found || b < *second || (b == *second && a < *first)) {
                *first = a;
                *second = b;
                found = 1;
            }
        }
    }
    return found;
}

static int check_files(const run_opts *o, const char *cmd, unsigned groups, int output_given)
{
    int rc = 0;
    size_t nops = groups & RUNOPTS_FILES ? (size_t)o->nfiles : 0;
    named outs[4];
    size_t nouts = 0;
    named *ops = calloc(nops ? nops : 1, sizeof *ops);
    if (!ops) {
        fprintf(stderr, "techidx %s: out of memory\n", cmd);
        return TIX_EXIT_FAIL;
    }
    if (groups & RUNOPTS_OUTPUTS)
        named_init(&outs[nouts++], o->output, output_given ? "-o" : "the index (stdout)", 0);
    if (o->cells)
        named_init(&outs[nouts++], o->cells, "--cells", 0);
    if (o->contributions)
        named_init(&outs[nouts++], o->contributions, "--contributions", 0);
    if (o->rejects)
        named_init(&outs[nouts++], o->rejects, "--rejects", 0);
    for (size_t i = 0; i < nouts && !rc; i++)
        for (size_t k = i + 1; k < nouts && !rc; k++) {
            if (on_stdout(&outs[i]) && on_stdout(&outs[k]))
                rc = usage_error("%s and %s both write to stdout", outs[i].what, outs[k].what);
            else if (one_file(&outs[i], &outs[k]))
                rc = usage_error("%s and %s name the same file ('%s', '%s')", outs[i].what,
                                 outs[k].what, outs[i].name, outs[k].name);
        }
    for (size_t i = 0; i < nops; i++)
        named_init(&ops[i], o->files[i], NULL, i);
    /* An output renamed onto an operand would replace it (a dump with its
     * rejects); merge may replace one of its parts. */
    for (size_t i = 0; i < nouts && !rc && !(groups & RUNOPTS_INPLACE); i++)
        for (size_t k = 0; k < nops && !rc; k++)
            if (strcmp(ops[k].name, "-") != 0 && !on_stdout(&outs[i]) &&
                one_file(&outs[i], &ops[k]))
                rc = usage_error("%s '%s' would replace the input '%s'", outs[i].what, outs[i].name,
                                 ops[k].name);
    size_t stdin_at = nops;
    for (size_t i = 0; i < nops && !rc; i++)
        if (strcmp(ops[i].name, "-") == 0) {
            if (stdin_at < nops)
                rc = usage_error("'-' (stdin) is given twice: it can be read once");
            stdin_at = i;
        }
    size_t a = 0, b = 0;
    if (!rc && (groups & RUNOPTS_REPEATS) && !o->allow_repeats &&
        repeated_operand(ops, nops, &a, &b)) {
        if (strcmp(o->files[a], o->files[b]) == 0)
            rc = usage_error("the input '%s' is given twice (--allow-repeats if it is to "
                             "count twice)",
                             o->files[a]);
        else
            rc = usage_error("'%s' and '%s' are the same input (--allow-repeats if it is to "
                             "count twice)",
                             o->files[a], o->files[b]);
    }
    for (size_t i = 0; i < nouts; i++)
        free(outs[i].norm);
    for (size_t i = 0; i < nops; i++)
        free(ops[i].norm);
    free(ops);
    return rc;
}

int runopts_parse(int argc, char **argv, run_opts *o, const char *cmd, unsigned groups,
                  const char *help)
{
    static const struct option longs[] = {
        {"period", required_argument, NULL, OPT_PERIOD},
        {"by", required_argument, NULL, OPT_BY},
        {"measure", required_argument, NULL, OPT_MEASURE},
        {"method", required_argument, NULL, OPT_METHOD},
        {"base", required_argument, NULL, OPT_BASE},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"cells", required_argument, NULL, OPT_CELLS},
        {"rejects", required_argument, NULL, OPT_REJECTS},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"map", required_argument, NULL, OPT_MAP},
        {"from", required_argument, NULL, OPT_FROM},
        {"to", required_argument, NULL, OPT_TO},
        {"dedup", no_argument, NULL, OPT_DEDUP},
        {"max-record-bytes", required_argument, NULL, OPT_MAX_RECORD},
        {"max-fields", required_argument, NULL, OPT_MAX_FIELDS},
        {"max-cells", required_argument, NULL, OPT_MAX_CELLS},
        {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"inflate", required_argument, NULL, OPT_INFLATE},
        {"chain", required_argument, NULL, OPT_CHAIN},
        {"window", required_argument, NULL, OPT_WINDOW},
        {"splice", required_argument, NULL, OPT_SPLICE},
        {"min-contracts", required_argument, NULL, OPT_MIN_CONTRACTS},
        {"contributions", required_argument, NULL, OPT_CONTRIBUTIONS},
        {"winsorize", required_argument, NULL, OPT_WINSORIZE},
        {"winsorize-window", required_argument, NULL, OPT_WINSOR_WINDOW},
        {"allow-repeats", no_argument, NULL, OPT_ALLOW_REPEATS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->engine.period = TIX_PERIOD_WEEK;
    o->engine.dimension = TIX_COL_SECTOR;
    o->engine.measure = TIX_MEASURE_TECH_AMOUNT;
    o->index.method = TIX_METHOD_FISHER;
    o->output = "-";
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->engine.threads = cores > 0 ? (unsigned)cores : 1;
    const char *abbrev = abbreviated(argc, argv, longs);
    if (abbrev)
        return usage_error("unknown option '%s' (options are not abbreviated)", abbrev);
    opterr = 0;
    optind = 1;
    int c, rc;
    int li = -1;
    int output_given = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", longs, &li)) != -1) {
        unsigned g = group_of(c);
        if (g && !(groups & g)) {
            if (c == 'o')
                return usage_error("-o %s", not_here(g));
            return usage_error("--%s %s", li >= 0 ? longs[li].name : "?", not_here(g));
        }
        li = -1;
        switch (c) {
        case OPT_PERIOD:
            if (tix_period_kind_parse(optarg, &o->engine.period) != TIX_OK)
                return usage_error("--period must be day, week, month, quarter or year, not '%s'",
                                   optarg);
            break;
        case OPT_BY: {
            tix_column col;
            if (tix_column_parse(optarg, &col) != TIX_OK ||
                (col != TIX_COL_SECTOR && col != TIX_COL_CONTRACT_TYPE &&
                 col != TIX_COL_BUYER_REGION && col != TIX_COL_SELLER_REGION))
                return usage_error(
                    "--by must be sector, contract_type, buyer_region or seller_region, not '%s'",
                    optarg);
            o->engine.dimension = col;
            break;
        }
        case OPT_MEASURE:
            if (tix_measure_parse(optarg, &o->engine.measure) != TIX_OK)
                return usage_error("--measure must be tech_amount or amount, not '%s'", optarg);
            break;
        case OPT_METHOD:
            if (tix_method_parse(optarg, &o->index.method) != TIX_OK)
                return usage_error("--method must be fisher, laspeyres, paasche, tornqvist, walsh, "
                                   "geks-fisher or geks-tornqvist, not '%s'",
                                   optarg);
            break;
        case OPT_CHAIN:
            if (tix_chain_parse(optarg, &o->index.chain) != TIX_OK)
                return usage_error("--chain must be chained or fixed, not '%s'", optarg);
            o->chain_given = 1;
            break;
        case OPT_SPLICE:
            if (tix_splice_parse(optarg, &o->index.splice) != TIX_OK)
                return usage_error("--splice must be mean, movement, window or half, not '%s'",
                                   optarg);
            o->geks_given = 1;
            break;
        case OPT_WINDOW: {
            size_t v;
            if (!parse_count(optarg, &v) || v < 2 || v > TIX_GEKS_MAX_WINDOW)
                return usage_error("--window takes a whole number from 2 to %d, not '%s'",
                                   TIX_GEKS_MAX_WINDOW, optarg);
            o->index.window = v;
            o->geks_given = 1;
            break;
        }
        case OPT_MIN_CONTRACTS: {
            size_t v;
            if (!parse_count(optarg, &v))
                return usage_error("--min-contracts takes a positive whole number, not '%s'",
                                   optarg);
            o->index.min_contracts = v;
            break;
        }
        case OPT_CONTRIBUTIONS:
            o->contributions = optarg;
            break;
        case OPT_WINSORIZE: {
            char *end;
            errno = 0;
            double q = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(q > 0 && q < 1))
                return usage_error("--winsorize takes a quantile between 0 and 1, e.g. 0.99, "
                                   "not '%s'",
                                   optarg);
            o->index.winsorize = q;
            break;
        }
        case OPT_WINSOR_WINDOW: {
            size_t v;
            if (!parse_count(optarg, &v) || v > 100000)
                return usage_error("--winsorize-window takes a whole number from 1 to 100000, "
                                   "not '%s'",
                                   optarg);
            o->index.winsor_window = v;
            break;
        }
        case OPT_BASE:
            o->base_label = optarg;
            break;
        case 'o':
            o->output = optarg;
            output_given = 1;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "csv") == 0)
                o->json = 0;
            else if (strcmp(optarg, "json") == 0)
                o->json = 1;
            else
                return usage_error("--format must be csv or json, not '%s'", optarg);
            break;
        case OPT_CELLS:
            o->cells = optarg;
            break;
        case OPT_REJECTS:
            o->rejects = optarg;
            break;
        case OPT_STRICT:
            o->strict = 1;
            break;
        case OPT_MAP: {
            char *eq = strchr(optarg, '=');
            tix_column col;
            if (!eq || eq[1] == '\0')
                return usage_error("--map takes COLUMN=HEADER, not '%s'", optarg);
            *eq = '\0';
            if (tix_column_parse(optarg, &col) != TIX_OK)
                return usage_error("--map: unknown column '%s'", optarg);
            if (o->nmaps == sizeof o->maps / sizeof o->maps[0])
                return usage_error("too many --map options");
            o->maps[o->nmaps++] = (tix_header_map){col, eq + 1};
            break;
        }
        case OPT_FROM:
        case OPT_TO: {
            int32_t day;
            if (tix_date_parse(optarg, strlen(optarg), &day) != TIX_OK)
                return usage_error("--%s takes a date YYYY-MM-DD, not '%s'",
                                   c == OPT_FROM ? "from" : "to", optarg);
            if (!o->engine.has_range) {
                o->engine.has_range = 1;
                o->engine.from_day = tix_days_from_civil(1, 1, 1);
                o->engine.to_day = tix_days_from_civil(9999, 12, 31);
            }
            *(c == OPT_FROM ? &o->engine.from_day : &o->engine.to_day) = day;
            break;
        }
        case OPT_THREADS: {
            size_t v;
            if (!parse_count(optarg, &v) || v > 1024)
                return usage_error("--threads takes a whole number from 1 to 1024, not '%s'",
                                   optarg);
            o->engine.threads = (unsigned)v;
            break;
        }
        case OPT_INFLATE:
            if (tix_inflate_parse(optarg, &o->engine.inflate) != TIX_OK)
                return usage_error("--inflate must be isal or zlib, not '%s'", optarg);
            if (!tix_inflate_available(o->engine.inflate))
                return usage_error("--inflate %s: this build has no %s", optarg, optarg);
            break;
        case OPT_DEDUP:
            o->engine.dedup = 1;
            break;
        case OPT_ALLOW_REPEATS:
            o->allow_repeats = 1;
            break;
        case OPT_MAX_RECORD:
        case OPT_MAX_FIELDS:
        case OPT_MAX_CELLS:
        case OPT_MAX_MEMORY: {
            size_t v;
            if (!parse_count(optarg, &v))
                return usage_error("--%s takes a positive whole number, not '%s'",
                                   c == OPT_MAX_RECORD   ? "max-record-bytes"
                                   : c == OPT_MAX_FIELDS ? "max-fields"
                                   : c == OPT_MAX_CELLS  ? "max-cells"
                                                         : "max-memory",
                                   optarg);
            if (c == OPT_MAX_RECORD)
                o->engine.max_record_bytes = v;
            else if (c == OPT_MAX_FIELDS)
                o->engine.max_fields = v;
            else if (c == OPT_MAX_CELLS)
                o->engine.max_cells = v;
            else if (v > SIZE_MAX >> 20)
                return usage_error("--max-memory %s MiB is more than this machine can address",
                                   optarg);
            else
                o->engine.max_memory = v << 20;
            break;
        }
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            fputs(help, stdout);
            return -1;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    if ((groups & RUNOPTS_FILES) && optind >= argc)
        return usage_error("no input files");
    if (!(groups & RUNOPTS_FILES) && optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (o->engine.has_range && o->engine.from_day > o->engine.to_day)
        return usage_error("--from is after --to");
    if (o->base_label && (groups & RUNOPTS_AGGREGATE)) { /* else the parts say the period */
        if (tix_period_parse(o->engine.period, o->base_label, &o->index.base) != TIX_OK)
            return usage_error("--base '%s' is not a label of the chosen --period", o->base_label);
        o->index.has_base = 1;
    }
    if (o->base_label)
        o->index.has_base = 1;
    int geks =
        o->index.method == TIX_METHOD_GEKS_FISHER || o->index.method == TIX_METHOD_GEKS_TORNQVIST;
    if (geks && o->chain_given)
        return usage_error("--chain applies to bilateral methods; GEKS is neither chained nor "
                           "fixed-base (see --window and --splice)");
    if (!geks && o->geks_given)
        return usage_error("--window and --splice apply to the GEKS methods only");
    if (o->contributions && (geks || o->index.chain != TIX_CHAIN_CHAINED))
        return usage_error("--contributions decomposes chained links: use --chain chained and a "
                           "bilateral --method");
    if ((rc = check_files(o, cmd, groups, output_given)) != 0)
        return rc;
    o->engine.maps = o->maps;
    o->engine.nmaps = o->nmaps;
    if (o->index.winsor_window && !(o->index.winsorize > 0))
        return usage_error("--winsorize-window needs --winsorize");
    o->engine.cell_stats = runopts_cell_stats(o);
    return 0;
}

int runopts_cell_stats(const run_opts *o)
{
    /* Winsorizing reads the sketch with its bucket sums. */
    return o->index.winsorize > 0 ? TIX_CUBE_STATS_SUMS : o->cells ? TIX_CUBE_STATS : 0;
}
