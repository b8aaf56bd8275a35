#include "cli/chart.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/outfile.h"

#define WIDTH 960.0
#define TOP_H 400.0 /* the headline panel */
#define COLS 4
#define CELL_W (WIDTH / COLS)
#define CELL_H 180.0
#define OTHER_H 30.0 /* the line under the panels on the cells left out */

typedef struct box {
    double x, y, w, h; /* the plotting area */
    double lo, hi;     /* y range */
    size_t n;
} box;

static double px(const box *b, size_t i)
{
    return b->n > 1 ? b->x + b->w * (double)i / (double)(b->n - 1) : b->x + b->w / 2;
}

static double py(const box *b, double v) { return b->y + b->h * (b->hi - v) / (b->hi - b->lo); }

/* A tick step of 1, 2 or 5 times a power of ten giving about `want` ticks. */
static double nice_step(double span, int want)
{
    double raw = span / want, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

/* The y range of the series, always holding 100 (the base line). */
static void range_of(box *b, const double *const *ys, int k)
{
    double lo = 100, hi = 100;
    for (int s = 0; s < k; s++)
        for (size_t i = 0; i < b->n; i++)
            if (isfinite(ys[s][i])) {
                lo = fmin(lo, ys[s][i]);
                hi = fmax(hi, ys[s][i]);
            }
    double pad = (hi - lo) * 0.06 + 1e-9;
    b->lo = lo - pad;
    b->hi = hi + pad;
}

static void text(cairo_t *cr, double x, double y, double size, int bold, double align,
                 const char *s)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - align * e.x_advance, y);
    cairo_show_text(cr, s);
}

/* Grid, y ticks and labels, the base line at 100, the frame. */
static void axes(cairo_t *cr, const box *b, int ticks, double font)
{
    double step = nice_step(b->hi - b->lo, ticks);
    char buf[32];
    cairo_set_line_width(cr, 0.5);
    for (double v = ceil(b->lo / step) * step; v <= b->hi; v += step) {
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_move_to(cr, b->x, py(b, v));
        cairo_line_to(cr, b->x + b->w, py(b, v));
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        snprintf(buf, sizeof buf, "%g", fabs(v) < step * 1e-6 ? 0.0 : v);
        text(cr, b->x - 4, py(b, v) + font / 3, font, 0, 1.0, buf);
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

/* Period labels under the x axis, at most `most` of them. */
static void x_labels(cairo_t *cr, const box *b, const char *const *labels, size_t most, double font)
{
    size_t every = b->n > most ? (b->n + most - 1) / most : 1;
    cairo_set_line_width(cr, 0.8);
    for (size_t i = 0; i < b->n; i += every) {
        cairo_move_to(cr, px(b, i), b->y + b->h);
        cairo_line_to(cr, px(b, i), b->y + b->h + 4);
        cairo_stroke(cr);
        text(cr, px(b, i), b->y + b->h + 6 + font, font, 0, 0.5, labels[i]);
    }
}

/* One series as a line, broken where there is no figure; a lone figure
 * between gaps is a dot. */
static void series(cairo_t *cr, const box *b, const double *y, double width, const double *dash,
                   int ndash)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, width);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_dash(cr, dash, ndash, 0);
    int open = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (!isfinite(y[i])) {
            open = 0;
            continue;
        }
        if (!open && (i + 1 >= b->n || !isfinite(y[i + 1]))) {
            cairo_arc(cr, px(b, i), py(b, y[i]), width, 0, 6.283185307179586);
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
}

static const double dashed[] = {7, 4}, dotted[] = {0.1, 3.5};

/* The provisional periods: shaded from half a step before each
 * to half a step after, inside the panel. */
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
}

/* The interval [lo, hi] as a band, broken where either end is missing. */
static void band(cairo_t *cr, const box *b, const double *lo, const double *hi)
{
    cairo_set_source_rgb(cr, 0.78, 0.78, 0.78);
    for (size_t i = 0; i < b->n;) {
        if (!isfinite(lo[i]) || !isfinite(hi[i])) {
            i++;
            continue;
        }
        size_t e = i;
        while (e + 1 < b->n && isfinite(lo[e + 1]) && isfinite(hi[e + 1]))
            e++;
        if (e == i) { /* a lone interval: a bar */
            cairo_rectangle(cr, px(b, i) - 1.5, py(b, hi[i]), 3, py(b, lo[i]) - py(b, hi[i]));
        } else {
            cairo_move_to(cr, px(b, i), py(b, lo[i]));
            for (size_t k = i + 1; k <= e; k++)
                cairo_line_to(cr, px(b, k), py(b, lo[k]));
            for (size_t k = e + 1; k-- > i;)
                cairo_line_to(cr, px(b, k), py(b, hi[k]));
            cairo_close_path(cr);
        }
        cairo_fill(cr);
        i = e + 1;
    }
}

