/* svg.c — inline SVG flowcharts and QR codes for the portal (see svg.h).
 *
 * The flowchart layout is deliberately plain, so it reads on a phone and
 * prints in black and white: the stages stand in one column in the order of
 * the stage table (which is the order of the procedure), each arrow to the
 * next stage goes straight down with its action's name beside it, and an
 * arrow that skips stages (不予立案 → 结案) or goes back runs in a lane of its
 * own at the right (forward) or left (back) so no two arrows overlap. */
#include "web/svg.h"

#include <qrencode.h>
#include <stdio.h>
#include <string.h>

#define BOX_W 240
#define BOX_H 40
#define GAP 46
#define LANE 14
#define MARGIN 16
#define LABEL_CHARS 10 /* code points of an arrow label drawn; the rest in the title */
#define MAX_STAGES 32
#define MAX_EDGES 64

const zf_wf_procedure *zf_svg_matter_procedure(const char *procedure, const char *power_type)
{
    static const char *const defaults[][2] = {
        {"licensing", "license"},      {"penalty", "penalty_general"}, {"coercion", "coercion_seizure"},
        {"inspection", "inspection"}, {"expropriation", "expropriation"},
    };
    const zf_wf_procedure *p;
    size_t i;

    if (procedure && *procedure && (p = zf_workflow_procedure(procedure)))
        return p;
    for (i = 0; power_type && i < sizeof defaults / sizeof defaults[0]; i++)
        if (strcmp(defaults[i][0], power_type) == 0)
            return zf_workflow_procedure(defaults[i][1]);
    return NULL;
}

static int stage_index(const zf_wf_procedure *p, const char *code)
{
    size_t i;

    for (i = 0; code && i < p->n_stages; i++)
        if (strcmp(p->stages[i].code, code) == 0)
            return (int)i;
    return -1;
}

typedef struct edge {
    int from, to;
    int lane;           /* 0 for next-stage arrows; 1.. on the right (forward) or left (back) */
    char label[256];    /* action names joined by "／" */
} edge;

static void esc(zf_buf *b, const char *s)
{
    zf_buf_put_html(b, s, strlen(s));
}

/* The first n code points of s, escaped, with "…" when cut. */
static void esc_cut(zf_buf *b, const char *s, int n)
{
    const char *p = s;
    int k = 0;

    while (*p && k < n) {
        p++;
        while ((*p & 0xc0) == 0x80)
            p++;
        k++;
    }
    zf_buf_put_html(b, s, (size_t)(p - s));
    if (*p)
        zf_buf_puts(b, "…");
}

static void add_label(edge *e, const char *name)
{
    size_t n = strlen(e->label);

    if (strstr(e->label, name))
        return;
    snprintf(e->label + n, sizeof e->label - n, "%s%s", n ? "／" : "", name);
}

