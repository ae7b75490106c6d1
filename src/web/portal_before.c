/* portal_before.c — the public pages of 事前公开 and 事中公示 (issue 7):
 *
 *   /departments/{id}/matters              powers by type, each with its guide
 *   /departments/{id}/guides/{matter}      服务指南 + a flowchart of the procedure
 *   /departments/{id}/random-checks        随机抽查事项清单
 *   /departments/{id}/remedies             救济途径 and 监督方式
 *   /departments/{id}/posts                岗位信息 of the service windows
 *   /departments/{id}/posts/{item}/board   a printable 岗位信息公示牌 with a QR code
 *   /verify                                the certificate check form
 *   /verify/officer/{certificate}          photo, name, department, validity, categories
 *   /verify/officer/{certificate}/photo    the photo itself
 *   /verify/officer/{certificate}/card     a printable card with a QR code to the above
 *
 * Only published content (publicity_items.published_content) is ever read
 * here: a draft or a reviewed-but-unpublished correction never reaches the
 * public. Its own template set (web/tplset.h) has the layout partials, its
 * pages and a second stylesheet, publicity.css. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "store/settings.h"
#include "util/mem.h"
#include "web/svg.h"
#include "web/tplset.h"

#define HTML_TYPE "text/html; charset=utf-8"

static const char *const template_names[] = {
    "layout_head",     "layout_foot",  "before_nav",    "before_matters", "before_guide",
    "before_checks",   "before_remedies", "before_posts", "before_board", "verify",
    "verify_officer",  "verify_card",  NULL,
};
static zf_tplset_lazy templates = ZF_TPLSET_LAZY_CSS(template_names, "publicity.css");

/* ---- helpers ---- */

static void put_s(json_t *o, const char *k, const char *v)
{
    json_t *s = json_string(v ? v : "");
    json_object_set_new(o, k, s ? s : json_string(""));
}

static void put_i(json_t *o, const char *k, json_int_t v)
{
    json_object_set_new(o, k, json_integer(v));
}

/* ctx is stolen */
static int render(zf_ctx *c, const char *tpl, const char *title, json_t *ctx)
{
    int rc;

    if ((rc = zf_tplset_ready(&templates, c)) < 0) {
        json_decref(ctx);
        return rc;
    }
    return zf_tplset_page(&templates, c, tpl, title, ctx);
}

static void today_cn(char out[11], int64_t now)
{
    time_t t = (time_t)(now + 8 * 3600);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static void date_cn(json_t *o, const char *k, int64_t at)
{
    char d[11];

    today_cn(d, at);
    put_s(o, k, d);
}

static const char *power_type_name(const char *code)
{
    static const char *const names[][2] = {
        {"licensing", "行政许可"},  {"penalty", "行政处罚"},          {"coercion", "行政强制"},
        {"inspection", "行政检查"}, {"expropriation", "行政征收征用"}, {"other", "其他"},
    };
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], code) == 0)
            return names[i][1];
    return "其他";
}

/* Percent-encodes s for a URL path segment (UTF-8 bytes as %XX). */
static void url_segment(zf_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            strchr("-._~", ch))
            zf_buf_putc(b, (char)ch);
        else {
            zf_buf_putc(b, '%');
            zf_buf_putc(b, hex[ch >> 4]);
            zf_buf_putc(b, hex[ch & 15]);
        }
    }
}

/* The portal's absolute base URL for printed QR codes: the setting
 * portal_url when the locality set one, else scheme and Host of this
 * request (staff print from the real site). A Host with anything but host
 * characters falls back to a relative URL. */
static void base_url(zf_buf *b, zf_ctx *c)
{
    const char *set_url = zf_settings_get(c->settings, "portal_url", NULL);
    const char *host = zf_ctx_request_header(c, "Host");
    size_t n;

    if (set_url && *set_url) {
        n = strlen(set_url);
        while (n && set_url[n - 1] == '/')
            n--;
        zf_buf_append(b, set_url, n);
        return;
    }
    if (host && *host && strlen(host) < 256 &&
        strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == strlen(host))
        zf_buf_printf(b, "%s://%s", c->secure ? "https" : "http", host);
}

