/* portal.c — the public portal (see portal.h).
 *
 * Every file under web/templates/ is compiled once by zf_portal_init into one
 * template set named after the file ("department.html" -> "department");
 * pages include the shared "layout_head" and "layout_foot" partials. A new
 * page is a template file, a handler that builds a jansson context and calls
 * render_page, and a line in zf_portal_routes: nothing else changes.
 *
 * Handlers read the database through c->db, build a context from rows (all
 * text goes through the template engine, which escapes it), and render into
 * c->out. The compiled set is read-only after init, so handlers on many
 * threads share it without locks. */
#include "web/portal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/lawdoc.h"
#include "store/settings.h"
#include "util/embed.h"
#include "util/mem.h"
#include "web/page_cache.h"
#include "web/template.h"

#define TEMPLATE_DIR "web/templates/"
#define STATIC_DIR "web/static/"
#define SITE_NAME_DEFAULT "行政执法公示平台"
#define OFFICERS_PER_PAGE 50
#define HTML_TYPE "text/html; charset=utf-8"

/* Set by zf_portal_init, read-only afterwards. */
static zf_tpl_set *templates;
static char css_href[64];

/* ---- context helpers ---- */

/* Sets o[k] to the text v; text that is not valid UTF-8 (never expected from
 * the database, which validates on input) becomes "" rather than vanishing,
 * so a template never falls back to an outer value of the same name. */
static void put_s(json_t *o, const char *k, const char *v)
{
    json_t *s = json_string(v ? v : "");
    json_object_set_new(o, k, s ? s : json_string(""));
}

static void put_i(json_t *o, const char *k, json_int_t v)
{
    json_object_set_new(o, k, json_integer(v));
}

static const char *site_name(const zf_ctx *c)
{
    return zf_settings_get(c->settings, "portal_title", SITE_NAME_DEFAULT);
}

/* Today in China (UTC+8, no daylight saving) as YYYY-MM-DD. */
static void today_cn(char out[11], int64_t now)
{
    time_t t = (time_t)(now + 8 * 3600);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static const char *power_type_name(const char *code)
{
    static const struct {
        const char *code, *name;
    } names[] = {
        {"licensing", "行政许可"},  {"penalty", "行政处罚"},          {"coercion", "行政强制"},
        {"inspection", "行政检查"}, {"expropriation", "行政征收征用"}, {"other", "其他"},
    };
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].code, code) == 0)
            return names[i].name;
    return "其他";
}

/* Renders template tpl into c->out as a whole page. ctx is stolen; the
 * common layout values (site, title, css) are added to it. title NULL means
 * the site name alone. */
static int render_page(zf_ctx *c, const char *tpl, const char *title, json_t *ctx)
{
    json_t *site = json_object();
    int rc;

    put_s(site, "name", site_name(c));
    json_object_set_new(ctx, "site", site);
    if (title)
        put_s(ctx, "title", title);
    put_s(ctx, "css", css_href);
    zf_buf_reset(&c->out);
    rc = zf_tpl_set_render(&c->out, templates, tpl, ctx, &c->err);
    json_decref(ctx);
    c->content_type = HTML_TYPE;
    if (rc == 0)
        zf_ctx_header(c, "Cache-Control", "no-cache");
    return rc;
}

/* Prepares sql with the int64 id bound to $1. */
static int prepare_id(zf_stmt **out, zf_ctx *c, const char *sql, int64_t id)
{
    int rc = zf_db_prepare(out, c->db, sql, &c->err);

    if (rc == 0)
        zf_stmt_bind_int64(*out, 1, id);
    return rc;
}

/* ---- GET / ---- */

