/* calendar.h — dates, the Chinese working-day calendar and working-day arithmetic.
 *
 * Pure computation, no I/O and no clock: "today" is always an argument.
 *
 * A working day (工作日) is Monday to Friday, minus the public-holiday days off,
 * plus the adjusted working days (调休上班) on weekends, as the State Council's
 * notice for each year (国务院办公厅关于XXXX年部分节假日安排的通知) says.
 * A year whose schedule is not loaded counts Monday to Friday only.
 *
 * A year's schedule is the final effective set of special days of that year's
 * notice(s): a notice may reach into the previous December (e.g. 2018-12-29 is
 * an adjusted working day of the 2019 notice), and a second notice may replace
 * part of the first (2019 Labour Day, 2020 Spring Festival); the notices are
 * recorded as the schedule's sources and the version string says which state it
 * is. When two loaded years list the same date, the later year's notice wins.
 *
 * Counting follows 民法典 第二百零一条: the day of the event is not counted; the
 * Nth working day after DATE is the deadline. By this module's convention the
 * 0th working day after DATE is DATE itself (even when DATE is a rest day):
 * zf_calendar_add_workdays(d, 0) == d. Callers who need a working day use n >= 1.
 *
 * A precomputed working-day index over ZF_CAL_FIRST_DATE..ZF_CAL_LAST_DATE
 * makes add-workdays and workdays-between O(1). The index is rebuilt (a few
 * hundred microseconds) whenever a year's schedule is set or removed.
 *
 * Thread safety: a zf_calendar may be read from many threads at once; setting
 * or removing a year needs the caller to exclude readers (or to build a new
 * calendar and swap the pointer). */
#ifndef ZF_CORE_CALENDAR_H
#define ZF_CORE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* ---- dates ------------------------------------------------------------- */

/* A civil date (proleptic Gregorian) as days since 1970-01-01. Ordering and
 * subtraction work as on integers. */
typedef int32_t zf_date;

#define ZF_DATE_NONE INT32_MIN /* "no date": open pause, clock not done ... */
#define ZF_DATE_STRLEN 11      /* "YYYY-MM-DD" plus NUL */

/* A constant expression for a date of year >= 1, usable in static tables.
 * It does not validate; use zf_date_from_ymd for untrusted numbers. */
#define ZF_YMD(y, m, d)                                                           \
    ((zf_date)(365L * ((y) - ((m) <= 2)) + ((y) - ((m) <= 2)) / 4 -              \
               ((y) - ((m) <= 2)) / 100 + ((y) - ((m) <= 2)) / 400 +             \
               (153L * (((m) + 9) % 12) + 2) / 5 + (d) - 1 - 719468L))

/* True when y-m-d names a real date with 1 <= y <= 9999. */
bool zf_date_valid_ymd(int y, int m, int d);

/* Builds a date from numbers; ZF_EINVAL ("invalid_date") if it does not exist. */
int zf_date_from_ymd(zf_date *out, int y, int m, int d, zf_err *err);

/* Splits a date; any output pointer may be NULL. */
void zf_date_to_ymd(zf_date date, int *y, int *m, int *d);

int zf_date_year(zf_date date);

/* ISO weekday: 1 = Monday ... 7 = Sunday. */
int zf_date_weekday(zf_date date);

/* Parses exactly "YYYY-MM-DD" (four, two and two ASCII digits; 2025-2-3, a
 * trailing space or an impossible date such as 2025-02-30 are rejected).
 * s need not be NUL-terminated; len is its length. field names the input in
 * the error (may be NULL). Errors: ZF_EINVAL with code "invalid_date" and a
 * Chinese message. */
int zf_date_parse(zf_date *out, const char *s, size_t len, const char *field, zf_err *err);

/* Writes "YYYY-MM-DD" and a NUL into out (ZF_DATE_STRLEN bytes). Returns out. */
char *zf_date_format(char out[ZF_DATE_STRLEN], zf_date date);

/* ---- one year's schedule ----------------------------------------------- */

