#include <criterion/criterion.h>
#include <string.h>

#include "support.h"
#include "techidx/period.h"
#include "techidx/record.h"

/* Splits a comma-separated line (no quoting) into borrowed fields. */
static size_t split(const char *line, tix_field *f, size_t max)
{
    size_t n = 0;
    const char *p = line;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        cr_assert(n < max);
        f[n++] = (tix_field){p, len};
        if (!c)
            return n;
        p = c + 1;
    }
}

static tix_status resolve(const char *header, tix_column dim, const tix_header_map *maps,
                          size_t nmaps, tix_schema *s, char *err)
{
    tix_field f[32];
    size_t n = split(header, f, 32);
    tix_dims d;
    cr_assert_eq(tix_dims_parse(tix_column_name(dim), &d, NULL, 0), TIX_OK);
    return tix_schema_resolve(s, f, n, &d, maps, nmaps, err, 256);
}

static const char *std_header =
    "contract_id,signed_on,sector,contract_type,buyer_region,seller_region,amount,tech_amount";

static tix_reason parse(const char *line, tix_record *rec)
{
    tix_schema s;
    char err[256];
    cr_assert_eq(resolve(std_header, TIX_COL_SECTOR, NULL, 0, &s, err), TIX_OK);
    tix_field f[32];
    size_t n = split(line, f, 32);
    return tix_record_parse(&s, f, n, rec);
}

Test(record, cents_parse_valid_amounts)
{
    struct {
        const char *s;
        int64_t cents;
    } ok[] = {{"0", 0},
              {"7", 700},
              {"7.5", 750},
              {"7.05", 705},
              {"00012.50", 1250},
              {"123456.78", 12345678},
              {"92233720368547758.07", INT64_MAX}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t c = -1;
        cr_assert_eq(tix_cents_parse(ok[i].s, strlen(ok[i].s), &c), TIX_OK, "%s", ok[i].s);
        cr_assert_eq(c, ok[i].cents, "%s -> %lld", ok[i].s, (long long)c);
    }
}

Test(record, cents_parse_rejects_malformed_and_overflow)
{
    const char *bad[] = {"",   "-0",  "-5.00", "+5",   "1e5",  "1,000.00", "12.345", "12.",
                         ".5", "abc", "1 000", "5.0a", "0x10", " 5",       "NaN"};
    int64_t c;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(tix_cents_parse(bad[i], strlen(bad[i]), &c), TIX_E_INVALID, "accepted '%s'",
                     bad[i]);
    const char *big[] = {"92233720368547758.08", "9223372036854775807.99",
                         "99999999999999999999.00", "123456789012345678901234567890"};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
        cr_assert_eq(tix_cents_parse(big[i], strlen(big[i]), &c), TIX_E_OVERFLOW,
                     "no overflow for '%s'", big[i]);
}

Test(record, header_any_order_case_spaces_bom_unknown_columns)
{
    tix_schema s;
    char err[256];
    cr_assert_eq(resolve("\xEF\xBB\xBF"
                         "Tech_Amount, notes ,AMOUNT,Sector,  signed_on,Contract_ID",
                         TIX_COL_SECTOR, NULL, 0, &s, err),
                 TIX_OK, "%s", err);
    cr_assert_eq(s.index[TIX_COL_TECH_AMOUNT], 0);
    cr_assert_eq(s.index[TIX_COL_AMOUNT], 2);
    cr_assert_eq(s.index[TIX_COL_SECTOR], 3);
    cr_assert_eq(s.index[TIX_COL_SIGNED_ON], 4);
    cr_assert_eq(s.index[TIX_COL_CONTRACT_ID], 5);
    cr_assert_eq(s.index[TIX_COL_BUYER_REGION], -1);
    cr_assert_eq(s.nfields, 6);
}

Test(record, header_chinese_aliases)
{
    tix_schema s;
    char err[256];
    cr_assert_eq(
        resolve("合同编号,签订日期,技术领域,合同类型,买方地区,卖方地区,合同成交额,技术交易额",
                TIX_COL_SELLER_REGION, NULL, 0, &s, err),
        TIX_OK, "%s", err);
    for (int c = 0; c <= TIX_COL_TECH_AMOUNT; c++)
        cr_assert_eq(s.index[c], c, "column %s", tix_column_name((tix_column)c));
    cr_assert_eq(
        resolve("合同编号,签订日期,技术领域,成交金额,技术交易额", TIX_COL_SECTOR, NULL, 0, &s, err),
        TIX_OK, "%s", err);
    cr_assert_eq(s.index[TIX_COL_AMOUNT], 3);
}

