/* portal_publications.c — the public side of 事后公开 (issue 7): the list
 * /publications (newest first, filters department and type), a page per
 * publication /publications/{id} (masked content only; a withdrawn one shows
 * 已撤下 and the reason), and the feeds new-media accounts repost:
 * /feeds/publications.atom (RFC 4287) and /feeds/publications.json (JSON
 * Feed 1.1), for the city or ?department_id=.
 *
 * Only the masked column is ever read here: the unmasked content never
 * reaches a public page. Its own template set (web/tplset.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "store/publication_store.h"
#include "store/settings.h"
#include "util/mem.h"
#include "web/page_cache.h"
#include "web/tplset.h"

#define SITE_NAME_DEFAULT "行政执法公示平台"
#define LIST_MAX 100
#define FEED_MAX 50

static const char *const template_names[] = {"layout_head", "layout_foot", "publications", "publication", NULL};
static zf_tplset_lazy templates = ZF_TPLSET_LAZY(template_names);

static void put_s(json_t *o, const char *k, const char *v)
{
    json_t *s = json_string(v ? v : "");
    json_object_set_new(o, k, s ? s : json_string(""));
}

/* ?department_id= and ?kind=, checked. */
static int read_filters(int64_t *dept, const char **kind, zf_ctx *c)
{
    const char *d = zf_ctx_query(c, "department_id"), *k = zf_ctx_query(c, "kind");
    char *end = NULL;

    *dept = 0;
    *kind = NULL;
    if (d && *d) {
        *dept = strtoll(d, &end, 10);
        if (*dept <= 0 || *end)
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "department_id",
                              "参数 department_id 应为正整数");
    }
    if (k && *k) {
        if (!zf_publication_kind_name(k))
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "kind", "未知的公示类别");
        *kind = k;
    }
    return 0;
}

/* Publications the public sees: published, and withdrawn ones (which show
 * only their reason), newest first. Columns: id, title, department, kind,
 * decision_date, published_on, state, withdraw_reason, masked, published_at,
 * department_id, updated_at. */
