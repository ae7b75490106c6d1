/* pdf.c — PDF rendering of documents with cairo + pango (see pdf.h).
 *
 * Two passes. The layout pass turns every block into pango layouts and
 * places their lines one by one on a fixed pitch, breaking pages between
 * lines (so a long paragraph or form row continues on the next page), and
 * records the placements as a list of drawing operations. The drawing pass
 * then paints page after page, now knowing the page count for the footers.
 * Placing lines ourselves, rather than drawing whole layouts, is what gives
 * the exact 28 pt pitch of GB/T 9704 and clean page breaks.
 *
 * Units are PDF points; pango runs at 72 dpi with absolute font sizes so one
 * pango unit is 1/PANGO_SCALE of a point. */
#include "render/pdf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "util/mem.h"

#define MM (72.0 / 25.4)
#define PAGE_W (210.0 * MM)
#define PAGE_H (297.0 * MM)
#define M_TOP (37.0 * MM)
#define M_BOTTOM (35.0 * MM)
#define M_LEFT (28.0 * MM)
#define M_RIGHT (26.0 * MM)
#define BODY_W (PAGE_W - M_LEFT - M_RIGHT)
#define BODY_BOTTOM (PAGE_H - M_BOTTOM)

#define SERIF "Noto Serif CJK SC"
#define SANS "Noto Sans CJK SC"

#define BODY_PT 16.0  /* 三号 */
#define BODY_PITCH 28.0
#define TITLE_PT 22.0 /* 二号 */
#define TITLE_PITCH 40.0
#define FORM_PT 14.0  /* 四号, for the rows of forms */
#define FORM_PITCH 24.0
#define TABLE_PT 12.0 /* 小四, for list tables */
#define TABLE_PITCH 20.0
#define PAD 4.0
#define QR_SIZE (22.0 * MM)

#define SEAL_R (21.0 * MM) /* a 42 mm seal, the size of an authority's 公章 */
#define SIG_IMG_MAX_W 130.0

typedef enum { OP_LINE, OP_RECT, OP_QR, OP_IMAGE, OP_SEAL } op_kind;

typedef struct op {
    op_kind kind;
    int page;
    PangoLayoutLine *line; /* OP_LINE: borrowed from a layout in ctx.layouts */
    double x, y, w, h;     /* LINE: baseline origin; RECT, QR, IMAGE: box; SEAL: centre */
    const zf_render_sig *sig;   /* OP_IMAGE */
    const zf_render_seal *seal; /* OP_SEAL */
} op;

typedef struct ctx {
    PangoContext *pc;
    PangoFontDescription *serif, *serif_bold, *sans, *form, *form_sans, *table, *table_sans,
        *small;
    op *ops;
    size_t nops, cap;
    PangoLayout **layouts;
    size_t nlayouts, lcap;
    int page;  /* 0-based current page */
    double y;  /* top of the next line slot */
    size_t mark_op; /* where the last body block began: the seal keeps with it */
    int mark_page;
    double mark_y;
    int overflow;
} ctx;

static PangoFontDescription *font(const char *family, double pt, PangoWeight weight)
{
    PangoFontDescription *fd = pango_font_description_new();

    pango_font_description_set_family(fd, family);
    pango_font_description_set_weight(fd, weight);
    pango_font_description_set_absolute_size(fd, pt * PANGO_SCALE);
    return fd;
}

static void push_op(ctx *c, op o)
{
    if (c->nops == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->ops = zf_realloc(c->ops, c->cap * sizeof *c->ops);
    }
    o.page = c->page;
    c->ops[c->nops++] = o;
}

/* A layout owned by ctx until the end of the render. */
static PangoLayout *layout(ctx *c, const char *text, const PangoFontDescription *fd,
                           double width, PangoAlignment align, double indent)
{
    PangoLayout *l = pango_layout_new(c->pc);

    pango_layout_set_font_description(l, fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align);
    pango_layout_set_indent(l, (int)(indent * PANGO_SCALE));
    pango_layout_set_text(l, text, -1);
    if (c->nlayouts == c->lcap) {
        c->lcap = c->lcap ? c->lcap * 2 : 64;
        c->layouts = zf_realloc(c->layouts, c->lcap * sizeof *c->layouts);
    }
    c->layouts[c->nlayouts++] = l;
    return l;
}

