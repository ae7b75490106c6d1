/* auth.c — login, logout, the current user, own password and TOTP, and API
 * tokens. The rules live in auth/session.c and auth/password.c; this file
 * decodes requests and encodes answers. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/session.h"
#include "auth/totp.h"
#include "store/settings.h"
#include "store/audit.h"
#include "util/mem.h"

/* Builds the USER object of the API contract. */
static int user_json(json_t **out, zf_db *db, int64_t user_id, const zf_settings *settings, int64_t now,
                     zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;
    unsigned role;
    zf_password_policy policy;
    int demo_mode = zf_settings_demo_mode(settings);

    zf_settings_password_policy(settings, &policy);

    *out = NULL;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT u.id, u.username, u.display_name, u.role, u.department_id, d.name, "
                            "u.totp_enabled, u.password_changed_at, u.disabled, u.last_login_at, u.officer_id "
                            "FROM users u JOIN departments d ON d.id = u.department_id WHERE u.id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, user_id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        role = zf_role_from_code(zf_stmt_text(st, 3));
        *out = json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:b,s:b,s:b,s:o}", "id",
                         (json_int_t)zf_stmt_int64(st, 0), "username", zf_stmt_text(st, 1),
                         "display_name", zf_stmt_text(st, 2), "role", zf_stmt_text(st, 3), "role_name",
                         zf_role_name(role) ? zf_role_name(role) : "", "department_id",
                         (json_int_t)zf_stmt_int64(st, 4), "department_name", zf_stmt_text(st, 5),
                         "totp_enabled", (int)zf_stmt_int64(st, 6), "totp_required",
                         (role & ZF_ROLES_TOTP_REQUIRED) && !demo_mode, "password_expired",
                         zf_password_expired(&policy, zf_stmt_int64(st, 7), now),
                         "officer_id", zf_json_int_or_null(st, 10));
        rc = *out ? 0 : zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "生成响应失败");
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "用户不存在");
    }
    zf_stmt_free(st);
    return rc;
}

static int demo_mode(zf_ctx *c)
{
    return zf_settings_demo_mode(c->settings);
}

static void set_session_cookie(zf_ctx *c, const char *token, int max_age)
{
    char cookie[256];

    snprintf(cookie, sizeof cookie, "zf_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
             token, max_age, c->secure ? "; Secure" : "");
    zf_ctx_header(c, "Set-Cookie", cookie);
}

static int me_response(zf_ctx *c, int64_t user_id, const char *csrf)
{
    json_t *user;
    int rc;

    if ((rc = user_json(&user, c->db, user_id, c->settings, c->now, &c->err)) < 0)
        return rc;
    return zf_ctx_json(c, 200, json_pack("{s:o,s:s}", "user", user, "csrf_token", csrf ? csrf : ""));
}

static int h_login(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"username", ZF_JT_STRING, 1, 64, "用户名"},
        {"password", ZF_JT_STRING, 1, 256, "密码"},
        {"totp", ZF_JT_STRING, 0, 16, "动态验证码"},
        {NULL},
    };
    json_t *in = NULL;
    zf_login_request req;
    zf_principal who;
    char token[ZF_TOKEN_SIZE];
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    memset(&req, 0, sizeof req);
    req.username = json_string_value(json_object_get(in, "username"));
    req.password = json_string_value(json_object_get(in, "password"));
    req.totp = json_string_value(json_object_get(in, "totp"));
    req.ip = c->ip;
    req.request_id = c->request_id;
    req.now = c->now;
    req.demo_mode = demo_mode(c);
    rc = zf_login(&who, token, c->db, &req, &c->err);
    json_decref(in);
    if (rc < 0)
        return rc;
    set_session_cookie(c, token, ZF_SESSION_MAX_SECONDS);
    c->audit_user = who.username;
    return me_response(c, who.user_id, who.csrf_token);
}

