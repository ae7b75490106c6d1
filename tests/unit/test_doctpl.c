/* test_doctpl.c — document schemas, field validation and 文号 numbering
 * (core/doctpl.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/doccodes.h"
#include "core/doctpl.h"
#include "doc_samples.h"

/* Validates and expects failure with this code on this field. */
static void refused(const zf_doctpl *tpl, json_t *doc, const char *code, const char *field)
{
    zf_err err = ZF_ERR_INIT;

    if (zf_doc_validate(tpl, doc, &err) != ZF_EINVAL)
        fail_msg("%s: accepted, expected %s on %s", tpl->code, code, field);
    if (strcmp(err.code, code) != 0 || strcmp(err.field, field) != 0)
        fail_msg("%s: got %s on %s (%s), expected %s on %s", tpl->code, err.code, err.field,
                 err.message, code, field);
    assert_true(strlen(err.message) > 0);
}

static void accepted(const zf_doctpl *tpl, const json_t *doc)
{
    zf_err err = ZF_ERR_INIT;

    if (zf_doc_validate(tpl, doc, &err) != 0)
        fail_msg("%s refused: %s %s %s", tpl->code, err.code, err.field, err.message);
}

/* ---- the set of templates ---------------------------------------------- */

static void test_every_template_has_a_schema(void **state)
{
    static const char *const names[] = {
        "案件来源登记表", "立案审批表", "现场笔录", "询问笔录", "证据提取单",
        "先行登记保存证据通知书", "实施行政强制措施决定书", "案件调查终结报告", "案件审核表",
        "行政处罚告知书", "陈述申辩笔录", "听证通知书", "听证笔录", "行政处罚决定书",
        "不予行政处罚决定书", "当场行政处罚决定书", "送达回证", "结案审批表", "卷宗封面",
        "卷内文件目录", "卷内备考表", "受理通知书", "不予受理通知书", "补正材料通知书",
        "准予行政许可决定书", "不予行政许可决定书", "法制审核意见书"};
    static const char *const codes[] = {
        ZF_DOC_CASE_SOURCE, ZF_DOC_FILING_APPROVAL, ZF_DOC_SITE_RECORD, ZF_DOC_INQUIRY_RECORD,
        ZF_DOC_EVIDENCE_EXTRACT, ZF_DOC_PRESERVATION_NOTICE, ZF_DOC_COERCIVE_DECISION,
        ZF_DOC_INVESTIGATION_REPORT, ZF_DOC_CASE_REVIEW, ZF_DOC_PENALTY_NOTICE,
        ZF_DOC_STATEMENT_RECORD, ZF_DOC_HEARING_NOTICE, ZF_DOC_HEARING_RECORD,
        ZF_DOC_PENALTY_DECISION, ZF_DOC_NO_PENALTY_DECISION, ZF_DOC_ONSITE_PENALTY,
        ZF_DOC_SERVICE_RECEIPT, ZF_DOC_CLOSING_APPROVAL, ZF_DOC_FILE_COVER, ZF_DOC_FILE_INDEX,
        ZF_DOC_FILE_NOTES, ZF_DOC_LICENSE_ACCEPT, ZF_DOC_LICENSE_REJECT,
        ZF_DOC_LICENSE_SUPPLEMENT, ZF_DOC_LICENSE_GRANT, ZF_DOC_LICENSE_DENY,
        ZF_DOC_LEGAL_REVIEW_OPINION};
    size_t i, j, k;

    (void)state;
    assert_int_equal(zf_doctpl_count(), sizeof names / sizeof names[0]);
    assert_null(zf_doctpl_at(zf_doctpl_count()));
    assert_null(zf_doctpl_find("no_such_document"));
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const zf_doctpl *t = zf_doctpl_find(codes[i]);

        assert_non_null(t);
        assert_string_equal(t->name, names[i]);
    }
    for (i = 0; i < zf_doctpl_count(); i++) {
        const zf_doctpl *t = zf_doctpl_at(i);
        int has_docno = 0;

        assert_true(t->field_count >= 3);
        for (j = 0; j < t->field_count; j++) {
            const zf_doc_field *f = &t->fields[j];

            assert_true(strlen(f->key) > 0 && strlen(f->label) > 0);
            for (k = 0; k < j; k++)
                if (strcmp(t->fields[k].key, f->key) == 0)
                    fail_msg("%s: key %s twice", t->code, f->key);
            if (f->type == ZF_FT_ENUM || f->type == ZF_FT_SIGNATURES)
                assert_non_null(f->options);
            if (f->type == ZF_FT_ROWS)
                assert_true(f->column_count > 0);
            has_docno |= f->type == ZF_FT_DOCNO;
        }
        /* Numbered documents carry a 文号 field, and only they do. */
        assert_int_equal(has_docno, t->docno_kind != NULL);
        for (j = 0; j < t->check_count; j++) {
            assert_non_null(zf_doctpl_field(t, t->checks[j].a));
            assert_non_null(zf_doctpl_field(t, t->checks[j].b));
            if (t->checks[j].c)
                assert_non_null(zf_doctpl_field(t, t->checks[j].c));
        }
    }
}

