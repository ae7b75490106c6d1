/* access_review.c — 调阅监督 (issue 8): every view and download of a
 * restricted record, for the auditor and the Justice Bureau's supervisor.
 *
 *   GET /api/v1/access-log        the looks, newest first, filtered by person
 *                                 (actor_id), case (case_id), party
 *                                 (party: 统一社会信用代码 or ID number),
 *                                 department of the record, action and days
 *                                 (from, to); paginated; format=csv exports
 *                                 every match (up to 50,000 rows)
 *   GET /api/v1/access-log/flags  the patterns of core/access_flags.h over a
 *                                 time range (default: the last 30 days),
 *                                 each with its explanation
 *
 * The looks are the audit rows (store/audit.h) whose action is a view or
 * download of a restricted record: restricted case reads (secrecy labels,
 * bundles), evidence downloads and restricted evidence views, party look-ups
 * and views of a complainant's personal data. The stated reason comes from
 * the row's detail ("...; reason=...") or the party look-up; the case and the
 * department from the object read. A party's identifier is shown masked.
 *
 * Thresholds come from the query (window_hours, max_subjects, day_start,
 * day_end) or the settings access_window_hours (24), access_max_subjects
 * (10), access_day_start (8), access_day_end (19). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/access_flags.h"
#include "core/calendar.h"
#include "store/calendar_store.h"
#include "store/settings.h"
#include "util/csv.h"
#include "util/mem.h"

#define READERS (ZF_ROLE_AUDITOR | ZF_ROLE_SUPERVISOR)
#define EXPORT_MAX 50000
#define FLAG_ROWS_MAX 50000 /* the newest looks of the range examined; truncated says so */
#define FLAGS_SHOWN_MAX 1000 /* flags answered; flag_total says how many there were */
#define CHINA_OFFSET (8 * 3600)

static const struct {
    const char *code, *name;
} ACTIONS[] = {
    {"case_view_restricted", "查阅受限案件"},
    {"evidence_view_restricted", "查看受限证据"},
    {"evidence_download", "下载证据文件"},
    {"party_view", "查询当事人记录"},
    {"complaint_personal_view", "查看投诉人信息"},
    {"complaint_attachment_view", "查看投诉附件"},
};
/* The WHERE of the partial indexes of migration 0031, the same actions in
 * the same order (SQLite uses a partial index only for a query that repeats
 * its WHERE): change both together (tests/api/test_access_review.py compares
 * them and checks the plans). Comparisons, not IN: see the migration. */
#define LOOK_ACTIONS                                                                                       \
    "(a.action = 'case_view_restricted' OR a.action = 'evidence_view_restricted' OR a.action = "          \
    "'evidence_download' OR a.action = 'party_view' OR a.action = 'complaint_personal_view' OR a.action = " \
    "'complaint_attachment_view')"

static const char *action_name(const char *code)
{
    size_t i;

    for (i = 0; i < sizeof ACTIONS / sizeof ACTIONS[0]; i++)
        if (strcmp(ACTIONS[i].code, code) == 0)
            return ACTIONS[i].name;
    return code;
}

/* The columns and joins shared by the list, the export and the flags. */
#define SELECT_COLS                                                                                    \
    "SELECT v.id, v.at, v.actor_id, v.actor_name, COALESCE(u.display_name, ''), COALESCE(u.role, ''), " \
    "COALESCE(u.department_id, 0), COALESCE(ud.name, ''), v.action, v.object_type, v.object_id, "      \
    "v.detail, v.ip, COALESCE(v.case_id, 0), COALESCE(k.case_no, ''), "                                \
    "COALESCE(v.record_dept, k.department_id, 0), COALESCE(rd.name, ''), COALESCE(v.party, ''), "      \
    "COALESCE(v.lookup_reason, ''), CASE WHEN v.object_type = 'complaint' THEN (CASE WHEN "            \
    "v.handler_id = v.actor_id THEN 1 ELSE 0 END) WHEN v.case_id IS NOT NULL AND v.case_id > 0 THEN "  \
    "(CASE WHEN k.created_by = v.actor_id OR EXISTS (SELECT 1 FROM case_officers co WHERE "            \
    "co.case_id = v.case_id AND co.officer_id = u.officer_id) THEN 1 ELSE 0 END) WHEN v.object_type "  \
    "= 'evidence' THEN (CASE WHEN v.uploader = v.actor_id THEN 1 ELSE 0 END) ELSE 0 END "
