/* The options of every techidx command, in one table.
 *
 * Each option has a name, the commands that take it, a kind of value with
 * its bounds or its allowed names (taken from the library's own name
 * tables), a help text and where its value goes: a field of tix_config.
 * The command line parses argv with this table, prints --help from it,
 * says where an option belongs when it is given to the wrong command,
 * and publish --init stores what the table set; the Python package takes
 * the same names as keywords (with '_' for '-').
 *
 * Messages from this module name options as `name` (in backquotes); a
 * front end shows them its own way (the command line as --name, Python as
 * name): tix_config_message() does that rewriting. */
#ifndef TECHIDX_OPTIONS_H
#define TECHIDX_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "techidx/api.h"
#include "techidx/engine.h"
#include "techidx/index.h"
#include "techidx/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The commands, as a bit set. */
typedef enum tix_command {
    TIX_CMD_RUN = 1u << 0,
    TIX_CMD_CUBE = 1u << 1,
    TIX_CMD_MERGE = 1u << 2,
    TIX_CMD_INDEX = 1u << 3,
    TIX_CMD_PUBLISH = 1u << 4, /* publish FILE... (and --status) */
    TIX_CMD_INIT = 1u << 5,    /* publish --init: what a state stores */
    TIX_CMD_CHART = 1u << 6,
    TIX_CMD_GEN = 1u << 7
} tix_command;

/* "run", "cube", ..., "publish `init`" (names in backquotes as in every
 * message: tix_config_message); NULL for a set of more than one. */
TIX_API const char *tix_command_name(tix_command cmd);

/* What an option decides, for the message that says where it belongs. */
typedef enum tix_opt_group {
    TIX_GROUP_NONE = 0,  /* the command's own (-q, -o of cube, --state, ...) */
    TIX_GROUP_AGGREGATE, /* how rows are aggregated */
    TIX_GROUP_INDEX,     /* how the index is computed */
    TIX_GROUP_OUTPUT,    /* what is written */
    TIX_GROUP_READ       /* how input files are read */
} tix_opt_group;

typedef enum tix_opt_kind {
    TIX_OPT_FLAG,   /* no value */
    TIX_OPT_ENUM,   /* one of the names tix_option_value() lists */
    TIX_OPT_COUNT,  /* a whole number in [min, max] */
    TIX_OPT_REAL,   /* a number in (min, max) */
    TIX_OPT_DATE,   /* YYYY-MM-DD */
    TIX_OPT_TEXT,   /* any text: a period label, a directory, a title */
    TIX_OPT_OUTPUT, /* a file to write ("-" stdout); in Python: True to get it back */
    TIX_OPT_LIST    /* text, given any number of times (--map) */
} tix_opt_kind;

typedef struct tix_option {
    const char *name;  /* long name: "min-contracts" */
    char short_name;   /* 'o', 'q', ... or 0 */
    unsigned commands; /* the tix_command bits that take it */
    tix_opt_group group;
    tix_opt_kind kind;
    const char *metavar; /* "K" in --min-contracts K; NULL for flags */
    double min, max;     /* the bounds, inclusive (COUNT, REAL); 1e18 or more: none */
    const char *expect;  /* what a bad value is told ("a quantile between 0 and 1,
                            e.g. 0.99"); NULL: said from kind and bounds */
    const char *bad;     /* what a bad value is told before the value itself
                            (gen's own wording); NULL: from expect */
    const char *help;    /* lines separated by '\n' */
    int section;         /* the part of --help it is listed in (0 the options, 1 limits) */
    int id;              /* private: the field it sets */
    int open;            /* REAL: 1 when the bounds themselves are out */
} tix_option;

/* The table: *n entries, in the order --help lists them. Static. */
TIX_API const tix_option *tix_options(size_t *n);

/* The option called name that cmd takes, else any option called name
 * (whose commands tell where it belongs), else NULL. short_name 0 matches
 * no short option. */
TIX_API const tix_option *tix_option_find(const char *name, unsigned cmd);
TIX_API const tix_option *tix_option_find_short(char short_name, unsigned cmd);

/* The i-th allowed value of an ENUM option, NULL past the last. */
TIX_API const char *tix_option_value(const tix_option *opt, size_t i);

/* The name of an option that cmd takes nearest to name (edit distance at
 * most 2, or name a prefix of it), for "did you mean"; NULL when none. */
TIX_API const char *tix_option_suggest(const char *name, unsigned cmd);

#define TIX_CONFIG_MAX_MAPS 32

/* Everything the options of a command set. Strings are owned (copied by
 * tix_config_set) and freed by tix_config_clear. */
