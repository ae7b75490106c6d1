/* test_json.c — request JSON decoding against a field spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "api/api.h"

static const zf_json_field SPEC[] = {
    {"name", ZF_JT_STRING, 1, 4, "名称"},
    {"count", ZF_JT_INT, 0, 0, "数量"},
    {"ok", ZF_JT_BOOL, 0, 0, "是否"},
    {"day", ZF_JT_DATE, 0, 0, "日期"},
    {"tags", ZF_JT_ARRAY, 0, 2, "标签"},
    {NULL},
};

static int decode(const char *s, zf_err *err)
{
    json_t *v = NULL;
    int rc = zf_json_decode(&v, s, strlen(s), SPEC, err);
    json_decref(v);
    return rc;
}

static void expect(const char *body, const char *code, const char *field)
{
    zf_err err = ZF_ERR_INIT;
    assert_int_equal(decode(body, &err), ZF_EINVAL);
    assert_string_equal(err.code, code);
    assert_string_equal(err.field, field);
    assert_true(strlen(err.message) > 0);
}

static void test_ok(void **state)
{
    zf_err err = ZF_ERR_INIT;
    (void)state;
    assert_int_equal(decode("{\"name\":\"执法局\",\"count\":3,\"ok\":true,\"day\":\"2024-02-29\",\"tags\":[1,2]}",
                            &err), 0);
    assert_int_equal(decode("{\"name\":\"abcd\",\"count\":null}", &err), 0);
}

static void test_bad(void **state)
{
    (void)state;
    expect("", "invalid_json", "");
    expect("{", "invalid_json", "");
    expect("[1]", "invalid_json", "");
    expect("{\"name\":\"a\",\"name\":\"b\"}", "invalid_json", "");
    expect("{\"name\":\"\xff\"}", "invalid_utf8", "");
    expect("{\"name\":\"a\",\"evil\":1}", "unknown_field", "evil");
    expect("{\"count\":1}", "validation_failed", "name");
    expect("{\"name\":\"\"}", "validation_failed", "name");
    expect("{\"name\":\"一二三四五\"}", "validation_failed", "name");
    expect("{\"name\":\"a\",\"count\":\"3\"}", "wrong_type", "count");
    expect("{\"name\":\"a\",\"count\":1.5}", "wrong_type", "count");
    expect("{\"name\":\"a\",\"ok\":1}", "wrong_type", "ok");
    expect("{\"name\":\"a\",\"day\":\"2025-02-30\"}", "validation_failed", "day");
    expect("{\"name\":\"a\",\"day\":\"2025-2-3\"}", "validation_failed", "day");
    expect("{\"name\":\"a\",\"tags\":[1,2,3]}", "validation_failed", "tags");
    expect("{\"name\":\"a\\u0000b\"}", "invalid_json", ""); /* jansson refuses NUL */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
