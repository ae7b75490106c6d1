/* html.c — HTML rendering of documents (see html.h). The markup is built in
 * a scratch buffer and appended to the caller's only when complete, so a
 * failure leaves the caller's buffer as it was. */
#include "render/html.h"

#include <math.h>
#include <string.h>

#include <qrencode.h>

#include "ledger/checkpoint.h"

static const char style[] =
    "<style>\n"
    ".zf-doc{max-width:156mm;margin:0 auto;padding:12mm 0;font:16pt/28pt \"FangSong\",\"STFangsong\","
    "\"Noto Serif CJK SC\",serif;color:#000}\n"
    ".zf-doc h1{font:bold 22pt/40pt \"Noto Serif CJK SC\",\"SimSun\",serif;text-align:center;margin:0}\n"
    ".zf-doc .zf-authority{font:bold 22pt/40pt \"Noto Serif CJK SC\",\"SimSun\",serif;"
    "text-align:center;margin:0}\n"
    ".zf-doc .zf-docno{text-align:right;margin:14pt 0 0}\n"
    ".zf-doc p{margin:0;text-align:justify}\n"
    ".zf-doc p.zf-para{text-indent:2em}\n"
    ".zf-doc b{font-family:\"SimHei\",\"Noto Sans CJK SC\",sans-serif;font-weight:normal}\n"
    ".zf-doc table{width:100%;border-collapse:collapse;margin:6pt 0 14pt;font-size:14pt;"
    "line-height:24pt}\n"
    ".zf-doc td,.zf-doc th{border:.75pt solid #000;padding:4pt;vertical-align:top;"
    "white-space:pre-wrap}\n"
    ".zf-doc th{font-family:\"SimHei\",\"Noto Sans CJK SC\",sans-serif;font-weight:normal;"
    "width:6em;text-align:center}\n"
    ".zf-doc table.zf-list{font-size:12pt;line-height:20pt}\n"
    ".zf-doc table.zf-list th{width:auto}\n"
    ".zf-doc .zf-seal{margin:56pt 4em 0 auto;width:max-content;text-align:center}\n"
    ".zf-doc .zf-verify{display:flex;gap:4mm;align-items:flex-start;margin-top:14pt;"
    "font:9pt/14pt \"Noto Sans CJK SC\",sans-serif}\n"
    ".zf-doc .zf-verify svg{width:22mm;height:22mm;flex:none}\n"
    ".zf-doc{position:relative}\n"
    ".zf-doc .zf-watermark{position:absolute;inset:0;display:flex;align-items:center;"
    "justify-content:center;pointer-events:none;font:bold 150pt \"Noto Sans CJK SC\",sans-serif;"
    "color:rgba(0,0,0,.12);transform:rotate(-30deg)}\n"
    ".zf-doc .zf-sign img{height:52pt;max-width:180pt;vertical-align:middle;margin:0 6pt}\n"
    ".zf-doc .zf-seal{position:relative}\n"
    ".zf-doc .zf-seal svg{position:absolute;width:42mm;height:42mm;left:50%;top:50%;"
    "transform:translate(-50%,-60%);opacity:.88}\n"
    "@page{size:A4;margin:37mm 26mm 35mm 28mm}\n"
    "@media print{.zf-doc{padding:0;max-width:none}}\n"
    "</style>\n";

static void esc(zf_buf *b, const char *s)
{
    zf_buf_put_html(b, s, strlen(s));
}

/* Text with '\n' as separate paragraphs; the label leads the first. */
static void paras(zf_buf *b, const char *cls, const char *label, const char *text)
{
    const char *p = text;
    int first = 1;

    do {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        if (n > 0 || (first && *label)) {
            zf_buf_printf(b, "<p class=\"%s\">", cls);
            if (first && *label) {
                zf_buf_puts(b, "<b>");
                esc(b, label);
                zf_buf_puts(b, "：</b>");
            }
            zf_buf_put_html(b, p, n);
            zf_buf_puts(b, "</p>\n");
        }
        first = 0;
        p = nl ? nl + 1 : NULL;
    } while (p);
}

/* The electronic seal as inline SVG: ring, the department's name on the
 * upper arc, star, key id (see pdf.c draw_seal). */
