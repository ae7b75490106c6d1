/* publications.c — the 事后公开 queue of the publicity officer (issue 7):
 * pending decisions with their countdowns, 保密审查 (masked and unmasked side
 * by side), publication, withdrawal, 信用修复, and exports in the 双公示
 * layout. The rules live in store/publication_store.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/deadline.h"
#include "store/calendar_store.h"
#include "store/publication_store.h"
#include "store/settings.h"
#include "util/log.h"

#define READERS (ZF_ROLES_DEPT_STAFF | ZF_ROLE_SUPERVISOR | ZF_ROLE_ADMIN | ZF_ROLE_AUDITOR)
/* who confirms (保密审查), publishes and withdraws */
#define DECIDERS (ZF_ROLE_PUBLICITY | ZF_ROLE_HEAD)

static int invalid(zf_ctx *c, const char *field, const char *msg)
{
    return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", field, "%s", msg);
}

static const char *const STATES[] = {"pending", "published", "withdraw_pending",
                                     "withdrawn", "expired", "repaired", NULL};

static int known_state(const char *s)
{
    size_t i;

    for (i = 0; STATES[i]; i++)
        if (strcmp(s, STATES[i]) == 0)
            return 1;
    return 0;
}

static const char *state_label(const char *s)
{
    static const char *const L[] = {"待公示", "公示中", "待撤下", "已撤下", "公示期满", "已信用修复"};
    size_t i;

    for (i = 0; STATES[i]; i++)
        if (strcmp(s, STATES[i]) == 0)
            return L[i];
    return s;
}

static void period_months(const zf_ctx *c, int *min, int *max)
{
    *min = atoi(zf_settings_get(c->settings, "publication_min_months", "3"));
    *max = atoi(zf_settings_get(c->settings, "publication_max_months", "36"));
    if (*min < 0 || *min > 120)
        *min = 3;
    if (*max < *min || *max > 240)
        *max = *min > 36 ? *min : 36;
}

/* Countdown of an open clock: state code and working days left. */
static void countdown(json_t *o, zf_db *db, const zf_calendar *cal, int64_t clock_id,
                      const char *key_state, const char *key_left, zf_date today)
{
    zf_clock_row row;
    int left;

    if (!cal || clock_id <= 0 || zf_clock_store_get(&row, db, clock_id, NULL) < 0)
        return;
    json_object_set_new(o, key_state,
                        json_string(zf_clock_state_code(zf_clock_state_at(&row.clock, cal, today, -1))));
    if (row.clock.done == ZF_DATE_NONE && zf_clock_workdays_left(&left, &row.clock, cal, today, NULL) == 0)
        json_object_set_new(o, key_left, json_integer(left));
}

#define COLS                                                                                     \
    "p.id, p.department_id, d.name, p.case_id, p.kind, p.origin, p.state, p.title, "              \
    "p.decision_date, p.due_date, COALESCE(p.clock_id, 0), p.published_on, p.on_time, "           \
    "p.withdraw_reason, p.withdraw_due, COALESCE(p.withdraw_clock_id, 0), p.min_end, p.max_end, " \
    "p.end_reason, p.masked, p.findings, p.content"

static json_t *row_json(zf_stmt *st, zf_db *db, const zf_calendar *cal, zf_date today, int full,
                        int unmasked)
{
    const char *state = zf_stmt_text(st, 6);
    json_t *o = json_pack("{s:I,s:I,s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id",
                          (json_int_t)zf_stmt_int64(st, 0), "department_id",
                          (json_int_t)zf_stmt_int64(st, 1), "department", zf_stmt_text(st, 2),
                          "case_id", zf_json_int_or_null(st, 3), "kind", zf_stmt_text(st, 4),
                          "kind_name", zf_publication_kind_name(zf_stmt_text(st, 4)), "origin",
                          zf_stmt_text(st, 5), "state", state, "state_name", state_label(state),
                          "title", zf_stmt_text(st, 7), "decision_date", zf_json_text_or_null(st, 8),
                          "due_date", zf_json_text_or_null(st, 9));

    json_object_set_new(o, "published_on", zf_json_text_or_null(st, 11));
    json_object_set_new(o, "on_time", zf_stmt_is_null(st, 12) ? json_null()
                                                               : json_boolean(zf_stmt_int64(st, 12)));
    json_object_set_new(o, "withdraw_reason", zf_json_text_or_null(st, 13));
    json_object_set_new(o, "withdraw_due", zf_json_text_or_null(st, 14));
    json_object_set_new(o, "min_end", zf_json_text_or_null(st, 16));
    json_object_set_new(o, "max_end", zf_json_text_or_null(st, 17));
    json_object_set_new(o, "end_reason", zf_json_text_or_null(st, 18));
    if (strcmp(state, "pending") == 0)
        countdown(o, db, cal, zf_stmt_int64(st, 10), "clock_state", "workdays_left", today);
    else if (strcmp(state, "withdraw_pending") == 0)
        countdown(o, db, cal, zf_stmt_int64(st, 15), "clock_state", "workdays_left", today);
    if (full) {
        json_object_set_new(o, "masked", json_loads(zf_stmt_text(st, 19), 0, NULL));
        json_object_set_new(o, "findings", json_loads(zf_stmt_text(st, 20), 0, NULL));
        json_object_set_new(o, "content",
                            unmasked ? json_loads(zf_stmt_text(st, 21), 0, NULL) : json_null());
    }
    return o;
}

