/* library.c — the JSON API of the three master libraries (三库): executive
 * bodies and their units (执法主体), officers (执法人员), enforcement matters
 * (执法事项) and laws (法律法规).
 *
 * Reads are open to every staff role except the auditor. Writes: an
 * administrator anywhere; a department head (ZF_ROLE_HEAD, declared in
 * own_dept_roles) only inside their own department — the route's resolver
 * tells zf_authz_check which department the object belongs to, and a write
 * that would move an object to another department is refused here as well.
 *
 * Shape of every write: decode the body against a field spec (unknown fields,
 * types, lengths), merge it over the stored row for PUT (PUT is a partial
 * update), check the domain rules, then inside one transaction check the
 * references and uniqueness, write, append the audit row and commit. Any
 * failure rolls back, so a rejected request changes nothing.
 *
 * Output is written straight into c->out from the result rows (no jansson
 * tree): GET /api/v1/departments is on the benchmark's hot path. SQL text is
 * the same for the same sort order, so every query comes from the
 * connection's statement cache; optional filters are written as
 * "(CAST($n AS T) IS NULL OR col = $n)" rather than spliced per request, which
 * keeps the number of distinct statements small. User text is only ever
 * bound, never spliced. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit.h"

#define OWN_DEPT ZF_ROLE_HEAD
#define WRITERS (ZF_ROLE_ADMIN | ZF_ROLE_HEAD)

typedef struct code_name {
    const char *code;
    const char *name;
} code_name;

static const code_name POWER_TYPES[] = {
    {"licensing", "行政许可"},
    {"penalty", "行政处罚"},
    {"coercion", "行政强制"},
    {"inspection", "行政检查"},
    {"expropriation", "行政征收征用"},
    {"other", "其他"},
    {NULL, NULL},
};

static const code_name OFFICER_STATUS[] = {
    {"active", "在岗"},
    {"suspended", "暂停执法"},
    {"revoked", "已注销"},
    {NULL, NULL},
};

static const char *name_of(const code_name *t, const char *code)
{
    for (; t->code; t++)
        if (strcmp(t->code, code) == 0)
            return t->name;
    return NULL;
}

/* ---- JSON output, written directly into a buffer ---- */

/* Appends s as a JSON string. Text in the database was validated as UTF-8
 * on the way in, so only quotes, backslashes and control bytes need care. */
static void put_str(zf_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *run = s;
    char esc[7];

    zf_buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        zf_buf_append(b, run, (size_t)(s - run));
        run = s + 1;
        switch (ch) {
        case '"':
            zf_buf_puts(b, "\\\"");
            break;
        case '\\':
            zf_buf_puts(b, "\\\\");
            break;
        case '\n':
            zf_buf_puts(b, "\\n");
            break;
        case '\r':
            zf_buf_puts(b, "\\r");
            break;
        case '\t':
            zf_buf_puts(b, "\\t");
            break;
        default:
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 15];
            zf_buf_append(b, esc, 6);
        }
    }
    zf_buf_append(b, run, (size_t)(s - run));
    zf_buf_putc(b, '"');
}

/* How a result column becomes a JSON member. */
enum {
    C_INT,        /* integer */
    C_INT_NULL,   /* integer or null */
    C_TEXT,       /* string ("" for NULL) */
    C_TEXT_NULL,  /* string or null */
    C_BOOL,       /* 0/1 -> false/true */
    C_NUM_NULL,   /* number or null */
    C_JSON_ARRAY, /* stored JSON array text, copied as is */
    C_NAME,       /* code column rendered as its Chinese name */
};

typedef struct col {
    const char *key;
    int kind;
    const code_name *names; /* C_NAME only */
    const char *quoted;     /* "\"key\":", written in one append */
} col;

/* Writes '{' and one member per column; the caller closes the object (so
 * it can add nested arrays first). */
/* Appends a decimal integer without going through printf. */
static void put_int(zf_buf *b, int64_t v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    zf_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

static void put_row_from(zf_buf *b, zf_stmt *st, const col *cols, int ncols, int base)
{
    char num[64];
    int j, i;

    zf_buf_putc(b, '{');
    for (j = 0; j < ncols; j++) {
        const col *k = &cols[j];
        i = base + j;
        if (j)
            zf_buf_putc(b, ',');
        zf_buf_puts(b, k->quoted);
        if ((k->kind == C_INT_NULL || k->kind == C_TEXT_NULL || k->kind == C_NUM_NULL) &&
            zf_stmt_is_null(st, i)) {
            zf_buf_append(b, "null", 4);
            continue;
        }
        switch (k->kind) {
        case C_INT:
        case C_INT_NULL:
            put_int(b, zf_stmt_int64(st, i));
            break;
        case C_TEXT:
        case C_TEXT_NULL:
            put_str(b, zf_stmt_text(st, i));
            break;
        case C_BOOL:
            zf_buf_puts(b, zf_stmt_int64(st, i) ? "true" : "false");
            break;
        case C_NUM_NULL:
            snprintf(num, sizeof num, "%.15g", zf_stmt_double(st, i));
            zf_buf_puts(b, num);
            break;
        case C_JSON_ARRAY: {
            /* Written by this module as a compact JSON array of strings;
             * anything else (a hand-edited row) degrades to []. */
            const char *t = zf_stmt_text(st, i);
            zf_buf_puts(b, t[0] == '[' ? t : "[]");
            break;
        }
        case C_NAME: {
            const char *n = name_of(k->names, zf_stmt_text(st, i));
            put_str(b, n ? n : zf_stmt_text(st, i));
            break;
        }
        }
    }
}

static void put_row(zf_buf *b, zf_stmt *st, const col *cols, int ncols)
{
    put_row_from(b, st, cols, ncols, 0);
}

/* Builds a jansson object of the columns (used to merge a PUT body over the
 * stored row). */
static json_t *row_json(zf_stmt *st, const col *cols, int ncols)
{
    json_t *o = json_object();
    int i;

    for (i = 0; i < ncols; i++) {
        json_t *v;
        if (zf_stmt_is_null(st, i))
            v = json_null();
        else if (cols[i].kind == C_INT || cols[i].kind == C_INT_NULL)
            v = json_integer(zf_stmt_int64(st, i));
        else if (cols[i].kind == C_BOOL)
            v = json_boolean(zf_stmt_int64(st, i));
        else if (cols[i].kind == C_NUM_NULL)
            v = json_real(zf_stmt_double(st, i));
        else if (cols[i].kind == C_JSON_ARRAY) {
            v = json_loads(zf_stmt_text(st, i), 0, NULL);
            if (!json_is_array(v)) {
                json_decref(v);
                v = json_array();
            }
        } else
            v = json_string(zf_stmt_text(st, i));
        json_object_set_new(o, cols[i].key, v ? v : json_null());
    }
    return o;
}

static void json_begin(zf_ctx *c, int status)
{
    zf_buf_reset(&c->out);
    c->status = status;
    c->content_type = "application/json; charset=utf-8";
}

/* ---- lists ---- */

/* Binds a resource's filters, numbered from $3 ($1 = limit, $2 = offset). */
typedef int (*filter_binder)(zf_stmt *st, const void *filters);

/* Counts the rows of a list: the list itself tells when its page is the
 * last one (fewer rows than per_page), so the COUNT query runs only for a
 * full page or a page past the end. (COUNT(*) OVER () in the list query
 * was measured at several times the cost of both queries together: it
 * makes SQLite materialise and re-sort every row.) count_sql takes the
 * filters from $3 on, like the list. */
static int list_total(zf_ctx *c, int64_t *out, const char *count_sql, filter_binder bind,
                      const void *filters, const zf_list_params *lp, int64_t n)
{
    zf_stmt *st = NULL;
    int rc;

    if ((n > 0 && n < lp->per_page) || (n == 0 && lp->offset == 0)) {
        *out = lp->offset + n;
        return 0;
    }
    if ((rc = zf_db_prepare(&st, c->db, count_sql, &c->err)) < 0)
        return rc;
    bind(st, filters);
    rc = zf_stmt_step(st, &c->err);
    *out = rc == 1 ? zf_stmt_int64(st, 0) : 0;
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

static void put_list_tail(zf_ctx *c, int64_t total, const zf_list_params *lp)
{
    char tail[96];

    snprintf(tail, sizeof tail, "],\"total\":%lld,\"page\":%lld,\"per_page\":%lld}",
             (long long)total, (long long)lp->page, (long long)lp->per_page);
    zf_buf_puts(&c->out, tail);
}

/* Runs a list query (select list = cols; $1 limit, $2 offset, filters
 * from $3) and renders {"items","total","page","per_page"}. */
static int run_list(zf_ctx *c, const char *sql, const char *count_sql, filter_binder bind,
                    const void *filters, const col *cols, int ncols, const zf_list_params *lp)
{
    zf_stmt *st = NULL;
    int64_t total = 0, n = 0;
    int rc;

    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, lp->per_page);
    zf_stmt_bind_int64(st, 2, lp->offset);
    bind(st, filters);
    json_begin(c, 200);
    zf_buf_puts(&c->out, "{\"items\":[");
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        if (n++)
            zf_buf_putc(&c->out, ',');
        put_row(&c->out, st, cols, ncols);
        zf_buf_putc(&c->out, '}');
    }
    zf_stmt_free(st);
    if (rc < 0 || (rc = list_total(c, &total, count_sql, bind, filters, lp, n)) < 0)
        return rc;
    put_list_tail(c, total, lp);
    return 0;
}

/* Turns the user's q into a LIKE pattern "%q%" with %, _ and the escape
 * character itself escaped (ESCAPE '\'). out needs 2 * strlen(q) + 3 bytes;
 * q is at most 200 bytes (zf_list_params_read). The queries compare
 * lower(column) LIKE lower(pattern): SQLite's LIKE ignores ASCII case and
 * PostgreSQL's does not, and q must find the same rows on both. */
static void like_pattern(char *out, const char *q)
{
    *out++ = '%';
    for (; *q; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            *out++ = '\\';
        *out++ = *q;
    }
    *out++ = '%';
    *out = '\0';
}

#define LIKE_MAX 410

