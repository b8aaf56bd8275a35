#include "cli/release.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/outfile.h"
#include "cli/pipeline.h"
#include "cli/sha256.h"
#include "cli/table.h"

/* revisions.csv: the periods of the previous release whose figures
 * changed, compared as published (six decimals). */
int release_revisions(const char *prev_index, const char *new_index, const char *out,
                           size_t *revised, char *err, size_t errlen)
{
    static const char *cols[] = {"value_index", "volume_index", "unit_value_index"};
    table a, b;
    int have_prev = prev_index != NULL;
    *revised = 0;
    if (have_prev && table_load(prev_index, &a, err, errlen) != 0)
        return -1;
    if (table_load(new_index, &b, err, errlen) != 0) {
        if (have_prev)
            table_free(&a);
        return -1;
    }
    outfile o;
    if (outfile_open(&o, out) != 0) {
        snprintf(err, errlen, "%s: %s", out, strerror(errno));
        table_free(&b);
        if (have_prev)
            table_free(&a);
        return -1;
    }
    fputs("period", o.f);
    for (int k = 0; k < 3; k++)
        fprintf(o.f, ",%s_old,%s_new,%s_change", cols[k], cols[k], cols[k]);
    fputc('\n', o.f);
    int ap = have_prev ? table_col(&a, "period") : -1, bp = table_col(&b, "period");
    int acol[3], bcol[3];
    for (int k = 0; k < 3; k++) {
        acol[k] = have_prev ? table_col(&a, cols[k]) : -1;
        bcol[k] = table_col(&b, cols[k]);
    }
    for (size_t r = 0; have_prev && ap >= 0 && bp >= 0 && r < a.nrows; r++) {
        const char *period = table_at(&a, r, ap);
        size_t s = 0;
        while (s < b.nrows && strcmp(table_at(&b, s, bp), period) != 0)
            s++;
        const char *old[3], *new[3];
        int changed = 0;
        for (int k = 0; k < 3; k++) {
            old[k] = acol[k] >= 0 ? table_at(&a, r, acol[k]) : "";
            new[k] = s < b.nrows && bcol[k] >= 0 ? table_at(&b, s, bcol[k]) : "";
            changed |= strcmp(old[k], new[k]) != 0;
        }
        if (!changed)
            continue;
        (*revised)++;
        fputs(period, o.f);
        for (int k = 0; k < 3; k++) {
            fprintf(o.f, ",%s,%s,", old[k], new[k]);
            if (*old[k] && *new[k])
                fprintf(o.f, "%.6f", strtod(new[k], NULL) - strtod(old[k], NULL));
        }
        fputc('\n', o.f);
    }
    table_free(&b);
    if (have_prev)
        table_free(&a);
    if (outfile_commit(&o) != 0) {
        snprintf(err, errlen, "%s: %s", out, strerror(errno));
        return -1;
    }
    return 0;
}

/* MANIFEST: every input of the state and every file of the release. */
int release_manifest(const char *reldir, const char *week, const state_input *ins,
                          size_t nins, char *err, size_t errlen)
{
    DIR *d = opendir(reldir);
    char *names[64];
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && n < 64)
        if (e->d_name[0] != '.' && strcmp(e->d_name, "MANIFEST") != 0)
            names[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    pipe_sort_names((const char **)names, n);
    char *path = path_join(reldir, "MANIFEST");
    outfile o;
    int rc = -1;
    if (!path || outfile_open(&o, path) != 0) {
        snprintf(err, errlen, "MANIFEST: %s", strerror(errno));
        goto done;
    }
    fprintf(o.f, "# techidx %s release %s\n# kind sha256 bytes name\n", TIX_VERSION, week);
    for (size_t i = 0; i < nins; i++)
        fprintf(o.f, "input %s %" PRIu64 " %s\n", ins[i].sha256, ins[i].size, ins[i].name);
    for (size_t i = 0; i < n; i++) {
        char *f = path_join(reldir, names[i]), hex[SHA256_HEX];
        uint64_t size;
        if (!f || sha256_file(f, hex, &size) != 0) {
            snprintf(err, errlen, "%s: %s", names[i], strerror(errno));
            free(f);
            outfile_abort(&o);
            goto done;
        }
        free(f);
        fprintf(o.f, "output %s %" PRIu64 " %s\n", hex, size, names[i]);
    }
    if (outfile_commit(&o) != 0) {
        snprintf(err, errlen, "MANIFEST: %s", strerror(errno));
        goto done;
    }
    rc = 0;
done:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(path);
    return rc;
}

