/* Amounts in 万元 (--amount-unit wan), and the unit's names. Kept apart
 * from record.c, whose yuan fast path (tix_cents_parse) it leaves alone. */
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

tix_status tix_cents_parse_wan(const char *s, size_t len, int64_t *cents)
{
    /* One 万元 is 1 000 000 cents: six decimals are whole cents. */
    static const uint32_t scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    size_t i = 0, sig = 0;
    uint64_t whole = 0;
    if (len == 0 || (unsigned)(s[0] - '0') > 9)
        return TIX_E_INVALID;
    while (i < len && s[i] == '0')
        i++;
    /* 13 significant digits fit INT64_MAX / 10^6 (9223372036854.775807)
     * or overflow; more always overflow, but must still be digits. */
    for (; i < len && (unsigned)(s[i] - '0') <= 9; i++, sig++)
        if (sig < 19)
            whole = whole * 10 + (unsigned)(s[i] - '0');
    uint64_t frac = 0;
    if (i < len) {
        size_t nd = len - i - 1;
        if (s[i] != '.' || nd < 1 || nd > 6)
            return TIX_E_INVALID;
        for (size_t k = i + 1; k < len; k++) {
            if ((unsigned)(s[k] - '0') > 9)
                return TIX_E_INVALID;
            frac = frac * 10 + (unsigned)(s[k] - '0');
        }
        frac *= scale[nd];
    }
    if (sig > 13 || whole > ((uint64_t)INT64_MAX - frac) / 1000000)
        return TIX_E_OVERFLOW;
    *cents = (int64_t)(whole * 1000000 + frac);
    return TIX_OK;
}
