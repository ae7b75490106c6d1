/* spotchecks.c — 双随机、一公开 (issue 7): random-check plans, their entity
 * pools (JSON or CSV import with a rejected-rows report), the draw (seed
 * from libsodium committed to the ledger first, then the selection), the
 * inspection results, and the public verification record anyone can re-run
 * the draw from. The rules live in store/spot_store.h and core/spotcheck.h;
 * docs/spotcheck.md explains the algorithm. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/spotpool.h"
#include "store/calendar_store.h"
#include "store/spot_store.h"
#include "util/mem.h"

#define READERS (ZF_ROLES_DEPT_STAFF | ZF_ROLE_SUPERVISOR | ZF_ROLE_ADMIN | ZF_ROLE_AUDITOR)
/* who makes plans, builds pools and draws: the department's head and its
 * publicity officer (who runs 公示) */
#define PLANNERS (ZF_ROLE_HEAD | ZF_ROLE_PUBLICITY)
/* who enters results: the drawn inspectors (checked per entity) and the head */
#define INSPECTORS (ZF_ROLE_OFFICER | ZF_ROLE_HEAD)

static int invalid(zf_ctx *c, const char *field, const char *msg)
{
    return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", field, "%s", msg);
}

/* The first column of sql with $1 = id, as int64: 1 with *out set, 0 when
 * no row, negative on a database error (c->err set). */
static int query_by_id(int64_t *out, zf_ctx *c, const char *sql, int64_t id)
{
    char s[24];
    const char *p[1] = {s};

    snprintf(s, sizeof s, "%lld", (long long)id);
    return zf_db_query_int64(c->db, out, sql, &c->err, 1, p);
}

static zf_spot_actor actor(const zf_ctx *c)
{
    zf_spot_actor a = {0, NULL, c->ip, c->request_id};

    if (c->who) {
        a.user_id = c->who->user_id;
        a.name = c->who->username;
    }
    return a;
}

static const char *state_name(const char *s)
{
    if (strcmp(s, "open") == 0)
        return "名录库编制中";
    if (strcmp(s, "seeded") == 0)
        return "已提交随机种子";
    if (strcmp(s, "drawn") == 0)
        return "已抽取";
    return s;
}

static const char *result_name(const char *r)
{
    if (!r || !*r)
        return "待录入";
    return strcmp(r, "normal") == 0 ? "未发现问题" : "发现问题";
}

#define PLAN_COLS                                                                              \
    "p.id, p.department_id, d.name, p.title, p.check_item_id, p.check_item_name, "              \
    "p.ratio_permille, p.inspectors_per_entity, p.period_from, p.period_to, p.state, p.seed, "  \
    "p.pool_size, p.pool_hash, p.inspector_pool_size, p.inspector_pool_hash, p.commitment, "    \
    "p.seed_ledger_idx, p.seeded_at, p.selection_hash, p.draw_ledger_idx, p.drawn_at, "          \
    "p.repeated_pairs, (SELECT COUNT(*) FROM spot_entities e WHERE e.plan_id = p.id), "         \
    "(SELECT COUNT(*) FROM spot_selections s WHERE s.plan_id = p.id), "                          \
    "(SELECT COUNT(*) FROM spot_selections s WHERE s.plan_id = p.id AND s.result IS NOT NULL), "  \
    "(SELECT COUNT(*) FROM spot_conflicts k WHERE k.plan_id = p.id)"

