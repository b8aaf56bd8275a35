/* Byte sources: a file or stdin, plain or gzip, read as one stream.
 *
 * Compression is detected from the first two bytes (1f 8b), never from the
 * file name. Concatenated gzip members are read in full. A truncated stream,
 * a bad CRC or length trailer, or bytes after a member that do not start
 * another member are errors (TIX_E_GZIP), never a silently short read. */
#ifndef TECHIDX_SOURCE_H
#define TECHIDX_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/api.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tix_source tix_source;

/* Inflate back ends. ISA-L (libisal) is several times faster than zlib;
 * both give the same bytes and the same status. The messages agree too but
 * for one case: a member with a bad CRC whose length field is cut off reads
 * "CRC or length check failed" with zlib (which checks the CRC as soon as
 * it has it) and "truncated gzip stream" with ISA-L (which waits for the
 * whole trailer); tests/fuzz/crashes/ keeps that input. */
typedef enum tix_inflate {
    TIX_INFLATE_AUTO = 0, /* tix_inflate_default() */
    TIX_INFLATE_ZLIB = 1,
    TIX_INFLATE_ISAL = 2
} tix_inflate;

/* ISA-L when this build has it, else zlib. */
TIX_API tix_inflate tix_inflate_default(void);

/* 1 when this build can use `backend` (AUTO always). */
TIX_API int tix_inflate_available(tix_inflate backend);

/* "zlib", "isal"; the parser takes those names and returns TIX_E_INVALID
 * for others. */
TIX_API const char *tix_inflate_name(tix_inflate backend);
TIX_API tix_status tix_inflate_parse(const char *name, tix_inflate *backend);

/* Opens `path` for reading; "-" means standard input (which is not closed
 * by tix_source_free). On success *out owns the new source. On failure
 * *out is NULL and err (if not NULL) holds a message. Returns TIX_OK,
 * TIX_E_IO or TIX_E_NOMEM. */
TIX_API tix_status tix_source_open(tix_source **out, const char *path, char *err, size_t errlen);

/* Chooses the inflate back end (default tix_inflate_default()). Returns
 * TIX_OK, or TIX_E_INVALID when the build lacks it or reading has begun. */
TIX_API tix_status tix_source_set_inflate(tix_source *src, tix_inflate backend);

/* Reads up to `cap` (> 0) decompressed bytes into buf. *got = 0 means end
 * of input, reached cleanly. Returns TIX_OK, TIX_E_IO, TIX_E_GZIP, or
 * TIX_E_INVALID for cap = 0; after an I/O or gzip error
 * tix_source_error() describes it and further reads repeat it. */
TIX_API tix_status tix_source_read(tix_source *src, void *buf, size_t cap, size_t *got);

/* The message of the last error ("" when none). Owned by src. */
TIX_API const char *tix_source_error(const tix_source *src);

/* Receives every byte read from the file, as stored (compressed or not), in
 * order and exactly once, on the thread that reads: a caller can hash or
 * copy an input in the same pass that parses it (a FIFO or stdin can only be
 * read once). tap_ctx is the caller's. */
typedef void (*tix_source_tap)(void *tap_ctx, const void *buf, size_t len);

/* Sets (or with NULL clears) the tap. Returns TIX_OK, or TIX_E_INVALID when
 * reading has begun. */
TIX_API tix_status tix_source_set_tap(tix_source *src, tix_source_tap tap, void *tap_ctx);

/* 1 when the input is gzip-compressed. */
TIX_API int tix_source_is_gzip(const tix_source *src);

/* Compressed (on-disk) bytes consumed so far. */
TIX_API uint64_t tix_source_bytes_in(const tix_source *src);

/* Closes the file (not stdin) and frees src. Accepts NULL. */
TIX_API void tix_source_free(tix_source *src);

#ifdef __cplusplus
}
#endif
#endif