/* Sets family (and bold) on the first `bytes` bytes: the "label：" lead. */
static void lead_font(PangoLayout *l, size_t bytes, const char *family)
{
    PangoAttrList *al = pango_attr_list_new();
    PangoAttribute *a = pango_attr_family_new(family);

    a->start_index = 0;
    a->end_index = (guint)bytes;
    pango_attr_list_insert(al, a);
    pango_layout_set_attributes(l, al);
    pango_attr_list_unref(al);
}

/* One cell of a row: a layout drawn at x within width w. */
typedef struct cell {
    PangoLayout *l;
    double x, w;
    int nlines;
} cell;

static void new_page(ctx *c)
{
    c->page++;
    c->y = M_TOP;
    if (c->page >= ZF_RENDER_MAX_PAGES)
        c->overflow = 1;
}

/* Places the lines of n cells side by side on a fixed pitch, starting at
 * c->y, breaking pages as needed. border: draw cell boxes (per page part).
 * keep: start on a new page rather than split, when the row fits on one. */
static void place(ctx *c, cell *cells, int n, double pitch, int border, int keep)
{
    int done = 0, most = 0, i, k;
    double pad = border ? PAD : 0;
    int **xs = zf_calloc((size_t)n, sizeof *xs);

    /* Where alignment and indent put each line, read once per layout. */
    for (i = 0; i < n; i++) {
        PangoLayoutIter *it = pango_layout_get_iter(cells[i].l);
        PangoRectangle log;

        cells[i].nlines = pango_layout_get_line_count(cells[i].l);
        if (cells[i].nlines > most)
            most = cells[i].nlines;
        xs[i] = zf_calloc((size_t)cells[i].nlines + 1, sizeof **xs);
        k = 0;
        do {
            pango_layout_iter_get_line_extents(it, NULL, &log);
            if (k < cells[i].nlines)
                xs[i][k++] = log.x;
        } while (pango_layout_iter_next_line(it));
        pango_layout_iter_free(it);
    }
    if (keep && c->y + most * pitch + 2 * pad > BODY_BOTTOM + 0.01 &&
        M_TOP + most * pitch + 2 * pad <= BODY_BOTTOM)
        new_page(c);
    while (done < most && !c->overflow) {
        int avail = (int)floor((BODY_BOTTOM - c->y - 2 * pad + 0.01) / pitch), take;

        if (avail < 1) {
            new_page(c);
            continue;
        }
        take = most - done < avail ? most - done : avail;
        for (i = 0; i < n; i++) {
            for (k = done; k < done + take && k < cells[i].nlines; k++) {
                PangoLayoutLine *ln = pango_layout_get_line_readonly(cells[i].l, k);
                PangoRectangle log;
                op o = {OP_LINE, 0, ln, 0, 0, 0, 0, NULL, NULL};

                pango_layout_line_get_extents(ln, NULL, &log);
                o.x = cells[i].x + pad + (double)xs[i][k] / PANGO_SCALE;
                o.y = c->y + pad + (k - done) * pitch +
                      (pitch - (double)log.height / PANGO_SCALE) / 2 - (double)log.y / PANGO_SCALE;
                push_op(c, o);
            }
            if (border) {
                op r = {OP_RECT, 0, NULL, cells[i].x, c->y, cells[i].w, take * pitch + 2 * pad,
                        NULL, NULL};

                push_op(c, r);
            }
        }
        c->y += take * pitch + 2 * pad;
        done += take;
        if (done < most)
            new_page(c);
    }
    for (i = 0; i < n; i++)
        free(xs[i]);
    free(xs);
}

static void one(ctx *c, PangoLayout *l, double pitch, int keep)
{
    cell ce = {l, M_LEFT, BODY_W, 0};

    place(c, &ce, 1, pitch, 0, keep);
}

static void skip(ctx *c, double h)
{
    c->y += h;
    if (c->y > BODY_BOTTOM)
        new_page(c);
}

static void para(ctx *c, const char *label, const char *text, int indent)
{
    const char *p = text;
    int first = 1;

    while (1) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        zf_buf b = ZF_BUF_INIT;
        size_t lead = 0;
        PangoLayout *l;

        if (first && *label) {
            zf_buf_printf(&b, "%s：", label);
            lead = b.len;
        }
        zf_buf_append(&b, p, n);
        if (n > 0 && n < 2 && p[0] == '\r')
            n = 0;
        if (b.len > 0 && !(n == 0 && !lead)) {
            l = layout(c, zf_buf_str(&b), c->serif, BODY_W, PANGO_ALIGN_LEFT,
                       indent ? 2 * BODY_PT : 0);
            pango_layout_set_justify(l, TRUE);
            if (lead)
                lead_font(l, lead, SANS);
            one(c, l, BODY_PITCH, 0);
        }
        zf_buf_free(&b);
        first = 0;
        if (!nl)
            break;
        p = nl + 1;
    }
}

