/* portal_complaints.c — the public side of 投诉举报 (issue 8):
 *
 *   GET  /complaints        the complaint form
 *   POST /complaints        a submission (application/x-www-form-urlencoded)
 *   GET  /complaints/track  the progress form
 *   POST /complaints/track  a look-up by tracking number and query code
 *
 * Plain HTML forms, no JavaScript. The submission form carries a random
 * token that must equal the zf_form cookie set with the form (double
 * submit; the cookie is SameSite=Strict and HttpOnly), so another site
 * cannot post complaints through a visitor's browser. Spam is limited by a
 * hidden field people never fill and by a per-address rate (settings key
 * complaint_rate_per_hour, default 5). The look-up uses POST so the query
 * code never appears in a URL, a log or a Referer.
 *
 * A rejected submission renders the form again with what was typed and a
 * Chinese message, and writes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "auth/token.h"
#include "core/calendar.h"
#include "store/calendar_store.h"
#include "store/complaint_store.h"
#include "store/settings.h"
#include "web/form.h"
#include "web/portal_set.h"
#include "web/template.h"

#define SITE_NAME_DEFAULT "行政执法公示平台"
#define FORM_COOKIE "zf_form"

static const char *const PAGES[] = {"complaint_form", "complaint_done", "complaint_track", NULL};
static zf_portal_set templates = ZF_PORTAL_SET_INIT(PAGES);

/* Renders template name with ctx (stolen) and status. */
static int render(zf_ctx *c, const char *name, const char *title, json_t *ctx, int status)
{
    json_t *site, *nav;
    const zf_tpl_set *set;
    const char *css_href;
    int rc;

    if ((rc = zf_portal_set_get(&set, &css_href, &templates, &c->err)) < 0) {
        json_decref(ctx);
        return rc;
    }
    site = json_object();
    nav = json_object();
    json_object_set_new(site, "name",
                        json_string(zf_settings_get(c->settings, "portal_title", SITE_NAME_DEFAULT)));
    json_object_set_new(ctx, "site", site);
    json_object_set_new(ctx, "title", json_string(title));
    json_object_set_new(ctx, "css", json_string(css_href));
    json_object_set_new(nav, "complaints", json_true());
    json_object_set_new(ctx, "nav", nav);
    zf_buf_reset(&c->out);
    rc = zf_tpl_set_render(&c->out, set, name, ctx, &c->err);
    json_decref(ctx);
    c->content_type = "text/html; charset=utf-8";
    c->status = status;
    /* receipts and replies are personal: never cached anywhere */
    zf_ctx_header(c, "Cache-Control", "no-store");
    return rc;
}

/* The value of cookie name in the Cookie header, copied into out. */
static int cookie_value(char *out, size_t size, zf_ctx *c, const char *name)
{
    const char *h = zf_ctx_request_header(c, "Cookie"), *p;
    size_t n = strlen(name), len;

    *out = '\0';
    for (p = h; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        if (strncmp(p, name, n) == 0 && p[n] == '=') {
            p += n + 1;
            len = strcspn(p, ";");
            if (len >= size)
                return 0;
            memcpy(out, p, len);
            out[len] = '\0';
            return 1;
        }
        p = strchr(p, ';');
    }
    return 0;
}

/* The form token of this visitor: the cookie's when it has a well-formed
 * one (several open forms keep working), else a new one set as cookie. */
static void form_token(char out[ZF_TOKEN_SIZE], zf_ctx *c)
{
    char cookie[160];

    if (cookie_value(out, ZF_TOKEN_SIZE, c, FORM_COOKIE) && zf_token_check_format(out, strlen(out), 0))
        return;
    zf_token_new(out);
    snprintf(cookie, sizeof cookie, FORM_COOKIE "=%s; Path=/complaints; HttpOnly; SameSite=Strict%s", out,
             c->secure ? "; Secure" : "");
    zf_ctx_header(c, "Set-Cookie", cookie);
}

static int departments(json_t **out, zf_ctx *c, int64_t selected)
{
    zf_stmt *st = NULL;
    json_t *a = json_array();
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, c->db, "SELECT id, name FROM departments ORDER BY id", &c->err)) < 0) {
        json_decref(a);
        return rc;
    }
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        int64_t id = zf_stmt_int64(st, 0);

        json_array_append_new(a, json_pack("{s:I,s:s,s:b}", "id", (json_int_t)id, "name", zf_stmt_text(st, 1),
                                           "selected", id == selected));
    }
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

