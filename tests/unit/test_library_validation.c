/* test_library_validation.c — the three-library handlers (api/library.c)
 * called directly on a fresh database: validation, uniqueness (409),
 * department scope for heads, audit rows and "a rejected request changes
 * nothing", list pagination and the LIKE escaping of q. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */

typedef struct query {
    const char *kv[16]; /* key, value, key, value ... NULL */
} query;

static const char *query_get(void *h, const char *key)
{
    query *q = h;
    int i;

    for (i = 0; q && q->kv[i]; i += 2)
        if (strcmp(q->kv[i], key) == 0)
            return q->kv[i + 1];
    return NULL;
}

static zf_db *db;
static char dbpath[64];
static zf_principal admin = {1, "admin", "管理员", ZF_ROLE_ADMIN, 1, 0, 0, ""};
static zf_principal head = {2, "head1", "负责人", ZF_ROLE_HEAD, 1, 0, 0, ""};
static zf_principal auditor = {3, "auditor1", "审计员", ZF_ROLE_AUDITOR, 1, 0, 0, ""};
static int64_t dept1, dept2, unit1, unit2, law1;

static const zf_route *route(const char *method, const char *pattern)
{
    const zf_route *r;

    for (r = zf_library_routes; r->method; r++)
        if (strcmp(r->method, method) == 0 && strcmp(r->pattern, pattern) == 0)
            return r;
    fail_msg("no route %s %s", method, pattern);
    return NULL;
}

/* Runs a route the way the server does (authz, then handler); returns the
 * HTTP status and leaves the body in *out (caller frees). */
static int call(char **out, const zf_principal *who, const char *method, const char *pattern,
                const char *param, const char *body, query *q)
{
    const zf_route *r = route(method, pattern);
    zf_ctx c;
    int rc, status;

    memset(&c, 0, sizeof c);
    c.db = db;
    c.who = who;
    c.now = 1767225600; /* 2026-01-01 */
    c.method = method;
    c.path = pattern;
    c.ip = "127.0.0.1";
    c.request_id = "t";
    if (param) {
        c.params[0] = param;
        c.nparams = 1;
    }
    c.body = body ? body : "";
    c.body_len = body ? strlen(body) : 0;
    c.query_fn = query_get;
    c.query_h = q;
    c.status = 200;
    rc = zf_authz_check(r, &c);
    if (rc == 0)
        rc = r->handler(&c);
    if (rc < 0)
        zf_ctx_error(&c, &c.err);
    status = c.status;
    *out = zf_buf_detach(&c.out);
    zf_ctx_release(&c);
    return status;
}

static json_t *call_json(int *status, const zf_principal *who, const char *method,
                         const char *pattern, const char *param, const char *body, query *q)
{
    char *s;
    json_t *v;
    json_error_t je;

    *status = call(&s, who, method, pattern, param, body, q);
    v = json_loads(s, 0, &je);
    if (!v)
        fail_msg("response is not JSON: %s (%s)", s, je.text);
    free(s);
    return v;
}

static const char *err_code(json_t *v)
{
    return json_string_value(json_object_get(json_object_get(v, "error"), "code"));
}

static const char *err_field(json_t *v)
{
    return json_string_value(json_object_get(json_object_get(v, "error"), "field"));
}

static int64_t count(const char *sql)
{
    int64_t n = -1;
    assert_int_equal(zf_db_query_int64(db, &n, sql, NULL, 0, NULL), 1);
    return n;
}

static int64_t create(const char *pattern, const char *param, const char *body)
{
    int status;
    json_t *v = call_json(&status, &admin, "POST", pattern, param, body, NULL);
    int64_t id;

    if (status != 201)
        fail_msg("create %s: %d %s", pattern, status, json_dumps(v, 0));
    id = json_integer_value(json_object_get(v, "id"));
    json_decref(v);
    assert_true(id > 0);
    return id;
}

