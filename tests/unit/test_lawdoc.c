/* test_lawdoc.c — the Markdown law parser (core/lawdoc.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>

#include "core/lawdoc.h"
#include "util/buf.h"
#include "util/mem.h"

static zf_lawdoc *parse_ok(const char *text)
{
    zf_lawdoc *doc = NULL;
    zf_err err = ZF_ERR_INIT;
    int rc = zf_lawdoc_parse(&doc, text, strlen(text), &err);

    if (rc != 0)
        fail_msg("parse failed: %s", err.message);
    assert_non_null(doc);
    return doc;
}

static void parse_fails(const char *text, size_t len, int want_rc, const char *want_code)
{
    zf_lawdoc *doc = (zf_lawdoc *)1;
    zf_err err = ZF_ERR_INIT;

    assert_int_equal(zf_lawdoc_parse(&doc, text, len, &err), want_rc);
    assert_null(doc);
    assert_string_equal(err.code, want_code);
    assert_true(strlen(err.message) > 0);
}

/* ---- numerals ---------------------------------------------------------- */

static const struct {
    const char *cn;
    int n;
} numerals[] = {
    {"一", 1},       {"二", 2},         {"九", 9},           {"十", 10},
    {"十一", 11},    {"十九", 19},      {"二十", 20},        {"二十一", 21},
    {"九十九", 99},  {"一百", 100},     {"一百零一", 101},   {"一百零五", 105},
    {"一百一十", 110}, {"一百一十一", 111}, {"一百二十", 120}, {"二百", 200},
    {"三百零一", 301}, {"九百九十九", 999},
};

static void test_numeral_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof numerals / sizeof numerals[0]; i++) {
        char buf[64];
        int v = -1;

        assert_int_equal(zf_lawdoc_numeral_value(&v, numerals[i].cn, strlen(numerals[i].cn)), 0);
        assert_int_equal(v, numerals[i].n);
        assert_int_equal(zf_lawdoc_numeral_format(buf, sizeof buf, numerals[i].n),
                         (int)strlen(numerals[i].cn));
        assert_string_equal(buf, numerals[i].cn);
    }
}

static void test_numeral_round_trip_all(void **state)
{
    int n;

    (void)state;
    for (n = 1; n <= 999; n++) {
        char buf[64];
        int v = 0;
        int len = zf_lawdoc_numeral_format(buf, sizeof buf, n);

        assert_true(len > 0);
        assert_int_equal(zf_lawdoc_numeral_value(&v, buf, (size_t)len), 0);
        assert_int_equal(v, n);
    }
}

static void test_numeral_rejects(void **state)
{
    static const char *const bad[] = {"", "零", "一十", "十十", "二百零", "一百十", "一千",
                                      "百", "十百", "一二", "一百零十", "abc", "一百 二"};
    size_t i;
    char buf[8];
    int v;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(zf_lawdoc_numeral_value(&v, bad[i], strlen(bad[i])), ZF_EINVAL);
    /* 〇 is accepted as 零. */
    assert_int_equal(zf_lawdoc_numeral_value(&v, "一百〇五", strlen("一百〇五")), 0);
    assert_int_equal(v, 105);
    assert_int_equal(zf_lawdoc_numeral_format(buf, sizeof buf, 0), ZF_EINVAL);
    assert_int_equal(zf_lawdoc_numeral_format(buf, sizeof buf, 1000), ZF_EINVAL);
    assert_int_equal(zf_lawdoc_numeral_format(buf, 4, 999), ZF_EINVAL); /* too small */
}

static void test_labels(void **state)
{
    char buf[ZF_LAWDOC_LABEL_MAX];

    (void)state;
    assert_true(zf_lawdoc_article_label(buf, sizeof buf, 120, 0) > 0);
    assert_string_equal(buf, "第一百二十条");
    assert_true(zf_lawdoc_article_label(buf, sizeof buf, 10, 1) > 0);
    assert_string_equal(buf, "第十条之一");
    assert_int_equal(zf_lawdoc_article_label(buf, sizeof buf, 0, 0), ZF_EINVAL);
    assert_int_equal(zf_lawdoc_article_label(buf, sizeof buf, 5, 100), ZF_EINVAL);
    assert_int_equal(zf_lawdoc_storage_no(120, 0), 120);
    assert_int_equal(zf_lawdoc_storage_no(10, 1), 10001);
    assert_true(zf_lawdoc_storage_no(999, 99) != zf_lawdoc_storage_no(999, 0));
}

