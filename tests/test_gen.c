/* Tests for the synthetic contract generator (gen/gen.h).
 *
 * The output is read back with libcsv (an independent RFC 4180 parser) and
 * checked against the distributions the generator promises. Sample sizes are
 * chosen so each statistical bound is several standard errors wide; the
 * tolerance is stated next to each check. */
#include <criterion/criterion.h>

#include <csv.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <iconv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "gen/gen.h"
#include "techidx/period.h"

static const char *const sector_names[] = {
    "electronic_information",
    "advanced_manufacturing",
    "biomedicine",
    "new_materials",
    "new_energy",
    "environment",
    "aerospace",
    "modern_transport",
    "urban_development",
    "agriculture",
    "nuclear",
};
#define N_SECTORS 11

static const char *const english_header[] = {
    "contract_id", "signed_on",  "sector", "contract_type", "buyer_region", "seller_region",
    "seller_type", "buyer_type", "amount", "tech_amount",   "notes"};

/* The columns: F_COUNT of them, the ones the checks read by index. */
enum {
    F_ID,
    F_DATE,
    F_SECTOR,
    F_TYPE,
    F_BUYER,
    F_SELLER,
    F_SELLER_TYPE,
    F_BUYER_TYPE,
    F_AMOUNT,
    F_TECH,
    F_NOTES,
    F_COUNT
};

static const char *const party_names[] = {"enterprise", "university", "institute", "other"};
#define N_PARTIES 4

/* ---- helpers ------------------------------------------------------------ */

static void setup(void) { gsl_set_error_handler_off(); }

TestSuite(gen, .init = setup);

static char *temp_path(void)
{
    char *p = strdup("/tmp/test_gen_XXXXXX");
    cr_assert_not_null(p);
    int fd = mkstemp(p);
    cr_assert(fd >= 0);
    close(fd);
    return p;
}

static void drop(char *path)
{
    unlink(path);
    free(path);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    cr_assert(n >= 0);
    rewind(fp);
    unsigned char *buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* tix_gen_write into a file at path (NULL path: a NULL stream). */
static tix_status gen_to(const tix_gen_opts *o, const char *path, char *err, size_t errlen)
{
    FILE *f = NULL;
    if (path) {
        f = fopen(path, "wb");
        cr_assert_not_null(f, "cannot open %s", path);
    }
    tix_status st = tix_gen_write(o, f, err, errlen);
    if (f)
        fclose(f);
    return st;
}

static char *generate(const tix_gen_opts *o)
{
    char err[256];
    char *path = temp_path();
    tix_status st = gen_to(o, path, err, sizeof err);
    cr_assert_eq(st, TIX_OK, "tix_gen_write: %s", err);
    return path;
}

static int32_t day(int y, int m, int d) { return tix_days_from_civil(y, m, d); }

/* ---- reading the CSV back ------------------------------------------------ */

#define MAXF 12
#define FLEN 200

struct row {
    int nf; /* may exceed MAXF; only the first MAXF fields are kept */
    size_t len[MAXF];
    char f[MAXF][FLEN];
};

typedef void (*row_fn)(const struct row *r, size_t index, void *ctx);

struct scan {
    struct row cur;
    struct row header;
    size_t rows; /* data rows seen */
    row_fn fn;
    void *ctx;
};

static void on_field(void *s, size_t len, void *data)
{
    struct scan *sc = data;
    struct row *r = &sc->cur;
    if (r->nf < MAXF) {
        cr_assert_lt(len, (size_t)FLEN, "field too long");
        if (len > 0)
            memcpy(r->f[r->nf], s, len);
        r->f[r->nf][len] = '\0';
        r->len[r->nf] = len;
    }
    r->nf++;
}

static void on_row(int c, void *data)
{
    struct scan *sc = data;
    (void)c;
    if (sc->header.nf == 0)
        sc->header = sc->cur;
    else
        sc->fn(&sc->cur, sc->rows++, sc->ctx);
    sc->cur.nf = 0;
}

/* Keep spaces: libcsv trims them from unquoted fields by default. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static struct scan *scan_file_delim(const char *path, unsigned char delim, row_fn fn, void *ctx);

static struct scan *scan_file(const char *path, row_fn fn, void *ctx)
{
    return scan_file_delim(path, ',', fn, ctx);
}

static struct scan *scan_file_delim(const char *path, unsigned char delim, row_fn fn, void *ctx)
{
    size_t len;
    unsigned char *buf = slurp(path, &len);
    struct csv_parser p;
    struct scan *sc = calloc(1, sizeof *sc);
    cr_assert_not_null(sc);
    sc->fn = fn;
    sc->ctx = ctx;
    cr_assert_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    csv_set_space_func(&p, no_space);
    csv_set_delim(&p, delim);
    cr_assert_eq(csv_parse(&p, buf, len, on_field, on_row, sc), len, "libcsv: %s",
                 csv_strerror(csv_error(&p)));
    cr_assert_eq(csv_fini(&p, on_field, on_row, sc), 0);
    csv_free(&p);
    free(buf);
    return sc;
}

/* "digits.2digits" into cents: 1 valid, 2 well-formed but past INT64_MAX
 * cents, 0 malformed. */
static int parse_money(const char *s, size_t n, int64_t *cents)
{
    int64_t v = 0;
    int overflow = 0;
    if (n < 4 || s[n - 3] != '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (i == n - 3)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return 0;
        int d = s[i] - '0';
        if (v > (INT64_MAX - d) / 10)
            overflow = 1;
        else
            v = v * 10 + d;
    }
    if (overflow)
        return 2;
    *cents = v;
    return 1;
}

enum {
    K_FIELD_COUNT,
    K_EMPTY_ID,
    K_BAD_DATE,
    K_BAD_AMOUNT,
    K_BAD_TECH,
    K_OVERFLOW,
    K_TECH_EXCEEDS,
    K_EMPTY_DIMENSION,
    K_KINDS
};

/* The defects of one row as the engine should see them, one bit each. A
 * check runs only when the row has the field. */
static unsigned defects(const struct row *r)
{
    unsigned m = 0;
    int32_t d;
    int64_t amount = 0, tech = 0;
    int a = 0, t = 0;
    if (r->nf != F_COUNT)
        m |= 1u << K_FIELD_COUNT;
    if (r->nf > 0 && r->len[0] == 0)
        m |= 1u << K_EMPTY_ID;
    if (r->nf > 1 && tix_date_parse(r->f[1], r->len[1], &d) != TIX_OK)
        m |= 1u << K_BAD_DATE;
    if (r->nf > 2 && r->len[2] == 0)
        m |= 1u << K_EMPTY_DIMENSION;
    if (r->nf > F_AMOUNT) {
        a = parse_money(r->f[F_AMOUNT], r->len[F_AMOUNT], &amount);
        if (a == 0)
            m |= 1u << K_BAD_AMOUNT;
        else if (a == 2)
            m |= 1u << K_OVERFLOW;
    }
    if (r->nf > F_TECH) {
        t = parse_money(r->f[F_TECH], r->len[F_TECH], &tech);
        if (t != 1)
            m |= 1u << K_BAD_TECH;
    }
    if (a == 1 && t == 1 && tech > amount)
        m |= 1u << K_TECH_EXCEEDS;
    return m;
}

static int popcount(unsigned m)
{
    int n = 0;
    for (; m; m &= m - 1)
        n++;
    return n;
}

static int sector_index(const char *s)
{
    for (int i = 0; i < N_SECTORS; i++)
        if (strcmp(s, sector_names[i]) == 0)
            return i;
    return -1;
}

/* ---- options ------------------------------------------------------------- */

Test(gen, defaults_match_header_comment)
{
    tix_gen_opts o;
    memset(&o, 0x5a, sizeof o);
    tix_gen_opts_init(&o);
    cr_expect_eq(o.rows, 1000);
    cr_expect_eq(o.seed, 1);
    cr_expect_eq(o.from_day, day(2022, 1, 1));
    cr_expect_eq(o.to_day, day(2024, 12, 31));
    cr_expect_eq(o.dirty, 0.0);
    cr_expect_eq(o.chinese_headers, 0);
    cr_expect_eq(o.gzip, 0);
    cr_expect_eq(o.quoted_notes, TIX_GEN_QUOTED_NOTES);
    cr_expect_eq(TIX_GEN_QUOTED_NOTES, 0.1); /* gen.h: a tenth */
}

static void expect_invalid(const tix_gen_opts *o, const char *path)
{
    char err[128] = "unchanged";
    cr_expect_eq(gen_to(o, path, err, sizeof err), TIX_E_INVALID);
    cr_expect(err[0] != '\0' && strcmp(err, "unchanged") != 0, "no message");
}

Test(gen, rejects_invalid_options)
{
    tix_gen_opts o;
    char *path = temp_path();
    tix_gen_opts_init(&o);
    o.from_day = day(2024, 1, 2);
    o.to_day = day(2024, 1, 1);
    expect_invalid(&o, path);

    tix_gen_opts_init(&o);
    o.dirty = -0.01;
    expect_invalid(&o, path);
    o.dirty = 1.01;
    expect_invalid(&o, path);
    o.dirty = NAN;
    expect_invalid(&o, path);

    tix_gen_opts_init(&o);
    o.quoted_notes = -0.01;
    expect_invalid(&o, path);
    o.quoted_notes = 1.01;
    expect_invalid(&o, path);
    o.quoted_notes = NAN;
    expect_invalid(&o, path);

    tix_gen_opts_init(&o);
    o.from_day = day(1600, 1, 1);
    o.to_day = day(2000, 1, 1); /* 400 years and one day */
    expect_invalid(&o, path);
    o.to_day = day(1999, 12, 31); /* exactly 400 years is allowed */
    o.rows = 10;
    cr_expect_eq(gen_to(&o, path, NULL, 0), TIX_OK);

    tix_gen_opts_init(&o);
    o.from_day = day(1, 1, 1) - 1;
    expect_invalid(&o, path);

    tix_gen_opts_init(&o);
    o.rows = 1000000000000ULL; /* contract_id has 12 digits */
    expect_invalid(&o, path);

    tix_gen_opts_init(&o);
    expect_invalid(&o, NULL); /* no stream */
    expect_invalid(NULL, path);
    drop(path);
}

Test(gen, write_failure_is_io_error)
{
    tix_gen_opts o;
    char err[128] = "";
    tix_gen_opts_init(&o);
    cr_expect_eq(gen_to(&o, "/dev/full", err, sizeof err), TIX_E_IO);
    cr_expect(strstr(err, "No space left") != NULL, "err = %s", err);
}

/* ---- bytes --------------------------------------------------------------- */

Test(gen, same_options_same_bytes)
{
    tix_gen_opts o;
    tix_gen_opts_init(&o);
    o.rows = 3000;
    o.seed = 42;
    o.dirty = 0.1;
    char *a = generate(&o), *b = generate(&o);
    o.seed = 43;
    char *c = generate(&o);
    size_t na, nb, nc;
    unsigned char *ba = slurp(a, &na), *bb = slurp(b, &nb), *bc = slurp(c, &nc);
    cr_expect_eq(na, nb);
    cr_expect(na == nb && memcmp(ba, bb, na) == 0, "same seed, different bytes");
    cr_expect(na != nc || memcmp(ba, bc, na) != 0, "different seed, same bytes");
    free(ba);
    free(bb);
    free(bc);
    drop(a);
    drop(b);
    drop(c);
}

Test(gen, zero_rows_is_header_only)
{
    tix_gen_opts o;
    tix_gen_opts_init(&o);
    o.rows = 0;
    char *path = generate(&o);
    size_t n;
    unsigned char *buf = slurp(path, &n);
    const char *want = "contract_id,signed_on,sector,contract_type,buyer_region,"
                       "seller_region,seller_type,buyer_type,amount,tech_amount,notes\n";
    cr_expect_eq(n, strlen(want));
    cr_expect(n == strlen(want) && memcmp(buf, want, n) == 0);
    free(buf);
    drop(path);
}

Test(gen, chinese_header)
{
    tix_gen_opts o;
    tix_gen_opts_init(&o);
    o.rows = 5;
    o.chinese_headers = 1;
    char *path = generate(&o);
    size_t n;
    unsigned char *buf = slurp(path, &n);
    const char *want = "合同编号,签订日期,技术领域,合同类型,买方地区,卖方地区,卖方类型,"
                       "买方类型,合同成交额,技术交易额,备注\nTC000000000001,";
    cr_expect(n > strlen(want) && memcmp(buf, want, strlen(want)) == 0);
    free(buf);
    drop(path);
}

static unsigned char *gunzip(const unsigned char *in, size_t n, size_t *outlen)
{
    size_t cap = n * 8 + 1024, len = 0;
    unsigned char *out = malloc(cap);
    z_stream z;
    memset(&z, 0, sizeof z);
    cr_assert_not_null(out);
    cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)n;
    int rc;
    do {
        if (cap - len < 65536) {
            cap *= 2;
            out = realloc(out, cap);
            cr_assert_not_null(out);
        }
        z.next_out = out + len;
        z.avail_out = (uInt)(cap - len);
        rc = inflate(&z, Z_NO_FLUSH);
        cr_assert(rc == Z_OK || rc == Z_STREAM_END, "inflate: %d", rc);
        len = cap - z.avail_out;
    } while (rc != Z_STREAM_END);
    cr_expect_eq(z.avail_in, 0, "trailing bytes after the gzip stream");
    inflateEnd(&z);
    *outlen = len;
    return out;
}

