/* cases.c — the case API (issue 5): 案源登记, lists and details with the
 * actions open now, stage actions through the workflow, officers and parties,
 * documents with their 文号, evidence links, the timeline, the per-party view,
 * statistics, recording devices and the 音像记录事项清单.
 *
 * Who may do what (declared in the route table, decided by zf_authz_check):
 *  - read: the department's staff (officer, reviewer, head, publicity) in
 *    their own department, the Justice Bureau's supervisor everywhere; the
 *    administrator and the auditor never read case content;
 *  - write: officers and heads of the case's department (reviewers also take
 *    actions and write documents: 案件审核, 法制审核); the workflow decides
 *    per action which of them may take it;
 *  - restricted cases (a secrecy label): every read needs `reason` (1-200
 *    characters) and is recorded (audit case_view_restricted, committed
 *    before the answer); 国家秘密 only for the head and the supervisor;
 *  - devices and the 音像记录事项清单: written by the administrator and by the
 *    head of the department.
 *
 * The handlers decode and check input, call store/case_store.h (which does
 * each change in one transaction with its audit row and ledger event) and
 * encode the answer. A refused request changes nothing. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/redact.h"
#include "core/workflow.h"
#include "store/audit.h"
#include "store/calendar_store.h"
#include "store/case_store.h"
#include "store/case_tsv.h"
#include "store/doc_store.h"
#include "search/tokenizer.h"
#include "search/tsv.h"
#include "util/log.h"
#include "util/mem.h"

#define STAFF ZF_ROLES_DEPT_STAFF
#define READERS (STAFF | ZF_ROLE_SUPERVISOR)
#define WRITERS (ZF_ROLE_OFFICER | ZF_ROLE_HEAD)
#define ACTORS (ZF_ROLE_OFFICER | ZF_ROLE_REVIEWER | ZF_ROLE_HEAD)
#define DEPT_ADMIN (ZF_ROLE_ADMIN | ZF_ROLE_HEAD)
#define REASON_MAX 200

/* ---- small helpers ------------------------------------------------------------- */

static zf_case_actor actor_of(zf_ctx *c)
{
    zf_case_actor a = {c->who->user_id, c->who->username, c->who->role, c->who->department_id,
                       c->ip, c->request_id};
    return a;
}

static int invalid(zf_ctx *c, const char *field, const char *msg)
{
    return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", field, "%s", msg);
}

/* err.field holds 63 bytes: a deeper path is cut (the message names it). */
static void set_field(zf_ctx *c, const char *f)
{
    size_t n = strlen(f);

    if (n >= sizeof c->err.field)
        n = sizeof c->err.field - 1;
    memcpy(c->err.field, f, n);
    c->err.field[n] = '\0';
}

static long cp_len(const char *s)
{
    long n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

/* The `reason` query parameter: NULL when absent; refused when too long or
 * (required) missing. */
static int read_reason(const char **out, zf_ctx *c, int required)
{
    const char *r = zf_ctx_query(c, "reason");

    *out = NULL;
    if (r && !*r)
        r = NULL;
    if (!r)
        return required ? zf_err_set(&c->err, ZF_EINVAL, "reason_required", "reason",
                                     "查看该记录需要填写查阅事由（reason 参数）")
                        : 0;
    if (cp_len(r) > REASON_MAX)
        return invalid(c, "reason", "查阅事由应为不超过 200 个字符的文本");
    *out = r;
    return 0;
}

/* Decodes a body that may carry JSON objects (not expressible in a
 * zf_json_field spec): the members named in objects must be JSON objects and
 * are checked by the caller; the rest goes through zf_json_decode. */
static int decode_with_objects(json_t **out, zf_ctx *c, const zf_json_field *spec,
                               const char *const *objects)
{
    json_t *root, *rest = NULL;
    json_error_t je;
    char *text = NULL;
    size_t i;
    int rc;

    *out = NULL;
    if (c->body_len == 0)
        return zf_err_set(&c->err, ZF_EINVAL, "invalid_json", NULL, "请求内容为空，应为 JSON 对象");
    root = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        /* let the common decoder phrase the error */
        return zf_json_decode(out, c->body, c->body_len, spec, &c->err) < 0
                   ? c->err.rc
                   : zf_err_set(&c->err, ZF_EINVAL, "invalid_json", NULL, "请求内容应为 JSON 对象");
    }
    rest = json_copy(root);
    for (i = 0; objects[i]; i++) {
        json_t *v = json_object_get(root, objects[i]);

        if (v && !json_is_object(v)) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "wrong_type", objects[i], "%s的类型错误，应为对象",
                            objects[i]);
            goto fail;
        }
        json_object_del(rest, objects[i]);
    }
    text = json_dumps(rest, JSON_COMPACT);
    json_decref(rest);
    rest = NULL;
    if ((rc = zf_json_decode(&rest, text, strlen(text), spec, &c->err)) < 0)
        goto fail;
    json_decref(rest);
    free(text);
    *out = root;
    return 0;
fail:
    free(text);
    json_decref(rest);
    json_decref(root);
    return rc;
}

/* A body that must be absent or an empty object: an action without input
 * still refuses a misspelt member instead of ignoring it. */
static int no_body(zf_ctx *c)
{
    static const zf_json_field none[] = {{NULL, 0, 0, 0, NULL}};
    json_t *in = NULL;
    int rc;

    if (c->body_len == 0)
        return 0;
    rc = zf_json_decode(&in, c->body, c->body_len, none, &c->err);
    json_decref(in);
    return rc;
}

static const char *date_of(char out[ZF_DATE_STRLEN], int64_t unix_seconds)
{
    return zf_date_format(out, zf_calendar_store_today(unix_seconds));
}

static const char *secrecy_name(const char *s)
{
    if (strcmp(s, "state_secret") == 0)
        return "国家秘密";
    if (strcmp(s, "commercial_secret") == 0)
        return "商业秘密";
    if (strcmp(s, "personal_privacy") == 0)
        return "个人隐私";
    return "无";
}

static const char *stage_name(const char *proc, const char *stage)
{
    const zf_wf_procedure *p = zf_workflow_procedure(proc);
    const zf_wf_stage *s = p ? zf_workflow_stage(p, stage) : NULL;

    return s ? s->name : stage;
}

static const char *procedure_name(const char *proc)
{
    const zf_wf_procedure *p = zf_workflow_procedure(proc);

    return p ? p->name : proc;
}

static int64_t query_int(zf_db *db, const char *sql, int64_t id)
{
    zf_stmt *st = NULL;
    int64_t v = 0;

    if (zf_db_prepare(&st, db, sql, NULL) < 0)
        return 0;
    zf_stmt_bind_int64(st, 1, id);
    if (zf_stmt_step(st, NULL) == 1)
        v = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    return v;
}

/* ---- resolvers ----------------------------------------------------------------- */

static int64_t resolve_case(zf_ctx *c)
{
    int64_t id, dept;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    dept = query_int(c->db, "SELECT department_id FROM cases WHERE id = $1", id);
    if (!dept)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该案件");
    return dept;
}

static int64_t resolve_dept_path(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if (!query_int(c->db, "SELECT id FROM departments WHERE id = $1", id))
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该部门");
    return id;
}

static int64_t resolve_device(zf_ctx *c)
{
    int64_t id, dept;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    dept = query_int(c->db, "SELECT department_id FROM devices WHERE id = $1", id);
    if (!dept)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该设备");
    return dept;
}

/* ---- restricted cases ------------------------------------------------------------- */

/* Loads the case for a read and enforces its secrecy label: 国家秘密 only for
 * the head and the supervisor; any label needs a reason and the look is
 * recorded before anything is answered. what names the part read. */
static int read_case(zf_case *out, zf_ctx *c, int64_t id, const char *what)
{
    const char *reason = NULL;
    char detail[400];
    zf_audit_event ev = {0};
    char oid[24];
    int rc;

    if ((rc = zf_case_get(out, c->db, id, &c->err)) < 0)
        return rc;
    /* the route's resolver already kept staff to their department */
    if (strcmp(out->secrecy, "none") == 0)
        return 0;
    if (strcmp(out->secrecy, "state_secret") == 0 &&
        !(c->who->role & (ZF_ROLE_HEAD | ZF_ROLE_SUPERVISOR)))
        return zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL,
                          "该案件标为国家秘密，只有部门负责人和监督人员可以查看");
    if ((rc = read_reason(&reason, c, 1)) < 0)
        return rc;
    snprintf(oid, sizeof oid, "%lld", (long long)id);
    snprintf(detail, sizeof detail, "%s; secrecy=%s; reason=%s", what, out->secrecy, reason);
    ev.at = c->now;
    ev.actor_id = c->who->user_id;
    ev.actor_name = c->who->username;
    ev.action = "case_view_restricted";
    ev.object_type = ZF_CASE_OBJECT;
    ev.object_id = oid;
    ev.ip = c->ip;
    ev.request_id = c->request_id;
    ev.detail = detail;
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        return rc;
    if ((rc = zf_audit_write(c->db, &ev, &c->err)) < 0 || (rc = zf_db_commit(c->db, &c->err)) < 0) {
        zf_db_rollback(c->db);
        return rc;
    }
    return 0;
}

/* ---- JSON of a case ------------------------------------------------------------------ */

static json_t *flags_json(unsigned f)
{
    return json_pack("{s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "major", (f & ZF_WF_MAJOR) != 0,
                     "review_passed", (f & ZF_WF_REVIEW_PASSED) != 0, "hearing_requested",
                     (f & ZF_WF_HEARING_REQUESTED) != 0, "suspended", (f & ZF_WF_SUSPENDED) != 0,
                     "transferred", (f & ZF_WF_TRANSFERRED) != 0, "notified",
                     (f & ZF_WF_NOTIFIED) != 0, "rights_waived", (f & ZF_WF_RIGHTS_WAIVED) != 0);
}

static json_t *case_json(zf_db *db, const zf_case *k)
{
    json_t *o = json_object();
    zf_stmt *st = NULL;
    const zf_wf_procedure *p = zf_workflow_procedure(k->procedure);

    json_object_set_new(o, "id", json_integer(k->id));
    json_object_set_new(o, "department_id", json_integer(k->department_id));
    json_object_set_new(o, "department_name", json_string(""));
    if (zf_db_prepare(&st, db, "SELECT name FROM departments WHERE id = $1", NULL) == 0) {
        zf_stmt_bind_int64(st, 1, k->department_id);
        if (zf_stmt_step(st, NULL) == 1)
            json_object_set_new(o, "department_name", json_string(zf_stmt_text(st, 0)));
        zf_stmt_free(st);
        st = NULL;
    }
    json_object_set_new(o, "matter_id", k->matter_id ? json_integer(k->matter_id) : json_null());
    json_object_set_new(o, "matter_name", json_null());
    if (k->matter_id && zf_db_prepare(&st, db, "SELECT name FROM matters WHERE id = $1", NULL) == 0) {
        zf_stmt_bind_int64(st, 1, k->matter_id);
        if (zf_stmt_step(st, NULL) == 1)
            json_object_set_new(o, "matter_name", json_string(zf_stmt_text(st, 0)));
        zf_stmt_free(st);
        st = NULL;
    }
    json_object_set_new(o, "procedure", json_string(k->procedure));
    json_object_set_new(o, "procedure_name", json_string(p ? p->name : k->procedure));
    json_object_set_new(o, "power_type", json_string(k->power_type));
    json_object_set_new(o, "stage", json_string(k->stage));
    json_object_set_new(o, "stage_name", json_string(stage_name(k->procedure, k->stage)));
    json_object_set_new(o, "flags", flags_json(k->flags));
    json_object_set_new(o, "case_no", k->case_no[0] ? json_string(k->case_no) : json_null());
    json_object_set_new(o, "title", json_string(k->title));
    json_object_set_new(o, "summary", json_string(k->summary));
    json_object_set_new(o, "source", json_string(k->source));
    json_object_set_new(o, "secrecy", json_string(k->secrecy));
    json_object_set_new(o, "secrecy_name", json_string(secrecy_name(k->secrecy)));
    json_object_set_new(o, "fine_fen", k->has_fine ? json_integer(k->fine_fen) : json_null());
    json_object_set_new(o, "outcome", k->outcome[0] ? json_string(k->outcome) : json_null());
    json_object_set_new(o, "wait_until", k->wait_until[0] ? json_string(k->wait_until) : json_null());
    json_object_set_new(o, "stage_entered_at", json_integer(k->stage_entered_at));
    json_object_set_new(o, "created_by", json_integer(k->created_by));
    json_object_set_new(o, "created_at", json_integer(k->created_at));
    json_object_set_new(o, "updated_at", json_integer(k->updated_at));
    json_object_set_new(o, "archived_at", k->archived_at ? json_integer(k->archived_at) : json_null());
    return o;
}