static int setup(void **state)
{
    char p[32];

    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/zf_libtest_%d.db", (int)getpid());
    unlink(dbpath);
    assert_int_equal(zf_db_open(&db, zf_test_db_location(dbpath), NULL), 0);
    assert_int_equal(zf_db_migrate(db, NULL), 0);
    dept1 = create("/api/v1/departments", NULL,
                   "{\"code\":\"SJJ\",\"name\":\"市场监督管理局\",\"email\":\"a@b.gov.cn\","
                   "\"postcode\":\"310000\",\"phone\":\"0571-12345\"}");
    dept2 = create("/api/v1/departments", NULL, "{\"code\":\"HBJ\",\"name\":\"生态环境局\"}");
    head.department_id = dept1;
    snprintf(p, sizeof p, "%lld", (long long)dept1);
    unit1 = create("/api/v1/departments/{id}/units", p, "{\"name\":\"稽查支队\"}");
    snprintf(p, sizeof p, "%lld", (long long)dept2);
    unit2 = create("/api/v1/departments/{id}/units", p, "{\"name\":\"监察大队\"}");
    law1 = create("/api/v1/laws", NULL,
                  "{\"title\":\"中华人民共和国行政处罚法\",\"category\":\"法律\","
                  "\"effective_date\":\"2021-07-15\",\"articles\":["
                  "{\"no\":1,\"text\":\"为了规范行政处罚的设定和实施……\"},"
                  "{\"no\":11,\"text\":\"行政法规可以设定除限制人身自由以外的行政处罚。\"},"
                  "{\"no\":110,\"label\":\"第一百一十条\",\"text\":\"……\"}]}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zf_db_close(db);
    unlink(dbpath);
    return 0;
}

static void test_department_validation(void **state)
{
    static const struct {
        const char *body, *code, *field;
    } bad[] = {
        {"{\"code\":\"A B\",\"name\":\"甲\"}", "validation_failed", "code"},
        {"{\"code\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"name\":\"甲\"}", "validation_failed",
         "code"},
        {"{\"code\":\"A1\",\"name\":\"甲\",\"email\":\"not-mail\"}", "validation_failed", "email"},
        {"{\"code\":\"A1\",\"name\":\"甲\",\"postcode\":\"31000\"}", "validation_failed",
         "postcode"},
        {"{\"code\":\"A1\",\"name\":\"甲\",\"phone\":\"call me\"}", "validation_failed", "phone"},
        {"{\"code\":\"A1\",\"name\":\"甲\",\"website\":\"javascript:x\"}", "validation_failed",
         "website"},
        {"{\"code\":\"A1\",\"name\":\"   \"}", "validation_failed", "name"},
        {"{\"code\":\"A1\"}", "validation_failed", "name"},
        {"{\"code\":\"A1\",\"name\":\"甲\",\"id\":5}", "unknown_field", "id"},
        {"{\"code\":7,\"name\":\"甲\"}", "wrong_type", "code"},
        {"{\"code\":\"SJJ\",\"name\":\"甲\"}", "duplicate", "code"},
        {"{\"code\":\"A1\",\"name\":\"生态环境局\"}", "duplicate", "name"},
        {"[1]", "invalid_json", ""},
    };
    int64_t before = count("SELECT COUNT(*) FROM departments"),
            audits = count("SELECT COUNT(*) FROM audit_log");
    size_t i;
    int status;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *v =
            call_json(&status, &admin, "POST", "/api/v1/departments", NULL, bad[i].body, NULL);
        assert_string_equal(err_code(v), bad[i].code);
        assert_string_equal(err_field(v), bad[i].field);
        assert_int_equal(status, strcmp(bad[i].code, "duplicate") == 0 ? 409 : 400);
        json_decref(v);
    }
    assert_int_equal(count("SELECT COUNT(*) FROM departments"), before);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log"), audits);
}

static void test_department_update_and_scope(void **state)
{
    char p[32];
    json_t *v;
    int status;

    (void)state;
    snprintf(p, sizeof p, "%lld", (long long)dept2);
    /* partial update keeps the other fields */
    v = call_json(&status, &admin, "PUT", "/api/v1/departments/{id}", p,
                  "{\"short_name\":\"环保\"}", NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(v, "short_name")), "环保");
    assert_string_equal(json_string_value(json_object_get(v, "code")), "HBJ");
    assert_int_equal(json_integer_value(json_object_get(v, "unit_count")), 1);
    json_decref(v);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'department_update'"), 1);
    /* heads may not edit departments; auditors may not read libraries */
    v = call_json(&status, &head, "PUT", "/api/v1/departments/{id}", p, "{\"short_name\":\"x\"}",
                  NULL);
    assert_int_equal(status, 403);
    json_decref(v);
    v = call_json(&status, &auditor, "GET", "/api/v1/departments", NULL, NULL, NULL);
    assert_int_equal(status, 403);
    json_decref(v);
    /* a head adds units to their own department only */
    v = call_json(&status, &head, "POST", "/api/v1/departments/{id}/units", p, "{\"name\":\"x\"}",
                  NULL);
    assert_int_equal(status, 403);
    json_decref(v);
    snprintf(p, sizeof p, "%lld", (long long)dept1);
    v = call_json(&status, &head, "POST", "/api/v1/departments/{id}/units", p,
                  "{\"name\":\"稽查支队\"}", NULL);
    assert_int_equal(status, 409);
    assert_string_equal(err_code(v), "duplicate");
    json_decref(v);
    v = call_json(&status, &admin, "GET", "/api/v1/departments/{id}", "999", NULL, NULL);
    assert_int_equal(status, 404);
    json_decref(v);
}

