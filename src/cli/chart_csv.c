/* chart_from_csv(): techidx's index and cells files read back for the
 * chart, streamed, so that memory does not grow with the length of the
 * files. The index keeps only its last `last` rows (a ring). The cells file
 * is read twice: first summing each cell's value over the charted periods
 * (one small record per cell, as the cube itself holds), then keeping the
 * value-index series of the CHART_PANELS cells chosen from those sums. */
#include "cli/chart.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/table.h"
#include "techidx.h"

__extension__ typedef unsigned __int128 u128;

static int field_is(const tix_field *f, const char *s)
{
    return f->len == strlen(s) && memcmp(f->ptr, s, f->len) == 0;
}

static int column(const tix_field *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (field_is(&f[i], name))
            return (int)i;
    return -1;
}

/* A figure as techidx writes it; NaN for an empty or unreadable field. */
static double number(const tix_field *f)
{
    char buf[64], *end;
    if (f->len == 0 || f->len >= sizeof buf)
        return NAN;
    memcpy(buf, f->ptr, f->len);
    buf[f->len] = '\0';
    double v = strtod(buf, &end);
    return *end ? NAN : v;
}

/* Yuan with at most two decimals, as techidx writes money, into cents
 * (within int64, as every sum techidx writes is); an empty field is 0, as
 * where a cell is suppressed. Returns 0, or -1 for anything else. */
