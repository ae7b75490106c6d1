/* test_render_sign.c — the render options added for issue 5's documents:
 * drafts (草稿, no verification code), captured signature images in their
 * slots, the electronic seal, and the PNG check the API relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cairo.h>
#include <cmocka.h>

#include "decision_sample.h"
#include "doc_samples.h"
#include "render/html.h"
#include "render/pdf.h"
#include "util/buf.h"

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int len)
{
    return zf_buf_append(closure, data, len) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* A 120x40 PNG with one diagonal stroke. */
static void make_png(zf_buf *out)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 120, 40);
    cairo_t *cr = cairo_create(s);

    cairo_set_source_rgb(cr, 0, 0, 0.4);
    cairo_set_line_width(cr, 3);
    cairo_move_to(cr, 5, 35);
    cairo_line_to(cr, 115, 5);
    cairo_stroke(cr);
    cairo_destroy(cr);
    cairo_surface_write_to_png_stream(s, to_buf, out);
    cairo_surface_destroy(s);
}

static void test_png_check(void **state)
{
    zf_buf png = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;
    int w = 0, h = 0;

    (void)state;
    make_png(&png);
    assert_int_equal(zf_render_png_check(&w, &h, (const unsigned char *)png.ptr, png.len, &err), 0);
    assert_int_equal(w, 120);
    assert_int_equal(h, 40);
    /* truncated, not a PNG, empty */
    assert_int_equal(zf_render_png_check(NULL, NULL, (const unsigned char *)png.ptr, png.len / 2, &err),
                     ZF_EINVAL);
    assert_string_equal(err.code, "bad_image");
    assert_int_equal(zf_render_png_check(NULL, NULL, (const unsigned char *)"GIF89a0000000000000000000", 25,
                                         &err),
                     ZF_EINVAL);
    assert_int_equal(zf_render_png_check(NULL, NULL, NULL, 0, &err), ZF_EINVAL);
    zf_buf_free(&png);
}

static void test_draft_has_mark_and_no_code(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_PENALTY_DECISION);
    json_t *d = sample_decision();
    zf_render_opts o = ZF_RENDER_OPTS_INIT;
    zf_buf b = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;
    int pages = 0;

    (void)state;
    json_object_del(d, "doc_no");
    o.authority = "赣江市市场监督管理局";
    /* without the draft flag a code is required */
    assert_int_equal(zf_render_html(&b, t, d, &o, 0, &err), ZF_EINVAL);
    assert_string_equal(err.field, "verify_code");
    o.draft = 1;
    assert_int_equal(zf_render_html(&b, t, d, &o, 0, &err), 0);
    assert_non_null(strstr(zf_buf_str(&b), "zf-watermark"));
    assert_non_null(strstr(zf_buf_str(&b), "草稿"));
    assert_null(strstr(zf_buf_str(&b), "/verify/document/"));
    assert_null(strstr(zf_buf_str(&b), "<svg"));
    zf_buf_reset(&b);
    assert_int_equal(zf_render_pdf(&b, &pages, t, d, &o, &err), 0);
    assert_true(b.len > 1000 && memcmp(b.ptr, "%PDF-", 5) == 0);
    assert_int_equal(pages, 3);
    zf_buf_free(&b);
    json_decref(d);
}

