/* techidx gen: write a synthetic contract dump (see gen/gen.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/outfile.h"
#include "cli/term.h"
#include "gen/gen.h"
#include "techidx/period.h"

static const char usage_text[] =
    "Usage: techidx gen --rows N --seed S [OPTION]... -o FILE\n"
    "Write N synthetic technology contracts as CSV to FILE (gzip if FILE ends in .gz).\n"
    "The same options always produce the same bytes.\n"
    "\n"
    "  -n, --rows N          data rows to write (default 1000)\n"
    "  -s, --seed S          random seed, a non-negative integer (default 1)\n"
    "      --from DATE       first signing date, YYYY-MM-DD (default 2022-01-01)\n"
    "      --to DATE         last signing date, YYYY-MM-DD (default 2024-12-31)\n"
    "      --dirty FRACTION  fraction of deliberately broken rows, 0..1 (default 0)\n"
    "      --chinese         Chinese column names in the header row\n"
    "  -o, --output FILE     output file, '-' for stdout (required); written under a\n"
    "                        temporary name and renamed into place when complete\n"
    "  -h, --help            show this help and exit\n";

static int usage_error(const char *reason, const char *arg)
{
    if (arg != NULL)
        fprintf(stderr, "techidx gen: %s '%s'\n", reason, arg);
    else
        fprintf(stderr, "techidx gen: %s\n", reason);
    fputs("Try 'techidx gen --help'.\n", stderr);
    return TIX_EXIT_USAGE;
}

/* Plain decimal digits only: strtoull alone would accept "-1", " 5", "0x10". */
static int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (s[0] < '0' || s[0] > '9')
        return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return 0;
    *out = v;
    return 1;
}

static int parse_fraction(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !(v >= 0.0 && v <= 1.0))
        return 0;
    *out = v;
    return 1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

enum { OPT_FROM = 256, OPT_TO, OPT_DIRTY, OPT_CHINESE };

int tix_cli_gen(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"rows", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"from", required_argument, NULL, OPT_FROM},
        {"to", required_argument, NULL, OPT_TO},
        {"dirty", required_argument, NULL, OPT_DIRTY},
        {"chinese", no_argument, NULL, OPT_CHINESE},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    tix_gen_opts o;
    const char *out = NULL;
    unsigned long long v;
    char err[256];
    int c;

    tix_gen_opts_init(&o);
    optind = 1;
    opterr = 0; /* our own one-line messages instead of getopt's */
    while ((c = getopt_long(argc, argv, ":n:s:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!parse_u64(optarg, 999999999999ULL, &v))
                return usage_error("invalid row count", optarg);
            o.rows = v;
            break;
        case 's':
            if (!parse_u64(optarg, ULONG_MAX, &v))
                return usage_error("invalid seed", optarg);
            o.seed = (unsigned long)v;
            break;
        case OPT_FROM:
            if (tix_date_parse(optarg, strlen(optarg), &o.from_day) != TIX_OK)
                return usage_error("invalid date", optarg);
            break;
        case OPT_TO:
            if (tix_date_parse(optarg, strlen(optarg), &o.to_day) != TIX_OK)
                return usage_error("invalid date", optarg);
            break;
        case OPT_DIRTY:
            if (!parse_fraction(optarg, &o.dirty))
                return usage_error("dirty fraction must be a number in [0, 1], not", optarg);
            break;
        case OPT_CHINESE:
            o.chinese_headers = 1;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return TIX_EXIT_OK;
        case ':':
            return usage_error("missing argument to", argv[optind - 1]);
        default:
            if (optopt > 0 && optopt < 256) {
                char opt[3] = {'-', (char)optopt, '\0'};
                return usage_error("invalid option", opt);
            }
            return usage_error("unrecognized option", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument", argv[optind]);
    if (out == NULL)
        return usage_error("no output file (use -o FILE)", NULL);
    if (o.from_day > o.to_day)
        return usage_error("--from is after --to", NULL);
    o.gzip = ends_with(out, ".gz");

    outfile f;
    if (outfile_open(&f, out) != 0) {
        term_error(out, 0, "cannot write: %s", strerror(errno));
        return TIX_EXIT_FAIL;
    }
    tix_status st = tix_gen_write(&o, f.f, err, sizeof err);
    if (st == TIX_OK && outfile_commit(&f) != 0) {
        snprintf(err, sizeof err, "%s", strerror(errno));
        st = TIX_E_IO;
    }
    outfile_abort(&f);
    if (st == TIX_E_INVALID) /* options the library refused, e.g. a range over 400 years */
        return usage_error(err, NULL);
    if (st != TIX_OK) {
        term_error(out, 0, "%s", err[0] ? err : tix_strerror(st));
        return TIX_EXIT_FAIL;
    }
    return TIX_EXIT_OK;
}