static void form_row(ctx *c, const char *label, const char *text)
{
    double lw = 6 * FORM_PT + 2 * PAD;
    cell ce[2];

    ce[0].l = layout(c, label, c->form_sans, lw - 2 * PAD, PANGO_ALIGN_CENTER, 0);
    ce[0].x = M_LEFT, ce[0].w = lw;
    ce[1].l = layout(c, *text ? text : " ", c->form, BODY_W - lw - 2 * PAD, PANGO_ALIGN_LEFT, 0);
    ce[1].x = M_LEFT + lw, ce[1].w = BODY_W - lw;
    place(c, ce, 2, FORM_PITCH, 1, pango_layout_get_line_count(ce[1].l) <= 4);
}

static void table_block(ctx *c, const zf_rblock *b)
{
    size_t r, k, nrows = b->ncells / b->ncols;
    double *w = zf_calloc(b->ncols, sizeof *w), total = 0, x;
    cell *ce = zf_calloc(b->ncols, sizeof *ce);

    /* Column widths follow the longest header or cell, within bounds. */
    for (k = 0; k < b->ncols; k++) {
        long most = 2;

        for (r = 0; r < nrows; r++) {
            long len = (long)g_utf8_strlen(b->cells[r * b->ncols + k], -1);

            if (len > most)
                most = len;
        }
        w[k] = most < 3 ? 3 : most > 14 ? 14 : most;
        total += w[k];
    }
    if (*b->label) {
        PangoLayout *l = layout(c, b->label, c->sans, BODY_W, PANGO_ALIGN_LEFT, 0);

        one(c, l, BODY_PITCH, 1);
    }
    for (r = 0; r < nrows && !c->overflow; r++) {
        x = M_LEFT;
        for (k = 0; k < b->ncols; k++) {
            double cw = BODY_W * w[k] / total;

            ce[k].l = layout(c, *b->cells[r * b->ncols + k] ? b->cells[r * b->ncols + k] : " ",
                             r == 0 ? c->table_sans : c->table, cw - 2 * PAD,
                             r == 0 || k == 0 ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT, 0);
            ce[k].x = x, ce[k].w = cw;
            x += cw;
        }
        place(c, ce, (int)b->ncols, TABLE_PITCH, 1, 1);
    }
    skip(c, BODY_PITCH / 2);
    free(w);
    free(ce);
}

/* Width and height from a PNG's IHDR; 0 when it is not one. */
static int png_size(const unsigned char *p, size_t n, int *w, int *h)
{
    uint32_t x, y;

    if (n < 24 || memcmp(p, "\x89PNG\r\n\x1a\n", 8) != 0 || memcmp(p + 12, "IHDR", 4) != 0)
        return 0;
    x = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 | (uint32_t)p[18] << 8 | p[19];
    y = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
    if (x == 0 || y == 0 || x > ZF_RENDER_PNG_MAX_SIDE || y > ZF_RENDER_PNG_MAX_SIDE)
        return 0;
    *w = (int)x, *h = (int)y;
    return 1;
}

/* A signature captured on a tablet: "label（签名）：" then the image over two
 * line pitches, then the name and time as text. */
static int sign_image(ctx *c, const zf_rblock *b)
{
    zf_buf t = ZF_BUF_INIT;
    PangoLayout *lead, *tail;
    PangoRectangle r;
    double y0, ih = 2 * BODY_PITCH - 4, iw, x;
    int pw, ph;
    cell ce;
    op im = {OP_IMAGE, 0, NULL, 0, 0, 0, 0, b->sig, NULL};

    if (!png_size(b->sig->png, b->sig->png_len, &pw, &ph))
        return 0;
    iw = ih * pw / ph;
    if (iw > SIG_IMG_MAX_W) {
        iw = SIG_IMG_MAX_W;
        ih = iw * ph / pw;
    }
    if (c->y + 2 * BODY_PITCH > BODY_BOTTOM + 0.01)
        new_page(c);
    y0 = c->y;
    zf_buf_printf(&t, "%s（签名）：", b->label);
    lead = layout(c, zf_buf_str(&t), c->serif, BODY_W, PANGO_ALIGN_LEFT, 0);
    pango_layout_get_extents(lead, NULL, &r);
    x = M_LEFT + (double)r.width / PANGO_SCALE + 4;
    if (x + iw > M_LEFT + BODY_W * 0.7)
        x = M_LEFT + BODY_W * 0.7 - iw;
    /* name over the time, beside the image: two lines, the block's height */
    zf_buf_reset(&t);
    zf_buf_printf(&t, "%s\n%s", b->text, b->extra);
    tail = layout(c, zf_buf_str(&t), c->form, M_LEFT + BODY_W - (x + iw + 8), PANGO_ALIGN_LEFT, 0);
    zf_buf_free(&t);
    c->y = y0 + BODY_PITCH;
    ce.l = lead, ce.x = M_LEFT, ce.w = BODY_W;
    place(c, &ce, 1, BODY_PITCH, 0, 0);
    c->y = y0;
    ce.l = tail, ce.x = x + iw + 8, ce.w = M_LEFT + BODY_W - ce.x;
    place(c, &ce, 1, BODY_PITCH, 0, 0);
    /* two pitches were free above, so neither line broke the page */
    im.x = x, im.y = y0 + 2 + (2 * BODY_PITCH - 4 - ih) / 2, im.w = iw, im.h = ih;
    push_op(c, im);
    if (c->y < y0 + 2 * BODY_PITCH)
        c->y = y0 + 2 * BODY_PITCH;
    return 1;
}

