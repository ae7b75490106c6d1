/* test_totp.c — HOTP/TOTP against the RFC test vectors, base32, verify window,
 * replay step and the otpauth URI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/totp.h"

/* RFC 6238 Appendix B: the seed is "1234567890" repeated to the hash's size. */
static const char seed20[] = "12345678901234567890";
static const char seed32[] = "12345678901234567890123456789012";
static const char seed64[] =
    "1234567890123456789012345678901234567890123456789012345678901234";

static void test_rfc6238_vectors(void **state)
{
    static const struct {
        int64_t t;
        const char *sha1, *sha256, *sha512;
    } v[] = {
        {59, "94287082", "46119246", "90693936"},
        {1111111109, "07081804", "68084774", "25091201"},
        {1111111111, "14050471", "67062674", "99943326"},
        {1234567890, "89005924", "91819424", "93441116"},
        {2000000000, "69279037", "90698825", "38618901"},
        {20000000000LL, "65353130", "77737706", "47863826"},
    };
    zf_totp_params p = ZF_TOTP_PARAMS_INIT;
    char code[ZF_TOTP_CODE_SIZE];
    size_t i;

    (void)state;
    p.digits = 8;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        p.algo = ZF_TOTP_SHA1;
        assert_int_equal(zf_totp_code_raw(code, (const uint8_t *)seed20, 20, v[i].t, &p), 0);
        assert_string_equal(code, v[i].sha1);
        p.algo = ZF_TOTP_SHA256;
        assert_int_equal(zf_totp_code_raw(code, (const uint8_t *)seed32, 32, v[i].t, &p), 0);
        assert_string_equal(code, v[i].sha256);
        p.algo = ZF_TOTP_SHA512;
        assert_int_equal(zf_totp_code_raw(code, (const uint8_t *)seed64, 64, v[i].t, &p), 0);
        assert_string_equal(code, v[i].sha512);
    }
}

static void test_rfc6238_via_base32_secret(void **state)
{
    /* The SHA-1 seed as an authenticator app would receive it. */
    zf_totp_params p = ZF_TOTP_PARAMS_INIT;
    char code[ZF_TOTP_CODE_SIZE];

    (void)state;
    p.digits = 8;
    assert_int_equal(zf_totp_code(code, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 1234567890, &p), 0);
    assert_string_equal(code, "89005924");
    /* Default parameters: 6 digits, the low 6 of the same value. */
    assert_int_equal(zf_totp_code(code, "gezdgnbvgy3tqojqgezdgnbvgy3tqojq", 1234567890, NULL), 0);
    assert_string_equal(code, "005924");
}

static void test_rfc4226_hotp(void **state)
{
    static const uint32_t want[10] = {755224, 287082, 359152, 969429, 338314,
                                      254676, 287922, 162583, 399871, 520489};
    uint32_t v;
    uint64_t c;

    (void)state;
    for (c = 0; c < 10; c++) {
        assert_int_equal(zf_hotp_value(&v, (const uint8_t *)seed20, 20, c, 6, ZF_TOTP_SHA1), 0);
        assert_int_equal(v, want[c]);
    }
    assert_int_equal(zf_hotp_value(&v, (const uint8_t *)seed20, 20, 0, 5, ZF_TOTP_SHA1),
                     ZF_EINVAL);
    assert_int_equal(zf_hotp_value(&v, (const uint8_t *)seed20, 20, 0, 9, ZF_TOTP_SHA1),
                     ZF_EINVAL);
    assert_int_equal(zf_hotp_value(&v, (const uint8_t *)seed20, 0, 0, 6, ZF_TOTP_SHA1),
                     ZF_EINVAL);
}