#define FROM_WHERE                                                                                     \
    "FROM (SELECT a.id, a.at, COALESCE(a.actor_id, 0) AS actor_id, a.actor_name, a.action, "           \
    "a.object_type, a.object_id, a.detail, a.ip, CASE a.object_type WHEN 'case' THEN "                 \
    "CAST(a.object_id AS BIGINT) WHEN 'evidence' THEN ef.case_id WHEN 'complaint' THEN cp.case_id "    \
    "END AS case_id, CASE a.object_type WHEN 'evidence' THEN ef.department_id WHEN 'complaint' THEN "  \
    "cp.department_id END AS record_dept, CASE a.object_type WHEN 'evidence' THEN ef.party_id WHEN "   \
    "'party_lookup' THEN pl.identifier END AS party, pl.reason AS lookup_reason, cp.handler_id AS "    \
    "handler_id, ef.created_by AS uploader FROM audit_log a LEFT JOIN evidence_files ef ON "           \
    "a.object_type = 'evidence' AND ef.id = CAST(a.object_id AS BIGINT) LEFT JOIN complaints cp ON "   \
    "a.object_type = 'complaint' AND cp.id = CAST(a.object_id AS BIGINT) LEFT JOIN party_lookups pl "  \
    "ON a.object_type = 'party_lookup' AND pl.id = CAST(a.object_id AS BIGINT) WHERE "                \
    LOOK_ACTIONS " AND a.at >= $1 AND a.at < $2 AND ($3 = 0 OR a.actor_id = $3) AND ($4 = '' OR "       \
    "a.action = $4)) v LEFT JOIN users u ON u.id = v.actor_id LEFT JOIN departments ud ON ud.id = "    \
    "u.department_id LEFT JOIN cases k ON k.id = v.case_id LEFT JOIN departments rd ON rd.id = "       \
    "COALESCE(v.record_dept, k.department_id) WHERE ($5 = 0 OR v.case_id = $5) AND ($6 = '' OR "       \
    "v.party = $6 OR EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = v.case_id AND "            \
    "p.identifier = $6)) AND ($7 = 0 OR COALESCE(v.record_dept, k.department_id) = $7) "

typedef struct filter {
    int64_t from, to;       /* Unix seconds, [from, to) */
    int64_t actor, case_id, dept;
    char party[24];
    const char *action;
} filter;

static int int_param(zf_ctx *c, const char *key, const char *setting, int def, int *out)
{
    const char *s = zf_ctx_query(c, key);
    char *end;
    long v;

    *out = atoi(zf_settings_get(c->settings, setting, "0"));
    if (*out <= 0)
        *out = def;
    if (!s || !*s)
        return 0;
    v = strtol(s, &end, 10);
    if (*end || v < 0 || v > 100000)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", key, "参数 %s 应为非负整数", key);
    *out = (int)v;
    return 0;
}

/* Day parameter as the Unix second of China midnight (plus one day for an
 * inclusive end); *out untouched when absent. */
static int day_param(zf_ctx *c, const char *key, int end, int64_t *out)
{
    const char *s = zf_ctx_query(c, key);
    zf_date d;

    if (!s || !*s)
        return 0;
    if (zf_date_parse(&d, s, strlen(s), key, &c->err) < 0)
        return c->err.rc;
    *out = ((int64_t)d + (end ? 1 : 0)) * 86400 - CHINA_OFFSET;
    return 0;
}

