#include "support.h"

#include "techidx/tic.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[64];

void tt_tmpdir_make(const char *tag)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tix_%s_XXXXXX", tag);
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

void tt_tmpdir_remove(void)
{
    DIR *d = opendir(tmpdir);
    if (!d)
        return;
    struct dirent *de;
    char path[512];
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", tmpdir, de->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(tmpdir);
}

void tt_path(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", tmpdir, name); }

void tt_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "fopen %s: %s", path, strerror(errno));
    if (len)
        cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

unsigned char *tt_gzip(const void *data, size_t n, int level, size_t *len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    cr_assert_eq(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    uLong bound = deflateBound(&z, (uLong)n) + 64;
    unsigned char *out = malloc(bound);
    cr_assert_not_null(out);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)bound;
    cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    *len = bound - z.avail_out;
    deflateEnd(&z);
    return out;
}

char *tt_dup(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    cr_assert_not_null(s);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

uint64_t tt_rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

char *tt_tic_bytes(struct tix_cube *c, size_t *len)
{
    tix_tic_meta m; /* the writer takes period, stats and by from the cube */
    memset(&m, 0, sizeof m);
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    cr_assert_not_null(f);
    cr_assert_eq(tix_cube_finalize(c), TIX_OK);
    cr_assert_eq(tix_tic_write(f, c, &m), TIX_OK);
    cr_assert_eq(fclose(f), 0);
    return buf;
}
