/* test_session.c — login, lockout, sessions, TOTP requirement, API tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth/password.h"
#include "auth/session.h"
#include "auth/totp.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */

#define T0 1767225600 /* 2026-01-01 00:00:00 UTC */
#define PW "correct-horse-battery-2026"

static char dbpath[256];
static zf_db *db;

static void add_user(const char *name, const char *role, const char *hash)
{
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;

    assert_int_equal(zf_db_prepare(&st, db,
                                   "INSERT INTO users (username, display_name, role, department_id, password_hash, "
                                   "password_changed_at, created_at) VALUES ($1, $1, $2, 1, $3, 0, 0)",
                                   &err), 0);
    zf_stmt_bind_text(st, 1, name, -1);
    zf_stmt_bind_text(st, 2, role, -1);
    zf_stmt_bind_text(st, 3, hash, -1);
    assert_int_equal(zf_stmt_step(st, &err), 0);
    zf_stmt_free(st);
}

static int setup(void **state)
{
    zf_err err = ZF_ERR_INIT;
    char hash[ZF_PASSWORD_HASH_BYTES];

    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/zf-test-session-%d.db", (int)getpid());
    unlink(dbpath);
    assert_int_equal(zf_db_open(&db, zf_test_db_location(dbpath), &err), 0);
    assert_int_equal(zf_db_migrate(db, &err), 0);
    assert_int_equal(zf_db_exec(db, "INSERT INTO departments (id, code, name, created_at, updated_at) "
                                    "VALUES (1, 'D1', '测试局', 0, 0)", &err), 0);
    assert_int_equal(zf_password_hash(hash, PW, &err), 0);
    add_user("alice", "officer", hash);
    add_user("root", "admin", hash);
    return 0;
}

static int teardown(void **state)
{
    char p[300];
    (void)state;
    zf_db_close(db);
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    return 0;
}

static int login(const char *user, const char *pw, const char *totp, const char *ip, int64_t now, int demo,
                 zf_principal *who, char *token, zf_err *err)
{
    zf_login_request req = {user, pw, totp, ip, "rid", now, demo};
    return zf_login(who, token, db, &req, err);
}

static int64_t count(const char *sql)
{
    int64_t n = -1;
    assert_int_equal(zf_db_query_int64(db, &n, sql, NULL, 0, NULL), 1);
    return n;
}

static void test_login_and_session(void **state)
{
    zf_principal who, again;
    char token[ZF_TOKEN_SIZE];
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(login("alice", PW, NULL, "10.0.0.1", T0, 0, &who, token, &err), 0);
    assert_string_equal(who.username, "alice");
    assert_int_equal(who.role, ZF_ROLE_OFFICER);
    assert_int_equal(strlen(who.csrf_token), ZF_TOKEN_CHARS);
    /* the token itself is never stored */
    {
        zf_stmt *st = NULL;
        assert_int_equal(zf_db_prepare(&st, db, "SELECT COUNT(*) FROM sessions WHERE token_hash = $1", &err), 0);
        zf_stmt_bind_text(st, 1, token, -1);
        assert_int_equal(zf_stmt_step(st, &err), 1);
        assert_int_equal(zf_stmt_int64(st, 0), 0);
        zf_stmt_free(st);
    }
    assert_int_equal(zf_session_lookup(&again, db, token, "10.0.0.1", T0 + 60, &err), 0);
    assert_string_equal(again.csrf_token, who.csrf_token);
    /* idle timeout: 30 minutes after the last use */
    assert_int_equal(zf_session_lookup(&again, db, token, "", T0 + 60 + ZF_SESSION_IDLE_SECONDS + 1, &err),
                     ZF_EAUTH);
    /* used every 20 minutes it survives, but not beyond 12 hours */
    {
        int64_t t;
        for (t = T0 + 1200; t < T0 + ZF_SESSION_MAX_SECONDS; t += 1200)
            assert_int_equal(zf_session_lookup(&again, db, token, "", t, &err), 0);
        assert_int_equal(zf_session_lookup(&again, db, token, "", T0 + ZF_SESSION_MAX_SECONDS + 1, &err),
                         ZF_EAUTH);
    }
    /* logout invalidates it on the server */
    assert_int_equal(login("alice", PW, NULL, "10.0.0.1", T0, 0, &who, token, &err), 0);
    assert_int_equal(zf_session_logout(db, token, &who, "10.0.0.1", T0 + 1, &err), 0);
    assert_int_equal(zf_session_lookup(&again, db, token, "", T0 + 2, &err), ZF_EAUTH);
    assert_int_equal(zf_session_lookup(&again, db, "garbage", "", T0 + 2, &err), ZF_EAUTH);
    assert_true(count("SELECT COUNT(*) FROM audit_log WHERE action = 'login'") == 2);
    assert_true(count("SELECT COUNT(*) FROM audit_log WHERE action = 'logout'") == 1);
}

