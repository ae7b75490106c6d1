/* user.c — `zhifa user add|passwd|disable|enable|list|reset-totp|unlock`:
 * account administration from the shell, for the first administrator and
 * for scripts. Passwords are read from standard input, never from argv
 * (argv is visible to every user of the machine). */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "auth/password.h"
#include "auth/session.h"
#include "auth/totp.h"
#include "store/audit.h"
#include "store/settings.h"

static const char USAGE[] =
    "用法：zhifa user 子命令 [选项] [--data DIR]\n"
    "\n"
    "子命令：\n"
    "  add USERNAME --role ROLE --dept CODE --name 姓名   新建账户，从标准输入读取密码\n"
    "  passwd USERNAME                                    重设密码，从标准输入读取新密码\n"
    "  disable USERNAME | enable USERNAME                 停用 / 启用账户（停用立即结束其会话）\n"
    "  list                                               列出所有账户\n"
    "  reset-totp USERNAME                                生成新的动态验证码密钥并启用，打印绑定信息\n"
    "  unlock USERNAME                                    解除登录失败锁定\n"
    "\n"
    "角色 ROLE：officer 执法人员、reviewer 法制审核人员、head 部门负责人、publicity 公示管理员、\n"
    "          supervisor 司法局监督人员、auditor 审计员、admin 系统管理员\n";

static int read_password(char *out, size_t n)
{
    size_t len;

    if (!fgets(out, (int)n, stdin))
        return -1;
    len = strlen(out);
    while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        out[--len] = '\0';
    return 0;
}

static int exec_one(zf_db *db, const char *sql, const char *a, const char *b, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db, sql, err)) < 0)
        return rc;
    if (a)
        zf_stmt_bind_text(st, 1, a, -1);
    if (b)
        zf_stmt_bind_text(st, 2, b, -1);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : (int)zf_db_changes(db);
}

/* Inside the command's transaction: the change, its ledger event and the
 * commit (durable when it returns 0) succeed or fail together. */
static int audit(zf_db *db, const char *action, const char *username, zf_err *err)
{
    zf_audit_event ev = {zf_cmd_now(), 0, "cli", action, "user", username, "", "", "zhifa user"};
    return zf_audit_write(db, &ev, err);
}

static int cmd_add(zf_db *db, int argc, char **argv, zf_err *err)
{
    const char *username = NULL, *role = NULL, *dept = NULL, *name = NULL;
    char pw[512], hash[ZF_PASSWORD_HASH_BYTES];
    zf_password_policy policy;
    zf_settings *settings = NULL;
    zf_stmt *st = NULL;
    int i, rc;

    for (i = 2; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--role") == 0)
            role = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--dept") == 0)
            dept = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--name") == 0)
            name = argv[++i];
        else if (argv[i][0] != '-' && !username)
            username = argv[i];
        else
            return zf_cmd_usage_error("user add", "无法识别的参数 %s", argv[i]);
    }
    if (!username || !role || !dept)
        return zf_cmd_usage_error("user add", "需要 USERNAME、--role 和 --dept");
    if (!zf_role_from_code(role))
        return zf_cmd_usage_error("user add", "角色 %s 不存在", role);
    if (read_password(pw, sizeof pw) < 0)
        return zf_cmd_usage_error("user add", "请从标准输入提供密码");
    if (zf_settings_load(&settings, db, err) < 0)
        return zf_cmd_fail(err);
    zf_settings_password_policy(settings, &policy);
    zf_settings_free(settings);
    if ((rc = zf_password_check_policy(&policy, pw, username, err)) < 0 ||
        (rc = zf_password_hash(hash, pw, err)) < 0)
        return zf_cmd_fail(err);
    if ((rc = zf_db_begin(db, err)) < 0)
        return zf_cmd_fail(err);
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO users (username, display_name, role, department_id, password_hash, "
                            "password_changed_at, created_at) "
                            "SELECT $1, $2, $3, d.id, $4, $5, $5 FROM departments d WHERE d.code = $6",
                            err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, username, -1);
    zf_stmt_bind_text(st, 2, name ? name : username, -1);
    zf_stmt_bind_text(st, 3, role, -1);
    zf_stmt_bind_text(st, 4, hash, -1);
    zf_stmt_bind_int64(st, 5, zf_cmd_now());
    zf_stmt_bind_text(st, 6, dept, -1);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    if (rc < 0) {
        if (rc == ZF_ECONFLICT)
            zf_err_set(err, rc, "duplicate", "username", "用户名 %s 已存在", username);
        goto fail;
    }
    if (zf_db_changes(db) == 0) {
        zf_err_set(err, ZF_EINVAL, "validation_failed", "dept", "部门代码 %s 不存在", dept);
        goto fail;
    }
    if (audit(db, "user_create", username, err) < 0)
        goto fail;
    if ((rc = zf_db_commit(db, err)) < 0)
        return zf_cmd_fail(err);
    printf("已创建账户 %s（%s）\n", username, zf_role_name(zf_role_from_code(role)));
    return 0;
fail:
    zf_db_rollback(db);
    return zf_cmd_fail(err);
}

