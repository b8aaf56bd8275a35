/* techidx status codes: one enum for the whole library.
 *
 * Every library function that can fail returns a tix_status, with its
 * results through out-parameters; the detail of an error goes to the
 * handle that has one (tix_engine_error, tix_source_error) or to an err
 * buffer. A message that names an option names its parameter, in
 * backquotes, as the option table (options.h) spells it ("raise
 * `max-cells`", "(`from`/`to`)"), never a command-line flag: a front end
 * renders those words its own way with tix_config_message (--max-cells on
 * the command line, max_cells in Python).
 *
 * The functions that return something else cannot fail: accessors of a
 * handle, predicates (1 or 0), pure conversions (calendar arithmetic,
 * tix_record_parse's reason for a row) and names. The values are fixed:
 * they are part of the ABI and never renumbered. */
#ifndef TECHIDX_STATUS_H
#define TECHIDX_STATUS_H

#include "techidx/api.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tix_status {
    TIX_OK = 0,
    TIX_E_NOMEM = 1,    /* an allocation failed */
    TIX_E_IO = 2,       /* reading or writing a file failed */
    TIX_E_GZIP = 3,     /* corrupt, truncated or trailing-garbage gzip data */
    TIX_E_HEADER = 4,   /* no header row, or a required column missing/doubled */
    TIX_E_OVERFLOW = 5, /* an exact integer sum left its range */
    TIX_E_INVALID = 6,  /* an argument or option is not valid */
    TIX_E_NODATA = 7,   /* nothing to compute (no accepted rows, base without data) */
    TIX_E_LIMIT = 8,    /* an input exceeded a configured resource limit */
    TIX_E_CSV = 9,      /* the CSV parser failed */
    TIX_E_FORMAT = 10   /* a saved file (.tic, state) is not one techidx wrote,
                           or an input is no CSV text (a workbook, UTF-16) */
} tix_status;

/* Returns a static, human-readable description of s (never NULL). */
TIX_API const char *tix_strerror(tix_status s);

#ifdef __cplusplus
}
#endif
#endif
