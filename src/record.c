#include "techidx/record.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "bytes_internal.h"
#include "techidx/period.h"

static const char *const reason_names[TIX_REASON_COUNT] = {
    "none",
    "field_count",
    "empty_id",
    "bad_date",
    "bad_amount",
    "bad_tech_amount",
    "amount_overflow",
    "tech_exceeds_amount",
    "empty_dimension",
    "unterminated_quote",
    "invalid_text",
    "repeated_header",
    "duplicate_id",
    "out_of_range",
};

const char *tix_reason_name(tix_reason r)
{
    return (unsigned)r < TIX_REASON_COUNT ? reason_names[r] : "?";
}

static const char *const column_names[TIX_COL_COUNT] = {
    "contract_id",  "signed_on",     "sector", "contract_type", "buyer_region",
    "seller_region", "amount",       "tech_amount", "seller_type", "buyer_type",
};

/* Registration-export headers (UTF-8). */
static const struct {
    tix_column column;
    const char *name;
} aliases[] = {
    {TIX_COL_CONTRACT_ID, "合同编号"},   {TIX_COL_SIGNED_ON, "签订日期"},
    {TIX_COL_SECTOR, "技术领域"},        {TIX_COL_CONTRACT_TYPE, "合同类型"},
    {TIX_COL_BUYER_REGION, "买方地区"},  {TIX_COL_SELLER_REGION, "卖方地区"},
    {TIX_COL_AMOUNT, "成交金额"},        {TIX_COL_AMOUNT, "合同成交额"},
    {TIX_COL_TECH_AMOUNT, "技术交易额"}, {TIX_COL_SELLER_TYPE, "卖方类型"},
    {TIX_COL_BUYER_TYPE, "买方类型"},
};

const char *tix_column_name(tix_column c)
{
    return (unsigned)c < TIX_COL_COUNT ? column_names[c] : "?";
}

tix_status tix_column_parse(const char *name, tix_column *c)
{
    for (int i = 0; i < TIX_COL_COUNT; i++)
        if (strcmp(name, column_names[i]) == 0) {
            *c = (tix_column)i;
            return TIX_OK;
        }
    return TIX_E_INVALID;
}

const char *tix_column_alias(tix_column c)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (aliases[i].column == c)
            return aliases[i].name;
    return NULL;
}

int tix_column_is_dimension(tix_column c)
{
    return c == TIX_COL_SECTOR || c == TIX_COL_CONTRACT_TYPE || c == TIX_COL_BUYER_REGION ||
           c == TIX_COL_SELLER_REGION || c == TIX_COL_SELLER_TYPE || c == TIX_COL_BUYER_TYPE;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

/* Header text normalised: BOM and surrounding blanks off; a field that
 * still carries its quotes (a BOM before the quote defeats CSV quoting)
 * loses them. */
static tix_field clean_header(tix_field f)
{
    if (f.len >= 3 && memcmp(f.ptr, "\xEF\xBB\xBF", 3) == 0) {
        f.ptr += 3;
        f.len -= 3;
    }
    while (f.len && (f.ptr[0] == ' ' || f.ptr[0] == '\t')) {
        f.ptr++;
        f.len--;
    }
    while (f.len &&
           (f.ptr[f.len - 1] == ' ' || f.ptr[f.len - 1] == '\t' || f.ptr[f.len - 1] == '\r'))
        f.len--;
    if (f.len >= 2 && f.ptr[0] == '"' && f.ptr[f.len - 1] == '"') {
        f.ptr++;
        f.len -= 2;
    }
    return f;
}

static int header_eq(tix_field f, const char *name)
{
    size_t n = strlen(name);
    if (f.len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)f.ptr[i]) != lower((unsigned char)name[i]))
            return 0;
    return 1;
}

static int column_of(tix_field h, const tix_header_map *maps, size_t nmaps, tix_column *out)
{
    for (size_t i = 0; i < nmaps; i++) /* user maps win */
        if (header_eq(h, maps[i].header)) {
            *out = maps[i].column;
            return 1;
        }
    for (int c = 0; c < TIX_COL_COUNT; c++)
        if (header_eq(h, column_names[c])) {
            *out = (tix_column)c;
            return 1;
        }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (header_eq(h, aliases[i].name)) {
            *out = aliases[i].column;
            return 1;
        }
    return 0;
}

