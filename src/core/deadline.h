/* deadline.h — statutory deadline rules and the clocks that run on them.
 *
 * Pure computation over a zf_calendar: no I/O, and "today" is an argument.
 * A rule says how a due date follows from a start date (N working days after
 * it, or a calendar date such as 31 January of the next year). A clock is one
 * running deadline: its start, a copy of its rule, its due date, the calendar
 * versions it was computed with, its pauses (中止, expert evaluation, hearing)
 * and, once met, the date it was done. Its state (on time, due soon, overdue,
 * paused, done on time, done late) is derived from "today" and never stored.
 *
 * Counting (民法典 第二百零一条): the start day is not counted; a working-day
 * rule of N is due at the end of the Nth working day after the start. A pause
 * from P to R removes the working days in (P, R] from the count: P itself still
 * counts, and counting restarts the day after R. A pause beginning after the
 * due date is refused (the clock has already run out).
 *
 * A fixed calendar date (the annual report "于每年1月31日前") is not moved off
 * a rest day: the conservative reading, which warns early rather than late.
 *
 * Calendar days (ZF_RULE_CALENDAR_DAYS): the start day is not counted either,
 * so N days are due on start + N; a pause from P to R removes the R - P
 * days in (P, R], and an extension adds calendar days. The due date is not
 * moved off a rest day (the same conservative reading: 民法典 第二百零三条
 * would allow the next working day, the warning comes no later for it). A
 * calendar change never moves such a clock (zf_clock_affected_by).
 *
 * zf_clock is a plain value (no heap pointers): copy it, store it, compare it.
 * Functions on different clocks are thread-safe. */
#ifndef ZF_CORE_DEADLINE_H
#define ZF_CORE_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/calendar.h"
#include "util/err.h"

typedef enum zf_rule_kind {
    ZF_RULE_WORKDAYS = 1,     /* due = the Nth working day after the start */
    ZF_RULE_FIXED_DATE = 2,   /* due = month/day of (start's year + year_offset) */
    ZF_RULE_CALENDAR_DAYS = 3 /* due = start + days (日, not 工作日: 行政处罚法 第六十条
                               * 九十日, 行政强制法 第二十五条 三十日) */
} zf_rule_kind;

typedef struct zf_deadline_rule {
    char code[48];          /* stable key, e.g. "publish_penalty" */
    char name[96];          /* Chinese, shown to users: "行政处罚决定公示" */
    zf_rule_kind kind;
    int workdays;           /* ZF_RULE_WORKDAYS: N, 1..ZF_CAL_MAX_WORKDAYS */
    int month, day;         /* ZF_RULE_FIXED_DATE: e.g. 1, 31 (29 Feb → 28 Feb) */
    int year_offset;        /* ZF_RULE_FIXED_DATE: 0..10, e.g. 1 = the next year */
    int extension_workdays; /* what a named approver may add, in the rule's unit (working
                             * days; calendar days for ZF_RULE_CALENDAR_DAYS); 0 = none */
    bool pausable;          /* may be suspended (中止) and resumed */
    char basis[256];        /* where the rule comes from, Chinese */
    int days;               /* ZF_RULE_CALENDAR_DAYS: N, 1..ZF_DEADLINE_MAX_DAYS */
} zf_deadline_rule;

#define ZF_DEADLINE_MAX_DAYS 3650

/* The defaults (from the city's implementation plan for the three systems):
 *   publish_licensing     行政许可决定公示      7 working days after the decision
 *   publish_penalty       行政处罚决定公示      7 working days after the decision
 *   publish_other         其他执法决定公示      20 working days after the decision
 *   withdraw_publication  撤下已公示决定        3 working days after revocation etc.
 *   publish_spot_check    双随机抽查结果公示    20 working days after the check ends
 *   legal_review          重大执法决定法制审核  3 working days after receipt, +2 approved
 *   annual_report         行政执法年度数据公开  31 January of the next year
 * Static storage; *out_n receives the count. Localities copy and edit. */
const zf_deadline_rule *zf_deadline_default_rules(size_t *out_n);

/* The rule with this code in rules[0..n), or NULL. */
const zf_deadline_rule *zf_deadline_rule_find(const zf_deadline_rule *rules, size_t n,
                                              const char *code);

/* Checks an edited rule (code in [a-z0-9_], name non-empty, numbers in range,
 * a fixed date that exists). ZF_EINVAL with the offending field. */
int zf_deadline_rule_validate(const zf_deadline_rule *rule, zf_err *err);

/* The due date of a rule started on start, without pauses or extension. */
int zf_deadline_due(zf_date *out, const zf_deadline_rule *rule, const zf_calendar *cal,
                    zf_date start, zf_err *err);

/* ---- clocks ------------------------------------------------------------ */

#define ZF_CLOCK_MAX_PAUSES 16
#define ZF_CLOCK_DUE_SOON_DEFAULT 1 /* working days left at which a clock turns yellow */