/* Published content of an item as an object (never NULL). */
static json_t *content_of(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);

    if (!json_is_object(v)) {
        json_decref(v);
        v = json_object();
    }
    return v;
}

static int load_dept(json_t **out, zf_ctx *c, int64_t *id)
{
    zf_stmt *st = NULL;
    int rc;

    *out = NULL;
    if (zf_ctx_param_id(c, 0, id) < 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "没有找到该执法部门");
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, name, address, postcode, phone, email, supervision_contact"
                            " FROM departments WHERE id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, *id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1) {
        json_t *d = json_object();
        put_i(d, "id", zf_stmt_int64(st, 0));
        put_s(d, "name", zf_stmt_text(st, 1));
        put_s(d, "address", zf_stmt_text(st, 2));
        put_s(d, "postcode", zf_stmt_text(st, 3));
        put_s(d, "phone", zf_stmt_text(st, 4));
        put_s(d, "email", zf_stmt_text(st, 5));
        put_s(d, "supervision_contact", zf_stmt_text(st, 6));
        *out = d;
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "没有找到该执法部门");
    }
    zf_stmt_free(st);
    return rc;
}

/* A page context with the department and the sub-navigation marked. */
static json_t *dept_ctx(json_t *dept, const char *current)
{
    json_t *ctx = json_object(), *nav = json_object();

    json_object_set_new(nav, current, json_true());
    json_object_set_new(ctx, "dept", dept);
    json_object_set_new(ctx, "sub", nav);
    return ctx;
}

/* Published items of one kind of a department, newest publication last,
 * each {"id", "version", "published", ...content}. */
static int load_published(json_t **out, zf_ctx *c, int64_t dept, const char *kind)
{
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, published_version, published_content, published_at, COALESCE(officer_id, 0)"
                            " FROM publicity_items WHERE department_id = $1 AND kind = $2"
                            " AND published_version IS NOT NULL ORDER BY id",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, dept);
    zf_stmt_bind_text(st, 2, kind, -1);
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        json_t *o = content_of(zf_stmt_text(st, 2));
        put_i(o, "id", zf_stmt_int64(st, 0));
        put_i(o, "version", zf_stmt_int64(st, 1));
        date_cn(o, "published", zf_stmt_int64(st, 3));
        put_i(o, "officer_id", zf_stmt_int64(st, 4));
        json_array_append_new(items, o);
    }
done:
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

/* ---- /departments/{id}/matters ---- */

static int matters_page(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *dept = NULL, *groups = json_array(), *group = NULL, *ctx;
    char current[32] = "";
    int64_t id, total = 0;
    int rc;

    if ((rc = load_dept(&dept, c, &id)) < 0)
        goto fail;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT m.id, m.code, m.name, m.power_type, m.procedure,"
                            " EXISTS (SELECT 1 FROM publicity_items g WHERE g.kind = 'guide'"
                            " AND g.matter_id = m.id AND g.published_version IS NOT NULL)"
                            " FROM matters m WHERE m.department_id = $1"
                            " ORDER BY CASE m.power_type WHEN 'licensing' THEN 1 WHEN 'penalty' THEN 2"
                            " WHEN 'coercion' THEN 3 WHEN 'inspection' THEN 4 WHEN 'expropriation' THEN 5"
                            " ELSE 6 END, m.code",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, id);
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        const char *pt = zf_stmt_text(st, 3);
        const zf_wf_procedure *p = zf_svg_matter_procedure(zf_stmt_text(st, 4), pt);
        json_t *m = json_object();
        if (!group || strcmp(pt, current) != 0) {
            snprintf(current, sizeof current, "%s", pt);
            group = json_object();
            put_s(group, "code", pt);
            put_s(group, "name", power_type_name(pt));
            json_object_set_new(group, "matters", json_array());
            json_array_append_new(groups, group);
        }
        put_i(m, "id", zf_stmt_int64(st, 0));
        put_s(m, "code", zf_stmt_text(st, 1));
        put_s(m, "name", zf_stmt_text(st, 2));
        put_s(m, "procedure", p ? p->name : "");
        json_object_set_new(m, "has_guide", json_boolean(zf_stmt_int64(st, 5)));
        json_array_append_new(json_object_get(group, "matters"), m);
        total++;
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    ctx = dept_ctx(dept, "matters");
    dept = NULL;
    put_i(ctx, "total", total);
    json_object_set_new(ctx, "groups", groups);
    return render(c, "before_matters", "执法事项与服务指南", ctx);
