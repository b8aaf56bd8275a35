#include "techidx/engine.h"

#include "engine_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes_internal.h" /* tix_copy_bytes */
#include "counts_internal.h"
#include "cube_internal.h"
#include "reader_internal.h" /* tix_reader_unread_fields */
#include "techidx/reader.h"
#include "techidx/source.h"
#include "transcode_internal.h"

#define CHUNK (256u * 1024u)
/* The first bytes of an input that tell a workbook or UTF-16 from CSV. */
#define SNIFF 64

/* The callback context of the engine's reader: its line 1 is global line
 * base + 1. */
typedef struct direct_ctx {
    tix_engine *e;
    uint64_t base;
} direct_ctx;

struct tix_engine {
    tix_engine_opts opts;
    tix_reject_fn on_reject;
    void *ctx;
    tix_reader *reader; /* consumed everything applied so far */
    direct_ctx direct;  /* its callback context */
    tix_cube *cube;
    tix_idset *ids; /* dedup only */
    tix_budget budget;
    tix_schema schema;
    tix_dims dims;           /* opts.by parsed */
    char by[TIX_BY_MAX];     /* its canonical text; opts.by points here */
    engine_key key;          /* cell names of several dimensions */
    tix_date_pattern date_pattern; /* opts.date_format compiled; schema.rec points here */
    int have_header;
    int in_input;
    char *input;
    tix_counts counts; /* through counts_internal.h only */
    tix_error err;
    unsigned char *chunk;
    /* An `encoding` other than UTF-8: the converter, its output for the
     * reader, and (engine_source_read) the bytes read from a file. */
    transcoder *tc;
    char *text;
    char *raw;
    size_t raw_pos, raw_len;
    /* The first bytes of the input, held until there are SNIFF of them. */
    unsigned char sniff[SNIFF];
    size_t nsniff;
    int sniffed;
    uint64_t blocks_by_rows; /* blocks engine_par.c applied row by row, by choice */
};

const char *tix_measure_name(tix_measure m)
{
    return m == TIX_MEASURE_AMOUNT ? "amount" : m == TIX_MEASURE_TECH_AMOUNT ? "tech_amount" : "?";
}

tix_status tix_measure_parse(const char *name, tix_measure *m)
{
    if (strcmp(name, "tech_amount") == 0)
        *m = TIX_MEASURE_TECH_AMOUNT;
    else if (strcmp(name, "amount") == 0)
        *m = TIX_MEASURE_AMOUNT;
    else
        return TIX_E_INVALID;
    return TIX_OK;
}

tix_status engine_fail(tix_engine *e, tix_status st, uint64_t line, const char *fmt, ...)
{
    if (e->err.status != TIX_OK)
        return e->err.status; /* keep the first, root cause */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err.message, sizeof e->err.message, fmt, ap);
    va_end(ap);
    e->err.status = st;
    e->err.input = e->input ? e->input : "";
    e->err.line = line;
    return st;
}

static tix_status reject_at(tix_engine *e, const row_out *o)
{
    counts_reject(&e->counts, o->why);
    if (!e->on_reject)
        return TIX_OK;
    tix_reject rj = {e->input, o->line, o->why, o->raw, o->raw_len};
    tix_status st = e->on_reject(e->ctx, &rj);
    if (st != TIX_OK)
        return engine_fail(e, st, o->line, "reject handler failed: %s", tix_strerror(st));
    return TIX_OK;
}

tix_status engine_key_join(engine_key *k, const tix_field *dims, size_t n, const char **name,
                           size_t *len)
{
    size_t need = n - 1;
    for (size_t i = 0; i < n; i++)
        need += dims[i].len;
    if (need > k->cap) {
        size_t cap = k->cap ? k->cap : 256;
        while (cap < need)
            cap *= 2;
        char *p = realloc(k->buf, cap);
        if (!p)
            return TIX_E_NOMEM;
        k->buf = p;
        k->cap = cap;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            k->buf[o++] = TIX_DIM_SEP;
        tix_copy_bytes(k->buf + o, dims[i].ptr, dims[i].len);
        o += dims[i].len;
    }
    *name = k->buf;
    *len = o;
    return TIX_OK;
}

