/* portal_search.c — the public search page /search (issue 7) and the law
 * pages /laws/{id} that law-article hits link to.
 *
 * /search is a plain GET form (works without JavaScript) over the same
 * zf_search_run as GET /api/v1/search, with filters (type, department, date
 * range), highlighted snippets, pages, and an empty state that suggests what
 * to try. Highlighted title and snippet come from search_store.c already
 * HTML-escaped with <mark> inserted, so they are the only values rendered
 * unescaped ({{{...}}}); everything else goes through the escaping engine.
 *
 * Its own template set (web/tplset.h): the layout partials, search, law. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "store/search_store.h"
#include "util/mem.h"
#include "web/tplset.h"

#define PORTAL_PER_PAGE 10

static const char *const template_names[] = {"layout_head", "layout_foot", "search", "law", NULL};
static zf_tplset_lazy templates = ZF_TPLSET_LAZY(template_names);

static void put_s(json_t *o, const char *k, const char *v)
{
    json_t *s = json_string(v ? v : "");
    json_object_set_new(o, k, s ? s : json_string(""));
}

/* Appends key=value to an URL query, percent-encoding the value. */
static void put_query(zf_buf *b, const char *key, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p;

    if (!value || !*value)
        return;
    zf_buf_putc(b, strchr(zf_buf_str(b), '?') ? '&' : '?');
    zf_buf_puts(b, key);
    zf_buf_putc(b, '=');
    for (p = (const unsigned char *)value; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            zf_buf_putc(b, (char)*p);
        } else {
            zf_buf_putc(b, '%');
            zf_buf_putc(b, hex[*p >> 4]);
            zf_buf_putc(b, hex[*p & 15]);
        }
    }
}

/* "/search?q=...&kind=..." for the same query on another page; filters
 * dropped when unfiltered. */
static char *search_href(const zf_search_params *p, int64_t page, int unfiltered)
{
    zf_buf b = ZF_BUF_INIT;
    char num[24];

    zf_buf_puts(&b, "/search");
    put_query(&b, "q", p->q);
    if (!unfiltered) {
        put_query(&b, "kind", p->kind);
        if (p->department_id > 0) {
            snprintf(num, sizeof num, "%lld", (long long)p->department_id);
            put_query(&b, "department_id", num);
        }
        put_query(&b, "from", p->from);
        put_query(&b, "to", p->to);
    }
    if (page > 1) {
        snprintf(num, sizeof num, "%lld", (long long)page);
        put_query(&b, "page", num);
    }
    return zf_buf_detach(&b);
}

static void put_filters(json_t *ctx, zf_ctx *c, const zf_search_params *p)
{
    json_t *kinds = json_array(), *depts = json_array();
    zf_stmt *st = NULL;
    size_t i;

    for (i = 0; zf_search_kinds[i]; i++)
        json_array_append_new(kinds, json_pack("{s:s,s:s,s:b}", "value", zf_search_kinds[i], "name",
                                               zf_search_kind_name(zf_search_kinds[i]), "selected",
                                               p->kind && strcmp(p->kind, zf_search_kinds[i]) == 0));
    if (zf_db_prepare(&st, c->db, "SELECT id, name FROM departments ORDER BY id", NULL) == 0) {
        while (zf_stmt_step(st, NULL) == 1) {
            json_t *d = json_object();
            json_object_set_new(d, "id", json_integer(zf_stmt_int64(st, 0)));
            put_s(d, "name", zf_stmt_text(st, 1));
            json_object_set_new(d, "selected", json_boolean(zf_stmt_int64(st, 0) == p->department_id));
            json_array_append_new(depts, d);
        }
    }
    zf_stmt_free(st);
    json_object_set_new(ctx, "kinds", kinds);
    json_object_set_new(ctx, "departments", depts);
    put_s(ctx, "from", p->from);
    put_s(ctx, "to", p->to);
}

/* A shorter query to suggest when nothing was found: the first two
 * characters of the first term (or the query itself when already short). */
static void put_suggestion(json_t *ctx, const char *q)
{
    char out[16];
    size_t i = 0, chars = 0;

    while (q[i] == ' ')
        i++;
    q += i;
    for (i = 0; q[i] && q[i] != ' ' && chars < 2 && i < sizeof out - 5; chars++) {
        i++;
        while ((q[i] & 0xC0) == 0x80)
            i++;
    }
    memcpy(out, q, i);
    out[i] = '\0';
    put_s(ctx, "suggest", chars >= 2 && q[i] ? out : "行政处罚");
}