__attribute__((format(printf, 3, 4))) static tix_status dims_fail(char *err, size_t errlen,
                                                                  const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return TIX_E_INVALID;
}

tix_status tix_dims_parse(const char *by, tix_dims *d, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    const char *p = by ? by : "";
    for (;;) {
        const char *end = strchr(p, ',');
        tix_field f = {p, end ? (size_t)(end - p) : strlen(p)};
        while (f.len && (f.ptr[0] == ' ' || f.ptr[0] == '\t'))
            f.ptr++, f.len--;
        while (f.len && (f.ptr[f.len - 1] == ' ' || f.ptr[f.len - 1] == '\t'))
            f.len--;
        if (f.len == 0)
            return dims_fail(err, errlen, "an empty column name in `by` \"%s\"", by ? by : "");
        if (d->n == TIX_MAX_DIMS)
            return dims_fail(err, errlen, "`by` \"%s\" names more than 4 columns", by);
        if (f.len >= TIX_DIM_NAME_MAX || !tix_text_valid(f.ptr, f.len))
            return dims_fail(err, errlen,
                             "a column name in `by` \"%s\" is too long (63 bytes at most) or "
                             "not valid text",
                             by);
        tix_column c;
        size_t k = d->n;
        if (column_of(f, NULL, 0, &c)) {
            if (!tix_column_is_dimension(c))
                return dims_fail(err, errlen, "%s cannot make cells: `by` takes the columns "
                                 "that classify contracts, not ids, dates or amounts",
                                 column_names[c]);
            d->known[k] = 1;
            d->column[k] = c;
            strcpy(d->name[k], column_names[c]);
        } else {
            memcpy(d->name[k], f.ptr, f.len);
            d->name[k][f.len] = 0;
        }
        for (size_t j = 0; j < k; j++)
            if (header_eq((tix_field){d->name[k], strlen(d->name[k])}, d->name[j]))
                return dims_fail(err, errlen, "`by` names %s twice", d->name[k]);
        d->n++;
        if (!end)
            return TIX_OK;
        p = end + 1;
    }
}

size_t tix_by_prefix(const char *by, size_t k)
{
    size_t n = 0, len = strlen(by);
    while (n < len && !(by[n] == ',' && --k == 0))
        n++;
    return n;
}

void tix_dims_text(const tix_dims *d, char *out)
{
    size_t o = 0;
    for (size_t k = 0; k < d->n; k++) {
        size_t n = strlen(d->name[k]);
        if (k)
            out[o++] = ',';
        memcpy(out + o, d->name[k], n);
        o += n;
    }
    out[o] = 0;
}

tix_field tix_cell_value(const char *name, size_t k)
{
    for (; k > 0; k--) {
        const char *sep = strchr(name, TIX_DIM_SEP);
        if (!sep)
            return (tix_field){name + strlen(name), 0};
        name = sep + 1;
    }
    const char *end = strchr(name, TIX_DIM_SEP);
    return (tix_field){name, end ? (size_t)(end - name) : strlen(name)};
}

/* Appends s to the message at *o in err[errlen], truncating with "...".
 * Control characters, and bytes that are not UTF-8 (every byte from 0x80
 * when ascii), are shown as \xHH. */
static void say_as(char *err, size_t errlen, size_t *o, const char *s, size_t n, int ascii)
{
    if (*o + 1 >= errlen)
        return;
    for (size_t i = 0; i < n; i++) {
        char hex[5];
        const char *piece = s + i;
        size_t len = 1;
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f ||
            (ch >= 0x80 && (ascii || tix_utf8_char(s + i, n - i, NULL) == 0))) {
            snprintf(hex, sizeof hex, "\\x%02X", ch); /* not text: shown as bytes */
            piece = hex;
            len = 4;
        } else if (ch >= 0x80) {
            len = tix_utf8_char(s + i, n - i, NULL);
            i += len - 1;
        }
        if (*o + len + 4 >= errlen) {
            memcpy(err + *o, "...", 3);
            *o += 3;
            err[*o] = 0;
            *o = errlen; /* full */
            return;
        }
        memcpy(err + *o, piece, len);
        *o += len;
    }
    err[*o] = 0;
}

