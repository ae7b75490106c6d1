/* publicity_before.c — the JSON API of what a department publishes before
 * and during enforcement (事前公开, 事中公示; issue 7): service guides (服务
 * 指南, one per matter), the random-check item list (随机抽查事项清单),
 * remedies (行政复议 / 行政诉讼 channels), supervision contacts (监督方式)
 * and the 岗位信息 of service windows; plus officer photos for the public
 * certificate verification page.
 *
 * Nothing goes public without review. Every item has a working copy in one
 * of three states, draft -> reviewed -> published, and a public copy (the
 * last published version) that the portal shows:
 *   create               a draft, version 1
 *   PUT (draft/reviewed) edits the working copy; back to draft
 *   PUT (published)      a correction (纠错): version + 1 as a draft with a
 *                        required reason; the old version stays public until
 *                        the new one is published
 *   review               draft -> reviewed, by someone other than the last
 *                        editor (four eyes: a review of one's own text is none)
 *   publish              reviewed -> published: the working copy becomes the
 *                        public copy
 *   withdraw             takes the public copy down (reason required)
 * Every transition appends a history row with the content after it and one
 * audit row (so one ledger event carrying the SHA-256 of that content) in the
 * same transaction.
 *
 * Who: the department's publicity officer (公示管理员) and its head (部门负责
 * 人) edit, review and publish their own department's items; the Justice
 * Bureau's supervisors and the administrator read every department's items
 * (the administrator runs the system, it does not speak for a department).
 * Photos are part of the officer library: the administrator anywhere, the
 * head and the publicity officer in their own department. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/sm3.h"
#include "store/audit.h"

#define EDITORS (ZF_ROLE_HEAD | ZF_ROLE_PUBLICITY)
#define READERS (EDITORS | ZF_ROLE_SUPERVISOR | ZF_ROLE_ADMIN)
#define PHOTO_WRITERS (ZF_ROLE_ADMIN | ZF_ROLE_HEAD | ZF_ROLE_PUBLICITY)
#define PHOTO_MAX (200 * 1024)
#define NOTE_MAX 500

/* ---- kinds and their fields ---- */

#define TEXT(n, l) {n, ZF_JT_STRING, 1, 4000, l}
#define LINE(n, l) {n, ZF_JT_STRING, 1, 200, l}
#define OPT_TEXT(n, l) {n, ZF_JT_STRING, 0, 4000, l}
#define OPT_LINE(n, l) {n, ZF_JT_STRING, 0, 200, l}

static const zf_json_field GUIDE_FIELDS[] = {
    LINE("name", "事项名称"),
    TEXT("basis", "设定依据"),
    LINE("accepting_body", "受理机构"),
    LINE("approving_body", "审批机构"),
    TEXT("conditions", "受理条件"),
    TEXT("materials", "申请材料"),
    TEXT("process", "办理流程"),
    LINE("time_limit", "办理时限"),
    TEXT("supervision", "监督方式"),
    TEXT("remedies", "救济渠道"),
    LINE("office_hours", "办公时间"),
    LINE("address", "办公地址"),
    LINE("phone", "办公电话"),
    {NULL},
};

static const zf_json_field RANDOM_CHECK_FIELDS[] = {
    LINE("name", "抽查事项"),
    TEXT("basis", "抽查依据"),
    LINE("subject", "抽查主体"),
    TEXT("content", "抽查内容"),
    LINE("method", "抽查方式"),
    LINE("ratio", "抽查比例"),
    LINE("frequency", "抽查频次"),
    {NULL},
};

static const zf_json_field REMEDY_FIELDS[] = {
    LINE("channel", "救济方式"),
    LINE("organ", "受理机关"),
    OPT_LINE("address", "地址"),
    OPT_LINE("phone", "电话"),
    LINE("time_limit", "申请期限"),
    OPT_TEXT("notes", "说明"),
    {NULL},
};

static const zf_json_field SUPERVISION_FIELDS[] = {
    LINE("name", "监督机构"),
    LINE("address", "办公地址"),
    LINE("postcode", "邮政编码"),
    LINE("phone", "联系电话"),
    LINE("email", "电子邮箱"),
    TEXT("procedure", "受理反馈程序"),
    {NULL},
};

static const zf_json_field POST_FIELDS[] = {
    OPT_LINE("window", "窗口"),
    LINE("unit", "单位"),
    LINE("name", "姓名"),
    LINE("position", "职务"),
    TEXT("duties", "岗位职责"),
    TEXT("services", "服务事项"),
    OPT_TEXT("sample_materials", "申请材料示范文本"),
    OPT_LINE("progress_query", "办理进度查询"),
    OPT_LINE("consultation", "咨询服务"),
    LINE("complaint", "投诉举报"),
    {NULL},
};

typedef struct kind_def {
    const char *code, *name;
    const zf_json_field *fields;
} kind_def;

static const kind_def KINDS[] = {
    {"guide", "服务指南", GUIDE_FIELDS},
    {"random_check", "随机抽查事项", RANDOM_CHECK_FIELDS},
    {"remedy", "救济途径", REMEDY_FIELDS},
    {"supervision", "监督方式", SUPERVISION_FIELDS},
    {"post", "岗位信息", POST_FIELDS},
    {NULL, NULL, NULL},
};

static const kind_def *kind_find(const char *code)
{
    const kind_def *k;

    for (k = KINDS; code && k->code; k++)
        if (strcmp(k->code, code) == 0)
            return k;
    return NULL;
}