static int cents(const tix_field *f, uint64_t *out)
{
    const char *s = f->ptr, *e = f->ptr + f->len;
    uint64_t v = 0;
    int digits = 0, decimals = -1;
    for (; s < e; s++) {
        if (*s == '.' && decimals < 0 && digits > 0) {
            decimals = 0;
            continue;
        }
        if (*s < '0' || *s > '9' || decimals == 2 || v > (uint64_t)INT64_MAX / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        digits++;
        decimals += decimals >= 0;
    }
    if (decimals == 0)
        return -1; /* "12." */
    for (int d = decimals < 0 ? 0 : decimals; d < 2; d++) {
        if (v > (uint64_t)INT64_MAX / 10)
            return -1;
        v *= 10;
    }
    if (v > (uint64_t)INT64_MAX)
        return -1;
    *out = v;
    return 0;
}

/* --- the index: its last `last` rows ---------------------------------- */

/* Per row: value, volume, unit value, the value's interval, provisional. */
#define NV 6

typedef struct index_rows {
    size_t last;
    int cp, cv, cq, cu, clo, chi, cpr, cend; /* the last four -1 when absent */
    char as_of[16];                          /* the last row's period_end, or "" */
    size_t cap, count, start; /* a ring of cap slots, count used, start the oldest */
    char **label;
    double (*v)[NV];
} index_rows;

static int on_index_row(void *ctx, size_t r, const tix_field *f, size_t n, uint64_t line, char *err,
                        size_t errlen)
{
    index_rows *x = ctx;
    (void)line;
    if (r == 0) {
        x->cp = column(f, n, "period");
        x->cv = column(f, n, "value_index");
        x->cq = column(f, n, "volume_index");
        x->cu = column(f, n, "unit_value_index");
        x->clo = column(f, n, "value_index_lo");
        x->chi = column(f, n, "value_index_hi");
        x->cpr = column(f, n, "provisional");
        x->cend = column(f, n, "period_end");
        if (x->cp < 0 || x->cv < 0 || x->cq < 0 || x->cu < 0 || column(f, n, "matched_cells") < 0) {
            snprintf(err, errlen,
                     "not a techidx index file (period, value_index, "
                     "volume_index, unit_value_index, matched_cells)");
            return -1;
        }
        if (column(f, n, "season") >= 0) { /* its rows are many series, not one */
            snprintf(err, errlen, "a year-over-year index (a season column) is not charted");
            return -1;
        }
        return 0;
    }
    int wrap = x->count == x->last;
    if (!wrap && x->count == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        if (cap > x->last)
            cap = x->last;
        char **l = realloc(x->label, cap * sizeof *l);
        if (l)
            x->label = l;
        double(*v)[NV] = l ? realloc(x->v, cap * sizeof *v) : NULL;
        if (!v)
            goto nomem;
        x->v = v;
        x->cap = cap;
    }
    /* Full only once cap has grown to last: then the oldest row goes. */
    size_t slot = wrap ? x->start : x->count;
    const tix_field *p = &f[x->cp];
    char *label = malloc(p->len + 1);
    if (!label)
        goto nomem;
    memcpy(label, p->ptr, p->len);
    label[p->len] = '\0';
    if (wrap) {
        free(x->label[slot]);
        x->start = (x->start + 1) % x->cap;
    } else
        x->count++;
    x->label[slot] = label;
    x->v[slot][0] = number(&f[x->cv]);
    x->v[slot][1] = number(&f[x->cq]);
    x->v[slot][2] = number(&f[x->cu]);
    x->v[slot][3] = x->clo >= 0 ? number(&f[x->clo]) : NAN;
    x->v[slot][4] = x->chi >= 0 ? number(&f[x->chi]) : NAN;
    x->v[slot][5] = x->cpr >= 0 ? number(&f[x->cpr]) : NAN;
    /* The last row's end date, when it is one (YYYY-MM-DD). */
    x->as_of[0] = '\0';
    if (x->cend >= 0 && f[x->cend].len == 10) {
        memcpy(x->as_of, f[x->cend].ptr, 10);
        x->as_of[10] = '\0';
    }
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* The charted periods' labels sorted, to find a row's period. */
typedef struct period_key {
    const char *label;
    size_t len, i;
} period_key;

static int by_label(const void *a, const void *b)
{
    const period_key *x = a, *y = b;
    int c = strcmp(x->label, y->label);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The column of the period named f, or SIZE_MAX; with a label given twice,
 * its first row, as a linear search would find. */
static size_t period_of(const period_key *k, size_t n, const tix_field *f)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t ml = k[mid].len, m = ml < f->len ? ml : f->len;
        int c = memcmp(k[mid].label, f->ptr, m);
        if (c < 0 || (c == 0 && ml < f->len))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && k[lo].len == f->len && memcmp(k[lo].label, f->ptr, f->len) == 0 ? k[lo].i
                                                                                     : SIZE_MAX;
}

/* --- the cells --------------------------------------------------------- */

typedef struct cell_rec {
    u128 sum;        /* cents over the charted periods */
    size_t off, len; /* the name, in cell_set.names */
    size_t panel;    /* SIZE_MAX when not drawn */
} cell_rec;

typedef struct cell_set {
    cell_rec *rec;
    size_t n, cap;
    char *names;
    size_t used, room;
    size_t *slot; /* open addressing: rec index + 1, 0 = empty */
    size_t nslots;
} cell_set;

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static size_t *slot_of(const cell_set *c, const char *s, size_t n)
{
    size_t i = (size_t)hash(s, n) & (c->nslots - 1);
    for (;; i = (i + 1) & (c->nslots - 1)) {
        size_t k = c->slot[i];
        if (k == 0 || (c->rec[k - 1].len == n && memcmp(c->names + c->rec[k - 1].off, s, n) == 0))
            return &c->slot[i];
    }
}

static cell_rec *cell_find(const cell_set *c, const tix_field *f)
{
    if (!c->nslots)
        return NULL;
    size_t k = *slot_of(c, f->ptr, f->len);
    return k ? &c->rec[k - 1] : NULL;
}

/* The cell named f, added with a zero sum if new; NULL when out of memory. */
static cell_rec *cell_get(cell_set *c, const tix_field *f)
{
    if (2 * (c->n + 1) > c->nslots) {
        size_t ns = c->nslots ? 2 * c->nslots : 1024;
        size_t *s = calloc(ns, sizeof *s), *old = c->slot;
        if (!s)
            return NULL;
        c->slot = s;
        c->nslots = ns;
        for (size_t k = 0; k < c->n; k++)
            *slot_of(c, c->names + c->rec[k].off, c->rec[k].len) = k + 1;
        free(old);
    }
    size_t *sl = slot_of(c, f->ptr, f->len);
    if (*sl)
        return &c->rec[*sl - 1];
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        cell_rec *r = realloc(c->rec, cap * sizeof *r);
        if (!r)
            return NULL;
        c->rec = r;
        c->cap = cap;
    }
    if (c->used + f->len > c->room) {
        size_t room = c->room ? c->room : 4096;
        while (c->used + f->len > room)
            room *= 2;
        char *s = realloc(c->names, room);
        if (!s)
            return NULL;
        c->names = s;
        c->room = room;
    }
    memcpy(c->names + c->used, f->ptr, f->len);
    c->rec[c->n] = (cell_rec){0, c->used, f->len, SIZE_MAX};
    c->used += f->len;
    *sl = ++c->n;
    return &c->rec[c->n - 1];
}

static void cell_set_free(cell_set *c)
{
    free(c->rec);
    free(c->names);
    free(c->slot);
}

/* Byte order of two cells' names. */
static int name_cmp(const cell_set *c, const cell_rec *a, const cell_rec *b)
{
    size_t m = a->len < b->len ? a->len : b->len;
    int r = memcmp(c->names + a->off, c->names + b->off, m);
    return r ? r : (a->len > b->len) - (a->len < b->len);
}

/* Drawn before b: the larger value, then the name first in byte order. */
static int ranks_before(const cell_set *c, const cell_rec *a, const cell_rec *b)
{
    if (a->sum != b->sum)
        return a->sum > b->sum;
    return name_cmp(c, a, b) < 0;
}

typedef struct cells_pass {
    const period_key *keys;
    size_t n; /* charted periods */
    int kp, kc, kn, kv, ki; /* the cell is columns kc..kn-1 (one per `by` column) */
    char *join;            /* their values joined, " / " between */
    size_t join_cap;
    cell_set set;
    u128 total;                   /* cents of every cell over the charted periods */
    double *series[CHART_PANELS]; /* pass 2: the drawn cells' value indices */
} cells_pass;

static int cells_header(cells_pass *c, const tix_field *f, size_t n, char *err, size_t errlen)
{
    c->kp = column(f, n, "period");
    c->kn = column(f, n, "contracts");
    c->kv = column(f, n, "value");
    c->ki = column(f, n, "value_index");
    c->kc = c->kp + 1;
    if (c->kp < 0 || c->kn <= c->kc || c->kv < 0 || c->ki < 0) {
        snprintf(err, errlen,
                 "not a techidx cells file (period, the cell's columns, contracts, value, "
                 "value_index)");
        return -1;
    }
    return 0;
}

/* The row's cell as one name: its columns joined with " / ". */
static int cell_key(cells_pass *c, const tix_field *f, tix_field *out)
{
    if (c->kn == c->kc + 1) {
        *out = f[c->kc];
        return 0;
    }
    size_t need = 0;
    for (int k = c->kc; k < c->kn; k++)
        need += f[k].len + 3;
    if (need > c->join_cap) {
        char *p = realloc(c->join, need);
        if (!p)
            return -1;
        c->join = p;
        c->join_cap = need;
    }
    size_t o = 0;
    for (int k = c->kc; k < c->kn; k++) {
        if (k > c->kc) {
            memcpy(c->join + o, " / ", 3);
            o += 3;
        }
        memcpy(c->join + o, f[k].ptr, f[k].len);
        o += f[k].len;
    }
    *out = (tix_field){c->join, o};
    return 0;
}

static int on_cell_sum(void *ctx, size_t r, const tix_field *f, size_t n, uint64_t line, char *err,
                       size_t errlen)
{
    cells_pass *c = ctx;
    if (r == 0)
        return cells_header(c, f, n, err, errlen);
    if (period_of(c->keys, c->n, &f[c->kp]) == SIZE_MAX)
        return 0; /* not charted */
    uint64_t v;
    if (cents(&f[c->kv], &v) != 0) {
        snprintf(err, errlen, "line %llu: value is not an amount in yuan",
                 (unsigned long long)line);
        return -1;
    }
    tix_field key;
    cell_rec *rec = cell_key(c, f, &key) == 0 ? cell_get(&c->set, &key) : NULL;
    if (!rec) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rec->sum += v;
    c->total += v;
    return 0;
}

static int on_cell_series(void *ctx, size_t r, const tix_field *f, size_t n, uint64_t line,
                          char *err, size_t errlen)
{
    cells_pass *c = ctx;
    (void)line;
    if (r == 0)
        return cells_header(c, f, n, err, errlen);
    size_t i = period_of(c->keys, c->n, &f[c->kp]);
    tix_field key;
    if (i != SIZE_MAX && cell_key(c, f, &key) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cell_rec *rec = i == SIZE_MAX ? NULL : cell_find(&c->set, &key);
    if (rec && rec->panel != SIZE_MAX)
        c->series[rec->panel][i] = number(&f[c->ki]);
    return 0;
}

/* The CHART_PANELS largest cells, in byte order of their names, into
 * chosen; returns how many. */
static size_t choose(cell_set *s, cell_rec **chosen)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        cell_rec *r = &s->rec[i];
        if (k == CHART_PANELS && !ranks_before(s, r, chosen[k - 1]))
            continue;
        size_t at = k < CHART_PANELS ? k++ : k - 1;
        for (; at > 0 && ranks_before(s, r, chosen[at - 1]); at--)
            chosen[at] = chosen[at - 1];
        chosen[at] = r;
    }
    for (size_t i = 1; i < k; i++) /* a dozen at most: insertion */
        for (size_t j = i; j > 0 && name_cmp(s, chosen[j], chosen[j - 1]) < 0; j--) {
            cell_rec *t = chosen[j];
            chosen[j] = chosen[j - 1];
            chosen[j - 1] = t;
        }
    for (size_t i = 0; i < k; i++)
        chosen[i]->panel = i;
    return k;
}