static void test_department_list(void **state)
{
    query q1 = {{"q", "%", NULL}}, q2 = {{"page", "9", "per_page", "1", NULL}},
          q3 = {{"sort", "-code", NULL}}, q4 = {{"sort", "id; DROP TABLE x", NULL}},
          q5 = {{"per_page", "2", NULL}}, q6 = {{"per_page", "2", "page", "2", NULL}};
    json_t *v, *items;
    int status;

    (void)state;
    create("/api/v1/departments", NULL, "{\"code\":\"X1\",\"name\":\"百分之100%达标局\"}");
    v = call_json(&status, &admin, "GET", "/api/v1/departments", NULL, NULL, &q1);
    assert_int_equal(status, 200);
    items = json_object_get(v, "items");
    assert_int_equal(json_array_size(items), 1); /* "%" is literal, not a wildcard */
    assert_int_equal(json_integer_value(json_object_get(v, "total")), 1);
    assert_int_equal(json_object_size(v), 4);
    json_decref(v);
    v = call_json(&status, &admin, "GET", "/api/v1/departments", NULL, NULL, &q2);
    assert_int_equal(json_array_size(json_object_get(v, "items")), 0);
    assert_int_equal(json_integer_value(json_object_get(v, "total")), 3);
    assert_int_equal(json_integer_value(json_object_get(v, "page")), 9);
    assert_int_equal(json_integer_value(json_object_get(v, "per_page")), 1);
    json_decref(v);
    /* a full page needs the COUNT query, a short last page does not */
    v = call_json(&status, &admin, "GET", "/api/v1/departments", NULL, NULL, &q5);
    assert_int_equal(json_array_size(json_object_get(v, "items")), 2);
    assert_int_equal(json_integer_value(json_object_get(v, "total")), 3);
    json_decref(v);
    v = call_json(&status, &admin, "GET", "/api/v1/departments", NULL, NULL, &q6);
    assert_int_equal(json_array_size(json_object_get(v, "items")), 1);
    assert_int_equal(json_integer_value(json_object_get(v, "total")), 3);
    json_decref(v);
    v = call_json(&status, &admin, "GET", "/api/v1/departments", NULL, NULL, &q3);
    items = json_object_get(v, "items");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "code")), "X1");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 2), "code")),
                        "HBJ");
    json_decref(v);
    v = call_json(&status, &admin, "GET", "/api/v1/departments", NULL, NULL, &q4);
    assert_int_equal(status, 400);
    json_decref(v);
}