static const char *state_name(const char *s)
{
    if (strcmp(s, "draft") == 0)
        return "草稿";
    if (strcmp(s, "reviewed") == 0)
        return "已审核";
    if (strcmp(s, "published") == 0)
        return "已发布";
    return s;
}

static const char *action_name(const char *a)
{
    static const char *const names[][2] = {
        {"create", "创建"}, {"edit", "修改"},    {"correct", "纠错"},
        {"review", "审核"}, {"publish", "发布"}, {"withdraw", "撤下"},
    };
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], a) == 0)
            return names[i][1];
    return a;
}

/* ---- validation ---- */

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

static int invalid(zf_ctx *c, const char *field, const char *msg)
{
    return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", field, "%s", msg);
}

/* A phone number as offices write them: digits with - ( ) + spaces, and
 * several numbers separated by 、，, ; / — at least 5 digits in all. */
static int phone_ok(const char *s)
{
    int digits = 0;

    while (*s) {
        if (*s >= '0' && *s <= '9')
            digits++, s++;
        else if (strchr("-()+ ,;/", *s))
            s++;
        else if (strncmp(s, "、", 3) == 0 || strncmp(s, "，", 3) == 0 || strncmp(s, "；", 3) == 0 ||
                 strncmp(s, "转", 3) == 0)
            s += 3;
        else
            return 0;
    }
    return digits >= 5;
}

static int email_ok(const char *s)
{
    const char *at = strchr(s, '@');

    if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || strchr(s, ' '))
        return 0;
    return at[1] != '.' && s[strlen(s) - 1] != '.';
}

/* Checks the merged content of an item of kind k: every required field
 * present and not blank, and the few fields with a shape. */
static int check_content(zf_ctx *c, const kind_def *k, json_t *content)
{
    const zf_json_field *f;
    const char *s;

    for (f = k->fields; f->name; f++) {
        json_t *v = json_object_get(content, f->name);
        if (!f->required)
            continue;
        if (!json_is_string(v))
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", f->name, "缺少必填字段：%s",
                              f->label);
        if (is_blank(json_string_value(v)))
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", f->name, "%s不能为空", f->label);
    }
    if ((s = json_string_value(json_object_get(content, "phone"))) && *s && !phone_ok(s))
        return invalid(c, "phone", "电话号码格式不正确");
    if (strcmp(k->code, "supervision") == 0) {
        s = json_string_value(json_object_get(content, "postcode"));
        if (strlen(s) != 6 || strspn(s, "0123456789") != 6)
            return invalid(c, "postcode", "邮政编码应为 6 位数字");
        if (!email_ok(json_string_value(json_object_get(content, "email"))))
            return invalid(c, "email", "电子邮箱格式不正确");
    }
    if (strcmp(k->code, "remedy") == 0) {
        s = json_string_value(json_object_get(content, "channel"));
        if (strcmp(s, "reconsideration") != 0 && strcmp(s, "litigation") != 0)
            return invalid(c, "channel", "救济方式应为 reconsideration（行政复议）或 litigation（行政诉讼）");
    }
    return 0;
}

/* The list title of an item: what a person would call it. */
static void item_title(char *out, size_t n, const kind_def *k, json_t *content)
{
    const char *name = json_string_value(json_object_get(content, "name"));

    if (strcmp(k->code, "remedy") == 0) {
        const char *ch = json_string_value(json_object_get(content, "channel"));
        snprintf(out, n, "%s：%s", ch && strcmp(ch, "litigation") == 0 ? "行政诉讼" : "行政复议",
                 json_string_value(json_object_get(content, "organ")));
    } else if (strcmp(k->code, "post") == 0) {
        const char *w = json_string_value(json_object_get(content, "window"));
        snprintf(out, n, "%s%s%s", w && *w ? w : "", w && *w ? " " : "", name ? name : "");
    } else {
        snprintf(out, n, "%s", name ? name : "");
    }
}

/* Copies the fields of k from in into content (only those present). */
static void merge_fields(json_t *content, const kind_def *k, json_t *in)
{
    const zf_json_field *f;

    for (f = k->fields; f->name; f++) {
        json_t *v = json_object_get(in, f->name);
        if (v && !json_is_null(v))
            json_object_set(content, f->name, v);
        else if (v)
            json_object_del(content, f->name);
    }
}

/* Builds a decode spec: the kind's fields (none required: required fields
 * are checked on the merged content) plus extra. */
#define SPEC_MAX 24
static void build_spec(zf_json_field out[SPEC_MAX], const kind_def *k, const zf_json_field *extra)
{
    size_t n = 0;
    const zf_json_field *f;

    for (f = k->fields; f->name && n < SPEC_MAX - 1; f++) {
        out[n] = *f;
        out[n++].required = 0;
    }
    for (f = extra; f && f->name && n < SPEC_MAX - 1; f++)
        out[n++] = *f;
    memset(&out[n], 0, sizeof out[n]);
}

/* ---- audit ---- */