static json_t *plan_row(zf_stmt *st)
{
    const char *state = zf_stmt_text(st, 10);
    json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:o,s:s,s:I,s:I,s:s,s:s,s:s,s:s}", "id",
                          (json_int_t)zf_stmt_int64(st, 0), "department_id",
                          (json_int_t)zf_stmt_int64(st, 1), "department", zf_stmt_text(st, 2),
                          "title", zf_stmt_text(st, 3), "check_item_id", zf_json_int_or_null(st, 4),
                          "check_item_name", zf_stmt_text(st, 5), "ratio_permille",
                          (json_int_t)zf_stmt_int64(st, 6), "inspectors_per_entity",
                          (json_int_t)zf_stmt_int64(st, 7), "period_from", zf_stmt_text(st, 8),
                          "period_to", zf_stmt_text(st, 9), "state", state, "state_name",
                          state_name(state));
    static const struct {
        const char *key;
        int col, is_int;
    } more[] = {
        {"seed", 11, 0},           {"pool_size", 12, 1},          {"pool_hash", 13, 0},
        {"inspector_pool_size", 14, 1}, {"inspector_pool_hash", 15, 0}, {"commitment", 16, 0},
        {"seed_ledger_idx", 17, 1}, {"seeded_at", 18, 1},          {"selection_hash", 19, 0},
        {"draw_ledger_idx", 20, 1}, {"drawn_at", 21, 1},           {"repeated_pairs", 22, 1},
        {"entity_count", 23, 1},    {"selected_count", 24, 1},     {"result_count", 25, 1},
        {"conflict_count", 26, 1},
    };
    size_t i;

    for (i = 0; i < sizeof more / sizeof more[0]; i++)
        json_object_set_new(o, more[i].key, more[i].is_int ? zf_json_int_or_null(st, more[i].col)
                                                           : zf_json_text_or_null(st, more[i].col));
    return o;
}

/* The selection of a plan: entities in draw order with inspectors and
 * results. public_view: results only once their publication is public. */
static int selection_json(json_t **out, zf_db *db, int64_t plan_id, int public_view, zf_err *err)
{
    zf_stmt *st = NULL, *si = NULL;
    json_t *arr = json_array();
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT s.id, s.draw_order, e.id, e.credit_code, e.name, e.address, "
                            "e.category, s.result, s.inspected_on, s.findings, s.handling, "
                            "s.handled_on, s.publication_id, pb.state FROM spot_selections s "
                            "JOIN spot_entities e ON e.id = s.entity_id LEFT JOIN publications pb "
                            "ON pb.id = s.publication_id WHERE s.plan_id = $1 ORDER BY s.draw_order",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, plan_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        const char *pstate = zf_stmt_text(st, 13);
        int shown = !public_view || strcmp(pstate, "published") == 0;
        json_t *ins = json_array();
        json_t *o = json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)zf_stmt_int64(st, 0),
                              "draw_order", (json_int_t)zf_stmt_int64(st, 1), "entity_id",
                              (json_int_t)zf_stmt_int64(st, 2), "credit_code", zf_stmt_text(st, 3),
                              "name", zf_stmt_text(st, 4), "address", zf_stmt_text(st, 5),
                              "category", zf_stmt_text(st, 6));

        if (shown) {
            const char *res = zf_stmt_is_null(st, 7) ? NULL : zf_stmt_text(st, 7);

            json_object_set_new(o, "result", res ? json_string(res) : json_null());
            json_object_set_new(o, "result_name", json_string(result_name(res)));
            json_object_set_new(o, "inspected_on", zf_json_text_or_null(st, 8));
            if (!public_view) {
                json_object_set_new(o, "findings", json_string(zf_stmt_text(st, 9)));
                json_object_set_new(o, "handling", json_string(zf_stmt_text(st, 10)));
                json_object_set_new(o, "handled_on", zf_json_text_or_null(st, 11));
            }
            json_object_set_new(o, "publication_id", zf_json_int_or_null(st, 12));
            json_object_set_new(o, "publication_state", zf_json_text_or_null(st, 13));
        } else {
            json_object_set_new(o, "result", json_null());
            json_object_set_new(o, "result_name", json_string("待公示"));
            json_object_set_new(o, "publication_id", json_null());
        }
        if ((rc = zf_db_prepare(&si, db,
                                "SELECT i.officer_id, o.certificate_no, o.name FROM "
                                "spot_selection_inspectors i JOIN spot_inspectors o ON o.plan_id = $2 "
                                "AND o.officer_id = i.officer_id WHERE i.selection_id = $1 ORDER BY i.seq",
                                err)) < 0) {
            json_decref(o);
            json_decref(ins);
            goto done;
        }
        zf_stmt_bind_int64(si, 1, zf_stmt_int64(st, 0));
        zf_stmt_bind_int64(si, 2, plan_id);
        while ((rc = zf_stmt_step(si, err)) == 1)
            json_array_append_new(ins, json_pack("{s:I,s:s,s:s}", "officer_id",
                                                 (json_int_t)zf_stmt_int64(si, 0), "certificate_no",
                                                 zf_stmt_text(si, 1), "name", zf_stmt_text(si, 2)));
        zf_stmt_free(si);
        si = NULL;
        json_object_set_new(o, "inspectors", ins);
        json_array_append_new(arr, o);
        if (rc < 0)
            goto done;
    }
    if (rc < 0)
        goto done;
    *out = arr;
    arr = NULL;
    rc = 0;