/* ---- GET /api/v1/publications ---- */

/* ?format=xlsx: the queue as a spreadsheet (issue 7). */
static const zf_xlsx_col LIST_EXPORT_COLS[] = {
    {"id", "编号", 8, 0},           {"department", "执法部门", 24, 0}, {"kind_name", "类别", 14, 0},
    {"title", "标题", 36, 0},       {"state_name", "状态", 12, 0},     {"decision_date", "决定日期", 12, 0},
    {"due_date", "公示期限", 12, 0}, {"published_on", "公示日期", 12, 0}, {"on_time", "是否按时公示", 12, 0},
    {"withdraw_reason", "撤下理由", 24, 0}, {"max_end", "公示截止期", 12, 0},
    {NULL, NULL, 0, 0},
};

static int pub_list(zf_ctx *c)
{
    const char *state = zf_ctx_query(c, "state"), *kind = zf_ctx_query(c, "kind");
    const char *dept_s = zf_ctx_query(c, "department_id");
    const zf_calendar *cal = NULL;
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int64_t dept = 0;
    int rc, xlsx;

    if ((rc = xlsx = zf_ctx_want_xlsx(c)) < 0)
        goto done;
    if (state && *state && !known_state(state)) {
        rc = invalid(c, "state", "未知的公示状态");
        goto done;
    }
    if (kind && *kind && !zf_publication_kind_name(kind)) {
        rc = invalid(c, "kind", "未知的公示类别");
        goto done;
    }
    if (dept_s && *dept_s && (dept = strtoll(dept_s, NULL, 10)) <= 0) {
        rc = invalid(c, "department_id", "参数 department_id 应为正整数");
        goto done;
    }
    /* a department's staff see their own department only */
    if (c->who && (c->who->role & ZF_ROLES_DEPT_STAFF))
        dept = c->who->department_id;
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        goto done;
    /* the work queue: pending first, the nearest due date first; one whose
     * clock shows no due date (paused) after the dated ones, on both
     * backends (SQLite sorts NULL first, PostgreSQL last) */
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT " COLS " FROM publications p JOIN departments d ON d.id = "
                            "p.department_id WHERE ($1 = 0 OR p.department_id = $1) AND ($2 = '' OR "
                            "p.state = $2) AND ($3 = '' OR p.kind = $3) ORDER BY CASE p.state WHEN "
                            "'pending' THEN 0 WHEN 'withdraw_pending' THEN 0 ELSE 1 END, "
                            "COALESCE(p.withdraw_due, p.due_date, '9999-12-31'), p.id DESC LIMIT 500",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, dept);
    zf_stmt_bind_text(st, 2, state ? state : "", -1);
    zf_stmt_bind_text(st, 3, kind ? kind : "", -1);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, row_json(st, c->db, cal, zf_calendar_store_today(c->now), 0, 0));
    if (rc < 0)
        goto done;
    if (xlsx) {
        rc = zf_ctx_xlsx_items(c, "publications", "公示信息", items, LIST_EXPORT_COLS);
        goto done;
    }
    rc = zf_ctx_json(c, 200, json_pack("{s:O,s:I}", "items", items,
                                       "total", (json_int_t)json_array_size(items)));
done:
    zf_stmt_free(st);
    if (cal)
        zf_calendar_cache_release(cal);
    json_decref(items);
    return rc;
}

/* ---- GET /api/v1/publications/{id} ---- */

static int pub_get(zf_ctx *c)
{
    const zf_calendar *cal = NULL;
    zf_stmt *st = NULL;
    int64_t id;
    int rc, unmasked;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    /* the unmasked text is for whoever does the 保密审查 */
    unmasked = c->who && (c->who->role & DECIDERS);
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT " COLS " FROM publications p JOIN departments d ON d.id = "
                            "p.department_id WHERE p.id = $1",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, &c->err)) == 1)
        rc = zf_ctx_json(c, 200, row_json(st, c->db, cal, zf_calendar_store_today(c->now), 1, unmasked));
    else if (rc == 0)
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该公示信息");
done:
    zf_stmt_free(st);
    zf_calendar_cache_release(cal);
    return rc;
}

