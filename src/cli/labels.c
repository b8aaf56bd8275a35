#include "cli/labels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/table.h"

const char *labels_series(lang_id lang, series_id s)
{
    switch (s) {
    case SERIES_TITLE:
        return LANG_PICK(lang, "Technology trading index", "技术交易指数");
    case SERIES_VALUE:
        return LANG_PICK(lang, "Value index", "技术交易指数");
    case SERIES_VOLUME:
        return LANG_PICK(lang, "Volume index", "数量指数");
    case SERIES_UNIT_VALUE:
        return LANG_PICK(lang, "Unit value index", "单位价值指数");
    }
    return "";
}

/* The values techidx knows: raw (as techidx gen and most dumps write
 * them), English and Chinese. A dump whose values are already Chinese
 * matches on zh. */
typedef struct builtin {
    const char *raw, *en, *zh;
} builtin;

static const builtin builtins[] = {
    /* the 11 technology domains (技术领域) */
    {"electronic_information", "Electronic information", "电子信息"},
    {"advanced_manufacturing", "Advanced manufacturing", "先进制造"},
    {"biomedicine", "Biomedicine", "生物医药"},
    {"new_materials", "New materials", "新材料"},
    {"new_energy", "New energy", "新能源"},
    {"environment", "Environmental protection", "环境保护"},
    {"aerospace", "Aerospace", "航空航天"},
    {"modern_transport", "Modern transport", "现代交通"},
    {"urban_development", "Urban construction and social development", "城市建设与社会发展"},
    {"agriculture", "Agriculture", "农业"},
    {"nuclear", "Nuclear applications", "核应用"},
    /* the 5 contract types */
    {"development", "Technology development", "技术开发"},
    {"transfer", "Technology transfer", "技术转让"},
    {"licensing", "Technology licensing", "技术许可"},
    {"consulting", "Technology consulting", "技术咨询"},
    {"service", "Technology service", "技术服务"},
    /* seller and buyer types */
    {"enterprise", "Enterprise", "企业"},
    {"university", "University", "高等院校"},
    {"institute", "Research institute", "科研院所"},
    {"other", "Other", "其他"},
    /* regions */
    {"guangdong", "Guangdong", "广东"},
    {"shenzhen", "Shenzhen", "深圳"},
    {"beijing", "Beijing", "北京"},
    {"shanghai", "Shanghai", "上海"},
    {"jiangsu", "Jiangsu", "江苏"},
    {"zhejiang", "Zhejiang", "浙江"},
    {"shandong", "Shandong", "山东"},
    {"hubei", "Hubei", "湖北"},
    {"sichuan", "Sichuan", "四川"},
    {"fujian", "Fujian", "福建"},
    {"anhui", "Anhui", "安徽"},
    {"henan", "Henan", "河南"},
    {"hunan", "Hunan", "湖南"},
    {"tianjin", "Tianjin", "天津"},
    {"shaanxi", "Shaanxi", "陕西"},
    {"chongqing", "Chongqing", "重庆"},
};
#define NBUILTINS (sizeof builtins / sizeof builtins[0])

struct label_set {
    size_t n;
    char **value, **label; /* the file's, in its order */
};

void labels_free(label_set *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->value[i]);
        free(l->label[i]);
    }
    free(l->value);
    free(l->label);
    free(l);
}

