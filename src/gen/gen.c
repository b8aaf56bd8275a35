/* Synthetic technology-contract dumps (see gen/gen.h).
 *
 * The shape of the data follows what registration exports look like: a few
 * sectors dominate, most contracts are a few hundred thousand yuan, a small
 * Pareto tail of very large contracts carries most of the value, and signing
 * clusters on weekdays and before the year-end close. Every draw comes from
 * two mt19937 streams in a fixed order, so the bytes depend only on opts:
 * the main one as before seller_type and buyer_type existed, the side one
 * for those and the time of day (gen.h says why). Truth mode draws its
 * contracts from another model (draw_truth; gen_truth.c has its days) and
 * writes them the same way. */
#include "gen/gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "gen/gen_internal.h"
#include "techidx/period.h"

/* Longest possible row is well under 500 bytes; flushing whenever less than
 * this is left lets the row formatter write without bounds checks. */
#define ROW_MAX 1024
/* contract_id has 12 digits. */
#define MAX_ROWS 999999999999ULL

/* ---- value tables ------------------------------------------------------ */

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
_Static_assert(N_SECTORS == GEN_SECTORS, "gen_internal.h knows the sectors");

void gen_sector_value_shares(double v[GEN_SECTORS])
{
    double sum = 0.0;
    for (size_t s = 0; s < N_SECTORS; s++)
        sum += v[s] = sectors[s].share * sectors[s].level;
    for (size_t s = 0; s < N_SECTORS; s++)
        v[s] /= sum;
}

static const struct name types[] = {
    {STR("development")}, {STR("transfer")}, {STR("licensing")},
    {STR("consulting")},  {STR("service")},
};
static const double type_share[] = {30, 10, 12, 13, 35};
#define N_TYPES (sizeof types / sizeof types[0])
_Static_assert(N_TYPES == GEN_TRUTH_TYPES, "gen_truth.c knows the types");
/* Truth mode: the log effect of each type (gen.h), and the shares of the
 * types but development, which gen_truth.c draws apart. */
static const double type_effect[] = {0.7, 0.2, 0.0, -0.6, -0.3};
static const double other_type_share[] = {10, 12, 13, 35};

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
/* Truth mode: seller types independent of the amount, with a log effect. */
static const double truth_seller_share[N_PARTY_TYPES] = {75, 12, 8, 5};
static const double seller_effect[N_PARTY_TYPES] = {0.0, 0.45, 0.35, -0.2};
/* Truth mode's e: N(0, BODY_SIGMA^2), or with TRUTH_TAIL_P N(TRUTH_TAIL_MU, 1). */
#define TRUTH_TAIL_P 0.04
#define TRUTH_TAIL_MU 3.6
#define TRUTH_TAIL_SIGMA 1.0

#define N_COLUMNS 11
static const char *const header_en[N_COLUMNS] = {
    "contract_id", "signed_on",  "sector", "contract_type", "buyer_region", "seller_region",
    "seller_type", "buyer_type", "amount", "tech_amount",   "notes"};