static int audit(zf_ctx *c, const char *action, const char *type, int64_t id, const char *detail,
                 const void *content, size_t len)
{
    zf_audit_event ev = {0};
    uint8_t h[ZF_DIGEST_LEN];
    char oid[24], hex[2 * ZF_DIGEST_LEN + 1];

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    ev.at = c->now;
    ev.actor_id = c->who ? c->who->user_id : 0;
    ev.actor_name = c->who ? c->who->username : "";
    ev.action = action;
    ev.object_type = type;
    ev.object_id = oid;
    ev.ip = c->ip;
    ev.request_id = c->request_id;
    ev.detail = detail;
    if (content && zf_sha256(h, content, len) == 0) {
        zf_hex_encode(hex, h, sizeof h);
        ev.content_sha256 = hex;
    }
    return zf_audit_write(c->db, &ev, &c->err);
}

/* ---- reading items ---- */

#define ITEM_SELECT                                                                              \
    "SELECT i.id, i.department_id, i.kind, i.matter_id, i.officer_id, i.title, i.state,"         \
    " i.version, i.content, i.edited_by, i.reviewed_by, i.reviewed_at, i.published_version,"     \
    " i.published_content, i.published_at, i.created_at, i.updated_at, d.name,"                  \
    " COALESCE(m.name, ''), COALESCE(eu.display_name, ''), COALESCE(ru.display_name, ''),"       \
    " COALESCE(pu.display_name, ''), COALESCE(m.code, '')"                                       \
    " FROM publicity_items i JOIN departments d ON d.id = i.department_id"                       \
    " LEFT JOIN matters m ON m.id = i.matter_id LEFT JOIN users eu ON eu.id = i.edited_by"       \
    " LEFT JOIN users ru ON ru.id = i.reviewed_by LEFT JOIN users pu ON pu.id = i.published_by"

static json_t *json_obj_text(const char *s)
{
    json_t *v = json_loads(s, 0, NULL);

    if (!json_is_object(v)) {
        json_decref(v);
        v = json_object();
    }
    return v;
}

static json_t *item_json(zf_ctx *c, zf_stmt *st)
{
    const char *kind = zf_stmt_text(st, 2), *state = zf_stmt_text(st, 6);
    const kind_def *k = kind_find(kind);
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(zf_stmt_int64(st, 0)));
    json_object_set_new(o, "department_id", json_integer(zf_stmt_int64(st, 1)));
    json_object_set_new(o, "department_name", json_string(zf_stmt_text(st, 17)));
    json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "kind_name", json_string(k ? k->name : kind));
    json_object_set_new(o, "matter_id", zf_json_int_or_null(st, 3));
    json_object_set_new(o, "matter_name", json_string(zf_stmt_text(st, 18)));
    json_object_set_new(o, "matter_code", json_string(zf_stmt_text(st, 22)));
    json_object_set_new(o, "officer_id", zf_json_int_or_null(st, 4));
    json_object_set_new(o, "title", json_string(zf_stmt_text(st, 5)));
    json_object_set_new(o, "state", json_string(state));
    json_object_set_new(o, "state_name", json_string(state_name(state)));
    json_object_set_new(o, "version", json_integer(zf_stmt_int64(st, 7)));
    json_object_set_new(o, "content", json_obj_text(zf_stmt_text(st, 8)));
    json_object_set_new(o, "edited_by", json_integer(zf_stmt_int64(st, 9)));
    json_object_set_new(o, "edited_by_name", json_string(zf_stmt_text(st, 19)));
    json_object_set_new(o, "reviewed_by_name", json_string(zf_stmt_text(st, 20)));
    json_object_set_new(o, "reviewed_at", zf_json_int_or_null(st, 11));
    json_object_set_new(o, "published_version", zf_json_int_or_null(st, 12));
    json_object_set_new(o, "published_content",
                        zf_stmt_is_null(st, 13) ? json_null() : json_obj_text(zf_stmt_text(st, 13)));
    json_object_set_new(o, "published_by_name", json_string(zf_stmt_text(st, 21)));
    json_object_set_new(o, "published_at", zf_json_int_or_null(st, 14));
    json_object_set_new(o, "created_at", json_integer(zf_stmt_int64(st, 15)));
    json_object_set_new(o, "updated_at", json_integer(zf_stmt_int64(st, 16)));
    /* whether the caller may review it now: the console greys the button */
    json_object_set_new(o, "can_review",
                        json_boolean(c->who && (c->who->role & EDITORS) &&
                                     c->who->department_id == zf_stmt_int64(st, 1) &&
                                     strcmp(state, "draft") == 0 &&
                                     c->who->user_id != zf_stmt_int64(st, 9)));
    return o;
}

static int item_render(zf_ctx *c, int64_t id, int status)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, c->db, ITEM_SELECT " WHERE i.id = $1", &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1) {
        json_t *o = item_json(c, st);
        zf_stmt_free(st);
        return zf_ctx_json(c, status, o);
    }
    zf_stmt_free(st);
    if (rc == 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该公示事项");
    return rc;
}

/* The stored working state of an item, for the write handlers. */
typedef struct item_row {
    int64_t id, dept, version, edited_by, officer_id;
    int has_published;
    char kind[16], state[16];
    json_t *content;
} item_row;

static int load_item(zf_ctx *c, item_row *out, int64_t id)
{
    zf_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, department_id, kind, state, version, content, edited_by,"
                            " published_version IS NOT NULL, COALESCE(officer_id, 0)"
                            " FROM publicity_items WHERE id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1) {
        out->id = zf_stmt_int64(st, 0);
        out->dept = zf_stmt_int64(st, 1);
        snprintf(out->kind, sizeof out->kind, "%s", zf_stmt_text(st, 2));
        snprintf(out->state, sizeof out->state, "%s", zf_stmt_text(st, 3));
        out->version = zf_stmt_int64(st, 4);
        out->content = json_obj_text(zf_stmt_text(st, 5));
        out->edited_by = zf_stmt_int64(st, 6);
        out->has_published = (int)zf_stmt_int64(st, 7);
        out->officer_id = zf_stmt_int64(st, 8);
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该公示事项");
    }
    zf_stmt_free(st);
    return rc;
}

