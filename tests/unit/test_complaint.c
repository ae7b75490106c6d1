/* test_complaint.c — the pure parts of 投诉举报 and 调阅监督 (issue 8):
 * tracking numbers and their check symbol, query codes, the life cycle,
 * the form parser, and the access patterns over a hand-built history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/access_flags.h"
#include "core/complaint.h"
#include "web/form.h"

static const char ALPHA[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void test_number_round_trip(void **state)
{
    const uint8_t rnd[8] = {0, 31, 7, 200, 13, 99, 64, 255};
    char no[ZF_COMPLAINT_NO_LEN + 1], back[ZF_COMPLAINT_NO_LEN + 1];

    (void)state;
    assert_int_equal(zf_complaint_no_make(no, 2026, rnd), 0);
    assert_int_equal(strlen(no), ZF_COMPLAINT_NO_LEN);
    assert_memory_equal(no, "TS-2026-0Z78D30Z-", 17);
    assert_int_equal(zf_complaint_no_parse(back, no, strlen(no)), 0);
    assert_string_equal(back, no);
    /* what people type: lower case, spaces, look-alikes */
    {
        char typed[64];

        snprintf(typed, sizeof typed, "ts 2026 o z 78d3oz %c", no[17] + ('a' - 'A') * (no[17] >= 'A'));
        assert_int_equal(zf_complaint_no_parse(back, typed, strlen(typed)), 0);
        assert_string_equal(back, no);
    }
    assert_int_equal(zf_complaint_no_make(no, 1999, rnd), -1);
}

/* Every single changed symbol and every swap of two different neighbours in
 * the random part and the check symbol is caught. */
static void test_number_check_symbol(void **state)
{
    char no[ZF_COMPLAINT_NO_LEN + 1], bad[ZF_COMPLAINT_NO_LEN + 1], out[ZF_COMPLAINT_NO_LEN + 1];
    uint8_t rnd[8];
    int trial, pos, k, caught = 0, swaps = 0;

    (void)state;
    srand(7);
    for (trial = 0; trial < 50; trial++) {
        for (k = 0; k < 8; k++)
            rnd[k] = (uint8_t)rand();
        zf_complaint_no_make(no, 2026 + trial % 3, rnd);
        assert_int_equal(zf_complaint_no_parse(out, no, strlen(no)), 0);
        for (pos = 8; pos < 18; pos++) {
            if (pos == 16)
                continue;
            for (k = 0; k < 32; k++) {
                if (ALPHA[k] == no[pos])
                    continue;
                memcpy(bad, no, sizeof bad);
                bad[pos] = ALPHA[k];
                assert_int_not_equal(zf_complaint_no_parse(out, bad, strlen(bad)), 0);
            }
        }
        for (pos = 8; pos < 15; pos++) {
            if (no[pos] == no[pos + 1])
                continue;
            memcpy(bad, no, sizeof bad);
            bad[pos] = no[pos + 1];
            bad[pos + 1] = no[pos];
            swaps++;
            if (zf_complaint_no_parse(out, bad, strlen(bad)) != 0)
                caught++;
        }
    }
    /* MOD 33,32 misses a few swaps by construction; nearly all are caught */
    assert_true(caught * 100 >= swaps * 95);
    assert_int_not_equal(zf_complaint_no_parse(out, "", 0), 0);
    assert_int_not_equal(zf_complaint_no_parse(out, "XX-2026-AAAAAAAA-A", 18), 0);
    assert_int_not_equal(zf_complaint_no_parse(out, "TS-2026-AAAAAAAU-A", 18), 0); /* U is no symbol */
    assert_int_not_equal(zf_complaint_no_parse(out, "TS-2026-AAAAAAAAA-A", 19), 0);
}