static int search_page(zf_ctx *c)
{
    zf_search_params p = ZF_SEARCH_PARAMS_INIT;
    zf_search_result r = ZF_SEARCH_RESULT_INIT;
    json_t *ctx, *items;
    char text[64];
    size_t i;
    int rc;

    if ((rc = zf_tplset_ready(&templates, c)) < 0)
        return rc;
    ctx = json_object();
    rc = zf_search_params_read(&p, c);
    if (rc == 0 && !zf_ctx_query(c, "per_page"))
        p.per_page = PORTAL_PER_PAGE;
    put_s(ctx, "search_q", p.q);
    put_filters(ctx, c, &p);
    if (rc == 0 && p.q && *p.q)
        rc = zf_search_run(&r, c->db, &p, &c->err);
    else if (rc == 0)
        return zf_tplset_page(&templates, c, "search", "搜索", ctx); /* the blank form */
    if (rc < 0) {
        /* Bad input is the visitor's to fix: show it on the form. */
        if (c->err.rc == ZF_EINVAL) {
            c->status = 400;
            put_s(ctx, "error", c->err.message);
            return zf_tplset_page(&templates, c, "search", "搜索", ctx);
        }
        json_decref(ctx);
        return rc;
    }
    items = json_array();
    for (i = 0; i < r.count; i++) {
        const zf_search_hit *h = &r.items[i];
        json_t *it = json_object();
        put_s(it, "kind_name", zf_search_kind_name(h->kind) ? zf_search_kind_name(h->kind) : h->kind);
        put_s(it, "title_html", h->title_html);
        put_s(it, "snippet_html", h->snippet_html);
        put_s(it, "department", h->department);
        put_s(it, "date", h->date);
        put_s(it, "link", *h->link ? h->link : "/");
        json_array_append_new(items, it);
    }
    json_object_set_new(ctx, "searched", json_true());
    json_object_set_new(ctx, "items", items);
    json_object_set_new(ctx, "count", json_integer((json_int_t)r.count));
    json_object_set_new(ctx, "exact", json_boolean(r.exact));
    zf_search_total_text(text, sizeof text, &r);
    /* "共 12 条" reads "找到共 12 条结果" badly: keep only the number part. */
    put_s(ctx, "total_text", r.exact ? text + strlen("共") : text);
    json_object_set_new(ctx, "from_n", json_integer((r.page - 1) * r.per_page + 1));
    json_object_set_new(ctx, "to_n", json_integer((r.page - 1) * r.per_page + (json_int_t)r.count));
    if (p.kind || p.department_id || p.from || p.to) {
        char *href = search_href(&p, 1, 1);
        json_object_set_new(ctx, "filtered", json_true());
        put_s(ctx, "unfiltered_href", href);
        free(href);
    }
    put_suggestion(ctx, p.q);
    if (r.page > 1 || r.has_more) {
        json_t *pager = json_object();
        json_object_set_new(pager, "page", json_integer(r.page));
        if (r.page > 1) {
            char *href = search_href(&p, r.page - 1, 0);
            put_s(pager, "prev", href);
            free(href);
        }
        if (r.has_more) {
            char *href = search_href(&p, r.page + 1, 0);
            put_s(pager, "next", href);
            free(href);
        }
        json_object_set_new(ctx, "pager", pager);
    }
    zf_search_result_free(&r);
    {
        char title[160];
        snprintf(title, sizeof title, "“%s”的搜索结果", p.q);
        return zf_tplset_page(&templates, c, "search", title, ctx);
    }
}

/* ---- GET /laws/{id} ---- */

static int law_page(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *ctx = NULL, *law = NULL, *arts = NULL;
    char chapter[512] = "", title[512] = "";
    int64_t id;
    int rc;

    if ((rc = zf_tplset_ready(&templates, c)) < 0)
        return rc;
    if (zf_ctx_param_id(c, 0, &id) < 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "没有找到该法律法规");
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT title, issuer, effective_date, category FROM laws WHERE id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, &c->err)) <= 0) {
        zf_stmt_free(st);
        return rc < 0 ? rc : zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "没有找到该法律法规");
    }
    law = json_object();
    put_s(law, "title", zf_stmt_text(st, 0));
    put_s(law, "issuer", zf_stmt_text(st, 1));
    put_s(law, "effective_date", zf_stmt_text(st, 2));
    put_s(law, "category", zf_stmt_text(st, 3));
    snprintf(title, sizeof title, "%s", zf_stmt_text(st, 0));
    zf_stmt_free(st);
    st = NULL;
    arts = json_array();
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT no, label, chapter, text FROM law_articles WHERE law_id = $1 ORDER BY no",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        json_t *a = json_object();
        const char *ch = zf_stmt_text(st, 2);
        json_object_set_new(a, "no", json_integer(zf_stmt_int64(st, 0)));
        put_s(a, "label", zf_stmt_text(st, 1));
        put_s(a, "chapter", ch);
        json_object_set_new(a, "chapter_start", json_boolean(*ch && strcmp(ch, chapter) != 0));
        snprintf(chapter, sizeof chapter, "%s", ch);
        put_s(a, "text", zf_stmt_text(st, 3));
        json_array_append_new(arts, a);
    }
    if (rc < 0)
        goto done;
    json_object_set(law, "articles", arts);
    ctx = json_object();
    json_object_set(ctx, "law", law);
    rc = zf_tplset_page(&templates, c, "law", title, ctx);
done:
    zf_stmt_free(st);
    json_decref(arts);
    json_decref(law);
    return rc;
}

const zf_route zf_portal_search_routes[] = {
    {"GET", "/search", search_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {"GET", "/laws/{id}", law_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {NULL},
};
