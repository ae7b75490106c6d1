/* test_review.c — legal review of major decisions: the condition language,
 * the seed's default catalog rule by rule, filing and versions, overrides,
 * submission completeness and routing, review rounds with their checklist,
 * clock and extension, the gate on every path, and reviewer staffing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "core/review.h"
#include "util/err.h"

static zf_calendar *cal;
static zf_review_catalog *defaults;
static zf_review_config cfg;

static int setup(void **state)
{
    (void)state;
    zf_review_config_default(&cfg);
    if (zf_calendar_new_builtin(&cal, NULL) != 0)
        return -1;
    return zf_review_catalog_defaults(&defaults, "市场监督管理局", NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    zf_calendar_free(cal);
    zf_review_catalog_free(defaults);
    return 0;
}

static zf_date P(const char *s)
{
    zf_date d = 0;
    zf_err err = ZF_ERR_INIT;

    if (zf_date_parse(&d, s, strlen(s), NULL, &err) != 0)
        fail_msg("bad test date %s: %s", s, err.message);
    return d;
}

static zf_review_facts *facts(const char *json)
{
    zf_review_facts *f = NULL;
    zf_err err = ZF_ERR_INIT;

    if (zf_review_facts_parse(&f, json, strlen(json), &err) != 0)
        fail_msg("facts %s: %s", json, err.message);
    return f;
}

static bool matched(const zf_review_class *c, const char *code)
{
    for (size_t i = 0; i < c->n_matches; i++)
        if (strcmp(c->matches[i].code, code) == 0)
            return true;
    return false;
}

static bool eval(const char *cond, const char *fjson)
{
    zf_review_cond *c = NULL;
    zf_review_facts *f = facts(fjson);
    zf_err err = ZF_ERR_INIT;
    bool r;

    if (zf_review_cond_parse(&c, cond, strlen(cond), "when", &err) != 0)
        fail_msg("cond %s: %s", cond, err.message);
    r = zf_review_cond_eval(c, f);
    zf_review_cond_free(c);
    zf_review_facts_free(f);
    return r;
}

/* ---- classification, table-driven from seed item 12 ------------------- */

typedef struct class_case {
    const char *code;
    bool expect;
    const char *facts;
} class_case;

static const class_case class_cases[] = {
    /* general criteria */
    {"general_public_interest", true, "{\"major_public_interest\":true}"},
    {"general_public_interest", false, "{\"major_public_interest\":false}"},
    {"general_social_impact", true, "{\"major_social_impact\":true}"},
    {"general_social_impact", false, "{}"},
    {"general_major_rights", true, "{\"major_rights_of_party\":true}"},
    {"general_major_rights", false, "{\"major_rights_of_party\":null}"},
    {"general_hearing", true, "{\"hearing_held\":true}"},
    {"general_hearing", false, "{\"hearing_held\":false}"},
    {"general_complex", true, "{\"legal_relations_count\":2}"},
    {"general_complex", true, "{\"complex_case\":true,\"legal_relations_count\":1}"},
    {"general_complex", false, "{\"legal_relations_count\":1}"},
    /* (1) penalties */
    {"penalty_ordinary", true, "{\"power_type\":\"penalty\",\"procedure\":\"ordinary\"}"},
    {"penalty_ordinary", true, "{\"power_type\":\"行政处罚\",\"procedure\":\"一般程序\"}"},
    {"penalty_ordinary", false, "{\"power_type\":\"penalty\",\"procedure\":\"simple\"}"},
    {"penalty_ordinary", false, "{\"power_type\":\"licensing\",\"procedure\":\"ordinary\"}"},
    {"penalty_ordinary", false, "{\"power_type\":\"penalty\"}"},
    /* (2) licensing */
    {"licensing_government", true,
     "{\"power_type\":\"licensing\",\"decision_kind\":\"grant\",\"in_government_name\":true}"},
    {"licensing_government", false, "{\"power_type\":\"licensing\",\"decision_kind\":\"grant\"}"},
    {"licensing_government", false, "{\"power_type\":\"coercion\",\"in_government_name\":true}"},
    {"licensing_safety", true,
     "{\"power_type\":\"licensing\",\"decision_kind\":\"grant\",\"affects_public_safety\":true}"},
    {"licensing_safety", true,
     "{\"power_type\":\"licensing\",\"decision_kind\":\"准予\",\"affects_health\":true}"},
    {"licensing_safety", true,
     "{\"power_type\":\"licensing\",\"decision_kind\":\"grant\",\"affects_property\":true}"},
    {"licensing_safety", true,
     "{\"power_type\":\"licensing\",\"decision_kind\":\"grant\",\"affects_ecology\":true}"},
    {"licensing_safety", false,
     "{\"power_type\":\"licensing\",\"decision_kind\":\"deny\",\"affects_ecology\":true}"},
    {"licensing_safety", false, "{\"power_type\":\"licensing\",\"decision_kind\":\"grant\"}"},
    {"licensing_resources", true,
     "{\"power_type\":\"licensing\",\"decision_kind\":\"grant\",\"market_entry\":true}"},
    {"licensing_resources", true,
     "{\"power_type\":\"licensing\",\"decision_kind\":\"grant\",\"limited_natural_resources\":true}"},
    {"licensing_resources", true,
     "{\"power_type\":\"licensing\",\"decision_kind\":\"grant\",\"public_resources\":true}"},
    {"licensing_resources", false,
     "{\"power_type\":\"licensing\",\"decision_kind\":\"grant\",\"market_entry\":false}"},
    {"licensing_resources", false,
     "{\"power_type\":\"penalty\",\"decision_kind\":\"grant\",\"public_resources\":true}"},
    {"licensing_adverse", true, "{\"power_type\":\"licensing\",\"decision_kind\":\"deny\"}"},
    {"licensing_adverse", true, "{\"power_type\":\"licensing\",\"decision_kind\":\"deny_change\"}"},
    {"licensing_adverse", true, "{\"power_type\":\"licensing\",\"decision_kind\":\"不予延续\"}"},
    {"licensing_adverse", true, "{\"power_type\":\"licensing\",\"decision_kind\":\"revoke\"}"},
    {"licensing_adverse", true, "{\"power_type\":\"licensing\",\"decision_kind\":\"注销\"}"},
    {"licensing_adverse", false, "{\"power_type\":\"licensing\",\"decision_kind\":\"grant\"}"},
    {"licensing_adverse", false, "{\"power_type\":\"penalty\",\"decision_kind\":\"revoke\"}"},
    /* (3) coercion */
    {"coercion_government", true,
     "{\"power_type\":\"coercion\",\"decision_kind\":\"seal\",\"in_government_name\":true}"},
    {"coercion_government", false,
     "{\"power_type\":\"coercion\",\"decision_kind\":\"seal\",\"in_government_name\":false}"},
    {"coercion_liberty", true, "{\"power_type\":\"coercion\",\"decision_kind\":\"restrict_liberty\"}"},
    {"coercion_liberty", false, "{\"power_type\":\"coercion\",\"decision_kind\":\"seize\"}"},
    {"coercion_seal", true, "{\"power_type\":\"coercion\",\"decision_kind\":\"查封\"}"},
    {"coercion_seal", false, "{\"power_type\":\"coercion\",\"decision_kind\":\"seize\"}"},
    {"coercion_seize", true, "{\"power_type\":\"coercion\",\"decision_kind\":\"seize\"}"},
    {"coercion_seize", false, "{\"power_type\":\"coercion\",\"decision_kind\":\"seal\"}"},
    {"coercion_freeze", true, "{\"power_type\":\"coercion\",\"decision_kind\":\"freeze\"}"},
    {"coercion_freeze", true, "{\"power_type\":\"coercion\",\"decision_kind\":\"划拨\"}"},
    {"coercion_freeze", false, "{\"power_type\":\"coercion\",\"decision_kind\":\"demolish\"}"},
    {"coercion_demolish", true, "{\"power_type\":\"coercion\",\"decision_kind\":\"demolish\"}"},
    {"coercion_demolish", false, "{\"power_type\":\"coercion\"}"},
    {"coercion_court", true,
     "{\"power_type\":\"coercion\",\"decision_kind\":\"court_enforcement\"}"},
    {"coercion_court", false, "{\"power_type\":\"coercion\",\"decision_kind\":\"freeze\"}"},
    /* (4) expropriation */
    {"expropriation_land", true, "{\"power_type\":\"expropriation\",\"collective_land\":true}"},
    {"expropriation_land", true, "{\"power_type\":\"行政征收征用\",\"state_land_house\":true}"},
    {"expropriation_land", false, "{\"power_type\":\"expropriation\"}"},
    {"expropriation_land", false, "{\"power_type\":\"licensing\",\"state_land_house\":true}"},
    {"expropriation_people", true,
     "{\"power_type\":\"expropriation\",\"many_people_involved\":true}"},
    {"expropriation_people", true,
     "{\"power_type\":\"expropriation\",\"compensation_disputed\":true}"},
    {"expropriation_people", false, "{\"power_type\":\"expropriation\",\"people_involved\":3}"},
    {"expropriation_impact", true,
     "{\"power_type\":\"expropriation\",\"major_social_impact\":true}"},
    {"expropriation_impact", false, "{\"power_type\":\"penalty\",\"major_social_impact\":true}"},
};

