/* test_annual.c — the annual report rules (core/annual.h): which case event
 * counts as which item, adding up and merging reports (the city sum), the
 * year bounds, and the 31 January deadline at every side of it; and the
 * spreadsheet and PDF of a report (render/annual_doc.h), read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/annual.h"
#include "render/annual_doc.h"
#include "render/pdf.h"
#include "render/xlsx.h"
#include "util/err.h"

static void test_event_mapping(void **state)
{
    const zf_annual_item *it;

    (void)state;
    it = zf_annual_item_for_event("penalty_summary", "decide_on_spot", 1);
    assert_non_null(it);
    assert_string_equal(it->code, "fine");
    assert_true(it->has_amount);
    it = zf_annual_item_for_event("penalty_general", "decide_penalty", 0);
    assert_string_equal(it->code, "warning");
    assert_string_equal(zf_annual_item_for_event("license_renewal", "grant", 0)->code, "granted");
    assert_string_equal(zf_annual_item_for_event("license", "deny", 0)->code, "denied");
    assert_string_equal(zf_annual_item_for_event("coercion_freeze", "implement", 0)->code, "freeze");
    assert_string_equal(zf_annual_item_for_event("spot_check", "result_problem", 0)->code, "spot_problem");
    assert_string_equal(zf_annual_item_for_event("inspection", "result_problem", 0)->code,
                        "inspection_problem");
    /* steps that decide nothing are not counted */
    assert_null(zf_annual_item_for_event("penalty_general", "file_case", 0));
    assert_null(zf_annual_item_for_event("license", "implement", 0));
    assert_null(zf_annual_item_for_event(NULL, "grant", 0));
}

static void test_add_and_merge(void **state)
{
    json_t *a = zf_annual_new(2026), *b = zf_annual_new(2026), *city = zf_annual_new(2026);
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_annual_get(a, "penalty", "fine", 0), 0);
    assert_int_equal(zf_annual_add(a, "penalty", "fine", NULL, 2, 15000, &err), 0);
    assert_int_equal(zf_annual_add(a, "review", "agree", "同意", 3, 0, &err), 0);
    assert_int_equal(zf_annual_add(b, "penalty", "fine", NULL, 1, 500, &err), 0);
    assert_int_equal(zf_annual_add(b, "review", "disagree", "不同意", 1, 0, &err), 0);
    /* no amount on an item without one */
    assert_int_equal(zf_annual_add(b, "license", "granted", NULL, 4, 999, &err), 0);
    assert_int_equal(zf_annual_get(b, "license", "granted", 1), 0);
    assert_int_equal(zf_annual_add(a, "nope", "x", NULL, 1, 0, &err), ZF_EINVAL);
    assert_int_equal(zf_annual_merge(city, a, &err), 0);
    assert_int_equal(zf_annual_merge(city, b, &err), 0);
    assert_int_equal(zf_annual_get(city, "penalty", "fine", 0), 3);
    assert_int_equal(zf_annual_get(city, "penalty", "fine", 1), 15500);
    assert_int_equal(zf_annual_get(city, "review", "agree", 0), 3);
    assert_int_equal(zf_annual_get(city, "review", "disagree", 0), 1);
    assert_int_equal(zf_annual_get(city, "license", "granted", 0), 4);
    {
        json_t *bad = json_object();

        assert_int_equal(zf_annual_merge(city, bad, &err), ZF_EINVAL);
        json_decref(bad);
    }
    json_decref(a);
    json_decref(b);
    json_decref(city);
}

static void test_year_bounds_and_span(void **state)
{
    zf_err err = ZF_ERR_INIT;
    int64_t from, to;

    (void)state;
    assert_int_equal(zf_annual_year_check(2026, ZF_YMD(2026, 11, 28), &err), 0);
    assert_int_equal(zf_annual_year_check(2025, ZF_YMD(2026, 1, 1), &err), 0);
    assert_int_equal(zf_annual_year_check(2027, ZF_YMD(2026, 12, 31), &err), ZF_EINVAL);
    assert_string_equal(err.code, "invalid_year");
    assert_int_equal(zf_annual_year_check(1999, ZF_YMD(2026, 1, 1), &err), ZF_EINVAL);
    zf_annual_year_span(&from, &to, 2026);
    /* 2026-01-01 00:00 China time is 2025-12-31 16:00 UTC */
    assert_int_equal(from, 1767196800LL);
    assert_int_equal(to - from, 365LL * 86400);
}