Test(record, header_maps_add_and_override)
{
    tix_schema s;
    char err[256];
    tix_header_map maps[] = {{TIX_COL_CONTRACT_ID, "Registration No"},
                             {TIX_COL_TECH_AMOUNT, "amount"},
                             {TIX_COL_AMOUNT, "Total"}};
    cr_assert_eq(
        resolve("registration no,signed_on,sector,Total,amount", TIX_COL_SECTOR, maps, 3, &s, err),
        TIX_OK, "%s", err);
    cr_assert_eq(s.index[TIX_COL_CONTRACT_ID], 0);
    cr_assert_eq(s.index[TIX_COL_AMOUNT], 3);
    cr_assert_eq(s.index[TIX_COL_TECH_AMOUNT], 4);
}

Test(record, header_missing_or_doubled_column_is_named)
{
    tix_schema s;
    char err[256];
    cr_assert_eq(resolve("contract_id,signed_on,sector,amount", TIX_COL_SECTOR, NULL, 0, &s, err),
                 TIX_E_HEADER);
    cr_assert(strstr(err, "tech_amount"), "%s", err);
    cr_assert_eq(resolve("contract_id,signed_on,sector,amount,tech_amount", TIX_COL_BUYER_REGION,
                         NULL, 0, &s, err),
                 TIX_E_HEADER);
    cr_assert(strstr(err, "buyer_region"), "%s", err);
    cr_assert_eq(resolve("contract_id,signed_on,sector,amount,tech_amount,合同成交额",
                         TIX_COL_SECTOR, NULL, 0, &s, err),
                 TIX_E_HEADER);
    cr_assert(strstr(err, "amount") && strstr(err, "twice"), "%s", err);
}

Test(record, accepted_row_fields)
{
    tix_record r;
    cr_assert_eq(parse("TC1,2024-03-11,biomedicine,transfer,guangdong,shenzhen,1000.50,800", &r),
                 TIX_REASON_NONE);
    cr_assert_eq(r.amount, 100050);
    cr_assert_eq(r.tech_amount, 80000);
    cr_assert_eq(r.day, tix_days_from_civil(2024, 3, 11));
    cr_assert_eq(r.cell.len, strlen("biomedicine"));
    cr_assert_eq(memcmp(r.cell.ptr, "biomedicine", r.cell.len), 0);
    cr_assert_eq(memcmp(r.id.ptr, "TC1", 3), 0);
}