Test(gen, gzip_is_the_plain_bytes_compressed)
{
    tix_gen_opts o;
    tix_gen_opts_init(&o);
    o.rows = 20000; /* > 1 MiB of text: several deflate calls */
    o.seed = 9;
    o.dirty = 0.05;
    char *plain = generate(&o);
    o.gzip = 1;
    char *gz = generate(&o);
    size_t np, nz, nu;
    unsigned char *bp = slurp(plain, &np), *bz = slurp(gz, &nz);
    cr_assert_gt(nz, 18);
    cr_expect_eq(bz[0], 0x1f);
    cr_expect_eq(bz[1], 0x8b);
    cr_expect(bz[4] == 0 && bz[5] == 0 && bz[6] == 0 && bz[7] == 0, "gzip mtime is not 0");
    cr_expect_eq(bz[3] & 0x08, 0, "gzip header carries a file name");
    unsigned char *bu = gunzip(bz, nz, &nu);
    cr_expect_eq(nu, np);
    cr_expect(nu == np && memcmp(bu, bp, np) == 0, "gunzip differs from the plain output");
    free(bp);
    free(bz);
    free(bu);
    drop(plain);
    drop(gz);
}

/* ---- clean data ---------------------------------------------------------- */

struct clean_stats {
    int32_t from, to;
    size_t bad; /* rows with any defect */
    size_t sector[N_SECTORS];
    size_t weekend, december, year_first, year_last;
    size_t service, development, other_type;
    size_t seller_sz_gd, seller_other_max;
    size_t seller[32];
    char seller_name[32][32];
    int n_sellers;
    size_t round1000, tech_equal, big;
    int64_t total, big_total;
    size_t notes_empty, notes_newline, notes_quote_comma;
    size_t bad_id, unknown_sector;
    size_t seller_type[N_PARTIES], buyer_type[N_PARTIES], unknown_party;
    double seller_log[N_PARTIES]; /* sum of ln(amount) per seller type */
};

static int party_index(const char *s)
{
    for (int i = 0; i < N_PARTIES; i++)
        if (strcmp(s, party_names[i]) == 0)
            return i;
    return -1;
}

static void clean_row(const struct row *r, size_t index, void *ctx)
{
    struct clean_stats *s = ctx;
    int32_t d = 0;
    int64_t amount = 0, tech = 0;
    char want_id[32];
    int y, m, dd;

    if (defects(r) != 0) {
        s->bad++;
        return;
    }
    snprintf(want_id, sizeof want_id, "TC%012zu", index + 1);
    if (strcmp(r->f[0], want_id) != 0)
        s->bad_id++;

    tix_date_parse(r->f[1], r->len[1], &d);
    if (d < s->from || d > s->to)
        s->bad++;
    tix_civil_from_days(d, &y, &m, &dd);
    int wd = (int)(((d + 3) % 7 + 7) % 7); /* 0 = Monday */
    s->weekend += wd >= 5;
    s->december += m == 12;
    s->year_first += y == 2022;
    s->year_last += y == 2024;

    int si = sector_index(r->f[2]);
    if (si < 0)
        s->unknown_sector++;
    else
        s->sector[si]++;

    if (strcmp(r->f[3], "service") == 0)
        s->service++;
    else if (strcmp(r->f[3], "development") == 0)
        s->development++;
    else
        s->other_type++;

    int k;
    for (k = 0; k < s->n_sellers; k++)
        if (strcmp(s->seller_name[k], r->f[F_SELLER]) == 0)
            break;
    if (k == s->n_sellers && k < 32) {
        cr_assert_lt(r->len[F_SELLER], sizeof s->seller_name[k]);
        memcpy(s->seller_name[k], r->f[F_SELLER], r->len[F_SELLER] + 1);
        s->n_sellers++;
    }
    if (k < 32)
        s->seller[k]++;

    parse_money(r->f[F_AMOUNT], r->len[F_AMOUNT], &amount);
    parse_money(r->f[F_TECH], r->len[F_TECH], &tech);
    int st = party_index(r->f[F_SELLER_TYPE]), bt = party_index(r->f[F_BUYER_TYPE]);
    if (st < 0 || bt < 0) {
        s->unknown_party++;
    } else {
        s->seller_type[st]++;
        s->buyer_type[bt]++;
        s->seller_log[st] += log((double)amount);
    }
    s->round1000 += amount % 100000 == 0;
    s->tech_equal += tech == amount;
    s->total += amount;
    if (amount >= INT64_C(1000000000)) { /* 10M yuan */
        s->big++;
        s->big_total += amount;
    }

    s->notes_empty += r->len[F_NOTES] == 0;
    s->notes_newline += strchr(r->f[F_NOTES], '\n') != NULL;
    s->notes_quote_comma +=
        strchr(r->f[F_NOTES], '"') != NULL && strchr(r->f[F_NOTES], ',') != NULL;
}

