/* test_deadline.c — deadline rules and clocks over the shipped calendar:
 * holidays, pauses (中止), extensions, states and calendar changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "util/err.h"

static zf_calendar *cal;

static int setup(void **state)
{
    (void)state;
    return zf_calendar_new_builtin(&cal, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    zf_calendar_free(cal);
    return 0;
}

static zf_date P(const char *s)
{
    zf_date d = 0;
    zf_err err = ZF_ERR_INIT;

    if (zf_date_parse(&d, s, strlen(s), NULL, &err) != 0)
        fail_msg("bad test date %s: %s", s, err.message);
    return d;
}

static const zf_deadline_rule *rule(const char *code)
{
    size_t n;
    const zf_deadline_rule *rules = zf_deadline_default_rules(&n);
    const zf_deadline_rule *r = zf_deadline_rule_find(rules, n, code);

    if (!r)
        fail_msg("no default rule %s", code);
    return r;
}

static zf_clock start(const char *code, const char *day)
{
    zf_clock c;
    zf_err err = ZF_ERR_INIT;

    if (zf_clock_start(&c, rule(code), cal, P(day), &err) != 0)
        fail_msg("start %s %s: %s", code, day, err.message);
    return c;
}

#define assert_state(c, day, st) \
    assert_string_equal(zf_clock_state_code(zf_clock_state_at(&(c), cal, P(day), -1)), \
                        zf_clock_state_code(st))

static void test_default_rules(void **state)
{
    size_t n;
    const zf_deadline_rule *rules = zf_deadline_default_rules(&n);
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(zf_deadline_rule_validate(&rules[i], &err), 0);
        assert_true(strlen(rules[i].name) > 0);
        assert_true(strlen(rules[i].basis) > 0);
    }
    assert_int_equal(rule("publish_licensing")->workdays, 7);
    assert_int_equal(rule("publish_penalty")->workdays, 7);
    assert_int_equal(rule("publish_other")->workdays, 20);
    assert_int_equal(rule("withdraw_publication")->workdays, 3);
    assert_int_equal(rule("publish_spot_check")->workdays, 20);
    assert_int_equal(rule("legal_review")->workdays, 3);
    assert_int_equal(rule("legal_review")->extension_workdays, 2);
    assert_true(rule("legal_review")->pausable);
    assert_int_equal(rule("annual_report")->kind, ZF_RULE_FIXED_DATE);
    assert_int_equal(rule("annual_report")->month, 1);
    assert_int_equal(rule("annual_report")->day, 31);
    assert_null(zf_deadline_rule_find(rules, n, "nope"));
    assert_null(zf_deadline_rule_find(rules, n, NULL));
}

static void test_rule_validation(void **state)
{
    zf_deadline_rule r = *rule("publish_penalty");
    zf_err err = ZF_ERR_INIT;

    (void)state;
    strcpy(r.code, "Bad-Code");
    assert_int_equal(zf_deadline_rule_validate(&r, &err), ZF_EINVAL);
    assert_string_equal(err.field, "code");
    r = *rule("publish_penalty");
    r.workdays = 0;
    assert_int_equal(zf_deadline_rule_validate(&r, &err), ZF_EINVAL);
    assert_string_equal(err.field, "workdays");
    r.workdays = ZF_CAL_MAX_WORKDAYS + 1;
    assert_int_equal(zf_deadline_rule_validate(&r, &err), ZF_EINVAL);
    r = *rule("publish_penalty");
    r.name[0] = '\0';
    assert_int_equal(zf_deadline_rule_validate(&r, &err), ZF_EINVAL);
    r = *rule("annual_report");
    r.day = 30;
    r.month = 2;
    assert_int_equal(zf_deadline_rule_validate(&r, &err), ZF_EINVAL);
    r = *rule("annual_report");
    r.pausable = true;
    assert_int_equal(zf_deadline_rule_validate(&r, &err), ZF_EINVAL);
    r = *rule("annual_report");
    r.kind = (zf_rule_kind)42;
    assert_int_equal(zf_deadline_rule_validate(&r, &err), ZF_EINVAL);
    /* a locality's edit: 5 working days */
    r = *rule("publish_penalty");
    r.workdays = 5;
    assert_int_equal(zf_deadline_rule_validate(&r, &err), 0);
}

