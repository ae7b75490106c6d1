/* import_penalties.c — `zhifa import penalties FILE.csv`: historical
 * 行政处罚 publicity records (issue 7) into the publications table, already
 * published (masked) and searchable, with a report of the rows rejected and
 * why.
 *
 * The file is CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF), UTF-8
 * with or without a BOM, first line the header. Columns are found by name,
 * accepting the credit platforms' names and those of the regulators' public
 * lists (the reference NFRA file): 当事人 / 行政相对人名称, 处罚日期 /
 * 处罚决定日期, 处罚类型 / 处罚类别, 违规事实 / 违法事实, 罚没金额（元） or
 * 罚款金额（万元）, 法律依据 / 处罚依据, 违规领域 / 违法行为类型, 处理机构 /
 * 处罚机关, 当事人类型 / 行政相对人类别, 决定书文号, 统一社会信用代码. Dates
 * are YYYY/M/D or YYYY-MM-DD; amounts in yuan are stored in 万元 as the
 * 双公示 layout wants.
 *
 * The department that publishes a row is the one named by 处理机构 when it is
 * a department of the city, else --department (id, code or name). A row
 * identical to one already imported is skipped, so a re-run adds nothing.
 * All rows go in one transaction: a store failure leaves nothing half done.
 * The publication period (公示截止期, 3 years) counts from the import. */
#include "cmd/import_penalties.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "core/calendar.h"
#include "store/calendar_store.h"
#include "store/publication_store.h"
#include "util/buf.h"
#include "util/mem.h"

#define MAX_COLS 64
#define MAX_FILE ((size_t)64 * 1024 * 1024)

static const char usage_text[] =
    "用法：zhifa import penalties FILE.csv [--department 部门] [--data DIR]\n"
    "\n"
    "导入历史行政处罚公示记录（CSV，UTF-8，可带 BOM，首行为列名）。导入的记录按公众口径\n"
    "脱敏后直接公示，并可检索。必需的列：当事人（或 行政相对人名称）、处罚日期（或\n"
    "处罚决定日期，格式 YYYY/M/D 或 YYYY-MM-DD）、处罚类型（或 处罚类别）、违规事实\n"
    "（或 违法事实）。罚没金额（元）换算为万元。\n"
    "\n"
    "选项：\n"
    "  --department 部门  处理机构不是本市执法部门时，记录归属的部门（编号、代码或名称）\n"
    "  --data DIR         数据目录（默认取环境变量 ZHIFA_DATA）\n"
    "  -h, --help         显示本帮助\n"
    "\n"
    "全部行导入（或已导入而跳过）时退出码为 0，有行被拒绝时为 1，用法错误为 2。\n";

/* ---- CSV ------------------------------------------------------------------ */

typedef struct csv_row {
    char *cols[MAX_COLS];
    size_t n;
} csv_row;

static void row_clear(csv_row *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        free(r->cols[i]);
    r->n = 0;
}

/* Reads one record from *p (advanced). Returns 1 with a row, 0 at the end,
 * -1 on an unterminated quote or too many columns. *lines counts newlines. */
static int csv_next(csv_row *out, const char **p, const char *end, size_t *lines)
{
    zf_buf f = ZF_BUF_INIT;
    const char *s = *p;
    int quoted = 0, field_started = 0;

    out->n = 0;
    if (s >= end)
        return 0;
    for (;;) {
        if (s >= end) {
            if (quoted)
                goto bad;
            break;
        }
        if (quoted) {
            if (*s == '"') {
                if (s + 1 < end && s[1] == '"') {
                    zf_buf_putc(&f, '"');
                    s += 2;
                    continue;
                }
                quoted = 0;
                s++;
                continue;
            }
            if (*s == '\n')
                (*lines)++;
            zf_buf_putc(&f, *s++);
            continue;
        }
        if (*s == '"' && !field_started) {
            quoted = field_started = 1;
            s++;
            continue;
        }
        if (*s == ',') {
            if (out->n + 1 >= MAX_COLS)
                goto bad;
            zf_buf_puts(&f, "");
            out->cols[out->n++] = zf_buf_detach(&f);
            field_started = 0;
            s++;
            continue;
        }
        if (*s == '\r' && s + 1 < end && s[1] == '\n')
            s++;
        if (*s == '\n') {
            (*lines)++;
            s++;
            break;
        }
        field_started = 1;
        zf_buf_putc(&f, *s++);
    }
    zf_buf_puts(&f, "");
    out->cols[out->n++] = zf_buf_detach(&f);
    *p = s;
    return 1;
bad:
    zf_buf_free(&f);
    row_clear(out);
    return -1;
}

/* ---- fields ------------------------------------------------------------------ */