static int read_filter(filter *f, zf_ctx *c, int64_t def_from)
{
    const char *party = zf_ctx_query(c, "party"), *action = zf_ctx_query(c, "action");
    size_t i, n;
    int rc;

    memset(f, 0, sizeof *f);
    f->from = def_from;
    f->to = INT64_MAX / 2;
    if ((rc = zf_ctx_query_id(c, "actor_id", &f->actor)) < 0 || (rc = zf_ctx_query_id(c, "case_id", &f->case_id)) < 0 ||
        (rc = zf_ctx_query_id(c, "department_id", &f->dept)) < 0 || (rc = day_param(c, "from", 0, &f->from)) < 0 ||
        (rc = day_param(c, "to", 1, &f->to)) < 0)
        return rc;
    if (f->from >= f->to)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "to", "结束日期不能早于开始日期");
    if (party && *party) {
        n = strlen(party);
        if (n < 2 || n > 20)
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "party",
                              "当事人标识应为统一社会信用代码或身份证号码");
        for (i = 0; i < n; i++) {
            char ch = party[i];

            if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')))
                return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "party",
                                  "当事人标识只能包含字母和数字");
            f->party[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
        }
    }
    if (action && *action) {
        for (i = 0; i < sizeof ACTIONS / sizeof ACTIONS[0]; i++)
            if (strcmp(ACTIONS[i].code, action) == 0)
                break;
        if (i == sizeof ACTIONS / sizeof ACTIONS[0])
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "action", "未知的调阅类型");
        f->action = action;
    }
    return 0;
}

static void bind_filter(zf_stmt *st, const filter *f)
{
    zf_stmt_bind_int64(st, 1, f->from);
    zf_stmt_bind_int64(st, 2, f->to);
    zf_stmt_bind_int64(st, 3, f->actor);
    zf_stmt_bind_text(st, 4, f->action ? f->action : "", -1);
    zf_stmt_bind_int64(st, 5, f->case_id);
    zf_stmt_bind_text(st, 6, f->party, -1);
    zf_stmt_bind_int64(st, 7, f->dept);
}

/* The stated reason: the look-up's, else what follows "reason=" in the
 * detail (the writers put it last). */
static const char *reason_of(zf_stmt *st)
{
    const char *r = zf_stmt_text(st, 18), *d;

    if (*r)
        return r;
    d = strstr(zf_stmt_text(st, 11), "reason=");
    return d ? d + 7 : "";
}

/* An identifier with its middle hidden: 110101********1234. */
static void mask_party(char *out, size_t size, const char *s)
{
    size_t n = strlen(s), i;

    if (n >= size)
        n = size - 1;
    for (i = 0; i < n; i++)
        out[i] = n > 10 && (i < 6 || i >= n - 4) ? s[i] : '*';
    out[n] = '\0';
}

static json_t *row_json(zf_stmt *st)
{
    char party[32];
    const char *action = zf_stmt_text(st, 8);
    json_t *o = json_object(), *actor;

    mask_party(party, sizeof party, zf_stmt_text(st, 17));
    actor = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s}", "id", (json_int_t)zf_stmt_int64(st, 2), "username",
                      zf_stmt_text(st, 3), "display_name", zf_stmt_text(st, 4), "role", zf_stmt_text(st, 5),
                      "department_id", (json_int_t)zf_stmt_int64(st, 6), "department", zf_stmt_text(st, 7));
    json_object_set_new(o, "id", json_integer(zf_stmt_int64(st, 0)));
    json_object_set_new(o, "at", json_integer(zf_stmt_int64(st, 1)));
    json_object_set_new(o, "actor", actor);
    json_object_set_new(o, "action", json_string(action));
    json_object_set_new(o, "action_name", json_string(action_name(action)));
    json_object_set_new(o, "object_type", json_string(zf_stmt_text(st, 9)));
    json_object_set_new(o, "object_id", json_string(zf_stmt_text(st, 10)));
    json_object_set_new(o, "case_id", zf_stmt_int64(st, 13) ? json_integer(zf_stmt_int64(st, 13)) : json_null());
    json_object_set_new(o, "case_no", json_string(zf_stmt_text(st, 14)));
    json_object_set_new(o, "record_department_id",
                        zf_stmt_int64(st, 15) ? json_integer(zf_stmt_int64(st, 15)) : json_null());
    json_object_set_new(o, "record_department", json_string(zf_stmt_text(st, 16)));
    json_object_set_new(o, "party", json_string(party));
    json_object_set_new(o, "reason", json_string(reason_of(st)));
    json_object_set_new(o, "related", json_boolean(zf_stmt_int64(st, 19)));
    json_object_set_new(o, "ip", json_string(zf_stmt_text(st, 12)));
    return o;
}