static void test_base32_rfc4648_vectors(void **state)
{
    static const struct {
        const char *raw, *enc;
    } v[] = {
        {"", ""},
        {"f", "MY======"},
        {"fo", "MZXQ===="},
        {"foo", "MZXW6==="},
        {"foob", "MZXW6YQ="},
        {"fooba", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI======"},
    };
    char enc[64], nopad[64];
    uint8_t dec[64];
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t rl = strlen(v[i].raw);
        assert_int_equal(zf_base32_encode(enc, sizeof enc, (const uint8_t *)v[i].raw, rl, 1), 0);
        assert_string_equal(enc, v[i].enc);
        assert_int_equal(zf_base32_encoded_size(rl), strlen(v[i].enc) + 1);
        /* Padded, unpadded and lower-case forms all decode to the input. */
        assert_int_equal(zf_base32_decode(dec, sizeof dec, &n, v[i].enc, NULL), 0);
        assert_int_equal(n, rl);
        assert_memory_equal(dec, v[i].raw, rl);
        assert_int_equal(zf_base32_encode(nopad, sizeof nopad, (const uint8_t *)v[i].raw, rl, 0),
                         0);
        assert_null(strchr(nopad, '='));
        assert_int_equal(zf_base32_decode(dec, sizeof dec, &n, nopad, NULL), 0);
        assert_int_equal(n, rl);
        assert_memory_equal(dec, v[i].raw, rl);
        for (char *c = nopad; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        assert_int_equal(zf_base32_decode(dec, sizeof dec, &n, nopad, NULL), 0);
        assert_int_equal(n, rl);
        assert_memory_equal(dec, v[i].raw, rl);
    }
}

static void test_base32_round_trip_random(void **state)
{
    uint8_t in[41], out[41];
    char enc[80];
    size_t len, n, i;

    (void)state;
    srand(7);
    for (len = 0; len <= sizeof in; len++) {
        for (i = 0; i < len; i++)
            in[i] = (uint8_t)rand();
        assert_int_equal(zf_base32_encode(enc, sizeof enc, in, len, len % 2), 0);
        assert_int_equal(zf_base32_decode(out, sizeof out, &n, enc, NULL), 0);
        assert_int_equal(n, len);
        assert_memory_equal(out, in, len);
    }
}

static void test_base32_bad_input(void **state)
{
    static const char *bad[] = {
        "MZXW6YQ1",         /* '1' is not in the alphabet */
        "MZXW 6YQ",         /* space */
        "MZXW6YQ8",         /* '8' */
        "MZ=XW6YQ",         /* padding in the middle */
        "MZXW6YQ==",        /* too much padding */
        "MZXW6==",          /* padded, but not to a multiple of 8 */
        "M",                /* 1 character: no whole byte */
        "MZX",              /* 3 characters */
        "MZXW6Y",           /* 6 characters */
        "MZ======",         /* wrong: "f" is MY, MZ has a stray low bit */
        "MZXW6YTB=",        /* padding after a full group */
        "MZ\xc3\xa9W6YT",   /* non-ASCII */
    };
    uint8_t out[32];
    size_t n = 99, i;
    zf_err err = ZF_ERR_INIT;
    char small[8];

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zf_err_clear(&err);
        assert_int_equal(zf_base32_decode(out, sizeof out, &n, bad[i], &err), ZF_EINVAL);
        assert_int_equal(n, 0);
        assert_string_equal(err.code, "invalid_secret");
        assert_true(err.message[0] != '\0');
    }
    /* Output space is honoured. */
    assert_int_equal(zf_base32_decode(out, 3, &n, "MZXW6YTB", NULL), ZF_ETOOBIG);
    assert_int_equal(zf_base32_encode(small, sizeof small, (const uint8_t *)"foobar", 6, 0),
                     ZF_ETOOBIG);
}

static void test_generate_secret(void **state)
{
    char a[ZF_TOTP_SECRET_B32_SIZE], b[ZF_TOTP_SECRET_B32_SIZE];
    uint8_t raw[32];
    size_t n;

    (void)state;
    assert_int_equal(zf_totp_generate_secret(a), 0);
    assert_int_equal(zf_totp_generate_secret(b), 0);
    assert_int_equal(strlen(a), 32);
    assert_string_not_equal(a, b);
    assert_int_equal(zf_base32_decode(raw, sizeof raw, &n, a, NULL), 0);
    assert_int_equal(n, ZF_TOTP_SECRET_BYTES);
}

static void test_verify_window_and_step(void **state)
{
    const char *secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    const int64_t now = 1234567890; /* step 41152263 */
    char prev[ZF_TOTP_CODE_SIZE], cur[ZF_TOTP_CODE_SIZE], next[ZF_TOTP_CODE_SIZE],
        far[ZF_TOTP_CODE_SIZE];
    int64_t step = 0;

    (void)state;
    assert_int_equal(zf_totp_code(prev, secret, now - 30, NULL), 0);
    assert_int_equal(zf_totp_code(cur, secret, now, NULL), 0);
    assert_int_equal(zf_totp_code(next, secret, now + 30, NULL), 0);
    assert_int_equal(zf_totp_code(far, secret, now + 90, NULL), 0);
    assert_string_equal(cur, "005924");

    assert_int_equal(zf_totp_verify(secret, cur, now, 1, &step), 1);
    assert_int_equal(step, now / 30);
    assert_int_equal(zf_totp_verify(secret, prev, now, 1, &step), 1);
    assert_int_equal(step, now / 30 - 1);
    assert_int_equal(zf_totp_verify(secret, next, now, 1, &step), 1);
    assert_int_equal(step, now / 30 + 1);
    /* Outside the window. */
    assert_int_equal(zf_totp_verify(secret, far, now, 1, &step), 0);
    assert_int_equal(step, -1);
    assert_int_equal(zf_totp_verify(secret, prev, now, 0, &step), 0);
    assert_int_equal(zf_totp_verify(secret, far, now, 3, &step), 1);
    assert_int_equal(step, now / 30 + 3);

    /* Replay: the same code accepted a moment later reports the same step, so
     * a caller that stored the last used step can refuse it. */
    {
        int64_t first = 0, again = 0, last_used;
        assert_int_equal(zf_totp_verify(secret, cur, now, 1, &first), 1);
        last_used = first;
        assert_int_equal(zf_totp_verify(secret, cur, now + 20, 1, &again), 1);
        assert_int_equal(again, first);
        assert_false(again > last_used);
        /* The next step's code is fresh. */
        assert_int_equal(zf_totp_verify(secret, next, now + 30, 1, &again), 1);
        assert_true(again > last_used);
    }

    /* Malformed codes never match; a bad secret is an error, not a "no". */
    assert_int_equal(zf_totp_verify(secret, "00592", now, 1, &step), 0);
    assert_int_equal(zf_totp_verify(secret, "0059245", now, 1, &step), 0);
    assert_int_equal(zf_totp_verify(secret, "00592a", now, 1, &step), 0);
    assert_int_equal(zf_totp_verify(secret, "", now, 1, &step), 0);
    assert_int_equal(zf_totp_verify(secret, NULL, now, 1, &step), 0);
    assert_int_equal(zf_totp_verify("not base32!", cur, now, 1, &step), ZF_EINVAL);
    assert_int_equal(zf_totp_verify("", cur, now, 1, &step), ZF_EINVAL);
    /* A wrong code: change one digit of the right one. */
    {
        char wrong[ZF_TOTP_CODE_SIZE];
        memcpy(wrong, cur, sizeof wrong);
        wrong[5] = wrong[5] == '9' ? '0' : (char)(wrong[5] + 1);
        assert_int_equal(zf_totp_verify(secret, wrong, now, 0, &step), 0);
    }
    /* Huge windows are capped rather than looping for ages. */
    assert_int_equal(zf_totp_verify(secret, cur, now, 1000000, NULL), 1);
}