static int add_history(zf_ctx *c, int64_t id, int64_t version, const char *action,
                       const char *state, const char *content, const char *note)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO publicity_item_history (item_id, version, action, state,"
                            " content, note, actor_id, actor_name, at)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_int64(st, 2, version);
    zf_stmt_bind_text(st, 3, action, -1);
    zf_stmt_bind_text(st, 4, state, -1);
    zf_stmt_bind_text(st, 5, content, -1);
    zf_stmt_bind_text(st, 6, note ? note : "", -1);
    zf_stmt_bind_int64(st, 7, c->who->user_id);
    zf_stmt_bind_text(st, 8, c->who->display_name[0] ? c->who->display_name : c->who->username, -1);
    zf_stmt_bind_int64(st, 9, c->now);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* History row + audit row (+ ledger event) for a transition; inside the
 * caller's transaction. */
static int record(zf_ctx *c, int64_t id, int64_t version, const char *action, const char *state,
                  const char *kind, const char *content, const char *note)
{
    char audit_action[40], detail[96];
    int rc;

    if ((rc = add_history(c, id, version, action, state, content, note)) < 0)
        return rc;
    snprintf(audit_action, sizeof audit_action, "publicity_%s", action);
    snprintf(detail, sizeof detail, "%s v%lld %s", kind, (long long)version, state);
    return audit(c, audit_action, "publicity_item", id, detail, content, strlen(content));
}

/* ---- small lookups ---- */

static int lookup_dept_of(zf_ctx *c, const char *sql, int64_t id, int64_t *out)
{
    zf_stmt *st = NULL;
    int rc;

    *out = 0;
    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1)
        *out = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    return rc;
}

/* An officer named by a post must belong to the item's department. */
static int check_officer(zf_ctx *c, json_t *v, int64_t dept, int64_t *out)
{
    int64_t od;
    int rc;

    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (json_integer_value(v) <= 0)
        return invalid(c, "officer_id", "执法人员编号无效");
    if ((rc = lookup_dept_of(c, "SELECT department_id FROM officers WHERE id = $1",
                             json_integer_value(v), &od)) < 0)
        return rc;
    if (rc == 0 || od != dept)
        return invalid(c, "officer_id", "该执法人员不属于本部门");
    *out = json_integer_value(v);
    return 0;
}