/* The form page, with values (stolen, may be NULL) and an error message. */
static int form_page(zf_ctx *c, json_t *values, const char *error, int status)
{
    char token[ZF_TOKEN_SIZE];
    json_t *ctx = json_object(), *depts = NULL;
    const char *kind;
    int64_t sel = 0;
    int rc;

    if (!values)
        values = json_object();
    if ((kind = json_string_value(json_object_get(values, "department_id"))))
        sel = strtoll(kind, NULL, 10);
    if ((rc = departments(&depts, c, sel)) < 0) {
        json_decref(values);
        json_decref(ctx);
        return rc;
    }
    form_token(token, c);
    json_object_set_new(ctx, "form_token", json_string(token));
    json_object_set_new(ctx, "departments", depts);
    if ((kind = json_string_value(json_object_get(values, "subject_kind")))) {
        char key[40];

        snprintf(key, sizeof key, "kind_%s", kind);
        json_object_set_new(ctx, key, json_true());
    }
    json_object_set_new(ctx, "values", values);
    if (error)
        json_object_set_new(ctx, "error", json_string(error));
    return render(c, "complaint_form", "投诉举报", ctx, status);
}

static int h_form(zf_ctx *c)
{
    return form_page(c, NULL, NULL, 200);
}

static long cp_len(const char *s)
{
    long n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

/* Trims blanks at both ends, in place. */
static const char *trim(char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* The checks of a submission; NULL when it is acceptable, else the message. */
static const char *check(const zf_complaint_new *in)
{
    const char *p;
    int digits = 0;

    if (in->department_id <= 0)
        return "请选择被投诉的执法部门";
    if (!in->subject_kind || (strcmp(in->subject_kind, "officer") != 0 && strcmp(in->subject_kind, "case") != 0 &&
                              strcmp(in->subject_kind, "department") != 0))
        return "请选择投诉对象：执法人员、具体案件或执法部门";
    if (strcmp(in->subject_kind, "department") != 0 && !*in->subject_text)
        return strcmp(in->subject_kind, "officer") == 0 ? "请填写被投诉执法人员的姓名或执法证号"
                                                        : "请填写被投诉案件的文号";
    if (cp_len(in->subject_text) > 100)
        return "投诉对象不能超过 100 个字";
    if (cp_len(in->content) < 10)
        return "请具体说明投诉的事实和理由（至少 10 个字）";
    if (cp_len(in->content) > 5000)
        return "投诉内容不能超过 5000 个字";
    if (cp_len(in->name) > 50 || strchr(in->name, '\n'))
        return "姓名不能超过 50 个字";
    for (p = in->phone; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (!strchr("+- ()", *p))
            return "联系电话只能包含数字、空格和 + - ( )";
    }
    if (strlen(in->phone) > 20 || (*in->phone && digits < 7))
        return "请填写正确的联系电话";
    if (*in->email && (strlen(in->email) > 100 || !(p = strchr(in->email, '@')) || p == in->email ||
                       !strchr(p, '.') || strpbrk(in->email, " \t\n<>\"")))
        return "请填写正确的电子邮箱";
    return NULL;
}

/* The submitted values to show again, as typed. */
static json_t *values_of(const zf_form *f)
{
    static const char *const keys[] = {"department_id", "subject_kind", "subject_text", "content",
                                       "name", "phone", "email"};
    json_t *v = json_object();
    size_t i;

    for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *s = zf_form_get(f, keys[i]);

        if (s)
            json_object_set_new(v, keys[i], json_string(s));
    }
    return v;
}

static int h_submit(zf_ctx *c)
{
    zf_form *f = NULL;
    zf_complaint_new in = {0};
    zf_complaint_who who = {0, "portal", c->ip, c->request_id};
    const zf_calendar *cal = NULL;
    char cookie[ZF_TOKEN_SIZE], no[ZF_COMPLAINT_NO_LEN + 1], code[ZF_COMPLAINT_CODE_LEN + 1];
    zf_stmt *st = NULL;
    char *buf[6] = {0};
    const char *msg, *sent, *dept_s, *s;
    json_t *ctx;
    int64_t id = 0;
    int rc, limit;
    size_t i;

    if (zf_form_parse(&f, c->body ? c->body : "", c->body_len, &c->err) < 0)
        return form_page(c, NULL, c->err.message, c->err.rc == ZF_ETOOBIG ? 413 : 400);
    sent = zf_form_get(f, "form_token");
    if (!cookie_value(cookie, sizeof cookie, c, FORM_COOKIE) || !sent || !zf_token_equal(cookie, sent)) {
        rc = form_page(c, values_of(f), "页面已过期或请求来源不可信，请重新提交", 403);
        goto done;
    }
    if ((s = zf_form_get(f, "website")) && *s) {
        /* only robots fill the hidden field; they learn nothing useful */
        rc = form_page(c, values_of(f), "提交失败，请稍后再试", 400);
        goto done;
    }
    dept_s = zf_form_get(f, "department_id");
    in.department_id = dept_s && strspn(dept_s, "0123456789") == strlen(dept_s) && strlen(dept_s) < 18
                           ? strtoll(dept_s, NULL, 10)
                           : 0;
    in.subject_kind = zf_form_get(f, "subject_kind");
    {
        static const char *const keys[] = {"subject_text", "content", "name", "phone", "email"};
        const char **dst[] = {&in.subject_text, &in.content, &in.name, &in.phone, &in.email};

        for (i = 0; i < 5; i++) {
            buf[i] = strdup((s = zf_form_get(f, keys[i])) ? s : "");
            if (!buf[i])
                abort();
            *dst[i] = trim(buf[i]);
        }
    }
    if ((msg = check(&in))) {
        rc = form_page(c, values_of(f), msg, 400);
        goto done;
    }
    limit = atoi(zf_settings_get(c->settings, "complaint_rate_per_hour", "5"));
    in.rate_limit = limit > 0 ? limit : 5;
    in.addr = c->ip;
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        goto done;
    rc = zf_complaint_store_submit(no, code, &id, c->db, cal, &in, &who, c->now, &c->err);
    zf_calendar_cache_release(cal);
    if (rc == ZF_EINVAL || rc == ZF_ELOCKED) {
        rc = form_page(c, values_of(f), c->err.message, rc == ZF_ELOCKED ? 429 : 400);
        goto done;
    }
    if (rc < 0)
        goto done;
    /* the receipt: department and due date as stored */
    ctx = json_object();
    json_object_set_new(ctx, "tracking_no", json_string(no));
    json_object_set_new(ctx, "query_code", json_string(code));
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT d.name, COALESCE(c.due_date, '') FROM complaints c JOIN departments d ON "
                            "d.id = c.department_id WHERE c.id = $1",
                            &c->err)) < 0) {
        json_decref(ctx);
        goto done;
    }
    zf_stmt_bind_int64(st, 1, id);
    if (zf_stmt_step(st, &c->err) == 1) {
        json_object_set_new(ctx, "department", json_string(zf_stmt_text(st, 0)));
        json_object_set_new(ctx, "due_date", json_string(zf_stmt_text(st, 1)));
    }
    zf_stmt_free(st);
    rc = render(c, "complaint_done", "投诉已提交", ctx, 201);