static json_t *party_json(const zf_case_party *p)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)p->id,
                     "kind", p->kind, "kind_name", zf_case_party_kind_name(p->kind), "name", p->name,
                     "id_type", p->id_type, "identifier", p->identifier, "legal_rep", p->legal_rep,
                     "address", p->address, "phone", p->phone);
}

static int add_parties(json_t *o, zf_ctx *c, int64_t id)
{
    zf_case_party *ps = NULL;
    size_t n = 0, i;
    json_t *a;
    int rc;

    if ((rc = zf_case_parties(&ps, &n, c->db, id, &c->err)) < 0)
        return rc;
    a = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(a, party_json(&ps[i]));
    json_object_set_new(o, "parties", a);
    free(ps);
    return 0;
}

static int add_officers(json_t *o, zf_ctx *c, int64_t id)
{
    zf_stmt *st = NULL;
    json_t *a = json_array();
    int rc;

    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT o.id, o.name, o.certificate_no, o.status, o.certificate_valid_to, "
                            "co.position FROM case_officers co JOIN officers o ON o.id = co.officer_id "
                            "WHERE co.case_id = $1 ORDER BY co.position",
                            &c->err)) < 0) {
        json_decref(a);
        return rc;
    }
    zf_stmt_bind_int64(st, 1, id);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id",
                                           (json_int_t)zf_stmt_int64(st, 0), "name",
                                           zf_stmt_text(st, 1), "certificate_no", zf_stmt_text(st, 2),
                                           "status", zf_stmt_text(st, 3), "certificate_valid_to",
                                           zf_stmt_text(st, 4), "role",
                                           zf_stmt_int64(st, 5) == 0 ? "主办" : "协办"));
    zf_stmt_free(st);
    json_object_set_new(o, "officers", a);
    return rc < 0 ? rc : 0;
}

static int add_clocks(json_t *o, zf_ctx *c, int64_t id)
{
    const zf_calendar *cal = NULL;
    zf_case_clock *ks = NULL;
    size_t n = 0, i;
    json_t *a;
    int rc;

    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    rc = zf_case_clocks(&ks, &n, c->db, cal, id, c->now, &c->err);
    zf_calendar_cache_release(cal);
    if (rc < 0)
        return rc;
    a = json_array();
    for (i = 0; i < n; i++) {
        json_t *k = json_pack("{s:I, s:s, s:s, s:s, s:b, s:b, s:s, s:s}", "id", (json_int_t)ks[i].id,
                              "rule_code", ks[i].rule_code, "name", ks[i].name, "start", ks[i].start,
                              "open", ks[i].open, "calendar_days", ks[i].day, "state",
                              zf_clock_state_code(ks[i].state), "state_name",
                              zf_clock_state_label(ks[i].state));

        json_object_set_new(k, "due", ks[i].due[0] ? json_string(ks[i].due) : json_null());
        json_object_set_new(k, "done", ks[i].done[0] ? json_string(ks[i].done) : json_null());
        json_array_append_new(a, k);
    }
    free(ks);
    json_object_set_new(o, "clocks", a);
    return 0;
}

static const char *kind_code(zf_wf_kind k)
{
    switch (k) {
    case ZF_WF_ADVANCE: return "advance";
    case ZF_WF_RECORD: return "record";
    case ZF_WF_RETURN: return "return";
    case ZF_WF_SUSPEND: return "suspend";
    case ZF_WF_RESUME: return "resume";
    case ZF_WF_TRANSFER: return "transfer";
    }
    return "";
}

static int add_actions(json_t *o, zf_ctx *c, const zf_case *k)
{
    zf_case_actor who = actor_of(c);
    zf_wf_option *opts = zf_calloc(ZF_WF_MAX_OPTIONS, sizeof *opts);
    const zf_wf_procedure *p = zf_workflow_procedure(k->procedure);
    size_t n = 0, i, j;
    json_t *a = json_array();
    int rc;

    rc = zf_case_options(opts, ZF_WF_MAX_OPTIONS, &n, c->db, k->id, &who, c->now, &c->err);
    if (rc < 0)
        goto done;
    if (n > ZF_WF_MAX_OPTIONS)
        n = ZF_WF_MAX_OPTIONS;
    for (i = 0; i < n; i++) {
        const zf_wf_action *act = opts[i].action;
        json_t *docs = json_array(), *targets = json_array(), *x;

        for (j = 0; j < ZF_WF_MAX_DOCS && act->docs[j]; j++)
            json_array_append_new(docs, json_pack("{s:s, s:s}", "code", act->docs[j], "name",
                                                  zf_workflow_doc_name(act->docs[j])));
        if (act->kind == ZF_WF_RETURN) {
            const zf_wf_stage *ts[16];
            size_t nt = 0, t;
            zf_wf_state s = ZF_WF_STATE_INIT;

            s.procedure = k->procedure;
            s.stage = k->stage;
            zf_workflow_return_targets(ts, 16, &nt, &s);
            for (t = 0; t < nt && t < 16; t++)
                json_array_append_new(targets, json_pack("{s:s, s:s}", "code", ts[t]->code, "name",
                                                         ts[t]->name));
        }
        x = json_pack("{s:s, s:s, s:s, s:b, s:b, s:o, s:o}", "code", act->code, "name", act->name,
                      "kind", kind_code(act->kind), "allowed", opts[i].rc == 0, "needs_reason",
                      act->needs_reason || act->kind == ZF_WF_RETURN ||
                          act->kind == ZF_WF_SUSPEND || act->kind == ZF_WF_TRANSFER,
                      "documents", docs, "targets", targets);
        json_object_set_new(x, "refusal_code", opts[i].rc ? json_string(opts[i].code) : json_null());
        json_object_set_new(x, "refusal_reason",
                            opts[i].rc ? json_string(opts[i].reason) : json_null());
        json_object_set_new(x, "to", act->to && (!p || zf_workflow_stage(p, act->to))
                                         ? json_string(act->to)
                                         : json_null());
        json_array_append_new(a, x);
    }
done:
    json_object_set_new(o, "actions", a);
    free(opts);
    return rc;
}

/* ---- GET /api/v1/cases ------------------------------------------------------------------- */

static const zf_sort_key LIST_SORT[] = {
    {"-updated_at", "c.updated_at"}, {"updated_at", "c.updated_at"}, {"created_at", "c.created_at"},
    {"case_no", "c.case_no"}, {"id", "c.id"}, {"stage", "c.stage"}, {NULL, NULL},
};

/* "YYYY-MM-DD" (China) -> Unix seconds of the day's start; 0 if absent. */
static int day_param(zf_ctx *c, const char *key, int end, int64_t *out)
{
    const char *s = zf_ctx_query(c, key);
    zf_date d;

    *out = 0;
    if (!s || !*s)
        return 0;
    if (zf_date_parse(&d, s, strlen(s), key, &c->err) < 0)
        return c->err.rc;
    *out = (int64_t)(d + (end ? 1 : 0)) * 86400 - 8 * 3600;
    return 0;
}

static int id_param(zf_ctx *c, const char *key, int64_t *out)
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

/* Lists with a filter case_counts cannot answer (officer with others, date
 * range, overdue, keyword) are counted up to this many matches; beyond it
 * total_exact is false and total is this bound (see h_list). */
#define CASE_LIST_EXACT_MAX 10000
/* With a keyword (each match costs a probe of case_fts) the bound is lower. */
#define CASE_LIST_KEYWORD_EXACT_MAX 200
/* A keyword with at least this many candidates in case_fts (in the
 * department asked for, else in the city) is "dense". */
#define CASE_LIST_FTS_DENSE 5000
#define ZF_STR_(x) #x
#define ZF_STR(x) ZF_STR_(x)

/* ?format=xlsx: the list as a spreadsheet (issue 7), at most this many rows. */
#define CASE_EXPORT_MAX 5000
static const zf_xlsx_col CASE_EXPORT_COLS[] = {
    {"id", "编号", 8, 0},          {"case_no", "案号", 24, 0},       {"title", "案件名称", 36, 0},
    {"procedure_name", "执法程序", 24, 0}, {"stage_name", "所处环节", 12, 0},
    {"secrecy_name", "密级标识", 12, 0}, {"overdue", "是否逾期", 10, 0}, {"suspended", "是否中止", 10, 0},
    {"created_at", "登记时间", 18, 't'}, {"updated_at", "更新时间", 18, 't'},
    {NULL, NULL, 0, 0},
};