static void seal_svg(zf_buf *b, const zf_render_seal *seal)
{
    int k;

    zf_buf_puts(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 120 120\" role=\"img\" "
                   "aria-label=\"电子印章：");
    esc(b, seal->department);
    zf_buf_puts(b, "\"><defs><path id=\"zf-seal-arc\" d=\"M 17 60 A 43 43 0 1 1 103 60\"/></defs>"
                   "<circle cx=\"60\" cy=\"60\" r=\"57\" fill=\"none\" stroke=\"#d90f0f\" "
                   "stroke-width=\"4\"/><polygon fill=\"#d90f0f\" points=\"");
    for (k = 0; k < 10; k++) {
        double a = -M_PI / 2 + k * M_PI / 5, r = (k % 2) ? 7.5 : 19.0;

        zf_buf_printf(b, "%s%.1f,%.1f", k ? " " : "", 60 + r * cos(a), 60 + r * sin(a));
    }
    zf_buf_puts(b, "\"/><text fill=\"#d90f0f\" font-size=\"13\" font-weight=\"bold\" "
                   "font-family=\"Noto Sans CJK SC,sans-serif\"><textPath href=\"#zf-seal-arc\" "
                   "startOffset=\"50%\" text-anchor=\"middle\">");
    esc(b, seal->department);
    zf_buf_puts(b, "</textPath></text><text x=\"60\" y=\"92\" fill=\"#d90f0f\" font-size=\"6\" "
                   "text-anchor=\"middle\" font-family=\"Noto Sans CJK SC,sans-serif\">电子签章 ");
    esc(b, seal->key_id);
    zf_buf_puts(b, "</text></svg>");
}

static void qr_svg(zf_buf *b, const char *url)
{
    QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    int i, j;

    if (!qr)
        return;
    zf_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                     "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"核验二维码\">"
                     "<path fill=\"#000\" d=\"", qr->width, qr->width);
    for (i = 0; i < qr->width; i++)
        for (j = 0; j < qr->width; j++)
            if (qr->data[i * qr->width + j] & 1)
                zf_buf_printf(b, "M%d %dh1v1h-1z", j, i);
    zf_buf_puts(b, "\"/></svg>");
    QRcode_free(qr);
}