static void test_officers(void **state)
{
    char body[1024], p[32];
    json_t *v;
    int64_t before, id;
    int status;

    (void)state;
    snprintf(body, sizeof body,
             "{\"department_id\":%lld,\"unit_id\":%lld,\"name\":\"张三\",\"gender\":\"男\","
             "\"certificate_no\":\"ZJ3301001\",\"certificate_valid_from\":\"2024-01-01\","
             "\"certificate_valid_to\":\"2029-12-31\",\"categories\":[\"市场监管\"]}",
             (long long)dept1, (long long)unit1);
    v = call_json(&status, &head, "POST", "/api/v1/officers", NULL, body, NULL);
    assert_int_equal(status, 201);
    assert_string_equal(json_string_value(json_object_get(v, "status_name")), "在岗");
    assert_string_equal(json_string_value(json_object_get(v, "unit_name")), "稽查支队");
    assert_string_equal(json_string_value(json_array_get(json_object_get(v, "categories"), 0)),
                        "市场监管");
    assert_true(json_is_false(json_object_get(v, "legal_qualified")));
    id = json_integer_value(json_object_get(v, "id"));
    json_decref(v);
    snprintf(p, sizeof p, "%lld", (long long)id);

    before = count("SELECT COUNT(*) FROM audit_log");
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'forbidden'"), 0);
    /* same certificate number -> 409 duplicate */
    v = call_json(&status, &admin, "POST", "/api/v1/officers", NULL, body, NULL);
    assert_int_equal(status, 409);
    assert_string_equal(err_code(v), "duplicate");
    json_decref(v);
    /* unit of another department */
    snprintf(body, sizeof body,
             "{\"department_id\":%lld,\"unit_id\":%lld,\"name\":\"李四\",\"certificate_no\":\"X2\","
             "\"certificate_valid_from\":\"2024-01-01\",\"certificate_valid_to\":\"2029-12-31\"}",
             (long long)dept1, (long long)unit2);
    v = call_json(&status, &admin, "POST", "/api/v1/officers", NULL, body, NULL);
    assert_int_equal(status, 400);
    assert_string_equal(err_field(v), "unit_id");
    json_decref(v);
    /* dates reversed, impossible date, bad status */
    v = call_json(&status, &admin, "PUT", "/api/v1/officers/{id}", p,
                  "{\"certificate_valid_from\":\"2030-01-01\"}", NULL);
    assert_int_equal(status, 400);
    assert_string_equal(err_field(v), "certificate_valid_to");
    json_decref(v);
    v = call_json(&status, &admin, "PUT", "/api/v1/officers/{id}", p,
                  "{\"certificate_valid_to\":\"2029-02-30\"}", NULL);
    assert_int_equal(status, 400);
    json_decref(v);
    v = call_json(&status, &admin, "PUT", "/api/v1/officers/{id}", p, "{\"status\":\"fired\"}",
                  NULL);
    assert_int_equal(status, 400);
    assert_string_equal(err_field(v), "status");
    json_decref(v);
    v = call_json(&status, &admin, "PUT", "/api/v1/officers/{id}", p, "{\"name\":null}", NULL);
    assert_int_equal(status, 400);
    json_decref(v);
    /* a head may not move their officer to another department */
    snprintf(body, sizeof body, "{\"department_id\":%lld,\"unit_id\":null}", (long long)dept2);
    v = call_json(&status, &head, "PUT", "/api/v1/officers/{id}", p, body, NULL);
    assert_int_equal(status, 403);
    json_decref(v);
    /* nor create one there */
    snprintf(body, sizeof body,
             "{\"department_id\":%lld,\"name\":\"王五\",\"certificate_no\":\"X3\","
             "\"certificate_valid_from\":\"2024-01-01\",\"certificate_valid_to\":\"2029-12-31\"}",
             (long long)dept2);
    v = call_json(&status, &head, "POST", "/api/v1/officers", NULL, body, NULL);
    assert_int_equal(status, 403);
    json_decref(v);
    /* nothing written but the one refusal the handler itself decided (the
     * server audits the resolver's refusals) */
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log"), before + 1);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'forbidden' "
                           "AND actor_name = 'head1'"),
                     1);
    assert_int_equal(count("SELECT COUNT(*) FROM officers"), 1);
    assert_int_equal(count("SELECT department_id FROM officers"), dept1);

    /* the admin may move them; the audit row is written */
    snprintf(body, sizeof body,
             "{\"department_id\":%lld,\"unit_id\":null,\"status\":\"suspended\"}",
             (long long)dept2);
    v = call_json(&status, &admin, "PUT", "/api/v1/officers/{id}", p, body, NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(v, "status_name")), "暂停执法");
    assert_true(json_is_null(json_object_get(v, "unit_id")));
    assert_string_equal(json_string_value(json_object_get(v, "name")), "张三");
    json_decref(v);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'officer_update'"), 1);
}

static void test_officer_list_filters(void **state)
{
    char d[32];
    query q = {{"department_id", d, "q", "ZJ33", NULL}}, bad = {{"status", "x", NULL}},
          badid = {{"department_id", "abc", NULL}};
    json_t *v;
    int status;

    (void)state;
    snprintf(d, sizeof d, "%lld", (long long)dept2);
    v = call_json(&status, &admin, "GET", "/api/v1/officers", NULL, NULL, &q);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(v, "total")), 1);
    json_decref(v);
    snprintf(d, sizeof d, "%lld", (long long)dept1);
    v = call_json(&status, &admin, "GET", "/api/v1/officers", NULL, NULL, &q);
    assert_int_equal(json_integer_value(json_object_get(v, "total")), 0);
    json_decref(v);
    v = call_json(&status, &admin, "GET", "/api/v1/officers", NULL, NULL, &bad);
    assert_int_equal(status, 400);
    json_decref(v);
    v = call_json(&status, &admin, "GET", "/api/v1/officers", NULL, NULL, &badid);
    assert_int_equal(status, 400);
    json_decref(v);
}

