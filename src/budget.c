#include "techidx/budget.h"

tix_status tix_budget_take(tix_budget *b, size_t n)
{
    if (!b)
        return TIX_OK;
    if (b->limit && (n > b->limit || b->used > b->limit - n))
        return TIX_E_LIMIT;
    b->used += n;
    return TIX_OK;
}

void tix_budget_give(tix_budget *b, size_t n)
{
    if (b)
        b->used = n > b->used ? 0 : b->used - n;
}
