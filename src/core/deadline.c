/* deadline.c — deadline rules and clocks. See deadline.h. */
#include "core/deadline.h"

#include <stdio.h>
#include <string.h>

#define BASIS_PLAN "《南昌市全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度实施方案》"

static const zf_deadline_rule default_rules[] = {
    {"publish_licensing", "行政许可决定公示", ZF_RULE_WORKDAYS, 7, 0, 0, 0, 0, false,
     BASIS_PLAN "：行政许可执法决定信息自决定作出之日起7个工作日内公开"},
    {"publish_penalty", "行政处罚决定公示", ZF_RULE_WORKDAYS, 7, 0, 0, 0, 0, false,
     BASIS_PLAN "：行政处罚执法决定信息自决定作出之日起7个工作日内公开"},
    {"publish_other", "其他执法决定公示", ZF_RULE_WORKDAYS, 20, 0, 0, 0, 0, false,
     BASIS_PLAN "：执法决定作出之日起20个工作日内向社会公布"},
    {"withdraw_publication", "撤下已公示决定", ZF_RULE_WORKDAYS, 3, 0, 0, 0, 0, false,
     BASIS_PLAN "：决定被撤销、确认违法或要求重新作出之日起3个工作日内撤下"},
    {"publish_spot_check", "双随机抽查结果公示", ZF_RULE_WORKDAYS, 20, 0, 0, 0, 0, false,
     BASIS_PLAN "：抽查结果正常的，自抽查结束之日起20个工作日内向社会公示"},
    {"legal_review", "重大执法决定法制审核", ZF_RULE_WORKDAYS, 3, 0, 0, 0, 2, true,
     BASIS_PLAN "：收到送审材料后3个工作日内审核完毕；案件复杂的，经分管领导批准可延长2个工作日"},
    {"annual_report", "行政执法年度数据公开", ZF_RULE_FIXED_DATE, 0, 1, 31, 1, 0, false,
     BASIS_PLAN "：每年1月31日前公开本部门上年度行政执法总体情况有关数据"},
};

const zf_deadline_rule *zf_deadline_default_rules(size_t *out_n)
{
    *out_n = sizeof default_rules / sizeof default_rules[0];
    return default_rules;
}

const zf_deadline_rule *zf_deadline_rule_find(const zf_deadline_rule *rules, size_t n,
                                              const char *code)
{
    for (size_t i = 0; code && i < n; i++)
        if (strcmp(rules[i].code, code) == 0)
            return &rules[i];
    return NULL;
}

int zf_deadline_rule_validate(const zf_deadline_rule *r, zf_err *err)
{
    size_t cl = strnlen(r->code, sizeof r->code);

    if (cl == 0 || cl == sizeof r->code)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "code", "规则代码不能为空或过长");
    for (size_t i = 0; i < cl; i++) {
        char ch = r->code[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "code",
                              "规则代码只能包含小写字母、数字和下划线");
    }
    if (strnlen(r->name, sizeof r->name) == 0 || strnlen(r->name, sizeof r->name) == sizeof r->name)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "name", "规则名称不能为空或过长");
    if (strnlen(r->basis, sizeof r->basis) == sizeof r->basis)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "basis", "依据说明过长");
    if (r->extension_workdays < 0 || r->extension_workdays > 365)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "extension_workdays",
                          "延长工作日数应在 0 至 365 之间");
    switch (r->kind) {
    case ZF_RULE_WORKDAYS:
        if (r->workdays < 1 || r->workdays > ZF_CAL_MAX_WORKDAYS)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "workdays",
                              "工作日数应在 1 至 %d 之间", ZF_CAL_MAX_WORKDAYS);
        return 0;
    case ZF_RULE_CALENDAR_DAYS:
        if (r->days < 1 || r->days > ZF_DEADLINE_MAX_DAYS)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "days", "天数应在 1 至 %d 之间",
                              ZF_DEADLINE_MAX_DAYS);
        return 0;
    case ZF_RULE_FIXED_DATE:
        /* 2000 is a leap year, so 29 February passes here and is clamped later. */
        if (!zf_date_valid_ymd(2000, r->month, r->day))
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "day", "期限日期不存在");
        if (r->year_offset < 0 || r->year_offset > 10)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "year_offset",
                              "年份偏移应在 0 至 10 之间");
        if (r->pausable)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "pausable",
                              "固定日期的期限不能中止");
        return 0;
    default:
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "kind", "未知的期限类型");
    }
}

/* The calendar date a fixed-date rule falls on for a clock started on start;
 * 29 February becomes 28 February in common years. */
