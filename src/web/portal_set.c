/* portal_set.c — see portal_set.h. */
#include "web/portal_set.h"

#include <stdint.h>
#include <stdio.h>

#include "util/embed.h"

/* FNV-1a: a short fingerprint of the stylesheet for cache-busting links. */
static uint32_t fingerprint(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;

    while (n--)
        h = (h ^ *p++) * 16777619u;
    return h;
}

static void compile(zf_portal_set *ps)
{
    static const char *const layout[] = {"layout_head", "layout_foot", NULL};
    const char *const *lists[] = {layout, ps->names};
    zf_tpl_set *s = zf_tpl_set_new();
    const zf_embedded_file *f;
    char path[128];
    size_t l, i;

    for (l = 0; l < 2; l++)
        for (i = 0; lists[l][i]; i++) {
            snprintf(path, sizeof path, "web/templates/%s.html", lists[l][i]);
            if (!(f = zf_embed_find(path))) {
                zf_err_set(&ps->err, ZF_EINTERNAL, "template_missing", NULL, "缺少门户模板 %s", path);
                goto fail;
            }
            if (zf_tpl_set_add(s, lists[l][i], (const char *)f->data, f->len, &ps->err) < 0)
                goto fail;
        }
    if (zf_tpl_set_check(s, &ps->err) < 0)
        goto fail;
    f = zf_embed_find("web/static/portal.css");
    snprintf(ps->css_href, sizeof ps->css_href, "/static/portal.css?v=%08x",
             f ? (unsigned)fingerprint(f->data, f->len) : 0u);
    ps->set = s;
    return;
fail:
    zf_tpl_set_free(s);
}

int zf_portal_set_get(const zf_tpl_set **out, const char **out_css, zf_portal_set *ps, zf_err *err)
{
    pthread_mutex_lock(&ps->lock);
    if (!ps->done) {
        compile(ps);
        ps->done = 1;
    }
    pthread_mutex_unlock(&ps->lock);
    *out = ps->set;
    *out_css = ps->css_href;
    if (!ps->set) {
        *err = ps->err;
        return ps->err.rc ? ps->err.rc : ZF_EINTERNAL;
    }
    return 0;
}
