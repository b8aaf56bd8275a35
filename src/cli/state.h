/* The publishing state: a directory holding what the weekly releases are
 * computed from, and the releases themselves.
 *
 *   DIR/state.json          the one source of truth: options, inputs (each
 *                           with its part's SHA-256), releases, the figures
 *                           last published, the last publish asked for
 *   DIR/parts/SHA256.tic    one aggregated cube per input, never raw rows
 *   DIR/releases/WEEK/      one directory per release
 *   DIR/.lock               held (flock) while a publish works on DIR
 *   DIR/.work-XXXXXX/       a publish being prepared (journal.h)
 *   DIR/.commit/            a publish committed but not yet in place
 *
 * state.json is only ever replaced by rename(2), so a reader sees the old
 * or the new state whole; --status reads it without the lock. */
#ifndef TECHIDX_CLI_STATE_H
#define TECHIDX_CLI_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "cli/sha256.h"
#include "techidx.h"

#define STATE_VERSION 2

typedef struct state_input {
    char *name; /* as given on the command line (shown) */
    char *path; /* path_normalize(name): how names are compared */
    char sha256[SHA256_HEX];
    uint64_t size;
    char part_sha256[SHA256_HEX]; /* of parts/SHA256.tic: checked before use */
    tix_counts counts;            /* its rows */
    int32_t first_day, last_day;  /* signing dates; first > last: none */
} state_input;

/* One period of the last release as published (the three indices with six
 * decimals, "" where the index is empty; its contracts and value in yuan,
 * "" in a state written before 0.2.0 kept them): what the next release's
 * revisions compare with. */
#define STATE_FIGURE_MAX 40
typedef struct state_figures {
    char period[TIX_PERIOD_LABEL_MAX];
    char value[STATE_FIGURE_MAX], volume[STATE_FIGURE_MAX], unit_value[STATE_FIGURE_MAX];
    char contracts[STATE_FIGURE_MAX], yuan[STATE_FIGURE_MAX];
} state_figures;

/* What a publish was asked to do: its files (normalised path and SHA-256,
 * in the order given), --week ("" when not given) and --replace. A publish
 * asked again, as after a crash, finds it here and is complete. */
typedef struct state_request {
    char *week;
    int replace;
    char **paths;
    char (*shas)[SHA256_HEX];
    size_t nfiles;
} state_request;

/* An option --init stored, by its name in the option table
 * (techidx/options.h); value NULL for a flag. A list option (map) given n
 * times is n of them, in the order given. state.json keeps them as one
 * object: {"period": "week", "map": ["sector=domain"], "dedup": true}. */
typedef struct state_option {
    char *name, *value;
} state_option;

typedef struct state {
    char *dir;
    state_option *options; /* the options given at --init, in the table's order */
    size_t noptions;
    state_input *inputs;
    size_t ninputs;
    char **releases; /* week labels, in the order they were published */
    char (*release_sha)[SHA256_HEX]; /* each one's index.csv, "" when unknown
                                        (a state written before 0.2.0) */
    size_t nreleases;
    state_figures *published; /* of releases[nreleases - 1] */
    size_t npublished;
    state_request last; /* the last publish; nfiles = 0 before the first */
    int lock_fd;
} state;

/* Creates DIR (new, empty, or left so by an interrupted --init) with
 * parts/ and releases/, and writes a state with these options. Returns 0,
 * or -1 with a message in err. */
int state_create(const char *dir, const state_option *options, size_t noptions, char *err,
                 size_t errlen);

/* Takes DIR's lock (flock on DIR/.lock, never through a link). Returns the
 * lock's descriptor, or -1 with a message in err. */
int state_lock(const char *dir, char *err, size_t errlen);

/* Reads DIR/state.json into s (s->dir = dir, s->lock_fd = -1). It does not
 * lock: a publish takes state_lock first. Returns 0, or -1 with a message
 * in err. */
int state_load(state *s, const char *dir, char *err, size_t errlen);

/* Parses and checks a state.json text: every field present and of its type,
 * counts that add up (read = accepted + rejected, the reasons sum to
 * rejected), dates in order, no input listed twice (by SHA-256 or path), the
 * releases ISO weeks, each listed once. Returns 0, or -1 with a message in
 * err; s is then empty. */
int state_parse(state *s, const char *text, size_t len, char *err, size_t errlen);

/* s as state.json text (the caller frees it); NULL when out of memory. */
char *state_dump(const state *s);

/* Writes s as the file path (complete or not at all, fsynced). Returns 0,
 * or -1 with a message in err. */
int state_write(const state *s, const char *path, char *err, size_t errlen);

/* The input with this hash, or whose path is this one (or the same file
 * while both exist), or NULL. */
state_input *state_find_sha(state *s, const char *sha256);
state_input *state_find_path(state *s, const char *path);

/* DIR/rel (the caller frees it). */
char *state_path(const state *s, const char *rel);

/* 1 when the two requests are the same publish. */
int state_request_equal(const state_request *a, const state_request *b);
void state_request_free(state_request *r);

/* Frees s and releases its lock, if it holds one. */
void state_close(state *s);

#endif