static int fixed_due(zf_date *out, const zf_deadline_rule *r, zf_date start, zf_err *err)
{
    int y = zf_date_year(start) + r->year_offset, d = r->day;

    if (r->month == 2 && d == 29 && !zf_date_valid_ymd(y, 2, 29))
        d = 28;
    return zf_date_from_ymd(out, y, r->month, d, err);
}

int zf_deadline_due(zf_date *out, const zf_deadline_rule *rule, const zf_calendar *cal,
                    zf_date start, zf_err *err)
{
    int rc;

    if ((rc = zf_deadline_rule_validate(rule, err)) < 0)
        return rc;
    if (rule->kind == ZF_RULE_FIXED_DATE)
        return fixed_due(out, rule, start, err);
    if (rule->kind == ZF_RULE_CALENDAR_DAYS) {
        *out = start + rule->days;
        return 0;
    }
    return zf_calendar_add_workdays(out, cal, start, rule->workdays, err);
}

/* Calendar days: the days in (cur, pause.from] count, those in
 * (pause.from, pause.to] do not. */
static int compute_due_days(zf_date *out, const zf_clock *c)
{
    zf_date cur = c->start;
    long remaining = (long)c->rule.days + c->extension_workdays;

    for (size_t i = 0; i < c->n_pauses; i++) {
        const zf_clock_interval *p = &c->pauses[i];
        long avail = (long)(p->from - cur);

        if (avail >= remaining)
            break; /* runs out before this pause begins */
        remaining -= avail;
        if (p->to == ZF_DATE_NONE) {
            *out = ZF_DATE_NONE;
            return 0;
        }
        cur = p->to;
    }
    *out = cur + (zf_date)remaining;
    return 0;
}

/* Walks the counting segments between pauses: the working days in
 * (cur, pause.from] count, those in (pause.from, pause.to] do not. Sets
 * *out to ZF_DATE_NONE when the count runs into an open pause. */
static int compute_due(zf_date *out, const zf_clock *c, const zf_calendar *cal, zf_err *err)
{
    zf_date cur = c->start;
    long remaining;
    int rc, avail;

    if (c->rule.kind == ZF_RULE_CALENDAR_DAYS)
        return compute_due_days(out, c);
    if (c->rule.kind == ZF_RULE_FIXED_DATE) {
        zf_date base;
        if ((rc = fixed_due(&base, &c->rule, c->start, err)) < 0)
            return rc;
        return zf_calendar_add_workdays(out, cal, base, c->extension_workdays, err);
    }
    remaining = (long)c->rule.workdays + c->extension_workdays;
    for (size_t i = 0; i < c->n_pauses; i++) {
        const zf_clock_interval *p = &c->pauses[i];
        if ((rc = zf_calendar_workdays_between(&avail, cal, cur, p->from, err)) < 0)
            return rc;
        if (avail >= remaining)
            break; /* runs out before this pause begins */
        remaining -= avail;
        if (p->to == ZF_DATE_NONE) {
            *out = ZF_DATE_NONE;
            return 0;
        }
        cur = p->to;
    }
    /* The sum of N, the extension and the paused days can exceed the
     * add-workdays cap only through the pauses; walk in capped steps. */
    while (remaining > ZF_CAL_MAX_WORKDAYS) {
        if ((rc = zf_calendar_add_workdays(&cur, cal, cur, ZF_CAL_MAX_WORKDAYS, err)) < 0)
            return rc;
        remaining -= ZF_CAL_MAX_WORKDAYS;
    }
    return zf_calendar_add_workdays(out, cal, cur, remaining, err);
}

/* due and calendar_version from the clock's inputs. */
static int refresh(zf_clock *c, const zf_calendar *cal, zf_err *err)
{
    zf_date due, hi;
    int rc;

    if ((rc = compute_due(&due, c, cal, err)) < 0)
        return rc;
    c->due = due;
    hi = due;
    if (hi == ZF_DATE_NONE)
        hi = c->n_pauses ? c->pauses[c->n_pauses - 1].from : c->start;
    zf_calendar_version_span(c->calendar_version, sizeof c->calendar_version, cal, c->start, hi);
    return 0;
}

int zf_clock_start(zf_clock *out, const zf_deadline_rule *rule, const zf_calendar *cal,
                   zf_date start, zf_err *err)
{
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_deadline_rule_validate(rule, err)) < 0)
        return rc;
    if (start < ZF_CAL_FIRST_DATE || start > ZF_CAL_LAST_DATE)
        return zf_err_set(err, ZF_EINVAL, "date_out_of_range", "start",
                          "起算日期超出日历支持范围");
    out->rule = *rule;
    out->start = start;
    out->done = ZF_DATE_NONE;
    out->due = ZF_DATE_NONE;
    return refresh(out, cal, err);
}

