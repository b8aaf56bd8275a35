#include "cli/chart.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <strings.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/dynlib.h"
#include "cli/outfile.h"
#include "techidx/version.h"

/* cairo, Pango and GObject are opened when the first chart is drawn
 * (dynlib.h); TIX_CHART_LIBS, their SONAMEs, comes from the build. */
/* clang-format off */
#define GFX_FNS(X) \
    X(cairo_arc) X(cairo_clip) X(cairo_close_path) X(cairo_create) X(cairo_destroy) \
    X(cairo_fill) X(cairo_font_options_create) X(cairo_font_options_destroy) \
    X(cairo_font_options_set_antialias) X(cairo_font_options_set_hint_metrics) \
    X(cairo_font_options_set_hint_style) X(cairo_image_surface_create) X(cairo_line_to) \
    X(cairo_move_to) X(cairo_paint) X(cairo_pdf_surface_create_for_stream) \
    X(cairo_pdf_surface_set_metadata) X(cairo_rectangle) X(cairo_restore) X(cairo_save) \
    X(cairo_scale) X(cairo_set_dash) X(cairo_set_line_cap) X(cairo_set_line_width) \
    X(cairo_set_source_rgb) X(cairo_set_source_rgba) X(cairo_status) X(cairo_status_to_string) \
    X(cairo_stroke) X(cairo_surface_destroy) X(cairo_surface_finish) X(cairo_surface_status) \
    X(cairo_surface_write_to_png_stream) X(cairo_svg_surface_create_for_stream) \
    X(g_object_unref) X(pango_cairo_context_set_font_options) X(pango_cairo_create_layout) \
    X(pango_cairo_show_layout) X(pango_context_set_language) \
    X(pango_context_set_round_glyph_positions) X(pango_font_description_free) \
    X(pango_font_description_new) X(pango_font_description_set_absolute_size) \
    X(pango_font_description_set_family) X(pango_font_description_set_weight) \
    X(pango_language_from_string) X(pango_layout_context_changed) X(pango_layout_get_baseline) \
    X(pango_layout_get_context) X(pango_layout_get_extents) X(pango_layout_set_ellipsize) \
    X(pango_layout_set_font_description) X(pango_layout_set_text) X(pango_layout_set_width) \
    X(pango_layout_set_wrap)
/* clang-format on */

DYNLIB_DEFINE(gfx, GFX_FNS, "charts", TIX_CHART_LIBS);

/* From here on, each call goes through the table. */
#define cairo_arc (*gfx.cairo_arc)
#define cairo_clip (*gfx.cairo_clip)
#define cairo_close_path (*gfx.cairo_close_path)
#define cairo_create (*gfx.cairo_create)
#define cairo_destroy (*gfx.cairo_destroy)
#define cairo_fill (*gfx.cairo_fill)
#define cairo_font_options_create (*gfx.cairo_font_options_create)
#define cairo_font_options_destroy (*gfx.cairo_font_options_destroy)
#define cairo_font_options_set_antialias (*gfx.cairo_font_options_set_antialias)
#define cairo_font_options_set_hint_metrics (*gfx.cairo_font_options_set_hint_metrics)
#define cairo_font_options_set_hint_style (*gfx.cairo_font_options_set_hint_style)
#define cairo_image_surface_create (*gfx.cairo_image_surface_create)
#define cairo_line_to (*gfx.cairo_line_to)
#define cairo_move_to (*gfx.cairo_move_to)
#define cairo_paint (*gfx.cairo_paint)
#define cairo_pdf_surface_create_for_stream (*gfx.cairo_pdf_surface_create_for_stream)
#define cairo_pdf_surface_set_metadata (*gfx.cairo_pdf_surface_set_metadata)
#define cairo_rectangle (*gfx.cairo_rectangle)
#define cairo_restore (*gfx.cairo_restore)
#define cairo_save (*gfx.cairo_save)
#define cairo_scale (*gfx.cairo_scale)
#define cairo_set_dash (*gfx.cairo_set_dash)
#define cairo_set_line_cap (*gfx.cairo_set_line_cap)
#define cairo_set_line_width (*gfx.cairo_set_line_width)
#define cairo_set_source_rgb (*gfx.cairo_set_source_rgb)
#define cairo_set_source_rgba (*gfx.cairo_set_source_rgba)
#define cairo_status (*gfx.cairo_status)
#define cairo_status_to_string (*gfx.cairo_status_to_string)
#define cairo_stroke (*gfx.cairo_stroke)
#define cairo_surface_destroy (*gfx.cairo_surface_destroy)
#define cairo_surface_finish (*gfx.cairo_surface_finish)
#define cairo_surface_status (*gfx.cairo_surface_status)
#define cairo_surface_write_to_png_stream (*gfx.cairo_surface_write_to_png_stream)
#define cairo_svg_surface_create_for_stream (*gfx.cairo_svg_surface_create_for_stream)
#define g_object_unref (*gfx.g_object_unref)
#define pango_cairo_context_set_font_options (*gfx.pango_cairo_context_set_font_options)
#define pango_cairo_create_layout (*gfx.pango_cairo_create_layout)
#define pango_cairo_show_layout (*gfx.pango_cairo_show_layout)
#define pango_context_set_language (*gfx.pango_context_set_language)
#define pango_context_set_round_glyph_positions (*gfx.pango_context_set_round_glyph_positions)
#define pango_font_description_free (*gfx.pango_font_description_free)
#define pango_font_description_new (*gfx.pango_font_description_new)
#define pango_font_description_set_absolute_size (*gfx.pango_font_description_set_absolute_size)
#define pango_font_description_set_family (*gfx.pango_font_description_set_family)
#define pango_font_description_set_weight (*gfx.pango_font_description_set_weight)
#define pango_language_from_string (*gfx.pango_language_from_string)
#define pango_layout_context_changed (*gfx.pango_layout_context_changed)
#define pango_layout_get_baseline (*gfx.pango_layout_get_baseline)
#define pango_layout_get_context (*gfx.pango_layout_get_context)
#define pango_layout_get_extents (*gfx.pango_layout_get_extents)
#define pango_layout_set_ellipsize (*gfx.pango_layout_set_ellipsize)
#define pango_layout_set_font_description (*gfx.pango_layout_set_font_description)
#define pango_layout_set_text (*gfx.pango_layout_set_text)
#define pango_layout_set_width (*gfx.pango_layout_set_width)
#define pango_layout_set_wrap (*gfx.pango_layout_set_wrap)

