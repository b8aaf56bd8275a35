/* Shared libraries opened when first needed, not when techidx starts.
 *
 * Drawing a chart takes cairo and Pango, writing a workbook libxlsxwriter:
 * linked to the program, they and the 40-odd libraries they bring would
 * be mapped and relocated by every run, most of which draw nothing (about
 * 13 ms and 6 MB of a run's time and peak RSS, README). Their users open
 * them here instead, by the SONAME the build linked against, and call
 * through a table of their functions. */
#ifndef TECHIDX_CLI_DYNLIB_H
#define TECHIDX_CLI_DYNLIB_H

#include <stddef.h>

/* A set of libraries and the functions taken from them: static, filled
 * by the first dynlib_open. */
typedef struct dynlib {
    const char *what;         /* what they are for: "charts", "workbooks" */
    const char *const *libs;  /* SONAMEs, NULL-terminated */
    const char *const *names; /* the functions, each from the first library that has it */
    size_t n;
    void *table;   /* n function pointers, in names' order, without padding */
    int state;     /* 0 not tried, 1 open, -1 failed */
    char err[256]; /* why it failed */
} dynlib;

#define DYNLIB_SLOT_(f) __typeof__(f) *f;
#define DYNLIB_NAME_(f) #f,

/* Defines `static struct var##_fns var`, a pointer for each function that
 * the X-macro list FNS names (FNS(X) expands X(f) for each f, declared by
 * its header), and `static dynlib var##_lib`, which fills it from the
 * libraries named after `what`. */
#define DYNLIB_DEFINE(var, FNS, what_, ...)                                                        \
    static struct var##_fns {                                                                      \
        FNS(DYNLIB_SLOT_)                                                                          \
    } var;                                                                                         \
    static const char *const var##_names[] = {FNS(DYNLIB_NAME_)};                                  \
    _Static_assert(sizeof var == sizeof var##_names / sizeof var##_names[0] * sizeof(void *),      \
                   "a table of " #var " has padding");                                             \
    static dynlib var##_lib = {.what = what_,                                                      \
                               .libs = (const char *const[]){__VA_ARGS__, NULL},                   \
                               .names = var##_names,                                               \
                               .n = sizeof var##_names / sizeof var##_names[0],                    \
                               .table = &var}

/* Opens d's libraries and fills its table, once: later calls give the
 * first one's result. Returns 0, or -1 with the library or function that
 * was missing, and the loader's reason, in err. Thread-safe. The
 * libraries stay loaded until the program ends. */
int dynlib_open(dynlib *d, char *err, size_t errlen);

#endif