/* Every template: its generated samples pass; dropping any one required
 * field is refused naming that field; an unknown key is refused. */
static void test_required_fields_every_template(void **state)
{
    size_t i, j;

    (void)state;
    for (i = 0; i < zf_doctpl_count(); i++) {
        const zf_doctpl *t = zf_doctpl_at(i);
        json_t *min = sample_doc(t, 0), *all = sample_doc(t, 1);

        accepted(t, min);
        accepted(t, all);
        for (j = 0; j < t->field_count; j++) {
            const zf_doc_field *f = &t->fields[j];
            json_t *d;

            if (!(f->flags & ZF_FIELD_REQUIRED))
                continue;
            d = json_deep_copy(all);
            json_object_del(d, f->key);
            refused(t, d, "required", f->key);
            json_object_set_new(d, f->key, json_string(""));
            refused(t, d, "required", f->key);
            json_decref(d);
        }
        json_object_set_new(min, "surprise", json_string("x"));
        refused(t, min, "unknown_field", "surprise");
        json_decref(min);
        json_decref(all);
    }
}

/* A draft: every template accepts {} and lists each required field (and
 * nothing else) as missing; a filled field must still be valid. */
static void test_draft_lists_missing(void **state)
{
    size_t i, j, k;

    (void)state;
    for (i = 0; i < zf_doctpl_count(); i++) {
        const zf_doctpl *t = zf_doctpl_at(i);
        json_t *empty = json_object(), *all = sample_doc(t, 1), *missing = NULL;
        zf_err err = ZF_ERR_INIT;

        assert_int_equal(zf_doc_validate_draft(&missing, t, empty, &err), 0);
        for (j = 0, k = 0; j < t->field_count; j++) {
            const zf_doc_field *f = &t->fields[j];

            if (!(f->flags & ZF_FIELD_REQUIRED) || (f->flags & ZF_FIELD_DERIVED))
                continue;
            assert_true(k < json_array_size(missing));
            assert_string_equal(json_string_value(json_object_get(json_array_get(missing, k), "key")),
                                f->key);
            assert_string_equal(json_string_value(json_object_get(json_array_get(missing, k), "label")),
                                f->label);
            k++;
        }
        assert_int_equal(json_array_size(missing), k);
        json_decref(missing);
        /* complete: nothing missing */
        assert_int_equal(zf_doc_validate_draft(&missing, t, all, &err), 0);
        assert_int_equal(json_array_size(missing), 0);
        json_decref(missing);
        /* a filled field of the wrong type is refused even in a draft */
        json_object_set_new(empty, t->fields[0].key, json_integer(7));
        if (t->fields[0].type != ZF_FT_INT && t->fields[0].type != ZF_FT_MONEY) {
            json_t *before = json_array(); /* any non-NULL value: the call must reset it */

            missing = before;
            assert_int_equal(zf_doc_validate_draft(&missing, t, empty, &err), ZF_EINVAL);
            assert_null(missing);
            json_decref(before);
            assert_string_equal(err.field, t->fields[0].key);
        }
        json_decref(empty);
        json_decref(all);
    }
}