static int h_list(zf_ctx *c)
{
    zf_list_params lp;
    zf_stmt *st = NULL;
    json_t *items = NULL;
    int64_t dept = 0, officer = 0, from = 0, to = 0, total = 0;
    const char *stage = zf_ctx_query(c, "stage"), *proc = zf_ctx_query(c, "procedure"),
               *power = zf_ctx_query(c, "power_type"), *overdue = zf_ctx_query(c, "overdue");
    char today[ZF_DATE_STRLEN], sql[3000], q[6200], like[700] = "", *match = NULL, *loose = NULL, scope[24] = "";
    int rc, i, xlsx = 0, od, od_yes, simple, exact = 1, bounded = 0, dense = 0;
    int64_t bound = CASE_LIST_EXACT_MAX, cands = 0;
    /* SQLite's LIKE ignores ASCII case; PostgreSQL's needs ILIKE for that */
    const int pg = strcmp(zf_db_dialect(c->db), "postgres") == 0;
    const char *like_op = pg ? "ILIKE" : "LIKE";

    if ((rc = zf_list_params_read(&lp, c, LIST_SORT)) < 0 || (rc = id_param(c, "department_id", &dept)) < 0 ||
        (rc = id_param(c, "officer_id", &officer)) < 0 || (rc = day_param(c, "from", 0, &from)) < 0 ||
        (rc = day_param(c, "to", 1, &to)) < 0 || (rc = xlsx = zf_ctx_want_xlsx(c)) < 0)
        return rc;
    if (xlsx) { /* the export: every matching case (up to a bound), not one page */
        lp.per_page = CASE_EXPORT_MAX;
        lp.offset = 0;
    }
    if (overdue && *overdue && strcmp(overdue, "1") != 0 && strcmp(overdue, "true") != 0 &&
        strcmp(overdue, "0") != 0 && strcmp(overdue, "false") != 0)
        return invalid(c, "overdue", "overdue 只能是 1 或 0");
    /* department scope: staff see their own department whatever they ask */
    if (c->who->role != ZF_ROLE_SUPERVISOR) {
        if (dept && dept != c->who->department_id)
            return zf_err_set(&c->err, ZF_EPERM, "forbidden", "department_id", "只能查看本部门的案件");
        dept = c->who->department_id;
    }
    od = overdue && *overdue;
    od_yes = od && (strcmp(overdue, "1") == 0 || strcmp(overdue, "true") == 0);
    simple = !officer && !lp.q && !from && !to && !od;
    if (lp.q) {
        /* what was typed is one literal substring: % _ and \ escaped */
        size_t k = 0;
        const char *ch;

        like[k++] = '%';
        for (ch = lp.q; *ch && k + 3 < sizeof like; ch++) {
            if (*ch == '%' || *ch == '_' || *ch == '\\')
                like[k++] = '\\';
            like[k++] = *ch;
        }
        like[k++] = '%';
        like[k] = 0;
        /* the full-text index finds the candidates; LIKE then keeps exactly
         * the substring matches (the query's tokens guarantee recall for Han
         * text, and prefix words for Latin letters and digits) */
        /* limited to one department (the officer's scope or a supervisor's
         * department_id), the phrases are scoped to it on SQLite (migration
         * 0028): the candidates, their count and so "dense" are the
         * department's */
        if (dept)
            snprintf(scope, sizeof scope, "%lld", (long long)dept);
        /* PostgreSQL: case_tsv (migration 0027) holds the same tokens as a
         * tsvector and the keyword is a tsquery phrase (search/tsv.h); while
         * some case's tokens are not computed yet (after the migration, or
         * a change from outside the store) the index may miss it, so the
         * substring test alone decides, bounded as below */
        if (pg) {
            int pending = 0;

            if ((rc = zf_case_tsv_pending(&pending, c->db, &c->err)) < 0)
                return rc;
            if (!pending &&
                (rc = zf_search_tsquery_build(&match, &loose, lp.q, strlen(lp.q), &c->err)) < 0) {
                if (strcmp(c->err.code, "empty_query") != 0) {
                    snprintf(c->err.field, sizeof c->err.field, "q");
                    return rc;
                }
                zf_err_clear(&c->err); /* nothing indexable: LIKE alone, bounded below */
            }
        } else if ((rc = zf_search_query_build_scoped(&match, lp.q, strlen(lp.q), ZF_SEARCH_QUERY_TRIGRAM,
                                                      dept ? scope : NULL, &c->err)) < 0) {
            if (strcmp(c->err.code, "empty_query") != 0) {
                snprintf(c->err.field, sizeof c->err.field, "q");
                return rc;
            }
            zf_err_clear(&c->err); /* nothing indexable (punctuation): LIKE alone, bounded below */
        }
        /* How common the words are (in the department asked for, else in
         * the city) decides the plan: up to a few thousand
         * candidates are listed by the index and looked up (an IN-subquery).
         * More, and the index is of no help: the cases are walked in the
         * list's order with the substring test alone, which stops at the
         * page or the bound (a probe of case_fts per case costs far more,
         * and a prefix term such as "bench"* merges every matching term's
         * list on each probe). Keyword totals are counted to a lower bound. */
        if (match) {
            const char *arg[1] = {match};

            if ((rc = zf_db_query_int64(c->db, &cands,
                                        pg ? "SELECT COUNT(*) FROM (" ZF_CASE_TSV_CANDIDATES("1")
                                             " LIMIT " ZF_STR(CASE_LIST_FTS_DENSE) ") x"
                                           : "SELECT COUNT(*) FROM (SELECT 1 FROM case_fts WHERE case_fts "
                                             "MATCH $1 LIMIT " ZF_STR(CASE_LIST_FTS_DENSE) ") x",
                                        &c->err, 1, arg)) < 0)
                goto done;
            dense = cands >= CASE_LIST_FTS_DENSE;
        }
        bound = CASE_LIST_KEYWORD_EXACT_MAX;
    }
    date_of(today, c->now);
    /* Only the conditions asked for go into the SQL (the parameters keep
     * their numbers; an unused one is simply not bound): "$1 IS NULL OR ..."
     * for every filter would keep SQLite from using any index, and with a
     * million cases that is a full scan per page.
     *
     * The total. Department, stage, procedure and power type alone (the
     * common views) are summed from case_counts, kept exact in the
     * transaction of every case change (migration 0023). 我的案件 counts the
     * officer's rows of case_officers' index. Any other filter is counted
     * up to CASE_LIST_EXACT_MAX + 1 matches only: beyond that the answer is
     * total_exact false with total = CASE_LIST_EXACT_MAX, a lower bound
     * (the console shows "超过 N 条"), never a number passed off as exact.
     *
     * The page. Its ids are chosen by an inner query (sort, LIMIT, OFFSET)
     * that reads only indexes where it can, and the outer one reads the 20
     * rows and their overdue clocks: the sorter then holds ids, not whole
     * rows with a clock count computed for each of 18,000 matches. The
     * officer filter is an IN-subquery for counting and an EXISTS probe for
     * the page (which walks the sort's index and stops after one page); the
     * keyword likewise when it matches more than a bounded count; overdue
     * stays an IN-subquery over clocks_open (an overdue case is rare and
     * old). Measured in docs/benchmarks.md. */
    for (i = 0; i < 2; i++) {
        int page = i == 1;
        char ofs[200] = "", ods[300] = "", kws[500] = "";

        if (officer)
            snprintf(ofs, sizeof ofs, "%s",
                     page ? " AND EXISTS (SELECT 1 FROM case_officers co WHERE co.case_id = c.id AND "
                            "co.officer_id = $5)"
                          : " AND c.id IN (SELECT co.case_id FROM case_officers co WHERE co.officer_id = $5)");
        if (od)
            snprintf(ods, sizeof ods, "%s%s", od_yes ? " AND " : " AND NOT ",
                     dept && od_yes
                         ? "c.id IN (SELECT k.object_id FROM clocks k WHERE k.done_date IS NULL AND "
                           "k.department_id = $1 AND k.due_date < $9 AND k.object_type = 'case' AND $10 = $10)"
                         : "c.id IN (SELECT k.object_id FROM clocks k WHERE k.done_date IS NULL AND "
                           "k.object_type = 'case' AND k.due_date < $9 AND $10 = $10)");
        if (lp.q)
            snprintf(kws, sizeof kws,
                     "%s AND (c.title %s $6 ESCAPE '\\' OR c.case_no %s $6 ESCAPE '\\' OR "
                     "c.summary %s $6 ESCAPE '\\')",
                     !match ? ""
                     : dense ? ""
                     : pg    ? " AND c.id IN (" ZF_CASE_TSV_CANDIDATES("14") ")"
                             : " AND c.id IN (SELECT rowid FROM case_fts WHERE case_fts MATCH $14)",
                     like_op, like_op, like_op);
        snprintf(sql, sizeof sql, "FROM %s c WHERE 1 = 1%s%s%s%s%s%s%s%s%s",
                 !page && simple ? "case_counts" : "cases", dept ? " AND c.department_id = $1" : "",
                 stage && *stage ? " AND c.stage = $2" : "", proc && *proc ? " AND c.procedure = $3" : "",
                 power && *power ? " AND c.power_type = $4" : "", ofs, kws,
                 from ? " AND c.created_at >= $7" : "", to ? " AND c.created_at < $8" : "", ods);

        /* 我的案件 (department and officer only): an officer is only ever on
         * cases of their own department (zf_case_set_officers), so the
         * count is that of the officer's rows in case_officers, read from
         * its index alone, instead of a visit to each case */
        if (!page && officer && !(stage && *stage) && !(proc && *proc) && !(power && *power) && !lp.q &&
            !from && !to && !od)
            snprintf(q, sizeof q, "SELECT COUNT(*) FROM case_officers co WHERE co.officer_id = $5%s",
                     dept ? " AND EXISTS (SELECT 1 FROM officers o WHERE o.id = $5 AND o.department_id = $1)"
                          : "");
        /* a department's overdue cases alone: counted from the open clocks
         * (a case's clocks carry its department), without a visit to each
         * case row, which cost three times the clocks themselves */
        else if (!page && od_yes && dept && !officer && !(stage && *stage) && !(proc && *proc) &&
                 !(power && *power) && !lp.q && !from && !to)
            snprintf(q, sizeof q, "SELECT COUNT(DISTINCT k.object_id) FROM clocks k WHERE k.done_date IS NULL "
                                  "AND k.department_id = $1 AND k.due_date < $9 AND k.object_type = 'case' "
                                  "AND $10 = $10");
        else if (!page && simple)
            snprintf(q, sizeof q, "SELECT COALESCE(SUM(c.n), 0) %s", sql);
        else if (!page) {
            snprintf(q, sizeof q, "SELECT COUNT(*) FROM (SELECT 1 %s LIMIT $15) x", sql);
            bounded = 1;
        }
        else
            snprintf(q, sizeof q,
                     "SELECT c.id, c.department_id, c.procedure, c.power_type, c.stage, c.case_no, "
                     "c.title, c.secrecy, c.created_at, c.updated_at, c.archived_at, c.flags, "
                     "(SELECT COUNT(*) FROM clocks k WHERE k.object_type = 'case' AND k.object_id = c.id "
                     "AND k.done_date IS NULL AND k.due_date < $11) FROM cases c WHERE c.id IN "
                     "(SELECT c.id %s ORDER BY %s %s, c.id %s LIMIT $12 OFFSET $13) ORDER BY %s %s, c.id %s",
                     sql, lp.sort_column, lp.sort_desc ? "DESC" : "ASC", lp.sort_desc ? "DESC" : "ASC",
                     lp.sort_column, lp.sort_desc ? "DESC" : "ASC", lp.sort_desc ? "DESC" : "ASC");
        /* an exact total at or below the page's start: no rows to look for
         * (with none at all, the page's walk of the sort index could read
         * every case before finding that out) */
        if (page && exact && lp.offset >= total) {
            items = json_array();
            break;
        }
        if ((rc = zf_db_prepare(&st, c->db, q, &c->err)) < 0)
            goto done;
        if (dept)
            zf_stmt_bind_int64(st, 1, dept);
        else
            zf_stmt_bind_null(st, 1);
        zf_stmt_bind_text_or_null(st, 2, stage && *stage ? stage : NULL);
        zf_stmt_bind_text_or_null(st, 3, proc && *proc ? proc : NULL);
        zf_stmt_bind_text_or_null(st, 4, power && *power ? power : NULL);
        if (officer)
            zf_stmt_bind_int64(st, 5, officer);
        else
            zf_stmt_bind_null(st, 5);
        zf_stmt_bind_text_or_null(st, 6, lp.q ? like : NULL);
        if (from)
            zf_stmt_bind_int64(st, 7, from);
        else
            zf_stmt_bind_null(st, 7);
        if (to)
            zf_stmt_bind_int64(st, 8, to);
        else
            zf_stmt_bind_null(st, 8);
        zf_stmt_bind_text_or_null(st, 9, od ? today : NULL);
        zf_stmt_bind_int64(st, 10, od_yes);
        zf_stmt_bind_text_or_null(st, 14, match);
        zf_stmt_bind_int64(st, 15, bound + 1);
        if (page) {
            zf_stmt_bind_text(st, 11, today, -1);
            zf_stmt_bind_int64(st, 12, lp.per_page);
            zf_stmt_bind_int64(st, 13, lp.offset);
            items = json_array();
        }
        while ((rc = zf_stmt_step(st, &c->err)) == 1) {
            json_t *o;
            int restricted;

            if (!page) {
                total = zf_stmt_int64(st, 0);
                if (bounded && total > bound) {
                    total = bound;
                    exact = 0;
                }
                continue;
            }
            restricted = strcmp(zf_stmt_text(st, 7), "none") != 0;
            o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:b}",
                          "id", (json_int_t)zf_stmt_int64(st, 0), "department_id",
                          (json_int_t)zf_stmt_int64(st, 1), "procedure", zf_stmt_text(st, 2),
                          "procedure_name", procedure_name(zf_stmt_text(st, 2)), "power_type",
                          zf_stmt_text(st, 3), "stage", zf_stmt_text(st, 4), "stage_name",
                          stage_name(zf_stmt_text(st, 2), zf_stmt_text(st, 4)), "title",
                          /* a restricted case's title is itself case content */
                          restricted ? "（涉密或受限案件）" : zf_stmt_text(st, 6), "secrecy",
                          zf_stmt_text(st, 7), "secrecy_name", secrecy_name(zf_stmt_text(st, 7)),
                          "created_at", (json_int_t)zf_stmt_int64(st, 8), "updated_at",
                          (json_int_t)zf_stmt_int64(st, 9), "overdue", zf_stmt_int64(st, 12) > 0,
                          "suspended", (zf_stmt_int64(st, 11) & ZF_WF_SUSPENDED) != 0);
            json_object_set_new(o, "case_no", zf_json_text_or_null(st, 5));
            json_object_set_new(o, "archived_at", zf_json_int_or_null(st, 10));
            json_array_append_new(items, o);
        }
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto done;
    }
    if (xlsx) {
        rc = zf_ctx_xlsx_items(c, "cases", "案件", items, CASE_EXPORT_COLS);
        goto done;
    }
    rc = zf_ctx_json(c, 200, json_pack("{s:o, s:I, s:b, s:I, s:I}", "items", items, "total",
                                       (json_int_t)total, "total_exact", exact, "page",
                                       (json_int_t)lp.page, "per_page", (json_int_t)lp.per_page));
    items = NULL;
done:
    json_decref(items);
    free(match);
    free(loose); /* built with the phrase; partial cases are candidates anyway */
    return rc;
}

/* ---- POST /api/v1/cases ----------------------------------------------------------------- */

static const zf_json_field CREATE_SPEC[] = {
    {"procedure", ZF_JT_STRING, 1, 32, "执法程序"},
    {"matter_id", ZF_JT_INT, 0, 0, "执法事项"},
    {"title", ZF_JT_STRING, 1, ZF_CASE_TITLE_MAX, "案件名称"},
    {"summary", ZF_JT_STRING, 0, ZF_CASE_SUMMARY_MAX, "案情摘要"},
    {"source", ZF_JT_STRING, 0, 20, "案件来源"},
    {"secrecy", ZF_JT_STRING, 0, 24, "密级标识"},
    {"parties", ZF_JT_ARRAY, 0, ZF_CASE_MAX_PARTIES, "当事人"},
    {"officers", ZF_JT_ARRAY, 0, ZF_CASE_MAX_OFFICERS, "执法人员"},
    {NULL, 0, 0, 0, NULL},
};

