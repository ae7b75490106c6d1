/* test_calendar.c — dates, the shipped holiday schedules, working-day arithmetic,
 * run-time replacement of a year, and a comparison with the reference data
 * (../shared/reference/holidays/cn-days.tsv) when it is present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "util/err.h"

static zf_calendar *cal; /* the shipped calendar, built once */

static int setup(void **state)
{
    zf_err err = ZF_ERR_INIT;

    (void)state;
    return zf_calendar_new_builtin(&cal, &err) == 0 ? 0 : -1;
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

static const char *F(zf_date d)
{
    static char buf[8][ZF_DATE_STRLEN];
    static int i;

    i = (i + 1) % 8;
    return zf_date_format(buf[i], d);
}

/* The slow, obviously right definition that the index must agree with. */
static bool naive_workday(const zf_calendar *c, zf_date d)
{
    zf_day_kind k = zf_calendar_day_kind(c, d);

    if (k == ZF_DAY_OFF)
        return false;
    if (k == ZF_DAY_WORK)
        return true;
    return zf_date_weekday(d) <= 5;
}

static zf_date naive_add(const zf_calendar *c, zf_date d, int n)
{
    while (n > 0) {
        d++;
        if (naive_workday(c, d))
            n--;
    }
    return d;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* ---- dates ---- */

static void test_parse_good(void **state)
{
    zf_date d;
    int y, m, dd;

    (void)state;
    assert_int_equal(zf_date_parse(&d, "2025-02-03", 10, "from", NULL), 0);
    zf_date_to_ymd(d, &y, &m, &dd);
    assert_int_equal(y, 2025);
    assert_int_equal(m, 2);
    assert_int_equal(dd, 3);
    assert_int_equal(d, ZF_YMD(2025, 2, 3));
    assert_int_equal(P("1970-01-01"), 0);
    assert_int_equal(P("1970-01-02"), 1);
    assert_int_equal(P("1969-12-31"), -1);
    assert_int_equal(P("2020-02-29"), ZF_YMD(2020, 2, 29));
    assert_int_equal(P("2024-02-29") + 1, P("2024-03-01"));
    assert_int_equal(P("2000-02-29") + 1, P("2000-03-01"));
    assert_int_equal(P("2023-02-28") + 1, P("2023-03-01"));
    /* Not NUL-terminated: only len bytes are read. */
    assert_int_equal(zf_date_parse(&d, "2024-10-01XYZ", 10, NULL, NULL), 0);
    assert_int_equal(d, P("2024-10-01"));
}

static void test_parse_bad(void **state)
{
    static const char *bad[] = {"",           "2025-2-3",    "2025-02-30", "2023-02-29",
                                "1900-02-29", "2025-02-03 ", " 2025-02-03", "2025-02-03x",
                                "20250203",   "2025/02/03",  "2025-13-01", "2025-00-10",
                                "2025-01-00", "0000-01-01",  "2025-1-03",  "2025-01-3",
                                "+025-01-03", "2025-04-31",  "２０２５-01-01", "2025-02-3a"};
    zf_err err = ZF_ERR_INIT;
    zf_date d = 12345;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zf_err_clear(&err);
        assert_int_equal(zf_date_parse(&d, bad[i], strlen(bad[i]), "from", &err), ZF_EINVAL);
        assert_string_equal(err.code, "invalid_date");
        assert_string_equal(err.field, "from");
        assert_non_null(strstr(err.message, "日期"));
        assert_int_equal(d, 12345); /* untouched */
    }
    assert_int_equal(zf_date_parse(&d, NULL, 0, NULL, &err), ZF_EINVAL);
    assert_string_equal(err.message, "日期不能为空");
    zf_date_parse(&d, "2025-02-30", 10, NULL, &err);
    assert_non_null(strstr(err.message, "2025年2月只有28天"));
    zf_date_parse(&d, "2025-2-3", 8, NULL, &err);
    assert_non_null(strstr(err.message, "YYYY-MM-DD"));
    assert_int_equal(zf_date_from_ymd(&d, 2025, 2, 29, &err), ZF_EINVAL);
    assert_int_equal(zf_date_from_ymd(&d, 2024, 2, 29, &err), 0);
    assert_int_equal(d, P("2024-02-29"));
}

static void test_format_roundtrip(void **state)
{
    char buf[ZF_DATE_STRLEN];
    zf_date d;
    int y, m, dd, wd = zf_date_weekday(P("1900-01-01"));

    (void)state;
    assert_int_equal(wd, 1); /* 1900-01-01 was a Monday */
    for (zf_date x = P("1900-01-01"); x <= P("2200-12-31"); x++) {
        zf_date_format(buf, x);
        assert_int_equal(strlen(buf), 10);
        assert_int_equal(zf_date_parse(&d, buf, 10, NULL, NULL), 0);
        assert_int_equal(d, x);
        zf_date_to_ymd(x, &y, &m, &dd);
        assert_int_equal(ZF_YMD(y, m, dd), x);
        assert_int_equal(zf_date_weekday(x), wd);
        wd = wd % 7 + 1;
    }
    assert_int_equal(zf_date_weekday(P("2024-09-27")), 5);
    assert_int_equal(zf_date_weekday(P("2000-01-01")), 6);
    assert_int_equal(zf_date_weekday(P("2026-01-04")), 7);
    assert_string_equal(zf_date_format(buf, P("2019-10-01")), "2019-10-01");
    assert_int_equal(zf_date_year(P("2018-12-31")), 2018);
}

/* ---- the shipped schedules ---- */

static void test_builtin_years(void **state)
{
    int ys[16];
    const zf_cal_schedule *s;

    (void)state;
    assert_int_equal(zf_holidays_builtin_years(ys, 16), 8);
    for (int i = 0; i < 8; i++)
        assert_int_equal(ys[i], 2019 + i);
    assert_int_equal(zf_calendar_years(cal, ys, 16), 8);
    for (int y = 2019; y <= 2026; y++)
        assert_true(zf_calendar_has_year(cal, y));
    assert_false(zf_calendar_has_year(cal, 2018));
    assert_false(zf_calendar_has_year(cal, 2027));
    assert_false(zf_calendar_has_year(cal, 1999));

    s = zf_calendar_schedule(cal, 2019);
    assert_non_null(s);
    assert_int_equal(s->n_sources, 2); /* the second notice changed Labour Day */
    assert_string_equal(s->sources[0].doc_no, "国办发明电〔2018〕15号");
    assert_non_null(strstr(s->sources[1].title, "劳动节"));
    s = zf_calendar_schedule(cal, 2020);
    assert_int_equal(s->n_sources, 2); /* the Spring Festival extension */
    assert_string_equal(s->sources[1].doc_no, "国办发明电〔2020〕1号");
    assert_string_equal(s->version, "2020.2");
    for (int y = 2019; y <= 2026; y++) {
        s = zf_calendar_schedule(cal, y);
        assert_int_equal(s->year, y);
        assert_true(s->n_sources >= 1);
        assert_non_null(strstr(s->sources[0].title, "部分节假日安排的通知"));
        /* each notice has 20–40 special days, sorted and unique */
        assert_in_range(s->n_days, 20, 40);
        for (size_t i = 1; i < s->n_days; i++)
            assert_true(s->days[i - 1].date < s->days[i].date);
    }
    assert_null(zf_calendar_schedule(cal, 2027));
}

/* "date W|R name": the working-day status and name of each date. */
static const char *expect[] = {
    /* 2019: December dates of the 2019 notice, Labour Day as changed */
    "2018-12-28 W", "2018-12-29 W 元旦", "2018-12-30 R 元旦", "2018-12-31 R 元旦",
    "2019-01-01 R 元旦", "2019-01-02 W", "2019-02-02 W 春节", "2019-02-03 W 春节",
    "2019-02-04 R 春节", "2019-02-10 R 春节", "2019-02-11 W", "2019-04-05 R 清明节",
    "2019-04-28 W 劳动节", "2019-05-01 R 劳动节", "2019-05-04 R 劳动节", "2019-05-05 W 劳动节",
    "2019-06-07 R 端午节", "2019-09-13 R 中秋节", "2019-09-29 W 国庆节", "2019-10-07 R 国庆节",
    "2019-10-08 W", "2019-10-12 W 国庆节",
    /* 2020: Spring Festival as extended; 2月1日 no longer a working day */
    "2020-01-01 R 元旦", "2020-01-19 W 春节", "2020-01-24 R 春节", "2020-01-31 R 春节",
    "2020-02-01 R 春节", "2020-02-02 R 春节", "2020-02-03 W", "2020-02-29 R",
    "2020-04-06 R 清明节", "2020-04-26 W 劳动节", "2020-05-05 R 劳动节", "2020-05-09 W 劳动节",
    "2020-06-25 R 端午节", "2020-06-28 W 端午节", "2020-09-27 W 国庆节、中秋节",
    "2020-10-08 R 国庆节、中秋节", "2020-10-09 W", "2020-10-10 W 国庆节、中秋节",
    /* 2021 */
    "2021-01-01 R 元旦", "2021-01-04 W", "2021-02-07 W 春节", "2021-02-11 R 春节",
    "2021-02-17 R 春节", "2021-02-18 W", "2021-02-20 W 春节", "2021-04-05 R 清明节",
    "2021-04-25 W 劳动节", "2021-05-05 R 劳动节", "2021-05-08 W 劳动节", "2021-06-14 R 端午节",
    "2021-09-18 W 中秋节", "2021-09-21 R 中秋节", "2021-09-26 W 国庆节", "2021-10-07 R 国庆节",
    "2021-10-09 W 国庆节",
    /* 2022 */
    "2022-01-03 R 元旦", "2022-01-29 W 春节", "2022-01-30 W 春节", "2022-01-31 R 春节",
    "2022-02-06 R 春节", "2022-02-07 W", "2022-04-02 W 清明节", "2022-04-05 R 清明节",
    "2022-04-24 W 劳动节", "2022-04-30 R 劳动节", "2022-05-04 R 劳动节", "2022-05-07 W 劳动节",
    "2022-06-03 R 端午节", "2022-09-12 R 中秋节", "2022-10-07 R 国庆节", "2022-10-08 W 国庆节",
    "2022-10-09 W 国庆节",
    /* 2023: 2022-12-31 belongs to the 2023 notice */
    "2022-12-30 W", "2022-12-31 R 元旦", "2023-01-02 R 元旦", "2023-01-03 W",
    "2023-01-21 R 春节", "2023-01-27 R 春节", "2023-01-28 W 春节", "2023-01-29 W 春节",
    "2023-04-05 R 清明节", "2023-04-23 W 劳动节", "2023-05-03 R 劳动节", "2023-05-06 W 劳动节",
    "2023-06-22 R 端午节", "2023-06-25 W 端午节", "2023-09-29 R 中秋节、国庆节",
    "2023-10-06 R 中秋节、国庆节", "2023-10-07 W 中秋节、国庆节", "2023-10-08 W 中秋节、国庆节",
    /* 2024 (leap year) */
    "2024-01-01 R 元旦", "2024-02-04 W 春节", "2024-02-10 R 春节", "2024-02-17 R 春节",
    "2024-02-18 W 春节", "2024-02-29 W", "2024-04-04 R 清明节", "2024-04-07 W 清明节",
    "2024-04-28 W 劳动节", "2024-05-05 R 劳动节", "2024-05-11 W 劳动节", "2024-06-10 R 端午节",
    "2024-09-14 W 中秋节", "2024-09-17 R 中秋节", "2024-09-29 W 国庆节", "2024-10-01 R 国庆节",
    "2024-10-07 R 国庆节", "2024-10-12 W 国庆节", "2024-12-31 W",
    /* 2025 */
    "2025-01-01 R 元旦", "2025-01-26 W 春节", "2025-01-27 W", "2025-01-28 R 春节",
    "2025-02-04 R 春节", "2025-02-08 W 春节", "2025-04-04 R 清明节", "2025-04-27 W 劳动节",
    "2025-05-05 R 劳动节", "2025-05-31 R 端午节", "2025-06-02 R 端午节",
    "2025-09-28 W 国庆节、中秋节", "2025-10-08 R 国庆节、中秋节", "2025-10-11 W 国庆节、中秋节",
    "2025-12-31 W",
    /* 2026 */
    "2026-01-01 R 元旦", "2026-01-03 R 元旦", "2026-01-04 W 元旦", "2026-02-14 W 春节",
    "2026-02-15 R 春节", "2026-02-23 R 春节", "2026-02-24 W", "2026-02-28 W 春节",
    "2026-04-06 R 清明节", "2026-05-05 R 劳动节", "2026-05-09 W 劳动节", "2026-06-19 R 端午节",
    "2026-09-20 W 国庆节", "2026-09-25 R 中秋节", "2026-10-07 R 国庆节", "2026-10-10 W 国庆节",
    /* unloaded years: Monday–Friday */
    "2027-01-01 W", "2027-01-02 R", "2018-10-01 W", "2018-12-01 R",
};

static void test_shipped_days(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        const char *e = expect[i];
        zf_date d = P((char[11]){e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8], e[9], 0});
        bool work = e[11] == 'W';
        const char *name = strlen(e) > 13 ? e + 13 : "";

        if (zf_calendar_is_workday(cal, d) != work)
            fail_msg("%s: expected %s", e, work ? "working day" : "rest day");
        if (strcmp(zf_calendar_day_name(cal, d), name) != 0)
            fail_msg("%s: name is \"%s\"", e, zf_calendar_day_name(cal, d));
    }
}