static void test_default_rules_complete(void **state)
{
    size_t n;
    const zf_review_default_rule *d = zf_review_default_rules(&n);

    (void)state;
    assert_int_equal(n, 20);
    assert_int_equal(defaults->n_rules, n);
    assert_int_equal(defaults->state, ZF_CATALOG_DRAFT);
    assert_int_equal(defaults->version, 1);
    for (size_t i = 0; i < n; i++) {
        bool yes = false, no = false;

        assert_non_null(strstr(d[i].basis, "第12项"));
        assert_true(strlen(d[i].title) > 0);
        assert_string_equal(defaults->rules[i].code, d[i].code);
        for (size_t k = 0; k < sizeof class_cases / sizeof class_cases[0]; k++) {
            if (strcmp(class_cases[k].code, d[i].code) != 0)
                continue;
            yes |= class_cases[k].expect;
            no |= !class_cases[k].expect;
        }
        if (!yes || !no)
            fail_msg("default rule %s lacks a matching and a non-matching case", d[i].code);
    }
}

static void test_classification_table(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof class_cases / sizeof class_cases[0]; k++) {
        const class_case *c = &class_cases[k];
        zf_review_facts *f = facts(c->facts);
        zf_review_class cls;

        assert_non_null(zf_review_catalog_find(defaults, c->code));
        zf_review_classify(&cls, defaults, f);
        if (matched(&cls, c->code) != c->expect)
            fail_msg("rule %s on %s: expected %s", c->code, c->facts,
                     c->expect ? "match" : "no match");
        if (c->expect) {
            assert_true(cls.listed);
            for (size_t i = 0; i < cls.n_matches; i++)
                if (strcmp(cls.matches[i].code, c->code) == 0)
                    assert_string_equal(cls.matches[i].title,
                                        zf_review_catalog_find(defaults, c->code)->title);
        }
        zf_review_facts_free(f);
    }
}

static void test_classification_not_major_and_several(void **state)
{
    zf_review_facts *f = facts("{\"power_type\":\"penalty\",\"procedure\":\"simple\","
                               "\"decision_kind\":\"penalize\",\"fine_amount_yuan\":200}");
    zf_review_class cls;

    (void)state;
    zf_review_classify(&cls, defaults, f);
    assert_false(cls.listed);
    assert_int_equal(cls.n_matches, 0);
    assert_string_equal(cls.department, "市场监督管理局");
    zf_review_facts_free(f);

    f = facts("{\"power_type\":\"penalty\",\"procedure\":\"ordinary\",\"hearing_held\":true,"
              "\"legal_relations_count\":3}");
    zf_review_classify(&cls, defaults, f);
    assert_true(cls.listed);
    assert_int_equal(cls.n_matches, 3);
    /* in catalog order: general rules first */
    assert_string_equal(cls.matches[0].code, "general_hearing");
    assert_string_equal(cls.matches[1].code, "general_complex");
    assert_string_equal(cls.matches[2].code, "penalty_ordinary");
    assert_string_equal(cls.matches[2].title, "一般程序作出的行政处罚决定");
    zf_review_facts_free(f);
}

static void test_department_rule(void **state)
{
    zf_review_catalog *cat = NULL;
    zf_review_facts *big = facts("{\"power_type\":\"penalty\",\"procedure\":\"simple\","
                                 "\"fine_amount_yuan\":50000}");
    zf_review_facts *small = facts("{\"power_type\":\"penalty\",\"fine_amount_yuan\":49999.5}");
    const char *when = "{\"all\":[{\"field\":\"power_type\",\"eq\":\"penalty\"},"
                       "{\"field\":\"fine_amount_yuan\",\"gte\":50000}]}";
    zf_review_class cls;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_review_catalog_defaults(&cat, "市生态环境局", &err), 0);
    assert_int_equal(zf_review_catalog_add_rule(cat, "fine_50000", "罚款五万元以上",
                                                "本局重大执法决定法制审核目录清单第1项", when,
                                                strlen(when), &err),
                     0);
    zf_review_classify(&cls, cat, big);
    assert_true(matched(&cls, "fine_50000"));
    assert_false(matched(&cls, "penalty_ordinary"));
    zf_review_classify(&cls, cat, small);
    assert_false(cls.listed);

    /* duplicate code, bad code, missing basis, bad condition */
    assert_int_equal(zf_review_catalog_add_rule(cat, "fine_50000", "x", "y", when, strlen(when),
                                                &err),
                     ZF_EINVAL);
    assert_string_equal(err.code, "duplicate_rule");
    assert_int_equal(zf_review_catalog_add_rule(cat, "Fine-Big", "x", "y", when, strlen(when),
                                                &err),
                     ZF_EINVAL);
    assert_string_equal(err.field, "code");
    assert_int_equal(zf_review_catalog_add_rule(cat, "fine_x", "x", "", when, strlen(when), &err),
                     ZF_EINVAL);
    assert_string_equal(err.field, "basis");
    {
        const char *bad = "{\"field\":\"fine\",\"gt\":1}";

        assert_int_equal(zf_review_catalog_add_rule(cat, "fine_x", "x", "y", bad, strlen(bad),
                                                    &err),
                         ZF_EINVAL);
        assert_string_equal(err.code, "invalid_condition");
        assert_string_equal(err.field, "when");
        assert_non_null(strstr(err.message, "未知字段“fine”"));
    }
    assert_int_equal(cat->n_rules, 21);
    assert_int_equal(zf_review_catalog_remove_rule(cat, "nope", &err), ZF_ENOTFOUND);
    assert_int_equal(zf_review_catalog_remove_rule(cat, "fine_50000", &err), 0);
    assert_int_equal(cat->n_rules, 20);
    zf_review_catalog_free(cat);
    zf_review_facts_free(big);
    zf_review_facts_free(small);
}