/* Optional positive id from the query string; 0 when absent. */
static int query_id(zf_ctx *c, const char *key, int64_t *out)
{
    const char *s = zf_ctx_query(c, key);
    char *end;
    long long v;

    *out = 0;
    if (!s || !*s)
        return 0;
    v = strtoll(s, &end, 10);
    if (*end || v <= 0 || s[0] == '+' || s[0] == '-' || s[0] == ' ')
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", key, "参数 %s 应为正整数", key);
    *out = v;
    return 0;
}

static void bind_id_or_null(zf_stmt *st, int n, int64_t v)
{
    if (v > 0)
        zf_stmt_bind_int64(st, n, v);
    else
        zf_stmt_bind_null(st, n);
}

/* ---- request body helpers ---- */

#define MAX_SPEC 24

/* Decodes the body; for a partial update (PUT) no field is required here —
 * check_required runs on the merged object instead. */
static int decode_body(zf_ctx *c, json_t **out, const zf_json_field *spec, int partial)
{
    zf_json_field tmp[MAX_SPEC];
    size_t i;

    if (!partial)
        return zf_json_decode(out, c->body, c->body_len, spec, &c->err);
    for (i = 0; spec[i].name && i < MAX_SPEC - 1; i++) {
        tmp[i] = spec[i];
        tmp[i].required = 0;
    }
    memset(&tmp[i], 0, sizeof tmp[i]);
    return zf_json_decode(out, c->body, c->body_len, tmp, &c->err);
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

/* Required fields must be present, not null and, for strings, not blank. */
static int check_required(json_t *m, const zf_json_field *spec, zf_err *err)
{
    const zf_json_field *f;

    for (f = spec; f->name; f++) {
        json_t *v;
        if (!f->required)
            continue;
        v = json_object_get(m, f->name);
        if (!v)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", f->name, "缺少必填字段：%s",
                              f->label);
        if (json_is_null(v) || (json_is_string(v) && is_blank(json_string_value(v))))
            return zf_err_set(err, ZF_EINVAL, "validation_failed", f->name, "%s不能为空", f->label);
    }
    return 0;
}

/* Decodes element i of array field arr against spec, reusing the top-level
 * decoder so nested objects get the same checks (unknown fields, types,
 * lengths); errors name the element, e.g. field "basis[2].law_id". */
static int decode_item(json_t **out, json_t *item, const zf_json_field *spec, const char *arr,
                       const char *label, size_t i, zf_err *err)
{
    char *s;
    char field[160]; /* zf_err keeps the first 63 bytes */
    zf_err e = ZF_ERR_INIT;
    int rc;

    *out = NULL;
    if (!json_is_object(item))
        return zf_err_set(err, ZF_EINVAL, "wrong_type", arr, "%s第 %zu 项应为对象", label, i + 1);
    s = json_dumps(item, JSON_COMPACT);
    if (!s)
        return zf_err_set(err, ZF_EINTERNAL, NULL, arr, "处理%s失败", label);
    rc = zf_json_decode(out, s, strlen(s), spec, &e);
    free(s);
    if (rc == 0 && (rc = check_required(*out, spec, &e)) < 0) {
        json_decref(*out);
        *out = NULL;
    }
    if (rc < 0) {
        snprintf(field, sizeof field, "%s[%zu]%s%s", arr, i, e.field[0] ? "." : "", e.field);
        return zf_err_set(err, e.rc, e.code, field, "%s第 %zu 项：%s", label, i + 1, e.message);
    }
    return 0;
}

static const char *jstr(json_t *m, const char *k)
{
    const char *s = json_string_value(json_object_get(m, k));
    return s ? s : "";
}

static int64_t jint(json_t *m, const char *k)
{
    return json_integer_value(json_object_get(m, k));
}

static int jnull(json_t *m, const char *k)
{
    json_t *v = json_object_get(m, k);
    return !v || json_is_null(v);
}

static size_t code_points(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static int is_alnum_ascii(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Letters and digits only, plus any characters in extra. */
static int only_chars(const char *s, const char *extra)
{
    for (; *s; s++)
        if (!is_alnum_ascii(*s) && !strchr(extra, *s))
            return 0;
    return 1;
}

/* No whitespace or control characters (ASCII); other UTF-8 is allowed. */
static int no_space(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

static int plausible_email(const char *s)
{
    const char *at = strchr(s, '@');
    const char *dot;

    if (!at || at == s || strchr(at + 1, '@') || at - s > 64 || !no_space(s))
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p >= 0x80 || strchr("()<>,;:\"[]\\", *p))
            return 0;
    dot = strrchr(at + 1, '.');
    return dot && dot > at + 1 && dot[1] && !strstr(at + 1, "..") && at[1] != '.';
}

static int plausible_phone(const char *s)
{
    int digits = 0;

    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (!strchr("-+() ,;/", *s))
            return 0;
    }
    return digits >= 3;
}

static int plausible_postcode(const char *s)
{
    int i;

    for (i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[6] == '\0';
}

static int plausible_url(const char *s)
{
    const char *rest;

    if (strncmp(s, "http://", 7) == 0)
        rest = s + 7;
    else if (strncmp(s, "https://", 8) == 0)
        rest = s + 8;
    else
        return 0;
    return *rest && *rest != '/' && no_space(rest);
}

static int invalid(zf_err *err, const char *field, const char *msg)
{
    return zf_err_set(err, ZF_EINVAL, "validation_failed", field, "%s", msg);
}

/* Runs sql with integer parameters $1 = a and, when the SQL has it, $2 = b.
 * Returns 1 when a row comes back, 0 when none (so also for a DELETE), or a
 * negative error. */
static int run_ids(zf_ctx *c, const char *sql, int64_t a, int64_t b)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, a);
    zf_stmt_bind_int64(st, 2, b); /* ZF_EINVAL, harmless, when there is no $2 */
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    return rc;
}

/* Looks up one int64 by id ($1); 1 found, 0 not, negative on error. */
static int lookup_int(zf_ctx *c, const char *sql, int64_t id, int64_t *out)
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

/* Is text s taken in column by another row than self? sql has $1 = text and
 * $2 = self id (0 on create). */
static int taken(zf_ctx *c, const char *sql, const char *s, int64_t self)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, s, -1);
    zf_stmt_bind_int64(st, 2, self);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    return rc;
}

static int duplicate(zf_ctx *c, const char *field, const char *what, const char *value)
{
    return zf_err_set(&c->err, ZF_ECONFLICT, "duplicate", field, "%s“%s”已存在", what, value);
}

static int not_found(zf_ctx *c, const char *what)
{
    return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该%s", what);
}

/* A department head may only place objects in their own department (the
 * route's resolver already checked where the object is now). The refusal is
 * audited like the server's own authorization refusals; this runs before
 * any transaction, so the row is kept. */
static int own_dept_target(zf_ctx *c, int64_t dept)
{
    zf_audit_event ev = {0};

    if (!c->who || !(c->who->role & OWN_DEPT) || dept == c->who->department_id)
        return 0;
    ev.at = c->now;
    ev.actor_id = c->who->user_id;
    ev.actor_name = c->who->username;
    ev.action = "forbidden";
    ev.object_type = "route";
    ev.object_id = c->path;
    ev.ip = c->ip;
    ev.request_id = c->request_id;
    ev.detail = "move to another department";
    zf_audit_write(c->db, &ev, NULL);
    return zf_err_set(&c->err, ZF_EPERM, "forbidden", "department_id",
                      "只能操作本部门的数据，不能移入或移出其他部门");
}

static int audit(zf_ctx *c, const char *action, const char *type, int64_t id, const char *detail)
{
    zf_audit_event ev = {0};
    char oid[24];

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
    return zf_audit_write(c->db, &ev, &c->err);
}

/* Reads the stored row (sql with $1 = id) as a JSON object for merging. */
static int load_row(zf_ctx *c, json_t **out, const char *sql, int64_t id, const col *cols,
                    int ncols, const char *what)
{
    zf_stmt *st = NULL;
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1)
        *out = row_json(st, cols, ncols);
    zf_stmt_free(st);
    if (rc == 0)
        return not_found(c, what);
    return rc < 0 ? rc : 0;
}

/* Runs an INSERT ... RETURNING id or an UPDATE already bound. */
static int exec_write(zf_ctx *c, zf_stmt *st, int64_t *out_id)
{
    int rc = zf_stmt_step(st, &c->err);

    if (rc == 1 && out_id)
        *out_id = zf_stmt_int64(st, 0);
    return rc < 0 ? rc : 0;
}

/* Shared tail of a write handler: decode, merge over the stored row on
 * update, check, then one transaction. */
typedef struct writer {
    const zf_json_field *spec;
    const char *load_sql; /* editable columns by id, for PUT */
    const col *load_cols;
    int nload;
    const char *what; /* Chinese object name for 404 */
    /* domain checks that need no database */
    int (*check)(zf_ctx *c, json_t *m, int creating);
    /* inside the transaction: references, uniqueness, the write, the audit;
     * *id is 0 on create and receives the new id */
    int (*save)(zf_ctx *c, json_t *m, json_t *in, int64_t *id);
    int (*render)(zf_ctx *c, int64_t id, int status);
} writer;

static int do_write(zf_ctx *c, const writer *w, int64_t id)
{
    json_t *in = NULL, *m = NULL;
    int rc, in_tx = 0, creating = id == 0;

    if ((rc = decode_body(c, &in, w->spec, !creating)) < 0)
        goto done;
    if (creating) {
        m = json_incref(in);
    } else {
        if ((rc = load_row(c, &m, w->load_sql, id, w->load_cols, w->nload, w->what)) < 0)
            goto done;
        json_object_update(m, in);
    }
    if ((rc = check_required(m, w->spec, &c->err)) < 0 || (rc = w->check(c, m, creating)) < 0)
        goto done;
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    in_tx = 1;
    if ((rc = w->save(c, m, in, &id)) < 0)
        goto done;
    in_tx = 0;
    if ((rc = zf_db_commit(c->db, &c->err)) < 0)
        goto done;
    rc = w->render(c, id, creating ? 201 : 200);
done:
    if (in_tx)
        zf_db_rollback(c->db);
    json_decref(in);
    json_decref(m);
    return rc;
}

/* =====================================================================
 * Departments (执法主体) and units (内设机构)
 * ===================================================================== */

