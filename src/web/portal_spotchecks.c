/* portal_spotchecks.c — the public side of 双随机、一公开 (issue 7): the list
 * of drawn random-check plans /spotchecks and a page per plan
 * /spotchecks/{id} with the selection, its inspectors, the published
 * results and everything needed to re-check the draw (seed, pool hashes,
 * the ledger entries of the seed and of the draw, and how to re-run it).
 * Open plans (pool still being built) are not public. The JSON record for
 * re-checking is GET /api/v1/spotchecks/{id}/verification (api/spotchecks.c).
 * Its own template set (web/tplset.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "web/tplset.h"

static const char *const template_names[] = {"layout_head", "layout_foot", "spotchecks", "spotcheck", NULL};
static zf_tplset_lazy templates = ZF_TPLSET_LAZY(template_names);

/* ctx is stolen */
static int page(zf_ctx *c, const char *tpl, const char *title, json_t *ctx)
{
    int rc;

    if ((rc = zf_tplset_ready(&templates, c)) < 0) {
        json_decref(ctx);
        return rc;
    }
    return zf_tplset_page(&templates, c, tpl, title, ctx);
}

/* "5%", "0.5%", "100%" from per mille. */
static void ratio_text(char *out, size_t cap, int64_t permille)
{
    int p = permille < 0 || permille > 1000 ? 0 : (int)permille; /* the table's CHECK */

    if (p % 10 == 0)
        snprintf(out, cap, "%d%%", p / 10);
    else
        snprintf(out, cap, "%d.%d%%", p / 10, p % 10);
}

static int list_page(zf_ctx *c)
{
    const char *d = zf_ctx_query(c, "department_id");
    zf_stmt *st = NULL;
    json_t *items = json_array(), *depts = json_array(), *ctx;
    int64_t dept = 0;
    char *end = NULL;
    int rc;

    if (d && *d && ((dept = strtoll(d, &end, 10)) <= 0 || *end)) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "department_id",
                        "参数 department_id 应为正整数");
        goto done;
    }
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT p.id, p.title, d.name, p.check_item_name, p.ratio_permille, "
                            "p.period_from, p.period_to, (SELECT COUNT(*) FROM spot_selections s "
                            "WHERE s.plan_id = p.id) FROM spot_plans p JOIN departments d ON "
                            "d.id = p.department_id WHERE p.state = 'drawn' AND ($1 = 0 OR "
                            "p.department_id = $1) ORDER BY p.drawn_at DESC, p.id DESC LIMIT 200",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, dept);
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        char ratio[32];

        ratio_text(ratio, sizeof ratio, zf_stmt_int64(st, 4));
        json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "id",
                                               (json_int_t)zf_stmt_int64(st, 0), "title",
                                               zf_stmt_text(st, 1), "department", zf_stmt_text(st, 2),
                                               "check_item_name", zf_stmt_text(st, 3), "ratio", ratio,
                                               "period_from", zf_stmt_text(st, 5), "period_to",
                                               zf_stmt_text(st, 6), "selected_count",
                                               (json_int_t)zf_stmt_int64(st, 7)));
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db, "SELECT id, name FROM departments ORDER BY id", &c->err)) < 0)
        goto done;
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(depts, json_pack("{s:I,s:s,s:b}", "id", (json_int_t)zf_stmt_int64(st, 0),
                                               "name", zf_stmt_text(st, 1), "selected",
                                               zf_stmt_int64(st, 0) == dept));
    if (rc < 0)
        goto done;
    ctx = json_pack("{s:O,s:O}", "items", items, "departments", depts);
    rc = page(c, "spotchecks", "双随机抽查", ctx);
done:
    zf_stmt_free(st);
    json_decref(items);
    json_decref(depts);
    return rc;
}

static int detail_page(zf_ctx *c)
{
    json_t *plan = NULL;
    char ratio[32], title[600];
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_spotcheck_json(&plan, c, id, 1)) < 0)
        return rc;
    ratio_text(ratio, sizeof ratio, json_integer_value(json_object_get(plan, "ratio_permille")));
    json_object_set_new(plan, "ratio", json_string(ratio));
    snprintf(title, sizeof title, "%s", json_string_value(json_object_get(plan, "title")));
    return page(c, "spotcheck", title, json_pack("{s:o}", "plan", plan));
}

const zf_route zf_portal_spotcheck_routes[] = {
    {"GET", "/spotchecks", list_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {"GET", "/spotchecks/{id}", detail_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
