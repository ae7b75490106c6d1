/* common.c — what the commands share: data directory, database, messages. */
#include "cmd/cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd/config.h"

const char *zf_cmd_data_dir(const char *flag_value)
{
    const char *env;

    if (flag_value && *flag_value)
        return flag_value;
    env = getenv("ZHIFA_DATA");
    if (env && *env)
        return env;
    return NULL;
}

int zf_cmd_db_location(char *out, size_t n, const char *data_dir, zf_err *err)
{
    zf_config *cfg = NULL;
    const char *url;
    int rc;

    if ((rc = zf_config_load(&cfg, data_dir, err)) < 0)
        return rc;
    url = zf_config_get(cfg, "database", NULL);
    if (url && *url && !zf_db_location_is_postgres(url)) {
        zf_config_free(cfg);
        return zf_err_set(err, ZF_EINVAL, "config_invalid", "database",
                          "配置项 database 应为 postgres:// 或 postgresql:// 开头的地址");
    }
    if (url && *url)
        snprintf(out, n, "%s", url);
    else
        snprintf(out, n, "%s/zhifa.db", data_dir);
    zf_config_free(cfg);
    return 0;
}

int zf_cmd_open_db(zf_db **out, const char *data_dir, zf_err *err)
{
    char path[4096];
    struct stat sb;
    zf_db *db = NULL;
    int rc;

    *out = NULL;
    if (!data_dir)
        return zf_err_set(err, ZF_EINVAL, "no_data_dir", NULL,
                          "未指定数据目录：请使用 --data DIR 或设置环境变量 ZHIFA_DATA");
    if ((rc = zf_cmd_db_location(path, sizeof path, data_dir, err)) < 0)
        return rc;
    if (!zf_db_location_is_postgres(path) && stat(path, &sb) != 0)
        return zf_err_set(err, ZF_ENOTFOUND, "not_initialised", NULL,
                          "%s 不是已初始化的数据目录（找不到 zhifa.db）：请先运行 zhifa init %s", data_dir,
                          data_dir);
    if ((rc = zf_db_open(&db, path, err)) < 0)
        return rc;
    if ((rc = zf_db_migrate(db, err)) < 0) {
        zf_db_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

int zf_cmd_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "zhifa %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "（运行 zhifa %s --help 查看用法）\n", cmd);
    return 2;
}

int zf_cmd_fail(const zf_err *err)
{
    fprintf(stderr, "zhifa: %s\n", err->message[0] ? err->message : "操作失败");
    return 1;
}

int zf_cmd_wants_help(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

long long zf_cmd_now(void)
{
    return (long long)time(NULL);
}
