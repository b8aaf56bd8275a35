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

#include "cli/fsops.h"
#include "cli/outfile.h"
#include "cli/paths.h"

char *state_path(const state *s, const char *rel) { return path_join(s->dir, rel); }

static char *str_copy(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* ---- creating and locking ---------------------------------------------------- */

/* What an --init killed before its end leaves: parts/ and releases/ empty,
 * the lock file, state.json's temporary file; no state.json. */
static int is_interrupted_init(const char *dir, const char *name)
{
    char *p = path_join(dir, name);
    struct stat st;
    int ok = p && lstat(p, &st) == 0;
    if (ok && (strcmp(name, "parts") == 0 || strcmp(name, "releases") == 0)) {
        DIR *d = S_ISDIR(st.st_mode) ? opendir(p) : NULL;
        struct dirent *e;
        ok = d != NULL;
        while (ok && (e = readdir(d)) != NULL)
            ok = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
        if (d)
            closedir(d);
    } else if (ok) {
        ok = S_ISREG(st.st_mode) &&
             (strcmp(name, ".lock") == 0 || strncmp(name, "state.json.tmp.", 15) == 0);
    }
    free(p);
    return ok;
}

/* DIR may be used for a new state: empty, or what an interrupted --init
 * left (whose temporary files are then removed). */
static int usable_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int ok = 1;
    while (ok && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            ok = is_interrupted_init(dir, e->d_name);
    closedir(d);
    if (!ok)
        return 0;
    if ((d = opendir(dir)) == NULL)
        return 0;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "state.json.tmp.", 15) == 0) {
            char *p = path_join(dir, e->d_name);
            if (p)
                unlink(p);
            free(p);
        }
    closedir(d);
    return 1;
}

