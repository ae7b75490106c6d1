/* reviews.c — the legal review API (重大执法决定法制审核, issue 6): each
 * department's catalog and its filing (备案) with the Justice Bureau, the
 * classification of a case's proposed decision, submission (送审), the
 * reviewer's queue with countdowns, the review form (checklist, conclusion),
 * extension, collective discussion, the 法制审核意见书, the city-wide pool of
 * legal advisers / 公职律师, and the Justice Bureau's view of volumes,
 * outcomes, overdue reviews and staffing per department.
 *
 * Who may do what (declared in the route table, decided by zf_authz_check):
 *  - the catalog: read by department staff (own department), the
 *    supervisor and the administrator; edited and submitted by the head of
 *    the department; filed or returned by the Justice Bureau's supervisor;
 *  - a case's review: read by the case department's staff and the
 *    supervisor; classified and submitted by its officers and head; the
 *    override and collective discussion are the head's; the review form is
 *    the reviewer's. A reviewer of another department reaches a case only
 *    when its latest round is assigned to them (the pool) or routed to the
 *    Justice Bureau and they are its reviewer (see resolve_review_case);
 *  - the pool: kept by the supervisor and the administrator.
 * The store (store/review_store.h) checks the rest (the round's own reviewer,
 * the review office, the legal qualification) and writes each change with
 * its audit row and ledger event in one transaction. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/review.h"
#include "store/calendar_store.h"
#include "store/case_store.h"
#include "store/review_store.h"
#include "util/mem.h"

#define STAFF ZF_ROLES_DEPT_STAFF
#define READERS (STAFF | ZF_ROLE_SUPERVISOR)
#define ACTORS (ZF_ROLE_OFFICER | ZF_ROLE_REVIEWER | ZF_ROLE_HEAD)
#define SUBMITTERS (ZF_ROLE_OFFICER | ZF_ROLE_HEAD)
#define CATALOG_READERS (STAFF | ZF_ROLE_SUPERVISOR | ZF_ROLE_ADMIN)

static zf_case_actor actor_of(zf_ctx *c)
{
    zf_case_actor a = {c->who->user_id, c->who->username, c->who->role, c->who->department_id,
                       c->ip, c->request_id};
    return a;
}

static int64_t query_int(zf_db *db, const char *sql, int64_t a, int64_t b)
{
    zf_stmt *st = NULL;
    int64_t v = 0;

    if (zf_db_prepare(&st, db, sql, NULL) < 0)
        return 0;
    zf_stmt_bind_int64(st, 1, a);
    zf_stmt_bind_int64(st, 2, b);
    if (zf_stmt_step(st, NULL) == 1)
        v = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    return v;
}

static const char *str_of(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Decodes a body whose members named in objects are JSON objects (the facts)
 * and whose other members follow spec. An empty body is an empty object. */
