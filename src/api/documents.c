/* documents.c — the document API beyond saving and finalizing (issue 5):
 *
 *   GET  /api/v1/document-templates                     the templates (code, name, group)
 *   GET  /api/v1/document-templates/{code}              one template's field schema, for forms
 *   GET  /api/v1/cases/{id}/documents/{doc_id}/pdf      print-ready PDF (草稿 across a draft)
 *   GET  /api/v1/cases/{id}/documents/{doc_id}/html     the same as an HTML page
 *   GET  /api/v1/cases/{id}/documents/{doc_id}/verification  its verification code
 *   GET  /api/v1/cases/{id}/documents/{doc_id}/signatures    signatures and seal
 *   POST /api/v1/cases/{id}/documents/{doc_id}/signatures    a handwritten signature
 *   POST /api/v1/cases/{id}/documents/{doc_id}/seal          the department's electronic seal
 *   GET  /api/v1/verify/document/{code}                 public: hash, ledger proof, seal
 *
 * Reading a document is reading its case: the department's staff and the
 * Justice Bureau's supervisors, and a restricted case needs a reason and is
 * recorded (zf_api_case_read, the check of api/cases.c). Signatures are
 * captured by the officers, reviewers and heads of the case's department;
 * the seal is applied by the department's head. Both only on final
 * documents, each one ledger event (store/doc_store.h).
 *
 * The printed verification code and QR code point at the portal page
 * {portal_base_url}/verify/document/{code} (web/portal_verify.c), which shows
 * what zf_document_verify_json builds. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/doctpl.h"
#include "core/workflow.h"
#include "ledger/checkpoint.h"
#include "ledger/sm3.h"
#include "render/html.h"
#include "render/pdf.h"
#include "store/case_store.h"
#include "store/doc_store.h"
#include "store/ledger_store.h"
#include "store/settings.h"
#include "util/mem.h"

#define STAFF ZF_ROLES_DEPT_STAFF
#define READERS (STAFF | ZF_ROLE_SUPERVISOR)
#define ACTORS (ZF_ROLE_OFFICER | ZF_ROLE_REVIEWER | ZF_ROLE_HEAD)
#define BASE_DEFAULT "http://127.0.0.1:8080"
#define DATA_URL_PREFIX "data:image/png;base64,"
/* base64 of ZF_DOC_SIG_MAX_PNG bytes and the prefix, with room to spare */
#define IMAGE_MAX_CHARS 280000

/* ---- helpers -------------------------------------------------------------------- */

static zf_case_actor actor_of(zf_ctx *c)
{
    zf_case_actor a = {c->who->user_id, c->who->username, c->who->role, c->who->department_id,
                       c->ip, c->request_id};
    return a;
}

static int64_t resolve_case(zf_ctx *c)
{
    zf_stmt *st = NULL;
    int64_t id, dept = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, c->db, "SELECT department_id FROM cases WHERE id = $1", &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, &c->err)) == 1)
        dept = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    if (!dept)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该案件");
    return dept;
}

/* "YYYY-MM-DD HH:MM" in China (UTC+8, no daylight saving). */
static void cn_time(char out[20], int64_t t)
{
    time_t x = (time_t)(t + 8 * 3600);
    struct tm tm;

    gmtime_r(&x, &tm);
    strftime(out, 20, "%Y-%m-%d %H:%M", &tm);
}

static const char *base_url(const zf_ctx *c)
{
    const char *b = zf_settings_get(c->settings, "portal_base_url", NULL);

    if (!b || !*b)
        b = zf_settings_get(c->settings, "portal_url", NULL);
    return b && *b ? b : BASE_DEFAULT;
}

static void verify_url(zf_buf *out, const zf_ctx *c, const char *code)
{
    const char *b = base_url(c);
    size_t n = strlen(b);

    while (n > 0 && b[n - 1] == '/')
        n--;
    zf_buf_append(out, b, n);
    zf_buf_printf(out, "/verify/document/%s", code);
}

