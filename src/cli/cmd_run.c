/* techidx run: files in, index out. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/outfile.h"
#include "cli/term.h"
#include "techidx.h"

static const char run_help[] =
    "Usage: techidx run [OPTIONS] FILE...\n"
    "Compute the technology trading index from contract dumps.\n"
    "FILE is gzip (detected by content) or plain CSV; '-' reads stdin.\n"
    "Several files form one dataset.\n"
    "\n"
    "  --period P      day|week|month|quarter|year (default week; ISO weeks)\n"
    "  --by DIM        sector|contract_type|buyer_region|seller_region\n"
    "                  the cells whose values weight the index (default sector)\n"
    "  --measure M     tech_amount|amount (default tech_amount)\n"
    "  --method M      fisher|laspeyres|paasche|tornqvist|walsh, or the multilateral\n"
    "                  geks-fisher|geks-tornqvist (default fisher)\n"
    "  --chain C       chained|fixed: link consecutive periods, or compare each\n"
    "                  with the base directly (default chained; not with GEKS)\n"
    "  --window W      GEKS window in periods with data (default 53 weeks, 13\n"
    "                  months, 5 quarters or years, 366 days)\n"
    "  --splice S      mean|movement|window|half: how GEKS windows are joined\n"
    "                  (default mean); published periods never change\n"
    "  --base LABEL    period set to 100, e.g. 2024-W11 (default: first with data)\n"
    "  --winsorize Q   cap each amount at the Q quantile (0 < Q < 1, e.g. 0.99) of\n"
    "                  its cell's amounts over a trailing window; the index uses\n"
    "                  the capped values, and the contracts and value capped are\n"
    "                  reported (summary, capped_* columns)\n"
    "  --winsorize-window W\n"
    "                  periods in that window (default as --window)\n"
    "  --min-contracts K\n"
    "                  cells with fewer than K contracts in a period are suppressed:\n"
    "                  unpublished in --cells and left out of the links (default 1)\n"
    "  -o, --output F  index file (default stdout)\n"
    "  --format F      csv|json (default csv)\n"
    "  --cells F       per period x cell table with statistics and sub-indices\n"
    "  --contributions F\n"
    "                  each cell's contribution, in percentage points, to each\n"
    "                  period's change (chained bilateral methods)\n"
    "  --rejects F     rejected rows: file,line,reason,record\n"
    "  --strict        fail (exit 1) when any row is rejected; no index is written\n"
    "  --map COL=HDR   read column COL from header HDR (repeatable)\n"
    "  --from DATE, --to DATE\n"
    "                  reject signing dates outside the range (out_of_range)\n"
    "  --dedup         reject a repeated contract_id (duplicate_id), keeping the\n"
    "                  first accepted row in input order; costs 30 to 60 bytes per\n"
    "                  distinct 14-byte id (about 550 MB per 10 million ids),\n"
    "                  counted in --max-memory, and rows are then applied one by one\n"
    "  --threads N     threads (default: the number of cores); with N > 1 one reads\n"
    "                  and decompresses, and it and N - 1 more parse 2 MB blocks;\n"
    "                  the output is the same for any N\n"
    "  --inflate B     isal|zlib: gzip back end (default isal when built with it)\n"
    "  -q, --quiet     no summary on stderr\n"
    "  -h, --help      this help\n"
    "\n"
    "Limits (the run stops with a message naming the limit when one is hit):\n"
    "  --max-record-bytes N  bytes in one CSV record (default 1048576)\n"
    "  --max-fields N        fields in one record (default 10000)\n"
    "  --max-cells N         distinct values of the --by column (default 100000)\n"
    "  --max-memory MIB      memory for aggregates and --dedup (default 1024)\n"
    "\n"
    "Rejection reasons: field_count repeated_header empty_id bad_date bad_amount\n"
    "  bad_tech_amount amount_overflow tech_exceeds_amount empty_dimension\n"
    "  invalid_text unterminated_quote out_of_range duplicate_id\n"
    "Exit status: 0 success, 1 data or I/O failure (also --strict rejects),\n"
    "  2 usage error.\n";

typedef struct run_opts {
    tix_engine_opts engine;
    tix_index_opts index;
    const char *base_label;
    const char *output, *cells, *rejects, *contributions;
    int json, strict, quiet;
    int chain_given, geks_given; /* options that only some methods take */
    tix_header_map maps[TIX_COL_COUNT * 4];
    size_t nmaps;
} run_opts;

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("techidx run: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'techidx run --help'.\n", stderr);
    return TIX_EXIT_USAGE;
}

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