/* Whole blocks, checked a second way: each notice moves every statutory
 * holiday (全国年节及纪念日放假办法: 11 days until 2024, 13 from 2025) onto
 * weekdays and pays every extra weekday off back with a working weekend day, so
 * weekday days off = statutory days + working weekend days. 2020 adds the two
 * weekdays of the extension (1月31日 and the lapsed 2月1日 working Saturday). */
static void test_year_totals(void **state)
{
    static const struct { int year, statutory, work_weekends; } t[] = {
        {2019, 11, 7}, {2020, 13, 6}, {2021, 11, 7}, {2022, 11, 7},
        {2023, 11, 7}, {2024, 11, 8}, {2025, 13, 5}, {2026, 13, 6},
    };

    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const zf_cal_schedule *s = zf_calendar_schedule(cal, t[i].year);
        int offw = 0, workw = 0;
        for (size_t j = 0; j < s->n_days; j++) {
            bool weekend = zf_date_weekday(s->days[j].date) >= 6;
            if (s->days[j].kind == ZF_DAY_OFF && !weekend)
                offw++;
            if (s->days[j].kind == ZF_DAY_WORK && weekend)
                workw++;
            /* the shipped data lists no working day that changes nothing */
            if (s->days[j].kind == ZF_DAY_WORK)
                assert_false(zf_cal_day_is_redundant(&s->days[j]));
        }
        if (offw != t[i].statutory + t[i].work_weekends || workw != t[i].work_weekends)
            fail_msg("%d: %d weekday days off, %d working weekend days", t[i].year, offw, workw);
    }
}