/* ---- the condition language -------------------------------------------- */

typedef struct parse_case {
    const char *json;
    int rc;
    const char *message_part;
    const char *field; /* NULL: not checked */
} parse_case;

static void test_condition_parse_errors(void **state)
{
    static const parse_case cases[] = {
        {"{\"field\":\"fine_amout\",\"gt\":1}", ZF_EINVAL, "未知字段“fine_amout”", "when"},
        {"{\"field\":\"fine_amount_yuan\",\"gtt\":1}", ZF_EINVAL, "未知运算符或键“gtt”", NULL},
        {"{\"field\":\"fine_amount_yuan\",\"gt\":\"big\"}", ZF_EINVAL, "比较值应为数字", NULL},
        {"{\"field\":\"power_type\",\"eq\":\"penalti\"}", ZF_EINVAL, "没有取值“penalti”", NULL},
        {"{\"field\":\"hearing_held\",\"gt\":true}", ZF_EINVAL, "不能使用运算符 gt", NULL},
        {"{\"field\":\"tags\",\"eq\":\"x\"}", ZF_EINVAL, "不能使用运算符 eq", NULL},
        {"{\"field\":\"fine_amount_yuan\",\"gt\":1,\"lt\":5}", ZF_EINVAL, "只能有一个运算符",
         NULL},
        {"{\"field\":\"hearing_held\"}", ZF_EINVAL, "缺少运算符", NULL},
        {"{\"field\":7,\"eq\":1}", ZF_EINVAL, "field 应为字段名文本", NULL},
        {"{\"all\":[]}", ZF_EINVAL, "all 的值应为非空数组", NULL},
        {"{\"any\":{}}", ZF_EINVAL, "any 的值应为非空数组", NULL},
        {"{\"all\":[{\"field\":\"hearing_held\",\"eq\":true}],\"any\":[]}", ZF_EINVAL,
         "不能与其他键", NULL},
        {"[1]", ZF_EINVAL, "应为 JSON 对象", NULL},
        {"{}", ZF_EINVAL, "应含 all、any、not 之一", NULL},
        {"{", ZF_EINVAL, "JSON 格式错误", NULL},
        {"{\"field\":\"parties_count\",\"eq\":1.5}", ZF_EINVAL, "应为整数", NULL},
        {"{\"field\":\"hearing_held\",\"exists\":1}", ZF_EINVAL, "exists 的值", NULL},
        {"{\"all\":[{\"field\":\"hearing_held\",\"eq\":true},{\"not\":{\"field\":\"power_type\","
         "\"in\":[]}}]}",
         ZF_EINVAL, "in 的值应为1至64项的数组", "when.all[1].not"},
        {"{\"any\":[{\"field\":\"decision_kind\",\"in\":[\"seal\",\"sael\"]}]}", ZF_EINVAL,
         "没有取值“sael”", "when.any[0].in[1]"},
        {"{\"field\":\"hearing_held\",\"eq\":true,\"eq\":false}", ZF_EINVAL, "JSON 格式错误",
         NULL},
    };
    zf_err err;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zf_review_cond *c = (zf_review_cond *)1;
        int rc;

        zf_err_clear(&err);
        rc = zf_review_cond_parse(&c, cases[i].json, strlen(cases[i].json), "when", &err);
        if (rc != cases[i].rc || !strstr(err.message, cases[i].message_part))
            fail_msg("%s: rc %d message %s", cases[i].json, rc, err.message);
        assert_null(c);
        if (cases[i].field)
            assert_string_equal(err.field, cases[i].field);
    }
}

static void test_condition_limits(void **state)
{
    char deep[2048] = "";
    zf_review_cond *c = NULL;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    for (int i = 0; i < 20; i++)
        strcat(deep, "{\"not\":");
    strcat(deep, "{\"field\":\"hearing_held\",\"eq\":true}");
    for (int i = 0; i < 20; i++)
        strcat(deep, "}");
    assert_int_equal(zf_review_cond_parse(&c, deep, strlen(deep), NULL, &err), ZF_ETOOBIG);
    assert_non_null(strstr(err.message, "嵌套超过16层"));
    assert_null(c);
}

static void test_condition_semantics(void **state)
{
    (void)state;
    /* absent facts: comparisons false, ne too; yes/no absent counts as no */
    assert_false(eval("{\"field\":\"fine_amount_yuan\",\"gt\":0}", "{}"));
    assert_false(eval("{\"field\":\"fine_amount_yuan\",\"ne\":5}", "{}"));
    assert_true(eval("{\"not\":{\"field\":\"fine_amount_yuan\",\"gt\":0}}", "{}"));
    assert_true(eval("{\"field\":\"hearing_held\",\"eq\":false}", "{}"));
    assert_true(eval("{\"field\":\"fine_amount_yuan\",\"exists\":false}", "{}"));
    assert_true(eval("{\"field\":\"fine_amount_yuan\",\"exists\":true}",
                     "{\"fine_amount_yuan\":0}"));
    /* numbers */
    assert_true(eval("{\"field\":\"fine_amount_yuan\",\"gte\":10000}",
                     "{\"fine_amount_yuan\":10000}"));
    assert_false(eval("{\"field\":\"fine_amount_yuan\",\"gt\":10000}",
                      "{\"fine_amount_yuan\":10000}"));
    assert_true(eval("{\"field\":\"fine_amount_yuan\",\"lt\":10000.5}",
                     "{\"fine_amount_yuan\":10000}"));
    assert_true(eval("{\"field\":\"parties_count\",\"in\":[2,3]}", "{\"parties_count\":3}"));
    assert_false(eval("{\"field\":\"parties_count\",\"lte\":2}", "{\"parties_count\":3}"));
    /* enums, strings, lists; unknown keys in facts are ignored */
    assert_true(eval("{\"field\":\"decision_kind\",\"ne\":\"seal\"}",
                     "{\"decision_kind\":\"seize\",\"case_no\":\"X-1\"}"));
    assert_true(eval("{\"field\":\"matter_name\",\"contains\":\"食品\"}",
                     "{\"matter_name\":\"对生产经营不符合食品安全标准的食品的处罚\"}"));
    assert_true(eval("{\"field\":\"matter_code\",\"in\":[\"A1\",\"B2\"]}",
                     "{\"matter_code\":\"B2\"}"));
    assert_true(eval("{\"field\":\"tags\",\"contains\":\"跨区域\"}",
                     "{\"tags\":[\"首违\",\"跨区域\"]}"));
    assert_false(eval("{\"field\":\"tags\",\"contains\":\"跨\"}", "{\"tags\":[\"跨区域\"]}"));
    assert_true(eval("{\"any\":[{\"field\":\"suspected_crime\",\"eq\":true},"
                     "{\"field\":\"deviates_from_benchmark\",\"eq\":true}]}",
                     "{\"deviates_from_benchmark\":true}"));
}

