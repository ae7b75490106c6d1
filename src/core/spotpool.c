/* spotpool.c — see spotpool.h. */
#include "core/spotpool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lawdoc.h"
#include "core/redact.h"
#include "util/buf.h"
#include "util/mem.h"

#define MAX_COLS 32

typedef struct rec {
    char *cols[MAX_COLS];
    size_t n;
} rec;

static void rec_clear(rec *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        free(r->cols[i]);
    r->n = 0;
}

static void rec_push(rec *r, zf_buf *f)
{
    zf_buf_puts(f, "");
    r->cols[r->n++] = zf_buf_detach(f);
}

/* One record from *p. Returns 1 with a record, 0 at the end, -1 on an
 * unterminated quote or more than MAX_COLS fields. *line counts the file's
 * lines so a rejection can name where its row starts. */
static int next_record(rec *out, const char **p, const char *end, size_t *line)
{
    enum { START, PLAIN, QUOTED, AFTER_QUOTE } st = START;
    zf_buf f = ZF_BUF_INIT;
    const char *s = *p;

    out->n = 0;
    if (s >= end)
        return 0;
    for (; s < end; s++) {
        char ch = *s;

        if (st == QUOTED) {
            if (ch == '"') {
                st = AFTER_QUOTE;
                continue;
            }
            if (ch == '\n')
                (*line)++;
            zf_buf_putc(&f, ch);
            continue;
        }
        if (st == AFTER_QUOTE && ch == '"') { /* a doubled quote inside quotes */
            zf_buf_putc(&f, '"');
            st = QUOTED;
            continue;
        }
        if (ch == ',') {
            if (out->n + 1 >= MAX_COLS)
                goto bad;
            rec_push(out, &f);
            st = START;
            continue;
        }
        if (ch == '\n' || (ch == '\r' && s + 1 < end && s[1] == '\n')) {
            s += ch == '\r' ? 2 : 1;
            (*line)++;
            goto end_record;
        }
        if (st == START && ch == '"') {
            st = QUOTED;
            continue;
        }
        /* text after a closing quote is kept, as most spreadsheet tools do */
        st = PLAIN;
        zf_buf_putc(&f, ch);
    }
    if (st == QUOTED)
        goto bad;
end_record:
    rec_push(out, &f);
    *p = s;
    return 1;
bad:
    zf_buf_free(&f);
    rec_clear(out);
    return -1;
}

/* Trims ASCII spaces and the ideographic space U+3000 from both ends, in place. */
static char *trim(char *s)
{
    size_t n;

    for (;;) {
        if (*s == ' ')
            s++;
        else if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
            s += 3;
        else
            break;
    }
    n = strlen(s);
    for (;;) {
        if (n > 0 && s[n - 1] == ' ')
            n--;
        else if (n >= 3 && (unsigned char)s[n - 3] == 0xE3 && (unsigned char)s[n - 2] == 0x80 &&
                 (unsigned char)s[n - 1] == 0x80)
            n -= 3;
        else
            break;
    }
    s[n] = 0;
    return s;
}

static size_t code_points(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

int zf_spot_entity_check(char *credit_code, const char *name, const char *address,
                         const char *category, zf_err *err)
{
    char *c;

    for (c = credit_code; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    if (!zf_redact_credit_code_valid(credit_code, strlen(credit_code)))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "credit_code",
                          "统一社会信用代码无效（应为 18 位且校验码正确）");
    if (!*name)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "name", "名称不能为空");
    if (code_points(name) > ZF_SPOTPOOL_NAME_MAX)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "name", "名称不能超过 %d 个字",
                          ZF_SPOTPOOL_NAME_MAX);
    if (code_points(address) > ZF_SPOTPOOL_FIELD_MAX)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "address", "地址不能超过 %d 个字",
                          ZF_SPOTPOOL_FIELD_MAX);
    if (code_points(category) > ZF_SPOTPOOL_FIELD_MAX)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "category", "类别不能超过 %d 个字",
                          ZF_SPOTPOOL_FIELD_MAX);
    if (has_control(name) || has_control(address) || has_control(category))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", has_control(name) ? "name" : "address",
                          "名称、地址和类别中不能有换行符、制表符等控制字符");
    return 0;
}

enum { COL_CODE, COL_NAME, COL_ADDR, COL_CAT, COL_N };

static const char *const HEADERS[COL_N][5] = {
    {"统一社会信用代码", "信用代码", NULL},
    {"名称", "企业名称", "检查对象名称", "单位名称", NULL},
    {"地址", "住所", "经营场所", "注册地址", NULL},
    {"类别", "行业类别", "类型", NULL},
};

static void reject(zf_spot_pool_parse *out, size_t *cap, size_t line, const char *code,
                   const char *reason)
{
    zf_spot_reject *r;

    if (out->n_rejected == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        out->rejected = zf_realloc(out->rejected, *cap * sizeof *out->rejected);
    }
    r = &out->rejected[out->n_rejected++];
    r->line = line;
    snprintf(r->credit_code, sizeof r->credit_code, "%s", code ? code : "");
    snprintf(r->reason, sizeof r->reason, "%s", reason);
}