static void test_message_names_field_in_chinese(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_PENALTY_DECISION);
    json_t *d = sample_doc(t, 1);
    zf_err err = ZF_ERR_INIT;

    (void)state;
    json_object_del(json_object_get(d, "party"), "name");
    assert_int_equal(zf_doc_validate(t, d, &err), ZF_EINVAL);
    assert_string_equal(err.field, "party.name");
    assert_non_null(strstr(err.message, "当事人"));
    assert_non_null(strstr(err.message, "名称"));
    assert_non_null(strstr(err.message, "不能为空"));
    json_decref(d);
    assert_int_equal(zf_doc_validate(NULL, NULL, &err), ZF_EINVAL);
    d = json_string("x");
    assert_int_equal(zf_doc_validate(t, d, &err), ZF_EINVAL);
    assert_string_equal(err.code, "wrong_type");
    json_decref(d);
}

static void test_types_and_lengths(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_PENALTY_DECISION);
    json_t *d = sample_doc(t, 1);
    char *big;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    json_object_set_new(d, "case_cause", json_integer(5));
    refused(t, d, "wrong_type", "case_cause");
    /* 200 characters of three bytes each is fine, 201 is not. */
    big = calloc(202 * 3 + 1, 1);
    for (int i = 0; i < 200; i++)
        memcpy(big + i * 3, "案", 3);
    json_object_set_new(d, "case_cause", json_string(big));
    accepted(t, d);
    memcpy(big + 200 * 3, "案", 3);
    json_object_set_new(d, "case_cause", json_string(big));
    assert_int_equal(zf_doc_validate(t, d, &err), ZF_EINVAL);
    assert_string_equal(err.code, "too_long");
    assert_non_null(strstr(err.message, "200"));
    free(big);
    json_object_set_new(d, "case_cause", json_string("一行\n两行"));
    refused(t, d, "bad_format", "case_cause");
    json_object_set_new(d, "case_cause", json_string("案由"));
    json_object_set_new(d, "facts", json_string("多段\n文字\t可以"));
    accepted(t, d);
    /* Invalid UTF-8 (a lone continuation byte, an overlong slash). */
    json_object_set_new(d, "facts", json_stringn_nocheck("ab\x80", 3));
    refused(t, d, "bad_format", "facts");
    json_object_set_new(d, "facts", json_stringn_nocheck("\xc0\xaf", 2));
    refused(t, d, "bad_format", "facts");
    json_object_set_new(d, "facts", json_string("事实"));
    json_object_set_new(d, "violated", json_string("第二十八条"));
    refused(t, d, "wrong_type", "violated");
    json_decref(d);
}

