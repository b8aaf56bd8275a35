#include "cli/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/outfile.h"

char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

char *state_path(const state *s, const char *rel) { return path_join(s->dir, rel); }

static int is_empty_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = 0;
    closedir(d);
    return empty;
}

int state_create(const char *dir, char **options, size_t noptions, char *err, size_t errlen)
{
    if (mkdir(dir, 0777) != 0 && !(errno == EEXIST && is_empty_dir(dir))) {
        snprintf(err, errlen, errno == EEXIST ? "exists and is not an empty directory"
                                              : "cannot create: %s",
                 strerror(errno));
        return -1;
    }
    state s = {(char *)dir, options, noptions, NULL, 0, NULL, 0, -1};
    char *parts = state_path(&s, "parts"), *rel = state_path(&s, "releases");
    int ok = parts && rel && mkdir(parts, 0777) == 0 && mkdir(rel, 0777) == 0;
    if (!ok)
        snprintf(err, errlen, "cannot create its directories: %s", strerror(errno));
    free(parts);
    free(rel);
    return ok ? state_save(&s, err, errlen) : -1;
}

/* ---- state.json ------------------------------------------------------------ */

static json_t *counts_json(const tix_counts *c)
{
    json_t *o = json_pack("{s:I,s:I,s:I,s:I}", "read", (json_int_t)c->read, "accepted",
                          (json_int_t)c->accepted, "rejected", (json_int_t)c->rejected,
                          "bytes", (json_int_t)c->bytes);
    json_t *why = json_object();
    for (int r = 1; o && why && r < TIX_REASON_COUNT; r++)
        if (c->by_reason[r])
            json_object_set_new(why, tix_reason_name((tix_reason)r),
                                json_integer((json_int_t)c->by_reason[r]));
    if (!o || !why || json_object_set_new(o, "rejected_by_reason", why) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int counts_from(json_t *o, tix_counts *c)
{
    json_int_t read, acc, rej, bytes;
    json_t *why;
    memset(c, 0, sizeof *c);
    if (json_unpack(o, "{s:I,s:I,s:I,s:I,s:o}", "read", &read, "accepted", &acc, "rejected", &rej,
                    "bytes", &bytes, "rejected_by_reason", &why) != 0 ||
        !json_is_object(why))
        return -1;
    c->read = (uint64_t)read;
    c->accepted = (uint64_t)acc;
    c->rejected = (uint64_t)rej;
    c->bytes = (uint64_t)bytes;
    c->inputs = 1;
    for (int r = 1; r < TIX_REASON_COUNT; r++) {
        json_t *v = json_object_get(why, tix_reason_name((tix_reason)r));
        c->by_reason[r] = v ? (uint64_t)json_integer_value(v) : 0;
    }
    return 0;
}

int state_save(const state *s, char *err, size_t errlen)
{
    json_t *root = json_object(), *opts = json_array(), *ins = json_array(),
           *rels = json_array();
    int bad = !root || !opts || !ins || !rels;
    for (size_t i = 0; !bad && i < s->noptions; i++)
        bad = json_array_append_new(opts, json_string(s->options[i])) != 0;
    for (size_t i = 0; !bad && i < s->ninputs; i++) {
        const state_input *in = &s->inputs[i];
        char first[TIX_PERIOD_LABEL_MAX] = "", last[TIX_PERIOD_LABEL_MAX] = "";
        if (in->first_day <= in->last_day) {
            tix_date_format(in->first_day, first);
            tix_date_format(in->last_day, last);
        }
        json_t *o = json_pack("{s:s,s:s,s:I,s:o,s:s,s:s}", "name", in->name, "sha256", in->sha256,
                              "size", (json_int_t)in->size, "rows", counts_json(&in->counts),
                              "first_date", first, "last_date", last);
        bad = !o || json_array_append_new(ins, o) != 0;
    }
    for (size_t i = 0; !bad && i < s->nreleases; i++)
        bad = json_array_append_new(rels, json_string(s->releases[i])) != 0;
    if (!bad)
        bad = json_object_set_new(root, "techidx_state", json_integer(STATE_VERSION)) != 0 ||
              json_object_set_new(root, "options", opts) != 0 ||
              json_object_set_new(root, "inputs", ins) != 0 ||
              json_object_set_new(root, "releases", rels) != 0;
    else {
        json_decref(opts);
        json_decref(ins);
        json_decref(rels);
    }
    char *path = state_path(s, "state.json");
    outfile o;
    int rc = -1;
    if (bad || !path) {
        snprintf(err, errlen, "out of memory");
    } else if (outfile_open(&o, path) != 0) {
        snprintf(err, errlen, "cannot write state.json: %s", strerror(errno));
    } else if (json_dumpf(root, o.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
               fputc('\n', o.f) == EOF || outfile_commit(&o) != 0) {
        snprintf(err, errlen, "cannot write state.json: %s", strerror(errno));
        outfile_abort(&o);
    } else {
        rc = 0;
    }
    free(path);
    json_decref(root);
    return rc;
}

static int is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* A release label must be a plain name: no path can hide in it. */
static int is_week_label(const char *s)
{
    tix_period_kind k = TIX_PERIOD_WEEK;
    int32_t ord;
    return tix_period_parse(k, s, &ord) == TIX_OK;
}

static char *str_copy(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static int parse_date(const char *s, int32_t *day)
{
    return tix_date_parse(s, strlen(s), day) ? 0 : -1;
}

int state_open(state *s, const char *dir, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->lock_fd = -1;
    if (!(s->dir = str_copy(dir))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char *lock = state_path(s, ".lock"), *path = state_path(s, "state.json");
    if (!lock || !path) {
        free(lock);
        free(path);
        snprintf(err, errlen, "out of memory");
        state_close(s);
        return -1;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "no techidx state here (%s); create one with publish --init",
                 strerror(errno));
        free(lock);
        free(path);
        state_close(s);
        return -1;
    }
    s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, errlen, s->lock_fd < 0 ? "cannot lock: %s"
                                             : "another techidx command is working on it",
                 strerror(errno));
        free(lock);
        free(path);
        state_close(s);
        return -1;
    }
    free(lock);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    free(path);
    json_t *opts, *ins, *rels;
    json_int_t version;
    if (!root || json_unpack(root, "{s:I,s:o,s:o,s:o}", "techidx_state", &version, "options",
                             &opts, "inputs", &ins, "releases", &rels) != 0 ||
        !json_is_array(opts) || !json_is_array(ins) || !json_is_array(rels)) {
        snprintf(err, errlen, "state.json is damaged%s%s", root ? "" : ": ",
                 root ? "" : je.text);
        json_decref(root);
        state_close(s);
        return -1;
    }
    if (version != STATE_VERSION) {
        snprintf(err, errlen, "state format %lld; this techidx reads %d", (long long)version,
                 STATE_VERSION);
        json_decref(root);
        state_close(s);
        return -1;
    }
    s->noptions = json_array_size(opts);
    s->ninputs = json_array_size(ins);
    s->nreleases = json_array_size(rels);
    s->options = calloc(s->noptions + 1, sizeof *s->options);
    s->inputs = calloc(s->ninputs + 1, sizeof *s->inputs);
    s->releases = calloc(s->nreleases + 1, sizeof *s->releases);
    int bad = !s->options || !s->inputs || !s->releases;
    for (size_t i = 0; !bad && i < s->noptions; i++) {
        const char *o = json_string_value(json_array_get(opts, i));
        bad = !o || !(s->options[i] = str_copy(o));
    }
    for (size_t i = 0; !bad && i < s->nreleases; i++) {
        const char *r = json_string_value(json_array_get(rels, i));
        bad = !r || !is_week_label(r) || !(s->releases[i] = str_copy(r));
    }
    for (size_t i = 0; !bad && i < s->ninputs; i++) {
        state_input *in = &s->inputs[i];
        const char *name, *sha, *first, *last;
        json_int_t size;
        json_t *rows;
        in->first_day = 1;
        in->last_day = 0;
        bad = json_unpack(json_array_get(ins, i), "{s:s,s:s,s:I,s:o,s:s,s:s}", "name", &name,
                          "sha256", &sha, "size", &size, "rows", &rows, "first_date", &first,
                          "last_date", &last) != 0 ||
              !is_hex64(sha) || counts_from(rows, &in->counts) != 0 ||
              !(in->name = str_copy(name)) ||
              (*first && (parse_date(first, &in->first_day) || parse_date(last, &in->last_day)));
        if (!bad) {
            memcpy(in->sha256, sha, SHA256_HEX);
            in->size = (uint64_t)size;
        }
    }
    json_decref(root);
    if (bad) {
        snprintf(err, errlen, "state.json is damaged or was not written by techidx");
        state_close(s);
        return -1;
    }
    return 0;
}

state_input *state_find_sha(state *s, const char *sha256)
{
    for (size_t i = 0; i < s->ninputs; i++)
        if (strcmp(s->inputs[i].sha256, sha256) == 0)
            return &s->inputs[i];
    return NULL;
}

state_input *state_find_name(state *s, const char *name)
{
    for (size_t i = 0; i < s->ninputs; i++)
        if (strcmp(s->inputs[i].name, name) == 0)
            return &s->inputs[i];
    return NULL;
}

void state_close(state *s)
{
    for (size_t i = 0; s->options && i < s->noptions; i++)
        free(s->options[i]);
    for (size_t i = 0; s->inputs && i < s->ninputs; i++)
        free(s->inputs[i].name);
    for (size_t i = 0; s->releases && i < s->nreleases; i++)
        free(s->releases[i]);
    free(s->options);
    free(s->inputs);
    free(s->releases);
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* releases the flock */
    free(s->dir);
    memset(s, 0, sizeof *s);
    s->lock_fd = -1;
}

void state_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            size_t n = strlen(path) + strlen(e->d_name) + 2;
            char *sub = malloc(n);
            if (!sub)
                continue;
            snprintf(sub, n, "%s/%s", path, e->d_name);
            struct stat st;
            if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
                state_remove_tree(sub);
            else
                unlink(sub);
            free(sub);
        }
        closedir(d);
    }
    rmdir(path);
}