static void say(char *err, size_t errlen, size_t *o, const char *s, size_t n)
{
    say_as(err, errlen, o, s, n, 0);
}

/* 1 when (s, len) is UTF-8 (control characters allowed). */
static int utf8_valid(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t k = (unsigned char)s[i] < 0x80 ? 1 : tix_utf8_char(s + i, len - i, NULL);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

static void says(char *err, size_t errlen, size_t *o, const char *s)
{
    say(err, errlen, o, s, strlen(s));
}

/* The message for a missing column: what it is, the headers there are, and
 * what may be wrong with them. */
static void missing(char *err, size_t errlen, const tix_field *fields, size_t nfields,
                    const char *name, int known, tix_column c)
{
    size_t o = 0;
    if (!err || errlen == 0)
        return;
    err[0] = 0;
    const char *alias = known ? tix_column_alias(c) : NULL;
    says(err, errlen, &o,
         known && !tix_column_is_dimension(c) ? "missing required column " : "missing column ");
    says(err, errlen, &o, name);
    if (alias) {
        says(err, errlen, &o, " (");
        says(err, errlen, &o, alias);
        says(err, errlen, &o, ")");
    }
    if (!known || tix_column_is_dimension(c))
        says(err, errlen, &o, ", named in `by`");
    int utf8 = 1, delim = 0;
    for (size_t i = 0; i < nfields; i++)
        utf8 &= utf8_valid(fields[i].ptr, fields[i].len);
    if (nfields == 1)
        for (size_t i = 0; i < fields[0].len; i++)
            if (fields[0].ptr[i] == ';' || fields[0].ptr[i] == '\t')
                delim = fields[0].ptr[i];
    if (!utf8)
        says(err, errlen, &o, "; the header is not valid UTF-8: a GBK/GB18030 export? try "
                              "`encoding` gb18030");
    else if (delim)
        says(err, errlen, &o, delim == ';' ? "; the header is one field holding ';': try "
                                             "`delimiter` ';'"
                                           : "; the header is one field holding tabs: try "
                                             "`delimiter` '\\t'");
    says(err, errlen, &o, "; the header has: ");
    for (size_t i = 0; i < nfields; i++) {
        tix_field h = clean_header(fields[i]);
        if (i)
            says(err, errlen, &o, ", ");
        say_as(err, errlen, &o, h.ptr, h.len, !utf8);
    }
    if (utf8 && !delim && known) {
        says(err, errlen, &o, " (name the header with `map` ");
        says(err, errlen, &o, name);
        says(err, errlen, &o, "=HEADER)");
    }
}

tix_status tix_schema_resolve(tix_schema *s, const tix_field *fields, size_t nfields,
                              const tix_dims *dims, const tix_header_map *maps, size_t nmaps,
                              char *err, size_t errlen)
{
    for (int c = 0; c < TIX_COL_COUNT; c++)
        s->index[c] = -1;
    s->rec = (tix_record_opts){0};
    s->nfields = nfields;
    s->ndims = dims->n;
    s->nrequired = dims->required ? dims->required : dims->n;
    s->maps = maps;
    s->nmaps = nmaps;
    for (size_t i = 0; i < nfields; i++) {
        tix_column c;
        if (!column_of(clean_header(fields[i]), maps, nmaps, &c))
            continue; /* unknown columns are ignored, unless `by` names them */
        if (s->index[c] >= 0) {
            if (err)
                snprintf(err, errlen, "column %s appears twice in the header (fields %ld and %zu)",
                         column_names[c], s->index[c] + 1, i + 1);
            return TIX_E_HEADER;
        }
        s->index[c] = (long)i;
    }
    const tix_column required[] = {TIX_COL_CONTRACT_ID, TIX_COL_SIGNED_ON, TIX_COL_AMOUNT,
                                   TIX_COL_TECH_AMOUNT};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (s->index[required[i]] < 0) {
            missing(err, errlen, fields, nfields, column_names[required[i]], 1, required[i]);
            return TIX_E_HEADER;
        }
    for (size_t k = 0; k < dims->n; k++) {
        long at = -1;
        if (dims->known[k]) {
            at = s->index[dims->column[k]];
        } else {
            for (size_t i = 0; i < nfields; i++)
                if (header_eq(clean_header(fields[i]), dims->name[k])) {
                    if (at >= 0) {
                        if (err)
                            snprintf(err, errlen,
                                     "column %s appears twice in the header (fields %ld and %zu)",
                                     dims->name[k], at + 1, i + 1);
                        return TIX_E_HEADER;
                    }
                    at = (long)i;
                }
        }
        int optional = dims->required && k >= dims->required;
        if (at < 0 && !optional) {
            missing(err, errlen, fields, nfields, dims->name[k], dims->known[k],
                    dims->column[k]);
            return TIX_E_HEADER;
        }
        for (size_t j = 0; at >= 0 && j < k; j++)
            if (s->dim[j] == at) {
                if (err)
                    snprintf(err, errlen, "`by` names the header field %ld twice (%s and %s)",
                             at + 1, dims->name[j], dims->name[k]);
                return TIX_E_HEADER;
            }
        s->dim[k] = at;
    }
    return TIX_OK;
}

/* Value of the n ASCII digits (1 <= n <= 8) held in the low n bytes of w,
 * the first digit lowest, or -1 when one of them is not a digit. They are
 * right-aligned in a word padded with '0' and converted in three multiply
 * steps: pairs, quads, all eight. */
static int64_t short_digits(uint64_t w, size_t n)
{
    const uint64_t zeros = 0x3030303030303030ull;
    if (n < 8)
        w = (w << (8 * (8 - n))) | (zeros >> (8 * n));
    /* Every byte 0x30-0x39: high nibble 3, and adding 6 keeps it 3. */
    if (((w & 0xf0f0f0f0f0f0f0f0ull) |
         (((w + 0x0606060606060606ull) & 0xf0f0f0f0f0f0f0f0ull) >> 4)) != 0x3333333333333333ull)
        return -1;
    w -= zeros;            /* byte k holds digit k, most significant first */
    w = w * 10 + (w >> 8); /* even bytes: two-digit numbers */
    w = ((w & 0x000000ff000000ffull) * (100 + (1000000ull << 32)) +
         ((w >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32))) >>
        32;
    return (int64_t)w;
}

/* Digits, optionally a point and 1 to max_dec digits (no sign, exponent or
 * separators), as cents, a whole unit being `unit` cents and each decimal
 * max_dec places worth unit / 10^max_dec. TIX_E_INVALID when malformed,
 * TIX_E_OVERFLOW past INT64_MAX cents (*cents unchanged then). */
static tix_status decimal_cents(const char *s, size_t len, size_t max_dec, uint64_t unit,
                                int64_t *cents)
{
    size_t i = 0, sig = 0;
    uint64_t whole = 0;
    if (len == 0 || (unsigned)(s[0] - '0') > 9)
        return TIX_E_INVALID;
    while (i < len && s[i] == '0') /* leading zeros carry no value */
        i++;
    /* 19 significant digits always fit a uint64; more can only overflow,
     * but the rest must still be digits for the amount to be well formed. */
    for (; i < len && (unsigned)(s[i] - '0') <= 9; i++, sig++)
        if (sig < 19)
            whole = whole * 10 + (unsigned)(s[i] - '0');
    uint64_t frac = 0;
    if (i < len) {
        size_t nd = len - i - 1;
        if (s[i] != '.' || nd < 1 || nd > max_dec)
            return TIX_E_INVALID;
        for (size_t k = i + 1; k < len; k++) {
            if ((unsigned)(s[k] - '0') > 9)
                return TIX_E_INVALID;
            frac = frac * 10 + (unsigned)(s[k] - '0');
        }
        for (; nd < max_dec; nd++)
            frac *= 10;
    }
    if (sig > 19 || whole > ((uint64_t)INT64_MAX - frac) / unit)
        return TIX_E_OVERFLOW;
    *cents = (int64_t)(whole * unit + frac);
    return TIX_OK;
}

tix_status tix_cents_parse(const char *s, size_t len, int64_t *cents)
{
    /* The common case, "1234567.89": at most eight integer digits. */
    if (len >= 1 && len <= 11) {
        size_t n = len, nd = 0;
        if (len >= 3 && s[len - 3] == '.')
            n = len - 3, nd = 2;
        else if (len >= 2 && s[len - 2] == '.')
            n = len - 2, nd = 1;
        if (n >= 1 && n <= 8) {
            int64_t whole = short_digits(tix_load_le(s, len < 8 ? len : 8), n);
            unsigned f0 = nd ? (unsigned)(s[n + 1] - '0') : 0;
            unsigned f1 = nd == 2 ? (unsigned)(s[n + 2] - '0') : 0;
            if (whole >= 0 && f0 <= 9 && f1 <= 9) {
                *cents = whole * 100 + (int64_t)(f0 * 10 + f1);
                return TIX_OK;
            }
        }
    }
    return decimal_cents(s, len, 2, 100, cents);
}

tix_status tix_cents_parse_wan(const char *s, size_t len, int64_t *cents)
{
    /* One 万元 is 1 000 000 cents: six decimals are whole cents. */
    return decimal_cents(s, len, 6, 1000000, cents);
}

/* Column c of a row whose first field, BOM stripped, is f0. */
static tix_field get(const tix_schema *s, const tix_field *f, tix_field f0, tix_column c)
{
    return s->index[c] == 0 ? f0 : f[s->index[c]];
}

/* The header row again: every column found in the header holds a name that
 * resolves to that same column. */
static int is_header_row(const tix_schema *s, const tix_field *f)
{
    for (int c = 0; c < TIX_COL_COUNT; c++) {
        tix_column got;
        if (s->index[c] >= 0 &&
            (!column_of(clean_header(f[s->index[c]]), s->maps, s->nmaps, &got) ||
             got != (tix_column)c))
            return 0;
    }
    return 1;
}

size_t tix_utf8_char(const char *s_, size_t len, uint32_t *cp_out)
{
    const unsigned char *s = (const unsigned char *)s_;
    if (len == 0)
        return 0;
    unsigned c = s[0];
    size_t n;
    uint32_t cp, min;
    if (c < 0x80) {
        n = 0, cp = c, min = 0;
    } else if (c >= 0xc2 && c <= 0xdf) {
        n = 1, cp = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 2, cp = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len <= n)
        return 0;
    for (size_t k = 1; k <= n; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    if (cp_out)
        *cp_out = cp;
    return n + 1;
}

/* 1 when the eight bytes of w are all printable ASCII (0x20-0x7e): none
 * below 0x20, none with the high bit, none equal to 0x7f. */
static inline int printable_word(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t d = w ^ (0x7f * ones);
    return (((w - 0x20 * ones) & ~w) | w | ((d - ones) & ~d)) & highs ? 0 : 1;
}

static inline int printable8(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return printable_word(w);
}

/* The n bytes at s, 4 <= n <= 8: the first four and the last four in one
 * word (they overlap when n < 8). */
static inline int printable_4to8(const char *s, size_t n)
{
    uint32_t a, b;
    memcpy(&a, s, 4);
    memcpy(&b, s + n - 4, 4);
    return printable_word((uint64_t)a | (uint64_t)b << 32);
}

#if defined(__SSE2__)
/* The 16 bytes at s all printable: as signed bytes above 0x1f (which
 * leaves out 0x80-0xff) and below 0x7f. */
static inline int printable16(const char *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i ok = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x1f)),
                               _mm_cmplt_epi8(v, _mm_set1_epi8(0x7f)));
    return _mm_movemask_epi8(ok) == 0xffff;
}
#endif

