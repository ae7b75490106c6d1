/* portal_verify.c — the public page /verify/document/{code} that the QR code
 * printed on every final document opens: what the document is (kind, 文号,
 * issuing department, date), its content SHA-256, its electronic seal
 * (valid or not) and handwritten signatures (slot and time only), and the
 * ledger inclusion proof of its finalize event against the newest signed
 * checkpoint, with plain-Chinese steps for checking it offline. Never a
 * party's personal data: the data is zf_document_verify_json's, which holds
 * none. An unknown code is the portal's 404 page.
 *
 * Like portal_ledger.c it keeps a template set of its own (web/tplset.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "render/content.h"
#include "web/tplset.h"

static const char *const template_names[] = {"layout_head", "layout_foot", "verify_document", NULL};
static zf_tplset_lazy templates = ZF_TPLSET_LAZY(template_names);

static int verify_page(zf_ctx *c)
{
    json_t *ctx = NULL, *doc, *nav;
    const char *d;
    int rc;

    if ((rc = zf_tplset_ready(&templates, c)) < 0)
        return rc;
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
    nav = json_object();
    json_object_set_new(nav, "verify", json_true());
    json_object_set_new(ctx, "nav", nav);
    return zf_tplset_page(&templates, c, "verify_document", "执法文书核验", ctx);
}

const zf_route zf_portal_verify_routes[] = {
    {"GET", "/verify/document/{code}", verify_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {NULL},
};
