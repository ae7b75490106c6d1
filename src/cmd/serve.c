/* serve.c — `zhifa serve [--data DIR] [--listen HOST:PORT]`. */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/config.h"
#include "http/server.h"
#include "store/calendar_store.h"

static const char USAGE[] =
    "用法：zhifa serve [--data DIR] [--listen HOST:PORT] [--threads N] [--quiet]\n"
    "\n"
    "在 HOST:PORT 上提供公示门户（/）、管理控制台（/console/）和 API（/api/v1/），\n"
    "直到收到 SIGTERM 或 SIGINT；正在处理的请求会先完成。\n"
    "\n"
    "配置来源依次为：命令行选项、环境变量（ZHIFA_DATA、ZHIFA_LISTEN）、\n"
    "数据目录中的 zhifa.conf。\n"
    "\n"
    "选项：\n"
    "  --data DIR          数据目录\n"
    "  --listen HOST:PORT  监听地址（默认 127.0.0.1:8080）\n"
    "  --threads N         工作线程数（默认每个 CPU 核心一个）\n"
    "  --quiet             不输出访问日志\n"
    "  -h, --help          显示本帮助\n";

static int parse_listen(const char *s, char *host, size_t n, int *port)
{
    const char *colon = strrchr(s, ':');
    char *end;
    long p;

    if (!colon || colon == s || (size_t)(colon - s) >= n)
        return -1;
    p = strtol(colon + 1, &end, 10);
    if (*end || p < 1 || p > 65535)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    *port = (int)p;
    return 0;
}

static int parse_uint(const char *s, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

int zf_cmd_serve(int argc, char **argv)
{
    const char *data_flag = NULL, *listen_flag = NULL, *threads_flag = NULL, *listen, *data_dir;
    zf_server_config cfg = ZF_SERVER_CONFIG_INIT;
    zf_config *file = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_db *db = NULL;
    char host[256];
    long v;
    int i, rc;

    if (zf_cmd_wants_help(argc, argv)) {
        fputs(USAGE, stdout);
        return 0;
    }
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0) {
            cfg.quiet = 1;
        } else if (i + 1 < argc && strcmp(argv[i], "--data") == 0) {
            data_flag = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--listen") == 0) {
            listen_flag = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--threads") == 0) {
            threads_flag = argv[++i];
        } else {
            return zf_cmd_usage_error("serve", "无法识别的参数 %s", argv[i]);
        }
    }
    if (!(data_dir = zf_cmd_data_dir(data_flag)))
        return zf_cmd_usage_error("serve", "未指定数据目录：请使用 --data DIR 或设置 ZHIFA_DATA");
    /* opening the database applies pending migrations before serving */
    if ((rc = zf_cmd_open_db(&db, data_dir, &err)) < 0)
        return zf_cmd_fail(&err);
    zf_calendar_store_startup(db, zf_cmd_now(), NULL); /* seeds deadline rules; warns of a missing year */
    zf_db_close(db);
    if ((rc = zf_config_load(&file, data_dir, &err)) < 0)
        return zf_cmd_fail(&err);
    listen = listen_flag ? listen_flag
                         : getenv("ZHIFA_LISTEN") ? getenv("ZHIFA_LISTEN")
                                                  : zf_config_get(file, "listen", "127.0.0.1:8080");
    if (parse_listen(listen, host, sizeof host, &cfg.port) < 0) {
        zf_config_free(file);
        return zf_cmd_usage_error("serve", "监听地址 %s 无效，应为 HOST:PORT", listen);
    }
    if (parse_uint(threads_flag ? threads_flag : zf_config_get(file, "threads", "0"), 256, &v) < 0)
        goto bad_value;
    cfg.threads = (int)v;
    if (parse_uint(zf_config_get(file, "body_limit", "1048576"), 1L << 30, &v) < 0 || v < 1024)
        goto bad_value;
    cfg.body_limit = (size_t)v;
    if (parse_uint(zf_config_get(file, "timeout", "30"), 3600, &v) < 0 || v < 1)
        goto bad_value;
    cfg.timeout_seconds = (int)v;
    cfg.trust_proxy = strcmp(zf_config_get(file, "trust_proxy", "0"), "1") == 0;
    cfg.console_dir = zf_config_get(file, "console_dir", NULL);
    cfg.database = zf_config_get(file, "database", NULL); /* checked by zf_cmd_open_db */
    cfg.host = host;
    cfg.data_dir = data_dir;
    fprintf(stderr, "zhifa 正在提供服务：http://%s:%d/ （控制台 http://%s:%d/console/）\n", host, cfg.port, host,
            cfg.port);
    rc = zf_server_run(&cfg, &err);
    zf_config_free(file);
    return rc < 0 ? zf_cmd_fail(&err) : 0;
bad_value:
    zf_config_free(file);
    return zf_cmd_usage_error("serve", "线程数、body_limit 或 timeout 的取值无效");
}
