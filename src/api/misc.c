/* misc.c — reference data for clients (roles, power types, the route list)
 * and the audit trail for auditors and the Justice Bureau. */
#include "api/api.h"

#include <string.h>

#include "util/mem.h"

#ifndef ZF_VERSION
#define ZF_VERSION "0.1.0"
#endif

static const struct {
    const char *code, *name;
} POWER_TYPES[] = {
    {"licensing", "行政许可"}, {"penalty", "行政处罚"},     {"coercion", "行政强制"},
    {"inspection", "行政检查"}, {"expropriation", "行政征收征用"}, {"other", "其他"},
};

static int h_meta(zf_ctx *c)
{
    json_t *roles = json_array(), *types = json_array();
    unsigned bit;
    size_t i;

    for (bit = 1; bit <= ZF_ROLE_ADMIN; bit <<= 1)
        json_array_append_new(roles, json_pack("{s:s,s:s}", "code", zf_role_code(bit), "name", zf_role_name(bit)));
    for (i = 0; i < sizeof POWER_TYPES / sizeof POWER_TYPES[0]; i++)
        json_array_append_new(types, json_pack("{s:s,s:s}", "code", POWER_TYPES[i].code, "name",
                                               POWER_TYPES[i].name));
    return zf_ctx_json(c, 200, json_pack("{s:s,s:o,s:o}", "version", ZF_VERSION, "roles", roles,
                                         "power_types", types));
}

/* Lists the API routes with the roles they allow: what the OpenAPI test
 * compares with docs/openapi.yaml, and what an operator reads to see who
 * may do what. */
static int h_routes(zf_ctx *c)
{
    json_t *items = json_array();
    const zf_route *const *t;
    const zf_route *r;
    unsigned bit;

    for (t = zf_route_tables; *t; t++)
        for (r = *t; r->method; r++) {
            json_t *roles = json_array(), *own = json_array();
            if (strncmp(r->pattern, "/api/", 5) != 0)
                continue;
            for (bit = 1; bit <= ZF_ROLE_ADMIN; bit <<= 1) {
                if (r->roles & bit)
                    json_array_append_new(roles, json_string(zf_role_code(bit)));
                if (r->own_dept_roles & bit)
                    json_array_append_new(own, json_string(zf_role_code(bit)));
            }
            json_array_append_new(items, json_pack("{s:s,s:s,s:b,s:o,s:o}", "method", r->method, "pattern",
                                                   r->pattern, "public", (r->roles & ZF_PUBLIC) != 0, "roles",
                                                   roles, "own_department_roles", own));
        }
    return zf_ctx_json(c, 200, json_pack("{s:o}", "items", items));
}

static const zf_sort_key AUDIT_SORT[] = {{"at", "a.id"}, {NULL, NULL}};

static int h_audit(zf_ctx *c)
{
    zf_list_params lp;
    zf_stmt *st = NULL;
    json_t *items = json_array();
    const char *user = zf_ctx_query(c, "user"), *action = zf_ctx_query(c, "action");
    const char *from = zf_ctx_query(c, "from"), *to = zf_ctx_query(c, "to");
    int64_t total = 0;
    int rc, i;
    static const char WHERE[] =
        "FROM audit_log a WHERE ($1 = '' OR a.actor_name = $1) AND ($2 = '' OR a.action = $2) "
        "AND ($3 = '' OR a.at >= CAST($3 AS INTEGER)) AND ($4 = '' OR a.at < CAST($4 AS INTEGER)) ";
    const char *params[4] = {user ? user : "", action ? action : "", from ? from : "", to ? to : ""};

    if ((rc = zf_list_params_read(&lp, c, AUDIT_SORT)) < 0)
        goto done;
    for (i = 2; i < 4; i++)
        if (*params[i] && strspn(params[i], "0123456789") != strlen(params[i])) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", i == 2 ? "from" : "to",
                            "时间应为 Unix 秒数");
            goto done;
        }
    if ((rc = zf_db_query_int64(c->db, &total, "SELECT COUNT(*) FROM audit_log a WHERE ($1 = '' OR a.actor_name = $1) "
                                "AND ($2 = '' OR a.action = $2) AND ($3 = '' OR a.at >= CAST($3 AS INTEGER)) "
                                "AND ($4 = '' OR a.at < CAST($4 AS INTEGER))",
                                &c->err, 4, params)) < 0)
        goto done;
    {
        zf_buf sql = ZF_BUF_INIT;
        zf_buf_printf(&sql, "SELECT a.id, a.at, a.actor_name, a.action, a.object_type, a.object_id, a.ip, a.detail, "
                            "a.request_id %s ORDER BY a.id %s LIMIT $5 OFFSET $6",
                      WHERE, zf_ctx_query(c, "sort") && !lp.sort_desc ? "ASC" : "DESC"); /* newest first by default */
        rc = zf_db_prepare(&st, c->db, zf_buf_str(&sql), &c->err);
        zf_buf_free(&sql);
        if (rc < 0)
            goto done;
    }
    for (i = 0; i < 4; i++)
        zf_stmt_bind_text(st, i + 1, params[i], -1);
    zf_stmt_bind_int64(st, 5, lp.per_page);
    zf_stmt_bind_int64(st, 6, lp.offset);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id",
                                               (json_int_t)zf_stmt_int64(st, 0), "at",
                                               (json_int_t)zf_stmt_int64(st, 1), "actor", zf_stmt_text(st, 2),
                                               "action", zf_stmt_text(st, 3), "object_type", zf_stmt_text(st, 4),
                                               "object", zf_stmt_text(st, 5), "ip", zf_stmt_text(st, 6),
                                               "detail", zf_stmt_text(st, 7), "request_id", zf_stmt_text(st, 8)));
    if (rc == 0)
        rc = zf_ctx_json(c, 200, json_pack("{s:O,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total,
                                           "page", (json_int_t)lp.page, "per_page", (json_int_t)lp.per_page));
done:
    zf_stmt_free(st);
    json_decref(items);
    return rc;
}

const zf_route zf_misc_routes[] = {
    {"GET", "/api/v1/meta", h_meta, ZF_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/meta/routes", h_routes, ZF_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/audit", h_audit, ZF_ROLE_AUDITOR | ZF_ROLE_SUPERVISOR, 0, NULL, 0},
    {NULL},
};