/* "2026-11-27 21:05:09" in China time. */
static void local_time(char out[32], int64_t at)
{
    int64_t local = at + CHINA_OFFSET, day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int s = (int)(local - day * 86400), y, m, d;

    zf_date_to_ymd((zf_date)day, &y, &m, &d);
    snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, s / 3600, s / 60 % 60, s % 60);
}

static int export_csv(zf_ctx *c, zf_stmt *st)
{
    static const char *const head[] = {"序号", "时间", "人员", "账号", "人员所属部门", "调阅类型",
                                       "案件编号", "案件文号", "记录所属部门", "当事人", "调阅事由",
                                       "对象类型", "对象编号", "是否承办", "IP 地址"};
    char t[32], party[32], num[24];
    size_t i;
    int rc, n = 0;

    zf_buf_reset(&c->out);
    zf_buf_append(&c->out, "\xEF\xBB\xBF", 3); /* BOM: spreadsheets then read UTF-8 */
    for (i = 0; i < sizeof head / sizeof head[0]; i++)
        zf_csv_put(&c->out, head[i], i == 0);
    zf_csv_end_row(&c->out);
    while ((rc = zf_stmt_step(st, &c->err)) == 1 && n++ < EXPORT_MAX) {
        snprintf(num, sizeof num, "%lld", (long long)zf_stmt_int64(st, 0));
        zf_csv_put(&c->out, num, 1);
        local_time(t, zf_stmt_int64(st, 1));
        zf_csv_put(&c->out, t, 0);
        zf_csv_put(&c->out, zf_stmt_text(st, 4), 0);
        zf_csv_put(&c->out, zf_stmt_text(st, 3), 0);
        zf_csv_put(&c->out, zf_stmt_text(st, 7), 0);
        zf_csv_put(&c->out, action_name(zf_stmt_text(st, 8)), 0);
        snprintf(num, sizeof num, "%lld", (long long)zf_stmt_int64(st, 13));
        zf_csv_put(&c->out, zf_stmt_int64(st, 13) ? num : "", 0);
        zf_csv_put(&c->out, zf_stmt_text(st, 14), 0);
        zf_csv_put(&c->out, zf_stmt_text(st, 16), 0);
        mask_party(party, sizeof party, zf_stmt_text(st, 17));
        zf_csv_put(&c->out, party, 0);
        zf_csv_put(&c->out, reason_of(st), 0);
        zf_csv_put(&c->out, zf_stmt_text(st, 9), 0);
        zf_csv_put(&c->out, zf_stmt_text(st, 10), 0);
        zf_csv_put(&c->out, zf_stmt_int64(st, 19) ? "是" : "否", 0);
        zf_csv_put(&c->out, zf_stmt_text(st, 12), 0);
        zf_csv_end_row(&c->out);
    }
    if (rc < 0)
        return rc;
    c->status = 200;
    c->content_type = "text/csv; charset=utf-8";
    zf_ctx_header(c, "Content-Disposition", "attachment; filename=\"access-log.csv\"");
    return 0;
}

/* ---- GET /api/v1/access-log ---- */