static int decode(json_t **out, zf_ctx *c, const zf_json_field *spec, const char *const *objects)
{
    json_t *root, *rest = NULL;
    char *text = NULL;
    int rc;

    *out = NULL;
    if (c->body_len == 0) {
        *out = json_object();
        return 0;
    }
    root = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        return zf_json_decode(out, c->body, c->body_len, spec, &c->err) < 0
                   ? c->err.rc
                   : zf_err_set(&c->err, ZF_EINVAL, "invalid_json", NULL, "请求内容应为 JSON 对象");
    }
    rest = json_copy(root);
    for (size_t i = 0; objects && objects[i]; i++) {
        json_t *v = json_object_get(root, objects[i]);

        if (v && !json_is_object(v) && !json_is_null(v)) {
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

/* The facts member as text, or NULL when absent. Caller frees. */
static char *facts_text(json_t *in)
{
    json_t *f = json_object_get(in, "facts");

    return json_is_object(f) ? json_dumps(f, JSON_COMPACT) : NULL;
}

/* ---- resolvers --------------------------------------------------------------------- */

static int64_t resolve_dept_path(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if (!query_int(c->db, "SELECT id FROM departments WHERE id = $1 AND $2 = $2", id, 0))
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该部门");
    return id;
}

/* The case's department — except for a reviewer whom the latest round
 * concerns from outside it: the pool member it is assigned to (or who
 * received it), and the Justice Bureau's reviewers for a round routed
 * there. For them the case counts as their own for this request. */
static int64_t resolve_review_case(zf_ctx *c)
{
    int64_t id, dept;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    dept = query_int(c->db, "SELECT department_id FROM cases WHERE id = $1 AND $2 = $2", id, 0);
    if (!dept)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该案件");
    if (c->who && c->who->role == ZF_ROLE_REVIEWER && dept != c->who->department_id &&
        query_int(c->db,
                  "SELECT COUNT(*) FROM review_rounds r WHERE r.case_id = $1 AND r.no = (SELECT "
                  "MAX(no) FROM review_rounds x WHERE x.case_id = $1) AND (r.assigned_user_id = $2 "
                  "OR r.reviewer_user_id = $2 OR (r.route = 'justice_bureau' AND EXISTS (SELECT 1 "
                  "FROM users u JOIN departments d ON d.id = u.department_id WHERE u.id = $2 AND "
                  "d.kind = 'supervision')))",
                  id, c->who->user_id))
        return c->who->department_id;
    return dept;
}

/* ---- catalogs --------------------------------------------------------------------- */

static int h_catalog_defaults(zf_ctx *c)
{
    size_t n, i;
    const zf_review_default_rule *d = zf_review_default_rules(&n);
    json_t *rules = json_array(), *fields = json_array(), *mats = json_array(),
           *points = json_array();

    for (i = 0; i < n; i++) {
        json_t *w = json_loads(d[i].when, 0, NULL);

        json_array_append_new(rules, json_pack("{s:s, s:s, s:s, s:o}", "code", d[i].code, "title",
                                               d[i].title, "basis", d[i].basis, "when",
                                               w ? w : json_object()));
    }
    for (i = 0; i < zf_review_field_count(); i++) {
        const char *name, *label, *type, *values;

        if (zf_review_field_info(i, &name, &label, &type, &values))
            json_array_append_new(fields, json_pack("{s:s, s:s, s:s, s:s}", "name", name, "label",
                                                    label, "type", type, "values",
                                                    values ? values : ""));
    }
    for (i = 0; i < ZF_MAT_COUNT; i++)
        json_array_append_new(mats, json_pack("{s:s, s:s}", "code",
                                              zf_review_material_code((zf_review_material)i),
                                              "label",
                                              zf_review_material_label((zf_review_material)i)));
    for (i = 0; i < ZF_POINT_COUNT; i++)
        json_array_append_new(points, json_pack("{s:s, s:s}", "code",
                                                zf_review_point_code((zf_review_point)i), "label",
                                                zf_review_point_label((zf_review_point)i)));
    return zf_ctx_json(c, 200,
                       json_pack("{s:o, s:o, s:o, s:o}", "rules", rules, "fields", fields,
                                 "materials", mats, "checklist", points));
}

static int h_catalogs(zf_ctx *c)
{
    json_t *o = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_review_store_catalogs(&o, c->db, id, zf_calendar_store_today(c->now), &c->err)) <
            0)
        return rc;
    return zf_ctx_json(c, 200, o);
}

static const zf_json_field CATALOG_SPEC[] = {
    {"rules", ZF_JT_ARRAY, 1, ZF_REVIEW_MAX_RULES, "规则"},
    {NULL, 0, 0, 0, NULL},
};

static int h_catalog_put(zf_ctx *c)
{
    json_t *in = NULL, *o = NULL;
    zf_case_actor who = actor_of(c);
    int64_t id, version = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, CATALOG_SPEC, &c->err)) < 0)
        return rc;
    if ((rc = zf_review_store_catalog_edit(&version, c->db, id, json_object_get(in, "rules"), &who,
                                           c->now, &c->err)) == 0 &&
        (rc = zf_review_store_catalogs(&o, c->db, id, zf_calendar_store_today(c->now), &c->err)) ==
            0)
        rc = zf_ctx_json(c, 200, o);
    json_decref(in);
    return rc;
}