fail:
    zf_stmt_free(st);
    json_decref(dept);
    json_decref(groups);
    return rc;
}

/* ---- /departments/{id}/guides/{matter} ---- */

static int guide_page(zf_ctx *c)
{
    static const char *const fields[][2] = {
        {"name", "事项名称"},         {"basis", "设定依据"},        {"accepting_body", "受理机构"},
        {"approving_body", "审批机构"}, {"conditions", "受理条件"},   {"materials", "申请材料"},
        {"process", "办理流程"},      {"time_limit", "办理时限"},   {"supervision", "监督方式"},
        {"remedies", "救济渠道"},     {"office_hours", "办公时间"}, {"address", "办公地址"},
        {"phone", "办公电话"},
    };
    zf_stmt *st = NULL;
    json_t *dept = NULL, *ctx = NULL, *matter = json_object(), *steps = NULL;
    zf_buf svg = ZF_BUF_INIT;
    const zf_wf_procedure *p;
    int64_t id, mid;
    char title[300];
    int rc;
    size_t i;

    if ((rc = load_dept(&dept, c, &id)) < 0)
        goto done;
    if (zf_ctx_param_id(c, 1, &mid) < 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "没有找到该执法事项");
        goto done;
    }
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT m.code, m.name, m.power_type, m.procedure, g.published_content,"
                            " g.published_version, g.published_at"
                            " FROM matters m LEFT JOIN publicity_items g ON g.kind = 'guide' AND g.matter_id = m.id"
                            " AND g.published_version IS NOT NULL WHERE m.id = $1 AND m.department_id = $2",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, mid);
    zf_stmt_bind_int64(st, 2, id);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto done;
    if (rc == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "该部门没有这项执法事项");
        goto done;
    }
    put_i(matter, "id", mid);
    put_s(matter, "code", zf_stmt_text(st, 0));
    put_s(matter, "name", zf_stmt_text(st, 1));
    put_s(matter, "power_type", power_type_name(zf_stmt_text(st, 2)));
    p = zf_svg_matter_procedure(zf_stmt_text(st, 3), zf_stmt_text(st, 2));
    if (!zf_stmt_is_null(st, 4)) {
        json_t *content = content_of(zf_stmt_text(st, 4)), *rows = json_array(), *guide = json_object();
        for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
            const char *v = json_string_value(json_object_get(content, fields[i][0]));
            json_t *r = json_object();
            put_s(r, "key", fields[i][0]);
            put_s(r, "label", fields[i][1]);
            put_s(r, "value", v ? v : "");
            json_array_append_new(rows, r);
        }
        json_object_set_new(guide, "rows", rows);
        put_i(guide, "version", zf_stmt_int64(st, 5));
        date_cn(guide, "published", zf_stmt_int64(st, 6));
        json_object_set_new(matter, "guide", guide);
        json_decref(content);
    }
    zf_stmt_free(st);
    st = NULL;
    if (p) {
        zf_svg_flowchart(&svg, &steps, p, "flow");
        put_s(matter, "procedure", p->name);
        put_s(matter, "svg", zf_buf_str(&svg));
        json_object_set_new(matter, "steps", steps);
    }
    snprintf(title, sizeof title, "%s - 服务指南", json_string_value(json_object_get(matter, "name")));
    ctx = dept_ctx(dept, "matters");
    dept = NULL;
    json_object_set_new(ctx, "matter", matter);
    matter = NULL;
    rc = render(c, "before_guide", title, ctx);
done:
    zf_stmt_free(st);
    zf_buf_free(&svg);
    json_decref(dept);
    json_decref(matter);
    return rc;
}

/* ---- list pages of one kind ---- */

static int kind_page(zf_ctx *c, const char *kind, const char *tpl, const char *title, const char *sub)
{
    json_t *dept = NULL, *items = NULL, *ctx;
    int64_t id;
    int rc;

    if ((rc = load_dept(&dept, c, &id)) < 0 || (rc = load_published(&items, c, id, kind)) < 0) {
        json_decref(dept);
        return rc;
    }
    ctx = dept_ctx(dept, sub);
    put_i(ctx, "count", (json_int_t)json_array_size(items));
    json_object_set_new(ctx, "items", items);
    return render(c, tpl, title, ctx);
}

