/* test_password.c — Argon2id hashing and the password policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth/password.h"

#define DEMO_PASSWORD "demo-password-2026"

static void test_hash_verify_round_trip(void **state)
{
    char h1[ZF_PASSWORD_HASH_BYTES], h2[ZF_PASSWORD_HASH_BYTES];
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_password_hash(h1, DEMO_PASSWORD, &err), 0);
    assert_true(strncmp(h1, "$argon2id$", 10) == 0);
    assert_true(strlen(h1) < ZF_PASSWORD_HASH_BYTES);
    assert_int_equal(zf_password_verify(h1, DEMO_PASSWORD), 1);
    /* Wrong, truncated, extended and case-changed passwords all fail. */
    assert_int_equal(zf_password_verify(h1, "demo-password-2025"), 0);
    assert_int_equal(zf_password_verify(h1, "demo-password-202"), 0);
    assert_int_equal(zf_password_verify(h1, "demo-password-20266"), 0);
    assert_int_equal(zf_password_verify(h1, "Demo-password-2026"), 0);
    assert_int_equal(zf_password_verify(h1, ""), 0);
    assert_int_equal(zf_password_verify(h1, NULL), 0);
    assert_int_equal(zf_password_verify(NULL, DEMO_PASSWORD), 0);
    assert_int_equal(zf_password_verify("not a hash", DEMO_PASSWORD), 0);
    assert_int_equal(zf_password_verify("", DEMO_PASSWORD), 0);

    /* A fresh salt each time: same password, different hash, both verify. */
    assert_int_equal(zf_password_hash(h2, DEMO_PASSWORD, &err), 0);
    assert_string_not_equal(h1, h2);
    assert_int_equal(zf_password_verify(h2, DEMO_PASSWORD), 1);

    /* A hash with tampered bytes no longer verifies. */
    h2[strlen(h2) - 2] = h2[strlen(h2) - 2] == 'A' ? 'B' : 'A';
    assert_int_equal(zf_password_verify(h2, DEMO_PASSWORD), 0);
}

static void test_hash_unicode_and_limits(void **state)
{
    char h[ZF_PASSWORD_HASH_BYTES], big[ZF_PASSWORD_MAX_BYTES + 2];
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_password_hash(h, "执法记录仪的密码很长很长", &err), 0);
    assert_int_equal(zf_password_verify(h, "执法记录仪的密码很长很长"), 1);
    assert_int_equal(zf_password_verify(h, "执法记录仪的密码很长很短"), 0);

    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0'; /* 257 bytes */
    assert_int_equal(zf_password_hash(h, big, &err), ZF_EINVAL);
    assert_string_equal(h, "");
    assert_string_equal(err.field, "password");
    big[ZF_PASSWORD_MAX_BYTES] = '\0'; /* exactly 256: allowed */
    assert_int_equal(zf_password_hash(h, big, &err), 0);
    assert_int_equal(zf_password_verify(h, big), 1);
    assert_int_equal(zf_password_hash(h, NULL, &err), ZF_EINVAL);
}

static void test_needs_rehash(void **state)
{
    char h[ZF_PASSWORD_HASH_BYTES];

    (void)state;
    assert_int_equal(zf_password_hash(h, DEMO_PASSWORD, NULL), 0);
    assert_int_equal(zf_password_needs_rehash(h), 0);
    /* Same algorithm, weaker memory and time cost: must be upgraded. */
    assert_int_equal(zf_password_needs_rehash("$argon2id$v=19$m=8192,t=1,p=1$"
                                              "c29tZXNhbHRzb21lc2FsdA$"
                                              "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY"),
                     1);
    assert_int_equal(zf_password_needs_rehash("garbage"), 1);
    assert_int_equal(zf_password_needs_rehash(NULL), 1);
}

static void test_dummy_verify(void **state)
{
    (void)state;
    /* Must not crash on any input and must take real time (it hashes). */
    zf_password_verify_dummy(DEMO_PASSWORD);
    zf_password_verify_dummy(NULL);
    zf_password_verify_dummy("");
}

/* Expects rejection with the weak_password contract and a message containing
 * the given Chinese fragment, so each test names the rule that fired. */
static void expect_weak(const zf_password_policy *p, const char *pw, const char *user,
                        const char *msg_part)
{
    zf_err err = ZF_ERR_INIT;
    int rc = zf_password_check_policy(p, pw, user, &err);

    if (rc != ZF_EINVAL || !strstr(err.message, msg_part))
        fail_msg("password \"%s\": rc %d, message \"%s\", wanted \"%s\"", pw ? pw : "(null)", rc,
                 err.message, msg_part);
    assert_string_equal(err.code, "weak_password");
    assert_string_equal(err.field, "password");
}

static void expect_ok(const zf_password_policy *p, const char *pw, const char *user)
{
    zf_err err = ZF_ERR_INIT;
    int rc = zf_password_check_policy(p, pw, user, &err);

    if (rc != 0)
        fail_msg("password \"%s\" rejected: %s", pw, err.message);
}

