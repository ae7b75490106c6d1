/* filings.c — the implementation tracker (任务分解表) and filings (备案) with
 * the Justice Bureau (issue 8).
 *
 *   GET  /api/v1/tracker                         tasks and every department's progress (supervisor)
 *   GET  /api/v1/departments/{id}/tracker        one department's progress (supervisor; head: own)
 *   POST /api/v1/tracker/tasks, PUT|DELETE /api/v1/tracker/tasks/{id}     edit the plan (supervisor)
 *   PUT  /api/v1/tracker/tasks/{id}/marks/{dept_id}  a 'manual' task done by a department (supervisor)
 *   GET  /api/v1/filings                         all filings, review catalogs included (supervisor)
 *   GET|POST /api/v1/departments/{id}/filings    a department's filings; submit one (head: own)
 *   GET  /api/v1/filings/{id}                    one filing with its body
 *   POST /api/v1/filings/{id}/accept|return      the Justice Bureau decides (supervisor)
 *
 * A filing is a snapshot: for the matters list and the 音像记录事项清单 the
 * department's records as they stand when it submits, for the device rules
 * the text it sends. The review catalog is filed through reviews.c (issue 6)
 * and only listed here. Accepting an 音像记录事项清单 makes that version the
 * department's av_items, which the case workflow applies. */
#include "api/api.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "store/audit.h"
#include "store/calendar_store.h"
#include "store/cockpit_store.h"

#define SUP ZF_ROLE_SUPERVISOR

static int audit(zf_ctx *c, const char *action, const char *type, int64_t id, const char *detail,
                 const char *sha)
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
    ev.content_sha256 = sha;
    return zf_audit_write(c->db, &ev, &c->err);
}

static int64_t resolve_dept_path(zf_ctx *c)
{
    int64_t id;
    int rc = zf_ctx_param_id(c, 0, &id);

    return rc < 0 ? rc : id;
}

static int64_t resolve_filing(zf_ctx *c)
{
    zf_stmt *s = NULL;
    int64_t id, dept = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_db_prepare(&s, c->db, "SELECT department_id FROM filings WHERE id = $1", &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(s, 1, id);
    if ((rc = zf_stmt_step(s, &c->err)) == 1)
        dept = zf_stmt_int64(s, 0);
    zf_stmt_free(s);
    if (rc < 0)
        return rc;
    if (!dept)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "备案不存在");
    return dept;
}

static const char *today_str(char out[ZF_DATE_STRLEN], int64_t now)
{
    return zf_date_format(out, zf_calendar_store_today(now));
}

/* ---- the tracker ---------------------------------------------------------------------------- */

static int h_tracker(zf_ctx *c)
{
    json_t *o;
    int rc = zf_tracker_progress(&o, c->db, 0, c->now, &c->err);

    return rc < 0 ? rc : zf_ctx_json(c, 200, o);
}

static int h_dept_tracker(zf_ctx *c)
{
    json_t *o;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_tracker_progress(&o, c->db, id, c->now, &c->err)) < 0)
        return rc;
    if (json_array_size(json_object_get(o, "departments")) == 0) {
        json_decref(o);
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "执法部门不存在");
    }
    return zf_ctx_json(c, 200, o);
}

static const zf_json_field TASK_SPEC[] = {
    {"system", ZF_JT_STRING, 1, 16, "所属制度"},
    {"seq", ZF_JT_INT, 0, 0, "序号"},
    {"task", ZF_JT_STRING, 1, 100, "工作任务"},
    {"measure", ZF_JT_STRING, 1, 200, "具体措施"},
    {"requirement", ZF_JT_STRING, 0, 2000, "具体要求"},
    {"departments", ZF_JT_STRING, 0, 200, "责任单位"},
    {"due_date", ZF_JT_DATE, 0, 0, "完成时限"},
    {"check_kind", ZF_JT_STRING, 0, 32, "完成的认定方式"},
    {NULL, 0, 0, 0, NULL},
};

static int one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