static int dept_name(char *out, size_t cap, zf_ctx *c, int64_t dept)
{
    zf_stmt *st = NULL;
    int rc;

    out[0] = '\0';
    if ((rc = zf_db_prepare(&st, c->db, "SELECT name FROM departments WHERE id = $1", &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, dept);
    if ((rc = zf_stmt_step(st, &c->err)) == 1)
        snprintf(out, cap, "%s", zf_stmt_text(st, 0));
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* Path ids, then the case read check (secrecy label, reason, audit), then
 * the document. */
static int load_doc_of(zf_case_doc *d, zf_ctx *c, int64_t id, int64_t doc_id, const char *what)
{
    zf_case *k = zf_malloc(sizeof *k);
    int rc;

    memset(d, 0, sizeof *d);
    if ((rc = zf_api_case_read(k, c, id, what)) == 0)
        rc = zf_case_doc_get(d, c->db, id, doc_id, &c->err);
    free(k);
    return rc;
}

static int load_doc(zf_case_doc *d, int64_t *out_case, zf_ctx *c, const char *what)
{
    zf_case *k = zf_malloc(sizeof *k);
    int64_t id, doc_id;
    int rc;

    memset(d, 0, sizeof *d);
    if ((rc = zf_ctx_param_id(c, 0, &id)) == 0 && (rc = zf_ctx_param_id(c, 1, &doc_id)) == 0 &&
        (rc = zf_api_case_read(k, c, id, what)) == 0)
        rc = zf_case_doc_get(d, c->db, id, doc_id, &c->err);
    free(k);
    *out_case = id;
    return rc;
}

/* ---- templates ------------------------------------------------------------------- */

static const char *type_code(zf_field_type t)
{
    switch (t) {
    case ZF_FT_TEXT: return "text";
    case ZF_FT_LONGTEXT: return "longtext";
    case ZF_FT_DATE: return "date";
    case ZF_FT_DATETIME: return "datetime";
    case ZF_FT_MONEY: return "money";
    case ZF_FT_INT: return "integer";
    case ZF_FT_ENUM: return "enum";
    case ZF_FT_PARTY: return "party";
    case ZF_FT_OFFICERS: return "officers";
    case ZF_FT_LAWREFS: return "law_refs";
    case ZF_FT_SIGNATURES: return "signatures";
    case ZF_FT_ROWS: return "rows";
    case ZF_FT_DOCNO: return "doc_no";
    }
    return "text";
}

static const char *group_name(const char *g)
{
    if (strcmp(g, "penalty") == 0)
        return "行政处罚";
    if (strcmp(g, "license") == 0)
        return "行政许可";
    if (strcmp(g, "archive") == 0)
        return "归档";
    if (strcmp(g, "review") == 0)
        return "法制审核";
    return g;
}

static json_t *options_json(const char *const *o)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; o && o[i]; i++)
        json_array_append_new(a, json_string(o[i]));
    return a;
}

/* One field as the console's form generator reads it (docs/openapi.yaml
 * DocumentField): every member is present; what does not apply is null. */
static json_t *field_json(const zf_doc_field *f, const char *const *sig_roles)
{
    json_t *o = json_object(), *items = json_null();
    const zf_doc_field *members = NULL;
    size_t n = 0, i;
    int max = zf_doctpl_field_max(f);
    int list = f->type == ZF_FT_OFFICERS || f->type == ZF_FT_LAWREFS ||
               f->type == ZF_FT_SIGNATURES || f->type == ZF_FT_ROWS;

    json_object_set_new(o, "key", json_string(f->key));
    json_object_set_new(o, "label", json_string(f->label));
    json_object_set_new(o, "type", json_string(type_code(f->type)));
    json_object_set_new(o, "required", json_boolean(f->flags & ZF_FIELD_REQUIRED));
    json_object_set_new(o, "derived", json_boolean(f->flags & ZF_FIELD_DERIVED));
    json_object_set_new(o, "printed", json_boolean(!(f->flags & ZF_FIELD_NOPRINT)));
    json_object_set_new(o, "max_length", !list && max ? json_integer(max) : json_null());
    json_object_set_new(o, "min_items", list ? json_integer(f->min) : json_null());
    json_object_set_new(o, "max_items", list ? json_integer(max) : json_null());
    json_object_set_new(o, "minimum", f->type == ZF_FT_INT && (f->min || f->max) ? json_integer(f->min)
                                                                              : json_null());
    json_object_set_new(o, "maximum", f->type == ZF_FT_INT && (f->min || f->max) ? json_integer(f->max)
                                                                              : json_null());
    if (sig_roles)
        json_object_set_new(o, "options", options_json(sig_roles));
    else if (f->type == ZF_FT_ENUM || f->type == ZF_FT_SIGNATURES)
        /* the signature slots, for a signatures field */
        json_object_set_new(o, "options", options_json(f->options));
    else
        json_object_set_new(o, "options", json_null());
    if (f->type == ZF_FT_ROWS)
        members = f->columns, n = f->column_count;
    else
        members = zf_doctpl_item_fields(f->type, &n);
    if (members) {
        items = json_array();
        for (i = 0; i < n; i++)
            /* a signature's role: one of this field's slots */
            json_array_append_new(items, field_json(&members[i], f->type == ZF_FT_SIGNATURES &&
                                                                      strcmp(members[i].key, "role") == 0
                                                                  ? f->options
                                                                  : NULL));
    }
    json_object_set_new(o, "members", items);
    return o;
}

static const char *check_code(zf_check_kind k)
{
    switch (k) {
    case ZF_CHK_ORDER: return "order";
    case ZF_CHK_BEFORE: return "before";
    case ZF_CHK_DAYS_BEFORE: return "days_before";
    case ZF_CHK_SPAN_DAYS: return "span_days";
    case ZF_CHK_MONEY_RANGE: return "money_range";
    case ZF_CHK_ONSITE_LIMIT: return "onsite_limit";
    }
    return "order";
}

static json_t *template_summary(const zf_doctpl *t)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "code", t->code, "name", t->name, "group",
                     t->group, "group_name", group_name(t->group), "layout",
                     t->layout == ZF_LAYOUT_LETTER ? "letter" : "form", "numbered",
                     t->docno_kind != NULL);
}

