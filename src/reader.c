#include "techidx/reader.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "reader_internal.h"

typedef tix_rbuf buf;

/* Makes room for `need` bytes in all. */
int tix_reader_reserve(tix_rbuf *b, size_t need)
{
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *q = realloc(b->p, cap);
    if (!q)
        return 0;
    b->p = q;
    b->cap = cap;
    return 1;
}

/* p may lie in b's own buffer past b->len (a spilled record fed again in
 * place, see unspill): then no reallocation is needed and the bytes move
 * down. */
static int buf_append(buf *b, const void *p, size_t n)
{
    if (!tix_reader_reserve(b, b->len + n))
        return 0;
    if (n && (const char *)p != b->p + b->len)
        memmove(b->p + b->len, p, n);
    b->len += n;
    return 1;
}

/* Length of the terminator that ends p[0..n): CRLF, LF or a lone CR; 0
 * when none. */
static size_t line_end(const char *p, size_t n)
{
    if (n == 0)
        return 0;
    if (p[n - 1] == '\r')
        return 1;
    if (p[n - 1] != '\n')
        return 0;
    return n >= 2 && p[n - 2] == '\r' ? 2 : 1;
}

/* A fresh libcsv parser with the reader's delimiter. */
static int csv_start(tix_reader *r)
{
    if (csv_init(&r->csv, 0) != 0)
        return 0;
    csv_set_delim(&r->csv, (unsigned char)r->limits.delimiter);
    return 1;
}

static void on_field(void *data, size_t len, void *r_)
{
    tix_reader *r = r_;
    if (r->status != TIX_OK)
        return;
    if (r->nends >= r->limits.max_fields) {
        r->status = TIX_E_LIMIT;
        r->limit_hit = TIX_READER_LIMIT_FIELDS;
        return;
    }
    if (r->nends == r->ends_cap) {
        size_t cap = r->ends_cap ? r->ends_cap * 2 : 32;
        size_t *e = realloc(r->ends, cap * sizeof *e);
        if (!e) {
            r->status = TIX_E_NOMEM;
            return;
        }
        r->ends = e;
        r->ends_cap = cap;
    }
    if (!buf_append(&r->text, data, len)) {
        r->status = TIX_E_NOMEM;
        return;
    }
    r->ends[r->nends++] = r->text.len;
}

static tix_status emit(tix_reader *r)
{
    if (r->nends > r->views_cap) {
        tix_field *v = realloc(r->views, r->nends * sizeof *v);
        if (!v)
            return TIX_E_NOMEM;
        r->views = v;
        r->views_cap = r->nends;
    }
    size_t start = 0;
    const char *base = r->text.p ? r->text.p : ""; /* all fields empty: no arena yet */
    for (size_t i = 0; i < r->nends; i++) {
        r->views[i].ptr = base + start;
        r->views[i].len = r->ends[i] - start;
        start = r->ends[i];
    }
    size_t raw_len = r->raw_len;
    raw_len -= line_end(r->raw, raw_len); /* the record's own line end only */
    tix_row row = {r->views, r->nends, r->rec_line, r->raw, raw_len, r->flags};
    tix_status st = r->fn(r->ctx, &row);
    r->text.len = 0;
    tix_rbuf_trim(&r->text);
    r->nends = 0;
    r->flags = 0;
    r->emitted++;
    return st;
}

static void on_record(int term, void *r_)
{
    tix_reader *r = r_;
    (void)term;
    if (r->status != TIX_OK) {
        r->text.len = 0;
        r->nends = 0;
        return;
    }
    r->status = emit(r);
}