/* Reads an optional JSON body of {note}; an empty body is {}. */
static int decode_note(zf_ctx *c, json_t **out, int required)
{
    static const zf_json_field spec[] = {{"note", ZF_JT_STRING, 0, NOTE_MAX, "说明"}, {NULL}};
    const char *note;
    int rc;

    if (c->body_len == 0)
        *out = json_object();
    else if ((rc = zf_json_decode(out, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    note = json_string_value(json_object_get(*out, "note"));
    if (required && (!note || is_blank(note))) {
        json_decref(*out);
        *out = NULL;
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "note", "请填写原因");
    }
    return 0;
}

/* ---- GET /api/v1/publicity-items ---- */

static const zf_sort_key ITEM_SORT[] = {
    {"updated", "i.updated_at"}, {"id", "i.id"}, {"kind", "i.kind"}, {"title", "i.title"}, {NULL, NULL}};

static int item_list(zf_ctx *c)
{
    zf_list_params lp;
    zf_stmt *st = NULL;
    json_t *items = json_array();
    const char *kind = zf_ctx_query(c, "kind"), *state = zf_ctx_query(c, "state");
    const char *dept_s = zf_ctx_query(c, "department_id"), *matter_s = zf_ctx_query(c, "matter_id");
    int64_t dept = 0, matter = 0, total = 0;
    char sql[2048], like[420];
    int rc;
    /* lower() on both sides of LIKE: ASCII case is ignored on both backends */
    static const char WHERE[] =
        " WHERE ($1 = 0 OR i.department_id = $1) AND ($2 = '' OR i.kind = $2)"
        " AND ($3 = '' OR i.state = $3) AND ($4 = 0 OR i.matter_id = $4)"
        " AND ($5 = '' OR lower(i.title) LIKE lower($5) ESCAPE '\\')";

    if ((rc = zf_list_params_read(&lp, c, ITEM_SORT)) < 0)
        goto done;
    if (dept_s && *dept_s && (dept = strtoll(dept_s, NULL, 10)) <= 0) {
        rc = invalid(c, "department_id", "参数 department_id 应为正整数");
        goto done;
    }
    if (matter_s && *matter_s && (matter = strtoll(matter_s, NULL, 10)) <= 0) {
        rc = invalid(c, "matter_id", "参数 matter_id 应为正整数");
        goto done;
    }
    if (kind && *kind && !kind_find(kind)) {
        rc = invalid(c, "kind", "未知的公示类别");
        goto done;
    }
    if (state && *state && strcmp(state, "draft") && strcmp(state, "reviewed") &&
        strcmp(state, "published")) {
        rc = invalid(c, "state", "未知的状态");
        goto done;
    }
    /* a department's staff see their own department's items only */
    if (c->who && (c->who->role & EDITORS))
        dept = c->who->department_id;
    like[0] = '\0';
    if (lp.q) {
        char *p = like;
        const char *q;
        *p++ = '%';
        for (q = lp.q; *q; q++) {
            if (*q == '%' || *q == '_' || *q == '\\')
                *p++ = '\\';
            *p++ = *q;
        }
        *p++ = '%';
        *p = '\0';
    }
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM publicity_items i%s", WHERE);
#define BIND_FILTERS(st)                                         \
    do {                                                         \
        zf_stmt_bind_int64(st, 1, dept);                         \
        zf_stmt_bind_text(st, 2, kind ? kind : "", -1);          \
        zf_stmt_bind_text(st, 3, state ? state : "", -1);        \
        zf_stmt_bind_int64(st, 4, matter);                       \
        zf_stmt_bind_text(st, 5, like, -1);                      \
    } while (0)
    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        goto done;
    BIND_FILTERS(st);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto done;
    total = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    snprintf(sql, sizeof sql, ITEM_SELECT "%s ORDER BY %s %s, i.id DESC LIMIT $6 OFFSET $7", WHERE,
             lp.sort_column, lp.sort_desc || lp.sort_column == ITEM_SORT[0].column ? "DESC" : "ASC");
    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        goto done;
    BIND_FILTERS(st);
    zf_stmt_bind_int64(st, 6, lp.per_page);
    zf_stmt_bind_int64(st, 7, lp.offset);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, item_json(c, st));
    if (rc < 0)
        goto done;
    zf_stmt_free(st);
    st = NULL;
    rc = zf_ctx_json(c, 200,
                     json_pack("{s:O,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total, "page",
                               (json_int_t)lp.page, "per_page", (json_int_t)lp.per_page));
done:
    zf_stmt_free(st);
    json_decref(items);
    return rc;
}

/* ---- GET /api/v1/publicity-items/{id} ---- */

static int item_get(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return item_render(c, id, 200);
}

/* ---- POST /api/v1/departments/{id}/publicity-items ---- */

static int item_create(zf_ctx *c)
{
    static const zf_json_field kind_only[] = {{"kind", ZF_JT_STRING, 1, 20, "类别"}, {NULL}};
    zf_json_field spec[SPEC_MAX];
    zf_json_field extra[4];
    json_t *probe = NULL, *in = NULL, *content = json_object();
    const kind_def *k;
    char *text = NULL, title[400];
    int64_t dept, matter = 0, officer = 0, id = 0, md;
    int rc, in_tx = 0;
    json_error_t jerr;
    zf_stmt *st = NULL;

    if ((rc = zf_ctx_param_id(c, 0, &dept)) < 0)
        goto done;
    /* the kind decides which fields exist: read it first */
    probe = json_loadb(c->body, c->body_len, 0, &jerr);
    k = kind_find(json_string_value(json_object_get(probe, "kind")));
    if (probe && json_is_object(probe) && !k && json_object_get(probe, "kind")) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "kind",
                        "类别应为 guide、random_check、remedy、supervision 或 post 之一");
        goto done;
    }
    if (json_is_object(probe) && !json_object_get(probe, "kind")) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "kind", "缺少必填字段：类别");
        goto done;
    }
    memset(extra, 0, sizeof extra);
    extra[0] = (zf_json_field){"kind", ZF_JT_STRING, 1, 20, "类别"};
    extra[1] = (zf_json_field){"matter_id", ZF_JT_INT, 0, 0, "执法事项"};
    extra[2] = (zf_json_field){"officer_id", ZF_JT_INT, 0, 0, "执法人员"};
    if (k)
        build_spec(spec, k, extra);
    if ((rc = zf_json_decode(&in, c->body, c->body_len, k ? spec : kind_only, &c->err)) < 0)
        goto done;
    if (!k) { /* not reached: a body without a valid kind fails to decode above */
        rc = invalid(c, "kind", "类别无效");
        goto done;
    }
    merge_fields(content, k, in);
    if ((rc = check_content(c, k, content)) < 0)
        goto done;
    if (strcmp(k->code, "guide") == 0) {
        json_t *m = json_object_get(in, "matter_id");
        if (!json_is_integer(m) || json_integer_value(m) <= 0) {
            rc = invalid(c, "matter_id", "服务指南须指明执法事项");
            goto done;
        }
        matter = json_integer_value(m);
        if ((rc = lookup_dept_of(c, "SELECT department_id FROM matters WHERE id = $1", matter, &md)) < 0)
            goto done;
        if (rc == 0 || md != dept) {
            rc = invalid(c, "matter_id", "该执法事项不属于本部门");
            goto done;
        }
    } else if (json_object_get(in, "matter_id") && !json_is_null(json_object_get(in, "matter_id"))) {
        rc = invalid(c, "matter_id", "只有服务指南关联执法事项");
        goto done;
    }
    if (strcmp(k->code, "post") == 0) {
        if ((rc = check_officer(c, json_object_get(in, "officer_id"), dept, &officer)) < 0)
            goto done;
    } else if (json_object_get(in, "officer_id") && !json_is_null(json_object_get(in, "officer_id"))) {
        rc = invalid(c, "officer_id", "只有岗位信息关联执法人员");
        goto done;
    }
    item_title(title, sizeof title, k, content);
    text = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    in_tx = 1;
    if (matter) {
        int64_t other;
        if ((rc = lookup_dept_of(c, "SELECT id FROM publicity_items WHERE kind = 'guide' AND matter_id = $1",
                                 matter, &other)) < 0)
            goto done;
        if (rc == 1) {
            rc = zf_err_set(&c->err, ZF_ECONFLICT, "duplicate", "matter_id",
                            "该执法事项已有服务指南（编号 %lld），请修改原指南", (long long)other);
            goto done;
        }
    }
    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO publicity_items (department_id, kind, matter_id, officer_id,"
                            " title, state, version, content, edited_by, created_by, created_at,"
                            " updated_at) VALUES ($1, $2, $3, $4, $5, 'draft', 1, $6, $7, $7, $8, $8)"
                            " RETURNING id",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, dept);
    zf_stmt_bind_text(st, 2, k->code, -1);
    if (matter)
        zf_stmt_bind_int64(st, 3, matter);
    else
        zf_stmt_bind_null(st, 3);
    if (officer)
        zf_stmt_bind_int64(st, 4, officer);
    else
        zf_stmt_bind_null(st, 4);
    zf_stmt_bind_text(st, 5, title, -1);
    zf_stmt_bind_text(st, 6, text, -1);
    zf_stmt_bind_int64(st, 7, c->who->user_id);
    zf_stmt_bind_int64(st, 8, c->now);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto done;
    id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if ((rc = record(c, id, 1, "create", "draft", k->code, text, NULL)) < 0)
        goto done;
    in_tx = 0;
    if ((rc = zf_db_commit(c->db, &c->err)) < 0)
        goto done;
    rc = item_render(c, id, 201);