static void test_dates(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_SITE_RECORD);
    json_t *d = sample_doc(t, 0);
    zf_err err = ZF_ERR_INIT;
    static const char *const bad_dt[] = {"2026-03-02", "2026-03-02 24:00", "2026-03-02 09:60",
                                         "2026-02-29 09:00", "2026-3-2 09:00", "2026/03/02 09:00",
                                         "2026-03-02 09:00:61", "1899-12-31 09:00"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad_dt / sizeof bad_dt[0]; i++) {
        json_object_set_new(d, "start_time", json_string(bad_dt[i]));
        refused(t, d, "bad_format", "start_time");
    }
    json_object_set_new(d, "start_time", json_string("2026-03-02T08:15:30"));
    accepted(t, d);
    /* Ends before it starts: the later field is named, the earlier cited. */
    json_object_set_new(d, "end_time", json_string("2026-03-02 08:00"));
    assert_int_equal(zf_doc_validate(t, d, &err), ZF_EINVAL);
    assert_string_equal(err.code, "bad_order");
    assert_string_equal(err.field, "end_time");
    assert_non_null(strstr(err.message, "检查开始时间"));
    /* Equal is not "after" for a strict order. */
    json_object_set_new(d, "end_time", json_string("2026-03-02 08:15"));
    refused(t, d, "bad_order", "end_time");
    json_decref(d);

    t = zf_doctpl_find(ZF_DOC_FILE_COVER);
    d = sample_doc(t, 0);
    json_object_set_new(d, "filing_date", json_string("2024-02-29"));
    accepted(t, d);
    json_object_set_new(d, "filing_date", json_string("2023-02-29"));
    refused(t, d, "bad_format", "filing_date");
    json_object_set_new(d, "filing_date", json_string("2026-03-03"));
    refused(t, d, "bad_order", "closing_date");
    json_decref(d);

    /* 听证通知书: at least seven days before the hearing. */
    t = zf_doctpl_find(ZF_DOC_HEARING_NOTICE);
    d = sample_doc(t, 0);
    accepted(t, d);
    json_object_set_new(d, "hearing_time", json_string("2026-03-08 09:00"));
    refused(t, d, "bad_order", "hearing_time");
    json_decref(d);

    /* 查封扣押 for at most 30 days. */
    t = zf_doctpl_find(ZF_DOC_COERCIVE_DECISION);
    d = sample_doc(t, 0);
    json_object_set_new(d, "end_date", json_string("2026-04-01"));
    accepted(t, d);
    json_object_set_new(d, "end_date", json_string("2026-04-02"));
    refused(t, d, "out_of_range", "end_date");
    json_decref(d);
}

static void test_money(void **state)
{
    static const struct {
        const char *json;
        int64_t fen; /* -1: refused */
    } cases[] = {
        {"\"5000.00\"", 500000}, {"\"0.1\"", 10},       {"\"12\"", 1200},
        {"7", 700},              {"1.5", 150},          {"0", 0},
        {"\"100.005\"", -1},     {"\"-1\"", -1},        {"-1", -1},
        {"\"1,000\"", -1},       {"\"1.\"", -1},        {"\".5\"", -1},
        {"\" 1\"", -1},          {"0.001", -1},         {"\"1000000000000\"", -1},
        {"\"999999999999.99\"", 99999999999999}, {"true", -1}, {"\"１２\"", -1},
    };
    char out[48];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
        int64_t fen = -7;
        int rc = zf_doc_money_fen(&fen, v);

        if (cases[i].fen < 0 && rc == 0)
            fail_msg("%s accepted as %lld", cases[i].json, (long long)fen);
        if (cases[i].fen >= 0 && (rc != 0 || fen != cases[i].fen))
            fail_msg("%s: rc %d fen %lld", cases[i].json, rc, (long long)fen);
        json_decref(v);
    }
    assert_int_equal(zf_doc_money_format(out, sizeof out, 1234567), 9);
    assert_string_equal(out, "12,345.67");
    zf_doc_money_format(out, sizeof out, 5);
    assert_string_equal(out, "0.05");
    zf_doc_money_format(out, sizeof out, 100000000);
    assert_string_equal(out, "1,000,000.00");
    assert_int_equal(zf_doc_money_format(out, 4, 100000), ZF_EINVAL);
}

static void test_discretion_benchmark(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_PENALTY_DECISION);
    json_t *d = sample_doc(t, 1);
    zf_err err = ZF_ERR_INIT;

    (void)state;
    json_object_set_new(d, "benchmark_min", json_string("50000"));
    json_object_set_new(d, "benchmark_max", json_string("100000"));
    json_object_set_new(d, "fine", json_string("50000.00"));
    accepted(t, d);
    json_object_set_new(d, "fine", json_string("100000.00"));
    accepted(t, d);
    json_object_set_new(d, "fine", json_string("100000.01"));
    assert_int_equal(zf_doc_validate(t, d, &err), ZF_EINVAL);
    assert_string_equal(err.code, "out_of_range");
    assert_string_equal(err.field, "fine");
    assert_non_null(strstr(err.message, "50,000.00"));
    json_object_set_new(d, "fine", json_string("49999.99"));
    refused(t, d, "out_of_range", "fine");
    /* The range applies only when both bounds are given. */
    json_object_del(d, "benchmark_max");
    accepted(t, d);
    json_object_set_new(d, "benchmark_max", json_string("10"));
    refused(t, d, "bad_order", "benchmark_max");
    json_decref(d);
}

