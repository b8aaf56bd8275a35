#include "cli/release.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/outfile.h"
#include "cli/paths.h"
#include "cli/pipeline.h"
#include "cli/sha256.h"
#include "cli/table.h"
#include "cli/term.h"

/* The period, the three indices, the contracts and the value of each row
 * of an index CSV. */
int release_load_figures(const char *path, state_figures **figs, size_t *n, char *err,
                         size_t errlen)
{
    static const char *cols[] = {"period",           "value_index", "volume_index",
                                 "unit_value_index", "contracts",   "value"};
    enum { NCOLS = sizeof cols / sizeof cols[0] };
    table t;
    char msg[256];
    *figs = NULL;
    *n = 0;
    if (table_load(path, &t, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "%s: %s", path, msg);
        return -1;
    }
    int col[NCOLS];
    for (int k = 0; k < NCOLS; k++)
        if ((col[k] = table_col(&t, cols[k])) < 0) {
            snprintf(err, errlen, "%s: no column %s", path, cols[k]);
            table_free(&t);
            return -1;
        }
    state_figures *f = calloc(t.nrows + 1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        table_free(&t);
        return -1;
    }
    for (size_t r = 0; r < t.nrows; r++) {
        char *dst[NCOLS] = {f[r].period,     f[r].value,     f[r].volume,
                            f[r].unit_value, f[r].contracts, f[r].yuan};
        size_t cap[NCOLS] = {sizeof f[r].period,     sizeof f[r].value,     sizeof f[r].volume,
                             sizeof f[r].unit_value, sizeof f[r].contracts, sizeof f[r].yuan};
        for (int k = 0; k < NCOLS; k++) {
            const char *v = table_at(&t, r, col[k]);
            if (strlen(v) >= cap[k]) {
                snprintf(err, errlen, "%s: row %zu: %s too long", path, r + 1, cols[k]);
                free(f);
                table_free(&t);
                return -1;
            }
            memcpy(dst[k], v, strlen(v) + 1);
        }
    }
    *figs = f;
    *n = t.nrows;
    table_free(&t);
    return 0;
}

int release_revisions(const state_figures *prev, size_t nprev, const char *new_index,
                      const char *out, int bom, size_t *revised, state_figures **figs, size_t *nfigs,
                      char *err, size_t errlen)
{
    *revised = 0;
    if (release_load_figures(new_index, figs, nfigs, err, errlen) != 0)
        return -1;
    outfile o;
    if (outfile_open(&o, out) != 0) {
        snprintf(err, errlen, "%s: %s", out, strerror(errno));
        return -1;
    }
    static const char *cols[] = {"value_index", "volume_index", "unit_value_index"};
    if (bom)
        fputs("\xef\xbb\xbf", o.f);
    fputs("period", o.f);
    for (int k = 0; k < 3; k++)
        fprintf(o.f, ",%s_old,%s_new,%s_change", cols[k], cols[k], cols[k]);
    fputs(",contracts_old,contracts_new,value_old,value_new\n", o.f);
    for (size_t r = 0; r < nprev; r++) {
        const state_figures *a = &prev[r], *b = NULL;
        for (size_t s = 0; s < *nfigs && !b; s++)
            if (strcmp((*figs)[s].period, a->period) == 0)
                b = &(*figs)[s];
        const char *old[3] = {a->value, a->volume, a->unit_value};
        const char *new[3] = {b ? b->value : "", b ? b->volume : "", b ? b->unit_value : ""};
        const char *nc = b ? b->contracts : "", *ny = b ? b->yuan : "";
        int changed = 0;
        for (int k = 0; k < 3; k++)
            changed |= strcmp(old[k], new[k]) != 0;
        /* Late contracts change a period's counts and value even where its
         * index stays (the base period's 100); a state from before 0.2.0
         * did not keep them, and its figures are compared on the indices. */
        if (*a->contracts)
            changed |= strcmp(a->contracts, nc) != 0 || strcmp(a->yuan, ny) != 0;
        if (!changed)
            continue;
        (*revised)++;
        fputs(a->period, o.f);
        for (int k = 0; k < 3; k++) {
            fprintf(o.f, ",%s,%s,", old[k], new[k]);
            if (*old[k] && *new[k])
                fprintf(o.f, "%.6f", strtod(new[k], NULL) - strtod(old[k], NULL));
        }
        fprintf(o.f, ",%s,%s,%s,%s\n", a->contracts, nc, a->yuan, ny);
    }
    if (outfile_commit(&o) != 0) {
        snprintf(err, errlen, "%s: %s", out, strerror(errno));
        return -1;
    }
    return 0;
}

void release_manifest_line(FILE *f, const char *kind, const char *sha256, unsigned long long bytes,
                           const char *name)
{
    fprintf(f, "%s %s %llu ", kind, sha256, bytes);
    term_put_strict(f, name, strlen(name));
    fputc('\n', f);
}

/* MANIFEST: every input of the state and every file of the release. */
int release_manifest(const char *reldir, const char *week, const state_input *ins, size_t nins,
                     char *err, size_t errlen)
{
    DIR *d = opendir(reldir);
    char *names[64];
    size_t n = 0;
    struct dirent *e;
    if (!d) {
        snprintf(err, errlen, "%s: %s", reldir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL && n < 64)
        if (e->d_name[0] != '.' && strcmp(e->d_name, "MANIFEST") != 0 &&
            !(names[n++] = strdup(e->d_name)))
            n--;
    closedir(d);
    pipe_sort_names((const char **)names, n);
    char *path = path_join(reldir, "MANIFEST");
    outfile o;
    int rc = -1;
    if (!path || outfile_open(&o, path) != 0) {
        snprintf(err, errlen, "%s: %s", path ? path : "MANIFEST", strerror(errno));
        goto done;
    }
    fprintf(o.f, "# techidx %s release %s\n# kind sha256 bytes name\n", TIX_VERSION, week);
    for (size_t i = 0; i < nins; i++)
        release_manifest_line(o.f, "input", ins[i].sha256, (unsigned long long)ins[i].size,
                              ins[i].name);
    for (size_t i = 0; i < n; i++) {
        char *f = path_join(reldir, names[i]), hex[SHA256_HEX];
        uint64_t size;
        if (!f || sha256_file(f, hex, &size) != 0) {
            snprintf(err, errlen, "%s: %s", f ? f : names[i], strerror(errno));
            free(f);
            outfile_abort(&o);
            goto done;
        }
        free(f);
        release_manifest_line(o.f, "output", hex, (unsigned long long)size, names[i]);
    }
    if (outfile_commit(&o) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(path);
    return rc;
}