static const zf_json_field PARTY_SPEC[] = {
    {"kind", ZF_JT_STRING, 1, 32, "当事人类型"},
    {"name", ZF_JT_STRING, 1, 100, "当事人名称"},
    {"id_type", ZF_JT_STRING, 0, 20, "证件类型"},
    {"identifier", ZF_JT_STRING, 0, 40, "证件号码"},
    {"legal_rep", ZF_JT_STRING, 0, 50, "法定代表人（负责人）"},
    {"address", ZF_JT_STRING, 0, 200, "地址"},
    {"phone", ZF_JT_STRING, 0, 30, "联系电话"},
    {NULL, 0, 0, 0, NULL},
};

static const char *str_of(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int party_from_json(zf_case_party *p, json_t *v, zf_ctx *c, const char *where)
{
    char *text;
    json_t *chk = NULL;
    int rc;

    memset(p, 0, sizeof *p);
    if (!json_is_object(v)) {
        return zf_err_set(&c->err, ZF_EINVAL, "wrong_type", where, "当事人应为对象");
    }
    text = json_dumps(v, JSON_COMPACT);
    rc = zf_json_decode(&chk, text, strlen(text), PARTY_SPEC, &c->err);
    free(text);
    json_decref(chk);
    if (rc < 0) {
        char f[128];

        snprintf(f, sizeof f, "%s.%s", where, c->err.field);
        set_field(c, f);
        return rc;
    }
#define P(k) snprintf(p->k, sizeof p->k, "%s", str_of(v, #k) ? str_of(v, #k) : "")
    P(kind);
    P(name);
    P(id_type);
    P(identifier);
    P(legal_rep);
    P(address);
    P(phone);
#undef P
    if ((rc = zf_case_party_check(p, &c->err)) < 0) {
        char f[128];

        snprintf(f, sizeof f, "%s.%s", where, c->err.field);
        set_field(c, f);
    }
    return rc;
}

/* An array of positive integer ids; *out owned by the caller. */
static int ids_from_json(int64_t **out, size_t *out_n, json_t *a, zf_ctx *c, const char *field)
{
    size_t i;

    *out = NULL;
    *out_n = 0;
    if (!a)
        return 0;
    if (!json_is_array(a))
        return zf_err_set(&c->err, ZF_EINVAL, "wrong_type", field, "%s应为数组", field);
    *out = zf_calloc(json_array_size(a) + 1, sizeof **out);
    for (i = 0; i < json_array_size(a); i++) {
        json_t *v = json_array_get(a, i);

        if (!json_is_integer(v) || json_integer_value(v) <= 0) {
            free(*out);
            *out = NULL;
            return zf_err_set(&c->err, ZF_EINVAL, "wrong_type", field, "%s应为正整数编号的数组",
                              field);
        }
        (*out)[i] = json_integer_value(v);
    }
    *out_n = json_array_size(a);
    return 0;
}

static int respond_case(zf_ctx *c, int status, int64_t id);

static int h_create(zf_ctx *c)
{
    json_t *in = NULL, *arr;
    zf_case_party *parties = NULL;
    int64_t *officers = NULL, id = 0;
    size_t n_officers = 0, i, n_parties = 0;
    zf_case_new nc = {0};
    zf_case_actor who = actor_of(c);
    const zf_calendar *cal = NULL;
    char loc[64];
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, CREATE_SPEC, &c->err)) < 0)
        return rc;
    arr = json_object_get(in, "parties");
    n_parties = arr ? json_array_size(arr) : 0;
    parties = zf_calloc(n_parties + 1, sizeof *parties);
    for (i = 0; i < n_parties; i++) {
        char where[32];

        snprintf(where, sizeof where, "parties[%zu]", i);
        if ((rc = party_from_json(&parties[i], json_array_get(arr, i), c, where)) < 0)
            goto done;
    }
    if ((rc = ids_from_json(&officers, &n_officers, json_object_get(in, "officers"), c,
                            "officers")) < 0)
        goto done;
    if (json_integer_value(json_object_get(in, "matter_id")) < 0) {
        rc = invalid(c, "matter_id", "执法事项编号应为正整数");
        goto done;
    }
    nc.department_id = c->who->department_id; /* 案源登记 in the user's own department */
    nc.matter_id = json_integer_value(json_object_get(in, "matter_id"));
    nc.procedure = str_of(in, "procedure");
    nc.title = str_of(in, "title");
    nc.summary = str_of(in, "summary");
    nc.source = str_of(in, "source");
    nc.secrecy = str_of(in, "secrecy");
    nc.parties = parties;
    nc.n_parties = n_parties;
    nc.officers = officers;
    nc.n_officers = n_officers;
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        goto done;
    rc = zf_case_create(&id, c->db, cal, &nc, &who, c->now, &c->err);
    zf_calendar_cache_release(cal);
    if (rc < 0)
        goto done;
    snprintf(loc, sizeof loc, "/api/v1/cases/%lld", (long long)id);
    zf_ctx_header(c, "Location", loc);
    rc = respond_case(c, 201, id);
done:
    free(parties);
    free(officers);
    json_decref(in);
    return rc;
}

/* ---- GET /api/v1/cases/{id} ---------------------------------------------------------------- */

static int case_detail(json_t **out, zf_ctx *c, const zf_case *k)
{
    json_t *o = case_json(c->db, k);
    int rc;

    if ((rc = add_parties(o, c, k->id)) < 0 || (rc = add_officers(o, c, k->id)) < 0 ||
        (rc = add_clocks(o, c, k->id)) < 0 || (rc = add_actions(o, c, k)) < 0) {
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "documents_count",
                        json_integer(query_int(c->db, "SELECT COUNT(*) FROM case_documents WHERE case_id = $1",
                                               k->id)));
    json_object_set_new(o, "evidence_count",
                        json_integer(query_int(c->db, "SELECT COUNT(*) FROM evidence_files WHERE case_id = $1",
                                               k->id)));
    *out = o;
    return 0;
}

/* After a write: the case as it now is (the writer just saw it; no reason is
 * asked again and no view is recorded). */
static int respond_case(zf_ctx *c, int status, int64_t id)
{
    zf_case *k = zf_malloc(sizeof *k);
    json_t *o = NULL;
    int rc;

    if ((rc = zf_case_get(k, c->db, id, &c->err)) == 0 && (rc = case_detail(&o, c, k)) == 0)
        rc = zf_ctx_json(c, status, o);
    free(k);
    return rc;
}

static int h_get(zf_ctx *c)
{
    zf_case *k = zf_malloc(sizeof *k);
    json_t *o = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) == 0 && (rc = read_case(k, c, id, "detail")) == 0 &&
        (rc = case_detail(&o, c, k)) == 0)
        rc = zf_ctx_json(c, 200, o);
    free(k);
    return rc;
}

/* ---- PUT /api/v1/cases/{id} ------------------------------------------------------------------ */

static const zf_json_field UPDATE_SPEC[] = {
    {"title", ZF_JT_STRING, 0, ZF_CASE_TITLE_MAX, "案件名称"},
    {"summary", ZF_JT_STRING, 0, ZF_CASE_SUMMARY_MAX, "案情摘要"},
    {"source", ZF_JT_STRING, 0, 20, "案件来源"},
    {"secrecy", ZF_JT_STRING, 0, 24, "密级标识"},
    {"wait_until", ZF_JT_STRING, 0, 10, "法定等待期届满日"},
    {"major", ZF_JT_BOOL, 0, 0, "重大执法决定"},
    {NULL, 0, 0, 0, NULL},
};

static int h_update(zf_ctx *c)
{
    json_t *in = NULL, *v;
    zf_case_patch p = ZF_CASE_PATCH_INIT;
    zf_case_actor who = actor_of(c);
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, UPDATE_SPEC, &c->err)) < 0)
        return rc;
    if (json_object_size(in) == 0) {
        rc = invalid(c, "", "没有要修改的字段");
        goto done;
    }
    p.title = str_of(in, "title");
    p.summary = str_of(in, "summary");
    p.source = str_of(in, "source");
    p.secrecy = str_of(in, "secrecy");
    p.wait_until = str_of(in, "wait_until");
    if ((v = json_object_get(in, "major")) && json_is_boolean(v)) {
        /* marking a decision major (or not) is the head's call */
        if (!(c->who->role & ZF_ROLE_HEAD)) {
            rc = zf_err_set(&c->err, ZF_EPERM, "forbidden", "major", "只有部门负责人可以认定重大执法决定");
            goto done;
        }
        p.major = json_is_true(v);
    }
    if ((rc = zf_case_update(c->db, id, &p, &who, c->now, &c->err)) == 0)
        rc = respond_case(c, 200, id);
done:
    json_decref(in);
    return rc;
}

/* ---- POST /api/v1/cases/{id}/actions --------------------------------------------------------- */

static const zf_json_field ACTION_SPEC[] = {
    {"action", ZF_JT_STRING, 1, 48, "操作"},
    {"target_stage", ZF_JT_STRING, 0, 32, "退回到的阶段"},
    {"reason", ZF_JT_STRING, 0, ZF_CASE_REASON_MAX, "理由"},
    {"officers", ZF_JT_ARRAY, 0, ZF_CASE_MAX_OFFICERS, "参与的执法人员"},
    {"evidence", ZF_JT_ARRAY, 0, 100, "本环节的证据文件"},
    {"fine_fen", ZF_JT_INT, 0, 0, "罚款金额（分）"},
    {NULL, 0, 0, 0, NULL},
};

static json_t *codes_json(const char *const *codes, size_t n)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(a, json_string(codes[i]));
    return a;
}

static int h_action(zf_ctx *c)
{
    json_t *in = NULL, *o = NULL, *v;
    int64_t *officers = NULL, *evidence = NULL, id;
    size_t n_off = 0, n_ev = 0;
    zf_case_action req = {0};
    zf_case_act_result res;
    zf_case_actor who = actor_of(c);
    const zf_calendar *cal = NULL;
    zf_case *k = zf_malloc(sizeof *k);
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, ACTION_SPEC, &c->err)) < 0)
        goto done;
    if ((rc = ids_from_json(&officers, &n_off, json_object_get(in, "officers"), c, "officers")) < 0 ||
        (rc = ids_from_json(&evidence, &n_ev, json_object_get(in, "evidence"), c, "evidence")) < 0)
        goto done;
    req.action = str_of(in, "action");
    req.target = str_of(in, "target_stage");
    req.reason = str_of(in, "reason");
    if (json_object_get(in, "officers")) {
        req.officers = officers;
        req.n_officers = n_off;
    }
    if (json_object_get(in, "evidence")) {
        req.evidence = evidence;
        req.n_evidence = n_ev;
    }
    if ((v = json_object_get(in, "fine_fen")) && json_is_integer(v)) {
        req.has_fine = true;
        req.fine_fen = json_integer_value(v);
    }
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        goto done;
    rc = zf_case_act(&res, c->db, cal, id, &req, &who, c->now, &c->err);
    zf_calendar_cache_release(cal);
    if (rc < 0 || (rc = zf_case_get(k, c->db, id, &c->err)) < 0 || (rc = case_detail(&o, c, k)) < 0)
        goto done;
    v = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:o}", "event_id",
                  (json_int_t)res.event_id, "action", req.action, "stage_before", res.stage_before,
                  "stage", res.stage_after, "stage_name", stage_name(k->procedure, res.stage_after),
                  "recording_warning", res.outcome.recording_warning, "clocks_started",
                  codes_json(res.outcome.start, res.outcome.n_start), "clocks_finished",
                  codes_json(res.outcome.finish, res.outcome.n_finish), "clocks_paused",
                  codes_json(res.outcome.pause, res.outcome.n_pause), "clocks_resumed",
                  codes_json(res.outcome.resume, res.outcome.n_resume), "clocks_extended",
                  codes_json(res.outcome.extend, res.outcome.n_extend));
    json_object_set_new(v, "outcome", res.outcome.outcome ? json_string(res.outcome.outcome) : json_null());
    json_object_set_new(v, "case_no", res.case_no[0] ? json_string(res.case_no) : json_null());
    json_object_set_new(v, "case", o);
    o = NULL;
    rc = zf_ctx_json(c, 200, v);
done:
    json_decref(o);
    json_decref(in);
    free(officers);
    free(evidence);
    free(k);
    return rc;
}

/* ---- officers and parties ------------------------------------------------------------------ */

static const zf_json_field OFFICERS_SPEC[] = {
    {"officers", ZF_JT_ARRAY, 1, ZF_CASE_MAX_OFFICERS, "执法人员"},
    {NULL, 0, 0, 0, NULL},
};