/* ---- documents --------------------------------------------------------- */

static const char law_with_chapters[] =
    "# 中华人民共和国示例法\n"
    "\n"
    "2019年4月23日 第十三届全国人民代表大会常务委员会第十次会议修正\n"
    "\n"
    "２０２０年１月５日 施行\n"
    "\n"
    "<!-- INFO END -->\n"
    "\n"
    "## 第一章 总则\n"
    "\n"
    "第一条 为了示范，制定本法。\n"
    "\n"
    "第二条 本法适用于：\n"
    "\n"
    "（一）第一种情形；\n"
    "\n"
    "（二）第二种情形。\n"
    "\n"
    "本法另有规定的除外。\n"
    "\n"
    "## 第二章 法律责任\n"
    "\n"
    "### 第一节 一般规定\n"
    "\n"
    "第十条　违反本法第二条规定的，处一万元以下罚款。\n"
    "\n"
    "第十条之一 有前条行为，情节严重的，处十万元以下罚款。\n"
    "\n"
    "<!-- FORCE BREAK -->\n"
    "\n"
    "第一百二十条\n"
    "\n"
    "本法自2021年7月15日起施行。\n";

static void test_chapters_and_paragraphs(void **state)
{
    zf_lawdoc *doc = parse_ok(law_with_chapters);

    (void)state;
    assert_string_equal(doc->title, "中华人民共和国示例法");
    assert_string_equal(doc->issuer, "全国人民代表大会常务委员会");
    /* The latest date the text names: the body's entry into force. */
    assert_string_equal(doc->effective_date, "2021-07-15");
    assert_int_equal(doc->article_count, 5);

    assert_int_equal(doc->articles[0].no, 1);
    assert_string_equal(doc->articles[0].label, "第一条");
    assert_string_equal(doc->articles[0].chapter, "第一章 总则");
    assert_string_equal(doc->articles[0].text, "为了示范，制定本法。");

    assert_int_equal(doc->articles[1].no, 2);
    assert_string_equal(doc->articles[1].text,
                        "本法适用于：\n（一）第一种情形；\n（二）第二种情形。\n本法另有规定的除外。");

    /* Full-width space after the label; a section under a chapter. */
    assert_int_equal(doc->articles[2].no, 10);
    assert_int_equal(doc->articles[2].sub, 0);
    assert_string_equal(doc->articles[2].chapter, "第二章 法律责任 / 第一节 一般规定");
    assert_string_equal(doc->articles[2].text, "违反本法第二条规定的，处一万元以下罚款。");

    assert_int_equal(doc->articles[3].no, 10);
    assert_int_equal(doc->articles[3].sub, 1);
    assert_string_equal(doc->articles[3].label, "第十条之一");

    /* A label alone on its line: the text is the next paragraph; the HTML
     * comment is not text. */
    assert_int_equal(doc->articles[4].no, 120);
    assert_string_equal(doc->articles[4].label, "第一百二十条");
    assert_string_equal(doc->articles[4].text, "本法自2021年7月15日起施行。");
    zf_lawdoc_free(doc);
}

static void test_header_without_marker_and_crlf(void **state)
{
    zf_lawdoc *doc = parse_ok("\xef\xbb\xbf# 某某办法\r\n\r\n第一条 内容一。\r\n第二条 内容二。\r\n");

    (void)state;
    assert_string_equal(doc->title, "某某办法");
    assert_string_equal(doc->issuer, "");
    assert_string_equal(doc->effective_date, "");
    assert_int_equal(doc->article_count, 2);
    assert_string_equal(doc->articles[1].text, "内容二。");
    assert_string_equal(doc->articles[1].chapter, "");
    zf_lawdoc_free(doc);
}