static int h_templates(zf_ctx *c)
{
    json_t *items = json_array();
    size_t i;

    for (i = 0; i < zf_doctpl_count(); i++)
        json_array_append_new(items, template_summary(zf_doctpl_at(i)));
    return zf_ctx_json(c, 200, json_pack("{s:o, s:I}", "items", items, "total",
                                         (json_int_t)zf_doctpl_count()));
}

static int h_template(zf_ctx *c)
{
    const char *code = c->nparams > 0 ? c->params[0] : NULL;
    const zf_doctpl *t = code ? zf_doctpl_find(code) : NULL;
    json_t *o, *fields, *checks;
    size_t i;

    if (!t)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "没有该文书模板");
    o = template_summary(t);
    json_object_set_new(o, "docno_kind", t->docno_kind ? json_string(t->docno_kind) : json_null());
    fields = json_array();
    for (i = 0; i < t->field_count; i++)
        json_array_append_new(fields, field_json(&t->fields[i], NULL));
    checks = json_array();
    for (i = 0; i < t->check_count; i++) {
        const zf_doc_check *k = &t->checks[i];

        json_array_append_new(checks, json_pack("{s:s, s:s, s:o, s:o, s:o}", "kind", check_code(k->kind),
                                                "a", k->a, "b", k->b ? json_string(k->b) : json_null(),
                                                "c", k->c ? json_string(k->c) : json_null(), "n",
                                                k->n ? json_integer(k->n) : json_null()));
    }
    json_object_set_new(o, "fields", fields);
    json_object_set_new(o, "checks", checks);
    return zf_ctx_json(c, 200, o);
}

/* ---- rendering ------------------------------------------------------------------------ */

static int render_doc(zf_ctx *c, int64_t id, int64_t doc_id, int pdf);

static int render(zf_ctx *c, int pdf)
{
    int64_t id, doc_id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_ctx_param_id(c, 1, &doc_id)) < 0)
        return rc;
    return render_doc(c, id, doc_id, pdf);
}

int zf_api_document_render(zf_ctx *c, int64_t case_id, int64_t doc_id, int pdf)
{
    return render_doc(c, case_id, doc_id, pdf);
}