static void test_matters_and_laws(void **state)
{
    char body[1024], p[32];
    query one = {{"article", "11", NULL}}, none = {{"article", "12", NULL}},
          pt = {{"power_type", "penalty", NULL}};
    json_t *v, *basis;
    int status;

    (void)state;
    snprintf(p, sizeof p, "%lld", (long long)law1);
    v = call_json(&status, &admin, "GET", "/api/v1/laws/{id}", p, NULL, &one);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(v, "articles")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(v, "articles"), 0), "label")),
                        "第十一条");
    assert_int_equal(json_integer_value(json_object_get(v, "article_count")), 3);
    json_decref(v);
    v = call_json(&status, &admin, "GET", "/api/v1/laws/{id}", p, NULL, &none);
    assert_int_equal(status, 404);
    json_decref(v);

    snprintf(body, sizeof body,
             "{\"department_id\":%lld,\"code\":\"SJ-CF-001\",\"name\":\"对无照经营的处罚\","
             "\"power_type\":\"penalty\",\"basis\":[{\"law_id\":%lld,\"article_no\":99}]}",
             (long long)dept1, (long long)law1);
    v = call_json(&status, &head, "POST", "/api/v1/matters", NULL, body, NULL);
    assert_int_equal(status, 400);
    assert_string_equal(err_field(v), "basis");
    json_decref(v);
    assert_int_equal(count("SELECT COUNT(*) FROM matters"), 0);
    snprintf(body, sizeof body,
             "{\"department_id\":%lld,\"code\":\"SJ-CF-001\",\"name\":\"对无照经营的处罚\","
             "\"power_type\":\"fine\"}",
             (long long)dept1);
    v = call_json(&status, &head, "POST", "/api/v1/matters", NULL, body, NULL);
    assert_int_equal(status, 400);
    assert_string_equal(err_field(v), "power_type");
    json_decref(v);
    snprintf(body, sizeof body,
             "{\"department_id\":%lld,\"code\":\"SJ-CF-001\",\"name\":\"对无照经营的处罚\","
             "\"power_type\":\"penalty\",\"time_limit_days\":90,"
             "\"basis\":[{\"law_id\":%lld,\"article_no\":11,\"extra\":1}]}",
             (long long)dept1, (long long)law1);
    v = call_json(&status, &head, "POST", "/api/v1/matters", NULL, body, NULL);
    assert_int_equal(status, 400);
    assert_string_equal(err_code(v), "unknown_field");
    assert_string_equal(err_field(v), "basis[0].extra");
    json_decref(v);
    snprintf(body, sizeof body,
             "{\"department_id\":%lld,\"code\":\"SJ-CF-001\",\"name\":\"对无照经营的处罚\","
             "\"power_type\":\"penalty\",\"time_limit_days\":90,"
             "\"basis\":[{\"law_id\":%lld,\"article_no\":11}],"
             "\"benchmarks\":[{\"violation\":\"无照经营\",\"circumstance\":\"轻微\","
             "\"penalty_range\":\"警告\",\"min_fine\":0,\"max_fine\":5000.5}]}",
             (long long)dept1, (long long)law1);
    v = call_json(&status, &head, "POST", "/api/v1/matters", NULL, body, NULL);
    assert_int_equal(status, 201);
    assert_string_equal(json_string_value(json_object_get(v, "power_type_name")), "行政处罚");
    basis = json_array_get(json_object_get(v, "basis"), 0);
    assert_string_equal(json_string_value(json_object_get(basis, "article_label")), "第十一条");
    assert_string_equal(json_string_value(json_object_get(basis, "law_title")),
                        "中华人民共和国行政处罚法");
    assert_true(json_number_value(json_object_get(
                    json_array_get(json_object_get(v, "benchmarks"), 0), "max_fine")) == 5000.5);
    json_decref(v);
    v = call_json(&status, &admin, "GET", "/api/v1/matters", NULL, NULL, &pt);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(v, "total")), 1);
    basis = json_object_get(json_array_get(json_object_get(v, "items"), 0), "basis");
    assert_int_equal(json_array_size(basis), 1);
    json_decref(v);
    v = call_json(&status, &admin, "POST", "/api/v1/laws", NULL,
                  "{\"title\":\"中华人民共和国行政处罚法\"}", NULL);
    assert_int_equal(status, 409);
    json_decref(v);
    v = call_json(
        &status, &admin, "POST", "/api/v1/laws", NULL,
        "{\"title\":\"某条例\",\"articles\":[{\"no\":1,\"text\":\"a\"},{\"no\":1,\"text\":\"b\"}]}",
        NULL);
    assert_int_equal(status, 400);
    json_decref(v);
    assert_int_equal(count("SELECT COUNT(*) FROM laws"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_department_validation),
        cmocka_unit_test(test_department_update_and_scope),
        cmocka_unit_test(test_department_list),
        cmocka_unit_test(test_officers),
        cmocka_unit_test(test_officer_list_filters),
        cmocka_unit_test(test_matters_and_laws),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