/* ---- POST publish / withdraw / repair ---- */

static zf_pub_actor actor(const zf_ctx *c)
{
    zf_pub_actor a = {0, NULL, c->ip, c->request_id};

    if (c->who) {
        a.user_id = c->who->user_id;
        a.name = c->who->username;
    }
    return a;
}

static int pub_publish(zf_ctx *c)
{
    static const zf_json_field spec[] = {{"confirm", ZF_JT_BOOL, 1, 0, "保密审查确认"},
                                         {NULL, 0, 0, 0, NULL}};
    const zf_calendar *cal = NULL;
    zf_pub_actor a = actor(c);
    json_t *in = NULL;
    int64_t id;
    int rc, mn, mx;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    if (!json_is_true(json_object_get(in, "confirm"))) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "confirmation_required", "confirm",
                        "请先核对脱敏前后的内容并确认保密审查");
        goto done;
    }
    period_months(c, &mn, &mx);
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        goto done;
    rc = zf_publication_publish(c->db, cal, id, mn, mx, &a, c->now, &c->err);
    zf_calendar_cache_release(cal);
    if (rc == 0)
        rc = pub_get(c);
done:
    json_decref(in);
    return rc;
}

static int reason_of(json_t **in, zf_ctx *c, const char **out)
{
    static const zf_json_field spec[] = {{"reason", ZF_JT_STRING, 1, ZF_PUBLICATION_REASON_MAX, "理由"},
                                         {NULL, 0, 0, 0, NULL}};
    int rc;

    if ((rc = zf_json_decode(in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    *out = json_string_value(json_object_get(*in, "reason"));
    return 0;
}

static int pub_withdraw(zf_ctx *c)
{
    const zf_calendar *cal = NULL;
    zf_pub_actor a = actor(c);
    const char *reason = NULL;
    json_t *in = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = reason_of(&in, c, &reason)) < 0)
        return rc;
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) == 0) {
        rc = zf_publication_withdraw(c->db, cal, id, reason, &a, c->now, &c->err);
        zf_calendar_cache_release(cal);
    }
    if (rc == 0)
        rc = pub_get(c);
    json_decref(in);
    return rc;
}

static int pub_repair(zf_ctx *c)
{
    zf_pub_actor a = actor(c);
    const char *reason = NULL;
    json_t *in = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = reason_of(&in, c, &reason)) < 0)
        return rc;
    rc = zf_publication_repair(c->db, id, reason, &a, c->now, &c->err);
    if (rc == 0)
        rc = pub_get(c);
    json_decref(in);
    return rc;
}

/* ---- GET /api/v1/publications/export?format=csv|json|xlsx ---- */

/* The 双公示 columns, in the layout the credit platforms take. */
static const char *const PENALTY_COLS[] = {
    "行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "证件号码",
    "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容",
    "罚款金额（万元）", "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号",
    "处罚决定日期", "处罚有效期", "公示截止期", "处罚机关", "处罚机关统一社会信用代码",
    "数据来源单位", "数据来源单位统一社会信用代码", NULL};
static const char *const LICENSING_COLS[] = {
    "XK_XDR_MC", "XK_XDR_LB", "XK_XDR_SHXYM", "XK_FRDB", "XK_XDR_ZJHM", "XK_XKWS", "XK_WSH",
    "XK_XKLB", "XK_NR", "XK_JDRQ", "XK_YXQZ", "XK_YXQJ", "XK_XKJG", "XK_XKJGDM", "XK_ZT",
    "XK_LYDW", "XK_LYDWDM", NULL};

/* RFC 4180: a field is quoted when it holds a comma, quote, CR or LF (and
 * always for safety when it starts with a formula character, which
 * spreadsheets would otherwise run). */
static void csv_field(zf_buf *b, const char *s, int first)
{
    const char *p;
    int quote = 0;

    if (!first)
        zf_buf_append(b, ",", 1);
    for (p = s; *p; p++)
        if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n')
            quote = 1;
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
        quote = 1;
    if (!quote) {
        zf_buf_append(b, s, strlen(s));
        return;
    }
    zf_buf_append(b, "\"", 1);
    for (p = s; *p; p++) {
        if (*p == '"')
            zf_buf_append(b, "\"", 1);
        zf_buf_append(b, p, 1);
    }
    zf_buf_append(b, "\"", 1);
}