#define WIDTH 960.0
#define LEFT 64.0   /* the panels' left edge: room for the y labels */
#define RIGHT 84.0  /* room right of the panels for the last values */
#define HEAD_Y 76.0 /* the headline panel */
#define HEAD_H 250.0
#define FACT_Y (HEAD_Y + HEAD_H + 58.0) /* its factors */
#define FACT_H 120.0
#define TOP_H (FACT_Y + FACT_H + 96.0) /* all above the cells: the notes take 3 lines */
#define COLS 4
#define CELL_W (WIDTH / COLS)
#define CELL_H 176.0
#define CELLS_HEAD 26.0 /* the cells' heading line */
#define OTHER_H 30.0    /* the line under the panels on the cells left out */
#define PNG_SCALE 2.0   /* pixels per point of a PNG */

/* ---- text --------------------------------------------------------------- */

/* Pango lays text out, fontconfig picking a font for each script (a CJK
 * one for Chinese); metrics unhinted, so that the layout is the same on
 * every surface. */
typedef struct pen {
    cairo_t *cr;
    PangoLayout *lay;
} pen;

static int pen_open(pen *p, cairo_t *cr, lang_id lang)
{
    p->cr = cr;
    p->lay = pango_cairo_create_layout(cr);
    if (!p->lay)
        return -1;
    PangoContext *ctx = pango_layout_get_context(p->lay);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(ctx, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_round_glyph_positions(ctx, FALSE);
    /* Han characters are drawn as in the mainland's simplified forms. */
    pango_context_set_language(ctx, pango_language_from_string(lang == LANG_ZH ? "zh-cn" : "en"));
    pango_layout_context_changed(p->lay);
    return 0;
}

static void pen_close(pen *p)
{
    if (p->lay)
        g_object_unref(p->lay);
    p->lay = NULL;
}

/* The layout's font: sans-serif (fontconfig's), size points. */
static void font(pen *p, double size, int bold)
{
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, "sans-serif");
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(p->lay, fd);
    pango_font_description_free(fd);
}

/* s with its baseline at y, starting at x (align 0), centred on it (0.5)
 * or ending there (1); cut with an ellipsis when wider than maxw (> 0). */
