/* What a release shows instead of raw values: the language of its text
 * (--lang) and the display names of cell values (built in for the
 * technology domains, contract types, seller types and regions techidx
 * knows, and from a --labels file for any other). Data files keep the raw
 * values; only charts, pages and workbooks use these names. */
#ifndef TECHIDX_CLI_LABELS_H
#define TECHIDX_CLI_LABELS_H

#include <stddef.h>

/* tix_config.lang's values. */
typedef enum lang_id { LANG_EN = 0, LANG_ZH = 1 } lang_id;

/* The text of lang: en or zh. */
#define LANG_PICK(lang, en, zh) ((lang) == LANG_ZH ? (zh) : (en))

/* The names of the headline and its factors, and of the whole index. */
typedef enum series_id {
    SERIES_TITLE,      /* Technology trading index / 技术交易指数 */
    SERIES_VALUE,      /* Value index / 技术交易指数 (the headline) */
    SERIES_VOLUME,     /* Volume index / 数量指数 */
    SERIES_UNIT_VALUE, /* Unit value index / 单位价值指数 */
} series_id;

const char *labels_series(lang_id lang, series_id s);

typedef struct label_set label_set;

/* The built-in names, with those of path (CSV with a header `value,label`,
 * UTF-8, a value at most once; NULL: none) over them. A label applies in
 * either language. Returns 0 with *out (free with labels_free), or -1 with
 * a message naming the file and line in err. */
int labels_load(const char *path, label_set **out, char *err, size_t errlen);

void labels_free(label_set *l);

/* The display name of a raw cell value (len bytes, not NUL-terminated)
 * in lang: the file's label, else the built-in name (matched on the
 * English or the Chinese raw value), else the value itself. The pointer
 * stays valid while l lives or, for the value itself, while raw does. l
 * may be NULL (built-in names only). *outlen gets the name's length. */
const char *labels_name(const label_set *l, lang_id lang, const char *raw, size_t len,
                        size_t *outlen);

/* The display name of a cell named by its values joined with " / " (as the
 * chart joins a cell's columns): each part named by labels_name, joined
 * again with " / ", into buf (cap bytes, NUL-terminated, cut at a UTF-8
 * boundary when too long). Returns buf. */
char *labels_cell(const label_set *l, lang_id lang, const char *cell, char *buf, size_t cap);

#endif
