/* test_template.c — the mustache-style template engine: escaping, sections,
 * inverted sections, context fallback, partials, standalone lines, missing
 * names, and compile errors with line numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/err.h"
#include "web/template.h"

/* Compiles src, renders it with the JSON text ctx (may be NULL) and returns
 * the output (caller frees). Fails the test on any error. */
static char *render_with(const char *src, const char *ctx_json, const zf_tpl_set *set)
{
    zf_tpl *t = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_buf out = ZF_BUF_INIT;
    json_t *ctx = NULL;

    if (ctx_json) {
        ctx = json_loads(ctx_json, JSON_DECODE_ANY, NULL);
        assert_non_null(ctx);
    }
    if (zf_tpl_compile(&t, "test", src, strlen(src), &err) != 0)
        fail_msg("compile failed: %s", err.message);
    assert_int_equal(zf_tpl_render(&out, t, ctx, set, &err), 0);
    zf_tpl_free(t);
    json_decref(ctx);
    return zf_buf_detach(&out);
}

#define assert_renders(src, ctx, want)                                                             \
    do {                                                                                           \
        char *got_ = render_with((src), (ctx), NULL);                                              \
        assert_string_equal(got_, (want));                                                         \
        free(got_);                                                                                \
    } while (0)

static void compile_fails(const char *src, const char *expect_in_message)
{
    zf_tpl *t = NULL;
    zf_err err = ZF_ERR_INIT;

    assert_int_equal(zf_tpl_compile(&t, "bad.html", src, strlen(src), &err), ZF_EINVAL);
    assert_null(t);
    assert_string_equal(err.code, "template_syntax");
    if (!strstr(err.message, expect_in_message))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, expect_in_message);
    assert_non_null(strstr(err.message, "bad.html"));
}

static void test_plain_text(void **state)
{
    (void)state;
    assert_renders("", NULL, "");
    assert_renders("hello 你好", NULL, "hello 你好");
    assert_renders("a { b } c }} d", NULL, "a { b } c }} d");
}

static void test_escaping(void **state)
{
    (void)state;
    assert_renders("<p>{{x}}</p>", "{\"x\":\"<script>alert('x') & \\\"y\\\"</script>\"}",
                   "<p>&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;</p>");
    /* raw forms are for trusted HTML only */
    assert_renders("{{{x}}}|{{& x}}", "{\"x\":\"<b>&</b>\"}", "<b>&</b>|<b>&</b>");
    /* attribute context: quotes cannot break out */
    assert_renders("<a title=\"{{x}}\">", "{\"x\":\"\\\" onmouseover=\\\"evil\"}",
                   "<a title=\"&quot; onmouseover=&quot;evil\">");
    assert_renders("{{x}}", "{\"x\":\"公示&平台\"}", "公示&amp;平台");
}

static void test_values(void **state)
{
    (void)state;
    assert_renders("{{n}} {{r}} {{t}} {{f}} {{z}} [{{o}}] [{{a}}]",
                   "{\"n\":-42,\"r\":1.5,\"t\":true,\"f\":false,\"z\":null,\"o\":{\"k\":1},\"a\":[1]}",
                   "-42 1.5 true false  [] []");
    assert_renders("{{ spaced }}", "{\"spaced\":\"ok\"}", "ok");
    assert_renders("{{big}}", "{\"big\":9007199254740993}", "9007199254740993");
}

static void test_missing_renders_empty(void **state)
{
    (void)state;
    assert_renders("[{{nope}}][{{{nope}}}][{{a.b.c}}]", "{\"a\":{\"b\":{}}}", "[][][]");
    assert_renders("[{{x}}]", NULL, "[]");
    assert_renders("[{{#nope}}x{{/nope}}]", "{}", "[]");
}

static void test_dotted_names(void **state)
{
    (void)state;
    assert_renders("{{site.name}}/{{site.meta.year}}",
                   "{\"site\":{\"name\":\"公示\",\"meta\":{\"year\":2026}}}", "公示/2026");
    /* The first segment is found in an inner context; later segments do not
     * fall back to outer contexts (mustache rule). */
    assert_renders("{{#item}}{{a.b}}{{/item}}", "{\"a\":{\"b\":\"outer\"},\"item\":{\"a\":{\"c\":1}}}",
                   "");
    assert_renders("{{#item}}{{a.b}}{{/item}}", "{\"a\":{\"b\":\"outer\"},\"item\":{\"x\":1}}",
                   "outer");
}

