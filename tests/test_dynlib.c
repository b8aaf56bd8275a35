/* Tests for the libraries the command line opens when first needed
 * (src/cli/dynlib.h). The real sets (cairo and Pango, libxlsxwriter) are
 * opened by every chart and workbook the CLI tests write. */
#include <criterion/criterion.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "cli/dynlib.h"

typedef struct maths {
    double (*cos_)(double);
    double (*ldexp_)(double, int);
} maths;

static const char *const maths_names[] = {"cos", "ldexp"};

Test(dynlib, opens_each_library_once_and_fills_every_slot)
{
    static const char *const libs[] = {"libm.so.6", NULL};
    static maths m;
    static dynlib d = {.what = "tests", .libs = libs, .names = maths_names, .n = 2, .table = &m};
    char err[256] = "untouched";
    cr_assert_eq(dynlib_open(&d, err, sizeof err), 0);
    cr_assert_str_eq(err, "untouched");
    cr_assert_eq(d.state, 1);
    cr_assert_not_null(m.cos_);
    cr_assert_eq(m.cos_(0.0), 1.0);
    cr_assert_eq(m.ldexp_(3.0, 4), 48.0);
    /* The second call finds the table filled and changes nothing. */
    double (*was)(double) = m.cos_;
    cr_assert_eq(dynlib_open(&d, NULL, 0), 0);
    cr_assert_eq(m.cos_, was);
}

Test(dynlib, a_missing_library_is_named_in_the_error_every_time)
{
    static const char *const libs[] = {"libm.so.6", "libtechidx-test-none.so.9", NULL};
    static maths m;
    static dynlib d = {.what = "tests", .libs = libs, .names = maths_names, .n = 2, .table = &m};
    char err[256] = "";
    cr_assert_eq(dynlib_open(&d, err, sizeof err), -1);
    cr_assert_eq(d.state, -1);
    cr_assert(strstr(err, "cannot load the libraries for tests: ") == err, "%s", err);
    cr_assert_not_null(strstr(err, "libtechidx-test-none.so.9"), "%s", err);
    cr_assert_null(m.cos_, "no slot is filled before every library is open");
    /* Not tried again: the same message. */
    char again[256] = "";
    cr_assert_eq(dynlib_open(&d, again, sizeof again), -1);
    cr_assert_str_eq(again, err);
}

Test(dynlib, a_missing_function_is_named_with_the_libraries_searched)
{
    static const char *const libs[] = {"libm.so.6", "libc.so.6", NULL};
    static const char *const names[] = {"cos", "tix_no_such_function"};
    static maths m;
    static dynlib d = {.what = "tests", .libs = libs, .names = names, .n = 2, .table = &m};
    char err[256] = "";
    cr_assert_eq(dynlib_open(&d, err, sizeof err), -1);
    cr_assert_str_eq(err, "cannot load the libraries for tests: no function "
                          "tix_no_such_function in libm.so.6, libc.so.6");
}

Test(dynlib, a_function_is_taken_from_the_first_library_that_has_it)
{
    /* strlen is in libc only, cos in libm only: both found, either order. */
    typedef struct mixed {
        size_t (*strlen_)(const char *);
        double (*cos_)(double);
    } mixed;
    static const char *const libs[] = {"libc.so.6", "libm.so.6", NULL};
    static const char *const names[] = {"strlen", "cos"};
    static mixed m;
    static dynlib d = {.what = "tests", .libs = libs, .names = names, .n = 2, .table = &m};
    cr_assert_eq(dynlib_open(&d, NULL, 0), 0);
    cr_assert_eq(m.strlen_("techidx"), 7);
    cr_assert_eq(m.cos_(0.0), 1.0);
}