static void test_code(void **state)
{
    const uint8_t rnd[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    char code[ZF_COMPLAINT_CODE_LEN + 1], out[ZF_COMPLAINT_CODE_LEN + 1];

    (void)state;
    zf_complaint_code_make(code, rnd);
    assert_string_equal(code, "12345678");
    assert_int_equal(zf_complaint_code_parse(out, "1234 5678", 9), 0);
    assert_string_equal(out, "12345678");
    assert_int_equal(zf_complaint_code_parse(out, "iL0o-abcd", 9), 0);
    assert_string_equal(out, "1100ABCD");
    assert_int_not_equal(zf_complaint_code_parse(out, "1234567", 7), 0);
    assert_int_not_equal(zf_complaint_code_parse(out, "123456789", 9), 0);
    assert_int_not_equal(zf_complaint_code_parse(out, "1234567!", 8), 0);
}

static void test_life_cycle(void **state)
{
    (void)state;
    assert_string_equal(zf_complaint_next_status("submitted", "accept"), "accepted");
    assert_string_equal(zf_complaint_next_status("submitted", "reject"), "rejected");
    assert_string_equal(zf_complaint_next_status("accepted", "assign"), "investigating");
    assert_string_equal(zf_complaint_next_status("investigating", "assign"), "investigating");
    assert_string_equal(zf_complaint_next_status("investigating", "reply"), "replied");
    assert_string_equal(zf_complaint_next_status("replied", "close"), "closed");
    assert_null(zf_complaint_next_status("submitted", "reply"));
    assert_null(zf_complaint_next_status("closed", "note"));
    assert_null(zf_complaint_next_status("rejected", "accept"));
    assert_null(zf_complaint_next_status("replied", "reply"));
    assert_null(zf_complaint_action_find("delete"));
    assert_true(zf_complaint_action_find("reply")->needs_note);
    assert_true(zf_complaint_action_find("reply")->actors & ZF_COMPLAINT_BY_HANDLER);
    assert_false(zf_complaint_action_find("close")->actors & ZF_COMPLAINT_BY_HANDLER);
    assert_string_equal(zf_complaint_status_name("investigating"), "调查处理中");
    assert_false(zf_complaint_status_valid("open"));
}

static void test_form(void **state)
{
    zf_form *f = NULL;
    zf_err err = ZF_ERR_INIT;
    const char *body = "a=1&b=%E5%BC%A0+%E4%B8%89&c=&d&e=x%0D%0Ay";

    (void)state;
    assert_int_equal(zf_form_parse(&f, body, strlen(body), &err), 0);
    assert_int_equal(zf_form_count(f), 5);
    assert_string_equal(zf_form_get(f, "a"), "1");
    assert_string_equal(zf_form_get(f, "b"), "张 三");
    assert_string_equal(zf_form_get(f, "c"), "");
    assert_string_equal(zf_form_get(f, "d"), "");
    assert_string_equal(zf_form_get(f, "e"), "x\ny"); /* CR LF folded */
    assert_null(zf_form_get(f, "z"));
    zf_form_free(f);

    {
        static const char *const bad[] = {"a=1&a=2", "a=%zz", "a=%4", "a=%00", "a=%FF%FE", "a b=1", "=1",
                                          "a=%01", "a=%7F", "%61=1"};
        size_t i;

        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            f = (zf_form *)1;
            assert_int_equal(zf_form_parse(&f, bad[i], strlen(bad[i]), &err), ZF_EINVAL);
            assert_null(f);
        }
    }
    {
        char many[400] = "";
        int i;

        for (i = 0; i <= ZF_FORM_MAX_FIELDS; i++)
            snprintf(many + strlen(many), sizeof many - strlen(many), "%sf%d=1", i ? "&" : "", i);
        assert_int_equal(zf_form_parse(&f, many, strlen(many), &err), ZF_EINVAL);
    }
}

/* A hand-built history. Times are China time on Monday 2026-11-23 (a
 * working day) unless said otherwise; 1795363200 is 2026-11-23 00:00 UTC+8. */
#define MON 1795363200LL
#define H(h, m) (MON + (h) * 3600LL + (m) * 60LL)