static int h_officers(zf_ctx *c)
{
    json_t *in = NULL;
    int64_t *ids = NULL, id;
    size_t n = 0;
    zf_case_actor who = actor_of(c);
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, OFFICERS_SPEC, &c->err)) < 0)
        return rc;
    if ((rc = ids_from_json(&ids, &n, json_object_get(in, "officers"), c, "officers")) == 0 &&
        (rc = zf_case_set_officers(c->db, id, ids, n, &who, c->now, &c->err)) == 0)
        rc = respond_case(c, 200, id);
    free(ids);
    json_decref(in);
    return rc;
}

static int h_party_add(zf_ctx *c)
{
    json_t *in = NULL;
    zf_case_party p;
    zf_case_actor who = actor_of(c);
    int64_t id, pid = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, PARTY_SPEC, &c->err)) < 0)
        return rc;
    if ((rc = party_from_json(&p, in, c, "party")) == 0 &&
        (rc = zf_case_add_party(&pid, c->db, id, &p, &who, c->now, &c->err)) == 0) {
        p.id = pid;
        rc = zf_ctx_json(c, 201, party_json(&p));
    }
    /* the field path "party.kind" is the body's own "kind" */
    if (rc < 0 && strncmp(c->err.field, "party.", 6) == 0)
        memmove(c->err.field, c->err.field + 6, strlen(c->err.field + 6) + 1);
    json_decref(in);
    return rc;
}

/* ---- documents ---------------------------------------------------------------------------- */

static json_t *doc_json(zf_db *db, const zf_case_doc *d, int with_fields)
{
    const zf_doctpl *tpl = zf_doctpl_find(d->template_code);
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "id", (json_int_t)d->id,
                          "case_id", (json_int_t)d->case_id, "template", d->template_code,
                          "template_name", zf_workflow_doc_name(d->template_code), "status",
                          d->status, "kind", tpl ? "template" : "scan", "created_by",
                          (json_int_t)d->created_by, "created_at", (json_int_t)d->created_at,
                          "updated_at", (json_int_t)d->updated_at);

    (void)db;
    json_object_set_new(o, "doc_no", d->doc_no[0] ? json_string(d->doc_no) : json_null());
    json_object_set_new(o, "content_sha256",
                        d->content_sha256[0] ? json_string(d->content_sha256) : json_null());
    json_object_set_new(o, "evidence_id", d->evidence_id ? json_integer(d->evidence_id) : json_null());
    json_object_set_new(o, "finalized_by", d->finalized_by ? json_integer(d->finalized_by) : json_null());
    json_object_set_new(o, "finalized_at", d->finalized_at ? json_integer(d->finalized_at) : json_null());
    if (with_fields)
        json_object_set(o, "fields", d->fields);
    /* a draft may still lack required fields: say which (finalizing needs them) */
    if (json_is_object(d->fields)) {
        json_t *missing = NULL;
        zf_err e = ZF_ERR_INIT;

        if (!tpl || strcmp(d->status, "draft") != 0 || zf_doc_validate_draft(&missing, tpl, d->fields, &e) < 0)
            missing = json_array();
        json_object_set_new(o, "missing_fields", missing);
    }
    return o;
}

static int respond_doc(zf_ctx *c, int status, int64_t case_id, int64_t doc_id)
{
    zf_case_doc d;
    int rc;

    if ((rc = zf_case_doc_get(&d, c->db, case_id, doc_id, &c->err)) < 0)
        return rc;
    rc = zf_ctx_json(c, status, doc_json(c->db, &d, 1));
    zf_case_doc_clear(&d);
    return rc;
}

static const zf_json_field DOC_SPEC[] = {
    {"template", ZF_JT_STRING, 0, 48, "文书种类"},
    {"evidence_id", ZF_JT_INT, 0, 0, "扫描件"},
    {NULL, 0, 0, 0, NULL},
};

/* Creating (create = 1) honours Idempotency-Key: the check, the new draft
 * and the kept answer are one transaction, so a retry (the offline queue,
 * a lost answer) gets the first document, never a second one. */
static int doc_write(zf_ctx *c, int create)
{
    static const char *const objects[] = {"fields", NULL};
    json_t *in = NULL, *fields;
    zf_case_actor who = actor_of(c);
    int64_t id, doc_id = 0, out_id = 0, ev;
    const char *key = NULL;
    char loc[96], route[96];
    int rc, tx = 0, found = 0;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (!create && (rc = zf_ctx_param_id(c, 1, &doc_id)) < 0) ||
        (create && (rc = zf_idem_key(&key, c)) < 0))
        return rc;
    /* the concrete path: the same key for another case is another request */
    snprintf(route, sizeof route, "POST /api/v1/cases/%lld/documents", (long long)id);
    if (key) {
        if ((rc = zf_db_begin(c->db, &c->err)) < 0)
            return rc;
        tx = 1;
        if ((rc = zf_idem_replay(&found, c, key, route)) < 0 || found)
            goto done;
    }
    if ((rc = decode_with_objects(&in, c, DOC_SPEC, objects)) < 0)
        goto done;
    fields = json_object_get(in, "fields");
    if (create && !str_of(in, "template")) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "template", "缺少必填字段：文书种类");
        goto done;
    }
    if (!fields) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "fields", "缺少必填字段：文书内容（fields）");
        goto done;
    }
    ev = json_integer_value(json_object_get(in, "evidence_id"));
    if (ev < 0) {
        rc = invalid(c, "evidence_id", "扫描件编号应为正整数");
        goto done;
    }
    if ((rc = zf_case_doc_save(&out_id, c->db, id, doc_id, str_of(in, "template"), fields, ev, &who,
                               c->now, &c->err)) < 0)
        goto done;
    if (create) {
        snprintf(loc, sizeof loc, "/api/v1/cases/%lld/documents/%lld", (long long)id, (long long)out_id);
        zf_ctx_header(c, "Location", loc);
    }
    if ((rc = respond_doc(c, create ? 201 : 200, id, out_id)) < 0)
        goto done;
    if (key && (rc = zf_idem_store(c, key, route, c->status, zf_buf_str(&c->out))) < 0)
        goto done;
done:
    if (tx) {
        if (rc < 0 || (found && rc == 0)) {
            zf_db_rollback(c->db);
        } else if ((rc = zf_db_commit(c->db, &c->err)) < 0) {
            zf_db_rollback(c->db);
        }
    }
    json_decref(in);
    return rc;
}

static int h_doc_create(zf_ctx *c)
{
    return doc_write(c, 1);
}

static int h_doc_update(zf_ctx *c)
{
    return doc_write(c, 0);
}

static int h_doc_finalize(zf_ctx *c)
{
    zf_case_actor who = actor_of(c);
    int64_t id, doc_id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_ctx_param_id(c, 1, &doc_id)) < 0 ||
        (rc = no_body(c)) < 0 ||
        (rc = zf_case_doc_finalize(NULL, 0, c->db, id, doc_id, &who, c->now, &c->err)) < 0)
        return rc;
    /* the verification code printed on it (api/documents.c); made later on
     * first use if this fails */
    zf_doc_verify_ensure(NULL, c->db, id, doc_id, c->now, NULL);
    return respond_doc(c, 200, id, doc_id);
}

static int h_doc_list(zf_ctx *c)
{
    zf_case *k = zf_malloc(sizeof *k);
    zf_stmt *st = NULL;
    json_t *items = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = read_case(k, c, id, "documents")) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db, "SELECT id FROM case_documents WHERE case_id = $1 ORDER BY id",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    items = json_array();
    {
        int64_t ids[512];
        size_t n = 0, i;

        while ((rc = zf_stmt_step(st, &c->err)) == 1 && n < 512)
            ids[n++] = zf_stmt_int64(st, 0);
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto done;
        for (i = 0; i < n; i++) {
            zf_case_doc d;

            if ((rc = zf_case_doc_get(&d, c->db, id, ids[i], &c->err)) < 0)
                goto done;
            json_array_append_new(items, doc_json(c->db, &d, 0));
            zf_case_doc_clear(&d);
        }
    }
    rc = zf_ctx_json(c, 200, json_pack("{s:o}", "items", items));
    items = NULL;
done:
    zf_stmt_free(st);
    json_decref(items);
    free(k);
    return rc;
}

static int h_doc_get(zf_ctx *c)
{
    zf_case *k = zf_malloc(sizeof *k);
    int64_t id, doc_id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) == 0 && (rc = zf_ctx_param_id(c, 1, &doc_id)) == 0 &&
        (rc = read_case(k, c, id, "document")) == 0)
        rc = respond_doc(c, 200, id, doc_id);
    free(k);
    return rc;
}

/* ---- POST /api/v1/cases/{id}/evidence ------------------------------------------------------ */

static const zf_json_field LINK_SPEC[] = {
    {"evidence_id", ZF_JT_INT, 1, 0, "证据文件"},
    {NULL, 0, 0, 0, NULL},
};

static int h_link(zf_ctx *c)
{
    json_t *in = NULL;
    zf_case_actor who = actor_of(c);
    int64_t id, ev;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, LINK_SPEC, &c->err)) < 0)
        return rc;
    ev = json_integer_value(json_object_get(in, "evidence_id"));
    json_decref(in);
    if (ev <= 0)
        return invalid(c, "evidence_id", "证据文件编号应为正整数");
    if ((rc = zf_case_link_evidence(c->db, id, ev, &who, c->now, &c->err)) < 0)
        return rc;
    return zf_ctx_json(c, 200, json_pack("{s:I, s:I}", "case_id", (json_int_t)id, "evidence_id",
                                         (json_int_t)ev));
}

/* ---- recording interruptions (音像记录中断) ------------------------------------------------ */

static const char *cause_name(const char *code)
{
    static const struct {
        const char *code, *name;
    } CAUSE_NAMES[] = {{"device_failure", "设备故障"}, {"battery", "电量耗尽"},
                       {"storage_full", "存储已满"},   {"environment", "现场环境原因"},
                       {"other", "其他原因"}};
    size_t i;

    for (i = 0; i < sizeof CAUSE_NAMES / sizeof CAUSE_NAMES[0]; i++)
        if (strcmp(CAUSE_NAMES[i].code, code) == 0)
            return CAUSE_NAMES[i].name;
    return code;
}

static json_t *interruption_json(const zf_case_interruption *x, const zf_case *k)
{
    const zf_wf_procedure *p = zf_workflow_procedure(k->procedure);
    const zf_wf_action *a = p ? zf_workflow_action(p, x->action) : NULL;
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:s, s:I}", "id",
                          (json_int_t)x->id, "case_id", (json_int_t)x->case_id, "action", x->action,
                          "action_name", a ? a->name : x->action, "cause", x->cause, "cause_name",
                          cause_name(x->cause), "reason", x->reason, "device_id",
                          (json_int_t)x->device_id, "device_serial", x->device_serial,
                          "interrupted_at", (json_int_t)x->interrupted_at, "recorded_by",
                          (json_int_t)x->recorded_by, "recorded_by_name", x->recorded_by_name,
                          "created_at", (json_int_t)x->created_at);

    json_object_set_new(o, "resumed_at", x->resumed_at ? json_integer(x->resumed_at) : json_null());
    json_object_set_new(o, "evidence_id", x->evidence_id ? json_integer(x->evidence_id) : json_null());
    json_object_set_new(o, "event_id", x->event_id ? json_integer(x->event_id) : json_null());
    return o;
}

static int h_interruption_list(zf_ctx *c)
{
    zf_case *k = zf_malloc(sizeof *k);
    zf_case_interruption *v = NULL;
    json_t *items;
    size_t n = 0, i;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = read_case(k, c, id, "recording_interruptions")) < 0 ||
        (rc = zf_case_interruptions(&v, &n, c->db, id, &c->err)) < 0)
        goto done;
    items = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(items, interruption_json(&v[i], k));
    rc = zf_ctx_json(c, 200, json_pack("{s:I, s:o}", "case_id", (json_int_t)id, "items", items));
done:
    free(v);
    free(k);
    return rc;
}

static const zf_json_field INTERRUPTION_SPEC[] = {
    {"action", ZF_JT_STRING, 1, 48, "中断时办理的环节"},
    {"cause", ZF_JT_STRING, 1, 24, "中断原因类别"},
    {"reason", ZF_JT_STRING, 1, ZF_CASE_REASON_MAX, "中断原因"},
    {"device_id", ZF_JT_INT, 1, 0, "记录设备"},
    {"interrupted_at", ZF_JT_INT, 1, 0, "中断时间"},
    {"resumed_at", ZF_JT_INT, 0, 0, "恢复录像时间"},
    {"evidence_id", ZF_JT_INT, 0, 0, "中断前的录像文件"},
    {NULL, 0, 0, 0, NULL},
};