#define DEPT_COLS                                                                           \
    "d.id, d.code, d.name, d.short_name, d.kind, d.address, d.postcode, d.phone, d.email, " \
    "d.website, d.duties, d.area, d.supervision_contact, "                                  \
    "(SELECT COUNT(*) FROM units u WHERE u.department_id = d.id) AS unit_count, "           \
    "(SELECT COUNT(*) FROM officers o WHERE o.department_id = d.id) AS officer_count, "     \
    "(SELECT COUNT(*) FROM matters m WHERE m.department_id = d.id) AS matter_count"

#define DEPT_WHERE                                                    \
    " WHERE (CAST($3 AS TEXT) IS NULL OR lower(d.name) LIKE lower($3) ESCAPE '\\' " \
    "OR lower(d.short_name) LIKE lower($3) ESCAPE '\\' OR lower(d.code) LIKE lower($3) ESCAPE '\\')"

static const col DEPT_OUT[] = {
    {"id", C_INT, NULL, "\"id\":"},
    {"code", C_TEXT, NULL, "\"code\":"},
    {"name", C_TEXT, NULL, "\"name\":"},
    {"short_name", C_TEXT, NULL, "\"short_name\":"},
    {"kind", C_TEXT, NULL, "\"kind\":"},
    {"address", C_TEXT, NULL, "\"address\":"},
    {"postcode", C_TEXT, NULL, "\"postcode\":"},
    {"phone", C_TEXT, NULL, "\"phone\":"},
    {"email", C_TEXT, NULL, "\"email\":"},
    {"website", C_TEXT, NULL, "\"website\":"},
    {"duties", C_TEXT, NULL, "\"duties\":"},
    {"area", C_TEXT, NULL, "\"area\":"},
    {"supervision_contact", C_TEXT, NULL, "\"supervision_contact\":"},
    {"unit_count", C_INT, NULL, "\"unit_count\":"},
    {"officer_count", C_INT, NULL, "\"officer_count\":"},
    {"matter_count", C_INT, NULL, "\"matter_count\":"},
};
#define NDEPT_OUT ((int)(sizeof DEPT_OUT / sizeof DEPT_OUT[0]))

static const col UNIT_OUT[] = {
    {"id", C_INT, NULL, "\"id\":"},
    {"name", C_TEXT, NULL, "\"name\":"},
    {"duties", C_TEXT, NULL, "\"duties\":"},
    {"area", C_TEXT, NULL, "\"area\":"},
};

static const col UNIT_FULL_OUT[] = {
    {"id", C_INT, NULL, "\"id\":"},      {"department_id", C_INT, NULL, "\"department_id\":"},
    {"name", C_TEXT, NULL, "\"name\":"}, {"duties", C_TEXT, NULL, "\"duties\":"},
    {"area", C_TEXT, NULL, "\"area\":"},
};

static int bind_q_only(zf_stmt *st, const void *f)
{
    return zf_stmt_bind_text_or_null(st, 3, (const char *)f);
}

static int dept_list(zf_ctx *c)
{
    static const zf_sort_key keys[] = {
        {"code", "d.code"}, {"name", "d.name"}, {"officer_count", "officer_count"}, {NULL, NULL}};
    zf_list_params lp;
    char like[LIKE_MAX], sql[2048];
    int rc;

    if ((rc = zf_list_params_read(&lp, c, keys)) < 0)
        return rc;
    if (lp.q)
        like_pattern(like, lp.q);
    snprintf(sql, sizeof sql,
             "SELECT " DEPT_COLS " FROM departments d" DEPT_WHERE
             " ORDER BY %s %s, d.id LIMIT $1 OFFSET $2",
             lp.sort_column, lp.sort_desc ? "DESC" : "ASC");
    return run_list(c, sql, "SELECT COUNT(*) FROM departments d" DEPT_WHERE, bind_q_only,
                    lp.q ? like : NULL, DEPT_OUT, NDEPT_OUT, &lp);
}

static int dept_render(zf_ctx *c, int64_t id, int status)
{
    zf_stmt *st = NULL;
    int rc, n = 0;

    if ((rc = zf_db_prepare(&st, c->db, "SELECT " DEPT_COLS " FROM departments d WHERE d.id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, &c->err)) <= 0) {
        zf_stmt_free(st);
        return rc < 0 ? rc : not_found(c, "执法主体");
    }
    json_begin(c, status);
    put_row(&c->out, st, DEPT_OUT, NDEPT_OUT);
    zf_stmt_free(st);
    st = NULL;
    zf_buf_puts(&c->out, ",\"units\":[");
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, name, duties, area FROM units WHERE department_id = $1 "
                            "ORDER BY id",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        if (n++)
            zf_buf_putc(&c->out, ',');
        put_row(&c->out, st, UNIT_OUT, 4);
        zf_buf_putc(&c->out, '}');
    }
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    zf_buf_puts(&c->out, "]}");
    return 0;
}

static int dept_get(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return dept_render(c, id, 200);
}

static const zf_json_field DEPT_SPEC[] = {
    {"code", ZF_JT_STRING, 1, 32, "统一编码"},
    {"name", ZF_JT_STRING, 1, 100, "名称"},
    {"short_name", ZF_JT_STRING, 0, 50, "简称"},
    {"kind", ZF_JT_STRING, 0, 50, "主体类别"},
    {"address", ZF_JT_STRING, 0, 200, "地址"},
    {"postcode", ZF_JT_STRING, 0, 10, "邮政编码"},
    {"phone", ZF_JT_STRING, 0, 40, "联系电话"},
    {"email", ZF_JT_STRING, 0, 254, "电子邮箱"},
    {"website", ZF_JT_STRING, 0, 200, "网站"},
    {"duties", ZF_JT_STRING, 0, 5000, "职责"},
    {"area", ZF_JT_STRING, 0, 1000, "执法区域"},
    {"supervision_contact", ZF_JT_STRING, 0, 200, "监督电话"},
    {NULL, 0, 0, 0, NULL},
};
#define NDEPT_FIELDS 12

/* Same order as DEPT_SPEC: the load for a merge and the binds for a write
 * walk the spec. */
static const col DEPT_EDIT[] = {
    {"code", C_TEXT, NULL, "\"code\":"},
    {"name", C_TEXT, NULL, "\"name\":"},
    {"short_name", C_TEXT, NULL, "\"short_name\":"},
    {"kind", C_TEXT, NULL, "\"kind\":"},
    {"address", C_TEXT, NULL, "\"address\":"},
    {"postcode", C_TEXT, NULL, "\"postcode\":"},
    {"phone", C_TEXT, NULL, "\"phone\":"},
    {"email", C_TEXT, NULL, "\"email\":"},
    {"website", C_TEXT, NULL, "\"website\":"},
    {"duties", C_TEXT, NULL, "\"duties\":"},
    {"area", C_TEXT, NULL, "\"area\":"},
    {"supervision_contact", C_TEXT, NULL, "\"supervision_contact\":"},
};

static int dept_check(zf_ctx *c, json_t *m, int creating)
{
    const char *s;

    if (creating && jnull(m, "kind"))
        json_object_set_new(m, "kind", json_string("enforcement"));
    if (!only_chars(jstr(m, "code"), ""))
        return invalid(&c->err, "code", "统一编码只能包含英文字母和数字（最多 32 位）");
    if (*(s = jstr(m, "postcode")) && !plausible_postcode(s))
        return invalid(&c->err, "postcode", "邮政编码应为 6 位数字");
    if (*(s = jstr(m, "phone")) && !plausible_phone(s))
        return invalid(&c->err, "phone", "联系电话格式不正确，只能包含数字、“-”、“+”、括号和空格");
    if (*(s = jstr(m, "email")) && !plausible_email(s))
        return invalid(&c->err, "email", "电子邮箱格式不正确");
    if (*(s = jstr(m, "website")) && !plausible_url(s))
        return invalid(&c->err, "website", "网站地址应以 http:// 或 https:// 开头且不含空格");
    return 0;
}

static int dept_save(zf_ctx *c, json_t *m, json_t *in, int64_t *id)
{
    zf_stmt *st = NULL;
    char detail[1024];
    int rc, i, creating = *id == 0;

    (void)in;
    if ((rc = taken(c, "SELECT 1 FROM departments WHERE code = $1 AND id <> $2", jstr(m, "code"),
                    *id)) != 0)
        return rc < 0 ? rc : duplicate(c, "code", "统一编码", jstr(m, "code"));
    if ((rc = taken(c, "SELECT 1 FROM departments WHERE name = $1 AND id <> $2", jstr(m, "name"),
                    *id)) != 0)
        return rc < 0 ? rc : duplicate(c, "name", "执法主体名称", jstr(m, "name"));
    if (creating)
        rc = zf_db_prepare(&st, c->db,
                           "INSERT INTO departments (code, name, short_name, kind, address, "
                           "postcode, phone, email, website, duties, area, supervision_contact, "
                           "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                           "$10, $11, $12, $13, $13) RETURNING id",
                           &c->err);
    else
        rc = zf_db_prepare(&st, c->db,
                           "UPDATE departments SET code = $1, name = $2, short_name = $3, "
                           "kind = $4, address = $5, postcode = $6, phone = $7, email = $8, "
                           "website = $9, duties = $10, area = $11, supervision_contact = $12, "
                           "updated_at = $13 WHERE id = $14",
                           &c->err);
    if (rc < 0)
        return rc;
    for (i = 0; i < NDEPT_FIELDS; i++)
        zf_stmt_bind_text(st, i + 1, jstr(m, DEPT_SPEC[i].name), -1);
    zf_stmt_bind_int64(st, 13, c->now);
    if (!creating)
        zf_stmt_bind_int64(st, 14, *id);
    rc = exec_write(c, st, creating ? id : NULL);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    snprintf(detail, sizeof detail, "%s %s", jstr(m, "code"), jstr(m, "name"));
    return audit(c, creating ? "department_create" : "department_update", "department", *id,
                 detail);
}

static const writer DEPT_WRITER = {
    DEPT_SPEC,
    "SELECT code, name, short_name, kind, address, postcode, phone, email, website, duties, "
    "area, supervision_contact FROM departments WHERE id = $1",
    DEPT_EDIT,
    NDEPT_FIELDS,
    "执法主体",
    dept_check,
    dept_save,
    dept_render,
};

static int dept_create(zf_ctx *c)
{
    return do_write(c, &DEPT_WRITER, 0);
}

