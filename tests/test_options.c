/* Tests for the option table (techidx/options.h): the table itself (names,
 * allowed values), setting values (kinds, bounds, repeats), the checks
 * across options, the text a value gives back, and how messages name
 * options for each front end. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "techidx/cube.h"
#include "techidx/options.h"
#include "techidx/period.h"
#include "techidx/source.h"

/* The lowest command bit that takes opt. */
static unsigned first_command(const tix_option *opt)
{
    for (unsigned bit = 1; bit; bit <<= 1)
        if (opt->commands & bit)
            return bit;
    cr_assert_fail("`%s` belongs to no command", opt->name);
    return 0;
}

static const tix_option *find(const char *name, unsigned cmd)
{
    const tix_option *opt = tix_option_find(name, cmd);
    cr_assert_not_null(opt, "no option `%s`", name);
    cr_assert(opt->commands & cmd, "`%s` is not an option of command %#x", name, cmd);
    return opt;
}

/* Sets name (for cmd) in c; returns the status, the message in err. */
static tix_status set(tix_config *c, unsigned cmd, const char *name, const char *value, char *err,
                      size_t errlen)
{
    err[0] = '\0';
    return tix_config_set(c, cmd, find(name, cmd), value, err, errlen);
}

/* Sets name to value in a fresh config; returns the status. */
static tix_status set_fresh(unsigned cmd, const char *name, const char *value)
{
    tix_config c;
    char err[256];
    tix_config_init(&c);
    tix_status st = set(&c, cmd, name, value, err, sizeof err);
    if (st != TIX_OK)
        cr_assert_neq(err[0], '\0', "`%s` '%s' refused without a message", name, value);
    tix_config_clear(&c);
    return st;
}

/* ---- the table ----------------------------------------------------------------- */

Test(options, a_name_means_one_option_per_command)
{
    size_t n;
    const tix_option *t = tix_options(&n);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        cr_assert_not_null(t[i].name);
        cr_assert_neq(t[i].commands, 0, "`%s` belongs to no command", t[i].name);
        for (size_t k = i + 1; k < n; k++) {
            if (strcmp(t[i].name, t[k].name) == 0)
                cr_assert_eq(t[i].commands & t[k].commands, 0, "`%s` twice for commands %#x",
                             t[i].name, t[i].commands & t[k].commands);
            if (t[i].short_name && t[i].short_name == t[k].short_name)
                cr_assert_eq(t[i].commands & t[k].commands, 0, "-%c twice for commands %#x",
                             t[i].short_name, t[i].commands & t[k].commands);
        }
        /* Found by its names for each of its commands. */
        for (unsigned bit = 1; bit <= TIX_CMD_GEN; bit <<= 1) {
            if (!(t[i].commands & bit))
                continue;
            cr_assert_eq(tix_option_find(t[i].name, bit), &t[i], "`%s` for %s", t[i].name,
                         tix_command_name((tix_command)bit));
            if (t[i].short_name)
                cr_assert_eq(tix_option_find_short(t[i].short_name, bit), &t[i], "-%c for %s",
                             t[i].short_name, tix_command_name((tix_command)bit));
        }
    }
}

Test(options, find_prefers_the_command_that_takes_it)
{
    const tix_option *o = tix_option_find("output", TIX_CMD_CUBE);
    cr_assert_not_null(o);
    cr_assert(o->commands & TIX_CMD_CUBE);
    o = tix_option_find("dirty", TIX_CMD_RUN); /* gen's: found, and says where it belongs */
    cr_assert_not_null(o);
    cr_assert_eq(o->commands, TIX_CMD_GEN);
    cr_assert_null(tix_option_find("bogus", ~0u));
    o = tix_option_find_short('o', TIX_CMD_GEN);
    cr_assert_not_null(o);
    cr_assert_str_eq(o->name, "output");
    cr_assert(o->commands & TIX_CMD_GEN);
    cr_assert_null(tix_option_find_short(0, ~0u));
}