static int h_interruption_add(zf_ctx *c)
{
    json_t *in = NULL, *v;
    zf_case_interruption *x = zf_calloc(1, sizeof *x);
    zf_case_interruption *all = NULL;
    zf_case *k = zf_malloc(sizeof *k);
    zf_case_actor who = actor_of(c);
    size_t n = 0, i;
    int64_t id, new_id = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, INTERRUPTION_SPEC, &c->err)) < 0)
        goto done;
    x->case_id = id;
    snprintf(x->action, sizeof x->action, "%s", str_of(in, "action"));
    snprintf(x->cause, sizeof x->cause, "%s", str_of(in, "cause"));
    snprintf(x->reason, sizeof x->reason, "%s", str_of(in, "reason"));
    x->device_id = json_integer_value(json_object_get(in, "device_id"));
    x->interrupted_at = json_integer_value(json_object_get(in, "interrupted_at"));
    if ((v = json_object_get(in, "resumed_at")) && json_is_integer(v))
        x->resumed_at = json_integer_value(v);
    if ((v = json_object_get(in, "evidence_id")) && json_is_integer(v)) {
        x->evidence_id = json_integer_value(v);
        if (x->evidence_id <= 0) {
            rc = invalid(c, "evidence_id", "证据文件编号应为正整数");
            goto done;
        }
    }
    if ((rc = zf_case_interruption_add(&new_id, c->db, x, &who, c->now, &c->err)) < 0 ||
        (rc = zf_case_get(k, c->db, id, &c->err)) < 0 ||
        (rc = zf_case_interruptions(&all, &n, c->db, id, &c->err)) < 0)
        goto done;
    for (i = 0; i < n && all[i].id != new_id; i++)
        ;
    rc = i < n ? zf_ctx_json(c, 201, interruption_json(&all[i], k))
               : zf_err_set(&c->err, ZF_EDB, "internal", NULL, "服务器内部错误");
done:
    json_decref(in);
    free(all);
    free(x);
    free(k);
    return rc;
}

/* ---- GET /api/v1/cases/{id}/timeline ------------------------------------------------------ */

static int h_timeline(zf_ctx *c)
{
    zf_case *k = zf_malloc(sizeof *k);
    zf_stmt *st = NULL;
    json_t *items = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = read_case(k, c, id, "timeline")) < 0)
        goto done;
    if ((rc = zf_db_prepare(
             &st, c->db,
             "SELECT type, id, at, actor_id, actor, a5, a6, a7, a8, a9 FROM ("
             "SELECT 'event' AS type, e.id AS id, e.at AS at, e.actor_id AS actor_id, "
             "e.actor_name AS actor, e.action AS a5, "
             "COALESCE(e.from_stage, '') AS a6, e.to_stage AS a7, e.reason AS a8, e.detail AS a9, "
             "CASE WHEN e.action = 'create' THEN 0 ELSE 4 END AS rank FROM case_events e "
             "WHERE e.case_id = $1 "
             "UNION ALL SELECT 'document_saved', d.id, d.created_at, d.created_by, "
             "COALESCE(u.username, ''), d.template, 'draft', '', '', '', 2 FROM case_documents d "
             "LEFT JOIN users u ON u.id = d.created_by WHERE d.case_id = $1 "
             "UNION ALL SELECT 'document_finalized', d.id, d.finalized_at, d.finalized_by, "
             "COALESCE(u.username, ''), d.template, 'final', COALESCE(d.doc_no, ''), '', "
             "d.content_sha256, 3 FROM case_documents d LEFT JOIN users u ON u.id = d.finalized_by "
             "WHERE d.case_id = $1 AND d.status = 'final' "
             "UNION ALL SELECT 'evidence', f.id, f.created_at, f.created_by, COALESCE(u.username, ''), "
             "f.kind, f.filename, f.sha256, '', '', 1 FROM evidence_files f LEFT JOIN users u ON "
             "u.id = f.created_by WHERE f.case_id = $1 "
             "UNION ALL SELECT 'recording_interruption', r.id, r.interrupted_at, r.recorded_by, "
             "COALESCE(u.username, ''), r.action, r.cause, r.reason, COALESCE(d.serial, ''), "
             "CAST(COALESCE(r.resumed_at, 0) AS TEXT), 1 FROM recording_interruptions r "
             "LEFT JOIN users u ON u.id = r.recorded_by LEFT JOIN devices d ON d.id = r.device_id "
             "WHERE r.case_id = $1) x "
             "ORDER BY at, rank, id",
             &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    items = json_array();
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        const char *type = zf_stmt_text(st, 0);
        json_t *o = json_pack("{s:s, s:I, s:I, s:s}", "type", type, "id",
                              (json_int_t)zf_stmt_int64(st, 1), "at", (json_int_t)zf_stmt_int64(st, 2),
                              "actor", zf_stmt_text(st, 4));

        json_object_set_new(o, "actor_id", zf_json_int_or_null(st, 3));
        if (strcmp(type, "event") == 0) {
            json_error_t je;
            json_t *d = json_loads(zf_stmt_text(st, 9), 0, &je);
            const zf_wf_procedure *p = zf_workflow_procedure(k->procedure);
            const zf_wf_action *a = p ? zf_workflow_action(p, zf_stmt_text(st, 5)) : NULL;

            json_object_set_new(o, "action", json_string(zf_stmt_text(st, 5)));
            json_object_set_new(o, "title", json_string(a ? a->name
                                                          : strcmp(zf_stmt_text(st, 5), "create") == 0
                                                              ? "案源登记"
                                                              : zf_stmt_text(st, 5)));
            json_object_set_new(o, "from_stage", *zf_stmt_text(st, 6) ? json_string(zf_stmt_text(st, 6))
                                                                     : json_null());
            json_object_set_new(o, "to_stage", json_string(zf_stmt_text(st, 7)));
            json_object_set_new(o, "reason", json_string(zf_stmt_text(st, 8)));
            json_object_set_new(o, "detail", d ? d : json_object());
        } else if (strncmp(type, "document", 8) == 0) {
            json_object_set_new(o, "template", json_string(zf_stmt_text(st, 5)));
            json_object_set_new(o, "title", json_string(zf_workflow_doc_name(zf_stmt_text(st, 5))));
            json_object_set_new(o, "doc_no", *zf_stmt_text(st, 7) ? json_string(zf_stmt_text(st, 7))
                                                                  : json_null());
            if (*zf_stmt_text(st, 9))
                json_object_set_new(o, "content_sha256", json_string(zf_stmt_text(st, 9)));
        } else if (strcmp(type, "recording_interruption") == 0) {
            const zf_wf_procedure *p = zf_workflow_procedure(k->procedure);
            const zf_wf_action *a = p ? zf_workflow_action(p, zf_stmt_text(st, 5)) : NULL;
            char title[160];
            long long resumed = atoll(zf_stmt_text(st, 9));

            snprintf(title, sizeof title, "音像记录中断（%s）", a ? a->name : zf_stmt_text(st, 5));
            json_object_set_new(o, "title", json_string(title));
            json_object_set_new(o, "action", json_string(zf_stmt_text(st, 5)));
            json_object_set_new(o, "cause", json_string(zf_stmt_text(st, 6)));
            json_object_set_new(o, "cause_name", json_string(cause_name(zf_stmt_text(st, 6))));
            json_object_set_new(o, "reason", json_string(zf_stmt_text(st, 7)));
            json_object_set_new(o, "device", json_string(zf_stmt_text(st, 8)));
            json_object_set_new(o, "resumed_at", resumed ? json_integer(resumed) : json_null());
        } else {
            json_object_set_new(o, "kind", json_string(zf_stmt_text(st, 5)));
            json_object_set_new(o, "title", json_string(zf_stmt_text(st, 6)));
            json_object_set_new(o, "sha256", json_string(zf_stmt_text(st, 7)));
        }
        json_array_append_new(items, o);
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    rc = zf_ctx_json(c, 200, json_pack("{s:I, s:o}", "case_id", (json_int_t)id, "items", items));
    items = NULL;
done:
    zf_stmt_free(st);
    json_decref(items);
    free(k);
    return rc;
}

/* ---- GET /api/v1/parties/{identifier}/cases ------------------------------------------------- */

/* The text records of one case in a party's file (集中储存): each document's
 * template, 文号 and state. Fields stay behind the case's own document API,
 * which checks secrecy; a restricted case lists no documents here. */
static int add_party_case_documents(zf_ctx *c, json_t *kase)
{
    json_t *docs = json_array();
    zf_stmt *st = NULL;
    int rc;

    json_object_set_new(kase, "documents", docs);
    if (strcmp(json_string_value(json_object_get(kase, "secrecy")), "none") != 0)
        return 0;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, template, doc_no, status, created_at, finalized_at FROM "
                            "case_documents WHERE case_id = $1 ORDER BY created_at, id",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, (int64_t)json_integer_value(json_object_get(kase, "id")));
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        json_t *d = json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)zf_stmt_int64(st, 0),
                              "template", zf_stmt_text(st, 1), "template_name",
                              zf_workflow_doc_name(zf_stmt_text(st, 1)), "status", zf_stmt_text(st, 3),
                              "created_at", (json_int_t)zf_stmt_int64(st, 4));

        json_object_set_new(d, "doc_no", zf_json_text_or_null(st, 2));
        json_object_set_new(d, "finalized_at", zf_stmt_is_null(st, 5) ? json_null()
                                                                       : json_integer(zf_stmt_int64(st, 5)));
        json_array_append_new(docs, d);
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

static int h_party_cases(zf_ctx *c)
{
    const char *reason = NULL, *raw = c->params[0];
    char ident[32], detail[96], oid[24];
    zf_stmt *st = NULL;
    json_t *items = NULL;
    int64_t lookup = 0;
    size_t i, n;
    zf_audit_event ev = {0};
    int rc;

    n = raw ? strlen(raw) : 0;
    if (n != 18)
        return invalid(c, "identifier", "当事人标识应为 18 位统一社会信用代码或身份证号码");
    for (i = 0; i < n; i++)
        ident[i] = (char)(raw[i] >= 'a' && raw[i] <= 'z' ? raw[i] - 'a' + 'A' : raw[i]);
    ident[n] = '\0';
    if (!zf_redact_id_valid(ident, n) && !zf_redact_credit_code_valid(ident, n))
        return invalid(c, "identifier", "当事人标识的校验码不正确");
    if ((rc = read_reason(&reason, c, 1)) < 0)
        return rc;
    /* the lookup is recorded first: the identifier in party_lookups, only
     * the lookup's id in the audit row and the ledger */
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO party_lookups (at, user_id, identifier, reason) VALUES "
                            "($1, $2, $3, $4) RETURNING id",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, c->now);
    zf_stmt_bind_int64(st, 2, c->who->user_id);
    zf_stmt_bind_text(st, 3, ident, -1);
    zf_stmt_bind_text(st, 4, reason, -1);
    if ((rc = zf_stmt_step(st, &c->err)) == 1)
        lookup = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    snprintf(oid, sizeof oid, "%lld", (long long)lookup);
    snprintf(detail, sizeof detail, "cases; lookup=%lld", (long long)lookup);
    ev.at = c->now;
    ev.actor_id = c->who->user_id;
    ev.actor_name = c->who->username;
    ev.action = "party_view";
    ev.object_type = "party_lookup";
    ev.object_id = oid;
    ev.ip = c->ip;
    ev.request_id = c->request_id;
    ev.detail = detail;
    if ((rc = zf_audit_write(c->db, &ev, &c->err)) < 0 || (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT DISTINCT c.id, c.department_id, c.procedure, c.stage, c.case_no, "
                            "c.title, c.secrecy, c.created_at, c.outcome FROM cases c JOIN case_parties p "
                            "ON p.case_id = c.id WHERE p.identifier = $1 AND (CAST($2 AS BIGINT) IS NULL "
                            "OR c.department_id = $2) ORDER BY c.created_at DESC, c.id DESC LIMIT 500",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, ident, -1);
    if (c->who->role == ZF_ROLE_SUPERVISOR)
        zf_stmt_bind_null(st, 2);
    else
        zf_stmt_bind_int64(st, 2, c->who->department_id);
    items = json_array();
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        int restricted = strcmp(zf_stmt_text(st, 6), "none") != 0;
        json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "id",
                              (json_int_t)zf_stmt_int64(st, 0), "department_id",
                              (json_int_t)zf_stmt_int64(st, 1), "procedure", zf_stmt_text(st, 2),
                              "stage", zf_stmt_text(st, 3), "stage_name",
                              stage_name(zf_stmt_text(st, 2), zf_stmt_text(st, 3)), "title",
                              restricted ? "（涉密或受限案件）" : zf_stmt_text(st, 5), "secrecy",
                              zf_stmt_text(st, 6), "created_at", (json_int_t)zf_stmt_int64(st, 7));

        json_object_set_new(o, "case_no", zf_json_text_or_null(st, 4));
        json_object_set_new(o, "outcome", *zf_stmt_text(st, 8) ? json_string(zf_stmt_text(st, 8)) : json_null());
        json_array_append_new(items, o);
    }
    zf_stmt_free(st);
    for (i = 0; rc >= 0 && i < json_array_size(items); i++)
        rc = add_party_case_documents(c, json_array_get(items, i));
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return zf_ctx_json(c, 200, json_pack("{s:o, s:I, s:I}", "items", items, "total",
                                         (json_int_t)json_array_size(items), "lookup_id",
                                         (json_int_t)lookup));