tix_status engine_classify(const tix_schema *schema, const tix_engine_opts *opts,
                           const tix_row *row, row_out *o, engine_key *key)
{
    tix_record rec;
    o->raw = row->raw;
    o->raw_len = row->raw_len;
    o->cell_hint = 0; /* only rows applied after a prefetch have one */
    o->why = row->flags & TIX_ROW_UNTERMINATED_QUOTE
                 ? TIX_REASON_UNTERMINATED_QUOTE
                 : tix_record_parse(schema, row->fields, row->nfields, &rec);
    if (o->why == TIX_REASON_NONE && opts->has_range &&
        (rec.day < opts->from_day || rec.day > opts->to_day))
        o->why = TIX_REASON_OUT_OF_RANGE;
    if (o->why != TIX_REASON_NONE)
        return TIX_OK;
    o->day = rec.day;
    o->value = opts->measure == TIX_MEASURE_AMOUNT ? rec.amount : rec.tech_amount;
    o->id = rec.id.ptr;
    o->id_len = rec.id.len;
    o->id_hash = opts->dedup ? tix_idset_hash(o->id, o->id_len) : 0;
    if (schema->ndims == 1) { /* the cell is the field itself: no copy */
        o->cell = rec.cell.ptr;
        o->cell_len = rec.cell.len;
        return TIX_OK;
    }
    return engine_key_join(key, rec.dims, schema->ndims, &o->cell, &o->cell_len);
}

/* A row counts as read only once it is accepted or rejected: a row that
 * stops the run (an overflow, a limit) leaves read = accepted + rejected. */
tix_status engine_commit(tix_engine *e, const row_out *o)
{
    if (o->why != TIX_REASON_NONE)
        return reject_at(e, o);
    tix_status st = TIX_OK;
    if (e->ids) {
        int added;
        st = tix_idset_add_hashed(e->ids, o->id, o->id_len, o->id_hash, &added);
        if (st == TIX_OK && !added) {
            row_out dup = *o;
            dup.why = TIX_REASON_DUPLICATE_ID;
            return reject_at(e, &dup);
        }
    }
    if (st == TIX_OK)
        st = cube_add_hinted(e->cube, o->cell_hint, o->day, o->cell, o->cell_len, o->value, o->id,
                             o->id_len);
    switch (st) {
    case TIX_OK:
        counts_accept(&e->counts, 1);
        return TIX_OK;
    case TIX_E_OVERFLOW:
        return engine_fail(e, st, o->line, "a sum of amounts exceeds the int64 range of cents");
    case TIX_E_LIMIT:
        if (tix_cube_ncells(e->cube) >= e->opts.max_cells)
            return engine_fail(
                e, st, o->line,
                "more than %zu distinct cells (values of the `by` columns; raise `max-cells`)",
                e->opts.max_cells);
        return engine_fail(
            e, st, o->line,
            "memory limit of %zu MiB reached by the aggregates%s (raise `max-memory`)",
            e->budget.limit >> 20, e->ids ? " and the `dedup` id set" : "");
    default:
        return engine_fail(e, st, o->line, "%s", tix_strerror(st));
    }
}

tix_status engine_commit_block(tix_engine *e, const tix_cube *sums, uint64_t rows, uint64_t line)
{
    tix_status st = tix_cube_merge(e->cube, sums);
    if (st == TIX_E_LIMIT || st == TIX_E_OVERFLOW)
        return st; /* the cube is unchanged */
    if (st != TIX_OK)
        return engine_fail(e, st, line, "%s", tix_strerror(st));
    counts_accept(&e->counts, rows);
    return TIX_OK;
}

