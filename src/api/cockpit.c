/* cockpit.c — the Justice Bureau's supervision of implementation (issue 8):
 * the cockpit, the assessment weights, the early-warning rules and what they
 * found, and the weekly bulletin. The tracker and filings are in filings.c.
 *
 *   GET  /api/v1/cockpit                       city view (supervisor)
 *   GET  /api/v1/departments/{id}/cockpit      one department (supervisor; head: own)
 *   POST /api/v1/cockpit/refresh               recompute now (supervisor)
 *   GET  /api/v1/cockpit/bulletin              the weekly bulletin as PDF (supervisor)
 *   GET|PUT /api/v1/cockpit/weights            考评 weights (supervisor)
 *   GET  /api/v1/warnings                      findings (?department_id, level, rule)
 *   GET|POST /api/v1/warning-rules, PUT /api/v1/warning-rules/{id}
 *
 * The numbers come from cockpit_stats, which zf_cockpit_tick recomputes
 * every ZF_COCKPIT_INTERVAL seconds (store/cockpit_store.h); every answer
 * says when they were computed. */
#include "api/api.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "store/calendar_store.h"
#include "store/cockpit_store.h"
#include "util/log.h"
#include "util/mem.h"

/* How old the precomputed numbers may get before the tick recomputes them. */
#define ZF_COCKPIT_INTERVAL 300

#define SUP ZF_ROLE_SUPERVISOR

static int audit(zf_ctx *c, const char *action, const char *type, int64_t id, const char *detail)
{
    zf_audit_event ev = {0};
    char oid[24];

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    ev.at = c->now;
    ev.actor_id = c->who->user_id;
    ev.actor_name = c->who->username;
    ev.action = action;
    ev.object_type = type;
    ev.object_id = oid;
    ev.ip = c->ip;
    ev.request_id = c->request_id;
    ev.detail = detail;
    return zf_audit_write(c->db, &ev, &c->err);
}

static int64_t resolve_dept_path(zf_ctx *c)
{
    int64_t id;
    int rc = zf_ctx_param_id(c, 0, &id);

    return rc < 0 ? rc : id;
}

/* A recomputation over a large database takes seconds (docs/benchmarks.md,
 * "Cockpit"): the tick hands it to a thread of its own with its own
 * connection, so the other ticks (checkpoints every second) do not wait.
 * One runs at a time. */
static atomic_int refreshing;

typedef struct refresh_job {
    char path[4096];
    int64_t now;
} refresh_job;

static void refresh_in(zf_db *db, int64_t now)
{
    zf_err err = ZF_ERR_INIT;
    int64_t ms = 0;

    if (zf_cockpit_refresh(&ms, db, now, &err) < 0)
        zf_log_event("warn", "cockpit refresh failed", "error", err.code, NULL, 0, NULL, 0);
    else if (ms > 1000)
        zf_log_event("info", "cockpit refreshed", NULL, NULL, "ms", ms, NULL, 0);
}

static void *refresh_thread(void *arg)
{
    refresh_job *j = arg;
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;

    if (zf_db_open(&db, j->path, &err) < 0)
        zf_log_event("warn", "cockpit refresh failed", "error", err.code, NULL, 0, NULL, 0);
    else
        refresh_in(db, j->now);
    zf_db_close(db);
    free(j);
    atomic_store(&refreshing, 0);
    return NULL;
}

void zf_cockpit_tick(zf_db *db, int64_t now, const struct zf_settings *settings, const char *data_dir)
{
    refresh_job *j;
    pthread_attr_t attr;
    pthread_t t;
    int started;

    (void)settings;
    if (!zf_leader_held(now)) /* issue 9: one server computes */
        return;
    if (now - zf_cockpit_computed_at(db) < ZF_COCKPIT_INTERVAL || atomic_exchange(&refreshing, 1))
        return;
    if (!data_dir) {
        refresh_in(db, now);
        atomic_store(&refreshing, 0);
        return;
    }
    j = zf_calloc(1, sizeof *j);
    /* the database the server opened: zhifa.db, or the PostgreSQL
     * database its zhifa.conf names */
    if (snprintf(j->path, sizeof j->path, "%s", zf_db_location(db)) >= (int)sizeof j->path || !j->path[0]) {
        zf_log_event("warn", "cockpit refresh failed", "error", "database_location", NULL, 0, NULL, 0);
        free(j);
        atomic_store(&refreshing, 0);
        return;
    }
    j->now = now;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    started = pthread_create(&t, &attr, refresh_thread, j) == 0;
    pthread_attr_destroy(&attr);
    if (!started) {
        free(j);
        refresh_in(db, now);
        atomic_store(&refreshing, 0);
    }
}