fail:
    zf_stmt_free(st);
    zf_db_rollback(c->db);
    return rc;
}

/* ---- GET /api/v1/cases/stats ------------------------------------------------------------- */

static int h_stats(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *by_stage = json_array(), *by_power = json_array(), *durations = json_array();
    int64_t dept = 0, total = 0;
    int rc, q;
    /* Read from the sums case_store.c keeps in the transaction of every
     * case change, not from cases and case_events: at a million cases and
     * ten million events counting those took seconds (a scan of each, and a
     * window over every event), the sums a few hundred rows. case_counts
     * (migration 0023): cases per department, procedure, power type and
     * stage; an archived case is one in its procedure's "archived" stage
     * (every procedure's ZF_WF_ST_ARCHIVED stage has that code; archived_at
     * is set when it enters it and nothing changes after). case_stage_times
     * (migration 0027): the stays in each stage that have ended, as count,
     * sum and maximum, so the average is the sum over the count. */
    static const char *const sql[3] = {
        "SELECT procedure, stage, SUM(n) FROM case_counts WHERE (CAST($1 AS BIGINT) IS NULL OR "
        "department_id = $1) GROUP BY procedure, stage HAVING SUM(n) > 0 ORDER BY procedure, stage",
        "SELECT power_type, SUM(n), SUM(CASE WHEN stage = 'archived' THEN n ELSE 0 END) FROM case_counts "
        "WHERE (CAST($1 AS BIGINT) IS NULL OR department_id = $1) GROUP BY power_type HAVING SUM(n) > 0 "
        "ORDER BY power_type",
        "SELECT procedure, stage, SUM(n), SUM(seconds), MAX(max_seconds) FROM case_stage_times "
        "WHERE (CAST($1 AS BIGINT) IS NULL OR department_id = $1) GROUP BY procedure, stage "
        "HAVING SUM(n) > 0 ORDER BY procedure, stage",
    };

    if ((rc = id_param(c, "department_id", &dept)) < 0)
        goto done;
    if (c->who->role != ZF_ROLE_SUPERVISOR) {
        if (dept && dept != c->who->department_id) {
            rc = zf_err_set(&c->err, ZF_EPERM, "forbidden", "department_id", "只能查看本部门的统计");
            goto done;
        }
        dept = c->who->department_id;
    }
    for (q = 0; q < 3; q++) {
        if ((rc = zf_db_prepare(&st, c->db, sql[q], &c->err)) < 0)
            goto done;
        if (dept)
            zf_stmt_bind_int64(st, 1, dept);
        else
            zf_stmt_bind_null(st, 1);
        while ((rc = zf_stmt_step(st, &c->err)) == 1) {
            if (q == 0) {
                total += zf_stmt_int64(st, 2);
                json_array_append_new(by_stage,
                                      json_pack("{s:s, s:s, s:s, s:s, s:I}", "procedure", zf_stmt_text(st, 0),
                                                "procedure_name", procedure_name(zf_stmt_text(st, 0)),
                                                "stage", zf_stmt_text(st, 1), "stage_name",
                                                stage_name(zf_stmt_text(st, 0), zf_stmt_text(st, 1)),
                                                "count", (json_int_t)zf_stmt_int64(st, 2)));
            } else if (q == 1) {
                json_array_append_new(by_power, json_pack("{s:s, s:I, s:I}", "power_type", zf_stmt_text(st, 0),
                                                          "count", (json_int_t)zf_stmt_int64(st, 1),
                                                          "archived", (json_int_t)zf_stmt_int64(st, 2)));
            } else {
                json_array_append_new(durations,
                                      json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "procedure",
                                                zf_stmt_text(st, 0), "stage", zf_stmt_text(st, 1),
                                                "stage_name", stage_name(zf_stmt_text(st, 0), zf_stmt_text(st, 1)),
                                                "transitions", (json_int_t)zf_stmt_int64(st, 2),
                                                "avg_seconds",
                                                (json_int_t)(zf_stmt_int64(st, 3) / zf_stmt_int64(st, 2)),
                                                "max_seconds", (json_int_t)zf_stmt_int64(st, 4)));
            }
        }
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto done;
    }
    {
        json_t *o = json_pack("{s:I, s:O, s:O, s:O}", "total", (json_int_t)total, "by_stage", by_stage,
                              "by_power_type", by_power, "stage_durations", durations);

        json_object_set_new(o, "department_id", dept ? json_integer(dept) : json_null());
        rc = zf_ctx_json(c, 200, o);
    }
done:
    json_decref(by_stage);
    json_decref(by_power);
    json_decref(durations);
    return rc;
}

/* ---- devices --------------------------------------------------------------------------------- */

static const char *const DEVICE_KINDS[] = {"body_camera", "handheld", "other", NULL};
static const char *const DEVICE_STATUS[] = {"active", "repair", "retired", NULL};

static int one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

static json_t *device_row(zf_stmt *st)
{
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:I}", "id",
                          (json_int_t)zf_stmt_int64(st, 0), "department_id",
                          (json_int_t)zf_stmt_int64(st, 1), "serial", zf_stmt_text(st, 2), "kind",
                          zf_stmt_text(st, 3), "model", zf_stmt_text(st, 4), "status",
                          zf_stmt_text(st, 6), "created_at", (json_int_t)zf_stmt_int64(st, 7),
                          "updated_at", (json_int_t)zf_stmt_int64(st, 8));

    json_object_set_new(o, "officer_id", zf_json_int_or_null(st, 5));
    json_object_set_new(o, "officer_name", zf_json_text_or_null(st, 9));
    return o;
}

#define DEVICE_SELECT                                                                          \
    "SELECT d.id, d.department_id, d.serial, d.kind, d.model, d.officer_id, d.status, "        \
    "d.created_at, d.updated_at, o.name FROM devices d LEFT JOIN officers o ON o.id = d.officer_id "

static int respond_device(zf_ctx *c, int status, int64_t id)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, c->db, DEVICE_SELECT "WHERE d.id = $1", &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1)
        rc = zf_ctx_json(c, status, device_row(st));
    else if (rc == 0)
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该设备");
    zf_stmt_free(st);
    return rc;
}

static int h_dev_list(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *items;
    int64_t dept;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &dept)) < 0 ||
        (rc = zf_db_prepare(&st, c->db, DEVICE_SELECT "WHERE d.department_id = $1 ORDER BY d.serial",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, dept);
    items = json_array();
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, device_row(st));
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return zf_ctx_json(c, 200, json_pack("{s:o}", "items", items));
}

static const zf_json_field DEVICE_SPEC[] = {
    {"serial", ZF_JT_STRING, 0, 64, "设备编号"},
    {"kind", ZF_JT_STRING, 0, 16, "设备类型"},
    {"model", ZF_JT_STRING, 0, 100, "型号"},
    {"officer_id", ZF_JT_INT, 0, 0, "配发的执法人员"},
    {"status", ZF_JT_STRING, 0, 16, "状态"},
    {NULL, 0, 0, 0, NULL},
};

static int device_audit(zf_ctx *c, const char *action, int64_t id, const char *detail)
{
    zf_audit_event ev = {0};
    char oid[24];

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    ev.at = c->now;
    ev.actor_id = c->who->user_id;
    ev.actor_name = c->who->username;
    ev.action = action;
    ev.object_type = "device";
    ev.object_id = oid;
    ev.ip = c->ip;
    ev.request_id = c->request_id;
    ev.detail = detail;
    return zf_audit_write(c->db, &ev, &c->err);
}

/* create (dept > 0, id 0) or update (id > 0) */
static int device_write(zf_ctx *c, int64_t dept, int64_t id)
{
    json_t *in = NULL, *v;
    zf_stmt *st = NULL;
    const char *serial, *kind, *model, *status;
    int64_t officer = -1, cur_dept = dept;
    char detail[200];
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, DEVICE_SPEC, &c->err)) < 0)
        return rc;
    serial = str_of(in, "serial");
    kind = str_of(in, "kind");
    model = str_of(in, "model");
    status = str_of(in, "status");
    if ((v = json_object_get(in, "officer_id")))
        officer = json_is_null(v) ? 0 : json_integer_value(v);
    if (!id && (!serial || !*serial || !kind)) {
        rc = invalid(c, !serial || !*serial ? "serial" : "kind", "新增设备须填写设备编号和设备类型");
        goto done;
    }
    if (serial && (!*serial || cp_len(serial) > 64)) {
        rc = invalid(c, "serial", "设备编号不能为空");
        goto done;
    }
    if (kind && !one_of(kind, DEVICE_KINDS)) {
        rc = invalid(c, "kind", "设备类型只能是 body_camera（执法记录仪）、handheld（手持执法终端）或 other");
        goto done;
    }
    if (status && !one_of(status, DEVICE_STATUS)) {
        rc = invalid(c, "status", "状态只能是 active、repair 或 retired");
        goto done;
    }
    if (officer < -1 || (id && json_object_size(in) == 0)) {
        rc = invalid(c, officer < -1 ? "officer_id" : "", officer < -1 ? "执法人员编号应为正整数" : "没有要修改的字段");
        goto done;
    }
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if (id)
        cur_dept = query_int(c->db, "SELECT department_id FROM devices WHERE id = $1", id);
    if (officer > 0 &&
        query_int(c->db, "SELECT department_id FROM officers WHERE id = $1", officer) != cur_dept) {
        rc = invalid(c, "officer_id", "只能配发给本部门的执法人员");
        goto fail;
    }
    if (id)
        rc = zf_db_prepare(&st, c->db,
                           "UPDATE devices SET serial = COALESCE($2, serial), kind = COALESCE($3, kind), "
                           "model = COALESCE($4, model), officer_id = CASE WHEN $5 < 0 THEN officer_id "
                           "WHEN $5 = 0 THEN NULL ELSE $5 END, status = COALESCE($6, status), "
                           "updated_at = $7 WHERE id = $1 RETURNING id",
                           &c->err);
    else
        rc = zf_db_prepare(&st, c->db,
                           "INSERT INTO devices (department_id, serial, kind, model, officer_id, status, "
                           "created_at, updated_at) VALUES ($1, $2, $3, COALESCE($4, ''), CASE WHEN $5 > 0 "
                           "THEN $5 ELSE NULL END, COALESCE($6, 'active'), $7, $7) RETURNING id",
                           &c->err);
    if (rc < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, id ? id : dept);
    zf_stmt_bind_text_or_null(st, 2, serial);
    zf_stmt_bind_text_or_null(st, 3, kind);
    zf_stmt_bind_text_or_null(st, 4, model);
    zf_stmt_bind_int64(st, 5, officer);
    zf_stmt_bind_text_or_null(st, 6, status);
    zf_stmt_bind_int64(st, 7, c->now);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1)
        id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc == ZF_ECONFLICT)
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "duplicate", "serial", "设备编号已存在");
    if (rc < 0)
        goto fail;
    snprintf(detail, sizeof detail, "serial=%.64s; officer=%lld; status=%s", serial ? serial : "",
             (long long)officer, status ? status : "");
    if ((rc = device_audit(c, dept ? "device_create" : "device_update", id, detail)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    rc = respond_device(c, dept ? 201 : 200, id);
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    json_decref(in);
    return rc;
}

static int h_dev_create(zf_ctx *c)
{
    int64_t dept;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &dept)) < 0)
        return rc;
    return device_write(c, dept, 0);
}

static int h_dev_update(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return device_write(c, 0, id);
}