done:
    zf_stmt_free(st);
    if (in_tx)
        zf_db_rollback(c->db);
    free(text);
    json_decref(probe);
    json_decref(in);
    json_decref(content);
    return rc;
}

/* ---- PUT /api/v1/publicity-items/{id}: edit, or correct a published item ---- */

static int item_update(zf_ctx *c)
{
    zf_json_field spec[SPEC_MAX], extra[3];
    item_row row = {0};
    json_t *in = NULL;
    const kind_def *k;
    const char *note;
    char *text = NULL, title[400];
    int64_t id, version, officer;
    int rc, in_tx = 0, correcting;
    zf_stmt *st = NULL;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = load_item(c, &row, id)) < 0)
        goto done;
    k = kind_find(row.kind);
    memset(extra, 0, sizeof extra);
    extra[0] = (zf_json_field){"note", ZF_JT_STRING, 0, NOTE_MAX, "纠错说明"};
    extra[1] = (zf_json_field){"officer_id", ZF_JT_INT, 0, 0, "执法人员"};
    build_spec(spec, k, extra);
    if ((rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        goto done;
    merge_fields(row.content, k, in);
    if ((rc = check_content(c, k, row.content)) < 0)
        goto done;
    officer = row.officer_id;
    if (json_object_get(in, "officer_id")) {
        if (strcmp(k->code, "post") != 0) {
            rc = invalid(c, "officer_id", "只有岗位信息关联执法人员");
            goto done;
        }
        if ((rc = check_officer(c, json_object_get(in, "officer_id"), row.dept, &officer)) < 0)
            goto done;
    }
    correcting = strcmp(row.state, "published") == 0;
    note = json_string_value(json_object_get(in, "note"));
    if (correcting && (!note || is_blank(note))) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "note",
                        "该内容已发布，纠错须填写纠错说明");
        goto done;
    }
    version = correcting ? row.version + 1 : row.version;
    item_title(title, sizeof title, k, row.content);
    text = json_dumps(row.content, JSON_COMPACT | JSON_SORT_KEYS);
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    in_tx = 1;
    /* the state is checked again under the write lock: a publish between
     * our read and this write must not be overwritten silently */
    if ((rc = zf_db_prepare(&st, c->db,
                            "UPDATE publicity_items SET content = $1, title = $2, version = $3,"
                            " state = 'draft', edited_by = $4, reviewed_by = NULL, reviewed_at = NULL,"
                            " officer_id = $5, updated_at = $6 WHERE id = $7 AND state = $8 AND version = $9",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_text(st, 1, text, -1);
    zf_stmt_bind_text(st, 2, title, -1);
    zf_stmt_bind_int64(st, 3, version);
    zf_stmt_bind_int64(st, 4, c->who->user_id);
    if (officer)
        zf_stmt_bind_int64(st, 5, officer);
    else
        zf_stmt_bind_null(st, 5);
    zf_stmt_bind_int64(st, 6, c->now);
    zf_stmt_bind_int64(st, 7, id);
    zf_stmt_bind_text(st, 8, row.state, -1);
    zf_stmt_bind_int64(st, 9, row.version);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto done;
    zf_stmt_free(st);
    st = NULL;
    if (zf_db_changes(c->db) != 1) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "conflict", NULL, "该内容刚被他人修改，请刷新后重试");
        goto done;
    }
    if ((rc = record(c, id, version, correcting ? "correct" : "edit", "draft", k->code, text, note)) < 0)
        goto done;
    in_tx = 0;
    if ((rc = zf_db_commit(c->db, &c->err)) < 0)
        goto done;
    rc = item_render(c, id, 200);
done:
    zf_stmt_free(st);
    if (in_tx)
        zf_db_rollback(c->db);
    free(text);
    json_decref(in);
    json_decref(row.content);
    return rc;
}

