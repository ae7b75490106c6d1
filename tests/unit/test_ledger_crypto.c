/* test_ledger_crypto.c — RFC 8785 canonical JSON, SM3/SHA-256 digests, SM2
 * and Ed25519 signatures, and checkpoint notes.
 *
 * Where the openssl command line is on PATH, digests and signatures are also
 * checked by it, with exactly the commands docs/ledger-format.md gives to the
 * public, so the documentation is tested too. Without it those parts skip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "ledger/checkpoint.h"
#include "ledger/jcs.h"
#include "ledger/merkle.h"
#include "ledger/sign.h"
#include "ledger/sm3.h"
#include "util/buf.h"
#include "util/err.h"

/* ---- helpers --------------------------------------------------------------- */

static bool have_openssl(void)
{
    static int cached = -1;
    if (cached < 0)
        cached = system("openssl version >/dev/null 2>&1") == 0;
    return cached;
}

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/zf_ledger_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const void *data, size_t len)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Runs a shell command in tmpdir; returns its exit status. */
static int run_in_tmp(const char *fmt, ...)
{
    char cmd[2048];
    int n, rc;
    va_list ap;

    n = snprintf(cmd, sizeof cmd, "cd '%s' && ( ", tmpdir);
    va_start(ap, fmt);
    vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
    va_end(ap);
    strncat(cmd, " ) >/dev/null 2>&1", sizeof cmd - strlen(cmd) - 1);
    rc = system(cmd);
    return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static char *jcs(const char *json_text)
{
    json_error_t jerr;
    json_t *v = json_loads(json_text, JSON_ALLOW_NUL | JSON_DECODE_ANY, &jerr);
    zf_buf out = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;

    if (!v)
        fail_msg("bad test JSON %s: %s", json_text, jerr.text);
    if (zf_jcs_encode(&out, v, &err) != 0)
        fail_msg("jcs failed on %s: %s", json_text, err.message);
    json_decref(v);
    return zf_buf_detach(&out);
}

static void assert_jcs(const char *in, const char *want)
{
    char *got = jcs(in);
    assert_string_equal(got, want);
    free(got);
}

/* ---- RFC 8785 ------------------------------------------------------------- */

static void test_jcs_structure(void **state)
{
    (void)state;
    assert_jcs("{ \"b\" : [1, true, null, {\"z\": \"\", \"a\": -1}], \"a\": \"x\" }",
               "{\"a\":\"x\",\"b\":[1,true,null,{\"a\":-1,\"z\":\"\"}]}");
    assert_jcs("[]", "[]");
    assert_jcs("{}", "{}");
    assert_jcs("[[[]], {}, \"\"]", "[[[]],{},\"\"]");
    assert_jcs("\"plain\"", "\"plain\"");
    assert_jcs("{\"aa\":1,\"a\":2,\"b\":3,\"A\":4}", "{\"A\":4,\"a\":2,\"aa\":1,\"b\":3}");
}

/* RFC 8785 §3.2.3: members sorted by UTF-16 code units, so U+1F600 (as the
 * surrogates D83D DE00) sorts before U+FB33, unlike code point order. */
static void test_jcs_sorting_rfc_example(void **state)
{
    (void)state;
    assert_jcs("{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\","
               "\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\",\"1\":\"One\","
               "\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
               "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}",
               "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
               "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
               "\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
               "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
    /* CJK keys, as events carry: UTF-16 order equals code point order here */
    assert_jcs("{\"执法\":1,\"案件\":2,\"a\":3}",
               "{\"a\":3,\"执法\":1,\"案件\":2}");
    /* U+FFFF-range key vs supplementary: \ufffd (FFFD) sorts after D83D */
    assert_jcs("{\"\\ufffd\":1,\"\\ud83d\\ude00\":2}",
               "{\"\xf0\x9f\x98\x80\":2,\"\xef\xbf\xbd\":1}");
    /* a prefix sorts first */
    assert_jcs("{\"ab\":1,\"a\":2}", "{\"a\":2,\"ab\":1}");
}

static void test_jcs_string_escaping(void **state)
{
    (void)state;
    /* only " \ and control characters are escaped; / DEL U+2028 stay raw */
    assert_jcs("\"\\u0000\\u001f\\\"\\\\/\\b\\f\\n\\r\\t\\u007f\\u2028\\u00e9\"",
               "\"\\u0000\\u001f\\\"\\\\/\\b\\f\\n\\r\\t\x7f\xe2\x80\xa8\xc3\xa9\"");
    assert_jcs("\"\\u000b\\u0001\"", "\"\\u000b\\u0001\"");
    assert_jcs("\"当事人\"", "\"当事人\"");
}

static void test_jcs_numbers(void **state)
{
    static const struct { double d; const char *want; } cases[] = {
        {0.0, "0"}, {-0.0, "0"}, {1.0, "1"}, {100.0, "100"}, {-1.5, "-1.5"},
        {0.1, "0.1"}, {0.3, "0.3"}, {0.1 + 0.2, "0.30000000000000004"},
        {123.456, "123.456"}, {1e20, "100000000000000000000"}, {1e21, "1e+21"},
        {1e23, "1e+23"}, {1e-6, "0.000001"}, {1e-7, "1e-7"}, {1.2345e-5, "0.000012345"},
        {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
        {9007199254740992.0, "9007199254740992"}, {333333333.3333333, "333333333.3333333"},
        {-1e-7, "-1e-7"}, {4.35, "4.35"}, {2e-3, "0.002"},
    };
    char buf[40];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = zf_jcs_format_double(buf, sizeof buf, cases[i].d);
        assert_true(n > 0);
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("%.17g: got %s want %s", cases[i].d, buf, cases[i].want);
        assert_int_equal((size_t)n, strlen(buf));
    }
    assert_int_equal(zf_jcs_format_double(buf, sizeof buf, NAN), ZF_EINVAL);
    assert_int_equal(zf_jcs_format_double(buf, sizeof buf, INFINITY), ZF_EINVAL);
    /* through jansson: reals and integers */
    assert_jcs("[1.0, 2.50, -0.0, 1E3, 42, -7, 9007199254740991]",
               "[1,2.5,0,1000,42,-7,9007199254740991]");
}

static void test_jcs_rejects(void **state)
{
    zf_buf out = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;
    json_t *v, *deep;
    int i;

    (void)state;
    /* beyond 2^53 - 1 a double cannot hold the integer: refuse */
    v = json_integer(9007199254740992LL);
    assert_int_equal(zf_jcs_encode(&out, v, &err), ZF_EINVAL);
    assert_string_equal(err.code, "number_out_of_range");
    json_decref(v);
    /* invalid UTF-8 smuggled past jansson's checks */
    zf_buf_reset(&out);
    v = json_stringn_nocheck("a\xff" "b", 3);
    assert_int_equal(zf_jcs_encode(&out, v, &err), ZF_EINVAL);
    json_decref(v);
    zf_buf_reset(&out);
    v = json_stringn_nocheck("\xed\xa0\x80", 3); /* a UTF-8-encoded surrogate */
    assert_int_equal(zf_jcs_encode(&out, v, &err), ZF_EINVAL);
    json_decref(v);
    /* nesting is bounded */
    deep = json_array();
    for (i = 0; i < ZF_JCS_MAX_DEPTH + 5; i++) {
        json_t *outer = json_array();
        json_array_append_new(outer, deep);
        deep = outer;
    }
    zf_buf_reset(&out);
    assert_int_equal(zf_jcs_encode(&out, deep, &err), ZF_EINVAL);
    json_decref(deep);
    /* a bounded buffer reports ZF_ETOOBIG */
    zf_buf_free(&out);
    zf_buf_init(&out, 4);
    v = json_string("too long for four bytes");
    assert_int_equal(zf_jcs_encode(&out, v, &err), ZF_ETOOBIG);
    json_decref(v);
    zf_buf_free(&out);
    assert_int_equal(zf_jcs_encode(&out, NULL, &err), ZF_EINVAL);
}

/* A ledger event: the canonical bytes and their leaf hash are stable. */
static void test_jcs_event_leaf(void **state)
{
    char *c = jcs("{\"seq\":7,\"time\":\"2024-06-01T08:00:00Z\",\"actor\":12,"
                  "\"action\":\"case.update\",\"object\":{\"type\":\"case\",\"id\":\"C-1\"},"
                  "\"content_sha256\":\"ab\",\"request_id\":\"r-1\"}");
    zf_hash a, b;
    uint8_t buf[512];
    size_t n = strlen(c);

    (void)state;
    assert_string_equal(c, "{\"action\":\"case.update\",\"actor\":12,\"content_sha256\":\"ab\","
                           "\"object\":{\"id\":\"C-1\",\"type\":\"case\"},\"request_id\":\"r-1\","
                           "\"seq\":7,\"time\":\"2024-06-01T08:00:00Z\"}");
    zf_merkle_leaf_hash(&a, c, n);
    buf[0] = 0;
    memcpy(buf + 1, c, n);
    SHA256(buf, n + 1, b.b);
    assert_true(zf_hash_equal(&a, &b));
    free(c);
}

/* ---- digests ---------------------------------------------------------------- */

static void hex_of(char *out, const uint8_t *b)
{
    zf_hex_encode(out, b, ZF_DIGEST_LEN);
}

static void test_sm3_known_answers(void **state)
{
    /* GB/T 32905-2016 appendix A examples */
    const char *abc = "abc";
    char abcd[65], hex[65];
    uint8_t d[ZF_DIGEST_LEN];
    int i;

    (void)state;
    for (i = 0; i < 16; i++)
        memcpy(abcd + 4 * i, "abcd", 4);
    abcd[64] = 0;
    assert_int_equal(zf_sm3(d, abc, 3), 0);
    hex_of(hex, d);
    assert_string_equal(hex, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    assert_int_equal(zf_sm3(d, abcd, 64), 0);
    hex_of(hex, d);
    assert_string_equal(hex, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
    assert_int_equal(zf_sha256(d, abc, 3), 0);
    hex_of(hex, d);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_digest_stream(void **state)
{
    static uint8_t data[100000];
    zf_digest *d = NULL;
    zf_digest_result r;
    uint8_t one[ZF_DIGEST_LEN];
    char hex[65];
    size_t off = 0, step = 1;
    zf_err err = ZF_ERR_INIT;
    unsigned seed = 7;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)rand_r(&seed);
    assert_int_equal(zf_digest_new(&d, ZF_DIGEST_SHA256 | ZF_DIGEST_SM3, &err), 0);
    while (off < sizeof data) {
        size_t n = step < sizeof data - off ? step : sizeof data - off;
        assert_int_equal(zf_digest_update(d, data + off, n, &err), 0);
        off += n;
        step = step * 3 + 1; /* uneven chunks cross block boundaries */
    }
    assert_int_equal(zf_digest_final(&r, d, &err), 0);
    assert_int_equal(zf_digest_update(d, "x", 1, &err), ZF_EINTERNAL);
    zf_digest_free(d);
    assert_int_equal(r.algs, ZF_DIGEST_SHA256 | ZF_DIGEST_SM3);
    zf_sha256(one, data, sizeof data);
    hex_of(hex, one);
    assert_string_equal(r.sha256_hex, hex);
    assert_memory_equal(r.sha256, one, ZF_DIGEST_LEN);
    zf_sm3(one, data, sizeof data);
    hex_of(hex, one);
    assert_string_equal(r.sm3_hex, hex);

    /* SM3 alone leaves the SHA-256 fields empty */
    assert_int_equal(zf_digest_new(&d, ZF_DIGEST_SM3, &err), 0);
    assert_int_equal(zf_digest_update(d, "abc", 3, &err), 0);
    assert_int_equal(zf_digest_final(&r, d, &err), 0);
    zf_digest_free(d);
    assert_string_equal(r.sha256_hex, "");
    assert_string_equal(r.sm3_hex,
                        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    assert_int_equal(zf_digest_new(&d, 0, &err), ZF_EINVAL);
    assert_null(d);
    assert_int_equal(zf_digest_new(&d, 8, &err), ZF_EINVAL);
    zf_digest_free(NULL);
}

static void test_sm3_vs_openssl_cli(void **state)
{
    static uint8_t data[70000];
    uint8_t d[ZF_DIGEST_LEN];
    char hex[65], path[256], line[256];
    FILE *p;
    size_t i;

    (void)state;
    if (!have_openssl()) {
        printf("[  SKIPPED ] openssl not on PATH\n");
        skip();
    }
    for (i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 + (i >> 8));
    write_file("sm3.bin", data, sizeof data);
    zf_sm3(d, data, sizeof data);
    hex_of(hex, d);
    snprintf(path, sizeof path, "openssl dgst -sm3 -r '%s/sm3.bin'", tmpdir);
    p = popen(path, "r");
    assert_non_null(p);
    assert_non_null(fgets(line, sizeof line, p));
    pclose(p);
    assert_int_equal(strncmp(line, hex, 64), 0);
    write_file("abc.txt", "abc", 3);
    assert_int_equal(run_in_tmp("openssl dgst -sm3 -r abc.txt | grep -q "
                                "^66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
                     0);
}

/* ---- signatures --------------------------------------------------------- */

static void check_roundtrip(zf_sign_alg alg)
{
    zf_sign_key *k = NULL, *k2 = NULL, *pub = NULL, *other = NULL;
    zf_buf pem = ZF_BUF_INIT, ppem = ZF_BUF_INIT, der = ZF_BUF_INIT;
    uint8_t sig[ZF_SIGN_MAX_SIG], sig2[ZF_SIGN_MAX_SIG], raw[65], h[32];
    size_t sl = 0, sl2 = 0, rl = 0;
    const char *msg = "zhifa checkpoint\n42\n";
    char idhex[17];
    zf_err err = ZF_ERR_INIT;

    assert_int_equal(zf_sign_key_generate(&k, alg, &err), 0);
    assert_int_equal(zf_sign_key_alg(k), alg);
    assert_true(zf_sign_key_has_private(k));
    assert_int_equal(strlen(zf_sign_key_id(k)), ZF_SIGN_KEY_ID_LEN);
    /* key id = first 8 bytes of SHA-256(DER SPKI) */
    assert_int_equal(zf_sign_key_public_der(&der, k, &err), 0);
    SHA256((const uint8_t *)der.ptr, der.len, h);
    zf_hex_encode(idhex, h, 8);
    assert_string_equal(zf_sign_key_id(k), idhex);
    assert_int_equal(zf_sign_key_public_raw(raw, &rl, k, &err), 0);
    assert_int_equal(rl, alg == ZF_SIGN_SM2 ? 65 : 32);
    if (alg == ZF_SIGN_SM2)
        assert_int_equal(raw[0], 0x04);

    assert_int_equal(zf_sign(sig, &sl, k, msg, strlen(msg), &err), 0);
    if (alg == ZF_SIGN_ED25519)
        assert_int_equal(sl, 64);
    else
        assert_true(sl >= 8 && sl <= 72 && sig[0] == 0x30);
    assert_int_equal(zf_sign_verify(k, msg, strlen(msg), sig, sl, &err), 0);
    /* tampering: message, signature, length, other key */
    assert_int_equal(zf_sign_verify(k, msg, strlen(msg) - 1, sig, sl, &err), ZF_EINVAL);
    assert_string_equal(err.code, "signature_invalid");
    sig[sl / 2] ^= 0x01;
    assert_int_equal(zf_sign_verify(k, msg, strlen(msg), sig, sl, &err), ZF_EINVAL);
    sig[sl / 2] ^= 0x01;
    assert_int_equal(zf_sign_verify(k, msg, strlen(msg), sig, sl - 1, &err), ZF_EINVAL);
    assert_int_equal(zf_sign_verify(k, msg, strlen(msg), sig, 0, &err), ZF_EINVAL);
    assert_int_equal(zf_sign_key_generate(&other, alg, &err), 0);
    assert_int_equal(zf_sign_verify(other, msg, strlen(msg), sig, sl, &err), ZF_EINVAL);
    assert_string_not_equal(zf_sign_key_id(other), zf_sign_key_id(k));

    /* PEM round trips keep the key */
    assert_int_equal(zf_sign_key_private_pem(&pem, k, &err), 0);
    assert_non_null(strstr(pem.ptr, "-----BEGIN PRIVATE KEY-----"));
    assert_int_equal(zf_sign_key_from_pem(&k2, pem.ptr, pem.len, &err), 0);
    assert_int_equal(zf_sign_key_alg(k2), alg);
    assert_string_equal(zf_sign_key_id(k2), zf_sign_key_id(k));
    assert_int_equal(zf_sign(sig2, &sl2, k2, msg, strlen(msg), &err), 0);
    assert_int_equal(zf_sign_verify(k, msg, strlen(msg), sig2, sl2, &err), 0);
    assert_int_equal(zf_sign_key_public_pem(&ppem, k, &err), 0);
    assert_non_null(strstr(ppem.ptr, "-----BEGIN PUBLIC KEY-----"));
    assert_int_equal(zf_sign_key_from_pem(&pub, ppem.ptr, ppem.len, &err), 0);
    assert_false(zf_sign_key_has_private(pub));
    assert_string_equal(zf_sign_key_id(pub), zf_sign_key_id(k));
    assert_int_equal(zf_sign_verify(pub, msg, strlen(msg), sig, sl, &err), 0);
    assert_int_equal(zf_sign(sig2, &sl2, pub, msg, strlen(msg), &err), ZF_EINVAL);
    zf_buf_reset(&pem);
    assert_int_equal(zf_sign_key_private_pem(&pem, pub, &err), ZF_EINVAL);

    zf_buf_free(&pem);
    zf_buf_free(&ppem);
    zf_buf_free(&der);
    zf_sign_key_free(k);
    zf_sign_key_free(k2);
    zf_sign_key_free(pub);
    zf_sign_key_free(other);
}

static void test_sign_sm2_roundtrip(void **state)
{
    (void)state;
    check_roundtrip(ZF_SIGN_SM2);
}

static void test_sign_ed25519_roundtrip(void **state)
{
    (void)state;
    check_roundtrip(ZF_SIGN_ED25519);
}

static void test_sign_rejects_bad_keys(void **state)
{
    zf_sign_key *k = NULL;
    zf_sign_alg alg;
    EVP_PKEY *p256 = NULL;
    BIO *bio;
    char *data = NULL;
    long n;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_sign_key_from_pem(&k, "garbage", 7, &err), ZF_EINVAL);
    assert_null(k);
    assert_int_equal(zf_sign_key_from_pem(&k, "", 0, &err), ZF_EINVAL);
    /* a P-256 key is a valid key but not one of ours */
    p256 = EVP_EC_gen("P-256");
    assert_non_null(p256);
    bio = BIO_new(BIO_s_mem());
    assert_true(PEM_write_bio_PrivateKey(bio, p256, NULL, NULL, 0, NULL, NULL));
    n = BIO_get_mem_data(bio, &data);
    assert_int_equal(zf_sign_key_from_pem(&k, data, (size_t)n, &err), ZF_EINVAL);
    assert_string_equal(err.code, "unsupported_key");
    BIO_free(bio);
    EVP_PKEY_free(p256);
    assert_int_equal(zf_sign_alg_parse(&alg, "sm2", &err), 0);
    assert_int_equal(alg, ZF_SIGN_SM2);
    assert_int_equal(zf_sign_alg_parse(&alg, "ed25519", &err), 0);
    assert_int_equal(alg, ZF_SIGN_ED25519);
    assert_int_equal(zf_sign_alg_parse(&alg, "rsa", &err), ZF_EINVAL);
    assert_string_equal(zf_sign_alg_name(ZF_SIGN_SM2), "sm2");
    assert_int_equal(zf_sign_key_generate(&k, (zf_sign_alg)9, &err), ZF_EINVAL);
}

/* The exact commands in sign.h and docs/ledger-format.md. */
static void test_sign_openssl_cli(void **state)
{
    zf_sign_alg algs[2] = {ZF_SIGN_SM2, ZF_SIGN_ED25519};
    const char *msg = "origin\n3\nabc=\n";
    int a;

    (void)state;
    if (!have_openssl()) {
        printf("[  SKIPPED ] openssl not on PATH\n");
        skip();
    }
    for (a = 0; a < 2; a++) {
        zf_sign_key *k = NULL, *theirs = NULL;
        zf_buf pem = ZF_BUF_INIT;
        uint8_t sig[ZF_SIGN_MAX_SIG];
        size_t sl = 0;
        zf_err err = ZF_ERR_INIT;
        FILE *f;
        char path[256];
        uint8_t their_sig[ZF_SIGN_MAX_SIG];
        size_t their_len;

        assert_int_equal(zf_sign_key_generate(&k, algs[a], &err), 0);
        assert_int_equal(zf_sign_key_public_pem(&pem, k, &err), 0);
        write_file("pub.pem", pem.ptr, pem.len);
        write_file("msg", msg, strlen(msg));
        write_file("bad", "origin\n4\nabc=\n", strlen(msg));
        assert_int_equal(zf_sign(sig, &sl, k, msg, strlen(msg), &err), 0);
        write_file("sig", sig, sl);
        if (algs[a] == ZF_SIGN_SM2) {
            assert_int_equal(run_in_tmp("openssl dgst -sm3 -verify pub.pem -sigopt "
                                        "distid:1234567812345678 -signature sig msg"), 0);
            assert_int_equal(run_in_tmp("openssl pkeyutl -verify -pubin -inkey pub.pem -rawin "
                                        "-digest sm3 -pkeyopt distid:1234567812345678 -in msg "
                                        "-sigfile sig"), 0);
            assert_int_not_equal(run_in_tmp("openssl dgst -sm3 -verify pub.pem -sigopt "
                                            "distid:1234567812345678 -signature sig bad"), 0);
            /* the ID is part of what is signed: another ID fails */
            assert_int_not_equal(run_in_tmp("openssl dgst -sm3 -verify pub.pem -sigopt "
                                            "distid:1234567812345679 -signature sig msg"), 0);
        } else {
            assert_int_equal(run_in_tmp("openssl pkeyutl -verify -pubin -inkey pub.pem -rawin "
                                        "-in msg -sigfile sig"), 0);
            assert_int_not_equal(run_in_tmp("openssl pkeyutl -verify -pubin -inkey pub.pem "
                                            "-rawin -in bad -sigfile sig"), 0);
        }
        /* the documented key id command gives zf_sign_key_id */
        {
            char line[128], cmd[512];
            FILE *kp;
            snprintf(cmd, sizeof cmd, "openssl pkey -pubin -in '%s/pub.pem' -outform DER | "
                     "openssl dgst -sha256 -r | cut -c1-16", tmpdir);
            kp = popen(cmd, "r");
            assert_non_null(kp);
            assert_non_null(fgets(line, sizeof line, kp));
            pclose(kp);
            line[strcspn(line, "\n")] = 0;
            assert_string_equal(line, zf_sign_key_id(k));
        }
        /* and the other way: openssl signs, we verify */
        zf_buf_reset(&pem);
        assert_int_equal(zf_sign_key_private_pem(&pem, k, &err), 0);
        write_file("key.pem", pem.ptr, pem.len);
        if (algs[a] == ZF_SIGN_SM2)
            assert_int_equal(run_in_tmp("openssl dgst -sm3 -sign key.pem -sigopt "
                                        "distid:1234567812345678 -out theirs msg"), 0);
        else
            assert_int_equal(run_in_tmp("openssl pkeyutl -sign -inkey key.pem -rawin -in msg "
                                        "-out theirs"), 0);
        snprintf(path, sizeof path, "%s/theirs", tmpdir);
        f = fopen(path, "rb");
        assert_non_null(f);
        their_len = fread(their_sig, 1, sizeof their_sig, f);
        fclose(f);
        assert_int_equal(zf_sign_key_from_pem(&theirs, pem.ptr, pem.len, &err), 0);
        assert_int_equal(zf_sign_verify(theirs, msg, strlen(msg), their_sig, their_len, &err), 0);
        zf_buf_free(&pem);
        zf_sign_key_free(k);
        zf_sign_key_free(theirs);
    }
}

/* ---- checkpoints ---------------------------------------------------------- */

static zf_checkpoint *make_cp(const char *origin, uint64_t size, const zf_hash *root)
{
    zf_checkpoint *c = NULL;
    zf_err err = ZF_ERR_INIT;
    assert_int_equal(zf_checkpoint_new(&c, origin, size, root, &err), 0);
    return c;
}

static void test_checkpoint_format(void **state)
{
    zf_hash root;
    zf_checkpoint *c, *p = NULL;
    zf_sign_key *ed = NULL;
    zf_buf body = ZF_BUF_INIT, note = ZF_BUF_INIT, in = ZF_BUF_INIT;
    uint8_t pub[65], kh[4], h[32];
    size_t pl;
    zf_err err = ZF_ERR_INIT;
    const char *b64;

    (void)state;
    memset(root.b, 0, sizeof root.b);
    root.b[0] = 0xfb;
    c = make_cp("zhifa.example.gov.cn/ledger", 18446744073709551615ULL, &root);
    assert_int_equal(zf_checkpoint_add_extension(c, "时间 2024-06-01T00:00:00Z", &err), 0);
    assert_int_equal(zf_checkpoint_body(&body, c, &err), 0);
    assert_string_equal(body.ptr, "zhifa.example.gov.cn/ledger\n18446744073709551615\n"
                                  "+wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
                                  "时间 2024-06-01T00:00:00Z\n");
    /* the Ed25519 key hash is the C2SP one: SHA-256(name || LF || 0x01 || key) */
    assert_int_equal(zf_sign_key_generate(&ed, ZF_SIGN_ED25519, &err), 0);
    assert_int_equal(zf_sign_key_public_raw(pub, &pl, ed, &err), 0);
    zf_buf_puts(&in, "log-key\n\x01");
    zf_buf_append(&in, pub, pl);
    SHA256((const uint8_t *)in.ptr, in.len, h);
    assert_int_equal(zf_note_key_hash(kh, "log-key", ed, &err), 0);
    assert_memory_equal(kh, h, 4);

    assert_int_equal(zf_checkpoint_sign(c, "log-key", ed, &err), 0);
    assert_int_equal(zf_checkpoint_add_extension(c, "late", &err), ZF_ECONFLICT);
    assert_int_equal(zf_checkpoint_serialize(&note, c, &err), 0);
    assert_int_equal(strncmp(note.ptr, body.ptr, body.len), 0);
    assert_int_equal(note.ptr[body.len], '\n');
    b64 = note.ptr + body.len + 1;
    assert_int_equal(strncmp(b64, "\xe2\x80\x94 log-key ", 12), 0);
    /* 4 + 64 bytes = 92 base64 characters, then LF, then the end */
    assert_int_equal(strlen(b64 + 12), 93);
    assert_int_equal(zf_checkpoint_parse(&p, note.ptr, note.len, &err), 0);
    assert_string_equal(p->origin, "zhifa.example.gov.cn/ledger");
    assert_true(p->size == 18446744073709551615ULL);
    assert_true(zf_hash_equal(&p->root, &root));
    assert_int_equal(p->n_ext, 1);
    assert_int_equal(p->n_sigs, 1);
    assert_memory_equal(p->sigs[0].key_hash, kh, 4);
    assert_int_equal(zf_checkpoint_verify(p, "log-key", ed, &err), 0);

    zf_checkpoint_free(c);
    zf_checkpoint_free(p);
    zf_sign_key_free(ed);
    zf_buf_free(&body);
    zf_buf_free(&note);
    zf_buf_free(&in);
}

static void test_checkpoint_sign_verify_both_algs(void **state)
{
    zf_sign_key *sm2 = NULL, *ed = NULL, *witness = NULL, *stranger = NULL;
    zf_checkpoint *c, *p = NULL, *q = NULL;
    zf_buf note = ZF_BUF_INIT, bad = ZF_BUF_INIT, text = ZF_BUF_INIT;
    zf_hash root;
    zf_err err = ZF_ERR_INIT;
    char *pos;

    (void)state;
    zf_merkle_leaf_hash(&root, "x", 1);
    assert_int_equal(zf_sign_key_generate(&sm2, ZF_SIGN_SM2, &err), 0);
    assert_int_equal(zf_sign_key_generate(&ed, ZF_SIGN_ED25519, &err), 0);
    assert_int_equal(zf_sign_key_generate(&witness, ZF_SIGN_ED25519, &err), 0);
    assert_int_equal(zf_sign_key_generate(&stranger, ZF_SIGN_SM2, &err), 0);
    c = make_cp("zhifa/test", 1234, &root);
    assert_int_equal(zf_checkpoint_sign(c, "zhifa-sm2", sm2, &err), 0);
    assert_int_equal(zf_checkpoint_sign(c, "zhifa-ed", ed, &err), 0);
    assert_int_equal(zf_checkpoint_sign(c, "司法局-witness", witness, &err), 0);
    assert_int_equal(zf_checkpoint_sign(c, "bad name", ed, &err), ZF_EINVAL);
    assert_int_equal(zf_checkpoint_sign(c, "a+b", ed, &err), ZF_EINVAL);
    assert_int_equal(zf_checkpoint_serialize(&note, c, &err), 0);
    assert_int_equal(zf_checkpoint_parse(&p, note.ptr, note.len, &err), 0);
    assert_int_equal(p->n_sigs, 3);
    assert_int_equal(zf_checkpoint_verify(p, "zhifa-sm2", sm2, &err), 0);
    assert_int_equal(zf_checkpoint_verify(p, "zhifa-ed", ed, &err), 0);
    assert_int_equal(zf_checkpoint_verify(p, "司法局-witness", witness, &err), 0);
    /* unknown key, or a known key under another name */
    assert_int_equal(zf_checkpoint_verify(p, "zhifa-sm2", stranger, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_checkpoint_verify(p, "other", sm2, &err), ZF_ENOTFOUND);
    /* serialization is stable */
    assert_int_equal(zf_checkpoint_serialize(&text, p, &err), 0);
    assert_int_equal(text.len, note.len);
    assert_memory_equal(text.ptr, note.ptr, note.len);

    /* change the tree size in the text: still parses, no longer verifies */
    zf_buf_append(&bad, note.ptr, note.len);
    pos = strstr(bad.ptr, "\n1234\n");
    assert_non_null(pos);
    pos[4] = '5';
    assert_int_equal(zf_checkpoint_parse(&q, bad.ptr, bad.len, &err), 0);
    assert_int_equal(zf_checkpoint_verify(q, "zhifa-sm2", sm2, &err), ZF_EINVAL);
    assert_string_equal(err.code, "signature_invalid");
    assert_int_equal(zf_checkpoint_verify(q, "zhifa-ed", ed, &err), ZF_EINVAL);
    zf_checkpoint_free(q);
    q = NULL;

    zf_checkpoint_free(c);
    zf_checkpoint_free(p);
    zf_sign_key_free(sm2);
    zf_sign_key_free(ed);
    zf_sign_key_free(witness);
    zf_sign_key_free(stranger);
    zf_buf_free(&note);
    zf_buf_free(&bad);
    zf_buf_free(&text);
}

/* The documented procedure: split the note, strip the 4-byte key hash, and
 * let openssl verify the body. */
static void test_checkpoint_openssl_cli(void **state)
{
    zf_sign_alg algs[2] = {ZF_SIGN_SM2, ZF_SIGN_ED25519};
    int a;

    (void)state;
    if (!have_openssl() || system("base64 --version >/dev/null 2>&1") != 0) {
        printf("[  SKIPPED ] openssl or base64 not on PATH\n");
        skip();
    }
    for (a = 0; a < 2; a++) {
        zf_sign_key *k = NULL;
        zf_checkpoint *c;
        zf_buf note = ZF_BUF_INIT, pem = ZF_BUF_INIT;
        zf_hash root;
        zf_err err = ZF_ERR_INIT;

        zf_merkle_empty_root(&root);
        assert_int_equal(zf_sign_key_generate(&k, algs[a], &err), 0);
        c = make_cp("zhifa.example/ledger", 0, &root);
        assert_int_equal(zf_checkpoint_sign(c, "zhifa.example/ledger", k, &err), 0);
        assert_int_equal(zf_checkpoint_serialize(&note, c, &err), 0);
        assert_int_equal(zf_sign_key_public_pem(&pem, k, &err), 0);
        write_file("checkpoint.txt", note.ptr, note.len);
        write_file("ledger-pub.pem", pem.ptr, pem.len);
        /* body = everything before the blank line, with its final LF */
        assert_int_equal(run_in_tmp("sed '/^$/,$d' checkpoint.txt > body && "
                                    "grep '^— zhifa.example/ledger ' checkpoint.txt | "
                                    "awk '{print $3}' | base64 -d | tail -c +5 > sig"),
                         0);
        if (algs[a] == ZF_SIGN_SM2)
            assert_int_equal(run_in_tmp("openssl dgst -sm3 -verify ledger-pub.pem -sigopt "
                                        "distid:1234567812345678 -signature sig body"), 0);
        else
            assert_int_equal(run_in_tmp("openssl pkeyutl -verify -pubin -inkey ledger-pub.pem "
                                        "-rawin -in body -sigfile sig"), 0);
        /* and a changed body fails */
        assert_int_equal(run_in_tmp("sed -i 's/^0$/1/' body"), 0);
        if (algs[a] == ZF_SIGN_SM2)
            assert_int_not_equal(run_in_tmp("openssl dgst -sm3 -verify ledger-pub.pem -sigopt "
                                            "distid:1234567812345678 -signature sig body"), 0);
        else
            assert_int_not_equal(run_in_tmp("openssl pkeyutl -verify -pubin -inkey "
                                            "ledger-pub.pem -rawin -in body -sigfile sig"), 0);
        zf_checkpoint_free(c);
        zf_sign_key_free(k);
        zf_buf_free(&note);
        zf_buf_free(&pem);
    }
}

static void test_checkpoint_rejects_malformed(void **state)
{
    /* a valid signature line to attach to bodies under test */
    const char *sig = "\xe2\x80\x94 k AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
    const char *root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    static const struct { const char *body; const char *why; } bodies[] = {
        {"o\n1\n%s\n", NULL}, /* control: valid */
        {"\n1\n%s\n", "empty origin"},
        {"o\n01\n%s\n", "leading zero"},
        {"o\n-1\n%s\n", "negative"},
        {"o\n+1\n%s\n", "plus sign"},
        {"o\n18446744073709551616\n%s\n", "size overflow"},
        {"o\n99999999999999999999999\n%s\n", "size overflow, long"},
        {"o\n1 \n%s\n", "trailing space"},
        {"o\n1\n%s=\n", "bad padding"},
        {"o\n1\n%.43s\n", "root truncated"},
        {"o\n1\nAAAA%s\n", "root too long"},
        {"o\n1\n", "no root line"},
        {"o\r\n1\n%s\n", "CR"},
        {"o\xff\n1\n%s\n", "not UTF-8"},
        {"o\xc0\xaf\n1\n%s\n", "overlong UTF-8"},
        {"o\n1\n%s\n\text\n", "control character in extension"},
        {"o\n1\n%s\nx\n\ny\n", "blank line inside body"},
    };
    char note[1024];
    size_t i;
    zf_checkpoint *c = NULL;
    zf_err err = ZF_ERR_INIT;
    char *big;

    (void)state;
    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        int n = snprintf(note, sizeof note, bodies[i].body, root);
        int rc;
        snprintf(note + n, sizeof note - (size_t)n, "\n%s", sig);
        rc = zf_checkpoint_parse(&c, note, strlen(note), &err);
        if (bodies[i].why == NULL) {
            assert_int_equal(rc, 0);
            zf_checkpoint_free(c);
            c = NULL;
        } else if (rc != ZF_EINVAL) {
            fail_msg("accepted note with %s (rc %d)", bodies[i].why, rc);
        } else {
            assert_null(c);
            assert_string_equal(err.code, "invalid_checkpoint");
        }
    }
    /* signature block problems */
    {
        static const char *tails[] = {
            "",                               /* no signature at all */
            "- k AAAAAAAA\n",                 /* ASCII hyphen, not U+2014 */
            "\xe2\x80\x94 k\n",               /* no signature */
            "\xe2\x80\x94 k AAAA\n",          /* 3 bytes: no room for key hash + sig */
            "\xe2\x80\x94 k AAAAAAA*\n",      /* bad base64 */
            "\xe2\x80\x94 k AAAAAAA\n",       /* not a multiple of 4 */
            "\xe2\x80\x94 k AAAAAAAA \n",     /* trailing space */
            "\xe2\x80\x94 a+b AAAAAAAA\n",    /* '+' in the key name */
            "\xe2\x80\x94  AAAAAAAA\n",       /* empty key name */
            "\xe2\x80\x94 k AAAAAAAA",        /* no final newline */
            "\xe2\x80\x94 k AAAAAAAA\n\n",    /* trailing blank line */
        };
        for (i = 0; i < sizeof tails / sizeof tails[0]; i++) {
            snprintf(note, sizeof note, "o\n1\n%s\n\n%s", root, tails[i]);
            if (zf_checkpoint_parse(&c, note, strlen(note), &err) != ZF_EINVAL)
                fail_msg("accepted signature block %zu", i);
            assert_null(c);
        }
        /* no blank line at all */
        snprintf(note, sizeof note, "o\n1\n%s\n%s", root, sig);
        assert_int_equal(zf_checkpoint_parse(&c, note, strlen(note), &err), ZF_EINVAL);
    }
    /* size bound: 16 KiB + 1 is refused before any parsing */
    big = malloc(ZF_CHECKPOINT_MAX + 2);
    memset(big, 'a', ZF_CHECKPOINT_MAX + 1);
    big[ZF_CHECKPOINT_MAX] = '\n';
    assert_int_equal(zf_checkpoint_parse(&c, big, ZF_CHECKPOINT_MAX + 1, &err), ZF_ETOOBIG);
    free(big);
    /* too many signature lines */
    {
        zf_buf b = ZF_BUF_INIT;
        zf_buf_printf(&b, "o\n1\n%s\n\n", root);
        for (i = 0; i < ZF_CHECKPOINT_MAX_SIGS + 1; i++)
            zf_buf_puts(&b, sig);
        assert_int_equal(zf_checkpoint_parse(&c, b.ptr, b.len, &err), ZF_EINVAL);
        zf_buf_free(&b);
    }
    /* building refuses what parsing would refuse */
    {
        zf_hash r;
        memset(&r, 0, sizeof r);
        assert_int_equal(zf_checkpoint_new(&c, "", 1, &r, &err), ZF_EINVAL);
        assert_int_equal(zf_checkpoint_new(&c, "a\nb", 1, &r, &err), ZF_EINVAL);
        assert_int_equal(zf_checkpoint_new(&c, "a\rb", 1, &r, &err), ZF_EINVAL);
        assert_null(c);
    }
}

static void test_base64(void **state)
{
    static const struct { const char *raw; const char *b64; } v[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    uint8_t out[16];
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        zf_buf b = ZF_BUF_INIT;
        assert_int_equal(zf_base64_encode(&b, (const uint8_t *)v[i].raw, strlen(v[i].raw)), 0);
        assert_string_equal(zf_buf_str(&b), v[i].b64);
        zf_buf_free(&b);
        assert_int_equal(zf_base64_decode(out, &n, v[i].b64, strlen(v[i].b64)), 0);
        assert_int_equal(n, strlen(v[i].raw));
        assert_memory_equal(out, v[i].raw, n);
    }
    assert_int_equal(zf_base64_decode(out, &n, "Zh==", 4), ZF_EINVAL); /* non-zero pad bits */
    assert_int_equal(zf_base64_decode(out, &n, "Zm9=", 4), ZF_EINVAL);
    assert_int_equal(zf_base64_decode(out, &n, "Z===", 4), ZF_EINVAL);
    assert_int_equal(zf_base64_decode(out, &n, "Zg==Zg==", 8), ZF_EINVAL);
    assert_int_equal(zf_base64_decode(out, &n, "Zm 9", 4), ZF_EINVAL);
    assert_int_equal(zf_base64_decode(out, &n, "Zm9vY", 5), ZF_EINVAL);
    assert_int_equal(zf_base64_decode(out, &n, "Zm-_", 4), ZF_EINVAL); /* URL alphabet */
}

static void test_checkpoint_consistency_rule(void **state)
{
    zf_merkle_memtree *t = zf_merkle_memtree_new();
    zf_merkle_source src = zf_merkle_memtree_source(t);
    zf_hash roots[11], proof[ZF_MERKLE_MAX_PROOF], leaf, empty;
    zf_checkpoint *old, *new, *forked, *other_log, *empty_cp, *bad_empty;
    size_t plen, i;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    zf_merkle_empty_root(&roots[0]);
    for (i = 1; i <= 10; i++) {
        char d[8];
        snprintf(d, sizeof d, "e%zu", i);
        zf_merkle_leaf_hash(&leaf, d, strlen(d));
        zf_merkle_memtree_append(t, &leaf);
        zf_merkle_memtree_root(&roots[i], t);
    }
    old = make_cp("log", 4, &roots[4]);
    new = make_cp("log", 10, &roots[10]);
    forked = make_cp("log", 10, &roots[9]); /* a different tree of size 10 */
    other_log = make_cp("other", 10, &roots[10]);
    zf_merkle_empty_root(&empty);
    empty_cp = make_cp("log", 0, &empty);
    bad_empty = make_cp("log", 0, &roots[1]);

    assert_int_equal(zf_merkle_consistency_proof(proof, &plen, &src, 4, 10, &err), 0);
    assert_int_equal(zf_checkpoint_check_consistent(old, new, proof, plen, &err), 0);
    assert_int_equal(zf_checkpoint_check_consistent(old, forked, proof, plen, &err),
                     ZF_ECONFLICT);
    assert_string_equal(err.code, "checkpoint_inconsistent");
    assert_int_equal(zf_checkpoint_check_consistent(old, other_log, proof, plen, &err),
                     ZF_ECONFLICT);
    assert_int_equal(zf_checkpoint_check_consistent(new, old, proof, plen, &err), ZF_ECONFLICT);
    assert_int_equal(zf_checkpoint_check_consistent(new, new, NULL, 0, &err), 0);
    assert_int_equal(zf_checkpoint_check_consistent(new, forked, NULL, 0, &err), ZF_ECONFLICT);
    assert_int_equal(zf_checkpoint_check_consistent(empty_cp, new, NULL, 0, &err), 0);
    assert_int_equal(zf_checkpoint_check_consistent(bad_empty, new, NULL, 0, &err),
                     ZF_ECONFLICT);
    proof[0].b[0] ^= 1;
    assert_int_equal(zf_checkpoint_check_consistent(old, new, proof, plen, &err), ZF_ECONFLICT);

    zf_checkpoint_free(old);
    zf_checkpoint_free(new);
    zf_checkpoint_free(forked);
    zf_checkpoint_free(other_log);
    zf_checkpoint_free(empty_cp);
    zf_checkpoint_free(bad_empty);
    zf_merkle_memtree_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jcs_structure),
        cmocka_unit_test(test_jcs_sorting_rfc_example),
        cmocka_unit_test(test_jcs_string_escaping),
        cmocka_unit_test(test_jcs_numbers),
        cmocka_unit_test(test_jcs_rejects),
        cmocka_unit_test(test_jcs_event_leaf),
        cmocka_unit_test(test_sm3_known_answers),
        cmocka_unit_test(test_digest_stream),
        cmocka_unit_test(test_sm3_vs_openssl_cli),
        cmocka_unit_test(test_sign_sm2_roundtrip),
        cmocka_unit_test(test_sign_ed25519_roundtrip),
        cmocka_unit_test(test_sign_rejects_bad_keys),
        cmocka_unit_test(test_sign_openssl_cli),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_checkpoint_format),
        cmocka_unit_test(test_checkpoint_sign_verify_both_algs),
        cmocka_unit_test(test_checkpoint_openssl_cli),
        cmocka_unit_test(test_checkpoint_rejects_malformed),
        cmocka_unit_test(test_checkpoint_consistency_rule),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
