/* Tests for the version (techidx/version.h). */
#include <criterion/criterion.h>
#include <stdio.h>

#include "techidx/version.h"

Test(version, the_library_reports_the_version_of_its_header)
{
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", TIX_VERSION_MAJOR, TIX_VERSION_MINOR,
             TIX_VERSION_PATCH);
    cr_assert_str_eq(TIX_VERSION_STRING, want);
    cr_assert_str_eq(tix_version(), TIX_VERSION_STRING);
    cr_assert_eq(TIX_VERSION_NUMBER,
                 TIX_VERSION_MAJOR * 10000 + TIX_VERSION_MINOR * 100 + TIX_VERSION_PATCH);
}
