/* Synthetic technology-contract dumps (see gen/gen.h).
 *
 * The shape of the data follows what registration exports look like: a few
 * sectors dominate, most contracts are a few hundred thousand yuan, a small
 * Pareto tail of very large contracts carries most of the value, and signing
 * clusters on weekdays and before the year-end close. Every draw comes from
 * two mt19937 streams in a fixed order, so the bytes depend only on opts:
 * the main one as before seller_type and buyer_type existed, the side one
 * for those and the time of day (gen.h says why). */
#include "gen/gen.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <zlib.h>

#include "techidx/period.h"

#define TEXT_CAP ((size_t)1 << 20)
#define ZOUT_CAP ((size_t)1 << 18)
/* Longest possible row is well under 500 bytes; flushing whenever less than
 * this is left lets the row formatter write without bounds checks. */
#define ROW_MAX 1024
/* Exactly 400 Gregorian years: enough for any plausible study, and it keeps
 * the per-day tables (and the growth factor 1.12^400) bounded. */
#define MAX_SPAN_DAYS 146097
/* contract_id has 12 digits. */
#define MAX_ROWS 999999999999ULL

#define STR(s) s, sizeof(s) - 1

/* ---- value tables ------------------------------------------------------ */

struct name {
    const char *s;
    size_t len;
};

/* level scales the median contract value, drift is the sector's annual log
 * growth of unit value (so a unit-value index moves, differently per sector),
 * tail is the probability of a Pareto-tail contract. */
struct sector {
    struct name name;
    double share, level, drift, tail;
};

static const struct sector sectors[] = {
    {{STR("electronic_information")}, 35, 1.0, 0.06, 0.04},
    {{STR("advanced_manufacturing")}, 15, 1.2, 0.02, 0.04},
    {{STR("biomedicine")}, 10, 1.5, 0.08, 0.04},
    {{STR("new_materials")}, 8, 0.9, 0.01, 0.04},
    {{STR("new_energy")}, 8, 1.3, 0.10, 0.04},
    {{STR("environment")}, 7, 0.8, -0.02, 0.04},
    {{STR("aerospace")}, 2, 2.0, 0.04, 0.07},
    {{STR("modern_transport")}, 5, 1.1, 0.00, 0.04},
    {{STR("urban_development")}, 6, 0.7, -0.04, 0.03},
    {{STR("agriculture")}, 3, 0.5, 0.03, 0.02},
    {{STR("nuclear")}, 1, 2.5, 0.05, 0.10},
};
#define N_SECTORS (sizeof sectors / sizeof sectors[0])

static const struct name types[] = {
    {STR("development")}, {STR("transfer")}, {STR("licensing")},
    {STR("consulting")},  {STR("service")},
};
static const double type_share[] = {30, 10, 12, 13, 35};
#define N_TYPES (sizeof types / sizeof types[0])

/* Sellers concentrate where the technology is made (Shenzhen, Guangdong,
 * Beijing); buyers are spread more evenly. */
static const struct name regions[] = {
    {STR("guangdong")}, {STR("shenzhen")}, {STR("beijing")},  {STR("shanghai")},
    {STR("jiangsu")},   {STR("zhejiang")}, {STR("shandong")}, {STR("hubei")},
    {STR("sichuan")},   {STR("fujian")},   {STR("anhui")},    {STR("henan")},
    {STR("hunan")},     {STR("tianjin")},  {STR("shaanxi")},  {STR("chongqing")},
};
static const double buyer_share[] = {10, 8, 12, 10, 10, 9, 7, 5, 5, 4, 4, 4, 4, 3, 3, 2};
static const double seller_share[] = {18, 22, 12, 9, 8, 7, 4, 4, 3, 2, 3, 2, 2, 2, 2, 1};
#define N_REGIONS (sizeof regions / sizeof regions[0])

/* Note phrases: no commas, quotes or line breaks of their own. */
static const struct name phrases[] = {
    {STR("renewal")},
    {STR("phase 2")},
    {STR("pilot")},
    {STR("joint lab")},
    {STR("patent license")},
    {STR("milestone payment")},
    {STR("framework agreement")},
    {STR("amendment")},
    {STR("follow-up order")},
    {STR("on-site support")},
    {STR("annual maintenance")},
    {STR("software license")},
    {STR("prototype")},
    {STR("training")},
    {STR("feasibility study")},
    {STR("annex B")},
};
#define N_PHRASES (sizeof phrases / sizeof phrases[0])

/* Non-numeric amounts seen in real exports ("面议" = "to be negotiated"). */
static const struct name junk_amounts[] = {
    {STR("abc")},
    {STR("n/a")},
    {STR("TBD")},
    {STR("面议")},
};
#define N_JUNK (sizeof junk_amounts / sizeof junk_amounts[0])

