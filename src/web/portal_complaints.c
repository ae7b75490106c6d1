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
 * The form is multipart/form-data so that up to ZF_COMPLAINT_MAX_FILES
 * photos or PDF files can go with it (within the server's body limit, 1 MiB
 * by default); their type is read from their first bytes, never from what
 * the browser says, and they are stored in DATA/complaint-files (blob.h:
 * fsynced and renamed before the complaint is acknowledged). A body that is
 * application/x-www-form-urlencoded is accepted too (no files).
 *
 * A rejected submission renders the form again with what was typed and a
 * Chinese message, and writes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "auth/token.h"
#include "core/calendar.h"
#include "store/calendar_store.h"
#include "store/complaint_store.h"
#include "store/settings.h"
#include "blob/blob.h"
#include "http/multipart.h"
#include "util/log.h"
#include "web/form.h"
#include "web/tplset.h"
#include "web/template.h"

#define FORM_COOKIE "zf_form"

static const char *const PAGES[] = {"layout_head", "layout_foot", "complaint_form", "complaint_done",
                                    "complaint_track", NULL};
static zf_tplset_lazy templates = ZF_TPLSET_LAZY(PAGES);

/* Renders template name with ctx (stolen) and status. */
static int render(zf_ctx *c, const char *name, const char *title, json_t *ctx, int status)
{
    json_t *nav;
    int rc;

    if ((rc = zf_tplset_ready(&templates, c)) < 0) {
        json_decref(ctx);
        return rc;
    }
    nav = json_object();
    json_object_set_new(nav, "complaints", json_true());
    json_object_set_new(ctx, "nav", nav);
    /* receipts and replies are personal: never cached anywhere */
    zf_ctx_header(c, "Cache-Control", "no-store");
    rc = zf_tplset_page(&templates, c, name, title, ctx);
    c->status = status;
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

/* ---- multipart/form-data: text fields into a zf_form, files in memory ---- */

#define FILE_MAX (1024 * 1024) /* beyond the default body limit anyway */

typedef struct upload {
    zf_form *form;
    zf_buf cur;                   /* the part being read */
    char name[72];
    int is_file, skip;
    zf_buf files[ZF_COMPLAINT_MAX_FILES];
    char filenames[ZF_COMPLAINT_MAX_FILES][256];
    size_t n_files;
} upload;

static int up_begin(void *ctx, const zf_multipart_part *part, zf_err *err)
{
    upload *u = ctx;

    u->is_file = part->filename != NULL;
    u->skip = u->is_file && !*part->filename; /* an empty file input */
    snprintf(u->name, sizeof u->name, "%s", part->name);
    if (u->is_file && strcmp(part->name, "attachments") != 0)
        return zf_err_set(err, ZF_EINVAL, "form_invalid", NULL, "表单字段名称不正确");
    if (u->is_file && !u->skip) {
        if (u->n_files == ZF_COMPLAINT_MAX_FILES)
            return zf_err_set(err, ZF_EINVAL, "too_many_files", "attachments", "最多上传 %d 个附件",
                              ZF_COMPLAINT_MAX_FILES);
        snprintf(u->filenames[u->n_files], sizeof u->filenames[0], "%s", part->filename);
    }
    zf_buf_free(&u->cur);
    zf_buf_init(&u->cur, u->is_file ? FILE_MAX : ZF_FORM_MAX_BYTES);
    return 0;
}

static int up_data(void *ctx, const char *data, size_t len, zf_err *err)
{
    upload *u = ctx;

    if (u->skip)
        return 0;
    if (zf_buf_append(&u->cur, data, len) < 0)
        return u->is_file ? zf_err_set(err, ZF_ETOOBIG, "file_too_large", "attachments", "附件过大")
                          : zf_err_set(err, ZF_ETOOBIG, "form_too_large", NULL, "提交的内容过长");
    return 0;
}

static int up_end(void *ctx, zf_err *err)
{
    upload *u = ctx;

    if (u->skip || (u->is_file && u->cur.len == 0)) {
        zf_buf_free(&u->cur);
        return 0;
    }
    if (u->is_file) {
        u->files[u->n_files++] = u->cur;
        zf_buf_init(&u->cur, 0);
        return 0;
    }
    return zf_form_add(u->form, u->name, u->cur.ptr ? u->cur.ptr : "", u->cur.len, err);
}

static void upload_free(upload *u)
{
    size_t i;

    zf_form_free(u->form);
    zf_buf_free(&u->cur);
    for (i = 0; i < ZF_COMPLAINT_MAX_FILES; i++)
        zf_buf_free(&u->files[i]);
}

/* Parses the body as the form's multipart or urlencoded encoding. */
static int read_form(upload *u, zf_ctx *c)
{
    static const zf_multipart_callbacks cb = {up_begin, up_data, up_end};
    const char *ct = zf_ctx_request_header(c, "Content-Type");
    char boundary[ZF_MULTIPART_BOUNDARY_MAX + 1];
    zf_multipart *mp = NULL;
    int rc;

    memset(u, 0, sizeof *u);
    if (!ct || strncasecmp(ct, "multipart/", 10) != 0)
        return zf_form_parse(&u->form, c->body ? c->body : "", c->body_len, &c->err);
    u->form = zf_form_new();
    if ((rc = zf_multipart_boundary(boundary, ct, strlen(ct), &c->err)) < 0 ||
        (rc = zf_multipart_new(&mp, boundary, NULL, &cb, u, &c->err)) < 0)
        return rc;
    if ((rc = zf_multipart_feed(mp, c->body ? c->body : "", c->body_len, &c->err)) == 0)
        rc = zf_multipart_finish(mp, &c->err);
    zf_multipart_free(mp);
    if (rc < 0 && strncmp(c->err.code, "multipart_", 10) == 0)
        zf_err_set(&c->err, rc, "form_invalid", NULL, "表单内容不完整或格式不正确，请重新提交");
    return rc;
}

/* The type of a file from its first bytes: JPEG, PNG or PDF, else NULL. */
static const char *sniff(const zf_buf *b)
{
    const unsigned char *p = (const unsigned char *)b->ptr;

    if (b->len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return "image/jpeg";
    if (b->len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (b->len >= 5 && memcmp(p, "%PDF-", 5) == 0)
        return "application/pdf";
    return NULL;
}

/* Stores the attachments durably; out[i] receives what the store records. */
static int store_files(zf_complaint_file *out, const upload *u, zf_ctx *c)
{
    zf_blob_store *st = zf_complaint_files(c->data_dir, &c->err);
    size_t i;
    int rc;

    if (!st)
        return c->err.rc ? c->err.rc : ZF_EIO;
    for (i = 0; i < u->n_files; i++) {
        zf_blob_writer *w = NULL;
        zf_blob_info info;

        if ((rc = zf_blob_writer_new(&w, st, ZF_BLOB_SHA256, FILE_MAX, &c->err)) < 0 ||
            (rc = zf_blob_writer_write(w, u->files[i].ptr, u->files[i].len, &c->err)) < 0 ||
            (rc = zf_blob_writer_commit(&info, w, &c->err)) < 0) {
            zf_blob_writer_free(w);
            return rc;
        }
        zf_blob_writer_free(w);
        memcpy(out[i].sha256, info.sha256, sizeof out[i].sha256);
        out[i].size = (int64_t)info.size;
        snprintf(out[i].filename, sizeof out[i].filename, "%s", u->filenames[i]);
        out[i].content_type = sniff(&u->files[i]);
    }
    return 0;
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
    upload up;
    zf_form *f;
    zf_complaint_file files[ZF_COMPLAINT_MAX_FILES];
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

    if (read_form(&up, c) < 0) {
        rc = form_page(c, up.form ? values_of(up.form) : NULL, c->err.message,
                       c->err.rc == ZF_ETOOBIG ? 413 : 400);
        upload_free(&up);
        return rc;
    }
    f = up.form;
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
    for (i = 0; i < up.n_files; i++)
        if (!sniff(&up.files[i])) {
            rc = form_page(c, values_of(f), "附件只能是 JPEG、PNG 图片或 PDF 文件", 400);
            goto done;
        }
    if (up.n_files && (rc = store_files(files, &up, c)) < 0) {
        zf_log_event("error", "complaint attachment not stored", "error", c->err.code, NULL, 0, NULL, 0);
        goto done;
    }
    in.files = files;
    in.n_files = up.n_files;
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
    upload_free(&up);
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