typedef enum zf_day_kind {
    ZF_DAY_NORMAL = 0, /* not listed: Monday–Friday work, weekend rest */
    ZF_DAY_OFF = 1,    /* holiday day off (放假) */
    ZF_DAY_WORK = 2    /* adjusted working day (调休上班) */
} zf_day_kind;

typedef struct zf_cal_day {
    zf_date date;
    zf_day_kind kind; /* ZF_DAY_OFF or ZF_DAY_WORK */
    char *name;       /* e.g. "春节"; owned by the schedule, never NULL */
} zf_cal_day;

typedef struct zf_cal_source {
    char *title;  /* e.g. "国务院办公厅关于2020年部分节假日安排的通知" */
    char *doc_no; /* e.g. "国办发明电〔2019〕16号", "" if unknown */
    char *url;    /* "" if unknown */
} zf_cal_source;

/* The special days of one year's notice(s). Fields are read-only for callers;
 * build with the functions below. days are kept sorted by date, unique. */
typedef struct zf_cal_schedule {
    int year;
    char *version; /* free text, e.g. "2020.2" after the second notice */
    zf_cal_source *sources;
    size_t n_sources;
    zf_cal_day *days;
    size_t n_days;
} zf_cal_schedule;

/* Years that may hold a schedule. A year's days lie between 1 December of the
 * previous year and 31 December of the year. */
#define ZF_CAL_MIN_YEAR 2001
#define ZF_CAL_MAX_YEAR 2100
/* The working-day index covers these dates; arithmetic outside is refused. */
#define ZF_CAL_FIRST_DATE ZF_YMD(2000, 1, 1)
#define ZF_CAL_LAST_DATE ZF_YMD(2100, 12, 31)
/* Largest N accepted by zf_calendar_add_workdays (about 14 years). */
#define ZF_CAL_MAX_WORKDAYS 3650

/* Creates an empty schedule; the caller owns it (zf_cal_schedule_free).
 * version must be non-empty. */
int zf_cal_schedule_new(zf_cal_schedule **out, int year, const char *version, zf_err *err);
void zf_cal_schedule_free(zf_cal_schedule *s);

/* Records a source notice; doc_no and url may be NULL or "". Copies strings. */
int zf_cal_schedule_add_source(zf_cal_schedule *s, const char *title, const char *doc_no,
                               const char *url, zf_err *err);

/* Adds one special day (kind ZF_DAY_OFF or ZF_DAY_WORK; name may be NULL = "").
 * Errors: the date is outside 1 December of the previous year .. 31 December of
 * the year ("date_out_of_range"), or already listed ("duplicate_date"). */
int zf_cal_schedule_add_day(zf_cal_schedule *s, zf_date date, zf_day_kind kind,
                            const char *name, zf_err *err);

/* Adds every date from..to inclusive with the same kind and name. */
int zf_cal_schedule_add_range(zf_cal_schedule *s, zf_date from, zf_date to, zf_day_kind kind,
                              const char *name, zf_err *err);

/* True for a day that changes nothing: a day off that is a weekend day, or a
 * working day that is a weekday. Importers warn about these (they are legal:
 * holiday blocks list their weekend days too). */
bool zf_cal_day_is_redundant(const zf_cal_day *day);

/* Parses TSV text "date<TAB>off|work<TAB>name" (one day a line; a header line
 * starting with "date", blank lines and lines starting with '#' are skipped;
 * CRLF accepted). year 0 means: the year of the latest date in the text.
 * The caller owns *out. Errors name the line: ZF_EINVAL. */
int zf_cal_schedule_parse_tsv(zf_cal_schedule **out, int year, const char *version,
                              const char *text, size_t len, zf_err *err);

/* ---- the calendar ------------------------------------------------------ */

typedef struct zf_calendar zf_calendar; /* opaque */

/* What a set/remove changed. first..last (valid when workdays_changed) is the
 * span of dates whose working-day status changed: every open clock whose span
 * reaches it must be recomputed (see zf_clock_affected_by in deadline.h). */
typedef struct zf_cal_change {
    bool changed;          /* anything differs: days, names, version, sources */
    bool workdays_changed; /* some date changed between working day and rest day */
    zf_date first;
    zf_date last;
} zf_cal_change;