/* A penalty decided on Friday 2024-09-27 across National Day: working days
 * 9/29 (Sunday, 调休), 9/30, 10/8, 10/9, 10/10, 10/11, 10/12 (Saturday, 调休). */
static void test_penalty_across_national_day(void **state)
{
    zf_clock c = start("publish_penalty", "2024-09-27");
    int left;

    (void)state;
    assert_int_equal(c.due, P("2024-10-12"));
    assert_string_equal(c.calendar_version, "2024:2024.1");
    assert_int_equal(c.done, ZF_DATE_NONE);
    assert_state(c, "2024-09-28", ZF_CLOCK_ON_TIME);
    assert_state(c, "2024-10-07", ZF_CLOCK_ON_TIME);
    assert_state(c, "2024-10-10", ZF_CLOCK_ON_TIME); /* 10/11, 10/12 left */
    assert_state(c, "2024-10-11", ZF_CLOCK_DUE_SOON);
    assert_state(c, "2024-10-12", ZF_CLOCK_DUE_SOON);
    assert_state(c, "2024-10-13", ZF_CLOCK_OVERDUE);
    assert_int_equal(zf_clock_workdays_left(&left, &c, cal, P("2024-09-30"), NULL), 0);
    assert_int_equal(left, 5); /* 10/8 to 10/12; today not counted */
    zf_clock_workdays_left(&left, &c, cal, P("2024-10-15"), NULL);
    assert_int_equal(left, -2); /* 10/14, 10/15 */
    /* a wider yellow band */
    assert_int_equal(zf_clock_state_at(&c, cal, P("2024-10-08"), 4), ZF_CLOCK_DUE_SOON);
    assert_int_equal(zf_clock_state_at(&c, cal, P("2024-10-08"), 3), ZF_CLOCK_ON_TIME);
}

static void test_other_rules_across_holidays(void **state)
{
    zf_clock c;
    zf_date due;

    (void)state;
    /* licensing decided just before Spring Festival 2025: 1/26 (Sunday, 调休),
     * 1/27, 2/5, 2/6, 2/7, 2/8 (Saturday, 调休), 2/10 */
    c = start("publish_licensing", "2025-01-24");
    assert_int_equal(c.due, P("2025-02-10"));
    /* withdrawal: revoked Thursday 2023-09-28, 9/29–10/6 off, 10/7 10/8 调休 */
    c = start("withdraw_publication", "2023-09-28");
    assert_int_equal(c.due, P("2023-10-09"));
    /* spot check ended Friday 2024-12-20: 20 working days over New Year */
    c = start("publish_spot_check", "2024-12-20");
    assert_int_equal(c.due, P("2025-01-20"));
    assert_string_equal(c.calendar_version, "2024:2024.1;2025:2025.1");
    /* other decisions: 20 working days from 2020-01-20 across the extended
     * Spring Festival: 1/21–1/23 (3), 2/3–2/7 (8), 2/10–14 (13), 2/17–21 (18), 2/24, 2/25 */
    c = start("publish_other", "2020-01-20");
    assert_int_equal(c.due, P("2020-02-25"));
    assert_int_equal(zf_deadline_due(&due, rule("publish_other"), cal, P("2020-01-20"), NULL), 0);
    assert_int_equal(due, c.due);
}

