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

/* A function looked up by name, stored at offset `at` of its table. */
typedef struct dynlib_sym {
    const char *name;
    size_t at;
} dynlib_sym;

/* A set of libraries and the functions taken from them: static, filled
 * by the first dynlib_open. */
typedef struct dynlib {
    const char *what;        /* what they are for: "charts", "workbooks" */
    const char *const *libs; /* SONAMEs, NULL-terminated */
    const dynlib_sym *syms;  /* each function, in the first library that has it */
    size_t nsyms;
    void *table;   /* the struct of function pointers they fill */
    int state;     /* 0 not tried, 1 open, -1 failed */
    char err[256]; /* why it failed */
} dynlib;

/* Opens d's libraries and fills its table, once: later calls give the
 * first one's result. Returns 0, or -1 with the library or function that
 * was missing, and the loader's reason, in err. Thread-safe. The
 * libraries stay loaded until the program ends. */
int dynlib_open(dynlib *d, char *err, size_t errlen);

#endif
