/* annual.h — the annual report (年报) of a department's administrative law
 * enforcement, and the city's (issue 7): what it counts, which case event
 * counts as what, how the departments' reports add up to the city's, and
 * when a report is late.
 *
 * A report is a JSON object:
 *   {"year": 2026, "sections": [{"code": "penalty", "title": "行政处罚",
 *     "items": [{"code": "fine", "label": "罚款", "count": 3,
 *                "amount_fen": 1200000}, ...]}, ...]}
 * Sections and their fixed items come from a table here, in the order they
 * are shown; legal-review conclusions are added as the records name them.
 * amount_fen is present only on items that carry an amount.
 *
 * Deadline: a report for year Y is due by 31 January of Y+1 (国务院办公厅
 * 国办发〔2018〕118号: 每年1月31日前公开本机关上年度行政执法总体情况).
 *
 * Pure computation: no I/O, the date is passed in. Thread-safe. */
#ifndef ZF_CORE_ANNUAL_H
#define ZF_CORE_ANNUAL_H

#include <stdint.h>

#include <jansson.h>

#include "core/calendar.h"
#include "util/err.h"

#define ZF_ANNUAL_FIRST_YEAR 2000

/* One fixed item of the report. */
typedef struct zf_annual_item {
    const char *section;   /* "license", "penalty", "coercion", "inspection", "expropriation",
                            * "review", "publicity" */
    const char *code;      /* unique within its section */
    const char *label;     /* Chinese */
    int has_amount;        /* carries amount_fen */
} zf_annual_item;

/* The fixed items in display order; *out_n receives how many. */
const zf_annual_item *zf_annual_items(size_t *out_n);

/* Chinese title of a section code, or NULL when unknown. */
const char *zf_annual_section_title(const char *section);

/* The item a case event counts as: the deciding action `action` of a case
 * following procedure `procedure` (codes of core/workflow.h); fined says
 * whether the case's fine is above zero (罚款 versus 警告). NULL when the
 * event is not counted. */
const zf_annual_item *zf_annual_item_for_event(const char *procedure, const char *action, int fined);

/* A new report of year with every fixed item at zero. The caller owns it. */
json_t *zf_annual_new(int year);

/* Adds count (and amount_fen when the item has an amount) to item code of
 * section; an item the section does not have yet is appended with label
 * (legal-review conclusions). ZF_EINVAL for an unknown section. */
int zf_annual_add(json_t *report, const char *section, const char *code, const char *label,
                  int64_t count, int64_t amount_fen, zf_err *err);

/* Adds every item of from into into (the city report sums its
 * departments'). ZF_EINVAL when from is not a report. */
int zf_annual_merge(json_t *into, const json_t *from, zf_err *err);

/* The count (or with amount != 0, the amount_fen) of an item; 0 if absent. */
int64_t zf_annual_get(const json_t *report, const char *section, const char *code, int amount);

/* A year that may be reported on today: ZF_ANNUAL_FIRST_YEAR up to today's
 * year (the current year's report is a preview: it cannot be published
 * before the year ends, store/annual_store.h).
 * ZF_EINVAL "invalid_year" with field "year" otherwise. */
int zf_annual_year_check(int year, zf_date today, zf_err *err);

/* [from, to) in Unix seconds of year in China time (UTC+8). */
void zf_annual_year_span(int64_t *out_from, int64_t *out_to, int year);

/* The publication deadline of year's report: 31 January of year + 1. */
zf_date zf_annual_deadline(int year);

/* Publication status of year's report: "on_time" (published by the
 * deadline), "late" (published after it), "overdue" (not published and the
 * deadline has passed), "due" (not published, deadline still ahead).
 * published is ZF_DATE_NONE when the report is not published. */
const char *zf_annual_status(int year, zf_date published, zf_date today);

/* Chinese name of a status code above. */
const char *zf_annual_status_name(const char *status);

#endif
