/* The option table (options.h): names, kinds, bounds and help of every
 * option of every command, and how each value lands in a tix_config. */
#include "techidx/options.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "techidx/period.h"
#include "techidx/record.h"
#include "techidx/source.h"

/* The fields options set: tix_option.id. */
enum {
    O_PERIOD,
    O_BY,
    O_MEASURE,
    O_METHOD,
    O_CHAIN,
    O_WINDOW,
    O_SPLICE,
    O_BASE,
    O_WINSORIZE,
    O_WINSOR_WINDOW,
    O_MIN_CONTRACTS,
    O_OUTPUT,
    O_FORMAT,
    O_CELLS,
    O_CONTRIBUTIONS,
    O_REJECTS,
    O_STRICT,
    O_MAP,
    O_FROM,
    O_TO,
    O_DEDUP,
    O_ALLOW_REPEATS,
    O_THREADS,
    O_INFLATE,
    O_NO_STATS,
    O_QUIET,
    O_MAX_RECORD,
    O_MAX_FIELDS,
    O_MAX_CELLS,
    O_MAX_MEMORY,
    O_STATE,
    O_INIT,
    O_STATUS,
    O_WEEK,
    O_REPLACE,
    O_TITLE,
    O_LAST,
    O_GEN_ROWS,
    O_GEN_SEED,
    O_GEN_FROM,
    O_GEN_TO,
    O_GEN_DIRTY,
    O_GEN_CHINESE,
    O_COUNT
};

#define RUN TIX_CMD_RUN
#define CUBE TIX_CMD_CUBE
#define MERGE TIX_CMD_MERGE
#define INDEX TIX_CMD_INDEX
#define PUB TIX_CMD_PUBLISH
#define INIT TIX_CMD_INIT
#define CHART TIX_CMD_CHART
#define GEN TIX_CMD_GEN
#define AGG TIX_GROUP_AGGREGATE
#define IDX TIX_GROUP_INDEX
#define OUT TIX_GROUP_OUTPUT
#define READ TIX_GROUP_READ
#define BIG 1e18 /* no upper bound: "a positive whole number" */