/* A panel's title: the cell's name, cut at a character with an ellipsis
 * when wider than w, so that a long name stays inside its panel. */
static void title_in(cairo_t *cr, double x, double y, double size, double w, const char *s)
{
    char buf[256];
    size_t len = strlen(s), cut = len < 200 ? len : 200;
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, size);
    for (;;) {
        while (cut > 0 && cut < len && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--; /* not inside a UTF-8 sequence */
        memcpy(buf, s, cut);
        strcpy(buf + cut, cut < len ? "\xe2\x80\xa6" /* … */ : "");
        cairo_text_extents_t e;
        cairo_text_extents(cr, buf, &e);
        if (e.x_advance <= w || cut == 0 || cairo_status(cr) != CAIRO_STATUS_SUCCESS)
            break;
        cut--;
    }
    text(cr, x, y, size, 1, 0, buf);
}

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
static void other_line(char *out, size_t len, const chart_data *d)
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
    snprintf(out, len, "%s other cell%s (%s of the value) not shown", num,
             d->nother == 1 ? "" : "s", pct);
}

static size_t points(const double *y, size_t n);
static size_t points_flagged(const double *y, size_t n);

static void draw(cairo_t *cr, const chart_data *d, double height)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, 20, 28, 18, 1, 0, d->title);
    box top = {70, 70, WIDTH - 100, TOP_H - 120, 0, 0, d->n};
    const double *ys[] = {d->value, d->volume, d->unit_value};
    int has_band = d->value_lo && d->value_hi && points(d->value_lo, d->n);
    range_of(&top, ys, 3); /* the series' range: a wide interval runs off the panel */
    if (has_band) {
        cairo_save(cr);
        cairo_rectangle(cr, top.x, top.y, top.w, top.h);
        cairo_clip(cr);
        band(cr, &top, d->value_lo, d->value_hi);
        cairo_restore(cr);
    }
    if (d->provisional) /* over the band, which it darkens */
        provisional_ground(cr, &top, d->provisional);
    axes(cr, &top, 6, 11);
    x_labels(cr, &top, d->labels, 9, 10);
    series(cr, &top, d->value, 2.4, NULL, 0);
    series(cr, &top, d->volume, 1.4, dashed, 2);
    series(cr, &top, d->unit_value, 1.6, dotted, 2);
    /* Legend, top right, inside the panel's margin. */
    static const char *names[] = {"value index (headline)", "volume index", "unit-value index"};
    static const double widths[] = {2.4, 1.4, 1.6};
    for (int s = 0; s < 3; s++) {
        double x = WIDTH - 560 + 180.0 * s, y = 52;
        box lg = {x, y - 4, 30, 1, 0, 1, 2};
        double two[] = {0.5, 0.5};
        series(cr, &lg, two, widths[s], s == 1 ? dashed : s == 2 ? dotted : NULL, s ? 2 : 0);
        text(cr, x + 36, y, 11, 0, 0, names[s]);
    }
    char note[256];
    int has_prov = d->provisional && points_flagged(d->provisional, d->n);
    if (!has_band && !has_prov)
        snprintf(note, sizeof note,
                 "Base period = 100 (dash-dot line). Empty where a link is undefined.");
    else
        snprintf(note, sizeof note, "Base period = 100 (dash-dot line); empty where undefined.%s%s",
                 has_band ? " Grey band: the value index's interval (cut at the panel)." : "",
                 has_prov ? " Shaded: provisional periods (late contracts revise them)." : "");
    text(cr, 70, TOP_H - 18, 10, 0, 0, note);
    /* Small multiples: each cell's own value index. */
    for (size_t c = 0; c < d->ncells; c++) {
        double x0 = CELL_W * (double)(c % COLS), y0 = TOP_H + CELL_H * (double)(c / COLS);
        box b = {x0 + 48, y0 + 28, CELL_W - 64, CELL_H - 64, 0, 0, d->n};
        const double *one[] = {d->cell_value[c]};
        range_of(&b, one, 1);
        cairo_set_source_rgb(cr, 0, 0, 0);
        title_in(cr, x0 + 48, y0 + 18, 11, CELL_W - 56, d->cell_names[c]);
        axes(cr, &b, 3, 9);
        if (d->n > 0) {
            text(cr, b.x, b.y + b.h + 14, 9, 0, 0, d->labels[0]);
            text(cr, b.x + b.w, b.y + b.h + 14, 9, 0, 1.0, d->labels[d->n - 1]);
        }
        series(cr, &b, d->cell_value[c], 1.2, NULL, 0);
    }
    if (d->nother) {
        char line[128];
        other_line(line, sizeof line, d);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text(cr, 48, height - 10 - OTHER_H + 18, 11, 0, 0, line);
    }
}

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
    for (size_t i = 0; i < n; i++)
        k += y[i] == 1;
    return k;
}