static int home_page(zf_ctx *c)
{
    static const char sql[] =
        "SELECT d.id, d.name, d.short_name, d.kind,"
        " (SELECT COUNT(*) FROM officers o WHERE o.department_id = d.id AND o.status <> 'revoked'),"
        " (SELECT COUNT(*) FROM matters m WHERE m.department_id = d.id),"
        " (SELECT COUNT(*) FROM units u WHERE u.department_id = d.id)"
        " FROM departments d ORDER BY d.id";
    json_t *ctx = json_object(), *depts = json_array(), *nav = json_object();
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        goto done;
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        json_t *d = json_object();
        put_i(d, "id", zf_stmt_int64(st, 0));
        put_s(d, "name", zf_stmt_text(st, 1));
        put_s(d, "short_name", zf_stmt_text(st, 2));
        json_object_set_new(d, "supervision", json_boolean(strcmp(zf_stmt_text(st, 3), "supervision") == 0));
        put_i(d, "officer_count", zf_stmt_int64(st, 4));
        put_i(d, "matter_count", zf_stmt_int64(st, 5));
        put_i(d, "unit_count", zf_stmt_int64(st, 6));
        json_array_append_new(depts, d);
    }
    if (rc < 0)
        goto done;
    put_i(ctx, "department_count", (json_int_t)json_array_size(depts));
    json_object_set(ctx, "departments", depts);
    json_object_set_new(nav, "home", json_true());
    json_object_set(ctx, "nav", nav);
    rc = render_page(c, "home", NULL, ctx);
    ctx = NULL;
done:
    zf_stmt_free(st);
    json_decref(depts);
    json_decref(nav);
    json_decref(ctx);
    return rc;
}

/* ---- GET /departments/{id} ---- */

static int load_department(json_t **out, zf_ctx *c, int64_t id)
{
    static const char sql[] =
        "SELECT id, code, name, short_name, kind, address, postcode, phone, email, website,"
        " duties, area, supervision_contact FROM departments WHERE id = $1";
    static const char *const cols[] = {NULL,     "code",  "name",   "short_name", "kind",
                                       "address", "postcode", "phone", "email", "website",
                                       "duties", "area", "supervision_contact"};
    zf_stmt *st = NULL;
    json_t *d = NULL;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = prepare_id(&st, c, sql, id)) < 0 || (rc = zf_stmt_step(st, &c->err)) < 0)
        goto done;
    if (rc == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "没有找到该执法部门");
        goto done;
    }
    d = json_object();
    put_i(d, "id", zf_stmt_int64(st, 0));
    for (i = 1; i < sizeof cols / sizeof cols[0]; i++)
        put_s(d, cols[i], zf_stmt_text(st, (int)i));
    json_object_set_new(d, "kind_supervision",
                        json_boolean(strcmp(zf_stmt_text(st, 4), "supervision") == 0));
    *out = d;
    rc = 0;
done:
    zf_stmt_free(st);
    return rc;
}

static int load_units(json_t *dept, zf_ctx *c, int64_t id)
{
    zf_stmt *st = NULL;
    json_t *units = json_array();
    int rc;

    if ((rc = prepare_id(&st, c,
                         "SELECT name, duties, area FROM units WHERE department_id = $1 ORDER BY id",
                         id)) < 0)
        goto done;
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        json_t *u = json_object();
        put_s(u, "name", zf_stmt_text(st, 0));
        put_s(u, "duties", zf_stmt_text(st, 1));
        put_s(u, "area", zf_stmt_text(st, 2));
        json_array_append_new(units, u);
    }
done:
    zf_stmt_free(st);
    put_i(dept, "unit_count", (json_int_t)json_array_size(units));
    json_object_set_new(dept, "units", units);
    return rc < 0 ? rc : 0;
}

/* "["a","b"]" -> "a、b"; anything unparsable -> "". */
static void put_categories(json_t *o, const char *json_text)
{
    json_t *arr = json_loads(json_text, 0, NULL);
    zf_buf b = ZF_BUF_INIT;
    size_t i;

    for (i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (!s || !*s)
            continue;
        if (b.len)
            zf_buf_puts(&b, "、");
        zf_buf_puts(&b, s);
    }
    put_s(o, "categories", zf_buf_str(&b));
    zf_buf_free(&b);
    json_decref(arr);
}