static const char *const header_zh[N_COLUMNS] = {"合同编号",   "签订日期",   "技术领域", "合同类型",
                                                 "买方地区",   "卖方地区",   "卖方类型", "买方类型",
                                                 "合同成交额", "技术交易额", "备注"};

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
    gsl_rng *r;     /* the main stream: every column as before party types */
    gsl_rng *side;  /* party types and the time of day: four draws a row */
    gsl_rng *notes; /* the notes written, when quoted_notes is not the default; else NULL */
    double empty_below, quoted_from; /* the notes stream's thresholds (put_notes) */
    gsl_ran_discrete_t *day_t, *sector_t, *type_t, *buyer_t, *seller_t, *buyer_type_t;
    int truth;                                         /* truth mode: the tables below */
    struct truth tm;                                   /* the days (gen_truth.c) */
    gsl_ran_discrete_t *other_type_t, *truth_seller_t; /* NULL but in truth mode */
    char *dates; /* n_days * 10 bytes of "YYYY-MM-DD", no NULs */
    int32_t from_day, n_days;
    double dirty;
    char id[12]; /* decimal counter, incremented in place per row */
    const char *prefix;
    size_t prefix_len;
    char delim;
    struct gen_format fmt;
};

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
    o->quoted_notes = TIX_GEN_QUOTED_NOTES;
    o->truth = 0;
    o->truth_period = TIX_PERIOD_WEEK;
    o->trend = 0.0;
    o->return_to_start = 0;
    o->shift_development = 0.0;
    o->holidays = 0;
    o->diverge = 0.0;
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
    else if ((int64_t)o->to_day - o->from_day + 1 > GEN_MAX_SPAN_DAYS)
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
    else if (!(o->quoted_notes >= 0.0 && o->quoted_notes <= 1.0))
        why = "quoted notes fraction must be in [0, 1]";
    else if (o->id_prefix && strlen(o->id_prefix) > TIX_GEN_ID_PREFIX_MAX)
        why = "id prefix longer than 32 bytes";
    else if (o->id_prefix && strpbrk(o->id_prefix, ",;\"\t\r\n") != NULL)
        why = "id prefix holds a delimiter, a quote or a line break";
    else
        why = gen_truth_check(o);
    if (why == NULL)
        return TIX_OK;
    gen_set_err(err, errlen, why, 0);
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
    g->fmt.unit = o->amount_unit;
    g->fmt.form = o->date_form;

    g->r = gsl_rng_alloc(gsl_rng_mt19937);
    g->side = gsl_rng_alloc(gsl_rng_mt19937);
    w = malloc((size_t)g->n_days * sizeof *w);
    g->dates = malloc((size_t)g->n_days * 10);
    g->fmt.dates = g->dates;
    if (g->r == NULL || g->side == NULL || w == NULL || g->dates == NULL)
        goto nomem;
    gsl_rng_set(g->r, o->seed);
    gsl_rng_set(g->side, o->seed ^ TIX_GEN_SIDE_SEED);
    if (o->quoted_notes != TIX_GEN_QUOTED_NOTES) {
        g->notes = gsl_rng_alloc(gsl_rng_mt19937);
        if (g->notes == NULL)
            goto nomem;
        gsl_rng_set(g->notes, o->seed ^ TIX_GEN_NOTES_SEED);
        /* The rows not quoted keep the default's 75:15, 5 empty to 1 phrase. */
        g->quoted_from = 1.0 - o->quoted_notes;
        g->empty_below = g->quoted_from * (5.0 / 6.0);
    }

    g->truth = o->truth;
    if (g->truth && gen_truth_build(&g->tm, o) != TIX_OK)
        goto nomem;
    const double growth = log(ANNUAL_GROWTH) / 365.2425;
    for (int32_t i = 0; i < g->n_days; i++) {
        char buf[11];
        w[i] = g->truth ? g->tm.w[i] : day_weight(o->from_day + i) * exp(growth * i);
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
    if (g->truth) {
        g->other_type_t = gsl_ran_discrete_preproc(N_TYPES - 1, other_type_share);
        g->truth_seller_t = gsl_ran_discrete_preproc(N_PARTY_TYPES, truth_seller_share);
        if (!g->other_type_t || !g->truth_seller_t)
            goto nomem;
    }
    free(w);
    return TIX_OK;
nomem:
    free(w);
    gen_set_err(err, errlen, "out of memory", 0);
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
    gsl_ran_discrete_free(g->other_type_t);
    gsl_ran_discrete_free(g->truth_seller_t);
    gen_truth_free(&g->tm);
    free(g->dates);
    if (g->r)
        gsl_rng_free(g->r);
    if (g->side)
        gsl_rng_free(g->side);
    if (g->notes)
        gsl_rng_free(g->notes);
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

/* Writes a notes field drawn from r: empty (u < empty_below), a plain
 * phrase (u < quoted_from), or a quoted note with commas, doubled quotes and
 * sometimes a line break inside the quotes. */
static char *draw_notes(gsl_rng *r, char *p, double empty_below, double quoted_from)
{
    double u = gsl_rng_uniform(r);
    if (u < empty_below)
        return p;
    if (u < quoted_from) {
        const struct name *ph = &phrases[gen_pick(r, N_PHRASES)];
        return gen_put(p, ph->s, ph->len);
    }
    char raw[160];
    size_t n = 0;
    size_t k = 2 + gen_pick(r, 2);
    size_t quoted = gsl_rng_uniform(r) < 0.4 ? gen_pick(r, k) : k;
    size_t broken = gsl_rng_uniform(r) < 0.25 ? 1 + gen_pick(r, k - 1) : k;
    for (size_t i = 0; i < k; i++) {
        const struct name *ph = &phrases[gen_pick(r, N_PHRASES)];
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
    return gen_put_quoted(p, raw, n);
}

/* The notes of a row. With another share of quoted notes than the default
 * the main stream draws the default's notes all the same, into a scratch
 * buffer, so that it stays in step with the default dump (gen.h). */
static char *put_notes(struct gen *g, char *p)
{
    if (g->notes == NULL)
        return draw_notes(g->r, p, 0.75, 0.90);
    char scratch[ROW_MAX];
    (void)draw_notes(g->r, scratch, 0.75, 0.90);
    return draw_notes(g->notes, p, g->empty_below, g->quoted_from);
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

/* One contract's values, before any defect. */
struct contract {
    int32_t di; /* day of the range */
    const struct sector *sec;
    const struct name *type, *buyer, *seller, *stype, *btype;
    int64_t amount, tech; /* cents */
    int hh, mm;
};

/* The plain dump's contract: the draws in their historical order (gen.h). */
static void draw_plain(struct gen *g, struct contract *c)
{
    gsl_rng *r = g->r;
    c->di = (int32_t)gsl_ran_discrete(r, g->day_t);
    c->sec = &sectors[gsl_ran_discrete(r, g->sector_t)];
    c->type = &types[gsl_ran_discrete(r, g->type_t)];
    c->buyer = &regions[gsl_ran_discrete(r, g->buyer_t)];
    c->seller = &regions[gsl_ran_discrete(r, g->seller_t)];
    c->amount = draw_amount(r, c->sec, c->di / 365.2425);
    c->tech = draw_tech(r, c->amount);
    /* The side stream: four draws every row, whatever follows. */
    c->stype = seller_type(c->amount, gsl_rng_uniform(g->side));
    c->btype = &party_types[gsl_ran_discrete(g->side, g->buyer_type_t)];
    c->hh = 8 + (int)gen_pick(g->side, 11); /* office hours, 08:00 to 18:59 */
    c->mm = (int)gen_pick(g->side, 60);
}

/* Truth mode's contract (gen.h): log amount = log median + mu of its period
 * + the effects of its type, sector and seller type + e. */
static void draw_truth(struct gen *g, struct contract *c)
{
    gsl_rng *r = g->r;
    c->di = (int32_t)gsl_ran_discrete(r, g->day_t);
    size_t si = gsl_ran_discrete(r, g->sector_t);
    c->sec = &sectors[si];
    size_t ti = 0;
    if (gsl_rng_uniform(r) >= g->tm.p_dev[c->di])
        ti = 1 + gsl_ran_discrete(r, g->other_type_t);
    c->type = &types[ti];
    c->buyer = &regions[gsl_ran_discrete(r, g->buyer_t)];
    c->seller = &regions[gsl_ran_discrete(r, g->seller_t)];
    size_t sti = gsl_ran_discrete(r, g->truth_seller_t);
    c->stype = &party_types[sti];
    c->btype = &party_types[gsl_ran_discrete(r, g->buyer_type_t)];
    double e = gsl_rng_uniform(r) < TRUTH_TAIL_P
                   ? TRUTH_TAIL_MU + gsl_ran_gaussian(r, TRUTH_TAIL_SIGMA)
                   : gsl_ran_gaussian(r, BODY_SIGMA);
    double mu = g->tm.mu[c->di];
    if (g->tm.x != NULL) /* diverging sectors (gen.h) */
        mu += (gen_sector_rises(si) ? g->tm.rate_up : g->tm.rate_down) * g->tm.x[c->di];
    double yuan =
        BODY_MEDIAN * exp(mu + type_effect[ti] + log(sectors[si].level) + seller_effect[sti] + e);
    yuan = yuan < AMOUNT_MIN ? AMOUNT_MIN : yuan > AMOUNT_CAP ? AMOUNT_CAP : yuan;
    c->amount = (int64_t)floor(yuan * 100 + 0.5);
    c->tech = draw_tech(r, c->amount);
    c->hh = 8 + (int)gen_pick(g->side, 11);
    c->mm = (int)gen_pick(g->side, 60);
}

/* Formats one row at p (room for ROW_MAX bytes) and returns its length. A
 * dirty row carries exactly one defect so the expected rejection reason is
 * unambiguous; all its other fields are drawn as for a clean row. */
static size_t put_row(struct gen *g, char *start)
{
    gsl_rng *r = g->r;
    char *p = start;
    struct contract c;
    if (g->truth)
        draw_truth(g, &c);
    else
        draw_plain(g, &c);
    const int32_t di = c.di;
    const struct sector *sec = c.sec;
    const struct name *type = c.type, *buyer = c.buyer, *seller = c.seller;
    const struct name *stype = c.stype, *btype = c.btype;
    const int64_t amount = c.amount, tech = c.tech;
    const int hh = c.hh, mm = c.mm;
    const char delim = g->delim;

    enum defect defect = D_NONE;
    if (g->dirty > 0 && gsl_rng_uniform(r) < g->dirty)
        defect = (enum defect)(1 + gen_pick(r, D_KINDS - 1));
    /* field_count: 0 an unquoted delimiter in notes (12 fields), 1 notes
     * missing (10 fields), 2 cut after amount (9 fields). */
    size_t fc = defect == D_FIELD_COUNT ? gen_pick(r, 3) : 3;

    next_id(g->id);
    if (defect != D_EMPTY_ID) {
        p = gen_put(p, g->prefix, g->prefix_len);
        p = gen_put(p, g->id, sizeof g->id);
    }
    *p++ = delim;
    if (defect == D_BAD_DATE)
        p = gen_put_bad_date(&g->fmt, r, p, g->from_day + di, hh, mm);
    else
        p = gen_put_date(&g->fmt, p, di, hh, mm);
    *p++ = delim;
    if (defect != D_EMPTY_DIMENSION)
        p = gen_put(p, sec->name.s, sec->name.len);
    *p++ = delim;
    p = gen_put(p, type->s, type->len);
    *p++ = delim;
    p = gen_put(p, buyer->s, buyer->len);
    *p++ = delim;
    p = gen_put(p, seller->s, seller->len);
    *p++ = delim;
    p = gen_put(p, stype->s, stype->len);
    *p++ = delim;
    p = gen_put(p, btype->s, btype->len);
    *p++ = delim;
    if (defect == D_BAD_AMOUNT)
        p = gen_put_bad_money(&g->fmt, r, p, amount);
    else if (defect == D_OVERFLOW)
        p = gen_put_overflow(&g->fmt, r, p);
    else
        p = gen_put_amount(&g->fmt, p, amount);
    if (fc == 2)
        goto end;
    *p++ = delim;
    if (defect == D_BAD_TECH) {
        p = gen_put_bad_money(&g->fmt, r, p, tech);
    } else if (defect == D_TECH_EXCEEDS) {
        /* Half the time by a single cent, the edge an off-by-one misses. */
        int64_t extra = 1;
        if (gsl_rng_uniform(r) < 0.5)
            extra = 100 + (int64_t)floor((double)amount * 0.5 * gsl_rng_uniform(r));
        p = gen_put_amount(&g->fmt, p, amount + extra);
    } else {
        p = gen_put_amount(&g->fmt, p, tech);
    }
    if (fc == 1)
        goto end;
    *p++ = delim;
    if (fc == 0) { /* with commas: ", " as ever; else "; " or a tab and a space */
        const struct name *a = &phrases[gen_pick(r, N_PHRASES)];
        const struct name *b = &phrases[gen_pick(r, N_PHRASES)];
        p = gen_put(p, a->s, a->len);
        *p++ = delim;
        *p++ = ' ';
        p = gen_put(p, b->s, b->len);
    } else {
        p = put_notes(g, p);
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
    st = gen_sink_open(&s, out, opts->gzip, opts->encoding, err, errlen);
    if (st != TIX_OK)
        goto fail;
    if (s.cd != (iconv_t)-1 && gen_sink_transcode(&s, g.prefix, g.prefix_len) == (size_t)-1) {
        char what[96];
        snprintf(what, sizeof what, "the id prefix cannot be written in %s",
                 gen_encoding_name(opts->encoding));
        gen_set_err(err, errlen, what, 0);
        st = TIX_E_INVALID;
        goto fail;
    }

    const char *const *header = opts->chinese_headers ? header_zh : header_en;
    char *h = s.buf;
    for (size_t i = 0; i < N_COLUMNS; i++) {
        if (i > 0)
            *h++ = g.delim;
        h = gen_put(h, header[i], strlen(header[i]));
    }
    *h++ = '\n';
    s.len = (size_t)(h - s.buf);
    for (uint64_t i = 0; i < opts->rows; i++) {
        if (TEXT_CAP - s.len < ROW_MAX) {
            st = gen_sink_flush(&s, 0, err, errlen);
            if (st != TIX_OK)
                goto fail;
        }
        s.len += put_row(&g, s.buf + s.len);
    }
    st = gen_sink_close(&s, err, errlen);
fail:
    gen_sink_free(&s);
    gen_free(&g);
    return st;
}