Test(options, every_enum_value_round_trips)
{
    size_t n;
    const tix_option *t = tix_options(&n);
    for (size_t i = 0; i < n; i++) {
        if (t[i].kind != TIX_OPT_ENUM) {
            cr_assert_null(tix_option_value(&t[i], 0), "`%s` is no ENUM", t[i].name);
            continue;
        }
        cr_assert_not_null(tix_option_value(&t[i], 0), "`%s` has no values", t[i].name);
        unsigned cmd = first_command(&t[i]);
        for (size_t v = 0; tix_option_value(&t[i], v); v++) {
            const char *value = tix_option_value(&t[i], v);
            tix_config c;
            char err[256] = "", buf[64];
            tix_config_init(&c);
            tix_status st = tix_config_set(&c, cmd, &t[i], value, err, sizeof err);
            tix_inflate back;
            if (strcmp(t[i].name, "inflate") == 0 &&
                (tix_inflate_parse(value, &back) != TIX_OK || !tix_inflate_available(back))) {
                cr_assert_eq(st, TIX_E_INVALID, "inflate %s is not in this build", value);
                tix_config_clear(&c);
                continue;
            }
            cr_assert_eq(st, TIX_OK, "`%s` %s: %s", t[i].name, value, err);
            cr_assert(tix_config_given(&c, &t[i]));
            const char *text = tix_config_text(&c, &t[i], buf, sizeof buf);
            cr_assert_not_null(text, "`%s` %s", t[i].name, value);
            cr_assert_str_eq(text, value, "`%s`", t[i].name);
            tix_config_clear(&c);
        }
        /* Not one of them: refused, the message lists them. */
        char err[512];
        tix_config c;
        tix_config_init(&c);
        cr_assert_eq(tix_config_set(&c, first_command(&t[i]), &t[i], "bogus", err, sizeof err),
                     TIX_E_INVALID);
        cr_assert(strstr(err, "bogus"), "%s", err);
        cr_assert_not(tix_config_given(&c, &t[i]));
        tix_config_clear(&c);
    }
}

/* ---- values ---------------------------------------------------------------------- */

Test(options, counts_keep_their_bounds)
{
    size_t n;
    const tix_option *t = tix_options(&n);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].kind != TIX_OPT_COUNT)
            continue;
        seen++;
        unsigned cmd = first_command(&t[i]);
        const char *name = t[i].name;
        char v[64];
        snprintf(v, sizeof v, "%.0f", t[i].min);
        cr_assert_eq(set_fresh(cmd, name, v), TIX_OK, "`%s` %s (its minimum)", name, v);
        if (t[i].min > 0) {
            snprintf(v, sizeof v, "%.0f", t[i].min - 1);
            cr_assert_eq(set_fresh(cmd, name, v), TIX_E_INVALID, "`%s` %s", name, v);
        }
        if (t[i].max < 1e18) {
            snprintf(v, sizeof v, "%.0f", t[i].max);
            cr_assert_eq(set_fresh(cmd, name, v), TIX_OK, "`%s` %s (its maximum)", name, v);
            snprintf(v, sizeof v, "%.0f", t[i].max + 1);
            cr_assert_eq(set_fresh(cmd, name, v), TIX_E_INVALID, "`%s` %s", name, v);
        } else {
            /* No bound but what a 64-bit count holds. */
            cr_assert_eq(set_fresh(cmd, name, "18446744073709551616"), TIX_E_INVALID, "`%s`", name);
        }
        static const char *const bad[] = {"-1", " 1", "1x", "", "+1", "1.0", "0x10", "1 "};
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++)
            cr_assert_eq(set_fresh(cmd, name, bad[b]), TIX_E_INVALID, "`%s` '%s'", name, bad[b]);
    }
    cr_assert_gt(seen, 5);
    /* A bound said in the message. */
    tix_config c;
    char err[256];
    tix_config_init(&c);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "window", "1", err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "`window`") && strstr(err, "from 2 to 1000"), "%s", err);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "max-cells", "0", err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "`max-cells` takes a positive whole number, not '0'"), "%s", err);
    tix_config_clear(&c);
}

