/* calendar.c — dates, year schedules and the working-day index. See calendar.h.
 *
 * The index: for every day i of ZF_CAL_FIRST_DATE..ZF_CAL_LAST_DATE,
 * prefix[i] counts the working days among days 0..i-1, and nth[k] is the day
 * index of the (k+1)th working day. "The nth working day after d" is then
 * nth[prefix[d+1] + n - 1]: two array reads instead of a walk over the days. */
#include "core/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define NDAYS ((int32_t)(ZF_CAL_LAST_DATE - ZF_CAL_FIRST_DATE + 1))
#define NYEARS (ZF_CAL_MAX_YEAR - ZF_CAL_MIN_YEAR + 1)

/* ---- dates ------------------------------------------------------------- */

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dm[m - 1];
}

bool zf_date_valid_ymd(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int zf_date_from_ymd(zf_date *out, int y, int m, int d, zf_err *err)
{
    if (!zf_date_valid_ymd(y, m, d))
        return zf_err_set(err, ZF_EINVAL, "invalid_date", "date", "日期不存在：%d年%d月%d日", y, m,
                          d);
    *out = ZF_YMD(y, m, d);
    return 0;
}

/* Inverse of ZF_YMD: the civil date of a day count, by 400-year eras
 * (146097 days each) so that leap rules fall out of integer division. */
void zf_date_to_ymd(zf_date date, int *y, int *m, int *d)
{
    int64_t z = (int64_t)date + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* from 1 March */
    int64_t mp = (5 * doy + 2) / 153;
    int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    int yy = (int)(yoe + era * 400 + (mm <= 2));

    if (y)
        *y = yy;
    if (m)
        *m = mm;
    if (d)
        *d = dd;
}

int zf_date_year(zf_date date)
{
    int y;

    zf_date_to_ymd(date, &y, NULL, NULL);
    return y;
}

int zf_date_weekday(zf_date date)
{
    /* 1970-01-01 (day 0) was a Thursday. */
    int r = (int)(((int64_t)date + 3) % 7);

    if (r < 0)
        r += 7;
    return r + 1;
}

static int digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Echoing user input into a message is useful, but only when it is short
 * printable ASCII: anything else could be invalid UTF-8 or very long. */
static bool echoable(const char *s, size_t len)
{
    if (len > 32)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return false;
    return true;
}

int zf_date_parse(zf_date *out, const char *s, size_t len, const char *field, zf_err *err)
{
    int y, m, d;

    if (!field)
        field = "date";
    if (!s || len == 0)
        return zf_err_set(err, ZF_EINVAL, "invalid_date", field, "日期不能为空");
    if (len != 10 || s[4] != '-' || s[7] != '-' || (y = digits(s, 4)) < 0 ||
        (m = digits(s + 5, 2)) < 0 || (d = digits(s + 8, 2)) < 0) {
        if (echoable(s, len))
            return zf_err_set(err, ZF_EINVAL, "invalid_date", field,
                              "日期格式应为 YYYY-MM-DD（例如 2025-02-03），收到“%.*s”", (int)len, s);
        return zf_err_set(err, ZF_EINVAL, "invalid_date", field,
                          "日期格式应为 YYYY-MM-DD（例如 2025-02-03）");
    }
    if (y < 1 || m < 1 || m > 12)
        return zf_err_set(err, ZF_EINVAL, "invalid_date", field, "日期不存在：%.10s", s);
    if (d < 1 || d > days_in_month(y, m))
        return zf_err_set(err, ZF_EINVAL, "invalid_date", field,
                          "日期不存在：%.10s（%d年%d月只有%d天）", s, y, m, days_in_month(y, m));
    *out = ZF_YMD(y, m, d);
    return 0;
}

char *zf_date_format(char out[ZF_DATE_STRLEN], zf_date date)
{
    int y, m, d;

    zf_date_to_ymd(date, &y, &m, &d);
    if (y < 0)
        y = 0;
    if (y > 9999)
        y = 9999;
    snprintf(out, ZF_DATE_STRLEN, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
    return out;
}

/* ---- schedules --------------------------------------------------------- */

static bool year_ok(int year)
{
    return year >= ZF_CAL_MIN_YEAR && year <= ZF_CAL_MAX_YEAR;
}

int zf_cal_schedule_new(zf_cal_schedule **out, int year, const char *version, zf_err *err)
{
    zf_cal_schedule *s;

    *out = NULL;
    if (!year_ok(year))
        return zf_err_set(err, ZF_EINVAL, "year_out_of_range", "year",
                          "年份 %d 超出日历支持范围（%d–%d）", year, ZF_CAL_MIN_YEAR,
                          ZF_CAL_MAX_YEAR);
    if (!version || !version[0])
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "version", "日程版本不能为空");
    s = zf_calloc(1, sizeof *s);
    s->year = year;
    s->version = zf_strdup(version);
    *out = s;
    return 0;
}

void zf_cal_schedule_free(zf_cal_schedule *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_sources; i++) {
        free(s->sources[i].title);
        free(s->sources[i].doc_no);
        free(s->sources[i].url);
    }
    for (size_t i = 0; i < s->n_days; i++)
        free(s->days[i].name);
    free(s->sources);
    free(s->days);
    free(s->version);
    free(s);
}