static void test_condition_canonical(void **state)
{
    const char *in = "{\"all\":[{\"field\":\"power_type\",\"eq\":\"行政处罚\"},"
                     "{\"field\":\"fine_amount_yuan\",\"gte\":50000.0},"
                     "{\"field\":\"decision_kind\",\"in\":[\"处罚\",\"no_penalty\"]}]}";
    zf_review_cond *c = NULL, *c2 = NULL;
    char *out = NULL, *out2 = NULL;

    (void)state;
    assert_int_equal(zf_review_cond_parse(&c, in, strlen(in), NULL, NULL), 0);
    assert_int_equal(zf_review_cond_to_json(&out, c, NULL), 0);
    assert_string_equal(out, "{\"all\":[{\"eq\":\"penalty\",\"field\":\"power_type\"},"
                             "{\"field\":\"fine_amount_yuan\",\"gte\":50000},"
                             "{\"field\":\"decision_kind\",\"in\":[\"penalize\",\"no_penalty\"]}]}");
    assert_int_equal(zf_review_cond_parse(&c2, out, strlen(out), NULL, NULL), 0);
    assert_int_equal(zf_review_cond_to_json(&out2, c2, NULL), 0);
    assert_string_equal(out, out2);
    free(out);
    free(out2);
    zf_review_cond_free(c);
    zf_review_cond_free(c2);
}

static void test_facts_errors(void **state)
{
    static const struct {
        const char *json, *field;
    } bad[] = {
        {"{\"fine_amount_yuan\":\"5000\"}", "fine_amount_yuan"},
        {"{\"fine_amount_yuan\":-1}", "fine_amount_yuan"},
        {"{\"parties_count\":1.5}", "parties_count"},
        {"{\"hearing_held\":\"yes\"}", "hearing_held"},
        {"{\"power_type\":\"punish\"}", "power_type"},
        {"{\"tags\":[1]}", "tags"},
        {"[]", ""},
    };
    zf_review_facts *f = NULL;
    zf_err err;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zf_err_clear(&err);
        assert_int_equal(zf_review_facts_parse(&f, bad[i].json, strlen(bad[i].json), &err),
                         ZF_EINVAL);
        assert_null(f);
        assert_string_equal(err.field, bad[i].field);
        assert_true(strlen(err.message) > 0);
    }
    assert_non_null(strstr(err.message, "JSON 对象"));
}

/* ---- catalog JSON, filing and versions ---------------------------------- */

static void test_catalog_json_roundtrip(void **state)
{
    zf_review_catalog *cat = NULL, *again = NULL;
    char *a = NULL, *b = NULL;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_review_catalog_to_json(&a, defaults, &err), 0);
    assert_int_equal(zf_review_catalog_parse(&cat, a, strlen(a), &err), 0);
    assert_int_equal(cat->n_rules, defaults->n_rules);
    assert_string_equal(cat->department, "市场监督管理局");
    assert_int_equal(zf_review_catalog_to_json(&b, cat, &err), 0);
    assert_string_equal(a, b);
    free(b);

    /* a filed catalog without its date, a duplicate code, a bad condition */
    {
        const char *nodate = "{\"version\":2,\"state\":\"filed\",\"rules\":[]}";
        const char *dup = "{\"rules\":[{\"code\":\"a\",\"title\":\"t\",\"basis\":\"b\",\"when\":"
                          "{\"field\":\"hearing_held\",\"eq\":true}},{\"code\":\"a\",\"title\":"
                          "\"t\",\"basis\":\"b\",\"when\":{\"field\":\"hearing_held\",\"eq\":true}}]}";
        const char *badc = "{\"rules\":[{\"code\":\"a\",\"title\":\"t\",\"basis\":\"b\",\"when\":"
                           "{\"field\":\"hearing\",\"eq\":true}}]}";

        assert_int_equal(zf_review_catalog_parse(&again, nodate, strlen(nodate), &err),
                         ZF_EINVAL);
        assert_string_equal(err.field, "filed_on");
        assert_int_equal(zf_review_catalog_parse(&again, dup, strlen(dup), &err), ZF_EINVAL);
        assert_string_equal(err.code, "duplicate_rule");
        assert_int_equal(zf_review_catalog_parse(&again, badc, strlen(badc), &err), ZF_EINVAL);
        assert_string_equal(err.field, "rules[0].when");
        assert_non_null(strstr(err.message, "未知字段“hearing”"));
        assert_null(again);
    }
    free(a);
    zf_review_catalog_free(cat);
}

static void test_catalog_filing(void **state)
{
    zf_review_catalog *v1 = NULL, *v2 = NULL, *v3 = NULL;
    const zf_review_catalog *eff = NULL;
    const char *when = "{\"field\":\"fine_amount_yuan\",\"gte\":100000}";
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_review_catalog_defaults(&v1, "市城市管理局", &err), 0);

    /* nothing filed: the defaults apply; without a fallback, not found */
    {
        const zf_review_catalog *vs[] = {v1};

        assert_int_equal(zf_review_catalog_effective(&eff, vs, 1, P("2025-06-01"), defaults, &err),
                         0);
        assert_ptr_equal(eff, defaults);
        assert_int_equal(zf_review_catalog_effective(&eff, vs, 1, P("2025-06-01"), NULL, &err),
                         ZF_ENOTFOUND);
    }
    /* a draft cannot be filed; a submitted one cannot be edited */
    assert_int_equal(zf_review_catalog_file(v1, P("2025-03-01"), "司法备〔2025〕1号", &err),
                     ZF_ECONFLICT);
    assert_int_equal(zf_review_catalog_submit(v1, defaults, &err), 0);
    assert_int_equal(zf_review_catalog_add_rule(v1, "fine_big", "大额罚款", "本局规定", when,
                                                strlen(when), &err),
                     ZF_ECONFLICT);
    /* returned needs a reason, then back to draft */
    assert_int_equal(zf_review_catalog_return(v1, "", &err), ZF_EINVAL);
    assert_int_equal(zf_review_catalog_return(v1, "未列明罚款数额标准", &err), 0);
    assert_int_equal(v1->state, ZF_CATALOG_RETURNED);
    assert_int_equal(zf_review_catalog_reopen(v1, &err), 0);
    assert_int_equal(zf_review_catalog_add_rule(v1, "fine_big", "大额罚款", "本局规定", when,
                                                strlen(when), &err),
                     0);
    assert_int_equal(zf_review_catalog_submit(v1, defaults, &err), 0);
    assert_int_equal(zf_review_catalog_file(v1, P("2025-03-01"), "司法备〔2025〕1号", &err), 0);
    assert_string_equal(zf_review_catalog_state_label(v1->state), "已备案");
    assert_int_equal(zf_review_catalog_remove_rule(v1, "fine_big", &err), ZF_ECONFLICT);

    /* v2 narrows the seed's scope: refused at submission */
    assert_int_equal(zf_review_catalog_new_version(&v2, v1, &err), 0);
    assert_int_equal(v2->version, 2);
    assert_int_equal(v2->state, ZF_CATALOG_DRAFT);
    assert_int_equal(v2->n_rules, 21);
    assert_int_equal(zf_review_catalog_remove_rule(v2, "penalty_ordinary", &err), 0);
    assert_int_equal(zf_review_catalog_submit(v2, defaults, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "catalog_narrows_scope");
    assert_non_null(strstr(err.message, "penalty_ordinary（被删除）"));
    /* rewriting a default rule's condition is narrowing too */
    {
        const char *narrow = "{\"field\":\"fine_amount_yuan\",\"gt\":1}";

        assert_int_equal(zf_review_catalog_add_rule(v2, "penalty_ordinary",
                                                    "一般程序作出的行政处罚决定", "改写", narrow,
                                                    strlen(narrow), &err),
                         0);
    }
    assert_int_equal(zf_review_catalog_submit(v2, defaults, &err), ZF_ECONFLICT);
    assert_non_null(strstr(err.message, "条件被改动"));
    zf_review_catalog_free(v2);

    /* v2 proper: filed later than today does not apply yet; then it does */
    assert_int_equal(zf_review_catalog_new_version(&v2, v1, &err), 0);
    assert_int_equal(zf_review_catalog_new_version(&v3, v1, &err), 0); /* an unfiled draft */
    v3->version = 3;
    assert_int_equal(zf_review_catalog_submit(v2, defaults, &err), 0);
    assert_int_equal(zf_review_catalog_file(v2, P("2025-09-01"), "司法备〔2025〕9号", &err), 0);
    {
        const zf_review_catalog *vs[] = {v3, v2, v1};

        assert_int_equal(zf_review_catalog_effective(&eff, vs, 3, P("2025-08-31"), defaults, &err),
                         0);
        assert_ptr_equal(eff, v1);
        assert_int_equal(zf_review_catalog_effective(&eff, vs, 3, P("2025-09-01"), defaults, &err),
                         0);
        assert_ptr_equal(eff, v2);
    }
    zf_review_catalog_free(v1);
    zf_review_catalog_free(v2);
    zf_review_catalog_free(v3);
}

