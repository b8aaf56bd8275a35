/* The names of the amount units (--amount-unit); record.c parses both
 * (tix_cents_parse, tix_cents_parse_wan) with one decimal reader. */
#include <string.h>

#include "techidx/record.h"

static const char *const unit_names[] = {"yuan", "wan"};

const char *tix_amount_unit_name(tix_amount_unit u)
{
    return (unsigned)u < 2 ? unit_names[u] : "?";
}

tix_status tix_amount_unit_parse(const char *name, tix_amount_unit *u)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(name, unit_names[i]) == 0) {
            *u = (tix_amount_unit)i;
            return TIX_OK;
        }
    return TIX_E_INVALID;
}
