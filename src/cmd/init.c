/* init.c — `zhifa init DIR [--demo] [--sign sm2|ed25519] [--database URL]`:
 * creates a data
 * directory with its database (migrated), evidence folder, config file and
 * the ledger's signing key (SM2 by default, or Ed25519: signing.key, PKCS#8
 * PEM, mode 0600, and signing.pub); with --demo, fills in the demo city.
 * With --database postgres://..., the database is that (empty) PostgreSQL
 * database instead of DIR/zhifa.db, recorded as `database = URL` in
 * DIR/zhifa.conf; evidence, keys and config stay in DIR.
 * The rows it creates get "baseline" ledger events, so that zhifa verify can
 * tell any row added later without an event. */
#include "cmd/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/config.h"
#include "cmd/demo.h"
#include "ledger/sign.h"
#include "store/ledger_store.h"

static const char USAGE[] =
    "用法：zhifa init DIR [--demo] [--sign sm2|ed25519] [--database URL]\n"
    "\n"
    "创建数据目录 DIR：数据库 zhifa.db、证据文件夹 evidence/、配置文件 zhifa.conf、\n"
    "台账签名私钥 signing.key（仅所有者可读）和公钥 signing.pub。\n"
    "\n"
    "选项：\n"
    "  --demo     同时创建演示城市（部门、执法人员、执法事项和演示账户）；\n"
    "             不加 --demo 时只创建市司法局（代码 SFJ），用于添加第一个管理员\n"
    "  --sign ALG 台账检查点的签名算法：sm2（默认，国密 SM2/SM3）或 ed25519\n"
    "  --database URL  使用 PostgreSQL 数据库（postgres://用户@主机:端口/库名，须为空库）\n"
    "             代替 DIR/zhifa.db；地址写入 zhifa.conf 的 database 项\n"
    "  -h, --help 显示本帮助\n";

/* Every deployment has a supervising Justice Bureau, and every account
 * belongs to a department: creating it here lets the first administrator be
 * added with `zhifa user add ... --dept SFJ`. Its details are edited later. */
static int create_justice_bureau(zf_db *db, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO departments (code, name, short_name, kind, created_at, updated_at) "
                            "VALUES ('SFJ', '市司法局', '司法局', 'supervision', $1, $1)",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, zf_cmd_now());
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

int zf_cmd_init(int argc, char **argv)
{
    const char *dir = NULL, *database = NULL;
    char path[4096];
    FILE *f;
    int64_t tables = 0;
    int bad;
    int demo = 0, i, rc;
    zf_sign_alg alg = ZF_SIGN_SM2;
    zf_err err = ZF_ERR_INIT;
    zf_db *db = NULL;
    struct stat sb;

    if (zf_cmd_wants_help(argc, argv)) {
        fputs(USAGE, stdout);
        return 0;
    }
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--demo") == 0)
            demo = 1;
        else if (strcmp(argv[i], "--sign") == 0 || strncmp(argv[i], "--sign=", 7) == 0) {
            const char *v = argv[i][6] == '=' ? argv[i] + 7 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || zf_sign_alg_parse(&alg, v, NULL) < 0)
                return zf_cmd_usage_error("init", "--sign 只能是 sm2 或 ed25519");
        }
        else if (strcmp(argv[i], "--database") == 0 && i + 1 < argc) {
            database = argv[++i];
            if (!zf_db_location_is_postgres(database))
                return zf_cmd_usage_error("init", "--database 应为 postgres:// 或 postgresql:// 开头的地址");
        }
        else if (argv[i][0] == '-')
            return zf_cmd_usage_error("init", "未知选项 %s", argv[i]);
        else if (!dir)
            dir = argv[i];
        else
            return zf_cmd_usage_error("init", "多余的参数 %s", argv[i]);
    }
    if (!dir)
        return zf_cmd_usage_error("init", "缺少数据目录 DIR");
    snprintf(path, sizeof path, "%s/zhifa.db", dir);
    if (stat(path, &sb) == 0 || (database && (snprintf(path, sizeof path, "%s/zhifa.conf", dir),
                                              stat(path, &sb) == 0))) {
        fprintf(stderr, "zhifa: %s 已经是数据目录，未做任何修改\n", dir);
        return 1;
    }
    /* A PostgreSQL database must be empty: init never adopts another's data,
     * and refuses before it creates anything. */
    if (database && ((rc = zf_db_open(&db, database, &err)) < 0 ||
                     (rc = zf_db_query_int64(db, &tables,
                                             "SELECT COUNT(*) FROM information_schema.tables"
                                             " WHERE table_schema = current_schema()",
                                             &err, 0, NULL)) < 0))
        goto fail;
    if (tables > 0) {
        /* not the URL: it may hold a password */
        fprintf(stderr, "zhifa: --database 指定的数据库不是空库（已有 %lld 张表），未做任何修改\n",
                (long long)tables);
        zf_db_close(db);
        return 1;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "zhifa: 无法创建目录 %s：%s\n", dir, strerror(errno));
        zf_db_close(db);
        return 1;
    }
    snprintf(path, sizeof path, "%s/evidence", dir);
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "zhifa: 无法创建目录 %s：%s\n", path, strerror(errno));
        zf_db_close(db);
        return 1;
    }
    if (database)
        snprintf(path, sizeof path, "%s", database);
    else
        snprintf(path, sizeof path, "%s/zhifa.db", dir);
    if ((rc = zf_config_write_default(dir, &err)) < 0 || (rc = zf_ledger_key_create(dir, alg, &err)) < 0 ||
        (!db && (rc = zf_db_open(&db, path, &err)) < 0) || (rc = zf_db_migrate(db, &err)) < 0)
        goto fail;
    if (database) {
        snprintf(path, sizeof path, "%s/zhifa.conf", dir);
        bad = !(f = fopen(path, "a"));
        if (f) {
            bad = fprintf(f, "# The database (issue 9): PostgreSQL instead of zhifa.db.\ndatabase = %s\n",
                          database) < 0;
            bad |= fclose(f) != 0;
        }
        if (bad) {
            rc = zf_err_set(&err, ZF_EIO, "config_unwritable", NULL, "无法写入配置文件 %s", path);
            goto fail;
        }
    }
    if (demo)
        rc = zf_demo_create(db, zf_cmd_now(), &err);
    else
        rc = create_justice_bureau(db, &err);
    if (rc < 0 || (rc = zf_ledger_baseline(db, zf_cmd_now(), &err)) < 0)
        goto fail;
    zf_db_close(db);
    printf("已创建数据目录 %s%s\n", dir, demo ? "（含演示城市）" : "");
    return 0;
fail:
    zf_db_close(db);
    return zf_cmd_fail(&err);
}
