/* doc_samples.h — builds valid sample documents for any template from its
 * schema, shared by test_doctpl.c, test_render.c and the document benchmark.
 * Header-only (static functions) so each test stays one file. */
#ifndef ZF_TEST_DOC_SAMPLES_H
#define ZF_TEST_DOC_SAMPLES_H

#include <string.h>

#include <jansson.h>

#include "core/doctpl.h"

/* A valid value for field f; all = also fill optional members. */
static json_t *sample_value(const zf_doc_field *f, int all)
{
    json_t *v, *o;
    size_t i;
    int n;

    switch (f->type) {
    case ZF_FT_TEXT:
        return json_string("测试文本");
    case ZF_FT_LONGTEXT:
        return json_string("第一段内容。\n第二段内容。");
    case ZF_FT_DATE:
        return json_string("2026-03-02");
    case ZF_FT_DATETIME:
        return json_string("2026-03-02 09:00");
    case ZF_FT_MONEY:
        return json_string("100.00");
    case ZF_FT_INT:
        return json_integer(f->min > 0 ? f->min : 1);
    case ZF_FT_ENUM:
        return json_string(f->options[0]);
    case ZF_FT_PARTY:
        o = json_pack("{s:s, s:s}", "type", "法人", "name", "赣江市青云粮油贸易有限公司");
        json_object_set_new(o, "legal_rep", json_string("王建国"));
        if (all) {
            json_object_set_new(o, "id_type", json_string("统一社会信用代码"));
            json_object_set_new(o, "id_no", json_string("91369900MA35K7Q2XT"));
            json_object_set_new(o, "address", json_string("赣江市青云区滨江路88号"));
            json_object_set_new(o, "phone", json_string("0791-86123456"));
        }
        return o;
    case ZF_FT_OFFICERS:
        v = json_array();
        n = f->min > 2 ? f->min : 2;
        for (i = 0; i < (size_t)n; i++) {
            char cert[64];

            snprintf(cert, sizeof cert, "36010%zu2026%03zu", i, i + 1);
            json_array_append_new(v, json_pack("{s:s, s:s}", "name", i ? "李四" : "张三",
                                               "cert_no", cert));
        }
        return v;
    case ZF_FT_LAWREFS:
        return json_pack("[{s:s, s:s, s:s}]", "law", "中华人民共和国行政处罚法", "article",
                         "第二十八条", "clause", "第一款");
    case ZF_FT_SIGNATURES:
        return json_pack("[{s:s, s:s, s:s}]", "role", f->options[0], "name", "王建国",
                         "signed_at", "2026-03-02 10:00");
    case ZF_FT_ROWS:
        o = json_object();
        for (i = 0; i < f->column_count; i++)
            if (all || (f->columns[i].flags & ZF_FIELD_REQUIRED))
                json_object_set_new(o, f->columns[i].key, sample_value(&f->columns[i], all));
        return json_pack("[o]", o);
    case ZF_FT_DOCNO:
        return json_string("赣江市监处罚〔2026〕12号");
    }
    return json_null();
}

/* A valid document for tpl: required fields only, or every field (all). */
static json_t *sample_doc(const zf_doctpl *tpl, int all)
{
    json_t *doc = json_object();
    size_t i;

    for (i = 0; i < tpl->field_count; i++) {
        const zf_doc_field *f = &tpl->fields[i];

        if (all || ((f->flags & ZF_FIELD_REQUIRED) && !(f->flags & ZF_FIELD_DERIVED)))
            json_object_set_new(doc, f->key, sample_value(f, all));
    }
    /* Satisfy the strict orderings: a later end, the 7-day notice. */
    for (i = 0; i < tpl->check_count; i++) {
        const zf_doc_check *c = &tpl->checks[i];
        const zf_doc_field *fb = zf_doctpl_field(tpl, c->b);

        if (!json_object_get(doc, c->b))
            continue;
        if (c->kind == ZF_CHK_BEFORE)
            json_object_set_new(doc, c->b,
                                json_string(fb->type == ZF_FT_DATE ? "2026-03-03"
                                                                   : "2026-03-02 11:30"));
        if (c->kind == ZF_CHK_DAYS_BEFORE)
            json_object_set_new(doc, c->b,
                                json_string(fb->type == ZF_FT_DATE ? "2026-03-09"
                                                                   : "2026-03-09 09:00"));
    }
    return doc;
}

#endif