Test(options, winsorize_bounds_are_open_and_dirty_bounds_closed)
{
    cr_assert_eq(set_fresh(TIX_CMD_RUN, "winsorize", "0"), TIX_E_INVALID);
    cr_assert_eq(set_fresh(TIX_CMD_RUN, "winsorize", "1"), TIX_E_INVALID);
    cr_assert_eq(set_fresh(TIX_CMD_RUN, "winsorize", "0.5"), TIX_OK);
    cr_assert_eq(set_fresh(TIX_CMD_RUN, "winsorize", "0.999"), TIX_OK);
    cr_assert_eq(set_fresh(TIX_CMD_RUN, "winsorize", "1.5"), TIX_E_INVALID);
    cr_assert_eq(set_fresh(TIX_CMD_RUN, "winsorize", "nan"), TIX_E_INVALID);
    cr_assert_eq(set_fresh(TIX_CMD_RUN, "winsorize", "0.5x"), TIX_E_INVALID);
    cr_assert_eq(set_fresh(TIX_CMD_RUN, "winsorize", ""), TIX_E_INVALID);
    cr_assert_eq(set_fresh(TIX_CMD_RUN, "winsorize", " 0.5"), TIX_E_INVALID); /* as counts */
    cr_assert_eq(set_fresh(TIX_CMD_GEN, "dirty", "0"), TIX_OK);
    cr_assert_eq(set_fresh(TIX_CMD_GEN, "dirty", "1"), TIX_OK);
    cr_assert_eq(set_fresh(TIX_CMD_GEN, "dirty", "0.25"), TIX_OK);
    cr_assert_eq(set_fresh(TIX_CMD_GEN, "dirty", "1.0000001"), TIX_E_INVALID);
    cr_assert_eq(set_fresh(TIX_CMD_GEN, "dirty", "-0.1"), TIX_E_INVALID);

    tix_config c;
    char err[256];
    tix_config_init(&c);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "winsorize", "1", err, sizeof err), TIX_E_INVALID);
    cr_assert_str_eq(err, "`winsorize` takes a quantile between 0 and 1, e.g. 0.99, not '1'");
    cr_assert_eq(set(&c, TIX_CMD_RUN, "winsorize", "0.75", err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(tix_config_index(&c)->winsorize, 0.75);
    tix_config_clear(&c);
    tix_config_init(&c);
    cr_assert_eq(set(&c, TIX_CMD_GEN, "dirty", "2", err, sizeof err), TIX_E_INVALID);
    cr_assert_str_eq(err, "dirty fraction must be a number in [0, 1], not '2'");
    cr_assert_eq(set(&c, TIX_CMD_GEN, "dirty", "1", err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(c.gen_dirty, 1.0);
    tix_config_clear(&c);
}

Test(options, an_option_is_given_once_but_a_list)
{
    tix_config c;
    char err[256];
    tix_config_init(&c);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "map", "sector=领域", err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "map", "amount=金额", err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "period", "month", err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "period", "month", err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "`period` is given twice"), "%s", err);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "strict", NULL, err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "strict", NULL, err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "`strict` is given twice"), "%s", err);
    /* The first value stays. */
    cr_assert_eq(tix_config_engine(&c)->period, TIX_PERIOD_MONTH);
    cr_assert_eq(c.nmaps, 2);
    tix_config_clear(&c);
}

Test(options, values_that_do_not_fit_the_kind_are_refused)
{
    tix_config c;
    char err[256];
    tix_config_init(&c);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "strict", "yes", err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "`strict` takes no value"), "%s", err);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "period", NULL, err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "`period` needs a value"), "%s", err);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "from", "2024-02-30", err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "`from` takes a date YYYY-MM-DD, not '2024-02-30'"), "%s", err);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "map", "sector", err, sizeof err), TIX_E_INVALID);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "map", "sector=", err, sizeof err), TIX_E_INVALID);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "map", "nosuch=x", err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "unknown column 'nosuch'"), "%s", err);
    cr_assert_eq(set(&c, TIX_CMD_PUBLISH, "week", "2024-48", err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "`week` takes an ISO week"), "%s", err);
    /* An option of another command. */
    cr_assert_eq(tix_config_set(&c, TIX_CMD_RUN, tix_option_find("dirty", TIX_CMD_RUN), "0.1", err,
                                sizeof err),
                 TIX_E_INVALID);
    cr_assert(strstr(err, "`dirty` is not an option of run"), "%s", err);
    for (size_t i = 0; i < TIX_CONFIG_MAX_MAPS; i++)
        cr_assert_eq(set(&c, TIX_CMD_RUN, "map", "sector=s", err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "map", "sector=s", err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "too many `map`"), "%s", err);
    tix_config_clear(&c);
}

