/* annual.c — see annual.h. */
#include "core/annual.h"

#include <string.h>

static const struct {
    const char *code, *title;
} SECTIONS[] = {
    {"license", "行政许可"},        {"penalty", "行政处罚"},   {"coercion", "行政强制"},
    {"inspection", "行政检查"},     {"expropriation", "行政征收征用"},
    {"review", "重大执法决定法制审核"}, {"publicity", "执法决定公示"},
};
#define NSECTIONS (sizeof SECTIONS / sizeof SECTIONS[0])

static const zf_annual_item ITEMS[] = {
    {"license", "granted", "准予行政许可", 0},
    {"license", "denied", "不予行政许可", 0},
    {"license", "not_accepted", "不予受理", 0},
    {"penalty", "fine", "罚款", 1},
    {"penalty", "warning", "警告", 0},
    {"penalty", "no_penalty", "不予行政处罚", 0},
    {"penalty", "not_filed", "不予立案", 0},
    {"coercion", "seizure", "查封、扣押", 0},
    {"coercion", "freeze", "冻结", 0},
    {"coercion", "demolition", "强制拆除", 0},
    {"coercion", "released", "解除强制措施", 0},
    {"coercion", "not_approved", "不予批准实施", 0},
    {"inspection", "inspection_normal", "行政检查：未发现问题", 0},
    {"inspection", "inspection_problem", "行政检查：发现问题", 0},
    {"inspection", "spot_normal", "双随机抽查：结果正常", 0},
    {"inspection", "spot_problem", "双随机抽查：发现问题", 0},
    {"expropriation", "decided", "作出征收征用决定", 0},
    {"publicity", "on_time", "按时公示", 0},
    {"publicity", "late", "逾期公示", 0},
    {"publicity", "overdue", "逾期未公示", 0},
    {"publicity", "withdrawn", "撤下公示", 0},
};
#define NITEMS (sizeof ITEMS / sizeof ITEMS[0])

/* Which deciding action counts as which item. procedure "" matches any
 * procedure of the power type implied by the item's section. */
static const struct {
    const char *procedure, *action, *section, *code; /* code "fine" splits on fined */
} EVENTS[] = {
    {"license", "grant", "license", "granted"},
    {"license_change", "grant", "license", "granted"},
    {"license_renewal", "grant", "license", "granted"},
    {"license", "deny", "license", "denied"},
    {"license_change", "deny", "license", "denied"},
    {"license_renewal", "deny", "license", "denied"},
    {"license", "reject", "license", "not_accepted"},
    {"license_change", "reject", "license", "not_accepted"},
    {"license_renewal", "reject", "license", "not_accepted"},
    {"penalty_general", "decide_penalty", "penalty", "fine"},
    {"penalty_summary", "decide_on_spot", "penalty", "fine"},
    {"penalty_general", "decide_no_penalty", "penalty", "no_penalty"},
    {"penalty_general", "not_file", "penalty", "not_filed"},
    {"coercion_seizure", "implement", "coercion", "seizure"},
    {"coercion_freeze", "implement", "coercion", "freeze"},
    {"coercion_demolition", "demolish", "coercion", "demolition"},
    {"coercion_seizure", "release", "coercion", "released"},
    {"coercion_freeze", "release", "coercion", "released"},
    {"coercion_seizure", "not_approve", "coercion", "not_approved"},
    {"coercion_freeze", "not_approve", "coercion", "not_approved"},
    {"inspection", "result_normal", "inspection", "inspection_normal"},
    {"inspection", "result_problem", "inspection", "inspection_problem"},
    {"spot_check", "result_normal", "inspection", "spot_normal"},
    {"spot_check", "result_problem", "inspection", "spot_problem"},
    {"expropriation", "decide", "expropriation", "decided"},
};
#define NEVENTS (sizeof EVENTS / sizeof EVENTS[0])

const zf_annual_item *zf_annual_items(size_t *out_n)
{
    *out_n = NITEMS;
    return ITEMS;
}

const char *zf_annual_section_title(const char *section)
{
    size_t i;

    for (i = 0; section && i < NSECTIONS; i++)
        if (strcmp(SECTIONS[i].code, section) == 0)
            return SECTIONS[i].title;
    return NULL;
}

static const zf_annual_item *item_of(const char *section, const char *code)
{
    size_t i;

    for (i = 0; i < NITEMS; i++)
        if (strcmp(ITEMS[i].section, section) == 0 && strcmp(ITEMS[i].code, code) == 0)
            return &ITEMS[i];
    return NULL;
}

const zf_annual_item *zf_annual_item_for_event(const char *procedure, const char *action, int fined)
{
    size_t i;

    if (!procedure || !action)
        return NULL;
    for (i = 0; i < NEVENTS; i++) {
        if (strcmp(EVENTS[i].procedure, procedure) || strcmp(EVENTS[i].action, action))
            continue;
        if (strcmp(EVENTS[i].code, "fine") == 0 && !fined)
            return item_of("penalty", "warning");
        return item_of(EVENTS[i].section, EVENTS[i].code);
    }
    return NULL;
}