static int dept_update(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return do_write(c, &DEPT_WRITER, id);
}

/* ---- units ---- */

static int unit_render(zf_ctx *c, int64_t id, int status)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, department_id, name, duties, area FROM units WHERE id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1) {
        json_begin(c, status);
        put_row(&c->out, st, UNIT_FULL_OUT, 5);
        zf_buf_putc(&c->out, '}');
    }
    zf_stmt_free(st);
    if (rc == 0)
        return not_found(c, "内设机构");
    return rc < 0 ? rc : 0;
}

static const zf_json_field UNIT_SPEC[] = {
    {"name", ZF_JT_STRING, 1, 100, "内设机构名称"},
    {"duties", ZF_JT_STRING, 0, 5000, "职责"},
    {"area", ZF_JT_STRING, 0, 1000, "执法区域"},
    {NULL, 0, 0, 0, NULL},
};

static const col UNIT_EDIT[] = {
    {"name", C_TEXT, NULL, "\"name\":"},
    {"duties", C_TEXT, NULL, "\"duties\":"},
    {"area", C_TEXT, NULL, "\"area\":"},
    {"department_id", C_INT, NULL, "\"department_id\":"},
};

static int unit_check(zf_ctx *c, json_t *m, int creating)
{
    (void)c;
    (void)m;
    (void)creating;
    return 0;
}

static int unit_save(zf_ctx *c, json_t *m, json_t *in, int64_t *id)
{
    zf_stmt *st = NULL;
    int64_t dept;
    int rc, creating = *id == 0;

    (void)in;
    if (creating) {
        /* POST /departments/{id}/units: the department is the path's */
        if ((rc = zf_ctx_param_id(c, 0, &dept)) < 0)
            return rc;
        if ((rc = run_ids(c, "SELECT 1 FROM departments WHERE id = $1", dept, 0)) <= 0)
            return rc < 0 ? rc : not_found(c, "执法主体");
    } else {
        dept = jint(m, "department_id");
    }
    if ((rc = zf_db_prepare(
             &st, c->db, "SELECT 1 FROM units WHERE department_id = $1 AND name = $2 AND id <> $3",
             &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, dept);
    zf_stmt_bind_text(st, 2, jstr(m, "name"), -1);
    zf_stmt_bind_int64(st, 3, *id);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    st = NULL;
    if (rc != 0)
        return rc < 0 ? rc : duplicate(c, "name", "内设机构", jstr(m, "name"));
    if (creating)
        rc = zf_db_prepare(&st, c->db,
                           "INSERT INTO units (department_id, name, duties, area) "
                           "VALUES ($4, $1, $2, $3) RETURNING id",
                           &c->err);
    else
        rc = zf_db_prepare(&st, c->db,
                           "UPDATE units SET name = $1, duties = $2, area = $3 WHERE id = $4",
                           &c->err);
    if (rc < 0)
        return rc;
    zf_stmt_bind_text(st, 1, jstr(m, "name"), -1);
    zf_stmt_bind_text(st, 2, jstr(m, "duties"), -1);
    zf_stmt_bind_text(st, 3, jstr(m, "area"), -1);
    zf_stmt_bind_int64(st, 4, creating ? dept : *id);
    rc = exec_write(c, st, creating ? id : NULL);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    return audit(c, creating ? "unit_create" : "unit_update", "unit", *id, jstr(m, "name"));
}

static const writer UNIT_WRITER = {
    UNIT_SPEC,  "SELECT name, duties, area, department_id FROM units WHERE id = $1",
    UNIT_EDIT,  4,
    "内设机构", unit_check,
    unit_save,  unit_render,
};

static int unit_create(zf_ctx *c)
{
    int64_t dept;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &dept)) < 0)
        return rc;
    return do_write(c, &UNIT_WRITER, 0);
}

static int unit_update(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return do_write(c, &UNIT_WRITER, id);
}

/* =====================================================================
 * Officers (执法人员)
 * ===================================================================== */

#define OFFICER_COLS                                                                     \
    "o.id, o.department_id, d.name, o.unit_id, u.name, o.name, o.gender, o.position, "   \
    "o.certificate_no, o.certificate_valid_from, o.certificate_valid_to, o.categories, " \
    "o.status, o.status, o.legal_qualified"
#define OFFICER_FROM                                                 \
    " FROM officers o JOIN departments d ON d.id = o.department_id " \
    "LEFT JOIN units u ON u.id = o.unit_id"

#define OFFICER_WHERE                                              \
    " WHERE (CAST($3 AS BIGINT) IS NULL OR o.department_id = $3)"  \
    " AND (CAST($4 AS BIGINT) IS NULL OR o.unit_id = $4)"          \
    " AND (CAST($5 AS TEXT) IS NULL OR o.status = $5)"             \
    " AND (CAST($6 AS TEXT) IS NULL OR lower(o.name) LIKE lower($6) ESCAPE '\\'" \
    " OR lower(o.certificate_no) LIKE lower($6) ESCAPE '\\')"

static const col OFFICER_OUT[] = {
    {"id", C_INT, NULL, "\"id\":"},
    {"department_id", C_INT, NULL, "\"department_id\":"},
    {"department_name", C_TEXT, NULL, "\"department_name\":"},
    {"unit_id", C_INT_NULL, NULL, "\"unit_id\":"},
    {"unit_name", C_TEXT_NULL, NULL, "\"unit_name\":"},
    {"name", C_TEXT, NULL, "\"name\":"},
    {"gender", C_TEXT, NULL, "\"gender\":"},
    {"position", C_TEXT, NULL, "\"position\":"},
    {"certificate_no", C_TEXT, NULL, "\"certificate_no\":"},
    {"certificate_valid_from", C_TEXT, NULL, "\"certificate_valid_from\":"},
    {"certificate_valid_to", C_TEXT, NULL, "\"certificate_valid_to\":"},
    {"categories", C_JSON_ARRAY, NULL, "\"categories\":"},
    {"status", C_TEXT, NULL, "\"status\":"},
    {"status_name", C_NAME, OFFICER_STATUS, "\"status_name\":"},
    {"legal_qualified", C_BOOL, NULL, "\"legal_qualified\":"},
};
#define NOFFICER_OUT ((int)(sizeof OFFICER_OUT / sizeof OFFICER_OUT[0]))

typedef struct officer_filter {
    int64_t dept, unit;
    const char *status;
    const char *like;
} officer_filter;

static int officer_bind(zf_stmt *st, const void *p)
{
    const officer_filter *f = p;

    bind_id_or_null(st, 3, f->dept);
    bind_id_or_null(st, 4, f->unit);
    zf_stmt_bind_text_or_null(st, 5, f->status);
    return zf_stmt_bind_text_or_null(st, 6, f->like);
}

static int officer_list(zf_ctx *c)
{
    static const zf_sort_key keys[] = {{"name", "o.name"},
                                       {"certificate_no", "o.certificate_no"},
                                       {"valid_to", "o.certificate_valid_to"},
                                       {"department", "d.name"},
                                       {NULL, NULL}};
    officer_filter f = {0};
    zf_list_params lp;
    char like[LIKE_MAX], sql[2048];
    int rc;

    if ((rc = zf_list_params_read(&lp, c, keys)) < 0 ||
        (rc = query_id(c, "department_id", &f.dept)) < 0 ||
        (rc = query_id(c, "unit_id", &f.unit)) < 0)
        return rc;
    f.status = zf_ctx_query(c, "status");
    if (f.status && !*f.status)
        f.status = NULL;
    if (f.status && !name_of(OFFICER_STATUS, f.status))
        return invalid(&c->err, "status", "状态只能是 active、suspended 或 revoked");
    if (lp.q) {
        like_pattern(like, lp.q);
        f.like = like;
    }
    snprintf(sql, sizeof sql,
             "SELECT " OFFICER_COLS OFFICER_FROM OFFICER_WHERE
             " ORDER BY %s %s, o.id LIMIT $1 OFFSET $2",
             lp.sort_column, lp.sort_desc ? "DESC" : "ASC");
    return run_list(c, sql, "SELECT COUNT(*)" OFFICER_FROM OFFICER_WHERE, officer_bind, &f,
                    OFFICER_OUT, NOFFICER_OUT, &lp);
}

static int officer_render(zf_ctx *c, int64_t id, int status)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, c->db, "SELECT " OFFICER_COLS OFFICER_FROM " WHERE o.id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1) {
        json_begin(c, status);
        put_row(&c->out, st, OFFICER_OUT, NOFFICER_OUT);
        zf_buf_putc(&c->out, '}');
    }
    zf_stmt_free(st);
    if (rc == 0)
        return not_found(c, "执法人员");
    return rc < 0 ? rc : 0;
}

static int officer_get(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return officer_render(c, id, 200);
}

static const zf_json_field OFFICER_SPEC[] = {
    {"department_id", ZF_JT_INT, 1, 0, "所属部门"},
    {"unit_id", ZF_JT_INT, 0, 0, "内设机构"},
    {"name", ZF_JT_STRING, 1, 50, "姓名"},
    {"gender", ZF_JT_STRING, 0, 2, "性别"},
    {"position", ZF_JT_STRING, 0, 50, "职务"},
    {"certificate_no", ZF_JT_STRING, 1, 40, "执法证号"},
    {"certificate_valid_from", ZF_JT_DATE, 1, 10, "证件有效期起始日"},
    {"certificate_valid_to", ZF_JT_DATE, 1, 10, "证件有效期截止日"},
    {"categories", ZF_JT_ARRAY, 0, 20, "执法类别"},
    {"status", ZF_JT_STRING, 0, 20, "状态"},
    {"legal_qualified", ZF_JT_BOOL, 0, 0, "法律职业资格"},
    {NULL, 0, 0, 0, NULL},
};

static const col OFFICER_EDIT[] = {
    {"department_id", C_INT, NULL, "\"department_id\":"},
    {"unit_id", C_INT_NULL, NULL, "\"unit_id\":"},
    {"name", C_TEXT, NULL, "\"name\":"},
    {"gender", C_TEXT, NULL, "\"gender\":"},
    {"position", C_TEXT, NULL, "\"position\":"},
    {"certificate_no", C_TEXT, NULL, "\"certificate_no\":"},
    {"certificate_valid_from", C_TEXT, NULL, "\"certificate_valid_from\":"},
    {"certificate_valid_to", C_TEXT, NULL, "\"certificate_valid_to\":"},
    {"categories", C_JSON_ARRAY, NULL, "\"categories\":"},
    {"status", C_TEXT, NULL, "\"status\":"},
    {"legal_qualified", C_BOOL, NULL, "\"legal_qualified\":"},
};

