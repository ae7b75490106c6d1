/* html.h — renders a validated enforcement document as HTML for the browser:
 * the same blocks as the PDF (render/content.h), every value escaped, with a
 * print style sheet for A4 (the GB/T 9704 margins) and the QR code as inline
 * SVG. Pure computation into a buffer; thread-safe. */
#ifndef ZF_RENDER_HTML_H
#define ZF_RENDER_HTML_H

#include <jansson.h>

#include "core/doctpl.h"
#include "render/content.h"
#include "util/buf.h"
#include "util/err.h"

/* Flags. */
#define ZF_HTML_FRAGMENT 1u /* only the <article> and its <style>, to embed in a page */

/* Validates fields against tpl and appends the HTML (a whole UTF-8 page
 * unless ZF_HTML_FRAGMENT) to out. On failure out is unchanged; errors as
 * zf_render_pdf (ZF_EINVAL naming the field, ZF_ETOOBIG past out's limit). */
int zf_render_html(zf_buf *out, const zf_doctpl *tpl, const json_t *fields,
                   const zf_render_opts *opts, unsigned flags, zf_err *err);

#endif
