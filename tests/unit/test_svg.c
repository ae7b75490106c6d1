/* test_svg.c — the portal's inline SVG: flowcharts drawn from the workflow
 * tables (one box per stage, one arrow per (from, to) pair, a title and a
 * text alternative) and QR codes (the modules of libqrencode's own code). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <qrencode.h>

#include "util/buf.h"
#include "util/err.h"
#include "web/svg.h"

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    const char *p = hay;

    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

static void matter_procedure_defaults(void **state)
{
    (void)state;
    assert_string_equal(zf_svg_matter_procedure("", "penalty")->code, "penalty_general");
    assert_string_equal(zf_svg_matter_procedure(NULL, "licensing")->code, "license");
    assert_string_equal(zf_svg_matter_procedure("", "coercion")->code, "coercion_seizure");
    assert_string_equal(zf_svg_matter_procedure("", "inspection")->code, "inspection");
    assert_string_equal(zf_svg_matter_procedure("", "expropriation")->code, "expropriation");
    /* the matter's own procedure wins; an unknown one falls back */
    assert_string_equal(zf_svg_matter_procedure("penalty_summary", "penalty")->code, "penalty_summary");
    assert_string_equal(zf_svg_matter_procedure("no_such", "penalty")->code, "penalty_general");
    assert_null(zf_svg_matter_procedure("", "other"));
}

static void flowchart_has_every_stage_and_edge(void **state)
{
    const zf_wf_procedure *p = zf_workflow_procedure("penalty_general");
    zf_buf b = ZF_BUF_INIT;
    json_t *steps = NULL, *first;
    size_t i, pairs = 0;
    char want[160];

    (void)state;
    assert_non_null(p);
    assert_int_equal(zf_svg_flowchart(&b, &steps, p, "fc"), 0);
    const char *s = zf_buf_str(&b);
    assert_true(strncmp(s, "<svg class=\"flowchart\"", 22) == 0);
    assert_non_null(strstr(s, "role=\"img\" aria-labelledby=\"fc-t fc-d\""));
    assert_non_null(strstr(s, "<title id=\"fc-t\">行政处罚（普通程序）流程图</title>"));
    assert_non_null(strstr(s, "<desc id=\"fc-d\">"));
    assert_int_equal(count(s, "<rect"), p->n_stages);
    for (i = 0; i < p->n_stages; i++) {
        snprintf(want, sizeof want, ">%s</text>", p->stages[i].name);
        assert_non_null(strstr(s, want));
    }
    /* 立案 (source -> investigation) is a next-stage arrow with its label;
     * 不予立案 (source -> closed) a lane on the right */
    assert_non_null(strstr(s, "案源登记 → 调查取证：立案</title><line"));
    assert_non_null(strstr(s, "案源登记 → 结案：不予立案</title><path"));
    /* every arrow ends in the marker; no two edges share (from, to) */
    for (i = 0; i < p->n_actions; i++)
        if (p->actions[i].kind == ZF_WF_ADVANCE)
            pairs++;
    assert_true(count(s, "marker-end=") >= p->n_stages - 1);
    assert_true(count(s, "marker-end=") <= pairs * 2);
    assert_int_equal(count(s, "<svg"), 1);
    assert_int_equal(count(s, "</svg>"), 1);

    /* the text alternative: one entry per stage, in order */
    assert_true(json_is_array(steps));
    assert_int_equal(json_array_size(steps), p->n_stages);
    first = json_array_get(steps, 0);
    assert_string_equal(json_string_value(json_object_get(first, "stage")), "案源登记");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(first, "actions"), 0), "name")),
                        "立案");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(first, "actions"), 0), "to")),
                        "调查取证");
    /* 现场检查 and 询问 are steps inside 调查取证 */
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(steps, 1), "records")), "现场检查"));
    assert_true(json_is_true(json_object_get(json_array_get(steps, p->n_stages - 1), "final")));
    json_decref(steps);
    zf_buf_free(&b);
}

static void flowchart_for_every_procedure(void **state)
{
    size_t n, i;
    const zf_wf_procedure *all = zf_workflow_procedures(&n);

    (void)state;
    for (i = 0; i < n; i++) {
        zf_buf b = ZF_BUF_INIT;
        assert_int_equal(zf_svg_flowchart(&b, NULL, &all[i], "x"), 0);
        assert_int_equal(count(zf_buf_str(&b), "<rect"), all[i].n_stages);
        /* well-formed enough: every element that opens closes */
        assert_int_equal(count(zf_buf_str(&b), "<g "), count(zf_buf_str(&b), "</g>"));
        assert_int_equal(count(zf_buf_str(&b), "<text"), count(zf_buf_str(&b), "</text>"));
        zf_buf_free(&b);
    }
}

static void qr_matches_libqrencode(void **state)
{
    const char *url = "https://zhifa.example.gov.cn/verify/officer/%E8%B5%A3360102220015";
    QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    zf_buf b = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;
    char cell[32];
    int x, y, dark = 0;

    (void)state;
    assert_non_null(qr);
    assert_int_equal(zf_svg_qr(&b, url, "扫码<核验>", &err), 0);
    assert_non_null(strstr(zf_buf_str(&b), "aria-label=\"扫码&lt;核验&gt;\""));
    for (y = 0; y < qr->width; y++)
        for (x = 0; x < qr->width; x++) {
            snprintf(cell, sizeof cell, "M%d %dh1v1h-1z", x, y);
            /* "M1 2h..." is not a prefix of "M11 2h...": the leading 'M' and
             * the space delimit both numbers */
            if (qr->data[y * qr->width + x] & 1) {
                dark++;
                assert_non_null(strstr(zf_buf_str(&b), cell));
            } else {
                assert_null(strstr(zf_buf_str(&b), cell));
            }
        }
    assert_int_equal(count(zf_buf_str(&b), "h1v1h-1z"), dark);
    QRcode_free(qr);
    zf_buf_free(&b);
}

static void qr_refuses_what_does_not_fit(void **state)
{
    char *big = malloc(8000);
    zf_buf b = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    memset(big, 'a', 7999);
    big[7999] = '\0';
    assert_int_equal(zf_svg_qr(&b, big, "x", &err), ZF_EINVAL);
    assert_string_equal(err.code, "qr_failed");
    assert_int_equal(b.len, 0);
    free(big);
    zf_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matter_procedure_defaults),
        cmocka_unit_test(flowchart_has_every_stage_and_edge),
        cmocka_unit_test(flowchart_for_every_procedure),
        cmocka_unit_test(qr_matches_libqrencode),
        cmocka_unit_test(qr_refuses_what_does_not_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