/* Checks the categories array in place: strings, not blank, at most 50
 * characters each, no repeats. */
static int check_categories(zf_ctx *c, json_t *arr)
{
    size_t i, j;

    for (i = 0; i < json_array_size(arr); i++) {
        json_t *v = json_array_get(arr, i);
        const char *s = json_string_value(v);
        if (!s)
            return zf_err_set(&c->err, ZF_EINVAL, "wrong_type", "categories",
                              "执法类别第 %zu 项应为字符串", i + 1);
        if (is_blank(s) || strlen(s) != json_string_length(v))
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "categories",
                              "执法类别第 %zu 项不能为空", i + 1);
        if (code_points(s) > 50)
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "categories",
                              "执法类别第 %zu 项过长（最多 50 个字符）", i + 1);
        for (j = 0; j < i; j++)
            if (strcmp(s, json_string_value(json_array_get(arr, j))) == 0)
                return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "categories",
                                  "执法类别“%s”重复", s);
    }
    return 0;
}

static int officer_check(zf_ctx *c, json_t *m, int creating)
{
    const char *g = jstr(m, "gender");
    int rc;

    (void)creating;
    if (jint(m, "department_id") <= 0)
        return invalid(&c->err, "department_id", "所属部门无效");
    if (!jnull(m, "unit_id") && jint(m, "unit_id") <= 0)
        return invalid(&c->err, "unit_id", "内设机构无效");
    if (*g && strcmp(g, "男") != 0 && strcmp(g, "女") != 0)
        return invalid(&c->err, "gender", "性别只能是“男”或“女”");
    if (!no_space(jstr(m, "certificate_no")))
        return invalid(&c->err, "certificate_no", "执法证号不能包含空格或控制字符");
    if (strcmp(jstr(m, "certificate_valid_from"), jstr(m, "certificate_valid_to")) > 0)
        return invalid(&c->err, "certificate_valid_to", "证件有效期截止日不能早于起始日");
    if (jnull(m, "categories"))
        json_object_set_new(m, "categories", json_array());
    if ((rc = check_categories(c, json_object_get(m, "categories"))) < 0)
        return rc;
    if (jnull(m, "status"))
        json_object_set_new(m, "status", json_string("active"));
    if (!name_of(OFFICER_STATUS, jstr(m, "status")))
        return invalid(&c->err, "status",
                       "状态只能是 active（在岗）、suspended（暂停执法）或 revoked（已注销）");
    if (jnull(m, "legal_qualified"))
        json_object_set_new(m, "legal_qualified", json_false());
    return own_dept_target(c, jint(m, "department_id"));
}

/* The department exists and the unit, if any, belongs to it. */
static int check_dept_unit(zf_ctx *c, int64_t dept, json_t *m)
{
    int64_t unit_dept;
    int rc;

    if ((rc = run_ids(c, "SELECT 1 FROM departments WHERE id = $1", dept, 0)) <= 0)
        return rc < 0 ? rc : invalid(&c->err, "department_id", "所属部门不存在");
    if (!m || jnull(m, "unit_id"))
        return 0;
    if ((rc = lookup_int(c, "SELECT department_id FROM units WHERE id = $1", jint(m, "unit_id"),
                         &unit_dept)) <= 0)
        return rc < 0 ? rc : invalid(&c->err, "unit_id", "内设机构不存在");
    if (unit_dept != dept)
        return invalid(&c->err, "unit_id", "所选内设机构不属于该部门");
    return 0;
}

static int officer_save(zf_ctx *c, json_t *m, json_t *in, int64_t *id)
{
    zf_stmt *st = NULL;
    char *cats = NULL;
    char detail[512];
    int rc, creating = *id == 0;

    (void)in;
    if ((rc = check_dept_unit(c, jint(m, "department_id"), m)) < 0)
        return rc;
    if ((rc = taken(c, "SELECT 1 FROM officers WHERE certificate_no = $1 AND id <> $2",
                    jstr(m, "certificate_no"), *id)) != 0)
        return rc < 0 ? rc : duplicate(c, "certificate_no", "执法证号", jstr(m, "certificate_no"));
    if (creating)
        rc = zf_db_prepare(&st, c->db,
                           "INSERT INTO officers (department_id, unit_id, name, gender, position, "
                           "certificate_no, certificate_valid_from, certificate_valid_to, "
                           "categories, status, legal_qualified, created_at, updated_at) VALUES "
                           "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
                           &c->err);
    else
        rc = zf_db_prepare(&st, c->db,
                           "UPDATE officers SET department_id = $1, unit_id = $2, name = $3, "
                           "gender = $4, position = $5, certificate_no = $6, "
                           "certificate_valid_from = $7, certificate_valid_to = $8, "
                           "categories = $9, status = $10, legal_qualified = $11, "
                           "updated_at = $12 WHERE id = $13",
                           &c->err);
    if (rc < 0)
        return rc;
    cats = json_dumps(json_object_get(m, "categories"), JSON_COMPACT);
    zf_stmt_bind_int64(st, 1, jint(m, "department_id"));
    bind_id_or_null(st, 2, jnull(m, "unit_id") ? 0 : jint(m, "unit_id"));
    zf_stmt_bind_text(st, 3, jstr(m, "name"), -1);
    zf_stmt_bind_text(st, 4, jstr(m, "gender"), -1);
    zf_stmt_bind_text(st, 5, jstr(m, "position"), -1);
    zf_stmt_bind_text(st, 6, jstr(m, "certificate_no"), -1);
    zf_stmt_bind_text(st, 7, jstr(m, "certificate_valid_from"), -1);
    zf_stmt_bind_text(st, 8, jstr(m, "certificate_valid_to"), -1);
    zf_stmt_bind_text(st, 9, cats ? cats : "[]", -1);
    zf_stmt_bind_text(st, 10, jstr(m, "status"), -1);
    zf_stmt_bind_int64(st, 11, json_is_true(json_object_get(m, "legal_qualified")));
    zf_stmt_bind_int64(st, 12, c->now);
    if (!creating)
        zf_stmt_bind_int64(st, 13, *id);
    rc = exec_write(c, st, creating ? id : NULL);
    zf_stmt_free(st);
    free(cats);
    if (rc < 0)
        return rc;
    snprintf(detail, sizeof detail, "%s %s %s", jstr(m, "name"), jstr(m, "certificate_no"),
             jstr(m, "status"));
    return audit(c, creating ? "officer_create" : "officer_update", "officer", *id, detail);
}

static const writer OFFICER_WRITER = {
    OFFICER_SPEC,
    "SELECT department_id, unit_id, name, gender, position, certificate_no, "
    "certificate_valid_from, certificate_valid_to, categories, status, legal_qualified "
    "FROM officers WHERE id = $1",
    OFFICER_EDIT,
    11,
    "执法人员",
    officer_check,
    officer_save,
    officer_render,
};

static int officer_create(zf_ctx *c)
{
    return do_write(c, &OFFICER_WRITER, 0);
}

static int officer_update(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return do_write(c, &OFFICER_WRITER, id);
}

/* =====================================================================
 * Matters (执法事项)
 * ===================================================================== */

#define MATTER_COLS                                                               \
    "m.id, m.department_id, d.name, m.code, m.name, m.power_type, m.power_type, " \
    "m.legal_basis, m.procedure, m.time_limit_days, m.accepting_body, m.approving_body, m.fee"
#define MATTER_FROM " FROM matters m JOIN departments d ON d.id = m.department_id"
#define MATTER_WHERE                                              \
    " WHERE (CAST($3 AS BIGINT) IS NULL OR m.department_id = $3)" \
    " AND (CAST($4 AS TEXT) IS NULL OR m.power_type = $4)"        \
    " AND (CAST($5 AS TEXT) IS NULL OR lower(m.name) LIKE lower($5) ESCAPE '\\'" \
    " OR lower(m.code) LIKE lower($5) ESCAPE '\\')"

static const col MATTER_OUT[] = {
    {"id", C_INT, NULL, "\"id\":"},
    {"department_id", C_INT, NULL, "\"department_id\":"},
    {"department_name", C_TEXT, NULL, "\"department_name\":"},
    {"code", C_TEXT, NULL, "\"code\":"},
    {"name", C_TEXT, NULL, "\"name\":"},
    {"power_type", C_TEXT, NULL, "\"power_type\":"},
    {"power_type_name", C_NAME, POWER_TYPES, "\"power_type_name\":"},
    {"legal_basis", C_TEXT, NULL, "\"legal_basis\":"},
    {"procedure", C_TEXT, NULL, "\"procedure\":"},
    {"time_limit_days", C_INT_NULL, NULL, "\"time_limit_days\":"},
    {"accepting_body", C_TEXT, NULL, "\"accepting_body\":"},
    {"approving_body", C_TEXT, NULL, "\"approving_body\":"},
    {"fee", C_TEXT, NULL, "\"fee\":"},
};
#define NMATTER_OUT ((int)(sizeof MATTER_OUT / sizeof MATTER_OUT[0]))

static const col BASIS_OUT[] = {
    {"law_id", C_INT, NULL, "\"law_id\":"},
    {"law_title", C_TEXT, NULL, "\"law_title\":"},
    {"article_no", C_INT, NULL, "\"article_no\":"},
    {"article_label", C_TEXT_NULL, NULL, "\"article_label\":"},
};

static const col BENCH_OUT[] = {
    {"id", C_INT, NULL, "\"id\":"},
    {"violation", C_TEXT, NULL, "\"violation\":"},
    {"circumstance", C_TEXT, NULL, "\"circumstance\":"},
    {"penalty_range", C_TEXT, NULL, "\"penalty_range\":"},
    {"min_fine", C_NUM_NULL, NULL, "\"min_fine\":"},
    {"max_fine", C_NUM_NULL, NULL, "\"max_fine\":"},
};

typedef struct matter_filter {
    int64_t dept;
    const char *power_type;
    const char *like;
} matter_filter;