static tix_status engine_on_row(void *ctx, const tix_row *row)
{
    direct_ctx *d = ctx;
    tix_engine *e = d->e;
    uint64_t line = d->base + row->line;
    if (e->err.status != TIX_OK)
        return e->err.status;
    if (!e->have_header) {
        char msg[sizeof e->err.message];
        tix_status st = tix_schema_resolve(&e->schema, row->fields, row->nfields, &e->dims,
                                           e->opts.maps, e->opts.nmaps, msg, sizeof msg);
        if (st != TIX_OK)
            return engine_fail(e, st, line, "%s", msg);
        e->schema.rec =
            (tix_record_opts){e->opts.date_format ? &e->date_pattern : NULL, e->opts.amount_unit};
        e->have_header = 1;
        tix_reader_unread_fields(e->reader, engine_unread_fields(&e->schema));
        return TIX_OK;
    }
    row_out o;
    if (engine_classify(&e->schema, &e->opts, row, &o, &e->key) != TIX_OK)
        return engine_fail(e, TIX_E_NOMEM, line, "out of memory");
    o.line = line;
    return engine_commit(e, &o);
}

/* Appends the characteristics that are not among d's columns to d, as
 * optional columns (tix_dims.required): the cube's key. */
static tix_status engine_characteristics(tix_dims *d, const char *list)
{
    tix_dims ch;
    if (!list)
        return TIX_OK;
    if (tix_dims_parse(list, &ch, NULL, 0) != TIX_OK)
        return TIX_E_INVALID;
    size_t nby = d->n;
    for (size_t j = 0; j < ch.n; j++) {
        size_t i = 0;
        while (i < d->n && strcmp(d->name[i], ch.name[j]) != 0)
            i++;
        if (i < d->n)
            continue;
        if (d->n == TIX_MAX_DIMS)
            return TIX_E_INVALID;
        strcpy(d->name[d->n], ch.name[j]);
        d->known[d->n] = ch.known[j];
        d->column[d->n] = ch.column[j];
        d->n++;
    }
    d->required = d->n > nby ? nby : 0;
    return TIX_OK;
}

tix_status tix_engine_new(tix_engine **out, const tix_engine_opts *opts, tix_reject_fn on_reject,
                          void *ctx)
{
    *out = NULL;
    tix_dims dims;
    if (!opts || tix_dims_parse(opts->by ? opts->by : "sector", &dims, NULL, 0) != TIX_OK ||
        (unsigned)opts->amount_unit > TIX_AMOUNT_WAN ||
        engine_characteristics(&dims, opts->characteristics) != TIX_OK)
        return TIX_E_INVALID;
    if (opts->delimiter != 0 && opts->delimiter != ',' && opts->delimiter != ';' &&
        opts->delimiter != '\t')
        return TIX_E_INVALID;
    if ((unsigned)opts->encoding > TIX_ENCODING_GBK)
        return TIX_E_INVALID;
    tix_engine *e = calloc(1, sizeof *e);
    if (!e)
        return TIX_E_NOMEM;
    if (opts->date_format &&
        tix_date_pattern_compile(&e->date_pattern, opts->date_format, NULL, 0) != TIX_OK) {
        free(e);
        return TIX_E_INVALID;
    }
    e->opts = *opts;
    e->dims = dims;
    tix_dims_text(&dims, e->by);
    e->opts.by = e->by;
    e->on_reject = on_reject;
    e->ctx = ctx;
    if (!e->opts.max_cells)
        e->opts.max_cells = 100000;
    e->budget.limit = opts->max_memory ? opts->max_memory : TIX_ENGINE_MAX_MEMORY;
    tix_reader_opts ro = {opts->max_record_bytes, opts->max_fields, (char)opts->delimiter};
    tix_cube_opts co = {opts->period, opts->cell_stats, e->opts.max_cells, opts->max_pairs,
                        &e->budget, e->by,     opts->ci_groups, dims.required};
    e->direct = (direct_ctx){e, 0};
    tix_status st = tix_reader_new(&e->reader, &ro, engine_on_row, &e->direct);
    if (st == TIX_OK)
        st = tix_cube_new(&e->cube, &co);
    if (st == TIX_OK && opts->dedup)
        st = tix_idset_new(&e->ids, &e->budget);
    if (st == TIX_OK && !(e->chunk = malloc(CHUNK)))
        st = TIX_E_NOMEM;
    if (st == TIX_OK && opts->encoding != TIX_ENCODING_UTF8) {
        st = transcode_new(&e->tc, opts->encoding);
        if (st == TIX_OK && (!(e->text = malloc(CHUNK)) || !(e->raw = malloc(CHUNK))))
            st = TIX_E_NOMEM;
    }
    if (st != TIX_OK) {
        tix_engine_free(e);
        return st;
    }
    e->err.input = "";
    *out = e;
    return TIX_OK;
}