tix_status tix_reader_new(tix_reader **out, const tix_reader_opts *opts, tix_row_fn fn, void *ctx)
{
    tix_reader *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return TIX_E_NOMEM;
    r->fn = fn;
    r->ctx = ctx;
    r->limits.max_record_bytes =
        opts && opts->max_record_bytes ? opts->max_record_bytes : TIX_READER_MAX_RECORD_BYTES;
    r->limits.max_fields = opts && opts->max_fields ? opts->max_fields : TIX_READER_MAX_FIELDS;
    r->limits.delimiter = opts && opts->delimiter ? opts->delimiter : ',';
    if (r->limits.delimiter != ',' && r->limits.delimiter != ';' && r->limits.delimiter != '\t') {
        free(r);
        return TIX_E_INVALID;
    }
    if (!csv_start(r)) {
        free(r);
        return TIX_E_NOMEM;
    }
    r->csv_ready = 1;
    r->rec_line = 1;
    r->simd = tix_simd_pick(tix_simd_default(), &r->split);
    *out = r;
    return TIX_OK;
}

/* The terminator at the end of this segment as the limit check sees it:
 * like line_end, but a CR that ended the previous chunk and this LF are one
 * CRLF, so the count does not depend on where the chunks were cut. */
static size_t terminator_len(const tix_reader *r, const char *p, size_t n)
{
    if (n == 1 && p[0] == '\n' && r->pending.len && r->pending.p[r->pending.len - 1] == '\r')
        return 2;
    return line_end(p, n);
}

/* Parses one segment: bytes that end at a record terminator (CR, LF or
 * CRLF) or at the end of the chunk. A record can only end at the end of a
 * segment, so the raw text of every record is known when it completes. */
static tix_status parse_segment(tix_reader *r, const char *p, size_t n, int ends_line)
{
    if (!r->rec_open) {
        r->rec_open = 1;
        r->rec_line = r->lines + 1;
    }
    /* The limit is on the record's text; its terminator is free. The bytes
     * up to the limit are parsed first, so a record over both limits is
     * called too wide exactly when its field past max_fields starts within
     * max_record_bytes, however the input was chunked. */
    if (r->pending.len + n - terminator_len(r, p, n) > r->limits.max_record_bytes) {
        /* pending may already hold the limit (its line ends count). */
        size_t max = r->limits.max_record_bytes;
        size_t room = r->pending.len < max ? max - r->pending.len : 0;
        if (room > 0 && csv_parse(&r->csv, p, room, on_field, on_record, r) == room &&
            r->status == TIX_E_LIMIT)
            return TIX_E_LIMIT; /* on_field found too many fields */
        r->status = TIX_OK;
        r->limit_hit = TIX_READER_LIMIT_BYTES;
        return TIX_E_LIMIT;
    }
    int in_pending = r->pending.len > 0;
    if (in_pending) {
        if (!buf_append(&r->pending, p, n))
            return TIX_E_NOMEM;
        p = r->pending.p + r->pending.len - n; /* moved, when fed in place */
        r->raw = r->pending.p;
        r->raw_len = r->pending.len;
    } else {
        r->raw = p;
        r->raw_len = n;
    }
    uint64_t before = r->emitted;
    if (csv_parse(&r->csv, p, n, on_field, on_record, r) != n && r->status == TIX_OK)
        r->status = csv_error(&r->csv) == CSV_ENOMEM ? TIX_E_NOMEM : TIX_E_CSV;
    if (r->status != TIX_OK)
        return r->status;
    if (r->emitted != before || (r->csv.pstate == LIBCSV_ROW_NOT_BEGUN && line_end(p, n) > 0)) {
        /* A record ended here, or the line was blank. (Blanks before the
         * end of a chunk may still be the start of a record: kept.) */
        r->pending.len = 0;
        tix_rbuf_trim(&r->pending);
        r->rec_open = 0;
        if (r->csv.entry_size > TIX_RBUF_KEEP_BYTES && r->csv.pstate == LIBCSV_ROW_NOT_BEGUN) {
            /* libcsv's field buffer too; between records a new parser
             * is the same parser. */
            csv_free(&r->csv);
            if (!csv_start(r))
                return TIX_E_NOMEM;
        }
    } else if (!in_pending && !buf_append(&r->pending, p, n)) {
        return TIX_E_NOMEM;
    }
    if (ends_line)
        r->lines++;
    return TIX_OK;
}

