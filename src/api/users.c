/* users.c — account management for the system administrator: list, create,
 * change role/department/status, reset password, reset TOTP, unlock.
 * Administrators manage accounts; they cannot read case content. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/session.h"
#include "store/audit.h"
#include "store/settings.h"
#include "util/mem.h"

static const zf_sort_key SORT_KEYS[] = {
    {"username", "u.username"},
    {"display_name", "u.display_name"},
    {"role", "u.role"},
    {"department", "d.code"},
    /* NULL (never logged in) sorts first, on PostgreSQL too (NULLs last there) */
    {"last_login_at", "COALESCE(u.last_login_at, -1)"},
    {NULL, NULL},
};

#define USER_SELECT                                                                                \
    "SELECT u.id, u.username, u.display_name, u.role, u.department_id, d.name, u.totp_enabled, "   \
    "u.disabled, u.last_login_at, u.created_at, "                                                  \
    "EXISTS (SELECT 1 FROM login_failures f WHERE f.username = u.username AND f.locked_until > $1) " \
    "FROM users u JOIN departments d ON d.id = u.department_id "

static json_t *user_row(zf_stmt *st)
{
    unsigned role = zf_role_from_code(zf_stmt_text(st, 3));

    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:b,s:b,s:o,s:I,s:b}", "id",
                     (json_int_t)zf_stmt_int64(st, 0), "username", zf_stmt_text(st, 1), "display_name",
                     zf_stmt_text(st, 2), "role", zf_stmt_text(st, 3), "role_name",
                     zf_role_name(role) ? zf_role_name(role) : "", "department_id",
                     (json_int_t)zf_stmt_int64(st, 4), "department_name", zf_stmt_text(st, 5),
                     "totp_enabled", (int)zf_stmt_int64(st, 6), "disabled", (int)zf_stmt_int64(st, 7),
                     "last_login_at", zf_json_int_or_null(st, 8), "created_at",
                     (json_int_t)zf_stmt_int64(st, 9), "locked", (int)zf_stmt_int64(st, 10));
}

static int h_list(zf_ctx *c)
{
    zf_list_params lp;
    zf_buf sql = ZF_BUF_INIT, where = ZF_BUF_INIT;
    zf_stmt *st = NULL;
    json_t *items = json_array();
    const char *dept = zf_ctx_query(c, "department_id"), *role = zf_ctx_query(c, "role");
    char like[256];
    int64_t total = 0;
    int rc;

    if ((rc = zf_list_params_read(&lp, c, SORT_KEYS)) < 0)
        goto done;
    if (role && *role && !zf_role_from_code(role)) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "role", "角色不存在：%s", role);
        goto done;
    }
    zf_buf_puts(&where, "WHERE ($2 = '' OR u.department_id = CAST($2 AS INTEGER)) AND ($3 = '' OR u.role = $3) "
                        /* lower() on both sides: ASCII case ignored on both backends */
                        "AND ($4 = '' OR lower(u.username) LIKE lower($4) ESCAPE '\\' "
                        "OR lower(u.display_name) LIKE lower($4) ESCAPE '\\') ");
    like[0] = '\0';
    if (lp.q) {
        size_t i, n = 0;
        like[n++] = '%';
        for (i = 0; lp.q[i] && n < sizeof like - 3; i++) {
            if (lp.q[i] == '%' || lp.q[i] == '_' || lp.q[i] == '\\')
                like[n++] = '\\';
            like[n++] = lp.q[i];
        }
        like[n++] = '%';
        like[n] = '\0';
    }
    if (dept && *dept && strspn(dept, "0123456789") != strlen(dept)) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "department_id", "部门编号应为整数");
        goto done;
    }
    zf_buf_printf(&sql, "SELECT COUNT(*), $1 FROM users u %s", zf_buf_str(&where));
    if ((rc = zf_db_prepare(&st, c->db, zf_buf_str(&sql), &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, c->now);
    zf_stmt_bind_text(st, 2, dept ? dept : "", -1);
    zf_stmt_bind_text(st, 3, role ? role : "", -1);
    zf_stmt_bind_text(st, 4, like, -1);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto done;
    total = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    zf_buf_reset(&sql);
    zf_buf_printf(&sql, USER_SELECT "%s ORDER BY %s %s, u.id LIMIT $5 OFFSET $6", zf_buf_str(&where),
                  lp.sort_column, lp.sort_desc ? "DESC" : "ASC");
    if ((rc = zf_db_prepare(&st, c->db, zf_buf_str(&sql), &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, c->now);
    zf_stmt_bind_text(st, 2, dept ? dept : "", -1);
    zf_stmt_bind_text(st, 3, role ? role : "", -1);
    zf_stmt_bind_text(st, 4, like, -1);
    zf_stmt_bind_int64(st, 5, lp.per_page);
    zf_stmt_bind_int64(st, 6, lp.offset);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, user_row(st));
    if (rc == 0)
        rc = zf_ctx_json(c, 200, json_pack("{s:O,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total,
                                           "page", (json_int_t)lp.page, "per_page", (json_int_t)lp.per_page));
done:
    zf_stmt_free(st);
    zf_buf_free(&sql);
    zf_buf_free(&where);
    json_decref(items);
    return rc;
}

static int load_one(zf_ctx *c, int64_t id, json_t **out)
{
    zf_stmt *st = NULL;
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, c->db, USER_SELECT "WHERE u.id = $2", &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, c->now);
    zf_stmt_bind_int64(st, 2, id);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1) {
        *out = user_row(st);
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "用户不存在");
    }
    zf_stmt_free(st);
    return rc;
}