Test(gen, clean_rows_are_valid_and_shaped)
{
    const size_t rows = 20000;
    struct clean_stats s;
    tix_gen_opts o;
    memset(&s, 0, sizeof s);
    tix_gen_opts_init(&o);
    o.rows = rows;
    o.seed = 2024;
    s.from = o.from_day;
    s.to = o.to_day;
    char *path = generate(&o);
    struct scan *sc = scan_file(path, clean_row, &s);

    cr_assert_eq(sc->rows, rows);
    cr_expect_eq(sc->header.nf, F_COUNT);
    for (int i = 0; i < F_COUNT && i < sc->header.nf; i++)
        cr_expect_str_eq(sc->header.f[i], english_header[i]);
    cr_expect_eq(s.bad, 0, "%zu clean rows are broken or out of range", s.bad);
    cr_expect_eq(s.bad_id, 0);
    cr_expect_eq(s.unknown_sector, 0);

    /* Sectors: all eleven present, electronic_information the largest at
     * 35% (binomial s.e. 0.34%, bound +-3%). */
    for (int i = 0; i < N_SECTORS; i++) {
        cr_expect_gt(s.sector[i], 0, "sector %s missing", sector_names[i]);
        cr_expect_leq(s.sector[i], s.sector[0]);
    }
    cr_expect_float_eq((double)s.sector[0] / rows, 0.35, 0.03);
    cr_expect_gt(s.sector[1], s.sector[2]); /* 15% vs 10% */

    /* Contract types: service (35%) and development (30%) lead. */
    cr_expect_gt(s.service + s.development, s.other_type);
    cr_expect_gt(s.development, rows / 4);

    /* Sellers: Shenzhen or Guangdong is the most common. */
    int top = 0;
    for (int k = 1; k < s.n_sellers; k++)
        if (s.seller[k] > s.seller[top])
            top = k;
    cr_expect(strcmp(s.seller_name[top], "shenzhen") == 0 ||
                  strcmp(s.seller_name[top], "guangdong") == 0,
              "top seller %s", s.seller_name[top]);
    cr_expect_leq(s.n_sellers, 20);

    /* Calendar: weekends ~4.4% of signings; December ~1.9x an average month
     * (15.7% +- 0.26%); 12%/year growth gives 2024/2022 = 1.254 (+-0.03). */
    cr_expect_lt((double)s.weekend / rows, 0.08);
    cr_expect_gt((double)s.weekend / rows, 0.02);
    cr_expect_float_eq((double)s.december / rows * 12, 1.85, 0.25);
    cr_expect_float_eq((double)s.year_last / (double)s.year_first, 1.254, 0.12);

    /* Amounts: 45% round to 1000 yuan; tech == amount 40%; the >= 10M tail
     * is 2-8% of contracts and carries most of the value. */
    cr_expect_float_eq((double)s.round1000 / rows, 0.45, 0.05);
    cr_expect_float_eq((double)s.tech_equal / rows, 0.40, 0.04);
    cr_expect_geq((double)s.big / rows, 0.02, "big share %f", (double)s.big / rows);
    cr_expect_leq((double)s.big / rows, 0.08, "big share %f", (double)s.big / rows);
    cr_expect_gt((double)s.big_total / (double)s.total, 0.5, "big value share %f",
                 (double)s.big_total / (double)s.total);

    /* Notes: mostly empty, about 10% quoted with commas, some multi-line. */
    cr_expect_gt(s.notes_empty, rows / 2);
    cr_expect_gt(s.notes_newline, 0);
    cr_expect_gt(s.notes_quote_comma, 0);

    /* Sellers: enterprises 75%, universities 12%, institutes 8%, others 5%
     * (binomial s.e. <= 0.31%, bound +-1.5%); buyers 88/3/4/5% (bound +-1%).
     * Universities and institutes sell larger contracts: their geometric
     * mean amount is about 1.8x an enterprise's (s.e. of the log ratio
     * about 0.03; bound 1.5..2.3), others' about the same (0.8..1.25). */
    static const double seller_want[N_PARTIES] = {0.75, 0.12, 0.08, 0.05};
    static const double buyer_want[N_PARTIES] = {0.88, 0.03, 0.04, 0.05};
    cr_expect_eq(s.unknown_party, 0);
    for (int i = 0; i < N_PARTIES; i++) {
        cr_expect_float_eq((double)s.seller_type[i] / rows, seller_want[i], 0.015, "seller %s %f",
                           party_names[i], (double)s.seller_type[i] / rows);
        cr_expect_float_eq((double)s.buyer_type[i] / rows, buyer_want[i], 0.01, "buyer %s %f",
                           party_names[i], (double)s.buyer_type[i] / rows);
    }
    double log_ent = s.seller_log[0] / (double)s.seller_type[0];
    for (int i = 1; i < N_PARTIES; i++) {
        double ratio = exp(s.seller_log[i] / (double)s.seller_type[i] - log_ent);
        cr_expect(i == 3 ? ratio > 0.8 && ratio < 1.25 : ratio > 1.5 && ratio < 2.3,
                  "geometric mean of %s sellers %.3fx an enterprise's", party_names[i], ratio);
    }

    /* Average physical row length 100-125 bytes (the two type columns add
     * about 22). */
    size_t n;
    unsigned char *buf = slurp(path, &n);
    cr_expect_geq((double)n / rows, 100.0);
    cr_expect_leq((double)n / rows, 125.0);
    free(buf);
    free(sc);
    drop(path);
}

struct drift_stats {
    int32_t from;
    size_t n[N_SECTORS];
    double *x[N_SECTORS], *y[N_SECTORS];
};

static void drift_row(const struct row *r, size_t index, void *ctx)
{
    struct drift_stats *s = ctx;
    int32_t d;
    int64_t amount;
    (void)index;
    int si = sector_index(r->f[2]);
    cr_assert(si >= 0);
    cr_assert_eq(tix_date_parse(r->f[1], r->len[1], &d), TIX_OK);
    cr_assert_eq(parse_money(r->f[F_AMOUNT], r->len[F_AMOUNT], &amount), 1);
    if (amount >= INT64_C(1000000000)) /* the Pareto tail does not drift down */
        return;
    s->x[si][s->n[si]] = (d - s->from) / 365.2425;
    s->y[si][s->n[si]] = log((double)amount);
    s->n[si]++;
}

/* Sector unit values follow their own trend, so a unit-value index moves:
 * the fitted log-growth per year is electronic_information +0.06 and
 * urban_development -0.04 (s.e. of each slope < 0.01; bound +-0.025). */
Test(gen, sector_unit_values_drift_apart)
{
    const size_t rows = 40000;
    struct drift_stats s;
    tix_gen_opts o;
    memset(&s, 0, sizeof s);
    tix_gen_opts_init(&o);
    o.rows = rows;
    o.seed = 5;
    o.from_day = day(2010, 1, 1);
    o.to_day = day(2024, 12, 31);
    s.from = o.from_day;
    for (int i = 0; i < N_SECTORS; i++) {
        s.x[i] = malloc(rows * sizeof(double));
        s.y[i] = malloc(rows * sizeof(double));
        cr_assert(s.x[i] && s.y[i]);
    }
    char *path = generate(&o);
    free(scan_file(path, drift_row, &s));

    double c0, c1, cov00, cov01, cov11, sumsq;
    cr_assert_eq(
        gsl_fit_linear(s.x[0], 1, s.y[0], 1, s.n[0], &c0, &c1, &cov00, &cov01, &cov11, &sumsq),
        GSL_SUCCESS);
    cr_expect_float_eq(c1, 0.06, 0.025, "electronic_information slope %f", c1);
    double elec = c1;
    cr_assert_eq(
        gsl_fit_linear(s.x[8], 1, s.y[8], 1, s.n[8], &c0, &c1, &cov00, &cov01, &cov11, &sumsq),
        GSL_SUCCESS);
    cr_expect_float_eq(c1, -0.04, 0.025, "urban_development slope %f", c1);
    cr_expect_gt(elec - c1, 0.05);
    for (int i = 0; i < N_SECTORS; i++) {
        free(s.x[i]);
        free(s.y[i]);
    }
    drop(path);
}

/* ---- dirty data ----------------------------------------------------------- */