Test(record, every_reason_code)
{
    struct {
        const char *line;
        tix_reason want;
    } cases[] = {
        {"TC1,2024-03-11,biomedicine,transfer,gd,sz,10", TIX_REASON_FIELD_COUNT},
        {"TC1,2024-03-11,biomedicine,transfer,gd,sz,10,5,extra", TIX_REASON_FIELD_COUNT},
        {",2024-03-11,biomedicine,transfer,gd,sz,10,5", TIX_REASON_EMPTY_ID},
        {"TC1,2023-02-29,biomedicine,transfer,gd,sz,10,5", TIX_REASON_BAD_DATE},
        {"TC1,0000-01-01,biomedicine,transfer,gd,sz,10,5", TIX_REASON_BAD_DATE},
        {"TC1,,biomedicine,transfer,gd,sz,10,5", TIX_REASON_BAD_DATE},
        {"TC1,2024-03-11,biomedicine,transfer,gd,sz,-10,5", TIX_REASON_BAD_AMOUNT},
        {"TC1,2024-03-11,biomedicine,transfer,gd,sz,1e5,5", TIX_REASON_BAD_AMOUNT},
        {"TC1,2024-03-11,biomedicine,transfer,gd,sz,,5", TIX_REASON_BAD_AMOUNT},
        {"TC1,2024-03-11,biomedicine,transfer,gd,sz,10,5.123", TIX_REASON_BAD_TECH_AMOUNT},
        {"TC1,2024-03-11,biomedicine,transfer,gd,sz,9223372036854775807.99,5",
         TIX_REASON_AMOUNT_OVERFLOW},
        {"TC1,2024-03-11,biomedicine,transfer,gd,sz,10,99999999999999999999",
         TIX_REASON_AMOUNT_OVERFLOW},
        {"TC1,2024-03-11,biomedicine,transfer,gd,sz,10,10.01", TIX_REASON_TECH_EXCEEDS_AMOUNT},
        {"TC1,2024-03-11,,transfer,gd,sz,10,5", TIX_REASON_EMPTY_DIMENSION},
        /* The first applicable reason wins. */
        {",2023-02-29,,transfer,gd,sz,x,y", TIX_REASON_EMPTY_ID},
        {"TC1,2024-03-11,biomedicine,transfer,gd,sz,10,10", TIX_REASON_NONE},
        {"TC1,2024-03-11,biomedicine,,,,0,0", TIX_REASON_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tix_record r;
        tix_reason got = parse(cases[i].line, &r);
        cr_assert_eq(got, cases[i].want, "%s: got %s want %s", cases[i].line, tix_reason_name(got),
                     tix_reason_name(cases[i].want));
    }
}

Test(record, names)
{
    cr_assert_str_eq(tix_reason_name(TIX_REASON_TECH_EXCEEDS_AMOUNT), "tech_exceeds_amount");
    cr_assert_str_eq(tix_reason_name(TIX_REASON_UNTERMINATED_QUOTE), "unterminated_quote");
    cr_assert_str_eq(tix_reason_name(TIX_REASON_COUNT), "?");
    tix_column c;
    cr_assert_eq(tix_column_parse("seller_region", &c), TIX_OK);
    cr_assert_eq(c, TIX_COL_SELLER_REGION);
    cr_assert_eq(tix_column_parse("Seller_Region", &c), TIX_E_INVALID);
}

Test(record, text_valid_words_and_tails)
{
    /* Every position of a bad byte in strings of 1 to 24 bytes, so the
     * word-at-a-time path and the byte path both see it. */
    const char bad[] = {'\0', '\x01', '\x1f', '\x7f', '\x80', '\xff'};
    char buf[32];
    for (size_t len = 1; len <= 24; len++) {
        for (const char *good = " a~"; *good; good++) { /* 0x20 and 0x7e are printable */
            memset(buf, *good, len);
            cr_assert(tix_text_valid(buf, len), "len %zu byte %02x", len, (unsigned char)*good);
        }
        for (size_t pos = 0; pos < len; pos++)
            for (size_t k = 0; k < sizeof bad; k++) {
                memset(buf, 'a', len);
                buf[pos] = bad[k];
                cr_assert_not(tix_text_valid(buf, len), "len %zu pos %zu byte %02x", len, pos,
                              (unsigned char)bad[k]);
            }
    }
    cr_assert(tix_text_valid("电子信息 electronic ~", strlen("电子信息 electronic ~")));
    cr_assert(tix_text_valid("电子", 6)); /* 4 to 7 bytes, not ASCII: the byte path */
    cr_assert(tix_text_valid("ab\xc3\xa9", 4));
    cr_assert_not(tix_text_valid("ab\xc3", 3)); /* cut short */
    cr_assert_not(tix_text_valid("abc\xe7\x94", 5));
    cr_assert_not(tix_text_valid("\xc2\x9b"
                                 "abcdefghij",
                                 12));                         /* C1 CSI */
    cr_assert_not(tix_text_valid("abcdefgh\xed\xa0\x80", 11)); /* a surrogate */
    cr_assert_not(tix_text_valid("abcdefgh\xc0\xaf", 10));     /* overlong '/' */
    cr_assert(tix_text_valid("", 0));
}

/* The rule one character at a time, as the docs say it: UTF-8 with no
 * C0, DEL or C1 control character. */
static int text_valid_by_hand(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = tix_utf8_char(s + i, len - i, &cp);
        if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
            return 0;
        i += n;
    }
    return 1;
}