static int h_get(zf_ctx *c)
{
    int64_t id;
    json_t *u;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = load_one(c, id, &u)) < 0)
        return rc;
    return zf_ctx_json(c, 200, u);
}

static int dept_exists(zf_ctx *c, int64_t id)
{
    int64_t n = 0;
    char s[32];
    const char *p[1] = {s};

    snprintf(s, sizeof s, "%lld", (long long)id);
    return zf_db_query_int64(c->db, &n, "SELECT COUNT(*) FROM departments WHERE id = CAST($1 AS INTEGER)",
                             NULL, 1, p) == 1 && n == 1;
}

static int audit(zf_ctx *c, const char *action, int64_t id, const char *detail)
{
    char oid[32];
    zf_audit_event ev = {c->now, c->who->user_id, c->who->username, action, "user", oid,
                         c->ip, c->request_id, detail};

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    return zf_audit_write(c->db, &ev, &c->err);
}

/* True when s has a character that is not ASCII white space. */
static int has_text(const char *s)
{
    for (; *s; s++)
        if (!strchr(" \t\r\n", *s))
            return 1;
    return 0;
}

static int valid_username(const char *s)
{
    size_t n = strlen(s);
    return n >= 2 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static int h_create(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"username", ZF_JT_STRING, 1, 32, "用户名"},
        {"display_name", ZF_JT_STRING, 1, 64, "姓名"},
        {"role", ZF_JT_STRING, 1, 16, "角色"},
        {"department_id", ZF_JT_INT, 1, 0, "所属部门"},
        {"password", ZF_JT_STRING, 1, 256, "初始密码"},
        {"officer_id", ZF_JT_INT, 0, 0, "关联执法人员"},
        {NULL},
    };
    zf_password_policy policy;
    char hash[ZF_PASSWORD_HASH_BYTES];
    json_t *in = NULL, *out = NULL;
    zf_stmt *st = NULL;
    const char *username, *role;
    int64_t dept, id = 0;
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    username = json_string_value(json_object_get(in, "username"));
    role = json_string_value(json_object_get(in, "role"));
    dept = json_integer_value(json_object_get(in, "department_id"));
    zf_settings_password_policy(c->settings, &policy);
    if (!valid_username(username)) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "username",
                        "用户名应为 2 到 32 位字母、数字、下划线、点或连字符");
        goto done;
    }
    if (!zf_role_from_code(role)) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "role", "角色不存在：%s", role);
        goto done;
    }
    if (!has_text(json_string_value(json_object_get(in, "display_name")))) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "display_name", "姓名不能为空");
        goto done;
    }
    if (!dept_exists(c, dept)) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "department_id", "所属部门不存在");
        goto done;
    }
    if ((rc = zf_password_check_policy(&policy, json_string_value(json_object_get(in, "password")), username,
                                       &c->err)) < 0 ||
        (rc = zf_password_hash(hash, json_string_value(json_object_get(in, "password")), &c->err)) < 0)
        goto done;
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO users (username, display_name, role, department_id, officer_id, "
                            "password_hash, password_changed_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) "
                            "RETURNING id",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, username, -1);
    zf_stmt_bind_text(st, 2, json_string_value(json_object_get(in, "display_name")), -1);
    zf_stmt_bind_text(st, 3, role, -1);
    zf_stmt_bind_int64(st, 4, dept);
    if (json_is_integer(json_object_get(in, "officer_id")))
        zf_stmt_bind_int64(st, 5, json_integer_value(json_object_get(in, "officer_id")));
    else
        zf_stmt_bind_null(st, 5);
    zf_stmt_bind_text(st, 6, hash, -1);
    zf_stmt_bind_int64(st, 7, c->now);
    rc = zf_stmt_step(st, &c->err);
    if (rc == ZF_ECONFLICT) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "duplicate", "username", "用户名“%s”已存在，或关联的执法人员无效",
                        username);
        goto fail;
    }
    if (rc < 0)
        goto fail;
    id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if ((rc = audit(c, "user_create", id, role)) < 0 || (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    if ((rc = load_one(c, id, &out)) < 0)
        goto done;
    rc = zf_ctx_json(c, 201, out);
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    zf_stmt_free(st);
    json_decref(in);
    return rc;
}

static int h_update(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"display_name", ZF_JT_STRING, 0, 64, "姓名"},
        {"role", ZF_JT_STRING, 0, 16, "角色"},
        {"department_id", ZF_JT_INT, 0, 0, "所属部门"},
        {"disabled", ZF_JT_BOOL, 0, 0, "停用"},
        {NULL},
    };
    json_t *in = NULL, *out = NULL, *v;
    zf_stmt *st = NULL;
    int64_t id;
    int rc, revoke = 0;
    const char *role = NULL;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    if ((v = json_object_get(in, "role")) && json_is_string(v)) {
        role = json_string_value(v);
        if (!zf_role_from_code(role)) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "role", "角色不存在：%s", role);
            goto done;
        }
    }
    if ((v = json_object_get(in, "department_id")) && json_is_integer(v) && !dept_exists(c, json_integer_value(v))) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "department_id", "所属部门不存在");
        goto done;
    }
    if ((v = json_object_get(in, "display_name")) && json_is_string(v) && !has_text(json_string_value(v))) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "display_name", "姓名不能为空");
        goto done;
    }
    if (id == c->who->user_id && (role || json_is_true(json_object_get(in, "disabled")))) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "conflict", NULL, "不能停用自己或修改自己的角色");
        goto done;
    }
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            "UPDATE users SET display_name = COALESCE($2, display_name), role = COALESCE($3, role), "
                            "department_id = COALESCE($4, department_id), disabled = COALESCE($5, disabled) "
                            "WHERE id = $1",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, id);
    v = json_object_get(in, "display_name");
    zf_stmt_bind_text_or_null(st, 2, json_is_string(v) ? json_string_value(v) : NULL);
    zf_stmt_bind_text_or_null(st, 3, role);
    v = json_object_get(in, "department_id");
    if (json_is_integer(v)) {
        zf_stmt_bind_int64(st, 4, json_integer_value(v));
        revoke = 1;
    } else {
        zf_stmt_bind_null(st, 4);
    }
    v = json_object_get(in, "disabled");
    if (json_is_boolean(v)) {
        zf_stmt_bind_int64(st, 5, json_is_true(v));
        revoke |= json_is_true(v);
    } else {
        zf_stmt_bind_null(st, 5);
    }
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    if (zf_db_changes(c->db) == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "用户不存在");
        goto fail;
    }
    if ((role || revoke) && (rc = zf_session_revoke_user(c->db, id, &c->err)) < 0)
        goto fail;
    if ((rc = audit(c, "user_update", id, role ? role : "")) < 0 || (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    if ((rc = load_one(c, id, &out)) < 0)
        goto done;
    rc = zf_ctx_json(c, 200, out);
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    zf_stmt_free(st);
    json_decref(in);
    return rc;
}

/* Runs one UPDATE on user id with an audit row, in one transaction; with
 * revoke_sessions, the user's sessions end in the same transaction (so a
 * reset password that is acknowledged has also durably logged them out). */
static int simple_update(zf_ctx *c, int64_t id, const char *sql, const char *text_param,
                         const char *action, int must_change, int revoke_sessions)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, id);
    if (text_param)
        zf_stmt_bind_text(st, 2, text_param, -1);
    zf_stmt_bind_int64(st, text_param ? 3 : 2, c->now);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    if (rc < 0)
        goto fail;
    if (must_change && zf_db_changes(c->db) == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "用户不存在");
        goto fail;
    }
    if ((revoke_sessions && (rc = zf_session_revoke_user(c->db, id, &c->err)) < 0) ||
        (rc = audit(c, action, id, "")) < 0 || (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    return zf_ctx_json(c, 200, json_pack("{s:b}", "ok", 1));
fail:
    zf_db_rollback(c->db);
    return rc;
}

static int h_password(zf_ctx *c)
{
    static const zf_json_field spec[] = {{"password", ZF_JT_STRING, 1, 256, "新密码"}, {NULL}};
    zf_password_policy policy;
    char hash[ZF_PASSWORD_HASH_BYTES];
    json_t *in = NULL, *u = NULL;
    int64_t id;
    int rc;

    zf_settings_password_policy(c->settings, &policy);
    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = load_one(c, id, &u)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        goto done;
    if ((rc = zf_password_check_policy(&policy, json_string_value(json_object_get(in, "password")),
                                       json_string_value(json_object_get(u, "username")), &c->err)) < 0 ||
        (rc = zf_password_hash(hash, json_string_value(json_object_get(in, "password")), &c->err)) < 0)
        goto done;
    rc = simple_update(c, id, "UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1", hash,
                       "user_password_reset", 1, 1);
done:
    json_decref(in);
    json_decref(u);
    return rc;
}

static int h_reset_totp(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return simple_update(c, id,
                         "UPDATE users SET totp_enabled = 0, totp_secret = NULL, totp_last_step = 0 "
                         "WHERE id = $1 AND $2 > 0",
                         NULL, "user_totp_reset", 1, 0);
}

static int h_unlock(zf_ctx *c)
{
    int64_t id;
    json_t *u = NULL;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = load_one(c, id, &u)) < 0)
        return rc;
    json_decref(u);
    return simple_update(c, id,
                         "DELETE FROM login_failures WHERE username = (SELECT username FROM users WHERE id = $1) "
                         "AND $2 > 0",
                         NULL, "user_unlock", 0, 0);
}

const zf_route zf_user_routes[] = {
    {"GET", "/api/v1/users", h_list, ZF_ROLE_ADMIN, 0, NULL, 0},
    {"POST", "/api/v1/users", h_create, ZF_ROLE_ADMIN, 0, NULL, 0},
    {"GET", "/api/v1/users/{id}", h_get, ZF_ROLE_ADMIN, 0, NULL, 0},
    {"PUT", "/api/v1/users/{id}", h_update, ZF_ROLE_ADMIN, 0, NULL, 0},
    {"POST", "/api/v1/users/{id}/password", h_password, ZF_ROLE_ADMIN, 0, NULL, 0},
    {"POST", "/api/v1/users/{id}/reset-totp", h_reset_totp, ZF_ROLE_ADMIN, 0, NULL, 0},
    {"POST", "/api/v1/users/{id}/unlock", h_unlock, ZF_ROLE_ADMIN, 0, NULL, 0},
    {NULL},
};