static void test_december_of_next_notice(void **state)
{
    zf_calendar *c = zf_calendar_new();
    zf_err err = ZF_ERR_INIT;
    const zf_cal_schedule *s;
    bool found = false;

    (void)state;
    /* 2022-12-31 is in the 2023 notice, not in the 2022 one */
    s = zf_calendar_schedule(cal, 2022);
    for (size_t i = 0; i < s->n_days; i++)
        assert_true(s->days[i].date != P("2022-12-31"));
    s = zf_calendar_schedule(cal, 2023);
    for (size_t i = 0; i < s->n_days; i++)
        found |= s->days[i].date == P("2022-12-31");
    assert_true(found);
    assert_int_equal(zf_calendar_day_kind(cal, P("2022-12-31")), ZF_DAY_OFF);
    assert_int_equal(zf_calendar_day_kind(cal, P("2018-12-29")), ZF_DAY_WORK);

    /* Only 2018's neighbour 2019 loaded: its December days still apply. */
    assert_false(zf_calendar_is_workday(c, P("2018-12-29")));
    assert_int_equal(zf_calendar_set_year(c, zf_calendar_schedule(cal, 2019), NULL, &err), 0);
    assert_true(zf_calendar_is_workday(c, P("2018-12-29")));
    assert_false(zf_calendar_is_workday(c, P("2018-12-31")));
    assert_string_equal(zf_calendar_day_name(c, P("2018-12-31")), "元旦");
    zf_calendar_free(c);
}