/* Who sells and who buys. Sellers: enterprises hold most contracts, and
 * universities and institutes sell the larger ones (odds_k = a_k *
 * exp(b_k * z), see gen.h); a and b calibrated on 100000 rows for shares of
 * 75/12/8/5% and a university or institute mean 2-4x an enterprise's. */
static const struct name party_types[] = {
    {STR("enterprise")},
    {STR("university")},
    {STR("institute")},
    {STR("other")},
};
#define N_PARTY_TYPES (sizeof party_types / sizeof party_types[0])
static const double seller_odds[N_PARTY_TYPES] = {1.0, 0.137, 0.091, 0.067};
static const double seller_slope[N_PARTY_TYPES] = {0.0, 0.4, 0.4, 0.0};
#define SELLER_Z_CLAMP 3.0
static const double buyer_type_share[N_PARTY_TYPES] = {88, 3, 4, 5};

#define N_COLUMNS 11
static const char *const header_en[N_COLUMNS] = {
    "contract_id", "signed_on",  "sector", "contract_type", "buyer_region", "seller_region",
    "seller_type", "buyer_type", "amount", "tech_amount",   "notes"};
static const char *const header_zh[N_COLUMNS] = {"合同编号",   "签订日期",   "技术领域", "合同类型",
                                                 "买方地区",   "卖方地区",   "卖方类型", "买方类型",
                                                 "合同成交额", "技术交易额", "备注"};

static const char *const encoding_names[] = {"utf-8", "gb18030", "gbk"};
/* What iconv calls them. */
static const char *const iconv_names[] = {"UTF-8", "GB18030", "GBK"};

/* Lognormal body: median 280k yuan before sector level and drift. */
#define BODY_MEDIAN 280000.0
#define BODY_SIGMA 1.25
#define TAIL_START 1e7
#define TAIL_ALPHA 1.2
#define AMOUNT_MIN 50.0
#define AMOUNT_CAP 5e9
#define ANNUAL_GROWTH 1.12

enum defect {
    D_NONE,
    D_FIELD_COUNT,
    D_EMPTY_ID,
    D_BAD_DATE,
    D_BAD_AMOUNT,
    D_BAD_TECH,
    D_OVERFLOW,
    D_TECH_EXCEEDS,
    D_EMPTY_DIMENSION,
    D_KINDS
};

/* ---- state ------------------------------------------------------------- */

struct gen {
    gsl_rng *r;    /* the main stream: every column as before party types */
    gsl_rng *side; /* party types and the time of day: four draws a row */
    gsl_ran_discrete_t *day_t, *sector_t, *type_t, *buyer_t, *seller_t, *buyer_type_t;
    char *dates; /* n_days * 10 bytes of "YYYY-MM-DD", no NULs */
    int32_t from_day, n_days;
    double dirty;
    char id[12]; /* decimal counter, incremented in place per row */
    const char *prefix;
    size_t prefix_len;
    char delim;
    tix_gen_unit unit;
    tix_gen_date_form form;
};

struct sink {
    FILE *fp;
    int gz, z_ready;
    z_stream z;
    char *buf;
    size_t len;
    unsigned char *zbuf;
    iconv_t cd; /* (iconv_t)-1: UTF-8, written as it is */
    char *tbuf; /* the transcoded text */
};

static void set_err(char *err, size_t errlen, const char *what, int errnum)
{
    if (err == NULL || errlen == 0)
        return;
    if (errnum != 0)
        snprintf(err, errlen, "%s: %s", what, strerror(errnum));
    else
        snprintf(err, errlen, "%s", what);
}

void tix_gen_opts_init(tix_gen_opts *o)
{
    memset(o, 0, sizeof *o);
    o->rows = 1000;
    o->seed = 1;
    o->from_day = tix_days_from_civil(2022, 1, 1);
    o->to_day = tix_days_from_civil(2024, 12, 31);
    o->dirty = 0.0;
    o->chinese_headers = 0;
    o->gzip = 0;
    o->id_prefix = NULL;
    o->delimiter = ',';
    o->encoding = TIX_GEN_UTF8;
    o->amount_unit = TIX_GEN_YUAN;
    o->date_form = TIX_GEN_DATE_ISO;
}