static const zf_json_field EMPTY_SPEC[] = {{NULL, 0, 0, 0, NULL}};
static const zf_json_field FILE_SPEC[] = {
    {"filing_ref", ZF_JT_STRING, 0, 60, "备案号"},
    {NULL, 0, 0, 0, NULL},
};
static const zf_json_field RETURN_SPEC[] = {
    {"reason", ZF_JT_STRING, 1, 300, "退回理由"},
    {NULL, 0, 0, 0, NULL},
};

static int catalog_op(zf_ctx *c, zf_review_catalog_op op, const zf_json_field *spec,
                      const char *key)
{
    json_t *in = NULL, *o = NULL;
    zf_case_actor who = actor_of(c);
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = decode(&in, c, spec, NULL)) < 0)
        return rc;
    if ((rc = zf_review_store_catalog_op(c->db, id, op, key ? str_of(in, key) : NULL, &who, c->now,
                                         &c->err)) == 0 &&
        (rc = zf_review_store_catalogs(&o, c->db, id, zf_calendar_store_today(c->now), &c->err)) ==
            0)
        rc = zf_ctx_json(c, 200, o);
    json_decref(in);
    return rc;
}

/* Checks one rule's condition without saving anything: the console's rule
 * editor asks on every change, so a mistake shows where it is typed. The
 * same parser refuses it on save. */
static const char *const WHEN_OBJ[] = {"when", NULL};

static int h_catalog_check(zf_ctx *c)
{
    json_t *in = NULL, *canon = NULL;
    zf_review_cond *cond = NULL;
    char *text = NULL, *out = NULL;
    int rc;

    if ((rc = decode(&in, c, EMPTY_SPEC, WHEN_OBJ)) < 0)
        return rc;
    if (!json_is_object(json_object_get(in, "when"))) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "when", "请填写条件 when（JSON 对象）");
        goto done;
    }
    text = json_dumps(json_object_get(in, "when"), JSON_COMPACT);
    if ((rc = zf_review_cond_parse(&cond, text, strlen(text), "when", &c->err)) < 0 ||
        (rc = zf_review_cond_to_json(&out, cond, &c->err)) < 0)
        goto done;
    canon = json_loads(out, 0, NULL);
    rc = zf_ctx_json(c, 200, json_pack("{s:b, s:o}", "valid", 1, "when", canon ? canon : json_object()));
done:
    free(out);
    free(text);
    zf_review_cond_free(cond);
    json_decref(in);
    return rc;
}

static int h_catalog_submit(zf_ctx *c) { return catalog_op(c, ZF_CATALOG_OP_SUBMIT, EMPTY_SPEC, NULL); }
static int h_catalog_file(zf_ctx *c) { return catalog_op(c, ZF_CATALOG_OP_FILE, FILE_SPEC, "filing_ref"); }
static int h_catalog_return(zf_ctx *c) { return catalog_op(c, ZF_CATALOG_OP_RETURN, RETURN_SPEC, "reason"); }

/* ---- a case's review ----------------------------------------------------------------- */

/* Answers with the case's whole review (after a change, or for GET). */
static int review_answer(zf_ctx *c, int64_t id, int status)
{
    const zf_calendar *cal = NULL;
    json_t *o = NULL;
    int rc;

    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    rc = zf_review_store_get(&o, c->db, cal, id, c->now, &c->err);
    zf_calendar_cache_release(cal);
    if (rc < 0)
        return rc;
    return zf_ctx_json(c, status, o);
}

static int h_review_get(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return review_answer(c, id, 200);
}

static const char *const FACTS_OBJ[] = {"facts", NULL};
static const zf_json_field CLASSIFY_SPEC[] = {{NULL, 0, 0, 0, NULL}};

static int h_classify(zf_ctx *c)
{
    json_t *in = NULL, *o = NULL;
    char *facts = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = decode(&in, c, CLASSIFY_SPEC, FACTS_OBJ)) < 0)
        return rc;
    facts = facts_text(in);
    if ((rc = zf_review_store_classify(&o, c->db, id, facts, c->now, &c->err)) == 0)
        rc = zf_ctx_json(c, 200, o);
    free(facts);
    json_decref(in);
    return rc;
}

static const zf_json_field OVERRIDE_SPEC[] = {
    {"kind", ZF_JT_STRING, 1, 20, "认定"},
    {"reason", ZF_JT_STRING, 0, 300, "理由"},
    {NULL, 0, 0, 0, NULL},
};

