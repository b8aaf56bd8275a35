/* The library's output does not depend on the C locale: a host (Python,
 * say) that called setlocale(LC_ALL, "") with a decimal comma, or set a
 * thread locale, gets the bytes the "C" locale gives, and keeps its own
 * locale. `make unit` builds de_DE.UTF-8 into the build directory and
 * points LOCPATH there (localedef, from Debian's locales package). */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "techidx.h"

/* Amounts with decimals; two rejected rows; cells with quotes and commas. */
static const char data[] =
    "contract_id,signed_on,sector,contract_type,buyer_region,seller_region,amount,tech_amount\n"
    "A1,2024-03-04,electronic_information,d,g,s,150.00,100.50\n"
    "A2,2024-03-05,electronic_information,d,g,s,100.00,99.99\n"
    "A3,2024-03-10,\"bio, medicine\",d,g,s,300.00,300.00\n"
    "A4,2024-03-11,electronic_information,d,g,s,120.50,120.25\n"
    "A5,2024-03-12,electronic_information,d,g,s,130.00,119.75\n"
    "A6,2024-03-13,electronic_information,d,g,s,200.00,120\n"
    "A7,2024-03-14,\"bio, medicine\",d,g,s,250.5,250.5\n"
    "A8,2024-03-15,\"bio, medicine\",d,g,s,260.00,249.5\n"
    "A9,2024-03-27,aerospace,d,g,s,1000,1000\n"
    "A10,2024-03-28,electronic_information,d,g,s,3000,2999.99\n"
    "A11,2024-03-28,\"bio, medicine\",d,g,s,1,0.5\n"
    "B1,2023-02-29,aerospace,d,g,s,10,10\n"
    "B2,2024-03-29,aerospace,d,g,s,1,5\n";

typedef struct outputs {
    tix_membuf csv, json, cells, contributions, rejects, tic;
} outputs;

static tix_status keep_reject(void *ctx, const tix_reject *r)
{
    return tix_write_reject_fn(tix_membuf_write, ctx, r);
}

/* Everything the library writes for `data`. */
static void run_all(outputs *o)
{
    memset(o, 0, sizeof *o);
    tix_engine_opts eo;
    tix_engine_opts_init(&eo);
    eo.cell_stats = TIX_CUBE_STATS_SUMS;
    tix_engine *e;
    cr_assert_eq(tix_write_rejects_header_fn(tix_membuf_write, &o->rejects), TIX_OK);
    cr_assert_eq(tix_engine_new(&e, &eo, keep_reject, &o->rejects), TIX_OK);
    cr_assert_eq(tix_engine_begin(e, "dump, 1.csv"), TIX_OK);
    cr_assert_eq(tix_engine_feed(e, data, sizeof data - 1), TIX_OK);
    cr_assert_eq(tix_engine_end(e), TIX_OK);
    cr_assert_eq(tix_engine_counts(e)->rejected, 2, "%s", o->rejects.data);
    tix_cube *c = tix_engine_cube(e);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    tix_index_opts io;
    tix_index_opts_init(&io);
    io.winsorize = 0.95; /* printed with %g into the JSON */
    tix_index *ix;
    cr_assert_eq(tix_index_compute(c, &io, &ix, NULL, 0), TIX_OK);
    const char *inputs[] = {"dump, 1.csv"};
    tix_run_info info = {"1.2.3", inputs, 1, "sector", "tech_amount", tix_engine_counts(e), 0};
    cr_assert_eq(tix_write_index_csv_fn(tix_membuf_write, &o->csv, ix), TIX_OK);
    cr_assert_eq(tix_write_index_json_fn(tix_membuf_write, &o->json, ix, &info), TIX_OK);
    cr_assert_eq(tix_write_cells_csv_fn(tix_membuf_write, &o->cells, c, ix), TIX_OK);
    cr_assert_eq(tix_write_contributions_csv_fn(tix_membuf_write, &o->contributions, c, ix),
                 TIX_OK);
    tix_tic_meta m = {0};
    m.period = TIX_PERIOD_WEEK;
    strcpy(m.by, "sector");
    m.counts = *tix_engine_counts(e);
    cr_assert_eq(tix_tic_write_fn(tix_membuf_write, &o->tic, c, &m), TIX_OK);
    tix_index_free(ix);
    tix_engine_free(e);
}

