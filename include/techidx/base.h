/* What several modules share: which amount of a contract is summed (the
 * measure), the accounting of rows, a rejected row and the callback that
 * receives it. The engine produces them; the writers and .tic files
 * (write.h, tic.h) consume them without depending on the engine. */
#ifndef TECHIDX_BASE_H
#define TECHIDX_BASE_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/api.h"
#include "techidx/record.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tix_measure {
    TIX_MEASURE_TECH_AMOUNT = 0, /* technology transaction amount (技术交易额) */
    TIX_MEASURE_AMOUNT = 1       /* contract amount (合同成交额) */
} tix_measure;

/* "tech_amount", "amount". */
TIX_API const char *tix_measure_name(tix_measure m);
TIX_API tix_status tix_measure_parse(const char *name, tix_measure *m);

/* Row accounting; read = accepted + rejected always holds. */
typedef struct tix_counts {
    uint64_t read, accepted, rejected;
    uint64_t by_reason[TIX_REASON_COUNT];
    uint64_t bytes;  /* decompressed bytes */
    uint64_t inputs; /* inputs completed */
} tix_counts;

/* A rejected row. Strings are borrowed for the duration of the call. */
typedef struct tix_reject {
    const char *input; /* input name as given */
    uint64_t line;     /* line on which the record starts */
    tix_reason reason;
    const char *raw; /* the record's raw text */
    size_t raw_len;
} tix_reject;

/* Receives each rejected row; anything but TIX_OK stops the engine. */
typedef tix_status (*tix_reject_fn)(void *ctx, const tix_reject *rej);

#ifdef __cplusplus
}
#endif
#endif