static void sign_line(ctx *c, const zf_rblock *b)
{
    zf_buf t = ZF_BUF_INIT;
    PangoLayout *l;

    if (b->sig && sign_image(c, b))
        return;
    if (*b->text)
        zf_buf_printf(&t, "%s（签名）：%s　　%s", b->label, b->text,
                      *b->extra ? b->extra : "　　年　　月　　日");
    else
        zf_buf_printf(&t, "%s（签名）：＿＿＿＿＿＿＿＿　　　　年　　月　　日", b->label);
    l = layout(c, zf_buf_str(&t), c->serif, BODY_W, PANGO_ALIGN_LEFT, 0);
    one(c, l, BODY_PITCH, 1);
    zf_buf_free(&t);
}

/* Authority and date per GB/T 9704 7.3.5.1: the date right-aligned four
 * characters from the right edge, the authority centred above it. Two blank
 * lines above leave room for the seal. */
static void seal(ctx *c, const zf_rblock *b)
{
    PangoLayout *date = layout(c, b->text, c->serif, BODY_W, PANGO_ALIGN_LEFT, 0);
    PangoLayout *auth = layout(c, b->label, c->serif, BODY_W, PANGO_ALIGN_LEFT, 0);
    PangoRectangle dr, ar;
    double right = M_LEFT + BODY_W - 4 * BODY_PT, centre;
    cell ce[1];

    pango_layout_get_extents(date, NULL, &dr);
    pango_layout_get_extents(auth, NULL, &ar);
    centre = right - (double)dr.width / PANGO_SCALE / 2;
    if (c->y + 4 * BODY_PITCH > BODY_BOTTOM + 0.01) {
        /* The seal never stands alone on a page: the last paragraph goes
         * over with it (GB/T 9704 7.3.5). */
        if (c->mark_page == c->page && c->mark_y > M_TOP + 0.01 &&
            c->y - c->mark_y + 4 * BODY_PITCH <= BODY_BOTTOM - M_TOP) {
            size_t i;
            double shift = c->mark_y - M_TOP, used = c->y - c->mark_y;

            for (i = c->mark_op; i < c->nops; i++) {
                c->ops[i].page++;
                c->ops[i].y -= shift;
            }
            new_page(c);
            c->y = M_TOP + used;
        } else {
            new_page(c);
        }
    }
    skip(c, 2 * BODY_PITCH);
    ce[0].l = auth;
    ce[0].x = centre - (double)ar.width / PANGO_SCALE / 2;
    if (ce[0].x + (double)ar.width / PANGO_SCALE > M_LEFT + BODY_W)
        ce[0].x = M_LEFT + BODY_W - (double)ar.width / PANGO_SCALE;
    ce[0].w = BODY_W;
    place(c, ce, 1, BODY_PITCH, 0, 1);
    if (b->seal) {
        /* 居中下压发文机关署名和成文日期 (GB/T 9704 7.3.5.1): centred on the
         * authority's name, its lower half over the date. */
        op o = {OP_SEAL, 0, NULL, ce[0].x + (double)ar.width / PANGO_SCALE / 2, c->y, 0, 0, NULL,
                b->seal};

        if (!*b->text)
            o.y = c->y - BODY_PITCH / 2;
        ce[0].l = date;
        ce[0].x = right - (double)dr.width / PANGO_SCALE;
        if (*b->text)
            place(c, ce, 1, BODY_PITCH, 0, 1);
        o.page = c->page;
        /* drawn after the text of its page: the ops are painted in order */
        push_op(c, o);
        return;
    }
    ce[0].l = date;
    ce[0].x = right - (double)dr.width / PANGO_SCALE;
    place(c, ce, 1, BODY_PITCH, 0, 1);
}

