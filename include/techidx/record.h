/* Contract records: finding columns in a header row, and turning one CSV
 * row into a validated record or a reason for rejecting it. */
#ifndef TECHIDX_RECORD_H
#define TECHIDX_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/api.h"
#include "techidx/period.h"
#include "techidx/reader.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tix_column {
    TIX_COL_CONTRACT_ID = 0,
    TIX_COL_SIGNED_ON,
    TIX_COL_SECTOR,
    TIX_COL_CONTRACT_TYPE,
    TIX_COL_BUYER_REGION,
    TIX_COL_SELLER_REGION,
    TIX_COL_AMOUNT,
    TIX_COL_TECH_AMOUNT,
    TIX_COL_SELLER_TYPE, /* enterprise, university, institute, other (卖方类型) */
    TIX_COL_BUYER_TYPE,  /* the same for the buyer (买方类型) */
    TIX_COL_COUNT
} tix_column;

/* Cells are the combinations of the values of up to TIX_MAX_DIMS columns
 * (--by COL[,COL...]), each named in at most TIX_DIM_NAME_MAX bytes, the
 * list as text ("sector,seller_type") in fewer than TIX_BY_MAX bytes. A
 * cell's name joins its values with TIX_DIM_SEP, a control character that
 * no accepted value holds (invalid_text), so names split back exactly. */
#define TIX_MAX_DIMS 4
#define TIX_DIM_NAME_MAX 64
#define TIX_BY_MAX 264
#define TIX_DIM_SEP '\x1f'

/* Why a row was rejected. Values are fixed; names are the reason codes
 * written to --rejects and the summary. */
typedef enum tix_reason {
    TIX_REASON_NONE = 0,
    TIX_REASON_FIELD_COUNT,         /* field count differs from the header's */
    TIX_REASON_EMPTY_ID,            /* contract_id is empty */
    TIX_REASON_BAD_DATE,            /* signed_on is not a real date in a form read
                                       (tix_date_parse_any, or the date pattern) */
    TIX_REASON_BAD_AMOUNT,          /* amount is not a decimal >= 0 with <= 2 decimals
                                       (<= 6 in 万元) */
    TIX_REASON_BAD_TECH_AMOUNT,     /* the same for tech_amount */
    TIX_REASON_AMOUNT_OVERFLOW,     /* an amount does not fit int64 cents */
    TIX_REASON_TECH_EXCEEDS_AMOUNT, /* tech_amount > amount */
    TIX_REASON_EMPTY_DIMENSION,     /* the weighted dimension (--by) is empty */
    TIX_REASON_UNTERMINATED_QUOTE,  /* the input ended inside a quoted field */
    TIX_REASON_INVALID_TEXT,        /* contract_id or the dimension value is not valid
                                       UTF-8 or holds a control character (NUL, CR, ...) */
    TIX_REASON_REPEATED_HEADER,     /* the header row again (files concatenated) */
    TIX_REASON_DUPLICATE_ID,        /* contract_id seen before (only with dedup) */
    TIX_REASON_OUT_OF_RANGE,        /* signed_on outside the requested date range */
    TIX_REASON_COUNT
} tix_reason;

/* "field_count", "empty_id", ...; "?" for values out of range. */
TIX_API const char *tix_reason_name(tix_reason r);

/* Canonical column names ("contract_id", ...) and their parser, which
 * accepts only canonical names. */
TIX_API const char *tix_column_name(tix_column c);
TIX_API tix_status tix_column_parse(const char *name, tix_column *c);

/* The first Chinese registration-export header of column c ("合同编号",
 * ...), or NULL. */
TIX_API const char *tix_column_alias(tix_column c);

/* 1 for the known columns whose values can be the index's cells (sector,
 * contract_type, buyer_region, seller_region, seller_type, buyer_type), 0
 * for the others. */
TIX_API int tix_column_is_dimension(tix_column c);

/* The cell dimensions of a --by list. Each name is a known dimension
 * column by its canonical name or a Chinese alias (stored canonical), or
 * any other header, matched as headers are (case-insensitively, blanks
 * around it ignored). */
typedef struct tix_dims {
    size_t n;                                /* 1..TIX_MAX_DIMS */
    char name[TIX_MAX_DIMS][TIX_DIM_NAME_MAX]; /* canonical or header text */
    int known[TIX_MAX_DIMS];                 /* 1: name is a tix_column's */
    tix_column column[TIX_MAX_DIMS];         /* when known */
    size_t required; /* the first `required` must be in the header and never empty; the
                        others are characteristics (the time dummy's beyond `by`): a
                        file without the column, an empty value or one that is not
                        valid text reads as the empty value, and never rejects a row.
                        0 (tix_dims_parse's): all n are required */
} tix_dims;

/* Parses "sector", "buyer_region, seller_region", "技术领域,专利类型", ...
 * into *d. Refused (TIX_E_INVALID, err says why): an empty list or name, a
 * name too long, more than TIX_MAX_DIMS names, one named twice, and the
 * columns that are not dimensions (contract_id, signed_on, amount,
 * tech_amount). err may be NULL. */
TIX_API tix_status tix_dims_parse(const char *by, tix_dims *d, char *err, size_t errlen);

/* Writes the canonical text of d ("sector,seller_type") into out, which
 * holds TIX_BY_MAX bytes. */
TIX_API void tix_dims_text(const tix_dims *d, char *out);

/* The length of the first k columns of a by text ("sector,seller_type"
 * and 1: 6), all of it when it has k or fewer. */
TIX_API size_t tix_by_prefix(const char *by, size_t k);