/* What the public needs to know about an officer at a glance: status first,
 * then whether the certificate is valid today. */
static void put_officer_state(json_t *o, const char *status, const char *from, const char *to,
                              const char *today)
{
    const char *state, *name;

    if (strcmp(status, "revoked") == 0)
        state = "revoked", name = "已注销";
    else if (strcmp(status, "suspended") == 0)
        state = "suspended", name = "暂停执法";
    else if (*to && strcmp(to, today) < 0)
        state = "expired", name = "证件已过期";
    else if (*from && strcmp(from, today) > 0)
        state = "pending", name = "尚未生效";
    else
        state = "valid", name = "有效";
    put_s(o, "state", state);
    put_s(o, "state_name", name);
}

/* Reads ?page= as a positive integer; anything else means page 1. */
static int64_t page_param(zf_ctx *c)
{
    const char *s = zf_ctx_query(c, "page");
    int64_t v = 0;

    if (!s || !*s || strlen(s) > 9)
        return 1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 1;
        v = v * 10 + (*s - '0');
    }
    return v > 0 ? v : 1;
}

static int load_officers(json_t *dept, zf_ctx *c, int64_t id)
{
    static const char sql[] =
        "SELECT o.name, COALESCE(u.name, ''), o.certificate_no, o.certificate_valid_from,"
        " o.certificate_valid_to, o.categories, o.status, o.position"
        " FROM officers o LEFT JOIN units u ON u.id = o.unit_id"
        " WHERE o.department_id = $1"
        " ORDER BY CASE o.status WHEN 'active' THEN 0 WHEN 'suspended' THEN 1 ELSE 2 END,"
        " COALESCE(o.unit_id, 0), o.name, o.id LIMIT $2 OFFSET $3";
    zf_stmt *st = NULL;
    json_t *officers = json_object(), *items = json_array();
    int64_t total = 0, page = page_param(c), pages;
    char today[11], id_text[24];
    const char *params[1] = {id_text};
    int rc;

    snprintf(id_text, sizeof id_text, "%lld", (long long)id);
    if ((rc = zf_db_query_int64(c->db, &total, "SELECT COUNT(*) FROM officers WHERE department_id = $1",
                                &c->err, 1, params)) < 0)
        goto done;
    pages = total ? (total + OFFICERS_PER_PAGE - 1) / OFFICERS_PER_PAGE : 1;
    if (page > pages)
        page = pages;
    today_cn(today, c->now);
    if ((rc = prepare_id(&st, c, sql, id)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 2, OFFICERS_PER_PAGE);
    zf_stmt_bind_int64(st, 3, (page - 1) * OFFICERS_PER_PAGE);
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        json_t *o = json_object();
        put_s(o, "name", zf_stmt_text(st, 0));
        put_s(o, "unit_name", zf_stmt_text(st, 1));
        put_s(o, "certificate_no", zf_stmt_text(st, 2));
        put_s(o, "valid_from", zf_stmt_text(st, 3));
        put_s(o, "valid_to", zf_stmt_text(st, 4));
        put_categories(o, zf_stmt_text(st, 5));
        put_officer_state(o, zf_stmt_text(st, 6), zf_stmt_text(st, 3), zf_stmt_text(st, 4), today);
        put_s(o, "position", zf_stmt_text(st, 7));
        json_array_append_new(items, o);
    }
    if (rc < 0)
        goto done;
    rc = 0;
    put_i(officers, "total", total);
    json_object_set(officers, "items", items);
    if (pages > 1) {
        json_t *pager = json_object();
        char href[64];
        put_i(pager, "page", page);
        put_i(pager, "pages", pages);
        if (page > 1) {
            snprintf(href, sizeof href, "/departments/%lld?page=%lld#officers", (long long)id,
                     (long long)(page - 1));
            put_s(pager, "prev", href);
        }
        if (page < pages) {
            snprintf(href, sizeof href, "/departments/%lld?page=%lld#officers", (long long)id,
                     (long long)(page + 1));
            put_s(pager, "next", href);
        }
        put_i(pager, "from", (page - 1) * OFFICERS_PER_PAGE + 1);
        put_i(pager, "to", (page - 1) * OFFICERS_PER_PAGE + (json_int_t)json_array_size(items));
        json_object_set_new(officers, "pager", pager);
    }
    json_object_set(dept, "officers", officers);
done:
    zf_stmt_free(st);
    json_decref(items);
    json_decref(officers);
    return rc;
}