static void test_wrong_password_and_lockout(void **state)
{
    zf_principal who;
    char token[ZF_TOKEN_SIZE];
    zf_err err = ZF_ERR_INIT;
    int i;

    (void)state;
    assert_int_equal(login("nobody", PW, NULL, "1.1.1.1", T0, 0, &who, token, &err), ZF_EAUTH);
    assert_string_equal(err.code, "invalid_credentials");
    for (i = 0; i < 4; i++) {
        assert_int_equal(login("alice", "wrong", NULL, "6.6.6.6", T0 + i, 0, &who, token, &err), ZF_EAUTH);
        assert_string_equal(err.code, "invalid_credentials");
    }
    assert_int_equal(login("alice", "wrong", NULL, "6.6.6.6", T0 + 4, 0, &who, token, &err), ZF_ELOCKED);
    /* locked: even the right password is refused from that address */
    assert_int_equal(login("alice", PW, NULL, "6.6.6.6", T0 + 5, 0, &who, token, &err), ZF_ELOCKED);
    assert_string_equal(err.code, "account_locked");
    /* the real user elsewhere is not locked out by a stranger */
    assert_int_equal(login("alice", PW, NULL, "10.0.0.1", T0 + 6, 0, &who, token, &err), 0);
    /* the lock ends after 15 minutes */
    assert_int_equal(login("alice", PW, NULL, "6.6.6.6", T0 + 4 + ZF_LOCKOUT_SECONDS + 1, 0, &who, token, &err),
                     0);
    assert_true(count("SELECT COUNT(*) FROM audit_log WHERE action = 'lockout'") == 1);
    assert_true(count("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed'") == 6);
}

static void test_disabled(void **state)
{
    zf_principal who;
    char token[ZF_TOKEN_SIZE];
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(login("alice", PW, NULL, "1.1.1.1", T0, 0, &who, token, &err), 0);
    assert_int_equal(zf_db_exec(db, "UPDATE users SET disabled = 1 WHERE username = 'alice'", &err), 0);
    assert_int_equal(zf_session_lookup(&who, db, token, "", T0 + 1, &err), ZF_EAUTH);
    assert_int_equal(login("alice", PW, NULL, "1.1.1.1", T0, 0, &who, token, &err), ZF_EAUTH);
    assert_string_equal(err.code, "account_disabled");
}

static void test_totp_required_for_admin(void **state)
{
    zf_principal who;
    char token[ZF_TOKEN_SIZE], code[ZF_TOTP_CODE_SIZE];
    const char *secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    zf_totp_params p = ZF_TOTP_PARAMS_INIT;
    zf_err err = ZF_ERR_INIT;
    zf_stmt *st = NULL;

    (void)state;
    /* demo mode: no second factor */
    assert_int_equal(login("root", PW, NULL, "1.1.1.1", T0, 1, &who, token, &err), 0);
    /* otherwise an admin without TOTP cannot log in */
    assert_int_equal(login("root", PW, NULL, "1.1.1.1", T0, 0, &who, token, &err), ZF_EAUTH);
    assert_string_equal(err.code, "totp_not_enrolled");
    assert_int_equal(zf_db_prepare(&st, db, "UPDATE users SET totp_secret = $1, totp_enabled = 1 WHERE username = 'root'",
                                   &err), 0);
    zf_stmt_bind_text(st, 1, secret, -1);
    assert_int_equal(zf_stmt_step(st, &err), 0);
    zf_stmt_free(st);
    assert_int_equal(login("root", PW, NULL, "1.1.1.1", T0, 0, &who, token, &err), ZF_EAUTH);
    assert_string_equal(err.code, "totp_required");
    assert_int_equal(login("root", PW, "000000", "1.1.1.1", T0, 0, &who, token, &err), ZF_EAUTH);
    assert_string_equal(err.code, "totp_invalid");
    assert_int_equal(zf_totp_code(code, secret, T0 + 100, &p), 0);
    assert_int_equal(login("root", PW, code, "1.1.1.1", T0 + 100, 0, &who, token, &err), 0);
    /* the same code cannot be replayed */
    assert_int_equal(login("root", PW, code, "1.1.1.1", T0 + 101, 0, &who, token, &err), ZF_EAUTH);
    assert_string_equal(err.code, "totp_invalid");
}

static void test_api_token(void **state)
{
    zf_principal who;
    char token[ZF_API_TOKEN_SIZE], hash[ZF_TOKEN_HASH_SIZE];
    zf_err err = ZF_ERR_INIT;
    zf_stmt *st = NULL;

    (void)state;
    assert_int_equal(zf_token_api_new(token), 0);
    assert_int_equal(zf_token_hash(hash, token, strlen(token)), 0);
    assert_int_equal(zf_db_prepare(&st, db, "INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at) "
                                            "SELECT id, 'dev', $1, 'read', 0 FROM users WHERE username = 'alice'",
                                   &err), 0);
    zf_stmt_bind_text(st, 1, hash, -1);
    assert_int_equal(zf_stmt_step(st, &err), 0);
    zf_stmt_free(st);
    assert_int_equal(zf_api_token_lookup(&who, db, token, T0, &err), 0);
    assert_string_equal(who.username, "alice");
    assert_true(who.via_token);
    assert_false(who.token_can_write);
    assert_int_equal(zf_db_exec(db, "UPDATE api_tokens SET revoked_at = 1", &err), 0);
    assert_int_equal(zf_api_token_lookup(&who, db, token, T0, &err), ZF_EAUTH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_login_and_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_password_and_lockout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_totp_required_for_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_token, setup, teardown),
    };
    return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
