#include "techidx/tic.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "counts_internal.h"
#include "cube_internal.h"
#include "sink_internal.h"

#ifdef TIX_HAVE_ISAL
#include <isa-l/crc.h>
#endif

/* In the stats word of a version 2 header: pairs without statistics carry
 * their largest amount (i64 max after sum). */
#define TIC_MAXIMA 8u
/* In the stats word (version 2 and later): each pair ends with the
 * contract_id of its largest amount (u32 len, bytes). */
#define TIC_TOP_IDS 16u
/* In the stats word (version 2 and later): the cells are the first of
 * the by columns, the others the time dummy's characteristics; their
 * number follows the by text (and the replicate groups). */
#define TIC_CELL_DIMS 32u

static const char magic[8] = {'T', 'I', 'X', 'C', 'U', 'B', 'E', '\n'};

/* Longest cell name a file may hold: the reader's record limit. */
#define TIC_MAX_NAME ((uint32_t)1 << 20)

/* The file's CRC-32 (zlib's, the gzip one) with n more bytes. ISA-L's
 * runs on the CPU's carry-less multiply, several times zlib's speed; both
 * give the same value (test_tic checks the bytes against zlib). */
static uLong crc_add(uLong crc, const void *p, size_t n)
{
#ifdef TIX_HAVE_ISAL
    return crc32_gzip_refl((uint32_t)crc, p, (uint64_t)n);
#else
    return crc32_z(crc, p, n);
#endif
}

/* ---- writing -------------------------------------------------------------- */

/* Most fields are 4 or 8 bytes: they collect in buf, which is summed
 * into the CRC and handed to the sink when full (and before the CRC is
 * written), not one crc32 call a field. */
#define OUT_CAP 4096

typedef struct outbuf {
    sink *s;
    uLong crc;
    size_t len;
    unsigned char buf[OUT_CAP];
} outbuf;

static void out_flush(outbuf *o)
{
    if (o->len == 0)
        return;
    o->crc = crc_add(o->crc, o->buf, o->len);
    sink_put(o->s, o->buf, o->len);
    o->len = 0;
}