/* Before the first byte of an input. */
static void input_reset(tix_engine *e)
{
    e->nsniff = 0;
    e->sniffed = 0;
    e->raw_pos = e->raw_len = 0;
    if (e->tc)
        transcode_reset(e->tc);
}

tix_status tix_engine_begin(tix_engine *e, const char *name)
{
    if (e->err.status != TIX_OK)
        return e->err.status;
    if (e->in_input)
        return TIX_E_INVALID;
    free(e->input);
    e->input = malloc(strlen(name) + 1);
    if (!e->input)
        return engine_fail(e, TIX_E_NOMEM, 0, "out of memory");
    strcpy(e->input, name);
    e->in_input = 1;
    e->have_header = 0;
    tix_reader_unread_fields(e->reader, 0); /* the next header is read whole */
    e->direct.base = 0;
    input_reset(e);
    return TIX_OK;
}

/* Turns a reader status into the engine's error (callback errors are
 * already recorded). */
tix_status engine_reader_failed(tix_engine *e, const tix_reader *r, uint64_t base, tix_status st)
{
    if (st == TIX_OK || e->err.status != TIX_OK)
        return st == TIX_OK ? TIX_OK : e->err.status;
    uint64_t line = base + tix_reader_line(r);
    const tix_reader_opts *lim = tix_reader_limits(r);
    if (st == TIX_E_LIMIT && tix_reader_limit_hit(r) == TIX_READER_LIMIT_FIELDS)
        return engine_fail(e, st, line, "record with more than %zu fields (raise `max-fields`)",
                           lim->max_fields);
    if (st == TIX_E_LIMIT)
        return engine_fail(e, st, line, "record longer than %zu bytes (raise `max-record-bytes`)",
                           lim->max_record_bytes);
    return engine_fail(e, st, line, "%s", tix_strerror(st));
}

static tix_status feed_reader(tix_engine *e, const void *buf, size_t len)
{
    return engine_reader_failed(e, e->reader, e->direct.base, tix_reader_feed(e->reader, buf, len));
}

/* What the first bytes (n of them: SNIFF, or fewer in a shorter input) say
 * the input is, when it is plainly no CSV text. Looked at in the text the
 * reader would see (UTF-8 after `encoding`), where the magic numbers are
 * ASCII and UTF-16 keeps its NULs. */
static tix_status sniff_input(tix_engine *e, const unsigned char *b, size_t n)
{
    e->sniffed = 1;
    if (n >= 4 && memcmp(b, "PK\x03\x04", 4) == 0)
        return engine_fail(e, TIX_E_FORMAT, 1,
                           "this is an Excel workbook (.xlsx, a zip archive), not CSV: save it "
                           "as \"CSV UTF-8\" or export CSV");
    if (n >= 8 && memcmp(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
        return engine_fail(e, TIX_E_FORMAT, 1,
                           "this is an Excel 97-2003 workbook (.xls), not CSV: save it as "
                           "\"CSV UTF-8\" or export CSV");
    /* A BOM, or NULs in every other byte: text without a BOM (Chinese
     * text has them only in its ASCII characters, the commas at least;
     * a CSV has none at all). */
    int utf16 = n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF));
    size_t nuls[2] = {0, 0};
    for (size_t i = 0; i < n; i++)
        nuls[i & 1] += b[i] == 0;
    if ((nuls[0] >= 2 && nuls[1] == 0) || (nuls[1] >= 2 && nuls[0] == 0))
        utf16 = 1;
    if (utf16)
        return engine_fail(e, TIX_E_FORMAT, 1,
                           "this is UTF-16 text, not UTF-8: convert it, e.g. iconv -f UTF-16 -t "
                           "UTF-8");
    return TIX_OK;
}

