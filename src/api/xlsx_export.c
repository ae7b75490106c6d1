/* xlsx_export.c — list exports as spreadsheets: a list handler that already
 * built its JSON items hands them here with the columns to show when the
 * request asks for ?format=xlsx (declared in api.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "render/xlsx.h"

int zf_ctx_want_xlsx(zf_ctx *c)
{
    const char *f = zf_ctx_query(c, "format");

    if (!f || !*f || strcmp(f, "json") == 0)
        return 0;
    if (strcmp(f, "xlsx") == 0)
        return 1;
    return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "format", "导出格式应为 json 或 xlsx");
}

/* Unix seconds as China time "YYYY-MM-DD HH:MM". */
static void local_time(char *out, size_t cap, json_int_t t)
{
    time_t s = (time_t)(t + 8 * 3600);
    struct tm tm;

    gmtime_r(&s, &tm);
    strftime(out, cap, "%Y-%m-%d %H:%M", &tm);
}

int zf_ctx_xlsx_items(zf_ctx *c, const char *basename, const char *sheet, const json_t *items,
                      const zf_xlsx_col *cols)
{
    const char *head[64];
    double width[64];
    zf_xlsx *x = NULL;
    const json_t *it;
    char disp[160];
    size_t n = 0, i, k;
    int rc;

    while (cols[n].key && n < 64) {
        head[n] = cols[n].header;
        width[n] = cols[n].width > 0 ? cols[n].width : 16;
        n++;
    }
    if ((rc = zf_xlsx_new(&x, &c->err)) < 0)
        return rc;
    if ((rc = zf_xlsx_sheet(x, sheet, head, width, n, &c->err)) < 0) {
        zf_xlsx_free(x);
        return rc;
    }
    json_array_foreach(items, i, it) {
        for (k = 0; k < n; k++) {
            const json_t *v = json_object_get(it, cols[k].key);
            char t[32];

            if (json_is_string(v))
                zf_xlsx_text(x, json_string_value(v));
            else if (json_is_integer(v) && cols[k].kind == 't') {
                local_time(t, sizeof t, json_integer_value(v));
                zf_xlsx_text(x, t);
            } else if (json_is_integer(v) && cols[k].kind == 'y') /* fen as yuan */
                zf_xlsx_number(x, (double)json_integer_value(v) / 100.0);
            else if (json_is_number(v))
                zf_xlsx_number(x, json_number_value(v));
            else if (json_is_boolean(v))
                zf_xlsx_text(x, json_is_true(v) ? "是" : "否");
            else
                zf_xlsx_text(x, "");
        }
        zf_xlsx_row_end(x);
    }
    zf_buf_reset(&c->out);
    if ((rc = zf_xlsx_finish(&c->out, x, &c->err)) < 0) {
        zf_buf_reset(&c->out);
        return rc;
    }
    c->status = 200;
    c->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    snprintf(disp, sizeof disp, "attachment; filename=\"%s.xlsx\"", basename);
    zf_ctx_header(c, "Content-Disposition", disp);
    return 0;
}