static tix_status check_opts(const tix_gen_opts *o, FILE *out, char *err, size_t errlen)
{
    const char *why = NULL;
    if (o == NULL)
        why = "no options";
    else if (out == NULL)
        why = "no output stream";
    else if (o->rows > MAX_ROWS)
        why = "too many rows (at most 999999999999)";
    else if (o->from_day < tix_days_from_civil(1, 1, 1) ||
             o->to_day > tix_days_from_civil(9999, 12, 31))
        why = "dates must lie in years 1..9999";
    else if (o->from_day > o->to_day)
        why = "first date is after last date";
    else if ((int64_t)o->to_day - o->from_day + 1 > MAX_SPAN_DAYS)
        why = "date range longer than 400 years";
    else if (!(o->dirty >= 0.0 && o->dirty <= 1.0))
        why = "dirty fraction must be in [0, 1]";
    else if (o->delimiter != ',' && o->delimiter != ';' && o->delimiter != '\t')
        why = "delimiter must be ',', ';' or a tab";
    else if ((unsigned)o->encoding > TIX_GEN_GBK)
        why = "unknown encoding";
    else if ((unsigned)o->amount_unit > TIX_GEN_WAN)
        why = "unknown amount unit";
    else if ((unsigned)o->date_form > TIX_GEN_DATE_ISO8601)
        why = "unknown date form";
    else if (o->id_prefix && strlen(o->id_prefix) > TIX_GEN_ID_PREFIX_MAX)
        why = "id prefix longer than 32 bytes";
    else if (o->id_prefix && strpbrk(o->id_prefix, ",;\"\t\r\n") != NULL)
        why = "id prefix holds a delimiter, a quote or a line break";
    if (why == NULL)
        return TIX_OK;
    set_err(err, errlen, why, 0);
    return TIX_E_INVALID;
}

/* ---- generator setup ---------------------------------------------------- */

