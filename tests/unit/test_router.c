/* test_router.c — route matching and the one authorization check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "api/api.h"
#include "http/router.h"

static int h_dummy(zf_ctx *c)
{
    (void)c;
    return 0;
}

static int64_t dept_from_param(zf_ctx *c)
{
    int64_t id;
    if (zf_ctx_param_id(c, 0, &id) < 0)
        return ZF_ENOTFOUND;
    return id; /* the test's "object" department is its id */
}

static const zf_route T1[] = {
    {"GET", "/api/v1/things", h_dummy, ZF_ROLES_ALL, 0, NULL, 0},
    {"POST", "/api/v1/things", h_dummy, ZF_ROLE_ADMIN, 0, NULL, 0},
    {"GET", "/api/v1/things/{id}", h_dummy, ZF_PUBLIC, 0, NULL, 0},
    {"PUT", "/api/v1/things/{id}", h_dummy, ZF_ROLE_ADMIN | ZF_ROLE_HEAD, ZF_ROLE_HEAD, dept_from_param, 0},
    {"GET", "/api/v1/things/{id}/parts/{part}", h_dummy, ZF_PUBLIC, 0, NULL, 0},
    {NULL},
};
static const zf_route T2[] = {
    {"GET", "/static/*", h_dummy, ZF_PUBLIC, 0, NULL, 0},
    {"GET", "/", h_dummy, ZF_PUBLIC, 0, NULL, 0},
    {NULL},
};
static const zf_route *const TABLES[] = {T1, T2, NULL};

static int match(const char *method, const char *path, const zf_route **r, const char **params, int *np,
                 char *work)
{
    return zf_router_match(r, params, np, work, TABLES, method, path);
}

static void test_match(void **state)
{
    const zf_route *r;
    const char *params[ZF_MAX_PATH_PARAMS];
    char work[256];
    int np;

    (void)state;
    assert_int_equal(match("GET", "/api/v1/things", &r, params, &np, work), ZF_ROUTE_FOUND);
    assert_ptr_equal(r, &T1[0]);
    assert_int_equal(np, 0);
    assert_int_equal(match("POST", "/api/v1/things", &r, params, &np, work), ZF_ROUTE_FOUND);
    assert_ptr_equal(r, &T1[1]);
    assert_int_equal(match("GET", "/api/v1/things/42", &r, params, &np, work), ZF_ROUTE_FOUND);
    assert_ptr_equal(r, &T1[2]);
    assert_int_equal(np, 1);
    assert_string_equal(params[0], "42");
    assert_int_equal(match("GET", "/api/v1/things/7/parts/wheel", &r, params, &np, work), ZF_ROUTE_FOUND);
    assert_int_equal(np, 2);
    assert_string_equal(params[0], "7");
    assert_string_equal(params[1], "wheel");
    assert_int_equal(match("HEAD", "/api/v1/things", &r, params, &np, work), ZF_ROUTE_FOUND);
    assert_int_equal(match("GET", "/static/css/portal.css", &r, params, &np, work), ZF_ROUTE_FOUND);
    assert_ptr_equal(r, &T2[0]);
    assert_int_equal(match("GET", "/", &r, params, &np, work), ZF_ROUTE_FOUND);
    assert_ptr_equal(r, &T2[1]);
}

static void test_no_match(void **state)
{
    const zf_route *r;
    const char *params[ZF_MAX_PATH_PARAMS];
    char work[256];
    int np;

    (void)state;
    assert_int_equal(match("DELETE", "/api/v1/things", &r, params, &np, work), ZF_ROUTE_BAD_METHOD);
    assert_int_equal(match("GET", "/api/v1/thing", &r, params, &np, work), ZF_ROUTE_NONE);
    assert_int_equal(match("GET", "/api/v1/things/", &r, params, &np, work), ZF_ROUTE_NONE); /* empty {id} */
    assert_int_equal(match("GET", "/api/v1/things/1/2", &r, params, &np, work), ZF_ROUTE_NONE);
    assert_int_equal(match("GET", "api/v1/things", &r, params, &np, work), ZF_ROUTE_NONE);
    assert_int_equal(match("GET", "", &r, params, &np, work), ZF_ROUTE_NONE);
    assert_int_equal(match("GET", "/api/v1/thingsX", &r, params, &np, work), ZF_ROUTE_NONE);
    assert_null(r);
}

static void test_authz(void **state)
{
    zf_principal head = {0}, officer = {0}, admin = {0};
    zf_ctx c;
    const char *p42 = "42", *p7 = "7";

    (void)state;
    head.role = ZF_ROLE_HEAD;
    head.department_id = 42;
    officer.role = ZF_ROLE_OFFICER;
    officer.department_id = 42;
    admin.role = ZF_ROLE_ADMIN;
    admin.department_id = 1;

    memset(&c, 0, sizeof c);
    /* anonymous: public ok, others need login */
    assert_int_equal(zf_authz_check(&T1[2], &c), 0);
    assert_int_equal(zf_authz_check(&T1[0], &c), ZF_EAUTH);
    assert_string_equal(c.err.code, "unauthenticated");
    /* role not declared: denied */
    c.who = &officer;
    assert_int_equal(zf_authz_check(&T1[1], &c), ZF_EPERM);
    assert_int_equal(zf_authz_check(&T1[0], &c), 0);
    /* own-department scope */
    c.who = &head;
    c.params[0] = p42;
    c.nparams = 1;
    assert_int_equal(zf_authz_check(&T1[3], &c), 0);
    c.params[0] = p7;
    assert_int_equal(zf_authz_check(&T1[3], &c), ZF_EPERM);
    /* admin is not limited to a department on that route */
    c.who = &admin;
    assert_int_equal(zf_authz_check(&T1[3], &c), 0);
    /* a read-only API token cannot write */
    admin.via_token = 1;
    assert_int_equal(zf_authz_check(&T1[1], &c), ZF_EPERM);
    admin.token_can_write = 1;
    assert_int_equal(zf_authz_check(&T1[1], &c), 0);
}

static void test_roles(void **state)
{
    (void)state;
    assert_int_equal(zf_role_from_code("reviewer"), ZF_ROLE_REVIEWER);
    assert_int_equal(zf_role_from_code("root"), 0);
    assert_int_equal(zf_role_from_code(NULL), 0);
    assert_string_equal(zf_role_name(ZF_ROLE_SUPERVISOR), "司法局监督人员");
    assert_string_equal(zf_role_code(ZF_ROLE_AUDITOR), "auditor");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_no_match),
        cmocka_unit_test(test_authz),
        cmocka_unit_test(test_roles),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