static void text(pen *p, double x, double y, double size, int bold, double align, double maxw,
                 const char *s)
{
    font(p, size, bold);
    pango_layout_set_width(p->lay, maxw > 0 ? (int)(maxw * PANGO_SCALE) : -1);
    pango_layout_set_ellipsize(p->lay, maxw > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
    pango_layout_set_text(p->lay, s, -1);
    PangoRectangle logical;
    pango_layout_get_extents(p->lay, NULL, &logical);
    double w = (double)logical.width / PANGO_SCALE;
    double base = (double)pango_layout_get_baseline(p->lay) / PANGO_SCALE;
    cairo_move_to(p->cr, x - align * w, y - base);
    pango_cairo_show_layout(p->cr, p->lay);
}

/* s as a paragraph w wide, its first baseline at y, broken between words
 * (or characters, for Chinese); returns the y of the baseline after it. */
static double paragraph(pen *p, double x, double y, double size, double w, const char *s)
{
    font(p, size, 0);
    pango_layout_set_width(p->lay, (int)(w * PANGO_SCALE));
    pango_layout_set_ellipsize(p->lay, PANGO_ELLIPSIZE_NONE);
    pango_layout_set_wrap(p->lay, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(p->lay, s, -1);
    PangoRectangle logical;
    pango_layout_get_extents(p->lay, NULL, &logical);
    double base = (double)pango_layout_get_baseline(p->lay) / PANGO_SCALE;
    cairo_move_to(p->cr, x, y - base);
    pango_cairo_show_layout(p->cr, p->lay);
    return y + (double)logical.height / PANGO_SCALE;
}

/* ---- scales --------------------------------------------------------------- */

typedef struct box {
    double x, y, w, h; /* the plotting area */
    double lo, hi;     /* y range, in values */
    size_t n;
    int logy; /* a log scale */
} box;

static double px(const box *b, size_t i)
{
    return b->n > 1 ? b->x + b->w * (double)i / (double)(b->n - 1) : b->x + b->w / 2;
}

static double scale(const box *b, double v) { return b->logy ? log(v) : v; }

static double py(const box *b, double v)
{
    return b->y + b->h * (scale(b, b->hi) - scale(b, v)) / (scale(b, b->hi) - scale(b, b->lo));
}

/* A figure the box can draw. */
static int drawable(const box *b, double v) { return isfinite(v) && (!b->logy || v > 0); }

/* The y range of the series, always holding 100 (the base line); a log
 * scale when every figure is positive and they spread more than
 * CHART_LOG_SPREAD-fold. */
static void range_of(box *b, const double *const *ys, int k)
{
    double lo = 100, hi = 100;
    int positive = 1;
    for (int s = 0; s < k; s++)
        for (size_t i = 0; i < b->n; i++)
            if (isfinite(ys[s][i])) {
                lo = fmin(lo, ys[s][i]);
                hi = fmax(hi, ys[s][i]);
                positive &= ys[s][i] > 0;
            }
    b->logy = positive && hi > CHART_LOG_SPREAD * lo;
    if (b->logy) {
        double pad = exp(log(hi / lo) * 0.06);
        b->lo = lo / pad;
        b->hi = hi * pad;
    } else {
        double pad = (hi - lo) * 0.06 + 1e-9;
        b->lo = lo - pad;
        b->hi = hi + pad;
    }
}

/* A tick step of 1, 2 or 5 times a power of ten giving about `want` ticks. */
static double nice_step(double span, int want)
{
    double raw = span / want, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

#define MAX_TICKS 16

/* The ticks of b: multiples of a nice step, or on a log scale the finest
 * of 1-2-3-5-7, 1-2-5, 1-3 or 1 times the powers of ten that gives at
 * most want + 2 of them (every k-th power when even 1 gives more). */
static int ticks(const box *b, int want, double *t)
{
    int n = 0;
    if (!b->logy) {
        double step = nice_step(b->hi - b->lo, want);
        for (double v = ceil(b->lo / step) * step; v <= b->hi && n < MAX_TICKS; v += step)
            t[n++] = fabs(v) < step * 1e-6 ? 0.0 : v;
        return n;
    }
    static const double sets[][5] = {{1, 2, 3, 5, 7}, {1, 2, 5, 0, 0}, {1, 3, 0, 0, 0},
                                     {1, 0, 0, 0, 0}};
    int d0 = (int)floor(log10(b->lo)), d1 = (int)floor(log10(b->hi));
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        n = 0;
        for (int d = d0; d <= d1; d++)
            for (int k = 0; k < 5 && sets[s][k] > 0; k++) {
                double v = sets[s][k] * pow(10, d);
                if (v >= b->lo && v <= b->hi && n < MAX_TICKS)
                    t[n++] = v;
            }
        if (n <= want + 2)
            return n;
    }
    int every = (d1 - d0) / (want + 1) + 1;
    n = 0;
    for (int d = d0; d <= d1 && n < MAX_TICKS; d++)
        if (d % every == 0 && pow(10, d) >= b->lo)
            t[n++] = pow(10, d);
    return n;
}

/* Grid, y ticks and labels, the base line at 100, the frame. */
static void axes(pen *p, const box *b, int want, double font)
{
    cairo_t *cr = p->cr;
    double t[MAX_TICKS];
    int n = ticks(b, want, t);
    char buf[32];
    cairo_set_line_width(cr, 0.5);
    for (int i = 0; i < n; i++) {
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_move_to(cr, b->x, py(b, t[i]));
        cairo_line_to(cr, b->x + b->w, py(b, t[i]));
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        snprintf(buf, sizeof buf, "%g", t[i]);
        text(p, b->x - 4, py(b, t[i]) + font / 3, font, 0, 1.0, 0, buf);
    }
    /* The base line: 100 at the base period. */
    static const double dashdot[] = {8, 3, 2, 3};
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    cairo_set_line_width(cr, 1.0);
    cairo_set_dash(cr, dashdot, 4, 0);
    cairo_move_to(cr, b->x, py(b, 100));
    cairo_line_to(cr, b->x + b->w, py(b, 100));
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, b->x, b->y, b->w, b->h);
    cairo_stroke(cr);
}

/* Period labels under the x axis, at most `most` of them, the last
 * period's always among them. */
static void x_labels(pen *p, const box *b, const char *const *labels, size_t most, double font)
{
    if (b->n == 0)
        return;
    size_t every = b->n > most ? (b->n + most - 1) / most : 1;
    cairo_set_line_width(p->cr, 0.8);
    /* Counted back from the last, so that the latest period is labelled. */
    for (size_t k = 0; k * every < b->n; k++) {
        size_t i = b->n - 1 - k * every;
        cairo_move_to(p->cr, px(b, i), b->y + b->h);
        cairo_line_to(p->cr, px(b, i), b->y + b->h + 4);
        cairo_stroke(p->cr);
        text(p, px(b, i), b->y + b->h + 6 + font, font, 0, 0.5, 0, labels[i]);
    }
}

/* ---- series --------------------------------------------------------------- */

typedef struct stroke {
    double width, grey;
    const double *dash;
    int ndash;
} stroke;

static const double dashed[] = {7, 4};
static const stroke VALUE = {2.4, 0, NULL, 0}, VOLUME = {1.5, 0, dashed, 2},
                    UNIT_VALUE = {1.8, 0.55, NULL, 0}, CELL = {1.2, 0, NULL, 0};

/* One series as a line, broken where there is no figure; a lone figure
 * between gaps is a dot. */
static void series(cairo_t *cr, const box *b, const double *y, const stroke *s)
{
    cairo_set_source_rgb(cr, s->grey, s->grey, s->grey);
    cairo_set_line_width(cr, s->width);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_dash(cr, s->dash, s->ndash, 0);
    int open = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (!drawable(b, y[i])) {
            open = 0;
            continue;
        }
        if (!open && (i + 1 >= b->n || !drawable(b, y[i + 1]))) {
            cairo_arc(cr, px(b, i), py(b, y[i]), s->width, 0, 6.283185307179586);
            cairo_fill(cr);
            continue;
        }
        if (open)
            cairo_line_to(cr, px(b, i), py(b, y[i]));
        else
            cairo_move_to(cr, px(b, i), py(b, y[i]));
        open = 1;
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_source_rgb(cr, 0, 0, 0);
}

/* A legend's sample of a stroke, 30 wide, at (x, y). */
static void sample(cairo_t *cr, double x, double y, const stroke *s)
{
    box lg = {x, y - 4, 30, 1, 0, 1, 2, 0};
    double two[] = {0.5, 0.5};
    series(cr, &lg, two, s);
}

/* The index of the last drawable figure of y, or SIZE_MAX. */
static size_t last_point(const box *b, const double *y)
{
    for (size_t i = b->n; i-- > 0;)
        if (drawable(b, y[i]))
            return i;
    return (size_t)-1;
}

/* The last figures of k series written right of the panel at their
 * heights, pushed apart so that they do not overlap. */
static void last_values(pen *p, const box *b, const double *const *ys, int k, double font)
{
    double at[2];
    char buf[2][32];
    int m = 0;
    for (int s = 0; s < k && m < 2; s++) {
        size_t i = last_point(b, ys[s]);
        if (i == (size_t)-1)
            continue;
        snprintf(buf[m], sizeof buf[m], "%.1f", ys[s][i]);
        at[m++] = py(b, ys[s][i]) + font / 3;
    }
    if (m == 2 && fabs(at[0] - at[1]) < font + 2) {
        double mid = (at[0] + at[1]) / 2, half = (font + 2) / 2;
        int up = at[0] <= at[1] ? 0 : 1;
        at[up] = mid - half;
        at[1 - up] = mid + half;
    }
    for (int s = 0; s < m; s++)
        text(p, b->x + b->w + 6, at[s], font, s == 0 && k == 1, 0, 0, buf[s]);
}

/* The provisional periods: shaded from half a step before each to half a
 * step after, inside the panel. */
static void provisional_ground(cairo_t *cr, const box *b, const double *prov)
{
    double half = b->n > 1 ? b->w / (double)(b->n - 1) / 2 : b->w / 2;
    cairo_set_source_rgba(cr, 0, 0, 0, 0.10);
    for (size_t i = 0; i < b->n; i++)
        if (prov[i] == 1) {
            double x0 = fmax(b->x, px(b, i) - half), x1 = fmin(b->x + b->w, px(b, i) + half);
            cairo_rectangle(cr, x0, b->y, x1 - x0, b->h);
        }
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
}

/* An interval's end as drawn: one below a log scale's range is at its
 * bottom. */
static double band_y(const box *b, double v) { return drawable(b, v) ? py(b, v) : b->y + b->h; }

/* The interval [lo, hi] as a band, broken where either end is missing. */
static void band(cairo_t *cr, const box *b, const double *lo, const double *hi)
{
    cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
    for (size_t i = 0; i < b->n;) {
        if (!isfinite(lo[i]) || !isfinite(hi[i])) {
            i++;
            continue;
        }
        size_t e = i;
        while (e + 1 < b->n && isfinite(lo[e + 1]) && isfinite(hi[e + 1]))
            e++;
        if (e == i) { /* a lone interval: a bar */
            cairo_rectangle(cr, px(b, i) - 1.5, band_y(b, hi[i]), 3,
                            band_y(b, lo[i]) - band_y(b, hi[i]));
        } else {
            cairo_move_to(cr, px(b, i), band_y(b, lo[i]));
            for (size_t k = i + 1; k <= e; k++)
                cairo_line_to(cr, px(b, k), band_y(b, lo[k]));
            for (size_t k = e + 1; k-- > i;)
                cairo_line_to(cr, px(b, k), band_y(b, hi[k]));
            cairo_close_path(cr);
        }
        cairo_fill(cr);
        i = e + 1;
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
}

/* ---- words ---------------------------------------------------------------- */

/* v with a comma every three digits. */
static void grouped(char *out, size_t v)
{
    char d[32];
    int n = snprintf(d, sizeof d, "%zu", v), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = d[i];
    }
    out[k] = '\0';
}

/* "99,988 other cells (41.2% of the value) not shown"; a share that
 * rounds to 0 or 100 without being it says so. */
static void other_line(char *out, size_t len, const chart_data *d, lang_id lang)
{
    char num[48], pct[16];
    grouped(num, d->nother);
    double p = 100 * d->other_share;
    if (p > 0 && p < 0.05)
        snprintf(pct, sizeof pct, "<0.1%%");
    else if (p < 100 && p >= 99.95)
        snprintf(pct, sizeof pct, ">99.9%%");
    else
        snprintf(pct, sizeof pct, "%.1f%%", p);
    if (lang == LANG_ZH)
        snprintf(out, len, "另有 %s 个单元未画出（占交易额的 %s）", num, pct);
    else
        snprintf(out, len, "%s other cell%s (%s of the value) not shown", num,
                 d->nother == 1 ? "" : "s", pct);
}

static size_t points(const double *y, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += isfinite(y[i]) != 0;
    return k;
}

static size_t points_flagged(const double *y, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; y && i < n; i++)
        k += y[i] == 1;
    return k;
}

