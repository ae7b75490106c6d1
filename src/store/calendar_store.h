/* calendar_store.h — the stored working-day calendar, deadline rules and clocks.
 *
 * The effective calendar is the shipped schedules (core/holidays.c, 2019–2026)
 * overlaid by the years an administrator imported (table calendar_years): an
 * imported year replaces the shipped one of the same number.
 *
 * Importing a year is idempotent: the same days and sources again change
 * nothing. Different content becomes the year's next version ("2027.1",
 * "2027.2" ...; a shipped "2025.1" is followed by "2025.2"), and in the same
 * transaction every open clock whose span reaches a changed day is recomputed
 * and the change (old and new due date of each moved clock) is recorded in
 * calendar_changes / calendar_change_clocks, with an audit row.
 *
 * Clocks (table clocks) are statutory deadlines attached to an object (a case,
 * a decision, a review ...) of a department. The zf_clock_store_* functions
 * do not open transactions of their own, so a caller can change its object and
 * its clock in one transaction.
 *
 * "Today" is the date in China (UTC+8, no daylight saving) of a Unix time;
 * see zf_calendar_store_today.
 *
 * Thread safety: functions taking a zf_db are as thread-safe as the
 * connection (one per thread). The calendar cache (zf_calendar_cache_*) is
 * process-wide and safe across threads. */
#ifndef ZF_STORE_CALENDAR_STORE_H
#define ZF_STORE_CALENDAR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "store/db.h"
#include "util/err.h"

/* The date in China (UTC+8) at Unix time now. */
zf_date zf_calendar_store_today(int64_t now);

/* Who makes a change, for loaded_by / updated_by and the audit row. ip and
 * request_id may be NULL (commands). */
typedef struct zf_cal_actor {
    int64_t user_id; /* 0 when none (the command line) */
    const char *name; /* username, or "cli" */
    const char *ip;
    const char *request_id;
} zf_cal_actor;

/* ---- parsing what administrators import --------------------------------- */

/* Largest import accepted (bytes), and most days in one year's schedule. */
#define ZF_CAL_IMPORT_MAX_BYTES (1024 * 1024)
#define ZF_CAL_IMPORT_MAX_DAYS 400

/* Parses the holiday-cn JSON format
 *   {"year":2027,"papers":["https://..."],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},...]}
 * Other top-level members ($schema, $id) are ignored. Each paper becomes a
 * source titled 国务院办公厅关于YYYY年部分节假日安排的通知 with that URL; with no
 * papers, one such source without URL. The version is "import" (the store
 * assigns the real one). Errors (ZF_EINVAL) name the field, e.g. "days[3].date":
 * malformed JSON, a missing or wrong-typed member, an impossible date, a date
 * outside December of the previous year .. December of the year, a duplicate.
 * The caller owns *out. */
int zf_calendar_parse_holiday_cn(zf_cal_schedule **out, const char *text, size_t len,
                                 zf_err *err);

/* Parses either format: JSON when the first non-blank byte is '{', else TSV
 * (date<TAB>off|work<TAB>name, the year being that of the latest date), with
 * the same single source as above. The caller owns *out. */
int zf_calendar_parse_import(zf_cal_schedule **out, const char *text, size_t len, zf_err *err);

/* ---- the effective calendar --------------------------------------------- */

/* Builds the effective calendar: shipped years, then every stored year over
 * them. The caller owns *out (zf_calendar_free). */
int zf_calendar_store_load(zf_calendar **out, zf_db *db, zf_err *err);

/* Whether a loaded year comes from the program or from an import. */
typedef struct zf_cal_year_info {
    int year;
    char version[64];
    bool imported;          /* false: shipped with the program */
    int64_t loaded_at;      /* imported years only, else 0 */
    char loaded_by[64];
    size_t n_days;
    char sources_json[2048]; /* [{"title","doc_no","url"}], truncated to fit */
} zf_cal_year_info;

/* The years of the effective calendar, ascending. The caller frees *out. */
int zf_calendar_store_years(zf_cal_year_info **out, size_t *out_n, zf_db *db, zf_err *err);

typedef struct zf_cal_import_result {
    int year;
    bool changed;           /* false: identical to what was loaded; nothing written */
    char old_version[64];   /* "" when the year had no schedule */
    char new_version[64];
    bool workdays_changed;
    zf_date first, last;    /* span whose working days changed (if workdays_changed) */
    size_t days_added, days_removed, days_modified; /* against the previous version */
    size_t clocks_checked;  /* open clocks whose span reached the change */
    size_t clocks_moved;    /* of those, how many got a new due date */
    int64_t change_id;      /* calendar_changes row, 0 when unchanged */
} zf_cal_import_result;

/* Stores s as the year's new schedule (s->version is ignored; the store
 * numbers versions), recomputes the open clocks it touches and records the
 * change, all in one transaction that this function opens (the db must not be
 * in a transaction). actor is recorded in calendar_years.loaded_by, the
 * change record and the audit row.
 * Thread-safe with respect to the cache: the next zf_calendar_cache_acquire
 * sees the new year. */
int zf_calendar_store_import(zf_cal_import_result *out, zf_db *db, const zf_cal_schedule *s,
                             const zf_cal_actor *actor, int64_t now, zf_err *err);

/* The year the administrator should import, seen from today (see
 * zf_calendar_missing_year / zf_calendar_missing_next_year_warning): 0 when
 * none is missing or it is too early to warn. message (Chinese, may be NULL)
 * receives the warning text, or "" . */
int zf_calendar_store_missing_year(const zf_calendar *cal, zf_date today, char *message,
                                   size_t cap);

/* At server start: seeds missing default rules and logs a warning line when
 * next year's schedule is missing (from 1 December). Failures are logged, not
 * fatal; returns 0 or a negative code. */