/* ---- records longer than a chunk ------------------------------------------
 *
 * A record that does not end within the bytes fed so far used to go to
 * libcsv, which keeps three copies of it: the raw bytes (pending), its own
 * field buffer and the fields (text), 3x the record in memory, more with
 * the slack of growing buffers. Most such records are ordinary ones split
 * by a chunk boundary, or long quoted fields: they are *spilled* instead.
 * Their bytes are kept in pending alone while a small scan (the fast
 * path's own rules, byte by byte) follows where the record stands; once
 * the scan sees its end, r->split splits it in place, views into
 * pending (1x; 2x with "" to unescape). Anything the fast path would not
 * take (a CR but the one of a CRLF, something after a closing quote, a
 * quote inside an unquoted field, more than max_fields fields, more than
 * max_record_bytes) sends the bytes back through the ordinary libcsv path,
 * in place (unspill), exactly as if they had been fed then: records,
 * limits, errors and line numbers are those of libcsv, however the input
 * was chunked. */

enum { SCAN_FIELD, SCAN_UNQUOTED, SCAN_QUOTED, SCAN_QUOTE, SCAN_CLOSED, SCAN_CR };
enum { SCAN_MORE, SCAN_END, SCAN_FAIL };

/* Scans [p, end) of the spilled record from r->scan_state. Returns
 * SCAN_END with *at the LF that ends the record, SCAN_FAIL when the fast
 * path would not take it, or SCAN_MORE (the state saved) when it goes on
 * past end. */
static int scan(tix_reader *r, const char *p, const char *end, const char **at)
{
    int s = r->scan_state;
    size_t nf = r->scan_fields;
    for (const char *c = p; c < end; c++) {
        switch (s) {
        case SCAN_QUOTED: {
            /* Long quoted fields are what spills: memchr, not bytes. */
            const char *q = memchr(c, '"', (size_t)(end - c));
            if (memchr(c, '\r', (size_t)((q ? q : end) - c)))
                return SCAN_FAIL;
            if (!q) {
                c = end - 1;
                continue;
            }
            c = q;
            s = SCAN_QUOTE;
            continue;
        }
        case SCAN_CR:
            if (*c != '\n')
                return SCAN_FAIL; /* a lone CR: libcsv's */
            *at = c;
            return SCAN_END;
        default:
            break;
        }
        /* Outside quotes. The delimiter first: a tab delimiter is no blank. */
        if (*c == r->limits.delimiter) {
            if (++nf > r->limits.max_fields)
                return SCAN_FAIL; /* libcsv reports the limit */
            s = SCAN_FIELD;
            continue;
        }
        switch (*c) {
        case '\n':
            *at = c;
            return SCAN_END;
        case '\r':
            s = SCAN_CR;
            continue;
        case '"':
            if (s == SCAN_FIELD) {
                s = SCAN_QUOTED;
            } else if (s == SCAN_QUOTE) {
                r->scan_doubled = 1;
                s = SCAN_QUOTED;
            } else {
                return SCAN_FAIL; /* a quote inside a field */
            }
            continue;
        case ' ':
        case '\t':
            if (s == SCAN_QUOTE)
                s = SCAN_CLOSED;
            continue;
        default:
            if (s == SCAN_QUOTE || s == SCAN_CLOSED)
                return SCAN_FAIL; /* text after a closing quote */
            s = SCAN_UNQUOTED;
            continue;
        }
    }
    /* A CR at the end: libcsv ends the record there, LF or not (the LF
     * then reads as a blank line); so must this, now. */
    if (s == SCAN_CR)
        return SCAN_FAIL;
    r->scan_state = s;
    r->scan_fields = nf;
    return SCAN_MORE;
}

static tix_status feed_loop(tix_reader *r, const char *p, size_t len, int may_spill);

/* The spilled record goes to libcsv after all: its bytes are fed again
 * through the ordinary path, from pending's own buffer (buf_append and
 * parse_segment allow that; nothing is spilled meanwhile). */
static tix_status unspill(tix_reader *r)
{
    size_t n = r->pending.len;
    r->spill = 0;
    r->pending.len = 0;
    r->lines = r->spill_lines;
    return feed_loop(r, r->pending.p, n, 0);
}