static int pub_export(zf_ctx *c)
{
    const char *format = zf_ctx_query(c, "format"), *kind = zf_ctx_query(c, "kind");
    const char *const *cols;
    zf_stmt *st = NULL;
    json_t *items = NULL;
    int64_t dept = 0;
    int rc, csv, xlsx;
    size_t i;

    if (!format || !*format)
        format = "json";
    if (strcmp(format, "csv") && strcmp(format, "json") && strcmp(format, "xlsx"))
        return invalid(c, "format", "导出格式应为 csv、json 或 xlsx");
    csv = strcmp(format, "csv") == 0;
    xlsx = strcmp(format, "xlsx") == 0;
    if (!kind || !*kind)
        kind = "penalty";
    if (strcmp(kind, "penalty") && strcmp(kind, "licensing"))
        return invalid(c, "kind", "导出类别应为 penalty 或 licensing");
    cols = strcmp(kind, "penalty") == 0 ? PENALTY_COLS : LICENSING_COLS;
    if (c->who && (c->who->role & ZF_ROLES_DEPT_STAFF))
        dept = c->who->department_id;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, masked FROM publications WHERE state = 'published' AND kind = $1 "
                            "AND ($2 = 0 OR department_id = $2) ORDER BY decision_date DESC, id DESC",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, kind, -1);
    zf_stmt_bind_int64(st, 2, dept);
    zf_buf_reset(&c->out);
    if (csv) {
        zf_buf_append(&c->out, "\xEF\xBB\xBF", 3); /* BOM: spreadsheets then read UTF-8 */
        for (i = 0; cols[i]; i++)
            csv_field(&c->out, cols[i], i == 0);
        zf_buf_append(&c->out, "\r\n", 2);
    } else {
        items = json_array();
    }
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        json_t *m = json_loads(zf_stmt_text(st, 1), 0, NULL);
        json_t *row = csv ? NULL : json_object();

        for (i = 0; cols[i]; i++) {
            const char *v = json_string_value(json_object_get(m, cols[i]));

            if (csv)
                csv_field(&c->out, v ? v : "", i == 0);
            else
                json_object_set_new(row, cols[i], json_string(v ? v : ""));
        }
        if (csv)
            zf_buf_append(&c->out, "\r\n", 2);
        else
            json_array_append_new(items, row);
        json_decref(m);
    }
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    if (xlsx) { /* the same columns as the CSV, one sheet; items holds the rows */
        zf_xlsx_col xc[32];
        size_t n;

        for (n = 0; cols[n] && n < 31; n++) {
            xc[n].key = cols[n];
            xc[n].header = cols[n];
            xc[n].width = 18;
            xc[n].kind = 0;
        }
        xc[n].key = NULL;
        rc = zf_ctx_xlsx_items(c, strcmp(kind, "penalty") == 0 ? "penalties" : "licensing",
                               strcmp(kind, "penalty") == 0 ? "行政处罚" : "行政许可", items, xc);
        json_decref(items);
        return rc;
    }
    if (csv) {
        c->status = 200;
        c->content_type = "text/csv; charset=utf-8";
        zf_ctx_header(c, "Content-Disposition", strcmp(kind, "penalty") == 0
                                                    ? "attachment; filename=\"penalties.csv\""
                                                    : "attachment; filename=\"licensing.csv\"");
        return 0;
    }
    return zf_ctx_json(c, 200, json_pack("{s:s,s:o}", "kind", kind, "items", items));
}

/* ---- department resolver ---- */

static int64_t resolve_pub(zf_ctx *c)
{
    zf_stmt *st = NULL;
    int64_t id, dept = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, c->db, "SELECT department_id FROM publications WHERE id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1)
        dept = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该公示信息");
    return dept;
}

/* ---- tick: the publication period ends by itself ---- */

void zf_publication_tick(zf_db *db, int64_t now, const struct zf_settings *settings,
                         const char *data_dir)
{
    static int64_t last;
    zf_err err = {0};
    int n = 0;

    (void)settings;
    (void)data_dir;
    if (now - last < 5) /* a cheap indexed query; a period is counted in days */
        return;
    if (!zf_leader_held(now)) /* issue 9: one server runs the clocks */
        return;
    last = now;
    if (zf_publication_expire(&n, db, now, &err) < 0)
        zf_log_event("warn", "publication expiry failed", "error", err.code, NULL, 0, NULL, 0);
    else if (n > 0)
        zf_log_event("info", "publications expired", NULL, NULL, "count", n, NULL, 0);
}

const zf_route zf_publication_routes[] = {
    {"GET", "/api/v1/publications/export", pub_export, READERS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/publications", pub_list, READERS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/publications/{id}", pub_get, READERS, ZF_ROLES_DEPT_STAFF, resolve_pub, 0, NULL},
    {"POST", "/api/v1/publications/{id}/publish", pub_publish, DECIDERS, DECIDERS, resolve_pub, 0, NULL},
    {"POST", "/api/v1/publications/{id}/withdraw", pub_withdraw, DECIDERS, DECIDERS, resolve_pub, 0, NULL},
    {"POST", "/api/v1/publications/{id}/repair", pub_repair, DECIDERS, DECIDERS, resolve_pub, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