/* ---- POST .../review, .../publish, .../withdraw ---- */

typedef enum { T_REVIEW, T_PUBLISH, T_WITHDRAW } transition;

static int item_transition(zf_ctx *c, transition t)
{
    item_row row = {0};
    json_t *in = NULL;
    char *text = NULL;
    const char *note, *sql, *action, *new_state;
    int64_t id;
    int rc, in_tx = 0;
    zf_stmt *st = NULL;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = decode_note(c, &in, t == T_WITHDRAW)) < 0 ||
        (rc = load_item(c, &row, id)) < 0)
        goto done;
    note = json_string_value(json_object_get(in, "note"));
    switch (t) {
    case T_REVIEW:
        if (strcmp(row.state, "draft") != 0) {
            rc = zf_err_set(&c->err, ZF_ECONFLICT, "invalid_state", "state", "只有草稿可以审核（当前状态：%s）",
                            state_name(row.state));
            goto done;
        }
        if (row.edited_by == c->who->user_id) {
            rc = zf_err_set(&c->err, ZF_ECONFLICT, "same_person", NULL,
                            "不能审核自己编辑的内容，请由本部门另一名公示管理员或负责人审核");
            goto done;
        }
        sql = "UPDATE publicity_items SET state = 'reviewed', reviewed_by = $1, reviewed_at = $2,"
              " updated_at = $2 WHERE id = $3 AND state = 'draft' AND version = $4";
        action = "review", new_state = "reviewed";
        break;
    case T_PUBLISH:
        if (strcmp(row.state, "reviewed") != 0) {
            rc = zf_err_set(&c->err, ZF_ECONFLICT, "invalid_state", "state",
                            "未经审核的内容不能发布（当前状态：%s）", state_name(row.state));
            goto done;
        }
        sql = "UPDATE publicity_items SET state = 'published', published_by = $1, published_at = $2,"
              " published_version = version, published_content = content, updated_at = $2"
              " WHERE id = $3 AND state = 'reviewed' AND version = $4";
        action = "publish", new_state = "published";
        break;
    default:
        if (!row.has_published) {
            rc = zf_err_set(&c->err, ZF_ECONFLICT, "invalid_state", "state", "该内容尚未发布，无需撤下");
            goto done;
        }
        sql = "UPDATE publicity_items SET state = CASE state WHEN 'published' THEN 'draft' ELSE state END,"
              " published_version = NULL, published_content = NULL, published_by = NULL,"
              " published_at = NULL, updated_at = $2 WHERE id = $3 AND version = $4";
        action = "withdraw";
        new_state = strcmp(row.state, "published") == 0 ? "draft" : row.state;
        break;
    }
    text = json_dumps(row.content, JSON_COMPACT | JSON_SORT_KEYS);
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    in_tx = 1;
    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, c->who->user_id);
    zf_stmt_bind_int64(st, 2, c->now);
    zf_stmt_bind_int64(st, 3, id);
    zf_stmt_bind_int64(st, 4, row.version);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto done;
    zf_stmt_free(st);
    st = NULL;
    if (zf_db_changes(c->db) != 1) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "conflict", NULL, "该内容刚被他人修改，请刷新后重试");
        goto done;
    }
    if ((rc = record(c, id, row.version, action, new_state, row.kind, text, note)) < 0)
        goto done;
    in_tx = 0;
    if ((rc = zf_db_commit(c->db, &c->err)) < 0)
        goto done;
    rc = item_render(c, id, 200);
done:
    zf_stmt_free(st);
    if (in_tx)
        zf_db_rollback(c->db);
    free(text);
    json_decref(in);
    json_decref(row.content);
    return rc;
}

static int item_review(zf_ctx *c)
{
    return item_transition(c, T_REVIEW);
}

static int item_publish(zf_ctx *c)
{
    return item_transition(c, T_PUBLISH);
}

static int item_withdraw(zf_ctx *c)
{
    return item_transition(c, T_WITHDRAW);
}

/* ---- GET /api/v1/publicity-items/{id}/history ---- */

static int item_history(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, version, action, state, content, note, actor_name, at"
                            " FROM publicity_item_history WHERE item_id = $1 ORDER BY id",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        const char *a = zf_stmt_text(st, 2);
        json_array_append_new(
            items, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:I}", "id", (json_int_t)zf_stmt_int64(st, 0),
                             "version", (json_int_t)zf_stmt_int64(st, 1), "action", a, "action_name",
                             action_name(a), "state", zf_stmt_text(st, 3), "state_name",
                             state_name(zf_stmt_text(st, 3)), "content", json_obj_text(zf_stmt_text(st, 4)),
                             "note", zf_stmt_text(st, 5), "actor_name", zf_stmt_text(st, 6), "at",
                             (json_int_t)zf_stmt_int64(st, 7)));
    }
    if (rc < 0)
        goto done;
    rc = zf_ctx_json(c, 200, json_pack("{s:O}", "items", items));
done:
    zf_stmt_free(st);
    json_decref(items);
    return rc;
}

/* ---- officer photos ---- */

/* JPEG (FF D8 FF) or PNG (89 'PNG' 0D 0A 1A 0A) by magic bytes; the
 * Content-Type the client sent is not trusted. */
static const char *image_type(const unsigned char *p, size_t n)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};

    if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return "image/jpeg";
    if (n >= 8 && memcmp(p, png, 8) == 0)
        return "image/png";
    return NULL;
}

