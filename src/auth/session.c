/* session.c — see session.h. */
#include "auth/session.h"

#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/totp.h"
#include "store/audit.h"

static void audit(zf_db *db, int64_t now, int64_t actor, const char *name, const char *action,
                  const char *ip, const char *rid, const char *detail)
{
    zf_audit_event ev = {now, actor, name, action, "user", name, ip, rid, detail};
    zf_audit_write(db, &ev, NULL);
}

static void fill_principal(zf_principal *who, zf_stmt *st, int first)
{
    memset(who, 0, sizeof *who);
    who->user_id = zf_stmt_int64(st, first);
    snprintf(who->username, sizeof who->username, "%s", zf_stmt_text(st, first + 1));
    snprintf(who->display_name, sizeof who->display_name, "%s", zf_stmt_text(st, first + 2));
    who->role = zf_role_from_code(zf_stmt_text(st, first + 3));
    who->department_id = zf_stmt_int64(st, first + 4);
}

#define USER_COLS "u.id, u.username, u.display_name, u.role, u.department_id"

int zf_principal_load(zf_principal *who, zf_db *db, int64_t user_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db, "SELECT " USER_COLS " FROM users u WHERE u.id = $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, user_id);
    rc = zf_stmt_step(st, err);
    if (rc == 1) {
        fill_principal(who, st, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "用户不存在");
    }
    zf_stmt_free(st);
    return rc;
}

/* Returns the seconds left on a lock of (username, ip), 0 if not locked. */
static int64_t lock_remaining(zf_db *db, const char *username, const char *ip, int64_t now)
{
    zf_stmt *st = NULL;
    int64_t left = 0;

    if (zf_db_prepare(&st, db, "SELECT locked_until FROM login_failures WHERE username = $1 AND ip = $2",
                      NULL) < 0)
        return 0;
    zf_stmt_bind_text(st, 1, username, -1);
    zf_stmt_bind_text(st, 2, ip, -1);
    if (zf_stmt_step(st, NULL) == 1 && zf_stmt_int64(st, 0) > now)
        left = zf_stmt_int64(st, 0) - now;
    zf_stmt_free(st);
    return left;
}

/* Counts a failure; returns 1 if this failure locked the pair. Failures older
 * than the lockout window are forgotten, so a lock always ends. */
static int record_failure(zf_db *db, const char *username, const char *ip, int64_t now)
{
    zf_stmt *st = NULL;
    int locked = 0;

    if (zf_db_prepare(&st, db,
                      "INSERT INTO login_failures (username, ip, failures, first_at, locked_until) "
                      "VALUES ($1, $2, 1, $3, 0) "
                      "ON CONFLICT (username, ip) DO UPDATE SET "
                      "failures = CASE WHEN login_failures.first_at < $4 OR login_failures.locked_until > 0 "
                      "  THEN 1 ELSE login_failures.failures + 1 END, "
                      "first_at = CASE WHEN login_failures.first_at < $4 OR login_failures.locked_until > 0 "
                      "  THEN $3 ELSE login_failures.first_at END, "
                      "locked_until = 0 "
                      "RETURNING failures",
                      NULL) < 0)
        return 0;
    zf_stmt_bind_text(st, 1, username, -1);
    zf_stmt_bind_text(st, 2, ip, -1);
    zf_stmt_bind_int64(st, 3, now);
    zf_stmt_bind_int64(st, 4, now - ZF_LOCKOUT_SECONDS);
    if (zf_stmt_step(st, NULL) == 1 && zf_stmt_int64(st, 0) >= ZF_LOCKOUT_FAILURES)
        locked = 1;
    zf_stmt_free(st);
    if (locked && zf_db_prepare(&st, db,
                                "UPDATE login_failures SET locked_until = $3 WHERE username = $1 AND ip = $2",
                                NULL) == 0) {
        zf_stmt_bind_text(st, 1, username, -1);
        zf_stmt_bind_text(st, 2, ip, -1);
        zf_stmt_bind_int64(st, 3, now + ZF_LOCKOUT_SECONDS);
        zf_stmt_step(st, NULL);
        zf_stmt_free(st);
    }
    return locked;
}

static void clear_failures(zf_db *db, const char *username, const char *ip)
{
    zf_stmt *st = NULL;

    if (zf_db_prepare(&st, db, "DELETE FROM login_failures WHERE username = $1 AND ip = $2", NULL) < 0)
        return;
    zf_stmt_bind_text(st, 1, username, -1);
    zf_stmt_bind_text(st, 2, ip, -1);
    zf_stmt_step(st, NULL);
    zf_stmt_free(st);
}

static int new_session(zf_principal *who, char out_token[ZF_TOKEN_SIZE], zf_db *db,
                       const char *ip, int64_t now, zf_err *err)
{
    char hash[ZF_TOKEN_HASH_SIZE], csrf[ZF_TOKEN_SIZE];
    zf_stmt *st = NULL;
    int rc;

    if (zf_token_new(out_token) < 0 || zf_token_new(csrf) < 0 ||
        zf_token_hash(hash, out_token, strlen(out_token)) < 0)
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "无法生成会话");
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, ip) "
                            "VALUES ($1, $2, $3, $4, $4, $5)",
                            err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, hash, -1);
    zf_stmt_bind_int64(st, 2, who->user_id);
    zf_stmt_bind_text(st, 3, csrf, -1);
    zf_stmt_bind_int64(st, 4, now);
    zf_stmt_bind_text(st, 5, ip ? ip : "", -1);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    snprintf(who->csrf_token, sizeof who->csrf_token, "%s", csrf);
    return 0;
}

