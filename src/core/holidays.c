/* holidays.c — the shipped State Council holiday schedules, 2019 through 2026.
 *
 * Typed by hand from the notices 国务院办公厅关于XXXX年部分节假日安排的通知 (facts,
 * not copied from any data file). Each year is the final effective state: where
 * a second notice replaced part of the first (2019 Labour Day, 2020 Spring
 * Festival), the days below are those of the second and both notices are listed
 * as sources; the version string ends in the number of notices applied.
 *
 * Blocks are written as in the notices: "2月4日至10日放假调休" is one OFF range,
 * "2月2日（星期六）、2月3日（星期日）上班" are WORK days. Dates in the previous
 * December belong to the next year's 元旦 arrangement and are listed there.
 *
 * To add a year: append a table and a row to years[] below, or import it at run
 * time (zhifa calendar import) without rebuilding. */
#include "core/calendar.h"

#include "util/mem.h"

typedef struct hrange {
    zf_date from, to;
    zf_day_kind kind;
    const char *name;
} hrange;

typedef struct hsource {
    const char *title;
    const char *doc_no;
} hsource;

typedef struct hyear {
    int year;
    const char *version;
    const hsource *sources;
    size_t n_sources;
    const hrange *ranges;
    size_t n_ranges;
} hyear;

#define D(y, m, d) ZF_YMD(y, m, d)
#define OFF(from, to, name) {from, to, ZF_DAY_OFF, name}
#define WORK(day, name) {day, day, ZF_DAY_WORK, name}
#define N_(a) (sizeof(a) / sizeof((a)[0]))

/* ---- 2019 ---- */
static const hsource src2019[] = {
    {"国务院办公厅关于2019年部分节假日安排的通知", "国办发明电〔2018〕15号"},
    /* Moved Labour Day from one day (5月1日) to four (5月1日至4日). */
    {"国务院办公厅关于调整2019年劳动节假期安排的通知", "国办发明电〔2019〕2号"},
};
static const hrange y2019[] = {
    WORK(D(2018, 12, 29), "元旦"),
    OFF(D(2018, 12, 30), D(2019, 1, 1), "元旦"),
    WORK(D(2019, 2, 2), "春节"),
    WORK(D(2019, 2, 3), "春节"),
    OFF(D(2019, 2, 4), D(2019, 2, 10), "春节"),
    OFF(D(2019, 4, 5), D(2019, 4, 5), "清明节"),
    WORK(D(2019, 4, 28), "劳动节"),
    OFF(D(2019, 5, 1), D(2019, 5, 4), "劳动节"),
    WORK(D(2019, 5, 5), "劳动节"),
    OFF(D(2019, 6, 7), D(2019, 6, 7), "端午节"),
    OFF(D(2019, 9, 13), D(2019, 9, 13), "中秋节"),
    WORK(D(2019, 9, 29), "国庆节"),
    OFF(D(2019, 10, 1), D(2019, 10, 7), "国庆节"),
    WORK(D(2019, 10, 12), "国庆节"),
};

/* ---- 2020 ---- */
static const hsource src2020[] = {
    {"国务院办公厅关于2020年部分节假日安排的通知", "国办发明电〔2019〕16号"},
    /* Extended Spring Festival to 2月2日; the 2月1日 adjusted working day lapsed.
     * Work resumed on Monday 2月3日, an ordinary working day (not listed). */
    {"国务院办公厅关于延长2020年春节假期的通知", "国办发明电〔2020〕1号"},
};
static const hrange y2020[] = {
    OFF(D(2020, 1, 1), D(2020, 1, 1), "元旦"),
    WORK(D(2020, 1, 19), "春节"),
    OFF(D(2020, 1, 24), D(2020, 2, 2), "春节"),
    OFF(D(2020, 4, 4), D(2020, 4, 6), "清明节"),
    WORK(D(2020, 4, 26), "劳动节"),
    OFF(D(2020, 5, 1), D(2020, 5, 5), "劳动节"),
    WORK(D(2020, 5, 9), "劳动节"),
    OFF(D(2020, 6, 25), D(2020, 6, 27), "端午节"),
    WORK(D(2020, 6, 28), "端午节"),
    WORK(D(2020, 9, 27), "国庆节、中秋节"),
    OFF(D(2020, 10, 1), D(2020, 10, 8), "国庆节、中秋节"),
    WORK(D(2020, 10, 10), "国庆节、中秋节"),
};

