#include "techidx/budget.h"

int tix_budget_take(tix_budget *b, size_t n)
{
    if (!b)
        return 1;
    if (b->limit && (n > b->limit || b->used > b->limit - n))
        return 0;
    b->used += n;
    return 1;
}

void tix_budget_give(tix_budget *b, size_t n)
{
    if (b)
        b->used = n > b->used ? 0 : b->used - n;
}