/* 1 when s[0..len) is all printable ASCII, as most ids and names are:
 * a field of 4 to 16 bytes in two words that overlap, with no loop (to 32
 * in two vectors, where SSE2 is). */
static inline int ascii_printable(const char *s, size_t len)
{
    if (len >= 8) {
        if (len <= 16)
            return printable8(s) & printable8(s + len - 8);
#if defined(__SSE2__)
        if (len <= 32)
            return printable16(s) & printable16(s + len - 16);
#endif
        for (size_t i = 0; i + 8 < len; i += 8)
            if (!printable8(s + i))
                return 0;
        return printable8(s + len - 8);
    }
    if (len >= 4)
        return printable_4to8(s, len);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

/* Text with some byte that is not printable ASCII: UTF-8, one character
 * at a time, none of them a control character. */
static int text_valid_slow(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = tix_utf8_char(s + i, len - i, &cp);
        if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) /* C0, DEL, C1 */
            return 0;
        i += n;
    }
    return 1;
}

/* tix_text_valid, inlined into the record's parse. */
static inline __attribute__((always_inline)) int text_valid(const char *s, size_t len)
{
    return ascii_printable(s, len) || text_valid_slow(s, len);
}

int tix_text_valid(const char *s, size_t len) { return text_valid(s, len); }