static int weekday(int32_t days) /* 0 = Monday; 1970-01-01 was a Thursday */
{
    int32_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

/* Relative signing intensity of one calendar day, before market growth. */
static double day_weight(int32_t days)
{
    static const double wd[7] = {0.95, 1.0, 1.0, 1.0, 1.05, 0.15, 0.08};
    /* Spring Festival empties January's second half and most of February;
     * June and September close half-years and quarters. */
    static const double month[13] = {0,    0.8, 0.6,  1.0, 0.95, 0.95, 1.15,
                                     0.95, 0.9, 1.05, 1.0, 1.05, 1.0};
    int y, m, d;
    tix_civil_from_days(days, &y, &m, &d);
    double w = wd[weekday(days)] * month[m];
    if (m == 12) /* year-end rush to book contracts for tax relief: ~1.8x */
        w *= d >= 18 ? 2.3 : 1.4;
    else if (m == 10 && d <= 7) /* National Day holiday week */
        w *= 0.2;
    return w;
}

static tix_status gen_init(struct gen *g, const tix_gen_opts *o, char *err, size_t errlen)
{
    double sh[N_SECTORS];
    double *w = NULL;
    g->from_day = o->from_day;
    g->n_days = o->to_day - o->from_day + 1;
    g->dirty = o->dirty;
    memset(g->id, '0', sizeof g->id);
    g->prefix = o->id_prefix ? o->id_prefix : "TC";
    g->prefix_len = strlen(g->prefix);
    g->delim = o->delimiter;
    g->unit = o->amount_unit;
    g->form = o->date_form;

    g->r = gsl_rng_alloc(gsl_rng_mt19937);
    g->side = gsl_rng_alloc(gsl_rng_mt19937);
    w = malloc((size_t)g->n_days * sizeof *w);
    g->dates = malloc((size_t)g->n_days * 10);
    if (g->r == NULL || g->side == NULL || w == NULL || g->dates == NULL)
        goto nomem;
    gsl_rng_set(g->r, o->seed);
    gsl_rng_set(g->side, o->seed ^ TIX_GEN_SIDE_SEED);

    const double growth = log(ANNUAL_GROWTH) / 365.2425;
    for (int32_t i = 0; i < g->n_days; i++) {
        char buf[11];
        w[i] = day_weight(o->from_day + i) * exp(growth * i);
        tix_date_format(o->from_day + i, buf);
        memcpy(g->dates + (size_t)i * 10, buf, 10);
    }
    for (size_t i = 0; i < N_SECTORS; i++)
        sh[i] = sectors[i].share;

    g->day_t = gsl_ran_discrete_preproc((size_t)g->n_days, w);
    g->sector_t = gsl_ran_discrete_preproc(N_SECTORS, sh);
    g->type_t = gsl_ran_discrete_preproc(N_TYPES, type_share);
    g->buyer_t = gsl_ran_discrete_preproc(N_REGIONS, buyer_share);
    g->seller_t = gsl_ran_discrete_preproc(N_REGIONS, seller_share);
    g->buyer_type_t = gsl_ran_discrete_preproc(N_PARTY_TYPES, buyer_type_share);
    if (!g->day_t || !g->sector_t || !g->type_t || !g->buyer_t || !g->seller_t || !g->buyer_type_t)
        goto nomem;
    free(w);
    return TIX_OK;
nomem:
    free(w);
    set_err(err, errlen, "out of memory", 0);
    return TIX_E_NOMEM;
}

static void gen_free(struct gen *g)
{
    gsl_ran_discrete_free(g->day_t);
    gsl_ran_discrete_free(g->sector_t);
    gsl_ran_discrete_free(g->type_t);
    gsl_ran_discrete_free(g->buyer_t);
    gsl_ran_discrete_free(g->seller_t);
    gsl_ran_discrete_free(g->buyer_type_t);
    free(g->dates);
    if (g->r)
        gsl_rng_free(g->r);
    if (g->side)
        gsl_rng_free(g->side);
}

/* ---- output ------------------------------------------------------------- */

/* A GB18030 character is at most 4 bytes where its UTF-8 is at least 1
 * (ASCII: 1 and 1; CJK: 2 or 4 for 3): four times the text always fits. */
#define TRANS_CAP (4 * TEXT_CAP)

static tix_status sink_open(struct sink *s, FILE *out, int gz, tix_gen_encoding enc, char *err,
                            size_t errlen)
{
    s->cd = (iconv_t)-1;
    s->buf = malloc(TEXT_CAP);
    if (gz)
        s->zbuf = malloc(ZOUT_CAP);
    if (enc != TIX_GEN_UTF8)
        s->tbuf = malloc(TRANS_CAP);
    if (s->buf == NULL || (gz && s->zbuf == NULL) || (enc != TIX_GEN_UTF8 && s->tbuf == NULL)) {
        set_err(err, errlen, "out of memory", 0);
        return TIX_E_NOMEM;
    }
    if (enc != TIX_GEN_UTF8) {
        s->cd = iconv_open(iconv_names[enc], "UTF-8");
        if (s->cd == (iconv_t)-1) {
            char what[64];
            snprintf(what, sizeof what, "cannot convert to %s", encoding_names[enc]);
            set_err(err, errlen, what, errno);
            return TIX_E_INVALID;
        }
    }
    if (gz) {
        /* windowBits 15+16 makes zlib write a gzip header with mtime 0 and no
         * file name, so the stream is reproducible. */
        if (deflateInit2(&s->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            set_err(err, errlen, "cannot initialise gzip compressor", 0);
            return TIX_E_NOMEM;
        }
        s->z_ready = 1;
        s->gz = 1;
    }
    s->fp = out;
    return TIX_OK;
}

static tix_status write_all(struct sink *s, const void *p, size_t n, char *err, size_t errlen)
{
    if (n > 0 && fwrite(p, 1, n, s->fp) != n) {
        set_err(err, errlen, "write failed", errno);
        return TIX_E_IO;
    }
    return TIX_OK;
}

/* text[n] in the target encoding into s->tbuf; returns its length, or
 * (size_t)-1 with errno when a character has no form there. The text is
 * whole rows, so no character is cut at its end. */
static size_t transcode(struct sink *s, const char *text, size_t n)
{
    char *in = (char *)text, *out = s->tbuf;
    size_t in_left = n, out_left = TRANS_CAP;
    if (iconv(s->cd, &in, &in_left, &out, &out_left) == (size_t)-1)
        return (size_t)-1;
    return TRANS_CAP - out_left;
}

/* Hands the text buffer to the file (through deflate when compressing),
 * transcoded when asked; with finish, also ends the gzip stream. */
static tix_status sink_flush(struct sink *s, int finish, char *err, size_t errlen)
{
    tix_status st;
    const char *data = s->buf;
    size_t n = s->len;
    if (s->cd != (iconv_t)-1) {
        n = transcode(s, s->buf, s->len);
        if (n == (size_t)-1) {
            set_err(err, errlen, "cannot transcode the output", errno);
            return TIX_E_IO;
        }
        data = s->tbuf;
    }
    if (!s->gz) {
        st = write_all(s, data, n, err, errlen);
        s->len = 0;
        return st;
    }
    s->z.next_in = (unsigned char *)data;
    s->z.avail_in = (uInt)n;
    for (;;) {
        s->z.next_out = s->zbuf;
        s->z.avail_out = (uInt)ZOUT_CAP;
        int rc = deflate(&s->z, finish ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_ERROR) {
            set_err(err, errlen, "gzip compression failed", 0);
            return TIX_E_IO;
        }
        st = write_all(s, s->zbuf, ZOUT_CAP - s->z.avail_out, err, errlen);
        if (st != TIX_OK)
            return st;
        if (finish ? rc == Z_STREAM_END : s->z.avail_in == 0 && s->z.avail_out != 0)
            break;
    }
    s->len = 0;
    return TIX_OK;
}

static tix_status sink_close(struct sink *s, char *err, size_t errlen)
{
    tix_status st = sink_flush(s, 1, err, errlen);
    if (st != TIX_OK)
        return st;
    /* The caller owns the stream; flushing makes write errors ours to report. */
    if (fflush(s->fp) != 0 || ferror(s->fp)) {
        set_err(err, errlen, "write failed", errno);
        return TIX_E_IO;
    }
    return TIX_OK;
}

static void sink_free(struct sink *s)
{
    if (s->z_ready)
        deflateEnd(&s->z);
    if (s->cd != (iconv_t)-1)
        iconv_close(s->cd);
    free(s->buf);
    free(s->zbuf);
    free(s->tbuf);
}

/* ---- formatting ---------------------------------------------------------- */

static char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

static char *put_money(char *p, int64_t cents)
{
    p = put_u64(p, (uint64_t)(cents / 100));
    *p++ = '.';
    *p++ = (char)('0' + cents % 100 / 10);
    *p++ = (char)('0' + cents % 10);
    return p;
}

/* cents in 万元 (1e6 cents), exactly: the whole part, then the six decimals
 * without their trailing zeros (and no point when all are zero). */
static char *put_wan(char *p, int64_t cents)
{
    p = put_u64(p, (uint64_t)(cents / 1000000));
    int64_t frac = cents % 1000000;
    if (frac == 0)
        return p;
    *p++ = '.';
    for (int64_t unit = 100000; frac != 0; unit /= 10) {
        *p++ = (char)('0' + frac / unit);
        frac %= unit;
    }
    return p;
}

/* A valid amount in the dump's unit. */
static char *put_amount(const struct gen *g, char *p, int64_t cents)
{
    return g->unit == TIX_GEN_WAN ? put_wan(p, cents) : put_money(p, cents);
}

/* RFC 4180: the field is quoted and inner quotes are doubled. */
static char *put_quoted(char *p, const char *s, size_t n)
{
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            *p++ = '"';
        *p++ = s[i];
    }
    *p++ = '"';
    return p;
}

static void next_id(char id[12])
{
    for (int i = 11; i >= 0; i--) {
        if (id[i] != '9') {
            id[i]++;
            return;
        }
        id[i] = '0';
    }
}

static size_t pick(gsl_rng *r, size_t n)
{
    return (size_t)gsl_rng_uniform_int(r, (unsigned long)n);
}

/* ---- values ----------------------------------------------------------------- */

/* Contract value in cents. Sector unit values drift from the first date of
 * the range, clamped so that very long ranges stay in a sane band. */
static int64_t draw_amount(gsl_rng *r, const struct sector *sec, double years)
{
    double lv = sec->level * exp(sec->drift * years);
    lv = lv < 0.05 ? 0.05 : lv > 50 ? 50 : lv;
    double yuan;
    if (gsl_rng_uniform(r) < sec->tail)
        yuan = gsl_ran_pareto(r, TAIL_ALPHA, TAIL_START * (lv > 1 ? lv : 1));
    else
        yuan = gsl_ran_lognormal(r, log(BODY_MEDIAN * lv), BODY_SIGMA);
    yuan = yuan < AMOUNT_MIN ? AMOUNT_MIN : yuan > AMOUNT_CAP ? AMOUNT_CAP : yuan;

    /* Negotiated prices are mostly round: thousands of yuan, or whole yuan. */
    double u = gsl_rng_uniform(r);
    if (u < 0.45) {
        double k = floor(yuan / 1000 + 0.5);
        return (int64_t)(k < 1 ? 1 : k) * 100000;
    }
    if (u < 0.65)
        return (int64_t)floor(yuan + 0.5) * 100;
    return (int64_t)floor(yuan * 100 + 0.5);
}

/* The technology part is all of the contract, or a share of it (the rest
 * being equipment, materials and the like). */
static int64_t draw_tech(gsl_rng *r, int64_t amount)
{
    if (gsl_rng_uniform(r) < 0.4)
        return amount;
    double f = 0.3 + 0.7 * gsl_rng_uniform(r);
    int64_t t = (int64_t)floor((double)amount * f);
    if (amount % 100000 == 0)
        t -= t % 100;
    return t < 1 ? 1 : t > amount ? amount : t;
}

/* Writes a notes field: empty, a plain phrase, or a quoted note with commas,
 * doubled quotes and sometimes a line break inside the quotes. */
static char *put_notes(gsl_rng *r, char *p)
{
    double u = gsl_rng_uniform(r);
    if (u < 0.75)
        return p;
    if (u < 0.90) {
        const struct name *ph = &phrases[pick(r, N_PHRASES)];
        return put(p, ph->s, ph->len);
    }
    char raw[160];
    size_t n = 0;
    size_t k = 2 + pick(r, 2);
    size_t quoted = gsl_rng_uniform(r) < 0.4 ? pick(r, k) : k;
    size_t broken = gsl_rng_uniform(r) < 0.25 ? 1 + pick(r, k - 1) : k;
    for (size_t i = 0; i < k; i++) {
        const struct name *ph = &phrases[pick(r, N_PHRASES)];
        if (i > 0) {
            if (i == broken) {
                raw[n++] = '\n';
            } else {
                raw[n++] = ',';
                raw[n++] = ' ';
            }
        }
        if (i == quoted)
            raw[n++] = '"';
        memcpy(raw + n, ph->s, ph->len);
        n += ph->len;
        if (i == quoted)
            raw[n++] = '"';
    }
    /* A line break alone would not force quoting of a comma-free note; every
     * quoted note has at least one comma so that it exercises both. */
    if (broken < k && k == 2) {
        raw[n++] = ',';
        raw[n++] = ' ';
        memcpy(raw + n, "ref. 2", 6);
        n += 6;
    }
    return put_quoted(p, raw, n);
}

/* Money that is not a valid "digits.2digits" amount; `cents` is the value it
 * was meant to carry. Variants: thousands separators (quoted, so the field
 * count is right), negative, exponent, three decimals, text, empty. */
static char *put_bad_money(const struct gen *g, gsl_rng *r, char *p, int64_t cents)
{
    char tmp[32];
    size_t n;
    /* In 万元 the same variants, of the amount in 万元; the draws are the
     * same as in yuan, so are the contracts. */
    const int wan = g->unit == TIX_GEN_WAN;
    const int64_t whole = wan ? 1000000 : 100;
    switch (pick(r, 6)) {
    case 0: /* "125,000.00": at least 1000 yuan (or 万元) so a separator appears */
        if (cents < 1000 * whole)
            cents += 1000 * whole;
        n = (size_t)(put_u64(tmp, (uint64_t)(cents / whole)) - tmp);
        *p++ = '"';
        for (size_t i = 0; i < n; i++) {
            if (i > 0 && (n - i) % 3 == 0)
                *p++ = ',';
            *p++ = tmp[i];
        }
        if (wan) {
            char w[32];
            char *e = put_wan(w, cents);
            char *dot = memchr(w, '.', (size_t)(e - w));
            if (dot)
                p = put(p, dot, (size_t)(e - dot));
        } else {
            *p++ = '.';
            *p++ = (char)('0' + cents % 100 / 10);
            *p++ = (char)('0' + cents % 10);
        }
        *p++ = '"';
        return p;
    case 1:
        *p++ = '-';
        return put_amount(g, p, cents > 0 ? cents : 50000);
    case 2: /* 1.25e5 */
        n = (size_t)(put_u64(tmp, (uint64_t)(cents / whole)) - tmp);
        *p++ = tmp[0];
        if (n > 1) {
            *p++ = '.';
            p = put(p, tmp + 1, n > 3 ? 2 : n - 1);
        }
        *p++ = 'e';
        return put_u64(p, (uint64_t)(n - 1));
    case 3: /* three decimals; the third is never 0, so no reading of it is valid
             * (in 万元: seven, a fraction of a cent) */
        if (wan) {
            p = put_u64(p, (uint64_t)(cents / 1000000));
            *p++ = '.';
            for (int64_t unit = 100000, f = cents % 1000000; unit > 0; unit /= 10) {
                *p++ = (char)('0' + f / unit);
                f %= unit;
            }
        } else {
            p = put_money(p, cents);
        }
        *p++ = (char)('1' + pick(r, 9));
        return p;
    case 4: {
        const struct name *j = &junk_amounts[pick(r, N_JUNK)];
        return put(p, j->s, j->len);
    }
    default:
        return p;
    }
}

/* Well-formed amounts too large for int64 cents (INT64_MAX is
 * 92233720368547758.07 yuan). */
static char *put_overflow(const struct gen *g, gsl_rng *r, char *p)
{
    switch (pick(r, 3)) {
    case 0:
        return put(p, STR("99999999999999999999.00"));
    case 1: /* one cent past the limit */
        if (g->unit == TIX_GEN_WAN)
            return put(p, STR("9223372036854.775808"));
        return put(p, STR("92233720368547758.08"));
    default: {
        size_t n = 18 + pick(r, 7); /* >= 1e17 yuan = 1e19 cents (万元: more still) */
        *p++ = (char)('1' + pick(r, 9));
        for (size_t i = 1; i < n; i++)
            *p++ = (char)('0' + pick(r, 10));
        *p++ = '.';
        *p++ = (char)('0' + pick(r, 10));
        *p++ = (char)('0' + pick(r, 10));
        return p;
    }
    }
}

/* The time of day a datetime form appends: " 10:22:00" or
 * "T10:22:00+08:00" (China has one time zone); nothing for the date forms. */
static char *put_time(const struct gen *g, char *p, int hh, int mm)
{
    if (g->form != TIX_GEN_DATE_DATETIME && g->form != TIX_GEN_DATE_ISO8601)
        return p;
    *p++ = g->form == TIX_GEN_DATE_DATETIME ? ' ' : 'T';
    *p++ = (char)('0' + hh / 10);
    *p++ = (char)('0' + hh % 10);
    *p++ = ':';
    *p++ = (char)('0' + mm / 10);
    *p++ = (char)('0' + mm % 10);
    p = put(p, STR(":00"));
    if (g->form == TIX_GEN_DATE_ISO8601)
        p = put(p, STR("+08:00"));
    return p;
}

/* A valid date, day index di, in the dump's form. */
static char *put_date(const struct gen *g, char *p, int32_t di, int hh, int mm)
{
    const char *iso = g->dates + (size_t)di * 10;
    switch (g->form) {
    case TIX_GEN_DATE_SLASH:
        p = put(p, iso, 10);
        p[-6] = p[-3] = '/';
        return p;
    case TIX_GEN_DATE_COMPACT:
        p = put(p, iso, 4);
        p = put(p, iso + 5, 2);
        return put(p, iso + 8, 2);
    default:
        return put_time(g, put(p, iso, 10), hh, mm);
    }
}

/* y-m-d as the dump's form writes it, whether or not it is a real date. */
static int format_ymd(const struct gen *g, char *tmp, size_t cap, int y, int m, int d)
{
    if (g->form == TIX_GEN_DATE_SLASH)
        return snprintf(tmp, cap, "%04d/%02d/%02d", y, m, d);
    if (g->form == TIX_GEN_DATE_COMPACT)
        return snprintf(tmp, cap, "%04d%02d%02d", y, m, d);
    return snprintf(tmp, cap, "%04d-%02d-%02d", y, m, d);
}

/* Text that is not a real date, near the drawn date: a day the calendar
 * lacks (in the dump's own form), another form, or nothing. In ISO form,
 * the other forms are slash and compact; in the others, forms no reader
 * takes (day/month/year, a year and month alone), so that a reader taking
 * the dump's form rejects every one. */
static char *put_bad_date(const struct gen *g, gsl_rng *r, char *p, int32_t day, int hh, int mm)
{
    static const int short_months[4] = {4, 6, 9, 11};
    char tmp[32];
    int y, m, d, n;
    int iso = g->form == TIX_GEN_DATE_ISO;
    int timed = 0; /* the calendar's mistakes keep the time of a datetime form */
    tix_civil_from_days(day, &y, &m, &d);
    switch (pick(r, 6)) {
    case 0: /* Feb 29 of a common year; a neighbour of a leap year is common */
        if (tix_date_valid(y, 2, 29))
            y = y > 1 ? y - 1 : y + 1;
        n = format_ymd(g, tmp, sizeof tmp, y, 2, 29);
        timed = 1;
        break;
    case 1:
        n = format_ymd(g, tmp, sizeof tmp, y, 13, d);
        timed = 1;
        break;
    case 2:
        n = iso ? snprintf(tmp, sizeof tmp, "%04d/%02d/%02d", y, m, d)
                : snprintf(tmp, sizeof tmp, "%02d/%02d/%04d", d, m, y);
        break;
    case 3:
        n = iso ? snprintf(tmp, sizeof tmp, "%04d%02d%02d", y, m, d)
                : snprintf(tmp, sizeof tmp, "%04d-%02d", y, m);
        break;
    case 4:
        n = format_ymd(g, tmp, sizeof tmp, y, short_months[pick(r, 4)], 31);
        timed = 1;
        break;
    default:
        n = 0;
        break;
    }
    p = put(p, tmp, n > 0 ? (size_t)n : 0);
    return timed ? put_time(g, p, hh, mm) : p;
}

/* The seller's type: the odds of each against an enterprise grow with the
 * contract's size for universities and institutes (gen.h). u is the side
 * stream's draw, so the main stream does not see it. */
static const struct name *seller_type(int64_t cents, double u)
{
    double z = (log((double)cents / 100.0) - log(BODY_MEDIAN)) / BODY_SIGMA;
    z = z < -SELLER_Z_CLAMP ? -SELLER_Z_CLAMP : z > SELLER_Z_CLAMP ? SELLER_Z_CLAMP : z;
    double w[N_PARTY_TYPES], sum = 0;
    for (size_t k = 0; k < N_PARTY_TYPES; k++) {
        w[k] = seller_odds[k] * exp(seller_slope[k] * z);
        sum += w[k];
    }
    double acc = 0;
    for (size_t k = 0; k + 1 < N_PARTY_TYPES; k++) {
        acc += w[k] / sum;
        if (u < acc)
            return &party_types[k];
    }
    return &party_types[N_PARTY_TYPES - 1];
}

/* Formats one row at p (room for ROW_MAX bytes) and returns its length. A
 * dirty row carries exactly one defect so the expected rejection reason is
 * unambiguous; all its other fields are drawn as for a clean row. */
static size_t put_row(struct gen *g, char *start)
{
    gsl_rng *r = g->r;
    char *p = start;
    int32_t di = (int32_t)gsl_ran_discrete(r, g->day_t);
    const struct sector *sec = &sectors[gsl_ran_discrete(r, g->sector_t)];
    const struct name *type = &types[gsl_ran_discrete(r, g->type_t)];
    const struct name *buyer = &regions[gsl_ran_discrete(r, g->buyer_t)];
    const struct name *seller = &regions[gsl_ran_discrete(r, g->seller_t)];
    int64_t amount = draw_amount(r, sec, di / 365.2425);
    int64_t tech = draw_tech(r, amount);
    /* The side stream: four draws every row, whatever follows. */
    const struct name *stype = seller_type(amount, gsl_rng_uniform(g->side));
    const struct name *btype = &party_types[gsl_ran_discrete(g->side, g->buyer_type_t)];
    int hh = 8 + (int)pick(g->side, 11); /* office hours, 08:00 to 18:59 */
    int mm = (int)pick(g->side, 60);
    const char delim = g->delim;

    enum defect defect = D_NONE;
    if (g->dirty > 0 && gsl_rng_uniform(r) < g->dirty)
        defect = (enum defect)(1 + pick(r, D_KINDS - 1));
    /* field_count: 0 an unquoted delimiter in notes (12 fields), 1 notes
     * missing (10 fields), 2 cut after amount (9 fields). */
    size_t fc = defect == D_FIELD_COUNT ? pick(r, 3) : 3;

    next_id(g->id);
    if (defect != D_EMPTY_ID) {
        p = put(p, g->prefix, g->prefix_len);
        p = put(p, g->id, sizeof g->id);
    }
    *p++ = delim;
    if (defect == D_BAD_DATE)
        p = put_bad_date(g, r, p, g->from_day + di, hh, mm);
    else
        p = put_date(g, p, di, hh, mm);
    *p++ = delim;
    if (defect != D_EMPTY_DIMENSION)
        p = put(p, sec->name.s, sec->name.len);
    *p++ = delim;
    p = put(p, type->s, type->len);
    *p++ = delim;
    p = put(p, buyer->s, buyer->len);
    *p++ = delim;
    p = put(p, seller->s, seller->len);
    *p++ = delim;
    p = put(p, stype->s, stype->len);
    *p++ = delim;
    p = put(p, btype->s, btype->len);
    *p++ = delim;
    if (defect == D_BAD_AMOUNT)
        p = put_bad_money(g, r, p, amount);
    else if (defect == D_OVERFLOW)
        p = put_overflow(g, r, p);
    else
        p = put_amount(g, p, amount);
    if (fc == 2)
        goto end;
    *p++ = delim;
    if (defect == D_BAD_TECH) {
        p = put_bad_money(g, r, p, tech);
    } else if (defect == D_TECH_EXCEEDS) {
        /* Half the time by a single cent, the edge an off-by-one misses. */
        int64_t extra = 1;
        if (gsl_rng_uniform(r) < 0.5)
            extra = 100 + (int64_t)floor((double)amount * 0.5 * gsl_rng_uniform(r));
        p = put_amount(g, p, amount + extra);
    } else {
        p = put_amount(g, p, tech);
    }
    if (fc == 1)
        goto end;
    *p++ = delim;
    if (fc == 0) { /* with commas: ", " as ever; else "; " or a tab and a space */
        const struct name *a = &phrases[pick(r, N_PHRASES)];
        const struct name *b = &phrases[pick(r, N_PHRASES)];
        p = put(p, a->s, a->len);
        *p++ = delim;
        *p++ = ' ';
        p = put(p, b->s, b->len);
    } else {
        p = put_notes(r, p);
    }
end:
    *p++ = '\n';
    return (size_t)(p - start);
}

/* ---- driver -------------------------------------------------------------- */

tix_status tix_gen_write(const tix_gen_opts *opts, FILE *out, char *err, size_t errlen)
{
    struct gen g;
    struct sink s;
    tix_status st;
    memset(&g, 0, sizeof g);
    memset(&s, 0, sizeof s);
    s.cd = (iconv_t)-1;
    if (err != NULL && errlen > 0)
        err[0] = '\0';

    st = check_opts(opts, out, err, errlen);
    if (st != TIX_OK)
        return st;
    st = gen_init(&g, opts, err, errlen);
    if (st != TIX_OK)
        goto fail;
    st = sink_open(&s, out, opts->gzip, opts->encoding, err, errlen);
    if (st != TIX_OK)
        goto fail;
    if (s.cd != (iconv_t)-1 && transcode(&s, g.prefix, g.prefix_len) == (size_t)-1) {
        char what[96];
        snprintf(what, sizeof what, "the id prefix cannot be written in %s",
                 encoding_names[opts->encoding]);
        set_err(err, errlen, what, 0);
        st = TIX_E_INVALID;
        goto fail;
    }

    const char *const *header = opts->chinese_headers ? header_zh : header_en;
    char *h = s.buf;
    for (size_t i = 0; i < N_COLUMNS; i++) {
        if (i > 0)
            *h++ = g.delim;
        h = put(h, header[i], strlen(header[i]));
    }
    *h++ = '\n';
    s.len = (size_t)(h - s.buf);
    for (uint64_t i = 0; i < opts->rows; i++) {
        if (TEXT_CAP - s.len < ROW_MAX) {
            st = sink_flush(&s, 0, err, errlen);
            if (st != TIX_OK)
                goto fail;
        }
        s.len += put_row(&g, s.buf + s.len);
    }
    st = sink_close(&s, err, errlen);
fail:
    sink_free(&s);
    gen_free(&g);
    return st;
}