done:
    for (i = 0; i < 6; i++)
        free(buf[i]);
    zf_form_free(f);
    return rc;
}

/* ---- tracking ---- */

static int track_page(zf_ctx *c, const char *no, json_t *complaint, const char *error, int status)
{
    json_t *ctx = json_object(), *values = json_object();

    if (no)
        json_object_set_new(values, "tracking_no", json_string(no));
    json_object_set_new(ctx, "values", values);
    if (complaint)
        json_object_set_new(ctx, "complaint", complaint);
    if (error)
        json_object_set_new(ctx, "error", json_string(error));
    return render(c, "complaint_track", "投诉办理进度查询", ctx, status);
}

static int h_track_form(zf_ctx *c)
{
    return track_page(c, NULL, NULL, NULL, 200);
}

static int h_track(zf_ctx *c)
{
    zf_form *f = NULL;
    char no[ZF_COMPLAINT_NO_LEN + 1], code[ZF_COMPLAINT_CODE_LEN + 1];
    const char *no_s, *code_s;
    json_t *out = NULL;
    int rc;

    if (zf_form_parse(&f, c->body ? c->body : "", c->body_len, &c->err) < 0)
        return track_page(c, NULL, NULL, c->err.message, 400);
    no_s = zf_form_get(f, "tracking_no");
    code_s = zf_form_get(f, "code");
    if (!no_s || zf_complaint_no_parse(no, no_s, strlen(no_s)) < 0) {
        rc = track_page(c, no_s, NULL, "投诉编号格式不正确，请核对（形如 TS-2026-XXXXXXXX-X）", 400);
        goto done;
    }
    if (!code_s || zf_complaint_code_parse(code, code_s, strlen(code_s)) < 0) {
        rc = track_page(c, no, NULL, "查询码应为 8 位字母或数字", 400);
        goto done;
    }
    if ((rc = zf_complaint_store_track(&out, c->db, no, code, &c->err)) == ZF_ENOTFOUND) {
        rc = track_page(c, no, NULL, c->err.message, 404);
        goto done;
    }
    if (rc < 0)
        goto done;
    rc = track_page(c, no, out, NULL, 200);
done:
    zf_form_free(f);
    return rc;
}

const zf_route zf_portal_complaint_routes[] = {
    {"GET", "/complaints", h_form, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {"POST", "/complaints", h_submit, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {"GET", "/complaints/track", h_track_form, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {"POST", "/complaints/track", h_track, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