static void test_onsite_limits(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_ONSITE_PENALTY);
    json_t *d = sample_doc(t, 1);

    (void)state;
    json_object_set_new(d, "fine", json_string("3000"));
    accepted(t, d);
    json_object_set_new(d, "fine", json_string("3000.01"));
    refused(t, d, "out_of_range", "fine");
    json_object_set_new(d, "party", json_pack("{s:s, s:s}", "type", "自然人", "name", "张三"));
    json_object_set_new(d, "fine", json_string("200"));
    accepted(t, d);
    json_object_set_new(d, "fine", json_string("201"));
    refused(t, d, "out_of_range", "fine");
    json_decref(d);
}

static void test_enums(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_SERVICE_RECEIPT);
    json_t *d = sample_doc(t, 0);

    (void)state;
    json_object_set_new(d, "mode", json_string("留置送达"));
    accepted(t, d);
    json_object_set_new(d, "mode", json_string("飞鸽传书"));
    refused(t, d, "bad_value", "mode");
    json_object_set_new(d, "mode", json_string("留置送达 "));
    refused(t, d, "bad_value", "mode");
    json_object_set_new(d, "mode", json_string("留置送达"));
    /* A signature role must be one of the template's slots. */
    json_object_set_new(d, "signatures",
                        json_pack("[{s:s, s:s}]", "role", "当事人", "name", "王五"));
    refused(t, d, "bad_value", "signatures[0].role");
    json_object_set_new(d, "signatures", json_pack("[{s:s, s:s, s:s}]", "role", "受送达人",
                                                   "name", "王五", "image_sha256", "abc"));
    refused(t, d, "bad_format", "signatures[0].image_sha256");
    json_decref(d);
}

static void test_officers(void **state)
{
    static const char *const two[] = {ZF_DOC_SITE_RECORD, ZF_DOC_INQUIRY_RECORD};
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        const zf_doctpl *t = zf_doctpl_find(two[i]);
        json_t *d = sample_doc(t, 0), *offs = json_object_get(d, "officers");
        zf_err err = ZF_ERR_INIT;

        accepted(t, d);
        json_array_remove(offs, 1);
        assert_int_equal(zf_doc_validate(t, d, &err), ZF_EINVAL);
        assert_string_equal(err.code, "too_few");
        assert_string_equal(err.field, "officers");
        assert_non_null(strstr(err.message, "2"));
        /* The same officer twice is still one officer. */
        json_array_append(offs, json_array_get(offs, 0));
        refused(t, d, "bad_value", "officers[1].cert_no");
        json_array_set_new(offs, 1, json_pack("{s:s}", "name", "李四"));
        refused(t, d, "required", "officers[1].cert_no");
        json_array_set_new(offs, 1, json_string("李四"));
        refused(t, d, "wrong_type", "officers[1]");
        json_decref(d);
    }
}

static void test_party(void **state)
{
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_PENALTY_DECISION);
    json_t *d = sample_doc(t, 1), *p = json_object_get(d, "party");

    (void)state;
    json_object_set_new(p, "id_no", json_string("91369900MA35K7Q2XA"));
    refused(t, d, "bad_format", "party.id_no");
    json_object_set_new(p, "id_no", json_string("91369900MA35K7Q2XT"));
    accepted(t, d);
    json_object_del(p, "legal_rep");
    refused(t, d, "required", "party.legal_rep");
    json_object_set_new(p, "type", json_string("自然人"));
    json_object_set_new(p, "id_type", json_string("居民身份证"));
    json_object_set_new(p, "id_no", json_string("360102198503171239"));
    accepted(t, d);
    json_object_set_new(p, "id_no", json_string("360102198503171230"));
    refused(t, d, "bad_format", "party.id_no");
    json_object_set_new(p, "id_no", json_string("360102198502301234"));
    refused(t, d, "bad_format", "party.id_no");
    json_object_set_new(p, "id_no", json_string("360102198503171239"));
    json_object_set_new(p, "type", json_string("外星人"));
    refused(t, d, "bad_value", "party.type");
    json_object_set_new(p, "type", json_string("自然人"));
    json_object_set_new(p, "nickname", json_string("x"));
    refused(t, d, "unknown_field", "party.nickname");
    json_decref(d);
}

