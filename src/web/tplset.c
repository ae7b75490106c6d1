/* tplset.c — see tplset.h. */
#include "web/tplset.h"

#include <stdio.h>

#include "store/settings.h"
#include "util/embed.h"

#define SITE_NAME_DEFAULT "行政执法公示平台"

static uint32_t fnv1a(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;

    while (n--)
        h = (h ^ *p++) * 16777619u;
    return h;
}

static int compile(zf_tplset_lazy *l)
{
    zf_tpl_set *s = zf_tpl_set_new();
    const zf_embedded_file *f;
    char path[128];
    size_t i;

    for (i = 0; l->names[i]; i++) {
        snprintf(path, sizeof path, "web/templates/%s.html", l->names[i]);
        if (!(f = zf_embed_find(path))) {
            zf_err_set(&l->err, ZF_EINTERNAL, "template_missing", NULL, "缺少门户模板 %s", path);
            goto fail;
        }
        if (zf_tpl_set_add(s, l->names[i], (const char *)f->data, f->len, &l->err) < 0)
            goto fail;
    }
    if (zf_tpl_set_check(s, &l->err) < 0)
        goto fail;
    f = zf_embed_find("web/static/portal.css");
    snprintf(l->css_href, sizeof l->css_href, "/static/portal.css?v=%08x",
             f ? (unsigned)fnv1a(f->data, f->len) : 0u);
    if (l->extra_css) {
        snprintf(path, sizeof path, "web/static/%s", l->extra_css);
        f = zf_embed_find(path);
        snprintf(l->extra_css_href, sizeof l->extra_css_href, "/static/%s?v=%08x", l->extra_css,
                 f ? (unsigned)fnv1a(f->data, f->len) : 0u);
    }
    __atomic_store_n(&l->set, s, __ATOMIC_RELEASE);
    return 0;
fail:
    zf_tpl_set_free(s);
    return l->err.rc ? l->err.rc : ZF_EINTERNAL;
}

int zf_tplset_ready(zf_tplset_lazy *l, zf_ctx *c)
{
    int rc = 0;

    if (__atomic_load_n(&l->set, __ATOMIC_ACQUIRE))
        return 0;
    pthread_mutex_lock(&l->lock);
    if (!l->set && !l->err.rc)
        rc = compile(l);
    else if (!l->set)
        rc = l->err.rc;
    pthread_mutex_unlock(&l->lock);
    if (rc < 0)
        c->err = l->err;
    return rc;
}

int zf_tplset_page(zf_tplset_lazy *l, zf_ctx *c, const char *tpl, const char *title, json_t *ctx)
{
    json_t *site = json_object();
    int rc;

    json_object_set_new(site, "name",
                        json_string(zf_settings_get(c->settings, "portal_title", SITE_NAME_DEFAULT)));
    json_object_set_new(ctx, "site", site);
    json_object_set_new(ctx, "title", json_string(title ? title : ""));
    json_object_set_new(ctx, "css", json_string(l->css_href));
    if (l->extra_css)
        json_object_set_new(ctx, "extra_css", json_string(l->extra_css_href));
    zf_buf_reset(&c->out);
    rc = zf_tpl_set_render(&c->out, l->set, tpl, ctx, &c->err);
    json_decref(ctx);
    c->content_type = "text/html; charset=utf-8";
    if (rc == 0 && !zf_ctx_has_header(c, "Cache-Control")) /* a caller's stricter one stands */
        zf_ctx_header(c, "Cache-Control", "no-cache");
    return rc;
}