static void test_annual_report(void **state)
{
    zf_clock c = start("annual_report", "2024-06-01");
    zf_err err = ZF_ERR_INIT;

    (void)state;
    /* 31 January 2025 falls in Spring Festival; it is not moved (conservative) */
    assert_int_equal(c.due, P("2025-01-31"));
    assert_state(c, "2025-01-24", ZF_CLOCK_ON_TIME);  /* 1/26, 1/27 left */
    assert_state(c, "2025-01-26", ZF_CLOCK_DUE_SOON); /* 1/27 left */
    assert_state(c, "2025-01-27", ZF_CLOCK_DUE_SOON);
    assert_state(c, "2025-02-01", ZF_CLOCK_OVERDUE);
    c = start("annual_report", "2024-12-31");
    assert_int_equal(c.due, P("2025-01-31"));
    assert_int_equal(zf_clock_pause(&c, cal, P("2025-01-02"), "x", &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "not_pausable");
    assert_int_equal(zf_clock_finish(&c, cal, P("2025-01-20"), NULL), 0);
    assert_state(c, "2025-06-01", ZF_CLOCK_DONE_ON_TIME);
}

/* Legal review received Wednesday 2024-04-03: 4/4–4/6 off, 4/7 (Sunday, 调休),
 * 4/8, 4/9. The head in charge (分管领导) extends it by 2: 4/10, 4/11. */
static void test_legal_review_extension(void **state)
{
    zf_clock c = start("legal_review", "2024-04-03"), p;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(c.due, P("2024-04-09"));
    assert_int_equal(zf_clock_extend(&c, cal, "", P("2024-04-08"), &err), ZF_EINVAL);
    assert_string_equal(err.field, "approver");
    assert_int_equal(zf_clock_extend(&c, cal, NULL, P("2024-04-08"), &err), ZF_EINVAL);
    assert_int_equal(c.due, P("2024-04-09"));
    assert_int_equal(zf_clock_extend(&c, cal, "王分管", P("2024-04-08"), &err), 0);
    assert_int_equal(c.due, P("2024-04-11"));
    assert_int_equal(c.extension_workdays, 2);
    assert_string_equal(c.approver, "王分管");
    assert_int_equal(zf_clock_extend(&c, cal, "王分管", P("2024-04-08"), &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "already_extended");
    assert_state(c, "2024-04-09", ZF_CLOCK_ON_TIME);
    assert_state(c, "2024-04-10", ZF_CLOCK_DUE_SOON);
    /* too late to extend once the due date has passed */
    p = start("legal_review", "2024-04-03");
    assert_int_equal(zf_clock_extend(&p, cal, "王分管", P("2024-04-10"), &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "clock_expired");
    assert_int_equal(p.due, P("2024-04-09"));
    /* a rule without extension */
    p = start("publish_penalty", "2024-04-03");
    assert_int_equal(zf_clock_extend(&p, cal, "王分管", P("2024-04-08"), &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "not_extendable");
}

/* Review received Monday 2024-05-06, due 5/9. Suspended on 5/7 for expert
 * evaluation (5/7 counted), resumed Monday 5/13: 5/8, 5/9, 5/10, 5/11
 * (Saturday, 调休) and 5/13 do not count; the 2 remaining are 5/14 and 5/15. */
/* 行政处罚法 第六十条: 九十日 from 立案 are calendar days (第八十五条 makes
 * only 二日、三日、五日、七日 working days); 行政强制法 第二十五条: 三十日, +30. */
static void test_calendar_days(void **state)
{
    zf_deadline_rule r = {"penalty_decision_90d", "行政处罚决定期限", ZF_RULE_CALENDAR_DAYS, 0, 0, 0, 0, 0,
                          true, "行政处罚法 第六十条", 90};
    zf_deadline_rule s = {"coercion_seizure_30d", "查封扣押期限", ZF_RULE_CALENDAR_DAYS, 0, 0, 0, 0, 30,
                          true, "行政强制法 第二十五条", 30};
    zf_err err = ZF_ERR_INIT;
    zf_date due;
    zf_clock c;
    bool moved = true;
    zf_cal_change ch;

    (void)state;
    assert_int_equal(zf_deadline_rule_validate(&r, &err), 0);
    /* the start day is not counted; 2024-10-01 (国庆, a rest day) stays the due date */
    assert_int_equal(zf_deadline_due(&due, &r, cal, P("2024-07-03"), &err), 0);
    assert_int_equal(due, P("2024-10-01"));
    assert_int_equal(zf_clock_start(&c, &r, cal, P("2024-07-03"), &err), 0);
    assert_int_equal(c.due, P("2024-10-01"));
    assert_state(c, "2024-09-20", ZF_CLOCK_ON_TIME);
    assert_state(c, "2024-10-02", ZF_CLOCK_OVERDUE);
    /* 中止 on 07-13, 恢复 on 07-23: ten days do not count */
    assert_int_equal(zf_clock_pause(&c, cal, P("2024-07-13"), "鉴定", &err), 0);
    assert_int_equal(c.due, ZF_DATE_NONE);
    assert_int_equal(zf_clock_resume(&c, cal, P("2024-07-23"), &err), 0);
    assert_int_equal(c.due, P("2024-10-11"));
    /* a calendar change never moves it */
    memset(&ch, 0, sizeof ch);
    ch.workdays_changed = true;
    ch.first = P("2024-07-01");
    ch.last = P("2024-12-31");
    assert_false(zf_clock_affected_by(&c, &ch));
    assert_int_equal(zf_clock_recompute(&c, cal, &moved, &err), 0);
    assert_false(moved);
    assert_int_equal(zf_clock_finish(&c, cal, P("2024-10-10"), &err), 0);
    assert_state(c, "2024-12-01", ZF_CLOCK_DONE_ON_TIME);

    /* 查封扣押: 30 days, extended once by 30 */
    assert_int_equal(zf_clock_start(&c, &s, cal, P("2024-03-01"), &err), 0);
    assert_int_equal(c.due, P("2024-03-31"));
    assert_int_equal(zf_clock_extend(&c, cal, "局长", P("2024-03-20"), &err), 0);
    assert_int_equal(c.due, P("2024-04-30"));
    assert_int_equal(zf_clock_extend(&c, cal, "局长", P("2024-03-21"), &err), ZF_ECONFLICT);

    /* bad day counts are refused */
    r.days = 0;
    assert_int_equal(zf_deadline_rule_validate(&r, &err), ZF_EINVAL);
    assert_string_equal(err.field, "days");
    r.days = ZF_DEADLINE_MAX_DAYS + 1;
    assert_int_equal(zf_deadline_rule_validate(&r, &err), ZF_EINVAL);
}

static void test_pause_resume(void **state)
{
    zf_clock c = start("legal_review", "2024-05-06");
    zf_err err = ZF_ERR_INIT;
    int n;

    (void)state;
    assert_int_equal(c.due, P("2024-05-09"));
    assert_int_equal(zf_clock_resume(&c, cal, P("2024-05-08"), &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "not_paused");
    assert_int_equal(zf_clock_pause(&c, cal, P("2024-05-05"), "专家论证", &err), ZF_EINVAL);
    assert_int_equal(zf_clock_pause(&c, cal, P("2024-05-07"), "专家论证", &err), 0);
    assert_int_equal(c.due, ZF_DATE_NONE);
    assert_state(c, "2024-05-20", ZF_CLOCK_PAUSED);
    assert_int_equal(zf_clock_workdays_left(&n, &c, cal, P("2024-05-08"), &err), ZF_ECONFLICT);
    assert_int_equal(zf_clock_paused_workdays(&n, &c, cal, P("2024-05-10"), NULL), 0);
    assert_int_equal(n, 3);
    assert_int_equal(zf_clock_pause(&c, cal, P("2024-05-08"), "听证", &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "already_paused");
    assert_int_equal(zf_clock_resume(&c, cal, P("2024-05-06"), &err), ZF_EINVAL);
    assert_int_equal(zf_clock_resume(&c, cal, P("2024-05-13"), &err), 0);
    assert_int_equal(c.due, P("2024-05-15"));
    assert_int_equal(zf_clock_paused_workdays(&n, &c, cal, P("2024-06-01"), NULL), 0);
    assert_int_equal(n, 5);
    assert_state(c, "2024-05-13", ZF_CLOCK_ON_TIME);
    assert_state(c, "2024-05-14", ZF_CLOCK_DUE_SOON);
    assert_state(c, "2024-05-16", ZF_CLOCK_OVERDUE);

    /* a second pause before the last resumption is refused, after it works */
    assert_int_equal(zf_clock_pause(&c, cal, P("2024-05-10"), "x", &err), ZF_EINVAL);
    assert_int_equal(zf_clock_pause(&c, cal, P("2024-05-14"), "听证", &err), 0);
    assert_int_equal(zf_clock_resume(&c, cal, P("2024-05-14"), &err), 0); /* same day: nothing lost */
    assert_int_equal(c.due, P("2024-05-15"));
    assert_int_equal(c.n_pauses, 2);
    /* after the due date the clock cannot be suspended any more */
    assert_int_equal(zf_clock_pause(&c, cal, P("2024-05-16"), "x", &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "clock_expired");
    /* pausable rules only */
    c = start("publish_penalty", "2024-05-06");
    assert_int_equal(zf_clock_pause(&c, cal, P("2024-05-07"), "x", &err), ZF_ECONFLICT);
}

static void test_pause_on_start_day_and_limit(void **state)
{
    zf_clock c = start("legal_review", "2024-05-06");
    zf_err err = ZF_ERR_INIT;

    (void)state;
    /* suspended the day it was received, resumed 5/8: counting from 5/9 */
    assert_int_equal(zf_clock_pause(&c, cal, P("2024-05-06"), "", &err), 0);
    assert_int_equal(zf_clock_resume(&c, cal, P("2024-05-08"), &err), 0);
    assert_int_equal(c.due, P("2024-05-11")); /* 5/9, 5/10, 5/11 (Saturday, 调休) */
    /* a pause spanning Labour Day removes only working days: received 4/29,
     * due 5/7 (4/30, 5/6, 5/7); suspended 4/30, resumed 5/6: only 5/6 is
     * lost, so 5/7 and 5/8 complete it */
    c = start("legal_review", "2024-04-29");
    assert_int_equal(c.due, P("2024-05-07"));
    assert_int_equal(zf_clock_pause(&c, cal, P("2024-04-30"), "听证", &err), 0);
    assert_int_equal(zf_clock_resume(&c, cal, P("2024-05-06"), &err), 0);
    assert_int_equal(c.due, P("2024-05-08"));
    /* too many pauses */
    c = start("legal_review", "2024-05-06");
    c.rule.workdays = 100;
    assert_int_equal(zf_clock_recompute(&c, cal, NULL, &err), 0);
    for (int i = 0; i < ZF_CLOCK_MAX_PAUSES; i++) {
        assert_int_equal(zf_clock_pause(&c, cal, P("2024-05-07") + i, "x", &err), 0);
        assert_int_equal(zf_clock_resume(&c, cal, P("2024-05-07") + i, &err), 0);
    }
    assert_int_equal(zf_clock_pause(&c, cal, P("2024-06-01"), "x", &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "too_many_pauses");
}

static void test_finish(void **state)
{
    zf_clock c = start("publish_penalty", "2024-09-27");
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_clock_finish(&c, cal, P("2024-09-26"), &err), ZF_EINVAL);
    assert_int_equal(zf_clock_finish(&c, cal, P("2024-10-12"), &err), 0);
    assert_state(c, "2025-01-01", ZF_CLOCK_DONE_ON_TIME);
    assert_int_equal(zf_clock_finish(&c, cal, P("2024-10-12"), &err), ZF_ECONFLICT);
    assert_int_equal(zf_clock_extend(&c, cal, "x", P("2024-10-01"), &err), ZF_ECONFLICT);
    c = start("publish_penalty", "2024-09-27");
    assert_int_equal(zf_clock_finish(&c, cal, P("2024-10-14"), &err), 0);
    assert_state(c, "2024-10-14", ZF_CLOCK_DONE_LATE);
    assert_int_equal(zf_clock_pause(&c, cal, P("2024-10-14"), "x", &err), ZF_ECONFLICT);
    /* finished while suspended: resumed that day first */
    c = start("legal_review", "2024-05-06");
    zf_clock_pause(&c, cal, P("2024-05-07"), "x", &err);
    assert_int_equal(zf_clock_finish(&c, cal, P("2024-05-20"), &err), 0);
    assert_int_equal(c.pauses[0].to, P("2024-05-20"));
    assert_int_equal(c.due, P("2024-05-22"));
    assert_state(c, "2024-05-20", ZF_CLOCK_DONE_ON_TIME);
}

/* Loading a new version of 2024 that drops the 9/29 working Sunday moves the
 * penalty clock to Monday 10/14 and is reported as touching it. */
static void test_calendar_change(void **state)
{
    zf_calendar *c2;
    zf_cal_schedule *s = NULL;
    const zf_cal_schedule *orig;
    zf_cal_change ch;
    zf_clock a, b, done;
    zf_err err = ZF_ERR_INIT;
    bool moved;

    (void)state;
    assert_int_equal(zf_calendar_new_builtin(&c2, &err), 0);
    assert_int_equal(zf_clock_start(&a, rule("publish_penalty"), c2, P("2024-09-27"), &err), 0);
    assert_int_equal(zf_clock_start(&b, rule("publish_penalty"), c2, P("2024-11-01"), &err), 0);
    assert_int_equal(zf_clock_start(&done, rule("publish_penalty"), c2, P("2024-09-27"), &err), 0);
    zf_clock_finish(&done, c2, P("2024-10-12"), &err);

    orig = zf_calendar_schedule(c2, 2024);
    assert_int_equal(zf_cal_schedule_new(&s, 2024, "2024.test", &err), 0);
    for (size_t i = 0; i < orig->n_days; i++)
        if (orig->days[i].date != P("2024-09-29"))
            assert_int_equal(
                zf_cal_schedule_add_day(s, orig->days[i].date, orig->days[i].kind,
                                        orig->days[i].name, &err),
                0);
    assert_int_equal(zf_calendar_set_year(c2, s, &ch, &err), 0);
    assert_true(ch.workdays_changed);
    assert_int_equal(ch.first, P("2024-09-29"));
    assert_int_equal(ch.last, P("2024-09-29"));

    assert_true(zf_clock_affected_by(&a, &ch));
    assert_false(zf_clock_affected_by(&b, &ch));
    assert_false(zf_clock_affected_by(&done, &ch));
    assert_int_equal(zf_clock_recompute(&a, c2, &moved, &err), 0);
    assert_true(moved);
    assert_int_equal(a.due, P("2024-10-14"));
    assert_string_equal(a.calendar_version, "2024:2024.test");
    assert_int_equal(zf_clock_recompute(&b, c2, &moved, &err), 0);
    assert_false(moved);
    assert_int_equal(zf_clock_recompute(&done, c2, &moved, &err), 0);
    assert_false(moved);
    assert_int_equal(done.due, P("2024-10-12")); /* history stands */
    zf_cal_schedule_free(s);
    zf_calendar_free(c2);
}

static void test_state_codes(void **state)
{
    zf_clock_state s;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_clock_state_parse(&s, "due-soon", &err), 0);
    assert_int_equal(s, ZF_CLOCK_DUE_SOON);
    assert_int_equal(zf_clock_state_parse(&s, "overdue", &err), 0);
    assert_int_equal(s, ZF_CLOCK_OVERDUE);
    assert_int_equal(zf_clock_state_parse(&s, "done_late", &err), 0);
    assert_int_equal(s, ZF_CLOCK_DONE_LATE);
    assert_int_equal(zf_clock_state_parse(&s, "late", &err), ZF_EINVAL);
    assert_string_equal(err.code, "invalid_state");
    assert_int_equal(zf_clock_state_parse(&s, "", &err), ZF_EINVAL);
    assert_int_equal(zf_clock_state_parse(&s, NULL, &err), ZF_EINVAL);
    assert_int_equal(zf_clock_state_parse(&s, "due-soon-and-a-very-long-tail-xxxxxxxxxx", &err),
                     ZF_EINVAL);
    assert_string_equal(zf_clock_state_label(ZF_CLOCK_ON_TIME), "未到期");
    assert_string_equal(zf_clock_state_label(ZF_CLOCK_DUE_SOON), "即将到期");
    assert_string_equal(zf_clock_state_label(ZF_CLOCK_OVERDUE), "已逾期");
    assert_string_equal(zf_clock_state_label(ZF_CLOCK_PAUSED), "已中止");
    assert_string_equal(zf_clock_state_label(ZF_CLOCK_DONE_ON_TIME), "按期完成");
    assert_string_equal(zf_clock_state_label(ZF_CLOCK_DONE_LATE), "逾期完成");
    assert_string_equal(zf_clock_state_code((zf_clock_state)99), "unknown");
}

static void test_bad_start(void **state)
{
    zf_clock c;
    zf_err err = ZF_ERR_INIT;
    zf_deadline_rule r = *rule("publish_penalty");

    (void)state;
    assert_int_equal(zf_clock_start(&c, rule("publish_penalty"), cal, P("1999-06-01"), &err),
                     ZF_EINVAL);
    assert_string_equal(err.code, "date_out_of_range");
    r.workdays = -3;
    assert_int_equal(zf_clock_start(&c, &r, cal, P("2024-06-01"), &err), ZF_EINVAL);
    /* a due date beyond the index is refused, not wrapped */
    assert_int_equal(zf_clock_start(&c, rule("publish_other"), cal, P("2100-12-20"), &err),
                     ZF_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_rules),
        cmocka_unit_test(test_rule_validation),
        cmocka_unit_test(test_penalty_across_national_day),
        cmocka_unit_test(test_other_rules_across_holidays),
        cmocka_unit_test(test_annual_report),
        cmocka_unit_test(test_legal_review_extension),
        cmocka_unit_test(test_calendar_days),
        cmocka_unit_test(test_pause_resume),
        cmocka_unit_test(test_pause_on_start_day_and_limit),
        cmocka_unit_test(test_finish),
        cmocka_unit_test(test_calendar_change),
        cmocka_unit_test(test_state_codes),
        cmocka_unit_test(test_bad_start),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
