#include "cli/dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* POSIX has dlsym's objects be functions' addresses. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers are not void *");

#define MAX_LIBS 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The libraries' names, ", " between them, in buf. */
static void names(const dynlib *d, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (const char *const *l = d->libs; *l && at < len; l++) {
        int n = snprintf(buf + at, len - at, "%s%s", l == d->libs ? "" : ", ", *l);
        if (n < 0)
            break;
        at += (size_t)n;
    }
}

static int load(dynlib *d)
{
    void *h[MAX_LIBS];
    size_t nh = 0;
    int rc = 0;
    for (const char *const *l = d->libs; *l && rc == 0; l++) {
        if (nh == MAX_LIBS) {
            snprintf(d->err, sizeof d->err, "%s: more than %d libraries", d->what, MAX_LIBS);
            rc = -1;
            break;
        }
        /* RTLD_LOCAL: their symbols serve this table, not later lookups. */
        h[nh] = dlopen(*l, RTLD_NOW | RTLD_LOCAL);
        if (h[nh]) {
            nh++;
        } else {
            const char *why = dlerror();
            snprintf(d->err, sizeof d->err, "cannot load the libraries for %s: %s", d->what,
                     why ? why : *l);
            rc = -1;
        }
    }
    for (size_t i = 0; i < d->n && rc == 0; i++) {
        void *p = NULL;
        for (size_t k = 0; k < nh && !p; k++)
            p = dlsym(h[k], d->names[i]);
        if (p) {
            memcpy((char *)d->table + i * sizeof p, &p, sizeof p);
        } else {
            char libs[160];
            names(d, libs, sizeof libs);
            snprintf(d->err, sizeof d->err,
                     "cannot load the libraries for %s: no function %s in %s", d->what, d->names[i],
                     libs);
            rc = -1;
        }
    }
    /* A set that failed is closed again; one that opened stays. */
    while (rc != 0 && nh > 0)
        dlclose(h[--nh]);
    return rc;
}

int dynlib_open(dynlib *d, char *err, size_t errlen)
{
    pthread_mutex_lock(&lock);
    if (d->state == 0)
        d->state = load(d) == 0 ? 1 : -1;
    int ok = d->state == 1;
    pthread_mutex_unlock(&lock);
    if (!ok && err && errlen)
        snprintf(err, errlen, "%s", d->err);
    return ok ? 0 : -1;
}