static void test_verify_with_generated_secret(void **state)
{
    char secret[ZF_TOTP_SECRET_B32_SIZE], code[ZF_TOTP_CODE_SIZE];
    int64_t step;

    (void)state;
    assert_int_equal(zf_totp_generate_secret(secret), 0);
    assert_int_equal(zf_totp_code(code, secret, 1767225600, NULL), 0);
    assert_int_equal(strlen(code), 6);
    assert_int_equal(zf_totp_verify(secret, code, 1767225600 + 29, 0, &step), 1);
    assert_int_equal(step, 1767225600 / 30);
}

static void test_code_bad_params(void **state)
{
    zf_totp_params p = ZF_TOTP_PARAMS_INIT;
    char code[ZF_TOTP_CODE_SIZE];

    (void)state;
    assert_int_equal(zf_totp_code_raw(code, (const uint8_t *)seed20, 20, -1, NULL), ZF_EINVAL);
    p.step = 0;
    assert_int_equal(zf_totp_code_raw(code, (const uint8_t *)seed20, 20, 59, &p), ZF_EINVAL);
    p.step = 30;
    p.digits = 10;
    assert_int_equal(zf_totp_code_raw(code, (const uint8_t *)seed20, 20, 59, &p), ZF_EINVAL);
    p.digits = 6;
    p.t0 = 100;
    assert_int_equal(zf_totp_code_raw(code, (const uint8_t *)seed20, 20, 59, &p), ZF_EINVAL);
    /* t0 shifts counting: time t0 + 59 gives the code of time 59. */
    p.digits = 8;
    assert_int_equal(zf_totp_code_raw(code, (const uint8_t *)seed20, 20, 159, &p), 0);
    assert_string_equal(code, "94287082");
    assert_int_equal(zf_totp_code(code, "BAD!", 59, NULL), ZF_EINVAL);
}

static void test_uri(void **state)
{
    char *uri = NULL;

    (void)state;
    assert_int_equal(zf_totp_uri(&uri, NULL, "officer1", "JBSWY3DPEHPK3PXP"), 0);
    assert_string_equal(uri,
                        "otpauth://totp/zhifa:officer1?secret=JBSWY3DPEHPK3PXP&issuer=zhifa");
    free(uri);

    /* User names and issuers are percent-encoded as UTF-8. */
    assert_int_equal(zf_totp_uri(&uri, "某市 执法", "张三@x&y", "JBSWY3DPEHPK3PXP"), 0);
    assert_string_equal(uri, "otpauth://totp/%E6%9F%90%E5%B8%82%20%E6%89%A7%E6%B3%95:"
                             "%E5%BC%A0%E4%B8%89%40x%26y?secret=JBSWY3DPEHPK3PXP"
                             "&issuer=%E6%9F%90%E5%B8%82%20%E6%89%A7%E6%B3%95");
    free(uri);

    assert_int_equal(zf_totp_uri(&uri, NULL, "", "JBSWY3DPEHPK3PXP"), ZF_EINVAL);
    assert_null(uri);
    assert_int_equal(zf_totp_uri(&uri, NULL, "a", NULL), ZF_EINVAL);
    assert_null(uri);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_vectors),
        cmocka_unit_test(test_rfc6238_via_base32_secret),
        cmocka_unit_test(test_rfc4226_hotp),
        cmocka_unit_test(test_base32_rfc4648_vectors),
        cmocka_unit_test(test_base32_round_trip_random),
        cmocka_unit_test(test_base32_bad_input),
        cmocka_unit_test(test_generate_secret),
        cmocka_unit_test(test_verify_window_and_step),
        cmocka_unit_test(test_verify_with_generated_secret),
        cmocka_unit_test(test_code_bad_params),
        cmocka_unit_test(test_uri),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