/* ---- the cockpit --------------------------------------------------------------------------- */

static int view(zf_ctx *c, int64_t dept)
{
    json_t *o = NULL;
    int rc;

    if (zf_cockpit_computed_at(c->db) == 0 && (rc = zf_cockpit_refresh(NULL, c->db, c->now, &c->err)) < 0)
        return rc;
    if ((rc = zf_cockpit_view(&o, c->db, dept, c->now, &c->err)) < 0)
        return rc;
    return zf_ctx_json(c, 200, o);
}

static int h_city(zf_ctx *c)
{
    return view(c, 0);
}

static int h_dept(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return view(c, id);
}

static int h_refresh(zf_ctx *c)
{
    int64_t ms = 0;
    int rc;
    char detail[48];

    if (c->body_len && strspn(c->body, " \t\r\n{}") != c->body_len)
        return zf_err_set(&c->err, ZF_EINVAL, "unknown_field", NULL, "该操作不接受参数");
    if ((rc = zf_cockpit_refresh(&ms, c->db, c->now, &c->err)) < 0)
        return rc;
    snprintf(detail, sizeof detail, "ms=%lld", (long long)ms);
    if ((rc = audit(c, "cockpit_refresh", "cockpit", 1, detail)) < 0)
        return rc;
    return zf_ctx_json(c, 200, json_pack("{s:I, s:I}", "computed_at", (json_int_t)c->now, "duration_ms",
                                         (json_int_t)ms));
}

/* ---- weights --------------------------------------------------------------------------------- */

static int weights_json(json_t **out, zf_ctx *c)
{
    zf_stmt *s = NULL;
    json_t *a = json_array();
    int rc;

    if ((rc = zf_db_prepare(&s, c->db, "SELECT component, label, weight FROM assessment_weights ORDER BY component",
                            &c->err)) < 0) {
        json_decref(a);
        return rc;
    }
    while ((rc = zf_stmt_step(s, &c->err)) == 1)
        json_array_append_new(a, json_pack("{s:s, s:s, s:f}", "component", zf_stmt_text(s, 0), "label",
                                           zf_stmt_text(s, 1), "weight", zf_stmt_double(s, 2)));
    zf_stmt_free(s);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    *out = json_pack("{s:o}", "weights", a);
    return 0;
}

static int h_weights_get(zf_ctx *c)
{
    json_t *o;
    int rc = weights_json(&o, c);

    return rc < 0 ? rc : zf_ctx_json(c, 200, o);
}

static const zf_json_field WEIGHTS_SPEC[] = {
    {"weights", ZF_JT_ARRAY, 1, 20, "权重"},
    {NULL, 0, 0, 0, NULL},
};

/* Body {"weights":[{"component","weight"}...]}: every component named must
 * exist, weights 0..1000, at least one positive in the result. */
