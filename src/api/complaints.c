/* complaints.c — the console's side of 投诉举报 (issue 8): the complaints of
 * a department (its officers and head) or of every department (the Justice
 * Bureau's supervisor), one complaint with its history, the handling actions
 * and the complainant's personal data on request.
 *
 * Personal data is masked in every answer but one: POST .../reveal with a
 * stated reason, allowed to those handling the complaint (the assigned
 * handler, the department's head, the supervisor), which records the look in
 * the audit trail and the ledger before answering. Other officers of the
 * department see the complaint, masked. The rules are core/complaint.h's,
 * the data store/complaint_store.h's; complaints arrive through the portal
 * (web/portal_complaints.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "blob/blob.h"
#include "store/calendar_store.h"
#include "store/complaint_store.h"

#define READERS (ZF_ROLE_OFFICER | ZF_ROLE_HEAD | ZF_ROLE_SUPERVISOR)
#define DEPT_READERS (ZF_ROLE_OFFICER | ZF_ROLE_HEAD)
#define REASON_MAX 200
#define NOTE_MAX 4000

static int64_t resolve_complaint(zf_ctx *c)
{
    int64_t id, dept;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((dept = zf_complaint_store_department(c->db, id, &c->err)) < 0)
        return dept;
    if (dept == 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该投诉");
    return dept;
}

static zf_complaint_who who_of(const zf_ctx *c)
{
    zf_complaint_who w = {c->who->user_id, c->who->username, c->ip, c->request_id};

    return w;
}

/* The capacities in which the caller may act on complaint id. */
static int capacities(unsigned *out, zf_ctx *c, int64_t id)
{
    int rc;

    *out = 0;
    if (c->who->role & (ZF_ROLE_SUPERVISOR | ZF_ROLE_HEAD))
        *out |= ZF_COMPLAINT_BY_HEAD; /* the route's department check has run */
    if ((rc = zf_complaint_store_is_handler(c->db, id, c->who->user_id, 0, 0, 0, &c->err)) < 0)
        return rc;
    if (rc)
        *out |= ZF_COMPLAINT_BY_HANDLER;
    return 0;
}

/* ---- GET /api/v1/complaints ---- */

static int h_list(zf_ctx *c)
{
    static const zf_sort_key keys[] = {{"due_date", "c.due_date"}, {NULL, NULL}};
    zf_complaint_filter f = {0};
    zf_list_params lp;
    const zf_calendar *cal = NULL;
    const char *status = zf_ctx_query(c, "status"), *mine = zf_ctx_query(c, "mine"),
               *overdue = zf_ctx_query(c, "overdue");
    json_t *out = NULL;
    int rc;

    if ((rc = zf_list_params_read(&lp, c, keys)) < 0 || (rc = zf_ctx_query_id(c, "department_id", &f.department_id)) < 0)
        return rc;
    if (status && *status && strcmp(status, "open") != 0 && !zf_complaint_status_valid(status))
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "status", "未知的投诉状态");
    f.status = status && *status ? status : NULL;
    f.overdue_only = overdue && strcmp(overdue, "1") == 0;
    if (mine && strcmp(mine, "1") == 0)
        f.handler_id = c->who->user_id;
    /* a department's staff see their own department's complaints only */
    if (c->who->role & DEPT_READERS)
        f.department_id = c->who->department_id;
    f.page = lp.page;
    f.per_page = lp.per_page;
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    rc = zf_complaint_store_list(&out, c->db, cal, &f, zf_calendar_store_today(c->now), &c->err);
    zf_calendar_cache_release(cal);
    return rc < 0 ? rc : zf_ctx_json(c, 200, out);
}

/* ---- GET /api/v1/complaints/{id} ---- */

static int h_get(zf_ctx *c)
{
    const zf_calendar *cal = NULL;
    json_t *out = NULL, *can;
    unsigned caps;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = capacities(&caps, c, id)) < 0)
        return rc;
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    rc = zf_complaint_store_get(&out, c->db, cal, id, zf_calendar_store_today(c->now), &c->err);
    zf_calendar_cache_release(cal);
    if (rc < 0)
        return rc;
    can = json_object();
    json_object_set_new(can, "reveal", json_boolean(caps != 0));
    json_object_set_new(can, "manage", json_boolean(caps & ZF_COMPLAINT_BY_HEAD));
    json_object_set_new(can, "handle", json_boolean(caps != 0));
    json_object_set_new(out, "can", can);
    return zf_ctx_json(c, 200, out);
}

/* ---- POST /api/v1/complaints/{id}/reveal ---- */

static int h_reveal(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"reason", ZF_JT_STRING, 1, REASON_MAX, "查阅事由"},
        {NULL},
    };
    json_t *body = NULL, *out = NULL;
    zf_complaint_who w = who_of(c);
    const char *reason;
    unsigned caps;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&body, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    reason = json_string_value(json_object_get(body, "reason"));
    if (!reason || !*reason || strspn(reason, " \t\r\n") == strlen(reason)) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "reason_required", "reason", "查看投诉人信息需要填写查阅事由");
        goto done;
    }
    if ((rc = capacities(&caps, c, id)) < 0)
        goto done;
    if (!caps) {
        rc = zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL,
                        "投诉人信息只有承办人、部门负责人和司法局监督人员可以查看");
        goto done;
    }
    if ((rc = zf_complaint_store_reveal(&out, c->db, id, reason, &w, c->now, &c->err)) == 0)
        rc = zf_ctx_json(c, 200, out);