int state_lock(const char *dir, char *err, size_t errlen)
{
    char *lock = path_join(dir, ".lock");
    if (!lock) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    free(lock);
    if (fd < 0) {
        snprintf(err, errlen, "cannot lock (.lock): %s", strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, errlen,
                 errno == EWOULDBLOCK ? "another techidx command is working on it"
                                      : "cannot lock: %s",
                 strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int make_subdir(const char *dir, const char *name)
{
    char *p = path_join(dir, name);
    int ok = p && (mkdir(p, 0777) == 0 || (errno == EEXIST && fs_is_dir(p)));
    free(p);
    return ok ? 0 : -1;
}

int state_create(const char *dir, const state_option *options, size_t noptions, char *err,
                 size_t errlen)
{
    if (mkdir(dir, 0777) != 0 && !(errno == EEXIST && usable_dir(dir))) {
        snprintf(err, errlen,
                 errno == EEXIST ? "exists and is not an empty directory" : "cannot create: %s",
                 strerror(errno));
        return -1;
    }
    state s;
    memset(&s, 0, sizeof s);
    s.dir = (char *)dir;
    s.options = (state_option *)options;
    s.noptions = noptions;
    int fd = state_lock(dir, err, errlen);
    if (fd < 0)
        return -1;
    int rc = -1;
    char *json = state_path(&s, "state.json");
    if (make_subdir(dir, "parts") != 0 || make_subdir(dir, "releases") != 0 ||
        fs_sync_dir(dir) != 0)
        snprintf(err, errlen, "cannot create its directories: %s", strerror(errno));
    else if (!json)
        snprintf(err, errlen, "out of memory");
    else if (state_write(&s, json, err, errlen) == 0)
        rc = fs_sync_dir(dir) == 0 ? 0 : -1;
    free(json);
    close(fd);
    return rc;
}

/* ---- state.json -------------------------------------------------------------- */

static json_t *counts_json(const tix_counts *c)
{
    json_t *o = json_pack("{s:I,s:I,s:I,s:I}", "read", (json_int_t)c->read, "accepted",
                          (json_int_t)c->accepted, "rejected", (json_int_t)c->rejected, "bytes",
                          (json_int_t)c->bytes);
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

/* A count: an integer, 0 or more. */
static int count_of(json_t *v, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int counts_from(json_t *o, tix_counts *c)
{
    memset(c, 0, sizeof *c);
    json_t *why = json_object_get(o, "rejected_by_reason");
    if (!json_is_object(o) || json_object_size(o) != 5 || !json_is_object(why) ||
        count_of(json_object_get(o, "read"), &c->read) ||
        count_of(json_object_get(o, "accepted"), &c->accepted) ||
        count_of(json_object_get(o, "rejected"), &c->rejected) ||
        count_of(json_object_get(o, "bytes"), &c->bytes))
        return -1;
    c->inputs = 1;
    size_t known = 0;
    uint64_t sum = 0;
    for (int r = 1; r < TIX_REASON_COUNT; r++) {
        json_t *v = json_object_get(why, tix_reason_name((tix_reason)r));
        if (!v)
            continue;
        if (count_of(v, &c->by_reason[r]) != 0 || c->by_reason[r] == 0)
            return -1;
        known++;
        sum += c->by_reason[r];
        if (sum < c->by_reason[r])
            return -1;
    }
    /* Every key a reason; the reasons sum to the rejected rows, and read =
     * accepted + rejected (without wrapping). */
    if (known != json_object_size(why) || sum != c->rejected || c->accepted > c->read ||
        c->read - c->accepted != c->rejected)
        return -1;
    return 0;
}

static json_t *request_json(const state_request *r)
{
    json_t *files = json_array();
    for (size_t i = 0; files && i < r->nfiles; i++)
        if (json_array_append_new(
                files, json_pack("{s:s,s:s}", "path", r->paths[i], "sha256", r->shas[i])) != 0) {
            json_decref(files);
            return NULL;
        }
    return files ? json_pack("{s:s,s:b,s:o}", "week", r->week ? r->week : "", "replace", r->replace,
                             "files", files)
                 : NULL;
}

/* The options of a state made before they were stored by name: the argv
 * --init was given, each --name=value split in two ["--period", "week",
 * "--map", "sector=domain"]. Returns them as an object, or NULL when they
 * are not such a list. */
static json_t *options_from_argv(const json_t *argv)
{
    json_t *obj = json_object();
    size_t n = json_array_size(argv);
    for (size_t i = 0; obj && i < n; i++) {
        const char *a = json_string_value(json_array_get(argv, i));
        const tix_option *opt =
            a && strncmp(a, "--", 2) == 0 ? tix_option_find(a + 2, TIX_CMD_INIT) : NULL;
        const char *v = NULL;
        if (opt && opt->kind != TIX_OPT_FLAG && i + 1 < n)
            v = json_string_value(json_array_get(argv, ++i));
        int bad = !opt || !(opt->commands & TIX_CMD_INIT) || (opt->kind != TIX_OPT_FLAG && !v);
        if (!bad && opt->kind == TIX_OPT_LIST) {
            json_t *list = json_object_get(obj, opt->name);
            if (!list && json_object_set_new(obj, opt->name, list = json_array()) != 0)
                list = NULL;
            bad = !list || json_array_append_new(list, json_string(v)) != 0;
        } else if (!bad) {
            bad = json_object_set_new(obj, opt->name, v ? json_string(v) : json_true()) != 0;
        }
        if (bad) {
            json_decref(obj);
            obj = NULL;
        }
    }
    return obj;
}

char *state_dump(const state *s)
{
    json_t *root = json_object(), *opts = json_object(), *ins = json_array(), *rels = json_array(),
           *pub = json_array(), *shas = json_array();
    int bad = !root || !opts || !ins || !rels || !pub || !shas;
    for (size_t i = 0; !bad && i < s->noptions; i++) {
        const state_option *o = &s->options[i];
        const tix_option *t = tix_option_find(o->name, TIX_CMD_INIT);
        if (t && t->kind == TIX_OPT_LIST) {
            json_t *list = json_object_get(opts, o->name);
            if (!list && json_object_set_new(opts, o->name, list = json_array()) != 0)
                list = NULL;
            bad = !list || json_array_append_new(list, json_string(o->value)) != 0;
        } else {
            bad = json_object_set_new(opts, o->name,
                                      o->value ? json_string(o->value) : json_true()) != 0;
        }
    }
    for (size_t i = 0; !bad && i < s->ninputs; i++) {
        const state_input *in = &s->inputs[i];
        char first[TIX_PERIOD_LABEL_MAX] = "", last[TIX_PERIOD_LABEL_MAX] = "";
        if (in->first_day <= in->last_day) {
            tix_date_format(in->first_day, first);
            tix_date_format(in->last_day, last);
        }
        json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:s,s:o,s:s,s:s}", "name", in->name, "path",
                              in->path, "sha256", in->sha256, "size", (json_int_t)in->size,
                              "part_sha256", in->part_sha256, "rows", counts_json(&in->counts),
                              "first_date", first, "last_date", last);
        bad = !o || json_array_append_new(ins, o) != 0;
    }
    for (size_t i = 0; !bad && i < s->nreleases; i++)
        bad = json_array_append_new(rels, json_string(s->releases[i])) != 0 ||
              json_array_append_new(shas, json_string(s->release_sha ? s->release_sha[i] : "")) !=
                  0;
    for (size_t i = 0; !bad && i < s->npublished; i++) {
        const state_figures *f = &s->published[i];
        bad = json_array_append_new(pub, json_pack("[s,s,s,s,s,s]", f->period, f->value,
                                                   f->volume, f->unit_value, f->contracts,
                                                   f->yuan)) != 0;
    }
    json_t *last = bad ? NULL : request_json(&s->last);
    if (!bad && last)
        bad = json_object_set_new(root, "techidx_state", json_integer(STATE_VERSION)) != 0 ||
              json_object_set_new(root, "options", opts) != 0 ||
              json_object_set_new(root, "inputs", ins) != 0 ||
              json_object_set_new(root, "releases", rels) != 0 ||
              json_object_set_new(root, "release_index_sha256", shas) != 0 ||
              json_object_set_new(root, "published", pub) != 0 ||
              json_object_set_new(root, "last_publish", last) != 0;
    else {
        bad = 1;
        json_decref(opts);
        json_decref(ins);
        json_decref(rels);
        json_decref(shas);
        json_decref(pub);
        json_decref(last);
    }
    char *text = bad ? NULL : json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return text;
}

int state_write(const state *s, const char *path, char *err, size_t errlen)
{
    char *text = state_dump(s);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    outfile o;
    int rc = -1;
    if (outfile_open(&o, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    } else if (fputs(text, o.f) == EOF || fputc('\n', o.f) == EOF || outfile_commit(&o) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        outfile_abort(&o);
    } else {
        rc = 0;
    }
    free(text);
    return rc;
}

/* A release label must be a plain ISO week: no path can hide in it. */
static int is_week_label(const char *s)
{
    int32_t ord;
    return tix_period_parse(TIX_PERIOD_WEEK, s, &ord) == TIX_OK;
}

static int parse_date(const char *s, int32_t *day)
{
    return tix_date_parse(s, strlen(s), day) == TIX_OK ? 0 : -1;
}

/* A published figure: "" or a decimal number as techidx prints them. */
static int copy_figure(char *dst, size_t cap, json_t *v)
{
    const char *s = json_string_value(v);
    if (!s || strlen(s) >= cap)
        return -1;
    if (*s) {
        char *end;
        strtod(s, &end);
        if (*end || !((*s >= '0' && *s <= '9') || *s == '-'))
            return -1;
    }
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

static int input_from(json_t *o, state_input *in)
{
    const char *name, *path, *sha, *part, *first, *last;
    json_int_t size;
    json_t *rows;
    in->first_day = 1;
    in->last_day = 0;
    if (json_unpack(o, "{s:s,s:s,s:s,s:I,s:s,s:o,s:s,s:s !}", "name", &name, "path", &path,
                    "sha256", &sha, "size", &size, "part_sha256", &part, "rows", &rows,
                    "first_date", &first, "last_date", &last) != 0 ||
        !*name || (path[0] != '/' && strcmp(path, "-") != 0) || size < 0 || !sha256_is_hex(sha) ||
        !sha256_is_hex(part) || counts_from(rows, &in->counts) != 0)
        return -1;
    /* Dates: both or neither, in order, and there when a row was accepted. */
    if (*first || *last) {
        if (parse_date(first, &in->first_day) || parse_date(last, &in->last_day) ||
            in->first_day > in->last_day || in->counts.accepted == 0)
            return -1;
    } else if (in->counts.accepted > 0) {
        return -1;
    }
    if (!(in->name = str_copy(name)) || !(in->path = str_copy(path)))
        return -1;
    memcpy(in->sha256, sha, SHA256_HEX);
    memcpy(in->part_sha256, part, SHA256_HEX);
    in->size = (uint64_t)size;
    return 0;
}

static int request_from(json_t *o, state_request *r)
{
    const char *week;
    int replace;
    json_t *files;
    if (json_unpack(o, "{s:s,s:b,s:o !}", "week", &week, "replace", &replace, "files", &files) !=
            0 ||
        !json_is_array(files) || (*week && !is_week_label(week)))
        return -1;
    r->replace = replace;
    r->nfiles = json_array_size(files);
    if (!(r->week = str_copy(week)) || !(r->paths = calloc(r->nfiles + 1, sizeof *r->paths)) ||
        !(r->shas = calloc(r->nfiles + 1, sizeof *r->shas)))
        return -1;
    for (size_t i = 0; i < r->nfiles; i++) {
        const char *path, *sha;
        if (json_unpack(json_array_get(files, i), "{s:s,s:s !}", "path", &path, "sha256", &sha) !=
                0 ||
            !*path || !sha256_is_hex(sha) || !(r->paths[i] = str_copy(path)))
            return -1;
        memcpy(r->shas[i], sha, SHA256_HEX);
    }
    return 0;
}

/* The checks that span entries: nothing listed twice. */
static const char *duplicates(const state *s)
{
    for (size_t i = 0; i < s->ninputs; i++)
        for (size_t k = 0; k < i; k++) {
            if (strcmp(s->inputs[i].sha256, s->inputs[k].sha256) == 0)
                return "an input is listed twice (same SHA-256)";
            if (strcmp(s->inputs[i].path, "-") != 0 &&
                strcmp(s->inputs[i].path, s->inputs[k].path) == 0)
                return "an input is listed twice (same path)";
        }
    for (size_t i = 0; i < s->nreleases; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(s->releases[i], s->releases[k]) == 0)
                return "a release is listed twice";
    if (s->nreleases == 0 && s->npublished > 0)
        return "published figures without a release";
    return NULL;
}

int state_parse(state *s, const char *text, size_t len, char *err, size_t errlen)
{
    char *dir = s->dir;
    memset(s, 0, sizeof *s);
    s->dir = dir;
    s->lock_fd = -1;
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    json_t *opts, *ins, *rels, *pub, *last, *shas = NULL;
    json_int_t version;
    if (!root || json_unpack(root, "{s:I}", "techidx_state", &version) != 0) {
        snprintf(err, errlen, "state.json is damaged%s%s", root ? "" : ": ", root ? "" : je.text);
        json_decref(root);
        return -1;
    }
    if (version != STATE_VERSION) {
        snprintf(err, errlen,
                 "state format %lld; this techidx reads format %d (make a new state with "
                 "publish --init and publish its dumps into it)",
                 (long long)version, STATE_VERSION);
        json_decref(root);
        return -1;
    }
    /* release_index_sha256 came with 0.2.0: a state without it has none. */
    if (json_unpack(root, "{s:I,s:o,s:o,s:o,s?o,s:o,s:o !}", "techidx_state", &version,
                    "options", &opts, "inputs", &ins, "releases", &rels, "release_index_sha256",
                    &shas, "published", &pub, "last_publish", &last) != 0 ||
        !(json_is_object(opts) || json_is_array(opts)) || !json_is_array(ins) ||
        !json_is_array(rels) || !json_is_array(pub) || (shas && !json_is_array(shas))) {
        snprintf(err, errlen, "state.json is damaged: a field is missing or of the wrong type");
        json_decref(root);
        return -1;
    }
    /* Options stored as argv (before 0.2.0 stored them by name) are read
     * as the object they mean; the next write stores the object. */
    if (json_is_array(opts)) {
        json_t *obj = options_from_argv(opts);
        if (!obj) {
            snprintf(err, errlen, "state.json is damaged: its options are not techidx options");
            json_decref(root);
            return -1;
        }
        json_object_set_new(root, "options", obj);
        opts = obj;
    }
    s->noptions = 0;
    const char *key;
    json_t *val;
    json_object_foreach(opts, key, val) s->noptions +=
        json_is_array(val) ? json_array_size(val) : 1;
    s->ninputs = json_array_size(ins);
    s->nreleases = json_array_size(rels);
    s->npublished = json_array_size(pub);
    s->options = calloc(s->noptions + 1, sizeof *s->options);
    s->inputs = calloc(s->ninputs + 1, sizeof *s->inputs);
    s->releases = calloc(s->nreleases + 1, sizeof *s->releases);
    s->release_sha = calloc(s->nreleases + 1, sizeof *s->release_sha);
    s->published = calloc(s->npublished + 1, sizeof *s->published);
    const char *why = NULL;
    if (!s->options || !s->inputs || !s->releases || !s->release_sha || !s->published)
        why = "out of memory";
    else if (shas && json_array_size(shas) != s->nreleases)
        why = "release_index_sha256 does not have a SHA-256 for each release";
    size_t nopt = 0;
    json_object_foreach(opts, key, val)
    {
        size_t n = json_is_array(val) ? json_array_size(val) : 1;
        for (size_t k = 0; !why && k < n; k++) {
            json_t *v = json_is_array(val) ? json_array_get(val, k) : val;
            state_option *o = &s->options[nopt++];
            if (!json_is_string(v) && !json_is_true(v))
                why = "an option is neither a string nor true";
            else if (!(o->name = str_copy(key)) ||
                     (json_is_string(v) && !(o->value = str_copy(json_string_value(v)))))
                why = "out of memory";
        }
    }
    for (size_t i = 0; !why && i < s->nreleases; i++) {
        const char *r = json_string_value(json_array_get(rels, i));
        if (!r || !is_week_label(r) || !(s->releases[i] = str_copy(r)))
            why = "a release is not an ISO week";
        const char *h = shas ? json_string_value(json_array_get(shas, i)) : "";
        if (!why && (!h || (*h && !sha256_is_hex(h))))
            why = "a release's index.csv SHA-256 is not 64 hexadecimal digits";
        else if (!why)
            memcpy(s->release_sha[i], h, strlen(h) + 1);
    }
    for (size_t i = 0; !why && i < s->npublished; i++) {
        json_t *row = json_array_get(pub, i);
        state_figures *f = &s->published[i];
        const char *period = json_string_value(json_array_get(row, 0));
        /* Four figures before 0.2.0, six since: contracts and value too. */
        size_t nf = json_array_size(row);
        if (!json_is_array(row) || (nf != 4 && nf != 6) || !period || !*period ||
            strlen(period) >= sizeof f->period ||
            copy_figure(f->value, sizeof f->value, json_array_get(row, 1)) ||
            copy_figure(f->volume, sizeof f->volume, json_array_get(row, 2)) ||
            copy_figure(f->unit_value, sizeof f->unit_value, json_array_get(row, 3)) ||
            (nf == 6 && (copy_figure(f->contracts, sizeof f->contracts, json_array_get(row, 4)) ||
                         copy_figure(f->yuan, sizeof f->yuan, json_array_get(row, 5)))))
            why = "a published figure is not a number";
        else
            memcpy(f->period, period, strlen(period) + 1);
    }
    for (size_t i = 0; !why && i < s->ninputs; i++)
        if (input_from(json_array_get(ins, i), &s->inputs[i]) != 0)
            why = "an input entry is incomplete or its counts do not add up";
    if (!why && request_from(last, &s->last) != 0)
        why = "last_publish is incomplete";
    if (!why)
        why = duplicates(s);
    json_decref(root);
    if (why) {
        snprintf(err, errlen, "state.json is damaged or was not written by techidx: %s", why);
        s->dir = NULL; /* the caller's */
        state_close(s);
        s->dir = dir;
        return -1;
    }
    return 0;
}

int state_load(state *s, const char *dir, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->lock_fd = -1;
    char *path = path_join(dir, "state.json");
    if (!path || !(s->dir = str_copy(dir))) {
        free(path);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "no techidx state here (%s); create one with publish --init",
                 strerror(e));
        state_close(s);
        return -1;
    }
    /* state.json grows with the inputs and the periods published: read it
     * whole, as jansson needs it. */
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            char *t = realloc(text, cap = cap ? 2 * cap : 65536);
            if (!t)
                break;
            text = t;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f) || len == cap;
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "cannot read state.json: %s", text ? "read error" : "out of memory");
        free(text);
        state_close(s);
        return -1;
    }
    int rc = state_parse(s, text, len, err, errlen);
    free(text);
    if (rc != 0)
        state_close(s);
    return rc;
}

/* ---- looking up ---------------------------------------------------------------- */

state_input *state_find_sha(state *s, const char *sha256)
{
    for (size_t i = 0; i < s->ninputs; i++)
        if (strcmp(s->inputs[i].sha256, sha256) == 0)
            return &s->inputs[i];
    return NULL;
}

state_input *state_find_path(state *s, const char *path)
{
    if (strcmp(path, "-") == 0)
        return NULL; /* stdin has no name to compare */
    for (size_t i = 0; i < s->ninputs; i++)
        if (strcmp(s->inputs[i].path, path) == 0 || same_file(s->inputs[i].path, path))
            return &s->inputs[i];
    return NULL;
}

int state_request_equal(const state_request *a, const state_request *b)
{
    if (a->nfiles != b->nfiles || a->replace != b->replace ||
        strcmp(a->week ? a->week : "", b->week ? b->week : "") != 0)
        return 0;
    for (size_t i = 0; i < a->nfiles; i++)
        if (strcmp(a->paths[i], b->paths[i]) != 0 || strcmp(a->shas[i], b->shas[i]) != 0)
            return 0;
    return 1;
}

void state_request_free(state_request *r)
{
    for (size_t i = 0; r->paths && i < r->nfiles; i++)
        free(r->paths[i]);
    free(r->paths);
    free(r->shas);
    free(r->week);
    memset(r, 0, sizeof *r);
}

void state_close(state *s)
{
    for (size_t i = 0; s->options && i < s->noptions; i++) {
        free(s->options[i].name);
        free(s->options[i].value);
    }
    for (size_t i = 0; s->inputs && i < s->ninputs; i++) {
        free(s->inputs[i].name);
        free(s->inputs[i].path);
    }
    for (size_t i = 0; s->releases && i < s->nreleases; i++)
        free(s->releases[i]);
    free(s->options);
    free(s->inputs);
    free(s->releases);
    free(s->release_sha);
    free(s->published);
    state_request_free(&s->last);
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* releases the flock */
    free(s->dir);
    memset(s, 0, sizeof *s);
    s->lock_fd = -1;
}
