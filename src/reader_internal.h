/* The reader's byte classifier (reader_simd.c), shared with reader.c and
 * the tests that hold every CPU path to the same records.
 *
 * The fast path of reader.c looks at its input 64 bytes at a time: one bit
 * per byte for each kind of byte that matters to a CSV record (quote,
 * delimiter, line end: CR or LF), found with the widest vector instructions
 * this CPU has. Which path runs is chosen once per process, at the first reader made: the
 * environment variable TECHIDX_SIMD (scalar, sse2, avx2, avx512 or auto; unset, empty or anything
 * else means auto) names the widest path allowed, and the CPU may lower it further (a path it lacks
 * is never taken). Every path gives the same masks, hence the same records. */
#ifndef TECHIDX_READER_INTERNAL_H
#define TECHIDX_READER_INTERNAL_H

#include <stdint.h>

#include "techidx/reader.h"

/* Bit i of each mask stands for byte i of the block. */
typedef struct tix_masks {
    uint64_t quote, delim, eol; /* eol: CR or LF */
} tix_masks;

/* Classifies the 64 bytes at p (all readable). */
typedef void (*tix_classify_fn)(const char *p, char delim, tix_masks *m);

/* Paths in order of width; each names the widest instructions it uses. */
typedef enum tix_simd {
    TIX_SIMD_AUTO = 0,
    TIX_SIMD_SCALAR = 1, /* plain C, any architecture */
    TIX_SIMD_SSE2 = 2,   /* x86-64 baseline */
    TIX_SIMD_AVX2 = 3,
    TIX_SIMD_AVX512 = 4 /* AVX-512BW */
} tix_simd;

/* The widest path this CPU runs that is no wider than `want` (AUTO: the
 * widest of all), and its classifier in *fn. */
tix_simd tix_simd_pick(tix_simd want, tix_classify_fn *fn);

/* The path of the process: TECHIDX_SIMD and the CPU, read once. */
tix_simd tix_simd_default(void);

/* The name of a path ("scalar", ..., "avx512"; "auto"). */
const char *tix_simd_name(tix_simd s);

/* Makes r use the path tix_simd_pick(want) gives, for the bytes fed from
 * now on, and returns it (tests compare the paths). */
tix_simd tix_reader_set_simd(tix_reader *r, tix_simd want);

#endif
