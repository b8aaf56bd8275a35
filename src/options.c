/* The option table (options.h): names, kinds, bounds and help of every
 * option of every command, and how each value lands in a tix_config. */
#include "techidx/options.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "techidx/period.h"
#include "techidx/record.h"
#include "techidx/source.h"

#include "sink_internal.h"

/* The fields options set: tix_option.id. */
enum {
    O_PERIOD,
    O_BY,
    O_MEASURE,
    O_METHOD,
    O_CHAIN,
    O_WINDOW,
    O_SPLICE,
    O_HEDONIC,
    O_KENNEDY,
    O_CI_LEVEL,
    O_CI,
    O_CI_GROUPS,
    O_PROVISIONAL,
    O_BASE,
    O_WINSORIZE,
    O_WINSOR_WINDOW,
    O_MIN_CONTRACTS,
    O_YEAR_OVER_YEAR,
    O_GROUP,
    O_GROUPS,
    O_OUTPUT,
    O_FORMAT,
    O_CELLS,
    O_CONTRIBUTIONS,
    O_REJECTS,
    O_STRICT,
    O_MAP,
    O_FROM,
    O_TO,
    O_DATE_FORMAT,
    O_AMOUNT_UNIT,
    O_MAX_REJECT_RATE,
    O_DEDUP,
    O_ALLOW_REPEATS,
    O_THREADS,
    O_INFLATE,
    O_DELIMITER,
    O_ENCODING,
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
    O_LANG,
    O_LABELS,
    O_BOM,
    O_FORCE,
    O_CHART_FORMAT,
    O_GEN_ROWS,
    O_GEN_SEED,
    O_GEN_FROM,
    O_GEN_TO,
    O_GEN_DIRTY,
    O_GEN_CHINESE,
    O_GEN_ID_PREFIX,
    O_GEN_ENCODING,
    O_GEN_DELIMITER,
    O_GEN_AMOUNT_UNIT,
    O_GEN_DATE_FORM,
    O_GEN_QUOTED_NOTES,
    O_GEN_TRUTH,
    O_GEN_TRUTH_PERIOD,
    O_GEN_TREND,
    O_GEN_RETURN_TO_START,
    O_GEN_SHIFT_DEVELOPMENT,
    O_GEN_HOLIDAYS,
    O_GEN_DIVERGE,
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
    {"by", 0, RUN | CUBE | INIT, AGG, TIX_OPT_TEXT, "COL[,COL]", 0, 0, NULL, NULL,
     "the cells whose values weight the index: up to 4 columns,\n"
     "a cell per combination of values; sector, contract_type,\n"
     "buyer_region, seller_region, seller_type, buyer_type (or\n"
     "their Chinese headers) or any other header (default sector)",
     0, O_BY, 0},
    {"measure", 0, RUN | CUBE | INIT, AGG, TIX_OPT_ENUM, "M", 0, 0, NULL, NULL,
     "tech_amount|amount (default tech_amount)", 0, O_MEASURE, 0},
    {"method", 0, RUN | INDEX | INIT, IDX, TIX_OPT_ENUM, "M", 0, 0, NULL, NULL,
     "fisher|laspeyres|paasche|tornqvist|walsh, the price indices\n"
     "jevons|dutot|carli|harmonic|geometric-laspeyres|\n"
     "geometric-paasche|sato-vartia|tpd (implicit volume), or the\n"
     "multilateral geks-fisher|geks-tornqvist|geks-walsh|\n"
     "geks-jevons|geks-tpd|geary-khamis|wtpd|time-dummy\n"
     "(default fisher)",
     0, O_METHOD, 0},
    {"chain", 0, RUN | INDEX | INIT, IDX, TIX_OPT_ENUM, "C", 0, 0, NULL, NULL,
     "chained|fixed: link consecutive periods, or compare each\n"
     "with the base directly (default chained; not multilateral)",
     0, O_CHAIN, 0},
    {"window", 0, RUN | INDEX | INIT, IDX, TIX_OPT_COUNT, "W", 2, TIX_GEKS_MAX_WINDOW, NULL, NULL,
     "multilateral window in periods with data (default 53 weeks,\n"
     "13 months, 5 quarters or years, 366 days)",
     0, O_WINDOW, 0},
    {"splice", 0, RUN | INDEX | INIT, IDX, TIX_OPT_ENUM, "S", 0, 0, NULL, NULL,
     "mean|movement|window|half|wisp|hasp|mean_pub|fbew|fbmw:\n"
     "how multilateral windows are joined (default mean;\n"
     "IndexNumR's names); published periods never change",
     0, O_SPLICE, 0},
    {"hedonic", 0, RUN | CUBE | INDEX | INIT, IDX, TIX_OPT_TEXT, "COL[,COL]", 0, 0, NULL, NULL,
     "time-dummy: the characteristics regressed on (default the\n"
     "`by` columns, contract_type and seller_type; cube keeps\n"
     "those it names); columns beyond `by` are read beside it,\n"
     "4 in all, and never reject a row",
     0, O_HEDONIC, 0},
    {"kennedy", 0, RUN | INDEX | INIT, IDX, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "time-dummy: exp(d - var(d)/2) for each period (Kennedy 1981)", 0, O_KENNEDY, 0},
    {"ci-level", 0, RUN | INDEX | INIT, IDX, TIX_OPT_REAL, "L", 0, 1,
     "a level between 0 and 1, e.g. 0.9", NULL,
     "level of the intervals, time-dummy's or `ci`'s\n"
     "(0 < L < 1, default 0.95)",
     0, O_CI_LEVEL, 1},
    {"ci", 0, RUN | CUBE | INDEX | INIT, IDX, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "standard errors and intervals of every index column (_se,\n"
     "_lo, _hi) and `significant` links, by the delete-a-group\n"
     "jackknife over replicate groups of contract_id; cube: keep\n"
     "the groups in the parts, for index `ci` later",
     0, O_CI, 0},
    {"ci-groups", 0, RUN | CUBE | INIT, AGG, TIX_OPT_COUNT, "G", 2, TIX_CUBE_MAX_REPLICATES, NULL,
     NULL, "replicate groups of `ci` (default 20)", 0, O_CI_GROUPS, 0},
    {"provisional", 0, RUN | INDEX | INIT, IDX, TIX_OPT_COUNT, "K", 0, 1000, NULL, NULL,
     "flag the last K periods provisional (a column): late\n"
     "contracts will still revise them (default 0; a release:\n"
     "the periods ending in its last 4 weeks)",
     0, O_PROVISIONAL, 0},
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
     "periods in that window (default as `window`)", 0, O_WINSOR_WINDOW, 0},
    {"min-contracts", 0, RUN | INDEX | INIT, IDX, TIX_OPT_COUNT, "K", 1, BIG, NULL, NULL,
     "cells with fewer than K contracts in a period are suppressed:\n"
     "unpublished in `cells` and left out of the links (default 1)",
     0, O_MIN_CONTRACTS, 0},
    {"year-over-year", 0, RUN | INDEX, IDX, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "one series per season (month of the year, quarter, ISO\n"
     "week; week 53 alone) across the years, each 100 in its\n"
     "first year with data; rows season,period,... (month,\n"
     "quarter or week periods; not with `base` or `cells`)",
     0, O_YEAR_OVER_YEAR, 0},
    {"group", 0, RUN | INDEX | INIT, IDX, TIX_OPT_TEXT, "COL", 0, 0, NULL, NULL,
     "one of the `by` columns: a sub-index for each of its values,\n"
     "from the cells within it by the same method (with `groups`)",
     0, O_GROUP, 0},
    {"output", 'o', RUN | INDEX, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL,
     "index file (default stdout)", 0, O_OUTPUT, 0},
    {"output", 'o', CUBE, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL, "the .tic file (required)", 0,
     O_OUTPUT, 0},
    {"output", 'o', MERGE, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL,
     "the merged .tic file (required; may be one of the parts)", 0, O_OUTPUT, 0},
    {"output", 'o', CHART, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL, "the SVG file (required)", 0,
     O_OUTPUT, 0},
    {"format", 0, RUN | INDEX, OUT, TIX_OPT_ENUM, "F", 0, 0, NULL, NULL,
     "csv|json|xlsx (default csv; xlsx: a workbook of the index\n"
     "and of the cells, contributions and groups asked for, to\n"
     "-o FILE, not stdout; those are still written as CSV too)",
     0, O_FORMAT, 0},
    {"lang", 0, RUN | INDEX | INIT, OUT, TIX_OPT_ENUM, "L", 0, 0, NULL, NULL,
     "en|zh: the language of a workbook's, a chart's and a\n"
     "release's text, titles, headers and labels (default en);\n"
     "data files keep their raw values",
     0, O_LANG, 0},
    {"labels", 0, RUN | INDEX | INIT, OUT, TIX_OPT_TEXT, "F", 0, 0, NULL, NULL,
     "CSV value,label: display names of cell values, beyond the\n"
     "built-in names of the 11 technology domains, 5 contract\n"
     "types, seller types and regions (--init keeps a copy)",
     0, O_LABELS, 0},
    {"bom", 0, RUN | INDEX | INIT, OUT, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "start CSV files with a UTF-8 byte order mark, for Excel on\n"
     "Chinese Windows",
     0, O_BOM, 0},
    {"cells", 0, RUN | INDEX, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL,
     "per period x cell table with statistics and sub-indices", 0, O_CELLS, 0},
    {"groups", 0, RUN | INDEX, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL,
     "the sub-indices of `group`: rows period,group,... as the index", 0, O_GROUPS, 0},
    {"contributions", 0, RUN | INDEX, OUT, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL,
     "each cell's contribution, in percentage points, to each\n"
     "period's change (chained bilateral methods)",
     0, O_CONTRIBUTIONS, 0},
    {"rejects", 0, RUN | CUBE, READ, TIX_OPT_OUTPUT, "F", 0, 0, NULL, NULL,
     "rejected rows: file,line,reason,record", 0, O_REJECTS, 0},
    {"strict", 0, RUN | INDEX, OUT, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "fail (exit 1) when any row is rejected; no index is written", 0, O_STRICT, 0},
    {"max-reject-rate", 0, RUN | INDEX, OUT, TIX_OPT_REAL, "R", 0, 1,
     "a fraction between 0 and 1, e.g. 0.01", NULL,
     "fail (exit 1) when more than R (0 <= R <= 1) of the rows\n"
     "read are rejected; no index is written",
     0, O_MAX_REJECT_RATE, 0},
    {"map", 0, RUN | CUBE | INIT, AGG, TIX_OPT_LIST, "COL=HDR", 0, 0, NULL, NULL,
     "read column COL from header HDR (repeatable)", 0, O_MAP, 0},
    {"from", 0, RUN | CUBE | INIT, AGG, TIX_OPT_DATE, "DATE", 0, 0, NULL, NULL, NULL, 0, O_FROM, 0},
    {"to", 0, RUN | CUBE | INIT, AGG, TIX_OPT_DATE, "DATE", 0, 0, NULL, NULL,
     "reject signing dates outside the range (out_of_range)", 0, O_TO, 0},
    {"date-format", 0, RUN | CUBE | INIT, AGG, TIX_OPT_TEXT, "FMT", 0, 0, NULL, NULL,
     "read signed_on with FMT only: %Y (4 digits), %m %d %H %M %S\n"
     "(1 or 2 digits), %% and literal text, e.g. %Y年%m月%d日;\n"
     "by default YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD, each alone or\n"
     "with a time (' ' or T, HH:MM[:SS[.f]], then Z or +08:00)",
     0, O_DATE_FORMAT, 0},
    {"amount-unit", 0, RUN | CUBE | INIT, AGG, TIX_OPT_ENUM, "U", 0, 0, NULL, NULL,
     "yuan|wan: amounts in yuan, 2 decimals, or in 万元 (10000\n"
     "yuan), 6 decimals; outputs stay in yuan (default yuan)",
     0, O_AMOUNT_UNIT, 0},
    {"dedup", 0, RUN | CUBE | INIT, AGG, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "reject a repeated contract_id (duplicate_id), keeping the\n"
     "first accepted row in input order; costs 30 to 60 bytes per\n"
     "distinct 14-byte id (about 550 MB per 10 million ids),\n"
     "counted in `max-memory`, and rows are then applied one by one",
     0, O_DEDUP, 0},
    {"threads", 0, RUN | CUBE | INDEX | PUB, READ, TIX_OPT_COUNT, "N", 1, 1024, NULL, NULL,
     "threads (default: the number of cores); with N > 1 one reads\n"
     "and decompresses, and it and N - 1 more parse 2 MB blocks;\n"
     "the index computes --ci's replicates and GEKS's bilateral\n"
     "comparisons on N; the output is the same for any N",
     0, O_THREADS, 0},
    {"inflate", 0, RUN | CUBE | PUB, READ, TIX_OPT_ENUM, "B", 0, 0, NULL, NULL,
     "isal|zlib: gzip back end (default isal when built with it)", 0, O_INFLATE, 0},
    {"delimiter", 0, RUN | CUBE | INIT, READ, TIX_OPT_ENUM, "D", 0, 0, NULL, NULL,
     "the field separator: , (default), ; or tab (also a tab\n"
     "character or \\t)",
     0, O_DELIMITER, 0},
    {"encoding", 0, RUN | CUBE | INIT, READ, TIX_OPT_ENUM, "E", 0, 0, NULL, NULL,
     "utf-8|gb18030|gbk: of the input files (default utf-8); others\n"
     "are read as their UTF-8 form, a byte that is no character\n"
     "rejects its row (invalid_text)",
     0, O_ENCODING, 0},
    {"allow-repeats", 0, RUN | CUBE | MERGE | INDEX, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL,
     NULL,
     "count an input given twice (or under two names) twice;\n"
     "refused otherwise",
     0, O_ALLOW_REPEATS, 0},
    {"no-stats", 0, CUBE, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "keep counts and sums only: faster, but the parts cannot give\n"
     "`cells` or `winsorize` later",
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
    {"max-cells", 0, RUN | CUBE | INIT | MERGE | INDEX, AGG, TIX_OPT_COUNT, "N", 1, BIG, NULL, NULL,
     "distinct values of the `by` column (default 100000)", 1, O_MAX_CELLS, 0},
    {"max-memory", 0, RUN | CUBE | INIT | MERGE | INDEX, TIX_GROUP_NONE, TIX_OPT_COUNT, "MIB", 1,
     BIG, NULL, NULL, "memory for aggregates and `dedup` (default 1024)", 1, O_MAX_MEMORY, 0},
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
    {"force", 0, PUB, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "publish a --week after the newest signing date, or the week\n"
     "a signing date in the future would pick",
     0, O_FORCE, 0},
    {"replace", 0, PUB, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "ingest again a dump already in the state (same SHA-256), or\n"
     "replace the one of the same name with new content",
     0, O_REPLACE, 0},
    {"cells", 0, CHART, TIX_GROUP_NONE, TIX_OPT_TEXT, "F", 0, 0, NULL, NULL,
     "the cells table of the same run (run `cells`, cells.csv)", 0, O_CELLS, 0},
    {"title", 0, CHART, TIX_GROUP_NONE, TIX_OPT_TEXT, "T", 0, 0, NULL, NULL,
     "title (default \"Technology trading index\")", 0, O_TITLE, 0},
    {"format", 0, CHART, TIX_GROUP_NONE, TIX_OPT_ENUM, "F", 0, 0, NULL, NULL,
     "svg|png|pdf (default: by the extension of -o, else svg)", 0, O_CHART_FORMAT, 0},
    {"lang", 0, CHART, TIX_GROUP_NONE, TIX_OPT_ENUM, "L", 0, 0, NULL, NULL,
     "en|zh: the chart's text (default en)", 0, O_LANG, 0},
    {"labels", 0, CHART, TIX_GROUP_NONE, TIX_OPT_TEXT, "F", 0, 0, NULL, NULL,
     "CSV value,label: display names of the cells' values", 0, O_LABELS, 0},
    {"last", 0, CHART, TIX_GROUP_NONE, TIX_OPT_COUNT, "N", 1, 100000, NULL, NULL,
     "periods shown (default 104)", 0, O_LAST, 0},
    {"rows", 'n', GEN, TIX_GROUP_NONE, TIX_OPT_COUNT, "N", 0, 999999999999.0, NULL,
     "invalid row count", "data rows to write (default 1000)", 0, O_GEN_ROWS, 0},
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
    {"id-prefix", 0, GEN, TIX_GROUP_NONE, TIX_OPT_TEXT, "TEXT", 0, 0, NULL, NULL,
     "contract ids are TEXT and 12 digits (default TC)", 0, O_GEN_ID_PREFIX, 0},
    {"encoding", 0, GEN, TIX_GROUP_NONE, TIX_OPT_ENUM, "E", 0, 0, NULL, NULL,
     "utf-8|gb18030|gbk: the bytes of header and values\n"
     "(default utf-8)",
     0, O_GEN_ENCODING, 0},
    {"delimiter", 0, GEN, TIX_GROUP_NONE, TIX_OPT_ENUM, "D", 0, 0, NULL,
     "delimiter must be ',', ';' or a tab (tab, \\t), not",
     "the field delimiter: ',', ';' or a tab (tab or \\t)\n"
     "(default ',')",
     0, O_GEN_DELIMITER, 0},
    {"amount-unit", 0, GEN, TIX_GROUP_NONE, TIX_OPT_ENUM, "U", 0, 0, NULL, NULL,
     "yuan|wan: amounts in yuan with 2 decimals, or in wan\n"
     "(10000 yuan) with the decimals needed (default yuan)",
     0, O_GEN_AMOUNT_UNIT, 0},
    {"date-form", 0, GEN, TIX_GROUP_NONE, TIX_OPT_ENUM, "F", 0, 0, NULL, NULL,
     "iso|slash|compact|datetime|iso8601: 2024-03-05,\n"
     "2024/03/05, 20240305, 2024-03-05 10:22:00 or\n"
     "2024-03-05T10:22:00+08:00 (default iso)",
     0, O_GEN_DATE_FORM, 0},
    {"quoted-notes", 0, GEN, TIX_GROUP_NONE, TIX_OPT_REAL, "F", 0, 1, NULL, NULL,
     "fraction of rows whose notes are quoted, with commas,\n"
     "doubled quotes and line breaks, 0..1 (default 0.1); the\n"
     "other columns stay the same bytes",
     0, O_GEN_QUOTED_NOTES, 0},
    {"truth", 0, GEN, TIX_GROUP_NONE, TIX_OPT_TEXT, "FILE", 0, 0, NULL, NULL,
     "draw the market whose truth is known (truth mode);\n"
     "write its true quality-adjusted price level to FILE:\n"
     "CSV period,level,... (the first period 100)",
     0, O_GEN_TRUTH, 0},
    {"truth-period", 0, GEN, TIX_GROUP_NONE, TIX_OPT_ENUM, "P", 0, 0, NULL, NULL,
     "day|week|month|quarter|year: the true level is constant\n"
     "within each (default week; ISO weeks); truth mode",
     0, O_GEN_TRUTH_PERIOD, 0},
    {"trend", 0, GEN, TIX_GROUP_NONE, TIX_OPT_REAL, "R", -1, 100, NULL, NULL,
     "the true level grows by R a year, e.g. 0.05 (default 0);\n"
     "truth mode",
     0, O_GEN_TREND, 1},
    {"return-to-start", 0, GEN, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "the level rises (at --trend), then falls back to 100\n"
     "exactly in the last period; truth mode",
     0, O_GEN_RETURN_TO_START, 0},
    {"shift-development", 0, GEN, TIX_GROUP_NONE, TIX_OPT_REAL, "S", -0.3, 0.7, NULL, NULL,
     "the share of development contracts (30%) rises\n"
     "linearly by S over the range, -0.3..0.7 (default 0);\n"
     "truth mode",
     0, O_GEN_SHIFT_DEVELOPMENT, 0},
    {"holidays", 0, GEN, TIX_GROUP_NONE, TIX_OPT_FLAG, NULL, 0, 0, NULL, NULL,
     "Spring Festival and National Day weeks have 1/5 of the\n"
     "contracts; truth mode",
     0, O_GEN_HOLIDAYS, 0},
    {"diverge", 0, GEN, TIX_GROUP_NONE, TIX_OPT_REAL, "D", -1, 1, NULL, NULL,
     "half the sectors' true prices grow by D a year, the\n"
     "other half's fall by D, e.g. 0.10 (default 0); the\n"
     "level is their fixed-basket mean; truth mode",
     0, O_GEN_DIVERGE, 1},
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
        return "publish `init`"; /* the command line's publish --init */
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

/* ---- where each option's value goes -------------------------------------------- */

/* The allowed values of an ENUM option, from the library's name tables:
 * the i-th value's name, and the number it stores; -1 past the last. */
typedef int (*values_fn)(size_t i, const char **name);

/* An enum numbered 0..last, each number its value. */
#define SEQUENCE(fn, type, last, name_of)                                                          \
    static int fn(size_t i, const char **name)                                                     \
    {                                                                                              \
        if (i > (size_t)(last))                                                                    \
            return -1;                                                                             \
        *name = name_of((type)i);                                                                  \
        return (int)i;                                                                             \
    }

SEQUENCE(period_values, tix_period_kind, TIX_PERIOD_YEAR, tix_period_kind_name)

SEQUENCE(measure_values, tix_measure, TIX_MEASURE_AMOUNT, tix_measure_name)
SEQUENCE(amount_unit_values, tix_amount_unit, TIX_AMOUNT_WAN, tix_amount_unit_name)
SEQUENCE(method_values, tix_method, TIX_METHOD_TIME_DUMMY, tix_method_name)
SEQUENCE(chain_values, tix_chain, TIX_CHAIN_FIXED, tix_chain_name)
SEQUENCE(splice_values, tix_splice, TIX_SPLICE_FBMW, tix_splice_name)
static int format_values(size_t i, const char **name) /* tix_config.format */
{
    static const char *const formats[] = {"csv", "json", "xlsx"};
    if (i >= 3)
        return -1;
    *name = formats[i];
    return (int)i;
}

static int chart_format_values(size_t i, const char **name) /* tix_config.chart_format */
{
    static const char *const formats[] = {"svg", "png", "pdf"};
    if (i >= 3)
        return -1;
    *name = formats[i];
    return (int)i + 1; /* 0: by the extension */
}

static int lang_values(size_t i, const char **name) /* tix_config.lang */
{
    static const char *const langs[] = {"en", "zh"};
    if (i >= 2)
        return -1;
    *name = langs[i];
    return (int)i;
}

static int delimiter_values(size_t i, const char **name) /* tix_engine_opts.delimiter */
{
    static const char *const names[] = {",", ";", "tab"};
    static const int seps[] = {',', ';', '\t'};
    if (i >= 3)
        return -1;
    *name = names[i];
    return seps[i];
}

SEQUENCE(encoding_values, tix_encoding, TIX_ENCODING_GBK, tix_encoding_name)

static int inflate_values(size_t i, const char **name)
{
    static const tix_inflate backs[] = {TIX_INFLATE_ISAL, TIX_INFLATE_ZLIB};
    if (i >= 2)
        return -1;
    *name = tix_inflate_name(backs[i]);
    return (int)backs[i];
}

/* gen's formats, numbered as gen/gen.h's enums (tix_gen_encoding, ...),
 * which libtechidx cannot name: gen is not part of it. */
static int gen_encoding_values(size_t i, const char **name)
{
    static const char *const names[] = {"utf-8", "gb18030", "gbk"};
    if (i >= 3)
        return -1;
    *name = names[i];
    return (int)i;
}

static int gen_unit_values(size_t i, const char **name)
{
    static const char *const names[] = {"yuan", "wan"};
    if (i >= 2)
        return -1;
    *name = names[i];
    return (int)i;
}

static int gen_date_form_values(size_t i, const char **name)
{
    static const char *const names[] = {"iso", "slash", "compact", "datetime", "iso8601"};
    if (i >= 5)
        return -1;
    *name = names[i];
    return (int)i;
}

/* A tab has three spellings; each value is its own number (the index of
 * its spelling, so that every spelling reads back as given); cmd_gen.c
 * makes it the character. */
static int gen_delimiter_values(size_t i, const char **name)
{
    static const char *const names[] = {",", ";", "tab", "\\t", "\t"};
    if (i >= sizeof names / sizeof names[0])
        return -1;
    *name = names[i];
    return (int)i;
}

/* How a value is kept in tix_config. */
typedef enum store {
    ST_ENUM,   /* an int-sized enum (or int) */
    ST_U64,    /* uint64_t */
    ST_SIZE,   /* size_t, the value << shift (max-memory: MiB in bytes) */
    ST_UINT,   /* unsigned */
    ST_DOUBLE, /* double */
    ST_DAY,    /* int32_t day number */
    ST_TEXT,   /* char *, owned */
    ST_FLAG,   /* int set to 1 */
    ST_MAP,    /* maps[], map_text[]: COL=HDR */
    ST_BY      /* by[]: a --by list, canonical (record.h tix_dims_parse) */
} store;

typedef struct target {
    store how;
    size_t offset; /* in tix_config */
    int shift;
    values_fn values;
} target;

#define AT(field) offsetof(tix_config, field)

/* Indexed by tix_option.id: the field each option sets. */
/* tix_config.given has a bit for each. */
_Static_assert(O_COUNT <= 32 * sizeof(((tix_config *)0)->given) / sizeof(uint32_t),
               "tix_config.given has too few bits for the options");
static const target targets[O_COUNT] = {
    [O_PERIOD] = {ST_ENUM, AT(engine.period), 0, period_values},
    [O_BY] = {ST_BY, AT(by), 0, NULL},
    [O_MEASURE] = {ST_ENUM, AT(engine.measure), 0, measure_values},
    [O_METHOD] = {ST_ENUM, AT(index.method), 0, method_values},
    [O_CHAIN] = {ST_ENUM, AT(index.chain), 0, chain_values},
    [O_WINDOW] = {ST_SIZE, AT(index.window), 0, NULL},
    [O_SPLICE] = {ST_ENUM, AT(index.splice), 0, splice_values},
    [O_HEDONIC] = {ST_TEXT, AT(hedonic), 0, NULL},
    [O_KENNEDY] = {ST_FLAG, AT(index.kennedy), 0, NULL},
    [O_CI_LEVEL] = {ST_DOUBLE, AT(index.ci_level), 0, NULL},
    [O_CI] = {ST_FLAG, AT(index.ci), 0, NULL},
    [O_CI_GROUPS] = {ST_SIZE, AT(engine.ci_groups), 0, NULL},
    [O_PROVISIONAL] = {ST_SIZE, AT(index.provisional), 0, NULL},
    [O_BASE] = {ST_TEXT, AT(base), 0, NULL},
    [O_WINSORIZE] = {ST_DOUBLE, AT(index.winsorize), 0, NULL},
    [O_WINSOR_WINDOW] = {ST_SIZE, AT(index.winsor_window), 0, NULL},
    [O_MIN_CONTRACTS] = {ST_U64, AT(index.min_contracts), 0, NULL},
    [O_YEAR_OVER_YEAR] = {ST_FLAG, AT(index.year_over_year), 0, NULL},
    [O_GROUP] = {ST_TEXT, AT(group), 0, NULL},
    [O_GROUPS] = {ST_TEXT, AT(groups), 0, NULL},
    [O_OUTPUT] = {ST_TEXT, AT(output), 0, NULL},
    [O_FORMAT] = {ST_ENUM, AT(format), 0, format_values},
    [O_CELLS] = {ST_TEXT, AT(cells), 0, NULL},
    [O_CONTRIBUTIONS] = {ST_TEXT, AT(contributions), 0, NULL},
    [O_REJECTS] = {ST_TEXT, AT(rejects), 0, NULL},
    [O_STRICT] = {ST_FLAG, AT(strict), 0, NULL},
    [O_MAP] = {ST_MAP, 0, 0, NULL},
    [O_FROM] = {ST_DAY, AT(engine.from_day), 0, NULL},
    [O_TO] = {ST_DAY, AT(engine.to_day), 0, NULL},
    [O_DATE_FORMAT] = {ST_TEXT, AT(date_format), 0, NULL},
    [O_AMOUNT_UNIT] = {ST_ENUM, AT(engine.amount_unit), 0, amount_unit_values},
    [O_MAX_REJECT_RATE] = {ST_DOUBLE, AT(max_reject_rate), 0, NULL},
    [O_DEDUP] = {ST_FLAG, AT(engine.dedup), 0, NULL},
    [O_ALLOW_REPEATS] = {ST_FLAG, AT(allow_repeats), 0, NULL},
    [O_THREADS] = {ST_UINT, AT(engine.threads), 0, NULL},
    [O_INFLATE] = {ST_ENUM, AT(engine.inflate), 0, inflate_values},
    [O_DELIMITER] = {ST_ENUM, AT(engine.delimiter), 0, delimiter_values},
    [O_ENCODING] = {ST_ENUM, AT(engine.encoding), 0, encoding_values},
    [O_NO_STATS] = {ST_FLAG, AT(no_stats), 0, NULL},
    [O_QUIET] = {ST_FLAG, AT(quiet), 0, NULL},
    [O_MAX_RECORD] = {ST_SIZE, AT(engine.max_record_bytes), 0, NULL},
    [O_MAX_FIELDS] = {ST_SIZE, AT(engine.max_fields), 0, NULL},
    [O_MAX_CELLS] = {ST_SIZE, AT(engine.max_cells), 0, NULL},
    [O_MAX_MEMORY] = {ST_SIZE, AT(engine.max_memory), 20, NULL},
    [O_STATE] = {ST_TEXT, AT(state), 0, NULL},
    [O_INIT] = {ST_FLAG, AT(init), 0, NULL},
    [O_STATUS] = {ST_FLAG, AT(status), 0, NULL},
    [O_WEEK] = {ST_TEXT, AT(week), 0, NULL},
    [O_REPLACE] = {ST_FLAG, AT(replace), 0, NULL},
    [O_TITLE] = {ST_TEXT, AT(title), 0, NULL},
    [O_LAST] = {ST_SIZE, AT(last), 0, NULL},
    [O_LANG] = {ST_ENUM, AT(lang), 0, lang_values},
    [O_LABELS] = {ST_TEXT, AT(labels), 0, NULL},
    [O_BOM] = {ST_FLAG, AT(bom), 0, NULL},
    [O_FORCE] = {ST_FLAG, AT(force), 0, NULL},
    [O_CHART_FORMAT] = {ST_ENUM, AT(chart_format), 0, chart_format_values},
    [O_GEN_ROWS] = {ST_U64, AT(gen_rows), 0, NULL},
    [O_GEN_SEED] = {ST_U64, AT(gen_seed), 0, NULL},
    [O_GEN_FROM] = {ST_DAY, AT(gen_from), 0, NULL},
    [O_GEN_TO] = {ST_DAY, AT(gen_to), 0, NULL},
    [O_GEN_DIRTY] = {ST_DOUBLE, AT(gen_dirty), 0, NULL},
    [O_GEN_CHINESE] = {ST_FLAG, AT(gen_chinese), 0, NULL},
    [O_GEN_ID_PREFIX] = {ST_TEXT, AT(gen_id_prefix), 0, NULL},
    [O_GEN_ENCODING] = {ST_ENUM, AT(gen_encoding), 0, gen_encoding_values},
    [O_GEN_DELIMITER] = {ST_ENUM, AT(gen_delimiter), 0, gen_delimiter_values},
    [O_GEN_AMOUNT_UNIT] = {ST_ENUM, AT(gen_amount_unit), 0, gen_unit_values},
    [O_GEN_DATE_FORM] = {ST_ENUM, AT(gen_date_form), 0, gen_date_form_values},
    [O_GEN_QUOTED_NOTES] = {ST_DOUBLE, AT(gen_quoted_notes), 0, NULL},
    [O_GEN_TRUTH] = {ST_TEXT, AT(gen_truth), 0, NULL},
    [O_GEN_TRUTH_PERIOD] = {ST_ENUM, AT(gen_truth_period), 0, period_values},
    [O_GEN_TREND] = {ST_DOUBLE, AT(gen_trend), 0, NULL},
    [O_GEN_RETURN_TO_START] = {ST_FLAG, AT(gen_return_to_start), 0, NULL},
    [O_GEN_SHIFT_DEVELOPMENT] = {ST_DOUBLE, AT(gen_shift_development), 0, NULL},
    [O_GEN_HOLIDAYS] = {ST_FLAG, AT(gen_holidays), 0, NULL},
    [O_GEN_DIVERGE] = {ST_DOUBLE, AT(gen_diverge), 0, NULL},
};

/* Enums are stored through an int: they must be int-sized. */
_Static_assert(sizeof(tix_period_kind) == sizeof(int) && sizeof(tix_column) == sizeof(int) &&
                   sizeof(tix_measure) == sizeof(int) && sizeof(tix_method) == sizeof(int) &&
                   sizeof(tix_chain) == sizeof(int) && sizeof(tix_splice) == sizeof(int) &&
                   sizeof(tix_inflate) == sizeof(int) && sizeof(tix_amount_unit) == sizeof(int) &&
                   sizeof(tix_encoding) == sizeof(int),
               "enum options are stored as int");

static void *field(tix_config *c, const target *t) { return (char *)c + t->offset; }

static const void *cfield(const tix_config *c, const target *t)
{
    return (const char *)c + t->offset;
}

const char *tix_option_value(const tix_option *opt, size_t i)
{
    const char *name = NULL;
    if (opt->kind != TIX_OPT_ENUM || targets[opt->id].values(i, &name) < 0)
        return NULL;
    return name;
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
    strcpy(c->by, c->engine.by); /* finish points engine.by here */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c->engine.threads = cores > 0 ? (unsigned)cores : 1;
    c->max_reject_rate = 1; /* no rate is over 1: no limit */
    c->last = 104;          /* gen's defaults are tix_gen_opts_init's (gen.h) */
    return TIX_OK;
}

void tix_config_clear(tix_config *c)
{
    char **strs[] = {&c->base,          &c->output, &c->cells,       &c->rejects,
                     &c->contributions, &c->state,  &c->week,        &c->title,
                     &c->group,         &c->groups, &c->date_format, &c->gen_id_prefix,
                     &c->gen_truth,     &c->hedonic, &c->labels};
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
    c->engine.date_format = NULL;
    c->index.hedonic = NULL;
    memset(c->given, 0, sizeof c->given);
    strcpy(c->by, "sector"); /* as given nothing: tix_engine_opts_init's */
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
            snprintf(list + used, sizeof list - used, "%s%s",
                     i == 0       ? ""
                     : i + 1 == n ? " or "
                                  : ", ",
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

static tix_status set_map(tix_config *c, const char *v, char *err, size_t errlen)
{
    const char *eq = strchr(v, '=');
    tix_column col;
    if (!eq || eq[1] == '\0')
        return say(err, errlen, "`map` takes COLUMN=HEADER, not '%s'", v);
    char name[64];
    size_t n = (size_t)(eq - v);
    if (n >= sizeof name ||
        (memcpy(name, v, n), name[n] = '\0', tix_column_parse(name, &col)) != TIX_OK)
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
        return say(err, errlen, v ? "`%s` takes no value" : "`%s` needs a value", opt->name);
    const target *t = &targets[opt->id];
    tix_status st = TIX_OK;
    uint64_t whole = 0;
    int32_t day = 0;
    double real = 0;
    int num = -1;
    /* The value, checked against its kind. */
    switch (opt->kind) {
    case TIX_OPT_FLAG:
    case TIX_OPT_TEXT:
    case TIX_OPT_OUTPUT:
    case TIX_OPT_LIST:
        break;
    case TIX_OPT_ENUM: {
        const char *name;
        /* A tab, as itself or written \t, is the delimiter tab. */
        if (opt->id == O_DELIMITER && (strcmp(v, "\t") == 0 || strcmp(v, "\\t") == 0))
            v = "tab";
        for (size_t i = 0; (num = t->values(i, &name)) >= 0; i++)
            if (strcmp(name, v) == 0)
                break;
        if (num < 0 && opt->id == O_DELIMITER)
            st = say(err, errlen,
                     "`delimiter` must be ',', ';' or tab (a tab character or \\t), not '%s'", v);
        else if (num < 0)
            st = bad_value(opt, v, err, errlen);
        else if (opt->id == O_INFLATE && !tix_inflate_available((tix_inflate)num))
            st = say(err, errlen, "`inflate` %s: this build has no %s", v, v);
        break;
    }
    case TIX_OPT_COUNT:
        if (!parse_whole(v, opt->min, opt->max, &whole))
            st = bad_value(opt, v, err, errlen);
        else if (t->shift && whole > (uint64_t)(SIZE_MAX >> t->shift))
            st = say(err, errlen, "`%s` %s is more than this machine can address", opt->name, v);
        break;
    case TIX_OPT_REAL: {
        char *end;
        errno = 0;
        locale_t cl = sink_locale_c();
        if (cl == (locale_t)0)
            return say(err, errlen, "out of memory"), TIX_E_NOMEM;
        locale_t caller = uselocale(cl); /* "0.99" whatever LC_NUMERIC says */
        real = strtod(v, &end);
        uselocale(caller);
        if (errno || end == v || *end || isspace((unsigned char)*v) || /* " 0.5" as counts */
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
    if (st == TIX_OK && opt->id == O_WEEK) {
        int32_t w;
        if (tix_period_parse(TIX_PERIOD_WEEK, v, &w) != TIX_OK)
            st = say(err, errlen, "`week` takes an ISO week such as 2024-W48, not '%s'", v);
    }
    if (st == TIX_OK && opt->id == O_DATE_FORMAT) {
        tix_date_pattern pat; /* checked now; the engine compiles its own */
        st = tix_date_pattern_compile(&pat, v, err, errlen);
    }
    if (st != TIX_OK)
        return st;
    /* Into its field. */
    void *p = field(c, t);
    switch (t->how) {
    case ST_ENUM:
        memcpy(p, &num, sizeof num);
        break;
    case ST_U64:
        memcpy(p, &whole, sizeof whole);
        break;
    case ST_SIZE: {
        size_t z = (size_t)whole << t->shift;
        memcpy(p, &z, sizeof z);
        break;
    }
    case ST_UINT: {
        unsigned u = (unsigned)whole;
        memcpy(p, &u, sizeof u);
        break;
    }
    case ST_DOUBLE:
        memcpy(p, &real, sizeof real);
        break;
    case ST_DAY:
        if (opt->id == O_FROM || opt->id == O_TO) {
            /* One end given: the other is as far as dates go. */
            if (!c->engine.has_range) {
                c->engine.has_range = 1;
                c->engine.from_day = tix_days_from_civil(1, 1, 1);
                c->engine.to_day = tix_days_from_civil(9999, 12, 31);
            }
        }
        memcpy(p, &day, sizeof day);
        break;
    case ST_TEXT:
        st = set_text((char **)p, v, err, errlen);
        break;
    case ST_FLAG: {
        int one = 1;
        memcpy(p, &one, sizeof one);
        break;
    }
    case ST_MAP:
        st = set_map(c, v, err, errlen);
        break;
    case ST_BY: {
        tix_dims d;
        char why[160];
        if (tix_dims_parse(v, &d, why, sizeof why) != TIX_OK)
            return say(err, errlen, "%s", why);
        tix_dims_text(&d, c->by);
        break;
    }
    }
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
    /* gen's defaults are gen's (gen.h): checked here when both are given. */
    if ((cmd & TIX_CMD_GEN) && given(c, O_GEN_FROM) && given(c, O_GEN_TO) &&
        c->gen_from > c->gen_to)
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
        return say(err, errlen,
                   "`chain` applies to bilateral methods; a multilateral one is "
                   "neither chained nor fixed-base (see `window` and `splice`)");
    if (!geks && (given(c, O_WINDOW) || given(c, O_SPLICE)))
        return say(err, errlen, "`window` and `splice` apply to the multilateral methods only");
    if (c->contributions && c->index.method == TIX_METHOD_TPD)
        return say(err, errlen,
                   "`contributions` has no decomposition for `method` tpd: its bias "
                   "adjustment belongs to no cell");
    if (c->contributions && (geks || c->index.chain != TIX_CHAIN_CHAINED))
        return say(err, errlen,
                   "`contributions` decomposes chained links: use `chain` chained "
                   "and a bilateral `method`");
    if (c->index.year_over_year) {
        /* Where rows are read the period is known; parts say theirs to the library. */
        if ((cmd & TIX_CMD_RUN) && c->engine.period != TIX_PERIOD_MONTH &&
            c->engine.period != TIX_PERIOD_QUARTER && c->engine.period != TIX_PERIOD_WEEK)
            return say(err, errlen, "`year-over-year` needs `period` month, quarter or week");
        if (c->base)
            return say(err, errlen,
                       "`base` does not apply with `year-over-year`: each season is 100 in "
                       "its first year with data");
        if (c->cells)
            return say(err, errlen,
                       "`cells` is not written with `year-over-year`; run without it for "
                       "the cells table");
    }
    int td = c->index.method == TIX_METHOD_TIME_DUMMY;
    if (!td && ((c->hedonic && !(cmd & TIX_CMD_CUBE)) || c->index.kennedy))
        return say(err, errlen, "`%s` applies to `method` time-dummy only",
                   c->hedonic ? "hedonic" : "kennedy");
    if (!td && given(c, O_CI_LEVEL) && !c->index.ci)
        return say(err, errlen,
                   "`ci-level` is the level of the intervals of `ci` or `method` time-dummy: "
                   "give one of them");
    if (c->engine.ci_groups && !c->index.ci)
        return say(err, errlen, "`ci-groups` is the number of groups of `ci`: give `ci` too");
    if (c->index.ci && c->index.winsorize > 0)
        return say(err, errlen,
                   "`ci` does not combine with `winsorize`: the caps come from each cell's "
                   "sketch, which keeps no replicate groups");
    /* The groups are kept where rows are read (index reads the parts'). */
    if (c->index.ci && !c->engine.ci_groups)
        c->engine.ci_groups = TIX_CUBE_DEFAULT_REPLICATES;
    if (td && c->index.winsorize > 0)
        return say(err, errlen,
                   "`winsorize` caps values, not the logs `method` time-dummy regresses on");
    if (c->index.winsor_window && !(c->index.winsorize > 0))
        return say(err, errlen, "`winsorize-window` needs `winsorize`");
    c->engine.maps = c->maps;
    c->engine.nmaps = c->nmaps;
    c->index.threads = c->engine.threads; /* the jackknife's replicates at once */
    c->engine.by = c->by;
    if (c->groups && !c->group)
        return say(err, errlen, "`groups` writes the sub-indices of `group`: name its column");
    if (c->group && (cmd & (TIX_CMD_RUN | TIX_CMD_INDEX)) && !c->groups)
        return say(err, errlen, "`group` writes its sub-indices to `groups` FILE: name the file");
    if (c->group) {
        tix_dims g, d;
        char why[160];
        if (tix_dims_parse(c->group, &g, why, sizeof why) != TIX_OK || g.n != 1)
            return say(err, errlen, "`group` takes one column, not '%s'", c->group);
        if (strcmp(g.name[0], c->group) != 0) { /* canonical: 技术领域 is sector */
            tix_status st = set_text(&c->group, g.name[0], err, errlen);
            if (st != TIX_OK)
                return st;
        }
        /* Where rows are read the group must be one of the `by` columns;
         * parts say theirs to the library. */
        tix_dims_parse(c->by, &d, NULL, 0);
        size_t k = d.n;
        for (size_t i = 0; i < d.n; i++)
            if (strcmp(d.name[i], g.name[0]) == 0)
                k = i;
        if ((cmd & (TIX_CMD_RUN | TIX_CMD_INIT)) && k == d.n)
            return say(err, errlen, "`group` %s is not one of the `by` columns (%s)", g.name[0],
                       c->by);
    }
    /* The time dummy's characteristics: where rows are read, the default
     * is the `by` columns, contract_type and seller_type (as many as fit);
     * those beyond `by` are read beside it (engine.characteristics). A
     * part keeps those its `hedonic` names (a pair for each combination of
     * them: many more, each with its sketch). Parts say theirs to the
     * library. */
    c->characteristics[0] = 0;
    c->engine.characteristics = NULL;
    if (c->hedonic || (td && (cmd & (TIX_CMD_RUN | TIX_CMD_INIT)))) {
        tix_dims h, d;
        char why[160], canon[TIX_BY_MAX];
        tix_dims_parse(c->by, &d, NULL, 0);
        if (c->hedonic) {
            if (tix_dims_parse(c->hedonic, &h, why, sizeof why) != TIX_OK)
                return say(err, errlen, "`hedonic`: %s", why);
        } else {
            h = d;
            static const char *const more[] = {"contract_type", "seller_type"};
            for (size_t j = 0; j < 2 && h.n < TIX_MAX_DIMS; j++) {
                size_t i = 0;
                while (i < h.n && strcmp(h.name[i], more[j]) != 0)
                    i++;
                if (i == h.n) {
                    tix_dims one;
                    tix_dims_parse(more[j], &one, NULL, 0);
                    strcpy(h.name[h.n], one.name[0]);
                    h.known[h.n] = one.known[0];
                    h.column[h.n] = one.column[0];
                    h.n++;
                }
            }
        }
        tix_dims extra;
        memset(&extra, 0, sizeof extra);
        for (size_t j = 0; j < h.n; j++) {
            size_t i = 0;
            while (i < d.n && strcmp(d.name[i], h.name[j]) != 0)
                i++;
            if (i == d.n) {
                memcpy(extra.name[extra.n], h.name[j], sizeof h.name[j]);
                extra.known[extra.n] = h.known[j];
                extra.column[extra.n++] = h.column[j];
            }
        }
        int reads = (cmd & (TIX_CMD_RUN | TIX_CMD_INIT | TIX_CMD_CUBE)) != 0;
        if (reads && d.n + extra.n > TIX_MAX_DIMS) /* index: the parts' columns */
            return say(err, errlen,
                       "`by` and `hedonic` name %zu columns together; at most %d are read",
                       d.n + extra.n, TIX_MAX_DIMS);
        tix_dims_text(&h, canon);
        tix_status st = set_text(&c->hedonic, canon, err, errlen);
        if (st != TIX_OK)
            return st;
        if (extra.n && reads) {
            tix_dims_text(&extra, c->characteristics);
            c->engine.characteristics = c->characteristics;
        }
    }
    c->index.hedonic = c->hedonic;
    if (c->group && c->index.year_over_year)
        return say(err, errlen, "`group` does not apply with `year-over-year`");
    c->engine.date_format = c->date_format;
    /* Winsorizing reads the sketch with its bucket sums; the cells table
     * its quantiles. */
    c->engine.cell_stats = c->index.winsorize > 0 ? TIX_CUBE_STATS_SUMS
                           : c->cells             ? TIX_CUBE_STATS
                                                  : 0;
    /* The time dummy regresses on the logs: one logarithm a row, only then. */
    if (td)
        c->engine.cell_stats |= TIX_CUBE_STATS_LOGS;
    /* A part keeps what any index of it may need, unless `no-stats`. A
     * repeated contract_id cannot be seen across parts made apart. */
    if (cmd == TIX_CMD_CUBE && c->engine.dedup)
        return say(err, errlen,
                   "`dedup` cannot hold across parts aggregated apart; use run "
                   "`dedup` on all the files");
    if (cmd == TIX_CMD_CUBE)
        c->engine.cell_stats = c->no_stats ? 0 : TIX_CUBE_STATS_SUMS | TIX_CUBE_STATS_LOGS;
    return TIX_OK;
}

const char *tix_config_text(const tix_config *c, const tix_option *opt, char *buf, size_t buflen)
{
    if (!tix_config_given(c, opt) || opt->kind == TIX_OPT_LIST)
        return NULL;
    const target *t = &targets[opt->id];
    const void *p = cfield(c, t);
    switch (t->how) {
    case ST_FLAG:
        return "";
    case ST_ENUM: {
        int num, want;
        const char *name;
        memcpy(&want, p, sizeof want);
        for (size_t i = 0; (num = t->values(i, &name)) >= 0; i++)
            if (num == want)
                return name;
        return NULL;
    }
    case ST_U64:
    case ST_SIZE:
    case ST_UINT: {
        uint64_t v;
        if (t->how == ST_U64) {
            memcpy(&v, p, sizeof v);
        } else if (t->how == ST_SIZE) {
            size_t z;
            memcpy(&z, p, sizeof z);
            v = (uint64_t)(z >> t->shift);
        } else {
            unsigned u;
            memcpy(&u, p, sizeof u);
            v = u;
        }
        snprintf(buf, buflen, "%llu", (unsigned long long)v);
        return buf;
    }
    case ST_DOUBLE: {
        /* The shortest text that gives the double back exactly: 0.9, not
         * 0.90000000000000002. */
        double v;
        memcpy(&v, p, sizeof v);
        locale_t cl = sink_locale_c();
        if (cl == (locale_t)0)
            return NULL;
        locale_t caller = uselocale(cl);
        for (int digits = 1; digits <= 17; digits++) {
            snprintf(buf, buflen, "%.*g", digits, v);
            if (strtod(buf, NULL) == v)
                break;
        }
        uselocale(caller);
        return buf;
    }
    case ST_DAY: {
        int32_t d;
        memcpy(&d, p, sizeof d);
        if (buflen < TIX_PERIOD_LABEL_MAX)
            return NULL;
        tix_date_format(d, buf);
        return buf;
    }
    case ST_TEXT: {
        const char *s;
        memcpy(&s, p, sizeof s);
        return s;
    }
    case ST_BY:
        return c->by;
    case ST_MAP:
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