Test(record, text_valid_agrees_with_the_rule_on_random_strings)
{
    /* Mostly printable bytes, with the edges of each class and pieces of
     * UTF-8 mixed in, at every length the word paths split on. */
    static const unsigned char pool[] = {'a',  'Z',  '0',  ' ',  '~',  0x1f, 0x7f, 0x00, 0x80,
                                         0x9f, 0xc2, 0xa0, 0xe7, 0x94, 0xb5, 0xed, 0xff, 0xf0};
    uint64_t seed = 17;
    size_t valid = 0;
    for (int n = 0; n < 20000; n++) {
        char buf[40];
        size_t len = (size_t)(tt_rng_next(&seed) % sizeof buf);
        int odd = (int)(tt_rng_next(&seed) % 4); /* 0: printable ASCII only */
        for (size_t i = 0; i < len; i++) {
            uint64_t r = tt_rng_next(&seed);
            unsigned c = odd && r % 8 == 0 ? pool[(r >> 8) % sizeof pool] : 0x20 + (r >> 8) % 95;
            buf[i] = (char)c;
        }
        int want = text_valid_by_hand(buf, len);
        valid += (size_t)want;
        cr_assert_eq(tix_text_valid(buf, len), want, "string %d, %zu bytes", n, len);
    }
    cr_assert(valid > 5000 && valid < 19000, "%zu valid", valid); /* both answers tried */
}

Test(record, text_valid_sees_one_odd_byte_at_every_place_of_every_length)
{
    /* One byte at the edge of printable ASCII (or a lone UTF-8 lead or
     * continuation byte) in printable text: at each place of each length
     * the word and vector paths cut into (to 32 bytes in two vectors). */
    static const unsigned char odd[] = {0x00, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xbf, 0xc2, 0xff};
    for (size_t len = 1; len <= 48; len++)
        for (size_t at = 0; at < len; at++)
            for (size_t k = 0; k < sizeof odd; k++) {
                char buf[48];
                for (size_t i = 0; i < len; i++)
                    buf[i] = (char)('A' + (i * 7) % 26);
                buf[at] = (char)odd[k];
                int want = odd[k] >= 0x20 && odd[k] < 0x7f;
                cr_assert_eq(text_valid_by_hand(buf, len), want);
                cr_assert_eq(tix_text_valid(buf, len), want, "byte 0x%02x at %zu of %zu", odd[k],
                             at, len);
            }
}

