/* test_range.c — the Range and Content-Range parsers, table-driven: the three
 * range forms, clamping, suffixes longer than the file, multiple ranges,
 * whitespace, other units, overflow past 2^64, and Content-Range for
 * resumable uploads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/range.h"

#define GiB (1024ULL * 1024 * 1024)

struct range_case {
    const char *value;
    uint64_t size;
    zf_range_result want;
    uint64_t first, last; /* checked for OK and MULTI */
};

static const struct range_case range_cases[] = {
    /* the three forms */
    {"bytes=0-499", 1000, ZF_RANGE_OK, 0, 499},
    {"bytes=500-999", 1000, ZF_RANGE_OK, 500, 999},
    {"bytes=500-", 1000, ZF_RANGE_OK, 500, 999},
    {"bytes=-500", 1000, ZF_RANGE_OK, 500, 999},
    {"bytes=0-0", 1000, ZF_RANGE_OK, 0, 0},
    {"bytes=999-999", 1000, ZF_RANGE_OK, 999, 999},
    {"bytes=0-", 1, ZF_RANGE_OK, 0, 0},
    /* clamping and suffixes longer than the file */
    {"bytes=0-5000", 1000, ZF_RANGE_OK, 0, 999},
    {"bytes=-5000", 1000, ZF_RANGE_OK, 0, 999},
    {"bytes=-1", 1000, ZF_RANGE_OK, 999, 999},
    {"bytes=-0", 1000, ZF_RANGE_UNSATISFIABLE, 0, 0},
    /* unsatisfiable */
    {"bytes=1000-", 1000, ZF_RANGE_UNSATISFIABLE, 0, 0},
    {"bytes=1000-2000", 1000, ZF_RANGE_UNSATISFIABLE, 0, 0},
    {"bytes=0-0", 0, ZF_RANGE_UNSATISFIABLE, 0, 0},
    {"bytes=-10", 0, ZF_RANGE_NONE, 0, 0}, /* satisfiable, but nothing to cut */
    {"bytes=-0", 0, ZF_RANGE_UNSATISFIABLE, 0, 0},
    /* large files, 64-bit arithmetic */
    {"bytes=4294967296-", 5 * GiB, ZF_RANGE_OK, 4 * GiB, 5 * GiB - 1},
    {"bytes=-1073741824", 5 * GiB, ZF_RANGE_OK, 4 * GiB, 5 * GiB - 1},
    {"bytes=0-18446744073709551615", 5 * GiB, ZF_RANGE_OK, 0, 5 * GiB - 1},
    /* overflow past 2^64: still compared exactly, never wrapped */
    {"bytes=0-18446744073709551616", 1000, ZF_RANGE_OK, 0, 999},
    {"bytes=0-99999999999999999999999999999", 1000, ZF_RANGE_OK, 0, 999},
    {"bytes=18446744073709551616-", 1000, ZF_RANGE_UNSATISFIABLE, 0, 0},
    {"bytes=18446744073709551616-18446744073709551617", 1000, ZF_RANGE_UNSATISFIABLE, 0, 0},
    {"bytes=18446744073709551617-18446744073709551616", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=-18446744073709551616", 1000, ZF_RANGE_OK, 0, 999},
    {"bytes=000000000000000000000000000010-20", 1000, ZF_RANGE_OK, 10, 20},
    /* multiple ranges: the caller answers 200 (or 416 when none fits) */
    {"bytes=0-1,5-6", 1000, ZF_RANGE_MULTI, 0, 1},
    {"bytes=2000-3000, 5-6", 1000, ZF_RANGE_MULTI, 5, 6},
    {"bytes=2000-3000,4000-", 1000, ZF_RANGE_UNSATISFIABLE, 0, 0},
    {"bytes=0-1,-2", 1000, ZF_RANGE_MULTI, 0, 1},
    /* whitespace, empty list elements, unit case */
    {"  bytes=0-9  ", 1000, ZF_RANGE_OK, 0, 9},
    {"\tbytes=0-9", 1000, ZF_RANGE_OK, 0, 9},
    {"bytes= 0-9 ", 1000, ZF_RANGE_OK, 0, 9},
    {"bytes=0-9,", 1000, ZF_RANGE_OK, 0, 9},
    {"bytes=,,0-9", 1000, ZF_RANGE_OK, 0, 9},
    {"BYTES=0-9", 1000, ZF_RANGE_OK, 0, 9},
    {"Bytes=0-9", 1000, ZF_RANGE_OK, 0, 9},
    {"bytes=0 -9", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=0- 9", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes =0-9", 1000, ZF_RANGE_INVALID, 0, 0},
    /* absent or not ours */
    {"", 1000, ZF_RANGE_NONE, 0, 0},
    {"   ", 1000, ZF_RANGE_NONE, 0, 0},
    {"items=0-9", 1000, ZF_RANGE_NONE, 0, 0},
    /* syntax errors */
    {"bytes", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=,", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=-", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=9-0", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=a-b", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=0-9x", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=--9", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=+1-2", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=0x10-20", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=1-2,x", 1000, ZF_RANGE_INVALID, 0, 0},
    {"=0-9", 1000, ZF_RANGE_INVALID, 0, 0},
    {"by tes=0-9", 1000, ZF_RANGE_INVALID, 0, 0},
    {"bytes=0-9;", 1000, ZF_RANGE_INVALID, 0, 0},
};

static void test_range_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof range_cases / sizeof range_cases[0]; i++) {
        const struct range_case *c = &range_cases[i];
        zf_byte_range r = {12345, 54321};
        zf_range_result got = zf_range_parse(&r, c->value, strlen(c->value), c->size);

        if (got != c->want)
            fail_msg("case %zu \"%s\" size %llu: got %d, want %d", i, c->value,
                     (unsigned long long)c->size, got, c->want);
        if (got == ZF_RANGE_OK || got == ZF_RANGE_MULTI) {
            if (r.first != c->first || r.last != c->last)
                fail_msg("case %zu \"%s\": got %llu-%llu, want %llu-%llu", i, c->value,
                         (unsigned long long)r.first, (unsigned long long)r.last,
                         (unsigned long long)c->first, (unsigned long long)c->last);
            assert_true(r.last < c->size);
            assert_true(r.first <= r.last);
        }
    }
}