static void test_policy_demo_password_passes(void **state)
{
    zf_password_policy p = ZF_PASSWORD_POLICY_INIT;

    (void)state;
    assert_int_equal(p.min_length, 12);
    assert_int_equal(p.require_classes, 0);
    assert_int_equal(p.max_age_days, 0);
    expect_ok(&p, DEMO_PASSWORD, NULL);
    expect_ok(NULL, DEMO_PASSWORD, NULL);
    /* With each demo login as the user name. */
    expect_ok(&p, DEMO_PASSWORD, "admin");
    expect_ok(&p, DEMO_PASSWORD, "officer1");
    expect_ok(&p, DEMO_PASSWORD, "supervisor1");
    expect_ok(&p, DEMO_PASSWORD, "auditor1");
    assert_int_equal(zf_password_is_common(DEMO_PASSWORD), 0);
}

static void test_policy_length(void **state)
{
    zf_password_policy p = ZF_PASSWORD_POLICY_INIT;
    char big[ZF_PASSWORD_MAX_BYTES + 2];
    uint32_t seed;
    size_t i;

    (void)state;
    expect_weak(&p, "", NULL, "不能为空");
    expect_weak(&p, NULL, NULL, "不能为空");
    expect_weak(&p, "Tr0ub4dor&3", NULL, "太短"); /* 11 */
    expect_ok(&p, "Tr0ub4dor&3x", NULL);         /* 12 */
    p.min_length = 16;
    expect_weak(&p, "Tr0ub4dor&3x", NULL, "至少需要 16 个字符");
    /* Too long, even though otherwise fine: 257 bytes of pseudo-random letters
     * (a fixed LCG, so the test is repeatable and the text has no period). */
    for (i = 0, seed = 12345; i < sizeof big - 1; i++) {
        seed = seed * 1103515245u + 12345u;
        big[i] = (char)('a' + (seed >> 16) % 26);
    }
    big[sizeof big - 1] = '\0';
    expect_weak(&p, big, NULL, "过长");
    big[ZF_PASSWORD_MAX_BYTES] = '\0';
    expect_ok(&p, big, NULL);
}

static void test_policy_code_points(void **state)
{
    zf_password_policy p = ZF_PASSWORD_POLICY_INIT;

    (void)state;
    /* 11 Chinese characters = 33 bytes but 11 code points: too short. */
    expect_weak(&p, "我们的城市执法很公正啊", NULL, "当前 11 个");
    /* 12 code points: enough. */
    expect_ok(&p, "我们的城市执法很公正公开", NULL);
    /* Mixed: 8 ASCII + 4 Chinese = 12 code points. */
    expect_ok(&p, "zhifa-xx城管执法", NULL);
    p.min_length = 4;
    expect_ok(&p, "执法公示", NULL);
}

static void test_policy_invalid_utf8(void **state)
{
    zf_password_policy p = ZF_PASSWORD_POLICY_INIT;

    (void)state;
    expect_weak(&p, "correct horse \xff battery", NULL, "UTF-8");
    expect_weak(&p, "correct horse \xc0\xaf battery", NULL, "UTF-8");   /* overlong '/' */
    expect_weak(&p, "correct horse \xed\xa0\x80 battery", NULL, "UTF-8"); /* surrogate */
    expect_weak(&p, "correct horse battery \xe6\x89", NULL, "UTF-8");   /* truncated */
    expect_weak(&p, "correct horse\tbattery", NULL, "控制字符");
}

static void test_policy_common(void **state)
{
    zf_password_policy p = ZF_PASSWORD_POLICY_INIT;

    (void)state;
    /* Listed entries of 12+ characters, in any case. */
    expect_weak(&p, "qwertyuiop123", NULL, "常见");
    expect_weak(&p, "QWERTYUIOP123", NULL, "常见");
    expect_weak(&p, "1qaz2wsx3edc", NULL, "常见");
    expect_weak(&p, "Administrator", NULL, "常见");
    expect_weak(&p, "WoAiNi1314520", NULL, "常见");
    /* A short common word dressed up with digits and symbols. */
    expect_weak(&p, "Password2026!", NULL, "常见");
    expect_weak(&p, "2026@iloveyou", NULL, "常见");
    expect_weak(&p, "P@ssw0rd12345", NULL, "常见");
    expect_weak(&p, "qwerty1234567", NULL, "常见");
    /* Lower minimum: plain entries of 8 characters are refused too. */
    p.min_length = 8;
    expect_weak(&p, "sunshine", NULL, "常见");
    expect_weak(&p, "1q2w3e4r", NULL, "常见");
    /* A common word inside a longer phrase is not the same thing. */
    p.min_length = 12;
    expect_ok(&p, "my sunshine is late", NULL);

    assert_int_equal(zf_password_is_common("PassWord"), 1);
    assert_int_equal(zf_password_is_common("password!x"), 0);
    assert_int_equal(zf_password_is_common(NULL), 0);
}