int zf_cal_schedule_add_source(zf_cal_schedule *s, const char *title, const char *doc_no,
                               const char *url, zf_err *err)
{
    zf_cal_source *src;

    if (!title || !title[0])
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "title", "通知标题不能为空");
    s->sources = zf_realloc(s->sources, (s->n_sources + 1) * sizeof *s->sources);
    src = &s->sources[s->n_sources++];
    src->title = zf_strdup(title);
    src->doc_no = zf_strdup(doc_no ? doc_no : "");
    src->url = zf_strdup(url ? url : "");
    return 0;
}

/* The dates a year's notice may list: 1 December of the year before (元旦
 * arrangements reach back) through 31 December of the year. */
static zf_date year_first(int year)
{
    return ZF_YMD(year - 1, 12, 1);
}

static zf_date year_last(int year)
{
    return ZF_YMD(year, 12, 31);
}

int zf_cal_schedule_add_day(zf_cal_schedule *s, zf_date date, zf_day_kind kind,
                            const char *name, zf_err *err)
{
    char buf[ZF_DATE_STRLEN];
    size_t lo = 0, hi = s->n_days;

    if (kind != ZF_DAY_OFF && kind != ZF_DAY_WORK)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "kind",
                          "日期类型应为 off（放假）或 work（调休上班）");
    if (date < year_first(s->year) || date > year_last(s->year))
        return zf_err_set(err, ZF_EINVAL, "date_out_of_range", "date",
                          "%s 不属于 %d 年的节假日安排（应在 %d-12-01 至 %d-12-31 之间）",
                          zf_date_format(buf, date), s->year, s->year - 1, s->year);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->days[mid].date < date)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->n_days && s->days[lo].date == date)
        return zf_err_set(err, ZF_EINVAL, "duplicate_date", "date", "日期 %s 重复出现",
                          zf_date_format(buf, date));
    s->days = zf_realloc(s->days, (s->n_days + 1) * sizeof *s->days);
    memmove(&s->days[lo + 1], &s->days[lo], (s->n_days - lo) * sizeof *s->days);
    s->days[lo].date = date;
    s->days[lo].kind = kind;
    s->days[lo].name = zf_strdup(name ? name : "");
    s->n_days++;
    return 0;
}

int zf_cal_schedule_add_range(zf_cal_schedule *s, zf_date from, zf_date to, zf_day_kind kind,
                              const char *name, zf_err *err)
{
    int rc;

    if (to < from)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "to", "结束日期早于开始日期");
    for (zf_date d = from; d <= to; d++)
        if ((rc = zf_cal_schedule_add_day(s, d, kind, name, err)) < 0)
            return rc;
    return 0;
}

bool zf_cal_day_is_redundant(const zf_cal_day *day)
{
    bool weekend = zf_date_weekday(day->date) >= 6;

    return (day->kind == ZF_DAY_OFF && weekend) || (day->kind == ZF_DAY_WORK && !weekend);
}

typedef struct tsv_row {
    zf_date date;
    zf_day_kind kind;
    const char *name;
    size_t name_len;
} tsv_row;

