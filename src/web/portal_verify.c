/* portal_verify.c — the public page /verify/document/{code} that the QR code
 * printed on every final document opens: what the document is (kind, 文号,
 * issuing department, date), its content SHA-256, its electronic seal
 * (valid or not) and handwritten signatures (slot and time only), and the
 * ledger inclusion proof of its finalize event against the newest signed
 * checkpoint, with plain-Chinese steps for checking it offline. Never a
 * party's personal data: the data is zf_document_verify_json's, which holds
 * none. An unknown code is the portal's 404 page.
 *
 * Like portal_ledger.c it keeps a template set of its own (layout_head,
 * layout_foot, verify_document), compiled once on first use. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "render/content.h"
#include "store/settings.h"
#include "util/embed.h"
#include "web/template.h"

#define SITE_NAME_DEFAULT "行政执法公示平台"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static zf_tpl_set *set;
static char css_href[64];
static zf_err init_err;

static uint32_t fnv1a(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;

    while (n--)
        h = (h ^ *p++) * 16777619u;
    return h;
}

static void init_templates(void)
{
    static const char *const names[] = {"layout_head", "layout_foot", "verify_document"};
    zf_tpl_set *s = zf_tpl_set_new();
    const zf_embedded_file *f;
    char path[128];
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
    f = zf_embed_find("web/static/portal.css");
    snprintf(css_href, sizeof css_href, "/static/portal.css?v=%08x", f ? (unsigned)fnv1a(f->data, f->len) : 0u);
    set = s;
    return;
fail:
    zf_tpl_set_free(s);
}

static int verify_page(zf_ctx *c)
{
    json_t *ctx = NULL, *site, *doc, *nav;
    const char *d;
    int rc;

    pthread_once(&once, init_templates);
    if (!set) {
        c->err = init_err;
        return init_err.rc ? init_err.rc : ZF_EINTERNAL;
    }
    if ((rc = zf_document_verify_json(&ctx, c, c->nparams > 0 ? c->params[0] : "")) < 0)
        return rc;
    doc = json_object_get(ctx, "document");
    if ((d = json_string_value(json_object_get(doc, "issue_date")))) {
        char human[64];

        zf_rdoc_human_date(human, sizeof human, d);
        json_object_set_new(doc, "issue_date_text", json_string(human));
    }
    json_object_set_new(ctx, "signature_count",
                        json_integer((json_int_t)json_array_size(json_object_get(ctx, "signatures"))));
    site = json_object();
    json_object_set_new(site, "name",
                        json_string(zf_settings_get(c->settings, "portal_title", SITE_NAME_DEFAULT)));
    json_object_set_new(ctx, "site", site);
    json_object_set_new(ctx, "title", json_string("执法文书核验"));
    json_object_set_new(ctx, "css", json_string(css_href));
    nav = json_object();
    json_object_set_new(nav, "verify", json_true());
    json_object_set_new(ctx, "nav", nav);
    zf_buf_reset(&c->out);
    rc = zf_tpl_set_render(&c->out, set, "verify_document", ctx, &c->err);
    json_decref(ctx);
    c->content_type = "text/html; charset=utf-8";
    if (rc == 0)
        zf_ctx_header(c, "Cache-Control", "no-cache");
    return rc;
}

const zf_route zf_portal_verify_routes[] = {
    {"GET", "/verify/document/{code}", verify_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {NULL},
};