int zf_svg_flowchart(zf_buf *out, json_t **steps, const zf_wf_procedure *p, const char *id_prefix)
{
    edge edges[MAX_EDGES];
    int nedges = 0, right = 0, left = 0, i, j, n = (int)p->n_stages, w, h, x0, cx;
    size_t a;
    json_t *list = steps ? json_array() : NULL;
    size_t start = out->len;
    int rc = 0;

    if (n > MAX_STAGES)
        n = MAX_STAGES;
    /* edges: every (from, to) pair of the advancing actions, names merged */
    for (a = 0; a < p->n_actions; a++) {
        const zf_wf_action *act = &p->actions[a];
        const char *tos[2] = {act->to, act->alt_to};
        int t, f;
        if (act->kind != ZF_WF_ADVANCE)
            continue;
        for (f = 0; f < ZF_WF_MAX_FROM && act->from[f]; f++) {
            for (t = 0; t < 2; t++) {
                int fi = stage_index(p, act->from[f]), ti = stage_index(p, tos[t]);
                if (fi < 0 || ti < 0 || fi >= n || ti >= n || fi == ti)
                    continue;
                for (j = 0; j < nedges && !(edges[j].from == fi && edges[j].to == ti); j++)
                    ;
                if (j == nedges) {
                    if (nedges == MAX_EDGES)
                        continue;
                    memset(&edges[j], 0, sizeof edges[j]);
                    edges[j].from = fi;
                    edges[j].to = ti;
                    edges[j].lane = ti == fi + 1 ? 0 : ti > fi ? ++right : ++left;
                    nedges++;
                }
                add_label(&edges[j], act->name);
            }
        }
    }
    x0 = MARGIN + left * LANE + (left ? 8 : 0);
    cx = x0 + BOX_W / 2;
    w = x0 + BOX_W + (right ? 8 + right * LANE : 0) + MARGIN;
    h = MARGIN * 2 + n * BOX_H + (n - 1) * GAP;

    zf_buf_printf(out,
                  "<svg class=\"flowchart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                  "width=\"%d\" role=\"img\" aria-labelledby=\"%s-t %s-d\">",
                  w, h, w, id_prefix, id_prefix);
    zf_buf_printf(out, "<title id=\"%s-t\">", id_prefix);
    esc(out, p->name);
    zf_buf_puts(out, "流程图</title>");
    zf_buf_printf(out, "<desc id=\"%s-d\">", id_prefix);
    for (i = 0; i < n; i++) {
        if (i)
            zf_buf_puts(out, "，");
        esc(out, p->stages[i].name);
    }
    zf_buf_puts(out, "。各步骤的文字说明见图下方列表。</desc>");
    zf_buf_printf(out,
                  "<defs><marker id=\"%s-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                  "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
                  "<path d=\"M0 0L10 5L0 10z\" fill=\"#1f2d3d\"/></marker></defs>",
                  id_prefix);
    /* boxes */
    for (i = 0; i < n; i++) {
        int y = MARGIN + i * (BOX_H + GAP);
        unsigned t = p->stages[i].traits;
        int end = (t & (ZF_WF_ST_CLOSED | ZF_WF_ST_ARCHIVED)) != 0;
        zf_buf_printf(out,
                      "<g class=\"fc-stage\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"%d\" "
                      "fill=\"%s\" stroke=\"#1f2d3d\" stroke-width=\"1.5\"/>"
                      "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"15\" fill=\"#1f2d3d\">",
                      x0, y, BOX_W, BOX_H, end ? BOX_H / 2 : 4, end ? "#eef3f8" : "#ffffff", cx,
                      y + BOX_H / 2 + 5);
        esc(out, p->stages[i].name);
        zf_buf_puts(out, "</text></g>");
    }
    /* arrows */
    for (j = 0; j < nedges; j++) {
        const edge *e = &edges[j];
        int yf = MARGIN + e->from * (BOX_H + GAP), yt = MARGIN + e->to * (BOX_H + GAP);
        zf_buf_puts(out, "<g class=\"fc-edge\"><title>");
        esc(out, p->stages[e->from].name);
        zf_buf_puts(out, " → ");
        esc(out, p->stages[e->to].name);
        zf_buf_puts(out, "：");
        esc(out, e->label);
        zf_buf_puts(out, "</title>");
        if (e->lane == 0) {
            zf_buf_printf(out,
                          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1f2d3d\" stroke-width=\"1.5\" "
                          "marker-end=\"url(#%s-arrow)\"/>"
                          "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#33475b\">",
                          cx, yf + BOX_H, cx, yt - 2, id_prefix, cx + 8, yf + BOX_H + GAP / 2 + 4);
            esc_cut(out, e->label, LABEL_CHARS);
            zf_buf_puts(out, "</text>");
        } else {
            int fwd = e->to > e->from;
            int side = fwd ? x0 + BOX_W : x0;
            int lx = fwd ? side + 8 + e->lane * LANE : side - 8 - e->lane * LANE;
            /* leave and arrive a little off the box middle so lanes sharing a
             * box do not meet at one point */
            int off = (e->lane % 3) * 6 - 6;
            zf_buf_printf(out,
                          "<path d=\"M%d %dH%dV%dH%d\" fill=\"none\" stroke=\"#1f2d3d\" stroke-width=\"1.2\" "
                          "stroke-dasharray=\"%s\" marker-end=\"url(#%s-arrow)\"/>",
                          side, yf + BOX_H / 2 + off, lx, yt + BOX_H / 2 - off, fwd ? side + 2 : side - 2,
                          fwd ? "none" : "4 3", id_prefix);
        }
        zf_buf_puts(out, "</g>");
    }
    zf_buf_puts(out, "</svg>");
    if (out->max && out->len <= start) /* an append failed: out is at its maximum */
        rc = ZF_ETOOBIG;

    /* the text alternative */
    for (i = 0; list && i < n; i++) {
        json_t *s = json_object(), *acts = json_array();
        zf_buf rec = ZF_BUF_INIT;
        for (a = 0; a < p->n_actions; a++) {
            const zf_wf_action *act = &p->actions[a];
            int f, from_here = 0;
            for (f = 0; f < ZF_WF_MAX_FROM && act->from[f]; f++)
                if (stage_index(p, act->from[f]) == i)
                    from_here = 1;
            if (!from_here)
                continue;
            if (act->kind == ZF_WF_ADVANCE) {
                int ti = stage_index(p, act->to);
                json_array_append_new(acts, json_pack("{s:s,s:s}", "name", act->name, "to",
                                                      ti >= 0 ? p->stages[ti].name : ""));
            } else if (act->kind == ZF_WF_RECORD) {
                if (rec.len)
                    zf_buf_puts(&rec, "、");
                zf_buf_puts(&rec, act->name);
            }
        }
        json_object_set_new(s, "stage", json_string(p->stages[i].name));
        json_object_set_new(s, "actions", acts);
        json_object_set_new(s, "records", json_string(zf_buf_str(&rec)));
        json_object_set_new(s, "has_actions", json_boolean(json_array_size(acts) > 0));
        json_object_set_new(s, "final", json_boolean(json_array_size(acts) == 0));
        json_array_append_new(list, s);
        zf_buf_free(&rec);
    }
    if (steps)
        *steps = list;
    return rc;
}