/* Legal bases of the department's matters, keyed by matter id (as text):
 * {"12": [{"law_title": "...", "label": "第三十五条"}, ...]}. */
static int load_bases(json_t **out, zf_ctx *c, int64_t dept_id)
{
    static const char sql[] =
        "SELECT mb.matter_id, l.title, COALESCE(a.label, ''), mb.article_no"
        " FROM matter_basis mb JOIN matters m ON m.id = mb.matter_id"
        " JOIN laws l ON l.id = mb.law_id"
        " LEFT JOIN law_articles a ON a.law_id = mb.law_id AND a.no = mb.article_no"
        " WHERE m.department_id = $1 ORDER BY mb.matter_id, l.title, mb.article_no";
    zf_stmt *st = NULL;
    json_t *by_matter = json_object();
    int rc;

    *out = NULL;
    if ((rc = prepare_id(&st, c, sql, dept_id)) < 0)
        goto done;
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        char key[24], label[64];
        const char *l = zf_stmt_text(st, 2);
        json_t *list, *b = json_object();

        snprintf(key, sizeof key, "%lld", (long long)zf_stmt_int64(st, 0));
        if (!*l && zf_lawdoc_article_label(label, sizeof label, (int)zf_stmt_int64(st, 3), 0) >= 0)
            l = label;
        put_s(b, "law_title", zf_stmt_text(st, 1));
        put_s(b, "label", l);
        if (!(list = json_object_get(by_matter, key))) {
            list = json_array();
            json_object_set_new(by_matter, key, list);
        }
        json_array_append_new(list, b);
    }
done:
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(by_matter);
        return rc;
    }
    *out = by_matter;
    return 0;
}

static int load_matters(json_t *dept, zf_ctx *c, int64_t id)
{
    static const char sql[] =
        "SELECT id, code, name, power_type, legal_basis, time_limit_days, accepting_body"
        " FROM matters WHERE department_id = $1"
        " ORDER BY CASE power_type WHEN 'licensing' THEN 1 WHEN 'penalty' THEN 2"
        " WHEN 'coercion' THEN 3 WHEN 'inspection' THEN 4 WHEN 'expropriation' THEN 5"
        " ELSE 6 END, code";
    zf_stmt *st = NULL;
    json_t *groups = json_array(), *group = NULL, *bases = NULL;
    char current[32] = "";
    int64_t total = 0;
    int rc;

    if ((rc = load_bases(&bases, c, id)) < 0 || (rc = prepare_id(&st, c, sql, id)) < 0)
        goto done;
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        const char *pt = zf_stmt_text(st, 3);
        json_t *m = json_object(), *basis;
        char key[24];

        if (!group || strcmp(pt, current) != 0) {
            snprintf(current, sizeof current, "%s", pt);
            group = json_object();
            put_s(group, "code", pt);
            put_s(group, "name", power_type_name(pt));
            json_object_set_new(group, "matters", json_array());
            json_array_append_new(groups, group);
        }
        snprintf(key, sizeof key, "%lld", (long long)zf_stmt_int64(st, 0));
        put_s(m, "code", zf_stmt_text(st, 1));
        put_s(m, "name", zf_stmt_text(st, 2));
        put_s(m, "legal_basis", zf_stmt_text(st, 4));
        basis = json_object_get(bases, key);
        json_object_set_new(m, "basis", basis ? json_incref(basis) : json_array());
        json_object_set_new(m, "has_basis", json_boolean(basis != NULL));
        if (zf_stmt_is_null(st, 5) || zf_stmt_int64(st, 5) <= 0)
            put_s(m, "time_limit", "");
        else {
            char tl[32];
            snprintf(tl, sizeof tl, "%lld 日", (long long)zf_stmt_int64(st, 5));
            put_s(m, "time_limit", tl);
        }
        put_s(m, "accepting_body", zf_stmt_text(st, 6));
        json_array_append_new(json_object_get(group, "matters"), m);
        total++;
    }
    if (rc < 0)
        goto done;
    rc = 0;
    {
        size_t i;
        for (i = 0; i < json_array_size(groups); i++) {
            json_t *g = json_array_get(groups, i);
            put_i(g, "count", (json_int_t)json_array_size(json_object_get(g, "matters")));
        }
    }
    put_i(dept, "matter_total", total);
    json_object_set(dept, "power_groups", groups);
