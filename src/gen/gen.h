/* Synthetic technology-contract dumps for tests, samples and benchmarks:
 * libtechidx-gen (build/libtechidx-gen.a), linked by the command line
 * (techidx gen) and the tests, not part of libtechidx nor installed.
 *
 * The generator draws every value from a GSL random number generator seeded
 * with opts->seed, so the same options always produce the same bytes. */
#ifndef TECHIDX_GEN_H
#define TECHIDX_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tix_gen_opts {
    uint64_t rows;       /* data rows to write (the header is extra) */
    unsigned long seed;  /* GSL rng seed */
    int32_t from_day;    /* first signing date, day number (see period.h) */
    int32_t to_day;      /* last signing date, inclusive; >= from_day */
    double dirty;        /* fraction of rows deliberately broken, in [0, 1] */
    int chinese_headers; /* 1: header uses the registration-export names */
    int gzip;            /* 1: write a gzip stream instead of plain CSV */
} tix_gen_opts;

/* Fills o with the defaults, the way to start a tix_gen_opts: 1000 rows, seed 1, 2022-01-01..2024-12-31,
 * no dirty rows, English headers, plain CSV. */
void tix_gen_opts_init(tix_gen_opts *o);

/* Writes a header row and opts->rows data rows to `out`, which the caller
 * opened for writing and still owns (it is flushed, not closed). On failure
 * returns TIX_E_INVALID (bad options), TIX_E_IO or TIX_E_NOMEM and writes a
 * message into err[errlen] when err is not NULL; part of the dump may have
 * been written by then. */
tix_status tix_gen_write(const tix_gen_opts *opts, FILE *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