/* The text of the current input for the reader. Its first SNIFF bytes
 * are held until they are all there (or the input ends): they are judged
 * whole, however the input was chunked, before any reaches the reader.
 * No header is known while they are held, so engine_par.c reads every
 * block serially until then. */
tix_status engine_feed_rows(tix_engine *e, const void *buf, size_t len)
{
    if (!e->sniffed) {
        size_t take = len < SNIFF - e->nsniff ? len : SNIFF - e->nsniff;
        memcpy(e->sniff + e->nsniff, buf, take);
        e->nsniff += take;
        if (e->nsniff < SNIFF)
            return TIX_OK;
        tix_status st = sniff_input(e, e->sniff, e->nsniff);
        if (st == TIX_OK)
            st = feed_reader(e, e->sniff, e->nsniff);
        if (st != TIX_OK)
            return st;
        buf = (const char *)buf + take;
        len -= take;
    }
    return feed_reader(e, buf, len);
}

/* Converted text: counted, then to the reader. */
static tix_status feed_text(tix_engine *e, const char *text, size_t len)
{
    e->counts.bytes += len;
    return engine_feed_rows(e, text, len);
}

tix_status tix_engine_feed(tix_engine *e, const void *buf, size_t len)
{
    if (e->err.status != TIX_OK)
        return e->err.status;
    if (!e->in_input)
        return TIX_E_INVALID;
    if (!e->tc)
        return feed_text(e, buf, len);
    size_t pos = 0;
    while (pos < len) {
        size_t out = 0;
        transcode_step(e->tc, buf, len, &pos, e->text, CHUNK, &out);
        tix_status st = feed_text(e, e->text, out);
        if (st != TIX_OK)
            return st;
    }
    return TIX_OK;
}

tix_status engine_source_read(tix_engine *e, tix_source *src, void *buf, size_t cap, size_t *got)
{
    if (!e->tc)
        return tix_source_read(src, buf, cap, got);
    size_t out = 0;
    *got = 0;
    for (;;) {
        if (e->raw_pos == e->raw_len) {
            size_t n;
            tix_status st = tix_source_read(src, e->raw, CHUNK, &n);
            if (st != TIX_OK || n == 0)
                return st; /* a held character: tix_engine_end's */
            e->raw_pos = 0;
            e->raw_len = n;
        }
        size_t before = e->raw_pos;
        transcode_step(e->tc, e->raw, e->raw_len, &e->raw_pos, buf, cap, &out);
        /* Some text, or no room for the next character. */
        if (out > 0 || e->raw_pos == before)
            break;
    }
    *got = out;
    return TIX_OK;
}

/* The input ended: the last bytes converted and the first ones judged, if
 * they have not been yet. */
static tix_status input_end(tix_engine *e)
{
    tix_status st = TIX_OK;
    if (e->tc) {
        size_t out = 0;
        transcode_end(e->tc, e->text, CHUNK, &out);
        st = feed_text(e, e->text, out);
    }
    if (st == TIX_OK && !e->sniffed) {
        st = sniff_input(e, e->sniff, e->nsniff);
        if (st == TIX_OK)
            st = feed_reader(e, e->sniff, e->nsniff);
    }
    return st;
}

