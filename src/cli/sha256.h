/* SHA-256 of files, through nettle, as lowercase hex. */
#ifndef TECHIDX_CLI_SHA256_H
#define TECHIDX_CLI_SHA256_H

#include <stdint.h>

#define SHA256_HEX 65 /* 64 digits and the NUL */

/* Hashes the file at path; *size gets its length. Returns 0, or -1 with
 * errno set. */
int sha256_file(const char *path, char hex[SHA256_HEX], uint64_t *size);

#endif