static int h_list(zf_ctx *c)
{
    static const zf_sort_key keys[] = {{"at", "v.at"}, {NULL, NULL}};
    const char *format = zf_ctx_query(c, "format");
    zf_list_params lp;
    zf_stmt *st = NULL;
    json_t *items = NULL;
    filter f;
    int64_t total = 0;
    int rc, csv;

    if (format && *format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "format", "导出格式应为 csv 或 json");
    csv = format && strcmp(format, "csv") == 0;
    if ((rc = zf_list_params_read(&lp, c, keys)) < 0 || (rc = read_filter(&f, c, 0)) < 0)
        return rc;
    if (csv) {
        if ((rc = zf_db_prepare(&st, c->db, SELECT_COLS FROM_WHERE "ORDER BY v.at DESC, v.id DESC", &c->err)) < 0)
            return rc;
        bind_filter(st, &f);
        rc = export_csv(c, st);
        zf_stmt_free(st);
        return rc;
    }
    /* without a filter on the record the count needs no join: the index on
     * (action, at) answers it (200,000 looks: see docs/benchmarks.md) */
    if ((rc = zf_db_prepare(&st, c->db,
                            f.case_id || f.party[0] || f.dept
                                ? "SELECT COUNT(*) " FROM_WHERE
                                : "SELECT COUNT(*) FROM audit_log a WHERE " LOOK_ACTIONS
                                  " AND a.at >= $1 AND a.at < $2 AND ($3 = 0 OR a.actor_id = $3) AND "
                                  "($4 = '' OR a.action = $4) AND $5 = $5 AND $6 = $6 AND $7 = $7",
                            &c->err)) < 0)
        return rc;
    bind_filter(st, &f);
    if ((rc = zf_stmt_step(st, &c->err)) == 1)
        total = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        return rc;
    /* the page's ids first, from a narrow sort; only those 20-100 rows get
     * the joins and the per-row "is on the case" look-up */
    if ((rc = zf_db_prepare(&st, c->db,
                            f.case_id || f.party[0] || f.dept
                                ? SELECT_COLS FROM_WHERE "AND v.id IN (SELECT v.id " FROM_WHERE
                                                         "ORDER BY v.at DESC, v.id DESC LIMIT $8 OFFSET $9) "
                                                         "ORDER BY v.at DESC, v.id DESC"
                                : SELECT_COLS FROM_WHERE "AND v.id IN (SELECT a.id FROM audit_log a WHERE "
                                  LOOK_ACTIONS " AND a.at >= $1 AND a.at < $2 AND ($3 = 0 OR a.actor_id = $3) AND "
                                  "($4 = '' OR a.action = $4) ORDER BY a.at DESC, a.id DESC LIMIT $8 OFFSET $9) "
                                  "ORDER BY v.at DESC, v.id DESC",
                            &c->err)) < 0)
        return rc;
    bind_filter(st, &f);
    zf_stmt_bind_int64(st, 8, lp.per_page);
    zf_stmt_bind_int64(st, 9, lp.offset);
    items = json_array();
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, row_json(st));
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return zf_ctx_json(c, 200, json_pack("{s:o,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total, "page",
                                         (json_int_t)lp.page, "per_page", (json_int_t)lp.per_page));
}

/* ---- GET /api/v1/access-log/flags ---- */

typedef struct loaded {
    zf_access_row *rows;
    char **strings;   /* owned copies the rows point into */
    size_t n, cap, ns, scap;
} loaded;

static const char *keep(loaded *l, const char *s)
{
    if (l->ns == l->scap) {
        l->scap = l->scap ? l->scap * 2 : 64;
        l->strings = zf_realloc(l->strings, l->scap * sizeof *l->strings);
    }
    return l->strings[l->ns++] = zf_strdup(s);
}

static void loaded_free(loaded *l)
{
    size_t i;

    for (i = 0; i < l->ns; i++)
        free(l->strings[i]);
    free(l->strings);
    free(l->rows);
}