static int h_override(zf_ctx *c)
{
    json_t *in = NULL;
    char *facts = NULL;
    const char *k;
    zf_review_override_kind kind;
    zf_case_actor who = actor_of(c);
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = decode(&in, c, OVERRIDE_SPEC, FACTS_OBJ)) < 0)
        return rc;
    k = str_of(in, "kind");
    if (strcmp(k, "mark_major") == 0)
        kind = ZF_REVIEW_MARK_MAJOR;
    else if (strcmp(k, "mark_not_major") == 0)
        kind = ZF_REVIEW_MARK_NOT_MAJOR;
    else if (strcmp(k, "none") == 0)
        kind = ZF_REVIEW_OVERRIDE_NONE;
    else {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "kind",
                        "认定应为 mark_major（认定为重大）、mark_not_major（认定不属于重大）或 none");
        goto out;
    }
    facts = facts_text(in);
    if ((rc = zf_review_store_override(c->db, id, kind, str_of(in, "reason"), facts, &who, c->now,
                                       &c->err)) == 0)
        rc = review_answer(c, id, 200);
out:
    free(facts);
    json_decref(in);
    return rc;
}

static const zf_json_field SUBMIT_SPEC[] = {
    {"materials", ZF_JT_ARRAY, 1, 32, "送审材料"},
    {NULL, 0, 0, 0, NULL},
};

static int h_submit(zf_ctx *c)
{
    json_t *in = NULL;
    char *facts = NULL;
    zf_case_actor who = actor_of(c);
    int64_t id;
    int rc, no = 0;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = decode(&in, c, SUBMIT_SPEC, FACTS_OBJ)) < 0)
        return rc;
    facts = facts_text(in);
    if ((rc = zf_review_store_submit(&no, c->db, id, facts, json_object_get(in, "materials"), &who,
                                     c->now, &c->err)) == 0)
        rc = review_answer(c, id, 201);
    free(facts);
    json_decref(in);
    return rc;
}

static const zf_json_field ASSIGN_SPEC[] = {
    {"user_id", ZF_JT_INT, 1, 0, "审核人员"},
    {NULL, 0, 0, 0, NULL},
};

static int h_assign(zf_ctx *c)
{
    json_t *in = NULL;
    zf_case_actor who = actor_of(c);
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, ASSIGN_SPEC, &c->err)) < 0)
        return rc;
    if ((rc = zf_review_store_assign(c->db, id,
                                     (int64_t)json_integer_value(json_object_get(in, "user_id")),
                                     &who, c->now, &c->err)) == 0)
        rc = review_answer(c, id, 200);
    json_decref(in);
    return rc;
}

static int h_receive(zf_ctx *c)
{
    json_t *in = NULL;
    const zf_calendar *cal = NULL;
    zf_case_actor who = actor_of(c);
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = decode(&in, c, EMPTY_SPEC, NULL)) < 0)
        return rc;
    json_decref(in);
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    rc = zf_review_store_receive(c->db, cal, id, &who, c->now, &c->err);
    zf_calendar_cache_release(cal);
    return rc < 0 ? rc : review_answer(c, id, 200);
}

static const zf_json_field CHECKLIST_SPEC[] = {
    {"points", ZF_JT_ARRAY, 1, 16, "审核要点"},
    {NULL, 0, 0, 0, NULL},
};

static int h_checklist(zf_ctx *c)
{
    json_t *in = NULL;
    zf_case_actor who = actor_of(c);
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, CHECKLIST_SPEC, &c->err)) < 0)
        return rc;
    if ((rc = zf_review_store_checklist(c->db, id, json_object_get(in, "points"), &who, c->now,
                                        &c->err)) == 0)
        rc = review_answer(c, id, 200);
    json_decref(in);
    return rc;
}

static const zf_json_field CONCLUDE_SPEC[] = {
    {"outcome", ZF_JT_STRING, 1, 16, "审核意见"},
    {"reasons", ZF_JT_STRING, 0, 300, "理由"},
    {NULL, 0, 0, 0, NULL},
};