/* ---- 2021 ---- */
static const hsource src2021[] = {
    {"国务院办公厅关于2021年部分节假日安排的通知", "国办发明电〔2020〕27号"},
};
static const hrange y2021[] = {
    OFF(D(2021, 1, 1), D(2021, 1, 3), "元旦"),
    WORK(D(2021, 2, 7), "春节"),
    OFF(D(2021, 2, 11), D(2021, 2, 17), "春节"),
    WORK(D(2021, 2, 20), "春节"),
    OFF(D(2021, 4, 3), D(2021, 4, 5), "清明节"),
    WORK(D(2021, 4, 25), "劳动节"),
    OFF(D(2021, 5, 1), D(2021, 5, 5), "劳动节"),
    WORK(D(2021, 5, 8), "劳动节"),
    OFF(D(2021, 6, 12), D(2021, 6, 14), "端午节"),
    WORK(D(2021, 9, 18), "中秋节"),
    OFF(D(2021, 9, 19), D(2021, 9, 21), "中秋节"),
    WORK(D(2021, 9, 26), "国庆节"),
    OFF(D(2021, 10, 1), D(2021, 10, 7), "国庆节"),
    WORK(D(2021, 10, 9), "国庆节"),
};

/* ---- 2022 ---- */
static const hsource src2022[] = {
    {"国务院办公厅关于2022年部分节假日安排的通知", "国办发明电〔2021〕11号"},
};
static const hrange y2022[] = {
    OFF(D(2022, 1, 1), D(2022, 1, 3), "元旦"),
    WORK(D(2022, 1, 29), "春节"),
    WORK(D(2022, 1, 30), "春节"),
    OFF(D(2022, 1, 31), D(2022, 2, 6), "春节"),
    WORK(D(2022, 4, 2), "清明节"),
    OFF(D(2022, 4, 3), D(2022, 4, 5), "清明节"),
    WORK(D(2022, 4, 24), "劳动节"),
    OFF(D(2022, 4, 30), D(2022, 5, 4), "劳动节"),
    WORK(D(2022, 5, 7), "劳动节"),
    OFF(D(2022, 6, 3), D(2022, 6, 5), "端午节"),
    OFF(D(2022, 9, 10), D(2022, 9, 12), "中秋节"),
    OFF(D(2022, 10, 1), D(2022, 10, 7), "国庆节"),
    WORK(D(2022, 10, 8), "国庆节"),
    WORK(D(2022, 10, 9), "国庆节"),
};

/* ---- 2023 ---- */
static const hsource src2023[] = {
    {"国务院办公厅关于2023年部分节假日安排的通知", "国办发明电〔2022〕16号"},
};
static const hrange y2023[] = {
    OFF(D(2022, 12, 31), D(2023, 1, 2), "元旦"),
    OFF(D(2023, 1, 21), D(2023, 1, 27), "春节"),
    WORK(D(2023, 1, 28), "春节"),
    WORK(D(2023, 1, 29), "春节"),
    OFF(D(2023, 4, 5), D(2023, 4, 5), "清明节"),
    WORK(D(2023, 4, 23), "劳动节"),
    OFF(D(2023, 4, 29), D(2023, 5, 3), "劳动节"),
    WORK(D(2023, 5, 6), "劳动节"),
    OFF(D(2023, 6, 22), D(2023, 6, 24), "端午节"),
    WORK(D(2023, 6, 25), "端午节"),
    OFF(D(2023, 9, 29), D(2023, 10, 6), "中秋节、国庆节"),
    WORK(D(2023, 10, 7), "中秋节、国庆节"),
    WORK(D(2023, 10, 8), "中秋节、国庆节"),
};

/* ---- 2024 ---- */
static const hsource src2024[] = {
    {"国务院办公厅关于2024年部分节假日安排的通知", "国办发明电〔2023〕7号"},
};
static const hrange y2024[] = {
    OFF(D(2024, 1, 1), D(2024, 1, 1), "元旦"),
    WORK(D(2024, 2, 4), "春节"),
    OFF(D(2024, 2, 10), D(2024, 2, 17), "春节"),
    WORK(D(2024, 2, 18), "春节"),
    OFF(D(2024, 4, 4), D(2024, 4, 6), "清明节"),
    WORK(D(2024, 4, 7), "清明节"),
    WORK(D(2024, 4, 28), "劳动节"),
    OFF(D(2024, 5, 1), D(2024, 5, 5), "劳动节"),
    WORK(D(2024, 5, 11), "劳动节"),
    OFF(D(2024, 6, 10), D(2024, 6, 10), "端午节"),
    WORK(D(2024, 9, 14), "中秋节"),
    OFF(D(2024, 9, 15), D(2024, 9, 17), "中秋节"),
    WORK(D(2024, 9, 29), "国庆节"),
    OFF(D(2024, 10, 1), D(2024, 10, 7), "国庆节"),
    WORK(D(2024, 10, 12), "国庆节"),
};