static int task_check(zf_ctx *c, json_t *in)
{
    static const char *const systems[] = {"publicity", "recording", "review", "other", NULL};
    static const char *const checks[] = {"manual", "filing_matters", "filing_review_catalog", "filing_av_items",
                                         "filing_device_rules", "devices", NULL};
    const char *sys = json_string_value(json_object_get(in, "system"));
    const char *chk = json_string_value(json_object_get(in, "check_kind"));

    if (sys && !one_of(sys, systems))
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "system",
                          "所属制度只能是 publicity（公示）、recording（全过程记录）、review（法制审核）或 other");
    if (chk && !one_of(chk, checks))
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "check_kind", "未知的完成认定方式 %s", chk);
    return 0;
}

static int task_answer(zf_ctx *c, int status, int64_t id)
{
    json_t *o, *tasks;
    size_t i;
    int rc;

    if ((rc = zf_tracker_progress(&o, c->db, -1, c->now, &c->err)) < 0)
        return rc;
    tasks = json_object_get(o, "tasks");
    for (i = 0; i < json_array_size(tasks); i++)
        if (json_integer_value(json_object_get(json_array_get(tasks, i), "id")) == id) {
            json_t *t = json_incref(json_array_get(tasks, i));

            json_decref(o);
            return zf_ctx_json(c, status, t);
        }
    json_decref(o);
    return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "任务不存在");
}

static void bind_task(zf_stmt *s, json_t *in)
{
    const char *due = json_string_value(json_object_get(in, "due_date"));
    const char *req = json_string_value(json_object_get(in, "requirement"));
    const char *deps = json_string_value(json_object_get(in, "departments"));
    const char *chk = json_string_value(json_object_get(in, "check_kind"));

    zf_stmt_bind_text(s, 2, json_string_value(json_object_get(in, "system")), -1);
    zf_stmt_bind_int64(s, 3, json_integer_value(json_object_get(in, "seq")));
    zf_stmt_bind_text(s, 4, json_string_value(json_object_get(in, "task")), -1);
    zf_stmt_bind_text(s, 5, json_string_value(json_object_get(in, "measure")), -1);
    zf_stmt_bind_text(s, 6, req ? req : "", -1);
    zf_stmt_bind_text(s, 7, deps ? deps : "市各行政执法部门", -1);
    zf_stmt_bind_text_or_null(s, 8, due);
    zf_stmt_bind_text(s, 9, chk ? chk : "manual", -1);
}