done:
    zf_stmt_free(st);
    json_decref(groups);
    json_decref(bases);
    return rc;
}

static int department_page(zf_ctx *c)
{
    json_t *dept = NULL, *ctx;
    int64_t id;
    int rc;

    if (zf_ctx_param_id(c, 0, &id) < 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "没有找到该执法部门");
    if ((rc = load_department(&dept, c, id)) < 0 || (rc = load_units(dept, c, id)) < 0 ||
        (rc = load_officers(dept, c, id)) < 0 || (rc = load_matters(dept, c, id)) < 0) {
        json_decref(dept);
        return rc;
    }
    ctx = json_object();
    json_object_set_new(ctx, "dept", dept);
    return render_page(c, "department", json_string_value(json_object_get(dept, "name")), ctx);
}

/* The two busiest pages are served from web/page_cache.h while the
 * database and the day are unchanged. */
static int home(zf_ctx *c)
{
    return zf_page_cached(c, NULL, home_page);
}

static int department(zf_ctx *c)
{
    static const char *const keys[] = {"page", NULL};

    return zf_page_cached(c, keys, department_page);
}

/* ---- GET /static/... ---- */

static const char *static_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".css", "text/css; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},           {".png", "image/png"},
        {".ico", "image/x-icon"},            {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    size_t i;

    for (i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* Serves an embedded file. Only names present in the embedded table exist,
 * so no path can reach the file system. Links from pages carry ?v=<hash of
 * the content>, which makes a year of caching safe across upgrades. */
static int static_file(zf_ctx *c)
{
    char name[256];
    const char *rel;
    const zf_embedded_file *f;

    if (strncmp(c->path, "/static/", 8) != 0)
        goto missing;
    rel = c->path + 8;
    if (!*rel || strstr(rel, "..") ||
        (size_t)snprintf(name, sizeof name, STATIC_DIR "%s", rel) >= sizeof name ||
        !(f = zf_embed_find(name)))
        goto missing;
    if (zf_buf_append(&c->out, f->data, f->len) < 0)
        return zf_err_set(&c->err, ZF_ETOOBIG, NULL, NULL, "文件过大");
    c->content_type = static_type(name);
    zf_ctx_header(c, "Cache-Control", zf_ctx_query(c, "v") ? "public, max-age=31536000, immutable"
                                                            : "public, max-age=3600");
    return 0;
missing:
    return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "请求的文件不存在");
}

/* ---- errors ---- */

static void error_text(int status, const char **title, const char **hint)
{
    switch (status) {
    case 404:
        *title = "页面不存在";
        *hint = "您访问的页面不存在或已被移除，请检查网址是否正确。";
        break;
    case 401:
    case 403:
        *title = "无权访问";
        *hint = "您没有访问该页面的权限。";
        break;
    case 429:
        *title = "访问过于频繁";
        *hint = "请稍后再试。";
        break;
    default:
        if (status >= 500) {
            *title = "服务暂时不可用";
            *hint = "系统处理请求时出现问题，请稍后再试。如问题持续，请联系网站管理员并提供下方的请求编号。";
        } else {
            *title = "请求有误";
            *hint = "无法处理该请求，请检查后重试。";
        }
    }
}

void zf_portal_error_page(zf_ctx *c, const zf_err *err)
{
    zf_err e = *err; /* err may be &c->err, which rendering may overwrite */
    int status = zf_err_http_status(e.rc ? e.rc : ZF_EINTERNAL);
    const char *title, *hint;
    json_t *ctx = json_object();

    error_text(status, &title, &hint);
    put_i(ctx, "status", status);
    put_s(ctx, "heading", title);
    put_s(ctx, "hint", hint);
    /* Internal messages can name tables or files: show them for 4xx only. */
    if (status < 500 && e.message[0] && strcmp(e.message, hint) != 0)
        put_s(ctx, "message", e.message);
    put_s(ctx, "request_id", c->request_id ? c->request_id : "");
    if (!templates || render_page(c, "error", title, ctx) < 0) {
        /* The last resort must not depend on templates. */
        zf_buf_reset(&c->out);
        zf_buf_puts(&c->out, "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                             "<title>");
        zf_buf_puts(&c->out, title);
        zf_buf_puts(&c->out, "</title></head><body><main><h1>");
        zf_buf_puts(&c->out, title);
        zf_buf_puts(&c->out, "</h1><p>");
        zf_buf_puts(&c->out, hint);
        zf_buf_puts(&c->out, "</p><p><a href=\"/\">返回首页</a></p></main></body></html>");
        c->content_type = HTML_TYPE;
        if (!templates)
            json_decref(ctx);
    }
    c->status = status;
    c->err = e;
}

/* ---- set-up ---- */

/* FNV-1a: a short fingerprint of the stylesheet for cache-busting links. */
static uint32_t fnv1a(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;

    while (n--)
        h = (h ^ *p++) * 16777619u;
    return h;
}

int zf_portal_init(zf_err *err)
{
    static const char *const required[] = {"layout_head", "layout_foot", "home", "department",
                                           "error"};
    const zf_embedded_file *f;
    zf_tpl_set *set = zf_tpl_set_new();
    size_t i, plen = strlen(TEMPLATE_DIR);
    int rc = 0;

    for (f = zf_embedded_files; f->name; f++) {
        const char *base = f->name + plen;
        const char *dot;
        char name[128];
        if (strncmp(f->name, TEMPLATE_DIR, plen) != 0 || !(dot = strrchr(base, '.')) ||
            strcmp(dot, ".html") != 0 || (size_t)(dot - base) >= sizeof name)
            continue;
        memcpy(name, base, (size_t)(dot - base));
        name[dot - base] = '\0';
        if ((rc = zf_tpl_set_add(set, name, (const char *)f->data, f->len, err)) < 0)
            goto done;
    }
    for (i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!zf_tpl_set_get(set, required[i])) {
            rc = zf_err_set(err, ZF_EINTERNAL, "template_missing", NULL, "缺少门户模板 %s.html",
                            required[i]);
            goto done;
        }
    if ((rc = zf_tpl_set_check(set, err)) < 0)
        goto done;
    f = zf_embed_find(STATIC_DIR "portal.css");
    snprintf(css_href, sizeof css_href, "/static/portal.css?v=%08x",
             f ? (unsigned)fnv1a(f->data, f->len) : 0u);
    zf_tpl_set_free(templates);
    templates = set;
    set = NULL;
done:
    zf_tpl_set_free(set);
    return rc;
}

void zf_portal_shutdown(void)
{
    zf_tpl_set_free(templates);
    templates = NULL;
}

const zf_route zf_portal_routes[] = {
    {"GET", "/", home, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {"GET", "/departments/{id}", department, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {"GET", "/static/*", static_file, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {NULL},
};
