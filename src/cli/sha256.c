#include "cli/sha256.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>

int sha256_file(const char *path, char hex[SHA256_HEX], uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    enum { BUF = 1 << 20 };
    unsigned char *buf = malloc(BUF);
    if (!buf) {
        fclose(f);
        errno = ENOMEM;
        return -1;
    }
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    uint64_t n = 0;
    size_t got;
    while ((got = fread(buf, 1, BUF, f)) > 0) {
        sha256_update(&ctx, got, buf);
        n += got;
    }
    int bad = ferror(f);
    int saved = errno;
    free(buf);
    fclose(f);
    if (bad) {
        errno = saved ? saved : EIO;
        return -1;
    }
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    *size = n;
    return 0;
}
