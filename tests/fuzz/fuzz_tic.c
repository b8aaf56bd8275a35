/* Fuzz target for .tic files (tic.h): any bytes given to tix_tic_read_mem
 * are either refused with a status (and tix_tic_read on a stream of them
 * says the same), or read into a cube that finalizes, writes back to the
 * very same bytes (tix_tic_write_fn into memory), and indexes. Built
 * by `make fuzz` (libFuzzer) and replayed over the corpus by `make check`.
 * The corpus starts from real parts (tests/fuzz/corpus/tic/). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "fuzz_common.h"
#include "techidx.h"

static char *write_bytes(const tix_cube *c, const tix_tic_meta *m, size_t *len)
{
    tix_membuf mb = {0};
    FZ_CHECK(tix_tic_write_fn(tix_membuf_write, &mb, c, m) == TIX_OK,
             "writing a cube that was read");
    *len = mb.len;
    return mb.data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data_, size_t size)
{
    if (size < 4)
        return 0;
    /* Half the inputs get a correct CRC, so that mutations reach the
     * checks past it and the acceptance path; the others keep theirs. */
    uint8_t *data = malloc(size);
    FZ_CHECK(data != NULL, "malloc");
    memcpy(data, data_, size);
    if (data_[0] & 1) {
        uLong crc = crc32(crc32(0, Z_NULL, 0), data, (uInt)(size - 4));
        for (int k = 0; k < 4; k++)
            data[size - 4 + k] = (uint8_t)(crc >> (8 * k));
    }
    tix_budget budget = {64u << 20, 0};
    tix_cube_opts co = {TIX_PERIOD_WEEK, 0, 1000, 100000, &budget, NULL, 0, 0};
    tix_cube *c;
    tix_tic_meta m;
    char err[256];
    tix_status st = tix_tic_read_mem(data, size, &co, &c, &m, err, sizeof err);
    FILE *f = fmemopen(data, size, "rb");
    if (f) {
        tix_budget b2 = {64u << 20, 0};
        tix_cube_opts co2 = {TIX_PERIOD_WEEK, 0, 1000, 100000, &b2, NULL, 0, 0};
        tix_cube *c2;
        tix_tic_meta m2;
        char err2[256];
        tix_status st2 = tix_tic_read(f, &co2, &c2, &m2, err2, sizeof err2);
        fclose(f);
        FZ_CHECK(st2 == st && (st != TIX_E_FORMAT || strcmp(err, err2) == 0),
                 "memory and stream disagree: %s / %s", tix_strerror(st), tix_strerror(st2));
        if (st2 == TIX_OK) {
            tix_cube_free(c2);
            tix_tic_meta_free(&m2);
        }
    }
    if (st != TIX_OK) {
        FZ_CHECK(st == TIX_E_FORMAT || st == TIX_E_LIMIT || st == TIX_E_NOMEM ||
                     st == TIX_E_OVERFLOW,
                 "tix_tic_read returned %s", tix_strerror(st));
        free(data);
        return 0;
    }
    FZ_CHECK(tix_cube_finalize(c) == TIX_OK, "finalize a cube that was read");
    size_t len;
    char *once = write_bytes(c, &m, &len);
    /* What was accepted is canonical: the input itself, byte for byte; a
     * version 1 file comes back as the version 2 file of the same cube,
     * which reads back to itself. */
    if (size >= 12 && memcmp(data + 8, "\1\0\0\0", 4) == 0) {
        tix_budget b3 = {64u << 20, 0};
        tix_cube_opts co3 = {TIX_PERIOD_WEEK, 0, 1000, 100000, &b3, NULL, 0, 0};
        tix_cube *c3;
        tix_tic_meta m3;
        FZ_CHECK(tix_tic_read_mem(once, len, &co3, &c3, &m3, err, sizeof err) == TIX_OK,
                 "a version 1 part written as version 2 does not read: %s", err);
        FZ_CHECK(tix_cube_finalize(c3) == TIX_OK, "finalize");
        size_t len3;
        char *again = write_bytes(c3, &m3, &len3);
        FZ_CHECK(len3 == len && memcmp(again, once, len) == 0, "version 2 of a version 1 part "
                                                                "is not canonical");
        free(again);
        tix_cube_free(c3);
        tix_tic_meta_free(&m3);
    } else {
        FZ_CHECK(len == size && memcmp(once, data, size) == 0, "a part read back differs");
    }
    tix_index *ix = NULL;
    tix_index_opts io = {.method = TIX_METHOD_FISHER};
    st = tix_index_compute(c, &io, &ix, err, sizeof err);
    FZ_CHECK(st == TIX_OK || st == TIX_E_NODATA || st == TIX_E_OVERFLOW, "index: %s",
             tix_strerror(st));
    tix_index_free(ix);
    free(once);
    free(data);
    tix_cube_free(c);
    tix_tic_meta_free(&m);
    return 0;
}