int zf_login(zf_principal *who, char out_token[ZF_TOKEN_SIZE], zf_db *db,
             const zf_login_request *req, zf_err *err)
{
    zf_stmt *st = NULL;
    char hash[ZF_PASSWORD_HASH_BYTES] = "", secret[128] = "";
    int rc, found = 0, disabled = 0, totp_enabled = 0, ok;
    int64_t last_step = 0, step = 0, left;
    const char *ip = req->ip ? req->ip : "";

    memset(who, 0, sizeof *who);
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    left = lock_remaining(db, req->username, ip, req->now);
    if (left > 0) {
        audit(db, req->now, 0, req->username, "login_refused_locked", ip, req->request_id, "");
        zf_db_commit(db, NULL);
        return zf_err_set(err, ZF_ELOCKED, "account_locked", NULL,
                          "登录失败次数过多，账户已锁定，请 %lld 分钟后再试", (long long)(left + 59) / 60);
    }
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT " USER_COLS ", u.password_hash, u.disabled, u.totp_enabled, "
                            "COALESCE(u.totp_secret, ''), u.totp_last_step FROM users u WHERE u.username = $1",
                            err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, req->username, -1);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto fail;
    if (rc == 1) {
        found = 1;
        fill_principal(who, st, 0);
        snprintf(hash, sizeof hash, "%s", zf_stmt_text(st, 5));
        disabled = (int)zf_stmt_int64(st, 6);
        totp_enabled = (int)zf_stmt_int64(st, 7);
        snprintf(secret, sizeof secret, "%s", zf_stmt_text(st, 8));
        last_step = zf_stmt_int64(st, 9);
    }
    zf_stmt_free(st);
    st = NULL;
    if (found) {
        ok = zf_password_verify(hash, req->password);
    } else {
        zf_password_verify_dummy(req->password); /* same time for unknown users */
        ok = 0;
    }
    if (!ok) {
        int locked = record_failure(db, req->username, ip, req->now);
        audit(db, req->now, found ? who->user_id : 0, req->username, "login_failed", ip,
              req->request_id, found ? "wrong password" : "unknown user");
        if (locked)
            audit(db, req->now, found ? who->user_id : 0, req->username, "lockout", ip,
                  req->request_id, "5 failures");
        zf_db_commit(db, NULL);
        memset(who, 0, sizeof *who);
        if (locked)
            return zf_err_set(err, ZF_ELOCKED, "account_locked", NULL,
                              "登录失败次数过多，账户已锁定，请 15 分钟后再试");
        return zf_err_set(err, ZF_EAUTH, "invalid_credentials", "password", "用户名或密码错误");
    }
    if (disabled) {
        audit(db, req->now, who->user_id, req->username, "login_refused_disabled", ip, req->request_id, "");
        zf_db_commit(db, NULL);
        memset(who, 0, sizeof *who);
        return zf_err_set(err, ZF_EAUTH, "account_disabled", NULL, "该账户已停用，请联系系统管理员");
    }
    if (totp_enabled || ((who->role & ZF_ROLES_TOTP_REQUIRED) && !req->demo_mode)) {
        if (!totp_enabled) {
            /* a role that must use TOTP but has none enrolled cannot log in
             * until an administrator enrols it with `zhifa user reset-totp` */
            audit(db, req->now, who->user_id, req->username, "login_refused_no_totp", ip, req->request_id, "");
            zf_db_commit(db, NULL);
            memset(who, 0, sizeof *who);
            return zf_err_set(err, ZF_EAUTH, "totp_not_enrolled", NULL,
                              "该角色必须使用动态验证码，但尚未绑定，请联系系统管理员");
        }
        if (!req->totp || !*req->totp) {
            zf_db_commit(db, NULL);
            memset(who, 0, sizeof *who);
            return zf_err_set(err, ZF_EAUTH, "totp_required", "totp", "请输入动态验证码");
        }
        if (zf_totp_verify(secret, req->totp, req->now, 1, &step) != 1 || step <= last_step) {
            int locked = record_failure(db, req->username, ip, req->now);
            audit(db, req->now, who->user_id, req->username, "login_failed", ip, req->request_id,
                  "wrong totp");
            if (locked)
                audit(db, req->now, who->user_id, req->username, "lockout", ip, req->request_id, "5 failures");
            zf_db_commit(db, NULL);
            memset(who, 0, sizeof *who);
            if (locked)
                return zf_err_set(err, ZF_ELOCKED, "account_locked", NULL,
                                  "登录失败次数过多，账户已锁定，请 15 分钟后再试");
            return zf_err_set(err, ZF_EAUTH, "totp_invalid", "totp", "动态验证码错误或已使用");
        }
    }
    clear_failures(db, req->username, ip);
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE users SET last_login_at = $2, totp_last_step = "
                            "CASE WHEN $3 > totp_last_step THEN $3 ELSE totp_last_step END WHERE id = $1",
                            err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, who->user_id);
    zf_stmt_bind_int64(st, 2, req->now);
    zf_stmt_bind_int64(st, 3, step);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0 || (rc = new_session(who, out_token, db, ip, req->now, err)) < 0)
        goto fail;
    audit(db, req->now, who->user_id, req->username, "login", ip, req->request_id, "");
    return zf_db_commit(db, err);