/* signed_on: YYYY-MM-DD first, as fast as ever; the other forms only
 * when it fails. */
static tix_status signed_on(const tix_record_opts *o, tix_field f, int32_t *day)
{
    if (o->date_pattern)
        return tix_date_pattern_parse(o->date_pattern, f.ptr, f.len, day);
    if (tix_date_parse(f.ptr, f.len, day) == TIX_OK)
        return TIX_OK;
    return tix_date_parse_any(f.ptr, f.len, day);
}

static tix_status amount_of(const tix_record_opts *o, tix_field f, int64_t *cents)
{
    return o->amount_unit == TIX_AMOUNT_WAN ? tix_cents_parse_wan(f.ptr, f.len, cents)
                                            : tix_cents_parse(f.ptr, f.len, cents);
}

tix_reason tix_record_parse(const tix_schema *s, const tix_field *fields, size_t nfields,
                            tix_record *rec)
{
    if (nfields != s->nfields)
        return TIX_REASON_FIELD_COUNT;
    /* A BOM mid-stream (files joined with cat) is looked past. */
    tix_field f0 = fields[0];
    if (f0.len >= 3 && memcmp(f0.ptr, "\xEF\xBB\xBF", 3) == 0)
        f0 = (tix_field){f0.ptr + 3, f0.len - 3};
    rec->id = get(s, fields, f0, TIX_COL_CONTRACT_ID);
    if (rec->id.len == 0)
        return TIX_REASON_EMPTY_ID;
    tix_field f = get(s, fields, f0, TIX_COL_SIGNED_ON);
    if (signed_on(&s->rec, f, &rec->day) != TIX_OK)
        /* A header row never has a date (nor an empty id), so looking for
         * one only here keeps it off the hot path in the same order. */
        return is_header_row(s, fields) ? TIX_REASON_REPEATED_HEADER : TIX_REASON_BAD_DATE;
    f = get(s, fields, f0, TIX_COL_AMOUNT);
    tix_status ra = amount_of(&s->rec, f, &rec->amount);
    if (ra == TIX_E_INVALID)
        return TIX_REASON_BAD_AMOUNT;
    f = get(s, fields, f0, TIX_COL_TECH_AMOUNT);
    tix_status rt = amount_of(&s->rec, f, &rec->tech_amount);
    if (rt == TIX_E_INVALID)
        return TIX_REASON_BAD_TECH_AMOUNT;
    if (ra == TIX_E_OVERFLOW || rt == TIX_E_OVERFLOW)
        return TIX_REASON_AMOUNT_OVERFLOW;
    if (rec->tech_amount > rec->amount)
        return TIX_REASON_TECH_EXCEEDS_AMOUNT;
    for (size_t k = 0; k < s->nrequired; k++) {
        rec->dims[k] = s->dim[k] == 0 ? f0 : fields[s->dim[k]];
        if (rec->dims[k].len == 0)
            return TIX_REASON_EMPTY_DIMENSION;
    }
    rec->cell = rec->dims[0];
    if (!text_valid(rec->id.ptr, rec->id.len))
        return TIX_REASON_INVALID_TEXT;
    for (size_t k = 0; k < s->nrequired; k++)
        if (!text_valid(rec->dims[k].ptr, rec->dims[k].len))
            return TIX_REASON_INVALID_TEXT;
    /* Characteristics never reject a row: what is not there, or not
     * text, is the empty value. */
    for (size_t k = s->nrequired; k < s->ndims; k++) {
        rec->dims[k] = s->dim[k] < 0 ? (tix_field){"", 0} : s->dim[k] == 0 ? f0 : fields[s->dim[k]];
        if (!text_valid(rec->dims[k].ptr, rec->dims[k].len))
            rec->dims[k] = (tix_field){"", 0};
    }
    return TIX_REASON_NONE;
}