static int matter_bind(zf_stmt *st, const void *p)
{
    const matter_filter *f = p;

    bind_id_or_null(st, 3, f->dept);
    zf_stmt_bind_text_or_null(st, 4, f->power_type);
    return zf_stmt_bind_text_or_null(st, 5, f->like);
}

/* One page of matters with each one's basis articles: two queries in all
 * (the second selects the basis rows of exactly that page), never one per
 * matter. */
static int matter_list(zf_ctx *c)
{
    static const zf_sort_key keys[] = {
        {"code", "m.code"}, {"name", "m.name"}, {"department", "d.name"}, {NULL, NULL}};
    struct item {
        int64_t id;
        zf_buf row, basis;
    } items[100];
    matter_filter f = {0};
    zf_list_params lp;
    zf_stmt *st = NULL;
    char like[LIKE_MAX], sql[2048], order[96];
    int64_t total = 0;
    int rc, n = 0, i;

    if ((rc = zf_list_params_read(&lp, c, keys)) < 0 ||
        (rc = query_id(c, "department_id", &f.dept)) < 0)
        return rc;
    f.power_type = zf_ctx_query(c, "power_type");
    if (f.power_type && !*f.power_type)
        f.power_type = NULL;
    if (f.power_type && !name_of(POWER_TYPES, f.power_type))
        return invalid(
            &c->err, "power_type",
            "职权类型只能是 licensing、penalty、coercion、inspection、expropriation 或 other");
    if (lp.q) {
        like_pattern(like, lp.q);
        f.like = like;
    }
    snprintf(order, sizeof order, " ORDER BY %s %s, m.id LIMIT $1 OFFSET $2", lp.sort_column,
             lp.sort_desc ? "DESC" : "ASC");
    snprintf(sql, sizeof sql, "SELECT " MATTER_COLS MATTER_FROM MATTER_WHERE "%s", order);
    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, lp.per_page);
    zf_stmt_bind_int64(st, 2, lp.offset);
    matter_bind(st, &f);
    while (n < 100 && (rc = zf_stmt_step(st, &c->err)) == 1) {
        items[n].id = zf_stmt_int64(st, 0);
        zf_buf_init(&items[n].row, 0);
        zf_buf_init(&items[n].basis, 0);
        put_row(&items[n].row, st, MATTER_OUT, NMATTER_OUT);
        n++;
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if ((rc = list_total(c, &total, "SELECT COUNT(*)" MATTER_FROM MATTER_WHERE, matter_bind, &f,
                         &lp, n)) < 0)
        goto done;
    if (n > 0) {
        snprintf(sql, sizeof sql,
                 "SELECT b.matter_id, b.law_id, l.title, b.article_no, a.label "
                 "FROM matter_basis b JOIN laws l ON l.id = b.law_id "
                 "LEFT JOIN law_articles a ON a.law_id = b.law_id AND a.no = b.article_no "
                 "WHERE b.matter_id IN (SELECT m.id" MATTER_FROM MATTER_WHERE "%s) "
                 "ORDER BY b.matter_id, b.law_id, b.article_no",
                 order);
        if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
            goto done;
        zf_stmt_bind_int64(st, 1, lp.per_page);
        zf_stmt_bind_int64(st, 2, lp.offset);
        matter_bind(st, &f);
        while ((rc = zf_stmt_step(st, &c->err)) == 1) {
            int64_t mid = zf_stmt_int64(st, 0);
            for (i = 0; i < n && items[i].id != mid; i++)
                ;
            if (i == n)
                continue;
            if (items[i].basis.len)
                zf_buf_putc(&items[i].basis, ',');
            put_row_from(&items[i].basis, st, BASIS_OUT, 4, 1);
            zf_buf_putc(&items[i].basis, '}');
        }
        if (rc < 0)
            goto done;
    }
    json_begin(c, 200);
    zf_buf_puts(&c->out, "{\"items\":[");
    for (i = 0; i < n; i++) {
        if (i)
            zf_buf_putc(&c->out, ',');
        zf_buf_append(&c->out, items[i].row.ptr, items[i].row.len);
        zf_buf_puts(&c->out, ",\"basis\":[");
        zf_buf_append(&c->out, zf_buf_str(&items[i].basis), items[i].basis.len);
        zf_buf_puts(&c->out, "]}");
    }
    put_list_tail(c, total, &lp);
    rc = 0;
done:
    zf_stmt_free(st);
    for (i = 0; i < n; i++) {
        zf_buf_free(&items[i].row);
        zf_buf_free(&items[i].basis);
    }
    return rc;
}

/* Appends ,"key":[rows...] from a statement bound with $1 = id. */
static int put_children(zf_ctx *c, const char *key, const char *sql, int64_t id, const col *cols,
                        int ncols)
{
    zf_stmt *st = NULL;
    int rc, n = 0;

    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    zf_buf_puts(&c->out, ",\"");
    zf_buf_puts(&c->out, key);
    zf_buf_puts(&c->out, "\":[");
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        if (n++)
            zf_buf_putc(&c->out, ',');
        put_row(&c->out, st, cols, ncols);
        zf_buf_putc(&c->out, '}');
    }
    zf_stmt_free(st);
    zf_buf_putc(&c->out, ']');
    return rc < 0 ? rc : 0;
}

static int matter_render(zf_ctx *c, int64_t id, int status)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, c->db, "SELECT " MATTER_COLS MATTER_FROM " WHERE m.id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1) {
        json_begin(c, status);
        put_row(&c->out, st, MATTER_OUT, NMATTER_OUT);
    }
    zf_stmt_free(st);
    if (rc <= 0)
        return rc < 0 ? rc : not_found(c, "执法事项");
    if ((rc = put_children(c, "basis",
                           "SELECT b.law_id, l.title, b.article_no, a.label FROM matter_basis b "
                           "JOIN laws l ON l.id = b.law_id LEFT JOIN law_articles a "
                           "ON a.law_id = b.law_id AND a.no = b.article_no "
                           "WHERE b.matter_id = $1 ORDER BY b.law_id, b.article_no",
                           id, BASIS_OUT, 4)) < 0 ||
        (rc = put_children(c, "benchmarks",
                           "SELECT id, violation, circumstance, penalty_range, min_fine, max_fine "
                           "FROM benchmarks WHERE matter_id = $1 ORDER BY id",
                           id, BENCH_OUT, 6)) < 0)
        return rc;
    zf_buf_putc(&c->out, '}');
    return 0;
}

static int matter_get(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return matter_render(c, id, 200);
}

static const zf_json_field MATTER_SPEC[] = {
    {"department_id", ZF_JT_INT, 1, 0, "所属部门"},
    {"code", ZF_JT_STRING, 1, 64, "事项编码"},
    {"name", ZF_JT_STRING, 1, 200, "事项名称"},
    {"power_type", ZF_JT_STRING, 1, 20, "职权类型"},
    {"legal_basis", ZF_JT_STRING, 0, 5000, "设定依据"},
    {"basis", ZF_JT_ARRAY, 0, 100, "法律依据条款"},
    {"procedure", ZF_JT_STRING, 0, 10000, "办理流程"},
    {"time_limit_days", ZF_JT_INT, 0, 0, "办理时限"},
    {"accepting_body", ZF_JT_STRING, 0, 200, "受理机构"},
    {"approving_body", ZF_JT_STRING, 0, 200, "决定机构"},
    {"fee", ZF_JT_STRING, 0, 200, "收费标准"},
    {"benchmarks", ZF_JT_ARRAY, 0, 200, "裁量基准"},
    {NULL, 0, 0, 0, NULL},
};

static const zf_json_field BASIS_SPEC[] = {
    {"law_id", ZF_JT_INT, 1, 0, "法规"},
    {"article_no", ZF_JT_INT, 1, 0, "条号"},
    {NULL, 0, 0, 0, NULL},
};

static const zf_json_field BENCH_SPEC[] = {
    {"violation", ZF_JT_STRING, 1, 1000, "违法行为"},
    {"circumstance", ZF_JT_STRING, 1, 500, "违法情节"},
    {"penalty_range", ZF_JT_STRING, 1, 1000, "处罚幅度"},
    {"min_fine", ZF_JT_NUMBER, 0, 0, "最低罚款"},
    {"max_fine", ZF_JT_NUMBER, 0, 0, "最高罚款"},
    {NULL, 0, 0, 0, NULL},
};

static const col MATTER_EDIT[] = {
    {"department_id", C_INT, NULL, "\"department_id\":"},
    {"code", C_TEXT, NULL, "\"code\":"},
    {"name", C_TEXT, NULL, "\"name\":"},
    {"power_type", C_TEXT, NULL, "\"power_type\":"},
    {"legal_basis", C_TEXT, NULL, "\"legal_basis\":"},
    {"procedure", C_TEXT, NULL, "\"procedure\":"},
    {"time_limit_days", C_INT_NULL, NULL, "\"time_limit_days\":"},
    {"accepting_body", C_TEXT, NULL, "\"accepting_body\":"},
    {"approving_body", C_TEXT, NULL, "\"approving_body\":"},
    {"fee", C_TEXT, NULL, "\"fee\":"},
};

/* Replaces m[key] (an array of objects, or null) with its decoded items;
 * absent stays absent ("leave as stored" on PUT). */
static int decode_items(zf_ctx *c, json_t *m, const char *key, const char *label,
                        const zf_json_field *spec)
{
    json_t *arr = json_object_get(m, key), *out, *item;
    size_t i;
    int rc;

    if (!arr)
        return 0;
    out = json_array();
    for (i = 0; i < json_array_size(arr); i++) {
        if ((rc = decode_item(&item, json_array_get(arr, i), spec, key, label, i, &c->err)) < 0) {
            json_decref(out);
            return rc;
        }
        json_array_append_new(out, item);
    }
    json_object_set_new(m, key, out);
    return 0;
}

static int fine_ok(json_t *v)
{
    return !v || json_is_null(v) || (json_number_value(v) >= 0 && json_number_value(v) <= 1e12);
}