/* ---- arithmetic ---- */

static zf_date add(const zf_calendar *c, const char *d, long n)
{
    zf_date out = 0;
    zf_err err = ZF_ERR_INIT;

    if (zf_calendar_add_workdays(&out, c, P(d), n, &err) != 0)
        fail_msg("add_workdays(%s, %ld): %s", d, n, err.message);
    return out;
}

static void test_add_workdays_cases(void **state)
{
    (void)state;
    /* N = 0 is the date itself, even on a holiday */
    assert_int_equal(add(cal, "2024-10-01", 0), P("2024-10-01"));
    assert_int_equal(add(cal, "2024-10-08", 0), P("2024-10-08"));
    /* a penalty decided on Friday 2024-09-27, published within 7 working days:
     * 9/29 (Sunday, 调休) 9/30, then 10/8–10/11 and Saturday 10/12 (调休) */
    assert_int_equal(add(cal, "2024-09-27", 1), P("2024-09-29"));
    assert_int_equal(add(cal, "2024-09-27", 2), P("2024-09-30"));
    assert_int_equal(add(cal, "2024-09-27", 3), P("2024-10-08"));
    assert_int_equal(add(cal, "2024-09-27", 7), P("2024-10-12"));
    assert_int_equal(add(cal, "2024-09-27", 8), P("2024-10-14"));
    /* started on a holiday */
    assert_int_equal(add(cal, "2024-10-03", 1), P("2024-10-08"));
    /* year ends */
    assert_int_equal(add(cal, "2024-12-31", 1), P("2025-01-02"));
    assert_int_equal(add(cal, "2018-12-28", 1), P("2018-12-29"));
    assert_int_equal(add(cal, "2018-12-29", 1), P("2019-01-02"));
    assert_int_equal(add(cal, "2022-12-30", 1), P("2023-01-03"));
    assert_int_equal(add(cal, "2025-12-31", 1), P("2026-01-04"));
    assert_int_equal(add(cal, "2026-12-31", 1), P("2027-01-01")); /* unloaded: Mon–Fri */
    assert_int_equal(add(cal, "2025-12-24", 5), P("2025-12-31"));
    /* leap days */
    assert_int_equal(add(cal, "2024-02-28", 1), P("2024-02-29"));
    assert_int_equal(add(cal, "2020-02-28", 1), P("2020-03-02"));
    assert_int_equal(add(cal, "2023-02-28", 1), P("2023-03-01"));
    /* the 2020 extension: 1/23 → 1/24–2/2 off → 2/3 */
    assert_int_equal(add(cal, "2020-01-23", 1), P("2020-02-03"));
    /* 20 working days over New Year: spot-check results ending 2024-12-20 */
    assert_int_equal(add(cal, "2024-12-20", 20), P("2025-01-20"));
    /* whole Spring Festival 2026 (9 days) */
    assert_int_equal(add(cal, "2026-02-13", 1), P("2026-02-14"));
    assert_int_equal(add(cal, "2026-02-14", 1), P("2026-02-24"));
}

static void test_workdays_between(void **state)
{
    int n;

    (void)state;
    assert_int_equal(zf_calendar_workdays_between(&n, cal, P("2024-09-30"), P("2024-10-08"), NULL),
                     0);
    assert_int_equal(n, 1);
    zf_calendar_workdays_between(&n, cal, P("2024-10-08"), P("2024-09-30"), NULL);
    assert_int_equal(n, -1);
    zf_calendar_workdays_between(&n, cal, P("2024-10-01"), P("2024-10-01"), NULL);
    assert_int_equal(n, 0);
    zf_calendar_workdays_between(&n, cal, P("2024-09-27"), P("2024-10-12"), NULL);
    assert_int_equal(n, 7);
    /* 2024 has 366 days; working days per the 2024 notice: 251 */
    zf_calendar_workdays_between(&n, cal, P("2023-12-31"), P("2024-12-31"), NULL);
    assert_int_equal(n, 251);
    zf_calendar_workdays_between(&n, cal, P("2024-12-31"), P("2025-12-31"), NULL);
    assert_int_equal(n, 248);
}