static void test_sections(void **state)
{
    (void)state;
    /* arrays: once per item, item is the context */
    assert_renders("<ul>{{#items}}<li>{{name}}</li>{{/items}}</ul>",
                   "{\"items\":[{\"name\":\"甲\"},{\"name\":\"<乙>\"}]}",
                   "<ul><li>甲</li><li>&lt;乙&gt;</li></ul>");
    /* arrays of scalars with "." */
    assert_renders("{{#xs}}[{{.}}]{{/xs}}", "{\"xs\":[\"a\",2,\"<\"]}", "[a][2][&lt;]");
    /* falsey values skip the body */
    assert_renders("{{#a}}A{{/a}}{{#b}}B{{/b}}{{#c}}C{{/c}}{{#d}}D{{/d}}{{#e}}E{{/e}}{{#f}}F{{/f}}",
                   "{\"a\":false,\"b\":null,\"c\":[],\"d\":\"\",\"e\":0,\"f\":{}}", "");
    /* truthy scalars render once; an object becomes the context */
    assert_renders("{{#t}}T{{/t}}{{#s}}[{{.}}]{{/s}}{{#o}}{{k}}{{/o}}",
                   "{\"t\":true,\"s\":\"str\",\"o\":{\"k\":\"v\"}}", "T[str]v");
}

static void test_context_fallback(void **state)
{
    (void)state;
    /* names missing in the item are looked up in outer contexts */
    assert_renders("{{#depts}}{{name}}@{{city}};{{/depts}}",
                   "{\"city\":\"某市\",\"depts\":[{\"name\":\"甲\"},{\"name\":\"乙\",\"city\":\"别市\"}]}",
                   "甲@某市;乙@别市;");
}

static void test_inverted(void **state)
{
    (void)state;
    assert_renders("{{^items}}暂无{{/items}}", "{\"items\":[]}", "暂无");
    assert_renders("{{^items}}暂无{{/items}}", "{}", "暂无");
    assert_renders("{{^items}}暂无{{/items}}", "{\"items\":[1]}", "");
    assert_renders("{{#ok}}是{{/ok}}{{^ok}}否{{/ok}}", "{\"ok\":true}", "是");
    assert_renders("{{#ok}}是{{/ok}}{{^ok}}否{{/ok}}", "{\"ok\":false}", "否");
}

static void test_nesting(void **state)
{
    (void)state;
    assert_renders("{{#groups}}<h2>{{title}}</h2>{{#rows}}<p>{{title}}:{{v}}</p>{{/rows}}"
                   "{{^rows}}<p>空</p>{{/rows}}{{/groups}}",
                   "{\"groups\":[{\"title\":\"G1\",\"rows\":[{\"v\":1},{\"v\":2,\"title\":\"own\"}]},"
                   "{\"title\":\"G2\",\"rows\":[]}]}",
                   "<h2>G1</h2><p>G1:1</p><p>own:2</p><h2>G2</h2><p>空</p>");
    /* the same name nested in itself */
    assert_renders("{{#a}}{{#a}}x{{/a}}{{/a}}", "{\"a\":[{\"a\":[1,2]},{\"a\":[]}]}", "xx");
}