/* The QR code and the words beside it, kept together at the end. */
static void qr_block(ctx *c, const zf_rdoc *doc)
{
    zf_buf t = ZF_BUF_INIT;
    PangoLayout *l;
    cell ce[1];
    op q = {OP_QR, 0, NULL, M_LEFT, 0, QR_SIZE, QR_SIZE, NULL, NULL};

    zf_buf_printf(&t, "文书核验码：%s\n扫描左侧二维码或访问以下网址，可核验本文书的内容摘要与存证记录：\n%s",
                  doc->verify_code, doc->verify_url);
    l = layout(c, zf_buf_str(&t), c->small, BODY_W - QR_SIZE - 4 * MM, PANGO_ALIGN_LEFT, 0);
    zf_buf_free(&t);
    skip(c, BODY_PITCH / 2);
    if (c->y + QR_SIZE > BODY_BOTTOM)
        new_page(c);
    q.y = c->y;
    push_op(c, q);
    ce[0].l = l;
    ce[0].x = M_LEFT + QR_SIZE + 4 * MM;
    ce[0].w = BODY_W - QR_SIZE - 4 * MM;
    c->y += 2;
    place(c, ce, 1, 14.0, 0, 1);
    if (c->y < q.y + QR_SIZE)
        c->y = q.y + QR_SIZE;
}

static void lay_out(ctx *c, const zf_rdoc *doc)
{
    size_t i;
    int in_form = 0;

    c->page = 0;
    c->y = M_TOP;
    for (i = 0; i < doc->count && !c->overflow; i++) {
        const zf_rblock *b = &doc->blocks[i];
        PangoLayout *l;

        if (in_form && b->kind != ZF_RB_ROW)
            skip(c, BODY_PITCH / 2), in_form = 0;
        switch (b->kind) {
        case ZF_RB_AUTHORITY:
            l = layout(c, b->text, c->serif_bold, BODY_W, PANGO_ALIGN_CENTER, 0);
            one(c, l, TITLE_PITCH, 1);
            break;
        case ZF_RB_TITLE:
            l = layout(c, b->text, c->serif_bold, BODY_W, PANGO_ALIGN_CENTER, 0);
            one(c, l, TITLE_PITCH, 1);
            skip(c, BODY_PITCH / 2);
            break;
        case ZF_RB_DOCNO:
            l = layout(c, b->text, c->serif, BODY_W, PANGO_ALIGN_RIGHT, 0);
            one(c, l, BODY_PITCH, 1);
            break;
        case ZF_RB_LINE: {
            zf_buf t = ZF_BUF_INIT;

            zf_buf_printf(&t, "%s：%s", b->label, b->text);
            l = layout(c, zf_buf_str(&t), c->serif, BODY_W, PANGO_ALIGN_LEFT, 0);
            zf_buf_free(&t);
            one(c, l, BODY_PITCH, 0);
            break;
        }
        case ZF_RB_PARA:
            c->mark_op = c->nops, c->mark_page = c->page, c->mark_y = c->y;
            para(c, b->label, b->text, 1);
            break;
        case ZF_RB_ROW:
            form_row(c, b->label, b->text);
            in_form = 1;
            break;
        case ZF_RB_TABLE:
            table_block(c, b);
            break;
        case ZF_RB_SIGN:
            sign_line(c, b);
            break;
        case ZF_RB_SEAL:
            seal(c, b);
            break;
        }
    }
    if (!c->overflow && doc->verify_url)
        qr_block(c, doc);
}

/* ---- drawing the captured images, the seal and the draft mark ---------- */

typedef struct png_reader {
    const unsigned char *p;
    size_t n, at;
} png_reader;

static cairo_status_t png_read(void *closure, unsigned char *data, unsigned int len)
{
    png_reader *r = closure;

    if (r->n - r->at < len)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, r->p + r->at, len);
    r->at += len;
    return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *png_surface(const unsigned char *p, size_t n)
{
    png_reader r = {p, n, 0};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(png_read, &r);

    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return NULL;
    }
    return s;
}

