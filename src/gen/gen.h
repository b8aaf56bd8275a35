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
 * The format options (id_prefix, delimiter, encoding, amount_unit, date_form)
 * change how the same contracts are written, never which contracts: for the
 * same seed every variant carries the same ids (after the prefix), dates,
 * amounts and cells as the plain output. */
#ifndef TECHIDX_GEN_H
#define TECHIDX_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The side stream's seed is opts->seed ^ this. */
#define TIX_GEN_SIDE_SEED 0x5ca1ab1eUL

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
} tix_gen_opts;

/* Fills o with the defaults, the way to start a tix_gen_opts: 1000 rows, seed 1,
 * 2022-01-01..2024-12-31, no dirty rows, English headers, plain CSV: ids TC000000000001..., commas,
 * UTF-8, yuan, ISO dates. */
void tix_gen_opts_init(tix_gen_opts *o);

/* Writes a header row and opts->rows data rows to `out`, which the caller
 * opened for writing and still owns (it is flushed, not closed). On failure
 * returns TIX_E_INVALID (bad options, or an id prefix the encoding cannot
 * write), TIX_E_IO or TIX_E_NOMEM and writes a
 * message into err[errlen] when err is not NULL; part of the dump may have
 * been written by then. */
tix_status tix_gen_write(const tix_gen_opts *opts, FILE *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