enum { C_NAME, C_DATE, C_TYPE, C_FACT, C_YUAN, C_WAN, C_BASIS, C_AREA, C_ORGAN, C_PKIND, C_DOCNO,
       C_CODE, C_COUNT };

static const char *const NAMES[C_COUNT][3] = {
    {"当事人", "行政相对人名称", NULL},     {"处罚日期", "处罚决定日期", NULL},
    {"处罚类型", "处罚类别", NULL},         {"违规事实", "违法事实", NULL},
    {"罚没金额（元）", "罚没金额(元)", NULL}, {"罚款金额（万元）", "罚款金额(万元)", NULL},
    {"法律依据", "处罚依据", NULL},         {"违规领域", "违法行为类型", NULL},
    {"处理机构", "处罚机关", NULL},         {"当事人类型", "行政相对人类别", NULL},
    {"决定书文号", "行政处罚决定书文号", NULL}, {"统一社会信用代码", NULL, NULL},
};

static void trim(char *s)
{
    size_t n = strlen(s), i = 0;

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    memmove(s, s + i, n - i + 1);
}

static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        int n = *p < 0x80 ? 0 : (*p >> 5) == 6 ? 1 : (*p >> 4) == 14 ? 2 : (*p >> 3) == 30 ? 3 : -1;

        if (n < 0)
            return 0;
        p++;
        while (n--) {
            if ((*p & 0xC0) != 0x80)
                return 0;
            p++;
        }
    }
    return 1;
}

static int parse_date(zf_date *out, const char *s)
{
    int y, m, d;
    char sep, sep2, tail;

    if (sscanf(s, "%4d%c%2d%c%2d%c", &y, &sep, &m, &sep2, &d, &tail) != 5)
        return -1;
    if (sep != sep2 || (sep != '/' && sep != '-'))
        return -1;
    return zf_date_from_ymd(out, y, m, d, NULL);
}

/* A non-negative decimal amount; "" is 0. */
static int parse_amount(double *out, const char *s)
{
    char *end;

    *out = 0;
    if (!*s)
        return 0;
    errno = 0;
    *out = strtod(s, &end);
    if (errno || *end || *out < 0 || *out > 1e13 || end == s)
        return -1;
    return 0;
}

static void wan(char *out, size_t cap, double v)
{
    size_t n;

    snprintf(out, cap, "%.6f", v);
    n = strlen(out);
    while (n > 0 && out[n - 1] == '0')
        out[--n] = 0;
    if (n > 0 && out[n - 1] == '.')
        out[--n] = 0;
}

static int64_t find_dept(zf_db *db, const char *key, char *name, size_t cap)
{
    zf_stmt *st = NULL;
    int64_t id = 0;

    if (!key || !*key)
        return 0;
    if (zf_db_prepare(&st, db,
                      "SELECT id, name FROM departments WHERE CAST(id AS TEXT) = $1 OR code = $1 OR "
                      "name = $1 OR (short_name <> '' AND short_name = $1) ORDER BY id LIMIT 1",
                      NULL) < 0)
        return 0;
    zf_stmt_bind_text(st, 1, key, -1);
    if (zf_stmt_step(st, NULL) == 1) {
        id = zf_stmt_int64(st, 0);
        snprintf(name, cap, "%s", zf_stmt_text(st, 1));
    }
    zf_stmt_free(st);
    return id;
}

static int already(zf_db *db, int64_t dept, const char *content, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "SELECT 1 FROM publications WHERE origin = 'import' AND department_id = $1 "
                            "AND content = $2 LIMIT 1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, dept);
    zf_stmt_bind_text(st, 2, content, -1);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc;
}

typedef struct report {
    size_t imported, skipped, rejected;
    zf_buf lines;
} report;

static void reject(report *r, size_t line, const char *fmt, const char *arg)
{
    r->rejected++;
    zf_buf_printf(&r->lines, "  第 %zu 行：", line);
    zf_buf_printf(&r->lines, fmt, arg ? arg : "");
    zf_buf_putc(&r->lines, '\n');
}