static int checks_page(zf_ctx *c)
{
    return kind_page(c, "random_check", "before_checks", "随机抽查事项清单", "checks");
}

static int posts_page(zf_ctx *c)
{
    return kind_page(c, "post", "before_posts", "窗口岗位信息", "posts");
}

static int remedies_page(zf_ctx *c)
{
    json_t *dept = NULL, *remedies = NULL, *sup = NULL, *ctx, *recon = json_array(), *lit = json_array();
    int64_t id;
    size_t i;
    int rc;

    if ((rc = load_dept(&dept, c, &id)) < 0 || (rc = load_published(&remedies, c, id, "remedy")) < 0 ||
        (rc = load_published(&sup, c, id, "supervision")) < 0) {
        json_decref(dept);
        json_decref(remedies);
        json_decref(recon);
        json_decref(lit);
        return rc;
    }
    for (i = 0; i < json_array_size(remedies); i++) {
        json_t *r = json_array_get(remedies, i);
        const char *ch = json_string_value(json_object_get(r, "channel"));
        json_array_append(ch && strcmp(ch, "litigation") == 0 ? lit : recon, r);
    }
    json_decref(remedies);
    ctx = dept_ctx(dept, "remedies");
    json_object_set_new(ctx, "reconsideration", recon);
    json_object_set_new(ctx, "litigation", lit);
    json_object_set_new(ctx, "supervision", sup);
    return render(c, "before_remedies", "救济途径与监督方式", ctx);
}

/* ---- officers: verification and cards ---- */

typedef struct officer_view {
    json_t *o;
    int64_t id;
} officer_view;

/* Looks the certificate up; 404 with a clear Chinese message when unknown. */
static int load_officer(officer_view *out, zf_ctx *c)
{
    const char *cert = c->nparams > 0 ? c->params[0] : "";
    zf_stmt *st = NULL;
    char today[11];
    int rc;

    memset(out, 0, sizeof *out);
    if (!*cert || strlen(cert) > 64)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "certificate_unknown", NULL,
                          "未查询到该执法证号。请核对证件号码；如有人持无法查询的证件执法，请向执法监督机构举报。");
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT o.id, o.name, o.certificate_no, o.certificate_valid_from,"
                            " o.certificate_valid_to, o.categories, o.status, o.position, d.id, d.name,"
                            " COALESCE(u.name, ''), EXISTS (SELECT 1 FROM officer_photos p WHERE p.officer_id = o.id)"
                            " FROM officers o JOIN departments d ON d.id = o.department_id"
                            " LEFT JOIN units u ON u.id = o.unit_id WHERE o.certificate_no = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, cert, -1);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1) {
        json_t *o = json_object(), *arr = json_loads(zf_stmt_text(st, 5), 0, NULL), *cats = json_array();
        const char *status = zf_stmt_text(st, 6), *from = zf_stmt_text(st, 3), *to = zf_stmt_text(st, 4);
        const char *state, *name, *explain;
        zf_buf enc = ZF_BUF_INIT;
        size_t i;

        today_cn(today, c->now);
        if (strcmp(status, "revoked") == 0)
            state = "revoked", name = "证件无效（已注销）",
            explain = "该执法证件已被注销，持证人不得从事行政执法活动。";
        else if (strcmp(status, "suspended") == 0)
            state = "suspended", name = "暂停执法",
            explain = "该执法人员已被暂停执法资格，目前不得从事行政执法活动。";
        else if (*to && strcmp(to, today) < 0)
            state = "expired", name = "证件已过期",
            explain = "该执法证件已超过有效期，持证人不得凭此证件从事行政执法活动。";
        else if (*from && strcmp(from, today) > 0)
            state = "pending", name = "证件尚未生效",
            explain = "该执法证件尚未到生效日期，持证人目前不得凭此证件从事行政执法活动。";
        else
            state = "valid", name = "有效", explain = "该执法证件真实有效，持证人可以在下列执法类别内依法从事行政执法活动。";
        out->id = zf_stmt_int64(st, 0);
        put_i(o, "id", out->id);
        put_s(o, "name", zf_stmt_text(st, 1));
        put_s(o, "certificate_no", zf_stmt_text(st, 2));
        put_s(o, "valid_from", from);
        put_s(o, "valid_to", to);
        put_s(o, "position", zf_stmt_text(st, 7));
        put_i(o, "department_id", zf_stmt_int64(st, 8));
        put_s(o, "department", zf_stmt_text(st, 9));
        put_s(o, "unit", zf_stmt_text(st, 10));
        put_s(o, "state", state);
        put_s(o, "state_name", name);
        put_s(o, "explain", explain);
        json_object_set_new(o, "valid", json_boolean(strcmp(state, "valid") == 0));
        for (i = 0; json_is_array(arr) && i < json_array_size(arr); i++)
            if (json_is_string(json_array_get(arr, i)))
                json_array_append(cats, json_array_get(arr, i));
        json_object_set_new(o, "has_categories", json_boolean(json_array_size(cats) > 0));
        json_object_set_new(o, "categories", cats);
        json_decref(arr);
        url_segment(&enc, zf_stmt_text(st, 2));
        put_s(o, "cert_path", zf_buf_str(&enc));
        json_object_set_new(o, "has_photo", json_boolean(zf_stmt_int64(st, 11)));
        zf_buf_free(&enc);
        put_s(o, "checked_on", today);
        out->o = o;
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "certificate_unknown", NULL,
                        "未查询到执法证号为“%.64s”的执法人员：该证件不存在或号码有误。请核对后重试；"
                        "如有人持无法查询的证件执法，请向执法监督机构举报。",
                        cert);
    }
    zf_stmt_free(st);
    return rc;
}