static int has_band(const chart_data *d)
{
    return d->value_lo && d->value_hi && points(d->value_lo, d->n);
}

/* The source and data-as-of line. */
static void source_line(char *out, size_t len, const chart_data *d, const chart_opts *o)
{
    char src[256];
    if (o->source)
        snprintf(src, sizeof src, "%s", o->source);
    else
        snprintf(src, sizeof src,
                 LANG_PICK(o->lang, "Source: registered technology contracts; techidx %s.",
                           "资料来源：技术合同登记数据；techidx %s 计算。"),
                 TIX_VERSION_STRING);
    const char *last = d->n ? d->labels[d->n - 1] : "";
    if (d->as_of)
        snprintf(out, len, LANG_PICK(o->lang, "%s Data to %s (ending %s).", "%s数据截至 %s（%s）。"),
                 src, last, d->as_of);
    else
        snprintf(out, len, LANG_PICK(o->lang, "%s Data to %s.", "%s数据截至 %s。"), src, last);
}

/* ---- the chart ------------------------------------------------------------ */

static const char *title_of(const chart_opts *o)
{
    return o->title ? o->title : labels_series(o->lang, SERIES_TITLE);
}

static double chart_height(const chart_data *d)
{
    size_t rows = (d->ncells + COLS - 1) / COLS;
    return TOP_H + (d->ncells ? CELLS_HEAD + CELL_H * (double)rows : 0) + 10 +
           (d->nother ? OTHER_H : 0);
}

