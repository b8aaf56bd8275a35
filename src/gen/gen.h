/* Synthetic technology-contract dumps for tests, samples and benchmarks:
 * libtechidx-gen (build/libtechidx-gen.a), linked by the command line
 * (techidx gen) and the tests, not part of libtechidx nor installed.
 *
 * The generator draws every value from GSL random number generators seeded
 * with opts->seed, so the same options always produce the same bytes.
 *
 * Columns, in this order: contract_id, signed_on, sector, contract_type,
 * buyer_region, seller_region, seller_type, buyer_type, amount, tech_amount,
 * notes (with chinese_headers: 合同编号, 签订日期, 技术领域, 合同类型, 买方地区,
 * 卖方地区, 卖方类型, 买方类型, 合同成交额, 技术交易额, 备注). The values are
 * English codes whatever the header.
 *
 * Two streams. The main mt19937 stream, seeded with seed, draws every column
 * but seller_type, buyer_type and the time of day, in the order of the dump
 * before those columns existed: so the other columns are the same bytes for
 * the same seed as in earlier versions, and an index over a dump is too. A
 * side mt19937 stream seeded with seed ^ TIX_GEN_SIDE_SEED draws exactly four
 * numbers per row, dirty or not and whatever the format: the seller type, the
 * buyer type, the hour and the minute of signing.
 *
 * seller_type is enterprise, university, institute (a research institute) or
 * other. Universities and institutes sell fewer but larger contracts: their
 * odds against an enterprise grow with the contract's size, as
 * odds_k(x) = a_k * exp(b_k * z), z = (ln yuan - ln 280000) / 1.25 clamped to
 * [-3, 3] (the standard score of the lognormal body), b = 0.4 for
 * universities and institutes, 0 for other; the a_k (1, 0.137, 0.091,
 * 0.067) are calibrated so that over a dump about 75% of contracts are sold
 * by enterprises, 12% by universities, 8% by institutes and 5% by others, and
 * the contract of a university or institute is larger: its median about 1.85
 * times an enterprise's, its mean 2.1 to 3 times (100000 rows, seeds 1 to 8;
 * 3.2 and 3.8 with seed 2024: the Pareto tail makes means noisy).
 * buyer_type does not depend on the contract: enterprise 88%, university
 * 3%, institute 4%, other 5%.
 *
 * notes is empty in 75% of the rows, a plain phrase in 15% and a quoted note
 * in 10%: two or three phrases joined by ", " (so at least one comma), in
 * 40% of them one phrase in doubled quotes, in 25% a line break between two
 * phrases. quoted_notes sets the share of quoted notes (0.6 makes a
 * quote-heavy dump like some registration exports, for benchmarks); the
 * other rows keep the plain proportions, 5 empty to 1 phrase. With any
 * other share than the default, the main stream still draws the default's
 * notes (and drops them), and a third mt19937 stream seeded with
 * seed ^ TIX_GEN_NOTES_SEED draws the notes written: so every other column
 * is the same bytes as in the default dump of the seed, and so is an index
 * over it; with the default share nothing changes a byte.
 *
 * The format options (id_prefix, delimiter, encoding, amount_unit, date_form)
 * change how the same contracts are written, never which contracts: for the
 * same seed every variant carries the same ids (after the prefix), dates,
 * amounts and cells as the plain output.
 *
 * Truth mode (truth = 1): a market whose true price level is known, for
 * simulation studies of the index methods (bench/methods.sh). The columns
 * are the same; the contracts are drawn from another model, with their own
 * draws (the main stream draws every column, the side stream only the time
 * of day), so a truth-mode dump shares nothing with the plain dump of the
 * same seed. With truth = 0 (the default) none of the fields below
 * changes a byte. The model: a contract signed on day d, in period k(d) of
 * truth_period, has
 *
 *     amount = 280000 yuan * exp(mu_k + g_type + g_sector + g_seller + e)
 *
 * where g_type is +0.7 development, +0.2 transfer, 0 licensing, -0.6
 * consulting, -0.3 service (development contracts are the large ones);
 * g_sector is the log of the sector's level (1.0 electronic_information
 * ... 2.5 nuclear; sectors drawn with the plain shares, no sector drift);
 * g_seller is 0 enterprise, +0.45 university, +0.35 institute, -0.2 other
 * (seller types drawn with shares 75/12/8/5%, independent of the amount;
 * buyer types and both regions as in the plain dump, without effect); and
 * e, the same distribution in every period and cell, a normal mixture with
 * a heavy right tail: N(0, 1.25^2) with probability 0.96, N(3.6, 1) with
 * probability 0.04, so that the largest 4% of contracts carry about 60%
 * of the value (104000 rows, seed 1), as in registration data. Amounts are
 * clamped to [50, 5e9] yuan (it almost never binds) and written to the cent;
 * tech_amount is all of the amount or a uniform 30-100% of it, independent
 * of everything else, so the truth holds for either measure.
 *
 * The true quality-adjusted price level of period k is
 *
 *     level_k = 100 * exp(mu_k - mu_0)
 *
 * exactly (mu is constant within a period of truth_period). It is what a
 * time-dummy hedonic regression of log amount on period dummies and the
 * type, sector and seller-type dummies estimates, and, e being the same in
 * every period, also the factor by which the mean amount of contracts of
 * any fixed characteristics moves (E amount = exp(mu + g) E exp(e)): the
 * unit_value_index of a cell of fixed composition has it as its
 * expectation. The path, with x_k the years from the first day of the first
 * period to the first day of period k and X the x of the last period:
 *   trend R:                mu_k - mu_0 = ln(1 + R) * x_k  (R = 0.05: +5% a year)
 *   with return_to_start:   mu_k - mu_0 = ln(1 + R) * 2 x_k (1 - x_k / X)
 *                           (a parabola: up to (1+R)^(X/2) at mid-range, and
 *                           exactly 100 again in the last period)
 * and no noise: the path is deterministic, the dumps differ only in the
 * contracts drawn.
 *
 * Diverging sectors (diverge D, 0 by default: none of this applies, not a
 * byte changes): a market the time-dummy model does not describe, whose
 * sectors' relative prices move apart. Half the sectors' quality-adjusted
 * prices grow by D a year and the others' fall by D a year, on top of the
 * common path mu above: a contract of sector s in period k has
 * mu_k + delta_{s,k} in place of mu_k, with
 *     delta_{s,k} = ln(1 + D) * x_k   for the sectors that rise,
 *     delta_{s,k} = ln(1 - D) * x_k   for the others
 * (return_to_start bends mu only; delta keeps moving). The split is fixed:
 * the sectors at the odd places of gen's table (the 1st, 3rd, ...:
 * electronic_information, biomedicine, new_energy, aerospace,
 * urban_development, nuclear; 62% of the contracts, 65.3% of the base
 * value) rise, the others (advanced_manufacturing, new_materials,
 * environment, modern_transport, agriculture) fall; a negative D swaps the
 * halves. The number of contracts of each sector, type and seller type
 * keeps its share (the same basket in every period, up to a common scale),
 * so the fixed-basket (Laspeyres, Paasche and Fisher at once) price level
 *
 *     level_k = 100 * exp(mu_k - mu_0) * sum_s v_s * exp(delta_{s,k})
 *
 * with v_s the sector's share of the expected value (share_s * its level
 * g_sector, normalised; the same in the first period as in any, as
 * delta_{s,0} = 0), is the market's true level: it is the level the truth
 * file writes. It is an arithmetic mean of the sectors' levels weighted by
 * base-period value: a time-dummy regression, which assumes one common
 * level, estimates a geometric mean weighted by contracts instead, lower
 * (with D = 0.10 over 2024: about 101.9 against 103.0 in the last week).
 *
 * Composition: the share of development contracts is 30% plus
 * shift_development * u on day d, u = (d - from) / (to - from) (0 for a
 * single day): it rises linearly by shift_development (0.2: 20 points)
 * over the range; the other types share the rest in the plain proportions
 * 10:12:13:35. The days: a weekday pattern only (Monday 0.95, Tuesday to
 * Thursday 1, Friday 1.05, Saturday 0.15, Sunday 0.08; no months, no
 * year-end rush, no growth in the number of contracts), and with holidays
 * every day of two ISO weeks a year weighs 1/5: the week (Monday to
 * Sunday) holding Spring Festival (the first day of the lunar year, from
 * a table for 2000-2035, 5 February in other years) and the week holding
 * 1 October (National Day). tix_gen_truth_write writes the truth. */