int chart_write_svg(const chart_data *d, const char *path, char *err, size_t errlen)
{
    if (d->ncells > CHART_PANELS) {
        snprintf(err, errlen, "%zu cell panels, at most %d", d->ncells, CHART_PANELS);
        return -1;
    }
    size_t rows = (d->ncells + COLS - 1) / COLS;
    double height = TOP_H + CELL_H * (double)rows + 10 + (d->nother ? OTHER_H : 0);
    char *svg = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&svg, &len);
    if (!mem) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cairo_surface_t *s = cairo_svg_surface_create_for_stream(to_stream, mem, WIDTH, height);
    cairo_t *cr = cairo_create(s);
    draw(cr, d, height);
    cairo_status_t cs = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(s);
    cairo_surface_destroy(s);
    /* Font caches live until exit otherwise; a chart is drawn once. */
    cairo_debug_reset_static_data();
    FcFini();
    if (fclose(mem) != 0 || cs != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "drawing failed: %s", cairo_status_to_string(cs));
        free(svg);
        return -1;
    }
    /* cairo draws text as glyph outlines: a title and a description say in
     * words what the chart holds, for readers, screen readers and tests. */
    char *open = svg ? strstr(svg, "<svg") : NULL;
    char *gt = open ? strchr(open, '>') : NULL;
    if (!gt) {
        snprintf(err, errlen, "cairo wrote no <svg> element");
        free(svg);
        return -1;
    }
    outfile o;
    if (outfile_open(&o, path) != 0) {
        snprintf(err, errlen, "cannot write: %s", strerror(errno));
        free(svg);
        return -1;
    }
    fwrite(svg, 1, (size_t)(gt + 1 - svg), o.f);
    fputs("\n<title>", o.f);
    xml_text(o.f, d->title);
    fputs("</title>\n<desc>", o.f);
    fprintf(o.f, "periods %zu: ", d->n);
    if (d->n) {
        xml_text(o.f, d->labels[0]);
        fputs(" to ", o.f);
        xml_text(o.f, d->labels[d->n - 1]);
    }
    fprintf(o.f,
            "; series value_index (%zu points, solid), volume_index (%zu, dashed), "
            "unit_value_index (%zu, dotted); cells:",
            points(d->value, d->n), points(d->volume, d->n), points(d->unit_value, d->n));
    for (size_t c = 0; c < d->ncells; c++) {
        fputs(c ? ", " : " ", o.f);
        xml_text(o.f, d->cell_names[c]);
        fprintf(o.f, " (%zu)", points(d->cell_value[c], d->n));
    }
    if (d->nother) {
        char line[128];
        other_line(line, sizeof line, d);
        fputs("; ", o.f);
        xml_text(o.f, line);
    }
    if (d->value_lo && d->value_hi && points(d->value_lo, d->n))
        fprintf(o.f, "; value_index interval (%zu points, grey band)", points(d->value_lo, d->n));
    size_t np = d->provisional ? points_flagged(d->provisional, d->n) : 0;
    for (size_t i = 0, k = 0; i < d->n && np; i++)
        if (d->provisional[i] == 1) {
            if (k++ == 0)
                fprintf(o.f, "; provisional %zu (shaded): ", np);
            else
                fputs(", ", o.f);
            xml_text(o.f, d->labels[i]);
        }
    fputs("</desc>", o.f);
    fwrite(gt + 1, 1, len - (size_t)(gt + 1 - svg), o.f);
    free(svg);
    if (outfile_commit(&o) != 0) {
        snprintf(err, errlen, "cannot write: %s", strerror(errno));
        return -1;
    }
    return 0;
}