static int h_dev_delete(zf_ctx *c)
{
    zf_stmt *st = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = no_body(c)) < 0)
        return rc;
    /* a device that recorded evidence stays in the registry (retire it) */
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        return rc;
    if (query_int(c->db,
                  "SELECT (SELECT COUNT(*) FROM evidence_files WHERE device_id = $1) + "
                  "(SELECT COUNT(*) FROM recording_interruptions WHERE device_id = $1)",
                  id) > 0) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "device_in_use", NULL,
                        "该设备已有音像记录，不能删除，请将状态改为 retired（停用）");
        goto fail;
    }
    if ((rc = zf_db_prepare(&st, c->db, "DELETE FROM devices WHERE id = $1", &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    if (rc < 0 || (rc = device_audit(c, "device_delete", id, NULL)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    c->status = 204;
    return 0;
fail:
    zf_db_rollback(c->db);
    return rc;
}

/* ---- 音像记录事项清单 ------------------------------------------------------------------------- */

static int h_av_get(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *items;
    int64_t dept;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &dept)) < 0 ||
        (rc = zf_db_prepare(&st, c->db,
                            "SELECT a.id, a.matter_id, m.name, a.procedure, a.action, a.method, a.mandatory, "
                            "a.retention, a.note FROM av_items a LEFT JOIN matters m ON m.id = a.matter_id "
                            "WHERE a.department_id = $1 ORDER BY a.id",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, dept);
    items = json_array();
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:b, s:s, s:s}", "id",
                              (json_int_t)zf_stmt_int64(st, 0), "procedure", zf_stmt_text(st, 3),
                              "action", zf_stmt_text(st, 4), "method", zf_stmt_text(st, 5), "mandatory",
                              zf_stmt_int64(st, 6) != 0, "retention", zf_stmt_text(st, 7), "note",
                              zf_stmt_text(st, 8));

        json_object_set_new(o, "matter_id", zf_json_int_or_null(st, 1));
        json_object_set_new(o, "matter_name", zf_json_text_or_null(st, 2));
        json_array_append_new(items, o);
    }
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return zf_ctx_json(c, 200, json_pack("{s:I, s:o}", "department_id", (json_int_t)dept, "items", items));
}

static const zf_json_field AV_SPEC[] = {
    {"items", ZF_JT_ARRAY, 1, 500, "事项清单"},
    {NULL, 0, 0, 0, NULL},
};

static const zf_json_field AV_ITEM_SPEC[] = {
    {"matter_id", ZF_JT_INT, 0, 0, "执法事项"},
    {"procedure", ZF_JT_STRING, 0, 32, "执法程序"},
    {"action", ZF_JT_STRING, 1, 48, "执法环节"},
    {"method", ZF_JT_STRING, 1, 8, "记录方式"},
    {"mandatory", ZF_JT_BOOL, 0, 0, "是否必须"},
    {"retention", ZF_JT_STRING, 0, 32, "保存期限类别"},
    {"note", ZF_JT_STRING, 0, 500, "备注"},
    {NULL, 0, 0, 0, NULL},
};

/* Whether code is an action of proc ("" = of any procedure). */
static int action_known(const char *proc, const char *code)
{
    size_t n, i;
    const zf_wf_procedure *ps;

    if (*proc)
        return zf_workflow_procedure(proc) && zf_workflow_action(zf_workflow_procedure(proc), code);
    ps = zf_workflow_procedures(&n);
    for (i = 0; i < n; i++)
        if (zf_workflow_action(&ps[i], code))
            return 1;
    return 0;
}

static int h_av_put(zf_ctx *c)
{
    static const char *const methods[] = {"video", "audio", "photo", "text", NULL};
    json_t *in = NULL, *items;
    zf_stmt *st = NULL;
    int64_t dept;
    size_t i;
    char detail[64];
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &dept)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, AV_SPEC, &c->err)) < 0)
        return rc;
    items = json_object_get(in, "items");
    for (i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i), *chk = NULL;
        char *text, where[64];
        const char *proc, *action, *method, *ret;
        int64_t matter;

        snprintf(where, sizeof where, "items[%zu]", i);
        if (!json_is_object(it)) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "wrong_type", where, "清单的每一项应为对象");
            goto done;
        }
        text = json_dumps(it, JSON_COMPACT);
        rc = zf_json_decode(&chk, text, strlen(text), AV_ITEM_SPEC, &c->err);
        free(text);
        json_decref(chk);
        if (rc < 0) {
            char f[128];

            snprintf(f, sizeof f, "%s.%s", where, c->err.field);
            set_field(c, f);
            goto done;
        }
        proc = str_of(it, "procedure") ? str_of(it, "procedure") : "";
        action = str_of(it, "action");
        method = str_of(it, "method");
        ret = str_of(it, "retention") ? str_of(it, "retention") : "routine";
        matter = json_integer_value(json_object_get(it, "matter_id"));
        if (*proc && !zf_workflow_procedure(proc)) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", where, "第 %zu 项：未知的执法程序 %s",
                            i + 1, proc);
            goto done;
        }
        if (!action_known(proc, action)) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", where, "第 %zu 项：未知的执法环节 %s",
                            i + 1, action);
            goto done;
        }
        if (!one_of(method, methods)) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", where,
                            "第 %zu 项：记录方式只能是 video、audio、photo 或 text", i + 1);
            goto done;
        }
        if (matter && query_int(c->db, "SELECT department_id FROM matters WHERE id = $1", matter) != dept) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", where,
                            "第 %zu 项：执法事项不存在或不属于本部门", i + 1);
            goto done;
        }
        (void)ret;
    }
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db, "DELETE FROM av_items WHERE department_id = $1", &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, dept);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    st = NULL;
    for (i = 0; rc >= 0 && i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        int64_t matter = json_integer_value(json_object_get(it, "matter_id"));

        if ((rc = zf_db_prepare(&st, c->db,
                                "INSERT INTO av_items (department_id, matter_id, procedure, action, method, "
                                "mandatory, retention, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                                &c->err)) < 0)
            goto fail;
        zf_stmt_bind_int64(st, 1, dept);
        if (matter > 0)
            zf_stmt_bind_int64(st, 2, matter);
        else
            zf_stmt_bind_null(st, 2);
        zf_stmt_bind_text(st, 3, str_of(it, "procedure") ? str_of(it, "procedure") : "", -1);
        zf_stmt_bind_text(st, 4, str_of(it, "action"), -1);
        zf_stmt_bind_text(st, 5, str_of(it, "method"), -1);
        zf_stmt_bind_int64(st, 6, json_is_true(json_object_get(it, "mandatory")) ? 1 : 0);
        zf_stmt_bind_text(st, 7, str_of(it, "retention") ? str_of(it, "retention") : "routine", -1);
        zf_stmt_bind_text(st, 8, str_of(it, "note") ? str_of(it, "note") : "", -1);
        rc = zf_stmt_step(st, &c->err);
        zf_stmt_free(st);
        st = NULL;
    }
    if (rc == ZF_ECONFLICT)
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "items", "保存期限类别不存在");
    if (rc < 0)
        goto fail;
    snprintf(detail, sizeof detail, "items=%zu", json_array_size(items));
    {
        zf_audit_event ev = {0};
        char oid[24];

        snprintf(oid, sizeof oid, "%lld", (long long)dept);
        ev.at = c->now;
        ev.actor_id = c->who->user_id;
        ev.actor_name = c->who->username;
        ev.action = "av_items_update";
        ev.object_type = "department";
        ev.object_id = oid;
        ev.ip = c->ip;
        ev.request_id = c->request_id;
        ev.detail = detail;
        if ((rc = zf_audit_write(c->db, &ev, &c->err)) < 0 || (rc = zf_db_commit(c->db, &c->err)) < 0)
            goto fail;
    }
    json_decref(in);
    return h_av_get(c);
fail:
    zf_db_rollback(c->db);
done:
    json_decref(in);
    return rc;
}

/* ---- routes -------------------------------------------------------------------------------------- */

/* ---- the keyword index's pending rows (PostgreSQL, issue 9) ---------------------------- */

/* Cases per write transaction of the fill, and the time one tick may spend:
 * each transaction holds the write lock every server shares, so the work is
 * cut small; after a migration of a million cases it takes some minutes,
 * during which the list filters by the substring test alone (exact). */
#define CASE_TSV_BATCH 500
#define CASE_TSV_TICK_MS 200

static int64_t ms_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void zf_case_tsv_tick(zf_db *db, int64_t now, const struct zf_settings *settings, const char *data_dir)
{
    zf_err err = {0};
    int64_t start, n = 0, total = 0;
    int pending = 0;

    (void)settings;
    (void)data_dir;
    if (strcmp(zf_db_dialect(db), "postgres") != 0 || !zf_leader_held(now))
        return;
    if (zf_case_tsv_pending(&pending, db, &err) < 0 || !pending) {
        if (err.code[0])
            zf_log_event("warn", "case keyword index check failed", "error", err.code, NULL, 0, NULL, 0);
        return;
    }
    start = ms_now();
    do {
        if (zf_case_tsv_fill(&n, db, CASE_TSV_BATCH, &err) < 0) {
            zf_log_event("warn", "case keyword index fill failed", "error", err.code, NULL, 0, NULL, 0);
            break;
        }
        total += n;
    } while (n == CASE_TSV_BATCH && ms_now() - start < CASE_TSV_TICK_MS);
    if (total > 0)
        zf_log_event("info", "case keyword index filled", NULL, NULL, "count", total, NULL, 0);
}

const zf_route zf_case_routes[] = {
    {"GET", "/api/v1/cases", h_list, READERS, 0, NULL, 0, NULL},
    {"POST", "/api/v1/cases", h_create, WRITERS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/cases/stats", h_stats, READERS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/cases/{id}", h_get, READERS, STAFF, resolve_case, 0, NULL},
    {"PUT", "/api/v1/cases/{id}", h_update, WRITERS, WRITERS, resolve_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/actions", h_action, ACTORS, ACTORS, resolve_case, 0, NULL},
    {"PUT", "/api/v1/cases/{id}/officers", h_officers, WRITERS, WRITERS, resolve_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/parties", h_party_add, WRITERS, WRITERS, resolve_case, 0, NULL},
    {"GET", "/api/v1/cases/{id}/documents", h_doc_list, READERS, STAFF, resolve_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/documents", h_doc_create, ACTORS, ACTORS, resolve_case, 0, NULL},
    {"GET", "/api/v1/cases/{id}/documents/{doc_id}", h_doc_get, READERS, STAFF, resolve_case, 0, NULL},
    {"PUT", "/api/v1/cases/{id}/documents/{doc_id}", h_doc_update, ACTORS, ACTORS, resolve_case, 0,
     NULL},
    {"POST", "/api/v1/cases/{id}/documents/{doc_id}/finalize", h_doc_finalize, ACTORS, ACTORS,
     resolve_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/evidence", h_link, WRITERS, WRITERS, resolve_case, 0, NULL},
    {"GET", "/api/v1/cases/{id}/timeline", h_timeline, READERS, STAFF, resolve_case, 0, NULL},
    {"GET", "/api/v1/cases/{id}/recording-interruptions", h_interruption_list, READERS, STAFF,
     resolve_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/recording-interruptions", h_interruption_add, ACTORS, ACTORS,
     resolve_case, 0, NULL},
    {"GET", "/api/v1/parties/{identifier}/cases", h_party_cases,
     ZF_ROLE_OFFICER | ZF_ROLE_REVIEWER | ZF_ROLE_HEAD | ZF_ROLE_SUPERVISOR, 0, NULL, 0, NULL},
    {"GET", "/api/v1/departments/{id}/devices", h_dev_list, READERS | ZF_ROLE_ADMIN, STAFF,
     resolve_dept_path, 0, NULL},
    {"POST", "/api/v1/departments/{id}/devices", h_dev_create, DEPT_ADMIN, ZF_ROLE_HEAD,
     resolve_dept_path, 0, NULL},
    {"PUT", "/api/v1/devices/{id}", h_dev_update, DEPT_ADMIN, ZF_ROLE_HEAD, resolve_device, 0, NULL},
    {"DELETE", "/api/v1/devices/{id}", h_dev_delete, DEPT_ADMIN, ZF_ROLE_HEAD, resolve_device, 0, NULL},
    {"GET", "/api/v1/departments/{id}/av-items", h_av_get, READERS | ZF_ROLE_ADMIN, STAFF,
     resolve_dept_path, 0, NULL},
    {"PUT", "/api/v1/departments/{id}/av-items", h_av_put, DEPT_ADMIN, ZF_ROLE_HEAD,
     resolve_dept_path, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};

/* For api/documents.c (api.h): the read check of this file. */
int zf_api_case_read(zf_case *out, zf_ctx *c, int64_t id, const char *what)
{
    return read_case(out, c, id, what);
}
