/* search.c — GET /api/v1/search: one public search over everything the
 * portal publishes (issue 7). Decodes the query string, runs
 * zf_search_run (store/search_store.h) and encodes the page of hits.
 *
 * Public and cheap to serve: q is at most ZF_SEARCH_Q_MAX_CHARS characters,
 * a page at most ZF_SEARCH_PER_PAGE_MAX hits, and every query costs a bounded
 * number of index reads whatever it asks (see zf_search_run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "store/search_store.h"

/* A query parameter, NULL when absent or empty (an HTML form sends every
 * field, empty when not chosen). */
static const char *param(zf_ctx *c, const char *key)
{
    const char *v = zf_ctx_query(c, key);

    return v && *v ? v : NULL;
}

static int read_int(zf_ctx *c, const char *key, int64_t dflt, int64_t *out, const char *code,
                    const char *message)
{
    const char *s = param(c, key);
    int64_t v = 0;
    size_t i;

    *out = dflt;
    if (!s)
        return 0;
    for (i = 0; s[i]; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= 12)
            return zf_err_set(&c->err, ZF_EINVAL, code, key, "%s", message);
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int zf_search_params_read(zf_search_params *out, zf_ctx *c)
{
    zf_search_params p = ZF_SEARCH_PARAMS_INIT;
    int rc;

    p.q = zf_ctx_query(c, "q");
    p.kind = param(c, "kind");
    p.from = param(c, "from");
    p.to = param(c, "to");
    if ((rc = read_int(c, "department_id", 0, &p.department_id, "invalid_department_id",
                       "部门编号应为正整数")) < 0 ||
        (rc = read_int(c, "page", 1, &p.page, "invalid_page", "页码应为正整数")) < 0 ||
        (rc = read_int(c, "per_page", ZF_SEARCH_PER_PAGE_DEFAULT, &p.per_page, "invalid_per_page",
                       "每页条数应为正整数")) < 0)
        return rc;
    *out = p;
    return 0;
}

/* "共 12 条" or "约 12,000 条". */
void zf_search_total_text(char *out, size_t size, const zf_search_result *r)
{
    char digits[32], grouped[48];
    size_t n, i, j = 0;

    n = (size_t)snprintf(digits, sizeof digits, "%lld", (long long)r->total);
    for (i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            grouped[j++] = ',';
        grouped[j++] = digits[i];
    }
    grouped[j] = '\0';
    snprintf(out, size, "%s %s 条", r->exact ? "共" : "约", grouped);
}

static int search(zf_ctx *c)
{
    zf_search_params p;
    zf_search_result r = ZF_SEARCH_RESULT_INIT;
    json_t *o, *items;
    char text[64];
    size_t i;
    int rc;

    if ((rc = zf_search_params_read(&p, c)) < 0 || (rc = zf_search_run(&r, c->db, &p, &c->err)) < 0)
        return rc;
    items = json_array();
    for (i = 0; i < r.count; i++) {
        const zf_search_hit *h = &r.items[i];
        json_t *it = json_object();
        json_object_set_new(it, "kind", json_string(h->kind));
        json_object_set_new(it, "kind_name", json_string(zf_search_kind_name(h->kind)
                                                             ? zf_search_kind_name(h->kind)
                                                             : h->kind));
        json_object_set_new(it, "ref_id", json_integer(h->ref_id));
        json_object_set_new(it, "title", json_string(h->title));
        json_object_set_new(it, "title_html", json_string(h->title_html));
        json_object_set_new(it, "snippet_html", json_string(h->snippet_html));
        json_object_set_new(it, "department_id",
                            h->department_id ? json_integer(h->department_id) : json_null());
        json_object_set_new(it, "department", *h->department ? json_string(h->department) : json_null());
        json_object_set_new(it, "date", *h->date ? json_string(h->date) : json_null());
        json_object_set_new(it, "link", json_string(h->link));
        json_object_set_new(it, "score", json_real(h->score));
        json_array_append_new(items, it);
    }
    zf_search_total_text(text, sizeof text, &r);
    o = json_object();
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "total", json_integer(r.total));
    json_object_set_new(o, "total_exact", json_boolean(r.exact));
    json_object_set_new(o, "total_text", json_string(text));
    json_object_set_new(o, "page", json_integer(r.page));
    json_object_set_new(o, "per_page", json_integer(r.per_page));
    json_object_set_new(o, "has_more", json_boolean(r.has_more));
    zf_search_result_free(&r);
    return zf_ctx_json(c, 200, o);
}

const zf_route zf_search_routes[] = {
    {"GET", "/api/v1/search", search, ZF_PUBLIC, 0, NULL, 0},
    {NULL},
};