/* POST creates, PUT replaces (every field as in the create). */
static int task_write(zf_ctx *c, int64_t id)
{
    int status = id ? 200 : 201;
    json_t *in = NULL;
    zf_stmt *s = NULL;
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, TASK_SPEC, &c->err)) < 0)
        return rc;
    if ((rc = task_check(c, in)) < 0 || (rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    rc = zf_db_prepare(&s, c->db,
                       id ? "UPDATE tracker_tasks SET system = $2, seq = $3, task = $4, measure = $5, "
                            "requirement = $6, departments = $7, due_date = $8, check_kind = $9, updated_at = $10 "
                            "WHERE id = $1 RETURNING id"
                          : "INSERT INTO tracker_tasks (system, seq, task, measure, requirement, departments, "
                            "due_date, check_kind, created_at, updated_at) VALUES ($2, $3, $4, $5, $6, $7, $8, $9, "
                            "$10, $10) RETURNING id",
                       &c->err);
    if (rc < 0)
        goto fail;
    zf_stmt_bind_int64(s, 1, id);
    bind_task(s, in);
    zf_stmt_bind_int64(s, 10, c->now);
    if ((rc = zf_stmt_step(s, &c->err)) == 1) {
        id = zf_stmt_int64(s, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "任务不存在");
    }
    zf_stmt_free(s);
    if (rc < 0 || (rc = audit(c, "tracker_task_write", "tracker_task", id, NULL, NULL)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    rc = task_answer(c, status, id);
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    json_decref(in);
    return rc;
}

static int h_task_create(zf_ctx *c)
{
    return task_write(c, 0);
}

static int h_task_update(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return task_write(c, id);
}

static int h_task_delete(zf_ctx *c)
{
    zf_stmt *s = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_db_begin(c->db, &c->err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&s, c->db, "DELETE FROM tracker_marks WHERE task_id = $1", &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(s, 1, id);
    rc = zf_stmt_step(s, &c->err);
    zf_stmt_free(s);
    if (rc < 0 || (rc = zf_db_prepare(&s, c->db, "DELETE FROM tracker_tasks WHERE id = $1", &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(s, 1, id);
    rc = zf_stmt_step(s, &c->err);
    zf_stmt_free(s);
    if (rc < 0)
        goto fail;
    if (zf_db_changes(c->db) == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "任务不存在");
        goto fail;
    }
    if ((rc = audit(c, "tracker_task_delete", "tracker_task", id, NULL, NULL)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    c->status = 204;
    return 0;
fail:
    zf_db_rollback(c->db);
    return rc;
}

static const zf_json_field MARK_SPEC[] = {
    {"done_on", ZF_JT_DATE, 1, 0, "完成日期"},
    {"note", ZF_JT_STRING, 0, 500, "说明"},
    {NULL, 0, 0, 0, NULL},
};

static int h_task_mark(zf_ctx *c)
{
    json_t *in = NULL;
    zf_stmt *s = NULL;
    int64_t id, dept, n = 0;
    char ids[48];
    const char *p[1];
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_ctx_param_id(c, 1, &dept)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, MARK_SPEC, &c->err)) < 0)
        return rc;
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    p[0] = ids;
    if ((rc = zf_db_query_int64(c->db, &n, "SELECT COUNT(*) FROM tracker_tasks WHERE id = $1 AND check_kind = 'manual'",
                                &c->err, 1, p)) < 0)
        goto done;
    if (!n) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "任务不存在，或该任务由备案、设备等记录自动认定");
        goto done;
    }
    snprintf(ids, sizeof ids, "%lld", (long long)dept);
    if ((rc = zf_db_query_int64(c->db, &n, "SELECT COUNT(*) FROM departments WHERE id = $1", &c->err, 1, p)) < 0)
        goto done;
    if (!n) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "执法部门不存在");
        goto done;
    }
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&s, c->db,
                            "INSERT INTO tracker_marks (task_id, department_id, done_on, note, marked_by, marked_at) "
                            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_id, department_id) DO UPDATE SET "
                            "done_on = $3, note = $4, marked_by = $5, marked_at = $6",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(s, 1, id);
    zf_stmt_bind_int64(s, 2, dept);
    zf_stmt_bind_text(s, 3, json_string_value(json_object_get(in, "done_on")), -1);
    zf_stmt_bind_text(s, 4, json_string_value(json_object_get(in, "note")) ? json_string_value(json_object_get(in, "note")) : "", -1);
    zf_stmt_bind_int64(s, 5, c->who->user_id);
    zf_stmt_bind_int64(s, 6, c->now);
    rc = zf_stmt_step(s, &c->err);
    zf_stmt_free(s);
    if (rc < 0 || (rc = audit(c, "tracker_mark", "tracker_task", id, ids, NULL)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    json_decref(in);
    {
        json_t *o;

        if ((rc = zf_tracker_progress(&o, c->db, dept, c->now, &c->err)) < 0)
            return rc;
        return zf_ctx_json(c, 200, o);
    }
fail:
    zf_db_rollback(c->db);
done:
    json_decref(in);
    return rc;
}

/* ---- filings ---------------------------------------------------------------------------------- */

static const char *kind_name(const char *k)
{
    if (strcmp(k, "matters") == 0)
        return "行政执法事项清单";
    if (strcmp(k, "av_items") == 0)
        return "音像记录事项清单";
    if (strcmp(k, "device_rules") == 0)
        return "音像记录设备使用管理和监督规则";
    if (strcmp(k, "review_catalog") == 0)
        return "重大执法决定法制审核目录清单";
    return k;
}

static const char *state_name(const char *s)
{
    if (strcmp(s, "submitted") == 0)
        return "待审查";
    if (strcmp(s, "accepted") == 0 || strcmp(s, "filed") == 0)
        return "已备案";
    if (strcmp(s, "returned") == 0)
        return "已退回";
    if (strcmp(s, "draft") == 0)
        return "草稿";
    return s;
}

/* Filings and review catalogs as one list: columns id (NULL for a catalog),
 * department, name, kind, version, state, note, comments, submitted_on,
 * decided_on. $1 department (0 = all). A catalog's submitted_on is NULL
 * (text, so that PostgreSQL can unite the columns): only its last update is
 * known, which is not its submission. */
#define FILING_LIST                                                                                             \
    "SELECT f.id, f.department_id, d.name, f.kind, f.version, f.state, f.note, f.comments, f.submitted_on, "     \
    "f.decided_on FROM filings f JOIN departments d ON d.id = f.department_id WHERE ($1 = 0 OR f.department_id = $1) " \
    "UNION ALL SELECT NULL, r.department_id, d.name, 'review_catalog', r.version, r.state, '', r.return_reason, "  \
    "CAST(NULL AS TEXT), r.filed_on FROM review_catalogs r "                                                   \
    "JOIN departments d ON d.id = r.department_id WHERE r.state <> 'draft' AND ($1 = 0 OR r.department_id = $1) "   \
    "ORDER BY 2, 4, 5 DESC"

static int list_filings(zf_ctx *c, int64_t dept)
{
    zf_stmt *s = NULL;
    json_t *a = json_array();
    int rc;

    if ((rc = zf_db_prepare(&s, c->db, FILING_LIST, &c->err)) < 0) {
        json_decref(a);
        return rc;
    }
    zf_stmt_bind_int64(s, 1, dept);
    while ((rc = zf_stmt_step(s, &c->err)) == 1) {
        const char *kind = zf_stmt_text(s, 3), *state = zf_stmt_text(s, 5);
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "department_id",
                              (json_int_t)zf_stmt_int64(s, 1), "department", zf_stmt_text(s, 2), "kind", kind,
                              "kind_name", kind_name(kind), "version", (json_int_t)zf_stmt_int64(s, 4), "state",
                              state, "state_name", state_name(state), "note", zf_stmt_text(s, 6), "comments",
                              zf_stmt_text(s, 7));

        json_object_set_new(o, "id", zf_json_int_or_null(s, 0));
        /* a catalog's submission time is only known as its last update */
        if (strcmp(kind, "review_catalog") == 0 || zf_stmt_is_null(s, 8))
            json_object_set_new(o, "submitted_on", json_null());
        else
            json_object_set_new(o, "submitted_on", zf_json_text_or_null(s, 8));
        json_object_set_new(o, "decided_on", zf_json_text_or_null(s, 9));
        json_array_append_new(a, o);
    }
    zf_stmt_free(s);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    return zf_ctx_json(c, 200, json_pack("{s:o}", "items", a));
}

static int h_filings(zf_ctx *c)
{
    return list_filings(c, 0);
}

static int h_dept_filings(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return list_filings(c, id);
}

static int filing_answer(zf_ctx *c, int status, int64_t id)
{
    zf_stmt *s = NULL;
    json_t *o = NULL;
    int rc;

    if ((rc = zf_db_prepare(&s, c->db,
                            "SELECT f.id, f.department_id, d.name, f.kind, f.version, f.state, f.body, f.body_sha256, "
                            "f.note, f.comments, f.submitted_on, f.decided_on, f.submitted_by, f.decided_by "
                            "FROM filings f JOIN departments d ON d.id = f.department_id WHERE f.id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(s, 1, id);
    if ((rc = zf_stmt_step(s, &c->err)) == 1) {
        json_t *body = json_loads(zf_stmt_text(s, 6), 0, NULL);

        o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:s, s:s, s:s, s:s}", "id",
                      (json_int_t)zf_stmt_int64(s, 0), "department_id", (json_int_t)zf_stmt_int64(s, 1),
                      "department", zf_stmt_text(s, 2), "kind", zf_stmt_text(s, 3), "kind_name",
                      kind_name(zf_stmt_text(s, 3)), "version", (json_int_t)zf_stmt_int64(s, 4), "state",
                      zf_stmt_text(s, 5), "state_name", state_name(zf_stmt_text(s, 5)), "body",
                      body ? body : json_null(), "body_sha256", zf_stmt_text(s, 7), "note", zf_stmt_text(s, 8),
                      "comments", zf_stmt_text(s, 9), "submitted_on", zf_stmt_text(s, 10));
        json_object_set_new(o, "decided_on", zf_json_text_or_null(s, 11));
        json_object_set_new(o, "submitted_by", zf_json_int_or_null(s, 12));
        json_object_set_new(o, "decided_by", zf_json_int_or_null(s, 13));
    }
    zf_stmt_free(s);
    if (rc < 0)
        return rc;
    if (!o)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "备案不存在");
    return zf_ctx_json(c, status, o);
}

static int h_filing_get(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return filing_answer(c, 200, id);
}

/* The department's current records of kind as a JSON array (new reference). */
static int snapshot(json_t **out, zf_ctx *c, int64_t dept, const char *kind)
{
    zf_stmt *s = NULL;
    json_t *a = json_array();
    int is_av = strcmp(kind, "av_items") == 0;
    int rc;

    *out = NULL;
    rc = zf_db_prepare(&s, c->db,
                       is_av ? "SELECT matter_id, procedure, action, method, mandatory, retention, note FROM av_items "
                               "WHERE department_id = $1 ORDER BY id"
                             : "SELECT id, code, name, power_type, legal_basis, procedure FROM matters "
                               "WHERE department_id = $1 ORDER BY code",
                       &c->err);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    zf_stmt_bind_int64(s, 1, dept);
    while ((rc = zf_stmt_step(s, &c->err)) == 1) {
        json_t *o;

        if (is_av) {
            o = json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}", "procedure", zf_stmt_text(s, 1), "action",
                          zf_stmt_text(s, 2), "method", zf_stmt_text(s, 3), "mandatory", zf_stmt_int64(s, 4) != 0,
                          "retention", zf_stmt_text(s, 5), "note", zf_stmt_text(s, 6));
            json_object_set_new(o, "matter_id", zf_json_int_or_null(s, 0));
        } else {
            o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "matter_id", (json_int_t)zf_stmt_int64(s, 0), "code",
                          zf_stmt_text(s, 1), "name", zf_stmt_text(s, 2), "power_type", zf_stmt_text(s, 3),
                          "legal_basis", zf_stmt_text(s, 4), "procedure", zf_stmt_text(s, 5));
        }
        json_array_append_new(a, o);
    }
    zf_stmt_free(s);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

