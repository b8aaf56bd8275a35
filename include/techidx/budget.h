/* A memory budget shared by the structures that grow with the data (the
 * cube, the --dedup id set), so one limit bounds them all together. */
#ifndef TECHIDX_BUDGET_H
#define TECHIDX_BUDGET_H

#include <stddef.h>

#include "techidx/api.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tix_budget {
    size_t limit; /* bytes; 0 = no limit */
    size_t used;  /* bytes reserved so far */
} tix_budget;

/* Reserves n bytes. Returns TIX_OK and counts them when they fit (always
 * for a NULL budget or limit 0), else TIX_E_LIMIT and changes nothing. */
TIX_API tix_status tix_budget_take(tix_budget *b, size_t n);

/* Returns n bytes reserved earlier. Accepts a NULL budget. */
TIX_API void tix_budget_give(tix_budget *b, size_t n);

#ifdef __cplusplus
}
#endif
#endif