int zf_cal_schedule_parse_tsv(zf_cal_schedule **out, int year, const char *version,
                              const char *text, size_t len, zf_err *err)
{
    tsv_row *rows = NULL;
    size_t n = 0, cap = 0, pos = 0;
    int line = 0, rc = 0, max_year = 0;
    zf_cal_schedule *s = NULL;
    char *name = NULL;

    *out = NULL;
    while (pos < len) {
        const char *p = text + pos, *eol = memchr(p, '\n', len - pos);
        size_t ll = eol ? (size_t)(eol - p) : len - pos;
        const char *t1, *t2;
        size_t kl;
        tsv_row r;
        zf_err derr = ZF_ERR_INIT;

        pos += ll + (eol ? 1 : 0);
        line++;
        if (ll && p[ll - 1] == '\r')
            ll--;
        if (ll == 0 || p[0] == '#' || (line == 1 && ll >= 4 && memcmp(p, "date", 4) == 0))
            continue;
        t1 = memchr(p, '\t', ll);
        if (!t1) {
            rc = zf_err_set(err, ZF_EINVAL, "invalid_tsv", "file",
                            "第 %d 行：应为“日期<TAB>off|work<TAB>名称”", line);
            goto done;
        }
        if ((rc = zf_date_parse(&r.date, p, (size_t)(t1 - p), "date", &derr)) < 0) {
            rc = zf_err_set(err, ZF_EINVAL, "invalid_date", "file", "第 %d 行：%s", line,
                            derr.message);
            goto done;
        }
        t1++;
        t2 = memchr(t1, '\t', ll - (size_t)(t1 - p));
        kl = t2 ? (size_t)(t2 - t1) : ll - (size_t)(t1 - p);
        if (kl == 3 && memcmp(t1, "off", 3) == 0)
            r.kind = ZF_DAY_OFF;
        else if (kl == 4 && memcmp(t1, "work", 4) == 0)
            r.kind = ZF_DAY_WORK;
        else {
            rc = zf_err_set(err, ZF_EINVAL, "invalid_tsv", "file",
                            "第 %d 行：类型应为 off（放假）或 work（调休上班）", line);
            goto done;
        }
        r.name = t2 ? t2 + 1 : "";
        r.name_len = t2 ? ll - (size_t)(t2 + 1 - p) : 0;
        if (memchr(r.name, '\t', r.name_len)) {
            rc = zf_err_set(err, ZF_EINVAL, "invalid_tsv", "file", "第 %d 行：多余的列", line);
            goto done;
        }
        if (zf_date_year(r.date) > max_year)
            max_year = zf_date_year(r.date);
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            rows = zf_realloc(rows, cap * sizeof *rows);
        }
        rows[n++] = r;
    }
    if (n == 0) {
        rc = zf_err_set(err, ZF_EINVAL, "invalid_tsv", "file", "文件中没有任何日期");
        goto done;
    }
    if ((rc = zf_cal_schedule_new(&s, year ? year : max_year, version, err)) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        name = zf_strndup(rows[i].name, rows[i].name_len);
        if ((rc = zf_cal_schedule_add_day(s, rows[i].date, rows[i].kind, name, err)) < 0)
            goto done;
        free(name);
        name = NULL;
    }
    *out = s;
    s = NULL;
done:
    free(name);
    free(rows);
    zf_cal_schedule_free(s);
    return rc;
}

static zf_cal_schedule *schedule_clone(const zf_cal_schedule *s)
{
    zf_cal_schedule *c = zf_calloc(1, sizeof *c);

    c->year = s->year;
    c->version = zf_strdup(s->version);
    c->n_sources = s->n_sources;
    c->sources = zf_calloc(s->n_sources ? s->n_sources : 1, sizeof *c->sources);
    for (size_t i = 0; i < s->n_sources; i++) {
        c->sources[i].title = zf_strdup(s->sources[i].title);
        c->sources[i].doc_no = zf_strdup(s->sources[i].doc_no ? s->sources[i].doc_no : "");
        c->sources[i].url = zf_strdup(s->sources[i].url ? s->sources[i].url : "");
    }
    c->n_days = s->n_days;
    c->days = zf_calloc(s->n_days ? s->n_days : 1, sizeof *c->days);
    for (size_t i = 0; i < s->n_days; i++) {
        c->days[i].date = s->days[i].date;
        c->days[i].kind = s->days[i].kind;
        c->days[i].name = zf_strdup(s->days[i].name ? s->days[i].name : "");
    }
    return c;
}