static int h_weights_put(zf_ctx *c)
{
    json_t *in = NULL, *a, *o = NULL;
    zf_stmt *s = NULL;
    size_t i;
    int64_t positive = 0;
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, WEIGHTS_SPEC, &c->err)) < 0)
        return rc;
    a = json_object_get(in, "weights");
    for (i = 0; i < json_array_size(a); i++) {
        json_t *it = json_array_get(a, i), *w = json_object_get(it, "weight");
        const char *comp = json_string_value(json_object_get(it, "component"));
        int64_t known = 0;

        if (!json_is_object(it) || !comp || !json_is_number(w) || json_object_size(it) != 2) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "weights",
                            "第 %zu 项应为 {\"component\": 名称, \"weight\": 数值}", i + 1);
            goto done;
        }
        if (json_number_value(w) < 0 || json_number_value(w) > 1000) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "out_of_range", "weights", "第 %zu 项：权重应在 0 至 1000 之间", i + 1);
            goto done;
        }
        {
            const char *p[1] = {comp};

            if ((rc = zf_db_query_int64(c->db, &known, "SELECT COUNT(*) FROM assessment_weights WHERE component = $1",
                                        &c->err, 1, p)) < 0)
                goto done;
        }
        if (!known) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "weights", "第 %zu 项：没有考评项 %s", i + 1, comp);
            goto done;
        }
    }
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    for (i = 0; i < json_array_size(a); i++) {
        json_t *it = json_array_get(a, i);

        if ((rc = zf_db_prepare(&s, c->db, "UPDATE assessment_weights SET weight = $2 WHERE component = $1",
                                &c->err)) < 0)
            goto fail;
        zf_stmt_bind_text(s, 1, json_string_value(json_object_get(it, "component")), -1);
        zf_stmt_bind_double(s, 2, json_number_value(json_object_get(it, "weight")));
        rc = zf_stmt_step(s, &c->err);
        zf_stmt_free(s);
        s = NULL;
        if (rc < 0)
            goto fail;
    }
    if ((rc = zf_db_query_int64(c->db, &positive, "SELECT COUNT(*) FROM assessment_weights WHERE weight > 0",
                                &c->err, 0, NULL)) < 0)
        goto fail;
    if (!positive) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "weights", "至少一项考评权重应大于 0");
        goto fail;
    }
    if ((rc = audit(c, "assessment_weights_update", "assessment_weights", 1, NULL)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    if ((rc = weights_json(&o, c)) == 0)
        rc = zf_ctx_json(c, 200, o);
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    json_decref(in);
    return rc;
}

/* ---- warnings -------------------------------------------------------------------------------- */

static int id_query(zf_ctx *c, const char *key, int64_t *out)
{
    const char *s = zf_ctx_query(c, key);
    char *end;
    long long v;

    *out = 0;
    if (!s || !*s)
        return 0;
    v = strtoll(s, &end, 10);
    if (*end || v <= 0)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", key, "%s应为正整数", key);
    *out = v;
    return 0;
}

static int h_warnings(zf_ctx *c)
{
    zf_stmt *s = NULL;
    json_t *a;
    const char *level = zf_ctx_query(c, "level"), *rule = zf_ctx_query(c, "rule");
    int64_t dept, total = 0;
    int rc;

    if ((rc = id_query(c, "department_id", &dept)) < 0)
        return rc;
    if (level && *level && strcmp(level, "red") != 0 && strcmp(level, "yellow") != 0)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "level", "级别只能是 red（红牌）或 yellow（黄牌）");
    if ((rc = zf_db_prepare(&s, c->db,
                            "SELECT w.id, w.rule_id, r.code, r.name, w.department_id, d.name, w.level, "
                            "w.object_type, w.object_id, w.case_id, w.explanation, w.link, w.computed_at "
                            "FROM warnings w JOIN warning_rules r ON r.id = w.rule_id "
                            "LEFT JOIN departments d ON d.id = w.department_id "
                            "WHERE ($1 = 0 OR w.department_id = $1) AND ($2 = '' OR w.level = $2) "
                            "AND ($3 = '' OR r.code = $3) "
                            "ORDER BY CASE w.level WHEN 'red' THEN 0 ELSE 1 END, w.department_id, w.id LIMIT 1000",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(s, 1, dept);
    zf_stmt_bind_text(s, 2, level ? level : "", -1);
    zf_stmt_bind_text(s, 3, rule ? rule : "", -1);
    a = json_array();
    while ((rc = zf_stmt_step(s, &c->err)) == 1) {
        json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I}", "id",
                              (json_int_t)zf_stmt_int64(s, 0), "rule_id", (json_int_t)zf_stmt_int64(s, 1),
                              "rule", zf_stmt_text(s, 2), "rule_name", zf_stmt_text(s, 3), "level",
                              zf_stmt_text(s, 6), "object_type", zf_stmt_text(s, 7), "object_id",
                              (json_int_t)zf_stmt_int64(s, 8), "explanation", zf_stmt_text(s, 10), "link",
                              zf_stmt_text(s, 11), "computed_at", (json_int_t)zf_stmt_int64(s, 12));

        json_object_set_new(o, "department_id", zf_json_int_or_null(s, 4));
        json_object_set_new(o, "department", zf_json_text_or_null(s, 5));
        json_object_set_new(o, "case_id", zf_json_int_or_null(s, 9));
        json_array_append_new(a, o);
        total++;
    }
    zf_stmt_free(s);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    return zf_ctx_json(c, 200, json_pack("{s:o, s:I}", "items", a, "total", (json_int_t)total));
}

/* ---- rules ----------------------------------------------------------------------------------- */

static json_t *rule_row(zf_stmt *s)
{
    json_t *p = json_loads(zf_stmt_text(s, 5), 0, NULL);

    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:b, s:I}", "id", (json_int_t)zf_stmt_int64(s, 0), "code",
                     zf_stmt_text(s, 1), "kind", zf_stmt_text(s, 2), "name", zf_stmt_text(s, 3), "level",
                     zf_stmt_text(s, 4), "params", p ? p : json_object(), "enabled", zf_stmt_int64(s, 6) != 0,
                     "fired", (json_int_t)zf_stmt_int64(s, 7));
}