static void test_law_refs(void **state)
{
    static const struct {
        const char *article;
        int ok;
    } cases[] = {
        {"第二十八条", 1},   {"第一百二十五条", 1}, {"第十条之一", 1}, {"第28条", 1},
        {"第十十条", 0},     {"28条", 0},           {"第条", 0},       {"第二十八", 0},
        {"第二十八条款", 0}, {"第一千条", 0},       {"第0条", 0},
    };
    const zf_doctpl *t = zf_doctpl_find(ZF_DOC_PENALTY_NOTICE);
    json_t *d = sample_doc(t, 0);
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zf_err err = ZF_ERR_INIT;

        json_object_set_new(d, "basis", json_pack("[{s:s, s:s}]", "law", "中华人民共和国行政处罚法",
                                                  "article", cases[i].article));
        if ((zf_doc_validate(t, d, &err) == 0) != cases[i].ok)
            fail_msg("%s: expected %s (%s)", cases[i].article, cases[i].ok ? "ok" : "refused",
                     err.message);
        if (!cases[i].ok)
            assert_string_equal(err.field, "basis[0].article");
    }
    json_decref(d);
}

/* ---- 文号 ---------------------------------------------------------------- */

static void test_docno_format_parse(void **state)
{
    char buf[160];
    zf_docno d;
    static const char *const bad[] = {
        "赣江市监处罚〔2026〕0号", "〔2026〕12号", "赣江市监处罚〔2026〕12", "赣江市监处罚〔2026]12号",
        "赣江市监处罚〔26〕12号", "赣江市监处罚〔2026〕号", "赣江市监处罚〔2026〕12号x",
        "赣江市监处罚2026〕12号", "赣江市监处罚〔2026〕1234567890号", ""};
    size_t i;

    (void)state;
    assert_int_equal(zf_docno_format(buf, sizeof buf, "赣江市监处罚", 2026, 12, NULL),
                     (int)strlen("赣江市监处罚〔2026〕12号"));
    assert_string_equal(buf, "赣江市监处罚〔2026〕12号");
    assert_int_equal(zf_docno_format(buf, 10, "赣江市监处罚", 2026, 12, NULL), ZF_EINVAL);
    assert_string_equal(buf, "赣江市监处罚〔2026〕12号"); /* untouched on failure */
    assert_int_equal(zf_docno_format(buf, sizeof buf, "赣江〔市监", 2026, 12, NULL), ZF_EINVAL);
    assert_int_equal(zf_docno_format(buf, sizeof buf, "", 2026, 12, NULL), ZF_EINVAL);
    assert_int_equal(zf_docno_format(buf, sizeof buf, "赣江市监处罚", 2026, 0, NULL), ZF_EINVAL);

    assert_int_equal(zf_docno_parse(&d, buf, strlen(buf), NULL), 0);
    assert_string_equal(d.prefix, "赣江市监处罚");
    assert_int_equal(d.year, 2026);
    assert_int_equal(d.seq, 12);
    /* Typed with other brackets or full-width digits. */
    assert_int_equal(zf_docno_parse(&d, "赣江市监处罚[2025]７号", strlen("赣江市监处罚[2025]７号"), NULL), 0);
    assert_int_equal(d.year, 2025);
    assert_int_equal(d.seq, 7);
    assert_int_equal(zf_docno_parse(&d, "赣江市监处罚【２０２５】１０号",
                                    strlen("赣江市监处罚【２０２５】１０号"), NULL), 0);
    assert_int_equal(d.year, 2025);
    assert_int_equal(d.seq, 10);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zf_err err = ZF_ERR_INIT;

        if (zf_docno_parse(&d, bad[i], strlen(bad[i]), &err) != ZF_EINVAL)
            fail_msg("accepted %s", bad[i]);
        assert_string_equal(err.code, "bad_format");
    }
}