static int h_logout(zf_ctx *c)
{
    const char *cookie = c->session_token;
    int rc;

    if (cookie && (rc = zf_session_logout(c->db, cookie, c->who, c->ip, c->now, &c->err)) < 0)
        return rc;
    set_session_cookie(c, "", 0);
    return zf_ctx_json(c, 200, json_pack("{s:b}", "ok", 1));
}

static int h_me(zf_ctx *c)
{
    return me_response(c, c->who->user_id, c->who->csrf_token);
}

static int h_change_password(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"old_password", ZF_JT_STRING, 1, 256, "原密码"},
        {"new_password", ZF_JT_STRING, 1, 256, "新密码"},
        {NULL},
    };
    zf_password_policy policy;
    char hash[ZF_PASSWORD_HASH_BYTES], old_hash[ZF_PASSWORD_HASH_BYTES] = "";
    json_t *in = NULL;
    zf_stmt *st = NULL;
    const char *oldpw, *newpw;
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    zf_settings_password_policy(c->settings, &policy);
    oldpw = json_string_value(json_object_get(in, "old_password"));
    newpw = json_string_value(json_object_get(in, "new_password"));
    if ((rc = zf_db_prepare(&st, c->db, "SELECT password_hash FROM users WHERE id = $1", &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, c->who->user_id);
    if (zf_stmt_step(st, &c->err) == 1)
        snprintf(old_hash, sizeof old_hash, "%s", zf_stmt_text(st, 0));
    zf_stmt_free(st);
    st = NULL;
    if (!zf_password_verify(old_hash, oldpw)) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "old_password", "原密码不正确");
        goto done;
    }
    if ((rc = zf_password_check_policy(&policy, newpw, c->who->username, &c->err)) < 0) {
        snprintf(c->err.field, sizeof c->err.field, "new_password");
        goto done;
    }
    if ((rc = zf_password_hash(hash, newpw, &c->err)) < 0 || (rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            "UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, c->who->user_id);
    zf_stmt_bind_text(st, 2, hash, -1);
    zf_stmt_bind_int64(st, 3, c->now);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    {
        zf_audit_event ev = {c->now, c->who->user_id, c->who->username, "password_change", "user",
                             c->who->username, c->ip, c->request_id, ""};
        if ((rc = zf_audit_write(c->db, &ev, &c->err)) < 0)
            goto fail;
    }
    if ((rc = zf_db_commit(c->db, &c->err)) < 0)
        goto done;
    rc = zf_ctx_json(c, 200, json_pack("{s:b}", "ok", 1));
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    zf_stmt_free(st);
    json_decref(in);
    return rc;
}

/* "read" or "read,write" as stored → ["read"] or ["read","write"]. */
static json_t *scopes_json(const char *stored)
{
    return strstr(stored, "write") ? json_pack("[s,s]", "read", "write") : json_pack("[s]", "read");
}

/* TOTP enrolment: setup stores a pending secret (not yet enabled); enable
 * turns it on once the user proves their app produces the right codes. */
static int h_totp_setup(zf_ctx *c)
{
    char secret[ZF_TOTP_SECRET_B32_SIZE];
    char *uri = NULL;
    zf_stmt *st = NULL;
    int rc;

    if (zf_totp_generate_secret(secret) < 0 || zf_totp_uri(&uri, "zhifa", c->who->username, secret) < 0)
        return zf_err_set(&c->err, ZF_EINTERNAL, NULL, NULL, "无法生成密钥");
    /* in a transaction: only zf_db_commit makes the secret durable before
     * the user is shown it */
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            "UPDATE users SET totp_secret = $2 WHERE id = $1 AND totp_enabled = 0", &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, c->who->user_id);
    zf_stmt_bind_text(st, 2, secret, -1);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto fail;
    if (zf_db_changes(c->db) == 0) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "totp_already_enabled", NULL,
                        "已启用动态验证码；如需更换请联系系统管理员重置");
        goto fail;
    }
    zf_stmt_free(st);
    st = NULL;
    if ((rc = zf_db_commit(c->db, &c->err)) < 0)
        goto done;
    rc = zf_ctx_json(c, 200, json_pack("{s:s,s:s}", "secret", secret, "otpauth_uri", uri));
    goto done;