static void sha256_hex(char out[65], const char *s, size_t n)
{
    unsigned char md[32];
    unsigned int len = 0;
    int i;

    EVP_Digest(s, n, md, &len, EVP_sha256(), NULL);
    for (i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static const zf_json_field SUBMIT_SPEC[] = {
    {"kind", ZF_JT_STRING, 1, 16, "备案类型"},
    {"note", ZF_JT_STRING, 0, 1000, "报送说明"},
    {"text", ZF_JT_STRING, 0, 20000, "规则全文"},
    {NULL, 0, 0, 0, NULL},
};

static int h_filing_submit(zf_ctx *c)
{
    static const char *const kinds[] = {"matters", "av_items", "device_rules", NULL};
    json_t *in = NULL, *body = NULL;
    zf_stmt *s = NULL;
    const char *kind, *text, *note;
    char *body_txt = NULL, sha[65], today[ZF_DATE_STRLEN], ids[24];
    const char *p[2];
    int64_t dept, pending = 0, version = 0, id = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &dept)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, SUBMIT_SPEC, &c->err)) < 0)
        return rc;
    kind = json_string_value(json_object_get(in, "kind"));
    text = json_string_value(json_object_get(in, "text"));
    note = json_string_value(json_object_get(in, "note"));
    if (strcmp(kind, "review_catalog") == 0) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "kind",
                        "重大执法决定法制审核目录清单请在“法制审核目录”中编辑并报送备案");
        goto done;
    }
    if (!one_of(kind, kinds)) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "kind",
                        "备案类型只能是 matters（执法事项清单）、av_items（音像记录事项清单）或 device_rules（设备使用管理规则）");
        goto done;
    }
    if (strcmp(kind, "device_rules") == 0) {
        if (!text || !*text) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "required", "text", "请填写设备使用管理和监督规则的全文");
            goto done;
        }
        body = json_pack("{s:s}", "text", text);
    } else {
        if (text) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "text", "该类型的备案报送系统中的现行清单，不接受全文");
            goto done;
        }
        if ((rc = snapshot(&body, c, dept, kind)) < 0)
            goto done;
        if (json_array_size(body) == 0) {
            rc = zf_err_set(&c->err, ZF_ECONFLICT, "empty_list", "kind", "本部门的%s为空，无法报送备案", kind_name(kind));
            goto done;
        }
    }
    body_txt = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    sha256_hex(sha, body_txt, strlen(body_txt));
    snprintf(ids, sizeof ids, "%lld", (long long)dept);
    p[0] = ids;
    p[1] = kind;
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_query_int64(c->db, &pending, "SELECT COUNT(*) FROM filings WHERE department_id = $1 AND kind = $2 "
                                "AND state = 'submitted'", &c->err, 2, p)) < 0 ||
        (rc = zf_db_query_int64(c->db, &version, "SELECT COALESCE(MAX(version), 0) FROM filings WHERE "
                                "department_id = $1 AND kind = $2", &c->err, 2, p)) < 0)
        goto fail;
    if (pending) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "filing_pending", "kind", "本部门已有待市司法局审查的%s备案", kind_name(kind));
        goto fail;
    }
    if ((rc = zf_db_prepare(&s, c->db,
                            "INSERT INTO filings (department_id, kind, version, state, body, body_sha256, note, "
                            "submitted_by, submitted_on, submitted_at) VALUES ($1, $2, $3, 'submitted', $4, $5, $6, "
                            "$7, $8, $9) RETURNING id",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(s, 1, dept);
    zf_stmt_bind_text(s, 2, kind, -1);
    zf_stmt_bind_int64(s, 3, version + 1);
    zf_stmt_bind_text(s, 4, body_txt, -1);
    zf_stmt_bind_text(s, 5, sha, -1);
    zf_stmt_bind_text(s, 6, note ? note : "", -1);
    zf_stmt_bind_int64(s, 7, c->who->user_id);
    zf_stmt_bind_text(s, 8, today_str(today, c->now), -1);
    zf_stmt_bind_int64(s, 9, c->now);
    if ((rc = zf_stmt_step(s, &c->err)) == 1)
        id = zf_stmt_int64(s, 0);
    zf_stmt_free(s);
    if (rc < 0 || (rc = audit(c, "filing_submit", "filing", id, kind, sha)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    rc = filing_answer(c, 201, id);
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    free(body_txt);
    json_decref(body);
    json_decref(in);
    return rc;
}

/* Makes an accepted 音像记录事项清单 the department's av_items. */
static int apply_av(zf_ctx *c, int64_t dept, const char *body_txt)
{
    json_t *a = json_loads(body_txt, 0, NULL);
    zf_stmt *s = NULL;
    size_t i;
    int rc;

    if (!json_is_array(a)) {
        json_decref(a);
        return zf_err_set(&c->err, ZF_EINTERNAL, "internal", NULL, "备案内容已损坏");
    }
    if ((rc = zf_db_prepare(&s, c->db, "DELETE FROM av_items WHERE department_id = $1", &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(s, 1, dept);
    rc = zf_stmt_step(s, &c->err);
    zf_stmt_free(s);
    for (i = 0; rc >= 0 && i < json_array_size(a); i++) {
        json_t *it = json_array_get(a, i);

        if ((rc = zf_db_prepare(&s, c->db,
                                "INSERT INTO av_items (department_id, matter_id, procedure, action, method, mandatory, "
                                "retention, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                                &c->err)) < 0)
            goto done;
        zf_stmt_bind_int64(s, 1, dept);
        if (json_is_integer(json_object_get(it, "matter_id")))
            zf_stmt_bind_int64(s, 2, json_integer_value(json_object_get(it, "matter_id")));
        else
            zf_stmt_bind_null(s, 2);
        zf_stmt_bind_text(s, 3, json_string_value(json_object_get(it, "procedure")), -1);
        zf_stmt_bind_text(s, 4, json_string_value(json_object_get(it, "action")), -1);
        zf_stmt_bind_text(s, 5, json_string_value(json_object_get(it, "method")), -1);
        zf_stmt_bind_int64(s, 6, json_is_true(json_object_get(it, "mandatory")));
        zf_stmt_bind_text(s, 7, json_string_value(json_object_get(it, "retention")), -1);
        zf_stmt_bind_text(s, 8, json_string_value(json_object_get(it, "note")), -1);
        rc = zf_stmt_step(s, &c->err);
        zf_stmt_free(s);
    }
    if (rc == ZF_ECONFLICT)
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "filing_outdated", NULL,
                        "备案清单引用的执法事项已不存在，请退回并由部门重新报送");
done:
    json_decref(a);
    return rc < 0 ? rc : 0;
}

static const zf_json_field DECIDE_SPEC[] = {
    {"comments", ZF_JT_STRING, 0, 2000, "审查意见"},
    {NULL, 0, 0, 0, NULL},
};

static int decide(zf_ctx *c, int accept)
{
    json_t *in = NULL;
    zf_stmt *s = NULL;
    const char *comments;
    char state[16] = "", kind[16] = "", *body = NULL, today[ZF_DATE_STRLEN], sha[65] = "";
    int64_t id, dept = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, DECIDE_SPEC, &c->err)) < 0)
        return rc;
    comments = json_string_value(json_object_get(in, "comments"));
    if (!accept && (!comments || !*comments)) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "required", "comments", "退回备案须填写审查意见");
        goto done;
    }
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&s, c->db, "SELECT state, kind, department_id, body, body_sha256 FROM filings WHERE id = $1",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(s, 1, id);
    if ((rc = zf_stmt_step(s, &c->err)) == 1) {
        snprintf(state, sizeof state, "%s", zf_stmt_text(s, 0));
        snprintf(kind, sizeof kind, "%s", zf_stmt_text(s, 1));
        dept = zf_stmt_int64(s, 2);
        body = strdup(zf_stmt_text(s, 3));
        snprintf(sha, sizeof sha, "%s", zf_stmt_text(s, 4));
    }
    zf_stmt_free(s);
    s = NULL;
    if (rc < 0)
        goto fail;
    if (!*state) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "备案不存在");
        goto fail;
    }
    if (strcmp(state, "submitted") != 0) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "invalid_state", NULL, "该备案%s，不能再次审查", state_name(state));
        goto fail;
    }
    if (accept && strcmp(kind, "av_items") == 0 && (rc = apply_av(c, dept, body)) < 0)
        goto fail;
    if ((rc = zf_db_prepare(&s, c->db,
                            "UPDATE filings SET state = $2, comments = $3, decided_by = $4, decided_on = $5, "
                            "decided_at = $6 WHERE id = $1",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(s, 1, id);
    zf_stmt_bind_text(s, 2, accept ? "accepted" : "returned", -1);
    zf_stmt_bind_text(s, 3, comments ? comments : "", -1);
    zf_stmt_bind_int64(s, 4, c->who->user_id);
    zf_stmt_bind_text(s, 5, today_str(today, c->now), -1);
    zf_stmt_bind_int64(s, 6, c->now);
    rc = zf_stmt_step(s, &c->err);
    zf_stmt_free(s);
    if (rc < 0 || (rc = audit(c, accept ? "filing_accept" : "filing_return", "filing", id, kind, sha)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    rc = filing_answer(c, 200, id);
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    free(body);
    json_decref(in);
    return rc;
}

static int h_filing_accept(zf_ctx *c)
{
    return decide(c, 1);
}

static int h_filing_return(zf_ctx *c)
{
    return decide(c, 0);
}

const zf_route zf_filing_routes[] = {
    {"GET", "/api/v1/tracker", h_tracker, SUP, 0, NULL, 0, NULL},
    {"GET", "/api/v1/departments/{id}/tracker", h_dept_tracker, SUP | ZF_ROLE_HEAD, ZF_ROLE_HEAD,
     resolve_dept_path, 0, NULL},
    {"POST", "/api/v1/tracker/tasks", h_task_create, SUP, 0, NULL, 0, NULL},
    {"PUT", "/api/v1/tracker/tasks/{id}", h_task_update, SUP, 0, NULL, 0, NULL},
    {"DELETE", "/api/v1/tracker/tasks/{id}", h_task_delete, SUP, 0, NULL, 0, NULL},
    {"PUT", "/api/v1/tracker/tasks/{id}/marks/{dept_id}", h_task_mark, SUP, 0, NULL, 0, NULL},
    {"GET", "/api/v1/filings", h_filings, SUP, 0, NULL, 0, NULL},
    {"GET", "/api/v1/departments/{id}/filings", h_dept_filings, SUP | ZF_ROLE_HEAD, ZF_ROLE_HEAD,
     resolve_dept_path, 0, NULL},
    {"POST", "/api/v1/departments/{id}/filings", h_filing_submit, ZF_ROLE_HEAD, ZF_ROLE_HEAD, resolve_dept_path, 0,
     NULL},
    {"GET", "/api/v1/filings/{id}", h_filing_get, SUP | ZF_ROLE_HEAD, ZF_ROLE_HEAD, resolve_filing, 0, NULL},
    {"POST", "/api/v1/filings/{id}/accept", h_filing_accept, SUP, 0, NULL, 0, NULL},
    {"POST", "/api/v1/filings/{id}/return", h_filing_return, SUP, 0, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