#ifndef TECHIDX_GEN_H
#define TECHIDX_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "techidx/period.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The side stream's seed is opts->seed ^ this. */
#define TIX_GEN_SIDE_SEED 0x5ca1ab1eUL

/* The notes stream's seed, with a share of quoted notes not the default. */
#define TIX_GEN_NOTES_SEED 0x9e3779b9UL

/* The longest id prefix, in bytes. */
#define TIX_GEN_ID_PREFIX_MAX 32

typedef enum tix_gen_encoding {
    TIX_GEN_UTF8,    /* as the generator writes it */
    TIX_GEN_GB18030, /* transcoded with iconv */
    TIX_GEN_GBK
} tix_gen_encoding;

typedef enum tix_gen_unit {
    TIX_GEN_YUAN, /* 123456.78: yuan with two decimals */
    TIX_GEN_WAN   /* 12.345678: 万元 (10000 yuan), the digits needed and no more
                     (100 yuan is 0.01, 10000 yuan is 1) */
} tix_gen_unit;

typedef enum tix_gen_date_form {
    TIX_GEN_DATE_ISO,      /* 2024-03-05 */
    TIX_GEN_DATE_SLASH,    /* 2024/03/05 */
    TIX_GEN_DATE_COMPACT,  /* 20240305 */
    TIX_GEN_DATE_DATETIME, /* 2024-03-05 10:22:00 */
    TIX_GEN_DATE_ISO8601   /* 2024-03-05T10:22:00+08:00 */
} tix_gen_date_form;