static void put(outbuf *o, const void *p, size_t n)
{
    if (n == 0)
        return;
    if (n > OUT_CAP - o->len) {
        out_flush(o);
        if (n >= OUT_CAP) {
            o->crc = crc_add(o->crc, p, n);
            sink_put(o->s, p, n);
            return;
        }
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

/* Numbers are little-endian whatever the machine: written out byte by
 * byte, which the compiler makes one store where it can. */
static inline void put_u32(outbuf *o, uint32_t v)
{
    if (OUT_CAP - o->len < 4)
        out_flush(o);
    unsigned char *b = o->buf + o->len;
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(v >> 8);
    b[2] = (unsigned char)(v >> 16);
    b[3] = (unsigned char)(v >> 24);
    o->len += 4;
}

static inline void put_u64(outbuf *o, uint64_t v)
{
    put_u32(o, (uint32_t)v);
    put_u32(o, (uint32_t)(v >> 32));
}

static void put_i32(outbuf *o, int32_t v) { put_u32(o, (uint32_t)v); }
static void put_i64(outbuf *o, int64_t v) { put_u64(o, (uint64_t)v); }

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

tix_status tix_tic_write_fn(tix_write_fn fn, void *ctx, const tix_cube *cube,
                            const tix_tic_meta *meta)
{
    size_t np = 0;
    for (size_t i = 0; i < tix_cube_nperiods(cube); i++) {
        size_t n;
        tix_cube_entries(cube, i, &n);
        np += n;
    }
    cube_pair probe;
    if (np > 0 && cube_pair_at(cube, 0, &probe) != TIX_OK)
        return TIX_E_INVALID; /* not finalized */
    int stats = tix_cube_stats_kind(cube);
    char **sorted = malloc((meta->nnames ? meta->nnames : 1) * sizeof *sorted);
    if (!sorted)
        return TIX_E_NOMEM;
    sink s;
    sink_init(&s, fn, ctx);
    outbuf o;
    o.s = &s;
    o.crc = 0; /* the CRC of no bytes */
    o.len = 0;
    put(&o, magic, sizeof magic);
    size_t G = tix_cube_replicates(cube);
    put_u32(&o, G ? 3 : 2); /* the oldest version that holds the cube */
    put_u32(&o, (uint32_t)tix_cube_period_kind(cube));
    /* Without statistics the pairs carry their maxima when the cube knows
     * them (TIC_MAXIMA); a part from a version 1 file without them does not. */
    int maxima = !(stats & 3) && tix_cube_max_known(cube);
    int ids = tix_cube_max_known(cube) && cube->ids_known;
    size_t cd = cube->opts.cell_dims; /* 0: all of by's */
    put_u32(&o, (uint32_t)stats | (maxima ? TIC_MAXIMA : 0) | (ids ? TIC_TOP_IDS : 0) |
                    (cd ? TIC_CELL_DIMS : 0));
    put_u32(&o, (uint32_t)meta->measure);
    const char *by = tix_cube_by(cube); /* what the cells are; meta's should agree */
    size_t bylen = strnlen(by, TIX_BY_MAX - 1);
    put_u32(&o, (uint32_t)bylen);
    put(&o, by, bylen);
    if (G)
        put_u32(&o, (uint32_t)G);
    if (cd)
        put_u32(&o, (uint32_t)cd);
    put_u32(&o, meta->has_range ? 1 : 0);
    put_i32(&o, meta->has_range ? meta->from_day : 0);
    put_i32(&o, meta->has_range ? meta->to_day : 0);
    int32_t first = 1, last = 0;
    tix_cube_days(cube, &first, &last);
    put_i32(&o, first);
    put_i32(&o, last);
    const tix_counts *c = &meta->counts;
    put_u64(&o, c->read);
    put_u64(&o, c->accepted);
    put_u64(&o, c->rejected);
    put_u64(&o, c->bytes);
    put_u64(&o, c->inputs);
    put_u32(&o, TIX_REASON_COUNT);
    for (int r = 0; r < TIX_REASON_COUNT; r++)
        put_u64(&o, c->by_reason[r]);
    if (meta->nnames) /* names may be NULL then */
        memcpy(sorted, meta->names, meta->nnames * sizeof *sorted);
    qsort(sorted, meta->nnames, sizeof *sorted, cmp_str);
    put_u64(&o, meta->nnames);
    for (size_t i = 0; i < meta->nnames; i++) {
        size_t len = strlen(sorted[i]);
        put_u32(&o, (uint32_t)len);
        put(&o, sorted[i], len);
    }
    free(sorted);
    put_u64(&o, tix_cube_ncells(cube));
    for (size_t r = 0; r < tix_cube_ncells(cube); r++) {
        const char *name = tix_cube_cell_name(cube, r);
        size_t len = strlen(name);
        put_u32(&o, (uint32_t)len);
        put(&o, name, len);
    }
    put_u64(&o, np);
    for (size_t v = 0; v < np; v++) {
        cube_pair p;
        cube_pair_at(cube, v, &p);
        put_i32(&o, p.period);
        put_u32(&o, p.cell);
        put_u64(&o, p.n);
        put_i64(&o, p.sum);
        if (stats & TIX_CUBE_STATS_LOGS) {
            put_u64(&o, p.lm);
            put_u64(&o, p.ls_lo);
            put_u64(&o, p.ls_hi);
            put_u64(&o, p.lq_lo);
            put_u64(&o, p.lq_hi);
        }
        for (size_t g = 0; g < G; g++) {
            put_u64(&o, p.reps[g].n);
            put_i64(&o, p.reps[g].sum);
            if (stats & TIX_CUBE_STATS_LOGS) {
                const pair_logs *l = &p.rlogs[g];
                put_u64(&o, l->lm);
                put_u64(&o, (uint64_t)(u128)l->ls);
                put_u64(&o, (uint64_t)((u128)l->ls >> 64));
                put_u64(&o, (uint64_t)l->lq);
                put_u64(&o, (uint64_t)(l->lq >> 64));
            }
        }
        if (ids) {
            put_u32(&o, p.top_len); /* whose the largest contract is */
            put(&o, p.top_id, p.top_len);
        }
        if (!(stats & 3)) {
            if (maxima)
                put_i64(&o, p.max); /* the largest contract, for top_contract_share */
            continue;
        }
        put_i64(&o, p.min);
        put_i64(&o, p.max);
        put_u64(&o, p.sumsq_lo);
        put_u64(&o, p.sumsq_hi);
        put_u32(&o, p.sumsq_overflow ? 1 : 0);
        put_u64(&o, p.zeros);
        /* The sketch's buckets in use, sparse: how its window grew (the
         * order of adds and merges) leaves no trace. */
        uint32_t used = 0;
        for (uint32_t k = 0; k < p.sk_len; k++)
            used += p.sk[k] != 0;
        put_u32(&o, used);
        for (uint32_t k = 0; k < p.sk_len; k++) {
            if (!p.sk[k])
                continue;
            put_i32(&o, SK_BUCKET(&p, k));
            put_u32(&o, p.sk[k]);
            if ((stats & 3) == TIX_CUBE_STATS_SUMS)
                put_i64(&o, p.sks[k]);
        }
    }
    out_flush(&o);
    put_u32(&o, (uint32_t)o.crc);
    out_flush(&o);
    return sink_end(&s, TIX_OK);
}

tix_status tix_tic_write(FILE *f, const tix_cube *cube, const tix_tic_meta *meta)
{
    return sink_file_status(f, tix_tic_write_fn(sink_file_write, f, cube, meta));
}

/* ---- reading -------------------------------------------------------------- */

/* The input: memory (fn NULL: the bytes at hand are all there is), or a
 * read callback refilling buf. */
typedef struct in {
    tix_read_fn fn;
    void *ctx;
    const unsigned char *p, *end; /* the bytes at hand */
    unsigned char *buf;           /* IN_CAP bytes for fn */
    int eof;
    uLong crc;                   /* of every byte read before summed */
    const unsigned char *summed; /* [summed, p): read, not yet in crc */
    uint64_t at;                 /* bytes read so far */
    tix_status st;
    char *err;
    size_t errlen;
    uint32_t version; /* the file's, once its header is read */
    int maxima;       /* its pairs carry their largest amount */
    int top_ids;      /* and whose it is */
} in;


#define IN_CAP ((size_t)1 << 16)

__attribute__((format(printf, 2, 3))) static void fail(in *i, const char *fmt, ...)
{
    if (i->st != TIX_OK)
        return;
    i->st = TIX_E_FORMAT;
    if (i->err) {
        int n = snprintf(i->err, i->errlen, "byte %llu: ", (unsigned long long)i->at);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < i->errlen)
            vsnprintf(i->err + n, i->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
}

/* The CRC of every byte read so far: the bytes read since the last call
 * are summed at once, not a call per field. */
static uLong crc_now(in *i)
{
    if (i->p > i->summed) /* zlib's crc of a null pointer is 0, whatever the crc */
        i->crc = crc_add(i->crc, i->summed, (size_t)(i->p - i->summed));
    i->summed = i->p;
    return i->crc;
}

/* More bytes at hand: 1, or 0 at the end of the input, or -1 after the
 * read callback failed (its status is then i->st). */
static int refill(in *i)
{
    if (!i->fn || i->eof)
        return 0;
    crc_now(i); /* before the bytes at hand are gone */
    size_t got = 0;
    tix_status st = i->fn(i->ctx, i->buf, IN_CAP, &got);
    if (st != TIX_OK) {
        if (i->st == TIX_OK)
            i->st = st;
        return -1;
    }
    if (got == 0) {
        i->eof = 1;
        return 0;
    }
    i->p = i->summed = i->buf;
    i->end = i->buf + (got < IN_CAP ? got : IN_CAP);
    return 1;
}

/* get's way across the end of the bytes at hand. */
static int get_refill(in *i, void *p, size_t n)
{
    if (i->st != TIX_OK)
        return 0;
    unsigned char *d = p;
    while (n > 0) {
        if (i->p == i->end) {
            int r = refill(i);
            if (r == 0)
                fail(i, "the file ends early (truncated?)");
            if (r <= 0)
                return 0;
        }
        size_t k = (size_t)(i->end - i->p) < n ? (size_t)(i->end - i->p) : n;
        memcpy(d, i->p, k);
        i->at += k;
        i->p += k;
        d += k;
        n -= k;
    }
    return 1;
}

/* Reads n bytes into p, or as many as there are (counted in at) and fails. */
static inline int get(in *i, void *p, size_t n)
{
    if (n > 0 && i->st == TIX_OK && (size_t)(i->end - i->p) >= n) { /* at hand */
        memcpy(p, i->p, n);
        i->p += n;
        i->at += n;
        return 1;
    }
    return get_refill(i, p, n);
}

/* The next n bytes: where they are at hand, else copied into tmp (n
 * bytes, zero where the input ended or failed). */
static inline const unsigned char *take(in *i, unsigned char *tmp, size_t n)
{
    if (i->st == TIX_OK && (size_t)(i->end - i->p) >= n) {
        const unsigned char *b = i->p;
        i->p += n;
        i->at += n;
        return b;
    }
    memset(tmp, 0, n);
    get_refill(i, tmp, n);
    return tmp;
}

/* Little-endian, read byte by byte: one load where the compiler can. */
static inline uint32_t get_u32(in *i)
{
    unsigned char tmp[4];
    const unsigned char *b = take(i, tmp, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t get_u64(in *i)
{
    unsigned char tmp[8];
    const unsigned char *b = take(i, tmp, 8);
    uint32_t lo =
        (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    uint32_t hi =
        (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
    return (uint64_t)hi << 32 | lo;
}

static int32_t get_i32(in *i) { return (int32_t)get_u32(i); }
static int64_t get_i64(in *i) { return (int64_t)get_u64(i); }

/* The header: magic, version and the options that decided how rows were
 * aggregated; *first and *last get the signing-day range. */
static void read_header(in *i, tix_tic_meta *meta, int32_t *first, int32_t *last)
{
    char m[8];
    if (get(i, m, sizeof m) && memcmp(m, magic, sizeof m) != 0)
        fail(i, "not a techidx cube (.tic) file");
    uint32_t version = get_u32(i);
    i->version = version;
    if (i->st == TIX_OK && (version < 1 || version > TIX_TIC_VERSION))
        fail(i, "format version %u; this techidx reads versions 1 to %d", version,
             TIX_TIC_VERSION);
    /* Version 1 named one of the first four dimension columns by number
     * where version 2 has the measure and then the --by text. */
    uint32_t period = get_u32(i), stats = get_u32(i);
    uint32_t dim = version == 1 ? get_u32(i) : 0, measure = get_u32(i);
    memset(meta->by, 0, sizeof meta->by);
    if (i->st == TIX_OK && version == 1) {
        if (dim >= TIX_COL_SELLER_TYPE || !tix_column_is_dimension((tix_column)dim))
            fail(i, "options out of range");
        else
            strcpy(meta->by, tix_column_name((tix_column)dim));
    } else if (i->st == TIX_OK) {
        uint32_t bylen = get_u32(i);
        tix_dims d;
        char canon[TIX_BY_MAX];
        if (i->st == TIX_OK && bylen >= TIX_BY_MAX)
            fail(i, "options out of range");
        else if (get(i, meta->by, bylen) &&
                 (memchr(meta->by, 0, bylen) ||
                  tix_dims_parse(meta->by, &d, NULL, 0) != TIX_OK ||
                  (tix_dims_text(&d, canon), strcmp(canon, meta->by) != 0)))
            fail(i, "the cells' columns (`by`) are not a canonical list");
    }
    meta->replicates = 0;
    if (i->st == TIX_OK && version == 3) {
        uint32_t G = get_u32(i);
        if (i->st == TIX_OK && (G < 2 || G > TIX_CUBE_MAX_REPLICATES))
            fail(i, "%u replicate groups", G);
        meta->replicates = G;
    }
    meta->cell_dims = 0;
    if (i->st == TIX_OK && version >= 2 && (stats & TIC_CELL_DIMS)) {
        uint32_t cd = get_u32(i);
        size_t n = cube_by_columns(meta->by);
        if (i->st == TIX_OK && (cd < 1 || cd >= n))
            fail(i, "%u cell columns of %zu", cd, n);
        meta->cell_dims = cd;
    }
    if (i->st == TIX_OK &&
        (period > TIX_PERIOD_YEAR ||
         (stats & ~(7u | TIC_MAXIMA | TIC_TOP_IDS | TIC_CELL_DIMS)) ||
         (stats & 3) == 3 ||
         (version == 1 && (stats & (TIX_CUBE_STATS_LOGS | TIC_MAXIMA | TIC_TOP_IDS))) ||
         ((stats & TIC_TOP_IDS) && !(stats & (3 | TIC_MAXIMA))) ||
         ((stats & 3) && (stats & TIC_MAXIMA)) || measure > TIX_MEASURE_AMOUNT))
        fail(i, "options out of range");
    meta->period = (tix_period_kind)period;
    meta->stats = (int)(stats & ~(TIC_MAXIMA | TIC_TOP_IDS | TIC_CELL_DIMS));
    i->top_ids = (stats & TIC_TOP_IDS) != 0;
    i->maxima = (stats & 3) || (stats & TIC_MAXIMA);
    meta->measure = (tix_measure)measure;
    uint32_t has_range = get_u32(i);
    meta->has_range = has_range != 0;
    meta->from_day = get_i32(i);
    meta->to_day = get_i32(i);
    *first = get_i32(i);
    *last = get_i32(i);
    /* One way to write each thing: what is read writes back the same. */
    if (i->st == TIX_OK && (has_range > 1 || (!has_range && (meta->from_day || meta->to_day)) ||
                            (has_range && meta->from_day > meta->to_day) ||
                            (*first > *last && !(*first == 1 && *last == 0))))
        fail(i, "options or dates out of range");
}

/* The row accounting of the inputs. */
static void read_counts(in *i, tix_counts *cn)
{
    cn->read = get_u64(i);
    cn->accepted = get_u64(i);
    cn->rejected = get_u64(i);
    cn->bytes = get_u64(i);
    cn->inputs = get_u64(i);
    uint32_t nreasons = get_u32(i);
    if (i->st == TIX_OK && nreasons != TIX_REASON_COUNT)
        fail(i, "%u rejection reasons; this techidx has %d", nreasons, TIX_REASON_COUNT);
    for (int r = 0; r < TIX_REASON_COUNT && i->st == TIX_OK; r++)
        cn->by_reason[r] = get_u64(i);
    if (i->st == TIX_OK && !counts_consistent(cn))
        fail(i, "row accounting does not add up");
}

/* The inputs' names, sorted, into meta->names. Returns TIX_OK or
 * TIX_E_NOMEM. */
static tix_status read_names(in *i, tix_tic_meta *meta)
{
    uint64_t nnames = get_u64(i);
    if (i->st == TIX_OK && nnames > (uint64_t)1 << 24)
        fail(i, "%llu input names", (unsigned long long)nnames);
    if (i->st == TIX_OK && nnames && !(meta->names = calloc((size_t)nnames, sizeof *meta->names)))
        return TIX_E_NOMEM;
    for (uint64_t k = 0; k < nnames && i->st == TIX_OK; k++) {
        uint32_t len = get_u32(i);
        if (i->st == TIX_OK && len > TIC_MAX_NAME) {
            fail(i, "an input name of %u bytes", len);
            break;
        }
        char *name = i->st == TIX_OK ? malloc(len + 1) : NULL;
        if (i->st == TIX_OK && !name)
            return TIX_E_NOMEM;
        if (name && get(i, name, len)) {
            name[len] = '\0';
            meta->names[meta->nnames++] = name;
            if (memchr(name, '\0', len) ||
                (k > 0 && strcmp(meta->names[meta->nnames - 2], name) > 0))
                fail(i, "input names out of order or holding a NUL");
        } else {
            free(name);
        }
    }
    return TIX_OK;
}

/* The cell names, in byte order. */
typedef struct cells {
    uint64_t n;
    char **names;
    uint32_t *lens;
} cells;

static void cells_free(cells *cs)
{
    for (uint64_t k = 0; cs->names && k < cs->n; k++)
        free(cs->names[k]);
    free(cs->names);
    free(cs->lens);
}

/* Reads the cell names (at most the cube's max_cells: TIX_E_LIMIT).
 * Returns TIX_OK, TIX_E_LIMIT or TIX_E_NOMEM. */
static tix_status read_cells(in *i, const tix_cube_opts *co, cells *cs)
{
    cs->n = get_u64(i);
    if (i->st == TIX_OK && cs->n > (uint64_t)(co->max_cells ? co->max_cells : TIX_CUBE_MAX_CELLS))
        return TIX_E_LIMIT;
    if (i->st == TIX_OK && (!(cs->names = calloc(cs->n ? cs->n : 1, sizeof *cs->names)) ||
                            !(cs->lens = calloc(cs->n ? cs->n : 1, sizeof *cs->lens))))
        return TIX_E_NOMEM;
    for (uint64_t k = 0; k < cs->n && i->st == TIX_OK; k++) {
        cs->lens[k] = get_u32(i);
        if (i->st == TIX_OK && (cs->lens[k] == 0 || cs->lens[k] > TIC_MAX_NAME)) {
            fail(i, "cell name of %u bytes", cs->lens[k]);
            break;
        }
        if (i->st == TIX_OK && !(cs->names[k] = malloc(cs->lens[k] + 1)))
            return TIX_E_NOMEM;
        if (get(i, cs->names[k], cs->lens[k])) {
            cs->names[k][cs->lens[k]] = '\0';
            if (memchr(cs->names[k], '\0', cs->lens[k]))
                fail(i, "a cell name holds a NUL byte");
            else if (k > 0 && (strcmp(cs->names[k - 1], cs->names[k]) >= 0))
                fail(i, "cell names out of order or repeated");
        }
    }
    return TIX_OK;
}

/* The statistics of one pair, its sketch's buckets as the file has them
 * (nonzero, increasing) into skb[4096], their counts into sk[4096] and
 * their sums into sks[4096] (with TIX_CUBE_STATS_SUMS). */
static void read_stats(in *i, int stats, cube_pair *p, uint32_t *sk, int64_t *sks, uint16_t *skb)
{
    p->min = get_i64(i);
    p->max = get_i64(i);
    p->sumsq_lo = get_u64(i);
    p->sumsq_hi = get_u64(i);
    uint32_t ov = get_u32(i);
    p->sumsq_overflow = ov != 0;
    if (i->st == TIX_OK && ov > 1) {
        fail(i, "a flag out of range");
        return;
    }
    p->zeros = get_u64(i);
    /* Sparse buckets, increasing, all within a 4096-bucket span
     * (amounts from 1 cent to 2^63 need about 2200). */
    uint32_t used = get_u32(i);
    if (i->st == TIX_OK && used > 4096) {
        fail(i, "a sketch of %u buckets", used);
        return;
    }
    /* A sparse view (cube_pair): the cube checks and merges it as it
     * would the same sketch dense, a step a bucket the file holds, not
     * one per bucket of its span, and nothing to clear between pairs. */
    int32_t lo = 0, prev = -1;
    p->sk_lo = 0;
    p->sk_len = 0;
    for (uint32_t k = 0; k < used && i->st == TIX_OK; k++) {
        int32_t b = get_i32(i);
        uint32_t cnt = get_u32(i);
        int64_t sum = (stats & 3) == TIX_CUBE_STATS_SUMS ? get_i64(i) : 0;
        if (i->st != TIX_OK)
            break;
        if (k == 0)
            lo = b;
        if (b <= prev || b < 0 || b - lo >= 4096 || cnt == 0) {
            fail(i, "sketch buckets out of order, out of range or empty");
            break;
        }
        prev = b;
        /* A bucket from SK_BUCKETS up (held as SK_BUCKETS) makes the cube
         * refuse the pair, as any such bucket would. */
        skb[k] = (uint16_t)(b < SK_BUCKETS ? b : SK_BUCKETS);
        sk[k] = cnt;
        sks[k] = sum;
        p->sk_lo = lo;
        p->sk_len = k + 1;
    }
    p->sk = sk;
    p->sks = (stats & 3) == TIX_CUBE_STATS_SUMS ? sks : NULL;
    p->skb = skb;
}

/* The pairs, in (period, cell) order, each put into c. Returns TIX_OK or
 * what cube_put_pair returned but TIX_E_INVALID (a format error). */
static tix_status read_pairs(in *i, int stats, const cells *cs, tix_cube *c)
{
    uint32_t *sk = NULL;
    int64_t *sks = NULL;
    uint16_t *skb = NULL;
    size_t G = c ? tix_cube_replicates(c) : 0; /* no cube: a header that failed */
    rep_sums *reps = NULL;
    pair_logs *rlogs = NULL;
    char *idbuf = NULL;
    uint32_t idcap = 0;
    tix_status st = TIX_OK;
    if (G && (!(reps = malloc(G * sizeof *reps)) ||
              ((stats & TIX_CUBE_STATS_LOGS) && !(rlogs = malloc(G * sizeof *rlogs))))) {
        st = TIX_E_NOMEM;
        goto done;
    }
    uint64_t npairs = get_u64(i);
    int32_t prev_period = 0;
    uint32_t prev_cell = 0;
    if ((stats & 3) && (!(sk = malloc(4096 * sizeof *sk)) || !(sks = malloc(4096 * sizeof *sks)) ||
                        !(skb = malloc(4096 * sizeof *skb)))) {
        st = TIX_E_NOMEM;
        goto done;
    }
    for (uint64_t v = 0; v < npairs && i->st == TIX_OK; v++) {
        cube_pair p;
        memset(&p, 0, sizeof p);
        p.period = get_i32(i);
        p.cell = get_u32(i);
        p.n = get_u64(i);
        p.sum = get_i64(i);
        if (stats & TIX_CUBE_STATS_LOGS) {
            p.lm = get_u64(i);
            p.ls_lo = get_u64(i);
            p.ls_hi = get_u64(i);
            p.lq_lo = get_u64(i);
            p.lq_hi = get_u64(i);
        }
        for (size_t g = 0; g < G && i->st == TIX_OK; g++) {
            reps[g].n = get_u64(i);
            reps[g].sum = get_i64(i);
            if (rlogs) {
                rlogs[g].lm = get_u64(i);
                uint64_t lo = get_u64(i), hi = get_u64(i);
                rlogs[g].ls = (i128)(((u128)hi << 64) | lo);
                lo = get_u64(i);
                hi = get_u64(i);
                rlogs[g].lq = ((u128)hi << 64) | lo;
            }
        }
        p.reps = reps;
        p.rlogs = rlogs;
        if (i->top_ids) {
            p.top_len = get_u32(i);
            if (i->st == TIX_OK && (p.top_len == 0 || p.top_len > TIX_CUBE_TOP_ID_MAX)) {
                fail(i, "a contract id of %u bytes", p.top_len);
                break;
            }
            if (i->st == TIX_OK && p.top_len > idcap) {
                char *b = realloc(idbuf, p.top_len);
                if (!b) {
                    st = TIX_E_NOMEM;
                    break;
                }
                idbuf = b;
                idcap = p.top_len;
            }
            if (i->st == TIX_OK)
                get(i, idbuf, p.top_len);
            p.top_id = idbuf;
        }
        if (stats & 3)
            read_stats(i, stats, &p, sk, sks, skb);
        else if (i->maxima)
            p.max = get_i64(i);
        if (i->st != TIX_OK)
            break;
        if (p.cell >= cs->n) {
            fail(i, "pair %llu names cell %u of %llu", (unsigned long long)v, p.cell,
                 (unsigned long long)cs->n);
            break;
        }
        if (v > 0 && (p.period < prev_period || (p.period == prev_period && p.cell <= prev_cell))) {
            fail(i, "pairs out of order or repeated");
            break;
        }
        prev_period = p.period;
        prev_cell = p.cell;
        st = cube_put_pair(c, cs->names[p.cell], cs->lens[p.cell], &p);
        if (st == TIX_E_INVALID) {
            st = TIX_OK;
            fail(i, "pair %llu is not one adding rows could make", (unsigned long long)v);
        }
        if (st != TIX_OK)
            break;
    }
done:
    free(sk);
    free(sks);
    free(skb);
    free(reps);
    free(rlogs);
    free(idbuf);
    return st;
}

/* The end: every cell used, the CRC, nothing after it. */
static void read_trailer(in *i, const cells *cs, const tix_cube *c)
{
    if (i->st == TIX_OK && tix_cube_ncells(c) != cs->n)
        fail(i, "a cell name that no aggregate uses");
    uLong crc = crc_now(i);
    uint32_t stored = get_u32(i);
    if (i->st == TIX_OK && stored != (uint32_t)crc)
        fail(i, "checksum mismatch: the file is damaged");
    if (i->st == TIX_OK && (i->p < i->end || refill(i) > 0))
        fail(i, "bytes after the end of the cube");
}

static tix_status read_tic(in *i, const tix_cube_opts *opts, tix_cube **out, tix_tic_meta *meta)
{
    tix_cube *c = NULL;
    cells cs = {0, NULL, NULL};
    int32_t first, last;
    read_header(i, meta, &first, &last);
    read_counts(i, &meta->counts);
    tix_status st = read_names(i, meta);
    tix_cube_opts co = *opts;
    co.period = meta->period;
    co.cell_stats = meta->stats;
    co.by = meta->by;
    co.replicates = meta->replicates;
    co.cell_dims = meta->cell_dims;
    if (st == TIX_OK && i->st == TIX_OK)
        st = tix_cube_new(&c, &co);
    if (c) { /* pairs without statistics have a max only with TIC_MAXIMA */
        c->max_known = i->maxima;
        c->ids_known = i->top_ids;
    }
    if (st == TIX_OK)
        st = read_cells(i, &co, &cs);
    if (st == TIX_OK)
        st = read_pairs(i, meta->stats, &cs, c);
    if (st == TIX_OK) {
        read_trailer(i, &cs, c);
        if (i->st == TIX_OK && first <= last)
            cube_note_days(c, first, last);
    }
    if (st == TIX_OK)
        st = i->st;
    cells_free(&cs);
    if (st != TIX_OK) {
        tix_cube_free(c);
        tix_tic_meta_free(meta);
        return st;
    }
    *out = c;
    return TIX_OK;
}

static void read_init(in *i, char *err, size_t errlen)
{
    memset(i, 0, sizeof *i);
    i->crc = 0; /* the CRC of no bytes */
    i->st = TIX_OK;
    i->err = err;
    i->errlen = errlen;
}

tix_status tix_tic_read_mem(const void *buf, size_t len, const tix_cube_opts *opts, tix_cube **out,
                            tix_tic_meta *meta, char *err, size_t errlen)
{
    in i;
    read_init(&i, err, errlen);
    i.p = i.summed = buf;
    i.end = i.p + len;
    *out = NULL;
    memset(meta, 0, sizeof *meta);
    return read_tic(&i, opts, out, meta);
}

tix_status tix_tic_read_fn(tix_read_fn fn, void *ctx, const tix_cube_opts *opts, tix_cube **out,
                           tix_tic_meta *meta, char *err, size_t errlen)
{
    in i;
    read_init(&i, err, errlen);
    i.fn = fn;
    i.ctx = ctx;
    *out = NULL;
    memset(meta, 0, sizeof *meta);
    if (!(i.buf = malloc(IN_CAP)))
        return TIX_E_NOMEM;
    tix_status st = read_tic(&i, opts, out, meta);
    free(i.buf);
    return st;
}

static tix_status file_read(void *ctx, void *buf, size_t cap, size_t *got)
{
    FILE *f = ctx;
    *got = fread(buf, 1, cap, f);
    return *got < cap && ferror(f) ? TIX_E_IO : TIX_OK;
}

tix_status tix_tic_read(FILE *f, const tix_cube_opts *opts, tix_cube **out, tix_tic_meta *meta,
                        char *err, size_t errlen)
{
    return tix_tic_read_fn(file_read, f, opts, out, meta, err, errlen);
}

tix_status tix_tic_meta_add(tix_tic_meta *a, const tix_tic_meta *b)
{
    char **names = realloc(a->names, (a->nnames + b->nnames + 1) * sizeof *names);
    if (!names)
        return TIX_E_NOMEM;
    a->names = names;
    for (size_t k = 0; k < b->nnames; k++) {
        size_t len = strlen(b->names[k]) + 1;
        char *copy = malloc(len);
        if (!copy)
            return TIX_E_NOMEM;
        memcpy(copy, b->names[k], len);
        a->names[a->nnames++] = copy;
    }
    tix_tic_add_counts(&a->counts, &b->counts);
    return TIX_OK;
}

void tix_tic_meta_free(tix_tic_meta *m)
{
    for (size_t k = 0; k < m->nnames; k++)
        free(m->names[k]);
    free(m->names);
    m->names = NULL;
    m->nnames = 0;
}

const char *tix_tic_incompatible(const tix_tic_meta *a, const tix_tic_meta *b)
{
    if (a->period != b->period)
        return "they group dates into different periods (`period`)";
    size_t ka = tix_by_prefix(a->by, a->cell_dims ? a->cell_dims : TIX_MAX_DIMS),
           kb = tix_by_prefix(b->by, b->cell_dims ? b->cell_dims : TIX_MAX_DIMS);
    if (ka != kb || memcmp(a->by, b->by, ka) != 0)
        return "their cells are different columns (`by`)";
    if (strcmp(a->by, b->by) != 0)
        return "they keep different characteristics beside their cells (`hedonic`)";
    if (a->measure != b->measure)
        return "they sum different amounts (`measure`)";
    if (a->has_range != b->has_range ||
        (a->has_range && (a->from_day != b->from_day || a->to_day != b->to_day)))
        return "they keep different date ranges (`from`/`to`)";
    if (a->replicates != b->replicates)
        return a->replicates && b->replicates
                   ? "they keep different numbers of replicate groups (`ci-groups`)"
                   : "one keeps replicate groups (`ci`) and the other does not";
    if (a->stats != b->stats)
        return "they keep different statistics (`cells`, `winsorize` or `method` time-dummy on one "
               "only)";
    return NULL;
}

void tix_tic_add_counts(tix_counts *a, const tix_counts *b) { counts_add(a, b); }
