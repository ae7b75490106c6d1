/* access_flags.h — pattern detection over the views and downloads of
 * restricted records (调阅监督, issue 8): which looks deserve a question from
 * the auditor or the Justice Bureau, each with a plain-Chinese explanation.
 *
 * Three patterns:
 *   breadth     one person reading more than max_subjects different cases or
 *               parties they are not assigned to within window_hours (a
 *               sliding window; one flag per burst, for its busiest window);
 *   off_hours   a look outside working hours: before day_start or from
 *               day_end (China time, UTC+8), or on a rest day of the calendar;
 *   other_dept  a look at a record of another department by someone whose
 *               role is bound to their own (the Justice Bureau's supervisors
 *               and auditors read across departments by office, so not them).
 *
 * Pure: the rows come in as data and nothing is read from a clock or a
 * database. Thread-safe. */
#ifndef ZF_CORE_ACCESS_FLAGS_H
#define ZF_CORE_ACCESS_FLAGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "util/err.h"

/* One recorded look. */
typedef struct zf_access_row {
    int64_t id;               /* the audit row */
    int64_t at;               /* Unix seconds */
    int64_t actor_id;
    const char *actor_name;   /* display name, for explanations */
    int64_t actor_dept;       /* the viewer's department */
    int cross_dept_ok;        /* the viewer's office spans departments */
    int64_t record_dept;      /* the department of what was read, 0 unknown */
    const char *record_dept_name;
    const char *subject;      /* what was read, e.g. "case:12", "party:<id>"; "" unknown */
    int related;              /* the viewer is on that case / handles it */
} zf_access_row;

typedef struct zf_access_thresholds {
    int window_hours;         /* 1..720 */
    int max_subjects;         /* 1..10000: more than this in a window is flagged */
    int day_start, day_end;   /* hours 0..24, day_start < day_end */
} zf_access_thresholds;

#define ZF_ACCESS_THRESHOLDS_INIT {24, 10, 8, 19}

typedef enum zf_access_flag_kind {
    ZF_ACCESS_BREADTH = 1,
    ZF_ACCESS_OFF_HOURS = 2,
    ZF_ACCESS_OTHER_DEPT = 3,
} zf_access_flag_kind;

typedef struct zf_access_flag {
    zf_access_flag_kind kind;
    int64_t actor_id;
    int64_t first_at, last_at;  /* the look, or the window's first and last look */
    size_t count;               /* breadth: distinct subjects; else 1 */
    int64_t row_ids[64];        /* the audit rows behind it (the first 64) */
    size_t n_rows;
    char explanation[512];
} zf_access_flag;

/* Checks thresholds: ZF_EINVAL naming the field. */
int zf_access_thresholds_check(const zf_access_thresholds *t, zf_err *err);

/* Finds the flags in rows[0..n) (any order). cal decides rest days (NULL:
 * Saturdays and Sundays). The caller frees *out with free(); flags come
 * ordered by kind, then time. */
int zf_access_flags_find(zf_access_flag **out, size_t *out_n, const zf_access_row *rows, size_t n,
                         const zf_access_thresholds *t, const zf_calendar *cal, zf_err *err);

/* "breadth" / "off_hours" / "other_dept", and the Chinese name. */
const char *zf_access_flag_code(zf_access_flag_kind k);
const char *zf_access_flag_name(zf_access_flag_kind k);

#endif