/* Property: over random dates 2019–2026, add_workdays agrees with a day-by-day
 * walk, strictly increases with n, lands on a working day for n >= 1, and
 * workdays_between inverts it. */
static void test_property_random(void **state)
{
    zf_date lo = P("2019-01-01"), hi = P("2026-12-31");

    (void)state;
    for (int i = 0; i < 3000; i++) {
        zf_date d = lo + (zf_date)(rnd() % (uint32_t)(hi - lo + 1)), prev = d, e;
        int maxn = 1 + (int)(rnd() % 80), between;

        for (int n = 0; n <= maxn; n++) {
            assert_int_equal(zf_calendar_add_workdays(&e, cal, d, n, NULL), 0);
            if (n == 0) {
                assert_int_equal(e, d);
                continue;
            }
            if (!(e > prev))
                fail_msg("add(%s,%d)=%s not after %s", F(d), n, F(e), F(prev));
            assert_true(zf_calendar_is_workday(cal, e));
            assert_true(naive_workday(cal, e));
            assert_int_equal(e, naive_add(cal, d, n));
            assert_int_equal(zf_calendar_workdays_between(&between, cal, d, e, NULL), 0);
            assert_int_equal(between, n);
            /* nothing between prev and e is a working day */
            for (zf_date x = prev + 1; x < e; x++)
                assert_false(zf_calendar_is_workday(cal, x));
            prev = e;
        }
    }
    /* the index agrees with the definition on every day it covers */
    for (zf_date x = ZF_CAL_FIRST_DATE; x <= ZF_CAL_LAST_DATE; x++)
        if (zf_calendar_is_workday(cal, x) != naive_workday(cal, x))
            fail_msg("index disagrees on %s", F(x));
}

static void test_bad_arguments(void **state)
{
    zf_err err = ZF_ERR_INIT;
    zf_date out = 777;
    int n;

    (void)state;
    assert_int_equal(zf_calendar_add_workdays(&out, cal, P("2024-01-02"), -1, &err), ZF_EINVAL);
    assert_string_equal(err.code, "invalid_workdays");
    assert_string_equal(err.field, "n");
    assert_non_null(strstr(err.message, "负数"));
    assert_int_equal(zf_calendar_add_workdays(&out, cal, P("2024-01-02"), ZF_CAL_MAX_WORKDAYS + 1,
                                              &err),
                     ZF_EINVAL);
    assert_string_equal(err.code, "invalid_workdays");
    assert_int_equal(zf_calendar_add_workdays(&out, cal, P("2024-01-02"), 1000000000L, &err),
                     ZF_EINVAL);
    assert_int_equal(out, 777);
    assert_int_equal(zf_calendar_add_workdays(&out, cal, P("2024-01-02"), ZF_CAL_MAX_WORKDAYS,
                                              &err),
                     0);
    assert_true(out > P("2037-01-01"));
    assert_int_equal(zf_calendar_add_workdays(&out, cal, P("1999-12-31"), 1, &err), ZF_EINVAL);
    assert_string_equal(err.code, "date_out_of_range");
    assert_int_equal(zf_calendar_add_workdays(&out, cal, P("2100-12-30"), 5, &err), ZF_EINVAL);
    assert_string_equal(err.code, "date_out_of_range");
    assert_int_equal(zf_calendar_workdays_between(&n, cal, P("2024-01-01"), P("2101-01-01"), &err),
                     ZF_EINVAL);
    assert_string_equal(err.field, "to");
}

/* ---- schedules at run time ---- */

static const char tsv2027[] =
    "date\tkind\tname\n"
    "# a made-up 2027 for the test\r\n"
    "2026-12-31\toff\t元旦\n"
    "2027-01-01\toff\t元旦\n"
    "2027-01-04\toff\t元旦\r\n"
    "\n"
    "2027-01-09\twork\t元旦\n";