int zf_svg_qr(zf_buf *out, const char *text, const char *label, zf_err *err)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    int i, j, w, rc = 0;

    if (!qr)
        return zf_err_set(err, ZF_EINVAL, "qr_failed", NULL, "无法生成二维码（内容过长）");
    w = qr->width;
    zf_buf_printf(out,
                  "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"-4 -4 %d %d\" "
                  "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"",
                  w + 8, w + 8);
    esc(out, label);
    zf_buf_printf(out, "\"><rect x=\"-4\" y=\"-4\" width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
                  w + 8, w + 8);
    for (i = 0; i < w; i++)
        for (j = 0; j < w; j++)
            if (qr->data[i * w + j] & 1)
                zf_buf_printf(out, "M%d %dh1v1h-1z", j, i);
    if (zf_buf_puts(out, "\"/></svg>") < 0)
        rc = zf_err_set(err, ZF_ETOOBIG, NULL, NULL, "二维码过大");
    QRcode_free(qr);
    return rc;
}

/* ---- bar chart (the annual report) ---- */

#define BAR_ROW 28
#define BAR_LABEL_W 200
#define BAR_W 360
#define BAR_VALUE_W 80
#define CHK(x)                 \
    do {                       \
        if ((x) < 0)           \
            rc = ZF_ETOOBIG;   \
    } while (0)

int zf_svg_bars(zf_buf *out, const char *title, const char *id_prefix, const char *const *labels,
                const int64_t *values, size_t n)
{
    size_t start = out->len, i;
    int64_t most = 0;
    int h = (int)n * BAR_ROW + 12, w = BAR_LABEL_W + BAR_W + BAR_VALUE_W;
    int rc = 0;

    for (i = 0; i < n; i++)
        if (values[i] > most)
            most = values[i];
    CHK(zf_buf_printf(out,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" "
                  "viewBox=\"0 0 %d %d\" width=\"100%%\" style=\"max-width:%dpx\" "
                  "aria-labelledby=\"%s-t %s-d\"><title id=\"%s-t\">",
                  w, h, w, id_prefix, id_prefix, id_prefix));
    CHK(zf_buf_put_html(out, title, strlen(title)));
    CHK(zf_buf_printf(out, "</title><desc id=\"%s-d\">", id_prefix));
    for (i = 0; i < n; i++) {
        CHK(zf_buf_put_html(out, labels[i], strlen(labels[i])));
        CHK(zf_buf_printf(out, "：%lld%s", (long long)values[i], i + 1 < n ? "；" : ""));
    }
    CHK(zf_buf_puts(out, "</desc>"));
    /* the bars first, in their own group, then every label and value on
     * the page's background: no text follows a shape it does not sit on */
    CHK(zf_buf_puts(out, "<g>"));
    for (i = 0; i < n; i++) {
        int bw = most > 0 ? (int)((double)values[i] / (double)most * (BAR_W - 8)) : 0;

        CHK(zf_buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" fill=\"#1f5fa8\"/>",
                      BAR_LABEL_W, (int)i * BAR_ROW + 8, bw > 0 ? bw : 0));
    }
    CHK(zf_buf_puts(out, "</g>"));
    for (i = 0; i < n; i++) {
        int y = (int)i * BAR_ROW + 6;
        int bw = most > 0 ? (int)((double)values[i] / (double)most * (BAR_W - 8)) : 0;

        CHK(zf_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"14\" fill=\"#222\">",
                      BAR_LABEL_W - 8, y + 18));
        esc_cut(out, labels[i], 14);
        CHK(zf_buf_printf(out, "</text><text x=\"%d\" y=\"%d\" font-size=\"14\" fill=\"#222\">%lld</text>",
                      BAR_LABEL_W + bw + 6, y + 18, (long long)values[i]));
    }
    CHK(zf_buf_puts(out, "</svg>"));
    if (rc < 0) { /* leave out as it was */
        out->len = start;
        if (out->ptr)
            out->ptr[start] = 0;
    }
    return rc;
}
