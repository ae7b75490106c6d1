/* test_render.c — PDF and HTML rendering of documents (render/pdf.h,
 * render/html.h). The PDF checks use poppler-utils (pdfinfo, pdffonts,
 * pdftotext) when installed and fall back to reading the file otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cairo.h>

#include "core/doctpl.h"
#include "decision_sample.h"
#include "doc_samples.h"
#include "render/html.h"
#include "render/pdf.h"
#include "util/mem.h"

static const char *find(const char *hay, size_t n, const char *needle, size_t k)
{
    size_t i;

    for (i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

/* Debian 12's cairo 1.16.0 loses about 0.8 KB inside cairo_surface_finish
 * for every PDF with text (a cairo bug, reported upstream by others too), and
 * fontconfig keeps a few hundred bytes of its parsed configuration for the
 * life of the process. LeakSanitizer reads this list when the test is built
 * with SANITIZER=address; any leak of our own still fails the run. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libcairo.so\nleak:libfontconfig.so\n";
}

static int have(const char *tool)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* Output of `tool args path after` into a malloc'd string. */
static char *run(const char *tool, const char *args, const char *path, const char *after)
{
    char cmd[512];
    zf_buf b = ZF_BUF_INIT;
    char chunk[4096];
    size_t n;
    FILE *p;

    snprintf(cmd, sizeof cmd, "%s %s '%s' %s 2>/dev/null", tool, args, path, after);
    p = popen(cmd, "r");
    assert_non_null(p);
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        zf_buf_append(&b, chunk, n);
    pclose(p);
    return zf_buf_detach(&b);
}

static void write_file(const char *path, const zf_buf *b)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(b->ptr, 1, b->len, f), b->len);
    fclose(f);
}

/* Counts "/Type /Page" objects that are not "/Type /Pages". */
static int count_pages_raw(const zf_buf *b)
{
    const char *p = b->ptr, *end = b->ptr + b->len;
    int n = 0;

    while ((p = find(p, (size_t)(end - p), "/Type /Page", 11)) != NULL) {
        p += 11;
        if (p < end && *p != 's')
            n++;
    }
    return n;
}

static void test_three_page_decision(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_PENALTY_DECISION);
    json_t *d = sample_decision();
    zf_buf b = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;
    char path[] = "/tmp/zf_render_XXXXXX";
    int pages = 0, fd;

    (void)state;
    if (zf_render_pdf(&b, &pages, t, d, &sample_opts, &err) != 0)
        fail_msg("render: %s %s", err.field, err.message);
    assert_int_equal(pages, 3);
    assert_true(b.len > 1000);
    assert_memory_equal(b.ptr, "%PDF-", 5);
    assert_non_null(find(b.ptr + b.len - 32, 32, "%%EOF", 5));
    assert_int_equal(count_pages_raw(&b), 3);

    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, &b);
    if (have("pdfinfo")) {
        char *info = run("pdfinfo", "", path, "");

        assert_non_null(strstr(info, "Pages:           3"));
        assert_non_null(strstr(info, "595.276 x 841.89 pts (A4)"));
        free(info);
    }
    if (have("pdffonts")) {
        /* Every font embedded and subset: the "emb sub" columns say yes. */
        char *fonts = run("pdffonts", "", path, ""), *line = fonts, *nl;
        int rows = 0;

        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            if (strstr(line, "CJK")) {
                rows++;
                assert_non_null(strstr(line, "yes yes yes"));
            }
            line = nl + 1;
        }
        assert_true(rows >= 2);
        free(fonts);
    }
    if (have("pdftotext")) {
        char *text = run("pdftotext", "-enc UTF-8", path, "-");
        char *squeezed = zf_strdup(text);
        size_t i, j = 0;

        /* Lines wrap anywhere; compare without whitespace. */
        for (i = 0; text[i]; i++)
            if (text[i] != ' ' && text[i] != '\n' && text[i] != '\f')
                squeezed[j++] = text[i];
        squeezed[j] = '\0';
        assert_non_null(strstr(squeezed, "赣江市监处罚〔2026〕12号"));
        assert_non_null(strstr(squeezed, SAMPLE_PARTY));
        assert_non_null(strstr(squeezed, "行政处罚决定书"));
        assert_non_null(strstr(squeezed, "K7Q2-XT8M-4P9A"));
        assert_non_null(strstr(squeezed, "https://zhifa.ganjiang.gov.cn/verify/document/K7Q2-XT8M-4P9A"));
        assert_non_null(strstr(squeezed, "—3—"));
        /* The discretion benchmark is data, not print. */
        assert_null(strstr(squeezed, "裁量基准下限"));
        free(squeezed);
        free(text);
    }
    unlink(path);
    zf_buf_free(&b);
    json_decref(d);
}