static void test_set_replace_remove_year(void **state)
{
    zf_calendar *c;
    zf_cal_schedule *s = NULL, *s2 = NULL;
    zf_cal_change ch;
    zf_err err = ZF_ERR_INIT;
    char v[128];

    (void)state;
    assert_int_equal(zf_calendar_new_builtin(&c, &err), 0);
    assert_true(zf_calendar_missing_next_year_warning(c, P("2026-12-01")));
    assert_int_equal(zf_cal_schedule_parse_tsv(&s, 0, "2027.1", tsv2027, strlen(tsv2027), &err),
                     0);
    assert_int_equal(s->year, 2027);
    assert_int_equal(s->n_days, 4);
    assert_int_equal(zf_cal_schedule_add_source(s, "测试通知", NULL, NULL, &err), 0);

    assert_int_equal(zf_calendar_set_year(c, s, &ch, &err), 0);
    assert_true(ch.changed);
    assert_true(ch.workdays_changed);
    assert_int_equal(ch.first, P("2026-12-31"));
    assert_int_equal(ch.last, P("2027-01-09"));
    assert_true(zf_calendar_has_year(c, 2027));
    assert_false(zf_calendar_missing_next_year_warning(c, P("2026-12-01")));
    assert_false(zf_calendar_is_workday(c, P("2026-12-31")));
    assert_string_equal(zf_calendar_day_name(c, P("2026-12-31")), "元旦");
    assert_true(zf_calendar_is_workday(c, P("2027-01-09")));
    assert_int_equal(add(c, "2026-12-30", 1), P("2027-01-05"));
    assert_string_equal(zf_calendar_version_span(v, sizeof v, c, P("2026-12-01"), P("2026-12-31")),
                        "2026:2026.1;2027:2027.1");

    /* idempotent: the same schedule again changes nothing */
    assert_int_equal(zf_calendar_set_year(c, s, &ch, &err), 0);
    assert_false(ch.changed);
    assert_false(ch.workdays_changed);

    /* a new version replaces the whole year */
    assert_int_equal(zf_cal_schedule_new(&s2, 2027, "2027.2", &err), 0);
    assert_int_equal(zf_cal_schedule_add_day(s2, P("2027-01-01"), ZF_DAY_OFF, "元旦", &err), 0);
    assert_int_equal(zf_calendar_set_year(c, s2, &ch, &err), 0);
    assert_true(ch.workdays_changed);
    assert_int_equal(ch.first, P("2026-12-31"));
    assert_int_equal(ch.last, P("2027-01-09"));
    assert_true(zf_calendar_is_workday(c, P("2026-12-31")));
    assert_false(zf_calendar_is_workday(c, P("2027-01-09")));
    assert_string_equal(zf_calendar_day_name(c, P("2026-12-31")), "");
    assert_string_equal(zf_calendar_schedule(c, 2027)->version, "2027.2");
    assert_int_equal(zf_calendar_schedule(c, 2027)->n_sources, 0);

    /* a change of version only is a change, but not of working days */
    free(s2->version);
    s2->version = strdup("2027.3");
    assert_int_equal(zf_calendar_set_year(c, s2, &ch, &err), 0);
    assert_true(ch.changed);
    assert_false(ch.workdays_changed);

    assert_int_equal(zf_calendar_remove_year(c, 2027, &ch, &err), 0);
    assert_true(ch.workdays_changed);
    assert_int_equal(ch.first, P("2027-01-01"));
    assert_false(zf_calendar_has_year(c, 2027));
    assert_int_equal(zf_calendar_remove_year(c, 2027, &ch, &err), ZF_ENOTFOUND);
    zf_cal_schedule_free(s);
    zf_cal_schedule_free(s2);
    zf_calendar_free(c);
}

/* Replacing 2020 with its first notice only brings back 1/31 and 2/1. */
static void test_replace_2020_first_notice(void **state)
{
    zf_calendar *c;
    zf_cal_schedule *s;
    zf_cal_change ch;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_calendar_new_builtin(&c, &err), 0);
    assert_int_equal(zf_cal_schedule_new(&s, 2020, "2020.1", &err), 0);
    assert_int_equal(zf_cal_schedule_add_day(s, P("2020-01-19"), ZF_DAY_WORK, "春节", &err), 0);
    assert_int_equal(
        zf_cal_schedule_add_range(s, P("2020-01-24"), P("2020-01-30"), ZF_DAY_OFF, "春节", &err), 0);
    assert_int_equal(zf_cal_schedule_add_day(s, P("2020-02-01"), ZF_DAY_WORK, "春节", &err), 0);
    assert_int_equal(zf_calendar_set_year(c, s, &ch, &err), 0);
    assert_true(ch.workdays_changed);
    assert_true(zf_calendar_is_workday(c, P("2020-01-31")));
    assert_true(zf_calendar_is_workday(c, P("2020-02-01")));
    assert_int_equal(add(c, "2020-01-23", 1), P("2020-01-31"));
    /* the rest of 2020 is now unlisted: 2020-10-01 is an ordinary Thursday */
    assert_true(zf_calendar_is_workday(c, P("2020-10-01")));
    assert_int_equal(zf_calendar_load_builtin(c, &err), 0);
    assert_false(zf_calendar_is_workday(c, P("2020-01-31")));
    assert_false(zf_calendar_is_workday(c, P("2020-10-01")));
    zf_cal_schedule_free(s);
    zf_calendar_free(c);
}

static void test_later_notice_wins(void **state)
{
    zf_calendar *c = zf_calendar_new();
    zf_cal_schedule *a, *b;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    zf_cal_schedule_new(&a, 2022, "x", &err);
    zf_cal_schedule_add_day(a, P("2022-12-31"), ZF_DAY_WORK, "旧", &err);
    zf_cal_schedule_new(&b, 2023, "y", &err);
    zf_cal_schedule_add_day(b, P("2022-12-31"), ZF_DAY_OFF, "元旦", &err);
    /* order of loading does not matter: the later year's notice wins */
    assert_int_equal(zf_calendar_set_year(c, b, NULL, &err), 0);
    assert_int_equal(zf_calendar_set_year(c, a, NULL, &err), 0);
    assert_false(zf_calendar_is_workday(c, P("2022-12-31")));
    assert_string_equal(zf_calendar_day_name(c, P("2022-12-31")), "元旦");
    zf_calendar_remove_year(c, 2023, NULL, &err);
    assert_true(zf_calendar_is_workday(c, P("2022-12-31")));
    assert_string_equal(zf_calendar_day_name(c, P("2022-12-31")), "旧");
    zf_cal_schedule_free(a);
    zf_cal_schedule_free(b);
    zf_calendar_free(c);
}