static int verify_form(zf_ctx *c)
{
    const char *cert = zf_ctx_query(c, "cert");
    json_t *ctx, *nav;

    if (cert) {
        size_t n = strspn(cert, " ");
        const char *s = cert + n;
        size_t len = strlen(s);
        while (len && s[len - 1] == ' ')
            len--;
        if (len && len <= 64) {
            zf_buf loc = ZF_BUF_INIT;
            char *t = zf_malloc(len + 1);
            memcpy(t, s, len);
            t[len] = '\0';
            zf_buf_puts(&loc, "/verify/officer/");
            url_segment(&loc, t);
            free(t);
            zf_ctx_header(c, "Location", zf_buf_str(&loc));
            zf_buf_free(&loc);
            zf_buf_reset(&c->out);
            c->status = 303;
            c->content_type = HTML_TYPE;
            return 0;
        }
    }
    ctx = json_object();
    nav = json_object();
    json_object_set_new(nav, "verify", json_true());
    json_object_set_new(ctx, "nav", nav);
    if (cert)
        put_s(ctx, "error", "请输入执法证号。");
    return render(c, "verify", "执法人员身份核验", ctx);
}

static int verify_officer(zf_ctx *c)
{
    officer_view v;
    json_t *ctx, *nav;
    char title[200];
    int rc;

    if ((rc = load_officer(&v, c)) < 0)
        return rc;
    ctx = json_object();
    nav = json_object();
    json_object_set_new(nav, "verify", json_true());
    json_object_set_new(ctx, "nav", nav);
    snprintf(title, sizeof title, "执法证件核验：%s", json_string_value(json_object_get(v.o, "certificate_no")));
    json_object_set_new(ctx, "officer", v.o);
    return render(c, "verify_officer", title, ctx);
}