done:
    zf_stmt_free(si);
    zf_stmt_free(st);
    json_decref(arr);
    return rc;
}

int zf_spotcheck_json(json_t **out, zf_ctx *c, int64_t id, int public_view)
{
    zf_stmt *st = NULL;
    json_t *o = NULL, *sel = NULL;
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT " PLAN_COLS " FROM spot_plans p JOIN departments d ON "
                            "d.id = p.department_id WHERE p.id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, &c->err)) == 1)
        o = plan_row(st);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    /* the public sees a plan once its draw is committed */
    if (!o || (public_view && strcmp(json_string_value(json_object_get(o, "state")), "open") == 0)) {
        json_decref(o);
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该抽查计划");
    }
    if ((rc = selection_json(&sel, c->db, id, public_view, &c->err)) < 0) {
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "selection", sel);
    *out = o;
    return 0;
}

/* ---- GET /api/v1/spotchecks ---- */

static int plan_list(zf_ctx *c)
{
    const char *dept_s = zf_ctx_query(c, "department_id"), *state = zf_ctx_query(c, "state");
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int64_t dept = 0;
    int rc;

    if (dept_s && *dept_s && (dept = strtoll(dept_s, NULL, 10)) <= 0) {
        rc = invalid(c, "department_id", "参数 department_id 应为正整数");
        goto done;
    }
    if (state && *state && strcmp(state, "open") && strcmp(state, "seeded") && strcmp(state, "drawn")) {
        rc = invalid(c, "state", "未知的抽查计划状态");
        goto done;
    }
    /* a department's staff see their own department only */
    if (c->who && (c->who->role & ZF_ROLES_DEPT_STAFF))
        dept = c->who->department_id;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT " PLAN_COLS " FROM spot_plans p JOIN departments d ON "
                            "d.id = p.department_id WHERE ($1 = 0 OR p.department_id = $1) AND "
                            "($2 = '' OR p.state = $2) ORDER BY p.id DESC LIMIT 500",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, dept);
    zf_stmt_bind_text(st, 2, state ? state : "", -1);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, plan_row(st));
    if (rc < 0)
        goto done;
    rc = zf_ctx_json(c, 200, json_pack("{s:O,s:I}", "items", items, "total",
                                       (json_int_t)json_array_size(items)));
done:
    zf_stmt_free(st);
    json_decref(items);
    return rc;
}

/* ---- GET /api/v1/spotchecks/{id} ---- */

static int plan_render(zf_ctx *c, int64_t id, int status)
{
    json_t *o = NULL;
    int rc = zf_spotcheck_json(&o, c, id, 0);

    return rc < 0 ? rc : zf_ctx_json(c, status, o);
}

static int plan_get(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return plan_render(c, id, 200);
}

/* ---- POST /api/v1/departments/{id}/spotchecks ---- */