static int photo_put(zf_ctx *c)
{
    const char *type;
    uint8_t h[ZF_DIGEST_LEN];
    char hex[2 * ZF_DIGEST_LEN + 1];
    int64_t id, dept;
    int rc, in_tx = 0;
    zf_stmt *st = NULL;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = lookup_dept_of(c, "SELECT department_id FROM officers WHERE id = $1", id, &dept)) < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该执法人员");
    if (c->body_len == 0)
        return invalid(c, NULL, "请上传照片（JPEG 或 PNG）");
    if (c->body_len > PHOTO_MAX)
        return zf_err_set(&c->err, ZF_EINVAL, "photo_too_large", NULL, "照片不能超过 200 KB");
    if (!(type = image_type((const unsigned char *)c->body, c->body_len)))
        return zf_err_set(&c->err, ZF_EINVAL, "unsupported_image", NULL, "照片须为 JPEG 或 PNG 格式");
    zf_sha256(h, c->body, c->body_len);
    zf_hex_encode(hex, h, sizeof h);
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        return rc;
    in_tx = 1;
    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO officer_photos (officer_id, content_type, data, sha256, size,"
                            " updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                            " ON CONFLICT (officer_id) DO UPDATE SET content_type = excluded.content_type,"
                            " data = excluded.data, sha256 = excluded.sha256, size = excluded.size,"
                            " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_text(st, 2, type, -1);
    zf_stmt_bind_blob(st, 3, c->body, c->body_len);
    zf_stmt_bind_text(st, 4, hex, -1);
    zf_stmt_bind_int64(st, 5, (int64_t)c->body_len);
    zf_stmt_bind_int64(st, 6, c->who->user_id);
    zf_stmt_bind_int64(st, 7, c->now);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto done;
    zf_stmt_free(st);
    st = NULL;
    if ((rc = audit(c, "officer_photo", "officer", id, type, c->body, c->body_len)) < 0)
        goto done;
    in_tx = 0;
    if ((rc = zf_db_commit(c->db, &c->err)) < 0)
        goto done;
    rc = zf_ctx_json(c, 200,
                     json_pack("{s:I,s:s,s:I,s:s,s:I}", "officer_id", (json_int_t)id, "content_type", type,
                               "size", (json_int_t)c->body_len, "sha256", hex, "updated_at",
                               (json_int_t)c->now));
done:
    zf_stmt_free(st);
    if (in_tx)
        zf_db_rollback(c->db);
    return rc;
}

static int photo_get(zf_ctx *c)
{
    zf_stmt *st = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, c->db, "SELECT content_type, data FROM officer_photos WHERE officer_id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1) {
        static const char *const types[] = {"image/jpeg", "image/png"};
        size_t n = 0;
        const void *p = zf_stmt_blob(st, 1, &n);
        c->content_type = strcmp(zf_stmt_text(st, 0), types[1]) == 0 ? types[1] : types[0];
        zf_buf_reset(&c->out);
        rc = zf_buf_append(&c->out, p, n) < 0 ? zf_err_set(&c->err, ZF_ETOOBIG, NULL, NULL, "照片过大") : 0;
        c->status = 200;
    } else if (rc == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "该执法人员尚未上传照片");
    }
    zf_stmt_free(st);
    return rc;
}

/* ---- department resolvers for zf_authz_check ---- */

static int64_t resolve_by(zf_ctx *c, const char *sql, const char *what)
{
    int64_t id, dept;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = lookup_dept_of(c, sql, id, &dept)) < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该%s", what);
    return dept;
}

static int64_t resolve_item(zf_ctx *c)
{
    return resolve_by(c, "SELECT department_id FROM publicity_items WHERE id = $1", "公示事项");
}

static int64_t resolve_dept(zf_ctx *c)
{
    return resolve_by(c, "SELECT id FROM departments WHERE id = $1", "执法主体");
}

static int64_t resolve_officer(zf_ctx *c)
{
    return resolve_by(c, "SELECT department_id FROM officers WHERE id = $1", "执法人员");
}

const zf_route zf_publicity_before_routes[] = {
    {"GET", "/api/v1/publicity-items", item_list, READERS, 0, NULL, 0},
    {"POST", "/api/v1/departments/{id}/publicity-items", item_create, EDITORS, EDITORS, resolve_dept, 0},
    {"GET", "/api/v1/publicity-items/{id}", item_get, READERS, EDITORS, resolve_item, 0},
    {"PUT", "/api/v1/publicity-items/{id}", item_update, EDITORS, EDITORS, resolve_item, 0},
    {"POST", "/api/v1/publicity-items/{id}/review", item_review, EDITORS, EDITORS, resolve_item, 0},
    {"POST", "/api/v1/publicity-items/{id}/publish", item_publish, EDITORS, EDITORS, resolve_item, 0},
    {"POST", "/api/v1/publicity-items/{id}/withdraw", item_withdraw, EDITORS, EDITORS, resolve_item, 0},
    {"GET", "/api/v1/publicity-items/{id}/history", item_history, READERS, EDITORS, resolve_item, 0},
    {"PUT", "/api/v1/officers/{id}/photo", photo_put, PHOTO_WRITERS, EDITORS, resolve_officer, 0},
    {"GET", "/api/v1/officers/{id}/photo", photo_get, ZF_ROLES_LIBRARY_READ, 0, NULL, 0},
    {NULL, NULL, NULL, 0, 0, NULL, 0},
};
