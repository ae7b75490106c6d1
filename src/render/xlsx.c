/* xlsx.c — see xlsx.h. */
#include "render/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "util/mem.h"

#define XLSX_MAX_TEXT 32767 /* Excel's limit per cell, in characters */

struct zf_xlsx {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold, *head;
    lxw_row_t row;
    lxw_col_t col;
    int bold_row;
    char path[64];
};

static const char *tmp_dir(void)
{
    const char *t = getenv("TMPDIR");

    return t && *t && strlen(t) < 40 ? t : "/tmp";
}

int zf_xlsx_new(zf_xlsx **out, zf_err *err)
{
    zf_xlsx *x = zf_calloc(1, sizeof *x);
    lxw_workbook_options opt = {0};
    int fd;

    *out = NULL;
    snprintf(x->path, sizeof x->path, "%s/zhifa-xlsx-XXXXXX", tmp_dir());
    if ((fd = mkstemp(x->path)) < 0) {
        free(x);
        return zf_err_set(err, ZF_EIO, NULL, NULL, "无法创建临时文件");
    }
    close(fd);
    opt.constant_memory = LXW_FALSE;
    opt.tmpdir = (char *)tmp_dir();
    if (!(x->wb = workbook_new_opt(x->path, &opt))) {
        unlink(x->path);
        free(x);
        return zf_err_set(err, ZF_EIO, NULL, NULL, "无法创建电子表格");
    }
    x->bold = workbook_add_format(x->wb);
    format_set_bold(x->bold);
    x->head = workbook_add_format(x->wb);
    format_set_bold(x->head);
    format_set_bg_color(x->head, 0xDDEBF7);
    format_set_border(x->head, LXW_BORDER_THIN);
    format_set_text_wrap(x->head);
    *out = x;
    return 0;
}

/* Excel refuses []:*?/\ in sheet names and more than 31 characters. */
static void sheet_name(char *out, size_t cap, const char *name)
{
    size_t o = 0, chars = 0;
    const char *p;

    for (p = name; *p && o + 4 < cap && chars < 31; chars++) {
        size_t n = 1;
        unsigned char c = (unsigned char)*p;

        if (c >= 0xF0)
            n = 4;
        else if (c >= 0xE0)
            n = 3;
        else if (c >= 0xC0)
            n = 2;
        if (n == 1 && strchr("[]:*?/\\'", *p)) {
            out[o++] = '_';
            p++;
            continue;
        }
        while (n-- && *p)
            out[o++] = *p++;
    }
    out[o] = 0;
}

int zf_xlsx_sheet(zf_xlsx *x, const char *name, const char *const *header, const double *widths,
                  size_t ncols, zf_err *err)
{
    char nm[160];
    size_t i;

    if (!name || !*name || ncols == 0 || ncols > 1000)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", NULL, "工作表名称或列数无效");
    sheet_name(nm, sizeof nm, name);
    if (!(x->ws = workbook_add_worksheet(x->wb, nm)))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", NULL, "工作表名称重复");
    for (i = 0; i < ncols; i++) {
        worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, widths ? widths[i] : 16, NULL);
        worksheet_write_string(x->ws, 0, (lxw_col_t)i, header[i], x->head);
    }
    worksheet_freeze_panes(x->ws, 1, 0);
    x->row = 1;
    x->col = 0;
    x->bold_row = 0;
    return 0;
}

void zf_xlsx_text(zf_xlsx *x, const char *s)
{
    char *cut = NULL;
    size_t chars = 0;
    const char *p;

    if (!x->ws)
        return;
    for (p = s ? s : ""; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80 && ++chars > XLSX_MAX_TEXT) {
            cut = zf_strndup(s, (size_t)(p - s));
            break;
        }
    worksheet_write_string(x->ws, x->row, x->col++, cut ? cut : (s ? s : ""),
                           x->bold_row ? x->bold : NULL);
    free(cut);
}

void zf_xlsx_number(zf_xlsx *x, double v)
{
    if (x->ws)
        worksheet_write_number(x->ws, x->row, x->col++, v, x->bold_row ? x->bold : NULL);
}

void zf_xlsx_bold_next(zf_xlsx *x)
{
    x->bold_row = 1;
}

void zf_xlsx_row_end(zf_xlsx *x)
{
    x->row++;
    x->col = 0;
    x->bold_row = 0;
}

int zf_xlsx_finish(zf_buf *out, zf_xlsx *x, zf_err *err)
{
    char chunk[16384];
    lxw_error e;
    FILE *f = NULL;
    size_t n;
    int rc = 0;

    e = workbook_close(x->wb);
    x->wb = NULL;
    if (e != LXW_NO_ERROR) {
        rc = zf_err_set(err, ZF_EIO, NULL, NULL, "生成电子表格失败：%s", lxw_strerror(e));
        goto done;
    }
    if (!(f = fopen(x->path, "rb"))) {
        rc = zf_err_set(err, ZF_EIO, NULL, NULL, "无法读取生成的电子表格");
        goto done;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (zf_buf_append(out, chunk, n) < 0) {
            rc = zf_err_set(err, ZF_ETOOBIG, "payload_too_large", NULL, "导出的电子表格过大");
            goto done;
        }
    if (ferror(f))
        rc = zf_err_set(err, ZF_EIO, NULL, NULL, "无法读取生成的电子表格");
done:
    if (f)
        fclose(f);
    zf_xlsx_free(x);
    return rc;
}

void zf_xlsx_free(zf_xlsx *x)
{
    if (!x)
        return;
    if (x->wb)
        workbook_close(x->wb); /* the only way libxlsxwriter frees a workbook */
    unlink(x->path);
    free(x);
}