/* In the order of run --help; each command lists the ones it takes. */
static const tix_option table[] = {
    {"period", 0, RUN | CUBE | INIT, AGG, TIX_OPT_ENUM, "P", 0, 0, NULL, NULL,
     "day|week|month|quarter|year (default week; ISO weeks)", 0, O_PERIOD, 0},
    {"by", 0, RUN | CUBE | INIT, AGG, TIX_OPT_ENUM, "DIM", 0, 0, NULL, NULL,
     "sector|contract_type|buyer_region|seller_region\n"
     "the cells whose values weight the index (default sector)",
     0, O_BY, 0},
    {"measure", 0, RUN | CUBE | INIT, AGG, TIX_OPT_ENUM, "M", 0, 0, NULL, NULL,
     "tech_amount|amount (default tech_amount)", 0, O_MEASURE, 0},
    {"method", 0, RUN | INDEX | INIT, IDX, TIX_OPT_ENUM, "M", 0, 0, NULL, NULL,
     "fisher|laspeyres|paasche|tornqvist|walsh, or the multilateral\n"
     "geks-fisher|geks-tornqvist (default fisher)",
     0, O_METHOD, 0},
    {"chain", 0, RUN | INDEX | INIT, IDX, TIX_OPT_ENUM, "C", 0, 0, NULL, NULL,
     "chained|fixed: link consecutive periods, or compare each\n"
     "with the base directly (default chained; not with GEKS)",
     0, O_CHAIN, 0},
    {"window", 0, RUN | INDEX | INIT, IDX, TIX_OPT_COUNT, "W", 2, TIX_GEKS_MAX_WINDOW, NULL, NULL,
     "GEKS window in periods with data (default 53 weeks, 13\n"
     "months, 5 quarters or years, 366 days)",
     0, O_WINDOW, 0},
    {"splice", 0, RUN | INDEX | INIT, IDX, TIX_OPT_ENUM, "S", 0, 0, NULL, NULL,
     "mean|movement|window|half: how GEKS windows are joined\n"
     "(default mean); published periods never change",
     0, O_SPLICE, 0},
    {"base", 0, RUN | INDEX | INIT, IDX, TIX_OPT_TEXT, "LABEL", 0, 0, NULL, NULL,
     "period set to 100, e.g. 2024-W11 (default: first with data)", 0, O_BASE, 0},
    {"winsorize", 0, RUN | INDEX | INIT, IDX, TIX_OPT_REAL, "Q", 0, 1,
     "a quantile between 0 and 1, e.g. 0.99", NULL,
     "cap each amount at the Q quantile (0 < Q < 1, e.g. 0.99) of\n"
     "its cell's amounts over a trailing window; the index uses\n"
     "the capped values, and the contracts and value capped are\n"
     "reported (summary, capped_* columns)",
     0, O_WINSORIZE, 1},
    {"winsorize-window", 0, RUN | INDEX | INIT, IDX, TIX_OPT_COUNT, "W", 1, 100000, NULL, NULL,
     "periods in that window (default as --window)", 0, O_WINSOR_WINDOW, 0},
    {"min-contracts", 0, RUN | INDEX | INIT, IDX, TIX_OPT_COUNT, "K", 1, BIG, NULL, NULL,
     "cells with fewer than K contracts in a period are suppressed:\n"
     "unpublished in --cells and left out of the links (default 1)",
     0, O_MIN_CONTRACTS, 0},
    {"output", 'o', RUN | INDEX, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL,
     "index file (default stdout)", 0, O_OUTPUT, 0},
    {"output", 'o', CUBE, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL, "the .tic file (required)", 0,
     O_OUTPUT, 0},
    {"output", 'o', MERGE, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL,
     "the merged .tic file (required; may be one of the parts)", 0, O_OUTPUT, 0},
    {"output", 'o', CHART, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL, "the SVG file (required)", 0,
     O_OUTPUT, 0},
    {"format", 0, RUN | INDEX, OUT, TIX_OPT_ENUM, "F", 0, 0, NULL, NULL,
     "csv|json (default csv)", 0, O_FORMAT, 0},
    {"cells", 0, RUN | INDEX, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL,
     "per period x cell table with statistics and sub-indices", 0, O_CELLS, 0},
    {"contributions", 0, RUN | INDEX, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL,
     "each cell's contribution, in percentage points, to each\n"
     "period's change (chained bilateral methods)",
     0, O_CONTRIBUTIONS, 0},
    {"rejects", 0, RUN | CUBE, READ, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL,
     "rejected rows: file,line,reason,record", 0, O_REJECTS, 0},
    {"strict", 0, RUN | INDEX, OUT, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "fail (exit 1) when any row is rejected; no index is written", 0, O_STRICT, 0},
    {"map", 0, RUN | CUBE | INIT, AGG, TIX_OPT_LIST, "COL=HDR", 0, 0, NULL, NULL,
     "read column COL from header HDR (repeatable)", 0, O_MAP, 0},
    {"from", 0, RUN | CUBE | INIT, AGG, TIX_OPT_DATE, "DATE", 0, 0, NULL, NULL, NULL, 0, O_FROM, 0},
    {"to", 0, RUN | CUBE | INIT, AGG, TIX_OPT_DATE, "DATE", 0, 0, NULL, NULL,
     "reject signing dates outside the range (out_of_range)", 0, O_TO, 0},
    {"dedup", 0, RUN | CUBE | INIT, AGG, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "reject a repeated contract_id (duplicate_id), keeping the\n"
     "first accepted row in input order; costs 30 to 60 bytes per\n"
     "distinct 14-byte id (about 550 MB per 10 million ids),\n"
     "counted in --max-memory, and rows are then applied one by one",
     0, O_DEDUP, 0},
    {"allow-repeats", 0, RUN | CUBE | MERGE | INDEX, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0,
     NULL, NULL,
     "count an input given twice (or under two names) twice;\n"
     "refused otherwise",
     0, O_ALLOW_REPEATS, 0},
    {"threads", 0, RUN | CUBE | PUB, READ, TIX_OPT_COUNT, "N", 1, 1024, NULL, NULL,
     "threads (default: the number of cores); with N > 1 one reads\n"
     "and decompresses, and it and N - 1 more parse 2 MB blocks;\n"
     "the output is the same for any N",
     0, O_THREADS, 0},
    {"inflate", 0, RUN | CUBE | PUB, READ, TIX_OPT_ENUM, "B", 0, 0, NULL, NULL,
     "isal|zlib: gzip back end (default isal when built with it)", 0, O_INFLATE, 0},
    {"no-stats", 0, CUBE, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "keep counts and sums only: faster, but the parts cannot give\n"
     "--cells or --winsorize later",
     0, O_NO_STATS, 0},
    {"quiet", 'q', RUN | MERGE | INDEX, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "no summary on stderr", 0, O_QUIET, 0},
    {"quiet", 'q', CUBE, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "no progress line or summary on stderr", 0, O_QUIET, 0},
    {"quiet", 'q', PUB | INIT, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "no progress line or summaries on stderr", 0, O_QUIET, 0},
    {"max-record-bytes", 0, RUN | CUBE | INIT, AGG, TIX_OPT_COUNT, "N", 1, BIG, NULL, NULL,
     "bytes in one CSV record (default 1048576)", 1, O_MAX_RECORD, 0},
    {"max-fields", 0, RUN | CUBE | INIT, AGG, TIX_OPT_COUNT, "N", 1, BIG, NULL, NULL,
     "fields in one record (default 10000)", 1, O_MAX_FIELDS, 0},
    {"max-cells", 0, RUN | CUBE | INIT | MERGE | INDEX, AGG, TIX_OPT_COUNT, "N", 1, BIG, NULL,
     NULL, "distinct values of the --by column (default 100000)", 1, O_MAX_CELLS, 0},
    {"max-memory", 0, RUN | CUBE | INIT | MERGE | INDEX, TIX_GROUP_NONE, TIX_OPT_COUNT, "MIB", 1,
     BIG, NULL, NULL, "memory for aggregates and --dedup (default 1024)", 1, O_MAX_MEMORY, 0},
    {"state", 0, PUB | INIT, TIX_GROUP_NONE, TIX_OPT_TEXT, "DIR", 0, 0, NULL, NULL,
     "the state directory (required)", 0, O_STATE, 0},
    {"init", 0, PUB | INIT, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "create DIR with the run options that follow", 0, O_INIT, 0},
    {"status", 0, PUB, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "what DIR holds: options, dates, inputs, releases", 0, O_STATUS, 0},
    {"week", 0, PUB, TIX_GROUP_NONE, TIX_OPT_TEXT, "W", 0, 0, NULL, NULL,
     "the release's ISO week (default: the last complete week of\n"
     "the data); periods ending after its Sunday are left out",
     0, O_WEEK, 0},
    {"replace", 0, PUB, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "ingest again a dump already in the state (same SHA-256), or\n"
     "replace the one of the same name with new content",
     0, O_REPLACE, 0},
    {"cells", 0, CHART, TIX_GROUP_NONE, TIX_OPT_TEXT, "F", 0, 0, NULL, NULL,
     "the cells table of the same run (run --cells, cells.csv)", 0, O_CELLS, 0},
    {"title", 0, CHART, TIX_GROUP_NONE, TIX_OPT_TEXT, "T", 0, 0, NULL, NULL,
     "title (default \"Technology trading index\")", 0, O_TITLE, 0},
    {"last", 0, CHART, TIX_GROUP_NONE, TIX_OPT_COUNT, "N", 1, 100000, NULL, NULL,
     "periods shown (default 104)", 0, O_LAST, 0},
    {"rows", 'n', GEN, TIX_GROUP_NONE, TIX_OPT_COUNT, "N", 0, 999999999999.0, NULL, "invalid row count",
     "data rows to write (default 1000)", 0, O_GEN_ROWS, 0},
    {"seed", 's', GEN, TIX_GROUP_NONE, TIX_OPT_COUNT, "S", 0, BIG, NULL, "invalid seed",
     "random seed, a non-negative integer (default 1)", 0, O_GEN_SEED, 0},
    {"from", 0, GEN, TIX_GROUP_NONE, TIX_OPT_DATE, "DATE", 0, 0, NULL, "invalid date",
     "first signing date, YYYY-MM-DD (default 2022-01-01)", 0, O_GEN_FROM, 0},
    {"to", 0, GEN, TIX_GROUP_NONE, TIX_OPT_DATE, "DATE", 0, 0, NULL, "invalid date",
     "last signing date, YYYY-MM-DD (default 2024-12-31)", 0, O_GEN_TO, 0},
    {"dirty", 0, GEN, TIX_GROUP_NONE, TIX_OPT_REAL, "FRACTION", 0, 1, NULL,
     "dirty fraction must be a number in [0, 1], not",
     "fraction of deliberately broken rows, 0..1 (default 0)", 0, O_GEN_DIRTY, 0},
    {"chinese", 0, GEN, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "Chinese column names in the header row", 0, O_GEN_CHINESE, 0},
    {"output", 'o', GEN, TIX_GROUP_NONE, TIX_OPT_OUTPUT, "FILE", 0, 0, NULL, NULL,
     "output file, '-' for stdout (required); written under a\n"
     "temporary name and renamed into place when complete",
     0, O_OUTPUT, 0},
};