typedef struct tix_config {
    uint32_t given[4]; /* bit id: set by an option (private) */
    tix_engine_opts engine;
    tix_index_opts index;
    tix_header_map maps[TIX_CONFIG_MAX_MAPS]; /* engine.maps points here */
    char *map_text[TIX_CONFIG_MAX_MAPS];      /* each `map` as given: COL=HDR */
    size_t nmaps;
    char *base;             /* `base`: a period label, parsed once the period is known */
    char by[TIX_BY_MAX];    /* `by`, canonical; engine.by points here after finish */
    char *group;            /* `group`: one of the by columns */
    char *hedonic;          /* `hedonic`, canonical after finish (where rows are read, the
                               time dummy's default list); index.hedonic points here */
    char characteristics[TIX_BY_MAX]; /* those of hedonic not in by, read beside it;
                                         engine.characteristics points here when any */
    char *date_format;      /* `date-format`, checked when set; engine.date_format points here */
    double max_reject_rate; /* `max-reject-rate`; default 1 (no limit) */
    /* What is written. */
    char *output, *cells, *rejects, *contributions, *groups;
    int format; /* `format` of run and index: 0 csv, 1 json, 2 xlsx */
    int strict, quiet, allow_repeats, no_stats;
    int lang;     /* `lang`: 0 en, 1 zh */
    char *labels; /* `labels`: a CSV value,label, NULL none */
    int bom;      /* `bom`: CSV files start with a UTF-8 BOM */
    /* publish */
    char *state, *week;
    int init, status, replace, force;
    /* chart */
    char *title;
    int chart_format; /* `format` of chart: 0 by the extension, 1 svg, 2 png, 3 pdf */
    size_t last;
    /* gen */
    uint64_t gen_rows, gen_seed;
    int32_t gen_from, gen_to;
    double gen_dirty;
    int gen_chinese;
    char *gen_id_prefix;                                             /* NULL: gen's default */
    int gen_encoding, gen_delimiter, gen_amount_unit, gen_date_form; /* as gen.h's */
    char *gen_truth;                   /* `truth`: the truth file, NULL none */
    int gen_truth_period;              /* tix_period_kind; default week */
    double gen_trend, gen_shift_development;
    int gen_return_to_start, gen_holidays;
    double gen_diverge; /* `diverge` */
    double gen_quoted_notes; /* `quoted-notes` */
} tix_config;

/* The defaults of every option (those of the command line). Returns TIX_OK. */
TIX_API tix_status tix_config_init(tix_config *c);

/* A tix_config on the heap, initialised; for bindings that do not know its
 * layout (Python's ctypes). NULL when out of memory. Free with
 * tix_config_free, which accepts NULL. */
TIX_API tix_config *tix_config_new(void);
TIX_API void tix_config_free(tix_config *c);

/* The library options a config holds, complete once tix_config_finish
 * returned TIX_OK (engine->maps and engine->date_format point into c). */
TIX_API const tix_engine_opts *tix_config_engine(const tix_config *c);
TIX_API const tix_index_opts *tix_config_index(const tix_config *c);

/* Frees the strings of c. Accepts a zeroed c. */
TIX_API void tix_config_clear(tix_config *c);

/* Sets opt from its text value (NULL for a flag). A value outside the
 * option's kind or bounds, an option given twice (but a LIST) and an
 * option cmd does not take are TIX_E_INVALID with a message in err.
 * Returns TIX_OK, TIX_E_INVALID or TIX_E_NOMEM. */
TIX_API tix_status tix_config_set(tix_config *c, unsigned cmd, const tix_option *opt,
                                  const char *value, char *err, size_t errlen);

/* 1 when opt was set by tix_config_set. */
TIX_API int tix_config_given(const tix_config *c, const tix_option *opt);

/* The checks across options, for command cmd, after the last set: GEKS
 * with `chain`, `window` without GEKS, `contributions` with a method that
 * has none, `winsorize-window` without `winsorize`, `from` after `to`,
 * `base` not a label of `period` (the names of files are a front end's
 * to check: two outputs in one file, an input given twice); and what
 * follows from the options (the cell statistics the cube must keep: for
 * TIX_CMD_CUBE all that an index may need, but none with `no-stats`;
 * and cube refuses `dedup`, which cannot hold across parts made apart).
 * Returns TIX_OK or TIX_E_INVALID with a message in err. */
TIX_API tix_status tix_config_finish(tix_config *c, unsigned cmd, char *err, size_t errlen);

/* The value of opt in c as text, as tix_config_set would take it back
 * ("" for a flag that is set); NULL when opt is a LIST (see
 * tix_config_list) or was not given. Owned by c or static: valid until c
 * changes. */
TIX_API const char *tix_config_text(const tix_config *c, const tix_option *opt, char *buf,
                                    size_t buflen);

/* The i-th value of a LIST option, NULL past the last. */
TIX_API const char *tix_config_list(const tix_config *c, const tix_option *opt, size_t i);

/* Writes msg into out with every `name` of an option as prefix + name
 * (prefix "--": --min-contracts) with '-' replaced by dash ('-' for the
 * command line, '_' for Python keywords). Returns out. */
TIX_API char *tix_config_message(const char *msg, const char *prefix, char dash, char *out,
                                 size_t outlen);

#ifdef __cplusplus
}
#endif
#endif