static int h_flags(zf_ctx *c)
{
    zf_access_thresholds t = ZF_ACCESS_THRESHOLDS_INIT;
    const zf_calendar *cal = NULL;
    zf_access_flag *flags = NULL;
    zf_stmt *st = NULL;
    loaded l = {0};
    json_t *items = NULL, *th;
    size_t nf = 0, i, j;
    filter f;
    int rc;

    if ((rc = int_param(c, "window_hours", "access_window_hours", 24, &t.window_hours)) < 0 ||
        (rc = int_param(c, "max_subjects", "access_max_subjects", 10, &t.max_subjects)) < 0 ||
        (rc = int_param(c, "day_start", "access_day_start", 8, &t.day_start)) < 0 ||
        (rc = int_param(c, "day_end", "access_day_end", 19, &t.day_end)) < 0 ||
        (rc = zf_access_thresholds_check(&t, &c->err)) < 0 ||
        (rc = read_filter(&f, c, c->now - 30 * 86400)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, c->db, SELECT_COLS FROM_WHERE "ORDER BY v.at DESC, v.id DESC LIMIT $8", &c->err)) < 0)
        return rc;
    bind_filter(st, &f);
    zf_stmt_bind_int64(st, 8, FLAG_ROWS_MAX);
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        zf_access_row *r;
        char subj[64];
        const char *role = zf_stmt_text(st, 5);

        if (l.n == l.cap) {
            l.cap = l.cap ? l.cap * 2 : 256;
            l.rows = zf_realloc(l.rows, l.cap * sizeof *l.rows);
        }
        r = &l.rows[l.n++];
        memset(r, 0, sizeof *r);
        r->id = zf_stmt_int64(st, 0);
        r->at = zf_stmt_int64(st, 1);
        r->actor_id = zf_stmt_int64(st, 2);
        r->actor_name = keep(&l, *zf_stmt_text(st, 4) ? zf_stmt_text(st, 4) : zf_stmt_text(st, 3));
        r->actor_dept = zf_stmt_int64(st, 6);
        r->cross_dept_ok = strcmp(role, "supervisor") == 0 || strcmp(role, "auditor") == 0;
        r->record_dept = zf_stmt_int64(st, 15);
        r->record_dept_name = keep(&l, zf_stmt_text(st, 16));
        if (zf_stmt_int64(st, 13))
            snprintf(subj, sizeof subj, "case:%lld", (long long)zf_stmt_int64(st, 13));
        else if (*zf_stmt_text(st, 17))
            snprintf(subj, sizeof subj, "party:%s", zf_stmt_text(st, 17));
        else
            snprintf(subj, sizeof subj, "%s:%s", zf_stmt_text(st, 9), zf_stmt_text(st, 10));
        r->subject = keep(&l, subj);
        r->related = (int)zf_stmt_int64(st, 19);
    }
    zf_stmt_free(st);
    if (rc < 0)
        goto done;
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        goto done;
    rc = zf_access_flags_find(&flags, &nf, l.rows, l.n, &t, cal, &c->err);
    zf_calendar_cache_release(cal);
    if (rc < 0)
        goto done;
    items = json_array();
    for (i = 0; i < nf && i < FLAGS_SHOWN_MAX; i++) {
        json_t *ids = json_array(), *o;
        const char *name = "";

        for (j = 0; j < flags[i].n_rows; j++)
            json_array_append_new(ids, json_integer(flags[i].row_ids[j]));
        for (j = 0; j < l.n; j++)
            if (l.rows[j].actor_id == flags[i].actor_id) {
                name = l.rows[j].actor_name;
                break;
            }
        o = json_pack("{s:s,s:s,s:I,s:s,s:I,s:I,s:I,s:s,s:o}", "kind", zf_access_flag_code(flags[i].kind),
                      "kind_name", zf_access_flag_name(flags[i].kind), "actor_id", (json_int_t)flags[i].actor_id,
                      "actor", name, "first_at", (json_int_t)flags[i].first_at, "last_at",
                      (json_int_t)flags[i].last_at, "count", (json_int_t)flags[i].count, "explanation",
                      flags[i].explanation, "audit_ids", ids);
        json_array_append_new(items, o);
    }
    th = json_pack("{s:i,s:i,s:i,s:i}", "window_hours", t.window_hours, "max_subjects", t.max_subjects,
                   "day_start", t.day_start, "day_end", t.day_end);
    rc = zf_ctx_json(c, 200, json_pack("{s:o,s:I,s:o,s:I,s:b}", "items", items, "flag_total", (json_int_t)nf,
                                       "thresholds", th, "rows_examined", (json_int_t)l.n, "truncated",
                                       l.n >= FLAG_ROWS_MAX));
    items = NULL;
done:
    json_decref(items);
    free(flags);
    loaded_free(&l);
    return rc;
}

const zf_route zf_access_review_routes[] = {
    {"GET", "/api/v1/access-log", h_list, READERS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/access-log/flags", h_flags, READERS, 0, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
