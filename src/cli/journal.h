/* How a publish changes its state directory so that a crash at any moment
 * leaves a state that the same command completes.
 *
 * 1. Prepare: everything new (the parts of new dumps, the release, the next
 *    state.json) is written and fsynced in DIR/.work-XXXXXX, which nothing
 *    else reads. A crash here leaves DIR as it was, plus a work directory
 *    that the next publish removes.
 * 2. Commit: one rename makes the work directory DIR/.commit (and DIR is
 *    fsynced). From then on the publish has happened: whatever command next
 *    takes the lock first completes it (journal_recover).
 * 3. Roll forward, each step idempotent and each rename followed by an
 *    fsync of the directories involved: the new parts into DIR/parts; an
 *    old release of the same week aside into DIR/.commit/old; the new
 *    release into DIR/releases/WEEK; DIR/.commit/state.json over
 *    DIR/state.json; then the parts state.json no longer names are unlinked
 *    and DIR/.commit is removed.
 * A step finds what the previous ones did by what exists, so running the
 * roll forward again after a crash inside it ends in the same state. Only
 * names of techidx's own patterns are removed, and never through a link. */
#ifndef TECHIDX_CLI_JOURNAL_H
#define TECHIDX_CLI_JOURNAL_H

#include <stddef.h>

typedef struct journal {
    char *dir;     /* the state directory */
    char *work;    /* DIR/.work-XXXXXX, NULL once committed */
    char *parts;   /* work/parts */
    char *release; /* work/release */
    int ids[64];   /* cleanup.h slots of the work directory and its files */
    int nids;
} journal;

/* Makes DIR/.work-XXXXXX with parts/ and release/. The caller holds the
 * lock. Returns 0, or -1 with a message in err. */
int journal_begin(journal *j, const char *dir, char *err, size_t errlen);

/* Registers a file made in the work directory (a part), so that a signal
 * removes it with the rest (cleanup.h). Its last path component only. */
void journal_track(journal *j, const char *subdir, const char *name);

/* Commits the prepared work (work/state.json must be written: its last
 * release names the week) and puts it in place. Returns 0; 1 when the
 * publish is committed but putting it in place failed (the next publish
 * completes it; err says why); -1 when nothing was committed (err). */
int journal_commit(journal *j, char *err, size_t errlen);

/* Removes the work directory unless committed, and frees j. */
void journal_free(journal *j);

/* With the lock held: completes a committed publish left in DIR/.commit
 * and removes the work directories of publishes that died before their
 * commit. *completed is set to 1 when there was one to complete. Returns
 * 0, or -1 with a message in err. */
int journal_recover(const char *dir, int *completed, char *err, size_t errlen);

/* 1 when DIR holds a committed publish not yet in place (for --status). */
int journal_pending(const char *dir);

#endif
