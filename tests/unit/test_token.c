/* test_token.c — random tokens, their storage hash and comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/token.h"
#include "util/err.h"

#define DRAWS 2000

static int is_b64url(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static int cmp_tok(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void test_token_shape(void **state)
{
    char t[ZF_TOKEN_SIZE];
    size_t i;
    int k;

    (void)state;
    for (k = 0; k < 200; k++) {
        assert_int_equal(zf_token_new(t), 0);
        assert_int_equal(strlen(t), ZF_TOKEN_CHARS);
        assert_int_equal(ZF_TOKEN_CHARS, 43);
        for (i = 0; i < ZF_TOKEN_CHARS; i++)
            assert_true(is_b64url(t[i]));
        assert_int_equal(zf_token_check_format(t, strlen(t), 0), 1);
        assert_int_equal(zf_token_check_format(t, strlen(t), 1), 0);
    }
}

static void test_token_uniqueness_and_spread(void **state)
{
    char (*t)[ZF_TOKEN_SIZE] = calloc(DRAWS, sizeof *t);
    int seen[256] = {0}, distinct = 0;
    size_t i, j;

    (void)state;
    assert_non_null(t);
    for (i = 0; i < DRAWS; i++)
        assert_int_equal(zf_token_new(t[i]), 0);
    qsort(t, DRAWS, sizeof *t, cmp_tok);
    for (i = 1; i < DRAWS; i++)
        assert_string_not_equal(t[i - 1], t[i]);
    /* All 64 symbols turn up in the first 42 positions of 2000 tokens; a broken
     * generator (zeros, a counter, a narrow alphabet) would not do that. */
    for (i = 0; i < DRAWS; i++)
        for (j = 0; j < ZF_TOKEN_CHARS - 1; j++)
            seen[(unsigned char)t[i][j]] = 1;
    for (i = 0; i < 256; i++)
        distinct += seen[i];
    assert_int_equal(distinct, 64);
    free(t);
}

static void test_api_token(void **state)
{
    char a[ZF_API_TOKEN_SIZE], b[ZF_API_TOKEN_SIZE];

    (void)state;
    assert_int_equal(zf_token_api_new(a), 0);
    assert_int_equal(zf_token_api_new(b), 0);
    assert_int_equal(strlen(a), ZF_API_TOKEN_CHARS);
    assert_int_equal(strlen(a), 46);
    assert_memory_equal(a, "zf_", 3);
    assert_string_not_equal(a, b);
    assert_int_equal(zf_token_check_format(a, strlen(a), 1), 1);
    assert_int_equal(zf_token_check_format(a, strlen(a), 0), 0);
    assert_int_equal(zf_token_check_format(a + 3, strlen(a + 3), 0), 1);
}

static void test_check_format_rejects(void **state)
{
    char t[ZF_TOKEN_SIZE], bad[ZF_API_TOKEN_SIZE + 4];

    (void)state;
    assert_int_equal(zf_token_new(t), 0);
    assert_int_equal(zf_token_check_format(NULL, 43, 0), 0);
    assert_int_equal(zf_token_check_format(t, 42, 0), 0);
    assert_int_equal(zf_token_check_format("", 0, 0), 0);
    memcpy(bad, t, sizeof t);
    bad[10] = '+'; /* standard base64, not URL-safe */
    assert_int_equal(zf_token_check_format(bad, 43, 0), 0);
    memcpy(bad, t, sizeof t);
    bad[42] = 'B'; /* the last character of 32 bytes can only carry 4 bits */
    assert_int_equal(zf_token_check_format(bad, 43, 0), 0);
    memcpy(bad, "zx_", 3);
    memcpy(bad + 3, t, sizeof t);
    assert_int_equal(zf_token_check_format(bad, 46, 1), 0);
}

static void test_hash(void **state)
{
    char h1[ZF_TOKEN_HASH_SIZE], h2[ZF_TOKEN_HASH_SIZE], t[ZF_TOKEN_SIZE];
    size_t i;

    (void)state;
    /* Known SHA-256 values (FIPS 180-2 "abc", and the empty string). */
    assert_int_equal(zf_token_hash(h1, "abc", 3), 0);
    assert_string_equal(h1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(zf_token_hash(h1, "", 0), 0);
    assert_string_equal(h1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    assert_int_equal(zf_token_new(t), 0);
    assert_int_equal(zf_token_hash(h1, t, strlen(t)), 0);
    assert_int_equal(zf_token_hash(h2, t, strlen(t)), 0);
    assert_int_equal(strlen(h1), 64);
    for (i = 0; i < 64; i++)
        assert_true((h1[i] >= '0' && h1[i] <= '9') || (h1[i] >= 'a' && h1[i] <= 'f'));
    assert_string_equal(h1, h2);
    /* The hash is not the token, and one changed character changes it. */
    assert_null(strstr(h1, t));
    t[0] = t[0] == 'A' ? 'B' : 'A';
    assert_int_equal(zf_token_hash(h2, t, strlen(t)), 0);
    assert_string_not_equal(h1, h2);
    assert_int_equal(zf_token_hash(h1, NULL, 0), ZF_EINTERNAL);
}

static void test_equal(void **state)
{
    char a[ZF_TOKEN_SIZE], b[ZF_TOKEN_SIZE];

    (void)state;
    assert_int_equal(zf_token_new(a), 0);
    memcpy(b, a, sizeof a);
    assert_int_equal(zf_token_equal(a, b), 1);
    b[42] = b[42] == 'A' ? 'E' : 'A';
    assert_int_equal(zf_token_equal(a, b), 0);
    memcpy(b, a, sizeof a);
    b[0] = b[0] == 'x' ? 'y' : 'x';
    assert_int_equal(zf_token_equal(a, b), 0);
    b[20] = '\0';
    assert_int_equal(zf_token_equal(a, b), 0); /* different length */
    assert_int_equal(zf_token_equal("", ""), 1);
    assert_int_equal(zf_token_equal(a, NULL), 0);
    assert_int_equal(zf_token_equal(NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_shape),
        cmocka_unit_test(test_token_uniqueness_and_spread),
        cmocka_unit_test(test_api_token),
        cmocka_unit_test(test_check_format_rejects),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