static int officer_photo(zf_ctx *c)
{
    officer_view v;
    zf_stmt *st = NULL;
    int rc;

    if ((rc = load_officer(&v, c)) < 0)
        return rc;
    json_decref(v.o);
    if ((rc = zf_db_prepare(&st, c->db, "SELECT content_type, data FROM officer_photos WHERE officer_id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, v.id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1) {
        size_t n = 0;
        const void *p = zf_stmt_blob(st, 1, &n);
        c->content_type = strcmp(zf_stmt_text(st, 0), "image/png") == 0 ? "image/png" : "image/jpeg";
        zf_buf_reset(&c->out);
        zf_buf_append(&c->out, p, n);
        zf_ctx_header(c, "Cache-Control", "no-cache");
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "该执法人员没有公开照片");
    }
    zf_stmt_free(st);
    return rc;
}

static int officer_card(zf_ctx *c)
{
    officer_view v;
    zf_buf url = ZF_BUF_INIT, qr = ZF_BUF_INIT;
    json_t *ctx;
    int rc;

    if ((rc = load_officer(&v, c)) < 0)
        return rc;
    base_url(&url, c);
    zf_buf_printf(&url, "/verify/officer/%s", json_string_value(json_object_get(v.o, "cert_path")));
    if ((rc = zf_svg_qr(&qr, zf_buf_str(&url), "扫码核验执法证件", &c->err)) < 0) {
        json_decref(v.o);
        goto done;
    }
    ctx = json_object();
    json_object_set_new(ctx, "officer", v.o);
    put_s(ctx, "verify_url", zf_buf_str(&url));
    put_s(ctx, "qr", zf_buf_str(&qr));
    rc = render(c, "verify_card", "执法证件核验卡", ctx);
done:
    zf_buf_free(&url);
    zf_buf_free(&qr);
    return rc;
}

/* ---- /departments/{id}/posts/{item}/board ---- */

static int post_board(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *dept = NULL, *post = NULL, *ctx;
    zf_buf url = ZF_BUF_INIT, qr = ZF_BUF_INIT;
    int64_t id, item;
    int rc;

    if ((rc = load_dept(&dept, c, &id)) < 0)
        goto done;
    if (zf_ctx_param_id(c, 1, &item) < 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "没有找到该岗位信息");
        goto done;
    }
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT p.published_content, p.published_at, COALESCE(o.certificate_no, '')"
                            " FROM publicity_items p LEFT JOIN officers o ON o.id = p.officer_id"
                            " WHERE p.id = $1 AND p.department_id = $2 AND p.kind = 'post'"
                            " AND p.published_version IS NOT NULL",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, item);
    zf_stmt_bind_int64(st, 2, id);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto done;
    if (rc == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "没有找到该岗位信息，或尚未公开");
        goto done;
    }
    post = content_of(zf_stmt_text(st, 0));
    date_cn(post, "published", zf_stmt_int64(st, 1));
    base_url(&url, c);
    /* the QR leads to the officer's certificate check when the window's
     * officer is known, else to the department's window list */
    if (*zf_stmt_text(st, 2)) {
        zf_buf_puts(&url, "/verify/officer/");
        url_segment(&url, zf_stmt_text(st, 2));
        put_s(post, "qr_hint", "扫码核验工作人员身份");
    } else {
        zf_buf_printf(&url, "/departments/%lld/posts#post-%lld", (long long)id, (long long)item);
        put_s(post, "qr_hint", "扫码查看岗位信息");
    }
    zf_stmt_free(st);
    st = NULL;
    if ((rc = zf_svg_qr(&qr, zf_buf_str(&url), "岗位信息二维码", &c->err)) < 0)
        goto done;
    put_s(post, "qr", zf_buf_str(&qr));
    put_s(post, "url", zf_buf_str(&url));
    ctx = dept_ctx(dept, "posts");
    dept = NULL;
    json_object_set_new(ctx, "post", post);
    post = NULL;
    rc = render(c, "before_board", "岗位信息公示牌", ctx);
done:
    zf_stmt_free(st);
    zf_buf_free(&url);
    zf_buf_free(&qr);
    json_decref(dept);
    json_decref(post);
    return rc;
}

const zf_route zf_portal_before_routes[] = {
    {"GET", "/departments/{id}/matters", matters_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {"GET", "/departments/{id}/guides/{matter}", guide_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {"GET", "/departments/{id}/random-checks", checks_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {"GET", "/departments/{id}/remedies", remedies_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {"GET", "/departments/{id}/posts", posts_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {"GET", "/departments/{id}/posts/{item}/board", post_board, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {"GET", "/verify", verify_form, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {"GET", "/verify/officer/{certificate}", verify_officer, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {"GET", "/verify/officer/{certificate}/photo", officer_photo, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {"GET", "/verify/officer/{certificate}/card", officer_card, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {NULL, NULL, NULL, 0, 0, NULL, 0},
};