static int cmd_list(zf_db *db, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "SELECT u.username, u.role, d.code, u.display_name, u.disabled, u.totp_enabled "
                            "FROM users u JOIN departments d ON d.id = u.department_id ORDER BY u.username",
                            err)) < 0)
        return zf_cmd_fail(err);
    printf("用户名\t角色\t部门\t姓名\t状态\t动态验证码\n");
    while ((rc = zf_stmt_step(st, err)) == 1)
        printf("%s\t%s\t%s\t%s\t%s\t%s\n", zf_stmt_text(st, 0), zf_stmt_text(st, 1), zf_stmt_text(st, 2),
               zf_stmt_text(st, 3), zf_stmt_int64(st, 4) ? "停用" : "正常", zf_stmt_int64(st, 5) ? "已启用" : "未启用");
    zf_stmt_free(st);
    return rc < 0 ? zf_cmd_fail(err) : 0;
}

int zf_cmd_user(int argc, char **argv)
{
    const char *data_flag = NULL, *sub, *username;
    char *args[32];
    int nargs = 0, i, rc;
    zf_err err = ZF_ERR_INIT;
    zf_db *db = NULL;

    if (argc < 2 || zf_cmd_wants_help(argc, argv)) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (i = 0; i < argc && nargs < 31; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--data") == 0)
            data_flag = argv[++i];
        else
            args[nargs++] = argv[i];
    }
    args[nargs] = NULL;
    sub = args[1];
    if (!sub)
        return zf_cmd_usage_error("user", "缺少子命令");
    if (strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0 && strcmp(sub, "disable") != 0 &&
        strcmp(sub, "enable") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "reset-totp") != 0 &&
        strcmp(sub, "unlock") != 0)
        return zf_cmd_usage_error("user", "未知子命令 %s", sub);
    username = nargs > 2 ? args[2] : NULL;
    if (strcmp(sub, "list") != 0 && strcmp(sub, "add") != 0 && (!username || nargs != 3))
        return zf_cmd_usage_error("user", "%s 需要且只需要一个 USERNAME", sub);
    if ((rc = zf_cmd_open_db(&db, zf_cmd_data_dir(data_flag), &err)) < 0)
        return zf_cmd_fail(&err);

    if (strcmp(sub, "add") == 0) {
        rc = cmd_add(db, nargs, args, &err);
    } else if (strcmp(sub, "list") == 0) {
        rc = cmd_list(db, &err);
    } else if (strcmp(sub, "passwd") == 0) {
        char pw[512], hash[ZF_PASSWORD_HASH_BYTES];
        zf_password_policy policy;
        zf_settings *settings = NULL;
        if (zf_settings_load(&settings, db, &err) < 0) {
            zf_db_close(db);
            return zf_cmd_fail(&err);
        }
        zf_settings_password_policy(settings, &policy);
        zf_settings_free(settings);
        if (read_password(pw, sizeof pw) < 0) {
            rc = zf_cmd_usage_error("user passwd", "请从标准输入提供新密码");
        } else if (zf_password_check_policy(&policy, pw, username, &err) < 0 ||
                   zf_password_hash(hash, pw, &err) < 0) {
            rc = zf_cmd_fail(&err);
        } else {
            zf_stmt *st = NULL;
            if ((rc = zf_db_begin(db, &err)) == 0)
                rc = zf_db_prepare(&st, db,
                                   "UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE username = $1",
                                   &err);
            if (rc == 0) {
                zf_stmt_bind_text(st, 1, username, -1);
                zf_stmt_bind_text(st, 2, hash, -1);
                zf_stmt_bind_int64(st, 3, zf_cmd_now());
                rc = zf_stmt_step(st, &err);
                zf_stmt_free(st);
            }
            if (rc < 0) {
                rc = zf_cmd_fail(&err);
            } else if (zf_db_changes(db) == 0) {
                fprintf(stderr, "zhifa: 用户 %s 不存在\n", username);
                rc = 1;
            } else if (exec_one(db, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)",
                                username, NULL, &err) < 0 ||
                       audit(db, "user_password_reset", username, &err) < 0 || zf_db_commit(db, &err) < 0) {
                rc = zf_cmd_fail(&err);
            } else {
                printf("已重设 %s 的密码\n", username);
                rc = 0;
            }
        }
    } else if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
        int disable = strcmp(sub, "disable") == 0;
        if ((rc = zf_db_begin(db, &err)) == 0)
            rc = exec_one(db, disable ? "UPDATE users SET disabled = 1 WHERE username = $1"
                                      : "UPDATE users SET disabled = 0 WHERE username = $1",
                          username, NULL, &err);
        if (rc < 0) {
            rc = zf_cmd_fail(&err);
        } else if (rc == 0) {
            fprintf(stderr, "zhifa: 用户 %s 不存在\n", username);
            rc = 1;
        } else if ((disable &&
                    exec_one(db, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)",
                             username, NULL, &err) < 0) ||
                   audit(db, disable ? "user_disable" : "user_enable", username, &err) < 0 ||
                   zf_db_commit(db, &err) < 0) {
            rc = zf_cmd_fail(&err);
        } else {
            printf("已%s账户 %s\n", disable ? "停用" : "启用", username);
            rc = 0;
        }
    } else if (strcmp(sub, "unlock") == 0) {
        if ((rc = zf_db_begin(db, &err)) == 0)
            rc = exec_one(db, "DELETE FROM login_failures WHERE username = $1", username, NULL, &err);
        if (rc < 0 || audit(db, "user_unlock", username, &err) < 0 || zf_db_commit(db, &err) < 0) {
            rc = zf_cmd_fail(&err);
        } else {
            printf("已解除 %s 的登录锁定\n", username);
            rc = 0;
        }
    } else { /* reset-totp */
        char secret[ZF_TOTP_SECRET_B32_SIZE];
        char *uri = NULL;
        if (zf_totp_generate_secret(secret) < 0 || zf_totp_uri(&uri, "zhifa", username, secret) < 0) {
            fprintf(stderr, "zhifa: 无法生成密钥\n");
            rc = 1;
        } else if ((rc = zf_db_begin(db, &err)) < 0 ||
                   (rc = exec_one(db,
                                  "UPDATE users SET totp_secret = $2, totp_enabled = 1, totp_last_step = 0 "
                                  "WHERE username = $1",
                                  username, secret, &err)) < 0) {
            rc = zf_cmd_fail(&err);
        } else if (rc == 0) {
            fprintf(stderr, "zhifa: 用户 %s 不存在\n", username);
            rc = 1;
        } else if (audit(db, "user_totp_reset", username, &err) < 0 || zf_db_commit(db, &err) < 0) {
            rc = zf_cmd_fail(&err);
        } else {
            printf("已为 %s 生成新的动态验证码密钥，请在验证器应用中添加：\n密钥：%s\n%s\n", username, secret, uri);
            rc = 0;
        }
        free(uri);
    }
    if (zf_db_in_transaction(db))
        zf_db_rollback(db); /* a refusal above: nothing of it stays */
    zf_db_close(db);
    return rc;
}