static int render_doc(zf_ctx *c, int64_t id, int64_t doc_id, int pdf)
{
    zf_case_doc d;
    zf_doc_verify v;
    zf_doc_seal seal;
    zf_doc_sig *sigs = NULL;
    zf_render_sig *rs = NULL;
    char (*times)[20] = NULL;
    zf_render_opts o = ZF_RENDER_OPTS_INIT;
    zf_render_seal rseal;
    const zf_doctpl *tpl;
    char authority[301], name[96];
    int64_t case_id = 0;
    size_t nsigs = 0, i;
    int rc, pages = 0;

    memset(&seal, 0, sizeof seal);
    if ((rc = load_doc_of(&d, c, id, doc_id, pdf ? "document_pdf" : "document_html")) < 0)
        goto done;
    case_id = id;
    if (!(tpl = zf_doctpl_find(d.template_code))) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "no_template", NULL,
                        "“%s”是上传的扫描件，没有文书模板可供生成，请下载其扫描件",
                        zf_workflow_doc_name(d.template_code));
        goto done;
    }
    if ((rc = dept_name(authority, sizeof authority, c, d.department_id)) < 0)
        goto done;
    o.authority = authority;
    if (strcmp(d.status, "final") == 0) {
        if ((rc = zf_doc_verify_ensure(&v, c->db, case_id, d.id, c->now, &c->err)) < 0)
            goto done;
        o.verify_code = v.code;
        o.verify_base = base_url(c);
        zf_ctx_header(c, "X-Verify-Code", v.code);
        if ((rc = zf_doc_sigs(&sigs, &nsigs, c->db, d.id, &c->err)) < 0)
            goto done;
        if (nsigs > ZF_RENDER_MAX_SIGS)
            nsigs = ZF_RENDER_MAX_SIGS;
        rs = zf_calloc(nsigs ? nsigs : 1, sizeof *rs);
        times = zf_calloc(nsigs ? nsigs : 1, sizeof *times);
        for (i = 0; i < nsigs; i++) {
            cn_time(times[i], sigs[i].signed_at);
            rs[i].role = sigs[i].role;
            rs[i].name = sigs[i].name;
            rs[i].signed_at = times[i];
            rs[i].png = sigs[i].image;
            rs[i].png_len = sigs[i].image_len;
        }
        o.sigs = rs;
        o.nsigs = nsigs;
        if ((rc = zf_doc_seal_get(&seal, c->db, d.id, &c->err)) < 0)
            goto done;
        /* only a seal that verifies is printed */
        if (rc == 1 && zf_doc_seal_valid(&seal, d.content_sha256)) {
            rseal.department = authority;
            rseal.key_id = seal.key_id;
            o.seal = &rseal;
        }
    } else {
        o.draft = 1;
    }
    zf_buf_reset(&c->out);
    if (pdf) {
        rc = zf_render_pdf(&c->out, &pages, tpl, d.fields, &o, &c->err);
        c->content_type = "application/pdf";
        snprintf(name, sizeof name, "inline; filename=\"document-%lld.pdf\"", (long long)d.id);
    } else {
        rc = zf_render_html(&c->out, tpl, d.fields, &o, 0, &c->err);
        c->content_type = "text/html; charset=utf-8";
        snprintf(name, sizeof name, "inline; filename=\"document-%lld.html\"", (long long)d.id);
    }
    if (rc < 0) {
        /* what was saved passed validation: a failure here is ours */
        if (rc == ZF_EINVAL)
            rc = zf_err_set(&c->err, ZF_EINTERNAL, "render_failed", NULL, "无法生成文书：%s",
                            c->err.message);
        c->content_type = NULL;
        goto done;
    }
    zf_ctx_header(c, "Content-Disposition", name);
    zf_ctx_header(c, "Cache-Control", "no-store");
    if (pdf) {
        char n[16];

        snprintf(n, sizeof n, "%d", pages);
        zf_ctx_header(c, "X-Page-Count", n);
    }
    c->status = 200;
done:
    zf_case_doc_clear(&d);
    zf_doc_sigs_free(sigs, nsigs);
    zf_doc_seal_clear(&seal);
    free(rs);
    free(times);
    return rc;
}

static int h_pdf(zf_ctx *c)
{
    return render(c, 1);
}

static int h_html(zf_ctx *c)
{
    return render(c, 0);
}