Test(record, dims_parse_canonical_aliases_and_other_headers)
{
    tix_dims d;
    char err[200], text[TIX_BY_MAX];
    cr_assert_eq(tix_dims_parse(" Sector ,卖方类型, 专利类型", &d, err, sizeof err), TIX_OK, "%s",
                 err);
    cr_assert_eq(d.n, 3);
    tix_dims_text(&d, text);
    cr_assert_str_eq(text, "sector,seller_type,专利类型");
    cr_assert(d.known[0] && d.known[1] && !d.known[2]);
    cr_assert_eq(d.column[1], TIX_COL_SELLER_TYPE);
    cr_assert_eq(tix_dims_parse("buyer_type", &d, err, sizeof err), TIX_OK);
    cr_assert_eq(d.column[0], TIX_COL_BUYER_TYPE);
    static const struct {
        const char *by, *says;
    } bad[] = {
        {"", "an empty column name"},
        {"sector,,seller_type", "an empty column name"},
        {"a,b,c,d,e", "more than 4"},
        {"sector,技术领域", "names sector twice"},
        {"x,X", "names X twice"},
        {"amount", "amount cannot make cells"},
        {"签订日期", "signed_on cannot make cells"},
        {"a\x01", "not valid text"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(tix_dims_parse(bad[i].by, &d, err, sizeof err), TIX_E_INVALID, "%s",
                     bad[i].by);
        cr_assert(strstr(err, bad[i].says), "%s: %s", bad[i].by, err);
    }
    char longname[80];
    memset(longname, 'x', 70);
    longname[70] = 0;
    cr_assert_eq(tix_dims_parse(longname, &d, err, sizeof err), TIX_E_INVALID);
}

Test(record, several_dimensions_are_checked_in_order)
{
    tix_field f[16];
    size_t n = split("contract_id,signed_on,sector,seller_type,amount,tech_amount", f, 16);
    tix_dims d;
    cr_assert_eq(tix_dims_parse("seller_type,sector", &d, NULL, 0), TIX_OK);
    tix_schema s;
    char err[256];
    cr_assert_eq(tix_schema_resolve(&s, f, n, &d, NULL, 0, err, sizeof err), TIX_OK, "%s", err);
    cr_assert_eq(s.ndims, 2);
    cr_assert_eq(s.dim[0], 3);
    cr_assert_eq(s.dim[1], 2);
    tix_record rec;
    n = split("A,2024-01-01,elec,university,1,1", f, 16);
    cr_assert_eq(tix_record_parse(&s, f, n, &rec), TIX_REASON_NONE);
    cr_assert_eq(rec.dims[0].len, 10);
    cr_assert_eq(rec.dims[1].len, 4);
    n = split("A,2024-01-01,,university,1,1", f, 16);
    cr_assert_eq(tix_record_parse(&s, f, n, &rec), TIX_REASON_EMPTY_DIMENSION);
    n = split("A,2024-01-01,e\x1fx,university,1,1", f, 16);
    cr_assert_eq(tix_record_parse(&s, f, n, &rec), TIX_REASON_INVALID_TEXT);
    /* One header field named twice by `by` (a known name and its header). */
    cr_assert_eq(tix_dims_parse("sector,Sector2", &d, NULL, 0), TIX_OK);
    tix_header_map m = {TIX_COL_SECTOR, "Sector2"};
    n = split("contract_id,signed_on,Sector2,amount,tech_amount", f, 16);
    cr_assert_eq(tix_schema_resolve(&s, f, n, &d, &m, 1, err, sizeof err), TIX_E_HEADER);
    cr_assert(strstr(err, "twice"), "%s", err);
}

/* ---- how values are read: schema.rec (dates, --amount-unit) ---- */

Test(record, cents_parse_wan_is_exact_to_the_cent)
{
    struct {
        const char *s;
        int64_t cents;
    } ok[] = {{"12.345678", 12345678},
              {"1", 1000000},
              {"0.000001", 1},
              {"0", 0},
              {"0.5", 500000},
              {"0.01", 10000},
              {"00012.345678", 12345678},
              {"9223372036854.775807", INT64_MAX},
              {"0009223372036854.775807", INT64_MAX}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t c = -1;
        cr_assert_eq(tix_cents_parse_wan(ok[i].s, strlen(ok[i].s), &c), TIX_OK, "%s", ok[i].s);
        cr_assert_eq(c, ok[i].cents, "%s -> %lld", ok[i].s, (long long)c);
    }
    const char *bad[] = {"12.3456789", "0.0000001", "",   "-1", "+1",    "1e3", "12.",
                         ".5",         "1,000",     " 1", "1 ", "1.2.3", "0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t c = 42;
        cr_assert_eq(tix_cents_parse_wan(bad[i], strlen(bad[i]), &c), TIX_E_INVALID,
                     "accepted '%s'", bad[i]);
        cr_assert_eq(c, 42);
    }
    const char *big[] = {"9223372036854.775808", "9223372036855", "99999999999999",
                         "123456789012345678901234567890.5"};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        int64_t c;
        cr_assert_eq(tix_cents_parse_wan(big[i], strlen(big[i]), &c), TIX_E_OVERFLOW,
                     "no overflow for '%s'", big[i]);
    }
}

Test(record, amount_unit_names)
{
    tix_amount_unit u;
    cr_assert_str_eq(tix_amount_unit_name(TIX_AMOUNT_YUAN), "yuan");
    cr_assert_str_eq(tix_amount_unit_name(TIX_AMOUNT_WAN), "wan");
    cr_assert_eq(tix_amount_unit_parse("wan", &u), TIX_OK);
    cr_assert_eq(u, TIX_AMOUNT_WAN);
    cr_assert_eq(tix_amount_unit_parse("yuan", &u), TIX_OK);
    cr_assert_eq(u, TIX_AMOUNT_YUAN);
    cr_assert_eq(tix_amount_unit_parse("万元", &u), TIX_E_INVALID);
}

static tix_reason parse_with(const tix_record_opts *ro, const char *line, tix_record *rec)
{
    tix_schema s;
    char err[256];
    cr_assert_eq(resolve(std_header, TIX_COL_SECTOR, NULL, 0, &s, err), TIX_OK);
    s.rec = *ro;
    tix_field f[32];
    size_t n = split(line, f, 32);
    return tix_record_parse(&s, f, n, rec);
}