static bool streq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool schedule_equal(const zf_cal_schedule *a, const zf_cal_schedule *b)
{
    if (a->year != b->year || !streq(a->version, b->version) || a->n_sources != b->n_sources ||
        a->n_days != b->n_days)
        return false;
    for (size_t i = 0; i < a->n_sources; i++)
        if (!streq(a->sources[i].title, b->sources[i].title) ||
            !streq(a->sources[i].doc_no, b->sources[i].doc_no) ||
            !streq(a->sources[i].url, b->sources[i].url))
            return false;
    for (size_t i = 0; i < a->n_days; i++)
        if (a->days[i].date != b->days[i].date || a->days[i].kind != b->days[i].kind ||
            !streq(a->days[i].name, b->days[i].name))
            return false;
    return true;
}

/* The fields are public, so a schedule handed to set_year is checked again
 * rather than trusted to have been built with the functions above. */
static int schedule_check(const zf_cal_schedule *s, zf_err *err)
{
    char buf[ZF_DATE_STRLEN];

    if (!year_ok(s->year))
        return zf_err_set(err, ZF_EINVAL, "year_out_of_range", "year",
                          "年份 %d 超出日历支持范围（%d–%d）", s->year, ZF_CAL_MIN_YEAR,
                          ZF_CAL_MAX_YEAR);
    if (!s->version || !s->version[0])
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "version", "日程版本不能为空");
    for (size_t i = 0; i < s->n_sources; i++)
        if (!s->sources[i].title || !s->sources[i].title[0])
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "title", "通知标题不能为空");
    for (size_t i = 0; i < s->n_days; i++) {
        const zf_cal_day *d = &s->days[i];
        if (d->kind != ZF_DAY_OFF && d->kind != ZF_DAY_WORK)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "kind",
                              "日期类型应为 off（放假）或 work（调休上班）");
        if (d->date < year_first(s->year) || d->date > year_last(s->year))
            return zf_err_set(err, ZF_EINVAL, "date_out_of_range", "date",
                              "%s 不属于 %d 年的节假日安排", zf_date_format(buf, d->date),
                              s->year);
        if (i > 0 && d->date <= s->days[i - 1].date)
            return zf_err_set(err, ZF_EINVAL, "duplicate_date", "date",
                              "日期 %s 重复或未按顺序排列", zf_date_format(buf, d->date));
    }
    return 0;
}

/* ---- the calendar and its index ---------------------------------------- */

typedef struct special {
    zf_date date;
    const char *name; /* borrowed from the owning schedule */
} special;

struct zf_calendar {
    zf_cal_schedule *years[NYEARS];
    uint8_t kind[NDAYS];        /* effective zf_day_kind of each index day */
    int32_t prefix[NDAYS + 1];  /* working days among index days [0, i) */
    int32_t nth[NDAYS];         /* index of the (k+1)th working day, k < n_work */
    int32_t n_work;
    special *specials;          /* effective special days, sorted by date */
    size_t n_specials;
};

zf_calendar *zf_calendar_new(void)
{
    zf_calendar *cal = zf_calloc(1, sizeof *cal);
    int32_t k = 0;

    for (int32_t i = 0; i < NDAYS; i++) {
        cal->prefix[i] = k;
        if (zf_date_weekday(ZF_CAL_FIRST_DATE + i) <= 5)
            cal->nth[k++] = i;
    }
    cal->prefix[NDAYS] = k;
    cal->n_work = k;
    return cal;
}

void zf_calendar_free(zf_calendar *cal)
{
    if (!cal)
        return;
    for (int i = 0; i < NYEARS; i++)
        zf_cal_schedule_free(cal->years[i]);
    free(cal->specials);
    free(cal);
}

/* Recomputes kinds, names and the index from the loaded years. Years are
 * applied in ascending order so that a later notice wins a shared date. */
