#include "cli/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sha256_stream_init(sha256_stream *s)
{
    sha256_init(&s->ctx);
    s->size = 0;
}

void sha256_stream_add(void *ctx, const void *buf, size_t len)
{
    sha256_stream *s = ctx;
    sha256_update(&s->ctx, len, buf);
    s->size += len;
}

void sha256_stream_hex(sha256_stream *s, char hex[SHA256_HEX])
{
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&s->ctx, SHA256_DIGEST_SIZE, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

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
    sha256_stream s;
    sha256_stream_init(&s);
    size_t got;
    while ((got = fread(buf, 1, BUF, f)) > 0)
        sha256_stream_add(&s, buf, got);
    int bad = ferror(f);
    int saved = errno;
    free(buf);
    fclose(f);
    if (bad) {
        errno = saved ? saved : EIO;
        return -1;
    }
    *size = s.size;
    sha256_stream_hex(&s, hex);
    return 0;
}

int sha256_is_hex(const char *s)
{
    if (strlen(s) != SHA256_HEX - 1)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}