static int h_verification(zf_ctx *c)
{
    zf_case_doc d;
    zf_doc_verify v;
    zf_buf url = ZF_BUF_INIT;
    int64_t case_id;
    int rc;

    if ((rc = load_doc(&d, &case_id, c, "document_verification")) < 0 ||
        (rc = zf_doc_verify_ensure(&v, c->db, case_id, d.id, c->now, &c->err)) < 0)
        goto done;
    verify_url(&url, c, v.code);
    rc = zf_ctx_json(c, 200, json_pack("{s:s, s:s, s:s, s:o}", "code", v.code, "url", zf_buf_str(&url),
                                       "content_sha256", v.content_sha256, "leaf_index",
                                       v.leaf_index >= 0 ? json_integer(v.leaf_index) : json_null()));
done:
    zf_case_doc_clear(&d);
    zf_buf_free(&url);
    return rc;
}

/* ---- signatures and seal ------------------------------------------------------------- */

static const char *kind_name(const char *k)
{
    if (strcmp(k, "officer") == 0)
        return "执法人员";
    if (strcmp(k, "party") == 0)
        return "当事人";
    if (strcmp(k, "reviewer") == 0)
        return "法制审核人员";
    return "见证人";
}

static json_t *sig_json(const zf_doc_sig *g, int with_image)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:I, s:I}", "id", (json_int_t)g->id,
                          "signer_kind", g->signer_kind, "signer_kind_name", kind_name(g->signer_kind),
                          "role", g->role, "name", g->name, "image_sha256", g->image_sha256,
                          "document_sha256", g->document_sha256, "width", g->width, "height", g->height,
                          "signed_at", (json_int_t)g->signed_at, "created_by", (json_int_t)g->created_by);

    json_object_set_new(o, "officer_id", g->officer_id ? json_integer(g->officer_id) : json_null());
    if (with_image) {
        zf_buf b = ZF_BUF_INIT;

        zf_buf_puts(&b, DATA_URL_PREFIX);
        zf_base64_encode(&b, g->image, g->image_len);
        json_object_set_new(o, "image", json_string(zf_buf_str(&b)));
        zf_buf_free(&b);
    }
    return o;
}

static json_t *seal_json(const zf_doc_seal *s, const char *current_sha256)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b}", "key_id", s->key_id, "algorithm",
                     s->algorithm, "content_sha256", s->content_sha256, "signature", s->signature,
                     "public_key", s->public_key ? s->public_key : "", "sealed_by",
                     (json_int_t)s->sealed_by, "sealed_at", (json_int_t)s->sealed_at, "valid",
                     zf_doc_seal_valid(s, current_sha256));
}

static int h_sig_list(zf_ctx *c)
{
    zf_case_doc d;
    zf_doc_sig *sigs = NULL;
    zf_doc_seal seal;
    size_t n = 0, i;
    int64_t case_id;
    json_t *items;
    int rc;

    memset(&seal, 0, sizeof seal);
    if ((rc = load_doc(&d, &case_id, c, "document_signatures")) < 0 ||
        (rc = zf_doc_sigs(&sigs, &n, c->db, d.id, &c->err)) < 0 ||
        (rc = zf_doc_seal_get(&seal, c->db, d.id, &c->err)) < 0)
        goto done;
    items = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(items, sig_json(&sigs[i], 1));
    rc = zf_ctx_json(c, 200, json_pack("{s:o, s:o}", "items", items, "seal",
                                       rc == 1 ? seal_json(&seal, d.content_sha256) : json_null()));
done:
    zf_case_doc_clear(&d);
    zf_doc_sigs_free(sigs, n);
    zf_doc_seal_clear(&seal);
    return rc;
}

static const zf_json_field SIG_SPEC[] = {
    {"signer_kind", ZF_JT_STRING, 1, 12, "签名人类别"},
    {"role", ZF_JT_STRING, 0, ZF_DOC_SIG_ROLE_MAX, "签名栏"},
    {"name", ZF_JT_STRING, 0, ZF_DOC_SIG_NAME_MAX, "签名人姓名"},
    {"officer_id", ZF_JT_INT, 0, 0, "执法人员"},
    {"image", ZF_JT_STRING, 1, IMAGE_MAX_CHARS, "签名图像"},
    {NULL, 0, 0, 0, NULL},
};

