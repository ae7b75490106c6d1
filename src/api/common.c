/* common.c — request helpers shared by all handlers: roles, JSON decoding
 * against a field spec, JSON output, list parameters. See api.h. */
#include "api/api.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blob/blob.h"
#include "util/mem.h"

static const struct {
    unsigned bit;
    const char *code;
    const char *name;
} ROLES[] = {
    {ZF_ROLE_OFFICER, "officer", "执法人员"},
    {ZF_ROLE_REVIEWER, "reviewer", "法制审核人员"},
    {ZF_ROLE_HEAD, "head", "部门负责人"},
    {ZF_ROLE_PUBLICITY, "publicity", "公示管理员"},
    {ZF_ROLE_SUPERVISOR, "supervisor", "司法局监督人员"},
    {ZF_ROLE_AUDITOR, "auditor", "审计员"},
    {ZF_ROLE_ADMIN, "admin", "系统管理员"},
};

unsigned zf_role_from_code(const char *code)
{
    size_t i;

    for (i = 0; code && i < sizeof ROLES / sizeof ROLES[0]; i++)
        if (strcmp(ROLES[i].code, code) == 0)
            return ROLES[i].bit;
    return 0;
}

const char *zf_role_code(unsigned role)
{
    size_t i;

    for (i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++)
        if (ROLES[i].bit == role)
            return ROLES[i].code;
    return NULL;
}

const char *zf_role_name(unsigned role)
{
    size_t i;

    for (i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++)
        if (ROLES[i].bit == role)
            return ROLES[i].name;
    return NULL;
}

const char *zf_ctx_query(zf_ctx *c, const char *key)
{
    return c->query_fn ? c->query_fn(c->query_h, key) : NULL;
}

const char *zf_ctx_request_header(zf_ctx *c, const char *name)
{
    return c->header_fn ? c->header_fn(c->header_h, name) : NULL;
}

int zf_ctx_param_id(zf_ctx *c, int n, int64_t *out)
{
    const char *s = n < c->nparams ? c->params[n] : NULL;
    char *end;
    long long v;

    *out = 0;
    if (!s || !*s || !isdigit((unsigned char)s[0]))
        goto bad;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v <= 0)
        goto bad;
    *out = v;
    return 0;
bad:
    return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该记录");
}

/* issue 8: an optional id in the query string */
int zf_ctx_query_id(zf_ctx *c, const char *key, int64_t *out)
{
    const char *s = zf_ctx_query(c, key);
    char *end;
    long long v;

    *out = 0;
    if (!s || !*s)
        return 0;
    errno = 0;
    v = isdigit((unsigned char)s[0]) ? strtoll(s, &end, 10) : 0;
    if (v <= 0 || errno || *end)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", key, "参数 %s 应为正整数", key);
    *out = v;
    return 0;
}

void zf_ctx_header(zf_ctx *c, const char *name, const char *value)
{
    if (c->nheaders >= ZF_MAX_RESP_HEADERS)
        return;
    c->headers[c->nheaders].name = name;
    c->headers[c->nheaders].value = zf_strdup(value);
    c->nheaders++;
}

int zf_ctx_has_header(const zf_ctx *c, const char *name)
{
    int i;

    for (i = 0; i < c->nheaders; i++)
        if (strcasecmp(c->headers[i].name, name) == 0)
            return 1;
    return 0;
}

void zf_ctx_release(zf_ctx *c)
{
    int i;

    zf_buf_free(&c->out);
    for (i = 0; i < c->nheaders; i++)
        free(c->headers[i].value);
    c->nheaders = 0;
    free(c->file_path);
    c->file_path = NULL;
    zf_blob_reader_free(c->stream);
    c->stream = NULL;
}

/* ---- JSON input ---- */

static size_t utf8_code_points(const char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    return n;
}

static int valid_date(const char *s)
{
    int y, m, d, mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t i;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    if ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)
        mdays[1] = 29;
    return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1];
}

static const char *type_name(zf_json_type t)
{
    switch (t) {
    case ZF_JT_STRING: return "字符串";
    case ZF_JT_INT: return "整数";
    case ZF_JT_BOOL: return "布尔值";
    case ZF_JT_NUMBER: return "数字";
    case ZF_JT_ARRAY: return "数组";
    case ZF_JT_DATE: return "日期字符串（YYYY-MM-DD）";
    }
    return "?";
}

static int check_field(const zf_json_field *f, json_t *v, zf_err *err)
{
    const char *label = f->label ? f->label : f->name;
    size_t max = f->max_len ? f->max_len : 1000;

    if (json_is_null(v)) {
        if (f->required)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", f->name, "%s不能为空", label);
        return 0;
    }
    switch (f->type) {
    case ZF_JT_STRING:
    case ZF_JT_DATE:
        if (!json_is_string(v))
            break;
        if (f->required && json_string_length(v) == 0)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", f->name, "%s不能为空", label);
        if (utf8_code_points(json_string_value(v), json_string_length(v)) > max)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", f->name,
                              "%s过长（最多 %zu 个字符）", label, max);
        if (f->type == ZF_JT_DATE && json_string_length(v) && !valid_date(json_string_value(v)))
            return zf_err_set(err, ZF_EINVAL, "validation_failed", f->name,
                              "%s不是有效日期，应为 YYYY-MM-DD 格式", label);
        return 0;
    case ZF_JT_INT:
        if (json_is_integer(v))
            return 0;
        break;
    case ZF_JT_NUMBER:
        if (json_is_number(v))
            return 0;
        break;
    case ZF_JT_BOOL:
        if (json_is_boolean(v))
            return 0;
        break;
    case ZF_JT_ARRAY:
        if (!json_is_array(v))
            break;
        if (json_array_size(v) > max)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", f->name,
                              "%s项目过多（最多 %zu 项）", label, max);
        return 0;
    }
    return zf_err_set(err, ZF_EINVAL, "wrong_type", f->name, "%s的类型错误，应为%s", label,
                      type_name(f->type));
}