static void test_access_flags(void **state)
{
    zf_access_row rows[40];
    zf_access_thresholds t = ZF_ACCESS_THRESHOLDS_INIT;
    zf_access_flag *flags = NULL;
    zf_err err = ZF_ERR_INIT;
    char subj[40][16];
    size_t n = 0, nf = 0, i, breadth = 0, off = 0, other = 0;

    (void)state;
    memset(rows, 0, sizeof rows);
    /* user 1 reads 12 unrelated cases between 09:00 and 10:50: breadth */
    for (i = 0; i < 12; i++, n++) {
        snprintf(subj[n], sizeof subj[n], "case:%zu", 100 + i);
        rows[n] = (zf_access_row){(int64_t)n + 1, H(9, (int)i * 10), 1, "甲", 1, 0, 1, "市场监管局", subj[n], 0};
    }
    /* user 2 reads 12 cases too, but 11 of them are their own: no breadth */
    for (i = 0; i < 12; i++, n++) {
        snprintf(subj[n], sizeof subj[n], "case:%zu", 200 + i);
        rows[n] = (zf_access_row){(int64_t)n + 1, H(9, (int)i), 2, "乙", 1, 0, 1, "市场监管局", subj[n], i > 0};
    }
    /* user 3: the same case 15 times (one subject) at 10:00, then at 22:30 */
    for (i = 0; i < 15; i++, n++)
        rows[n] = (zf_access_row){(int64_t)n + 1, H(10, (int)i), 3, "丙", 1, 0, 1, "市场监管局", "case:300", 0};
    rows[n] = (zf_access_row){(int64_t)n + 1, H(22, 30), 3, "丙", 1, 0, 1, "市场监管局", "case:300", 0};
    n++;
    assert_int_equal(zf_access_flags_find(&flags, &nf, rows, n, &t, NULL, &err), 0);
    for (i = 0; i < nf; i++) {
        if (flags[i].kind == ZF_ACCESS_BREADTH) {
            breadth++;
            assert_int_equal(flags[i].actor_id, 1);
            assert_int_equal(flags[i].count, 12);
            assert_non_null(strstr(flags[i].explanation, "12 个"));
        } else if (flags[i].kind == ZF_ACCESS_OFF_HOURS) {
            off++;
            assert_int_equal(flags[i].actor_id, 3);
            assert_non_null(strstr(flags[i].explanation, "2026-11-23 22:30"));
        } else {
            other++;
        }
    }
    assert_int_equal(breadth, 1);
    assert_int_equal(off, 1);
    assert_int_equal(other, 0);
    free(flags);

    /* a higher threshold: no breadth; a narrower window also none */
    t.max_subjects = 12;
    assert_int_equal(zf_access_flags_find(&flags, &nf, rows, n, &t, NULL, &err), 0);
    for (i = 0; i < nf; i++)
        assert_int_not_equal(flags[i].kind, ZF_ACCESS_BREADTH);
    free(flags);
    t.max_subjects = 10;
    t.window_hours = 1; /* 12 reads 10 minutes apart: at most 6 in an hour */
    assert_int_equal(zf_access_flags_find(&flags, &nf, rows, 12, &t, NULL, &err), 0);
    assert_int_equal(nf, 0);
    free(flags);

    /* other department: an officer of department 1 reads department 2's case
     * on a Saturday; a supervisor reading it is not flagged for that */
    t = (zf_access_thresholds)ZF_ACCESS_THRESHOLDS_INIT;
    rows[0] = (zf_access_row){1, H(24 * 5 + 10, 0), 1, "甲", 1, 0, 2, "生态环境局", "case:9", 0};
    rows[1] = (zf_access_row){2, H(11, 0), 4, "督", 9, 1, 2, "生态环境局", "case:9", 0};
    assert_int_equal(zf_access_flags_find(&flags, &nf, rows, 2, &t, NULL, &err), 0);
    assert_int_equal(nf, 2);
    assert_int_equal(flags[0].kind, ZF_ACCESS_OFF_HOURS);
    assert_non_null(strstr(flags[0].explanation, "不是工作日"));
    assert_int_equal(flags[1].kind, ZF_ACCESS_OTHER_DEPT);
    assert_int_equal(flags[1].actor_id, 1);
    assert_non_null(strstr(flags[1].explanation, "生态环境局"));
    free(flags);

    t.day_start = 20;
    t.day_end = 8;
    assert_int_equal(zf_access_flags_find(&flags, &nf, rows, 2, &t, NULL, &err), ZF_EINVAL);
    assert_string_equal(err.field, "day_start");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_round_trip), cmocka_unit_test(test_number_check_symbol),
        cmocka_unit_test(test_code),              cmocka_unit_test(test_life_cycle),
        cmocka_unit_test(test_form),              cmocka_unit_test(test_access_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