static int h_conclude(zf_ctx *c)
{
    json_t *in = NULL;
    const zf_calendar *cal = NULL;
    zf_case_actor who = actor_of(c);
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, CONCLUDE_SPEC, &c->err)) < 0)
        return rc;
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) == 0) {
        rc = zf_review_store_conclude(c->db, cal, id, str_of(in, "outcome"), str_of(in, "reasons"),
                                      &who, c->now, &c->err);
        zf_calendar_cache_release(cal);
    }
    if (rc == 0)
        rc = review_answer(c, id, 200);
    json_decref(in);
    return rc;
}

static const zf_json_field EXTEND_SPEC[] = {
    {"approver", ZF_JT_STRING, 1, 20, "批准人"},
    {NULL, 0, 0, 0, NULL},
};

static int h_extend(zf_ctx *c)
{
    json_t *in = NULL;
    const zf_calendar *cal = NULL;
    zf_case_actor who = actor_of(c);
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, EXTEND_SPEC, &c->err)) < 0)
        return rc;
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) == 0) {
        rc = zf_review_store_extend(c->db, cal, id, str_of(in, "approver"), &who, c->now, &c->err);
        zf_calendar_cache_release(cal);
    }
    if (rc == 0)
        rc = review_answer(c, id, 200);
    json_decref(in);
    return rc;
}

static const zf_json_field COLLECTIVE_SPEC[] = {
    {"decision", ZF_JT_STRING, 1, 16, "讨论结果"},
    {"record", ZF_JT_STRING, 1, 300, "集体讨论记录"},
    {NULL, 0, 0, 0, NULL},
};

static int h_collective(zf_ctx *c)
{
    json_t *in = NULL;
    zf_case_actor who = actor_of(c);
    const char *d;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, COLLECTIVE_SPEC, &c->err)) < 0)
        return rc;
    d = str_of(in, "decision");
    if (strcmp(d, "proceed") != 0 && strcmp(d, "uphold") != 0)
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "decision",
                        "讨论结果应为 proceed（决定作出）或 uphold（维持审核意见）");
    else if ((rc = zf_review_store_collective(c->db, id,
                                              strcmp(d, "proceed") == 0 ? ZF_COLLECTIVE_PROCEED
                                                                        : ZF_COLLECTIVE_UPHOLD,
                                              str_of(in, "record"), &who, c->now, &c->err)) == 0)
        rc = review_answer(c, id, 200);
    json_decref(in);
    return rc;
}

static int h_opinion(zf_ctx *c)
{
    const char *q = zf_ctx_query(c, "round"), *fmt = zf_ctx_query(c, "format");
    char *html = NULL, *end;
    int64_t id, doc = 0;
    long no = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if (q && *q) {
        no = strtol(q, &end, 10);
        if (*end || no < 1 || no > 1000)
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "round", "审核轮次应为正整数");
    }
    /* the opinion as a document (src/render) when the round has one; the
     * summary page for rounds concluded before the template existed */
    if ((rc = zf_review_store_opinion_doc(&doc, c->db, id, (int)no, &c->err)) < 0)
        return rc;
    if (fmt && *fmt && strcmp(fmt, "pdf") != 0 && strcmp(fmt, "html") != 0)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "format", "格式应为 pdf 或 html");
    if (doc)
        return zf_api_document_render(c, id, doc, fmt && strcmp(fmt, "pdf") == 0);
    if ((rc = zf_review_store_opinion_html(&html, c->db, id, (int)no, &c->err)) < 0)
        return rc;
    c->content_type = "text/html; charset=utf-8";
    zf_buf_puts(&c->out, html);
    c->status = 200;
    free(html);
    return 0;
}

static const zf_json_field SIGN_SPEC[] = {
    {"image", ZF_JT_STRING, 1, 280000, "签名图像"},
    {NULL, 0, 0, 0, NULL},
};

static int h_opinion_sign(zf_ctx *c)
{
    json_t *in = NULL;
    zf_case_actor who = actor_of(c);
    unsigned char *png = NULL;
    size_t len = 0;
    int64_t id, sig_id = 0;
    int w = 0, h = 0, rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, SIGN_SPEC, &c->err)) < 0 ||
        (rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_api_signature_png(&png, &len, &w, &h, c,
                                   json_string_value(json_object_get(in, "image")))) < 0 ||
        (rc = zf_review_store_sign_opinion(&sig_id, c->db, id, png, len, w, h, &who, c->now,
                                           &c->err)) < 0)
        goto done;
    rc = zf_ctx_json(c, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)sig_id, "role",
                                       "审核人员", "signer_kind", "reviewer"));