int zf_render_html(zf_buf *out, const zf_doctpl *tpl, const json_t *fields,
                   const zf_render_opts *opts, unsigned flags, zf_err *err)
{
    zf_rdoc *doc = NULL;
    zf_buf b = ZF_BUF_INIT;
    size_t i, r, k;
    int rc, in_table = 0;

    if ((rc = zf_rdoc_build(&doc, tpl, fields, opts, err)) < 0)
        goto done;
    if (!(flags & ZF_HTML_FRAGMENT)) {
        zf_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                        "<title>");
        esc(&b, tpl->name);
        zf_buf_puts(&b, "</title>\n</head>\n<body>\n");
    }
    zf_buf_puts(&b, style);
    zf_buf_printf(&b, "<article class=\"zf-doc%s\" data-template=\"%s\">\n",
                  doc->draft ? " zf-draft" : "", tpl->code);
    if (doc->draft)
        zf_buf_puts(&b, "<div class=\"zf-watermark\" aria-hidden=\"true\">草稿</div>\n"
                        "<p class=\"zf-draft-note\">草稿（未定稿，不具法律效力）</p>\n");
    for (i = 0; i < doc->count; i++) {
        const zf_rblock *bl = &doc->blocks[i];

        if (in_table && bl->kind != ZF_RB_ROW) {
            zf_buf_puts(&b, "</table>\n");
            in_table = 0;
        }
        switch (bl->kind) {
        case ZF_RB_AUTHORITY:
            zf_buf_puts(&b, "<p class=\"zf-authority\">");
            esc(&b, bl->text);
            zf_buf_puts(&b, "</p>\n");
            break;
        case ZF_RB_TITLE:
            zf_buf_puts(&b, "<h1>");
            esc(&b, bl->text);
            zf_buf_puts(&b, "</h1>\n");
            break;
        case ZF_RB_DOCNO:
            zf_buf_puts(&b, "<p class=\"zf-docno\">");
            esc(&b, bl->text);
            zf_buf_puts(&b, "</p>\n");
            break;
        case ZF_RB_LINE:
            zf_buf_puts(&b, "<p class=\"zf-line\">");
            esc(&b, bl->label);
            zf_buf_puts(&b, "：");
            esc(&b, bl->text);
            zf_buf_puts(&b, "</p>\n");
            break;
        case ZF_RB_PARA:
            paras(&b, "zf-para", bl->label, bl->text);
            break;
        case ZF_RB_ROW:
            if (!in_table)
                zf_buf_puts(&b, "<table class=\"zf-form\">\n");
            in_table = 1;
            zf_buf_puts(&b, "<tr><th scope=\"row\">");
            esc(&b, bl->label);
            zf_buf_puts(&b, "</th><td>");
            esc(&b, bl->text);
            zf_buf_puts(&b, "</td></tr>\n");
            break;
        case ZF_RB_TABLE:
            zf_buf_puts(&b, "<table class=\"zf-list\">\n<caption>");
            esc(&b, bl->label);
            zf_buf_puts(&b, "</caption>\n");
            for (r = 0; r * bl->ncols < bl->ncells; r++) {
                zf_buf_puts(&b, "<tr>");
                for (k = 0; k < bl->ncols; k++) {
                    zf_buf_puts(&b, r == 0 ? "<th scope=\"col\">" : "<td>");
                    esc(&b, bl->cells[r * bl->ncols + k]);
                    zf_buf_puts(&b, r == 0 ? "</th>" : "</td>");
                }
                zf_buf_puts(&b, "</tr>\n");
            }
            zf_buf_puts(&b, "</table>\n");
            break;
        case ZF_RB_SIGN:
            zf_buf_puts(&b, "<p class=\"zf-sign\">");
            esc(&b, bl->label);
            zf_buf_puts(&b, "（签名）：");
            if (bl->sig) {
                zf_buf_puts(&b, "<img alt=\"");
                esc(&b, bl->text);
                zf_buf_puts(&b, "的签名\" src=\"data:image/png;base64,");
                zf_base64_encode(&b, bl->sig->png, bl->sig->png_len);
                zf_buf_puts(&b, "\">");
            }
            if (*bl->text) {
                esc(&b, bl->text);
                zf_buf_puts(&b, "　　");
                esc(&b, *bl->extra ? bl->extra : "　　年　　月　　日");
            } else {
                zf_buf_puts(&b, "＿＿＿＿＿＿＿＿　　　　年　　月　　日");
            }
            zf_buf_puts(&b, "</p>\n");
            break;
        case ZF_RB_SEAL:
            zf_buf_puts(&b, "<div class=\"zf-seal\">");
            if (bl->seal)
                seal_svg(&b, bl->seal);
            zf_buf_puts(&b, "<p>");
            esc(&b, bl->label);
            zf_buf_puts(&b, "</p><p>");
            esc(&b, bl->text);
            zf_buf_puts(&b, "</p></div>\n");
            break;
        }
    }
    if (in_table)
        zf_buf_puts(&b, "</table>\n");
    if (!doc->verify_url)
        goto end;
    zf_buf_puts(&b, "<div class=\"zf-verify\">");
    qr_svg(&b, doc->verify_url);
    zf_buf_puts(&b, "<div>文书核验码：");
    esc(&b, doc->verify_code);
    zf_buf_puts(&b, "<br>扫描二维码或访问以下网址，可核验本文书的内容摘要与存证记录：<br><a href=\"");
    esc(&b, doc->verify_url);
    zf_buf_puts(&b, "\">");
    esc(&b, doc->verify_url);
    zf_buf_puts(&b, "</a></div></div>\n");
end:
    zf_buf_puts(&b, "</article>\n");
    if (!(flags & ZF_HTML_FRAGMENT))
        zf_buf_puts(&b, "</body>\n</html>\n");
    if ((rc = zf_buf_append(out, b.ptr, b.len)) < 0)
        zf_err_set(err, rc, NULL, NULL, "生成的文书过大");
done:
    zf_buf_free(&b);
    zf_rdoc_free(doc);
    return rc;
}