static void test_common_list_invariants(void **state)
{
    size_t i;

    (void)state;
    assert_true(zf_common_passwords_count >= 300);
    for (i = 0; i < zf_common_passwords_count; i++) {
        const char *s = zf_common_passwords[i];
        const char *c;
        if (strlen(s) < 8)
            fail_msg("entry %zu \"%s\" is shorter than 8", i, s);
        for (c = s; *c; c++)
            if ((unsigned char)*c >= 0x80 || (*c >= 'A' && *c <= 'Z'))
                fail_msg("entry \"%s\" is not lowercase ASCII", s);
        if (i > 0 && strcmp(zf_common_passwords[i - 1], s) >= 0)
            fail_msg("entries \"%s\", \"%s\" are out of order or duplicated",
                     zf_common_passwords[i - 1], s);
        assert_int_equal(zf_password_is_common(s), 1);
    }
}

static void test_policy_repeats_and_sequences(void **state)
{
    zf_password_policy p = ZF_PASSWORD_POLICY_INIT;

    (void)state;
    expect_weak(&p, "aaaaaaaaaaaaaaaa", NULL, "同一个字符");
    expect_weak(&p, "AAAAAAAAAAAAA", NULL, "同一个字符");
    expect_weak(&p, "执执执执执执执执执执执执", NULL, "同一个字符");
    expect_weak(&p, "abcabcabcabc", NULL, "片段重复");
    expect_weak(&p, "xy12xy12xy12", NULL, "片段重复");
    expect_weak(&p, "我爱你我爱你我爱你我爱你", NULL, "片段重复");
    expect_weak(&p, "123456789012", NULL, "连续");
    expect_weak(&p, "987654321098", NULL, "连续");
    expect_weak(&p, "abcdefghijklm", NULL, "连续");
    expect_weak(&p, "ZYXWVUTSRQPO", NULL, "连续");
    expect_weak(&p, "uvwxyzabcdef", NULL, "连续");
    /* Not a clean run, but digits around a common number are still refused. */
    expect_weak(&p, "123456789013", NULL, "常见");
    /* Two repetitions are not a pattern. */
    expect_ok(&p, "tiger-lily-tiger-lily", NULL);
}

static void test_policy_username(void **state)
{
    zf_password_policy p = ZF_PASSWORD_POLICY_INIT;

    (void)state;
    expect_weak(&p, "officer1-is-great", "officer1", "用户名");
    expect_weak(&p, "my-OFFICER1-secret", "officer1", "用户名");
    expect_weak(&p, "张伟的执法密码很长很长的", "张伟", "用户名");
    /* Short names would reject too much; they are not checked. */
    expect_ok(&p, "abacus-pebble-river", "ab");
    expect_ok(&p, "abacus-pebble-river", NULL);
    expect_ok(&p, "abacus-pebble-river", "");
}

static void test_policy_classes(void **state)
{
    zf_password_policy p = ZF_PASSWORD_POLICY_INIT;

    (void)state;
    p.require_classes = 3;
    expect_weak(&p, "abacuspebbleriver", NULL, "3 类");
    expect_weak(&p, "abacus-pebble-river", NULL, "3 类"); /* lower + symbol */
    expect_ok(&p, "Abacus-pebble-river", NULL);           /* + upper */
    expect_ok(&p, "abacus-pebble-river7", NULL);          /* + digit */
    /* Chinese characters count as "symbol" (anything else). */
    expect_ok(&p, "abacus7城管执法队伍", NULL);
    p.require_classes = 4;
    expect_weak(&p, "Abacus-pebble-river", NULL, "4 类");
    expect_ok(&p, "Abacus-pebble-river7", NULL);
    expect_ok(&p, DEMO_PASSWORD "A", NULL);
    expect_weak(&p, DEMO_PASSWORD, NULL, "4 类");
    p.require_classes = 9; /* more than exist: treated as all four */
    expect_ok(&p, "Abacus-pebble-river7", NULL);
}

static void test_expiry(void **state)
{
    zf_password_policy p = ZF_PASSWORD_POLICY_INIT;
    const int64_t t = 1767225600; /* 2026-01-01 00:00 +0000 */

    (void)state;
    assert_int_equal(zf_password_expired(&p, t, t + 10LL * 365 * 86400), 0);
    assert_int_equal(zf_password_expired(NULL, t, t + 10LL * 365 * 86400), 0);
    p.max_age_days = 90;
    assert_int_equal(zf_password_expired(&p, t, t + 90LL * 86400 - 1), 0);
    assert_int_equal(zf_password_expired(&p, t, t + 90LL * 86400), 1);
    assert_int_equal(zf_password_expired(&p, t, t + 365LL * 86400), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_verify_round_trip),
        cmocka_unit_test(test_hash_unicode_and_limits),
        cmocka_unit_test(test_needs_rehash),
        cmocka_unit_test(test_dummy_verify),
        cmocka_unit_test(test_policy_demo_password_passes),
        cmocka_unit_test(test_policy_length),
        cmocka_unit_test(test_policy_code_points),
        cmocka_unit_test(test_policy_invalid_utf8),
        cmocka_unit_test(test_policy_common),
        cmocka_unit_test(test_common_list_invariants),
        cmocka_unit_test(test_policy_repeats_and_sequences),
        cmocka_unit_test(test_policy_username),
        cmocka_unit_test(test_policy_classes),
        cmocka_unit_test(test_expiry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