typedef struct tix_gen_opts {
    uint64_t rows;       /* data rows to write (the header is extra) */
    unsigned long seed;  /* GSL rng seed */
    int32_t from_day;    /* first signing date, day number (see period.h) */
    int32_t to_day;      /* last signing date, inclusive; >= from_day */
    double dirty;        /* fraction of rows deliberately broken, in [0, 1] */
    int chinese_headers; /* 1: header uses the registration-export names */
    int gzip;            /* 1: write a gzip stream instead of plain CSV */
    /* How the contracts are written (see above); the defaults are the plain
     * output. */
    const char *id_prefix;       /* before the 12-digit number; NULL: "TC". Borrowed,
                                    at most TIX_GEN_ID_PREFIX_MAX bytes, none of them
                                    ',', ';', '"', a tab, CR or LF */
    char delimiter;              /* ',' (default), ';' or '\t' */
    tix_gen_encoding encoding;   /* default TIX_GEN_UTF8 */
    tix_gen_unit amount_unit;    /* default TIX_GEN_YUAN */
    tix_gen_date_form date_form; /* default TIX_GEN_DATE_ISO */
    double quoted_notes;         /* fraction of rows whose notes are quoted, in [0, 1];
                                    default TIX_GEN_QUOTED_NOTES */
    /* Truth mode (see above); with truth 0 the other fields are ignored. */
    int truth;                    /* 1: the market whose truth is known; default 0 */
    tix_period_kind truth_period; /* the periods mu is constant over; default week */
    double trend;                 /* annual growth of the true level, > -1; default 0 */
    int return_to_start;          /* 1: up and back to 100 in the last period */
    double shift_development;     /* rise of the development share, in [-0.3, 0.7] */
    int holidays;                 /* 1: Spring Festival and National Day weeks at 1/5 */
    double diverge;               /* half the sectors +D a year, half -D, |D| < 1; default 0 */
} tix_gen_opts;

/* The default share of rows with a quoted note (see above). */
#define TIX_GEN_QUOTED_NOTES 0.1

/* The shift of the development share is within these bounds (the share
 * starts at 30%, and must stay in [0, 1]). */
#define TIX_GEN_SHIFT_MIN (-0.3)
#define TIX_GEN_SHIFT_MAX 0.7

/* Fills o with the defaults, the way to start a tix_gen_opts: 1000 rows, seed 1,
 * 2022-01-01..2024-12-31, no dirty rows, English headers, plain CSV: ids TC000000000001..., commas,
 * UTF-8, yuan, ISO dates, a tenth of the notes quoted. */
void tix_gen_opts_init(tix_gen_opts *o);

/* Writes a header row and opts->rows data rows to `out`, which the caller
 * opened for writing and still owns (it is flushed, not closed). On failure
 * returns TIX_E_INVALID (bad options, or an id prefix the encoding cannot
 * write), TIX_E_IO or TIX_E_NOMEM and writes a
 * message into err[errlen] when err is not NULL; part of the dump may have
 * been written by then. */
tix_status tix_gen_write(const tix_gen_opts *opts, FILE *out, char *err, size_t errlen);

/* Writes the truth of the truth-mode market opts describes to `out` (the
 * caller's, flushed, not closed), as CSV with a header row:
 *
 *   period,level,contracts,share_development,share_transfer,share_licensing,
 *   share_consulting,share_service
 *
 * one row per period of opts->truth_period that holds a day of the range,
 * in order, labelled as techidx labels periods (2024-W11, 2024-03, ...):
 * level is level_k above (100 in the first period; with diverge, the
 * fixed-basket level of the diverging sectors), contracts the expected
 * number of rows signed in the period (of opts->rows, clean or dirty), and
 * the shares the expected shares of each contract type among them; six
 * decimals each. opts->truth must be 1. Depends only on opts, not on the
 * seed: tix_gen_write's dump for any seed is a draw from this market.
 * Returns TIX_OK, TIX_E_INVALID (bad options, truth 0), TIX_E_NOMEM or
 * TIX_E_IO, with a message in err[errlen] when err is not NULL. */
tix_status tix_gen_truth_write(const tix_gen_opts *opts, FILE *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