static void draw(pen *p, const chart_data *d, const chart_opts *o, double height)
{
    cairo_t *cr = p->cr;
    lang_id lang = o->lang;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(p, 20, 30, 19, 1, 0, WIDTH - 40, title_of(o));

    /* The headline. */
    box head = {LEFT, HEAD_Y, WIDTH - LEFT - RIGHT, HEAD_H, 0, 0, d->n, 0};
    const double *hv[] = {d->value};
    range_of(&head, hv, 1); /* the series' range: a wide interval runs off the panel */
    int band_on = has_band(d), prov_on = points_flagged(d->provisional, d->n) > 0;
    if (band_on) {
        cairo_save(cr);
        cairo_rectangle(cr, head.x, head.y, head.w, head.h);
        cairo_clip(cr);
        band(cr, &head, d->value_lo, d->value_hi);
        cairo_restore(cr);
    }
    if (prov_on) /* over the band, which it darkens */
        provisional_ground(cr, &head, d->provisional);
    axes(p, &head, 6, 11);
    x_labels(p, &head, d->labels, 9, 10);
    series(cr, &head, d->value, &VALUE);
    last_values(p, &head, hv, 1, 12);
    /* Its legend, above the panel. */
    double lx = LEFT;
    sample(cr, lx, HEAD_Y - 12, &VALUE);
    text(p, lx + 36, HEAD_Y - 8, 12, 1, 0, 0, labels_series(lang, SERIES_VALUE));
    lx += 250;
    if (band_on) {
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_rectangle(cr, lx, HEAD_Y - 20, 30, 12);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text(p, lx + 36, HEAD_Y - 8, 11, 0, 0, 0, LANG_PICK(lang, "interval", "置信区间"));
        lx += 140;
    }
    if (prov_on) {
        cairo_set_source_rgba(cr, 0, 0, 0, 0.10);
        cairo_rectangle(cr, lx, HEAD_Y - 20, 30, 12);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text(p, lx + 36, HEAD_Y - 8, 11, 0, 0, 0,
             LANG_PICK(lang, "provisional (will be revised)", "初步数据（将修订）"));
    }
    if (head.logy)
        text(p, WIDTH - RIGHT, HEAD_Y - 8, 10, 0, 1.0, 0, LANG_PICK(lang, "log scale", "对数刻度"));

    /* Its factors, on a panel and a scale of their own. */
    box fact = {LEFT, FACT_Y, WIDTH - LEFT - RIGHT, FACT_H, 0, 0, d->n, 0};
    const double *fv[] = {d->volume, d->unit_value};
    range_of(&fact, fv, 2);
    if (prov_on)
        provisional_ground(cr, &fact, d->provisional);
    axes(p, &fact, 3, 10);
    x_labels(p, &fact, d->labels, 9, 10);
    series(cr, &fact, d->volume, &VOLUME);
    series(cr, &fact, d->unit_value, &UNIT_VALUE);
    last_values(p, &fact, fv, 2, 11);
    lx = LEFT;
    sample(cr, lx, FACT_Y - 12, &VOLUME);
    text(p, lx + 36, FACT_Y - 8, 11, 0, 0, 0, labels_series(lang, SERIES_VOLUME));
    lx += 180;
    sample(cr, lx, FACT_Y - 12, &UNIT_VALUE);
    text(p, lx + 36, FACT_Y - 8, 11, 0, 0, 0, labels_series(lang, SERIES_UNIT_VALUE));
    text(p, lx + 200, FACT_Y - 8, 10, 0, 0, 0,
         LANG_PICK(lang, "(the value index = volume x unit value / 100)",
                   "（技术交易指数 = 数量指数 × 单位价值指数 / 100）"));
    if (fact.logy)
        text(p, WIDTH - RIGHT, FACT_Y - 8, 10, 0, 1.0, 0, LANG_PICK(lang, "log scale", "对数刻度"));

    /* The notes, the source and the data's date. */
    char note[512];
    snprintf(note, sizeof note, "%s%s%s",
             LANG_PICK(lang, "Base period = 100 (dash-dot line); empty where a link is undefined.",
                       "基期 = 100（点划线）；无法链接的期留空。"),
             band_on ? LANG_PICK(lang, " Grey band: the value index's interval (cut at the panel).",
                                 "灰色带：技术交易指数的置信区间（超出面板处截去）。")
                     : "",
             prov_on ? LANG_PICK(lang, " Shaded: provisional periods; late contracts revise them.",
                                 "阴影：初步数据期，迟报合同将修订。")
                     : "");
    double ny = paragraph(p, LEFT, FACT_Y + FACT_H + 44, 10, WIDTH - LEFT - 20, note);
    source_line(note, sizeof note, d, o);
    text(p, LEFT, ny + 2, 10, 0, 0, WIDTH - LEFT - 20, note);

    /* Small multiples: each cell's own value index, on its own scale. */
    if (d->ncells)
        text(p, 20, TOP_H + 16, 13, 1, 0, WIDTH - 40,
             LANG_PICK(lang, "Cells: each one's value index, on its own scale",
                       "细分单元：各自的技术交易指数（各自刻度）"));
    for (size_t c = 0; c < d->ncells; c++) {
        double x0 = CELL_W * (double)(c % COLS),
               y0 = TOP_H + CELLS_HEAD + CELL_H * (double)(c / COLS);
        box b = {x0 + 48, y0 + 28, CELL_W - 64, CELL_H - 64, 0, 0, d->n, 0};
        const double *one[] = {d->cell_value[c]};
        range_of(&b, one, 1);
        text(p, x0 + 48, y0 + 18, 11, 1, 0, CELL_W - 56 - (b.logy ? 40 : 0), d->cell_names[c]);
        if (b.logy)
            text(p, b.x + b.w, y0 + 18, 9, 0, 1.0, 0, LANG_PICK(lang, "log", "对数"));
        axes(p, &b, 3, 9);
        if (d->n > 0) {
            text(p, b.x, b.y + b.h + 14, 9, 0, 0, 0, d->labels[0]);
            text(p, b.x + b.w, b.y + b.h + 14, 9, 0, 1.0, 0, d->labels[d->n - 1]);
        }
        series(cr, &b, d->cell_value[c], &CELL);
    }
    if (d->nother) {
        char line[160];
        other_line(line, sizeof line, d, lang);
        text(p, 48, height - 10 - OTHER_H + 18, 11, 0, 0, 0, line);
    }
}