fail:
    zf_stmt_free(st);
    zf_db_rollback(db);
    memset(who, 0, sizeof *who);
    return rc;
}

int zf_session_lookup(zf_principal *who, zf_db *db, const char *token, const char *ip,
                      int64_t now, zf_err *err)
{
    char hash[ZF_TOKEN_HASH_SIZE];
    zf_stmt *st = NULL;
    int rc;
    int64_t last_seen;

    (void)ip;
    if (!zf_token_check_format(token, strlen(token), 0) ||
        zf_token_hash(hash, token, strlen(token)) < 0)
        return zf_err_set(err, ZF_EAUTH, "unauthenticated", NULL, "请先登录");
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT " USER_COLS ", s.csrf_token, s.last_seen_at FROM sessions s "
                            "JOIN users u ON u.id = s.user_id "
                            "WHERE s.token_hash = $1 AND u.disabled = 0 AND s.created_at > $2 "
                            "AND s.last_seen_at > $3",
                            err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, hash, -1);
    zf_stmt_bind_int64(st, 2, now - ZF_SESSION_MAX_SECONDS);
    zf_stmt_bind_int64(st, 3, now - ZF_SESSION_IDLE_SECONDS);
    rc = zf_stmt_step(st, err);
    if (rc != 1) {
        zf_stmt_free(st);
        return rc < 0 ? rc : zf_err_set(err, ZF_EAUTH, "unauthenticated", NULL, "登录已过期，请重新登录");
    }
    fill_principal(who, st, 0);
    snprintf(who->csrf_token, sizeof who->csrf_token, "%s", zf_stmt_text(st, 5));
    last_seen = zf_stmt_int64(st, 6);
    zf_stmt_free(st);
    /* refresh the idle timer at most once a minute: a write per request
     * would serialise every reader behind the database's write lock */
    if (now - last_seen >= 60 &&
        zf_db_prepare(&st, db, "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1", NULL) == 0) {
        zf_stmt_bind_text(st, 1, hash, -1);
        zf_stmt_bind_int64(st, 2, now);
        zf_stmt_step(st, NULL);
        zf_stmt_free(st);
    }
    return 0;
}

int zf_session_logout(zf_db *db, const char *token, const zf_principal *who, const char *ip,
                      int64_t now, zf_err *err)
{
    char hash[ZF_TOKEN_HASH_SIZE];
    zf_stmt *st = NULL;
    int rc;

    if (zf_token_hash(hash, token, strlen(token)) < 0)
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "注销失败");
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, db, "DELETE FROM sessions WHERE token_hash = $1", err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, hash, -1);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    if (rc < 0)
        goto fail;
    audit(db, now, who->user_id, who->username, "logout", ip, NULL, "");
    return zf_db_commit(db, err);
fail:
    zf_db_rollback(db);
    return rc;
}

int zf_session_revoke_user(zf_db *db, int64_t user_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db, "DELETE FROM sessions WHERE user_id = $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, user_id);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

int zf_api_token_lookup(zf_principal *who, zf_db *db, const char *token, int64_t now,
                        zf_err *err)
{
    char hash[ZF_TOKEN_HASH_SIZE];
    zf_stmt *st = NULL;
    int rc;

    if (!zf_token_check_format(token, strlen(token), 1) ||
        zf_token_hash(hash, token, strlen(token)) < 0)
        return zf_err_set(err, ZF_EAUTH, "unauthenticated", NULL, "访问令牌无效");
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT " USER_COLS ", t.scopes, t.id, COALESCE(t.last_used_at, 0) "
                            "FROM api_tokens t JOIN users u ON u.id = t.user_id "
                            "WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0",
                            err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, hash, -1);
    rc = zf_stmt_step(st, err);
    if (rc != 1) {
        zf_stmt_free(st);
        return rc < 0 ? rc : zf_err_set(err, ZF_EAUTH, "unauthenticated", NULL, "访问令牌无效或已吊销");
    }
    fill_principal(who, st, 0);
    who->via_token = 1;
    who->token_can_write = strstr(zf_stmt_text(st, 5), "write") != NULL;
    {
        int64_t id = zf_stmt_int64(st, 6), last = zf_stmt_int64(st, 7);
        zf_stmt_free(st);
        if (now - last >= 60 &&
            zf_db_prepare(&st, db, "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", NULL) == 0) {
            zf_stmt_bind_int64(st, 1, id);
            zf_stmt_bind_int64(st, 2, now);
            zf_stmt_step(st, NULL);
            zf_stmt_free(st);
        }
    }
    return 0;
}