/* An empty calendar (Monday–Friday everywhere). Never NULL (aborts on OOM). */
zf_calendar *zf_calendar_new(void);
void zf_calendar_free(zf_calendar *cal);

/* A calendar holding the shipped schedules (2019–2026). Caller owns *out. */
int zf_calendar_new_builtin(zf_calendar **out, zf_err *err);

/* Loads the shipped schedules into cal, replacing those years. (holidays.c) */
int zf_calendar_load_builtin(zf_calendar *cal, zf_err *err);

/* The shipped years in ascending order: writes up to cap of them into out and
 * returns how many there are. (holidays.c) */
size_t zf_holidays_builtin_years(int *out, size_t cap);

/* Sets (adds or replaces) the schedule of s->year with a copy of s. Setting an
 * identical schedule changes nothing (idempotent import). out_change may be
 * NULL. Errors: year outside ZF_CAL_MIN_YEAR..ZF_CAL_MAX_YEAR, bad days. */
int zf_calendar_set_year(zf_calendar *cal, const zf_cal_schedule *s, zf_cal_change *out_change,
                         zf_err *err);

/* Unloads a year (it then counts Monday–Friday). ZF_ENOTFOUND if not loaded. */
int zf_calendar_remove_year(zf_calendar *cal, int year, zf_cal_change *out_change, zf_err *err);

bool zf_calendar_has_year(const zf_calendar *cal, int year);

/* The loaded schedule of a year, borrowed until the year is next set or
 * removed; NULL when not loaded. */
const zf_cal_schedule *zf_calendar_schedule(const zf_calendar *cal, int year);

/* Loaded years ascending: writes up to cap into out, returns the count. */
size_t zf_calendar_years(const zf_calendar *cal, int *out, size_t cap);

bool zf_calendar_is_workday(const zf_calendar *cal, zf_date date);

/* ZF_DAY_OFF / ZF_DAY_WORK when a loaded notice lists the date, else ZF_DAY_NORMAL. */
zf_day_kind zf_calendar_day_kind(const zf_calendar *cal, zf_date date);

/* The special day's name ("春节"), or "" for an ordinary day. Borrowed, valid
 * until the calendar is next changed. */
const char *zf_calendar_day_name(const zf_calendar *cal, zf_date date);

/* *out = the nth working day after date, date itself not counted (民法典 第二百零一条);
 * n == 0 gives date itself. O(1). Errors (ZF_EINVAL): n < 0 or n >
 * ZF_CAL_MAX_WORKDAYS ("invalid_workdays", field "n"), date or result outside
 * the index range ("date_out_of_range"). */
int zf_calendar_add_workdays(zf_date *out, const zf_calendar *cal, zf_date date, long n,
                             zf_err *err);

/* *out = number of working days d with from < d <= to; when to < from, minus
 * the number with to < d <= from. So add_workdays(d, n) is the first date e
 * with workdays_between(d, e) == n. O(1). Errors: dates outside the index. */
int zf_calendar_workdays_between(int *out, const zf_calendar *cal, zf_date from, zf_date to,
                                 zf_err *err);

/* The year whose schedule should be loaded but is not, seen from today: today's
 * year if it is missing, else (from 1 December) the next year if missing;
 * 0 when nothing is missing. */
int zf_calendar_missing_year(const zf_calendar *cal, zf_date today);

/* True from 1 December of year Y when Y+1 has no schedule (and throughout a
 * year that has none): the console banner, /healthz and the log warn then. */
bool zf_calendar_missing_next_year_warning(const zf_calendar *cal, zf_date today);

/* Describes the schedule versions that working days between from and to
 * depend on, e.g. "2024:2024.1;2025:2025.1" ("-" for a year counted Mon–Fri).
 * A clock stores it; a clock whose description changed must be recomputed.
 * Writes at most cap bytes including the NUL (truncates). Returns out. */
char *zf_calendar_version_span(char *out, size_t cap, const zf_calendar *cal, zf_date from,
                               zf_date to);

#endif