fail:
    zf_stmt_free(st);
    st = NULL;
    zf_db_rollback(c->db);
done:
    zf_stmt_free(st);
    free(uri);
    return rc;
}

static int h_totp_enable(zf_ctx *c)
{
    static const zf_json_field spec[] = {{"code", ZF_JT_STRING, 1, 8, "动态验证码"}, {NULL}};
    json_t *in = NULL;
    zf_stmt *st = NULL;
    char secret[128] = "";
    int64_t step = 0;
    int rc, enabled = 0;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, c->db, "SELECT COALESCE(totp_secret, ''), totp_enabled FROM users WHERE id = $1",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, c->who->user_id);
    if (zf_stmt_step(st, &c->err) == 1) {
        snprintf(secret, sizeof secret, "%s", zf_stmt_text(st, 0));
        enabled = (int)zf_stmt_int64(st, 1);
    }
    zf_stmt_free(st);
    st = NULL;
    if (enabled || !secret[0]) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "conflict", NULL,
                        enabled ? "已启用动态验证码" : "请先生成动态验证码密钥");
        goto done;
    }
    if (zf_totp_verify(secret, json_string_value(json_object_get(in, "code")), c->now, 1, &step) != 1) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "totp_invalid", "code", "动态验证码错误，请核对手机时间后重试");
        goto done;
    }
    /* the change and its ledger event in one transaction (fail closed),
     * durable before the answer */
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db, "UPDATE users SET totp_enabled = 1, totp_last_step = $2 WHERE id = $1",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, c->who->user_id);
    zf_stmt_bind_int64(st, 2, step);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto fail;
    zf_stmt_free(st);
    st = NULL;
    {
        zf_audit_event ev = {c->now, c->who->user_id, c->who->username, "totp_enable", "user",
                             c->who->username, c->ip, c->request_id, ""};
        if ((rc = zf_audit_write(c->db, &ev, &c->err)) < 0)
            goto fail;
    }
    if ((rc = zf_db_commit(c->db, &c->err)) < 0)
        goto done;
    rc = zf_ctx_json(c, 200, json_pack("{s:b}", "ok", 1));
    goto done;
fail:
    zf_stmt_free(st);
    st = NULL;
    zf_db_rollback(c->db);
done:
    zf_stmt_free(st);
    json_decref(in);
    return rc;
}

static int h_tokens_list(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int rc;

    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, name, scopes, created_at, last_used_at FROM api_tokens "
                            "WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, c->who->user_id);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, json_pack("{s:I,s:s,s:o,s:I,s:o}", "id", (json_int_t)zf_stmt_int64(st, 0),
                                               "name", zf_stmt_text(st, 1), "scopes", scopes_json(zf_stmt_text(st, 2)),
                                               "created_at", (json_int_t)zf_stmt_int64(st, 3),
                                               "last_used_at", zf_json_int_or_null(st, 4)));
    if (rc == 0) {
        rc = zf_ctx_json(c, 200, json_pack("{s:O}", "items", items));
    }
done:
    json_decref(items);
    zf_stmt_free(st);
    return rc;
}