static void test_not_a_marker(void **state)
{
    /* "第三十一条的决定" in the header and "第二条规定" inside text are not
     * articles; the header line names a 令 issuer. */
    zf_lawdoc *doc = parse_ok("# 示例条例\n\n2007年5月29日 中华人民共和国国务院令第499号公布\n\n"
                              "2008年1月1日 《关于修改第三十一条的决定》修正\n\n<!-- INFO END -->\n\n"
                              "第一条 总则。\n\n第二条规定的事项，另行规定。\n");

    (void)state;
    assert_int_equal(doc->article_count, 1);
    assert_string_equal(doc->issuer, "国务院");
    assert_string_equal(doc->effective_date, "2008-01-01");
    assert_string_equal(doc->articles[0].text, "总则。\n第二条规定的事项，另行规定。");
    zf_lawdoc_free(doc);
}

static void test_bad_inputs(void **state)
{
    static const char no_articles[] = "# 关于某事的通知\n\n各单位：\n\n现通知如下。\n";
    static const char bad_utf8[] = "# 标题\n\n第一条 \xe4\xb8 坏字节\n";
    static const char overlong[] = "# t\n\n\xc0\xaf";
    static const char surrogate[] = "# t\n\n\xed\xa0\x80";
    static const char nul[] = "# t\n\n第一条 a\0b\n";
    char *big;

    (void)state;
    parse_fails(no_articles, strlen(no_articles), ZF_EINVAL, "no_articles");
    parse_fails(bad_utf8, strlen(bad_utf8), ZF_EINVAL, "invalid_utf8");
    parse_fails(overlong, strlen(overlong), ZF_EINVAL, "invalid_utf8");
    parse_fails(surrogate, strlen(surrogate), ZF_EINVAL, "invalid_utf8");
    parse_fails(nul, sizeof nul - 1, ZF_EINVAL, "invalid_utf8");
    parse_fails("", 0, ZF_EINVAL, "no_title");
    parse_fails("第一条 没有标题\n", strlen("第一条 没有标题\n"), ZF_EINVAL, "no_title");
    parse_fails("#   \n第一条 x\n", strlen("#   \n第一条 x\n"), ZF_EINVAL, "no_title");
    parse_fails("# t\n\n第一条 a\n\n第一条 b\n", strlen("# t\n\n第一条 a\n\n第一条 b\n"), ZF_EINVAL,
                "duplicate_article");
    parse_fails("# t\n\n第十十条 a\n", strlen("# t\n\n第十十条 a\n"), ZF_EINVAL, "bad_article_no");
    parse_fails("# t\n\n第一千条 a\n", strlen("# t\n\n第一千条 a\n"), ZF_EINVAL, "bad_article_no");

    /* Over the limit: refused before any work, whatever the content. */
    big = zf_malloc(ZF_LAWDOC_MAX_BYTES + 1);
    memset(big, 'a', ZF_LAWDOC_MAX_BYTES + 1);
    parse_fails(big, ZF_LAWDOC_MAX_BYTES + 1, ZF_ETOOBIG, "payload_too_large");
    free(big);
}

static void test_utf8_validator(void **state)
{
    size_t at = 0;

    (void)state;
    assert_true(zf_lawdoc_utf8_valid("abc 中文 \xf0\x9f\x98\x80", strlen("abc 中文 \xf0\x9f\x98\x80"), &at));
    assert_false(zf_lawdoc_utf8_valid("ab\xff", 3, &at));
    assert_int_equal(at, 2);
    assert_false(zf_lawdoc_utf8_valid("\xe4\xb8", 2, &at)); /* truncated */
    assert_false(zf_lawdoc_utf8_valid("\xf4\x90\x80\x80", 4, &at)); /* > U+10FFFF */
}

/* ---- the reference collection ------------------------------------------ */

static char *read_all(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    zf_buf b = ZF_BUF_INIT;
    char chunk[65536];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        zf_buf_append(&b, chunk, n);
    fclose(f);
    *out_len = b.len;
    return zf_buf_detach(&b);
}

