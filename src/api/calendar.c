/* calendar.c — the working-day calendar, the deadline rules and the open
 * deadlines (期限预警) over HTTP.
 *
 *   GET  /api/v1/calendar?from=&to=              any logged-in role
 *   GET  /api/v1/calendar/add-workdays?from=&n=  any logged-in role
 *   GET  /api/v1/calendar/years                  any logged-in role (+ warnings)
 *   GET  /api/v1/calendar/status                 public: the missing-year banner
 *   POST /api/v1/calendar/import                 admin: holiday-cn JSON body
 *   GET  /api/v1/deadlines                       department staff (own department), supervisor (all)
 *   GET  /api/v1/deadline-rules                  any logged-in role
 *   PUT  /api/v1/deadline-rules/{code}           admin
 *
 * The effective calendar comes from the process-wide cache of
 * store/calendar_store.h (checked against the database on every acquire, so
 * an import by this server or by `zhifa calendar import` is seen at once). */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "store/calendar_store.h"

/* Longest span of GET /calendar: a year view of the console, with slack. */
#define MAX_SPAN_DAYS 366

static int query_date(zf_ctx *c, const char *key, zf_date *out)
{
    const char *s = zf_ctx_query(c, key);
    int rc;

    if (!s || !*s)
        return zf_err_set(&c->err, ZF_EINVAL, "invalid_date", key, "缺少参数 %s（YYYY-MM-DD）", key);
    if ((rc = zf_date_parse(out, s, strlen(s), key, &c->err)) < 0)
        return rc;
    if (*out < ZF_CAL_FIRST_DATE || *out > ZF_CAL_LAST_DATE)
        return zf_err_set(&c->err, ZF_EINVAL, "date_out_of_range", key,
                          "日期超出日历支持范围（2000-01-01 至 2100-12-31）");
    return 0;
}

static const char *kind_name(zf_day_kind k)
{
    return k == ZF_DAY_OFF ? "off" : k == ZF_DAY_WORK ? "work" : "normal";
}

static int h_days(zf_ctx *c)
{
    const zf_calendar *cal = NULL;
    zf_date from, to;
    char fs[ZF_DATE_STRLEN], ts[ZF_DATE_STRLEN], ver[192];
    json_t *days;
    int rc;

    if ((rc = query_date(c, "from", &from)) < 0 || (rc = query_date(c, "to", &to)) < 0)
        return rc;
    if (from > to)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "to", "结束日期 to 不能早于开始日期 from");
    if (to - from >= MAX_SPAN_DAYS)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "to", "一次最多查询 %d 天",
                          MAX_SPAN_DAYS);
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    days = json_array();
    for (zf_date d = from; d <= to; d++) {
        char ds[ZF_DATE_STRLEN];
        json_array_append_new(days, json_pack("{s:s,s:b,s:s,s:s,s:i}", "date", zf_date_format(ds, d),
                                              "workday", (int)zf_calendar_is_workday(cal, d), "kind",
                                              kind_name(zf_calendar_day_kind(cal, d)), "name",
                                              zf_calendar_day_name(cal, d), "weekday",
                                              zf_date_weekday(d)));
    }
    zf_calendar_version_span(ver, sizeof ver, cal, from, to);
    zf_calendar_cache_release(cal);
    return zf_ctx_json(c, 200, json_pack("{s:s,s:s,s:s,s:o}", "from", zf_date_format(fs, from), "to",
                                         zf_date_format(ts, to), "calendar_version", ver, "days", days));
}

static int h_add_workdays(zf_ctx *c)
{
    const zf_calendar *cal = NULL;
    const char *ns = zf_ctx_query(c, "n");
    zf_date from, out;
    char fs[ZF_DATE_STRLEN], os[ZF_DATE_STRLEN];
    char *end;
    long n;
    int rc;

    if ((rc = query_date(c, "from", &from)) < 0)
        return rc;
    if (!ns || !*ns || strspn(ns, "0123456789") != strlen(ns) || strlen(ns) > 6)
        return zf_err_set(&c->err, ZF_EINVAL, "invalid_workdays", "n", "工作日数 n 应为 0 至 %d 的整数",
                          ZF_CAL_MAX_WORKDAYS);
    n = strtol(ns, &end, 10);
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    rc = zf_calendar_add_workdays(&out, cal, from, n, &c->err);
    zf_calendar_cache_release(cal);
    if (rc < 0)
        return rc;
    return zf_ctx_json(c, 200, json_pack("{s:s,s:i,s:s}", "from", zf_date_format(fs, from), "n", (int)n,
                                         "date", zf_date_format(os, out)));
}