static void test_signatures_and_seal(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_PENALTY_DECISION);
    json_t *d = sample_decision();
    zf_buf png = ZF_BUF_INIT, b = ZF_BUF_INIT, plain = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;
    zf_render_opts o = sample_opts;
    zf_render_sig sig;
    zf_render_seal seal = {"赣江市市场监督管理局", "0123456789abcdef"};
    const char *html;

    (void)state;
    make_png(&png);
    sig.role = "当事人";
    sig.name = "王建国";
    sig.signed_at = "2026-03-03 10:05";
    sig.png = (const unsigned char *)png.ptr;
    sig.png_len = png.len;
    o.sigs = &sig;
    o.nsigs = 1;
    o.seal = &seal;
    assert_int_equal(zf_render_html(&b, t, d, &o, ZF_HTML_FRAGMENT, &err), 0);
    html = zf_buf_str(&b);
    /* the template has no slot: the signature gets its own line before the seal */
    assert_non_null(strstr(html, "当事人（签名）：<img alt=\"王建国的签名\" src=\"data:image/png;base64,iVBOR"));
    assert_non_null(strstr(html, "电子签章 0123456789abcdef"));
    assert_true(strstr(html, "zf-sign") < strstr(html, "zf-seal\""));
    assert_int_equal(zf_render_pdf(&b, NULL, t, d, &o, &err), 0);
    assert_int_equal(zf_render_pdf(&plain, NULL, t, d, &sample_opts, &err), 0);
    /* the image and the seal's glyphs make the document larger */
    assert_true(b.len > plain.len);

    /* bad options are refused and leave the buffer alone */
    zf_buf_reset(&b);
    zf_buf_puts(&b, "keep");
    sig.png_len = 4;
    assert_int_equal(zf_render_pdf(&b, NULL, t, d, &o, &err), ZF_EINVAL);
    assert_string_equal(err.field, "sigs");
    sig.png_len = png.len;
    sig.name = "a\nb";
    assert_int_equal(zf_render_html(&b, t, d, &o, 0, &err), ZF_EINVAL);
    sig.name = "王建国";
    seal.key_id = "XYZ";
    assert_int_equal(zf_render_html(&b, t, d, &o, 0, &err), ZF_EINVAL);
    assert_string_equal(err.field, "seal");
    o.nsigs = ZF_RENDER_MAX_SIGS + 1;
    seal.key_id = "0123456789abcdef";
    assert_int_equal(zf_render_html(&b, t, d, &o, 0, &err), ZF_EINVAL);
    assert_string_equal(zf_buf_str(&b), "keep");
    zf_buf_free(&b);
    zf_buf_free(&plain);
    zf_buf_free(&png);
    json_decref(d);
}

static void test_signature_fills_its_slot(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_SERVICE_RECEIPT);
    const zf_doc_field *f = zf_doctpl_field(t, "signatures");
    zf_buf png = ZF_BUF_INIT;
    zf_rdoc *doc = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_render_opts o = sample_opts;
    zf_render_sig sig;
    json_t *fields = json_object();
    size_t i, n = 0, with_image = 0;


    (void)state;
    assert_non_null(f);
    /* a valid 送达回证 without signatures in its fields */
    json_decref(fields);
    fields = sample_doc(t, 0);
    json_object_del(fields, "signatures");
    make_png(&png);
    sig.role = f->options[0];
    sig.name = "张三";
    sig.signed_at = "2026-03-03 10:05";
    sig.png = (const unsigned char *)png.ptr;
    sig.png_len = png.len;
    o.sigs = &sig;
    o.nsigs = 1;
    if (zf_rdoc_build(&doc, t, fields, &o, &err) != 0)
        fail_msg("送达回证 sample: %s (%s)", err.message, err.field);
    for (i = 0; i < doc->count; i++) {
        if (doc->blocks[i].kind != ZF_RB_SIGN)
            continue;
        n++;
        if (doc->blocks[i].sig) {
            with_image++;
            assert_string_equal(doc->blocks[i].label, f->options[0]);
            assert_string_equal(doc->blocks[i].text, "张三");
        }
    }
    /* one line per slot, the first one carrying the image */
    for (i = 0; f->options[i]; i++)
        ;
    assert_int_equal(n, i);
    assert_int_equal(with_image, 1);
    zf_rdoc_free(doc);
    zf_buf_free(&png);
    json_decref(fields);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_check),
        cmocka_unit_test(test_draft_has_mark_and_no_code),
        cmocka_unit_test(test_signatures_and_seal),
        cmocka_unit_test(test_signature_fills_its_slot),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
