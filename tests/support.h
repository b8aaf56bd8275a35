/* Helpers shared by the Criterion test files: a per-test temporary
 * directory, whole-file writes, gzip members, byte copies and a seeded
 * pseudo-random generator. Failures abort the test through cr_assert. */
#ifndef TECHIDX_TEST_SUPPORT_H
#define TECHIDX_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/* Creates /tmp/tix_<tag>_XXXXXX for the running test (use from a suite's
 * .init) and removes it with the files in it (from .fini). */
void tt_tmpdir_make(const char *tag);
void tt_tmpdir_remove(void);

/* out = "<tmpdir>/<name>". */
void tt_path(char *out, size_t cap, const char *name);

/* Writes len bytes of data to path, replacing it. */
void tt_write_file(const char *path, const void *data, size_t len);

/* One gzip member (zlib level `level`) holding data; *len gets its size.
 * The caller frees the result. */
unsigned char *tt_gzip(const void *data, size_t n, int level, size_t *len);

/* A NUL-terminated copy of p[0..n). The caller frees it. */
char *tt_dup(const char *p, size_t n);

/* xorshift64*: the next number of the sequence seeded by *state != 0. */
uint64_t tt_rng_next(uint64_t *state);

struct tix_cube;

/* The .tic bytes of cube c (finalized here), with an empty meta; *len gets
 * their number. Free with free(). */
char *tt_tic_bytes(struct tix_cube *c, size_t *len);

#endif
