#include "cli/journal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cleanup.h"
#include "cli/fsops.h"
#include "cli/paths.h"
#include "cli/sha256.h"
#include "cli/state.h"

#define WORK_PREFIX ".work-"
#define COMMIT_DIR ".commit"

/* SHA256.tic: the name of a part. */
static int is_part_name(const char *name)
{
    size_t n = strlen(name);
    if (n != SHA256_HEX - 1 + 4 || strcmp(name + SHA256_HEX - 1, ".tic") != 0)
        return 0;
    for (size_t i = 0; i < SHA256_HEX - 1; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
            return 0;
    return 1;
}

/* .work-XXXXXX as mkdtemp makes it. */
static int is_work_name(const char *name)
{
    size_t n = strlen(WORK_PREFIX);
    if (strncmp(name, WORK_PREFIX, n) != 0 || strlen(name) != n + 6)
        return 0;
    for (const char *p = name + n; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return 0;
    return 1;
}

static int is_regular(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int fail(char *err, size_t errlen, const char *what, const char *path)
{
    snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
    return -1;
}

/* A signal during the preparation removes the work directory: its files
 * (the release's are known by name; parts are tracked as made), then its
 * directories, newest first. Once committed, nothing of it is removed. */
static void track(journal *j, const char *path, int is_dir)
{
    if (j->nids < (int)(sizeof j->ids / sizeof j->ids[0]))
        j->ids[j->nids++] = cleanup_add(path, is_dir);
}

static void forget_all(journal *j)
{
    for (int i = 0; i < j->nids; i++)
        cleanup_forget(j->ids[i]);
    j->nids = 0;
}

void journal_track(journal *j, const char *subdir, const char *name)
{
    char *dir = path_join(j->work, subdir), *p = dir ? path_join(dir, name) : NULL;
    if (p)
        track(j, p, 0);
    free(dir);
    free(p);
}

int journal_begin(journal *j, const char *dir, char *err, size_t errlen)
{
    static const char *const files[] = {
        "index.csv",  "index.json", "cells.csv",  "contributions.csv", "revisions.csv",
        "rejects.csv", "chart.svg", "index.html", "index.xlsx",        "groups.csv",
        "MANIFEST"};
    memset(j, 0, sizeof *j);
    j->dir = strdup(dir);
    j->work = path_join(dir, WORK_PREFIX "XXXXXX");
    if (!j->dir || !j->work) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (!mkdtemp(j->work)) {
        fail(err, errlen, "cannot make the work directory", j->work);
        free(j->work);
        j->work = NULL;
        return -1;
    }
    track(j, j->work, 1);
    j->parts = path_join(j->work, "parts");
    j->release = path_join(j->work, "release");
    if (!j->parts || !j->release) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (mkdir(j->parts, 0777) != 0)
        return fail(err, errlen, "cannot make", j->parts);
    track(j, j->parts, 1);
    if (mkdir(j->release, 0777) != 0)
        return fail(err, errlen, "cannot make", j->release);
    track(j, j->release, 1);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        journal_track(j, "release", files[i]);
    journal_track(j, ".", "state.json");
    return 0;
}

void journal_free(journal *j)
{
    if (j->work)
        fs_remove_tree(j->work);
    forget_all(j);
    free(j->dir);
    free(j->work);
    free(j->parts);
    free(j->release);
    memset(j, 0, sizeof *j);
}

/* Moves every part in from/ that is not yet in to/. */
static int move_parts(const char *from, const char *to, char *err, size_t errlen)
{
    DIR *d = opendir(from);
    if (!d)
        return errno == ENOENT ? 0 : fail(err, errlen, "cannot read", from);
    struct dirent *e;
    int rc = 0, moved = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!is_part_name(e->d_name))
            continue;
        char *a = path_join(from, e->d_name), *b = path_join(to, e->d_name);
        if (!a || !b) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else if (is_regular(a) && rename(a, b) != 0) {
            rc = fail(err, errlen, "cannot move a part into", to);
        } else {
            moved = 1;
        }
        free(a);
        free(b);
    }
    closedir(d);
    if (rc == 0 && moved && (fs_sync_dir(to) != 0 || fs_sync_dir(from) != 0))
        rc = fail(err, errlen, "cannot sync", to);
    return rc;
}

/* The week of the committed release: the last of its state.json. */
static int committed_week(const char *commit, char *week, size_t cap, char *err, size_t errlen)
{
    state s;
    if (state_load(&s, commit, err, errlen) != 0)
        return -1;
    int ok = s.nreleases > 0 && strlen(s.releases[s.nreleases - 1]) < cap;
    if (ok)
        snprintf(week, cap, "%s", s.releases[s.nreleases - 1]);
    else
        snprintf(err, errlen, "%s/state.json names no release", commit);
    state_close(&s);
    return ok ? 0 : -1;
}

/* The new release into DIR/releases/WEEK, the old one (if any) aside. */
static int move_release(const char *dir, const char *commit, char *err, size_t errlen)
{
    char *rel = path_join(commit, "release"), *old = path_join(commit, "old"),
         *releases = path_join(dir, "releases"), *target = NULL;
    char week[TIX_PERIOD_LABEL_MAX];
    int rc = -1;
    if (!rel || !old || !releases) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (!fs_exists(rel)) { /* moved in already */
        rc = 0;
        goto done;
    }
    if (committed_week(commit, week, sizeof week, err, errlen) != 0)
        goto done;
    if (!(target = path_join(releases, week))) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (fs_exists(target)) {
        /* A release of this week published before: aside, removed with
         * DIR/.commit at the end (a link is moved as the link). */
        if (fs_exists(old) && fs_remove_tree(old) != 0) {
            fail(err, errlen, "cannot remove", old);
            goto done;
        }
        if (rename(target, old) != 0 || fs_sync_dir(releases) != 0 || fs_sync_dir(commit) != 0) {
            fail(err, errlen, "cannot move the previous release aside:", target);
            goto done;
        }
    }
    if (rename(rel, target) != 0 || fs_sync_dir(releases) != 0 || fs_sync_dir(commit) != 0) {
        fail(err, errlen, "cannot put the release in place:", target);
        goto done;
    }
    rc = 0;
done:
    free(rel);
    free(old);
    free(releases);
    free(target);
    return rc;
}

/* Unlinks the parts that DIR/state.json does not name. */
static int drop_unnamed_parts(const char *dir, char *err, size_t errlen)
{
    state s;
    if (state_load(&s, dir, err, errlen) != 0)
        return -1;
    char *parts = path_join(dir, "parts");
    DIR *d = parts ? opendir(parts) : NULL;
    int rc = 0, removed = 0;
    struct dirent *e;
    while (d && rc == 0 && (e = readdir(d)) != NULL) {
        if (!is_part_name(e->d_name))
            continue;
        int named = 0;
        for (size_t i = 0; i < s.ninputs && !named; i++)
            named = strncmp(e->d_name, s.inputs[i].sha256, SHA256_HEX - 1) == 0;
        char *p = named ? NULL : path_join(parts, e->d_name);
        if (p && is_regular(p)) {
            if (unlink(p) != 0 && errno != ENOENT)
                rc = fail(err, errlen, "cannot remove", p);
            removed = 1;
        }
        free(p);
    }
    if (!d && parts)
        rc = fail(err, errlen, "cannot read", parts);
    if (d)
        closedir(d);
    if (rc == 0 && removed && fs_sync_dir(parts) != 0)
        rc = fail(err, errlen, "cannot sync", parts);
    free(parts);
    state_close(&s);
    return rc;
}

/* Completes DIR/.commit; see the header for the steps. */
static int roll_forward(const char *dir, const char *commit, char *err, size_t errlen)
{
    char *cparts = path_join(commit, "parts"), *parts = path_join(dir, "parts"),
         *cstate = path_join(commit, "state.json"), *dstate = path_join(dir, "state.json");
    int rc = -1;
    if (!cparts || !parts || !cstate || !dstate) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (move_parts(cparts, parts, err, errlen) != 0 || move_release(dir, commit, err, errlen) != 0)
        goto done;
    if (fs_exists(cstate) && (rename(cstate, dstate) != 0 || fs_sync_dir(dir) != 0)) {
        fail(err, errlen, "cannot put in place", dstate);
        goto done;
    }
    if (drop_unnamed_parts(dir, err, errlen) != 0)
        goto done;
    if (fs_remove_tree(commit) != 0 || fs_sync_dir(dir) != 0) {
        fail(err, errlen, "cannot remove", commit);
        goto done;
    }
    rc = 0;
done:
    free(cparts);
    free(parts);
    free(cstate);
    free(dstate);
    return rc;
}

int journal_commit(journal *j, char *err, size_t errlen)
{
    char *commit = path_join(j->dir, COMMIT_DIR);
    if (!commit) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (fs_sync_dir(j->parts) != 0 || fs_sync_dir(j->release) != 0 || fs_sync_dir(j->work) != 0) {
        fail(err, errlen, "cannot sync", j->work);
        free(commit);
        return -1;
    }
    if (rename(j->work, commit) != 0) {
        fail(err, errlen, "cannot commit", commit);
        free(commit);
        return -1;
    }
    forget_all(j); /* the paths are gone; .commit is not for a signal to remove */
    /* Committed: the work directory is now DIR/.commit, and not ours to
     * remove if what follows fails. */
    free(j->work);
    j->work = NULL;
    int rc = 0;
    if (fs_sync_dir(j->dir) != 0) {
        fail(err, errlen, "cannot sync", j->dir);
        rc = 1;
    } else if (roll_forward(j->dir, commit, err, errlen) != 0) {
        rc = 1;
    }
    free(commit);
    return rc;
}

/* The work directories of publishes that died before committing. */
static int remove_leftovers(const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d)
        return fail(err, errlen, "cannot read", dir);
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!is_work_name(e->d_name))
            continue;
        char *p = path_join(dir, e->d_name);
        /* Only a directory: a link of that name is not techidx's. */
        if (p && fs_is_dir(p) && fs_remove_tree(p) != 0)
            rc = fail(err, errlen, "cannot remove", p);
        free(p);
    }
    closedir(d);
    return rc;
}

int journal_recover(const char *dir, int *completed, char *err, size_t errlen)
{
    *completed = 0;
    char *commit = path_join(dir, COMMIT_DIR);
    if (!commit) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    if (fs_exists(commit)) {
        if (!fs_is_dir(commit)) {
            snprintf(err, errlen, "%s is not a directory techidx made; move it away", commit);
            rc = -1;
        } else if (roll_forward(dir, commit, err, errlen) != 0) {
            rc = -1;
        } else {
            *completed = 1;
        }
    }
    free(commit);
    return rc == 0 ? remove_leftovers(dir, err, errlen) : rc;
}

int journal_pending(const char *dir)
{
    char *commit = path_join(dir, COMMIT_DIR);
    int yes = commit && fs_exists(commit);
    free(commit);
    return yes;
}