static json_t *missing_warnings(const zf_calendar *cal, zf_date today)
{
    json_t *w = json_array();
    char msg[512];
    int y = zf_calendar_store_missing_year(cal, today, msg, sizeof msg);

    if (y)
        json_array_append_new(w, json_pack("{s:s,s:i,s:s}", "code", "calendar_year_missing", "year", y,
                                           "message", msg));
    return w;
}

static int h_years(zf_ctx *c)
{
    zf_cal_year_info *info = NULL;
    const zf_calendar *cal = NULL;
    json_t *items, *warnings;
    size_t n = 0;
    int rc;

    if ((rc = zf_calendar_store_years(&info, &n, c->db, &c->err)) < 0)
        return rc;
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0) {
        free(info);
        return rc;
    }
    warnings = missing_warnings(cal, zf_calendar_store_today(c->now));
    zf_calendar_cache_release(cal);
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *src = json_loads(info[i].sources_json, 0, NULL);
        json_array_append_new(items, json_pack("{s:i,s:s,s:s,s:o,s:s,s:I,s:o}", "year", info[i].year,
                                               "version", info[i].version, "source",
                                               info[i].imported ? "imported" : "builtin", "loaded_at",
                                               info[i].imported ? json_integer(info[i].loaded_at)
                                                                : json_null(),
                                               "loaded_by", info[i].loaded_by, "days",
                                               (json_int_t)info[i].n_days, "sources",
                                               src ? src : json_array()));
    }
    free(info);
    return zf_ctx_json(c, 200, json_pack("{s:o,s:o}", "items", items, "warnings", warnings));
}

static int h_status(zf_ctx *c)
{
    const zf_calendar *cal = NULL;
    char msg[512];
    int rc, y;

    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    y = zf_calendar_store_missing_year(cal, zf_calendar_store_today(c->now), msg, sizeof msg);
    zf_calendar_cache_release(cal);
    return zf_ctx_json(c, 200, json_pack("{s:o,s:s}", "missing_year", y ? json_integer(y) : json_null(),
                                         "message", msg));
}

static int h_import(zf_ctx *c)
{
    zf_cal_schedule *s = NULL;
    zf_cal_import_result res;
    zf_cal_actor actor = {c->who->user_id, c->who->username, c->ip, c->request_id};
    json_t *warnings = json_array();
    char fs[ZF_DATE_STRLEN], ls[ZF_DATE_STRLEN];
    int rc;

    /* JSON only over HTTP: the body is what the console posts. */
    if ((rc = zf_calendar_parse_holiday_cn(&s, c->body ? c->body : "", c->body_len, &c->err)) < 0)
        goto done;
    for (size_t i = 0; i < s->n_days; i++) {
        char ds[ZF_DATE_STRLEN];
        if (!zf_cal_day_is_redundant(&s->days[i]))
            continue;
        json_array_append_new(
            warnings, json_pack("{s:s,s:s,s:s}", "date", zf_date_format(ds, s->days[i].date), "name",
                                s->days[i].name, "message",
                                s->days[i].kind == ZF_DAY_OFF ? "该日是周末，标为放假不改变工作日"
                                                              : "该日是周一至周五，标为上班不改变工作日"));
    }
    if ((rc = zf_calendar_store_import(&res, c->db, s, &actor, c->now, &c->err)) < 0)
        goto done;
    rc = zf_ctx_json(
        c, 200,
        json_pack("{s:i,s:b,s:s,s:s,s:b,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:O}", "year", res.year, "changed",
                  (int)res.changed, "old_version", res.old_version, "new_version", res.new_version,
                  "workdays_changed", (int)res.workdays_changed, "first_changed",
                  res.workdays_changed ? json_string(zf_date_format(fs, res.first)) : json_null(),
                  "last_changed",
                  res.workdays_changed ? json_string(zf_date_format(ls, res.last)) : json_null(),
                  "days_added", (json_int_t)res.days_added, "days_removed", (json_int_t)res.days_removed,
                  "days_modified", (json_int_t)res.days_modified, "clocks_checked",
                  (json_int_t)res.clocks_checked, "clocks_moved", (json_int_t)res.clocks_moved,
                  "warnings", warnings));
done:
    json_decref(warnings);
    zf_cal_schedule_free(s);
    return rc;
}

/* ---- deadlines ---- */

