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
    if (tix_config_given(&c, tix_option_find("rows", TIX_CMD_GEN)))
        o.rows = c.gen_rows;
    if (tix_config_given(&c, tix_option_find("seed", TIX_CMD_GEN)))
        o.seed = (unsigned long)c.gen_seed;
    if (tix_config_given(&c, tix_option_find("from", TIX_CMD_GEN)))
        o.from_day = c.gen_from;
    if (tix_config_given(&c, tix_option_find("to", TIX_CMD_GEN)))
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
    if (o.from_day > o.to_day) {
        tix_config_clear(&c);
        return args_usage_error("gen", "--from is after --to");
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
    tix_config_clear(&c);
    return rc;
}
