/* Streaming conversion of an input to UTF-8 (glibc's iconv), between the
 * bytes of a file or of tix_engine_feed and the CSV reader. Not installed.
 *
 * The input comes in chunks split anywhere, the output goes into the
 * caller's buffer with a cursor (as zstd's ZSTD_outBuffer): the output is
 * the same bytes however the input was split. A character whose bytes end
 * a chunk is held (at most TRANSCODE_HELD bytes) until the next one
 * completes it. Each byte that starts no valid character (iconv's EILSEQ)
 * becomes the byte 0xFF, which is not UTF-8: a row whose id or cell holds
 * it is rejected as invalid_text rather than lost, and the bytes after it
 * are read afresh (an ASCII byte after a bad lead byte stays itself).
 *
 * GBK and GB18030 trail bytes are 0x40 and up (0x30-0x39 in the second
 * and fourth bytes of a four-byte character): LF, CR, '"', ',', ';' and
 * tab never occur inside a character, so the output has exactly the
 * input's line ends and delimiters. */
#ifndef TECHIDX_TRANSCODE_INTERNAL_H
#define TECHIDX_TRANSCODE_INTERNAL_H

#include <stddef.h>

#include "techidx/engine.h"
#include "techidx/status.h"

/* The longest incomplete character held between chunks (GB18030: 3 of 4). */
#define TRANSCODE_HELD 3

typedef struct transcoder transcoder;

/* A converter from enc to UTF-8; enc is not TIX_ENCODING_UTF8. Returns
 * TIX_OK, TIX_E_NOMEM, or TIX_E_INVALID (this C library has no converter
 * for enc). *out owns it. */
tix_status transcode_new(transcoder **out, tix_encoding enc);

/* Converts in[*in_pos, in_len) into out[*out_pos, out_cap), moving both
 * cursors. Stops when the input is used up (a last incomplete character
 * held) or when the output has no room for the next character. Cannot
 * fail. */
void transcode_step(transcoder *t, const char *in, size_t in_len, size_t *in_pos, char *out,
                    size_t out_cap, size_t *out_pos);

/* The input ended: a held incomplete character is not one, its bytes go
 * out as above (0xFF for the first, the others read afresh) into
 * out[*out_pos, out_cap), which must have TRANSCODE_END_ROOM bytes of
 * room. The converter is then ready for a new input. */
#define TRANSCODE_END_ROOM (4 * TRANSCODE_HELD)
void transcode_end(transcoder *t, char *out, size_t out_cap, size_t *out_pos);

/* Drops a held character: ready for a new input. */
void transcode_reset(transcoder *t);

/* Frees t. Accepts NULL. */
void transcode_free(transcoder *t);

#endif