static void test_schedule_errors(void **state)
{
    zf_cal_schedule *s = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_calendar *c = zf_calendar_new();
    static const char *bad_tsv[] = {
        "2027-01-01\tholiday\t元旦\n",  "2027-1-1\toff\t元旦\n",  "2027-01-01 off 元旦\n",
        "2027-02-30\toff\tx\n",         "2027-01-01\toff\ta\tb\n", "",
        "2027-01-01\toff\ta\n2027-01-01\twork\tb\n",
    };

    (void)state;
    assert_int_equal(zf_cal_schedule_new(&s, 2000, "v", &err), ZF_EINVAL);
    assert_string_equal(err.code, "year_out_of_range");
    assert_int_equal(zf_cal_schedule_new(&s, 2101, "v", &err), ZF_EINVAL);
    assert_int_equal(zf_cal_schedule_new(&s, 2026, "", &err), ZF_EINVAL);
    assert_null(s);
    assert_int_equal(zf_cal_schedule_new(&s, 2026, "v", &err), 0);
    assert_int_equal(zf_cal_schedule_add_day(s, P("2025-11-30"), ZF_DAY_OFF, "x", &err), ZF_EINVAL);
    assert_string_equal(err.code, "date_out_of_range");
    assert_int_equal(zf_cal_schedule_add_day(s, P("2027-01-01"), ZF_DAY_OFF, "x", &err), ZF_EINVAL);
    assert_int_equal(zf_cal_schedule_add_day(s, P("2025-12-01"), ZF_DAY_OFF, "x", &err), 0);
    assert_int_equal(zf_cal_schedule_add_day(s, P("2025-12-01"), ZF_DAY_WORK, "x", &err),
                     ZF_EINVAL);
    assert_string_equal(err.code, "duplicate_date");
    assert_int_equal(zf_cal_schedule_add_day(s, P("2026-03-01"), (zf_day_kind)7, "x", &err),
                     ZF_EINVAL);
    assert_int_equal(zf_cal_schedule_add_source(s, "", NULL, NULL, &err), ZF_EINVAL);
    /* a hand-broken schedule is refused by set_year and the calendar kept */
    s->days[0].kind = (zf_day_kind)9;
    assert_int_equal(zf_calendar_set_year(c, s, NULL, &err), ZF_EINVAL);
    assert_false(zf_calendar_has_year(c, 2026));
    zf_cal_schedule_free(s);
    s = NULL;

    for (size_t i = 0; i < sizeof bad_tsv / sizeof bad_tsv[0]; i++) {
        zf_err_clear(&err);
        assert_int_equal(
            zf_cal_schedule_parse_tsv(&s, 0, "v", bad_tsv[i], strlen(bad_tsv[i]), &err), ZF_EINVAL);
        assert_null(s);
        assert_true(err.message[0] != '\0');
    }
    zf_cal_schedule_parse_tsv(&s, 0, "v", "date\n2027-1-1\toff\tx\n", 21, &err);
    assert_int_equal(zf_cal_schedule_parse_tsv(&s, 0, "v", "2027-1-1\toff\tx\n", 16, NULL),
                     ZF_EINVAL); /* no error context: still just a status */
    assert_non_null(strstr(err.message, "第 2 行"));
    /* year given explicitly: a date outside it is refused */
    assert_int_equal(zf_cal_schedule_parse_tsv(&s, 2026, "v", "2027-01-01\toff\tx", 17, &err),
                     ZF_EINVAL);
    zf_calendar_free(c);
}

static void test_redundant_days(void **state)
{
    zf_cal_day d = {0, ZF_DAY_OFF, (char *)"x"};

    (void)state;
    d.date = P("2019-02-09"); /* Saturday in a holiday block */
    assert_true(zf_cal_day_is_redundant(&d));
    d.date = P("2019-02-04");
    assert_false(zf_cal_day_is_redundant(&d));
    d.kind = ZF_DAY_WORK;
    d.date = P("2020-02-03"); /* listed as work by some sources, yet a Monday */
    assert_true(zf_cal_day_is_redundant(&d));
    d.date = P("2019-02-02");
    assert_false(zf_cal_day_is_redundant(&d));
}

static void test_missing_next_year(void **state)
{
    zf_calendar *empty = zf_calendar_new();

    (void)state;
    assert_false(zf_calendar_missing_next_year_warning(cal, P("2025-12-15")));
    assert_false(zf_calendar_missing_next_year_warning(cal, P("2026-11-30")));
    assert_true(zf_calendar_missing_next_year_warning(cal, P("2026-12-01")));
    assert_int_equal(zf_calendar_missing_year(cal, P("2026-12-01")), 2027);
    assert_int_equal(zf_calendar_missing_year(cal, P("2026-12-31")), 2027);
    assert_int_equal(zf_calendar_missing_year(cal, P("2027-03-01")), 2027);
    assert_int_equal(zf_calendar_missing_year(cal, P("2026-06-30")), 0);
    assert_int_equal(zf_calendar_missing_year(empty, P("2024-05-01")), 2024);
    zf_calendar_free(empty);
}