#define NOPTS (sizeof table / sizeof table[0])

const tix_option *tix_options(size_t *n)
{
    *n = NOPTS;
    return table;
}

const char *tix_command_name(tix_command cmd)
{
    switch (cmd) {
    case TIX_CMD_RUN:
        return "run";
    case TIX_CMD_CUBE:
        return "cube";
    case TIX_CMD_MERGE:
        return "merge";
    case TIX_CMD_INDEX:
        return "index";
    case TIX_CMD_PUBLISH:
        return "publish";
    case TIX_CMD_INIT:
        return "publish --init";
    case TIX_CMD_CHART:
        return "chart";
    case TIX_CMD_GEN:
        return "gen";
    }
    return NULL;
}

const tix_option *tix_option_find(const char *name, unsigned cmd)
{
    const tix_option *any = NULL;
    for (size_t i = 0; i < NOPTS; i++)
        if (strcmp(table[i].name, name) == 0) {
            if (table[i].commands & cmd)
                return &table[i];
            if (!any)
                any = &table[i];
        }
    return any;
}

const tix_option *tix_option_find_short(char short_name, unsigned cmd)
{
    const tix_option *any = NULL;
    for (size_t i = 0; short_name && i < NOPTS; i++)
        if (table[i].short_name == short_name) {
            if (table[i].commands & cmd)
                return &table[i];
            if (!any)
                any = &table[i];
        }
    return any;
}