static bool is_paused(const zf_clock *c)
{
    return c->n_pauses > 0 && c->pauses[c->n_pauses - 1].to == ZF_DATE_NONE;
}

int zf_clock_pause(zf_clock *c, const zf_calendar *cal, zf_date on, const char *reason,
                   zf_err *err)
{
    char buf[ZF_DATE_STRLEN];
    zf_clock_interval *p;
    int rc;

    if (!c->rule.pausable)
        return zf_err_set(err, ZF_ECONFLICT, "not_pausable", NULL, "“%s”期限不适用中止",
                          c->rule.name);
    if (c->done != ZF_DATE_NONE)
        return zf_err_set(err, ZF_ECONFLICT, "clock_done", NULL, "该期限已完成，不能中止");
    if (is_paused(c))
        return zf_err_set(err, ZF_ECONFLICT, "already_paused", NULL, "该期限已处于中止状态");
    if (c->n_pauses == ZF_CLOCK_MAX_PAUSES)
        return zf_err_set(err, ZF_ECONFLICT, "too_many_pauses", NULL, "中止次数已达上限（%d 次）",
                          ZF_CLOCK_MAX_PAUSES);
    if (on < c->start)
        return zf_err_set(err, ZF_EINVAL, "invalid_date", "date", "中止日期不能早于起算日期");
    if (c->n_pauses && on < c->pauses[c->n_pauses - 1].to)
        return zf_err_set(err, ZF_EINVAL, "invalid_date", "date", "中止日期不能早于上次恢复日期");
    if (on > c->due)
        return zf_err_set(err, ZF_ECONFLICT, "clock_expired", "date",
                          "期限已于 %s 届满，不能中止", zf_date_format(buf, c->due));
    p = &c->pauses[c->n_pauses++];
    p->from = on;
    p->to = ZF_DATE_NONE;
    snprintf(p->reason, sizeof p->reason, "%s", reason ? reason : "");
    if ((rc = refresh(c, cal, err)) < 0)
        c->n_pauses--; /* leave the clock as it was */
    return rc;
}

int zf_clock_resume(zf_clock *c, const zf_calendar *cal, zf_date on, zf_err *err)
{
    zf_clock_interval *p;
    int rc;

    if (!is_paused(c))
        return zf_err_set(err, ZF_ECONFLICT, "not_paused", NULL, "该期限未处于中止状态");
    p = &c->pauses[c->n_pauses - 1];
    if (on < p->from)
        return zf_err_set(err, ZF_EINVAL, "invalid_date", "date", "恢复日期不能早于中止日期");
    p->to = on;
    if ((rc = refresh(c, cal, err)) < 0) {
        p->to = ZF_DATE_NONE;
        refresh(c, cal, NULL);
    }
    return rc;
}

int zf_clock_extend(zf_clock *c, const zf_calendar *cal, const char *approver, zf_date today,
                    zf_err *err)
{
    char buf[ZF_DATE_STRLEN];
    int rc;

    if (c->rule.extension_workdays <= 0)
        return zf_err_set(err, ZF_ECONFLICT, "not_extendable", NULL, "“%s”期限不能延长",
                          c->rule.name);
    if (!approver || !approver[0])
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "approver", "延长期限须写明批准人");
    if (strlen(approver) >= sizeof c->approver)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "approver", "批准人名称过长");
    if (c->extension_workdays > 0)
        return zf_err_set(err, ZF_ECONFLICT, "already_extended", NULL, "该期限已经延长过");
    if (c->done != ZF_DATE_NONE)
        return zf_err_set(err, ZF_ECONFLICT, "clock_done", NULL, "该期限已完成，不能延长");
    if (c->due != ZF_DATE_NONE && today > c->due)
        return zf_err_set(err, ZF_ECONFLICT, "clock_expired", NULL,
                          "期限已于 %s 届满，不能再延长", zf_date_format(buf, c->due));
    c->extension_workdays = c->rule.extension_workdays;
    if ((rc = refresh(c, cal, err)) < 0) {
        c->extension_workdays = 0;
        refresh(c, cal, NULL);
        return rc;
    }
    snprintf(c->approver, sizeof c->approver, "%s", approver);
    return 0;
}

int zf_clock_finish(zf_clock *c, const zf_calendar *cal, zf_date on, zf_err *err)
{
    int rc;

    if (c->done != ZF_DATE_NONE)
        return zf_err_set(err, ZF_ECONFLICT, "clock_done", NULL, "该期限已完成");
    if (on < c->start)
        return zf_err_set(err, ZF_EINVAL, "invalid_date", "date", "完成日期不能早于起算日期");
    if (is_paused(c) && (rc = zf_clock_resume(c, cal, on, err)) < 0)
        return rc;
    c->done = on;
    return 0;
}

