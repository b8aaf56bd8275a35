/* The reader's private parts, shared by reader.c (the push parser, its
 * libcsv path, the spilling of long records) and reader_simd.c (the fast
 * path that splits the common record, one build of it per instruction
 * set), and the tests that hold every CPU path to the same records.
 *
 * The fast path looks at its input 64 bytes at a time: one bit per byte for
 * each kind of byte that matters to a CSV record (quote, delimiter, line
 * end: CR or LF), found with the widest vector instructions this CPU has.
 * Which path runs is chosen once per process, at the first reader made: the
 * environment variable TECHIDX_SIMD (scalar, sse2, avx2, avx512 or auto;
 * unset, empty or anything else means auto) names the widest path allowed,
 * and the CPU may lower it further (a path it lacks is never taken). Every
 * path gives the same masks, hence the same records. */
#ifndef TECHIDX_READER_INTERNAL_H
#define TECHIDX_READER_INTERNAL_H

#include <csv.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "techidx/reader.h"

typedef struct tix_rbuf {
    char *p;
    size_t len, cap;
} tix_rbuf;

/* Makes room for `need` bytes in all; 0 when out of memory. */
int tix_reader_reserve(tix_rbuf *b, size_t need);

/* Buffers grown by one huge record are given back once it is over, so that
 * readers that take turns (engine_par.c) do not each keep one. */
#define TIX_RBUF_KEEP_BYTES ((size_t)1 << 20)

static inline void tix_rbuf_trim(tix_rbuf *b)
{
    if (b->len == 0 && b->cap > TIX_RBUF_KEEP_BYTES) {
        free(b->p);
        b->p = NULL;
        b->cap = 0;
    }
}

/* Bit i of each mask stands for byte i of a block. */
typedef struct tix_masks {
    uint64_t quote, delim, eol; /* eol: CR or LF */
} tix_masks;

/* The 64-byte blocks of one buffer, classified once each: a record takes
 * a block or two, so most blocks serve several. Blocks start at base + 64k;
 * the last, short one is classified from a copy padded with NULs (no byte a
 * mask looks for). The bytes from a record's start on must not change
 * while a blocks is in use on them. */
typedef struct tix_blocks {
    const char *base, *end;
    const char *at; /* the block classified in m, or NULL */
    tix_masks m;
} tix_blocks;

static inline void tix_blocks_init(tix_blocks *b, const char *base, const char *end)
{
    b->base = base;
    b->end = end;
    b->at = NULL;
}

/* Splits the records from p on (in b's buffer), one after another, and
 * hands each to r->fn as a row: unquoted fields cut at delimiters and
 * trimmed, quoted ones unescaped (into r->text); a quoted field may run on
 * over line ends; blank lines are counted and skipped. Only bytes before
 * `end` are used, and for each record no more than its max_record_bytes
 * and a CRLF. Returns where it stopped: `end`; the start of a record
 * libcsv must read (a CR but the one of a CRLF, a quote that does not open
 * a field, text after a closing quote, a limit passed, no end before
 * `end`); after one record when `once`; or, with *st set (TIX_E_NOMEM, or
 * the callback's status), where it failed. */
typedef const char *(*tix_split_fn)(tix_reader *r, tix_blocks *b, const char *p, const char *end,
                                    int once, tix_status *st);

/* Paths in order of width; each names the widest instructions it uses. */
typedef enum tix_simd {
    TIX_SIMD_AUTO = 0,
    TIX_SIMD_SCALAR = 1, /* plain C, any architecture */
    TIX_SIMD_SSE2 = 2,   /* x86-64 baseline */
    TIX_SIMD_AVX2 = 3,   /* with BMI1, BMI2 */
    TIX_SIMD_AVX512 = 4  /* AVX-512BW, with BMI1, BMI2 */
} tix_simd;

/* The widest path this CPU runs that is no wider than `want` (AUTO: the
 * widest of all), and its splitter in *fn. */
tix_simd tix_simd_pick(tix_simd want, tix_split_fn *fn);

/* The path of the process: TECHIDX_SIMD and the CPU, read once. */
tix_simd tix_simd_default(void);

/* The name of a path ("scalar", ..., "avx512"; "auto"). */
const char *tix_simd_name(tix_simd s);

/* Makes r use the path tix_simd_pick(want) gives, for the bytes fed from
 * now on, and returns it (tests compare the paths). */
tix_simd tix_reader_set_simd(tix_reader *r, tix_simd want);

/* Bit i of unread set: the callback never reads field i (i < 64), so a
 * quoted field i with doubled quotes may be given as the text between its
 * quotes, "" left doubled, instead of unescaped into r->text (the notes
 * column of a dump: index runs do not read it). The record, its fields'
 * count and every other field are the same. Kept until changed; 0 when
 * the next input's header is to be read. */
void tix_reader_unread_fields(tix_reader *r, uint64_t unread);

/* libcsv parser states (libcsv.c); the struct is public, the names are not. */
#define LIBCSV_ROW_NOT_BEGUN 0
#define LIBCSV_FIELD_BEGUN 2

struct tix_reader {
    struct csv_parser csv;
    int csv_ready;
    tix_row_fn fn;
    void *ctx;
    tix_split_fn split;       /* this CPU's fast path, or the one a test asked for */
    tix_simd simd;
    tix_reader_opts limits;
    tix_reader_limit limit_hit;

    tix_rbuf text; /* field bytes of the record being built */
    size_t *ends;  /* end offset of each field in text */
    size_t nends, ends_cap;
    tix_field *views;
    size_t views_cap;

    tix_rbuf pending; /* raw bytes of a record spanning lines/chunks */
    const char *raw;  /* raw bytes of the record completing now */
    size_t raw_len;
    /* Fields the callback never reads (tix_reader_unread_fields). */
    uint64_t unread;
    uint64_t lines;    /* newlines consumed */
    uint64_t rec_line; /* first line of the record in progress */
    int rec_open;      /* a record has started and not ended */
    uint64_t emitted;  /* records delivered so far */
    unsigned flags;
    tix_status status; /* first failure inside a libcsv callback */
    /* pending holds a spilled record: one the fast path can split once it
     * is whole, its bytes kept there, libcsv untouched (see spill_start). */
    int spill;
    int scan_state;       /* where the scan of the spilled record stands */
    size_t scan_fields;   /* fields begun in it */
    int scan_doubled;     /* it has a "" inside quotes: unescaping needs room */
    uint64_t spill_lines; /* lines before it: its own are counted again when split */
};

#endif