/* ---- allowed values: the library's own name tables ---------------------------- */

static const char *const formats[] = {"csv", "json"};

const char *tix_option_value(const tix_option *opt, size_t i)
{
    if (opt->kind != TIX_OPT_ENUM)
        return NULL;
    switch (opt->id) {
    case O_PERIOD:
        return i <= TIX_PERIOD_YEAR ? tix_period_kind_name((tix_period_kind)i) : NULL;
    case O_BY: /* the columns that can be cells, in the order of tix_column */
        for (int col = 0; col < TIX_COL_COUNT; col++)
            if (tix_column_is_dimension((tix_column)col) && i-- == 0)
                return tix_column_name((tix_column)col);
        return NULL;
    case O_MEASURE:
        return i <= TIX_MEASURE_AMOUNT ? tix_measure_name((tix_measure)i) : NULL;
    case O_METHOD:
        return i <= TIX_METHOD_GEKS_TORNQVIST ? tix_method_name((tix_method)i) : NULL;
    case O_CHAIN:
        return i <= TIX_CHAIN_FIXED ? tix_chain_name((tix_chain)i) : NULL;
    case O_SPLICE:
        return i <= TIX_SPLICE_HALF ? tix_splice_name((tix_splice)i) : NULL;
    case O_FORMAT:
        return i < 2 ? formats[i] : NULL;
    case O_INFLATE: {
        static const tix_inflate backs[] = {TIX_INFLATE_ISAL, TIX_INFLATE_ZLIB};
        return i < 2 ? tix_inflate_name(backs[i]) : NULL;
    }
    default:
        return NULL;
    }
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(b), row[64];
    if (n >= 64)
        return 64;
    for (size_t j = 0; j <= n; j++)
        row[j] = j;
    for (size_t i = 1; a[i - 1]; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= n; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[n];
}

const char *tix_option_suggest(const char *name, unsigned cmd)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < NOPTS; i++) {
        if (!(table[i].commands & cmd))
            continue;
        size_t d = strncmp(table[i].name, name, strlen(name)) == 0 && *name
                       ? 1
                       : edit_distance(name, table[i].name);
        if (d < best_d) {
            best_d = d;
            best = table[i].name;
        }
    }
    return best;
}

/* ---- the values ----------------------------------------------------------------- */

tix_config *tix_config_new(void)
{
    tix_config *c = malloc(sizeof *c);
    if (c)
        tix_config_init(c);
    return c;
}

void tix_config_free(tix_config *c)
{
    if (c) {
        tix_config_clear(c);
        free(c);
    }
}

const tix_engine_opts *tix_config_engine(const tix_config *c) { return &c->engine; }

