/* config.c — see config.h. */
#include "cmd/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define MAX_ENTRIES 64

static const char *const KNOWN_KEYS[] = {
    "listen", "threads", "body_limit", "timeout", "trust_proxy", "console_dir",
    /* evidence store (issue 9): blob_store = fs | s3, and the bucket (blob_config.h) */
    "blob_store", "s3_endpoint", "s3_bucket", "s3_region", "s3_access_key", "s3_secret_key_file", "s3_prefix",
    "s3_part_size", "s3_copy_max",
    "database", /* issue 9: a postgres:// URL instead of DIR/zhifa.db */
    NULL,
};

struct zf_config {
    char *keys[MAX_ENTRIES];
    char *values[MAX_ENTRIES];
    int n;
};

static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int zf_config_load(zf_config **out, const char *data_dir, zf_err *err)
{
    char path[4096], line[1024];
    zf_config *cfg = zf_calloc(1, sizeof *cfg);
    FILE *f;
    int lineno = 0, rc = 0, i;

    *out = NULL;
    snprintf(path, sizeof path, "%s/zhifa.conf", data_dir);
    if (!(f = fopen(path, "r"))) {
        if (errno == ENOENT) {
            *out = cfg;
            return 0;
        }
        free(cfg);
        return zf_err_set(err, ZF_EIO, "config_unreadable", NULL, "无法读取配置文件 %s", path);
    }
    while (fgets(line, sizeof line, f)) {
        char *s = trim(line), *eq, *k, *v;
        lineno++;
        if (!*s || *s == '#')
            continue;
        if (!(eq = strchr(s, '='))) {
            rc = zf_err_set(err, ZF_EINVAL, "config_invalid", NULL, "配置文件 %s 第 %d 行格式错误，应为 key = value",
                            path, lineno);
            goto done;
        }
        *eq = '\0';
        k = trim(s);
        v = trim(eq + 1);
        for (i = 0; KNOWN_KEYS[i] && strcmp(KNOWN_KEYS[i], k) != 0; i++)
            ;
        if (!KNOWN_KEYS[i]) {
            rc = zf_err_set(err, ZF_EINVAL, "config_invalid", NULL, "配置文件 %s 第 %d 行：未知的配置项 %s", path,
                            lineno, k);
            goto done;
        }
        if (cfg->n >= MAX_ENTRIES)
            break;
        cfg->keys[cfg->n] = zf_strdup(k);
        cfg->values[cfg->n] = zf_strdup(v);
        cfg->n++;
    }
done:
    fclose(f);
    if (rc < 0) {
        zf_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

const char *zf_config_get(const zf_config *cfg, const char *key, const char *def)
{
    int i;

    for (i = cfg ? cfg->n - 1 : -1; i >= 0; i--)
        if (strcmp(cfg->keys[i], key) == 0)
            return cfg->values[i];
    return def;
}

void zf_config_free(zf_config *cfg)
{
    int i;

    if (!cfg)
        return;
    for (i = 0; i < cfg->n; i++) {
        free(cfg->keys[i]);
        free(cfg->values[i]);
    }
    free(cfg);
}

int zf_config_write_default(const char *data_dir, zf_err *err)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/zhifa.conf", data_dir);
    if (!(f = fopen(path, "w")))
        return zf_err_set(err, ZF_EIO, "config_unwritable", NULL, "无法写入配置文件 %s", path);
    fputs("# zhifa configuration. Flags and environment variables (ZHIFA_LISTEN)\n"
          "# take precedence over this file.\n"
          "\n"
          "# Address and port to serve on.\n"
          "listen = 127.0.0.1:8080\n"
          "# Worker threads; 0 = one per CPU core.\n"
          "threads = 0\n"
          "# Largest accepted request body in bytes.\n"
          "body_limit = 1048576\n"
          "# Idle connection timeout in seconds.\n"
          "timeout = 30\n"
          "# 1 when behind nginx: trust X-Real-IP and X-Forwarded-Proto.\n"
          "trust_proxy = 0\n"
          "\n"
          "# Evidence files: fs (DATA/evidence, the default) or s3 (an S3-compatible\n"
          "# bucket; then set s3_endpoint, s3_bucket, s3_region, s3_access_key and\n"
          "# s3_secret_key_file, a file readable only by zhifa holding the secret).\n"
          "blob_store = fs\n",
          f);
    if (fclose(f) != 0)
        return zf_err_set(err, ZF_EIO, "config_unwritable", NULL, "无法写入配置文件 %s", path);
    return 0;
}