tix_status tix_engine_end(tix_engine *e)
{
    if (!e->in_input)
        return e->err.status != TIX_OK ? e->err.status : TIX_E_INVALID;
    tix_status st = input_end(e);
    e->in_input = 0;
    if (st != TIX_OK) {
        tix_reader_reset(e->reader);
        e->direct.base = 0;
        return st;
    }
    st = engine_reader_failed(e, e->reader, e->direct.base, tix_reader_finish(e->reader));
    e->direct.base = 0;
    if (st != TIX_OK)
        return st;
    if (!e->have_header)
        return engine_fail(e, TIX_E_HEADER, 1, "empty input: no header row");
    /* Held by construction (counts_internal.h); checked at each input's
     * end all the same, as an error rather than an abort. */
    if (!counts_consistent(&e->counts))
        return engine_fail(e, TIX_E_INVALID, 0,
                           "internal error: the row accounting does not add up (read %llu, "
                           "accepted %llu, rejected %llu)",
                           (unsigned long long)e->counts.read,
                           (unsigned long long)e->counts.accepted,
                           (unsigned long long)e->counts.rejected);
    e->counts.inputs++;
    return TIX_OK;
}

void engine_abandon_input(tix_engine *e)
{
    e->in_input = 0;
    e->direct.base = 0;
    tix_reader_reset(e->reader);
    input_reset(e);
}

tix_status engine_run_serial(tix_engine *e, tix_source *src, tix_status *engine_st)
{
    *engine_st = TIX_OK;
    for (unsigned k = 1;; k++) {
        size_t got;
        tix_status st = tix_source_read(src, e->chunk, CHUNK, &got);
        if (st != TIX_OK || got == 0)
            return st;
        if ((*engine_st = tix_engine_feed(e, e->chunk, got)) != TIX_OK)
            return TIX_OK;
        if (e->opts.progress && k % 16 == 0)
            e->opts.progress(e->opts.progress_ctx, tix_source_bytes_in(src));
    }
}

const tix_engine_opts *engine_opts(const tix_engine *e) { return &e->opts; }

tix_idset *engine_ids(tix_engine *e) { return e->ids; }

tix_budget *engine_budget(tix_engine *e) { return &e->budget; }

const tix_schema *engine_schema(const tix_engine *e) { return e->have_header ? &e->schema : NULL; }

uint64_t engine_unread_fields(const tix_schema *s)
{
    uint64_t read = 1;
    for (int c = 0; c < TIX_COL_COUNT; c++)
        if (s->index[c] >= 0 && s->index[c] < 64)
            read |= (uint64_t)1 << s->index[c];
    for (size_t k = 0; k < s->ndims; k++)
        if (s->dim[k] >= 0 && s->dim[k] < 64)
            read |= (uint64_t)1 << s->dim[k];
    uint64_t all = s->nfields >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << s->nfields) - 1;
    return all & ~read;
}

void engine_count_bytes(tix_engine *e, uint64_t n) { e->counts.bytes += n; }

const tix_reader *engine_reader(const tix_engine *e) { return e->reader; }

uint64_t engine_lines(const tix_engine *e) { return e->direct.base + tix_reader_lines(e->reader); }

tix_reader *engine_swap_reader(tix_engine *e, tix_reader *r, uint64_t base)
{
    tix_reader *old = e->reader;
    e->reader = r;
    e->direct.base = base;
    tix_reader_set_callback(r, engine_on_row, &e->direct);
    return old;
}

tix_cube *tix_engine_cube(tix_engine *e) { return e->cube; }

void engine_count_block_by_rows(tix_engine *e) { e->blocks_by_rows++; }

uint64_t engine_blocks_by_rows(const tix_engine *e) { return e->blocks_by_rows; }

const tix_counts *tix_engine_counts(const tix_engine *e) { return &e->counts; }

const tix_error *tix_engine_error(const tix_engine *e) { return &e->err; }

void tix_engine_free(tix_engine *e)
{
    if (!e)
        return;
    tix_reader_free(e->reader);
    tix_idset_free(e->ids);
    tix_cube_free(e->cube);
    free(e->input);
    free(e->chunk);
    free(e->key.buf);
    transcode_free(e->tc);
    free(e->text);
    free(e->raw);
    free(e);
}