/* ---- overrides --------------------------------------------------------- */

static void test_override(void **state)
{
    zf_review_facts *listed = facts("{\"power_type\":\"penalty\",\"procedure\":\"ordinary\"}");
    zf_review_facts *unlisted = facts("{\"power_type\":\"inspection\"}");
    zf_review_class a, b;
    zf_review_determination det;
    zf_review_override ov = {ZF_REVIEW_MARK_MAJOR, "张局长", "", 0};
    zf_err err = ZF_ERR_INIT;

    (void)state;
    zf_review_classify(&a, defaults, listed);
    zf_review_classify(&b, defaults, unlisted);
    assert_int_equal(zf_review_determine(&det, &a, NULL, &err), 0);
    assert_true(det.major && det.listed && !det.overridden && !det.bureau_notice);

    /* head marks an unlisted decision major: no reason needed */
    assert_int_equal(zf_review_determine(&det, &b, &ov, &err), 0);
    assert_true(det.major && !det.listed && det.overridden && !det.bureau_notice);

    /* the reverse needs a listed case, a reason, and tells the Justice Bureau */
    ov.kind = ZF_REVIEW_MARK_NOT_MAJOR;
    assert_int_equal(zf_review_determine(&det, &b, &ov, &err), ZF_ECONFLICT);
    assert_int_equal(zf_review_determine(&det, &a, &ov, &err), ZF_EINVAL);
    assert_string_equal(err.code, "reason_required");
    snprintf(ov.reason, sizeof ov.reason, "%s", "系对同一违法行为的重复立案，已合并处理");
    assert_int_equal(zf_review_determine(&det, &a, &ov, &err), 0);
    assert_true(!det.major && det.listed && det.overridden && det.bureau_notice);
    ov.by[0] = '\0';
    assert_int_equal(zf_review_determine(&det, &a, &ov, &err), ZF_EINVAL);
    assert_string_equal(err.field, "by");
    zf_review_facts_free(listed);
    zf_review_facts_free(unlisted);
}

/* ---- submission and routing -------------------------------------------- */

static void test_submission_completeness(void **state)
{
    unsigned missing = 0, all5 = 0;
    zf_err err = ZF_ERR_INIT;
    char text[256];

    (void)state;
    assert_int_equal(zf_review_submission_check(&missing, 0, false, &err), ZF_EINVAL);
    assert_string_equal(err.code, "submission_incomplete");
    assert_string_equal(err.message, "送审材料不全，缺少：情况说明、法律依据、事实依据及证据、"
                                     "程序资料、拟作出决定的建议");
    assert_int_equal(missing, 0x1f);

    for (int m = 0; m < ZF_MAT_HEARING_RECORD; m++)
        all5 |= ZF_MAT_BIT(m);
    assert_int_equal(zf_review_submission_check(&missing, all5, false, &err), 0);
    assert_int_equal(missing, 0);
    assert_int_equal(zf_review_submission_check(&missing, all5, true, &err), ZF_EINVAL);
    assert_int_equal(missing, ZF_MAT_BIT(ZF_MAT_HEARING_RECORD));
    assert_string_equal(err.message, "送审材料不全，缺少：听证笔录");
    assert_int_equal(zf_review_submission_check(
                         &missing, all5 & ~ZF_MAT_BIT(ZF_MAT_PROPOSAL), false, &err),
                     ZF_EINVAL);
    assert_string_equal(zf_review_materials_text(text, sizeof text, missing), "拟作出决定的建议");
    assert_int_equal(zf_review_submission_check(
                         &missing, all5 | ZF_MAT_BIT(ZF_MAT_HEARING_RECORD), true, &err),
                     0);

    {
        zf_review_material m;

        assert_int_equal(zf_review_material_parse(&m, "听证笔录", &err), 0);
        assert_int_equal(m, ZF_MAT_HEARING_RECORD);
        assert_int_equal(zf_review_material_parse(&m, "proposal", &err), 0);
        assert_int_equal(m, ZF_MAT_PROPOSAL);
        assert_int_equal(zf_review_material_parse(&m, "photo", &err), ZF_EINVAL);
    }
}

static void test_routing(void **state)
{
    zf_review_facts *gov = facts("{\"power_type\":\"licensing\",\"in_government_name\":true}");
    zf_review_facts *dep = facts("{\"power_type\":\"licensing\"}");

    (void)state;
    assert_int_equal(zf_review_route_for(gov), ZF_ROUTE_JUSTICE_BUREAU);
    assert_string_equal(zf_review_route_label(zf_review_route_for(gov)), "市司法局");
    assert_int_equal(zf_review_route_for(dep), ZF_ROUTE_DEPARTMENT);
    assert_string_equal(zf_review_route_code(ZF_ROUTE_DEPARTMENT), "department");
    zf_review_facts_free(gov);
    zf_review_facts_free(dep);
}

/* ---- rounds ------------------------------------------------------------ */

#define ALL5 (ZF_MAT_BIT(ZF_MAT_SITUATION) | ZF_MAT_BIT(ZF_MAT_LEGAL_BASIS) | \
              ZF_MAT_BIT(ZF_MAT_FACTS_EVIDENCE) | ZF_MAT_BIT(ZF_MAT_PROCEDURE) |  \
              ZF_MAT_BIT(ZF_MAT_PROPOSAL))

static const zf_review_reviewer qualified = {"李审核", true, 0, false};