int zf_api_signature_png(unsigned char **out, size_t *out_len, int *out_w, int *out_h, zf_ctx *c,
                         const char *img)
{
    size_t pre = sizeof DATA_URL_PREFIX - 1, len = 0;
    unsigned char *png = NULL;
    int rc;

    *out = NULL;
    *out_len = 0;
    if (!img || strncmp(img, DATA_URL_PREFIX, pre) != 0)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "image",
                          "签名图像应为 PNG 图片的 data URL（data:image/png;base64,…）");
    png = zf_malloc((strlen(img) - pre) / 4 * 3 + 4);
    if (zf_base64_decode(png, &len, img + pre, strlen(img) - pre) < 0) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "image", "签名图像的 base64 编码无效");
        goto fail;
    }
    if (len > ZF_DOC_SIG_MAX_PNG) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "image",
                        "签名图像不能超过 200 KB（现有 %zu 字节）", len);
        goto fail;
    }
    if ((rc = zf_render_png_check(out_w, out_h, png, len, &c->err)) < 0) {
        snprintf(c->err.field, sizeof c->err.field, "image");
        goto fail;
    }
    *out = png;
    *out_len = len;
    return 0;
fail:
    free(png);
    return rc;
}

static int h_sig_add(zf_ctx *c)
{
    json_t *in = NULL;
    zf_case_actor who = actor_of(c);
    zf_doc_sig_new s = {0};
    zf_doc_sig *sigs = NULL;
    unsigned char *png = NULL;
    const char *img;
    size_t n = 0, len = 0, i;
    int64_t id, doc_id, sig_id = 0;
    int rc;

    /* the body first: a malformed request is 400 whatever it names */
    if ((rc = zf_json_decode(&in, c->body, c->body_len, SIG_SPEC, &c->err)) < 0 ||
        (rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_ctx_param_id(c, 1, &doc_id)) < 0)
        goto done;
    img = json_string_value(json_object_get(in, "image"));
    if ((rc = zf_api_signature_png(&png, &len, &s.width, &s.height, c, img)) < 0)
        goto done;
    s.signer_kind = json_string_value(json_object_get(in, "signer_kind"));
    s.role = json_string_value(json_object_get(in, "role"));
    s.name = json_string_value(json_object_get(in, "name"));
    s.officer_id = json_integer_value(json_object_get(in, "officer_id"));
    if (json_object_get(in, "officer_id") && s.officer_id <= 0) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "officer_id", "执法人员编号应为正整数");
        goto done;
    }
    s.png = png;
    s.png_len = len;
    if ((rc = zf_doc_sig_add(&sig_id, c->db, id, doc_id, &s, &who, c->now, &c->err)) < 0 ||
        (rc = zf_doc_sigs(&sigs, &n, c->db, doc_id, &c->err)) < 0)
        goto done;
    for (i = 0; i < n && sigs[i].id != sig_id; i++)
        ;
    if (i == n) {
        rc = zf_err_set(&c->err, ZF_EINTERNAL, NULL, NULL, "签名已保存，但无法读回");
        goto done;
    }
    rc = zf_ctx_json(c, 201, sig_json(&sigs[i], 1));
done:
    json_decref(in);
    free(png);
    zf_doc_sigs_free(sigs, n);
    return rc;
}

static int h_seal(zf_ctx *c)
{
    static const zf_json_field none[] = {{NULL, 0, 0, 0, NULL}};
    zf_case_actor who = actor_of(c);
    zf_doc_seal seal;
    zf_case_doc d = {0};
    json_t *in = NULL;
    int64_t id, doc_id;
    int rc;

    memset(&seal, 0, sizeof seal);
    if ((c->body_len && (rc = zf_json_decode(&in, c->body, c->body_len, none, &c->err)) < 0) ||
        (rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_ctx_param_id(c, 1, &doc_id)) < 0 ||
        (rc = zf_doc_seal_add(&seal, c->db, c->data_dir, id, doc_id, &who, c->now, &c->err)) < 0 ||
        (rc = zf_case_doc_get(&d, c->db, id, doc_id, &c->err)) < 0)
        goto done;
    rc = zf_ctx_json(c, 201, seal_json(&seal, d.content_sha256));
done:
    json_decref(in);
    zf_case_doc_clear(&d);
    zf_doc_seal_clear(&seal);
    return rc;
}

/* ---- public verification ---------------------------------------------------------------- */