Test(options, suggestions_are_near_names_of_the_command)
{
    cr_assert_str_eq(tix_option_suggest("perod", TIX_CMD_RUN), "period");
    cr_assert_str_eq(tix_option_suggest("perio", TIX_CMD_RUN), "period");
    cr_assert_str_eq(tix_option_suggest("max-cell", TIX_CMD_RUN), "max-cells");
    cr_assert_str_eq(tix_option_suggest("dirt", TIX_CMD_GEN), "dirty");
    cr_assert_null(tix_option_suggest("bogus", TIX_CMD_RUN));
    cr_assert_null(tix_option_suggest("dirty", TIX_CMD_RUN)); /* gen's only */
}

/* ---- the checks across options ------------------------------------------------ */

/* Sets the name=value pairs (value NULL: a flag) for cmd and finishes;
 * returns finish's status, its message in err. */
static tix_status finish_with(tix_config *c, unsigned cmd, const char *const *pairs, char *err,
                              size_t errlen)
{
    tix_config_init(c);
    for (size_t i = 0; pairs[i]; i += 2)
        cr_assert_eq(set(c, cmd, pairs[i], pairs[i + 1], err, errlen), TIX_OK, "`%s`: %s", pairs[i],
                     err);
    err[0] = '\0';
    tix_status st = tix_config_finish(c, cmd, err, errlen);
    if (st != TIX_OK)
        cr_assert_neq(err[0], '\0');
    return st;
}

static void refused(const char *const *pairs, const char *says)
{
    tix_config c;
    char err[256];
    cr_assert_eq(finish_with(&c, TIX_CMD_RUN, pairs, err, sizeof err), TIX_E_INVALID,
                 "`%s` ... accepted", pairs[0]);
    cr_assert(strstr(err, says), "\"%s\" does not say \"%s\"", err, says);
    tix_config_clear(&c);
}

static void accepted(const char *const *pairs)
{
    tix_config c;
    char err[256];
    cr_assert_eq(finish_with(&c, TIX_CMD_RUN, pairs, err, sizeof err), TIX_OK, "%s", err);
    tix_config_clear(&c);
}

Test(options, finish_refuses_options_that_do_not_go_together)
{
    refused((const char *const[]){"method", "geks-fisher", "chain", "chained", NULL},
            "`chain` applies to bilateral methods");
    accepted((const char *const[]){"method", "geks-fisher", "window", "13", NULL});
    refused((const char *const[]){"window", "13", NULL}, "apply to the multilateral methods only");
    refused((const char *const[]){"method", "walsh", "splice", "half", NULL},
            "apply to the multilateral methods only");
    refused((const char *const[]){"contributions", "c.csv", "chain", "fixed", NULL},
            "`contributions` decomposes chained links");
    refused((const char *const[]){"contributions", "c.csv", "method", "geks-tornqvist", NULL},
            "`contributions` decomposes chained links");
    accepted((const char *const[]){"contributions", "c.csv", "method", "tornqvist", NULL});
    accepted((const char *const[]){"contributions", "c.csv", "method", "sato-vartia", NULL});
    refused((const char *const[]){"contributions", "c.csv", "method", "tpd", NULL},
            "no decomposition for `method` tpd");
    accepted((const char *const[]){"method", "tpd", "chain", "fixed", NULL});
    refused((const char *const[]){"winsorize-window", "5", NULL},
            "`winsorize-window` needs `winsorize`");
    accepted((const char *const[]){"winsorize-window", "5", "winsorize", "0.9", NULL});
    refused((const char *const[]){"from", "2024-02-01", "to", "2024-01-31", NULL},
            "`from` is after `to`");
    accepted((const char *const[]){"from", "2024-02-01", "to", "2024-02-01", NULL});
    refused((const char *const[]){"base", "2024-03", NULL},
            "`base` '2024-03' is not a label of the chosen `period`");
    refused((const char *const[]){"period", "month", "base", "2024-W11", NULL}, "is not a label");
}

