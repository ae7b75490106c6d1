/* spotpool.h — reading a pool of regulated entities (检查对象名录库) for the
 * 双随机 spot checks from CSV, with a report of the rows rejected and why.
 * Pure: bytes in, rows out; no I/O.
 *
 * The file is CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF),
 * UTF-8 with or without a BOM, the first line a header. Columns are found
 * by name: 统一社会信用代码 (required), 名称 / 企业名称 / 检查对象名称 /
 * 单位名称 (required), 地址 / 住所 / 经营场所 / 注册地址, 类别 / 行业类别 /
 * 类型. A row is rejected (and the rest kept) when its credit code fails the
 * GB 32100 check, its name is empty or too long, a field holds a control
 * character (TAB, LF ... would break the pool hash lines), or its credit
 * code repeats an earlier row's. Credit codes are upper-cased and fields
 * trimmed of spaces first. */
#ifndef ZF_CORE_SPOTPOOL_H
#define ZF_CORE_SPOTPOOL_H

#include <stddef.h>

#include "util/err.h"

#define ZF_SPOTPOOL_MAX_BYTES ((size_t)8 * 1024 * 1024)
#define ZF_SPOTPOOL_MAX_ROWS 100000
#define ZF_SPOTPOOL_NAME_MAX 200    /* code points */
#define ZF_SPOTPOOL_FIELD_MAX 500   /* address, category */

typedef struct zf_spot_entity {
    char *credit_code, *name, *address, *category; /* owned; never NULL */
    size_t line;          /* where the row starts in the file; 0 when not from a file */
} zf_spot_entity;

typedef struct zf_spot_reject {
    size_t line;          /* 1-based line of the file where the row starts */
    char credit_code[40]; /* as read (may be cut), "" when none */
    char reason[200];     /* Chinese */
} zf_spot_reject;

typedef struct zf_spot_pool_parse {
    zf_spot_entity *rows;
    size_t n;
    zf_spot_reject *rejected;
    size_t n_rejected;
} zf_spot_pool_parse;

#define ZF_SPOT_POOL_PARSE_INIT {NULL, 0, NULL, 0}

/* Parses text[0..len). File-level problems fail the whole file with
 * ZF_EINVAL (field "file"): not UTF-8 or a NUL byte, no header, a required
 * column missing, an unterminated quote; ZF_ETOOBIG beyond the limits.
 * Row problems only reject the row. Caller frees with
 * zf_spot_pool_parse_free (also after an error). */
int zf_spot_pool_parse_csv(zf_spot_pool_parse *out, const char *text, size_t len, zf_err *err);
void zf_spot_pool_parse_free(zf_spot_pool_parse *p);

/* The checks of one entity given as fields (also for the JSON API): 0 or
 * ZF_EINVAL with field and a Chinese message. Normalises credit_code in
 * place (upper case) — it must be writable. */
int zf_spot_entity_check(char *credit_code, const char *name, const char *address,
                         const char *category, zf_err *err);

#endif
