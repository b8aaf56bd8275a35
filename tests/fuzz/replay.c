/* Replays saved fuzz inputs without libFuzzer: every argument is a file or a
 * directory, and each regular file (a directory's files in byte order of
 * their names, for a deterministic run) goes once through
 * LLVMFuzzerTestOneInput. A failed check inside the target aborts; an input
 * that cannot be read is an error (exit 1). Linked with one fuzz_*.c only in
 * the replay build, so it defines nothing libFuzzer defines. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint8_t *p = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *q = realloc(p, cap);
            if (!q) {
                free(p);
                fclose(f);
                return 0;
            }
            p = q;
        }
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int ok = !ferror(f);
    fclose(f);
    if (!ok) {
        free(p);
        return 0;
    }
    *out = p;
    *len = n;
    return 1;
}

/* Runs one file; returns 1 when it ran, 0 when it was skipped (not a
 * regular file), -1 on a read error. */
static int run_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    uint8_t *data = NULL;
    size_t len = 0;
    if (!read_file(path, &data, &len)) {
        fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    /* An exact-size copy lets ASan see reads past the end of the input. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(data);
        fprintf(stderr, "replay: out of memory\n");
        return -1;
    }
    if (len)
        memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs the regular files of a directory in name order; returns the number
 * run, or -1 on an error. */
static long run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot open %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    long count = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **q = realloc(names, cap * sizeof *q);
            if (!q)
                goto oom;
            names = q;
        }
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n])
            goto oom;
        snprintf(names[n], len, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    d = NULL;
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n && count >= 0; i++) {
        int r = run_file(names[i]);
        if (r < 0)
            count = -1;
        else
            count += r;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return count;
oom:
    fprintf(stderr, "replay: out of memory\n");
    if (d)
        closedir(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return -1;
}

int main(int argc, char **argv)
{
    long total = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long r;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (S_ISDIR(st.st_mode))
            r = run_dir(argv[i]);
        else
            r = run_file(argv[i]);
        if (r < 0)
            return 1;
        total += r;
    }
    printf("replay: %ld inputs\n", total);
    return 0;
}