/* Appends bytes to the spilled record, counting its lines as they come
 * (tix_reader_lines). */
static int spill_append(tix_reader *r, const char *p, size_t n)
{
    if (!buf_append(&r->pending, p, n))
        return 0;
    for (const char *c = p, *e = p + n; (c = memchr(c, '\n', (size_t)(e - c))) != NULL; c++)
        r->lines++;
    return 1;
}

/* Spills the record starting at p (r->split could not take it) when it
 * only lacks its end: returns 1, 0 when libcsv must read it, -1 when out
 * of memory. */
static int spill_start(tix_reader *r, const char *p, const char *end)
{
    const char *at;
    /* Past the limit, libcsv reports it now (parse_segment). */
    if ((size_t)(end - p) > r->limits.max_record_bytes)
        return 0;
    r->scan_state = SCAN_FIELD;
    r->scan_fields = 1;
    r->scan_doubled = 0;
    if (scan(r, p, end, &at) != SCAN_MORE)
        return 0; /* whole but not for the fast path, or never for it */
    r->spill_lines = r->lines;
    r->rec_line = r->lines + 1;
    if (!spill_append(r, p, (size_t)(end - p)))
        return -1;
    r->spill = 1;
    return 1;
}

/* The spilled record is whole in pending: split it in place. */
static tix_status spill_end(tix_reader *r)
{
    const char *base = r->pending.p;
    size_t n = r->pending.len;
    /* Room to unescape "" without moving views already made: the record's
     * size, not the next power of two. */
    if (r->scan_doubled && r->text.cap < n) {
        char *t = realloc(r->text.p, n);
        if (!t)
            return TIX_E_NOMEM;
        r->text.p = t;
        r->text.cap = n;
    }
    tix_status st = TIX_OK;
    r->lines = r->spill_lines; /* r->split counts them */
    tix_blocks b;
    tix_blocks_init(&b, base, base + n);
    const char *done = r->split(r, &b, base, base + n, 1, &st);
    if (st != TIX_OK)
        return st;
    if (done == base + n) {
        r->spill = 0;
        r->pending.len = 0;
        tix_rbuf_trim(&r->pending);
        return TIX_OK;
    }
    if (done > base) { /* a record ended earlier (it is the right one): the rest */
        size_t used = (size_t)(done - base);
        memmove(r->pending.p, base + used, n - used);
        r->pending.len = n - used;
        r->spill_lines = r->lines;
    }
    return unspill(r);
}

/* Feeds [*p, end) to the spilled record; *p moves past what it took.
 * Whatever libcsv would report during this call (a limit, a record) must
 * be reported during it: a record that ends here may have its text and a
 * CRLF within the limit; one that goes on, no more than the limit. */
static tix_status spill_more(tix_reader *r, const char **p, const char *end)
{
    size_t max = r->limits.max_record_bytes;
    size_t room = max + 2 > r->pending.len ? max + 2 - r->pending.len : 0;
    const char *stop = (size_t)(end - *p) > room ? *p + room : end;
    const char *at;
    int s = scan(r, *p, stop, &at);
    if (s == SCAN_MORE && (stop < end || r->pending.len + (size_t)(end - *p) > max))
        s = SCAN_FAIL; /* too long: libcsv reports the limit, now */
    if (s == SCAN_FAIL)
        return unspill(r); /* and *p goes the ordinary way */
    const char *to = s == SCAN_END ? at + 1 : end;
    if (!spill_append(r, *p, (size_t)(to - *p)))
        return TIX_E_NOMEM;
    *p = to;
    return s == SCAN_END ? spill_end(r) : TIX_OK;
}