static int import_rows(report *rep, zf_db *db, const char *text, size_t len, int64_t def_dept,
                       const char *def_name, int64_t now, zf_err *err)
{
    const char *p = text, *end = text + len;
    csv_row head = {{0}, 0}, row = {{0}, 0};
    int idx[C_COUNT];
    size_t lines = 0, i, line;
    int rc = 0, k;

    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    if (csv_next(&head, &p, end, &lines) != 1)
        return zf_err_set(err, ZF_EINVAL, "bad_csv", NULL, "文件为空或首行不是列名");
    for (k = 0; k < C_COUNT; k++) {
        idx[k] = -1;
        for (i = 0; i < head.n && idx[k] < 0; i++) {
            int j;

            trim(head.cols[i]);
            for (j = 0; j < 3 && NAMES[k][j]; j++)
                if (strcmp(head.cols[i], NAMES[k][j]) == 0)
                    idx[k] = (int)i;
        }
    }
    for (k = C_NAME; k <= C_FACT; k++)
        if (idx[k] < 0) {
            rc = zf_err_set(err, ZF_EINVAL, "bad_csv", NULL, "缺少必需的列“%s”", NAMES[k][0]);
            goto done;
        }
    for (;;) {
        const char *v[C_COUNT];
        zf_date date;
        double amount = 0;
        char ds[ZF_DATE_STRLEN], es[ZF_DATE_STRLEN], fine[48], dname[256], title[600];
        int64_t dept;
        int person, r;
        json_t *content;
        char *ctext;

        line = lines + 1;
        r = csv_next(&row, &p, end, &lines);
        if (r == 0)
            break;
        if (r < 0) {
            reject(rep, line, "%s引号未闭合或列数过多，其后的内容无法读取", "");
            break;
        }
        if (row.n == 1 && row.cols[0][0] == 0) { /* a blank line */
            row_clear(&row);
            continue;
        }
        for (i = 0; i < row.n; i++)
            trim(row.cols[i]);
        for (k = 0; k < C_COUNT; k++)
            v[k] = idx[k] >= 0 && (size_t)idx[k] < row.n ? row.cols[idx[k]] : "";
        if (row.n != head.n) {
            reject(rep, line, "列数与首行不一致%s", "");
        } else if (!utf8_ok(v[C_NAME]) || !utf8_ok(v[C_FACT]) || !utf8_ok(v[C_BASIS]) ||
                   !utf8_ok(v[C_AREA]) || !utf8_ok(v[C_ORGAN]) || !utf8_ok(v[C_TYPE])) {
            reject(rep, line, "不是有效的 UTF-8 文本%s", "");
        } else if (!*v[C_NAME]) {
            reject(rep, line, "缺少当事人名称%s", "");
        } else if (!*v[C_TYPE]) {
            reject(rep, line, "缺少处罚类型%s", "");
        } else if (!*v[C_FACT]) {
            reject(rep, line, "缺少违法事实%s", "");
        } else if (parse_date(&date, v[C_DATE]) < 0) {
            reject(rep, line, "处罚日期“%s”无效（应为 YYYY/M/D 或 YYYY-MM-DD）", v[C_DATE]);
        } else if (date > zf_calendar_store_today(now)) {
            reject(rep, line, "处罚日期“%s”晚于今天", v[C_DATE]);
        } else if (idx[C_YUAN] >= 0 ? parse_amount(&amount, v[C_YUAN]) < 0
                                     : parse_amount(&amount, v[C_WAN]) < 0) {
            reject(rep, line, "罚没金额“%s”不是非负数", idx[C_YUAN] >= 0 ? v[C_YUAN] : v[C_WAN]);
        } else if (!(dept = find_dept(db, v[C_ORGAN], dname, sizeof dname)) &&
                   !(dept = def_dept)) {
            reject(rep, line, "处理机构“%s”不是本市执法部门（可用 --department 指定归属部门）",
                   v[C_ORGAN]);
        } else {
            if (dept == def_dept && def_name && !find_dept(db, v[C_ORGAN], dname, sizeof dname))
                snprintf(dname, sizeof dname, "%s", def_name);
            if (idx[C_YUAN] >= 0)
                amount /= 10000.0;
            wan(fine, sizeof fine, amount);
            zf_date_format(ds, date);
            /* the publication period runs from publication on this platform:
             * counted from an old decision date it would already be over and
             * the tick would end the record at once */
            zf_date_format(es, zf_publication_add_months(zf_calendar_store_today(now), 36));
            person = strstr(v[C_PKIND], "个人") || strstr(v[C_PKIND], "自然人");
            content = json_object();
#define PUT(k, x) json_object_set_new(content, k, json_string(x))
            PUT("行政相对人名称", v[C_NAME]);
            PUT("行政相对人类别", person ? "自然人" : v[C_PKIND]);
            PUT("统一社会信用代码", v[C_CODE]);
            PUT("行政处罚决定书文号", v[C_DOCNO]);
            PUT("违法行为类型", v[C_AREA]);
            PUT("违法事实", v[C_FACT]);
            PUT("处罚依据", v[C_BASIS]);
            PUT("处罚类别", v[C_TYPE]);
            PUT("处罚内容", v[C_TYPE]);
            PUT("罚款金额（万元）", fine);
            PUT("处罚决定日期", ds);
            PUT("公示截止期", es);
            PUT("处罚机关", *v[C_ORGAN] ? v[C_ORGAN] : dname);
            PUT("数据来源单位", dname);
            PUT("执法机关", *v[C_ORGAN] ? v[C_ORGAN] : dname);
            PUT("执法对象", v[C_NAME]);
            PUT("执法类别", "行政处罚");
            PUT("执法结论", "给予行政处罚");
#undef PUT
            ctext = json_dumps(content, JSON_COMPACT | JSON_PRESERVE_ORDER);
            if ((r = already(db, dept, ctext, err)) < 0) {
                rc = r;
            } else if (r == 1) {
                rep->skipped++;
            } else {
                snprintf(title, sizeof title, "行政处罚决定：%s", v[C_NAME]);
                if (person) {
                    /* a person's name is masked in the title too */
                    json_t *m = NULL, *f = NULL;

                    if ((rc = zf_publication_mask(&m, &f, content, 1, err)) == 0)
                        snprintf(title, sizeof title, "行政处罚决定：%s",
                                 json_string_value(json_object_get(m, "行政相对人名称")));
                    json_decref(m);
                    json_decref(f);
                }
                if (rc == 0 &&
                    (rc = zf_publication_insert_published(NULL, db, dept, "penalty", title, content,
                                                          person, ds, es, NULL, now, err)) == 0)
                    rep->imported++;
            }
            free(ctext);
            json_decref(content);
            if (rc < 0)
                goto done;
        }
        row_clear(&row);
    }
done:
    row_clear(&head);
    row_clear(&row);
    return rc;
}