int zf_json_decode(json_t **out, const char *body, size_t len, const zf_json_field *spec,
                   zf_err *err)
{
    json_error_t jerr;
    json_t *root;
    const char *key;
    json_t *v;
    const zf_json_field *f;
    int rc;

    *out = NULL;
    if (len == 0)
        return zf_err_set(err, ZF_EINVAL, "invalid_json", NULL, "请求内容为空，应为 JSON 对象");
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (json_error_code(&jerr) == json_error_invalid_utf8)
            return zf_err_set(err, ZF_EINVAL, "invalid_utf8", NULL, "请求内容不是有效的 UTF-8 编码");
        if (json_error_code(&jerr) == json_error_duplicate_key)
            return zf_err_set(err, ZF_EINVAL, "invalid_json", NULL, "请求 JSON 中有重复的字段");
        return zf_err_set(err, ZF_EINVAL, "invalid_json", NULL,
                          "请求内容不是有效的 JSON（第 %d 行第 %d 列）", jerr.line, jerr.column);
    }
    if (!json_is_object(root)) {
        rc = zf_err_set(err, ZF_EINVAL, "invalid_json", NULL, "请求内容应为 JSON 对象");
        goto fail;
    }
    json_object_foreach(root, key, v) {
        for (f = spec; f->name; f++)
            if (strcmp(f->name, key) == 0)
                break;
        if (!f->name) {
            rc = zf_err_set(err, ZF_EINVAL, "unknown_field", key, "不认识的字段：%s", key);
            goto fail;
        }
        if ((rc = check_field(f, v, err)) < 0)
            goto fail;
    }
    for (f = spec; f->name; f++)
        if (f->required && !json_object_get(root, f->name)) {
            rc = zf_err_set(err, ZF_EINVAL, "validation_failed", f->name, "缺少必填字段：%s",
                            f->label ? f->label : f->name);
            goto fail;
        }
    *out = root;
    return 0;
fail:
    json_decref(root);
    return rc;
}

/* ---- JSON output ---- */

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return zf_buf_append(data, buffer, size) == 0 ? 0 : -1;
}

int zf_ctx_json(zf_ctx *c, int status, json_t *v)
{
    int rc;

    zf_buf_reset(&c->out);
    rc = json_dump_callback(v, dump_cb, &c->out, JSON_COMPACT);
    json_decref(v);
    if (rc != 0)
        return zf_err_set(&c->err, ZF_EINTERNAL, NULL, NULL, "生成响应失败");
    c->status = status;
    c->content_type = "application/json; charset=utf-8";
    return 0;
}

void zf_ctx_error(zf_ctx *c, const zf_err *err)
{
    json_t *e = json_pack("{s:{s:s,s:s,s:s}}", "error", "code",
                          err->code[0] ? err->code : zf_err_default_code(err->rc), "message",
                          err->message[0] ? err->message : "服务器内部错误", "field", err->field);
    int status = zf_err_http_status(err->rc ? err->rc : ZF_EINTERNAL);

    free(c->file_path);
    c->file_path = NULL;
    zf_blob_reader_free(c->stream);
    c->stream = NULL;
    if (!e || zf_ctx_json(c, status, e) < 0) {
        zf_buf_reset(&c->out);
        zf_buf_puts(&c->out, "{\"error\":{\"code\":\"internal_error\",\"message\":\"服务器内部错误\",\"field\":\"\"}}");
        c->status = 500;
    }
}

/* ---- list parameters ---- */

static int read_int(zf_ctx *c, const char *key, int64_t def, int64_t min, int64_t max, int64_t *out)
{
    const char *s = zf_ctx_query(c, key);
    char *end;
    long long v;

    *out = def;
    if (!s)
        return 0;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", key,
                          "参数 %s 应为 %lld 到 %lld 之间的整数", key, (long long)min, (long long)max);
    *out = v;
    return 0;
}

int zf_list_params_read(zf_list_params *out, zf_ctx *c, const zf_sort_key *keys)
{
    const char *sort = zf_ctx_query(c, "sort");
    const zf_sort_key *k;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = read_int(c, "page", 1, 1, 1000000, &out->page)) < 0 ||
        (rc = read_int(c, "per_page", 20, 1, 100, &out->per_page)) < 0)
        return rc;
    out->offset = (out->page - 1) * out->per_page;
    out->sort_column = keys[0].column;
    if (sort && *sort) {
        if (*sort == '-') {
            out->sort_desc = 1;
            sort++;
        }
        for (k = keys; k->name; k++)
            if (strcmp(k->name, sort) == 0)
                break;
        if (!k->name)
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "sort", "不支持按“%s”排序", sort);
        out->sort_column = k->column;
    }
    out->q = zf_ctx_query(c, "q");
    if (out->q && !*out->q)
        out->q = NULL;
    if (out->q && strlen(out->q) > 200)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "q", "搜索词过长");
    return 0;
}

json_t *zf_json_text_or_null(zf_stmt *st, int col)
{
    return zf_stmt_is_null(st, col) ? json_null() : json_string(zf_stmt_text(st, col));
}

json_t *zf_json_int_or_null(zf_stmt *st, int col)
{
    return zf_stmt_is_null(st, col) ? json_null() : json_integer(zf_stmt_int64(st, col));
}
