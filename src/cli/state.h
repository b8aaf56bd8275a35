/* The publishing state: a directory holding what the weekly releases are
 * computed from, and the releases themselves.
 *
 *   DIR/state.json          options, inputs, releases (rewritten atomically)
 *   DIR/parts/SHA256.tic    one aggregated cube per input, never raw rows
 *   DIR/releases/WEEK/      one directory per release
 *   DIR/.lock               held (flock) while a command works on DIR
 *
 * state.json is the one source of truth: a part or release that it does not
 * name (left by a crash) is ignored and cleaned up by the next publish. */
#ifndef TECHIDX_CLI_STATE_H
#define TECHIDX_CLI_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "cli/sha256.h"
#include "techidx.h"

#define STATE_VERSION 1

typedef struct state_input {
    char *name; /* as given on the command line */
    char sha256[SHA256_HEX];
    uint64_t size;
    tix_counts counts; /* its rows */
    int32_t first_day, last_day; /* signing dates; first > last: none */
} state_input;

typedef struct state {
    char *dir;
    char **options; /* the run options given at --init */
    size_t noptions;
    state_input *inputs;
    size_t ninputs;
    char **releases; /* week labels, in the order they were published */
    size_t nreleases;
    int lock_fd;
} state;

/* Creates DIR (new or empty) with parts/ and releases/ and writes a state
 * with these options. Returns 0, or -1 with a message in err. */
int state_create(const char *dir, char **options, size_t noptions, char *err, size_t errlen);

/* Opens DIR's state, locking DIR against other commands. Returns 0, or -1
 * with a message in err. */
int state_open(state *s, const char *dir, char *err, size_t errlen);

/* Writes s as DIR/state.json, whole or not at all. Returns 0 or -1. */
int state_save(const state *s, char *err, size_t errlen);

/* The input with this hash or this name, or NULL. */
state_input *state_find_sha(state *s, const char *sha256);
state_input *state_find_name(state *s, const char *name);

/* DIR/rel (the caller frees it). */
char *state_path(const state *s, const char *rel);

/* "a/b", allocated (the caller frees it); NULL when out of memory. */
char *path_join(const char *a, const char *b);

/* Unlocks and frees. */
void state_close(state *s);

/* Removes a directory tree (the state's temporary work). Best effort. */
void state_remove_tree(const char *path);

#endif
