/* blob_config.h — opens the evidence store a data directory is configured
 * for: DATA/evidence on the local file system (the default), or an
 * S3-compatible bucket when DIR/zhifa.conf says `blob_store = s3`:
 *
 *   blob_store = s3
 *   s3_endpoint = https://oss.example.gov.cn     (scheme, host, port; no path)
 *   s3_bucket = zhifa-evidence
 *   s3_region = us-east-1                        (optional)
 *   s3_access_key = AKIA…
 *   s3_secret_key_file = /etc/zhifa/s3.secret    (relative: to DIR; first line)
 *   s3_prefix = county-a/                        (optional key prefix)
 *   s3_part_size = 16777216                      (optional, bytes)
 *   s3_copy_max = 5368709120                     (optional: the service's CopyObject limit)
 *
 * The secret is kept in a file of its own so that zhifa.conf can be read by
 * operators and copied into tickets without leaking it. */
#ifndef ZF_BLOB_CONFIG_H
#define ZF_BLOB_CONFIG_H

#include "blob/blob.h"
#include "util/err.h"

/* Opens the configured store. The caller owns *out. Errors: those of
 * zf_config_load, ZF_EINVAL "blob_config_invalid" naming the setting,
 * and those of zf_blob_store_open / zf_blob_store_open_s3. */
int zf_blob_open_configured(zf_blob_store **out, const char *data_dir, zf_err *err);

#endif