/* ---- writing -------------------------------------------------------------- */

static cairo_status_t to_stream(void *closure, const unsigned char *data, unsigned int len)
{
    return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* XML-escapes s into f. */
static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if ((unsigned char)*s >= 0x20 || *s == '\t')
            fputc(*s, f);
    }
}

/* What the chart holds, in words: the SVG's <desc>, for readers, screen
 * readers and tests (cairo draws text as glyph outlines). */
static void describe(FILE *f, const chart_data *d, lang_id lang)
{
    int zh = lang == LANG_ZH;
    fprintf(f, zh ? "期数 %zu：" : "periods %zu: ", d->n);
    if (d->n) {
        xml_text(f, d->labels[0]);
        fputs(zh ? " 至 " : " to ", f);
        xml_text(f, d->labels[d->n - 1]);
    }
    fprintf(f,
            zh ? "；序列 技术交易指数（%zu 个点，黑色粗实线），数量指数（%zu，虚线），"
                 "单位价值指数（%zu，灰色实线）；单元："
               : "; series value_index (%zu points, solid), volume_index (%zu, dashed), "
                 "unit_value_index (%zu, grey); cells:",
            points(d->value, d->n), points(d->volume, d->n), points(d->unit_value, d->n));
    for (size_t c = 0; c < d->ncells; c++) {
        fputs(c ? (zh ? "，" : ", ") : (zh ? "" : " "), f);
        xml_text(f, d->cell_names[c]);
        fprintf(f, zh ? "（%zu）" : " (%zu)", points(d->cell_value[c], d->n));
    }
    if (d->nother) {
        char line[160];
        other_line(line, sizeof line, d, lang);
        fputs(zh ? "；" : "; ", f);
        xml_text(f, line);
    }
    if (has_band(d))
        fprintf(f, zh ? "；技术交易指数的区间（%zu 个点，灰色带）" : "; value_index interval (%zu points, grey band)",
                points(d->value_lo, d->n));
    /* The panels drawn on a log scale. */
    box b = {0, 0, 1, 1, 0, 0, d->n, 0};
    const double *hv[] = {d->value}, *fv[] = {d->volume, d->unit_value};
    int nlog = 0;
    range_of(&b, hv, 1);
    if (b.logy && ++nlog)
        fputs(zh ? "；对数刻度：技术交易指数" : "; log scale: value_index", f);
    range_of(&b, fv, 2);
    if (b.logy)
        fputs(nlog++ ? (zh ? "，数量指数与单位价值指数" : ", its factors")
                     : (zh ? "；对数刻度：数量指数与单位价值指数" : "; log scale: its factors"),
              f);
    for (size_t c = 0; c < d->ncells; c++) {
        const double *one[] = {d->cell_value[c]};
        range_of(&b, one, 1);
        if (!b.logy)
            continue;
        fputs(nlog++ ? (zh ? "，" : ", ") : (zh ? "；对数刻度：" : "; log scale: "), f);
        xml_text(f, d->cell_names[c]);
    }
    size_t np = points_flagged(d->provisional, d->n);
    for (size_t i = 0, k = 0; i < d->n && np; i++)
        if (d->provisional[i] == 1) {
            if (k++ == 0)
                fprintf(f, zh ? "；初步数据 %zu 期（阴影）：" : "; provisional %zu (shaded): ", np);
            else
                fputs(zh ? "，" : ", ", f);
            xml_text(f, d->labels[i]);
        }
}