/* The value of dimension k (0-based) in a cell's name (NUL-terminated,
 * values joined by TIX_DIM_SEP), borrowed from name; empty past the last. */
TIX_API tix_field tix_cell_value(const char *name, size_t k);

/* A user-supplied header for a column (--map name=header). */
typedef struct tix_header_map {
    tix_column column;
    const char *header; /* borrowed; must outlive the schema resolution */
} tix_header_map;

/* The unit of the amount columns (--amount-unit): yuan, with up to two
 * decimals, or 万元 (ten thousand yuan), with up to six (exact to the
 * cent). Values are fixed. */
typedef enum tix_amount_unit { TIX_AMOUNT_YUAN = 0, TIX_AMOUNT_WAN = 1 } tix_amount_unit;

/* "yuan", "wan"; "?" out of range. tix_amount_unit_parse returns
 * TIX_E_INVALID for any other name. */
TIX_API const char *tix_amount_unit_name(tix_amount_unit u);
TIX_API tix_status tix_amount_unit_parse(const char *name, tix_amount_unit *u);

/* How tix_record_parse reads signed_on and the amounts. All zero (the
 * state tix_schema_resolve leaves) is the default: the automatic date
 * forms (tix_date_parse_any) and yuan. */
typedef struct tix_record_opts {
    const tix_date_pattern *date_pattern; /* borrowed; NULL: the automatic forms;
                                             else only this pattern */
    tix_amount_unit amount_unit;
} tix_record_opts;

/* Where each column sits in a file's rows. */
typedef struct tix_schema {
    long index[TIX_COL_COUNT];  /* field index, -1 when absent */
    size_t nfields;             /* fields in the header row */
    size_t ndims;               /* the cell dimensions, in --by order */
    size_t nrequired;           /* of which the first are required (tix_dims.required) */
    long dim[TIX_MAX_DIMS];     /* their field indices; -1: a characteristic absent */
    const tix_header_map *maps; /* as given to tix_schema_resolve (borrowed) */
    size_t nmaps;
    tix_record_opts rec; /* zeroed by tix_schema_resolve; set it after */
} tix_schema;

/* Resolves the header row. Names match case-insensitively, ignoring
 * surrounding spaces and a UTF-8 BOM; the Chinese registration-export
 * names are aliases; maps[] add or override headers (and must outlive the
 * schema). Required: contract_id, signed_on, amount, tech_amount and each
 * dimension of dims. Returns TIX_OK, or TIX_E_HEADER with a message in err
 * that names a missing column with its Chinese alias and lists the headers
 * found, and says when the header looks like another encoding or
 * delimiter (options named in backquotes, as status.h says). */
TIX_API tix_status tix_schema_resolve(tix_schema *schema, const tix_field *fields, size_t nfields,
                                      const tix_dims *dims, const tix_header_map *maps,
                                      size_t nmaps, char *err, size_t errlen);

/* A validated record. Views borrow from the row's fields. */
typedef struct tix_record {
    tix_field id;
    tix_field cell;      /* value of the first dimension */
    tix_field dims[TIX_MAX_DIMS]; /* the values of all schema->ndims dimensions */
    int32_t day;         /* signing date, day number (period.h) */
    int64_t amount;      /* contract amount, cents */
    int64_t tech_amount; /* technology transaction amount, cents */
} tix_record;

/* Validates one data row against the schema. Returns TIX_REASON_NONE and
 * fills *rec, or the first reason that applies, checked in this order:
 * field_count, repeated_header (every known column holds its own header
 * name), empty_id, bad_date, bad_amount, bad_tech_amount, amount_overflow,
 * tech_exceeds_amount, empty_dimension, invalid_text. A UTF-8 BOM at the
 * start of the row (a file concatenated mid-stream) is ignored. signed_on
 * and the amounts are read as schema->rec says. */
TIX_API tix_reason tix_record_parse(const tix_schema *schema, const tix_field *fields,
                                    size_t nfields, tix_record *rec);

/* Length (1-4) of the valid UTF-8 character at the start of (s, len), with
 * its code point in *cp when cp is not NULL; 0 when the bytes there are not
 * valid UTF-8 (overlong forms, surrogates and code points above U+10FFFF are
 * invalid). */
TIX_API size_t tix_utf8_char(const char *s, size_t len, uint32_t *cp);

/* 1 when (s, len) is valid UTF-8 without control characters (C0, DEL, C1:
 * U+0000-U+001F, U+007F-U+009F). */
TIX_API int tix_text_valid(const char *s, size_t len);

/* Parses a yuan amount "123", "123.4" or "123.45" (digits, optional point
 * and one or two digits; no sign, exponent or separators) into cents.
 * Returns TIX_OK, TIX_E_INVALID when malformed or TIX_E_OVERFLOW when it
 * exceeds INT64_MAX cents (*cents is then unchanged). */
TIX_API tix_status tix_cents_parse(const char *s, size_t len, int64_t *cents);

/* Parses an amount in 万元, "12", "12.3" ... "12.345678" (digits, optional
 * point and one to six digits), into cents: 12.345678 is 12345678 cents
 * (123456.78 yuan). Exact integer arithmetic. Returns TIX_OK, TIX_E_INVALID
 * when malformed (seven decimals and more included) or TIX_E_OVERFLOW when
 * it exceeds INT64_MAX cents (*cents is then unchanged). */
TIX_API tix_status tix_cents_parse_wan(const char *s, size_t len, int64_t *cents);

#ifdef __cplusplus
}
#endif
#endif