const tix_index_opts *tix_config_index(const tix_config *c) { return &c->index; }

tix_status tix_config_init(tix_config *c)
{
    memset(c, 0, sizeof *c);
    tix_engine_opts_init(&c->engine);
    tix_index_opts_init(&c->index);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c->engine.threads = cores > 0 ? (unsigned)cores : 1;
    c->last = 104;
    c->gen_rows = 1000;
    c->gen_seed = 1;
    c->gen_from = tix_days_from_civil(2022, 1, 1);
    c->gen_to = tix_days_from_civil(2024, 12, 31);
    return TIX_OK;
}

void tix_config_clear(tix_config *c)
{
    char **strs[] = {&c->base,  &c->output, &c->cells, &c->rejects, &c->contributions,
                     &c->state, &c->week,   &c->title};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        free(*strs[i]);
        *strs[i] = NULL;
    }
    for (size_t i = 0; i < c->nmaps; i++)
        free(c->map_text[i]);
    c->nmaps = 0;
    /* finish pointed the engine's maps at the texts just freed. */
    c->engine.maps = NULL;
    c->engine.nmaps = 0;
    memset(c->given, 0, sizeof c->given);
}

int tix_config_given(const tix_config *c, const tix_option *opt)
{
    return (c->given[opt->id / 32] >> (opt->id % 32)) & 1;
}

__attribute__((format(printf, 3, 4))) static tix_status say(char *err, size_t errlen,
                                                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return TIX_E_INVALID;
}

/* What a bad value of opt is told. */
static tix_status bad_value(const tix_option *opt, const char *v, char *err, size_t errlen)
{
    if (opt->bad)
        return say(err, errlen, "%s '%s'", opt->bad, v);
    if (opt->kind == TIX_OPT_ENUM) {
        char list[256] = "";
        size_t n = 0;
        while (tix_option_value(opt, n))
            n++;
        for (size_t i = 0; i < n; i++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
                     tix_option_value(opt, i));
        }
        return say(err, errlen, "`%s` must be %s, not '%s'", opt->name, list, v);
    }
    if (opt->expect)
        return say(err, errlen, "`%s` takes %s, not '%s'", opt->name, opt->expect, v);
    if (opt->kind == TIX_OPT_DATE)
        return say(err, errlen, "`%s` takes a date YYYY-MM-DD, not '%s'", opt->name, v);
    if (opt->kind == TIX_OPT_COUNT && opt->max >= BIG)
        return say(err, errlen, "`%s` takes a positive whole number, not '%s'", opt->name, v);
    if (opt->kind == TIX_OPT_COUNT)
        return say(err, errlen, "`%s` takes a whole number from %.0f to %.0f, not '%s'", opt->name,
                   opt->min, opt->max, v);
    return say(err, errlen, "`%s` takes a number between %g and %g, not '%s'", opt->name, opt->min,
               opt->max, v);
}

/* A whole number: plain digits only (strtoull alone takes "-1" and " 1"). */
static int parse_whole(const char *s, double min, double max, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || (double)v < min || (max < BIG && (double)v > max))
        return 0;
    *out = v;
    return 1;
}

static tix_status set_text(char **dst, const char *v, char *err, size_t errlen)
{
    char *copy = strdup(v);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return TIX_E_NOMEM;
    }
    free(*dst);
    *dst = copy;
    return TIX_OK;
}

static tix_status set_enum(tix_config *c, const tix_option *opt, const char *v, char *err,
                           size_t errlen)
{
    size_t i = 0;
    const char *name;
    while ((name = tix_option_value(opt, i)) && strcmp(name, v) != 0)
        i++;
    if (!name)
        return bad_value(opt, v, err, errlen);
    switch (opt->id) {
    case O_PERIOD:
        return tix_period_kind_parse(v, &c->engine.period);
    case O_BY:
        return tix_column_parse(v, &c->engine.dimension);
    case O_MEASURE:
        return tix_measure_parse(v, &c->engine.measure);
    case O_METHOD:
        return tix_method_parse(v, &c->index.method);
    case O_CHAIN:
        return tix_chain_parse(v, &c->index.chain);
    case O_SPLICE:
        return tix_splice_parse(v, &c->index.splice);
    case O_FORMAT:
        c->json = i == 1;
        return TIX_OK;
    case O_INFLATE:
        if (tix_inflate_parse(v, &c->engine.inflate) != TIX_OK ||
            !tix_inflate_available(c->engine.inflate))
            return say(err, errlen, "`inflate` %s: this build has no %s", v, v);
        return TIX_OK;
    }
    return TIX_E_INVALID;
}

