/* annual_doc.c — see annual_doc.h. */
#include "render/annual_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/content.h"
#include "render/pdf.h"
#include "render/xlsx.h"
#include "util/mem.h"

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

void zf_annual_doc_yuan(char *out, size_t cap, int64_t fen)
{
    char digits[32], grouped[48];
    int64_t yuan = (fen < 0 ? -fen : fen) / 100;
    size_t n, i, o = 0;

    snprintf(digits, sizeof digits, "%lld", (long long)yuan);
    n = strlen(digits);
    for (i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            grouped[o++] = ',';
        grouped[o++] = digits[i];
    }
    grouped[o] = 0;
    snprintf(out, cap, "%s%s.%02lld", fen < 0 ? "-" : "", grouped,
             (long long)((fen < 0 ? -fen : fen) % 100));
}

static void title_of(char *out, size_t cap, const json_t *meta)
{
    snprintf(out, cap, "%s%lld年度行政执法数据年报", str(meta, "department"),
             (long long)json_integer_value(json_object_get(meta, "year")));
}

int zf_annual_doc_xlsx(zf_buf *out, const json_t *meta, zf_err *err)
{
    static const char *const HEAD[] = {"类别", "统计项", "件数", "金额（元）"};
    static const double WIDTH[] = {22, 28, 10, 16};
    static const char *const INFO_HEAD[] = {"项目", "内容"};
    static const double INFO_WIDTH[] = {16, 48};
    const json_t *rep = json_object_get(meta, "report"), *sec, *it;
    zf_xlsx *x = NULL;
    char title[256];
    size_t i, j;
    int rc;

    if (!json_is_array(json_object_get(rep, "sections")))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", NULL, "年报数据格式不正确");
    if ((rc = zf_xlsx_new(&x, err)) < 0)
        return rc;
    if ((rc = zf_xlsx_sheet(x, "年报", HEAD, WIDTH, 4, err)) < 0)
        goto fail;
    json_array_foreach(json_object_get(rep, "sections"), i, sec)
        json_array_foreach(json_object_get(sec, "items"), j, it) {
            json_t *a = json_object_get(it, "amount_fen");

            zf_xlsx_text(x, str(sec, "title"));
            zf_xlsx_text(x, str(it, "label"));
            zf_xlsx_number(x, (double)json_integer_value(json_object_get(it, "count")));
            if (a)
                zf_xlsx_number(x, (double)json_integer_value(a) / 100.0);
            zf_xlsx_row_end(x);
        }
    if ((rc = zf_xlsx_sheet(x, "说明", INFO_HEAD, INFO_WIDTH, 2, err)) < 0)
        goto fail;
    title_of(title, sizeof title, meta);
    {
        char year[16];
        const char *rows[][2] = {
            {"标题", title},
            {"报告单位", str(meta, "department")},
            {"年度", year},
            {"统计截至", str(meta, "as_of")},
            {"状态", str(meta, "state_name")},
            {"公开日期", str(meta, "published_on")},
        };

        snprintf(year, sizeof year, "%lld", (long long)json_integer_value(json_object_get(meta, "year")));
        for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            zf_xlsx_text(x, rows[i][0]);
            zf_xlsx_text(x, rows[i][1]);
            zf_xlsx_row_end(x);
        }
    }
    return zf_xlsx_finish(out, x, err);
fail:
    zf_xlsx_free(x);
    return rc;
}

int zf_annual_doc_pdf(zf_buf *out, const json_t *meta, zf_err *err)
{
    const json_t *rep = json_object_get(meta, "report"), *sec, *it;
    char title[256], line[320];
    zf_rdoc *doc;
    size_t i, j;
    int rc;

    if (!json_is_array(json_object_get(rep, "sections")))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", NULL, "年报数据格式不正确");
    title_of(title, sizeof title, meta);
    snprintf(line, sizeof line, "%s（统计截至%s）", title, str(meta, "as_of"));
    doc = zf_rdoc_new(line);
    zf_rdoc_add(doc, ZF_RB_AUTHORITY, NULL, str(meta, "department"));
    snprintf(line, sizeof line, "%lld年度行政执法数据年报",
             (long long)json_integer_value(json_object_get(meta, "year")));
    zf_rdoc_add(doc, ZF_RB_TITLE, NULL, line);
    snprintf(line, sizeof line, "%lld年1月1日至%lld年12月31日",
             (long long)json_integer_value(json_object_get(meta, "year")),
             (long long)json_integer_value(json_object_get(meta, "year")));
    zf_rdoc_add(doc, ZF_RB_LINE, "统计期间", line);
    zf_rdoc_add(doc, ZF_RB_LINE, "统计截至", str(meta, "as_of"));
    if (*str(meta, "published_on"))
        zf_rdoc_add(doc, ZF_RB_LINE, "公开日期", str(meta, "published_on"));
    json_array_foreach(json_object_get(rep, "sections"), i, sec) {
        const json_t *items = json_object_get(sec, "items");
        size_t n = json_array_size(items), k = 0;
        const char **cells = zf_calloc((n + 1) * 3, sizeof *cells);
        char (*nums)[32] = zf_calloc(n ? n : 1, sizeof *nums);
        char (*amts)[48] = zf_calloc(n ? n : 1, sizeof *amts);

        cells[k++] = "统计项";
        cells[k++] = "件数";
        cells[k++] = "金额（元）";
        json_array_foreach(items, j, it) {
            json_t *a = json_object_get(it, "amount_fen");

            snprintf(nums[j], sizeof nums[j], "%lld",
                     (long long)json_integer_value(json_object_get(it, "count")));
            if (a)
                zf_annual_doc_yuan(amts[j], sizeof amts[j], json_integer_value(a));
            cells[k++] = str(it, "label");
            cells[k++] = nums[j];
            cells[k++] = a ? amts[j] : "—";
        }
        zf_rdoc_add_table(doc, str(sec, "title"), 3, cells, k);
        free(cells);
        free(nums);
        free(amts);
    }
    rc = zf_render_pdf_content(out, NULL, doc, title, str(meta, "department"), err);
    zf_rdoc_free(doc);
    return rc;
}