static int h_deadlines(zf_ctx *c)
{
    zf_clock_filter filter = ZF_CLOCK_FILTER_INIT;
    const char *dept = zf_ctx_query(c, "department_id"), *state = zf_ctx_query(c, "state");
    static const zf_sort_key keys[] = {{"due", "due_date"}, {NULL, NULL}};
    const zf_calendar *cal = NULL;
    zf_clock_row *rows = NULL;
    zf_list_params lp;
    zf_stmt *st = NULL;
    zf_date today = zf_calendar_store_today(c->now);
    json_t *items = NULL;
    size_t n = 0;
    int rc;

    if ((rc = zf_list_params_read(&lp, c, keys)) < 0)
        return rc;
    if (dept && *dept) {
        if (strspn(dept, "0123456789") != strlen(dept) || strlen(dept) > 18)
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "department_id", "部门编号应为整数");
        filter.department_id = strtoll(dept, NULL, 10);
    }
    if (state && *state) {
        zf_clock_state s;
        if ((rc = zf_clock_state_parse(&s, state, &c->err)) < 0)
            return rc;
        if (s == ZF_CLOCK_DONE_ON_TIME || s == ZF_CLOCK_DONE_LATE)
            return zf_err_set(&c->err, ZF_EINVAL, "invalid_state", "state",
                              "这里只列出未完成的期限：状态应为 on_time、due_soon、overdue 或 paused");
        filter.state = (int)s;
    }
    /* The Justice Bureau sees every department; everyone else only their own,
     * whatever they asked for. */
    if (c->who->role != ZF_ROLE_SUPERVISOR)
        filter.department_id = c->who->department_id;
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    if ((rc = zf_clock_store_list_open(&rows, &n, c->db, cal, &filter, today, &c->err)) < 0)
        goto done;
    items = json_array();
    for (size_t i = (size_t)lp.offset; i < n && i < (size_t)(lp.offset + lp.per_page); i++) {
        const zf_clock *k = &rows[i].clock;
        zf_clock_state s = zf_clock_state_at(k, cal, today, -1);
        char sd[ZF_DATE_STRLEN], dd[ZF_DATE_STRLEN];
        json_t *left = json_null(), *dname;
        int l;

        if (k->due != ZF_DATE_NONE && zf_clock_workdays_left(&l, k, cal, today, NULL) == 0) {
            json_decref(left);
            left = json_integer(l);
        }
        dname = json_string("");
        if (zf_db_prepare(&st, c->db, "SELECT name FROM departments WHERE id = $1", NULL) == 0) {
            zf_stmt_bind_int64(st, 1, rows[i].department_id);
            if (zf_stmt_step(st, NULL) == 1) {
                json_decref(dname);
                dname = json_string(zf_stmt_text(st, 0));
            }
            zf_stmt_free(st);
            st = NULL;
        }
        json_array_append_new(
            items, json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:o,s:s,s:o,s:s,s:s,s:o,s:i,s:s,s:b,s:s}", "id",
                             (json_int_t)rows[i].id, "rule_code", k->rule.code, "rule_name", k->rule.name,
                             "object_type", rows[i].object_type, "object_id", (json_int_t)rows[i].object_id,
                             "department_id", (json_int_t)rows[i].department_id, "department_name", dname,
                             "start", zf_date_format(sd, k->start), "due",
                             k->due == ZF_DATE_NONE ? json_null() : json_string(zf_date_format(dd, k->due)),
                             "state", zf_clock_state_code(s), "state_label", zf_clock_state_label(s),
                             "workdays_left", left, "extension_workdays", k->extension_workdays,
                             "approver", k->approver, "paused", s == ZF_CLOCK_PAUSED, "calendar_version",
                             k->calendar_version));
    }
    rc = zf_ctx_json(c, 200, json_pack("{s:o,s:I,s:I,s:I,s:I}", "items", items, "total", (json_int_t)n, "page",
                                       (json_int_t)lp.page, "per_page", (json_int_t)lp.per_page,
                                       "department_id", (json_int_t)filter.department_id));
    items = NULL;
done:
    json_decref(items);
    free(rows);
    zf_calendar_cache_release(cal);
    return rc;
}

/* ---- deadline rules ---- */

static json_t *rule_json(const zf_deadline_rule *r)
{
    return json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:b,s:s}", "code", r->code, "name", r->name, "kind",
                     zf_deadline_rule_kind_code(r->kind), "workdays", r->workdays, "month", r->month, "day",
                     r->day, "year_offset", r->year_offset, "extension_workdays", r->extension_workdays,
                     "pausable", (int)r->pausable, "basis", r->basis);
}

static int h_rules(zf_ctx *c)
{
    zf_deadline_rule *rules = NULL;
    json_t *items;
    size_t n = 0;
    int rc;

    if ((rc = zf_deadline_rules_load(&rules, &n, c->db, c->now, &c->err)) < 0)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, rule_json(&rules[i]));
    free(rules);
    return zf_ctx_json(c, 200, json_pack("{s:o}", "items", items));
}

/* Copies an optional integer member into *dst, refusing values no rule can
 * hold (so a huge number cannot wrap into a valid-looking int). */