static void test_docno_next(void **state)
{
    zf_docno last, next;
    zf_err err = ZF_ERR_INIT;
    char buf[160];

    (void)state;
    /* The first number of a counter. */
    assert_int_equal(zf_docno_next(&next, NULL, "赣江市监处罚", 2026, NULL), 0);
    assert_int_equal(next.seq, 1);
    /* Same year: one more. */
    zf_docno_parse(&last, "赣江市监处罚〔2026〕12号", strlen("赣江市监处罚〔2026〕12号"), NULL);
    assert_int_equal(zf_docno_next(&next, &last, "赣江市监处罚", 2026, NULL), 0);
    zf_docno_format(buf, sizeof buf, next.prefix, next.year, next.seq, NULL);
    assert_string_equal(buf, "赣江市监处罚〔2026〕13号");
    /* Across the year end: back to 1. */
    zf_docno_parse(&last, "赣江市监处罚〔2025〕345号", strlen("赣江市监处罚〔2025〕345号"), NULL);
    assert_int_equal(zf_docno_next(&next, &last, "赣江市监处罚", 2026, NULL), 0);
    assert_int_equal(next.year, 2026);
    assert_int_equal(next.seq, 1);
    /* A counter never runs backwards in time. */
    zf_docno_parse(&last, "赣江市监处罚〔2027〕3号", strlen("赣江市监处罚〔2027〕3号"), NULL);
    assert_int_equal(zf_docno_next(&next, &last, "赣江市监处罚", 2026, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "docno_year_regress");
    /* Per department and per kind: another counter's number is refused. */
    zf_docno_parse(&last, "赣江市监罚告〔2026〕8号", strlen("赣江市监罚告〔2026〕8号"), NULL);
    assert_int_equal(zf_docno_next(&next, &last, "赣江市监处罚", 2026, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "docno_counter_mismatch");
    zf_docno_parse(&last, "赣江应急处罚〔2026〕40号", strlen("赣江应急处罚〔2026〕40号"), NULL);
    assert_int_equal(zf_docno_next(&next, &last, "赣江市监处罚", 2026, &err), ZF_ECONFLICT);
    assert_int_equal(zf_docno_next(&next, &last, "赣江应急处罚", 2026, NULL), 0);
    assert_int_equal(next.seq, 41);
    assert_int_equal(zf_docno_next(&next, NULL, "赣江市监处罚", 1999, NULL), ZF_EINVAL);
    last.seq = 999999999;
    assert_int_equal(zf_docno_next(&next, &last, "赣江应急处罚", 2026, NULL), ZF_EINVAL);

    /* A 文号 in a document must read as one. */
    {
        const zf_doctpl *t = zf_doctpl_find(ZF_DOC_PENALTY_DECISION);
        json_t *d = sample_doc(t, 1);

        json_object_set_new(d, "doc_no", json_string("第12号"));
        refused(t, d, "bad_format", "doc_no");
        json_decref(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_template_has_a_schema),
        cmocka_unit_test(test_required_fields_every_template),
        cmocka_unit_test(test_draft_lists_missing),
        cmocka_unit_test(test_message_names_field_in_chinese),
        cmocka_unit_test(test_types_and_lengths),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_money),
        cmocka_unit_test(test_discretion_benchmark),
        cmocka_unit_test(test_onsite_limits),
        cmocka_unit_test(test_enums),
        cmocka_unit_test(test_officers),
        cmocka_unit_test(test_party),
        cmocka_unit_test(test_law_refs),
        cmocka_unit_test(test_docno_format_parse),
        cmocka_unit_test(test_docno_next),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