static tix_status set_map(tix_config *c, const char *v, char *err, size_t errlen)
{
    const char *eq = strchr(v, '=');
    tix_column col;
    if (!eq || eq[1] == '\0')
        return say(err, errlen, "`map` takes COLUMN=HEADER, not '%s'", v);
    char name[64];
    size_t n = (size_t)(eq - v);
    if (n >= sizeof name || (memcpy(name, v, n), name[n] = '\0', tix_column_parse(name, &col)) !=
                                TIX_OK)
        return say(err, errlen, "`map`: unknown column '%.*s'", (int)(n < 64 ? n : 64), v);
    if (c->nmaps == TIX_CONFIG_MAX_MAPS)
        return say(err, errlen, "too many `map` options");
    char *copy = strdup(v); /* "COL=HDR" whole, so that it can be given back */
    if (!copy)
        return say(err, errlen, "out of memory"), TIX_E_NOMEM;
    c->map_text[c->nmaps] = copy;
    c->maps[c->nmaps++] = (tix_header_map){col, copy + n + 1};
    return TIX_OK;
}

tix_status tix_config_set(tix_config *c, unsigned cmd, const tix_option *opt, const char *v,
                          char *err, size_t errlen)
{
    if (!(opt->commands & cmd))
        return say(err, errlen, "`%s` is not an option of %s", opt->name,
                   tix_command_name((tix_command)cmd) ? tix_command_name((tix_command)cmd)
                                                      : "this command");
    if (tix_config_given(c, opt) && opt->kind != TIX_OPT_LIST)
        return say(err, errlen, "`%s` is given twice", opt->name);
    if ((opt->kind == TIX_OPT_FLAG) != (v == NULL))
        return say(err, errlen, v ? "`%s` takes no value" : "option `%s` needs a value",
                   opt->name);
    tix_status st = TIX_OK;
    uint64_t whole = 0;
    int32_t day = 0;
    double real = 0;
    switch (opt->kind) {
    case TIX_OPT_FLAG:
    case TIX_OPT_TEXT:
    case TIX_OPT_OUTPUT:
    case TIX_OPT_LIST:
        break;
    case TIX_OPT_ENUM:
        st = set_enum(c, opt, v, err, errlen);
        break;
    case TIX_OPT_COUNT:
        if (!parse_whole(v, opt->min, opt->max, &whole))
            st = bad_value(opt, v, err, errlen);
        break;
    case TIX_OPT_REAL: {
        char *end;
        errno = 0;
        real = strtod(v, &end);
        if (errno || end == v || *end ||
            !(opt->open ? real > opt->min && real < opt->max
                        : real >= opt->min && real <= opt->max))
            st = bad_value(opt, v, err, errlen);
        break;
    }
    case TIX_OPT_DATE:
        if (tix_date_parse(v, strlen(v), &day) != TIX_OK)
            st = bad_value(opt, v, err, errlen);
        break;
    }
    if (st != TIX_OK || opt->kind == TIX_OPT_ENUM)
        goto done;
    switch (opt->id) {
    case O_WINDOW:
        c->index.window = (size_t)whole;
        break;
    case O_WINSORIZE:
        c->index.winsorize = real;
        break;
    case O_WINSOR_WINDOW:
        c->index.winsor_window = (size_t)whole;
        break;
    case O_MIN_CONTRACTS:
        c->index.min_contracts = whole;
        break;
    case O_BASE:
        st = set_text(&c->base, v, err, errlen);
        break;
    case O_OUTPUT:
        st = set_text(&c->output, v, err, errlen);
        break;
    case O_CELLS:
        st = set_text(&c->cells, v, err, errlen);
        break;
    case O_CONTRIBUTIONS:
        st = set_text(&c->contributions, v, err, errlen);
        break;
    case O_REJECTS:
        st = set_text(&c->rejects, v, err, errlen);
        break;
    case O_STRICT:
        c->strict = 1;
        break;
    case O_MAP:
        st = set_map(c, v, err, errlen);
        break;
    case O_FROM:
    case O_TO:
        if (!c->engine.has_range) {
            c->engine.has_range = 1;
            c->engine.from_day = tix_days_from_civil(1, 1, 1);
            c->engine.to_day = tix_days_from_civil(9999, 12, 31);
        }
        *(opt->id == O_FROM ? &c->engine.from_day : &c->engine.to_day) = day;
        break;
    case O_DEDUP:
        c->engine.dedup = 1;
        break;
    case O_ALLOW_REPEATS:
        c->allow_repeats = 1;
        break;
    case O_THREADS:
        c->engine.threads = (unsigned)whole;
        break;
    case O_NO_STATS:
        c->no_stats = 1;
        break;
    case O_QUIET:
        c->quiet = 1;
        break;
    case O_MAX_RECORD:
        c->engine.max_record_bytes = (size_t)whole;
        break;
    case O_MAX_FIELDS:
        c->engine.max_fields = (size_t)whole;
        break;
    case O_MAX_CELLS:
        c->engine.max_cells = (size_t)whole;
        break;
    case O_MAX_MEMORY:
        if (whole > (uint64_t)(SIZE_MAX >> 20))
            st = say(err, errlen, "`max-memory` %s MiB is more than this machine can address", v);
        else
            c->engine.max_memory = (size_t)whole << 20;
        break;
    case O_STATE:
        st = set_text(&c->state, v, err, errlen);
        break;
    case O_INIT:
        c->init = 1;
        break;
    case O_STATUS:
        c->status = 1;
        break;
    case O_WEEK: {
        int32_t w;
        if (tix_period_parse(TIX_PERIOD_WEEK, v, &w) != TIX_OK)
            st = say(err, errlen, "`week` takes an ISO week such as 2024-W48, not '%s'", v);
        else
            st = set_text(&c->week, v, err, errlen);
        break;
    }
    case O_REPLACE:
        c->replace = 1;
        break;
    case O_TITLE:
        st = set_text(&c->title, v, err, errlen);
        break;
    case O_LAST:
        c->last = (size_t)whole;
        break;
    case O_GEN_ROWS:
        c->gen_rows = whole;
        break;
    case O_GEN_SEED:
        c->gen_seed = whole;
        break;
    case O_GEN_FROM:
        c->gen_from = day;
        break;
    case O_GEN_TO:
        c->gen_to = day;
        break;
    case O_GEN_DIRTY:
        c->gen_dirty = real;
        break;
    case O_GEN_CHINESE:
        c->gen_chinese = 1;
        break;
    }
done:
    if (st == TIX_OK)
        c->given[opt->id / 32] |= 1u << (opt->id % 32);
    return st;
}