static void test_range_not_nul_terminated(void **state)
{
    const char buf[] = "bytes=0-9999"; /* only "bytes=0-9" is passed */
    zf_byte_range r;

    (void)state;
    assert_int_equal(zf_range_parse(&r, buf, 9, 1000), ZF_RANGE_OK);
    assert_int_equal(r.first, 0);
    assert_int_equal(r.last, 9);
    assert_int_equal(zf_range_parse(&r, NULL, 0, 1000), ZF_RANGE_NONE);
}

struct cr_case {
    const char *value;
    int ok;
    bool has_range;
    uint64_t first, last;
    bool has_total;
    uint64_t total;
};

static const struct cr_case cr_cases[] = {
    {"bytes 0-499/1000", 1, true, 0, 499, true, 1000},
    {"bytes 500-999/1000", 1, true, 500, 999, true, 1000},
    {"bytes 0-0/1", 1, true, 0, 0, true, 1},
    {"bytes 0-1048575/*", 1, true, 0, 1048575, false, 0},
    {"bytes */1000", 1, false, 0, 0, true, 1000},
    {"bytes */0", 1, false, 0, 0, true, 0},
    {"BYTES 0-9/10", 1, true, 0, 9, true, 10},
    {"  bytes  0-9/10  ", 1, true, 0, 9, true, 10},
    {"bytes 4294967296-5368709119/5368709120", 1, true, 4 * GiB, 5 * GiB - 1, true, 5 * GiB},
    {"bytes 0-18446744073709551614/18446744073709551615", 1, true, 0, 18446744073709551614ULL,
     true, 18446744073709551615ULL},
    /* errors */
    {"", 0, false, 0, 0, false, 0},
    {"bytes", 0, false, 0, 0, false, 0},
    {"bytes ", 0, false, 0, 0, false, 0},
    {"bytes=0-9/10", 0, false, 0, 0, false, 0},
    {"items 0-9/10", 0, false, 0, 0, false, 0},
    {"bytes 0-9", 0, false, 0, 0, false, 0},
    {"bytes 0-9/", 0, false, 0, 0, false, 0},
    {"bytes 9-0/10", 0, false, 0, 0, false, 0},
    {"bytes 0-10/10", 0, false, 0, 0, false, 0},     /* last must be < total */
    {"bytes 0-0/0", 0, false, 0, 0, false, 0},
    {"bytes */*", 0, false, 0, 0, false, 0},
    {"bytes -9/10", 0, false, 0, 0, false, 0},
    {"bytes 0-/10", 0, false, 0, 0, false, 0},
    {"bytes 0-9/10x", 0, false, 0, 0, false, 0},
    {"bytes 0-9 /10", 0, false, 0, 0, false, 0},
    {"bytes 0-9/10,11-12/13", 0, false, 0, 0, false, 0},
    {"bytes 0-18446744073709551616/*", 0, false, 0, 0, false, 0},
    {"bytes 0-1/18446744073709551616", 0, false, 0, 0, false, 0},
    {"bytes */18446744073709551616", 0, false, 0, 0, false, 0},
    {"bytes 18446744073709551616-18446744073709551617/*", 0, false, 0, 0, false, 0},
};