int chart_from_csv(const char *index_csv, const char *cells_csv, size_t last, const chart_opts *o,
                   const char *path, char *err, size_t errlen)
{
    char msg[300];
    index_rows x = {last ? last : 1, -1, -1, -1, -1, -1, -1, -1, -1, "", 0, 0, 0, NULL, NULL};
    cells_pass c;
    memset(&c, 0, sizeof c);
    const char **labels = NULL;
    char **names = NULL;
    size_t ncells = 0;
    double *v = NULL;
    period_key *keys = NULL;
    int rc = -1;
    if (table_scan(index_csv, on_index_row, &x, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "%s: %s", index_csv, msg);
        goto done;
    }
    size_t n = x.count, m = n ? n : 1;
    labels = calloc(m, sizeof *labels);
    v = calloc(NV * m, sizeof *v);
    keys = calloc(m, sizeof *keys);
    if (!labels || !v || !keys)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        size_t s = (x.start + i) % x.cap;
        labels[i] = x.label[s];
        keys[i] = (period_key){x.label[s], strlen(x.label[s]), i};
        v[i] = x.v[s][0];
        v[n + i] = x.v[s][1];
        for (int k = 2; k < NV; k++)
            v[(size_t)k * n + i] = x.v[s][k];
    }
    qsort(keys, n, sizeof *keys, by_label);
    c.keys = keys;
    c.n = n;
    cell_rec *chosen[CHART_PANELS];
    u128 shown = 0;
    if (cells_csv) {
        if (table_scan(cells_csv, on_cell_sum, &c, msg, sizeof msg) != 0) {
            snprintf(err, errlen, "%s: %s", cells_csv, msg);
            goto done;
        }
        size_t drawn = choose(&c.set, chosen);
        if (drawn && !(names = calloc(drawn, sizeof *names)))
            goto nomem;
        ncells = drawn;
        for (size_t k = 0; k < ncells; k++) {
            shown += chosen[k]->sum;
            names[k] = malloc(chosen[k]->len + 1);
            c.series[k] = malloc(m * sizeof *c.series[k]);
            if (!names[k] || !c.series[k])
                goto nomem;
            memcpy(names[k], c.set.names + chosen[k]->off, chosen[k]->len);
            names[k][chosen[k]->len] = '\0';
            char shown_as[256]; /* drawn under its display name */
            labels_cell(o->labels, o->lang, names[k], shown_as, sizeof shown_as);
            char *dup = strdup(shown_as);
            if (!dup)
                goto nomem;
            free(names[k]);
            names[k] = dup;
            for (size_t i = 0; i < n; i++)
                c.series[k][i] = NAN;
        }
        if (table_scan(cells_csv, on_cell_series, &c, msg, sizeof msg) != 0) {
            snprintf(err, errlen, "%s: %s", cells_csv, msg);
            goto done;
        }
    }
    chart_data d = {n,
                    labels,
                    v,
                    v + n,
                    v + 2 * n,
                    ncells,
                    (const char *const *)names,
                    (const double *const *)c.series,
                    c.set.n - ncells,
                    c.total ? (double)(c.total - shown) / (double)c.total : 0.0,
                    x.clo >= 0 && x.chi >= 0 ? v + 3 * n : NULL,
                    x.clo >= 0 && x.chi >= 0 ? v + 4 * n : NULL,
                    x.cpr >= 0 ? v + 5 * n : NULL,
                    x.as_of[0] ? x.as_of : NULL};
    rc = chart_write(&d, o, path, err, errlen);
    goto done;
nomem:
    snprintf(err, errlen, "out of memory");
done:
    for (size_t k = 0; k < CHART_PANELS; k++)
        free(c.series[k]);
    for (size_t k = 0; names && k < ncells; k++)
        free(names[k]);
    free(names);
    cell_set_free(&c.set);
    free(c.join);
    for (size_t i = 0; i < x.count; i++)
        free(x.label[(x.start + i) % x.cap]);
    free(x.label);
    free(x.v);
    free(labels);
    free(v);
    free(keys);
    return rc;
}