struct dirty_stats {
    size_t multi;  /* rows with more than one defect: must be 0 */
    size_t broken; /* rows with exactly one */
    size_t kind[K_KINDS];
    size_t nf9, nf10, nf12; /* field_count variants */
    size_t amt_comma, amt_neg, amt_exp, amt_3dec, amt_text, amt_empty;
    size_t ovf_nines, ovf_edge;
    size_t date_day_first, date_no_day, date_empty, date_feb29, date_month13, date_31;
    char (*ids)[16];
    size_t n_ids;
};

static void classify_bad_amount(struct dirty_stats *s, const char *f, size_t n)
{
    if (n == 0)
        s->amt_empty++;
    else if (strchr(f, ','))
        s->amt_comma++;
    else if (f[0] == '-')
        s->amt_neg++;
    else if (strchr(f, 'e'))
        s->amt_exp++;
    else if (n > 4 && f[n - 4] == '.')
        s->amt_3dec++;
    else
        s->amt_text++;
}

static void dirty_row(const struct row *r, size_t index, void *ctx)
{
    struct dirty_stats *s = ctx;
    (void)index;
    unsigned m = defects(r);
    int k = popcount(m);
    if (k > 1)
        s->multi++;
    if (k == 1) {
        s->broken++;
        for (int i = 0; i < K_KINDS; i++)
            if (m & (1u << i))
                s->kind[i]++;
    }
    if (r->len[0] > 0) {
        cr_assert_lt(r->len[0], 16);
        memcpy(s->ids[s->n_ids++], r->f[0], r->len[0] + 1);
    }
    s->nf9 += r->nf == 9;
    s->nf10 += r->nf == 10;
    s->nf12 += r->nf == 12;
    if (m & (1u << K_BAD_AMOUNT))
        classify_bad_amount(s, r->f[F_AMOUNT], r->len[F_AMOUNT]);
    if (m & (1u << K_OVERFLOW)) {
        s->ovf_nines += strcmp(r->f[F_AMOUNT], "99999999999999999999.00") == 0;
        s->ovf_edge += strcmp(r->f[F_AMOUNT], "92233720368547758.08") == 0;
    }
    if (m & (1u << K_BAD_DATE)) {
        const char *f = r->f[1];
        s->date_empty += r->len[1] == 0;
        s->date_day_first += strchr(f, '/') != NULL; /* DD/MM/YYYY */
        s->date_no_day += r->len[1] == 7;            /* YYYY-MM */
        s->date_feb29 += r->len[1] == 10 && strcmp(f + 4, "-02-29") == 0;
        s->date_month13 += r->len[1] == 10 && strncmp(f + 4, "-13-", 4) == 0;
        s->date_31 += r->len[1] == 10 && strcmp(f + 7, "-31") == 0;
    }
}

static int cmp_id(const void *a, const void *b) { return strcmp(a, b); }

static struct dirty_stats *scan_dirty(double dirty, size_t rows, unsigned long seed)
{
    struct dirty_stats *s = calloc(1, sizeof *s);
    tix_gen_opts o;
    cr_assert_not_null(s);
    s->ids = calloc(rows, sizeof *s->ids);
    cr_assert_not_null(s->ids);
    tix_gen_opts_init(&o);
    o.rows = rows;
    o.seed = seed;
    o.dirty = dirty;
    char *path = generate(&o);
    struct scan *sc = scan_file(path, dirty_row, s);
    cr_assert_eq(sc->rows, rows);
    free(sc);
    drop(path);

    /* Every non-empty contract id is still unique. */
    qsort(s->ids, s->n_ids, sizeof *s->ids, cmp_id);
    for (size_t i = 1; i < s->n_ids; i++)
        cr_assert_str_neq(s->ids[i - 1], s->ids[i], "duplicate id");
    free(s->ids);
    s->ids = NULL;
    return s;
}

/* 20% dirty of 5000 rows: 1000 +- 28 expected broken rows (bound +-125);
 * each of the eight kinds expects 125 (bound >= 60). */
Test(gen, dirty_fraction_and_kinds)
{
    const size_t rows = 5000;
    struct dirty_stats *s = scan_dirty(0.2, rows, 77);
    cr_expect_eq(s->multi, 0, "%zu rows carry more than one defect", s->multi);
    cr_expect_float_eq((double)s->broken / rows, 0.2, 0.025, "broken %zu", s->broken);
    for (int i = 0; i < K_KINDS; i++)
        cr_expect_geq(s->kind[i], 60, "kind %d appears %zu times", i, s->kind[i]);
    free(s);
}

/* With every row dirty, each row has exactly one defect and every variant
 * the engine must reject shows up. */
Test(gen, all_dirty_every_variant)
{
    const size_t rows = 6000;
    struct dirty_stats *s = scan_dirty(1.0, rows, 3);
    cr_expect_eq(s->multi, 0);
    cr_expect_eq(s->broken, rows);
    cr_expect(s->nf9 > 0 && s->nf10 > 0 && s->nf12 > 0, "field counts 9/10/12: %zu %zu %zu", s->nf9,
              s->nf10, s->nf12);
    cr_expect(s->amt_comma && s->amt_neg && s->amt_exp && s->amt_3dec && s->amt_text &&
                  s->amt_empty,
              "bad amount variants missing");
    cr_expect(s->ovf_nines && s->ovf_edge, "overflow variants missing");
    cr_expect(s->date_empty && s->date_day_first && s->date_no_day && s->date_feb29 &&
                  s->date_month13 && s->date_31,
              "bad date variants missing");
    free(s);
}

Test(gen, single_day_range)
{
    tix_gen_opts o;
    tix_gen_opts_init(&o);
    o.rows = 200;
    o.from_day = o.to_day = day(2000, 2, 29);
    char *path = generate(&o);
    size_t n;
    unsigned char *buf = slurp(path, &n);
    size_t hits = 0;
    for (size_t i = 0; i + 12 <= n; i++)
        hits += memcmp(buf + i, ",2000-02-29,", 12) == 0;
    cr_expect_eq(hits, 200);
    free(buf);
    drop(path);
}

/* ---- formats: the same contracts written otherwise ------------------------ */

struct rows {
    struct row *r;
    size_t n, cap;
};

/* The room grows by doubling: a row is 1.5 KB, and growing by one copied
 * the whole array for every row under ASan (whose realloc always moves),
 * tens of GB for a 10,000-row dump. */
static void keep_row(const struct row *r, size_t index, void *ctx)
{
    struct rows *rs = ctx;
    cr_assert_eq(index, rs->n);
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? 2 * rs->cap : 1024;
        rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
        cr_assert_not_null(rs->r);
    }
    rs->r[rs->n++] = *r;
}

static struct rows read_rows(const tix_gen_opts *o, struct row *header)
{
    struct rows rs = {NULL, 0, 0};
    char *path = generate(o);
    struct scan *sc = scan_file_delim(path, (unsigned char)o->delimiter, keep_row, &rs);
    cr_assert_eq(sc->rows, o->rows);
    *header = sc->header;
    free(sc);
    drop(path);
    return rs;
}

/* A 万元 amount back to cents, exactly; -1 when it is not "digits" or
 * "digits.digits" with at most six decimals, the last not 0 (the digits
 * needed and no more). */
static int64_t wan_cents(const char *s, size_t n)
{
    int64_t whole = 0, frac = 0;
    size_t i = 0, decimals = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        if (__builtin_mul_overflow(whole, 10, &whole) ||
            __builtin_add_overflow(whole, s[i] - '0', &whole))
            return -1;
    if (i == 0)
        return -1;
    if (i < n) {
        if (s[i++] != '.' || i == n || s[n - 1] == '0')
            return -1;
        for (; i < n; i++, decimals++) {
            if (s[i] < '0' || s[i] > '9' || decimals == 6)
                return -1;
            frac = frac * 10 + (s[i] - '0');
        }
    }
    for (; decimals < 6; decimals++)
        frac *= 10;
    int64_t c;
    if (__builtin_mul_overflow(whole, 1000000, &c) || __builtin_add_overflow(c, frac, &c))
        return -1; /* past the cents an int64 holds: gen's amount_overflow rows */
    return c;
}

/* The variant's date as the plain ISO text, checking its form. */
static void iso_date(const tix_gen_opts *o, const char *f, size_t n, char iso[11])
{
    switch (o->date_form) {
    case TIX_GEN_DATE_ISO:
        cr_assert_eq(n, 10);
        memcpy(iso, f, 10);
        break;
    case TIX_GEN_DATE_SLASH:
        cr_assert(n == 10 && f[4] == '/' && f[7] == '/', "slash date '%s'", f);
        memcpy(iso, f, 10);
        iso[4] = iso[7] = '-';
        break;
    case TIX_GEN_DATE_COMPACT:
        cr_assert(n == 8 && strspn(f, "0123456789") == 8, "compact date '%s'", f);
        snprintf(iso, 11, "%.4s-%.2s-%.2s", f, f + 4, f + 6);
        break;
    case TIX_GEN_DATE_DATETIME:
    case TIX_GEN_DATE_ISO8601: {
        int iso8601 = o->date_form == TIX_GEN_DATE_ISO8601;
        int hh, mm;
        char sep, tail[16] = "";
        cr_assert_eq(n, iso8601 ? 25u : 19u, "datetime '%s'", f);
        cr_assert_eq(sscanf(f + 10, "%c%2d:%2d:00%15s", &sep, &hh, &mm, tail), 3 + iso8601,
                     "datetime '%s'", f);
        cr_expect_eq(sep, iso8601 ? 'T' : ' ');
        cr_expect(hh >= 8 && hh <= 18 && mm >= 0 && mm <= 59, "time of '%s'", f);
        cr_expect_str_eq(tail, iso8601 ? "+08:00" : "");
        memcpy(iso, f, 10);
        break;
    }
    }
    iso[10] = '\0';
}