static void rebuild(zf_calendar *cal)
{
    size_t total = 0;
    int32_t k = 0;

    memset(cal->kind, 0, sizeof cal->kind);
    for (int i = 0; i < NYEARS; i++)
        if (cal->years[i])
            total += cal->years[i]->n_days;
    free(cal->specials);
    cal->specials = zf_calloc(total ? total : 1, sizeof *cal->specials);
    cal->n_specials = 0;
    for (int i = 0; i < NYEARS; i++) {
        const zf_cal_schedule *s = cal->years[i];
        for (size_t j = 0; s && j < s->n_days; j++) {
            int32_t idx = s->days[j].date - ZF_CAL_FIRST_DATE;
            cal->kind[idx] = (uint8_t)s->days[j].kind;
        }
    }
    /* Names: walk years again, keeping per date the entry of the latest year.
     * Each year's days are sorted and a year only overlaps the December of the
     * year before, so a merge by date over consecutive years is enough; a
     * simple insertion keeps it obviously right at ~300 entries. */
    for (int i = 0; i < NYEARS; i++) {
        const zf_cal_schedule *s = cal->years[i];
        for (size_t j = 0; s && j < s->n_days; j++) {
            zf_date d = s->days[j].date;
            size_t pos = cal->n_specials;
            while (pos > 0 && cal->specials[pos - 1].date > d)
                pos--;
            if (pos > 0 && cal->specials[pos - 1].date == d) {
                cal->specials[pos - 1].name = s->days[j].name;
                continue;
            }
            memmove(&cal->specials[pos + 1], &cal->specials[pos],
                    (cal->n_specials - pos) * sizeof *cal->specials);
            cal->specials[pos].date = d;
            cal->specials[pos].name = s->days[j].name;
            cal->n_specials++;
        }
    }
    for (int32_t i = 0; i < NDAYS; i++) {
        bool work = cal->kind[i] == ZF_DAY_WORK ||
                    (cal->kind[i] == ZF_DAY_NORMAL && zf_date_weekday(ZF_CAL_FIRST_DATE + i) <= 5);
        cal->prefix[i] = k;
        if (work)
            cal->nth[k++] = i;
    }
    cal->prefix[NDAYS] = k;
    cal->n_work = k;
}

static bool idx_work(const zf_calendar *cal, int32_t i)
{
    return cal->prefix[i + 1] != cal->prefix[i];
}

/* Replaces years[slot] by repl (owned, may be NULL) and reports the change. */
static void swap_year(zf_calendar *cal, int slot, zf_cal_schedule *repl, zf_cal_change *ch)
{
    uint8_t *old = zf_malloc((size_t)NDAYS);

    for (int32_t i = 0; i < NDAYS; i++)
        old[i] = idx_work(cal, i);
    zf_cal_schedule_free(cal->years[slot]);
    cal->years[slot] = repl;
    rebuild(cal);
    ch->changed = true;
    ch->workdays_changed = false;
    ch->first = ch->last = ZF_DATE_NONE;
    for (int32_t i = 0; i < NDAYS; i++) {
        if (old[i] == idx_work(cal, i))
            continue;
        if (!ch->workdays_changed)
            ch->first = ZF_CAL_FIRST_DATE + i;
        ch->last = ZF_CAL_FIRST_DATE + i;
        ch->workdays_changed = true;
    }
    free(old);
}

int zf_calendar_set_year(zf_calendar *cal, const zf_cal_schedule *s, zf_cal_change *out_change,
                         zf_err *err)
{
    zf_cal_change ch = {false, false, ZF_DATE_NONE, ZF_DATE_NONE};
    int rc, slot;

    if ((rc = schedule_check(s, err)) < 0)
        return rc;
    slot = s->year - ZF_CAL_MIN_YEAR;
    if (!cal->years[slot] || !schedule_equal(cal->years[slot], s))
        swap_year(cal, slot, schedule_clone(s), &ch);
    if (out_change)
        *out_change = ch;
    return 0;
}

int zf_calendar_remove_year(zf_calendar *cal, int year, zf_cal_change *out_change, zf_err *err)
{
    zf_cal_change ch = {false, false, ZF_DATE_NONE, ZF_DATE_NONE};

    if (!zf_calendar_has_year(cal, year))
        return zf_err_set(err, ZF_ENOTFOUND, "not_found", "year", "未加载 %d 年的节假日安排",
                          year);
    swap_year(cal, year - ZF_CAL_MIN_YEAR, NULL, &ch);
    if (out_change)
        *out_change = ch;
    return 0;
}

bool zf_calendar_has_year(const zf_calendar *cal, int year)
{
    return year_ok(year) && cal->years[year - ZF_CAL_MIN_YEAR] != NULL;
}

const zf_cal_schedule *zf_calendar_schedule(const zf_calendar *cal, int year)
{
    return year_ok(year) ? cal->years[year - ZF_CAL_MIN_YEAR] : NULL;
}

size_t zf_calendar_years(const zf_calendar *cal, int *out, size_t cap)
{
    size_t n = 0;

    for (int i = 0; i < NYEARS; i++) {
        if (!cal->years[i])
            continue;
        if (n < cap)
            out[n] = ZF_CAL_MIN_YEAR + i;
        n++;
    }
    return n;
}