static void outputs_free(outputs *o)
{
    tix_membuf_free(&o->csv);
    tix_membuf_free(&o->json);
    tix_membuf_free(&o->cells);
    tix_membuf_free(&o->contributions);
    tix_membuf_free(&o->rejects);
    tix_membuf_free(&o->tic);
}

static void assert_same(const tix_membuf *a, const tix_membuf *b, const char *what)
{
    cr_assert_eq(a->len, b->len, "%s: %zu bytes against %zu", what, b->len, a->len);
    cr_assert_eq(memcmp(a->data, b->data, a->len), 0, "%s differs:\n%s\nagainst\n%s", what, b->data,
                 a->data);
}

static void assert_all_same(const outputs *a, const outputs *b)
{
    assert_same(&a->csv, &b->csv, "index CSV");
    assert_same(&a->json, &b->json, "index JSON");
    assert_same(&a->cells, &b->cells, "cells CSV");
    assert_same(&a->contributions, &b->contributions, "contributions CSV");
    assert_same(&a->rejects, &b->rejects, "rejects");
    assert_same(&a->tic, &b->tic, ".tic");
}

/* Makes a locale whose decimal point is a comma the global one (through
 * setlocale: glibc's newlocale leaks its LOCPATH list) and returns its name. */
static const char *comma_locale(void)
{
    static const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (setlocale(LC_ALL, names[i]) && strcmp(localeconv()->decimal_point, ",") == 0)
            return names[i];
    cr_assert_fail("no locale with a decimal comma: run through `make unit`, which builds "
                   "de_DE.UTF-8 into the build directory and sets LOCPATH");
    return NULL;
}

static void assert_printf_comma(void)
{
    char s[16];
    snprintf(s, sizeof s, "%.1f", 1.5);
    cr_assert_str_eq(s, "1,5", "the comma locale is in force");
}

Test(locale, output_is_the_same_under_a_global_decimal_comma_locale)
{
    outputs c, de;
    run_all(&c);
    cr_assert_not_null(strstr(c.csv.data, ",100.000000,")); /* the base period */
    comma_locale();
    assert_printf_comma();
    run_all(&de);
    assert_printf_comma(); /* the host's locale is left as it was */
    assert_all_same(&c, &de);
    outputs_free(&c);
    outputs_free(&de);
}

Test(locale, output_is_the_same_under_a_thread_decimal_comma_locale)
{
    outputs c, de;
    run_all(&c);
    comma_locale();
    locale_t l = duplocale(LC_GLOBAL_LOCALE);
    cr_assert_not_null(l);
    cr_assert_not_null(setlocale(LC_ALL, "C")); /* the comma on this thread only */
    uselocale(l);
    assert_printf_comma();
    run_all(&de);
    cr_assert_eq(uselocale((locale_t)0), l, "the thread's locale is restored");
    assert_all_same(&c, &de);
    uselocale(LC_GLOBAL_LOCALE);
    freelocale(l);
    outputs_free(&c);
    outputs_free(&de);
}

/* A write callback that formats a number in the locale it is called in. */
static tix_status note_locale(void *ctx, const void *buf, size_t len)
{
    (void)buf;
    (void)len;
    snprintf(ctx, 16, "%.1f", 1.5);
    return TIX_OK;
}

Test(locale, write_callbacks_run_in_the_callers_locale)
{
    comma_locale();
    tix_index_row row = {.period = 2817, .contracts = 1, .value = 100, .cells = 1};
    tix_index ix = {.kind = TIX_PERIOD_WEEK, .nrows = 1, .rows = &row};
    char seen[16] = "";
    cr_assert_eq(tix_write_index_csv_fn(note_locale, seen, &ix), TIX_OK);
    cr_assert_str_eq(seen, "1,5");
}