static int query(zf_stmt **st, zf_ctx *c, int64_t dept, const char *kind, int limit)
{
    int rc;

    if ((rc = zf_db_prepare(st, c->db,
                            "SELECT p.id, p.title, d.name, p.kind, p.decision_date, p.published_on, "
                            "p.state, COALESCE(p.withdraw_reason, ''), p.masked, p.published_at, "
                            "p.department_id, p.updated_at FROM publications p JOIN departments d ON "
                            "d.id = p.department_id WHERE p.state IN ('published', 'withdrawn') AND "
                            "p.published_at IS NOT NULL AND ($1 = 0 OR p.department_id = $1) AND "
                            "($2 = '' OR p.kind = $2) ORDER BY p.published_at DESC, p.id DESC LIMIT $3",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(*st, 1, dept);
    zf_stmt_bind_text(*st, 2, kind ? kind : "", -1);
    zf_stmt_bind_int64(*st, 3, limit);
    return 0;
}

static int list_render(zf_ctx *c)
{
    static const char *const kinds[] = {"penalty", "licensing", "other"};
    json_t *ctx, *items, *depts, *kj;
    zf_stmt *st = NULL;
    const char *kind;
    int64_t dept;
    char fq[64] = "";
    size_t i;
    int rc;

    if ((rc = zf_tplset_ready(&templates, c)) < 0 || (rc = read_filters(&dept, &kind, c)) < 0)
        return rc;
    if ((rc = query(&st, c, dept, kind, LIST_MAX)) < 0)
        return rc;
    items = json_array();
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        json_t *o = json_object();

        json_object_set_new(o, "id", json_integer(zf_stmt_int64(st, 0)));
        put_s(o, "title", zf_stmt_text(st, 1));
        put_s(o, "department", zf_stmt_text(st, 2));
        put_s(o, "kind_name", zf_publication_kind_name(zf_stmt_text(st, 3)));
        put_s(o, "decision_date", zf_stmt_text(st, 4));
        json_object_set_new(o, "withdrawn", json_boolean(strcmp(zf_stmt_text(st, 6), "withdrawn") == 0));
        json_array_append_new(items, o);
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    depts = json_array();
    if (zf_db_prepare(&st, c->db, "SELECT id, name FROM departments ORDER BY id", NULL) == 0) {
        while (zf_stmt_step(st, NULL) == 1)
            json_array_append_new(depts, json_pack("{s:I,s:s,s:b}", "id", (json_int_t)zf_stmt_int64(st, 0),
                                                   "name", zf_stmt_text(st, 1), "selected",
                                                   zf_stmt_int64(st, 0) == dept));
    }
    zf_stmt_free(st);
    kj = json_array();
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        json_array_append_new(kj, json_pack("{s:s,s:s,s:b}", "value", kinds[i], "name",
                                            zf_publication_kind_name(kinds[i]), "selected",
                                            kind && strcmp(kind, kinds[i]) == 0));
    if (dept > 0)
        snprintf(fq, sizeof fq, "?department_id=%lld", (long long)dept);
    ctx = json_object();
    json_object_set_new(ctx, "items", items);
    json_object_set_new(ctx, "departments", depts);
    json_object_set_new(ctx, "kinds", kj);
    put_s(ctx, "feed_query", fq);
    return zf_tplset_page(&templates, c, "publications", "执法决定公示", ctx);
}

static int detail_render(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *ctx = NULL, *pub, *items, *m;
    const char *key;
    json_t *v;
    char title[600];
    int64_t id;
    int rc;

    if ((rc = zf_tplset_ready(&templates, c)) < 0 || (rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT p.title, d.name, p.state, COALESCE(p.withdraw_reason, ''), "
                            "p.masked, COALESCE(p.published_on, '') FROM publications p JOIN "
                            "departments d ON d.id = p.department_id WHERE p.id = $1 AND p.state IN "
                            "('published', 'withdrawn') AND p.published_at IS NOT NULL",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, &c->err)) != 1) {
        zf_stmt_free(st);
        return rc < 0 ? rc : zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该公示信息");
    }
    snprintf(title, sizeof title, "%s", zf_stmt_text(st, 0));
    pub = json_object();
    put_s(pub, "title", title);
    put_s(pub, "department", zf_stmt_text(st, 1));
    json_object_set_new(pub, "withdrawn", json_boolean(strcmp(zf_stmt_text(st, 2), "withdrawn") == 0));
    put_s(pub, "withdraw_reason", zf_stmt_text(st, 3));
    put_s(pub, "published_on", zf_stmt_text(st, 5));
    items = json_array();
    m = json_loads(zf_stmt_text(st, 4), 0, NULL);
    json_object_foreach(m, key, v) {
        if (json_string_length(v) == 0)
            continue;
        json_array_append_new(items, json_pack("{s:s,s:s}", "label", key, "value", json_string_value(v)));
    }
    json_decref(m);
    zf_stmt_free(st);
    json_object_set_new(pub, "items", items);
    ctx = json_object();
    json_object_set_new(ctx, "pub", pub);
    return zf_tplset_page(&templates, c, "publication", title, ctx);
}

/* Decision pages and the list are served from web/page_cache.h while the
 * database and the day are unchanged. */
static int list_page(zf_ctx *c)
{
    static const char *const keys[] = {"department_id", "kind", NULL};

    return zf_page_cached(c, keys, list_render);
}

static int detail_page(zf_ctx *c)
{
    return zf_page_cached(c, NULL, detail_render);
}

/* ---- feeds ---- */

static void base_url(char *out, size_t cap, zf_ctx *c)
{
    const char *b = zf_settings_get(c->settings, "portal_base_url", NULL);
    const char *host = zf_ctx_request_header(c, "Host");
    size_t n;

    if (b && *b)
        snprintf(out, cap, "%s", b);
    else
        snprintf(out, cap, "%s://%s", c->secure ? "https" : "http",
                 host && *host && !strpbrk(host, "<>\"'& ") ? host : "localhost");
    n = strlen(out);
    while (n > 0 && out[n - 1] == '/')
        out[--n] = 0;
}

static void rfc3339(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void xml_esc(zf_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': zf_buf_puts(b, "&amp;"); break;
        case '<': zf_buf_puts(b, "&lt;"); break;
        case '>': zf_buf_puts(b, "&gt;"); break;
        case '"': zf_buf_puts(b, "&quot;"); break;
        case '\'': zf_buf_puts(b, "&apos;"); break;
        default:
            /* characters XML 1.0 forbids are dropped */
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
                zf_buf_putc(b, *s);
        }
    }
}

/* The summary of a masked publication as plain text. */
static char *summary_text(const char *masked_json, const char *state, const char *reason)
{
    zf_buf b = ZF_BUF_INIT;
    json_t *m;
    const char *key;
    json_t *v;

    if (strcmp(state, "withdrawn") == 0) {
        zf_buf_printf(&b, "已撤下：%s", reason);
        return zf_buf_detach(&b);
    }
    m = json_loads(masked_json, 0, NULL);
    json_object_foreach(m, key, v) {
        if (json_string_length(v) == 0)
            continue;
        zf_buf_printf(&b, "%s：%s\n", key, json_string_value(v));
    }
    json_decref(m);
    zf_buf_puts(&b, "");
    return zf_buf_detach(&b);
}

static int feed(zf_ctx *c, int atom)
{
    zf_stmt *st = NULL;
    const char *kind;
    int64_t dept;
    char base[256], self[400], when[32], q[48] = "";
    const char *site = zf_settings_get(c->settings, "portal_title", SITE_NAME_DEFAULT);
    json_t *items = NULL;
    zf_buf entries = ZF_BUF_INIT;
    int64_t newest = 0;
    int rc;

    if ((rc = read_filters(&dept, &kind, c)) < 0)
        return rc;
    base_url(base, sizeof base, c);
    if (dept > 0)
        snprintf(q, sizeof q, "?department_id=%lld", (long long)dept);
    snprintf(self, sizeof self, "%s/feeds/publications.%s%s", base, atom ? "atom" : "json", q);
    if ((rc = query(&st, c, dept, kind, FEED_MAX)) < 0)
        return rc;
    if (!atom)
        items = json_array();
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        char link[320], *text = summary_text(zf_stmt_text(st, 8), zf_stmt_text(st, 6),
                                             zf_stmt_text(st, 7));
        int64_t updated = zf_stmt_int64(st, 11), published = zf_stmt_int64(st, 9);

        if (updated > newest)
            newest = updated;
        snprintf(link, sizeof link, "%s/publications/%lld", base, (long long)zf_stmt_int64(st, 0));
        if (atom) {
            zf_buf_puts(&entries, "<entry><title>");
            xml_esc(&entries, zf_stmt_text(st, 1));
            zf_buf_puts(&entries, "</title><id>");
            xml_esc(&entries, link);
            zf_buf_puts(&entries, "</id><link href=\"");
            xml_esc(&entries, link);
            rfc3339(when, updated);
            zf_buf_printf(&entries, "\"/><updated>%s</updated>", when);
            rfc3339(when, published);
            zf_buf_printf(&entries, "<published>%s</published><author><name>", when);
            xml_esc(&entries, zf_stmt_text(st, 2));
            zf_buf_puts(&entries, "</name></author><summary type=\"text\">");
            xml_esc(&entries, text);
            zf_buf_puts(&entries, "</summary></entry>\n");
        } else {
            char pub[32];

            rfc3339(when, updated);
            rfc3339(pub, published);
            json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[{s:s}]}", "id", link,
                                                   "url", link, "title", zf_stmt_text(st, 1),
                                                   "content_text", text, "date_published", pub,
                                                   "date_modified", when, "authors", "name",
                                                   zf_stmt_text(st, 2)));
        }
        free(text);
    }
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(items);
        zf_buf_free(&entries);
        return rc;
    }
    if (!atom) {
        json_t *f = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "version",
                              "https://jsonfeed.org/version/1.1", "title", site, "home_page_url",
                              base, "feed_url", self, "language", "zh-CN", "items", items);

        zf_buf_free(&entries);
        rc = zf_ctx_json(c, 200, f);
        c->content_type = "application/feed+json; charset=utf-8";
        return rc;
    }
    rfc3339(when, newest ? newest : c->now);
    zf_buf_reset(&c->out);
    zf_buf_puts(&c->out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                         "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n<title>");
    xml_esc(&c->out, site);
    zf_buf_puts(&c->out, " · 执法决定公示</title>\n<id>");
    xml_esc(&c->out, self);
    zf_buf_puts(&c->out, "</id>\n<link rel=\"self\" href=\"");
    xml_esc(&c->out, self);
    zf_buf_puts(&c->out, "\"/>\n<link href=\"");
    xml_esc(&c->out, base);
    zf_buf_printf(&c->out, "/publications\"/>\n<updated>%s</updated>\n", when);
    zf_buf_puts(&c->out, zf_buf_str(&entries));
    zf_buf_puts(&c->out, "</feed>\n");
    zf_buf_free(&entries);
    c->status = 200;
    c->content_type = "application/atom+xml; charset=utf-8";
    return 0;
}

static int feed_atom(zf_ctx *c)
{
    return feed(c, 1);
}

static int feed_json(zf_ctx *c)
{
    return feed(c, 0);
}

const zf_route zf_portal_publication_routes[] = {
    {"GET", "/publications", list_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {"GET", "/publications/{id}", detail_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {"GET", "/feeds/publications.atom", feed_atom, ZF_PUBLIC, 0, NULL, 0, NULL},
    {"GET", "/feeds/publications.json", feed_json, ZF_PUBLIC, 0, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