static int h_tokens_create(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"name", ZF_JT_STRING, 1, 64, "令牌名称"},
        {"scopes", ZF_JT_ARRAY, 0, 2, "权限范围"},
        {NULL},
    };
    char token[ZF_API_TOKEN_SIZE], hash[ZF_TOKEN_HASH_SIZE];
    json_t *in = NULL, *scopes, *v;
    zf_stmt *st = NULL;
    size_t i;
    int rc, write = 0;
    int64_t id = 0;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    scopes = json_object_get(in, "scopes");
    json_array_foreach(scopes, i, v) {
        if (!json_is_string(v) ||
            (strcmp(json_string_value(v), "read") != 0 && strcmp(json_string_value(v), "write") != 0)) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "scopes", "权限范围只能是 read 或 write");
            goto done;
        }
        if (strcmp(json_string_value(v), "write") == 0)
            write = 1;
    }
    if (zf_token_api_new(token) < 0 || zf_token_hash(hash, token, strlen(token)) < 0) {
        rc = zf_err_set(&c->err, ZF_EINTERNAL, NULL, NULL, "无法生成令牌");
        goto done;
    }
    /* token row and ledger event in one transaction (fail closed), durable
     * before the token is shown */
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at) "
                            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, c->who->user_id);
    zf_stmt_bind_text(st, 2, json_string_value(json_object_get(in, "name")), -1);
    zf_stmt_bind_text(st, 3, hash, -1);
    zf_stmt_bind_text(st, 4, write ? "read,write" : "read", -1);
    zf_stmt_bind_int64(st, 5, c->now);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto fail;
    id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    {
        char oid[32];
        zf_audit_event ev = {c->now, c->who->user_id, c->who->username, "api_token_create", "api_token",
                             oid, c->ip, c->request_id, ""};
        snprintf(oid, sizeof oid, "%lld", (long long)id);
        if ((rc = zf_audit_write(c->db, &ev, &c->err)) < 0)
            goto fail;
    }
    if ((rc = zf_db_commit(c->db, &c->err)) < 0)
        goto done;
    rc = zf_ctx_json(c, 201, json_pack("{s:I,s:s,s:o}", "id", (json_int_t)id, "token", token, "scopes",
                                       scopes_json(write ? "read,write" : "read")));
    goto done;
fail:
    zf_stmt_free(st);
    st = NULL;
    zf_db_rollback(c->db);
done:
    zf_stmt_free(st);
    json_decref(in);
    return rc;
}

static int h_tokens_revoke(zf_ctx *c)
{
    zf_stmt *st = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    /* revocation and its ledger event in one transaction, durable before
     * the answer */
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, c->db,
                            "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_int64(st, 2, c->who->user_id);
    zf_stmt_bind_int64(st, 3, c->now);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    if (rc < 0)
        goto fail;
    if (zf_db_changes(c->db) == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "令牌不存在");
        goto fail;
    }
    {
        char oid[32];
        zf_audit_event ev = {c->now, c->who->user_id, c->who->username, "api_token_revoke", "api_token",
                             oid, c->ip, c->request_id, ""};
        snprintf(oid, sizeof oid, "%lld", (long long)id);
        if ((rc = zf_audit_write(c->db, &ev, &c->err)) < 0)
            goto fail;
    }
    if ((rc = zf_db_commit(c->db, &c->err)) < 0)
        return rc;
    return zf_ctx_json(c, 200, json_pack("{s:b}", "ok", 1));
fail:
    zf_db_rollback(c->db);
    return rc;
}

const zf_route zf_auth_routes[] = {
    {"POST", "/api/v1/auth/login", h_login, ZF_PUBLIC, 0, NULL, ZF_ROUTE_NO_CSRF},
    {"POST", "/api/v1/auth/logout", h_logout, ZF_ROLES_ALL, 0, NULL, 0},
    {"GET", "/api/v1/auth/me", h_me, ZF_ROLES_ALL, 0, NULL, 0},
    {"POST", "/api/v1/auth/password", h_change_password, ZF_ROLES_ALL, 0, NULL, 0},
    {"POST", "/api/v1/auth/totp/setup", h_totp_setup, ZF_ROLES_ALL, 0, NULL, 0},
    {"POST", "/api/v1/auth/totp/enable", h_totp_enable, ZF_ROLES_ALL, 0, NULL, 0},
    {"GET", "/api/v1/auth/tokens", h_tokens_list, ZF_ROLES_ALL, 0, NULL, 0},
    {"POST", "/api/v1/auth/tokens", h_tokens_create, ZF_ROLES_ALL, 0, NULL, 0},
    {"DELETE", "/api/v1/auth/tokens/{id}", h_tokens_revoke, ZF_ROLES_ALL, 0, NULL, 0},
    {NULL},
};
