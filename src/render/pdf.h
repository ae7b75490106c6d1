/* pdf.h — renders a validated enforcement document to print-ready PDF.
 *
 * Layout after GB/T 9704-2012: A4, margins top 37 mm, bottom 35 mm, left
 * 28 mm, right 26 mm; title in a bold serif at 二号 (22 pt), body in a serif
 * at 三号 (16 pt) on a 28 pt line pitch (22 lines a page); page numbers
 * "— n —" 7 mm below the text block, odd pages right and even pages left.
 * Fonts: Noto Serif CJK SC / Noto Sans CJK SC (Debian fonts-noto-cjk),
 * embedded by cairo as subsets. Each page's footer carries the verification
 * code; the last page carries a QR code for "{base}/verify/document/{code}".
 * A draft (opts.draft) carries "草稿" across every page and no code. Captured
 * signature images stand in their signature lines; the electronic seal is
 * drawn in red over the authority's name and the date.
 * Chinese line breaking (no 。，at a line start) is pango's.
 *
 * Memory is bounded by the document (every field has a maximum length) and
 * by ZF_RENDER_MAX_PAGES. Thread-safe: pango's default cairo font map is
 * per thread. */
#ifndef ZF_RENDER_PDF_H
#define ZF_RENDER_PDF_H

#include <jansson.h>

#include "core/doctpl.h"
#include "render/content.h"
#include "util/buf.h"
#include "util/err.h"

#define ZF_RENDER_MAX_PAGES 400

/* Validates fields against tpl, lays the document out and appends the PDF
 * to out (which the caller owns and frees; a limit set on it is honoured:
 * ZF_ETOOBIG). On failure out is left as it was and err says why:
 * ZF_EINVAL for invalid fields or options (err.field names which),
 * ZF_ETOOBIG past ZF_RENDER_MAX_PAGES or out's limit, ZF_EINTERNAL when
 * cairo fails. *out_pages (may be NULL) receives the page count. */
int zf_render_pdf(zf_buf *out, int *out_pages, const zf_doctpl *tpl, const json_t *fields,
                  const zf_render_opts *opts, zf_err *err);

/* Lays out content built with zf_rdoc_new (the annual report) the same way
 * and appends the PDF to out; title and author go into the PDF's metadata.
 * Errors as zf_render_pdf. */
int zf_render_pdf_content(zf_buf *out, int *out_pages, const zf_rdoc *doc, const char *title,
                          const char *author, zf_err *err);

/* Longest side of a signature image, in pixels. */
#define ZF_RENDER_PNG_MAX_SIDE 4000

/* Checks that png (len bytes) is a complete PNG image that cairo decodes,
 * at most ZF_RENDER_PNG_MAX_SIDE pixels a side; *out_w / *out_h (may be
 * NULL) get its size. ZF_EINVAL "bad_image" otherwise. */
int zf_render_png_check(int *out_w, int *out_h, const unsigned char *png, size_t len, zf_err *err);

/* Releases the calling thread's fonts (pango's per-thread font map). Call
 * when a rendering thread ends; harmless otherwise (the next render loads
 * them again). */
void zf_render_pdf_thread_done(void);

#endif