static int matter_check(zf_ctx *c, json_t *m, int creating)
{
    json_t *arr;
    size_t i, j;
    int rc;

    (void)creating;
    if (jint(m, "department_id") <= 0)
        return invalid(&c->err, "department_id", "所属部门无效");
    if (!only_chars(jstr(m, "code"), "-_."))
        return invalid(&c->err, "code", "事项编码只能包含英文字母、数字和“-”“_”“.”");
    if (!name_of(POWER_TYPES, jstr(m, "power_type")))
        return invalid(
            &c->err, "power_type",
            "职权类型只能是 licensing（行政许可）、penalty（行政处罚）、coercion（行政强制）、"
            "inspection（行政检查）、expropriation（行政征收征用）或 other（其他）");
    if (!jnull(m, "time_limit_days") &&
        (jint(m, "time_limit_days") < 0 || jint(m, "time_limit_days") > 3650))
        return invalid(&c->err, "time_limit_days", "办理时限应为 0 到 3650 之间的天数");
    if ((rc = decode_items(c, m, "basis", "法律依据条款", BASIS_SPEC)) < 0 ||
        (rc = decode_items(c, m, "benchmarks", "裁量基准", BENCH_SPEC)) < 0)
        return rc;
    arr = json_object_get(m, "basis");
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *b = json_array_get(arr, i);
        if (jint(b, "law_id") <= 0 || jint(b, "article_no") <= 0)
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "basis",
                              "法律依据条款第 %zu 项的法规或条号无效", i + 1);
        for (j = 0; j < i; j++) {
            json_t *p = json_array_get(arr, j);
            if (jint(p, "law_id") == jint(b, "law_id") &&
                jint(p, "article_no") == jint(b, "article_no"))
                return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "basis",
                                  "法律依据条款第 %zu 项与第 %zu 项重复", i + 1, j + 1);
        }
    }
    arr = json_object_get(m, "benchmarks");
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *b = json_array_get(arr, i), *lo = json_object_get(b, "min_fine"),
               *hi = json_object_get(b, "max_fine");
        if (!fine_ok(lo) || !fine_ok(hi))
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "benchmarks",
                              "裁量基准第 %zu 项的罚款金额应在 0 到 1 万亿元之间", i + 1);
        if (json_is_number(lo) && json_is_number(hi) &&
            json_number_value(lo) > json_number_value(hi))
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "benchmarks",
                              "裁量基准第 %zu 项的最低罚款不能高于最高罚款", i + 1);
    }
    return own_dept_target(c, jint(m, "department_id"));
}

static int matter_save(zf_ctx *c, json_t *m, json_t *in, int64_t *id)
{
    zf_stmt *st = NULL;
    json_t *basis = json_object_get(m, "basis"), *bench = json_object_get(m, "benchmarks");
    char detail[512];
    size_t i;
    int rc, creating = *id == 0;
    static const char *const text_fields[] = {"code",           "name",      "power_type",
                                              "legal_basis",    "procedure", "accepting_body",
                                              "approving_body", "fee"};

    (void)in;
    if ((rc = check_dept_unit(c, jint(m, "department_id"), NULL)) < 0)
        return rc;
    if ((rc = taken(c, "SELECT 1 FROM matters WHERE code = $1 AND id <> $2", jstr(m, "code"),
                    *id)) != 0)
        return rc < 0 ? rc : duplicate(c, "code", "事项编码", jstr(m, "code"));
    for (i = 0; i < json_array_size(basis); i++) {
        json_t *b = json_array_get(basis, i);
        if ((rc = run_ids(c, "SELECT 1 FROM law_articles WHERE law_id = $1 AND no = $2",
                            jint(b, "law_id"), jint(b, "article_no"))) <= 0)
            return rc < 0
                       ? rc
                       : zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "basis",
                                    "法律依据条款第 %zu 项引用的条文不存在（法规 %lld 第 %lld 条）",
                                    i + 1, (long long)jint(b, "law_id"),
                                    (long long)jint(b, "article_no"));
    }
    if (creating)
        rc = zf_db_prepare(&st, c->db,
                           "INSERT INTO matters (code, name, power_type, legal_basis, procedure, "
                           "accepting_body, approving_body, fee, department_id, time_limit_days, "
                           "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                           "$10, $11, $11) RETURNING id",
                           &c->err);
    else
        rc = zf_db_prepare(&st, c->db,
                           "UPDATE matters SET code = $1, name = $2, power_type = $3, "
                           "legal_basis = $4, procedure = $5, accepting_body = $6, "
                           "approving_body = $7, fee = $8, department_id = $9, "
                           "time_limit_days = $10, updated_at = $11 WHERE id = $12",
                           &c->err);
    if (rc < 0)
        return rc;
    for (i = 0; i < 8; i++)
        zf_stmt_bind_text(st, (int)i + 1, jstr(m, text_fields[i]), -1);
    zf_stmt_bind_int64(st, 9, jint(m, "department_id"));
    if (jnull(m, "time_limit_days"))
        zf_stmt_bind_null(st, 10);
    else
        zf_stmt_bind_int64(st, 10, jint(m, "time_limit_days"));
    zf_stmt_bind_int64(st, 11, c->now);
    if (!creating)
        zf_stmt_bind_int64(st, 12, *id);
    rc = exec_write(c, st, creating ? id : NULL);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        return rc;
    if (basis) {
        if (!creating &&
            (rc = run_ids(c, "DELETE FROM matter_basis WHERE matter_id = $1", *id, 0)) < 0)
            return rc;
        for (i = 0; i < json_array_size(basis); i++) {
            json_t *b = json_array_get(basis, i);
            if ((rc = zf_db_prepare(&st, c->db,
                                    "INSERT INTO matter_basis (matter_id, law_id, article_no) "
                                    "VALUES ($1, $2, $3)",
                                    &c->err)) < 0)
                return rc;
            zf_stmt_bind_int64(st, 1, *id);
            zf_stmt_bind_int64(st, 2, jint(b, "law_id"));
            zf_stmt_bind_int64(st, 3, jint(b, "article_no"));
            rc = exec_write(c, st, NULL);
            zf_stmt_free(st);
            st = NULL;
            if (rc < 0)
                return rc;
        }
    }
    if (bench) {
        if (!creating &&
            (rc = run_ids(c, "DELETE FROM benchmarks WHERE matter_id = $1", *id, 0)) < 0)
            return rc;
        for (i = 0; i < json_array_size(bench); i++) {
            json_t *b = json_array_get(bench, i), *lo = json_object_get(b, "min_fine"),
                   *hi = json_object_get(b, "max_fine");
            if ((rc = zf_db_prepare(&st, c->db,
                                    "INSERT INTO benchmarks (matter_id, violation, circumstance, "
                                    "penalty_range, min_fine, max_fine) VALUES ($1, $2, $3, $4, "
                                    "$5, $6)",
                                    &c->err)) < 0)
                return rc;
            zf_stmt_bind_int64(st, 1, *id);
            zf_stmt_bind_text(st, 2, jstr(b, "violation"), -1);
            zf_stmt_bind_text(st, 3, jstr(b, "circumstance"), -1);
            zf_stmt_bind_text(st, 4, jstr(b, "penalty_range"), -1);
            if (json_is_number(lo))
                zf_stmt_bind_double(st, 5, json_number_value(lo));
            else
                zf_stmt_bind_null(st, 5);
            if (json_is_number(hi))
                zf_stmt_bind_double(st, 6, json_number_value(hi));
            else
                zf_stmt_bind_null(st, 6);
            rc = exec_write(c, st, NULL);
            zf_stmt_free(st);
            st = NULL;
            if (rc < 0)
                return rc;
        }
    }
    snprintf(detail, sizeof detail, "%s %s", jstr(m, "code"), jstr(m, "name"));
    return audit(c, creating ? "matter_create" : "matter_update", "matter", *id, detail);
}

static const writer MATTER_WRITER = {
    MATTER_SPEC,
    "SELECT department_id, code, name, power_type, legal_basis, procedure, time_limit_days, "
    "accepting_body, approving_body, fee FROM matters WHERE id = $1",
    MATTER_EDIT,
    10,
    "执法事项",
    matter_check,
    matter_save,
    matter_render,
};

static int matter_create(zf_ctx *c)
{
    return do_write(c, &MATTER_WRITER, 0);
}

static int matter_update(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return do_write(c, &MATTER_WRITER, id);
}

/* =====================================================================
 * Laws (法律法规)
 * ===================================================================== */

#define LAW_COLS                                              \
    "l.id, l.title, l.category, l.issuer, l.effective_date, " \
    "(SELECT COUNT(*) FROM law_articles a WHERE a.law_id = l.id) AS article_count"

#define LAW_WHERE                                          \
    " WHERE (CAST($3 AS TEXT) IS NULL OR l.category = $3)" \
    " AND (CAST($4 AS TEXT) IS NULL OR lower(l.title) LIKE lower($4) ESCAPE '\\')"

static const col LAW_OUT[] = {
    {"id", C_INT, NULL, "\"id\":"},
    {"title", C_TEXT, NULL, "\"title\":"},
    {"category", C_TEXT, NULL, "\"category\":"},
    {"issuer", C_TEXT, NULL, "\"issuer\":"},
    {"effective_date", C_TEXT, NULL, "\"effective_date\":"},
    {"article_count", C_INT, NULL, "\"article_count\":"},
};
#define NLAW_OUT ((int)(sizeof LAW_OUT / sizeof LAW_OUT[0]))

static const col ARTICLE_OUT[] = {
    {"no", C_INT, NULL, "\"no\":"},
    {"label", C_TEXT, NULL, "\"label\":"},
    {"text", C_TEXT, NULL, "\"text\":"},
};

typedef struct law_filter {
    const char *category;
    const char *like;
} law_filter;

static int law_bind(zf_stmt *st, const void *p)
{
    const law_filter *f = p;

    zf_stmt_bind_text_or_null(st, 3, f->category);
    return zf_stmt_bind_text_or_null(st, 4, f->like);
}

static int law_list(zf_ctx *c)
{
    static const zf_sort_key keys[] = {
        {"title", "l.title"}, {"effective_date", "l.effective_date"}, {NULL, NULL}};
    law_filter f = {0};
    zf_list_params lp;
    char like[LIKE_MAX], sql[1024];
    int rc;

    if ((rc = zf_list_params_read(&lp, c, keys)) < 0)
        return rc;
    f.category = zf_ctx_query(c, "category");
    if (f.category && !*f.category)
        f.category = NULL;
    if (f.category && strlen(f.category) > 200)
        return invalid(&c->err, "category", "类别过长");
    if (lp.q) {
        like_pattern(like, lp.q);
        f.like = like;
    }
    snprintf(sql, sizeof sql,
             "SELECT " LAW_COLS " FROM laws l" LAW_WHERE " ORDER BY %s %s, l.id LIMIT $1 OFFSET $2",
             lp.sort_column, lp.sort_desc ? "DESC" : "ASC");
    return run_list(c, sql, "SELECT COUNT(*) FROM laws l" LAW_WHERE, law_bind, &f, LAW_OUT,
                    NLAW_OUT, &lp);
}

