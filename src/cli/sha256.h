/* SHA-256 of files and streams, through nettle, as lowercase hex. */
#ifndef TECHIDX_CLI_SHA256_H
#define TECHIDX_CLI_SHA256_H

#include <nettle/sha2.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX 65 /* 64 digits and the NUL */

/* Hashes the file at path; *size gets its length. Returns 0, or -1 with
 * errno set. */
int sha256_file(const char *path, char hex[SHA256_HEX], uint64_t *size);

/* A hash built as bytes go by: the tap of an input that is aggregated
 * (tix_engine_opts.tap), so a dump is hashed in the one pass that reads it. */
typedef struct sha256_stream {
    struct sha256_ctx ctx;
    uint64_t size; /* bytes so far */
} sha256_stream;

void sha256_stream_init(sha256_stream *s);

/* Adds (buf, len); the signature of a tix_source_tap (ctx = the stream). */
void sha256_stream_add(void *s, const void *buf, size_t len);

/* The digest of everything added; the stream is spent. */
void sha256_stream_hex(sha256_stream *s, char hex[SHA256_HEX]);

/* 1 when s is 64 lowercase hex digits. */
int sha256_is_hex(const char *s);

#endif