#define RULE_COLS                                                                                        \
    "SELECT r.id, r.code, r.kind, r.name, r.level, r.params, r.enabled, (SELECT COALESCE(SUM(value), 0) " \
    "FROM cockpit_stats WHERE metric = 'rule:' || r.code) FROM warning_rules r "

static int h_rules(zf_ctx *c)
{
    zf_stmt *s = NULL;
    json_t *a = json_array();
    int rc;

    if ((rc = zf_db_prepare(&s, c->db, RULE_COLS "ORDER BY r.id", &c->err)) < 0) {
        json_decref(a);
        return rc;
    }
    while ((rc = zf_stmt_step(s, &c->err)) == 1)
        json_array_append_new(a, rule_row(s));
    zf_stmt_free(s);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    return zf_ctx_json(c, 200, json_pack("{s:o, s:o}", "items", a, "kinds", zf_cockpit_rule_kinds()));
}

static int rule_answer(zf_ctx *c, int status, int64_t id)
{
    zf_stmt *s = NULL;
    json_t *o = NULL;
    int rc;

    if ((rc = zf_db_prepare(&s, c->db, RULE_COLS "WHERE r.id = $1", &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(s, 1, id);
    if ((rc = zf_stmt_step(s, &c->err)) == 1)
        o = rule_row(s);
    zf_stmt_free(s);
    if (rc < 0)
        return rc;
    if (!o)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "预警规则不存在");
    return zf_ctx_json(c, status, o);
}

static const zf_json_field RULE_SPEC[] = {
    {"code", ZF_JT_STRING, 1, 60, "规则代码"},
    {"kind", ZF_JT_STRING, 1, 48, "规则类型"},
    {"name", ZF_JT_STRING, 1, 100, "规则名称"},
    {"level", ZF_JT_STRING, 1, 8, "级别"},
    {"enabled", ZF_JT_BOOL, 0, 0, "是否启用"},
    {NULL, 0, 0, 0, NULL},
};

static const zf_json_field RULE_EDIT_SPEC[] = {
    {"name", ZF_JT_STRING, 0, 100, "规则名称"},
    {"level", ZF_JT_STRING, 0, 8, "级别"},
    {"enabled", ZF_JT_BOOL, 0, 0, "是否启用"},
    {NULL, 0, 0, 0, NULL},
};

/* zf_json_decode has no object type: params is taken out of the body,
 * checked against the kind, and the rest decoded with the spec. */
static int decode_rule(json_t **out, json_t **out_params, zf_ctx *c, const zf_json_field *spec)
{
    json_t *raw = json_loadb(c->body, c->body_len, 0, NULL), *p;
    char *rest;
    int rc;

    *out = *out_params = NULL;
    if (!json_is_object(raw)) {
        json_decref(raw);
        return zf_err_set(&c->err, ZF_EINVAL, "invalid_json", NULL, "请求内容应为 JSON 对象");
    }
    p = json_object_get(raw, "params");
    if (p) {
        json_incref(p);
        json_object_del(raw, "params");
    }
    rest = json_dumps(raw, JSON_COMPACT);
    json_decref(raw);
    rc = zf_json_decode(out, rest, strlen(rest), spec, &c->err);
    free(rest);
    if (rc < 0) {
        json_decref(p);
        return rc;
    }
    *out_params = p;
    return 0;
}

static int check_level(zf_ctx *c, const char *level)
{
    if (level && strcmp(level, "red") != 0 && strcmp(level, "yellow") != 0)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "level", "级别只能是 red（红牌）或 yellow（黄牌）");
    return 0;
}

static int h_rule_create(zf_ctx *c)
{
    json_t *in = NULL, *p = NULL;
    zf_stmt *s = NULL;
    const char *code, *kind, *level;
    char *ptxt = NULL;
    int64_t id = 0;
    int rc;

    if ((rc = decode_rule(&in, &p, c, RULE_SPEC)) < 0)
        return rc;
    code = json_string_value(json_object_get(in, "code"));
    kind = json_string_value(json_object_get(in, "kind"));
    level = json_string_value(json_object_get(in, "level"));
    if (!p)
        p = json_object();
    if (strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(code)) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "code", "规则代码只能由小写字母、数字和下划线组成");
        goto done;
    }
    if ((rc = check_level(c, level)) < 0 || (rc = zf_cockpit_rule_params_check(kind, p, &c->err)) < 0)
        goto done;
    ptxt = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&s, c->db,
                            "INSERT INTO warning_rules (code, kind, name, level, params, enabled, created_at, "
                            "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_text(s, 1, code, -1);
    zf_stmt_bind_text(s, 2, kind, -1);
    zf_stmt_bind_text(s, 3, json_string_value(json_object_get(in, "name")), -1);
    zf_stmt_bind_text(s, 4, level, -1);
    zf_stmt_bind_text(s, 5, ptxt, -1);
    zf_stmt_bind_int64(s, 6, json_is_false(json_object_get(in, "enabled")) ? 0 : 1);
    zf_stmt_bind_int64(s, 7, c->now);
    if ((rc = zf_stmt_step(s, &c->err)) == 1)
        id = zf_stmt_int64(s, 0);
    zf_stmt_free(s);
    if (rc == ZF_ECONFLICT) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "conflict", "code", "规则代码 %s 已存在", code);
        goto fail;
    }
    if (rc < 0 || (rc = audit(c, "warning_rule_create", "warning_rule", id, kind)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    rc = rule_answer(c, 201, id);
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    free(ptxt);
    json_decref(in);
    json_decref(p);
    return rc;
}

static int h_rule_update(zf_ctx *c)
{
    json_t *in = NULL, *p = NULL;
    zf_stmt *s = NULL;
    char kind[64] = "", *ptxt = NULL;
    const char *level;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&s, c->db, "SELECT kind FROM warning_rules WHERE id = $1", &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(s, 1, id);
    if ((rc = zf_stmt_step(s, &c->err)) == 1)
        snprintf(kind, sizeof kind, "%s", zf_stmt_text(s, 0));
    zf_stmt_free(s);
    s = NULL;
    if (rc < 0)
        return rc;
    if (!*kind)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "预警规则不存在");
    if ((rc = decode_rule(&in, &p, c, RULE_EDIT_SPEC)) < 0)
        return rc;
    level = json_string_value(json_object_get(in, "level"));
    if ((rc = check_level(c, level)) < 0 || (p && (rc = zf_cockpit_rule_params_check(kind, p, &c->err)) < 0))
        goto done;
    if (p)
        ptxt = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&s, c->db,
                            "UPDATE warning_rules SET name = COALESCE($2, name), level = COALESCE($3, level), "
                            "params = COALESCE($4, params), enabled = COALESCE($5, enabled), updated_at = $6 "
                            "WHERE id = $1",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(s, 1, id);
    zf_stmt_bind_text_or_null(s, 2, json_string_value(json_object_get(in, "name")));
    zf_stmt_bind_text_or_null(s, 3, level);
    zf_stmt_bind_text_or_null(s, 4, ptxt);
    if (json_object_get(in, "enabled"))
        zf_stmt_bind_int64(s, 5, json_is_true(json_object_get(in, "enabled")));
    else
        zf_stmt_bind_null(s, 5);
    zf_stmt_bind_int64(s, 6, c->now);
    rc = zf_stmt_step(s, &c->err);
    zf_stmt_free(s);
    if (rc < 0 || (rc = audit(c, "warning_rule_update", "warning_rule", id, ptxt)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    rc = rule_answer(c, 200, id);
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    free(ptxt);
    json_decref(in);
    json_decref(p);
    return rc;
}

/* ---- the route table ------------------------------------------------------------------------- */

const zf_route zf_cockpit_routes[] = {
    {"GET", "/api/v1/cockpit", h_city, SUP, 0, NULL, 0, NULL},
    {"GET", "/api/v1/departments/{id}/cockpit", h_dept, SUP | ZF_ROLE_HEAD, ZF_ROLE_HEAD, resolve_dept_path, 0,
     NULL},
    {"POST", "/api/v1/cockpit/refresh", h_refresh, SUP, 0, NULL, 0, NULL},
    {"GET", "/api/v1/cockpit/weights", h_weights_get, SUP, 0, NULL, 0, NULL},
    {"PUT", "/api/v1/cockpit/weights", h_weights_put, SUP, 0, NULL, 0, NULL},
    {"GET", "/api/v1/warnings", h_warnings, SUP, 0, NULL, 0, NULL},
    {"GET", "/api/v1/warning-rules", h_rules, SUP, 0, NULL, 0, NULL},
    {"POST", "/api/v1/warning-rules", h_rule_create, SUP, 0, NULL, 0, NULL},
    {"PUT", "/api/v1/warning-rules/{id}", h_rule_update, SUP, 0, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
