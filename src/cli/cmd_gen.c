/* techidx gen: write a synthetic contract dump (see gen/gen.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/outfile.h"
#include "cli/term.h"
#include "gen/gen.h"
#include "techidx/period.h"

static const args_help gen_help = {
    .head = "Usage: techidx gen --rows N --seed S [OPTION]... -o FILE\n"
            "Write N synthetic technology contracts as CSV to FILE (gzip if FILE ends in .gz).\n"
            "The same options always produce the same bytes.\n"
            "\n",
    .width = 24,
    .pad_short = 1,
    .help_line = "show this help and exit",
};

static int given(const tix_config *c, const char *name)
{
    return tix_config_given(c, tix_option_find(name, TIX_CMD_GEN));
}

/* Writes the truth of o's market to path, complete or not at all. */
static int write_truth(const tix_gen_opts *o, const char *path)
{
    char err[256];
    outfile f;
    if (outfile_open_held(&f, path) != 0) {
        term_error(path, 0, "cannot write: %s", strerror(errno));
        return TIX_EXIT_FAIL;
    }
    tix_status st = tix_gen_truth_write(o, f.f, err, sizeof err);
    if (st == TIX_OK && outfile_commit(&f) != 0) {
        snprintf(err, sizeof err, "%s", strerror(errno));
        st = TIX_E_IO;
    }
    outfile_abort(&f);
    if (st == TIX_OK)
        return TIX_EXIT_OK;
    term_error(path, 0, "%s", err[0] ? err : tix_strerror(st));
    return TIX_EXIT_FAIL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int tix_cli_gen(int argc, char **argv)
{
    tix_config c;
    int first;
    char err[256];
    int rc = args_parse(argc, argv, TIX_CMD_GEN, &gen_help, &c, &first);
    if (rc == 0 && first < argc) {
        snprintf(err, sizeof err, "unexpected argument '%s'", argv[first]);
        rc = args_usage_error("gen", err);
    }
    if (rc == 0 && !c.output)
        rc = args_usage_error("gen", "no output file (use -o FILE)");
    if (rc != 0) {
        tix_config_clear(&c);
        return rc < 0 ? TIX_EXIT_OK : rc;
    }
    tix_gen_opts o;
    tix_gen_opts_init(&o);
    if (given(&c, "rows"))
        o.rows = c.gen_rows;
    if (given(&c, "seed"))
        o.seed = (unsigned long)c.gen_seed;
    if (given(&c, "from"))
        o.from_day = c.gen_from;
    if (given(&c, "to"))
        o.to_day = c.gen_to;
    o.dirty = c.gen_dirty;
    o.chinese_headers = c.gen_chinese;
    o.id_prefix = c.gen_id_prefix; /* c outlives the write */
    /* `delimiter` stores which spelling was given (options.c): , ; tab \t TAB */
    static const char delimiters[] = {',', ';', '\t', '\t', '\t'};
    if (c.gen_delimiter >= 0 && (size_t)c.gen_delimiter < sizeof delimiters)
        o.delimiter = delimiters[c.gen_delimiter];
    /* The table numbers these as gen.h's enums (options.c). */
    o.encoding = (tix_gen_encoding)c.gen_encoding;
    o.amount_unit = (tix_gen_unit)c.gen_amount_unit;
    o.date_form = (tix_gen_date_form)c.gen_date_form;
    if (given(&c, "quoted-notes"))
        o.quoted_notes = c.gen_quoted_notes;
    /* Any truth-mode option draws the market whose truth is known. */
    static const char *const truth_options[] = {"truth",           "truth-period",      "trend",
                                                "return-to-start", "shift-development", "holidays",
                                                "diverge"};
    for (size_t i = 0; i < sizeof truth_options / sizeof truth_options[0]; i++)
        if (given(&c, truth_options[i]))
            o.truth = 1;
    if (given(&c, "truth-period"))
        o.truth_period = (tix_period_kind)c.gen_truth_period;
    o.trend = c.gen_trend;
    o.return_to_start = c.gen_return_to_start;
    o.shift_development = c.gen_shift_development;
    o.holidays = c.gen_holidays;
    o.diverge = c.gen_diverge;
    const char *usage = NULL;
    if (o.from_day > o.to_day)
        usage = "--from is after --to";
    else if (c.gen_truth && strcmp(c.gen_truth, "-") == 0 && strcmp(c.output, "-") == 0)
        usage = "--truth and -o cannot both be stdout";
    if (usage) {
        tix_config_clear(&c);
        return args_usage_error("gen", usage);
    }
    const char *out = c.output;
    o.gzip = ends_with(out, ".gz");
    outfile f;
    if (outfile_open(&f, out) != 0) {
        term_error(out, 0, "cannot write: %s", strerror(errno));
        tix_config_clear(&c);
        return TIX_EXIT_FAIL;
    }
    tix_status st = tix_gen_write(&o, f.f, err, sizeof err);
    if (st == TIX_OK && outfile_commit(&f) != 0) {
        snprintf(err, sizeof err, "%s", strerror(errno));
        st = TIX_E_IO;
    }
    outfile_abort(&f);
    rc = TIX_EXIT_OK;
    if (st == TIX_E_INVALID) /* options the library refused, e.g. a range over 400 years */
        rc = args_usage_error("gen", err);
    else if (st != TIX_OK) {
        term_error(out, 0, "%s", err[0] ? err : tix_strerror(st));
        rc = TIX_EXIT_FAIL;
    }
    if (rc == TIX_EXIT_OK && c.gen_truth)
        rc = write_truth(&o, c.gen_truth);
    tix_config_clear(&c);
    return rc;
}