static int plan_create(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"title", ZF_JT_STRING, 1, 200, "计划名称"},
        {"check_item_id", ZF_JT_INT, 0, 0, "抽查事项"},
        {"ratio_permille", ZF_JT_INT, 1, 0, "抽查比例"},
        {"inspectors_per_entity", ZF_JT_INT, 0, 0, "每户检查人员数"},
        {"period_from", ZF_JT_DATE, 1, 0, "抽查开始日期"},
        {"period_to", ZF_JT_DATE, 1, 0, "抽查结束日期"},
        {NULL, 0, 0, 0, NULL},
    };
    zf_spot_actor a = actor(c);
    zf_spot_plan_in in = {0};
    json_t *body = NULL, *v;
    int64_t dept, id = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &dept)) < 0)
        return rc;
    if ((rc = zf_json_decode(&body, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    in.department_id = dept;
    in.title = json_string_value(json_object_get(body, "title"));
    in.check_item_id = (v = json_object_get(body, "check_item_id")) ? json_integer_value(v) : 0;
    in.ratio_permille = (int)json_integer_value(json_object_get(body, "ratio_permille"));
    if (json_integer_value(json_object_get(body, "ratio_permille")) > 1000)
        in.ratio_permille = 1001;
    in.inspectors_per_entity = (v = json_object_get(body, "inspectors_per_entity"))
                                   ? (json_integer_value(v) > 100 ? 100 : (int)json_integer_value(v))
                                   : 2;
    in.period_from = json_string_value(json_object_get(body, "period_from"));
    in.period_to = json_string_value(json_object_get(body, "period_to"));
    if ((v = json_object_get(body, "check_item_id")) && json_integer_value(v) <= 0) {
        rc = invalid(c, "check_item_id", "抽查事项编号应为正整数");
        goto done;
    }
    if ((rc = zf_spot_plan_create(&id, c->db, &in, &a, c->now, &c->err)) == 0)
        rc = plan_render(c, id, 201);
done:
    json_decref(body);
    return rc;
}

/* ---- the pool ---- */

static const zf_sort_key ENTITY_SORT[] = {
    {"credit_code", "credit_code"}, {"name", "name"}, {"id", "id"}, {NULL, NULL}};

static int entity_list(zf_ctx *c)
{
    zf_list_params lp;
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int64_t id, total = 0;
    char sql[512];
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_list_params_read(&lp, c, ENTITY_SORT)) < 0)
        goto done;
    if ((rc = query_by_id(&total, c, "SELECT COUNT(*) FROM spot_entities WHERE plan_id = $1", id)) < 0)
        goto done;
    snprintf(sql, sizeof sql,
             "SELECT id, credit_code, name, address, category FROM spot_entities WHERE plan_id = $1 "
             "ORDER BY %s %s, id LIMIT $2 OFFSET $3",
             lp.sort_column, lp.sort_desc ? "DESC" : "ASC");
    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_int64(st, 2, lp.per_page);
    zf_stmt_bind_int64(st, 3, lp.offset);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:s,s:s}", "id",
                                               (json_int_t)zf_stmt_int64(st, 0), "credit_code",
                                               zf_stmt_text(st, 1), "name", zf_stmt_text(st, 2),
                                               "address", zf_stmt_text(st, 3), "category",
                                               zf_stmt_text(st, 4)));
    if (rc < 0)
        goto done;
    rc = zf_ctx_json(c, 200, json_pack("{s:O,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total,
                                       "page", (json_int_t)lp.page, "per_page", (json_int_t)lp.per_page));
done:
    zf_stmt_free(st);
    json_decref(items);
    return rc;
}

/* Adds the parsed rows and answers with the report: added, rejected rows. */
static int pool_add(zf_ctx *c, int64_t id, zf_spot_pool_parse *p)
{
    zf_spot_actor a = actor(c);
    json_t *rej = json_array();
    size_t added = 0, i;
    int rc;

    if ((rc = zf_spot_entities_add(&added, c->db, id, p, &a, c->now, &c->err)) < 0) {
        json_decref(rej);
        return rc;
    }
    for (i = 0; i < p->n_rejected; i++)
        json_array_append_new(rej, json_pack("{s:I,s:s,s:s}", "line", (json_int_t)p->rejected[i].line,
                                             "credit_code", p->rejected[i].credit_code, "reason",
                                             p->rejected[i].reason));
    return zf_ctx_json(c, 200, json_pack("{s:I,s:o}", "added", (json_int_t)added, "rejected", rej));
}

static const char *str_of(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));

    return v ? v : "";
}