static json_t *hex_array(const zf_hash *h, size_t n)
{
    json_t *a = json_array();
    char hex[ZF_HASH_HEXLEN + 1];
    size_t i;

    for (i = 0; i < n; i++) {
        zf_hex_encode(hex, h[i].b, ZF_HASH_LEN);
        json_array_append_new(a, json_string(hex));
    }
    return a;
}

/* The ledger part: the finalize event, its leaf hash, and its inclusion
 * proof against the newest signed checkpoint (or pending when that
 * checkpoint is older than the event). */
static int ledger_json(json_t **out, zf_ctx *c, int64_t leaf)
{
    zf_ledger_checkpoint_row cp;
    zf_hash proof[ZF_MERKLE_MAX_PROOF];
    size_t n = 0;
    json_t *o = json_object(), *ev = NULL;
    int rc, have = 0;

    *out = NULL;
    memset(&cp, 0, sizeof cp);
    {
        /* the event as hashed, rebuilt from its row */
        zf_buf canon = ZF_BUF_INIT;
        zf_hash lh;
        char lhex[ZF_HASH_HEXLEN + 1];
        rc = zf_ledger_leaf(&canon, &lh, c->db, (uint64_t)leaf, &c->err);
        if (rc == 0) {
            zf_hash_to_hex(lhex, &lh);
            ev = json_loads(zf_buf_str(&canon), 0, NULL);
            json_object_set_new(o, "event_canonical", json_string(zf_buf_str(&canon)));
            json_object_set_new(o, "leaf_hash", json_string(lhex));
        }
        zf_buf_free(&canon);
        if (rc == ZF_ENOTFOUND)
            rc = 0; /* reported below as the missing event */
        if (rc < 0)
            goto fail;
    }
    if (!ev) {
        rc = zf_err_set(&c->err, ZF_EINTERNAL, "ledger_event_missing", NULL, "台账中缺少该文书的定稿记录");
        goto fail;
    }
    json_object_set_new(o, "leaf_index", json_integer(leaf));
    json_object_set_new(o, "event", ev);
    if ((have = zf_ledger_checkpoint_latest(&cp, c->db, &c->err)) < 0) {
        rc = have;
        goto fail;
    }
    if (have && cp.tree_size > (uint64_t)leaf) {
        if ((rc = zf_ledger_inclusion(proof, &n, c->db, (uint64_t)leaf, cp.tree_size, &c->err)) < 0)
            goto fail;
        json_object_set_new(o, "included", json_true());
        json_object_set_new(o, "tree_size", json_integer((json_int_t)cp.tree_size));
        json_object_set_new(o, "root_hash", json_string(cp.root_hex));
        json_object_set_new(o, "audit_path", hex_array(proof, n));
    } else {
        json_object_set_new(o, "included", json_false());
        json_object_set_new(o, "tree_size", json_null());
        json_object_set_new(o, "root_hash", json_null());
        json_object_set_new(o, "audit_path", json_null());
    }
    json_object_set_new(o, "checkpoint",
                        have ? json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "tree_size",
                                         (json_int_t)cp.tree_size, "root_hash", cp.root_hex, "timestamp",
                                         cp.timestamp, "note", cp.note ? cp.note : "", "signature",
                                         cp.signature ? cp.signature : "", "key_id", cp.key_id,
                                         "algorithm", cp.algorithm)
                             : json_null());
    if (have)
        zf_ledger_checkpoint_row_free(&cp);
    *out = o;
    return 0;
fail:
    if (have > 0)
        zf_ledger_checkpoint_row_free(&cp);
    json_decref(o);
    return rc;
}