/* Valid UTF-8 with no control character. */
static int printable_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p, n;
        if (c < 0x20 || c == 0x7f)
            return 0;
        if (c < 0x80)
            n = 0;
        else if ((c & 0xe0) == 0xc0 && c >= 0xc2)
            n = 1;
        else if ((c & 0xf0) == 0xe0)
            n = 2;
        else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
            n = 3;
        else
            return 0;
        p++;
        for (unsigned k = 0; k < n; k++, p++)
            if ((*p & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

int labels_load(const char *path, label_set **out, char *err, size_t errlen)
{
    *out = calloc(1, sizeof **out);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (!path)
        return 0;
    table t;
    char msg[256];
    if (table_load(path, &t, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "%s: %s", path, msg);
        goto fail;
    }
    int cv = table_col(&t, "value"), cl = table_col(&t, "label");
    if (cv < 0 || cl < 0) {
        snprintf(err, errlen, "%s: line 1: the header must name the columns value and label",
                 path);
        table_free(&t);
        goto fail;
    }
    label_set *l = *out;
    l->value = calloc(t.nrows + 1, sizeof *l->value);
    l->label = calloc(t.nrows + 1, sizeof *l->label);
    if (!l->value || !l->label) {
        snprintf(err, errlen, "out of memory");
        table_free(&t);
        goto fail;
    }
    for (size_t r = 0; r < t.nrows; r++) {
        const char *v = table_at(&t, r, cv), *lb = table_at(&t, r, cl);
        /* Rows are counted after the header; a quoted newline would make
         * this a record number rather than a line, so say record. */
        if (!*v || !*lb || !printable_utf8(v) || !printable_utf8(lb)) {
            snprintf(err, errlen,
                     "%s: record %zu: a value and its label must be non-empty UTF-8 text "
                     "without control characters",
                     path, r + 2);
            table_free(&t);
            goto fail;
        }
        for (size_t k = 0; k < l->n; k++)
            if (strcmp(l->value[k], v) == 0) {
                snprintf(err, errlen, "%s: record %zu: value '%s' is labelled twice", path, r + 2,
                         v);
                table_free(&t);
                goto fail;
            }
        l->value[l->n] = strdup(v);
        l->label[l->n] = strdup(lb);
        if (!l->value[l->n] || !l->label[l->n]) {
            free(l->value[l->n]);
            free(l->label[l->n]);
            snprintf(err, errlen, "out of memory");
            table_free(&t);
            goto fail;
        }
        l->n++;
    }
    table_free(&t);
    return 0;
fail:
    labels_free(*out);
    *out = NULL;
    return -1;
}

static int same(const char *name, const char *raw, size_t len)
{
    return strlen(name) == len && memcmp(name, raw, len) == 0;
}

const char *labels_name(const label_set *l, lang_id lang, const char *raw, size_t len,
                        size_t *outlen)
{
    const char *name = NULL;
    for (size_t k = 0; l && k < l->n && !name; k++)
        if (same(l->value[k], raw, len))
            name = l->label[k];
    for (size_t k = 0; k < NBUILTINS && !name; k++)
        if (same(builtins[k].raw, raw, len) || same(builtins[k].zh, raw, len) ||
            same(builtins[k].en, raw, len))
            name = LANG_PICK(lang, builtins[k].en, builtins[k].zh);
    if (!name) {
        *outlen = len;
        return raw;
    }
    *outlen = strlen(name);
    return name;
}

/* Appends len bytes of s at *o in buf (cap), cut at a UTF-8 boundary. */
static void put(char *buf, size_t cap, size_t *o, const char *s, size_t len)
{
    if (*o + len >= cap) {
        len = cap - 1 - *o;
        while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
            len--; /* s[len] would be cut from its lead byte */
    }
    memcpy(buf + *o, s, len);
    *o += len;
    buf[*o] = '\0';
}

char *labels_cell(const label_set *l, lang_id lang, const char *cell, char *buf, size_t cap)
{
    static const char sep[] = " / ";
    size_t o = 0;
    buf[0] = '\0';
    const char *p = cell;
    for (;;) {
        const char *end = strstr(p, sep);
        size_t len = end ? (size_t)(end - p) : strlen(p), nlen;
        const char *name = labels_name(l, lang, p, len, &nlen);
        put(buf, cap, &o, name, nlen);
        if (!end || o + 1 >= cap)
            break;
        put(buf, cap, &o, sep, 3);
        p = end + 3;
    }
    return buf;
}