done:
    json_decref(in);
    free(png);
    return rc;
}

/* ---- queue, Justice Bureau, pool ---------------------------------------------------------- */

static int h_queue(zf_ctx *c)
{
    const zf_calendar *cal = NULL;
    const char *mine = zf_ctx_query(c, "mine");
    zf_case_actor who = actor_of(c);
    json_t *o = NULL;
    int rc;

    if (mine && *mine && strcmp(mine, "0") != 0 && strcmp(mine, "1") != 0)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "mine", "mine 应为 0 或 1");
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    rc = zf_review_store_queue(&o, c->db, cal, &who, mine && strcmp(mine, "1") == 0, c->now,
                               &c->err);
    zf_calendar_cache_release(cal);
    return rc < 0 ? rc : zf_ctx_json(c, 200, o);
}

static int h_stats(zf_ctx *c)
{
    const zf_calendar *cal = NULL;
    const char *q = zf_ctx_query(c, "department_id");
    json_t *o = NULL;
    int64_t dept = 0;
    int rc;

    if (q && *q) {
        char *end;

        dept = strtoll(q, &end, 10);
        if (*end || dept <= 0)
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "department_id",
                              "department_id 应为正整数");
    }
    /* a head sees their own department only */
    if (c->who->role == ZF_ROLE_HEAD)
        dept = c->who->department_id;
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    rc = zf_review_store_stats(&o, c->db, cal, dept, c->now, &c->err);
    zf_calendar_cache_release(cal);
    return rc < 0 ? rc : zf_ctx_json(c, 200, o);
}

static int h_pool(zf_ctx *c)
{
    json_t *o = NULL;
    int rc;

    if ((rc = zf_review_store_pool(&o, c->db, &c->err)) < 0)
        return rc;
    return zf_ctx_json(c, 200, o);
}

static const zf_json_field POOL_SPEC[] = {
    {"user_id", ZF_JT_INT, 0, 0, "账户"},
    {"username", ZF_JT_STRING, 0, 64, "用户名"},
    {"kind", ZF_JT_STRING, 1, 20, "类别"},
    {"legal_qualified", ZF_JT_BOOL, 0, 0, "法律职业资格"},
    {"note", ZF_JT_STRING, 0, 200, "备注"},
    {NULL, 0, 0, 0, NULL},
};

static int h_pool_add(zf_ctx *c)
{
    json_t *in = NULL, *q;
    zf_case_actor who = actor_of(c);
    int64_t id = 0, user;
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, POOL_SPEC, &c->err)) < 0)
        return rc;
    user = (int64_t)json_integer_value(json_object_get(in, "user_id"));
    /* the supervisor names the account by its login (only the
     * administrator lists accounts) */
    if (!user && str_of(in, "username")) {
        zf_stmt *st = NULL;

        if ((rc = zf_db_prepare(&st, c->db, "SELECT id FROM users WHERE username = $1", &c->err)) < 0)
            goto done;
        zf_stmt_bind_text(st, 1, str_of(in, "username"), -1);
        if ((rc = zf_stmt_step(st, &c->err)) == 1)
            user = zf_stmt_int64(st, 0);
        zf_stmt_free(st);
        if (rc < 0)
            goto done;
        if (!user) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "username", "没有用户名为“%s”的账户",
                            str_of(in, "username"));
            goto done;
        }
    }
    if (!user) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "user_id", "请指明加入审核人员库的账户");
        goto done;
    }
    q = json_object_get(in, "legal_qualified");
    if ((rc = zf_review_store_pool_add(&id, c->db, user,
                                       str_of(in, "kind"), q ? json_is_true(q) : true,
                                       str_of(in, "note"), &who, c->now, &c->err)) == 0)
        rc = zf_ctx_json(c, 201, json_pack("{s:I}", "id", (json_int_t)id));
done:
    json_decref(in);
    return rc;
}