static int read_all(char **out, size_t *out_len, const char *path, zf_err *err)
{
    FILE *f = fopen(path, "rb");
    zf_buf b = ZF_BUF_INIT;
    char chunk[65536];
    size_t n;

    *out = NULL;
    if (!f)
        return zf_err_set(err, ZF_EIO, "file_unreadable", NULL, "无法读取文件 %s", path);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > MAX_FILE) {
            fclose(f);
            zf_buf_free(&b);
            return zf_err_set(err, ZF_ETOOBIG, "file_too_big", NULL, "文件过大（上限 64 MiB）");
        }
        zf_buf_append(&b, chunk, n);
    }
    fclose(f);
    *out_len = b.len;
    zf_buf_puts(&b, "");
    *out = zf_buf_detach(&b);
    return 0;
}

int zf_cmd_import_penalties(int argc, char **argv)
{
    const char *file = NULL, *data = NULL, *dept_key = NULL, *data_dir;
    zf_err err = ZF_ERR_INIT;
    zf_db *db = NULL;
    report rep = {0, 0, 0, ZF_BUF_INIT};
    char *text = NULL, dname[256] = "";
    size_t len = 0;
    int64_t dept = 0;
    int i, code = 1;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(a, "--data") == 0 && i + 1 < argc) {
            data = argv[++i];
        } else if (strcmp(a, "--department") == 0 && i + 1 < argc) {
            dept_key = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return zf_cmd_usage_error("import", "未知选项或缺少参数 %s", a);
        } else if (!file) {
            file = a;
        } else {
            return zf_cmd_usage_error("import", "多余的参数 %s", a);
        }
    }
    if (!file)
        return zf_cmd_usage_error("import", "缺少文件参数：zhifa import penalties FILE.csv");
    if (!(data_dir = zf_cmd_data_dir(data)))
        return zf_cmd_usage_error("import", "未指定数据目录（使用 --data DIR 或设置 ZHIFA_DATA）");
    if (read_all(&text, &len, file, &err) < 0 || zf_cmd_open_db(&db, data_dir, &err) < 0) {
        code = zf_cmd_fail(&err);
        goto done;
    }
    if (dept_key && !(dept = find_dept(db, dept_key, dname, sizeof dname))) {
        code = zf_cmd_usage_error("import", "找不到部门“%s”", dept_key);
        goto done;
    }
    if (zf_db_begin(db, &err) < 0) {
        code = zf_cmd_fail(&err);
        goto done;
    }
    if (import_rows(&rep, db, text, len, dept, dept ? dname : NULL, (int64_t)time(NULL), &err) < 0) {
        zf_db_rollback(db);
        code = zf_cmd_fail(&err);
        goto done;
    }
    if (zf_db_commit(db, &err) < 0) {
        code = zf_cmd_fail(&err);
        goto done;
    }
    printf("导入 %zu 条，跳过 %zu 条（已导入），拒绝 %zu 条\n", rep.imported, rep.skipped,
           rep.rejected);
    if (rep.rejected)
        printf("被拒绝的行：\n%s", zf_buf_str(&rep.lines));
    code = rep.rejected ? 1 : 0;
done:
    zf_buf_free(&rep.lines);
    free(text);
    zf_db_close(db);
    return code;
}