static int parse_file(const char *path, zf_lawdoc **out, zf_err *err)
{
    size_t len = 0;
    char *text = read_all(path, &len);
    int rc;

    if (!text)
        return zf_err_set(err, ZF_EIO, NULL, NULL, "cannot read %s", path);
    rc = zf_lawdoc_parse(out, text, len, err);
    free(text);
    return rc;
}

static void walk_parse(const char *dir, int *ok, int *failed)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;
        size_t n = strlen(e->d_name);

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            walk_parse(path, ok, failed);
        } else if (n > 3 && strcmp(e->d_name + n - 3, ".md") == 0 &&
                   strcmp(e->d_name, "README.md") != 0) {
            zf_lawdoc *doc = NULL;
            zf_err err = ZF_ERR_INIT;

            if (parse_file(path, &doc, &err) == 0) {
                (*ok)++;
                assert_true(doc->article_count > 0);
                assert_true(strlen(doc->title) > 0);
                zf_lawdoc_free(doc);
            } else {
                (*failed)++;
                printf("  [ info ] not a law with articles: %s (%s)\n", e->d_name, err.message);
            }
        }
    }
    closedir(d);
}

static const char *laws_dir(char *buf, size_t cap)
{
    const char *base = getenv("ZF_REFERENCE_DIR");
    struct stat sb;

    snprintf(buf, cap, "%s/laws", base && *base ? base : "/work/shared/reference");
    return stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode) ? buf : NULL;
}

static void expect_articles(const char *dir, const char *rel, const char *title, size_t count)
{
    char path[4096];
    zf_lawdoc *doc = NULL;
    zf_err err = ZF_ERR_INIT;

    snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (parse_file(path, &doc, &err) != 0)
        fail_msg("%s: %s", rel, err.message);
    assert_string_equal(doc->title, title);
    assert_int_equal(doc->article_count, count);
    assert_int_equal(doc->articles[count - 1].no, (int)count);
    zf_lawdoc_free(doc);
}

static void test_reference_collection(void **state)
{
    char buf[4096];
    const char *dir = laws_dir(buf, sizeof buf);
    int ok = 0, failed = 0;

    (void)state;
    if (!dir) {
        printf("  [ skip ] reference laws not found (set ZF_REFERENCE_DIR)\n");
        skip();
    }
    walk_parse(dir, &ok, &failed);
    printf("  [ info ] parsed %d reference files, %d without articles\n", ok, failed);
    assert_true(ok >= 190);
    assert_true(failed <= 2); /* a notice without 第X条 paragraphs */

    expect_articles(dir, "行政法/行政处罚法(2021-01-22).md", "中华人民共和国行政处罚法", 86);
    expect_articles(dir, "行政法/行政许可法(2019-04-23).md", "中华人民共和国行政许可法", 83);
    expect_articles(dir, "行政法/行政强制法(2011-06-30).md", "中华人民共和国行政强制法", 71);

    {
        zf_lawdoc *doc = NULL;
        zf_err err = ZF_ERR_INIT;

        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "/%s",
                 "行政法/行政处罚法(2021-01-22).md");
        assert_int_equal(parse_file(buf, &doc, &err), 0);
        assert_string_equal(doc->effective_date, "2021-07-15");
        assert_string_equal(doc->issuer, "全国人民代表大会常务委员会");
        assert_string_equal(doc->articles[33].label, "第三十四条");
        assert_string_equal(doc->articles[33].chapter, "第四章 行政处罚的管辖和适用");
        assert_true(strncmp(doc->articles[33].text, "行政机关可以依法制定行政处罚裁量基准",
                            strlen("行政机关可以依法制定行政处罚裁量基准")) == 0);
        zf_lawdoc_free(doc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeral_table),
        cmocka_unit_test(test_numeral_round_trip_all),
        cmocka_unit_test(test_numeral_rejects),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_chapters_and_paragraphs),
        cmocka_unit_test(test_header_without_marker_and_crlf),
        cmocka_unit_test(test_not_a_marker),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_utf8_validator),
        cmocka_unit_test(test_reference_collection),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
