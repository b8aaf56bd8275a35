#include "cli/chart.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/outfile.h"
#include "cli/table.h"

#define WIDTH 960.0
#define TOP_H 400.0  /* the headline panel */
#define COLS 4
#define CELL_W (WIDTH / COLS)
#define CELL_H 180.0

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
static void x_labels(cairo_t *cr, const box *b, const char *const *labels, size_t most,
                     double font)
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

static void draw(cairo_t *cr, const chart_data *d, double height)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, 20, 28, 18, 1, 0, d->title);
    box top = {70, 70, WIDTH - 100, TOP_H - 120, 0, 0, d->n};
    const double *ys[] = {d->value, d->volume, d->unit_value};
    range_of(&top, ys, 3);
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
    text(cr, 70, TOP_H - 18, 10, 0, 0,
         "Base period = 100 (dash-dot line). Empty where a link is undefined.");
    /* Small multiples: each cell's own value index. */
    for (size_t c = 0; c < d->ncells; c++) {
        double x0 = CELL_W * (double)(c % COLS), y0 = TOP_H + CELL_H * (double)(c / COLS);
        box b = {x0 + 48, y0 + 28, CELL_W - 64, CELL_H - 64, 0, 0, d->n};
        const double *one[] = {d->cell_value[c]};
        range_of(&b, one, 1);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text(cr, x0 + 48, y0 + 18, 11, 1, 0, d->cell_names[c]);
        axes(cr, &b, 3, 9);
        if (d->n > 0) {
            text(cr, b.x, b.y + b.h + 14, 9, 0, 0, d->labels[0]);
            text(cr, b.x + b.w, b.y + b.h + 14, 9, 0, 1.0, d->labels[d->n - 1]);
        }
        series(cr, &b, d->cell_value[c], 1.2, NULL, 0);
    }
    (void)height;
}

static cairo_status_t to_stream(void *closure, const unsigned char *data, unsigned int len)
{
    return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS
                                                : CAIRO_STATUS_WRITE_ERROR;
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

int chart_write_svg(const chart_data *d, const char *path, char *err, size_t errlen)
{
    size_t rows = (d->ncells + COLS - 1) / COLS;
    double height = TOP_H + CELL_H * (double)rows + 10;
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
    fprintf(o.f, "; series value_index (%zu points, solid), volume_index (%zu, dashed), "
                 "unit_value_index (%zu, dotted); cells:",
            points(d->value, d->n), points(d->volume, d->n), points(d->unit_value, d->n));
    for (size_t c = 0; c < d->ncells; c++) {
        fputs(c ? ", " : " ", o.f);
        xml_text(o.f, d->cell_names[c]);
        fprintf(o.f, " (%zu)", points(d->cell_value[c], d->n));
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

static double number(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return *s && !*end ? v : NAN;
}

int chart_from_csv(const char *index_csv, const char *cells_csv, size_t last, const char *title,
                   const char *svg, char *err, size_t errlen)
{
    table ix, cells;
    char msg[200];
    memset(&cells, 0, sizeof cells);
    if (table_load(index_csv, &ix, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "%s: %s", index_csv, msg);
        return -1;
    }
    int cp = table_col(&ix, "period"), cv = table_col(&ix, "value_index"),
        cq = table_col(&ix, "volume_index"), cu = table_col(&ix, "unit_value_index");
    if (cp < 0 || cv < 0 || cq < 0 || cu < 0 || table_col(&ix, "matched_cells") < 0) {
        snprintf(err, errlen, "%s: not a techidx index file (period, value_index, volume_index, "
                              "unit_value_index, matched_cells)",
                 index_csv);
        table_free(&ix);
        return -1;
    }
    size_t n = ix.nrows < last ? ix.nrows : last, first = ix.nrows - n;
    const char **labels = calloc(n ? n : 1, sizeof *labels);
    double *v = calloc(3 * (n ? n : 1), sizeof *v);
    const char **names = NULL;
    double **cellv = NULL;
    size_t ncells = 0;
    int rc = -1;
    if (!labels || !v) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        labels[i] = table_at(&ix, first + i, cp);
        v[i] = number(table_at(&ix, first + i, cv));
        v[n + i] = number(table_at(&ix, first + i, cq));
        v[2 * n + i] = number(table_at(&ix, first + i, cu));
    }
    if (cells_csv) {
        if (table_load(cells_csv, &cells, msg, sizeof msg) != 0) {
            snprintf(err, errlen, "%s: %s", cells_csv, msg);
            goto done;
        }
        int kp = table_col(&cells, "period"), kc = table_col(&cells, "cell"),
            kv = table_col(&cells, "value_index");
        if (kp < 0 || kc < 0 || kv < 0) {
            snprintf(err, errlen, "%s: not a techidx cells file (period, cell, value_index)",
                     cells_csv);
            goto done;
        }
        /* Cells in the order they first appear (byte order in our files). */
        names = calloc(cells.nrows ? cells.nrows : 1, sizeof *names);
        cellv = calloc(cells.nrows ? cells.nrows : 1, sizeof *cellv);
        if (!names || !cellv) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        for (size_t r = 0; r < cells.nrows; r++) {
            const char *name = table_at(&cells, r, kc);
            size_t c = 0;
            while (c < ncells && strcmp(names[c], name) != 0)
                c++;
            if (c == ncells) {
                if (!(cellv[c] = malloc((n ? n : 1) * sizeof **cellv))) {
                    snprintf(err, errlen, "out of memory");
                    goto done;
                }
                for (size_t i = 0; i < n; i++)
                    cellv[c][i] = NAN;
                names[ncells++] = name;
            }
            const char *period = table_at(&cells, r, kp);
            for (size_t i = 0; i < n; i++)
                if (strcmp(labels[i], period) == 0) {
                    cellv[c][i] = number(table_at(&cells, r, kv));
                    break;
                }
        }
    }
    chart_data d = {title,  n,      labels, v, v + n, v + 2 * n, ncells, names,
                    (const double *const *)cellv};
    rc = chart_write_svg(&d, svg, err, errlen);
done:
    for (size_t c = 0; cellv && c < ncells; c++)
        free(cellv[c]);
    free(cellv);
    free(names);
    free(labels);
    free(v);
    table_free(&ix);
    table_free(&cells);
    return rc;
}