static const tix_option *by_id(int id)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (table[i].id == id)
            return &table[i];
    return NULL;
}

static int given(const tix_config *c, int id) { return tix_config_given(c, by_id(id)); }

tix_status tix_config_finish(tix_config *c, unsigned cmd, char *err, size_t errlen)
{
    if (c->engine.has_range && c->engine.from_day > c->engine.to_day)
        return say(err, errlen, "`from` is after `to`");
    if ((cmd & TIX_CMD_GEN) && c->gen_from > c->gen_to)
        return say(err, errlen, "`from` is after `to`");
    /* Where rows are read the period is known: check the base now. Parts
     * (index) say their period later. */
    if (c->base && (cmd & (TIX_CMD_RUN | TIX_CMD_INIT))) {
        if (tix_period_parse(c->engine.period, c->base, &c->index.base) != TIX_OK)
            return say(err, errlen, "`base` '%s' is not a label of the chosen `period`", c->base);
    }
    if (c->base)
        c->index.has_base = 1;
    int geks = tix_method_is_multilateral(c->index.method);
    if (geks && given(c, O_CHAIN))
        return say(err, errlen, "`chain` applies to bilateral methods; GEKS is neither chained "
                                "nor fixed-base (see `window` and `splice`)");
    if (!geks && (given(c, O_WINDOW) || given(c, O_SPLICE)))
        return say(err, errlen, "`window` and `splice` apply to the GEKS methods only");
    if (c->contributions && (geks || c->index.chain != TIX_CHAIN_CHAINED))
        return say(err, errlen, "`contributions` decomposes chained links: use `chain` chained "
                                "and a bilateral `method`");
    if (c->index.winsor_window && !(c->index.winsorize > 0))
        return say(err, errlen, "`winsorize-window` needs `winsorize`");
    c->engine.maps = c->maps;
    c->engine.nmaps = c->nmaps;
    /* Winsorizing reads the sketch with its bucket sums; the cells table
     * its quantiles. */
    c->engine.cell_stats = c->index.winsorize > 0 ? TIX_CUBE_STATS_SUMS
                           : c->cells             ? TIX_CUBE_STATS
                                                  : 0;
    return TIX_OK;
}