int zf_document_verify_json(json_t **out, zf_ctx *c, const char *code)
{
    zf_doc_verify v;
    zf_doc_sig *sigs = NULL;
    zf_doc_seal seal;
    zf_buf url = ZF_BUF_INIT;
    json_t *o = NULL, *doc, *ledger = NULL, *items;
    const zf_doctpl *tpl;
    char at[21];
    size_t n = 0, i;
    int rc;

    *out = NULL;
    memset(&seal, 0, sizeof seal);
    if ((rc = zf_doc_verify_find(&v, c->db, code, &c->err)) < 0)
        goto done;
    tpl = zf_doctpl_find(v.template_code);
    verify_url(&url, c, v.code);
    zf_ledger_rfc3339(at, v.finalized_at);
    /* what the document is, never who it concerns: no party, no content */
    doc = json_pack("{s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:b}", "template", v.template_code,
                    "template_name", tpl ? tpl->name : zf_workflow_doc_name(v.template_code), "doc_no",
                    v.doc_no[0] ? json_string(v.doc_no) : json_null(), "department", v.department_name,
                    "issue_date", v.issue_date[0] ? json_string(v.issue_date) : json_null(),
                    "finalized_at", at, "content_sha256", v.content_sha256, "unchanged",
                    strcmp(v.content_sha256, v.current_sha256) == 0);
    if (v.leaf_index >= 0 && (rc = ledger_json(&ledger, c, v.leaf_index)) < 0) {
        json_decref(doc);
        goto done;
    }
    if ((rc = zf_doc_sigs(&sigs, &n, c->db, v.document_id, &c->err)) < 0 ||
        (rc = zf_doc_seal_get(&seal, c->db, v.document_id, &c->err)) < 0) {
        json_decref(doc);
        json_decref(ledger);
        goto done;
    }
    items = json_array();
    for (i = 0; i < n; i++) {
        /* the slot and the time, not the signer's name: the page is public */
        zf_ledger_rfc3339(at, sigs[i].signed_at);
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s}", "signer_kind",
                                               sigs[i].signer_kind, "signer_kind_name",
                                               kind_name(sigs[i].signer_kind), "role", sigs[i].role,
                                               "signed_at", at, "image_sha256", sigs[i].image_sha256));
    }
    if (rc == 1) {
        json_t *so;

        zf_ledger_rfc3339(at, seal.sealed_at);
        so = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "department", v.department_name,
                       "key_id", seal.key_id, "algorithm", seal.algorithm, "content_sha256",
                       seal.content_sha256, "signature", seal.signature, "public_key",
                       seal.public_key ? seal.public_key : "", "sealed_at", at, "valid",
                       zf_doc_seal_valid(&seal, v.current_sha256));
        o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "code", v.code, "url", zf_buf_str(&url),
                      "document", doc, "ledger", ledger ? ledger : json_null(), "signatures", items,
                      "seal", so);
    } else {
        o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:n}", "code", v.code, "url", zf_buf_str(&url),
                      "document", doc, "ledger", ledger ? ledger : json_null(), "signatures", items,
                      "seal");
    }
    *out = o;
    rc = 0;
done:
    zf_doc_sigs_free(sigs, n);
    zf_doc_seal_clear(&seal);
    zf_buf_free(&url);
    return rc;
}

static int h_verify(zf_ctx *c)
{
    json_t *o = NULL;
    int rc;

    if ((rc = zf_document_verify_json(&o, c, c->nparams > 0 ? c->params[0] : "")) < 0)
        return rc;
    zf_ctx_header(c, "Cache-Control", "no-cache");
    return zf_ctx_json(c, 200, o);
}

/* ---- routes ---------------------------------------------------------------------------- */

const zf_route zf_document_routes[] = {
    {"GET", "/api/v1/document-templates", h_templates, ZF_ROLES_ALL, 0, NULL, 0, NULL},
    {"GET", "/api/v1/document-templates/{code}", h_template, ZF_ROLES_ALL, 0, NULL, 0, NULL},
    {"GET", "/api/v1/cases/{id}/documents/{doc_id}/pdf", h_pdf, READERS, STAFF, resolve_case, 0, NULL},
    {"GET", "/api/v1/cases/{id}/documents/{doc_id}/html", h_html, READERS, STAFF, resolve_case, 0, NULL},
    {"GET", "/api/v1/cases/{id}/documents/{doc_id}/verification", h_verification, READERS, STAFF,
     resolve_case, 0, NULL},
    {"GET", "/api/v1/cases/{id}/documents/{doc_id}/signatures", h_sig_list, READERS, STAFF,
     resolve_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/documents/{doc_id}/signatures", h_sig_add, ACTORS, ACTORS,
     resolve_case, 0, NULL},
    {"POST", "/api/v1/cases/{id}/documents/{doc_id}/seal", h_seal, ZF_ROLE_HEAD, ZF_ROLE_HEAD,
     resolve_case, 0, NULL},
    {"GET", "/api/v1/verify/document/{code}", h_verify, ZF_PUBLIC, 0, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