/* ---- 2025 ---- */
static const hsource src2025[] = {
    {"国务院办公厅关于2025年部分节假日安排的通知", "国办发明电〔2024〕12号"},
};
static const hrange y2025[] = {
    OFF(D(2025, 1, 1), D(2025, 1, 1), "元旦"),
    WORK(D(2025, 1, 26), "春节"),
    OFF(D(2025, 1, 28), D(2025, 2, 4), "春节"),
    WORK(D(2025, 2, 8), "春节"),
    OFF(D(2025, 4, 4), D(2025, 4, 6), "清明节"),
    WORK(D(2025, 4, 27), "劳动节"),
    OFF(D(2025, 5, 1), D(2025, 5, 5), "劳动节"),
    OFF(D(2025, 5, 31), D(2025, 6, 2), "端午节"),
    WORK(D(2025, 9, 28), "国庆节、中秋节"),
    OFF(D(2025, 10, 1), D(2025, 10, 8), "国庆节、中秋节"),
    WORK(D(2025, 10, 11), "国庆节、中秋节"),
};

/* ---- 2026 ---- (issued 2025-11-04; 文号 not recorded here) */
static const hsource src2026[] = {
    {"国务院办公厅关于2026年部分节假日安排的通知", ""},
};
static const hrange y2026[] = {
    OFF(D(2026, 1, 1), D(2026, 1, 3), "元旦"),
    WORK(D(2026, 1, 4), "元旦"),
    WORK(D(2026, 2, 14), "春节"),
    OFF(D(2026, 2, 15), D(2026, 2, 23), "春节"),
    WORK(D(2026, 2, 28), "春节"),
    OFF(D(2026, 4, 4), D(2026, 4, 6), "清明节"),
    OFF(D(2026, 5, 1), D(2026, 5, 5), "劳动节"),
    WORK(D(2026, 5, 9), "劳动节"),
    OFF(D(2026, 6, 19), D(2026, 6, 21), "端午节"),
    WORK(D(2026, 9, 20), "国庆节"),
    OFF(D(2026, 9, 25), D(2026, 9, 27), "中秋节"),
    OFF(D(2026, 10, 1), D(2026, 10, 7), "国庆节"),
    WORK(D(2026, 10, 10), "国庆节"),
};

#define YEAR(yr, ver) {yr, ver, src##yr, N_(src##yr), y##yr, N_(y##yr)}

static const hyear years[] = {
    YEAR(2019, "2019.2"), YEAR(2020, "2020.2"), YEAR(2021, "2021.1"), YEAR(2022, "2022.1"),
    YEAR(2023, "2023.1"), YEAR(2024, "2024.1"), YEAR(2025, "2025.1"), YEAR(2026, "2026.1"),
};

size_t zf_holidays_builtin_years(int *out, size_t cap)
{
    for (size_t i = 0; i < N_(years) && i < cap; i++)
        out[i] = years[i].year;
    return N_(years);
}

static int build_year(zf_cal_schedule **out, const hyear *hy, zf_err *err)
{
    zf_cal_schedule *s = NULL;
    int rc;

    if ((rc = zf_cal_schedule_new(&s, hy->year, hy->version, err)) < 0)
        goto done;
    for (size_t i = 0; i < hy->n_sources; i++)
        if ((rc = zf_cal_schedule_add_source(s, hy->sources[i].title, hy->sources[i].doc_no, "",
                                             err)) < 0)
            goto done;
    for (size_t i = 0; i < hy->n_ranges; i++)
        if ((rc = zf_cal_schedule_add_range(s, hy->ranges[i].from, hy->ranges[i].to,
                                            hy->ranges[i].kind, hy->ranges[i].name, err)) < 0)
            goto done;
    *out = s;
    s = NULL;
done:
    zf_cal_schedule_free(s);
    return rc;
}

int zf_calendar_load_builtin(zf_calendar *cal, zf_err *err)
{
    zf_cal_schedule *s = NULL;
    int rc = 0;

    for (size_t i = 0; i < N_(years); i++) {
        if ((rc = build_year(&s, &years[i], err)) < 0 ||
            (rc = zf_calendar_set_year(cal, s, NULL, err)) < 0)
            goto done;
        zf_cal_schedule_free(s);
        s = NULL;
    }
done:
    zf_cal_schedule_free(s);
    return rc;
}

int zf_calendar_new_builtin(zf_calendar **out, zf_err *err)
{
    zf_calendar *cal = zf_calendar_new();
    int rc;

    *out = NULL;
    if ((rc = zf_calendar_load_builtin(cal, err)) < 0) {
        zf_calendar_free(cal);
        return rc;
    }
    *out = cal;
    return 0;
}