int zf_render_png_check(int *out_w, int *out_h, const unsigned char *png, size_t len, zf_err *err)
{
    cairo_surface_t *s;
    int w = 0, h = 0;

    if (!png || !png_size(png, len, &w, &h))
        return zf_err_set(err, ZF_EINVAL, "bad_image", NULL, "签名图像应为 PNG 图片，边长不超过 %d 像素",
                          ZF_RENDER_PNG_MAX_SIDE);
    if (!(s = png_surface(png, len)))
        return zf_err_set(err, ZF_EINVAL, "bad_image", NULL, "签名图像无法解码，应为完整的 PNG 图片");
    w = cairo_image_surface_get_width(s);
    h = cairo_image_surface_get_height(s);
    cairo_surface_destroy(s);
    if (out_w)
        *out_w = w;
    if (out_h)
        *out_h = h;
    return 0;
}

static void draw_image(cairo_t *cr, const op *o)
{
    cairo_surface_t *s = png_surface(o->sig->png, o->sig->png_len);

    if (!s)
        return;
    cairo_save(cr);
    cairo_translate(cr, o->x, o->y);
    cairo_scale(cr, o->w / cairo_image_surface_get_width(s), o->h / cairo_image_surface_get_height(s));
    cairo_set_source_surface(cr, s, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(s);
}

/* A red ring, the department's name along its upper arc, a five-pointed
 * star, and the key id of the SM2 seal signature: an image of the seal for
 * the reader; what proves it is the signature on the verification page. */
static void draw_seal(ctx *c, cairo_t *cr, const op *o)
{
    const char *name = o->seal->department, *p;
    PangoLayout *l = pango_layout_new(c->pc);
    PangoFontDescription *fd = font(SANS, 13.0, PANGO_WEIGHT_BOLD);
    PangoRectangle r;
    double cx = o->x, cy = o->y, span, ang;
    long n = g_utf8_strlen(name, -1), i;
    char id[48];
    int k;

    cairo_save(cr);
    cairo_set_source_rgba(cr, 0.85, 0.06, 0.06, 0.88);
    cairo_set_line_width(cr, 2.6);
    cairo_new_path(cr);
    cairo_arc(cr, cx, cy, SEAL_R - 1.3, 0, 2 * M_PI);
    cairo_stroke(cr);
    for (k = 0; k < 10; k++) {
        double a = -M_PI / 2 + k * M_PI / 5, rr = (k % 2) ? SEAL_R * 0.13 : SEAL_R * 0.33;

        if (k == 0)
            cairo_move_to(cr, cx + rr * cos(a), cy + rr * sin(a));
        else
            cairo_line_to(cr, cx + rr * cos(a), cy + rr * sin(a));
    }
    cairo_close_path(cr);
    cairo_fill(cr);

    pango_layout_set_font_description(l, fd);
    span = n * 0.36 > 4.4 ? 4.4 : n * 0.36; /* radians, at most about 250 degrees */
    for (i = 0, p = name; i < n && *p; i++) {
        const char *next = g_utf8_next_char(p);

        ang = -M_PI / 2 - span / 2 + span * (i + 0.5) / n;
        pango_layout_set_text(l, p, (int)(next - p));
        pango_layout_get_extents(l, NULL, &r);
        cairo_save(cr);
        cairo_translate(cr, cx, cy);
        cairo_rotate(cr, ang + M_PI / 2);
        cairo_move_to(cr, -(double)r.width / PANGO_SCALE / 2, -(SEAL_R - 5.5));
        pango_cairo_show_layout(cr, l);
        cairo_restore(cr);
        p = next;
    }
    pango_font_description_free(fd);
    fd = font(SANS, 6.5, PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    snprintf(id, sizeof id, "电子签章 %s", o->seal->key_id);
    pango_layout_set_text(l, id, -1);
    pango_layout_get_extents(l, NULL, &r);
    cairo_move_to(cr, cx - (double)r.width / PANGO_SCALE / 2, cy + SEAL_R * 0.42);
    pango_cairo_show_layout(cr, l);
    cairo_restore(cr);
    pango_font_description_free(fd);
    g_object_unref(l);
}

/* "草稿" across the page, behind the text. */
static void draw_draft_mark(ctx *c, cairo_t *cr)
{
    PangoLayout *l = pango_layout_new(c->pc);
    PangoFontDescription *fd = font(SANS, 150.0, PANGO_WEIGHT_BOLD);
    PangoRectangle r;

    pango_layout_set_font_description(l, fd);
    pango_layout_set_text(l, "草稿", -1);
    pango_layout_get_extents(l, NULL, &r);
    cairo_save(cr);
    cairo_translate(cr, PAGE_W / 2, PAGE_H / 2);
    cairo_rotate(cr, -M_PI / 6);
    cairo_set_source_rgb(cr, 0.82, 0.82, 0.82);
    cairo_move_to(cr, -(double)r.width / PANGO_SCALE / 2, -(double)r.height / PANGO_SCALE / 2);
    pango_cairo_show_layout(cr, l);
    cairo_restore(cr);
    pango_font_description_free(fd);
    g_object_unref(l);
}

static void draw_qr(cairo_t *cr, const char *url, double x, double y, double size)
{
    QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    double m;
    int i, j;

    if (!qr)
        return;
    m = size / qr->width;
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (i = 0; i < qr->width; i++)
        for (j = 0; j < qr->width; j++)
            if (qr->data[i * qr->width + j] & 1)
                cairo_rectangle(cr, x + j * m, y + i * m, m, m);
    /* One fill: adjacent modules merge without hairline gaps. */
    cairo_fill(cr);
    QRcode_free(qr);
}

static void footer(ctx *c, cairo_t *cr, int page, int pages, const zf_rdoc *doc)
{
    char num[64];
    PangoLayout *l = pango_layout_new(c->pc);
    PangoFontDescription *fd = font(SERIF, 14.0, PANGO_WEIGHT_NORMAL);
    PangoRectangle r;
    double x;

    /* "— n —" one character in from the right (odd) or left (even) edge. */
    snprintf(num, sizeof num, "— %d —", page + 1);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_text(l, num, -1);
    pango_layout_get_extents(l, NULL, &r);
    x = (page % 2 == 0) ? M_LEFT + BODY_W - 14.0 - (double)r.width / PANGO_SCALE : M_LEFT + 14.0;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, x, BODY_BOTTOM + 7 * MM - 4);
    pango_cairo_show_layout(cr, l);

    snprintf(num, sizeof num, "%d", pages);
    {
        zf_buf t = ZF_BUF_INIT;

        if (doc->footer)
            zf_buf_printf(&t, "%s　第 %d 页 / 共 %s 页", doc->footer, page + 1, num);
        else if (doc->verify_code)
            zf_buf_printf(&t, "文书核验码 %s　第 %d 页 / 共 %s 页", doc->verify_code, page + 1, num);
        else if (!doc->draft) /* a report (zf_render_opts.report) */
            zf_buf_printf(&t, "第 %d 页 / 共 %s 页", page + 1, num);
        else
            zf_buf_printf(&t, "草稿（未定稿，不具法律效力）　第 %d 页 / 共 %s 页", page + 1, num);
        pango_layout_set_font_description(l, c->small);
        pango_layout_set_text(l, zf_buf_str(&t), -1);
        zf_buf_free(&t);
    }
    pango_layout_get_extents(l, NULL, &r);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    cairo_move_to(cr, (PAGE_W - (double)r.width / PANGO_SCALE) / 2, PAGE_H - 14 * MM);
    pango_cairo_show_layout(cr, l);
    pango_font_description_free(fd);
    g_object_unref(l);
}

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len)
{
    return zf_buf_append(closure, data, len) == 0 ? CAIRO_STATUS_SUCCESS
                                                  : CAIRO_STATUS_WRITE_ERROR;
}