static void check_all(zf_review_history *h, zf_review_check_state st)
{
    zf_err err = ZF_ERR_INIT;

    for (int p = 0; p < ZF_POINT_COUNT; p++)
        if (zf_review_note_point(h, (zf_review_point)p, st,
                                 st == ZF_CHECK_PROBLEM ? "证据不足" : "", &err) != 0)
            fail_msg("note %d: %s", p, err.message);
}

/* Submit, receive, note all points, conclude. */
static void round_through(zf_review_history *h, const zf_review_facts *f, const char *day,
                          const char *outcome, const char *reasons, const char *ref)
{
    zf_err err = ZF_ERR_INIT;

    if (zf_review_submit(h, f, ALL5, "王执法", P(day), ref, &err) != 0 ||
        zf_review_receive(h, cal, &cfg, &qualified, P(day), &err) != 0)
        fail_msg("submit/receive on %s: %s", day, err.message);
    check_all(h, strcmp(outcome, "agree") == 0 ? ZF_CHECK_CONFORMS : ZF_CHECK_PROBLEM);
    if (zf_review_conclude(h, cal, &cfg, outcome, reasons, P(day), &err) != 0)
        fail_msg("conclude %s: %s", outcome, err.message);
}

static bool gate(zf_review_gate *g, const zf_review_facts *f, const zf_review_history *h,
                 const char *ref)
{
    return zf_review_gate_allows_decision(g, defaults, f, NULL, h, &cfg, ref);
}

static void test_third_round_passes(void **state)
{
    zf_review_facts *f = facts("{\"power_type\":\"penalty\",\"procedure\":\"ordinary\","
                               "\"fine_amount_yuan\":80000}");
    zf_review_history h = ZF_REVIEW_HISTORY_INIT;
    const zf_review_round *r;
    zf_review_gate g;
    zf_err err = ZF_ERR_INIT;
    char d[ZF_DATE_STRLEN];

    (void)state;
    /* round 1: received the day before National Day 2025; the clock skips the
     * holiday and lands on the adjusted working Saturday 10-11 */
    assert_int_equal(zf_review_submit(&h, f, ALL5, "王执法", P("2025-09-29"), "sha-1", &err), 0);
    assert_false(gate(&g, f, &h, NULL));
    assert_string_equal(g.code, "review_pending");
    assert_int_equal(zf_review_receive(&h, cal, &cfg, &qualified, P("2025-09-30"), &err), 0);
    r = zf_review_history_latest(&h);
    assert_int_equal(r->no, 1);
    assert_int_equal(r->state, ZF_ROUND_IN_REVIEW);
    assert_string_equal(zf_date_format(d, r->clock.due), "2025-10-11");
    assert_int_equal(zf_review_conclude(&h, cal, &cfg, "暂不同意", "缺少现场检查笔录",
                                        P("2025-10-09"), &err),
                     ZF_ECONFLICT);
    assert_string_equal(err.code, "checklist_incomplete");
    check_all(&h, ZF_CHECK_CONFORMS);
    assert_int_equal(zf_review_note_point(&h, ZF_POINT_FACTS, ZF_CHECK_PROBLEM, "", &err),
                     ZF_EINVAL);
    assert_string_equal(err.code, "note_required");
    assert_int_equal(zf_review_note_point(&h, ZF_POINT_FACTS, ZF_CHECK_PROBLEM,
                                          "缺少现场检查笔录", &err),
                     0);
    assert_int_equal(zf_review_conclude(&h, cal, &cfg, "暂不同意", "", P("2025-10-09"), &err),
                     ZF_EINVAL);
    assert_string_equal(err.code, "reason_required");
    assert_int_equal(zf_review_conclude(&h, cal, &cfg, "同意", NULL, P("2025-10-09"), &err),
                     ZF_ECONFLICT);
    assert_string_equal(err.code, "checklist_has_problem");
    assert_int_equal(zf_review_conclude(&h, cal, &cfg, "暂不同意", "需补充现场检查笔录",
                                        P("2025-10-09"), &err),
                     0);
    assert_string_equal(h.rounds[0].outcome, "not_yet");
    assert_int_equal(zf_clock_state_at(&h.rounds[0].clock, cal, P("2025-10-20"), -1),
                     ZF_CLOCK_DONE_ON_TIME);
    assert_false(gate(&g, f, &h, NULL));
    assert_string_equal(g.code, "review_not_agreed");
    assert_non_null(strstr(g.reason, "暂不同意"));
    /* not returned yet: cannot resubmit */
    assert_int_equal(zf_review_submit(&h, f, ALL5, "王执法", P("2025-10-10"), "sha-2", &err),
                     ZF_ECONFLICT);
    assert_int_equal(zf_review_return(&h, P("2025-10-09"), &err), 0);
    assert_false(gate(&g, f, &h, NULL));

    /* round 2: 不同意 */
    round_through(&h, f, "2025-10-13", "disagree", "违法事实不清", "sha-2");
    assert_int_equal(h.n, 2);
    assert_int_equal(h.rounds[1].no, 2);
    assert_string_equal(h.rounds[1].outcome_label, "不同意");
    assert_false(gate(&g, f, &h, NULL));
    assert_string_equal(g.code, "review_not_agreed");
    assert_int_equal(zf_review_return(&h, P("2025-10-14"), &err), 0);

    /* round 3: 同意 */
    round_through(&h, f, "2025-10-15", "agree", NULL, "sha-3");
    assert_int_equal(h.n, 3);
    assert_true(h.rounds[2].outcome_passes);
    assert_int_equal(zf_review_return(&h, P("2025-10-16"), &err), ZF_ECONFLICT);
    assert_true(gate(&g, f, &h, NULL));
    assert_true(g.major);
    assert_true(gate(&g, f, &h, "sha-3"));
    /* the decision recorded must be the proposal that was agreed */
    assert_false(gate(&g, f, &h, "sha-2"));
    assert_string_equal(g.code, "proposal_mismatch");

    zf_review_history_free(&h);
    zf_review_facts_free(f);
}

static void test_extension_once(void **state)
{
    zf_review_facts *f = facts("{\"power_type\":\"coercion\",\"decision_kind\":\"seal\"}");
    zf_review_history h = ZF_REVIEW_HISTORY_INIT;
    zf_err err = ZF_ERR_INIT;
    char d[ZF_DATE_STRLEN];

    (void)state;
    assert_int_equal(zf_review_extend(&h, cal, "赵分管", P("2025-09-30"), &err), ZF_ECONFLICT);
    assert_int_equal(zf_review_submit(&h, f, ALL5, "王执法", P("2025-09-30"), NULL, &err), 0);
    assert_int_equal(zf_review_extend(&h, cal, "赵分管", P("2025-09-30"), &err), ZF_ECONFLICT);
    assert_int_equal(zf_review_receive(&h, cal, &cfg, &qualified, P("2025-09-30"), &err), 0);
    assert_int_equal(zf_review_extend(&h, cal, "", P("2025-10-09"), &err), ZF_EINVAL);
    assert_int_equal(zf_review_extend(&h, cal, "赵分管", P("2025-10-09"), &err), 0);
    assert_string_equal(zf_date_format(d, h.rounds[0].clock.due), "2025-10-14");
    assert_string_equal(h.rounds[0].clock.approver, "赵分管");
    assert_int_equal(zf_review_extend(&h, cal, "钱分管", P("2025-10-10"), &err), ZF_ECONFLICT);
    assert_int_equal(zf_clock_state_at(&h.rounds[0].clock, cal, P("2025-10-15"), -1),
                     ZF_CLOCK_OVERDUE);
    zf_review_history_free(&h);
    zf_review_facts_free(f);
}