static int h_pool_remove(zf_ctx *c)
{
    zf_case_actor who = actor_of(c);
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_review_store_pool_remove(c->db, id, &who, c->now, &c->err)) < 0)
        return rc;
    return zf_ctx_json(c, 200, json_pack("{s:b}", "removed", 1));
}

const zf_route zf_review_routes[] = {
    {"GET", "/api/v1/review-catalog/defaults", h_catalog_defaults, CATALOG_READERS, 0, NULL, 0, NULL},
    {"POST", "/api/v1/review-catalog/check", h_catalog_check, CATALOG_READERS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/departments/{id}/review-catalogs", h_catalogs, CATALOG_READERS, STAFF,
     resolve_dept_path, 0, NULL},
    {"PUT", "/api/v1/departments/{id}/review-catalog", h_catalog_put, ZF_ROLE_HEAD, ZF_ROLE_HEAD,
     resolve_dept_path, 0, NULL},
    {"POST", "/api/v1/departments/{id}/review-catalog/submit", h_catalog_submit, ZF_ROLE_HEAD,
     ZF_ROLE_HEAD, resolve_dept_path, 0, NULL},
    {"POST", "/api/v1/departments/{id}/review-catalog/file", h_catalog_file, ZF_ROLE_SUPERVISOR, 0,
     NULL, 0, NULL},
    {"POST", "/api/v1/departments/{id}/review-catalog/return", h_catalog_return,
     ZF_ROLE_SUPERVISOR, 0, NULL, 0, NULL},
    {"POST", "/api/v1/cases/{id}/classify", h_classify, ACTORS, ACTORS, resolve_review_case, 0, NULL},
    {"GET", "/api/v1/cases/{id}/review", h_review_get, READERS, STAFF, resolve_review_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/review/override", h_override, ZF_ROLE_HEAD, ZF_ROLE_HEAD,
     resolve_review_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/review/submit", h_submit, SUBMITTERS, SUBMITTERS,
     resolve_review_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/review/assign", h_assign, ZF_ROLE_HEAD | ZF_ROLE_SUPERVISOR,
     ZF_ROLE_HEAD, resolve_review_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/review/receive", h_receive, ZF_ROLE_REVIEWER, ZF_ROLE_REVIEWER,
     resolve_review_case, 0, NULL},
    {"PUT", "/api/v1/cases/{id}/review/checklist", h_checklist, ZF_ROLE_REVIEWER, ZF_ROLE_REVIEWER,
     resolve_review_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/review/conclude", h_conclude, ZF_ROLE_REVIEWER, ZF_ROLE_REVIEWER,
     resolve_review_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/review/extend", h_extend, ZF_ROLE_REVIEWER | ZF_ROLE_HEAD,
     ZF_ROLE_REVIEWER | ZF_ROLE_HEAD, resolve_review_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/review/collective", h_collective, ZF_ROLE_HEAD, ZF_ROLE_HEAD,
     resolve_review_case, 0, NULL},
    {"GET", "/api/v1/cases/{id}/review/opinion", h_opinion, READERS, STAFF, resolve_review_case, 0,
     NULL},
    {"POST", "/api/v1/cases/{id}/review/opinion/signature", h_opinion_sign, ZF_ROLE_REVIEWER,
     ZF_ROLE_REVIEWER, resolve_review_case, 0, NULL},
    {"GET", "/api/v1/reviews/queue", h_queue, READERS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/reviews/stats", h_stats, ZF_ROLE_HEAD | ZF_ROLE_SUPERVISOR | ZF_ROLE_ADMIN, 0,
     NULL, 0, NULL},
    {"GET", "/api/v1/reviews/pool", h_pool, ZF_ROLE_REVIEWER | ZF_ROLE_HEAD | ZF_ROLE_SUPERVISOR |
     ZF_ROLE_ADMIN, 0, NULL, 0, NULL},
    {"POST", "/api/v1/reviews/pool", h_pool_add, ZF_ROLE_SUPERVISOR | ZF_ROLE_ADMIN, 0, NULL, 0, NULL},
    {"DELETE", "/api/v1/reviews/pool/{id}", h_pool_remove, ZF_ROLE_SUPERVISOR | ZF_ROLE_ADMIN, 0,
     NULL, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