/* POST /api/v1/spotchecks/{id}/entities {"entities":[{credit_code,name,address,category}]} */
static int entity_add(zf_ctx *c)
{
    static const zf_json_field spec[] = {{"entities", ZF_JT_ARRAY, 1, 1000, "检查对象"},
                                         {NULL, 0, 0, 0, NULL}};
    static const zf_json_field item_spec[] = {
        {"credit_code", ZF_JT_STRING, 1, 18, "统一社会信用代码"},
        {"name", ZF_JT_STRING, 1, ZF_SPOTPOOL_NAME_MAX, "名称"},
        {"address", ZF_JT_STRING, 0, ZF_SPOTPOOL_FIELD_MAX, "地址"},
        {"category", ZF_JT_STRING, 0, ZF_SPOTPOOL_FIELD_MAX, "类别"},
        {NULL, 0, 0, 0, NULL},
    };
    zf_spot_pool_parse p = ZF_SPOT_POOL_PARSE_INIT;
    json_t *body = NULL, *arr, *it;
    int64_t id;
    size_t i;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_json_decode(&body, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    arr = json_object_get(body, "entities");
    if (json_array_size(arr) == 0) {
        rc = invalid(c, "entities", "请至少提供一个检查对象");
        goto done;
    }
    p.rows = zf_calloc(json_array_size(arr), sizeof *p.rows);
    json_array_foreach(arr, i, it) {
        json_t *one = NULL;
        char *txt = json_dumps(it, JSON_COMPACT);
        zf_spot_entity *e = &p.rows[p.n];

        rc = txt && json_is_object(it) ? zf_json_decode(&one, txt, strlen(txt), item_spec, &c->err)
                                       : invalid(c, "entities", "检查对象应为对象");
        free(txt);
        if (rc < 0)
            goto done;
        e->credit_code = zf_strdup(str_of(one, "credit_code"));
        e->name = zf_strdup(str_of(one, "name"));
        e->address = zf_strdup(str_of(one, "address"));
        e->category = zf_strdup(str_of(one, "category"));
        e->line = i + 1;
        p.n++;
        json_decref(one);
        if (zf_spot_entity_check(e->credit_code, e->name, e->address, e->category, &c->err) < 0) {
            char field[64];

            snprintf(field, sizeof field, "entities[%zu].%.32s", i, c->err.field);
            snprintf(c->err.field, sizeof c->err.field, "%s", field);
            rc = ZF_EINVAL;
            goto done;
        }
    }
    rc = pool_add(c, id, &p);
done:
    zf_spot_pool_parse_free(&p);
    json_decref(body);
    return rc;
}

/* POST /api/v1/spotchecks/{id}/entities/import (the CSV file as the body) */
static int entity_import(zf_ctx *c)
{
    zf_spot_pool_parse p = ZF_SPOT_POOL_PARSE_INIT;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_spot_pool_parse_csv(&p, c->body ? c->body : "", c->body_len, &c->err)) == 0)
        rc = pool_add(c, id, &p);
    zf_spot_pool_parse_free(&p);
    return rc;
}

static int entity_remove(zf_ctx *c)
{
    zf_spot_actor a = actor(c);
    int64_t id, eid;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_ctx_param_id(c, 1, &eid)) < 0)
        return rc;
    if ((rc = zf_spot_entity_remove(c->db, id, eid, &a, c->now, &c->err)) < 0)
        return rc;
    c->status = 204;
    return 0;
}

/* ---- POST /api/v1/spotchecks/{id}/conflicts {officer_id, credit_code, reason} ---- */

static int conflict_add(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"officer_id", ZF_JT_INT, 1, 0, "回避人员"},
        {"credit_code", ZF_JT_STRING, 1, 18, "统一社会信用代码"},
        {"reason", ZF_JT_STRING, 1, 200, "回避事由"},
        {NULL, 0, 0, 0, NULL},
    };
    zf_spot_actor a = actor(c);
    json_t *body = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_json_decode(&body, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    if ((rc = zf_spot_conflict_add(c->db, id, json_integer_value(json_object_get(body, "officer_id")),
                                   str_of(body, "credit_code"), str_of(body, "reason"), &a, c->now,
                                   &c->err)) == 0)
        rc = plan_render(c, id, 200);
    json_decref(body);
    return rc;
}

/* ---- POST /api/v1/spotchecks/{id}/draw {"confirm":true} ---- */

static int plan_draw(zf_ctx *c)
{
    static const zf_json_field spec[] = {{"confirm", ZF_JT_BOOL, 1, 0, "确认抽取"},
                                         {NULL, 0, 0, 0, NULL}};
    zf_spot_actor a = actor(c);
    uint8_t seed[ZF_SPOT_SEED_LEN];
    json_t *body = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_json_decode(&body, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    if (!json_is_true(json_object_get(body, "confirm"))) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "confirmation_required", "confirm",
                        "抽取后不能撤销或重抽，请确认后再抽取");
        goto done;
    }
    /* the seed: 32 bytes of libsodium's CSPRNG, committed before the draw */
    randombytes_buf(seed, sizeof seed);
    if ((rc = zf_spot_plan_draw(c->db, id, seed, &a, c->now, &c->err)) == 0)
        rc = plan_render(c, id, 200);
    sodium_memzero(seed, sizeof seed);
done:
    json_decref(body);
    return rc;
}

/* ---- PUT /api/v1/spotchecks/{id}/selections/{sid}/result ---- */