static void test_round_requirements(void **state)
{
    zf_review_facts *f = facts("{\"power_type\":\"penalty\",\"procedure\":\"ordinary\","
                               "\"hearing_held\":true}");
    zf_review_history h = ZF_REVIEW_HISTORY_INIT;
    zf_review_reviewer novice = {"周新人", false, 0, false};
    zf_review_reviewer veteran = {"吴老审", false, 12, false};
    zf_review_reviewer pool = {"郑律师", true, 0, true};
    zf_err err = ZF_ERR_INIT;

    (void)state;
    /* a hearing was held: the 听证笔录 is required */
    assert_int_equal(zf_review_submit(&h, f, ALL5, "王执法", P("2025-06-03"), NULL, &err),
                     ZF_EINVAL);
    assert_non_null(strstr(err.message, "听证笔录"));
    assert_int_equal(h.n, 0);
    assert_int_equal(zf_review_submit(&h, f, ALL5 | ZF_MAT_BIT(ZF_MAT_HEARING_RECORD), "",
                                      P("2025-06-03"), NULL, &err),
                     ZF_EINVAL);
    assert_int_equal(zf_review_submit(&h, f, ALL5 | ZF_MAT_BIT(ZF_MAT_HEARING_RECORD), "王执法",
                                      P("2025-06-03"), NULL, &err),
                     0);
    assert_int_equal(h.rounds[0].route, ZF_ROUTE_DEPARTMENT);
    /* nothing can be noted before receipt; a second submission is refused */
    assert_int_equal(zf_review_note_point(&h, ZF_POINT_LAW, ZF_CHECK_CONFORMS, NULL, &err),
                     ZF_ECONFLICT);
    assert_int_equal(zf_review_submit(&h, f, 0x3f, "王执法", P("2025-06-03"), NULL, &err),
                     ZF_ECONFLICT);
    /* 行政处罚法 第五十八条: a first review needs the legal qualification */
    assert_int_equal(zf_review_receive(&h, cal, &cfg, &novice, P("2025-06-04"), &err), ZF_EPERM);
    assert_string_equal(err.code, "reviewer_not_qualified");
    assert_int_equal(zf_review_reviewer_check(&veteran, &err), 0);
    assert_int_equal(zf_review_receive(&h, cal, &cfg, &qualified, P("2025-06-02"), &err),
                     ZF_EINVAL);
    assert_int_equal(zf_review_receive(&h, cal, &cfg, &pool, P("2025-06-04"), &err), 0);
    assert_true(h.rounds[0].reviewer_from_pool);
    assert_string_equal(h.rounds[0].reviewer, "郑律师");
    assert_int_equal(zf_review_receive(&h, cal, &cfg, &qualified, P("2025-06-04"), &err),
                     ZF_ECONFLICT);
    /* unknown outcome */
    check_all(&h, ZF_CHECK_CONFORMS);
    assert_int_equal(zf_review_conclude(&h, cal, &cfg, "maybe", "x", P("2025-06-05"), &err),
                     ZF_EINVAL);
    assert_string_equal(err.code, "invalid_outcome");
    assert_int_equal(zf_review_conclude(&h, cal, &cfg, "不同意", NULL, P("2025-06-05"), &err),
                     ZF_EINVAL);
    assert_string_equal(err.code, "reason_required");
    assert_int_equal(zf_review_conclude(&h, cal, &cfg, "同意", NULL, P("2025-06-05"), &err), 0);
    assert_int_equal(zf_review_conclude(&h, cal, &cfg, "同意", NULL, P("2025-06-05"), &err),
                     ZF_ECONFLICT);
    /* collective discussion only after a conclusion that did not pass */
    assert_int_equal(zf_review_collective(&h, ZF_COLLECTIVE_PROCEED, "纪要", P("2025-06-06"),
                                          &err),
                     ZF_ECONFLICT);
    zf_review_history_free(&h);
    zf_review_facts_free(f);
}

static void test_locality_outcomes(void **state)
{
    zf_review_config two;
    zf_review_facts *f = facts("{\"power_type\":\"coercion\",\"decision_kind\":\"seize\"}");
    zf_review_history h = ZF_REVIEW_HISTORY_INIT;
    zf_err err = ZF_ERR_INIT;
    char d[ZF_DATE_STRLEN];

    (void)state;
    assert_int_equal(zf_review_config_validate(&cfg, &err), 0);
    zf_review_config_default(&two);
    two.n_outcomes = 2;
    two.outcomes[1] = two.outcomes[2]; /* 同意 / 不同意 only */
    two.review_workdays = 5;
    assert_int_equal(zf_review_config_validate(&two, &err), 0);
    assert_int_equal(zf_review_submit(&h, f, ALL5, "王执法", P("2025-06-03"), NULL, &err), 0);
    assert_int_equal(zf_review_receive(&h, cal, &two, &qualified, P("2025-06-03"), &err), 0);
    assert_string_equal(zf_date_format(d, h.rounds[0].clock.due), "2025-06-10");
    check_all(&h, ZF_CHECK_PROBLEM);
    assert_int_equal(zf_review_conclude(&h, cal, &two, "暂不同意", "x", P("2025-06-04"), &err),
                     ZF_EINVAL);
    assert_int_equal(zf_review_conclude(&h, cal, &two, "不同意", "超越职权", P("2025-06-04"),
                                        &err),
                     0);

    /* bad configurations */
    two.outcomes[1].reason_required = false;
    assert_int_equal(zf_review_config_validate(&two, &err), ZF_EINVAL);
    zf_review_config_default(&two);
    two.outcomes[0].passes = false;
    two.outcomes[0].reason_required = true;
    assert_int_equal(zf_review_config_validate(&two, &err), ZF_EINVAL);
    zf_review_config_default(&two);
    two.reviewer_percent = 0;
    assert_int_equal(zf_review_config_validate(&two, &err), ZF_EINVAL);
    zf_review_history_free(&h);
    zf_review_facts_free(f);
}

/* ---- the gate on every path -------------------------------------------- */