Test(record, schema_resolve_leaves_the_default_reading)
{
    tix_schema s;
    char err[256];
    memset(&s, 0xff, sizeof s);
    cr_assert_eq(resolve(std_header, TIX_COL_SECTOR, NULL, 0, &s, err), TIX_OK);
    cr_assert_null(s.rec.date_pattern);
    cr_assert_eq(s.rec.amount_unit, TIX_AMOUNT_YUAN);
}

Test(record, signed_on_in_every_automatic_form_and_only_the_pattern_when_given)
{
    tix_record r;
    const char *rows[] = {"C1,2024-03-05,s,t,b,l,100.00,50.00",
                          "C1,2024/03/05,s,t,b,l,100.00,50.00", "C1,20240305,s,t,b,l,100.00,50.00",
                          "C1,2024-03-05T09:00:00+08:00,s,t,b,l,100.00,50.00",
                          "C1,2024/03/05 9:00,s,t,b,l,100.00,50.00"};
    tix_record_opts dflt = {NULL, TIX_AMOUNT_YUAN};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(parse_with(&dflt, rows[i], &r), TIX_REASON_NONE, "%s", rows[i]);
        cr_assert_eq(r.day, tix_days_from_civil(2024, 3, 5));
    }
    cr_assert_eq(parse_with(&dflt, rows[4], &r), TIX_REASON_BAD_DATE); /* H, not HH */
    tix_date_pattern p;
    cr_assert_eq(tix_date_pattern_compile(&p, "%Y年%m月%d日", NULL, 0), TIX_OK);
    tix_record_opts zh = {&p, TIX_AMOUNT_YUAN};
    cr_assert_eq(parse_with(&zh, "C1,2024年3月5日,s,t,b,l,100.00,50.00", &r), TIX_REASON_NONE);
    cr_assert_eq(r.day, tix_days_from_civil(2024, 3, 5));
    /* With a pattern, only it: not even YYYY-MM-DD. */
    cr_assert_eq(parse_with(&zh, rows[0], &r), TIX_REASON_BAD_DATE);
    /* The header again is still told apart from a bad date. */
    cr_assert_eq(parse_with(&zh, std_header, &r), TIX_REASON_REPEATED_HEADER);
}

Test(record, amounts_in_wan)
{
    tix_record r;
    tix_record_opts wan = {NULL, TIX_AMOUNT_WAN};
    cr_assert_eq(parse_with(&wan, "C1,2024-03-05,s,t,b,l,12.345678,0.000001", &r), TIX_REASON_NONE);
    cr_assert_eq(r.amount, 12345678);
    cr_assert_eq(r.tech_amount, 1);
    cr_assert_eq(parse_with(&wan, "C1,2024-03-05,s,t,b,l,1,1", &r), TIX_REASON_NONE);
    cr_assert_eq(r.amount, 1000000);
    cr_assert_eq(parse_with(&wan, "C1,2024-03-05,s,t,b,l,1.0000001,1", &r), TIX_REASON_BAD_AMOUNT);
    cr_assert_eq(parse_with(&wan, "C1,2024-03-05,s,t,b,l,1,0.0000001", &r),
                 TIX_REASON_BAD_TECH_AMOUNT);
    cr_assert_eq(parse_with(&wan, "C1,2024-03-05,s,t,b,l,9223372036855,1", &r),
                 TIX_REASON_AMOUNT_OVERFLOW);
    cr_assert_eq(parse_with(&wan, "C1,2024-03-05,s,t,b,l,2,3", &r), TIX_REASON_TECH_EXCEEDS_AMOUNT);
    /* Six decimals are no yuan amount. */
    tix_record_opts yuan = {NULL, TIX_AMOUNT_YUAN};
    cr_assert_eq(parse_with(&yuan, "C1,2024-03-05,s,t,b,l,12.345678,1", &r), TIX_REASON_BAD_AMOUNT);
}

Test(record, cell_value_splits_a_cell_name_of_several_columns)
{
    const char *name = "elec\x1funiversity\x1f发明";
    const char *want[] = {"elec", "university", "发明", ""};
    for (size_t k = 0; k < 4; k++) {
        tix_field v = tix_cell_value(name, k);
        cr_assert_eq(v.len, strlen(want[k]), "value %zu", k);
        cr_assert_eq(memcmp(v.ptr, want[k], v.len), 0, "value %zu", k);
    }
    tix_field one = tix_cell_value("sector_only", 0);
    cr_assert_eq(one.len, 11);
}