Test(options, finish_gives_the_engine_and_index_options)
{
    tix_config c;
    char err[256];
    int32_t want;
    cr_assert_eq(finish_with(&c, TIX_CMD_RUN,
                             (const char *const[]){"base", "2024-W11", "from", "2024-01-02", NULL},
                             err, sizeof err),
                 TIX_OK, "%s", err);
    cr_assert_eq(tix_period_parse(TIX_PERIOD_WEEK, "2024-W11", &want), TIX_OK);
    cr_assert_eq(tix_config_index(&c)->has_base, 1);
    cr_assert_eq(tix_config_index(&c)->base, want);
    const tix_engine_opts *eo = tix_config_engine(&c);
    cr_assert_eq(eo->has_range, 1);
    cr_assert_eq(eo->from_day, tix_days_from_civil(2024, 1, 2));
    cr_assert_eq(eo->to_day, tix_days_from_civil(9999, 12, 31)); /* `to` not given: open */
    cr_assert_eq(eo->cell_stats, 0);
    tix_config_clear(&c);

    cr_assert_eq(finish_with(&c, TIX_CMD_RUN,
                             (const char *const[]){"period", "quarter", "base", "2023-Q4", NULL},
                             err, sizeof err),
                 TIX_OK, "%s", err);
    cr_assert_eq(tix_period_parse(TIX_PERIOD_QUARTER, "2023-Q4", &want), TIX_OK);
    cr_assert_eq(tix_config_index(&c)->base, want);
    tix_config_clear(&c);

    /* The statistics the cube keeps follow from the outputs. */
    cr_assert_eq(finish_with(&c, TIX_CMD_RUN,
                             (const char *const[]){"winsorize", "0.99", "cells", "c.csv", NULL},
                             err, sizeof err),
                 TIX_OK, "%s", err);
    cr_assert_eq(tix_config_engine(&c)->cell_stats, TIX_CUBE_STATS_SUMS);
    tix_config_clear(&c);
    cr_assert_eq(finish_with(&c, TIX_CMD_RUN, (const char *const[]){"cells", "c.csv", NULL}, err,
                             sizeof err),
                 TIX_OK, "%s", err);
    cr_assert_eq(tix_config_engine(&c)->cell_stats, TIX_CUBE_STATS);
    tix_config_clear(&c);
    cr_assert_eq(finish_with(&c, TIX_CMD_RUN, (const char *const[]){"winsorize", "0.9", NULL}, err,
                             sizeof err),
                 TIX_OK, "%s", err);
    cr_assert_eq(tix_config_engine(&c)->cell_stats, TIX_CUBE_STATS_SUMS);
    tix_config_clear(&c);

    /* The maps, in the engine's options. */
    cr_assert_eq(finish_with(&c, TIX_CMD_RUN,
                             (const char *const[]){"map", "sector=领域", "map",
                                                   "tech_amount=技术交易额", NULL},
                             err, sizeof err),
                 TIX_OK, "%s", err);
    eo = tix_config_engine(&c);
    cr_assert_eq(eo->nmaps, 2);
    cr_assert_eq(eo->maps[0].column, TIX_COL_SECTOR);
    cr_assert_str_eq(eo->maps[0].header, "领域");
    cr_assert_eq(eo->maps[1].column, TIX_COL_TECH_AMOUNT);
    cr_assert_str_eq(eo->maps[1].header, "技术交易额");
    tix_config_clear(&c);

    /* gen's dates. */
    tix_config_init(&c);
    cr_assert_eq(set(&c, TIX_CMD_GEN, "from", "2024-05-01", err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(set(&c, TIX_CMD_GEN, "to", "2024-04-30", err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(tix_config_finish(&c, TIX_CMD_GEN, err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "`from` is after `to`"), "%s", err);
    tix_config_clear(&c);
}

/* ---- values as text ------------------------------------------------------------- */

/* A value each option takes. */
static const char *sample(const tix_option *opt)
{
    static char buf[64];
    switch (opt->kind) {
    case TIX_OPT_FLAG:
        return NULL;
    case TIX_OPT_ENUM: /* not the first, the default; inflate's second is zlib, always built */
        return tix_option_value(opt, 1);
    case TIX_OPT_COUNT:
        snprintf(buf, sizeof buf, "%.0f", opt->min + 1);
        return buf;
    case TIX_OPT_REAL:
        return "0.25";
    case TIX_OPT_DATE:
        return "2024-02-29";
    case TIX_OPT_TEXT:
        return strcmp(opt->name, "week") == 0          ? "2024-W48"
               : strcmp(opt->name, "base") == 0        ? "2024-W11"
               : strcmp(opt->name, "date-format") == 0 ? "%d.%m.%Y"
                                                       : "some text";
    case TIX_OPT_OUTPUT:
        return "out.csv";
    case TIX_OPT_LIST:
        return "buyer_region=买方地区";
    }
    return NULL;
}

Test(options, every_value_is_given_back_as_text)
{
    size_t n;
    const tix_option *t = tix_options(&n);
    for (size_t i = 0; i < n; i++)
        for (unsigned cmd = 1; cmd <= TIX_CMD_GEN; cmd <<= 1) {
            if (!(t[i].commands & cmd))
                continue;
            tix_config c;
            char err[256], buf[64];
            tix_config_init(&c);
            cr_assert_null(tix_config_text(&c, &t[i], buf, sizeof buf), "`%s` not given",
                           t[i].name);
            const char *v = sample(&t[i]);
            cr_assert_eq(tix_config_set(&c, cmd, &t[i], v, err, sizeof err), TIX_OK,
                         "`%s` '%s' for %s: %s", t[i].name, v ? v : "(flag)",
                         tix_command_name((tix_command)cmd), err);
            const char *text = tix_config_text(&c, &t[i], buf, sizeof buf);
            if (t[i].kind == TIX_OPT_LIST) {
                cr_assert_null(text);
                cr_assert_str_eq(tix_config_list(&c, &t[i], 0), v);
                cr_assert_null(tix_config_list(&c, &t[i], 1));
            } else {
                cr_assert_not_null(text, "`%s`", t[i].name);
                cr_assert_str_eq(text, v ? v : "", "`%s` for %s", t[i].name,
                                 tix_command_name((tix_command)cmd));
                cr_assert_null(tix_config_list(&c, &t[i], 0));
            }
            /* What the text says sets the same value again. */
            tix_config again;
            char buf2[64];
            tix_config_init(&again);
            const char *back = t[i].kind == TIX_OPT_LIST   ? tix_config_list(&c, &t[i], 0)
                               : t[i].kind == TIX_OPT_FLAG ? NULL
                                                           : text;
            cr_assert_eq(tix_config_set(&again, cmd, &t[i], back, err, sizeof err), TIX_OK,
                         "`%s`: %s", t[i].name, err);
            if (t[i].kind != TIX_OPT_LIST)
                cr_assert_str_eq(tix_config_text(&again, &t[i], buf2, sizeof buf2), text);
            tix_config_clear(&again);
            tix_config_clear(&c);
        }
}

Test(options, a_real_is_given_back_exactly)
{
    tix_config c, d;
    char err[256], buf[64], buf2[64];
    tix_config_init(&c);
    tix_config_init(&d);
    const tix_option *w = find("winsorize", TIX_CMD_RUN);
    cr_assert_eq(tix_config_set(&c, TIX_CMD_RUN, w, "0.99", err, sizeof err), TIX_OK);
    const char *text = tix_config_text(&c, w, buf, sizeof buf);
    cr_assert_eq(tix_config_set(&d, TIX_CMD_RUN, w, text, err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(tix_config_index(&d)->winsorize, 0.99);
    cr_assert_str_eq(tix_config_text(&d, w, buf2, sizeof buf2), text);
    tix_config_clear(&c);
    tix_config_clear(&d);
}

Test(options, the_map_list_gives_back_each_value)
{
    tix_config c;
    char err[256];
    tix_config_init(&c);
    const tix_option *m = find("map", TIX_CMD_RUN);
    cr_assert_eq(tix_config_set(&c, TIX_CMD_RUN, m, "sector=领域", err, sizeof err), TIX_OK);
    cr_assert_eq(tix_config_set(&c, TIX_CMD_RUN, m, "amount=合同成交额", err, sizeof err), TIX_OK);
    cr_assert_str_eq(tix_config_list(&c, m, 0), "sector=领域");
    cr_assert_str_eq(tix_config_list(&c, m, 1), "amount=合同成交额");
    cr_assert_null(tix_config_list(&c, m, 2));
    cr_assert_null(tix_config_list(&c, find("period", TIX_CMD_RUN), 0));
    tix_config_clear(&c);
    cr_assert_null(tix_config_list(&c, m, 0));
}

/* ---- messages ---------------------------------------------------------------------- */

Test(options, messages_name_options_as_each_front_end_does)
{
    char out[128];
    cr_assert_str_eq(tix_config_message("raise `max-cells`", "--", '-', out, sizeof out),
                     "raise --max-cells");
    cr_assert_str_eq(tix_config_message("raise `max-cells`", "", '_', out, sizeof out),
                     "raise max_cells");
    cr_assert_str_eq(tix_config_message("(`from`/`to`)", "--", '-', out, sizeof out),
                     "(--from/--to)");
    cr_assert_str_eq(
        tix_config_message("`winsorize-window` needs `winsorize`", "", '_', out, sizeof out),
        "winsorize_window needs winsorize");
    /* Not an option: left as it is. */
    cr_assert_str_eq(tix_config_message("a `bogus` word", "--", '-', out, sizeof out),
                     "a `bogus` word");
    cr_assert_str_eq(tix_config_message("no `closing quote", "--", '-', out, sizeof out),
                     "no `closing quote");
    cr_assert_str_eq(tix_config_message("empty `` and `by`", "--", '-', out, sizeof out),
                     "empty `` and --by");
    cr_assert_str_eq(tix_config_message("", "--", '-', out, sizeof out), "");
    /* Cut to the buffer, always terminated. */
    char small[8];
    memset(small, 'x', sizeof small);
    tix_config_message("raise `max-cells`", "--", '-', small, sizeof small);
    cr_assert_str_eq(small, "raise -");
    char none[1] = {'x'};
    tix_config_message("raise", "--", '-', none, 0);
    cr_assert_eq(none[0], 'x');
    tix_config_message("raise", "--", '-', none, 1);
    cr_assert_eq(none[0], '\0');
}

Test(options, messages_of_set_render_for_each_front_end)
{
    tix_config c;
    char err[256], out[300];
    tix_config_init(&c);
    cr_assert_eq(set(&c, TIX_CMD_RUN, "min-contracts", "0", err, sizeof err), TIX_E_INVALID);
    cr_assert_str_eq(tix_config_message(err, "--", '-', out, sizeof out),
                     "--min-contracts takes a positive whole number, not '0'");
    cr_assert_str_eq(tix_config_message(err, "", '_', out, sizeof out),
                     "min_contracts takes a positive whole number, not '0'");
    tix_config_clear(&c);
}

/* ---- ownership ----------------------------------------------------------------------- */

Test(options, clear_frees_everything_and_init_starts_again)
{
    static const char *const texts[][2] = {
        {"base", "2024-W11"}, {"output", "o.csv"},        {"cells", "c.csv"},
        {"rejects", "r.csv"}, {"contributions", "k.csv"},
    };
    tix_config c;
    char err[256];
    for (int round = 0; round < 3; round++) {
        tix_config_init(&c);
        cr_assert_eq(c.nmaps, 0);
        cr_assert_null(c.output);
        for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
            cr_assert_eq(set(&c, TIX_CMD_RUN, texts[i][0], texts[i][1], err, sizeof err), TIX_OK,
                         "%s", err);
        for (int k = 0; k < 3; k++)
            cr_assert_eq(set(&c, TIX_CMD_RUN, "map", "sector=部门", err, sizeof err), TIX_OK);
        cr_assert_eq(set(&c, TIX_CMD_PUBLISH, "state", "dir", err, sizeof err), TIX_OK);
        cr_assert_eq(set(&c, TIX_CMD_PUBLISH, "week", "2024-W01", err, sizeof err), TIX_OK);
        cr_assert_eq(set(&c, TIX_CMD_CHART, "title", "T", err, sizeof err), TIX_OK);
        cr_assert_eq(tix_config_finish(&c, TIX_CMD_RUN, err, sizeof err), TIX_OK, "%s", err);
        cr_assert_eq(tix_config_engine(&c)->nmaps, 3);
        tix_config_clear(&c);
        cr_assert_null(c.output);
        cr_assert_null(c.base);
        cr_assert_eq(c.nmaps, 0);
        /* No engine option is left pointing at what was freed. */
        cr_assert_eq(tix_config_engine(&c)->nmaps, 0);
        cr_assert_null(tix_config_engine(&c)->maps);
        cr_assert_not(tix_config_given(&c, find("output", TIX_CMD_RUN)));
        tix_config_clear(&c); /* twice: nothing left to free */
    }
    tix_config *h = tix_config_new();
    cr_assert_not_null(h);
    cr_assert_eq(set(h, TIX_CMD_RUN, "output", "o.csv", err, sizeof err), TIX_OK);
    cr_assert_eq(set(h, TIX_CMD_RUN, "map", "sector=x", err, sizeof err), TIX_OK);
    tix_config_free(h);
    tix_config_free(NULL);
    tix_config zero;
    memset(&zero, 0, sizeof zero);
    tix_config_clear(&zero); /* a zeroed config */
}

Test(options, date_format_is_checked_when_set_and_reaches_the_engine)
{
    tix_config c;
    char err[256];
    tix_config_init(&c);
    const tix_option *df = tix_option_find("date-format", TIX_CMD_RUN);
    cr_assert_not_null(df);
    cr_assert_eq(tix_config_set(&c, TIX_CMD_RUN, df, "%Y-%m-%x", err, sizeof err), TIX_E_INVALID);
    cr_assert(strstr(err, "`date-format`") && strstr(err, "%x"), "%s", err);
    cr_assert_eq(tix_config_set(&c, TIX_CMD_RUN, df, "%Y年%m月%d日", err, sizeof err), TIX_OK);
    const tix_option *au = tix_option_find("amount-unit", TIX_CMD_RUN);
    cr_assert_eq(tix_config_set(&c, TIX_CMD_RUN, au, "wan", err, sizeof err), TIX_OK);
    cr_assert_eq(tix_config_finish(&c, TIX_CMD_RUN, err, sizeof err), TIX_OK, "%s", err);
    cr_assert_str_eq(tix_config_engine(&c)->date_format, "%Y年%m月%d日");
    cr_assert_eq(tix_config_engine(&c)->amount_unit, TIX_AMOUNT_WAN);
    tix_config_clear(&c);
    cr_assert_null(c.engine.date_format);
}

Test(options, max_reject_rate_bounds_and_default)
{
    tix_config c;
    char err[256];
    tix_config_init(&c);
    cr_assert_eq(c.max_reject_rate, 1.0);
    const tix_option *m = tix_option_find("max-reject-rate", TIX_CMD_RUN);
    cr_assert(m && (m->commands & TIX_CMD_INDEX) && !(m->commands & TIX_CMD_CUBE));
    const char *bad[] = {"-0.1", "1.01", "x", "", " 0.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(tix_config_set(&c, TIX_CMD_RUN, m, bad[i], err, sizeof err), TIX_E_INVALID,
                     "accepted '%s'", bad[i]);
        cr_assert(strstr(err, "`max-reject-rate`"), "%s", err);
    }
    cr_assert_eq(tix_config_set(&c, TIX_CMD_RUN, m, "0", err, sizeof err), TIX_OK, "%s", err);
    tix_config_clear(&c);
    tix_config_init(&c);
    cr_assert_eq(tix_config_set(&c, TIX_CMD_RUN, m, "1", err, sizeof err), TIX_OK, "%s", err);
    tix_config_clear(&c);
}