static tix_status feed_loop(tix_reader *r, const char *p, size_t len, int may_spill)
{
    const char *end = p + len;
    tix_blocks b;
    tix_blocks_init(&b, p, end);
    while (p < end) {
        if (r->spill) {
            tix_status st = spill_more(r, &p, end);
            if (st != TIX_OK)
                return r->status = st;
            continue;
        }
        /* A physical line ends at LF; a lone CR inside it also ends a
         * record (as in libcsv), so the line is cut after each lone CR. A CR
         * that ends the chunk may be the first half of a CRLF: the record
         * ends there either way, and the LF then reads as a blank line. */
        if (r->pending.len == 0 && r->csv.pstate == LIBCSV_ROW_NOT_BEGUN) {
            /* The fast path for the common record (no CR but the one of a
             * CRLF, every quote closing within the buffer): as many records
             * in a row as r->split, this CPU's build of reader_simd.c,
             * takes, their views into this buffer or r->text. */
            tix_status st = TIX_OK;
            p = r->split(r, &b, p, end, 0, &st);
            if (st != TIX_OK)
                return r->status = st;
            if (p == end)
                break;
            int spilled = may_spill ? spill_start(r, p, end) : 0;
            if (spilled < 0)
                return r->status = TIX_E_NOMEM;
            if (spilled) {
                p = end;
                continue;
            }
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_stop = nl ? nl + 1 : end;
        while (p < line_stop) {
            const char *cr = memchr(p, '\r', (size_t)(line_stop - p));
            const char *stop = cr && cr + 1 != nl ? cr + 1 : line_stop;
            tix_status st = parse_segment(r, p, (size_t)(stop - p), nl && stop == line_stop);
            if (st != TIX_OK)
                return r->status = st;
            p = stop;
        }
    }
    return TIX_OK;
}

tix_status tix_reader_feed(tix_reader *r, const void *buf_, size_t len)
{
    if (r->status != TIX_OK)
        return r->status;
    return feed_loop(r, buf_, len, 1);
}

tix_status tix_reader_finish(tix_reader *r)
{
    tix_status st = r->status;
    if (st == TIX_OK && r->spill)
        st = unspill(r); /* a last record without its end: libcsv's */
    if (st == TIX_OK) {
        if (r->csv.pstate == LIBCSV_FIELD_BEGUN && r->csv.quoted)
            r->flags |= TIX_ROW_UNTERMINATED_QUOTE;
        r->raw = r->pending.p;
        r->raw_len = r->pending.len;
        if (csv_fini(&r->csv, on_field, on_record, r) != 0 && r->status == TIX_OK)
            r->status = TIX_E_CSV;
        st = r->status;
    }
    tix_reader_reset(r);
    return st;
}

void tix_reader_reset(tix_reader *r)
{
    csv_free(&r->csv);
    csv_start(r);
    r->pending.len = 0;
    tix_rbuf_trim(&r->pending);
    r->spill = 0;
    r->text.len = 0;
    tix_rbuf_trim(&r->text);
    r->nends = 0;
    r->flags = 0;
    r->rec_open = 0;
    r->lines = 0;
    r->rec_line = 1;
    r->status = TIX_OK;
    r->limit_hit = TIX_READER_LIMIT_NONE;
}

int tix_reader_at_record_start(const tix_reader *r)
{
    return r->status == TIX_OK && r->pending.len == 0 && r->csv.pstate == LIBCSV_ROW_NOT_BEGUN;
}

tix_simd tix_reader_set_simd(tix_reader *r, tix_simd want)
{
    return r->simd = tix_simd_pick(want, &r->split);
}

void tix_reader_unread_fields(tix_reader *r, uint64_t unread) { r->unread = unread; }

void tix_reader_set_callback(tix_reader *r, tix_row_fn fn, void *ctx)
{
    r->fn = fn;
    r->ctx = ctx;
}

tix_status tix_reader_status(const tix_reader *r) { return r->status; }

uint64_t tix_reader_lines(const tix_reader *r) { return r->lines; }

uint64_t tix_reader_line(const tix_reader *r) { return r->rec_line; }

tix_reader_limit tix_reader_limit_hit(const tix_reader *r) { return r->limit_hit; }

const tix_reader_opts *tix_reader_limits(const tix_reader *r) { return &r->limits; }

void tix_reader_free(tix_reader *r)
{
    if (!r)
        return;
    if (r->csv_ready)
        csv_free(&r->csv);
    free(r->text.p);
    free(r->ends);
    free(r->views);
    free(r->pending.p);
    free(r);
}