int zf_clock_recompute(zf_clock *c, const zf_calendar *cal, bool *out_changed, zf_err *err)
{
    zf_clock saved = *c;
    int rc;

    if (out_changed)
        *out_changed = false;
    if (c->done != ZF_DATE_NONE)
        return 0;
    if ((rc = refresh(c, cal, err)) < 0) {
        *c = saved;
        return rc;
    }
    if (out_changed)
        *out_changed = c->due != saved.due;
    return 0;
}

bool zf_clock_affected_by(const zf_clock *c, const zf_cal_change *ch)
{
    zf_date hi;

    if (!ch || !ch->workdays_changed || c->done != ZF_DATE_NONE ||
        c->rule.kind == ZF_RULE_CALENDAR_DAYS)
        return false;
    hi = c->due == ZF_DATE_NONE ? ZF_CAL_LAST_DATE : c->due;
    return ch->last > c->start && ch->first <= hi;
}

zf_clock_state zf_clock_state_at(const zf_clock *c, const zf_calendar *cal, zf_date today,
                                 int due_soon_workdays)
{
    int left;

    if (due_soon_workdays < 0)
        due_soon_workdays = ZF_CLOCK_DUE_SOON_DEFAULT;
    if (c->done != ZF_DATE_NONE)
        return c->due != ZF_DATE_NONE && c->done <= c->due ? ZF_CLOCK_DONE_ON_TIME
                                                          : ZF_CLOCK_DONE_LATE;
    if (c->due == ZF_DATE_NONE)
        return ZF_CLOCK_PAUSED;
    if (today > c->due)
        return ZF_CLOCK_OVERDUE;
    if (zf_calendar_workdays_between(&left, cal, today, c->due, NULL) < 0)
        left = (int)(c->due - today); /* outside the index: calendar days, never 0 wrongly */
    return left <= due_soon_workdays ? ZF_CLOCK_DUE_SOON : ZF_CLOCK_ON_TIME;
}

int zf_clock_workdays_left(int *out, const zf_clock *c, const zf_calendar *cal, zf_date today,
                           zf_err *err)
{
    if (c->due == ZF_DATE_NONE)
        return zf_err_set(err, ZF_ECONFLICT, "clock_paused", NULL, "期限处于中止状态，暂无到期日");
    return zf_calendar_workdays_between(out, cal, today, c->due, err);
}

int zf_clock_paused_workdays(int *out, const zf_clock *c, const zf_calendar *cal, zf_date today,
                             zf_err *err)
{
    int total = 0, n, rc;

    for (size_t i = 0; i < c->n_pauses; i++) {
        zf_date to = c->pauses[i].to == ZF_DATE_NONE ? today : c->pauses[i].to;
        if (to <= c->pauses[i].from)
            continue;
        if ((rc = zf_calendar_workdays_between(&n, cal, c->pauses[i].from, to, err)) < 0)
            return rc;
        total += n;
    }
    *out = total;
    return 0;
}

static const struct {
    const char *code, *label;
} states[] = {
    [ZF_CLOCK_ON_TIME] = {"on_time", "未到期"},
    [ZF_CLOCK_DUE_SOON] = {"due_soon", "即将到期"},
    [ZF_CLOCK_OVERDUE] = {"overdue", "已逾期"},
    [ZF_CLOCK_PAUSED] = {"paused", "已中止"},
    [ZF_CLOCK_DONE_ON_TIME] = {"done_on_time", "按期完成"},
    [ZF_CLOCK_DONE_LATE] = {"done_late", "逾期完成"},
};

#define NSTATES (sizeof states / sizeof states[0])

const char *zf_clock_state_code(zf_clock_state s)
{
    return (size_t)s < NSTATES ? states[s].code : "unknown";
}

const char *zf_clock_state_label(zf_clock_state s)
{
    return (size_t)s < NSTATES ? states[s].label : "未知";
}

int zf_clock_state_parse(zf_clock_state *out, const char *s, zf_err *err)
{
    char norm[32];
    size_t i;

    for (i = 0; s && s[i] && i + 1 < sizeof norm; i++)
        norm[i] = s[i] == '-' ? '_' : s[i];
    norm[i] = '\0';
    if (s && !s[i]) {
        for (size_t k = 0; k < NSTATES; k++) {
            if (strcmp(norm, states[k].code) == 0) {
                *out = (zf_clock_state)k;
                return 0;
            }
        }
    }
    return zf_err_set(err, ZF_EINVAL, "invalid_state", "state",
                      "未知的期限状态，应为 on-time、due-soon、overdue、paused、done-on-time 或 done-late");
}