static void test_content_range_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cr_cases / sizeof cr_cases[0]; i++) {
        const struct cr_case *c = &cr_cases[i];
        zf_content_range cr;
        zf_err err = ZF_ERR_INIT;
        int rc;

        memset(&cr, 0xAB, sizeof cr);
        rc = zf_content_range_parse(&cr, c->value, strlen(c->value), &err);
        if (!c->ok) {
            if (rc != ZF_EINVAL)
                fail_msg("case %zu \"%s\": accepted", i, c->value);
            assert_string_equal(err.code, "invalid_content_range");
            assert_string_equal(err.field, "Content-Range");
            assert_true(strlen(err.message) > 0);
            continue;
        }
        if (rc != 0)
            fail_msg("case %zu \"%s\": rejected: %s", i, c->value, err.message);
        assert_int_equal(cr.has_range, c->has_range);
        assert_int_equal(cr.has_total, c->has_total);
        if (c->has_range) {
            assert_true(cr.first == c->first);
            assert_true(cr.last == c->last);
        }
        if (c->has_total)
            assert_true(cr.total == c->total);
    }
}

static void test_format(void **state)
{
    char buf[ZF_RANGE_HEADER_MAX];
    zf_byte_range r = {0, UINT64_MAX - 1};
    zf_content_range cr;

    (void)state;
    assert_string_equal(zf_range_format(buf, NULL, 1000), "bytes */1000");
    r.first = 5;
    r.last = 9;
    assert_string_equal(zf_range_format(buf, &r, 10), "bytes 5-9/10");
    /* the widest header fits, and what we format parses back */
    r.first = UINT64_MAX - 2;
    r.last = UINT64_MAX - 1;
    zf_range_format(buf, &r, UINT64_MAX);
    assert_string_equal(buf, "bytes 18446744073709551613-18446744073709551614/18446744073709551615");
    assert_int_equal(zf_content_range_parse(&cr, buf, strlen(buf), NULL), 0);
    assert_true(cr.first == UINT64_MAX - 2 && cr.last == UINT64_MAX - 1 && cr.total == UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_table),
        cmocka_unit_test(test_range_not_nul_terminated),
        cmocka_unit_test(test_content_range_table),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