/* Every row of the variant o is the plain output's row (same seed, rows,
 * dates, dirty): the same number of fields, and on the clean rows the same
 * id after the prefix, date, cells and amounts in cents. Returns the clean
 * rows compared. */
static size_t same_contracts(const tix_gen_opts *o)
{
    tix_gen_opts plain;
    tix_gen_opts_init(&plain);
    plain.rows = o->rows;
    plain.seed = o->seed;
    plain.dirty = o->dirty;
    plain.from_day = o->from_day;
    plain.to_day = o->to_day;
    struct row hp, hv;
    struct rows a = read_rows(&plain, &hp), b = read_rows(o, &hv);
    const char *prefix = o->id_prefix ? o->id_prefix : "TC";
    size_t clean = 0;
    cr_assert_eq(a.n, b.n);
    cr_assert_eq(hv.nf, hp.nf);
    for (int i = 0; i < hp.nf; i++)
        cr_expect_str_eq(hv.f[i], hp.f[i]);
    for (size_t i = 0; i < a.n; i++) {
        const struct row *p = &a.r[i], *v = &b.r[i];
        cr_assert_eq(v->nf, p->nf, "row %zu: %d fields, plain %d", i + 1, v->nf, p->nf);
        if (defects(p) != 0)
            continue;
        clean++;
        char want[64], iso[11];
        snprintf(want, sizeof want, "%s%s", prefix, p->f[F_ID] + 2);
        cr_expect_str_eq(v->f[F_ID], want, "row %zu", i + 1);
        iso_date(o, v->f[F_DATE], v->len[F_DATE], iso);
        cr_expect_str_eq(iso, p->f[F_DATE], "row %zu", i + 1);
        for (int f = F_SECTOR; f < F_COUNT; f++) {
            if (f == F_AMOUNT || f == F_TECH) {
                int64_t pc = -1, vc;
                cr_assert_eq(parse_money(p->f[f], p->len[f], &pc), 1);
                if (o->amount_unit == TIX_GEN_WAN)
                    vc = wan_cents(v->f[f], v->len[f]);
                else if (parse_money(v->f[f], v->len[f], &vc) != 1)
                    vc = -1;
                cr_expect_eq(vc, pc, "row %zu: '%s' is not %s yuan", i + 1, v->f[f], p->f[f]);
            } else {
                cr_expect_str_eq(v->f[f], p->f[f], "row %zu", i + 1);
            }
        }
    }
    free(a.r);
    free(b.r);
    return clean;
}

static tix_gen_opts variant(void)
{
    tix_gen_opts o;
    tix_gen_opts_init(&o);
    o.rows = 3000;
    o.seed = 42;
    o.dirty = 0.1;
    return o;
}

Test(gen, id_prefix_keeps_the_contracts)
{
    tix_gen_opts o = variant();
    o.id_prefix = "SZ24-";
    cr_expect_gt(same_contracts(&o), 2500);
    o.id_prefix = "";
    cr_expect_gt(same_contracts(&o), 2500);
}

Test(gen, delimiters_keep_the_contracts)
{
    tix_gen_opts o = variant();
    o.delimiter = ';';
    cr_expect_gt(same_contracts(&o), 2500);
    o.delimiter = '\t';
    cr_expect_gt(same_contracts(&o), 2500);
}

Test(gen, wan_amounts_are_the_same_cents)
{
    tix_gen_opts o = variant();
    o.amount_unit = TIX_GEN_WAN;
    cr_expect_gt(same_contracts(&o), 2500);
}

Test(gen, date_forms_keep_the_contracts)
{
    tix_gen_opts o = variant();
    for (int f = TIX_GEN_DATE_ISO; f <= TIX_GEN_DATE_ISO8601; f++) {
        o.date_form = (tix_gen_date_form)f;
        cr_expect_gt(same_contracts(&o), 2500, "date form %d", f);
    }
}

Test(gen, all_formats_at_once_keep_the_contracts)
{
    tix_gen_opts o = variant();
    o.id_prefix = "DT24-";
    o.delimiter = '\t';
    o.amount_unit = TIX_GEN_WAN;
    o.date_form = TIX_GEN_DATE_ISO8601;
    cr_expect_gt(same_contracts(&o), 2500);
}

/* Written in encoding to, the dump converts back to the plain bytes. */
static void encoding_round_trip(tix_gen_encoding enc, const char *name)
{
    tix_gen_opts o = variant();
    o.chinese_headers = 1; /* and 面议 among the bad amounts */
    o.dirty = 0.5;
    o.id_prefix = "深圳-";
    char *plain = generate(&o);
    o.encoding = enc;
    char *coded = generate(&o);
    size_t np, nc;
    unsigned char *bp = slurp(plain, &np), *bc = slurp(coded, &nc);
    cr_expect_lt(nc, np, "%s is shorter than UTF-8 for Chinese text", name);
    int has_junk = 0;
    for (size_t i = 0; i + 6 <= np && !has_junk; i++)
        has_junk = memcmp(bp + i, "面议", 6) == 0;
    cr_expect(has_junk, "no 面议 among the bad amounts");
    iconv_t cd = iconv_open("UTF-8", name);
    cr_assert_neq(cd, (iconv_t)-1);
    size_t cap = nc * 2 + 16, left = cap, in_left = nc;
    char *back = malloc(cap), *out = back, *in = (char *)bc;
    cr_assert_not_null(back);
    cr_assert_neq(iconv(cd, &in, &in_left, &out, &left), (size_t)-1, "%s does not decode", name);
    iconv_close(cd);
    cr_expect_eq(cap - left, np);
    cr_expect(cap - left == np && memcmp(back, bp, np) == 0, "%s back is not the plain bytes",
              name);
    free(back);
    free(bp);
    free(bc);
    drop(plain);
    drop(coded);
}

Test(gen, gb18030_converts_back_to_the_plain_bytes)
{
    encoding_round_trip(TIX_GEN_GB18030, "GB18030");
}

Test(gen, gbk_converts_back_to_the_plain_bytes) { encoding_round_trip(TIX_GEN_GBK, "GBK"); }

/* 万元 with the digits needed: 123456.78 yuan is 12.345678, 100 yuan 0.01,
 * 10000 yuan 1; a bad amount of three decimals in yuan has seven in 万元. */
Test(gen, wan_has_exactly_the_digits_needed)
{
    tix_gen_opts o = variant();
    o.amount_unit = TIX_GEN_WAN;
    o.rows = 20000;
    struct row h;
    struct rows rs = read_rows(&o, &h);
    size_t whole = 0, cents = 0, seven = 0;
    for (size_t i = 0; i < rs.n; i++) {
        const struct row *r = &rs.r[i];
        if (r->nf <= F_AMOUNT)
            continue;
        const char *a = r->f[F_AMOUNT];
        const char *dot = strchr(a, '.');
        if (defects(r) == 0 || wan_cents(a, r->len[F_AMOUNT]) >= 0) {
            cr_expect_geq(wan_cents(a, r->len[F_AMOUNT]), 0, "row %zu: '%s'", i + 1, a);
            whole += dot == NULL;
            cents += dot != NULL && strlen(dot + 1) == 6;
        }
        seven += dot != NULL && strlen(dot + 1) == 7 && strspn(a, "0123456789.") == strlen(a);
    }
    cr_expect_gt(whole, 0, "no amount of whole 万元");
    cr_expect_gt(cents, 0, "no amount with cents");
    cr_expect_gt(seven, 0, "no bad amount with seven decimals");
    free(rs.r);
}

Test(gen, refuses_bad_formats)
{
    char err[256];
    tix_gen_opts o;
    tix_gen_opts_init(&o);
    o.rows = 1;
    o.delimiter = '|';
    cr_expect_eq(gen_to(&o, "/dev/null", err, sizeof err), TIX_E_INVALID);
    tix_gen_opts_init(&o);
    o.id_prefix = "A,B";
    cr_expect_eq(gen_to(&o, "/dev/null", err, sizeof err), TIX_E_INVALID);
    o.id_prefix = "012345678901234567890123456789012"; /* 33 bytes */
    cr_expect_eq(gen_to(&o, "/dev/null", err, sizeof err), TIX_E_INVALID);
    o.id_prefix = "\xf0\x9f\x98\x80-"; /* an emoji: GB18030 has it, GBK does not */
    o.encoding = TIX_GEN_GBK;
    cr_expect_eq(gen_to(&o, "/dev/null", err, sizeof err), TIX_E_INVALID);
    cr_expect(strstr(err, "gbk") != NULL, "%s", err);
    o.encoding = TIX_GEN_GB18030;
    cr_expect_eq(gen_to(&o, "/dev/null", err, sizeof err), TIX_OK, "%s", err);
}