done:
    json_decref(body);
    return rc;
}

/* ---- POST /api/v1/complaints/{id}/actions ---- */

static int h_act(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"action", ZF_JT_STRING, 1, 16, "操作"},
        {"note", ZF_JT_STRING, 0, NOTE_MAX, "说明"},
        {"handler_id", ZF_JT_INT, 0, 0, "承办人"},
        {NULL},
    };
    json_t *body = NULL;
    zf_complaint_who w = who_of(c);
    const zf_calendar *cal = NULL;
    const char *action, *note;
    unsigned caps;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&body, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    action = json_string_value(json_object_get(body, "action"));
    note = json_string_value(json_object_get(body, "note"));
    if (note && strspn(note, " \t\r\n") == strlen(note))
        note = NULL;
    if ((rc = capacities(&caps, c, id)) < 0)
        goto done;
    if (!caps && zf_complaint_action_find(action)) {
        rc = zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL,
                        "只有承办人、部门负责人和司法局监督人员可以处理该投诉");
        goto done;
    }
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        goto done;
    rc = zf_complaint_store_act(c->db, cal, id, action, caps, note,
                                json_integer_value(json_object_get(body, "handler_id")), &w, c->now,
                                &c->err);
    zf_calendar_cache_release(cal);
    if (rc == 0) {
        json_decref(body);
        return h_get(c);
    }
done:
    json_decref(body);
    return rc;
}

/* ---- GET /api/v1/complaints/{id}/attachments/{attachment_id}?reason= ---- */

/* An attachment may show the complainant (a photo, a signed letter): it is
 * read like the personal data, by those handling the complaint, on a
 * reason, and the look is recorded before the first byte leaves. */
static int h_attachment(zf_ctx *c)
{
    const char *reason = zf_ctx_query(c, "reason");
    zf_complaint_who w = who_of(c);
    zf_complaint_file f;
    zf_blob_store *st;
    zf_blob_reader *r = NULL;
    int64_t id, aid;
    unsigned caps;
    size_t got = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_ctx_param_id(c, 1, &aid)) < 0)
        return rc;
    if (!reason || strspn(reason, " \t\r\n") == strlen(reason))
        return zf_err_set(&c->err, ZF_EINVAL, "reason_required", "reason", "查看投诉附件需要填写查阅事由（reason 参数）");
    if (strlen(reason) > REASON_MAX * 4)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "reason", "查阅事由过长");
    if ((rc = capacities(&caps, c, id)) < 0)
        return rc;
    if (!caps)
        return zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL, "投诉附件只有承办人、部门负责人和司法局监督人员可以查看");
    if (!(st = zf_complaint_files(c->data_dir, &c->err)))
        return c->err.rc ? c->err.rc : ZF_EIO;
    if ((rc = zf_complaint_store_attachment(&f, c->db, id, aid, reason, &w, c->now, &c->err)) < 0)
        return rc;
    if ((rc = zf_blob_reader_open(&r, st, f.sha256, &c->err)) < 0) {
        if (rc == ZF_ENOTFOUND)
            zf_err_set(&c->err, ZF_ENOTFOUND, "attachment_missing", NULL, "附件内容缺失，请联系系统管理员");
        return rc;
    }
    zf_buf_reset(&c->out);
    zf_buf_init(&c->out, 0);
    while (rc == 0) {
        char chunk[65536];
        size_t n = 0;

        if ((rc = zf_blob_reader_read(&n, r, chunk, sizeof chunk, got, &c->err)) < 0 || n == 0)
            break;
        zf_buf_append(&c->out, chunk, n);
        got += n;
    }
    zf_blob_reader_free(r);
    if (rc < 0)
        return rc;
    c->status = 200;
    c->content_type = f.content_type; /* one of three static names (store) */
    zf_ctx_header(c, "Content-Disposition", "attachment");
    zf_ctx_header(c, "Cache-Control", "no-store");
    return 0;
}

/* ---- GET /api/v1/complaints/{id}/handlers ---- */

static int h_handlers(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int64_t dept;
    int rc;

    if ((dept = resolve_complaint(c)) < 0) {
        json_decref(items);
        return (int)dept;
    }
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, display_name, role FROM users WHERE department_id = $1 AND role IN "
                            "('officer', 'head') AND disabled = 0 ORDER BY role, id",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, dept);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)zf_stmt_int64(st, 0),
                                               "display_name", zf_stmt_text(st, 1), "role",
                                               zf_role_name(zf_role_from_code(zf_stmt_text(st, 2)))));
done:
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return zf_ctx_json(c, 200, json_pack("{s:o}", "items", items));
}

const zf_route zf_complaint_routes[] = {
    {"GET", "/api/v1/complaints", h_list, READERS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/complaints/{id}", h_get, READERS, DEPT_READERS, resolve_complaint, 0, NULL},
    {"POST", "/api/v1/complaints/{id}/reveal", h_reveal, READERS, DEPT_READERS, resolve_complaint, 0, NULL},
    {"POST", "/api/v1/complaints/{id}/actions", h_act, READERS, DEPT_READERS, resolve_complaint, 0, NULL},
    {"GET", "/api/v1/complaints/{id}/attachments/{attachment_id}", h_attachment, READERS, DEPT_READERS,
     resolve_complaint, 0, NULL},
    {"GET", "/api/v1/complaints/{id}/handlers", h_handlers, ZF_ROLE_HEAD | ZF_ROLE_SUPERVISOR, ZF_ROLE_HEAD,
     resolve_complaint, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