static void ctx_free(ctx *c)
{
    size_t i;

    for (i = 0; i < c->nlayouts; i++)
        g_object_unref(c->layouts[i]);
    free(c->layouts);
    free(c->ops);
    if (c->serif) {
        pango_font_description_free(c->serif);
        pango_font_description_free(c->serif_bold);
        pango_font_description_free(c->sans);
        pango_font_description_free(c->form);
        pango_font_description_free(c->form_sans);
        pango_font_description_free(c->table);
        pango_font_description_free(c->table_sans);
        pango_font_description_free(c->small);
    }
    if (c->pc)
        g_object_unref(c->pc);
}

/* Lays doc out and draws it; the shared part of zf_render_pdf and
 * zf_render_pdf_content. */
static int render_doc(zf_buf *out, int *out_pages, const zf_rdoc *doc, const char *title,
                      const char *author, zf_err *err)
{
    ctx c;
    cairo_surface_t *surf = NULL;
    cairo_t *cr = NULL;
    zf_buf pdf;
    size_t i;
    int rc, page, pages;
    cairo_status_t st;

    memset(&c, 0, sizeof c);
    zf_buf_init(&pdf, out->max ? (out->max > out->len ? out->max - out->len : 1) : 0);

    c.pc = pango_font_map_create_context(pango_cairo_font_map_get_default());
    pango_cairo_context_set_resolution(c.pc, 72.0);
    {
        /* Outlines as the PDF will draw them: no hinting, no metric rounding. */
        cairo_font_options_t *fo = cairo_font_options_create();

        cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
        cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
        pango_cairo_context_set_font_options(c.pc, fo);
        cairo_font_options_destroy(fo);
    }
    pango_context_set_round_glyph_positions(c.pc, FALSE);
    c.serif = font(SERIF, BODY_PT, PANGO_WEIGHT_NORMAL);
    c.serif_bold = font(SERIF, TITLE_PT, PANGO_WEIGHT_BOLD);
    c.sans = font(SANS, BODY_PT, PANGO_WEIGHT_NORMAL);
    c.form = font(SERIF, FORM_PT, PANGO_WEIGHT_NORMAL);
    c.form_sans = font(SANS, FORM_PT, PANGO_WEIGHT_NORMAL);
    c.table = font(SERIF, TABLE_PT, PANGO_WEIGHT_NORMAL);
    c.table_sans = font(SANS, TABLE_PT, PANGO_WEIGHT_NORMAL);
    c.small = font(SANS, 9.0, PANGO_WEIGHT_NORMAL);

    lay_out(&c, doc);
    if (c.overflow) {
        rc = zf_err_set(err, ZF_ETOOBIG, "too_many_pages", NULL, "文书超过%d页，无法生成",
                        ZF_RENDER_MAX_PAGES);
        goto done;
    }
    pages = c.page + 1;

    surf = cairo_pdf_surface_create_for_stream(write_cb, &pdf, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_AUTHOR, author);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "zhifa");
    cr = cairo_create(surf);
    i = 0;
    for (page = 0; page < pages; page++) {
        if (doc->draft)
            draw_draft_mark(&c, cr);
        for (; i < c.nops && c.ops[i].page == page; i++) {
            const op *o = &c.ops[i];

            if (o->kind == OP_LINE) {
                cairo_set_source_rgb(cr, 0, 0, 0);
                cairo_move_to(cr, o->x, o->y);
                pango_cairo_show_layout_line(cr, o->line);
            } else if (o->kind == OP_RECT) {
                cairo_set_source_rgb(cr, 0, 0, 0);
                cairo_set_line_width(cr, 0.75);
                cairo_rectangle(cr, o->x, o->y, o->w, o->h);
                cairo_stroke(cr);
            } else if (o->kind == OP_IMAGE) {
                draw_image(cr, o);
            } else if (o->kind == OP_SEAL) {
                draw_seal(&c, cr, o);
            } else {
                draw_qr(cr, doc->verify_url, o->x, o->y, o->w);
            }
        }
        footer(&c, cr, page, pages, doc);
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cr = NULL;
    cairo_surface_finish(surf);
    st = cairo_surface_status(surf);
    if (st != CAIRO_STATUS_SUCCESS) {
        rc = st == CAIRO_STATUS_WRITE_ERROR
                 ? zf_err_set(err, ZF_ETOOBIG, "payload_too_large", NULL, "生成的文书过大")
                 : zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "生成PDF失败：%s",
                              cairo_status_to_string(st));
        goto done;
    }
    if ((rc = zf_buf_append(out, pdf.ptr, pdf.len)) < 0) {
        zf_err_set(err, rc, NULL, NULL, "生成的文书过大");
        goto done;
    }
    if (out_pages)
        *out_pages = pages;
    rc = 0;
done:
    if (cr)
        cairo_destroy(cr);
    if (surf)
        cairo_surface_destroy(surf);
    ctx_free(&c);
    zf_buf_free(&pdf);
    return rc;
}

int zf_render_pdf(zf_buf *out, int *out_pages, const zf_doctpl *tpl, const json_t *fields,
                  const zf_render_opts *opts, zf_err *err)
{
    zf_rdoc *doc = NULL;
    int rc;

    if ((rc = zf_rdoc_build(&doc, tpl, fields, opts, err)) == 0)
        rc = render_doc(out, out_pages, doc, tpl->name, opts->authority, err);
    zf_rdoc_free(doc);
    return rc;
}

int zf_render_pdf_content(zf_buf *out, int *out_pages, const zf_rdoc *doc, const char *title,
                          const char *author, zf_err *err)
{
    return render_doc(out, out_pages, doc, title ? title : "", author ? author : "", err);
}

void zf_render_pdf_thread_done(void)
{
    pango_cairo_font_map_set_default(NULL);
}