/* ---- truth mode: a market whose true level is known --------------------- */

#define MAX_TRUTH 600

/* The truth file, parsed back. */
struct truth_rows {
    size_t n;
    char period[MAX_TRUTH][TIX_PERIOD_LABEL_MAX];
    char level_text[MAX_TRUTH][32];
    double level[MAX_TRUTH], contracts[MAX_TRUTH], share[MAX_TRUTH][5];
};

static struct truth_rows *read_truth(const tix_gen_opts *o)
{
    char err[256];
    char *path = temp_path();
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    tix_status st = tix_gen_truth_write(o, f, err, sizeof err);
    fclose(f);
    cr_assert_eq(st, TIX_OK, "tix_gen_truth_write: %s", err);
    struct truth_rows *t = calloc(1, sizeof *t);
    cr_assert_not_null(t);
    f = fopen(path, "rb");
    cr_assert_not_null(f);
    char line[512];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_expect_str_eq(line, "period,level,contracts,share_development,share_transfer,"
                           "share_licensing,share_consulting,share_service\n");
    while (fgets(line, sizeof line, f)) {
        cr_assert_lt(t->n, (size_t)MAX_TRUTH);
        size_t k = t->n++;
        cr_assert_eq(sscanf(line, "%31[^,],%31[^,],%lf,%lf,%lf,%lf,%lf,%lf", t->period[k],
                            t->level_text[k], &t->contracts[k], &t->share[k][0], &t->share[k][1],
                            &t->share[k][2], &t->share[k][3], &t->share[k][4]),
                     8, "line %s", line);
        t->level[k] = strtod(t->level_text[k], NULL);
    }
    fclose(f);
    drop(path);
    return t;
}

static void truth_opts(tix_gen_opts *o, int y0, int y1)
{
    tix_gen_opts_init(o);
    o->truth = 1;
    o->from_day = day(y0, 1, 1);
    o->to_day = day(y1, 12, 31);
}

Test(gen, truth_off_changes_nothing)
{
    tix_gen_opts o;
    tix_gen_opts_init(&o);
    o.rows = 2000;
    o.seed = 9;
    o.dirty = 0.05;
    char *a = generate(&o);
    /* Truth-mode fields are ignored while truth is 0. */
    o.truth_period = TIX_PERIOD_MONTH;
    o.trend = 0.3;
    o.return_to_start = 1;
    o.shift_development = 0.5;
    o.holidays = 1;
    char *b = generate(&o);
    o.truth = 1;
    char *c = generate(&o);
    char *d = generate(&o);
    size_t na, nb, nc, nd;
    unsigned char *ba = slurp(a, &na), *bb = slurp(b, &nb), *bc = slurp(c, &nc),
                  *bd = slurp(d, &nd);
    cr_expect(na == nb && memcmp(ba, bb, na) == 0, "truth 0 with truth fields set differs");
    cr_expect(na != nc || memcmp(ba, bc, na) != 0, "truth mode wrote the plain dump");
    cr_expect(nc == nd && memcmp(bc, bd, nc) == 0, "truth mode: same seed, different bytes");
    free(ba);
    free(bb);
    free(bc);
    free(bd);
    drop(a);
    drop(b);
    drop(c);
    drop(d);
}

Test(gen, truth_rejects_invalid_options)
{
    tix_gen_opts o;
    char *path = temp_path();
    truth_opts(&o, 2024, 2024);
    o.shift_development = 0.71; /* the share would pass 1 */
    expect_invalid(&o, path);
    o.shift_development = -0.31;
    expect_invalid(&o, path);
    truth_opts(&o, 2024, 2024);
    o.trend = -1.0;
    expect_invalid(&o, path);
    o.trend = NAN;
    expect_invalid(&o, path);
    truth_opts(&o, 2024, 2024);
    o.truth_period = (tix_period_kind)5;
    expect_invalid(&o, path);
    truth_opts(&o, 2024, 2024);
    o.truth = 0; /* no truth of the plain dump */
    FILE *f = fopen(path, "wb");
    char err[128] = "";
    cr_expect_eq(tix_gen_truth_write(&o, f, err, sizeof err), TIX_E_INVALID);
    cr_expect(err[0] != '\0');
    fclose(f);
    drop(path);
}

/* Two years of weeks, 5% a year: level_k = 100 * 1.05^(7k / 365.2425),
 * week k after 2024-W01, to the six decimals written. */
Test(gen, truth_level_follows_the_trend)
{
    tix_gen_opts o;
    truth_opts(&o, 2024, 2025);
    o.trend = 0.05;
    o.seed = 123; /* the truth does not depend on it */
    struct truth_rows *t = read_truth(&o);
    o.seed = 1;
    struct truth_rows *u = read_truth(&o);
    cr_expect_eq(t->n, 105); /* 2024-W01 .. 2026-W01 (2025-12-31 is in it) */
    cr_expect_str_eq(t->period[0], "2024-W01");
    cr_expect_str_eq(t->period[52], "2025-W01");
    cr_expect_str_eq(t->level_text[0], "100.000000");
    for (size_t k = 0; k < t->n; k++) {
        double want = 100.0 * pow(1.05, 7.0 * (double)k / 365.2425);
        cr_expect(fabs(t->level[k] - want) <= 6e-7, "%s: %.6f, want %.7f", t->period[k],
                  t->level[k], want);
        cr_expect_eq(t->level[k], u->level[k]);
        cr_expect(fabs(t->share[k][0] - 0.30) < 1e-9, "no shift: 30%% development");
    }
    free(t);
    free(u);

    /* Months: the x of a month is its first day's distance from 2024-01-01. */
    o.truth_period = TIX_PERIOD_MONTH;
    o.trend = -0.1;
    t = read_truth(&o);
    cr_expect_eq(t->n, 24);
    cr_expect_str_eq(t->period[0], "2024-01");
    cr_expect_str_eq(t->period[23], "2025-12");
    double want = 100.0 * pow(0.9, (day(2025, 3, 1) - day(2024, 1, 1)) / 365.2425);
    cr_expect(fabs(t->level[14] - want) <= 6e-7, "2025-03: %.6f, want %.7f", t->level[14], want);
    free(t);
}

Test(gen, truth_return_to_start_ends_at_100_exactly)
{
    tix_gen_opts o;
    truth_opts(&o, 2024, 2024);
    o.to_day = day(2024, 12, 29); /* 2024-W01 .. 2024-W52 */
    o.trend = 0.10;
    o.return_to_start = 1;
    struct truth_rows *t = read_truth(&o);
    cr_assert_eq(t->n, 52);
    cr_expect_str_eq(t->level_text[0], "100.000000");
    cr_expect_str_eq(t->level_text[51], "100.000000");
    /* The peak: mid-range, where the plain trend would be, 1.1^(X/2), X = 51 weeks. */
    size_t top = 0;
    for (size_t k = 1; k < t->n; k++)
        if (t->level[k] > t->level[top])
            top = k;
    cr_expect(top == 25 || top == 26, "peak at week %zu", top);
    double x = 25.0 * 7 / 365.2425, span = 51.0 * 7 / 365.2425;
    double want = 100.0 * exp(log(1.1) * 2 * x * (1 - x / span));
    cr_expect(fabs(t->level[25] - want) <= 6e-7, "%.6f, want %.7f", t->level[25], want);
    cr_expect(t->level[25] > 104.0, "the level rises: %.6f", t->level[25]);
    free(t);
}

/* Counts of a dump by ISO week of the range, and development contracts. */
struct week_counts {
    int32_t first_week;
    size_t n[60], dev[60];
};

static void week_row(const struct row *r, size_t index, void *ctx)
{
    struct week_counts *w = ctx;
    int32_t d;
    (void)index;
    cr_assert_eq(tix_date_parse(r->f[F_DATE], r->len[F_DATE], &d), TIX_OK);
    int32_t k = tix_period_of_day(TIX_PERIOD_WEEK, d) - w->first_week;
    cr_assert(k >= 0 && k < 60);
    w->n[k]++;
    w->dev[k] += strcmp(r->f[F_TYPE], "development") == 0;
}

/* 150000 contracts in 2024-W01..W52, the development share rising by 20
 * points: the first 8 weeks' share is 30% + 0.2 * 3.5/52 and the last 8
 * weeks' 30% + 0.2 * 47.5/51 (their mean u), each of about 23000
 * contracts, standard error 0.003: tolerance 0.015. */