chart_format chart_format_of(chart_format asked, const char *path)
{
    if (asked != CHART_BY_NAME)
        return asked;
    const char *dot = strrchr(path, '.');
    if (dot && strcasecmp(dot, ".png") == 0)
        return CHART_PNG;
    if (dot && strcasecmp(dot, ".pdf") == 0)
        return CHART_PDF;
    return CHART_SVG;
}

/* Draws the chart in fmt into memory (*out, *len; the caller frees it). */
static int render(const chart_data *d, const chart_opts *o, chart_format fmt, char **out,
                  size_t *len, char *err, size_t errlen)
{
    *out = NULL;
    *len = 0;
    if (dynlib_open(&gfx_lib, err, errlen) != 0)
        return -1;
    double height = chart_height(d);
    FILE *mem = open_memstream(out, len);
    if (!mem) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cairo_surface_t *s;
    if (fmt == CHART_PNG)
        s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)(WIDTH * PNG_SCALE),
                                       (int)ceil(height * PNG_SCALE));
    else if (fmt == CHART_PDF)
        s = cairo_pdf_surface_create_for_stream(to_stream, mem, WIDTH, height);
    else
        s = cairo_svg_surface_create_for_stream(to_stream, mem, WIDTH, height);
    if (fmt == CHART_PDF) {
        /* The same bytes for the same data: the date is the data's, not
         * the clock's. */
        char date[32];
        snprintf(date, sizeof date, "%.10sT00:00:00Z", d->as_of ? d->as_of : "2000-01-01");
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, date);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title_of(o));
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "techidx");
    }
    cairo_t *cr = cairo_create(s);
    if (fmt == CHART_PNG)
        cairo_scale(cr, PNG_SCALE, PNG_SCALE);
    pen p;
    cairo_status_t cs = CAIRO_STATUS_NO_MEMORY;
    if (pen_open(&p, cr, o->lang) == 0) {
        draw(&p, d, o, height);
        cs = cairo_status(cr);
    }
    pen_close(&p);
    cairo_destroy(cr);
    if (fmt == CHART_PNG && cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_write_to_png_stream(s, to_stream, mem);
    cairo_surface_finish(s);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(s);
    cairo_surface_destroy(s);
    /* Pango's font map and its caches stay for the process's life (still
     * reachable; tests/cli/valgrind.supp names them): freeing them with
     * FcFini under a live font map is not safe. */
    if (fclose(mem) != 0 || cs != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "drawing failed: %s", cairo_status_to_string(cs));
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

int chart_write(const chart_data *d, const chart_opts *o, const char *path, char *err,
                size_t errlen)
{
    if (d->ncells > CHART_PANELS) {
        snprintf(err, errlen, "%zu cell panels, at most %d", d->ncells, CHART_PANELS);
        return -1;
    }
    chart_format fmt = chart_format_of(o->format, path);
    char *bytes;
    size_t len;
    if (render(d, o, fmt, &bytes, &len, err, errlen) != 0)
        return -1;
    char *gt = NULL;
    if (fmt == CHART_SVG) {
        char *open = bytes ? strstr(bytes, "<svg") : NULL;
        gt = open ? strchr(open, '>') : NULL;
        if (!gt) {
            snprintf(err, errlen, "cairo wrote no <svg> element");
            free(bytes);
            return -1;
        }
    }
    outfile o_;
    if (outfile_open(&o_, path) != 0) {
        snprintf(err, errlen, "cannot write: %s", strerror(errno));
        free(bytes);
        return -1;
    }
    if (gt) {
        fwrite(bytes, 1, (size_t)(gt + 1 - bytes), o_.f);
        fputs("\n<title>", o_.f);
        xml_text(o_.f, title_of(o));
        fputs("</title>\n<desc>", o_.f);
        describe(o_.f, d, o->lang);
        fputs("</desc>", o_.f);
        fwrite(gt + 1, 1, len - (size_t)(gt + 1 - bytes), o_.f);
    } else {
        fwrite(bytes, 1, len, o_.f);
    }
    free(bytes);
    if (outfile_commit(&o_) != 0) {
        snprintf(err, errlen, "cannot write: %s", strerror(errno));
        return -1;
    }
    return 0;
}