static void test_refuses_invalid(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_PENALTY_DECISION);
    json_t *d = sample_decision();
    zf_buf b = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;
    zf_render_opts o = sample_opts;

    (void)state;
    zf_buf_puts(&b, "keep");
    json_object_del(d, "facts");
    assert_int_equal(zf_render_pdf(&b, NULL, t, d, &sample_opts, &err), ZF_EINVAL);
    assert_string_equal(err.field, "facts");
    assert_int_equal(zf_render_html(&b, t, d, &sample_opts, 0, &err), ZF_EINVAL);
    assert_string_equal(zf_buf_str(&b), "keep");
    json_decref(d);

    d = sample_decision();
    o.verify_base = "javascript:alert(1)";
    assert_int_equal(zf_render_pdf(&b, NULL, t, d, &o, &err), ZF_EINVAL);
    assert_string_equal(err.field, "verify_base");
    o = sample_opts;
    o.verify_code = "a/b";
    assert_int_equal(zf_render_html(&b, t, d, &o, 0, &err), ZF_EINVAL);
    assert_string_equal(err.field, "verify_code");
    o = sample_opts;
    o.authority = NULL;
    assert_int_equal(zf_render_pdf(&b, NULL, t, d, &o, &err), ZF_EINVAL);
    assert_string_equal(zf_buf_str(&b), "keep");
    zf_buf_free(&b);

    /* A bounded output buffer is honoured, and left as it was. */
    zf_buf_init(&b, 4096);
    zf_buf_puts(&b, "keep");
    assert_int_equal(zf_render_pdf(&b, NULL, t, d, &sample_opts, &err), ZF_ETOOBIG);
    assert_string_equal(zf_buf_str(&b), "keep");
    zf_buf_free(&b);
    json_decref(d);
}

static void test_html_escapes(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_PENALTY_DECISION);
    json_t *d = sample_decision();
    zf_buf b = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    json_object_set_new(json_object_get(d, "party"), "name",
                        json_string("<script>alert('x')</script>&\"公司\""));
    json_object_set_new(d, "facts", json_string("第一段<b>粗</b>\n第二段"));
    if (zf_render_html(&b, t, d, &sample_opts, 0, &err) != 0)
        fail_msg("%s", err.message);
    assert_non_null(strstr(b.ptr, "<!DOCTYPE html>"));
    assert_non_null(strstr(b.ptr, "lang=\"zh-CN\""));
    assert_null(strstr(b.ptr, "<script>"));
    assert_null(strstr(b.ptr, "<b>粗"));
    assert_non_null(strstr(b.ptr, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;公司&quot;"));
    assert_non_null(strstr(b.ptr, "&lt;b&gt;粗&lt;/b&gt;"));
    assert_non_null(strstr(b.ptr, SAMPLE_DOCNO));
    assert_non_null(strstr(b.ptr, "<p class=\"zf-para\">第二段</p>"));
    assert_non_null(strstr(b.ptr, "href=\"https://zhifa.ganjiang.gov.cn/verify/document/K7Q2-XT8M-4P9A\""));
    assert_non_null(strstr(b.ptr, "<svg"));
    assert_non_null(strstr(b.ptr, "@page{size:A4;margin:37mm 26mm 35mm 28mm}"));
    assert_non_null(strstr(b.ptr, "2026年3月2日"));
    zf_buf_reset(&b);
    assert_int_equal(zf_render_html(&b, t, d, &sample_opts, ZF_HTML_FRAGMENT, &err), 0);
    assert_null(strstr(b.ptr, "<!DOCTYPE"));
    assert_non_null(strstr(b.ptr, "<article class=\"zf-doc\""));
    zf_buf_free(&b);
    json_decref(d);
}

/* Every template, with every field filled, renders to both formats. */
static void test_every_template_renders(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < zf_doctpl_count(); i++) {
        const zf_doctpl *t = zf_doctpl_at(i);
        json_t *d = sample_doc(t, 1);
        zf_buf pdf = ZF_BUF_INIT, html = ZF_BUF_INIT;
        zf_err err = ZF_ERR_INIT;
        int pages = 0;

        if (zf_render_pdf(&pdf, &pages, t, d, &sample_opts, &err) != 0)
            fail_msg("%s: %s %s", t->code, err.field, err.message);
        assert_true(pages >= 1 && pages <= 3);
        assert_int_equal(count_pages_raw(&pdf), pages);
        if (zf_render_html(&html, t, d, &sample_opts, 0, &err) != 0)
            fail_msg("%s: %s", t->code, err.message);
        assert_non_null(strstr(html.ptr, t->name));
        zf_buf_free(&pdf);
        zf_buf_free(&html);
        json_decref(d);
    }
}

/* A long transcript flows over pages; the page limit is enforced. */
static void test_long_record_flows(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_INQUIRY_RECORD);
    json_t *d = sample_doc(t, 1);
    zf_buf text = ZF_BUF_INIT, pdf = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;
    int i, pages = 0;

    (void)state;
    for (i = 0; i < 200; i++)
        zf_buf_printf(&text, "问：第%d个问题是什么？\n答：这是第%d个回答，内容属实。\n", i + 1, i + 1);
    json_object_set_new(d, "transcript", json_string(zf_buf_str(&text)));
    if (zf_render_pdf(&pdf, &pages, t, d, &sample_opts, &err) != 0)
        fail_msg("%s", err.message);
    assert_true(pages >= 10);
    assert_int_equal(count_pages_raw(&pdf), pages);
    zf_buf_free(&text);
    zf_buf_free(&pdf);
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_page_decision),
        cmocka_unit_test(test_refuses_invalid),
        cmocka_unit_test(test_html_escapes),
        cmocka_unit_test(test_every_template_renders),
        cmocka_unit_test(test_long_record_flows),
    };

    int rc = cmocka_run_group_tests(tests, NULL, NULL);

    /* Hand back the fonts, so a leak checker sees only our own memory. */
    zf_render_pdf_thread_done();
    cairo_debug_reset_static_data();
    return rc;
}