/* LAW + "articles"; only article number `article` when it is not 0. */
static int law_render_one(zf_ctx *c, int64_t id, int64_t article, int status)
{
    zf_stmt *st = NULL;
    int rc, n = 0;

    if ((rc = zf_db_prepare(&st, c->db, "SELECT " LAW_COLS " FROM laws l WHERE l.id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1) {
        json_begin(c, status);
        put_row(&c->out, st, LAW_OUT, NLAW_OUT);
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc <= 0)
        return rc < 0 ? rc : not_found(c, "法律法规");
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT no, label, text FROM law_articles WHERE law_id = $1 "
                            "AND ($2 = 0 OR no = $2) ORDER BY no",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_int64(st, 2, article);
    zf_buf_puts(&c->out, ",\"articles\":[");
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        if (n++)
            zf_buf_putc(&c->out, ',');
        put_row(&c->out, st, ARTICLE_OUT, 3);
        zf_buf_putc(&c->out, '}');
    }
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    if (article && n == 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", "article", "该法规没有第 %lld 条",
                          (long long)article);
    zf_buf_puts(&c->out, "]}");
    return 0;
}

static int law_render(zf_ctx *c, int64_t id, int status)
{
    return law_render_one(c, id, 0, status);
}

static int law_get(zf_ctx *c)
{
    int64_t id, article;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = query_id(c, "article", &article)) < 0)
        return rc;
    return law_render_one(c, id, article, 200);
}

static const zf_json_field LAW_SPEC[] = {
    {"title", ZF_JT_STRING, 1, 200, "法规名称"},  {"category", ZF_JT_STRING, 0, 50, "类别"},
    {"issuer", ZF_JT_STRING, 0, 100, "制定机关"}, {"effective_date", ZF_JT_DATE, 0, 10, "施行日期"},
    {"articles", ZF_JT_ARRAY, 0, 5000, "条文"},   {NULL, 0, 0, 0, NULL},
};

static const zf_json_field ARTICLE_SPEC[] = {
    {"no", ZF_JT_INT, 1, 0, "条号"},
    {"label", ZF_JT_STRING, 0, 40, "条标"},
    {"text", ZF_JT_STRING, 1, 20000, "条文内容"},
    {NULL, 0, 0, 0, NULL},
};

/* Writes n (1..9999) in Chinese numerals as used in article labels:
 * 10 → 十, 21 → 二十一, 105 → 一百零五, 1010 → 一千零一十. */
static void cn_number(char *out, size_t cap, int n)
{
    static const char *const digit[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    static const char *const unit[] = {"千", "百", "十", ""};
    int parts[4] = {n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10};
    int i, started = 0, zero = 0;

    out[0] = '\0';
    for (i = 0; i < 4; i++) {
        if (parts[i] == 0) {
            zero = started;
            continue;
        }
        if (zero)
            strncat(out, digit[0], cap - strlen(out) - 1);
        zero = 0;
        if (!(i == 2 && parts[i] == 1 && !started))
            strncat(out, digit[parts[i]], cap - strlen(out) - 1);
        strncat(out, unit[i], cap - strlen(out) - 1);
        started = 1;
    }
}

static int law_check(zf_ctx *c, json_t *m, int creating)
{
    json_t *arr;
    size_t i, j;
    int rc;

    (void)creating;
    if (jnull(m, "articles"))
        json_object_set_new(m, "articles", json_array());
    if ((rc = decode_items(c, m, "articles", "条文", ARTICLE_SPEC)) < 0)
        return rc;
    arr = json_object_get(m, "articles");
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *a = json_array_get(arr, i);
        int64_t no = jint(a, "no");
        if (no < 1 || no > 9999)
            return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "articles",
                              "条文第 %zu 项的条号应为 1 到 9999 之间的整数", i + 1);
        for (j = 0; j < i; j++)
            if (jint(json_array_get(arr, j), "no") == no)
                return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "articles",
                                  "条号 %lld 重复出现", (long long)no);
        if (is_blank(jstr(a, "label"))) {
            char num[64], label[80];
            cn_number(num, sizeof num, (int)no);
            snprintf(label, sizeof label, "第%s条", num);
            json_object_set_new(a, "label", json_string(label));
        }
    }
    return 0;
}

static int law_save(zf_ctx *c, json_t *m, json_t *in, int64_t *id)
{
    zf_stmt *st = NULL;
    json_t *arr = json_object_get(m, "articles");
    size_t i;
    int rc;

    (void)in;
    if ((rc = taken(c, "SELECT 1 FROM laws WHERE title = $1 AND id <> $2", jstr(m, "title"), 0)) !=
        0)
        return rc < 0 ? rc : duplicate(c, "title", "法律法规", jstr(m, "title"));
    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO laws (title, category, issuer, effective_date, "
                            "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, jstr(m, "title"), -1);
    zf_stmt_bind_text(st, 2, jstr(m, "category"), -1);
    zf_stmt_bind_text(st, 3, jstr(m, "issuer"), -1);
    zf_stmt_bind_text(st, 4, jstr(m, "effective_date"), -1);
    zf_stmt_bind_int64(st, 5, c->now);
    rc = exec_write(c, st, id);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        return rc;
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *a = json_array_get(arr, i);
        if ((rc = zf_db_prepare(&st, c->db,
                                "INSERT INTO law_articles (law_id, no, label, text) "
                                "VALUES ($1, $2, $3, $4)",
                                &c->err)) < 0)
            return rc;
        zf_stmt_bind_int64(st, 1, *id);
        zf_stmt_bind_int64(st, 2, jint(a, "no"));
        zf_stmt_bind_text(st, 3, jstr(a, "label"), -1);
        zf_stmt_bind_text(st, 4, jstr(a, "text"), -1);
        rc = exec_write(c, st, NULL);
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            return rc;
    }
    return audit(c, "law_create", "law", *id, jstr(m, "title"));
}

static const writer LAW_WRITER = {
    LAW_SPEC, NULL, NULL, 0, "法律法规", law_check, law_save, law_render,
};

static int law_create(zf_ctx *c)
{
    return do_write(c, &LAW_WRITER, 0);
}

/* =====================================================================
 * Department resolvers for zf_authz_check (called for heads only)
 * ===================================================================== */

/* Department of the object named by {id}, through sql ($1 = id). */
static int64_t resolve_by(zf_ctx *c, const char *sql, const char *what)
{
    int64_t id, dept;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = lookup_int(c, sql, id, &dept)) < 0)
        return rc;
    if (rc == 0)
        return not_found(c, what);
    return dept;
}

static int64_t resolve_dept_path(zf_ctx *c)
{
    return resolve_by(c, "SELECT id FROM departments WHERE id = $1", "执法主体");
}

static int64_t resolve_unit(zf_ctx *c)
{
    return resolve_by(c, "SELECT department_id FROM units WHERE id = $1", "内设机构");
}

static int64_t resolve_officer(zf_ctx *c)
{
    return resolve_by(c, "SELECT department_id FROM officers WHERE id = $1", "执法人员");
}

static int64_t resolve_matter(zf_ctx *c)
{
    return resolve_by(c, "SELECT department_id FROM matters WHERE id = $1", "执法事项");
}

/* department_id of a create request's body; a body that does not decode
 * gets its 400 here, before any permission answer. */
static int64_t resolve_body(zf_ctx *c, const zf_json_field *spec)
{
    json_t *in = NULL;
    int64_t dept;
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    dept = jint(in, "department_id");
    json_decref(in);
    if (dept <= 0)
        return invalid(&c->err, "department_id", "所属部门无效");
    return dept;
}

static int64_t resolve_officer_body(zf_ctx *c)
{
    return resolve_body(c, OFFICER_SPEC);
}

static int64_t resolve_matter_body(zf_ctx *c)
{
    return resolve_body(c, MATTER_SPEC);
}

#define READ ZF_ROLES_LIBRARY_READ
#define ADMIN ZF_ROLE_ADMIN

const zf_route zf_library_routes[] = {
    {"GET", "/api/v1/departments", dept_list, READ, 0, NULL, 0},
    {"POST", "/api/v1/departments", dept_create, ADMIN, 0, NULL, 0},
    {"GET", "/api/v1/departments/{id}", dept_get, READ, 0, NULL, 0},
    {"PUT", "/api/v1/departments/{id}", dept_update, ADMIN, 0, NULL, 0},
    {"POST", "/api/v1/departments/{id}/units", unit_create, WRITERS, OWN_DEPT, resolve_dept_path,
     0},
    {"PUT", "/api/v1/units/{id}", unit_update, WRITERS, OWN_DEPT, resolve_unit, 0},

    {"GET", "/api/v1/officers", officer_list, READ, 0, NULL, 0},
    {"POST", "/api/v1/officers", officer_create, WRITERS, OWN_DEPT, resolve_officer_body, 0},
    {"GET", "/api/v1/officers/{id}", officer_get, READ, 0, NULL, 0},
    {"PUT", "/api/v1/officers/{id}", officer_update, WRITERS, OWN_DEPT, resolve_officer, 0},

    {"GET", "/api/v1/matters", matter_list, READ, 0, NULL, 0},
    {"POST", "/api/v1/matters", matter_create, WRITERS, OWN_DEPT, resolve_matter_body, 0},
    {"GET", "/api/v1/matters/{id}", matter_get, READ, 0, NULL, 0},
    {"PUT", "/api/v1/matters/{id}", matter_update, WRITERS, OWN_DEPT, resolve_matter, 0},

    {"GET", "/api/v1/laws", law_list, READ, 0, NULL, 0},
    {"POST", "/api/v1/laws", law_create, ADMIN, 0, NULL, 0},
    {"GET", "/api/v1/laws/{id}", law_get, READ, 0, NULL, 0},
    {NULL, NULL, NULL, 0, 0, NULL, 0},
};