static void test_comments_and_standalone(void **state)
{
    (void)state;
    assert_renders("a{{! a comment }}b", NULL, "ab");
    /* standalone section lines leave no blank lines */
    assert_renders("<ul>\n  {{#xs}}\n  <li>{{.}}</li>\n  {{/xs}}\n</ul>\n", "{\"xs\":[1,2]}",
                   "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
    assert_renders("{{#t}}\r\nyes\r\n{{/t}}\r\n", "{\"t\":true}", "yes\r\n");
    /* a variable tag alone on its line keeps the line */
    assert_renders("a\n{{x}}\nb", "{\"x\":\"X\"}", "a\nX\nb");
    /* a section tag sharing its line with text is not standalone */
    assert_renders("a {{#t}}b{{/t}} c\n", "{\"t\":1}", "a b c\n");
}

static void test_partials(void **state)
{
    zf_tpl_set *set = zf_tpl_set_new();
    zf_err err = ZF_ERR_INIT;
    zf_buf out = ZF_BUF_INIT;
    json_t *ctx = json_pack("{s:s,s:[{s:s},{s:s}]}", "title", "<首页>", "rows", "n", "a", "n", "b");
    const char *head = "<html><title>{{title}}</title>";
    const char *row = "<li>{{n}}/{{title}}</li>";
    const char *page = "{{> head}}<ul>{{#rows}}{{> row}}{{/rows}}</ul>{{> foot}}";
    const char *foot = "</html>";

    (void)state;
    assert_int_equal(zf_tpl_set_add(set, "head", head, strlen(head), &err), 0);
    assert_int_equal(zf_tpl_set_add(set, "row", row, strlen(row), &err), 0);
    assert_int_equal(zf_tpl_set_add(set, "page", page, strlen(page), &err), 0);
    /* foot missing: the check names it */
    assert_int_equal(zf_tpl_set_check(set, &err), ZF_ENOTFOUND);
    assert_non_null(strstr(err.message, "foot"));
    assert_int_equal(zf_tpl_set_add(set, "foot", foot, strlen(foot), &err), 0);
    assert_int_equal(zf_tpl_set_check(set, &err), 0);
    assert_int_equal(zf_tpl_set_add(set, "foot", foot, strlen(foot), &err), ZF_ECONFLICT);

    assert_int_equal(zf_tpl_set_render(&out, set, "page", ctx, &err), 0);
    assert_string_equal(zf_buf_str(&out),
                        "<html><title>&lt;首页&gt;</title><ul><li>a/&lt;首页&gt;</li>"
                        "<li>b/&lt;首页&gt;</li></ul></html>");
    zf_buf_reset(&out);
    assert_int_equal(zf_tpl_set_render(&out, set, "nope", ctx, &err), ZF_ENOTFOUND);

    /* without a set, partials render as nothing */
    assert_int_equal(zf_tpl_render(&out, zf_tpl_set_get(set, "page"), ctx, NULL, &err), 0);
    assert_string_equal(zf_buf_str(&out), "<ul></ul>");

    zf_buf_free(&out);
    json_decref(ctx);
    zf_tpl_set_free(set);
}

static void test_recursive_partial_is_cut(void **state)
{
    zf_tpl_set *set = zf_tpl_set_new();
    zf_err err = ZF_ERR_INIT;
    zf_buf out = ZF_BUF_INIT;
    const char *loop = "x{{> loop}}";

    (void)state;
    assert_int_equal(zf_tpl_set_add(set, "loop", loop, strlen(loop), &err), 0);
    assert_int_equal(zf_tpl_set_render(&out, set, "loop", NULL, &err), ZF_EINVAL);
    assert_string_equal(err.code, "template_depth");
    zf_buf_free(&out);
    zf_tpl_set_free(set);
}

static void test_output_limit(void **state)
{
    zf_tpl *t = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_buf out;
    const char *src = "{{#xs}}0123456789{{/xs}}";
    json_t *ctx = json_pack("{s:[iiiii]}", "xs", 1, 2, 3, 4, 5);

    (void)state;
    zf_buf_init(&out, 32);
    assert_int_equal(zf_tpl_compile(&t, "t", src, strlen(src), &err), 0);
    assert_int_equal(zf_tpl_render(&out, t, ctx, NULL, &err), ZF_ETOOBIG);
    assert_true(out.len <= 32);
    zf_tpl_free(t);
    zf_buf_free(&out);
    json_decref(ctx);
}

static void test_compile_errors(void **state)
{
    (void)state;
    compile_fails("line1\n{{#a}}\nbody\n", "第 2 行");
    compile_fails("{{#a}}\n{{#b}}\n{{/a}}", "第 3 行");   /* mismatched: reported where it closes */
    compile_fails("{{#a}}\n{{#b}}\n{{/a}}", "第 2 行");   /* ... and names where b opened */
    compile_fails("x\n\n{{/a}}", "第 3 行");
    compile_fails("x\n{{name", "第 2 行");
    compile_fails("{{{raw}}", "第 1 行");
    compile_fails("{{}}", "名称无效");
    compile_fails("{{a b}}", "名称无效");
    compile_fails("{{a..b}}", "名称无效");
    compile_fails("{{.a}}", "名称无效");
    compile_fails("{{#}}{{/}}", "名称无效");
    compile_fails("{{^open}}", "没有闭合");
}

static void test_nesting_limit(void **state)
{
    zf_buf src = ZF_BUF_INIT;
    zf_tpl *t = NULL;
    zf_err err = ZF_ERR_INIT;
    int i;

    (void)state;
    for (i = 0; i < ZF_TPL_MAX_NESTING; i++)
        zf_buf_puts(&src, "{{#a}}");
    for (i = 0; i < ZF_TPL_MAX_NESTING; i++)
        zf_buf_puts(&src, "{{/a}}");
    assert_int_equal(zf_tpl_compile(&t, "deep", src.ptr, src.len, &err), 0);
    zf_tpl_free(t);
    zf_buf_reset(&src);
    for (i = 0; i <= ZF_TPL_MAX_NESTING; i++)
        zf_buf_puts(&src, "{{#a}}");
    assert_int_equal(zf_tpl_compile(&t, "deep", src.ptr, src.len, &err), ZF_EINVAL);
    assert_null(t);
    zf_buf_free(&src);
}

static void test_render_is_repeatable(void **state)
{
    zf_tpl *t = NULL;
    zf_err err = ZF_ERR_INIT;
    const char *src = "{{#xs}}{{.}},{{/xs}}";
    json_t *a = json_pack("{s:[ii]}", "xs", 1, 2), *b = json_pack("{s:[s]}", "xs", "z");
    zf_buf out = ZF_BUF_INIT;

    (void)state;
    assert_int_equal(zf_tpl_compile(&t, "t", src, strlen(src), &err), 0);
    assert_int_equal(zf_tpl_render(&out, t, a, NULL, &err), 0);
    assert_int_equal(zf_tpl_render(&out, t, b, NULL, &err), 0);
    assert_int_equal(zf_tpl_render(&out, t, a, NULL, &err), 0);
    assert_string_equal(zf_buf_str(&out), "1,2,z,1,2,");
    zf_tpl_free(t);
    zf_buf_free(&out);
    json_decref(a);
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_missing_renders_empty),
        cmocka_unit_test(test_dotted_names),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_context_fallback),
        cmocka_unit_test(test_inverted),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_comments_and_standalone),
        cmocka_unit_test(test_partials),
        cmocka_unit_test(test_recursive_partial_is_cut),
        cmocka_unit_test(test_output_limit),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_render_is_repeatable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