static void test_deadline_31_january(void **state)
{
    (void)state;
    assert_int_equal(zf_annual_deadline(2026), ZF_YMD(2027, 1, 31));
    /* not published: due up to and on 31 January, overdue the day after */
    assert_string_equal(zf_annual_status(2026, ZF_DATE_NONE, ZF_YMD(2026, 12, 31)), "due");
    assert_string_equal(zf_annual_status(2026, ZF_DATE_NONE, ZF_YMD(2027, 1, 31)), "due");
    assert_string_equal(zf_annual_status(2026, ZF_DATE_NONE, ZF_YMD(2027, 2, 1)), "overdue");
    /* published: on time up to 31 January, late after it, whatever today is */
    assert_string_equal(zf_annual_status(2026, ZF_YMD(2027, 1, 31), ZF_YMD(2027, 6, 1)), "on_time");
    assert_string_equal(zf_annual_status(2026, ZF_YMD(2027, 2, 1), ZF_YMD(2027, 2, 1)), "late");
    /* leap year: 2023's report is due 31 January 2024 too */
    assert_string_equal(zf_annual_status(2023, ZF_DATE_NONE, ZF_YMD(2024, 2, 29)), "overdue");
    assert_string_equal(zf_annual_status_name("overdue"), "逾期未公开");
}

static void test_documents(void **state)
{
    json_t *rep = zf_annual_new(2026), *meta;
    zf_buf out = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;
    char yuan[48];

    (void)state;
    zf_annual_add(rep, "penalty", "fine", NULL, 2, 1234567, &err);
    meta = json_pack("{s:s,s:i,s:s,s:s,s:o}", "department", "市市场监督管理局", "year", 2026, "as_of",
                     "2026-11-28", "state_name", "草稿", "report", rep);
    assert_int_equal(zf_annual_doc_xlsx(&out, meta, &err), 0);
    assert_true(out.len > 1000);
    assert_memory_equal(out.ptr, "PK\x03\x04", 4); /* a zip package */
    zf_buf_reset(&out);
    assert_int_equal(zf_annual_doc_pdf(&out, meta, &err), 0);
    assert_memory_equal(out.ptr, "%PDF-", 5);
    zf_buf_free(&out);
    json_decref(meta);
    zf_annual_doc_yuan(yuan, sizeof yuan, 1234567);
    assert_string_equal(yuan, "12,345.67");
    zf_annual_doc_yuan(yuan, sizeof yuan, 5);
    assert_string_equal(yuan, "0.05");
    /* not a report */
    meta = json_pack("{s:s}", "department", "x");
    assert_int_equal(zf_annual_doc_xlsx(&out, meta, &err), ZF_EINVAL);
    json_decref(meta);
}

static void test_xlsx_limits(void **state)
{
    static const char *const head[] = {"a"};
    zf_xlsx *x = NULL;
    zf_buf out = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_xlsx_new(&x, &err), 0);
    assert_int_equal(zf_xlsx_sheet(x, "", head, NULL, 1, &err), ZF_EINVAL);
    /* characters Excel refuses in sheet names are replaced, not fatal */
    assert_int_equal(zf_xlsx_sheet(x, "a/b:c[d]", head, NULL, 1, &err), 0);
    zf_xlsx_text(x, "=1+1"); /* text, never a formula */
    zf_xlsx_row_end(x);
    assert_int_equal(zf_xlsx_finish(&out, x, &err), 0);
    assert_memory_equal(out.ptr, "PK", 2);
    zf_buf_free(&out);
    /* a bounded buffer refuses a workbook that does not fit */
    zf_buf_init(&out, 100);
    assert_int_equal(zf_xlsx_new(&x, &err), 0);
    assert_int_equal(zf_xlsx_sheet(x, "s", head, NULL, 1, &err), 0);
    assert_int_equal(zf_xlsx_finish(&out, x, &err), ZF_ETOOBIG);
    zf_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_mapping),
        cmocka_unit_test(test_add_and_merge),
        cmocka_unit_test(test_year_bounds_and_span),
        cmocka_unit_test(test_deadline_31_january),
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_xlsx_limits),
    };

    int failed = cmocka_run_group_tests(tests, NULL, NULL);

    zf_render_pdf_thread_done(); /* pango's per-thread fonts, for leak checkers */
    return failed;
}