static bool in_index(zf_date d)
{
    return d >= ZF_CAL_FIRST_DATE && d <= ZF_CAL_LAST_DATE;
}

bool zf_calendar_is_workday(const zf_calendar *cal, zf_date date)
{
    if (!in_index(date))
        return zf_date_weekday(date) <= 5; /* no schedule can reach here */
    return idx_work(cal, date - ZF_CAL_FIRST_DATE);
}

zf_day_kind zf_calendar_day_kind(const zf_calendar *cal, zf_date date)
{
    return in_index(date) ? (zf_day_kind)cal->kind[date - ZF_CAL_FIRST_DATE] : ZF_DAY_NORMAL;
}

const char *zf_calendar_day_name(const zf_calendar *cal, zf_date date)
{
    size_t lo = 0, hi = cal->n_specials;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->specials[mid].date < date)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < cal->n_specials && cal->specials[lo].date == date ? cal->specials[lo].name : "";
}

static int out_of_range(zf_err *err, const char *field, zf_date d)
{
    char buf[ZF_DATE_STRLEN];

    return zf_err_set(err, ZF_EINVAL, "date_out_of_range", field,
                      "日期 %s 超出工作日计算范围（2000-01-01 至 2100-12-31）",
                      zf_date_format(buf, d));
}

int zf_calendar_add_workdays(zf_date *out, const zf_calendar *cal, zf_date date, long n,
                             zf_err *err)
{
    int64_t k;

    if (n < 0)
        return zf_err_set(err, ZF_EINVAL, "invalid_workdays", "n", "工作日数不能为负数");
    if (n > ZF_CAL_MAX_WORKDAYS)
        return zf_err_set(err, ZF_EINVAL, "invalid_workdays", "n", "工作日数不能超过 %d",
                          ZF_CAL_MAX_WORKDAYS);
    if (!in_index(date))
        return out_of_range(err, "from", date);
    if (n == 0) {
        *out = date;
        return 0;
    }
    /* Working days up to and including date, plus n, is the ordinal of the
     * working day sought. */
    k = (int64_t)cal->prefix[date - ZF_CAL_FIRST_DATE + 1] + n;
    if (k > cal->n_work)
        return zf_err_set(err, ZF_EINVAL, "date_out_of_range", "n",
                          "结果超出工作日计算范围（2000-01-01 至 2100-12-31）");
    *out = ZF_CAL_FIRST_DATE + cal->nth[k - 1];
    return 0;
}

int zf_calendar_workdays_between(int *out, const zf_calendar *cal, zf_date from, zf_date to,
                                 zf_err *err)
{
    if (!in_index(from))
        return out_of_range(err, "from", from);
    if (!in_index(to))
        return out_of_range(err, "to", to);
    *out = cal->prefix[to - ZF_CAL_FIRST_DATE + 1] - cal->prefix[from - ZF_CAL_FIRST_DATE + 1];
    return 0;
}

int zf_calendar_missing_year(const zf_calendar *cal, zf_date today)
{
    int y, m;

    zf_date_to_ymd(today, &y, &m, NULL);
    if (!zf_calendar_has_year(cal, y))
        return y;
    if (m == 12 && !zf_calendar_has_year(cal, y + 1))
        return y + 1;
    return 0;
}

bool zf_calendar_missing_next_year_warning(const zf_calendar *cal, zf_date today)
{
    return zf_calendar_missing_year(cal, today) != 0;
}

char *zf_calendar_version_span(char *out, size_t cap, const zf_calendar *cal, zf_date from,
                               zf_date to)
{
    int y0, y1, m1;
    size_t len = 0;

    if (cap == 0)
        return out;
    out[0] = '\0';
    if (to < from) {
        zf_date t = from;
        from = to;
        to = t;
    }
    y0 = zf_date_year(from);
    zf_date_to_ymd(to, &y1, &m1, NULL);
    if (m1 == 12)
        y1++; /* the next year's notice may list December dates */
    for (int y = y0; y <= y1 && len + 1 < cap; y++) {
        const zf_cal_schedule *s = zf_calendar_schedule(cal, y);
        int w = snprintf(out + len, cap - len, "%s%d:%s", y == y0 ? "" : ";", y,
                         s ? s->version : "-");
        if (w < 0)
            break;
        len += (size_t)w;
    }
    return out;
}