static void test_gate_paths(void **state)
{
    zf_review_facts *minor = facts("{\"power_type\":\"penalty\",\"procedure\":\"simple\"}");
    zf_review_facts *major = facts("{\"power_type\":\"coercion\",\"decision_kind\":\"demolish\"}");
    zf_review_history none = ZF_REVIEW_HISTORY_INIT, h = ZF_REVIEW_HISTORY_INIT;
    zf_review_override ov;
    zf_review_config coll = cfg;
    zf_review_gate g;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    /* not major → allowed, with or without rounds */
    assert_true(gate(&g, minor, &none, NULL));
    assert_false(g.major);
    assert_true(gate(&g, minor, NULL, NULL));
    /* major without review → refused */
    assert_false(gate(&g, major, &none, NULL));
    assert_true(g.major);
    assert_string_equal(g.code, "review_required");
    assert_non_null(strstr(g.reason, "未经法制审核"));
    assert_false(gate(&g, major, NULL, NULL));
    /* submitted, in review → refused */
    assert_int_equal(zf_review_submit(&h, major, ALL5, "王执法", P("2025-06-03"), NULL, &err), 0);
    assert_false(gate(&g, major, &h, NULL));
    assert_string_equal(g.code, "review_pending");
    assert_int_equal(zf_review_receive(&h, cal, &cfg, &qualified, P("2025-06-03"), &err), 0);
    assert_false(gate(&g, major, &h, NULL));
    assert_string_equal(g.code, "review_pending");
    /* earlier 同意 but latest 不同意 → refused */
    check_all(&h, ZF_CHECK_CONFORMS);
    assert_int_equal(zf_review_conclude(&h, cal, &cfg, "agree", NULL, P("2025-06-04"), &err), 0);
    assert_true(gate(&g, major, &h, NULL));
    round_through(&h, major, "2025-06-05", "disagree", "强制拆除对象认定错误", NULL);
    assert_false(gate(&g, major, &h, NULL));
    assert_string_equal(g.code, "review_not_agreed");
    assert_non_null(strstr(g.reason, "第2轮"));
    /* collective discussion: recorded, but opens the gate only if configured */
    assert_int_equal(zf_review_collective(&h, ZF_COLLECTIVE_PROCEED, "", P("2025-06-06"), &err),
                     ZF_EINVAL);
    assert_int_equal(zf_review_collective(&h, ZF_COLLECTIVE_PROCEED,
                                          "局务会议纪要〔2025〕12号：同意作出拆除决定",
                                          P("2025-06-06"), &err),
                     0);
    assert_int_equal(zf_review_collective(&h, ZF_COLLECTIVE_UPHOLD, "再议", P("2025-06-07"),
                                          &err),
                     ZF_ECONFLICT);
    assert_false(gate(&g, major, &h, NULL));
    coll.collective_may_decide = true;
    assert_true(zf_review_gate_allows_decision(&g, defaults, major, NULL, &h, &coll, NULL));
    h.rounds[1].collective = ZF_COLLECTIVE_UPHOLD;
    assert_false(zf_review_gate_allows_decision(&g, defaults, major, NULL, &h, &coll, NULL));
    /* returned and resubmitted (round 3), latest 暂不同意 → refused; then 同意 → allowed */
    assert_int_equal(zf_review_return(&h, P("2025-06-09"), &err), 0);
    round_through(&h, major, "2025-06-10", "not_yet", "需补正送达程序", NULL);
    assert_false(gate(&g, major, &h, NULL));
    assert_string_equal(g.code, "review_not_agreed");
    assert_int_equal(zf_review_return(&h, P("2025-06-10"), &err), 0);
    round_through(&h, major, "2025-06-11", "agree", NULL, NULL);
    assert_true(gate(&g, major, &h, NULL));

    /* overrides: an unlisted case marked major needs review; a listed one
     * marked not major (with reason) passes; a bad override fails closed */
    memset(&ov, 0, sizeof ov);
    ov.kind = ZF_REVIEW_MARK_MAJOR;
    snprintf(ov.by, sizeof ov.by, "%s", "张局长");
    assert_false(zf_review_gate_allows_decision(&g, defaults, minor, &ov, &none, &cfg, NULL));
    assert_string_equal(g.code, "review_required");
    ov.kind = ZF_REVIEW_MARK_NOT_MAJOR;
    assert_false(zf_review_gate_allows_decision(&g, defaults, major, &ov, &none, &cfg, NULL));
    assert_string_equal(g.code, "invalid_override");
    snprintf(ov.reason, sizeof ov.reason, "%s", "临时设施，当事人已自行拆除");
    assert_true(zf_review_gate_allows_decision(&g, defaults, major, &ov, &none, &cfg, NULL));
    /* missing inputs fail closed */
    assert_false(zf_review_gate_allows_decision(&g, NULL, minor, NULL, &none, &cfg, NULL));
    assert_string_equal(g.code, "invalid_input");
    assert_false(zf_review_gate_allows_decision(&g, defaults, NULL, NULL, &none, &cfg, NULL));

    zf_review_history_free(&h);
    zf_review_facts_free(minor);
    zf_review_facts_free(major);
}

/* ---- staffing ---------------------------------------------------------- */

static void test_staffing(void **state)
{
    static const struct {
        int officers, reviewers, required, shortfall;
    } t[] = {
        {19, 0, 1, 1}, {20, 1, 1, 0}, {21, 1, 2, 1}, {0, 0, 0, 0},
        {100, 5, 5, 0}, {101, 3, 6, 3}, {41, 1, 3, 2}, {1, 4, 1, 0},
    };
    zf_review_staffing s;
    zf_review_config ten = cfg;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_int_equal(zf_review_staffing_compute(&s, t[i].officers, t[i].reviewers, &cfg, &err),
                         0);
        assert_int_equal(s.required, t[i].required);
        assert_int_equal(s.shortfall, t[i].shortfall);
        assert_int_equal(s.meets, t[i].shortfall == 0);
    }
    ten.reviewer_percent = 10;
    assert_int_equal(zf_review_staffing_compute(&s, 21, 2, &ten, &err), 0);
    assert_int_equal(s.required, 3);
    assert_int_equal(zf_review_staffing_compute(&s, -1, 0, &cfg, &err), ZF_EINVAL);
}

static void test_labels(void **state)
{
    (void)state;
    assert_string_equal(zf_review_point_label(ZF_POINT_SUBJECT), "主体与执法资格");
    assert_string_equal(zf_review_point_label(ZF_POINT_CRIME), "是否涉嫌犯罪需移送");
    assert_string_equal(zf_review_round_state_code(ZF_ROUND_RETURNED), "returned");
    assert_string_equal(zf_review_catalog_state_code(ZF_CATALOG_SUBMITTED), "submitted");
    assert_true(zf_review_field_count() >= 27);
    for (size_t i = 0; i < zf_review_field_count(); i++) {
        const char *name, *label, *type, *values;

        assert_true(zf_review_field_info(i, &name, &label, &type, &values));
        assert_true(strlen(label) > 0);
        if (strcmp(type, "enum") == 0)
            assert_true(strlen(values) > 0);
    }
    assert_false(zf_review_field_info(zf_review_field_count(), NULL, NULL, NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_rules_complete),
        cmocka_unit_test(test_classification_table),
        cmocka_unit_test(test_classification_not_major_and_several),
        cmocka_unit_test(test_department_rule),
        cmocka_unit_test(test_condition_parse_errors),
        cmocka_unit_test(test_condition_limits),
        cmocka_unit_test(test_condition_semantics),
        cmocka_unit_test(test_condition_canonical),
        cmocka_unit_test(test_facts_errors),
        cmocka_unit_test(test_catalog_json_roundtrip),
        cmocka_unit_test(test_catalog_filing),
        cmocka_unit_test(test_override),
        cmocka_unit_test(test_submission_completeness),
        cmocka_unit_test(test_routing),
        cmocka_unit_test(test_third_round_passes),
        cmocka_unit_test(test_extension_once),
        cmocka_unit_test(test_round_requirements),
        cmocka_unit_test(test_locality_outcomes),
        cmocka_unit_test(test_gate_paths),
        cmocka_unit_test(test_staffing),
        cmocka_unit_test(test_labels),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