const char *tix_config_text(const tix_config *c, const tix_option *opt, char *buf, size_t buflen)
{
    if (!tix_config_given(c, opt) || opt->kind == TIX_OPT_LIST)
        return NULL;
    switch (opt->kind) {
    case TIX_OPT_FLAG:
        return "";
    case TIX_OPT_ENUM:
        switch (opt->id) {
        case O_PERIOD:
            return tix_period_kind_name(c->engine.period);
        case O_BY:
            return tix_column_name(c->engine.dimension);
        case O_MEASURE:
            return tix_measure_name(c->engine.measure);
        case O_METHOD:
            return tix_method_name(c->index.method);
        case O_CHAIN:
            return tix_chain_name(c->index.chain);
        case O_SPLICE:
            return tix_splice_name(c->index.splice);
        case O_FORMAT:
            return formats[c->json ? 1 : 0];
        case O_INFLATE:
            return tix_inflate_name(c->engine.inflate);
        }
        return NULL;
    case TIX_OPT_DATE: {
        int32_t d = opt->id == O_FROM      ? c->engine.from_day
                    : opt->id == O_TO      ? c->engine.to_day
                    : opt->id == O_GEN_FROM ? c->gen_from
                                            : c->gen_to;
        if (buflen < TIX_PERIOD_LABEL_MAX)
            return NULL;
        tix_date_format(d, buf);
        return buf;
    }
    case TIX_OPT_COUNT: {
        uint64_t v = opt->id == O_WINDOW          ? c->index.window
                     : opt->id == O_WINSOR_WINDOW  ? c->index.winsor_window
                     : opt->id == O_MIN_CONTRACTS  ? c->index.min_contracts
                     : opt->id == O_THREADS        ? c->engine.threads
                     : opt->id == O_MAX_RECORD     ? c->engine.max_record_bytes
                     : opt->id == O_MAX_FIELDS     ? c->engine.max_fields
                     : opt->id == O_MAX_CELLS      ? c->engine.max_cells
                     : opt->id == O_MAX_MEMORY     ? c->engine.max_memory >> 20
                     : opt->id == O_LAST           ? c->last
                     : opt->id == O_GEN_ROWS       ? c->gen_rows
                                                   : c->gen_seed;
        snprintf(buf, buflen, "%llu", (unsigned long long)v);
        return buf;
    }
    case TIX_OPT_REAL:
        /* %.17g gives the double back exactly. */
        snprintf(buf, buflen, "%.17g", opt->id == O_WINSORIZE ? c->index.winsorize : c->gen_dirty);
        return buf;
    case TIX_OPT_TEXT:
    case TIX_OPT_OUTPUT: {
        const char *s = opt->id == O_BASE            ? c->base
                        : opt->id == O_OUTPUT        ? c->output
                        : opt->id == O_CELLS         ? c->cells
                        : opt->id == O_REJECTS       ? c->rejects
                        : opt->id == O_CONTRIBUTIONS ? c->contributions
                        : opt->id == O_STATE         ? c->state
                        : opt->id == O_WEEK          ? c->week
                                                     : c->title;
        return s;
    }
    case TIX_OPT_LIST:
        break;
    }
    return NULL;
}

const char *tix_config_list(const tix_config *c, const tix_option *opt, size_t i)
{
    if (opt->id != O_MAP || i >= c->nmaps)
        return NULL;
    return c->map_text[i];
}

char *tix_config_message(const char *msg, const char *prefix, char dash, char *out, size_t outlen)
{
    size_t o = 0;
    if (outlen == 0)
        return out;
    for (const char *p = msg; *p && o + 1 < outlen;) {
        const char *end = *p == '`' ? strchr(p + 1, '`') : NULL;
        size_t n = end ? (size_t)(end - p - 1) : 0;
        char name[64];
        if (end && n > 0 && n < sizeof name) {
            memcpy(name, p + 1, n);
            name[n] = '\0';
            if (tix_option_find(name, ~0u)) {
                for (const char *q = prefix; *q && o + 1 < outlen; q++)
                    out[o++] = *q;
                for (size_t k = 0; k < n && o + 1 < outlen; k++)
                    out[o++] = name[k] == '-' ? dash : name[k];
                p = end + 1;
                continue;
            }
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
    return out;
}