typedef struct zf_clock_interval {
    zf_date from;     /* the day of the suspension */
    zf_date to;       /* the day of resumption, ZF_DATE_NONE while suspended */
    char reason[96];  /* e.g. "专家论证", may be "" */
} zf_clock_interval;

typedef struct zf_clock {
    zf_deadline_rule rule; /* copied at start: later rule edits do not move it */
    zf_date start;
    zf_date due;           /* ZF_DATE_NONE while suspended */
    int extension_workdays;   /* granted, 0 if none */
    char approver[64];        /* who approved the extension */
    zf_clock_interval pauses[ZF_CLOCK_MAX_PAUSES];
    size_t n_pauses;          /* chronological, non-overlapping */
    zf_date done;             /* ZF_DATE_NONE while open */
    char calendar_version[192]; /* zf_calendar_version_span of the span used */
} zf_clock;

typedef enum zf_clock_state {
    ZF_CLOCK_ON_TIME = 0,
    ZF_CLOCK_DUE_SOON,
    ZF_CLOCK_OVERDUE,
    ZF_CLOCK_PAUSED,
    ZF_CLOCK_DONE_ON_TIME,
    ZF_CLOCK_DONE_LATE
} zf_clock_state;

/* Starts a clock on start (the day of the event; not counted). */
int zf_clock_start(zf_clock *out, const zf_deadline_rule *rule, const zf_calendar *cal,
                   zf_date start, zf_err *err);

/* Suspends the clock on day on. ZF_ECONFLICT if the rule is not pausable, the
 * clock is done, already suspended, has run out before on, or has
 * ZF_CLOCK_MAX_PAUSES pauses; ZF_EINVAL if on is before the start or the last
 * resumption. reason may be NULL. */
int zf_clock_pause(zf_clock *c, const zf_calendar *cal, zf_date on, const char *reason,
                   zf_err *err);

/* Resumes a suspended clock on day on (>= the suspension day) and recomputes
 * the due date. ZF_ECONFLICT if it is not suspended. */
int zf_clock_resume(zf_clock *c, const zf_calendar *cal, zf_date on, zf_err *err);

/* Grants the rule's extension (e.g. legal review +2 working days 经分管领导批准)
 * by a named approver, on today. ZF_ECONFLICT if the rule has none, it was
 * already granted, the clock is done or today is past the due date. */
int zf_clock_extend(zf_clock *c, const zf_calendar *cal, const char *approver, zf_date today,
                    zf_err *err);

/* Marks the duty done on day on (>= start). A suspended clock is resumed on
 * that day first. ZF_ECONFLICT if already done. */
int zf_clock_finish(zf_clock *c, const zf_calendar *cal, zf_date on, zf_err *err);

/* Recomputes due date and calendar_version against cal (after a year's
 * schedule changed). *out_changed (may be NULL) says whether the due date moved.
 * A done clock is left as it is (its history stands); *out_changed = false. */
int zf_clock_recompute(zf_clock *c, const zf_calendar *cal, bool *out_changed, zf_err *err);

/* Whether a calendar change can move this open clock's due date: the changed
 * span overlaps (start, due] (or (start, ...) while suspended). */
bool zf_clock_affected_by(const zf_clock *c, const zf_cal_change *change);

/* The state on today. due_soon_workdays < 0 means ZF_CLOCK_DUE_SOON_DEFAULT:
 * an open clock with at most that many working days left after today (see
 * zf_clock_workdays_left) is due soon. Overdue means today is after the due
 * date. Done clocks compare the done date with the due date. */
zf_clock_state zf_clock_state_at(const zf_clock *c, const zf_calendar *cal, zf_date today,
                                 int due_soon_workdays);

/* Working days after today up to and including the due date (0 on the due
 * date itself); negative when overdue: minus the working days after the due
 * date up to today. ZF_ECONFLICT while suspended. */
int zf_clock_workdays_left(int *out, const zf_clock *c, const zf_calendar *cal, zf_date today,
                           zf_err *err);

/* Working days removed by pauses (closed ones, and an open one up to today). */
int zf_clock_paused_workdays(int *out, const zf_clock *c, const zf_calendar *cal, zf_date today,
                             zf_err *err);

/* "on_time", "due_soon", "overdue", "paused", "done_on_time", "done_late". */
const char *zf_clock_state_code(zf_clock_state s);

/* "未到期", "即将到期", "已逾期", "已中止", "按期完成", "逾期完成". */
const char *zf_clock_state_label(zf_clock_state s);

/* Parses a state code; '-' is accepted for '_' ("due-soon" as on the CLI).
 * ZF_EINVAL ("invalid_state", field "state") otherwise. */
int zf_clock_state_parse(zf_clock_state *out, const char *s, zf_err *err);

#endif