static int result_put(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"result", ZF_JT_STRING, 1, 10, "检查结果"},
        {"inspected_on", ZF_JT_DATE, 1, 0, "检查日期"},
        {"findings", ZF_JT_STRING, 0, ZF_SPOT_TEXT_MAX, "发现的问题"},
        {"handling", ZF_JT_STRING, 0, ZF_SPOT_TEXT_MAX, "处理情况"},
        {"handled_on", ZF_JT_DATE, 0, 0, "处理完成日期"},
        {NULL, 0, 0, 0, NULL},
    };
    zf_spot_actor a = actor(c);
    zf_spot_result_in in = {0};
    const zf_calendar *cal = NULL;
    json_t *body = NULL;
    int64_t id, sid, officer = 0, plan = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_ctx_param_id(c, 1, &sid)) < 0)
        return rc;
    if ((rc = zf_json_decode(&body, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    if ((rc = query_by_id(&plan, c, "SELECT plan_id FROM spot_selections WHERE id = $1", sid)) < 0)
        goto done;
    if (rc == 0 || plan != id) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该抽查对象");
        goto done;
    }
    if ((rc = query_by_id(&officer, c, "SELECT COALESCE(officer_id, 0) FROM users WHERE id = $1",
                          c->who->user_id)) < 0)
        goto done;
    in.result = json_string_value(json_object_get(body, "result"));
    in.inspected_on = json_string_value(json_object_get(body, "inspected_on"));
    in.findings = json_string_value(json_object_get(body, "findings"));
    in.handling = json_string_value(json_object_get(body, "handling"));
    in.handled_on = json_string_value(json_object_get(body, "handled_on"));
    if (!in.findings)
        in.findings = "";
    if (!in.handling)
        in.handling = "";
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        goto done;
    rc = zf_spot_result_enter(c->db, cal, sid, &in, officer, c->who->role == ZF_ROLE_HEAD, &a,
                              c->now, &c->err);
    zf_calendar_cache_release(cal);
    if (rc == 0)
        rc = plan_render(c, id, 200);
done:
    json_decref(body);
    return rc;
}

/* ---- GET /api/v1/spotchecks/{id}/verification (public) ---- */

/* Everything needed to re-run the draw (scripts/spotcheck_recheck.py reads
 * this): seed, committed pools in sorted order, hashes, ledger indexes, and
 * the selection as credit code + certificate numbers. */
int zf_spotcheck_verification_json(json_t **out, zf_ctx *c, int64_t id)
{
    zf_stmt *st = NULL;
    json_t *o = NULL, *ents = json_array(), *ins = json_array(), *sel = json_array();
    json_t *conf = json_array();
    int rc;

    *out = NULL;
    /* only a plan whose seed is committed: its pools are frozen */
    if ((rc = zf_spotcheck_json(&o, c, id, 1)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT credit_code, name, address, category FROM spot_entities WHERE "
                            "plan_id = $1 ORDER BY credit_code",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(ents, json_pack("{s:s,s:s,s:s,s:s}", "credit_code", zf_stmt_text(st, 0),
                                              "name", zf_stmt_text(st, 1), "address", zf_stmt_text(st, 2),
                                              "category", zf_stmt_text(st, 3)));
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0 || (rc = zf_db_prepare(&st, c->db,
                                      "SELECT certificate_no, name FROM spot_inspectors WHERE "
                                      "plan_id = $1 ORDER BY certificate_no",
                                      &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(ins, json_pack("{s:s,s:s}", "certificate_no", zf_stmt_text(st, 0), "name",
                                             zf_stmt_text(st, 1)));
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0 || (rc = zf_db_prepare(&st, c->db,
                                      /* the reasons stay internal */
                                      "SELECT e.credit_code, i.certificate_no FROM spot_conflicts k "
                                      "JOIN spot_entities e ON e.id = k.entity_id JOIN spot_inspectors i "
                                      "ON i.plan_id = k.plan_id AND i.officer_id = k.officer_id WHERE "
                                      "k.plan_id = $1 ORDER BY e.credit_code, i.certificate_no",
                                      &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(conf, json_pack("{s:s,s:s}", "credit_code", zf_stmt_text(st, 0),
                                              "certificate_no", zf_stmt_text(st, 1)));
    if (rc < 0)
        goto done;
    {
        json_t *s = json_object_get(o, "selection"), *it, *one;
        size_t i, k;

        json_array_foreach(s, i, it) {
            json_t *certs = json_array();

            json_array_foreach(json_object_get(it, "inspectors"), k, one)
                json_array_append(certs, json_object_get(one, "certificate_no"));
            json_array_append_new(sel, json_pack("{s:O,s:o}", "credit_code",
                                                 json_object_get(it, "credit_code"), "inspectors", certs));
        }
    }
    *out = json_pack("{s:I,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:o,s:o,s:o,s:s}", "plan_id",
                     (json_int_t)id, "department", json_object_get(o, "department"), "title",
                     json_object_get(o, "title"), "state", json_object_get(o, "state"), "seed",
                     json_object_get(o, "seed"), "ratio_permille", json_object_get(o, "ratio_permille"),
                     "inspectors_per_entity", json_object_get(o, "inspectors_per_entity"), "pool_hash",
                     json_object_get(o, "pool_hash"), "inspector_pool_hash",
                     json_object_get(o, "inspector_pool_hash"), "commitment",
                     json_object_get(o, "commitment"), "seed_ledger_idx",
                     json_object_get(o, "seed_ledger_idx"), "draw_ledger_idx",
                     json_object_get(o, "draw_ledger_idx"), "entities", ents, "inspectors", ins,
                     "selection", sel, "algorithm", "zhifa-spotcheck/1 (docs/spotcheck.md)");
    json_object_set(*out, "selection_hash", json_object_get(o, "selection_hash"));
    json_object_set_new(*out, "conflicts", conf);
    ents = ins = sel = conf = NULL;
    rc = 0;
done:
    zf_stmt_free(st);
    json_decref(o);
    json_decref(ents);
    json_decref(ins);
    json_decref(sel);
    json_decref(conf);
    return rc;
}

static int plan_verification(zf_ctx *c)
{
    json_t *o = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_spotcheck_verification_json(&o, c, id)) < 0)
        return rc;
    return zf_ctx_json(c, 200, o);
}

/* ---- department resolvers ---- */

static int64_t dept_by(zf_ctx *c, const char *sql, const char *what)
{
    int64_t id, dept = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = query_by_id(&dept, c, sql, id)) < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该%s", what);
    return dept;
}

static int64_t resolve_plan(zf_ctx *c)
{
    return dept_by(c, "SELECT department_id FROM spot_plans WHERE id = $1", "抽查计划");
}

static int64_t resolve_dept(zf_ctx *c)
{
    return dept_by(c, "SELECT id FROM departments WHERE id = $1", "执法主体");
}

const zf_route zf_spotcheck_routes[] = {
    {"GET", "/api/v1/spotchecks", plan_list, READERS, 0, NULL, 0, NULL},
    {"POST", "/api/v1/departments/{id}/spotchecks", plan_create, PLANNERS, PLANNERS, resolve_dept, 0, NULL},
    {"GET", "/api/v1/spotchecks/{id}", plan_get, READERS, ZF_ROLES_DEPT_STAFF, resolve_plan, 0, NULL},
    {"GET", "/api/v1/spotchecks/{id}/verification", plan_verification, ZF_PUBLIC, 0, NULL, 0, NULL},
    {"GET", "/api/v1/spotchecks/{id}/entities", entity_list, READERS, ZF_ROLES_DEPT_STAFF, resolve_plan, 0, NULL},
    {"POST", "/api/v1/spotchecks/{id}/entities", entity_add, PLANNERS, PLANNERS, resolve_plan, 0, NULL},
    {"POST", "/api/v1/spotchecks/{id}/entities/import", entity_import, PLANNERS, PLANNERS, resolve_plan, 0, NULL},
    {"DELETE", "/api/v1/spotchecks/{id}/entities/{entity_id}", entity_remove, PLANNERS, PLANNERS, resolve_plan, 0, NULL},
    {"POST", "/api/v1/spotchecks/{id}/conflicts", conflict_add, PLANNERS, PLANNERS, resolve_plan, 0, NULL},
    {"POST", "/api/v1/spotchecks/{id}/draw", plan_draw, PLANNERS, PLANNERS, resolve_plan, 0, NULL},
    {"PUT", "/api/v1/spotchecks/{id}/selections/{selection_id}/result", result_put, INSPECTORS, INSPECTORS, resolve_plan, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