/* Entities by credit code, then by line (the first of equal codes first). */
static int entity_cmp(const void *pa, const void *pb)
{
    const zf_spot_entity *a = *(const zf_spot_entity *const *)pa;
    const zf_spot_entity *b = *(const zf_spot_entity *const *)pb;
    int c = strcmp(a->credit_code, b->credit_code);

    return c ? c : (a->line > b->line) - (a->line < b->line);
}

int zf_spot_pool_parse_csv(zf_spot_pool_parse *out, const char *text, size_t len, zf_err *err)
{
    const char *p = text, *end = text + len;
    int col[COL_N] = {-1, -1, -1, -1};
    size_t line = 1, start, cap = 0, rcap = 0, i, k, bad_at = 0;
    zf_spot_entity **codes = NULL;
    rec r = {{0}, 0};
    int rc = 0, got;

    memset(out, 0, sizeof *out);
    if (len > ZF_SPOTPOOL_MAX_BYTES)
        return zf_err_set(err, ZF_ETOOBIG, "file_too_large", "file", "文件过大（不超过 8 MB）");
    if (!zf_lawdoc_utf8_valid(text, len, &bad_at))
        return zf_err_set(err, ZF_EINVAL, "invalid_utf8", "file",
                          "文件不是 UTF-8 编码（第 %zu 字节起），请另存为 UTF-8 CSV", bad_at + 1);
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    if ((got = next_record(&r, &p, end, &line)) <= 0)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "file",
                          got == 0 ? "文件为空：第一行应为列名" : "列名行格式错误");
    for (i = 0; i < r.n; i++) {
        const char *h = trim(r.cols[i]);

        for (k = 0; k < COL_N; k++) {
            size_t j;

            for (j = 0; HEADERS[k][j]; j++)
                if (col[k] < 0 && strcmp(h, HEADERS[k][j]) == 0)
                    col[k] = (int)i;
        }
    }
    rec_clear(&r);
    if (col[COL_CODE] < 0 || col[COL_NAME] < 0) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "file",
                        "缺少必需的列：%s", col[COL_CODE] < 0 ? "统一社会信用代码" : "名称");
        goto done;
    }
    for (;;) {
        const char *v[COL_N];
        zf_err e = ZF_ERR_INIT;
        zf_spot_entity *ent;

        start = line;
        if ((got = next_record(&r, &p, end, &line)) == 0)
            break;
        if (got < 0) {
            rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "file",
                            "第 %zu 行起的引号没有闭合，或列数过多", start);
            goto done;
        }
        if (r.n == 1 && trim(r.cols[0])[0] == 0) { /* blank line */
            rec_clear(&r);
            continue;
        }
        if (out->n + out->n_rejected >= ZF_SPOTPOOL_MAX_ROWS) {
            rc = zf_err_set(err, ZF_ETOOBIG, "too_many_rows", "file", "行数过多（不超过 %d 行）",
                            ZF_SPOTPOOL_MAX_ROWS);
            goto done;
        }
        for (k = 0; k < COL_N; k++)
            v[k] = col[k] >= 0 && (size_t)col[k] < r.n ? trim(r.cols[col[k]]) : "";
        if (zf_spot_entity_check((char *)v[COL_CODE], v[COL_NAME], v[COL_ADDR], v[COL_CAT], &e) < 0) {
            reject(out, &rcap, start, v[COL_CODE], e.message);
            rec_clear(&r);
            continue;
        }
        if (out->n == cap) {
            cap = cap ? 2 * cap : 64;
            out->rows = zf_realloc(out->rows, cap * sizeof *out->rows);
        }
        ent = &out->rows[out->n++];
        ent->credit_code = zf_strdup(v[COL_CODE]);
        ent->name = zf_strdup(v[COL_NAME]);
        ent->address = zf_strdup(v[COL_ADDR]);
        ent->category = zf_strdup(v[COL_CAT]);
        ent->line = start;
        rec_clear(&r);
    }
    /* repeated credit codes: the first row stays, later ones are rejected */
    if (out->n > 1) {
        char *dup = zf_calloc(out->n, 1);
        size_t w = 0;

        codes = zf_malloc(out->n * sizeof *codes);
        for (i = 0; i < out->n; i++)
            codes[i] = &out->rows[i]; /* sorted by code, then file order */
        qsort(codes, out->n, sizeof *codes, entity_cmp);
        for (i = 1; i < out->n; i++) {
            const zf_spot_entity *a = codes[i - 1];
            const zf_spot_entity *b = codes[i];

            if (strcmp(a->credit_code, b->credit_code) == 0)
                dup[b - out->rows] = 1;
        }
        for (i = 0; i < out->n; i++) {
            zf_spot_entity *e = &out->rows[i];

            if (!dup[i]) {
                out->rows[w++] = *e;
                continue;
            }
            reject(out, &rcap, e->line, e->credit_code, "统一社会信用代码与前面的行重复");
            free(e->credit_code);
            free(e->name);
            free(e->address);
            free(e->category);
        }
        out->n = w;
        free(dup);
    }
done:
    free(codes);
    rec_clear(&r);
    return rc;
}

void zf_spot_pool_parse_free(zf_spot_pool_parse *p)
{
    size_t i;

    if (!p)
        return;
    for (i = 0; i < p->n; i++) {
        free(p->rows[i].credit_code);
        free(p->rows[i].name);
        free(p->rows[i].address);
        free(p->rows[i].category);
    }
    free(p->rows);
    free(p->rejected);
    memset(p, 0, sizeof *p);
}
