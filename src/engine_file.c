/* tix_engine_add_file: a file through the engine, on this thread
 * (engine.c) or on opts.threads threads (engine_par.c). The one caller of
 * both readers, so that neither calls the other's file (engine_internal.h). */
#include "techidx/engine.h"

#include <stdio.h>

#include "engine_internal.h"
#include "techidx/source.h"

tix_status tix_engine_add_file(tix_engine *e, const char *path)
{
    const tix_engine_opts *opts = engine_opts(e);
    char msg[256];
    tix_source *src;
    tix_status st = tix_engine_begin(e, path);
    if (st != TIX_OK)
        return st;
    st = tix_source_open(&src, path, msg, sizeof msg);
    if (st == TIX_OK && opts->tap)
        tix_source_set_tap(src, opts->tap, opts->tap_ctx); /* not started: cannot fail */
    if (st == TIX_OK && tix_source_set_inflate(src, opts->inflate) != TIX_OK) {
        tix_source_free(src);
        snprintf(msg, sizeof msg, "inflate back end %s is not in this build",
                 tix_inflate_name(opts->inflate));
        st = TIX_E_INVALID;
    }
    if (st != TIX_OK) {
        engine_abandon_input(e);
        return engine_fail(e, st, 0, "%s", msg);
    }
    tix_status feed_st = TIX_OK;
    st = opts->threads > 1 ? engine_run_parallel(e, src, &feed_st)
                           : engine_run_serial(e, src, &feed_st);
    if (feed_st != TIX_OK) {
        st = feed_st;
        engine_abandon_input(e);
    } else if (st != TIX_OK) {
        /* The source failed: the file is bad as a whole, and what was read
         * of it counts for nothing. */
        st = engine_fail(e, st, 0, "%s",
                         st == TIX_E_NOMEM ? "out of memory" : tix_source_error(src));
        engine_abandon_input(e);
    } else {
        st = tix_engine_end(e);
    }
    if (st == TIX_OK && opts->progress)
        opts->progress(opts->progress_ctx, tix_source_bytes_in(src));
    tix_source_free(src);
    return st;
}
