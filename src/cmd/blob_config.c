/* blob_config.c — see blob_config.h. */
#include "cmd/blob_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cmd/config.h"

static int invalid(zf_err *err, const char *msg)
{
    return zf_err_set(err, ZF_EINVAL, "blob_config_invalid", NULL, "配置文件 zhifa.conf：%s", msg);
}

/* Reads the first line of the secret key file into out. */
static int read_secret(char *out, size_t cap, const char *data_dir, const char *file, zf_err *err)
{
    char path[4096];
    FILE *f;
    size_t n;

    if (file[0] == '/')
        snprintf(path, sizeof path, "%s", file);
    else
        snprintf(path, sizeof path, "%s/%s", data_dir, file);
    if (!(f = fopen(path, "r")))
        return zf_err_set(err, ZF_EIO, "blob_config_invalid", NULL, "无法读取对象存储密钥文件 %s", path);
    if (!fgets(out, (int)cap, f))
        out[0] = '\0';
    fclose(f);
    n = strlen(out);
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
        out[--n] = '\0';
    if (!n)
        return invalid(err, "对象存储密钥文件为空");
    return 0;
}

int zf_blob_open_configured(zf_blob_store **out, const char *data_dir, zf_err *err)
{
    zf_config *cfg = NULL;
    zf_blob_s3_config s3 = {0};
    const char *kind, *file, *part, *copy;
    char path[4096], secret[512] = "", *end;
    int rc;

    *out = NULL;
    if ((rc = zf_config_load(&cfg, data_dir, err)) < 0)
        return rc;
    kind = zf_config_get(cfg, "blob_store", "fs");
    if (strcmp(kind, "fs") == 0) {
        snprintf(path, sizeof path, "%s/evidence", data_dir);
        rc = zf_blob_store_open(out, path, NULL, err);
        goto done;
    }
    if (strcmp(kind, "s3") != 0) {
        rc = invalid(err, "blob_store 只能是 fs 或 s3");
        goto done;
    }
    s3.endpoint = zf_config_get(cfg, "s3_endpoint", NULL);
    s3.bucket = zf_config_get(cfg, "s3_bucket", NULL);
    s3.region = zf_config_get(cfg, "s3_region", NULL);
    s3.access_key = zf_config_get(cfg, "s3_access_key", NULL);
    s3.prefix = zf_config_get(cfg, "s3_prefix", NULL);
    if ((part = zf_config_get(cfg, "s3_part_size", NULL))) {
        s3.part_size = strtoull(part, &end, 10);
        if (!*part || *end || !s3.part_size) {
            rc = invalid(err, "s3_part_size 应为正整数（字节）");
            goto done;
        }
    }
    if ((copy = zf_config_get(cfg, "s3_copy_max", NULL))) {
        s3.copy_max = strtoull(copy, &end, 10);
        if (!*copy || *end || !s3.copy_max) {
            rc = invalid(err, "s3_copy_max 应为正整数（字节）");
            goto done;
        }
    }
    if (!(file = zf_config_get(cfg, "s3_secret_key_file", NULL))) {
        rc = invalid(err, "缺少 s3_secret_key_file");
        goto done;
    }
    if ((rc = read_secret(secret, sizeof secret, data_dir, file, err)) < 0)
        goto done;
    s3.secret_key = secret;
    rc = zf_blob_store_open_s3(out, &s3, err);
done:
    OPENSSL_cleanse(secret, sizeof secret);
    zf_config_free(cfg);
    return rc;
}