Test(gen, truth_composition_shift_moves_the_development_share)
{
    tix_gen_opts o;
    truth_opts(&o, 2024, 2024);
    o.to_day = day(2024, 12, 29);
    o.rows = 150000;
    o.seed = 5;
    o.shift_development = 0.2;
    char *path = generate(&o);
    struct week_counts w = {.first_week = tix_period_of_day(TIX_PERIOD_WEEK, o.from_day)};
    free(scan_file(path, week_row, &w));
    size_t n0 = 0, d0 = 0, n1 = 0, d1 = 0;
    for (int k = 0; k < 8; k++) {
        n0 += w.n[k];
        d0 += w.dev[k];
        n1 += w.n[44 + k];
        d1 += w.dev[44 + k];
    }
    double s0 = (double)d0 / (double)n0, s1 = (double)d1 / (double)n1;
    double want0 = 0.30 + 0.2 * 3.5 / 51.0 * 7.0 / 7.0, want1 = 0.30 + 0.2 * 47.5 / 51.0;
    cr_expect(fabs(s0 - want0) < 0.015, "first weeks: %.4f, want %.4f", s0, want0);
    cr_expect(fabs(s1 - want1) < 0.015, "last weeks: %.4f, want %.4f", s1, want1);
    cr_expect(s1 - s0 > 0.15, "the share rose by %.4f", s1 - s0);

    /* The truth file says the same: its expected shares, linear in time. */
    struct truth_rows *t = read_truth(&o);
    cr_assert_eq(t->n, 52);
    double step = t->share[1][0] - t->share[0][0];
    cr_expect(fabs(step - 0.2 * 7 / 363.0) < 1e-4, "weekly step %.6f", step);
    cr_expect(fabs(t->share[51][0] - t->share[0][0] - 51 * step) < 1e-4);
    for (size_t k = 0; k < t->n; k++) {
        double sum = 0;
        for (int j = 0; j < 5; j++)
            sum += t->share[k][j];
        cr_expect(fabs(sum - 1) < 1e-5, "%s: shares add to %.6f", t->period[k], sum);
        cr_expect(fabs(t->share[k][4] / t->share[k][1] - 3.5) < 1e-3,
                  "the others keep their proportions");
    }
    free(t);
    drop(path);
}

/* Holidays: 2024-W06 holds Spring Festival (10 February) and 2024-W40
 * 1 October. Each has 1/5 of a week's expected contracts in the truth file
 * (exactly, to six decimals) and, in a dump of ~2000 a week, 0.15 to 0.25 of
 * the mean other week (the ratio's standard error is about 0.011). */
Test(gen, truth_holidays_thin_their_weeks)
{
    tix_gen_opts o;
    truth_opts(&o, 2024, 2024);
    o.to_day = day(2024, 12, 29);
    o.holidays = 1;
    o.rows = 100000;
    o.seed = 77;
    struct truth_rows *t = read_truth(&o);
    cr_assert_eq(t->n, 52);
    cr_expect_str_eq(t->period[5], "2024-W06");
    cr_expect_str_eq(t->period[39], "2024-W40");
    double other = t->contracts[0];
    for (size_t k = 0; k < t->n; k++) {
        double want = (k == 5 || k == 39) ? other / 5 : other;
        cr_expect(fabs(t->contracts[k] - want) < 1e-5, "%s: %.6f contracts, want %.6f",
                  t->period[k], t->contracts[k], want);
    }
    cr_expect(fabs(other * 50.4 - 100000) < 1e-3, "50 weeks and two fifths hold the rows");
    free(t);

    char *path = generate(&o);
    struct week_counts w = {.first_week = tix_period_of_day(TIX_PERIOD_WEEK, o.from_day)};
    free(scan_file(path, week_row, &w));
    double mean = 0;
    for (int k = 0; k < 52; k++)
        if (k != 5 && k != 39)
            mean += (double)w.n[k] / 50;
    cr_expect(fabs((double)w.n[5] / mean - 0.2) < 0.05, "W06: %zu of %.0f", w.n[5], mean);
    cr_expect(fabs((double)w.n[39] / mean - 0.2) < 0.05, "W40: %zu of %.0f", w.n[39], mean);
    cr_expect((double)w.n[6] / mean > 0.85, "W07 is a normal week: %zu", w.n[6]);
    drop(path);

    /* Other years from the table: 2023-01-22 (W03), 2025-01-29 (W05), and 1
     * October 2023 (a Sunday: W39). */
    truth_opts(&o, 2023, 2023);
    o.from_day = day(2023, 1, 2); /* 2023-01-01 is in 2022-W52 */
    o.holidays = 1;
    t = read_truth(&o);
    cr_expect_str_eq(t->period[2], "2023-W03");
    cr_expect_str_eq(t->period[38], "2023-W39");
    for (size_t k = 0; k < t->n; k++)
        cr_expect((t->contracts[k] < t->contracts[1] * 0.21) == (k == 2 || k == 38), "%s: %.3f",
                  t->period[k], t->contracts[k]);
    free(t);
    truth_opts(&o, 2025, 2025);
    o.holidays = 1;
    t = read_truth(&o);
    cr_expect_str_eq(t->period[4], "2025-W05");
    cr_expect(t->contracts[4] < t->contracts[1] * 0.21);
    free(t);
}

/* The truth checked without techidx's index code: a time-dummy regression
 * of log amount on quarter dummies and cell dummies (type x sector x
 * seller type), fitted by alternating means, on 400000 contracts over two
 * years with the true level up 20% a year and the development share up 30
 * points. Each quarter's estimate has a standard error of about 0.01 in
 * logs; tolerance 0.035. The mean log amount per quarter, which ignores
 * the characteristics, is off by the composition shift (more than 0.1 by
 * the last quarter): the check can tell. */
#define TD_CELLS (5 * N_SECTORS * N_PARTIES)
#define TD_ROWS 400000
struct td {
    int32_t first_q;
    size_t n;
    unsigned char q[TD_ROWS];
    unsigned short cell[TD_ROWS];
    double y[TD_ROWS];
};