static int take_int(zf_ctx *c, json_t *in, const char *key, int *dst)
{
    json_t *v = json_object_get(in, key);
    json_int_t x;

    if (!json_is_integer(v))
        return 0;
    x = json_integer_value(v);
    if (x < -100000 || x > 100000)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", key, "%s 超出允许范围", key);
    *dst = (int)x;
    return 0;
}

static int take_str(zf_ctx *c, json_t *in, const char *key, char *dst, size_t cap, const char *label)
{
    json_t *v = json_object_get(in, key);

    if (!json_is_string(v))
        return 0;
    if (json_string_length(v) >= cap)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", key, "%s过长", label);
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int h_rule_update(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"name", ZF_JT_STRING, 0, 30, "规则名称"},
        {"kind", ZF_JT_STRING, 0, 16, "期限类型"},
        {"workdays", ZF_JT_INT, 0, 0, "工作日数"},
        {"month", ZF_JT_INT, 0, 0, "月"},
        {"day", ZF_JT_INT, 0, 0, "日"},
        {"year_offset", ZF_JT_INT, 0, 0, "年份偏移"},
        {"extension_workdays", ZF_JT_INT, 0, 0, "可延长工作日数"},
        {"pausable", ZF_JT_BOOL, 0, 0, "可中止"},
        {"basis", ZF_JT_STRING, 0, 85, "依据"},
        {NULL},
    };
    zf_cal_actor actor = {c->who->user_id, c->who->username, c->ip, c->request_id};
    const char *code = c->nparams > 0 ? c->params[0] : "";
    zf_deadline_rule r;
    json_t *in = NULL, *v;
    int rc, in_tx = 0;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    if (strlen(code) >= sizeof r.code) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", "code", "期限规则不存在");
        goto done;
    }
    if ((rc = zf_deadline_rule_get(&r, c->db, code, c->now, &c->err)) < 0)
        goto done;
    if ((v = json_object_get(in, "kind")) && json_is_string(v)) {
        if (strcmp(json_string_value(v), "workdays") == 0)
            r.kind = ZF_RULE_WORKDAYS;
        else if (strcmp(json_string_value(v), "fixed_date") == 0)
            r.kind = ZF_RULE_FIXED_DATE;
        else {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "kind",
                            "期限类型应为 workdays（工作日）或 fixed_date（固定日期）");
            goto done;
        }
    }
    if ((rc = take_str(c, in, "name", r.name, sizeof r.name, "规则名称")) < 0 ||
        (rc = take_str(c, in, "basis", r.basis, sizeof r.basis, "依据")) < 0 ||
        (rc = take_int(c, in, "workdays", &r.workdays)) < 0 || (rc = take_int(c, in, "month", &r.month)) < 0 ||
        (rc = take_int(c, in, "day", &r.day)) < 0 ||
        (rc = take_int(c, in, "year_offset", &r.year_offset)) < 0 ||
        (rc = take_int(c, in, "extension_workdays", &r.extension_workdays)) < 0)
        goto done;
    if ((v = json_object_get(in, "pausable")) && json_is_boolean(v))
        r.pausable = json_is_true(v);
    if ((rc = zf_deadline_rule_validate(&r, &c->err)) < 0 || (rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    in_tx = 1;
    if ((rc = zf_deadline_rule_update(c->db, &r, &actor, c->now, &c->err)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto done;
    in_tx = 0;
    rc = zf_ctx_json(c, 200, rule_json(&r));
done:
    if (in_tx)
        zf_db_rollback(c->db);
    json_decref(in);
    return rc;
}

#define DEADLINE_READERS (ZF_ROLES_DEPT_STAFF | ZF_ROLE_SUPERVISOR)

const zf_route zf_calendar_routes[] = {
    {"GET", "/api/v1/calendar", h_days, ZF_ROLES_ALL, 0, NULL, 0},
    {"GET", "/api/v1/calendar/add-workdays", h_add_workdays, ZF_ROLES_ALL, 0, NULL, 0},
    {"GET", "/api/v1/calendar/years", h_years, ZF_ROLES_ALL, 0, NULL, 0},
    {"GET", "/api/v1/calendar/status", h_status, ZF_PUBLIC, 0, NULL, 0},
    {"POST", "/api/v1/calendar/import", h_import, ZF_ROLE_ADMIN, 0, NULL, 0},
    {"GET", "/api/v1/deadlines", h_deadlines, DEADLINE_READERS, 0, NULL, 0},
    {"GET", "/api/v1/deadline-rules", h_rules, ZF_ROLES_ALL, 0, NULL, 0},
    {"PUT", "/api/v1/deadline-rules/{code}", h_rule_update, ZF_ROLE_ADMIN, 0, NULL, 0},
    {NULL},
};