int zf_calendar_store_startup(zf_db *db, int64_t now, zf_err *err);

/* ---- the process-wide calendar cache (the server) ------------------------ */

/* The server reads the effective calendar on nearly every request that
 * touches a deadline, and building it costs milliseconds, so it is cached.
 * Freshness is checked on every acquire with one small query (a fingerprint
 * of calendar_years: years and versions), which also notices imports made by
 * another process (`zhifa calendar import` while the server runs).
 *
 * Design: the cache holds a reference-counted immutable snapshot behind a
 * mutex. acquire takes a reference (the lock is held only to copy a pointer);
 * when the fingerprint changed it builds a new calendar outside the lock and
 * swaps it in; an old snapshot is freed by the last release. Readers never
 * wait for an import and an import never waits for readers, which a rwlock
 * held across a request could not promise.
 *
 * *out is borrowed until zf_calendar_cache_release(*out). */
int zf_calendar_cache_acquire(const zf_calendar **out, zf_db *db, zf_err *err);
void zf_calendar_cache_release(const zf_calendar *cal);
/* Drops the cached snapshot (tests, shutdown). */
void zf_calendar_cache_clear(void);

/* ---- deadline rules ------------------------------------------------------ */

/* Inserts every default rule (zf_deadline_default_rules) whose code has no row
 * yet; existing rows, edited or not, are left alone. */
int zf_deadline_rules_seed(zf_db *db, int64_t now, zf_err *err);

/* The rules in force, ordered by code, seeding missing defaults first. The
 * caller frees *out. */
int zf_deadline_rules_load(zf_deadline_rule **out, size_t *out_n, zf_db *db, int64_t now,
                           zf_err *err);

/* The rule with this code. ZF_ENOTFOUND when there is none. */
int zf_deadline_rule_get(zf_deadline_rule *out, zf_db *db, const char *code, int64_t now,
                         zf_err *err);

/* Replaces the rule of rule->code (which must exist) after validation, with an
 * audit row, in the caller's transaction if any. Running clocks keep their
 * copy of the old rule. */
int zf_deadline_rule_update(zf_db *db, const zf_deadline_rule *rule, const zf_cal_actor *actor,
                            int64_t now, zf_err *err);

/* "workdays" / "fixed_date" / "calendar_days". */
const char *zf_deadline_rule_kind_code(zf_rule_kind k);

/* ---- clocks --------------------------------------------------------------- */

typedef struct zf_clock_row {
    int64_t id;
    char object_type[32];
    int64_t object_id;
    int64_t department_id;
    zf_clock clock;
    int64_t created_at, updated_at;
} zf_clock_row;

/* Starts a clock of the stored rule rule_code on start (the day of the event,
 * not counted) for object (object_type, object_id) of department_id.
 * *out_id receives the new id (out_id may be NULL). */
int zf_clock_store_start(int64_t *out_id, zf_db *db, const zf_calendar *cal,
                         const char *rule_code, const char *object_type, int64_t object_id,
                         int64_t department_id, zf_date start, int64_t now, zf_err *err);

/* Starts a clock of rule itself (not a stored rule: the workflow's
 * calendar-day rules, which the rule table does not hold) on start. */
int zf_clock_store_start_rule(int64_t *out_id, zf_db *db, const zf_calendar *cal,
                              const zf_deadline_rule *rule, const char *object_type,
                              int64_t object_id, int64_t department_id, zf_date start, int64_t now,
                              zf_err *err);

/* Writes clock c as computed by the caller: a new row when id is 0 (*out_id
 * receives it), else over row id (ZF_ENOTFOUND when there is none). For a
 * module that runs its clock in memory (the legal review rounds rebuild
 * theirs from the round) and keeps this table in step so 期限预警 sees it. */
int zf_clock_store_put(int64_t *out_id, zf_db *db, const zf_calendar *cal, int64_t id,
                       const zf_clock *c, const char *object_type, int64_t object_id,
                       int64_t department_id, int64_t now, zf_err *err);

/* One clock. ZF_ENOTFOUND when there is none. */
int zf_clock_store_get(zf_clock_row *out, zf_db *db, int64_t id, zf_err *err);

/* The open (not done) clocks of an object, oldest first. Caller frees *out. */
int zf_clock_store_for_object(zf_clock_row **out, size_t *out_n, zf_db *db,
                              const char *object_type, int64_t object_id, zf_err *err);

/* Life-cycle changes; each reads the clock, applies the core function of
 * deadline.h and writes it back (state cache as of now). */
int zf_clock_store_pause(zf_db *db, const zf_calendar *cal, int64_t id, zf_date on,
                         const char *reason, int64_t now, zf_err *err);
int zf_clock_store_resume(zf_db *db, const zf_calendar *cal, int64_t id, zf_date on,
                          int64_t now, zf_err *err);
int zf_clock_store_extend(zf_db *db, const zf_calendar *cal, int64_t id, const char *approver,
                          int64_t now, zf_err *err);
int zf_clock_store_finish(zf_db *db, const zf_calendar *cal, int64_t id, zf_date on,
                          int64_t now, zf_err *err);

/* A filter for zf_clock_store_list_open. */
typedef struct zf_clock_filter {
    int64_t department_id; /* 0 = every department */
    int state;             /* a zf_clock_state, or -1 = any */
    const char *rule_code; /* NULL = any */
} zf_clock_filter;

#define ZF_CLOCK_FILTER_INIT {0, -1, NULL}

/* The open clocks matching filter on today, ordered by due date (suspended
 * ones last), then id. Caller frees *out. */
int zf_clock_store_list_open(zf_clock_row **out, size_t *out_n, zf_db *db,
                             const zf_calendar *cal, const zf_clock_filter *filter, zf_date today,
                             zf_err *err);

#endif