static int type_index(const char *s)
{
    static const char *const names[] = {"development", "transfer", "licensing", "consulting",
                                        "service"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static void td_row(const struct row *r, size_t index, void *ctx)
{
    struct td *t = ctx;
    int32_t d;
    int64_t cents;
    (void)index;
    cr_assert_lt(t->n, (size_t)TD_ROWS);
    cr_assert_eq(tix_date_parse(r->f[F_DATE], r->len[F_DATE], &d), TIX_OK);
    cr_assert_eq(parse_money(r->f[F_AMOUNT], r->len[F_AMOUNT], &cents), 1);
    int ty = type_index(r->f[F_TYPE]), se = sector_index(r->f[F_SECTOR]),
        pa = party_index(r->f[F_SELLER_TYPE]);
    cr_assert(ty >= 0 && se >= 0 && pa >= 0);
    t->q[t->n] = (unsigned char)(tix_period_of_day(TIX_PERIOD_QUARTER, d) - t->first_q);
    t->cell[t->n] = (unsigned short)((ty * N_SECTORS + se) * N_PARTIES + pa);
    t->y[t->n] = log((double)cents);
    t->n++;
}

Test(gen, truth_is_what_a_time_dummy_regression_estimates, .timeout = 120)
{
    tix_gen_opts o;
    truth_opts(&o, 2023, 2024);
    o.truth_period = TIX_PERIOD_QUARTER;
    o.rows = TD_ROWS;
    o.seed = 2026;
    o.trend = 0.20;
    o.shift_development = 0.30;
    char *path = generate(&o);
    struct truth_rows *truth = read_truth(&o);
    cr_assert_eq(truth->n, 8);
    struct td *t = calloc(1, sizeof *t);
    cr_assert_not_null(t);
    t->first_q = tix_period_of_day(TIX_PERIOD_QUARTER, o.from_day);
    free(scan_file(path, td_row, t));
    cr_assert_eq(t->n, (size_t)TD_ROWS);

    double alpha[8] = {0}, beta[TD_CELLS] = {0}, sum[TD_CELLS];
    size_t cnt[TD_CELLS], qn[8];
    for (int it = 0; it < 200; it++) {
        double qs[8] = {0};
        memset(qn, 0, sizeof qn);
        for (size_t i = 0; i < t->n; i++) {
            qs[t->q[i]] += t->y[i] - beta[t->cell[i]];
            qn[t->q[i]]++;
        }
        for (int k = 0; k < 8; k++)
            alpha[k] = qs[k] / (double)qn[k];
        memset(sum, 0, sizeof sum);
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < t->n; i++) {
            sum[t->cell[i]] += t->y[i] - alpha[t->q[i]];
            cnt[t->cell[i]]++;
        }
        for (int c = 0; c < TD_CELLS; c++)
            beta[c] = cnt[c] ? sum[c] / (double)cnt[c] : 0;
    }
    double naive[8] = {0};
    memset(qn, 0, sizeof qn);
    for (size_t i = 0; i < t->n; i++) {
        naive[t->q[i]] += t->y[i];
        qn[t->q[i]]++;
    }
    for (int k = 0; k < 8; k++) {
        double want = log(truth->level[k] / 100);
        double got = alpha[k] - alpha[0];
        cr_expect(fabs(got - want) < 0.035, "%s: time dummy %.4f, truth %.4f", truth->period[k],
                  got, want);
        naive[k] /= (double)qn[k];
    }
    cr_expect(log(truth->level[7] / 100) > 0.3, "the truth moved: %.4f", truth->level[7]);
    double naive_err = naive[7] - naive[0] - log(truth->level[7] / 100);
    cr_expect(naive_err > 0.1, "the mean log amount misses the shift: %.4f", naive_err);
    free(t);
    free(truth);
    drop(path);
}

/* Diverging sectors (gen.h): the level is the base-value-weighted mean of
 * the sectors' levels, the 1st, 3rd, ... sectors of the table at (1 + D)^x,
 * the others at (1 - D)^x; computed here from the shares and levels the
 * sectors have in gen.c's table (share * level: the value weights). */
Test(gen, truth_diverge_level_is_the_fixed_basket_mean)
{
    static const double share[N_SECTORS] = {35, 15, 10, 8, 8, 7, 2, 5, 6, 3, 1};
    static const double level[N_SECTORS] = {1.0, 1.2, 1.5, 0.9, 1.3, 0.8, 2.0, 1.1, 0.7, 0.5, 2.5};
    tix_gen_opts o;
    truth_opts(&o, 2024, 2024);
    o.to_day = day(2024, 12, 29);
    o.trend = 0.05;
    o.diverge = 0.10;
    struct truth_rows *t = read_truth(&o);
    cr_assert_eq(t->n, 52);
    cr_expect_str_eq(t->level_text[0], "100.000000");
    double sum = 0;
    for (int s = 0; s < N_SECTORS; s++)
        sum += share[s] * level[s];
    for (size_t k = 0; k < t->n; k++) {
        double x = 7.0 * (double)k / 365.2425, mean = 0;
        for (int s = 0; s < N_SECTORS; s++)
            mean += share[s] * level[s] / sum * pow(s % 2 == 0 ? 1.1 : 0.9, x);
        double want = 100.0 * pow(1.05, x) * mean;
        cr_expect(fabs(t->level[k] - want) <= 6e-7, "%s: %.6f, want %.7f", t->period[k],
                  t->level[k], want);
    }
    /* Not a common level: above the contract-weighted geometric mean. */
    double x = 51.0 * 7 / 365.2425;
    double geo = 100.0 * pow(1.05, x) * exp(x * (0.62 * log(1.1) + 0.38 * log(0.9)));
    cr_expect(t->level[51] > geo + 1.0, "%.4f against %.4f", t->level[51], geo);
    free(t);

    /* The same options with diverge 0 are the market without it. */
    o.diverge = 0;
    t = read_truth(&o);
    for (size_t k = 0; k < t->n; k++) {
        double want = 100.0 * pow(1.05, 7.0 * (double)k / 365.2425);
        cr_expect(fabs(t->level[k] - want) <= 6e-7, "%s: %.6f", t->period[k], t->level[k]);
    }
    free(t);

    truth_opts(&o, 2024, 2024);
    char *path = temp_path();
    o.diverge = 1.0;
    expect_invalid(&o, path);
    o.diverge = -1.0;
    expect_invalid(&o, path);
    o.diverge = NAN;
    expect_invalid(&o, path);
    drop(path);
}

/* The contracts follow: the mean log amount of a rising sector grows by
 * about ln(1 + D) a year, that of a falling one by ln(1 - D), between the
 * first and the last quarter of the year (0.75 years apart, by the first
 * days of their weeks about 0.75 too). */
struct diverge_means {
    int32_t q0;
    double sum[N_SECTORS][4];
    size_t n[N_SECTORS][4];
};

static void diverge_row(const struct row *r, size_t index, void *ctx)
{
    struct diverge_means *m = ctx;
    int32_t d;
    int64_t cents;
    (void)index;
    cr_assert_eq(tix_date_parse(r->f[F_DATE], r->len[F_DATE], &d), TIX_OK);
    cr_assert_eq(parse_money(r->f[F_AMOUNT], r->len[F_AMOUNT], &cents), 1);
    int s = sector_index(r->f[F_SECTOR]);
    cr_assert(s >= 0);
    int q = (int)(tix_period_of_day(TIX_PERIOD_QUARTER, d) - m->q0);
    cr_assert(q >= 0 && q < 4);
    m->sum[s][q] += log((double)cents);
    m->n[s][q]++;
}

Test(gen, truth_diverge_moves_the_sectors_apart, .timeout = 60)
{
    tix_gen_opts o;
    truth_opts(&o, 2024, 2024);
    o.rows = 200000;
    o.seed = 7;
    o.diverge = 0.30;
    char *path = generate(&o);
    struct diverge_means *m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    m->q0 = tix_period_of_day(TIX_PERIOD_QUARTER, o.from_day);
    free(scan_file(path, diverge_row, m));
    /* The four largest sectors: electronic_information and biomedicine
     * rise, advanced_manufacturing and new_materials fall. */
    static const int big[] = {0, 1, 2, 3};
    for (size_t i = 0; i < 4; i++) {
        int s = big[i];
        double moved = m->sum[s][3] / (double)m->n[s][3] - m->sum[s][0] / (double)m->n[s][0];
        double want = 0.75 * (s % 2 == 0 ? log(1.3) : log(0.7));
        cr_expect(fabs(moved - want) < 0.08, "%s: %.4f, want about %.4f", sector_names[s], moved,
                  want);
    }
    free(m);
    drop(path);
}

/* ---- quoted notes ----------------------------------------------------------- */

struct note_shares {
    double quoted, empty, phrase; /* shares of the rows */
};

/* A quoted note always holds a comma, a plain phrase never does (gen.c). */
static struct note_shares note_shares(const struct rows *rs)
{
    size_t q = 0, e = 0, ph = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct row *r = &rs->r[i];
        cr_assert_eq(r->nf, 11);
        if (r->len[10] == 0)
            e++;
        else if (memchr(r->f[10], ',', r->len[10]) != NULL)
            q++;
        else
            ph++;
    }
    double n = (double)rs->n;
    return (struct note_shares){(double)q / n, (double)e / n, (double)ph / n};
}

/* The share of quoted notes is the option's, within 1.5 points on 10000
 * rows (the binomial standard error is at most 0.5 points); the rows not
 * quoted keep 5 empty notes to 1 phrase; every other field is the default
 * dump's, in truth mode too; quoted notes still hold doubled quotes and line
 * breaks in about their usual shares (40% and 25% of them). */
Test(gen, quoted_notes_sets_the_share_and_keeps_the_other_columns)
{
    for (int truth = 0; truth <= 1; truth++) {
        tix_gen_opts o;
        struct row header;
        tix_gen_opts_init(&o);
        o.rows = 10000;
        o.seed = 11;
        o.truth = truth;
        struct rows base = read_rows(&o, &header);
        struct note_shares d = note_shares(&base);
        cr_expect(fabs(d.quoted - 0.10) < 0.015, "default: %.4f quoted", d.quoted);
        static const double shares[] = {0.0, 0.3, 0.6, 1.0};
        for (size_t k = 0; k < sizeof shares / sizeof shares[0]; k++) {
            o.quoted_notes = shares[k];
            struct rows rs = read_rows(&o, &header);
            cr_assert_eq(rs.n, base.n);
            struct note_shares s = note_shares(&rs);
            cr_expect(fabs(s.quoted - shares[k]) < 0.015, "%.1f: %.4f quoted", shares[k], s.quoted);
            if (shares[k] < 1.0) {
                double ratio = s.empty / (s.empty + s.phrase);
                cr_expect(fabs(ratio - 5.0 / 6.0) < 0.02, "%.1f: %.4f of the others empty",
                          shares[k], ratio);
            }
            size_t doubled = 0, broken = 0, quoted = 0;
            for (size_t i = 0; i < rs.n; i++) {
                const struct row *a = &base.r[i], *b = &rs.r[i];
                for (int f = 0; f < 10; f++)
                    cr_assert(a->len[f] == b->len[f] && memcmp(a->f[f], b->f[f], a->len[f]) == 0,
                              "truth %d, %.1f: row %zu field %d differs", truth, shares[k], i, f);
                if (memchr(b->f[10], ',', b->len[10]) != NULL) {
                    quoted++;
                    doubled += memchr(b->f[10], '"', b->len[10]) != NULL;
                    broken += memchr(b->f[10], '\n', b->len[10]) != NULL;
                }
            }
            if (quoted >= 1000) {
                cr_expect(fabs((double)doubled / (double)quoted - 0.4) < 0.05, "doubled %zu of %zu",
                          doubled, quoted);
                cr_expect(fabs((double)broken / (double)quoted - 0.25) < 0.05, "broken %zu of %zu",
                          broken, quoted);
            }
            free(rs.r);
        }
        free(base.r);
    }
}