static int parse_args(int argc, char **argv, run_opts *o)
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
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:qh", longs, NULL)) != -1) {
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
            if (!tix_date_parse(optarg, strlen(optarg), &day))
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
            fputs(run_help, stdout);
            return -1;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error("no input files");
    if (o->engine.has_range && o->engine.from_day > o->engine.to_day)
        return usage_error("--from is after --to");
    if (o->base_label) {
        if (tix_period_parse(o->engine.period, o->base_label, &o->index.base) != TIX_OK)
            return usage_error("--base '%s' is not a label of the chosen --period", o->base_label);
        o->index.has_base = 1;
    }
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
    /* Winsorizing reads the sketch with its bucket sums. */
    o->engine.cell_stats = o->index.winsorize > 0 ? TIX_CUBE_STATS_SUMS
                           : o->cells             ? TIX_CUBE_STATS
                                                  : 0;
    return 0;
}

typedef struct reject_sink {
    FILE *f;
    int tty; /* a person reads it: escape what is not printable */
} reject_sink;

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

static tix_status write_reject(void *ctx, const tix_reject *rej)
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

static void report(const tix_counts *c)
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

static void engine_error(const tix_error *e)
{
    term_error(e->input[0] ? e->input : NULL, e->line, "%s", e->message);
}

static int open_out(outfile *f, const char *path)
{
    if (outfile_open(f, path) == 0)
        return 0;
    term_error(path, 0, "cannot write: %s", strerror(errno));
    return -1;
}

int tix_cli_run(int argc, char **argv)
{
    run_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? TIX_EXIT_OK : rc;

    int exit_code = TIX_EXIT_FAIL;
    outfile out = {0}, cells = {0}, rejects = {0}, contrib = {0};
    tix_engine *eng = NULL;
    tix_index *ix = NULL;
    char msg[256];

    if (o.rejects &&
        (open_out(&rejects, o.rejects) != 0 || tix_write_rejects_header(rejects.f) != TIX_OK))
        goto done;
    reject_sink sink = {rejects.f, rejects.f && isatty(fileno(rejects.f))};
    tix_status st = tix_engine_new(&eng, &o.engine, write_reject, &sink);
    if (st != TIX_OK) {
        fprintf(stderr, "techidx: %s\n", tix_strerror(st));
        goto done;
    }
    for (int i = optind; i < argc; i++) {
        if (tix_engine_add_file(eng, argv[i]) != TIX_OK) {
            engine_error(tix_engine_error(eng));
            goto done;
        }
    }
    const tix_counts *counts = tix_engine_counts(eng);
    if (!o.quiet)
        report(counts);
    if (o.rejects && outfile_commit(&rejects) != 0) {
        term_error(o.rejects, 0, "cannot write: %s", strerror(errno));
        goto done;
    }
    if (o.strict && counts->rejected > 0) {
        fprintf(stderr, "techidx: --strict: %" PRIu64 " row%s rejected; no index written\n",
                counts->rejected, counts->rejected == 1 ? "" : "s");
        goto done;
    }
    tix_cube *cube = tix_engine_cube(eng);
    st = tix_cube_finalize(cube);
    if (st == TIX_OK)
        st = tix_index_compute(cube, &o.index, &ix, msg, sizeof msg);
    else
        snprintf(msg, sizeof msg, "%s", tix_strerror(st));
    if (st != TIX_OK) {
        fprintf(stderr, "techidx: %s\n", msg);
        goto done;
    }
    if (o.index.winsorize > 0 && !o.quiet)
        report_winsorized(ix);
    if (o.cells) {
        if (open_out(&cells, o.cells) != 0)
            goto done;
        if (tix_write_cells_csv(cells.f, cube, ix) != TIX_OK) {
            term_error(o.cells, 0, "write failed");
            goto done;
        }
    }
    if (o.contributions) {
        if (open_out(&contrib, o.contributions) != 0)
            goto done;
        if ((st = tix_write_contributions_csv(contrib.f, cube, ix)) != TIX_OK) {
            term_error(o.contributions, 0, "write failed: %s", tix_strerror(st));
            goto done;
        }
    }
    if (open_out(&out, o.output) != 0)
        goto done;
    if (o.json) {
        tix_run_info info = {TIX_VERSION,
                             (const char *const *)(argv + optind),
                             (size_t)(argc - optind),
                             tix_column_name(o.engine.dimension),
                             tix_measure_name(o.engine.measure),
                             counts};
        st = tix_write_index_json(out.f, ix, &info);
    } else {
        st = tix_write_index_csv(out.f, ix);
    }
    if (st != TIX_OK) {
        term_error(o.output, 0, "write failed: %s", tix_strerror(st));
        goto done;
    }
    if (o.cells && outfile_commit(&cells) != 0) {
        term_error(o.cells, 0, "cannot write: %s", strerror(errno));
        goto done;
    }
    if (o.contributions && outfile_commit(&contrib) != 0) {
        term_error(o.contributions, 0, "cannot write: %s", strerror(errno));
        goto done;
    }
    if (outfile_commit(&out) != 0) {
        term_error(o.output, 0, "cannot write: %s", strerror(errno));
        goto done;
    }
    exit_code = TIX_EXIT_OK;
done:
    outfile_abort(&out);
    outfile_abort(&cells);
    outfile_abort(&rejects);
    outfile_abort(&contrib);
    tix_index_free(ix);
    tix_engine_free(eng);
    return exit_code;
}