static void test_version_span(void **state)
{
    char v[128], small[8];

    (void)state;
    assert_string_equal(zf_calendar_version_span(v, sizeof v, cal, P("2024-09-27"), P("2024-10-12")),
                        "2024:2024.1");
    assert_string_equal(zf_calendar_version_span(v, sizeof v, cal, P("2024-12-10"), P("2024-12-20")),
                        "2024:2024.1;2025:2025.1");
    assert_string_equal(zf_calendar_version_span(v, sizeof v, cal, P("2019-06-01"), P("2020-03-01")),
                        "2019:2019.2;2020:2020.2");
    assert_string_equal(zf_calendar_version_span(v, sizeof v, cal, P("2026-12-01"), P("2027-02-01")),
                        "2026:2026.1;2027:-");
    zf_calendar_version_span(small, sizeof small, cal, P("2024-01-01"), P("2026-01-01"));
    assert_true(strlen(small) < sizeof small);
}

/* ---- the reference data ---- */

static FILE *open_reference(char *path, size_t cap)
{
    const char *env = getenv("ZF_REFERENCE_DIR");
    const char *dirs[] = {env, "../shared/reference", "/work/shared/reference"};

    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        FILE *f;
        if (!dirs[i] || !dirs[i][0])
            continue;
        snprintf(path, cap, "%s/holidays/cn-days.tsv", dirs[i]);
        if ((f = fopen(path, "r")))
            return f;
        if (i == 0) /* an explicit directory that lacks the file: do not guess */
            return NULL;
    }
    return NULL;
}

static void test_reference_comparison(void **state)
{
    char path[512], line[256];
    FILE *f = open_reference(path, sizeof path);
    static uint8_t listed[200000]; /* 0 none, 1 off, 2 work; indexed from 2018-01-01 */
    zf_date base = P("2018-01-01"), first = 0, last = 0;
    int rows = 0, redundant = 0;

    (void)state;
    if (!f) {
        printf("[  SKIPPED ] reference holidays/cn-days.tsv not found (set ZF_REFERENCE_DIR)\n");
        skip();
    }
    memset(listed, 0, sizeof listed);
    while (fgets(line, sizeof line, f)) {
        char *kind, *name, *nl;
        zf_date d;
        if (strncmp(line, "date\t", 5) == 0 || line[0] == '\n')
            continue;
        if ((nl = strchr(line, '\n')))
            *nl = '\0';
        kind = strchr(line, '\t');
        assert_non_null(kind);
        *kind++ = '\0';
        name = strchr(kind, '\t');
        assert_non_null(name);
        *name++ = '\0';
        d = P(line);
        listed[d - base] = strcmp(kind, "off") == 0 ? 1 : 2;
        first = rows == 0 || d < first ? d : first;
        last = rows == 0 || d > last ? d : last;
        rows++;
        /* status must agree; a listed weekday "work" (2020-02-03, the day work
         * resumed after the extension) changes nothing and is not shipped */
        if (zf_calendar_is_workday(cal, d) != (listed[d - base] == 2))
            fail_msg("%s: reference says %s, shipped calendar disagrees", line, kind);
        if (listed[d - base] == 2 && zf_date_weekday(d) <= 5) {
            assert_int_equal(zf_calendar_day_kind(cal, d), ZF_DAY_NORMAL);
            redundant++;
            continue;
        }
        assert_int_equal(zf_calendar_day_kind(cal, d), listed[d - base]);
        if (strcmp(zf_calendar_day_name(cal, d), name) != 0)
            fail_msg("%s: reference name %s, shipped %s", line, name, zf_calendar_day_name(cal, d));
    }
    fclose(f);
    assert_true(rows > 250);
    /* every other day in the span is ordinary, and nothing extra is shipped */
    for (zf_date d = first; d <= P("2026-12-31"); d++) {
        if (listed[d - base])
            continue;
        if (zf_calendar_day_kind(cal, d) != ZF_DAY_NORMAL)
            fail_msg("%s is special in the shipped data but not in the reference", F(d));
        assert_int_equal(zf_calendar_is_workday(cal, d), zf_date_weekday(d) <= 5);
    }
    printf("[  INFO    ] compared %d reference days from %s (%d redundant weekday 'work' rows), "
           "%s..%s\n",
           rows, path, redundant, F(first), F(last));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_format_roundtrip),
        cmocka_unit_test(test_builtin_years),
        cmocka_unit_test(test_shipped_days),
        cmocka_unit_test(test_year_totals),
        cmocka_unit_test(test_december_of_next_notice),
        cmocka_unit_test(test_add_workdays_cases),
        cmocka_unit_test(test_workdays_between),
        cmocka_unit_test(test_property_random),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_set_replace_remove_year),
        cmocka_unit_test(test_replace_2020_first_notice),
        cmocka_unit_test(test_later_notice_wins),
        cmocka_unit_test(test_schedule_errors),
        cmocka_unit_test(test_redundant_days),
        cmocka_unit_test(test_missing_next_year),
        cmocka_unit_test(test_version_span),
        cmocka_unit_test(test_reference_comparison),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
