/* Fuzz target for the names techidx writes into files read back by line
 * (MANIFEST, release.c): any bytes as an input's name give exactly one
 * line, with no control character and valid UTF-8, from which the name
 * decodes back to the very same bytes; the sha256sum recipe of the README
 * reads the output lines whatever the input names were. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/release.h"
#include "fuzz_common.h"
#include "techidx.h"

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A name is a C string: the input up to its first NUL. */
    char *name = malloc(size + 1);
    FZ_CHECK(name != NULL, "malloc");
    memcpy(name, data, size);
    name[size] = '\0';
    size_t n = strlen(name);
    static const char sha[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    FZ_CHECK(f != NULL, "open_memstream");
    release_manifest_line(f, "input", sha, 42, name);
    release_manifest_line(f, "output", sha, 7, "index.csv");
    FZ_CHECK(fclose(f) == 0, "fclose");
    /* Two lines, the second the output line as written. */
    char *nl = memchr(buf, '\n', len);
    FZ_CHECK(nl != NULL, "a newline ends the input line");
    size_t first = (size_t)(nl - buf) + 1;
    FZ_CHECK(len - first == strlen("output  7 index.csv\n") + strlen(sha) &&
                 memcmp(buf + first, "output ", 7) == 0 && buf[len - 1] == '\n',
             "the output line is intact");
    FZ_CHECK(tix_text_valid(buf, first - 1), "valid UTF-8 without control characters");
    const char *prefix = "input ";
    size_t skip = strlen(prefix) + strlen(sha) + strlen(" 42 ");
    FZ_CHECK(first - 1 >= skip && memcmp(buf, prefix, strlen(prefix)) == 0, "the fields");
    /* Decode \xHH; every other byte stands for itself. */
    char *back = malloc(first);
    FZ_CHECK(back != NULL, "malloc");
    size_t k = 0;
    for (size_t i = skip; i < first - 1; i++) {
        if (buf[i] == '\\') {
            FZ_CHECK(i + 3 < first && buf[i + 1] == 'x' && hex(buf[i + 2]) >= 0 &&
                         hex(buf[i + 3]) >= 0,
                     "a backslash starts \\xHH");
            back[k++] = (char)(hex(buf[i + 2]) * 16 + hex(buf[i + 3]));
            i += 3;
        } else {
            back[k++] = buf[i];
        }
    }
    FZ_CHECK(k == n && memcmp(back, name, n) == 0, "the name decodes back");
    free(back);
    free(buf);
    free(name);
    return 0;
}
