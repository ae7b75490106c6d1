/* report.c — `zhifa report annual --year Y [--department CODE] [--xlsx F]
 * [--pdf F] [--json]`: the annual report (年报) of one department, or of the
 * whole city, counted from the records now (store/annual_store.h), printed
 * and optionally written as XLSX and PDF. It does not store or publish
 * anything: that is the console's generate / review / publish. */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/annual_doc.h"
#include "store/annual_store.h"

static const char USAGE[] =
    "用法：zhifa report annual --year YEAR [--department CODE] [--xlsx FILE] [--pdf FILE]\n"
    "                          [--json] [--data DIR]\n"
    "\n"
    "按记录统计行政执法数据年报（许可、处罚、强制、检查、征收征用、法制审核、公示），\n"
    "不指定部门时统计全市。只统计和输出，不保存也不公开（公开请在管理控制台操作）。\n"
    "\n"
    "选项：\n"
    "  --year YEAR        统计年度（必填）\n"
    "  --department CODE  部门代码，例如 SCJGJ；省略则为全市\n"
    "  --xlsx FILE        另存为 Excel 文件\n"
    "  --pdf FILE         另存为 PDF 文件\n"
    "  --json             以 JSON 输出到标准输出\n"
    "  --data DIR         数据目录（也可用环境变量 ZHIFA_DATA）\n"
    "  -h, --help         显示本帮助\n";

static int write_file(const char *path, const zf_buf *b)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (!f) {
        fprintf(stderr, "zhifa report: 无法写入 %s\n", path);
        return 1;
    }
    ok = fwrite(b->ptr, 1, b->len, f) == b->len;
    ok = (fclose(f) == 0) && ok;
    if (!ok) {
        fprintf(stderr, "zhifa report: 写入 %s 失败\n", path);
        return 1;
    }
    return 0;
}

/* Prints s left-aligned in cols terminal columns: Chinese characters take
 * two columns, so printf's byte-counted %-28s would not line up. */
static void print_padded(const char *s, int cols)
{
    const unsigned char *p;
    int w = 0;

    if (!s)
        s = "";
    p = (const unsigned char *)s;

    for (; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        w += *p >= 0xE1 ? 2 : 1; /* U+1000 and above: CJK, full-width punctuation */
    }
    fputs(s, stdout);
    for (; w < cols; w++)
        putchar(' ');
}

static void print_text(const json_t *meta)
{
    const json_t *sec, *it;
    size_t i, j;

    printf("%s %lld 年度行政执法数据年报（统计截至 %s）\n", json_string_value(json_object_get(meta, "department")),
           (long long)json_integer_value(json_object_get(meta, "year")),
           json_string_value(json_object_get(meta, "as_of")));
    json_array_foreach(json_object_get(json_object_get(meta, "report"), "sections"), i, sec) {
        printf("\n%s\n", json_string_value(json_object_get(sec, "title")));
        json_array_foreach(json_object_get(sec, "items"), j, it) {
            json_t *a = json_object_get(it, "amount_fen");
            char yuan[48];

            printf("  ");
            print_padded(json_string_value(json_object_get(it, "label")), 24);
            printf(" %8lld", (long long)json_integer_value(json_object_get(it, "count")));
            if (a) {
                zf_annual_doc_yuan(yuan, sizeof yuan, json_integer_value(a));
                printf("  %s 元", yuan);
            }
            printf("\n");
        }
    }
}

int zf_cmd_report(int argc, char **argv)
{
    const char *data_flag = NULL, *year_s = NULL, *dept = NULL, *xlsx = NULL, *pdf = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_db *db = NULL;
    zf_stmt *st = NULL;
    json_t *rep = NULL, *meta = NULL;
    zf_buf out = ZF_BUF_INIT;
    int64_t dept_id = 0;
    char *end = NULL;
    int i, rc = 0, as_json = 0, failed = 0;
    long year;

    if (zf_cmd_wants_help(argc, argv) || argc < 2) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "annual"))
        return zf_cmd_usage_error("report", "未知的报告 %s（目前只有 annual）", argv[1]);
    for (i = 2; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--data") == 0         ? &data_flag
                            : strcmp(argv[i], "--year") == 0       ? &year_s
                            : strcmp(argv[i], "--department") == 0 ? &dept
                            : strcmp(argv[i], "--xlsx") == 0       ? &xlsx
                            : strcmp(argv[i], "--pdf") == 0        ? &pdf
                                                                   : NULL;
        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
            continue;
        }
        if (!slot)
            return zf_cmd_usage_error("report", "无法识别的参数 %s", argv[i]);
        if (i + 1 >= argc || !argv[i + 1][0])
            return zf_cmd_usage_error("report", "%s 需要一个值", argv[i]);
        *slot = argv[++i];
    }
    if (!year_s)
        return zf_cmd_usage_error("report", "缺少 --year");
    year = strtol(year_s, &end, 10);
    if (*end || end == year_s || year < 1 || year > 9999)
        return zf_cmd_usage_error("report", "年度 %s 无效", year_s);
    if (zf_cmd_open_db(&db, zf_cmd_data_dir(data_flag), &err) < 0)
        return zf_cmd_fail(&err);
    meta = json_pack("{s:s,s:i}", "department", "全市", "year", (int)year);
    if (dept) {
        if ((rc = zf_db_prepare(&st, db, "SELECT id, name FROM departments WHERE code = $1", &err)) < 0)
            goto done;
        zf_stmt_bind_text(st, 1, dept, -1);
        if ((rc = zf_stmt_step(st, &err)) == 1) {
            dept_id = zf_stmt_int64(st, 0);
            json_object_set_new(meta, "department", json_string(zf_stmt_text(st, 1)));
            rc = 0;
        } else if (rc == 0) {
            rc = zf_err_set(&err, ZF_ENOTFOUND, "not_found", "department", "没有部门代码为 %s 的部门", dept);
        }
        if (rc < 0)
            goto done;
    }
    if ((rc = zf_annual_compute(&rep, db, dept_id, (int)year, zf_cmd_now(), &err)) < 0)
        goto done;
    json_object_set_new(meta, "as_of", json_incref(json_object_get(rep, "as_of")));
    json_object_set_new(meta, "state_name", json_string("统计"));
    json_object_set(meta, "report", rep);
    if (xlsx) {
        if ((rc = zf_annual_doc_xlsx(&out, meta, &err)) < 0)
            goto done;
        if (write_file(xlsx, &out)) {
            failed = 1;
            goto done;
        }
        zf_buf_reset(&out);
    }
    if (pdf) {
        if ((rc = zf_annual_doc_pdf(&out, meta, &err)) < 0)
            goto done;
        if (write_file(pdf, &out)) {
            failed = 1;
            goto done;
        }
    }
    if (as_json) {
        char *s = json_dumps(meta, JSON_INDENT(2));

        puts(s);
        free(s);
    } else {
        print_text(meta);
    }
done:
    zf_stmt_free(st);
    zf_buf_free(&out);
    json_decref(rep);
    json_decref(meta);
    zf_db_close(db);
    if (failed) /* write_file said why */
        return 1;
    return rc < 0 ? zf_cmd_fail(&err) : 0;
}
