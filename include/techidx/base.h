/* What several modules share: which amount of a contract is summed (the
 * measure), the accounting of rows, a rejected row and the callback that
 * receives it, which the engine produces and the writers and .tic files
 * (write.h, tic.h) consume without depending on the engine; and the byte
 * callbacks those take besides a FILE*, with a memory buffer to use them
 * with. */
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
    uint64_t bytes;  /* decompressed bytes, as UTF-8 (engine.h) */
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

/* Receives the bytes a writer produces, in order, in pieces of any size
 * (the writers buffer: a few KB a call). Anything but TIX_OK stops the
 * writer, which writes nothing more and returns that status as it is. */
typedef tix_status (*tix_write_fn)(void *ctx, const void *buf, size_t len);

/* Reads up to cap (> 0) bytes into buf and sets *got; *got = 0 only at the
 * end of the input. Anything but TIX_OK stops the reader, which returns
 * that status as it is. */
typedef tix_status (*tix_read_fn)(void *ctx, void *buf, size_t cap, size_t *got);

/* A growing memory buffer to write into: pass tix_membuf_write and a
 * zeroed tix_membuf to a writer's _fn version. data holds len bytes (and
 * a NUL after them, not counted) and belongs to the caller: free it with
 * tix_membuf_free (or free()). */
typedef struct tix_membuf {
    char *data;
    size_t len, cap;
} tix_membuf;

/* A tix_write_fn appending to the tix_membuf ctx. Returns TIX_OK, or
 * TIX_E_NOMEM with the buffer as it was. */
TIX_API tix_status tix_membuf_write(void *ctx, const void *buf, size_t len);

/* Frees m's data and zeroes m. Accepts NULL. */
TIX_API void tix_membuf_free(tix_membuf *m);

#ifdef __cplusplus
}
#endif
#endif