/* The member of array whose "code" is code, or NULL. */
static json_t *by_code(const json_t *array, const char *code)
{
    json_t *o;
    size_t i;

    json_array_foreach(array, i, o)
        if (json_is_string(json_object_get(o, "code")) &&
            strcmp(json_string_value(json_object_get(o, "code")), code) == 0)
            return o;
    return NULL;
}

static json_t *section_of(const json_t *report, const char *section)
{
    return by_code(json_object_get(report, "sections"), section);
}

static json_t *item_in(const json_t *sec, const char *code)
{
    return by_code(json_object_get(sec, "items"), code);
}

json_t *zf_annual_new(int year)
{
    json_t *r = json_pack("{s:i,s:[]}", "year", year, "sections");
    json_t *secs = json_object_get(r, "sections");
    size_t i, j;

    for (i = 0; i < NSECTIONS; i++) {
        json_t *items = json_array();

        for (j = 0; j < NITEMS; j++) {
            json_t *it;

            if (strcmp(ITEMS[j].section, SECTIONS[i].code))
                continue;
            it = json_pack("{s:s,s:s,s:I}", "code", ITEMS[j].code, "label", ITEMS[j].label, "count",
                           (json_int_t)0);
            if (ITEMS[j].has_amount)
                json_object_set_new(it, "amount_fen", json_integer(0));
            json_array_append_new(items, it);
        }
        json_array_append_new(secs, json_pack("{s:s,s:s,s:o}", "code", SECTIONS[i].code, "title",
                                              SECTIONS[i].title, "items", items));
    }
    return r;
}

static void bump(json_t *it, const char *key, int64_t by)
{
    json_t *v = json_object_get(it, key);

    json_object_set_new(it, key, json_integer((v ? json_integer_value(v) : 0) + by));
}

int zf_annual_add(json_t *report, const char *section, const char *code, const char *label,
                  int64_t count, int64_t amount_fen, zf_err *err)
{
    json_t *sec = section ? section_of(report, section) : NULL, *it;

    if (!sec || !code || !*code)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "section", "年报中没有该统计项");
    if (!(it = item_in(sec, code))) {
        it = json_pack("{s:s,s:s,s:I}", "code", code, "label", label && *label ? label : code, "count",
                       (json_int_t)0);
        json_array_append_new(json_object_get(sec, "items"), it);
    }
    bump(it, "count", count);
    if (json_object_get(it, "amount_fen"))
        bump(it, "amount_fen", amount_fen);
    return 0;
}

int zf_annual_merge(json_t *into, const json_t *from, zf_err *err)
{
    json_t *secs = json_object_get(from, "sections"), *s, *it;
    size_t i, j;
    int rc;

    if (!json_is_array(secs))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", NULL, "年报数据格式不正确");
    json_array_foreach(secs, i, s) {
        const char *sc = json_string_value(json_object_get(s, "code"));

        json_array_foreach(json_object_get(s, "items"), j, it) {
            json_t *a = json_object_get(it, "amount_fen");

            if ((rc = zf_annual_add(into, sc, json_string_value(json_object_get(it, "code")),
                                    json_string_value(json_object_get(it, "label")),
                                    json_integer_value(json_object_get(it, "count")),
                                    a ? json_integer_value(a) : 0, err)) < 0)
                return rc;
        }
    }
    return 0;
}

int64_t zf_annual_get(const json_t *report, const char *section, const char *code, int amount)
{
    json_t *sec = section_of(report, section), *it = sec ? item_in(sec, code) : NULL;

    if (!it)
        return 0;
    return json_integer_value(json_object_get(it, amount ? "amount_fen" : "count"));
}

int zf_annual_year_check(int year, zf_date today, zf_err *err)
{
    if (year < ZF_ANNUAL_FIRST_YEAR || year > zf_date_year(today))
        return zf_err_set(err, ZF_EINVAL, "invalid_year", "year", "年度应为 %d 年至 %d 年之间",
                          ZF_ANNUAL_FIRST_YEAR, zf_date_year(today));
    return 0;
}

void zf_annual_year_span(int64_t *out_from, int64_t *out_to, int year)
{
    const int64_t offset = 8 * 3600; /* China time, as zf_calendar_store_today */

    *out_from = (int64_t)ZF_YMD(year, 1, 1) * 86400 - offset;
    *out_to = (int64_t)ZF_YMD(year + 1, 1, 1) * 86400 - offset;
}

zf_date zf_annual_deadline(int year)
{
    return ZF_YMD(year + 1, 1, 31);
}

const char *zf_annual_status(int year, zf_date published, zf_date today)
{
    zf_date due = zf_annual_deadline(year);

    if (published != ZF_DATE_NONE)
        return published <= due ? "on_time" : "late";
    return today > due ? "overdue" : "due";
}

const char *zf_annual_status_name(const char *status)
{
    if (!status)
        return "";
    if (strcmp(status, "on_time") == 0)
        return "按时公开";
    if (strcmp(status, "late") == 0)
        return "逾期公开";
    if (strcmp(status, "overdue") == 0)
        return "逾期未公开";
    if (strcmp(status, "due") == 0)
        return "未到期限";
    return status;
}
