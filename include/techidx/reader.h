/* Push-style CSV reader on top of libcsv (RFC 4180: quoted commas, doubled
 * quotes, newlines inside quotes; LF or CRLF line ends), its fields
 * separated by a comma or by the delimiter of tix_reader_opts.
 *
 * Bytes go in with tix_reader_feed() in chunks of any size, split anywhere;
 * every complete record comes out through the row callback together with the
 * physical line it starts on and its raw bytes, so a rejected record can be
 * reported exactly as it stood in the file. libcsv runs with its default
 * options, so the records are exactly those plain libcsv finds: LF, CRLF and
 * a lone CR outside quotes each end a record; blank lines are not records;
 * unquoted fields lose surrounding spaces and tabs (spaces only when the
 * delimiter is a tab). Lines are counted by LF.
 *
 * Memory: a record that spans chunks is held once until it ends (once more
 * for the fields of one with "" to unescape), at most max_record_bytes;
 * buffers a huge record grew are given back after it. */
#ifndef TECHIDX_READER_H
#define TECHIDX_READER_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/api.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A borrowed view of one cell: not NUL-terminated. */
typedef struct tix_field {
    const char *ptr;
    size_t len;
} tix_field;

enum {
    TIX_ROW_UNTERMINATED_QUOTE = 1u /* input ended inside a quoted field */
};

/* One record. All pointers are borrowed and valid only during the
 * callback: copy what you keep. */
typedef struct tix_row {
    const tix_field *fields;
    size_t nfields;
    uint64_t line;   /* 1-based physical line on which the record starts */
    const char *raw; /* the record's bytes, without its terminator */
    size_t raw_len;
    unsigned flags; /* TIX_ROW_* */
} tix_row;

/* Called once per record. Returning anything but TIX_OK stops the reader;
 * feed()/finish() then return that status. */
typedef tix_status (*tix_row_fn)(void *ctx, const tix_row *row);

#define TIX_READER_MAX_RECORD_BYTES ((size_t)1 << 20)
#define TIX_READER_MAX_FIELDS ((size_t)10000)

/* Start from tix_reader_opts_init(); a zeroed struct means the same. */
typedef struct tix_reader_opts {
    size_t max_record_bytes; /* raw size of one record; 0 = TIX_READER_MAX_RECORD_BYTES */
    size_t max_fields;       /* fields in one record; 0 = TIX_READER_MAX_FIELDS */
    char delimiter;          /* between fields: ',' (and 0), ';' or '\t' */
} tix_reader_opts;

/* Fills *o with the defaults, TIX_READER_MAX_RECORD_BYTES (1 MiB),
 * TIX_READER_MAX_FIELDS (10000) and the delimiter ','. */
TIX_API void tix_reader_opts_init(tix_reader_opts *o);

/* Which limit stopped the reader (after TIX_E_LIMIT). */
typedef enum tix_reader_limit {
    TIX_READER_LIMIT_NONE = 0,
    TIX_READER_LIMIT_BYTES = 1,
    TIX_READER_LIMIT_FIELDS = 2
} tix_reader_limit;

typedef struct tix_reader tix_reader;

/* Creates a reader that calls fn(ctx, row) per record. opts may be NULL.
 * Returns TIX_OK, TIX_E_INVALID (a delimiter other than ',', ';' or '\t')
 * or TIX_E_NOMEM; *out owns the reader. */
TIX_API tix_status tix_reader_new(tix_reader **out, const tix_reader_opts *opts, tix_row_fn fn,
                                  void *ctx);

/* Parses len bytes. Returns TIX_OK, the callback's status, TIX_E_LIMIT
 * (a record exceeded a limit; tix_reader_line() gives its first line),
 * TIX_E_CSV or TIX_E_NOMEM. */
TIX_API tix_status tix_reader_feed(tix_reader *r, const void *buf, size_t len);

/* Ends the input: delivers a last record that lacks a final newline. The
 * reader is then ready for a new, independent input (line 1 again). */
TIX_API tix_status tix_reader_finish(tix_reader *r);

/* Drops any record in progress without delivering it; the reader is then
 * as new (line 1, no error). */
TIX_API void tix_reader_reset(tix_reader *r);

/* 1 when the reader stands between records: no record begun, no error.
 * Bytes fed from here parse the same as a new input would. */
TIX_API int tix_reader_at_record_start(const tix_reader *r);

/* Replaces the row callback for the records still to come. */
TIX_API void tix_reader_set_callback(tix_reader *r, tix_row_fn fn, void *ctx);

/* The status feed() would return now (the first failure, or TIX_OK). */
TIX_API tix_status tix_reader_status(const tix_reader *r);

/* Physical lines consumed so far, and the first line of the record in
 * progress (or of the one that failed). */
TIX_API uint64_t tix_reader_lines(const tix_reader *r);
TIX_API uint64_t tix_reader_line(const tix_reader *r);

/* The limit behind the last TIX_E_LIMIT, and the limits in force (the
 * options the reader was made with, defaults filled in: the delimiter
 * too). */
TIX_API tix_reader_limit tix_reader_limit_hit(const tix_reader *r);
TIX_API const tix_reader_opts *tix_reader_limits(const tix_reader *r);

/* Frees r. Accepts NULL. */
TIX_API void tix_reader_free(tix_reader *r);

#ifdef __cplusplus
}
#endif
#endif
