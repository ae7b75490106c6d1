/* portal_spotchecks.c — the public side of 双随机、一公开 (issue 7): the list
 * of drawn random-check plans /spotchecks and a page per plan
 * /spotchecks/{id} with the selection, its inspectors, the published
 * results and everything needed to re-check the draw (seed, pool hashes,
 * the ledger entries of the seed and of the draw, and how to re-run it).
 * Open plans (pool still being built) are not public. The JSON record for
 * re-checking is GET /api/v1/spotchecks/{id}/verification (api/spotchecks.c).
 * Its own template set, like portal_publications.c. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "store/settings.h"
#include "util/embed.h"
#include "web/template.h"

#define SITE_NAME_DEFAULT "行政执法公示平台"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static zf_tpl_set *set;
static char css_href[64];
static zf_err init_err;

static void init_templates(void)
{
    static const char *const names[] = {"layout_head", "layout_foot", "spotchecks", "spotcheck"};
    zf_tpl_set *s = zf_tpl_set_new();
    const zf_embedded_file *f;
    char path[128];
    uint32_t h = 2166136261u; /* FNV-1a of the stylesheet: cache busting */
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "web/templates/%s.html", names[i]);
        if (!(f = zf_embed_find(path))) {
            zf_err_set(&init_err, ZF_EINTERNAL, "template_missing", NULL, "缺少门户模板 %s", path);
            goto fail;
        }
        if (zf_tpl_set_add(s, names[i], (const char *)f->data, f->len, &init_err) < 0)
            goto fail;
    }
    if (zf_tpl_set_check(s, &init_err) < 0)
        goto fail;
    if ((f = zf_embed_find("web/static/portal.css")))
        for (i = 0; i < f->len; i++)
            h = (h ^ ((const unsigned char *)f->data)[i]) * 16777619u;
    snprintf(css_href, sizeof css_href, "/static/portal.css?v=%08x", f ? (unsigned)h : 0u);
    set = s;
    return;
fail:
    zf_tpl_set_free(s);
}

static int page(zf_ctx *c, const char *tpl, const char *title, json_t *ctx)
{
    int rc;

    pthread_once(&once, init_templates);
    if (!set) {
        json_decref(ctx);
        c->err = init_err;
        return init_err.rc ? init_err.rc : ZF_EINTERNAL;
    }
    json_object_set_new(ctx, "site", json_pack("{s:s}", "name",
                                               zf_settings_get(c->settings, "portal_title",
                                                               SITE_NAME_DEFAULT)));
    json_object_set_new(ctx, "title", json_string(title));
    json_object_set_new(ctx, "css", json_string(css_href));
    zf_buf_reset(&c->out);
    rc = zf_tpl_set_render(&c->out, set, tpl, ctx, &c->err);
    json_decref(ctx);
    c->content_type = "text/html; charset=utf-8";
    if (rc == 0)
        zf_ctx_header(c, "Cache-Control", "no-cache");
    return rc;
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
