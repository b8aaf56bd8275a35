/* Parsing the options shared by run, cube, index and publish. */
#include "cli/runopts.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

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
    OPT_WINSOR_WINDOW
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
    int c;
    int li = -1;
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
    int geks = o->index.method == TIX_METHOD_GEKS_FISHER ||
               o->index.method == TIX_METHOD_GEKS_TORNQVIST;
    if (geks && o->chain_given)
        return usage_error("--chain applies to bilateral methods; GEKS is neither chained nor "
                           "fixed-base (see --window and --splice)");
    if (!geks && o->geks_given)
        return usage_error("--window and --splice apply to the GEKS methods only");
    if (o->contributions && (geks || o->index.chain != TIX_CHAIN_CHAINED))
        return usage_error("--contributions decomposes chained links: use --chain chained and a "
                           "bilateral --method");
    const char *named[] = {o->output, o->cells, o->rejects, o->contributions};
    for (size_t i = 0; i < 4; i++)
        for (size_t k = i + 1; k < 4; k++)
            if (named[i] && named[k] && strcmp(named[i], "-") != 0 &&
                strcmp(named[i], named[k]) == 0)
                return usage_error("output file '%s' is named twice", named[i]);
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
